"""Preview the blog: build it, serve `_site/` the way Jekyll's own server does, and
rebuild and reload the open pages on every change.

The site lives under the config's `baseurl` (as on GitHub Pages), `/slug` finds
`slug.html`, byte ranges are honoured so <audio> players can seek, and a missing
page gets the site's 404.html. Loopback only unless told otherwise: this is a
preview, not a web server.

Live reload (`Preview`): a polling watcher (stdlib only: it compares every watched
file's mtime and size every `interval` seconds, and rebuilds once a change has held
still for `settle` seconds) calls `site.build()`; open pages hear of it through
Server-Sent Events at `EVENTS`, from a small script added to every HTML response at
serve time (never to `_site/`). A failed build leaves `_site/` as it was, so the
last good site keeps being served, and every page shows the error above it until a
build succeeds, when it reloads.
"""

from __future__ import annotations

import html
import io
import json
import os
import re
import shutil
import sys
import threading
import time
import traceback
import urllib.parse
from email.utils import formatdate
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable

from site_builder.config import SITE_DEFAULTS, load_site_config
from site_builder.errors import SiteBuilderError
from site_builder.site import build
from site_builder.site.theme import THEME

RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
RESERVED = "/__site_builder/"          # outside any baseurl; never a file of the site
EVENTS = RESERVED + "events"
KEEPALIVE_SECONDS = 15.0
THEME_FOLDERS = ("_layouts", "_includes", "assets")   # the built-in theme's files
# Never sources of the site (Jekyll's own excludes, and this repository's code).
SKIP_FOLDERS = {"node_modules", "vendor", "__pycache__"}


def serve(root: Path, host: str = "127.0.0.1", port: int = 4000,
          log: Callable[[str], Any] = print) -> None:
    """Build the blog at `root`, serve it, and rebuild on every change until Ctrl-C."""
    preview = Preview(root, host=host, port=port, log=log)
    try:
        preview.start(watch=False)
        log(f"serving {preview.url} (rebuilds and reloads on every change; Ctrl-C stops)")
        preview.watch()   # in this thread, so Ctrl-C lands here (and a build cleans up after itself)
    except KeyboardInterrupt:
        log("stopped")
    finally:
        preview.stop()


# -- the watcher and the builds it starts ----------------------------------------

class Preview:
    """The blog at `root`, built, served and rebuilt on change. `start()` builds once
    and serves in a thread (port 0 takes any free port; `url` says which); `watch()`
    polls until `stop()`, or `start(watch=True)` polls in a thread too. `check()` is
    one poll, `rebuild()` one unconditional build, for tests."""

    def __init__(self, root: Path, *, host: str = "127.0.0.1", port: int = 4000,
                 log: Callable[[str], Any] = print, interval: float = 0.25,
                 settle: float = 0.1) -> None:
        self.root = Path(root).resolve()
        self.site_dir = self.root / "_site"
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
        self.rebuild()
        self.server = make_server(self.site_dir, self.config["baseurl"], host=self.host,
                                  port=self.port, log=self.log, live=self.live)
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
        self.log(f"{describe_changes(self._built or {}, files, self.root)}; rebuilding")
        return self._build(files)

    def rebuild(self) -> bool:
        """Build now; True when it succeeded. A failure keeps the last good site."""
        return self._build(self.scan())

    def _build(self, files: dict[str, tuple[int, int]]) -> bool:
        self._built = files
        try:
            self.config = load_site_config(self.root)
            if self.server is not None:
                self.server.baseurl = self.config["baseurl"]
            build(self.root, log=self.log)
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
            self.log(f"error: {line}")
        kept = "the last good build" if self.site_dir.is_dir() else "nothing until a build succeeds"
        self.log(f"build failed; serving {kept}, and the error in every page")
        self.live.failed(message)
        return False

    def scan(self) -> dict[str, tuple[int, int]]:
        """Every watched file: path -> (mtime in ns, size)."""
        return snapshot(self.root, self.config, self.site_dir)

    def _thread(self, target: Callable, *args: Any) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True,
                                  name=f"site-builder preview {target.__name__}")
        thread.start()
        self._threads.append(thread)


