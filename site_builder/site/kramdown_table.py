"""Tables as kramdown reads them (parser/kramdown/table.rb), where GFM's are stricter:
after a blank line, every line with a `|` outside code spans is a table row, up to a
blank line; rows may have any number of cells (short ones are filled), a line of
dashes (`|:--|--:|`) under the first rows makes them the header and sets the
alignment, a later one starts another body, a line of `=` starts the footer. A
`|` inside a code span, or written `\\|`, is no cell boundary. A table needs a body
row and must end at a blank line; otherwise the lines are a paragraph."""

from __future__ import annotations

import re

from markdown_it.rules_block import StateBlock

from site_builder.site.kramdown_html import NAME, WITHOUT_BODY

SEPARATOR = re.compile(r"^([+|: \t-]*?-[+|: \t-]*?)[ \t]*$")
FOOTER = re.compile(r"^[+|: \t=]*?=[+|: \t=]*?[ \t]*$")
ALIGN = re.compile(r"[ \t]?(:?)-+(:?)[ \t]?")
# A code span (as many backticks to close as opened) or a <code> element: no cell
# boundary inside.
PROTECTED = re.compile(r"(`+)(?:.*?[^`])?\1(?!`)|<code.*?>.*?</code>")
PIPE = re.compile(r"(?<!\\)\|")
# An HTML element, to its end tag or the line's end: kramdown reads it whole
# (span_html), so a `|` in it does not make the line a table row (its cells are still
# split there). Elements without a body (<br>, <img ...>, <x/>) hold nothing. Its tag
# as kramdown's HTML_TAG_RE reads one: `<c:if [scope="{page|request}"]>` (a JSP
# tag in a Korean tutorial) is text, and its `|` a cell boundary.
SPAN_ELEMENT = re.compile(
    r"<(?!(?:%s)\b)(%s)(?:\s+%s(?:\s*=\s*(?:\w+|\"[^\"]*\"|'[^']*'))?)*\s*(?<!/)>.*?(?:</\1\s*>|$)"
    % ("|".join(sorted(WITHOUT_BODY)), NAME, NAME), re.I)
IAL_LINE = re.compile(r"^\{:(?![:/])[^}]*\}\s*$")
NBSP = "\u00a0"   # an empty cell, as kramdown writes it
RUBY_SPACE = " \t\n\v\f\r\0"   # what Ruby's strip takes
STYLES = {"left": "text-align: left", "right": "text-align: right",
          "center": "text-align: center"}


