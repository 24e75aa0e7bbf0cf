"""WAV -> MP3 with ID3 tags (pydub driving ffmpeg), one ffmpeg per core.

An MP3 is redone only when its WAV or its tags change (a content-hash stamp),
and appears only by atomic rename, so an interrupted transcode leaves nothing.
"""

from __future__ import annotations

import os
import shutil
import warnings
import wave
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from site_builder.errors import AudioError, RunError
from site_builder.logs import stage_log
from site_builder.runs import Run, Stamps, atomic_path, digest, file_hash
from site_builder.sampling.labels import item_bag
from site_builder.schema import AUDIO

log = stage_log("mp3")

COVER_NAMES = ("cover.jpg", "cover.jpeg", "cover.png")
STAGE_VERSION = 1   # bump when the encoding changes, so every MP3 is redone


def find_ffmpeg() -> str:
    """Debian's ffmpeg if installed, else the binary shipped in the imageio-ffmpeg wheel."""
    found = shutil.which("ffmpeg")
    if found:
        return found
    try:
        import imageio_ffmpeg
        return imageio_ffmpeg.get_ffmpeg_exe()
    except (ImportError, RuntimeError):
        raise AudioError("ffmpeg not found: install it (apt-get install ffmpeg) "
                         "or pip install imageio-ffmpeg") from None


def display_name(artist: str) -> str:
    """`joy_division` -> `Joy Division`: Jukebox's list holds only normalised names."""
    return artist.replace("_", " ").title()


def encoding(site: dict | None) -> dict:
    """_config.yml `audio:` (checked when the config was loaded): a constant
    `bitrate`, or a LAME VBR `vbr_quality` (0 best .. 9 smallest) instead."""
    return {**AUDIO.defaults(), **((site or {}).get("audio") or {})}


def cover(run: Run) -> Path | None:
    """The run's cover image (runs/<run>/cover.jpg or .png), embedded in every MP3."""
    return next((run.dir / name for name in COVER_NAMES if (run.dir / name).is_file()), None)


def year(run: Run) -> str | None:
    """The year the samples were made: the first sampling job's start."""
    from site_builder.runs import read_json
    start = (read_json(run.job_path, {}) or {}).get("start") or ""
    return start[:4] if start[:4].isdigit() else None


def tags(settings: dict, item: int, album: str, made: str | None = None) -> dict[str, str]:
    n = settings["n_samples"]
    extra = {"date": made} if made else {}
    return {**extra,
        "title": f"{display_name(settings['artist'])}, item {item}",
        "artist": f"Jukebox {settings['model']}",
        "album": album,
        "track": f"{item + 1}/{n}",
        "comment": (f"model {settings['model']}, seed {settings['seed']}, "
                    f"genres {item_bag(settings['genres'], item)}"),
    }


def check_wav(path: Path) -> None:
    """A WAV that is corrupt, empty or truncated fails here with its path and reason."""
    try:
        with wave.open(str(path), "rb") as f:
            frames = f.getnframes()
            expected = frames * f.getnchannels() * f.getsampwidth()
            data = f.readframes(frames)
    except (wave.Error, EOFError, OSError) as exc:
        raise AudioError(f"{path}: not a readable WAV ({exc}); delete it and run make sample "
                         f"to sample that item again") from None
    if frames == 0:
        raise AudioError(f"{path}: empty WAV; delete it and run make sample")
    if len(data) < expected:
        raise AudioError(f"{path}: truncated WAV ({len(data)} of {expected} bytes); "
                         f"delete it and run make sample")


def encode(wav: Path, mp3: Path, item_tags: dict[str, str], ffmpeg: str, options: dict,
           image: Path | None) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # pydub warns before we set ffmpeg
        from pydub import AudioSegment
    AudioSegment.converter = ffmpeg
    check_wav(wav)
    segment = AudioSegment.from_wav(str(wav))
    with atomic_path(mp3) as tmp:
        quality = options["vbr_quality"]
        segment.export(str(tmp), format="mp3", tags=item_tags, id3v2_version="3",
                       bitrate=None if quality is not None else options["bitrate"],
                       cover=str(image) if image else None,
                       parameters=["-map_metadata", "-1"] + (["-q:a", str(quality)] if quality is not None else [])).close()


def transcode(run: Run, settings: dict, album: str, site: dict | None = None) -> list[Path]:
    """MP3s for items 0..n-1; returns their paths."""
    items = range(settings["n_samples"])
    missing = [k for k in items if not run.wav_path(k).exists()]
    if missing:
        raise RunError(f"run {run.id!r}: no WAV for item(s) {', '.join(map(str, missing))}; "
                       f"run `make sample RUN={run.id}` first")
    stamps = Stamps(run)
    options, image, made = encoding(site), cover(run), year(run)
    todo = []
    for k in items:
        key = digest(file_hash(run.wav_path(k)), tags(settings, k, album, made), options,
                     file_hash(image) if image else None, STAGE_VERSION)
        if not stamps.fresh(run.mp3_path(k), key):
            todo.append((k, key))
    if not todo:
        log.info("%s: %d MP3s up to date, nothing to transcode", run.id, len(items))
        return [run.mp3_path(k) for k in items]
    ffmpeg = find_ffmpeg()
    log.info("%s: transcoding %d WAV(s) to MP3 with %s", run.id, len(todo), ffmpeg)
    errors = []
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        jobs = {k: pool.submit(encode, run.wav_path(k), run.mp3_path(k),
                               tags(settings, k, album, made), ffmpeg, options, image)
                for k, _ in todo}
    for k, key in todo:
        try:
            jobs[k].result()
        except AudioError as exc:
            errors.append(str(exc))
            continue
        stamps.set(run.mp3_path(k), key)
        log.info("  item %d -> %s", k, run.mp3_path(k).relative_to(run.root))
    stamps.save()
    if errors:
        raise AudioError("\n".join(errors))
    return [run.mp3_path(k) for k in items]
