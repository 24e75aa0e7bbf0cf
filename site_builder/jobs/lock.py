"""One command at a time per run. Two `make post` on one run would both sample the
same items, each picking up the other's half-saved codes, and the post would report
both jobs.

The lock is an flock(2) on `out/lock`, which the kernel lets go of when every
process holding it has ended, however it ended: a lock left by a killed command is
simply free again. The local executor's sampler holds it too (it inherits the
descriptor), so a sampler outliving a killed site-builder still keeps others out.
The file says who holds it (pid, command, the sampler's pid), for the message.
While a SLURM job is in flight for the run, that job (as squeue sees it) is the
lock for anything that would sample outside it."""

from __future__ import annotations

import fcntl
import json
import os
import shlex
import sys
import time
from pathlib import Path

from site_builder.errors import RunError
from site_builder.logs import stage_log
from site_builder.runs import Run, read_json

log = stage_log("job")

class RunLock:
    def __init__(self, run: Run) -> None:
        self.run, self.path = run, run.lock_path
        self.fd: int | None = None
        self.made: list[Path] = []   # folders this lock created, removed with it if still empty

    def acquire(self) -> "RunLock":
        missing = [f for f in (self.run.out, *self.run.out.parents) if not f.exists()]
        for folder in reversed(missing):
            folder.mkdir()
            self.made.append(folder)
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = _describe(_read(fd))
                os.close(fd)
                self.release()
                raise RunError(f"run {self.run.id!r} is in use by {holder}; wait for it to "
                               f"finish (or stop it), then run this again") from None
            # A releasing holder may have removed the file between our open and flock:
            # the lock is only ours if the path is still the file we locked.
            if _same_file(fd, self.path):
                break
            os.close(fd)
        left = _read(fd)
        if left.get("pid") and not _alive(left["pid"]):
            log.info("%s: taking over the lock of pid %s (%s), no longer running",
                     self.run.id, left["pid"], left.get("command", "?"))
        self.fd = fd
        self.note(pid=os.getpid(), command=" ".join(map(shlex.quote, ["site-builder", *sys.argv[1:]])),
                  started=time.strftime("%Y-%m-%d %H:%M:%S"))
        return self

    def note(self, **fields: object) -> None:
        """Say in the lock file who holds it (the sampler's pid, once there is one)."""
        if self.fd is None:
            return
        data = {**_read(self.fd), **fields}
        os.ftruncate(self.fd, 0)
        os.pwrite(self.fd, json.dumps(data).encode(), 0)

    def release(self) -> None:
        if self.fd is not None:
            self.path.unlink(missing_ok=True)   # while still locked: others retry on a new file
            os.close(self.fd)
            self.fd = None
        for folder in reversed(self.made):   # a run that a refused command created
            try:
                folder.rmdir()
            except OSError:
                pass
        self.made = []


class Locks:
    """The runs one command holds, each taken once and kept until `release()` (closing
    the file unlocks); `with Locks() as locks:` releases them however the command ends."""

    def __init__(self) -> None:
        self._held: dict[Path, RunLock] = {}

    def take(self, run: Run) -> RunLock:
        """The run's lock, taken now unless held already (or refused: RunError)."""
        found = self._held.get(run.dir)
        if found is None:
            found = self._held[run.dir] = RunLock(run).acquire()
        return found

    def held(self, run: Run) -> RunLock | None:
        return self._held.get(run.dir)

    def release(self) -> None:
        while self._held:
            self._held.popitem()[1].release()

    def __enter__(self) -> "Locks":
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def slurm_job_in_flight(run: Run) -> str | None:
    """The id of the run's SLURM job while squeue still has it, else None."""
    job = read_json(run.slurm_path)
    if not job or job.get("recorded", True):
        return None
    from site_builder.jobs.slurm import ACTIVE, queue_state
    try:
        state = queue_state(str(job["job_id"]))
    except Exception:  # noqa: BLE001 (no squeue here: the job cannot be followed from here)
        return None
    return str(job["job_id"]) if state in ACTIVE else None


def _read(fd: int) -> dict:
    try:
        data = json.loads(os.pread(fd, 65536, 0) or b"{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _describe(holder: dict) -> str:
    if not holder.get("pid"):
        return "another command"
    text = f"pid {holder['pid']} ({holder.get('command', '?')}, since {holder.get('started', '?')})"
    sampler = holder.get("sampler")
    if sampler and not _alive(holder["pid"]) and _alive(sampler):
        text += f", whose sampler (pid {sampler}) is still running after it ended"
    return text


def _alive(pid: object) -> bool:
    try:
        os.kill(int(pid), 0)
    except PermissionError:
        return True    # someone else's process
    except (OSError, ValueError, TypeError):
        return False
    return True


def _same_file(fd: int, path: Path) -> bool:
    try:
        on_disk = path.stat()
    except FileNotFoundError:
        return False
    mine = os.fstat(fd)
    return (mine.st_dev, mine.st_ino) == (on_disk.st_dev, on_disk.st_ino)
