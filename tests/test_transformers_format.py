"""`make models FROM=<folder>`: copies in the transformers format (JukeboxModel's key
names) become jukebox's files, through a key mapping of our own.

The stand-in copies have transformers' key names and the real models' shapes: the
priors' tensors on the `meta` device (no memory; torch saves and loads them), the
VQ-VAE's as small real tensors, so that values can be followed to their new names."""

from __future__ import annotations

import json
from functools import lru_cache

import pytest
import torch

from site_builder.cli import main
from site_builder.models import MODELS
from site_builder.sampling import build, checkpoints, safe_load
from site_builder.sampling import transformers_format as tf


@lru_cache(maxsize=None)
def layout(model: str) -> dict:
    return tf.jukebox_layout(model)


# Names as transformers' model code has them (models/deprecated/jukebox/modeling_jukebox.py
# and its conversion script), written out here rather than derived.
DOCUMENTED = {
    ("encoders.0.level_blocks.0.model.0.1.model.2.model.3.bias", False):
        "encoders.0.level_blocks.0.downsample_block.1.resnet_block.2.conv1d_2.bias",
    ("encoders.2.level_blocks.1.model.3.weight", False): "encoders.2.level_blocks.1.proj_out.weight",
    ("decoders.1.level_blocks.0.model.0.weight", False): "decoders.1.level_blocks.0.proj_in.weight",
    ("decoders.0.level_blocks.0.model.2.1.weight", False): "decoders.0.level_blocks.0.upsample_block.3.weight",
    ("bottleneck.level_blocks.2.k", False): "bottleneck.level_blocks.2.codebook",
    ("conditioner_blocks.0.cond.model.1.0.blocks.3.model.1.weight", True):
        "conditioner_blocks.upsampler.upsample_block.0.resnet_block.3.conv1d_1.weight",
    ("conditioner_blocks.0.cond.model.0.bias", True): "conditioner_blocks.upsampler.proj_in.bias",
    ("conditioner_blocks.0.x_emb.weight", True): "conditioner_blocks.embed_tokens.weight",
    ("conditioner_blocks.0.ln.weight", True): "conditioner_blocks.layer_norm.weight",
    ("y_emb.artist_emb.emb.weight", False): "metadata_embedding.artist_emb.weight",
    ("y_emb.total_length_emb.emb.weight", False): "metadata_embedding.total_length_emb.emb.weight",
    ("prior.x_emb.weight", False): "prior.embed_tokens.weight",
    ("prior.x_out.weight", False): "prior.fc_proj_out.weight",
    ("prior.transformer._attn_mods.71.ln_1.bias", False): "prior.transformer._attn_mods.71.layer_norm_1.bias",
    ("prior.transformer._attn_mods.18.attn.c_enc_kv.w", False): "prior.transformer._attn_mods.18.attn.c_enc_kv.weight",
    ("prime_prior.transformer._attn_mods.0.mlp.c_fc.b", False): "encoder.transformer._attn_mods.0.mlp.c_fc.bias",
    ("prime_state_ln.weight", False): "encoder.final_layer_norm.weight",
    ("prime_state_proj.w", False): "encoder.proj_in.weight",
    ("prime_x_out.weight", False): "encoder.lm_head.weight",
}


def test_documented_names():
    for (key, upsampler), name in DOCUMENTED.items():
        assert tf.hf_name(key, upsampler) == name, key


@pytest.mark.slow
@pytest.mark.parametrize("model", ["5b", "5b_lyrics", "1b_lyrics"])
def test_every_key_of_every_part_has_its_own_name(model):
    for name, keys in layout(model).items():
        mapped = {tf.hf_name(key, name.startswith("upsampler")) for key in keys}
        assert len(mapped) == len(keys), name          # one to one: nothing can land twice
        leftovers = [k for k in mapped if any(word in k for word in
                     (".model.", ".blocks.", "x_emb", "y_emb", "prime_", ".ln", "cond.")) or
                     k.endswith((".w", ".b", ".k"))]
        assert not leftovers, leftovers[:3]


def stand_in(model: str, folder, *, skip: str = "") -> dict:
    """A JukeboxModel copy of `model` in two shards, as the hub keeps them; returns
    the VQ-VAE's real tensors by transformers' name."""
    torch.manual_seed(0)
    state, vqvae = {}, {}
    for name, keys in layout(model).items():
        prefix = tf.transformers_prefix(model, name)
        for key, (shape, _) in keys.items():
            hf = prefix + tf.hf_name(key, name.startswith("upsampler"))
            if hf == skip:
                continue
            if name == "vqvae":
                state[hf] = vqvae[hf] = torch.randn(shape)
            else:
                state[hf] = torch.empty(shape, device="meta")     # transformers keeps fp32
    keys = sorted(state)
    folder.mkdir(parents=True, exist_ok=True)
    torch.save({k: state[k] for k in keys[::2]}, folder / "pytorch_model-00001-of-00002.bin")
    torch.save({k: state[k] for k in keys[1::2]}, folder / "pytorch_model-00002-of-00002.bin")
    (folder / "pytorch_model.bin.index.json").write_text(json.dumps(
        {"weight_map": {k: f"pytorch_model-0000{1 + i % 2}-of-00002.bin" for i, k in enumerate(keys)}}))
    return vqvae


