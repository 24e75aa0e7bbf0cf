"""Where kramdown's paragraph ends (its GFM parser's PARAGRAPH_END), where CommonMark
ends it otherwise:

- a `***`, `---` or `___` line does not end it: the paragraph goes on through it
  (so does a quote's or a list item's lazy line), where CommonMark draws a rule;
- a `---` or `===` underline makes a heading of one line only, written at the margin
  (kramdown's SETEXT_HEADER_START); under two lines it is the paragraph's text.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock

UNDERLINE = re.compile(r"[-=]+[ \t]*$")


def install(md: MarkdownIt) -> None:
    hr = next(rule for rule in md.block.ruler.__rules__ if rule.name == "hr")
    hr.alt = [chain for chain in hr.alt if chain not in ("paragraph", "blockquote")]
    lheading = next(rule for rule in md.block.ruler.__rules__ if rule.name == "lheading")
    md.block.ruler.at("lheading", _one_line_heading(lheading.fn), {"alt": lheading.alt})


def _one_line_heading(original):  # noqa: ANN001, ANN202 (markdown-it's rule function)
    def rule(state: StateBlock, start: int, end: int, silent: bool) -> bool:
        underline = start + 1
        if underline >= end or state.sCount[underline] != state.blkIndent or not UNDERLINE.match(
                state.src, state.bMarks[underline] + state.tShift[underline],
                state.eMarks[underline]):
            return False
        return original(state, start, end, silent)
    return rule
