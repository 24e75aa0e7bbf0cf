"""The Liquid that Jekyll posts use: Jekyll's filters and its highlight, post_url and
include tags, on python-liquid (Shopify Liquid, which Jekyll runs on)."""

from __future__ import annotations

import html
import re
from datetime import date, datetime, timezone
from collections import defaultdict
from functools import lru_cache, partial
from itertools import islice
from io import StringIO
from pathlib import Path
from collections.abc import Collection
from typing import Callable, Iterable, Iterator, TextIO

import liquid
from liquid.ast import BlockNode, Node
from liquid.builtin.expressions import (BooleanExpression, FilteredExpression, LoopExpression,
                                        StringLiteral, parse_primitive)
from liquid.builtin.expressions import tokenize as liquid_tokenize
from liquid.builtin.expressions._tokenize import _keywords
from liquid.builtin.expressions import logical
from liquid.builtin.expressions.logical import is_truthy
from liquid.builtin.expressions.primitive import Blank
from liquid.builtin.tags import for_tag, if_tag, unless_tag
from liquid.builtin.tags.for_tag import ForLoop
from liquid.builtin.tags.assign_tag import AssignNode, AssignTag
from liquid.builtin.tags.capture_tag import ENDCAPTUREBLOCK, TAG_ENDCAPTURE, CaptureTag
from liquid.context import RenderContext
from liquid.utils.chain_map import ReadOnlyChainMap
from liquid.exceptions import (ContextDepthError, LiquidError, LiquidSyntaxError,
                               TemplateNotFoundError)
from liquid.lex import _tokenize_template
from liquid.parser import get_parser
from liquid.stream import TokenStream
from liquid.tag import Tag
from liquid.template import BoundTemplate
from liquid.token import (TOKEN_CONTENT, TOKEN_DOC, TOKEN_DOT, TOKEN_EOF, TOKEN_EXPRESSION,
                          TOKEN_OUTPUT, TOKEN_TAG, TOKEN_WORD, Token)
from liquid.undefined import UNDEFINED, Undefined

from site_builder.logs import stage_log
from site_builder.site import liquid_lax
from site_builder.site.jekyll_layouts import CONTENT_READS, Drop
from site_builder.site.plugins import JEKYLL_VERSION
from site_builder.site.ruby_values import is_undefined
from site_builder.site.ruby_values import to_s as ruby_to_s
from site_builder.site.theme import INCLUDES, include_folders, theme_folder

# Tags whose expression Ruby Liquid's lax parser reads past a stray brace in; and
# such a brace (outside a quoted string).
LAX_TAGS = frozenset("assign echo if elsif unless case when for cycle".split())
STRAY_BRACES = re.compile(r"""("[^"]*"|'[^']*')|[{}]""")
# Jekyll's include parameters: a quoted value may hold its quote escaped (\"), or
# a variable.
INCLUDE_ARG = re.compile(r"""([\w-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'|([^\s"']+))""")
LOG = stage_log("site")


# Path segments that mean something besides a key (python-liquid's get_item).
SPECIAL_KEYS = frozenset(("size", "first", "last"))
# Jekyll renders every template with one payload, a drop (UnifiedPayloadDrop) with
# these keys: content, page, layout, paginator, highlighter_prefix and _suffix,
# jekyll, site, theme. It is Enumerable, so Liquid calls its `count` for a bare
# `{{ count }}` (houbb.github.io's Vue posts show 9); `increment`/`decrement` keep
# their counters in it too, each one more key.
PAYLOAD_KEYS = 9


class JekyllContext(RenderContext):
    """python-liquid's render context, with a quicker path for the lookups a theme
    makes most (`page.url`, `item.title`: string keys into dicts, whole numbers into
    lists); anything else, and every miss, is resolved by python-liquid itself."""

    __slots__ = ()

    def __init__(self, template: BoundTemplate, *args: object,
                 globals: object = None, **kwargs: object) -> None:  # noqa: A002
        if args or kwargs or not QUICK_CONTEXT:   # (a copy's, for the render tag)
            super().__init__(template, *args, globals=globals, **kwargs)
        else:
            # RenderContext.__init__'s fields as it sets them (python-liquid 2.3), set
            # here without its scope, which is replaced, or its `globals or {}`, which
            # sums the lengths of the chain's maps in Python: a layout's render made
            # its context in half the time (600 a build of Jekyll's docs).
            self.env, self.template = template.env, template
            self.locals, self.counters = {}, {}
            self.globals = globals if globals is not None and _nonempty(globals) else {}
            self.tag_namespace = {"cycles": {}, "ifchanged": "", "stopindex": {},
                                  "extends": defaultdict(list), "macros": {}}
            self.loops, self.disabled_tags = [], []
            self.autoescape = self.env.autoescape
            self._copy_depth, self.parent_context = 0, None
            self.loop_iteration_carry, self.local_namespace_size_carry = 1, 0
        # Ruby Liquid has no built-in `now` and `today` (python-liquid's): `{{today}}`
        # in a post's text writes nothing in Jekyll (houbb.github.io's poi-tl post)
        self.scope = ReadOnlyChainMap(self.locals, self.globals, self.counters)

    def get(self, path: list[object], *, token: Token | None,
            default: object = UNDEFINED) -> object:
        root = path[0]
        if type(root) is str:
            obj = scope_get(self.scope._maps, root)
            found = walk(obj, path) if obj is not MISSING else STOPPED
            if found is not STOPPED:
                return found
            if root == "count" and len(path) == 1 and root not in self.scope:
                return self.payload_count()
        return super().get(path, token=token, default=default)

    def payload_count(self) -> int:
        """Jekyll's payload drop's `count`: its keys, counters among them."""
        return PAYLOAD_KEYS + len(self.counters)

    def increment(self, name: str) -> int:
        """Liquid's counter starts at the payload's value of its name: 0, but for
        `count` (`{% increment count %}` writes 9 in Jekyll, then 10)."""
        if name not in self.counters and name == "count":
            self.counters[name] = self.payload_count()
        return super().increment(name)

    def decrement(self, name: str) -> int:
        if name not in self.counters and name == "count":
            self.counters[name] = self.payload_count()
        return super().decrement(name)


