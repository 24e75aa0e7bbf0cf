"""@dataclass's methods from kept code (dataclass_code.py): the same code as the
methods dataclasses compiles, and classes that behave the same."""

from __future__ import annotations

import dataclasses

from site_builder import dataclass_code


def _classes() -> tuple[type, type]:
    made = []
    for _ in range(2):
        @dataclasses.dataclass(frozen=True)
        class Setting:
            name: str
            default: object = None
            tags: list = dataclasses.field(default_factory=list, compare=False)
        made.append(Setting)
    return made[0], made[1]


def test_the_methods_are_those_dataclasses_compiles(monkeypatch) -> None:  # noqa: ANN001
    plain, _ = _classes()
    monkeypatch.setattr(dataclasses, "exec", dataclass_code._exec, raising=False)
    kept, again = _classes()
    for name in ("__init__", "__repr__", "__eq__", "__hash__", "__setattr__", "__delattr__"):
        mine, theirs = getattr(kept, name).__code__, getattr(plain, name).__code__
        assert (mine.co_code, mine.co_consts, mine.co_names, mine.co_varnames) == \
            (theirs.co_code, theirs.co_consts, theirs.co_names, theirs.co_varnames), name
    one = kept("a", 1)
    assert (one, repr(one), hash(one) == hash(kept("a", 1))) == \
        (kept("a", 1, ["x"]), "_classes.<locals>.Setting(name='a', default=1, tags=[])", True)
    assert again("b").tags == [] and again("b").tags is not again("b").tags
    try:
        one.name = "b"
    except dataclasses.FrozenInstanceError:
        pass
    else:
        raise AssertionError("a frozen class's field was set")


def test_named_tuples_and_forward_refs_from_kept_code(monkeypatch) -> None:  # noqa: ANN001
    import collections
    import typing
    plain = collections.namedtuple("Point", "x y")
    plain_ref = typing.ForwardRef("dict[str, int] | None")
    monkeypatch.setattr(collections, "eval", dataclass_code._eval, raising=False)
    monkeypatch.setattr(typing, "compile", dataclass_code._compile, raising=False)
    for _ in range(2):   # made, then kept
        kept = collections.namedtuple("Point", "x y")
        mine, theirs = kept.__new__.__code__, plain.__new__.__code__
        assert (mine.co_code, mine.co_consts, mine.co_names, mine.co_varnames,
                mine.co_filename) == (theirs.co_code, theirs.co_consts, theirs.co_names,
                                      theirs.co_varnames, theirs.co_filename)
        assert kept(1, y=2) == (1, 2) and repr(kept(1, 2)) == "Point(x=1, y=2)"
        ref = typing.ForwardRef("dict[str, int] | None")
        assert ref.__forward_code__ == plain_ref.__forward_code__ and ref == plain_ref
        assert typing.get_type_hints(_annotated(ref)) == {"a": dict[str, int] | None}
    try:
        typing.ForwardRef("not an expression(")
    except SyntaxError:
        pass
    else:
        raise AssertionError("a ForwardRef of no expression was made")


def _annotated(ref: object) -> object:
    def function(a):  # noqa: ANN001, ANN202
        return a
    function.__annotations__ = {"a": ref}
    return function
