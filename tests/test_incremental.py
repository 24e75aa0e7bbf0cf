"""Incremental and parallel builds: a rebuild redoes only what changed, and is never
wrong: the same bytes as a full build of the same sources."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from site_builder.errors import BuildError
from site_builder.site import build, sources
from site_builder.site.cache import FOLDER
from conftest import mtimes, snapshot, write

POST = """---
title: {title}
date: 2021-03-{day:02d} 10:00:00
tags: [{tag}, every]
---
Post number {n} with "quotes" and a table:

| item | seconds |
| --- | ---: |
| {n} | 3 |

```python
print({n})
```
"""


@pytest.fixture
def seven_posts(tmp_path: Path) -> Path:
    root = tmp_path / "blog"
    write(root / "_config.yml", "title: Lab notes\nbaseurl: /blog\nurl: https://example.org\n"
                                "permalink: /:title/\npaginate: 3\n")
    for n in range(1, 8):
        write(root / "posts" / f"2021-03-{n:02d}-post-{n}.md",
              POST.format(title=f"Post {n}", day=n, tag="odd" if n % 2 else "even", n=n))
    write(root / "assets" / "a.txt", "static\n")
    return root


def full_build(seven_posts: Path, tmp_path: Path) -> dict[str, bytes]:
    """What a build from nothing makes of the blog as it is now."""
    fresh = tmp_path / "fresh"
    shutil.rmtree(fresh, ignore_errors=True)
    shutil.copytree(seven_posts, fresh, ignore=shutil.ignore_patterns("_site", FOLDER))
    build(fresh)
    return snapshot(fresh / "_site")


def test_a_rebuild_with_no_change_renders_and_writes_nothing(seven_posts: Path) -> None:
    first = build(seven_posts)
    assert (first.rendered, first.written) == (7, first.written) and first.written > 7
    before = mtimes(seven_posts / "_site")
    again = build(seven_posts)
    assert (again.rendered, again.written, again.removed) == (0, 0, 0)
    assert mtimes(seven_posts / "_site") == before


def test_a_rebuild_reads_only_the_sources_that_changed(seven_posts: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    # Files written just before a build are read again by the next (Memo.RACY_NS: a
    # change in the same tick of the file system's clock); here, a window of 0.1 s.
    monkeypatch.setattr(sources.Memo, "RACY_NS", 100_000_000)
    time.sleep(0.2)
    build(seven_posts)
    read: list[str] = []
    real = sources._read_source
    monkeypatch.setattr(sources, "_read_source", lambda path, name: read.append(name) or real(path, name))
    post = seven_posts / "posts" / "2021-03-07-post-7.md"
    post.write_text(post.read_text().replace("Post number 7", "Post number seven"))
    result = build(seven_posts)
    assert read == ["posts/2021-03-07-post-7.md"] and result.rendered == 1
    assert "Post number seven" in (seven_posts / "_site" / "post-7" / "index.html").read_text()


def test_an_edit_keeping_size_and_mtime_is_still_seen(seven_posts: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sources.Memo, "RACY_NS", 100_000_000)
    time.sleep(0.2)
    build(seven_posts)
    post = seven_posts / "posts" / "2021-03-06-post-6.md"
    st = post.stat()
    post.write_text(post.read_text().replace("Post number 6", "Post NUMBER 6"))
    os.utime(post, ns=(st.st_atime_ns, st.st_mtime_ns))   # as a sync tool might leave it
    assert (post.stat().st_size, post.stat().st_mtime_ns) == (st.st_size, st.st_mtime_ns)
    assert build(seven_posts).rendered == 1
    assert "Post NUMBER 6" in (seven_posts / "_site" / "post-6" / "index.html").read_text()


def test_a_source_changed_just_before_a_build_is_read_again(seven_posts: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    build(seven_posts)   # the files were written a moment ago: inside the racy window
    read: list[str] = []
    real = sources._read_source
    monkeypatch.setattr(sources, "_read_source", lambda path, name: read.append(name) or real(path, name))
    assert build(seven_posts).rendered == 0
    assert len(read) == 7   # none trusted by its stat alone: each read, none rendered
    monkeypatch.setattr(sources.Memo, "RACY_NS", 100_000_000)
    time.sleep(0.2)
    build(seven_posts)   # reads them again, and notes when: they are old enough now
    read.clear()
    assert build(seven_posts).rendered == 0 and read == []


def test_a_title_edit_updates_the_index_tag_pages_and_feed_and_nothing_else(
        seven_posts: Path, tmp_path: Path) -> None:
    build(seven_posts)
    before = mtimes(seven_posts / "_site")
    post = seven_posts / "posts" / "2021-03-07-post-7.md"
    post.write_text(post.read_text().replace("title: Post 7", "title: Renamed seven"))
    result = build(seven_posts)
    site = seven_posts / "_site"
    assert result.rendered == 1
    assert "Renamed seven" in (site / "index.html").read_text()
    assert "Renamed seven" in (site / "tag" / "odd" / "index.html").read_text()
    assert "Renamed seven" in (site / "tag" / "every" / "index.html").read_text()
    assert "Renamed seven" in (site / "feed.xml").read_text()
    changed = {rel for rel, t in mtimes(site).items() if before.get(rel) != t}
    assert changed == {"post-7/index.html", "index.html", "tag/odd/index.html",
                       "tag/every/index.html", "feed.xml"}
    assert snapshot(site) == full_build(seven_posts, tmp_path)


def test_a_post_moving_between_pages_updates_both_pages(seven_posts: Path, tmp_path: Path) -> None:
    build(seven_posts)
    write(seven_posts / "posts" / "2021-03-20-newest.md", "---\ntitle: Newest\n---\nHi.\n")
    result = build(seven_posts)
    site = seven_posts / "_site"
    assert result.rendered == 1
    assert "Newest" in (site / "index.html").read_text()
    assert "Post 5" in (site / "page2" / "index.html").read_text()  # pushed down a page
    assert snapshot(site) == full_build(seven_posts, tmp_path)


def test_a_deleted_post_disappears_everywhere(seven_posts: Path, tmp_path: Path) -> None:
    build(seven_posts)
    (seven_posts / "posts" / "2021-03-01-post-1.md").unlink()
    result = build(seven_posts)
    site = seven_posts / "_site"
    assert result.removed >= 1 and not (site / "post-1").exists()
    assert snapshot(site) == full_build(seven_posts, tmp_path)


def test_a_layout_edit_rerenders_every_page(seven_posts: Path, tmp_path: Path) -> None:
    build(seven_posts)
    from site_builder.site.theme import THEME
    config = seven_posts / "_config.yml"
    config.write_text(config.read_text() + "theme: site-builder\n")
    build(seven_posts)
    layouts = seven_posts / "_layouts"
    shutil.copytree(THEME / "_layouts", layouts)   # the blog's own copy overrides the theme's
    post_layout = layouts / "post.html"
    post_layout.write_text(post_layout.read_text().replace("</article>", "<p>MARK</p></article>"))
    result = build(seven_posts)
    pages = sorted((seven_posts / "_site").glob("post-*/index.html"))
    assert len(pages) == 7 and all("MARK" in p.read_text() for p in pages)
    assert result.rendered == 0  # the posts' HTML is not the layout's business


def test_damaged_outputs_and_strays_are_repaired(seven_posts: Path) -> None:
    build(seven_posts)
    site = seven_posts / "_site"
    good = snapshot(site)
    (site / "post-3" / "index.html").unlink()
    (site / "feed.xml").write_text("scribbled over")
    write(site / "stray" / "old.html", "left by someone")
    result = build(seven_posts)
    assert result.written == 2 and result.removed == 1
    assert snapshot(site) == good and not (site / "stray").exists()


@pytest.mark.parametrize("damage", [b"", b"not a cache" * 1000, None])
def test_a_corrupt_or_missing_cache_means_a_full_build(seven_posts: Path, damage: bytes | None) -> None:
    first = build(seven_posts)
    good = snapshot(seven_posts / "_site")
    files = sorted(p for p in (seven_posts / FOLDER).iterdir() if p.is_file())
    assert {p.suffix for p in files} == {".pickle", ".sqlite"}
    for cache in files:
        if damage is None:
            cache.unlink()
        else:
            cache.write_bytes(damage)
    result = build(seven_posts)
    assert (result.rendered, result.written) == (7, first.written)
    assert snapshot(seven_posts / "_site") == good
    assert build(seven_posts).written == 0


def test_a_lost_manifest_rewrites_the_site_from_the_posts_cached_html(seven_posts: Path) -> None:
    first = build(seven_posts)
    good = snapshot(seven_posts / "_site")
    next((seven_posts / FOLDER).glob("*.pickle")).write_bytes(b"\x80garbage")
    result = build(seven_posts)
    assert (result.rendered, result.written) == (0, first.written)
    assert snapshot(seven_posts / "_site") == good


def test_a_static_file_edit_is_copied_and_nothing_else_written(seven_posts: Path) -> None:
    build(seven_posts)
    write(seven_posts / "assets" / "a.txt", "changed\n")
    result = build(seven_posts)
    assert result.written == 1
    assert (seven_posts / "_site" / "assets" / "a.txt").read_text() == "changed\n"


def test_parallel_and_serial_builds_are_byte_identical(tmp_path: Path) -> None:
    from site_builder.site.parallel import MIN_ITEMS
    roots = []
    for jobs in (1, 2):
        root = tmp_path / f"jobs{jobs}"
        write(root / "_config.yml", "title: T\nbaseurl: ''\nurl: http://127.0.0.1\n")
        for n in range(MIN_ITEMS + 2):
            day = 1 + n % 28
            write(root / "posts" / f"2021-{1 + n // 28:02d}-{day:02d}-p{n}.md",
                  POST.format(title=f"P{n}", day=day, tag="t", n=n))
        result = build(root, jobs=jobs)
        assert result.rendered == MIN_ITEMS + 2
        roots.append(root)
    assert snapshot(roots[0] / "_site") == snapshot(roots[1] / "_site")


def _fails_at_77(_work: None, i: int) -> int:
    if i == 77:
        raise ValueError("bad item 77")
    return i


def _fails_in_a_worker(parent: int, i: int) -> int:
    time.sleep(0.002)
    if os.getpid() != parent:
        raise ValueError(f"bad item {i} in a worker")
    return i


def _a_worker_dies(parent: int, i: int) -> int:
    time.sleep(0.002)
    if os.getpid() != parent:
        os._exit(3)   # as the kernel's out-of-memory killer would end it: no word
    return i


def test_a_worker_that_fails_or_dies_is_an_error_not_a_hang() -> None:
    """A bug while rendering on several cores surfaces as the bug (with the worker's
    traceback as its cause), and a worker that dies stops the build with a message."""
    from site_builder.site.parallel import WorkerError, map_indexed
    assert map_indexed(lambda work, i: work * i, 3, 100, jobs=2) == [3 * i for i in range(100)]
    with pytest.raises(ValueError, match="bad item 77"):
        map_indexed(_fails_at_77, None, 100, jobs=2)
    with pytest.raises(ValueError, match="in a worker") as raised:
        map_indexed(_fails_in_a_worker, os.getpid(), 100, jobs=2)
    assert isinstance(raised.value.__cause__, WorkerError)   # with the worker's traceback
    assert "_fails_in_a_worker" in str(raised.value.__cause__)
    with pytest.raises(BuildError, match=r"ended early \(exit code \[3\];.*nothing was written"):
        map_indexed(_a_worker_dies, os.getpid(), 100, jobs=2)


def _worker_and_item(_work: None, i: int) -> tuple[int, int]:
    time.sleep(0.002)   # long enough for both processes to get a share
    return os.getpid(), i


def test_the_biggest_items_start_first_and_results_keep_their_order() -> None:
    """One page of Jekyll's docs costs as much as sixty others: with `sizes`, the
    workers take the biggest items first, alone in their chunk; the results still
    come back in the items' order."""
    from site_builder.site.parallel import _chunks, map_indexed
    sizes = [1] * 100
    sizes[97] = 1000
    sizes[40] = 500
    chunks = _chunks(range(100), sizes, jobs=2)
    assert chunks[0] == [97] and chunks[1] == [40]
    assert sorted(i for chunk in chunks for i in chunk) == list(range(100))
    results = map_indexed(_worker_and_item, None, 100, jobs=2, sizes=sizes)
    assert [i for _, i in results] == list(range(100))
    # this process and the one worker it forked both took a share
    assert {pid for pid, _ in results} >= {os.getpid()} and len({pid for pid, _ in results}) == 2


