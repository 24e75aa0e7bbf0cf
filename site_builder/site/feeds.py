"""The machine-readable outputs: the Atom feed in jekyll-feed's shape and sitemap.xml.

Built with ElementTree, so they are well-formed whatever the posts contain, and
dated by the posts (never the build time), so two builds are byte-identical."""

from __future__ import annotations

import re
from functools import partial
from typing import TYPE_CHECKING

from site_builder.site.plugins import JEKYLL_VERSION
from site_builder.site.sources import PAGE_DATE, Post, tags, xmlschema
from site_builder.site.urls import absolute_url

if TYPE_CHECKING:   # imported where used: a build that writes no feed never needs it
    import xml.etree.ElementTree as ET

ATOM = "http://www.w3.org/2005/Atom"
MEDIA = "http://search.yahoo.com/mrss/"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
FEED_POSTS = 10  # jekyll-feed's default `feed.posts_limit`
# Liquid's strip_html: scripts, styles and comments whole, then every tag.
MARKUP = re.compile(r"<script.*?</script>|<!--.*?-->|<style.*?</style>|<.*?>", re.S | re.I)


def feed_posts(posts: list[Post], config: dict) -> list[Post]:
    """jekyll-feed's entries: `posts | sort: "date" | reverse` of site.posts (newest
    first; a stable sort, so posts of one date come in the reverse of that order),
    `feed: posts_limit:` of them (10)."""
    settings = config.get("feed") if isinstance(config.get("feed"), dict) else {}
    limit = settings.get("posts_limit")
    try:
        limit = FEED_POSTS if limit is None or limit is False or limit == "" else int(limit)
    except (TypeError, ValueError):
        limit = FEED_POSTS
    return sorted(posts, key=lambda post: post.date)[::-1][:max(limit, 0)]


def atom_feed(posts: list[Post], config: dict, title: str | None = None) -> str:
    """`posts`: feed_posts'; `title`: a Jekyll blog's own (`title`, else `name`; no
    <title> without one, as jekyll-feed), not this project's default."""
    import xml.etree.ElementTree as ET
    url = partial(absolute_url, config)
    lang = config.get("lang")
    feed = ET.Element("feed", xmlns=ATOM, attrib={XML_LANG: str(lang)} if lang else {})
    ET.SubElement(feed, "generator", uri="https://jekyllrb.com/",
                  version=JEKYLL_VERSION).text = "Jekyll"
    ET.SubElement(feed, "link", href=url("/feed.xml"), rel="self", type="application/atom+xml")
    ET.SubElement(feed, "link", href=url("/"), rel="alternate", type="text/html",
                  attrib={"hreflang": str(lang)} if lang else {})
    newest = posts[0].date if posts else PAGE_DATE
    ET.SubElement(feed, "updated").text = xmlschema(newest, config)
    ET.SubElement(feed, "id").text = url("/feed.xml")
    if title is None:
        ET.SubElement(feed, "title", type="html").text = str(config.get("title") or "")
    elif title:   # jekyll-feed's `title | smartify | xml_escape`
        from site_builder.site.jekyll_filters import smartify
        ET.SubElement(feed, "title", type="html").text = smartify(title, config.get("kramdown"))
    if config.get("description"):
        ET.SubElement(feed, "subtitle").text = str(config["description"])
    _author(feed, config.get("author"))
    for post in posts:
        if title is None:
            _entry(feed, post, config)
        else:
            _jekyll_feed_entry(feed, post, config)
    return _xml(feed)


def _entry(feed: ET.Element, post: Post, config: dict) -> None:
    """An entry of this project's theme's feed."""
    import xml.etree.ElementTree as ET
    page = post.page()
    lang = post.meta.get("lang")
    entry = ET.SubElement(feed, "entry", attrib={XML_LANG: str(lang)} if lang else {})
    title = plain_title(page["title"])
    _entry_head(entry, post, config, title)
    ET.SubElement(entry, "content", type="html",
                  attrib={"xml:base": absolute_url(config, post.url)}).text = post.content
    _author(entry, post.meta.get("author") or config.get("author"))
    for term in page["categories"] + tags(post.meta):
        ET.SubElement(entry, "category", term=term)
    ET.SubElement(entry, "summary", type="html").text = page["excerpt"]
    _entry_image(entry, post, config)


def _entry_head(entry: ET.Element, post: Post, config: dict, title: str) -> None:
    import xml.etree.ElementTree as ET
    ET.SubElement(entry, "title", type="html").text = title
    ET.SubElement(entry, "link", href=absolute_url(config, post.url), rel="alternate",
                  type="text/html", title=title)
    ET.SubElement(entry, "published").text = xmlschema(post.date, config)
    ET.SubElement(entry, "updated").text = xmlschema(post.date, config)
    ET.SubElement(entry, "id").text = absolute_url(config, post.post_id())


