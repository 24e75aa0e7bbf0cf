"""Out of GPU memory during sampling: one line naming the phase, its batch and what
the memory plan expected there, and the sampler's own exit code (which site-builder
turns into exit 2 without adding a line).

No GPU here: the error is raised on the CPU where torch would raise it, inside a
phase (moving a prior onto the device, or decoding: monkeypatched at that device
edge for this test only)."""

from __future__ import annotations

import json

import pytest
import torch

from conftest import site_builder
from site_builder.runs import Run
from site_builder.sampling import build, memory, worker


def real_settings(**changes) -> dict:
    settings = {"model": "5b", "n_samples": 16, "sample_length_in_seconds": 60.0, "levels": 3,
                "batch_size": 3, "upsampler_batch_size": 16, "gpu": ""}
    return {**settings, **changes}


def test_the_line_names_the_phase_and_the_plans_figure():
    settings = real_settings()
    plan = memory.make_plan(settings, "v100-16gb")
    top = next(p for p in plan.phases if p.name == "top prior")
    line = worker.oom_line(settings, "top prior", 3, 16 * memory.GiB)
    assert line.startswith(f"sample: out of GPU memory in the top prior at batch 3: the plan expected "
                           f"{top.device / memory.GiB:.1f} GiB of 16.0 GiB; lower BATCH")
    up = next(p for p in plan.phases if p.name == "upsampler 0")
    assert f"expected {up.device / memory.GiB:.1f} GiB" in worker.oom_line(settings, "upsampler 0", 16, 16 * memory.GiB)
    # Without a device to ask, the GPU the run was planned for; with neither, no figure.
    assert "of 80.0 GiB" in worker.oom_line(real_settings(gpu="h100-80gb"), "top prior", 3, None)
    assert "the plan expected" not in worker.oom_line(settings, "top prior", 3, None)
    assert "\n" not in line


@pytest.mark.slow
def test_out_of_memory_inside_an_upsampler_is_one_line_and_keeps_the_codes(blog, monkeypatch, capsys):
    # A tiny run whose top level is sampled; its upsamplers come next (levels = 3).
    site_builder(blog, "sample", "--artist", "lucybell", "--n", "2", "--batch", "2", "--levels", "1")
    run = Run(blog, "lucybell")
    settings = json.loads(run.settings_path.read_text())
    run.settings_path.write_text(json.dumps({**settings, "levels": 3}))

    real = build.Models.prior

    def prior(self, level):
        if level == 1:   # where a GPU would run out: the upsampler moving onto the device
            raise torch.cuda.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")
        return real(self, level)
    monkeypatch.setattr(build.Models, "prior", prior)
    capsys.readouterr()
    assert worker.guarded([str(run.dir), "up:0,1"]) == worker.EXIT_OOM
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith("sample: out of GPU memory in the upsampler 1 at batch 2; lower BATCH")
    for item in (0, 1):
        assert (run.codes_dir / f"item-{item:02d}-level-2.pt").is_file()   # kept


@pytest.mark.slow
def test_out_of_memory_while_decoding_says_so(blog, monkeypatch, capsys):
    site_builder(blog, "sample", "--artist", "lucybell", "--n", "1", "--levels", "1")
    run = Run(blog, "lucybell")
    for wav in run.out.glob("wav/*.wav"):
        wav.unlink()

    def decode(*args, **kwargs):
        raise torch.cuda.OutOfMemoryError("CUDA out of memory.")
    monkeypatch.setattr(worker, "decode", decode)
    assert worker.guarded([str(run.dir), "up:0"]) == worker.EXIT_OOM   # its codes are there: decode
    assert capsys.readouterr().err.startswith("sample: out of GPU memory while decoding at batch 1")
