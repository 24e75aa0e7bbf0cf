"""The SLURM executor: submit from a login node, come back later.

`make post` renders `sbatch.sh.j2` (the blog's templates/ first, then the package's),
submits it with sbatch and returns; the job id lives in `out/slurm.json`, so running `make post` again never submits a
second job while one is pending or running: it reports progress, or, once the job
has ended, records its `sacct` figures (seff's) in job.json and carries on. A job
that reached its time limit (or was signalled before it and saved) is resubmitted,
up to `max_resubmits`, and continues from the saved codes.
"""

from __future__ import annotations

import math
import re
import shlex
import signal
import subprocess
import sys
import time
from datetime import datetime

import jinja2

from site_builder.logs import stage_log
from site_builder import TEMPLATES
from site_builder.errors import SamplingError
from site_builder.jobs.record import (EXIT_STATES, append_job, job_record, measured, outcome_error,
                                      parse_clock, parse_size)
from site_builder.models import MODELS
from site_builder.runs import Run, read_json, write_json, write_text
from site_builder.schema import SLURM, to_lines

log = stage_log("job")

DEFAULTS = SLURM.defaults()
# The toy model needs no GPU and little of anything else.
TOY_DEFAULTS = {"gpus": 0, "cpus_per_task": 1, "mem": "2G", "time": "00:30:00"}
ACTIVE = {"PENDING", "RUNNING", "REQUEUED", "RESIZING", "SUSPENDED", "CONFIGURING", "COMPLETING"}
RESUBMIT = {"TIMEOUT", "PREEMPTED", "NODE_FAIL"}
# Tokens per second per level (0, 1, 2 = top) from bench/sampling.py, by (model, device).
BENCH = {("tiny", "cpu"): {0: 2300, 1: 2300, 2: 1800}}
HOPS = {0: 8, 1: 32, 2: 128}   # audio samples per token at each level
SACCT_FIELDS = "JobID,State,ExitCode,NNodes,AllocCPUS,TotalCPU,Elapsed,MaxRSS,ReqMem,Start,End,NodeList"


# -- settings ---------------------------------------------------------------------

def options(site: dict, settings: dict) -> dict:
    """_config.yml `slurm:` merged over the defaults, then the run's [slurm] table
    (both checked against the schema when they were read)."""
    merged = {**DEFAULTS, **(TOY_DEFAULTS if MODELS[settings["model"]].toy else {}),
              **(site.get("slurm") or {}), **(settings.get("slurm") or {})}
    for key in ("extra", "setup"):
        merged[key] = to_lines(merged[key])
    return merged


# -- talking to SLURM ------------------------------------------------------------------

def command(*args: str, timeout: float = 60) -> str:
    try:
        result = subprocess.run(args, capture_output=True, text=True, timeout=timeout)
    except FileNotFoundError:
        raise SamplingError(f"{args[0]} not found: EXECUTOR=slurm needs SLURM's commands on this "
                            f"machine (a login node)") from None
    except subprocess.TimeoutExpired:
        raise SamplingError(f"{args[0]} did not answer in {timeout:.0f} s: is slurmctld up? "
                            f"(scontrol ping)") from None
    if result.returncode != 0:
        raise SamplingError(f"{' '.join(args[:2])} failed: {result.stderr.strip() or result.stdout.strip()}")
    return result.stdout


def queue_state(job_id: str) -> str | None:
    """The job's state while SLURM still queues it (any task), else None."""
    states = command("squeue", "-h", "-j", job_id, "-o", "%T").split()
    return next((s for s in states if s == "RUNNING"), states[0] if states else None)


def parse_time(text: str) -> float:
    try:
        return datetime.fromisoformat(text).timestamp()
    except ValueError:
        return 0.0


