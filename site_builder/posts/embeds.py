"""`site-builder fix-embeds`: archive.org iframes that point at an item's /details/
page (as the example post's do) show no player; /embed/ID&playlist=1 does. Shows
the change as a diff and writes only when told to (--yes)."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path

from site_builder.logs import stage_log
from site_builder.posts.files import HASH_KEY, post_files, read_meta, shown
from site_builder.runs import write_text

log = stage_log("fix-embeds")

# Only iframes' src: a link to /details/ is a fine link. The identifier rule is
# archive.org's; a file after it embeds that one file.
DETAILS_IFRAME = re.compile(
    r"""(?P<head><iframe\b[^>]*?\bsrc\s*=\s*(?P<q>["']))https?://(?:www\.)?archive\.org/details/"""
    r"""(?P<id>[A-Za-z0-9][A-Za-z0-9_.-]{4,100})(?:/(?P<file>[^"'#?]+))?[^"']*(?P=q)""", re.I)


@dataclass
class Fix:
    path: Path
    old: str
    new: str
    count: int


def embed_url(match: re.Match) -> str:
    identifier, file = match["id"], match["file"]
    return (f"https://archive.org/embed/{identifier}/{file}" if file
            else f"https://archive.org/embed/{identifier}&playlist=1")


def fixed(text: str) -> tuple[str, int]:
    return DETAILS_IFRAME.subn(lambda m: f"{m['head']}{embed_url(m)}{m['q']}", text)


def find_fixes(root: Path, posts_dir: Path) -> list[Fix]:
    """The posts to change. A generated post is left to its generator: its iframe came
    from a run's notes.md, which is where to change it."""
    fixes = []
    for path in post_files(posts_dir):
        old = path.read_text(encoding="utf-8")
        new, count = fixed(old)
        if not count:
            continue
        meta = read_meta(path)
        if HASH_KEY in meta:
            notes = ", ".join(f"runs/{r}/notes.md" for r in meta.get("runs") or [])
            log.info("%s is generated: change its /details/ iframe in %s, then `make posts`",
                     shown(path, root), notes or "its runs' notes.md")
            continue
        fixes.append(Fix(path, old, new, count))
    return fixes


def diff(fix: Fix, root: Path) -> str:
    name = shown(fix.path, root)
    return "".join(difflib.unified_diff(fix.old.splitlines(keepends=True), fix.new.splitlines(keepends=True),
                                        f"a/{name}", f"b/{name}", n=1))


def fix_embeds(root: Path, site: dict, *, yes: bool, ask=None) -> list[Path]:
    """Print the diff; write when `yes` or when `ask()` (an interactive prompt) agrees."""
    fixes = find_fixes(root, root / site["posts_dir"])
    total = sum(f.count for f in fixes)
    if not fixes:
        log.info("no archive.org /details/ iframes in %s", shown(root / site["posts_dir"], root))
        return []
    for fix in fixes:
        print(diff(fix, root), end="")
    summary = f"{total} iframe(s) in {len(fixes)} post(s)"
    if not (yes or (ask and ask(f"fix-embeds: write {summary}? [y/N] "))):
        log.info("%s would change; nothing written: run `make fix-embeds YES=1` "
                 "(site-builder fix-embeds --yes) to write them", summary)
        return []
    for fix in fixes:
        write_text(fix.path, fix.new)
        log.info("rewrote %d iframe(s) in %s", fix.count, shown(fix.path, root))
    return [f.path for f in fixes]
