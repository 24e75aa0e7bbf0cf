"""Real Jekyll blogs built by Jekyll and by site-builder, compared post by post and
page by page, with the build times.

    .venv/bin/python bench/real_blogs.py BLOG [BLOG...] [--speed BLOG] [--json FILE]

Each BLOG is a folder (a checkout of a Jekyll blog; nothing in it is changed: both
builders work on copies). Jekyll (Debian's `jekyll`, with Debian's plugins) builds
it as fetched, not `--safe` (that turns plugins off): the plugins it asks for in
_config.yml, its Gemfile's jekyll_plugins group or its gemspec, as far as Debian
packages them; both builders get the same list through an extra config file. Tags
of plugins Debian lacks (jekyll-avatar, jekyll-octicons) write nothing on Jekyll's side, and a
stand-in for the `slugify` gem lets jasper2's Ruby plugins run there.

Per post (each file of _posts/ that Jekyll builds):
- URL:   the same page URL;
- text:  the post's content (before its layout), tags stripped, whitespace collapsed;
         typographic quotes are NOT folded: a straight quote for a curly one differs;
- links: the href and src values of the content (outside code blocks), in order;
- page:  the whole page's visible text (head, scripts and styles left out).
Per page (every other HTML file Jekyll writes): the same visible text at the same path.
Pages that Jekyll's Ruby plugins make (`_plugins/*.rb`, which site-builder never runs
and names in a warning) are counted apart, unless site-builder makes them too.

--speed BLOG: cold build (no output, no cache) for both, taking turns, then
site-builder's no-op rebuild and a rebuild after one post is edited, each the best
of three.
"""

from __future__ import annotations

import argparse
import html
import json
import logging
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

# The builds' own lines (site: ...) are not wanted here.
QUIET = logging.getLogger("bench.quiet")
QUIET.addHandler(logging.NullHandler())
QUIET.propagate = False

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.append(str(REPO))
sys.path.insert(0, str(REPO / "bench"))
from compiled import compile_ours  # noqa: E402  (bench/compiled.py)
from site_builder.errors import BuildError  # noqa: E402

# What Debian packages for its Jekyll (apt: ruby-jekyll-*).
DEBIAN_PLUGINS = ["jekyll-feed", "jekyll-seo-tag", "jekyll-sitemap", "jekyll-paginate",
                  "jekyll-redirect-from", "jekyll-gist"]
COPY_IGNORE = shutil.ignore_patterns("_site", ".git", ".jekyll-cache", ".site-cache",
                                     ".sass-cache")

MANIFEST_RB = r'''
# bench/real_blogs.py: what Jekyll built, for the comparison.
require "json"
Jekyll::Hooks.register :site, :post_write do |site|
  posts = site.posts.docs.to_h { |d| [d.relative_path, { "url" => d.url, "content" => d.content }] }
  # Pages that no source file makes: a Ruby plugin's (jasper2's author and tag pages).
  made = site.pages.reject { |p| File.file?(site.in_source_dir(p.relative_path)) }
                   .map(&:url)
  File.write(ENV.fetch("BENCH_MANIFEST"), JSON.dump({ "posts" => posts, "plugin_pages" => made }))
end
'''
STUB_TAGS_RB = r'''
# bench/real_blogs.py: tags of plugins Debian does not package write nothing.
class BenchEmptyTag < Liquid::Tag
  def render(_context) = ""
end
Liquid::Template.register_tag("avatar", BenchEmptyTag)
Liquid::Template.register_tag("octicon", BenchEmptyTag)
# jekyll-include-cache writes what include writes (it only renders each once).
unless Liquid::Template.tags["include_cached"]
  Liquid::Template.register_tag("include_cached", Jekyll::Tags::IncludeTag)
end
'''
SLUGIFY_RB = r'''
# bench/real_blogs.py: a stand-in for the slugify gem (not packaged by Debian).
class String
  def slugify = downcase.gsub(/[^a-z0-9]+/, "-").gsub(/^-|-$/, "")
end
'''


@dataclass
class BlogResult:
    name: str
    posts: int = 0
    built: int = 0
    same: dict[str, int] = field(default_factory=lambda: {"url": 0, "text": 0, "links": 0,
                                                          "attributes": 0, "page": 0})
    pages: int = 0
    same_pages: int = 0
    plugin_pages: int = 0   # pages Jekyll's Ruby plugins made (not counted in `pages`)
    jekyll_s: float = 0.0
    ours_s: float = 0.0
    differing: list[str] = field(default_factory=list)


