"""Every import in the package, at module level and inside functions, keeps the
layers drawn in ARCHITECTURE.md: a module imports only lower layers or its own
package. No exceptions list: a new edge means a new row in the table, or a fix."""

from __future__ import annotations

import ast
import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "site_builder"
ARCHITECTURE = PACKAGE.parent / "ARCHITECTURE.md"


def layers() -> dict[str, int]:
    """module group -> layer, read from ARCHITECTURE.md's table."""
    found = {}
    for layer, modules in re.findall(r"^\| (\d+) \| (.+?) \|", ARCHITECTURE.read_text(), re.M):
        for name in re.findall(r"`([\w_]+)`", modules):
            found[name] = int(layer)
    return found


def group(module: str) -> str:
    """site_builder.sampling.worker -> sampling; site_builder -> "" (the root)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _is_module(name: str) -> bool:
    return (PACKAGE / f"{name}.py").is_file() or (PACKAGE / name / "__init__.py").is_file()


def imports(path: Path) -> list[tuple[int, str]]:
    """(line, imported module) for every site_builder import in the file."""
    module = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:   # relative: from the file's package
                base = ".".join(module.split(".")[:-node.level] + ([base] if base else []))
            if base == "site_builder":   # from site_builder import sampling, TEMPLATES
                found += [(node.lineno, f"site_builder.{a.name}" if _is_module(a.name) else base)
                          for a in node.names]
            elif base.startswith("site_builder."):
                found.append((node.lineno, base))
        elif isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.startswith("site_builder")]
    return found


def test_the_table_names_every_module():
    table = layers()
    groups = {p.stem if p.parent == PACKAGE else p.relative_to(PACKAGE).parts[0]
              for p in PACKAGE.rglob("*.py") if p.name != "__init__.py" or p.parent != PACKAGE}
    assert groups - set(table) == set(), "modules missing from ARCHITECTURE.md's table"


def test_every_import_keeps_the_layers():
    table = layers()
    wrong = []
    for path in sorted(PACKAGE.rglob("*.py")):
        importer = group(".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts))
        if path.name == "__init__.py" and path.parent == PACKAGE:
            importer = ""
        for line, module in imports(path):
            imported = group(module)
            if imported == "" or imported == importer:
                continue
            if importer == "" or table[imported] >= table[importer]:
                wrong.append(f"{path.relative_to(PACKAGE.parent)}:{line}: {importer or 'site_builder'} "
                             f"(layer {table.get(importer)}) imports {module} (layer {table[imported]})")
    assert not wrong, "imports against ARCHITECTURE.md's layers:\n" + "\n".join(wrong)


# Inside site/: `make serve`'s parts and who may import them.
PREVIEW_PARTS = {"preview": {"server", "watch", "livereload"}, "server": {"livereload"},
                 "watch": set(), "livereload": set()}


def test_the_site_build_never_imports_the_preview():
    wrong = []
    for path in sorted((PACKAGE / "site").glob("*.py")):
        allowed = PREVIEW_PARTS.get(path.stem, set())
        for line, module in imports(path):
            part = module.removeprefix("site_builder.site.")
            if part in PREVIEW_PARTS and part != path.stem and part not in allowed:
                wrong.append(f"site/{path.name}:{line}: imports site.{part}")
    assert not wrong, "\n".join(wrong)
