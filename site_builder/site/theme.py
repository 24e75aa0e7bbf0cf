"""Which theme a blog is built with, and where its layouts and includes come from.

As a gem-based Jekyll theme: `theme: site-builder` in _config.yml names the
theme shipped inside this package (site_builder/theme/: _layouts, _includes,
assets), and the blog's own `_layouts/`, `_includes/`, `_sass/` and `assets/`
files win over the theme's of the same name. A blog that names no theme gets it
too unless it has `_layouts/` of its own, which then are its whole theme (a Jekyll
blog such as jasper2, built as Jekyll builds it)."""

from __future__ import annotations

import logging
from pathlib import Path

DEFAULT_THEME = "site-builder"
THEMES = {DEFAULT_THEME: Path(__file__).resolve().parent.parent / "theme"}
THEME = THEMES[DEFAULT_THEME]
LAYOUTS = "_layouts"
INCLUDES = "_includes"


def theme_folder(root: Path, config: dict, log: logging.Logger | None = None
                 ) -> Path | None:
    """The theme's folder, or None for a blog whose own layouts are all there is.
    `log`: told once of a theme that is not built in."""
    name = config.get("theme")
    remote = config.get("remote_theme")
    if remote and not name and log is not None:   # jekyll-remote-theme fetches it; we cannot
        fallback = "its own _layouts/" if (root / LAYOUTS).is_dir() else \
            f"the {DEFAULT_THEME} theme"
        log.warning(f"warning: _config.yml: remote_theme {remote!r} is not fetched (built in: "
                    f"{', '.join(THEMES)}); the blog is built with {fallback}")
    if name:
        found = THEMES.get(str(name))
        if found is None and log is not None:
            fallback = "its own _layouts/" if (root / LAYOUTS).is_dir() else \
                f"the {DEFAULT_THEME} theme"
            log.warning(f"warning: _config.yml: theme {name!r} is not built in (built in: "
                        f"{', '.join(THEMES)}); the blog is built with {fallback}")
        if found is not None or not (root / LAYOUTS).is_dir():
            return found or THEME
        return None
    return None if (root / LAYOUTS).is_dir() else THEME


def layout_folders(root: Path, config: dict) -> list[Path]:
    """Where layouts are looked for, the blog's first."""
    theme = theme_folder(root, config)
    return [root / LAYOUTS] + ([theme / LAYOUTS] if theme else [])


def include_folders(root: Path, config: dict) -> list[str]:
    theme = theme_folder(root, config)
    return [str(root / INCLUDES)] + ([str(theme / INCLUDES)] if theme else [])


def theme_assets(theme: Path) -> dict[str, Path]:
    """The theme's `assets/` files: output path -> file."""
    folder = theme / "assets"
    return {path.relative_to(theme).as_posix(): path
            for path in sorted(folder.rglob("*")) if path.is_file()}
