"""Issue 9 end to end: a post over two real tiny runs (`two_runs` in conftest.py),
`make posts` / `make blog`, a fresh clone, real Jekyll 4.3, and posts written into
an existing Jekyll blog (posts_dir / assets_dir)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from conftest import (NOTES, REPO, TWO_RUN_TITLE, copy_blog, need_tool, new_blog, serving,
                      site_builder)

sys.path.insert(0, str(REPO / "bench"))
import crosscheck  # noqa: E402  (bench/crosscheck.py)
import jekyll_corpus  # noqa: E402

pytestmark = pytest.mark.slow

JEKYLL_ENV = {**os.environ, "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8", "TZ": "UTC"}


def mtimes(*folders: Path) -> dict[str, int]:
    return {str(p): p.stat().st_mtime_ns for f in folders for p in f.rglob("*") if p.is_file()}


def jekyll_build(source: Path, dest: Path, warns: bool = False) -> str:
    """Real Jekyll; its whole output, which must hold no warning (unless `warns`)."""
    result = subprocess.run([*crosscheck.jekyll_command(), "--source", str(source),
                             "--destination", str(dest)], check=False, capture_output=True, text=True,
                            env=JEKYLL_ENV, cwd=source)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert warns or not re.search(r"(?i)warn|conflict|deprecat|error", output), output
    return output


def jekyll_with_plugins(blog: Path, dest: Path) -> None:
    """Real Jekyll with the plugins the blog's config names (Debian's gems; not
    --safe, which jekyll_build's command turns on and which turns plugins off)."""
    done = subprocess.run(["jekyll", "build", "-s", str(blog), "-d", str(dest)],
                          capture_output=True, text=True, cwd=blog,
                          env={**JEKYLL_ENV, "JEKYLL_NO_BUNDLER_REQUIRE": "true"})
    assert done.returncode == 0, done.stdout + done.stderr


def build_both(blog: Path, tmp_path: Path) -> None:
    """`blog` built by real Jekyll into tmp_path/jekyll and by us into tmp_path/ours."""
    jekyll_build(blog, tmp_path / "jekyll")
    site_builder(blog, "build", "-s", str(blog), "-d", str(tmp_path / "ours"))


def outputs(tmp_path: Path, rel: str) -> tuple[str, str]:
    """The file `rel` as Jekyll and as we wrote it (build_both)."""
    return tuple((tmp_path / side / rel).read_text() for side in ("jekyll", "ours"))


def bare_blog(tmp_path: Path, config: str, *folders: str) -> Path:
    """A blog in tmp_path/blog: `config` its _config.yml, a `default` layout that
    writes the page's content, and the empty `folders`."""
    blog = tmp_path / "blog"
    for folder in ("_layouts", *folders):
        (blog / folder).mkdir(parents=True, exist_ok=True)
    (blog / "_config.yml").write_text(config)
    (blog / "_layouts" / "default.html").write_text("{{ content }}")
    return blog


# -- the two-run post ------------------------------------------------------------------

def test_two_run_post_holds_both_runs_their_items_notes_and_ratios(two_runs):
    text = two_runs.post().read_text()
    front, body = text.split("\n---\n", 1)
    meta = yaml.safe_load(front.removeprefix("---\n"))
    assert meta["runs"] == ["joy_division", "lucybell"] and meta["title"] == TWO_RUN_TITLE
    assert (body.index("## What was asked, and what it cost") < body.index("| run | model |")
            < body.index("## Joy Division") < body.index("## Lucybell") < body.index("## How to reproduce"))
    assert "`post punk`, `gothic`, one per item in turn: 3 samples of 1.00 s" in body
    assert body.count("upsampled through all 3 levels") == 2 and body.count("    Memory Utilized:") == 2
    # joy_division is on the archive.org stand-in: one player; lucybell is local: one per item.
    assert body.count('<iframe src="https://archive.org/embed/site-builder-test-joy_division&playlist=1"') == 1
    assert body.count("<audio controls preload=\"metadata\" src=\"{{ '/assets/runs/lucybell/") == 2
    assert body.count("| item | genres | duration | loudness | silence | tuning | tempo | pictures | note |") == 2
    assert len(re.findall(r"^\| \d \| (post punk|gothic|rock) \| 1\.00 s \|", body, re.M)) == 5
    # The author's words, verbatim (a one-line note in its row; a longer one under the table).
    assert "Garage-band noise, *as the toy model makes it*." in body
    assert "| Closest to the artist, if anything: a shout at the start. |" in body
    assert "| see below |" in body and "**item 2**\n\nMostly hiss.\n\nThen a click, and the hiss again." in body
    assert "| A hiss \\| then nothing. |" in body
    assert "Joy Division has 1.50 times as many samples as Lucybell (3 against 2)." in body
    # Measured figures: a ratio, or "about the same" when it rounds to 1.00.
    assert re.search(r"Per sample, ((Joy Division|Lucybell) took \d\.\d\d times as long as|they took "
                     r"about the same time)", body)
    assert re.search(r"((Joy Division|Lucybell) used \d\.\d\d times as much memory as (Joy Division|"
                     r"Lucybell)|They used about the same memory) \(\d+\.\d\d MB against \d+\.\d\d MB\)\.",
                     body)


def test_posts_and_blog_take_seconds_and_touch_nothing_when_nothing_changed(two_runs):
    watched = (two_runs.root / "posts", two_runs.root / "runs", two_runs.root / "assets")
    before = mtimes(*watched)
    for command in ("posts", "blog"):
        started = time.monotonic()
        result = site_builder(two_runs.root, command)
        seconds = time.monotonic() - started
        assert seconds < 5, f"make {command} took {seconds:.1f} s with nothing to do"
        assert "is up to date" in result.stdout and "wrote" not in result.stdout
    assert "site: 2 posts -> _site/" in result.stdout
    assert mtimes(*watched) == before


def test_regeneration_needs_no_arguments_keeps_the_date_and_gives_the_same_bytes(two_runs, tmp_path):
    root = copy_blog(two_runs, tmp_path / "blog")
    post = root / "posts" / two_runs.post().name
    original = post.read_text()
    notes = root / "runs/lucybell/notes.md"
    notes.write_text("A second listen: still a hiss.\n")
    site_builder(root, "posts")
    changed = post.read_text()
    assert "A second listen: still a hiss." in changed and "A hiss \\| then nothing." not in changed
    date = re.compile(r"^date: .*$", re.M)
    assert date.findall(changed) == date.findall(original)
    notes.write_text(NOTES["lucybell"])
    site_builder(root, "blog")
    assert post.read_text() == original


def test_fresh_clone_keeps_the_tracked_posts_and_builds_the_site(two_runs, tmp_path):
    root = copy_blog(two_runs, tmp_path / "blog")
    for out in (root / "runs").glob("*/out"):
        shutil.rmtree(out)   # not in git
    shutil.rmtree(root / "_site")
    before = {p.name: p.read_bytes() for p in (root / "posts").iterdir()}
    result = site_builder(root, "blog")
    assert {p.name: p.read_bytes() for p in (root / "posts").iterdir()} == before
    assert f"kept posts/{two_runs.post().name} as it is: run(s) joy_division, lucybell have no " \
           f"outputs here" in result.stdout
    assert (root / "_site" / two_runs.post().stem[11:] / "index.html").exists()


# -- real Jekyll -------------------------------------------------------------------------

def test_two_run_post_builds_in_jekyll_without_warnings_as_site_builder_builds_it(two_runs, tmp_path):
    need_tool("jekyll")
    source = tmp_path / "jekyll"
    (source / "_layouts").mkdir(parents=True)
    # Jekyll has no gem named site-builder: the posts, not our theme, are compared.
    (source / "_config.yml").write_text(re.sub(r"(?m)^theme:.*$", "",
                                               (two_runs.root / "_config.yml").read_text()))
    shutil.copytree(two_runs.root / "posts", source / "_posts")
    (source / "_layouts" / "post.html").write_text(jekyll_corpus.MINIMAL_POST_LAYOUT)
    jekyll_build(source, tmp_path / "jekyll-site")
    theirs = crosscheck.Built(crosscheck._collect(tmp_path / "jekyll-site"), 0.0)
    ours = crosscheck.build_ours(two_runs.root, tmp_path / "ours-site")
    posts = [jekyll_corpus.CorpusPost(p.name, "generated", yaml.safe_load(
        p.read_text().split("\n---\n")[0][4:])["title"], "") for p in (two_runs.root / "posts").iterdir()]
    results = crosscheck.compare(posts, ours, theirs)
    assert {r.title for r in results} >= {TWO_RUN_TITLE}
    for result in results:
        assert all(result.same.values()), f"{result.name}: {result.diffs}"


JASPER_DEFAULT = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{% if page.title %}{{ page.title | escape }} - {% endif %}{{ site.title | escape }}</title></head>
<body class="{{ page.class }}">{{ content }}
{% include site-footer.html %}</body></html>
"""
# jasper2's post layout writes the cover as `{{ site.baseurl }}{{ page.cover }}`.
JASPER_POST = """---
layout: default
current: post
---
<article class="post-full {{ page.subclass }}">
  <h1 class="post-full-title">{{ page.title | escape }}</h1>
  {%- assign author = site.data.authors[page.author] %}
  {%- if author %}<p class="author">{{ author.name | escape }}</p>{% endif %}
  {%- if page.cover %}
  <figure class="post-full-image"><img src="{{ site.baseurl }}{{ page.cover }}" alt="cover"></figure>
  {%- endif %}
  <section class="post-full-content">{{ content }}</section>
