"""Checks of our token loop on the tiny model, run as `python -O tests/loop_checks.py
NAME` (jukebox's label conditioner asserts `isinstance(y, torch.cuda.LongTensor)`,
which only -O lets a CPU pass); each prints one JSON line for tests/test_sampling_loop.py."""

from __future__ import annotations

import contextlib
import io
import json
import sys
from pathlib import Path

import torch

from dispatch_count import Count

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from site_builder.sampling.build import build_tiny  # noqa: E402
from site_builder.sampling.loop import item_generator, sample_window  # noqa: E402
from site_builder.models import SAMPLE_RATE  # noqa: E402

CPU = torch.device("cpu")


def top_y(prior, artist="joy_division", genre="rock", items=1):
    meta = dict(artist=artist, genre=genre, lyrics="", total_length=180 * SAMPLE_RATE, offset=0)
    return prior.get_y(prior.labeller.get_batch_labels([meta] * items, "cpu"), 0)


def window(prior, past, y, tokens, seeds):
    return sample_window(prior, past, None, y, tokens, temp=0.99, chunk_size=32, fp16=False,
                         generators=[item_generator(s, CPU) for s in seeds])


def syncs(prior) -> dict:
    """Host-device synchronisations (`_local_scalar_dense`: .item(), bool(), an assert
    on a device value) in a window of 96 new tokens and one of 64 more after a primed
    past: the same count means none per token."""
    y = top_y(prior, items=2)
    with Count() as short:
        codes = window(prior, torch.zeros(2, 0, dtype=torch.long), y, 96, (1, 2))
    with Count() as longer:
        window(prior, torch.zeros(2, 0, dtype=torch.long), y, 160, (1, 2))
    with Count() as primed:
        window(prior, codes, y, 160, (1, 2))
    key = "aten._local_scalar_dense"
    return {"short": short.ops[key], "longer": longer.ops[key], "primed": primed.ops[key],
            "item": longer.ops["aten.item"]}


def batches(prior) -> dict:
    alone = window(prior, torch.zeros(1, 0, dtype=torch.long), top_y(prior), 64, (7,))
    together = window(prior, torch.zeros(3, 0, dtype=torch.long), top_y(prior, items=3), 64, (5, 7, 9))
    return {"same": bool(torch.equal(together[1], alone[0])),
            "others_differ": not torch.equal(together[0], together[1])}


def first_logits(prior, artist, genre="rock"):
    x_cond, y_cond, _ = prior.get_cond(None, top_y(prior, artist, genre))
    ar = prior.prior
    x = y_cond.view(1, 1, -1) + ar.pos_emb()[0:1] + x_cond[:, 0:1]
    out = ar.x_out(ar.transformer(x, sample=True))
    ar.transformer.del_cache()
    return out


def labels(prior) -> dict:
    base = first_logits(prior, "joy_division")
    codes = {a: window(prior, torch.zeros(1, 0, dtype=torch.long), top_y(prior, a), 256, (3,))
             for a in ("joy_division", "lucybell")}
    again = window(prior, torch.zeros(1, 0, dtype=torch.long), top_y(prior, "joy_division"), 256, (3,))
    return {"same_label_same_logits": bool(torch.equal(base, first_logits(prior, "joy_division"))),
            "artist_changes_logits": not torch.equal(base, first_logits(prior, "lucybell")),
            "genre_changes_logits": not torch.equal(base, first_logits(prior, "joy_division", "pop")),
            "artist_changes_codes": not torch.equal(codes["joy_division"], codes["lucybell"]),
            "same_label_same_codes": bool(torch.equal(codes["joy_division"], again))}


if __name__ == "__main__":
    torch.set_num_threads(1)
    with contextlib.redirect_stdout(io.StringIO()):
        priors = build_tiny(44032, CPU)[1]
    with torch.no_grad():
        print(json.dumps(globals()[sys.argv[1]](priors[2])))
