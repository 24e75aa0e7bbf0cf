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
from liquid.token import TOKEN_EOF, TOKEN_EXPRESSION, TOKEN_TAG, Token

from site_builder.site import ruby_values
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
    title = config.get("title") or config.get("name") or ""
    title_attr = f' title="{html.escape(str(title))}"' if title else ""
    return (f'<link type="application/atom+xml" rel="alternate" '
            f'href="{absolute_url(config, path)}"{title_attr} />')


def gist(context: RenderContext, text: str) -> str:
    parts = text.split()
    if not parts:
        raise LiquidSyntaxError("gist: give the gist's id, e.g. {% gist parkr/c08ee0 %}")
    ident = parts[0]
    query = f"?file={parts[1]}" if len(parts) > 1 else ""
    return f'<script src="https://gist.github.com/{ident}.js{query}"> </script>'


def seo(context: RenderContext, text: str) -> str:
    """jekyll-seo-tag's head: the title (page | site), description, canonical URL,
    Open Graph and Twitter cards, and the JSON-LD, as its documentation shows them."""
    config = context.env.config
    page = context.globals.get("page") or {}
    paginator = context.globals.get("paginator")
    site_title = config.get("title") or config.get("name")
    page_title = page.get("title") or site_title
    description = page.get("description") or page.get("excerpt") or config.get("description")
    tagline = config.get("tagline") or config.get("description")
    if site_title and page_title != site_title:
        title = f"{page_title} | {site_title}"
    elif tagline and site_title:
        title = f"{site_title} | {tagline}"
    else:
        title = page_title or site_title or ""
    if isinstance(paginator, dict) and (paginator.get("page") or 1) > 1:
        title = f"Page {paginator['page']} of {paginator['total_pages']} for {title}"
    title = _plain(title)
    description = _plain(description)
    url = absolute_url(config, str(page.get("url") or "/").replace("index.html", ""))
    author = page.get("author") or config.get("author")
    if isinstance(author, dict):
        author = author.get("name")
    out = ["<!-- Begin Jekyll SEO tag v2.8.0 -->"]
    if "title=false" not in text.replace(" ", ""):
        out.append(f"<title>{_esc(title)}</title>")
    out.append('<meta name="generator" content="Jekyll v4.3.1" />')
    if page_title:
        out.append(f'<meta property="og:title" content="{_esc(_plain(page_title))}" />')
    if author:
        out.append(f'<meta name="author" content="{_esc(str(author))}" />')
    out.append(f'<meta property="og:locale" content="{_esc(str(config.get("lang") or "en_US"))}" />')
    if description:
        out += [f'<meta name="description" content="{_esc(description)}" />',
                f'<meta property="og:description" content="{_esc(description)}" />']
    if config.get("url"):
        out += [f'<link rel="canonical" href="{url}" />',
                f'<meta property="og:url" content="{url}" />']
    if site_title:
        out.append(f'<meta property="og:site_name" content="{_esc(str(site_title))}" />')
    out.append('<meta property="og:type" content="'
               f'{"article" if page.get("date") and page.get("collection") == "posts" else "website"}" />')
    out.append('<meta name="twitter:card" content="summary" />')
    if page_title:
        out.append(f'<meta property="twitter:title" content="{_esc(_plain(page_title))}" />')
    ld = {"@context": "https://schema.org", "@type": "WebPage", "headline": _plain(page_title),
          "url": url, **({"description": description} if description else {})}
    out.append(f'<script type="application/ld+json">\n{json.dumps(ld)}</script>')
    out.append("<!-- End Jekyll SEO tag -->")
    return "\n".join(out) + "\n"


def _plain(value: Any) -> str:
    if value is None or liquid.is_undefined(value):
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
        try:
            return super().parse(stream)
        except LiquidSyntaxError as exc:
            token = stream.current
            if token.kind != TOKEN_EXPRESSION or not hasattr(self.env, "lax"):
                raise
            self.env.lax(exc, token)
            from site_builder.site.liquid_lax import variable
            return self.node_class(stream.tokens[stream.pos - 1], variable(token, token.value))


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