</article>
"""
SVG = "<svg xmlns='http://www.w3.org/2000/svg' width='40' height='20'><rect width='40' height='20'/></svg>"


def jasper_like_blog(folder: Path, baseurl: str = "/blog") -> Path:
    """An existing Jekyll blog in jasper2's shape (our own files): baseurl,
    `permalink: /:title`, a post layout chained to a default one, an include,
    `_data/authors.yml`, covers, a hand-written post, its own assets."""
    (folder / "_layouts").mkdir(parents=True)
    (folder / "_includes").mkdir()
    (folder / "_posts").mkdir()
    (folder / "_data").mkdir()
    (folder / "assets" / "images").mkdir(parents=True)
    (folder / "_config.yml").write_text(f"title: Someone's blog\nbaseurl: '{baseurl}'\n"
                                        "permalink: /:title\nmarkdown: kramdown\n"
                                        "cover: assets/images/cover.svg\n")
    (folder / "_layouts" / "default.html").write_text(JASPER_DEFAULT)
    (folder / "_layouts" / "post.html").write_text(JASPER_POST)
    (folder / "_includes" / "site-footer.html").write_text(
        '<footer><a href="{{ site.baseurl }}">{{ site.title | escape }}</a></footer>\n')
    (folder / "_data" / "authors.yml").write_text("casper: {name: Casper}\n")
    (folder / "_posts" / "2020-11-03-hello.md").write_text(
        "---\nlayout: post\ntitle: Hello\nauthor: casper\ncover: assets/images/cover.svg\n---\nHi.\n")
    (folder / "assets" / "images" / "cover.svg").write_text(SVG)
    return folder


# jasper2's config tells personal sites to use `baseurl: '/'`: `{{ site.baseurl }}/x`
# would be `//x` there (a host named x); relative_url is right for both.
@pytest.mark.parametrize("baseurl", ["/blog", "/"])
def test_posts_and_assets_go_into_an_existing_jekyll_blog(pipeline, tmp_path, baseurl):
    need_tool("jekyll")
    root = copy_blog(pipeline, tmp_path / "pipeline")
    jekyll = jasper_like_blog(tmp_path / "jasper", baseurl)
    prefix = baseurl.rstrip("/")
    config = root / "_config.yml"
    config.write_text(config.read_text().replace("posts_dir: posts", "posts_dir: ../jasper/_posts")
                      .replace("assets_dir: assets", "assets_dir: ../jasper/assets"))
    config.write_text(config.read_text().replace("cover: assets/images/cover.svg",
                                                 "cover: assets/images/none.svg\n  author: me"))
    result = site_builder(root, "post", "--run", "lucybell")
    (post,) = (jekyll / "_posts").glob("*-ancestral-sampling-lucybell.md")
    assert f"wrote {post}" in result.stdout and "build that blog with Jekyll" in result.stdout
    # The post: defaults the target blog lacks are named.
    assert "post: cover: assets/images/none.svg is not in the blog" in result.stdout
    assert "post: author: 'me' is not in" in result.stdout and "known: casper" in result.stdout
    assert sorted(p.name for p in (jekyll / "assets/runs/lucybell").glob("item-0*")) == [
        f"item-0{k}{kind}" for k in range(2) for kind in ("-spectrogram-small.png", "-spectrogram.png",
                                                         "-waveform-small.png", "-waveform.png", ".mp3")]
    jekyll_build(jekyll, jekyll / "_site")
    page = (jekyll / "_site" / "ancestral-sampling-lucybell.html").read_text()
    content = page.split('<section class="post-full-content">', 1)[1].split("</section>", 1)[0]
    sources = re.findall(rf'(?:src|href)="({prefix}/assets/[^"]+)"', content)
    assert len(sources) == 2 + 2 * 4 + 2   # players, thumbnails and their links, overview and its link
    for src in sources:
        assert (jekyll / "_site" / src.removeprefix(prefix + "/")).stat().st_size > 0, src
    assert "//assets" not in page
    assert (jekyll / "_site" / "hello.html").exists()   # the blog's own posts are untouched


def test_a_post_in_a_jasper2_shaped_blog_with_baseurl_slash_plays_and_shows_pictures(
        pipeline, tmp_path, browser):
    """Issue 14's check: `make post` into a jasper2-shaped blog with `baseurl: '/'`,
    built by real Jekyll and opened in Chromium: every player loads a clip of the
    length sampled, every picture (the post's and the layout's cover) is drawn."""
    need_tool("jekyll")
    ffprobe = need_tool("ffprobe")
    root = copy_blog(pipeline, tmp_path / "pipeline")
    jekyll = jasper_like_blog(tmp_path / "jasper", "/")
    config = root / "_config.yml"
    config.write_text(config.read_text().replace("posts_dir: posts", "posts_dir: ../jasper/_posts")
                      .replace("assets_dir: assets", "assets_dir: ../jasper/assets")
                      .replace("navigation: True", "navigation: True\n  author: casper"))
    site_builder(root, "post", "--run", "lucybell")
    jekyll_build(jekyll, jekyll / "_site")
    clips = sorted((jekyll / "_site" / "assets" / "runs" / "lucybell").glob("item-*.mp3"))
    lengths = [float(subprocess.run([ffprobe, "-v", "error", "-show_entries", "format=duration",
                                     "-of", "csv=p=0", str(clip)], check=True, capture_output=True,
                                    text=True).stdout) for clip in clips]
    assert len(lengths) == 2 and all(0.5 < length < 5 for length in lengths), lengths
    with serving(jekyll / "_site", "") as server:
        browser.get(f"{server}/ancestral-sampling-lucybell")
        assert "Casper" in browser.find_element("css selector", "p.author").text
        cover = browser.find_element("css selector", "figure.post-full-image img").get_attribute("src")
        durations = browser.execute_async_script("""
            const done = arguments[arguments.length - 1];
            const players = [...document.querySelectorAll('audio')];
            Promise.all(players.map(a => new Promise(resolve => {
                if (a.readyState >= 1) return resolve([a.currentSrc, a.duration]);
                a.addEventListener('loadedmetadata', () => resolve([a.currentSrc, a.duration]));
                a.addEventListener('error', () => resolve([a.currentSrc, -1]));
                a.load();
            }))).then(done);
        """)
        images = browser.execute_async_script("""
            const done = arguments[arguments.length - 1];
            const images = [...document.images];
            Promise.all(images.map(i => i.complete ? null : new Promise(resolve => {
                i.addEventListener('load', resolve); i.addEventListener('error', resolve);
            }))).then(() => done(images.map(i => [i.currentSrc, i.naturalWidth])));
        """)
        errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"
                  and "favicon" not in e["message"]]
    assert sorted(d for _, d in durations) == pytest.approx(sorted(lengths), abs=0.1), durations
    assert all("//assets" not in src.split("://", 1)[1] for src, _ in durations + images)
    # The cover, four thumbnails (waveform, spectrogram per item) and the overview.
    assert len(images) >= 6 and all(width > 0 for _, width in images), images
    assert cover in [src for src, _ in images] and "/assets/" in cover, cover
    assert not errors, errors


THEME_DETAILS_LAYOUT = """\
<p>tags: {{ page.tags | join: "," }}; env: {{ jekyll.environment }}; words: {{ content | number_of_words }}</p>
<p>site tags: {% for tag in site.tags %}{{ tag[0] }}={% for p in tag[1] %}{{ p.title }} {% endfor %};{% endfor %}</p>
{{ content }}
"""


def test_theme_details_that_real_blogs_use_match_jekylls(tmp_path):
    """What five real blogs' themes showed: `tag:` (singular) is the post's tag, site.tags
    lists names in the order of the oldest post and each tag's posts newest first,
    jekyll.environment is there, and a word count over highlighted code (a reading
    time) is rouge's. Byte for byte against real Jekyll."""
    need_tool("jekyll")
    blog = tmp_path / "blog"
    (blog / "_layouts").mkdir(parents=True)
    (blog / "_posts").mkdir()
    (blog / "_config.yml").write_text("title: T\nmarkdown: kramdown\n")
    (blog / "_layouts" / "post.html").write_text(THEME_DETAILS_LAYOUT)
    code = "{% highlight ruby %}\ndef foo(a, b)\n  a + b\nend\n{% endhighlight %}\n\n" \
           "```python\nx = [1, 2, 3]\n```\n"
    posts = {"2020-01-01-old.md": "title: Old\ntag: jekyll tips\n",
             "2020-02-01-mid.md": "title: Mid\ntags: ruby jekyll\n",
             "2020-03-01-new.md": "title: New\ntags: [python, ruby]\n",
             "2020-04-01-newest.md": "title: Newest\ntag: [a, b]\ntags: ignored\n"}
    for name, front in posts.items():
        (blog / "_posts" / name).write_text(f"---\nlayout: post\n{front}---\nText.\n\n{code}")
    build_both(blog, tmp_path)
    for name in ("2020/01/01/old.html", "2020/02/01/mid.html", "2020/03/01/new.html",
                 "2020/04/01/newest.html"):
        # kramdown puts a blank line between some blocks: not part of what is compared
        theirs, ours = outputs(tmp_path, name)
        assert re.sub(r"\n\s*\n", "\n", ours) == re.sub(r"\n\s*\n", "\n", theirs)
    old = (tmp_path / "jekyll" / "2020/01/01/old.html").read_text()
    assert "tags: jekyll tips;" in old and "env: development" in old
    assert "site tags: jekyll tips=Old ;ruby=New Mid ;jekyll=Mid ;python=New ;a=Newest ;b=Newest ;" in old
    assert "tags: a,b;" in (tmp_path / "ours" / "2020/04/01/newest.html").read_text()


def test_draft_front_matter_is_the_posts_draft_as_in_jekyll(tmp_path):
    """jekyll-now's index skips `{% unless post.draft %}`: Jekyll's `draft` is whether
    the post is in _drafts/, unless its front matter says (26 of a real blog's 29
    posts have `draft: true` in _posts/: listed nowhere, built all the same)."""
    need_tool("jekyll")
    blog = tmp_path / "blog"
    for folder in ("_posts", "_notes", "_layouts"):
        (blog / folder).mkdir(parents=True)
    (blog / "_config.yml").write_text("title: T\ncollections:\n  notes:\n    output: true\n")
    (blog / "_posts" / "2020-01-01-shown.md").write_text("---\ntitle: Shown\n---\nA.\n")
    (blog / "_posts" / "2020-01-02-hidden.md").write_text(
        "---\ntitle: Hidden\ndraft: true\n---\nB.\n")
    (blog / "_notes" / "n.md").write_text("---\ntitle: Note\n---\nC.\n")
    (blog / "index.html").write_text(
        "---\n---\n{% for post in site.posts %}{% unless post.draft %}{{ post.title }} "
        "{% endunless %}[{{ post.draft }}]{% endfor %}|{{ site.notes[0].draft }}|\n")
    build_both(blog, tmp_path)
    theirs, ours = outputs(tmp_path, "index.html")
    assert ours == theirs == "[true]Shown [false]|false|\n"
    assert (tmp_path / "ours" / "2020/01/02/hidden.html").is_file()


def test_a_later_documents_content_is_its_source_as_in_jekylls_render_order(tmp_path):
    """Jekyll renders documents one by one, posts oldest first, then other collections,
    then pages: a post's layout sees an older post's content as HTML and a newer one's
    still as its source (a real theme's `page.next.content | strip_html | truncate`
    shows Markdown there); a page sees them all rendered. Against real Jekyll."""
    need_tool("jekyll")
    blog = tmp_path / "blog"
    for folder in ("_posts", "_notes", "_layouts"):
        (blog / folder).mkdir(parents=True)
    (blog / "_config.yml").write_text("title: T\ncollections:\n  notes:\n    output: true\n")
    (blog / "_layouts" / "post.html").write_text(
        "{{ content }}|prev={{ page.previous.content | strip_html | strip }}"
        "|next={{ page.next.content | strip_html | strip }}|note={{ site.notes[0].content }}|\n")
    (blog / "_layouts" / "note.html").write_text(
        "{% for p in site.posts %}[{{ p.content | strip }}]{% endfor %}\n")
    for day, text in (("01", '"Old" *one*'), ("02", '"Mid" *two*'), ("03", '"New" *three*')):
        (blog / "_posts" / f"2020-01-{day}-p{day}.md").write_text(
            f"---\nlayout: post\n---\n{text}\n")
    (blog / "_notes" / "n.md").write_text("---\nlayout: note\n---\nA *note*\n")
    (blog / "index.html").write_text(
        "---\n---\n{% for p in site.posts %}[{{ p.content | strip }}]{% endfor %}\n")
    build_both(blog, tmp_path)
    for name in ("2020/01/01/p01.html", "2020/01/02/p02.html", "2020/01/03/p03.html",
                 "notes/n.html", "index.html"):
        theirs, ours = outputs(tmp_path, name)
        assert ours == theirs, name
    mid = (tmp_path / "ours" / "2020/01/02/p02.html").read_text()
    assert "|prev=“Old” one|next=\"New\" *three*|note=A *note*\n|" in mid
    assert "<em>note</em>" not in mid and "[<p>“New” <em>three</em></p>]" in (
        tmp_path / "ours" / "index.html").read_text()


def reading_blog(blog: Path) -> Path:
    """Documents whose own Liquid shows other documents' content and excerpts: posts
    (rendered first, oldest first), then the collections in the config's order."""
    for folder in ("_posts", "_notes", "_extras", "_layouts"):
        (blog / folder).mkdir(parents=True)
    (blog / "_config.yml").write_text(
        "title: T\ncollections:\n  extras:\n    output: true\n  notes:\n    output: true\n")
    (blog / "_layouts" / "unused.html").write_text("{{ content }}\n")
    (blog / "_posts" / "2020-01-01-p01.md").write_text('---\n---\n"Old" *one*\n')
    (blog / "_posts" / "2020-01-02-p02.html").write_text(
        "---\n---\n{% for p in site.posts %}[{{ p.content | strip }}]{% endfor %}\n"
        "(note={{ site.notes[0].content | strip }})(extra={{ site.extras[0].excerpt | strip }})\n")
    (blog / "_posts" / "2020-01-03-p03.md").write_text(
        '---\n---\n"New" *three*, after {{ site.posts[1].content | size }}\n')
    (blog / "_notes" / "n.html").write_text(
        "---\n---\n{{ site.posts[0].excerpt }}{{ site.posts[2].excerpt }}"
        "{% for p in site.posts %}[{{ p.content | size }}]{% endfor %} {{ page.content | size }}\n")
    (blog / "_extras" / "e.md").write_text(
        "---\n---\nAn *extra*, before {{ site.notes[0].content | size }}\n")
    return blog


READING_OUTPUTS = ("2020/01/01/p01.html", "2020/01/02/p02.html", "2020/01/03/p03.html",
                   "notes/n.html", "extras/e.html")


def test_a_documents_own_liquid_sees_those_rendered_before_it_as_jekyll_does(tmp_path):
    """crystal-lang.org's pages are a collection showing the posts' excerpts: Jekyll
    renders documents one by one, so a document's own Liquid sees the documents
    rendered before it with their HTML (a newer post's, a later collection's still as
    source), and every excerpt rendered. Here they were all rendered at once, seeing
    none; now in waves (p02 -> p03 -> the note: three). Byte for byte against Jekyll."""
    need_tool("jekyll")
    blog = reading_blog(tmp_path / "blog")
    build_both(blog, tmp_path)
    for name in READING_OUTPUTS:
        theirs, ours = outputs(tmp_path, name)
        assert ours == theirs, name
    note = (tmp_path / "ours" / "notes/n.html").read_text()
    assert note.startswith("<p>“New” <em>three</em>, after 429</p>\n<p>“Old” <em>one</em></p>")
    assert "[<p>“Old” <em>one</em></p>]\n(note={{ site.posts[0].excerpt }}" in (
        tmp_path / "ours" / "2020/01/02/p02.html").read_text()


def test_posts_listing_every_posts_excerpt_show_them_all_as_in_jekyll(tmp_path):
    """Posts whose own text lists the posts' excerpts, their own among them: each
    waits on the others (a cycle), so they are rendered once more with what the others
    have then; Jekyll renders an excerpt apart, when first asked. They were empty
    here. Against real Jekyll."""
    need_tool("jekyll")
    blog = tmp_path / "blog"
    for folder in ("_posts", "_layouts"):
        (blog / folder).mkdir(parents=True)
    (blog / "_config.yml").write_text("title: T\n")
    (blog / "_layouts" / "unused.html").write_text("{{ content }}\n")
    for i in (1, 2, 3):
        (blog / "_posts" / f"2020-01-0{i}-p{i}.md").write_text(
            f"---\n---\nPost *{i}* intro.\n\nMore {{% for p in site.posts %}}"
            "[{{ p.excerpt | strip_html | strip }}]{% endfor %}\n")
    build_both(blog, tmp_path)
    for i in (1, 2, 3):
        name = f"2020/01/0{i}/p{i}.html"
        theirs, ours = outputs(tmp_path, name)
        assert ours == theirs, name
        assert "More [Post 3 intro.][Post 2 intro.][Post 1 intro.]" in ours


def test_an_excerpt_is_the_sources_first_part_through_liquid_as_in_jekyll(tmp_path):
    """Jekyll cuts the excerpt from the document's source, then renders it apart: an
    include that writes blank lines (US-RSE's YouTube embed: a <style> block) is
    whole in it, as a value with a blank line; a block left open at the separator is
    closed there. Here the excerpt was cut from the rendered text, inside the
    include. A post and a collection's document, against real Jekyll."""
    need_tool("jekyll")
    blog = bare_blog(tmp_path, "title: T\ncollections:\n  events:\n    output: true\n",
                     "_includes", "_posts", "_events")
    (blog / "_includes" / "embed.html").write_text(
        "<style>\n.a {\n  b: c;\n}\n\n.d { e: f; }\n</style>\n\n<div class=\"v\">\n"
        "<iframe src=\"{{ include.url }}\"></iframe>\n</div>\n")
    event = "---\ntitle: E\n---\n\n{% include embed.html url=\"u\" %}\n\n\n## Info\n\nText.\n"
    (blog / "_events" / "e.md").write_text(event)
    (blog / "_posts" / "2020-01-01-p.md").write_text(event)
    (blog / "_posts" / "2020-01-02-q.md").write_text(
        "---\nintro: \"One.\\n\\nTwo.\"\n---\n{{ page.intro }} {% if true %}[x] more\n\n"
        "after{% endif %}\n\nRest.\n\n[x]: /x\n")
    (blog / "index.html").write_text(
        "---\nlayout: default\n---\n{% for p in site.events %}[{{ p.excerpt }}]{% endfor %}\n"
        "{% for p in site.posts %}[{{ p.excerpt }}]{% endfor %}\n")
    assert "Excerpt modified" in jekyll_build(blog, tmp_path / "jekyll", warns=True)
    site_builder(blog, "build", "-s", str(blog), "-d", str(tmp_path / "ours"))
    theirs, ours = outputs(tmp_path, "index.html")
    assert ours == theirs
    assert ours.count(".d { e: f; }") == 2 and "Info" not in ours and "after" not in ours
    assert '<p>Two. <a href="/x">x</a> more</p>' in ours


