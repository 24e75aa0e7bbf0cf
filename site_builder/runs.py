"""The run directory: where each stage's inputs and outputs live, atomic writes,
and content-hash stamps that decide what is stale.

    runs/<run>/experiment.toml   what the user set (tracked)
    runs/<run>/notes.md          the author's words (tracked)
    runs/<run>/out/              everything generated (git-ignored)
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Iterable

# The one atomic write, for every stage (imported from here by the stages that write a run).
from site_builder.atomic import PART_SUFFIX, atomic_path, read_json, write_json, write_text  # noqa: F401
from site_builder.config import RUN_ID, check_run_id

# What sampling makes, in out/: what FORCE=1 moves to the attic and ALL=1 cleans.
GENERATED = ("settings.json", "wav", "codes", "mp3", "job.json", "publish.json",
             "stamps.json", "logs", "sampling.json", "reproduce.json", "environment.json")
# What later stages derive from the samples: what `make clean` removes.
DERIVED = ("mp3", "publish.json", "stamps.json", "analysis.json")


def file_hash(path: Path, algorithm: str = "sha256") -> str:
    digest = hashlib.new(algorithm)
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def digest(*parts: Any) -> str:
    """A stable hash of JSON-able values: the key a stage stamps its output with."""
    text = json.dumps(parts, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def item_list(items: list[int], most: int = 8) -> str:
    """Items for a message, runs of numbers as ranges and the list cut short:
    "0-99, 120" or "0, 2, 4, ... (500 items)"."""
    spans: list[list[int]] = []
    for k in sorted(items):
        if spans and k == spans[-1][1] + 1:
            spans[-1][1] = k
        else:
            spans.append([k, k])
    parts = [str(a) if a == b else f"{a}, {b}" if b == a + 1 else f"{a}-{b}" for a, b in spans]
    if len(parts) > most:
        parts = [*parts[:most - 1], f"... ({len(items)} items)"]
    return ", ".join(parts)


# -- the run ----------------------------------------------------------------------

class Run:
    """One experiment's directory. Paths are derived, never stored."""

    def __init__(self, root: Path, run_id: str, runs_dir: str = "runs"):
        self.root = root
        self.id = check_run_id(run_id)
        self.dir = root / runs_dir / run_id

    @classmethod
    def all(cls, root: Path, runs_dir: str = "runs", any_folder: bool = False) -> list["Run"]:
        """Every run in `runs_dir`, by id: folders with an experiment.toml (`any_folder`:
        every folder whose name is a run id)."""
        runs = []
        for folder in sorted((root / runs_dir).glob("*")):
            if folder.is_dir() and (any_folder or (folder / "experiment.toml").exists()):
                if RUN_ID.match(folder.name):
                    runs.append(cls(root, folder.name, runs_dir))
        return runs

    @classmethod
    def at(cls, run_dir: Path) -> "Run":
        """The run in `run_dir` (as the sampling child process is told it)."""
        run = cls(run_dir.parent.parent, run_dir.name)
        run.dir = run_dir
        return run

    def __repr__(self) -> str:
        return f"Run({self.id!r})"

    # tracked inputs
    @cached_property
    def experiment_path(self) -> Path:
        return self.dir / "experiment.toml"

    @cached_property
    def notes_path(self) -> Path:
        return self.dir / "notes.md"

    # generated outputs
    @cached_property
    def out(self) -> Path:
        return self.dir / "out"

    @cached_property
    def settings_path(self) -> Path:
        return self.out / "settings.json"

    @cached_property
    def wav_dir(self) -> Path:
        return self.out / "wav"

    @cached_property
    def codes_dir(self) -> Path:
        return self.out / "codes"

    @cached_property
    def mp3_dir(self) -> Path:
        return self.out / "mp3"

    @cached_property
    def job_path(self) -> Path:
        return self.out / "job.json"

    @cached_property
    def publish_path(self) -> Path:
        return self.out / "publish.json"

    @cached_property
    def log_dir(self) -> Path:
        return self.out / "logs"

    @cached_property
    def stamps_path(self) -> Path:
        return self.out / "stamps.json"

    @cached_property
    def analysis_path(self) -> Path:
        return self.out / "analysis.json"

    @cached_property
    def slurm_path(self) -> Path:
        """The cluster job in flight (or the last one): id, batches, items, recorded."""
        return self.out / "slurm.json"

    @cached_property
    def slurm_dir(self) -> Path:
        return self.out / "slurm"

    @cached_property
    def lock_path(self) -> Path:
        """The run's lock: held by the command working on it (jobs/lock.py)."""
        return self.out / "lock"

    @cached_property
    def attic_dir(self) -> Path:
        return self.out / "attic"

    def measured_path(self, task: str | None = None) -> Path:
        """What the sampler measured inside itself; one file per array task."""
        return self.out / (f"sampling-{task}.json" if task else "sampling.json")

    def wav_path(self, item: int) -> Path:
        return self.wav_dir / f"item-{item:02d}.wav"

    def mp3_path(self, item: int) -> Path:
        return self.mp3_dir / f"item-{item:02d}.mp3"

    def sampled_items(self) -> list[int]:
        """Items whose WAV is complete (WAVs only ever appear by atomic rename)."""
        items = []
        for path in sorted(self.wav_dir.glob("item-*.wav")):
            stem = path.stem.removeprefix("item-")
            if stem.isdigit():
                items.append(int(stem))
        return items

    def sweep(self) -> list[Path]:
        """Remove `.part` files left by an interrupted write (Ctrl-C, kill -9)."""
        removed = []
        if self.out.exists():
            for path in self.out.rglob(f"*{PART_SUFFIX}"):
                path.unlink(missing_ok=True)
                removed.append(path)
        return removed

    def stage_state(self) -> "StageState":
        """What each stage has done, from the run's files alone (no SLURM command)."""
        settings = read_json(self.settings_path, {}) or {}
        wanted = settings.get("n_samples", 0)
        made = len([k for k in self.sampled_items() if k < wanted])
        job = read_json(self.slurm_path, {}) or {}
        jobs = (read_json(self.job_path, {}) or {}).get("jobs") or []
        state = StageState(wanted, made, bool(settings), job, jobs[-1] if jobs else {})
        state.missing = self._missing(state)
        return state

    def _missing(self, state: "StageState") -> tuple[str, str] | None:
        n = state.wanted
        if not state.started:
            return "sample", "no samples"
        if state.in_flight:
            return "sample", f"its cluster job {state.job['job_id']} still in flight (make status follows it)"
        if state.made < n:
            return "sample", f"{state.made} of {n} samples"
        if not all(self.mp3_path(k).exists() for k in range(n)):
            return "mp3", "no MP3s for every item"
        analysed = (read_json(self.analysis_path, {}) or {}).get("items", {})
        if not all(str(k) in analysed for k in range(n)):
            return "analyse", "no analysis of every item"
        published = {e["item"] for e in (read_json(self.publish_path, {}) or {}).get("items", [])}
        if not set(range(n)) <= published:
            return "publish", "not every item published"
        return None

    def clean_derived(self) -> None:
        """Remove what later stages derived from the samples (they can be remade)."""
        for name in DERIVED:
            _remove(self.out / name)

    def clean_all(self) -> Path | None:
        """Remove everything generated, samples and codes too; the job's figures (which
        cannot be remade) go to the attic, which stays. Returns that attic."""
        attic = self.to_attic(("job.json",)) if self.job_path.exists() else None
        if self.out.exists():
            for path in self.out.iterdir():
                if path != self.attic_dir:
                    _remove(path)
        return attic

    def new_attic(self) -> Path:
        """A folder for outputs put aside now: out/attic/<time>/."""
        attic = self.attic_dir / time.strftime("%Y%m%d-%H%M%S")
        attic.mkdir(parents=True, exist_ok=True)
        return attic

    def to_attic(self, names: Iterable[str | Path], *, copy: bool = False) -> Path:
        """Put files aside, never delete them: out/attic/<time>/. A name is a file or
        folder in out/; a path inside out/ keeps its place under the attic, one outside
        (a hand-edited post) goes in by its name. Moved, or copied with `copy`."""
        attic = self.new_attic()
        for name in names:
            source = self.out / name
            if not source.exists():
                continue
            target = attic / (source.relative_to(self.out) if source.is_relative_to(self.out)
                              else source.name)
            target.parent.mkdir(parents=True, exist_ok=True)
            if copy:
                shutil.copyfile(source, target)
            else:
                shutil.move(str(source), target)
        return attic


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


