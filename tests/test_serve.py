"""`site-builder serve`: the watcher, rebuilds, the error shown in pages, the event
stream and Ctrl-C, without a browser (tests/test_browser.py has the browser's view)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from conftest import interruptible, write

from site_builder.site.livereload import EVENTS, inject, live_script
from site_builder.site.preview import Preview
from site_builder.site.theme import THEME

CONFIG = "title: Lab notes\nbaseurl: /blog\npermalink: /:title/\n"
POST = "---\ntitle: Hello\n---\n{body}\n"
POST_NAME = "2021-01-05-hello.md"


@pytest.fixture
def served_blog(tmp_path: Path) -> Path:
    root = tmp_path / "blog"
    write(root / "_config.yml", CONFIG)
    write(root / "posts" / POST_NAME, POST.format(body="First version."))
    write(root / "assets" / "notes.txt", "static\n")
    return root


@pytest.fixture
def preview(served_blog: Path, logged):
    with Preview(served_blog, port=0, settle=0).start(watch=False) as p:
        yield p


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def edit(served_blog: Path, body: str) -> None:
    write(served_blog / "posts" / POST_NAME, POST.format(body=body))


def settle(preview: Preview) -> bool | None:
    """Poll until the watcher acts (a change is built only once it holds still)."""
    for _ in range(5):
        if (result := preview.check()) is not None:
            return result
    return None


def test_a_change_rebuilds_and_a_failed_rebuild_keeps_the_last_good_site(served_blog, preview,
                                                                          logged) -> None:
    page = served_blog / "_site" / "hello" / "index.html"
    assert "First version." in page.read_text()
    assert preview.check() is None  # nothing changed: no build
    first = preview.live.current()
    assert first["error"] is None

    edit(served_blog, "Second version.")
    assert settle(preview) is True
    assert "Second version." in page.read_text()
    second = preview.live.current()
    assert second["build"] != first["build"] and second["error"] is None
    assert any("posts/2021-01-05-hello.md changed; rebuilding" in line for line in logged.messages)

    edit(served_blog, "Third {% nosuchtag %} version.")
    assert settle(preview) is False
    assert "Second version." in page.read_text()  # the last good build stays
    state = preview.live.current()
    assert state["build"] == second["build"]
    assert state["error"].startswith("posts/2021-01-05-hello.md:4: Liquid: unexpected tag 'nosuchtag'")
    assert f"error: {state['error']}" in logged.messages
    assert not any("Traceback" in line for line in logged.messages)
    # A page loaded now is the last good one, carrying the error for its overlay.
    status, text = get(preview.url + "hello/")
    assert status == 200 and "Second version." in text
    assert "unexpected tag \\u0027nosuchtag\\u0027" in text or "unexpected tag 'nosuchtag'" in text
    assert preview.check() is None  # the broken file is not rebuilt again and again

    edit(served_blog, "Fourth version.")
    assert settle(preview) is True
    assert "Fourth version." in page.read_text()
    assert preview.live.current()["error"] is None


def test_what_the_watcher_sees(served_blog, preview) -> None:
    root = served_blog
    watched = [
        write(root / "_data" / "authors.yml", "me: {name: Me}\n"),
        write(root / "_includes" / "note.html", "<p>note</p>\n"),
        write(root / "_layouts" / "page.html", "{{ content }}\n"),
        write(root / "assets" / "css" / "extra.css", "p {}\n"),
        write(root / "about.md", "---\ntitle: About\n---\nAbout\n"),
        root / "_config.yml", root / "posts" / POST_NAME,
        next((THEME / "_layouts").rglob("*.html")),  # the default theme's layouts ...
        next((THEME / "assets").rglob("*.css")),       # ... and stylesheets
    ]
    ignored = [
        write(root / ".git" / "HEAD", "ref\n"), write(root / ".site-cache" / "x", "x\n"),
        write(root / "posts" / f".{POST_NAME}.swp", "swap\n"), write(root / "posts" / "x.md~", "x\n"),
        write(root / "runs" / "r" / "out" / "job.json", "{}\n"),
        write(root / "node_modules" / "a.js", "x\n"),
    ]
    files = preview.scan()
    assert all(str(p) in files for p in watched), sorted(files)
    assert not any(str(p) in files for p in ignored)
    assert not any(Path(p).is_relative_to(root / "_site") for p in files)

    # posts_dir and assets_dir outside the blog (an existing Jekyll blog's) are watched too.
    jekyll = root.parent / "jekyll"
    outside = [write(jekyll / "_posts" / POST_NAME, POST.format(body="x")),
               write(jekyll / "_drafts" / "idea.md", "x\n"), write(jekyll / "assets" / "a.mp3", "x")]
    write(root / "_config.yml", CONFIG + f"posts_dir: {jekyll / '_posts'}\nassets_dir: {jekyll / 'assets'}\n")
    assert settle(preview) is True  # the config is read again for the rebuild ...
    assert all(str(p) in preview.scan() for p in outside)  # ... and says what to watch

    # What the build leaves out (`exclude:`, and Jekyll's own excludes) is not watched.
    left_out = [write(root / "README.md", "x\n"), write(root / "notes" / "a.log", "x\n"),
                write(root / "scratch" / "deep" / "x.md", "x\n"),
                write(root / "vendor" / "bundle" / "gem.rb", "x\n")]
    kept = [write(root / "notes" / "a.md", "x\n"), write(root / "vendor" / "x.js", "x\n")]
    write(root / "_config.yml", CONFIG + 'exclude: [README.md, "*.log", scratch]\n')
    assert settle(preview) is True
    files = preview.scan()
    assert not any(str(p) in files for p in left_out) and all(str(p) in files for p in kept)


def test_pages_hear_of_builds_through_the_event_stream(served_blog) -> None:
    with Preview(served_blog, port=0, interval=0.05, settle=0.05) as preview:
        stream = urllib.request.urlopen(preview.url.rsplit("/blog/", 1)[0] + EVENTS, timeout=10)
        assert stream.headers["Content-Type"] == "text/event-stream"

        def event() -> dict:
            while not (line := stream.readline().decode()).startswith("data: "):
                assert line, "the stream ended"
            return json.loads(line[len("data: "):])

        first = event()
        assert first == preview.live.current() and first["error"] is None
        started = time.monotonic()
        edit(served_blog, "Second version.")
        second = event()
        latency = time.monotonic() - started
        assert second["build"] != first["build"] and second["error"] is None
        assert latency < 2, latency
        edit(served_blog, "{% nosuchtag %}")
        broken = event()
        assert broken["build"] == second["build"] and "nosuchtag" in broken["error"]
        edit(served_blog, "Fixed.")
        fixed = event()
        assert fixed["build"] not in (first["build"], second["build"]) and fixed["error"] is None
    assert stream.read().strip() == b""  # stopping ends the stream
    stream.close()


def test_the_script_is_added_at_serve_time_only(served_blog, preview) -> None:
    status, text = get(preview.url + "hello/")
    assert status == 200 and text.count('id="site-builder-live"') == 1
    assert text.index('id="site-builder-live"') < text.rindex("</body>")
    assert "site-builder-live" not in (served_blog / "_site" / "hello" / "index.html").read_text()
    with urllib.request.urlopen(preview.url + "assets/notes.txt", timeout=5) as r:
        assert r.read() == b"static\n"  # only HTML gets it
    status, text = get(preview.url + "no-such-page/")
    assert status == 404 and "site-builder-live" in text  # the site's 404.html, which reloads too


def test_an_error_message_cannot_close_the_script() -> None:
    script = live_script({"build": "1", "error": "x.md:1: </script><b>bold</b> & more"}).decode()
    assert script.count("</script>") == 1
    assert inject(b"<html><body><p>x</p></BODY></html>", b"<s/>") == b"<html><body><p>x</p><s/></BODY></html>"
    assert inject(b"<p>fragment</p>", b"<s/>") == b"<p>fragment</p><s/>"


def test_a_first_build_that_fails_still_serves_and_says_why(served_blog, logged) -> None:
    edit(served_blog, "{% nosuchtag %}")
    with Preview(served_blog, port=0, settle=0).start(watch=False) as preview:
        status, text = get(preview.url + "hello/")
        assert status == 503 and "not been built yet" in text and "nosuchtag" in text
        edit(served_blog, "Better.")
        assert settle(preview) is True
        status, text = get(preview.url + "hello/")
        assert status == 200 and "Better." in text
    assert ("build failed; serving nothing until a build succeeds, and the error in every page"
            in logged.messages)


def test_ctrl_c_stops_cleanly_without_a_traceback(served_blog) -> None:
    edit(served_blog, "{% nosuchtag %}")  # a user's mistake: one line, no traceback, still serving
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    child = subprocess.Popen([sys.executable, "-m", "site_builder", "--root", str(served_blog), "serve",
                              "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True, env=env, preexec_fn=interruptible)
    before = []
    try:
        for line in child.stdout:
            before.append(line)
            if "serving http://" in line:
                break
        child.send_signal(signal.SIGINT)
        out, err = child.communicate(timeout=10)
    finally:
        child.kill()
    out = "".join(before) + out
    assert child.returncode == 0, out + err
    assert "serve: stopped" in out and "unexpected tag 'nosuchtag'" in out
    assert "Traceback" not in out + err, err


def test_serve_reads_source_from_the_config_as_build_does(tmp_path: Path) -> None:
    # `site-builder build` there built src/ into ./_site; `serve` built the whole folder
    # (src/ as a subfolder of pages) with no config, into another site.
    root = tmp_path / "blog"
    write(root / "_config.yml", "source: src\ntitle: Moved here\n")
    write(root / "src" / "_posts" / POST_NAME, POST.format(body="From src."))
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    child = subprocess.Popen([sys.executable, "-m", "site_builder", "serve", "--port", "0"],
                             cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True, env=env, preexec_fn=interruptible)
    try:
        address = None
        for line in child.stdout:
            if "serving http://" in line:
                address = line.split("serving ")[1].split()[0]
                break
        assert address, child.stderr.read()
        status, text = get(address)
        assert status == 200 and "<title>Moved here</title>" in text and "From src." in text
        assert (root / "_site" / "index.html").exists() and not (root / "src" / "_site").exists()
        assert not (root / "_site" / "src").exists()
    finally:
        child.send_signal(signal.SIGINT)
        child.communicate(timeout=10)
