"""The released models' checkpoint files: where they live (`models_dir`), which a
model needs, and `make models`, which downloads them with progress from the first
mirror in `checkpoint_url` that has each file, resumes a partial download and
checks each file's size against what the server announced.

A download goes to `<file>.part` and is renamed only when complete, so a killed
download is never taken for a checkpoint. Sizes of completed downloads are kept in
`<models_dir>/sizes.json` and checked again before sampling.
"""

from __future__ import annotations

import importlib.util
import os
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from http.client import HTTPException
from pathlib import Path

from site_builder.logs import stage_log
from site_builder.errors import SamplingError
from site_builder.runs import read_json, write_json
from site_builder.models import MODELS

log = stage_log("models")

# hparams name -> file under models_dir (and under the download base URL), as in
# jukebox-infer's own cache layout (~/.cache/jukebox/models/...).
FILES = {
    "vqvae": "5b/vqvae.pth.tar",
    "upsampler_level_0": "5b/prior_level_0.pth.tar",
    "upsampler_level_1": "5b/prior_level_1.pth.tar",
    "prior_5b": "5b/prior_level_2.pth.tar",
    "prior_5b_lyrics": "5b_lyrics/prior_level_2.pth.tar",
    "prior_1b_lyrics": "1b_lyrics/prior_level_2.pth.tar",
}
CHUNK = 1 << 20


def needed(model: str) -> dict[str, str]:
    return {name: FILES[name] for name in MODELS[model].hparams}


def paths(model: str, models_dir: str | Path) -> dict[str, Path]:
    folder = Path(models_dir).expanduser()
    return {name: folder / rel for name, rel in needed(model).items()}


def approx_size(name: str) -> str:
    """What jukebox-infer's own list says a checkpoint weighs, for messages."""
    spec = importlib.util.find_spec("jukebox_infer")
    listed = read_json(Path(spec.submodule_search_locations[0]) / "data" / "checkpoints.json", {}) \
        if spec and spec.submodule_search_locations else {}
    size = (listed.get("checkpoints", {}).get(name) or {}).get("approx_size_bytes")
    if not size:
        return "size unknown until downloaded"
    return f"about {size / 1e9:.1f} GB" if size >= 1e9 else f"about {size / 1e6:.0f} MB"


def missing(model: str, models_dir: str | Path) -> list[tuple[str, Path]]:
    """(hparams name, path) of each file absent or not the size it was downloaded at."""
    if MODELS[model].toy:
        return []
    folder = Path(models_dir).expanduser()
    sizes = read_json(folder / "sizes.json", {}) or {}
    gone = []
    for name, path in paths(model, folder).items():
        expected = sizes.get(FILES[name])
        if not path.is_file() or (expected is not None and path.stat().st_size != expected):
            gone.append((name, path))
    return gone


class MirrorFailed(Exception):
    """This mirror cannot give the file (not there, refused, unreachable): try the next."""


def download(model: str, models_dir: str | Path, mirrors: list[str] | str = ()) -> list[Path]:
    """Fetch every file `model` needs that is not complete yet, from the first mirror
    that has it; returns their paths."""
    from site_builder.schema import to_urls

    folder = Path(models_dir).expanduser()
    bases = [url.rstrip("/") + "/" for url in to_urls(mirrors or "")]
    todo = missing(model, folder)
    if not todo:
        log.info("%s: all %d checkpoint files present in %s", model, len(needed(model)), folder)
    for name, path in todo:
        fetch_from_mirrors(bases, path, FILES[name], folder / "sizes.json", model)
    return [path for _, path in todo]


def shown_url(url: str) -> str:
    """A mirror's address as said in messages: without a user name and password in it
    (`https://me:token@host/...`), which would otherwise reach the terminal and logs."""
    parts = urllib.parse.urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urllib.parse.urlunsplit(parts._replace(netloc="***@" + parts.netloc.rsplit("@", 1)[1]))


def fetch_from_mirrors(bases: list[str], dest: Path, label: str, sizes_path: Path, model: str) -> None:
    failures = []
    for base in bases:
        try:
            fetch(base + label, dest, label, sizes_path)
            return
        except MirrorFailed as exc:
            failures.append(f"{shown_url(base)} ({exc})")
            if base != bases[-1]:
                log.info("%s: %s: %s; trying the next mirror", label, shown_url(base), exc)
    raise SamplingError(
        f"download of {label} failed from every mirror in checkpoint_url: {'; '.join(failures)}; add "
        f"a mirror that has it to checkpoint_url in _config.yml, or convert a copy in the transformers "
        f"format: make models MODEL={model} FROM=<its folder> (README: Checkpoints)")


def fetch(url: str, dest: Path, label: str, sizes_path: Path) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    part = dest.with_name(dest.name + ".part")
    have = part.stat().st_size if part.exists() else 0
    request = urllib.request.Request(url, headers={"Range": f"bytes={have}-"} if have else {})
    try:
        response = urllib.request.urlopen(request, timeout=60)
    except urllib.error.HTTPError as exc:
        if exc.code == 416 and have and _range_total(exc.headers) == have:
            total = have    # the part was complete already; only the rename was missing
        else:
            raise MirrorFailed(f"HTTP {exc.code}") from None
    except (urllib.error.URLError, HTTPException, OSError) as exc:
        raise MirrorFailed(str(getattr(exc, "reason", exc))) from None
    else:
        try:
            with response:
                total = _stream(response, part, have, label)
        except (urllib.error.URLError, HTTPException, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise SamplingError(f"download of {label} stopped ({reason}); "
                                f"{part.stat().st_size if part.exists() else 0} bytes kept: run "
                                f"`make models` again to resume") from None
    got = part.stat().st_size
    if got != total:
        raise SamplingError(f"download of {label} is incomplete ({got} of {total} bytes); "
                            f"run `make models` again to resume")
    sizes = read_json(sizes_path, {}) or {}
    write_json(sizes_path, {**sizes, label: total})
    os.replace(part, dest)
    log.info("%s: complete, %.1f MiB", label, total / 2**20)


def _range_total(headers) -> int | None:
    found = re.search(r"/(\d+)$", headers.get("Content-Range", "") or "")
    return int(found[1]) if found else None


def _stream(response, part: Path, have: int, label: str) -> int:
    """Write the response body to `part` (appending to a resumed one); returns the
    file's full size as the server announced it."""
    if response.status == 206:
        total = _range_total(response.headers)
        mode = "ab"
    else:
        total, have, mode = int(response.headers.get("Content-Length", -1)), 0, "wb"
    if total is None or total < 0:
        raise SamplingError(f"download of {label}: the server did not say how big it is, so a "
                            f"complete file cannot be told from a cut one")
    log.info("%s: %s %.1f MiB%s", label, "resuming at" if have else "downloading",
             (have if have else total) / 2**20, f" of {total / 2**20:.1f} MiB" if have else "")
    shown, started, start_size = time.monotonic(), time.monotonic(), have
    with part.open(mode) as out:
        for block in iter(lambda: response.read(CHUNK), b""):
            out.write(block)
            have += len(block)
            if time.monotonic() - shown > 2:
                shown = time.monotonic()
                rate = (have - start_size) / max(shown - started, 1e-9) / 2**20
                log.info("%s: %.1f of %.1f MiB (%d%%), %.1f MiB/s", label, have / 2**20,
                         total / 2**20, 100 * have // max(total, 1), rate)
    return total
