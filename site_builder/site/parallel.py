"""Work spread over the machine's cores: forked workers that inherit what they need
(parsed posts, Liquid and Markdown set up) instead of having it pickled to them."""

from __future__ import annotations

import contextlib
import gc
import os
import pickle
import signal
import struct
import sys
import threading
import traceback
from pickle import HIGHEST_PROTOCOL
from typing import Any, BinaryIO, Callable, Iterator

from site_builder import compiled_patterns
from site_builder.errors import BuildError

# Below this many items a pool costs more than it saves.
MIN_ITEMS = 48
# What a worker's message holds: a chunk's results, or its failure.
RESULTS, FAILURE = b"R", b"F"
LENGTH = struct.Struct("=Q")   # a message's length, before it
CLAIM = struct.Struct("=I")    # a chunk's number, in the claims pipe
# The claims are written before any is read: no more than a pipe holds (64 KiB).
MAX_CHUNKS = 65536 // CLAIM.size


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
    return (count >= MIN_ITEMS and min(jobs or cores(), count) >= 2
            and threading.active_count() == 1 and hasattr(os, "fork"))


def map_indexed(func: Callable[[Any, int], Any], work: Any, count: int,
                jobs: int | None = None, sizes: list[int] | None = None,
                first: Callable[[], None] | None = None) -> list:
    """[func(work, i) for i in range(count)], on every core when it is worth it:
    this process and `jobs - 1` forked workers take chunks of items in turn.
    `sizes`: each item's rough cost (its text's length), so the biggest start first.
    `first`: what this process does, once the workers have forked, before its share
    of the items (only when it forks): set-up for a later phase, whose workers then
    inherit it, done while the others render instead of before they fork, or in
    each of them. Only forks a process that runs no other threads (a server thread
    holding a lock would deadlock the child); otherwise it runs here."""
    if not forks(count, jobs):
        return [func(work, i) for i in range(count)]
    jobs = min(jobs or cores(), count)
    # Objects that exist now are left out of the workers' garbage collections, which
    # would otherwise touch, and so copy, every page the parent shares with them.
    gc.freeze()
    try:
        return _forked(func, work, _at_most(_chunks(range(count), sizes, jobs), MAX_CHUNKS), jobs,
                       first)
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


def _at_most(chunks: list[list[int]], most: int) -> list[list[int]]:
    """`chunks`, neighbours joined until there are at most `most`."""
    if len(chunks) <= most:
        return chunks
    step = -(-len(chunks) // most)
    return [[i for chunk in chunks[at:at + step] for i in chunk] for at in range(0, len(chunks), step)]


class WorkerError(Exception):
    """The traceback of an exception raised in a worker (its cause, in the parent)."""


def _forked(func: Callable[[Any, int], Any], work: Any, chunks: list[list[int]],
            jobs: int, first: Callable[[], None] | None = None) -> list:
    """`jobs - 1` forked workers and this process, each running `func` over `work`
    (a fork's target is never pickled: only indices and results cross), for the
    items of `chunks`; their results, in the order of the items' indices. Chunks are
    handed out in order as each asks, so one slow item does not hold up a whole
    share. This process works too: no core waits on it, what it sets up (templates
    compiled, lexers loaded) stays for the next phase's workers, and its results need
    no pickling. An exception in a worker is raised here, and a worker that dies is
    an error, never a hang. (os.fork and pipes, not multiprocessing: its modules
    were a tenth of the imports every build makes before it forks.)"""
    claims = _claims(len(chunks))
    found: dict[int, Any] = {}
    workers: list[int] = []
    received, pipes = None, []
    try:
        for _ in range(jobs - 1):
            receive, send = os.pipe()
            pid = _fork_worker(_worker(func, work, chunks, claims), send, pipes)
            os.close(send)   # the worker's end: its exit is then an end of file here
            pipes.append(receive)
            workers.append(pid)
        received = _Receiver(pipes)
        if first is not None:
            first()
        while (number := _claim(claims)) is not None and not received.failed:
            found.update(zip(chunks[number], [func(work, i) for i in chunks[number]]))
        received.join()
        _collect(received.messages, chunks, found)
    except BaseException:
        for pid in workers:   # the others' work is not wanted any more
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGTERM)
        raise
    finally:
        codes = _wait_all(workers)
        if received is not None:
            received.join()   # it has read every end of file by now (and closed them)
        else:
            for pipe in pipes:
                os.close(pipe)
        os.close(claims)
    wanted = sum(len(chunk) for chunk in chunks)
    if len(found) < wanted:   # killed (the out-of-memory killer, a kill -9): no bug of ours
        raise BuildError(f"a worker process ended early (exit code {sorted(set(codes) - {0})}; "
                         f"a negative code is the signal that killed it); {wanted - len(found)} "
                         f"of {wanted} items were not done and nothing was written; build again")
    return [found[i] for i in sorted(found)]