_SET_UP: list[int] = []


def _set_up_seen(_work: None, i: int) -> tuple[int, list[int]]:
    time.sleep(0.002)   # long enough for both processes to get a share
    return os.getpid(), list(_SET_UP)


def test_first_runs_once_in_this_process_and_later_workers_inherit_it() -> None:
    """`first`: this process's set-up for a later phase, done while the workers take
    the items (not before they fork): those workers do not see it, the next phase's
    do; without workers, it is not run at all (the caller does it when needed)."""
    from site_builder.site.parallel import map_indexed
    _SET_UP.clear()
    ran: list[int] = []

    def first() -> None:
        ran.append(os.getpid())
        _SET_UP.append(1)
    try:
        assert map_indexed(_set_up_seen, None, 3, jobs=2, first=first) == [
            (os.getpid(), [])] * 3 and ran == []   # too few items to fork: not run
        now = map_indexed(_worker_and_item, None, 100, jobs=2, first=first)
        assert ran == [os.getpid()]
        assert len({pid for pid, _ in now}) == 2   # the worker took a share meanwhile
        later = map_indexed(_set_up_seen, None, 100, jobs=2)
        assert {pid for pid, _ in later} >= {os.getpid()} and len({pid for pid, _ in later}) == 2
        assert all(seen == [1] for _, seen in later)   # in the next phase's worker too
    finally:
        _SET_UP.clear()


