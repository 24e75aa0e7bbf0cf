"""The default theme (site_builder/theme: Liquid layouts, assets/css/site.css) as a reader meets it: the
markup every page needs, what post cards and tag pages show, and, in a real browser,
that a post reads on a 390 px phone and in a ~70ch column on a desktop."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import REPO, serving, write

from site_builder.site import build
from site_builder.site.theme import THEME

CSS = THEME / "assets" / "css" / "site.css"

PLAYERS = """---
title: Players and embeds
date: 2021-03-01 10:00:00
cover: assets/images/cover.svg
tags: [Jukebox, ancestral sampling]
author: gabriel
---
Two items and the archive.org player.[^seff]

**item 0**

<audio controls preload="metadata" src="{{ site.baseurl }}/assets/a.wav"></audio>

<iframe src="https://archive.org/embed/an-item&playlist=1" width="500" height="300" frameborder="0" allowfullscreen></iframe>

```python
def sample(model, n=16):
    return [model.generate(seed=i, temperature=0.98, a_long_keyword_argument_that_overflows=True) for i in range(n)]
```

| item | genres | duration | loudness | peak | silence | tuning | tempo |
| --- | --- | --- | --- | --- | --- | --- | --- |
| 0 | rock, dark wave | 60.00 s | -23.1 LUFS | -3.2 dBFS | 0% (longest 0.0 s) | +12 cents | 120 bpm |

A paragraph long enough to fill the text column on a desktop screen, so that its width
is the column's width and not the width of a few words: the measure is what is tested
here, about seventy characters of the serif to a line, not the whole screen.

[^seff]: The figures are from `seff`.
"""

PLAIN = """---
title: No cover here
date: 2021-02-01 10:00:00
tags: [notes]
---
Just text.
"""


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A built blog under /blog: one post with players and a cover, three plain ones."""
    root = tmp_path / "blog"
    write(root / "_config.yml", "title: Lab notes\ndescription: What the samples sound like.\n"
                                "baseurl: /blog\nurl: https://example.org\npermalink: /:title/\n")
    write(root / "_data" / "authors.yml", "gabriel:\n  name: Gabriel Vigliensoni\n  bio: Plays guitar.\n")
    write(root / "posts" / "2021-03-01-players.md", PLAYERS)
    for day in (1, 2, 3):
        write(root / "posts" / f"2021-02-0{day}-plain-{day}.md",
              PLAIN.replace("2021-02-01", f"2021-02-0{day}").replace("No cover here", f"No cover {day}"))
    (root / "assets" / "images").mkdir(parents=True)
    (root / "assets" / "images" / "cover.svg").write_bytes((REPO / "assets/images/cover.svg").read_bytes())
    build(root)
    return root / "_site"


