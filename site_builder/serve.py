"""Preview the blog: build it, then serve `_site/` the way Jekyll's own server does.

The site lives under the config's `baseurl` (as on GitHub Pages), `/slug` finds
`slug.html`, and byte ranges are honoured so <audio> players can seek. Loopback
only unless told otherwise: this is a preview, not a web server.
"""

from __future__ import annotations

import os
import re
import shutil
import urllib.parse
from email.utils import formatdate
from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable

from site_builder.config import load_site_config
from site_builder.errors import SiteBuilderError
from site_builder.site import build

RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def serve(root: Path, host: str = "127.0.0.1", port: int = 4000,
          log: Callable[[str], Any] = print) -> None:
    """Build the blog at `root`, then serve it until Ctrl-C."""
    result = build(root, log=log)
    baseurl = load_site_config(root)["baseurl"]
    server = make_server(result.out_dir, baseurl, host=host, port=port, log=log)
    bound_host, bound_port = server.server_address[:2]
    log(f"serving http://{bound_host}:{bound_port}{baseurl}/ (Ctrl-C stops)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        log("stopped")
    finally:
        server.server_close()


def make_server(site_dir: Path, baseurl: str = "", *, host: str = "127.0.0.1", port: int = 4000,
                log: Callable[[str], Any] = print) -> ThreadingHTTPServer:
    """A server for `site_dir` under `baseurl`, bound but not yet serving
    (port 0 takes any free port; `server_address` says which)."""
    handler = partial(SiteHandler, directory=str(site_dir), baseurl=baseurl, log=log)
    try:
        return ThreadingHTTPServer((host, port), handler)
    except OSError as exc:
        raise SiteBuilderError(f"cannot listen on {host}:{port}: {exc.strerror}; "
                               f"stop whatever uses that port or choose another") from None


class SiteHandler(SimpleHTTPRequestHandler):
    def __init__(self, *args: Any, baseurl: str, log: Callable[[str], Any], **kwargs: Any) -> None:
        self.baseurl, self._log = baseurl, log
        self.byte_range: tuple[int, int] | None = None
        super().__init__(*args, **kwargs)

    def send_head(self):  # noqa: ANN201 - the stdlib's own signature
        self.byte_range = None
        path = urllib.parse.urlsplit(self.path).path
        if self.baseurl and path in ("", "/"):
            return self._redirect(self.baseurl + "/")
        if not self._under_baseurl(path):
            self.send_error(HTTPStatus.NOT_FOUND, f"This site is served under {self.baseurl}/")
            return None
        local = self.translate_path(self.path)
        if not os.path.isfile(local):
            # Folders (index.html, the redirect that adds a slash) and 404s: the stdlib's way.
            return super().send_head()
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

    def _send_file(self, local: str):  # noqa: ANN202
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
        self.send_header("Content-Type", self.guess_type(local))
        self.send_header("Content-Length", str(end - start + 1 if size else 0))
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Last-Modified", formatdate(os.fstat(f.fileno()).st_mtime, usegmt=True))
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

    def _redirect(self, location: str) -> None:
        self.send_response(HTTPStatus.FOUND)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the stdlib's name
        self._log(f"{self.address_string()} {format % args}")
