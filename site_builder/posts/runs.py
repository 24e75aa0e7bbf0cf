"""What a post says about one run, read from the run's outputs only (settings.json,
job.json, analysis.json, publish.json, notes.md): a post is written without
sampling, transcoding or uploading anything."""

from __future__ import annotations

import re
from pathlib import Path

from site_builder.audio import display_name
from site_builder.errors import PostError
from site_builder.logs import stage_log
from site_builder.posts import escape
from site_builder.posts.notes import fits_a_cell, read_notes
from site_builder.runs import Run, read_json
from site_builder.sampling import labels, provenance
from site_builder.models import MODELS, SAMPLE_RATE, sample_length

log = stage_log("post")


# -- is the run finished? --------------------------------------------------------

def missing_stage(run: Run) -> tuple[str, str] | None:
    """(stage, what is missing) for the first stage whose output does not cover every
    item, or None when the run has everything a post needs."""
    return run.stage_state().missing


def unfinished_message(run: Run, stage: str, why: str) -> str:
    return (f"run {run.id!r} has not finished: {why} ({stage} stage); run `make {stage} "
            f"RUN={run.id}` (or `make post RUN={run.id}` for every stage), then this again")


def require_finished(runs: list[Run]) -> None:
    """Refuse, before anything is written, a post over a run that is not done."""
    for run in runs:
        missing = missing_stage(run)
        if missing:
            raise PostError(unfinished_message(run, *missing))


# -- figures as the post shows them ------------------------------------------------

def clock(seconds: float) -> str:
    """seff's time format: [D-]HH:MM:SS."""
    seconds = int(round(seconds))
    days, rest = divmod(seconds, 86400)
    text = f"{rest // 3600:02d}:{rest % 3600 // 60:02d}:{rest % 60:02d}"
    return f"{days}-{text}" if days else text


def size(n_bytes: float) -> str:
    """seff's memory format: binary units, two decimals."""
    units = ["B", "KB", "MB", "GB", "TB"]
    value, unit = float(n_bytes), 0
    while value >= 1024 and unit < len(units) - 1:
        value, unit = value / 1024, unit + 1
    return f"{value:.2f} {units[unit]}"


def job_lines(job: dict) -> list[tuple[str, str]]:
    """The job statistics block, in seff's words and order."""
    held = job.get("core_walltime_seconds") or job["wall_clock_seconds"] * job["cores_per_node"] * job["nodes"]
    lines = [("State", escape.block_line(job["state"])), ("Nodes", str(job["nodes"])),
             ("Cores per node", str(job["cores_per_node"])),
             ("CPU Utilized", clock(job["cpu_utilized_seconds"]))]
    if job.get("cpu_efficiency") is not None:
        lines.append(("CPU Efficiency", f"{job['cpu_efficiency'] * 100:.2f}% of "
                                        f"{clock(held)} core-walltime"))
    lines += [("Job Wall-clock time", clock(job["wall_clock_seconds"])),
              ("Memory Utilized", size(job["memory_utilized_bytes"]))]
    if job.get("memory_requested_bytes"):
        lines.append(("Memory Efficiency", f"{job['memory_efficiency'] * 100:.2f}% of "
                                           f"{size(job['memory_requested_bytes'])}"))
    if job.get("gpu"):
        gpu = job["gpu"]
        peak = f", peak memory {size(gpu['peak_memory_bytes'])}" if gpu.get("peak_memory_bytes") else ""
        lines.append(("GPU", escape.block_line(f"{gpu['count']} x {gpu['name']}{peak}")))
    return lines


def figure_cells(figures: dict | None, declared: float | None = None) -> dict | None:
    """An item's analysis as the table shows it: short, so the table fits a post column
    (the silence's longest stretch and the tuning's drift only when there is one; an
    imported WAV's length when it is not the declared one; no tempo without a beat)."""
    if not figures:
        return None
    seconds = figures["duration_seconds"]
    duration = f"{seconds:.2f} s"
    if declared is not None and abs(seconds - declared) > 0.05:
        duration += f" (not {declared:g} s as declared)"
    tuning, quiet = figures["tuning"], figures["silence"]
    offset = "n/a" if tuning["offset_cents"] is None else f"{tuning['offset_cents']:+.0f} ¢"
    drift = f" (drift {tuning['drift_cents']:.0f})" if tuning["drift_cents"] else ""
    longest = f" ({quiet['longest_seconds']:.1f} s)" if quiet["longest_seconds"] else ""
    loud = "n/a" if figures["loudness_lufs"] is None else f"{figures['loudness_lufs']:.1f} LUFS"
    tempo = f"{figures['tempo_bpm']:.0f} bpm" if figures["tempo_bpm"] >= 1 else "no beat"
    return {"duration": duration, "loudness": loud, "silence": f"{100 * quiet['share']:.0f}%{longest}",
            "tuning": offset + drift, "tempo": tempo}


