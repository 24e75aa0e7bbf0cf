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
