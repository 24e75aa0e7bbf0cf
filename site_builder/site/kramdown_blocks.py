"""kramdown's block layout: the whitespace its HTML converter writes between and
inside block elements, on markdown-it's tokens (kramdown 2.4, converter/html.rb).

- A run of blank lines between two blocks is one "\\n" (kramdown's :blank element),
  also at the start and end of the text and of a blockquote or `markdown="1"`
  element; a list item's trailing blank lines are dropped (the last item's go after
  its list), and there is none between items.
- Nested blocks are indented by two spaces a level: `<ul>\\n  <li>a</li>\\n</ul>`;
  a closing tag is indented when it starts a line; so is the last `</div>` of a
  highlighted code block.
- A paragraph's line breaks keep the spaces around them (but the two that make a
  <br />).
- A list item's first paragraph goes without <p> by kramdown's rule, item by item
  (markdown-it decides for the whole list): no blank line after it, and the last
  item only when an earlier one went without. A definition's, unless a blank line
  comes before it.
- kramdown's HTML parser leaves the line's end after `<hr>` (an element closed in
  its tag) and after a script: a blank line follows.

Themes cut post content with `strip_html | truncate: 200`, which counts this
whitespace: it must be kramdown's for the excerpts to be Jekyll's.

The block parser's state is made here too (_LineTables: markdown-it's line tables,
made faster).
"""

from __future__ import annotations

import re
from itertools import accumulate, repeat
from operator import add, not_, sub
from types import MethodType

from markdown_it import MarkdownIt
from markdown_it.common.utils import MD_TRIM_CHARS as MD_TRIM
from markdown_it.parser_block import ParserBlock
from markdown_it.renderer import RendererHTML
from markdown_it.rules_core import StateCore
from markdown_it.rules_block import StateBlock
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token

from site_builder.site.kramdown_html import OPEN_TAG, SPAN_ELEMENTS, VOID_ELEMENTS
from site_builder.site.kramdown_table import kramdown_table

INDENT = ["  " * level for level in range(64)]
# Top-level tokens written inside a block, not as one.
SPANS = frozenset(("inline", "footnote_anchor"))
# Blocks that never have a blank line before them (kramdown drops those).
NO_BLANK = frozenset(("list_item_open", "dt_open", "dd_open"))
ROUGE_END = "</div></div>\n"


def install(md: MarkdownIt) -> None:
    """Run last among the core rules (after the table of contents and attribute
    lists have made their blocks), and render with kramdown's indentation."""
    md.inline.ruler.at("newline", newline)
    rule = next(r for r in md.block.ruler.__rules__ if r.name == "paragraph")
    md.block.ruler.at("paragraph", paragraph, {"alt": rule.alt})
    md.block.ruler.before("code", "kramdown_raw_text", raw_text)
    md.add_render_rule("kramdown_text_open", lambda *a: "")
    md.add_render_rule("kramdown_text_close", lambda *a: "\n")
    md.core.ruler.push("kramdown_layout", layout)
    md.add_render_rule("kramdown_blank", lambda *a: "\n")
    md.renderer.render = MethodType(render, md.renderer)
    md.block.tokenize = _quote_tabs(MethodType(_tokenize, md.block))
    rule = next(r for r in md.block.ruler.__rules__ if r.name == "hr")
    md.block.ruler.at("hr", thematic_break, {"alt": rule.alt})
    md.block.parse = MethodType(_parse, md.block)
    global _token_at, PLAIN_RENDER_TOKENS
    from site_builder.site.kramdown import _token_at   # (kramdown imports this module)
    from site_builder.site.kramdown_render import render_token
    PLAIN_RENDER_TOKENS = frozenset((RendererHTML.renderToken, render_token))


def _parse(self, src: str, md: MarkdownIt, env: dict, tokens: list[Token]):  # noqa: ANN001, ANN202
    """ParserBlock.parse, its state's line tables made by _LineTables."""
    if not src:
        return None
    state = _LineTables(src, md, env, tokens)
    self.tokenize(state, state.line, state.lineMax)
    return state.tokens


def _tokenize(self, state: StateBlock, start: int, end: int) -> None:  # noqa: ANN001
    """markdown-it's ParserBlock.tokenize, the block rules tried on each block's first
    line, with the rules looked up by the line's first character (the dispatcher's
    tables, kramdown.py) and the blank lines skipped in the loop: ours for speed,
    as it runs once per block and again for every list item's text. The same rules
    run on the same lines; the same errors."""
    rules = self.ruler.getRules("")
    by_char = getattr(rules[0], "by_char", None) if len(rules) == 1 else None
    if by_char is None:
        return ParserBlock.tokenize(self, state, start, end)
    anywhere, every = rules[0].anywhere, rules[0].every
    b_marks, e_marks, t_shift = state.bMarks, state.eMarks, state.tShift
    line = start
    max_nesting = state.md.options.maxNesting
    empty_lines = False
    while line < end:
        last = state.lineMax
        while line < last and b_marks[line] + t_shift[line] >= e_marks[line]:
            line += 1   # (skipEmptyLines)
        state.line = line
        if line >= end or state.sCount[line] < state.blkIndent:
            break
        if state.level >= max_nesting:
            state.line = end
            break
        pos = b_marks[line] + t_shift[line]
        for rule in by_char.get(state.src[pos], anywhere) if pos < e_marks[line] else every:
            if rule(state, line, end, False):
                if state.line <= line:
                    raise RuntimeError("block rule didn't increment state.line")
                break
        else:
            raise RuntimeError("none of the block rules matched")
        state.tight = not empty_lines
        line = state.line
        if line - 1 < end and b_marks[line - 1] + t_shift[line - 1] >= e_marks[line - 1]:
            empty_lines = True
        if line < end and b_marks[line] + t_shift[line] >= e_marks[line]:
            empty_lines = True
            line += 1
            state.line = line
    return None


