"""Site build speed: site-builder against Jekyll 4.3 and Hugo, in the same run.

    .venv/bin/python bench/site_build.py [--n 1000 100] [--repeat 3] [--keep DIR]

For each N, writes N Casper-style posts (bench/site_corpus.py: ~750 words each
with code, a table, an iframe, audio tags and a footnote) into three sites of
the same posts, then times each builder (the best of --repeat runs):

- cold:  no output and no cache (Jekyll's .jekyll-cache and Hugo's resources
         removed too);
- no-op: the same build again, nothing changed;
- edit:  one post's body edited;
- title: one post's title edited (which the index, tag pages and feed show).

Each builder makes post pages, a paginated index (10 a page; Jekyll with
jekyll-paginate, from Debian's ruby-jekyll-paginate) and an Atom feed;
site-builder and Hugo also make tag pages and a sitemap. Hugo renders with
goldmark (`unsafe: true`, so raw HTML passes as in kramdown) and highlights code
with Chroma; site-builder with Pygments; Jekyll with kramdown + rouge.

Peak memory is the largest sum of the PSS (proportional set size) of the
builder's process tree, sampled every 20 ms: site-builder's worker processes
count, and pages they share with their parent count once.
Prints a table of times, peak memory and the ratios; machines are noisy, so
compare ratios within one run, never absolute times across runs.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))
import site_corpus  # noqa: E402  (bench/site_corpus.py)
from compiled import compile_ours  # noqa: E402  (bench/compiled.py)

SCENARIOS = ("cold", "no-op", "edit", "title")
OURS_CONFIG = """\
title: Bench
description: Casper-style posts for the speed bench.
url: "http://127.0.0.1"
baseurl: ""
permalink: /:title/
paginate: 10
"""
JEKYLL_CONFIG = OURS_CONFIG + "markdown: kramdown\nplugins: [jekyll-feed, jekyll-paginate]\n"
JEKYLL_LAYOUT = """<!DOCTYPE html><html><head><title>{{ page.title }}</title></head>
<body><article><h1>{{ page.title }}</h1><time>{{ page.date | date: "%-d %B %Y" }}</time>
{% for tag in page.tags %}<a href="/tag/{{ tag }}/">{{ tag }}</a>{% endfor %}
{{ content }}</article></body></html>
"""
JEKYLL_INDEX = """---
layout: null
---
<!DOCTYPE html><html><body>{% for post in paginator.posts %}
<article><h2><a href="{{ post.url | relative_url }}">{{ post.title }}</a></h2>
{{ post.excerpt }}</article>{% endfor %}{% if paginator.next_page %}
<a href="{{ paginator.next_page_path | relative_url }}">Older</a>{% endif %}</body></html>
"""
HUGO_CONFIG = """\
baseURL = "http://127.0.0.1/"
title = "Bench"
paginate = 10
[markup.goldmark.renderer]
unsafe = true
[permalinks]
posts = "/:slug/"
[taxonomies]
tag = "tags"
"""
HUGO_LAYOUTS = {
    "_default/baseof.html": "<!DOCTYPE html><html><head><title>{{ .Title }}</title></head>"
                            "<body>{{ block \"main\" . }}{{ end }}</body></html>\n",
    "_default/single.html": "{{ define \"main\" }}<article><h1>{{ .Title }}</h1>"
                            "<time>{{ .Date.Format \"2 January 2006\" }}</time>{{ range .Params.tags }}"
                            "<a href=\"/tags/{{ . | urlize }}/\">{{ . }}</a>{{ end }}"
                            "{{ .Content }}</article>{{ end }}\n",
    "_default/list.html": "{{ define \"main\" }}{{ range .Paginator.Pages }}<article><h2>"
                          "<a href=\"{{ .RelPermalink }}\">{{ .Title }}</a></h2>{{ .Summary }}"
                          "</article>{{ end }}{{ with .Paginator.Next }}<a href=\"{{ .URL }}\">"
                          "Older</a>{{ end }}{{ end }}\n",
}


@dataclass
class Builder:
    name: str
    folder: Path
    command: list[str]
    posts: str              # the posts folder, relative to `folder`
    outputs: tuple[str, ...]  # removed for a cold build

    def clean(self) -> None:
        for rel in self.outputs:
            shutil.rmtree(self.folder / rel, ignore_errors=True)


def setup(work: Path, n: int) -> list[Builder]:
    posts = site_corpus.posts(n)
    builders = [_ours(work / "site-builder", posts)]
    if shutil.which("jekyll"):
        builders.append(_jekyll(work / "jekyll", posts))
    if shutil.which("hugo"):
        builders.append(_hugo(work / "hugo", posts))
    return builders


def _write_posts(folder: Path, posts: dict[str, str]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in posts.items():
        (folder / name).write_text(text, encoding="utf-8")


def _ours(folder: Path, posts: dict[str, str]) -> Builder:
    _write_posts(folder / "posts", posts)
    (folder / "_config.yml").write_text(OURS_CONFIG, encoding="utf-8")
    shutil.copytree(REPO / "assets" / "images", folder / "assets" / "images")
    command = [str(Path(sys.executable).parent / "site-builder"), "--root", str(folder), "site"]
    return Builder("site-builder", folder, command, "posts", ("_site", ".site-cache"))


def _jekyll(folder: Path, posts: dict[str, str]) -> Builder:
    _write_posts(folder / "_posts", posts)
    (folder / "_config.yml").write_text(JEKYLL_CONFIG, encoding="utf-8")
    (folder / "_layouts").mkdir()
    (folder / "_layouts" / "post.html").write_text(JEKYLL_LAYOUT, encoding="utf-8")
    (folder / "index.html").write_text(JEKYLL_INDEX, encoding="utf-8")
    shutil.copytree(REPO / "assets" / "images", folder / "assets" / "images")
    command = ["jekyll", "build", "--quiet", "--source", str(folder),
               "--destination", str(folder / "_site")]
    return Builder("Jekyll", folder, command, "_posts", ("_site", ".jekyll-cache"))


def _hugo(folder: Path, posts: dict[str, str]) -> Builder:
    _write_posts(folder / "content" / "posts", posts)
    (folder / "hugo.toml").write_text(HUGO_CONFIG, encoding="utf-8")
    for rel, text in HUGO_LAYOUTS.items():
        (folder / "layouts" / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / "layouts" / rel).write_text(text, encoding="utf-8")
    (folder / "layouts" / "index.html").write_text(HUGO_LAYOUTS["_default/list.html"])
    shutil.copytree(REPO / "assets" / "images", folder / "static" / "assets" / "images")
    command = ["hugo", "--quiet", "--source", str(folder)]
    return Builder("Hugo", folder, command, "content/posts", ("public", "resources"))


# -- measuring ----------------------------------------------------------------------

def run(builder: Builder) -> tuple[float, float]:
    """(wall seconds, peak PSS of the process tree in MiB)."""
    # Python keeps compiled modules as installed copies do (some sandboxes turn that off).
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["JEKYLL_ENV"] = "production"
    started = time.perf_counter()
    process = subprocess.Popen(builder.command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               env=env)
    peak = PeakMemory(process.pid)
    peak.start()
    output, _ = process.communicate()
    seconds = time.perf_counter() - started
    peak.stop()
    if process.returncode != 0:
        raise SystemExit(f"{builder.name} failed:\n{output.decode(errors='replace')[-2000:]}")
    return seconds, peak.mib


class PeakMemory(threading.Thread):
    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.kib, self._done = pid, 0, threading.Event()

    def run(self) -> None:
        while not self._done.is_set():
            self.kib = max(self.kib, sum(_pss(pid) for pid in _tree(self.pid)))
            self._done.wait(0.02)

    def stop(self) -> None:
        self._done.set()
        self.join()

    @property
    def mib(self) -> float:
        return self.kib / 1024


def _tree(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo += children.get(pid, [])
    return found


def _pss(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def edit_body(builder: Builder, step: int) -> None:
    post = sorted((builder.folder / builder.posts).iterdir())[len(os.listdir(
        builder.folder / builder.posts)) // 2]
    post.write_text(post.read_text() + f"\nOne more line, edit {step}.\n")


def edit_title(builder: Builder, step: int) -> None:
    post = sorted((builder.folder / builder.posts).iterdir())[-1]  # the newest: on the index
    text = post.read_text()
    head, rest = text.split("title: ", 1)
    post.write_text(head + f'title: "Retitled {step}"' + rest[rest.index("\n"):])


def measure(builder: Builder, repeat: int) -> dict[str, tuple[float, float]]:
    """Scenario -> (best seconds, peak MiB of that scenario's runs)."""
    results: dict[str, list[tuple[float, float]]] = {s: [] for s in SCENARIOS}
    for step in range(repeat):
        builder.clean()
        results["cold"].append(run(builder))
        results["no-op"].append(run(builder))
        edit_body(builder, step)
        results["edit"].append(run(builder))
        edit_title(builder, step)
        results["title"].append(run(builder))
    return {s: (min(t for t, _ in r), max(m for _, m in r)) for s, r in results.items()}


def report(n: int, table: dict[str, dict[str, tuple[float, float]]]) -> None:
    names = list(table)
    print(f"\n{n} posts, {os.cpu_count()} cores: seconds (best of runs), peak MiB")
    print(f"{'':8}" + "".join(f"{name:>22}" for name in names))
    for scenario in SCENARIOS:
        cells = "".join(f"{table[name][scenario][0]:>13.2f} s {table[name][scenario][1]:>4.0f} MiB"
                        for name in names)
        print(f"{scenario:8}{cells}")
    ours = table["site-builder"]
    for other in names[1:]:
        ratios = "  ".join(f"{s} {ours[s][0] / table[other][s][0]:.2f}x" for s in SCENARIOS)
        memory = ours["cold"][1] / table[other]["cold"][1]
        print(f"site-builder / {other}: {ratios}  (peak memory, cold: {memory:.2f}x)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, nargs="+", default=[1000, 100])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="build in this folder and keep it")
    args = parser.parse_args()
    compile_ours()
    for n in args.n:
        work = Path(tempfile.mkdtemp(prefix=f"site-bench-{n}-", dir=args.keep))
        try:
            table = {b.name: measure(b, args.repeat) for b in setup(work, n)}
        finally:
            if not args.keep:
                shutil.rmtree(work, ignore_errors=True)
        report(n, table)
    missing = [tool for tool in ("jekyll", "hugo") if not shutil.which(tool)]
    if missing:
        print(f"\nnot installed, so not measured: {', '.join(missing)} (apt install {' '.join(missing)})")


if __name__ == "__main__":
    main()
