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
from site_builder.sampling.loop import item_generator, sample_window, token_loop  # noqa: E402
from site_builder.models import SAMPLE_RATE  # noqa: E402

CPU = torch.device("cpu")


def top_y(prior, artist="joy_division", genre="rock", items=1):
    meta = dict(artist=artist, genre=genre, lyrics="", total_length=180 * SAMPLE_RATE, offset=0)
    return prior.get_y(prior.labeller.get_batch_labels([meta] * items, "cpu"), 0)


def window(prior, past, y, tokens, seeds, static=None):
    return sample_window(prior, past, None, y, tokens, temp=0.99, chunk_size=32, fp16=False,
                         generators=[item_generator(s, CPU) for s in seeds], static=static)


def syncs(prior, static=False) -> dict:
    """Host-device synchronisations (`_local_scalar_dense`: .item(), bool(), an assert
    on a device value) in a window of 96 new tokens and one of 64 more after a primed
    past: the same count means none per token."""
    y = top_y(prior, items=2)
    with Count() as short:
        codes = window(prior, torch.zeros(2, 0, dtype=torch.long), y, 96, (1, 2), static)
    with Count() as longer:
        window(prior, torch.zeros(2, 0, dtype=torch.long), y, 160, (1, 2), static)
    with Count() as primed:
        window(prior, codes, y, 160, (1, 2), static)
    key = "aten._local_scalar_dense"
    return {"short": short.ops[key], "longer": longer.ops[key], "primed": primed.ops[key],
            "item": longer.ops["aten.item"]}


def static_syncs(prior) -> dict:
    """The same for the static step (the one CUDA captures as a graph), run on the CPU."""
    return syncs(prior, static=True)


def kinds(_prior) -> dict:
    """The static step against the dynamic one on small transformers with the attention
    kinds the tiny model lacks: dense (0), encoder-decoder (6, 5b_lyrics) and prime (7,
    1b_lyrics), with block (1), transpose-block (2) and previous-block (3) around them;
    from an empty window and from a primed past that crosses the prime length and
    block boundaries. {order: codes equal}."""
    from jukebox_infer.prior.autoregressive import ConditionalAutoregressive2D
    from jukebox_infer.transformer.ops import Conv1D
    found = {}
    for order, depth, extra in ((9, 4, {}), (6, 4, {"encoder_dims": 24}),
                                (12, 48, {"prime_len": 40, "merged_decoder": True})):
        torch.manual_seed(order)
        ar = ConditionalAutoregressive2D((192,), 64, width=32, depth=depth, heads=2, attn_order=order,
                                         blocks=12, **extra).eval()
        for module in ar.modules():
            if isinstance(module, Conv1D):
                module.w.data.normal_(std=module.n_in ** -0.5)
        ar.x_emb.weight.data.normal_()
        encoder_kv = torch.randn(2, 24, 32) if "encoder_dims" in extra else None
        past = torch.randint(0, 64, (2, 50))
        same = []
        for prefix in (past[:, :0], past):
            codes = [token_loop(ar, prefix, None, None, encoder_kv, 192, temp=0.99, chunk_size=32,
                                fp16=False, generators=[item_generator(s, CPU) for s in (4, 5)],
                                tick=None, static=static) for static in (False, True)]
            same.append(bool(torch.equal(*codes)))
        found[order] = all(same)
    return found


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
