"""Sampling: our loop and batching against jukebox's, in the same run.

    .venv/bin/python -O bench/sampling.py [--tokens 6] [--skip-cpu]

1. Sequential token steps of the example post's job (5b, 16 items x 60 s, three
   levels): sample.py's batching, the worker's before per-item streams (every level
   at the top prior's batch), and ours (the memory plan's batches on a v100-16gb and
   an h100-80gb).
2. One token step at real size in fp16, as on a GPU (the upsampler, level 0, and
   the 5b top prior), traced on the `meta` device at position 4096 of a window with
   16 items: operators dispatched (and those that are not views: the kernels a GPU
   runs), bytes of weights cast (read and written), key/value bytes copied (grown by
   concatenation, or gathered by the static step), host-device synchronisations;
   jukebox's step, our dynamic step (the CPU's) and our static step (CUDA's, which
   a CUDA graph replays: one launch per token); and the keys each attends to per
   token, averaged over a window (the static step's extra arithmetic).
3. Tokens per second on this CPU at real size (fp32, random weights: the compute is
   the checkpoint's) for the level-0 upsampler at positions 4096.. of a window
   (caches filled as they are there, not the flattering first tokens), one item.
4. The tiny model: the loops' codes and tokens per second, level by level (the best
   of three rounds).

Run with -O: jukebox-infer's CUDA-only type asserts stop it on a CPU otherwise.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import sys
import time
from collections import Counter
from pathlib import Path

import torch
from torch.utils._python_dispatch import TorchDispatchMode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from jukebox_infer.hparams import setup_hparams  # noqa: E402
from jukebox_infer.make_models import make_prior, make_vqvae  # noqa: E402
from jukebox_infer.transformer.ops import filter_logits  # noqa: E402

from site_builder.sampling import memory  # noqa: E402
from site_builder.sampling.build import to_sampling_dtype  # noqa: E402
from site_builder.sampling import kvcache, static_step  # noqa: E402
from site_builder.sampling.loop import Stepper, item_generator  # noqa: E402

POSITION = 4096
ROUNDS = 3
EXAMPLE = dict(model="5b", n_samples=16, sample_length_in_seconds=60.0, levels=3, batch_size=3,
               upsampler_batch_size=16)


class Trace(TorchDispatchMode):
    """What one token step dispatches: operators, casts, concatenations, syncs."""

    def __init__(self, model):
        super().__init__()
        self.ops = Counter()
        self.kernels = 0
        self.cast_bytes = 0
        self.cat_bytes = 0
        self.weights = {id(p) for p in model.parameters()}

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        out = func(*args, **kwargs)
        name = str(func.overloadpacket)
        self.ops[name] += 1
        self.kernels += not func.is_view
        if name == "aten._to_copy" and id(args[0]) in self.weights and out.dtype != args[0].dtype:
            self.cast_bytes += args[0].numel() * (args[0].element_size() + out.element_size())
        if name in ("aten.cat", "aten.index_select"):
            self.cat_bytes += out.numel() * out.element_size() * 2   # read and written
        return out


def quiet():
    return contextlib.redirect_stdout(io.StringIO())


def build(name: str, device: str):
    with quiet(), torch.device(device):
        vqvae = make_vqvae(setup_hparams("vqvae", dict(sample_length=1048576, restore_vqvae="")), device)
        return make_prior(setup_hparams(name, dict(restore_prior="")), vqvae, device)


def fill_caches(transformer, batch: int, position: int, dtype, device) -> None:
    """The caches as they are at `position` of a window (what each attention keeps)."""
    for block in transformer._attn_mods:
        attn = block.attn
        attn.del_cache()
        attn.sample_t = position
        length = attn._suff_cache_len()
        if getattr(attn, "_kv_key", None) is not None and attn._kv_key.numel():   # ours, in place
            attn._kv_start, attn._kv_end = 0, length
            attn._kv_key[:, :length].normal_()
            attn._kv_value[:, :length].normal_()
            attn._kv_view()
            continue
        attn.cache["key"] = torch.randn(batch, length, attn.n_state, dtype=dtype, device=device)
        attn.cache["value"] = torch.randn(batch, length, attn.n_state, dtype=dtype, device=device)


def restore_jukebox_caches(transformer) -> None:
    """Jukebox's own cache methods back (after ours were installed on the same model)."""
    for block in transformer._attn_mods:
        for name in ("_append_cache", "_slice_cache", "_cache_len", "del_cache", "_kv_view"):
            block.attn.__dict__.pop(name, None)
        block.attn._kv_key = None


