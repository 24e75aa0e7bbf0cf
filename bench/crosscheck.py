"""Cross-check with real Jekyll 4.3: the same posts built by Jekyll and by site-builder.

    .venv/bin/python bench/crosscheck.py [--n 37] [--keep DIR] [--json FILE] [--diffs N]

Writes the test corpus (tests/jekyll_corpus.py), builds it with site-builder
(`site_builder.site.build`) and with `jekyll build --safe` (Debian's `jekyll`),
both with a minimal post layout that outputs only a marker and `{{ content }}`,
and compares every post:

- URL:   the output file's path under the site folder;
- text:  tags stripped, whitespace collapsed, typographic quotes, dashes and
         ellipses folded to the ASCII that kramdown makes them from;
- links: the href and src values, in order;
- HTML:  the markup with every attribute but href/src/id removed and <span>s
         inside <pre>/<code> unwrapped (whitespace collapsed outside <pre>).

Prints a table per feature, the overall figures, the build times, and a short
diff for every post that differs. Offline: `jekyll build` reads and writes
local files only (no `jekyll serve`, no plugins). A post that one builder
refuses is taken out and the build retried, so it counts as different on every
measure without sinking the other posts.
"""

from __future__ import annotations

import argparse
import difflib
import html
import json
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from html.parser import HTMLParser
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# Appended, not prepended: the installed (editable) package or PYTHONPATH wins.
for _path in (REPO, REPO / "tests"):
    if str(_path) not in sys.path:
        sys.path.append(str(_path))

import jekyll_corpus  # noqa: E402  (tests/jekyll_corpus.py)

# The builds' own lines (site: ...) are not wanted here.
QUIET = logging.getLogger("bench.quiet")
QUIET.addHandler(logging.NullHandler())
QUIET.propagate = False

MARKED = re.compile(r"<!-- crosscheck-begin: (.*?) -->\n(.*?)\n?<!-- crosscheck-end -->", re.S)
JEKYLL_DEFAULT_LAYOUT = "<!DOCTYPE html>\n<html><body>\n{{ content }}\n</body></html>\n"
MEASURES = ("url", "text", "links", "html")


# -- building -------------------------------------------------------------------

@dataclass
class Built:
    pages: dict[str, tuple[str, str]]   # post title -> (output path, content HTML)
    seconds: float                      # the last (successful) build's wall time
    refused: dict[str, str] = field(default_factory=dict)   # post file -> error


ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _post_names(message: str, folder: str) -> set[str]:
    return set(re.findall(rf"{folder}/(\d{{4}}-\d\d-\d\d-[^\s:/'\"]+?\.(?:md|markdown))", message))


def _jekyll_errors(output: str) -> str:
    """Jekyll's error lines (its warnings name posts too: an excerpt warning is no refusal)."""
    lines = ANSI.sub("", output).splitlines()
    return "\n".join(line for line in lines if re.search(r"(?i)error|exception", line)) or output


def _collect(out: Path) -> dict[str, tuple[str, str]]:
    pages: dict[str, tuple[str, str]] = {}
    for path in sorted(out.rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        for match in MARKED.finditer(text):
            title = html.unescape(match.group(1)).strip()
            pages.setdefault(title, (path.relative_to(out).as_posix(), match.group(2)))
    return pages


def _retrying(build_once, posts_dir: Path, folder: str, attic: Path) -> Built:
    """Build; when the builder refuses named posts, move them out and build again."""
    refused: dict[str, str] = {}
    while True:
        error, seconds = build_once()
        if error is None:
            return Built({}, seconds, refused)
        names = {n for n in _post_names(error, folder) if (posts_dir / n).exists()}
        if not names:
            raise RuntimeError(f"{folder}: the build failed and names no post:\n{error}")
        for name in sorted(names):
            lines = [line for line in error.splitlines() if name in line] or [error]
            refused[name] = lines[0].strip()[:300]
            attic.mkdir(parents=True, exist_ok=True)
            shutil.move(str(posts_dir / name), str(attic / name))


def build_ours(blog: Path, out: Path) -> Built:
    """site-builder on `blog` (a corpus folder) with a minimal blog-local post layout."""
    from site_builder.errors import SiteBuilderError
    from site_builder.site import build

    src = out.parent / "ours-src"
    shutil.copytree(blog, src)
    # Our theme, with the post layout overridden by the blog's own.
    config = src / "_config.yml"
    config.write_text(config.read_text() + "\ntheme: site-builder\n", encoding="utf-8")
    layouts = src / "_layouts"
    layouts.mkdir(parents=True, exist_ok=True)
    (layouts / "post.html").write_text(jekyll_corpus.MINIMAL_POST_LAYOUT, encoding="utf-8")

    def once():
        started = time.perf_counter()
        try:
            build(src, out_dir=out, log=QUIET)
        except SiteBuilderError as exc:
            return str(exc), 0.0
        return None, time.perf_counter() - started

    built = _retrying(once, src / "posts", "posts", out.parent / "ours-refused")
    built.pages = _collect(out)
    return built


def jekyll_command() -> list[str]:
    return ["jekyll", "build", "--safe", "--disable-disk-cache", "--trace"]


def build_jekyll(blog: Path, out: Path) -> Built:
    """Real Jekyll on a site whose `_posts/` is a copy of the corpus's `posts/`."""
    src = out.parent / "jekyll-src"
    (src / "_layouts").mkdir(parents=True)
    shutil.copyfile(blog / "_config.yml", src / "_config.yml")
    shutil.copytree(blog / "posts", src / "_posts")
    (src / "_layouts" / "post.html").write_text(jekyll_corpus.MINIMAL_POST_LAYOUT, encoding="utf-8")
    (src / "_layouts" / "default.html").write_text(JEKYLL_DEFAULT_LAYOUT, encoding="utf-8")
    # UTF-8 whatever the caller's locale (Ruby reads files in the locale's encoding);
    # UTC so dates do not depend on the machine.
    env = {**os.environ, "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8", "TZ": "UTC"}

    def once():
        if out.exists():
            shutil.rmtree(out)
        started = time.perf_counter()
        command = [*jekyll_command(), "--source", str(src), "--destination", str(out)]
        result = subprocess.run(command, capture_output=True, text=True, env=env, cwd=out.parent)
        seconds = time.perf_counter() - started
        if result.returncode != 0:
            return _jekyll_errors(f"{result.stdout}\n{result.stderr}"), seconds
        return None, seconds

    built = _retrying(once, src / "_posts", "_posts", out.parent / "jekyll-refused")
    built.pages = _collect(out)
    return built


# -- normalising ----------------------------------------------------------------

FOLD = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'",
                      "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"',
                      "\u2013": "--", "\u2014": "---", "\u2026": "...",
                      "\u00ab": "<<", "\u00bb": ">>", "\u00a0": " "})
