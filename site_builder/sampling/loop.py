"""Our own token loop for one window of one level, over a batch of items.

jukebox-infer keeps the models and the weights' layout; this replaces its
`prior.sample` / `primed_sample` loop so that:

- each item draws from its own random stream (a `torch.Generator` per item), so an
  item's codes do not depend on which other items share its batch: a later partial
  batch never replays an earlier one, and raising N never changes an item made;
- nothing in the loop waits for the device: no `.item()`, no assert on device
  values, no `Categorical` argument validation (each of those is a host-device
  synchronisation per token in jukebox's loop); tokens are written into a tensor
  allocated once;
- the position embedding is computed once per window, not once per token;
- the layers whose key/value cache is the whole window write it in place into
  caches allocated once (kvcache.py), instead of copying it whole every token;
- each token is the static step (static_step.py: fixed shapes, every cache written
  in place, the position on the device; the same codes as the dynamic `Stepper`,
  which remains for priming), on CUDA replayed as a CUDA graph captured once per
  level and batch (`graphs=False`: the same step launched from Python).

At batch 1 on a CPU in fp32, a generator seeded with s gives exactly the codes of
jukebox's loop after `torch.manual_seed(s)`, with either step
(tests/test_sampling_loop.py): the dynamic step's operators and their order are
jukebox's own; the static step's attention adds only masked keys (weight 0), and
its random numbers are multinomial's.
"""

from __future__ import annotations

import time
from typing import Callable

import torch
import torch.nn.functional as F

from jukebox_infer.prior.autoregressive import split_chunks

from site_builder.sampling import kvcache, static_step

Tick = Callable[[int], None]   # called with the tokens sampled so far in this window


def draw(logits: torch.Tensor, generators: list[torch.Generator]) -> torch.Tensor:
    """One token per item (B, 1) from logits (B, 1, bins), each from its own stream,
    as `Categorical(logits=...).sample()` does it (normalise, softmax, multinomial)."""
    logits = logits - logits.logsumexp(dim=-1, keepdim=True)
    probs = F.softmax(logits, dim=-1).reshape(logits.shape[0], -1)
    if len(generators) == 1:
        return torch.multinomial(probs, 1, True, generator=generators[0])
    return torch.cat([torch.multinomial(probs[row:row + 1], 1, True, generator=generator)
                      for row, generator in enumerate(generators)])


def item_generator(seed: int, device: torch.device) -> torch.Generator:
    generator = torch.Generator(device=device)
    generator.manual_seed(seed)
    return generator


def sample_window(prior, z: torch.Tensor, z_conds, y, sample_tokens: int, *, temp: float,
                  chunk_size: int, fp16: bool, generators: list[torch.Generator],
                  tick: Tick | None = None, static: bool | None = None, graphs: bool = True) -> torch.Tensor:
    """Codes (B, sample_tokens) of one window, continuing `z` (B, already sampled),
    as `SimplePrior.sample` gives them."""
    x_cond, y_cond, prime = prior.get_cond(z_conds, y)
    ar = prior.prior
    if prior.single_enc_dec:
        # 1b_lyrics: the lyrics' tokens come first in the same sequence.
        shift = int(prior.prior_bins_shift[1])
        prefix = torch.cat([prime.long().view(prime.shape[0], -1), z + shift], dim=1)
        if x_cond is None:
            x_cond = torch.zeros((prime.shape[0], prior.prior_dims[1], prior.prior_width),
                                 device=prime.device)
        x_cond = torch.cat([torch.zeros((prime.shape[0], prior.prior_dims[0], prior.prior_width),
                                        device=prime.device), x_cond], dim=1)
        out = token_loop(ar, prefix, x_cond, y_cond, None, sample_tokens + prior.n_tokens, temp=temp,
                         chunk_size=chunk_size, fp16=fp16, generators=generators, tick=tick,
                         static=static, graphs=graphs)
        return (out[:, prior.prior_dims[0]:] - shift).clamp(min=0)
    encoder_kv = prior.get_encoder_kv(prime, fp16=fp16, sample=True)
    return token_loop(ar, z, x_cond, y_cond, encoder_kv, sample_tokens, temp=temp,
                      chunk_size=chunk_size, fp16=fp16, generators=generators, tick=tick,
                      static=static, graphs=graphs)


