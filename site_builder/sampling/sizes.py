"""The released models' sizes, as the memory plan needs them, measured from the real
constructors on PyTorch's `meta` device (no weights, no memory, no checkpoint).

The plan reads the table in sizes.json (measuring takes seconds, the CLI must answer
at once); tests/test_memory_plan.py measures again and checks the table, and

    .venv/bin/python -m site_builder.sampling.sizes > site_builder/sampling/sizes.json

writes it anew after a jukebox-infer update.
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
from collections import Counter
from functools import lru_cache
from pathlib import Path

TABLE = Path(__file__).with_name("sizes.json")
NAMES = ("upsampler_level_0", "upsampler_level_1", "prior_5b", "prior_5b_lyrics", "prior_1b_lyrics")


@lru_cache(maxsize=None)
def table() -> dict:
    return json.loads(TABLE.read_text())


def measure() -> dict:
    """Every prior's sizes and attention layout, from a build on `meta`."""
    import torch
    from jukebox_infer.hparams import setup_hparams
    from jukebox_infer.make_models import make_prior, make_vqvae
    from jukebox_infer.transformer.transformer import Transformer

    facts = {}
    with contextlib.redirect_stdout(io.StringIO()), torch.device("meta"):
        vqvae = make_vqvae(setup_hparams("vqvae", dict(sample_length=1048576, restore_vqvae="")), "meta")
        facts["vqvae"] = {"bytes": _bytes(vqvae.parameters())}
        for name in NAMES:
            hps = setup_hparams(name, dict(restore_prior=""))
            prior = make_prior(hps, vqvae, "meta")
            transformers = [m for m in prior.modules() if isinstance(m, Transformer)]
            inside = {id(p) for t in transformers for p in t.parameters()}
            main = prior.prior.transformer
            layers = [block.attn for block in main._attn_mods]
            facts[name] = {
                "params": sum(p.numel() for p in prior.parameters()),
                "stored_bytes": _bytes(prior.parameters()),
                "transformer_params": sum(p.numel() for p in prior.parameters() if id(p) in inside),
                "other_bytes": _bytes(p for p in prior.parameters() if id(p) not in inside),
                "width": int(main.n_in), "layers": len(layers), "n_ctx": int(prior.n_ctx),
                "n_state": int(layers[0].n_state), "heads": int(main.n_head),
                "block_ctx": int(layers[0].block_ctx) if layers[0].blocks else None,
                "attn_funcs": dict(sorted(Counter(str(a.attn_func) for a in layers).items())),
                "encoder_dims": int(layers[-1].encoder_dims or 0),
                "prime_len": int(layers[0].prime_len or 0),
                "raw_to_tokens": int(prior.raw_to_tokens), "bins": int(prior.prior.bins),
                "single_enc_dec": bool(prior.single_enc_dec),
            }
    return facts


def _bytes(parameters) -> int:
    return sum(p.numel() * p.element_size() for p in parameters)


if __name__ == "__main__":
    json.dump(measure(), sys.stdout, indent=1, sort_keys=True)
    print()
