"""Ancestral sampling with jukebox-infer: the child process an executor runs.

    python -O -m site_builder.sampling.worker RUN_DIR BATCH [BATCH ...]

Reads RUN_DIR/out/settings.json and samples each batch (items b*B .. b*B+B-1,
seeded from (seed, b)), continuing from codes/batch-NN.pt when an earlier job
saved progress. Writes out/wav/item-NN.wav atomically, and what it measured to
out/sampling.json for the executor's job record.

`-O` matters: jukebox-infer asserts `isinstance(x, torch.cuda.LongTensor)` in
several places, which only a CUDA tensor passes; the rest of the path is
device-agnostic, so without asserts it runs on a CPU too.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import json
import os
import signal
import sys
import wave
from pathlib import Path

import numpy as np
import torch
from jukebox_infer.hparams import Hyperparams

from site_builder.runs import Run, atomic_path, write_json
from site_builder.sampling import checkpoints, labels, sampling_key
from site_builder.sampling.ancestral import (LEVEL_NAMES, Progress, SavePolicy, Stopped, decode,
                                             request_stop, sample_levels)
from site_builder.sampling.build import build_released, build_tiny
from site_builder.models import MODELS, SAMPLE_RATE, sample_length

EXIT_STOPPED = 75   # saved and stopped early: run again to continue (EX_TEMPFAIL)
EXIT_OOM = 76       # out of GPU memory


def batch_seed(seed: int, batch: int) -> int:
    """Batch b's seed from (seed, b); a hash so that (1, 0) and (0, 1) differ."""
    return int(hashlib.sha256(f"{seed}/{batch}".encode()).hexdigest()[:15], 16)