class Stepper:
    """One token step of ConditionalAutoregressive2D's sampling, our way; the
    transformer's key/value caches hold the window's past."""

    def __init__(self, ar, x_cond, y_cond, encoder_kv, n: int, *, temp: float, fp16: bool):
        self.ar, self.y_cond, self.encoder_kv, self.n = ar, y_cond, encoder_kv, n
        self.temp, self.fp16 = temp, fp16
        self.device = next(ar.parameters()).device
        if x_cond is None:
            x_cond = torch.zeros((n, 1, ar.width), dtype=torch.float, device=self.device)
        self.x_cond = x_cond
        self.per_position = x_cond.shape[1] == ar.input_dims
        self.pos = ar.pos_emb()       # once per window (jukebox: once per token)

    def embed(self, t: int, previous: torch.Tensor | None):
        ar, n = self.ar, self.n
        if t == 0:
            x = torch.empty(n, 1, ar.width, device=self.device)
            x[:, 0] = self.y_cond.view(n, ar.width) if ar.y_cond else ar.start_token
        else:
            x = ar.x_emb(previous)
        cond = self.x_cond[:, t:t + 1, :] if self.per_position else self.x_cond
        return x + self.pos[t:t + 1] + cond, cond

    def prime(self, start: int, tokens: torch.Tensor) -> None:
        """Run positions start.. of the past (tokens: the codes up to and including
        them) through the transformer, filling its caches."""
        xs = [self.embed(t, tokens[:, t - 1:t] if t else None)[0] for t in range(start, tokens.shape[1])]
        self.ar.transformer(torch.cat(xs, dim=1), encoder_kv=self.encoder_kv, sample=True, fp16=self.fp16)

    def step(self, t: int, previous: torch.Tensor | None, generators) -> torch.Tensor:
        x, cond = self.embed(t, previous)
        x = self.ar.transformer(x, encoder_kv=self.encoder_kv, sample=True, fp16=self.fp16)
        if self.ar.add_cond_after_transformer:
            x = x + cond
        return draw(self.ar.x_out(x) / self.temp, generators)


def token_loop(ar, prefix: torch.Tensor, x_cond, y_cond, encoder_kv, sample_tokens: int, *,
               temp: float, chunk_size: int, fp16: bool, generators, tick: Tick | None,
               static: bool | None = None, graphs: bool = True) -> torch.Tensor:
    """ConditionalAutoregressive2D.sample (empty prefix) / primed_sample, our way.
    static: the static step (None: wherever the model's attention kinds allow it;
    False: the dynamic one); graphs: replay the static step as a CUDA graph on CUDA."""
    n = prefix.shape[0]
    device = prefix.device
    stepper = Stepper(ar, x_cond, y_cond, encoder_kv, n, temp=temp, fp16=fp16)
    out = torch.empty((n, sample_tokens), dtype=torch.long, device=device)
    out[:, :prefix.shape[1]] = prefix
    primed = prefix.shape[1]
    transformer = ar.transformer
    kvcache.ensure(transformer, n, torch.float16 if fp16 else torch.float32, device, ar.input_dims)
    fixed = None
    if static is not False and static_step.supported(ar):
        fixed = static_step.for_window(ar, n, stepper.x_cond.shape[1], fp16=fp16, temp=temp,
                                       device=device, graphs=graphs)
        fixed.prepare()          # (captures the graph the first time: before priming)
    transformer.del_cache()
    try:
        start = 0
        for size in split_chunks(primed, chunk_size) if primed else []:
            # The window's past fills the key/value caches in chunks, as jukebox does.
            stepper.prime(start, out[:, :start + size])
            start += size
        if fixed is not None:
            fixed.bind(out, primed, stepper.x_cond, y_cond, encoder_kv)
        shown = time.monotonic()
        previous = out[:, primed - 1:primed] if primed else None
        for t in range(primed, sample_tokens):
            if fixed is not None:
                if (t - primed) % static_step.NOISE_CHUNK == 0:
                    fixed.draw_noise(generators, min(static_step.NOISE_CHUNK, sample_tokens - t))
                fixed.run()
            else:
                previous = stepper.step(t, previous, generators)
                out[:, t:t + 1] = previous
            if tick and t % 64 == 63 and time.monotonic() - shown > 1:
                shown = time.monotonic()
                tick(t + 1 - primed)
        if fixed is not None:
            out[:, primed:] = fixed.codes[:, primed:sample_tokens]
    finally:
        transformer.del_cache()
    return out
