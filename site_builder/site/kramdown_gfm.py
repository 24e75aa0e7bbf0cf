"""kramdown's (GFM parser's) shapes that CommonMark lacks or writes otherwise, as
markdown-it rules: `~~x~~` as <del>; task lists; definition lists; any list may
interrupt a paragraph, but `1)` starts none; code spans by kramdown's rules (a lone
backtick between spaces is text, newlines stay, a closing run ends at the first
run of the same backticks); `$$math$$` as \\(math\\) and a `$$`
block as \\[math\\]; `* TOC` + `{:toc}` as the table of contents. Each has a post in
the cross-check corpus (tests/jekyll_corpus.py) that Jekyll builds the same."""

from __future__ import annotations

import html
import bisect
import functools
import re

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.rules_block import list as list_rules
from markdown_it.rules_block.heading import heading as markdown_it_heading
from markdown_it.rules_block.fence import make_fence_rule
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from mdit_py_plugins.deflist import deflist_plugin

from site_builder.site import kramdown_blocks, kramdown_emphasis
from site_builder.site.kramdown_links import with_entities_read
from site_builder.site.kramdown_table import chunk_starts

TASK = re.compile(r"^\[([ xX])\] ")
TASK_ANYWHERE = re.compile(r"\[[ xX]\] ")   # (an item's text is a piece of the source)
TOC_IAL = re.compile(r"^\{:[ \t]*toc[ \t]*\}$")  # under any item: kramdown replaces the list
TOC_ANYWHERE = re.compile(TOC_IAL.pattern[1:-1])
FENCE_OPENING = re.compile(r"^(`{3,}|~{3,})")
FENCE_CLOSING = re.compile(r"^(`{3,}|~{3,})[ \t]*$")
EMPTY_HEADING = re.compile(r"^#{1,6}[ \t]*$")
ORDERED_PAREN = re.compile(r"\s*\d{1,9}\)")
BULLETS = frozenset("*+-")
EMPTY_MARKER = re.compile(r"[*+-]|\d{1,9}\.")
BULLET_ITEM = re.compile(r"[*+-][ \t]")
ORDERED_ITEM = re.compile(r"\d{1,9}\.[ \t]")
WHITESPACE = " \t\n\r\f\v"   # Ruby's \s
IAL_LINE = re.compile(r"^\s*\{:(?![:/])\s*[^}]*\}\s*$")
LIST_ITEM_IAL = re.compile(r"^\s*\{:(?!(?:\w[\w-]*)?:|/)((?:\\\}|[^}])+)\}\s*")
# Lines that end kramdown's code block: an attribute list, `^`, or a block tag.
NOT_LAZY_CODE = re.compile(r"\{:|\^\s*$|</?(?!(?:a|abbr|acronym|b|big|bdo|br|button|cite|code|del|"
                           r"dfn|em|i|img|input|ins|kbd|label|mark|option|q|rb|rbc|rp|rt|rtc|ruby|"
                           r"samp|select|small|span|strike|strong|sub|sup|tt|u|var|script)\b)"
                           r"[A-Za-z_:]")
LIST_MARKER = re.compile(r"^([*+-]|\d{1,9}\.)([ \t]+|$)")
CODE_INDENT = re.compile(r"^(?:\t| {4})")   # what kramdown strips from indented code
ATX_START = re.compile(r"#{1,6}[\t ]+")
ATX_CLOSING = re.compile(r"[\t ]#+\Z")
LIST_START = re.compile(r"(?:[*+-]|\d+\.)[ \t]")   # kramdown's, after its OPT_SPACE
HR_LINE = re.compile(r"^(?:(?:\*[ \t]*){3,}|(?:-[ \t]*){3,}|(?:_[ \t]*){3,})$")
# Lines kramdown never takes lazily: an attribute list, or a block element's tag.
NOT_LAZY = re.compile(r"\{:|</?(?!(?:a|abbr|acronym|b|big|bdo|br|button|cite|code|del|dfn|em|i|img|"
                      r"input|ins|kbd|label|mark|option|q|rb|rbc|rp|rt|rtc|ruby|samp|select|"
                      r"small|span|strike|strong|sub|sup|tt|u|var|script)\b)[A-Za-z_:]")


def install(md: MarkdownIt) -> None:
    md.use(deflist_plugin)
    deflist = next(r for r in md.block.ruler.__rules__ if r.name == "deflist")
    md.block.ruler.at("deflist", _kramdown_deflist(deflist.fn), {"alt": deflist.alt})
    md.core.ruler.push("kramdown_deflist_join", join_definition_lists)
    md.core.ruler.after("normalize", "kramdown_empty_definitions", empty_definitions)
    md.core.ruler.after("block", "kramdown_empty_definitions_out", _empty_definitions_out)
    kramdown_emphasis.install(md)
    list_rule = next(r for r in md.block.ruler.__rules__ if r.name == "list")
    rule = list_rule.fn
    if rule is list_rules.list_block and not md.options.get("tasklists", False):
        rule = kramdown_blocks.list_block   # (the same tokens, faster)
    md.block.ruler.at("list", _kramdown_list(rule), {"alt": list_rule.alt})
    fence = next(r for r in md.block.ruler.__rules__ if r.name == "fence")
    # kramdown's fence takes any one word as its info, backticks too (```` ```a```b ````)
    md.block.ruler.at("fence", _kramdown_fence(make_fence_rule(disallow_marker_in_info=())),
                      {"alt": fence.alt})
    code = next(r for r in md.block.ruler.__rules__ if r.name == "code")
    md.block.ruler.at("code", _kramdown_code(code.fn), {"alt": code.alt})
    heading = next(r for r in md.block.ruler.__rules__ if r.name == "heading")
    rule = kramdown_blocks.atx_heading if heading.fn is markdown_it_heading else heading.fn
    md.block.ruler.at("heading", _kramdown_heading(rule), {"alt": heading.alt})
    md.inline.ruler.before("escape", "kramdown_math", inline_math)
    md.inline.ruler.at("backticks", code_span)
    link_rule = next(r for r in md.inline.ruler.__rules__ if r.name == "link")
    md.inline.ruler.before("link", "kramdown_spaced_link", _spaced_link(link_rule.fn))
    image_rule = next(r for r in md.inline.ruler.__rules__ if r.name == "image")
    md.inline.ruler.before("image", "kramdown_spaced_image", _spaced_link(image_rule.fn, True))
    md.block.ruler.before("fence", "kramdown_math_block", block_math,
                          {"alt": ["reference", "blockquote", "list"]})
    md.core.ruler.before("inline", "kramdown_ial_split", split_at_ials)
    md.core.ruler.push("kramdown_tasks", task_lists)
    # The TOC list is found before its {:toc} is read as an attribute list, and
    # written once the headings have their ids.
    md.core.ruler.before("kramdown_attributes", "kramdown_toc_mark", mark_toc)
    md.core.ruler.before("kramdown_attributes", "kramdown_item_ials", list_item_ials)
    md.core.ruler.push("kramdown_toc", table_of_contents)
    md.add_render_rule("s_open", lambda *a: "<del>")
    md.add_render_rule("s_close", lambda *a: "</del>")


