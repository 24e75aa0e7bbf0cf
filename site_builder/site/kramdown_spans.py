"""kramdown's span rules where CommonMark differs, as markdown-it rules:

- backslash escapes: only kramdown's GFM set (ESCAPED_CHARS_GFM) is read; before any
  other character the backslash stays (`\\/`, `\\&`, `\\2`), and a quote after it is
  smart-quoted by the character before; `\\` or `\\\\` at a line's end is a
  line break;
- HTML by kramdown's grammar, written back as kramdown writes it; the text of an
  element with kramdown's raw content model (`<code>`, `<kbd>`, `<u>`, `<font>`, any
  name kramdown does not know) is kept as written: no emphasis, escapes, code spans
  or smart quotes inside, only tags.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline

from site_builder.site.kramdown_emphasis import read_spans
from site_builder.site.kramdown_html import (BLOCK_ELEMENTS, CLOSE_TAG, COMMENT, OPEN_TAG, Tag,
                                             escape_text)

MARKUP_TAG = re.compile(f"{COMMENT.pattern}|{CLOSE_TAG.pattern}|{OPEN_TAG.pattern}", re.S)
ESCAPABLE = frozenset("\\.*_+`<>()[]{}#!:|\"'$=-~")


def install(md: MarkdownIt) -> None:
    md.inline.ruler.at("escape", escape)
    md.inline.ruler.at("html_inline", span_html)


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


def span_html(state: StateInline, silent: bool) -> bool:
    """kramdown's span-level HTML (parser/kramdown/html.rb): a comment, a closing tag
    (matched to its element by kramdown.span_shapes), or a tag by kramdown's grammar
    (XML names: `<max_hosts>`, `<filter:code>`; an unquoted value is a word), written
    back as kramdown writes the element. An element whose content model is raw (any
    but kramdown's span and block ones: `<u>`, `<font>`, `<code>`, made-up names)
    keeps its text as written, to its closing tag or the paragraph's end."""
    src, pos, end = state.src, state.pos, state.posMax
    if pos and src[pos - 1] == "<":
        return False   # `<<span>`: kramdown's `<<` (a guillemet) comes first
    found = COMMENT.match(src, pos, end) or CLOSE_TAG.match(src, pos, end)
    if found:
        if not silent:   # in an element's text, only its own closing tag (_element_body)
            inside = found[0].startswith("</") and state.env.get(ELEMENTS)   # is a tag
            _push_html(state, escape_text(found[0]) if inside else found[0])
        state.pos = found.end()
        return True
    found = OPEN_TAG.match(src, pos, end)
    if not found:
        return False
    if not silent:
        tag = Tag(found)
        if tag.name in BLOCK_ELEMENTS:   # text in a paragraph, as written
            _push_html(state, escape_text(found[0]))
        elif tag.closed:
            _push_html(state, tag.empty())
        elif tag.raw:
            state.pos = _raw_element(state, tag, found.end())
            return True
        elif len(state.env.setdefault(ELEMENTS, [])) < MAX_DEPTH:
            state.push("html_inline", "", 0).content = tag.opening()
            state.pos = found.end()
            _element_body(state, tag)
            return True
        else:   # deeper than MAX_DEPTH: flat, matched up by kramdown.span_shapes
            state.push("html_inline", "", 0).content = tag.opening()
    state.pos = found.end()
    return True


ELEMENTS = "kramdown_span_elements"   # state.env: the span elements being read
# Deeper, elements are matched flat: each level may read the rest of the paragraph
# again for an emphasis that never closes (`<b>*a ` 20,000 times: 16 s at 40 levels,
# 7 s at 16; kramdown itself takes minutes).
MAX_DEPTH = 16


def _element_body(state: StateInline, tag: Tag) -> None:
    """kramdown's parse_spans for an element's text: to its own closing tag, which
    alone ends it (emphasis open around it cannot close inside it: `a*b <b>c*d</b>`
    has none, nor open again: kramdown looks at every element up), or to the end of
    the text, where it is closed."""
    src, end = state.src, state.posMax
    closing = tag.closing_tag()
    state.env[ELEMENTS].append(tag.name)
    try:
        found = read_spans(state, lambda pos: src.startswith("</", pos)
                           and closing.match(src, pos, end), "<")
    finally:
        state.env[ELEMENTS].pop()
    state.push("html_inline", "", 0).content = f"</{tag.name}>"   # (or auto-closed)
    if found:
        state.pos = found.end()


def _raw_element(state: StateInline, tag: Tag, start: int) -> int:
    """The element's text as written, to its closing tag (kramdown auto-closes it at
    the end of the paragraph's text when there is none); a tag inside it opens an
    element (raw too) that only its own closing tag closes, any other closing tag is
    text. Where the text goes on."""
    src, end = state.src, state.posMax
    _push_html(state, tag.opening(), raw=True)
    open_tags = [tag]   # innermost last
    pos = start
    for markup in MARKUP_TAG.finditer(src, start, end):
        _push_html(state, escape_text(src[pos:markup.start()]), raw=True)
        pos = markup.end()
        if open_tags[-1].closing_tag().fullmatch(markup[0]):
            _push_html(state, f"</{open_tags.pop().name}>", raw=True)
            if not open_tags:
                return pos
            continue
        _push_html(state, _raw_markup(markup[0], open_tags), raw=True)
    _push_html(state, escape_text(src[pos:end]), raw=True)
    _push_html(state, "".join(f"</{inner.name}>" for inner in reversed(open_tags)), raw=True)
    return end


def _raw_markup(markup: str, open_tags: list[Tag]) -> str:
    """A tag in a raw element's text, not the innermost element's closing tag, as
    kramdown writes it: an opening tag opens an element, a closing tag is text."""
    opening = OPEN_TAG.fullmatch(markup)
    if opening is None:   # a comment as it is; a closing tag as text
        return markup if markup.startswith("<!--") else escape_text(markup)
    tag = Tag(opening)
    if tag.name in BLOCK_ELEMENTS:
        return escape_text(markup)   # text in a span, as everywhere in one
    if tag.closed:
        return tag.empty()
    open_tags.append(tag)
    return tag.opening()


def _push_html(state: StateInline, content: str, raw: bool = False) -> None:
    if content:
        token = state.push("html_inline", "", 0)
        token.content = content
        if raw:   # inside a raw element: not matched to other elements' tags
            token.meta["raw"] = True