@pytest.mark.parametrize("setting", ["", "page_excerpts: true\n"])
def test_a_pages_excerpt_is_its_front_matters_or_with_page_excerpts_its_first_part(
        tmp_path, setting):
    """Page#excerpt: the front matter's `excerpt:` (it was dropped here: a layout's
    `page.excerpt | default: site.description` showed the site's), and with Jekyll
    4.1's `page_excerpts: true` an HTML page's first paragraph, converted (nothing
    here). In its own layouts and in site.pages. Against real Jekyll."""
    need_tool("jekyll")
    blog = tmp_path / "blog"
    (blog / "_layouts").mkdir(parents=True)
    (blog / "_config.yml").write_text("title: T\n" + setting)
    (blog / "_layouts" / "x.html").write_text(
        "[{{ page.excerpt }}]{{ content }}{% for p in site.pages %}({{ p.name }}:{{ p.excerpt }})"
        "{% endfor %}\n")
    (blog / "a.md").write_text("---\nlayout: x\nexcerpt: Own *words*\n---\n"
                               "First *para* {{ site.title }}.\n\nSecond.\n")
    (blog / "b.md").write_text("---\nlayout: x\n---\nB *first*.\n\nB second.\n")
    (blog / "c.html").write_text("---\nlayout: x\n---\n<p>C html</p>\n\nC2\n")
    build_both(blog, tmp_path)
    for name in ("a.html", "b.html", "c.html"):
        theirs, ours = outputs(tmp_path, name)
        assert ours == theirs, name
    assert (tmp_path / "ours" / "a.html").read_text().startswith("[Own *words*]")
    assert ("(b.md:<p>B <em>first</em>.</p>\n)" in (tmp_path / "ours" / "a.html").read_text()) \
        == bool(setting)


def test_site_documents_are_in_jekylls_order(tmp_path):
    """site.documents (a search index of every document): posts oldest first, then
    each collection in the config's order, written or not; here the other
    collections came first and the posts newest first. The posts collection in
    site.collections likewise oldest first, its permalink the style written out
    (it was `date`), and a collection without documents is there, empty (it was
    missing, and `site.empty` nil). Against real Jekyll."""
    need_tool("jekyll")
    blog = tmp_path / "blog"
    for folder in ("_posts", "_layouts", "_notes", "_aaa"):
        (blog / folder).mkdir(parents=True)
    (blog / "_config.yml").write_text("title: T\ncollections:\n  notes:\n    output: true\n"
                                      "  aaa:\n    output: false\n  empty:\n    output: true\n")
    (blog / "_layouts" / "x.html").write_text("{{ content }}")
    for name in ("_posts/2020-01-01-p1.md", "_posts/2020-01-02-p2.md", "_notes/n.md", "_aaa/q.md"):
        (blog / name).write_text("---\n---\nx\n")
    (blog / "index.html").write_text(
        "---\n---\n{% for d in site.documents %}{{ d.path }};{% endfor %}\n"
        "{% if site.empty %}empty: {{ site.empty | size }}{% endif %}\n"
        "{% for c in site.collections %}{{ c.label }}:{% for d in c.docs %}{{ d.path }},"
        "{% endfor %}|{{ c.output }}|{{ c.permalink }};{% endfor %}\n")
    build_both(blog, tmp_path)
    theirs, ours = outputs(tmp_path, "index.html")
    assert ours == theirs
    assert ours.startswith(
        "_posts/2020-01-01-p1.md;_posts/2020-01-02-p2.md;_notes/n.md;_aaa/q.md;\n")
    assert "empty: 0\n" in ours and "empty:|true|;" in ours   # a collection with none
    assert "posts:_posts/2020-01-01-p1.md,_posts/2020-01-02-p2.md,|true|" \
           "/:categories/:year/:month/:day/:title:output_ext;" in ours


def test_page_and_document_hashes_hold_what_jekylls_hold(tmp_path):
    """`{{ page | jsonify }}`: a document has its relative_path and ext and no dir, a
    page its data then content, dir (its URL's folder, wherever its file is: it was
    the file's), excerpt, name, path, url (Page#to_liquid), and
    neither has this project's `words`; a time is written as Ruby's Time#to_s, with
    its offset. Against real Jekyll (a document's keys compared, not their order)."""
    import json
    need_tool("jekyll")
    blog = tmp_path / "blog"
    for folder in ("_posts", "_layouts", "sub"):
        (blog / folder).mkdir(parents=True)
    (blog / "_config.yml").write_text("title: T\n")
    (blog / "_layouts" / "j.html").write_text("{{ page | jsonify }}\n")
    (blog / "_posts" / "2020-01-01-p.md").write_text(
        "---\nlayout: j\ntags: [a]\ncategories: c\n---\nPost *p*\n")
    (blog / "sub" / "s.md").write_text("---\nlayout: j\ntitle: S\n---\npage\n")
    (blog / "sub" / "a.md").write_text("---\nlayout: j\npermalink: /custom/place.html\n---\na\n")
    (blog / "sub" / "f.txt").write_text("static\n")
    (blog / "static.json").write_text("---\n---\n{{ site.static_files[0].path | jsonify }}\n")
    build_both(blog, tmp_path)
    for name in ("sub/s.html", "custom/place.html", "static.json"):
        theirs, ours = outputs(tmp_path, name)
        assert ours == theirs, name
    assert '"dir":"/custom/"' in (tmp_path / "ours" / "custom/place.html").read_text()
    theirs, ours = (json.loads((tmp_path / side / "c/2020/01/01/p.html").read_text())
                    for side in ("jekyll", "ours"))
    assert ours == theirs
    assert ours["date"] == "2020-01-01 00:00:00 +0000" and ours["ext"] == ".md"


def test_site_html_pages_are_the_pages_jekyll_writes_as_html(tmp_path):
    """site.html_pages: the pages whose output is HTML (a Markdown page at `/foo`, an
    `.htm` page) or whose URL is a folder; by URL alone, the first two were left out.
    Against real Jekyll."""
    need_tool("jekyll")
    blog = tmp_path / "blog"
    (blog / "_layouts").mkdir(parents=True)
    (blog / "_config.yml").write_text("title: T\n")
    (blog / "_layouts" / "x.html").write_text("x")
    for name, front in (("a.md", "permalink: /foo\n"), ("b.htm", ""), ("c.xml", ""),
                        ("d.xml", "permalink: /d/\n"), ("e.md", "permalink: /e.json\n")):
        (blog / name).write_text(f"---\n{front}---\ntext\n")
    (blog / "index.html").write_text(
        "---\n---\n{% for p in site.html_pages %}{{ p.name }};{% endfor %}\n")
    build_both(blog, tmp_path)
    theirs, ours = outputs(tmp_path, "index.html")
    assert ours == theirs == "a.md;b.htm;d.xml;index.html;\n"


def test_a_page_sees_the_pages_jekyll_renders_before_it_with_their_html(tmp_path):
    """Pages come after every document, by file name (of one name, a subfolder's
    first): a page's Liquid sees the pages before it with their HTML (a search index
    of every page's text) and itself and later ones as source, and its own
    page.content is its source even in its layouts (Page#to_liquid is a copy made
    before rendering); it was empty here, and sub/a.md came after a.md. Against Jekyll."""
    need_tool("jekyll")
    blog = tmp_path / "blog"
    for folder in ("_posts", "_layouts", "sub"):
        (blog / folder).mkdir(parents=True)
    (blog / "_config.yml").write_text("title: T\n")
    (blog / "_layouts" / "show.html").write_text(
        "{{ content }}|own={{ page.content | strip }}|"
        "{% for p in site.pages %}[{{ p.name }}={{ p.content | strip }}]{% endfor %}\n")
    (blog / "a.md").write_text("---\n---\nA *one* {{ page.content | size }}\n")
    (blog / "b.html").write_text("---\nlayout: show\n---\n"
                                 "B {% for p in site.pages %}({{ p.name }}:{{ p.content | strip }}){% endfor %}\n")
    (blog / "c.md").write_text("---\n---\nC *three*\n")
    (blog / "sub" / "a.md").write_text("---\n---\nA2 *sub* {{ site.pages | size }}\n")
    (blog / "_posts" / "2020-01-01-p.md").write_text("---\nlayout: show\n---\nPost *p*\n")
    build_both(blog, tmp_path)
    for name in ("a.html", "b.html", "c.html", "sub/a.html", "2020/01/01/p.html"):
        theirs, ours = outputs(tmp_path, name)
        assert ours == theirs, name
    assert (tmp_path / "ours" / "b.html").read_text().startswith(
        "B (a.md:<p>A2 <em>sub</em> 4</p>)(a.md:<p>A <em>one</em> 34</p>)(b.html:B {% for")


def test_two_sources_of_one_file_warn_and_the_one_jekyll_writes_last_wins(tmp_path):
    """Jekyll warns of a conflict and writes pages, then static files, then documents
    (posts oldest first): the last written is the file. A real blog (beautiful-jekyll)
    has a post and a page at one URL; it did not build here at all."""
    need_tool("jekyll")
    blog = tmp_path / "blog"
    (blog / "_layouts").mkdir(parents=True)
    (blog / "_posts").mkdir()
    (blog / "_config.yml").write_text("title: T\npermalink: /:year-:month-:day-:title/\n")
    (blog / "_layouts" / "default.html").write_text("[{{ content }}]\n")
    (blog / "_posts" / "2020-01-02-b.md").write_text("---\nlayout: default\n---\npost\n")
    (blog / "2020-01-02-b.md").write_text("---\nlayout: default\n---\npage\n")
    (blog / "_posts" / "2020-01-03-c.md").write_text(
        "---\nlayout: default\npermalink: /same/\n---\nolder\n")
    (blog / "_posts" / "2020-01-04-d.md").write_text(
        "---\nlayout: default\npermalink: /same/\n---\nnewer\n")
    (blog / "robots.txt").write_text("static\n")
    (blog / "robots.md").write_text("---\npermalink: /robots.txt\n---\nrendered\n")
    assert jekyll_build(blog, tmp_path / "jekyll", warns=True).count("Conflict:") == 3
    done = site_builder(blog, "build", "-s", str(blog), "-d", str(tmp_path / "ours"))
    for name in ("2020-01-02-b/index.html", "same/index.html", "robots.txt"):
        theirs, ours = outputs(tmp_path, name)
        assert ours == theirs, name
    assert (tmp_path / "ours" / "same" / "index.html").read_text() == "[<p>newer</p>\n]\n"
    assert "warning: conflict: 2020-01-02-b.md and _posts/2020-01-02-b.md both write " \
           "2020-01-02-b/index.html; _posts/2020-01-02-b.md is kept" in done.stderr + done.stdout
    assert (done.stderr + done.stdout).count("warning: conflict:") == 3


def test_dates_in_words_are_read_as_jekylls_time_parse_reads_them(tmp_path):
    """rubyonrails.org has `date: Fri Sep  3 11:21:31 CEST 2021` (a zone Ruby does not
    know: left out): one post stopped the whole site here. Against real Jekyll."""
    need_tool("jekyll")
    blog = tmp_path / "blog"
    (blog / "_layouts").mkdir(parents=True)
    (blog / "_posts").mkdir()
    (blog / "_config.yml").write_text("title: T\n")
    (blog / "_layouts" / "default.html").write_text("{{ page.date }} {{ page.url }}\n")
    for name, when in (("2021-09-03-a.md", "Fri Sep  3 11:21:31 CEST 2021"),
                       ("2019-03-05-b.md", "March 5, 2019 10:00 PM"),
                       ("2019-03-06-c.md", "6 Mar 2019"),
                       ("2020-03-29-d.md", "2020-3-19 29:39:08 +0800"),   # (houbb.github.io)
                       ("2018-12-21-e.md", "2018-12-21 +0800")):
        (blog / "_posts" / name).write_text(f"---\nlayout: default\ndate: {when}\n---\nx\n")
    build_both(blog, tmp_path)
    for name in ("2021/09/03/a.html", "2019/03/05/b.html", "2019/03/06/c.html",
                 "2020/03/19/d.html", "2018/12/21/e.html"):
        theirs, ours = outputs(tmp_path, name)
        assert ours == theirs, name
    assert (tmp_path / "ours" / "2021/09/03/a.html").read_text().startswith(
        "2021-09-03 11:21:31 +0000")