def test_more_chunks_than_a_pipe_holds_are_joined_in_order() -> None:
    """Chunks are claimed through a pipe written before any worker reads it: past
    what it holds, neighbouring chunks are joined, every item kept in order."""
    from site_builder.site.parallel import MAX_CHUNKS, _at_most
    joined = _at_most([[i] for i in range(3 * MAX_CHUNKS + 5)], MAX_CHUNKS)
    assert len(joined) <= MAX_CHUNKS
    assert [i for chunk in joined for i in chunk] == list(range(3 * MAX_CHUNKS + 5))


def test_a_message_cut_short_by_a_dying_worker_is_not_read_as_results() -> None:
    """A worker killed while it writes its results leaves part of a message: it is
    left out (its items count as not done, an error with the exit code), never
    unpickled half."""
    from site_builder.site.parallel import LENGTH, RESULTS, _Receiver
    whole = RESULTS + b"x" * 10
    read, write = os.pipe()
    os.write(write, LENGTH.pack(len(whole)) + whole + LENGTH.pack(100) + RESULTS + b"y" * 9)
    os.close(write)
    received = _Receiver([read])
    received.join()
    assert received.messages == [whole]


def test_written_files_are_readable_by_a_web_server(seven_posts: Path) -> None:
    build(seven_posts)
    index = seven_posts / "_site" / "index.html"
    assert os.stat(index).st_mode & 0o044 == 0o044


