"""Ancestral sampling level by level and window by window, saving as it goes.

Jukebox's own `sample.py` saves codes only when a level is done: a job that dies
after hours loses them. Here the codes of a group of items, the level and window
reached and each item's random stream are saved atomically (codes/top-NN.pt,
codes/up-NN.pt) every K windows or T minutes and at every level's end, so a new
process continues from the last save and produces exactly what an uninterrupted
run would have (byte for byte on a CPU).
"""

from __future__ import annotations

import hashlib
import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

import torch
from jukebox_infer.utils.sample_utils import get_starts

from site_builder.runs import atomic_path, write_json
from site_builder.sampling.loop import item_generator, sample_window

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
    """Everything needed to continue a group of items through its levels: one file."""
    key: str                      # the settings that make these codes what they are
    phase: str                    # "top" or "up"
    items: list[int]
    zs: list[torch.Tensor]        # codes per level, bottom first, as far as sampled
    level: int = TOP              # the level being sampled
    window: int = 0               # the next window of that level
    streams: list[torch.Tensor] = field(default_factory=list)   # each item's generator state
    seconds: dict = field(default_factory=dict)   # time spent per level, all jobs
    device_kind: str = ""         # where these codes were made ("cpu", the GPU's name)

    def save(self, path: Path, generators: list[torch.Generator]) -> None:
        self.streams = [g.get_state() for g in generators]
        data = asdict(self)
        data["zs"] = [z.cpu() for z in self.zs]
        with atomic_path(path) as tmp:
            torch.save(data, tmp)
        # What the parent needs to regroup the run's work, readable without torch.
        write_json(path.with_suffix(".json"), {"key": self.key, "items": self.items})

    @classmethod
    def load(cls, path: Path, key: str, device: torch.device) -> "Progress | None":
        """The saved progress, or None when there is none for these settings (or the
        file is damaged: its group then starts again)."""
        try:
            data = torch.load(path, map_location="cpu", weights_only=True)
        except FileNotFoundError:
            return None
        except Exception:   # a damaged file can fail in many ways; never unpickle more
            return None
        if not isinstance(data, dict) or data.get("key") != key:
            return None
        progress = cls(**data)
        progress.zs = [z.to(device) for z in progress.zs]
        return progress

    def label(self) -> str:
        if len(self.items) == 1:
            return f"item {self.items[0]}"
        return f"items {item_ranges(self.items)}"


def item_ranges(items: list[int]) -> str:
    """[0, 1, 2, 5] -> "0-2, 5"."""
    parts, start = [], None
    for index, item in enumerate(items):
        if start is None:
            start = item
        if index + 1 == len(items) or items[index + 1] != item + 1:
            parts.append(f"{start}" if start == item else f"{start}-{item}")
            start = None
    return ", ".join(parts)


@dataclass
class SavePolicy:
    path: Path
    every_windows: int = 0
    every_minutes: float = 0.0
    stop_after: int = 0           # from the STOP_AFTER hook; 0: never
    windows_since: int = 0
    saved_at: float = field(default_factory=time.monotonic)
    windows_total: int = 0
    generators: list = field(default_factory=list)   # the items' streams, saved with the codes

    @classmethod
    def from_settings(cls, path: Path, settings: dict, windows_before: int = 0) -> "SavePolicy":
        return cls(path, settings["save_codes_every_windows"], settings["save_codes_every_minutes"],
                   int(os.environ.get(STOP_AFTER, "0") or 0), windows_total=windows_before)

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
        progress.save(self.path, self.generators)
        self.windows_since, self.saved_at = 0, time.monotonic()


def window_starts(n_ctx: int, total_length: int, hop_fraction: float) -> list[int | None]:
    """Where each window of a level starts; None: one window shorter than the context."""
    if total_length < n_ctx:
        return [None]
    return list(get_starts(total_length, n_ctx, int(hop_fraction * n_ctx)))


def item_seed(seed: int, item: int, level: int) -> int:
    """Item k's stream at a level, from (seed, k, level): a hash, so that (1, 0) and
    (0, 1) differ, and the same for an item whichever batch it is sampled in."""
    return int(hashlib.sha256(f"{seed}/item/{item}/level/{level}".encode()).hexdigest()[:15], 16)


@dataclass
class LevelSpec:
    """How one level is sampled: what `sample_levels` needs besides the models."""
    temp: float
    chunk_size: int
    fp16: bool
    hop_fraction: float
    static: bool | None = None    # the static step (None: where supported; loop.token_loop)
    graphs: bool = True           # replayed as a CUDA graph there


