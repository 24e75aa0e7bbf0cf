"""Pictures of the audio: small PNGs with the same look for every run."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from site_builder.runs import atomic_path

SIZE = (6.0, 1.6)          # inches: 600 x 160 px at 100 dpi
DPI = 100
INK, PAPER = "#2b3a55", "#ffffff"


def _figure():
    import matplotlib
    matplotlib.use("Agg")
    from matplotlib import pyplot
    figure, axes = pyplot.subplots(figsize=SIZE, dpi=DPI)
    figure.patch.set_facecolor(PAPER)
    return pyplot, figure, axes


def _save(pyplot, figure, path: Path) -> None:
    figure.tight_layout(pad=0.3)
    with atomic_path(path) as tmp:
        # No software/date metadata: the same audio gives the same bytes.
        figure.savefig(tmp, format="png", metadata={"Software": None})
    pyplot.close(figure)


def waveform(audio: np.ndarray, rate: int, path: Path) -> None:
    pyplot, figure, axes = _figure()
    seconds = np.arange(len(audio)) / rate
    # The envelope per pixel column keeps long items readable and the file small.
    columns = 600
    chunks = np.array_split(audio, columns) if len(audio) >= columns else [audio]
    times = np.linspace(0, seconds[-1] if len(seconds) else 0, len(chunks))
    axes.fill_between(times, [c.min() for c in chunks], [c.max() for c in chunks], color=INK, lw=0)
    axes.set_ylim(-1, 1)
    axes.set_xlim(0, times[-1] if len(times) else 1)
    axes.set_xlabel("seconds", fontsize=7)
    axes.tick_params(labelsize=6)
    axes.set_yticks([])
    _save(pyplot, figure, path)


def spectrogram(audio: np.ndarray, rate: int, path: Path) -> None:
    import librosa
    pyplot, figure, axes = _figure()
    mel = librosa.feature.melspectrogram(y=audio, sr=rate, n_mels=64, hop_length=512)
    db = librosa.power_to_db(mel + 1e-10, ref=max(float(mel.max()), 1e-10))
    axes.imshow(db, origin="lower", aspect="auto", cmap="magma", vmin=-80, vmax=0,
                extent=[0, len(audio) / rate, 0, 64])
    axes.set_xlabel("seconds", fontsize=7)
    axes.set_ylabel("mel band", fontsize=7)
    axes.tick_params(labelsize=6)
    _save(pyplot, figure, path)


def overview(data: dict, path: Path, run_id: str) -> None:
    """One figure per run: loudness and silence share of every item."""
    pyplot, figure, axes = _figure()
    items = sorted(data["items"], key=int)
    loudness = [data["items"][k]["loudness_lufs"] or -70 for k in items]
    silence = [100 * data["items"][k]["silence"]["share"] for k in items]
    axes.bar([int(k) for k in items], loudness, color=INK, label="loudness (LUFS)")
    axes.set_ylabel("LUFS", fontsize=7)
    axes.set_xlabel(f"item ({run_id})", fontsize=7)
    axes.tick_params(labelsize=6)
    second = axes.twinx()
    second.plot([int(k) for k in items], silence, "o", color="#c0504d")
    second.set_ylabel("silence %", fontsize=7, color="#c0504d")
    second.set_ylim(0, 100)
    second.tick_params(labelsize=6)
    _save(pyplot, figure, path)
