"""Markdown to HTML as Jekyll 4.3's kramdown writes it (GFM input, rouge highlighter).

Built on markdown-it-py: a CommonMark parser five to ten times faster than
Python-Markdown on blog posts (see the README), whose token stream makes kramdown's
shapes a matter of a few rules, as bench/crosscheck.py measures them:

- code blocks (fenced and indented) in rouge's wrappers, highlighted by Pygments
  with rouge-compatible classes; inline code with rouge's classes;
- heading ids as kramdown's GFM parser makes them, and `{#id}` after a heading;
- kramdown's attribute lists: `{: .class #id key="v"}` on the line after a block
  (or before one, after a blank line), and after an image or link;
- footnotes in kramdown's shape; smart quotes, dashes and ellipses as characters;
- HTML block elements (`<div>`, `<iframe>`, `<audio>`...) taken whole to their
  closing tag, Markdown inside only with `markdown="1"`, as kramdown does.
"""

from __future__ import annotations

import bisect
import dataclasses
import html
import html.entities
import re
import unicodedata
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.parser_inline import ParserInline
from markdown_it.rules_block import StateBlock, html_block
from markdown_it.rules_core import StateCore
from markdown_it.rules_core.normalize import normalize as markdown_it_normalize
from markdown_it.rules_inline import StateInline, emphasis, strikethrough
from markdown_it.rules_inline.fragments_join import fragments_join
from markdown_it.common.utils import fromCodePoint, isValidEntityCode, unescapeAll
from markdown_it.common.entities import entities as ENTITIES
from markdown_it.rules_inline.entity import DIGITAL_RE, NAMED_RE
from markdown_it.rules_inline.entity import entity as markdown_it_entity
from markdown_it.token import Token, convert_attrs
from mdit_py_plugins.footnote import footnote_plugin

from site_builder.site.cache import blake2b
from site_builder.site.kramdown_emphasis import _after_letter
from site_builder.site.kramdown_spans import MARKUP_TAG
from site_builder.site.kramdown_table import chunk_starts, kramdown_table
from site_builder.site.rouge_languages import ROUGE_LANGUAGES
from site_builder.site.kramdown_html import (BLOCK_ELEMENTS, CLOSE_TAG, KNOWN_ELEMENTS,
                                             MARKDOWN_ATTR, OPEN_TAG, RAW_ELEMENTS, SPAN_ELEMENTS,
                                             REFERENCE, VOID_ELEMENTS, WITHOUT_BODY,
                                             element_end, escape_text, raw_html, span_level)

# kramdown's header id: an XML name (REXML's NAME_START_CHAR, NAME_CHAR), after a
# space or tab (`{#ما-معنى}`, `{#a:b}` too).
XML_NAME_START = ("_:A-Za-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF"
                  "\u200C-\u200D\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF"
                  "\uFDF0-\uFFFD\U00010000-\U000EFFFF")
XML_NAME_CHAR = XML_NAME_START + "\\-.0-9\u00B7\u0300-\u036F\u203F-\u2040"
HEADING_ID = re.compile(f"[\t ]\\{{#([{XML_NAME_START}][{XML_NAME_CHAR}]*)\\}}\\s*$")
IAL = re.compile(r"^\{:(?![:/])\s*([^}]*)\}\s*$")   # (`{::x}`: an extension)
SPAN_IAL = re.compile(r"^\{:(?![:/])\s*([^}]*)\}")
# kramdown's ALD_TYPE_ANY: a key="value" pair (quoted: `width=75%` is no attribute),
# a reference, or ids and classes run together; each alone between spaces.
IAL_PART = re.compile(r"""(?:\A|\s)(?:(\w[\w-]*)=("|')((?:\\\}|\\\2|[^}\x02])*?)\2"""
                      r"""|(\w[\w-]*)|((?:\#[A-Za-z][\w:-]*|\.[^\s.\#]+)+))(?=\s|\Z)""", re.A)
IAL_ID_OR_CLASS = re.compile(r"#([A-Za-z][\w:-]*)|\.([^\s.#]+)", re.A)
NON_WORD = re.compile(r"[^\w\- \t]")
# kramdown's `<< ` and ` >>` take the space in, as a no-break space.
TYPOGRAPHY = re.compile(r"---|--|\.\.\.|<< | >>|<<|>>")
SYMBOLS = {"---": "\u2014", "--": "\u2013", "...": "\u2026", "<< ": "\u00ab\u00a0",
           " >>": "\u00a0\u00bb", "<<": "\u00ab", ">>": "\u00bb"}
CODE_SPAN = re.compile(r"(`+)(?!`).*?(?<!`)\1(?!`)")
QUOTES = {'"': "\u201c\u201d", "'": "\u2018\u2019"}
QUOTE = re.compile("['\"]")
BEFORE_EMPHASIS = re.compile(r"[_*]{1,2}\S")
DOUBLE_SET = re.compile(r"""['"]\w""")
DECADE = re.compile(r"\d\ds")
RUBY_SPACE = " \t\n\r\f\v"   # Ruby's \s (kramdown's rules): no no-break space
POSSESSIVE = re.compile(r"s\b")
# The characters before a quote after which kramdown's rules may open it (_opens).
NOT_CLOSING_AFTER = frozenset(RUBY_SPACE + "\\[{(-")
# A quote before punctuation that is not followed by a word character closes.
# (`_` is a word character to Ruby's \B: a quote before `_` and a space does not.)
QUOTE_BEFORE_PUNCT = re.compile(r"""[!"#$%'()*+,\-./:;<=>?@\[\\\]^`{|}~](?!\.\.)(?!\w)""")
ROUGE_OPEN = ('<div class="language-{lang} highlighter-rouge"><div class="highlight">'
              '<pre class="highlight"><code>')
ROUGE_CLOSE = "</code></pre></div></div>\n"
PLAINTEXT = ("", "text", "plaintext", "plain", "none")
# A highlighted block's body when no lexer takes its language (kept in the cache as
# such, so that a rebuild knows it without loading Pygments).
NO_LEXER = "\0"


_UNSET = object()
_new_object = object.__new__


def _token_init(self: Token, type: str, tag: str, nesting: int, attrs=_UNSET,  # noqa: A002, ANN001
                map=None, level: int = 0, children=None, content: str = "",  # noqa: A002, ANN001
                markup: str = "", info: str = "", meta=_UNSET, block: bool = False,  # noqa: ANN001
                hidden: bool = False) -> None:
    """markdown-it's Token.__init__ (a dataclass's: its fields in order, `attrs` and
    `meta` a new dict when not given, `attrs` converted by __post_init__), the same
    fields set to the same values without the dataclass's default factories and the
    call of __post_init__: a twelfth of the instructions of the inline parse of
    Jekyll's docs, which makes a token for every run of text."""
    self.type = type
    self.tag = tag
    self.nesting = nesting
    self.attrs = {} if attrs is _UNSET else convert_attrs(attrs)
    self.map = map
    self.level = level
    self.children = children
    self.content = content
    self.markup = markup
    self.info = info
    self.meta = {} if meta is _UNSET else meta
    self.block = block
    self.hidden = hidden


if [field.name for field in dataclasses.fields(Token)] == [
        "type", "tag", "nesting", "attrs", "map", "level", "children", "content", "markup",
        "info", "meta", "block", "hidden"] and Token.__post_init__.__module__ == convert_attrs.__module__:
    Token.__init__ = _token_init   # (for every markdown-it in this process: the same tokens)

    def _token_at(type: str, tag: str, nesting: int, level: int,  # noqa: A002
                  content: str = "") -> Token:
        """Token(type, tag, nesting) at `level`, with `content`: _token_init's fields
        set here without its call and defaults, a third of what making a token
        costs (the inline parse makes one per text, code span and tag)."""
        token = _new_object(Token)
        token.type = type
        token.tag = tag
        token.nesting = nesting
        token.attrs = {}
        token.map = None
        token.level = level
        token.children = None
        token.content = content
        token.markup = ""
        token.info = ""
        token.meta = {}
        token.block = False
        token.hidden = False
        return token
else:
    def _token_at(type: str, tag: str, nesting: int, level: int,  # noqa: A002
                  content: str = "") -> Token:
        token = Token(type, tag, nesting)
        token.level, token.content = level, content
        return token


def _table_first(definition):  # noqa: ANN001, ANN202 (markdown-it's rule function)
    """kramdown tries a table before a link or footnote definition: `[1]: url "a | b"`
    after a blank line and before one is a table row (houbb.github.io's `([Tauri][1])`
    citations stay text)."""
    def rule(state, start: int, end: int, silent: bool) -> bool:  # noqa: ANN001
        if kramdown_table(state, start, end, True):
            return False
        return definition(state, start, end, silent)
    return rule


def renderer(options: dict | None = None, *, script_links: bool = False) -> MarkdownIt:
    """A Markdown-to-HTML converter in kramdown's shapes: `renderer().render(text)`.
    `options`: the config's `kramdown:` (its syntax_highlighter_opts are used).
    `script_links`: write `javascript:`, `vbscript:` and `data:` URLs as kramdown does
    (a Jekyll blog built with its own layouts: its author's Markdown, which Jekyll
    writes); otherwise they stay text, as markdown-it refuses them."""
    md = MarkdownIt("commonmark", {"html": True})
    md.options["kramdown_line_numbers"] = _line_numbers(options)
    md.options["kramdown_auto_ids"] = _auto_ids(options)
    md.options["kramdown_quotes"] = _smart_quotes(options)
    if isinstance(options, dict) and options.get("toc_levels") is not None:
        md.options["kramdown_toc_levels"] = options["toc_levels"]
    md.core.ruler.at("normalize", normalize)
    md.enable(["strikethrough"])   # tables: kramdown's own rule (kramdown_table.py)
    # Entities stay tokens of their own (smart quotes must not turn &#39; into a
    # curly quote), written as kramdown writes them (text_special).
    md.disable("text_join")
    md.use(footnote_plugin, inline=False)   # kramdown has no ^[inline notes]
    md.block.ruler.before("html_block", "kramdown_html", html_element,
                          {"alt": ["paragraph", "reference", "blockquote"]})
    md.block.ruler.at("html_block", commonmark_html_block,
                      {"alt": ["paragraph", "reference", "blockquote"]})
    md.block.ruler.before("paragraph", "kramdown_table", kramdown_table, {"alt": ["paragraph"]})
    md.core.ruler.push("kramdown_fences", indented_fences)
    md.core.ruler.push("kramdown_later", markdown_inside_html)
    md.core.ruler.push("kramdown_span_ials", span_attribute_lists)
    md.core.ruler.push("kramdown_typography", typography)
    md.core.ruler.push("kramdown_spans", span_shapes)
    md.core.ruler.push("kramdown_attributes", attribute_lists)
    md.core.ruler.push("kramdown_heading_ids", heading_ids)
    for name, rule in RULES.items():
        md.add_render_rule(name, rule)
    from site_builder.site import (kramdown_abbreviations, kramdown_blocks,
                                   kramdown_extensions, kramdown_gfm, kramdown_links,
                                   kramdown_paragraphs, kramdown_quote, kramdown_render,
                                   kramdown_spans)
    kramdown_quote.install(md)
    kramdown_extensions.install(md)
    kramdown_abbreviations.install(md)
    kramdown_gfm.install(md)
    kramdown_links.install(md)
    kramdown_spans.install(md)
    kramdown_paragraphs.install(md)
    kramdown_blocks.install(md)   # last: kramdown's blank lines and indentation
    kramdown_render.install(md)
    # kramdown writes a link's URL as written: no percent-encoding, no punycode
    # (`#符号` stays as it is; a browser resolves both alike). The renderer still
    # escapes it for the attribute, and validateLink refuses javascript: URLs (but
    # with script_links).
    md.normalizeLink = lambda url: url
    for rule in md.block.ruler.__rules__:   # (around every other install's wrapper)
        if rule.name in ("footnote_def", "reference"):
            md.block.ruler.at(rule.name, _table_first(rule.fn), {"alt": rule.alt})
    if script_links:
        md.validateLink = lambda url: True
    _dispatch_block_rules(md)
    _dispatch_inline_rules(md)
    return md


