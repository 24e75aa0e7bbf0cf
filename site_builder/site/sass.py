"""Sass and SCSS as Jekyll compiles them: a page named .scss or .sass (it has front
matter) goes through Liquid, then the compiler, with `_sass/` (`sass: sass_dir`) and
`sass: load_paths` to import from, in `sass: style` (jekyll-sass-converter's
default, `compact`, unless set). The compiler is libsass, through the `libsass`
package: the reference Jekyll here (Debian's, jekyll-sass-converter 2.2 on sassc)
uses libsass too, so the CSS is byte for byte Jekyll's (see README, Sass)."""

from __future__ import annotations

import re
from pathlib import Path

from site_builder.errors import BuildError

SUFFIXES = (".scss", ".sass")
STYLES = ("nested", "expanded", "compact", "compressed")


def is_sass(ext: str) -> bool:
    return ext.lower() in SUFFIXES


class Folders(list):
    theme = False   # whether the last folder is the theme's _sass/


def import_folders(root: Path, config: dict) -> Folders:
    """Where a stylesheet's imports are looked for, but its own folder: `sass_dir`,
    `load_paths`, then the theme's `_sass/`."""
    options = config.get("sass") if isinstance(config.get("sass"), dict) else {}
    folders = Folders([root / str(options.get("sass_dir") or "_sass")])
    folders += [root / str(p) for p in options.get("load_paths") or []]
    from site_builder.site.theme import theme_folder
    theme = theme_folder(root, config)
    if theme is not None:   # after the blog's own _sass/, as a Jekyll theme's
        folders.append(theme / "_sass")
        folders.theme = True
    return folders


def sass_inputs(root: Path, config: dict, pages: list[str]) -> tuple:
    """What the stylesheets `pages` are made from besides their own text: the
    `sass:` options, every file under the import folders, and the Sass files beside
    each page (a partial next to it)."""
    from site_builder.site.cache import files_digest
    beside = sorted({path for name in pages for path in (root / name).parent.iterdir()
                     if path.suffix.lower() in (*SUFFIXES, ".css") and path.is_file()})
    return (config.get("sass"), files_digest(import_folders(root, config)),
            [(str(p), p.read_bytes()) for p in beside])


def compile_sass(text: str, name: str, ext: str, root: Path, config: dict,
                 first_line: int = 1) -> str:
    """CSS from the Liquid-rendered `text` of the page `name`; BuildError naming the
    file and line when the stylesheet is wrong."""
    import sass

    options = config.get("sass") if isinstance(config.get("sass"), dict) else {}
    # `:expanded`, a Ruby symbol, as jekyll-now's config writes it: GitHub Pages'
    # Jekyll 3 reads it as expanded (Jekyll 4's YAML refuses symbols).
    style = str(options.get("style") or "compact").lower().removeprefix(":")
    if style not in STYLES:
        raise BuildError(f"_config.yml: sass: style: {style!r} is not one of "
                         f"{', '.join(STYLES)}")
    imports = import_folders(root, config)
    theme_sass = imports.pop() if imports.theme else None
    folders = [*imports, (root / name).parent, *([theme_sass] if theme_sass else [])]
    try:
        # precision 10: libsass's own default, which Jekyll's sassc keeps (the Python
        # package's is 5: NexT's `1.2857142857em` came out `1.28571em`)
        return sass.compile(string=text, include_paths=[str(f) for f in folders if f.is_dir()],
                            output_style=style, indented=ext.lower() == ".sass", precision=10)
    except sass.CompileError as exc:
        message = str(exc).strip().splitlines()
        first = message[0].removeprefix("Error: ") if message else "cannot compile"
        found = re.search(r"on line (\d+):\d+ of (\S+)", str(exc))
        if found and found.group(2) == "stdin":   # in the page itself: the file's line
            where = f"{name}:{first_line + int(found.group(1)) - 1}"
        else:
            where = f"{name} (in {found.group(2)}, line {found.group(1)})" if found else name
        raise BuildError(f"{where}: Sass: {first}; fix the stylesheet or what it "
                         f"imports") from None
