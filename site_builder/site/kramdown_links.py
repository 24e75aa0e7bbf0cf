"""Links as kramdown reads them (parser/kramdown/link.rb), where CommonMark differs:

- an image's alt text is its source, escapes read;
- autolinks: `<http://...>`, https, ftp, ftps, mailto and e-mail addresses only,
  their text as written;
- a link definition given twice: the last one counts (CommonMark keeps the first);
- a link's title, and a definition's URL, keep their backslashes (`"PXL\\_1.jpg"`):
  kramdown reads no escapes there;
- `[tern\\_for\\_vim][]` and `[tern\\_for\\_vim]` look up their text with its
  backslash escapes read (`tern_for_vim`), as kramdown's alt text; an explicit
  `[text][id]` looks `id` up as written, and may come after spaces: `[a] [b]` is
  the link `a` to `b`'s URL (and text if `b` is not defined, even when `a` is);
- links do not nest: in `[a [b](u) c](v)` the outer link wins and the inner one's
  `[` is text (CommonMark's inner link wins, and the outer brackets are text).
"""

from __future__ import annotations

import re
from types import SimpleNamespace

from markdown_it import MarkdownIt
from markdown_it.common import normalize_url
from markdown_it.common.utils import normalizeReference, replaceEntityPattern, unescapeAll
from markdown_it.helpers.parse_link_destination import _Result
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline

from site_builder.site.kramdown_emphasis import OPEN, emphasis

# kramdown's ESCAPED_CHARS (the alt text of a link is read with these).
ESCAPED = re.compile(r"""\\([\\.*_+`<>()\[\]{}#!:|"'$=-])""")


def install(md: MarkdownIt) -> None:
    md.helpers = SimpleNamespace(parseLinkLabel=_link_label,
                                 parseLinkDestination=_unescaped(link_destination),
                                 parseLinkTitle=_unescaped(md.helpers.parseLinkTitle))
    md.inline.ruler.before("link", "kramdown_no_nested_links", no_nested_links)
    note = next(r for r in md.inline.ruler.__rules__ if r.name == "footnote_ref")
    md.inline.ruler.before("kramdown_spaced_link", "kramdown_footnote_marker",
                           _footnote_marker(note.fn))
    md.inline.ruler.disable("footnote_ref")
    md.inline.ruler.before("kramdown_footnote_marker", "kramdown_plain_link", plain_link)
    md.core.ruler.after("block", "kramdown_last_definitions", last_definitions)
    for name, offset in (("link", 1), ("image", 2)):
        rule = next(r for r in md.inline.ruler.__rules__ if r.name == name)
        md.inline.ruler.at(name, _reference_link(rule.fn, offset), {"alt": rule.alt})
    md.add_render_rule("image", image)
    md.validateLink = _link_allowed(md.validateLink)
    md.inline.ruler.at("autolink", autolink)
    reference = next(r for r in md.block.ruler.__rules__ if r.name == "reference")
    md.block.ruler.at("reference", _kramdown_definition(reference.fn), {"alt": reference.alt})


def _link_allowed(validate):  # noqa: ANN001, ANN202
    """markdown-it refuses `file:` URLs; kramdown writes them as links (a tutorial's
    `[Demo](file:///E:/...)`, pointing at its author's disk). Those that run script
    (`javascript:`, `vbscript:`, `data:` but images) stay refused. Where `validate`
    is markdown-it's own, ours answers alike in one call (three, and two regular
    expressions, for every link)."""
    if getattr(validate, "__func__", None) is MarkdownIt.validateLink \
            and normalize_url.validateLink.__code__ is _MARKDOWN_IT_VALIDATE \
            and normalize_url.BAD_PROTO_RE.pattern == "^(vbscript|javascript|file|data):":
        return _link_allowed_here
    return lambda url: url.strip().lower().startswith("file:") or validate(url)


_MARKDOWN_IT_VALIDATE = normalize_url.validateLink.__code__   # (as imported: unpatched)
SCRIPT_PROTOCOLS = ("vbscript:", "javascript:", "data:")


def _link_allowed_here(url: str) -> bool:
    url = url.strip().lower()
    return not url.startswith(SCRIPT_PROTOCOLS) or normalize_url.GOOD_DATA_RE.search(url) is not None


# kramdown's FOOTNOTE_MARKER_START: `[^` ALD_ID_NAME `]` (Ruby's \w: ASCII).
FOOTNOTE_MARKER = re.compile(r"\[\^[A-Za-z0-9_][A-Za-z0-9_-]*\]")


