"""Includes' texts kept for the values they read (liquid_tags._IncludeMemo): pages
rendered one after the other in one environment, includes kept or not, give the same
texts, leave the same variables and note the same items' content as read as when
every include is rendered each time."""

from __future__ import annotations

from pathlib import Path

import pytest
from liquid.exceptions import LiquidError

from site_builder.site import liquid_tags
from site_builder.site.jekyll_layouts import Drop, Reads
from site_builder.site.liquid_tags import JekyllEnvironment, JekyllTemplate

INCLUDES = {
    # reads only the site: kept once for every page
    "nav.html": "{% for s in site.data.nav %}<h4>{{ s.title }}</h4>{% for i in s.items %}"
                "{% assign p = site.docs | where: 'url', i | first %}"
                "{% capture link %}<a href='{{ p.url | relative_url }}'>{{ p.menu | default: "
                "p.title }}</a>{% endcapture %}[{{ link }}]{% endfor %}{% endfor %}",
    # reads the page: kept for each URL
    "current.html": "{% for d in site.docs %}{% if d.url == page.url %}*{% endif %}"
                    "{{ d.title }}{% endfor %}",
    # a parameter, a caller's variable, a name it assigns and reads first
    "params.html": "({{ include.a }}|{{ include.b | default: 'nb' }}|{{ outer }}|{{ n }}"
                   "{% assign n = include.a | append: 'x' %}|{{ n }})",
    # assigns only sometimes
    "maybe.html": "{% if include.set %}{% assign m = 'set' %}{% endif %}<{{ m }}>",
    # a caller's loop: its index changes
    "index.html": "{{ forloop.index }}:{{ x }}",
    # an item's content: its read noted, so never kept
    "content.html": "{% assign d = site.docs | where: 'content', 'second body' | first %}"
                    "{{ d.title }}",
    "content2.html": "{{ site.docs[1].content }}",
    # 1 and true, 1 and 1.0
    "value.html": "[{{ include.v }}]",
    "loops.html": "{% for i in (1..3) %}{{ i }}{% if i == 2 %}{% break %}{% endif %}"
                  "{% endfor %}{% for d in site.docs limit: 1 %}{{ d.title }}{% endfor %}",
    "deep.html": "{% for a in (1..1) %}{% for b in (1..1) %}{{ a }}{{ b }}"
                 "{% endfor %}{% endfor %}",
    "dynamic.html": "{{ site.data[page.lang].hello }}",
    "time.html": "{{ site.time | date: '%Y' }}",
    # reads what it captures into, before it does
    "capture.html": "{% capture c %}[{{ c }}]{% endcapture %}{{ c }}",
}

PAGE = ("{% include nav.html %}{% include current.html %}{{ p.title }}{{ link }}"
        "{% include params.html a='one' %}{% include params.html a='one' %}{{ n }}"
        "{% include params.html a=page.url b=page.title %}{% include maybe.html set=true %}"
        "{% include maybe.html %}{{ m }}{% assign m = 'caller' %}{% include maybe.html %}"
        "{% for x in (1..3) %}{% include index.html %}{% endfor %}{% include index.html %}"
        "{% include content.html %}{% include content2.html %}"
        "{% include value.html v=1 %}{% include value.html v=true %}"
        "{% include value.html v=1.0 %}{% include value.html v=page.none %}"
        "{% include loops.html %}{% include deep.html %}{% include dynamic.html %}"
        "{% include time.html %}{% assign outer = page.url %}{% include params.html a='one' %}"
        "{% for m in (1..2) %}{% include maybe.html %}{% endfor %}{% include capture.html %}"
        "{% assign c = page.title %}{% include capture.html %}{% include capture.html %}")

DOCS = [{"title": "First", "url": "/first/", "menu": "M1", "path": "_docs/first.md",
         "content": "first body"},
        {"title": "Second", "url": "/second/", "path": "_docs/second.md",
         "content": "second body"}]


