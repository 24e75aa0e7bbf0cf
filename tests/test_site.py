"""The site generator: posts -> _site/, and the preview server."""

from __future__ import annotations

import re

import os
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from datetime import datetime
from pathlib import Path

import pytest

from site_builder.errors import BuildError, ConfigError
from site_builder.site import build
from site_builder.site.liquid_tags import highlight_code

from conftest import serving, site_builder, snapshot, write  # noqa: E402

# The hand-written post this pipeline replaces (DESIGN.md), verbatim, shared with the
# Jekyll cross-check.
from jekyll_corpus import EXAMPLE, EXAMPLE_NAME  # noqa: E402


TINY = """---
title: A tiny run
date: 2021-01-05 10:00:00
tags: [Jukebox, tiny]
---
Three items from the toy model.

<audio controls src="{{ site.baseurl }}/assets/runs/x/item-00.mp3"></audio>

Cover via filter: {{ "assets/runs/x/item-00.mp3" | relative_url }}
"""

MP3 = bytes(range(256)) * 8  # 2 KiB of known bytes, so a range can be checked


@pytest.fixture
def site_blog(tmp_path: Path) -> Path:
    root = tmp_path / "blog"
    write(root / "_config.yml", "title: Lab notes\nbaseurl: /blog\nurl: https://example.org\n"
                                "permalink: /:title/\n")
    write(root / "posts" / EXAMPLE_NAME, EXAMPLE)
    write(root / "posts" / "2021-01-05-tiny-run.md", TINY)
    write(root / "assets" / "runs" / "x" / "item-00.mp3", MP3)
    return root


# -- build --------------------------------------------------------------------

def test_index_lists_posts_newest_first_with_baseurl_links(site_blog: Path, logged) -> None:
    result = build(site_blog)
    lines = logged.messages
    index = (site_blog / "_site" / "index.html").read_text()
    tiny, example = index.find('href="/blog/tiny-run/"'), index.find('href="/blog/ancestral-sampling-joy-division/"')
    assert 0 < tiny < example
    assert "Ancestral sampling conditioned on Joy Division" in index
    assert "3 November 2020" in index
    assert 'href="/blog/assets/css/site.css"' in index
    assert (result.posts, result.pages) == (2, 7)  # + 3 tag pages and 404.html
    assert lines[-1].startswith("2 posts -> _site/ in ")


def test_post_pages_sit_at_their_permalinks_and_audio_resolves(site_blog: Path) -> None:
    build(site_blog)
    site = site_blog / "_site"
    page = (site / "tiny-run" / "index.html").read_text()
    assert '<audio controls="" src="/blog/assets/runs/x/item-00.mp3"></audio>' in page
    assert "Cover via filter: /blog/assets/runs/x/item-00.mp3" in page
    assert (site / "assets" / "runs" / "x" / "item-00.mp3").read_bytes() == MP3
    assert (site / "assets" / "css" / "site.css").is_file()  # the theme's, as the blog has none
    assert "<h1" in page and "A tiny run" in page and "Jukebox" in page


def test_example_post_keeps_raw_iframes_and_cover(site_blog: Path) -> None:
    build(site_blog)
    page = (site_blog / "_site" / "ancestral-sampling-joy-division" / "index.html").read_text()
    assert ('<iframe src="https://archive.org/details/ancestral-sampling-by-artist-lucybell#" '
            'width="500" height="250"') in page
    assert "&lt;iframe" not in page
    assert 'src="/blog/assets/images/jd.jpg"' in page
    assert "<strong>It seems that the query" in page


@pytest.mark.parametrize("permalink, path, url", [
    ("/:title", "tiny-run.html", "/blog/tiny-run"),
    ("pretty", "lab/2021/01/05/tiny-run/index.html", "/blog/lab/2021/01/05/tiny-run/"),
    ("date", "lab/2021/01/05/tiny-run.html", "/blog/lab/2021/01/05/tiny-run.html"),
    ("/:categories/:year/:title/", "lab/2021/tiny-run/index.html", "/blog/lab/2021/tiny-run/"),
])
def test_permalink_styles(site_blog: Path, permalink: str, path: str, url: str) -> None:
    write(site_blog / "_config.yml", f"baseurl: /blog\npermalink: {permalink}\n")
    write(site_blog / "posts" / "2021-01-05-tiny-run.md", TINY.replace("tags:", "categories: Lab\ntags:"))
    build(site_blog)
    assert (site_blog / "_site" / path).is_file()
    assert f'href="{url}"' in (site_blog / "_site" / "index.html").read_text()


def test_front_matter_permalink_and_string_date(site_blog: Path) -> None:
    write(site_blog / "posts" / "2021-02-01-other.md",
          "---\ntitle: Other\ndate: '2019-05-06'\npermalink: /notes/other.html\n---\nBody\n")
    build(site_blog)
    assert (site_blog / "_site" / "notes" / "other.html").is_file()
    index = (site_blog / "_site" / "index.html").read_text()
    assert index.find("/blog/notes/other.html") > index.find("/blog/ancestral-sampling-joy-division/")


def test_drafts_misnamed_files_and_missing_layouts(site_blog: Path, logged) -> None:
    write(site_blog / "posts" / "2021-03-01-draft.md", "---\npublished: false\n---\nNot yet\n")
    write(site_blog / "posts" / "notes.md", "just notes\n")
    write(site_blog / "posts" / "2021-03-02-paged.md", "---\nlayout: home\n---\nA page layout\n")
    result = build(site_blog)
    lines = logged.messages
    assert result.posts == 3
    assert not (site_blog / "_site" / "draft").exists()
    assert any("posts/notes.md: skipped" in line for line in lines)
    assert any("no layout _layouts/home.html, in the blog or the theme; using post" in line
               for line in lines)
    assert "A page layout" in (site_blog / "_site" / "paged" / "index.html").read_text()


def test_blog_layouts_override_the_theme(site_blog: Path) -> None:
    write(site_blog / "_config.yml", (site_blog / "_config.yml").read_text() + "theme: site-builder\n")
    write(site_blog / "_layouts" / "post.html", "MINE {{ page.title }}|{{ content }}")
    build(site_blog)
    assert (site_blog / "_site" / "tiny-run" / "index.html").read_text().startswith("MINE A tiny run|")
    assert "post-card" in (site_blog / "_site" / "index.html").read_text()  # index still the theme's


