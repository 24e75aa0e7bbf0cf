"""The sampling stage, parent side: check a run's settings against the model before
any job starts, decide which items are missing, and guard samples already made.

The sampling itself runs in a child process (`site_builder.sampling.worker`),
started by an executor from `site_builder.jobs`.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

from site_builder.logs import stage_log
from site_builder.errors import ConfigError, SamplingError
from site_builder.runs import GENERATED, Run, digest, read_json, write_json
from site_builder.sampling import checkpoints, codes, labels
from site_builder.sampling.codes import SAMPLING_VERSION
from site_builder.models import MODELS, SAMPLE_RATE, sample_length

log = stage_log("sample")

# Settings that change what an item sounds like: changing one on a run with
# samples would silently mix two experiments, so it is refused without FORCE.
# (`levels` is not among them: raising it upsamples the codes already made.)
SAMPLING_KEYS = ("model", "artist", "genres", "lyrics", "sample_length_in_seconds",
                 "total_sample_length_in_seconds", "seed", "temperature", "upsampler_temperature",
                 "batch_size", "upsampler_batch_size", "hop_fraction")


def sampling_key(settings: dict) -> str:
    """What makes a group's codes what they are: saved codes resume only under it. The
    sampling version is part of it: codes made another way never continue."""
    return digest({"sampling_version": SAMPLING_VERSION,
                   **{key: settings.get(key) for key in SAMPLING_KEYS}})


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
    for line in labels.per_level(settings["artist"], settings["genres"], model.name):
        log.info("%s: %s", model.name, line)


def differences(old: dict, new: dict) -> list[str]:
    """Settings changed since the samples were made (a setting added since then, absent
    from the old record, is no change)."""
    return [f"{key}: {old.get(key)!r} -> {new[key]!r}" for key in SAMPLING_KEYS
            if key in old and old[key] != new[key]]


def check_checkpoints(settings: dict) -> None:
    missing = checkpoints.missing(settings["model"], settings["models_dir"])
    if missing:
        name, path = missing[0]
        more = f" and {len(missing) - 1} more" if len(missing) > 1 else ""
        raise SamplingError(f"model {settings['model']}: checkpoint {path} is missing "
                            f"({checkpoints.approx_size(name)}){more}; run `make models "
                            f"MODEL={settings['model']}` (on a login node with internet)")


@dataclass
class Work:
    """What a sampling job does: groups of items for the top prior (batch_size each),
    then groups for the upsamplers (upsampler_batch_size each), as sample.py batches."""
    top: list[list[int]]
    up: list[list[int]]

    @property
    def items(self) -> list[int]:
        return sorted({k for group in self.top + self.up for k in group})

    def args(self, phase: str | None = None) -> list[str]:
        return [f"{name}:{','.join(map(str, group))}" for name, groups in (("top", self.top), ("up", self.up))
                if phase in (None, name) for group in groups]

    def __bool__(self) -> bool:
        return bool(self.top or self.up)


def plan(run: Run, settings: dict, *, force: bool = False) -> Work:
    """Record the settings in out/settings.json and return the work left.
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
    refuse_changes(run, made, changed, force=force, job=job if in_flight else None)
    check_checkpoints(settings)
    if changed:
        retire(run, changed)
        old, made = {}, []
    if not in_flight:
        adopt_old_layout(run, settings, made)
    raising = bool(made) and settings["levels"] > old.get("levels", 3)
    write_json(run.settings_path, settings)
    return work_left(run, settings, raising)


def refuse_changes(run: Run, made: list[int], changed: list[str], *, force: bool,
                   job: dict | None = None) -> None:
    """Samples made with other settings (`changed`) are never replaced silently: refused
    while `job` still works on them, and without `force`."""
    if changed and job is not None:
        raise ConfigError(f"run {run.id!r}: job {job['job_id']} is still working with the old settings "
                          f"({'; '.join(changed)}); cancel it first (scancel {job['job_id']})")
    if changed and not force:
        raise ConfigError(
            f"run {run.id!r} has {len(made)} samples made with other settings ({'; '.join(changed)}). "
            f"Keep them: use a new RUN=<name>; or FORCE=1 to move them to "
            f"{run.out.relative_to(run.root)}/attic/ and sample anew")


