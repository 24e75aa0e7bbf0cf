"""Settings: `_config.yml` (the blog, its sections, and defaults for new
experiments), each run's `experiment.toml` and the command line, read against the
declarations in `schema` and merged into one validated dict.

Precedence, highest first: command line > experiment.toml >
_config.yml `experiment_defaults:` > the model's built-in defaults > built-in.
Every problem is collected and reported together, one line per setting, each
naming its file and line.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from site_builder.errors import ConfigError
from site_builder.frontmatter import node_and_data
from site_builder.models import MODELS
from site_builder.schema import (DEFAULTS_KEY, EXPERIMENT_DEFAULTS, FIELD_BY_NAME, FIELDS, SECTIONS,
                                 SITE, SITE_DEFAULTS, SLURM, Field, Key, Section)

SITE_CONFIG = "_config.yml"
RUN_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


# -- reading files ------------------------------------------------------------

def shown(path: Path) -> str:
    """A path as the user would type it: relative to where they are, when inside."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _key_lines(node: yaml.Node, prefix: tuple = (), depth: int = 2) -> dict[tuple, int]:
    """Where each key of a mapping (and of its mappings, `depth` deep) is: for messages."""
    lines: dict[tuple, int] = {}
    if isinstance(node, yaml.MappingNode) and depth:
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode):
                lines[(*prefix, key.value)] = key.start_mark.line + 1
                lines.update(_key_lines(value, (*prefix, key.value), depth - 1))
    return lines


def read_yaml(path: Path) -> tuple[dict, dict[tuple, int]]:
    """A YAML mapping and the line of each key (two levels deep)."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{shown(path)}: not a text file (byte {exc.start} is not UTF-8); "
                          f"save it as UTF-8 text") from None
    try:
        node, data = node_and_data(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"{shown(path)}:{mark.line + 1}" if mark else shown(path)
        raise ConfigError(f"{where}: {exc.problem}; fix the YAML syntax there") from None
    except yaml.reader.ReaderError as exc:   # a control character: PyYAML's message has two lines
        line = text.count("\n", 0, exc.position) + 1
        raise ConfigError(f"{shown(path)}:{line}: control character U+{exc.character:04X} is "
                          f"not allowed in YAML; remove it") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{shown(path)}: not valid YAML ({' '.join(str(exc).split())})") from None
    if data is None:
        return {}, {}
    if not isinstance(data, dict):
        raise ConfigError(f"{shown(path)}: expected a mapping of keys to values at the top level")
    return data, _key_lines(node)


def load_toml(path: Path) -> dict:
    import tomllib   # here: a site build reads no TOML

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


def toml_lines(path: Path) -> dict[tuple, int]:
    """The line of each `key =` (and `[table]` key) in a TOML file, for messages:
    tomllib keeps no positions."""
    lines: dict[tuple, int] = {}
    table: tuple = ()
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return lines
    for number, line in enumerate(text.splitlines(), 1):
        if found := re.match(r"\s*\[\s*([A-Za-z0-9_-]+)\s*\]", line):
            table = (found[1],)
            lines.setdefault(table, number)
        elif found := re.match(r"\s*([A-Za-z0-9_-]+)\s*=", line):
            lines.setdefault((*table, found[1]), number)
    return lines


class Problems:
    """Every problem found, one line each, raised together. `lines`: where each key
    is, as a line number in `source` or as a whole "file:line"."""

    def __init__(self, source: str, lines: dict[tuple, int | str] | None = None):
        self.source, self.lines, self.found = source, lines or {}, []

    def add(self, where: tuple, problem: str) -> None:
        line = self.lines.get(where) or self.lines.get(where[:1])
        place = line if isinstance(line, str) else f"{self.source}:{line}" if line else self.source
        self.found.append(f"{place}: {'.'.join(where)}: {problem}")

    def raise_any(self) -> None:
        if self.found:
            raise ConfigError("\n".join(self.found))


def _converted(key: Key | Field, value: Any, where: tuple, problems: Problems) -> Any:
    try:
        converted = key.convert(value)
    except ValueError as exc:
        problems.add(where, f"{exc}, got {value!r}")
        return None
    if key.check and (problem := key.check(converted)):
        problems.add(where, f"{problem}, got {converted!r}")
        return None
    return converted


def _unknown(name: str, known, what: str = "key") -> str:
    import difflib   # here, and below: only a mistyped key needs it
    close = difflib.get_close_matches(name, known, n=1)
    hint = f"did you mean {close[0]!r}?" if close else f"known: {', '.join(known)}"
    return f"unknown {what}; {hint}"


def check_section(section: Section, value: Any, problems: Problems, where: tuple = ()) -> dict:
    """A section's values, converted and checked; unknown keys are problems."""
    where = where or (section.name,)
    if value is None:
        value = {}
    if not isinstance(value, dict):
        problems.add(where, f"expected a mapping of key: value ({section.doc}), got {value!r}")
        return {}
    result = section.defaults() if section.fill else {}
    for name, item in value.items():
        key = section.by_name.get(str(name))
        if key is None:
            import difflib
            close = difflib.get_close_matches(str(name), section.by_name, n=1, cutoff=0.7)
            if section.open and not close:
                result[name] = item
            else:
                problems.add((*where, str(name)), _unknown(str(name), list(section.by_name)))
            continue
        if item is None and key.default is None:
            result[name] = None
            continue
        result[name] = _converted(key, item, (*where, str(name)), problems)
    return result