def watched_folders(root: Path, config: dict, site_dir: Path) -> tuple[list[Path], set[Path]]:
    """(folders to walk, folders to leave out): the blog (with posts_dir, its _drafts
    and assets_dir wherever they point), and the built-in theme's layouts, includes
    and assets; never the output, runs, or this repository's code."""
    folders = [root]
    for name in (config.get("posts_dir") or "posts", config.get("assets_dir") or "assets"):
        folders.append(root / name)
    folders.append(folders[1].parent / "_drafts")
    if THEME != root:
        folders += [THEME / f for f in THEME_FOLDERS]
    skip = {site_dir, root / (config.get("runs_dir") or "runs")}
    # What the build leaves out (`exclude:`; this repository's own code is there).
    skip |= {root / name for name in config.get("exclude") or [] if not set(name) & set("*?[")}
    return list(dict.fromkeys(f.resolve() for f in folders)), {s.resolve() for s in skip}


def snapshot(root: Path, config: dict, site_dir: Path) -> dict[str, tuple[int, int]]:
    folders, skip = watched_folders(root, config, site_dir)
    files: dict[str, tuple[int, int]] = {}
    seen: set[tuple[int, int]] = set()   # folders walked (symlinks may loop)
    for folder in folders:
        try:
            st = folder.stat()
        except OSError:
            continue
        # A folder inside one walked already (posts/ in the blog) is not walked twice.
        if (st.st_dev, st.st_ino) in seen or any(folder.is_relative_to(s) for s in skip):
            continue
        seen.add((st.st_dev, st.st_ino))
        stack = [str(folder)]
        while stack:
            here = stack.pop()
            try:
                entries = list(os.scandir(here))
            except OSError:   # gone, or not a folder
                continue
            for entry in entries:
                if _ignored(entry.name):
                    continue
                try:
                    if entry.is_dir():
                        st = entry.stat()
                        if (st.st_dev, st.st_ino) not in seen and Path(entry.path).resolve() not in skip:
                            seen.add((st.st_dev, st.st_ino))
                            stack.append(entry.path)
                    else:
                        st = entry.stat()
                        files[entry.path] = (st.st_mtime_ns, st.st_size)
                except OSError:   # vanished while we looked
                    continue
    return files


def _ignored(name: str) -> bool:
    # Dot-files and -folders (.git, .venv, caches), editors' swap and backup files.
    return (name.startswith((".", "#")) or name.endswith(("~", ".swp", ".swx", ".egg-info"))
            or name in SKIP_FOLDERS)


def describe_changes(before: dict, after: dict, root: Path) -> str:
    changed = sorted(set(before) ^ set(after) | {p for p in set(before) & set(after)
                                                 if before[p] != after[p]})
    if not changed:
        return "no change"
    first = Path(changed[0])
    shown = first.relative_to(root) if first.is_relative_to(root) else first
    more = f" and {len(changed) - 1} more" if len(changed) > 1 else ""
    return f"{shown}{more} changed"


# -- what the open pages are told ---------------------------------------------------

class LiveState:
    """The build the pages should show (a token that changes with every good build,
    and between server runs) and the last build's error, for the event streams."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._run = f"{os.getpid()}.{time.time_ns()}"
        self._generation = 0
        self._version = 0   # bumps on every change, good or bad
        self._error: str | None = None
        self._stopping = False

    def built(self) -> None:
        with self._changed:
            self._generation += 1
            self._error = None
            self._bump()

    def failed(self, message: str) -> None:
        with self._changed:
            self._error = message
            self._bump()

    def stop(self) -> None:
        with self._changed:
            self._stopping = True
            self._changed.notify_all()

    def current(self) -> dict:
        with self._changed:
            return {"build": f"{self._run}.{self._generation}", "error": self._error}

    def wait(self, seen: int, timeout: float) -> tuple[int, dict | None]:
        """(version, state) once the version differs from `seen` or `timeout`
        passed; state None when the server is stopping."""
        with self._changed:
            self._changed.wait_for(lambda: self._stopping or self._version != seen, timeout)
            if self._stopping:
                return self._version, None
            return self._version, {"build": f"{self._run}.{self._generation}", "error": self._error}

    def _bump(self) -> None:
        self._version += 1
        self._changed.notify_all()


LIVE_SCRIPT = """<script id="site-builder-live">
(function () {
  var page = %s, box = null;
  function show(error) {
    if (!error) { if (box) { box.remove(); box = null; } return; }
    if (!box) {
      box = document.createElement("div");
      box.id = "site-builder-error";
      box.setAttribute("role", "alert");
      box.title = "click to hide";
      box.onclick = function () { box.style.display = "none"; };
      box.style.cssText = "position:fixed;z-index:2147483647;left:0;right:0;top:0;max-height:70vh;" +
        "overflow:auto;margin:0;padding:14px 18px;background:#3b0d12;color:#fff;" +
        "border-bottom:4px solid #e5484d;font:14px/1.5 ui-monospace,Menlo,Consolas,monospace;" +
        "white-space:pre-wrap;text-align:left;box-shadow:0 4px 16px rgba(0,0,0,.4)";
      (document.body || document.documentElement).appendChild(box);
    }
    box.style.display = "";
    box.textContent = "site-builder: the build failed; this is the last good build.\\n\\n" + error;
  }
  show(page.error);
  // A page brought back by Back or Forward may be older than the last build.
  window.addEventListener("pageshow", function (e) { if (e.persisted) location.reload(); });
  if (!window.EventSource) return;
  var events = new EventSource("%s");
  events.onmessage = function (e) {
    var now = JSON.parse(e.data);
    if (now.build !== page.build) { events.close(); location.reload(); return; }
    show(now.error);
  };
})();
</script>
"""

NOT_BUILT = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Not built yet</title></head>
<body><h1>The site has not been built yet</h1>
<p>The first build failed; this page reloads when a build succeeds.</p></body></html>
"""


