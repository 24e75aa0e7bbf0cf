"""Facts about each model that validation needs before any GPU time is spent.

Read without importing torch (the CLI must answer in well under a second);
tests/test_sampling.py checks them against jukebox-infer's own hparams.
"""

from __future__ import annotations

from dataclasses import dataclass

SAMPLE_RATE = 44100


@dataclass(frozen=True)
class ModelInfo:
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


MODELS = {
    "tiny": ModelInfo("tiny", "v2", 5, 60.0, 600.0, 128, 256 * 32 / SAMPLE_RATE, False, toy=True,
                      hparams=("vqvae", "upsampler_level_0", "upsampler_level_1", "prior_5b")),
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
