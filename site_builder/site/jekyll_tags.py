"""Jekyll's `link` tag and the tags of the plugins built in (jekyll-seo-tag's `seo`,
jekyll-feed's `feed_meta`, jekyll-gist's `gist`), written from their documented
output; plus tags of plugins we do not have, which write nothing (the build warns
once, naming the plugin)."""

from __future__ import annotations

import html
import json
import re
from io import StringIO
from typing import TYPE_CHECKING, Any, Callable, TextIO

import liquid
from liquid.ast import BlockNode, Node
from liquid.builtin.output import Output, OutputNode
from liquid.builtin.tags.echo_tag import EchoNode, EchoTag
from liquid.exceptions import LiquidError, LiquidSyntaxError
from liquid.parser import get_parser
from liquid.stream import TokenStream
from liquid.tag import Tag
from liquid.builtin.expressions import FilteredExpression, Path
from liquid.builtin.expressions._tokenize import _keywords as KEYWORDS
from liquid.token import (TOKEN_EOF, TOKEN_EXPRESSION, TOKEN_OUTPUT, TOKEN_TAG, TOKEN_WORD,
                          Token)

from site_builder.site import ruby_values
from site_builder.site.ruby_values import is_undefined
from site_builder.site.plugins import JEKYLL_VERSION
from site_builder.site.urls import absolute_url, relative_url

if TYPE_CHECKING:
    from liquid.context import RenderContext

# Tags of plugins Debian does not package for the reference Jekyll: nothing written.
EMPTY_TAGS = {"avatar": "jekyll-avatar", "octicon": "jekyll-octicons"}


class CallNode(Node):
    __slots__ = ("func", "text")

    def __init__(self, token: Token, func: Callable[[RenderContext, str], str], text: str):
        super().__init__(token)
        self.blank = False   # it writes text: never a "blank" block to suppress
        self.func, self.text = func, text

    def render_to_output(self, context: RenderContext, buffer: TextIO) -> int:
        return buffer.write(self.func(context, self.text))


def _tag(tag_name: str, func: Callable[[Any, str], str]) -> type[Tag]:
    class InlineTag(Tag):
        name, block = tag_name, False

        def parse(self, stream: TokenStream) -> CallNode:
            token = stream.current   # the parser steps over the last token read
            text = ""
            if stream.peek.kind == TOKEN_EXPRESSION:
                next(stream)
                text = stream.current.value.strip()
            return CallNode(token, func, text)

    InlineTag.__name__ = f"{tag_name.title()}Tag"
    return InlineTag


def link(context: RenderContext, text: str) -> str:
    """{% link _posts/2016-07-26-name.md %}: the item's URL with the baseurl; the path
    may use Liquid variables."""
    env = context.env
    path = text
    if "{{" in text:   # rendered in the tag's own scope: assigns and loop variables too
        found = StringIO()
        env.from_string(text).render_with_context(context, found)
        path = found.getvalue().strip()
    url = env.urls.get(path.strip("/"))
    if url is None:
        raise LiquidError(f"link: no file {path!r} in the blog (give its path from the "
                          f"blog's folder, e.g. _posts/2016-07-26-name.md)", token=None)
    return relative_url(env.config, url)


def feed_meta(context: RenderContext, text: str) -> str:
    config = context.env.config
    feed = config.get("feed") if isinstance(config.get("feed"), dict) else {}
    path = str((feed or {}).get("path") or "feed.xml")
    site = context.globals.get("site")   # the blog's own, not this project's defaults
    site = site if isinstance(site, dict) else config
    title = _get(site, "title") or _get(site, "name") or ""
    written = vars(context.env).setdefault("feed_meta", {})   # the same on every page
    key = (path, title) if type(title) is str else None
    if key is not None and key in written:
        return written[key]
    # (jekyll-feed's MetaTag: encode(xml: :attr), a ' as &apos;; not smartified)
    from site_builder.site.jekyll_filters import xml_escape
    title_attr = f' title="{xml_escape(ruby_values.to_s(title))}"' if title else ""
    text = (f'<link type="application/atom+xml" rel="alternate" '
            f'href="{absolute_url(config, path)}"{title_attr} />')
    if key is not None:
        written[key] = text
    return text