def _footnote_marker(footnote_ref):  # noqa: ANN001, ANN202 (markdown-it's rule)
    """A footnote marker as kramdown reads one: before links (`[^1](x)` is no link),
    and when no footnote has its name, its text as written, taken whole: the `_` of
    `[^A-Za-z0-9_]` opens no emphasis (a JavaScript regex in a Chinese tutorial)."""
    def rule(state: StateInline, silent: bool) -> bool:
        found = FOOTNOTE_MARKER.match(state.src, state.pos, state.posMax)
        if found is None:
            return False
        if footnote_ref(state, silent):
            return True
        if not silent:
            state.pending += found[0]
        state.pos = found.end()
        return True
    return rule


# `[text](url)`: text in which no inline rule starts (nor a bracket), a URL of no
# space, parenthesis, backslash or `<`, no title.
PLAIN_LINK = re.compile(r"\[([^\[\]\n$\\`~_*!^{<&]*)\]\(([^\x00-\x20\x7f()\\<]+)\)")


def plain_link(state: StateInline, silent: bool) -> bool:
    """The most common link, made as the rules after this one would make it: kramdown's
    footnote marker and spaced link take no such link, and markdown-it's link rule,
    through kramdown's reference links, reads its label to the `]`, its URL whole,
    and no title. Nine links in ten of Jekyll's docs are made without them:
    no label read three times, no URL and title parsed character by character."""
    if state.linkLevel > 0:   # (kramdown_no_nested_links: the `[` is text)
        return False
    found = PLAIN_LINK.match(state.src, state.pos, state.posMax)
    if found is None:
        return False
    href = state.md.normalizeLink(unescapeAll(found[2]))
    if not state.md.validateLink(href):
        return False
    if not silent:   # (its text: what the inline rules make of a text none starts in)
        state.push("link_open", "a", 1).attrs = {"href": href}
        if found[1]:
            state.append_pending(found[1])
        state.push("link_close", "a", -1)
    state.pos = found.end()
    return True


# kramdown's LINK_DEFINITION_START on one line: any URL up to the title or the line's
# end (`.../commit/c948b)`, a stray parenthesis CommonMark's definition refuses).
DEFINITION = re.compile(r"""[ ]{0,3}\[([^\n\]]+)\]:[ \t]*(?:<(.*?)>|(\S(?:.*?\S)?))"""
                        r"""(?:[ \t]+(["'])(.+?)\4)?[ \t]*""")


QUOTED_AFTER_SPACE = re.compile(r"""[ \t]+["']""")


def _kramdown_definition(original):  # noqa: ANN001, ANN202 (markdown-it's rule)
    """A link definition kramdown reads where CommonMark does not (its URL), read
    as kramdown does; the others as markdown-it reads them."""
    def rule(state, start: int, end: int, silent: bool) -> bool:  # noqa: ANN001
        if original(state, start, end, silent):
            return True
        line = state.src[state.bMarks[start]:state.eMarks[start]]
        found = DEFINITION.fullmatch(line) if state.sCount[start] - state.blkIndent < 4 else None
        label = normalizeReference(found[1]) if found else ""
        if not label or found[3] and QUOTED_AFTER_SPACE.search(found[3]):
            return False   # (kramdown's own check: a title gone wrong is no definition)
        href = found[2] if found[2] is not None else found[3]
        if not state.md.validateLink(href):
            return False   # a script URL markdown-it refuses (renderer's script_links)
        if silent:
            return True
        ref = {"title": found[5] or "", "href": href, "map": [start, start + 1]}
        references = state.env.setdefault("references", {})
        if label in references:
            state.env.setdefault("duplicate_refs", []).append({**ref, "label": label})
        else:
            references[label] = ref
        state.line = start + 1
        return True
    return rule


# A destination in angle brackets, its backslashes taking the next character along;
# and a run of a bare destination's characters but for `\`, `(` and `)`.
ANGLED_DESTINATION = re.compile(r"<((?:[^\n<>\\]|\\[\s\S])*+)>")
DESTINATION_RUN = re.compile(r"[^\x00-\x20\x7f\\()]*+")


def link_destination(string: str, pos: int, maximum: int) -> _Result:
    """markdown-it's parseLinkDestination (CommonMark's rules, its result alike), its
    character-by-character loop replaced by a regular expression (over runs of plain
    characters for a bare URL): 3.5 times faster on the 4045 links of Jekyll's docs."""
    result = _Result()
    if pos < len(string) and string[pos] == "<":
        found = ANGLED_DESTINATION.match(string, pos, maximum)
        if found:
            result.ok, result.pos, result.str = True, found.end(), unescapeAll(found[1])
        return result
    start, level = pos, 0
    while True:
        pos = DESTINATION_RUN.match(string, pos, maximum).end()
        if pos >= maximum:
            break
        char = string[pos]
        if char == "\\":   # takes the next character along, but a space (at the end: itself)
            if pos + 1 < maximum and string[pos + 1] == " ":
                break
            pos += 2 if pos + 1 < maximum else 1
        elif char == "(":   # balanced parentheses, 32 deep at most
            level += 1
            if level > 32:
                return result
            pos += 1
        elif char == ")" and level:
            level -= 1
            pos += 1
        else:               # a space, a control character, an unbalanced `)`
            break
    if pos == start or level:
        return result
    result.ok, result.pos, result.str = True, pos, unescapeAll(string[start:pos])
    return result


