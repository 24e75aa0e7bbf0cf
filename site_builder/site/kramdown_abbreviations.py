"""kramdown's abbreviations (parser/kramdown/abbreviation.rb): a line
`*[HTML]: Hyper Text Markup Language` defines one and is not written; once the whole
text is read, each place the abbreviation stands in the text as a word of its own
(no ASCII letter, digit or `_` just before or after it) becomes
`<abbr title="Hyper Text Markup Language">HTML</abbr>`, the longest first. Code,
raw HTML and attribute values are left alone. csswizardry's `*[IE6]: Internet
Explorer 6` printed its definitions as a paragraph."""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from site_builder.site.kramdown_html import escape_attribute, escape_text

DEFINITION = re.compile(r" {0,3}\*\[(.+?)\]:(.*)")


def install(md: MarkdownIt) -> None:
    md.block.ruler.before("list", "kramdown_abbreviation", definition)
    md.core.ruler.after("kramdown_typography", "kramdown_abbreviations", abbreviations)


def definition(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    if state.sCount[start] - state.blkIndent >= 4:
        return False
    found = DEFINITION.fullmatch(state.src, state.bMarks[start], state.eMarks[start])
    if not found:
        return False
    if not silent:
        # the last definition of a name counts, as kramdown overwrites it
        state.env.setdefault("kramdown_abbreviations", {})[found[1]] = found[2].strip()
        state.line = start + 1
    return True


def abbreviations(state: StateCore) -> None:
    defined = state.env.get("kramdown_abbreviations")
    if not defined:
        return
    names = "|".join(re.escape(name) for name in sorted(defined, key=len, reverse=True))
    pattern = re.compile(rf"(?<![A-Za-z0-9_])(?:{names})(?![A-Za-z0-9_])")
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        children: list[Token] = []
        for token in block.children:
            if token.type == "text" and pattern.search(token.content):
                children += _split(token, pattern, defined)
            else:
                children.append(token)
        block.children = children


def _split(token: Token, pattern: re.Pattern, defined: dict[str, str]) -> list[Token]:
    """The text token as text and <abbr> elements (kept as HTML tokens, so that no
    later rule reads their text again)."""
    out: list[Token] = []
    last = 0
    for found in pattern.finditer(token.content):
        out.append(_token("text", token.content[last:found.start()]))
        title = defined[found[0]]
        attribute = f' title="{escape_attribute(title)}"' if title else ""
        out += [_token("html_inline", f"<abbr{attribute}>"),
                _token("html_inline", escape_text(found[0])), _token("html_inline", "</abbr>")]
        last = found.end()
    out.append(_token("text", token.content[last:]))
    return [piece for piece in out if piece.content]


def _token(kind: str, content: str) -> Token:
    token = Token(kind, "", 0)
    token.content = content
    return token