@pytest.fixture
def blog_models(blog, tmp_path):
    config = blog / "_config.yml"
    config.write_text(config.read_text() + f"models_dir: {tmp_path / 'models'}\n")
    return blog, tmp_path / "models"


def test_make_models_converts_a_jukeboxmodel_copy(blog_models, tmp_path, capsys):
    blog, models = blog_models
    vqvae_tensors = stand_in("1b_lyrics", tmp_path / "jukebox-1b-lyrics")
    assert checkpoints.missing("1b_lyrics", models)
    assert main(["--root", str(blog), "models", "--model", "1b_lyrics", "--from",
                 str(tmp_path / "jukebox-1b-lyrics")]) == 0
    assert "1b_lyrics/prior_level_2.pth.tar: converted" in capsys.readouterr().out
    assert checkpoints.missing("1b_lyrics", models) == []       # sampling would start

    files = checkpoints.paths("1b_lyrics", models)
    for name, keys in layout("1b_lyrics").items():
        weights = safe_load.state_dict(files[name])              # jukebox's names, the model's dtypes
        assert {k: (tuple(v.shape), v.dtype) for k, v in weights.items()} == keys, name
    # The values went where they belong: jukebox's own VQ-VAE built from the converted file.
    vqvae = build.released_vqvae("vqvae", 2 ** 14, torch.device("cpu"), files["vqvae"])
    assert torch.equal(vqvae.bottleneck.level_blocks[1].k, vqvae_tensors["vqvae.bottleneck.level_blocks.1.codebook"])
    conv = vqvae.encoders[0].level_blocks[0].model[1][1].model[2].model[3]
    assert torch.equal(conv.weight, vqvae_tensors[
        "vqvae.encoders.0.level_blocks.0.downsample_block.3.resnet_block.2.conv1d_2.weight"])


def test_a_copy_that_is_not_the_model_is_refused_in_one_line(blog_models, tmp_path, capsys):
    blog, models = blog_models
    stand_in("1b_lyrics", tmp_path / "copy")
    assert main(["--root", str(blog), "models", "--model", "5b_lyrics", "--from", str(tmp_path / "copy")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "its prior_5b_lyrics is not 5b_lyrics's" in err
    assert "is it a copy of MODEL=5b_lyrics?" in err

    short = "priors.1.prior.transformer._attn_mods.3.attn.c_proj.weight"
    stand_in("1b_lyrics", tmp_path / "short", skip=short)
    assert main(["--root", str(blog), "models", "--model", "1b_lyrics", "--from", str(tmp_path / "short")]) == 2
    err = capsys.readouterr().err
    assert "its upsampler_level_1 is not 1b_lyrics's (1 keys missing" in err and f"missing {short}" in err
    assert not models.exists() or not list(models.rglob("*.pth.tar*"))   # nothing written


def test_parts_saved_alone_are_read_by_their_keys_and_config_level(blog_models, tmp_path, capsys):
    """A JukeboxVQVAE and three JukeboxPriors, each in its own folder as the hub keeps
    them (a prior's config.json gives its level, counted from the top)."""
    blog, models = blog_models
    stand_in("1b_lyrics", tmp_path / "whole")
    parts = tf.read_folder(tmp_path / "whole")
    for prefix, tensors in parts.items():
        folder = tmp_path / "parts" / prefix.strip(".")
        folder.mkdir(parents=True)
        torch.save(tensors, folder / "pytorch_model.bin")
        if prefix.startswith("priors."):
            (folder / "config.json").write_text(json.dumps({"level": int(prefix.split(".")[1])}))
    assert main(["--root", str(blog), "models", "--model", "1b_lyrics", "--from", str(tmp_path / "parts")]) == 0
    assert checkpoints.missing("1b_lyrics", models) == []
    top = safe_load.state_dict(checkpoints.paths("1b_lyrics", models)["prior_1b_lyrics"])
    assert tuple(top["prior.x_emb.weight"].shape) == layout("1b_lyrics")["prior_1b_lyrics"]["prior.x_emb.weight"][0]


def test_a_prior_saved_alone_needs_its_level(blog_models, tmp_path, capsys):
    blog, _ = blog_models
    folder = tmp_path / "jukebox_prior"
    folder.mkdir()
    torch.save({"prior.x_out.weight": torch.empty(2048, 4800, device="meta")}, folder / "pytorch_model.bin")
    assert main(["--root", str(blog), "models", "--model", "5b", "--from", str(folder)]) == 2
    err = capsys.readouterr().err
    assert "a JukeboxPrior saved alone, and no config.json beside it says its level" in err


def test_from_names_the_folder_when_there_is_nothing_to_read(blog_models, tmp_path, capsys):
    blog, _ = blog_models
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "model.safetensors").write_bytes(b"")
    assert main(["--root", str(blog), "models", "--model", "5b", "--from", str(tmp_path / "empty")]) == 2
    assert "no weight files (pytorch_model*.bin) in it (model.safetensors is safetensors" in capsys.readouterr().err
    assert main(["--root", str(blog), "models", "--model", "5b", "--from", str(tmp_path / "nowhere")]) == 2
    assert "no such file or folder" in capsys.readouterr().err


def test_the_tiny_model_has_nothing_to_convert(blog_models, tmp_path, capsys):
    blog, _ = blog_models
    assert main(["--root", str(blog), "models", "--from", str(tmp_path)]) == 2
    assert "tiny model has no checkpoints" in capsys.readouterr().err
    assert MODELS["tiny"].toy
