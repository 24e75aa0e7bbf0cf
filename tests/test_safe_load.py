"""Checkpoints are read with torch.load(weights_only=True) and an allowlist of what
openai's files hold; anything more is refused in one line, never unpickled.

The stand-in files are written as openai's are: a dict with the model's state dict
and `hps`, a pickled `jukebox.hparams.Hyperparams` (a dict subclass with attribute
access), here from a stand-in `jukebox.hparams` module made in the test and removed
before loading, so nothing of jukebox's can be imported while reading."""

from __future__ import annotations

import sys
import types

import pytest
import torch

from site_builder.errors import SamplingError
from site_builder.sampling import build, safe_load


@pytest.fixture
def openai_hparams():
    """A module named jukebox.hparams with a Hyperparams class as openai's, present
    only while a stand-in file is written."""
    module = types.ModuleType("jukebox.hparams")

    class Hyperparams(dict):
        def __getattr__(self, attr):
            return self[attr]

        def __setattr__(self, attr, value):
            self[attr] = value

    Hyperparams.__module__, Hyperparams.__qualname__ = "jukebox.hparams", "Hyperparams"
    module.Hyperparams = Hyperparams
    package = types.ModuleType("jukebox")
    package.hparams = module
    sys.modules.update({"jukebox": package, "jukebox.hparams": module})
    yield Hyperparams
    for name in ("jukebox", "jukebox.hparams"):
        sys.modules.pop(name, None)


def write_openai_file(path, hyperparams_class, state, *, legacy: bool):
    hps = hyperparams_class()
    hps.l_bins, hps.downs_t, hps.restore_vqvae, hps.fp16 = 2048, (3, 2, 2), "", False
    checkpoint = {"hps": hps, "model": {f"module.{k}": v for k, v in state.items()}, "step": 123,
                  "ema": None}
    torch.save(checkpoint, path, _use_new_zipfile_serialization=not legacy)
    for name in ("jukebox", "jukebox.hparams"):
        sys.modules.pop(name, None)     # reading must not need it


@pytest.mark.parametrize("legacy", [True, False], ids=["torch-1.4-format", "zip-format"])
def test_an_openai_checkpoint_loads_its_hps_as_plain_data(tmp_path, openai_hparams, legacy):
    vqvae, _ = build.build_tiny(256 * 8, torch.device("cpu"))
    path = tmp_path / "vqvae.pth.tar"
    write_openai_file(path, openai_hparams, vqvae.state_dict(), legacy=legacy)
    assert "jukebox.hparams" not in sys.modules

    data = safe_load.read(path)
    assert type(data["hps"]) is safe_load.Hyperparams
    assert data["hps"].l_bins == 2048 and data["hps"]["downs_t"] == (3, 2, 2) and data["step"] == 123

    fresh, _ = build.build_tiny(256 * 8, torch.device("cpu"))
    for block in fresh.bottleneck.level_blocks:
        block.k.normal_()            # different weights, so the load is seen
    assert not torch.equal(fresh.bottleneck.level_blocks[0].k, vqvae.bottleneck.level_blocks[0].k)
    safe_load.restore(fresh, path)
    for key, value in vqvae.state_dict().items():
        assert torch.equal(fresh.state_dict()[key], value), key


def test_the_real_vqvae_is_built_from_an_openai_file_without_jukebox_infers_loader(tmp_path, openai_hparams,
                                                                                  monkeypatch):
    from jukebox_infer import make_models
    from jukebox_infer.hparams import setup_hparams
    length = 2 ** 14
    original = make_models.make_vqvae(setup_hparams("vqvae", dict(sample_length=length, restore_vqvae="")),
                                      "cpu", auto_download=False)
    path = tmp_path / "5b" / "vqvae.pth.tar"
    path.parent.mkdir()
    write_openai_file(path, openai_hparams, original.state_dict(), legacy=True)

    def unrestricted(*args, **kwargs):
        raise AssertionError("jukebox-infer's own torch.load (no weights_only) must not be reached")
    monkeypatch.setattr(make_models, "load_checkpoint", unrestricted)
    loaded = build.released_vqvae("vqvae", length, torch.device("cpu"), path)
    assert all(torch.equal(loaded.state_dict()[k], v) for k, v in original.state_dict().items())


class Payload:
    """What a hostile checkpoint could carry: unpickling it would run a command."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        import os
        return (os.system, (f"touch {self.marker}",))


@pytest.mark.parametrize("extra", ["code", "class"])
def test_a_file_needing_more_is_refused_in_one_line_and_nothing_runs(tmp_path, extra):
    marker = tmp_path / "ran"
    payload = Payload(marker) if extra == "code" else torch.nn.Linear(2, 2)   # a pickled module
    path = tmp_path / "prior_level_2.pth.tar"
    torch.save({"model": {"w": torch.zeros(2)}, "extra": payload}, path)
    with pytest.raises(SamplingError) as caught:
        safe_load.read(path)
    message = str(caught.value)
    assert "\n" not in message and str(path) in message and "refused" in message
    assert ("system" in message) if extra == "code" else ("torch.nn.modules.linear.Linear" in message)
    assert "make models" in message
    assert not marker.exists()


def test_wrong_or_damaged_files_say_which_and_what_to_do(tmp_path):
    model = torch.nn.Linear(3, 2)
    other = tmp_path / "other.pth.tar"
    torch.save({"model": {"weight": torch.zeros(5, 3), "bias": torch.zeros(2), "extra": torch.zeros(1)}}, other)
    with pytest.raises(SamplingError, match=r"does not fit this model: keys 1 unexpected .*extra.*"
                                            r"1 of another shape \(e.g. weight: \(5, 3\) instead of \(2, 3\)\)"):
        safe_load.restore(model, other)
    cut = tmp_path / "cut.pth.tar"
    torch.save({"model": model.state_dict()}, cut)
    cut.write_bytes(cut.read_bytes()[:200])
    with pytest.raises(SamplingError, match="cut.pth.tar: not a readable checkpoint"):
        safe_load.read(cut)
