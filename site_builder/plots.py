"""Pictures of the audio, the same look for every run. Each item's picture is drawn
twice: full size (what its thumbnail links to) and small, with its own type sizes,
so the thumbnail in the post's table can be read as it is (320 x 120 CSS px, drawn
at twice that for sharp screens)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from site_builder.runs import atomic_path

INK, PAPER, ACCENT = "#2b3a55", "#ffffff", "#c0504d"
# (inches, dpi, type size in points): full 1200 x 450 px, small 640 x 240 px.
FULL = ((8.0, 3.0), 150, 8)
SMALL = ((4.0, 1.5), 160, 7)
COVER = ((12.0, 5.0), 100, 8)   # the post's cover when the run has none: 1200 x 500
FREQ_TICKS = (50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000)


def _figure(size: tuple):
    import matplotlib
    matplotlib.use("Agg")
    from matplotlib import pyplot
    (inches, dpi, points) = size
    pyplot.rcParams.update({"font.size": points, "axes.labelsize": points, "xtick.labelsize": points,
                            "ytick.labelsize": points, "axes.linewidth": 0.6})
    figure, axes = pyplot.subplots(figsize=inches, dpi=dpi)
    figure.patch.set_facecolor(PAPER)
    return pyplot, figure, axes


def _save(pyplot, figure, path: Path, *, tight: bool = True) -> None:
    if tight:
        figure.tight_layout(pad=0.25)
    with atomic_path(path) as tmp:
        # No software/date metadata: the same audio gives the same bytes.
        figure.savefig(tmp, format="png", metadata={"Software": None})
    pyplot.close(figure)


def small_path(path: Path) -> Path:
    return path.with_name(f"{path.stem}-small{path.suffix}")


def waveform(audio: np.ndarray, rate: int, path: Path) -> None:
    for size, target in ((FULL, path), (SMALL, small_path(path))):
        _waveform(audio, rate, target, size)


def _waveform(audio: np.ndarray, rate: int, path: Path, size: tuple) -> None:
    pyplot, figure, axes = _figure(size)
    seconds = len(audio) / rate
    # The envelope per pixel column keeps long items readable and the file small.
    columns = 600
    chunks = np.array_split(audio, columns) if len(audio) >= columns else [audio]
    times = np.linspace(0, seconds, len(chunks))
    axes.fill_between(times, [c.min() for c in chunks], [c.max() for c in chunks], color=INK, lw=0)
    axes.set_ylim(-1, 1)
    axes.set_yticks([-1, 0, 1])
    axes.set_xlim(0, seconds or 1)
    axes.set_xlabel("time (s)")
    axes.set_ylabel("amplitude")
    _save(pyplot, figure, path)


def spectrogram(audio: np.ndarray, rate: int, path: Path) -> None:
    import librosa

    hop = 512
    power = np.abs(librosa.stft(audio, n_fft=2048, hop_length=hop)) ** 2 if len(audio) else np.zeros((1025, 1))
    db = librosa.power_to_db(power + 1e-10, ref=max(float(power.max()), 1e-10), top_db=80)
    freqs = librosa.fft_frequencies(sr=rate, n_fft=2048)
    times = np.arange(db.shape[1] + 1) * hop / rate
    for size, target in ((FULL, path), (SMALL, small_path(path))):
        _spectrogram(db, freqs, times, rate, target, size)


def _spectrogram(db: np.ndarray, freqs: np.ndarray, times: np.ndarray, rate: int, path: Path,
                 size: tuple) -> None:
    from matplotlib.ticker import FixedLocator, NullLocator
    pyplot, figure, axes = _figure(size)
    low = 30.0   # below this a 2048-point FFT has a bin or two: nothing to see
    keep = freqs >= low
    edges = np.concatenate([[low], (freqs[keep][:-1] + freqs[keep][1:]) / 2, [rate / 2]])
    mesh = axes.pcolormesh(times[: db.shape[1] + 1], edges, db[keep], cmap="magma", vmin=-80, vmax=0,
                           shading="flat", rasterized=True)
    axes.set_yscale("log")
    axes.set_ylim(low, rate / 2)
    ticks = [f for f in FREQ_TICKS if low <= f <= rate / 2]
    if size is SMALL:
        ticks = [f for f in ticks if f in (100, 1000, 10000)]
    axes.yaxis.set_major_locator(FixedLocator(ticks))
    axes.yaxis.set_minor_locator(NullLocator())
    axes.set_yticklabels([f"{f // 1000}k" if f >= 1000 else str(f) for f in ticks])
    axes.set_ylabel("Hz")
    axes.set_xlabel("time (s)")
    bar = figure.colorbar(mesh, ax=axes, pad=0.015, fraction=0.04, aspect=12)
    bar.set_label("dB")
    bar.set_ticks([-80, -40, 0] if size is SMALL else [-80, -60, -40, -20, 0])
    bar.outline.set_linewidth(0.4)
    _save(pyplot, figure, path)


def overview(data: dict, path: Path, run_id: str) -> None:
    """One figure per run: every item's loudness (bars up from the floor: louder is
    taller) and share of silence (dots, right axis)."""
    from matplotlib.ticker import FixedLocator, MaxNLocator
    pyplot, figure, axes = _figure(FULL)
    items = sorted(data["items"], key=int)
    floor = -70.0
    loudness = [max(data["items"][k]["loudness_lufs"] or floor, floor) for k in items]
    silence = [100 * data["items"][k]["silence"]["share"] for k in items]
    numbers = [int(k) for k in items]
    axes.bar(numbers, [v - floor for v in loudness], bottom=floor, color=INK, width=0.6,
             label="loudness (LUFS)")
    axes.set_ylim(floor, 0)
    axes.set_ylabel("loudness (LUFS)")
    axes.set_xlabel(f"item ({run_id})")
    # Every item numbered while they fit; whole numbers only beyond that.
    axes.xaxis.set_major_locator(FixedLocator(numbers) if len(numbers) <= 20
                                 else MaxNLocator(integer=True, nbins=20))
    axes.set_xlim(min(numbers, default=0) - 0.6, max(numbers, default=0) + 0.6)
    second = axes.twinx()
    second.plot(numbers, silence, "o", color=ACCENT, label="silence (%)", clip_on=False, zorder=3)
    second.set_ylabel("silence (%)", color=ACCENT)
    second.set_ylim(0, 100)
    second.tick_params(axis="y", colors=ACCENT)
    handles = axes.get_legend_handles_labels()[0] + second.get_legend_handles_labels()[0]
    axes.legend(handles, [h.get_label() for h in handles], loc="upper left", frameon=False, ncol=2)
    _save(pyplot, figure, path)


def cover(audio: np.ndarray, rate: int, path: Path) -> None:
    """A wide picture for the post's cover and the index card when the run has no
    cover of its own: the first item's spectrogram, no axes."""
    import librosa
    pyplot, figure, axes = _figure(COVER)
    mel = librosa.feature.melspectrogram(y=audio, sr=rate, n_mels=96, hop_length=256) if len(audio) \
        else np.zeros((96, 2))
    db = librosa.power_to_db(mel + 1e-10, ref=max(float(mel.max()), 1e-10), top_db=80)
    axes.imshow(db, origin="lower", aspect="auto", cmap="magma", vmin=-80, vmax=0, interpolation="bicubic")
    axes.set_axis_off()
    figure.subplots_adjust(0, 0, 1, 1)
    _save(pyplot, figure, path, tight=False)
