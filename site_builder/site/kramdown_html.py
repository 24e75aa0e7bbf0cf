"""Raw HTML as kramdown writes it back: kramdown parses an HTML block into elements
and text (parser/html.rb's parse_raw_html) and writes the text escaped. So a
closing tag that closes nothing open (`Caption. </a></div>`) becomes the text
`&lt;/a&gt;`, which a browser shows, and a bare `<`, `>` or `&` in the text becomes
an entity; markdown-it passes the block through as written. Script and style keep
their text as it is."""

from __future__ import annotations

import re
import textwrap
from typing import Callable

# kramdown's span-level HTML elements; a line starting with any other tag opens an
# HTML block that runs to its closing tag.
SPAN_ELEMENTS = frozenset(
    "a abbr acronym b big bdo br button cite code del dfn em i img input ins kbd label "
    "mark option q rb rbc rp rt rtc ruby samp select small span strike strong sub sup "
    "tt u var".split())
VOID_ELEMENTS = frozenset("area base col embed hr link meta param source track wbr".split())
# kramdown's HTML_BLOCK_ELEMENTS: in a paragraph, their tags are text.
BLOCK_ELEMENTS = frozenset("""address article aside applet body blockquote caption col colgroup
    dd div dl dt fieldset figcaption footer form h1 h2 h3 h4 h5 h6 header hgroup hr html head
    iframe legend menu li main map nav ol optgroup p pre section summary table tbody td th
    thead tfoot tr ul""".split())
# kramdown's elements without a body (HTML_ELEMENTS_WITHOUT_BODY): never left open.
WITHOUT_BODY = VOID_ELEMENTS | {"br", "command", "img", "input", "keygen"}
# Elements whose text kramdown keeps as it is, to their closing tag (CommonMark's
# rule 1 takes them). A <pre>'s or <textarea>'s text it reads as any element's.
RAW_ELEMENTS = frozenset(("script", "style"))
# kramdown's tag grammar (HTML_TAG_RE), for blocks and spans alike: a name is an XML
# name (REXML's UNAME_STR: `max_hosts`, `filter:code`), an unquoted value one word.
NAME = r"[^\W\d][\w.-]*(?::[^\W\d][\w.-]*)?"
OPEN_TAG = re.compile(rf"<({NAME})((?:\s+{NAME}(?:\s*=\s*(?:\w+|\"[^\"]*\"|'[^']*'))?)*)\s*(/?)>")
CLOSE_TAG = re.compile(rf"</({NAME})\s*>")
ATTRIBUTE = re.compile(rf"\s*({NAME})(?:\s*=\s*(?:(\w+)|([\"'])(.*?)\3))?", re.S)
# kramdown's HTML elements (HTML_ELEMENT: their names are read in any case) and their
# content models in span-level HTML: any other element's text is raw (no Markdown).
KNOWN_ELEMENTS = frozenset("""a abbr acronym address applet area article aside b base bdo big
    blockquote body br button caption cite code col colgroup command dd del details dfn div dl
    dt em embed fieldset figcaption figure footer form h1 h2 h3 h4 h5 h6 head header hgroup hr
    html i iframe img input ins kbd keygen label legend li link main map mark math menu meta
    nav noscript object ol optgroup option p param pre q rb rbc rp rt rtc ruby samp script
    section select small source span strong style sub summary sup table tbody td textarea
    tfoot th thead tr track tt u ul var wbr""".split())
SPAN_CONTENT = frozenset("""a abbr acronym b bdo big button cite caption del dfn dt em h1 h2
    h3 h4 h5 h6 i ins label legend optgroup p q rb rbc rp rt rtc ruby select small span strong
    sub sup th tt""".split())
BLOCK_CONTENT = frozenset("""address applet article aside blockquote body dd details div dl
    fieldset figure figcaption footer form header hgroup iframe li main map menu nav noscript
    object section summary td""".split())