def retire(run: Run, changed: list[str]) -> None:
    """Move what sampling made to the attic, for new samples under the `changed` settings."""
    attic = run.to_attic(GENERATED)
    log.info("%s: settings changed (%s); old outputs moved to %s", run.id, "; ".join(changed),
             attic.relative_to(run.root))


def adopt_old_layout(run: Run, settings: dict, made: list[int]) -> None:
    """A run sampled before per-item streams keeps its items as they are; what cannot
    continue under the new scheme goes to the attic, said in one line."""
    if codes.version(run) >= codes.SAMPLING_VERSION:
        codes.mark_version(run)
        return
    n = settings["n_samples"]
    padded = [k for k in made if k >= n]
    moved = [path for path in run.codes_dir.glob("batch-*.pt")]
    moved += [path for k in padded for path in (run.wav_path(k), run.mp3_path(k)) if path.exists()]
    if moved:
        attic = run.to_attic(moved)
        log.info("%s: sampled before per-item random streams: items %s kept as they are; "
                 "%s moved to %s (new items are sampled with per-item streams)", run.id,
                 ", ".join(str(k) for k in made if k < n) or "none",
                 ", ".join(str(p.relative_to(run.out)) for p in moved), attic.relative_to(run.root))
    run.codes_dir.mkdir(parents=True, exist_ok=True)
    write_json(codes.layout_path(run), {"sampling_version": codes.SAMPLING_VERSION,
                                        "earlier_items": [k for k in made if k < n]})


def work_left(run: Run, settings: dict, raising_levels: bool = False) -> Work:
    """The groups still to sample. Groups saved in progress are kept as they were
    (their codes continue); the other items are grouped in item order."""
    lowest = 2 - settings["levels"] + 1
    wanted = range(settings["n_samples"])
    earlier = set((read_json(codes.layout_path(run), {}) or {}).get("earlier_items", []))
    todo = [k for k in wanted if not run.wav_path(k).exists()
            or (raising_levels and k not in earlier and not codes.has_level(run, k, lowest))]
    key = sampling_key(settings)
    need_top = [k for k in todo if not codes.has_level(run, k, 2)]
    top = groups_of(run, "top", need_top, settings["batch_size"], key)
    up = [] if lowest == 2 else groups_of(run, "up", todo, settings["upsampler_batch_size"], key)
    return Work(top, up)


def groups_of(run: Run, phase: str, items: list[int], size: int, key: str) -> list[list[int]]:
    groups, left = [], list(items)
    for path in sorted(run.codes_dir.glob(f"{phase}-*.pt")):
        saved = saved_group(path, key)
        if saved and set(saved) <= set(left):
            groups.append(saved)
            left = [k for k in left if k not in saved]
    groups += [left[i:i + size] for i in range(0, len(left), size)]
    return sorted(groups)


def saved_group(path, key: str) -> list[int] | None:
    """The items of a group saved in progress under these settings (read without torch:
    the CLI stays quick), or None."""
    index = read_json(path.with_suffix(".json"), None)
    if not index or index.get("key") != key:
        return None
    return list(index["items"])


def worker_command(run: Run, args: list[str]) -> list[str]:
    return [sys.executable, "-O", "-m", "site_builder.sampling.worker", str(run.dir), *args]


def describe(settings: dict) -> str:
    model = MODELS[settings["model"]]
    seconds = sample_length(settings["sample_length_in_seconds"], model) / SAMPLE_RATE
    return (f"model={settings['model']} artist={settings['artist']} genres={', '.join(settings['genres'])} "
            f"n={settings['n_samples']} x {seconds:.2f} s seed={settings['seed']} levels={settings['levels']}")
