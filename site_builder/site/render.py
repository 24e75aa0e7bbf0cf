"""Phase 1 of a build: every post through Liquid and Markdown, then every output
file through the Jinja2 layouts, all in memory, so nothing is written unless all of
it rendered."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Callable

import jinja2
import liquid
from markupsafe import Markup

from site_builder.errors import BuildError
from site_builder.site.liquid_tags import EXTRA_FILTERS, JekyllEnvironment
from site_builder.site.kramdown import renderer
from site_builder.site.sources import Post, excerpt_source, permalink, raise_all
from site_builder.site.urls import absolute_url, relative_url, tag_url

# The default theme (layouts, includes, css) ships in the repository next to the package.
THEME = Path(__file__).resolve().parent.parent.parent
LAYOUTS = Path("templates") / "layouts"
DEFAULT_LAYOUT = "post"
# A fence indented by 1-3 spaces is still a fence to kramdown and CommonMark (the
# example post has one); kramdown keeps its lines' indentation, CommonMark strips it.
INDENTED_FENCE = re.compile(r"^( {1,3})(`{3,}|~{3,})")


def render_posts(root: Path, posts: list[Post], config: dict) -> None:
    """Give every post its URL, then its HTML (all URLs first: {% post_url %} needs them)."""
    errors = []
    for post in posts:
        try:
            post.url = permalink(post, config)
        except BuildError as exc:
            errors.append(str(exc))
    raise_all(errors)
    templates = JekyllEnvironment(root, THEME, config, {p.key: p.url for p in posts if p.key})
    md = renderer()
    site = liquid_site(posts, config)
    for post in posts:
        try:
            text = _render_liquid(templates, post, site)
        except BuildError as exc:
            errors.append(str(exc))
            continue
        text = dedent_fences(text)
        post.content = md.render(text)
        post.excerpt = md.render(excerpt_source(post, text, config))
    raise_all(errors)


def liquid_site(posts: list[Post], config: dict) -> dict:
    """`site` as posts see it in Liquid: the config, plus site.posts (newest first) and
    site.tags / site.categories (name -> posts), as Jekyll gives them."""
    dated = [p.page() for p in posts if p.key]
    tags: dict[str, list] = {}
    categories: dict[str, list] = {}
    for page in dated:
        for tag in page["tags"]:
            tags.setdefault(tag, []).append(page)
        for category in page["categories"]:
            categories.setdefault(category, []).append(page)
    return {**config, "posts": dated, "tags": tags, "categories": categories}


def dedent_fences(text: str) -> str:
    """Move the fences of fenced code blocks indented by 1-3 spaces to the margin; the
    lines between keep their indentation, as kramdown keeps it."""
    lines, fence = [], ""
    for line in text.split("\n"):
        leading = len(line) - len(line.lstrip(" "))
        if not fence:
            opening = INDENTED_FENCE.match(line)
            if opening:
                fence = opening[2]
                line = line.lstrip(" ")
        elif leading <= 3 and line.strip().startswith(fence) and not line.strip().strip(fence[0]):
            line = line.lstrip(" ")
            fence = ""
        lines.append(line)
    return "\n".join(lines)


def _render_liquid(templates: liquid.Environment, post: Post, config: dict) -> str:
    try:
        return templates.from_string(post.body).render(site=config, page=post.page())
    except liquid.exceptions.LiquidError as exc:
        token = getattr(exc, "token", None)
        index = getattr(token, "start_index", -1)
        if getattr(token, "source", post.body) != post.body:
            index = -1  # the error is inside an included file: point at the post's end
        offset = post.body[:index].count("\n") if index >= 0 else post.body.count("\n")
        raise BuildError(f"{post.name}:{post.body_line + offset}: Liquid: {exc.message}; "
                         f"fix the {{{{ }}}} or {{% %}} there (available filters beyond "
                         f"Liquid's own: {EXTRA_FILTERS})") from None


def jinja_env(root: Path, config: dict) -> jinja2.Environment:
    # The blog's own layouts win; any it lacks come from the default theme.
    folders = list(dict.fromkeys([str(root / LAYOUTS), str(THEME / LAYOUTS)]))
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(folders), autoescape=True,
                             keep_trailing_newline=True)
    env.filters["relative_url"] = lambda value: relative_url(config, value)
    env.filters["absolute_url"] = lambda value: absolute_url(config, value)
    env.filters["date_format"] = lambda d: f"{d.day} {d:%B %Y}"
    env.filters["tag_url"] = tag_url
    return env


def render_post(layouts: jinja2.Environment, available: set[str], post: Post, config: dict,
                log: Callable) -> str:
    return render_layout(layouts, _layout(available, post, log), post.name, site=config,
                         page=post.page(), content=Markup(post.content))


def _layout(available: set[str], post: Post, log: Callable) -> str:
    name = f"{post.meta.get('layout') or DEFAULT_LAYOUT}.html"
    if name in available:
        return name
    # Jekyll themes have layouts we lack (page, home...): the post layout shows any post.
    log(f"warning: {post.name}: no layout {LAYOUTS / name}; using {DEFAULT_LAYOUT}")
    return f"{DEFAULT_LAYOUT}.html"


def render_layout(layouts: jinja2.Environment, name: str, what: str, **context: Any) -> str:
    try:
        return layouts.get_template(name).render(**context)
    except jinja2.TemplateError as exc:
        lineno = getattr(exc, "lineno", None)
        where = f"{exc.filename}:{lineno}" if lineno else f"layout {name}"
        raise BuildError(f"Error building {what}: {where}: {exc.message}; "
                         f"fix the layout") from None