def test_malformed_front_matter_names_the_file_and_keeps_the_old_site(site_blog: Path) -> None:
    build(site_blog)
    before = snapshot(site_blog / "_site")
    write(site_blog / "posts" / "2021-04-01-broken.md", "---\ntitle: Broken\ntags: [a, b\n---\nBody\n")
    with pytest.raises(BuildError, match=r"posts/2021-04-01-broken\.md:\d+: malformed front matter"):
        build(site_blog)
    assert snapshot(site_blog / "_site") == before
    assert sorted(p.name for p in site_blog.iterdir()) == [".site-cache", "_config.yml", "_site", "assets",
                                                      "posts"]


def test_every_bad_post_is_reported_with_its_line(site_blog: Path) -> None:
    write(site_blog / "posts" / "2021-04-01-liquid.md", "---\ntitle: L\n---\nfine\n\n{{ x | nosuch }}\n")
    write(site_blog / "posts" / "2021-04-02-date.md", "---\ntitle: D\ndate: soon\n---\nBody\n")
    with pytest.raises(BuildError) as caught:
        build(site_blog)
    message = str(caught.value)
    assert "posts/2021-04-02-date.md:3: date: cannot read 'soon'" in message
    write(site_blog / "posts" / "2021-04-02-date.md", "---\ntitle: D\n---\nBody\n")
    with pytest.raises(BuildError, match=r"posts/2021-04-01-liquid\.md:6: Liquid: unknown filter 'nosuch'"
                       r".* Jekyll's filters are all built in; a plugin's are not\)$"):
        build(site_blog)


def test_two_posts_on_one_url_are_refused(site_blog: Path) -> None:
    write(site_blog / "posts" / "2021-05-01-tiny-run.md", "---\ntitle: Again\n---\nBody\n")
    with pytest.raises(BuildError, match="both write tiny-run/index.html"):
        build(site_blog)


def test_output_overlapping_the_sources_is_refused(site_blog: Path) -> None:
    with pytest.raises(BuildError, match="overlaps the blog's sources"):
        build(site_blog, out_dir=site_blog)
    assert (site_blog / "posts" / EXAMPLE_NAME).is_file()


def test_builds_are_byte_identical(site_blog: Path, tmp_path: Path) -> None:
    write(site_blog / "_config.yml", "title: T\nbaseurl: /blog\nurl: https://example.org\npaginate: 1\n")
    write(site_blog / "posts" / "2021-02-01-code.md",
          "---\ntitle: Code\n---\n```python\nx = 1\n```\n{% highlight sh %}ls{% endhighlight %}\n")
    write(site_blog / "CNAME", "example.org")
    build(site_blog)
    first = snapshot(site_blog / "_site")
    build(site_blog, out_dir=tmp_path / "elsewhere")
    build(site_blog)
    assert snapshot(site_blog / "_site") == first == snapshot(tmp_path / "elsewhere")


# -- index pagination, tags, feed, sitemap, 404 -------------------------------

def dated_posts(site_blog: Path, count: int) -> None:
    for day in range(1, count + 1):
        write(site_blog / "posts" / f"2022-01-{day:02d}-day-{day}.md",
              f"---\ntitle: Day {day}\ntags: [Daily Log]\n---\nPost of day {day}.\n")


def test_index_paginates_like_jekyll_paginate(site_blog: Path) -> None:
    dated_posts(site_blog, 3)  # 5 posts in all
    write(site_blog / "_config.yml", "baseurl: /blog\npermalink: /:title/\npaginate: 2\n")
    build(site_blog)
    site = site_blog / "_site"
    first, second, last = (site / "index.html").read_text(), \
        (site / "page2" / "index.html").read_text(), (site / "page3" / "index.html").read_text()
    assert "Day 3" in first and "Day 2" in first and "Day 1" not in first
    assert "Day 1" in second and "A tiny run" in second
    assert "Ancestral sampling" in last and not (site / "page4").exists()
    assert 'href="/blog/page2/"' in first and "Newer posts" not in first
    assert 'href="/blog/"' in second and 'href="/blog/page3/"' in second
    assert "Older posts" not in last and "Page 3 of 3" in last


def test_paginate_path_and_no_pagination(site_blog: Path) -> None:
    dated_posts(site_blog, 3)
    build(site_blog)
    assert not (site_blog / "_site" / "page2").exists()
    assert "Day 1" in (site_blog / "_site" / "index.html").read_text()
    write(site_blog / "_config.yml", "baseurl: /blog\npaginate: 4\npaginate_path: /archive/p:num\n")
    build(site_blog)
    assert "Ancestral sampling" in (site_blog / "_site" / "archive" / "p2" / "index.html").read_text()
    assert 'href="/blog/archive/p2"' in (site_blog / "_site" / "index.html").read_text()


def test_tag_pages_list_their_posts_and_posts_link_them(site_blog: Path) -> None:
    build(site_blog)
    site = site_blog / "_site"
    page = (site / "tag" / "jukebox" / "index.html").read_text()
    assert 0 < page.find("/blog/tiny-run/") < page.find("/blog/ancestral-sampling-joy-division/")
    spaced = (site / "tag" / "ancestral-sampling" / "index.html").read_text()
    assert "A tiny run" not in spaced and "Joy Division" in spaced
    post = (site / "tiny-run" / "index.html").read_text()
    assert '<a class="post-tag" href="/blog/tag/jukebox/">Jukebox</a>' in post


def test_atom_feed_in_jekyll_feed_shape(site_blog: Path) -> None:
    dated_posts(site_blog, 11)  # 13 posts: the feed keeps the newest 10
    write(site_blog / "posts" / "2022-02-01-amp.md",
          "---\ntitle: Sound & <fury>\nauthor: Ian\ncategories: Lab\ntags: [a b]\n---\nLoud **now**.\n")
    build(site_blog)
    atom = "{http://www.w3.org/2005/Atom}"
    feed = ET.parse(site_blog / "_site" / "feed.xml").getroot()
    assert feed.tag == f"{atom}feed" and feed.find(f"{atom}title").text == "Lab notes"
    assert feed.find(f"{atom}id").text == "https://example.org/blog/feed.xml"
    assert feed.find(f"{atom}updated").text == "2022-02-01T00:00:00+00:00"
    links = {link.get("rel"): link.get("href") for link in feed.findall(f"{atom}link")}
    assert links == {"self": "https://example.org/blog/feed.xml", "alternate": "https://example.org/blog/"}
    entries = feed.findall(f"{atom}entry")
    assert len(entries) == 10
    first = entries[0]
    # jekyll-feed: `strip_html | normalize_whitespace`, so a title's markup is no HTML there
    assert first.find(f"{atom}title").text == "Sound &"
    assert first.find(f"{atom}link").get("href") == "https://example.org/blog/amp/"
    assert first.find(f"{atom}published").text == first.find(f"{atom}updated").text
    # post.id, as Jekyll's Document#id: the URL's folder and the slug (/:title/ here)
    assert first.find(f"{atom}id").text == "https://example.org/blog/amp"
    content = first.find(f"{atom}content")
    assert content.get("type") == "html" and "<strong>now</strong>" in content.text
    assert first.find(f"{atom}author/{atom}name").text == "Ian"
    assert [c.get("term") for c in first.findall(f"{atom}category")] == ["Lab", "a b"]  # as written
    assert entries[1].find(f"{atom}title").text == "Day 11"


