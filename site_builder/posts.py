"""Runs -> a Jekyll post, from `templates/post.md.j2`.

A post's date is its first generation's and stays; its front matter lists its
runs and a hash of the generated text, so a hand edit is detected and a
regeneration refuses to overwrite it without FORCE. The author's words live in
`runs/<run>/notes.md` and are copied in verbatim every time.
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
from pathlib import Path

import jinja2
import yaml

from site_builder.audio import display_name
from site_builder.errors import PostError
from site_builder.runs import Run, read_json, write_text
from site_builder.sampling import labels
from site_builder.sampling.models import MODELS, SAMPLE_RATE, sample_length

log = logging.getLogger(__name__)

HASH_KEY = "generated_hash"
HASH_LINE = re.compile(rf"^{HASH_KEY}: .*\n", re.M)
ITEM_HEADING = re.compile(r"^#{1,6}[ \t]*item[ \t]+(\d+)[ \t]*$", re.I | re.M)
COMMENT = re.compile(r"<!--.*?-->", re.S)
TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


# -- notes.md -----------------------------------------------------------------------

def notes_template(run: Run, n_samples: int) -> str:
    items = "".join(f"## item {k}\n\n" for k in range(n_samples))
    return (f"<!-- Your words about run {run.id}. Text before the first '## item' heading goes "
            f"at the top of the post; each item's text goes under its player. This file is "
            f"yours: site-builder never rewrites it. -->\n\n{items}")


def ensure_notes(run: Run, n_samples: int) -> None:
    if not run.notes_path.exists():
        write_text(run.notes_path, notes_template(run, n_samples))


def read_notes(run: Run) -> dict:
    """{"overall": text, "items": {k: text}}, each verbatim (stripped of our comment)."""
    if not run.notes_path.exists():
        return {"overall": "", "items": {}}
    text = COMMENT.sub("", run.notes_path.read_text(encoding="utf-8"))
    parts = ITEM_HEADING.split(text)
    items = {int(parts[i]): parts[i + 1].strip() for i in range(1, len(parts), 2)}
    return {"overall": parts[0].strip(), "items": items}


# -- the post's parts ------------------------------------------------------------------

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
    lines = [("State", job["state"]), ("Nodes", str(job["nodes"])),
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
        lines.append(("GPU", f"{gpu['count']} x {gpu['name']}{peak}"))
    return lines


def run_context(run: Run, site: dict) -> dict:
    settings = read_json(run.settings_path)
    published = read_json(run.publish_path)
    if not settings or not published:
        stage = "sample" if not settings else "publish"
        raise PostError(f"run {run.id!r} has no {stage} output yet; run `make post RUN={run.id}`")
    model = MODELS[settings["model"]]
    notes = read_notes(run)
    unknown = labels.unknown_genre_words(settings["genres"], model.name)
    job = read_json(run.job_path)
    figures = (read_json(run.out / "analysis.json", {}) or {}).get("items", {})
    items = [{**entry, "note": notes["items"].get(entry["item"], ""),
              "genres": labels.item_bag(settings["genres"], entry["item"]),
              "figures": figure_cells(figures.get(str(entry["item"]))),
              "plots": f"/{Path(site['assets_dir']).name}/runs/{run.id}/item-{entry['item']:02d}"}
             for entry in published["items"][: settings["n_samples"]]]
    return {
        "id": run.id, "settings": settings, "artist": display_name(settings["artist"]),
        "genres": genres_phrase(settings["genres"]),
        "seconds": f"{sample_length(settings['sample_length_in_seconds'], model) / SAMPLE_RATE:.2f}",
        "total_seconds": f"{settings['total_sample_length_in_seconds']:g}",
        "notes": notes, "samples": items, "toy": model.toy,
        "imported": bool(settings.get("import_from")),
        "embed": published.get("embed"), "details": published.get("details"),
        "unknown_genres": ", ".join(f"`{w}`" for w in unknown),
        "job": job and {"lines": job_lines(job), "host": job["host"],
                        "jobs": _jobs_phrase(job)},
    }


def figure_cells(figures: dict | None) -> dict | None:
    """An item's analysis as the table shows it."""
    if not figures:
        return None
    tuning = figures["tuning"]
    offset = "n/a" if tuning["offset_cents"] is None else f"{tuning['offset_cents']:+.0f} ¢"
    drift = "" if tuning["drift_cents"] is None else f" (drift {tuning['drift_cents']:.0f} ¢)"
    loud = "n/a" if figures["loudness_lufs"] is None else f"{figures['loudness_lufs']:.1f} LUFS"
    return {"duration": f"{figures['duration_seconds']:.2f} s", "loudness": loud,
            "peak": "n/a" if figures["peak_dbfs"] is None else f"{figures['peak_dbfs']:.1f} dBFS",
            "silence": f"{100 * figures['silence']['share']:.0f}% (longest {figures['silence']['longest_seconds']:.1f} s)",
            "tuning": offset + drift, "tempo": f"{figures['tempo_bpm']:.0f} bpm"}


