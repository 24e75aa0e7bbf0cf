"""The import sampler: WAVs made elsewhere (like the example post's) get a post, with
the job figures as seff printed them and the genre words Jukebox did not know."""

from __future__ import annotations

import wave

import pytest
import soundfile
import numpy as np

from conftest import need_tool, site_builder, tone

EXAMPLE = """artist = "joy_division"
model = "5b"
genres = ["Dark Wave", "Gothic", "Coldwave", "Hip Hop", "Glitch Pop"]
sample_length_in_seconds = 2
import_from = "{folder}"

[job]
nodes = 1
cores_per_node = 6
cpu_utilized = "14:55:31"
wall_clock = "14:59:55"
memory_utilized = "23.10 GB"
gpu = "Tesla V100-SXM2-16GB"
"""


@pytest.fixture
def made_elsewhere(tmp_path):
    folder = tmp_path / "cluster" / "level_0"
    folder.mkdir(parents=True)
    for k in (0, 1, 10):  # item_10 sorts before item_2 by name: order must be by number
        tone(folder / f"item_{k}.wav", 220 * (k + 1))
    # Jukebox-era files may be float WAVs: they are converted, not refused.
    t = np.arange(88200) / 44100
    soundfile.write(str(folder / "item_2.wav"), (0.3 * np.sin(2 * np.pi * 330 * t)).astype("float32"),
                    44100, subtype="FLOAT")
    return folder


def test_imported_run_gets_a_post_with_recorded_figures(blog, made_elsewhere):
    need_tool("ffmpeg")
    run = blog / "runs" / "joy_division"
    run.mkdir(parents=True)
    (run / "experiment.toml").write_text(EXAMPLE.format(folder=made_elsewhere))
    result = site_builder(blog, "post", "--run", "joy_division")
    assert "adopted 4 WAV(s)" in result.stdout
    assert "unknown genre 'coldwave' in 'Coldwave'" in result.stdout  # a warning, not an error
    wavs = run / "out" / "wav"
    assert (wavs / "item-03.wav").read_bytes() == (made_elsewhere / "item_10.wav").read_bytes()
    with wave.open(str(wavs / "item-02.wav")) as w:
        assert w.getsampwidth() == 2 and w.getnframes() == 88200

    (post,) = (blog / "posts").glob("*-ancestral-sampling-joy-division.md")
    text = post.read_text()
    assert "toy model" not in text.lower()
    assert "sampled elsewhere and imported" in text and "seed" not in text
    for line in ("Nodes: 1", "Cores per node: 6", "CPU Utilized: 14:55:31",
                 "Job Wall-clock time: 14:59:55", "Memory Utilized: 23.10 GB",
                 "CPU Efficiency: 16.59% of 3-17:59:30 core-walltime"):
        assert line in text, line
    assert "`coldwave`, `glitch`" in text and "id 0" in text
    assert text.count("<audio") == 4
    assert len(list((blog / "assets/runs/joy_division").glob("*.mp3"))) == 4


def test_import_from_a_missing_folder_is_a_clear_error(blog, tmp_path):
    result = site_builder(blog, "sample", "--artist", "joy_division", "--import-from",
                          str(tmp_path / "nowhere"), check=False)
    assert result.returncode == 2
    assert "is not a folder" in result.stderr and "Traceback" not in result.stderr
    assert not (blog / "runs").exists()
