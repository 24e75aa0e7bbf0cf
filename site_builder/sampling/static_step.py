"""A token step whose every tensor keeps one shape and one address per (level, batch),
so that on CUDA it is captured once as a CUDA graph and replayed for every token.

The dynamic step (loop.Stepper) runs jukebox's attention code, whose caches change
length every token (and, for block and previous-block attention, are concatenated
and sliced): nothing there can be captured. Here, per attention kind:

- dense (0) and transpose-block (2): the whole-window caches of kvcache.py, written in
  place at the position; dense attends to all of them, transpose-block to the
  position's column (one key per block), both masked beyond the position;
- block (1): a cache of one block, written at `position % block`, masked beyond it;
- previous block (3): a ring of two blocks; attends to the other half, all of it
  (zeros in the first block, as jukebox's zeros);
- encoder-decoder (6, 5b_lyrics): the lyrics' keys, computed once per window;
- prime (7, 1b_lyrics): the lyrics' first positions, masked beyond the position.

The position, the previous tokens, the codes, the conditioning and the random
numbers live in device tensors that the step reads and advances in place; the mask
is computed on the device from the position. Each item's random numbers are drawn
from its own generator outside the step, a chunk of tokens at a time (exponential
noise: `argmax(p / noise)` is how `torch.multinomial` draws one sample, so on a CPU
the codes are exactly the dynamic step's, and jukebox's at batch 1).

The cost: dense and transpose-block attention read their whole cache (masked) from
the first token of a window, twice the dynamic step's attention arithmetic on
average over a window (bench/sampling.py counts it); on a GPU that is small next
to the weights each step reads.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from site_builder.logs import stage_log
from site_builder.sampling import kvcache

log = stage_log("sample")

NOISE_CHUNK = 64          # tokens of random numbers drawn at a time
SUPPORTED = {0, 1, 2, 3, 6, 7}


def supported(ar) -> bool:
    return all(block.attn.attn_func in SUPPORTED for block in ar.transformer._attn_mods)


class Layer:
    """One attention layer's fixed-size caches and its step."""

    def __init__(self, block, batch: int, dtype, device, length: int):
        self.block, self.attn = block, block.attn
        attn = self.attn
        self.kind = attn.attn_func
        self.scale = 1. / math.sqrt(math.sqrt(attn.n_state // attn.n_head))
        self.act = _activation(block.mlp)
        d = attn.n_state
        if self.kind in kvcache.WHOLE_WINDOW:
            self.key, self.value = attn._kv_key, attn._kv_value        # shared with priming
        elif self.kind == 1:
            self.key, self.value = (torch.zeros(batch, attn.block_ctx, d, dtype=dtype, device=device)
                                    for _ in range(2))
        elif self.kind == 3:
            self.key, self.value = (torch.zeros(batch, 2 * attn.block_ctx, d, dtype=dtype, device=device)
                                    for _ in range(2))
        elif self.kind == 6:
            self.key, self.value = (torch.zeros(batch, attn.encoder_dims, d, dtype=dtype, device=device)
                                    for _ in range(2))
        else:   # 7: the first _prime_len positions, and one row that takes the writes after them
            self.key, self.value = (torch.zeros(batch, attn._prime_len + 1, d, dtype=dtype, device=device)
                                    for _ in range(2))

    def load(self, primed: int, encoder_kv, dtype) -> None:
        """The caches for a window whose first `primed` positions went through the
        dynamic transformer (jukebox's caches, or kvcache's in place)."""
        attn = self.attn
        if self.kind == 6:
            key, value = attn.c_enc_kv(encoder_kv.to(dtype)).chunk(2, dim=2)
            self.key.copy_(key)
            self.value.copy_(value)
            return
        if self.kind in kvcache.WHOLE_WINDOW:
            return                                   # written there in place by priming
        if self.kind == 3:
            self.key.zero_()                          # before the second block: zeros, as jukebox's
            self.value.zero_()
        if not primed or "key" not in attn.cache:
            return
        key, value = attn.cache["key"], attn.cache["value"]
        first = primed - key.shape[1] if self.kind != 7 else 0
        slots = self._slots(first, key.shape[1])
        self.key[:, slots] = key
        self.value[:, slots] = value

    def _slots(self, first: int, count: int):
        if self.kind == 1:
            return slice(first % self.attn.block_ctx, first % self.attn.block_ctx + count)
        if self.kind == 3:
            ring = 2 * self.attn.block_ctx
            return torch.arange(first, first + count, device=self.key.device) % ring
        return slice(first, first + count)          # 7

    def __call__(self, x: torch.Tensor, at: dict) -> torch.Tensor:
        block = self.block
        a = self.attention(block.ln_0(x), at)
        h = block.ln_1(x + a)
        m = block.mlp.c_proj(self.act(block.mlp.c_fc(h)))
        if block.res_scale == 1.0:
            return x + a + m
        return x + block.res_scale * (a + m)

    def attention(self, h: torch.Tensor, at: dict) -> torch.Tensor:
        attn = self.attn
        x = attn.c_attn(h)
        mask = None
        if self.kind == 6:
            query, key, value = x, self.key, self.value
        else:
            query, key, value = x.chunk(3, dim=2)
            slot = at[("slot", self.kind)]
            self.key.index_copy_(1, slot, key)
            self.value.index_copy_(1, slot, value)
            key, value, mask = self.visible(at)
        return attn.c_proj(self.dense(query, key, value, mask))

    def visible(self, at: dict):
        """The keys and values this kind attends to, and which of them are valid."""
        n = self.key.shape[0]
        if self.kind == 2:
            # the position's column: one key per block (a flat index along the positions;
            # index_select along a 4-d view's third dimension reads the whole cache on a CPU)
            column = at["column"]
            return self.key.index_select(1, column), self.value.index_select(1, column), at[("mask", 2)]
        if self.kind == 3:
            width = self.key.shape[2]
            half = at["other_half"]
            key = self.key.view(n, 2, self.attn.block_ctx, width).index_select(1, half)
            value = self.value.view(n, 2, self.attn.block_ctx, width).index_select(1, half)
            return key.view(n, -1, width), value.view(n, -1, width), None
        if self.kind == 7:
            prime = self.key.shape[1] - 1
            return self.key[:, :prime], self.value[:, :prime], at[("mask", 7)]
        return self.key, self.value, at[("mask", self.kind)]

    def dense(self, query, key, value, mask):
        """jukebox's dense_attn and _attn for one query, with a mask over the keys."""
        attn = self.attn
        q = attn.split_heads(query)
        k = attn.split_heads(key, k=True)
        v = attn.split_heads(value)
        w = torch.matmul(q, k)
        w.mul_(self.scale * self.scale)
        wtype = w.dtype
        w = w.float()
        if mask is not None:
            w = w.masked_fill(mask, float("-inf"))
        w = F.softmax(w, dim=-1).type(wtype)
        return attn.merge_heads(torch.matmul(w, v))


def _activation(mlp):
    from jukebox_infer.transformer.ops import memory_efficient_quick_gelu
    if mlp.act is memory_efficient_quick_gelu:
        # jukebox's TorchScript quick_gelu, as plain operators (the same arithmetic on a
        # CPU; nothing compiled lazily while a CUDA graph is being captured)
        return lambda x: x * torch.sigmoid(1.702 * x)
    return mlp.act


class StaticStep:
    """The step of one level at one batch: its buffers, and its CUDA graph once captured."""

    def __init__(self, ar, batch: int, x_cond_len: int, *, fp16: bool, temp: float, device, graphs: bool):
        self.ar, self.batch, self.fp16, self.temp, self.device = ar, batch, fp16, temp, device
        self.dtype = torch.float16 if fp16 else torch.float32
        self.graphs = graphs and device.type == "cuda"
        self.key = (batch, x_cond_len, fp16, temp, device, self.graphs)
        length = ar.input_dims
        kvcache.ensure(ar.transformer, batch, self.dtype, device, length)
        self.layers = [Layer(block, batch, self.dtype, device, length) for block in ar.transformer._attn_mods]
        self.kinds = {layer.kind for layer in self.layers}
        long = dict(dtype=torch.long, device=device)
        self.position = torch.zeros(1, **long)      # the position the next step samples
        self.row = torch.zeros(1, **long)           # its row of random numbers
        self.previous = torch.zeros(batch, 1, **long)
        self.codes = torch.zeros(batch, length, **long)
        self.x_cond = torch.zeros(batch, x_cond_len, ar.width, device=device)
        self.start = torch.zeros(batch, 1, ar.width, device=device)
        self.noise = torch.ones(batch, NOISE_CHUNK, ar.bins, device=device)
        self.pos_emb = ar.pos_emb().detach()
        self.per_position = x_cond_len == length
        self.ranges, self.blocks = {}, {}
        for layer in self.layers:
            size = {0: length, 1: layer.attn.block_ctx, 7: layer.key.shape[1] - 1}.get(layer.kind)
            if layer.kind == 2:
                size = length // layer.attn.block_ctx
            if size is not None:
                self.ranges[layer.kind] = torch.arange(size, **long)
            if layer.kind in (1, 2, 3):
                self.blocks[layer.kind] = layer.attn.block_ctx
        self.graph = None

    # --- one window ---------------------------------------------------------------

    def prepare(self) -> None:
        """Capture the graph if it is wanted and not there yet: before the window's
        past is primed into the caches, as warming up writes junk at positions 0-2."""
        if self.graphs and self.graph is None:
            self.capture()

    def bind(self, prefix: torch.Tensor, primed: int, x_cond, y_cond, encoder_kv) -> None:
        """Set the step up for a window (eager operators, once per window): the codes
        so far, the conditioning, the caches after priming, the position."""
        ar, n = self.ar, self.batch
        self.x_cond.copy_(x_cond)
        self.start.copy_((y_cond.view(n, 1, ar.width) if ar.y_cond else ar.start_token.view(1, 1, -1))
                         .expand(n, 1, ar.width))
        for layer in self.layers:
            layer.load(primed, encoder_kv, self.dtype)
        self.codes[:, :primed] = prefix[:, :primed]
        if primed:
            self.previous.copy_(prefix[:, primed - 1:primed])
        self.position.fill_(primed)

    def draw_noise(self, generators, tokens: int) -> None:
        """Each item's random numbers for the next `tokens` (at most NOISE_CHUNK) steps,
        from its own stream, in the order `torch.multinomial` would draw them."""
        for row, generator in enumerate(generators):
            self.noise[row, :tokens].exponential_(generator=generator)
        self.row.zero_()

    def run(self) -> None:
        if self.graph is not None:
            self.graph.replay()
        else:
            self.step()

    # --- the step -----------------------------------------------------------------

    def step(self) -> None:
        """One token for every item: only operators on fixed-shape device tensors."""
        ar, p = self.ar, self.position
        x = torch.where(p == 0, self.start, ar.x_emb(self.previous))
        cond = self.x_cond.index_select(1, p) if self.per_position else self.x_cond
        x = x + self.pos_emb.index_select(0, p) + cond
        if self.fp16:
            x = x.half()
        at = self.positions(p)
        for layer in self.layers:
            x = layer(x, at)
        x = x.float()
        if ar.add_cond_after_transformer:
            x = x + cond
        logits = ar.x_out(x) / self.temp
        logits = logits - logits.logsumexp(dim=-1, keepdim=True)
        probs = F.softmax(logits, dim=-1).reshape(self.batch, -1)
        noise = self.noise.index_select(1, self.row).view(self.batch, -1)
        token = (probs / noise).argmax(dim=-1, keepdim=True)
        self.previous.copy_(token)
        self.codes.index_copy_(1, p, token)
        p.add_(1)
        self.row.add_(1)

    def positions(self, p: torch.Tensor) -> dict:
        """Where each kind writes and what it may read, from the position (on the device)."""
        at = {}
        for kind in self.kinds:
            if kind in (0, 2):
                at[("slot", kind)] = p
            if kind == 0:
                at[("mask", 0)] = self.ranges[0] > p
            elif kind == 1:
                at[("slot", 1)] = p % self.blocks[1]
                at[("mask", 1)] = self.ranges[1] > at[("slot", 1)]
            elif kind == 2:
                block = self.blocks[2]
                at["column"] = p % block + self.ranges[2] * block
                at[("mask", 2)] = self.ranges[2] > p // block
            elif kind == 3:
                block = self.blocks[3]
                at[("slot", 3)] = p % (2 * block)
                at["other_half"] = 1 - (p // block) % 2
            elif kind == 7:
                prime = self.ranges[7].shape[0]
                at[("slot", 7)] = p.clamp(max=prime)
                at[("mask", 7)] = self.ranges[7] > p
        return at

    # --- CUDA graph -----------------------------------------------------------------

    def capture(self) -> None:
        """Record the step once; every later token replays it (one launch instead of
        thousands). Warm-up on a side stream first, as PyTorch's CUDA graph notes ask."""
        stream = torch.cuda.Stream(self.device)
        stream.wait_stream(torch.cuda.current_stream(self.device))
        with torch.cuda.stream(stream):
            for _ in range(3):
                self.step()
        torch.cuda.current_stream(self.device).wait_stream(stream)
        graph = torch.cuda.CUDAGraph()
        try:
            with torch.cuda.graph(graph):
                self.step()
        except RuntimeError as exc:
            # Something this GPU or PyTorch cannot capture: the step still runs (it just did,
            # warming up), launched from Python, with the same codes. (Never seen: no GPU
            # has run this yet.)
            log.warning("warning: the token step could not be captured as a CUDA graph (%s); "
                        "sampling goes on without graphs (SITE_BUILDER_CUDA_GRAPHS=0 skips trying)",
                        str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
            self.graphs = False
            return
        self.graph = graph


def for_window(ar, batch: int, x_cond_len: int, *, fp16: bool, temp: float, device, graphs: bool) -> StaticStep:
    """The level's static step at this batch, kept on its transformer between windows
    (and its graph with it); a new one when anything it was made for changed."""
    transformer = ar.transformer
    key = (batch, x_cond_len, fp16, temp, device, graphs and device.type == "cuda")
    found = getattr(transformer, "_static_step", None)
    if found is None or found.key != key:
        transformer._static_step = None        # the old graph and buffers go first
        found = StaticStep(ar, batch, x_cond_len, fp16=fp16, temp=temp, device=device, graphs=graphs)
        transformer._static_step = found
    return found
