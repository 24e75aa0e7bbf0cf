"""Publishing: where a run's MP3s are served from, recorded in out/publish.json.

`local` copies them into the blog's assets (tracked in git, so the blog builds
from a fresh clone); `archive` uploads one archive.org item per run. The post
reads publish.json and embeds whichever it finds.
"""

from __future__ import annotations

from pathlib import Path

from site_builder.logs import stage_log
from site_builder.runs import Run

log = stage_log("publish")


def asset_dir(run: Run, site: dict) -> Path:
    """Where the run's files served by the site itself go (MP3s when local, plots always)."""
    return run.root / site["assets_dir"] / "runs" / run.id


def url_warning(site: dict) -> str | None:
    """Feed readers and archive.org need the blog's address to link back to a post."""
    if (site.get("url") or "").strip():
        return None
    return ("warning: url is empty in _config.yml, so the feed and archive.org descriptions "
            "cannot link to posts with absolute URLs; set it to where the blog is served, e.g. "
            "url: https://yourname.github.io")


def publish(run: Run, settings: dict, site: dict, mp3s: list[Path], *, dry_run: bool = False,
            sandbox: bool = False, post_link: str | None = None) -> dict:
    """`post_link`: the absolute URL of the run's post, for archive.org's description."""
    warning = url_warning(site)
    if warning:
        log.warning("%s", warning)
    if settings["publisher"] == "archive":
        from site_builder.publish import archive
        return archive.publish(run, settings, site, mp3s, dry_run=dry_run, sandbox=sandbox,
                               post_link=post_link)
    from site_builder.publish import local
    return local.publish(run, site, mp3s)