# Where kramdown's parser looks for markup: a tag, a closing tag, a comment or a
# processing instruction may start here; any other `<` is text.
MARKUP = re.compile(r"<(?=[^\W\d]|/|!--|\?)")   # (an XML name: `<权重名>` too)
COMMENT = re.compile(r"<!--.*?-->", re.S)
INSTRUCTION = re.compile(r"<\?.*?\?>", re.S)
# An entity or character reference, which kramdown's text escaping leaves alone.
REFERENCE = re.compile(r"&(?:[A-Za-z_:][\w:.-]*|#\d+|#x[0-9a-fA-F]+);")
TEXT_SPECIAL = re.compile(r"[<>]|&(?!(?:[A-Za-z_:][\w:.-]*|#\d+|#x[0-9a-fA-F]+);)")
ATTRIBUTE_SPECIAL = re.compile(r"[<>\"]|&(?!(?:[A-Za-z_:][\w:.-]*|#\d+|#x[0-9a-fA-F]+);)")
ESCAPES = {"<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;"}
RAW_TEXT = ("script", "style")
RAW_END = {name: re.compile(rf"</{name}\s*>", re.I) for name in RAW_TEXT}
MARKDOWN_ATTR = re.compile(r"""\s+markdown\s*=\s*(["']?)(1|block|span)\1""")
# kramdown's span content model: markdown="1" on these converts their text as one
# paragraph's (no <p>), on any other element as blocks.
SPAN_MODEL = frozenset("""a abbr acronym address b bdo big cite caption del dfn dt em h1 h2 h3 h4
    h5 h6 i ins kbd label legend optgroup p q rb rbc rp rt rtc ruby samp select small span
    strong sub sup th tt var""".split())


LINE_BREAKS = re.compile(r"\n+")


def escape_text(text: str) -> str:
    if "&" not in text:   # (`<` and `>` only: replaced without a call per match)
        return text.replace("<", "&lt;").replace(">", "&gt;")
    return TEXT_SPECIAL.sub(lambda m: ESCAPES[m[0]], text)


class Tag:
    """An opening tag (an OPEN_TAG match) as kramdown's parser reads it and its
    converter writes it back: a known element's name and attribute names in lower
    case, the last of the same attribute kept, a value-less attribute given "",
    `markdown=` taken out (it says whether the text is Markdown), an empty id left
    out; in a span (`span`), line breaks in values made spaces."""

    def __init__(self, found: re.Match, span: bool = True) -> None:
        known = found[1].lower() in KNOWN_ELEMENTS
        self.name = found[1].lower() if known else found[1]
        self.known = known
        self.attrs: dict[str, str] = {}
        for part in ATTRIBUTE.finditer(found[2]):
            value = part[2] if part[2] is not None else part[4] or ""
            self.attrs[part[1].lower() if known else part[1]] = \
                LINE_BREAKS.sub(" ", value) if span and "\n" in value else value
        mode = self.attrs.pop("markdown", None)
        model_raw = self.name not in SPAN_CONTENT and self.name not in BLOCK_CONTENT
        self.raw = mode == "0" or (mode != "span" and model_raw)
        self.closed = bool(found[3]) or self.name in WITHOUT_BODY

    def _start(self) -> str:
        return f"<{self.name}" + "".join(
            f' {key}="{escape_attribute(value)}"' for key, value in self.attrs.items()
            if key != "id" or value.strip())

    def opening(self) -> str:
        return self._start() + ">"

    def empty(self) -> str:
        return self._start() + (" />" if self.name in WITHOUT_BODY else f"></{self.name}>")

    def closing_tag(self) -> re.Pattern:
        return re.compile(rf"</{re.escape(self.name)}\s*>", re.I if self.known else 0)


def escape_attribute(value: str) -> str:
    if "&" not in value:   # (as escape_text)
        return value.replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    return ATTRIBUTE_SPECIAL.sub(lambda m: ESCAPES[m[0]], value)