# RenderContext.__init__ as written in python-liquid 2.3 (JekyllContext sets its fields).
QUICK_CONTEXT = liquid.__version__.startswith("2.3.")


def _nonempty(mapping: object) -> bool:
    """bool(mapping) (`globals or {}`), a chain's maps asked in turn."""
    if type(mapping) is ReadOnlyChainMap:
        return any(_nonempty(m) for m in mapping._maps)
    return bool(mapping)


# Where walk() leaves a path to python-liquid's own lookup.
STOPPED = object()
MISSING = object()   # what scope_get finds of a name no namespace holds


def scope_get(maps: Iterable, root: str) -> object:
    """What a chain of namespaces holds under `root` (MISSING if none), looked up as
    ReadOnlyChainMap does but without an exception per namespace that lacks it."""
    for m in maps:
        kind = type(m)
        if kind is dict:
            if root in m:
                return m[root]
        elif kind is ReadOnlyChainMap:
            found = scope_get(m._maps, root)
            if found is not MISSING:
                return found
        else:
            try:
                return m[root]
            except KeyError:
                pass
    return MISSING


def walk(obj: object, path: list) -> object:
    """The rest of `path` from `obj` (its root's value) by the quick rules: string
    keys into dicts, whole numbers into lists; STOPPED at anything else or a miss,
    which python-liquid then resolves from the root (same values, same undefined)."""
    try:
        for segment in path[1:]:
            kind = type(segment)
            if kind is str and segment not in SPECIAL_KEYS and isinstance(obj, dict):
                obj = obj[segment]
            elif kind is int and type(obj) is list:
                obj = obj[segment]
            else:
                return STOPPED
        return obj
    except (KeyError, IndexError):
        return STOPPED


class JekyllTemplate(BoundTemplate):
    """A parsed template, compiled to Python (liquid_compile.py) when it is rendered a
    second time: layouts and includes are rendered for every page, a post's body once."""

    context_class = JekyllContext
    renders = 0
    compiled = None   # its function; False: left to python-liquid's interpreter
    eager = False   # compiled at its first render (an include with a loop: see load_include)
    once = False   # an include whose text is kept for the whole site: rendered once

    def render_with_context(self, context: RenderContext, buffer: TextIO, *args: object,
                            partial: bool = False, block_scope: bool = False,
                            **kwargs: object) -> None:
        compiled = self.compiled
        if compiled is None:
            self.renders += 1
            if self.renders > 1 or self.eager:
                from site_builder.site.liquid_compile import compile_template
                compiled = self.compiled = compile_template(self) or False
        if compiled and not args and not kwargs and not context.disabled_tags:
            compiled(context, buffer, partial, block_scope)
            return
        super().render_with_context(context, buffer, *args, partial=partial,
                                    block_scope=block_scope, **kwargs)


def _never_blank(self: Blank, other: object) -> bool:
    """Ruby Liquid compares with `blank` by calling blank? on the other side, which
    only ActiveSupport gives strings, nil and lists; Jekyll has none, so
    `x == blank` is never true there (and `x != blank` always is)."""
    return False


def ruby_contains(token: Token, left: object, right: object) -> bool:
    """Ruby Liquid's `contains`: a string holds the right side's text (Ruby's
    to_s), a list the value, a hash the key; anything else (true, a number, nil)
    holds nothing, where python-liquid raises."""
    if not is_truthy(left) or not is_truthy(right):
        return False
    if isinstance(left, str):
        return (right if type(right) is str else ruby_to_s(right)) in left
    if isinstance(left, Collection):
        return right in left
    return False


logical._contains = ruby_contains   # what ContainsExpression calls


def _dates(left: object, right: object) -> tuple | None:
    """Two dates, or two times, as Python compares them; None for anything else. Ruby's
    Liquid compares whatever has `<` (swift.org: `release.date < build.date`, two YAML
    dates); python-liquid only strings and numbers."""
    if not (isinstance(left, date) and isinstance(right, date)) \
            or isinstance(left, datetime) != isinstance(right, datetime):
        return None
    if isinstance(left, datetime) and (left.tzinfo is None) != (right.tzinfo is None):
        left, right = (t if t.tzinfo else t.replace(tzinfo=timezone.utc) for t in (left, right))
    return left, right


def ruby_lt(token: Token, left: object, right: object) -> bool:
    pair = _dates(left, right)
    return pair[0] < pair[1] if pair else LIQUID_LT(token, left, right)


def ruby_le(left: object, right: object) -> bool:
    pair = _dates(left, right)
    return pair[0] <= pair[1] if pair else LIQUID_LE(left, right)


LIQUID_LT, LIQUID_LE = logical._lt, logical._le
logical._lt, logical._le = ruby_lt, ruby_le   # what Lt/Gt/Le/GeExpression call


def ruby_tokenize(source: str, parent_token: Token) -> Iterator[Token]:
    """python-liquid's expression tokens, but a word after a dot is a property's
    name even when it is one of Liquid's words (`site.search.limit`, `x.in`,
    `x.empty`), as Ruby Liquid reads it."""
    after_dot = False
    for token in liquid_tokenize(source, parent_token):
        if after_dot and token.kind == token.value and token.kind in KEYWORD_KINDS:
            token = token._replace(kind=TOKEN_WORD)
        after_dot = token.kind == TOKEN_DOT
        yield token


def _into_inner(self: TokenStream, *, tag: Token | None = None, eat: bool = True
                ) -> TokenStream:
    """TokenStream.into_inner, the inner stream keeping its expression token (its
    markup, for Ruby's lax reading)."""
    token = self.current
    try:
        inner = LIQUID_INTO_INNER(self, tag=tag, eat=eat)
    except LiquidSyntaxError as exc:
        if tag is None or tag.value not in LAX_TAGS or token.kind != TOKEN_EXPRESSION:
            raise
        # markup python-liquid cannot even split into tokens (feeling-responsive's
        # `if a && b`): no tokens, and the error, for _lax's Ruby reading (`a`)
        inner = TokenStream(iter(()))
        inner.tokenize_error = exc
    inner.expression_token = token
    return inner


LAX_TAGS = ("if", "elsif", "unless", "for")   # the tags whose expressions _lax reads