# -- definition lists ---------------------------------------------------------------------

DEFINITION_LINE = re.compile(r"^[ ]{0,3}:[ \t]+\S")
# Lines that end a paragraph in kramdown's GFM parser (PARAGRAPH_END_GFM) besides a
# blank one: a fence, a list, an ATX heading, a quote. Terms are the lines of the
# paragraph right before a `:` line, so none is found past one of these.
PARAGRAPH_END = re.compile(r"^[ ]{0,3}(?:[`~]{3}|[*+-][ \t]|\d+\.[ \t]|#{1,6}(?:[ \t]|$)|>)")


def _kramdown_deflist(plugin):  # noqa: ANN001, ANN202 (markdown-it's rule signature)
    """kramdown's definition terms: every line of the paragraph before a `: ` line
    is a term of its own (`Term1` / `Term2` / `: both`); markdown-it's plugin takes
    one line only, and reads two as a paragraph."""
    def rule(state: StateBlock, start: int, end: int, silent: bool) -> bool:
        found = plugin(state, start, end, silent)
        if found and not silent:   # (for join_definition_lists: a list to join)
            state.env["kramdown_definitions"] = True
        return found

    def deflist(state: StateBlock, start: int, end: int, silent: bool) -> bool:
        if not silent and not _definition_ahead(state, start, end):
            return False
        # A list item's part that kramdown reads apart (its first nested list) ends
        # the definition list: that list is the item's, not the definition's.
        # (Only in a list item, looked for up to the item's end: `end` is the list's.)
        chunks = chunk_starts(state) if state.blkIndent else None
        if chunks:
            for k in range(start + 1, end):
                if chunks.get(k, state.blkIndent + 1) <= state.blkIndent:
                    end = k
                    break
                if state.sCount[k] < state.blkIndent and not state.isEmpty(k):
                    break   # the item ends here, the list goes on
        if silent:
            return rule(state, start, end, silent)
        last = start
        while last + 1 < end and not state.isEmpty(last + 1) \
                and state.sCount[last + 1] >= state.blkIndent \
                and not DEFINITION_LINE.match(_own_line(state, last + 1)):
            if PARAGRAPH_END.match(_own_line(state, last + 1)):
                return rule(state, start, end, silent)   # (`**Result**` / a fence)
            last += 1
        if last == start or last + 1 >= end or not DEFINITION_LINE.match(_own_line(state, last + 1)) \
                or any(DEFINITION_LINE.match(_own_line(state, k)) for k in range(start, last)):
            return rule(state, start, end, silent)
        first = len(state.tokens)
        if not rule(state, last, end, silent):
            return False
        level = state.tokens[first].level + 1
        terms = []
        for line in range(start, last):
            opening, inline, closing = (Token("dt_open", "dt", 1), Token("inline", "", 0),
                                        Token("dt_close", "dt", -1))
            opening.level, inline.level, closing.level = level, level + 1, level
            opening.block = inline.block = closing.block = True
            opening.map = inline.map = [line, line + 1]
            inline.content = state.getLines(line, line + 1, state.blkIndent, False).strip()
            inline.children = []
            terms += [opening, inline, closing]
        state.tokens[first + 1:first + 1] = terms
        state.tokens[first].map[0] = start
        return True
    return deflist


# A line whose text may start with a definition's marker: after its blanks and its
# quotes' `>` (a blockquote's lines start after them). Found after each "\n" (and at
# the start): a pattern starting `^` in MULTILINE is tried at every character, one
# starting "\n" only where the text has one (a quarter of the instructions).
MARKER_LINE = re.compile(r"\n[ \t>]*[:~]")
MARKER_FIRST_LINE = re.compile(r"[ \t>]*[:~]")


def _definition_ahead(state: StateBlock, start: int, end: int) -> bool:
    """Whether a definition list at `start` is possible: a definition's line comes
    after the paragraph's lines, or after one blank line. Every line's text is tried
    as a definition list's start (a term of any text), where a `:` line is rare: its
    lines are found once for the whole text (ten times fewer instructions than
    trying the rule on every paragraph of Jekyll's docs)."""
    if "kramdown_midline" in state.env:
        return True   # (a line may start mid-line: any text before its `:`)
    lines = state.__dict__.get("kramdown_marker_lines")
    if lines is None:
        marks = state.eMarks
        lines = state.kramdown_marker_lines = [
            bisect.bisect_left(marks, found.start() + 1) for found in MARKER_LINE.finditer(state.src)]
        if MARKER_FIRST_LINE.match(state.src):
            lines.insert(0, 0)
    at = bisect.bisect_right(lines, start)
    if at == len(lines) or lines[at] >= end:
        return False
    marker = lines[at]
    if marker <= start + 2:
        return True
    return not any(state.isEmpty(line) for line in range(start + 1, marker))


EMPTY_DEFINITION = re.compile(r"^ {0,3}:[ \t]+$")
# A `:` then blanks to the line's end (the search looks for `:` first, where ^ made
# it try every position of the text: seven times the instructions)
COLON_AT_END = re.compile(r":[ \t]+$", re.M)
EMPTY = "\ue000"   # (a private-use character: what an empty definition is read as)
FENCE_LINE = re.compile(r"^ {0,3}(?:`{3,}|~{3,})")


def empty_definitions(state: StateCore) -> None:
    """A definition whose `:` line has nothing after it takes the lines that follow
    as its text (kramdown: the definition's first line is empty, the next ones are
    lazy): `**Result**` / `:    ` / `[1, 2, 3]<br>` is one definition of that text.
    Written here as one line for markdown-it's definition lists, which take no empty
    one (076923.github.io's every `결과` block)."""
    if ":" not in state.src or not _has_empty_definition(state.src):
        return   # (no line to change: most texts, where the loop below cost 1% of a build)
    lines, fenced = state.src.split("\n"), False
    out: list[str] = []
    k = 0
    while k < len(lines):
        line = lines[k]
        if FENCE_LINE.match(line):
            fenced = not fenced
        if not fenced and EMPTY_DEFINITION.match(line) and out and out[-1].strip():
            after = lines[k + 1] if k + 1 < len(lines) else ""
            if not after.strip() or NOT_LAZY.match(after.lstrip()):
                line += EMPTY   # nothing after it: an empty definition (<dd></dd>)
            elif not after.lstrip().startswith(":"):
                line, k = line + after.lstrip(" \t"), k + 1
        out.append(line)
        k += 1
    state.src = "\n".join(out)