def test_page_id_and_name_as_jekyll_gives_them(tmp_path):
    """page.id is Document#id (the URL's folder and the slug, whatever the permalink)
    and a page's own `id:`; a document's `name` is its front matter's first
    (rubyonrails.org's banner tests page.id == 'home'; its foundation pages show
    page.name). Against real Jekyll."""
    need_tool("jekyll")
    blog = tmp_path / "blog"
    for folder in ("_layouts", "_posts", "_things"):
        (blog / folder).mkdir(parents=True)
    (blog / "_config.yml").write_text(
        "title: T\ncollections:\n  things:\n    output: true\n")
    (blog / "_layouts" / "default.html").write_text("id={{ page.id }} name={{ page.name }}\n")
    (blog / "_posts" / "2020-01-02-b.md").write_text(
        "---\nlayout: default\ncategories: c\npermalink: /blog/:title/\n---\nx\n")
    (blog / "_posts" / "2020-01-03-d.md").write_text("---\nlayout: default\n---\nx\n")
    (blog / "_things" / "a.md").write_text("---\nlayout: default\nname: Fancy\n---\nx\n")
    (blog / "_things" / "e.md").write_text("---\nlayout: default\n---\nx\n")
    (blog / "home.md").write_text("---\nlayout: default\nid: home\nname: Nope\n---\nx\n")
    (blog / "other.md").write_text("---\nlayout: default\n---\nx\n")
    build_both(blog, tmp_path)
    for name in ("blog/b/index.html", "2020/01/03/d.html", "things/a.html", "things/e.html",
                 "home.html", "other.html"):
        theirs, ours = outputs(tmp_path, name)
        assert ours == theirs, name
    assert (tmp_path / "ours" / "blog/b/index.html").read_text() == "id=/blog/b name=2020-01-02-b.md\n"
    assert (tmp_path / "ours" / "home.html").read_text() == "id=home name=home.md\n"


def test_kramdown_line_numbers_option_matches_jekylls(tmp_path):
    """`kramdown: syntax_highlighter_opts: block: line_numbers: true` (a real blog of
    79 posts sets it): every code block in rouge's table of line numbers, from
    start_line. Against real Jekyll."""
    need_tool("jekyll")
    blog = tmp_path / "blog"
    (blog / "_layouts").mkdir(parents=True)
    (blog / "_posts").mkdir()
    (blog / "_config.yml").write_text(
        "title: T\nmarkdown: kramdown\nkramdown:\n  input: GFM\n  syntax_highlighter_opts:\n"
        "    block:\n      line_numbers: true\n      start_line: 3\n")
    (blog / "_layouts" / "post.html").write_text("{{ content }}\n")
    (blog / "_posts" / "2020-01-01-code.md").write_text(
        "---\nlayout: post\n---\nText `x = 1` here.\n\n```ruby\ndef foo\n  1\nend\n```\n\n"
        "    indented code\n    two\n\n```\nplain\n```\n")
    build_both(blog, tmp_path)
    theirs, ours = outputs(tmp_path, "2020/01/01/code.html")
    assert re.sub(r"\n\s*\n", "\n", ours) == re.sub(r"\n\s*\n", "\n", theirs)
    assert ours.count('<pre class="lineno">3\n') == 3 and "4\n5\n</pre>" in ours


def test_the_configs_smart_quotes_are_kramdowns_and_smartifys_as_in_jekyll(tmp_path):
    """`kramdown: smart_quotes: [apos, apos, quot, quot]` (getmonero.org: straight
    quotes in its posts' command lines): a post's quotes and the `smartify` filter's,
    against real Jekyll."""
    need_tool("jekyll")
    blog = tmp_path / "blog"
    (blog / "_layouts").mkdir(parents=True)
    (blog / "_posts").mkdir()
    (blog / "_config.yml").write_text(
        "title: T\nkramdown:\n  smart_quotes: [\"apos\", \"apos\", \"quot\", \"quot\"]\n")
    (blog / "_layouts" / "post.html").write_text(
        "<h1>{{ page.title | smartify }}</h1>\n{{ content }}\n")
    (blog / "_posts" / "2020-01-01-q.md").write_text(
        "---\nlayout: post\ntitle: \"It's 'quoted' -- \\\"twice\\\"\"\n---\n"
        "Run `a` with \"--opt 'x'\" and it's done.\n")
    build_both(blog, tmp_path)
    theirs, ours = outputs(tmp_path, "2020/01/01/q.html")
    assert ours == theirs
    assert "<h1>It's 'quoted' – \"twice\"</h1>" in ours and "\"–opt 'x'\" and it's" in ours


def test_a_file_whose_front_matter_never_ends_is_a_page_of_its_whole_text(tmp_path):
    """A YAML file that starts with `---` and has no closing line (swift.org's
    WebGPU.apinotes) is a page to Jekyll: no front matter, the whole text its body,
    Liquid and all. The whole site stopped here with "never ends". Against real Jekyll."""
    need_tool("jekyll")
    blog = tmp_path / "blog"
    for folder in ("assets", "_layouts"):
        (blog / folder).mkdir(parents=True)
    (blog / "_config.yml").write_text("title: T\n")
    (blog / "_layouts" / "default.html").write_text("[{{ content }}]\n")
    (blog / "assets" / "api.apinotes").write_text(
        "---\nName: WebGPU\nTags:\n- Name: {{ site.title }}\n  Kind: closed\n")
    (blog / "notes.md").write_text("---\nnever: closed\n\n*em* {{ site.title }}\n")
    jekyll_build(blog, tmp_path / "jekyll")
    done = site_builder(blog, "build", "-s", str(blog), "-d", str(tmp_path / "ours"))
    for name in ("assets/api.apinotes", "notes.html"):
        theirs, ours = outputs(tmp_path, name)
        assert ours == theirs, name
    assert (tmp_path / "ours" / "assets/api.apinotes").read_text().endswith("- Name: T\n  Kind: closed\n")
    assert "warning: notes.md:1: front matter starts with '---' but never ends" in done.stdout + done.stderr


def test_collection_documents_order_and_neighbours_as_jekylls(tmp_path):
    """A collection's documents are in Jekyll's order (by date then path; `sort_by:`;
    `order:`), and page.previous / page.next are their neighbours there: crystal-lang.org's
    70 release pages link the releases before and after (none were linked here). Against
    real Jekyll, its warning for a document without the `sort_by` key and all."""
    need_tool("jekyll")
    blog = tmp_path / "blog"
    (blog / "_layouts").mkdir(parents=True)
    (blog / "_config.yml").write_text(
        "title: T\ncollections:\n  releases: {output: true, permalink: /:year/:month/:day/:title/}\n"
        "  steps: {output: true, sort_by: weight}\n"
        "  guides: {output: true, order: [z.md, sub/b.md, missing.md]}\n  plain: {output: true}\n")
    (blog / "_layouts" / "default.html").write_text(
        "{{ page.title }} prev=[{{ page.previous.title }}] next=[{{ page.next.url }}] "
        "list=[{% for d in site[page.collection] %}{{ d.title }},{% endfor %}]\n")
    docs = {"_releases/2016-06-14-r018.md": "R18", "_releases/2015-01-02-r01.md": "R01",
            "_releases/2016-06-14-a-same-day.md": "Same",
            "_releases/later.md": "Dated\ndate: 2014-01-01", "_steps/a.md": "A\nweight: 3",
            "_steps/b.md": "B\nweight: 1", "_steps/c.md": "C", "_steps/d.md": "D\nweight: 1",
            "_guides/a.md": "GA", "_guides/z.md": "GZ", "_guides/sub/b.md": "GB",
            "_guides/c.md": "GC", "_plain/b.md": "PB", "_plain/a.md": "PA",
            "_plain/2019-01-01-c.md": "PC"}
    for name, front in docs.items():
        (blog / name).parent.mkdir(parents=True, exist_ok=True)
        (blog / name).write_text(f"---\nlayout: default\ntitle: {front}\n---\nx\n")
    jekyll_build(blog, tmp_path / "jekyll", warns=True)
    site_builder(blog, "build", "-s", str(blog), "-d", str(tmp_path / "ours"))
    written = sorted(p.relative_to(tmp_path / "jekyll").as_posix()
                     for p in (tmp_path / "jekyll").rglob("*.html"))
    assert len(written) == 15
    for name in written:
        theirs, ours = outputs(tmp_path, name)
        assert ours == theirs, name
    assert (tmp_path / "ours" / "steps/a.html").read_text() == \
        "A prev=[D] next=[/steps/c.html] list=[B,D,A,C,]\n"


def test_redirects_go_through_the_blogs_own_redirect_layout_as_in_jekyll(tmp_path):
    """jekyll-redirect-from renders its pages with the blog's `redirect` layout when
    the blog has one (elixir-lang.org: 45 pages send readers to hexdocs.pm by
    `page.redirect_to`); they had the plugin's own page here. Against real Jekyll."""
    need_tool("jekyll")
    blog = bare_blog(
        tmp_path, "title: T\nurl: https://example.org\nplugins: [jekyll-redirect-from]\n",
        "_posts", "docs")
    (blog / "_layouts" / "redirect.html").write_text(
        '<h3>Redirecting {{ page.title }}...</h3><a href="{{ page.redirect.to }}">'
        "{{ page.redirect.from }}</a> to={{ page.redirect_to }} url={{ page.url }} "
        "name={{ page.name }} dir={{ page.dir }} sitemap={{ page.sitemap }}[{{ content }}]\n")
    (blog / "docs" / "old.md").write_text(
        "---\nlayout: default\ntitle: Moved\nredirect_to: basic-types\n---\nBody *here*\n")
    (blog / "ext.html").write_text(
        "---\ntitle: Ext\nredirect_to: https://hexdocs.pm/x.html\nredirect_from: [/gone/]\n"
        "---\nE\n")   # (github/training-kit: a page that redirects from and to)
    (blog / "_posts" / "2020-01-01-p.md").write_text(
        "---\nlayout: default\ntitle: Post\nredirect_from: [/old-post/, /older/index.html]\n"
        "---\nP\n")
    # Not --safe (jekyll_build's), which turns the plugin off
    jekyll_with_plugins(blog, tmp_path / "jekyll")
    site_builder(blog, "build", "-s", str(blog), "-d", str(tmp_path / "ours"))
    for name in ("docs/old.html", "ext.html", "old-post/index.html", "older/index.html",
                 "2020/01/01/p.html", "gone/index.html"):
        theirs, ours = outputs(tmp_path, name)
        assert ours == theirs, name
    assert (tmp_path / "ours" / "docs/old.html").read_text().startswith(
        '<h3>Redirecting Moved...</h3><a href="https://example.org/basic-types">/docs/old.html</a>')


def test_site_time_is_now_in_the_sites_time_zone_as_jekyll_runs_in_it(tmp_path):
    """Jekyll runs in the config's `timezone` (TZ): site.time, and an undated
    document's date, are now there. site.time was this machine's clock, written with
    the site's offset (19:00 in New York came out as 00:00 -0500 on a UTC machine)."""
    from datetime import datetime
    from zoneinfo import ZoneInfo
    blog = tmp_path / "blog"
    for folder in ("_layouts", "_notes"):
        (blog / folder).mkdir(parents=True)
    (blog / "_config.yml").write_text("title: T\ntimezone: America/New_York\n"
                                      "collections:\n  notes:\n    output: true\n")
    (blog / "_layouts" / "x.html").write_text("{{ content }}")
    (blog / "index.html").write_text('---\n---\n{{ site.time | date: "%Y-%m-%d %H %z" }}\n')
    (blog / "_notes" / "n.html").write_text('---\n---\n{{ page.date | date: "%Y-%m-%d %H %z" }}\n')
    clock = [datetime.now(ZoneInfo("America/New_York")).strftime("%Y-%m-%d %H %z")]
    site_builder(blog, "build", "-s", str(blog), "-d", str(tmp_path / "ours"),
                 env={**os.environ, "TZ": "UTC"})
    clock.append(datetime.now(ZoneInfo("America/New_York")).strftime("%Y-%m-%d %H %z"))
    for name in ("index.html", "notes/n.html"):
        assert (tmp_path / "ours" / name).read_text().strip() in clock, name


def test_times_are_written_with_the_sites_offset_as_in_jekyll(tmp_path):
    """With `timezone: Asia/Tokyo`, `{{ page.date }}`, jsonify and a static file's
    modified_time are written with +0900 (Jekyll runs in that zone); they were +0000,
    and a static file's time this machine's. site.static_files as StaticFile#to_liquid
    (its keys' order, `.htaccess` without an extension). Against real Jekyll."""
    need_tool("jekyll")
    blog = tmp_path / "blog"
    for folder in ("_layouts", "_posts", "sub.d"):
        (blog / folder).mkdir(parents=True)
    (blog / "_config.yml").write_text("title: T\ntimezone: Asia/Tokyo\ninclude: [.htaccess]\n")
    (blog / "_layouts" / "x.html").write_text("{{ page.date }}|{{ page.date | jsonify }}\n")
    (blog / "_posts" / "2020-01-01-p.md").write_text("---\nlayout: x\n---\nx\n")
    (blog / "static.json").write_text("---\n---\n{{ site.static_files | jsonify }}\n")
    for name in (".htaccess", "sub.d/README", "sub.d/f.tar.gz"):
        (blog / name).write_text("x\n")
        os.utime(blog / name, (1614834367, 1614834367))   # 2021-03-04 05:06:07 UTC
    jekyll_build(blog, tmp_path / "jekyll")
    site_builder(blog, "build", "-s", str(blog), "-d", str(tmp_path / "ours"),
                 env={**os.environ, "TZ": "UTC"})
    for name in ("2020/01/01/p.html", "static.json"):
        theirs, ours = outputs(tmp_path, name)
        assert ours == theirs, name
    assert (tmp_path / "ours" / "2020/01/01/p.html").read_text() == \
        '2020-01-01 00:00:00 +0900|"2020-01-01 00:00:00 +0900"\n'
    assert '"modified_time":"2021-03-04 14:06:07 +0900"' in (tmp_path / "ours" / "static.json").read_text()


def test_a_post_with_windows_line_ends_is_its_own_excerpt_as_in_jekyll(tmp_path):
    """Jekyll looks for the excerpt separator ("\\n\\n") in the file's text as it is:
    in a post whose lines end in CR LF it is never found, and the excerpt is the
    whole post (hydeout's front page lists three such posts whole). Against Jekyll."""
    need_tool("jekyll")
    blog = bare_blog(tmp_path, "title: T\n", "_posts")
    (blog / "_posts" / "2020-01-01-win.md").write_bytes(
        b"---\r\ntitle: Win\r\n---\r\nFirst *para*.\r\n\r\nSecond para.\r\n")
    (blog / "_posts" / "2020-01-02-unix.md").write_text(
        "---\ntitle: Unix\n---\nFirst.\n\nSecond.\n")
    (blog / "index.html").write_text(
        "---\nlayout: default\n---\n{% for p in site.posts %}[{{ p.excerpt }}]{% endfor %}\n")
    build_both(blog, tmp_path)
    theirs, ours = outputs(tmp_path, "index.html")
    assert ours == theirs
    assert "<p>Second para.</p>" in ours and "<p>Second.</p>" not in ours


