"""URLs as Jekyll makes them: baseurl and url filters, output paths, tag slugs."""

from __future__ import annotations

import re
import sys
from typing import Any


def relative_url(config: dict, value: Any) -> str:
    """Jekyll's `relative_url`: the path under the site's baseurl."""
    text = "" if value is None or _undefined(value) else str(value)
    if re.match(r"^[a-z][a-z0-9+.-]*:|^//", text):
        return text
    return config["baseurl"] + "/" + text.lstrip("/")


def _undefined(value: Any) -> bool:
    # Liquid's undefined values exist only once Liquid is loaded (builds that render
    # nothing never load it).
    liquid = sys.modules.get("liquid")
    return liquid is not None and liquid.is_undefined(value)


def absolute_url(config: dict, value: Any) -> str:
    """Jekyll's `absolute_url`: relative_url with the site's `url` in front."""
    path = relative_url(config, value)
    return path if path.startswith(("http:", "https:", "//")) else config["url"].rstrip("/") + path


def dest(url: str) -> str:
    """The file that serves `url`, as Jekyll writes it: /a/ -> a/index.html, /a -> a.html."""
    rel = url.lstrip("/")
    if not rel or rel.endswith("/"):
        return rel + "index.html"
    return rel if "." in rel.rsplit("/", 1)[-1] else rel + ".html"


def tag_url(tag: str) -> str:
    """Casper's tag pages: /tag/<slug>/, the slug lowercased with spaces as '-'."""
    slug = re.sub(r"\s+", "-", str(tag).strip().lower())
    return f"/tag/{slug}/"


def pager_url(config: dict, number: int) -> str:
    """jekyll-paginate's paths: page 1 is the index, page N follows `paginate_path`."""
    if number <= 1:
        return "/"
    pattern = str(config.get("paginate_path") or "/page:num/")
    return "/" + pattern.replace(":num", str(number)).lstrip("/")
