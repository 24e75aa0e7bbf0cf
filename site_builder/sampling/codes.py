"""Where a run's codes live, and reading them safely.

    out/codes/item-NN-level-L.pt   item NN's finished codes at level L (a 1-D tensor)
    out/codes/top-NN.pt            a top-prior group in progress (first item NN)
    out/codes/up-NN.pt             an upsampler group in progress (first item NN)
    out/codes/layout.json          {"sampling_version": 2}: runs without it predate
                                   per-item streams (their batches were seeded per batch)

Codes are read with `torch.load(weights_only=True)`: a codes file never unpickles
anything but tensors and plain data. A damaged item file goes to the run's attic and
that level of the item is sampled again, with one line saying so.
"""

from __future__ import annotations

from pathlib import Path

from site_builder.logs import stage_log
from site_builder.runs import Run, atomic_path, read_json, write_json

SAMPLING_VERSION = 2
log = stage_log("sample")


def item_path(run: Run, item: int, level: int) -> Path:
    return run.codes_dir / f"item-{item:02d}-level-{level}.pt"


def group_path(run: Run, phase: str, items: list[int]) -> Path:
    return run.codes_dir / f"{phase}-{items[0]:02d}.pt"


def layout_path(run: Run) -> Path:
    return run.codes_dir / "layout.json"


def version(run: Run) -> int:
    """The sampling version the run's codes were made with (1: before per-item streams)."""
    layout = read_json(layout_path(run), None)
    if layout:
        return int(layout.get("sampling_version", 1))
    return 1 if any(run.codes_dir.glob("batch-*.pt")) or run.sampled_items() else SAMPLING_VERSION


def mark_version(run: Run) -> None:
    if not layout_path(run).exists():
        write_json(layout_path(run), {"sampling_version": SAMPLING_VERSION})


def has_level(run: Run, item: int, level: int) -> bool:
    return item_path(run, item, level).is_file()


def save_item(run: Run, item: int, level: int, codes) -> None:
    import torch
    with atomic_path(item_path(run, item, level)) as tmp:
        torch.save(codes.detach().cpu().clone(), tmp)


def load_item(run: Run, item: int, level: int, say=None):
    """Item's codes at a level, or None when the file is missing or damaged (a damaged
    one is moved to the attic, and said so)."""
    import torch
    path = item_path(run, item, level)
    if not path.is_file():
        return None
    try:
        codes = torch.load(path, map_location="cpu", weights_only=True)
        if not isinstance(codes, torch.Tensor) or codes.dim() != 1 or codes.dtype != torch.long:
            raise ValueError("not a 1-D tensor of codes")
    except Exception as exc:   # truncated zip, bad pickle, wrong content: all the same to a user
        moved = to_attic(run, path)
        line = (f"{path.relative_to(run.dir)}: damaged ({str(exc).splitlines()[0][:80]}); moved to "
                f"{moved.relative_to(run.dir)}, level {level} of item {item} is sampled again")
        (say or log.warning)(line)
        return None
    return codes


def to_attic(run: Run, path: Path) -> Path:
    return run.to_attic([path]) / path.relative_to(run.out)