def accounting(job_id: str) -> dict[str, dict]:
    """sacct's rows for a job, one per job or array task, steps folded in (MaxRSS
    lives on the steps)."""
    tasks: dict[str, dict] = {}
    for line in command("sacct", "-j", job_id, "-n", "-P", f"--format={SACCT_FIELDS}").splitlines():
        row = dict(zip(SACCT_FIELDS.split(","), line.split("|")))
        task, _, step = row["JobID"].partition(".")
        entry = tasks.setdefault(task, {"max_rss": 0})
        entry["max_rss"] = max(entry["max_rss"], parse_size(row["MaxRSS"]) or 0)
        if not step:
            entry.update(row)
    return {task: row for task, row in tasks.items() if "State" in row}


def outcome(state: str, exit_code: str) -> tuple[str, int]:
    """sacct's State and ExitCode ("code:signal") -> the state we act on, and an exit
    code. A job ended by a signal is not "COMPLETED" for its code of 0: the time
    limit's warning (USR1) that came before the batch shell could ignore it (its first
    line) ran nothing and is resubmitted as a stopped one; any other signal is a
    failure, shown as a shell shows it (128 + the signal)."""
    code, _, signalled = exit_code.partition(":")
    number, killed_by = int(code or 0), int(signalled or 0)
    if state != "FAILED":
        return state, number
    if killed_by == signal.SIGUSR1:
        return "PREEMPTED", 128 + killed_by
    if killed_by:
        return state, 128 + killed_by
    return EXIT_STATES.get(number, state), number  # our sampler's "saved and stopped", OOM


def task_record(run: Run, task: str, row: dict, items: list[int]) -> dict:
    state = row["State"].split()[0]          # "CANCELLED by 0" -> CANCELLED
    state, exit_code = outcome(state, row["ExitCode"])
    cpus = int(row["AllocCPUS"] or 1)
    array_task = task.split("_")[1] if "_" in task else None
    return job_record(
        job_id=task, host=row["NodeList"], state=state, exit_code=exit_code,
        start=parse_time(row["Start"]), end=parse_time(row["End"]), cores=cpus,
        cpu_seconds=parse_clock(row["TotalCPU"]) or 0.0, max_rss_bytes=row["max_rss"], items=items,
        mem_requested=parse_size(row["ReqMem"], cpus) or None, nodes=int(row["NNodes"] or 1),
        **measured(run, array_task))


# -- the run's job ------------------------------------------------------------------------

def render(run: Run, slurm: dict, groups: list[str], array: bool) -> str:
    loader = jinja2.FileSystemLoader([str(run.root / "templates"), str(TEMPLATES)])
    env = jinja2.Environment(loader=loader, undefined=jinja2.StrictUndefined,
                             keep_trailing_newline=True)
    env.filters["quote"] = lambda value: shlex.quote(str(value))
    return env.get_template("sbatch.sh.j2").render(
        run_id=run.id, log_dir=run.log_dir, slurm=slurm, groups=groups, array=array,
        root=run.root, run_dir=run.dir, python=sys.executable)


def estimate(settings: dict, slurm: dict, work) -> str:
    """The sampling time: the memory plan's for a released model on a named GPU,
    bench/sampling.py's CPU figures for the toy model."""
    from site_builder.sampling import memory
    from site_builder.models import MODELS, sample_length

    if not MODELS[settings["model"]].toy:
        if not settings.get("gpu"):
            return f"name the GPU (GPU=v100-16gb, ...) for a time estimate; asked for {slurm['time']}"
        plan = memory.make_plan(settings, settings["gpu"])
        return f"about {memory.hours(plan.seconds)} by the memory plan on {plan.gpu}; asked for {slurm['time']}"
    rates = BENCH.get((settings["model"], "cpu"))
    samples = sample_length(settings["sample_length_in_seconds"], MODELS[settings["model"]])
    levels = range(3 - settings["levels"], 3)
    items = len(work.items)
    seconds = sum(samples / HOPS[level] * items / rates[level] for level in levels)
    whole = int(seconds)
    return (f"about {whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d} of sampling by "
            f"bench/sampling.py's figures for {settings['model']} on a cpu; asked for {slurm['time']}")


