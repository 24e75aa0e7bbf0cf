"""Work spread over the machine's cores: forked workers that inherit what they need
(parsed posts, Liquid and Markdown set up) instead of having it pickled to them."""

from __future__ import annotations

import gc
import multiprocessing
import os
import threading
import traceback
from multiprocessing.connection import Connection, wait
from typing import Any, Callable

# Below this many items a pool costs more than it saves.
MIN_ITEMS = 48


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
    if not forks(count, jobs):
        return [func(work, i) for i in range(count)]
    # The first item here: whatever the work sets up on first use (templates parsed,
    # the site's drops, Pygments' lexers) is then inherited by every worker instead
    # of being set up again in each, and stays for this process's next build.
    first = func(work, 0)
    # Objects that exist now are left out of the workers' garbage collections, which
    # would otherwise touch, and so copy, every page the parent shares with them.
    gc.freeze()
    try:
        return [first, *_forked(func, work, range(1, count), min(jobs or cores(), count))]
    finally:
        gc.unfreeze()


class WorkerError(Exception):
    """The traceback of an exception raised in a worker (its cause, in the parent)."""


def _forked(func: Callable[[Any, int], Any], work: Any, items: range, jobs: int) -> list:
    """`jobs` forked workers, each running a closure over `func` and `work` (a fork's
    target is never pickled: only indices and results cross). Chunks are handed out
    as workers ask, so one slow item does not hold up a whole share; an exception in
    a worker is raised here, and a worker that dies is an error, never a hang."""
    context = multiprocessing.get_context("fork")
    first, count = items.start, items.stop
    # Small chunks: items differ in size a hundredfold, and the worker with the last
    # big chunk keeps the others waiting.
    size = max(1, min(8, len(items) // (jobs * 8)))
    taken = context.Value("q", first)   # the first index no worker has claimed yet

    def worker(results: Connection) -> None:
        try:
            while True:
                with taken.get_lock():
                    start = taken.value
                    taken.value = start + size
                if start >= count:
                    return
                results.send((start, [func(work, i) for i in range(start, min(start + size, count))]))
        except BaseException as exc:   # noqa: BLE001 - every failure goes to the parent
            text = traceback.format_exc()
            try:
                results.send((-1, (exc, text)))
            except Exception:   # noqa: BLE001 - an exception that cannot be pickled
                results.send((-1, (RuntimeError(f"{type(exc).__name__}: {exc}"), text)))
        finally:
            results.close()

    out: list = [None] * len(items)
    pipes, workers, done = [], [], 0
    try:
        for _ in range(jobs):
            receive, send = context.Pipe(duplex=False)
            process = context.Process(target=worker, args=(send,), daemon=True)
            process.start()
            send.close()   # the worker's end: its exit is then an end of file here
            pipes.append(receive)
            workers.append(process)
        open_pipes = set(pipes)
        while open_pipes:
            for pipe in wait(list(open_pipes)):
                try:
                    start, chunk = pipe.recv()
                except EOFError:
                    open_pipes.discard(pipe)
                    continue
                if start < 0:
                    exc, text = chunk
                    raise exc from WorkerError(text)
                out[start - first:start - first + len(chunk)] = chunk
                done += len(chunk)
    except BaseException:
        for process in workers:   # the others' work is not wanted any more
            process.terminate()
        raise
    finally:
        for process in workers:
            process.join()
        for pipe in pipes:
            pipe.close()
    if done < len(items):
        codes = sorted({p.exitcode for p in workers if p.exitcode})
        raise RuntimeError(f"a worker process ended early (exit code {codes}); "
                           f"{len(items) - done} of {len(items)} items were not done")
    return out