BLOCK = {"address", "article", "aside", "audio", "blockquote", "br", "dd", "div", "dl", "dt",
         "figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr",
         "iframe", "li", "ol", "p", "pre", "section", "table", "tbody", "td", "tfoot", "th",
         "thead", "tr", "ul", "video"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}
KEPT_ATTRS = ("href", "id", "src")


class _Reader(HTMLParser):
    """One pass: plain text, links, and a canonical token list."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.links: list[str] = []
        self.tokens: list[str] = []
        self._data: list[str] = []
        self._pre = 0
        self._code = 0

    def _flush(self) -> None:
        if not self._data:
            return
        data = "".join(self._data)
        self._data = []
        if self._pre:
            lines = [line.rstrip() for line in data.split("\n")]
            data = "\n".join(lines).strip("\n")
        else:
            data = " ".join(data.split())
        if data.strip():
            self.tokens.append(data)

    def handle_starttag(self, tag, attrs):
        if tag in BLOCK:
            self.text.append(" ")
        for name, value in attrs:
            if name in ("href", "src") and value is not None:
                self.links.append(value)
        if tag == "span" and (self._pre or self._code):
            return
        self._flush()
        kept = sorted((n, v or "") for n, v in attrs if n in KEPT_ATTRS)
        self.tokens.append("<" + tag + "".join(f' {n}="{v}"' for n, v in kept) + ">")
        if tag == "pre":
            self._pre += 1
        elif tag == "code":
            self._code += 1

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)   # <br /> and <br> alike; no end tag
        if tag not in VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if tag in BLOCK:
            self.text.append(" ")
        if tag in VOID:
            return
        if tag == "span" and (self._pre or self._code):
            return
        self._flush()
        self.tokens.append(f"</{tag}>")
        if tag == "pre":
            self._pre = max(0, self._pre - 1)
        elif tag == "code":
            self._code = max(0, self._code - 1)

    def handle_data(self, data):
        self.text.append(data)
        self._data.append(data)


@dataclass
class Normal:
    text: str
    links: list[str]
    html: list[str]


def normalise(content: str) -> Normal:
    reader = _Reader()
    reader.feed(content)
    reader.close()
    reader._flush()
    text = " ".join("".join(reader.text).translate(FOLD).split())
    return Normal(text, reader.links, reader.tokens)


# -- comparing ------------------------------------------------------------------

@dataclass
class PostResult:
    name: str
    feature: str
    title: str
    same: dict[str, bool]
    diffs: dict[str, str | list[str]]


def _first_difference(a: str, b: str, width: int = 60) -> str:
    i = next((k for k, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    start = max(0, i - width // 2)
    return f"jekyll: ...{a[start:i + width]!r}\n        ours:   ...{b[start:i + width]!r}"


def _token_diff(a: list[str], b: list[str]) -> list[str]:
    """The unified diff of the canonical tokens (- Jekyll, + ours), one line each."""
    return [line if len(line) < 160 else line[:157] + "..."
            for line in difflib.unified_diff(a, b, "jekyll", "ours", n=1, lineterm="")
            if not line.startswith(("---", "+++"))]


def compare(posts: list, ours: Built, jekyll: Built) -> list[PostResult]:
    results = []
    for post in posts:
        same, diffs = {}, {}
        mine, theirs = ours.pages.get(post.title), jekyll.pages.get(post.title)
        if mine is None or theirs is None:
            why = []
            if theirs is None:
                why.append("jekyll: " + jekyll.refused.get(post.name, "no output page found"))
            if mine is None:
                why.append("ours: " + ours.refused.get(post.name, "no output page found"))
            same = {m: False for m in MEASURES}
            diffs = {"build": "; ".join(why)}
            results.append(PostResult(post.name, post.feature, post.title, same, diffs))
            continue
        a, b = normalise(theirs[1]), normalise(mine[1])
        same["url"] = theirs[0] == mine[0]
        same["text"] = a.text == b.text
        same["links"] = a.links == b.links
        same["html"] = a.html == b.html
        if not same["url"]:
            diffs["url"] = f"jekyll {theirs[0]}, ours {mine[0]}"
        if not same["text"]:
            diffs["text"] = _first_difference(a.text, b.text)
        if not same["links"]:
            diffs["links"] = f"jekyll {a.links}\n        ours   {b.links}"
        if not same["html"]:
            diffs["html"] = _token_diff(a.html, b.html)
        results.append(PostResult(post.name, post.feature, post.title, same, diffs))
    return results


def table(results: list[PostResult]) -> list[dict]:
    """Rows per feature (in corpus order) and an 'all' row: posts and % same per measure."""
    groups: dict[str, list[PostResult]] = {}
    for result in results:
        groups.setdefault(result.feature, []).append(result)
    groups["all"] = results
    rows = []
    for feature, members in groups.items():
        row = {"feature": feature, "posts": len(members)}
        for measure in MEASURES:
            row[measure] = 100.0 * sum(r.same[measure] for r in members) / len(members)
        rows.append(row)
    return rows


def format_table(rows: list[dict]) -> str:
    head = f"{'feature':<22}{'posts':>6}{'URL %':>8}{'text %':>8}{'links %':>9}{'HTML %':>8}"
    lines = [head, "-" * len(head)]
    for row in rows:
        if row["feature"] == "all":
            lines.append("-" * len(head))
        lines.append(f"{row['feature']:<22}{row['posts']:>6}{row['url']:>8.0f}{row['text']:>8.0f}"
                     f"{row['links']:>9.0f}{row['html']:>8.0f}")
    return "\n".join(lines)


@dataclass
class Report:
    results: list[PostResult]
    rows: list[dict]
    jekyll_seconds: float
    ours_seconds: float
    jekyll_refused: dict[str, str]
    ours_refused: dict[str, str]


def crosscheck(work: Path, n: int = jekyll_corpus.N) -> Report:
    """Write the corpus under `work`, build it both ways, compare."""
    work = Path(work)
    blog = work / "blog"
    jekyll_corpus.write_corpus(blog, n)
    posts = jekyll_corpus.corpus(n)
    jekyll = build_jekyll(blog, work / "jekyll-site")
    ours = build_ours(blog, work / "ours-site")
    results = compare(posts, ours, jekyll)
    return Report(results, table(results), jekyll.seconds, ours.seconds,
                  jekyll.refused, ours.refused)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=jekyll_corpus.N,
                        help=f"posts in the corpus (default {jekyll_corpus.N}: each feature once)")
    parser.add_argument("--keep", type=Path, help="build in this folder and keep it")
    parser.add_argument("--json", type=Path, help="also write the figures and diffs here")
    parser.add_argument("--diffs", type=int, default=8, help="diff lines shown per post")
    args = parser.parse_args(argv)
    if shutil.which("jekyll") is None:
        print("jekyll is not installed: apt-get install jekyll ruby-jekyll-feed", file=sys.stderr)
        return 2
    if args.keep:
        if args.keep.exists():
            shutil.rmtree(args.keep)
        args.keep.mkdir(parents=True)
        work = args.keep
    else:
        tmp = tempfile.TemporaryDirectory(prefix="crosscheck-")
        work = Path(tmp.name)
    report = crosscheck(work, args.n)
    version = subprocess.run(["jekyll", "--version"], capture_output=True, text=True).stdout.strip()
    print(f"{len(report.results)} posts; {version} (jekyll build --safe) "
          f"{report.jekyll_seconds:.2f} s, site-builder {report.ours_seconds:.2f} s\n")
    print(format_table(report.rows))
    differing = [r for r in report.results if not all(r.same.values())]
    print(f"\n{len(differing)} posts differ:")
    for r in differing:
        failed = ", ".join(m for m in MEASURES if not r.same[m])
        print(f"\n  {r.name} [{r.feature}]: differs in {failed}")
        for what, diff in r.diffs.items():
            if what == "html":
                more = len(diff) - args.diffs
                shown = diff[:args.diffs] + ([f"({more} more lines)"] if more > 0 else [])
                diff = "\n          ".join(shown)
            print(f"    {what}: {diff}")
    if args.json:
        args.json.write_text(json.dumps({
            "rows": report.rows, "jekyll_seconds": report.jekyll_seconds,
            "ours_seconds": report.ours_seconds, "results": [asdict(r) for r in report.results],
        }, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