LIQUID_INTO_INNER = TokenStream.into_inner
TokenStream.into_inner = _into_inner


def _lax(strict: Callable, lax: Callable) -> type:
    """An expression parser as `if`/`elsif`/`unless` (BooleanExpression) and `for`
    (LoopExpression) use one: strictly, then (unless `error_mode: strict`) by Ruby's
    lax rules, with a warning."""
    class Lax:
        @staticmethod
        def parse(env: liquid.Environment, tokens: TokenStream) -> object:
            try:
                failed = getattr(tokens, "tokenize_error", None)
                if failed is not None:
                    raise failed
                return strict(env, tokens)
            except LiquidSyntaxError as exc:
                token = getattr(tokens, "expression_token", None)
                if token is None or not isinstance(env, JekyllEnvironment):
                    raise
                env.lax(exc, token)
                return lax(token, token.value)
    return Lax


if_tag.BooleanExpression = unless_tag.BooleanExpression = _lax(BooleanExpression.parse,
                                                                liquid_lax.condition)
for_tag.LoopExpression = _lax(LoopExpression.parse, liquid_lax.loop)


class SiteDrop(dict):
    """`site`: a dict whose `for` yields its keys, as Jekyll's SiteDrop does (Drop#each
    yields a key and its value, and Liquid's loop keeps the first), where a Hash gives
    [key, value] pairs. jekyll-theme-next's stylesheet builds a Sass map of the config
    with `{% for key in site %}...{{ site[key] | jsonify }}`. The keys come as Jekyll's
    do: the drop's own (posts, time...), then the config's; not the collections'."""

    __slots__ = ("keys_in_order",)

    def __init__(self, data: dict, config_keys: Collection = ()) -> None:
        super().__init__(data)
        self.keys_in_order = [*SITE_DROP_METHODS, *(
            key for key in config_keys if key not in SITE_DROP_METHODS and key not in OURS)]


# SiteDrop's getter methods, in the order Jekyll 4.3 lists them (Drop#content_methods).
SITE_DROP_METHODS = ("posts", "time", "html_pages", "config", "documents", "pages", "data",
                     "categories", "related_posts", "tags", "static_files", "collections")
OURS = frozenset(("baseurl_as_written", "_jekyll_environment"))   # the config's, not the blog's
LOOP_TO_ITER = LoopExpression._to_iter


def _loop_to_iter(self: LoopExpression, obj: object, context: RenderContext) -> tuple:
    if isinstance(obj, SiteDrop):
        return iter(obj.keys_in_order), len(obj.keys_in_order)
    return LOOP_TO_ITER(self, obj, context)


LoopExpression._to_iter = _loop_to_iter


class JekyllAssignTag(AssignTag):
    """assign as Ruby Liquid reads it: any name of word characters, dots and
    brackets (`assign site.tags = ""` makes a variable named `site.tags`, which
    `site.tags` does not read); the value strictly, then laxly."""

    def parse(self, stream: TokenStream) -> AssignNode:
        start = stream.pos
        try:
            return super().parse(stream)
        except LiquidSyntaxError:
            stream.pos = start + 1
            token, found = stream.current, None
            if token.kind == TOKEN_EXPRESSION:
                found = ASSIGN.search(token.value)
            if found is None:
                raise
            value = found[2].strip()
            try:
                expression = FilteredExpression.parse(self.env, TokenStream(
                    ruby_tokenize(value, token)))
            except LiquidSyntaxError as value_error:
                self.env.lax(value_error, token)
                expression = liquid_lax.variable(token, value)
            return AssignNode(stream.tokens[start], name=found[1], expression=expression)


ASSIGN = re.compile(r"((?:\(?[\w\-.\[\]]\)?)+)\s*=\s*(.*)\s*", re.S | re.A)


class JekyllCaptureTag(CaptureTag):
    """capture as Ruby Liquid reads it, in every error mode: the first run of name
    characters is the variable (bitcoincore.org's `{% capture /dev/null %}`, to drop
    a comment, captures into `dev`)."""

    def parse(self, stream: TokenStream) -> Node:
        start = stream.pos
        try:
            return super().parse(stream)
        except LiquidSyntaxError:
            stream.pos = start + 1
            token = stream.current
            found = CAPTURE.search(token.value) if token.kind == TOKEN_EXPRESSION else None
            if found is None:
                raise
            next(stream)
            block = get_parser(self.env).parse_block(stream, ENDCAPTUREBLOCK)
            stream.expect(TOKEN_TAG, value=TAG_ENDCAPTURE)
            return self.node_class(stream.tokens[start], found[0], block)


CAPTURE = re.compile(r"(?:\(?[\w\-.\[\]]\)?)+", re.A)


KEYWORD_KINDS = _keywords
for _module in (liquid.stream, liquid.builtin.output):   # who tokenizes expressions
    _module.tokenize = ruby_tokenize

Blank.__eq__ = _never_blank   # python-liquid's: empty or spaces; only Jekyll's rules here
Blank.__hash__ = object.__hash__


