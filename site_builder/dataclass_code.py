"""The methods @dataclass writes (and the expressions namedtuple and typing compile),
compiled once and kept with the compiled patterns.

@dataclass writes the source of each method it adds to a class (__init__, __repr__,
__eq__, a frozen class's __setattr__ ...) and compiles it with `exec`, each time the
class is defined: a cold build of Jekyll's docs defines 80 such methods (ours,
python-liquid's, markdown-it's), about a million instructions of parsing and
compiling each (callgrind), in every command. Here the code each source compiles to
is kept in the patterns' file (compiled_patterns.kept, as marshal data) and run from
there: the same code, the same methods, without the compiler.

The same goes for two expressions the standard library compiles as modules are
imported: each named tuple's `__new__` (collections.namedtuple, by `eval`: 20 in a
build, inspect's and dis's among them) and the code of each annotation a
typing.NamedTuple names as text (a ForwardRef, by `compile`: 54 in a build).
"""

from __future__ import annotations

import collections
import marshal
import typing
from types import CodeType

from site_builder import compiled_patterns

KIND = "dataclass code"   # a key: (KIND, file name, source), three items as no pattern's key
EXPRESSION = "expression code"   # (EXPRESSION, file name, source): code compiled in eval mode


def install() -> None:
    """From now on, the classes @dataclass makes get their methods from kept code,
    and named tuples and ForwardRefs theirs."""
    # Each module looks the builtin up in its own globals first: ours stands in for it
    # there. Before dataclasses is imported: its imports make named tuples.
    collections.eval = _eval
    typing.compile = _compile
    import dataclasses
    dataclasses.exec = _exec


def _exec(source, globals=None, locals=None) -> None:  # noqa: ANN001 (exec's own)
    if type(source) is not str:
        exec(source, globals, locals)
        return
    data = compiled_patterns.kept((KIND, "<string>", source), lambda: _compiled(source))
    try:
        code = marshal.loads(data.encode("latin-1"))
    except (EOFError, ValueError, TypeError):   # a damaged entry
        code = None
    exec(code if type(code) is CodeType else _code(source), globals, locals)


def _code(source: str) -> CodeType:
    # As exec compiles a text in dataclasses' module, which has no __future__ imports
    # (dont_inherit: not this module's `annotations`).
    return compile(source, "<string>", "exec", dont_inherit=True)


def _compiled(source: str) -> str:
    return marshal.dumps(_code(source)).decode("latin-1")


def _eval(source, globals=None, locals=None):  # noqa: ANN001, ANN202 (eval's own)
    if type(source) is not str:
        return eval(source, globals, locals)
    # (eval drops a text's leading spaces and tabs; compile does not)
    return eval(_expression(source.lstrip(" \t")), globals, locals)


def _compile(source, filename, mode, flags=0, dont_inherit=False, optimize=-1):  # noqa: ANN001, ANN202
    if type(source) is not str or (filename, mode, flags, optimize) != ("<string>", "eval", 0, -1):
        return compile(source, filename, mode, flags, dont_inherit, optimize)
    return _expression(source)


def _expression(source: str) -> CodeType:
    """The code compile(source, "<string>", "eval") makes in a module without
    __future__ imports (collections', typing's), kept."""
    data = compiled_patterns.kept((EXPRESSION, "<string>", source), lambda: marshal.dumps(
        compile(source, "<string>", "eval", dont_inherit=True)).decode("latin-1"))
    try:
        code = marshal.loads(data.encode("latin-1"))
    except (EOFError, ValueError, TypeError):   # a damaged entry
        code = None
    return code if type(code) is CodeType else compile(source, "<string>", "eval",
                                                       dont_inherit=True)
