"""Rebuild times of the 1000-post bench blog, as fresh commands: quicker than
bench/site_build.py (no Jekyll, no cold builds but the first) and steadier on a
busy machine, for work on the incremental path.

    .venv/bin/python bench/site_edit.py [--n 1000] [--runs 9]

Builds bench/site_corpus.py's N posts once, then N times: one post's body edited
(a line appended, as site_build.py's edit) and rebuilt, then rebuilt again with
nothing changed. Prints each rebuild's wall and CPU seconds (min and median; the
CPU time of the command and its children, which other work on the machine moves
less than the wall time), against the reference of the same run: a command that
starts Python, reads the kept regular expressions and imports site-builder's
command line, which every build pays.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))
import site_build  # noqa: E402  (bench/site_build.py)
import site_corpus  # noqa: E402
from compiled import compile_ours  # noqa: E402


# What every command pays before it works: Python's start, the kept regular
# expressions (compiled_patterns.py) and the command line's imports.
START = ("from site_builder import compiled_patterns; compiled_patterns.install(); "
         "import site_builder.cli")


def timed(command: list[str], cwd: Path) -> tuple[float, float]:
    """(wall, CPU) seconds of `command`, which must succeed."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=cwd)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stdout}{done.stderr}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def row(name: str, found: list[tuple[float, float]]) -> str:
    walls, cpus = [w for w, _ in found], [c for _, c in found]
    return (f"{name:10} {min(walls):8.3f} {statistics.median(walls):8.3f} "
            f"{min(cpus):8.3f} {statistics.median(cpus):8.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    compile_ours()
    work = Path(tempfile.mkdtemp(prefix=f"site-edit-{args.n}-"))
    try:
        blog = site_build.setup(work, args.n)[0].folder   # site-builder's, not Jekyll's
        python = str(Path(sys.executable))
        build = [python, "-m", "site_builder", "--root", str(blog), "site"]
        timed(build, work)   # cold
        timed(build, work)
        found: dict[str, list[tuple[float, float]]] = {"reference": [], "edit": [], "no-op": []}
        post = sorted((blog / "posts").iterdir())[args.n // 2]
        for step in range(args.runs):
            found["reference"].append(timed([python, "-c", START], work))
            post.write_text(post.read_text() + f"\nOne more line, edit {step}.\n")
            found["edit"].append(timed(build, work))
            found["no-op"].append(timed(build, work))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"{args.n} posts, {os.cpu_count()} cores, {args.runs} runs: seconds")
    print(f"{'':10} {'wall min':>8} {'median':>8} {'CPU min':>8} {'median':>8}")
    for name, runs in found.items():
        print(row(name, runs))
    start = min(c for _, c in found["reference"])
    print(f"beyond the reference (CPU, min): edit {min(c for _, c in found['edit']) - start:.3f} s, "
          f"no-op {min(c for _, c in found['no-op']) - start:.3f} s")


if __name__ == "__main__":
    main()