def planned_resources(site: dict, settings: dict, slurm: dict) -> dict:
    """--mem and --time from the memory plan, for a released model on a named GPU,
    unless _config.yml or the run set them."""
    from site_builder.sampling import memory
    from site_builder.models import MODELS

    if MODELS[settings["model"]].toy or not settings.get("gpu"):
        return slurm
    given = {**(site.get("slurm") or {}), **(settings.get("slurm") or {})}
    plan = memory.check(settings, settings["gpu"])
    planned = dict(slurm)
    if "mem" not in given:
        planned["mem"] = f"{math.ceil(plan.host_peak / memory.GiB * 1.25)}G"
    if "time" not in given:
        seconds = int(plan.seconds * 1.5) + 3600
        planned["time"] = f"{seconds // 86400}-{seconds % 86400 // 3600:02d}:{seconds % 3600 // 60:02d}:00"
    if "gpus" not in given:
        planned["gpus"] = 1
    return planned


def submit(run: Run, slurm: dict, work, resubmits: int = 0) -> str:
    """Submit the run's work: one job for it all; or, with `array = true`, the
    top-prior groups as an array and the upsampling as one job after it (afterok)."""
    array = bool(slurm["array"]) and len(work.top) > 1
    parts = [("job", work.args("top"), True), ("up", work.args("up"), False)] if array \
        else [("job", work.args(), False)]
    run.log_dir.mkdir(parents=True, exist_ok=True)
    for stale in [run.measured_path(), *run.out.glob(run.measured_path("*").name)]:
        stale.unlink(missing_ok=True)
    ids, after = [], None
    for name, groups, as_array in parts:
        if not groups:
            continue
        script = run.slurm_dir / f"{name}.sh"
        write_text(script, render(run, slurm, groups, as_array))
        extra = [f"--dependency=afterok:{after}"] if after else []
        after = command("sbatch", "--parsable", *extra, str(script)).strip().split(";")[0]
        ids.append(after)
    write_json(run.slurm_path, {"job_id": ids[0], "job_ids": ids, "groups": work.args(),
                                        "top_groups": work.top if array else None,
                                        "items": work.items, "array": array, "resubmits": resubmits,
                                        "recorded": False})
    log.info("%s: submitted job %s for item(s) %s; `make status` follows it, "
             "`make post` carries on when it is done", run.id,
             f"{ids[0]} (array of {len(work.top)})" + (f" and {ids[1]} after it (upsampling)" if len(ids) > 1 else "")
             if array else ids[0], ", ".join(map(str, work.items)))
    return ids[0]


def progress_line(run: Run, job: dict) -> str:
    """The last progress line the sampler printed into the job's logs."""
    logs = sorted((p for one in job_ids(job) for p in run.log_dir.glob(f"slurm-{one}*.out")),
                  key=lambda p: p.stat().st_mtime)
    for path in reversed(logs):
        lines = [l.strip() for l in path.read_text(errors="replace").splitlines() if l.strip()]
        if lines:
            return lines[-1]
    return ""


def log_tail(run: Run, job: dict, count: int = 8) -> str:
    logs = sorted((p for one in job_ids(job) for p in run.log_dir.glob(f"slurm-{one}*.out")),
                  key=lambda p: job_order(p.stem))
    lines = [l for path in logs for l in path.read_text(errors="replace").splitlines()]
    return "\n".join(lines[-count:])


def job_order(name: str) -> tuple[int, ...]:
    """A job or array task ("999_1", "slurm-1000") in submission order: by its
    numbers, not as text, where job 1000 would come before job 999's tasks."""
    return tuple(int(number) for number in re.findall(r"\d+", name))


def job_ids(job: dict) -> list[str]:
    return job.get("job_ids") or [job["job_id"]]


