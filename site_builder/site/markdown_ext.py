"""Python-Markdown extensions that bring its HTML closer to Jekyll 4.3's kramdown
(GFM input, rouge highlighter), as bench/crosscheck.py measures it:

- nested lists indented by two spaces (kramdown nests by the item's content column,
  Python-Markdown by multiples of four), and lists straight after a paragraph line;
- an ordered list after an unordered one (or the reverse) starts a new list;
- heading ids as kramdown's GFM parser makes them (`setup`, `setup-1`, punctuation
  dropped, each space a '-');
- inline code with rouge's classes, and code blocks in rouge's shape: `<div class="language-X highlighter-rouge"><div
  class="highlight"><pre class="highlight"><code>`, fenced and indented alike;
- footnotes in kramdown's shape: `<div class="footnotes" role="doc-endnotes"><ol>`,
  no `<hr>`, links with classes "footnote" and "reversefootnote".
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as etree

from markdown import Extension, Markdown
from markdown.blockprocessors import OListProcessor, UListProcessor
from markdown.extensions.toc import render_inner_html, strip_tags
from markdown.postprocessors import Postprocessor
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import Treeprocessor
from pygments.formatters import HtmlFormatter

LIST_ITEM = re.compile(r"^( *)([-*+]|\d{1,9}[.)])( +|$)")
# What may interrupt a paragraph line as a list (GFM): a bullet, or an ordered list
# that starts at 1, with text after the marker.
INTERRUPTING_ITEM = re.compile(r"^ {0,3}([-*+]|1[.)]) +\S")
FENCE = re.compile(r"^ *(`{3,}|~{3,})")
THEMATIC_BREAK = re.compile(r"^ {0,3}([-*_])( *\1){2,} *$")
TAB = 4


class ListIndent(Preprocessor):
    """Re-indent list items and their continuation lines from kramdown's rule (a
    line belongs to an item when indented to the item's content column) to
    Python-Markdown's (four spaces per level), and put a blank line between a
    paragraph line and a list that follows it."""

    def run(self, lines: list[str]) -> list[str]:
        out: list[str] = []
        # Open items: (content column in the source, content column for Python-Markdown).
        stack: list[tuple[int, int]] = []
        fence = ""
        previous = ""          # the previous source line
        for line in lines:
            expanded = line.expandtabs(TAB)
            indent = len(expanded) - len(expanded.lstrip(" "))
            if fence:
                if expanded.strip().startswith(fence) and not expanded.strip().strip(fence[0]):
                    fence = ""
                out.append(self._shift(expanded, indent, stack))
                previous = line
                continue
            if not expanded.strip():
                out.append(line)
                previous = line
                continue
            opening = FENCE.match(expanded)
            item = LIST_ITEM.match(expanded)
            if item and THEMATIC_BREAK.match(expanded):
                item = None
            if item and not stack and indent >= TAB:
                item = None    # an indented code block
            if item and stack and indent >= stack[-1][0] + TAB:
                item = None    # code, or text, inside the deepest item
            if item:
                while stack and indent < stack[-1][0]:
                    stack.pop()
                if (not stack and previous.strip() and INTERRUPTING_ITEM.match(expanded)
                        and not LIST_ITEM.match(previous.expandtabs(TAB))
                        and not previous.lstrip().startswith(("<", "|", "#", ">"))):
                    out.append("")        # a list interrupts a paragraph in GFM
                depth = len(stack)
                marker = item.group(2)
                spaces = len(item.group(3)) if item.group(3) else 1
                if spaces > 4:
                    spaces = 1             # the rest is an indented code block
                stack.append((indent + len(marker) + spaces, TAB * (depth + 1)))
                out.append(" " * (TAB * depth) + expanded[indent:])
            else:
                if stack and indent < stack[-1][0]:
                    if not previous.strip():
                        while stack and indent < stack[-1][0]:
                            stack.pop()
                    else:
                        out.append(line)  # a lazy continuation line
                        previous = line
                        continue
                out.append(self._shift(expanded, indent, stack) if stack else line)
                if opening:
                    fence = opening.group(1)
            previous = line
        return out

    @staticmethod
    def _shift(line: str, indent: int, stack: list[tuple[int, int]]) -> str:
        for source, target in reversed(stack):
            if indent >= source:
                return " " * (target + indent - source) + line[indent:]
        return line


class HeadingIds(Treeprocessor):
    """kramdown's GFM ids: lowercase, drop all but word characters, '-', spaces and
    tabs, each space or tab a '-', '-1', '-2'... for repeats. Runs before toc, which
    keeps ids that are already there (attr_list's `{#id}` too)."""

    NON_WORD = re.compile(r"[^\w\- \t]")

    def run(self, root: etree.Element) -> None:
        counts: dict[str, int] = {}
        for el in root.iter():
            if not (isinstance(el.tag, str) and re.fullmatch(r"h[1-6]", el.tag)):
                continue
            if "id" in el.attrib:
                continue
            text = html.unescape(strip_tags(render_inner_html(el, self.md)))
            slug = re.sub(r"[ \t]", "-", self.NON_WORD.sub("", text.lower()))
            counts[slug] = counts.get(slug, 0) + 1
            el.set("id", slug if counts[slug] == 1 else f"{slug}-{counts[slug] - 1}")


class InlineCode(Treeprocessor):
    """kramdown + rouge mark inline code `x` as <code class="language-plaintext
    highlighter-rouge">."""

    def run(self, root: etree.Element) -> None:
        for parent in root.iter():
            if parent.tag == "pre":
                continue
            for el in parent:
                if el.tag == "code" and "class" not in el.attrib:
                    el.set("class", "language-plaintext highlighter-rouge")


class Footnotes(Treeprocessor):
    """Python-Markdown's footnotes in kramdown's shape."""

    def run(self, root: etree.Element) -> None:
        for parent in root.iter():
            for el in list(parent):
                if el.tag == "sup" and el.get("id", "").startswith("fnref"):
                    el.set("role", "doc-noteref")
                    for a in el.iter("a"):
                        if a.get("class") == "footnote-ref":
                            a.attrib.pop("class")
                            a.set("class", "footnote")
                            a.set("rel", "footnote")
                elif el.tag == "div" and el.get("class") == "footnote":
                    el.set("class", "footnotes")
                    el.set("role", "doc-endnotes")
                    for hr in [child for child in el if child.tag == "hr"]:
                        el.remove(hr)
                    for li in el.iter("li"):
                        if li.get("id", "").startswith("fn"):
                            li.set("role", "doc-endnote")
                    for a in el.iter("a"):
                        if a.get("class") == "footnote-backref":
                            a.attrib.pop("title", None)
                            a.attrib.pop("class")
                            a.set("class", "reversefootnote")
                            a.set("role", "doc-backlink")


class RougeFormatter(HtmlFormatter):
    """Pygments' HTML in the shape kramdown + rouge writes code blocks (fenced and
    indented): <div class="language-X highlighter-rouge"><div class="highlight">
    <pre class="highlight"><code>...; codehilite's `pygments_formatter`."""

    def __init__(self, lang_str: str = "", **options) -> None:
        lang = lang_str.removeprefix("language-")
        lang = "plaintext" if lang in ("", "text", "None") else lang
        self.highlight_class = options.get("cssclass") or "highlight"
        super().__init__(**{**options, "cssclass": f"language-{lang} highlighter-rouge"})

    def wrap(self, source):
        yield 0, (f'<div class="{self.highlight_class}">'
                  f'<pre class="{self.highlight_class}"><code>')
        yield from source
        yield 0, "</code></pre></div>"


class FootnoteSpace(Postprocessor):
    """kramdown puts a plain space before a footnote's back link, not a no-break one."""

    def run(self, text: str) -> str:
        return text.replace('&#160;<a class="reversefootnote"', ' <a class="reversefootnote"')


class KramdownExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:
        md.preprocessors.register(ListIndent(md), "kramdown_lists", 28)
        # A list of the other kind after a list starts a new list, as in kramdown.
        for name, tag in (("olist", "ol"), ("ulist", "ul")):
            processor = md.parser.blockprocessors[name]
            if isinstance(processor, (OListProcessor, UListProcessor)):
                processor.SIBLING_TAGS = [tag]
        md.treeprocessors.register(HeadingIds(md), "kramdown_ids", 6)
        md.treeprocessors.register(Footnotes(md), "kramdown_footnotes", 4)
        md.treeprocessors.register(InlineCode(md), "kramdown_inline_code", 3)
        # After footnotes' own postprocessor has written the &#160; (priority 25).
        md.postprocessors.register(FootnoteSpace(md), "kramdown_footnote_space", 4)


def makeExtension(**kwargs) -> KramdownExtension:  # noqa: N802 (Python-Markdown's name)
    return KramdownExtension(**kwargs)
