"""Every setting, declared once: its name, type, default, meaning, and where the
command line sets it. `config` reads files against these declarations; the CLI's
options and help, the Makefile's variables, `make help` and the README's tables
are generated from them (`python -m site_builder.docs`; a test fails when stale).
"""

from __future__ import annotations

import re
import zoneinfo
from dataclasses import dataclass, field
from typing import Any, Callable

from site_builder.models import MODELS

# A generated post's defaults, here once: the post's front matter, the MP3s' album and
# archive.org's items all use them (`post: tags:` in _config.yml overrides the tags).
DEFAULT_TAGS = ("Jukebox", "ancestral sampling")


def default_title(artists: list[str]) -> str:
    """A post's title when TITLE is not given, from its artists' display names."""
    names = list(dict.fromkeys(artists))
    joined = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return f"Ancestral sampling conditioned on {joined}"

# Jekyll owns `defaults:` (front-matter defaults, a list), so ours has its own key.
DEFAULTS_KEY = "experiment_defaults"
EXECUTORS = ("local", "slurm")
PUBLISHERS = ("local", "archive")
# More items than this is almost always a typo (N=100000); MAX_N=... allows it.
MAX_ITEMS = 1024
MODEL_NAMES = tuple(MODELS)


# -- converters -----------------------------------------------------------------
# Each takes a value from YAML, TOML or the command line (a string) and returns it
# in the setting's type, or raises ValueError saying what it expected. `kind` is
# how the README and --help name the type.

def kind(name: str) -> Callable:
    def mark(convert: Callable) -> Callable:
        convert.kind = name
        return convert
    return mark