class Tags(HTMLParser):
    """Every start tag of a page as (name, attributes), in order."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str | None]]] = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))

    def all(self, tag: str, /, **attrs: str) -> list[dict[str, str | None]]:
        return [a for t, a in self.found if t == tag
                and all(k in a and (v is None or v in (a[k] or "").split()) for k, v in attrs.items())]


PAGES = ["index.html", "players/index.html", "tag/jukebox/index.html", "404.html"]


@pytest.mark.parametrize("page", PAGES)
def test_every_page_has_viewport_lang_landmarks_and_no_external_assets(site: Path, page: str) -> None:
    text = (site / page).read_text()
    tags = Tags(text)
    assert tags.all("meta", name="viewport")[0]["content"] == "width=device-width, initial-scale=1"
    assert tags.all("html")[0]["lang"] == "en"
    for landmark in ("header", "nav", "main", "footer"):
        assert tags.all(landmark), f"{page} has no <{landmark}>"
    assert tags.all("a", href="#site-main") and tags.all("main", id="site-main")  # skip link
    assert len([t for t, _ in tags.found if t == "h1"]) == 1
    assert not tags.all("script")
    # Stylesheets and images of the theme come from the site itself, never a CDN.
    for attrs in tags.all("link") + tags.all("img"):
        url = attrs.get("href") or attrs.get("src") or ""
        assert url.startswith(("/blog/", "#")), (page, url)
    for img in tags.all("img"):
        assert "alt" in img, (page, img)


def test_stylesheet_is_self_contained_and_sizes_players_and_embeds() -> None:
    css = CSS.read_text()
    assert "@import" not in css and "@font-face" not in css
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", css), "the theme fetches nothing from elsewhere"

    def rule(selector: str) -> str:
        found = re.search(r"(?:^|[,}\s])" + re.escape(selector) + r"\s*(?:,[^{]*)?\{([^}]*)\}", css, re.MULTILINE)
        assert found, f"no rule for {selector}"
        return found[1]

    audio = rule(".post-content audio")
    assert "width: 100%" in audio and "display: block" in audio
    iframe = rule(".post-content iframe")
    assert "max-width: 100%" in iframe
    assert "aspect-ratio" in rule(".post-content iframe[width][height]")
    assert "overflow-x: auto" in rule(".post-content table")
    assert "overflow-x: auto" in rule(".post-content pre")


def test_post_cards_show_cover_or_fallback_tags_title_date_and_author(site: Path) -> None:
    index = (site / "index.html").read_text()
    cards = re.findall(r'<article class="post-card[^"]*">.*?</article>', index, re.DOTALL)
    assert len(cards) == 4
    players, plain = cards[0], cards[1]
    assert '<img class="post-card-image" src="/blog/assets/images/cover.svg" alt=""' in players
    assert '<a href="/blog/tag/jukebox/">Jukebox</a>' in players
    assert '<a href="/blog/tag/ancestral-sampling/">ancestral sampling</a>' in players
    assert '<time datetime="2021-03-01">1 March 2021</time>' in players
    assert '<span class="post-card-author">Gabriel Vigliensoni</span>' in players
    assert '<a href="/blog/players/">Players and embeds</a>' in players
    # No cover: a drawn fallback instead of an image, and no author line invented.
    assert 'class="post-card no-image"' in plain and "<img" not in plain
    assert "post-card-fallback" in plain and "post-card-author" not in plain
    assert '<a href="/blog/tag/notes/">notes</a>' in plain


def test_post_page_header_cover_reading_time_and_author_card(site: Path) -> None:
    page = (site / "players" / "index.html").read_text()
    assert '<h1 class="post-title">Players and embeds</h1>' in page
    assert '<figure class="post-full-image">' in page and 'src="/blog/assets/images/cover.svg" alt=""' in page
    assert re.search(r'<span class="reading-time">1 min read</span>', page)
    assert '<h2 class="author-card-name">Gabriel Vigliensoni</h2>' in page and "Plays guitar." in page
    assert '<div class="footnotes" role="doc-endnotes">' in page
    assert Tags(page).all("meta", name="description")[0]["content"].startswith("Two items")


def test_home_and_tag_pages_have_a_cover_header_with_title_and_count(site: Path) -> None:
    index = (site / "index.html").read_text()
    assert 'class="site-header site-header-cover"' in index
    assert '<h1 class="site-title">Lab notes</h1>' in index
    assert '<p class="site-description">What the samples sound like.</p>' in index
    tag = (site / "tag" / "notes" / "index.html").read_text()
    assert '<h1 class="site-title tag-title">notes</h1>' in tag
    assert "A collection of 3 posts" in tag
    assert "A collection of 1 post<" in (site / "tag" / "jukebox" / "index.html").read_text()
    post = (site / "players" / "index.html").read_text()
    assert "site-header-cover" not in post  # posts get the plain bar and their own cover


def test_site_cover_from_config_goes_behind_the_header(site: Path) -> None:
    root = site.parent
    config = root / "_config.yml"
    config.write_text(config.read_text() + "cover: assets/images/cover.svg\n")
    build(root)
    index = (site / "index.html").read_text()
    assert "style=\"background-image: url('/blog/assets/images/cover.svg')\"" in index


# -- a theme, as a gem-based Jekyll theme is one ---------------------------------

def test_the_blogs_own_files_override_the_themes_of_the_same_name(site: Path) -> None:
    root = site.parent
    config = root / "_config.yml"
    config.write_text(config.read_text() + "theme: site-builder\n")
    write(root / "_includes" / "post-card.html",
          "<p class=\"mine\">{{ include.post.title | escape }}</p>\n")
    write(root / "_layouts" / "page.html", "---\nlayout: default\n---\nMY PAGE {{ content }}\n")
    write(root / "assets" / "css" / "site.css", "body { color: red }\n")
    write(root / "about.md", "---\ntitle: About\nlayout: page\n---\nHello\n")
    build(root)
    index = (site / "index.html").read_text()
    assert index.count('<p class="mine">') == 4 and '<p class="mine">No cover 1</p>' in index
    assert 'class="site-header site-header-cover"' in index   # the theme's index layout
    about = (site / "about" / "index.html").read_text()
    assert "MY PAGE <p>Hello</p>" in about and '<nav class="site-nav"' in about  # in the theme's default
    assert (site / "assets" / "css" / "site.css").read_text() == "body { color: red }\n"
    assert '<h1 class="post-title">Players and embeds</h1>' in (site / "players" / "index.html").read_text()


@pytest.mark.parametrize("liquid", [
    "{% for p in site.posts %}[{{ p.title }}]{% endfor %}",
    "{% assign all = site %}{% for p in all.posts %}[{{ p.title }}]{% endfor %}",
    "{% for p in site['posts'] %}[{{ p.title }}]{% endfor %}",
    "{% for p in site.related_posts %}[{{ p.title }}]{% endfor %}"])
def test_an_override_listing_the_sites_posts_lists_them_all(site: Path, liquid: str) -> None:
    # The theme's layouts never read site.posts, so a build makes no drop for posts
    # it does not show; a blog's own include that reads them gets every one.
    root = site.parent
    write(root / "_includes" / "full-content.html", f"<p class=\"listed\">{liquid}</p>\n")
    build(root)
    page = (site / "players" / "index.html").read_text()
    listed = page.split('<p class="listed">', 1)[1].split("</p>", 1)[0]
    expected = ["Players and embeds", "No cover 3", "No cover 2", "No cover 1"]
    if "related_posts" in liquid:   # the newest posts but this one
        expected.remove("Players and embeds")
    assert listed == "".join(f"[{title}]" for title in expected)


def test_which_liquid_reads_the_sites_posts() -> None:
    from site_builder.site.jekyll_layouts import _reads_posts
    reads = ["{{ site.posts.size }}", "{% for t in site.tags %}{% endfor %}", "{{ site | jsonify }}",
             "{% assign s = site %}", "{{ site[key] }}", '{{ site["categories"] }}',
             "{%- for d in site.documents -%}{%- endfor -%}", "{{ site . posts }}",
             "{% include card.html posts=site.posts %}", "{{ site.collections | size }}"]
    not_reads = ["{{ site.title | escape }}", "<header class=\"site-header\">", "{{ page.site.posts }}",
                 "{{ site.data.authors[page.author] }}", "site.posts in plain text",
                 "{% if site.cover %}{{ site.cover }}{% endif %}", "{{ my_site.posts }}"]
    assert [t for t in reads if not _reads_posts(t)] == []
    assert [t for t in not_reads if _reads_posts(t)] == []


def test_a_theme_not_built_in_is_named_once(site: Path, logged) -> None:
    root = site.parent
    config = root / "_config.yml"
    config.write_text(config.read_text() + "theme: minima\n")
    build(root)
    assert [line for line in logged.messages if "theme" in line] == [
        "warning: _config.yml: theme 'minima' is not built in (built in: site-builder); "
        "the blog is built with the site-builder theme"]
    assert "post-card" in (site / "index.html").read_text()


def test_a_remote_theme_and_missing_plugins_are_named_with_the_theme_too(site: Path,
                                                                         logged) -> None:
    """A GitHub Pages blog's `remote_theme:` (fetched by jekyll-remote-theme) is named
    as a theme not built in is, and a plugin we lack is warned of with our theme as
    with the blog's own layouts."""
    root = site.parent
    config = root / "_config.yml"
    config.write_text(config.read_text() + "remote_theme: pages-themes/cayman@v0.2.0\n"
                      "plugins: [jekyll-remote-theme, jekyll-archives, jekyll-feed]\n")
    build(root)
    said = [line for line in logged.messages if "warning" in line]
    assert said == [
        "warning: _config.yml: remote_theme 'pages-themes/cayman@v0.2.0' is not fetched "
        "(built in: site-builder); the blog is built with the site-builder theme",
        "warning: plugins not built in, what they make is left out: jekyll-archives "
        "(its pages and tags)"], said


