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
STAGE_VERSION = 1


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
    """out/analysis.json for items 0..n-1, and their pictures in `plots_dir`."""
    items = range(settings["n_samples"])
    stamps = Stamps(run)
    path = run.analysis_path
    known = (read_json(path, {}) or {}).get("items", {})
    keys = {k: digest(file_hash(run.wav_path(k)), STAGE_VERSION) for k in items}
    todo = [k for k in items if not (str(k) in known and stamps.fresh(plot_path(plots_dir, k, "waveform"), keys[k])
                                     and plot_path(plots_dir, k, "spectrogram").exists())]
    if not todo:
        log.info("%s: analysis of %d items up to date", run.id, len(items))
        return read_json(path)
    log.info("%s: analysing %d item(s) (loudness, silence, tuning, tempo) and drawing them", run.id, len(todo))
    # One process: librosa compiles its kernels on first use (seconds), which every
    # worker of a pool would pay again.
    for k in todo:
        known[str(k)] = analyse_item(run.wav_path(k), plots_dir, k)
        stamps.set(plot_path(plots_dir, k, "waveform"), keys[k])
    data = {"items": {str(k): known[str(k)] for k in items},
            "method": {"silence_threshold_db": SILENCE_DB, "frame_seconds": FRAME_SECONDS,
                       "tuning_parts": TUNING_PARTS}}
    write_json(path, data)
    stamps.save()
    from site_builder import plots
    plots.overview(data, plots_dir / "overview.png", run.id)
    for k in todo:
        figures = known[str(k)]
        log.info("  item %d: %.2f s, %s LUFS, silence %.0f%%, tuning %s cents, %s bpm", k,
                 figures["duration_seconds"], figures["loudness_lufs"], 100 * figures["silence"]["share"],
                 figures["tuning"]["offset_cents"], figures["tempo_bpm"])
    return data


def plot_path(folder: Path, item: int, kind: str) -> Path:
    return folder / f"item-{item:02d}-{kind}.png"


def analyse_item(wav: Path, plots_dir: Path, item: int) -> dict:
    from site_builder import plots
    figures = measure(wav)
    audio, rate = read_wav(wav)
    plots.waveform(audio, rate, plot_path(plots_dir, item, "waveform"))
    plots.spectrogram(audio, rate, plot_path(plots_dir, item, "spectrogram"))
    return figures
