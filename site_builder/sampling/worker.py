"""Ancestral sampling with jukebox-infer's models and our own loop: the child process
an executor runs.

    python -O -m site_builder.sampling.worker RUN_DIR top:0,1,2 top:3 up:0,1,2,3

Each argument is a group of items and its phase, as sample.py batches them: the
top prior over groups of `batch_size`, then the upsamplers over groups of
`upsampler_batch_size`. Every item draws from its own random stream, seeded from
(seed, item, level), so an item is the same whichever group it is sampled in.
Reads RUN_DIR/out/settings.json; saves each group's progress in codes/top-NN.pt or
codes/up-NN.pt and continues from it; writes each item's finished codes per level
(codes/item-NN-level-L.pt), its WAV (out/wav/item-NN.wav) atomically, and what it
measured to out/sampling.json for the executor's job record.

The priors are built on the CPU and one at a time is on the device, in the
sampling dtype (converted once), as sample.py keeps them.

`-O` matters: jukebox-infer asserts `isinstance(x, torch.cuda.LongTensor)` in
places our loop does not reach but model building and decoding might.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import signal
import sys
import wave
from pathlib import Path

import numpy as np
import torch

from site_builder.errors import EXIT_DISK, EXIT_OOM, disk_error
from site_builder.runs import Run, atomic_path, write_json
from site_builder.sampling import checkpoints, codes, labels, provenance, sampling_key
from site_builder.sampling.ancestral import (LEVEL_NAMES, TOP, LevelSpec, Progress, SavePolicy,
                                             Stopped, decode, request_stop, sample_levels)
from site_builder.sampling.build import Models
from site_builder.sampling.progress_line import ProgressLine
from site_builder.models import MODELS, SAMPLE_RATE, sample_length

EXIT_STOPPED = 75   # saved and stopped early: run again to continue (EX_TEMPFAIL)


class OutOfMemory(Exception):
    """Out of GPU memory during sampling: the one line, naming the phase."""


def oom_line(settings: dict, phase: str, batch: int, device_bytes: float | None) -> str:
    """What ran out, what the memory plan expected there, and what to change."""
    from site_builder.errors import ConfigError
    from site_builder.sampling import memory

    expected = ""
    gpu = f"{device_bytes / memory.GiB:.1f}GiB" if device_bytes else settings.get("gpu")
    if gpu:
        try:   # the plan at this run's batches, for the memory this GPU has
            plan = memory.make_plan(settings, gpu)
            planned = next(p for p in plan.phases if p.name == phase)
            expected = (f": the plan expected {planned.device / memory.GiB:.1f} GiB of "
                        f"{plan.gpu_bytes / memory.GiB:.1f} GiB")
        except (ConfigError, StopIteration):
            pass   # the tiny model, or a phase the plan does not list: no figure to give
    where = "while decoding" if phase == "decoding" else f"in the {phase}"
    return (f"sample: out of GPU memory {where} at batch {batch}{expected}; lower BATCH "
            f"(BATCH=auto takes the largest batches the plan fits; `make plan` shows each phase), "
            f"or close what else uses the GPU; codes saved so far are kept")


def write_wav(path: Path, audio: np.ndarray) -> None:
    pcm = (np.clip(audio, -1.0, 1.0) * 32767.0).round().astype("<i2")
    with atomic_path(path) as tmp:
        with wave.open(str(tmp), "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(SAMPLE_RATE)
            out.writeframes(pcm.tobytes())


def item_labels(settings: dict, items: list[int], prior, device) -> dict:
    model = MODELS[settings["model"]]
    total = int(settings["total_sample_length_in_seconds"] * SAMPLE_RATE)
    metas = [dict(artist=settings["artist"],
                  genre=labels.labeller_genre(labels.item_bag(settings["genres"], k), model.name),
                  lyrics=settings["lyrics"] if model.lyrics else "", total_length=total, offset=0)
             for k in items]
    return prior.labeller.get_batch_labels(metas, device)


GRAPHS = "SITE_BUILDER_CUDA_GRAPHS"   # 0: launch each token step from Python (same codes)


def level_specs(settings: dict, device: torch.device) -> dict[int, LevelSpec]:
    """Per level; chunk sizes and temperatures as sample.py's. On CUDA each token step
    is replayed as a CUDA graph unless SITE_BUILDER_CUDA_GRAPHS=0."""
    fp16 = device.type == "cuda"
    top_chunk = 32 if settings["model"] in ("tiny", "1b_lyrics") else 16
    hop = settings["hop_fraction"]
    up = settings["upsampler_temperature"]
    graphs = os.environ.get(GRAPHS, "1") != "0"
    return {0: LevelSpec(up, 32, fp16, hop[0], graphs=graphs), 1: LevelSpec(up, 32, fp16, hop[1], graphs=graphs),
            2: LevelSpec(settings["temperature"], top_chunk, fp16, hop[2], graphs=graphs)}


def parse_groups(args: list[str]) -> list[tuple[str, list[int]]]:
    groups = []
    for arg in args:
        phase, _, items = arg.partition(":")
        groups.append((phase, [int(k) for k in items.split(",")]))
    return groups


class Worker:
    def __init__(self, run: Run, settings: dict, device: torch.device, say, show=None):
        self.run, self.settings, self.device, self.say, self.show = run, settings, device, say, show
        self.model = MODELS[settings["model"]]
        self.length = sample_length(settings["sample_length_in_seconds"], self.model)
        self.lowest = TOP - settings["levels"] + 1
        self.key = sampling_key(settings)
        self.specs = level_specs(settings, device)
        self.models = Models(self.model, self.length, device,
                             None if self.model.toy else checkpoints.paths(self.model.name, settings["models_dir"]))
        self.windows = 0            # windows sampled by this process (the STOP_AFTER hook)
        self.phase = ("top prior", settings["batch_size"])   # what is on the device now
        self.kind = provenance.device_kind(device)
        self.totals: dict[str, dict] = {}

    def group(self, phase: str, items: list[int]) -> None:
        run, device = self.run, self.device
        path = codes.group_path(run, phase, items)
        progress = Progress.load(path, self.key, device)
        if progress is not None and progress.items == items:
            self.say(f"  {progress.label()}: continuing from saved codes "
                     f"({LEVEL_NAMES.get(progress.level, 'done')}, window {progress.window})")
            if progress.device_kind and progress.device_kind != self.kind:
                # Information, not staleness: the codes continue, the post says so.
                self.say(f"  {progress.label()}: these codes were made on {progress.device_kind}, "
                         f"they continue on {self.kind} (recorded for the post)")
        else:
            progress = self.fresh(phase, items)
            if progress is None:
                return
        progress.device_kind = self.kind
        policy = SavePolicy.from_settings(path, self.settings, self.windows)
        before = {level: progress.zs[level].shape[1] for level in range(TOP + 1)}
        lowest = self.lowest if phase == "up" or self.settings["levels"] == 1 else TOP

        def prior(level: int):
            self.phase = (LEVEL_NAMES[level], len(items))
            return self.models.prior(level)
        try:
            with self.named_out_of_memory():
                rates = sample_levels(progress, prior, lambda level: item_labels(
                    self.settings, items, prior(level), device), self.specs, self.length,
                    lowest, self.settings["seed"], policy, self.say, device, self.show)
        finally:
            self.windows = policy.windows_total
        for level, (tokens, seconds) in rates.items():
            entry = self.totals.setdefault(LEVEL_NAMES[level], {"tokens": 0, "seconds": 0.0, "steps": 0})
            entry["tokens"] += tokens
            entry["seconds"] += seconds
            entry["steps"] += progress.zs[level].shape[1] - before[level]
        for level in range(lowest, TOP + 1):
            for row, item in enumerate(items):
                if not codes.has_level(run, item, level):
                    codes.save_item(run, item, level, progress.zs[level][row])
        if phase == "up" or self.settings["levels"] == 1:
            self.phase = ("decoding", len(items))
            with self.named_out_of_memory():
                self.write_wavs(progress)
        path.unlink(missing_ok=True)
        path.with_suffix(".json").unlink(missing_ok=True)

    @contextlib.contextmanager
    def named_out_of_memory(self):
        """torch's out-of-memory error as one line naming the phase and the plan's figure."""
        try:
            yield
        except torch.cuda.OutOfMemoryError:
            total = (torch.cuda.get_device_properties(self.device).total_memory
                     if self.device.type == "cuda" else None)
            raise OutOfMemory(oom_line(self.settings, *self.phase, total)) from None

    def fresh(self, phase: str, items: list[int]) -> Progress | None:
        """A group's start: the levels its items have finished already are loaded."""
        empty = torch.zeros(len(items), 0, dtype=torch.long, device=self.device)
        zs = [empty.clone() for _ in range(TOP + 1)]
        start = TOP
        if phase == "up":
            for level in range(TOP, self.lowest - 1, -1):
                found = [codes.load_item(self.run, k, level, self.say) for k in items]
                if any(z is None for z in found):
                    break
                zs[level] = torch.stack(found).to(self.device)
                start = level - 1
            # Codes missing or damaged at the top: the group samples its top level again
            # (each item's stream makes it what it was, on a CPU byte for byte).
        return Progress(self.key, phase, items, zs, level=start)

    def write_wavs(self, progress: Progress) -> None:
        vqvae = self.models.decoder()
        audio = decode(vqvae, progress.zs, self.lowest).numpy()
        for row, item in enumerate(progress.items):
            write_wav(self.run.wav_path(item), audio[row])
        written = ", ".join(self.run.wav_path(k).relative_to(self.run.dir).as_posix() for k in progress.items)
        self.say(f"  {progress.label()}: wrote {written} ({audio.shape[1] / SAMPLE_RATE:.2f} s of audio)")