def gist(context: RenderContext, text: str) -> str:
    parts = text.split()
    if not parts:
        raise LiquidSyntaxError("gist: give the gist's id, e.g. {% gist parkr/c08ee0 %}")
    ident = parts[0]
    query = f"?file={parts[1]}" if len(parts) > 1 else ""
    return f'<script src="https://gist.github.com/{ident}.js{query}"> </script>'


def seo(context: RenderContext, text: str) -> str:
    """jekyll-seo-tag 2.8's head, written from its drop's rules: the title (page |
    site, or site | tagline; "Page 2 of 5 for ..." past a paginator's first page),
    author, locale, description, canonical URL, image, dates, prev/next links,
    Twitter, Facebook and webmaster tags, and the JSON-LD (its keys sorted)."""
    config = context.env.config
    seo = _SeoValues(context)
    page, site, whole = seo.page, seo.site, seo.whole
    out = ["<!-- Begin Jekyll SEO tag v2.8.0 -->"]
    title = seo.title()
    if title and not TITLE_FALSE.search(text):
        out.append(f"<title>{title}</title>")
    out.append(GENERATOR)
    if seo.page_title:
        out.append(f'<meta property="og:title" content="{seo.page_title}" />')
    author = seo.author()
    if author.get("name"):
        out.append(f'<meta name="author" content="{_s(author["name"])}" />')
    out.append(f'<meta property="og:locale" content="{seo.locale()}" />')
    if seo.description:
        out += [f'<meta name="description" content="{seo.description}" />',
                f'<meta property="og:description" content="{seo.description}" />']
    canonical = seo.canonical_url()
    if whole.has_url:
        canonical = _s(canonical)
        out += [f'<link rel="canonical" href="{canonical}" />',
                f'<meta property="og:url" content="{canonical}" />']
    if whole.site_name_line:
        out.append(whole.site_name_line)
    image = seo.image()
    if image:
        out.append(f'<meta property="og:image" content="{_s(image["path"])}" />')
        for key in ("height", "width", "alt"):
            if _truthy(image.get(key)):
                out.append(f'<meta property="og:image:{key}" content="{_s(image[key])}" />')
    published = seo.date_published()
    if published:
        out += ['<meta property="og:type" content="article" />',
                f'<meta property="article:published_time" content="{published}" />']
    else:
        out.append('<meta property="og:type" content="website" />')
    paginator = context.globals.get("paginator")
    if isinstance(paginator, dict):
        for rel, key in (("prev", "previous_page"), ("next", "next_page")):
            if _truthy(paginator.get(key)):
                href = absolute_url(config, paginator.get(key + "_path"))
                out.append(f'<link rel="{rel}" href="{_s(href)}" />')
    if image:
        card = _dig(page, "twitter", "card") or whole.twitter_card or "summary_large_image"
        out += [f'<meta name="twitter:card" content="{_s(card)}" />',
                f'<meta property="twitter:image" content="{_s(image["path"])}" />']
    else:
        out.append('<meta name="twitter:card" content="summary" />')
    if image and _truthy(image.get("alt")):
        out.append(f'<meta name="twitter:image:alt" content="{_s(image["alt"])}" />')
    if seo.page_title:
        out.append(f'<meta property="twitter:title" content="{seo.page_title}" />')
    if whole.twitter_site_line:
        out.append(whole.twitter_site_line)
        creator = seo.twitter_creator()
        if creator:
            out.append(f'<meta name="twitter:creator" content="@{creator}" />')
    out += whole.verification_lines
    ld = JSON_LD.encode(seo.json_ld())
    out.append(f'<script type="application/ld+json">\n{ld}</script>')
    out.append("<!-- End Jekyll SEO tag -->")
    return "\n".join(out) + "\n"


