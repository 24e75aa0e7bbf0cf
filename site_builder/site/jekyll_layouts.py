"""A blog's own Liquid layouts, as Jekyll renders them: each page's body through
Liquid (and Markdown for Markdown files), then through its `layout:` and the
layouts that one names in turn, with `content`, `page`, `layout`, `site` and
`paginator` as Jekyll gives them.

Used for every blog: one with its own `_layouts/` and no `theme:` (a Jekyll theme
copied into the blog, as jasper2, minima's demo, lanyon and Jekyll's docs are), and
one on this project's theme (theme.py; outputs.py plans its index and tag pages),
whose layouts are looked for in the blog's `_layouts/` first."""

from __future__ import annotations

import posixpath
import re
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import Any, Callable

from site_builder.errors import BuildError
from site_builder.logs import stage_log
from site_builder.site.links import Links
from site_builder.site.reader import collection_names
from site_builder.site.sass import compile_sass, is_sass
from site_builder.site.sources import (MARKDOWN_SUFFIXES, PERMALINK_STYLES, Post, build_time,
                                       excerpt_source, label, output_ext, permalink_style,
                                       post_url_names, split_front_matter)
from site_builder.site.theme import include_folders


CONTENT_KEYS = ("content", "excerpt", "output")
# Items' content read (by a Drop) so far: a kept include text must have read none
# (liquid_tags._IncludeMemo).
CONTENT_READS = [0]
LOG = stage_log("site")


class Reads:
    """Whose content the output being rendered has read (None: not noting), and, for
    a document's output, its place in Jekyll's render order (None: a page's, or not
    in a Jekyll blog's own layouts). `body`: a document's own Liquid is being
    rendered (before its layouts); then `pending` names the documents whose HTML is
    not final yet, and `waited` notes those of them it read (render.py renders it
    again once they are). `own`: the HTML of the page whose layouts are being
    rendered; `page_content`: what gives a page's HTML, rendered when first asked."""
    __slots__ = ("names", "rank", "body", "pending", "waited", "own", "page_content",
                 "page_excerpt")

    def __init__(self) -> None:
        self.names: set | None = None
        self.rank: int | None = None
        self.body = False
        self.pending: set | frozenset = frozenset()
        self.waited: set = set()
        self.own: str | None = None
        self.page_content: Callable[[Post], str] | None = None
        self.page_excerpt: Callable[[Post], object] | None = None


# Pages' places in Jekyll's render order: after every document.
PAGE_RANK = 1 << 60


class Drop(dict):
    """An item as Liquid sees it (site.posts[i], site.pages[i]...), noting in `reads`
    whose content an output reads: a rebuild then re-renders only the outputs that read
    an edited post's content (its title, date or URL changing re-renders all).

    `rank`, `item`: a document's place in Jekyll's render order (posts oldest first,
    then each collection's documents), and the document. Jekyll renders documents one
    after the other, so the layouts of one see a later document's `content` still as
    its source, Markdown and Liquid unrendered (a theme's `page.next.content |
    strip_html | truncate`); pages come after every document and see them all."""

    __slots__ = ("reads", "rank", "item")

    def __init__(self, data: dict, reads: Reads, rank: int | None = None,
                 item: Post | None = None) -> None:
        super().__init__(data)
        self.reads, self.rank, self.item = reads, rank, item

    def __getitem__(self, key: object) -> object:
        if key in CONTENT_KEYS:
            return self._content(key, dict.__getitem__(self, key))
        return dict.__getitem__(self, key)

    def get(self, key: object, default: object = None) -> object:
        if key in CONTENT_KEYS:
            return self._content(key, dict.get(self, key, default))
        return dict.get(self, key, default)

    def _content(self, key: object, value: object) -> object:
        CONTENT_READS[0] += 1
        reads = self.reads
        if reads.names is not None:
            reads.names.add(dict.get(self, "path"))
        if key == "excerpt" and self.item is not None and self.item.kind == "pages" \
                and reads.page_excerpt is not None:
            return reads.page_excerpt(self.item)
        if reads.rank is None or self.rank is None:
            return value
        if reads.body:
            return self._in_body(key, value)
        if key == "content" and self.rank > reads.rank:
            return self.item.body   # not rendered yet, in Jekyll's order
        if self.item.kind == "pages" and key == "content" and reads.page_content is not None:
            # rendered before: its HTML, made now if this process has not yet
            if self.rank == reads.rank:
                return self.item.body if reads.own is None else reads.own
            return reads.page_content(self.item)
        return value

    def _in_body(self, key: object, value: object) -> object:
        """What a document's own Liquid sees: the documents Jekyll renders before it
        (and itself) with their HTML as it is now, the others' content still as
        source; an excerpt always rendered (Jekyll renders it when first asked)."""
        item, reads = self.item, self.reads
        if key == "content" and self.rank >= reads.rank or item.kind == "pages":
            return item.body if key == "content" else value
        if key == "output":
            return None
        if item.name in reads.pending:
            reads.waited.add(item.name)
        if key == "content":
            return item.content
        return own_excerpt(item)

    def items(self):  # noqa: ANN201 (jsonify and friends see everything, as Liquid does)
        CONTENT_READS[0] += 1
        if self.reads.names is not None:
            self.reads.names.add(dict.get(self, "path"))
        return [(key, self._content(key, value) if key in CONTENT_KEYS else value)
                for key, value in dict.items(self)]


