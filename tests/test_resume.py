"""Sampling continues from saved codes after any interruption, and the resumed
WAVs are byte-identical to an uninterrupted run's (the session's pipeline)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

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


def _mtime(path: Path) -> int | None:
    """A saved file's time, or None: the sampler may remove it between the glob and
    the stat (a level's codes file, once the next level's holds them)."""
    try:
        return path.stat().st_mtime_ns
    except FileNotFoundError:
        return None


def test_sigkill_mid_level_resumes_byte_identical(fresh, pipeline):
    experiment = fresh / "runs/lucybell/experiment.toml"
    experiment.write_text(experiment.read_text() + "save_codes_every_windows = 4\n")
    codes_dir = fresh / "runs/lucybell/out/codes"
    child = subprocess.Popen([sys.executable, "-m", "site_builder", "--root", str(fresh), "sample",
                              "--artist", "lucybell", "--n", "1"], cwd=fresh,
                             start_new_session=True, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    saves = 0
    last = None
    while saves < 5 and time.monotonic() < deadline:  # several saves in: well inside a level
        saved = [p for p in codes_dir.glob("*-00.pt") if not p.name.startswith("item")] \
            if codes_dir.exists() else []
        stamp = max(filter(None, map(_mtime, saved)), default=None)
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
    assert "upsampler 1 done" in full.stdout and "top prior done" not in full.stdout
    assert wav.read_bytes() != coarse and same_as_pipeline(fresh, pipeline)
    back = site_builder(fresh, "sample", "--artist", "lucybell", "--levels", "1", check=False)
    assert back.returncode == 2 and "levels: 3 -> 1" in back.stderr


def test_exactly_n_items_each_its_own_whatever_the_batches(pipeline, tmp_path):
    """N=4 at batch 3 makes exactly 4 items; a fresh N=6 run gives items 0-3 byte for
    byte (item 3 was alone in its batch, now it shares one), and item 4 is new music.
    The steps taken are the plan's: the top prior in batches of 3, the upsamplers in 16."""
    from site_builder.sampling import memory

    runs = {}
    for n in (4, 6):
        root = copy_blog(pipeline, tmp_path / f"blog{n}")
        site_builder(root, "sample", "--artist", "joy_division", "--n", str(n), "--length", "1",
                     "--batch", "3")
        out = root / "runs/joy_division/out"
        runs[n] = out
        assert sorted(p.name for p in (out / "wav").iterdir()) == [f"item-{k:02d}.wav" for k in range(n)]
        settings = json.loads((out / "settings.json").read_text())
        planned = memory.steps(settings, 3, 16)
        taken = json.loads((out / "sampling.json").read_text())["steps"]
        assert taken == {memory.LEVEL_NAMES[level]: steps for level, steps in planned.items()}
    wav = "wav/item-{:02d}.wav"
    for k in range(4):
        assert (runs[4] / wav.format(k)).read_bytes() == (runs[6] / wav.format(k)).read_bytes()
    assert (runs[6] / wav.format(4)).read_bytes() != (runs[6] / wav.format(3)).read_bytes()
    # Raising N on the first run samples only the new items, in the same way.
    root = runs[4].parent.parent.parent
    more = site_builder(root, "sample", "--artist", "joy_division", "--n", "6")
    assert "sampling item(s) 4, 5 " in more.stdout
    for k in range(6):
        assert (runs[4] / wav.format(k)).read_bytes() == (runs[6] / wav.format(k)).read_bytes()


def test_a_damaged_codes_file_goes_to_the_attic_and_its_level_is_sampled_again(pipeline, tmp_path):
    root = copy_blog(pipeline, tmp_path / "blog")
    out = root / "runs/lucybell/out"
    codes = out / "codes/item-01-level-2.pt"
    assert codes.exists()
    original = (out / "wav/item-01.wav").read_bytes()
    codes.write_bytes(codes.read_bytes()[:40])          # cut short, as a full disk leaves it
    (out / "wav/item-01.wav").unlink()
    result = site_builder(root, "sample", "--artist", "lucybell")
    line = [l for l in result.stdout.splitlines() if "damaged" in l]
    assert len(line) == 1 and "codes/item-01-level-2.pt" in line[0] and "sampled again" in line[0]
    assert list((out / "attic").rglob("item-01-level-2.pt"))
    assert (out / "wav/item-01.wav").read_bytes() == original


def test_codes_files_never_unpickle_code(pipeline, tmp_path):
    """A codes file holding a pickled object (not tensors) is refused, never run."""
    import pickle

    root = copy_blog(pipeline, tmp_path / "blog")
    out = root / "runs/lucybell/out"
    marker = tmp_path / "ran"

    class Payload:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    (out / "codes/item-00-level-2.pt").write_bytes(pickle.dumps(Payload()))
    (out / "wav/item-00.wav").unlink()
    result = site_builder(root, "sample", "--artist", "lucybell")
    assert "damaged" in result.stdout and not marker.exists()
