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


def forks(count: int, jobs: int | None = None) -> bool:
    """Whether map_indexed would spread `count` items over worker processes."""
    return (count >= MIN_ITEMS and min(jobs or cores(), count) >= 2
            and threading.active_count() == 1
            and "fork" in multiprocessing.get_all_start_methods())


def map_indexed(func: Callable[[Any, int], Any], work: Any, count: int,
                jobs: int | None = None) -> list:
    """[func(work, i) for i in range(count)], on every core when it is worth it.
    Only forks a process that runs no other threads (a server thread holding a lock
    would deadlock the child); otherwise it runs here."""
    global _job
    if not forks(count, jobs):
        return [func(work, i) for i in range(count)]
    jobs = min(jobs or cores(), count)
    # The first item here: whatever the work sets up on first use (templates parsed,
    # the site's drops, Pygments' lexers) is then inherited by every worker instead
    # of being set up again in each, and stays for this process's next build.
    first = func(work, 0)
    _job = (func, work)
    try:
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            return [first, *pool.map(_run, range(1, count),
                                     chunksize=max(1, count // (jobs * 4)))]
    finally:
        _job = None


def _run(i: int) -> Any:
    func, work = _job
    return func(work, i)
