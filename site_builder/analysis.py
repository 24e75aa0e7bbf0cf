"""What a listener would write down, measured: per item, into out/analysis.json,
with a waveform and a spectrogram per item and an overview per run.

- duration (s)
- loudness: integrated loudness (LUFS, ITU-R BS.1770 via pyloudnorm) and sample peak (dBFS)
- silence: share of the item below `SILENCE_DB` relative to full scale, in 50 ms
  frames, and the longest such stretch (s)
- tuning: offset from A440 in cents (librosa's pitch-class estimate), and its drift:
  the spread (max - min) of the same estimate over 4 equal parts of the item
- tempo: beats per minute (librosa's beat tracker); unreliable below ~5 s of audio

Items are redone only when their WAV changes (a content-hash stamp).
"""

from __future__ import annotations

import re
import shutil
import time
import warnings
import wave
from pathlib import Path

import numpy as np

from site_builder.logs import stage_log
from site_builder.runs import Run, Stamps, digest, file_hash, read_json, write_json

log = stage_log("analyse")

SILENCE_DB = -50.0        # frames quieter than this (RMS, dBFS) count as silence
FRAME_SECONDS = 0.05
TUNING_PARTS = 4
STAGE_VERSION = 2          # 2: pictures in Hz with a colour bar, and small ones for thumbnails


def read_wav(path: Path) -> tuple[np.ndarray, int]:
    with wave.open(str(path), "rb") as f:
        rate, channels, width = f.getframerate(), f.getnchannels(), f.getsampwidth()
        data = np.frombuffer(f.readframes(f.getnframes()), dtype={2: "<i2", 4: "<i4"}[width])
    audio = data.reshape(-1, channels).mean(axis=1) / float(2 ** (8 * width - 1))
    return audio.astype(np.float32), rate