def own_excerpt(item: Post) -> object:
    """A document's excerpt: its front matter's unless nil or false (Ruby's `||=`: an
    `excerpt: ""` stays empty), else the one made from its content."""
    own = item.meta.get("excerpt")
    return item.excerpt if own is None or own is False else own


def _url_dir(url: str) -> str:
    """Page#dir: its URL's folder (the URL itself when it is one), wherever its file is."""
    if url.endswith("/"):
        return url
    folder = posixpath.dirname(url)
    return folder if folder.endswith("/") else folder + "/"


# Page#to_liquid: its data, then these (in their place if the data has them)
PAGE_ATTRIBUTES = ("content", "dir", "excerpt", "name", "path", "url")


def _as_page_hash(drop: dict, meta: dict) -> dict:
    """A page's drop in the order of Jekyll's Page#to_liquid (what jsonify writes)."""
    tail = [key for key in PAGE_ATTRIBUTES if key in drop and key not in meta]
    return {**{k: v for k, v in drop.items() if k not in tail}, **{k: drop[k] for k in tail}}


def site_static_files(files: dict[str, Path], root: Path, config: dict) -> list[dict]:
    """site.static_files as Jekyll lists them: the blog's files by path, then each
    collection's (Reader#sort_files! runs before the collections are read), then a
    theme's assets; `files`: output path -> file."""
    folder = str(config.get("collections_dir") or "").strip("/")
    labels = list(collection_names(config))
    found = []
    for rel, path in files.items():
        group, label = -1, None
        if not path.is_relative_to(root):
            group = len(labels)   # a theme's (ThemeAssetsReader: after the rest)
        else:
            source = path.relative_to(root).as_posix()
            source = source[len(folder) + 1:] if folder and source.startswith(folder + "/") \
                else source
            group = next((i for i, name in enumerate(labels) if source.startswith(f"_{name}/")
                          and rel.startswith(f"{name}/")), -1)
            label = labels[group] if group >= 0 else None
        # StaticFile#relative_path: a collection's file in its `_name/` folder, no
        # leading slash (where Jekyll writes it is elsewhere)
        shown = source if label is not None else "/" + rel
        found.append((group, shown, _static_file(rel, path, config, shown, label)))
    return [drop for _, _, drop in sorted(found, key=lambda f: f[:2])]


def _static_file(rel: str, path: Path, config: dict, shown: str | None = None,
                 label: str | None = None) -> dict:
    """A static file as Liquid sees it (StaticFile#to_liquid, in its order): its
    extension as Ruby's File.extname finds it (none for `.htaccess`), its path in
    the blog (`shown`), its collection, its time in the site's zone."""
    from site_builder.site.ruby_time import local_zone
    name = rel.rsplit("/", 1)[-1]
    stem = name.lstrip(".")
    ext = "." + stem.rsplit(".", 1)[1] if "." in stem else ""
    when = datetime.fromtimestamp(path.stat().st_mtime, local_zone(config)).replace(tzinfo=None)
    return {"name": name, "basename": name[:len(name) - len(ext)], "extname": ext,
            "path": shown or "/" + rel, "collection": label, "modified_time": when}


def _html(page: Post) -> bool:
    """Page#html?: its output extension (its permalink's, else its converter's) is
    HTML's."""
    link = str(page.meta.get("permalink") or "")
    ext = posixpath.splitext(link)[1] if link and not link.endswith("/") else ""
    return (ext or output_ext(page)) in (".html", ".xhtml", ".htm")