# Either marker (they start with different characters: one match finds the one there).
MARKER = re.compile(r"(?:[0-9]{1,9}[.)]|[*+-])(?=[ \t]|\Z)")


def _after_marker(src: str, pos: int, maximum: int, ordered: bool | None) -> int:
    """markdown-it's skipOrderedListMarker (ordered True) or skipBulletListMarker
    (False), or the first that finds one (None): where the marker ends (its `.`,
    `)` or bullet then a blank or the line's end), or -1."""
    found = MARKER.match(src, pos, maximum)
    if found is None or ordered is not None and ordered == (src[pos] in "*+-"):
        return -1
    return found.end()


def list_block(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    """markdown-it's list rule, the same tokens: ours for speed (the largest of
    markdown-it's block rules in a build of Jekyll's docs, whose history page is a
    list of three thousand items): the markers are read by regular expressions, the
    state's tables held in locals, the tokens made in place."""
    s_count, b_marks, t_shift, e_marks = state.sCount, state.bMarks, state.tShift, state.eMarks
    if state._code_enabled and s_count[start] - state.blkIndent >= 4:
        return False
    if state.listIndent >= 0 and s_count[start] - state.listIndent >= 4 \
            and s_count[start] < state.blkIndent:
        return False
    terminating = silent and state.parentType == "paragraph" \
        and s_count[start] >= state.blkIndent
    src = state.src
    first = b_marks[start] + t_shift[start]
    after = _after_marker(src, first, e_marks[start], None)
    if after < 0:
        return False
    ordered = src[after - 1] in ".)"
    if ordered:
        value = int(src[first:after - 1])
        if terminating and value != 1:
            return False
    if terminating and state.skipSpaces(after) >= e_marks[start]:
        return False
    marker = src[after - 1]
    if silent:
        return True
    tokens = state.tokens
    opened = len(tokens)
    if ordered:
        token = state.push("ordered_list_open", "ol", 1)
        if value != 1:
            token.attrs = {"start": value}
    else:
        token = state.push("bullet_list_open", "ul", 1)
    token.map = lines = [start, 0]
    token.markup = marker
    line = start
    previous_empty_end = False
    tight = True
    terminators = state.md.block.ruler.getRules("list")
    chain = terminators[0] if len(terminators) == 1 and hasattr(terminators[0], "by_char") \
        else None
    old_parent, state.parentType = state.parentType, "list"
    tokenize = state.md.block.tokenize
    plan = _one_line_plan(state.md)
    # Whether a line of this list's bullet, then a blank, ends the list only where it is
    # a thematic break (the terminators for the bullet: that rule or none; the rule
    # needs three of the mark): then the next item is read without their calls.
    next_bullet = not ordered and chain is not None and all(
        rule is thematic_break for rule in chain.by_char.get(marker, chain.anywhere))
    while line < end:
        pos, maximum = after, e_marks[line]
        initial = offset = s_count[line] + after - (b_marks[start] + t_shift[start])
        while pos < maximum:
            char = src[pos]
            if char == "\t":
                offset += 4 - (offset + state.bsCount[line]) % 4
            elif char == " ":
                offset += 1
            else:
                break
            pos += 1
        content = pos
        spaces = 1 if content >= maximum else offset - initial
        if spaces > 4:
            spaces = 1
        indent = initial + spaces
        token = state.push("list_item_open", "li", 1)
        token.markup = marker
        token.map = item_lines = [start, 0]
        if ordered:
            token.info = src[first:after - 1]
        old_tight, old_shift, old_count = state.tight, t_shift[start], s_count[start]
        old_list_indent, state.listIndent = state.listIndent, state.blkIndent
        state.blkIndent = indent
        state.tight = True
        t_shift[start] = content - b_marks[start]
        s_count[start] = offset
        if content >= maximum and state.isEmpty(start + 1):
            state.line = min(state.line + 2, end)   # (markdown-it's empty item)
        elif offset - indent >= 4 or not _one_line_item(state, start, content, maximum, plan):
            tokenize(state, start, end)
        if not state.tight or previous_empty_end:
            tight = False
        previous_empty_end = state.line - start > 1 and state.isEmpty(state.line - 1)
        state.blkIndent = state.listIndent
        state.listIndent = old_list_indent
        t_shift[start], s_count[start] = old_shift, old_count
        state.tight = old_tight
        token = state.push("list_item_close", "li", -1)
        token.markup = marker
        line = start = state.line
        item_lines[1] = line
        if line >= end or s_count[line] < state.blkIndent \
                or state._code_enabled and s_count[start] - state.blkIndent >= 4:
            break
        src = state.src
        first = b_marks[line] + t_shift[line]
        if next_bullet and src[first:first + 1] == marker \
                and src[first + 1:first + 2] in (" ", "\t") \
                and src.count(marker, first + 1, e_marks[line]) < 2:
            after = first + 1   # (as _after_marker finds it)
            continue
        ended = False
        if chain is not None:   # (the dispatcher's rules for the line, without its call)
            rules = chain.by_char.get(src[first], chain.anywhere) \
                if first < e_marks[line] else chain.every
        else:
            rules = terminators
        for rule in rules:   # (not any() over a generator: a call less per item)
            if rule(state, line, end, True):
                ended = True
                break
        if ended:
            break
        after = _after_marker(src, first, e_marks[line], ordered)
        if after < 0 or marker != src[after - 1]:
            break
    token = state.push("ordered_list_close" if ordered else "bullet_list_close",
                       "ol" if ordered else "ul", -1)
    token.markup = marker
    lines[1] = line
    state.line = line
    state.parentType = old_parent
    if tight:   # (markdown-it's markTightParagraphs)
        level = state.level + 2
        k, stop = opened + 2, len(tokens) - 2
        while k < stop:
            if tokens[k].level == level and tokens[k].type == "paragraph_open":
                tokens[k + 2].hidden = True
                tokens[k].hidden = True
                k += 2
            k += 1
    return True


ATX_MARKS = re.compile(r"#{1,6}(?=[ \t]|\Z)")


def atx_heading(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    """markdown-it's heading rule (`#` to `######`, then a blank or the line's end),
    the same tokens: ours for speed, its trailing blanks and closing `#`s cut by
    rstrip where markdown-it steps back a character at a time."""
    if state._code_enabled and state.sCount[start] - state.blkIndent >= 4:
        return False
    pos, maximum, src = state.bMarks[start] + state.tShift[start], state.eMarks[start], state.src
    found = ATX_MARKS.match(src, pos, maximum)
    if found is None:
        return False
    if silent:
        return True
    level, pos = found.end() - pos, found.end()
    maximum = pos + len(src[pos:maximum].rstrip(" \t"))
    closing = pos + len(src[pos:maximum].rstrip("#"))
    if closing > pos and src[closing - 1] in (" ", "\t"):
        maximum = closing
    state.line = start + 1
    tag, markup = f"h{level}", "#" * level
    token = state.push("heading_open", tag, 1)
    token.markup, token.map = markup, [start, state.line]
    token = state.push("inline", "", 0)
    token.content = src[pos:maximum].strip(MD_TRIM)
    token.map, token.children = [start, state.line], []
    state.push("heading_close", tag, -1).markup = markup
    return True


HR_REST = {marker: re.compile(rf"[{re.escape(marker)} \t]*") for marker in "*-_"}


def thematic_break(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    """markdown-it's hr rule (three or more of one of `*-_`, with blanks between),
    ours for speed: the line is checked by counting and a regular expression where
    markdown-it's loop calls a function on each character; every list item's line
    is tried (`- ` starts both)."""
    if state._code_enabled and state.sCount[start] - state.blkIndent >= 4:
        return False
    pos, maximum, src = state.bMarks[start] + state.tShift[start], state.eMarks[start], state.src
    marker = src[pos:pos + 1]
    if marker not in ("*", "-", "_"):
        return False
    count = 1 + src.count(marker, pos + 1, maximum)
    if count < 3 or not HR_REST[marker].fullmatch(src, pos + 1, maximum):
        return False
    if silent:
        return True
    state.line = start + 1
    token = state.push("hr", "hr", 0)
    token.map = [start, state.line]
    token.markup = marker * (count + 1)   # (markdown-it's: one more than written)
    return True


class _LineTables(StateBlock):
    """StateBlock, its tables of where each line begins and ends and how it is
    indented made by whole-list operations: StateBlock walks the text line by line in
    Python (0.7% of a cold docs build's instructions); these are the same tables."""

    def __init__(self, src: str, md: MarkdownIt, env: dict, tokens: list[Token]) -> None:
        super().__init__("", md, env, tokens)   # everything else as StateBlock sets it
        self.src = src
        lines = src.split("\n")
        if not lines[-1].strip(" \t"):   # a last line of spaces and tabs, no "\n": none
            lines.pop()
        lengths = list(map(len, lines))
        self.bMarks = [0, *accumulate(map(add, lengths, repeat(1)))]
        self.bMarks[-1] = len(src)
        self.eMarks = list(map(add, self.bMarks, lengths))
        self.eMarks.append(len(src))
        self.tShift = list(map(sub, lengths, map(len, map(str.lstrip, lines, repeat(" \t")))))
        self.sCount = [_columns(line, indent) if "\t" in line[:indent] else indent
                       for line, indent in zip(lines, self.tShift)] if "\t" in src \
            else self.tShift.copy()
        self.tShift.append(0)
        self.sCount.append(0)
        self.bsCount = [0] * len(self.bMarks)
        self.lineMax = len(lines)

    def push(self, ttype: str, tag: str, nesting: int) -> Token:
        """StateBlock.push, the token made by kramdown._token_at (Token's fields set
        without its __init__'s call and defaults; set by install): every block token."""
        level = self.level
        if nesting < 0:
            level -= 1
            self.level = level
        token = _token_at(ttype, tag, nesting, level)
        token.block = True
        if nesting > 0:
            self.level = level + 1
        self.tokens.append(token)
        return token


def _token_at(type: str, tag: str, nesting: int, level: int) -> Token:  # noqa: A002
    token = Token(type, tag, nesting)   # (until install sets kramdown's)
    token.level = level
    return token


def _columns(line: str, indent: int) -> int:
    """The columns of a line's first `indent` characters (spaces and tabs)."""
    column = 0
    for char in line[:indent]:
        column += 4 - column % 4 if char == "\t" else 1
    return column


def _quote_tabs(tokenize):  # noqa: ANN001, ANN202 (markdown-it's ParserBlock.tokenize)
    """Block parsing that can go on mid-line (_raw_element's kramdown_resume), and a tab after a blockquote's `>` (or `> `) as kramdown reads it: kramdown strips
    `> ?` from each line and reads what is left as a text of its own, where a tab at
    the start is a whole indentation (`>\tcode` is a code block in the quote).
    CommonMark gives the tab the columns to the next tab stop of the whole line,
    less the marker's space: two, no code block. So, as the blockquote rule hands its
    lines over, those whose indentation holds a tab are measured again from their
    own start (the rule puts the lines back as they were after)."""
    def tokenize_lines(state: StateBlock, start: int, end: int) -> None:
        if state.parentType == "blockquote" and start < end \
                and state.src.find("\t", max(0, state.bMarks[start] - 2),
                                     state.eMarks[end - 1]) >= 0:
            for line in range(start, end):
                _retab(state, line)
        tokenize(state, start, end)
        # A rule that left text on its last line (an HTML element closed mid-line,
        # `<p>a</p><p>b</p>`) ended this run; the blocks go on from that line.
        while "kramdown_resume" in state.env:
            tokenize(state, state.env.pop("kramdown_resume"), end)
    return tokenize_lines


def _retab(state: StateBlock, line: int) -> None:
    src, begin = state.src, state.bMarks[line]
    if state.sCount[line] < 0:   # a lazy line: no marker
        return
    marker = begin - 1 if src[begin - 1:begin] == ">" else begin - 2
    if src[marker:marker + 1] != ">":
        return
    text = marker + 2 if src[marker + 1:marker + 2] == " " else marker + 1
    stop = text
    while src[stop:stop + 1] in (" ", "\t") and stop < state.eMarks[line]:
        stop += 1
    if "\t" not in src[text:stop]:
        return
    column = 0
    for char in src[text:stop]:
        column += 4 - column % 4 if char == "\t" else 1
    state.bMarks[line], state.tShift[line] = text, stop - text
    state.sCount[line], state.bsCount[line] = column, 0


RUBY_SPACE = " \t\n\v\f\r"   # what Ruby's strip takes (no-break spaces stay)
SPACES_THEN_TAB = re.compile(r" {1,3}\t")


def _unparsed_text(state: StateBlock, line: int) -> int | None:
    """Where a line's text starts for kramdown's block parsers (its list item's or
    note's indentation taken off) when what is left starts with one to three spaces
    and a tab: no block parser of kramdown's takes such a line (not INDENT's code, not
    PARAGRAPH_START), so kramdown keeps it as text of the enclosing block."""
    begin = state.bMarks[line]
    space = state.src[begin:begin + state.tShift[line]]
    if state.tShift[line] >= state.eMarks[line] - begin or "\t" not in space:
        return None
    indent = state.blkIndent
    if indent and not space.startswith(" " * indent):
        return None
    return begin + indent if SPACES_THEN_TAB.match(space, indent) else None


def raw_text(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    """Lines kramdown's parser hands to no block parser (`   \t$$x$$` after a blank
    line): written as they are, their spans parsed, without <p> (parse_blocks'
    fallback, add_text); consecutive ones are one text."""
    if not state.tShift[start]:
        return False   # (no indentation, no tab in it: most lines)
    first = _unparsed_text(state, start)
    if first is None:
        return False
    if silent:
        return True
    texts, line = [state.src[first:state.eMarks[start]]], start + 1
    while line < end and state.sCount[line] >= state.blkIndent:
        begin = _unparsed_text(state, line)
        if begin is None:
            break
        texts.append(state.src[begin:state.eMarks[line]])
        line += 1
    state.push("kramdown_text_open", "", 1).map = [start, line]
    inline = state.push("inline", "", 0)
    inline.content, inline.map, inline.children = "\n".join(texts), [start, line], []
    state.push("kramdown_text_close", "", -1)
    state.line = line
    return True
# kramdown's LAZY_END_HTML_START/STOP: a line starting with a tag (or an autolink's
# `<https:`) of no span element.
_NOT_SPAN = "(?!(?:" + "|".join(sorted(SPAN_ELEMENTS | {"textarea"})) + r")\b)"
LAZY_END_HTML = re.compile(rf" {{0,3}}(?:<{_NOT_SPAN}[A-Za-z_][\w.:-]*"
                           rf"|</{_NOT_SPAN}[A-Za-z_][\w.:-]*\s*>)")


def paragraph(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    """markdown-it's paragraph rule (its lines up to a blank one or one that a
    terminating rule takes), in kramdown's text: a lazy line (indented less than its
    list item's text) keeps its indentation, and a no-break space at either end
    stays. Ours, where markdown-it's would do with a wrapper, for speed: the
    terminating rules are looked up by the line's first character here (the
    dispatcher's tables, kramdown.py), and the text is cut without getLines' loop
    over each line's characters (a paragraph's time halved)."""
    src, b_marks, e_marks, t_shift, s_count = \
        state.src, state.bMarks, state.eMarks, state.tShift, state.sCount
    indent = state.blkIndent
    end = state.lineMax
    old_parent, state.parentType = state.parentType, "paragraph"
    terminators = state.md.block.ruler.getRules("paragraph")
    by_char = getattr(terminators[0], "by_char", None) if len(terminators) == 1 else None
    anywhere = terminators if by_char is None else terminators[0].anywhere
    by_char = by_char or {}
    # (a line most rules refuse by its first character is a table's row at most:
    # kramdown_table's own first test, that it has a `|`, made here without its call)
    table_only = len(anywhere) == 1 and anywhere[0] is kramdown_table
    line = start + 1
    while line < end:
        begin = b_marks[line] + t_shift[line]
        if begin >= e_marks[line]:
            break
        column = s_count[line]
        if column - indent > 3 or column < 0:   # lazy text, whatever it looks like
            line += 1
            continue
        rules = by_char.get(src[begin], anywhere)
        if rules is anywhere and table_only and src.find("|", begin, e_marks[line]) < 0:
            line += 1
            continue
        for rule in rules:
            if rule(state, line, end, True):
                break
        else:
            line += 1
            continue
        break
    state.line = line
    _push_paragraph(state, start, line)
    state.parentType = old_parent
    return True


def _push_paragraph(state: StateBlock, start: int, line: int) -> None:
    level = state.level
    opening, inline, closing = (_token_at("paragraph_open", "p", 1, level),
                                _token_at("inline", "", 0, level + 1),
                                _token_at("paragraph_close", "p", -1, level))
    opening.block = inline.block = closing.block = True
    opening.map, inline.map, inline.children = [start, line], [start, line], []
    inline.content = _kramdown_text(state, start, line)
    state.tokens += (opening, inline, closing)


# The rules that try a line starting with none of the characters some block rule
# needs (the dispatcher's `anywhere`, kramdown.py), as _one_line_item knows them.
PLAIN_LINE_RULES = ("raw_text", "_kramdown_code.<locals>.rule", "_one_line_heading.<locals>.rule",
                    "kramdown_table", "_kramdown_deflist.<locals>.deflist", "paragraph")


def _one_line_plan(md: MarkdownIt) -> tuple | None:
    """What _one_line_item needs of the block rules (looked up once a list): the
    characters some rule other than PLAIN_LINE_RULES can take a line's first at,
    the paragraph's terminators by character and for any other, and the options'
    maxNesting (a property, read once a list here), and whether the list rule is the
    first terminator tried on a bullet (_next_item); None where the
    rules are not the dispatcher's, or not those it knows."""
    chain, terminators = md.block.ruler.getRules(""), md.block.ruler.getRules("paragraph")
    if len(chain) != 1 or len(terminators) != 1 or not hasattr(chain[0], "by_char") \
            or not hasattr(terminators[0], "by_char") \
            or tuple(fn.__qualname__ for fn in chain[0].anywhere) != PLAIN_LINE_RULES:
        return None
    bullets_first = all(rules and rules[0].__qualname__ == "_kramdown_list.<locals>.rule"
                        for rules in map(terminators[0].by_char.get, "*+-"))
    return (chain[0].by_char, terminators[0].by_char, terminators[0].anywhere,
            md.options.maxNesting, bullets_first)


def _one_line_item(state: StateBlock, start: int, content: int, maximum: int,
                   plan: tuple | None) -> bool:
    """A list item's text that is one line of a paragraph (`- Fix a typo ([#1](url))`,
    Jekyll's history page has three thousand), its tokens pushed as the item's block
    parse would push them, without that parse: its rules tried on the line, each of
    which but the paragraph's refuses it here. False (nothing done) for any other
    text. The list rule has set the item's indentation (blkIndent) and text (tShift,
    sCount: its indentation less than four columns past the item's, or no code).
    `plan`: _one_line_plan's."""
    src = state.src
    if plan is None or content >= maximum or src[content] in plan[0] \
            or state.level >= plan[3] \
            or src.find("|", content, maximum) >= 0 or src.find("\t", state.bMarks[start], content) >= 0:
        return False   # (`|` a table's, a tab raw text's: kramdown_table, raw_text)
    # The next line ends the paragraph (and the item: indented less than its text,
    # it is no setext underline or definition), or there is none.
    line, last = start + 1, state.lineMax
    if line < last:
        begin = state.bMarks[line] + state.tShift[line]
        if begin >= state.eMarks[line] or not 0 <= state.sCount[line] < state.blkIndent:
            return False
        if plan[4] and _next_item(state, line, begin):
            state.line = line
            _push_paragraph(state, start, line)
            return True
        state.line, old_parent, state.parentType = start, state.parentType, "paragraph"
        for rule in plan[1].get(src[begin], plan[2]):
            if rule(state, line, last, True):
                break
        else:
            state.parentType = old_parent
            return False
        state.parentType = old_parent
    state.line = line
    _push_paragraph(state, start, line)
    return True


def _next_item(state: StateBlock, line: int, begin: int) -> bool:
    """Whether `line` (its text at `begin`, indented less than the item's text) starts
    with a bullet then a blank: kramdown's list rule (_kramdown_list, then the list
    rule, run silent for the item's paragraph) ends the paragraph there, with no call
    (the next item of Jekyll's history page's every one-line item; the list loop reads
    the line next). That rule's other refusals: blanks then a tab before the bullet, and
    a line four columns or more past the list's (a paragraph's lazy line)."""
    src = state.src
    return src[begin] in "*+-" and src[begin + 1:begin + 2] in (" ", "\t") \
        and " \t" not in src[state.bMarks[line]:begin] \
        and not (state.listIndent >= 0 and state.sCount[line] - state.listIndent >= 4)


def _kramdown_text(state: StateBlock, start: int, last: int) -> str:
    """A paragraph's text as kramdown reads it (see paragraph)."""
    indent, src = state.blkIndent, state.src
    if last - start == 1 and state.tShift[start] >= indent:
        # One line (most paragraphs, every one-line list item) indented to its text,
        # all ASCII (no no-break space at either end) and no tab in its indentation:
        # the line from the indentation on, stripped, as _any_text makes it.
        begin = state.bMarks[start]
        text = src[begin + indent:state.eMarks[start]]
        if text.isascii() and (not indent or "\t" not in src[begin:begin + indent]):
            return text.strip(MD_TRIM)
    return _any_text(state, start, last)


def _any_text(state: StateBlock, start: int, last: int) -> str:
    """_kramdown_text's, for any paragraph."""
    indent, src = state.blkIndent, state.src
    first = src[state.bMarks[start] + state.tShift[start]]
    final = src[state.bMarks[last - 1]:state.eMarks[last - 1]].rstrip(RUBY_SPACE)[-1:]
    # (the list rule may have counted a lazy line as indented: its spaces tell)
    lazy = [line for line in range(start + 1, last) if not _indented(
        src[state.bMarks[line]:state.bMarks[line] + state.tShift[line]], indent)] \
        if indent and last - start > 1 else ()
    if lazy or first > "\x7f" and first.isspace() or final > "\x7f" and final.isspace():
        # (a lazy line loses the indentation of the items around its list)
        outer = (state.env.get("kramdown_list_indents") or [0])[-1]
        shifted = state.__dict__.get("kramdown_shifted_lines", ())
        return "\n".join(
            " " * (state.sCount[line] - indent) + src[state.bMarks[line] + state.tShift[
                line]:state.eMarks[line]] if line in shifted
            else state.getLines(line, line + 1, outer, False) if line in lazy
            else state.getLines(line, line + 1, indent, False)
            for line in range(start, last)).strip(RUBY_SPACE)
    if last - start > 1:
        return _lines(state, start, last, indent).strip(MD_TRIM)
    # (one line, most paragraphs: _lines' loop in line, without its list)
    begin, stop = state.bMarks[start], state.eMarks[start]
    if indent and "\t" in src[begin:begin + indent]:
        return _lines(state, start, last, indent).strip(MD_TRIM)
    skip = min(state.tShift[start], indent)
    while skip < indent and begin + skip < stop and src[begin + skip] == " ":
        skip += 1
    return src[begin + skip:stop].strip(MD_TRIM)


def _lines(state: StateBlock, start: int, stop: int, indent: int) -> str:
    """state.getLines(start, stop, indent, False): the lines, each without its first
    `indent` columns of blanks (or of a list item's marker, inside its tShift)."""
    src, b_marks, e_marks = state.src, state.bMarks, state.eMarks
    if not indent:
        return "\n".join([src[b_marks[line]:e_marks[line]] for line in range(start, stop)])
    t_shift = state.tShift
    texts = []
    for line in range(start, stop):
        begin, shift = b_marks[line], t_shift[line]
        if "\t" in src[begin:begin + indent]:   # tabs: to the tab stops, getLines' way
            texts.append(state.getLines(line, line + 1, indent, False))
            continue
        skip, stop_at = min(shift, indent), e_marks[line]
        while skip < indent and begin + skip < stop_at and src[begin + skip] == " ":
            skip += 1
        texts.append(src[begin + skip:stop_at])
    return "\n".join(texts)


def _indented(space: str, indent: int) -> bool:
    """Whether a line's leading `space` indents it to a list item's text at column
    `indent`, by kramdown's rule (list.rb's content_re: tabs or four spaces, then
    spaces; ` \t` is no indentation to it)."""
    if "\t" not in space:
        return len(space) >= indent
    tabs, spaces = divmod(indent, 4)
    return bool(re.match(rf"(?:\t| {{4}}){{{tabs}}} {{{spaces}}}|(?:\t| {{4}}){{{tabs + 1}}}", space))


def newline(state: StateInline, silent: bool) -> bool:
    """A line break inside a paragraph as kramdown keeps it: the spaces before it
    (but the two that make it a <br />) and the next line's indentation stay, where
    CommonMark drops them."""
    if state.src[state.pos] != "\n":
        return False
    if not silent:
        pending = state.pending   # (a property: the pieces joined at each read)
        if pending.endswith("  "):
            state.pending = pending[:-2]
            state.push("hardbreak", "br", 0)
        else:
            if pending[-1:] in (" ", "\t") and LAZY_END_HTML.match(state.src, state.pos + 1):
                # kramdown ends the paragraph's text before such a line, stripped, and
                # joins the line to it again
                state.pending = pending.rstrip(" \t")
            state.push("softbreak", "br", 0)
    state.pos += 1
    return True


# -- the token stream: which paragraphs show, where blank lines go -----------------------

LISTS = frozenset(("bullet_list_open", "ordered_list_open"))
ITEMS = frozenset(("list_item_open", "dd_open"))
EMPTY_NOTE = re.compile(r"^ {0,3}\[\^[^\]]+\]:[ \t]*$")
# Blocks holding text only: no container to follow inside them.
TEXT_OPEN = frozenset(("paragraph_open", "heading_open", "th_open", "td_open", "dt_open",
                       "kramdown_text_open"))
TEXT_CLOSE = frozenset(("paragraph_close", "heading_close", "th_close", "td_close", "dt_close",
                        "kramdown_text_close"))


def layout(state: StateCore) -> None:
    lines = state.src.split("\n")
    if state.src.endswith("\n"):
        lines.pop()
    # (a no-break space is text; map: no Python loop over the lines)
    blank = list(map(not_, map(str.strip, lines, repeat(RUBY_SPACE))))
    state.tokens = _with_blanks(state.tokens, lines, blank)


class _Frame:
    """An open container while blank lines are placed: its first and last lines,
    where its latest child ends, which lines count as blank in it (in a blockquote,
    those of its markers only too), its children."""
    __slots__ = ("token", "start", "end", "latest", "lines", "kids", "closed_tag")

    def __init__(self, token: Token | None, lines: list[bool], end: int | None) -> None:
        self.token, self.lines, self.end, self.latest, self.kids = token, lines, end, None, []
        self.closed_tag = False   # the latest child is an element closed in its tag
        self.start = 0 if token is None else token.map[0] if token.map else None

    def gap(self, line: int) -> bool:
        """Whether blank lines come before `line`: after the latest child (whose
        lines may end in blank ones: a list's do), or after the start."""
        if self.closed_tag:   # kramdown leaves the line's end after it: a blank line
            self.closed_tag = False
            return True
        if self.latest is not None:   # (its own last line too: a list's may be blank)
            return any(self.lines[min(self.latest, line) - 1:line])
        return self.start is not None and any(self.lines[self.start:line])


# One for every blank line: nothing changes it, and the renderer needs none of its own.
BLANK = Token("kramdown_blank", "", 0, block=True)
# Tokens that neither open a container nor take a blank line before them.
PASS = SPANS | TEXT_CLOSE


def _with_blanks(tokens: list[Token], source: list[str], blank: list[bool]) -> list[Token]:
    """The tokens with a kramdown_blank token wherever kramdown has a :blank element;
    lists' and definitions' paragraphs shown or not as kramdown does. An element
    with `markdown="1"` is a container too: html_block tokens open and close it
    (meta kramdown_wrapper 1 and -1)."""
    out: list[Token] = []
    append = out.append
    root = frame = _Frame(None, blank, len(blank))
    quoted = None   # blank inside a blockquote: nothing but its markers (made when needed)
    frames = [root]
    passing, no_blank, text_open = PASS, NO_BLANK, TEXT_OPEN   # (locals: a hot loop)
    for token in tokens:
        kind = token.type
        if kind in passing:
            append(token)
            continue
        wrapper = token.meta.get("kramdown_wrapper", 0) if kind == "html_block" else 0
        if token.nesting == -1 or wrapper == -1:
            closed = frames.pop()
            frame = frames[-1]
            end = token.map[0] if wrapper else closed.end
            opener = closed.token.type
            if (opener == "blockquote_open" or wrapper) and closed.gap(end):
                append(BLANK)
            elif opener in LISTS:
                _list_paragraphs(closed)
            elif opener == "dl_open":
                _definition_paragraphs(closed)
            elif opener in ITEMS:
                frame.kids[-1] = closed   # its list decides on its paragraphs
            append(token)
            if wrapper:
                frame.latest = token.map[1]
            elif closed.end is not None:
                frame.latest = closed.end
            continue
        mapped = token.map
        if mapped:
            line, latest = mapped[0], frame.latest
            if kind in no_blank:
                pass
            elif latest is not None and latest >= line and not frame.closed_tag:   # the usual
                if latest == line and frame.lines[line - 1]:   # (latest > line: the block
                    append(BLANK)           # starts on the line where the latest ended)
            elif frame.gap(line) or latest is None and frame.token is not None and \
                    frame.token.type == "footnote_open" and EMPTY_NOTE.match(source[line - 1]):
                append(BLANK)   # (a note's text may start on the line after `[^1]:`)
        elif kind == "footnote_block_open" and root.end is not None:
            if root.gap(root.end):
                append(BLANK)
            root.end = None
        append(token)
        frame.kids.append(token)
        if (token.nesting == 1 and kind not in text_open) or wrapper:
            inner = frame.lines
            if kind == "blockquote_open":
                quoted = quoted or [not line.strip(" \t>") for line in source]
                inner = quoted
            frame = _Frame(token, inner, None if wrapper or not mapped else mapped[1])
            if kind == "dd_open":
                frame.start = None   # (its lines start at its term's)
            frames.append(frame)
        elif mapped:
            frame.latest = mapped[1]
            if kind == "html_block":
                frame.closed_tag = _leaves_line_end(source, mapped)
                if "kramdown_to_end" in token.meta and frame is root:
                    root.end = None   # its text took the blank lines at the end
    if root.end is not None and root.gap(root.end):
        append(BLANK)
    return out


SCRIPT_END = re.compile(r"</(script|style)\s*>\s*$", re.I)


def _leaves_line_end(source: list[str], lines: list[int]) -> bool:
    """Whether kramdown's parser leaves the end of the HTML block's last line, which
    makes a blank line: after an element closed in its own tag (`<hr>`, `<div />`)
    alone on its line, and after a script or style."""
    last = source[lines[1] - 1]
    if SCRIPT_END.search(last):
        return True
    found = lines[1] - lines[0] == 1 and OPEN_TAG.fullmatch(last.strip())
    return bool(found) and (found[3] == "/" or found[1].lower() in VOID_ELEMENTS)


def _list_paragraphs(frame: _Frame) -> None:
    """kramdown's rule (parser/kramdown/list.rb): an item's first paragraph goes
    without <p> when no blank line follows it (for the last item, unless it is the
    item's only block) and, for the last item of several, when an earlier item went
    without, or did not start with a paragraph."""
    items = frame.kids
    earlier_bare = False
    for n, item in enumerate(items):
        children = item.kids
        first = children[0] if children else None
        if first is None or first.type != "paragraph_open" or not first.map:
            earlier_bare = True
            for child in children:   # only a first paragraph goes without <p>
                child.hidden = False
            continue
        last = n == len(items) - 1
        following = children[1].map[0] if len(children) > 1 and children[1].map \
            else (item.end if item.end is not None else first.map[1])
        bare = (not any(frame.lines[first.map[1]:following]) or (last and len(children) == 1)) \
            and (not last or len(items) == 1 or earlier_bare)
        earlier_bare = earlier_bare or bare
        for k, child in enumerate(children):
            child.hidden = bare and k == 0   # its paragraph_close follows (render)


def _definition_paragraphs(frame: _Frame) -> None:
    """A definition's first paragraph goes without <p> unless a blank line is right
    before the definition."""
    for item in frame.kids:
        children = item.kids if isinstance(item, _Frame) else ()
        for k, child in enumerate(children):
            start = child.map[0] if child.map else 0
            child.hidden = k == 0 and not (start and frame.lines[start - 1])


# -- rendering: indentation -------------------------------------------------------------

PLAIN_RENDER_TOKENS = frozenset((RendererHTML.renderToken,))   # (and ours: install)
# Tokens whose HTML needs more than the plain rule below.
SPECIAL = frozenset(("html_block", "footnote_block_open", "footnote_block_close",
                     "footnote_anchor", "fence", "code_block", "kramdown_blank"))


def render(self, tokens, options, env) -> str:  # noqa: ANN001 (markdown-it's signature)
    """markdown-it's render loop, with each block on a line of its own, indented two
    spaces a level (a footnote's blocks sit in <div><ol>: two levels more)."""
    out: list[str] = []
    append, rules, render_token = out.append, self.rules, self.renderToken
    # (a block's tag without attributes written here, as renderToken writes it, where
    # renderToken is markdown-it's or ours: two calls less for most block tokens)
    plain = getattr(render_token, "__func__", None) in PLAIN_RENDER_TOKENS
    last = len(tokens) - 1
    at_start = True   # the output so far ends a line
    extra = 0         # levels markdown-it does not count: footnotes, markdown="1"
    bare = False      # the paragraph open goes without <p>
    for i, token in enumerate(tokens):
        kind = token.type
        if kind == "inline":
            if token.children:
                html = self.renderInline(token.children, options, env)
                if html:
                    append(html)
                    at_start = html[-1] == "\n"
            continue
        if kind == "paragraph_open":
            bare = token.hidden
        elif kind == "paragraph_close":
            token.hidden = bare
        rule = rules.get(kind)
        if rule is not None:
            html = rule(tokens, i, options, env)
        elif token.hidden and plain and kind not in SPECIAL:
            continue   # (renderToken writes nothing for it: a bare paragraph's tags)
        elif not plain or token.attrs or not token.block or not token.nesting or token.hidden:
            html = render_token(tokens, i, options, env)
        elif token.nesting == -1:
            html = "</" + token.tag + ">\n"
        else:
            html = ("\n<" if i and tokens[i - 1].hidden else "<") + token.tag
            following = tokens[i + 1] if i < last else None
            html += ">" if following is not None and (
                following.type == "inline" or following.hidden
                or following.nesting == -1 and following.tag == token.tag) else ">\n"
        if kind in SPECIAL:
            html, extra = _special(token, html, extra, at_start)
        elif not html:
            continue
        elif token.nesting == -1:
            if at_start and token.level + extra:
                html = INDENT[token.level + extra] + html
        elif at_start:
            if html[0] == "\n":
                html = html[1:]
            if token.level + extra:
                html = INDENT[token.level + extra] + html
        else:   # after a bare paragraph's text (markdown-it may have begun the line)
            html = "\n" + INDENT[token.level + extra] + (html[1:] if html[0] == "\n" else html)
        if html:
            append(html)
            at_start = html[-1] == "\n"
    return "".join(out)


def _special(token: Token, html: str, extra: int, at_start: bool) -> tuple[str, int]:
    """The HTML of a token SPECIAL names, placed; and the levels to add from here."""
    kind = token.type
    level = token.level + extra
    if kind == "kramdown_blank":
        return ("\n" if at_start else "\n\n"), extra
    if kind == "footnote_block_open":
        return html, extra + 2
    if kind == "footnote_block_close":
        return html, extra - 2
    if kind == "footnote_anchor":
        if not html.startswith("<p>"):
            return html, extra
        level += 1   # a paragraph of its own, in the note's <li>
    wrapper = 0
    if kind == "html_block":
        wrapper = token.meta.get("kramdown_wrapper", 0)
        html = html.lstrip(" \t")   # kramdown's HTML parser drops the indentation
        if html and html[-1] != "\n":   # the text's last line: kramdown ends it all the same
            html += "\n"
    if wrapper == -1:
        extra -= 1
        level -= 1
    if level and html.endswith(ROUGE_END) and html.startswith("<div"):
        html = html[:-7] + INDENT[level] + "</div>\n"   # kramdown indents rouge's last </div>
    if token.tag == "kramdown_toc" or html.startswith("\\[") or token.meta.get("kramdown_raw"):
        level = 0   # kramdown writes the table of contents, maths and raw text unindented
    if html:
        html = ("" if at_start else "\n") + INDENT[level] + html
    return html, extra + max(wrapper, 0)
