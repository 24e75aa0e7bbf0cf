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
