"""Work done ahead, on a core that would otherwise wait. A cold build spends its first
fifth on one core (reading the sources, planning, setting up Liquid and Markdown)
before its workers fork; meanwhile a forked process converts what it can from the
files alone: the Markdown of documents without Liquid, and the Sass of stylesheets
without Liquid. The build then takes a result only where its own input is exactly
the text that process converted (the text is the key), and converts the rest as it
would have; whatever that process had not finished is dropped. Its results are
collected before the build forks its workers, which inherit them."""

from __future__ import annotations

import contextlib
import logging
import os
import pickle
import signal
import threading
from pathlib import Path
from pickle import HIGHEST_PROTOCOL
from typing import Iterator

from site_builder import compiled_patterns
from site_builder.site.parallel import LENGTH

# Fewer sources than this (as parallel.MIN_ITEMS): not worth a process.
MIN_SOURCES = 48
PIPE_SIZE = 1 << 20   # what the process may send before it waits to be read


class _Ahead:
    """The forked process, and the pipe its results come through: read only when
    they are collected (a thread reading them as they come would keep the build
    from forking its workers), so it is made to hold a megabyte; a process that
    fills it just waits."""

    def __init__(self, pid: int, pipe: int, script_links: bool) -> None:
        self.pid, self.pipe, self.script_links = pid, pipe, script_links
        self.markdown: dict[str, tuple[str, dict[str, str]]] | None = None
        self.css: dict[tuple, str] = {}

    def collect(self) -> None:
        """Its results so far; it is stopped (what it was converting is dropped), not
        waited for (it ends on the other core while this one goes on)."""
        if self.markdown is not None:
            return
        self.markdown = {}
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)
        for kind, key, value, patterns in _messages(_drain(self.pipe)):
            (self.markdown if kind == "md" else self.css)[key] = value
            compiled_patterns.adopt(patterns)   # (saved with this process's)

    def stop(self) -> None:
        self.collect()
        with contextlib.suppress(ChildProcessError):
            os.waitpid(self.pid, 0)


def _drain(pipe: int) -> bytes:
    """Whatever the pipe holds now (its writer may be in the middle of a message)."""
    os.set_blocking(pipe, False)
    chunks = []
    try:
        while chunk := os.read(pipe, 1 << 20):
            chunks.append(chunk)
    except BlockingIOError:
        pass
    finally:
        os.close(pipe)
    return b"".join(chunks)


def _messages(data: bytes) -> Iterator[tuple]:
    """The whole messages in `data` (parallel._send's), a last one cut short left out."""
    at = 0
    while at + LENGTH.size <= len(data):
        size = LENGTH.unpack_from(data, at)[0]
        at += LENGTH.size
        if at + size > len(data):
            return
        yield pickle.loads(memoryview(data)[at + 1:at + size])
        at += size


_running: _Ahead | None = None


def start(root: Path, config: dict, out: Path, *, drafts: bool, jobs: int | None) -> None:
    """Fork the process that works ahead, for a build with nothing kept from an
    earlier one, on several cores not all busy, in a process running no other
    thread (a server thread holding a lock would deadlock the child)."""
    global _running
    from site_builder.site.parallel import cores
    from site_builder.site.theme import theme_folder
    if _running is not None or min(jobs or cores(), cores()) < 2 \
            or threading.active_count() != 1 or not hasattr(os, "fork") or _busy(cores()):
        return
    script_links = theme_folder(root, config) is None   # as render_posts' Markdown
    import fcntl
    read, write = os.pipe()
    with contextlib.suppress(OSError):   # (Linux; elsewhere the pipe's own size)
        fcntl.fcntl(write, getattr(fcntl, "F_SETPIPE_SZ", 1031), PIPE_SIZE)
    pid = os.fork()
    if pid == 0:   # (never returns)
        os.close(read)
        _work(root, config, out, drafts, script_links, write)
    os.close(write)
    _running = _Ahead(pid, read, script_links)


def _busy(count: int) -> bool:
    """Whether the machine's other cores are taken already (the last minute's load):
    the process would then take time from the build, or from others' work."""
    try:
        return os.getloadavg()[0] > count - 0.5
    except OSError:
        return False