# -- what the blog asks for -----------------------------------------------------------

def wanted_plugins(blog: Path) -> list[str]:
    from site_builder.frontmatter import load_yaml   # libyaml's reading, as Psych's
    path = blog / "_config.yml"   # a blog may have none: Jekyll's defaults
    config = (load_yaml(path.read_text(encoding="utf-8")) if path.is_file() else None) or {}
    named = [str(p) for p in (config.get("plugins") or []) + (config.get("gems") or [])]
    for gemfile in [blog / "Gemfile", *blog.glob("*.gemspec")]:
        if gemfile.is_file():
            named += re.findall(r"""(?:gem|add_runtime_dependency)\s*\(?\s*["'](jekyll-[\w-]+)["']""",
                                gemfile.read_text(encoding="utf-8", errors="replace"))
    return [p for p in dict.fromkeys(named) if p in DEBIAN_PLUGINS]


def copy_blog(blog: Path, dest: Path, plugins: list[str]) -> Path:
    shutil.copytree(blog, dest, ignore=COPY_IGNORE)
    # jekyll-gist fetches each gist for a <noscript> copy; offline, its failure writes
    # the logger's answer ("true") into the page. Neither builder fetches here.
    bench = {"plugins": plugins, "gist": {"noscript": False}}
    (dest / "_bench.yml").write_text(json.dumps(bench) + "\n")
    return dest


def configs(copy: Path) -> list[Path]:
    return [p for p in (copy / "_config.yml", copy / "_bench.yml") if p.is_file()]


def source_of(copy: Path) -> Path:
    """The folder the site is in: the config's `source:` (twbs/blog's src/), as
    `jekyll build` run in the blog's folder reads it, or the blog's folder."""
    from site_builder.frontmatter import load_yaml
    path = copy / "_config.yml"
    config = (load_yaml(path.read_text(encoding="utf-8")) if path.is_file() else None) or {}
    return copy / str(config["source"]) if config.get("source") else copy


# -- building ----------------------------------------------------------------------

def build_jekyll(copy: Path, out: Path, work: Path) -> tuple[dict, float, float]:
    """Jekyll's build of `copy`: its manifest of posts, its wall time and CPU time."""
    plugins_dir = source_of(copy) / "_plugins"
    plugins_dir.mkdir(exist_ok=True)
    (plugins_dir / "zz_bench_manifest.rb").write_text(MANIFEST_RB)
    (plugins_dir / "zz_bench_stub_tags.rb").write_text(STUB_TAGS_RB)
    lib = work / "rubylib"
    lib.mkdir(exist_ok=True)
    (lib / "slugify.rb").write_text(SLUGIFY_RB)
    manifest = work / f"{copy.name}-manifest.json"
    env = {**os.environ, "JEKYLL_NO_BUNDLER_REQUIRE": "true", "RUBYLIB": str(lib),
           "BENCH_MANIFEST": str(manifest), "JEKYLL_ENV": "development"}
    cmd = ["jekyll", "build", "-s", str(source_of(copy)), "-d", str(out),
           "--config", ",".join(str(c) for c in configs(copy))]
    done, seconds, cpu = timed_run(cmd, env=env, cwd=copy)
    if done.returncode != 0:
        raise SystemExit(f"jekyll could not build {copy.name}:\n{done.stdout[-2000:]}"
                         f"{done.stderr[-2000:]}")
    return json.loads(manifest.read_text()), seconds, cpu


def build_command(copy: Path, out: Path, patterns: Path | None = None) -> tuple[float, float]:
    """`site-builder build`, as a user runs it; its wall time and CPU time.
    `patterns`: where it keeps compiled regular expressions (compiled_patterns.py),
    if not the user's cache folder."""
    cmd = [sys.executable, "-m", "site_builder", "build", "-s", str(source_of(copy)), "-d", str(out),
           "--config", ",".join(str(c) for c in configs(copy))]
    env = {**os.environ, "XDG_CACHE_HOME": str(patterns)} if patterns else None
    done, seconds, cpu = timed_run(cmd, cwd=copy, env=env)
    if done.returncode != 0:
        raise SystemExit(f"site-builder could not build {copy.name}:\n{done.stderr[-2000:]}")
    return seconds, cpu


