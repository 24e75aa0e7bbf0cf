"""What a reader needs to make the same samples again, recorded when they are made
(never when a post is written, so a later commit or upgrade never rewrites an
existing post):

    out/reproduce.json    written as sampling starts: the command, the experiment.toml
                          that gives these samples, site-builder's version and commit
    out/environment.json  written by the sampling process itself (on the cluster node
                          for SLURM): jukebox-infer, torch, CUDA, the GPU, the checkpoints
"""

from __future__ import annotations

import platform
import subprocess
import time
from importlib import metadata
from pathlib import Path

from site_builder.runs import Run, read_json, write_json

REQUEST = "reproduce.json"
ENVIRONMENT = "environment.json"
# Setting (or run) -> Make variable, as the Makefile passes them.
MAKE_VARS = {"artist": "ARTIST", "run": "RUN", "model": "MODEL", "n_samples": "N",
             "sample_length_in_seconds": "LENGTH", "seed": "SEED", "genres": "GENRES",
             "levels": "LEVELS", "batch_size": "BATCH", "import_from": "IMPORT",
             "executor": "EXECUTOR", "publisher": "PUBLISHER"}
STAGES = ("sample", "mp3", "analyse", "publish", "post")
# The settings that make the samples what they are, in experiment.toml's words.
EXPERIMENT_KEYS = ("model", "artist", "genres", "lyrics", "n_samples", "sample_length_in_seconds",
                   "total_sample_length_in_seconds", "seed", "temperature", "upsampler_temperature",
                   "levels", "batch_size", "hop_fraction")
IMPORTED_KEYS = ("model", "artist", "genres", "lyrics", "n_samples", "sample_length_in_seconds")


def version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def git_commit(folder: Path) -> str | None:
    """The commit site-builder's code is at, with "+ local changes" when its tracked
    files differ from it; None outside a git checkout."""
    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(["git", "-C", str(folder), *args], capture_output=True, text=True,
                                  timeout=10)
        except (OSError, subprocess.SubprocessError):
            return None
        return done.stdout.strip() if done.returncode == 0 else None

    commit = git("rev-parse", "HEAD")
    if not commit:
        return None
    changed = git("status", "--porcelain", "--untracked-files=no", "--", "site_builder", "templates")
    return f"{commit} + local changes" if changed else commit


def make_command(stage: str, given: dict) -> str:
    """The Make command as the user gave it (options without a Make variable left out:
    the experiment.toml below holds every setting)."""
    words = [f"make {stage}"]
    for option, variable in MAKE_VARS.items():
        value = given.get(option)
        if value is None or value == "":
            continue
        if isinstance(value, list):
            value = ", ".join(map(str, value))
        elif isinstance(value, float) and value.is_integer():
            value = int(value)
        text = str(value)
        words.append(f'{variable}="{text}"' if any(c in text for c in " ,'\"") else f"{variable}={text}")
    return " ".join(words)


def experiment_toml(settings: dict) -> str:
    import tomlkit

    doc = tomlkit.document()
    # An imported run's seed, temperature and levels were never known here.
    keys = IMPORTED_KEYS if settings.get("import_from") else EXPERIMENT_KEYS
    for key in (*keys, "import_from"):
        value = settings.get(key)
        if value is None or (key in ("lyrics", "import_from") and not value):
            continue
        doc[key] = value
    return tomlkit.dumps(doc)


def command_stage(argv: list[str]) -> str:
    """The stage the user asked for (`make post` runs sampling too)."""
    return next((a for a in argv if a in STAGES), "post")


def record_request(run: Run, stage: str, given: dict, settings: dict) -> None:
    import site_builder
    write_json(run.out / REQUEST, {
        "recorded": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "command": make_command(stage, given),
        "experiment": experiment_toml(settings),
        "site_builder": site_builder.__version__,
        "commit": git_commit(Path(site_builder.__file__).resolve().parent.parent),
        "python": platform.python_version(),
    })


def listed_hashes() -> dict[str, str]:
    """The SHA-256 jukebox-infer's own checkpoint list gives, where it gives one."""
    import importlib.util
    spec = importlib.util.find_spec("jukebox_infer")
    if not (spec and spec.submodule_search_locations):
        return {}
    listed = read_json(Path(spec.submodule_search_locations[0]) / "data" / "checkpoints.json", {}) or {}
    return {name: entry["sha256"] for name, entry in (listed.get("checkpoints") or {}).items()
            if isinstance(entry, dict) and entry.get("sha256")}


def checkpoint_facts(paths: dict[str, Path], models_dir: Path | None) -> list[dict]:
    """Each checkpoint's file name and size, and its SHA-256 when one is known: listed
    by jukebox-infer, or recorded in <models_dir>/sha256.json (hashing 10 GB at every
    job would cost minutes)."""
    hashes = read_json(models_dir / "sha256.json", {}) if models_dir else {}
    listed = listed_hashes() if paths else {}
    facts = []
    for name, path in paths.items():
        rel = path.relative_to(models_dir).as_posix() if models_dir and path.is_relative_to(models_dir) else path.name
        entry = {"name": name, "file": rel, "bytes": path.stat().st_size if path.is_file() else None}
        if (hashes or {}).get(rel) or listed.get(name):
            entry["sha256"] = (hashes or {}).get(rel) or listed[name]
        facts.append(entry)
    return facts


def device_kind(device) -> str:
    """What kind of device samples: "cpu", or the GPU's name ("NVIDIA H100 80GB HBM3").
    Part of the resume fingerprint: the same settings on another kind give other codes
    (another GPU's kernels round differently), so a change is recorded and said."""
    import torch

    if getattr(device, "type", str(device)) == "cuda":
        return torch.cuda.get_device_name(device)
    return getattr(device, "type", str(device))


def device_changes(run: Run, kind: str) -> list[dict]:
    """The run's earlier changes of device kind, plus this one if the codes made so far
    came from another kind (information for the post: nothing is sampled again)."""
    before = read_json(run.out / ENVIRONMENT, {}) or {}
    changes = list(before.get("device_changes") or [])
    earlier = before.get("device_kind") or (before.get("gpu") or {}).get("name") or before.get("device")
    if earlier and earlier != kind and any(run.codes_dir.glob("*.pt")):
        changes.append({"from": earlier, "to": kind, "recorded": time.strftime("%Y-%m-%dT%H:%M:%S%z")})
    return changes


def record_environment(run: Run, device, checkpoints: dict[str, Path] | None = None,
                       models_dir: str | Path | None = None) -> None:
    """Called by the sampling process, where the GPU is."""
    import torch

    gpu = None
    if getattr(device, "type", str(device)) == "cuda":
        gpu = {"name": torch.cuda.get_device_name(), "count": torch.cuda.device_count()}
    kind = device_kind(device)
    write_json(run.out / ENVIRONMENT, {
        "recorded": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "jukebox_infer": version("jukebox-infer"), "torch": torch.__version__,
        "cuda": torch.version.cuda, "device": getattr(device, "type", str(device)), "gpu": gpu,
        "host": platform.node(),
        "checkpoints": checkpoint_facts(checkpoints or {}, Path(models_dir).expanduser() if models_dir else None),
        "device_kind": kind, "device_changes": device_changes(run, kind),
    })


def read(run: Run) -> dict:
    """What was recorded, {} for runs sampled before this was kept (or elsewhere)."""
    request = read_json(run.out / REQUEST, {}) or {}
    environment = read_json(run.out / ENVIRONMENT, {}) or {}
    return {**request, "environment": environment} if request or environment else {}
