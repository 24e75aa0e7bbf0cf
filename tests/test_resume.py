"""Sampling continues from saved codes after any interruption, and the resumed
WAVs are byte-identical to an uninterrupted run's (the session's pipeline)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from conftest import copy_blog, site_builder

pytestmark = pytest.mark.slow


@pytest.fixture
def fresh(pipeline, tmp_path):
    """A copy of the session's blog with its samples and codes gone: one item to make."""
    root = copy_blog(pipeline, tmp_path / "blog")
    run = root / "runs/lucybell"
    for folder in ("wav", "codes", "mp3"):
        for path in (run / "out" / folder).iterdir():
            path.unlink()
    (run / "out/job.json").unlink()
    return root


def same_as_pipeline(root, pipeline, items=(0,)) -> bool:
    name = "runs/lucybell/out/wav/item-{:02d}.wav"
    return all((root / name.format(k)).read_bytes() == (pipeline.root / name.format(k)).read_bytes()
               for k in items)


def test_stopped_mid_level_resumes_byte_identical(fresh, pipeline):
    env = {**os.environ, "SITE_BUILDER_STOP_AFTER_WINDOWS": "30"}  # inside upsampler 0
    stopped = site_builder(fresh, "sample", "--artist", "lucybell", "--n", "1", check=False, env=env)
    assert stopped.returncode == 2
    assert "stopped early with its codes saved" in stopped.stderr
    assert "upsampler 1 done" in stopped.stdout and "upsampler 0 done" not in stopped.stdout
    assert not (fresh / "runs/lucybell/out/wav/item-00.wav").exists()
    resumed = site_builder(fresh, "sample", "--artist", "lucybell", "--n", "1")
    assert "continuing from saved codes (upsampler 0, window" in resumed.stdout
    assert "top prior done" not in resumed.stdout
    assert same_as_pipeline(fresh, pipeline)
    job = json.loads((fresh / "runs/lucybell/out/job.json").read_text())
    assert [j["state"] for j in job["jobs"]] == ["PREEMPTED", "COMPLETED"]
    assert set(job["jobs"][1]["tokens_per_second"]) == {"upsampler 0"}


def test_sigkill_mid_level_resumes_byte_identical(fresh, pipeline):
    experiment = fresh / "runs/lucybell/experiment.toml"
    experiment.write_text(experiment.read_text() + "save_codes_every_windows = 4\n")
    codes = fresh / "runs/lucybell/out/codes/batch-00.pt"
    child = subprocess.Popen([sys.executable, "-m", "site_builder", "--root", str(fresh), "sample",
                              "--artist", "lucybell", "--n", "1"], cwd=fresh,
                             start_new_session=True, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    saves = 0
    last = None
    while saves < 5 and time.monotonic() < deadline:  # several saves in: well inside a level
        stamp = codes.stat().st_mtime_ns if codes.exists() else None
        if stamp != last and stamp is not None:
            saves, last = saves + 1, stamp
        time.sleep(0.01)
    os.killpg(child.pid, signal.SIGKILL)
    child.wait()
    assert not (fresh / "runs/lucybell/out/wav/item-00.wav").exists()
    resumed = site_builder(fresh, "sample", "--artist", "lucybell", "--n", "1")
    assert "continuing from saved codes" in resumed.stdout
    assert not list(fresh.rglob("*.part"))
    assert same_as_pipeline(fresh, pipeline)


def test_top_level_first_then_upsampled_is_the_same_music(fresh, pipeline):
    top = site_builder(fresh, "sample", "--artist", "lucybell", "--n", "1", "--levels", "1")
    assert "upsampler" not in top.stdout
    wav = fresh / "runs/lucybell/out/wav/item-00.wav"
    coarse = wav.read_bytes()
    assert not same_as_pipeline(fresh, pipeline)
    full = site_builder(fresh, "sample", "--artist", "lucybell", "--n", "1", "--levels", "3")
    assert "continuing from saved codes (upsampler 1, window 0)" in full.stdout
    assert "top prior done" not in full.stdout
    assert wav.read_bytes() != coarse and same_as_pipeline(fresh, pipeline)
    back = site_builder(fresh, "sample", "--artist", "lucybell", "--levels", "1", check=False)
    assert back.returncode == 2 and "levels: 3 -> 1" in back.stderr


def test_batches_keep_items_whatever_n_is(pipeline, tmp_path):
    """With batch_size 2, item k is in batch k // 2: N=1 samples the whole first batch
    (items 0 and 1), and N=2 afterwards samples nothing."""
    root = copy_blog(pipeline, tmp_path / "blog")
    first = site_builder(root, "sample", "--artist", "joy_division", "--n", "1", "--length", "1",
                         "--batch", "2")
    assert "sampling item(s) 0, 1 " in first.stdout
    wavs = sorted(p.name for p in (root / "runs/joy_division/out/wav").iterdir())
    assert wavs == ["item-00.wav", "item-01.wav"]
    second = site_builder(root, "sample", "--artist", "joy_division", "--n", "2")
    assert "nothing to do" in second.stdout
