"""Ancestral sampling level by level and window by window, saving as it goes.

Jukebox's own `sample.py` saves codes only when a level is done: a job that dies
after hours loses them. Here the codes of a batch, the level and window reached
and the random generator's state are saved atomically (codes/batch-NN.pt) every K
windows or T minutes and at every level's end, so a new process continues from
the last save and produces exactly what an uninterrupted run would have.
"""

from __future__ import annotations

import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

import torch
from jukebox_infer.sample import sample_partial_window, sample_single_window
from jukebox_infer.utils.sample_utils import get_starts

from site_builder.runs import atomic_path

TOP = 2
LEVEL_NAMES = {2: "top prior", 1: "upsampler 1", 0: "upsampler 0"}
STOP_AFTER = "SITE_BUILDER_STOP_AFTER_WINDOWS"   # a test hook: stop after K windows


class Stopped(Exception):
    """Sampling stopped on purpose after a save (the STOP_AFTER hook, or a signal
    that a cluster's time limit is near)."""


STOP_REQUESTED: list[str] = []   # set from a signal handler; checked after every window


def request_stop(signum, frame) -> None:
    STOP_REQUESTED.append(f"signal {signum}")


@dataclass
class Progress:
    """Everything needed to continue a batch: saved as one file."""
    key: str                      # the settings that make these codes what they are
    batch: int
    items: list[int]
    zs: list[torch.Tensor]        # codes per level, bottom first, as far as sampled
    level: int = TOP              # the level being sampled (levels below TOP-... are pending)
    window: int = 0               # the next window of that level
    rng: torch.Tensor | None = None
    cuda_rng: list | None = None
    seconds: dict = field(default_factory=dict)   # time spent per level, all jobs

    def save(self, path: Path) -> None:
        self.rng = torch.get_rng_state()
        self.cuda_rng = torch.cuda.get_rng_state_all() if torch.cuda.is_available() else None
        data = asdict(self)
        data["zs"] = [z.cpu() for z in self.zs]
        with atomic_path(path) as tmp:
            torch.save(data, tmp)

    @classmethod
    def load(cls, path: Path, key: str, device: torch.device) -> "Progress | None":
        """The saved progress, or None when there is none for these settings."""
        try:
            data = torch.load(path, map_location="cpu", weights_only=False)
        except (OSError, RuntimeError, EOFError, ValueError):
            return None
        if not isinstance(data, dict) or data.get("key") != key:
            return None
        progress = cls(**data)
        progress.zs = [z.to(device) for z in progress.zs]
        return progress

    def label(self) -> str:
        if len(self.items) == 1:
            return f"item {self.items[0]}"
        return f"batch {self.batch} (items {self.items[0]}-{self.items[-1]})"

    def restore_rng(self) -> None:
        torch.set_rng_state(self.rng)
        if self.cuda_rng is not None and torch.cuda.is_available():
            torch.cuda.set_rng_state_all(self.cuda_rng)


@dataclass
class SavePolicy:
    path: Path
    every_windows: int = 0
    every_minutes: float = 0.0
    stop_after: int = 0           # from the STOP_AFTER hook; 0: never
    windows_since: int = 0
    saved_at: float = field(default_factory=time.monotonic)
    windows_total: int = 0

    @classmethod
    def from_settings(cls, path: Path, settings: dict) -> "SavePolicy":
        return cls(path, settings["save_codes_every_windows"], settings["save_codes_every_minutes"],
                   int(os.environ.get(STOP_AFTER, "0") or 0))

    def after_window(self, progress: Progress) -> None:
        self.windows_since += 1
        self.windows_total += 1
        due_windows = self.every_windows and self.windows_since >= self.every_windows
        due_time = self.every_minutes and time.monotonic() - self.saved_at >= self.every_minutes * 60
        stop = self.stop_after and self.windows_total >= self.stop_after
        if due_windows or due_time or stop or STOP_REQUESTED:
            self.save(progress)
        if STOP_REQUESTED:
            raise Stopped(f"stopped on {STOP_REQUESTED[0]} (the time limit is near) after "
                          f"{self.windows_total} windows")
        if stop:
            raise Stopped(f"stopped after {self.windows_total} windows ({STOP_AFTER})")

    def save(self, progress: Progress) -> None:
        progress.save(self.path)
        self.windows_since, self.saved_at = 0, time.monotonic()


def window_starts(prior, total_length: int, hop_fraction: float) -> list[int | None]:
    """Where each window of a level starts; None: one window shorter than the context."""
    if total_length < prior.n_ctx:
        return [None]
    return list(get_starts(total_length, prior.n_ctx, int(hop_fraction * prior.n_ctx)))


def sample_levels(progress: Progress, priors, labels, kwargs, hps, levels: int,
                  policy: SavePolicy, say: Callable[[str], None], device) -> dict[int, list]:
    """Sample the batch down to the `levels`-th level from the top, continuing from
    `progress`. Returns {level: [new tokens, seconds]} for this process."""
    rates: dict[int, list] = {}
    lowest = TOP - levels + 1
    while progress.level >= lowest:
        level = progress.level
        prior = priors[level].to(device)
        total = hps.sample_length // prior.raw_to_tokens
        starts = window_starts(prior, total, hps.hop_fraction[level])
        before, started, shown = progress.zs[level].shape[1], time.monotonic(), time.monotonic()
        for index in range(progress.window, len(starts)):
            if starts[index] is None:
                progress.zs = sample_partial_window(progress.zs, labels[level], kwargs[level], level,
                                                    prior, total, hps)
            else:
                progress.zs = sample_single_window(progress.zs, labels[level], kwargs[level], level,
                                                   prior, starts[index], hps)
            progress.window = index + 1
            if time.monotonic() - shown > 5:
                shown = time.monotonic()
                say(f"  {progress.label()}: {LEVEL_NAMES[level]} window {index + 1}/{len(starts)}, "
                    f"{progress.zs[level].shape[1]}/{total} tokens")
            _count(progress, rates, level, before, started)
            before, started = progress.zs[level].shape[1], time.monotonic()
            policy.after_window(progress)
        new_tokens, seconds = rates.get(level, [0, 0.0])
        say(f"  {progress.label()}: {LEVEL_NAMES[level]} done, "
            f"{total} tokens, {new_tokens / max(seconds, 1e-9):.0f} tokens/s")
        if device.type != "cpu":
            prior.cpu()  # as Jukebox does: one prior on the GPU at a time
        progress.level, progress.window = level - 1, 0
        policy.save(progress)
    return rates


def _count(progress: Progress, rates: dict, level: int, before: int, started: float) -> None:
    seconds = time.monotonic() - started
    tokens = (progress.zs[level].shape[1] - before) * len(progress.items)
    entry = rates.setdefault(level, [0, 0.0])
    entry[0] += tokens
    entry[1] += seconds
    progress.seconds[level] = progress.seconds.get(level, 0.0) + seconds


def decode(priors, zs: list[torch.Tensor], levels: int) -> torch.Tensor:
    """Audio (batch, samples) from the lowest level sampled."""
    start = TOP - levels + 1
    audio = priors[-1].decode(zs[start:], start_level=start, bs_chunks=zs[start].shape[0])
    return audio[:, :, 0].float().cpu()
