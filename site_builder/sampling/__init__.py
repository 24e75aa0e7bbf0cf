"""The sampling stage, parent side: check a run's settings against the model before
any job starts, decide which items are missing, and guard samples already made.

The sampling itself runs in a child process (`site_builder.sampling.worker`),
started by an executor from `site_builder.jobs`.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from site_builder.errors import ConfigError, SamplingError
from site_builder.runs import Run, read_json, write_json
from site_builder.sampling import labels
from site_builder.sampling.models import MODELS, SAMPLE_RATE, sample_length

log = logging.getLogger(__name__)

# Settings that change what an item sounds like: changing one on a run with
# samples would silently mix two experiments, so it is refused without FORCE.
SAMPLING_KEYS = ("model", "artist", "genres", "sample_length_in_seconds",
                 "total_sample_length_in_seconds", "seed", "temperature")
# What FORCE=1 moves to out/attic/<time>/.
GENERATED = ("settings.json", "wav", "codes", "mp3", "job.json", "publish.json",
             "stamps.json", "logs", "gpu.json")
CHECKPOINTS = Path("~/.cache/jukebox/models")


def validate(settings: dict) -> None:
    """Every problem that would waste a job, as one ConfigError, before anything runs."""
    model = MODELS[settings["model"]]
    problems = labels.check(settings["artist"], settings["genres"], model.name)
    seconds = settings["sample_length_in_seconds"]
    total = settings["total_sample_length_in_seconds"]
    if seconds < model.min_sample_seconds:
        problems.append(f"sample_length_in_seconds={seconds:g}: model {model.name} needs at least "
                        f"{model.min_sample_seconds:.2f} s (its upsamplers' context)")
    if not model.min_total_seconds <= total < model.max_total_seconds:
        problems.append(f"total_sample_length_in_seconds={total:g}: model {model.name} takes "
                        f"{model.min_total_seconds:g} to {model.max_total_seconds:g} s")
    if settings["executor"] != "local":
        problems.append(f"executor={settings['executor']}: only 'local' works yet (SLURM is issue 5); "
                        f"use EXECUTOR=local")
    if problems:
        raise ConfigError("\n".join(problems))


def missing_checkpoints(model_name: str) -> list[Path]:
    """Checkpoint files a released model needs that are not on this machine."""
    model = MODELS[model_name]
    if model.toy:
        return []
    folder = CHECKPOINTS.expanduser()
    files = ["5b/vqvae.pth.tar", "5b/prior_level_0.pth.tar", "5b/prior_level_1.pth.tar",
             f"{model.name}/prior_level_2.pth.tar"]
    return [folder / f for f in files if not (folder / f).is_file()]


def differences(old: dict, new: dict) -> list[str]:
    return [f"{key}: {old.get(key)!r} -> {new[key]!r}" for key in SAMPLING_KEYS
            if old.get(key) != new[key]]


def plan(run: Run, settings: dict, *, force: bool = False) -> list[int]:
    """Record the settings in out/settings.json and return the items still to sample.
    Refuses settings that would discard samples already made, unless `force`."""
    run.sweep()
    made = run.sampled_items()
    old = read_json(run.settings_path, {})
    changed = differences(old, settings) if made else []
    if changed and not force:
        raise ConfigError(
            f"run {run.id!r} has {len(made)} samples made with other settings ({'; '.join(changed)}). "
            f"Keep them: use a new RUN=<name>; or FORCE=1 to move them to "
            f"{run.out.relative_to(run.root)}/attic/ and sample anew")
    if changed:
        attic = run.to_attic(GENERATED)
        log.info("%s: settings changed (%s); old outputs moved to %s", run.id, "; ".join(changed), attic)
    missing = missing_checkpoints(settings["model"])
    if missing:
        raise SamplingError(f"model {settings['model']}: checkpoint {missing[0]} is missing "
                            f"({len(missing)} file(s) in all); download them on a machine with "
                            f"internet (`make models` is coming with issue 4)")
    write_json(run.settings_path, settings)
    return [k for k in range(settings["n_samples"]) if not run.wav_path(k).exists()]


def worker_command(run: Run, items: list[int]) -> list[str]:
    return [sys.executable, "-O", "-m", "site_builder.sampling.worker", str(run.dir),
            *map(str, items)]


def describe(settings: dict) -> str:
    model = MODELS[settings["model"]]
    seconds = sample_length(settings["sample_length_in_seconds"], model) / SAMPLE_RATE
    return (f"model={settings['model']} artist={settings['artist']} genres={' '.join(settings['genres'])} "
            f"n={settings['n_samples']} x {seconds:.2f} s seed={settings['seed']}")
