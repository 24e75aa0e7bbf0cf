"""Where kramdown's paragraph ends (its GFM parser's PARAGRAPH_END), where CommonMark
ends it otherwise:

- a `***`, `---` or `___` line does not end it: the paragraph goes on through it
  (so does a quote's or a list item's lazy line), where CommonMark draws a rule;
- a `---` or `===` underline makes a heading of one line only, written at the margin
  (kramdown's SETEXT_HEADER_START), after a block boundary: under two lines, or under
  a line right after a rule, a code or an HTML block, it is the paragraph's text;
- a footnote's definition is its first line and then only lines indented by four
  (after blank lines or not), each with the lazy lines after it (kramdown's
  FOOTNOTE_DEFINITION_START): a link definition on the next line is not its text.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock

from site_builder.site.kramdown_blocks import LAZY_END_HTML

UNDERLINE = re.compile(r"[-=]+[ \t]*$")


def install(md: MarkdownIt) -> None:
    hr = next(rule for rule in md.block.ruler.__rules__ if rule.name == "hr")
    hr.alt = [chain for chain in hr.alt if chain not in ("paragraph", "blockquote")]
    lheading = next(rule for rule in md.block.ruler.__rules__ if rule.name == "lheading")
    md.block.ruler.at("lheading", _one_line_heading(lheading.fn), {"alt": lheading.alt})
    footnote = next(rule for rule in md.block.ruler.__rules__ if rule.name == "footnote_def")
    md.block.ruler.at("footnote_def", _footnote_lines(footnote.fn), {"alt": footnote.alt})


def _footnote_lines(original):  # noqa: ANN001, ANN202 (markdown-it's rule function)
    def rule(state: StateBlock, start: int, end: int, silent: bool) -> bool:
        last = _footnote_end(state, start, end)
        old_max = state.lineMax
        state.lineMax = min(old_max, last)
        try:
            return original(state, start, last, silent)
        finally:
            state.lineMax = old_max
    return rule


def _footnote_end(state: StateBlock, start: int, end: int) -> int:
    """The line after a footnote definition's text: kramdown's CODEBLOCK_MATCH after
    its first line (blank lines, lines indented by four, then lazy lines)."""
    last = start + 1
    while last < end:
        line = last
        while line < end and state.isEmpty(line):
            line += 1
        if line >= end or state.sCount[line] - state.blkIndent < 4:
            return last
        while line < end and not state.isEmpty(line) \
                and state.sCount[line] - state.blkIndent >= 4:
            line += 1
        while line < end and not state.isEmpty(line) and not _lazy_end(state, line):
            line += 1
        last = line
    return last


def _lazy_end(state: StateBlock, line: int) -> bool:
    begin, stop = state.bMarks[line] + state.tShift[line], state.eMarks[line]
    return state.src.startswith("{:", begin) or state.src[begin:stop].rstrip() == "^" \
        or LAZY_END_HTML.match(state.src, begin, stop) is not None


def _one_line_heading(original):  # noqa: ANN001, ANN202 (markdown-it's rule function)
    def rule(state: StateBlock, start: int, end: int, silent: bool) -> bool:
        underline = start + 1
        if underline >= end or state.sCount[underline] != state.blkIndent or not UNDERLINE.match(
                state.src, state.bMarks[underline] + state.tShift[underline],
                state.eMarks[underline]):
            return False
        if not _after_block_boundary(state, start):
            return False
        if not original(state, start, end, silent):
            return False
        if not silent:   # kramdown's text: Ruby's strip, a no-break space at an end stays
            text = state.getLines(start, start + 1, state.blkIndent, False).strip(
                " \t\n\v\f\r")
            if text[:1].isspace() or text[-1:].isspace():
                state.tokens[-2].content = text
        return True
    return rule


def _after_block_boundary(state: StateBlock, start: int) -> bool:
    """kramdown's after_block_boundary?: a heading's text follows a blank line, or
    starts its container; right under a rule, a code block or an HTML block it is a
    paragraph's first line (its underline the paragraph's text)."""
    return (start == 0 or state.isEmpty(start - 1) or not state.tokens
            or state.tokens[-1].nesting == 1 or _ial_line(state, start - 1)
            or state.tokens[-1].meta.get("kramdown_wrapper") == 1)   # <div markdown="1">


def _ial_line(state: StateBlock, line: int) -> bool:
    return state.src.startswith("{:", state.bMarks[line] + state.tShift[line])
