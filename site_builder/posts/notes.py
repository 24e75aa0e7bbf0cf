"""`runs/<run>/notes.md`: the author's words, carried into every regeneration verbatim.

Text before the first `## item k` heading is about the whole run; the text under
each heading is about that item. site-builder writes the file once, with empty
headings, and never again.
"""

from __future__ import annotations

import re
from pathlib import Path

from site_builder.runs import Run, write_text

ITEM_HEADING = re.compile(r"^#{1,6}[ \t]*item[ \t]+(\d+)[ \t]*$", re.I | re.M)
COMMENT = re.compile(r"<!--.*?-->", re.S)
# A line that Markdown reads as a block of its own (list, heading, quote, code,
# table, HTML block): such a note cannot sit in a table cell and stay what it is.
BLOCK_START = re.compile(r"^([-*+]\s|#|>|<|\d+\.\s|```|~~~|([-*_])(\s*\2){2,}\s*$)")


def notes_template(run: Run, n_samples: int) -> str:
    items = "".join(f"## item {k}\n\n" for k in range(n_samples))
    return (f"<!-- Your words about run {run.id}. Text before the first '## item' heading goes "
            f"at the top of the run's part of the post; each item's text goes in its row of the "
            f"table (or under it, when longer than a line). This file is yours: site-builder "
            f"never rewrites it. -->\n\n{items}")


def ensure_notes(run: Run, n_samples: int) -> None:
    if not run.notes_path.exists():
        write_text(run.notes_path, notes_template(run, n_samples))


def read_notes(run: Run) -> dict:
    """{"overall": text, "items": {k: text}}, each verbatim (stripped of our comment)."""
    if not run.notes_path.exists():
        return {"overall": "", "items": {}}
    text = COMMENT.sub("", run.notes_path.read_text(encoding="utf-8"))
    parts = ITEM_HEADING.split(text)
    items = {int(parts[i]): parts[i + 1].strip() for i in range(1, len(parts), 2)}
    return {"overall": parts[0].strip(), "items": items}


def find_in_notes(runs: list[Run], line: str) -> tuple[Path, int] | None:
    """The notes.md file and line that a generated post's `line` came from (notes are
    copied in verbatim: a whole line, or a table cell), so an error in it can be shown
    where the author can fix it; the longest notes line found in it wins."""
    best: tuple[int, Path, int] | None = None
    for run in runs:
        if not run.notes_path.exists():
            continue
        lines = run.notes_path.read_text(encoding="utf-8", errors="replace").splitlines()
        for number, text in enumerate(lines, start=1):
            text = cell(text.strip())
            if len(text) >= 3 and text in line and (best is None or len(text) > best[0]):
                best = (len(text), run.notes_path, number)
    return best and (best[1], best[2])


def fits_a_cell(note: str) -> bool:
    """One line of plain paragraph text: the table cell shows it as written. Anything
    else (several lines, a list, a quote...) goes under the table, verbatim."""
    return "\n" not in note and not BLOCK_START.match(note)


def cell(note: str) -> str:
    """A one-line note in a table cell: its `|` escaped, or it would end the cell
    (kramdown and our generator both show a backslash-escaped `|` as `|`)."""
    return note.replace("|", "\\|")