def _has_empty_definition(src: str) -> bool:
    """Whether a line of `src` is an EMPTY_DEFINITION: its `:` is the last on it."""
    for found in COLON_AT_END.finditer(src):
        colon = found.start()
        start = src.rfind("\n", 0, colon) + 1
        if colon - start <= 3 and not src[start:colon].strip(" "):
            return True
    return False


def _empty_definitions_out(state: StateCore) -> None:
    """The empty definitions' stand-in paragraphs taken out."""
    if EMPTY not in state.src:
        return
    tokens = state.tokens
    for k in range(len(tokens) - 1, -1, -1):
        token = tokens[k]
        if token.type != "inline" or EMPTY not in token.content:
            continue
        if token.content == EMPTY and k >= 2 and tokens[k - 2].type == "dd_open":
            del tokens[k - 1:k + 2]
        else:   # (a line markdown-it took lazily, where kramdown ends the list)
            token.content = token.content.replace(EMPTY + "\n", "").replace(EMPTY, "")


def _line(state: StateBlock, line: int) -> str:
    return state.src[state.bMarks[line]:state.eMarks[line]]


def _own_line(state: StateBlock, line: int) -> str:
    """The line without the indentation of the block it is in (a nested list
    item's: `    : d` is a definition there)."""
    text = _line(state, line)
    return text[min(len(text) - len(text.lstrip(" ")), state.blkIndent):]


def join_definition_lists(state: StateCore) -> None:
    """Definition lists with nothing but blank lines between them are one list in
    kramdown (markdown-it ends one where a term of several lines begins)."""
    if "kramdown_definitions" not in state.env:
        return   # (no definition list made: no loop over the tokens)
    tokens = state.tokens
    i = 0
    while i + 1 < len(tokens):
        closing, opening = tokens[i], tokens[i + 1]
        if closing.type == "dl_close" and opening.type == "dl_open" \
                and closing.level == opening.level:
            opener = next((tokens[k] for k in range(i, -1, -1) if tokens[k].type == "dl_open"
                           and tokens[k].level == closing.level), None)
            if opener is not None and opener.map and opening.map and all(
                    not line.strip() for line in
                    state.src.split("\n")[opener.map[1]:opening.map[0]]):
                opener.map = [opener.map[0], opening.map[1]]
                del tokens[i:i + 2]
                continue
        i += 1


# -- lists ---------------------------------------------------------------------------

def _kramdown_list(original):  # noqa: ANN001, ANN202 (markdown-it's rule function)
    """`1)` is text to kramdown; and a list (any start number) ends a paragraph.
    kramdown's lazy lines (list.rb: a line not indented to the item's content, after
    no blank line, is the item's) are seen indented for the list's parse: CommonMark
    takes such a line only to go on a paragraph (after `- #### BSD` it ends the list)."""
    def rule(state: StateBlock, start: int, end: int, silent: bool) -> bool:
        src, begin = state.src, state.bMarks[start]
        first, stop = begin + state.tShift[start], state.eMarks[start]
        if src[first:first + 1] in BULLETS:   # (every line of a bulleted list)
            if stop - first == 1:
                return False   # kramdown's marker needs a space or tab after it: `-` is text
        elif ORDERED_PAREN.match(src, first, stop) or EMPTY_MARKER.fullmatch(src, first, stop):
            return False   # `1)` is text; and so is `5.` (as `-`)
        if first > begin and " \t" in src[begin:first]:
            return False   # kramdown's list marker has spaces only before it (OPT_SPACE)
        line = src[first:stop]
        if silent and state.parentType == "paragraph" and line[:1].isdigit():
            saved, state.parentType = state.parentType, "list_check"
            try:
                return original(state, start, end, silent)
            finally:
                state.parentType = saved
        if silent:
            return original(state, start, end, silent)
        lazy, end = _lazy_lines(state, start, end)
        saved_counts = [state.sCount[k] for k, _ in lazy]
        raised = state.__dict__.setdefault("kramdown_lazy", {})
        for (k, indent), count in zip(lazy, saved_counts):
            state.sCount[k] = indent
            raised.setdefault(k, count)
        # where the list stands: a lazy line keeps its indentation from there on
        outer = state.env.setdefault("kramdown_list_indents", [])
        outer.append(state.blkIndent)
        source = state.src
        state.src = _same_bullets(state, start, end, line[:1])
        try:
            found = original(state, start, end, silent)
        finally:
            state.src = source
            outer.pop()
            for (k, _), count in zip(lazy, saved_counts):
                state.sCount[k] = count
                if raised.get(k) == count:
                    del raised[k]
        if found:
            _past_empty_item(state, start, end, rule)
        return found
    return rule


def _past_empty_item(state: StateBlock, start: int, end: int, rule) -> None:  # noqa: ANN001
    """An empty item followed by two or more blank lines ends the list in markdown-it
    (its empty-item workaround skips one); kramdown goes on with the list at its next
    item (houbb.github.io's `- ` and four blank lines before `* TOC` + `{:toc}`): the
    list parsed from there is joined to this one."""
    tokens = state.tokens
    if state.line >= end or not state.isEmpty(state.line) or len(tokens) < 3 \
            or tokens[-2].type != "list_item_close" or tokens[-3].type != "list_item_open":
        return
    following = state.skipEmptyLines(state.line)
    if following >= end or state.sCount[following] != state.sCount[start]:
        return
    text = _text(state, following)
    ordered = tokens[-1].type == "ordered_list_close"
    if HR_LINE.match(text) or not (ORDERED_ITEM if ordered else BULLET_ITEM).match(text):
        return
    close = tokens.pop()
    joined_at = len(tokens)
    if not rule(state, following, end, False):
        tokens.append(close)
        return
    del tokens[joined_at]   # the next list's opening: its items are this list's
    opening = next(t for t in reversed(tokens[:joined_at]) if t.type == close.type[:-5] + "open"
                   and t.level == close.level)
    opening.map = [opening.map[0], state.line] if opening.map else opening.map


def _same_bullets(state: StateBlock, start: int, end: int, bullet: str) -> str:
    """The source with the later items of the bulleted list at `start` written with its
    first item's bullet, for the list's parse: kramdown goes on with a list whatever
    its bullets (`-` then `*`; houbb.github.io's posts end `- a` / `* TOC` + `{:toc}`,
    and the whole list is the table of contents), CommonMark starts a new one. Only
    bullet characters change: every offset stays."""
    if bullet not in "*+-" or _no_other_bullets(state, start, end, bullet):
        return state.src
    chars = None
    src, b_marks, e_marks, t_shift, s_count = \
        state.src, state.bMarks, state.eMarks, state.tShift, state.sCount   # (locals: per line)
    for k in range(start + 1, end):
        if s_count[k] > s_count[start]:
            continue   # within an item
        text = src[b_marks[k] + t_shift[k]:e_marks[k]]
        if not text.strip():
            continue   # blank
        if s_count[k] < state.blkIndent or not BULLET_ITEM.match(text) \
                or HR_LINE.match(text):
            break      # where the list ends anyway (an item less indented goes on
                       # with it: `   - a` / `* b` is one list to kramdown)
        if text[0] != bullet:
            chars = chars or list(state.src)
            chars[state.bMarks[k] + state.tShift[k]] = bullet
    return state.src if chars is None else "".join(chars)


