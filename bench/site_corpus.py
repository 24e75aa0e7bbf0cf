"""N Casper-style blog posts for bench/site_build.py: about 750 words each, with
fenced code, a table, an archive.org iframe, <audio> players, footnotes and tags.

Deterministic (seeded), so every builder and every run sees the same blog. The
same files build with site-builder (`posts/`), Jekyll (`_posts/`) and Hugo
(`content/posts/`): plain YAML front matter with ISO dates.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from pathlib import Path

WORDS = ("the sample drifts into a slow chorus where the bass holds one note while "
         "guitars fade and the drums return with a colder pattern than before it "
         "sounds like a rehearsal recorded through a wall yet the voice is close "
         "and warm model tokens upsampler prior level window memory seconds").split()
TAGS = ["jukebox", "ancestral-sampling", "post-punk", "rock", "cluster", "slurm", "gpu",
        "upsampling", "lyrics", "notes", "archive", "listening", "genre", "5b", "1b"]
CODE = '''```python
import jukebox
from jukebox.sample import sample_level

def run(hps, n={n}):
    zs = [t.zeros(n, 0, dtype=t.long) for _ in range(3)]
    for level in reversed(range(3)):
        zs = sample_level(zs, labels[level], sampling_kwargs[level], level, prior, hps)
    return zs  # {n} items
```'''
SHELL = '''```bash
sbatch --gres=gpu:1 --time=04:00:00 sample.sh {n}
seff {n}
```'''


def paragraph(rng: random.Random, words: int) -> str:
    w = [rng.choice(WORDS) for _ in range(words)]
    # Some emphasis and a quote so smart quotes and inline markup get exercised.
    return f"It's *{' '.join(w[:3])}* \"{' '.join(w[3:9])}\" {' '.join(w[9:])}."


def post_text(i: int, rng: random.Random, date: datetime) -> str:
    tags = rng.sample(TAGS, 3)
    n = rng.randint(2, 16)
    parts = [paragraph(rng, 60), f"## Setup {i}", paragraph(rng, 90),
             CODE.format(n=n), paragraph(rng, 80),
             "| item | seconds | LUFS | silence |\n| --- | ---: | ---: | ---: |\n"
             + "\n".join(f"| {k} | {rng.randint(20, 90)} | -{rng.randint(12, 30)}.{k} | {k * 3}% |"
                         for k in range(n)),
             f"## Listening[^{i}]", paragraph(rng, 100),
             f'<iframe src="https://archive.org/embed/jukebox-{i}&playlist=1" width="500" '
             f'height="300" frameborder="0" allowfullscreen></iframe>',
             paragraph(rng, 90),
             "\n".join(f'<audio controls preload="none" src="/assets/runs/run-{i}/item-{k}.mp3">'
                       f"</audio>" for k in range(2)),
             "- " + "\n- ".join(paragraph(rng, 12) for _ in range(3)),
             SHELL.format(n=n), paragraph(rng, 100), paragraph(rng, 80),
             f"[^{i}]: Heard on headphones, {n} items."]
    front = (f"---\nlayout: post\ntitle: \"Ancestral sampling, run {i}\"\n"
             f"date: {date:%Y-%m-%dT%H:%M:%S}+00:00\ntags: [{', '.join(tags)}]\n"
             f"cover: assets/images/cover.svg\n---\n")
    return front + "\n\n".join(parts) + "\n"


def posts(n: int, seed: int = 1) -> dict[str, str]:
    """File name -> text for `n` posts, one a day ending 2026-06-30."""
    rng = random.Random(seed)
    last = datetime(2026, 6, 30, 5, 34)
    out = {}
    for i in range(n):
        date = last - timedelta(days=n - 1 - i)
        out[f"{date:%Y-%m-%d}-run-{i:04d}.md"] = post_text(i, rng, date)
    return out


def write(folder: Path, n: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in posts(n).items():
        (folder / name).write_text(text, encoding="utf-8")
        written.append(folder / name)
    return written


if __name__ == "__main__":
    sample = next(iter(posts(1).values()))
    print(sample)
    print(len(sample.split()), "words")
