"""The sampling stage, parent side: check a run's settings against the model before
any job starts, decide which items are missing, and guard samples already made.

The sampling itself runs in a child process (`site_builder.sampling.worker`),
started by an executor from `site_builder.jobs`.
"""

from __future__ import annotations

import sys

from site_builder.logs import stage_log
from site_builder.errors import ConfigError, SamplingError
from site_builder.runs import GENERATED, Run, digest, read_json, write_json
from site_builder.sampling import checkpoints, labels
from site_builder.models import MODELS, SAMPLE_RATE, sample_length

log = stage_log("sample")

# Settings that change what an item sounds like: changing one on a run with
# samples would silently mix two experiments, so it is refused without FORCE.
# (`levels` is not among them: raising it upsamples the codes already made.)
SAMPLING_KEYS = ("model", "artist", "genres", "lyrics", "sample_length_in_seconds",
                 "total_sample_length_in_seconds", "seed", "temperature", "upsampler_temperature",
                 "batch_size", "hop_fraction")


def sampling_key(settings: dict) -> str:
    """What makes a batch's codes what they are: saved codes resume only under it."""
    return digest({key: settings[key] for key in SAMPLING_KEYS})


def validate(settings: dict) -> None:
    """Every problem that would waste a job, as one ConfigError, before anything runs."""
    model = MODELS[settings["model"]]
    problems = labels.check(settings["artist"], settings["genres"], model.name)
    if settings["import_from"]:
        # Made elsewhere: what Jukebox did with these names is history, so say it, don't refuse.
        for problem in problems:
            log.warning("warning: %s", problem)
        return
    seconds = settings["sample_length_in_seconds"]
    total = settings["total_sample_length_in_seconds"]
    if seconds < model.min_sample_seconds:
        problems.append(f"sample_length_in_seconds={seconds:g}: model {model.name} needs at least "
                        f"{model.min_sample_seconds:.2f} s (its upsamplers' context)")
    if not model.min_total_seconds <= total < model.max_total_seconds:
        problems.append(f"total_sample_length_in_seconds={total:g}: model {model.name} takes "
                        f"{model.min_total_seconds:g} to {model.max_total_seconds:g} s")
    if settings["lyrics"] and not model.lyrics:
        problems.append(f"lyrics: model {model.name} has no lyrics conditioning; use MODEL=5b_lyrics "
                        f"or 1b_lyrics, or remove the lyrics")
    if problems:
        raise ConfigError("\n".join(problems))


def differences(old: dict, new: dict) -> list[str]:
    return [f"{key}: {old.get(key)!r} -> {new[key]!r}" for key in SAMPLING_KEYS
            if old.get(key) != new[key]]


def check_checkpoints(settings: dict) -> None:
    missing = checkpoints.missing(settings["model"], settings["models_dir"])
    if missing:
        name, path = missing[0]
        more = f" and {len(missing) - 1} more" if len(missing) > 1 else ""
        raise SamplingError(f"model {settings['model']}: checkpoint {path} is missing "
                            f"({checkpoints.approx_size(name)}){more}; run `make models "
                            f"MODEL={settings['model']}` (on a login node with internet)")


def plan(run: Run, settings: dict, *, force: bool = False) -> list[int]:
    """Record the settings in out/settings.json and return the batches to sample.
    Refuses settings that would discard samples already made, unless `force`."""
    job = run.stage_state().job
    in_flight = run.stage_state().in_flight
    if not in_flight:  # a running job's .part files are its writes in progress
        run.sweep()
    made = run.sampled_items()
    old = read_json(run.settings_path, {}) or {}
    changed = differences(old, settings) if made else []
    if made and not changed and settings["levels"] < old.get("levels", 3):
        changed = [f"levels: {old.get('levels')} -> {settings['levels']} (would replace upsampled "
                   f"WAVs with coarser ones)"]
    if changed and in_flight:
        raise ConfigError(f"run {run.id!r}: job {job['job_id']} is still working with the old settings "
                          f"({'; '.join(changed)}); cancel it first (scancel {job['job_id']})")
    if changed and not force:
        raise ConfigError(
            f"run {run.id!r} has {len(made)} samples made with other settings ({'; '.join(changed)}). "
            f"Keep them: use a new RUN=<name>; or FORCE=1 to move them to "
            f"{run.out.relative_to(run.root)}/attic/ and sample anew")
    check_checkpoints(settings)
    if changed:
        attic = run.to_attic(GENERATED)
        log.info("%s: settings changed (%s); old outputs moved to %s", run.id, "; ".join(changed),
                 attic.relative_to(run.root))
        old = {}
    size = settings["batch_size"]
    wanted = range(settings["n_samples"])
    if made and settings["levels"] > old.get("levels", 3):
        todo = wanted    # upsample the codes already made further down
    else:
        todo = [k for k in wanted if not run.wav_path(k).exists()]
    write_json(run.settings_path, settings)
    return sorted({k // size for k in todo})


def batch_items(settings: dict, batches: list[int]) -> list[int]:
    size = settings["batch_size"]
    return [k for b in batches for k in range(b * size, (b + 1) * size)]


def worker_command(run: Run, batches: list[int]) -> list[str]:
    return [sys.executable, "-O", "-m", "site_builder.sampling.worker", str(run.dir),
            *map(str, batches)]


def describe(settings: dict) -> str:
    model = MODELS[settings["model"]]
    seconds = sample_length(settings["sample_length_in_seconds"], model) / SAMPLE_RATE
    return (f"model={settings['model']} artist={settings['artist']} genres={', '.join(settings['genres'])} "
            f"n={settings['n_samples']} x {seconds:.2f} s seed={settings['seed']} levels={settings['levels']}")
