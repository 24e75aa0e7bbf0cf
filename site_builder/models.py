"""Facts about each model: what validation, planning, posts and SLURM need before
any GPU time is spent. At the bottom of the package beside `config` and `errors`,
so every stage may import it.

Read without importing torch (the CLI must answer in well under a second);
tests/test_models_table.py checks them against jukebox-infer's own hparams.
"""

from __future__ import annotations

from dataclasses import dataclass

SAMPLE_RATE = 44100


@dataclass(frozen=True)
class ModelInfo:
    """A Jukebox model's facts: its label lists, genre bag and length range."""

    name: str
    labels: str               # "v2" or "v3": which artist/genre lists condition it
    max_genre_words: int      # size of the genre bag (v3: one genre name)
    min_total_seconds: float  # the top prior's label range: total song length
    max_total_seconds: float
    top_hop: int              # audio samples per top-level token
    min_sample_seconds: float  # upsamplers need a full context window of tokens
    lyrics: bool
    toy: bool = False
    hparams: tuple[str, ...] = ("vqvae", "upsampler_level_0", "upsampler_level_1")
    # What a run defaults to when the user says nothing: the example post's jobs, and
    # batches the memory plan picks for the GPU (sample.py's 3 and 16 on a 16 GB V100).
    default_n_samples: int = 3
    default_seconds: float = 60.0
    default_batch: int | str = "auto"

    def defaults(self) -> dict:
        """The model's defaults, keyed by setting name."""
        return {"n_samples": self.default_n_samples, "sample_length_in_seconds": self.default_seconds,
                "batch_size": self.default_batch}


MODELS = {
    "tiny": ModelInfo("tiny", "v2", 5, 60.0, 600.0, 128, 256 * 32 / SAMPLE_RATE, False, toy=True,
                      hparams=("vqvae", "upsampler_level_0", "upsampler_level_1", "prior_5b"),
                      default_seconds=3.0, default_batch=1),
    "5b": ModelInfo("5b", "v2", 5, 60.0, 600.0, 128, 8192 * 32 / SAMPLE_RATE, False,
                    hparams=("vqvae", "upsampler_level_0", "upsampler_level_1", "prior_5b")),
    "5b_lyrics": ModelInfo("5b_lyrics", "v2", 5, 23.8, 600.0, 128, 8192 * 32 / SAMPLE_RATE, True,
                           hparams=("vqvae", "upsampler_level_0", "upsampler_level_1", "prior_5b_lyrics")),
    "1b_lyrics": ModelInfo("1b_lyrics", "v3", 1, 17.84, 600.0, 128, 8192 * 32 / SAMPLE_RATE, True,
                           hparams=("vqvae", "upsampler_level_0", "upsampler_level_1", "prior_1b_lyrics")),
}


def sample_length(seconds: float, model: ModelInfo) -> int:
    """Audio samples per item: Jukebox needs a multiple of the top level's hop."""
    return int(seconds * SAMPLE_RATE) // model.top_hop * model.top_hop