def test_sitemap_and_404(site_blog: Path) -> None:
    write(site_blog / "about.md", "---\ntitle: About\n---\nWho we are.\n")
    build(site_blog)
    site = site_blog / "_site"
    urlset = ET.parse(site / "sitemap.xml").getroot()
    ns = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    entries = {u.find(f"{ns}loc").text: getattr(u.find(f"{ns}lastmod"), "text", None)
               for u in urlset.findall(f"{ns}url")}
    assert entries["https://example.org/blog/"] == "2021-01-05T10:00:00+00:00"
    assert entries["https://example.org/blog/ancestral-sampling-joy-division/"] == "2020-11-03T05:34:00+00:00"
    assert "https://example.org/blog/tag/jukebox/" in entries
    assert "https://example.org/blog/about/" in entries
    missing = (site / "404.html").read_text()
    assert "Page not found" in missing and 'href="/blog/"' in missing


# -- Liquid -------------------------------------------------------------------

def test_jekyll_filters_and_tags(site_blog: Path) -> None:
    write(site_blog / "_includes" / "note.html", "NOTE[{{ include.text }}, {{ page.title }}]")
    write(site_blog / "posts" / "2021-02-01-liquid.md", """---
title: Liquid
date: 2021-02-01 09:05:00
---
On {{ page.date | date: "%b %-d, %Y" }} at {{ page.date | date_to_xmlschema }}: {{ "a<b & 'c'" | xml_escape }}.

Raw: {% raw %}{{ site.title }}{% endraw %}

See [the tiny run]({% post_url 2021-01-05-tiny-run %}) and {{ '/x' | absolute_url }}.

{% highlight python %}
def f(x):
    return x < 1
{% endhighlight %}

{% include note.html text="hello there" %}
""")
    build(site_blog)
    page = (site_blog / "_site" / "liquid" / "index.html").read_text()
    # xml_escape writes ' as &apos; (Ruby's encode(xml: :attr)), which kramdown writes
    # back as the character, as in Jekyll
    assert "On Feb 1, 2021 at 2021-02-01T09:05:00+00:00: a&lt;b &amp; 'c'." in page
    assert "Raw: {{ site.title }}" in page
    assert '<a href="/blog/tiny-run/">the tiny run</a>' in page  # Jekyll 4: with the baseurl
    assert "https://example.org/blog/x" in page
    assert ('<figure class="highlight"><pre><code class="language-python" data-lang="python">'
            '<span class="k">def</span>') in page
    assert "&lt;</span>" in page and "</code></pre></figure>" in page
    assert "NOTE[hello there, Liquid]" in page


def test_theme_includes_are_the_fallback(site_blog: Path) -> None:
    write(site_blog / "posts" / "2021-02-01-player.md",
          "---\ntitle: P\n---\n{% include audio.html src='assets/a.mp3' %}\n")
    build(site_blog)
    page = (site_blog / "_site" / "player" / "index.html").read_text()
    assert '<audio controls="" preload="metadata" src="/blog/assets/a.mp3"></audio>' in page


def test_include_relative_reads_beside_the_page_and_refuses_parent_folders(site_blog: Path) -> None:
    write(site_blog / "docs" / "index.md", "---\ntitle: Docs\n---\nBefore. {% include_relative part.txt %}\n")
    write(site_blog / "docs" / "part.txt", "PART of {{ page.title }}")
    build(site_blog)
    assert "PART of Docs" in (site_blog / "_site" / "docs" / "index.html").read_text()
    before = snapshot(site_blog / "_site")
    write(site_blog / "docs" / "index.md", "---\ntitle: Docs\n---\n{% include_relative ../_config.yml %}\n")
    with pytest.raises(BuildError, match=r"docs/index\.md:4: Liquid: include_relative: no file "
                                         r"'\.\./_config\.yml' beside the page"):
        build(site_blog)
    assert snapshot(site_blog / "_site") == before


@pytest.mark.parametrize("body, message", [
    ("{% post_url 2020-01-01-nothing %}", r":7: Liquid: post_url: no post named '2020-01-01-nothing'"),
    ("{% include missing.html %}", r":7: Liquid: include: no file 'missing.html'"),
    ("{% nosuch thing %}", r":7: Liquid: unexpected tag 'nosuch'"),
])
def test_bad_liquid_tags_name_file_and_line(site_blog: Path, body: str, message: str) -> None:
    build(site_blog)
    before = snapshot(site_blog / "_site")
    write(site_blog / "posts" / "2021-02-01-bad.md", f"---\ntitle: Bad\n---\nfine\n\nstill fine\n{body}\n")
    with pytest.raises(BuildError, match=r"posts/2021-02-01-bad\.md" + message):
        build(site_blog)
    assert snapshot(site_blog / "_site") == before


# -- front matter: excerpts, drafts, future posts -------------------------------

def test_excerpt_separator_in_config_and_front_matter(site_blog: Path) -> None:
    write(site_blog / "posts" / "2021-02-01-long.md",
          "---\ntitle: Long\n---\nFirst part\n\nsecond part\n<!--more-->\nhidden part\n")
    write(site_blog / "posts" / "2021-02-02-own.md",
          "---\ntitle: Own\nexcerpt_separator: '%%'\n---\nOne\n\ntwo %% three\n")
    build(site_blog)
    index = (site_blog / "_site" / "index.html").read_text()
    assert "<p class=\"post-card-excerpt\">First part</p>" in index
    assert "<p class=\"post-card-excerpt\">One two</p>" in index
    write(site_blog / "_config.yml", "baseurl: /blog\nexcerpt_separator: <!--more-->\n")
    build(site_blog)
    index = (site_blog / "_site" / "index.html").read_text()
    assert "First part second part" in index and "hidden part" not in index