def write_wav(path: Path, audio: np.ndarray) -> None:
    pcm = (np.clip(audio, -1.0, 1.0) * 32767.0).round().astype("<i2")
    with atomic_path(path) as tmp:
        with wave.open(str(tmp), "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(SAMPLE_RATE)
            out.writeframes(pcm.tobytes())


def batch_labels(settings: dict, items: list[int], priors, device):
    model = MODELS[settings["model"]]
    total = int(settings["total_sample_length_in_seconds"] * SAMPLE_RATE)
    metas = [dict(artist=settings["artist"],
                  genre=labels.labeller_genre(labels.item_bag(settings["genres"], k), model.name),
                  lyrics=settings["lyrics"] if model.lyrics else "", total_length=total, offset=0)
             for k in items]
    return [prior.labeller.get_batch_labels(metas, device) for prior in priors]


def sampling_kwargs(settings: dict, device: torch.device, batch: int) -> list[dict]:
    """Per level, bottom first; chunk sizes are Jukebox's own."""
    fp16 = device.type == "cuda"
    top_chunk = 32 if settings["model"] in ("tiny", "1b_lyrics") else 16
    up = dict(temp=settings["upsampler_temperature"], fp16=fp16, chunk_size=32, max_batch_size=batch)
    return [dict(up), dict(up),
            dict(temp=settings["temperature"], fp16=fp16, chunk_size=top_chunk, max_batch_size=batch)]


def run_batch(run: Run, settings: dict, batch: int, priors, device, policy_path: Path, say) -> dict:
    size = settings["batch_size"]
    items = list(range(batch * size, (batch + 1) * size))
    length = sample_length(settings["sample_length_in_seconds"], MODELS[settings["model"]])
    hps = Hyperparams(sample_length=length, n_samples=size, hop_fraction=settings["hop_fraction"],
                      sr=SAMPLE_RATE)
    key = sampling_key(settings)
    progress = Progress.load(policy_path, key, device)
    if progress is None:
        torch.manual_seed(batch_seed(settings["seed"], batch))
        progress = Progress(key, batch, items, [torch.zeros(size, 0, dtype=torch.long, device=device)
                                                for _ in priors])
    else:
        progress.restore_rng()
        say(f"  {progress.label()}: continuing from saved codes ({LEVEL_NAMES.get(progress.level, 'done')}, "
            f"window {progress.window})")
    policy = SavePolicy.from_settings(policy_path, settings)
    rates = sample_levels(progress, priors, batch_labels(settings, items, priors, device),
                          sampling_kwargs(settings, device, size), hps, settings["levels"], policy,
                          say, device)
    audio = decode(priors, progress.zs, settings["levels"]).numpy()
    for row, item in enumerate(items):
        write_wav(run.wav_path(item), audio[row])
    written = ", ".join(run.wav_path(k).relative_to(run.dir).as_posix() for k in items)
    say(f"  {progress.label()}: wrote {written} ({audio.shape[1] / SAMPLE_RATE:.2f} s of audio)")
    return rates


def main(argv: list[str]) -> int:
    run, batches = Run.at(Path(argv[0])), [int(a) for a in argv[1:]]
    settings = json.loads(run.settings_path.read_text())
    model = MODELS[settings["model"]]
    length = sample_length(settings["sample_length_in_seconds"], model)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    console = sys.stdout

    def say(line: str) -> None:
        print(line, file=console, flush=True)

    size = settings["batch_size"]
    say(f"sampling {model.name} on {device}: {len(batches)} batch(es) of {size} item(s) x "
        f"{length / SAMPLE_RATE:.2f} s, levels={settings['levels']}")
    run.log_dir.mkdir(parents=True, exist_ok=True)
    totals: dict[str, dict] = {}
    # Jukebox prints a line per window and a bar per token loop: keep them in a log.
    with open(run.log_dir / "jukebox.log", "a", encoding="utf-8") as log, \
            contextlib.redirect_stdout(log), contextlib.redirect_stderr(log), torch.no_grad():
        if device.type == "cpu" and model.toy:
            torch.set_num_threads(1)  # toy-size ops: threads cost more than they give
        if model.toy:
            _, priors = build_tiny(length, device)
        else:
            _, priors = build_released(model.name, length, device,
                                       checkpoints.paths(model.name, settings["models_dir"]))
        # Jukebox calls gc.collect() before every window; freezing the long-lived
        # objects (torch, the model) makes that cheap instead of most of the run.
        gc.freeze()
        for batch in batches:
            rates = run_batch(run, settings, batch, priors, device, run.codes_path(batch), say)
            for level, (tokens, seconds) in rates.items():
                entry = totals.setdefault(LEVEL_NAMES[level], {"tokens": 0, "seconds": 0.0})
                entry["tokens"] += tokens
                entry["seconds"] += seconds
    write_measurements(run, totals, device)
    return 0


def write_measurements(run: Run, totals: dict, device: torch.device) -> None:
    measured = {"tokens_per_second": {name: round(t["tokens"] / t["seconds"], 1)
                                      for name, t in totals.items() if t["seconds"] > 0},
                "gpu": None}
    if device.type == "cuda":
        measured["gpu"] = {"name": torch.cuda.get_device_name(), "count": torch.cuda.device_count(),
                           "peak_memory_bytes": torch.cuda.max_memory_allocated()}
    task = os.environ.get("SLURM_ARRAY_TASK_ID")
    write_json(run.measured_path(task), measured)


def guarded(argv: list[str]) -> int:
    """main(), with the ways a job ends early turned into one line and an exit code
    the executor understands."""
    # SLURM's --signal=B:USR1@N: the time limit is N seconds away; save and stop.
    signal.signal(signal.SIGUSR1, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    try:
        return main(argv)
    except KeyboardInterrupt:
        # One Ctrl-C is enough: a second one during shutdown would print a traceback.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        print("sampling interrupted: the items and codes saved so far are kept", file=sys.stderr)
        return 130
    except Stopped as exc:
        print(f"sampling {exc}; codes saved", file=sys.stderr)
        return EXIT_STOPPED
    except torch.cuda.OutOfMemoryError:
        print("out of GPU memory: lower batch_size (BATCH=1), or sample fewer levels at once "
              "(levels = 1, then 3); codes saved so far are kept", file=sys.stderr)
        return EXIT_OOM


if __name__ == "__main__":
    sys.exit(guarded(sys.argv[1:]))