def timed_run(cmd: list[str], **options) -> tuple[subprocess.CompletedProcess, float, float]:
    """Run `cmd`; its wall time, and the CPU time (user and system) of it and its
    children, workers included: what the build costs whatever the number of cores."""
    def cpu() -> float:
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        return usage.ru_utime + usage.ru_stime
    started, cpu_before = time.perf_counter(), cpu()
    done = subprocess.run(cmd, capture_output=True, text=True, **options)
    return done, time.perf_counter() - started, cpu() - cpu_before


def build_ours(copy: Path, out: Path) -> tuple[dict, float]:
    from site_builder.site import build
    started = time.perf_counter()
    result = build(source_of(copy), out_dir=out, config_files=configs(copy), log=QUIET)
    return {"posts": result.sources}, time.perf_counter() - started


# -- comparing ---------------------------------------------------------------------

TAG = re.compile(r"<[^>]+>")
# Block elements part words; inline ones (a span in highlighted code) do not.
BLOCK = re.compile(r"(?i)</?(?:p|div|li|ul|ol|h[1-6]|br|hr|tr|td|th|table|thead|tbody|pre|"
                   r"section|article|header|footer|nav|main|aside|blockquote|dl|dt|dd|"
                   r"figure|figcaption|form|button|option|select|label|input|img)\b[^>]*>")
HIDDEN = re.compile(r"(?is)<(head|script|style|noscript)\b.*?</\1\s*>|<!--.*?-->")
LINK = re.compile(r"""\b(?:href|src)\s*=\s*["']([^"']*)["']""")
# What an author writes in an attribute list or in HTML ({: width="50%"}, heading ids):
# not class, which highlighted code has (rouge's and Pygments' tokens differ).
ATTRIBUTE = re.compile(r"""\s(id|alt|title|width|height|style)\s*=\s*("[^"]*"|'[^']*')""")


# Code blocks: their text is compared, not what their highlighting makes of it (an
# id="x" in HTML code is text to Pygments and tokens to rouge).
CODE_BLOCK = re.compile(r"(?is)<pre\b.*?</pre\s*>")


def text_of(fragment: str) -> str:
    return " ".join(html.unescape(TAG.sub("", BLOCK.sub(" ", HIDDEN.sub(" ", fragment)))).split())


def links_of(fragment: str) -> list[str]:
    # Not in code blocks: rouge leaves quotes as they are (`src="/images` in Liquid
    # code looks like a link), Pygments escapes them.
    return [html.unescape(link) for link in LINK.findall(CODE_BLOCK.sub(" ", fragment))]


def attributes_of(fragment: str) -> list[tuple[str, str]]:
    return [(name, html.unescape(value[1:-1])) for name, value in ATTRIBUTE.findall(
        CODE_BLOCK.sub(" ", HIDDEN.sub(" ", fragment)))]


def page_file(site: Path, url: str) -> Path:
    from urllib.parse import unquote
    rel = unquote(url).lstrip("/")
    if not rel or rel.endswith("/"):
        rel += "index.html"
    path = site / rel
    return path if path.suffix else path.with_suffix(".html")


def visible(path: Path) -> str | None:
    return text_of(path.read_text(encoding="utf-8", errors="replace")) if path.is_file() else None


