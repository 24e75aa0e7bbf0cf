"""Compiled regular expressions kept from one command to the next, as Python keeps
the bytecode of its modules.

A build compiles a thousand regular expressions or so (markdown-it's, Liquid's,
YAML's, Pygments' lexers', ours), each time it runs, and every forked worker
compiles the lexers of its own posts again: 9% of the instructions of a cold build
of Jekyll's docs in one process (11.09 -> 10.10 billion, callgrind), more with workers. Compiling is mostly Python (re._parser, re._compiler); what it
makes is a list of numbers that _sre turns into a pattern in microseconds. Those
lists are kept in the user's cache folder, one file per Python build and kind of
machine, and a pattern found there is made straight from its list: the same pattern
(it compares equal to re.compile's, which compares their code). The file is the
user's own, trusted as Python trusts its .pyc files (it is read with marshal too);
one that is damaged is ignored, and a code list _sre refuses is compiled again and
replaced. `kept` keeps, in the same file, what a pattern is made from in Python before
it is compiled (Pygments' `words()` lists' patterns).

The file holds every pattern of the user's commands (7,000 after the test suite),
and a command needs a few hundred to a few thousand: its entries are read one by one
when asked for, found by a sorted table of their keys' checksums, rather than all
at once (reading them all was 5% of a no-op build's instructions). A command's new
ones are appended to a small journal beside it, read whole by the next command, and
merged into the file only when the journal has grown: rewriting the file for each
command that made one (Babel makes one in each: a character class from a set, in the
order of that process's string hashes) was 30 ms of every build's last step.

Only the command line installs it (site_builder/__main__.py); importing site_builder
changes nothing in `re`.
"""

from __future__ import annotations

import atexit
import bisect
import io
import marshal
import os
import sys
import zlib
from array import array
from pathlib import Path
from typing import Callable

# A user's builds make a few thousand patterns; past this the file starts over with
# those of the latest command, so it stays quick to read.
MAX_PATTERNS = 20_000
# Past this size the journal is merged into the file (a few hundred patterns).
JOURNAL_BYTES = 128 * 1024

# _sre's code units: 4 bytes (_sre.CODESIZE)
_TYPECODE = next(code for code in "IL" if array(code).itemsize == 4)
_known: dict[tuple, tuple] = {}   # (pattern, flags): what _sre.compile takes after them
_new: dict[tuple, tuple] = {}     # made by this process, not in the file yet
_file: Path | None = None
_index: tuple | None = None       # the file's (checksums, offsets, entries), read as needed
_FORMAT = "site-builder patterns 2"


def install(folder: Path | None = None) -> None:
    """From now on, `re` makes patterns from the kept code lists (those of `folder`,
    by default the user's cache folder), and this process's new ones are kept when it
    ends (a forked worker: when it calls save())."""
    global _file
    try:
        import _sre
        from re import _compiler, _parser
    except ImportError:   # before Python 3.11 these were sre_compile and sre_parse
        return
    if _sre.CODESIZE != 4:
        return
    if getattr(_compiler.compile, "__module__", None) == __name__:
        return
    _file = _cache_file(folder, _sre.MAGIC)
    if _file is None:
        return
    global _index
    _index = _read_index(_file)
    _known.update(_read_journal(_journal(_file)))
    original = _compiler.compile

    def compile(p, flags=0):  # noqa: ANN001, ANN202 (re._compiler.compile's own)
        if type(p) not in (str, bytes) or flags & _compiler.SRE_FLAG_DEBUG:
            return original(p, flags)
        key = (p, flags)
        made = _lookup(key)
        if made is None:
            made = _known[key] = _new[key] = _code_list(p, flags, _compiler, _parser)
        try:
            final_flags, code, *groups = made
            return _sre.compile(p, final_flags, array(_TYPECODE, code).tolist(), *groups)
        except (RuntimeError, TypeError, ValueError):   # a code list _sre refuses
            _known[key] = _new[key] = _code_list(p, flags, _compiler, _parser)   # mended
            return original(p, flags)

    compile.__module__ = __name__
    _compiler.compile = compile
    atexit.register(save)
    os.register_at_fork(after_in_child=_new.clear)   # the parent keeps its own


