"""Key/value caches allocated once per (level, batch) and written in place, for the
attention layers that keep a whole window (dense and transpose-block attention).

jukebox-infer grows every cache with `torch.cat`, copying it whole at every token:
6.3 GB per token for an upsampler at batch 16 (bench/sampling.py). These layers hold
the window's full length by its end anyway, so allocating that once costs no more
memory. The layers that keep one or two blocks (64-128 positions) stay on jukebox's
own cache: copying them is small. The attention arithmetic is jukebox's, on the same
values: our codes stay jukebox's (tests/test_sampling_loop.py).
"""

from __future__ import annotations

import types

import torch

WHOLE_WINDOW = (0, 2)     # dense, transpose-block: their cache is the whole window


def _append(self, key, value):
    end = self._kv_end + key.shape[1]
    self._kv_key[:, self._kv_end:end] = key
    self._kv_value[:, self._kv_end:end] = value
    self._kv_end = end
    return self._kv_view()


def _view(self):
    self.cache["key"] = self._kv_key[:, self._kv_start:self._kv_end]
    self.cache["value"] = self._kv_value[:, self._kv_start:self._kv_end]
    return self.cache["key"], self.cache["value"]


def _slice(self, start, end=None):
    length = self._kv_end - self._kv_start
    start = start + length if start < 0 else start
    end = length if end is None else (end + length if end < 0 else end)
    self._kv_start, self._kv_end = self._kv_start + start, self._kv_start + end
    self._kv_view()


def _cache_len(self):
    return self._kv_end - self._kv_start if "key" in self.cache else 0


def _del(self):
    self.sample_t = 0
    self._kv_start = self._kv_end = 0
    self.cache.pop("key", None)
    self.cache.pop("value", None)


def ensure(transformer, batch: int, dtype: torch.dtype, device: torch.device, length: int) -> int:
    """Static caches for `batch` items on the whole-window layers (kept while the batch,
    dtype and device stay the same); returns their bytes."""
    total = 0
    for block in transformer._attn_mods:
        attn = block.attn
        if attn.attn_func not in WHOLE_WINDOW:
            continue
        shape = (batch, length, attn.n_state)
        buffer = getattr(attn, "_kv_key", None)
        if buffer is None or buffer.shape != shape or buffer.dtype != dtype or buffer.device != device:
            attn._kv_key = attn._kv_value = None      # the old pair goes before the new one comes
            # zeros, not empty: the static step reads the positions it has not written
            # yet (masked: weight 0, and 0 x NaN would be NaN)
            attn._kv_key = torch.zeros(shape, dtype=dtype, device=device)
            attn._kv_value = torch.zeros(shape, dtype=dtype, device=device)
            attn._kv_start = attn._kv_end = 0
            for name, func in (("_append_cache", _append), ("_slice_cache", _slice), ("_kv_view", _view),
                               ("_cache_len", _cache_len), ("del_cache", _del)):
                setattr(attn, name, types.MethodType(func, attn))
        total += 2 * attn._kv_key.numel() * attn._kv_key.element_size()
    return total


def release(transformer) -> None:
    """Drop the static caches (the prior leaves the device), and the static step and
    CUDA graph that use them."""
    transformer.__dict__.pop("_static_step", None)
    for block in transformer._attn_mods:
        attn = block.attn
        if getattr(attn, "_kv_key", None) is not None:
            attn._kv_key = attn._kv_value = torch.empty(0)