# A line whose text starts with `*` or `+` (or `-`, `+`; or `-`, `*`), after any
# indentation and blockquote markers: the line break before it, and its bullet.
OTHER_BULLET_LINES = {bullet: re.compile("\n[ \t>]*[" + re.escape("*+-".replace(bullet, "")) + "]")
                      for bullet in "*+-"}


def _no_other_bullets(state: StateBlock, start: int, end: int, bullet: str) -> bool:
    """Whether no line after `start`, before `end`, starts with a bullet other than
    `bullet` (then _same_bullets changes nothing, and need not read each line: Jekyll's
    history page has three hundred lists, whose lines it read to the end of each).
    The lines that do are found once per text (searched for in C), as numbers;
    a line's text starts where its raw line's does, after blanks and a blockquote's
    markers, unless a block was resumed mid-line (_start_line_at): then no answer."""
    if "kramdown_midline" in state.env:
        return False
    memo = state.env.setdefault("kramdown_other_bullets", {})
    key = (bullet, state.src)
    lines = memo.get(key)
    if lines is None:
        src, lines, line, counted = state.src, [], 0, 0
        for found in OTHER_BULLET_LINES[bullet].finditer(src):
            line += src.count("\n", counted, found.start() + 1)
            counted = found.start() + 1
            lines.append(line)
        memo[key] = lines
    after = bisect.bisect_right(lines, start)
    return after == len(lines) or lines[after] >= end


def _lazy_lines(state: StateBlock, start: int, end: int) -> tuple[list[tuple[int, int]], int]:
    """The lines of the list at `start` that kramdown takes lazily, each with the
    content indentation of its item; and the line where the list must end."""
    first, stop = LIST_MARKER.match(_text(state, start)), end
    if first is None:
        return [], stop
    ordered = first[1][0].isdigit()
    lazy: list[tuple[int, int]] = []
    indent, blank = _content_indent(state, start, first), False
    # list.rb's nested_list_found: once the item has a nested list (or a blank line),
    # a lazy line that starts a list goes in indented by the item's indentation + 4,
    # so it is text of the nested item (`2. x` / `   - a:` / `- b`: `- b` is text)
    nested = bool(LIST_START.match(_text(state, start)[len(first[0]):]))
    shifted = state.__dict__.setdefault("kramdown_shifted_lines", set())
    chunks = chunk_starts(state)
    # (the state's tables in locals, isEmpty and _text in line: every line of every
    # list comes here, Jekyll's history page has three thousand)
    src, b_marks, e_marks, t_shift, s_count = \
        state.src, state.bMarks, state.eMarks, state.tShift, state.sCount
    block_indent = state.blkIndent
    k = start
    while k + 1 < end:
        k += 1
        begin = b_marks[k] + t_shift[k]
        if begin >= e_marks[k]:
            blank = nested = True
            continue
        if not (blank or ordered) and src[begin] in "*+-":
            items = _one_line_items(state, k, begin, end, min(indent, 4), chunks)
            if items:   # (as the item branch below reads each)
                k += items - 1
                indent, nested = s_count[k] - block_indent + 2, False
                continue
        text, column = src[begin:e_marks[k]], s_count[k] - block_indent
        marker = LIST_MARKER.match(text)
        if (blank and HR_LINE.match(text)) or (marker and column < 0):
            break   # (a marker left of a nested list is an outer list's item)
        if chunks.get(k, block_indent + 1) <= block_indent:
            stop = k   # a part of the item around this list that kramdown reads apart
            break
        if marker and marker[2] and marker[1][0].isdigit() == ordered and column < min(indent, 4):
            # the list's next item: its text's indentation (_content_indent's, in line)
            spaces = len(marker[2].expandtabs(4))
            indent = column + len(marker[1]) + (
                spaces if 1 <= spaces <= 4 and marker.end() < len(text) else 1)
            nested = LIST_START.match(text, marker.end()) is not None
        elif column >= indent:
            if not nested and column - indent < 4 and LIST_START.match(text):
                nested = True
                chunks[k] = state.blkIndent + indent
        elif not blank and not (column < 4 and NOT_LAZY.match(text)):
            if nested and column < 4 and LIST_START.match(text):
                lazy.append((k, state.blkIndent + 2 * indent + 4 + column))
                shifted.add(k)
            else:
                # as written: its blanks stay (`  -` is no setext underline, `    - x`
                # under `100. x` no list)
                lazy.append((k, state.blkIndent + indent + column))
        else:
            if marker and not marker[2]:
                stop = k   # a bare `-` is no item to kramdown: the list ends before it
            break
        blank = False
    return lazy, stop


@functools.cache
def _one_line_items_at(blanks: int) -> re.Pattern:
    """Lines that are each a bulleted item of one line (a bullet, one space, text that
    starts no list), each after the first indented by `blanks` spaces."""
    return re.compile(r"(?:[*+-] (?![ \t\n]|(?:[*+-]|\d+\.)[ \t])[^\n]*\n" + " " * blanks + ")*")


def _one_line_items(state: StateBlock, line: int, begin: int, end: int, limit: int,
                    chunks: dict[int, int]) -> int:
    """How many lines from `line` (its text at `begin`, after no blank line) on
    _lazy_lines reads as next items of one line (Jekyll's history page: three hundred
    lists of three thousand items, which it read one by one), found by one search:
    lines of _one_line_items_at, all at one column left of `limit` (and not left of the
    list's), their text where the search reads it (no line moved by a blockquote's
    markers or resumed mid-line: each starts where the line before ends, indented by
    the spaces the search reads), and no part of an item starting there (chunks).
    0 where the first line is not one of them."""
    src, b_marks, e_marks, t_shift = state.src, state.bMarks, state.eMarks, state.tShift
    blanks = t_shift[line + 1] if line + 1 < end else 0
    found = _one_line_items_at(blanks).match(src, begin)
    count = min(src.count("\n", begin, found.end()), end - line)
    if not count:
        return 0
    stop, s_count = line + count, state.sCount
    column = s_count[line]
    if not 0 <= column - state.blkIndent < limit or s_count[line:stop].count(column) != count:
        return 0
    if count > 1 and (t_shift[line + 1:stop].count(blanks) != count - 1
                      or b_marks[line + 1:stop] != list(map((1).__add__, e_marks[line:stop - 1]))):
        return 0
    if any(line <= k < stop and at <= state.blkIndent for k, at in chunks.items()):
        return 0
    return count