def inputs(prior, batch: int, device):
    ar = prior.prior
    x_cond = torch.randn(batch, ar.input_dims, ar.width, device=device) if prior.x_cond \
        else torch.zeros(batch, 1, ar.width, device=device)
    y_cond = torch.randn(batch, 1, ar.width, device=device)
    if not prior.x_cond and prior.y_cond:
        x_cond = torch.randn(batch, ar.input_dims, ar.width, device=device)   # the label's time signal
    previous = torch.zeros(batch, 1, dtype=torch.long, device=device)
    return x_cond, y_cond, previous


def jukebox_step(prior, x_cond, y_cond, previous, t: int, fp16: bool):
    """One iteration of jukebox-infer's primed_sample loop, as it is written there."""
    ar, n = prior.prior, previous.shape[0]
    x, cond = ar.get_emb(t, n, previous, x_cond, y_cond)
    ar.transformer.check_cache(n, t, fp16)
    x = ar.transformer(x, encoder_kv=None, sample=True, fp16=fp16)
    if ar.add_cond_after_transformer:
        x = x + cond
    x = ar.x_out(x) / 0.99
    x = filter_logits(x, top_k=0, top_p=0.0)
    return torch.distributions.Categorical(logits=x).sample()


def our_stepper(prior, x_cond, y_cond, batch, fp16):
    return Stepper(prior.prior, x_cond, y_cond, None, batch, temp=0.99, fp16=fp16)


def steps_table() -> None:
    print("1. Sequential token steps, the example's job (5b, 16 x 60 s, three levels)")
    reference = memory.reference_steps(EXAMPLE)
    old = sum(memory.steps(EXAMPLE, 3, 3).values())
    print(f"   sample.py's batching (top 3, upsamplers 16): {reference:>9,}")
    print(f"   before (every level at batch 3):             {old:>9,}  ({old / reference:.2f}x sample.py's)")
    for gpu in ("v100-16gb", "h100-80gb"):
        top, up = memory.auto_batches(EXAMPLE, gpu)
        ours = sum(memory.steps(EXAMPLE, top, up).values())
        print(f"   ours on {gpu} (top {top:>2}, upsamplers {up}):  {ours:>9,}  ({ours / reference:.2f}x sample.py's)")


