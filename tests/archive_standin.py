"""A loopback stand-in for the part of archive.org the `internetarchive` client uses:
`GET /metadata/<id>`, `POST /metadata/<id>` (JSON patches) on archive.org, and
S3-style `PUT /<id>/<file>` with `x-archive-meta-*` headers on s3.us.archive.org.
The client reaches it through site-builder's `archive.endpoint` adapter, which puts
the original host first in the path. It can answer 503, drop a connection, or 403.
"""

from __future__ import annotations

import hashlib
import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jsonpatch


class Archive:
    def __init__(self, access: str, secret: str):
        self.auth = f"LOW {access}:{secret}"
        self.items: dict[str, dict] = {}      # identifier -> {"metadata": {}, "files": {name: md5}}
        self.owned_by_others: set[str] = set()
        self.trouble: dict[str, list[str]] = {}  # file name -> ["503", "drop", "403", ...] in turn
        self.requests: list[tuple[str, str]] = []
        self.lock = threading.Lock()

    def metadata(self, name: str) -> dict:
        item = self.items.get(name)
        if not item:
            return {}
        return {"metadata": item["metadata"], "created": 1, "server": "127.0.0.1",
                "files": [{"name": f, "md5": m, "source": "original"} for f, m in item["files"].items()]}


def meta_headers(headers) -> dict:
    """x-archive-meta-title, x-archive-meta00-subject ... -> metadata (lists kept)."""
    metadata: dict = {}
    for key, value in headers.items():
        key = key.lower()
        if not key.startswith("x-archive-meta"):
            continue
        value = urllib.parse.unquote(value[4:-1]) if value.startswith("uri(") else value
        name = key.split("-", 3)[3].replace("--", "_")
        if key[len("x-archive-meta"):len("x-archive-meta") + 2].isdigit():
            metadata.setdefault(name, []).append(value)
        else:
            metadata[name] = value
    # archive.org shows a field sent once as a plain value.
    return {k: v[0] if isinstance(v, list) and len(v) == 1 else v for k, v in metadata.items()}


class Handler(BaseHTTPRequestHandler):
    archive: Archive

    def log_message(self, *args):
        pass

    def reply(self, status: int, body: bytes = b"", content_type: str = "application/json"):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def route(self) -> tuple[str, list[str]]:
        host, _, path = self.path.lstrip("/").partition("/")
        return host, urllib.parse.urlsplit("/" + path).path.strip("/").split("/")

    def do_GET(self):
        host, parts = self.route()
        self.archive.requests.append(("GET", self.path))
        if host == "archive.org" and parts[0] == "metadata":
            with self.archive.lock:
                self.reply(200, json.dumps(self.archive.metadata(parts[1])).encode())
        else:
            self.reply(404)

    def do_POST(self):
        host, parts = self.route()
        self.archive.requests.append(("POST", self.path))
        form = urllib.parse.parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode())
        name = parts[1]
        if form.get("secret", [""])[0] not in self.archive.auth:
            return self.reply(403, b'{"success": false, "error": "bad keys"}')
        with self.archive.lock:
            item = self.archive.items[name]
            patch = json.loads(form["-patch"][0])
            item["metadata"] = jsonpatch.apply_patch(item["metadata"], patch)
        self.reply(200, b'{"success": true}')

    def do_PUT(self):
        host, parts = self.route()
        name, filename = parts[0], "/".join(parts[1:])
        self.archive.requests.append(("PUT", self.path))
        trouble = self.archive.trouble.get(filename) or []
        problem = trouble.pop(0) if trouble else None
        if problem == "drop":
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            self.close_connection = True
            self.connection.shutdown(2)  # no response at all: a dropped connection
            return
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if problem == "503":
            return self.reply(503, b"<Error><Message>Please reduce your request rate.</Message></Error>",
                              "application/xml")
        if problem == "403" or self.headers.get("Authorization") != self.archive.auth \
                or name in self.archive.owned_by_others:
            return self.reply(403, b"<Error><Code>AccessDenied</Code></Error>", "application/xml")
        with self.archive.lock:
            item = self.archive.items.setdefault(name, {"metadata": {}, "files": {}})
            if not item["metadata"]:  # metadata applies when the item is created
                item["metadata"] = {"identifier": name, **meta_headers(self.headers)}
            item["files"][filename] = hashlib.md5(body).hexdigest()
        self.reply(200, b"")


def serve(archive: Archive) -> ThreadingHTTPServer:
    handler = type("ArchiveHandler", (Handler,), {"archive": archive})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
