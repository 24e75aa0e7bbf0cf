"""Markdown time against a post's size: our kramdown-shaped renderer must stay linear.

    .venv/bin/python bench/markdown.py [--sizes 1,2,4] [--repeat 1]

Builds posts of 1, 2 and 4 MB from one varied block of Markdown (paragraphs with
attribute lists, headings, lists, quotes, fenced and indented code, HTML blocks,
footnotes, smart quotes) repeated, renders each with
  reference: plain markdown-it (CommonMark, the parser ours is built on)
  ours:      site_builder.site.kramdown.renderer()
and prints CPU seconds (the process's own: the figures hold on a busy machine), per MB, and each size's time as a ratio of the 1 MB time
(linear: 2 MB ~2, 4 MB ~4; the issue's bound: 4 MB at most 4-6 times 1 MB).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from markdown_it import MarkdownIt

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from site_builder.site import kramdown  # noqa: E402

BLOCK = """\
## Section {n} of the "long" post

I wanted to check how the sampling of an artist I know well sounds -- the *first* ones
were 'odd'... and `item {n}` is **the one** that sounds closest.[^n{n}]
{{: .lead}}

- a list item with [a link](https://example.org/{n}){{: .ext}}
- another, with ***both*** kinds of emphasis
  continued lazily

> A quote, with "double quotes" and the '80s.

```python
def sample(n={n}):
    return [i * i for i in range(n)]
```

    indented code {n}

<div class="note" markdown="1">
Markdown *inside* an HTML block, number {n}.
</div>

<iframe src="https://example.org/{n}" width="500" height="250"></iframe>

| item | seconds |
|------|---------|
| {n}  | 60      |

[^n{n}]: A footnote for block {n}.

"""


def post(megabytes: float) -> str:
    parts, size, n = [], 0, 0
    while size < megabytes * 1_000_000:
        block = BLOCK.format(n=n)
        parts.append(block)
        size += len(block)
        n += 1
    return "".join(parts)


def timed(render, text: str, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.process_time()
        render(text)
        best = min(best, time.process_time() - started)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1,2,4", help="post sizes in MB, the first the base")
    parser.add_argument("--repeat", type=int, default=1, help="best of this many runs")
    args = parser.parse_args()
    sizes = [float(s) for s in args.sizes.split(",")]
    plain = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
    ours = kramdown.renderer()
    ours.render(post(0.01))  # Pygments' lexers loaded before any timing
    base: dict[str, float] = {}
    print(f"{'size':>6} {'reference s':>12} {'ours s':>8} {'ours s/MB':>10} "
          f"{'ref ratio':>10} {'ours ratio':>11}")
    for mb in sizes:
        text = post(mb)
        ref = timed(plain.render, text, args.repeat)
        kram = timed(ours.render, text, args.repeat)
        base.setdefault("ref", ref)
        base.setdefault("ours", kram)
        print(f"{mb:>4g}MB {ref:>12.2f} {kram:>8.2f} {kram / mb:>10.2f} "
              f"{ref / base['ref']:>10.2f} {kram / base['ours']:>11.2f}")


if __name__ == "__main__":
    main()
