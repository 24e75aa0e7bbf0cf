"""kramdown's blockquote (parser/kramdown/blockquote.rb): every line from the `>` on
to kramdown's LAZY_END (a blank line, an attribute list `{:`, the end-of-block
marker `^`, or a line starting with a block element's tag), with `> ?` taken off
the lines that have it, is read as a text of its own. A line without the marker is
the quote's text as it stands: after an empty `>` line, `    code` is a code block
in the quote, and a heading or a list goes on the quote. CommonMark ends the quote
at such a line (it takes a line without `>` only as a paragraph's lazy line).

Inside a list item, a line indented less than the item's content keeps markdown-it's
reading (the list rule decides whose it is)."""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock

from site_builder.site.kramdown_blocks import LAZY_END_HTML

# kramdown's end-of-block marker (EOB_MARKER), one of LAZY_END's lines.
END_OF_BLOCK = re.compile(r"\^[ \t]*$")


def install(md: MarkdownIt) -> None:
    rule = next(r for r in md.block.ruler.__rules__ if r.name == "blockquote")
    md.block.ruler.at("blockquote", blockquote, {"alt": rule.alt})


def _marked(state: StateBlock, line: int) -> bool:
    return state.src[state.bMarks[line] + state.tShift[line]:][:1] == ">" \
        and state.sCount[line] - state.blkIndent < 4


def blockquote(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    if not _marked(state, start) or state.sCount[start] < state.blkIndent:
        return False
    if silent:
        return True
    terminators = state.md.block.ruler.getRules("blockquote")
    saved = []
    line, last_empty = start, False
    while line < end:
        marked = _marked(state, line)
        if line > start and not marked:
            begin, stop = state.bMarks[line] + state.tShift[line], state.eMarks[line]
            if begin >= stop:
                break    # a blank line
            if state.sCount[line] < state.blkIndent:
                # outdented in a list item: markdown-it's reading (a paragraph's lazy
                # line, or the quote's end)
                if last_empty or any(rule(state, line, end, True) for rule in terminators):
                    break
                saved.append(_save(state, line))
                state.sCount[line] = -1
                line += 1
                continue
            indent = state.sCount[line] - state.blkIndent
            if indent < 4 and (state.src.startswith("{:", begin)
                               or LAZY_END_HTML.match(state.src, begin, stop)) \
                    or indent == 0 and END_OF_BLOCK.match(state.src, begin, stop):
                break
        saved.append(_save(state, line))
        if marked:
            last_empty = _strip_marker(state, line)
        else:
            _outdent(state, line, state.blkIndent)
            last_empty = False
        line += 1
    old_indent, old_parent, old_max = state.blkIndent, state.parentType, state.lineMax
    state.blkIndent, state.parentType, state.lineMax = 0, "blockquote", line
    opening = state.push("blockquote_open", "blockquote", 1)
    opening.markup, opening.map = ">", [start, line]
    state.md.block.tokenize(state, start, line)
    closing = state.push("blockquote_close", "blockquote", -1)
    closing.markup = ">"
    opening.map[1] = state.line
    state.blkIndent, state.parentType, state.lineMax = old_indent, old_parent, old_max
    for number, values in saved:
        (state.bMarks[number], state.tShift[number], state.sCount[number],
         state.bsCount[number]) = values
    return True


def _save(state: StateBlock, line: int) -> tuple[int, tuple[int, int, int, int]]:
    return line, (state.bMarks[line], state.tShift[line], state.sCount[line],
                  state.bsCount[line])


def _outdent(state: StateBlock, line: int, columns: int) -> None:
    """A line without the marker, in a list item: its text starts after the item's
    indentation (the quote's own text is at column 0). A line the list took lazily
    stands as written in the quote, its own blanks and no more (a `---` under
    `  > text` underlines it)."""
    written = state.__dict__.get("kramdown_lazy", {}).get(line)
    if written is not None:
        state.sCount[line] = written
        return
    skip = 0
    while skip < columns and skip < state.tShift[line] \
            and state.src[state.bMarks[line] + skip] == " ":
        skip += 1
    state.bMarks[line] += skip
    state.tShift[line] -= skip
    state.sCount[line] -= skip


def _strip_marker(state: StateBlock, line: int) -> bool:
    """Take `>` and one optional space off the line, as markdown-it's blockquote does
    (a tab after `>` counts to the next tab stop); whether the rest is empty."""
    pos = state.bMarks[line] + state.tShift[line] + 1
    stop = state.eMarks[line]
    initial = offset = state.sCount[line] + 1
    adjust_tab, space_after = False, False
    char = state.src[pos:pos + 1]
    if char == " ":
        pos, initial, offset, space_after = pos + 1, initial + 1, offset + 1, True
    elif char == "\t":
        space_after = True
        if (state.bsCount[line] + offset) % 4 == 3:
            pos, initial, offset = pos + 1, initial + 1, offset + 1
        else:
            adjust_tab = True
    state.bMarks[line] = pos
    while pos < stop and state.src[pos] in " \t":
        if state.src[pos] == "\t":
            offset += 4 - (offset + state.bsCount[line] + (1 if adjust_tab else 0)) % 4
        else:
            offset += 1
        pos += 1
    state.bsCount[line] = state.sCount[line] + 1 + (1 if space_after else 0)
    state.sCount[line] = offset - initial
    state.tShift[line] = pos - state.bMarks[line]
    return pos >= stop
