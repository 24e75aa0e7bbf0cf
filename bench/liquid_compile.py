"""Liquid compiled to Python (site_builder/site/liquid_compile.py) against
python-liquid's interpreter: the same blogs built both ways must be identical, file
for file and byte for byte, and the layouts' Liquid must cost less.

    .venv/bin/python bench/liquid_compile.py [BLOG...] [--rounds N]

Each BLOG (a Jekyll blog's folder; default: those bench/real_blogs.py is run on,
where present) is copied as bench/real_blogs.py copies it and built twice, with
SITE_BUILDER_LIQUID_COMPILE=0 and =1; so are the test suite's cross-check corpus (our
theme) and this repository's own blog. Prints, per blog, `identical: N files` (or
the files that differ, and exits 1). Then, on the last blog given (Jekyll's docs by
default), the CPU time of the layouts' and includes' Liquid (JekyllRenderer._liquid)
and of the whole build, one core, each way, taking turns for `--rounds` rounds: the
best of each.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
for folder in (REPO, REPO / "bench", REPO / "tests"):
    if str(folder) not in sys.path:
        sys.path.append(str(folder))

from real_blogs import QUIET, copy_blog, wanted_plugins  # noqa: E402

BLOGS = [Path("/tmp/blogs") / name for name in
         ("jasper2", "minima", "lanyon", "jekyll-repo/docs")]


def build(root: Path, out: Path, compiled: bool, jobs: int | None = None) -> None:
    from site_builder.site import build as site_build
    os.environ["SITE_BUILDER_LIQUID_COMPILE"] = "1" if compiled else "0"
    # site.time fixed (feeds and sitemaps print it): the two builds are seconds apart.
    (root / "_same_time.yml").write_text("_time: 2026-01-01T00:00:00\n")
    configs = [p for p in (root / "_config.yml", root / "_bench.yml", root / "_same_time.yml")
               if p.is_file()]
    site_build(root, out_dir=out, config_files=configs, jobs=jobs, log=QUIET)


def files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def compare(name: str, source: Path, work: Path) -> bool:
    """Build `source` both ways (each on its own fresh copy); True when identical."""
    outs = {}
    for compiled in (False, True):
        copy = work / f"{name}-{int(compiled)}"
        shutil.copytree(source, copy)
        outs[compiled] = files(_built(copy, compiled))
    off, on = outs[False], outs[True]
    differ = sorted(k for k in off.keys() | on.keys() if off.get(k) != on.get(k))
    if differ:
        print(f"{name}: {len(differ)} of {len(off)} files differ: {', '.join(differ[:10])}")
        return False
    print(f"{name}: identical: {len(off)} files")
    return True


def _built(copy: Path, compiled: bool) -> Path:
    out = copy.parent / f"{copy.name}-site"
    build(copy, out, compiled)
    return out


def sources(blogs: list[Path], work: Path) -> dict[str, Path]:
    """Name -> a folder to build: the blogs as bench/real_blogs.py copies them, the
    cross-check corpus and this repository's blog."""
    import jekyll_corpus
    found = {}
    for blog in blogs:
        found[blog.name if blog.name != "docs" else "jekyll-docs"] = copy_blog(
            blog, work / f"src-{blog.name}", wanted_plugins(blog))
    corpus = work / "src-corpus"
    jekyll_corpus.write_corpus(corpus)
    found["corpus"] = corpus
    own = work / "src-own"
    own.mkdir()
    shutil.copy(REPO / "_config.yml", own / "_config.yml")
    for folder in ("posts", "assets"):
        if (REPO / folder).is_dir():
            shutil.copytree(REPO / folder, own / folder)
    found["own blog"] = own
    return found


def liquid_cpu(blog: Path, work: Path, rounds: int) -> dict[bool, tuple[float, float]]:
    """Best CPU seconds of the layouts' Liquid, and of the whole build, in a one-core
    build, each way."""
    from site_builder.site import jekyll_layouts
    spent = [0.0]
    original = jekyll_layouts.JekyllRenderer._liquid

    def timed(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        start = time.process_time()
        try:
            return original(*args, **kwargs)
        finally:
            spent[0] += time.process_time() - start

    jekyll_layouts.JekyllRenderer._liquid = timed
    best = {False: (float("inf"),) * 2, True: (float("inf"),) * 2}
    try:
        for i in range(rounds):
            for compiled in (False, True):
                copy = copy_blog(blog, work / f"cpu-{i}-{int(compiled)}", wanted_plugins(blog))
                spent[0] = 0.0
                start = time.process_time()
                build(copy, work / f"cpu-{i}-{int(compiled)}-site", compiled, jobs=1)
                whole = time.process_time() - start
                best[compiled] = (min(best[compiled][0], spent[0]), min(best[compiled][1], whole))
    finally:
        jekyll_layouts.JekyllRenderer._liquid = original
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("blogs", nargs="*", type=Path)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    blogs = [b.resolve() for b in (args.blogs or [b for b in BLOGS if b.is_dir()])]
    with tempfile.TemporaryDirectory(prefix="liquid-compile-") as tmp:
        work = Path(tmp)
        same = [compare(name, source, work) for name, source in sources(blogs, work).items()]
        if blogs and args.rounds:
            best = liquid_cpu(blogs[-1], work, args.rounds)
            (liquid, whole), (liquid_c, whole_c) = best[False], best[True]
            print(f"{blogs[-1].name}, one core, best of {args.rounds}: layouts' Liquid "
                  f"interpreted {liquid:.3f} s, compiled {liquid_c:.3f} s "
                  f"({liquid / liquid_c:.2f}x less CPU); whole build {whole:.2f} s -> "
                  f"{whole_c:.2f} s")
    return 0 if all(same) else 1


if __name__ == "__main__":
    sys.exit(main())