def test_an_undated_document_is_dated_by_the_build_as_in_jekyll(tmp_path):
    """A collection's document with no date in its name or front matter has the
    build's time (site.time), not its file's: in its permalink's :year and page.date.
    Jekyll sorts it by path alone (its date is set after the sort), lists a document
    dated after the build but does not write it; a front matter time beside a file
    name's date stopped the build with a traceback. Against real Jekyll."""
    need_tool("jekyll")
    blog = tmp_path / "blog"
    for folder in ("_layouts", "_notes"):
        (blog / folder).mkdir(parents=True)
    (blog / "_config.yml").write_text("title: T\ncollections:\n  notes:\n    output: true\n"
                                      "    permalink: /notes/:year/:title/\n")
    (blog / "_layouts" / "default.html").write_text(
        '{{ page.title }} {{ page.date | date: "%Y" }} '
        "[{% for n in site.notes %}{{ n.title }},{% endfor %}]\n")
    for name, front in (("a.md", ""), ("b.md", "date: 2020-03-04 10:00:00\n"),
                        ("2019-05-06-c.md", ""), ("d.md", "date: 2099-01-01\n")):
        path = blog / "_notes" / name
        path.write_text(f"---\nlayout: default\ntitle: {name[-4].upper()}\n{front}---\nx\n")
        os.utime(path, (978307200, 978307200))   # 2001: not what dates it
    build_both(blog, tmp_path)
    written = {side: sorted(str(p.relative_to(tmp_path / side))
                            for p in (tmp_path / side).rglob("*.html")) for side in ("jekyll", "ours")}
    assert written["ours"] == written["jekyll"]
    for name in written["jekyll"]:
        theirs, ours = outputs(tmp_path, name)
        assert ours == theirs, name
    year = time.gmtime().tm_year
    assert (tmp_path / "ours" / f"notes/{year}/a/index.html").read_text() == \
        f"A {year} [C,A,B,D,]\n"
    assert not (tmp_path / "ours" / "notes/2099").exists()


@pytest.mark.parametrize("json_setting", ["", "redirect_from:\n  json: false\n"])
def test_redirects_json_lists_every_redirect_as_jekyll_redirect_from_writes_it(
        tmp_path, json_setting):
    """jekyll-redirect-from writes redirects.json (path -> target: posts oldest first,
    then the collections' documents, then pages; redirect_from before redirect_to), not
    with `redirect_from: json: false`; here there was none. A page with both
    redirect_to and redirect_from gets both, and redirect_to's list its first item
    (`['/blog-new/', '/ignored/']` was the URL here). Against real Jekyll."""
    need_tool("jekyll")
    blog = bare_blog(
        tmp_path,
        "title: T\nurl: https://example.org\nbaseurl: /blog\nplugins: [jekyll-redirect-from]\n"
        "collections:\n  notes:\n    output: true\n  hidden:\n    output: false\n" + json_setting,
        "_posts", "_notes", "_hidden", "sub")
    for name, front in (("_posts/2020-01-02-b.md", "redirect_from: /old-b/"),
                        ("_posts/2020-01-01-a.md", "redirect_from: [old-a.html, /x/ü/]"),
                        ("_notes/n.md", "redirect_from: /n-old/"),
                        ("_hidden/h.md", "redirect_from: /h-old/"),   # never written
                        ("moved.md", "redirect_to: https://other.example/x"),
                        ("sub/page.md", "redirect_to: [/blog-new/, /ignored/]\n"
                                        "redirect_from: /p-old/")):
        (blog / name).write_text(f"---\n{front}\n---\ntext\n")
    jekyll_with_plugins(blog, tmp_path / "jekyll")
    site_builder(blog, "build", "-s", str(blog), "-d", str(tmp_path / "ours"))
    for name in ("sub/page.html", "p-old/index.html", "redirects.json"):
        there = [(tmp_path / side / name).is_file() for side in ("jekyll", "ours")]
        assert there[0] == there[1], name
        if there[0]:
            theirs, ours = outputs(tmp_path, name)
            assert ours == theirs, name
    assert (tmp_path / "ours" / "redirects.json").is_file() == (not json_setting)
    if not json_setting:
        assert (tmp_path / "ours" / "redirects.json").read_text().startswith(
            '{"/old-a.html":"https://example.org/blog/2020/01/01/a.html","/x/ü/":')


def _feed_elements(path: Path) -> list[str]:
    """The feed's elements in order (tag, attributes, text), but its times."""
    import xml.etree.ElementTree as ET
    found = []
    for element in ET.parse(path).getroot().iter():
        text = " ".join((element.text or "").split())
        if element.tag.endswith("updated"):
            text = "(time)"
        found.append(f"{element.tag} {sorted(element.attrib.items())} {text}")
    return found


def test_the_feed_has_jekyll_feeds_entries_languages_and_images(tmp_path):
    """jekyll-feed's feed.xml: `site.lang` as the feed's xml:lang and its link's
    hreflang, a post's `lang` on its entry, `image` (or `image.path`) as
    media:thumbnail and media:content (made absolute unless it has `://`), the
    entries `sort: "date" | reverse` (two posts of one day in the reverse of
    site.posts' order) and `feed: posts_limit:` of them. bulma-clean-theme's and
    no-style-please's feeds lacked the first three and had ties the other way round.
    Element by element against real Jekyll."""
    need_tool("jekyll")
    blog = bare_blog(tmp_path, "title: T\nurl: https://ex.org\nbaseurl: /b\nlang: fr\n"
                     "author: Ann\nplugins: [jekyll-feed]\nfeed:\n  posts_limit: 4\n", "_posts")
    for name, front in (("2020-01-02-b", "image: /img/b.png"),
                        ("2020-01-02-a", "image:\n  path: img/a b.png"),
                        ("2020-01-01-c", "image: https://cdn.example/c.png\nlang: de"),
                        ("2019-01-01-e", ""), ("2019-01-01-d", ""), ("2018-01-01-f", "")):
        (blog / "_posts" / f"{name}.md").write_text(
            f"---\nlayout: default\ntitle: {name[-1].upper()}\n{front}\n---\nText {name}\n")
    jekyll_with_plugins(blog, tmp_path / "jekyll")
    site_builder(blog, "build", "-s", str(blog), "-d", str(tmp_path / "ours"))
    ours, theirs = (_feed_elements(tmp_path / side / "feed.xml") for side in ("ours", "jekyll"))
    assert "{http://search.yahoo.com/mrss/}thumbnail [('url', " \
        "'https://ex.org/b/img/a%20b.png')] " in ours
    assert ours == theirs


@pytest.mark.parametrize("title", ["", "name: N\n", 'title: A & "B" -- x\n',
                                   'title: It\'s "B"\nkramdown:\n  smart_quotes: [apos, apos, quot, quot]\n'])
def test_feed_titles_are_the_blogs_own_as_jekyll_feeds(tmp_path, title):
    """A Jekyll blog's feed title and `{% feed_meta %}` title are its `title` (else
    `name`), smartified; with neither, none. Both had this project's default title
    ("Experiments") for a blog without one. Against real Jekyll."""
    need_tool("jekyll")
    blog = tmp_path / "blog"
    (blog / "_layouts").mkdir(parents=True)
    (blog / "_config.yml").write_text(f"{title}plugins: [jekyll-feed]\n")
    (blog / "_layouts" / "default.html").write_text("{% feed_meta %}|{{ content }}")
    (blog / "index.md").write_text("---\nlayout: default\n---\nx\n")
    jekyll_with_plugins(blog, tmp_path / "jekyll")
    site_builder(blog, "build", "-s", str(blog), "-d", str(tmp_path / "ours"))
    theirs, ours = outputs(tmp_path, "index.html")
    assert ours == theirs and "Experiments" not in ours
    ours, theirs = (_feed_elements(tmp_path / side / "feed.xml") for side in ("ours", "jekyll"))
    assert ours == theirs


def test_the_sitemap_lists_documents_then_pages_as_jekyll_sitemap(tmp_path):
    """jekyll-sitemap's sitemap.xml: the collections' documents first (posts oldest
    first, then the config's collections, dated), then site.html_pages in Jekyll's
    order (`.htm` and folders' URLs too, /404.html never), and its xsi:schemaLocation.
    Ours had the posts newest first, then pages and documents mixed, a collection's
    documents without lastmod (bulma-clean-theme's products). Against real Jekyll,
    the lastmod of the undated document (the build's time) to the day."""
    need_tool("jekyll")
    blog = bare_blog(
        tmp_path, "title: T\nurl: https://ex.org\nplugins: [jekyll-sitemap]\n"
        "collections:\n  products:\n    output: true\n", "_posts", "_products", "b", "a")
    for name, front in (("_posts/2020-01-02-b.md", ""), ("_posts/2020-01-01-a.md", ""),
                        ("_posts/2020-01-03-c.md", "sitemap: false"),
                        ("_products/p2.md", ""), ("_products/p1.md", "date: 2021-05-06"),
                        ("index.md", ""), ("b/index.md", ""), ("a/z.md", ""), ("404.md", ""),
                        ("old.htm", ""), ("data.json", ""), ("hidden.md", "sitemap: false")):
        (blog / name).write_text(f"---\nlayout: default\n{front}\n---\nx\n")
    jekyll_with_plugins(blog, tmp_path / "jekyll")
    site_builder(blog, "build", "-s", str(blog), "-d", str(tmp_path / "ours"))
    import xml.etree.ElementTree as ET
    found = {}
    for side in ("ours", "jekyll"):
        root = ET.parse(tmp_path / side / "sitemap.xml").getroot()
        found[side] = [root.attrib] + [
            (child.tag, (child.text or "").strip()[:10 if child.tag.endswith("lastmod") else None])
            for child in root.iter() if child is not root]
    assert ("{http://www.sitemaps.org/schemas/sitemap/0.9}loc",
            "https://ex.org/products/p1.html") in found["ours"]
    assert found["ours"] == found["jekyll"]


def test_the_seo_tag_writes_what_jekyll_seo_tag_writes(tmp_path):
    """{% seo %} as jekyll-seo-tag 2.8 computes it: titles through markdownify (curly
    quotes), strip_html, normalize_whitespace (ASCII spaces only: a no-break space
    stays) and escape_once; the author from page, `authors` or site, completed by
    _data/authors; `canonical_url`; `image` (a path or a hash with its size and alt)
    as og:image and the large Twitter card; article:published_time; prev/next links;
    Twitter, Facebook and webmaster tags; the JSON-LD (BlogPosting, WebSite on the
    home and about pages, publisher with the logo, sameAs), keys sorted, compact.
    bulma-clean-theme's posts lacked their images, dates and canonical URLs, minima's
    pages had this project's own title. The whole tag's text, against real Jekyll."""
    need_tool("jekyll")
    blog = tmp_path / "blog"
    for folder in ("_layouts", "_posts", "_data"):
        (blog / folder).mkdir(parents=True)
    (blog / "_config.yml").write_text(
        "title: Site's \"T\"\ndescription: All *about* it\ntagline: Tag line\nurl: https://ex.org\n"
        "baseurl: /b\nlang: en-GB\nauthor: ann\nlogo: /img/logo.png\npaginate: 1\n"
        "twitter: {username: '@site', card: summary}\nfacebook: {admins: x1, app_id: 7}\n"
        "webmaster_verifications: {google: g1, bing: b1}\n"
        "social: {name: Ann Org, links: [https://a.example, https://b.example]}\n"
        "plugins: [jekyll-seo-tag, jekyll-paginate]\n")
    (blog / "_data" / "authors.yml").write_text("ann:\n  name: Ann B\n  twitter: annb\n"
                                                "  url: https://ann.example\n")
    (blog / "_layouts" / "default.html").write_text("{% seo %}\n{{ content }}")
    (blog / "index.html").write_text("---\nlayout: default\n---\n{% for p in paginator.posts %}"
                                     "{{ p.title }}{% endfor %}\n")
    (blog / "about.md").write_text("---\nlayout: default\ntitle: About \"us\"\n---\nWho.\n")
    (blog / "plain.md").write_text("---\nlayout: default\nseo: {type: Person, name: Zed}\n"
                                   "description: \"<b>Bold</b> &amp; more\"\n---\nP\n")
    (blog / "_posts" / "2020-01-02-b.md").write_text(
        "---\nlayout: default\ntitle: \"It's *B*\\u00a0now\"\nimage: /img/b b.png\n"
        "canonical_url: https://other.example/b\n---\nB text.\n")
    (blog / "_posts" / "2020-01-01-a.md").write_text(
        "---\nlayout: default\ntitle: A\nauthor: {name: Cy, type: Organization}\n"
        "image: {path: https://cdn.example/a.png, height: 100, width: 200, alt: An A}\n"
        "last_modified_at: 2021-03-04 05:06:07 +0000\n---\nA text.\n")
    (blog / "_posts" / "2019-12-31-c.md").write_text(
        "---\nlayout: default\ntitle: C\nauthors: [dee]\ntwitter: {card: player}\n"
        "image: {twitter: /t.png}\n---\nC text.\n")
    jekyll_with_plugins(blog, tmp_path / "jekyll")
    site_builder(blog, "build", "-s", str(blog), "-d", str(tmp_path / "ours"))
    for name in ("index.html", "page2/index.html", "page3/index.html", "about.html",
                 "plain.html", "2020/01/02/b.html", "2020/01/01/a.html", "2019/12/31/c.html"):
        theirs, ours = outputs(tmp_path, name)
        assert ours == theirs, name
    assert '"headline":"It’s B\u00a0now"' in outputs(tmp_path, "2020/01/02/b.html")[1]


