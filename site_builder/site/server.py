"""The HTTP side of `make serve`, as Jekyll's own server: the site under the config's
`baseurl` (as on GitHub Pages), `/slug` finding `slug.html`, byte ranges honoured so
<audio> players can seek, and a missing page answered with the site's 404.html.
With a `LiveState`, HTML responses carry the reload script and `EVENTS` streams the
build's state (livereload.py)."""

from __future__ import annotations

import errno
import html
import io
import json
import logging
import os
import re
import shutil
import sys
import urllib.parse
from email.utils import formatdate
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from site_builder.errors import SiteBuilderError
from site_builder.logs import stage_log
from site_builder.site.livereload import EVENTS, NOT_BUILT, LiveState, inject, live_script

RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
KEEPALIVE_SECONDS = 15.0


class SiteServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], site_dir: Path, baseurl: str,
                 log: logging.Logger, live: LiveState | None) -> None:
        self.site_dir, self.baseurl, self.log, self.live = Path(site_dir), baseurl, log, live
        super().__init__(address, SiteHandler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A player that stops reading half a range, a tab closed mid-page: not errors.
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


def make_server(site_dir: Path, baseurl: str = "", *, host: str = "127.0.0.1", port: int = 4000,
                log: logging.Logger | None = None, live: LiveState | None = None) -> SiteServer:
    """A server for `site_dir` under `baseurl`, bound but not yet serving
    (port 0 takes any free port; `server_address` says which). With `live`, HTML
    responses carry the reload script and `EVENTS` streams the build's state."""
    try:
        return SiteServer((host, port), site_dir, baseurl, log or stage_log("serve"), live)
    except OSError as exc:
        # A host that is not this machine's (a typo, a name that does not resolve) is
        # not cured by another port.
        fix = ("stop whatever uses that port or choose another port"
               if exc.errno in (errno.EADDRINUSE, errno.EACCES)
               else "choose an address of this machine, e.g. 127.0.0.1")
        raise SiteBuilderError(f"cannot listen on {host}:{port}: {exc.strerror}; {fix}") from None


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
        self._log.info("%s %s", self.address_string(), format % args)
