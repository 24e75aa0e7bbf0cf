"""Transcoding speed: site-builder's MP3 stage against plain ffmpeg in parallel.

    .venv/bin/python bench/transcode.py [--items 16] [--seconds 60]

Writes N WAVs of noise-like audio, then times, in the same run:
  reference: ls *.wav | xargs -P$(nproc) -I{} ffmpeg -i {} -b:a 192k {}.mp3
  ours:      site_builder.audio.transcode (pydub + ffmpeg, tags, atomic writes, stamps)
and prints both and the ratio (goal: at most 1.1).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import wave
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from site_builder import audio  # noqa: E402
from site_builder.runs import Run  # noqa: E402


def make_wavs(run: Run, items: int, seconds: float) -> None:
    run.wav_dir.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    for k in range(items):
        t = np.arange(int(seconds * 44100)) / 44100
        signal = 0.3 * np.sin(2 * np.pi * (110 + 20 * k) * t) + 0.05 * rng.standard_normal(len(t))
        with wave.open(str(run.wav_path(k)), "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(44100)
            w.writeframes((signal * 32767).astype("<i2").tobytes())


def reference(folder: Path, ffmpeg: str) -> float:
    started = time.perf_counter()
    subprocess.run(f"ls *.wav | xargs -P{os.cpu_count()} -I{{}} {ffmpeg} -loglevel error -y -i {{}} "
                   f"-b:a {audio.BITRATE} {{}}.mp3", shell=True, cwd=folder, check=True)
    return time.perf_counter() - started


def ours(run: Run, settings: dict) -> float:
    started = time.perf_counter()
    audio.transcode(run, settings, "bench")
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    ffmpeg = audio.find_ffmpeg()
    settings = {"n_samples": args.items, "artist": "lucybell", "model": "tiny", "seed": 0,
                "genres": ["rock"]}
    times = {"reference": [], "site-builder": []}
    with tempfile.TemporaryDirectory() as tmp:
        run = Run(Path(tmp), "bench")
        make_wavs(run, args.items, args.seconds)
        for _ in range(args.rounds):  # alternate, so neither always runs on a warmer machine
            for path in run.wav_dir.glob("*.mp3"):
                path.unlink()
            times["reference"].append(reference(run.wav_dir, ffmpeg))
            for path in [run.stamps_path, *run.mp3_dir.glob("*.mp3")]:
                path.unlink(missing_ok=True)
            times["site-builder"].append(ours(run, settings))
    best = {name: min(values) for name, values in times.items()}
    print(f"{args.items} WAVs x {args.seconds:g} s, {os.cpu_count()} cores, {audio.BITRATE}, "
          f"best of {args.rounds}")
    print(f"reference (xargs -P{os.cpu_count()} ffmpeg): {best['reference']:.2f} s")
    print(f"site-builder mp3 stage:     {best['site-builder']:.2f} s")
    print(f"ratio: {best['site-builder'] / best['reference']:.2f}  (goal <= 1.1)")
    print(json.dumps({k: [round(v, 3) for v in vs] for k, vs in times.items()}))


if __name__ == "__main__":
    main()