# The characters a line can start with (after its indentation) for each block rule
# to take it; the others can take a line starting with anything.
BLOCK_STARTS = {"kramdown_math_block": "$", "fence": "`~", "blockquote": ">", "hr": "*-_",
                "list": "*-+0123456789", "footnote_def": "[", "reference": "[",
                "kramdown_html": "<", "html_block": "<", "heading": "#",
                "kramdown_abbreviation": "*", "kramdown_extension": "{"}
# The same where a rule only says whether a line ends a block (a chain's terminators,
# which markdown-it calls silent): a definition's `:` (or `~`) line then, where
# a whole definition list may start with a term of any text.
TERMINATOR_STARTS = {**BLOCK_STARTS, "deflist": ":~"}


def _dispatch_block_rules(md: MarkdownIt) -> None:
    """markdown-it tries every block rule on every line (and every terminating rule
    on every line of a paragraph), each returning at once when the line's first
    character is not its own: a tenth of Markdown's time. Each chain becomes one
    rule that tries, in the same order, only the rules that can take the line's first
    character: the same rules answer, so the same tokens come out."""
    ruler = md.block.ruler
    rules = [rule for rule in ruler.__rules__ if rule.enabled]
    chains = {""} | {name for rule in rules for name in rule.alt}
    cache = {}
    for chain in chains:
        chosen = [rule for rule in rules if not chain or chain in rule.alt]
        cache[chain] = [_dispatcher(chosen, TERMINATOR_STARTS if chain else BLOCK_STARTS)]
    ruler.__cache__ = cache  # rebuilt by markdown-it (plain chains) if a rule changes


def _by_char(rules: list, starts: dict[str, str]) -> tuple[dict[str, list], list]:
    """For each character some rule needs, the rules that can take it, in order; and
    the rules that can take any character."""
    anywhere = [rule.fn for rule in rules if rule.name not in starts]
    by_char = {char: [rule.fn for rule in rules
                      if rule.name not in starts or char in starts[rule.name]]
               for char in sorted(set("".join(starts.values())))}
    return by_char, anywhere


# The same for inline rules: the character at the position each one can start at.
INLINE_STARTS = {"newline": "\n", "kramdown_math": "$", "escape": "\\", "backticks": "`",
                 "strikethrough": "~", "emphasis": "_*", "kramdown_spaced_link": "[",
                 "kramdown_plain_link": "[",
                 "kramdown_no_nested_links": "[", "kramdown_footnote_marker": "[",
                 "link": "[", "image": "!", "kramdown_spaced_image": "!",
                 "footnote_inline": "^", "footnote_ref": "[", "kramdown_span_extension": "{",
                 "autolink": "<", "html_inline": "<", "entity": "&"}


def _dispatch_inline_rules(md: MarkdownIt) -> None:
    """As _dispatch_block_rules, for inline rules: at each character that ends a run
    of text, only the rules that can start there are tried."""
    ruler = md.inline.ruler
    rules = [rule for rule in ruler.__rules__ if rule.enabled]
    by_char, anywhere = _by_char(rules, INLINE_STARTS)

    def rule(state: StateInline, silent: bool) -> bool:
        for fn in by_char.get(state.src[state.pos], anywhere):
            if fn(state, silent):
                return True
        return False
    ruler.__cache__ = {"": [rule]}   # (skipToken's, one token at a time)
    if [fn.__name__ for fn in anywhere] == ["text"] \
            and all(md.inline.terminator_re.match(char) for char in by_char):
        md.inline.tokenize = _text_runs_tokenizer(md, by_char, anywhere[0])
        md.inline.rule_chars = frozenset(by_char)   # (elsewhere only `text` can start)
        if [rule.name for rule in md.inline.ruler2.__rules__ if rule.enabled] \
                == ["balance_pairs", "fragments_join"]:
            md.inline.parse = _plain_text_parse(md, md.inline.parse, by_char, anywhere[0])
            if not any(rule.fn in (emphasis.tokenize, strikethrough.tokenize) for rule in rules):
                md.inline.ruler2.__cache__ = {"": [_fragments_join]}


def _fragments_join(state: StateInline) -> None:
    """markdown-it's inline passes after the rules: balance_pairs pairs the delimiters
    that its emphasis and strikethrough rules leave (kramdown's make none: nothing to
    pair); fragments_join sets each token's level from the nestings, and joins
    adjacent texts. Here the levels in one loop, and markdown-it's own join (which
    sets them alike) only where two texts meet (seldom): a tenth of the inline parse
    of Jekyll's docs."""
    level = 0
    text = meet = False
    for token in state.tokens:
        nesting = token.nesting
        if nesting < 0:
            level -= 1
        token.level = level
        if nesting > 0:
            level += 1
        if token.type == "text":
            meet = meet or text
            text = True
        else:
            text = False
    if meet:
        fragments_join(state)


def _plain_text_parse(md: MarkdownIt, parse, by_char: dict[str, list], text):  # noqa: ANN001, ANN202
    """markdown-it's inline parse, but for a text no rule can start in (a quarter of
    the headings, paragraphs and list items of Jekyll's docs): one text token, as the
    parse makes it, without its state and its passes over the tokens. And for a text
    where only plain links, code spans and `{`s that start no extension are
    (`Fix a typo ([#12](url))`: the history page's every item): their tokens, as
    the rules make them (_simple_spans)."""
    from site_builder.site import (kramdown_blocks, kramdown_emphasis, kramdown_extensions,
                                   kramdown_gfm, kramdown_links)
    rule_char = re.compile("[" + re.escape("".join(by_char)) + "]").search
    if getattr(parse, "__func__", None) is ParserInline.parse:
        parse = _pending_state_parse(md.inline)
    # The characters _simple_spans reads as their rules do: where each rule is the
    # first at its character (`text` takes none of these, see _text_runs_tokenizer),
    # the only one at `{` (kramdown_extensions.span refuses `{` but `{::`).
    rules = {char: [fn for fn in fns if fn is not text] for char, fns in by_char.items()}
    simple = "".join(char for char, fn in (("[", kramdown_links.plain_link),
                                          ("`", kramdown_gfm.code_span),
                                          ("\n", kramdown_blocks.newline))
                     if rules.get(char, [None])[0] is fn)
    if rules.get("{") == [kramdown_extensions.span]:
        simple += "{"
    if rules.get("_") == [kramdown_emphasis.emphasis]:
        simple += "_"   # (after a letter: text, see _simple_spans)
    if rules.get("&") == [markdown_it_entity]:
        simple += "&"
    link_at = (kramdown_links.PLAIN_LINK.match, kramdown_blocks.LAZY_END_HTML.match)

    def plain_parse(src: str, md_: MarkdownIt, env: dict, tokens: list[Token]) -> list[Token]:
        if tokens or md_ is not md:
            return parse(src, md_, env, tokens)
        found = rule_char(src)
        if found is not None:
            made = _simple_spans(md, src, found.start(), rule_char, link_at, simple) \
                if src[found.start()] in simple else None
            if made is None:
                return parse(src, md_, env, tokens)
            tokens += made
            return tokens
        if src:
            token = Token("text", "", 0)
            token.content = src
            tokens.append(token)
        return tokens
    return plain_parse


CODE_SPACE = " \t\n\r\f\v"   # (kramdown_gfm's WHITESPACE: around a lone backtick)


def _simple_spans(md: MarkdownIt, src: str, pos: int, rule_char, link_at,  # noqa: ANN001
                  simple: str) -> list[Token] | None:
    """The tokens of a text in which every character a rule starts at (`pos` the
    first) starts a plain link (kramdown_links.plain_link's), a code span
    (kramdown_gfm.code_span's, closed), or is a `{` that starts no extension or a
    `_` after a letter (kramdown_emphasis.emphasis makes it text), or an `&`
    (an entity or text: markdown-it's entity rule, _entity), as the
    inline parse makes them: the texts between, each link's opening, text and
    closing, each code span, each line break (kramdown_blocks.newline's), at
    fragments_join's levels. None for any other text. (`link_at`: PLAIN_LINK.match
    and LAZY_END_HTML.match, `rule_char`: where a rule may start, `simple`: which of
    `[`, `` ` ``, a line break, `{`, `_` and `&` it may read.)"""
    link_at, lazy_end = link_at
    made: list[Token] = []
    last, size = 0, len(src)
    while pos >= 0:
        char = src[pos]
        if char not in simple:
            return None
        if char == "\n":   # newline's reading: the text before it is what is pending
            pending, kind = src[last:pos], "softbreak"
            if pending.endswith("  "):
                pending, kind = pending[:-2], "hardbreak"
            elif pending[-1:] in (" ", "\t") and lazy_end(src, pos + 1):
                pending = pending.rstrip(" \t")
            if pending:
                made.append(_token_at("text", "", 0, 0, pending))
            made.append(_token_at(kind, "br", 0, 0))
            last = pos + 1
            following = rule_char(src, last)
            pos = following.start() if following is not None else -1
            continue
        if char == "_":   # emphasis' reading of a `_` (or `__`) after a letter: text
            if not _after_letter(src, pos):
                return None
            pos += 2 if src[pos + 1:pos + 2] == "_" else 1
            following = rule_char(src, pos)
            pos = following.start() if following is not None else -1
            continue
        if char == "&":   # markdown-it's entity rule's reading (ours: in this loop)
            made_entity = _entity(src, pos, size)
            if made_entity is None:   # (no entity: the `&` is text)
                following = rule_char(src, pos + 1)
            else:
                if pos > last:
                    made.append(_token_at("text", "", 0, 0, src[last:pos]))
                made.append(made_entity)
                last = pos + len(made_entity.markup)
                following = rule_char(src, last)
            pos = following.start() if following is not None else -1
            continue
        if char == "{":   # (kramdown_extensions.span refuses it: text)
            if src.startswith("{::", pos):
                return None
            following = rule_char(src, pos + 1)
            pos = following.start() if following is not None else -1
            continue
        if char == "`":   # code_span's reading
            end = pos
            while end < size and src[end] == "`":
                end += 1
            marker = src[pos:end]
            close = -1
            if not (len(marker) == 1 and (pos == 0 or src[pos - 1] in CODE_SPACE)
                    and end < size and src[end] in CODE_SPACE):
                close = src.find(marker, end, size)
            if close < 0:
                return None   # (backticks as text: a token of their own, the parse's)
            if pos > last:
                made.append(_token_at("text", "", 0, 0, src[last:pos]))
            code = src[end:close]
            if len(marker) > 1:
                code = code[1:] if code.startswith(" ") else code
                code = code[:-1] if code.endswith(" ") else code
            token = _token_at("code_inline", "code", 0, 0, code)
            token.markup = marker
            made.append(token)
            last = close + len(marker)
        else:   # `[`: plain_link's reading
            found = link_at(src, pos)
            if found is None:
                return None
            href = md.normalizeLink(unescapeAll(found[2]))
            if not md.validateLink(href):
                return None
            if pos > last:
                made.append(_token_at("text", "", 0, 0, src[last:pos]))
            opening = _token_at("link_open", "a", 1, 0)
            opening.attrs = {"href": href}
            made.append(opening)
            if found[1]:
                made.append(_token_at("text", "", 0, 1, found[1]))
            made.append(_token_at("link_close", "a", -1, 0))
            last = found.end()
        following = rule_char(src, last)
        pos = following.start() if following is not None else -1
    if last < size:
        made.append(_token_at("text", "", 0, 0, src[last:]))
    return made