def kept(key: tuple, make: Callable[[], str]) -> str:
    """The text `make()` makes for `key` (a tuple naming its kind first: no pattern's
    key, which is a (pattern, flags) pair), kept in the file with the patterns when
    they are kept."""
    made = _lookup(key)
    if type(made) is not str:   # (not kept yet, or a damaged entry)
        made = make()
        if _file is not None:
            _known[key] = _new[key] = made
    return made


def taken() -> dict[tuple, tuple]:
    """This process's new entries, no longer its own to save: for a process that is
    stopped, not ended (ahead.py), to hand to the one that saves them."""
    fresh = dict(_new)
    _new.clear()
    return fresh


def adopt(entries: dict[tuple, tuple]) -> None:
    """Another process's new entries (taken()), kept with this one's."""
    if _file is not None:
        _known.update(entries)
        _new.update(entries)


def known(key: tuple) -> str | None:
    """What `kept` keeps for `key` (a kept text), or None; nothing is made or kept."""
    made = _lookup(key)
    return made if type(made) is str else None


def _code_list(pattern: str | bytes, flags: int, compiler, parser) -> tuple:  # noqa: ANN001
    """What re._compiler.compile passes to _sre.compile after the pattern, its code
    as the bytes of an array (read four times faster than a list of ints)."""
    parsed = parser.parse(pattern, flags)   # re.error for a bad pattern, as re.compile
    code = array(_TYPECODE, compiler._code(parsed, flags)).tobytes()
    groupindex = dict(parsed.state.groupdict)
    indexgroup: list[str | None] = [None] * parsed.state.groups
    for name, index in groupindex.items():
        indexgroup[index] = name
    return (flags | parsed.state.flags, code, parsed.state.groups - 1, groupindex,
            tuple(indexgroup))


def _cache_file(folder: Path | None, magic: int) -> Path | None:
    if folder is None:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        if base.startswith("~"):   # no home to expand
            return None
        folder = Path(base) / "site-builder"
    # this Python exactly, on this kind of machine: a character set's bitmap is in the
    # machine's byte order (a home folder may be shared by a cluster's machines)
    machine = os.uname().machine if hasattr(os, "uname") else ""
    build = f"{zlib.crc32(f'{sys.version} {sys.byteorder} {machine}'.encode()):08x}"
    return folder / f"patterns-{_FORMAT[-1]}-{sys.implementation.cache_tag}-{magic}-{build}.marshal"


def _checksum(key: tuple) -> int:
    """A checksum of `key` that is the same in every process (hash() is not)."""
    first = key[0]
    if type(first) is str and len(key) == 2:   # a pattern and its flags
        return zlib.crc32(first.encode("utf-8", "surrogatepass"), key[1] & 0xFFFFFFFF)
    if type(first) is bytes and len(key) == 2:
        return zlib.crc32(first, key[1] & 0xFFFFFFFF)
    return zlib.crc32(repr(key).encode("utf-8", "surrogatepass"))


def _lookup(key: tuple):  # noqa: ANN202 (an entry: a code list's tuple, or a kept text)
    """What is kept for `key`: made or read by this process, else read from the
    file's entries with its checksum; None if there is none (or it does not read)."""
    made = _known.get(key)
    if made is not None or _index is None:
        return made
    checksums, offsets, entries = _index
    want = _checksum(key)
    at = bisect.bisect_left(checksums, want)
    while at < len(checksums) and checksums[at] == want:
        entry = _entry(offsets, entries, at)
        if entry is None:
            return None
        if entry[0] == key:
            _known[key] = entry[1]
            return entry[1]
        at += 1
    return None


