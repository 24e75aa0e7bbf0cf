"""The local executor: the sampling command as a child process of this one, measured
with wait4(2): CPU time and peak resident memory come from the kernel's own
accounting of that process."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time

from site_builder.jobs.record import EXIT_STATES, append_job, job_record, measured, outcome_error
from site_builder.runs import Run


def run_local(run: Run, command: list[str], items: list[int]) -> dict:
    """Run `command` as a child process, wait for it, record it in job.json."""
    run.measured_path().unlink(missing_ok=True)
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
    if state != "COMPLETED":
        raise outcome_error(run, state, child.returncode, "the error is above")
    return record


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