def test_a_jekyll_new_blog_builds_with_the_theme_its_own_pages_first(tmp_path: Path,
                                                                      logged) -> None:
    """The shape `jekyll new` gives a blog: `theme: minima` (not built in), its own
    index page (`layout: home`), 404.html and about page. Its pages win over the ones
    the theme makes (they used to be an error: two sources for index.html): the index
    page is the front page, with the paginator, in the theme's index layout (the blog
    lacks `home`), its text above the posts; page 2 is the theme's."""
    root = tmp_path / "blog"
    write(root / "_config.yml", "title: New blog\ntheme: minima\npaginate: 1\n"
                                "plugins:\n  - jekyll-feed\n")
    write(root / "index.markdown", "---\nlayout: home\n---\nWelcome to *my* blog.\n")
    write(root / "404.html", "---\npermalink: /404.html\nlayout: default\n---\n<h1>Lost</h1>\n")
    write(root / "about.markdown", "---\nlayout: page\ntitle: About\npermalink: /about/\n---\nMe.\n")
    write(root / "_posts" / "2020-01-01-first.markdown", "---\ntitle: First\n---\nOne.\n")
    write(root / "_posts" / "2020-02-01-second.markdown", "---\ntitle: Second\n---\nTwo.\n")
    build(root)
    site = root / "_site"
    index = (site / "index.html").read_text()
    assert "<p>Welcome to <em>my</em> blog.</p>" in index
    assert "Second" in index and "First" not in index   # one post a page, newest first
    assert "First" in (site / "page2" / "index.html").read_text()
    assert "<h1>Lost</h1>" in (site / "404.html").read_text()
    assert "<p>Me.</p>" in (site / "about" / "index.html").read_text()
    sitemap = (site / "sitemap.xml").read_text()
    assert (site / "feed.xml").is_file() and sitemap.count("<loc>/</loc>") == 1
    assert "<loc>/about/</loc>" in sitemap and "404" not in sitemap   # as jekyll-sitemap
    assert "warning: index.markdown: no layout _layouts/home.html, in the blog or the theme; " \
           "using index" in logged.messages


