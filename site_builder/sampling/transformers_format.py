"""Copies of the released checkpoints in the transformers format (Hugging Face's
`JukeboxModel`, `JukeboxVQVAE`, `JukeboxPrior`: e.g. the hub's openai/jukebox-1b-lyrics),
converted into jukebox's own files under `models_dir` (`make models FROM=<folder>`).

The key mapping is our own, written from the layout transformers documents in its
conversion script and model code (models/deprecated/jukebox): the same weights under
other names. We write the mapping one way, jukebox's name -> transformers' name, and
apply it to every key of the model jukebox-infer builds (on the `meta` device: no
memory), so each transformers key has exactly one jukebox key or is refused.

    jukebox                                          transformers
    *.w, *.b (jukebox's Conv1D)                      *.weight, *.bias
    <stack>.model.I.J.*  (conv J of block I)         <stack>.downsample_block.(2I+J).*  (encoders)
                                                     <stack>.upsample_block.(2I+J-2).*  (decoders,
                                                                                   the upsamplers' conditioner)
    ....model.R.model.1 / .model.3 (a resnet's convs) ....resnet_block.R.conv1d_1 / conv1d_2
    encoders' last conv / decoders' first            proj_out / proj_in
    conditioner_blocks.0.cond.*                      conditioner_blocks.upsampler.*
    conditioner_blocks.0.*                           conditioner_blocks.*
    y_emb.*, *.emb.* of the label embeddings         metadata_embedding.* (the .emb. dropped for
                                                     artist and genre tables)
    *.k (codebooks)                                  *.codebook
    x_emb, x_out, ln, prime_*                        embed_tokens, fc_proj_out, layer_norm, encoder.*

In a JukeboxModel file the VQ-VAE's keys start with `vqvae.` and each prior's with
`priors.K.`, K counting from the top (K = 2 - jukebox's level); a JukeboxPrior saved
alone says its K as `level` in its config.json.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
from pathlib import Path

from site_builder.errors import SamplingError
from site_builder.logs import stage_log
from site_builder.models import MODELS
from site_builder.runs import read_json, write_json
from site_builder.sampling import safe_load

log = stage_log("models")

# Conv stacks: (jukebox's stack, transformers' name for it, its blocks, index offset, lone conv).
_STACKS = [(r"(encoders\.\d+\.level_blocks\.\d+)\.model", r"\1", "downsample_block", 0, "proj_out"),
           (r"(decoders\.\d+\.level_blocks\.\d+)\.model", r"\1", "upsample_block", -2, "proj_in"),
           (r"conditioner_blocks\.\d+\.cond\.model", "conditioner_blocks.upsampler", "upsample_block", -2,
            "proj_in")]
_RESNET_CONV = {"1": "conv1d_1", "3": "conv1d_2"}


def _stack_name(key: str) -> str | None:
    """A conv stack's parameter under transformers' names, or None when `key` is not one."""
    for pattern, head, block, offset, single in _STACKS:
        found = re.fullmatch(pattern + r"\.(\d+)(?:\.(\d))?(?:\.model\.(\d+)\.model\.([13]))?\.(weight|bias)", key)
        if not found:
            continue
        head = found.expand(head)
        index, inner, resnet, conv, param = found.groups()[-5:]
        if inner is None:                      # a lone conv: the stack's projection
            return f"{head}.{single}.{param}" if resnet is None else None
        position = int(index) * 2 + int(inner) + offset
        if resnet is None:
            return f"{head}.{block}.{position}.{param}"
        return f"{head}.{block}.{position}.resnet_block.{resnet}.{_RESNET_CONV[conv]}.{param}"
    return None


def hf_name(key: str, upsampler: bool) -> str:
    """A jukebox state-dict key under transformers' name for it."""
    if key.endswith(".w"):
        key = key[:-2] + ".weight"
    elif key.endswith(".b"):
        key = key[:-2] + ".bias"
    elif upsampler and "cond.model." in key:
        # The upsamplers' conditioner was trained with checkpointed resnets (`blocks`).
        key = key.replace(".blocks.", ".model.")
    key = _stack_name(key) or key
    key = key.replace("conditioner_blocks.0.", "conditioner_blocks.").replace("prime_prior", "encoder")
    if ".emb." in key and not any(word in key for word in ("total", "absolute", "relative")):
        key = key.replace(".emb.", ".")
    if key.endswith(".k"):
        return key[:-2] + ".codebook"
    renames = [("y_emb.", "metadata_embedding."), ("prime_state_ln", "encoder.final_layer_norm"),
               (".ln", ".layer_norm"), ("_ln", "_layer_norm"), ("prime_state_proj", "encoder.proj_in"),
               ("prime_x_out", "encoder.lm_head"), ("prior.x_out", "prior.fc_proj_out"),
               ("x_emb", "embed_tokens")]
    for old, new in renames:
        if old in key:
            return key.replace(old, new)
    return key


def jukebox_layout(model: str) -> dict[str, dict[str, tuple[tuple, object]]]:
    """hparams name -> {jukebox key: (shape, dtype)}, from a build on `meta`."""
    import torch
    from jukebox_infer.hparams import setup_hparams
    from jukebox_infer.make_models import make_prior, make_vqvae

    vqvae_name, *prior_names = MODELS[model].hparams
    with contextlib.redirect_stdout(io.StringIO()), torch.device("meta"):
        vqvae = make_vqvae(setup_hparams(vqvae_name, dict(sample_length=1048576, restore_vqvae="")), "meta")
        modules = {vqvae_name: vqvae}
        for name in prior_names:
            modules[name] = make_prior(setup_hparams(name, dict(restore_prior="")), vqvae, "meta")
    return {name: {k: (tuple(v.shape), v.dtype) for k, v in module.state_dict().items()}
            for name, module in modules.items()}


