"""Artist and genre names, checked against the lists the model was trained with.

Jukebox maps an unknown artist or genre word to id 0 with a printed warning and
samples anyway; we refuse before anything runs and suggest near matches.
The lists are jukebox-infer's own files, read without importing torch.
"""

from __future__ import annotations

import difflib
import importlib.util
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

from site_builder.errors import ConfigError
from site_builder.models import MODELS, ModelInfo


def _ids_dir() -> Path:
    spec = importlib.util.find_spec("jukebox_infer")
    if spec is None or not spec.submodule_search_locations:
        raise ConfigError("jukebox-infer is not installed: run `make install` (or pip install jukebox-infer)")
    return Path(spec.submodule_search_locations[0]) / "data" / "ids"


def visible(name: str) -> str:
    """A name as a person types it: some v3 genre names carry invisible direction
    marks ('dark wave\u200f\u200e') that Jukebox's exact lookup requires."""
    return " ".join("".join(c for c in name if unicodedata.category(c) != "Cf").split())


@lru_cache(maxsize=None)
def exact_names(version: str, kind: str) -> dict[str, tuple[str, int]]:
    """`kind` is "artist" or "genre": visible lowercased name -> (the list's own key, id)."""
    table = {}
    for line in (_ids_dir() / f"{version}_{kind}_ids.txt").read_text(encoding="utf-8").splitlines():
        name, _, number = line.rpartition(";")
        if name:
            table.setdefault(visible(name.lower()), (name.lower(), int(number)))
    return table


def names(version: str, kind: str) -> dict[str, int]:
    return {name: number for name, (_, number) in exact_names(version, kind).items()}


def labeller_genre(bag: str, model_name: str) -> str:
    """The genre text to hand Jukebox's labeller for a bag (v3: the list's exact key)."""
    model = MODELS[model_name]
    if model.labels == "v2":
        return bag
    return exact_names("v3", "genre").get(visible(bag.lower()), (bag, 0))[0]


def normalise(text: str) -> str:
    """What Jukebox's v2 labeller does to a name: lowercase, non-alphanumerics to '_'."""
    return re.sub(r"_+", "_", re.sub(r"[^a-z0-9]", "_", text.lower())).strip("_")


def artist_key(artist: str, model: ModelInfo) -> str:
    return artist.lower() if model.labels == "v3" else normalise(artist)


def bag_words(bag: str, model: ModelInfo) -> list[str]:
    """The label words Jukebox makes of one genre bag: v2 splits it into words, v3 takes
    it whole as one genre name."""
    if model.labels == "v3":
        return [visible(bag.lower())]
    return [w for w in normalise(bag).split("_") if w]


def item_bag(bags: list[str], item: int) -> str:
    """Item k is conditioned on bag k mod the number of bags, so adding items never
    changes an existing item's genres."""
    return bags[item % len(bags)]


def _suggest(word: str, known: dict[str, int]) -> str:
    close = difflib.get_close_matches(word, known.keys(), n=3, cutoff=0.75)
    return f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""


def check(artist: str, bags: list[str], model_name: str) -> list[str]:
    """Every problem with these names for this model, as one-line messages. Jukebox
    itself would sample anyway, conditioned on id 0 ('unknown') for each of them."""
    model = MODELS[model_name]
    problems = []
    artists = names(model.labels, "artist")
    key = artist_key(artist, model)
    if key not in artists or artists[key] == 0:
        hint = _suggest(key, artists)
        others = [m for m, info in MODELS.items() if info.labels != model.labels
                  and artist_key(artist, info) in names(info.labels, "artist")]
        if others:
            hint += f" (it is in the {', '.join(others)} list: MODEL={others[-1]})"
        problems.append(f"unknown artist {artist!r} (Jukebox {model.labels} list){hint or '; make artists SEARCH=... lists the names'}")
    known = names(model.labels, "genre")
    if not bags:
        problems.append("no genre: give GENRES=\"word ...\" (make genres lists them)")
    for bag in bags:
        words = bag_words(bag, model)
        for word in words:
            if word not in known or known[word] == 0:
                problems.append(f"unknown genre {word!r} in {bag!r} (Jukebox {model.labels} list; Jukebox "
                                f"itself would silently use id 0){_suggest(word, known) or '; make genres lists the names'}")
        if len(words) > model.max_genre_words:
            problems.append(f"{len(words)} genre words in one bag ({' '.join(words)}): model "
                            f"{model.name} takes at most {model.max_genre_words}; drop some, or "
                            f"split it into bags with commas")
    return problems


def unknown_genre_words(bags: list[str], model_name: str) -> list[str]:
    """Words Jukebox would condition on id 0 ('unknown'), each once, in order."""
    model = MODELS[model_name]
    known = names(model.labels, "genre")
    words = [w for bag in bags for w in bag_words(bag, model) if known.get(w, 0) == 0]
    return list(dict.fromkeys(words))


def search(kind: str, text: str, model_name: str) -> list[str]:
    """Names in the model's list containing `text` (normalised), sorted."""
    model = MODELS[model_name]
    needle = normalise(text) if model.labels == "v2" else text.lower()
    return sorted(n for n, i in names(model.labels, kind).items() if needle in n and i != 0)


def per_level(artist: str, bags: list[str], model_name: str) -> list[str]:
    """For a model whose upsamplers read other lists than its top prior (1b_lyrics:
    v3 at the top, v2 below), what each level will be conditioned on, one line per
    name that the upsamplers do not know as the top prior does."""
    model = MODELS[model_name]
    below = next((m for m in MODELS.values() if m.labels == "v2"), None)
    if model.labels == "v2" or below is None:
        return []
    lines = []
    artists = names("v2", "artist")
    key = artist_key(artist, below)
    if artists.get(key, 0) == 0:
        lines.append(f"artist {artist!r}: top prior (v3 list) id {names('v3', 'artist').get(artist_key(artist, model), 0)}; "
                     f"upsamplers (v2 list): unknown, id 0")
    genres = names("v2", "genre")
    for bag in bags:
        genre = labeller_genre(bag, model_name)
        words = [w for w in normalise(genre).split("_") if w]
        unknown = [w for w in words if genres.get(w, 0) == 0]
        if unknown:
            known = [w for w in words if w not in unknown]
            lines.append(f"genre {bag!r}: top prior (v3 list) as one genre; upsamplers (v2 list): "
                         f"{', '.join(known) or 'nothing'} known, {', '.join(unknown)} as id 0")
    return lines