class JekyllEnvironment(liquid.Environment):
    """A Liquid environment that knows the site: its config and its posts' URLs."""

    template_class = JekyllTemplate
    # Ruby Liquid's nesting limit (Block::MAX_DEPTH): a theme's recursive navigation
    # (just-the-docs: includes in for loops, four levels deep) needs more than 30.
    context_depth_limit = 100

    def __init__(self, root: Path, config: dict, post_urls: dict[str, str]):
        # Jekyll's Liquid default (`liquid: strict_filters: false`) leaves a value as it
        # is through an unknown filter: so for a blog with its own layouts. A blog on our
        # theme is told of a misspelt filter unless it sets the option.
        options = config.get("liquid") if isinstance(config.get("liquid"), dict) else {}
        own_layouts = theme_folder(root, config) is None
        strict = options.get("strict_filters", not own_layouts)
        # `liquid: error_mode: lax|warn|strict` as in Jekyll, whose default is warn:
        # markup the strict parser refuses is read by Ruby's lax rules
        # (liquid_lax.py), with a warning unless lax. python-liquid itself stays
        # strict: its own lax mode drops such a tag, and passes over errors while
        # rendering, which stop Jekyll's build in every mode.
        self.error_mode = str(options.get("error_mode") or "warn")
        mode = liquid.Mode.STRICT
        undefined = liquid.StrictUndefined if options.get("strict_variables") else \
            liquid.Undefined
        # One environment per build: an include's file is read and parsed once, not
        # checked for changes at each use; as `bom|utf-8` (Jekyll's file_read_opts).
        super().__init__(loader=liquid.CachingFileSystemLoader(include_folders(root, config),
                                                               encoding="utf-8-sig",
                                                               auto_reload=False),
                         strict_filters=bool(strict), tolerance=mode, undefined=undefined)
        self.root, self.config, self.post_urls = root, config, post_urls
        # Jekyll's `jekyll` variable: layouts ask `jekyll.environment` to skip minifying
        # or analytics while developing.
        self.globals = {"jekyll": {"version": JEKYLL_VERSION, "environment": config.get(
            "_jekyll_environment", "development")}}
        self.urls: dict[str, str] = {}   # source path -> URL, for {% link %}
        # Includes whose text is kept for the values they read (_IncludeMemo), by file
        # (False: rendered every time); their texts, by file and those values.
        self.include_memos: dict[str, _IncludeMemo | bool] = {}
        self.include_outputs: dict[tuple, tuple] = {}
        from site_builder.site import jekyll_filters, jekyll_tags
        jekyll_filters.install(self, config, script_links=own_layouts)
        self.include_cache: dict[tuple, str] = {}   # include_cached's, for this build
        # Where text being parsed comes from (its file and first line), for warnings;
        # includes' texts -> the same, for errors raised in them.
        self.parsing: list[tuple[str, int]] = []
        self.sources: dict[str, tuple[str, int]] = {}
        self.warned: set[str] = set()
        self.includes: dict[str, BoundTemplate] = {}   # name -> parsed include
        for tag in (JekyllAssignTag, JekyllCaptureTag, HighlightTag, PostUrlTag, JekyllIncludeTag, JekyllIncludeCachedTag,
                    JekyllIncludeRelativeTag, *jekyll_tags.TAGS):
            self.add_tag(tag)
        for tag in jekyll_tags.ruby_tags(root):   # a Ruby plugin's: never over ours
            if tag.name not in self.tags:
                self.add_tag(tag)
        # The compiler, which a template's second render needs: imported here, before
        # the build forks its workers, not by each worker again.
        from site_builder.site import liquid_compile  # noqa: F401

    def parse(self, source: str, name: str, line: int) -> BoundTemplate:
        """`source` (the text of `name` from its line `line`) parsed, its warnings
        naming that file and line."""
        self.parsing.append((name, line))
        try:
            return self.from_string(source)
        finally:
            self.parsing.pop()

    def lax(self, exc: LiquidSyntaxError, markup: Token | None = None) -> None:
        """Markup the strict parser refused is to be read laxly: an error under
        `error_mode: strict`, else (warn, Jekyll's default) a warning naming it (at
        the error's token, or the `markup`'s)."""
        if getattr(exc.token, "start_index", -1) < 0 and markup is not None:
            exc.token = markup
        if self.error_mode == "strict":
            raise exc
        if self.error_mode == "lax":
            return
        token = exc.token
        place = self.error_place(exc, None)
        if place is None:
            name, line = self.parsing[-1] if self.parsing else ("(Liquid)", 1)
            index = getattr(token, "start_index", -1)
            source = getattr(token, "source", "") or ""
            place = f"{name}:{line + source[:index].count(chr(10)) if index >= 0 else line}"
        text = (f"warning: {place}: Liquid: {exc.message}; read laxly as Jekyll does "
                f"(`liquid: error_mode: strict` makes it an error)")
        if text not in self.warned:
            self.warned.add(text)
            LOG.warning(text)

    def error_place(self, exc: LiquidError, source: str | None) -> str | None:
        """`file:line` of an error raised in an include's text (not `source`), the
        include's own; None for one in `source`, or from text of unknown origin."""
        token = getattr(exc, "token", None)
        text = getattr(token, "source", None)
        if not text or text == source or text not in self.sources:
            return None
        name, line = self.sources[text]
        index = getattr(token, "start_index", -1)
        return f"{name}:{line + text[:index].count(chr(10)) if index >= 0 else line}"

    def error(self, exc: object, msg: str | None = None, token: Token | None = None) -> None:
        """python-liquid's: raise, warn or pass over by the error mode; but nesting
        too deep always stops (as in Ruby Liquid): passed over at each of 100 levels
        of a recursive include, it would render 2^100 times."""
        if isinstance(exc, ContextDepthError):
            raise exc
        super().error(exc, msg, token)

    def tokenizer(self) -> Callable[[str], Iterator[Token]]:
        """python-liquid's tokenizer, less what Ruby Liquid (as Jekyll runs it:
        strict, then lax where strict fails) passes over: words after a block's end
        tag (`{% endhighlight raw %}`), and a stray brace in an expression
        (`{% assign x = y | url_encode } %}`), where python-liquid stops with
        "expected content, found expression" or "unexpected '}'"."""
        tokenize = _quick_lexer(super().tokenizer())
        tags = self.tags

        def tokens(source: str) -> Iterator[Token]:
            ending = lax = False
            for token in tokenize(source):
                if ending and token.kind == TOKEN_EXPRESSION:
                    ending = False
                    continue
                if lax and token.kind == TOKEN_EXPRESSION and ("}" in token.value
                                                               or "{" in token.value):
                    token = token._replace(value=STRAY_BRACES.sub(lambda m: m[1] or "",
                                                                  token.value))
                ending = token.kind == TOKEN_TAG and token.value.startswith("end") \
                    and token.value[3:] in tags
                lax = token.kind == TOKEN_OUTPUT or (token.kind == TOKEN_TAG
                                                     and token.value in LAX_TAGS)
                yield token
        return tokens


class _Text:
    """What the lexer's text rule would match at `start` (see _Scanner): the same
    groups, as _tokenize_template reads them."""

    __slots__ = ("source", "begin", "end", "rstrip")
    lastgroup = TOKEN_CONTENT

    def __init__(self, source: str, begin: int, end: int, rstrip: str | None) -> None:
        self.source, self.begin, self.end, self.rstrip = source, begin, end, rstrip

    def group(self, name: int | str = 0) -> str | None:
        return self.source[self.begin:self.end] if name == 0 else self.rstrip

    def start(self, name: int | str = 0) -> int:
        return self.begin


