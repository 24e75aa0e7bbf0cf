"""The reader's walk of a blog's top folder: where an entry resolves to, found
without Path.resolve for entries that are no links, must be Path.resolve's."""

from __future__ import annotations

import os
from pathlib import Path

from site_builder.site.reader import Reader


def test_an_entrys_resolved_path_is_path_resolves(tmp_path: Path) -> None:
    real = tmp_path / "real"
    (real / "blog" / "_site").mkdir(parents=True)
    (real / "blog" / "index.md").write_text("x")
    (real / "blog" / "folder").mkdir()
    (real / "elsewhere").mkdir()
    (real / "blog" / "to-folder").symlink_to(real / "blog" / "folder")
    (real / "blog" / "to-output").symlink_to(real / "blog" / "_site")
    (real / "blog" / "to-outside").symlink_to(real / "elsewhere")
    (real / "blog" / "to-nothing").symlink_to(real / "missing")
    (real / "blog" / "relative").symlink_to(Path("..") / "elsewhere")
    (tmp_path / "linked").symlink_to(real)   # the blog read through a linked folder
    for blog in (real / "blog", tmp_path / "linked" / "blog"):
        folder = os.path.realpath(blog)
        with os.scandir(blog) as entries:
            for entry in entries:
                assert Reader._resolved(entry, folder) == str(Path(entry.path).resolve())


def test_an_output_folders_real_path_is_realpaths(tmp_path: Path) -> None:
    from site_builder.site import _real_folder
    out = tmp_path / "out"
    (out / "a" / "b").mkdir(parents=True)
    (tmp_path / "elsewhere" / "c").mkdir(parents=True)
    (out / "link").symlink_to(tmp_path / "elsewhere")
    (out / "a" / "up").symlink_to(Path(".."))
    (out / "loop").symlink_to(out / "loop2")
    (out / "loop2").symlink_to(out / "loop")
    (out / "a" / "nowhere").symlink_to(tmp_path / "missing")
    inside = os.path.realpath(out)
    names = ["a", "b", "c", "link", "up", "loop", "loop2", "nowhere", "new", ".", "..", ""]
    folders = {""}
    for first in names:
        for second in names:
            for third in ("", "x", "..", "c"):
                folders.add(os.path.join(first, second, third).rstrip("/") or first)
                folders.add(f"{first}//{second}/./{third}")
    folders |= {"/abs", "/abs/x", "//x", "a/../../x"}
    known, linked = {"": inside}, set()
    for folder in sorted(folders, key=lambda f: (len(f), f)):
        assert _real_folder(inside, folder, known, linked) == \
            os.path.realpath(os.path.join(inside, folder)), folder
    known, linked = {"": inside}, set()
    for folder in sorted(folders, key=lambda f: (-len(f), f)):   # deepest first
        assert _real_folder(inside, folder, known, linked) == \
            os.path.realpath(os.path.join(inside, folder)), folder