def raw_html(block: str, markdown: Callable[[str, bool], str] | None = None,
             open_tags: list[str] | None = None, closed: list[int] | None = None) -> str:
    """`block` (an HTML block element, whole) with its text escaped as kramdown
    escapes it, stray closing tags included. An element inside it with a
    `markdown="1"` (or span, block) attribute has its content converted by
    `markdown(text, block_level)`, as kramdown does. `open_tags`, when given, is
    left holding the elements still open at the end, innermost last. `closed`,
    when given (and `open_tags` empty), gets element_end's answer for a block with
    no markdown attribute (read in the same pass): where the first markup after
    which no element is open ends, if one does."""
    out: list[str] = []
    open_tags = [] if open_tags is None else open_tags
    pos = 0
    while pos < len(block):
        found = MARKUP.search(block, pos)
        if found is None:
            out.append(escape_text(block[pos:]))
            break
        out.append(escape_text(block[pos:found.start()]))
        pos = found.start()
        pos = _markup(block, pos, out, open_tags, markdown)
        if closed is not None and not open_tags and not closed:
            closed.append(pos)
    return "".join(out)


def element_end(text: str) -> int | None:
    """Where the element that `text` opens ends, as kramdown's HTML parser reads it:
    each tag opens an element that only its own closing tag closes (a closing tag
    that is not the innermost open element's is text), so an unknown tag left open
    (`<your username>`) keeps the elements around it open. None: open to the end."""
    open_tags: list[str] = []
    found = MARKUP.search(text)
    while found is not None:
        pos = _past_markup(text, found.start(), open_tags)
        if not open_tags:
            return pos
        found = MARKUP.search(text, pos)
    return None


def _past_markup(block: str, pos: int, open_tags: list[str]) -> int:
    """_markup's reading of the markup at `pos` without its writing (no Tag made, no
    text escaped: element_end reads each HTML block once before raw_html writes it,
    and that reading was a third of their time): where the text goes on."""
    kind = block[pos + 1]
    if kind == "!" or kind == "?":
        found = (COMMENT if kind == "!" else INSTRUCTION).match(block, pos)
        return found.end() if found else pos + 1
    if kind == "/":
        found = CLOSE_TAG.match(block, pos)
        if found is None:
            return pos + 1
        if open_tags and open_tags[-1] == (found[1].lower() if open_tags[-1] in KNOWN_ELEMENTS
                                           else found[1]):
            open_tags.pop()
        return found.end()
    found = OPEN_TAG.match(block, pos)
    if found is None:
        return pos + 1
    name = found[1].lower()
    if name in RAW_TEXT:
        end = RAW_END[name].search(block, found.end())
        return end.end() if end else len(block)
    if name not in WITHOUT_BODY and not found[3]:
        open_tags.append(name if name in KNOWN_ELEMENTS else found[1])
    return found.end()


def _markdown_element(block: str, found: re.Match, out: list[str],
                      markdown: Callable[[str, bool], str],
                      open_tags: list[str] | None = None) -> int | None:
    """An element with a markdown attribute: its tags, its content converted; where
    the text goes on (None: no closing tag, left as it is)."""
    name = found[1].lower()
    depth, pos = 1, found.end()
    tags = re.compile(rf"<(/?){name}(?=[\s/>])[^>]*>", re.I)
    while depth:
        tag = tags.search(block, pos)
        if tag is None:
            return None
        depth += -1 if tag[1] else 1
        pos = tag.end()
    content = block[found.end():tag.start()]
    block_level = not span_level(found)
    out.append(block[found.start():found.start(2)] + MARKDOWN_ATTR.sub("", found[2])
               + block[found.end(2):found.end()])
    if block_level and open_tags is not None and _runs_to_end(content):
        # an HTML element in it that kramdown's parser never sees closed reads on past
        # this element's closing tag, to the end of the text (feeling-responsive's
        # `<table>` with a `<tbody>` never closed: its `</div>`s are text), where
        # this element is closed with the others
        out.append(markdown(textwrap.dedent(block[found.end():]), True))
        open_tags.append(name)
        return len(block)
    if block_level:
        out.append(markdown(textwrap.dedent(content), True))
    else:   # text keeps its spacing at either end (`\n- @who\n   </p>`), as kramdown's
        inner = content.strip(" \t\n")
        start = content.index(inner) if inner else len(content)
        out.append(content[:start] + (markdown(inner, False) if inner else "")
                   + content[start + len(inner):])
    out.append(tag[0])
    return pos