def _text(state: StateBlock, line: int) -> str:
    return state.src[state.bMarks[line] + state.tShift[line]:state.eMarks[line]]


def _content_indent(state: StateBlock, line: int, marker: re.Match) -> int:
    """Where an item's content starts, relative to the list: CommonMark's (1 to 4
    spaces after the marker, else 1), which markdown-it uses too."""
    spaces = len(marker[2].expandtabs(4))
    return state.sCount[line] - state.blkIndent + len(marker[1]) + \
        (spaces if 1 <= spaces <= 4 and len(marker[0]) < len(_text(state, line)) else 1)


def _kramdown_fence(original):  # noqa: ANN001, ANN202 (markdown-it's rule function)
    """A fence never closed is text to kramdown (its pattern needs the closing line,
    in a list item before the item ends); CommonMark runs it to the end of the
    document. So is one whose info is more than one word (```nim test="x"`: the
    pattern allows a single word, backticks and all: ```readonly```变量 opens a fence). Indented past its list item's text, the code
    keeps the extra spaces."""
    def rule(state: StateBlock, start: int, end: int, silent: bool) -> bool:
        line = state.src[state.bMarks[start] + state.tShift[start]:state.eMarks[start]]
        opening = FENCE_OPENING.match(line)
        if opening and len(line[opening.end():].split()) > 1:
            return False
        closing = None
        if opening and state.sCount[start] - state.blkIndent < 4:
            closing = _closed_after(state, start, end, opening[1])
            if closing is None:
                return False
        if closing is not None and state.sCount[closing] < state.blkIndent:
            # a note's or a definition's lazy line (kramdown reads it as the note's
            # text): it closes the fence there, where markdown-it ends the note
            indent, state.sCount[closing] = state.sCount[closing], state.blkIndent
            try:
                found = original(state, start, end, silent)
            finally:
                state.sCount[closing] = indent
        else:
            found = original(state, start, end, silent)
        if not found:
            return False
        if not silent and state.blkIndent and state.sCount[start] > state.blkIndent:
            # kramdown strips the list item's indentation from the code, not the fence's
            token = state.tokens[-1]
            token.content = state.getLines(start + 1, state.line - 1, state.blkIndent, True)
        if not silent and state.blkIndent:
            _raw_blank_lines(state, state.tokens[-1], start + 1, state.line - 1, None)
        return True
    return rule


def _raw_blank_lines(state: StateBlock, token: Token, first: int, stop: int,
                     indent: re.Pattern | None) -> None:
    """In a list item, a line of blanks is a blank line to kramdown's list parser,
    which keeps it whole: in the code of lines first..stop, it keeps its blanks (less
    an indented code block's own `indent`)."""
    lines = [state.src[state.bMarks[k]:state.eMarks[k]] for k in range(first, stop)]
    if any(line and not line.strip(" \t") for line in lines):
        code = token.content.split("\n")
        token.content = "\n".join(
            (indent.sub("", line, count=1) if indent else line)
            if line and not line.strip(" \t") else text
            for line, text in zip(lines, code)) + "\n" * (len(code) > len(lines))


def _fence_lines(state: StateBlock) -> list[int]:
    """The lines that hold three backticks or tildes (where any fence's closing line
    is), in order: found once per text, where trying every line of the container
    cost a thousand instructions a line each time."""
    lines = state.__dict__.get("kramdown_fence_lines")
    if lines is None:
        src, marks, found = state.src, state.eMarks, set()
        for run in ("```", "~~~"):   # (str.find: a regular expression tries every place)
            pos = src.find(run)
            while pos >= 0:
                found.add(bisect.bisect_left(marks, pos))
                pos = src.find(run, pos + 3)
        lines = state.kramdown_fence_lines = sorted(found)
    return lines


def _closed_after(state: StateBlock, start: int, end: int, fence: str) -> int | None:
    """The line after `start` that closes a fence opened with `fence`, if any. The
    closing lines of the container are found once (many fences never closed cost one
    pass)."""
    memo = state.env.setdefault("kramdown_fence_closings", {})
    key = (end, state.blkIndent, state.parentType, state.level, fence[0], state.src)
    if key not in memo:
        memo[key] = [(line, len(found[1])) for line in _fence_lines(state) if line < end
                     if (found := FENCE_CLOSING.match(
                         state.src[state.bMarks[line] + state.tShift[line]:state.eMarks[line]]))
                     and found[1][0] == fence[0]]
    closings = memo[key]
    for line, length in closings[bisect.bisect_right(closings, (start, 1 << 30)):]:
        if length >= len(fence) and state.sCount[line] - state.blkIndent < 4:
            if state.parentType == "list" and state.sCount[line] < state.blkIndent:
                return None   # after the item (a lazy line was raised to its indent)
            # in a list item, only a closing line inside the item (kramdown reads the
            # item's lines first): no line less indented before it, and no nested
            # list that starts a part of the item read apart (chunk_starts)
            chunks = chunk_starts(state)
            inside = not state.blkIndent or all(
                state.isEmpty(k) or state.sCount[k] >= state.blkIndent and k not in chunks
                for k in range(start + 1, line))
            return line if inside else None
    return None


def _kramdown_code(original):  # noqa: ANN001, ANN202 (markdown-it's rule function)
    """kramdown's indented code block goes on through the lines right after it that
    are not indented (its CODEBLOCK_MATCH), each joined to the line before by a
    space, until a blank line, an attribute list or an HTML tag; CommonMark's ends
    at the first of them (a tab-indented `<p>` inside an aside, then its text)."""
    def rule(state: StateBlock, start: int, end: int, silent: bool) -> bool:
        if state.sCount[start] - state.blkIndent < 4:   # (markdown-it's first test, without
            return silent or False                      # its call and its log's: as below)
        if not original(state, start, end, silent) or silent:
            return silent or False
        if state.blkIndent:
            _raw_blank_lines(state, state.tokens[-1], start, state.line, CODE_INDENT)
        last = k = state.line
        lazy = False
        while k < end:
            if state.isEmpty(k):   # blank lines, then indented ones: the same block
                after = k
                while after < end and state.isEmpty(after):
                    after += 1
                if not lazy or after == end or state.sCount[after] - state.blkIndent < 4:
                    break
                k = after
            elif state.sCount[k] - state.blkIndent >= 4:
                k = last = k + 1
            elif state.sCount[k] >= state.blkIndent and not NOT_LAZY_CODE.match(_text(state, k)):
                k = last = k + 1
                lazy = True
            else:
                break
        if not lazy:
            return True
        text = []
        for line in range(start, last):
            if state.isEmpty(line) and state.blkIndent:   # (as _raw_blank_lines)
                text.append("\n" + CODE_INDENT.sub("", state.src[state.bMarks[line]:
                                                                  state.eMarks[line]], count=1))
            elif state.sCount[line] - state.blkIndent >= 4 or state.isEmpty(line):
                text.append("\n" + state.getLines(line, line + 1, 4 + state.blkIndent, False))
            else:
                text.append(" " + state.getLines(line, line + 1, state.blkIndent, False))
        token = state.tokens[-1]
        token.content, token.map = "".join(text)[1:] + "\n", [start, last]
        state.line = last
        return True
    return rule