def test_drafts_only_when_asked(site_blog: Path) -> None:
    draft = write(site_blog / "_drafts" / "work-in-progress.md", "---\ntitle: WIP\n---\nNot done\n")
    os.utime(draft, (1_650_000_000, 1_650_000_000))  # 2022-04-15
    build(site_blog)
    assert not (site_blog / "_site" / "work-in-progress").exists()
    result = build(site_blog, drafts=True)
    assert result.posts == 3
    index = (site_blog / "_site" / "index.html").read_text()
    assert index.find("WIP") < index.find("A tiny run")  # dated by its mtime: the newest
    write(site_blog / "_config.yml", "baseurl: /blog\nshow_drafts: true\n")
    build(site_blog)
    # No permalink in the config: Jekyll's `date` style, the draft dated by its mtime.
    assert (site_blog / "_site" / "2022" / "04" / "15" / "work-in-progress.html").is_file()


def test_future_posts_only_when_asked(site_blog: Path) -> None:
    now = datetime(2021, 1, 5, 9, 0)  # an hour before the tiny run's time
    assert build(site_blog, now=now).posts == 1
    assert not (site_blog / "_site" / "tiny-run").exists()
    assert build(site_blog, now=now, future=True).posts == 2
    write(site_blog / "_config.yml", "baseurl: /blog\nfuture: true\n")
    assert build(site_blog, now=now).posts == 2


# -- code highlighting and static files ----------------------------------------

def test_fenced_code_is_highlighted_with_a_generated_stylesheet(site_blog: Path) -> None:
    write(site_blog / "posts" / "2021-02-01-code.md", "---\ntitle: Code\n---\n```python\nimport os\n```\n")
    build(site_blog)
    site = site_blog / "_site"
    page = (site / "code" / "index.html").read_text()
    # rouge's shape, as Jekyll's kramdown writes it
    assert ('<div class="language-python highlighter-rouge"><div class="highlight">'
            '<pre class="highlight"><code>') in page
    assert '<span class="kn">import</span>' in page
    assert 'href="/blog/assets/css/syntax.css"' in page
    assert ".highlight .kn {" in (site / "assets" / "css" / "syntax.css").read_text()


def test_static_files_pass_through_like_jekyll(site_blog: Path) -> None:
    for name in ("CNAME", "docs/guide.txt", "Makefile", "notes/_private.txt", ".env",
                 ".htaccess", "drafts-old/a.txt", "node_modules/x.js", "about.md"):
        write(site_blog / name, "---\n---\n" if name == "about.md" else name)
    write(site_blog / "_config.yml", "baseurl: /blog\nexclude: [drafts-old]\ninclude: [.htaccess]\n")
    build(site_blog)
    site = site_blog / "_site"
    assert (site / "CNAME").read_text() == "CNAME"
    assert (site / "docs" / "guide.txt").is_file() and (site / ".htaccess").is_file()
    for absent in ("notes/_private.txt", ".env", "drafts-old", "node_modules",
                   "posts", "about.md", "_config.yml"):
        assert not (site / absent).exists(), absent
    assert (site / "Makefile").is_file()   # as Jekyll: a repository's own files go in `exclude:`
    assert (site / "about.html").is_file()   # Jekyll's page URL with the `date` style


def test_static_file_over_a_generated_one_is_refused(site_blog: Path) -> None:
    write(site_blog / "feed.xml", "<mine/>")
    with pytest.raises(BuildError, match="would overwrite the generated feed.xml"):
        build(site_blog)


# -- serve --------------------------------------------------------------------

@pytest.fixture
def server(site_blog: Path):
    write(site_blog / "posts" / "2021-02-01-flat.md", "---\ntitle: Flat\npermalink: /:title\n---\nFlat page\n")
    build(site_blog)
    with serving(site_blog / "_site") as address:
        yield address


def get(url: str, **headers: str):
    return urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=5)


def test_serve_maps_slugs_like_jekyll(server: str) -> None:
    with get(f"{server}/blog/tiny-run/") as r:
        assert r.status == 200 and b"A tiny run" in r.read()
    with get(f"{server}/blog/tiny-run") as r:  # the folder: redirected to its slash
        assert r.url.endswith("/blog/tiny-run/") and b"A tiny run" in r.read()
    with get(f"{server}/blog/flat") as r:  # /:title permalink: flat.html
        assert r.status == 200 and b"Flat page" in r.read()
    with get(f"{server}/") as r:
        assert r.url.endswith("/blog/") and b"post-card" in r.read()


def test_serve_answers_ranges_for_audio(server: str) -> None:
    url = f"{server}/blog/assets/runs/x/item-00.mp3"
    with get(url, Range="bytes=10-19") as r:
        assert r.status == 206
        assert r.headers["Content-Range"] == f"bytes 10-19/{len(MP3)}"
        assert r.read() == MP3[10:20]
    with get(url, Range="bytes=-5") as r:
        assert r.status == 206 and r.read() == MP3[-5:]
    with get(url) as r:
        assert r.status == 200 and r.headers["Accept-Ranges"] == "bytes" and r.read() == MP3
    with pytest.raises(urllib.error.HTTPError) as caught:
        get(url, Range=f"bytes={len(MP3)}-")
    assert caught.value.code == 416


def test_serve_keeps_to_the_baseurl_and_the_site(server: str) -> None:
    for path in ("/assets/runs/x/item-00.mp3", "/blog/../_config.yml", "/blog/%2e%2e/_config.yml"):
        with pytest.raises(urllib.error.HTTPError) as caught:
            get(server + path)
        assert caught.value.code == 404


# -- Markdown in kramdown's shapes (site_builder/site/kramdown.py) ---------------

def _markdown(text: str) -> str:
    from site_builder.site.kramdown import renderer
    return renderer().render(text).rstrip("\n")


def test_smart_quotes_dashes_and_ellipses_are_characters_like_kramdowns() -> None:
    html = _markdown("\"Quoted\", 'single', it's the '90s: 2019--2020 --- wait...")
    assert html == ("<p>\u201cQuoted\u201d, \u2018single\u2019, it\u2019s the \u201990s: "
                    "2019\u20132020 \u2014 wait\u2026</p>")


