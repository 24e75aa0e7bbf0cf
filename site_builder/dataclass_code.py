"""The methods @dataclass writes, compiled once and kept with the compiled patterns.

@dataclass writes the source of each method it adds to a class (__init__, __repr__,
__eq__, a frozen class's __setattr__ ...) and compiles it with `exec`, each time the
class is defined: a cold build of Jekyll's docs defines 80 such methods (ours,
python-liquid's, markdown-it's), about a million instructions of parsing and
compiling each (callgrind), in every command. Here the code each source compiles to
is kept in the patterns' file (compiled_patterns.kept, as marshal data) and run from
there: the same code, the same methods, without the compiler.
"""

from __future__ import annotations

import dataclasses
import marshal
from types import CodeType

from site_builder import compiled_patterns

KIND = "dataclass code"   # a key: (KIND, file name, source), three items as no pattern's key


def install() -> None:
    """From now on, the classes @dataclass makes get their methods from kept code."""
    # dataclasses looks `exec` up in its own module first: ours stands in for the builtin.
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
