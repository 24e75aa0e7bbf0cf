"""The listening figures, checked on sounds whose answers are known."""

from __future__ import annotations

import wave

import numpy as np
import pytest

from site_builder import analysis

RATE = 44100


def write(path, audio):
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes((np.clip(audio, -1, 1) * 32767).astype("<i2").tobytes())
    return path


def tone(hz, seconds, level=0.5):
    t = np.arange(int(seconds * RATE)) / RATE
    return level * np.sin(2 * np.pi * hz * t)


def test_a440_then_silence(tmp_path):
    figures = analysis.measure(write(tmp_path / "a.wav", np.concatenate([tone(440, 2), np.zeros(2 * RATE)])))
    assert figures["duration_seconds"] == 4.0
    assert figures["silence"]["share"] == pytest.approx(0.5, abs=0.03)
    assert figures["silence"]["longest_seconds"] == pytest.approx(2.0, abs=0.06)
    assert abs(figures["tuning"]["offset_cents"]) <= 5
    assert figures["peak_dbfs"] == pytest.approx(-6.0, abs=0.1)


def test_a_sharp_tone_is_out_of_tune_and_a_gliding_one_drifts(tmp_path):
    sharp = analysis.measure(write(tmp_path / "s.wav", tone(450, 3)))  # +39 cents from A440
    assert sharp["tuning"]["offset_cents"] == pytest.approx(39, abs=6)
    steady = sharp["tuning"]["drift_cents"]
    glide = np.concatenate([tone(440 * 2 ** (c / 1200), 1) for c in (0, 15, 30, 45)])
    gliding = analysis.measure(write(tmp_path / "g.wav", glide))
    assert gliding["tuning"]["drift_cents"] > steady + 20


def test_louder_is_louder(tmp_path):
    quiet = analysis.measure(write(tmp_path / "q.wav", tone(440, 2, 0.05)))
    loud = analysis.measure(write(tmp_path / "l.wav", tone(440, 2, 0.5)))
    assert loud["loudness_lufs"] - quiet["loudness_lufs"] == pytest.approx(20, abs=0.5)


def test_each_item_is_reported_as_it_is_done_and_its_pictures_read_at_both_sizes(tmp_path, caplog):
    import logging

    from PIL import Image

    from site_builder.runs import Run

    run = Run(tmp_path, "tones")
    for k, hz in enumerate((440, 660)):
        run.wav_path(k).parent.mkdir(parents=True, exist_ok=True)
        write(run.wav_path(k), tone(hz, 1))
    plots = tmp_path / "assets/runs/tones"
    with caplog.at_level(logging.INFO, logger=analysis.log.name):
        analysis.analyse(run, {"n_samples": 2, "sample_length_in_seconds": 1.0}, plots)
    lines = {r.getMessage().split(":")[0].strip(): r.created for r in caplog.records}
    # Item 0's line comes out before item 1's pictures exist, not all at the end.
    assert lines["item 0"] < (plots / "item-01-waveform.png").stat().st_mtime <= lines["item 1"]
    assert "no beat" in next(r.getMessage() for r in caplog.records if r.getMessage().startswith("  item 0"))
    assert Image.open(plots / "item-00-spectrogram.png").size == (1200, 450)
    assert Image.open(plots / "item-00-spectrogram-small.png").size == (640, 240)
    assert Image.open(plots / "cover.png").size == (1200, 500)
