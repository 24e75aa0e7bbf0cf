"""What the last build was made from, so the next one redoes only what changed.

Two pickles per output folder in the blog's `.site-cache/`. The manifest, read by
every build: the parsed front matter of every source (by the hash of its text), the
keys of the posts' rendered HTML (a key covers everything a post was rendered from),
and every output file's key with the size and modification time it was written with.
The content, read only when something must be rendered: the posts' HTML by key.
A missing, unreadable or other-version cache is an empty one: a full build, never a
wrong one.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from site_builder import __version__

# Bump when what a key covers changes, so old caches are not trusted.
FORMAT = 3
VERSION = (FORMAT, __version__, sys.version_info[:2])
FOLDER = ".site-cache"


@dataclass
class Cache:
    version: tuple = VERSION
    parsed: dict[str, tuple] = field(default_factory=dict)       # text hash -> front matter split
    rendered: frozenset[str] = frozenset()                       # keys in the content store
    outputs: dict[str, tuple[str, int, int]] = field(default_factory=dict)  # rel -> (key, size, mtime)
    copied: dict[str, tuple] = field(default_factory=dict)      # rel -> (source stat, output stat)


def location(root: Path, out: Path) -> Path:
    """The cache of the build of `root` into `out` (one per output folder)."""
    name = digest(str(out.resolve()))[:12]
    return root / FOLDER / f"build-{name}.pickle"


def content_location(path: Path) -> Path:
    return path.with_name(path.stem + "-content.pickle")


def load(path: Path) -> Cache:
    cache = _load(path)
    return cache if isinstance(cache, Cache) and cache.version == VERSION else Cache()


def load_content(path: Path) -> dict[str, tuple[str, str]]:
    """Post render key -> (content, excerpt), as the last build left them."""
    found = _load(content_location(path))
    if isinstance(found, tuple) and len(found) == 2 and found[0] == VERSION:
        return found[1]
    return {}


def save(path: Path, cache: Cache) -> None:
    _save(path, cache)


def save_content(path: Path, content: dict[str, tuple[str, str]]) -> None:
    _save(content_location(path), (VERSION, content))


def _load(path: Path) -> object:
    try:
        with open(path, "rb") as file:
            return pickle.load(file)
    except Exception:  # noqa: BLE001 - any damage at all means "rebuild everything"
        return None


def _save(path: Path, value: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=path.name, suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as file:
            pickle.dump(value, file, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def digest(*parts: object) -> str:
    """A key for `parts`: their reprs hashed (dicts keep insertion order, so callers
    pass data in a fixed order)."""
    return hashlib.blake2b(repr(parts).encode("utf-8", "surrogatepass"),
                           digest_size=16).hexdigest()


def files_digest(folders: list[Path]) -> str:
    """A key for every file under `folders` (layouts, includes): names and contents."""
    h = hashlib.blake2b(digest_size=16)
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                h.update(str(path).encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()