def pages_in_order(items: list[Post]) -> list[Post]:
    """The pages in Jekyll's order (Reader#sort_files!): by file name, wherever the
    file is; of one name, those in a folder's subfolders before the folder's own, as
    Jekyll reads a folder's subfolders first (siblings by name: Jekyll takes them in
    the order the file system lists them)."""
    def key(page: Post) -> tuple:
        *folders, name = page.name.split("/")
        return name, [(0, folder) for folder in folders] + [(1, name)]
    return sorted((p for p in items if p.kind == "pages"), key=key)


def documents_in_order(posts: list[Post], items: list[Post], config: dict) -> list[Post]:
    """The documents as Jekyll renders and writes them (Site#documents): posts oldest
    first, then the other collections in the config's order, each in its order."""
    settings = config.get("collections")
    order = list(settings) if isinstance(settings, (dict, list)) else []
    docs = sorted((p for p in items if p.kind != "pages"),
                  key=lambda p: order.index(label(p.kind)) if label(p.kind) in order
                  else len(order))
    return [*reversed(posts), *docs]


class Layout:
    def __init__(self, name: str, path: Path, data: dict, body: str, body_line: int) -> None:
        self.name, self.path, self.data, self.body, self.body_line = name, path, data, body, body_line
        self.template = None


class JekyllRenderer:
    """Renders items (posts, pages, documents) into whole files through the blog's
    layouts. Built once per build; the site drop is made on first use, after every
    post's content is known."""

    def __init__(self, root: Path, config: dict, posts: list[Post], pages: list[Post],
                 static: dict[str, Path], links: Links | None = None,
                 theme: Path | None = None) -> None:
        self.root, self.config, self.posts, self.pages = root, config, posts, pages
        self.theme = theme
        self.links = links or Links(root, config, stage_log("site"))
        self.static = static
        self.layout_dir = root / "_layouts"
        self.reads = Reads()   # shared by every Drop this renderer makes
        self.reads.page_content = self._earlier_page if theme is None else None
        self.reads.page_excerpt = self._page_excerpt if theme is None else None
        self._page_contents: dict[str, str] = {}
        self._page_texts: dict[str, str] = {}
        self._briefs: dict[int, Drop] = {}
        self._fulls: dict[int, Drop] = {}
        self._post_sites: dict[object, dict] = {}   # a post's path -> its `site` (_site_for)

    def tracked(self, render: Callable[[], str]) -> Callable[[], tuple[str, tuple]]:
        """`render`, also answering which items' content it read."""
        def thunk() -> tuple[str, tuple]:
            self.reads.names = set()
            try:
                text = render()
                return text, tuple(sorted(str(n) for n in self.reads.names))
            finally:
                self.reads.names = None
        return thunk

    @cached_property
    def env(self):  # noqa: ANN201 (JekyllEnvironment, imported late)
        from site_builder.site.liquid_tags import JekyllEnvironment
        env = JekyllEnvironment(self.root, self.config,
                                post_url_names(self.posts))
        env.urls = link_urls(self.posts + self.pages, self.static)
        return env

    @cached_property
    def md(self):  # noqa: ANN201
        from site_builder.site.kramdown import renderer
        return renderer(self.config.get("kramdown"), script_links=self.theme is None)

    @cached_property
    def layouts(self) -> dict[str, Layout]:
        """Name -> layout: the blog's, then the theme's it lacks."""
        found = {}
        folders = [(self.layout_dir, "_layouts", True)]
        if self.theme is not None:
            folders.append((self.theme / "_layouts", "the theme's _layouts", False))
        for folder, shown, own in folders:
            if not folder.is_dir():
                continue
            for path in sorted(folder.rglob("*")):
                # A layout linked to outside the blog is not read (links.py).
                if (not own or self.links.confined(path)) and path.is_file():
                    name = path.relative_to(folder).with_suffix("").as_posix()
                    if name in found:
                        continue
                    # (read as `bom|utf-8`, as Jekyll reads a layout: HSF's blog_post.html)
                    text = path.read_text(encoding="utf-8-sig", errors="replace")
                    rel = f"{shown}/{path.relative_to(folder).as_posix()}"
                    # Front matter that does not read: the layout without it, said, as
                    # Jekyll's Convertible#read_yaml (an error with strict_front_matter)
                    malformed = None if self.config.get("strict_front_matter") else []
                    data, body, line, _ = split_front_matter(text, rel, malformed=malformed)
                    if malformed:
                        LOG.warning(f"warning: {malformed[0]}; read without it, as Jekyll "
                                    f"does; fix the YAML between the '---' lines "
                                    f"(`strict_front_matter: true` makes it an error)")
                    found[name] = Layout(rel, path, data, body, line)
        return found

    # -- the site and page drops -------------------------------------------------------

    def page_drop(self, item: Post) -> dict:
        drop = item.page(words=self.theme is not None)   # a Jekyll blog's drops have none
        folder = item.name.rsplit("/", 1)[0] if "/" in item.name else ""
        drop.update({"name": item.name.rsplit("/", 1)[-1], "dir": f"/{folder}/" if folder else "/",
                     "excerpt": item.excerpt if item.kind != "pages" else None,
                     "output": None})
        if item.kind != "pages" and item.meta.get("name"):
            drop["name"] = item.meta["name"]   # DocumentDrop#name: the front matter's first
        if self.theme is None:   # a Jekyll blog's: what Jekyll's drops hold, no more
            if item.kind == "pages":
                drop.pop("output")
                drop["dir"] = _url_dir(item.url)
            else:   # a document has its relative_path and ext, and no dir
                del drop["dir"]
                drop["relative_path"], drop["ext"] = item.name, item.ext
        if item.kind == "pages":
            # Page#excerpt: the front matter's, as text (nil without; with
            # page_excerpts, a Drop makes it when read: _page_excerpt)
            own = item.meta.get("excerpt")
            if own is None or own is False:
                drop["excerpt"] = None
            else:
                from site_builder.site.ruby_values import to_s
                drop["excerpt"] = to_s(own)
            if "id" not in item.meta:
                drop.pop("id", None)
            if "date" in item.meta:   # a page has a date only when it says so: its own,
                drop["date"] = item.meta["date"]   # as YAML read it (Page#data)
            else:
                drop.pop("date", None)
            if "title" not in item.meta:   # and a title (nil: `page.title or site.title`)
                drop.pop("title", None)
            drop.pop("slug", None)
            if "collection" not in item.meta:   # a page's own `collection:` stays (a
                drop.pop("collection", None)     # listing page: site[page.collection])
            for key in ("tags", "categories"):   # a page's are its front matter's, as
                if key in item.meta:              # written (`categories: causal`, a string)
                    drop[key] = item.meta[key]
                else:
                    drop.pop(key, None)
        else:
            drop["excerpt"] = own_excerpt(item)
            # Jekyll sets `draft` (in _drafts/ or not) before reading the front matter,
            # which can then say otherwise: `draft: true` in _posts hides a post from a
            # theme's `unless post.draft` (jekyll-now's index), and it is still built.
            drop["draft"] = item.meta["draft"] if "draft" in item.meta else item.draft
        if self.theme is None and item.kind == "pages":
            drop = _as_page_hash(drop, item.meta)
        return drop

    @cached_property
    def post_drops(self) -> list[dict]:
        return [self._full_drop(i) for i in range(len(self.posts))]

    # Each post's drop made when first asked for: a build that renders one post's
    # page and the lists it is on makes a few dozen, not one per post.
    @cached_property
    def _post_index(self) -> dict[str, int]:
        return {post.name: i for i, post in reversed(list(enumerate(self.posts)))}

    def _brief_drop(self, i: int) -> Drop:
        """Post i as its neighbours show it (without neighbours of its own)."""
        drop = self._briefs.get(i)
        if drop is None:
            post = self.posts[i]
            drop = self._briefs[i] = Drop(self.page_drop(post), self.reads,
                                          self._ranks.get(post.name), post)
        return drop

    def _full_drop(self, i: int) -> Drop:
        drop = self._fulls.get(i)
        if drop is None:   # posts are newest first: next is the newer one
            brief = self._brief_drop(i)
            drop = self._fulls[i] = Drop({
                **brief, "next": self._brief_drop(i - 1) if i > 0 else None,
                "previous": self._brief_drop(i + 1) if i + 1 < len(self.posts) else None},
                self.reads, brief.rank, brief.item)
        return drop

    def _post_drops(self) -> list[dict]:
        # Each post as its neighbours show it (without neighbours of its own), then
        # with its own: one copy a post, the brief one shared by the two neighbours.
        ranks = self._ranks
        briefs = [Drop(self.page_drop(p), self.reads, ranks.get(p.name), p) for p in self.posts]
        last = len(briefs) - 1
        return [Drop({**brief, "next": briefs[i - 1] if i > 0 else None,
                      "previous": briefs[i + 1] if i < last else None}, self.reads,
                     brief.rank, brief.item)
                for i, brief in enumerate(briefs)]

    @cached_property
    def _ranks(self) -> dict[str, int]:
        """Each document's place in Jekyll's render order (Site#render_docs): posts
        oldest first, then the other collections in the config's order, each
        collection's documents in order. Empty with a theme of ours: its layouts
        never show a document's source."""
        if self.theme is not None:
            return {}
        ranks = {p.name: rank for rank, p in enumerate(documents_in_order(
            self.posts, self.pages, self.config))}
        ranks.update((p.name, PAGE_RANK + rank) for rank, p in enumerate(self._pages_in_order))
        return ranks

    @cached_property
    def _pages_in_order(self) -> list[Post]:
        """The pages as Jekyll lists and renders them (Reader#sort_files!)."""
        return pages_in_order(self.pages)

    def _earlier_page(self, item: Post) -> str:
        """The HTML of a page Jekyll renders before the one being rendered (its body
        through Liquid and Markdown, as Jekyll's page.content is then): made when
        first asked for (a search index of every page's text)."""
        found = self._page_contents.get(item.name)
        if found is None:
            found = self._page_contents[item.name] = self._convert(item, self._page_text(item))
        return found

    def _page_text(self, item: Post) -> str:
        """A page's body through Liquid, in its place in Jekyll's order (made once)."""
        found = self._page_texts.get(item.name)
        if found is None:
            reads = self.reads
            saved = reads.rank, reads.own
            reads.rank, reads.own = self._ranks.get(item.name), None
            try:
                page = self.page_drop(item)
                page["content"] = item.body
                found = self._page_texts[item.name] = self._body_text(item, page, None)
            finally:
                reads.rank, reads.own = saved
        return found

    def _page_excerpt(self, item: Post, text: str | None = None) -> object:
        """Page#excerpt: its front matter's `excerpt` as a string; else, with
        `page_excerpts: true` (Jekyll 4.1), for a page written as HTML, the part of
        its body before the excerpt separator, converted (`text`: its body through
        Liquid, if made already); else nil."""
        own = item.meta.get("excerpt")
        if own is not None and own is not False:
            from site_builder.site.ruby_values import to_s
            return to_s(own)
        separator = item.meta.get("excerpt_separator", self.config.get("excerpt_separator", "\n\n"))
        if not self.config.get("page_excerpts") or not str(separator) \
                or output_ext(item) not in (".html", ".xhtml", ".htm"):
            return None
        if text is None:
            text = self._page_text(item)
        return self._convert(item, excerpt_source(item, text, self.config))

    @property
    def ranks(self) -> dict[str, int]:
        return self._ranks

    @cached_property
    def site(self) -> dict:
        if not self._lists_posts:   # then no post's drop is made for it
            return self._site(None)
        return self._site(self.post_drops)

    @cached_property
    def _lists_posts(self) -> bool:
        """Whether the layouts may read the posts' drops through `site` (site.posts,
        site.tags...). Our theme's layouts never do: they see posts through `page`
        and the paginator. A blog's own layouts are rendered with its pages' bodies,
        which may: always True for them."""
        if self.theme is None:
            return True
        texts = [layout.body for layout in self.layouts.values()]
        for folder in map(Path, include_folders(self.root, self.config)):
            for path in sorted(folder.rglob("*")) if folder.is_dir() else []:
                if self.links.confined(path) and path.is_file():
                    texts.append(path.read_text(encoding="utf-8", errors="replace"))
        return any(_reads_posts(text) for text in texts)

    def posts_site(self) -> dict:
        """`site` as a post's own Liquid sees it: what the layouts see, made now, while
        no post has its HTML yet (kept apart from `site`, which the layouts get later)."""
        # (the documents' drops made apart too: those of the layouts' `site` hold the
        # documents' HTML, made after this; scala-lang.org's front page showed none)
        return self._site(self._post_drops(), self._make_doc_drops())

    @cached_property
    def _static_files(self) -> list[dict]:
        """site.static_files, made once for both sites (the posts' and the layouts'):
        each file's path worked out with pathlib and its time read (made twice, 5
        million instructions of a cold build of Jekyll's docs)."""
        return site_static_files(self.static, self.root, self.config)

    def _site(self, posts: list[dict] | None, doc_drops: dict[str, Drop] | None = None) -> dict:
        """`site`; with `posts` None, without what is made of the posts (POSTS_KEYS)."""
        config = self.config
        ranks = self._ranks
        pages = [Drop(self.page_drop(p), self.reads, ranks.get(p.name, PAGE_RANK), p)
                 for p in self._pages_in_order]
        doc_drops = self._doc_drops if doc_drops is None else doc_drops
        # every collection the config names, with documents or not (`site.empty` is [])
        docs: dict[str, list[dict]] = {name: [] for name in collection_names(config)}
        for item in self.pages:
            if item.kind != "pages":
                docs.setdefault(label(item.kind), []).append(doc_drops[item.name])
        tags: dict[str, list] = {}
        cats: dict[str, list] = {}
        for drop in reversed(posts or []):   # as Jekyll: names in the order of the oldest post
            for tag in dict.get(drop, "tags"):
                tags.setdefault(tag, []).append(drop)
            for category in dict.get(drop, "categories"):
                cats.setdefault(category, []).append(drop)
        for found in (*tags.values(), *cats.values()):
            found.reverse()   # each list newest first
        static = self._static_files
        settings = config.get("collections") if isinstance(config.get("collections"), dict) else {}
        own = (settings or {}).get("posts")
        own = own if isinstance(own, dict) else {}
        style = permalink_style(config)
        # the posts collection as Jekyll's config makes it: the blog's settings, output,
        # and the site's permalink style written out; its documents oldest first
        collections = [{"label": "posts", "docs": list(reversed(posts or [])), "files": [],
                        **own, "output": True, "relative_directory": "_posts",
                        "directory": str(self.root / "_posts"),
                        "permalink": own.get("permalink") or PERMALINK_STYLES.get(style, style)}]
        for name, items in docs.items():
            collections.append({"label": name, "docs": items, "files": [],
                                "relative_directory": f"_{name}",
                                **((settings or {}).get(name) or {})})
        from site_builder.config import blog_settings
        written = config if self.theme is not None else blog_settings(config)
        site = {**written, "baseurl": config.get("baseurl_as_written", config["baseurl"]),
                "posts": posts, "pages": pages, "html_pages": [drop for drop, item in zip(pages, self._pages_in_order)
                               if _html(item) or str(dict.get(drop, "url", "")).endswith("/")],
                "static_files": static, "tags": tags,
                "collections": sorted(collections, key=lambda c: c["label"]),   # as SiteDrop
                "categories": cats,
                # Site#documents: posts oldest first, then each collection in turn
                "documents": [*reversed(posts or []), *(d for ds in docs.values() for d in ds)],
                "time": build_time(config),   # the config's `time:`, else now, in the site's zone
                **{name: items for name, items in docs.items()}}
        if posts is None:
            for key in POSTS_KEYS:
                site.pop(key, None)
        from site_builder.site.liquid_tags import SiteDrop
        return SiteDrop(site, written)

    # -- rendering --------------------------------------------------------------------

    def render(self, item: Post, paginator: dict | None = None, url: str | None = None) -> str:
        """The whole file of `item` (at `url`, for a paginated page)."""
        page = self.page_drop(item) if item.kind == "pages" else self._post_drop(item)
        if url:
            page["url"] = url
        self.reads.rank = self._ranks.get(item.name)
        try:
            if item.kind == "pages":
                # Jekyll's Page#to_liquid is a copy made before it is rendered: its
                # page.content stays the source, in its layouts too
                page["content"] = item.body
                text = self._body_text(item, page, paginator)
                content = self.reads.own = self._convert(item, text)
                page["excerpt"] = self._page_excerpt(item, text)
            else:
                content = item.content
            return self.place_in_layouts(item, content, page, paginator)
        finally:
            self.reads.rank = self.reads.own = None

    def render_redirect(self, item: Post | None, url: str, target: str) -> str:
        """jekyll-redirect-from's page through the blog's own `redirect` layout (the
        plugin uses a blog's layout of that name before its own): the data of the
        document that has `redirect_to:`, or of a new page at a `redirect_from:` path,
        with `layout: redirect`, `sitemap: false`, `redirect: {from, to}`, no content."""
        if item is None:
            folder = url.rsplit("/", 1)[0]
            page: dict = {"name": "redirect.html", "path": "redirect.html", "url": url,
                          "dir": folder + "/" if folder else "/"}
        else:
            page = self.page_drop(item) if item.kind == "pages" else self._post_drop(item)
        # Its content emptied, then converted as its kind is: "\n" from kramdown
        content = self.md.render("") if item and item.ext.lower() in MARKDOWN_SUFFIXES else ""
        page.update({"layout": "redirect", "sitemap": False, "permalink": url,
                     "redirect": {"from": url, "to": target}, "content": content})
        return self.chain("redirect", content, page, None)

    def _site_for(self, page: dict | None) -> dict:
        """site, with site.related_posts for a post (Jekyll without lsi: the ten newest
        other posts)."""
        if not page or page.get("collection") != "posts" or not self._lists_posts:
            return self.site
        path = page.get("path")
        site = self._post_sites.get(path) if type(path) is str else None   # once a post
        if site is None:
            # Of the eleven newest, the ten that are not this post (no scan of them all).
            related = [self._full_drop(i) for i in range(min(11, len(self.posts)))]
            related = [d for d in related if dict.get(d, "path") != path][:10]
            from site_builder.site.liquid_tags import SiteDrop
            site = SiteDrop({**self.site, "related_posts": related}, self.site.keys_in_order)
            if type(path) is str:
                self._post_sites[path] = site
        return site

    def _post_drop(self, item: Post) -> dict:
        i = self._post_index.get(item.name)
        if i is not None:
            return dict(dict.items(self._full_drop(i)))
        document = self._doc_drops.get(item.name)
        return dict(dict.items(document)) if document is not None else self.page_drop(item)

    @cached_property
    def _doc_drops(self) -> dict[str, Drop]:
        return self._make_doc_drops()

    def _make_doc_drops(self) -> dict[str, Drop]:
        """Each collection document's drop, with its neighbours in its collection's order
        (Document#previous_doc and next_doc: crystal-lang.org's release pages link them)."""
        found: dict[str, Drop] = {}
        collections: dict[str, list[Post]] = {}
        for item in self.pages:
            if item.kind != "pages":
                collections.setdefault(item.kind, []).append(item)
        for items in collections.values():
            briefs = [Drop(self.page_drop(p), self.reads, self._ranks.get(p.name), p)
                      for p in items]
            for i, brief in enumerate(briefs):
                found[items[i].name] = Drop({
                    **brief, "previous": briefs[i - 1] if i > 0 else None,
                    "next": briefs[i + 1] if i + 1 < len(briefs) else None},
                    self.reads, brief.rank, brief.item)
        return found

    def item_drop(self, item: Post) -> dict:
        """`page` for an item placed in the layouts with its content already rendered."""
        page = self.page_drop(item) if item.kind == "pages" else self._post_drop(item)
        page["content"] = item.content
        return page

    def _body(self, item: Post, page: dict, paginator: dict | None) -> str:
        return self._convert(item, self._body_text(item, page, paginator))

    def _body_text(self, item: Post, page: dict, paginator: dict | None) -> str:
        """The body through Liquid."""
        text = item.body
        if "{{" in text or "{%" in text:
            from site_builder.site.liquid_tags import MARKDOWN_HIGHLIGHTER
            markdown = MARKDOWN_HIGHLIGHTER if item.ext.lower() in MARKDOWN_SUFFIXES else {}
            text = self._liquid(item.body, item.name, item.body_line, page=page,
                                paginator=paginator, **markdown)
        return text

    def _convert(self, item: Post, text: str) -> str:
        from site_builder.site import ahead   # (what was converted ahead, by its text)
        if item.ext.lower() in MARKDOWN_SUFFIXES:
            early = ahead.markdown(self.theme is None).get(text)
            text = early[0] if early is not None else self.md.render(text)
        elif is_sass(item.ext):
            css = ahead.css().get((text, item.name, item.ext, item.body_line))
            text = css if css is not None else compile_sass(
                text, item.name, item.ext, self.root, self.config, item.body_line)
        return text

    def place_in_layouts(self, item: Post, content: str, page: dict,
                         paginator: dict | None) -> str:
        return self.chain(item.meta.get("layout"), content, page, paginator)

    def chain(self, name: object, content: str, page: dict, paginator: dict | None) -> str:
        """`content` through the layout `name` and those it names in turn."""
        seen: set[str] = set()
        layout_data: dict = {}
        while name and str(name) != "none" and str(name) != "null":
            layout = self.layouts.get(str(name)) or self.layouts.get(str(name).rsplit(".", 1)[0])
            if layout is None:
                return content   # Jekyll warns and writes the content as it is
            if layout.name in seen:
                raise BuildError(f"{layout.name}: layout {name!r} names itself in a loop; "
                                 f"fix its `layout:`")
            seen.add(layout.name)
            layout_data = {**layout.data, **layout_data}
            content = self._liquid(layout.body, layout.name, layout.body_line, page=page,
                                   paginator=paginator, content=content, layout=layout_data,
                                   template=layout)
            name = layout.data.get("layout")
        return content

    def _liquid(self, source: str, name: str, line: int, *, template: Layout | None = None,
                **context: Any) -> str:
        from liquid.exceptions import LiquidError
        try:
            if template is not None:
                if template.template is None:
                    template.template = self.env.parse(source, name, line)
                parsed = template.template
            else:
                parsed = self.env.parse(source, name, line)
            return parsed.render(site=self._site_for(context.get("page")), **context)
        except LiquidError as exc:
            place = self.env.error_place(exc, source)   # in an include: its file and line
            if place:
                raise BuildError(f"{place}: Liquid: {exc.message}; fix the {{{{ }}}} or "
                                 f"{{% %}} there") from None
            token = getattr(exc, "token", None)
            index = getattr(token, "start_index", -1)
            if getattr(token, "source", source) != source:
                index = -1
            offset = source[:index].count("\n") if index >= 0 else 0
            raise BuildError(f"{name}:{line + offset}: Liquid: {exc.message}; fix the "
                             f"{{{{ }}}} or {{% %}} there") from None


