"""Random Markdown through our renderer and through real kramdown (Ruby, with Jekyll
4.3's options), compared byte for byte, the highlighter's token spans aside (rouge's
are not Pygments'): how far from kramdown we are beyond the corpus and real blogs.

    .venv/bin/python bench/kramdown_random.py [--blog 1000] [--soup 400] [--seed 1] [--show 3]

--blog: documents of blog-like Markdown (tests/markdown_samples.py: paragraphs with
emphasis, links, code, inline HTML and smart quotes; headings, lists, quotes, tables,
fences, HTML blocks, attribute lists, footnotes, definitions); --soup: snippets of
the same pieces thrown together with no grammar. Prints how many are the same as
kramdown's HTML, and the first --show that differ.
"""

from __future__ import annotations

import argparse
import difflib
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import markdown_samples  # noqa: E402
from test_kramdown_blocks import KRAMDOWN, unwrap_highlighting  # noqa: E402

from site_builder.site.kramdown import renderer  # noqa: E402


def kramdown(texts: list[str]) -> list[str]:
    done = subprocess.run(["ruby", "-e", KRAMDOWN], input=json.dumps(texts), text=True,
                          capture_output=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"kramdown (Ruby) could not run: {done.stderr.strip()[:300]}")
    return json.loads(done.stdout)


def compare(name: str, texts: list[str], show: int) -> None:
    md = renderer()
    differing = []
    for text, theirs in zip(texts, kramdown(texts)):
        ours = md.render(text)
        if unwrap_highlighting(ours) != unwrap_highlighting(theirs):
            differing.append((text, ours, theirs))
    print(f"{name}: {len(texts) - len(differing)} of {len(texts)} the same as kramdown's HTML")
    for text, ours, theirs in differing[:show]:
        diff = difflib.unified_diff(theirs.splitlines(), ours.splitlines(), "kramdown", "ours",
                                    lineterm="")
        print(f"  {text!r}\n    " + "\n    ".join(diff))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--blog", type=int, default=1000)
    parser.add_argument("--soup", type=int, default=400)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--show", type=int, default=3)
    args = parser.parse_args()
    compare("blog-like documents", markdown_samples.blog_like(args.seed, args.blog), args.show)
    compare("markup soup", markdown_samples.markup_soup(args.seed, args.soup), args.show)


if __name__ == "__main__":
    main()