def _kramdown_heading(original):  # noqa: ANN001, ANN202 (markdown-it's rule function)
    """`###` with no words after it is text to kramdown, an empty heading to CommonMark;
    so is ` # Title` (kramdown's ATX header starts its line, CommonMark's may be
    indented three spaces)."""
    def rule(state: StateBlock, start: int, end: int, silent: bool) -> bool:
        line = state.src[state.bMarks[start] + state.tShift[start]:state.eMarks[start]]
        if EMPTY_HEADING.match(line) or state.sCount[start] > state.blkIndent:
            return False
        if not original(state, start, end, silent):
            return False
        if not silent:
            # kramdown's text (the GFM quirk's parse_atx_header): Ruby's rstrip, then a
            # closing `#`s after a blank; a no-break space at either end stays (and
            # a blank before it is a '-' of the id: `## 总览 \u00a0` is `总览-`)
            text = ATX_START.sub("", line, count=1).rstrip(WHITESPACE)
            text = ATX_CLOSING.sub("", text, count=1).rstrip(WHITESPACE)
            if text[:1].isspace() or text[-1:].isspace():
                state.tokens[-2].content = text
        return True
    return rule


def list_item_ials(state: StateCore) -> None:
    """`- {:.done} text`: an attribute list at the start of an item is the item's
    (kramdown's LIST_ITEM_IAL; allejo/jekyll-toc writes `- {:.} [Title](#id)`)."""
    if "{:" not in state.src:
        return   # (no attribute list, no loop over the tokens)
    from site_builder.site.kramdown import _set_attributes
    tokens = state.tokens
    # (the texts with a `{:` found in one pass: a loop by index over every token cost
    # more; the tokens stay where they are)
    texts = [k for k, token in enumerate(tokens) if token.type == "inline"
             and "{:" in token.content and k >= 2]
    for k in texts:
        token, inline = tokens[k - 2], tokens[k]
        if token.type != "list_item_open" or tokens[k - 1].type != "paragraph_open":
            continue
        found = LIST_ITEM_IAL.match(inline.content)
        children = inline.children or []
        if not found or not children or children[0].type != "text" \
                or not children[0].content.startswith(found[0].rstrip(WHITESPACE)):
            continue
        children[0].content = children[0].content[len(found[0].rstrip(WHITESPACE)):].lstrip(
            WHITESPACE)
        inline.content = inline.content[len(found[0]):]
        _set_attributes(token, found[1])


def task_lists(state: StateCore) -> None:
    """`- [x] done`: kramdown's task list shape."""
    if not TASK_ANYWHERE.search(state.src):
        return   # (no box in the text: no loop over the tokens)
    tokens = state.tokens
    for i, token in enumerate(tokens):
        if token.type != "inline" or i < 2 or tokens[i - 2].type != "list_item_open":
            continue
        found = TASK.match(token.content)
        if not found or not token.children or token.children[0].type != "text":
            continue
        checked = found.group(1) in "xX"
        first = token.children[0]
        first.content = first.content[len(found.group(0)):]
        box = Token("html_inline", "", 0)
        mark = ' checked="checked"' if checked else ""
        box.content = ('<input type="checkbox" class="task-list-item-checkbox" '
                       f'disabled="disabled"{mark} />')
        token.children.insert(0, box)
        tokens[i - 2].attrSet("class", "task-list-item")
        for k in range(i - 3, -1, -1):   # the list that holds this item
            if tokens[k].type in ("bullet_list_open", "ordered_list_open") and \
                    tokens[k].level == tokens[i - 2].level - 1:
                tokens[k].attrSet("class", "task-list")
                break


# -- links -------------------------------------------------------------------------

# kramdown's LINK_INLINE_TITLE_RE: the title and the closing parenthesis.
LINK_TITLE = re.compile(r"""\s*?(["'])(.+?)\1\s*?\)""", re.S)


def _spaced_link(standard, image: bool = False):  # noqa: ANN001, ANN202 (markdown-it's rule)
    """A link (an image, with `image`) whose URL kramdown reads otherwise than
    CommonMark: with spaces or a line break (`[text](http://x.com/a b)`: CommonMark
    makes no link of it) or a backslash (`(.../Metro_(design\\))`: kramdown counts
    parentheses as they are and keeps the backslash, where CommonMark reads an escape)."""
    def rule(state: StateInline, silent: bool) -> bool:
        if image and not state.src.startswith("![", state.pos):
            return False   # (an image may be in a link: `[![](a b.png)](u)`)
        if not image and (state.src[state.pos] != "[" or state.linkLevel > 0):
            return False
        start = state.pos
        label_end = state.md.helpers.parseLinkLabel(state, state.pos + image, True)
        state.pos = start
        if label_end < 0 or state.src[label_end + 1:label_end + 2] != "(":
            return False
        close = state.src.find(")", label_end + 2, state.posMax)
        if close < 0:
            return False   # kramdown's URL and title both end at a `)`
        if not any(c in state.src[label_end + 2:close] for c in " \\(\n"):
            return False   # most links: no space, backslash, parenthesis or line break
        found = _kramdown_destination(state.src, label_end + 1, state.posMax)
        if found is None:
            if silent or not standard(state, True):
                state.pos = start
                return False
            # kramdown's parentheses do not balance (`.send\(&x)`): no link, its
            # `[` is text, where CommonMark reads an escape and makes one
            state.pos = start + 1 + image
            state.push("text", "", 0).content = state.src[start:state.pos]
            return True
        href, title, after = found
        if "\\" not in href and " " not in href and "\n" not in href \
                and (title is None or '"' not in title and "'" not in title):
            state.pos = start
            return False   # a link CommonMark reads alike: the standard rule makes it
        if "\\" not in href and standard(state, True):
            state.pos = start
            return False
        state.pos = start
        if not silent and image:
            token = state.push("image", "img", 0)
            token.attrs = {"src": with_entities_read(href), "alt": ""}
            if title is not None:
                token.attrSet("title", with_entities_read(title))
            token.content = state.src[start + 2:label_end]
            token.children = []
            state.md.inline.parse(token.content, state.md, state.env, token.children)
        elif not silent:
            old_max = state.posMax
            state.pos, state.posMax = start + 1, label_end
            token = state.push("link_open", "a", 1)
            token.attrs = {"href": with_entities_read(href)}
            if title is not None:
                token.attrSet("title", with_entities_read(title))
            state.linkLevel += 1
            state.md.inline.tokenize(state)
            state.linkLevel -= 1
            state.push("link_close", "a", -1)
            state.posMax = old_max
        state.pos = after
        return True
    return rule


