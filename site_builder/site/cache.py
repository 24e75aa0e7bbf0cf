"""What the last build was made from, so the next one redoes only what changed.

Two files per output folder in the blog's `.site-cache/`. The manifest (a pickle),
read by every build: the parsed front matter of every source (by the hash of its
text), and every output file's key with the size and modification time it was
written with. The content (SQLite), read only for what must be rendered: each post's
HTML by its render key (a key covers everything a post was rendered from), so an
edit reads a few dozen posts' HTML, not all of it; and the Python code that Liquid
templates compile to (liquid_compile.py), so that a build rendering one page does
not compile the theme's templates again. A missing, unreadable or other-version
cache is an empty one: a full build, never a wrong one.
"""

from __future__ import annotations

import marshal
import os
import pickle
import sqlite3
import sys
from dataclasses import dataclass, field
from pathlib import Path
from types import CodeType

from site_builder import __version__
from site_builder.atomic import write_bytes

try:   # BLAKE2 as hashlib gives it, without hashlib's OpenSSL (3 ms of every start)
    from _blake2 import blake2b
except ImportError:   # a Python built without it
    from hashlib import blake2b

# Bump when what a key covers changes, so old caches are not trusted.
FORMAT = 4
FOLDER = ".site-cache"
# Compiled code kept beyond this many templates: only the last build's.
CODE_KEPT = 256


def _code_version() -> str:
    """The site generator's own code: a cache made by other code is not trusted. Its
    files' names, sizes and modification times, as Python's own bytecode cache checks
    them (reading them all took a tenth of a no-op build's work)."""
    h = blake2b(digest_size=8)
    folder = Path(__file__).parent
    for name in sorted(os.listdir(folder)):
        if name.endswith(".py"):
            st = os.stat(folder / name)
            h.update(f"{name}\0{st.st_size}\0{st.st_mtime_ns}\0".encode())
    return h.hexdigest()


VERSION = (FORMAT, __version__, sys.version_info[:2], _code_version())


@dataclass
class Cache:
    """What a build keeps for the next one (`.site-cache/`)."""

    version: tuple = VERSION
    parsed: dict[str, tuple] = field(default_factory=dict)       # text hash -> front matter split
    files: dict[str, tuple] = field(default_factory=dict)        # source -> (stat, text hash)
    read_at: int = 0    # when that build began reading its sources (time.time_ns())
    outputs: dict[str, tuple[str, int, int]] = field(default_factory=dict)  # rel -> (key, size, mtime)
    copied: dict[str, tuple] = field(default_factory=dict)      # rel -> (source stat, output stat)
    # rel -> the items whose content a blog's own layout read to make it (Jekyll blogs)
    deps: dict[str, tuple] = field(default_factory=dict)
    # output folder -> (its stat, its files, its folders) as this build left it (on_disk.py)
    folders: dict[str, tuple] = field(default_factory=dict)
    # document -> the items whose content its own Liquid read (render.py; Jekyll blogs)
    reads: dict[str, tuple] = field(default_factory=dict)


def location(root: Path, out: Path) -> Path:
    """The cache of the build of `root` into `out` (one per output folder)."""
    name = digest(str(out.resolve()))[:12]
    return root / FOLDER / f"build-{name}.pickle"


def load(path: Path) -> Cache:
    cache = _load(path)
    return cache if isinstance(cache, Cache) and cache.version == VERSION else Cache()


def save(path: Path, cache: Cache) -> None:
    _save(path, cache)


