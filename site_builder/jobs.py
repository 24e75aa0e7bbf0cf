"""Executors: run the sampling command and record what it cost, in one shape for
every executor (`out/job.json`): the `seff` figures in plain units (seconds,
bytes), plus job id, host, start/end and GPU where there is one.

`local` runs a child process and measures it with wait4(2): CPU time and peak
resident memory come from the kernel's own accounting of that process.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import time
from datetime import datetime, timezone

from site_builder.errors import SamplingError
from site_builder.runs import Run, read_json, write_json

log = logging.getLogger(__name__)

# The sampling worker's exit codes, as SLURM would name the outcome.
EXIT_STATES = {0: "COMPLETED", 75: "PREEMPTED", 76: "OUT_OF_MEMORY"}


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, timezone.utc).isoformat(timespec="seconds")


def job_record(*, job_id: str, host: str, state: str, exit_code: int, start: float, end: float,
               cores: int, cpu_seconds: float, max_rss_bytes: int, items: list[int],
               mem_requested: int | None = None, nodes: int = 1, gpu: dict | None = None,
               tokens_per_second: dict | None = None) -> dict:
    wall = max(end - start, 0.0)
    return {
        "job_id": job_id, "host": host, "state": state, "exit_code": exit_code,
        "start": _iso(start), "end": _iso(end), "items": items,
        "nodes": nodes, "cores_per_node": cores,
        "cpu_utilized_seconds": round(cpu_seconds, 3),
        "cpu_efficiency": round(cpu_seconds / (wall * cores * nodes), 6) if wall else None,
        "wall_clock_seconds": round(wall, 3),
        "memory_utilized_bytes": max_rss_bytes,
        "memory_requested_bytes": mem_requested,
        "memory_efficiency": round(max_rss_bytes / mem_requested, 4) if mem_requested else None,
        "array_tasks": None, "gpu": gpu, "tokens_per_second": tokens_per_second or {},
    }


def measured(run: Run) -> dict:
    """What the sampling process measured inside itself (GPU memory, tokens/s)."""
    inside = read_json(run.out / "sampling.json", {}) or {}
    return {"gpu": inside.get("gpu"), "tokens_per_second": inside.get("tokens_per_second")}


def run_local(run: Run, command: list[str], items: list[int]) -> dict:
    """Run `command` as a child process, wait for it, record it in job.json."""
    (run.out / "sampling.json").unlink(missing_ok=True)
    start = time.time()
    child = subprocess.Popen(command)
    interrupted = False
    try:
        _, status, usage = os.wait4(child.pid, 0)
    except KeyboardInterrupt:
        interrupted = True
        status, usage = stop(child)
    end = time.time()
    child.returncode = os.waitstatus_to_exitcode(status)
    state = "CANCELLED" if interrupted else EXIT_STATES.get(child.returncode, "FAILED")
    record = job_record(
        job_id=f"local-{child.pid}", host=socket.gethostname(), state=state,
        exit_code=child.returncode, start=start, end=end, cores=os.cpu_count() or 1,
        cpu_seconds=usage.ru_utime + usage.ru_stime,
        max_rss_bytes=usage.ru_maxrss * 1024,  # Linux reports kilobytes
        items=items, **measured(run))
    append_job(run, record)
    if interrupted:
        raise KeyboardInterrupt
    if state == "PREEMPTED":
        raise SamplingError(f"sampling for run {run.id!r} stopped early with its codes saved; "
                            f"run the same command to continue")
    if state == "OUT_OF_MEMORY":
        raise SamplingError(f"sampling for run {run.id!r} ran out of GPU memory; lower batch_size "
                            f"(BATCH=1) in runs/{run.id}/experiment.toml; codes saved so far are kept")
    if state != "COMPLETED":
        raise SamplingError(f"sampling job for run {run.id!r} failed (exit code {child.returncode}); "
                            f"the error is above, Jukebox's own output is in {run.log_dir / 'jukebox.log'}; "
                            f"items already written are kept")
    return record


def stop(child: subprocess.Popen, grace: float = 5.0):
    """After Ctrl-C: a terminal has sent SIGINT to the child too, so give it time to
    stop by itself; only a child that did not get the signal is sent one."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        pid, status, usage = os.wait4(child.pid, os.WNOHANG)
        if pid:
            return status, usage
        time.sleep(0.05)
    child.send_signal(signal.SIGINT)
    _, status, usage = os.wait4(child.pid, 0)
    return status, usage


def append_job(run: Run, record: dict) -> None:
    """Add a job to job.json; the top level sums the jobs that made the run's items."""
    jobs = (read_json(run.job_path, {}) or {}).get("jobs", []) + [record]
    write_json(run.job_path, {**summarise(producers(jobs) or jobs), "jobs": jobs})


def producers(jobs: list[dict]) -> list[dict]:
    """The jobs that made the items as they are now: each item's last completed job.
    A job whose items were all sampled again later no longer counts."""
    last = {}
    for index, job in enumerate(jobs):
        if job["state"] == "COMPLETED":
            for item in job["items"]:
                last[item] = index
    return [jobs[i] for i in sorted(set(last.values()))]


def summarise(jobs: list[dict]) -> dict:
    """seff figures over several jobs: time and CPU add up, memory is the peak."""
    wall = sum(j["wall_clock_seconds"] for j in jobs)
    cpu = sum(j["cpu_utilized_seconds"] for j in jobs)
    cores = max(j["cores_per_node"] for j in jobs)
    nodes = max(j["nodes"] for j in jobs)
    memory = max(j["memory_utilized_bytes"] for j in jobs)
    requested = [j["memory_requested_bytes"] for j in jobs if j["memory_requested_bytes"]]
    last = jobs[-1]
    return {
        "job_id": ",".join(j["job_id"] for j in jobs), "host": last["host"], "state": last["state"],
        "start": jobs[0]["start"], "end": last["end"],
        "items": sorted({i for j in jobs for i in j["items"]}),
        "nodes": nodes, "cores_per_node": cores, "cpu_utilized_seconds": round(cpu, 3),
        "cpu_efficiency": round(cpu / (wall * cores * nodes), 6) if wall else None,
        "wall_clock_seconds": round(wall, 3), "memory_utilized_bytes": memory,
        "memory_requested_bytes": max(requested) if requested else None,
        "memory_efficiency": round(memory / max(requested), 4) if requested else None,
        "array_tasks": None, "gpu": next((j["gpu"] for j in reversed(jobs) if j.get("gpu")), None),
    }
