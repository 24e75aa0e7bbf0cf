"""The terminal's progress line while a level is sampled: tokens done of the level's
total, tokens per second and the time left, drawn in place (one line, rewritten).
When the output is not a terminal (a file, a pipe, a SLURM log) it draws nothing:
the per-level lines say enough there, and a log is not filled with redraws."""

from __future__ import annotations

import shutil
import time
from typing import TextIO

BAR = 20
REDRAW = 0.25    # seconds between redraws at most


def duration(seconds: float) -> str:
    seconds = max(0, int(round(seconds)))
    if seconds >= 3600:
        return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"
    if seconds >= 60:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds} s"


def text(label: str, level: str, done: int, total: int, tokens_per_second: float | None,
         seconds_left: float | None) -> str:
    """  items 0-2: top prior [#####---------------] 2480/8268 tokens (30%), 52 tokens/s, 1 min 51 s left"""
    share = min(max(done / total, 0.0), 1.0) if total else 1.0
    filled = int(share * BAR)
    rate = f", {tokens_per_second:.0f} tokens/s" if tokens_per_second is not None else ""
    left = f", {duration(seconds_left)} left" if seconds_left is not None else ""
    return f"  {label}: {level} [{'#' * filled}{'-' * (BAR - filled)}] {done}/{total} tokens ({share:.0%}){rate}{left}"


class ProgressLine:
    def __init__(self, stream: TextIO):
        self.stream = stream
        self.live = stream.isatty()
        self.drawn = False
        self.since: tuple | None = None    # (label, level, first seen at, positions then)
        self.shown = 0.0

    def update(self, label: str, level: str, window: str, done: int, total: int, items: int) -> None:
        """A level's progress: the rate is the level's own since it was first shown here
        (window starts included), so the time left holds over many windows."""
        now = time.monotonic()
        if self.since is None or self.since[:2] != (label, level):
            self.since = (label, level, now, done)
        elif now - self.shown < REDRAW:
            return
        self.shown = now
        elapsed, gained = now - self.since[2], done - self.since[3]
        per_item = gained / elapsed if elapsed > 0 and gained > 0 else None
        self.show(text(label, f"{level} {window}", done, total, per_item * items if per_item else None,
                       (total - done) / per_item if per_item else None))

    def show(self, line: str) -> None:
        if not self.live:
            return
        columns = shutil.get_terminal_size().columns - 1
        self.stream.write("\r" + line[:columns].ljust(columns))
        self.stream.flush()
        self.drawn = True

    def clear(self) -> None:
        """Before a line of its own is printed: the progress line goes."""
        if self.drawn:
            columns = shutil.get_terminal_size().columns - 1
            self.stream.write("\r" + " " * columns + "\r")
            self.drawn = False
