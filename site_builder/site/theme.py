"""Where layouts and includes come from: the blog's own first, then the default
theme's, which ships in the repository next to the package."""

from __future__ import annotations

from pathlib import Path

THEME = Path(__file__).resolve().parent.parent.parent
LAYOUTS = Path("templates") / "layouts"
INCLUDES = Path("templates") / "includes"


def layout_folders(root: Path) -> list[str]:
    return list(dict.fromkeys([str(root / LAYOUTS), str(THEME / LAYOUTS)]))


def include_folders(root: Path) -> list[str]:
    return [str(root / "_includes"), str(THEME / INCLUDES)]