def traced(name: str, batch: int = 16) -> None:
    prior = build(name, "meta").eval()
    fp16_params = prior.prior.transformer._attn_mods[0].attn.c_attn.w.dtype == torch.float16
    device = torch.device("meta")
    x_cond, y_cond, previous = inputs(prior, batch, device)
    rows = {}
    with torch.no_grad():
        fill_caches(prior.prior.transformer, batch, POSITION, torch.float16, device)
        with Trace(prior) as theirs:
            jukebox_step(prior, x_cond, y_cond, previous, POSITION, True)
        to_sampling_dtype(prior, True)
        kvcache.ensure(prior.prior.transformer, batch, torch.float16, device, prior.prior.input_dims)
        fill_caches(prior.prior.transformer, batch, POSITION, torch.float16, device)
        stepper = our_stepper(prior, x_cond, y_cond, batch, True)
        # (our draw, written out: a generator cannot draw meta tensors)
        with Trace(prior) as ours:
            x, _ = stepper.embed(POSITION, previous)
            x = prior.prior.transformer(x, encoder_kv=None, sample=True, fp16=True)
            logits = prior.prior.x_out(x) / 0.99
            logits = logits - logits.logsumexp(dim=-1, keepdim=True)
            probs = torch.softmax(logits, dim=-1).reshape(batch, -1)
            torch.cat([torch.multinomial(probs[r:r + 1], 1, True) for r in range(batch)])
        fixed = static_step.StaticStep(prior.prior, batch, x_cond.shape[1], fp16=True, temp=0.99,
                                       device=device, graphs=False)
        fixed.position.fill_(POSITION)
        with Trace(prior) as static:
            fixed.step()
    for label, trace in (("jukebox", theirs), ("ours", ours), ("static", static)):
        rows[label] = (sum(trace.ops.values()), trace.kernels, trace.cast_bytes, trace.cat_bytes,
                       trace.ops["aten._local_scalar_dense"])
    print(f"   {name} (weights stored in {'fp16' if fp16_params else 'fp32'}), batch {batch}, position {POSITION}:")
    print(f"   {'':9} {'operators':>9} {'not views':>9} {'weights cast':>13} {'kv copied':>10} {'syncs':>6}")
    for label, (ops, kernels, cast, cat, syncs) in rows.items():
        print(f"   {label:9} {ops:>9} {kernels:>9} {cast / 1e9:>10.2f} GB {cat / 1e9:>7.2f} GB {syncs:>6}")
    dynamic, fixed_keys = attended(prior.prior)
    print(f"   keys attended per token and item, window average: dynamic {dynamic:,.0f}, static "
          f"{fixed_keys:,.0f}; the static step's extra attention is {extra_share(prior.prior, dynamic, fixed_keys):.2%} "
          f"of a token's arithmetic")


def attended(ar) -> tuple[float, float]:
    """Keys a token attends to over all layers, averaged over the positions of a window:
    the dynamic step's (what is there so far) and the static step's (fixed)."""
    length = ar.input_dims
    dynamic = fixed = 0.0
    for block in ar.transformer._attn_mods:
        attn = block.attn
        kind = attn.attn_func
        size = {0: length, 1: attn.block_ctx, 3: attn.block_ctx}.get(kind)
        if kind == 2:
            size = length // attn.block_ctx
        elif kind == 6:
            size = attn.encoder_dims
        elif kind == 7:
            size = attn._prime_len
        fixed += size
        dynamic += size if kind in (3, 6) else (size + 1) / 2
    return dynamic, fixed


def extra_share(ar, dynamic: float, fixed: float) -> float:
    """The extra keys' multiply-adds (q.k and w.v) against a token's whole step
    (every weight once, plus the dynamic step's attention)."""
    n_state = ar.transformer._attn_mods[0].attn.n_state
    weights = sum(p.numel() for p in ar.transformer.parameters()) + ar.x_out.weight.numel()
    return (fixed - dynamic) * 2 * n_state / (weights + dynamic * 2 * n_state)


def cpu_rate(tokens: int) -> None:
    print(f"3. Tokens per second on this CPU, upsampler level 0 at real size, fp32, one item, "
          f"positions {POSITION}..{POSITION + tokens}")
    prior = build("upsampler_level_0", "cpu").eval()
    device = torch.device("cpu")
    x_cond, y_cond, previous = inputs(prior, 1, device)
    generators = [item_generator(0, device)]
    rates = {"jukebox": [], "ours": [], "static": []}
    with torch.no_grad():
        for _ in range(2):
            kvcache.release(prior.prior.transformer)
            restore_jukebox_caches(prior.prior.transformer)
            fill_caches(prior.prior.transformer, 1, POSITION, torch.float32, device)
            started, x = time.perf_counter(), previous
            for t in range(POSITION, POSITION + tokens):
                x = jukebox_step(prior, x_cond, y_cond, x, t, False)
            rates["jukebox"].append(tokens / (time.perf_counter() - started))
            kvcache.ensure(prior.prior.transformer, 1, torch.float32, device, prior.prior.input_dims)
            fill_caches(prior.prior.transformer, 1, POSITION, torch.float32, device)
            stepper, started, x = our_stepper(prior, x_cond, y_cond, 1, False), time.perf_counter(), previous
            for t in range(POSITION, POSITION + tokens):
                x = stepper.step(t, x, generators)
            rates["ours"].append(tokens / (time.perf_counter() - started))
            fixed = static_step.StaticStep(prior.prior, 1, x_cond.shape[1], fp16=False, temp=0.99,
                                           device=device, graphs=False)
            fixed.bind(previous, 0, x_cond, y_cond, None)
            fixed.position.fill_(POSITION)
            started = time.perf_counter()
            fixed.draw_noise(generators, tokens)
            for _ in range(tokens):
                fixed.run()
            rates["static"].append(tokens / (time.perf_counter() - started))
            del fixed
    best = {k: max(v) for k, v in rates.items()}
    print(f"   jukebox's loop {best['jukebox']:.2f} tokens/s, ours {best['ours']:.2f} tokens/s "
          f"({best['ours'] / best['jukebox']:.2f}x), the static step {best['static']:.2f} tokens/s "
          f"({best['static'] / best['jukebox']:.2f}x; {torch.get_num_threads()} threads)")