def pages(reads: Reads) -> list[dict]:
    docs = [Drop(dict(doc), reads) for doc in DOCS]
    site = {"title": "Site", "docs": docs, "time": "2024-05-01",
            "data": {"nav": [{"title": "Docs", "items": ["/first/", "/second/", "/none/"]}],
                     "en": {"hello": "hi"}, "fr": {"hello": "salut"}}}
    found = []
    for url, title, lang in [("/first/", "First", "en"), ("/second/", "Second", "fr"),
                             ("/first/", "Again", "en"), ("/other/", "Other", "en")]:
        found.append({"site": site, "page": {"url": url, "title": title, "lang": lang}})
    return found


def build(tmp_path: Path, monkeypatch, kept: bool, depth: int = 100) -> list:
    if not kept:
        monkeypatch.setattr(liquid_tags._IncludeMemo, "of", staticmethod(lambda t: None))
    folder = tmp_path / "_includes"
    if not folder.is_dir():
        folder.mkdir()
        for name, text in INCLUDES.items():
            (folder / name).write_text(text)
    env = JekyllEnvironment(tmp_path, {"baseurl": "/b", "url": "http://x.org"}, {})
    env.context_depth_limit = depth
    reads = Reads()
    results = []
    for data in pages(reads):
        reads.names = set()
        try:
            text = env.from_string(PAGE).render(**data)
        except LiquidError as exc:
            text = f"{type(exc).__name__}: {exc}"
        results.append((text, sorted(reads.names)))
    monkeypatch.undo()
    return results, env


@pytest.mark.parametrize("compiled", [True, False])
def test_kept_include_texts_are_those_rendered_each_time(tmp_path, monkeypatch, compiled):
    monkeypatch.setenv("SITE_BUILDER_LIQUID_COMPILE", "1" if compiled else "0")
    monkeypatch.setattr(JekyllTemplate, "renders", 1)   # compiled at its first render
    plain, _ = build(tmp_path, monkeypatch, kept=False)
    monkeypatch.setenv("SITE_BUILDER_LIQUID_COMPILE", "1" if compiled else "0")
    monkeypatch.setattr(JekyllTemplate, "renders", 1)
    kept, env = build(tmp_path, monkeypatch, kept=True)
    assert kept == plain
    memos = env.include_memos
    # kept where it may be, and taken again
    assert memos["nav.html"].hits == 3 and memos["value.html"].misses == 4
    assert memos["current.html"].hits == 1   # /first/ twice
    assert memos["content.html"] is False and memos["content2.html"] is False
    # only where no caller's loop runs (each page once)
    assert (memos["index.html"].hits, memos["index.html"].misses) == (3, 1)


@pytest.mark.parametrize("depth", range(3, 9))
def test_an_include_near_the_depth_limit_is_rendered(tmp_path, monkeypatch, depth):
    """Where its rendering could be too deep, an include's kept text is not taken:
    the same error as rendering it."""
    monkeypatch.setattr(JekyllTemplate, "renders", 1)
    plain, _ = build(tmp_path, monkeypatch, kept=False, depth=depth)
    monkeypatch.setattr(JekyllTemplate, "renders", 1)
    kept, env = build(tmp_path, monkeypatch, kept=True, depth=depth)
    assert kept == plain


def test_an_include_kept_for_the_whole_site_is_not_compiled(tmp_path, monkeypatch):
    """An include with a loop is compiled before its first render, unless its text is
    kept for the whole site (it reads only the site): rendered once, then taken."""
    monkeypatch.setenv("SITE_BUILDER_LIQUID_COMPILE", "1")
    _, env = build(tmp_path, monkeypatch, kept=True)
    nav, current = env.includes["nav.html"], env.includes["current.html"]
    assert (nav.once, nav.renders, nav.compiled) == (True, 1, None)
    assert current.eager and not current.once and current.compiled
