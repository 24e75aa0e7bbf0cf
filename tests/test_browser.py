"""The served post page plays its audio, in headless Chromium (Debian's chromium +
chromium-driver). The browser may only reach 127.0.0.1."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from conftest import need_tool

pytestmark = pytest.mark.slow

CHROMIUM_FLAGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--no-first-run", "--autoplay-policy=no-user-gesture-required",
    # Keep every request on loopback (posts may embed archive.org iframes).
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]


@pytest.fixture
def browser(tmp_path):
    chromium, chromedriver = need_tool("chromium"), need_tool("chromedriver")
    webdriver = pytest.importorskip("selenium.webdriver")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in CHROMIUM_FLAGS + [f"--user-data-dir={tmp_path / 'profile'}"]:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=webdriver.ChromeService(executable_path=chromedriver),
                              options=options)
    yield driver
    driver.quit()


@pytest.fixture
def server(pipeline):
    from site_builder.serve import make_server
    httpd = make_server(pipeline.root / "_site", "/blog", port=0, log=lambda line: None)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


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


def serve_site(site: Path):
    from site_builder.serve import make_server
    httpd = make_server(site, "/blog", port=0, log=lambda line: None)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd


PAGE_MEDIA = """
    const done = arguments[arguments.length - 1];
    const audio = [...document.querySelectorAll('audio')].map(a => new Promise(resolve => {
        if (a.readyState >= 1) return resolve(a.duration);
        a.addEventListener('loadedmetadata', () => resolve(a.duration));
        a.addEventListener('error', () => resolve(-1));
        a.load();
    }));
    const images = [...document.querySelectorAll('img')].map(img => new Promise(resolve => {
        if (img.complete) return resolve([img.getAttribute('src'), img.naturalWidth]);
        img.addEventListener('load', () => resolve([img.getAttribute('src'), img.naturalWidth]));
        img.addEventListener('error', () => resolve([img.getAttribute('src'), 0]));
    }));
    Promise.all([Promise.all(audio), Promise.all(images)]).then(([a, i]) => done({
        audio: a, images: i,
        iframes: [...document.querySelectorAll('iframe')].map(f => f.getAttribute('src'))}));
"""


def test_two_run_post_players_pictures_and_embeds_load(two_runs, browser):
    httpd = serve_site(two_runs.root / "_site")
    try:
        slug = two_runs.post().stem[11:]
        browser.get(f"http://127.0.0.1:{httpd.server_address[1]}/blog/{slug}/")
        media = browser.execute_async_script(PAGE_MEDIA)
        logs = browser.get_log("browser")
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert len(media["audio"]) == 2 and all(d > 0 for d in media["audio"]), media["audio"]
    # Checked by their src, never loaded: the browser may only reach 127.0.0.1.
    assert media["iframes"] == ["https://archive.org/embed/site-builder-test-joy_division&playlist=1"]
    runs = [src for src, _ in media["images"] if "/assets/runs/" in src]
    assert len(runs) == 2 * 5 + 2   # two thumbnails per item, an overview per run
    assert all(width > 0 for _, width in media["images"]), media["images"]
    errors = [e for e in logs if e["level"] == "SEVERE" and "favicon" not in e["message"]]
    assert not errors, errors
