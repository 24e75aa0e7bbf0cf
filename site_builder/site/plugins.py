"""Jekyll plugins: which a blog asks for, which are built in here, and one warning
naming the others (and any `_plugins/*.rb`, which are Ruby and never run here)."""

from __future__ import annotations

import logging
import re
from pathlib import Path

# The Jekyll whose output ours matches (bench/real_blogs.py runs it): Jekyll::VERSION,
# as `jekyll.version` gives it and the plugins write it (jekyll-feed's generator,
# jekyll-seo-tag's generator meta).
JEKYLL_VERSION = "4.3.1"

# Built in: what each makes here.
BUILT_IN = {
    "jekyll-paginate": "the paginator and /page2/...",
    "jekyll-feed": "feed.xml and {% feed_meta %}",
    "jekyll-seo-tag": "{% seo %}",
    "jekyll-sitemap": "sitemap.xml",
    "jekyll-gist": "{% gist %}",
    "jekyll-redirect-from": "redirect pages (redirect_from:, redirect_to:)",
    "jekyll-include-cache": "{% include_cached %}",
}
# What the plugins we lack would have made, for the warning.
MISSING_MAKES = {"jekyll-avatar": "avatar images ({% avatar %} writes nothing)",
                 "jekyll-octicons": "icons ({% octicon %} writes nothing)",
                 "jemoji": ":emoji: images", "jekyll-mentions": "@mention links"}


def plugins(config: dict) -> list[str]:
    """The plugins a blog asks for (`plugins:`, Jekyll 3's `gems:`)."""
    named = list(config.get("plugins") or []) + list(config.get("gems") or [])
    return [str(p) for p in named]


def warn_unsupported(root: Path, config: dict, log: logging.Logger) -> None:
    missing = [f"{name} ({MISSING_MAKES.get(name, 'its pages and tags')})"
               for name in plugins(config)
               if name not in BUILT_IN and name != "jekyll-remote-theme"]  # theme.py says
    folder = root / "_plugins"
    if folder.is_dir():
        missing += [f"_plugins/{p.name} (Ruby: its generators, tags and filters)"
                    for p in sorted(folder.glob("*.rb"))]
    if missing:
        log.warning(f"warning: plugins not built in, what they make is left out: "
                    f"{'; '.join(missing)}")


# `Liquid::Template.register_tag("name", Some::Class)`, the name quoted or a variable.
REGISTER_TAG = re.compile(r"""register_tag\(\s*(?:(["'])([\w-]+)\1|(\w+))\s*,\s*([\w:]+)""")
CLASS_LINE = re.compile(r"^\s*class\s+(\w+)\s*<\s*([\w:]+)", re.M)


def ruby_tags(root: Path) -> dict[str, bool]:
    """The Liquid tags a blog's `_plugins/*.rb` register: name -> whether it is a
    block (its class a Liquid::Block). Their Ruby never runs here; knowing them lets
    the build go on where Jekyll's does (a block writes its text as rendered, a tag
    nothing) instead of stopping at an unknown tag."""
    folder = root / "_plugins"
    if not folder.is_dir():
        return {}
    found: dict[str, bool] = {}
    for path in sorted(folder.rglob("*.rb")):
        text = path.read_text(encoding="utf-8", errors="replace")
        supers = {name: parent for name, parent in CLASS_LINE.findall(text)}
        for _, quoted, variable, cls in REGISTER_TAG.findall(text):
            name = quoted
            if variable:   # plugin_name = "githubify" ... register_tag(plugin_name, ...)
                assigned = re.search(rf"""\b{variable}\s*=\s*(["'])([\w-]+)\1""", text)
                if not assigned:
                    continue
                name = assigned[2]
            block = supers.get(cls.rsplit("::", 1)[-1], "").endswith("Block")
            found[name] = found.get(name, False) or block
    return found


def redirect_page(target: str) -> str:
    """jekyll-redirect-from's page: a canonical link, a script, a meta refresh and a
    link to click, as its documentation shows it."""
    import html
    url = html.escape(target, quote=True)
    return ("<!DOCTYPE html>\n<html lang=\"en-US\">\n  <meta charset=\"utf-8\">\n"
            "  <title>Redirecting&hellip;</title>\n"
            f"  <link rel=\"canonical\" href=\"{url}\">\n"
            f"  <script>location=\"{url}\"</script>\n"
            f"  <meta http-equiv=\"refresh\" content=\"0; url={url}\">\n"
            "  <meta name=\"robots\" content=\"noindex\">\n"
            "  <h1>Redirecting&hellip;</h1>\n"
            f"  <a href=\"{url}\">Click here if you are not redirected.</a>\n</html>\n")


def redirect_sources(value: object) -> list[str]:
    if value is None:
        return []
    return [str(v) for v in (value if isinstance(value, list) else [value]) if v is not None]


def redirect_target(value: object) -> str | None:
    """`redirect_to:`, as jekyll-redirect-from reads it: of a list, the first item."""
    if isinstance(value, list):
        value = next((v for v in value if v is not None), None)
    return None if value is None or value is False else str(value)


def redirects_json(items: list, config: dict) -> str | None:
    """jekyll-redirect-from's redirects.json: each redirect's path -> its target, for
    the written documents (posts oldest first, then each collection), then the pages
    (by file name, as Jekyll sorts them); redirect_from before redirect_to. None with
    `redirect_from: json: false`."""
    import json

    from site_builder.site.urls import absolute_url
    settings = config.get("redirect_from")
    if isinstance(settings, dict) and settings.get("json") is False:
        return None
    found: dict[str, str] = {}
    for item in items:
        for path in redirect_sources(item.meta.get("redirect_from")):
            found[path if path.startswith("/") else "/" + path] = absolute_url(config, item.url)
        target = redirect_target(item.meta.get("redirect_to"))
        if target is not None:
            url = item.url if item.url.startswith("/") else "/" + item.url
            found[url] = target if target.startswith(("http://", "https://")) \
                else absolute_url(config, target)
    # Ruby's to_json: no spaces, "/" and other characters as they are
    return json.dumps(found, ensure_ascii=False, separators=(",", ":"))
