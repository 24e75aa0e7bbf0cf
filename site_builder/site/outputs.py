"""Every generated file of the site, planned before anything is rendered: posts and
pages, the index (paginated as jekyll-paginate does), one page per tag (paginated
the same way), 404.html, the feed, the sitemap.

Each planned file has a key: a digest of everything its text is made from (the
layouts, the config, and the render keys of the posts it shows). A file whose key
and bytes on disk are as the last build left them is not rendered again; a title
edit changes the keys of the index page, tag pages and feed that show the post."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Callable

from site_builder.errors import BuildError
from site_builder.site.cache import digest
from site_builder.site.feeds import feed_posts
from site_builder.site.reader import collection_names
from site_builder.site.sources import (PAGE_DATE, Post, collection_kind, destination, output_ext, raise_all,
                                      tags)
from site_builder.site.plugins import (plugins, redirect_page, redirect_sources,
                                       redirect_target, redirects_json)
from site_builder.site.urls import absolute_url, dest, leaves, pager_url, tag_url

@dataclass(frozen=True)
class Planned:
    """An output file of the plan: its key, and how to render it."""

    key: str
    render: Callable[[], str]
    source: str
    needs: tuple[Post, ...] = ()    # the posts whose HTML the text shows
    # A blog's own layouts: render answers (text, the items whose content it read),
    # and rekey gives the key to keep for the next build from those items.
    rekey: Callable[[tuple], str] | None = None


DEFAULT_LAYOUT = "post"
DEFAULT_PAGE_LAYOUT = "page"


class Warm:
    """What is set up once, before the outputs are rendered on forked workers, that
    each would otherwise do again: the layouts and includes parsed and compiled
    (liquid_compile.py; `templates`, which needs no post's HTML, so that it can run
    while the posts render) and, with `site`, the site drop (which does). Code
    compiled here is also kept in the cache, where the next build that renders a
    page finds it (a worker's is lost with it)."""

    def __init__(self, renderer: Callable[[], object], root: Path, config: dict,
                 site: bool) -> None:
        self.renderer, self.root, self.config, self.site = renderer, root, config, site
        self.done = False

    def __call__(self) -> None:
        self.templates()
        if self.site:
            self.renderer().site

    def templates(self) -> None:
        if self.done:
            return
        self.done = True
        from liquid.exceptions import LiquidError

        from site_builder.site.liquid_compile import compile_template
        from site_builder.site.liquid_tags import load_include
        renderer = self.renderer()
        env = renderer.env
        templates = []
        for layout in renderer.layouts.values():
            if layout.template is None:
                try:
                    layout.template = env.parse(layout.body, layout.name, layout.body_line)
                except LiquidError:
                    continue   # parsed again when rendered, which names its file and line
            templates.append(layout.template)
        for name in self._included(renderer, [layout.body for layout in renderer.layouts.values()]):
            if name not in env.includes:
                try:   # as the include tag loads it (the blog's file first)
                    env.includes[name] = load_include(env, name)
                except (LiquidError, BuildError, UnicodeDecodeError, OSError):
                    continue   # unused, or its error is said where it is included
            templates.append(env.includes[name])
        for template in templates:   # (not one rendered once: liquid_tags.load_include)
            if getattr(template, "compiled", False) is None and not getattr(template, "once", False):
                template.compiled = compile_template(template) or False

    def _included(self, renderer, texts: list[str]) -> list[str]:  # noqa: ANN001 (JekyllRenderer)
        """The includes whose names the layouts' `texts` show, or those includes do,
        in turn: the others (one a post's text includes, or none does) are compiled
        only if rendered twice, as any template is (compiling a big one costs as much
        as rendering it ten times)."""
        from site_builder.site.theme import include_folders
        files: dict[str, Path] = {}
        for folder in map(Path, include_folders(self.root, self.config)):
            for path in sorted(folder.rglob("*")) if folder.is_dir() else []:
                if renderer.links.confined(path) and path.is_file():
                    files.setdefault(path.relative_to(folder).as_posix(), path)
        wanted: dict[str, None] = {}
        while texts:
            text = texts.pop()
            for name, path in files.items():
                if name not in wanted and name in text:
                    wanted[name] = None
                    texts.append(path.read_text(encoding="utf-8", errors="replace"))
        return list(wanted)


class Layouts:
    """The theme's Liquid layouts (the blog's own `_layouts/` first), through a
    JekyllRenderer made on first use: a build that renders nothing never imports
    Liquid or Markdown."""

    def __init__(self, root: Path, config: dict, log: logging.Logger, theme: Path,
                 make: Callable[[], object]) -> None:
        self.root, self.config, self.log, self.theme, self.make = root, config, log, theme, make

    @cached_property
    def renderer(self):  # noqa: ANN201 (JekyllRenderer, imported late)
        return self.make()

    @cached_property
    def warm(self) -> Warm:
        return Warm(lambda: self.renderer, self.root, self.config, site=True)

    def post(self, post: Post, paginator: dict | None = None,
             fallback: str = DEFAULT_LAYOUT) -> str:
        """A post or page in its layout; `paginator`, with the layout to use when the
        theme lacks the page's own: for the blog's own index page."""
        renderer = self.renderer
        name = str(post.meta.get("layout")
                   or (DEFAULT_PAGE_LAYOUT if post.kind == "pages" else DEFAULT_LAYOUT))
        if name not in ("none", "null") and name not in renderer.layouts \
                and name.rsplit(".", 1)[0] not in renderer.layouts:
            # Jekyll themes have layouts we lack (home...): the post layout shows any post.
            self.log.warning(f"warning: {post.name}: no layout _layouts/{name}.html, in the "
                             f"blog or the theme; using {fallback}")
            name = fallback
        return renderer.chain(name, post.content, renderer.item_drop(post), paginator)

    def page(self, name: str, page: dict, paginator: dict | None = None) -> str:
        """A page the theme makes (the index, a tag's, 404) through layout `name`."""
        return self.renderer.chain(name, "", page, paginator)

    def posts(self, chunk: list[Post]) -> list[dict]:
        """The posts of an index or tag page as Liquid sees them (site.posts' drops)."""
        return [self.renderer.item_drop(p) for p in chunk]


class Plan(dict):
    """Output path -> Planned; refuses two sources writing one path, or, given the
    order Jekyll writes sources in (`written`: name -> place), keeps the one written
    last and notes the conflict in `conflicts`, as Jekyll warns and goes on."""

    def __init__(self, written: dict[str, int] | None = None) -> None:
        super().__init__()
        self.written = written
        self.conflicts: list[tuple[str, str, str]] = []   # (path, kept, dropped)

    def add(self, rel: str, key: str, render: Callable[[], str], source: str,
            needs: list[Post] | tuple[Post, ...] = (),
            rekey: Callable[[tuple], str] | None = None) -> None:
        if rel in self:
            there = self[rel].source
            if self.written is None or source not in self.written or there not in self.written:
                raise BuildError(f"{source} and {there} both write {rel}; "
                                 f"give one of them another permalink in its front matter")
            if self.written[source] < self.written[there]:
                self.conflicts.append((rel, there, source))
                return
            self.conflicts.append((rel, source, there))
        self[rel] = Planned(key, render, source, tuple(needs), rekey)

    def add_default(self, rel: str, *args, **kwargs) -> None:
        """A file the theme makes (404.html, the feed...) unless the blog has its own,
        as a gem theme's files give way to the blog's and jekyll-feed and
        jekyll-sitemap leave a feed.xml or sitemap.xml of the blog's alone."""
        if rel not in self:
            self.add(rel, *args, **kwargs)


def unwritten_kinds(config: dict) -> set[str]:
    """The kinds of the documents of collections without `output: true`: read and
    listed in Liquid (site.<name>), never written, as in Jekyll."""
    return {collection_kind(name) for name, settings in collection_names(config).items()
            if not settings.get("output")}


def plan_site(posts: list[Post], pages: list[Post], keys: dict[str, str], config: dict,
              layouts: Layouts, theme_key: str) -> Plan:
    """`keys`: post name -> its render key. `theme_key`: the layouts' and config's."""
    plan = Plan()
    pages = [p for p in pages if p.kind not in unwritten_kinds(config) and not p.future]
    for post in posts + pages:
        # Both keys are digests of one length: side by side, they are one (hashing
        # them again was a fifth of planning a thousand posts).
        plan.add(dest(post.url), theme_key + keys[post.name],
                 (lambda post=post: layouts.post(post)) if output_ext(post) == ".html"
                 else (lambda post=post: post.content), post.name, (post,))
    # A blog's own index page (`jekyll new` makes index.markdown, `layout: home`) is
    # the front page: it gets the paginator, as jekyll-paginate gives it.
    own_index = next((p for p in pages if dest(p.url) == "index.html"), None)
    index_urls = _lists(plan, posts, keys, config, layouts, theme_key, "", pager_url, own_index)
    tag_urls = _tags(plan, posts, keys, config, layouts, theme_key)
    plan.add_default("404.html", digest(theme_key, "404"), lambda: layouts.page(
        "404", {"title": "Page not found", "url": "/404.html"}), "404.html")
    newest = feed_posts(posts, config)
    plan.add_default("feed.xml", digest(theme_key, [keys[p.name] for p in newest]),
                     lambda: _feed(posts, config), "the feed", newest)
    urls = list(dict.fromkeys(
        [(url, posts[0].date if posts else None) for url in index_urls]
        + [(p.url, p.date) for p in posts] + [(url, None) for url in tag_urls]
        + [(p.url, None) for p in pages if p is not own_index and p.url != "/404.html"
           and p.meta.get("sitemap") is not False]))   # as jekyll-sitemap leaves them out
    plan.add_default("sitemap.xml", digest(theme_key, urls), lambda: _sitemap(urls, config),
                     "the sitemap")
    return plan


def _lists(plan: Plan, posts: list[Post], keys: dict[str, str], config: dict, layouts: Layouts,
           theme_key: str, tag: str, url_of: Callable[[dict, int], str],
           own_first: Post | None = None) -> list[str]:
    """A list of posts, `paginate` to a page (all on one without it): the index, or a
    tag's pages; their URLs. `own_first`: the blog's own page that is the first."""
    per_page = int(config.get("paginate") or 0) or max(len(posts), 1)
    chunks = [posts[i:i + per_page] for i in range(0, len(posts), per_page)] or [[]]
    urls = []
    for number, chunk in enumerate(chunks, start=1):
        url = url_of(config, number)
        paginator = _paginator(config, number, len(chunks), per_page, len(posts), url_of)
        key = digest(theme_key, tag, url, paginator, [keys[p.name] for p in chunk])
        # jekyll-paginate writes every page as a folder's index.html.
        rel = dest(url.rstrip("/") + "/")
        if number == 1 and own_first is not None:
            plan[rel] = Planned(digest(key, keys[own_first.name]),
                                lambda chunk=chunk, paginator=paginator: layouts.post(
                                    own_first, {**paginator, "posts": layouts.posts(chunk)},
                                    fallback="index"),
                                own_first.name, (own_first, *chunk))
        elif rel not in plan:   # else the blog's own page there wins
            plan.add(rel, key, lambda chunk=chunk, url=url, paginator=paginator: _list_page(
                layouts, tag, chunk, url, paginator),
                f"the tag {tag!r}" if tag else "the index", chunk)
        urls.append(url)
    return urls


def _list_page(layouts: Layouts, tag: str, chunk: list[Post], url: str, paginator: dict) -> str:
    paginator = {**paginator, "posts": layouts.posts(chunk)}
    if tag:
        return layouts.page("tag", {"title": tag, "tag": tag, "url": url}, paginator)
    return layouts.page("index", {"title": layouts.config["title"], "url": url}, paginator)


def _paginator(config: dict, number: int, total: int, per_page: int, posts: int,
               url_of: Callable[[dict, int], str]) -> dict:
    """jekyll-paginate's `paginator`, its paths without the baseurl as there."""
    previous = number - 1 if number > 1 else None
    following = number + 1 if number < total else None
    return {"page": number, "per_page": per_page, "total_posts": posts, "total_pages": total,
            "previous_page": previous, "next_page": following,
            "previous_page_path": url_of(config, previous) if previous else None,
            "next_page_path": url_of(config, following) if following else None}


def _tags(plan: Plan, posts: list[Post], keys: dict[str, str], config: dict, layouts: Layouts,
          theme_key: str) -> list[str]:
    """Each tag's pages, its posts newest first (as `posts` already are); their URLs."""
    tagged: dict[str, tuple[str, list[Post]]] = {}
    errors = []
    seen: dict[str, tuple[str, str]] = {}   # tag -> its URL and what is wrong with it
    for post in posts:
        for tag in dict.fromkeys(tags(post.meta)):
            found = seen.get(tag)
            if found is None:   # each tag's URL made once, not once per post
                url = tag_url(tag)
                found = seen[tag] = (url, leaves(url))
            url, why = found
            if why:
                errors.append(f"{post.where('tags')}: tag {tag!r}: its page {url!r} {why}; "
                              f"rename the tag")
            tagged.setdefault(url, (tag, []))[1].append(post)
    raise_all(errors)
    urls = []
    for base, (tag, members) in sorted(tagged.items()):
        urls += _lists(plan, members, keys, config, layouts, theme_key, tag,
                       lambda config, number, base=base: _tag_page_url(base, number))
    return urls


def _tag_page_url(base: str, number: int) -> str:
    """Casper's tag pagination: /tag/<slug>/, then /tag/<slug>/page/2/..."""
    return base if number <= 1 else f"{base}page/{number}/"


def _feed(posts: list[Post], config: dict, title: str | None = None) -> str:
    from site_builder.site.feeds import atom_feed
    return atom_feed(feed_posts(posts, config), config, title)


def own_title(config: dict) -> str:
    """A Jekyll blog's `site.title | default: site.name`."""
    from site_builder.config import blog_settings
    from site_builder.site import ruby_values   # here: python-liquid loads after deferred's setup
    settings = blog_settings(config)
    title = settings.get("title") or settings.get("name")
    return ruby_values.to_s(title) if title else ""


def _sitemap(urls: list, config: dict) -> str:
    from site_builder.site.feeds import sitemap
    return sitemap(urls, config)


def plan_jekyll(posts: list[Post], pages: list[Post], keys: dict[str, str], config: dict,
                renderer, theme_key: str, static: list[str],  # noqa: ANN001 (JekyllRenderer)
                last_deps: dict[str, tuple]) -> Plan:
    """A blog with its own layouts: each post, page and document through them, and the
    pages jekyll-paginate makes. A file's key covers the layouts, the config, every
    item's URL and front matter (any layout may list them), its own item's content,
    and the content of the items its last render read (`last_deps`): editing a
    post's text re-renders that post and the pages that show its content only."""
    from site_builder.site import jekyll_layouts
    # Jekyll writes pages, then static files, then documents: the last one written wins.
    own_pages = [p.name for p in pages if p.kind == "pages"]
    plan = Plan({name: place for place, name in enumerate(
        own_pages + [p.name for p in jekyll_layouts.documents_in_order(posts, pages, config)])})
    everyone = posts + pages
    meta_key = digest(theme_key, [(p.name, p.url, p.date, p.meta, p.kind) for p in everyone],
                      static)
    content = {p.name: keys[p.name] for p in everyone}
    shown = [p for p in everyone if p.kind != "pages"]

    def add(rel: str, own: str, render: Callable[[], str], source: str) -> None:
        def rekey(deps: tuple, rel: str = rel) -> str:
            return digest(meta_key, own, rel, [(n, content.get(n)) for n in deps])
        last = last_deps.get(rel)
        plan.add(rel, rekey(last) if last is not None else digest(meta_key, own, rel, "new"),
                 renderer.tracked(render), source, shown, rekey)

    index = jekyll_layouts.paginated_index(pages, config) if "jekyll-paginate" in plugins(
        config) else None
    redirects = "jekyll-redirect-from" in plugins(config)
    own_layout = redirects and "redirect" in renderer.layouts   # the plugin uses it if any
    unwritten = unwritten_kinds(config)
    written = [item for item in everyone
               if item is not index and item.kind not in unwritten and not item.future]
    for item in written:
        if redirects:
            _add_redirects(plan, add, item, keys[item.name], config, renderer, own_layout)
        else:
            add(destination(item), keys[item.name], lambda item=item: renderer.render(item),
                item.name)
    # the plugin's redirect pages join site.pages after every page: written after the
    # pages (one there gives way), before the documents (which stay)
    documents = {item.name for item in written if item.kind != "pages"}
    for item in written if redirects else ():
        _add_redirects_from(plan, add, item, config, renderer, own_layout, documents)
    # jekyll-paginate's pages after the blog's own in site.pages (jekyll-sitemap lists them)
    pagers = [(pager_path(config, n).rstrip("/") + "/", None)
              for n in range(2, _pages_of(posts, config) + 1)] \
        if index is not None and index.meta.get("sitemap") is not False else []
    _plugin_files(plan, posts, pages, keys, config, theme_key, static,
                  lambda: pagers + _sitemap_files(renderer.static, renderer.root, config))
    if redirects and "redirects.json" not in plan and "redirects.json" not in static \
            and not (renderer.root / "redirects.json").exists():
        written = [item for item in jekyll_layouts.documents_in_order(posts, pages, config)
                   if item.kind not in unwritten and not item.future]
        text = redirects_json(written + jekyll_layouts.pages_in_order(pages), config)
        if text is not None:
            plan.add("redirects.json", digest(text), lambda text=text: text,
                     "jekyll-redirect-from")
    if index is not None:
        _add_paginated(add, index, posts, keys[index.name], config, renderer)
    return plan


def _add_redirects(plan: Plan, add: Callable, item: Post, key: str, config: dict,
                   renderer, own_layout: bool) -> None:  # noqa: ANN001 (JekyllRenderer)
    """jekyll-redirect-from: the item's page, or the redirect its `redirect_to` asks
    for, through the blog's `redirect` layout (`own_layout`) when it has one, as the
    plugin does."""
    to = redirect_target(item.meta.get("redirect_to"))
    if to is None:
        add(destination(item), key, lambda: renderer.render(item), item.name)
    elif own_layout:
        to = absolute_url(config, to)
        add(destination(item), digest(to), lambda: renderer.render_redirect(item, item.url, to),
            item.name)
    else:
        to = absolute_url(config, to)
        plan.add(destination(item), digest(to), lambda: redirect_page(to), item.name)


def _add_redirects_from(plan: Plan, add: Callable, item: Post, config: dict, renderer,  # noqa: ANN001
                        own_layout: bool, documents: set[str]) -> None:
    """A redirect to the item from each of its `redirect_from` paths (where a page or
    an earlier redirect is, this one is written last; a document there stays)."""
    for old in redirect_sources(item.meta.get("redirect_from")):
        why = leaves("/" + old.lstrip("/"))
        if why:
            raise BuildError(f"{item.name}: redirect_from {old!r} {why}; fix that path")
        target, rel = absolute_url(config, item.url), dest("/" + old.lstrip("/"))
        if rel in plan and plan[rel].source in documents:
            continue   # Jekyll writes the documents after the pages, its redirects among them
        plan.pop(rel, None)   # a page, or two redirects from one place: the later one
        if own_layout:
            add(rel, digest(target), lambda old=old, target=target: renderer.render_redirect(
                None, "/" + old.lstrip("/"), target), f"{item.name} (redirect_from)")
        else:
            plan.add(rel, digest(target), lambda target=target: redirect_page(target),
                     f"{item.name} (redirect_from)")


def _add_paginated(add: Callable, index: Post, posts: list[Post], key: str, config: dict,
                   renderer) -> None:  # noqa: ANN001 (JekyllRenderer)
    """jekyll-paginate: the index page once per `paginate` posts (hidden ones left out)."""
    from site_builder.site import jekyll_layouts
    per_page, total = int(config["paginate"]), _pages_of(posts, config)
    for number in range(1, total + 1):
        url = index.url if number == 1 else pager_path(config, number)

        def thunk(number: int = number, url: str = url) -> str:
            drops = [d for d in renderer.post_drops if not d.get("hidden")]
            pager = jekyll_layouts.paginator(config, drops, number, total, per_page, index.url)
            return renderer.render(index, pager, url)
        add(dest(url.rstrip("/") + "/" if number > 1 else url), key, thunk, index.name)


def _pages_of(posts: list[Post], config: dict) -> int:
    """How many pages jekyll-paginate makes of the posts (hidden ones left out)."""
    visible = [p for p in posts if not p.meta.get("hidden")]
    return max(1, -(-len(visible) // int(config["paginate"])))


def pager_path(config: dict, number: int) -> str:
    pattern = str(config.get("paginate_path") or "/page:num/")
    return "/" + pattern.replace(":num", str(number)).lstrip("/")




# jekyll-sitemap lists the static files with these extensions (as File.extname: case kept)
SITEMAP_STATIC = (".htm", ".html", ".xhtml", ".pdf")


def _sitemap_files(files: dict[str, Path], root: Path, config: dict) -> list[tuple]:
    """jekyll-sitemap's static files: each `.htm`, `.html`, `.xhtml` or `.pdf` file
    copied through (but a 404.html, and those front matter `defaults:` give `sitemap:
    false`), at its path in the blog (StaticFile#relative_path: a collection's file
    under its `_name/` folder, where Jekyll does not write it), dated by its file's
    modification time; in site.static_files' order: the blog's files by path, then
    each collection's."""
    from site_builder.site.jekyll_layouts import site_static_files
    from site_builder.site.sources import static_defaults
    wanted = {rel: path for rel, path in files.items()
              if rel.endswith(SITEMAP_STATIC) and rel.rsplit("/", 1)[-1] != "404.html"}
    return [(drop["path"].replace("/index.html", "/"), drop["modified_time"])
            for drop in site_static_files(wanted, root, config)
            if static_defaults(drop["path"].lstrip("/"), config).get("sitemap") is not False]


def _sitemap_urls(posts: list[Post], pages: list[Post], config: dict) -> list[tuple]:
    """jekyll-sitemap's: each written collection's documents (posts oldest first,
    then the config's collections) with their dates, then site.html_pages (but
    /404.html) in Jekyll's order; `sitemap: false` leaves one out."""
    from site_builder.site import jekyll_layouts
    unwritten = unwritten_kinds(config)
    docs = [(p.url, p.date if p.date != PAGE_DATE else None)
            for p in jekyll_layouts.documents_in_order(posts, pages, config)
            if p.kind not in unwritten and not p.future and p.meta.get("sitemap") is not False]
    return docs + [(p.url, None) for p in jekyll_layouts.pages_in_order(pages)
                   if p.meta.get("sitemap") is not False and p.url != "/404.html"
                   and (output_ext(p) in (".html", ".xhtml", ".htm") or p.url.endswith("/"))]


def _plugin_files(plan: Plan, posts: list[Post], pages: list[Post], keys: dict[str, str],
                  config: dict, theme_key: str, static: list[str] = (),
                  static_urls: Callable[[], list] = list) -> None:
    """jekyll-feed's feed.xml, jekyll-sitemap's sitemap.xml and robots.txt, unless
    the blog makes its own file there. `static_urls`: what the sitemap lists after
    the blog's pages (jekyll-paginate's pages, the static files with their times)."""
    named = plugins(config)
    feed = config.get("feed") if isinstance(config.get("feed"), dict) else {}
    feed_path = str((feed or {}).get("path") or "feed.xml").lstrip("/")
    if "jekyll-feed" in named and feed_path not in plan:
        newest = feed_posts(posts, config)
        plan.add(feed_path, digest(theme_key, [keys[p.name] for p in newest]),
                 lambda: _feed(posts, config, own_title(config)), "jekyll-feed", newest)
    if "jekyll-sitemap" in named and "sitemap.xml" not in plan and "sitemap.xml" not in static:
        urls = _sitemap_urls(posts, pages, config) + static_urls()
        plan.add("sitemap.xml", digest(theme_key, urls), lambda: _sitemap(urls, config),
                 "jekyll-sitemap")
    if "jekyll-sitemap" in named and "robots.txt" not in plan and "robots.txt" not in static:
        # jekyll-sitemap's robots.txt: `Sitemap: {{ "sitemap.xml" | absolute_url }}`
        robots = f"Sitemap: {absolute_url(config, 'sitemap.xml')}\n"
        plan.add("robots.txt", digest(robots), lambda: robots, "jekyll-sitemap")
