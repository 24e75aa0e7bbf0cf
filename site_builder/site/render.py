"""Rendering, all in memory: posts through Liquid and Markdown (on every core), and
output files through the Liquid layouts (jekyll_layouts.py), so nothing is written
unless all of it rendered."""

from __future__ import annotations

import contextlib
import re
from pathlib import Path
from types import SimpleNamespace
from typing import Callable, Iterator

from site_builder.errors import BuildError
from site_builder.site import ahead
from site_builder.site.kramdown import renderer
from site_builder.site.parallel import map_indexed
from site_builder.site.sass import compile_sass, is_sass
from site_builder.site.sources import (MARKDOWN_SUFFIXES, Post, excerpt_separator, excerpt_source, post_url_names,
                                       raise_all, uses_liquid)
from site_builder.site.theme import theme_folder


def render_posts(root: Path, todo: list[Post], everyone: list[Post], config: dict,
                 jobs: int | None = None, highlighted: dict[str, str] | None = None,
                 site_for: Callable[[], dict] | None = None, order=None,  # noqa: ANN001
                 first: Callable[[], None] | None = None
                 ) -> tuple[dict[str, dict[str, str]], dict[str, tuple]]:
    """Give each post in `todo` its HTML and excerpt; Liquid sees all of `everyone`
    (site.posts, post_url), or the `site` that `site_for` makes (a Jekyll blog's:
    its pages, static files and collections too). Every bad post is reported at once.
    Liquid is loaded only when a post has some: plain Markdown comes through it
    unchanged anyway. `highlighted`: code blocks earlier builds highlighted, by key.

    `order`: a Jekyll blog's render order (JekyllRenderer: `reads`, `ranks`). Jekyll
    renders documents one after the other, so a document's Liquid sees those rendered
    before it with their HTML (crystal-lang.org's pages, a collection, show the posts'
    excerpts). Here they are rendered in waves, each on every core: a document that
    read the HTML of one not final yet is rendered again once that one is. Answers
    each post's highlighted code blocks, and the documents whose content each one's
    Liquid read (for its cache key). `first`: what this process does, before its
    share of the first wave, once the workers have forked (parallel.map_indexed)."""
    templates = site = None
    if any(uses_liquid(post) for post in todo):
        from site_builder.site.liquid_tags import JekyllEnvironment
        from site_builder.site.jekyll_layouts import link_urls
        templates = JekyllEnvironment(root, config, post_url_names(everyone))
        templates.urls = link_urls(everyone, {})
        site = site_for() if site_for is not None else liquid_site(everyone, config)
    script_links = theme_folder(root, config) is None
    md = renderer(config.get("kramdown"), script_links=script_links)
    done = ahead.markdown(script_links), ahead.css()   # (before the workers fork)
    waves = _Waves(todo)
    for _ in range(len(todo) + 2):   # each wave leaves fewer waiting, or it is the last
        if not waves.wave:
            break
        if order is not None:
            order.reads.pending = waves.pending
        _render_wave(waves, (templates, md, site, config, waves.wave, root, highlighted or {},
                             order, done), jobs, first)
        waves.advance()
        first = None
    if order is not None:
        order.reads.pending = frozenset()
    return waves.code, waves.reads


class _Waves:
    """Which documents render next, and what each rendering left: its highlighted
    code blocks (`code`), the documents its Liquid read (`reads`) and those of them
    it read before their HTML was final (`waiting`)."""

    def __init__(self, todo: list[Post]) -> None:
        self.todo = todo
        self.wave, self.pending = todo, {post.name for post in todo}   # pending: not final
        self.code: dict[str, dict[str, str]] = {}
        self.reads: dict[str, tuple] = {}
        self.waiting: dict[str, set] = {}

    def record(self, post: Post, blocks: dict[str, str], read: tuple, waited: set) -> None:
        self.code[post.name] = blocks
        for notes, value in ((self.reads, read), (self.waiting, waited)):
            if value:
                notes[post.name] = value
            else:
                notes.pop(post.name, None)

    def advance(self) -> None:
        """The next wave: those that waited on documents all final now."""
        if not self.pending:
            self.wave = []
            return
        self.pending = set(self.waiting)
        self.wave = [post for post in self.todo if post.name in self.waiting
                     and not self.waiting[post.name] & self.pending]
        if not self.wave and self.waiting:
            # Documents that read each other's excerpts (a post listing the posts'
            # excerpts, its own among them): once more, with what the others have
            # now; Jekyll renders an excerpt apart, when first asked for, so it is
            # this whenever an excerpt does not itself show the others.
            self.wave = [post for post in self.todo if post.name in self.waiting]
            self.pending = set()