def _jekyll_feed_entry(feed: ET.Element, post: Post, config: dict) -> None:
    """An entry as jekyll-feed's template writes it: the title `smartify | strip_html
    | normalize_whitespace` (curly quotes; an `&` is `&amp;` in its HTML), the content
    stripped, the author `post.author | default: post.authors[0] | default:
    site.author`, looked up in `site.data.authors`, with its email and uri; `category`
    alone if the post has one, else its categories, then its tags; the summary
    `post.description | default: post.excerpt`, whole, and none when empty."""
    import xml.etree.ElementTree as ET
    from site_builder.site.jekyll_filters import (RUBY_STRIP, normalize_whitespace, smartify,
                                                  strip_html)
    meta, page = post.meta, post.page()
    lang = meta.get("lang")
    entry = ET.SubElement(feed, "entry", attrib={XML_LANG: str(lang)} if lang else {})
    title = normalize_whitespace(strip_html(smartify(page["title"], config.get("kramdown"))))
    _entry_head(entry, post, config, title)
    excerpt_only = (meta.get("feed") if isinstance(meta.get("feed"), dict) else {}).get(
        "excerpt_only") or (config.get("feed") if isinstance(config.get("feed"), dict)
                            else {}).get("excerpt_only")
    if not excerpt_only:
        ET.SubElement(entry, "content", type="html", attrib={
            "xml:base": absolute_url(config, post.url)}).text = post.content.strip(RUBY_STRIP)
    _feed_author(entry, meta, config)
    single = meta.get("category")
    terms = [single] if single else page["categories"]
    for term in [*terms, *tags(meta)]:
        ET.SubElement(entry, "category", term=_to_s(term))
    own = meta.get("excerpt")
    summary = meta.get("description") or (post.excerpt if own is None or own is False else own)
    summary = normalize_whitespace(strip_html(summary)) if summary else ""
    if summary:
        ET.SubElement(entry, "summary", type="html").text = summary
    _entry_image(entry, post, config)


def _feed_author(entry: ET.Element, meta: dict, config: dict) -> None:
    """jekyll-feed's entry author: always an <author>, its name maybe empty."""
    import xml.etree.ElementTree as ET
    from site_builder.config import blog_settings
    authors = meta.get("authors")
    author = meta.get("author") or (authors[0] if isinstance(authors, list) and authors
                                    else None) or blog_settings(config).get("author")
    known = (config.get("data") or {}).get("authors")
    if isinstance(author, str) and isinstance(known, dict) and known.get(author):
        author = known[author]
    element = ET.SubElement(entry, "author")
    found = author if isinstance(author, dict) else {}
    name = found.get("name") or author
    ET.SubElement(element, "name").text = _to_s(name) if name else ""
    for key in ("email", "uri"):
        if found.get(key):
            ET.SubElement(element, key).text = _to_s(found[key])


def _to_s(value: object) -> str:
    from site_builder.site.ruby_values import to_s
    return to_s(value)


def _entry_image(entry: ET.Element, post: Post, config: dict) -> None:
    import xml.etree.ElementTree as ET
    image = post.meta.get("image")
    image = image.get("path") if isinstance(image, dict) else image
    if image:   # post.image.path | default: post.image, made absolute unless it is
        image = str(image) if "://" in str(image) else absolute_url(config, image)
        ET.SubElement(entry, f"{{{MEDIA}}}thumbnail", url=image)
        ET.SubElement(entry, f"{{{MEDIA}}}content", medium="image", url=image)


def plain_title(title: str) -> str:
    """jekyll-feed's entry title: `strip_html | normalize_whitespace` (a title's markup
    would be HTML to a feed reader: `type="html"`)."""
    from site_builder.site.jekyll_filters import normalize_whitespace
    return normalize_whitespace(MARKUP.sub("", title))


def _author(parent: ET.Element, author: object) -> None:
    """The feed's author (site.author: a name, or its name, email and uri)."""
    import xml.etree.ElementTree as ET
    name = author.get("name") if isinstance(author, dict) else author
    if name:
        element = ET.SubElement(parent, "author")
        ET.SubElement(element, "name").text = str(name)
        for key in ("email", "uri"):
            if isinstance(author, dict) and author.get(key):
                ET.SubElement(element, key).text = str(author[key])


def sitemap(urls: list[tuple[str, object]], config: dict) -> str:
    """`urls`: (path without baseurl, the date it last changed or None)."""
    import xml.etree.ElementTree as ET
    ET.register_namespace("xsi", XSI)
    root = ET.Element("urlset", xmlns=SITEMAP, attrib={f"{{{XSI}}}schemaLocation": f"{SITEMAP} "
                                                       f"{SITEMAP}/sitemap.xsd"})
    for path, changed in urls:
        item = ET.SubElement(root, "url")
        ET.SubElement(item, "loc").text = absolute_url(config, path)
        if changed is not None:
            ET.SubElement(item, "lastmod").text = xmlschema(changed, config)
    # jekyll-sitemap's layout: minified to one element a line, none indented
    ET.indent(root, space="")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _xml(element: ET.Element) -> str:
    import xml.etree.ElementTree as ET
    ET.register_namespace("media", MEDIA)
    ET.indent(element)
    declaration = '<?xml version="1.0" encoding="utf-8"?>\n'
    return declaration + ET.tostring(element, encoding="unicode") + "\n"
