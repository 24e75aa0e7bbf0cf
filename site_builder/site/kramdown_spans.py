"""kramdown's span rules where CommonMark differs, as markdown-it rules:

- backslash escapes: only kramdown's GFM set (ESCAPED_CHARS_GFM) is read; before any
  other character the backslash stays (`\\/`, `\\&`, `\\2`), and a quote after it is
  smart-quoted by the character before; `\\` or `\\\\` at a line's end is a
  line break;
- the text of `<code>`, `<kbd>`, `<samp>`, `<var>` (kramdown's raw content model) is
  kept as written: no emphasis, escapes or code spans inside, only tags.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline

from site_builder.site.kramdown_html import escape_text

ESCAPABLE = frozenset("\\.*_+`<>()[]{}#!:|\"'$=-~")
# kramdown's HTML_CONTENT_MODEL_RAW among span elements: their text is not Markdown.
RAW_SPAN_OPEN = re.compile(r"<(code|kbd|samp|var|math|option|textarea|script|style)"
                           r"(?=[\s>])[^>]*(?<!/)>", re.I)
TAG = re.compile(r"<!--.*?-->|</?[A-Za-z][\w:-]*(?:\s[^<>]*)?/?>", re.S)


def install(md: MarkdownIt) -> None:
    md.inline.ruler.at("escape", escape)
    html = next(r for r in md.inline.ruler.__rules__ if r.name == "html_inline")
    md.inline.ruler.at("html_inline", _raw_spans(html.fn))


def escape(state: StateInline, silent: bool) -> bool:
    src, pos = state.src, state.pos
    if src[pos] != "\\" or pos + 1 >= state.posMax:
        return False
    char = src[pos + 1]
    # kramdown's LINE_BREAK: `\` or `\\` at a line's end (the next line's
    # indentation stays)
    size = 2 if char == "\n" else 3 if char == "\\" and src.startswith("\n", pos + 2) else 0
    if size:
        if not silent:
            state.push("hardbreak", "br", 0)
        state.pos = pos + size
        return True
    if char not in ESCAPABLE:
        return False   # the backslash is text
    if not silent:
        token = state.push("text_special", "", 0)
        token.content, token.markup, token.info = char, "\\" + char, "escape"
    state.pos = pos + 2
    return True


def _raw_spans(original):  # noqa: ANN001, ANN202 (markdown-it's rule function)
    """After the opening tag of a raw span element, its text to the closing tag goes
    as it is (escaped for HTML), tags inside it as tags."""
    def rule(state: StateInline, silent: bool) -> bool:
        start = state.pos
        if not original(state, silent):
            return False
        opening = RAW_SPAN_OPEN.fullmatch(state.src, start, state.pos)
        if not opening:
            return True
        closing = re.compile(rf"</{opening[1]}\s*>", re.I).search(state.src, state.pos,
                                                                   state.posMax)
        if not closing:
            return True
        if not silent:
            inner, last = state.src[state.pos:closing.start()], 0
            for tag in TAG.finditer(inner):
                _push_html(state, escape_text(inner[last:tag.start()]))
                _push_html(state, tag[0])
                last = tag.end()
            _push_html(state, escape_text(inner[last:]))
            _push_html(state, closing[0])
        state.pos = closing.end()
        return True
    return rule


def _push_html(state: StateInline, content: str) -> None:
    if content:
        state.push("html_inline", "", 0).content = content
