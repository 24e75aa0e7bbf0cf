"""The served post page plays its audio, and `make serve` reloads it on an edit, in
headless Chromium (Debian's chromium + chromium-driver). The browser may only reach
127.0.0.1."""

from __future__ import annotations

import subprocess
import time

import pytest

from conftest import need_tool, new_blog, serving, start_chromium

pytestmark = pytest.mark.slow

@pytest.fixture
def browser(tmp_path):
    driver = start_chromium(tmp_path / "profile")
    yield driver
    driver.quit()


@pytest.fixture
def server(pipeline):
    with serving(pipeline.root / "_site") as address:
        yield address


def test_post_page_audio_loads_and_plays(pipeline, server, browser):
    slug = pipeline.post().stem[11:]
    browser.get(f"{server}/blog/")
    link = browser.find_element("css selector", f'a[href="/blog/{slug}/"]')
    link.click()
    assert browser.current_url == f"{server}/blog/{slug}/"
    durations = browser.execute_async_script("""
        const done = arguments[arguments.length - 1];
        const players = [...document.querySelectorAll('audio')];
        Promise.all(players.map(a => new Promise(resolve => {
            if (a.readyState >= 1) return resolve(a.duration);
            a.addEventListener('loadedmetadata', () => resolve(a.duration));
            a.addEventListener('error', () => resolve(-1));
            a.load();
        }))).then(done);
    """)
    assert len(durations) == 2
    assert all(d == pytest.approx(1.0, abs=0.1) for d in durations), durations
    played = browser.execute_async_script("""
        const done = arguments[arguments.length - 1];
        const a = document.querySelector('audio');
        a.muted = true;
        a.play().then(() => setTimeout(() => done(a.currentTime), 400), e => done(String(e)));
    """)
    assert isinstance(played, float) and played > 0, played
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"
              and "favicon" not in e["message"]]
    assert not errors, errors


# -- make serve: live reload --------------------------------------------------------

LIVE_POST = """---
title: Live reload
date: 2021-03-01 10:00:00
---
{body}

<audio controls preload="metadata" src="{{{{ site.baseurl }}}}/assets/audio/tone.mp3"></audio>
"""


@pytest.fixture
def live_blog(tmp_path):
    """A small blog (the shipped config and assets) with one post playing a real MP3."""
    ffmpeg = need_tool("ffmpeg")
    root = new_blog(tmp_path / "blog")
    (root / "assets" / "audio").mkdir(parents=True)
    subprocess.run([ffmpeg, "-v", "error", "-f", "lavfi", "-i", "sine=frequency=440:duration=1",
                    "-c:a", "libmp3lame", "-b:a", "64k", str(root / "assets" / "audio" / "tone.mp3")],
                   check=True)
    post = root / "posts" / "2021-03-01-live-reload.md"
    post.parent.mkdir()
    post.write_text(LIVE_POST.format(body="First version of the post."))
    return post


def page_text(browser) -> str:
    return browser.execute_script("return document.body ? document.body.innerText : ''")


def overlay(browser) -> str:
    return browser.execute_script(
        "const box = document.getElementById('site-builder-error');"
        "return box && box.getClientRects().length ? box.innerText : '';")


def severe(browser) -> list[dict]:
    return [e for e in browser.get_log("browser") if e["level"] == "SEVERE"
            and "favicon" not in e["message"]]