# What `site` holds that is made of every post.
POSTS_KEYS = ("posts", "tags", "categories", "documents", "collections", "related_posts")
LIQUID_MARKUP = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.S)
# `site` as a variable (not page.site), and the key read of it, if any.
SITE_READ = re.compile(r"(?<![\w.\-])site(?![\w\-])"
                       r"(?:\s*\.\s*([\w\-]+)|\s*\[\s*(['\"])([^'\"]*)\2\s*\])?")


def _reads_posts(text: str) -> bool:
    """Whether a template's Liquid reads one of POSTS_KEYS of `site`, or `site`
    itself as a whole (assigned, looped over, a key read from a variable...)."""
    for markup in LIQUID_MARKUP.findall(text):
        for found in SITE_READ.finditer(markup):
            key = found.group(1) or found.group(3)
            if key is None or key in POSTS_KEYS:
                return True
    return False


def link_urls(items: list[Post], static: dict[str, Path]) -> dict[str, str]:
    """Source path -> URL, for {% link %}."""
    return {**{rel: "/" + rel for rel in static}, **{p.name: p.url for p in items}}


def paginated_index(pages: list[Post], config: dict) -> Post | None:
    """jekyll-paginate's template: the deepest index.html in the folder of
    `paginate_path` or a folder above it (`/page/:num` pages the root's index)."""
    if not config.get("paginate"):
        return None
    folder = posixpath.dirname(str(config.get("paginate_path") or "/page:num/").strip("/"))
    folders = {""}
    while folder:
        folders.add(folder)
        folder = posixpath.dirname(folder)
    candidates = [page for page in pages if page.kind == "pages"
                  and posixpath.basename(page.name) == "index.html"
                  and posixpath.dirname(page.name) in folders]
    return max(candidates, key=lambda page: len(page.name), default=None)


def paginator(config: dict, posts: list[dict], number: int, total: int, per_page: int,
              base: str) -> dict:
    """jekyll-paginate's `paginator` for page `number` of `total`."""
    def path(n: int) -> str | None:
        if n < 1 or n > total:
            return None
        if n == 1:
            return base
        # Jekyll's default paginate_path: /page:num (no slash at the end)
        pattern = str(config.get("paginate_path") or "/page:num")
        return "/" + pattern.replace(":num", str(n)).lstrip("/")
    start = (number - 1) * per_page
    return {"page": number, "per_page": per_page, "posts": posts[start:start + per_page],
            "total_posts": len(posts), "total_pages": total,
            "previous_page": number - 1 if number > 1 else None,
            "previous_page_path": path(number - 1),
            "next_page": number + 1 if number < total else None,
            "next_page_path": path(number + 1)}


