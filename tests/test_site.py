"""The site generator: posts -> _site/, and the preview server."""

from __future__ import annotations

import threading
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from site_builder.errors import BuildError
from site_builder.serve import make_server
from site_builder.site import build

# A copy of the hand-written post this pipeline replaces (DESIGN.md), verbatim.
EXAMPLE_NAME = "2020-11-03-ancestral-sampling-joy-division.md"
EXAMPLE = """---
layout: post
current: post
cover:  assets/images/jd.jpg
navigation: True
title: Ancestral sampling conditioned on Joy Division
date: 2020-11-03 5:34:00
tags: [Jukebox, ancestral sampling]
class: post-template
subclass: 'post'
author: gabriel
---

I want to check how is the sampling of an artist that I know well, and so I decided to perform ancestral sampling of the Jukebox `5b` model of two artists whose catalog I know well: *Joy Division* and *Lucybell*. While the former is pretty well known and has just a few official albums, the latter is my former band which happen to be in the `V3` list of artist, which is tied to the `5b` and `5b_lyrics` models.

For Joy Division, I requested 16 samples with `sample_length_in_seconds=60`, in five genres (Dark Wave, Gothic, Coldwave, Hip Hop, and Glitch Pop). It took:
```
    Nodes: 1
    Cores per node: 6
    CPU Utilized: 14:55:31
    Job Wall-clock time: 14:59:55
    Memory Utilized: 23.10 GB
```

For Lucybell, I requested 3 samples, 60 seconds. Note more than five times the number of samples didn't take five times longer. Also, memory used for Lucybell was actually a third larger. Perhaps this is because I ran these two processes in two different clusters. I requested the same GPU though (Volta V100).


  ```
  Nodes: 1
  Cores per node: 10
  CPU Utilized: 08:05:34
  Job Wall-clock time: 08:05:12
  Memory Utilized: 31.02 GB
  ```

Joy Division samples

  <iframe src="https://archive.org/details/ancestral-sampling-by-artist-joy-division#" width="500" height="250" frameborder="1" webkitallowfullscreen="true" mozallowfullscreen="true" allowfullscreen></iframe>

Some of the samples sound (e.g., `item 0`)like a rehearsal in a garage, or a live bootleg take. This is actually possible, since Joy Division has several bootleg albums.
Other samples sound such another band (e.g., `item 1`, `item 10`, `item 11`, `item 13`), but from the same period and similar style and sound (i.e., post-punk, punk, or somewhere there)

From what I remembered, `item 2` is the one that sounds closer to Joy Division. The shout at the beginning is very similar, I think, to one in a Joy Division song. Another examples sound very similar to you could expect from Joy Division (e.g., `item 10`)

Some examples seem to be strange parts of the model (e.g., `item 12`, `item 8`), where there is lots of silence.


My favorite ones are `item 14` (rhythmically interesting and nice attitude) and `item 3` (very nice mood but not Joy Division-ish, at all!)

**It seems that the query is somehow close to the period and style attributed to Joy Division, but it is not actually retrieving and decoding something memorized**
**The songs seem to be _correctly tuned_, there are no weird shifts in tuning and seem to be consistent over time and across songs**

Lucybell samples

<iframe src="https://archive.org/details/ancestral-sampling-by-artist-lucybell#" width="500" height="250" frameborder="1" webkitallowfullscreen="true" mozallowfullscreen="true" allowfullscreen></iframe>

The three examples are in the form of a guitar-driven ballad, which is actually very close to most popular songs of Lucybell. It is interesting that all start in a similar way: a leading instruments, such as a solo guitar or leading piano. The second example (`item 1`) has a very nice phantom choir that accompanies the lead vocal.

None of the examples sound very *Lucybell* to me, but the there is something stylistically similar."""

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


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def blog(tmp_path: Path) -> Path:
    root = tmp_path / "blog"
    write(root / "_config.yml", "title: Lab notes\nbaseurl: /blog\nurl: https://example.org\n"
                                "permalink: /:title/\n")
    write(root / "posts" / EXAMPLE_NAME, EXAMPLE)
    write(root / "posts" / "2021-01-05-tiny-run.md", TINY)
    write(root / "assets" / "runs" / "x" / "item-00.mp3", MP3)
    return root


def quiet(_line: str) -> None:
    pass


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# -- build --------------------------------------------------------------------

def test_index_lists_posts_newest_first_with_baseurl_links(blog: Path) -> None:
    lines: list[str] = []
    result = build(blog, log=lines.append)
    index = (blog / "_site" / "index.html").read_text()
    tiny, example = index.find('href="/blog/tiny-run/"'), index.find('href="/blog/ancestral-sampling-joy-division/"')
    assert 0 < tiny < example
    assert "Ancestral sampling conditioned on Joy Division" in index
    assert "3 November 2020" in index
    assert 'href="/blog/assets/css/site.css"' in index
    assert (result.posts, result.pages) == (2, 3)
    assert lines[-1].startswith("2 posts -> _site/ in ")


def test_post_pages_sit_at_their_permalinks_and_audio_resolves(blog: Path) -> None:
    build(blog, log=quiet)
    site = blog / "_site"
    page = (site / "tiny-run" / "index.html").read_text()
    assert '<audio controls src="/blog/assets/runs/x/item-00.mp3"></audio>' in page
    assert "Cover via filter: /blog/assets/runs/x/item-00.mp3" in page
    assert (site / "assets" / "runs" / "x" / "item-00.mp3").read_bytes() == MP3
    assert (site / "assets" / "css" / "site.css").is_file()  # the theme's, as the blog has none
    assert "<h1" in page and "A tiny run" in page and "Jukebox" in page


