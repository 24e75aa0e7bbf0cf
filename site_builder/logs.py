"""One logging path. Each stage names itself where it is defined
(`log = stage_log("mp3")`), and the CLI prints every record as `<stage>: message`:
renaming a module changes nothing the user sees."""

from __future__ import annotations

import logging
import sys

PREFIX = "site_builder.stage."


def stage_log(stage: str) -> logging.Logger:
    """The logger of the stage the user knows as `stage` (sample, job, mp3, ...)."""
    return logging.getLogger(PREFIX + stage)


class StageFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return f"{record.name.removeprefix(PREFIX)}: {record.getMessage()}"


def setup() -> None:
    """Records to stdout as `<stage>: message` (the CLI calls this once)."""
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(StageFormatter())
    logging.basicConfig(level=logging.INFO, handlers=[handler], force=True)