class Content:
    """Post render key -> (content, excerpt), kept in SQLite beside the manifest."""

    def __init__(self, manifest: Path) -> None:
        global _open_store
        self.path = manifest.with_name(manifest.stem + "-content.sqlite")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.db = self._open()
        except sqlite3.DatabaseError:
            self.path.unlink(missing_ok=True)  # damaged: start again, empty
            self.db = self._open()
        # Templates compiled while this store is open: their code is kept here.
        self.pid = os.getpid()   # a forked worker does not use the parent's connection
        self.codes_used: set[str] = set()
        self.codes_new: dict[str, bytes] = {}
        _open_store = self

    def _open(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, isolation_level=None)
        # No disk syncs: this is a cache, and a power cut that damages it costs a full
        # build (an unreadable store is emptied). Each commit's syncs were 0.1-0.3 s
        # of a cold build here, a third of it on Jekyll's docs.
        db.execute("PRAGMA synchronous = OFF")
        # One transaction: each statement on its own was a commit, and a disk sync,
        # of its own (a tenth of a cold build's time on Jekyll's docs).
        db.execute("BEGIN")
        try:
            db.execute("CREATE TABLE IF NOT EXISTS meta (version TEXT)")
            db.execute("CREATE TABLE IF NOT EXISTS html (key TEXT PRIMARY KEY, content TEXT, "
                       "excerpt TEXT)")
            db.execute("CREATE TABLE IF NOT EXISTS code (post TEXT, key TEXT, html TEXT, "
                       "PRIMARY KEY (post, key))")
            db.execute("CREATE INDEX IF NOT EXISTS code_by_key ON code (key)")
            db.execute("CREATE TABLE IF NOT EXISTS liquid (key TEXT PRIMARY KEY, code BLOB)")
            found = db.execute("SELECT version FROM meta").fetchone()
            if found is None or found[0] != repr(VERSION):
                for table in ("html", "code", "liquid", "meta"):
                    db.execute(f"DELETE FROM {table}")
                db.execute("INSERT INTO meta VALUES (?)", (repr(VERSION),))
            db.execute("COMMIT")
        except BaseException:
            db.close()
            raise
        return db

    def get(self, keys: list[str]) -> dict[str, tuple[str, str]]:
        found = {}
        try:
            for start in range(0, len(keys), 500):  # SQLite's limit on parameters
                chunk = keys[start:start + 500]
                marks = ",".join("?" * len(chunk))
                rows = self.db.execute(f"SELECT key, content, excerpt FROM html WHERE key IN ({marks})",
                                       chunk)
                found.update({k: (c, e) for k, c, e in rows})
        except sqlite3.DatabaseError:
            return {}  # damaged: whatever is missing gets rendered again
        return found

    def code(self, few: bool = False) -> dict[str, str] | _Blocks:
        """Every highlighted code block kept: block key -> HTML. `few`: for a render
        of a few posts in this process, each block looked up when asked for (an edit
        needs its post's two or three, not all two thousand of a blog)."""
        if few:
            return _Blocks(self.db)
        try:
            return dict(self.db.execute("SELECT key, html FROM code"))
        except sqlite3.DatabaseError:
            return {}

    def put(self, rows: dict[str, tuple[str, str, dict[str, str]]], keep: set[str]) -> None:
        """Add `rows` (post key -> content, excerpt, its code blocks); drop every post
        whose key is not in `keep`."""
        try:
            self._put(rows, keep)
        except sqlite3.DatabaseError:
            self.db.close()
            self.path.unlink(missing_ok=True)
            self.db = self._open()
            self._put(rows, keep)

    def _put(self, rows: dict[str, tuple[str, str, dict[str, str]]], keep: set[str]) -> None:
        with self.db:
            self.db.execute("BEGIN")
            self.db.executemany("INSERT OR REPLACE INTO html VALUES (?, ?, ?)",
                                [(k, c, e) for k, (c, e, _) in rows.items()])
            self.db.executemany("INSERT OR REPLACE INTO code VALUES (?, ?, ?)",
                                [(k, b, h) for k, (_, _, code) in rows.items()
                                 for b, h in code.items()])
            gone = [(k,) for (k,) in self.db.execute("SELECT key FROM html") if k not in keep]
            self.db.executemany("DELETE FROM html WHERE key = ?", gone)
            self.db.executemany("DELETE FROM code WHERE post = ?", gone)

    def compiled_code(self, key: str) -> CodeType | None:
        self.codes_used.add(key)
        try:
            found = self.db.execute("SELECT code FROM liquid WHERE key = ?", (key,)).fetchone()
            return marshal.loads(found[0]) if found is not None else None
        except (sqlite3.DatabaseError, ValueError, EOFError, TypeError):
            return None   # damaged: compiled again

    def keep_code(self, key: str, code: CodeType) -> None:
        self.codes_new[key] = marshal.dumps(code)

    def close(self) -> None:
        global _open_store
        if _open_store is self:
            _open_store = None
        try:
            if self.codes_new:
                with self.db:
                    self.db.execute("BEGIN")
                    self.db.executemany("INSERT OR REPLACE INTO liquid VALUES (?, ?)",
                                        list(self.codes_new.items()))
                    kept = [k for (k,) in self.db.execute("SELECT key FROM liquid")]
                    if len(kept) > CODE_KEPT:   # layouts edited again and again
                        self.db.executemany("DELETE FROM liquid WHERE key = ?",
                                            [(k,) for k in kept if k not in self.codes_used])
        except sqlite3.DatabaseError:
            pass   # only a cache of what can be compiled again
        finally:
            self.db.close()


