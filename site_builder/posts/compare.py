"""Across runs: the sentences the example post's author wrote by hand ("more than
five times the number of samples didn't take five times longer"; "memory used for
Lucybell was actually a third larger"), computed from the job figures. Each says
which is larger, by what ratio, and the two figures; nothing else (no guesses at
why: that is the author's to write in notes.md)."""

from __future__ import annotations

from site_builder.posts import escape
from site_builder.posts.runs import clock, size


def duration(seconds: float) -> str:
    """seff's clock, or tenths of a second under a minute, where whole seconds would
    show two different figures as the same."""
    return clock(seconds) if seconds >= 60 else f"{seconds:.1f} s"


def ratio(big: float, small: float) -> str:
    return f"{big / small:.2f}"


def same(a: float, b: float) -> bool:
    """Equal as the post shows a ratio (two decimals)."""
    return max(a, b) / min(a, b) < 1.005


def _larger_first(a: dict, b: dict, value) -> tuple[dict, dict]:
    return (a, b) if value(a) >= value(b) else (b, a)


def n(run: dict) -> int:
    return run["settings"]["n_samples"]


def wall(run: dict) -> float:
    return run["job"]["figures"].get("wall_clock_seconds") or 0


def memory(run: dict) -> int:
    return run["job"]["figures"].get("memory_utilized_bytes") or 0


def samples_sentence(a: dict, b: dict) -> str:
    if n(a) == n(b):
        return f"{a['label']} and {b['label']} have the same number of samples ({n(a)})."
    big, small = _larger_first(a, b, n)
    return (f"{big['label']} has {ratio(n(big), n(small))} times as many samples as "
            f"{small['label']} ({n(big)} against {n(small)}).")


def wall_sentence(a: dict, b: dict) -> str:
    if not (wall(a) and wall(b)):   # a job table copied from seff may lack a figure
        return ""
    big, small = _larger_first(a, b, wall)
    figures = f"({duration(wall(big))} against {duration(wall(small))} wall-clock)"
    if same(wall(big), wall(small)):
        return f"{a['label']} and {b['label']} took about the same time {figures}."
    return f"{big['label']} took {ratio(wall(big), wall(small))} times as long as {small['label']} {figures}."


def per_sample_sentence(a: dict, b: dict) -> str:
    """Wall-clock per sample, or per second of audio when the samples' lengths differ."""
    if not (wall(a) and wall(b)):
        return ""
    by_length = a["seconds"] != b["seconds"]
    unit = "second of audio" if by_length else "sample"

    def cost(run: dict) -> float:
        return wall(run) / (n(run) * (float(run["seconds"]) if by_length else 1))

    def shown(seconds: float) -> str:
        return f"{seconds:.1f} s" if by_length else duration(seconds)

    big, small = _larger_first(a, b, cost)
    figures = f"({shown(cost(big))} against {shown(cost(small))})"
    if same(cost(big), cost(small)):
        return f"Per {unit}, they took about the same time {figures}."
    return (f"Per {unit}, {big['label']} took {ratio(cost(big), cost(small))} times as long as "
            f"{small['label']} {figures}.")


def memory_sentence(a: dict, b: dict) -> str:
    if not (memory(a) and memory(b)):
        return ""
    big, small = _larger_first(a, b, memory)
    figures = f"({size(memory(big))} against {size(memory(small))})"
    if same(memory(big), memory(small)):
        return f"They used about the same memory {figures}."
    return (f"{big['label']} used {ratio(memory(big), memory(small))} times as much memory as "
            f"{small['label']} {figures}.")


def setting_sentences(a: dict, b: dict) -> list[str]:
    """Where the jobs ran, when that differs: facts a reader needs to weigh the ratios."""
    ja, jb = a["job"]["figures"], b["job"]["figures"]
    said = []
    if ja["cores_per_node"] != jb["cores_per_node"]:
        said.append(f"{a['label']}'s job had {ja['cores_per_node']} cores per node, "
                    f"{b['label']}'s {jb['cores_per_node']}.")
    gpus = [(j.get("gpu") or {}).get("name") for j in (ja, jb)]
    if all(gpus) and gpus[0] != gpus[1]:
        said.append(f"{a['label']} ran on {escape.text(gpus[0])}, {b['label']} on "
                    f"{escape.text(gpus[1])}.")
    if ja.get("host") and jb.get("host") and ja["host"] != jb["host"]:
        said.append(f"They ran on different hosts ({escape.code(ja['host'])} and "
                    f"{escape.code(jb['host'])}).")
    return said


def sentences(runs: list[dict]) -> list[str]:
    """Each run after the first against the first; runs without job figures are left out."""
    measured = [r for r in runs if r.get("job")]
    first, said = (measured or [None])[0], []
    for other in measured[1:]:
        said += [s for s in (samples_sentence(first, other), wall_sentence(first, other),
                             per_sample_sentence(first, other), memory_sentence(first, other)) if s]
        said += setting_sentences(first, other)
    return said


def summary_rows(runs: list[dict]) -> list[dict]:
    """One row per run for the post's summary table ("n/a" where a figure is unknown)."""
    rows = []
    for run in runs:
        settings, count = run["settings"], n(run)
        seconds, peak = (wall(run), memory(run)) if run.get("job") else (0, 0)
        rows.append({
            "label": run["label"], "model": settings["model"], "samples": f"{count} × {run['seconds']} s",
            "genres": ", ".join(settings["genres"]),
            "seed": "n/a" if run["imported"] else str(settings["seed"]),
            "levels": "n/a" if run["imported"] else str(settings["levels"]),
            "wall": duration(seconds) if seconds else "n/a",
            "per_sample": duration(seconds / count) if seconds else "n/a",
            "memory": size(peak) if peak else "n/a",
        })
    return rows