def genres_phrase(bags: list[str]) -> str:
    quoted = ", ".join(escape.code(bag) for bag in bags)
    if len(bags) == 1:
        return f"the genre {quoted}"
    return f"the genres {quoted}, one per item in turn"


def levels_phrase(levels: int) -> str:
    """Jukebox samples the top (coarsest) level, then upsamples it level by level."""
    if levels >= 3:
        return "upsampled through all 3 levels"
    if levels == 2:
        return "top 2 of 3 levels only (upsampled once: coarser audio)"
    return "top level only (not upsampled: the coarsest audio)"


def jobs_phrase(job: dict) -> str:
    count = len(job.get("jobs", [])) or 1
    return "one job" if count == 1 else f"{count} jobs"


# -- one run -------------------------------------------------------------------------

def assets_url(run: Run, site: dict) -> str:
    return f"/{Path(site['assets_dir']).name}/runs/{run.id}"


def item_rows(run: Run, site: dict, settings: dict, published: dict, notes: dict) -> list[dict]:
    figures = (read_json(run.analysis_path, {}) or {}).get("items", {})
    declared = settings["sample_length_in_seconds"] if settings.get("import_from") else None
    rows = []
    for entry in published["items"][: settings["n_samples"]]:
        k, note = entry["item"], notes["items"].get(entry["item"], "")
        rows.append({**entry, "note": note, "note_in_cell": fits_a_cell(note),
                     "url": escape.url(entry["url"], f"{run.id}: item {k}'s URL"),
                     "genres": escape.text(labels.item_bag(settings["genres"], k)),
                     "figures": figure_cells(figures.get(str(k)), declared),
                     "plots": f"{assets_url(run, site)}/item-{k:02d}"})
    return rows


def item_seconds(settings: dict, model) -> float:
    """An item's length: what Jukebox made of the setting (a whole number of top-level
    hops), or, for WAVs made elsewhere, the setting as given."""
    if settings.get("import_from"):
        return settings["sample_length_in_seconds"]
    return sample_length(settings["sample_length_in_seconds"], model) / SAMPLE_RATE


def run_context(run: Run, site: dict) -> dict:
    settings, published = read_json(run.settings_path), read_json(run.publish_path)
    if not settings or not published:
        raise PostError(unfinished_message(run, *(missing_stage(run) or ("publish", "no publish record"))))
    model = MODELS[settings["model"]]
    notes = read_notes(run)
    job = read_json(run.job_path)
    overview = run.root / site["assets_dir"] / "runs" / run.id / "overview.png"
    # Names and strings from outside the author's Markdown go in escaped (posts/escape.py);
    # "name" is the artist's name as it is, for the title (YAML, escaped as YAML).
    artist = escape.text(display_name(settings["artist"]))
    embed, details = published.get("embed"), published.get("details")
    return {
        "lyrics": settings.get("lyrics") if model.lyrics else "",
        "cover": cover_url(run, site), "reproduce": reproduce(run, settings, model),
        "n_phrase": f"{settings['n_samples']} {'sample' if settings['n_samples'] == 1 else 'samples'}",
        "id": run.id, "settings": settings, "artist": artist,
        "name": display_name(settings["artist"]), "artist_code": escape.code(settings["artist"]),
        "label": artist, "genres": genres_phrase(settings["genres"]),
        "seconds": f"{item_seconds(settings, model):.2f}",
        "total_seconds": f"{settings['total_sample_length_in_seconds']:g}",
        "levels": levels_phrase(settings["levels"]),
        "notes": notes, "samples": item_rows(run, site, settings, published, notes),
        "toy": model.toy, "imported": bool(settings.get("import_from")),
        "embed": embed and escape.url(embed, f"{run.id}: the embed URL"),
        "details": details and escape.url(details, f"{run.id}: the details URL"),
        "overview": overview.exists() and f"/{Path(site['assets_dir']).name}/runs/{run.id}/overview.png",
        "unknown_genres": ", ".join(escape.code(w) for w in labels.unknown_genre_words(settings["genres"], model.name)),
        "figures_missing": figures_missing(run, settings, job),
        "job": job and {"lines": job_lines(job), "host": job["host"] and escape.code(job["host"]),
                        "jobs": jobs_phrase(job),
                        "figures": job},
    }