class _Scanner:
    """python-liquid's template rules (one regular expression of raw, output, tag and
    text alternatives), with the text found by str.find: the text rule's lazy `.+?`
    with a look-ahead at each character took half of a long page's lexing (Jekyll's
    300 KB history page: 24 ms, 14 of them in the expression). Markup is still matched
    by the rules themselves; text runs, as the rule has it, to the next `{{` or `{%`
    (its `rstrip` group: the `-` after it) or to the end, or to just before a last
    newline (where `$` matches first)."""

    def __init__(self, rules: re.Pattern) -> None:
        self.rules = rules

    def finditer(self, source: str) -> Iterator[re.Match | _Text]:
        match, find, size = self.rules.match, source.find, len(source)
        pos = 0
        while pos < size:
            if source.startswith(("{{", "{%"), pos):
                found = match(source, pos)
                yield found
                pos = found.end()
                continue
            brace = find("{", pos + 1)
            while brace >= 0 and brace + 1 < size and source[brace + 1] not in "{%":
                brace = find("{", brace + 1)
            if brace >= 0 and brace + 1 < size:
                yield _Text(source, pos, brace, "-" if source.startswith("-", brace + 2) else "")
                pos = brace
            else:
                end = size - 1 if source.endswith("\n") and size - 1 > pos else size
                yield _Text(source, pos, end, None)
                pos = end


def _quick_lexer(lexer: Callable[[str], Iterator[Token]]) -> Callable[[str], Iterator[Token]]:
    """python-liquid's lexer (a partial of _tokenize_template and its rules) given the
    rules through _Scanner, its loop _tokenize's where no comment tag is; another
    lexer as it is."""
    rules = getattr(lexer, "keywords", {}).get("rules")
    if not isinstance(rules, re.Pattern) or getattr(lexer, "func", None) is not _tokenize_template:
        return lexer
    return partial(_tokenize, rules=_Scanner(rules))


# Where _tokenize_template's comment steps may start (a tag named comment).
COMMENT_TAG = re.compile(r"\{%-?\s*comment(?!\w)")
_new_token = tuple.__new__   # a Token made without its generated __new__ (a call less)


def _tokenize(source: str, rules: _Scanner) -> Iterator[Token]:
    """_tokenize_template's tokens for a source without comment tags (whose text it
    gathers, with their depth), its steps less those for comments: most pages'
    lexing, a token at a time (its loop's tests for comments, and Token's own
    __new__, were a third of it)."""
    if COMMENT_TAG.search(source):
        yield from _tokenize_template(source, rules)
        return
    lstrip = False
    for match in rules.finditer(source):
        kind = match.lastgroup
        if kind == TOKEN_OUTPUT:
            yield _new_token(Token, (TOKEN_OUTPUT, match.group(), match.start(), source))
            yield _new_token(Token, (TOKEN_EXPRESSION, match.group("stmt"), match.start("stmt"),
                                     source))
            lstrip = bool(match.group("rss"))
            continue
        if kind == "TAG":
            yield _new_token(Token, (TOKEN_TAG, match.group("name"), match.start("name"), source))
            value = match.group("expr")
            lstrip = bool(match.group("rst"))
            if value:
                yield _new_token(Token, (TOKEN_EXPRESSION, value, match.start("expr"), source))
            continue
        if kind == TOKEN_CONTENT:
            value = match.group()
            if lstrip:
                value = value.lstrip()
            if match.group("rstrip"):
                value = value.rstrip()
            if not value:
                continue
            if value.startswith(("{{", "{%")):
                _unclosed(match, value, source)
        elif kind == "RAW":
            kind, value, lstrip = TOKEN_CONTENT, match.group("raw"), bool(match.group("rsr"))
        elif kind == "DOC":
            kind, value, lstrip = TOKEN_DOC, match.group("doc"), bool(match.group("rsd"))
        else:   # (COMMENT, with comment delimiters configured)
            value, lstrip = match.group("comment"), bool(match.group("rsc"))
        yield _new_token(Token, (kind, value, match.start(), source))


def _unclosed(match: re.Match | _Text, value: str, source: str) -> None:
    """_tokenize_template's error for text that starts markup it never closes."""
    message = ("expected '}}', found end of file" if value.startswith("{{")
               else "missing tag name or closing delimiter")
    raise LiquidSyntaxError(message, token=Token(TOKEN_EOF, value=match.group(),
                                                 start_index=match.start(), source=source))


def xml_escape(value: object) -> str:
    """Jekyll's xml_escape (Ruby's CGI.escapeHTML): & < > " and ' as entities."""
    if value is None or is_undefined(value):
        return ""
    table = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}
    return re.sub(r"""[&<>"']""", lambda m: table[m.group()], str(value))


def _argument(stream: TokenStream, tag: Token, *, eat: bool) -> str:
    """A Jekyll tag's raw argument text (Jekyll tags parse their own markup). A block
    tag eats it; an inline tag leaves it for the parser to step over."""
    if stream.current.kind != TOKEN_EXPRESSION:
        raise LiquidSyntaxError(f"{tag.value}: missing argument", token=tag)
    text = stream.current.value.strip()
    if eat:
        next(stream)
    return text


class HighlightNode(Node):
    __slots__ = ("lang", "block", "linenos")

    def __init__(self, token: Token, lang: str, block: BlockNode, linenos: bool = False):
        super().__init__(token)
        self.blank = False   # it writes text: never a "blank" block to suppress
        self.lang, self.block, self.linenos = lang, block, linenos

    def render_to_output(self, context: RenderContext, buffer: TextIO) -> int:
        code = StringIO()
        self.block.render(context, code)
        prefix = context.resolve("highlighter_prefix", default="") or ""
        suffix = context.resolve("highlighter_suffix", default="") or ""
        return buffer.write(prefix + highlight_code(code.getvalue(), self.lang, self.linenos)
                            + suffix)