class _Blocks:
    """Highlighted code blocks by key, read from the content store as asked for."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def get(self, key: str, default: str | None = None) -> str | None:
        try:
            found = self.db.execute("SELECT html FROM code WHERE key = ? LIMIT 1",
                                    (key,)).fetchone()
        except sqlite3.DatabaseError:
            return default   # damaged: highlighted again
        return found[0] if found is not None else default


# The content store of the build rendering now, in the process that opened it.
_open_store: Content | None = None


def compiled(source: str, filename: str) -> CodeType:
    """`source` (Python that liquid_compile.py made of a template) compiled, or its
    code as an earlier build compiled it: compiling a theme's templates was a tenth
    of a build that renders one post."""
    from importlib.util import MAGIC_NUMBER   # the bytecode's version
    store = _open_store if _open_store is not None and _open_store.pid == os.getpid() else None
    key = digest(source, filename, MAGIC_NUMBER)
    code = store.compiled_code(key) if store is not None else None
    if code is None:
        code = compile(source, filename, "exec")
        if store is not None:
            store.keep_code(key, code)
    return code


def _load(path: Path) -> object:
    try:
        with open(path, "rb") as file:
            return pickle.load(file)
    except Exception:  # noqa: BLE001 - any damage at all means "rebuild everything"
        return None


def _save(path: Path, value: object) -> None:
    write_bytes(path, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))


def with_reads(base: dict[str, str], reads: dict[str, tuple]) -> dict[str, str]:
    """Each item's render key (`base`), for a document whose Liquid read other items'
    content (`reads`, as its last render noted) also covering those items' keys, and
    theirs in turn: a page of crystal-lang.org's `pages` collection showing the posts'
    excerpts is rendered again when a post changes. Items that read each other (a
    cycle) share one key covering them all."""
    if not reads:
        return base
    keys = dict(base)
    for group, after in _groups(base, reads):
        shared = digest(sorted(base[name] for name in group), sorted(keys[n] for n in after))
        for name in group:
            keys[name] = digest(base[name], shared)
    return keys


def _groups(base: dict[str, str], reads: dict[str, tuple]) -> list[tuple[list[str], set]]:
    """The items of `reads` in groups that read each other (strongly connected: Tarjan's
    algorithm, without recursion, as a chain may be a thousand long), each with the
    items outside it that it reads; groups read by others come first."""
    def edges(name: str) -> list[str]:
        return [n for n in reads.get(name, ()) if n in base]
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[tuple[list[str], set]] = []
    for start in sorted(name for name in reads if name in base):
        if start in index:
            continue
        work = [(start, iter(edges(start)))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            name, todo = work[-1]
            step = next(todo, None)
            if step is not None:
                if step not in index:
                    index[step] = low[step] = len(index)
                    stack.append(step)
                    on_stack.add(step)
                    work.append((step, iter(edges(step))))
                elif step in on_stack:
                    low[name] = min(low[name], index[step])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[name])
            if low[name] == index[name]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == name:
                        break
                members = set(group)
                found.append((group, {n for m in group for n in edges(m)} - members))
    return found


def digest(*parts: object) -> str:
    """A key for `parts`: their reprs hashed (dicts keep insertion order, so callers
    pass data in a fixed order)."""
    return blake2b(repr(parts).encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def files_digest(folders: list[Path]) -> str:
    """A key for every file under `folders` (layouts, includes): names and contents."""
    h = blake2b(digest_size=16)
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                h.update(str(path).encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()