def _render_wave(waves: _Waves, work: tuple, jobs: int | None,
                 first: Callable[[], None] | None = None) -> None:
    """Render one wave on every core; every bad document is reported at once."""
    wave = work[4]
    results = map_indexed(_render_one, work, len(wave), jobs,
                          sizes=[len(post.body) for post in wave], first=first)
    errors = []
    for post, (content, excerpt, blocks, error, read, waited) in zip(wave, results):
        if error:
            errors.append(error)
        post.content, post.excerpt = content, excerpt
        waves.record(post, blocks, read, waited)
    raise_all(errors)


def _render_one(work: tuple, i: int) -> tuple[str, str, dict[str, str], str, tuple, set]:
    """(content, excerpt, the post's highlighted code blocks by key, error, the
    documents whose content its Liquid read, those of them not final yet)."""
    templates, md, site, config, todo, root, highlighted, order, done = work
    post = todo[i]
    with _noting_reads(order, post) as noted:
        try:
            text = _render_liquid(templates, post, site) if uses_liquid(post) else post.body
        except BuildError as exc:
            return "", "", {}, str(exc), (), set()
        head = _excerpt_text(templates, post, site, config, text)
    try:
        content, excerpt, used = _convert(post, text, md, config, root, highlighted, head, done)
    except BuildError as exc:
        return "", "", {}, str(exc), noted.read, noted.waited
    return content, excerpt, used, "", noted.read, noted.waited


@contextlib.contextmanager
def _noting_reads(order, post: Post) -> Iterator[SimpleNamespace]:  # noqa: ANN001
    """What the post's Liquid reads of other documents' content while it renders:
    `.read` (their names) and `.waited` (those whose HTML was not final yet)."""
    noted = SimpleNamespace(read=(), waited=set())
    reads = order.reads if order is not None and uses_liquid(post) else None
    if reads is None:
        yield noted
        return
    reads.names, reads.rank, reads.body, reads.waited = set(), order.ranks.get(
        post.name), True, set()
    try:
        yield noted
    finally:
        noted.read, noted.waited = tuple(sorted(map(str, reads.names))), reads.waited
        reads.names, reads.rank, reads.body, reads.waited = None, None, False, set()


def _excerpt_text(templates, post: Post, site: dict, config: dict,  # noqa: ANN001
                  text: str) -> str:
    """The excerpt before conversion, as Jekyll makes it: the first part of the
    document's source, through Liquid apart (Excerpt#extract_excerpt), so that blank
    lines an include writes are no separator; `text`: the whole, through Liquid."""
    if not uses_liquid(post) or post.crlf or not excerpt_separator(post, config):
        return excerpt_source(post, text, config)
    head = excerpt_source(post, post.body, config, liquid=True)
    if "{{" not in head and "{%" not in head:
        return head
    try:
        return _render_liquid(templates, post, site, head)
    except BuildError:   # (Jekyll's build would stop; ours keeps its earlier reading)
        return excerpt_source(post, text, config)