def test_code_blocks_have_rouges_shape() -> None:
    fenced = _markdown("```python\nx = 1\n```\n")
    assert fenced.startswith('<div class="language-python highlighter-rouge"><div class="highlight">'
                             '<pre class="highlight"><code>')
    assert fenced.rstrip().endswith("</code></pre></div></div>") and "<span></span>" not in fenced
    indented = _markdown("Text:\n\n    <b>raw</b>\n")
    assert ('<div class="language-plaintext highlighter-rouge"><div class="highlight">'
            '<pre class="highlight"><code>&lt;b&gt;raw&lt;/b&gt;\n</code></pre></div></div>') in indented
    assert '<code class="language-plaintext highlighter-rouge">x</code>' in _markdown("An `x`.")


def test_template_languages_highlight_their_html_as_rouge_does() -> None:
    """Rouge's erb, handlebars, jinja and twig lexers colour the HTML around the
    template's code (Pygments' plain erb lexer leaves it one run of text)."""
    for lang, code in (("erb", '<link href="/a.css">\n<%= x %>'), ("handlebars", "<p>{{ y }}</p>"),
                       ("jinja", "<p>{{ y }}</p>"), ("twig", "<p>{{ y }}</p>")):
        html = _markdown(f"```{lang}\n{code}\n```\n")
        assert '<span class="nt">' in html and '<span class="cp">' in html, (lang, html)
        tag = highlight_code(code, lang)   # {% highlight erb %}: the same lexer
        assert '<span class="nt">' in tag and '<span class="cp">' in tag, (lang, tag)
    # A language rouge lacks is plain text in Jekyll's tag (Pygments knows "pycon").
    assert "<span" not in highlight_code(">>> x = 1", "pycon")


def test_an_indented_fence_keeps_its_lines_indentation_like_kramdown() -> None:
    assert "<code>  CPU: 1\n</code>" in _markdown("Text:\n\n  ```\n  CPU: 1\n  ```\n")


def test_heading_ids_are_kramdowns_gfm_ids() -> None:
    html = _markdown("## Setup\n\n## Setup\n\n## Setup\n\n## What's new? 1, 2 & 3!\n\n"
                     "## Mine {#mine}\n")
    assert '<h2 id="setup">' in html and '<h2 id="setup-1">' in html
    assert '<h2 id="setup-2">' in html and '<h2 id="mine">' in html
    assert '<h2 id="whats-new-1-2--3">What\u2019s new? 1, 2 &amp; 3!</h2>' in html


def test_footnotes_have_kramdowns_shape() -> None:
    html = _markdown("A claim[^note].\n\n[^note]: The note.\n")
    assert ('<sup id="fnref:note" role="doc-noteref"><a href="#fn:note" class="footnote" '
            'rel="footnote">1</a></sup>') in html
    assert '<div class="footnotes" role="doc-endnotes">' in html and "<hr" not in html
    assert '<li id="fn:note" role="doc-endnote">' in html
    assert ('<p>The note.\u00a0<a href="#fnref:note" class="reversefootnote" '
            'role="doc-backlink">&#8617;</a></p>') in html


def test_lists_nest_by_two_spaces_and_follow_a_paragraph_line_like_kramdowns() -> None:
    html = _markdown("Nested:\n- one\n  - inner\n  - inner two\n- two\n    - four spaces\n\n"
                     "1. step\n   1. sub\n2. step two\n")
    assert re.sub(r"\s*\n\s*", "", html) == (
        "<p>Nested:</p><ul><li>one<ul><li>inner</li><li>inner two</li></ul></li><li>two<ul>"
        "<li>four spaces</li></ul></li></ul><ol><li>step<ol><li>sub</li></ol></li>"
        "<li>step two</li></ol>")


def test_list_reindenting_leaves_code_and_continuations_alone() -> None:
    html = _markdown("- item\n\n  more of the item\n\nAfter.\n\n    - code, not a list\n\n"
                     "```\n- in a fence\n```\n")
    assert "<li>\n    <p>item</p>\n\n    <p>more of the item</p>\n  </li>" in html
    assert "<p>After.</p>" in html
    assert "<code>- code, not a list\n</code>" in html and "<code>- in a fence\n</code>" in html


def test_site_posts_tags_and_author_data(site_blog: Path) -> None:
    write(site_blog / "_data" / "authors.yml", "gabriel:\n  name: Gabriel Vigliensoni\n")
    write(site_blog / "posts" / "2021-05-01-listing.md",
          "---\ntitle: Listing\nauthor: gabriel\ntags: [index]\n---\n"
          "{% for p in site.posts %}[{{ p.title }}]({{ p.url | relative_url }}) {% endfor %}\n\n"
          "{{ site.tags.index | size }} tagged; {{ site.data.authors.gabriel.name }}\n")
    build(site_blog)
    page = (site_blog / "_site" / "listing" / "index.html").read_text()
    assert '<a href="/blog/listing/">Listing</a>' in page
    assert "1 tagged; Gabriel Vigliensoni" in page
    assert '<span class="post-author">Gabriel Vigliensoni</span>' in page
    first = page.index("Listing</a>")
    assert all(page.index(f">{title}</a>") > first for title in ("A tiny run",))  # newest first
    write(site_blog / "_data" / "broken.yml", "a: [\n")
    with pytest.raises(BuildError, match=r"_data/broken.yml:2: cannot be read"):
        build(site_blog)


def test_dates_follow_the_sites_timezone_as_in_jekyll(site_blog: Path) -> None:
    with open(site_blog / "_config.yml", "a") as config:
        config.write("timezone: America/Montreal\n")
    write(site_blog / "posts" / "2021-06-02-zoned.md", "---\ntitle: Zoned\ndate: 2021-06-02 03:30:00 "
          "+01:00\npermalink: /:year/:month/:day/:title/\n---\n{{ page.date | date_to_xmlschema }}\n")
    build(site_blog)
    page = (site_blog / "_site" / "2021" / "06" / "01" / "zoned" / "index.html").read_text()
    assert "2021-06-01T22:30:00-04:00" in page  # 03:30 in Paris is 22:30 the day before
    assert "2021-06-01T22:30:00-04:00" in (site_blog / "_site" / "feed.xml").read_text()
    with open(site_blog / "_config.yml", "a") as config:
        config.write("timezone: Mars/Olympus\n")
    with pytest.raises(ConfigError, match=r"_config.yml:\d+: timezone: expected a time zone name .*, got 'Mars/Olympus'"):
        build(site_blog)