def figures_missing(run: Run, settings: dict, job: dict | None) -> str:
    """The items sampled here that no recorded job made ("0, 2"), warned about: their
    job was lost (site-builder and its sampler killed together), so what the post
    says it cost leaves them out."""
    if settings.get("import_from"):
        return ""   # figures come from experiment.toml's [job], when the author had them
    made = {k for k in run.sampled_items() if k < settings["n_samples"]}
    lost = sorted(made - set((job or {}).get("items") or []))
    if lost:
        log.warning("warning: run %s: no job figures for item(s) %s (their job was not "
                    "recorded); the post says so", run.id, ", ".join(map(str, lost)))
    return ", ".join(map(str, lost))


def label_runs(contexts: list[dict]) -> None:
    """Runs are named by their artist, or by artist and run id where two share an artist."""
    artists = [c["artist"] for c in contexts]
    for context in contexts:
        if artists.count(context["artist"]) > 1:
            context["label"] = f"{context['artist']} ({context['id']})"


# -- cover and how to reproduce ---------------------------------------------------------

COVER_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".gif", ".svg")


def own_cover(run: Run) -> Path | None:
    """The author's picture for the run: runs/<run>/cover.* (the MP3s carry it too)."""
    return next((run.dir / f"cover{s}" for s in COVER_SUFFIXES if (run.dir / f"cover{s}").is_file()), None)


def cover_url(run: Run, site: dict) -> str | None:
    """The post's cover, as front matter names it (no leading slash, as the example
    does): the run's own, copied beside its assets when the post is written, else the
    one analysis drew from the run's first item."""
    folder = run.root / site["assets_dir"] / "runs" / run.id
    own = own_cover(run)
    name = f"cover{own.suffix}" if own else "cover.png"
    if own or (folder / name).exists():
        return f"{assets_url(run, site)[1:]}/{name}"
    return None


def version_text(value) -> str:
    """A version number as it is; anything else escaped."""
    return str(value) if re.fullmatch(r"[0-9][0-9A-Za-z.+-]*", str(value)) else escape.code(value)


def size_phrase(n_bytes: int | None) -> str:
    return "size unknown" if n_bytes is None else size(n_bytes)


def reproduce(run: Run, settings: dict, model) -> dict:
    """The "How to reproduce" facts, as recorded when the samples were made."""
    recorded = provenance.read(run)
    env = recorded.get("environment") or {}
    versions = [f"site-builder {version_text(recorded['site_builder'])}" if recorded.get("site_builder") else "",
                f"jukebox-infer {version_text(env['jukebox_infer'])}" if env.get("jukebox_infer") else "",
                f"torch {version_text(env['torch'])}" if env.get("torch") else "",
                f"Python {version_text(recorded['python'])}" if recorded.get("python") else ""]
    # Recorded by a process on a cluster node: outside strings, escaped where they land.
    versions = [v for v in versions if v]
    device = ""
    if env:
        gpu = env.get("gpu")
        device = (f"{gpu['count']} × {escape.text(gpu['name'])}, CUDA {version_text(env.get('cuda'))}" if gpu else
                  f"CPU ({'torch built with CUDA ' + version_text(env['cuda']) if env.get('cuda') else 'CPU-only torch'})")
        if env.get("host"):
            device += f", on {escape.code(env['host'])}"
    checkpoints = [f"{escape.code(c['file'])} ({size_phrase(c.get('bytes'))}"
                   + (f", SHA-256 {escape.code(c['sha256'])}" if c.get("sha256") else "") + ")"
                   for c in env.get("checkpoints") or []]
    if env and not checkpoints and model.toy:
        checkpoints = ["none: the `tiny` model's weights are random, made by the code itself"]
    commit = recorded.get("commit") or ""
    # Device kinds change when a run is resumed elsewhere (a cluster's other partition).
    changes = "; ".join(f"started on {escape.text(c['from'])}, resumed on {escape.text(c['to'])}"
                        for c in env.get("device_changes") or [])
    return {
        "recorded": bool(recorded), "date": escape.text((recorded.get("recorded") or "")[:10]),
        "command": escape.block_line(recorded.get("command") or f"make post RUN={run.id}"),
        "experiment": "\n".join(escape.block_line(line) or "" for line in
                                (recorded.get("experiment") or provenance.experiment_toml(settings)).splitlines()),
        "versions": ", ".join(versions),
        "commit": escape.code(commit[:12] + commit[40:]) if commit else "",
        "device": device, "checkpoints": checkpoints, "environment": bool(env),
        "device_changes": changes,
    }