@pytest.mark.slow
def test_the_theme_ships_inside_the_package(tmp_path: Path) -> None:
    """A wheel (what a non-editable install unpacks) holds every file of the theme."""
    import shutil
    import subprocess
    import sys
    import zipfile
    source = tmp_path / "source"   # a clean copy: no egg-info left by the editable install
    shutil.copytree(REPO / "site_builder", source / "site_builder",
                    ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copyfile(REPO / name, source / name)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                    "--no-build-isolation", "--wheel-dir", str(tmp_path), str(source)],
                   check=True, capture_output=True)
    (wheel,) = tmp_path.glob("site_builder-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    theme = {f"site_builder/theme/{p.relative_to(THEME).as_posix()}"
             for p in THEME.rglob("*") if p.is_file()}
    assert len(theme) >= 10 and theme <= names, sorted(theme - names)


# -- in a browser --------------------------------------------------------------

@pytest.fixture
def served(site: Path):
    with serving(site) as address:
        yield address + "/blog"


GEOMETRY = """
const box = e => e.getBoundingClientRect();
const q = s => document.querySelector(s);
const text = q('.post-content > p:last-of-type'), table = q('.post-content table');
return {
  viewport: document.documentElement.clientWidth,
  page: document.documentElement.scrollWidth,
  text: box(text).width,
  audio: box(q('.post-content audio')).width,
  iframe: [box(q('.post-content iframe')).width, box(q('.post-content iframe')).height],
  table: [box(table).left, box(table).right, table.scrollWidth, table.clientWidth],
  pre: [box(q('.post-content pre')).right, q('.post-content pre').scrollWidth,
        q('.post-content pre').clientWidth],
};
"""


def cards_per_row(browser) -> int:
    tops = browser.execute_script(
        "return [...document.querySelectorAll('.post-card')].map(c => Math.round(c.getBoundingClientRect().top))")
    return max(tops.count(t) for t in tops)


@pytest.mark.slow
def test_post_reads_on_a_phone_and_keeps_a_measure_on_a_desktop(served: str, browser) -> None:
    browser.set_window_size(390, 844)
    browser.get(f"{served}/players/")
    g = browser.execute_script(GEOMETRY)
    assert g["viewport"] <= 390
    assert g["page"] <= g["viewport"], f"the page scrolls sideways on a phone: {g}"
    assert g["audio"] == pytest.approx(g["text"], abs=1) and g["audio"] > 300
    width, height = g["iframe"]
    assert width <= g["text"] + 1 and width / height == pytest.approx(500 / 300, rel=0.03)
    _, right, scroll, client = g["table"]
    assert right <= g["viewport"] and scroll > client  # the table scrolls, not the page
    assert g["pre"][0] <= g["viewport"] and g["pre"][1] > g["pre"][2]
    browser.get(f"{served}/")
    assert cards_per_row(browser) == 1

    browser.set_window_size(1280, 900)
    browser.get(f"{served}/players/")
    g = browser.execute_script(GEOMETRY)
    assert 560 <= g["text"] <= 760, g  # about 70 characters, not the whole screen
    assert g["audio"] == pytest.approx(g["text"], abs=1)
    assert g["iframe"][0] == pytest.approx(g["text"], abs=1)
    assert g["iframe"][0] / g["iframe"][1] == pytest.approx(500 / 300, rel=0.03)
    browser.get(f"{served}/")
    assert cards_per_row(browser) >= 2


