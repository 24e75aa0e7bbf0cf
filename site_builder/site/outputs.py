"""Every generated file of the site, rendered in memory: posts and pages, the index
(paginated as jekyll-paginate does), one page per tag, 404.html, the feed, the sitemap."""

from __future__ import annotations

from typing import Callable

import jinja2

from site_builder.errors import BuildError
from site_builder.site.feeds import atom_feed, sitemap
from site_builder.site.render import render_layout, render_post
from site_builder.site.sources import Post, words
from site_builder.site.urls import dest, pager_url, tag_url


class Outputs(dict):
    """Output path -> text; refuses two sources writing one path."""

    def __init__(self) -> None:
        super().__init__()
        self.sources: dict[str, str] = {}

    def add(self, rel: str, text: str, source: str) -> None:
        if rel in self.sources:
            raise BuildError(f"{source} and {self.sources[rel]} both write {rel}; "
                             f"give one of them another permalink in its front matter")
        self.sources[rel] = source
        self[rel] = text


def render_site(posts: list[Post], pages: list[Post], config: dict,
                layouts: jinja2.Environment, log: Callable) -> Outputs:
    out = Outputs()
    available = set(layouts.list_templates())
    for post in posts + pages:
        out.add(dest(post.url), render_post(layouts, available, post, config, log), post.name)
    index_urls = _index(out, posts, config, layouts)
    tags = _tags(out, posts, config, layouts)
    out.add("404.html", render_layout(layouts, "404.html", "404.html", site=config,
                                      page={"title": "Page not found", "url": "/404.html"}),
            "404.html")
    out.add("feed.xml", atom_feed(posts, config), "the feed")
    urls = ([(url, posts[0].date if posts else None) for url in index_urls]
            + [(p.url, p.date) for p in posts] + [(url, None) for url in tags]
            + [(p.url, None) for p in pages])
    out.add("sitemap.xml", sitemap(urls, config), "the sitemap")
    return out


def _index(out: Outputs, posts: list[Post], config: dict, layouts: jinja2.Environment) -> list[str]:
    """The index pages: all posts on one, or `paginate` per page; their URLs."""
    per_page = int(config.get("paginate") or 0) or max(len(posts), 1)
    chunks = [posts[i:i + per_page] for i in range(0, len(posts), per_page)] or [[]]
    urls = []
    for number, chunk in enumerate(chunks, start=1):
        url = pager_url(config, number)
        paginator = _paginator(config, number, len(chunks), per_page, len(posts))
        text = render_layout(layouts, "index.html", "the index", site=config,
                             posts=[p.page() for p in chunk], paginator=paginator,
                             page={"title": config["title"], "url": url})
        # jekyll-paginate writes every page as a folder's index.html.
        out.add(dest(url.rstrip("/") + "/"), text, "the index")
        urls.append(url)
    return urls


def _paginator(config: dict, number: int, total: int, per_page: int, posts: int) -> dict:
    """jekyll-paginate's `paginator`, its paths without the baseurl as there."""
    previous = number - 1 if number > 1 else None
    following = number + 1 if number < total else None
    return {"page": number, "per_page": per_page, "total_posts": posts, "total_pages": total,
            "previous_page": previous, "next_page": following,
            "previous_page_path": pager_url(config, previous) if previous else None,
            "next_page_path": pager_url(config, following) if following else None}


def _tags(out: Outputs, posts: list[Post], config: dict, layouts: jinja2.Environment) -> list[str]:
    """One page per tag, its posts newest first (as `posts` already are); their URLs."""
    tagged: dict[str, tuple[str, list[Post]]] = {}
    for post in posts:
        for tag in dict.fromkeys(words(post.meta.get("tags"))):
            tagged.setdefault(tag_url(tag), (tag, []))[1].append(post)
    for url, (tag, members) in sorted(tagged.items()):
        text = render_layout(layouts, "tag.html", f"the tag page {url}", site=config, tag=tag,
                             posts=[p.page() for p in members], page={"title": tag, "url": url})
        out.add(dest(url), text, f"tag {tag!r}")
    return sorted(tagged)