def test_example_post_keeps_raw_iframes_and_cover(blog: Path) -> None:
    build(blog, log=quiet)
    page = (blog / "_site" / "ancestral-sampling-joy-division" / "index.html").read_text()
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
def test_permalink_styles(blog: Path, permalink: str, path: str, url: str) -> None:
    write(blog / "_config.yml", f"baseurl: /blog\npermalink: {permalink}\n")
    write(blog / "posts" / "2021-01-05-tiny-run.md", TINY.replace("tags:", "categories: Lab\ntags:"))
    build(blog, log=quiet)
    assert (blog / "_site" / path).is_file()
    assert f'href="{url}"' in (blog / "_site" / "index.html").read_text()


def test_front_matter_permalink_and_string_date(blog: Path) -> None:
    write(blog / "posts" / "2021-02-01-other.md",
          "---\ntitle: Other\ndate: '2019-05-06'\npermalink: /notes/other.html\n---\nBody\n")
    build(blog, log=quiet)
    assert (blog / "_site" / "notes" / "other.html").is_file()
    index = (blog / "_site" / "index.html").read_text()
    assert index.find("/blog/notes/other.html") > index.find("/blog/ancestral-sampling-joy-division/")


def test_drafts_misnamed_files_and_missing_layouts(blog: Path) -> None:
    write(blog / "posts" / "2021-03-01-draft.md", "---\npublished: false\n---\nNot yet\n")
    write(blog / "posts" / "notes.md", "just notes\n")
    write(blog / "posts" / "2021-03-02-paged.md", "---\nlayout: home\n---\nA page layout\n")
    lines: list[str] = []
    result = build(blog, log=lines.append)
    assert result.posts == 3
    assert not (blog / "_site" / "draft").exists()
    assert any("posts/notes.md: skipped" in line for line in lines)
    assert any("no layout templates/layouts/home.html; using post" in line for line in lines)
    assert "A page layout" in (blog / "_site" / "paged" / "index.html").read_text()


def test_blog_layouts_override_the_theme(blog: Path) -> None:
    write(blog / "templates" / "layouts" / "post.html", "MINE {{ page.title }}|{{ content }}")
    build(blog, log=quiet)
    assert (blog / "_site" / "tiny-run" / "index.html").read_text().startswith("MINE A tiny run|")
    assert "post-card" in (blog / "_site" / "index.html").read_text()  # index still the theme's


def test_malformed_front_matter_names_the_file_and_keeps_the_old_site(blog: Path) -> None:
    build(blog, log=quiet)
    before = snapshot(blog / "_site")
    write(blog / "posts" / "2021-04-01-broken.md", "---\ntitle: Broken\ntags: [a, b\n---\nBody\n")
    with pytest.raises(BuildError, match=r"posts/2021-04-01-broken\.md:\d+: malformed front matter"):
        build(blog, log=quiet)
    assert snapshot(blog / "_site") == before
    assert sorted(p.name for p in blog.iterdir()) == ["_config.yml", "_site", "assets", "posts"]


def test_every_bad_post_is_reported_with_its_line(blog: Path) -> None:
    write(blog / "posts" / "2021-04-01-liquid.md", "---\ntitle: L\n---\nfine\n\n{{ x | nosuch }}\n")
    write(blog / "posts" / "2021-04-02-date.md", "---\ntitle: D\ndate: soon\n---\nBody\n")
    with pytest.raises(BuildError) as caught:
        build(blog, log=quiet)
    message = str(caught.value)
    assert "posts/2021-04-02-date.md:3: date: cannot read 'soon'" in message
    write(blog / "posts" / "2021-04-02-date.md", "---\ntitle: D\n---\nBody\n")
    with pytest.raises(BuildError, match=r"posts/2021-04-01-liquid\.md:6: Liquid: unknown filter 'nosuch'"):
        build(blog, log=quiet)


def test_two_posts_on_one_url_are_refused(blog: Path) -> None:
    write(blog / "posts" / "2021-05-01-tiny-run.md", "---\ntitle: Again\n---\nBody\n")
    with pytest.raises(BuildError, match="both write tiny-run/index.html"):
        build(blog, log=quiet)


def test_output_overlapping_the_sources_is_refused(blog: Path) -> None:
    with pytest.raises(BuildError, match="overlaps the blog's sources"):
        build(blog, out_dir=blog, log=quiet)
    assert (blog / "posts" / EXAMPLE_NAME).is_file()


def test_builds_are_byte_identical(blog: Path, tmp_path: Path) -> None:
    build(blog, log=quiet)
    first = snapshot(blog / "_site")
    build(blog, out_dir=tmp_path / "elsewhere", log=quiet)
    build(blog, log=quiet)
    assert snapshot(blog / "_site") == first == snapshot(tmp_path / "elsewhere")


# -- serve --------------------------------------------------------------------

@pytest.fixture
def server(blog: Path):
    write(blog / "posts" / "2021-02-01-flat.md", "---\ntitle: Flat\npermalink: /:title\n---\nFlat page\n")
    build(blog, log=quiet)
    httpd = make_server(blog / "_site", "/blog", host="127.0.0.1", port=0, log=quiet)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()
    thread.join()


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
