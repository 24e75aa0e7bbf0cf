"""The GPU check: every level of the 5b model at real size with random weights (the
compute is the checkpoint's) in fp16 on this machine's GPU, ours against jukebox's
loop, and what that makes of the example post's job.

    python3 bench/gpu_check.py [--tokens 64] [--batches 3,16]

Needs torch and what the repository carries: `make gpu-bundle` (on a machine with
the package index) puts jukebox-infer and its small pure-Python needs into
`.gpu-vendor/`, which this script puts on its path; copy the repository with it.
Without CUDA it says so and exits 0 (tests run it that way). For each level and
batch it reports tokens per second of jukebox's loop and of ours (the static step
launched from Python, and replayed as a CUDA graph), whether the graph gives the
same codes as the step launched from Python, codes in range and finite keys, peak
device memory against the memory plan's; then it decodes codes to a WAV and
estimates the example's job from the graphs' rates.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import sys
import time
import wave
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
for extra in (REPO / ".gpu-vendor", REPO):
    if extra.is_dir():
        sys.path.insert(0, str(extra))

EXAMPLE = dict(model="5b", n_samples=16, sample_length_in_seconds=60.0, levels=3, batch_size=3,
               upsampler_batch_size=16)
LEVELS = {2: "prior_5b", 1: "upsampler_level_1", 0: "upsampler_level_0"}
POSITION = 4096


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokens", type=int, default=64, help="tokens timed per level and batch")
    parser.add_argument("--batches", default="3,16", help="batches to time, comma-separated")
    args = parser.parse_args(argv)
    args.batches = [int(b) for b in args.batches.split(",")]
    return args


def job_seconds(rates: dict[int, float], top_batch: int, up_batch: int) -> float:
    """The example's job from measured token steps per second per level (a step
    samples one token for every item of a batch)."""
    from site_builder.sampling import memory
    steps = memory.steps(EXAMPLE, top_batch, up_batch)
    return sum(steps[level] / rates[level] for level in steps)


def build(name: str, device, convert: bool = True):
    """A real-size prior on the device with random weights: built on `meta` (no host
    memory, no time), then materialised on the GPU and filled there."""
    import torch
    from jukebox_infer.hparams import setup_hparams
    from jukebox_infer.make_models import make_prior, make_vqvae

    from site_builder.sampling.build import to_sampling_dtype
    with contextlib.redirect_stdout(io.StringIO()), torch.device("meta"):
        vqvae = make_vqvae(setup_hparams("vqvae", dict(sample_length=1048576, restore_vqvae="")), "meta")
        prior = make_prior(setup_hparams(name, dict(restore_prior="")), vqvae, "meta")
    prior = prior.to_empty(device=device).eval()
    with torch.no_grad():
        for parameter in prior.parameters():
            parameter.normal_(std=0.02)
    if convert:
        to_sampling_dtype(prior, True)
    return prior, vqvae


def time_level(level: int, batch: int, tokens: int, device) -> dict:
    """Jukebox's loop and ours at `batch` from position 4096 of a window: jukebox's with
    the weights as jukebox keeps them (the upsamplers' fp32, cast per call); ours (the
    static step, weights converted once) launched from Python and replayed as the CUDA
    graph, from the same caches and random streams."""
    import torch

    from sampling import fill_caches, inputs, jukebox_step  # bench/sampling.py
    from site_builder.sampling import kvcache, static_step
    from site_builder.sampling.loop import item_generator
    result = {}
    torch.cuda.reset_peak_memory_stats()
    with torch.no_grad():
        prior, _ = build(LEVELS[level], device, convert=False)
        x_cond, y_cond, previous = inputs(prior, batch, device)
        fill_caches(prior.prior.transformer, batch, POSITION, torch.float16, device)
        x, codes = previous, []
        torch.cuda.synchronize()
        started = time.perf_counter()
        for t in range(POSITION, POSITION + tokens):
            x = jukebox_step(prior, x_cond, y_cond, x, t, True)
            codes.append(x)
        torch.cuda.synchronize()
        result["jukebox"] = tokens / (time.perf_counter() - started)
        result["jukebox_in_range"] = in_range(torch.cat(codes, dim=1), prior.prior.bins)
        del prior, x_cond, y_cond, previous, x, codes
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats()

        prior, _ = build(LEVELS[level], device)
        ar = prior.prior
        x_cond, y_cond, previous = inputs(prior, batch, device)
        fixed = static_step.StaticStep(ar, batch, x_cond.shape[1], fp16=True, temp=0.99, device=device,
                                       graphs=True)
        started = time.perf_counter()
        fixed.prepare()                       # capture, before the caches are filled
        torch.cuda.synchronize()
        result["capture_s"] = time.perf_counter() - started
        fixed.bind(previous, 0, x_cond, y_cond, None)
        found = {}
        for label in ("python", "graphs") if fixed.graph is not None else ("python",):
            torch.manual_seed(1)        # the same caches for both
            fill_caches(ar.transformer, batch, POSITION, torch.float16, device)
            for layer in fixed.layers:
                if layer.kind not in kvcache.WHOLE_WINDOW:
                    layer.key.normal_()
                    layer.value.normal_()
            fixed.position.fill_(POSITION)
            fixed.previous.zero_()
            generators = [item_generator(k, device) for k in range(batch)]
            torch.cuda.synchronize()
            started = time.perf_counter()
            for t in range(tokens):
                if t % static_step.NOISE_CHUNK == 0:
                    fixed.draw_noise(generators, min(static_step.NOISE_CHUNK, tokens - t))
                fixed.graph.replay() if label == "graphs" else fixed.step()
            torch.cuda.synchronize()
            result[label] = tokens / (time.perf_counter() - started)
            found[label] = fixed.codes[:, POSITION:POSITION + tokens].clone()
        if fixed.graph is None:      # the capture failed (the sampler's warning said why)
            result["graphs"], found["graphs"] = result["python"], found["python"]
        result["graphs_same_codes"] = bool(torch.equal(found["python"], found["graphs"])) \
            if fixed.graph is not None else "not captured"
        result["ours_in_range"] = in_range(found["graphs"], ar.bins)
        result["finite"] = all(bool(torch.isfinite(layer.key[:, POSITION:POSITION + tokens]).all())
                               for layer in fixed.layers if layer.kind in kvcache.WHOLE_WINDOW)
        result["peak_gib"] = torch.cuda.max_memory_allocated() / 2**30
        kvcache.release(ar.transformer)
        del prior, ar, fixed, x_cond, y_cond, previous
        torch.cuda.empty_cache()
    return result


def in_range(codes, bins: int) -> bool:
    return bool(((codes >= 0) & (codes < bins)).all())


def write_wav(path: Path, audio) -> None:
    import numpy as np
    pcm = (np.clip(audio, -1, 1) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(44100)
        out.writeframes(pcm.tobytes())


def main(argv: list[str]) -> int:
    args = parse(argv)
    if not sys.flags.optimize:   # jukebox-infer's CUDA type asserts are fine, its others are not needed
        os.execv(sys.executable, [sys.executable, "-O", __file__, *argv])
    try:
        import torch
    except ImportError:
        print(f"gpu-check: torch is not installed for {sys.executable}; run it with the Python "
              f"that has torch (PYTHON=... make gpu-check)", file=sys.stderr)
        return 2
    if not torch.cuda.is_available():
        print("gpu-check: no CUDA device here; nothing measured (not measured on a GPU)")
        return 0
    sys.path.insert(0, str(REPO / "bench"))
    from site_builder.sampling import memory
    device = torch.device("cuda")
    name = torch.cuda.get_device_name()
    total = torch.cuda.get_device_properties(0).total_memory
    print(f"gpu-check: {name}, {total / 2**30:.1f} GiB, torch {torch.__version__}")
    gpu = f"{total / 2**30:.1f}GiB"
    rates: dict[int, dict[int, float]] = {}
    for level in (2, 1, 0):
        for batch in args.batches:
            plan = memory.make_plan(EXAMPLE, gpu, batch, batch)
            planned = next(p for p in plan.phases if p.name == memory.LEVEL_NAMES[level])
            if planned.device > total:
                print(f"  {memory.LEVEL_NAMES[level]} batch {batch}: skipped, the plan needs "
                      f"{planned.device / 2**30:.1f} GiB")
                continue
            found = time_level(level, batch, args.tokens, device)
            rates.setdefault(level, {})[batch] = found["graphs"]
            jukebox = found["jukebox"]
            print(f"  {memory.LEVEL_NAMES[level]} batch {batch}: token steps/s: jukebox {jukebox:.1f}, "
                  f"ours without graphs {found['python']:.1f} ({found['python'] / jukebox:.2f}x), "
                  f"with graphs {found['graphs']:.1f} ({found['graphs'] / jukebox:.2f}x; captured in "
                  f"{found['capture_s']:.1f} s; same codes as without: {found['graphs_same_codes']}); "
                  f"codes in range {found['ours_in_range'] and found['jukebox_in_range']}, keys finite "
                  f"{found['finite']}; peak {found['peak_gib']:.1f} GiB (plan {planned.device / 2**30:.1f})")
    _, vqvae = build(LEVELS[0], device)
    codes = [torch.randint(0, 2048, (1, 44032 // hop), device=device) for hop in (8, 32, 128)]
    vqvae = vqvae.to_empty(device=device)
    with torch.no_grad():
        for parameter in vqvae.parameters():
            parameter.normal_(std=0.02)
        audio = vqvae.decode(codes, start_level=0, end_level=3, bs_chunks=1)[0, :, 0].float()
    finite = bool(torch.isfinite(audio).all())
    write_wav(REPO / "gpu-check.wav", audio.cpu().numpy())
    print(f"  decoded 1 s to gpu-check.wav (finite: {finite})")
    if all(level in rates for level in (2, 1, 0)):
        top = max(rates[2])
        up = max(rates[0])
        per_level = {2: rates[2][top], 1: rates[1][up], 0: rates[0][up]}
        print(f"gpu-check: the example's job (5b, 16 x 60 s) at batches {top}/{up}: about "
              f"{memory.hours(job_seconds(per_level, top, up))} on this GPU")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
