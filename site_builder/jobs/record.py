"""Job statistics, in one shape for every executor (`out/job.json`): the `seff`
figures in plain units (seconds, bytes), plus job id, host, start/end, array tasks,
and what the sampling process measured inside itself (GPU, tokens per second)."""

from __future__ import annotations

import re
from datetime import datetime, timezone

from site_builder.errors import SamplingError
from site_builder.runs import Run, read_json, write_json

# The sampling worker's exit codes, as SLURM would name the outcome.
EXIT_STATES = {0: "COMPLETED", 75: "PREEMPTED", 76: "OUT_OF_MEMORY"}


def outcome_error(run: Run, state: str, exit_code: int, where: str) -> SamplingError:
    """What a user should know and do when a sampling job did not complete."""
    if state == "PREEMPTED":
        return SamplingError(f"sampling for run {run.id!r} stopped early with its codes saved; "
                             f"run the same command to continue")
    if state == "OUT_OF_MEMORY":
        return SamplingError(f"sampling for run {run.id!r} ran out of memory ({where}); lower "
                             f"batch_size (BATCH=1) in runs/{run.id}/experiment.toml, or ask for more "
                             f"memory; codes saved so far are kept")
    return SamplingError(f"sampling job for run {run.id!r} failed (exit code {exit_code}); {where}; "
                         f"Jukebox's own output is in {run.log_dir.relative_to(run.root) / 'jukebox.log'}; "
                         f"items already written are kept")


def parse_clock(text: str) -> float | None:
    """seff's and sacct's [D-][HH:]MM:SS[.mmm] -> seconds; None if it is not one."""
    found = re.fullmatch(r"(?:(\d+)-)?(?:(\d+):)?(\d+):(\d+(?:\.\d+)?)", str(text).strip())
    if not found:
        return None
    days, hours, minutes, seconds = found.groups()
    return ((int(days or 0) * 24 + int(hours or 0)) * 60 + int(minutes)) * 60 + float(seconds)


def parse_size(text: str, cpus: int = 1) -> int | None:
    """seff's '23.10 GB' and sacct's '219772K', '3M', '512Mc' (per CPU) -> bytes, in
    binary units as both mean them; None if it is not one."""
    found = re.fullmatch(r"([\d.]+)\s*([KMGT]?)B?([CN]?)", str(text).strip(), re.I)
    if not found:
        return None
    factor = {"": 1, "K": 2**10, "M": 2**20, "G": 2**30, "T": 2**40}[found[2].upper()]
    return int(float(found[1]) * factor * (cpus if found[3].lower() == "c" else 1))


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, timezone.utc).isoformat(timespec="seconds")


def job_record(*, job_id: str, host: str, state: str, exit_code: int, start: float | None,
               end: float | None, cores: int, cpu_seconds: float, max_rss_bytes: int,
               items: list[int], mem_requested: int | None = None, nodes: int = 1,
               gpu: dict | None = None, tokens_per_second: dict | None = None,
               wall: float | None = None) -> dict:
    """One job as job.json keeps it, whichever executor ran it. Without `start` and
    `end` (figures copied from seff by hand), `wall` is the wall-clock time."""
    if wall is None:
        wall = max(end - start, 0.0) if start is not None and end is not None else 0.0
    return {
        "job_id": job_id, "host": host, "state": state, "exit_code": exit_code,
        "start": _iso(start) if start is not None else "",
        "end": _iso(end) if end is not None else "", "items": items,
        "nodes": nodes, "cores_per_node": cores,
        "cpu_utilized_seconds": round(cpu_seconds, 3),
        "cpu_efficiency": round(cpu_seconds / (wall * cores * nodes), 6) if wall else None,
        "wall_clock_seconds": round(wall, 3),
        "memory_utilized_bytes": max_rss_bytes,
        "memory_requested_bytes": mem_requested,
        "memory_efficiency": round(max_rss_bytes / mem_requested, 4) if mem_requested else None,
        "array_tasks": None, "gpu": gpu, "tokens_per_second": tokens_per_second or {},
    }


def measured(run: Run, task: str | None = None) -> dict:
    """What the sampling process measured inside itself (GPU memory, tokens/s); `task`:
    the array task's number."""
    inside = read_json(run.measured_path(task), {}) or {}
    return {"gpu": inside.get("gpu"), "tokens_per_second": inside.get("tokens_per_second")}


def append_job(run: Run, record: dict) -> None:
    """Add a job to job.json; the top level is what all of the run's jobs cost
    together (a job resumed three times cost four jobs), until FORCE starts anew."""
    jobs = (read_json(run.job_path, {}) or {}).get("jobs", []) + [record]
    write_json(run.job_path, {**summarise(jobs), "jobs": jobs})


def summarise(jobs: list[dict]) -> dict:
    """seff figures over several jobs: CPU adds up, memory is the peak, and the
    wall-clock time is the time any of them ran (array tasks side by side count once,
    jobs one after another add up). Efficiency is against the core-time they held."""
    wall = elapsed(jobs)
    cpu = sum(j["cpu_utilized_seconds"] for j in jobs)
    held = sum(j["wall_clock_seconds"] * j["cores_per_node"] * j["nodes"] for j in jobs)
    memory = max(j["memory_utilized_bytes"] for j in jobs)
    requested = [j["memory_requested_bytes"] for j in jobs if j["memory_requested_bytes"]]
    tasks = [j for j in jobs if "_" in j["job_id"]]
    last = jobs[-1]
    return {
        "job_id": ",".join(j["job_id"] for j in jobs), "host": last["host"], "state": last["state"],
        "start": jobs[0]["start"], "end": last["end"],
        "items": sorted({i for j in jobs for i in j["items"]}),
        "nodes": max(j["nodes"] for j in jobs), "cores_per_node": max(j["cores_per_node"] for j in jobs),
        "cpu_utilized_seconds": round(cpu, 3), "core_walltime_seconds": round(held, 3),
        "cpu_efficiency": round(cpu / held, 6) if held else None,
        "wall_clock_seconds": round(wall, 3), "memory_utilized_bytes": memory,
        "memory_requested_bytes": max(requested) if requested else None,
        "memory_efficiency": round(memory / max(requested), 4) if requested else None,
        "array_tasks": len(tasks) or None,
        "gpu": next((j["gpu"] for j in reversed(jobs) if j.get("gpu")), None),
    }


def elapsed(jobs: list[dict]) -> float:
    """The length of the union of the jobs' [start, start + wall] spans; jobs without
    a start (recorded by hand) simply add their wall time."""
    spans, loose = [], 0.0
    for job in jobs:
        try:
            begin = datetime.fromisoformat(job["start"]).timestamp()
        except (TypeError, ValueError):
            loose += job["wall_clock_seconds"]
            continue
        spans.append((begin, begin + job["wall_clock_seconds"]))
    total, reach = 0.0, float("-inf")
    for begin, end in sorted(spans):
        if end > reach:
            total += end - max(begin, reach)
            reach = end
    return total + loose
