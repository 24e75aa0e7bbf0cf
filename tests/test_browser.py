"""The served post page plays its audio, in headless Chromium (Debian's chromium +
chromium-driver). The browser may only reach 127.0.0.1."""

from __future__ import annotations

import threading

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
