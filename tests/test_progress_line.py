"""The progress line while sampling: drawn in place on a terminal, nothing otherwise."""

from __future__ import annotations

import io

from site_builder.sampling import progress_line
from site_builder.sampling.progress_line import ProgressLine


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_line_says_tokens_rate_and_time_left():
    line = progress_line.text("items 0-2", "top prior window 2/5", 2480, 8268, 52.4, 111)
    assert line == ("  items 0-2: top prior window 2/5 [#####---------------] 2480/8268 tokens (30%), "
                    "52 tokens/s, 1 min 51 s left")
    assert progress_line.text("item 4", "upsampler 0", 10, 10, 3.0, 0).endswith("(100%), 3 tokens/s, 0 s left")
    assert progress_line.duration(2 * 3600 + 5 * 60 + 9) == "2 h 05 min"


def test_on_a_terminal_it_is_redrawn_in_place_and_cleared_before_a_line(monkeypatch):
    monkeypatch.setenv("COLUMNS", "60")
    out = Terminal()
    bar = ProgressLine(out)
    bar.show("  item 0: top prior [#---] 1/4 tokens")
    bar.show("  item 0: top prior [##--] 2/4 tokens")
    assert out.getvalue().count("\r") == 2 and "\n" not in out.getvalue()
    assert all(len(part) == 59 for part in out.getvalue().split("\r")[1:])   # padded: no leftovers
    bar.clear()
    assert out.getvalue().endswith("\r" + " " * 59 + "\r")
    bar.clear()                                                               # once is enough
    assert out.getvalue().count("\r") == 4


def test_the_rate_is_the_levels_since_it_was_first_shown(monkeypatch):
    clock = iter([100.0, 110.0, 110.1, 120.0])
    monkeypatch.setattr(progress_line.time, "monotonic", lambda: next(clock))
    monkeypatch.setenv("COLUMNS", "200")
    out = Terminal()
    bar = ProgressLine(out)
    bar.update("items 0-1", "upsampler 0", "window 1/9", 100, 1100, 2)
    assert out.getvalue().rstrip().endswith("100/1100 tokens (9%)")          # no rate yet
    bar.update("items 0-1", "upsampler 0", "window 2/9", 300, 1100, 2)
    assert out.getvalue().rstrip().endswith("300/1100 tokens (27%), 40 tokens/s, 40 s left")
    bar.update("items 0-1", "upsampler 0", "window 2/9", 301, 1100, 2)          # 0.1 s later: not redrawn
    assert out.getvalue().rstrip().endswith("40 s left")
    bar.update("items 0-1", "upsampler 1", "window 1/3", 50, 400, 2)          # another level: anew
    assert out.getvalue().rstrip().endswith("50/400 tokens (12%)")


def test_not_a_terminal_gets_nothing():
    out = io.StringIO()
    bar = ProgressLine(out)
    bar.show("  item 0: top prior [#---] 1/4 tokens")
    bar.clear()
    assert not bar.live and out.getvalue() == ""
