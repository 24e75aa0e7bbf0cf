"""Work spread over the machine's cores: forked workers that inherit what they need
(parsed posts, Liquid and Markdown set up) instead of having it pickled to them."""

from __future__ import annotations

import contextlib
import gc
import os
import threading
import traceback
from typing import TYPE_CHECKING, Any, Callable, Iterator

from site_builder import compiled_patterns

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

# Below this many items a pool costs more than it saves.
MIN_ITEMS = 48


@contextlib.contextmanager
def collections_paused() -> Iterator[None]:
    """No cyclic garbage collection inside: a build makes millions of short-lived
    objects (Markdown tokens, Liquid contexts) and almost no cycles, and the
    collector's passes over them cost a fifth of rendering. What cycles there are
    are collected once, after."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def forks(count: int, jobs: int | None = None) -> bool:
    """Whether map_indexed would spread `count` items over worker processes."""
    if count < MIN_ITEMS or min(jobs or cores(), count) < 2 or threading.active_count() != 1:
        return False
    import multiprocessing   # only here: a no-op build never needs it
    return "fork" in multiprocessing.get_all_start_methods()


def map_indexed(func: Callable[[Any, int], Any], work: Any, count: int,
                jobs: int | None = None, sizes: list[int] | None = None) -> list:
    """[func(work, i) for i in range(count)], on every core when it is worth it.
    `sizes`: each item's rough cost (its text's length), so the biggest start first.
    Only forks a process that runs no other threads (a server thread holding a lock
    would deadlock the child); otherwise it runs here."""
    if not forks(count, jobs):
        return [func(work, i) for i in range(count)]
    # The first item here: whatever the work sets up on first use (templates parsed,
    # the site's drops, Pygments' lexers) is then inherited by every worker instead
    # of being set up again in each, and stays for this process's next build.
    first = func(work, 0)
    jobs = min(jobs or cores(), count)
    # Objects that exist now are left out of the workers' garbage collections, which
    # would otherwise touch, and so copy, every page the parent shares with them.
    gc.freeze()
    try:
        return [first, *_forked(func, work, _chunks(range(1, count), sizes, jobs), jobs)]
    finally:
        gc.unfreeze()


def _chunks(items: range, sizes: list[int] | None, jobs: int) -> list[list[int]]:
    """The items in the order workers take them, in chunks: the biggest first (one
    page of Jekyll's docs costs as much as sixty others: started last, it would keep
    one core busy long after the other is done), then ever smaller ones, several to a
    chunk so that the workers ask less often."""
    order = sorted(items, key=lambda i: -sizes[i]) if sizes else list(items)
    if not sizes:
        size = max(1, min(8, len(order) // (jobs * 8)))
        return [order[i:i + size] for i in range(0, len(order), size)]
    share = sum(sizes[i] for i in order) / (jobs * 16)   # a sixteenth of a worker's share
    chunks: list[list[int]] = []
    for i in order:
        if chunks and len(chunks[-1]) < 8 and sum(sizes[j] for j in chunks[-1]) + sizes[i] <= share:
            chunks[-1].append(i)
        else:
            chunks.append([i])
    return chunks


class WorkerError(Exception):
    """The traceback of an exception raised in a worker (its cause, in the parent)."""


def _forked(func: Callable[[Any, int], Any], work: Any, chunks: list[list[int]],
            jobs: int) -> list:
    """`jobs` forked workers, each running a closure over `func` and `work` (a fork's
    target is never pickled: only indices and results cross), for the items of
    `chunks`; their results, in the order of the items' indices. Chunks are handed
    out in order as workers ask, so one slow item does not hold up a whole share; an
    exception in a worker is raised here, and a worker that dies is an error, never
    a hang."""
    import multiprocessing
    context = multiprocessing.get_context("fork")
    taken = context.Value("q", 0)   # the first chunk no worker has claimed yet
    worker = _worker(func, work, chunks, taken)
    found: dict[int, Any] = {}
    pipes, workers = [], []
    try:
        for _ in range(jobs):
            receive, send = context.Pipe(duplex=False)
            process = context.Process(target=worker, args=(send,), daemon=True)
            process.start()
            send.close()   # the worker's end: its exit is then an end of file here
            pipes.append(receive)
            workers.append(process)
        _collect(pipes, chunks, found)
    except BaseException:
        for process in workers:   # the others' work is not wanted any more
            process.terminate()
        raise
    finally:
        for process in workers:
            process.join()
        for pipe in pipes:
            pipe.close()
    wanted = sum(len(chunk) for chunk in chunks)
    if len(found) < wanted:
        codes = sorted({p.exitcode for p in workers if p.exitcode})
        raise RuntimeError(f"a worker process ended early (exit code {codes}); "
                           f"{wanted - len(found)} of {wanted} items were not done")
    return [found[i] for i in sorted(found)]


def _worker(func: Callable[[Any, int], Any], work: Any, chunks: list[list[int]],
            taken: Any) -> Callable[[Connection], None]:
    """What each worker runs: claim the next chunk (`taken`, shared), send back its
    results, until none is left; any failure goes back as (-1, (exception, text))."""
    def worker(results: Connection) -> None:
        try:
            while True:
                with taken.get_lock():
                    number = taken.value
                    taken.value = number + 1
                if number >= len(chunks):
                    return
                results.send((number, [func(work, i) for i in chunks[number]]))
        except BaseException as exc:   # noqa: BLE001 - every failure goes to the parent
            text = traceback.format_exc()
            try:
                results.send((-1, (exc, text)))
            except Exception:   # noqa: BLE001 - an exception that cannot be pickled
                results.send((-1, (RuntimeError(f"{type(exc).__name__}: {exc}"), text)))
        finally:
            results.close()
            compiled_patterns.save()   # its lexers' patterns, for the next build
    return worker


def _collect(pipes: list[Connection], chunks: list[list[int]], found: dict[int, Any]) -> None:
    """Each chunk's results into `found` (by item index) as workers send them, until
    every worker has closed its pipe; a worker's exception is raised here."""
    from multiprocessing.connection import wait
    open_pipes = set(pipes)
    while open_pipes:
        for pipe in wait(list(open_pipes)):
            try:
                number, results = pipe.recv()
            except EOFError:
                open_pipes.discard(pipe)
                continue
            if number < 0:
                exc, text = results
                raise exc from WorkerError(text)
            found.update(zip(chunks[number], results))