LONG_WORD = "Pneumonoultramicroscopicsilicovolcanoconiosis" * 2

OVERFLOWING = """
const wide = [...document.querySelectorAll('body *')]
  .filter(e => !e.closest('table, pre') && e.getBoundingClientRect().right > innerWidth + 1)
  .map(e => e.tagName + '.' + e.className);
const feed = document.querySelector('.site-nav-feed').getBoundingClientRect();
return {page: document.documentElement.scrollWidth, viewport: innerWidth, wide: wide,
        feed: feed.right <= innerWidth && feed.left >= 0};
"""


@pytest.mark.slow
def test_words_longer_than_a_phone_is_wide_break_instead_of_widening_the_page(
        tmp_path: Path, browser) -> None:
    # A blog title, tag or author of one long word made the page scroll sideways on a
    # phone (the author's line 1156 px wide) and pushed the Feed link off the screen.
    root = tmp_path / "blog"
    write(root / "_config.yml", f"title: A blog called {LONG_WORD}\nbaseurl: /blog\n"
                                f"permalink: /:title/\n")
    write(root / "posts" / "2021-03-01-long.md",
          f"---\ntitle: {LONG_WORD}\ntags: [{LONG_WORD}, short]\nauthor: {LONG_WORD}\n---\n"
          f"Text.\n")
    build(root)
    browser.set_window_size(390, 844)
    with serving(root / "_site") as address:
        for page in ("/blog/long/", "/blog/", f"/blog/tag/{LONG_WORD.lower()}/"):
            browser.get(address + page)
            g = browser.execute_script(OVERFLOWING)
            assert g["page"] <= g["viewport"] and not g["wide"], (page, g)
            assert g["feed"], (page, g)


RUNS_TABLE = """---
title: Two runs
---
{: .runs}
| run | model | samples | genres | seed | levels | wall-clock | per sample | memory |
| --- | --- | --- | --- | --- | --- | --- | --- | --- |
| Joy Division | `5b` | 16 × 60.00 s | dark wave, gothic | 0 | 3 | 14:59:55 | 00:56:15 | 23.10 GB |
| Lucybell | `tiny` | 3 × 3.00 s | rock | 0 | 3 | 45.7 s | 15.2 s | 437.20 MB |
"""

LINES_OF_CELLS = """
const lines = cell => {
  const range = document.createRange();
  range.selectNodeContents(cell);
  return new Set([...range.getClientRects()].map(r => Math.round(r.top))).size;
};
return [...document.querySelectorAll('table.runs th, table.runs td')]
  .filter(cell => ['seed', 'levels', 'model', 'memory'].includes(cell.textContent.trim())
                  || /^[0-9.]+ [MG]B$/.test(cell.textContent.trim()))
  .map(cell => [cell.textContent.trim(), lines(cell)]);
"""


@pytest.mark.slow
def test_the_runs_tables_short_headings_and_memory_stay_on_one_line(tmp_path: Path,
                                                                     browser) -> None:
    # At 3.5em and 3.8em the seed and levels columns broke "se|ed", "lev|els", and
    # "437.20 MB" took two lines, beside a wide run column.
    root = tmp_path / "blog"
    write(root / "_config.yml", "title: Lab notes\nbaseurl: /blog\npermalink: /:title/\n")
    write(root / "posts" / "2021-03-01-two-runs.md", RUNS_TABLE)
    build(root)
    with serving(root / "_site") as address:
        for width in (1280, 920):
            browser.set_window_size(width, 900)
            browser.get(address + "/blog/two-runs/")
            cells = browser.execute_script(LINES_OF_CELLS)
            assert len(cells) == 6, cells
            assert all(lines == 1 for _, lines in cells), (width, cells)