def _entity(src: str, pos: int, size: int) -> Token | None:
    """The text_special token markdown-it's entity rule makes for the `&` at `pos`
    (the same patterns and tables), or None where it makes none."""
    if pos + 1 >= size:
        return None
    if src[pos + 1] == "#":
        found = DIGITAL_RE.match(src, pos)
        if found is None:
            return None
        number = found[1]
        code = int(number[1:], 16) if number[0].lower() == "x" else int(number, 10)
        content = fromCodePoint(code if isValidEntityCode(code) else 0xFFFD)
    else:
        found = NAMED_RE.match(src, pos)
        if found is None or found[1] not in ENTITIES:
            return None
        content = ENTITIES[found[1]]
    token = _token_at("text_special", "", 0, 0, content)
    token.markup, token.info = found[0], "entity"
    return token


def _pending_state_parse(parser: ParserInline):  # noqa: ANN202 (ParserInline.parse)
    """ParserInline.parse with a _PendingState for its state."""
    def parse(src: str, md: MarkdownIt, env: dict, tokens: list[Token]) -> list[Token]:
        state = _PendingState(src, md, env, tokens)
        parser.tokenize(state)
        for rule in parser.ruler2.getRules(""):
            rule(state)
        return state.tokens
    return parse


class _PendingState(StateInline):
    """StateInline, its push and pushPending reading the pending text's two fields
    (a string and a list of pieces to add to it) directly: StateInline's `pending`
    property, which joins them, was called three times per token. The same tokens
    (made by _token_at)."""

    def pushPending(self) -> Token:
        buffer = self._pending_buffer
        token = _token_at("text", "", 0, self.pendingLevel,
                          self._pending + "".join(buffer) if buffer else self._pending)
        self.tokens.append(token)
        self._pending, self._pending_buffer = "", []   # (as the property's setter)
        return token

    def push(self, ttype: str, tag: str, nesting: int) -> Token:
        """StateInline.push: the pending text first, then the token at its level."""
        if self._pending or any(self._pending_buffer):
            self.pushPending()
        token_meta = None
        if nesting < 0:
            self.level -= 1
            self.delimiters = self._prev_delimiters.pop()
        token = _token_at(ttype, tag, nesting, self.level)
        if nesting > 0:
            self.level += 1
            self._prev_delimiters.append(self.delimiters)
            self.delimiters = []
            token_meta = {"delimiters": self.delimiters}
        self.pendingLevel = self.level
        self.tokens.append(token)
        self.tokens_meta.append(token_meta)
        return token


def _text_runs_tokenizer(md: MarkdownIt, by_char: dict[str, list], text):  # noqa: ANN001, ANN202
    """markdown-it's inline tokenize, run by run of text: between two characters some
    rule other than `text` can start at, markdown-it's loop only adds to the pending
    text (`text` takes a run up to a terminator, a terminator no rule takes is added
    alone), one call of each per piece: a third of the inline parse. Here the whole
    stretch is added at once, and at each rule's character its rules are tried in
    order (`text` left out: it takes no terminator, and each of these characters
    is one). The same rules run at the same places, so the same tokens come out."""
    rules = {char: [fn for fn in fns if fn is not text] for char, fns in by_char.items()}
    next_rule_char = re.compile("[" + re.escape("".join(rules)) + "]").search
    max_nesting = md.options["maxNesting"]

    def tokenize(state: StateInline) -> None:
        src, end = state.src, state.posMax
        pos = state.pos
        while pos < end:
            if state.level >= max_nesting:   # markdown-it tries no rule: all is text
                state.append_pending(src[pos:end])
                state.pos = end
                break
            found = next_rule_char(src, pos, end)
            stop = found.start() if found else end
            if stop > pos:   # (append_pending's body: a Python call less per piece)
                state._pending_buffer.append(src[pos:stop])
                state.pos = pos = stop
                if pos >= end:
                    break
            for fn in rules[src[pos]]:
                if fn(state, False):
                    if state.pos <= pos:
                        raise RuntimeError("inline rule didn't increment state.pos")
                    break
            else:
                state._pending_buffer.append(src[pos])
                state.pos += 1
            pos = state.pos
        if state._pending or any(state._pending_buffer):   # (`if state.pending`)
            state.pushPending()
    return tokenize


def _dispatcher(rules: list, starts: dict[str, str]):  # noqa: ANN202 (markdown-it's rule function)
    every = [rule.fn for rule in rules]
    by_char, anywhere = _by_char(rules, starts)

    def rule(state: StateBlock, start: int, end: int, silent: bool) -> bool:
        pos = state.bMarks[start] + state.tShift[start]
        fns = by_char.get(state.src[pos], anywhere) if pos < state.eMarks[start] else every
        for fn in fns:
            if fn(state, start, end, silent):
                return True
        return False
    # (for the callers that look the rules up themselves: kramdown_blocks' paragraph
    # and tokenize)
    rule.by_char, rule.anywhere, rule.every = by_char, anywhere, every
    return rule


# -- HTML blocks ------------------------------------------------------------------