HOMEPAGE_OR_ABOUT = re.compile(r"^/(about/)?(index.html?)?$")
# (compiled once: the tag runs on every page)
TITLE_FALSE = re.compile("title=false", re.I)
INDEX_HTML = re.compile(r"/index\.html$")
URL_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
JSON_LD = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))   # json.dumps's, made once
# One line that kramdown makes a paragraph of, its text untouched: a letter, a digit
# (not a list's `1.`) or a character past ASCII first (no list, header or other block
# starts), no character of Markdown's or HTML's markup (an `&` before a space is
# text: `&amp;` after either way), no `--`, `..` or quote that its typography makes a
# dash, an ellipsis or a curly quote, no `$$` (math), no white space but ASCII spaces.
PLAIN_TEXT = re.compile(r"(?!\d+[.)])(?:[A-Za-z0-9]|[^\x00-\x7f\s])"
                        r"(?:[A-Za-z0-9 ,!?()/]|[^\x00-\x7f\s]|\.(?!\.)|-(?!-)|\$(?!\$)|&(?= ))*")
# A paragraph of text alone (a post's excerpt as converted, `<p>Hello!</p>`), no tag in
# it, no blank line: kramdown writes the element back with its text escaped (`&` as
# `&amp;` where it starts no entity), which escape_once would escape the same way.
# A header or a paragraph may hold these elements (each closed where it was opened):
# kramdown writes their tags back (their attributes as it spells them), which
# strip_html then takes out.
INLINE_TAG = re.compile(r'<(/?)(a|code|em|strong|span|kbd|b|i)((?: (?!markdown)[a-z][a-z-]*="[^"<>&]*")*)>')
# (Possessive: where text, a newline or an inline tag ends, only the closing tag may
# follow, so giving any back never matches; an excerpt is read in a quarter the time.)
PARAGRAPH = re.compile(r'<(p|h[1-6])((?: (?!markdown)[a-z][a-z-]*="[^"<>&]*")*)>'
                       r'((?:[^<>\r\n\0{}\[\]]++|\n(?!\s*\n)|' + INLINE_TAG.pattern + r')*+)'
                       r'</\1>\n*')
ENTITY_START = re.compile(r"&[#\w.:-]*\Z")


def _unconverted(value: str) -> str | None:
    """The text of `value` when markdownify then strip_html give it back as it is, but
    for entities and white space (which escape_once and normalize_whitespace make
    the same); None when it must be converted."""
    if PLAIN_TEXT.fullmatch(value):
        return value
    found = PARAGRAPH.fullmatch(value)
    if found is None:
        return None
    content = found[3]
    if "<" not in content:
        return content
    pieces, open_tags, start = [], [], 0
    for tag in INLINE_TAG.finditer(content):
        piece = content[start:tag.start()]
        if ENTITY_START.search(piece):   # `&amp` + tag + `;`: an entity once joined
            return None
        pieces.append(piece)
        start = tag.end()
        if not tag[1]:
            open_tags.append(tag[2])
        elif not open_tags or open_tags.pop() != tag[2]:
            return None   # a closing tag that closes nothing open: kramdown's text
    if open_tags:
        return None
    pieces.append(content[start:])
    return "".join(pieces)


