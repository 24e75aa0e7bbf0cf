"""Pygments' tokens in the HTML `HtmlFormatter(nowrap=True)` writes, with rouge's bare
whitespace, in one pass.

HtmlFormatter escapes, splits and joins every token on its own, through a
generator per stage, and a regular expression then took its whitespace spans out:
for Jekyll's docs' 368 code blocks that formatting cost more than the lexing. Here
tokens in a row of one CSS class are joined first and each run is escaped and
wrapped once; the bytes are the formatter's (tests/test_pygments_spans.py compares
them on every lexer the blogs use):

- a span never crosses a line: each line of a run gets its own, and an empty line
  none;
- tokens of one class in a row share a span, whatever their token types (empty
  tokens between them change nothing);
- text of the class "" (Pygments' `Text`) is bare; so is a run of whitespace of the
  class "w" (rouge writes whitespace bare; themes count a post's words on its HTML);
- the last line ends with a newline, whether the code did or not.
"""

from __future__ import annotations

from html import escape
from typing import Iterable


def spans(tokens: Iterable[tuple]) -> str:
    """The HTML of Pygments' (token type, text) pairs."""
    out: list[str] = []
    run: list[str] = []
    kind = None   # the class of the run in `run`
    classes = _CLASSES
    for ttype, value in tokens:
        if not value:
            continue
        name = classes.get(ttype)
        if name is None:
            name = classes[ttype] = _css_classes(ttype)
        if name != kind:
            if run:
                out.append(_run(kind, "".join(run)))
                run = []
            kind = name
        run.append(value)
    if not run:
        return "".join(out)
    out.append(_run(kind, "".join(run)))
    if not run[-1].endswith("\n"):
        out.append("\n")
    return "".join(out)


# Token type -> its classes, as HtmlFormatter names them (a type of a lexer's own
# under a standard one gets both: "n n-Custom").
_CLASSES: dict = {}


def _css_classes(ttype) -> str:  # noqa: ANN001 (a Pygments token type)
    """HtmlFormatter(nowrap=True)._get_css_classes(ttype): the type's class, after
    those of its parents up to a standard type. Without a formatter: making one
    loads its style and writes its style sheet (5 million instructions a process)."""
    from pygments.token import STANDARD_TYPES
    name = css_class(ttype)
    while ttype not in STANDARD_TYPES:
        ttype = ttype.parent
        name = css_class(ttype) + " " + name
    return name


def css_class(ttype) -> str:  # noqa: ANN001 (a Pygments token type)
    """The CSS class HtmlFormatter gives a token type: a standard type's short name
    ("nf"), or for a type of a lexer's own, its nearest standard ancestor's followed by
    the names below it, each after a "-" ("n-Custom"). Ours: pygments.formatters.html (where its
    own is) costs each process that highlights code 3.7 million instructions to import
    (callgrind)."""
    from pygments.token import STANDARD_TYPES
    below = []
    while ttype not in STANDARD_TYPES:
        below.append(ttype[-1])
        ttype = ttype.parent
    return STANDARD_TYPES[ttype] + "".join("-" + name for name in reversed(below))


def _run(name: str, text: str) -> str:
    # escape() only changes these three; most runs have none, and a call to it costs
    # ~1,000 instructions (Jekyll's docs: 10,500 runs, 10 million instructions).
    if "&" in text or "<" in text or ">" in text:
        text = escape(text, quote=False)
    if not name:
        return text
    if "\n" in text:
        return "\n".join(_line(name, line) if line else "" for line in text.split("\n"))
    return _line(name, text)


def _line(name: str, text: str) -> str:
    if name == "w" and text.isspace():
        return text
    return f'<span class="{name}">{text}</span>'
