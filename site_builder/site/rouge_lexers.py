"""Lexers whose tokens must be rouge's (3.30, Jekyll's highlighter), not Pygments',
and rouge's HTML for them.

Themes count a post's words on its HTML (`number_of_words`: reading times), so a
span that closes on another side of a newline, or a character rouge calls an error,
shows there. Pygments' diff lexer ends each line's token before its newline and
reads a line of `#` as text; rouge's takes the newline into the line's token, and
has no rule for a line starting with `#` (after a line of its own: a line's rule
may run on into the next, as `\\s.*$` does from a newline), so the `#` is an error.
Rouge's HTML formatter joins tokens of one type in a row into one span, newlines
and all.
"""

from __future__ import annotations

import html
import re

from pygments.lexer import RegexLexer, bygroups
from pygments.token import Generic, Punctuation, Text

from site_builder.site.pygments_spans import css_class

SPACE = r"[ \t\r\n\f\v]"   # Ruby's \s (Python's also takes Unicode spaces)
WORD = r"[A-Za-z0-9_]"     # Ruby's \w on a UTF-8 string


class RougeDiffLexer(RegexLexer):
    """rouge's lexers/diff.rb, rule for rule (Ruby's ^ and $ are per line)."""
    name = "diff (rouge)"
    flags = re.MULTILINE
    tokens = {"root": [
        (r"^ .*$\n?", Text),
        (r"^---$\n?", Punctuation),
        (r"^[+>]+.*$\n?", Generic.Inserted),
        (r"^\+.*$\n?", Generic.Inserted),
        (r"^[-<]+.*$\n?", Generic.Deleted),
        (r"^!.*$\n?", Generic.Strong),
        (r"^([Ii]ndex|diff).*$\n?", Generic.Heading),
        (r"^(@@[^@]*@@)([^\n]*\n)", bygroups(Punctuation, Text)),
        (rf"^{WORD}.*$\n?", Punctuation),
        (r"^=.*$\n?", Generic.Heading),
        (rf"{SPACE}.*$\n?", Text),
    ]}


# Pygments' name of a language -> the lexer that stands in for it.
LEXERS = {"diff": RougeDiffLexer}


def rouge_html(code: str, lexer: RegexLexer) -> str:
    """`code` in rouge's spans: one per run of tokens of a type, newlines inside,
    plain text bare; a character no rule takes is an error (`err`), as in rouge
    (Pygments makes an unmatched newline whitespace: no rule here leaves one)."""
    out: list[str] = []
    kind, run = None, []
    for _, ttype, value in lexer.get_tokens_unprocessed(code):
        if ttype is not kind and run:
            out.append(_span(kind, "".join(run)))
            run = []
        kind = ttype
        run.append(value)
    if run:
        out.append(_span(kind, "".join(run)))
    return "".join(out)


def _span(ttype, text: str) -> str:  # noqa: ANN001 (a Pygments token type)
    text = html.escape(text, quote=False)
    name = css_class(ttype)
    return f'<span class="{name}">{text}</span>' if name else text