def tiny() -> None:
    import gc

    import jukebox_equivalence as equivalence
    torch.set_num_threads(1)
    # jukebox collects garbage before every window: with the big models gone and the
    # rest frozen (as the worker does), that costs both loops the same little.
    gc.collect()
    gc.freeze()
    print("4. The tiny model, one item, CPU fp32: the loops level by level from the same codes "
          "(static: the step CUDA replays as a graph, launched from Python here)")
    with quiet(), torch.no_grad():
        _, priors = equivalence.build_tiny(equivalence.LENGTH, torch.device("cpu"))
        hps = equivalence.Hyperparams(sample_length=equivalence.LENGTH, n_samples=1,
                                      hop_fraction=equivalence.HOP, sr=44100)
        meta = dict(artist="joy_division", genre="rock", lyrics="", total_length=180 * 44100, offset=0)
        labels = [p.labeller.get_batch_labels([meta], "cpu") for p in priors]
        zs = [torch.zeros(1, 0, dtype=torch.long) for _ in priors]
        lines = []
        for level in (2, 1, 0):
            runs = {"jukebox": lambda: equivalence.jukebox_level(priors[level], zs, labels[level], level, hps),
                    "ours": lambda: equivalence.our_level(priors[level], zs, labels[level], level),
                    "static": lambda: equivalence.our_level(priors[level], zs, labels[level], level, static=True)}
            best, codes = {}, {}
            for _ in range(ROUNDS):     # the best of a few rounds, alternating: a shared machine
                for label, run in runs.items():
                    started = time.perf_counter()
                    codes[label] = run()[level]
                    best[label] = min(best.get(label, 1e9), time.perf_counter() - started)
            tokens = codes["jukebox"].shape[1]
            same = torch.equal(codes["jukebox"], codes["ours"]) and torch.equal(codes["jukebox"], codes["static"])
            rate = {label: tokens / seconds for label, seconds in best.items()}
            lines.append(f"   level {level}: codes {'equal' if same else 'DIFFER'}; "
                         f"jukebox {rate['jukebox']:.0f} tokens/s, ours {rate['ours']:.0f} "
                         f"({rate['ours'] / rate['jukebox']:.2f}x), static {rate['static']:.0f} "
                         f"({rate['static'] / rate['jukebox']:.2f}x)")
            zs = [z if i != level else codes["jukebox"] for i, z in enumerate(zs)]
    print("\n".join(lines))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tokens", type=int, default=6)
    parser.add_argument("--skip-cpu", action="store_true")
    args = parser.parse_args()
    steps_table()
    print("2. One token step at real size, fp16 as on a GPU, traced on the meta device")
    traced("upsampler_level_0")
    traced("prior_5b", batch=3)
    if not args.skip_cpu:
        cpu_rate(args.tokens)
    tiny()


if __name__ == "__main__":
    main()