def test_a_jekyll_blog_rebuilds_only_what_shows_the_edit(tmp_path: Path) -> None:
    """A blog with its own layouts: editing a post's text re-renders that post and the
    pages that show its content (an index of excerpts), not pages that list titles
    only; editing its title re-renders those too. The result is a full build's."""
    blog = tmp_path / "blog"
    write(blog / "_config.yml", "title: T\nposts_dir: _posts\npermalink: /:title/\n")
    write(blog / "_layouts" / "default.html", "<main>{{ content }}</main>\n")
    write(blog / "_layouts" / "post.html", "---\nlayout: default\n---\n<h1>{{ page.title }}</h1>"
          "{{ content }}<nav>{% for p in site.posts %}{{ p.title }};{% endfor %}</nav>\n")
    for day in (1, 2, 3):
        write(blog / "_posts" / f"2020-01-0{day}-p{day}.md",
              f"---\ntitle: Post {day}\nlayout: post\n---\nText {day}\n")
    write(blog / "index.html", "---\nlayout: default\n---\n"
          "{% for p in site.posts %}{{ p.excerpt }}{% endfor %}\n")
    write(blog / "titles.html", "---\nlayout: default\n---\n"
          "{% for p in site.posts %}{{ p.title }}{% endfor %}\n")
    build(blog)
    edited = blog / "_posts" / "2020-01-02-p2.md"
    edited.write_text(edited.read_text().replace("Text 2", "New text"))
    result = build(blog)
    assert (result.rendered, result.written) == (1, 2)   # p2/index.html and index.html
    assert "New text" in (blog / "_site" / "index.html").read_text()
    edited.write_text(edited.read_text().replace("Post 2", "Renamed"))
    result = build(blog)
    assert result.written >= 5 and "Renamed" in (blog / "_site" / "titles" / "index.html").read_text()
    assert "Renamed;" in (blog / "_site" / "p1" / "index.html").read_text()
    fresh = tmp_path / "fresh"
    shutil.copytree(blog, fresh, ignore=shutil.ignore_patterns("_site", FOLDER))
    build(fresh)
    assert snapshot(blog / "_site") == snapshot(fresh / "_site")


