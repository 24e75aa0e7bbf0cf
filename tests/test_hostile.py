"""Hostile and careless input (issue 15): nothing written outside the blog, no script
in pages from outside strings, one lock per run, one line and exit 2 for every mistake."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from conftest import REPO

# -- Markdown in time linear in the post's size ----------------------------------------

# Shapes that each made a post's Markdown quadratic: many paragraphs (the source split
# into lines once per paragraph), HTML elements never closed (each scanned to the end),
# attribute lists after lazy lines in one long list (each searched back to its start).
LONG_POST = textwrap.dedent("""\
    import sys, time
    sys.path.insert(0, {repo!r})
    from site_builder.site import kramdown
    text = ("A paragraph with *emphasis* and a [link](https://example.org).\\n\\n" * 20000
            + "<div>\\nnever closed\\n\\n" * 8000
            + "- item\\n  - nested\\n{{: .x}}\\n\\n" * 8000)
    html = kramdown.renderer().render(text)
    print(html.count("<p>"), html.count("<div>"), html.count('<ul class="x'))
    """)


def test_long_post_renders_in_linear_time():
    # A guard, not a timing: the shapes above took minutes before; they take a second
    # or two now (bench/markdown.py measures the ratios).
    result = subprocess.run([sys.executable, "-c", LONG_POST.format(repo=str(REPO))],
                            capture_output=True, text=True, timeout=90, check=True)
    paragraphs, divs, lists = map(int, result.stdout.split())
    assert paragraphs >= 20000 + 8000 and divs == 8000 and lists == 1
