"""`make post ARTIST=lucybell` end to end with the tiny model, in a temporary blog."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import tomllib
import wave
from html.parser import HTMLParser

import pytest
import yaml

from conftest import copy_blog, interruptible, mtimes, need_tool, site_builder

pytestmark = pytest.mark.slow


def test_fresh_run_writes_every_stage(pipeline):
    out = pipeline.run_dir / "out"
    for k in range(2):
        with wave.open(str(out / "wav" / f"item-{k:02d}.wav")) as w:
            assert (w.getframerate(), w.getnchannels()) == (44100, 1)
            assert w.getnframes() == 44100 // 128 * 128
    assert (pipeline.root / "assets/runs/lucybell/item-01.mp3").exists()
    experiment = tomllib.loads((pipeline.run_dir / "experiment.toml").read_text())
    assert experiment == {"artist": "lucybell", "sample_length_in_seconds": 1.0, "n_samples": 2}
    notes = (pipeline.run_dir / "notes.md").read_text()
    assert "## item 0" in notes and "## item 1" in notes
    analysis = json.loads((pipeline.run_dir / "out/analysis.json").read_text())
    assert set(analysis["items"]) == {"0", "1"}
    assert analysis["items"]["0"]["duration_seconds"] == pytest.approx(44032 / 44100, abs=0.001)
    for k in range(2):
        for kind in ("waveform", "spectrogram"):
            png = pipeline.root / f"assets/runs/lucybell/item-{k:02d}-{kind}.png"
            assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    for stage in ("sample:", "job:", "mp3:", "analyse:", "publish:", "post:", "site:"):
        assert stage in pipeline.first.stdout, f"no progress from {stage}"


def test_items_differ_and_are_not_silence(pipeline):
    wavs = [(pipeline.run_dir / f"out/wav/item-{k:02d}.wav").read_bytes() for k in range(2)]
    assert wavs[0] != wavs[1]
    with wave.open(str(pipeline.run_dir / "out/wav/item-00.wav")) as w:
        frames = w.readframes(w.getnframes())
    assert len(set(frames)) > 100, "the toy model decoded silence"


def test_job_statistics_are_measured(pipeline):
    job = json.loads((pipeline.run_dir / "out/job.json").read_text())
    assert job["state"] == "COMPLETED" and job["nodes"] == 1
    assert job["wall_clock_seconds"] > 0 and job["cpu_utilized_seconds"] > 0
    # The child loaded torch and a model: more than an empty interpreter's ~10 MB.
    assert job["memory_utilized_bytes"] > 50 * 2**20
    assert job["cores_per_node"] == os.cpu_count()
    assert job["items"] == [0, 1] and job["start"] <= job["end"]


def test_second_run_does_nothing(pipeline):
    assert "nothing to do" in pipeline.second.stdout
    assert "up to date" in pipeline.second.stdout
    assert "transcoding" not in pipeline.second.stdout


def test_rerun_touches_no_file(pipeline, tmp_path):
    root = copy_blog(pipeline, tmp_path / "blog")
    before = mtimes(root / "runs") | mtimes(root / "posts") | mtimes(root / "assets")
    site_builder(root, "post", "--artist", "lucybell")
    after = mtimes(root / "runs") | mtimes(root / "posts") | mtimes(root / "assets")
    assert before == after


def test_post_front_matter_and_body(pipeline):
    text = pipeline.post().read_text()
    front, body = text.split("\n---\n", 1)
    meta = yaml.safe_load(front.removeprefix("---\n"))
    for key in ("layout", "current", "cover", "navigation", "title", "date", "tags", "class",
                "subclass", "author", "runs"):
        assert key in meta, key
    assert meta["runs"] == ["lucybell"]
    assert meta["title"] == "Ancestral sampling conditioned on Lucybell"
    # The request opens it (so index cards differ), the toy model's warning right after.
    first, second = body.lstrip().split("\n\n")[:2]
    assert first.startswith("Ancestral sampling of the Jukebox `tiny` model") and "Toy model." in second
    assert "`tiny`" in body and "*Lucybell*" in body and "seed 0" in body
    for label in ("Nodes:", "Cores per node:", "CPU Utilized:", "Job Wall-clock time:", "Memory Utilized:"):
        assert label in body
    assert body.count("<audio controls preload=\"metadata\" src=\"{{ '/assets/runs/lucybell/item-0") == 2
    assert "| item | genres | duration | loudness | silence | tuning | tempo | pictures | note |" in body
    assert body.count("<img src=\"{{ '/assets/runs/lucybell/item-0") == 4
    assert body.count("<a class=\"thumb\" href=\"{{ '/assets/runs/lucybell/item-0") == 4
    assert "upsampled through all 3 levels" in body
    # One run: no run headings; how to reproduce it, as recorded when it was sampled.
    assert "\n## What was asked" not in body and "## Lucybell" not in body
    how = body.split("## How to reproduce\n")[1]
    assert "make post ARTIST=lucybell N=2 LENGTH=1" in how and "n_samples = 2" in how
    assert "torch 2." in how and "jukebox-infer " in how and "Device: CPU" in how


def test_mp3s_decode_with_expected_duration_and_tags(pipeline):
    ffprobe = need_tool("ffprobe")
    for k in range(2):
        mp3 = pipeline.run_dir / f"out/mp3/item-{k:02d}.mp3"
        probe = json.loads(subprocess.run(
            [ffprobe, "-v", "error", "-show_format", "-show_streams", "-of", "json", str(mp3)],
            capture_output=True, text=True, check=True).stdout)
        assert probe["streams"][0]["codec_name"] == "mp3"
        assert float(probe["format"]["duration"]) == pytest.approx(44032 / 44100, abs=0.06)
        tags = probe["format"]["tags"]
        assert tags["title"] == f"Lucybell, item {k}"
        assert tags["track"] == f"{k + 1}/2"
        assert tags["album"] == "Ancestral sampling conditioned on Lucybell"
        assert tags["artist"] == "Jukebox tiny"


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.audio, self.links = [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("audio", "source") and attrs.get("src"):
            self.audio.append(attrs["src"])
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])


def test_site_post_page_links_to_audio_that_exists(pipeline):
    site = pipeline.root / "_site"
    slug = pipeline.post().stem[11:]
    page = site / slug / "index.html"
    assert page.exists(), sorted(p.name for p in site.iterdir())
    links = Links()
    links.feed(page.read_text())
    assert len(links.audio) == 2
    for src in links.audio:
        assert src.startswith("/blog/assets/runs/lucybell/"), src
        assert (site / src.removeprefix("/blog/")).stat().st_size > 1000
    index = Links()
    index.feed((site / "index.html").read_text())
    assert f"/blog/{slug}/" in index.links


def test_same_settings_give_identical_wavs_mp3s_and_post(pipeline, tmp_path):
    root = copy_blog(pipeline, tmp_path / "blog")
    post = pipeline.post()
    other = root / "runs" / "lucybell"
    for folder in ("wav", "mp3", "codes"):
        for path in (other / "out" / folder).iterdir():
            path.unlink()
    (root / "posts" / post.name).unlink()
    site_builder(root, "mp3", "--artist", "lucybell")
    for k in range(2):
        for kind in ("wav", "mp3"):
            name = f"out/{kind}/item-{k:02d}.{kind}"
            assert (other / name).read_bytes() == (pipeline.run_dir / name).read_bytes(), name
    job = json.loads((other / "out/job.json").read_text())
    assert len(job["jobs"]) == 2  # sampled twice: both count
    assert job["cpu_utilized_seconds"] == pytest.approx(sum(j["cpu_utilized_seconds"] for j in job["jobs"]))


def test_regenerated_post_is_identical(pipeline, tmp_path):
    root = copy_blog(pipeline, tmp_path / "blog")
    notes = root / "runs/lucybell/notes.md"
    original_notes, post = notes.read_text(), root / "posts" / pipeline.post().name
    notes.write_text("A passing thought.\n")
    site_builder(root, "post", "--artist", "lucybell")
    assert "A passing thought." in post.read_text()
    notes.write_text(original_notes)
    site_builder(root, "post", "--artist", "lucybell")
    assert post.read_text() == pipeline.post().read_text()


def test_raising_n_samples_only_the_new_items(pipeline, tmp_path):
    root = copy_blog(pipeline, tmp_path / "blog")
    wav_dir = root / "runs/lucybell/out/wav"
    before = {p.name: p.read_bytes() for p in wav_dir.iterdir()}
    result = site_builder(root, "post", "--artist", "lucybell", "--n", "3")
    assert "sampling item(s) 2 " in result.stdout
    after = {p.name: p.read_bytes() for p in wav_dir.iterdir()}
    assert set(after) == set(before) | {"item-02.wav"}
    assert all(after[name] == data for name, data in before.items())
    job = json.loads((root / "runs/lucybell/out/job.json").read_text())
    assert [j["items"] for j in job["jobs"]] == [[0, 1], [2]] and job["items"] == [0, 1, 2]
    assert (root / "assets/runs/lucybell/item-02.mp3").exists()
    assert "item-02.mp3" in (root / "posts" / pipeline.post().name).read_text()


def test_changed_seed_is_refused_then_forced_to_the_attic(pipeline, tmp_path):
    root = copy_blog(pipeline, tmp_path / "blog")
    run = root / "runs/lucybell"
    old = (run / "out/wav/item-00.wav").read_bytes()
    refused = site_builder(root, "post", "--artist", "lucybell", "--seed", "7", check=False)
    assert refused.returncode == 2
    assert "seed: 0 -> 7" in refused.stderr and "FORCE=1" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert "seed" not in tomllib.loads((run / "experiment.toml").read_text())
    assert (run / "out/wav/item-00.wav").read_bytes() == old

    site_builder(root, "sample", "--artist", "lucybell", "--seed", "7", "--force")
    (attic,) = (run / "out/attic").iterdir()
    assert (attic / "wav/item-00.wav").read_bytes() == old
    assert (run / "out/wav/item-00.wav").read_bytes() != old
    assert tomllib.loads((run / "experiment.toml").read_text())["seed"] == 7


def test_kill_9_mid_sampling_leaves_only_whole_files_and_resumes(pipeline, tmp_path):
    root = copy_blog(pipeline, tmp_path / "blog")
    run = root / "runs/lucybell"
    for folder in ("wav", "codes"):
        for path in (run / "out" / folder).iterdir():
            path.unlink()
    child = subprocess.Popen([sys.executable, "-m", "site_builder", "--root", str(root), "sample",
                              "--artist", "lucybell"], cwd=root, start_new_session=True,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while not (run / "out/wav/item-00.wav").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    os.killpg(child.pid, signal.SIGKILL)
    child.wait()
    names = sorted(p.name for p in (run / "out/wav").iterdir() if not p.name.startswith("."))
    assert names[0] == "item-00.wav"
    for name in names:  # whatever is there under a final name is whole
        if name.endswith(".wav"):
            with wave.open(str(run / "out/wav" / name)) as w:
                assert len(w.readframes(w.getnframes())) == 2 * w.getnframes()
    result = site_builder(root, "sample", "--artist", "lucybell")
    assert re.search(r"sampling item\(s\) 1 ", result.stdout) or "nothing to do" in result.stdout
    assert not list(run.rglob("*.part"))
    for k in range(2):
        name = f"out/wav/item-{k:02d}.wav"
        assert (run / name).read_bytes() == (pipeline.run_dir / name).read_bytes()


def test_hand_edited_post_is_not_overwritten(pipeline, tmp_path):
    root = copy_blog(pipeline, tmp_path / "blog")
    post = root / "posts" / pipeline.post().name
    post.write_text(post.read_text() + "\nMy own words.\n")
    refused = site_builder(root, "post", "--artist", "lucybell", check=False)
    assert refused.returncode == 2 and "edited by hand" in refused.stderr
    assert post.read_text().endswith("My own words.\n")
    site_builder(root, "post", "--artist", "lucybell", "--force")
    assert "My own words." not in post.read_text()
    kept = list((root / "runs/lucybell/out/attic").rglob(post.name))
    assert kept and kept[0].read_text().endswith("My own words.\n")


def test_notes_are_carried_into_the_post(pipeline, tmp_path):
    root = copy_blog(pipeline, tmp_path / "blog")
    notes = root / "runs/lucybell/notes.md"
    notes.write_text("Overall, *noise*.\n\n## item 0\n\nSounds like a fan.\n\n## item 1\n\n")
    site_builder(root, "post", "--artist", "lucybell")
    text = (root / "posts" / pipeline.post().name).read_text()
    assert "Overall, *noise*." in text
    assert text.index("Sounds like a fan.") > text.index("item-00.mp3")
    assert notes.read_text().startswith("Overall")  # never rewritten


def test_ctrl_c_stops_cleanly_and_records_a_cancelled_job(blog):
    child = subprocess.Popen([sys.executable, "-m", "site_builder", "--root", str(blog), "sample",
                              "--artist", "joy_division", "--n", "1", "--length", "1"],
                             cwd=blog, start_new_session=True, text=True, preexec_fn=interruptible,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    log = blog / "runs/joy_division/out/logs/jukebox.log"
    deadline = time.monotonic() + 60
    while "Conditioning on" not in (log.read_text() if log.exists() else "") and time.monotonic() < deadline:
        time.sleep(0.05)
    os.killpg(child.pid, signal.SIGINT)  # what a terminal does on Ctrl-C
    stdout, stderr = child.communicate(timeout=60)
    assert child.returncode == 130
    assert "Traceback" not in stderr and "interrupted" in stderr
    job = json.loads((blog / "runs/joy_division/out/job.json").read_text())
    assert job["jobs"][-1]["state"] == "CANCELLED"
    assert not list((blog / "runs/joy_division").rglob("*.part"))
    assert not list((blog / "runs/joy_division/out").glob("wav/*.wav"))


def test_cover_year_and_vbr_reach_the_mp3s(pipeline, tmp_path):
    ffprobe = need_tool("ffprobe")
    root = copy_blog(pipeline, tmp_path / "blog")
    (root / "runs/lucybell/cover.png").write_bytes(
        (root / "assets/runs/lucybell/item-00-waveform.png").read_bytes())
    config = root / "_config.yml"
    config.write_text(config.read_text() + "audio:\n  vbr_quality: 4\n")
    result = site_builder(root, "mp3", "--artist", "lucybell")
    assert "transcoding 2 WAV(s)" in result.stdout  # the cover and the encoding are inputs too
    probe = json.loads(subprocess.run(
        [ffprobe, "-v", "error", "-show_format", "-show_streams", "-of", "json",
         str(root / "runs/lucybell/out/mp3/item-00.mp3")], capture_output=True, text=True, check=True).stdout)
    assert [s["codec_type"] for s in probe["streams"]] == ["audio", "video"]  # the attached picture
    assert probe["format"]["tags"]["date"] == json.loads(
        (root / "runs/lucybell/out/job.json").read_text())["start"][:4]
    config.write_text(config.read_text().replace("vbr_quality: 4", "vbr_quality: 11"))
    bad = site_builder(root, "mp3", "--artist", "lucybell", check=False)
    assert bad.returncode == 2 and "vbr_quality: expected 0 (best) to 9, got 11" in bad.stderr


def test_collection_page_of_locally_published_runs(pipeline, tmp_path):
    root = copy_blog(pipeline, tmp_path / "blog")
    site_builder(root, "collection")
    built = (root / "_site/collection/index.html").read_text()
    assert built.count('<audio controls="" preload="none" src="/blog/assets/runs/lucybell/item-0') == 2
    index = (root / "_site/index.html").read_text()
    # A page, not a post: no card on the index, a link in the navigation.
    assert 'class="post-card-title"><a href="/blog/collection/"' not in index
    assert '<li><a href="/blog/collection/">Collection</a></li>' in index


def test_a_broken_wav_fails_with_its_path_after_the_others(pipeline, tmp_path):
    root = copy_blog(pipeline, tmp_path / "blog")
    run = root / "runs/lucybell/out"
    for mp3 in (run / "mp3").iterdir():
        mp3.unlink()
    broken = run / "wav/item-01.wav"
    broken.write_bytes(broken.read_bytes()[:20000])  # the header still promises every frame
    result = site_builder(root, "mp3", "--artist", "lucybell", check=False)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "item-01.wav: truncated WAV" in result.stderr and "make sample" in result.stderr
    assert (run / "mp3/item-00.mp3").exists() and not (run / "mp3/item-01.mp3").exists()
    assert not list(run.rglob("*.part"))