def _kramdown_destination(src: str, start: int, end: int) -> tuple[str, str | None, int] | None:
    """kramdown's reading of the `(url "title")` at src[start]: (url, title, where it
    ends), or None. Parentheses are counted as they are (no backslash escapes one);
    a space (or line break) before a quote starts the title. The URL may go on to
    the next lines: the line break stays in it, as in kramdown. A URL in angle
    brackets is all that is between them (`(<https://x.org/L(a>)`: kramdown's
    `\\(<(.*?)>`), parentheses and all."""
    if src.startswith("(<", start):
        close = src.find(">", start + 2, end)
        if close >= 0 and "\n" not in src[start:close]:
            if src.startswith(")", close + 1):
                return src[start + 2:close], None, close + 2
            titled = LINK_TITLE.match(src, close + 1, end)
            if titled:
                return src[start + 2:close], titled[2], titled.end()
    depth = 0
    for i in range(start, end):
        char = src[i]
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return src[start + 1:i].strip(), None, i + 1
        elif char in " \t\n" and src[i + 1:i + 2] in ("'", '"'):
            titled = LINK_TITLE.match(src, i, end)
            return (src[start + 1:i].strip(), titled[2], titled.end()) if titled else None
    return None


# -- code spans ------------------------------------------------------------------------

def code_span(state: StateInline, silent: bool) -> bool:
    """kramdown's code span (parser/kramdown/codespan.rb), where CommonMark differs:
    a single backtick with whitespace (or the start of the text) before it and
    whitespace after it is a literal backtick; the span ends at the next occurrence
    of the opening run, even inside a longer run; newlines inside stay newlines; only
    a span of two or more backticks loses one space at each end."""
    src, start = state.src, state.pos
    if src[start] != "`":
        return False
    end = start
    while end < state.posMax and src[end] == "`":
        end += 1
    marker = src[start:end]
    close = -1
    if not (len(marker) == 1 and (start == 0 or src[start - 1] in WHITESPACE)
            and end < state.posMax and src[end] in WHITESPACE):
        close = src.find(marker, end, state.posMax)
    if close < 0:   # no span: the backticks are text, a run of their own: kramdown's
        if not silent:   # quote rules see no character before a quote right after them
            token = state.push("text_special", "", 0)
            token.content = token.markup = marker
            token.info = "backticks"
        state.pos = end
        return True
    if not silent:
        text = src[end:close]
        if len(marker) > 1:
            text = text[1:] if text.startswith(" ") else text
            text = text[:-1] if text.endswith(" ") else text
        token = state.push("code_inline", "code", 0)
        token.markup, token.content = marker, text
    state.pos = close + len(marker)
    return True


# -- math ------------------------------------------------------------------------------

def inline_math(state: StateInline, silent: bool) -> bool:
    if not state.src.startswith("$$", state.pos):
        return False
    end = state.src.find("$$", state.pos + 2)
    if end < 0 or end == state.pos + 2:
        return False
    if not silent:   # kramdown strips the math (`$$ x $$` is \\(x\\))
        token = state.push("html_inline", "", 0)
        token.content = "\\(" + html.escape(state.src[state.pos + 2:end].strip(),
                                             quote=False) + "\\)"
    state.pos = end + 2
    return True


# What kramdown takes for a block's edge (BLOCK_BOUNDARY): a blank line, the `^`
# marker, a block attribute list, or the end.
BLOCK_BOUNDARY = re.compile(r"[ \t]*$|\^[ \t]*$|[ ]{0,3}\{:(?![:/])")
CONTAINER_OPEN = ("list_item_open", "blockquote_open", "dd_open")