def _once(method: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """A value of _SeoValues worked out the first time the tag asks for it (the head
    and the JSON-LD ask for the author, the image and the canonical URL again)."""
    name = method.__name__

    def value(self: Any) -> Any:
        memo = self.memo
        if name not in memo:
            memo[name] = method(self)
        return memo[name]

    value.__name__, value.__doc__ = name, method.__doc__
    return value


GENERATOR = f'<meta name="generator" content="Jekyll v{JEKYLL_VERSION}" />'
# The keys of `site` whose values the tag's site-wide parts are made of.
SITE_KEYS = ("title", "name", "tagline", "description", "url", "twitter", "facebook",
             "webmaster_verifications", "google_site_verification", "logo", "social")


class _SiteSeo:
    """What the tag writes the same on every page of a site: its titles, Twitter,
    Facebook and webmaster tags, logo and social links, made once per build for each
    set of SITE_KEYS' values (every page's `site` holds the same ones; Liquid changes
    no value in place). Half the tag's time on Jekyll's docs went to them."""

    def __init__(self, env: Any, site: dict) -> None:
        config = env.config
        self.site_title = _format(env, _get(site, "title") or _get(site, "name"))
        self.site_tagline = _format(env, _get(site, "tagline"))
        self.site_description = _format(env, _get(site, "description"))
        self.has_url = bool(site.get("url"))
        self.site_name_line = (f'<meta property="og:site_name" content="{self.site_title}" />'
                               if self.site_title else None)
        self.twitter_card = _dig(site, "twitter", "card")
        self.twitter_site_line = None
        if _truthy(site.get("twitter")):
            username = _s(_dig(site, "twitter", "username")).replace("@", "")
            self.twitter_site_line = f'<meta name="twitter:site" content="@{username}" />'
        lines = []
        if _truthy(site.get("facebook")):
            for key, tag in (("admins", 'property="fb:admins"'),
                             ("publisher", 'property="article:publisher"'),
                             ("app_id", 'property="fb:app_id"')):
                if _truthy(_dig(site, "facebook", key)):
                    lines.append(f'<meta {tag} content="{_s(_dig(site, "facebook", key))}" />')
        if _truthy(site.get("webmaster_verifications")):
            for key, name in (("google", "google-site-verification"),
                              ("bing", "msvalidate.01"), ("alexa", "alexaVerifyID"),
                              ("yandex", "yandex-verification"),
                              ("baidu", "baidu-site-verification"),
                              ("facebook", "facebook-domain-verification")):
                value = _dig(site, "webmaster_verifications", key)
                if _truthy(value):
                    lines.append(f'<meta name="{name}" content="{_s(value)}" />')
        elif _truthy(site.get("google_site_verification")):
            lines.append('<meta name="google-site-verification" '
                         f'content="{_s(site["google_site_verification"])}" />')
        self.verification_lines = lines
        logo = _get(site, "logo")
        if logo:
            logo = env.filters["uri_escape"](logo if URL_SCHEME.match(str(logo))
                                             else absolute_url(config, logo))
        self.logo = logo
        social = _get(site, "social") if isinstance(_get(site, "social"), dict) else {}
        self.home_name = (_format(env, social.get("name")) if social.get("name")
                          else self.site_title)
        self.social_links = social.get("links")

    @staticmethod
    def of(env: Any, site: dict) -> _SiteSeo:
        """The site-wide values for `site`, made the first time its values are met."""
        values = tuple([site.get(key) for key in SITE_KEYS])
        key = tuple([id(value) for value in values])
        known = vars(env).setdefault("seo_sites", {})
        found = known.get(key)
        if found is None or any(a is not b for a, b in zip(found[0], values)):
            found = known[key] = (values, _SiteSeo(env, site))   # (values kept: ids stay theirs)
        return found[1]


def _format(env: Any, value: Any) -> str | None:
    """markdownify, strip_html, normalize_whitespace, escape_once; None if empty.
    Once per text for the whole build: the site's title, tagline and description
    are the same on every page (a fifth of the seo tag's time on Jekyll's docs)."""
    if value is None or value is False or is_undefined(value):
        return None
    done = vars(env).setdefault("seo_texts", {})   # its markdownify's
    key = value if type(value) is str else None
    if key is None or key not in done:
        from site_builder.site.jekyll_filters import (escape_once, normalize_whitespace,
                                                      strip_html)
        kept = _unconverted(key) if key is not None else None
        if kept is not None:
            # what markdownify and strip_html give back (most page titles and
            # excerpts; each one's conversion cost more than the rest of the tag)
            text = escape_once(normalize_whitespace(kept))
        else:
            text = escape_once(normalize_whitespace(strip_html(env.filters["markdownify"](value))))
        if key is None:
            return text or None
        done[key] = text or None
    return done[key]


class _SeoValues:
    """jekyll-seo-tag's Drop, AuthorDrop, ImageDrop and JSONLDDrop: each value as the
    plugin computes it from the page, the site (its site-wide parts: _SiteSeo) and
    the paginator."""

    def __init__(self, context: RenderContext) -> None:
        self.context, self.env, self.config = context, context.env, context.env.config
        self.memo: dict[str, Any] = {}
        self.filters = context.env.filters
        page, site = context.globals.get("page"), context.globals.get("site")
        self.page = page if isinstance(page, dict) else {}
        # the blog's site (its config), not this project's defaults for its own blog
        self.site = site if isinstance(site, dict) else self.config
        whole = self.whole = _SiteSeo.of(self.env, self.site)
        self.site_title = whole.site_title
        self.site_description = whole.site_description
        self.page_title = self.format(_get(self.page, "title")) or self.site_title
        self.description = self.format(_get(self.page, "description") or
                                       _get(self.page, "excerpt")) or self.site_description
        seo = _get(self.page, "seo")
        self.page_seo = seo if isinstance(seo, dict) else {}

    def format(self, value: Any) -> str | None:
        return _format(self.env, value)

    def title(self) -> str | None:
        site_title, page_title = self.site_title, self.page_title
        if site_title and page_title != site_title:
            title = page_title + " | " + site_title
        elif self.site_description and site_title:
            title = site_title + " | " + (self.whole.site_tagline or self.site_description)
        else:
            title = page_title or site_title
        paginator = self.context.globals.get("paginator")
        if title and isinstance(paginator, dict) and _truthy(paginator.get("page")):
            current, total = paginator.get("page"), paginator.get("total_pages")
            if isinstance(current, int) and current > 1:
                message = str(_get(self.site, "seo_paginator_message")
                              or "Page %<current>s of %<total>s for ")
                title = message.replace("%<current>s", str(current)).replace(
                    "%<total>s", ruby_values.to_s(total)) + title
        return title

    @_once
    def author(self) -> dict:
        sources = [_get(self.page, "author")]
        authors = _get(self.page, "authors")
        if isinstance(authors, list) and authors:
            sources.append(authors[0])
        sources.append(_get(self.site, "author"))
        found = next((s for s in sources if s is not None and not is_undefined(s)
                      and ruby_values.to_s(s) != ""), None)
        if isinstance(found, dict):
            return found
        if isinstance(found, str):
            data = _get(self.site, "data") or {}
            known = _get(data, "authors") if isinstance(data, dict) else None
            extra = known.get(found) if isinstance(known, dict) else None
            return {"name": found, **(extra if isinstance(extra, dict) else {})}
        return {}

    def twitter_creator(self) -> str | None:
        author = self.author()
        handle = author.get("twitter") or author.get("name")
        return re.sub(r"^@", "", handle) if isinstance(handle, str) else None

    def locale(self) -> str:
        lang = _get(self.page, "lang") or _get(self.site, "lang") or "en_US"
        return ruby_values.to_s(_get(self.page, "locale") or _get(self.site, "locale")
                                or lang).replace("-", "_")

    @_once
    def canonical_url(self) -> str:
        own = _get(self.page, "canonical_url")
        if own is not None and ruby_values.to_s(own) != "":
            return own
        return INDEX_HTML.sub("/", absolute_url(self.config, _get(self.page, "url")))

    @_once
    def image(self) -> dict | None:
        meta = _get(self.page, "image")
        found = ({"path": None, **meta} if isinstance(meta, dict) else
                 {"path": meta} if isinstance(meta, str) else {"path": None})
        raw = found.get("path") or found.get("facebook") or found.get("twitter")
        if not raw:
            return None
        if isinstance(raw, str) and not URL_SCHEME.match(raw):
            raw = absolute_url(self.config, raw)
        return {**found, "path": self.filters["uri_escape"](raw)}

    def _date(self, value: Any) -> str | None:
        if value is None or is_undefined(value) or value is False:
            return None
        return self.filters["date_to_xmlschema"](value)

    @_once
    def date_published(self) -> str | None:
        return self._date(_get(self.page, "date"))

    def type(self) -> str:
        if self.page_seo.get("type"):
            return self.page_seo["type"]
        if HOMEPAGE_OR_ABOUT.match(str(_get(self.page, "url") or "")):
            return "WebSite"
        return "BlogPosting" if self.date_published() else "WebPage"

    def json_ld(self) -> dict:
        """The JSON-LD's values, their keys in sorted order (as the plugin writes
        them), those without a value left out."""
        url = _get(self.page, "url")
        homepage = HOMEPAGE_OR_ABOUT.match(str(url or ""))
        whole = self.whole
        page_seo = self.page_seo
        name = (self.format(page_seo.get("name")) if page_seo.get("name") else
                None if not homepage else whole.home_name)
        author = self.author()
        kind = self.type()
        image = self.image()
        date = _get(self.page, "date")
        modified = page_seo.get("date_modified") or _get(self.page, "last_modified_at") or date
        values = {
            "@context": "https://schema.org", "@type": kind,
            "author": None if not author.get("name") or author.get("type") not in (
                None, "Organization", "Person") else {
                "@type": author.get("type") or "Person", "name": author["name"],
                **({"url": author["url"]} if author.get("url") else {})},
            # (the page's date, as a rule: written once)
            "dateModified": self.date_published() if modified is date else self._date(modified),
            "datePublished": self.date_published(), "description": self.description,
            "headline": self.page_title,
            "image": None if not image else image["path"] if len(image) == 1 else {
                **{k: v for k, v in image.items() if k != "path"}, "url": image["path"],
                "@type": "imageObject"},
            "mainEntityOfPage": {"@type": "WebPage", "@id": self.canonical_url()}
            if kind in ("BlogPosting", "CreativeWork") else None,
            "name": name,
            "publisher": None if not whole.logo else {
                "@type": "Organization", "logo": {"@type": "ImageObject", "url": whole.logo},
                **({"name": author["name"]} if author.get("name") else {})},
            "sameAs": page_seo.get("links") or (whole.social_links if homepage else None),
            "url": self.canonical_url()}
        # (written in sorted order already)
        return {key: value for key, value in values.items() if value is not None}


def _get(mapping: Any, key: str) -> Any:
    value = mapping.get(key) if isinstance(mapping, dict) else None
    if value is None or type(value) is str:   # (30 a page)
        return value
    return None if is_undefined(value) else value


def _dig(mapping: Any, *keys: str) -> Any:
    for key in keys:
        mapping = _get(mapping, key)
    return mapping


def _truthy(value: Any) -> bool:
    return value is not None and value is not False and not is_undefined(value)


def _s(value: Any) -> str:
    return ruby_values.to_s(value)


def _plain(value: Any) -> str:
    if value is None or is_undefined(value):
        return ""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", str(value))).strip()


def _esc(value: str) -> str:
    return html.escape(value, quote=True)


class RubyOutputNode(OutputNode):
    """{{ value }} written as Ruby Liquid writes it (ruby_values.to_s): a hash as
    Ruby's inspect, a list joined, a post as its content; not Python's repr."""

    __slots__ = ()

    def render_to_output(self, context: RenderContext, buffer: TextIO) -> int:
        value = self.expression.evaluate(context)
        return buffer.write(value if type(value) is str else ruby_values.to_s(value))


class RubyEchoNode(RubyOutputNode, EchoNode):
    __slots__ = ()


class RubyOutput(Output):
    """{{ }}: parsed strictly, then (unless `error_mode: strict`) as Ruby's lax
    Variable parser reads it (`{{ "a" | upcase | }}`, `{{ with .title }}`)."""

    node_class = RubyOutputNode

    def parse(self, stream: TokenStream) -> OutputNode:
        quick = self._path(stream)
        if quick is not None:
            return quick
        try:
            return super().parse(stream)
        except LiquidSyntaxError as exc:
            token = stream.current
            if token.kind != TOKEN_EXPRESSION or not hasattr(self.env, "lax"):
                raise
            self.env.lax(exc, token)
            from site_builder.site.liquid_lax import variable
            return self.node_class(stream.tokens[stream.pos - 1], variable(token, token.value))


    def _path(self, stream: TokenStream) -> OutputNode | None:
        """`{{ site.repository }}`, a variable's dotted path alone, parsed as Output.parse
        parses it (the same nodes and tokens) without tokenizing the expression: Jekyll's
        history page holds three thousand (a third of its Liquid's time went to them)."""
        markup = stream.peek
        if stream.current.kind != TOKEN_OUTPUT or markup.kind != TOKEN_EXPRESSION:
            return None
        found = DOTTED_PATH.fullmatch(markup.value)
        if found is None:
            return None
        segments = found[1].split(".")
        if segments[0] in KEYWORDS:   # true, nil, empty...: not a variable
            return None
        token = next(stream)
        word = Token(TOKEN_WORD, segments[0], start_index=markup.start_index + found.start(1),
                     source=markup.source)
        return self.node_class(token, FilteredExpression(word, Path(word, segments), []))


# What python-liquid's expression tokenizer reads as words and dots only (a word may
# hold `-`; what follows a dot is a word even if it is a keyword, as liquid_tags'
# ruby_tokenize has it), between the white space it skips.
DOTTED_PATH = re.compile(r"[ \n\t\r]*([A-Za-z_][\w-]*(?:\.[A-Za-z_][\w-]*)*)[ \n\t\r]*")


class RubyEcho(EchoTag):
    node_class = RubyEchoNode


class PassNode(Node):
    __slots__ = ("body",)

    def __init__(self, token: Token, body: BlockNode):
        super().__init__(token)
        self.blank = False
        self.body = body

    def render_to_output(self, context: RenderContext, buffer: TextIO) -> int:
        return self.body.render(context, buffer)

    def children(self, static_context: RenderContext, *, include_partials: bool = True):
        yield self.body


def ruby_block(tag_name: str) -> type[Tag]:
    """A block tag of a blog's Ruby plugin (never run here): its text, rendered, as if
    the plugin changed nothing (bitcoincore.org's `{% githubify %}` adds links)."""
    end = "end" + tag_name

    class PassBlockTag(Tag):
        name, block = tag_name, True

        def parse(self, stream: TokenStream) -> PassNode:
            token = stream.eat(TOKEN_TAG)
            if stream.current.kind == TOKEN_EXPRESSION:   # its arguments: unused
                next(stream)
            body = get_parser(self.env).parse_block(stream, frozenset((end, TOKEN_EOF)))
            stream.expect(TOKEN_TAG, value=end)
            return PassNode(token, body)

    PassBlockTag.end = end
    PassBlockTag.__name__ = f"{tag_name.title()}BlockTag"
    return PassBlockTag


def ruby_tags(root) -> list[type[Tag]]:
    """Tags of the blog's `_plugins/*.rb` (plugins.ruby_tags): a block writes its
    text, a tag nothing; the build's plugin warning names their files."""
    from site_builder.site.plugins import ruby_tags as registered
    return [ruby_block(name) if block else _tag(name, lambda context, text: "")
            for name, block in registered(root).items()]


TAGS = [RubyOutput, RubyEcho, _tag("link", link), _tag("feed_meta", feed_meta), _tag("gist", gist), _tag("seo", seo),
        *(_tag(name, lambda context, text: "") for name in EMPTY_TAGS)]