def test_a_redirect_from_a_pages_url_replaces_the_page_as_in_jekyll(tmp_path):
    """jekyll-redirect-from adds its redirect pages to site.pages after every page,
    and Jekyll writes pages, then documents: a redirect from a page's URL is the file
    written there (semver.org's lang/hu/: its spec page and its index both say
    `redirect_from: /lang/hu/`, and the spec's redirect is what Jekyll writes), and
    a post's URL keeps the post. Ours kept the page. Against real Jekyll."""
    need_tool("jekyll")
    blog = tmp_path / "blog"
    for folder in ("_layouts", "_posts", "lang/hu/spec"):
        (blog / folder).mkdir(parents=True)
    (blog / "_config.yml").write_text("title: T\nplugins: [jekyll-redirect-from]\n")
    (blog / "_layouts" / "default.html").write_text("[{{ content }}]\n")
    (blog / "lang/hu/index.md").write_text(
        "---\nlayout: default\nredirect_from: /lang/hu/\n---\nIndex\n")
    (blog / "lang/hu/spec/v2.md").write_text(
        "---\nlayout: default\nredirect_from: /lang/hu/\n---\nSpec\n")
    (blog / "about.md").write_text("---\nlayout: default\nredirect_from: /2020/01/01/a.html\n"
                                   "---\nAbout\n")
    (blog / "_posts" / "2020-01-01-a.md").write_text(
        "---\nlayout: default\nredirect_from: /about.html\n---\nPost\n")
    jekyll_with_plugins(blog, tmp_path / "jekyll")
    site_builder(blog, "build", "-s", str(blog), "-d", str(tmp_path / "ours"))
    for name in ("lang/hu/index.html", "lang/hu/spec/v2.html", "about.html",
                 "2020/01/01/a.html"):
        theirs, ours = outputs(tmp_path, name)
        assert ours == theirs, name
    assert 'href="/lang/hu/spec/v2.html"' in outputs(tmp_path, "lang/hu/index.html")[1]


@pytest.mark.parametrize("setting", ["", "posts_dir: ./_posts\n"])
def test_a_jekyll_blogs_folder_named_posts_is_its_own_not_posts_dir(tmp_path, setting):
    """posts_dir's default (`posts`, this pipeline's folder) is not the posts folder of
    a blog with `_posts/`: benanne.github.io's archive, posts/index.html, was skipped
    as a misnamed post. `posts_dir: ./_posts` (houbb.github.io's, for Jekyll 2) is
    `_posts`: every post was read twice. Against real Jekyll."""
    need_tool("jekyll")
    blog = tmp_path / "blog"
    for folder in ("_layouts", "_posts", "posts"):
        (blog / folder).mkdir(parents=True)
    (blog / "_config.yml").write_text(f"title: T\n{setting}")
    (blog / "_layouts" / "default.html").write_text("[{{ content }}]\n")
    (blog / "_posts" / "2020-01-01-a.md").write_text("---\ntitle: A\n---\nA\n")
    (blog / "posts" / "index.html").write_text(
        "---\nlayout: default\n---\n{% for post in site.posts %}{{ post.title }}{% endfor %}\n")
    (blog / "posts" / "notes.txt").write_text("static\n")
    jekyll_build(blog, tmp_path / "jekyll")
    done = site_builder(blog, "build", "-s", str(blog), "-d", str(tmp_path / "ours"))
    for name in ("posts/index.html", "posts/notes.txt", "2020/01/01/a.html"):
        theirs, ours = outputs(tmp_path, name)
        assert ours == theirs, name
    assert (tmp_path / "ours" / "posts/index.html").read_text() == "[A\n]\n"
    assert "1 post -> " in done.stdout and "1 page, 1 file copied, 0 skipped" in done.stdout
    assert "conflict" not in done.stdout + done.stderr


def test_a_collection_without_output_is_read_and_listed_not_written(tmp_path):
    """Jekyll reads the documents of a collection without `output: true` (rendered,
    listed as site.<name>) and writes none: crystal-lang.org's style guide groups
    site.style_guide, which was empty here. Against real Jekyll."""
    need_tool("jekyll")
    blog = tmp_path / "blog"
    for folder in ("_layouts", "_parts"):
        (blog / folder).mkdir(parents=True)
    (blog / "_config.yml").write_text("title: T\ncollections:\n  parts: {output: false}\n")
    (blog / "_layouts" / "default.html").write_text("[{{ content }}]\n")
    (blog / "_parts" / "h1.md").write_text("---\ntitle: H1\ntype: b\n---\nhidden *one*\n")
    (blog / "_parts" / "h2.md").write_text("---\ntitle: H2\ntype: a\n---\nhidden two\n")
    (blog / "guide.html").write_text(
        '---\nlayout: default\n---\n{% assign g = site.parts | group_by: "type" %}'
        "{% for t in g %}[{{ t.name }}:{% for d in t.items %}{{ d.title }}="
        "{{ d.content | strip }} {{ d.url }};{% endfor %}]{% endfor %}\n")
    build_both(blog, tmp_path)
    theirs, ours = outputs(tmp_path, "guide.html")
    assert ours == theirs
    assert "[b:H1=<p>hidden <em>one</em></p> /parts/h1.html;]" in ours
    assert not (tmp_path / "ours" / "parts").exists()


def test_files_are_written_where_jekyll_writes_them(tmp_path):
    """Jekyll's destination: the URL plus the output extension unless it ends with
    it, `index` for a URL ending in /. houbb.github.io (`permalink:
    /:year/:month/:day/:title`) has posts like `dubbo3.x-01-overview`: written without
    .html here, 99 of its pages were missing. Against real Jekyll."""
    need_tool("jekyll")
    blog = tmp_path / "blog"
    for folder in ("_layouts", "_posts"):
        (blog / folder).mkdir(parents=True)
    (blog / "_config.yml").write_text("title: T\npermalink: /:year/:month/:day/:title\n")
    (blog / "_layouts" / "default.html").write_text("[{{ content }}]\n")
    (blog / "_posts" / "2016-09-25-dubbo3.x-01-overview.md").write_text(
        "---\nlayout: default\n---\ndotted\n")
    (blog / "_posts" / "2016-09-26-plain.md").write_text("---\nlayout: default\n---\nplain\n")
    (blog / "_posts" / "2016-09-27-notes.adoc").write_text("---\n---\n= AsciiDoc\n")
    (blog / "feed.xml").write_text("---\npermalink: /feed\n---\n<feed/>\n")
    (blog / "data.json").write_text('---\npermalink: /api/data/\n---\n{"a": 1}\n')
    (blog / "robots.md").write_text("---\npermalink: /robots.txt\n---\nUser-agent: *\n")
    build_both(blog, tmp_path)
    written = {side: sorted(p.relative_to(tmp_path / side).as_posix()
                            for p in (tmp_path / side).rglob("*") if p.is_file())
               for side in ("jekyll", "ours")}
    assert written["ours"] == written["jekyll"]
    assert "2016/09/25/dubbo3.x-01-overview.html" in written["ours"]
    for name in written["jekyll"]:
        theirs, ours = outputs(tmp_path, name)
        assert ours == theirs, name


def test_an_empty_csv_field_is_nil_as_in_jekyll(tmp_path):
    """Ruby's CSV reads an empty field as nil, false in Liquid: crystal-lang.org's
    conference page showed a "Slides" link for a talk with none. Against real Jekyll."""
    need_tool("jekyll")
    blog = bare_blog(tmp_path, "title: T\n", "_data")
    (blog / "_data" / "talks.csv").write_text("Title,Slides Link,Room\nA,http://s,Main\nB,,\n")
    (blog / "index.html").write_text(
        '---\nlayout: default\n---\n{% for t in site.data.talks %}{{ t.Title }}:'
        '{% if t["Slides Link"] %}Slides{% endif %}:{{ t.Room | default: "none" }};{% endfor %}\n')
    build_both(blog, tmp_path)
    theirs, ours = outputs(tmp_path, "index.html")
    assert ours == theirs == "A:Slides:Main;B::none;\n"


def test_a_csv_field_over_several_lines_keeps_its_line_breaks_as_in_jekyll(tmp_path):
    """A quoted CSV field with blank lines in it (crystal-lang.org's talk abstracts):
    the lines were joined with nothing between them here. CSV and TSV, against Jekyll."""
    need_tool("jekyll")
    blog = bare_blog(tmp_path, "title: T\n", "_data")
    (blog / "_data" / "talks.csv").write_text(
        'Title,Abstract\nA,"One.\n\nTwo, ""quoted""."\nB,plain\n')
    (blog / "_data" / "rooms.tsv").write_text('Room\tNote\nMain\t"up\nstairs"\n')
    (blog / "index.html").write_text(
        "---\nlayout: default\n---\n{% for t in site.data.talks %}[{{ t.Abstract }}]{% endfor %}"
        "{% for r in site.data.rooms %}[{{ r.Note }}]{% endfor %}\n")
    build_both(blog, tmp_path)
    theirs, ours = outputs(tmp_path, "index.html")
    assert ours == theirs == '[One.\n\nTwo, "quoted".][plain][up\nstairs]\n'


def test_a_data_file_of_several_yaml_documents_is_its_first_as_in_jekyll(tmp_path):
    """A data file that ends with `---` (US-RSE's newsletter articles: a second, empty
    document): Psych reads the first document and no further, where the build stopped
    with "expected a single document". Against real Jekyll."""
    need_tool("jekyll")
    blog = bare_blog(tmp_path, "title: T\n", "_data")
    (blog / "_data" / "articles.yml").write_text("---\n- title: A\n- title: B\n---\n")
    (blog / "_data" / "more.yml").write_text("n: 1\n---\nn: 2\n---\nbad: [\n")
    (blog / "index.html").write_text(
        "---\nlayout: default\n---\n{{ site.data.articles | map: 'title' | join: ',' }};"
        "{{ site.data.more.n }}\n")
    build_both(blog, tmp_path)
    theirs, ours = outputs(tmp_path, "index.html")
    assert ours == theirs == "A,B;1\n"


def test_tags_keep_their_yaml_types_as_in_jekyll(tmp_path):
    """Jekyll keeps a tag's YAML type (Document#populate_tags; categories become
    text): US-RSE's tag index looked up `site.tags["2022"]` for `tags: [2022]` and
    found nothing in Jekyll, one post here. A number, a string of words, `tag:` and
    a `tags:` that is one number (none in Jekyll), against real Jekyll."""
    need_tool("jekyll")
    blog = bare_blog(tmp_path, "title: T\n", "_posts")
    for day, front in enumerate(["tags: [workshop, 2022]", "tags: \"a  b\"",
                                 "tag: [x, [y, 2022]]", "tags: 2023"], 1):
        (blog / "_posts" / f"2020-01-0{day}-p{day}.md").write_text(f"---\n{front}\n---\nText.\n")
    (blog / "index.html").write_text(
        "---\nlayout: default\n---\n{% for t in site.tags %}{{ t[0] }}={{ t[1].size }};{% endfor %}"
        "|{{ site.tags['2022'].size }}|{{ site.tags[2022].size }}|{{ site.tags['2023'].size }}"
        "|{% for p in site.posts %}{{ p.tags | join: ',' }}:"
        "{% if p.tags contains '2022' %}text{% endif %}{% if p.tags contains 2022 %}number{% endif %};"
        "{% endfor %}\n")
    build_both(blog, tmp_path)
    theirs, ours = outputs(tmp_path, "index.html")
    assert ours == theirs
    assert ours.startswith("workshop=1;2022=2;a=1;b=1;x=1;y=1;||2|")


def test_a_byte_order_mark_before_front_matter_as_in_jekyll(tmp_path):
    """Jekyll reads layouts and documents as `bom|utf-8`: a layout saved with a byte
    order mark (HSF's blog_post.html: its `--- layout: default ---` was shown on 40
    pages here) and a post still have front matter, an include loses it; a page with
    one is no page to its reader (copied as it is). Against real Jekyll."""
    need_tool("jekyll")
    blog = tmp_path / "blog"
    for folder in ("_layouts", "_includes", "_posts"):
        (blog / folder).mkdir(parents=True)
    bom = "\ufeff"
    (blog / "_config.yml").write_text("title: T\n")
    (blog / "_layouts" / "default.html").write_text("<main>{{ content }}</main>\n")
    (blog / "_layouts" / "post.html").write_text(
        f"{bom}---\nlayout: default\n---\n<h1>{{{{ page.title }}}}</h1>{{{{ content }}}}")
    (blog / "_includes" / "note.html").write_text(f"{bom}note")
    (blog / "_posts" / "2020-01-01-p.md").write_text(
        f"{bom}---\nlayout: post\ntitle: Marked\n---\nText {{% include note.html %}}.\n")
    (blog / "page.md").write_text(f"{bom}---\ntitle: P\n---\nPage\n")
    build_both(blog, tmp_path)
    theirs, ours = outputs(tmp_path, "2020/01/01/p.html")
    assert ours == theirs == "<main><h1>Marked</h1><p>Text note.</p>\n</main>\n"
    assert (tmp_path / "ours" / "page.md").read_bytes() == \
        (tmp_path / "jekyll" / "page.md").read_bytes() == (blog / "page.md").read_bytes()


def test_a_list_as_a_front_matter_key_reads_as_in_jekyll(tmp_path):
    """Psych takes a list as a key (HSF's GSoC posts comment a line out of their front
    matter with Markdown's `[//]: # (photo: x.jpg)`, the key ["//"]); PyYAML refused
    it, and the post lost its front matter (title, date, layout). Built twice (the
    second from the cache), against real Jekyll."""
    need_tool("jekyll")
    blog = tmp_path / "blog"
    for folder in ("_layouts", "_posts"):
        (blog / folder).mkdir(parents=True)
    (blog / "_config.yml").write_text("title: T\n")
    (blog / "_layouts" / "post.html").write_text("<h1>{{ page.title }}</h1>{{ page.year }}")
    (blog / "_posts" / "2020-01-01-p.md").write_text(
        "---\nlayout: post\ntitle: Kept\n[//]: # (photo: blog_authors/x.jpg)\n"
        "? [a, {b: 1}]\n: v\nyear: 2022\n---\nText\n")
    build_both(blog, tmp_path)
    site_builder(blog, "build", "-s", str(blog), "-d", str(tmp_path / "ours"))
    theirs, ours = outputs(tmp_path, "2020/01/01/p.html")
    assert ours == theirs == "<h1>Kept</h1>2022"


