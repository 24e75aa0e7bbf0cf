"""Settings: `_config.yml` (the blog, plus defaults for new experiments) and each
run's `experiment.toml`, merged with the command line into one validated dict.

Precedence, highest first: command line > experiment.toml >
_config.yml `experiment_defaults:` > the model's built-in defaults > built-in.
Every problem is collected and reported together, each naming its file and key.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import yaml

from site_builder.errors import ConfigError

SITE_CONFIG = "_config.yml"
EXPERIMENT_FILE = "experiment.toml"
# Jekyll owns `defaults:` (front-matter defaults, a list), so ours has its own key.
DEFAULTS_KEY = "experiment_defaults"

MODELS = ("tiny", "5b", "5b_lyrics", "1b_lyrics")
EXECUTORS = ("local", "slurm")
PUBLISHERS = ("local", "archive")
RUN_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")

SITE_DEFAULTS: dict[str, Any] = {
    "title": "Experiments",
    "description": "",
    "url": "",
    "baseurl": "",
    "permalink": "date",        # Jekyll's default: /:categories/:year/:month/:day/:title.html
    "posts_dir": "posts",
    "assets_dir": "assets",
    "runs_dir": "runs",
    "author": "",
    "post": {},
    "models_dir": "~/.cache/jukebox/models",   # checkpoints (jukebox-infer's own cache layout)
    "checkpoint_url": "",                       # download base; empty: jukebox-infer's
}


# -- the experiment schema ----------------------------------------------------
# Each converter takes a value from TOML, YAML or the command line (a string) and
# returns it in the setting's type, or raises ValueError saying what it expected.

def to_str(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("expected text")
    return value


def to_int(value: Any) -> int:
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            pass
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError("expected an integer")
    return value


def to_float(value: Any) -> float:
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            pass
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError("expected a number")
    return float(value)


def to_batch(value: Any) -> int | str:
    """A batch size, or "auto": the largest the GPU's memory plan allows."""
    if isinstance(value, str) and value.strip().lower() == "auto":
        return "auto"
    try:
        return to_int(value)
    except ValueError:
        raise ValueError("expected a whole number or auto") from None


def _batch(value: int | str) -> str | None:
    return None if value == "auto" or value > 0 else "must be greater than 0 (or auto)"


def to_bags(value: Any) -> list[str]:
    """Genre bags: "dark wave, gothic" or ["dark wave", "gothic"] or [["dark", "wave"]]
    are two bags; item k is conditioned on bag k mod the number of bags."""
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list):
        raise ValueError("expected a list of genre bags, e.g. [\"dark wave\", \"gothic\"]")
    bags = []
    for bag in value:
        if isinstance(bag, list) and all(isinstance(w, str) for w in bag):
            bag = " ".join(bag)
        if not isinstance(bag, str):
            raise ValueError("expected a list of genre bags, e.g. [\"dark wave\", \"gothic\"]")
        if bag.split():
            bags.append(" ".join(bag.split()))
    return bags


def to_fractions(value: Any) -> list[float]:
    if isinstance(value, str):
        value = value.replace(",", " ").split()
    if not isinstance(value, list) or len(value) != 3:
        raise ValueError("expected three numbers, bottom level first, e.g. [0.5, 0.5, 0.125]")
    return [to_float(v) for v in value]


def to_table(value: Any) -> dict:
    if not isinstance(value, dict):
        raise ValueError("expected a table of key = value lines ([job] in experiment.toml)")
    return value


def _positive(value: float) -> str | None:
    return None if value > 0 else "must be greater than 0"


def _not_negative(value: float) -> str | None:
    return None if value >= 0 else "must be 0 or more"


def _fractions(value: list[float]) -> str | None:
    return None if all(0 < v <= 1 for v in value) else "each must be more than 0 and at most 1"


def _levels(value: int) -> str | None:
    return None if 1 <= value <= 3 else "must be 1 (top level only), 2 or 3 (all levels)"


def _one_of(choices: tuple[str, ...]) -> Callable[[str], str | None]:
    def check(value: str) -> str | None:
        return None if value in choices else f"must be one of {', '.join(choices)}"
    return check


@dataclass(frozen=True)
class Field:
    name: str
    convert: Callable[[Any], Any]
    default: Any
    doc: str
    check: Callable[[Any], str | None] | None = None