def genres_phrase(bags: list[str]) -> str:
    quoted = ", ".join(f"`{bag}`" for bag in bags)
    if len(bags) == 1:
        return f"the genre {quoted}"
    return f"the genres {quoted}, one per item in turn"


def _jobs_phrase(job: dict) -> str:
    count = len(job.get("jobs", [])) or 1
    return "one job" if count == 1 else f"{count} jobs"


def yaml_value(value) -> str:
    text = yaml.safe_dump(value, default_flow_style=True, width=10**9, allow_unicode=True)
    return text.removesuffix("\n").removesuffix("\n...")


def front_matter(site: dict, title: str, date: str, run_ids: list[str]) -> str:
    """The example post's keys, in its order; site-wide values from _config.yml `post:`."""
    defaults = {"layout": "post", "current": "post", "cover": None, "navigation": True,
                "tags": ["Jukebox", "ancestral sampling"], "class": "post-template",
                "subclass": "post", "author": site.get("author") or None,
                **(site.get("post") or {})}
    ordered = ["layout", "current", "cover", "navigation", "title", "date", "tags",
               "class", "subclass", "author"]
    values = {**defaults, "title": title, "runs": run_ids}
    lines = []
    for key in ordered + [k for k in values if k not in ordered]:
        if key == "date":
            lines.append(f"date: {date}")  # unquoted, as Jekyll writes it
        elif values.get(key) is not None:
            lines.append(f"{key}: {yaml_value(values[key])}")
    return "\n".join(lines)


# -- finding, checking and writing the post --------------------------------------------

def split_front_matter(text: str) -> dict | None:
    if not text.startswith("---\n"):
        return None
    end = text.find("\n---", 4)
    try:
        data = yaml.safe_load(text[4:end]) if end > 0 else None
    except yaml.YAMLError:
        return None
    return data if isinstance(data, dict) else None


def find_post(posts_dir: Path, run_ids: list[str]) -> Path | None:
    """The post already generated for exactly these runs, if any."""
    for path in sorted(posts_dir.glob("*.md")):
        meta = split_front_matter(path.read_text(encoding="utf-8"))
        if meta and meta.get("runs") == run_ids and HASH_KEY in meta:
            return path
    return None


def text_hash(text: str) -> str:
    return "sha256:" + hashlib.sha256(HASH_LINE.sub("", text).encode()).hexdigest()


def edited_by_hand(path: Path) -> bool:
    text = path.read_text(encoding="utf-8")
    recorded = (split_front_matter(text) or {}).get(HASH_KEY)
    return recorded != text_hash(text)


def render(run_ids: list[str], runs: list[dict], site: dict, date: str) -> str:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)),
                             undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    title = "Ancestral sampling conditioned on " + " and ".join(r["artist"] for r in runs)
    text = env.get_template("post.md.j2").render(
        front_matter=front_matter(site, title, date, run_ids),
        runs=runs, toy=any(r["toy"] for r in runs))
    text = re.sub(r"\n{3,}", "\n\n", text).rstrip("\n") + "\n"
    head, sep, body = text.partition("\n---\n")
    return f"{head}\n{HASH_KEY}: {text_hash(text)}{sep}{body}"


def write_post(root: Path, site: dict, runs: list[Run], *, force: bool = False) -> Path:
    posts_dir = root / site["posts_dir"]
    run_ids = [r.id for r in runs]
    existing = find_post(posts_dir, run_ids)
    if existing:
        date = str(split_front_matter(existing.read_text(encoding="utf-8"))["date"])
        path = existing
    else:
        date = time.strftime("%Y-%m-%d %H:%M:%S")
        slug = "ancestral-sampling-" + "-".join(run_ids).replace("_", "-")
        path = posts_dir / f"{date[:10]}-{slug}.md"
    text = render(run_ids, [run_context(r, site) for r in runs], site, date)
    if existing and existing.read_text(encoding="utf-8") == text:
        log.info("%s is up to date", path.relative_to(root))
        return path
    if existing and edited_by_hand(existing):
        if not force:
            raise PostError(f"{path.relative_to(root)} was edited by hand since it was generated; "
                            f"move your words to runs/<run>/notes.md, or FORCE=1 to regenerate "
                            f"(your edited copy is then kept in runs/{run_ids[0]}/out/attic/)")
        attic = runs[0].out / "attic" / time.strftime("%Y%m%d-%H%M%S")
        attic.mkdir(parents=True, exist_ok=True)
        (attic / path.name).write_text(existing.read_text(encoding="utf-8"), encoding="utf-8")
    write_text(path, text)
    log.info("wrote %s", path.relative_to(root))
    return path
