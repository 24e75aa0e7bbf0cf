"""What the output folder holds: every file with its size, modification time and
inode change time, for a build to compare with what it last wrote (a file edited
by hand is written again, one nothing makes is removed).

Listing every folder of a thousand-post site was a tenth of an edit's build (each
post is a folder). A folder whose stat is what the last build saw holds the
entries it held then: adding, removing or renaming an entry changes the folder's
modification and change times, and no program can set the change time back. So
the last build's record of each folder (its stat and its entries) spares reading
the folders no one has touched since; every file is still looked at (its own
stat), which is how a hand edit is seen. A folder changed shortly before it was
looked at is not recorded: a change in the same tick of the file system's clock
would not show (Memo.RACY_NS's reasoning, sources.py).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

# Jekyll's default keep_files: never listed, never removed.
KEEP = (".git", ".svn")
# A folder changed this close before it was looked at is listed again next time:
# Linux file systems' clocks tick every few milliseconds, Windows' every 16 ms.
RACY_NS = 50_000_000
# Times that are whole multiples of this come from a clock ticking in seconds or
# in hundredths (FAT, exFAT, HFS+): there, Memo's window.
COARSE_NS = 10_000_000
COARSE_RACY_NS = 2_500_000_000


def existing(out: Path, last: dict[str, tuple]) -> tuple[dict[str, tuple[int, int, int]],
                                                        dict[str, tuple]]:
    """(every file in `out`: relative path -> (size, mtime_ns, ctime_ns); each
    folder's record for the next build: relative path ('' for `out`) -> (its stat,
    its files' names, its folders' names)). `last`: the last build's record."""
    found: dict[str, tuple[int, int, int]] = {}
    record: dict[str, tuple] = {}
    if out.is_dir():
        _visit(str(out), "", last, time.time_ns(), found, record, {})
    return found, record


def _visit(path: str, rel: str, last: dict[str, tuple], now: int,
           found: dict[str, tuple[int, int, int]], record: dict[str, tuple],
           names: dict[tuple, tuple]) -> None:
    try:
        st = os.stat(path)
    except FileNotFoundError:   # removed meanwhile
        return
    stat = (st.st_ino, st.st_mtime_ns, st.st_ctime_ns)
    prefix = f"{rel}/" if rel else ""
    seen = last.get(rel)
    if seen is not None and seen[0] == stat:   # untouched since: its entries as then
        files, folders = seen[1], seen[2]
        for name in files:
            try:
                st = os.lstat(f"{path}/{name}")
            except FileNotFoundError:
                continue
            found[prefix + name] = (st.st_size, st.st_mtime_ns, st.st_ctime_ns)
    else:
        file_list, folder_list = [], []
        with os.scandir(path) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    if entry.name not in KEEP:
                        folder_list.append(entry.name)
                else:
                    st = entry.stat(follow_symlinks=False)
                    found[prefix + entry.name] = (st.st_size, st.st_mtime_ns, st.st_ctime_ns)
                    file_list.append(entry.name)
        # One tuple for all the folders holding the same names (most: index.html).
        files = tuple(sorted(file_list))
        files = names.setdefault(files, files)
        folders = tuple(sorted(folder_list))
    window = COARSE_RACY_NS if stat[2] % COARSE_NS == 0 else RACY_NS
    if stat[2] < now - window:
        record[rel] = (stat, files, folders)
    for name in folders:
        _visit(f"{path}/{name}", prefix + name, last, now, found, record, names)


def untouched(record: dict[str, tuple], changed: list[str]) -> dict[str, tuple]:
    """`record` without the folders this build changed: those holding a file it
    wrote or removed, and every folder above them (a folder made or removed
    changes its parent)."""
    touched = set()
    for rel in changed:
        parts = rel.split("/")[:-1]
        for depth in range(len(parts) + 1):   # '' (the output folder) first
            touched.add("/".join(parts[:depth]))
    return {rel: entry for rel, entry in record.items() if rel not in touched}
