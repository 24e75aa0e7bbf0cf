"""`make collection`: one page (collection.md, at /collection/) listing every
published run with its players, newest post first. Regenerated whole each time:
it holds nothing but what the runs' publish.json files say."""

from __future__ import annotations

from pathlib import Path

from site_builder.logs import stage_log
from site_builder.audio import display_name
from site_builder.posts import escape, find_post, read_front_matter
from site_builder.posts.files import asset
from site_builder.runs import Run, read_json, write_text

log = stage_log("collection")

PAGE = "collection.md"


def published_runs(root: Path, site: dict) -> list[tuple[Run, dict, dict]]:
    runs_dir = root / site["runs_dir"]
    found = []
    # Only folders that are runs: a fresh clone's runs/ holds a .gitkeep.
    for folder in sorted(p for p in runs_dir.glob("*") if p.is_dir() and not p.name.startswith(".")):
        run = Run(root, folder.name, site["runs_dir"])
        record, settings = read_json(run.publish_path), read_json(run.settings_path)
        if record and settings and record.get("items"):
            found.append((run, settings, record))
    return found


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def section(run: Run, settings: dict, record: dict, post: Path | None) -> str:
    lines = [f"## {escape.text(display_name(settings['artist']))} (`{run.id}`)", "",
             f"Jukebox `{settings['model']}`, {plural(len(record['items']), 'item')} of "
             f"{settings['sample_length_in_seconds']:g} s, seed {settings['seed']}."]
    if post:
        lines[-1] += f" [The post]({post_link(post)})."
    lines.append("")
    if record.get("embed"):
        embed = escape.url(record["embed"], f"{run.id}: the embed URL")
        lines += [f'<iframe src="{embed}" width="500" height="300" frameborder="0" '
                  f'allowfullscreen></iframe>', ""]
    else:
        for entry in record["items"]:
            lines += [f"**item {entry['item']}**", "",
                      f'<audio controls preload="none" src="'
                      f'{asset(escape.url(entry["url"], f"{run.id}: an item URL"))}"></audio>', ""]
    return "\n".join(lines)


def post_link(post: Path) -> str:
    """Liquid naming the post by its file: the site answers its URL under whatever
    permalink the blog has, with baseurl, and refuses the build if the post is gone."""
    return "{% post_url " + post.stem + " %}"


def write(root: Path, site: dict) -> Path:
    runs = published_runs(root, site)
    posts_dir = root / site["posts_dir"]
    dated = []
    for run, settings, record in runs:
        post = find_post(posts_dir, [run.id]) if posts_dir.is_dir() else None
        date = str((read_front_matter(post.read_text(encoding="utf-8")) or {}).get("date", "")) if post else ""
        dated.append((date, run.id, section(run, settings, record, post)))
    body = "\n\n".join(text for _, _, text in sorted(dated, key=lambda d: (d[0], d[1]), reverse=True))
    page = ("---\nlayout: page\ntitle: Collection\npermalink: /collection/\n---\n"
            f"Every published run, {len(runs)} in all, newest post first.\n\n{body}\n")
    path = root / PAGE
    write_text(path, page)
    log.info("%s: %d published run(s)", PAGE, len(runs))
    return path
