"""The zone a build writes times in: the site's `timezone:` (None without one). A time
without a zone of its own is a wall-clock time there, as Jekyll, which runs in that
zone, writes it (+0900, not +0000). Set by each build before anything is rendered,
and put back after it (zone_kept). No imports: every build loads it, Liquid or not."""

from __future__ import annotations

import contextlib
from datetime import tzinfo
from typing import Iterator

ZONE: tzinfo | None = None


@contextlib.contextmanager
def zone_kept() -> Iterator[None]:
    global ZONE
    saved = ZONE
    try:
        yield
    finally:
        ZONE = saved