ENTITY = re.compile(r"&([a-z#][a-z0-9]{1,31});", re.I)


def _unescaped(parse):  # noqa: ANN001, ANN202 (markdown-it's link helper)
    """markdown-it's helper, its text as written but for entities (which the
    renderer escapes again): with its backslashes, as kramdown keeps them."""
    def helper(string: str, start: int, maximum: int, *more):  # noqa: ANN202
        found = parse(string, start, maximum, *more)
        if found.ok and not any(more) and "\\" in string[start:found.pos]:
            quoted = string[start] in "<\"'("
            raw = string[start + quoted:found.pos - quoted]
            found.str = with_entities_read(raw)
        return found
    return helper


def with_entities_read(text: str) -> str:
    """`text` with its entities read, for an attribute (which the renderer escapes)."""
    return ENTITY.sub(lambda m: replaceEntityPattern(m[0], m[1]), text) if "&" in text else text


# kramdown's AUTOLINK_START: http(s), ftp(s) and mailto only, or an e-mail address;
# the link's text as written (CommonMark percent-decodes it: `%E4%BA%91` shows 云).
AUTOLINK = re.compile(r"<((mailto|https?|ftps?):[^\n]+?|[\w.-]+?@[\w.-]+?)>")


def autolink(state: StateInline, silent: bool) -> bool:
    found = AUTOLINK.match(state.src, state.pos, state.posMax)
    if not found:
        return False
    if not silent:
        token = state.push("link_open", "a", 1)
        token.attrs = {"href": found[1] if found[2] else "mailto:" + found[1]}
        token.markup, token.info = "autolink", "auto"
        text = state.push("text", "", 0)
        text.content, text.meta["kramdown_as_written"] = found[1], True   # no smart quotes
        token = state.push("link_close", "a", -1)
        token.markup, token.info = "autolink", "auto"
    state.pos = found.end()
    return True


def _link_label(state: StateInline, start: int, disable_nested: bool = False) -> int:
    """Where the link text from `start` ends, as kramdown counts brackets: a `[`
    inside is text that counts (a link inside is no link), but a footnote's mark
    inside takes its `[` and `]` along, and the outer is no link; and emphasis
    opened inside runs to its own closing mark, past a `]` too (schneems's
    `[@_tankard](https://twitter.com/_tankard_/...)` is no link in kramdown)."""
    # kramdown's spaced links, its reference links and markdown-it's link rule each
    # read the label at the same `[` in turn: the last answer, while nothing changed
    # that the reading depends on (half of the calls on Jekyll's docs).
    key = (start, state.src, state.posMax, state.level, state.linkLevel, len(state.tokens),
           tuple(state.env.get(OPEN, ())))
    last = getattr(state, "kramdown_label", None)
    if last is not None and last[0] == key:
        return last[1]
    end = _label_end(state, start)
    state.kramdown_label = (key, end)
    return end


def _label_end(state: StateInline, start: int) -> int:
    src, old = state.src, state.pos
    state.pos, level, end = start + 1, 1, -1
    inline = state.md.inline
    rule_chars = getattr(inline, "rule_chars", None)
    while state.pos < state.posMax:
        char = src[state.pos]
        if char == "]":
            level -= 1
            if level == 0:
                end = state.pos
                break
            state.pos += 1
        elif char == "[" and not src.startswith("^", state.pos + 1):
            level += 1
            state.pos += 1
        elif char in "*_<":
            state.pos = _past_span(state, state.pos)
        elif rule_chars is not None and char not in rule_chars \
                and state.level < state.md.options["maxNesting"] and state.pos not in state.cache:
            _skip_text(state, inline.terminator_re)
        else:
            before = state.pos
            inline.skipToken(state)
            if char == "[" and state.pos > before + 1:
                break   # a footnote's mark
    state.pos = old
    return end


def _skip_text(state: StateInline, terminator: re.Pattern) -> None:
    """skipToken where only markdown-it's text rule can start (kramdown.py's
    dispatch): to the next terminator, or past this one; kept in its cache alike.
    Without the calls of skipToken, the dispatch and the rule: a third of the time
    of reading the labels of Jekyll's docs."""
    pos = state.pos
    found = terminator.search(state.src, pos)
    after = found.start() if found else state.posMax
    state.pos = state.cache[pos] = after if after != pos else pos + 1


