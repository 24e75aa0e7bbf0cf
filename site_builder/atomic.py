"""Atomic writes: a file is written whole or not at all (a temporary file beside it,
renamed over it), so an interrupted command or a full disk never leaves half a file.
One helper for the runs, the posts and the site alike."""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path
from typing import Any, Iterator

PART_SUFFIX = ".part"


@contextlib.contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside `path`; rename it into place only if the block
    finishes. An interrupted write leaves a `.part` file that `Run.sweep()` removes,
    never a half-written `path`."""
    # One stat when the folder is there (a site build writes hundreds of files into
    # folders that exist), not mkdir's failed call, exception and stat.
    if not path.parent.is_dir():
        path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}{PART_SUFFIX}")
    renamed = False
    try:
        yield tmp
        os.replace(tmp, path)
        renamed = True
    except OSError as exc:  # named by the file meant (not the temporary one, or none)
        if str(exc.filename) in ("None", str(tmp)):
            raise OSError(exc.errno, exc.strerror, str(path)) from None
        raise
    finally:
        if not renamed:
            with contextlib.suppress(OSError):   # on a read-only disk even this fails
                tmp.unlink(missing_ok=True)


def write_bytes(path: Path, data: bytes) -> None:
    """Write `path` atomically, whatever it held."""
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)


def write_text(path: Path, text: str) -> None:
    """Write atomically; an unchanged file is left alone (its mtime too)."""
    try:
        if path.read_text(encoding="utf-8") == text:
            return
    except (OSError, UnicodeDecodeError):
        pass
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def write_json(path: Path, data: Any) -> None:
    write_text(path, json.dumps(data, indent=2, sort_keys=True) + "\n")


def read_json(path: Path, default: Any = None) -> Any:
    """A missing or corrupt JSON file reads as `default`: stamps and manifests are
    caches of what can be recomputed, so losing one means redoing work, not failing."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return default