def silence(audio: np.ndarray, rate: int) -> dict:
    frame = max(int(rate * FRAME_SECONDS), 1)
    frames = audio[: len(audio) // frame * frame].reshape(-1, frame)
    if not len(frames):
        return {"share": 1.0, "longest_seconds": 0.0, "threshold_db": SILENCE_DB}
    rms_db = 20 * np.log10(np.sqrt((frames ** 2).mean(axis=1)) + 1e-12)
    quiet = rms_db < SILENCE_DB
    longest = run = 0
    for is_quiet in quiet:
        run = run + 1 if is_quiet else 0
        longest = max(longest, run)
    return {"share": round(float(quiet.mean()), 4), "longest_seconds": round(longest * FRAME_SECONDS, 2),
            "threshold_db": SILENCE_DB}


def tuning(audio: np.ndarray, rate: int) -> dict:
    import librosa

    def cents(part: np.ndarray) -> float | None:
        if len(part) < rate // 4 or not np.any(part):
            return None
        return float(librosa.estimate_tuning(y=part, sr=rate)) * 100

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # silent stretches have no pitch at all
        whole = cents(audio)
        parts = [c for c in (cents(p) for p in np.array_split(audio, TUNING_PARTS)) if c is not None]
    return {"offset_cents": None if whole is None else round(whole, 1),
            "drift_cents": round(max(parts) - min(parts), 1) if len(parts) > 1 else None}


def measure(path: Path) -> dict:
    import librosa
    import pyloudnorm

    audio, rate = read_wav(path)
    peak = float(np.abs(audio).max()) if len(audio) else 0.0
    meter = pyloudnorm.Meter(rate)
    try:
        lufs = float(meter.integrated_loudness(audio))
    except ValueError:   # shorter than the meter's 400 ms block
        lufs = float("-inf")
    tempo = librosa.beat.beat_track(y=audio, sr=rate)[0] if np.any(audio) else 0.0
    return {
        "duration_seconds": round(len(audio) / rate, 3),
        "loudness_lufs": round(lufs, 1) if np.isfinite(lufs) else None,
        "peak_dbfs": round(20 * np.log10(peak), 1) if peak > 0 else None,
        "silence": silence(audio, rate),
        "tuning": tuning(audio, rate),
        "tempo_bpm": round(float(np.atleast_1d(tempo)[0]), 1),
    }


def analyse(run: Run, settings: dict, plots_dir: Path) -> dict:
    """out/analysis.json for items 0..n-1, and their pictures in `plots_dir` (the run's
    asset folder: files of items beyond n go to the run's attic first)."""
    items = range(settings["n_samples"])
    retire_stale(run, plots_dir, settings["n_samples"])
    stamps = Stamps(run)
    path = run.analysis_path
    known = (read_json(path, {}) or {}).get("items", {})
    keys = {k: digest(file_hash(run.wav_path(k)), STAGE_VERSION) for k in items}
    todo = [k for k in items if not (str(k) in known and stamps.fresh(plot_path(plots_dir, k, "waveform"), keys[k])
                                     and all(p.exists() for p in pictures(plots_dir, k)))]
    cover = plots_dir / "cover.png"
    if not todo and (cover.exists() or not len(items)):
        log.info("%s: analysis of %d items up to date", run.id, len(items))
        return read_json(path)
    if todo:
        log.info("%s: analysing %d item(s) (loudness, silence, tuning, tempo) and drawing them", run.id, len(todo))
    # One process: librosa compiles its kernels on first use (seconds), which every
    # worker of a pool would pay again. Each item says what it found as it is done.
    for k in todo:
        started = time.monotonic()
        figures = known[str(k)] = analyse_item(run.wav_path(k), plots_dir, k)
        stamps.set(plot_path(plots_dir, k, "waveform"), keys[k])
        log.info("  item %d: %.2f s, %s, silence %.0f%%, tuning %s, %s (%.1f s)", k,
                 figures["duration_seconds"], lufs_text(figures["loudness_lufs"]),
                 100 * figures["silence"]["share"], cents_text(figures["tuning"]["offset_cents"]),
                 bpm_text(figures["tempo_bpm"]), time.monotonic() - started)
        check_length(run, settings, k, figures)
    data = {"items": {str(k): known[str(k)] for k in items},
            "method": {"silence_threshold_db": SILENCE_DB, "frame_seconds": FRAME_SECONDS,
                       "tuning_parts": TUNING_PARTS}}
    write_json(path, data)
    stamps.save()
    from site_builder import plots
    plots.overview(data, plots_dir / "overview.png", run.id)
    if len(items) and (0 in todo or not cover.exists()):
        plots.cover(*read_wav(run.wav_path(0)), cover)
    return data


def lufs_text(lufs: float | None) -> str:
    return "silent (no loudness)" if lufs is None else f"{lufs:.1f} LUFS"


def cents_text(cents: float | None) -> str:
    return "no pitch" if cents is None else f"{cents:+.0f} cents"


def bpm_text(bpm: float) -> str:
    return f"{bpm:.0f} bpm" if bpm >= 1 else "no beat"


def check_length(run: Run, settings: dict, item: int, figures: dict) -> None:
    """An imported WAV whose length is not the one declared: the post shows both."""
    declared = settings["sample_length_in_seconds"]
    if settings.get("import_from") and abs(figures["duration_seconds"] - declared) > 0.05:
        log.warning("  item %d: %.2f s long, but sample_length_in_seconds = %g in runs/%s/experiment.toml "
                    "(the post shows both)", item, figures["duration_seconds"], declared, run.id)


STALE = re.compile(r"^item-(\d+)[-.]")


def retire_stale(run: Run, folder: Path, n_items: int) -> list[Path]:
    """Files of items that no longer exist (N lowered, or a forced re-run with fewer)
    leave the asset folder for the run's attic, so they are neither published nor
    built into the site nor committed by mistake."""
    stale = [p for p in sorted(folder.glob("item-*")) if p.is_file()
             and (m := STALE.match(p.name)) and int(m[1]) >= n_items]
    if not stale:
        return []
    attic = run.out / "attic" / time.strftime("%Y%m%d-%H%M%S") / "assets"
    attic.mkdir(parents=True, exist_ok=True)
    for path in stale:
        shutil.move(str(path), attic / path.name)
    log.info("%s: %d file(s) of items beyond %d moved from %s to %s", run.id, len(stale), n_items - 1,
             shown(folder, run.root), shown(attic, run.root))
    return stale


def shown(path: Path, root: Path) -> str:
    path, root = path.resolve(), root.resolve()
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)


def pictures(folder: Path, item: int) -> list[Path]:
    from site_builder.plots import small_path
    drawn = [plot_path(folder, item, kind) for kind in ("waveform", "spectrogram")]
    return drawn + [small_path(p) for p in drawn]


def plot_path(folder: Path, item: int, kind: str) -> Path:
    return folder / f"item-{item:02d}-{kind}.png"


def warm() -> None:
    """Analyse 3 s of a made-up tone, so that librosa's kernels are compiled into
    numba's cache and matplotlib's font list is built at `make install`: a new
    user's first `make post` would otherwise spend half a minute on them."""
    import tempfile
    rate = 22050
    tone = np.sin(2 * np.pi * 440 * np.arange(3 * rate) / rate) * np.linspace(0, 1, 3 * rate)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder, "tone.wav")
        with wave.open(str(path), "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(rate)
            out.writeframes((tone * 8000).astype("<i2").tobytes())
        analyse_item(path, Path(folder), 0)


def analyse_item(wav: Path, plots_dir: Path, item: int) -> dict:
    from site_builder import plots
    figures = measure(wav)
    audio, rate = read_wav(wav)
    plots.waveform(audio, rate, plot_path(plots_dir, item, "waveform"))
    plots.spectrogram(audio, rate, plot_path(plots_dir, item, "spectrogram"))
    return figures