# Jekyll's Markdown converter's highlighter_prefix and _suffix: in a Markdown page the
# highlight tag's HTML stands on lines of its own, blank lines around it.
MARKDOWN_HIGHLIGHTER = {"highlighter_prefix": "\n", "highlighter_suffix": "\n"}


def highlight_code(code: str, lang: str, linenos: bool = False) -> str:
    """Pygments HTML in rouge's shape, as Jekyll's highlight tag writes it; with
    `linenos`, rouge's table: the line numbers in a gutter cell beside the code."""
    code = code.strip("\r\n")
    from site_builder.site.kramdown import pygments_html
    spans = pygments_html(code, _lexer(lang))
    if not linenos:   # rouge ends the last line without a line break
        spans = spans.removesuffix("\n")
    else:
        numbers = "".join(f"{n}\n" for n in range(1, code.count("\n") + 2))
        spans = ('<table class="rouge-table"><tbody><tr><td class="gutter gl">'
                 f'<pre class="lineno">{numbers}</pre></td><td class="code"><pre>{spans}'
                 "</pre></td></tr></tbody></table>")
    lang = html.escape(lang)
    return (f'<figure class="highlight"><pre><code class="language-{lang}" data-lang="{lang}">'
            f"{spans}</code></pre></figure>")


@lru_cache(maxsize=None)
def _lexer(lang: str):  # noqa: ANN202 (a Pygments lexer)
    # Once per language: an unknown name has Pygments search every installed
    # package's plugins, each time it is asked. The lexer rouge has for the name
    # (erb colours its HTML too); a name rouge lacks is plain text, as in Jekyll.
    from pygments.lexers import TextLexer
    from pygments.util import ClassNotFound

    from site_builder.site.joined_lexing import lexer_by_name
    from site_builder.site.rouge_languages import ROUGE_LANGUAGES
    name = ROUGE_LANGUAGES.get(lang)
    if not name:
        return TextLexer()
    try:
        return lexer_by_name(name)
    except ClassNotFound:
        return TextLexer()



class HighlightTag(Tag):
    name, end = "highlight", "endhighlight"

    def parse(self, stream: TokenStream) -> HighlightNode:
        token = stream.eat(TOKEN_TAG)
        lang, *options = _argument(stream, token, eat=True).split()
        block = get_parser(self.env).parse_block(stream, (self.end,))
        stream.expect(TOKEN_TAG, value=self.end)
        return HighlightNode(token, lang, block, "linenos" in options)


class TextNode(Node):
    __slots__ = ("text",)

    def __init__(self, token: Token, text: str):
        super().__init__(token)
        self.blank = False   # it writes text: never a "blank" block to suppress
        self.text = text

    def render_to_output(self, context: RenderContext, buffer: TextIO) -> int:
        return buffer.write(self.text)


class PostUrlTag(Tag):
    """{% post_url 2020-11-03-slug %}: the post's URL (with baseurl), checked when the post
    is parsed. A post in a folder of _posts may be named with it (`2019/2019-11-26-a`);
    as in Jekyll (whose older rule matches date and slug wherever the post is), the
    folder is not checked."""

    name, block = "post_url", False

    def parse(self, stream: TokenStream) -> TextNode:
        token = stream.eat(TOKEN_TAG)
        key = _argument(stream, token, eat=False)
        stem = key.lstrip("/").rsplit("/", 1)[-1]
        url = self.env.post_urls.get(key) or self.env.post_urls.get(stem)
        if url is None:
            raise LiquidSyntaxError(f"post_url: no post named {key!r} (expected a posts "
                                    f"file name without .md, e.g. 2020-11-03-slug, or "
                                    f"2020/2020-11-03-slug for one in _posts/2020/)",
                                    token=token)
        # Jekyll 4 puts the baseurl in front, as relative_url would.
        return TextNode(token, self.env.config["baseurl"] + url)


class IncludeNode(Node):
    __slots__ = ("file", "args", "relative", "cached")

    def __init__(self, token: Token, file: str, args: dict, relative: bool = False,
                 cached: bool = False):
        super().__init__(token)
        self.blank = False   # it writes text: never a "blank" block to suppress
        self.file, self.args, self.relative, self.cached = file, args, relative, cached

    def render_to_output(self, context: RenderContext, buffer: TextIO) -> int:
        file = self.file
        if "{{" in file:  # {% include {{ page.x }}.html %}: the name is Liquid too
            name = StringIO()
            context.env.from_string(file).render_with_context(context, name)
            file = name.getvalue().strip()
        if not self.cached:
            return self._include(context, buffer, file)
        # jekyll-include-cache: one rendering per file and parameters in a build.
        values = {key: expr.evaluate(context) for key, expr in self.args.items()}
        key = (file, tuple(sorted((k, _cache_key(v)) for k, v in values.items())))
        text = context.env.include_cache.get(key)
        if text is None:
            out = StringIO()
            self._include(context, out, file)
            text = context.env.include_cache[key] = out.getvalue()
        buffer.write(text)
        return 1

    def _include(self, context: RenderContext, buffer: TextIO, file: str) -> int:
        try:
            if self.relative:
                template = _relative_template(context, file)
            else:   # the loader's, kept here: its cache costs more to ask than a dict
                template = context.env.includes.get(file)
                if template is None:
                    template = context.env.includes[file] = load_include(context.env, file)
        except (TemplateNotFoundError, OSError):
            where = ("beside the page (include_relative; `..` is refused, as in Jekyll)"
                     if self.relative else f"in _includes/ or the theme's {INCLUDES}/")
            tag = "include_relative" if self.relative else "include"
            raise LiquidError(f"{tag}: no file {file!r} {where}", token=self.token) from None
        env = context.env
        values = {key: expr.evaluate(context) for key, expr in self.args.items()} \
            if self.args else {}
        memo = None if self.relative else env.include_memos.get(file)
        if memo is None and not self.relative:
            memo = env.include_memos[file] = _IncludeMemo.of(template) or False
        key, kept = memo.key(context, file, values) if memo else (None, None)
        if key is not None:
            found = env.include_outputs.get(key)
            if found is not None:
                memo.hits += 1
                text, _, assigned, stops = found
                buffer.write(text)
                if assigned:   # what its assigns left, as its rendering would
                    context.locals.update(assigned)
                if stops:
                    context.tag_namespace["stopindex"].update(stops)
                return 1
            reads, stops = CONTENT_READS[0], dict(context.tag_namespace["stopindex"])
        out = StringIO() if key is not None else buffer
        # context.extend's steps, without its context manager or the chain's methods
        # (an include a page is rendered a dozen times on every page of a theme's)
        maps = context.scope._maps
        if len(maps) > env.context_depth_limit:
            raise ContextDepthError("maximum context depth reached, possible recursive "
                                    "include", token=None)
        outer = context.template
        context.template = template
        maps.appendleft({"include": values})
        try:
            template.render_with_context(context, out, partial=True)
        finally:
            context.template = outer
            maps.popleft()
        if key is not None:
            text = out.getvalue()
            buffer.write(text)
            memo.keep(env, file, key, kept, text, context, reads, stops)
        return 1


