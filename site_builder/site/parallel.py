"""Work spread over the machine's cores: forked workers that inherit what they need
(parsed posts, Liquid and Markdown set up) instead of having it pickled to them."""

from __future__ import annotations

import contextlib
import gc
import os
import pickle
import threading
import traceback
from pickle import HIGHEST_PROTOCOL
from typing import TYPE_CHECKING, Any, Callable, Iterator

from site_builder import compiled_patterns
from site_builder.errors import BuildError

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

# Below this many items a pool costs more than it saves.
MIN_ITEMS = 48
# What a worker's message holds: a chunk's results, or its failure.
RESULTS, FAILURE = b"R", b"F"


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
    """[func(work, i) for i in range(count)], on every core when it is worth it:
    this process and `jobs - 1` forked workers take chunks of items in turn.
    `sizes`: each item's rough cost (its text's length), so the biggest start first.
    Only forks a process that runs no other threads (a server thread holding a lock
    would deadlock the child); otherwise it runs here."""
    if not forks(count, jobs):
        return [func(work, i) for i in range(count)]
    jobs = min(jobs or cores(), count)
    # Objects that exist now are left out of the workers' garbage collections, which
    # would otherwise touch, and so copy, every page the parent shares with them.
    gc.freeze()
    try:
        return _forked(func, work, _chunks(range(count), sizes, jobs), jobs)
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
    """`jobs - 1` forked workers and this process, each running `func` over `work`
    (a fork's target is never pickled: only indices and results cross), for the
    items of `chunks`; their results, in the order of the items' indices. Chunks are
    handed out in order as each asks, so one slow item does not hold up a whole
    share. This process works too: no core waits on it, what it sets up (templates
    compiled, lexers loaded) stays for the next phase's workers, and its results need
    no pickling. An exception in a worker is raised here, and a worker that dies is
    an error, never a hang."""
    import multiprocessing
    context = multiprocessing.get_context("fork")
    taken = context.Value("q", 0)   # the first chunk nobody has claimed yet
    found: dict[int, Any] = {}
    pipes, workers, received = [], [], None
    try:
        for _ in range(jobs - 1):
            receive, send = context.Pipe(duplex=False)
            process = context.Process(target=_worker(func, work, chunks, taken),
                                      args=(send,), daemon=True)
            process.start()
            send.close()   # the worker's end: its exit is then an end of file here
            pipes.append(receive)
            workers.append(process)
        received = _Receiver(pipes)
        while (number := _claim(taken, chunks)) is not None and not received.failed:
            found.update(zip(chunks[number], [func(work, i) for i in chunks[number]]))
        received.join()
        _collect(received.messages, chunks, found)
    except BaseException:
        for process in workers:   # the others' work is not wanted any more
            process.terminate()
        raise
    finally:
        for process in workers:
            process.join()
        if received is not None:
            received.join()   # it has read every end of file by now
        for pipe in pipes:
            pipe.close()
    wanted = sum(len(chunk) for chunk in chunks)
    if len(found) < wanted:   # killed (the out-of-memory killer, a kill -9): no bug of ours
        codes = sorted({p.exitcode for p in workers if p.exitcode})
        raise BuildError(f"a worker process ended early (exit code {codes}; a negative code "
                         f"is the signal that killed it); {wanted - len(found)} of {wanted} "
                         f"items were not done and nothing was written; build again")
    return [found[i] for i in sorted(found)]


def _claim(taken: Any, chunks: list[list[int]]) -> int | None:
    """The next chunk's number for whoever asks (`taken` is shared), or None."""
    with taken.get_lock():
        number = taken.value
        taken.value = number + 1
    return number if number < len(chunks) else None


def _worker(func: Callable[[Any, int], Any], work: Any, chunks: list[list[int]],
            taken: Any) -> Callable[[Connection], None]:
    """What each worker runs: claim the next chunk, send back its results, until
    none is left; any failure goes back as (exception, traceback's text)."""
    def worker(results: Connection) -> None:
        try:
            while (number := _claim(taken, chunks)) is not None:
                done = [func(work, i) for i in chunks[number]]
                results.send_bytes(RESULTS + pickle.dumps((number, done), HIGHEST_PROTOCOL))
        except BaseException as exc:   # noqa: BLE001 - every failure goes to the parent
            text = traceback.format_exc()
            try:
                failure = pickle.dumps((exc, text))
            except Exception:   # noqa: BLE001 - an exception that cannot be pickled
                failure = pickle.dumps((RuntimeError(f"{type(exc).__name__}: {exc}"), text))
            results.send_bytes(FAILURE + failure)
        finally:
            results.close()
            compiled_patterns.save()   # its lexers' patterns, for the next build
    return worker


class _Receiver(threading.Thread):
    """The workers' messages, read as they come while this process renders: a
    worker whose pipe filled up would otherwise wait for this process to finish its
    chunk. Only bytes are read here (the read lets go of the interpreter's lock);
    they are unpickled after."""

    def __init__(self, pipes: list[Connection]) -> None:
        super().__init__(daemon=True)
        self.pipes, self.messages, self.failed = pipes, [], False
        self.start()

    def run(self) -> None:
        from multiprocessing.connection import wait
        open_pipes = set(self.pipes)
        while open_pipes:
            for pipe in wait(list(open_pipes)):
                try:
                    message = pipe.recv_bytes()
                except (EOFError, OSError):
                    open_pipes.discard(pipe)
                    continue
                self.messages.append(message)
                self.failed = self.failed or message[:1] == FAILURE


def _collect(messages: list[bytes], chunks: list[list[int]], found: dict[int, Any]) -> None:
    """Each chunk's results into `found` (by item index); a worker's exception is
    raised here."""
    for message in messages:
        if message[:1] == FAILURE:
            exc, text = pickle.loads(memoryview(message)[1:])
            raise exc from WorkerError(text)
        number, results = pickle.loads(memoryview(message)[1:])
        found.update(zip(chunks[number], results))