def transformers_prefix(model: str, name: str) -> str:
    """Where a part sits in a JukeboxModel file."""
    if name == MODELS[model].hparams[0]:
        return "vqvae."
    return f"priors.{2 - MODELS[model].hparams[1:].index(name)}."


def read_folder(source: Path) -> dict[str, dict]:
    """Every weight file under `source`, as {prefix: {key: tensor}}: a JukeboxModel's
    keys keep their prefixes; a part saved alone gets the prefix it would have there
    (a prior's from the `level` in its config.json)."""
    files = [source] if source.is_file() else sorted(
        p for p in source.rglob("*") if p.is_file() and re.search(r"\.(bin|pt|pth)$", p.name))
    if not files:
        other = sorted(p.name for p in source.rglob("*.safetensors")) if source.is_dir() else []
        raise SamplingError(f"FROM={source}: no weight files (pytorch_model*.bin) in it"
                            + (f" ({other[0]} is safetensors, which is not read here; download the "
                               f".bin files of the same repository)" if other else ""))
    parts: dict[str, dict] = {}
    for path in files:
        tensors = safe_load.load(path, "weight file", "download it again", mmap=True)
        if not isinstance(tensors, dict):
            raise SamplingError(f"{path}: holds a {type(tensors).__name__}, not a state dict")
        for key, value in tensors.items():
            prefix = re.match(r"(vqvae\.|priors\.\d+\.)", key)
            if prefix:
                parts.setdefault(prefix[1], {})[key[len(prefix[1]):]] = value
            else:
                parts.setdefault(_standalone_prefix(path, key), {})[key] = value
    return parts


def _standalone_prefix(path: Path, key: str) -> str:
    if key.split(".")[0] in ("encoders", "decoders", "bottleneck"):
        return "vqvae."
    config = read_json(path.parent / "config.json", {}) or {}
    if "level" not in config:
        raise SamplingError(f"{path}: a JukeboxPrior saved alone, and no config.json beside it says "
                            f"its level; download the repository's config.json too, or the whole "
                            f"JukeboxModel (e.g. openai/jukebox-1b-lyrics)")
    return f"priors.{int(config['level'])}."


def convert(model: str, source: Path, models_dir: Path) -> list[Path]:
    """Write jukebox's files for `model` from a copy in the transformers format;
    returns the files written. Every key and shape must match the model."""
    source = source.expanduser()
    if not source.exists():
        raise SamplingError(f"FROM={source}: no such file or folder")
    parts = read_folder(source)
    # Every part checked before any file is written: a wrong copy leaves nothing behind.
    plan = [(name, layout, matched(model, source, parts, name, layout))
            for name, layout in jukebox_layout(model).items()]
    return [write(name, layout, found, Path(models_dir), source) for name, layout, found in plan]


def matched(model: str, source: Path, parts: dict, name: str, layout: dict) -> dict:
    """The part's tensors by jukebox's names, every key and shape as the model has them."""
    prefix = transformers_prefix(model, name)
    names = {hf_name(key, name.startswith("upsampler")): key for key in layout}
    found = parts.get(prefix)
    if found is None:
        raise SamplingError(f"FROM={source}: no {name} in it (transformers keys {prefix}*; found: "
                            f"{', '.join(sorted(parts)) or 'none'}); a JukeboxModel copy of "
                            f"{model} has every part")
    missing = sorted(set(names) - set(found))
    unexpected = sorted(set(found) - set(names))
    wrong = sorted(k for k in set(names) & set(found) if tuple(found[k].shape) != layout[names[k]][0])
    if missing or unexpected or wrong:
        example = (f"missing {prefix}{missing[0]}" if missing else
                   f"unexpected {prefix}{unexpected[0]}" if unexpected else
                   f"{prefix}{wrong[0]} is {tuple(found[wrong[0]].shape)}, {model} has "
                   f"{layout[names[wrong[0]]][0]}")
        raise SamplingError(f"FROM={source}: its {name} is not {model}'s ({len(missing)} keys missing, "
                            f"{len(unexpected)} unexpected, {len(wrong)} of another shape; e.g. "
                            f"{example}); is it a copy of MODEL={model}?")
    return {names[k]: value for k, value in found.items()}


def write(name: str, layout: dict, found: dict, models_dir: Path, source: Path) -> Path:
    """jukebox's file for one part, in the dtypes the model keeps (fp16 where jukebox
    stores fp16), through `<file>.part` so a cut write is never taken for a checkpoint."""
    import torch

    from site_builder.sampling.checkpoints import FILES

    state = {key: value.to(layout[key][1]) for key, value in found.items()}
    dest = models_dir / FILES[name]
    dest.parent.mkdir(parents=True, exist_ok=True)
    part = dest.with_name(dest.name + ".part")
    torch.save({"model": state}, part)
    size = part.stat().st_size
    sizes_path = models_dir / "sizes.json"
    write_json(sizes_path, {**(read_json(sizes_path, {}) or {}), FILES[name]: size})
    os.replace(part, dest)
    log.info("%s: converted from %s (%d tensors), %.1f MiB", FILES[name], source, len(state), size / 2**20)
    return dest
