"""The local executor: the sampling command as a child process, measured with
wait4(2) by the recorder between them (jobs/recorder.py): CPU time and peak
resident memory come from the kernel's own accounting of that process, and are
written to job.json whether or not this process lives to see the end."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from site_builder.errors import EXIT_DISK, EXIT_OOM, AlreadySaid, SamplingError
from site_builder.jobs.lock import RunLock
from site_builder.jobs.record import outcome_error
from site_builder.runs import Run, read_json


def run_local(run: Run, command: list[str], items: list[int], lock: RunLock | None = None) -> dict:
    """Run `command` through the recorder (jobs/recorder.py), which adds the job to
    job.json even if this process is killed meanwhile; the job's record."""
    run.measured_path().unlink(missing_ok=True)
    before = len((read_json(run.job_path, {}) or {}).get("jobs", []))
    recorder = [sys.executable, "-m", "site_builder.jobs.recorder", str(run.dir),
                ",".join(map(str, items)), "--", *command]
    # The recorder and the sampler keep the run's lock for as long as they run.
    fds = (lock.fd,) if lock is not None and lock.fd is not None else ()
    child = subprocess.Popen(recorder, pass_fds=fds)
    if lock is not None:
        lock.note(sampler=child.pid)
    interrupted = False
    try:
        _, status, _ = os.wait4(child.pid, 0)
    except KeyboardInterrupt:
        interrupted = True
        status, _ = stop(child)
    jobs = (read_json(run.job_path, {}) or {}).get("jobs", [])
    if len(jobs) <= before:
        raise SamplingError(f"sampling for run {run.id!r}: the job recorder ended "
                            f"(exit code {os.waitstatus_to_exitcode(status)}) without recording "
                            f"the job; its output is above")
    record = jobs[-1]
    if interrupted:
        raise KeyboardInterrupt
    if record["exit_code"] in (EXIT_DISK, EXIT_OOM):
        raise AlreadySaid("the sampler said which disk, or which phase ran out of GPU memory, in one line")
    if record["state"] != "COMPLETED":
        raise outcome_error(run, record["state"], record["exit_code"],
                            ended_by(record["exit_code"]))
    return record


def ended_by(exit_code: int) -> str:
    """Where to look: a sampler that failed said why above; one ended by a signal
    (kill -9, the kernel's out-of-memory killer) said nothing."""
    if exit_code >= 0:
        return "the error is above"
    try:
        name = signal.Signals(-exit_code).name
    except ValueError:
        name = f"signal {-exit_code}"
    return (f"the sampler was killed by {name} and said nothing (by hand, or by the kernel's "
            f"out-of-memory killer: `dmesg` or `journalctl -k` would say)")


def stop(child: subprocess.Popen, grace: float = 5.0):
    """After Ctrl-C: a terminal has sent SIGINT to the child too, so give it time to
    stop by itself; only a child that did not get the signal is sent one."""
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)   # a second Ctrl-C waits too
    try:
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline:
            pid, status, usage = os.wait4(child.pid, os.WNOHANG)
            if pid:
                return status, usage
            time.sleep(0.05)
        child.send_signal(signal.SIGINT)
        _, status, usage = os.wait4(child.pid, 0)
        return status, usage
    finally:
        signal.signal(signal.SIGINT, previous)