FIELDS = (
    Field("model", to_str, "tiny", "Jukebox model: tiny (toy size, CPU), 5b, 5b_lyrics, 1b_lyrics",
          _one_of(MODELS)),
    Field("artist", to_str, None, "artist to condition on, as Jukebox lists it (make artists SEARCH=...)"),
    Field("genres", to_bags, ["rock"], "genre bags spread over the items: each up to 5 v2 words "
          "(make genres SEARCH=...), or one v3 genre for 1b_lyrics"),
    Field("lyrics", to_str, "", "lyrics, for 5b_lyrics and 1b_lyrics"),
    Field("n_samples", to_int, 3, "how many items to sample", _positive),
    Field("sample_length_in_seconds", to_float, 3.0, "length of each item", _positive),
    Field("total_sample_length_in_seconds", to_float, 180.0,
          "length of the song the items are the start of (conditions the model)", _positive),
    Field("seed", to_int, 0, "batch b is seeded from (seed, b)"),
    Field("temperature", to_float, 0.98, "sampling temperature of the top prior", _positive),
    Field("upsampler_temperature", to_float, 0.99, "sampling temperature of the upsamplers", _positive),
    Field("levels", to_int, 3, "levels to sample from the top: 1 = top prior only (minutes), "
          "3 = upsampled to full quality (hours)", _levels),
    Field("batch_size", to_batch, 1, "items the top prior samples together (more is faster on a "
          "GPU; each item has its own random stream, so batching never changes an item on a CPU); "
          "auto: the largest the memory plan fits on the GPU", _batch),
    Field("upsampler_batch_size", to_int, 16, "items the upsamplers sample together, over all "
          "the run's items (sample.py's 16)", _positive),
    Field("gpu", to_str, "", "the GPU the memory plan is made for: v100-16gb, a100-40gb, a100-80gb, "
          "h100-80gb, ... or a size like 24GiB; empty: the device present"),
    Field("hop_fraction", to_fractions, [0.5, 0.5, 0.125],
          "how far each level's window moves, as a fraction of its context; bottom level first",
          _fractions),
    Field("save_codes_every_windows", to_int, 0, "save codes every K windows (0: off)", _not_negative),
    Field("save_codes_every_minutes", to_float, 10.0, "save codes every T minutes (0: off)",
          _not_negative),
    Field("import_from", to_str, "", "adopt the WAVs in this folder instead of sampling "
          "(runs made elsewhere); n_samples defaults to how many there are"),
    Field("job", to_table, {}, "for imported runs: the job's figures as seff printed them"),
    Field("executor", to_str, "local", "where sampling runs: local or slurm", _one_of(EXECUTORS)),
    Field("slurm", to_table, {}, "this run's SLURM options over _config.yml's slurm: (time, mem, "
          "gpus, partition, array, ...)"),
    Field("publisher", to_str, "local", "where audio goes: local (site assets) or archive",
          _one_of(PUBLISHERS)),
)
FIELD_BY_NAME = {f.name: f for f in FIELDS}

# What a real model defaults to when the user says nothing: the example post's jobs,
# and batches the memory plan picks for the GPU (sample.py's 3 and 16 on a 16 GB V100).
MODEL_DEFAULTS = {
    "tiny": {"n_samples": 3, "sample_length_in_seconds": 3.0, "batch_size": 1},
    "5b": {"n_samples": 3, "sample_length_in_seconds": 60.0, "batch_size": "auto"},
    "5b_lyrics": {"n_samples": 3, "sample_length_in_seconds": 60.0, "batch_size": "auto"},
    "1b_lyrics": {"n_samples": 3, "sample_length_in_seconds": 60.0, "batch_size": "auto"},
}


# -- reading files ------------------------------------------------------------

