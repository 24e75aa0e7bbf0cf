"""The static site: a Jekyll-style blog folder -> `_site/`, the way Jekyll builds it.

Two phases, as in MkDocs's build: read and render everything first (posts through
Liquid and Markdown, every output through the Jinja2 layouts), so a bad post fails
the build before anything is written, and every bad post is reported at once; then
write it all into a fresh folder that replaces `_site/` only on success, so a failed
build leaves the last good site in place. This package knows nothing of runs:
hand-written and generated posts build alike.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Callable

from site_builder.config import load_site_config
from site_builder.errors import BuildError
from site_builder.site.outputs import render_site
from site_builder.site.render import LAYOUTS, jinja_env, render_posts
from site_builder.site.sources import Post, newest_first, read_pages, read_posts
from site_builder.site.static import (SYNTAX_CSS, check_collisions, copy_static, static_files,
                                      syntax_css)
from site_builder.site.urls import absolute_url, relative_url

__all__ = ["BuildResult", "absolute_url", "build", "relative_url"]


@dataclass(frozen=True)
class BuildResult:
    posts: int      # posts rendered (unpublished, future and misnamed files not counted)
    pages: int      # HTML files written
    seconds: float
    out_dir: Path


def build(root: Path, *, out_dir: Path | None = None, drafts: bool = False,
          future: bool = False, now: datetime | None = None,
          log: Callable[[str], Any] = print) -> BuildResult:
    """Build the blog at `root` into `out_dir` (default `root/_site`); raise BuildError
    naming every bad post, leaving the previous site untouched. Drafts (`_drafts/`) and
    posts dated after `now` are left out unless asked for, here or in the config."""
    started = time.perf_counter()
    root = Path(root)
    config = {**load_site_config(root), "data": read_data(root)}
    out = Path(out_dir) if out_dir is not None else root / "_site"
    _check_out_dir(root, out, config)
    posts = _posts(root, config, log, drafts=drafts or bool(config.get("show_drafts")),
                   future=future or bool(config.get("future")), now=now or datetime.now())
    pages = read_pages(root)
    render_posts(root, posts + pages, config)
    outputs = render_site(posts, pages, config, jinja_env(root, config), log)
    files = static_files(root, config, out, log)
    check_collisions(files, set(outputs))
    if SYNTAX_CSS not in files:
        outputs.add(SYNTAX_CSS, syntax_css(), "the theme")
    _write_site(out, outputs, files)
    seconds = time.perf_counter() - started
    shown = out.relative_to(root) if out.is_relative_to(root) else out
    log(f"{len(posts)} posts -> {shown}/ in {seconds:.2f} s")
    pages_written = sum(rel.endswith(".html") for rel in outputs)
    return BuildResult(posts=len(posts), pages=pages_written, seconds=seconds, out_dir=out)


def read_data(root: Path) -> dict:
    """`_data/*.yml|yaml|json` as site.data.<name> (e.g. _data/authors.yml: site.data.authors)."""
    import json

    import yaml

    data = {}
    for path in sorted((root / "_data").glob("*")):
        try:
            if path.suffix in (".yml", ".yaml"):
                data[path.stem] = yaml.safe_load(path.read_text(encoding="utf-8"))
            elif path.suffix == ".json":
                data[path.stem] = json.loads(path.read_text(encoding="utf-8"))
        except (yaml.YAMLError, ValueError) as exc:
            raise BuildError(f"_data/{path.name}: cannot be read ({exc}); fix its syntax") from None
    return data


def _posts(root: Path, config: dict, log: Callable, *, drafts: bool, future: bool,
           now: datetime) -> list[Post]:
    folder = root / config["posts_dir"]
    if folder.is_dir():
        posts = read_posts(root, folder, log)
    else:
        log(f"warning: no posts folder {config['posts_dir']}/ (posts_dir in _config.yml); "
            f"the index will be empty")
        posts = []
    # Jekyll keeps drafts beside _posts/; a blog fed through posts_dir keeps its own.
    draft_folder = folder.parent / "_drafts"
    if drafts and draft_folder.is_dir():
        posts += read_posts(root, draft_folder, log, dated=False)
    if not future:
        posts = [p for p in posts if p.date <= now]
    return newest_first(posts)


# -- phase 2: write -----------------------------------------------------------

def _write_site(out: Path, outputs: dict[str, str], files: dict[str, Path]) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f"{out.name}.new-", dir=out.parent))
    try:
        tmp.chmod(0o755)  # mkdtemp makes it private; a web server must read the site
        for rel, text in outputs.items():
            path = tmp / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        copy_static(files, tmp)
        _swap_in(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _swap_in(new: Path, out: Path) -> None:
    if not out.exists():
        new.rename(out)
        return
    attic = Path(tempfile.mkdtemp(prefix=f"{out.name}.old-", dir=out.parent))
    out.rename(attic / "site")
    try:
        new.rename(out)
    except OSError:
        (attic / "site").rename(out)
        raise
    shutil.rmtree(attic, ignore_errors=True)


def _check_out_dir(root: Path, out: Path, config: dict) -> None:
    # The swap moves the old output away and deletes it: never let that be the sources.
    out_abs, root_abs = out.resolve(), root.resolve()
    folders = (config["posts_dir"], config["assets_dir"], LAYOUTS)
    sources = [(root_abs / folder).resolve() for folder in folders]
    if root_abs.is_relative_to(out_abs) or any(
            out_abs.is_relative_to(s) or s.is_relative_to(out_abs) for s in sources):
        raise BuildError(f"output folder {out} overlaps the blog's sources in {root}; "
                         f"choose a separate folder such as {root / '_site'}")
    if out.exists() and not out.is_dir():
        raise BuildError(f"output folder {out} is a file; remove it or choose another folder")
