"""Building the VQ-VAE and the three priors with jukebox-infer's own constructors:
the released models from their checkpoints, or `tiny`, the same code at toy size
with random weights."""

from __future__ import annotations

from pathlib import Path

import torch
from jukebox_infer.hparams import setup_hparams
from jukebox_infer.make_models import make_prior, make_vqvae

from site_builder.models import MODELS

# -- the toy model -------------------------------------------------------------------
TINY_WEIGHTS_SEED = 0          # the toy model's random weights: the same model every run
TINY_VQVAE = dict(emb_width=16, l_bins=64, width=16, depth=1)
TINY_PRIOR = dict(prior_width=32, prior_depth=1, heads=1, blocks=16,
                  cond_width=16, cond_depth=1, n_ctx=256, fp16_params=False)
# -------------------------------------------------------------------------------------


def build_tiny(length: int, device: torch.device):
    """The real Jukebox VQ-VAE and priors at toy size, with random weights."""
    torch.manual_seed(TINY_WEIGHTS_SEED)
    vqvae = make_vqvae(setup_hparams("vqvae", dict(sample_length=length, restore_vqvae="",
                                                     **TINY_VQVAE)), device)
    # Fresh codebooks are zeros, which decode to silence.
    for block in vqvae.bottleneck.level_blocks:
        block.k.normal_()
    names = MODELS["tiny"].hparams[1:]
    priors = [make_prior(setup_hparams(name, dict(restore_prior="", **TINY_PRIOR)), vqvae, device)
              for name in names]
    return vqvae, priors


def build_released(model: str, length: int, device: torch.device, checkpoints: dict[str, Path]):
    """A released model from checkpoint files already on disk (never downloaded here:
    compute nodes are often offline, and a half-downloaded file must not load)."""
    vqvae_name, *prior_names = MODELS[model].hparams
    vqvae = make_vqvae(setup_hparams(vqvae_name, dict(
        sample_length=length, restore_vqvae=str(checkpoints[vqvae_name]))), device,
        auto_download=False)
    priors = [make_prior(setup_hparams(name, dict(restore_prior=str(checkpoints[name]))), vqvae,
                         device, auto_download=False)
              for name in prior_names]
    return vqvae, priors