def first_difference(a: str | None, b: str | None, width: int = 50) -> str:
    """Where two texts part: Jekyll's then ours, a little context around it."""
    if a is None or b is None:
        return "missing" if b is None else "Jekyll has none"
    i = next((k for k, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    start = max(0, i - 20)
    return f"Jekyll {a[start:i + width]!r} / ours {b[start:i + width]!r}"


def compare(name: str, jekyll: dict, ours: dict, j_site: Path, o_site: Path) -> BlogResult:
    result = BlogResult(name)
    post_files = set()
    for source, theirs in sorted(jekyll["posts"].items()):
        result.posts += 1
        post_files.add(page_file(j_site, theirs["url"]).relative_to(j_site).as_posix())
        mine = ours["posts"].get(source)
        if mine is None:
            result.differing.append(f"{source}: not built")
            continue
        result.built += 1
        url, content = mine
        checks = {"url": url == theirs["url"],
                  "text": text_of(content) == text_of(theirs["content"]),
                  "links": links_of(content) == links_of(theirs["content"]),
                  "attributes": attributes_of(content) == attributes_of(theirs["content"]),
                  "page": visible(page_file(o_site, url)) == visible(page_file(j_site, theirs["url"]))}
        for measure, same in checks.items():
            result.same[measure] += same
        if not all(checks.values()):
            detail = (first_difference(text_of(theirs["content"]), text_of(content))
                      if not checks["text"] else first_difference(
                          visible(page_file(j_site, theirs["url"])),
                          visible(page_file(o_site, url))) if not checks["page"] else
                      first_difference(str(attributes_of(theirs["content"])),
                                       str(attributes_of(content)))
                      if not checks["attributes"] else "")
            result.differing.append(f"{source}: differs in "
                                    f"{', '.join(m for m, s in checks.items() if not s)}: {detail}")
    plugin_pages = {page_file(j_site, url).relative_to(j_site).as_posix()
                    for url in jekyll.get("plugin_pages") or []}
    for path in sorted(j_site.rglob("*.html")):
        rel = path.relative_to(j_site).as_posix()
        if rel in post_files:
            continue
        if rel in plugin_pages and not (o_site / rel).exists():
            result.plugin_pages += 1   # a Ruby plugin's page: not run here (warned)
            continue
        result.pages += 1
        same = visible(path) == visible(o_site / rel)
        result.same_pages += same
        if not same:
            result.differing.append(f"page {rel}: " + first_difference(visible(path),
                                                                       visible(o_site / rel)))
    return result


def run_blog(blog: Path, work: Path) -> BlogResult:
    plugins = wanted_plugins(blog)
    theirs = copy_blog(blog, work / f"{blog.name}-jekyll", plugins)
    mine = copy_blog(blog, work / f"{blog.name}-ours", plugins)
    j_site, o_site = work / f"{blog.name}-jekyll-site", work / f"{blog.name}-ours-site"
    jekyll, j_seconds, _ = build_jekyll(theirs, j_site, work)
    ours, o_seconds = build_ours(mine, o_site)
    result = compare(blog.name, jekyll, ours, j_site, o_site)
    result.jekyll_s, result.ours_s = j_seconds, o_seconds
    return result


def speed(blog: Path, work: Path, rounds: int = 3) -> dict[str, float]:
    """Cold builds, taking turns so that all see the machine alike (best of `rounds`
    each): Jekyll's command, ours (`site-builder build`, as a user types it: Python's
    start and imports included), the same as a user's first command (no compiled
    regular expressions kept yet) and ours in a process that has built before (as
    `serve` rebuilds); then our no-op and one-post-edit rebuilds (best of 3).

    Each cold build gets a fresh copy of the blog and a fresh output folder, and
    nothing is deleted while timing: on a file system without a journal (these
    machines' ext4), making a file or folder skips, one by one, every inode deleted
    in the last 30 s (`recently_deleted` in ext4's inode allocator), so a build
    right after `rm -rf _site` pays up to a millisecond more per file: a third of
    our cold build, whoever deleted what."""
    plugins = wanted_plugins(blog)
    compile_ours()
    times: dict[str, list[float]] = {"jekyll": [], "command": [], "in_process": [], "first": []}
    cpu: dict[str, list[float]] = {"jekyll": [], "command": []}
    build_ours(copy_blog(blog, work / "speed-warm", plugins), work / "speed-warm-site")
    for i in range(rounds):
        theirs = copy_blog(blog, work / f"speed-jekyll-{i}", plugins)
        _, seconds, used = build_jekyll(theirs, work / f"speed-jekyll-site-{i}", work)
        times["jekyll"].append(seconds)
        cpu["jekyll"].append(used)
        mine = copy_blog(blog, work / f"speed-command-{i}", plugins)
        seconds, used = build_command(mine, work / f"speed-command-site-{i}")
        times["command"].append(seconds)
        cpu["command"].append(used)
        first = copy_blog(blog, work / f"speed-first-{i}", plugins)   # no patterns kept yet
        times["first"].append(build_command(first, work / f"speed-first-site-{i}",
                                            patterns=work / f"speed-first-patterns-{i}")[0])
        mine = copy_blog(blog, work / f"speed-ours-{i}", plugins)
        out = work / f"speed-ours-site-{i}"
        times["in_process"].append(build_ours(mine, out)[1])
    noops = [build_ours(mine, out)[1] for _ in range(3)]
    from site_builder.site.sources import MARKDOWN_SUFFIXES   # jhui's posts are .markdown
    post = sorted(p for p in (mine / "_posts").rglob("*") if p.suffix in MARKDOWN_SUFFIXES)[-1]
    edits = []
    for i in range(3):
        post.write_text(post.read_text(encoding="utf-8") + f"\nEdited {i}.\n", encoding="utf-8")
        edits.append(build_ours(mine, out)[1])
    return {"jekyll_cold": min(times["jekyll"]), "command_cold": min(times["command"]),
            "ours_cold": min(times["in_process"]), "first_cold": min(times["first"]), "ours_noop": min(noops),
            "ours_edit": min(edits), "jekyll_cpu": min(cpu["jekyll"]),
            "command_cpu": min(cpu["command"]), "cores": len(os.sched_getaffinity(0))}


def pct(part: int, whole: int) -> str:
    return f"{100.0 * part / whole:.0f}%" if whole else "-"


def table(results: list[BlogResult]) -> str:
    rows = ["| blog | posts | built by us | same URL | same text | same links "
            "| same attributes | same page | pages | same page text | Ruby plugins' pages "
            "| Jekyll | site-builder |",
            "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for r in results:
        rows.append(f"| {r.name} | {r.posts} | {r.built} | {pct(r.same['url'], r.posts)} | "
                    f"{pct(r.same['text'], r.posts)} | {pct(r.same['links'], r.posts)} | "
                    f"{pct(r.same['attributes'], r.posts)} | "
                    f"{pct(r.same['page'], r.posts)} | {r.pages} | "
                    f"{pct(r.same_pages, r.pages)} | {r.plugin_pages} | "
                    f"{r.jekyll_s:.1f} s | {r.ours_s:.1f} s |")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("blogs", nargs="*", type=Path)
    parser.add_argument("--speed", type=Path, help="a blog to time cold, no-op and edit builds on")
    parser.add_argument("--json", type=Path, help="write the results here too")
    parser.add_argument("--diffs", type=int, default=8, help="differing items shown per blog")
    args = parser.parse_args(argv)
    if not shutil.which("jekyll"):
        print("jekyll is not installed (apt install jekyll ruby-jekyll-feed ...)", file=sys.stderr)
        return 2
    results = []
    with tempfile.TemporaryDirectory(prefix="real-blogs-") as tmp:
        work = Path(tmp)
        for blog in args.blogs:
            try:
                results.append(run_blog(blog.resolve(), work))
            except (SystemExit, BuildError) as exc:   # a builder could not build it: go on
                lines = [line for line in str(exc).splitlines() if line.strip()]
                reason = " / ".join(lines[:1] + lines[1:][-3:])   # what, and its last words
                print(f"{blog.name}: not compared: {reason}", file=sys.stderr)
        print(table(results))
        for r in results:
            for line in r.differing[:args.diffs]:
                print(f"  {r.name}: {line}")
        figures = {}
        if args.speed:
            figures = speed(args.speed.resolve(), work)
            jekyll = figures["jekyll_cold"]
            print(f"\nspeed on {args.speed.name}: cold build: Jekyll {jekyll:.2f} s, "
                  f"site-builder {figures['command_cold']:.2f} s "
                  f"({jekyll / figures['command_cold']:.1f}x faster; "
                  f"{figures['ours_cold']:.2f} s in a process that has built before, "
                  f"{jekyll / figures['ours_cold']:.1f}x; {figures['first_cold']:.2f} s "
                  f"as a first command, no regular expressions kept, "
                  f"{jekyll / figures['first_cold']:.1f}x); "
                  f"no-op rebuild {figures['ours_noop']:.2f} s; "
                  f"one post edited {figures['ours_edit']:.2f} s")
            print(f"CPU time of the cold builds ({figures['cores']} cores): Jekyll "
                  f"{figures['jekyll_cpu']:.2f} s, site-builder {figures['command_cpu']:.2f} s "
                  f"({figures['jekyll_cpu'] / figures['command_cpu']:.1f}x less)")
    if args.json:
        args.json.write_text(json.dumps({"blogs": [asdict(r) for r in results],
                                         "speed": figures}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
