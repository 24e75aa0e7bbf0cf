"""Run as `python -O tests/jukebox_equivalence.py`: the tiny model's codes from our
token loop (its dynamic step, and its static step) against jukebox-infer's own loop, level by level, at batch 1 on the CPU in
fp32 with the same seed; and what each loop dispatches per token. Prints JSON.

(-O: jukebox's loop asserts `isinstance(x, torch.cuda.LongTensor)`, which only a CUDA
tensor passes.)"""

from __future__ import annotations

import contextlib
import io
import json
import sys
from pathlib import Path

import torch

from dispatch_count import Count

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from jukebox_infer.hparams import Hyperparams  # noqa: E402
from jukebox_infer.sample import sample_level  # noqa: E402

from site_builder.sampling.ancestral import (LevelSpec, Progress, sample_window_into,  # noqa: E402
                                             window_bounds, window_starts)
from site_builder.sampling.loop import item_generator  # noqa: E402
from site_builder.models import SAMPLE_RATE  # noqa: E402

SEED = 1234
LENGTH = 44032        # 1 s, a multiple of the top level's hop
HOP = [0.5, 0.5, 0.125]


def jukebox_level(prior, zs, labels, level, hps):
    kwargs = dict(temp=0.99, fp16=False, chunk_size=32, max_batch_size=1)
    total = hps.sample_length // prior.raw_to_tokens
    torch.manual_seed(SEED)
    return sample_level(list(zs), labels, kwargs, level, prior, total, int(HOP[level] * prior.n_ctx), hps)


def our_level(prior, zs, labels, level, static=False):
    """static=False: the dynamic step; True: the static one (what sampling uses)."""
    progress = Progress("check", "top", [0], list(zs), level=level)
    generators = [item_generator(SEED, torch.device("cpu"))]
    total = LENGTH // prior.raw_to_tokens
    spec = LevelSpec(0.99, 32, False, HOP[level], static=static)
    starts = window_starts(prior.n_ctx, total, HOP[level])
    for index, start in enumerate(starts):
        start, tokens = window_bounds(prior, progress.zs[level].shape[1], start, total)
        sample_window_into(progress, prior, level, start, tokens, labels, spec, generators,
                           lambda line: None, index, len(starts), total)
    return progress.zs


def per_token(run, tokens: int) -> dict:
    with Count() as count:
        run()
    return {"ops": sum(count.ops.values()) / tokens,
            "syncs": count.ops["aten._local_scalar_dense"] / tokens,
            "cat": count.ops["aten.cat"] / tokens}


def main() -> None:
    torch.set_num_threads(1)
    if "--depth" in sys.argv:
        # Deeper than the toy's one layer: every attention kind of the real priors (block,
        # transpose-block with its whole-window cache written in place, previous-block).
        import site_builder.sampling.build as build
        build.TINY_PRIOR = {**build.TINY_PRIOR, "prior_depth": int(sys.argv[sys.argv.index("--depth") + 1])}
    with contextlib.redirect_stdout(io.StringIO()), torch.no_grad():
        import site_builder.sampling.build as build
        _, priors = build.build_tiny(LENGTH, torch.device("cpu"))
        hps = Hyperparams(sample_length=LENGTH, n_samples=1, hop_fraction=HOP, sr=SAMPLE_RATE)
        meta = dict(artist="joy_division", genre="rock", lyrics="", total_length=180 * SAMPLE_RATE, offset=0)
        labels = [p.labeller.get_batch_labels([meta], "cpu") for p in priors]
        zs = [torch.zeros(1, 0, dtype=torch.long) for _ in priors]
        same, static, counts = {}, {}, {}
        for level in (2, 1, 0):
            theirs = jukebox_level(priors[level], zs, labels[level], level, hps)
            ours = our_level(priors[level], zs, labels[level], level)
            same[level] = bool(torch.equal(theirs[level], ours[level]))
            # the static step (CUDA's, captured there as a graph), forced on the CPU
            fixed = our_level(priors[level], zs, labels[level], level, static=True)
            static[level] = bool(torch.equal(theirs[level], fixed[level]))
            tokens = theirs[level].shape[1]
            if "--counts" in sys.argv:
                counts[level] = {"jukebox": per_token(lambda: jukebox_level(priors[level], zs, labels[level], level, hps), tokens),
                                 "ours": per_token(lambda: our_level(priors[level], zs, labels[level], level), tokens)}
            zs = theirs
    print(json.dumps({"same": same, "static_same": static, "per_token": counts, "tokens": [int(z.shape[1]) for z in zs]}))


if __name__ == "__main__":
    main()