def test_include_relative_takes_the_files_front_matter_too_as_in_jekyll(tmp_path):
    """Jekyll's include_relative reads the whole file (IncludeTag#read_file): HSF's
    how-to shows its profile template, front matter and all, in a code block; here
    the front matter was left out. Against real Jekyll."""
    need_tool("jekyll")
    blog = bare_blog(tmp_path, "title: T\n")
    (blog / "part.md").write_text("---\n# Required:\ntitle: \"{{ page.title }}\"\n---\nBody\n")
    (blog / "howto.md").write_text(
        "---\nlayout: default\ntitle: How\n---\n```\n{% include_relative part.md %}\n```\n\n"
        "{% include_relative part.md %}\n")
    build_both(blog, tmp_path)
    theirs, ours = outputs(tmp_path, "howto.html")
    assert ours == theirs
    assert '<code>---\n# Required:\ntitle: "How"\n---\nBody\n' in ours


def test_dates_with_one_digit_months_and_days_are_dates_as_in_jekyll(tmp_path):
    """Psych reads `2022-11-7` as a date (a month or day of one digit), and
    `2022-13-01` as text; PyYAML read the first as text and stopped at the second.
    HSF's training material printed 2022-11-7 where Jekyll prints 2022-11-07. A data
    file and a post's front matter, against real Jekyll."""
    need_tool("jekyll")
    blog = bare_blog(tmp_path, "title: T\n", "_data", "_posts")
    (blog / "_data" / "talks.yml").write_text(
        "- date: 2022-11-7\n- date: 2022-1-07\n- date: 2022-13-01\n- date: 2022-11-07\n")
    (blog / "_posts" / "2020-01-01-p.md").write_text("---\nupdated: 2021-3-4\n---\nText\n")
    (blog / "index.html").write_text(
        "---\nlayout: default\n---\n{% for t in site.data.talks %}{{ t.date }}|"
        "{{ t.date | date: '%d %b %Y' }};{% endfor %}{{ site.posts[0].updated }}\n")
    build_both(blog, tmp_path)
    theirs, ours = outputs(tmp_path, "index.html")
    assert ours == theirs
    assert ours.startswith("2022-11-07|07 Nov 2022;2022-01-07|07 Jan 2022;2022-13-01|")


def test_sass_numbers_keep_ten_digits_as_in_jekyll(tmp_path):
    """A division in a stylesheet (jekyll-theme-next's `1.2857142857em`): Jekyll's
    sassc keeps libsass's precision, 10 digits; ours wrote 5 (`1.28571em`)."""
    need_tool("jekyll")
    blog = tmp_path / "blog"
    (blog / "css").mkdir(parents=True)
    (blog / "_config.yml").write_text("title: T\n")
    (blog / "css" / "main.scss").write_text(
        "---\n---\n.fa-fw { width: (18em / 14); height: 1px * 2 / 3; margin: 10px / 4; }\n")
    build_both(blog, tmp_path)
    theirs, ours = outputs(tmp_path, "css/main.css")
    # Jekyll alone writes a source map and names it (README, Sass)
    theirs = theirs.replace("\n/*# sourceMappingURL=main.css.map */", "")
    assert ours == theirs == ".fa-fw { width: 1.2857142857em; height: 0.6666666667px; margin: 10px / 4; }\n"


def test_a_pages_own_collection_key_is_kept_as_in_jekyll(tmp_path):
    """A page's front matter `collection: portfolio` is its page.collection (a page
    has none of its own): minimal-mistakes' collection layout lists
    site[page.collection], which was empty here (jaketae.github.io's portfolio page).
    Against real Jekyll."""
    need_tool("jekyll")
    blog = tmp_path / "blog"
    for folder in ("_layouts", "_portfolio"):
        (blog / folder).mkdir(parents=True)
    (blog / "_config.yml").write_text("title: T\ncollections:\n  portfolio:\n    output: true\n")
    (blog / "_portfolio" / "a.md").write_text("---\ntitle: Corona map\n---\nx\n")
    (blog / "index.html").write_text(
        "---\ncollection: portfolio\n---\n[{% for d in site[page.collection] %}{{ d.title }}"
        "{% endfor %}] [{{ page.collection }}]\n")
    (blog / "other.html").write_text("---\n---\n[{{ page.collection | default: 'none' }}]\n")
    build_both(blog, tmp_path)
    for name in ("index.html", "other.html"):
        theirs, ours = outputs(tmp_path, name)
        assert ours == theirs, name
    assert "[Corona map] [portfolio]" in outputs(tmp_path, "index.html")[1]


# -- script URLs in Markdown: Jekyll's for a blog's own layouts, refused on our theme ---

SCRIPT_LINKS = ("[run](javascript:alert(1)), [ref][r], ![pic](javascript:x), "
                "[v](vbscript:y)\n\n[r]: javascript:void(0)\n")


def test_script_links_in_a_blogs_own_markdown_are_jekylls(tmp_path):
    """A blog built with its own layouts is its author's Markdown, which Jekyll
    writes with kramdown: a `javascript:` link is a link there, as in Jekyll
    (haacked.com's `[print](javascript:window.print())`). In a post and through
    markdownify. Against real Jekyll."""
    need_tool("jekyll")
    blog = tmp_path / "blog"
    for folder in ("_layouts", "_posts"):
        (blog / folder).mkdir(parents=True)
    (blog / "_config.yml").write_text("title: T\n")
    (blog / "_layouts" / "default.html").write_text("<main>{{ content }}</main>\n")
    (blog / "_posts" / "2024-01-02-links.md").write_text(
        "---\nlayout: default\n---\n" + SCRIPT_LINKS)
    (blog / "page.html").write_text(
        "---\n---\n{{ '[m](javascript:m())' | markdownify }}\n")
    build_both(blog, tmp_path)
    for name in ("2024/01/02/links.html", "page.html"):
        theirs, ours = outputs(tmp_path, name)
        assert ours == theirs, name
    post = outputs(tmp_path, "2024/01/02/links.html")[1]
    assert '<a href="javascript:alert(1)">run</a>' in post and 'src="javascript:x"' in post


def test_script_links_stay_text_on_our_theme(tmp_path):
    """On site-builder's own theme (its blog, where generated posts go) a script URL
    in Markdown stays text, in a post and through markdownify: no link to click."""
    root = new_blog(tmp_path / "blog")
    (root / "posts").mkdir()
    (root / "posts" / "2024-01-02-links.md").write_text(
        "---\ntitle: Links\n---\n" + SCRIPT_LINKS + "\n{{ '[m](javascript:m())' | markdownify }}\n")
    site_builder(root, "build")
    (page,) = (root / "_site").glob("**/links/index.html")
    html = page.read_text()
    assert "[run](javascript:alert(1))" in html and "[m](javascript:m())" in html
    assert not re.search(r"""(?i)(href|src)=["']?\s*(javascript|vbscript):""", html), html


def malformed_blog(blog: Path, setting: str = "") -> Path:
    """A Jekyll blog whose post, page, collection document and layout each have front
    matter that does not read (hellojunho.github.io's `title: "... "~" ..."`), beside a good post."""
    for folder in ("_layouts", "_posts", "_notes", "blog/_posts"):
        (blog / folder).mkdir(parents=True)
    (blog / "_config.yml").write_text(
        "title: T\ntime: 2024-05-06 07:08:09\ncollections:\n  notes:\n    output: true\n"
        "defaults:\n  - scope: {path: ''}\n    values: {layout: default, shown: by-default}\n"
        + setting)
    (blog / "_layouts" / "default.html").write_text(
        "title={{ page.title }} date={{ page.date }} url={{ page.url }} slug={{ page.slug }} "
        "shown={{ page.shown }} tags={{ page.tags | join: ',' }} "
        "excerpt={{ page.excerpt | strip_html | strip }}\n{{ content }}")
    (blog / "_posts" / "2020-01-02-bad-post.md").write_text(
        '---\ntitle: "Database "~" not found"\ntags: [x]\n---\n\nBody of *bad* {{ page.title }}.\n')
    (blog / "blog" / "_posts" / "2020-01-04-in-blog.md").write_text("---\na: [b\n---\nIn blog.\n")
    (blog / "_layouts" / "boxed.html").write_text("---\nlayout: [default\n---\n<b>{{ content }}</b>\n")
    (blog / "_posts" / "2020-01-03-good.md").write_text(
        "---\ntitle: Good\nlayout: boxed\n---\nGood post.\n")
    (blog / "about.md").write_text('---\ntitle: "x" y\n---\nPage {{ page.title }}\n')
    (blog / "_notes" / "one.md").write_text("---\nkey: [unclosed\n---\nNote body\n")
    (blog / "index.html").write_text("---\nlayout: default\n---\n{% for p in site.posts %}"
                                     "{{ p.url }} {{ p.title }} {{ p.date }}|{% endfor %}\n")
    return blog


def test_malformed_front_matter_in_a_jekyll_blog_warns_and_builds_as_jekyll(tmp_path):
    """Front matter that does not read: Jekyll logs a YAML Exception and builds the
    file without it (data {} but for front matter defaults; a post without the date
    and title of its name, dated by the build, no excerpt; its folders' categories
    kept; a layout without its own); the whole build stopped here with exit 2. Now a warning naming file:line,
    and Jekyll's pages, byte for byte. Against real Jekyll."""
    need_tool("jekyll")
    blog = malformed_blog(tmp_path / "blog")
    jekyll_build(blog, tmp_path / "jekyll", warns=True)
    done = site_builder(blog, "build", "-s", str(blog), "-d", str(tmp_path / "ours"))
    written = {side: sorted(str(p.relative_to(tmp_path / side))
                            for p in (tmp_path / side).rglob("*.html")) for side in ("jekyll", "ours")}
    assert written["ours"] == written["jekyll"]
    assert {"2024/05/06/2020-01-02-bad-post.html", "blog/2024/05/06/2020-01-04-in-blog.html"} \
        < set(written["ours"])
    for name in written["jekyll"]:
        theirs, ours = outputs(tmp_path, name)
        assert ours == theirs, name
    said = done.stdout + done.stderr
    for where in ("_posts/2020-01-02-bad-post.md:2", "about.md:2", "_notes/one.md:3",
                  "blog/_posts/2020-01-04-in-blog.md:3", "_layouts/boxed.html:3"):
        assert f"warning: {where}: malformed front matter" in said, said
    assert said.count("built without it, as Jekyll does") == 4
    assert (tmp_path / "ours" / "2020/01/03/good.html").read_text() == "<b><p>Good post.</p>\n</b>\n"


@pytest.mark.parametrize("setting, flag", [("strict_front_matter: true\n", []),
                                           ("", ["--strict_front_matter"])])
def test_malformed_front_matter_stops_the_build_under_strict_front_matter(tmp_path, setting, flag):
    """`strict_front_matter: true` (Jekyll's option, or its `--strict_front_matter`)
    makes it an error: exit 2, the file and line named, as Jekyll fails the build."""
    need_tool("jekyll")
    blog = malformed_blog(tmp_path / "blog", setting)
    jekyll = subprocess.run([*crosscheck.jekyll_command(), "--source", str(blog), "--destination",
                             str(tmp_path / "jekyll"), *flag], capture_output=True, text=True,
                            env=JEKYLL_ENV, cwd=blog)
    assert jekyll.returncode != 0 and "YAML Exception" in jekyll.stdout + jekyll.stderr
    done = site_builder(blog, "build", "-s", str(blog), "-d", str(tmp_path / "ours"), *flag,
                        check=False)
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    assert "_posts/2020-01-02-bad-post.md:2: malformed front matter" in done.stderr
    assert not (tmp_path / "ours").exists()


def test_front_matter_that_is_no_mapping_is_a_documents_warning_and_a_pages_error(tmp_path):
    """YAML that reads, but as a list or a string: Jekyll's Document#read says it
    could not read the file and builds it without front matter (a post dated by the
    build), where a page's stops the build (Invalid YAML front matter). Here the
    post's stopped the build too, exit 2. Against real Jekyll."""
    need_tool("jekyll")
    blog = bare_blog(tmp_path, "title: T\ntime: 2024-05-06 07:08:09\n"
                     "collections:\n  notes:\n    output: true\n", "_posts", "_notes")
    (blog / "_layouts" / "default.html").write_text("<main>{{ page.title }}|{{ content }}</main>\n")
    (blog / "_posts" / "2020-01-01-listed.md").write_text("---\n- a\n- b\n---\nA *list* post\n")
    (blog / "_posts" / "2020-01-02-good.md").write_text("---\ntitle: Good\nlayout: default\n---\nGood\n")
    (blog / "_notes" / "said.md").write_text("---\njust words\n---\nA note\n")
    jekyll_build(blog, tmp_path / "jekyll", warns=True)
    done = site_builder(blog, "build", "-s", str(blog), "-d", str(tmp_path / "ours"))
    written = {side: sorted(str(p.relative_to(tmp_path / side))
                            for p in (tmp_path / side).rglob("*.html")) for side in ("jekyll", "ours")}
    assert written["ours"] == written["jekyll"]
    assert "2024/05/06/2020-01-01-listed.html" in written["ours"]
    for name in written["jekyll"]:
        theirs, ours = outputs(tmp_path, name)
        assert ours == theirs, name
    said = done.stdout + done.stderr
    assert "warning: _posts/2020-01-01-listed.md:2: front matter must be 'key: value' lines, " \
           "got a list; built without it" in said, said
    assert "warning: _notes/said.md:2: front matter must be 'key: value' lines, got a str" in said
    (blog / "about.md").write_text("---\n- a list\n---\nAbout\n")
    jekyll = subprocess.run([*crosscheck.jekyll_command(), "--source", str(blog), "--destination",
                             str(tmp_path / "jekyll2")], capture_output=True, text=True,
                            env=JEKYLL_ENV, cwd=blog)
    assert jekyll.returncode != 0 and "Invalid YAML front matter" in jekyll.stdout + jekyll.stderr
    done = site_builder(blog, "build", "-s", str(blog), "-d", str(tmp_path / "ours2"), check=False)
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    assert "about.md:2: front matter must be 'key: value' lines, got a list" in done.stderr


