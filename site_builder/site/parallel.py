"""Work spread over the machine's cores: forked workers that inherit what they need
(parsed posts, Liquid and Markdown set up) instead of having it pickled to them."""

from __future__ import annotations

import multiprocessing
import os
import threading
from typing import Any, Callable

# Below this many items a pool costs more than it saves.
MIN_ITEMS = 48
_job: tuple[Callable[[Any, int], Any], Any] | None = None


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def map_indexed(func: Callable[[Any, int], Any], work: Any, count: int,
                jobs: int | None = None) -> list:
    """[func(work, i) for i in range(count)], on every core when it is worth it.
    Only forks a process that runs no other threads (a server thread holding a lock
    would deadlock the child); otherwise it runs here."""
    global _job
    jobs = min(jobs or cores(), count)
    if (count < MIN_ITEMS or jobs < 2 or threading.active_count() > 1
            or "fork" not in multiprocessing.get_all_start_methods()):
        return [func(work, i) for i in range(count)]
    _job = (func, work)
    try:
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            return pool.map(_run, range(count), chunksize=max(1, count // (jobs * 4)))
    finally:
        _job = None


def _run(i: int) -> Any:
    func, work = _job
    return func(work, i)