def _convert(post: Post, text: str, md, config: dict, root: Path,  # noqa: ANN001
             highlighted: dict[str, str], head: str, done: tuple[dict, dict] = ({}, {})
             ) -> tuple[str, str, dict[str, str]]:
    """The Liquid-rendered `text` converted as its extension says, and `head`, the
    excerpt's: (content, excerpt, the code blocks it highlighted by key). `done`:
    Markdown and Sass converted ahead (ahead.py), by their text."""
    if is_sass(post.ext):
        css = done[1].get((text, post.name, post.ext, post.body_line))
        if css is None:
            css = compile_sass(text, post.name, post.ext, root, config, post.body_line)
        return css, "", {}
    if post.ext.lower() not in MARKDOWN_SUFFIXES:  # HTML, XML...: Liquid only, as Jekyll
        return text, head if post.kind != "pages" else "", {}
    used: dict[str, str] = {}     # one env per render: rules keep per-document notes in it
    early = done[0].get(text)
    if early is not None:
        content, used = early[0], dict(early[1])
    else:
        content = md.render(text, {"highlighted": highlighted, "used": used})
    if not excerpt_separator(post, config):  # Document#generate_excerpt?: no excerpt, and
        return content, "", used             # `post.excerpt` is nil.to_s (jsonapi.org)
    excerpt = md.render(head, {"highlighted": highlighted, "used": used})   # an env of its own
    return content, excerpt, used


def render_outputs(thunks: list[Callable[[], str]], jobs: int | None = None,
                   spill: Callable[[int, object], object] | None = None,
                   first: Callable[[], None] | None = None) -> list:
    """Call every output's render function, on every core; errors as BuildError.
    `spill(i, result)`: what a worker does with output i's result before sending it
    back (the build writes it to a temporary file there, while the other worker
    renders: the file system's work then overlaps the rendering). `first`: what this
    process does meanwhile, before its share, when there are workers."""
    results = map_indexed(_call_thunk, (thunks, spill), len(thunks), jobs, first=first)
    raise_all([error for _, error in results if error])
    return [result for result, _ in results]


def _call_thunk(work: tuple, i: int) -> tuple[object, str]:
    thunks, spill = work
    try:
        result = thunks[i]()
    except BuildError as exc:
        return "", str(exc)
    return (spill(i, result) if spill is not None else result), ""


def liquid_site(posts: list[Post], config: dict) -> dict:
    """`site` as posts see it in Liquid: the config, plus site.posts (newest first) and
    site.tags / site.categories (name -> posts), as Jekyll gives them."""
    # Without content: which posts are rendered yet depends on the order (and the cache).
    dated = [{**p.page(), "content": ""} for p in posts if p.key]
    tags: dict[str, list] = {}
    categories: dict[str, list] = {}
    for page in reversed(dated):   # as Jekyll: names in the order of the oldest post
        for tag in page["tags"]:
            tags.setdefault(tag, []).append(page)
        for category in page["categories"]:
            categories.setdefault(category, []).append(page)
    for found in (*tags.values(), *categories.values()):
        found.reverse()   # each list newest first
    return {**config, "posts": dated, "tags": tags, "categories": categories}


# Output that names a value of the site or the page, nothing more: `{{ site.repository }}`.
SIMPLE_OUTPUT = re.compile(r"\{\{ *((?:site|page)(?:\.[A-Za-z_][\w-]*)+) *\}\}")


# Said under `strict_filters` (what the filter is: no list of names fits a message).
FILTER_HINT = " (Liquid's and Jekyll's filters are all built in; a plugin's are not)"
KEYWORDS = frozenset("nil null true false empty blank and or contains".split())


class _NotSimple(Exception):
    pass


