"""Files copied through as they are (which ones: reader.py, by Jekyll's rules), plus
the theme's assets where the blog has no file of that name."""

from __future__ import annotations

import logging
from pathlib import Path

from site_builder.errors import BuildError
from site_builder.site.reader import Inventory, collection_names
from site_builder.site.theme import theme_assets

SYNTAX_CSS = "assets/css/syntax.css"


def static_files(inv: Inventory, root: Path, config: dict, log: logging.Logger,
                 theme: Path | None = None) -> dict[str, Path]:
    """Output path -> source file, for everything copied through: the reader's static
    files, those of collections that are output, and the `theme`'s assets the blog
    has no file of its own for."""
    files = dict(inv.static)
    if config["assets_dir"] != "assets" and not (root / config["assets_dir"]).is_dir():
        log.warning(f"warning: no assets folder {config['assets_dir']}/ (assets_dir in _config.yml)")
    for name, found in inv.collection_files.items():
        if (collection_names(config).get(name) or {}).get("output"):
            files.update({f"{name}/{f.rel.split('/', 1)[1]}": f.path for f in found})
    if theme is not None:
        for rel, path in theme_assets(theme).items():
            files.setdefault(rel, path)
    return files


def listed_static_files(inv: Inventory, config: dict, files: dict[str, Path]) -> dict[str, Path]:
    """site.static_files' files (output path -> source): those copied through, and the
    files of collections that are not output, which Jekyll lists (Collection#read
    adds them to site.static_files) but does not write (StaticFile#write?)."""
    listed = dict(files)
    for name, found in inv.collection_files.items():
        if not (collection_names(config).get(name) or {}).get("output"):
            listed.update({f"{name}/{f.rel.split('/', 1)[1]}": f.path for f in found})
    return listed


def syntax_css() -> str:
    """Pygments' stylesheet for the `highlight` class that code blocks carry."""
    from pygments.formatters import HtmlFormatter
    return HtmlFormatter(style="default").get_style_defs(".highlight") + "\n"


def check_collisions(files: dict[str, Path], generated: set[str]) -> None:
    clashes = sorted(set(files) & generated)
    if clashes:
        raise BuildError(f"static file {files[clashes[0]]} would overwrite the generated "
                         f"{clashes[0]}; rename it or add it to `exclude` in _config.yml")