@kind("text")
def to_str(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("expected text")
    return value


@kind("whole number")
def to_int(value: Any) -> int:
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            pass
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError("expected a whole number")
    return value


@kind("number")
def to_float(value: Any) -> float:
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            pass
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError("expected a number")
    return float(value)


@kind("true/false")
def to_bool(value: Any) -> bool:
    if isinstance(value, str) and value.strip().lower() in ("1", "yes", "true", "0", "no", "false"):
        return value.strip().lower() in ("1", "yes", "true")
    if not isinstance(value, bool):
        raise ValueError("expected true or false")
    return value


@kind("list of text")
def to_str_list(value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError("expected a list of text, e.g. [a, b]")
    return value


@kind("URL or list of URLs")
def to_urls(value: Any) -> list[str]:
    """One URL or a list, tried in order; empty: the default list."""
    if value in ("", None, []):
        return list(CHECKPOINT_MIRRORS)
    urls = [value] if isinstance(value, str) else value
    if not isinstance(urls, list) or not all(isinstance(u, str) and re.match(r"https?://\S+$", u.strip())
                                             for u in urls):
        raise ValueError("expected a URL (http:// or https://) or a list of them, tried in order, "
                         "e.g. [https://mirror.example/jukebox/models/, https://other.example/models/]")
    return [u.strip() for u in urls]


# Where the released checkpoints are fetched from, in jukebox's layout (<base>5b/vqvae.pth.tar),
# tried in order: the storage account behind openai's CDN, then the CDN host jukebox-infer
# names (retired in 2025; kept last in case it answers again). README: "Checkpoints".
CHECKPOINT_MIRRORS = ("https://openaipublic.blob.core.windows.net/jukebox/models/",
                      "https://openaipublic.azureedge.net/jukebox/models/")


@kind("lines")
def to_lines(value: Any) -> list[str]:
    """One line or a list of lines."""
    if isinstance(value, str):
        return [value]
    return to_str_list(value)


@kind("mapping")
def to_mapping(value: Any) -> dict:
    if not isinstance(value, dict):
        raise ValueError("expected a mapping of key: value")
    return value


@kind("mapping or list")
def to_collections(value: Any) -> dict | list:
    if not isinstance(value, (dict, list)):
        raise ValueError("expected a mapping of collection: options, or a list of names")
    if isinstance(value, dict) and not all(isinstance(v, dict) or v is None for v in value.values()):
        raise ValueError("expected each collection's options as a mapping (e.g. output: true)")
    return value


@kind("text or mapping")
def to_author(value: Any) -> str | dict:
    if not isinstance(value, (str, dict)):
        raise ValueError("expected a name, or a mapping (name, email, uri)")
    return value


@kind("list of scope/values sets")
def to_defaults(value: Any) -> list:
    sets = "expected a list of `- scope: {path, type}` / `values: {...}` sets"
    if not isinstance(value, list):
        raise ValueError(sets)
    for n, found in enumerate(value, 1):
        if not isinstance(found, dict):
            raise ValueError(f"{sets} (set {n} is not a mapping)")
        for part in ("scope", "values"):
            if not isinstance(found.get(part) or {}, dict):
                raise ValueError(f"{sets} (set {n}: {part} is not a mapping)")
    return value


@kind("whole number or auto")
def to_batch(value: Any) -> int | str:
    """A batch size, or "auto": the largest the GPU's memory plan allows."""
    if isinstance(value, str) and value.strip().lower() == "auto":
        return "auto"
    try:
        return to_int(value)
    except ValueError:
        raise ValueError("expected a whole number or auto") from None


@kind("genre bags")
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


@kind("three numbers")
def to_fractions(value: Any) -> list[float]:
    if isinstance(value, str):
        value = value.replace(",", " ").split()
    if not isinstance(value, list) or len(value) != 3:
        raise ValueError("expected three numbers, bottom level first, e.g. [0.5, 0.5, 0.125]")
    return [to_float(v) for v in value]


@kind("table")
def to_table(value: Any) -> dict:
    if not isinstance(value, dict):
        raise ValueError("expected a table of key = value lines ([job] in experiment.toml)")
    return value


# -- checks: a problem, or None ---------------------------------------------------------

def positive(value: float) -> str | None:
    return None if value > 0 else "must be greater than 0"


def not_negative(value: float) -> str | None:
    return None if value >= 0 else "must be 0 or more"


def between(low: int, high: int, what: str = "") -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        return None if low <= value <= high else f"expected {low}{what} to {high}"
    return check


def one_of(choices) -> Callable[[str], str | None]:
    def check(value: str) -> str | None:
        return None if value in choices else f"must be one of {', '.join(choices)}"
    return check


def fractions(value: list[float]) -> str | None:
    return None if all(0 < v <= 1 for v in value) else "each must be more than 0 and at most 1"


def batch(value: int | str) -> str | None:
    return None if value == "auto" or value > 0 else "must be greater than 0 (or auto)"


def levels(value: int) -> str | None:
    return None if 1 <= value <= 3 else "must be 1 (top level only), 2 or 3 (all levels)"


def baseurl(value: str) -> str | None:
    return None if not value or value.startswith("/") else "must start with '/' (e.g. /blog) or be empty"


def bitrate(value: str) -> str | None:
    return None if value.rstrip("k").isdigit() else "expected e.g. 192k"


def slurm_time(value: str) -> str | None:
    return None if re.fullmatch(r"(\d+-)?\d{1,2}(:\d{2}){0,2}", value) else \
        "expected D-HH:MM:SS or HH:MM:SS"


def one_line(value: str | list[str]) -> str | None:
    # A line break in an #SBATCH value would start a shell command in the batch script
    # (and end its #SBATCH lines).
    values = value if isinstance(value, list) else [value]
    return ("must be one line (no line break or control character): it goes on an #SBATCH line"
            if any(re.search(r"[\x00-\x1f\x7f]", v) for v in values) else None)


def time_zone(value: str) -> str | None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return "expected a time zone name such as Europe/Berlin (IANA's list)"
    return None


# -- declarations ------------------------------------------------------------------------

@dataclass(frozen=True)
class Field:
    """One setting: its name in the file, type, default and meaning; `make` and
    `flag` where the command line sets it; `stage`: the stage whose success saves a
    command-line value into experiment.toml."""
    name: str
    convert: Callable[[Any], Any]
    default: Any
    doc: str
    check: Callable[[Any], str | None] | None = None
    make: str | None = None
    flag: str | None = None
    stage: str = "sample"
    default_doc: str | None = None   # where the default is not one value

    @property
    def kind(self) -> str:
        return getattr(self.convert, "kind", "value")

    def shown_default(self) -> str:
        if self.default_doc is not None:
            return self.default_doc
        if self.default in (None, "", [], {}):
            return ""
        if isinstance(self.default, list):
            return ", ".join(map(str, self.default))
        return f"{self.default:g}" if isinstance(self.default, float) else str(self.default)


def _model_default(key: str) -> str:
    tiny, real = MODELS["tiny"].defaults()[key], MODELS["5b"].defaults()[key]
    shown = [f"{v:g}" if isinstance(v, (int, float)) else str(v) for v in (tiny, real)]
    return shown[0] if tiny == real else f"{shown[0]} (tiny), {shown[1]} (real models)"


FIELDS = (
    Field("model", to_str, "tiny", "Jukebox model: tiny (toy size, random weights, CPU), 5b, "
          "5b_lyrics, 1b_lyrics", one_of(tuple(MODELS)), make="MODEL", flag="model"),
    Field("artist", to_str, None, "artist to condition on, as Jukebox lists it "
          "(make artists SEARCH=...); required for a new run", make="ARTIST", flag="artist"),
    Field("genres", to_bags, ["rock"], "genre bags spread over the items, comma-separated: each up "
          "to 5 v2 words (make genres SEARCH=...), or one v3 genre for 1b_lyrics",
          make="GENRES", flag="genres"),
    Field("lyrics", to_str, "", "lyrics, for 5b_lyrics and 1b_lyrics"),
    Field("n_samples", to_int, 3, "how many items to sample", positive, make="N", flag="n",
          default_doc=_model_default("n_samples")),
    Field("sample_length_in_seconds", to_float, 3.0, "seconds per item", positive,
          make="LENGTH", flag="length", default_doc=_model_default("sample_length_in_seconds")),
    Field("total_sample_length_in_seconds", to_float, 180.0,
          "length of the song the items are the start of (conditions the model)", positive,
          make="TOTAL_LENGTH", flag="total-length"),
    Field("seed", to_int, 0, "item k's randomness comes from (seed, k)", make="SEED", flag="seed"),
    Field("temperature", to_float, 0.98, "sampling temperature of the top prior", positive,
          make="TEMPERATURE", flag="temperature"),
    Field("upsampler_temperature", to_float, 0.99, "sampling temperature of the upsamplers", positive),
    Field("levels", to_int, 3, "levels to sample from the top: 1 = top prior only (minutes), "
          "3 = upsampled to full quality (hours)", levels, make="LEVELS", flag="levels"),
    Field("batch_size", to_batch, 1, "items the top prior samples together (more is faster on a "
          "GPU; each item has its own random stream, so batching never changes an item on a CPU); "
          "auto: the largest batches the GPU's memory plan fits (top prior and upsamplers), "
          "chosen once and saved in experiment.toml", batch, make="BATCH", flag="batch",
          default_doc="1 (tiny), auto (real models; without a GPU to plan for: sample.py's 3 and 16)"),
    Field("upsampler_batch_size", to_int, 16, "items the upsamplers sample together, over all "
          "the run's items (sample.py's 16)", positive),
    Field("gpu", to_str, "", "what make plan and BATCH=auto plan for: v100-16gb, v100-32gb, "
          "a100-40gb, a100-80gb, h100-80gb, h200-141gb, l40s-48gb, a10-24gb, rtx4090-24gb, or a size "
          "like 24GiB", make="GPU", flag="gpu", default_doc="the GPU present"),
    Field("hop_fraction", to_fractions, [0.5, 0.5, 0.125],
          "how far each level's window moves, as a fraction of its context; bottom level first",
          fractions),
    Field("save_codes_every_windows", to_int, 0, "save codes every K windows (0: off)", not_negative),
    Field("save_codes_every_minutes", to_float, 10.0, "save codes every T minutes (0: off)",
          not_negative),
    Field("import_from", to_str, "", "adopt the WAVs in this folder instead of sampling "
          "(runs made elsewhere); n_samples defaults to how many there are",
          make="IMPORT", flag="import-from"),
    Field("job", to_table, {}, "for imported runs: the job's figures as seff printed them"),
    Field("executor", to_str, "local", "where sampling runs: local or slurm", one_of(EXECUTORS),
          make="EXECUTOR", flag="executor"),
    Field("slurm", to_table, {}, "this run's SLURM options over _config.yml's slurm: (time, mem, "
          "gpus, partition, array, ...)"),
    Field("publisher", to_str, "local", "where audio goes: local (site assets) or archive",
          one_of(PUBLISHERS), make="PUBLISHER", flag="publisher", stage="publish"),
)
FIELD_BY_NAME = {f.name: f for f in FIELDS}

# The stage commands: each runs the ones before it, and takes every setting; `plan`
# takes them too, and only reads.
RUN_COMMANDS = ("sample", "mp3", "analyse", "publish", "post")
SETTING_COMMANDS = ("plan", *RUN_COMMANDS)


@dataclass(frozen=True)
class Option:
    """A command-line option (and its Make variable) that is not a setting."""
    make: str
    flag: str
    doc: str
    commands: tuple[str, ...]
    switch: bool = False
    convert: Callable[[Any], Any] = to_str
    default: Any = None
    check: Callable[[Any], str | None] | None = None


OPTIONS = (
    Option("RUN", "run", "run id, [a-z0-9][a-z0-9_-]* (default: the artist's name)",
           (*SETTING_COMMANDS, "clean")),
    Option("RUNS", "runs", "several runs, e.g. \"joy_division lucybell\" (post: one post over "
           "runs already made; it takes no run settings)", ("publish", "post")),
    Option("TITLE", "title", "the post's title (kept when the post is regenerated)", ("post",)),
    Option("FORCE", "force", "allow discarding outputs (they move to the run's attic) or "
           "regenerating hand-edited posts", (*RUN_COMMANDS, "posts", "blog"), switch=True),
    Option("WAIT", "wait", "with EXECUTOR=slurm: wait for the job, showing its progress",
           RUN_COMMANDS, switch=True),
    Option("DRY_RUN", "dry-run", "with PUBLISHER=archive: show what would be sent, send nothing "
           "(saves no setting)", ("publish", "post"), switch=True),
    Option("SANDBOX", "sandbox", "with PUBLISHER=archive: publish into archive.org's "
           "test_collection", ("publish", "post"), switch=True),
    Option("MAX_N", "max-n", f"allow N above {MAX_ITEMS}", SETTING_COMMANDS, convert=to_int,
           default=MAX_ITEMS),
    Option("YES", "yes", "write the changes shown (fix-embeds); clean ALL=1 without asking",
           ("fix-embeds", "clean"), switch=True),
    Option("ALL", "all", "clean: also samples, codes and job figures (job.json is kept in the "
           "attic)", ("clean",), switch=True),
    Option("SEARCH", "search", "only names containing this", ("artists", "genres")),
    Option("FROM", "from", "a copy in the transformers format (a folder with pytorch_model*.bin, "
           "e.g. the hub's openai/jukebox-1b-lyrics) to convert into models_dir instead of "
           "downloading", ("models",)),
    Option("VERBOSE", "verbose", "list every file the build skipped, and why", ("site",),
           switch=True),
    Option("HOST", "host", "address to serve on", ("serve",), default="127.0.0.1"),
    Option("PORT", "port", "port to serve on (0: any free port)", ("serve",), convert=to_int,
           default=4000, check=between(0, 65535)),
)
OPTION_BY_MAKE = {o.make: o for o in OPTIONS}
# Make variables the Makefile itself reads (not passed to the CLI).
MAKE_ONLY = {"PYTHON": "the Python that creates .venv (make install)"}


def make_variables() -> dict[str, Field | Option | str]:
    """Every Make variable: the settings', the options', the Makefile's own."""
    return {**{f.make: f for f in FIELDS if f.make}, **OPTION_BY_MAKE, **MAKE_ONLY}


# -- _config.yml: the site's schema ------------------------------------------------------

@dataclass(frozen=True)
class Key:
    """One key of _config.yml or of one of its sections. `fill`: put the default
    in the loaded config when the key is absent (otherwise absent stays absent, as
    Jekyll's optional keys do)."""
    name: str
    convert: Callable[[Any], Any]
    default: Any
    doc: str
    check: Callable[[Any], str | None] | None = None
    fill: bool = True


@dataclass(frozen=True)
class Section:
    """A mapping of our own under one top-level key: unknown keys are refused
    (`open`: only near-misspellings of a known key are, e.g. front matter keys a
    theme reads)."""
    name: str
    keys: tuple[Key, ...]
    doc: str
    open: bool = False
    fill: bool = True     # slurm: merged over per-model defaults later, so left as given
    by_name: dict = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self):
        self.by_name.update({k.name: k for k in self.keys})

    def defaults(self) -> dict:
        return {k.name: k.default for k in self.keys if k.fill}


AUDIO = Section("audio", (
    Key("bitrate", to_str, "192k", "constant MP3 bitrate", bitrate),
    Key("vbr_quality", to_int, None, "LAME VBR quality instead: 0 (best) to 9 (smallest)",
        between(0, 9, " (best)")),
), "MP3 encoding")

SLURM = Section("slurm", (
    Key("partition", to_str, "", "#SBATCH --partition", one_line),
    Key("account", to_str, "", "#SBATCH --account", one_line),
    Key("qos", to_str, "", "#SBATCH --qos", one_line),
    Key("gpus", to_int, 1, "--gres=gpu:N, left out when 0", not_negative),
    Key("cpus_per_task", to_int, 4, "#SBATCH --cpus-per-task", not_negative),
    Key("mem", to_str, "32G", "#SBATCH --mem", one_line),
    Key("time", to_str, "24:00:00", "#SBATCH --time", slurm_time),
    Key("array", to_bool, False, "one array task per batch"),
    Key("max_resubmits", to_int, 3, "resubmissions after a time-out", not_negative),
    Key("signal_seconds", to_int, 300, "how long before the limit the sampler is told to save",
        not_negative),
    Key("poll_seconds", to_int, 10, "WAIT=1's polling", not_negative),
    Key("extra", to_lines, [], "more \"#SBATCH ...\" lines, e.g. [\"--constraint=v100\"]",
        one_line),
    Key("setup", to_lines, [], "shell lines before sampling, e.g. [\"module load cuda/12.1\"]"),
), "SLURM options (a run's experiment.toml [slurm] table goes over them)", fill=False)

ARCHIVE = Section("archive", (
    Key("identifier_prefix", to_str, "", "items are <prefix>-<run>; required for PUBLISHER=archive"),
    Key("collection", to_str, "opensource_audio", "archive.org collection (SANDBOX=1: test_collection)"),
    Key("licenseurl", to_str, "", "the items' licence URL"),
    Key("include_wavs", to_bool, False, "upload the WAVs too"),
    Key("include_codes", to_bool, False, "upload the codes too"),
    Key("retries", to_int, 5, "retries on 503 and dropped connections, with backoff", not_negative),
    Key("retry_seconds", to_float, 2.0, "first backoff", not_negative),
    Key("endpoint", to_str, "", "send the client's requests to another server (tests)"),
), "archive.org publishing")

POST = Section("post", (
    Key("layout", to_str, "post", "the generated posts' layout"),
    Key("cover", to_str, "", "cover image"),
    Key("tags", to_str_list, [], "tags"),
    Key("categories", to_str_list, [], "categories"),
    Key("tag", to_str, "", "one tag (Jekyll reads tag and tags)"),
    Key("category", to_str, "", "one category (Jekyll reads category and categories)"),
    Key("author", to_author, "", "author (default: the site's)"),
), "front matter of generated posts; any other key a theme reads may be added", open=True,
    fill=False)

EXPERIMENT_DEFAULTS = Section(DEFAULTS_KEY, tuple(
    Key(f.name, f.convert, f.default, f.doc, f.check, fill=False) for f in FIELDS),
    "defaults for new experiments (see the settings above)", fill=False)

SECTIONS = {s.name: s for s in (AUDIO, SLURM, ARCHIVE, POST, EXPERIMENT_DEFAULTS)}

# Top-level keys we read (Jekyll's and ours); any other top-level key is the theme's
# or a plugin's and passes untouched, as Jekyll lets it.
SITE = (
    Key("title", to_str, "Experiments", "the blog's title"),
    Key("description", to_str, "", "the blog's description"),
    Key("url", to_str, "", "the blog's address, e.g. https://example.org (feed and archive.org links)"),
    Key("baseurl", to_str, "", "the path the blog is served under, e.g. /blog", baseurl),
    Key("permalink", to_str, "date", "post URLs, as Jekyll's permalink (Jekyll's default: date, "
        "/:categories/:year/:month/:day/:title.html)"),
    Key("posts_dir", to_str, "posts", "where posts are (an existing Jekyll blog's _posts/)"),
    Key("assets_dir", to_str, "assets", "where assets are"),
    Key("runs_dir", to_str, "runs", "where runs are"),
    Key("author", to_author, "", "the blog's author"),
    Key("models_dir", to_str, "~/.cache/jukebox/models", "checkpoints (jukebox-infer's cache layout)"),
    Key("checkpoint_url", to_urls, list(CHECKPOINT_MIRRORS), "checkpoint mirrors in jukebox's layout, "
        "tried in order (`make models`)"),
    Key("paginate", to_int, None, "posts per index page", between(1, 10**6), fill=False),
    Key("paginate_path", to_str, None, "URL of index pages after the first", fill=False),
    Key("timezone", to_str, None, "time zone of post dates", time_zone, fill=False),
    Key("exclude", to_str_list, None, "files and folders not built", fill=False),
    Key("include", to_str_list, None, "hidden files built anyway", fill=False),
    Key("defaults", to_defaults, None, "Jekyll's front matter defaults", fill=False),
    Key("show_drafts", to_bool, None, "build _drafts too", fill=False),
    Key("future", to_bool, None, "build posts dated in the future", fill=False),
    Key("excerpt_separator", to_str, None, "where a post's excerpt ends", fill=False),
    Key("safe", to_bool, None, "false: follow symbolic links leaving the blog (Jekyll's default "
        "mode; safe mode, as on GitHub Pages, is the default here)", fill=False),
    Key("collections", to_collections, None, "Jekyll's collections", fill=False),
    Key("collections_dir", to_str, None, "where collections' folders are", fill=False),
    Key("theme", to_str, None, "the theme: site-builder (built in; the default for a blog with no "
        "_layouts/ of its own); the blog's _layouts/, _includes/, _sass/ and assets/ override "
        "its files", fill=False),
    Key("plugins", to_str_list, None, "Jekyll plugins (the common ones are built in)", fill=False),
    Key("gems", to_str_list, None, "plugins, under their old name", fill=False),
    Key("feed", to_mapping, None, "jekyll-feed's options", fill=False),
    Key("liquid", to_mapping, None, "Liquid's options", fill=False),
)
SITE_DEFAULTS: dict[str, Any] = {k.name: k.default for k in SITE if k.fill}
