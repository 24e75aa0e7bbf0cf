"""The `import` executor: adopt WAVs made elsewhere (like the example post's, sampled
by hand on a cluster in 2020) with their settings and job figures as recorded, so
old runs get posts too.

    # runs/joy_division/experiment.toml
    artist = "joy_division"
    model = "5b"
    genres = ["Dark Wave", "Gothic", "Coldwave", "Hip Hop", "Glitch Pop"]
    sample_length_in_seconds = 60
    import_from = "~/jukebox/joy_division/level_0"   # item_0.wav, item_1.wav, ...

    [job]                   # what seff said, as it said it
    nodes = 1
    cores_per_node = 6
    cpu_utilized = "14:55:31"
    wall_clock = "14:59:55"
    memory_utilized = "23.10 GB"
"""

from __future__ import annotations

import re
import shutil
import wave
from pathlib import Path

from site_builder import sampling
from site_builder.errors import ConfigError
from site_builder.jobs.record import job_record, parse_clock, parse_size, summarise
from site_builder.logs import stage_log
from site_builder.runs import Run, atomic_path, read_json, write_json

log = stage_log("sample")

ITEM_NUMBER = re.compile(r"item[_-]?(\d+)", re.I)
JOB_KEYS = {"nodes", "cores_per_node", "cpu_utilized", "wall_clock", "memory_utilized",
            "memory_requested", "state", "job_id", "host", "gpu", "gpu_count"}


def source_files(folder: str) -> list[Path]:
    """The WAVs to adopt, in item order: numbered `item_K` / `item-K` names by K,
    anything else by name."""
    path = Path(folder).expanduser()
    if not path.is_dir():
        raise ConfigError(f"import_from: {path} is not a folder; point it at the folder "
                          f"holding the WAVs (e.g. Jukebox's level_0/)")
    files = sorted(path.glob("*.wav"))
    if not files:
        raise ConfigError(f"import_from: no .wav files in {path}")
    numbered = {int(m[1]): f for f in files if (m := ITEM_NUMBER.search(f.stem))}
    if len(numbered) == len(files):
        return [numbered[k] for k in sorted(numbered)]
    return files


def clock(table: dict, key: str) -> float:
    seconds = parse_clock(table[key]) if key in table else 0.0
    if seconds is None:
        raise ConfigError(f"job.{key}: expected a time like 14:59:55 or 1-02:03:04, got {table[key]!r}")
    return seconds


def size(table: dict, key: str) -> int | None:
    if key not in table:
        return None
    found = parse_size(table[key])
    if found is None:
        raise ConfigError(f"job.{key}: expected a size like 23.10 GB, got {table[key]!r}")
    return found


def recorded_job(table: dict, items: list[int]) -> dict:
    """A job.json record from the figures a user copied from seff."""
    unknown = set(table) - JOB_KEYS
    if unknown:
        raise ConfigError(f"job: unknown key(s) {', '.join(sorted(unknown))}; known: "
                          f"{', '.join(sorted(JOB_KEYS))}")
    gpu = {"name": table["gpu"], "count": int(table.get("gpu_count", 1)),
           "peak_memory_bytes": None} if "gpu" in table else None
    record = job_record(
        job_id=str(table.get("job_id", "imported")), host=str(table.get("host", "")),
        state=str(table.get("state", "COMPLETED")), exit_code=0, start=None, end=None,
        wall=clock(table, "wall_clock"), cores=int(table.get("cores_per_node", 1)),
        cpu_seconds=clock(table, "cpu_utilized"), max_rss_bytes=size(table, "memory_utilized") or 0,
        items=items, mem_requested=size(table, "memory_requested"),
        nodes=int(table.get("nodes", 1)), gpu=gpu)
    return {**summarise([record]), "jobs": [record]}


def adopt(run: Run, settings: dict, job_table: dict | None, *, force: bool = False) -> list[int]:
    """Copy the recorded WAVs in as items 0..n-1; returns the items adopted."""
    files = source_files(settings["import_from"])
    if len(files) < settings["n_samples"]:
        raise ConfigError(f"import_from: {len(files)} WAVs in {settings['import_from']}, but "
                          f"n_samples = {settings['n_samples']}; lower n_samples")
    made = run.sampled_items()
    old = read_json(run.settings_path, {}) or {}
    changed = sampling.differences(old, settings) + (
        [f"import_from: {old.get('import_from')!r} -> {settings['import_from']!r}"]
        if old.get("import_from") != settings["import_from"] else []) if made else []
    sampling.refuse_changes(run, made, changed, force=force)
    if changed:
        sampling.retire(run, changed)
    adopted = []
    for item, source in enumerate(files[: settings["n_samples"]]):
        if not run.wav_path(item).exists():
            copy_wav(source, run.wav_path(item))
            adopted.append(item)
    write_json(run.settings_path, settings)
    if job_table:
        write_json(run.job_path, recorded_job(job_table, list(range(settings["n_samples"]))))
    log.info("%s: adopted %d WAV(s) from %s", run.id, len(adopted), settings["import_from"])
    return adopted


def copy_wav(source: Path, target: Path) -> None:
    """Copy a PCM WAV as it is; anything else soundfile reads becomes 16-bit PCM, so
    the later stages read every item the same way."""
    try:
        with wave.open(str(source), "rb"):
            pcm = True
    except (wave.Error, EOFError):
        pcm = False
    with atomic_path(target) as tmp:
        if pcm:
            shutil.copyfile(source, tmp)
        else:
            import soundfile
            try:
                data, rate = soundfile.read(str(source))
            except RuntimeError as exc:
                raise ConfigError(f"{source}: not a readable WAV ({exc})") from None
            soundfile.write(str(tmp), data, rate, subtype="PCM_16", format="WAV")