def test_a_document_showing_others_html_is_rendered_again_when_they_change(
        tmp_path: Path) -> None:
    """A document's own Liquid showing other documents' HTML (a collection's page of
    the posts' excerpts, a post showing an older one's content, in a chain): its cache
    key covers what it read, so an edit of the oldest post re-renders the chain; a
    no-op rebuild right after a cold build renders nothing. A full build's bytes."""
    blog = tmp_path / "blog"
    write(blog / "_config.yml", "title: T\ncollections:\n  notes:\n    output: true\n")
    write(blog / "_layouts" / "default.html", "<main>{{ content }}</main>\n")
    write(blog / "_posts" / "2020-01-01-p1.md", "---\nlayout: default\n---\nText *one*\n")
    write(blog / "_posts" / "2020-01-02-p2.md",
          "---\nlayout: default\n---\nTwo shows {{ site.posts[2].content }}\n")
    write(blog / "_posts" / "2020-01-03-p3.md", "---\nlayout: default\n---\nThree\n")
    write(blog / "_notes" / "n.md", "---\nlayout: default\n---\n"
          "{% for p in site.posts %}{{ p.excerpt }}{% endfor %}\n")
    first = build(blog)
    assert first.rendered == 4
    assert "Two shows &lt;p&gt;Text <em>one</em>" in (blog / "_site/notes/n.html").read_text()
    assert (build(blog).rendered, build(blog).written) == (0, 0)
    edited = blog / "_posts" / "2020-01-01-p1.md"
    edited.write_text(edited.read_text().replace("one", "uno"))
    result = build(blog)
    assert (result.rendered, result.written) == (3, 3)   # p1, p2 showing it, the note
    assert "Two shows &lt;p&gt;Text <em>uno</em>" in (blog / "_site/notes/n.html").read_text()
    assert build(blog).rendered == 0
    fresh = tmp_path / "fresh"
    shutil.copytree(blog, fresh, ignore=shutil.ignore_patterns("_site", FOLDER))
    build(fresh)
    assert snapshot(blog / "_site") == snapshot(fresh / "_site")


def test_an_include_kept_for_the_build_is_what_each_page_would_render(tmp_path: Path) -> None:
    """An include reading only `site` and its parameters is rendered once a build and
    its text reused; one reading the page, setting variables or showing posts' content
    is rendered for each page, and an edit to a post's text still reaches every page
    whose include shows it. The site is the one a full build makes."""
    blog = tmp_path / "blog"
    write(blog / "_config.yml", "title: T\nposts_dir: _posts\npermalink: /:title/\n")
    write(blog / "_layouts" / "default.html",
          "<main>{{ content }}</main>{% include nav.html %}{% include here.html %}"
          "{% include tag.html x=page.title %}{% include set.html %}[{{ shown }}]"
          "{% include recent.html %}\n")
    write(blog / "_includes" / "nav.html",
          "<nav>{% for p in site.posts %}<a href=\"{{ p.url | relative_url }}\">{{ p.title }}</a>"
          "{% endfor %}</nav>")
    write(blog / "_includes" / "here.html", "<b>{{ page.title }}</b>")
    write(blog / "_includes" / "tag.html", "<i>{{ include.x | upcase }}</i>")
    write(blog / "_includes" / "set.html", "{% assign shown = site.title | upcase %}")
    write(blog / "_includes" / "recent.html",
          "<aside>{% for p in site.posts %}{{ p.content | strip_html | strip }};{% endfor %}</aside>")
    for day in (1, 2, 3):
        write(blog / "_posts" / f"2020-01-0{day}-p{day}.md",
              f"---\ntitle: Post {day}\nlayout: default\n---\nText {day}\n")
    build(blog)
    for day in (1, 2, 3):
        page = (blog / "_site" / f"p{day}" / "index.html").read_text()
        assert '<nav><a href="/p3/">Post 3</a><a href="/p2/">Post 2</a><a href="/p1/">Post 1</a></nav>' in page
        assert f"<b>Post {day}</b><i>POST {day}</i>[T]" in page
        assert "<aside>Text 3;Text 2;Text 1;</aside>" in page
    edited = blog / "_posts" / "2020-01-02-p2.md"
    edited.write_text(edited.read_text().replace("Text 2", "New text"))
    build(blog)
    assert "<aside>Text 3;New text;Text 1;</aside>" in (blog / "_site" / "p1" / "index.html").read_text()
    fresh = tmp_path / "fresh"
    shutil.copytree(blog, fresh, ignore=shutil.ignore_patterns("_site", FOLDER))
    build(fresh)
    assert snapshot(blog / "_site") == snapshot(fresh / "_site")