def _claims(count: int) -> int:
    """A pipe holding the chunks' numbers, four bytes each, its writing end closed:
    whoever reads four bytes has claimed that chunk (the kernel serialises reads of a
    pipe), and an empty read means none is left."""
    read, write = os.pipe()
    try:
        os.write(write, b"".join(CLAIM.pack(number) for number in range(count)))
    finally:
        os.close(write)
    return read


def _claim(claims: int) -> int | None:
    """The next chunk's number for whoever asks, or None when all are taken."""
    data = os.read(claims, CLAIM.size)
    return CLAIM.unpack(data)[0] if data else None


def _fork_worker(worker: Callable[[int], None], send: int, others: list[int]) -> int:
    """A forked process running `worker(send)`, then ending without running this
    process's exit handlers or tearing its interpreter down; its pid."""
    sys.stdout.flush()
    sys.stderr.flush()   # (else what waits in their buffers is written twice)
    pid = os.fork()
    if pid:
        return pid
    code = 1
    try:
        for fd in others:   # the ends this process reads other workers' results from
            os.close(fd)
        worker(send)
        code = 0
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)


def _wait_all(pids: list[int]) -> list[int]:
    """Each worker's exit code once it has ended (negative: the signal that ended it)."""
    codes = []
    for pid in pids:
        with contextlib.suppress(ChildProcessError):
            codes.append(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))
    return codes


def _worker(func: Callable[[Any, int], Any], work: Any, chunks: list[list[int]],
            claims: int) -> Callable[[int], None]:
    """What each worker runs: claim the next chunk, send back its results, until
    none is left; any failure goes back as (exception, traceback's text)."""
    def worker(send: int) -> None:
        with os.fdopen(send, "wb") as results:
            try:
                while (number := _claim(claims)) is not None:
                    done = [func(work, i) for i in chunks[number]]
                    _send(results, RESULTS + pickle.dumps((number, done), HIGHEST_PROTOCOL))
            except BaseException as exc:   # noqa: BLE001 - every failure goes to the parent
                text = traceback.format_exc()
                try:
                    failure = pickle.dumps((exc, text))
                except Exception:   # noqa: BLE001 - an exception that cannot be pickled
                    failure = pickle.dumps((RuntimeError(f"{type(exc).__name__}: {exc}"), text))
                _send(results, FAILURE + failure)
            finally:
                compiled_patterns.save()   # its lexers' patterns, for the next build
    return worker


def _send(results: BinaryIO, message: bytes) -> None:
    results.write(LENGTH.pack(len(message)))
    results.write(message)   # (not joined to its length: a copy of every result)
    results.flush()


class _Receiver:
    """The workers' messages, read as they come while this process renders (a thread
    per worker): a worker whose pipe filled up would otherwise wait for this process
    to finish its chunk. Only bytes are read there (reading lets go of the
    interpreter's lock); they are unpickled after."""

    def __init__(self, pipes: list[int]) -> None:
        self.messages: list[bytes] = []
        self.failed = False
        self.threads = [threading.Thread(target=self._read, args=(pipe,), daemon=True)
                        for pipe in pipes]
        for thread in self.threads:
            thread.start()

    def _read(self, pipe: int) -> None:
        with os.fdopen(pipe, "rb") as messages:
            while len(head := messages.read(LENGTH.size)) == LENGTH.size:
                size = LENGTH.unpack(head)[0]
                message = messages.read(size)
                if len(message) < size:   # cut short by the worker's death: its items count as not done
                    break
                self.messages.append(message)
                self.failed = self.failed or message[:1] == FAILURE

    def join(self) -> None:
        for thread in self.threads:
            thread.join()


def _collect(messages: list[bytes], chunks: list[list[int]], found: dict[int, Any]) -> None:
    """Each chunk's results into `found` (by item index); a worker's exception is
    raised here."""
    for message in messages:
        if message[:1] == FAILURE:
            exc, text = pickle.loads(memoryview(message)[1:])
            raise exc from WorkerError(text)
        number, results = pickle.loads(memoryview(message)[1:])
        found.update(zip(chunks[number], results))