def markdown(script_links: bool) -> dict[str, tuple[str, dict[str, str]]]:
    """Markdown text -> (its HTML, the code blocks it highlighted), converted ahead
    with kramdown's options and `script_links` as given (a theme's Markdown differs)."""
    if _running is None:
        return {}
    _running.collect()
    return _running.markdown if _running.script_links == script_links else {}


def css() -> dict[tuple, str]:
    """(text, name, extension, first line) -> CSS, compiled ahead (sass.compile_sass)."""
    if _running is None:
        return {}
    _running.collect()
    return _running.css


def collect() -> None:
    """Stop the process and keep what it sent: before the build forks its workers."""
    if _running is not None:
        _running.collect()


def stop() -> None:
    """At the end of a build, whatever happened: the process is gone, its results
    forgotten."""
    global _running
    if _running is not None:
        running, _running = _running, None
        running.stop()


def _work(root: Path, config: dict, out: Path, drafts: bool, script_links: bool,
          send: int) -> None:
    """The forked process: each result sent as soon as it is made, until it is
    killed or done. Nothing of it is shown: a source's error is the build's to say."""
    from site_builder.site.parallel import RESULTS, _send
    code = 1
    try:
        quiet = os.open(os.devnull, os.O_WRONLY)
        os.dup2(quiet, 1)
        os.dup2(quiet, 2)
        logging.disable(logging.CRITICAL)
        with os.fdopen(send, "wb") as results:
            for result in _results(root, config, out, drafts, script_links):
                # with the regular expressions compiled for it: a process that is
                # killed saves none (compiled_patterns.py)
                _send(results, RESULTS + pickle.dumps((*result, compiled_patterns.taken()),
                                                      HIGHEST_PROTOCOL))
        code = 0
    finally:
        os._exit(code)


def _results(root: Path, config: dict, out: Path, drafts: bool, script_links: bool):  # noqa: ANN202
    """("sass", key, CSS) and ("md", text, (HTML, code blocks)) for the sources with
    no Liquid: stylesheets first (one is as long to compile as dozens of documents
    to convert), then documents, the shortest first (the workers take the longest
    first: whatever is done here is what they would have come to last)."""
    from site_builder.errors import BuildError
    from site_builder.site import reader
    from site_builder.site.sass import compile_sass, is_sass
    from site_builder.site.sources import MARKDOWN_SUFFIXES
    inv = reader.read(root, config, out, drafts=drafts)
    found = inv.posts + inv.drafts + inv.pages + [d for ds in inv.collections.values() for d in ds]
    if len(found) < MIN_SOURCES:
        return
    sources = [(f.path.stat().st_size, f) for f in found
               if f.path.suffix.lower() in MARKDOWN_SUFFIXES or is_sass(f.path.suffix)]
    sources.sort(key=lambda item: (not is_sass(item[1].path.suffix), item[0]))
    md = None
    for _, source in sources:
        split = _body(source)
        if split is None:
            continue
        body, name, line = split
        if is_sass(source.path.suffix):
            try:
                css = compile_sass(body, name, source.path.suffix, root, config, line)
            except BuildError:
                continue
            yield "sass", (body, name, source.path.suffix, line), css
            continue
        if md is None:
            from site_builder.site.kramdown import renderer
            md = renderer(config.get("kramdown"), script_links=script_links)
        used: dict[str, str] = {}
        yield "md", body, (md.render(body, {"highlighted": {}, "used": used}), used)


def _body(source) -> tuple[str, str, int] | None:  # noqa: ANN001 (reader.Found)
    """The source's body as the build reads it, its name and its first line; None
    for one with Liquid (its text is known only once rendered) or that does not read."""
    from site_builder.frontmatter import body_start
    from site_builder.site.sources import _read_text
    try:
        text = _read_text(source.path, source.rel)
    except Exception:   # noqa: BLE001 - the build reads it again, and says what is wrong
        return None
    start = body_start(text)
    if not start or start == len(text) or "{{" in text or "{%" in text:
        return None
    return text[start:], source.rel, text.count("\n", 0, start) + 1