def test_a_build_failing_while_rendering_leaves_no_file_behind(tmp_path: Path) -> None:
    """Outputs are written to hidden temporary files by the workers as they are
    rendered; one that fails leaves none of them (nor their folders), and the site
    of the last good build stays as it was."""
    from site_builder.site.parallel import MIN_ITEMS
    write(tmp_path / "_config.yml", "title: T\n")
    write(tmp_path / "_layouts" / "post.html",
          "{% if page.bad %}{% include nowhere.html %}{% endif %}{{ content }}")
    for n in range(MIN_ITEMS + 10):
        write(tmp_path / "_posts" / f"2021-01-{1 + n % 28:02d}-p{n}.md",
              f"---\nlayout: post\ntitle: P{n}\n---\nText.\n")
    build(tmp_path, jobs=2)
    before = snapshot(tmp_path / "_site")
    write(tmp_path / "_posts" / "2021-02-01-new.md", "---\nlayout: post\ntitle: New\n---\nNew.\n")
    write(tmp_path / "_posts" / "2021-02-02-bad.md",
          "---\nlayout: post\ntitle: Bad\nbad: true\n---\nBad.\n")
    for n in range(0, MIN_ITEMS + 10, 3):   # edited: rendered again, so written again
        write(tmp_path / "_posts" / f"2021-01-{1 + n % 28:02d}-p{n}.md",
              f"---\nlayout: post\ntitle: P{n}\n---\nEdited.\n")
    with pytest.raises(BuildError, match="nowhere.html"):
        build(tmp_path, jobs=2)
    assert snapshot(tmp_path / "_site") == before
    assert not [p for p in (tmp_path / "_site").rglob("*") if p.name.endswith(".part")]
    assert not (tmp_path / "_site" / "2021" / "02").exists()



