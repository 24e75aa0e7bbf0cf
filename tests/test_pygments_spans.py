"""pygments_spans writes the HTML Pygments' HtmlFormatter(nowrap=True) writes, its
whitespace spans taken out as rouge writes whitespace."""

from __future__ import annotations

import io
import re

import pytest
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.token import Comment, Error, Keyword, Name, Text, Token, Whitespace

from site_builder.site.pygments_spans import spans

# What the build did before pygments_spans: the formatter, then this expression.
WHITESPACE_SPAN = re.compile(r'<span class="w">(\s*)</span>')


def formatted(tokens: list[tuple]) -> str:
    out = io.StringIO()
    HtmlFormatter(nowrap=True).format(iter(tokens), out)
    return WHITESPACE_SPAN.sub(r"\1", out.getvalue())


CODES = [
    "", "\n", "\n\n", "x", "x\n", "  \t \n\n  x  \n", "a\r\nb\r\n", "<&>\"'\n",
    "\u00a0\u2003 \x0c\x0b\n", "if x:\n    return {'a': 1}  # c\n\n\tpass",
    "def f(a, *b):\n    '''doc\n    string'''\n    return a <= b & 3\n",
    "<div class=\"x\">\n  {% if a %}&amp;{{ b | c }}{% endif %}\n</div>\n",
    "$ bundle exec jekyll serve --livereload\n# comment\nexport A=\"b c\"\n",
    "---\ntitle: x\nlist:\n  - a\n  - b # c\n", "{\"a\": [1, 2.5, null], \"b\": \"\\u00e9\"}",
]


@pytest.mark.parametrize("name", ["python", "html", "liquid", "bash", "console", "yaml",
                                  "json", "ruby", "javascript", "css", "scss", "markdown",
                                  "c", "text", "diff", "sh", "erb", "go", "rust"])
@pytest.mark.parametrize("code", CODES)
def test_lexers_tokens_as_the_formatter_writes_them(name: str, code: str) -> None:
    for options in ({"stripnl": False, "ensurenl": False}, {}):
        lexer = get_lexer_by_name(name, **options)
        tokens = list(lexer.get_tokens(code))
        assert spans(tokens) == formatted(tokens)


CustomName = Name.Custom
TOKEN_STREAMS = [
    [(Whitespace, "  "), (Whitespace, "x "), (Keyword, "if")],   # a "w" span kept
    [(Whitespace, " \n  \n"), (Name, "a"), (Whitespace, "\u00a0 ")],
    [(Name, "a"), (CustomName, "b"), (Token.Text.Own, "c"), (Name, "d\ne")],
    [(Name, "a"), (Keyword, ""), (Name, "b"), (Text, ""), (Name, "\n"), (Name, "c")],
    [(Name, "a"), (Keyword, "\n"), (Name, "b\n\n"), (Comment, "c")],
    [(Error, "\x00"), (Text, "plain <b>\n"), (Text, "")],
    [(Name, ""), (Keyword, "")],
]


@pytest.mark.parametrize("tokens", TOKEN_STREAMS)
def test_token_runs_empty_tokens_and_types_of_a_lexers_own(tokens: list[tuple]) -> None:
    assert spans(tokens) == formatted(tokens)


def test_css_class_is_the_formatters() -> None:
    # pygments_spans' own css_class (the formatter's module is not imported for it).
    from pygments.formatters.html import _get_ttype_class
    from pygments.token import STANDARD_TYPES

    from site_builder.site.pygments_spans import css_class
    types = [*STANDARD_TYPES, Name.Custom, Name.Custom.Deeper, Keyword.Own.Two.Three,
             Token.Mine, Text.Other, Whitespace.Odd]
    assert [css_class(t) for t in types] == [_get_ttype_class(t) for t in types]