def _past_span(state: StateInline, start: int) -> int:
    """Where kramdown's span parsers leave off from the emphasis mark or tag at `start`
    (after its element, with a raw element's text: `<code>_</code>`; or after the
    marks when they are text), read on a scratch state so that no token is made."""
    # (footnotes left out: their rule counts each reference it reads)
    scratch = StateInline(state.src, state.md, {
        **{key: value for key, value in state.env.items() if key != "footnotes"},
        OPEN: list(state.env.get(OPEN, []))}, [])
    scratch.pos, scratch.posMax = start, state.posMax
    scratch.linkLevel = state.linkLevel + 1   # (inside a link: a `[` is text)
    if state.src[start] in "*_":
        emphasis(scratch, False)
    else:
        any(rule(scratch, False) for rule in state.md.inline.ruler.getRules(""))
    return max(scratch.pos, start + 1)


def no_nested_links(state: StateInline, silent: bool) -> bool:
    """Inside a link's text, a `[` is text (kramdown: "no nested links allowed");
    an image (`![`) and a footnote's mark (`[^1]`) still are what they are."""
    if state.linkLevel > 0 and state.src[state.pos] == "[" \
            and not state.src.startswith("^", state.pos + 1):   # a footnote's mark
        if not silent:
            state.pending += "["
        state.pos += 1
        return True
    return False


def image(self, tokens, idx, options, env) -> str:  # noqa: ANN001 (markdown-it's signature)
    """kramdown's alt text is the source between the brackets, its escapes read
    (`![*b*](x)`: "*b*"), where CommonMark's is the text without its markup."""
    token = tokens[idx]
    token.attrSet("alt", ESCAPED.sub(r"\1", token.content))
    return self.renderToken(tokens, idx, options, env)


def last_definitions(state: StateCore) -> None:
    """kramdown overwrites a link definition given again (case and runs of spaces
    aside, the same label); markdown-it keeps the first, and lists the others."""
    again = state.env.pop("duplicate_refs", None)
    if again:
        references = state.env["references"]
        for ref in again:
            references[ref["label"]] = {"title": ref["title"], "href": ref["href"],
                                        "map": ref["map"]}


def _reference_link(original, offset: int):  # noqa: ANN001, ANN202 (markdown-it's rule)
    """kramdown's reference links: `[text]`, then an id in brackets after any
    whitespace (`[text] [id]`, `[text][]`; empty: the text, its escapes read), looked
    up among the definitions; none found: the `[` is text. Inline links
    (`[text](url)`) are markdown-it's."""
    def rule(state: StateInline, silent: bool) -> bool:
        src, start = state.src, state.pos + offset
        if not src.startswith("!["[2 - offset:], state.pos):
            return False   # (a `!` without `[`: `reject! ensure][id]` is no image)
        if state.linkLevel > 0 or src.startswith("^", start) or "references" not in state.env:
            return original(state, silent)
        end = state.md.helpers.parseLinkLabel(state, start - 1, offset == 1)
        if end < 0 or src.startswith("(", end + 1):
            return original(state, silent)
        text = src[start:end]
        given = LINK_ID.match(src, end + 1, state.posMax)
        label = given[1] if given and given[1] else ESCAPED.sub(r"\1", text)
        ref = state.env["references"].get(normalizeReference(label))
        if ref is None:
            return False
        if not silent:
            _push_link(state, ref, start, end, offset == 2)
        state.pos = given.end() if given else end + 1
        return True
    return rule


# kramdown's LINK_INLINE_ID_RE: the id may come after spaces or a line break.
LINK_ID = re.compile(r"\s*?\[([^\]]+)?\]")


def _push_link(state: StateInline, ref: dict, start: int, end: int, image: bool) -> None:
    """The tokens markdown-it's link and image rules make."""
    if image:
        children: list = []
        state.md.inline.parse(state.src[start:end], state.md, state.env, children)
        token = state.push("image", "img", 0)
        token.attrs = {"src": ref["href"], "alt": ""}
        token.children, token.content = children or None, state.src[start:end]
    else:
        old_max = state.posMax
        state.pos, state.posMax = start, end
        token = state.push("link_open", "a", 1)
        token.attrs = {"href": ref["href"]}
        state.linkLevel += 1
        state.md.inline.tokenize(state)
        state.linkLevel -= 1
        state.push("link_close", "a", -1)
        state.posMax = old_max
    if ref["title"]:
        token.attrSet("title", ref["title"])