@dataclass
class StageState:
    """How far a run has come, from its files."""
    wanted: int                 # items asked for (0: never sampled)
    made: int                   # items with a complete WAV
    started: bool               # sampling has been planned (settings.json exists)
    job: dict                   # the cluster job (slurm.json), {} when none
    last_job: dict              # the last job's record in job.json, {} when none
    missing: tuple[str, str] | None = field(default=None)   # (stage, why) a post still needs

    @property
    def in_flight(self) -> bool:
        return bool(self.job) and not self.job.get("recorded", True)

    def describe(self, run_id: str) -> str:
        if self.wanted and self.made == self.wanted:
            return "done"
        last = self.last_job
        if last.get("state") not in (None, "COMPLETED"):
            return f"{last['state'].lower()} (job {last['job_id']}); `make post RUN={run_id}` says why or goes on"
        return "partial" if self.made else "not started"


class Stamps:
    """What each output was made from: output path -> hash of its inputs. An output
    is fresh when it exists and its stamp matches; anything else is rebuilt."""

    def __init__(self, run: Run):
        self.run = run
        self.path = run.stamps_path
        data = read_json(self.path, {})
        self.data: dict[str, str] = data if isinstance(data, dict) else {}

    def _key(self, output: Path) -> str:
        # relpath: assets_dir may point into another blog, outside this one.
        return Path(os.path.relpath(output, self.run.root)).as_posix()

    def fresh(self, output: Path, key: str) -> bool:
        return output.exists() and self.data.get(self._key(output)) == key

    def set(self, output: Path, key: str) -> None:
        self.data[self._key(output)] = key

    def save(self) -> None:
        write_json(self.path, self.data)