def live_script(state: dict) -> bytes:
    # Inline JSON must not close the script element, whatever the error message holds.
    data = json.dumps(state).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return (LIVE_SCRIPT % (data, EVENTS)).encode("utf-8")


def inject(page: bytes, script: bytes) -> bytes:
    """The page with `script` before its last </body> (or at its end)."""
    at = page.lower().rfind(b"</body>")
    return page + script if at < 0 else page[:at] + script + page[at:]


# -- the HTTP server ---------------------------------------------------------------

class SiteServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], site_dir: Path, baseurl: str,
                 log: Callable[[str], Any], live: LiveState | None) -> None:
        self.site_dir, self.baseurl, self.log, self.live = Path(site_dir), baseurl, log, live
        super().__init__(address, SiteHandler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A player that stops reading half a range, a tab closed mid-page: not errors.
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


def make_server(site_dir: Path, baseurl: str = "", *, host: str = "127.0.0.1", port: int = 4000,
                log: Callable[[str], Any] = print, live: LiveState | None = None) -> SiteServer:
    """A server for `site_dir` under `baseurl`, bound but not yet serving
    (port 0 takes any free port; `server_address` says which). With `live`, HTML
    responses carry the reload script and `EVENTS` streams the build's state."""
    try:
        return SiteServer((host, port), site_dir, baseurl, log, live)
    except OSError as exc:
        raise SiteBuilderError(f"cannot listen on {host}:{port}: {exc.strerror}; "
                               f"stop whatever uses that port or choose another") from None


class SiteHandler(SimpleHTTPRequestHandler):
    server: SiteServer

    def __init__(self, request: Any, client_address: Any, server: SiteServer) -> None:
        self.baseurl, self._log, self.live = server.baseurl, server.log, server.live
        self.byte_range: tuple[int, int] | None = None
        super().__init__(request, client_address, server, directory=str(server.site_dir))

    def do_GET(self) -> None:
        if self.live is not None and urllib.parse.urlsplit(self.path).path == EVENTS:
            self._events()
            return
        super().do_GET()

    def send_head(self):  # noqa: ANN201 - the stdlib's own signature
        self.byte_range = None
        path = urllib.parse.urlsplit(self.path).path
        if self.baseurl and path in ("", "/"):
            return self._redirect(self.baseurl + "/")
        if self.live is not None and not self.server.site_dir.is_dir():
            return self._send_html(HTTPStatus.SERVICE_UNAVAILABLE, NOT_BUILT.encode())
        if not self._under_baseurl(path):
            return self._not_found(f"This site is served under {self.baseurl}/")
        local = self.translate_path(self.path)
        if os.path.isdir(local):
            if not path.endswith("/"):
                return super().send_head()   # the stdlib's redirect that adds the slash
            for index in ("index.html", "index.htm"):
                if os.path.isfile(os.path.join(local, index)):
                    return self._send_file(os.path.join(local, index))
            return super().send_head()       # a listing, as the stdlib does
        if not os.path.isfile(local):
            return self._not_found("File not found")
        return self._send_file(local)

    def translate_path(self, path: str) -> str:
        path = urllib.parse.unquote(urllib.parse.urlsplit(path).path)
        if self._under_baseurl(path):
            path = path[len(self.baseurl):] or "/"
        local = super().translate_path(urllib.parse.quote(path))
        # Jekyll's server: /slug is slug.html when there is no such file or folder.
        if not os.path.exists(local) and os.path.isfile(local + ".html"):
            return local + ".html"
        return local

    def _under_baseurl(self, path: str) -> bool:
        return path == self.baseurl or path.startswith(self.baseurl + "/")

    def _not_found(self, message: str):  # noqa: ANN202
        # As Jekyll's server: the site's own 404.html, when it has one.
        page = self.server.site_dir / "404.html"
        if page.is_file():
            return self._send_html(HTTPStatus.NOT_FOUND, page.read_bytes())
        if self.live is not None:
            body = f"<!DOCTYPE html><title>Not found</title><body><h1>Not found</h1>" \
                   f"<p>{html.escape(message)}</p></body>"
            return self._send_html(HTTPStatus.NOT_FOUND, body.encode())
        self.send_error(HTTPStatus.NOT_FOUND, message)
        return None

    def _send_html(self, status: HTTPStatus, page: bytes, mtime: float | None = None):  # noqa: ANN202
        """An HTML response built in memory (with the reload script when live)."""
        if self.live is not None:
            page = inject(page, live_script(self.live.current()))
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(page)))
        if mtime is not None:
            self.send_header("Last-Modified", formatdate(mtime, usegmt=True))
        if self.live is not None:
            self.send_header("Cache-Control", "no-store")   # it says which build it shows
        self.end_headers()
        return io.BytesIO(page)

    def _send_file(self, local: str):  # noqa: ANN202
        ctype = self.guess_type(local)
        if self.live is not None and ctype == "text/html":
            with open(local, "rb") as f:
                return self._send_html(HTTPStatus.OK, f.read(), os.fstat(f.fileno()).st_mtime)
        f = open(local, "rb")
        size = os.fstat(f.fileno()).st_size
        start, end = 0, size - 1
        wanted = self._parse_range(size)
        if wanted == "unsatisfiable":
            f.close()
            self.send_response(HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE)
            self.send_header("Content-Range", f"bytes */{size}")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        if wanted:
            start, end = wanted
            self.byte_range = wanted
            f.seek(start)
            self.send_response(HTTPStatus.PARTIAL_CONTENT)
            self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        else:
            self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(end - start + 1 if size else 0))
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Last-Modified", formatdate(os.fstat(f.fileno()).st_mtime, usegmt=True))
        if self.live is not None:
            self.send_header("Cache-Control", "no-cache")   # a rebuild may change it
        self.end_headers()
        return f

    def _parse_range(self, size: int) -> tuple[int, int] | str | None:
        """(first, last) byte asked for; None to send it all (no header, or several
        ranges, which RFC 9110 lets a server ignore)."""
        match = RANGE.match(self.headers.get("Range", "").strip())
        if not match or match.group(1) == match.group(2) == "":
            return None
        first, last = match.groups()
        if first == "":  # the last N bytes
            start, end = max(size - int(last), 0), size - 1
        else:
            start, end = int(first), min(int(last), size - 1) if last else size - 1
        if start >= size or start > end:
            return "unsatisfiable"
        return start, end

    def copyfile(self, source, outputfile) -> None:  # noqa: ANN001
        if self.byte_range is None:
            shutil.copyfileobj(source, outputfile)
            return
        remaining = self.byte_range[1] - self.byte_range[0] + 1
        while remaining > 0 and (chunk := source.read(min(64 * 1024, remaining))):
            outputfile.write(chunk)
            remaining -= len(chunk)

    def _events(self) -> None:
        """Server-Sent Events: the build's state now, then at every change, until the
        page goes away or the server stops."""
        assert self.live is not None
        self.close_connection = True
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        seen = -1
        try:
            self.wfile.write(b"retry: 1000\n\n")   # reconnect quickly to a restarted server
            while True:
                version, state = self.live.wait(seen, KEEPALIVE_SECONDS)
                if state is None:
                    return
                if version != seen:
                    self.wfile.write(f"data: {json.dumps(state)}\n\n".encode())
                else:
                    self.wfile.write(b": still here\n\n")   # finds closed pages
                seen = version
        except ConnectionError:
            return

    def _redirect(self, location: str) -> None:
        self.send_response(HTTPStatus.FOUND)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        # Only what went wrong: a reloading preview would print every asset of every page.
        # (Nor the favicon browsers ask every site for, which a blog may well lack.)
        if isinstance(code, int) and code >= 400 and not self.path.startswith("/favicon.ico"):
            super().log_request(code, size)

    def log_error(self, format: str, *args: Any) -> None:  # noqa: A002
        pass  # the request's own line says it

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the stdlib's name
        self._log(f"{self.address_string()} {format % args}")