# An include made of these tags and filters, whose variables are read through plain
# keys, writes the same text wherever it is included with the same values of what it
# reads (its parameters, and each variable's value found where its path stops being
# plain keys, an object by its identity: a build changes none of the site's): its
# text is kept for those values (_IncludeMemo). Tags that count, cycle or include,
# and filters that read the context or items' content (whose reads a page's
# dependencies note, and whose value depends on Jekyll's render order) keep it from
# being kept; `where` and `find` may read content, which is then seen (CONTENT_READS).
MEMO_TAGS = frozenset("""for if unless case comment raw break continue tablerow echo assign
    capture""".split())
MEMO_FILTERS = frozenset("""relative_url absolute_url escape escape_once xml_escape
    cgi_escape uri_escape url_encode url_decode date date_to_string date_to_long_string
    date_to_xmlschema date_to_rfc822 default size upcase downcase capitalize strip lstrip
    rstrip strip_html strip_newlines newline_to_br append prepend replace replace_first
    remove remove_first split join first last reverse slice truncate truncatewords plus
    minus times divided_by modulo abs ceil floor round at_least at_most slugify
    number_of_words array_to_sentence_string normalize_whitespace where find""".split())
CONTENT_SEGMENTS = frozenset(("content", "excerpt", "output", "related_posts"))
# Roots whose objects change while they are read (a loop's index): an include that
# reads one found in its caller is rendered each time.
LOOP_ROOTS = frozenset(("forloop", "tablerowloop"))
SIMPLE = frozenset((str, int, float, bool, type(None)))
SITE_WIDE = frozenset(("site", "jekyll"))   # roots the same wherever an include is
# An include whose text differed for each of its first MEMO_TRIES renders (one that
# reads the page's URL) is rendered from then on without looking.
MEMO_TRIES = 8
OFFSET_CONTINUE = re.compile(r"offset\s*:\s*continue")


class _IncludeMemo:
    """What an include's text is kept for: the variables it reads from its caller
    (python-liquid's analysis: its globals), by root, each path up to its first
    segment that is not a literal key; the names it assigns (their values before
    count too: it may read them before it assigns them; after, they are set again
    when its text is taken); its loops' count (a kept text is taken only where its
    rendering could not have been too deep)."""

    __slots__ = ("roots", "assigned", "loops", "hits", "misses")

    def __init__(self, roots: tuple, assigned: tuple, loops: int) -> None:
        self.roots, self.assigned, self.loops = roots, assigned, loops
        self.hits = self.misses = 0

    @staticmethod
    def of(template: BoundTemplate) -> _IncludeMemo | None:
        """The memo of an include whose text may be kept; None if it never may."""
        source = next((node.token.source for node in template.nodes
                       if node.token is not None and node.token.source), "")
        if OFFSET_CONTINUE.search(source):   # reads where a loop of its caller stopped
            return None
        try:
            found = template.analyze()
        except Exception:  # noqa: BLE001 - anything it cannot analyse is rendered each time
            return None
        if not (set(found.tags) <= MEMO_TAGS and set(found.filters) <= MEMO_FILTERS):
            return None
        for refs in found.variables.values():
            for ref in refs:
                named = _named(ref.segments)
                if named & CONTENT_SEGMENTS or "parentloop" in named:
                    return None
        roots: dict[str, set] = {}
        for root, refs in found.globals.items():
            if root == "include":
                continue   # its parameters: a key of their own
            for ref in refs:
                keys = []
                for segment in islice(ref.segments, 1, None):
                    if type(segment) not in (str, int):
                        break
                    keys.append(segment)
                roots.setdefault(root, set()).add(tuple(keys))
        assigned = tuple(sorted(found.locals))
        loops = len(found.tags.get("for", ())) + len(found.tags.get("tablerow", ()))
        return _IncludeMemo(tuple((root, tuple(sorted(paths, key=repr)))
                                  for root, paths in sorted(roots.items())), assigned, loops)

    def site_wide(self) -> bool:
        """Whether it reads only the site's values (and its parameters)."""
        return all(root in SITE_WIDE for root, _ in self.roots)

    def key(self, context: RenderContext, file: str, values: dict) -> tuple:
        """The key of this include's text for what it reads here, and the objects
        keyed by identity; (None, None): render it (a value that cannot be told, or
        too deep to be sure that rendering raises no error)."""
        maps = context.scope._maps
        if len(maps) + self.loops + 3 > context.env.context_depth_limit:
            return None, None
        kept: list = []   # (objects keyed by identity, kept with the text: no id reused)
        parts: list = [file]
        for name in sorted(values):
            part = _value_key(values[name], kept)
            if part is None:
                return None, None
            parts += [name, part]
        for root, paths in self.roots:
            start = scope_get(maps, root)
            if start is not MISSING and root in LOOP_ROOTS:
                return None, None
            for keys in paths:
                obj, reached = start, 0
                for segment in keys:
                    if type(obj) in DICTS and type(segment) is str:
                        got = dict.get(obj, segment, MISSING)
                    elif type(obj) is list and type(segment) is int \
                            and -len(obj) <= segment < len(obj):
                        got = obj[segment]
                    else:
                        break
                    if got is MISSING:
                        break
                    obj, reached = got, reached + 1
                part = _value_key(obj, kept)
                if part is None:
                    return None, None
                parts += [reached, part]
        locals_ = context.locals
        for name in self.assigned:   # (in a namespace in front of the locals, or not)
            before, own = _value_key(scope_get(maps, name), kept), \
                _value_key(locals_.get(name, MISSING), kept)
            if before is None or own is None:
                return None, None
            parts += [before, own]
        return tuple(parts), kept

    def keep(self, env: JekyllEnvironment, file: str, key: tuple, kept: list, text: str,
             context: RenderContext, reads: int, stops: dict) -> None:
        """Keep the text just rendered (unless it read an item's content), with what
        its assigns and loops left in the context."""
        if CONTENT_READS[0] != reads:
            env.include_memos[file] = False
            return
        self.misses += 1
        if self.misses >= MEMO_TRIES and not self.hits:
            env.include_memos[file] = False
        locals_ = context.locals
        assigned = {name: locals_[name] for name in self.assigned if name in locals_}
        now = context.tag_namespace["stopindex"]
        changed = {k: v for k, v in now.items() if k not in stops or stops[k] is not v}
        env.include_outputs[key] = (text, kept, assigned, changed)