def test_tag_pages_paginate_like_the_index(site_blog: Path) -> None:
    with open(site_blog / "_config.yml", "a") as config:
        config.write("paginate: 2\n")
    for n in range(3):
        write(site_blog / "posts" / f"2021-07-0{n + 1}-tagged-{n}.md",
              f"---\ntitle: Tagged {n}\ntags: [many]\n---\nBody {n}.\n")
    build(site_blog)
    first = (site_blog / "_site" / "tag" / "many" / "index.html").read_text()
    second = (site_blog / "_site" / "tag" / "many" / "page" / "2" / "index.html").read_text()
    assert "Tagged 2" in first and "Tagged 1" in first and "Tagged 0" in second
    assert 'href="/blog/tag/many/page/2/"' in first and "A collection of 3 posts" in first
    assert 'href="/blog/tag/many/"' in second


def test_front_matter_defaults_apply_by_scope_and_lose_to_the_posts_own(site_blog: Path) -> None:
    with open(site_blog / "_config.yml", "a") as config:
        config.write("defaults:\n"
                     "  - scope: {path: '', type: posts}\n"
                     "    values: {author: Everyone, tags: [defaulted]}\n"
                     "  - scope: {path: '_posts/2021-08'}\n"
                     "    values: {author: August}\n"
                     "  - scope: {type: pages}\n"
                     "    values: {permalink: '/pages/:title/'}\n")
    write(site_blog / "posts" / "2021-08-01-august.md", "---\ntitle: August\n---\nBy {{ page.author }}.\n")
    write(site_blog / "posts" / "2021-09-01-own.md", "---\ntitle: Own\nauthor: Me\n---\nBy {{ page.author }}.\n")
    write(site_blog / "posts" / "2021-09-02-plain.md", "---\ntitle: Plain\n---\nBy {{ page.author }}.\n")
    write(site_blog / "about.md", "---\ntitle: About\n---\nAbout.\n")
    build(site_blog)
    site = site_blog / "_site"
    assert "By August." in (site / "august" / "index.html").read_text()  # the longer path wins
    assert "By Me." in (site / "own" / "index.html").read_text()
    assert "By Everyone." in (site / "plain" / "index.html").read_text()
    assert (site / "tag" / "defaulted" / "index.html").exists()
    assert (site / "pages" / "about" / "index.html").exists()
    with open(site_blog / "_config.yml", "a") as config:
        config.write("defaults: {layout: post}\n")
    with pytest.raises(ConfigError, match=r"_config.yml:\d+: defaults: expected a list of `- scope"):
        build(site_blog)


# -- Jekyll's reading rules ---------------------------------------------------

def test_jekyll_reading_rules_nothing_silently_dropped(tmp_path: Path, logged) -> None:
    """Posts at any depth of _posts/ and in any extension, pages (front matter) at any
    depth and extension through Liquid, nested _data/, exclude, Jekyll's default
    permalink, slugs and categories as Jekyll makes them; every other file copied or
    listed as skipped with its reason."""
    site_blog = tmp_path / "blog"
    write(site_blog / "_config.yml", "title: T\nexclude: [old.md]\nposts_dir: _posts\n")
    write(site_blog / "_posts" / "2019" / "2019-05-01-deep.md", "---\ntitle: Deep\n---\nDeep *post*\n")
    write(site_blog / "_posts" / "2019-05-02-an--odd name.html", "---\ntitle: Odd\n---\n<p>HTML post</p>\n")
    write(site_blog / "_posts" / "2019-05-03-cat.md", "---\ncategory: Nominal Logic\n---\nCat\n")
    write(site_blog / "blog" / "_posts" / "2019-05-04-sub.md", "---\n---\nSub\n")
    write(site_blog / "_data" / "team" / "people.yml", "- name: Ada\n")
    write(site_blog / "docs" / "feed.xml", "---\n---\n<x>{{ site.data.team.people[0].name }}</x>\n")
    write(site_blog / "old.md", "---\n---\nExcluded\n")
    write(site_blog / "notes.txt", "plain\n")
    write(site_blog / "_sass" / "_base.scss", "$gap: 4px;\n")
    write(site_blog / "css" / "main.scss", "---\n---\n@import \"base\";\n"
          ".a { .b { margin: $gap; } }\n/* {{ site.title }} */\n")
    write(site_blog / "_unknown" / "x.txt", "hidden\n")
    result = build(site_blog, verbose=True)
    lines = logged.messages
    site = site_blog / "_site"
    assert result.posts == 4
    assert "Deep <em>post</em>" in (site / "2019" / "05" / "01" / "deep.html").read_text()
    assert "<p>HTML post</p>" in (site / "2019" / "05" / "02" / "an-odd-name.html").read_text()
    assert (site / "nominal logic" / "2019" / "05" / "03" / "cat.html").is_file()
    assert (site / "blog" / "2019" / "05" / "04" / "sub.html").is_file()
    assert (site / "docs" / "feed.xml").read_text() == "<x>Ada</x>\n"
    assert (site / "notes.txt").is_file() and not (site / "old.html").exists()
    # jekyll-sass-converter's default style (compact), after Liquid
    assert (site / "css" / "main.css").read_text() == ".a .b { margin: 4px; }\n\n/* T */\n"
    assert "skipped old.md: named by `exclude` in _config.yml" in lines
    assert any(line.startswith("skipped _unknown/: its name starts with '_'") for line in lines)
    assert re.search(r"^4 posts -> _site/ in .* \(2 pages, \d+ files copied, 2 skipped;",
                     lines[-1]), lines[-1]


def test_build_command_takes_jekylls_options(tmp_path: Path) -> None:
    site_blog = tmp_path / "blog"
    write(site_blog / "_config.yml", "title: T\nposts_dir: _posts\n")
    write(site_blog / "more.yml", "permalink: /:title/\n")
    write(site_blog / "_posts" / "2020-01-01-hello.md", "---\n---\nHi\n")
    result = site_builder(tmp_path, "build", "-s", str(site_blog), "-d", str(tmp_path / "out"),
                          "--config", f"{site_blog / '_config.yml'},{site_blog / 'more.yml'}", check=False)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out" / "hello" / "index.html").is_file()
    bad = site_builder(tmp_path, "build", "-s", str(site_blog), "--config", str(site_blog / "none.yml"),
                       check=False)
    assert bad.returncode == 2 and "none.yml" in bad.stderr and "Traceback" not in bad.stderr


