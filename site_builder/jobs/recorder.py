"""The local job's recorder: a small process between site-builder and the sampler.
It starts the sampler, waits for it with wait4(2) (the kernel's CPU time and peak
memory of that process, also when it was killed) and adds the job to job.json. So
a site-builder killed while the sampler runs loses nothing: the sampler finishes,
and its figures are written all the same.

    python -m site_builder.jobs.recorder RUN_DIR ITEMS -- COMMAND...

ITEMS: the items the job makes, comma-separated. Exits with the sampler's exit
code (128 + the signal's number when a signal ended it)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from site_builder.errors import disk_error
from site_builder.jobs.record import EXIT_STATES, append_job, job_record, measured
from site_builder.runs import Run

GRACE = 5.0   # seconds a sampler gets to stop by itself after Ctrl-C before it is told
POLL = 0.1


def record(run: Run, command: list[str], items: list[int]) -> int:
    interrupted: list[float] = []
    # Ctrl-C reaches the sampler from the terminal too: note it, and pass it on only
    # if the sampler has not stopped by itself (a second one would cut its save short).
    signal.signal(signal.SIGINT, lambda *_: interrupted.append(time.monotonic()))
    signal.signal(signal.SIGHUP, signal.SIG_IGN)   # a closed terminal: still record
    start = time.time()
    sampler = subprocess.Popen(command)
    signal.signal(signal.SIGTERM, lambda *_: sampler.send_signal(signal.SIGTERM))
    told = False
    while True:
        pid, status, usage = os.wait4(sampler.pid, os.WNOHANG)
        if pid:
            break
        if interrupted and not told and time.monotonic() - interrupted[0] > GRACE:
            sampler.send_signal(signal.SIGINT)
            told = True
        time.sleep(POLL)
    end = time.time()
    code = os.waitstatus_to_exitcode(status)
    state = "CANCELLED" if interrupted or code in (130, -signal.SIGINT) else \
        EXIT_STATES.get(code, "FAILED")
    record_job(run, job_record(
        job_id=f"local-{sampler.pid}", host=socket.gethostname(), state=state,
        exit_code=code, start=start, end=end, cores=os.cpu_count() or 1,
        cpu_seconds=usage.ru_utime + usage.ru_stime,
        max_rss_bytes=usage.ru_maxrss * 1024,  # Linux reports kilobytes
        items=items, **measured(run)))
    return code if code >= 0 else 128 - code


def record_job(run: Run, record: dict) -> None:
    try:
        append_job(run, record)
    except OSError as exc:   # a full disk: say so in one line (the figures are lost)
        error = disk_error(exc)
        if error is None:
            raise
        print(f"the job's figures could not be recorded: {error}", file=sys.stderr)


def main(argv: list[str]) -> int:
    if len(argv) < 4 or argv[2] != "--":
        raise SystemExit("usage: python -m site_builder.jobs.recorder RUN_DIR ITEMS -- COMMAND...")
    run_dir, items, _, *command = argv
    return record(Run.at(Path(run_dir)), command, [int(k) for k in items.split(",") if k])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
