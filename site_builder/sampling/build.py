"""Building the VQ-VAE and the three priors with jukebox-infer's own constructors:
the released models from their checkpoints, or `tiny`, the same code at toy size
with random weights."""

from __future__ import annotations

from pathlib import Path

import torch
from jukebox_infer.hparams import setup_hparams
from jukebox_infer.make_models import make_prior, make_vqvae
from jukebox_infer.transformer.ops import Conv1D

from site_builder.models import MODELS
from site_builder.sampling import safe_load

# -- the toy model -------------------------------------------------------------------
TINY_WEIGHTS_SEED = 0          # the toy model's random weights: the same model every run
TINY_VQVAE = dict(emb_width=16, l_bins=64, width=16, depth=1)
TINY_PRIOR = dict(prior_width=32, prior_depth=1, heads=1, blocks=16,
                  cond_width=16, cond_depth=1, n_ctx=256, fp16_params=False)
TINY_EMBEDDING_STD = 1.0
TINY_LABEL_STD = 10.0
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
    # At jukebox's init scale (std 0.01) a toy model's embeddings leave its residual stream
    # near zero: every token is drawn from an almost uniform distribution and the artist and
    # genre, which enter through the first position and attention, would not be heard.
    for prior in priors:
        prior.prior.x_emb.weight.data.normal_(std=TINY_EMBEDDING_STD)
        if prior.y_cond:   # the labels decide the first token, and so everything after it
            for table in (prior.y_emb.artist_emb.emb, prior.y_emb.bow_genre_emb.emb):
                table.weight.data.normal_(std=TINY_LABEL_STD)
        # ... and attention that mixes positions, so the first one (the labels) carries on.
        for module in prior.prior.transformer.modules():
            if isinstance(module, Conv1D):
                module.w.data.normal_(std=module.n_in ** -0.5)
    return vqvae, priors


def released_vqvae(name: str, length: int, device, path: Path):
    """jukebox-infer's VQ-VAE, its weights read by safe_load (jukebox-infer's own
    loader unpickles anything: it is never given the path)."""
    vqvae = make_vqvae(setup_hparams(name, dict(sample_length=length, restore_vqvae="")), device,
                       auto_download=False)
    safe_load.restore(vqvae, path)
    return vqvae


def released_prior(name: str, vqvae, device, path: Path):
    prior = make_prior(setup_hparams(name, dict(restore_prior="")), vqvae, device, auto_download=False)
    safe_load.restore(prior, path)
    return prior


def to_sampling_dtype(prior, fp16: bool) -> None:
    """The transformers' weights in fp16 once, as sampling uses them: jukebox's Conv1D
    casts its fp32 weights to the input's dtype on every call otherwise (most of an
    upsampler's memory traffic per token)."""
    if not fp16:
        return
    for module in prior.modules():
        if isinstance(module, Conv1D):
            module.w.data = module.w.data.half()
            module.b.data = module.b.data.half()


class Models:
    """The run's models, built on the CPU when first needed; one prior at a time on
    the device (the others on the host), as sample.py does, so 5b's 17 GiB of priors
    never need to fit a GPU together."""

    def __init__(self, model, length: int, device: torch.device, checkpoints: dict[str, Path] | None):
        self.model, self.length, self.device, self.checkpoints = model, length, device, checkpoints
        self.host = torch.device("cpu")
        self._vqvae = None
        self._priors: dict[int, object] = {}
        self.on_device: int | None = None      # the level whose prior is on the device

    def _build(self) -> None:
        if self.model.toy:
            # One seeded build of all three: the toy weights must not depend on what is built first.
            self._vqvae, priors = build_tiny(self.length, self.host)
            self._priors = dict(enumerate(priors))

    def vqvae(self):
        if self._vqvae is None:
            self._build()
        if self._vqvae is None:
            name = self.model.hparams[0]
            self._vqvae = released_vqvae(name, self.length, self.host, self.checkpoints[name])
        return self._vqvae

    def prior(self, level: int):
        """The level's prior, on the device; whichever prior was there goes back to the host."""
        vqvae = self.vqvae()
        if level not in self._priors:
            name = self.model.hparams[1:][level]
            self._priors[level] = released_prior(name, vqvae, self.host, self.checkpoints[name])
            to_sampling_dtype(self._priors[level], self.device.type == "cuda")
        if self.on_device != level and self.device.type != "cpu":
            if self.on_device is not None:
                self.release(self.on_device)
            self._priors[level].to(self.device)
            self.on_device = level
        return self._priors[level]

    def release(self, level: int) -> None:
        """The level's prior and its static caches off the device."""
        from site_builder.sampling import kvcache
        kvcache.release(self._priors[level].prior.transformer)
        self._priors[level].to(self.host)
        torch.cuda.empty_cache()

    def decoder(self):
        """Something with jukebox's `decode(zs, start_level, bs_chunks)`, on the device:
        the VQ-VAE alone (no prior needs to be there to decode)."""
        if self.device.type != "cpu" and self.on_device is not None:
            self.release(self.on_device)
            self.on_device = None
        return _Decoder(self.vqvae().to(self.device))


class _Decoder:
    def __init__(self, vqvae):
        self.vqvae = vqvae

    def decode(self, zs, start_level=0, bs_chunks=1):
        return self.vqvae.decode(zs, start_level=start_level, end_level=len(zs) + start_level,
                                 bs_chunks=bs_chunks)
