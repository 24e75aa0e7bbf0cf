"""Raw HTML as kramdown writes it back: kramdown parses an HTML block into elements
and text (parser/html.rb's parse_raw_html) and writes the text escaped. So a
closing tag that closes nothing open (`Caption. </a></div>`) becomes the text
`&lt;/a&gt;`, which a browser shows, and a bare `<`, `>` or `&` in the text becomes
an entity; markdown-it passes the block through as written. Script and style keep
their text as it is."""

from __future__ import annotations

import re

# kramdown's span-level HTML elements; a line starting with any other tag opens an
# HTML block that runs to its closing tag.
SPAN_ELEMENTS = frozenset(
    "a abbr acronym b big bdo br button cite code del dfn em i img input ins kbd label "
    "mark option q rb rbc rp rt rtc ruby samp select small span strike strong sub sup "
    "tt u var".split())
VOID_ELEMENTS = frozenset("area base col embed hr link meta param source track wbr".split())
# kramdown's elements without a body (HTML_ELEMENTS_WITHOUT_BODY): never left open.
WITHOUT_BODY = VOID_ELEMENTS | {"br", "command", "img", "input", "keygen"}
RAW_ELEMENTS = frozenset("script style pre textarea".split())  # CommonMark's own rule 1
OPEN_TAG = re.compile(r"<([A-Za-z][A-Za-z0-9-]*)((?:\s+[^\s\"'>/=]+(?:\s*=\s*(?:\"[^\"]*\"|"
                      r"'[^']*'|[^\s\"'=<>`]+))?)*)\s*(/?)>")
CLOSE_TAG = re.compile(r"</([A-Za-z][A-Za-z0-9-]*)\s*>")
# Where kramdown's parser looks for markup: a tag, a closing tag, a comment or a
# processing instruction may start here; any other `<` is text.
MARKUP = re.compile(r"<(?=[A-Za-z_/]|!--|\?)")
COMMENT = re.compile(r"<!--.*?-->", re.S)
INSTRUCTION = re.compile(r"<\?.*?\?>", re.S)
# An entity or character reference, which kramdown's text escaping leaves alone.
REFERENCE = re.compile(r"&(?:[A-Za-z_:][\w:.-]*|#\d+|#x[0-9a-fA-F]+);")
TEXT_SPECIAL = re.compile(r"[<>]|&(?!(?:[A-Za-z_:][\w:.-]*|#\d+|#x[0-9a-fA-F]+);)")
ESCAPES = {"<": "&lt;", ">": "&gt;", "&": "&amp;"}
RAW_TEXT = ("script", "style")


def escape_text(text: str) -> str:
    return TEXT_SPECIAL.sub(lambda m: ESCAPES[m[0]], text)


def raw_html(block: str) -> str:
    """`block` (an HTML block element, whole) with its text escaped as kramdown
    escapes it, stray closing tags included."""
    out: list[str] = []
    open_tags: list[str] = []
    pos = 0
    while pos < len(block):
        found = MARKUP.search(block, pos)
        if found is None:
            out.append(escape_text(block[pos:]))
            break
        out.append(escape_text(block[pos:found.start()]))
        pos = found.start()
        pos = _markup(block, pos, out, open_tags)
    return "".join(out)


def _markup(block: str, pos: int, out: list[str], open_tags: list[str]) -> int:
    """Write the markup at `pos` (or its `<` as text); where the text goes on."""
    for pattern in (COMMENT, INSTRUCTION):
        found = pattern.match(block, pos)
        if found:
            out.append(found[0])
            return found.end()
    found = OPEN_TAG.match(block, pos)
    if found:
        out.append(found[0])
        name = found[1].lower()
        if name in RAW_TEXT:   # to its closing tag, as it is
            end = re.compile(rf"</{name}\s*>", re.I).search(block, found.end())
            stop = end.end() if end else len(block)
            out.append(block[found.end():stop])
            return stop
        if name not in WITHOUT_BODY and not found[3]:
            open_tags.append(name)
        return found.end()
    found = CLOSE_TAG.match(block, pos)
    if found:
        if open_tags and open_tags[-1] == found[1].lower():
            open_tags.pop()
            out.append(found[0])
        else:   # closes nothing open: kramdown keeps it as text
            out.append(escape_text(found[0]))
        return found.end()
    out.append("&lt;")
    return pos + 1
