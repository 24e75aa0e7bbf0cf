"""Local publishing: the MP3s copied into the blog's own assets
(`<assets_dir>/runs/<run>/`), served by the site itself."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from site_builder.logs import stage_log
from site_builder.runs import Run, atomic_path, file_hash, write_json

log = stage_log("publish")


def publish(run: Run, site: dict, mp3s: list[Path]) -> dict:
    from site_builder.publish import asset_dir
    folder = asset_dir(run, site)
    url_base = f"/{Path(site['assets_dir']).name}/runs/{run.id}"
    files, copied = [], 0
    for item, mp3 in enumerate(mp3s):
        target = folder / mp3.name
        checksum = file_hash(mp3)
        if not target.exists() or file_hash(target) != checksum:
            with atomic_path(target) as tmp:
                shutil.copyfile(mp3, tmp)
            copied += 1
        files.append({"item": item, "file": mp3.name, "url": f"{url_base}/{mp3.name}",
                      "sha256": checksum, "bytes": mp3.stat().st_size})
    shown = Path(os.path.relpath(folder, run.root)).as_posix()  # assets_dir may be another blog's
    record = {"publisher": "local", "folder": shown, "items": files}
    write_json(run.publish_path, record)
    if copied:
        log.info("%s: copied %d MP3(s) to %s", run.id, copied, shown)
    else:
        log.info("%s: %d MP3s already in %s", run.id, len(files), shown)
    return record