def kramdown_table(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    # (a first row needs a `|`: most lines have none, and are tried on every line of
    # a paragraph, whose end a table may be)
    if state.src.find("|", state.bMarks[start] + state.tShift[start], state.eMarks[start]) < 0 \
            or state.sCount[start] - state.blkIndent >= 4 or not _after_boundary(state, start):
        return False
    lines = []
    line = start
    while line < end and state.sCount[line] >= state.blkIndent:
        text = state.src[state.bMarks[line] + state.tShift[line]:state.eMarks[line]]
        if not _has_pipe(text):
            break
        lines.append(text)
        line += 1
    if not lines or not _before_boundary(state, line, end):
        return False
    if "`" in state.src[state.bMarks[start]:state.eMarks[line - 1]] and not _rows_survive_code(
            "\n".join(lines)):
        return False
    sections = _sections(lines)
    if sections is None:
        return False
    if not silent:
        _push(state, sections, start, line)
    state.line = line
    return True


PIPE_CHECK = re.compile(r"(?:\||.*?[^\\\n]\|)")   # kramdown's TABLE_PIPE_CHECK
BACKTICKS = re.compile(r"`+")


def _rows_survive_code(text: str) -> bool:
    """kramdown's last check of a table (table.rb): its lines read for code spans, a
    code span over more than two lines, or over two without a `|` before it on its
    line, means no table. (houbb.github.io: cells of `{{x}}`, empty after Liquid, make
    `` `` pairs that run from row to row: Jekyll shows the table as a paragraph.)"""
    pieces: list[tuple[bool, str]] = []   # (a code span?, its text); texts joined
    pos = last = 0
    while (run := BACKTICKS.search(text, pos)) is not None:
        mark, after = run[0], run.end()
        if len(mark) == 1 and run.start() and text[run.start() - 1] in " \t\n" \
                and after < len(text) and text[after] in " \t\n":
            pos = after   # a lone backtick between blanks: text
            continue
        close = text.find(mark, after)
        if close < 0:
            pos = after   # never closed: text
            continue
        pieces.append((False, text[last:run.start()]))
        pieces.append((True, text[after:close]))
        pos = last = close + len(mark)
    pieces.append((False, text[last:]))
    pipe_on_line = False
    for code, value in pieces:
        lines = value.split("\n")
        while lines and not lines[-1]:
            lines.pop()   # (Ruby's split drops trailing empty strings)
        if code:
            if len(lines) > 2 or (len(lines) == 2 and not pipe_on_line):
                break
            if len(lines) == 2:
                pipe_on_line = False
        else:
            if len(lines) > 1 and not pipe_on_line and not PIPE_CHECK.match(lines[0]):
                break
            pipe_on_line = (False if len(lines) > 1 else pipe_on_line) or bool(
                lines and PIPE_CHECK.match(lines[-1]))
    return pipe_on_line


def _after_boundary(state: StateBlock, start: int) -> bool:
    """At the start of its container, after a blank line, or after an attribute list
    for it (`{: .items}` on the line before); never mid-line, after an HTML element
    (`<!-- c -->| a |`: kramdown's last block is the element)."""
    if state.env.get("kramdown_midline") == state.bMarks[start]:
        return False
    if start == 0 or state.isEmpty(start - 1):
        return True
    before = state.src[state.bMarks[start - 1] + state.tShift[start - 1]:state.eMarks[start - 1]]
    if IAL_LINE.match(before):
        return True
    last = state.tokens[-1] if state.tokens else None
    return bool(last and last.nesting == 1 and last.map and last.map[0] == start)


def _before_boundary(state: StateBlock, line: int, end: int) -> bool:
    """A table ends at a blank line, an attribute list, or its container's end (a
    list item's first nested list starts a part of the item that kramdown reads
    apart: `- a | b` / `  - c` is a table, then the list)."""
    return (line >= end or state.isEmpty(line) or state.sCount[line] < state.blkIndent
            or state.src.startswith("{:", state.bMarks[line] + state.tShift[line])
            or line in chunk_starts(state))


def chunk_starts(state: StateBlock) -> dict[int, int]:
    """The lines where kramdown's list parser starts a new part of an item's text
    (list.rb's `item.value << ''`), each parsed as a document of its own: line ->
    the column of the item's text."""
    return state.__dict__.setdefault("kramdown_chunk_starts", {})


def _has_pipe(text: str) -> bool:
    """A `|` outside code spans and HTML elements, not escaped."""
    return "|" in text and PIPE.search(SPAN_ELEMENT.sub("", PROTECTED.sub("", text))) is not None


def _sections(lines: list[str]) -> tuple[list[str], list[tuple[str, list[list[str]]]]] | None:
    """(alignment, [(thead|tbody|tfoot, rows)]), or None when there is no body."""
    leading_pipe = lines[0].lstrip().startswith("|")
    sections: list[tuple[str, list[list[str]]]] = []
    rows: list[list[str]] = []
    alignment: list[str] | None = None
    footer = False
    for text in lines[1:] if SEPARATOR.match(lines[0]) else lines:
        separator = SEPARATOR.match(text)
        if separator:
            if rows and alignment is None and not footer:
                sections.append(("thead", rows))
                alignment = [_alignment(left, right) for left, right in ALIGN.findall(separator[1])]
                rows = []
            elif rows and not footer:
                sections.append(("tbody", rows))
                rows = []
        elif FOOTER.match(text):
            if rows:
                sections.append(("tbody", rows))
                rows = []
            footer = True
        else:
            rows.append(_cells(text, leading_pipe))
    if rows:
        sections.append(("tfoot" if footer else "tbody", rows))
    if not any(kind == "tbody" for kind, _ in sections):
        return None
    columns = max(len(row) for _, body in sections for row in body)
    alignment = (alignment or [])[:columns]
    return alignment + ["default"] * (columns - len(alignment)), sections


def _alignment(left: str, right: str) -> str:
    if not left and not right:
        return "default"
    return "left" if not right else "right" if not left else "center"


def _cells(text: str, leading_pipe: bool) -> list[str]:
    cells = [""]
    last = 0
    for found in PROTECTED.finditer(text):
        _split(text[last:found.start()], cells)
        cells[-1] += found[0]
        last = found.end()
    _split(text[last:], cells)
    if leading_pipe and len(cells) > 1 and not cells[0].strip(RUBY_SPACE):
        cells.pop(0)
    if cells and not cells[-1].strip(RUBY_SPACE):
        cells.pop()
    return [cell.strip(RUBY_SPACE) for cell in cells]   # (an ideographic space stays)


def _split(text: str, cells: list[str]) -> None:
    first, *rest = [part.replace("\\|", "|") for part in PIPE.split(text)]
    cells[-1] += first
    cells.extend(rest)


def _push(state: StateBlock, table: tuple, start: int, stop: int) -> None:
    alignment, sections = table
    token = state.push("table_open", "table", 1)
    token.map = [start, stop]
    for kind, rows in sections:
        state.push(f"{kind}_open", kind, 1)
        cell = "th" if kind == "thead" else "td"
        for row in rows:
            state.push("tr_open", "tr", 1)
            for k, align in enumerate(alignment):
                token = state.push(f"{cell}_open", cell, 1)
                if align != "default":
                    token.attrs = {"style": STYLES[align]}
                token = state.push("inline", "", 0)
                token.content = (row[k] if k < len(row) else "") or NBSP
                token.map = [start, stop]
                token.children = []
                state.push(f"{cell}_close", cell, -1)
            state.push("tr_close", "tr", -1)
        state.push(f"{kind}_close", kind, -1)
    state.push("table_close", "table", -1)
