"""Work done ahead (ahead.py): while a cold build reads its sources on one core, a
forked process converts the Markdown and Sass that need no Liquid; the build uses
a result only where its own text is exactly the one converted."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from site_builder.errors import BuildError
from site_builder.site import ahead, build
from site_builder.site.kramdown import renderer
from site_builder.site.sass import compile_sass
from conftest import snapshot, write

CODE = "```python\nprint('hi')\n```\n"


def _blog(root: Path, posts: int = ahead.MIN_SOURCES + 2) -> Path:
    write(root / "_config.yml", "title: Ahead\nsass:\n  style: compressed\n")
    write(root / "_layouts" / "post.html", "<main>{{ content }}</main>\n")
    write(root / "_sass" / "_colours.scss", "$ink: #123;\n")
    write(root / "css" / "main.scss", "---\n---\n@import \"colours\";\nbody { color: $ink; }\n")
    for n in range(posts):
        liquid = n % 5 == 0   # every fifth has Liquid: never converted ahead
        write(root / "_posts" / f"2021-03-{n % 28 + 1:02d}-post-{n}.md",
              f"---\ntitle: Post {n}\nlayout: post\n---\nPost *{n}*, \"quoted\".\n\n"
              + ("{{ page.title }}\n" if liquid else "") + (CODE if n % 3 == 0 else ""))
    return root


def test_what_is_converted_ahead_is_what_the_build_would_convert(tmp_path: Path) -> None:
    root = _blog(tmp_path / "blog")
    config = {"title": "Ahead", "sass": {"style": "compressed"}}
    results = list(ahead._results(root, config, root / "_site", False, True))
    assert results[0][0] == "sass"   # the stylesheet first, then the shortest documents
    css = results[0][2]
    assert css == compile_sass(results[0][1][0], "css/main.scss", ".scss", root, config, 3)
    assert css.strip() == "body{color:#123}"
    md = renderer(None, script_links=True)
    converted = {body: value for kind, body, value in results if kind == "md"}
    assert len(converted) == 40   # the ten with Liquid are not there
    assert not any("{{" in body for body in converted)
    for body, (html, blocks) in converted.items():
        used: dict[str, str] = {}
        assert html == md.render(body, {"highlighted": {}, "used": used}) and blocks == used
    assert sum(bool(blocks) for _, blocks in converted.values()) == 13   # highlighted code
    assert list(ahead._results(_blog(tmp_path / "small", posts=3), config, tmp_path, False,
                               True)) == []   # too few sources to be worth a process


@pytest.mark.parametrize("text", [
    "---\n---\nBody\n", "---\ntitle: T\n---\n\n\n  \nBody\n", "--- \ntitle: T\n...\nBody",
    "---\ntitle: [bad\n---\nBody\n", "---\n- a list\n---\nBody\n", "---\ntitle: T\n---\n  ",
    "---\ntitle: T\n---Body\n---\nmore\n", "---\ntitle: T\n", "No front matter\n---\n",
])
def test_the_body_is_found_as_the_build_finds_it(text: str) -> None:
    """body_start finds the body without reading the YAML; where it finds one, it is
    the body split_front_matter gives (whose YAML may not even read)."""
    from site_builder.frontmatter import body_start, split_front_matter
    start = body_start(text)
    try:
        _, body, line, _ = split_front_matter(text, "t.md", unclosed_is_body=True,
                                              malformed=[], document=True)
    except BuildError:
        assert start is not None   # the build stops there: whatever is converted is unused
        return
    if start is None:
        assert body == text or not text.startswith("---")
    elif start < len(text):
        assert (text[start:], text.count("\n", 0, start) + 1) == (body, line)


def test_a_cold_build_takes_what_was_converted_ahead(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Given time to finish (here: waited for), the process converts every document
    without Liquid, and the build's own processes convert none of them; the site is
    the one a build on one core makes."""
    if (os.cpu_count() or 1) < 2 or len(os.sched_getaffinity(0)) < 2:
        pytest.skip("one core: nothing is done ahead")
    root = _blog(tmp_path / "blog")
    alone = shutil.copytree(root, tmp_path / "alone")
    build(alone, jobs=1)
    converted = tmp_path / "converted.txt"
    real = MarkdownIt.render

    def noted(self: MarkdownIt, text: str, env: dict | None = None) -> str:
        with open(converted, "a") as notes:   # (a worker's list would be lost with it)
            notes.write(f"{os.getpid()} {text!r}\n")
        return real(self, text, env)
    monkeypatch.setattr(MarkdownIt, "render", noted)
    from site_builder.site.sources import _read_text
    bodies = {repr(_read_text(path, "").split("---\n", 2)[2])
              for path in (root / "_posts").iterdir()}
    config = {"title": "Ahead", "sass": {"style": "compressed"}}
    monkeypatch.setattr(os, "getloadavg", lambda: (2.0, 2.0, 2.0))   # both cores taken:
    ahead.start(root, config, root / "_site", drafts=False, jobs=2)
    assert ahead._running is None   # nothing done ahead: it would take from others' work
    monkeypatch.setattr(os, "getloadavg", lambda: (0.2, 0.2, 0.2))
    ahead.start(root, config, root / "_site", drafts=False, jobs=2)
    early = ahead._running.pid
    try:
        _wait_for(early)
        assert build(root, jobs=2).rendered == ahead.MIN_SOURCES + 2
    finally:
        ahead.stop()
    calls = [line.split(" ", 1) for line in converted.read_text().splitlines()]
    assert sum(body in {text for pid, text in calls if pid == str(early)} for body in bodies) == 40
    texts = {text for pid, text in calls if pid != str(early)}
    assert not bodies & texts   # the build converted none of those
    assert sum("\\n\\nPost " in text for text in texts) == 10   # those with Liquid, rendered
    assert snapshot(root / "_site") == snapshot(alone / "_site")


def _wait_for(pid: int) -> None:
    """Until the process has ended (left for ahead.stop() to reap)."""
    for _ in range(600):
        if Path(f"/proc/{pid}/stat").read_text().split(")")[1].split()[0] == "Z":
            return
        time.sleep(0.05)
    raise AssertionError("the process working ahead did not end")


@pytest.mark.parametrize("bad, said", [
    ("---\ndate: soon\n---\nBad.\n", "2021-04-01-bad.md:2: date: cannot read"),   # reading
    ("---\ntitle: B\n---\n{% if x %}never closed\n", "2021-04-01-bad.md:5: Liquid"),  # rendering
])
def test_a_build_that_fails_leaves_no_process_behind(tmp_path: Path, bad: str, said: str,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    root = _blog(tmp_path / "blog")
    write(root / "_posts" / "2021-04-01-bad.md", bad)
    started = []
    real = os.fork
    monkeypatch.setattr(os, "fork", lambda: started.append(1) or real())
    monkeypatch.setattr(os, "getloadavg", lambda: (0.2, 0.2, 0.2))   # (a quiet machine)
    with pytest.raises(BuildError, match=said):
        build(root, jobs=2)
    if len(os.sched_getaffinity(0)) >= 2:
        assert started   # (the process working ahead, at least)
    assert ahead._running is None
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)   # no child at all, running or ended