def advance(run: Run, site: dict, settings: dict, work, *, wait: bool = False) -> bool:
    """Move the run's SLURM work one step on; True when there is nothing left to wait
    for (the samples are made), False while a job is queued or running."""
    slurm = planned_resources(site, settings, options(site, settings))
    while True:
        job = read_json(run.slurm_path)
        if job and not job["recorded"]:
            state = queue_state(",".join(job_ids(job)))
            if state in ACTIVE:
                line = progress_line(run, job)
                log.info("%s: job %s is %s%s", run.id, job["job_id"], state.lower(),
                         f": {line}" if line else "")
                if not wait:
                    return False
                time.sleep(slurm["poll_seconds"])
                continue
            if not finish(run, slurm, job, settings):
                if not wait:
                    return False
                continue
            return True
        if not work:
            return True
        log.info("%s: %s", run.id, estimate(settings, slurm, work))
        submit(run, slurm, work)
        if not wait:
            return False
        work = None   # what is left now depends on the job: the loop above follows it


def finish(run: Run, slurm: dict, job: dict, settings: dict) -> bool:
    """Record a job that has left the queue; resubmit a timed-out one. True when the
    run's samples are complete, False when a resubmitted job is on its way."""
    rows = {task: row for one in job_ids(job) for task, row in wait_for_accounting(one).items()}
    records = [task_record(run, task, row, _task_items(job, task))
               for task, row in sorted(rows.items(), key=lambda kv: job_order(kv[0]))
               if not (row["State"].startswith("CANCELLED") and row.get("Start") in ("", "Unknown", "None"))]
    for record in records:
        append_job(run, record)
    write_json(run.slurm_path, {**job, "recorded": True})
    states = {r["state"] for r in records}
    if states == {"COMPLETED"}:
        log.info("%s: job %s completed", run.id, job["job_id"])
        return True
    if states & {"CANCELLED"}:
        for other in job_ids(job):   # an afterok job whose array failed never runs
            subprocess.run(["scancel", other], capture_output=True)
        raise SamplingError(f"job {job['job_id']} for run {run.id!r} was cancelled; everything it "
                            f"saved is kept; `make post` submits a new job that continues from it")
    if states <= RESUBMIT | {"COMPLETED"} and job["resubmits"] < slurm["max_resubmits"]:
        log.info("%s: job %s ended with %s; resubmitting (%d of %d) to continue from the saved codes",
                 run.id, job["job_id"], "/".join(sorted(states - {"COMPLETED"})), job["resubmits"] + 1,
                 slurm["max_resubmits"])
        from site_builder.sampling import work_left
        submit(run, slurm, work_left(run, settings), job["resubmits"] + 1)
        return False
    bad = next(r for r in records if r["state"] != "COMPLETED")
    tail = log_tail(run, job)
    raise outcome_error(run, bad["state"], bad["exit_code"],
                        f"job {bad['job_id']} ended {bad['state']}; its log ends:\n{tail}")


def _task_items(job: dict, task: str) -> list[int]:
    if "_" in task and job.get("top_groups"):
        return job["top_groups"][int(task.split("_")[1])]
    return job["items"]


def wait_for_accounting(job_id: str, seconds: float = 30) -> dict[str, dict]:
    """sacct lags a job's end by a few seconds: wait until every row has ended."""
    deadline = time.monotonic() + seconds
    while True:
        rows = accounting(job_id)
        ended = rows and all(r["End"] not in ("", "Unknown") and r["State"].split()[0] not in ACTIVE
                             for r in rows.values())
        if ended or time.monotonic() > deadline:
            return rows
        time.sleep(1)


def status(run: Run) -> str | None:
    """One line on the run's SLURM job, or None when it has none in flight."""
    state = run.stage_state()
    if not state.in_flight:
        return None
    job = state.job
    state = queue_state(",".join(job_ids(job))) or "ended (make post records it)"
    line = progress_line(run, job)
    return f"job {job['job_id']} {state.lower()}{': ' + line if line else ''}"