def block_math(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    """kramdown's math block: `$$` after a block's edge (never within a paragraph or
    right after a heading), the math up to the next `$$` (blank lines and all), which
    only blanks may follow on its line, and a block's edge after it; otherwise the
    lines are a paragraph with inline math."""
    if state.is_code_block(start):
        return False
    opening = state.bMarks[start] + state.tShift[start]
    if not state.src.startswith("$$", opening):
        return False
    before = state.tokens[-1].type if state.tokens else None
    if before is not None and before not in CONTAINER_OPEN and not (
            start > 0 and BLOCK_BOUNDARY.match(state.src, state.bMarks[start - 1],
                                               state.eMarks[start - 1])):
        return False
    # The lines as this block sees them (a quote's `>` left out), the first after `$$`.
    lines, last = [], start
    while last < end:
        line = state.src[state.bMarks[last] + state.tShift[last]:state.eMarks[last]]
        lines.append(line[2:] if last == start else line)
        close = lines[-1].find("$$")
        if close >= 0:
            break
        last += 1
    else:
        return False
    if lines[-1][close + 2:].strip():
        return False
    # (a line less indented than this block, a list's next item, is past its end:
    # kramdown reads a list item's text apart, where the math's line is the last)
    after = last + 1
    if after < end and state.sCount[after] >= state.blkIndent and not BLOCK_BOUNDARY.match(
            state.src, state.bMarks[after], state.eMarks[after]):
        return False
    if silent:
        return True
    body = "\n".join(lines[:-1] + [lines[-1][:close]]).strip()
    token = state.push("html_block", "", 0)
    token.content = "\\[" + html.escape(body, quote=False) + "\\]\n"
    token.map = [start, last + 1]
    state.line = last + 1
    return True


# -- table of contents -------------------------------------------------------------

def mark_toc(state: StateCore) -> None:
    """kramdown writes one table of contents, where the first `* TOC` + `{:toc}` is."""
    if "{:" not in state.src or not TOC_ANYWHERE.search(state.src):
        return   # (no `{:toc}`: no loop over the lists)
    tokens = state.tokens
    for i, token in enumerate(tokens):
        if token.type in ("bullet_list_open", "ordered_list_open"):
            close = _closing(tokens, i)
            inner = [t for t in tokens[i:close + 1] if t.type == "inline"]
            # `{:toc}` under the list's last item (of its own, not a nested list's)
            # makes the whole list the table of contents
            if inner and inner[-1].level == token.level + 3 and _toc_item(inner[-1]):
                # The list's own type: `1. TOC` makes an <ol>, as in kramdown.
                tokens[i:close + 1] = [Token("html_block", "kramdown_toc", 0, map=token.map,
                                             level=token.level, block=True,
                                             info="ol" if token.type.startswith("ordered") else "ul")]
                return


def _toc_item(inline: Token) -> bool:
    """One line of text, then `{:toc}` (which split_at_ials took out of the text)."""
    return "\n" not in inline.content and \
        bool(TOC_IAL.match(inline.meta.get("kramdown_last_ial", "")))


TOC_MARK = re.compile("\0kramdown-toc-(ul|ol)\0")


def table_of_contents(state: StateCore) -> None:
    """The table of contents of the whole document, headings in `markdown="1"`
    elements too. One inside such an element (feeling-responsive's panel) is marked
    there, and written when the document's headings are known."""
    nested = bool(state.env.get("kramdown_in_html"))
    heads = None
    # (the tokens either loop reads, found in one pass: none is added or taken out)
    listed = [token for token in state.tokens
              if token.type == "ordered_list_open" or token.type == "html_block"]
    for token in listed:
        if token.type == "ordered_list_open":
            token.attrs.pop("start", None)   # kramdown's lists always count from 1
        if token.type == "html_block" and token.tag == "kramdown_toc":
            heads = _heads(state, state.tokens) if heads is None else heads
            token.content = (f"\0kramdown-toc-{token.info or 'ul'}\0" if nested
                             else _toc_html(heads, token.info or "ul"))
    if nested:   # the element's headings, for the document's table of contents
        state.env["kramdown_toc_heads"] = _heads(state, state.tokens)
        return
    for token in listed:
        if token.type == "html_block" and "\0kramdown-toc-" in token.content:
            heads = _heads(state, state.tokens) if heads is None else heads
            token.content = TOC_MARK.sub(lambda m: _toc_html(heads, m[1]), token.content)


def _closing(tokens: list[Token], start: int) -> int:
    depth = 0
    for k in range(start, len(tokens)):
        depth += tokens[k].nesting if tokens[k].type.endswith(("_list_open", "_list_close")) else 0
        if depth == 0:
            return k
    return len(tokens) - 1


def _toc_levels(state: StateCore) -> set[int]:
    """kramdown's toc_levels option ({::options toc_levels="2..4" /}, else the config's
    `kramdown: toc_levels:`): "2..4", "2,3" or a list."""
    text = (state.env.get("kramdown_options") or {}).get(
        "toc_levels", state.md.options.get("kramdown_toc_levels", "1..6"))
    if isinstance(text, list):
        return {int(n) for n in text if str(n).isdigit()}
    text = str(text)
    found = re.fullmatch(r"\s*(\d)\s*\.\.\s*(\d)\s*", text)
    if found:
        return set(range(int(found[1]), int(found[2]) + 1))
    return {int(n) for n in re.findall(r"\d", text)} or set(range(1, 7))


def _heads(state: StateCore, tokens: list[Token]) -> list[tuple[int, str, str]]:
    """(level, id, text) of the headings a TOC lists, in order, those converted in
    HTML elements too."""
    heads = []
    levels = _toc_levels(state)
    for k, token in enumerate(tokens):
        if token.type == "html_block" and token.meta:
            heads += token.meta.get("kramdown_toc_heads", [])
        if token.type == "heading_open" and int(token.tag[1]) not in levels:
            continue
        # kramdown leaves out a heading with the class no_toc (`{: .no_toc }`).
        if token.type == "heading_open" and (token.attrGet("id") or token.meta.get(
                "kramdown_empty_id")) and not re.search(
                r"\bno_toc\b", str(token.attrGet("class") or "")):
            # kramdown's fix_for_toc_entry: links unwrapped to their text, notes dropped
            children = [c for c in tokens[k + 1].children or []
                        if c.type not in ("link_open", "link_close", "footnote_ref")]
            text = state.md.renderer.renderInline(children, state.md.options, state.env)
            heads.append((int(token.tag[1]), str(token.attrGet("id") or ""), text))
    return heads


def _toc_html(heads: list[tuple[int, str, str]], kind: str = "ul") -> str:
    if not heads:
        return ""
    out: list[str] = [f'<{kind} id="markdown-toc">']
    _toc_items(heads, 0, len(heads), 1, out, kind)
    out.append(f"</{kind}>\n")
    return "\n".join(out)


def _toc_items(heads: list, start: int, stop: int, depth: int, out: list[str],
               kind: str = "ul") -> None:
    i = start
    while i < stop:
        level, ident, text = heads[i]
        j = i + 1
        while j < stop and heads[j][0] > level:
            j += 1
        pad = "  " * (2 * depth - 1)
        item = f'{pad}<li><a href="#{ident}" id="markdown-toc-{ident}">{text}</a>'
        if j > i + 1:
            out.append(item + f"{pad}  <{kind}>")
            _toc_items(heads, i + 1, j, depth + 1, out, kind)
            out.append(f"{pad}  </{kind}>\n{pad}</li>")
        else:
            out.append(item + "</li>")
        i = j


# -- attribute lists inside a paragraph ---------------------------------------------

def split_at_ials(state: StateCore) -> None:
    """A `{: ...}` line inside a paragraph ends it (kramdown reads it as the block
    attribute list of the lines above): the paragraph is split after that line, and
    a paragraph's last line that is an attribute list is taken out of its text (in
    the inline token's meta, for kramdown.attribute_lists), before the text is read:
    kramdown's paragraph stops at the line, so no span (an element left open, a code
    span over lines) takes it in."""
    if "{:" not in state.src:
        return   # (no attribute list: 9 texts in 10 of Jekyll's docs)
    tokens = state.tokens
    # The paragraphs whose text has a `{:`, found in one pass over the tokens (a loop
    # over them by index cost more than the splits): each split from the last up,
    # and a split's second part right after it, as the document's order would.
    found = [k - 1 for k, token in enumerate(tokens) if token.type == "inline"
             and "{:" in token.content and k and tokens[k - 1].type == "paragraph_open"
             and k + 1 < len(tokens)]
    for i in reversed(found):
        while i is not None:
            i = _split_paragraph(tokens, i)


def _split_paragraph(tokens: list[Token], i: int) -> int | None:
    """split_at_ials on the paragraph that opens at tokens[i]: where its second part
    opens, if it was split and that part's text has a `{:` too."""
    token, inline = tokens[i], tokens[i + 1]
    lines = inline.content.split("\n")
    cut = next((k for k in range(1, len(lines) - 1) if IAL_LINE.match(lines[k])), None)
    second = None
    if cut is not None:
        inline.content, rest = "\n".join(lines[:cut + 1]), "\n".join(lines[cut + 1:])
        opening, closing = Token("paragraph_open", "p", 1), Token("paragraph_close", "p", -1)
        second = Token("inline", "", 0)
        for new in (opening, second, closing):
            new.level, new.block = token.level, True
        second.level, second.content, second.children = inline.level, rest, []
        if token.map:
            opening.map = [token.map[0] + cut + 1, token.map[1]]
            token.map = [token.map[0], token.map[0] + cut + 1]
        tokens[i + 3:i + 3] = [opening, second, closing]
        lines = lines[:cut + 1]
    if len(lines) > 1 and IAL_LINE.match(lines[-1]):
        inline.content = "\n".join(lines[:-1])
        inline.meta["kramdown_last_ial"] = lines[-1].strip()
    return i + 3 if second is not None and "{:" in second.content else None