def test_malformed_front_matter_in_our_posts_folder_stays_an_error(tmp_path):
    """This pipeline's own posts folder (`posts/`, where `make post` writes) keeps bad
    input an error, exit 2, while a page of the same blog is built as Jekyll builds it."""
    blog = new_blog(tmp_path / "blog")
    (blog / "posts").mkdir()
    (blog / "about.md").write_text('---\ntitle: "x" y\n---\nAbout\n')
    (blog / "posts" / "2021-01-01-fine.md").write_text("---\ntitle: Fine\n---\nHello.\n")
    done = site_builder(blog, "build")
    assert "warning: about.md:2: malformed front matter" in done.stdout + done.stderr
    (blog / "posts" / "2021-01-02-bad.md").write_text("---\ntitle: [unclosed\n---\nBody\n")
    done = site_builder(blog, "build", check=False)
    assert done.returncode == 2
    assert "posts/2021-01-02-bad.md:3: malformed front matter" in done.stderr


def test_a_collection_not_output_has_its_static_files_listed_not_written(tmp_path):
    """A collection without `output: true`: Jekyll lists its files that have no front
    matter in site.static_files (and jekyll-sitemap lists its PDFs), but writes none
    of them. Ours left them out of the list. Against real Jekyll."""
    need_tool("jekyll")
    blog = bare_blog(tmp_path, "title: T\nurl: http://127.0.0.1\nplugins: [jekyll-sitemap]\n"
                     "collections:\n  notes: {}\n  papers:\n    output: true\n",
                     "_notes/img", "_papers")
    for name, text in (("_notes/a.pdf", "pdf"), ("_notes/img/b.png", "png"), ("_papers/p.pdf", "p"),
                       ("top.pdf", "top"), ("_notes/n.md", "---\ntitle: N\n---\nnote\n")):
        (blog / name).write_text(text + "\n")
    (blog / "index.html").write_text(
        "---\nlayout: default\n---\n{% for f in site.static_files %}{{ f.path }} "
        "{{ f.collection }} {{ f.name }}|{% endfor %}\n")
    jekyll_with_plugins(blog, tmp_path / "jekyll")
    site_builder(blog, "build", "-s", str(blog), "-d", str(tmp_path / "ours"))
    written = {side: sorted(str(p.relative_to(tmp_path / side)) for p in (tmp_path / side).rglob("*")
                            if p.is_file()) for side in ("jekyll", "ours")}
    assert written["ours"] == written["jekyll"]
    assert not any(name.startswith(("notes", "_notes")) for name in written["ours"])
    for name in ("index.html", "sitemap.xml"):
        theirs, ours = outputs(tmp_path, name)
        assert ours == theirs, name
    assert "_notes/a.pdf notes a.pdf|_notes/img/b.png notes b.png|" in outputs(tmp_path, "index.html")[1]


def test_the_sitemap_lists_static_html_and_pdf_files_as_jekyll_sitemap(tmp_path):
    """jekyll-sitemap lists after the blog's pages jekyll-paginate's (/page2/...),
    then the static files named .htm, .html, .xhtml or .pdf (case as written: not
    `.PDF`), but a 404.html and those `defaults:` give `sitemap: false`, each with
    its file's modification time in the site's zone: the blog's by path, then each
    collection's (at its `_name/` path). Ours listed neither (andrewcharlesjones.github.io:
    16 pagers, 4 PDFs). Against real Jekyll."""
    need_tool("jekyll")
    blog = bare_blog(
        tmp_path, "title: T\nurl: https://ex.org\nbaseurl: /base\ntimezone: Asia/Tokyo\n"
        "plugins: [jekyll-sitemap, jekyll-paginate]\npaginate: 1\n"
        "collections:\n  things:\n    output: true\n"
        "defaults:\n  - scope: {path: skip}\n    values: {sitemap: false}\n",
        "docs", "skip", "_things", "b", "_posts")
    (blog / "index.html").write_text("---\nlayout: default\n---\n{{ paginator.page }}\n")
    (blog / "about.md").write_text("---\nlayout: default\n---\nx\n")
    for day in (1, 2, 3):
        (blog / "_posts" / f"2020-01-0{day}-p.md").write_text("---\nlayout: default\n---\np\n")
    for i, name in enumerate(("b/z.pdf", "a.pdf", "docs/index.html", "x.htm", "y.xhtml",
                              "404.html", "up.PDF", "img.png", "skip/s.pdf", "_things/t.pdf",
                              "docs/a b&c.html")):
        (blog / name).write_text("static\n")
        os.utime(blog / name, (1600000000 + i * 86400 + i, 1600000000 + i * 86400 + i))
    jekyll_with_plugins(blog, tmp_path / "jekyll")
    site_builder(blog, "build", "-s", str(blog), "-d", str(tmp_path / "ours"))
    import xml.etree.ElementTree as ET
    found = {}
    for side in ("ours", "jekyll"):
        root = ET.parse(tmp_path / side / "sitemap.xml").getroot()
        found[side] = [(child.tag.split("}")[1], (child.text or "").strip())
                       for child in root.iter() if child.tag.endswith(("loc", "lastmod"))]
    assert ("loc", "https://ex.org/base/docs/") in found["ours"]
    assert ("loc", "https://ex.org/base/page3/") in found["ours"]
    assert ("lastmod", "2020-09-14T21:26:41+09:00") in found["ours"]   # a.pdf's time
    assert found["ours"] == found["jekyll"]
    theirs, ours = outputs(tmp_path, "sitemap.xml")
    assert ours == theirs   # byte for byte: the plugin's layout, one element a line


def test_a_no_break_space_after_the_front_matter_is_the_bodys_as_in_jekyll(tmp_path):
    """Jekyll's front matter pattern ends with Ruby's `\\s*$`, which knows ASCII white
    space only: a line holding a no-break space right after the closing `---` is the
    body's (kramdown writes it as a paragraph), where ours took it as blank and left it
    out; `post.content | strip_html | truncate: 30` then cut two characters later
    (houbb.github.io's page8). Against real Jekyll, byte for byte."""
    need_tool("jekyll")
    blog = bare_blog(tmp_path, "title: T\n", "_posts")
    (blog / "_posts" / "2020-01-02-a.md").write_text(
        "---\nlayout: default\n---\n\u00a0\n# Title\n\nAttention Is All You Need, said they.\n")
    (blog / "_posts" / "2020-01-03-b.md").write_text(
        "---\nlayout: default\n---\n \n\t\nPlain spaces are blank.\n")
    (blog / "index.html").write_text("---\n---\n{% for post in site.posts %}"
                                     "[{{ post.content | strip_html | truncate: 30 }}]{% endfor %}\n")
    build_both(blog, tmp_path)
    for name in ("index.html", "2020/01/02/a.html", "2020/01/03/b.html"):
        theirs, ours = outputs(tmp_path, name)
        assert ours == theirs, name
    assert (tmp_path / "ours" / "2020/01/02/a.html").read_text().startswith("<p>\u00a0</p>\n")


def test_site_static_files_list_a_collections_files_as_jekyll(tmp_path):
    """site.static_files: the blog's files by path, then each collection's, whose
    `path` is its relative_path in the `_name/` folder, no leading slash (not where it
    is written), and `collection` its label. Ours had `/things/s.txt`, no collection,
    and every file sorted by output path. Against real Jekyll."""
    need_tool("jekyll")
    blog = tmp_path / "blog"
    for folder in ("_layouts", "_things/sub", "z"):
        (blog / folder).mkdir(parents=True)
    (blog / "_config.yml").write_text("title: T\ncollections:\n  things:\n    output: true\n")
    for name in ("_things/s.txt", "_things/sub/b.pdf", "z/z.txt", "a.txt", "b.txt"):
        (blog / name).write_text("x\n")
    (blog / "index.html").write_text(
        "---\n---\n{% for f in site.static_files %}{{ f.path }} {{ f.collection }} "
        "{{ f.name }} {{ f.extname }}|{% endfor %}\n")
    build_both(blog, tmp_path)
    theirs, ours = outputs(tmp_path, "index.html")
    assert ours == theirs
    assert "_things/s.txt things s.txt .txt|" in ours


def test_categories_and_tags_split_at_ascii_spaces_as_in_jekyll(tmp_path):
    """`categories:` and `tags:` given as a string are split as Ruby's String#split
    splits: at ASCII white space only, so `技术\u3000笔记` (an ideographic space) is one
    category and `a\u00a0b` one tag; Python's split cut them, and the post's URL had
    one folder more. Against real Jekyll."""
    need_tool("jekyll")
    blog = tmp_path / "blog"
    for folder in ("_layouts", "_posts"):
        (blog / folder).mkdir(parents=True)
    (blog / "_config.yml").write_text("title: T\n")
    (blog / "_layouts" / "default.html").write_text(
        '{{ page.categories | join: "|" }}/{{ page.tags | join: "|" }}\n{{ content }}')
    (blog / "_posts" / "2020-01-02-a.md").write_text(
        '---\nlayout: default\ncategories: "技术\u3000笔记 x"\ntags: "a\u00a0b \tc"\n---\nx\n')
    (blog / "index.html").write_text("---\n---\n{% for c in site.categories %}{{ c[0] }};{% endfor %}"
                                     "/{% for t in site.tags %}{{ t[0] }};{% endfor %}\n")
    build_both(blog, tmp_path)
    post = "技术\u3000笔记/x/2020/01/02/a.html"
    for name in ("index.html", post):
        theirs, ours = outputs(tmp_path, name)
        assert ours == theirs, name


def test_feed_entries_are_what_jekyll_feeds_template_writes(tmp_path):
    """jekyll-feed's entry: its title through smartify (curly quotes, `&` as `&amp;`),
    strip_html and normalize_whitespace; the content stripped; the author from
    `author`, else `authors[0]`, else the site's, looked up in `_data/authors.yml` with
    its email and uri (always an <author>); `category` alone when the post has one;
    the summary `description`, else the whole excerpt, none when empty. Ours had
    straight quotes, our theme's 40-word excerpt, and a trailing newline in content.
    Every leaf element's exact text against real Jekyll."""
    import xml.etree.ElementTree as ET
    need_tool("jekyll")
    blog = tmp_path / "blog"
    for folder in ("_layouts", "_posts", "_data"):
        (blog / folder).mkdir(parents=True)
    (blog / "_config.yml").write_text("title: T\nurl: https://ex.org\nauthor: Site Author\n"
                                      "plugins: [jekyll-feed]\n")
    (blog / "_data" / "authors.yml").write_text(
        "ann:\n  name: Ann A.\n  email: ann@ex.org\n  uri: https://ann.ex.org\n")
    (blog / "_layouts" / "default.html").write_text("{{ content }}")
    long = " ".join(f"word{i}" for i in range(60))
    for name, front, body in (
            ("2020-01-01-a", 'title: "Don\'t say \\"x\\" & <b>y</b>"\nauthor: ann\ncategory: One',
             f"{long} \"quoted\".\n\nSecond."),
            ("2020-01-02-b", "title: B\nauthors: [Bob, Carl]\ncategories: [c1, c2]\n"
                             "description: Its own words.", "Body b."),
            ("2020-01-03-c", "title: C\nexcerpt_separator: \"\"", "Body c.\n"),
            ("2020-01-04-d", "title: D -- e\nauthor:\n  name: Dee\n  email: d@ex.org", "Body d.")):
        (blog / "_posts" / f"{name}.md").write_text(
            f"---\nlayout: default\n{front}\n---\n{body}\n")
    jekyll_with_plugins(blog, tmp_path / "jekyll")
    site_builder(blog, "build", "-s", str(blog), "-d", str(tmp_path / "ours"))
    found = {}
    for side in ("ours", "jekyll"):
        root = ET.parse(tmp_path / side / "feed.xml").getroot()
        found[side] = [(e.tag, sorted(e.attrib.items()), e.text or "") for e in root.iter("*")
                       if not len(e) and not e.tag.endswith("updated")]
    assert any(text == "Don’t say “x” &amp; y" for _, _, text in found["ours"])
    assert found["ours"] == found["jekyll"]


def test_a_day_past_the_months_end_runs_into_the_next_month_as_in_jekyll(tmp_path):
    """Ruby's Time.parse (Jekyll's dates) takes a day up to 31 past its month's end
    into the next month: `date: 2020-02-30` is March 1st, in the URL and page.date, and
    `"2021-02-29" | date: "%F"` is 2021-03-01; a 32nd is no date. Ours stopped the build
    ('date: cannot read') and left the filter's input as it was. Against real Jekyll."""
    need_tool("jekyll")
    blog = tmp_path / "blog"
    for folder in ("_layouts", "_posts"):
        (blog / folder).mkdir(parents=True)
    (blog / "_config.yml").write_text("title: T\n")
    (blog / "_layouts" / "default.html").write_text("{{ page.date }}|{{ content }}")
    (blog / "_posts" / "2020-01-01-a.md").write_text("---\nlayout: default\ndate: 2020-02-30\n---\na\n")
    (blog / "index.html").write_text('---\n---\n{{ "2021-02-29" | date: "%F" }} '
                                     '{{ "2020-04-31 24:00" | date: "%F %T" }} '
                                     '{{ "2020-02-32" | date: "%F" }}\n')
    build_both(blog, tmp_path)
    for name in ("index.html", "2020/03/01/a.html"):
        theirs, ours = outputs(tmp_path, name)
        assert ours == theirs, name
    assert outputs(tmp_path, "index.html")[1] == "2021-03-01 2020-05-02 00:00:00 2020-02-32\n"
