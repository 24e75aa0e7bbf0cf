"""Our modules' bytecode, written before timing a command.

`make install` compiles site_builder; after an edit, or where PYTHONDONTWRITEBYTECODE
is set, each timed command would otherwise compile the changed modules again,
which a user's second run never does."""

from __future__ import annotations

import compileall
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "site_builder"


def compile_ours() -> None:
    compileall.compile_dir(str(PACKAGE), quiet=1)
