"""kramdown's extensions (parser/kramdown/extensions.rb) `{::nomarkdown}` and
`{::comment}`: their body, up to `{:/nomarkdown}` (or `{:/}`), is written as it is
(nomarkdown, for HTML output: `type="latex"` writes nothing) or as an HTML comment.
On lines of their own they are a block; within a paragraph, a span. swift.org's
API guidelines put `{::nomarkdown}<input type="checkbox">{:/nomarkdown}` before
each detail: the tags were printed as text."""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.rules_inline import StateInline

# EXT_START_STR: a name, attributes, `/` for one without a body
START = re.compile(r"\{::(comment|nomarkdown)(?:\s((?:\\\}|[^}])*?)|)(/)?\}")
TYPE = re.compile(r"""(?:^|\s)type=(["'])(.*?)\1""")


def install(md: MarkdownIt) -> None:
    md.block.ruler.before("paragraph", "kramdown_extension", block,
                          {"alt": []})
    md.inline.ruler.before("text", "kramdown_span_extension", span)


def _stop(name: str) -> re.Pattern:
    return re.compile(r"\{:/(?:%s)?\}" % name)


def _written(name: str, attributes: str | None, body: str | None, block: bool) -> str:
    if body is None:
        return ""
    if name == "comment":
        return f"<!-- {body} -->" + ("\n" if block else "")
    found = TYPE.search(attributes or "")
    if found and "html" not in found[2].split():
        return ""
    return body + ("\n" if block else "")


def block(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    if state.sCount[start] - state.blkIndent >= 4:
        return False
    line = state.src[state.bMarks[start] + state.tShift[start]:state.eMarks[start]].rstrip()
    opening = START.fullmatch(line)
    if not opening:
        return False
    name, last, body = opening[1], start, None
    if not opening[3]:   # its body: to a line of its own that stops it
        stop = _stop(name)
        last = next((k for k in range(start + 1, end) if stop.fullmatch(
            state.src[state.bMarks[k] + state.tShift[k]:state.eMarks[k]].rstrip())), None)
        if last is None or state.sCount[last] - state.blkIndent >= 4:
            return False   # kramdown: "no stop tag", the line is text
        body = state.getLines(start + 1, last, state.blkIndent, True).removesuffix("\n")
    if silent:
        return True
    token = state.push("html_block", "", 0)
    token.content = _written(name, opening[2], body, True)
    token.map = [start, last + 1]
    token.meta = {"kramdown_raw": name == "nomarkdown"}   # written unindented
    state.line = last + 1
    return True


def span(state: StateInline, silent: bool) -> bool:
    if not state.src.startswith("{::", state.pos):
        return False
    opening = START.match(state.src, state.pos, state.posMax)
    if not opening:
        return False
    end, body = opening.end(), None
    if not opening[3]:
        stop = _stop(opening[1]).search(state.src, end, state.posMax)
        if stop is None:
            return False
        body, end = state.src[end:stop.start()], stop.end()
    if not silent:
        token = state.push("html_inline", "", 0)
        token.content = _written(opening[1], opening[2], body, False)
    state.pos = end
    return True