def shown(path: Path) -> str:
    """A path as the user would type it: relative to where they are, when inside."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def load_yaml(path: Path) -> dict:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"{shown(path)}:{mark.line + 1}" if mark else shown(path)
        raise ConfigError(f"{where}: {exc.problem}; fix the YAML syntax there") from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{shown(path)}: not valid YAML ({exc})") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{shown(path)}: expected a mapping of keys to values at the top level")
    return data


def load_toml(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{shown(path)}: not a text file (byte {exc.start} is not UTF-8); "
                          f"it must be TOML text: write `key = value` lines, or remove it to "
                          f"start from the defaults") from None
    except tomllib.TOMLDecodeError as exc:
        # Python 3.11's error carries the position only in its message.
        found = re.search(r"^(.*) \(at line (\d+), column \d+\)$", str(exc))
        where, problem = (f"{shown(path)}:{found[2]}", found[1]) if found else (shown(path), str(exc))
        raise ConfigError(f"{where}: {problem}; fix the TOML syntax there") from None


def load_site_config(root: Path, files: list[Path] | None = None) -> dict:
    """`_config.yml` (or `files`, later ones winning, as Jekyll's --config a.yml,b.yml)
    with the blog's defaults filled in; a missing _config.yml is all defaults."""
    data: dict = {}
    for path in files or [root / SITE_CONFIG]:
        if files and not path.is_file():
            raise ConfigError(f"--config: no file {path}; name existing YAML files, "
                              f"separated by commas")
        if path.exists():
            data.update(load_yaml(path))
    path = shown(files[-1] if files else root / SITE_CONFIG)
    # A key left empty (`url:`) is Jekyll's default, not an error.
    config = {**SITE_DEFAULTS, **{k: v for k, v in data.items()
                                  if not (v is None and k in SITE_DEFAULTS)}}
    errors = []
    for key in ("title", "baseurl", "url", "permalink", "posts_dir", "assets_dir", "runs_dir"):
        if not isinstance(config[key], str):
            errors.append(f"{path}: {key}: expected text, got {config[key]!r}")
    if config["baseurl"] and not config["baseurl"].startswith("/"):
        errors.append(f"{path}: baseurl: must start with '/' (e.g. /blog) or be empty")
    if not isinstance(config.get(DEFAULTS_KEY, {}) or {}, dict):
        errors.append(f"{path}: {DEFAULTS_KEY}: expected a mapping of setting: value")
    if errors:
        raise ConfigError("\n".join(errors))
    config["baseurl_as_written"] = config["baseurl"]   # site.baseurl in a blog's own Liquid
    config["baseurl"] = config["baseurl"].rstrip("/")
    return config


# -- settings -----------------------------------------------------------------

def coerce(field: Field, value: Any, source: str) -> tuple[Any, str | None]:
    """Convert `value` from `source` to the field's type: (value, error)."""
    try:
        value = field.convert(value)
    except ValueError as exc:
        return None, f"{source}: {field.name}: {exc}, got {value!r}"
    if field.check and (problem := field.check(value)):
        return None, f"{source}: {field.name}: {problem}, got {value!r}"
    return value, None


def resolve(cli: dict, experiment: dict, site: dict, *, experiment_path: str,
            site_path: str = SITE_CONFIG) -> dict:
    """Merge the layers into one settings dict, or raise one ConfigError listing
    every bad value. `cli` values are strings or None (not given)."""
    errors: list[str] = []
    layers = [
        ("command line", {k: v for k, v in cli.items() if v is not None}),
        (experiment_path, experiment),
        (f"{site_path}: {DEFAULTS_KEY}", site.get(DEFAULTS_KEY) or {}),
    ]
    for source, layer in layers:
        for key in layer:
            if key not in FIELD_BY_NAME:
                errors.append(f"{source}: unknown setting {key!r}; known: {', '.join(FIELD_BY_NAME)}")

    def pick(field: Field, builtin: Any) -> Any:
        for source, layer in layers:
            if field.name in layer:
                value, error = coerce(field, layer[field.name], source)
                if error:
                    errors.append(error)
                return value
        return builtin

    model = pick(FIELD_BY_NAME["model"], "tiny")
    model_defaults = MODEL_DEFAULTS.get(model, {})
    settings = {f.name: pick(f, model_defaults.get(f.name, f.default)) for f in FIELDS}
    if not errors and settings["artist"] is None:
        errors.append("no artist: give ARTIST=<name> (make artists SEARCH=... lists them)")
    if not errors and settings["total_sample_length_in_seconds"] < settings["sample_length_in_seconds"]:
        errors.append(f"total_sample_length_in_seconds ({settings['total_sample_length_in_seconds']:g}) "
                      f"must be at least sample_length_in_seconds ({settings['sample_length_in_seconds']:g})")
    if errors:  # each once: the model is read twice (first for its own defaults)
        raise ConfigError("\n".join(dict.fromkeys(errors)))
    return settings


def check_run_id(run_id: str) -> str:
    if not RUN_ID.match(run_id):
        raise ConfigError(f"run id {run_id!r}: use lowercase letters, digits, '-' and '_' "
                          f"(e.g. RUN=lucybell-1b)")
    return run_id