def _named(segments: object) -> set:
    """The string segments of a variable's path, its nested paths' too."""
    found = set()
    for segment in segments:
        if type(segment) is str:
            found.add(segment)
        elif isinstance(segment, (list, tuple)):
            found |= _named(segment)
    return found


# Mappings read by their plain keys: dicts, the site, items (whose content keys are
# never read here: see _IncludeMemo.of).
DICTS = frozenset((dict, SiteDrop, Drop))
KEY_MISSING = ("missing",)


def _value_key(value: object, kept: list) -> object:
    """A value as part of a key: text, numbers, true, false and nil by type and value
    (1 and true differ), an undefined by its name, anything else by identity (kept
    alive in `kept`); None for a value that may change while the build runs (a
    loop's helper)."""
    kind = type(value)
    if kind in SIMPLE:
        return (kind, value)
    if value is MISSING:
        return KEY_MISSING
    if kind is ForLoop:
        return None
    if kind is Undefined:   # (nil wherever it is used: only strict ones raise)
        return (kind, value.name, value.hint)
    kept.append(value)
    return id(value)


class JekyllIncludeTag(Tag):
    """Jekyll's include: a bare file name (or Liquid making one), then key=value
    parameters as `include.key`."""

    name, block, relative, cached = "include", False, False, False

    def parse(self, stream: TokenStream) -> IncludeNode:
        token = stream.eat(TOKEN_TAG)
        text = _argument(stream, token, eat=False)
        found = re.match(r"(\{\{.*?\}\}\S*|\S+)\s*(.*)$", text, re.S)
        file, rest = found.group(1), found.group(2)
        return IncludeNode(token, file.strip("\"'"), self._arguments(rest, token),
                           self.relative, self.cached)

    def _arguments(self, text: str, token: Token) -> dict:
        args = {}
        for found in INCLUDE_ARG.finditer(text):
            key, double, single, variable = found.groups()
            if variable is not None:
                args[key] = parse_primitive(self.env, TokenStream(ruby_tokenize(variable,
                                                                           parent_token=token)))
            else:   # as Jekyll: only the escaped quote itself is unescaped
                args[key] = StringLiteral(token, double.replace('\\"', '"') if double is not None
                                          else single.replace("\\'", "'"))
        return args


def _cache_key(value: object) -> object:
    """A parameter of include_cached as its cache key: an item (a post) by its path."""
    if isinstance(value, dict) and "path" in value:
        return ("item", dict.get(value, "path"), dict.get(value, "url"))
    return repr(value)


class JekyllIncludeCachedTag(JekyllIncludeTag):
    """jekyll-include-cache's include_cached: an include whose text depends only on
    its parameters and `site`, rendered once per build for each set of them."""

    name, cached = "include_cached", True


class JekyllIncludeRelativeTag(JekyllIncludeTag):
    """include_relative: a file beside the page that includes it."""

    name, relative = "include_relative", True


def load_include(env: JekyllEnvironment, file: str) -> BoundTemplate:
    """An include parsed, its warnings and errors naming its own file and line."""
    name = f"_includes/{file}"
    for folder in include_folders(env.root, env.config):
        if (Path(folder) / file).is_file():
            path = Path(folder) / file
            name = str(path.relative_to(env.root)) if path.is_relative_to(env.root) else str(path)
            break
    env.parsing.append((name, 1))
    try:
        template = env.get_template(file)
    except LiquidError as exc:
        if getattr(exc.token, "source", None):
            env.sources[exc.token.source] = (name, 1)
        raise
    finally:
        env.parsing.pop()
    for node in template.nodes:   # the text itself, as its tokens hold it
        if node.token is not None and node.token.source:
            env.sources[node.token.source] = (name, 1)
            # An include with a loop is compiled before its first render: interpreting
            # a loop costs more than compiling it (the docs' navigation: 10 to 1), and
            # an include is rendered again and again.
            template.eager = LOOP_TAG.search(node.token.source) is not None
            break
    memo = env.include_memos.get(file)
    if memo is None:
        memo = env.include_memos[file] = _IncludeMemo.of(template) or False
    if memo and memo.site_wide():
        # Its text the same on every page (for the same parameters): rendered once,
        # then kept, it is compiled only if rendered a second time (not before the
        # outputs' workers fork either: outputs.Warm).
        template.eager, template.once = False, True
    return template


LOOP_TAG = re.compile(r"\{%-?\s*for\s")


def _relative_template(context: RenderContext, file: str):  # noqa: ANN202
    env = context.env
    page = context.globals.get("page") or {}
    folder = str(page.get("path") or "").rsplit("/", 1)[0] if "/" in str(page.get("path") or "") else ""
    path = (env.root / folder / file).resolve()
    # Jekyll refuses `..` here ("invalid characters or sequences"), not only a way out.
    if ".." in Path(file).parts or not path.is_relative_to(env.root.resolve()):
        raise OSError(file)
    # The whole file, front matter and all, as Jekyll's IncludeTag#read_file reads it
    # (HSF's profile how-to shows its template's front matter so)
    text = path.read_text(encoding="utf-8-sig")
    name = str(path.relative_to(env.root.resolve()))
    env.sources[text] = (name, 1)
    return env.parse(text, name, 1)

