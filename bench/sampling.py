"""Sampling speed: tokens per second per level, and peak memory.

    .venv/bin/python -O bench/sampling.py [--seconds 1] [--real-tokens 16] [--skip-real]

1. The tiny model, one item: Jukebox's own level loop (`jukebox_infer.sample._sample`,
   the reference) against site-builder's resumable loop saving codes every 8 windows,
   in the same process, with the same seed. The ratio is what resumability costs.
2. One level at its real size with random weights (the compute is the same as with
   the checkpoint): the level-0 upsampler (about 1B parameters), a few tokens.

Run with -O: jukebox-infer's CUDA-only type asserts stop it on a CPU otherwise.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import io
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from jukebox_infer.hparams import Hyperparams, setup_hparams  # noqa: E402
from jukebox_infer.make_models import make_prior, make_vqvae  # noqa: E402
from jukebox_infer.sample import _sample  # noqa: E402

from site_builder.sampling.ancestral import LEVEL_NAMES, Progress, SavePolicy, sample_levels  # noqa: E402
from site_builder.sampling.build import build_tiny  # noqa: E402
from site_builder.models import SAMPLE_RATE  # noqa: E402

HOP = [0.5, 0.5, 0.125]


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def tiny_inputs(priors, length):
    hps = Hyperparams(sample_length=length, n_samples=1, hop_fraction=HOP, sr=SAMPLE_RATE)
    meta = dict(artist="lucybell", genre="rock", lyrics="", total_length=180 * SAMPLE_RATE, offset=0)
    labels = [p.labeller.get_batch_labels([meta], "cpu") for p in priors]
    kwargs = [dict(temp=0.99, fp16=False, chunk_size=32, max_batch_size=1) for _ in priors]
    return hps, labels, kwargs


def jukebox_loop(priors, length):
    hps, labels, kwargs = tiny_inputs(priors, length)
    torch.manual_seed(0)
    zs = [torch.zeros(1, 0, dtype=torch.long) for _ in priors]
    rates = {}
    for level in (2, 1, 0):
        started = time.perf_counter()
        zs = _sample(zs, labels, kwargs, priors, [level], hps, device=torch.device("cpu"))
        rates[level] = zs[level].shape[1] / (time.perf_counter() - started)
    return rates, zs


def our_loop(priors, length, folder: Path):
    hps, labels, kwargs = tiny_inputs(priors, length)
    torch.manual_seed(0)
    progress = Progress("bench", 0, [0], [torch.zeros(1, 0, dtype=torch.long) for _ in priors])
    policy = SavePolicy(folder / "batch-00.pt", every_windows=8)
    measured = sample_levels(progress, priors, labels, kwargs, hps, 3, policy, lambda line: None,
                             torch.device("cpu"))
    return {level: tokens / seconds for level, (tokens, seconds) in measured.items()}, progress.zs


def bench_tiny(seconds: float) -> None:
    length = int(seconds * SAMPLE_RATE) // 128 * 128
    quiet = io.StringIO()
    with contextlib.redirect_stdout(quiet), contextlib.redirect_stderr(quiet), torch.no_grad():
        torch.set_num_threads(1)
        _, priors = build_tiny(length, torch.device("cpu"))
        gc.freeze()
        reference, ref_zs = jukebox_loop(priors, length)
        with tempfile.TemporaryDirectory() as folder:
            ours, our_zs = our_loop(priors, length, Path(folder))
    same = all(torch.equal(a, b) for a, b in zip(ref_zs, our_zs))
    print(f"tiny model, 1 item x {length / SAMPLE_RATE:.2f} s, CPU, 1 thread "
          f"(codes identical to Jukebox's loop: {same})")
    print(f"{'level':<14}{'Jukebox loop':>16}{'site-builder':>16}{'ratio':>8}")
    for level in (2, 1, 0):
        print(f"{LEVEL_NAMES[level]:<14}{reference[level]:>11.0f} tok/s{ours[level]:>11.0f} tok/s"
              f"{ours[level] / reference[level]:>8.2f}")
    print(f"peak memory so far: {peak_mib():.0f} MiB")


def bench_real_upsampler(tokens: int) -> None:
    quiet = io.StringIO()
    started = time.perf_counter()
    with contextlib.redirect_stdout(quiet), contextlib.redirect_stderr(quiet), torch.no_grad():
        torch.set_num_threads(os.cpu_count() or 1)
        vqvae = make_vqvae(setup_hparams("vqvae", dict(sample_length=8192 * 32, restore_vqvae="")), "cpu")
        prior = make_prior(setup_hparams("upsampler_level_0", dict(restore_prior="")), vqvae, "cpu")
        built = time.perf_counter() - started
        params = sum(p.numel() for p in prior.parameters())
        meta = dict(artist="lucybell", genre="rock", lyrics="", total_length=180 * SAMPLE_RATE, offset=0)
        y = prior.labeller.get_batch_labels([meta], "cpu")["y"]
        y = prior.get_y({"y": y, "info": [dict(full_tokens=[])]}, 0)
        z_conds = [torch.randint(0, vqvae.l_bins, (1, prior.n_ctx // prior.cond_downsample))]
        timings = []
        for count in (1, tokens):  # the difference is the per-token cost, without the conditioner
            torch.manual_seed(0)
            started = time.perf_counter()
            prior.sample(n_samples=1, z=None, z_conds=z_conds, y=y, fp16=False, temp=0.99,
                         sample_tokens=count)
            timings.append(time.perf_counter() - started)
        took = timings[1] - timings[0]
    print(f"\nreal-size upsampler level 0, random weights: {params / 1e9:.2f} B parameters, "
          f"fp32, CPU, {torch.get_num_threads()} threads")
    print(f"built in {built:.1f} s; window set-up (conditioner + first token) {timings[0]:.1f} s; "
          f"then {tokens - 1} tokens in {took:.1f} s = {(tokens - 1) / took:.2f} tokens/s")
    print(f"peak memory: {peak_mib():.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=1.0)
    parser.add_argument("--real-tokens", type=int, default=16)
    parser.add_argument("--skip-real", action="store_true")
    args = parser.parse_args()
    bench_tiny(args.seconds)
    if not args.skip_real:
        bench_real_upsampler(args.real_tokens)


if __name__ == "__main__":
    main()