def test_a_blog_with_its_own_liquid_layouts(tmp_path: Path, logged) -> None:
    """A jasper2-shaped blog: its layouts chained through `layout:`, includes with
    parameters, jekyll-paginate's paginator on index.html, an .html post's excerpt,
    Jekyll's filters and the seo tag; Ruby plugins named in one warning."""
    site_blog = tmp_path / "blog"
    write(site_blog / "_config.yml", "title: Shaped\nbaseurl: /j/\npermalink: /:title\npaginate: 1\n"
          "plugins: [jekyll-paginate, jekyll-seo-tag, jekyll-avatar, jekyll-octicons]\n"
          "posts_dir: _posts\n")
    write(site_blog / "_layouts" / "default.html",
          "<html><head>{% seo %}</head><body>{{ content }}"
          "{% include foot.html note=page.title %}</body></html>\n")
    write(site_blog / "_layouts" / "post.html", "---\nlayout: default\nkind: article\n---\n"
          "<article class=\"{{ layout.kind }}\">{{ content }}</article>"
          "{% if page.previous %}<a href=\"{{ page.previous.url | relative_url }}\">older</a>"
          "{% endif %}\n")
    # github/government.github.com's footer: an icon of jekyll-octicons (not in Debian)
    write(site_blog / "_includes" / "foot.html",
          "<footer>{% octicon mark-github height:32 %}{{ include.note | upcase }}</footer>")
    write(site_blog / "_posts" / "2020-01-01-first.md", "---\ntitle: First\nlayout: post\n---\n"
          "One *two*\n\nthree\n")
    write(site_blog / "_posts" / "2020-01-02-second.html", "---\ntitle: Second\nlayout: post\n---\n"
          "<p>Two</p>\n\n<p>more</p>\n")
    write(site_blog / "index.html", "---\nlayout: default\n---\n{% for post in paginator.posts %}"
          "[{{ post.title }}: {{ post.excerpt | strip_html | strip }}; "
          "{{ post.date | date_to_string }}]{% endfor %}"
          "{{ paginator.page }}/{{ paginator.total_pages }} {{ paginator.next_page_path }}"
          " {{ site.posts | map: 'title' | array_to_sentence_string }}\n")
    write(site_blog / "_plugins" / "tags.rb", "# a generator\n")
    build(site_blog)
    lines = logged.messages
    site = site_blog / "_site"
    second = (site / "second.html").read_text()
    assert '<article class="article"><p>Two</p>' in second
    assert '<a href="/j/first">older</a>' in second and "<footer>SECOND</footer>" in second
    assert "<title>Second | Shaped</title>" in second
    index = (site / "index.html").read_text()
    assert "[Second: Two; 02 Jan 2020]1/2 /page2 Second and First" in index   # /page:num
    assert "[First: One two; 01 Jan 2020]2/2" in (site / "page2" / "index.html").read_text()
    warning = [line for line in lines if line.startswith("warning: plugins")]
    assert len(warning) == 1 and "_plugins/tags.rb" in warning[0] and "jekyll-avatar" in warning[0]
    assert "jekyll-octicons (icons" in warning[0]
    assert not (site / "assets" / "css" / "site.css").exists()  # not our theme's


def test_a_broken_stylesheet_is_named_with_its_line(tmp_path: Path) -> None:
    site_blog = tmp_path / "blog"
    write(site_blog / "_config.yml", "title: T\nposts_dir: _posts\n")
    write(site_blog / "css" / "bad.scss", "---\n---\n.a {\n  color: $nowhere;\n}\n")
    with pytest.raises(BuildError, match=r"css/bad\.scss:4: Sass: Undefined variable"):
        build(site_blog)


def test_a_sass_style_written_as_a_ruby_symbol_and_a_change_of_options(tmp_path: Path) -> None:
    """jekyll-now's `_config.yml` says `style: :expanded` (a Ruby symbol, which GitHub
    Pages' Jekyll 3 reads): expanded CSS, not an error; a style that is none of
    Sass's still is one."""
    site_blog = tmp_path / "blog"
    write(site_blog / "_config.yml", "title: T\nposts_dir: _posts\nsass:\n  style: :expanded\n")
    write(site_blog / "style.scss", "---\n---\n.a { .b { color: red; } }\n")
    build(site_blog)
    assert (site_blog / "_site" / "style.css").read_text() == ".a .b {\n  color: red;\n}\n"
    # The sass: options and a partial are what the CSS is made from: a rebuild sees them.
    write(site_blog / "_config.yml", "title: T\nposts_dir: _posts\nsass:\n  style: compressed\n")
    write(site_blog / "_sass" / "_colour.scss", "$c: blue;\n")
    write(site_blog / "style.scss", "---\n---\n@import \"colour\";\n.a { .b { color: $c; } }\n")
    build(site_blog)
    assert (site_blog / "_site" / "style.css").read_text() == ".a .b{color:blue}\n"
    write(site_blog / "_sass" / "_colour.scss", "$c: red;\n")
    build(site_blog)
    assert (site_blog / "_site" / "style.css").read_text() == ".a .b{color:red}\n"
    write(site_blog / "_config.yml", "title: T\nposts_dir: _posts\nsass:\n  style: pretty\n")
    with pytest.raises(BuildError, match="sass: style: 'pretty' is not one of"):
        build(site_blog)


def test_build_reads_the_source_the_config_names(tmp_path: Path) -> None:
    """`source: src` in _config.yml (twbs/blog's): `site-builder build` run beside it
    builds src/ into ./_site, as `jekyll build` does; a source that is not there is
    one clear error."""
    write(tmp_path / "_config.yml", "title: T\nsource: src\n")
    write(tmp_path / "src" / "_layouts" / "default.html", "<main>{{ content }}</main>\n")
    write(tmp_path / "src" / "index.md", "---\nlayout: default\n---\nHi.\n")
    site_builder(tmp_path, "build")
    assert (tmp_path / "_site" / "index.html").read_text() == "<main><p>Hi.</p>\n</main>\n"
    assert not (tmp_path / "src" / "_site").exists()
    write(tmp_path / "_config.yml", "title: T\nsource: nowhere\n")
    result = site_builder(tmp_path, "build", check=False)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.startswith("error: _config.yml: source: 'nowhere': no such folder")
    for hostile in ('"a\\x00b"', "[a, b]", "12"):   # a NUL, a list, a number
        write(tmp_path / "_config.yml", f"title: T\nsource: {hostile}\n")
        result = site_builder(tmp_path, "build", check=False)
        assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
        assert result.stderr.startswith("error: _config.yml: source: ")


def test_build_of_a_folder_that_is_not_there_is_refused(tmp_path: Path) -> None:
    result = site_builder(tmp_path, "build", "-s", str(tmp_path / "nowhere"), check=False)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.startswith("error: -s ") and "no such folder" in result.stderr
    assert not (tmp_path / "nowhere").exists()