def load_site_config(root: Path, files: list[Path] | None = None) -> dict:
    """`_config.yml` (or `files`, later ones winning, as Jekyll's --config a.yml,b.yml)
    checked against the schema, with the blog's defaults filled in; a missing
    _config.yml is all defaults. Every problem is reported at once, with its line."""
    data: dict = {}
    lines: dict[tuple, str] = {}
    for path in files or [root / SITE_CONFIG]:
        if files and not path.is_file():
            raise ConfigError(f"--config: no file {path}; name existing YAML files, "
                              f"separated by commas")
        if path.exists():
            more, where = read_yaml(path)
            data.update(more)
            name = shown(path)   # (once: it resolves the path, a stat for each of its folders)
            lines.update({key: f"{name}:{line}" for key, line in where.items()
                          if key[0] in more})
    problems = Problems(shown(files[-1] if files else root / SITE_CONFIG), lines)
    config = {**SITE_DEFAULTS, **data}
    for key in SITE:
        if key.name not in data:
            continue
        value = data[key.name]
        if value is None:     # an empty key (`url:`) is the default, as in Jekyll
            if key.fill:
                config[key.name] = key.default
            else:
                config.pop(key.name)
            continue
        converted = _converted(key, value, (key.name,), problems)
        if converted is not None:
            config[key.name] = converted
    for section in SECTIONS.values():
        checked = check_section(section, data.get(section.name), problems)
        if section is not EXPERIMENT_DEFAULTS:   # resolve() reads those, layered
            config[section.name] = checked
    problems.raise_any()
    config["baseurl_as_written"] = config["baseurl"]   # site.baseurl in a blog's own Liquid
    config["baseurl"] = config["baseurl"].rstrip("/")
    return config


def blog_settings(config: dict) -> dict:
    """`config` as a Jekyll blog with its own layouts sees it (`site` in its Liquid,
    its feed's title): this project's defaults (a title, posts_dir...) are our
    theme's, not the blog's; its URL settings are the blog's either way."""
    return {k: v for k, v in config.items()
            if not (k in SITE_DEFAULTS and v == SITE_DEFAULTS[k]
                    and k not in ("url", "baseurl", "permalink"))}


# -- settings -----------------------------------------------------------------

def resolve(cli: dict, experiment: dict, site: dict, *, experiment_path: str,
            site_path: str = SITE_CONFIG, experiment_lines: dict | None = None,
            site_lines: dict | None = None) -> tuple[dict, dict[str, str]]:
    """Merge the layers into one settings dict, or raise one ConfigError listing
    every bad value. `cli` values are strings or None (not given). Returns the
    settings and where each came from (for the header line)."""
    problems = [
        ("command line", Problems("command line"), {k: v for k, v in cli.items() if v is not None}),
        (experiment_path, Problems(experiment_path, experiment_lines), experiment),
        (site_path, Problems(site_path, {k[1:]: v for k, v in (site_lines or {}).items()
                                         if k[:1] == (DEFAULTS_KEY,)}),
         site.get(DEFAULTS_KEY) or {}),
    ]
    for source, found, layer in problems[:2]:
        for key in layer:
            if key not in FIELD_BY_NAME:
                found.add((key,), _unknown(key, list(FIELD_BY_NAME), "setting"))
        if source != "command line" and isinstance(layer.get("slurm"), dict):
            check_section(SLURM, layer["slurm"], found)
    origin: dict[str, str] = {}

    def pick(field: Field, builtin: Any) -> Any:
        for source, found, layer in problems:
            if field.name in layer:
                origin[field.name] = source
                before = len(found.found)
                value = _converted(field, layer[field.name], (field.name,), found)
                return value if len(found.found) == before else None
        origin[field.name] = "default"
        return builtin

    model = pick(FIELD_BY_NAME["model"], "tiny")
    model_defaults = MODELS[model].defaults() if model in MODELS else {}
    settings = {f.name: pick(f, model_defaults.get(f.name, f.default)) for f in FIELDS}
    errors = [line for _, found, _ in problems for line in found.found]
    if not errors and settings["artist"] is None:
        errors.append("no artist: give ARTIST=<name> (make artists SEARCH=... lists them)")
    length, total = settings["sample_length_in_seconds"], settings["total_sample_length_in_seconds"]
    if not errors and total < length:
        model = MODELS[settings["model"]]
        errors.append(f"sample_length_in_seconds (LENGTH) {length:g} is longer than the song the "
                      f"items start, total_sample_length_in_seconds (TOTAL_LENGTH) {total:g}; "
                      f"model {model.name} takes songs of {model.min_total_seconds:g} to "
                      f"{model.max_total_seconds:g} s")
    if errors:  # each once: the model is read twice (first for its own defaults)
        raise ConfigError("\n".join(dict.fromkeys(errors)))
    return settings, origin


def check_run_id(run_id: str) -> str:
    if not RUN_ID.match(run_id):
        raise ConfigError(f"run id {run_id!r}: use lowercase letters, digits, '-' and '_' "
                          f"(e.g. RUN=lucybell-1b)")
    return run_id
