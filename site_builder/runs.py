"""The run directory: where each stage's inputs and outputs live, atomic writes,
and content-hash stamps that decide what is stale.

    runs/<run>/experiment.toml   what the user set (tracked)
    runs/<run>/notes.md          the author's words (tracked)
    runs/<run>/out/              everything generated (git-ignored)
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import time
from functools import cached_property
from pathlib import Path
from typing import Any, Iterator

from site_builder.config import check_run_id

PART_SUFFIX = ".part"


# -- atomic writes --------------------------------------------------------------

@contextlib.contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside `path`; rename it into place only if the block
    finishes. An interrupted write leaves a `.part` file that `Run.sweep()` removes,
    never a half-written `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}{PART_SUFFIX}")
    try:
        yield tmp
        os.replace(tmp, path)
    except OSError as exc:  # named by the file meant (not the temporary one, or none)
        if str(exc.filename) in ("None", str(tmp)):
            raise OSError(exc.errno, exc.strerror, str(path)) from None
        raise
    finally:
        with contextlib.suppress(OSError):   # on a read-only disk even this fails
            tmp.unlink(missing_ok=True)


def write_text(path: Path, text: str) -> None:
    """Write atomically; an unchanged file is left alone (its mtime too)."""
    try:
        if path.read_text(encoding="utf-8") == text:
            return
    except (OSError, UnicodeDecodeError):
        pass
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def write_json(path: Path, data: Any) -> None:
    write_text(path, json.dumps(data, indent=2, sort_keys=True) + "\n")


def read_json(path: Path, default: Any = None) -> Any:
    """A missing or corrupt JSON file reads as `default`: stamps and manifests are
    caches of what can be recomputed, so losing one means redoing work, not failing."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return default


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


# -- the run ----------------------------------------------------------------------

class Run:
    """One experiment's directory. Paths are derived, never stored."""

    def __init__(self, root: Path, run_id: str, runs_dir: str = "runs"):
        self.root = root
        self.id = check_run_id(run_id)
        self.dir = root / runs_dir / run_id

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

    def wav_path(self, item: int) -> Path:
        return self.wav_dir / f"item-{item:02d}.wav"

    def codes_path(self, batch: int) -> Path:
        return self.codes_dir / f"batch-{batch:02d}.pt"

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

    def to_attic(self, names: tuple[str, ...]) -> Path:
        """Move generated outputs aside (never delete samples): out/attic/<time>/."""
        attic = self.out / "attic" / time.strftime("%Y%m%d-%H%M%S")
        attic.mkdir(parents=True, exist_ok=True)
        for name in names:
            source = self.out / name
            if source.exists():
                shutil.move(str(source), attic / name)
        return attic


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
