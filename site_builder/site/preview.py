"""`make serve`: build the blog, serve `_site/` (server.py), and rebuild and reload
the open pages on every change.

A polling watcher (watch.py: every `interval` seconds; a rebuild once a change has
held still for `settle` seconds) calls `build()`; the open pages hear of it through
the live-reload state (livereload.py). A failed build leaves `_site/` as it was, so
the last good site keeps being served, and every page shows the error above it
until a build succeeds, when it reloads. Loopback only unless told otherwise: this
is a preview, not a web server.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
import traceback
from pathlib import Path
from typing import Any, Callable

from site_builder.config import SITE_DEFAULTS, load_site_config
from site_builder.errors import SiteBuilderError
from site_builder.logs import stage_log
from site_builder.site import build
from site_builder.site.livereload import LiveState
from site_builder.site.server import SiteServer, make_server
from site_builder.site.watch import describe_changes, snapshot, stamps

log = stage_log("serve")
# The author's notes a blog's posts are written from (outside what the site reads):
# the files to watch, and what writes the posts again when one of them changes.
Notes = tuple[Callable[[], list[Path]], Callable[[], None]]


def serve(root: Path, host: str = "127.0.0.1", port: int = 4000,
          verbose_hint: str = "site-builder build --verbose", notes: Notes | None = None,
          config_files: list[Path] | None = None, out_dir: Path | None = None) -> None:
    """Build the blog at `root`, serve it, and rebuild on every change until Ctrl-C
    (`config_files`, `out_dir`: a _config.yml that says `source: src`, and its _site/)."""
    preview = Preview(root, host=host, port=port, verbose_hint=verbose_hint, notes=notes,
                      config_files=config_files, out_dir=out_dir)
    try:
        preview.start(watch=False)
        log.info("serving %s (rebuilds and reloads on every change; Ctrl-C stops)", preview.url)
        preview.watch()   # in this thread, so Ctrl-C lands here (and a build cleans up after itself)
    except KeyboardInterrupt:
        log.info("stopped")
    finally:
        preview.stop()


class Preview:
    """The blog at `root`, built, served and rebuilt on change. `start()` builds once
    and serves in a thread (port 0 takes any free port; `url` says which); `watch()`
    polls until `stop()`, or `start(watch=True)` polls in a thread too. `check()` is
    one poll, `rebuild()` one unconditional build, for tests."""

    def __init__(self, root: Path, *, host: str = "127.0.0.1", port: int = 4000,
                 log: logging.Logger = log, interval: float = 0.25,
                 settle: float = 0.1, verbose_hint: str = "site-builder build --verbose",
                 notes: Notes | None = None, config_files: list[Path] | None = None,
                 out_dir: Path | None = None) -> None:
        self.root = Path(root).resolve()
        self.config_files = config_files
        self.verbose_hint = verbose_hint
        self.notes = notes
        self._notes_written = self._notes_now = self._notes_state()
        self.site_dir = Path(out_dir) if out_dir is not None else self.root / "_site"
        self.host, self.port, self.log = host, port, log
        self.interval, self.settle = interval, settle
        self.live = LiveState()
        self.config: dict = dict(SITE_DEFAULTS)   # the last _config.yml that could be read
        self.server: SiteServer | None = None
        self._built: dict[str, tuple[int, int]] | None = None   # the files the last build saw
        self._pending: dict[str, tuple[int, int]] | None = None
        self._pending_since = 0.0
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    @property
    def url(self) -> str:
        assert self.server is not None, "start() first"
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}{self.server.baseurl}/"

    def start(self, *, watch: bool = True) -> Preview:
        if self.server is not None:
            raise RuntimeError("this preview is started already")
        # Listen first: a port in use is said before a build (minutes on a big blog), and
        # no build is made for a preview that cannot be served.
        self.server = make_server(self.site_dir, self.config["baseurl"], host=self.host,
                                  port=self.port, log=self.log, live=self.live)
        self.rebuild()
        self._thread(self.server.serve_forever, 0.1)
        if watch:
            self._thread(self.watch)
        return self

    def stop(self) -> None:
        self._stop.set()
        self.live.stop()   # ends the event streams
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
        for thread in self._threads:
            if thread is not threading.current_thread():
                thread.join()

    def __enter__(self) -> Preview:
        return self if self.server is not None else self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def watch(self) -> None:
        """Poll until stop(); a change rebuilds once it has held still for `settle` s."""
        while not self._stop.is_set():
            started = time.monotonic()
            self.check()
            # A huge tree must not keep a core busy: wait at least twice as long as a scan took.
            pause = self.settle if self._pending is not None else self.interval
            self._stop.wait(max(pause, 2 * (time.monotonic() - started)))

    def check(self) -> bool | None:
        """One poll: None when nothing changed (or a change is still settling), else
        whether the rebuild it started succeeded."""
        if self.notes is not None and not self._regenerate_on_notes():
            return False
        files = self.scan()
        if files == self._built:
            self._pending = None
            return None
        if files != self._pending:
            self._pending, self._pending_since = files, time.monotonic()
            return None
        if time.monotonic() - self._pending_since < self.settle:
            return None
        self._pending = None
        self.log.info("%s; rebuilding", describe_changes(self._built or {}, files, self.root))
        return self.rebuild()

    def _notes_state(self) -> dict[str, tuple[int, int]]:
        return {} if self.notes is None else stamps(self.notes[0]())

    def _regenerate_on_notes(self) -> bool:
        """A notes file changed and held still for a poll: the posts are written again
        (`make posts`), which the next scan sees as a change of the posts. False when
        that failed (a hand-edited post), said as a failed build is."""
        now = self._notes_state()
        settled, self._notes_now = now == self._notes_now, now
        if now == self._notes_written or not settled:
            return True
        self._notes_written = now
        self.log.info("notes changed; writing the posts again")
        try:
            self.notes[1]()
        except SiteBuilderError as exc:
            return self._failed(str(exc))
        return True

    def rebuild(self) -> bool:
        """Build now; True when it succeeded. A failure keeps the last good site."""
        try:
            try:
                self.config = load_site_config(self.root, self.config_files)
            finally:
                # What is watched depends on the config (posts_dir, exclude:): the files
                # as this build's config sees them, or the next poll would see a change.
                self._built = self.scan()
            if self.server is not None:
                self.server.baseurl = self.config["baseurl"]
            build(self.root, out_dir=self.site_dir, config_files=self.config_files, log=self.log,
                  verbose_hint=self.verbose_hint)
        except SiteBuilderError as exc:
            return self._failed(str(exc))
        except Exception as exc:   # a bug: show it, keep serving the last good site
            traceback.print_exc(file=sys.stderr)
            return self._failed(f"site-builder failed ({type(exc).__name__}: {exc}); this is a bug, "
                                f"the traceback is in the terminal")
        self.live.built()
        return True

    def _failed(self, message: str) -> bool:
        for line in message.splitlines():
            self.log.error("error: %s", line)
        kept = "the last good build" if self.site_dir.is_dir() else "nothing until a build succeeds"
        self.log.info("build failed; serving %s, and the error in every page", kept)
        self.live.failed(message)
        return False

    def scan(self) -> dict[str, tuple[int, int]]:
        """Every watched file: path -> (mtime in ns, size)."""
        files = snapshot(self.root, self.config, self.site_dir)
        files.update(stamps(self.config_files or []))   # outside the source: not in the snapshot
        return files

    def _thread(self, target: Callable, *args: Any) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True,
                                  name=f"site-builder preview {target.__name__}")
        thread.start()
        self._threads.append(thread)
