"""Files copied through as they are: `assets/`, then, as Jekyll does, every other file
of the blog that is not a source (names starting with '_' or '.', `exclude`) unless
`include` names it; plus the theme's stylesheets where the blog has none of its own."""

from __future__ import annotations

import fnmatch
import os
from pathlib import Path
from typing import Callable

from site_builder.errors import BuildError
from site_builder.site.links import Links
from site_builder.site.sources import page_sources
from site_builder.site.theme import LAYOUTS, THEME

THEME_CSS = "assets/css/site.css"
SYNTAX_CSS = "assets/css/syntax.css"
# Jekyll's own default excludes, plus what this repository holds besides the blog.
DEFAULT_EXCLUDE = ["Gemfile", "Gemfile.lock", "gemfiles", "node_modules", "vendor",
                   "README.md", "Makefile", "pyproject.toml", "site_builder", "templates",
                   "tests", "bench", "*.egg-info"]


def static_files(root: Path, config: dict, out: Path, log: Callable,
                 links: Links | None = None) -> dict[str, Path]:
    """Output path -> source file, for everything copied through."""
    files: dict[str, Path] = {}
    links = links or Links(root, config, log)
    assets = root / config["assets_dir"]
    if assets.is_dir():
        files.update(_walk(assets, "assets", config, links))
    else:
        log(f"warning: no assets folder {config['assets_dir']}/ (assets_dir in _config.yml)")
    sources = {config["posts_dir"], config["assets_dir"], config.get("runs_dir") or "runs",
               str(LAYOUTS), *(p.name for p in page_sources(root, links))}
    for path in sorted(root.iterdir()):
        if path.name in sources or _is_output(path, out) or not _wanted(path.name, config) \
                or not links.readable(path):
            continue
        if path.is_dir():
            files.update(_walk(path, path.name, config, links))
        elif path.is_file():
            files[path.name] = path
    # The default layouts link this stylesheet; a blog without its own still gets it.
    files.setdefault(THEME_CSS, THEME / THEME_CSS)
    return files


def syntax_css() -> str:
    """Pygments' stylesheet for the `highlight` class that code blocks carry."""
    from pygments.formatters import HtmlFormatter
    return HtmlFormatter(style="default").get_style_defs(".highlight") + "\n"


def _walk(folder: Path, prefix: str, config: dict, links: Links,
          seen: frozenset[str] = frozenset()) -> dict[str, Path]:
    """The files under `folder`, through the symbolic links `links` allows; a folder
    linked from inside itself is not walked again."""
    found = {}
    seen = seen | {os.path.realpath(folder)}
    with os.scandir(folder) as entries:
        for entry in sorted(entries, key=lambda e: e.name):
            rel = f"{prefix}/{entry.name}"
            if not links.readable(entry.path):
                continue
            if entry.is_dir():
                if os.path.realpath(entry.path) not in seen:
                    found.update(_walk(Path(entry.path), rel, config, links, seen))
            elif entry.is_file() and _wanted(rel, config):
                found[rel] = Path(entry.path)
    return dict(sorted(found.items()))


def _wanted(rel: str, config: dict) -> bool:
    """Jekyll's rule for a path relative to the blog: `include` wins; then anything
    under a name starting with '_' or '.', or matching `exclude`, stays out."""
    if _matches(rel, config.get("include") or []):
        return True
    hidden = any(part.startswith(("_", ".")) for part in rel.split("/"))
    return not hidden and not _matches(rel, DEFAULT_EXCLUDE + list(config.get("exclude") or []))


def _matches(rel: str, patterns: list) -> bool:
    parts = rel.split("/")
    prefixes = ["/".join(parts[:i]) for i in range(1, len(parts) + 1)]
    return any(fnmatch.fnmatch(prefix, str(pattern).strip("/"))
               for pattern in patterns for prefix in prefixes)


def _is_output(path: Path, out: Path) -> bool:
    # The output folder, and `_site.*` folders beside it (old builds' or a serve's
    # copies), are never sources.
    return path.resolve() == out.resolve() or (
        path.parent.resolve() == out.parent.resolve() and path.name.startswith(out.name + "."))


def check_collisions(files: dict[str, Path], generated: set[str]) -> None:
    clashes = sorted(set(files) & generated)
    if clashes:
        raise BuildError(f"static file {files[clashes[0]]} would overwrite the generated "
                         f"{clashes[0]}; rename it or add it to `exclude` in _config.yml")
