"""A generated post as a reader gets it: the files of items that no longer exist
leave the site, and the page fits a 1280 px screen and a 390 px phone in headless
Chromium (no sideways page scrolling, players that know their duration, thumbnails
that link to full-size pictures). Screenshots of both widths are kept in the test's
temporary folder for a person to look at."""

from __future__ import annotations

import time

import pytest

from conftest import copy_blog, serving, site_builder


def test_files_of_items_that_no_longer_exist_go_to_the_runs_attic(pipeline, tmp_path):
    root = copy_blog(pipeline, tmp_path / "blog")
    assets, site = root / "assets/runs/lucybell", root / "_site/assets/runs/lucybell"
    assert (assets / "item-01.mp3").exists() and (site / "item-01-spectrogram.png").exists()
    result = site_builder(root, "post", "--artist", "lucybell", "--n", "1")
    said = result.stdout + result.stderr
    assert "of items beyond 0 moved from assets/runs/lucybell to runs/lucybell/out/attic/" in said, said
    # The shipped _config.yml has no url: publishing says so first.
    assert "warning: url is empty in _config.yml" in said
    for folder in (assets, site):
        assert not list(folder.glob("item-01*")), sorted(p.name for p in folder.iterdir())
        assert (folder / "item-00.mp3").exists()
    attic = {p.name for p in (root / "runs/lucybell/out/attic").rglob("item-01*")}
    assert {"item-01.mp3", "item-01-waveform.png", "item-01-spectrogram-small.png"} <= attic
    post = pipeline.post().name
    assert "item-01" not in (root / "posts" / post).read_text()



@pytest.fixture
def served(two_runs):
    with serving(two_runs.root / "_site") as address:
        yield address + "/blog"


GEOMETRY = """
const box = e => e.getBoundingClientRect();
const all = s => [...document.querySelectorAll(s)];
return {
  viewport: document.documentElement.clientWidth,
  page: document.documentElement.scrollWidth,
  tables: all('.post-content table').map(t => ({cls: t.className, left: box(t).left, right: box(t).right,
                                                 scroll: t.scrollWidth, client: t.clientWidth})),
  cells: all('table.items td').map(c => c.scrollWidth - c.clientWidth),
  pre: all('.post-content .job pre').map(p => [box(p).right, p.scrollWidth, p.clientWidth]),
  thumbs: all('table.items a.thumb img').map(i => ({shown: box(i).width, natural: i.naturalWidth,
                                                    full: i.parentElement.href})),
};
"""

DURATIONS = """
const done = arguments[arguments.length - 1];
const started = Date.now();
(function poll() {
  const players = [...document.querySelectorAll('audio')];
  if (players.every(a => a.readyState >= 1) || Date.now() - started > 8000)
    return done(players.map(a => a.duration));
  setTimeout(poll, 100);
})();
"""


@pytest.mark.slow
@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("page", ["joy-division-and-lucybell-side-by-side", "ancestral-sampling-lucybell"])
def test_the_post_fits_the_screen_and_its_players_know_their_length(served, browser, tmp_path, width, page):
    browser.set_window_size(width, 900)
    browser.get(f"{served}/{page}/")
    # Thumbnails load lazily: load them all before measuring.
    browser.execute_async_script("""
        const done = arguments[arguments.length - 1];
        const images = [...document.querySelectorAll('img')];
        images.forEach(i => { i.loading = 'eager'; });
        Promise.all(images.map(i => i.decode().catch(() => null))).then(() => done());""")
    g = browser.execute_script(GEOMETRY)
    assert g["page"] <= g["viewport"] <= width, f"the page scrolls sideways at {width} px: {g['page']}"
    items = [t for t in g["tables"] if t["cls"] == "items"]
    assert items and all(t["left"] >= 0 and t["right"] <= g["viewport"] for t in g["tables"]), g["tables"]
    assert all(t["scroll"] <= t["client"] + 1 for t in items), items   # no scrolling inside either
    assert max(g["cells"]) <= 1, "a cell of the item table is cut off"
    assert all(right <= g["viewport"] and scroll <= client + 1 for right, scroll, client in g["pre"]), g["pre"]
    # Thumbnails readable as they are (drawn at twice their size), each linking to more.
    assert g["thumbs"] and all(t["shown"] >= 280 and t["natural"] >= 1.8 * t["shown"] for t in g["thumbs"]), g["thumbs"]
    full = g["thumbs"][1]["full"]
    assert full.endswith("-spectrogram.png")
    browser.get(full)
    assert browser.execute_script("return document.images[0].naturalWidth") >= 1000
    browser.get(f"{served}/{page}/")
    durations = browser.execute_async_script(DURATIONS)
    assert durations and all(d == pytest.approx(1.0, abs=0.1) for d in durations), durations
    # For a person to look at: the whole page at this width.
    height = browser.execute_script("return document.documentElement.scrollHeight")
    browser.set_window_size(width, min(height, 12000))
    time.sleep(0.3)
    shot = tmp_path / f"{page}-{width}.png"
    browser.save_screenshot(str(shot))
    assert shot.stat().st_size > 10_000