def _simple_liquid(body: str, site: dict, page: dict) -> str | None:
    """The post's text with its Liquid written, when that Liquid is only outputs of
    the site's or the page's values and raw blocks (Jekyll's history page has 3,000
    outputs and nine raw blocks: parsing it as a template was a fifth of its
    rendering, then 2.5% of a cold build of the docs); None for anything more."""
    pieces = _raw_pieces(body)
    if pieces is None:
        return None
    from site_builder.site.liquid_tags import SPECIAL_KEYS
    from site_builder.site.ruby_values import to_s

    def value(path: str) -> str:
        root, *keys = path.split(".")
        obj = site if root == "site" else page
        for key in keys:
            if obj is None:
                return ""   # nil's anything: nothing, as Liquid writes it
            if key in SPECIAL_KEYS or key in KEYWORDS or not isinstance(obj, dict):
                raise _NotSimple   # Liquid's own rules (size, first, a string's...)
            obj = obj.get(key)
        return to_s(obj)

    written: dict[str, str] = {}   # each path's text, once (3,000 `site.repository`)
    for i in range(0, len(pieces), 2):   # the text around the raw blocks
        if "{{{" in pieces[i]:
            return None   # (`{{{ site.x }}`: the lexer reads an output from the first `{{`)
        parts = SIMPLE_OUTPUT.split(pieces[i])   # text, an output's path, text...
        if any("{{" in text for text in parts[::2]):
            return None
        try:
            for path in parts[1::2]:
                if path not in written:
                    written[path] = value(path)
        except _NotSimple:
            return None
        parts[1::2] = [written[path] for path in parts[1::2]]
        pieces[i] = "".join(parts)
    return "".join(pieces)


# {% raw %}...{% endraw %} as python-liquid's lexer reads it (its RAW rule, the first
# it tries where a `{%` starts): the text between, written as it is. The dashes are
# the groups: white space control, left to the parser.
RAW_BLOCK = re.compile(r"\{%(-?)\s*raw\s*(-?)%\}(.*?)\{%(-?)\s*endraw\s*(-?)%\}", re.S)


def _raw_pieces(body: str) -> list[str] | None:
    """`body` as text, a raw block's text, text...; None when a `{%` in it starts no
    raw block, or one with a dash, or one after a `{` (the lexer would read `{{%`
    as an output's start)."""
    pieces, pos = [], 0
    while (start := body.find("{%", pos)) >= 0:
        found = RAW_BLOCK.match(body, start)
        if found is None or any(found.group(1, 2, 4, 5)) or body[start - 1:start] == "{":
            return None
        pieces += [body[pos:start], found[3]]
        pos = found.end()
    pieces.append(body[pos:])
    return pieces


def _render_liquid(templates, post: Post, config: dict,  # noqa: ANN001 (Liquid's)
                   body: str | None = None) -> str:
    """The post's text (or `body`, a part of it from its start) through Liquid."""
    from liquid.exceptions import LiquidError
    body = post.body if body is None else body
    from site_builder.site.liquid_tags import MARKDOWN_HIGHLIGHTER
    options = config.get("liquid") if isinstance(config.get("liquid"), dict) else {}
    page = post.page()
    page["content"] = post.body   # as Jekyll's document has it until it is converted
    site = config
    if "site.time" in body:   # the build's time, as the layouts see it
        from site_builder.site.sources import build_time
        site = {**config, "time": build_time(config)}
    if not options.get("strict_variables"):
        text = _simple_liquid(body, site, page)
        if text is not None:
            return text
    try:
        markdown = MARKDOWN_HIGHLIGHTER if post.ext.lower() in MARKDOWN_SUFFIXES else {}
        return templates.parse(body, post.name, post.body_line).render(
            site=site, page=page, **markdown)
    except LiquidError as exc:
        place = templates.error_place(exc, body)   # in an include: its file and line
        if place:
            raise BuildError(f"{place}: Liquid: {exc.message}; fix the {{{{ }}}} or {{% %}} "
                             f"there") from None
        token = getattr(exc, "token", None)
        index = getattr(token, "start_index", -1)
        if getattr(token, "source", body) != body:
            index = -1  # the error is inside an included file: point at the post's end
        offset = body[:index].count("\n") if index >= 0 else body.count("\n")
        hint = FILTER_HINT if str(exc.message).startswith("unknown filter") else ""
        raise BuildError(f"{post.name}:{post.body_line + offset}: Liquid: {exc.message}; "
                         f"fix the {{{{ }}}} or {{% %}} there{hint}") from None
