"""What `make serve` watches, stdlib only: every watched file's mtime and size,
compared between polls. The blog (with posts_dir, its _drafts and assets_dir wherever
they point) and the built-in theme's files; never the output, the runs, what the
build leaves out (`exclude:` in _config.yml and Jekyll's own defaults), dot-files or
editors' swap and backup files."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable

from site_builder.site.reader import exclude_patterns, matches
from site_builder.site.theme import THEME

THEME_FOLDERS = ("_layouts", "_includes", "assets")   # the built-in theme's files


def watched_folders(root: Path, config: dict, site_dir: Path) -> tuple[list[Path], set[Path]]:
    """(folders to walk, folders to leave out): the blog (with posts_dir, its _drafts
    and assets_dir wherever they point), and the built-in theme's files; never the
    output or the runs."""
    folders = [root]
    for name in (config.get("posts_dir") or "posts", config.get("assets_dir") or "assets"):
        folders.append(root / name)
    folders.append(folders[1].parent / "_drafts")
    if THEME != root:
        folders += [THEME / f for f in THEME_FOLDERS]
    skip = {site_dir, root / (config.get("runs_dir") or "runs")}
    return list(dict.fromkeys(f.resolve() for f in folders)), {s.resolve() for s in skip}


def snapshot(root: Path, config: dict, site_dir: Path) -> dict[str, tuple[int, int]]:
    """Every watched file: path -> (mtime in ns, size)."""
    folders, skip = watched_folders(root, config, site_dir)
    # What the build leaves out (Jekyll's own excludes, and `exclude:`, where this
    # repository's code is) changes nothing in the site.
    patterns = exclude_patterns(config)
    inside = str(root.resolve()) + os.sep
    files: dict[str, tuple[int, int]] = {}
    seen: set[tuple[int, int]] = set()   # folders walked (symlinks may loop)
    for folder in folders:
        try:
            st = folder.stat()
        except OSError:
            continue
        # A folder inside one walked already (posts/ in the blog) is not walked twice.
        if (st.st_dev, st.st_ino) in seen or any(folder.is_relative_to(s) for s in skip):
            continue
        seen.add((st.st_dev, st.st_ino))
        stack = [str(folder)]
        while stack:
            here = stack.pop()
            try:
                entries = list(os.scandir(here))
            except OSError:   # gone, or not a folder
                continue
            for entry in entries:
                if ignored(entry.name) or (entry.path.startswith(inside) and matches(
                        entry.path[len(inside):].replace(os.sep, "/"), patterns)):
                    continue
                try:
                    if entry.is_dir():
                        st = entry.stat()
                        if (st.st_dev, st.st_ino) not in seen and Path(entry.path).resolve() not in skip:
                            seen.add((st.st_dev, st.st_ino))
                            stack.append(entry.path)
                    else:
                        st = entry.stat()
                        files[entry.path] = (st.st_mtime_ns, st.st_size)
                except OSError:   # vanished while we looked
                    continue
    return files


def stamps(paths: Iterable[Path]) -> dict[str, tuple[int, int]]:
    """Each existing file of `paths`: path -> (mtime in ns, size), as snapshot's."""
    found = {}
    for path in paths:
        try:
            st = path.stat()
        except OSError:
            continue
        found[str(path)] = (st.st_mtime_ns, st.st_size)
    return found


def ignored(name: str) -> bool:
    """Dot-files and -folders (.git, .venv, .site-cache), editors' swap and backup files."""
    return name.startswith((".", "#")) or name.endswith(("~", ".swp", ".swx"))


def describe_changes(before: dict, after: dict, root: Path) -> str:
    changed = sorted(set(before) ^ set(after) | {p for p in set(before) & set(after)
                                                 if before[p] != after[p]})
    if not changed:
        return "no change"
    first = Path(changed[0])
    shown = first.relative_to(root) if first.is_relative_to(root) else first
    more = f" and {len(changed) - 1} more" if len(changed) > 1 else ""
    return f"{shown}{more} changed"