def main(argv: list[str]) -> int:
    run, groups = Run.at(Path(argv[0])), parse_groups(argv[1:])
    settings = json.loads(run.settings_path.read_text())
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    console = sys.stdout
    bar = ProgressLine(console)   # drawn only on a terminal

    def say(line: str) -> None:
        bar.clear()
        print(line, file=console, flush=True)

    model = MODELS[settings["model"]]
    length = sample_length(settings["sample_length_in_seconds"], model)
    tops = [items for phase, items in groups if phase == "top"]
    ups = [items for phase, items in groups if phase == "up"]
    parts = [f"{len(tops)} top-prior group(s) of up to {settings['batch_size']}" if tops else "",
             f"{len(ups)} upsampling group(s) of up to {settings['upsampler_batch_size']}" if ups else ""]
    say(f"sampling {model.name} on {device}: {', '.join(p for p in parts if p)}, "
        f"{length / SAMPLE_RATE:.2f} s per item, levels={settings['levels']}")
    run.log_dir.mkdir(parents=True, exist_ok=True)
    # Jukebox prints a line per model it builds: keep them in a log.
    with open(run.log_dir / "jukebox.log", "a", encoding="utf-8", buffering=1) as log, \
            contextlib.redirect_stdout(log), contextlib.redirect_stderr(log), torch.no_grad():
        if device.type == "cpu" and model.toy:
            torch.set_num_threads(1)  # toy-size ops: threads cost more than they give
        worker = Worker(run, settings, device, say, bar.update if bar.live else None)
        provenance.record_environment(   # what a reader needs to make these samples again
            run, device, {} if model.toy else checkpoints.paths(model.name, settings["models_dir"]),
            settings["models_dir"])
        gc.freeze()   # the long-lived objects (torch, the models): later collections stay cheap
        try:
            for phase, items in groups:
                worker.group(phase, items)
        finally:
            write_measurements(run, worker.totals, device)
    return 0


def write_measurements(run: Run, totals: dict, device: torch.device) -> None:
    measured = {"tokens_per_second": {name: round(t["tokens"] / t["seconds"], 1)
                                      for name, t in totals.items() if t["seconds"] > 0},
                # sequential token steps this job took, per level (the memory plan counts them too)
                "steps": {name: t["steps"] for name, t in totals.items()},
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
    except OutOfMemory as exc:
        print(exc, file=sys.stderr)
        return EXIT_OOM
    except torch.cuda.OutOfMemoryError:   # outside a phase: building or moving the models
        print("sample: out of GPU memory while loading the models; `make plan` shows what each "
              "phase needs: use a GPU with more memory, or close what else uses it; codes saved "
              "so far are kept", file=sys.stderr)
        return EXIT_OOM
    except OSError as exc:   # a full or read-only disk: one line naming it, not a traceback
        error = disk_error(exc)
        if error is None:
            raise
        print(f"error: sampling stopped: {error}", file=sys.stderr)
        return EXIT_DISK


if __name__ == "__main__":
    sys.exit(guarded(sys.argv[1:]))