def test_a_jekyll_2_setting_that_jekyll_refuses_is_refused(tmp_path: Path) -> None:
    write(tmp_path / "_config.yml", "title: T\nrelative_permalinks: true\n")
    write(tmp_path / "index.md", "---\ntitle: Home\n---\nHi.\n")
    result = site_builder(tmp_path, "build", "-s", str(tmp_path), check=False)
    assert result.returncode == 2 and not (tmp_path / "_site").exists()
    assert result.stderr.startswith("error: _config.yml: relative_permalinks: true is Jekyll 2's")
    assert "Traceback" not in result.stderr


def test_liquid_options_of_the_config(tmp_path: Path) -> None:
    """`liquid: strict_variables` makes an unknown variable an error naming the file;
    `strict_filters: false` lets an unknown filter pass the value through."""
    site_blog = tmp_path / "blog"
    write(site_blog / "_config.yml", "title: T\nposts_dir: _posts\n"
          "liquid: {strict_variables: true, strict_filters: false}\n")
    write(site_blog / "_posts" / "2020-01-01-a.md", "---\n---\n{{ 'x' | nosuch }} {{ page.nothing }}\n")
    with pytest.raises(BuildError, match=r"_posts/2020-01-01-a\.md:\d+: Liquid: .*nothing"):
        build(site_blog)
    write(site_blog / "_config.yml", "title: T\nposts_dir: _posts\nliquid: {strict_filters: false}\n")
    build(site_blog)
    assert "<p>x</p>" in (site_blog / "_site" / "2020" / "01" / "01" / "a.html").read_text()


def test_jekyll_paginate_takes_the_index_above_the_paginate_path(tmp_path: Path) -> None:
    """`paginate_path: /page/:num` (no page/index.html): jekyll-paginate pages the
    deepest index.html at or above page/, the root's, into /page/2/..."""
    write(tmp_path / "_config.yml", "title: T\nplugins: [jekyll-paginate]\npaginate: 2\n"
          "paginate_path: /page/:num\n")
    write(tmp_path / "_layouts" / "default.html", "{{ content }}")
    write(tmp_path / "index.html", "---\nlayout: default\n---\n{% for post in paginator.posts %}"
          "[{{ post.title }}]{% endfor %} {{ paginator.page }}/{{ paginator.total_pages }} "
          "{{ paginator.next_page_path }}")
    for n in range(1, 6):
        write(tmp_path / "_posts" / f"2021-01-0{n}-p{n}.md", f"---\ntitle: P{n}\n---\nText.\n")
    build(tmp_path)
    assert (tmp_path / "_site" / "index.html").read_text() == "[P5][P4] 1/3 /page/2"
    assert (tmp_path / "_site" / "page" / "2" / "index.html").read_text() == "[P3][P2] 2/3 /page/3"
    assert (tmp_path / "_site" / "page" / "3" / "index.html").read_text().startswith("[P1] 3/3")


def test_simple_outputs_in_a_post_are_written_as_liquid_writes_them(tmp_path: Path) -> None:
    """A post whose only Liquid is `{{ site.x }}` / `{{ page.y }}` skips parsing: the
    text must be what Liquid itself writes, for every kind of value."""
    from site_builder.site.liquid_tags import JekyllEnvironment
    from site_builder.site.render import _simple_liquid
    site = {"repository": "https://x.org/r", "n": 3, "f": 2.5, "t": True, "none": None,
            "list": [1, [2, None], "a"], "nested": {"deep": {"er": "yes"}}, "e": ""}
    page = {"title": "T", "tags": ["a", "b"], "date": "2021-01-01"}
    env = JekyllEnvironment(tmp_path, {"baseurl": ""}, {})
    bodies = ["{{ site.repository }}/issues/1 and {{site.n}} {{ site.f }} {{ site.t }}",
              "[{{ site.none }}][{{ site.missing }}][{{ site.none.x }}][{{ site.e }}]",
              "{{ site.list }} {{ site.nested.deep.er }} {{ page.title }} {{ page.tags }}",
              "{{ site.nested }}", "{{ page.date }}"]
    for body in bodies:
        fast = _simple_liquid(body, site, page)
        assert fast == env.from_string(body).render(site=site, page=page), body
    for body in ["{{ site.list.size }}", "{{ site.repository.size }}", "{{ site.n | plus: 1 }}",
                 "{% if x %}{% endif %}{{ site.n }}", "{{- site.n }}", "{{ site.nil }}"]:
        assert _simple_liquid(body, site, page) is None, body


def test_simple_outputs_and_raw_blocks_are_written_as_liquid_writes_them(tmp_path: Path) -> None:
    """Raw blocks beside the simple outputs (Jekyll's history page) skip parsing too:
    random texts of outputs, raw blocks (with dashes, unclosed, nested, after a `{`)
    and braces are written as Liquid writes them, or left to it."""
    import random
    from liquid.exceptions import LiquidError
    from site_builder.site.liquid_tags import JekyllEnvironment
    from site_builder.site.render import _simple_liquid
    site, page = {"repository": "https://x.org/r", "n": 3}, {"title": "T"}
    env = JekyllEnvironment(tmp_path, {"baseurl": ""}, {})
    body = "- Fix {% raw %}`{{ page.url }}`{% endraw %} ([#1]({{ site.repository }}/issues/1))\n"
    assert _simple_liquid(body, site, page) == \
        "- Fix `{{ page.url }}` ([#1](https://x.org/r/issues/1))\n"
    parts = ["{% raw %}", "{% endraw %}", "{%raw%}", "{%\nendraw  %}", "{%- raw %}",
             "{% raw -%}", "{%- endraw %}", "{% endraw -%}", "{{ site.repository }}",
             "{{site.n}}", "{{ page.title }}", "{{", "}}", "{", "}", "%}", "{%", "x", " ",
             "\n", "`", "{% if true %}", "{% endif %}", "{{ site.n | plus: 1 }}", "{{{"]
    rng = random.Random(7)
    fast_ones = 0
    for _ in range(1000):
        body = "".join(rng.choice(parts) for _ in range(rng.randint(1, 9)))
        fast = _simple_liquid(body, site, page)
        try:
            slow = env.from_string(body).render(site=site, page=page)
        except LiquidError:
            slow = None
        if fast is not None:
            fast_ones += 1
            assert fast == slow, body
    assert fast_ones > 80