def _runs_to_end(content: str) -> bool:
    """Whether a block-level HTML element starting a line of `content` (after a blank
    line) is left open by kramdown's parser to the end of `content`."""
    if "<" not in content:
        return False
    for found in BLOCK_TAG_LINE.finditer(content):
        if found[1].lower() not in SPAN_ELEMENTS and found[1].lower() not in RAW_ELEMENTS \
                and not MARKDOWN_ATTR.search(found[0]) and element_end(content[found.start(1) - 1:]) is None:
            return True
    return False


# A line that starts a block with an HTML tag (after a blank line or at the start).
BLOCK_TAG_LINE = re.compile(rf"(?:\A|\n[ \t]*\n)[ ]{{0,3}}<({NAME})[^\n]*")


def span_level(opening: re.Match) -> bool:
    """Whether an element (its OPEN_TAG match) with a markdown attribute has its
    content converted as text (`<p markdown="1">`: no lists, no paragraphs)."""
    mode = MARKDOWN_ATTR.search(opening[2])[2]
    return mode == "span" or (mode == "1" and opening[1].lower() in SPAN_MODEL)


def _markup(block: str, pos: int, out: list[str], open_tags: list[str],
            markdown: Callable[[str, bool], str] | None = None) -> int:
    """Write the markup at `pos` (or its `<` as text); where the text goes on. (The
    character after the `<` says which of the four it can be: one match tried.)"""
    kind = block[pos + 1]
    if kind == "!" or kind == "?":
        found = (COMMENT if kind == "!" else INSTRUCTION).match(block, pos)
        if found:
            out.append(found[0])
            return found.end()
    elif kind == "/":
        found = CLOSE_TAG.match(block, pos)
        if found:
            if open_tags and open_tags[-1] == (found[1].lower() if open_tags[-1] in KNOWN_ELEMENTS
                                               else found[1]):
                out.append(f"</{open_tags.pop()}>")   # (as kramdown writes its element)
            else:   # closes nothing open: kramdown keeps it as text
                out.append(escape_text(found[0]))
            return found.end()
    else:
        found = OPEN_TAG.match(block, pos)
        if found:
            return _open_tag(block, pos, found, out, open_tags, markdown)
    out.append("&lt;")
    return pos + 1


def _open_tag(block: str, pos: int, found: re.Match, out: list[str], open_tags: list[str],
              markdown: Callable[[str, bool], str] | None) -> int:
    # (The block's own element is the caller's, unless its content is text.)
    if markdown is not None and "markdown" in found[2] and MARKDOWN_ATTR.search(found[2]) \
            and (pos > 0 or span_level(found)):
        after = _markdown_element(block, found, out, markdown, open_tags)
        if after is not None:
            return after
    name = found[1].lower()
    if found[2]:
        tag = Tag(found, span=False)
        written, closed = tag.opening(), tag.closed
    else:   # (no attributes, most tags of a table: Tag's name and closed without it)
        written = f"<{name}>" if name in KNOWN_ELEMENTS else f"<{found[1]}>"
        closed = bool(found[3]) or name in WITHOUT_BODY   # (all known elements)
    # (In raw HTML every element's text is raw: a closed one is written `<x />`.)
    out.append(written[:-1] + " />" if closed else written)
    if name in RAW_TEXT:   # to its closing tag, as it is
        end = RAW_END[name].search(block, found.end())
        stop = end.end() if end else len(block)
        out.append(block[found.end():stop])
        return stop
    if name not in WITHOUT_BODY and not found[3]:
        open_tags.append(name if name in KNOWN_ELEMENTS else found[1])   # (an unknown
    return found.end()                                                # one's as written)