def _entry(offsets, entries: bytes, at: int) -> tuple | None:  # noqa: ANN001 (a memoryview)
    """The file's entry `at`: (key, what is kept), or None if it does not read."""
    try:
        key, made = marshal.loads(entries[offsets[at]:offsets[at + 1]])
    except (EOFError, ValueError, TypeError):
        return None
    return key, made


def _read_index(path: Path) -> tuple | None:
    """The file's checksums and offsets as arrays, and its entries' bytes; None for
    a missing or damaged file (its patterns are compiled again, and it is rewritten)."""
    try:
        form, checksums, offsets, entries = marshal.loads(path.read_bytes())
        if form != _FORMAT:
            return None
        checksums, offsets = memoryview(checksums).cast(_TYPECODE), memoryview(offsets).cast(_TYPECODE)
    except (OSError, EOFError, ValueError, TypeError):
        return None
    if len(offsets) != len(checksums) + 1 or (len(offsets) and offsets[-1] != len(entries)):
        return None
    return checksums, offsets, entries


def _journal(path: Path) -> Path:
    return path.with_suffix(".journal")


def _read_journal(path: Path) -> dict:
    """The journal's entries, up to the first that does not read (one cut short)."""
    try:
        data = io.BytesIO(path.read_bytes())
    except OSError:
        return {}
    found = {}
    while data.tell() < len(data.getbuffer()):
        try:
            key, made = marshal.load(data)
        except (EOFError, ValueError, TypeError):
            break
        found[key] = made
    return found


def read_table(path: Path) -> dict:
    """Every entry kept in the file at `path` and its journal (empty if missing or
    damaged), the journal's winning."""
    index = _read_index(path)
    table = {}
    if index is not None:
        _, offsets, entries = index
        found = (_entry(offsets, entries, at) for at in range(len(offsets) - 1))
        table = dict(entry for entry in found if entry is not None)
    return {**table, **_read_journal(_journal(path))}


def table_bytes(table: dict) -> bytes:
    """The file's bytes for `table`: its entries in the order of their keys' checksums."""
    ordered = sorted(table.items(), key=lambda item: _checksum(item[0]))
    checksums = array(_TYPECODE, [_checksum(key) for key, _ in ordered])
    offsets, entries, size = array(_TYPECODE, [0]), [], 0
    for item in ordered:
        entry = marshal.dumps(item)
        entries.append(entry)
        size += len(entry)
        offsets.append(size)
    return marshal.dumps((_FORMAT, checksums.tobytes(), offsets.tobytes(), b"".join(entries)))


def save() -> None:
    """Add this process's new code lists to the journal, or with the journal to the
    file once the journal is big or the file missing (under a lock, the file by a
    temporary file and a rename: other processes of the same build save theirs too)."""
    if not _new or _file is None:
        return
    try:
        _file.parent.mkdir(parents=True, exist_ok=True)
        with open(_file.with_suffix(".lock"), "a") as lock:
            _lock(lock)
            journal = _journal(_file)
            records = b"".join(marshal.dumps(item) for item in _new.items())
            size = journal.stat().st_size if journal.exists() else 0
            if size + len(records) <= JOURNAL_BYTES and _index is not None:
                with open(journal, "ab") as end:
                    end.write(records)
            else:
                _rewrite(_file, journal)
        _new.clear()
    except OSError:   # a read-only or full disk: the next command compiles them again
        pass


def _rewrite(path: Path, journal: Path) -> None:
    """The file made anew from itself, the journal and this process's new entries,
    and the journal emptied; past MAX_PATTERNS, from the journal and the new ones."""
    table = {**read_table(path), **_new}   # (the journal's entries among them)
    if len(table) > MAX_PATTERNS:
        table = {**_read_journal(journal), **_new}
    part = path.with_name(f".{path.name}.{os.getpid()}")
    part.write_bytes(table_bytes(table))
    os.replace(part, path)
    journal.unlink(missing_ok=True)


def _lock(file) -> None:  # noqa: ANN001
    try:
        import fcntl
    except ImportError:
        return
    fcntl.flock(file, fcntl.LOCK_EX)
