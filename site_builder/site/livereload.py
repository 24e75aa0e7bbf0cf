"""What the open pages of `make serve` are told: the build they show, and the last
build's error. A small script added to every HTML response at serve time (never to
`_site/`) listens at `EVENTS` (Server-Sent Events): it reloads the page after a good
build, and shows a failed build's error above the page until a build succeeds."""

from __future__ import annotations

import json
import os
import threading
import time

RESERVED = "/__site_builder/"          # outside any baseurl; never a file of the site
EVENTS = RESERVED + "events"


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
