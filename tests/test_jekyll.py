"""Cross-check with real Jekyll 4.3 (issue 7, "What must hold"), and the example post.

The corpus (tests/jekyll_corpus.py) is built by Jekyll and by site-builder, both
with a minimal post layout, and compared post by post (bench/crosscheck.py, which
prints the same comparison as a table per feature with diffs):

- every post: the same URL, and the same text and links, except the differences
  listed in KNOWN_DIFFERENCES, each with its reason;
- overall: the same HTML (attributes but href/src/id removed, spans in code
  unwrapped) for at least HTML_SAME_MIN percent of the posts.

KNOWN_DIFFERENCES is a ratchet: an entry that no longer differs fails the test,
so that fixing a difference removes its entry rather than leaving it allowed.
"""

from __future__ import annotations

import html
import re
import sys

import pytest

from conftest import REPO, need_tool, new_blog, site_builder

sys.path.insert(0, str(REPO / "bench"))
import crosscheck  # noqa: E402  (bench/crosscheck.py)
import jekyll_corpus  # noqa: E402

pytestmark = pytest.mark.slow

# post file -> (measures that may differ, why). Measures: url, text, links, html;
# "build" means site-builder refuses the post (which then differs on every measure).
KNOWN_DIFFERENCES: dict[str, tuple[set[str], str]] = {}

# Same-HTML share measured on 2026-11-30: 96 of 96 posts (37 of 37 on 2026-11-25; 16 of 32
# before the kramdown shapes, post_url's baseurl and categories' case; timezone and attribute
# lists since). Issue 7's target is 90%; the floor only goes up (never lower it without saying
# why in the README).
HTML_SAME_TARGET = 90.0
HTML_SAME_MIN = 100.0 * 96 / 96


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> crosscheck.Report:
    need_tool("jekyll")
    return crosscheck.crosscheck(tmp_path_factory.mktemp("crosscheck"))


def _explain(result: crosscheck.PostResult, measure: str) -> str:
    diff = result.diffs.get(measure) or result.diffs.get("build", "")
    if isinstance(diff, list):
        diff = "\n    ".join(diff[:12])
    return f"{result.name} [{result.feature}] {measure}:\n    {diff}"


def test_jekyll_builds_every_post(report):
    assert report.jekyll_refused == {}
    assert len(report.results) >= 30


def test_known_differences_name_corpus_posts():
    names = {p.name for p in jekyll_corpus.corpus()}
    assert set(KNOWN_DIFFERENCES) <= names
    for measures, why in KNOWN_DIFFERENCES.values():
        assert measures <= {"build", *crosscheck.MEASURES} and why


def test_site_builder_builds_every_post(report):
    allowed = {name for name, (measures, _) in KNOWN_DIFFERENCES.items() if "build" in measures}
    refused = {name: why for name, why in report.ours_refused.items() if name not in allowed}
    assert refused == {}, "site-builder refuses posts that Jekyll builds"
    stale = sorted(allowed - set(report.ours_refused))
    assert not stale, f"these posts build now: drop 'build' from KNOWN_DIFFERENCES for {stale}"


@pytest.mark.parametrize("measure", ["url", "text", "links"])
def test_every_post_same(report, measure):
    differing = {r.name: r for r in report.results if not r.same[measure]}
    allowed = {name for name, (measures, _) in KNOWN_DIFFERENCES.items() if measure in measures}
    unexpected = [_explain(r, measure) for name, r in differing.items() if name not in allowed]
    assert not unexpected, f"{measure} differs from Jekyll's:\n" + "\n".join(unexpected)
    stale = sorted(allowed - set(differing))
    assert not stale, (f"{measure} is the same as Jekyll's now for {stale}: "
                       f"remove '{measure}' from their KNOWN_DIFFERENCES entries")


def test_same_html_share(report):
    overall = next(row for row in report.rows if row["feature"] == "all")
    table = crosscheck.format_table(report.rows)
    assert overall["html"] >= HTML_SAME_MIN - 1e-9, f"same HTML fell below the floor:\n{table}"
    if overall["html"] >= HTML_SAME_TARGET:
        return
    # Below issue 7's target: say so in the test output (-ra shows the reason).
    pytest.xfail(f"same HTML {overall['html']:.0f}% < the {HTML_SAME_TARGET:.0f}% target "
                 f"(floor {HTML_SAME_MIN:.0f}%):\n{table}")


# -- the example post, unchanged, through our own theme ---------------------------

def test_example_post_builds_unchanged(tmp_path):
    root = new_blog(tmp_path / "blog")
    (root / "posts").mkdir(exist_ok=True)
    source = root / "posts" / jekyll_corpus.EXAMPLE_NAME
    source.write_text(jekyll_corpus.EXAMPLE, encoding="utf-8")
    before = source.read_bytes()
    site_builder(root, "site")
    assert source.read_bytes() == before

    page = (root / "_site" / "ancestral-sampling-joy-division" / "index.html").read_text()
    # Front matter: used, not shown.
    assert jekyll_corpus.EXAMPLE_TITLE in page
    assert "Jukebox" in page and "ancestral sampling" in page     # tags
    assert "2020-11-03" in page                                    # date: 2020-11-03 5:34:00
    assert "/blog/assets/images/jd.jpg" in page                    # cover, under the baseurl
    for key in ("layout: post", "subclass:", "navigation: True"):
        assert key not in page
    # Both iframes pass through as HTML, not as text.
    iframes = re.findall(r'<iframe src="([^"]+)"', page)
    assert iframes == ["https://archive.org/details/ancestral-sampling-by-artist-joy-division#",
                       "https://archive.org/details/ancestral-sampling-by-artist-lucybell#"]
    assert "&lt;iframe" not in page
    # Both code blocks are blocks (the second one is fenced with two spaces of indent).
    blocks = [html.unescape(re.sub(r"<[^>]+>", "", b))
              for b in re.findall(r"<pre[^>]*>(.*?)</pre>", page, re.S)]
    assert len(blocks) == 2, (f"expected the example's 2 code blocks as <pre>, got {len(blocks)} "
                              f"(the second is a ``` fence indented by two spaces; kramdown makes "
                              f"it a code block): {blocks}")
    assert "Cores per node: 6" in blocks[0] and "Memory Utilized: 23.10 GB" in blocks[0]
    assert "Cores per node: 10" in blocks[1] and "Memory Utilized: 31.02 GB" in blocks[1]
    assert "```" not in page
    # The two bold paragraphs' runs, with the emphasis inside the second.
    assert re.search(r"<strong>It seems that the query is somehow close.*?memorized</strong>", page)
    assert re.search(r"<strong>The songs seem to be <em>correctly tuned</em>, there are", page)
    assert "**" not in page
    # Inline code.
    assert "<code>5b</code>" in page or re.search(r"<code[^>]*>5b</code>", page)