def window_bounds(prior, z_len: int, start: int | None, total: int) -> tuple[int, int]:
    """(start, sample_tokens) as jukebox's sample_single_window / sample_partial_window
    compute them."""
    n_ctx = prior.n_ctx
    if start is not None:
        return start, n_ctx
    if z_len < n_ctx - total:
        return 0, z_len + total
    return z_len - n_ctx + total, n_ctx


def sample_levels(progress: Progress, priors: Callable[[int], object], labels: Callable[[int], dict],
                  specs: dict[int, LevelSpec], sample_length: int, lowest: int, seed: int,
                  policy: SavePolicy, say: Callable[[str], None], device,
                  show: Callable[..., None] | None = None) -> dict[int, list]:
    """Sample the group's levels from `progress.level` down to `lowest`, continuing
    where `progress` is. `priors(level)` gives the level's prior on the device (one
    at a time); `show` draws the progress line; returns {level: [new tokens, seconds]}
    for this process."""
    rates: dict[int, list] = {}
    while progress.level >= lowest:
        level = progress.level
        prior = priors(level)
        spec = specs[level]
        if progress.window == 0 or len(progress.streams) != len(progress.items):
            policy.generators = [item_generator(item_seed(seed, k, level), device) for k in progress.items]
        else:
            policy.generators = [item_generator(0, device) for _ in progress.items]
            for generator, state in zip(policy.generators, progress.streams):
                generator.set_state(state)
        total = sample_length // prior.raw_to_tokens
        starts = window_starts(prior.n_ctx, total, spec.hop_fraction)
        level_labels = labels(level)
        before, started = progress.zs[level].shape[1], time.monotonic()
        for index in range(progress.window, len(starts)):
            start, tokens = window_bounds(prior, progress.zs[level].shape[1], starts[index], total)
            sample_window_into(progress, prior, level, start, tokens, level_labels, spec, policy.generators,
                               say, index, len(starts), total, show)
            progress.window = index + 1
            if show:
                show(progress.label(), LEVEL_NAMES[level], f"window {index + 1}/{len(starts)}",
                     progress.zs[level].shape[1], total, len(progress.items))
            _count(progress, rates, level, before, started)
            before, started = progress.zs[level].shape[1], time.monotonic()
            policy.after_window(progress)
        new_tokens, seconds = rates.get(level, [0, 0.0])
        say(f"  {progress.label()}: {LEVEL_NAMES[level]} done, "
            f"{total} tokens, {new_tokens / max(seconds, 1e-9):.0f} tokens/s")
        progress.level, progress.window = level - 1, 0
        policy.save(progress)
    return rates


def sample_window_into(progress: Progress, prior, level: int, start: int, sample_tokens: int,
                       labels: dict, spec: LevelSpec, generators, say, index: int, windows: int,
                       total: int, show: Callable[..., None] | None = None) -> None:
    """One window, as jukebox's sample_single_window: the new tokens appended to zs.
    `show` (ProgressLine.update) draws the level's progress as tokens come (None: nothing)."""
    zs = progress.zs
    z = zs[level][:, start:start + prior.n_ctx]
    new_tokens = sample_tokens - z.shape[1]
    if new_tokens <= 0:
        return
    z_conds = prior.get_z_conds(zs, start, start + prior.n_ctx)
    y = prior.get_y(labels, start)
    done = zs[level].shape[1]

    def tick(count: int) -> None:
        show(progress.label(), LEVEL_NAMES[level], f"window {index + 1}/{windows}", done + count, total,
             len(progress.items))

    z = sample_window(prior, z, z_conds, y, sample_tokens, temp=spec.temp, chunk_size=spec.chunk_size,
                      fp16=spec.fp16, generators=generators, tick=tick if show else None,
                      static=spec.static, graphs=spec.graphs)
    zs[level] = torch.cat([zs[level], z[:, -new_tokens:]], dim=1)


def _count(progress: Progress, rates: dict, level: int, before: int, started: float) -> None:
    seconds = time.monotonic() - started
    tokens = (progress.zs[level].shape[1] - before) * len(progress.items)
    entry = rates.setdefault(level, [0, 0.0])
    entry[0] += tokens
    entry[1] += seconds
    progress.seconds[level] = progress.seconds.get(level, 0.0) + seconds


def decode(vqvae_prior, zs: list[torch.Tensor], lowest: int) -> torch.Tensor:
    """Audio (batch, samples) from the lowest level sampled."""
    audio = vqvae_prior.decode(zs[lowest:], start_level=lowest, bs_chunks=zs[lowest].shape[0])
    return audio[:, :, 0].float().cpu()
