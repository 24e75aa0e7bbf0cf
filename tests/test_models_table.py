"""The facts site-builder checks settings against (read without torch) agree with
jukebox-infer's own hyperparameters."""

from __future__ import annotations

import pytest

from site_builder.sampling import labels
from site_builder.models import MODELS, SAMPLE_RATE


@pytest.mark.parametrize("name", ["5b", "5b_lyrics", "1b_lyrics"])
def test_model_facts_match_jukebox(name):
    from jukebox_infer.hparams import setup_hparams
    model = MODELS[name]
    top = setup_hparams(model.hparams[-1], {})
    assert model.min_total_seconds == top.min_duration
    assert model.max_total_seconds == top.max_duration
    assert model.max_genre_words == top.max_bow_genre_size
    assert (model.labels == "v3") == bool(top.get("labels_v3", False))
    assert model.lyrics == bool(top.use_tokens)
    upsampler = setup_hparams("upsampler_level_1", {})
    vqvae = setup_hparams("vqvae", {})
    hop_1 = vqvae.strides_t[0] ** vqvae.downs_t[0] * vqvae.strides_t[1] ** vqvae.downs_t[1]
    assert model.min_sample_seconds == pytest.approx(upsampler.n_ctx * hop_1 / SAMPLE_RATE)


def test_lists_are_the_labellers():
    assert labels.names("v2", "artist")["lucybell"] == 2146
    assert "lucybell" not in labels.names("v3", "artist")
    assert labels.bag_words("Dark Wave", MODELS["5b"]) == ["dark", "wave"]
    assert labels.bag_words("Dark Wave", MODELS["1b_lyrics"]) == ["dark wave"]
    assert [labels.item_bag(["a", "b", "c"], k) for k in range(5)] == ["a", "b", "c", "a", "b"]


def test_v3_names_are_matched_as_typed_and_passed_on_exactly():
    from jukebox_infer.data.artist_genre_processor import ArtistGenreProcessor
    assert labels.check("joy division", ["Dark Wave"], "1b_lyrics") == []
    exact = labels.labeller_genre("Dark Wave", "1b_lyrics")
    assert exact != "dark wave"  # the list's key carries invisible marks
    processor = ArtistGenreProcessor(v3=True)
    assert processor.get_genre_ids(exact) == [19]