def html_element(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    """A block HTML element, to the line of its closing tag (kramdown's rule, where
    CommonMark stops at the first blank line)."""
    if state.is_code_block(start) or not state.md.options.get("html"):
        return False
    line = _line(state, start)
    opening = OPEN_TAG.match(line)
    if not opening:
        return _html_element_tag_over_lines(state, start, end, silent, line)
    tag = opening[1].lower()
    if tag in SPAN_ELEMENTS or tag in RAW_ELEMENTS:
        return False
    last = _closing_line(state, start, end, tag, opening)
    if silent:
        return True
    inner = MARKDOWN_ATTR.search(opening[2] or "")
    blocks = inner and line[opening.end():].strip() == "" and not span_level(opening)
    tag_line = line[:opening.start(2)] + MARKDOWN_ATTR.sub("", opening[2]) + line[opening.end(2):]
    whole = last is not None and last > start \
        and _line(state, last).strip().lower() == f"</{tag}>"
    if blocks and whole:
        _markdown_inside(state, start, last, tag_line)
    elif blocks and last is None:   # kramdown reads blocks to the end, closes it there
        _markdown_inside(state, start, end, tag_line, f"</{tag}>")
        last = end - 1
    elif whole and not inner and line[opening.end():].strip() == "" and tag in BLOCK_MODEL \
            and "markdown" not in opening[2] and _parse_block_html(state, start):
        _markdown_inside(state, start, last, line)
    else:
        last = _raw_element(state, start, end, last)
        raw = MARKDOWN_RAW.search(opening[2] or "")
        if raw:   # markdown="0": as it is, the attribute dropped (as kramdown drops it)
            token = state.tokens[-1]
            token.content = token.content.replace(raw[0], "", 1)
    state.line = last + 1
    return True


def _html_element_tag_over_lines(state: StateBlock, start: int, end: int, silent: bool,
                                 line: str) -> bool:
    """A block element whose start tag runs over lines (`<div style="a;` / `b">`,
    jalammar's posts): kramdown's tag pattern spans lines, so the element is its raw
    HTML to its closing tag, as a one-line tag's (CommonMark stopped it at the first
    blank line, and its closing tag became text)."""
    if not line.startswith("<") or "=" not in line and not BARE_TAG_NAME.fullmatch(line.rstrip()):
        return False   # an attribute, or the name alone (`<svg` / `  width="50"`)
    begin = state.bMarks[start] + state.tShift[start]
    # (kramdown's tag pattern runs over blank lines too: a quoted value may hold them)
    opening = OPEN_TAG.match(state.src, begin, state.eMarks[end - 1])
    if not opening or "\n" not in opening[0]:
        return False
    tag = opening[1].lower()
    if tag in SPAN_ELEMENTS or tag in RAW_ELEMENTS:
        return False
    tag_end = start + opening[0].count("\n")   # where the start tag ends
    last = _closing_line(state, start, end, tag, opening)
    if silent:
        return True
    state.line = _raw_element(state, start, end, None if last is None else
                              max(last, tag_end)) + 1
    return True


BARE_TAG_NAME = re.compile(r"<[A-Za-z][\w:-]*")
# kramdown's HTML_CONTENT_MODEL_BLOCK: with the parse_block_html option, their
# content is read as Markdown blocks.
BLOCK_MODEL = frozenset("""address applet article aside blockquote body dd details div dl
    fieldset figure figcaption footer form header hgroup iframe li main map menu nav noscript
    object section summary td""".split())
MARKDOWN_RAW = re.compile(r"""\s+markdown\s*=\s*(["']?)0\1(?=[\s/>]|$)""")
BLOCK_HTML_OPTION = re.compile(
    r"""^[ ]{0,3}\{::options\b[^}\n]*?\bparse_block_html=(["'])(\w*)\1[^}\n]*\}""", re.M)


def _parse_block_html(state: StateBlock, start: int) -> bool:
    """Whether `{::options parse_block_html="true" /}` is in force at line `start`:
    the last such line before it says (kramdown reads options where they stand)."""
    if "parse_block_html" not in state.src:
        return False
    memo = state.env.setdefault("kramdown_block_html", {})
    if state.src not in memo:
        memo[state.src] = [(state.src.count("\n", 0, found.start()), found[2] == "true")
                           for found in BLOCK_HTML_OPTION.finditer(state.src)]
    setting = False
    for line, value in memo[state.src]:
        if line >= start:
            break
        setting = value
    return setting


def _raw_element(state: StateBlock, start: int, end: int, last: int | None) -> int:
    """The html_block token of an element opened on line `start` and closed on line
    `last` by its tag's count (None: never): kramdown's raw HTML, and its last line.
    An element kramdown's parser leaves open (a tag never closed, or an unknown
    `<your username>` inside) runs to the end of the text, closed there."""
    later = lambda text, block_level: _later(state, text, block_level)  # noqa: E731
    open_tags: list[str] = []
    content = None
    resumed = False
    if last is not None:
        content = _whole_lines_html(state, start, last, later, open_tags)
    if content is None and last is not None:   # (element_end's reading first, then raw_html)
        last, rest = _after_element(state, start, last)
        lines = state.getLines(start, last + 1, state.blkIndent, True)
        if rest is not None:   # `<p>a</p><p>b</p>`: what follows is the next block
            lines = lines.rstrip("\n")[:rest - state.eMarks[last]] + "\n"
        content = raw_html(lines, later, open_tags)
        if rest is not None and not open_tags:   # the block parser goes on there
            _start_line_at(state, last, rest)      # (kramdown_blocks)
            state.env["kramdown_resume"] = resumed = last
    if content is None or open_tags:   # rare: read the rest as kramdown's parser does
        end = _text_end(state, start, end)
        begin = state.bMarks[start] + state.tShift[start]
        closed = element_end(state.src[begin:state.eMarks[end - 1]])
        last = end - 1 if closed is None else \
            max(start, bisect.bisect_right(state.bMarks, begin + closed, 0, end) - 1)
        open_tags.clear()
        content = raw_html(state.getLines(start, last + 1, state.blkIndent, True), later,
                           open_tags)
    token = state.push("html_block", "", 0)
    if open_tags:   # closed at the end of the text, after its blank lines
        content += ("" if content.endswith("\n") else "\n") + "".join(f"</{name}>" for name in reversed(open_tags)) + "\n"
        token.meta["kramdown_to_end"] = True
    token.map = [start, last + 1]
    token.content = content
    return end - 1 if resumed is not False else last


def _whole_lines_html(state: StateBlock, start: int, last: int, later, open_tags: list[str]  # noqa: ANN001
                      ) -> str | None:
    """raw_html of the element's lines `start` to `last`, _after_element's reading
    made in the same pass (element_end's, which read every tag of the element
    again): where that answer needs nothing else, an element of lines as they are
    (no indentation taken off: they are the text element_end reads), with no
    markdown attribute (whose content raw_html reads otherwise), and only blanks
    after its end on that line. None otherwise, `open_tags` left empty."""
    lines = state.getLines(start, last + 1, state.blkIndent, True)
    begin = state.bMarks[start] + state.tShift[start]
    if "markdown" in lines or lines[:-1] != state.src[begin:state.eMarks[last]]:
        return None
    closed: list[int] = []
    content = raw_html(lines, later, open_tags, closed)
    if closed:   # (an unclosed script's end: the text's end, as element_end's)
        end = begin + min(closed[0], len(lines) - 1)
        line = bisect.bisect_right(state.bMarks, end, start, last + 1) - 1
        if state.src[end:state.eMarks[line]].strip():
            open_tags.clear()
            return None   # text after the element on its line: _after_element's case
    return content


def _text_end(state: StateBlock, start: int, end: int) -> int:
    """Where the text holding line `start` ends: in a list item, at the first line
    less indented than the item, or where a nested list starts a part of its own
    (kramdown reads an item's text, in parts, apart; an element left open is closed
    at the end of its part); elsewhere `end`."""
    if not state.blkIndent:
        return end
    parts = chunk_starts(state)
    for line in range(start + 1, end):
        if line in parts or not state.isEmpty(line) and state.sCount[line] < state.blkIndent:
            return line
    return end


def _after_element(state: StateBlock, start: int, last: int) -> tuple[int, int | None]:
    """Where the element opened on line `start` (closed by line `last`) ends, when
    text follows it on that line: that line, and where the text starts (kramdown's
    block parser goes on there); else (last, None)."""
    begin = state.bMarks[start] + state.tShift[start]
    closed = element_end(state.src[begin:state.eMarks[last]])
    if closed is None:
        return last, None
    end = begin + closed
    line = bisect.bisect_right(state.bMarks, end, start, last + 1) - 1
    if not state.src[end:state.eMarks[line]].strip():
        return last, None
    return line, end


def _start_line_at(state: StateBlock, line: int, pos: int) -> None:
    """Line `line` made to start at `pos`, so that the block parser, resumed there,
    reads from there as from a line's start (its spaces are indentation: four make
    code), noting it for the rules kramdown never starts mid-line (tables)."""
    rest = state.src[pos:state.eMarks[line]]
    spaces = rest[:len(rest) - len(rest.lstrip(" \t"))]
    columns = 0
    for char in spaces:   # a tab: to the next multiple of four (kramdown's indent)
        columns += 4 - columns % 4 if char == "\t" else 1
    state.bMarks[line], state.tShift[line] = pos, len(spaces)
    state.sCount[line] = state.blkIndent + columns
    state.env["kramdown_midline"] = pos


def _later(state: StateBlock, text: str, block_level: bool) -> str:
    """A mark for Markdown inside an HTML block, converted once the whole document
    is read (markdown_inside_html): its [links][ref] may use definitions further on."""
    later = state.env.setdefault("kramdown_later", [])
    later.append((text, block_level))
    return f"\0kramdown-later-{len(later) - 1}\0"


LATER = re.compile("\0kramdown-later-(\\d+)\0")


def markdown_inside_html(state: StateCore) -> None:
    later = state.env.pop("kramdown_later", None)
    if not later:
        return

    heads: list = []   # the headings converted inside the element, for a TOC

    def converted(found: re.Match) -> str:
        text, block_level = later[int(found[1])]
        outer = state.env.get("kramdown_in_html")
        state.env["kramdown_in_html"], state.env["kramdown_toc_heads"] = True, None
        try:
            html = (state.md.render if block_level else state.md.renderInline)(text, state.env)
        finally:
            state.env["kramdown_in_html"] = outer
        heads.extend(state.env.pop("kramdown_toc_heads", None) or [])
        return LATER.sub(converted, html)
    for token in state.tokens:
        if token.type == "html_block" and "\0" in token.content:
            token.content = LATER.sub(converted, token.content)
            if heads:
                token.meta["kramdown_toc_heads"], heads = heads, []


def commonmark_html_block(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    """CommonMark's HTML blocks, except a line starting with a span element (`<img>`,
    `<a>`, `<b>`...) or with no whole tag: kramdown makes that a paragraph, CommonMark
    a lone tag's block;
    and a closing tag that closes nothing (html_element takes each element to its
    closing line): kramdown's text, in the paragraph before it if there is one."""
    if not state.is_code_block(start):
        line = _line(state, start)
        if CLOSE_TAG.match(line):
            return False
        tag = OPEN_TAG.match(line)
        if tag and tag[1].lower() in SPAN_ELEMENTS:
            return False
        if line.startswith("<!--"):
            if silent or state.sCount[start] > state.blkIndent:
                return False   # kramdown's paragraph goes on over a comment, and an
                               # indented one is a paragraph's text
            if _comment_then_text(state, start, end, silent):
                return True
        elif line.startswith("<") and not tag:
            return False   # no tag by kramdown's grammar (`<a href=x/y>`, `<?php`): text
    return html_block(state, start, end, silent)


def _comment_then_text(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    """A comment with text after it on the line where it ends (`<!-- c --> text`):
    the comment is a block of its own, and the blocks go on from the text, as
    kramdown's parser reads it."""
    begin = state.bMarks[start] + state.tShift[start]
    close = state.src.find("-->", begin + 4, state.eMarks[end - 1])
    if close < 0:
        return False
    after = close + 3
    last = bisect.bisect_right(state.bMarks, after, start, end) - 1
    if not state.src[after:state.eMarks[last]].strip():
        return False
    if not silent:
        token = state.push("html_block", "", 0)
        token.map = [start, last + 1]
        token.content = state.src[begin:after] + "\n"
        _start_line_at(state, last, after)
        state.env["kramdown_resume"] = last
        state.line = end
    return True


def _line(state: StateBlock, number: int) -> str:
    return state.src[state.bMarks[number] + state.tShift[number]:state.eMarks[number]]


def _closing_line(state: StateBlock, start: int, end: int, tag: str,
                  opening: re.Match) -> int | None:
    """The line where the element opened at `start` closes: the first line from
    `start` on where the tag's opens minus closes come back to zero."""
    if tag in VOID_ELEMENTS or opening[3]:
        return start
    if state.env.get("kramdown_midline") == state.bMarks[start]:
        closing = _closing_after(state, start, end, tag)
    else:
        closing = _closings(state, tag)[start]
    return closing if closing < end else None  # never closed: CommonMark's rules take it


def _closing_after(state: StateBlock, start: int, end: int, tag: str) -> int:
    """_closings' answer for an element opened mid-line (`</p><p>`: after another
    element that ended on its line), counting its line's tags from where it opens
    only (rare: one pass from there)."""
    opens, closes = _tag_patterns(tag)
    lines = state.src[state.bMarks[start]:].split("\n")
    depth = 0
    for k, text in enumerate(lines[:end - start]):
        if "`" in text:
            text = CODE_SPAN.sub("", text)
        depth += len(opens.findall(text)) - len(closes.findall(text))
        if depth <= 0:
            return start + k
    return end


def _tag_patterns(tag: str) -> tuple[re.Pattern, re.Pattern]:
    return re.compile(rf"<{tag}(?=[\s/>])", re.I), re.compile(rf"</{tag}\s*>", re.I)


def _closings(state: StateBlock, tag: str) -> list[int]:
    """For each line, where an element of `tag` opened there would close (or past the
    last line): computed once per tag and document, so that many elements never
    closed cost one pass, not one pass each (that made Markdown quadratic).

    With depth[k] the opens minus closes on lines before k, the element opened on
    line s closes on the first line l >= s with depth[l + 1] <= depth[s]: the next
    smaller-or-equal value, found with a stack. Only lines holding a `<` change the
    depth, so only they are read (one pass over the document's lines in Python cost
    4 ms on Jekyll's history page; its 21 `<` cost 0.5); a line that changes nothing
    closes what it opens itself. Lines are the document's own (a blockquote's or
    list's markers hold no tags), so the answer holds in every nested block."""
    memo = state.env.setdefault("kramdown_closings", {})
    src = state.src
    if (tag, src) in memo:
        return memo[tag, src]
    size = src.count("\n") + 2   # depth's length
    closing = list(range(size))
    closing[-1] = size
    depth = 0
    stack: list[tuple[int, int]] = []   # (line, depth before it) of lines that opened
    for line, step in _tag_steps(src, tag):   # more than they closed, not closed yet
        before, depth = depth, depth + step
        while stack and stack[-1][1] >= depth:
            closing[stack.pop()[0]] = line
        if step > 0:
            closing[line] = size
            stack.append((line, before))
    memo[tag, src] = closing
    return closing


def _tag_steps(src: str, tag: str) -> list[tuple[int, int]]:
    """(line, opens minus closes of `tag` on it) for each line where that is not 0,
    in order: the tag's opens and closes in lines without a backtick found by one
    search over the text (_tag_patterns' matches, none running past a line's end:
    reading each line that holds a `<` cost a pass over a table's every row for each
    tag), the lines with one read alone, without their code spans (`<details>`
    opens nothing)."""
    steps: dict[int, int] = {}
    line = counted = 0
    line_end, ticked = -1, False
    for found in _either_tag(tag).finditer(src):
        at = found.start()
        if at > line_end:   # (a match on a line of its own)
            line += src.count("\n", counted, at)
            counted = at
            line_end = src.find("\n", at)
            line_end = len(src) if line_end < 0 else line_end
            ticked = src.find("`", src.rfind("\n", 0, at) + 1, line_end) >= 0
        if not ticked:
            steps[line] = steps.get(line, 0) + (-1 if src[at + 1] == "/" else 1)
    opens, closes = _tag_patterns(tag)
    line = counted = 0
    tick = src.find("`")
    while tick >= 0:
        start = src.rfind("\n", 0, tick) + 1
        end = src.find("\n", tick)
        end = len(src) if end < 0 else end
        if src.find("<", start, end) >= 0:
            line += src.count("\n", counted, start)
            counted = start
            text = CODE_SPAN.sub("", src[start:end])
            steps[line] = len(opens.findall(text)) - len(closes.findall(text))
        tick = src.find("`", end)
    return sorted((line, step) for line, step in steps.items() if step)


def _either_tag(tag: str) -> re.Pattern:
    """_tag_patterns' two in one, neither matching past a line's end."""
    return re.compile(rf"<{tag}(?=[/>]|[^\S\n])|</{tag}[^\S\n]*>", re.I)


def _markdown_inside(state: StateBlock, start: int, last: int, opening_tag: str,
                     closing_tag: str | None = None) -> None:
    """The element's lines between its tags (`last`: its closing tag's line, or with
    `closing_tag`, the end of the text) converted as Markdown blocks."""
    token = state.push("html_block", "", 0)
    token.map, token.content = [start, start + 1], opening_tag + "\n"
    token.meta["kramdown_wrapper"] = 1   # its blocks are indented (kramdown_blocks.py)
    old_parent, old_max = state.parentType, state.lineMax
    state.parentType, state.lineMax = "html_element", last
    state.md.block.tokenize(state, start + 1, last)
    state.parentType, state.lineMax = old_parent, old_max
    token = state.push("html_block", "", 0)
    if closing_tag is None:
        token.map, token.content = [last, last + 1], _line(state, last) + "\n"
    else:
        token.map, token.content = [last, last], closing_tag + "\n"
    token.meta["kramdown_wrapper"] = -1


# -- core rules: typography, attribute lists, heading ids --------------------------

def indented_fences(state: StateCore) -> None:
    """A fence indented by 1-3 spaces outside any list or quote (the example post has
    one): kramdown keeps its lines' indentation, where CommonMark strips as much as
    the fence had. Inside a list item both strip the item's indentation."""
    if " ```" not in state.src and " ~~~" not in state.src:
        return   # (no fence after a space: no loop over the tokens)
    lines = None
    for token in [token for token in state.tokens if token.type == "fence"]:
        if token.level != 0 or not token.map:
            continue
        lines = lines or state.src.split("\n")
        opening = lines[token.map[0]]
        if not opening.startswith(" "):
            continue
        body = lines[token.map[0] + 1:token.map[1]]
        fence = opening.strip()[:3]
        if body and body[-1].strip().startswith(fence) and not body[-1].strip().strip(fence[0]):
            body = body[:-1]
        token.content = "".join(line + "\n" for line in body)


def normalize(state: StateCore) -> None:
    """markdown-it's normalize (CRLF and CR to LF, NUL to U+FFFD), its two
    substitutions made only where the text has a character they change: they
    replaced every "\\n" with itself, 2% of Markdown's time in Jekyll's docs."""
    if "\r" in state.src or "\0" in state.src:
        markdown_it_normalize(state)


def typography(state: StateCore) -> None:
    """kramdown's dashes, ellipses and smart quotes, in text only (markdown-it's own
    rules differ: they turn (c) and +- into symbols, and decide quotes by CommonMark's
    flanking rules where kramdown looks at the character before)."""
    quotes = state.md.options.get("kramdown_quotes", QUOTES)
    for block in [token for token in state.tokens if token.type == "inline"]:
        if not _may_have_typography(block.content):
            continue
        children = block.children or []
        before = ""  # the character before a token's text, as kramdown would see it
        for k, token in enumerate(children):
            # (The text of <code>, <kbd>... is HTML tokens: kramdown_spans.span_html.)
            if token.type == "text" and "kramdown_as_written" in token.meta:
                before = token.content[-1:] or before   # an autolink's text
            elif token.type == "text":
                text = token.content
                # (each symbol holds one of these: a test far quicker than TYPOGRAPHY's
                # search, which tries ` >>` at every space; 1 text in 600 has one)
                if "--" in text or "..." in text or "<<" in text or ">>" in text:
                    text, after_symbol = _symbols(text)
                    token.content = text
                else:
                    after_symbol = {}
                if "'" in text or '"' in text:   # (what follows matters to quotes only)
                    following = children[k + 1].type if k + 1 < len(children) else ""
                    token.content = text = smart_quotes(
                        text, before, following in ("em_open", "strong_open"), after_symbol,
                        _source_after(children, k + 1), quotes)
                before = text[-1:] or before
            else:
                # kramdown's quote rules see the character before only within one run
                # of text: after emphasis, a link or code, there is none.
                before = "\n" if token.type in ("softbreak", "hardbreak") else ""


def _may_have_typography(source: str) -> bool:
    """Whether a block's texts may hold a quote or a symbol's marks: not when its
    source has none (6 blocks in 7 of Jekyll's docs), its texts being pieces of it.
    Two pieces are joined in one text only where an extension (`{::comment}`) was
    taken out between them: `-{::comment}x{:/comment}-` is a dash."""
    return "'" in source or '"' in source or "--" in source or "..." in source \
        or "<<" in source or ">>" in source or "{::" in source


def _symbols(text: str) -> tuple[str, dict[int, str]]:
    """`text` with kramdown's typographic symbols (-- --- ... << >>), and where a
    character follows one (and the symbol's source): kramdown makes each symbol an
    element of its own, so a quote after one has no character before it (`..."both"`
    opens), while a quote before one sees its source (`"--` closes)."""
    if not TYPOGRAPHY.search(text):
        return text, {}
    out: list[str] = []
    ends: dict[int, str] = {}
    size = last = 0
    for found in TYPOGRAPHY.finditer(text):
        out += [text[last:found.start()], SYMBOLS[found[0]]]
        size += found.start() - last + len(SYMBOLS[found[0]])
        ends[size] = found[0]
        last = found.end()
    out.append(text[last:])
    return "".join(out), ends


# What the source holds where a link, image or code span begins, or emphasis ends:
# kramdown's quote rules see it after a quote that ends a run of text (`"[a link](x)"`
# and `_"a..."_ or` open).
SOURCE_MARKS = {"link_open": "[", "image": "![", "code_inline": "`"}
CLOSING_MARKS = ("em_close", "strong_close", "s_close",   # (and opening ones: the
                 "em_open", "strong_open", "s_open")      # source holds their marks)


def _source_after(children: list, k: int) -> str:
    if k < len(children) and children[k].type in CLOSING_MARKS:
        marks = ""
        while k < len(children) and children[k].type in CLOSING_MARKS:   # `***`: two
            marks += children[k].markup
            k += 1
        if k < len(children) and children[k].type == "text":
            return marks + children[k].content[:3]
        return marks + _source_after(children, k)
    if k < len(children) and children[k].type == "text_special":   # `&amp;`, `\*` as written
        return children[k].markup[:3]
    if k < len(children) and children[k].type == "html_inline":   # a tag (or one made text)
        return html.unescape(children[k].content[:12])[:3]
    if k >= len(children) or children[k].type not in SOURCE_MARKS:
        return ""
    mark = SOURCE_MARKS[children[k].type]
    if children[k].type == "code_inline":   # its own run: "``x``" closes, "`x`" opens
        mark = children[k].markup or mark
    if children[k].type == "link_open" and k + 1 < len(children) \
            and children[k + 1].type == "text":
        return mark + children[k + 1].content[:3]
    return mark + (children[k].content or "")[:3]


FOOTNOTE_BEFORE = re.compile(r"\[\^[A-Za-z0-9_][\w-]*\]\Z", re.A)   # kramdown's marker


def smart_quotes(text: str, before: str, emphasis_next: bool,
                 after_symbol: set[int] | frozenset = frozenset(), after: str = "",
                 quotes: dict[str, str] = QUOTES) -> str:
    """`text` with kramdown's smart quotes; `quotes`: what each quote becomes (opening,
    closing), the config's `smart_quotes` (curly by default)."""
    if "'" not in text and '"' not in text:
        return text
    out, last = [], 0
    # Where a symbol stands in `text`, and its source: what kramdown's rules see after a quote
    sources = {end - len(SYMBOLS[source]): source for end, source in after_symbol.items()} \
        if isinstance(after_symbol, dict) else {}
    for found in QUOTE.finditer(text):
        i = found.start()
        # The character before, when kramdown's scanner still has it: not after
        # another quote it just turned, a typographic symbol, a backslash, nor a
        # `_` or `*` (its emphasis parser took it, even when it matched nothing), nor
        # a `[` (its link parser's: `'['` is ‘[’, `["(` is [”(`), nor the `]` of what
        # its footnote parser took, defined or not (`'[^A-Z]'` is ‘[^A-Z]‘).
        previous = text[i - 1] if i > last or (i and not out) else ("" if out else before)
        if previous in ("\\", "_", "*", "[") or i in after_symbol or \
                previous == "]" and FOOTNOTE_BEFORE.search(text, 0, i):
            previous = ""
        if i < last:
            continue   # the second of a pair turned below
        if previous and previous not in NOT_CLOSING_AFTER:
            # _opens' last rule, whatever follows (most quotes: `don't`, `word"`)
            out += [text[last:i], quotes[found[0]][1]]
            last = i + 1
            continue
        rest = _ahead(text, i + 1, sources) if sources else \
            text[i + 1:i + 4] if i + 4 <= len(text) else (text[i + 1:] + after)[:3]
        if sources and len(rest) < 3:
            rest = (rest + after)[:3]
        emphasis = emphasis_next and i + 1 == len(text)
        if not previous and rest[:1] in QUOTES and i + 1 < len(text) \
                and not _quote_rule_first(found[0], rest, emphasis):
            # (SQ_CLOSE)('|"): the scanner takes this quote as the character before
            # the next one, which closes (`[""open" source"]` writes "”open”).
            out += [text[last:i], found[0], quotes[rest[0]][1]]
            last = i + 2
            continue
        opening = _opens(found[0], previous, rest, emphasis)
        out += [text[last:i], quotes[found[0]][0 if opening else 1]]
        last = i + 1
    return "".join(out) + text[last:]


def _ahead(text: str, j: int, sources: dict[int, str]) -> str:
    """Up to three characters of the source from `text`'s index j: symbols as written."""
    out = ""
    while j < len(text) and len(out) < 3:
        source = sources.get(j)
        out += source or text[j]
        j += len(SYMBOLS[source]) if source else 1
    return out[:3]


def _quote_rule_first(quote: str, rest: str, emphasis_next: bool) -> bool:
    """Whether a rule before kramdown's (SQ_CLOSE)('|") takes a quote that has no
    character before it."""
    return bool(emphasis_next or BEFORE_EMPHASIS.match(rest) or QUOTE_BEFORE_PUNCT.match(rest)
                or _double_set(quote, rest) or (quote == "'" and DECADE.match(rest)))


def _double_set(quote: str, rest: str) -> bool:
    """kramdown's "'Quoted' words" rules: `"'` or `'"` before a word (both open)."""
    return rest[:1] == ("'" if quote == '"' else '"') and bool(DOUBLE_SET.match(rest))


def _opens(quote: str, previous: str, rest: str, emphasis_next: bool) -> bool:
    """kramdown's smart-quote rules, in its order (parser/kramdown/smart_quotes.rb).
    Its scanner starts at the character before the quote when there is one in the
    same run of text, and then the rules that begin with the quote itself (before
    emphasis, before punctuation, before a space) cannot match."""
    if not previous:
        if emphasis_next or BEFORE_EMPHASIS.match(rest):
            return True
        if QUOTE_BEFORE_PUNCT.match(rest):
            return False
        if _double_set(quote, rest):
            return True     # "'Quoted' words": both open
        if quote == "'" and DECADE.match(rest):
            return False    # the '80s
        return not (not rest or rest[0] in RUBY_SPACE or POSSESSIVE.match(rest))
    if previous in RUBY_SPACE:   # Ruby's \s: a no-break space before a quote closes it
        if _double_set(quote, rest):
            return True
        if quote == "'" and DECADE.match(rest):
            return False
        return True         # before a word, or anything else: opening
    return previous in "\\\t\r\n[{(-"


def span_shapes(state: StateCore) -> None:
    """<mailto:x@y> shown without its scheme, as kramdown writes it; span-level HTML
    elements matched as kramdown matches them (_span_elements)."""
    for block in [token for token in state.tokens if token.children]:
        children = block.children
        if len(children) == 1 and children[0].type == "text" and children[0].content:
            continue   # (a text alone: a quarter of the blocks, nothing to change)
        # The tokens' types, "" for an empty text (a rule may leave one between two
        # tags; 1 block in 7,500 of Jekyll's docs has one), in one pass.
        kinds = {c.type if c.content or c.type != "text" else "" for c in children}
        if "" in kinds:
            children = block.children = [c for c in children if c.type != "text" or c.content]
        if "html_inline" in kinds:
            children = block.children = _span_elements(children)
        if "link_open" not in kinds:
            continue
        for k in range(len(children) - 1):
            token = children[k]
            if token.type == "link_open" and token.markup == "autolink" \
                    and children[k + 1].type == "text":
                children[k + 1].content = children[k + 1].content.removeprefix("mailto:")


def _span_elements(children: list[Token]) -> list[Token]:
    """kramdown's span-level HTML elements: a closing tag closes the innermost open
    element if it is that element's, and is text otherwise (written `&lt;/a&gt;`,
    shown by a browser); an element left open is closed where the text it is in
    ends (emphasis, a link's text, the paragraph), as kramdown auto-closes it."""
    out: list[Token] = []
    open_tags: list[tuple[str, bool, int]] = []   # (name, known, depth)
    depth = 0
    for token in children:
        if token.nesting == -1:
            while open_tags and open_tags[-1][2] == depth:
                out.append(_closing_token(open_tags.pop()[0]))
            depth -= 1
        depth += token.nesting == 1
        out.append(token)
        if token.type != "html_inline" or token.meta.get("raw"):
            continue
        opening = OPEN_TAG.fullmatch(token.content)
        if opening:
            if not opening[3] and opening[1].lower() not in WITHOUT_BODY:
                open_tags.append((opening[1], opening[1] in KNOWN_ELEMENTS, depth))
            continue
        closing = CLOSE_TAG.fullmatch(token.content)
        if closing is None:
            continue
        name, known, _ = open_tags[-1] if open_tags else ("", False, 0)
        if name and (closing[1].lower() == name if known else closing[1] == name):
            open_tags.pop()
            token.content = f"</{name}>"
        else:
            token.type = "text"
    out.extend(_closing_token(name) for name, _, _ in reversed(open_tags))
    return out


def _closing_token(name: str) -> Token:
    token = Token("html_inline", "", 0)
    token.content = f"</{name}>"
    return token


def attribute_lists(state: StateCore) -> None:
    """Apply `{: ...}` block attribute lists and span attribute lists after images
    and links, removing them from the text.

    Only the paragraphs with a `{:` are visited, and the attribute lists' paragraphs
    taken out at the end, all at once: visiting every token and deleting each from
    the list as it was read cost time in the number of tokens for each (quadratic:
    Jekyll's history page has six hundred headings' lists among 35,000 tokens).
    Indices stay those of the whole list, the taken ones skipped where a block
    before is looked for."""
    if "{:" not in state.src:
        return   # (none, nor `{::options}`: 9 texts in 10 of Jekyll's docs)
    tokens = state.tokens
    found = [k for k, token in enumerate(tokens) if token.type == "paragraph_open"]
    found = [k for k in found if tokens[k + 1].type == "inline" and (
        "{:" in tokens[k + 1].content or tokens[k + 1].meta.get("kramdown_last_ial"))]
    if not found:
        return
    source = state.src.split("\n")  # once: per paragraph made Markdown quadratic
    taken: set[int] = set()   # the indices of the tokens taken out
    tops: list[int] = []      # the top-level blocks opened (made when needed)
    for i in found:
        content = tokens[i + 1].content
        options = OPTIONS.match(content.strip()) if "{::options" in content else None
        if options:   # {::options toc_levels="2..4" /}: the document's own options
            state.env.setdefault("kramdown_options", {}).update(
                (m[1], m[2] if m[2] is not None else m[3])
                for m in OPTION.finditer(options[1]))
            taken.update((i, i + 1, i + 2))
        elif _block_ial(tokens, i, source, tops, taken):
            taken.update((i, i + 1, i + 2))
    if taken:   # (the tokens between them kept a slice at a time)
        kept, after = [], 0
        for k in sorted(taken):
            kept += tokens[after:k]
            after = k + 1
        kept += tokens[after:]
        tokens[:] = kept


OPTIONS = re.compile(r"^\{::options\b([^}]*?)/?\}$")
OPTION = re.compile(r"""([\w-]+)=(?:"([^"]*)"|'([^']*)')""")


def _block_ial(tokens: list[Token], i: int, source: list[str], tops: list[int],
               taken: set[int]) -> bool:
    """The attribute list of the paragraph at tokens[i] applied; whether the
    paragraph is the list alone (to be taken out)."""
    inline = tokens[i + 1]
    last = inline.meta.get("kramdown_last_ial")   # (kramdown_gfm.split_at_ials took it out)
    if not last and "{:" not in inline.content:
        return False   # (most paragraphs: no list to look for, no lines to split)
    lines = inline.content.split("\n")
    first = IAL.match(lines[0].strip()) if len(lines) > 1 else None
    if first:  # "{: .x}\ntext": the paragraph's own
        _strip_first_line(inline)
        _set_attributes(tokens[i], first[1])
        return False
    if last:  # "text\n{: .x}": the paragraph's, or its list's or quote's
        target = _lazy_target(tokens, i, source, tops, taken)
        _set_attributes(tokens[target], IAL.match(last)[1])
        return False
    found = IAL.match(lines[-1].strip())
    if not found:
        return False
    target = _ial_target(tokens, i, taken)
    if target is not None:
        _set_attributes(tokens[target], found[1])
    return True


def _lazy_target(tokens: list[Token], i: int, source: list[str], tops: list[int],
                 taken: set[int]) -> int:
    """An IAL line at the margin after a paragraph inside a list or quote (a lazy
    continuation line to CommonMark) belongs to the outermost list or quote (the
    last top-level block opened), as in kramdown; anywhere else, to the paragraph.
    (A top-level block taken out leaves its place to the block after it.)"""
    paragraph = tokens[i]
    line = source[paragraph.map[1] - 1] if paragraph.map else ""
    if paragraph.level == 0 or line[:1] in (" ", "\t", ">"):
        return i
    if not tops:
        tops += [k for k, token in enumerate(tokens) if token.nesting == 1 and token.level == 0]
    at = bisect.bisect_right(tops, i) - 1
    top = tops[at] if at >= 0 else 0
    while top in taken:
        top += 1
    return top


def _strip_first_line(inline: Token) -> None:
    inline.content = inline.content.split("\n", 1)[1].lstrip(" \t")
    children = inline.children or []
    while children and children[0].type != "softbreak":
        children.pop(0)
    if children:
        children.pop(0)
    if children and children[0].type == "text":   # the paragraph starts here: no indentation
        children[0].content = children[0].content.lstrip(" \t")


def _ial_target(tokens: list[Token], i: int, taken: set[int]) -> int | None:
    """The block an IAL paragraph at tokens[i] belongs to: the one right above (no
    blank line between), else the next one (the tokens taken out skipped)."""
    level, line = tokens[i].level, tokens[i].map[0] if tokens[i].map else -1
    for j in range(i - 1, -1, -1):
        if tokens[j].level == level and j not in taken:
            if tokens[j].map and tokens[j].map[1] != line:
                break
            opener = _opener(tokens, j)
            if opener is not None and (tokens[opener].map or [0, -1])[1] == line:
                return opener
            break
    for j in range(i + 3, len(tokens)):
        if tokens[j].level == level and tokens[j].nesting >= 0:
            return j
    return None


def _opener(tokens: list[Token], j: int) -> int | None:
    if tokens[j].nesting == 0:
        return j
    if tokens[j].nesting > 0:
        return None
    depth = 0
    for k in range(j, -1, -1):
        depth += tokens[k].nesting
        if depth == 0:
            return k
    return None


def span_attribute_lists(state: StateCore) -> None:
    """`![a](x.png){: width="50%"}`: a span attribute list after an image, a link,
    emphasis or an HTML element gives it its attributes. Read before the typography
    runs (kramdown's parser takes the list out of the text before any quote is made
    curly: `width="”50%”"` otherwise)."""
    if "{:" not in state.src:
        return
    for token in state.tokens:   # (a text starting `{:` is a piece of its block's source)
        if token.type == "inline" and token.children and "{:" in token.content:
            _span_ials(token.children)


def _span_ials(children: list[Token]) -> None:
    for k in range(1, len(children)):
        token = children[k]
        if token.type != "text" or not token.content.startswith("{:"):
            continue
        before = k - 1   # emphasis leaves empty text tokens between the tags
        while before > 0 and children[before].type == "text" and not children[before].content:
            before -= 1
        apply = _span_target(children, before)
        # kramdown gives the element every list that follows it (`{:.app}{:.official}`),
        # and a list may go on over a line break
        while apply is not None and token.content.startswith("{:"):
            text, used = _span_ial_text(children, k)
            found = SPAN_IAL.match(text)
            if not found or found[1].startswith(":"):
                break
            apply(found[1])
            _take(children, k, used, found.end())


def _span_target(children: list[Token], before: int):  # noqa: ANN202 (a setter or None)
    """What a span attribute list after children[before] gives its attributes to."""
    previous = children[before]
    if previous.type == "html_inline" and HTML_CLOSE.match(previous.content):
        opener = _html_opener(children, before)   # <span>...</span>{: .x}
        if opener is None:
            return None
        def html_element(attrs: str, tag: Token = children[opener]) -> None:
            tag.content = _html_with_attributes(tag.content, attrs)
        return html_element
    if previous.type == "html_inline":   # <img ...>{:.border}: an element closed in its tag
        opening = OPEN_TAG.fullmatch(previous.content)
        if not (opening and (opening[3] or opening[1].lower() in WITHOUT_BODY)):
            return None
        def closed_element(attrs: str) -> None:
            previous.content = _html_with_attributes(previous.content, attrs)
        return closed_element
    # After an image, code, a link or emphasis: kramdown gives it the attributes.
    target = previous if previous.type in ("image", "code_inline") else (
        children[_opener(children, before)] if previous.type in SPAN_CLOSES else None)
    return None if target is None else lambda attrs: _set_attributes(target, attrs)


def _span_ial_text(children: list[Token], k: int) -> tuple[str, int]:
    """The text from children[k] to the first `}`, over line breaks: the text and the
    number of tokens it takes."""
    text, used = children[k].content, 1
    while "}" not in text and k + used < len(children) \
            and children[k + used].type in ("text", "softbreak", "text_special"):
        following = children[k + used]
        text += "\n" if following.type == "softbreak" else _as_written(following)
        used += 1
    return text, used


def _as_written(token: Token) -> str:
    """A text token's text, an escape as written: kramdown reads an attribute list
    from the source (`{:target="\\_blank"}` keeps its backslash)."""
    return token.markup if token.info == "escape" else token.content


def _take(children: list[Token], k: int, used: int, length: int) -> None:
    """Take `length` characters of text from children[k:k + used] (a line break is one)."""
    for token in children[k:k + used]:
        size = 1 if token.type == "softbreak" else len(_as_written(token))
        if length >= size:
            token.type, token.content, token.tag = "text", "", ""
            length -= size
        else:
            token.type, token.content = "text", _as_written(token)[length:]
            return


SPAN_CLOSES = frozenset(("link_close", "strong_close", "em_close", "s_close"))
HTML_CLOSE = re.compile(r"^</([A-Za-z][\w-]*)\s*>$")


def _html_opener(children: list[Token], k: int) -> int | None:
    """The html_inline token opening the element that children[k] closes."""
    name = HTML_CLOSE.match(children[k].content)[1].lower()
    opening = re.compile(rf"^<{name}(?:\s[^>]*)?>$", re.I)
    depth = 0
    for j in range(k - 1, -1, -1):
        if children[j].type != "html_inline":
            continue
        content = children[j].content
        if HTML_CLOSE.match(content) and HTML_CLOSE.match(content)[1].lower() == name:
            depth += 1
        elif opening.match(content):
            if depth == 0:
                return j
            depth -= 1
    return None


def _html_with_attributes(tag: str, spec: str) -> str:
    holder = Token("html_inline", "", 0)
    _set_attributes(holder, spec)
    for key, value in (holder.attrs or {}).items():
        # kramdown's attribute escaping: & < > and " (a ' stays as it is)
        value = html.escape(str(value), quote=False).replace('"', "&quot;")
        present = re.search(rf"""\s{re.escape(key)}\s*=\s*("[^"]*"|'[^']*')""", tag)
        if present and key == "class":
            merged = f"{present[1][1:-1]} {value}".strip()
            tag = tag[:present.start(1)] + f'"{merged}"' + tag[present.end(1):]
        elif present:
            tag = tag[:present.start(1)] + f'"{value}"' + tag[present.end(1):]
        else:
            tag = tag[:-1].rstrip("/ ") + f' {key}="{value}"' + (" />" if tag.endswith("/>")
                                                                   else ">")
    return tag


def _set_attributes(token: Token, spec: str) -> None:
    for key, quote, value, _ref, ids_and_classes in IAL_PART.findall(spec):
        if ids_and_classes:
            for id_, class_ in IAL_ID_OR_CLASS.findall(ids_and_classes):
                if class_:
                    classes = str(token.attrGet("class") or "")
                    token.attrSet("class", f"{classes} {class_}".lstrip())
                else:
                    token.attrSet("id", id_)
        elif key:
            token.attrSet(key, re.sub(rf"\\([}}{quote}])", r"\1", value))


HEADING_OR_HTML = frozenset(("heading_open", "html_block"))


def heading_ids(state: StateCore) -> None:
    """kramdown's GFM ids: lowercase, drop all but word characters, '-', spaces and
    tabs, each space or tab a '-', then '-1', '-2'... for repeats; `{#id}` wins.
    The config's `auto_ids: false` makes none, its `auto_id_prefix` starts each."""
    counts: dict[str, int] = {}
    prefix = state.md.options.get("kramdown_auto_ids", "")
    tokens = state.tokens
    # Inside an HTML element (markdown="1"), kramdown's GFM parser gives no id: its
    # HTML converter does, by kramdown's basic rule, counting repeats document-wide.
    inside = 1 if state.env.get("kramdown_in_html") else 0
    # (the headings and HTML blocks found in one pass: the loop below is no cheap one
    # to run on every token; none is added or taken out)
    for i in [k for k, token in enumerate(tokens) if token.type in HEADING_OR_HTML]:
        token = tokens[i]
        if token.type == "html_block" and token.meta:
            inside += token.meta.get("kramdown_wrapper", 0)
        if token.type != "heading_open" or token.attrGet("id"):
            continue
        inline = tokens[i + 1]
        children = inline.children or []
        explicit = HEADING_ID.search(children[-1].content) if children and \
            children[-1].type == "text" else None
        if explicit:
            # (the text before the id loses its trailing blanks, as kramdown's rstrip)
            children[-1].content = children[-1].content[:explicit.start()].rstrip(" \t")
            token.attrSet("id", explicit[1])
            continue
        # kramdown's raw_text: text, code, escapes (`app\_process`: app_process),
        # entities' characters, and the text in span elements (`<var>f</var>`), not tags
        text = "".join(c.content if c.type == "code_inline"   # (`&nbsp;` is its text)
                       else html.unescape(c.content) if c.type in ("text", "text_special")
                       else html.unescape(MARKUP_TAG.sub("", c.content))
                       if c.type == "html_inline" else "" for c in children)
        if prefix is None:
            continue
        if inside:   # (the same raw text: `&lt;h2&gt;` is `<h2>`, so `h2`)
            token.attrSet("id", prefix + _converter_id(
                text, state.env.setdefault("kramdown_converter_ids", {})))
            continue
        slug = _word_chars(text.lower()).replace(" ", "-").replace("\t", "-")
        counts[slug] = counts.get(slug, 0) + 1
        if prefix or slug or counts[slug] > 1:
            token.attrSet("id", prefix + (slug if counts[slug] == 1
                                          else f"{slug}-{counts[slug] - 1}"))
        else:   # kramdown writes no empty id (`### "`), but lists it in a TOC, as `#`
            token.meta["kramdown_empty_id"] = True


def _converter_id(raw: str, used: dict[str, int]) -> str:
    """kramdown's HTML converter's id for a heading's source text: ASCII letters,
    digits, '-' and spaces (as '-') from its first letter on, lowercase, 'section'
    when none; '-1', '-2'... for repeats."""
    slug = NOT_ID_CHAR.sub("", LEADING_NON_LETTERS.sub("", raw)).replace(" ", "-").lower()
    slug = slug or "section"
    if slug in used:
        used[slug] += 1
        return f"{slug}-{used[slug]}"
    used[slug] = 0
    return slug


LEADING_NON_LETTERS = re.compile(r"^[^a-zA-Z]+", re.M)
NOT_ID_CHAR = re.compile(r"[^a-zA-Z0-9 -]")


def _word_chars(text: str) -> str:
    """`text` without what is not Ruby's \\p{Word}, '-', space or tab (marks stay:
    Hindi and Arabic vowel signs are part of a word)."""
    if text.isascii():
        return NON_WORD.sub("", text)
    return "".join(ch for ch in text if ch in "- \t" or _ruby_word(ch))


def _ruby_word(ch: str) -> bool:
    category = unicodedata.category(ch)
    return category[0] in "LM" or category in ("Nd", "Nl", "Pc") or \
        category == "So" and _CIRCLED_LETTER.match(ch) is not None   # not the joiners (Onigmo)


# Symbols that are Alphabetic to Unicode, so word characters to Onigmo: circled and
# squared letters (a heading's `Ⓜ️ 关于 OpenIM` keeps its Ⓜ in the id)
_CIRCLED_LETTER = re.compile("[\u24b6-\u24e9\U0001f130-\U0001f149\U0001f150-\U0001f169"
                             "\U0001f170-\U0001f189]")


# -- rendering ------------------------------------------------------------------------

def _auto_ids(options: dict | None) -> str | None:
    """The prefix of kramdown's heading ids (`auto_id_prefix`, '' by default), or
    None with `auto_ids: false` (no ids). kramdown reads a value of another type as
    its text (Options.parse): `auto_ids: "false"` or an empty one is false too."""
    options = options if isinstance(options, dict) else {}
    auto, prefix = options.get("auto_ids", True), options.get("auto_id_prefix", "")
    if not isinstance(auto, bool):
        text = "" if auto is None else str(auto)
        auto = text.strip().lower() != "false" and text != ""
    if not auto:
        return None
    return "" if prefix is None else str(prefix)


def _smart_quotes(options: dict | None) -> dict[str, str]:
    """The config's `smart_quotes` (four entity names or code points, a list or
    commas: left and right single, left and right double quote) as QUOTES is; the
    characters kramdown writes for them (entity_output: as_char). Curly by default,
    and for a setting kramdown would refuse."""
    value = (options or {}).get("smart_quotes") if isinstance(options, dict) else None
    names = value.split(",") if isinstance(value, str) else value
    if not isinstance(names, list) or len(names) != 4:
        return QUOTES
    chars = []
    for name in names:
        text = str(name)
        if re.fullmatch(r"[+-]?\d+", text.strip()):   # Ruby's Integer(): a code point
            chars.append(chr(int(text)))
        elif html.entities.html5.get(text + ";"):
            chars.append(html.entities.html5[text + ";"])
        else:
            return QUOTES
    return {"'": chars[0] + chars[1], '"': chars[2] + chars[3]}


def _line_numbers(options: dict | None) -> int | None:
    """The first line's number when kramdown numbers code blocks' lines
    (`syntax_highlighter_opts: block: line_numbers: true`), else None."""
    opts = (options or {}).get("syntax_highlighter_opts") if isinstance(options, dict) else None
    block = opts.get("block") if isinstance(opts, dict) else None
    if not isinstance(block, dict) or block.get("line_numbers") is not True:
        return None
    try:
        return int(block.get("start_line", 1))
    except (TypeError, ValueError):
        return 1


def fence(self, tokens, idx, options, env) -> str:  # noqa: ANN001 (markdown-it's signature)
    token = tokens[idx]
    lang = token.info.strip().split(maxsplit=1)[0] if token.info.strip() else ""
    return code_block_html(token.content, lang, token, env, options.get("kramdown_line_numbers"))


def code_block(self, tokens, idx, options, env) -> str:  # noqa: ANN001
    return code_block_html(tokens[idx].content, "", tokens[idx], env,
                           options.get("kramdown_line_numbers"))


def code_block_html(code: str, lang: str, token: Token | None = None, env: dict | None = None,
                    first_line: int | None = None) -> str:
    """A code block as kramdown + rouge write it, highlighted by Pygments; an
    attribute list's class and id go on the outer <div>, as in kramdown. With
    `first_line`, in rouge's table of line numbers beside the code."""
    opening = ROUGE_OPEN.format(lang=lang or "plaintext")
    body = highlighted(code, lang.lower(), env if env is not None else {})
    if body == NO_LEXER:   # rouge has no lexer: kramdown writes the code as it is
        return _plain_code_block(code, lang, token)
    if first_line is not None:
        numbers = "".join(f"{n}\n" for n in range(first_line, first_line + body.count("\n")))
        body = ('<table class="rouge-table"><tbody><tr><td class="rouge-gutter gl">'
                f'<pre class="lineno">{numbers}</pre></td><td class="rouge-code"><pre>{body}'
                "</pre></td></tr></tbody></table>")
    if token is not None and token.attrs:
        classes = f"{token.attrGet('class') or ''} ".lstrip()
        ident = f' id="{html.escape(str(token.attrGet("id")))}"' if token.attrGet("id") else ""
        opening = opening.replace(" highlighter-rouge", f" {classes}highlighter-rouge", 1)
        opening = opening.replace("<div class", f"<div{ident} class", 1)
    return opening + body + ROUGE_CLOSE


def highlighted(code: str, lang: str, env: dict) -> str:
    """Pygments' HTML for `code`. The render's `env` (markdown-it hands it to every
    rule) carries `highlighted`, the blocks earlier builds made (from the cache: an
    edit to a post's prose then needs none of Pygments' lexers, whose set-up is most
    of the time such a rebuild takes), and collects `used`, the post's own blocks,
    for its cache entry."""
    key = blake2b(f"{lang}\0{code}".encode("utf-8", "surrogatepass"),
                          digest_size=16).hexdigest()
    body = env.get("highlighted", {}).get(key)
    if body is None:   # or made for this post already (its excerpt's, a block repeated)
        body = env.get("used", {}).get(key)
    if body is None:
        lexer = _lexer(lang)
        if lexer:
            body = pygments_html(code, lexer)
        else:
            known = lang in PLAINTEXT or lang in ROUGE_LANGUAGES
            body = html.escape(code, quote=False) if known else NO_LEXER
    env.setdefault("used", {})[key] = body
    return body


def _plain_code_block(code: str, lang: str, token: Token | None) -> str:
    """kramdown's code block when no highlighter takes the language (`f(TAPL)`): the
    attribute list's class and id on the <pre>, no rouge wrappers, no line numbers."""
    attrs = ""
    if token is not None and token.attrs:
        attrs = "".join(f' {name}="{html.escape(str(value))}"'
                        for name, value in token.attrs.items())
    return (f'<pre{attrs}><code class="language-{html.escape(lang)}">'
            f"{html.escape(code.removesuffix(chr(10)), quote=False)}\n</code></pre>\n")


@lru_cache(maxsize=None)
def _lexer(lang: str):  # noqa: ANN202 (a Pygments lexer or None)
    # Pygments is loaded on the first block not highlighted before: an edit to a
    # post's prose then never loads it. Each worker of a forked build loads what its
    # own posts need: loading them all here first (a tenth of a second for Jekyll's
    # docs, mostly compiling regular expressions) held both cores up.
    name = ROUGE_LANGUAGES.get(lang)
    if lang in PLAINTEXT or not name:   # rouge lacks it, or Pygments does
        return None
    from pygments.util import ClassNotFound

    from site_builder.site.joined_lexing import lexer_by_name
    from site_builder.site.rouge_lexers import LEXERS
    if name in LEXERS:   # rouge's own tokens (rouge_lexers.py)
        return LEXERS[name]()
    try:
        return lexer_by_name(name, stripnl=False, ensurenl=False)
    except ClassNotFound:
        return None


def pygments_html(code: str, lexer) -> str:  # noqa: ANN001 (a Pygments lexer)
    """`code` highlighted by Pygments, in rouge's spans (no wrapper): Pygments'
    HtmlFormatter's HTML, written by pygments_spans in one pass."""
    from site_builder.site.joined_lexing import faster
    from site_builder.site.pygments_spans import spans
    from site_builder.site.rouge_lexers import RougeDiffLexer, rouge_html
    if isinstance(lexer, RougeDiffLexer):
        return rouge_html(code, lexer)
    return spans(faster(lexer).get_tokens(code))


def code_inline(self, tokens, idx, options, env) -> str:  # noqa: ANN001
    token = tokens[idx]
    if not token.attrs:
        return ('<code class="language-plaintext highlighter-rouge">'
                f"{html.escape(token.content, quote=False)}</code>")
    # `x`{:.success #y}: the attribute list's, in its order, rouge's class around its class
    attrs = dict(token.attrs)
    classes = f" {attrs['class']}" if "class" in attrs else ""
    attrs["class"] = f"language-plaintext{classes} highlighter-rouge"
    written = "".join(f' {name}="{html.escape(str(value))}"' for name, value in attrs.items())
    return f"<code{written}>{html.escape(token.content, quote=False)}</code>"


def _label(token: Token) -> str:
    meta = token.meta or {}
    return str(meta.get("label") or meta.get("id", 0) + 1)


def footnote_ref(self, tokens, idx, options, env) -> str:  # noqa: ANN001
    token = tokens[idx]
    label, number = _label(token), token.meta["id"] + 1
    suffix = f":{token.meta['subId']}" if token.meta.get("subId", 0) > 0 else ""
    return (f'<sup id="fnref:{label}{suffix}" role="doc-noteref"><a href="#fn:{label}" '
            f'class="footnote" rel="footnote">{number}</a></sup>')


def footnote_anchor(self, tokens, idx, options, env) -> str:  # noqa: ANN001
    """kramdown's backlink: after a no-break space at the end of the note's last
    paragraph, else in a paragraph of its own; a note referred to again gets one
    more, numbered."""
    token = tokens[idx]
    sub = token.meta.get("subId", 0)
    target, mark = (f"{_label(token)}:{sub}", f"&#8617;<sup>{sub + 1}</sup>") if sub \
        else (_label(token), "&#8617;")
    link = (f'<a href="#fnref:{target}" class="reversefootnote" role="doc-backlink">'
            f"{mark}</a>")
    after = next((t.type for t in tokens[idx + 1:] if t.type != "footnote_anchor"), "")
    if tokens[idx - 1].type == "footnote_anchor" or after == "paragraph_close":
        return "\u00a0" + link
    return f"<p>{link}</p>\n"


# kramdown's entities: HTML 4's, and two more; another name is text (`&amp;check;`).
KRAMDOWN_ENTITIES = frozenset(html.entities.name2codepoint) | {"apos", "vellip"}
# kramdown's characters for the references 128 to 159 (its entity table): Windows-1252's,
# as a browser reads them (`&#149;` is •); the rest of them their own code point.
WINDOWS_1252 = {128: 8364, 130: 8218, 131: 402, 132: 8222, 133: 8230, 134: 8224, 135: 8225,
                136: 710, 137: 8240, 138: 352, 139: 8249, 140: 338, 142: 381, 145: 8216,
                146: 8217, 147: 8220, 148: 8221, 149: 8226, 150: 8211, 151: 8212, 152: 732,
                153: 8482, 154: 353, 155: 8250, 156: 339, 158: 382, 159: 376}


def text_special(self, tokens, idx, options, env) -> str:  # noqa: ANN001
    """An entity as Jekyll's kramdown writes it (entity_output: as_char): its
    character, but for <, > and & (as written); an escaped character as text."""
    token = tokens[idx]
    if token.info == "entity":
        markup, char = token.markup, token.content
        if markup[1] != "#" and markup[1:-1] not in KRAMDOWN_ENTITIES or markup[:3] == "&#X":
            return "&amp;" + markup[1:]   # (kramdown's hexadecimal reference is `&#x`)
        if markup[1] == "#" and char == "\ufffd":   # (markdown-it's for 128 to 159)
            code = int(markup[3:-1], 16) if markup[2] == "x" else int(markup[2:-1])
            char = chr(WINDOWS_1252.get(code, code)) if 128 <= code <= 159 else char
        return char if len(char) == 1 and char not in "<>&" else markup
    return _escaped_text(tokens, idx)


def _escaped_text(tokens: list[Token], idx: int) -> str:
    """Text as kramdown escapes it: its <, > and &, not its quotes (a straight one it
    leaves); but kramdown joins text and escaped characters into one text before it
    escapes, and leaves an entity reference alone there (`&\\#97;` writes `&#97;`)."""
    text = tokens[idx].content
    if "&" not in text:
        return html.escape(text, quote=False)
    after, escaped = "", tokens[idx].type == "text_special"
    for token in tokens[idx + 1:]:
        if len(after) > 40 or token.type not in ("text", "text_special") \
                or token.type == "text_special" and token.info != "escape":
            break
        escaped = escaped or token.type == "text_special"
        after += token.content
    if not escaped:
        return html.escape(text, quote=False)
    out, last = [], 0
    for amp in re.finditer("&", text):
        found = REFERENCE.match(text[amp.start():] + after)
        kept = found is not None and found.end() > len(text) - amp.start()
        out += [html.escape(text[last:amp.start()], quote=False), "&" if kept else "&amp;"]
        last = amp.end()
    return "".join(out) + html.escape(text[last:], quote=False)


RULES = {
    "text": lambda self, tokens, idx, *a: _escaped_text(tokens, idx),
    "text_special": text_special,
    "fence": fence,
    "code_block": code_block,
    "code_inline": code_inline,
    "footnote_ref": footnote_ref,
    "footnote_anchor": footnote_anchor,
    "footnote_block_open": lambda *a: '<div class="footnotes" role="doc-endnotes">\n  <ol>\n',
    "footnote_block_close": lambda *a: "  </ol>\n</div>\n",
    "footnote_open": lambda self, tokens, idx, *a: (
        f'<li id="fn:{_label(tokens[idx])}" role="doc-endnote">\n'),
    "footnote_close": lambda *a: "</li>\n",
}