def test_serve_reloads_the_open_page_and_shows_a_failed_build(live_blog, browser):
    from selenium.webdriver.support.ui import WebDriverWait

    from site_builder.site.preview import Preview

    post = live_blog

    def edit(body: str) -> None:
        post.write_text(LIVE_POST.format(body=body))

    wait = WebDriverWait(browser, 10, poll_frequency=0.05)
    with Preview(post.parent.parent, port=0) as preview:
        browser.get(preview.url)
        link = browser.find_element("css selector", 'a[href="/blog/live-reload/"]')
        link.click()
        assert browser.current_url == preview.url + "live-reload/"
        duration = browser.execute_async_script("""
            const done = arguments[arguments.length - 1], a = document.querySelector('audio');
            if (a.readyState >= 1) return done(a.duration);
            a.addEventListener('loadedmetadata', () => done(a.duration));
            a.addEventListener('error', () => done(-1));
        """)
        assert duration == pytest.approx(1.0, abs=0.1)
        assert "First version" in page_text(browser) and not overlay(browser)
        assert not severe(browser)

        browser.execute_script("window.notReloaded = true")
        started = time.monotonic()
        edit("Second version of the post.")
        wait.until(lambda b: "Second version" in page_text(b))
        reload_seconds = time.monotonic() - started
        assert browser.execute_script("return window.notReloaded") is None  # a real reload

        # A broken edit: the error over the page, which stays as it was ...
        browser.execute_script("window.notReloaded = true")
        edit("Third version {% nosuchtag %} of the post.")
        wait.until(lambda b: "nosuchtag" in overlay(b))
        assert "posts/2021-03-01-live-reload.md:5" in overlay(browser)
        assert browser.execute_script("return window.notReloaded") is True
        assert "Second version" in page_text(browser)
        # ... and in a page loaded now, which is the last good build.
        browser.refresh()
        wait.until(lambda b: "nosuchtag" in overlay(b))
        assert "Second version" in page_text(browser)

        started = time.monotonic()
        edit("Fourth version of the post.")
        wait.until(lambda b: "Fourth version" in page_text(b))
        fix_seconds = time.monotonic() - started
        assert not overlay(browser)
        assert not severe(browser)
    print(f"edit -> reloaded page: {reload_seconds:.2f} s; fix -> reloaded page: {fix_seconds:.2f} s")


PAGE_MEDIA = """
    const done = arguments[arguments.length - 1];
    const audio = [...document.querySelectorAll('audio')].map(a => new Promise(resolve => {
        if (a.readyState >= 1) return resolve(a.duration);
        a.addEventListener('loadedmetadata', () => resolve(a.duration));
        a.addEventListener('error', () => resolve(-1));
        a.load();
    }));
    const lazy = [...document.querySelectorAll('img')];
    lazy.forEach(img => { img.loading = 'eager'; });   // thumbnails load as they scroll in
    const images = lazy.map(img => new Promise(resolve => {
        if (img.complete) return resolve([img.getAttribute('src'), img.naturalWidth]);
        img.addEventListener('load', () => resolve([img.getAttribute('src'), img.naturalWidth]));
        img.addEventListener('error', () => resolve([img.getAttribute('src'), 0]));
    }));
    Promise.all([Promise.all(audio), Promise.all(images)]).then(([a, i]) => done({
        audio: a, images: i,
        iframes: [...document.querySelectorAll('iframe')].map(f => f.getAttribute('src'))}));
"""


def test_two_run_post_players_pictures_and_embeds_load(two_runs, browser):
    with serving(two_runs.root / "_site") as address:
        slug = two_runs.post().stem[11:]
        browser.get(f"{address}/blog/{slug}/")
        media = browser.execute_async_script(PAGE_MEDIA)
        logs = browser.get_log("browser")
    assert len(media["audio"]) == 2 and all(d > 0 for d in media["audio"]), media["audio"]
    # Checked by their src, never loaded: the browser may only reach 127.0.0.1.
    assert media["iframes"] == ["https://archive.org/embed/site-builder-test-joy_division&playlist=1"]
    runs = [src for src, _ in media["images"] if "/assets/runs/" in src and "/cover." not in src]
    assert len(runs) == 2 * 5 + 2   # two thumbnails per item, an overview per run
    assert all(width > 0 for _, width in media["images"]), media["images"]
    errors = [e for e in logs if e["level"] == "SEVERE" and "favicon" not in e["message"]]
    assert not errors, errors
