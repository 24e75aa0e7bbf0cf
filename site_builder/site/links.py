"""Symbolic links met while reading a blog. A link whose target is outside the blog
is not followed, as in Jekyll's safe mode and on GitHub Pages (a post or asset
linked to /etc/passwd is not published); each is named once in a warning.
`safe: false` in _config.yml follows them, as Jekyll's default mode does. A link
that loops, anywhere, stops the build with one line."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from site_builder.errors import BuildError


class Links:
    def __init__(self, root: Path, config: dict, log: logging.Logger) -> None:
        safe = config.get("safe", True)
        if not isinstance(safe, bool):
            raise BuildError(f"_config.yml: safe: expected true or false, got {safe!r}")
        self.root, self.follow, self.log = root.resolve(), not safe, log
        self.base = Path(os.path.abspath(root))  # the blog as its paths are written
        self.warned: set[str] = set()

    def readable(self, path: Path | str) -> bool:
        """Whether the blog's file or folder `path` may be read: not a symbolic link,
        or one to somewhere in the blog (anywhere with `safe: false`)."""
        if not os.path.islink(path):
            return True
        shown = self.shown(path)
        try:
            target = Path(path).resolve(strict=True)
        except FileNotFoundError:
            self._warn(shown, f"warning: {shown}: a symbolic link to nothing "
                              f"({os.readlink(path)}); skipped")
            return False
        except (OSError, RuntimeError):  # ELOOP, or pathlib's own loop check
            raise BuildError(f"{shown}: symbolic links that loop ({shown} -> "
                             f"{os.readlink(path)}); remove or repoint one of them") from None
        if self.follow or target.is_relative_to(self.root):
            return True
        self._warn(shown, f"warning: {shown}: a symbolic link to {target}, outside the blog; "
                          f"not published (as in Jekyll's safe mode and on GitHub Pages; "
                          f"`safe: false` in _config.yml follows such links)")
        return False

    def confined(self, path: Path | str) -> bool:
        """readable() for `path` and for each folder on the way to it from the blog: a
        layout in a linked folder is read only where the folder may be."""
        absolute = Path(os.path.abspath(path))
        if not absolute.is_relative_to(self.base):
            return self.readable(absolute)
        here = self.base
        for part in absolute.relative_to(self.base).parts:
            here = here / part
            if not self.readable(here):
                return False
        return True

    def shown(self, path: Path | str) -> str:
        absolute = Path(os.path.abspath(path))
        return str(absolute.relative_to(self.base)) if absolute.is_relative_to(self.base) \
            else str(path)

    def _warn(self, shown: str, message: str) -> None:
        if shown not in self.warned:
            self.warned.add(shown)
            self.log.warning(message)
