"""The author's words, kept verbatim.

A run's `runs/<run>/notes.md`:

    Text before the first heading below: the introduction (top of the run's part).
    ## item 3        a note about item 3 (in its table row, or under the table)
    ## listening     listening notes, after the players and the table
    ## conclusion    the conclusion, at the end of the run's part

A post over several runs also has its own `notes/<slug>.md` (beside posts_dir,
never inside it, excluded from the site):

    Text before the first heading: the post's introduction.
    ## comparison    after the table that compares the runs
    ## conclusion    the post's conclusion, at its end

site-builder writes each file once, with empty headings, and never again. A file
written before `## listening` and `## conclusion` existed reads as it always did.
"""

from __future__ import annotations

import re
from pathlib import Path

from site_builder.runs import Run, write_text

# The sections a run's notes may have besides its items, and a post's own notes.
RUN_SECTIONS = ("listening", "conclusion")
POST_SECTIONS = ("comparison", "conclusion")
COMMENT = re.compile(r"<!--.*?-->", re.S)
# A line that Markdown reads as a block of its own (list, heading, quote, code,
# table, HTML block): such a note cannot sit in a table cell and stay what it is.
BLOCK_START = re.compile(r"^([-*+]\s|#|>|<|\d+\.\s|```|~~~|([-*_])(\s*\2){2,}\s*$)")


def notes_template(run: Run, n_samples: int) -> str:
    items = "".join(f"## item {k}\n\n" for k in range(n_samples))
    return (f"<!-- Your words about run {run.id}, copied into its post as written. Text before "
            f"the first heading is the introduction (why you ran it, what you asked); each "
            f"'## item k' goes in that item's row of the table (or under it, when longer than "
            f"a line); '## listening' follows the players and the table (what you heard, "
            f"grouping items); '## conclusion' ends the run's part. This file is yours: "
            f"site-builder never rewrites it. -->\n\n{items}## listening\n\n## conclusion\n")


def post_notes_template(slug: str, run_ids: list[str]) -> str:
    return (f"<!-- Your words about the post {slug} (runs {', '.join(run_ids)}), copied into it "
            f"as written. Text before the first heading is the post's introduction; "
            f"'## comparison' follows the table comparing the runs; '## conclusion' ends the "
            f"post. Each run's own words stay in runs/<run>/notes.md. This file is yours: "
            f"site-builder never rewrites it. -->\n\n## comparison\n\n## conclusion\n")


def ensure_notes(run: Run, n_samples: int) -> None:
    if not run.notes_path.exists():
        write_text(run.notes_path, notes_template(run, n_samples))


def heading(names: tuple[str, ...]) -> re.Pattern:
    return re.compile(rf"^#{{1,6}}[ \t]*(item[ \t]+\d+|{'|'.join(names)})[ \t]*$", re.I | re.M)


def sections(path: Path, names: tuple[str, ...]) -> dict:
    """{"overall": text, "items": {k: text}, name: text...}, each verbatim (our
    comment stripped). Only the headings in `names` (and `## item k`) split the file:
    any other heading is part of the author's text."""
    found = {"overall": "", "items": {}, **dict.fromkeys(names, "")}
    if not path.exists():
        return found
    text = COMMENT.sub("", path.read_text(encoding="utf-8"))
    parts = heading(names).split(text)
    found["overall"] = parts[0].strip()
    for i in range(1, len(parts), 2):
        name, body = parts[i].lower(), parts[i + 1].strip()
        item = re.fullmatch(r"item[ \t]+(\d+)", name)
        if item:
            found["items"][int(item[1])] = body
        elif body:
            found[name] = (found[name] + "\n\n" + body).strip()
    return found


def read_notes(run: Run) -> dict:
    return sections(run.notes_path, RUN_SECTIONS)


def post_notes_path(root: Path, site: dict, slug: str) -> Path:
    """notes/<slug>.md beside the blog's config: tracked, outside posts_dir."""
    return root / "notes" / f"{slug}.md"


def ensure_post_notes(path: Path, slug: str, run_ids: list[str]) -> None:
    if not path.exists():
        write_text(path, post_notes_template(slug, run_ids))


def read_post_notes(path: Path) -> dict:
    return sections(path, POST_SECTIONS)


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