def _compiling(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The templates compiled to Python from here on; forget() forgets the code this
    process compiled, as a fresh process would not have it."""
    from site_builder.site import cache, liquid_compile
    monkeypatch.setattr(liquid_compile, "CODE", {})
    names: list[str] = []

    def spy(source: str, filename: str, mode: str) -> object:
        names.append(filename)
        return compile(source, filename, mode)
    monkeypatch.setattr(cache, "compile", spy, raising=False)
    return names


def _forget() -> None:
    from site_builder.site import liquid_compile
    liquid_compile.CODE.clear()


def test_an_edit_takes_the_templates_code_from_the_cache(seven_posts: Path, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    compiled = _compiling(monkeypatch)
    build(seven_posts)
    assert len(compiled) > 3
    compiled.clear()
    _forget()
    post = seven_posts / "posts" / "2021-03-04-post-4.md"
    post.write_text(post.read_text().replace("Post number 4", "Post number four"))
    result = build(seven_posts)
    assert result.rendered == 1 and compiled == []
    page = (seven_posts / "_site" / "post-4" / "index.html").read_text()
    assert "Post number four" in page and "<title>Post 4" in page
    assert snapshot(seven_posts / "_site") == full_build(seven_posts, tmp_path)


def test_damaged_template_code_in_the_cache_is_compiled_again(seven_posts: Path, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    import sqlite3
    compiled = _compiling(monkeypatch)
    build(seven_posts)
    store = next((seven_posts / FOLDER).glob("*.sqlite"))
    with sqlite3.connect(store) as db:
        assert db.execute("SELECT COUNT(*) FROM liquid").fetchone()[0] == len(compiled) > 3
        db.execute("UPDATE liquid SET code = ?", (b"\xe3not code",))
    compiled.clear()
    _forget()
    post = seven_posts / "posts" / "2021-03-04-post-4.md"
    post.write_text(post.read_text().replace("Post number 4", "Post number four"))
    build(seven_posts)
    assert len(compiled) > 3
    assert snapshot(seven_posts / "_site") == full_build(seven_posts, tmp_path)
    compiled.clear()
    _forget()
    post.write_text(post.read_text().replace("Post number four", "Post number 4"))
    build(seven_posts)
    assert compiled == []   # what was compiled again was kept


def test_an_edit_highlights_no_code_block_an_earlier_build_highlighted(
        seven_posts: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from site_builder.site import kramdown
    build(seven_posts)
    highlighted: list[str] = []
    real = kramdown.pygments_html
    monkeypatch.setattr(kramdown, "pygments_html",
                        lambda code, lexer: highlighted.append(code) or real(code, lexer))
    post = seven_posts / "posts" / "2021-03-04-post-4.md"
    post.write_text(post.read_text().replace("Post number 4", "Post number four"))
    assert build(seven_posts).rendered == 1 and highlighted == []   # print(4) was kept
    assert snapshot(seven_posts / "_site") == full_build(seven_posts, tmp_path)
    highlighted.clear()   # the full build's
    post.write_text(post.read_text().replace("print(4)", "print(44)"))
    assert build(seven_posts).rendered == 1 and highlighted == ["print(44)\n"]
    assert '<span class="mi">44</span>' in (seven_posts / "_site" / "post-4" / "index.html").read_text()


@pytest.fixture
def folders_trusted_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Output folders recorded however recently they changed (on_disk.RACY_NS), so
    that a test need not wait for the file system's clock."""
    from site_builder.site import on_disk
    monkeypatch.setattr(on_disk, "RACY_NS", 0)
    monkeypatch.setattr(on_disk, "COARSE_RACY_NS", 0)


def test_a_rebuild_lists_no_output_folder_untouched_since_the_last(
        seven_posts: Path, monkeypatch: pytest.MonkeyPatch, folders_trusted_at_once: None) -> None:
    from site_builder.site import on_disk
    build(seven_posts)
    build(seven_posts)   # notes every folder, none changed since they were written
    site = str(seven_posts / "_site")
    listed: list[str] = []   # the output's folders read (the reader's are the blog's)
    real = os.scandir
    monkeypatch.setattr(on_disk.os, "scandir", lambda path: (
        listed.append(str(path)) if str(path).startswith(site) else None) or real(path))
    assert build(seven_posts).written == 0 and listed == []
    post = seven_posts / "posts" / "2021-03-04-post-4.md"
    post.write_text(post.read_text().replace("Post number 4", "Post number four"))
    assert build(seven_posts).rendered == 1
    listed.clear()
    assert build(seven_posts).written == 0
    # The folders the edit wrote in, and those above them: listed again.
    assert sorted(p.removeprefix(site) for p in listed) == [
        "", "/page2", "/post-4", "/tag", "/tag/even", "/tag/every", "/tag/every/page",
        "/tag/every/page/2"]


def test_strays_and_hand_edits_in_untouched_folders_are_still_seen(
        seven_posts: Path, folders_trusted_at_once: None) -> None:
    build(seven_posts)
    build(seven_posts)
    site = seven_posts / "_site"
    good = snapshot(site)
    write(site / "post-3" / "stray.html", "left by someone")
    write(site / "tag" / "odd" / "new" / "deeper.html", "and this")
    page = site / "post-5" / "index.html"
    st = page.stat()
    page.write_text(page.read_text().replace("Post number 5", "Post NUMBER 5"))
    os.utime(page, ns=(st.st_atime_ns, st.st_mtime_ns))   # size and mtime as they were
    (site / "post-6" / "index.html").unlink()
    result = build(seven_posts)
    assert (result.written, result.removed) == (2, 2)
    assert snapshot(site) == good and not (site / "tag" / "odd" / "new").exists()
    assert build(seven_posts).written == 0


def test_a_jekyll_blogs_layouts_are_compiled_once_not_in_each_worker(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A blog with its own layouts and includes: this process parses and compiles
    them while the posts render on the other cores, so that the workers that render
    the pages inherit them, instead of each compiling them again; not an include
    that only a post's text names (compiled if rendered twice, as any template)."""
    from site_builder.site import cache, liquid_compile
    root = tmp_path / "blog"
    write(root / "_config.yml", "title: Lab notes\n")
    write(root / "_layouts" / "default.html",
          "<nav>{% include nav.html %}</nav><main>{{ content }}</main>\n")
    write(root / "_includes" / "nav.html",
          "{% for p in site.posts limit: 3 %}<a href='{{ p.url }}'>{{ p.title }}</a>"
          "{% if p.url == page.url %}*{% endif %}{% endfor %}")   # (the page's: not kept once)
    write(root / "_includes" / "note.html", "<i>{{ page.title | upcase }}</i>")
    for n in range(1, 61):   # (one post includes a note: rendered once, never compiled)
        write(root / "_posts" / f"2021-03-{n % 28 + 1:02d}-post-{n}.md",
              f"---\ntitle: Post {n}\nlayout: default\n---\nPost number {n}."
              f"{chr(10) * 2 + '{% include note.html %}' if n == 5 else ''}\n")
    log = tmp_path / "compiled.txt"
    monkeypatch.setattr(liquid_compile, "CODE", {})

    def spy(source: str, filename: str, mode: str) -> object:
        with open(log, "a") as noted:   # (a worker's list would be lost with it)
            noted.write(f"{os.getpid()} {filename}\n")
        return compile(source, filename, mode)
    monkeypatch.setattr(cache, "compile", spy, raising=False)
    assert build(root, jobs=2).rendered == 60
    compiled = [line.split(" ", 1) for line in log.read_text().splitlines()]
    # (the layout, then the include; a layout's code is named "template")
    assert [name for _, name in compiled] == ["<liquid template>", "<liquid nav.html>"]
    assert {pid for pid, _ in compiled} == {str(os.getpid())}
    assert "<i>POST 5</i>" in (root / "_site" / "2021" / "03" / "06" / "post-5.html").read_text()
    assert "<a href='/2021/03/28/post-27.html'>Post 27</a>" in (
        root / "_site" / "2021" / "03" / "02" / "post-1.html").read_text()


def test_the_posts_html_is_kept_when_a_page_fails_on_workers(tmp_path: Path) -> None:
    """The posts' HTML is kept while the pages render on the other cores: a page with
    a mistake fails the build, and once it is fixed the posts are not rendered again."""
    root = tmp_path / "blog"
    write(root / "_config.yml", "title: Lab notes\n")
    write(root / "_layouts" / "default.html", "<main>{{ content }}</main>\n")
    for n in range(1, 61):
        write(root / "_posts" / f"2021-03-{n % 28 + 1:02d}-post-{n}.md",
              f"---\ntitle: Post {n}\nlayout: default\n---\nPost number {n}.\n")
    write(root / "about.md", "---\nlayout: default\n---\n{% if x %}never closed\n")
    with pytest.raises(BuildError, match="about.md:4: Liquid"):
        build(root, jobs=2)
    assert not list(root.glob("_site/**/*.html"))   # nothing written
    write(root / "about.md", "---\nlayout: default\n---\nAbout.\n")
    assert build(root, jobs=2).rendered == 0
    assert "<p>About.</p>" in (root / "_site" / "about.html").read_text()


def test_an_edit_after_a_build_on_workers_compiles_no_template(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The theme's layouts and includes are compiled before the workers start, so their
    # code is kept in the cache (a worker's would be lost with it).
    root = tmp_path / "blog"
    write(root / "_config.yml", "title: Lab notes\npermalink: /:title/\npaginate: 5\n")
    for n in range(1, 51):
        write(root / "posts" / f"2021-03-{n % 28 + 1:02d}-post-{n}.md",
              f"---\ntitle: Post {n}\ntags: [t{n % 3}]\n---\nPost number {n}.\n")
    compiled = _compiling(monkeypatch)
    build(root, jobs=2)
    _forget()
    compiled.clear()
    post = root / "posts" / "2021-03-08-post-7.md"
    post.write_text(post.read_text().replace("Post number 7.", "Post number seven."))
    assert build(root, jobs=2).rendered == 1 and compiled == []
    assert "Post number seven." in (root / "_site" / "post-7" / "index.html").read_text()
