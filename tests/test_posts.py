"""Posts over runs, fast: the example post's two runs as finished run folders (their
outputs written here, no sampling), through the real CLI in-process."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from conftest import snapshot
from jekyll_corpus import EXAMPLE, EXAMPLE_NAME

from site_builder.cli import main
from site_builder.posts.notes import fits_a_cell

GB = 1024 ** 3
# The example post's two jobs, as seff printed them.
JOY_DIVISION = {"nodes": 1, "cores_per_node": 6, "cpu_utilized_seconds": 53731, "wall_clock_seconds": 53995,
                "memory_utilized_bytes": round(23.10 * GB), "gpu": {"name": "Tesla V100-SXM2-16GB", "count": 1}}
LUCYBELL = {"nodes": 1, "cores_per_node": 10, "cpu_utilized_seconds": 29134, "wall_clock_seconds": 29112,
            "memory_utilized_bytes": round(31.02 * GB), "gpu": {"name": "Tesla V100-SXM2-16GB", "count": 1}}


def write_json(path: Path, data) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2))


def figures(k: int) -> dict:
    quiet = 0.62 if k == 12 else 0.0
    return {"duration_seconds": 60.0, "loudness_lufs": -14.0 - k / 10, "peak_dbfs": -1.0,
            "silence": {"share": quiet, "longest_seconds": 21.5 if quiet else 0.0},
            "tuning": {"offset_cents": 3.0, "drift_cents": 4.0}, "tempo_bpm": 120.0}


def finished_run(root: Path, run_id: str, n: int, job: dict, genres: list[str],
                 archive: bool = False) -> Path:
    """A run folder as `make publish` leaves it (an imported 5b run, like the example's)."""
    run = root / "runs" / run_id
    write_json(run / "out/settings.json", {
        "artist": run_id, "model": "5b", "genres": genres, "n_samples": n,
        "sample_length_in_seconds": 60.0, "total_sample_length_in_seconds": 180.0, "seed": 0,
        "temperature": 0.98, "levels": 3, "import_from": f"~/jukebox/{run_id}/level_0"})
    write_json(run / "out/job.json", {**job, "state": "COMPLETED", "host": "", "jobs": [{}]})
    write_json(run / "out/analysis.json", {"items": {str(k): figures(k) for k in range(n)}})
    ident = f"ancestral-sampling-by-artist-{run_id.replace('_', '-')}"
    items = [{"item": k, "file": f"item-{k:02d}.mp3",
              "url": f"https://archive.org/download/{ident}/item-{k:02d}.mp3" if archive
              else f"/assets/runs/{run_id}/item-{k:02d}.mp3"} for k in range(n)]
    write_json(run / "out/publish.json", {"items": items, **({
        "embed": f"https://archive.org/embed/{ident}&playlist=1",
        "details": f"https://archive.org/details/{ident}"} if archive else {})})
    for k in range(n):
        for kind in ("wav", "mp3"):
            (run / "out" / kind).mkdir(parents=True, exist_ok=True)
            (run / "out" / kind / f"item-{k:02d}.{kind}").write_bytes(b"")
    return run


@pytest.fixture
def example(blog: Path) -> Path:
    jd = finished_run(blog, "joy_division", 16, JOY_DIVISION, ["Dark Wave", "Gothic", "Hip Hop"], archive=True)
    (jd / "notes.md").write_text("## item 2\n\nThe closest to Joy Division: the shout at the start.\n\n"
                                 "## item 12\n\nMostly silence.\n\nA strange part of the model.\n")
    finished_run(blog, "lucybell", 3, LUCYBELL, ["rock"])
    (blog / "runs/lucybell/notes.md").write_text("Guitar-driven ballads.\n\n## item 1\n\nA phantom choir.\n")
    return blog


def cli(root: Path, capsys, *args: str) -> tuple[int, str, str]:
    code = main(["--root", str(root), *args])
    out, err = capsys.readouterr()
    return code, out, err


def two_run_post(root: Path, capsys, *more: str) -> Path:
    code, _, err = cli(root, capsys, "post", "--runs", "joy_division lucybell", *more)
    assert code == 0, err
    (post,) = [p for p in (root / "posts").glob("*.md") if "joy" in p.name]
    return post


# -- what the post says --------------------------------------------------------------

def test_the_examples_figures_give_the_sentences_its_author_wrote_by_hand(example, capsys):
    body = two_run_post(example, capsys).read_text()
    for sentence in [
        "Joy Division has 5.33 times as many samples as Lucybell (16 against 3).",
        "Joy Division took 1.85 times as long as Lucybell (14:59:55 against 08:05:12 wall-clock).",
        "Per sample, Lucybell took 2.88 times as long as Joy Division (02:41:44 against 00:56:15).",
        "Lucybell used 1.34 times as much memory as Joy Division (31.02 GB against 23.10 GB).",
        "Joy Division's job had 6 cores per node, Lucybell's 10.",
    ]:
        assert sentence in body, sentence
    assert "| Joy Division | `5b` | 16 × 60.00 s | Dark Wave, Gothic, Hip Hop | n/a | n/a | 14:59:55 | 00:56:15 | 23.10 GB |" in body


def test_each_run_has_its_request_statistics_player_and_item_table(example, capsys):
    post = two_run_post(example, capsys, "--title", "Joy Division and Lucybell")
    text = post.read_text()
    assert post.name.endswith("-joy-division-and-lucybell.md")
    assert re.search(r"^runs: \[joy_division, lucybell\]$", text, re.M)
    assert "title: Joy Division and Lucybell\n" in text and "toy model" not in text.lower()
    asked = text.split("## What was asked, and what it cost\n")[1].split("## Joy Division\n")[0]
    ask_jd, ask_lb = asked.split("**Lucybell.**")
    assert "**Joy Division.** Ancestral sampling" in ask_jd
    assert "16 samples of 60.00 s each, sampled elsewhere and imported" in ask_jd
    assert "    Cores per node: 6\n" in ask_jd and "    GPU: 1 x Tesla V100-SXM2-16GB\n" in ask_jd
    assert "    Cores per node: 10\n" in ask_lb
    # The reason the costs may differ comes right after them, before the players.
    assert "Joy Division's job had 6 cores per node, Lucybell's 10." in ask_lb
    jd, lb = text.split("## Joy Division\n")[1].split("## Lucybell\n")
    assert jd.count('<iframe src="https://archive.org/embed/ancestral-sampling-by-artist-joy-division'
                    '&playlist=1"') == 1 and "<audio" not in jd
    assert lb.count("<audio controls preload=\"metadata\" src=\"{{ '/assets/runs/lucybell/") == 3
    assert len(re.findall(r"^\| \d+ \| ", jd, re.M)) == 16 and len(re.findall(r"^\| \d \| rock ", lb, re.M)) == 3
    assert "| 12 | Dark Wave | 60.00 s | -15.2 LUFS | 62% (21.5 s) | +3 ¢ (drift 4) | 120 bpm |" in jd
    assert jd.count('alt="waveform of item') == 16 and jd.count('alt="spectrogram of item') == 16
    # Notes: one line in its row, several lines under the table, all verbatim.
    assert "| The closest to Joy Division: the shout at the start. |" in jd
    assert "| see below |" in jd and "**item 12**\n\nMostly silence.\n\nA strange part of the model.\n" in jd
    assert "Guitar-driven ballads." in lb and "| A phantom choir. |" in lb


def test_notes_that_a_table_cell_would_change_go_under_the_table():
    assert fits_a_cell("Sounds like a fan, *loud* and `item 2`-ish | or not.")
    for note in ("two\nlines", "- a list", "1. a list", "> a quote", "# heading", "<div>x</div>", "---"):
        assert not fits_a_cell(note), note


def test_same_outputs_give_the_same_bytes_and_the_first_date_stays(example, capsys):
    post = two_run_post(example, capsys)
    first = post.read_text()
    notes = example / "runs/lucybell/notes.md"
    kept = notes.read_text()
    notes.write_text("Changed my mind.\n")
    assert cli(example, capsys, "posts")[0] == 0
    changed = post.read_text()
    assert "Changed my mind." in changed
    assert re.findall(r"^date: .*$", changed, re.M) == re.findall(r"^date: .*$", first, re.M)
    notes.write_text(kept)
    code, out, _ = cli(example, capsys, "posts")
    assert code == 0 and post.read_text() == first and "wrote" in out
    assert "is up to date" in cli(example, capsys, "posts")[1]


def test_a_generated_slug_never_takes_a_hand_written_posts_url(example, capsys):
    (example / "posts").mkdir()
    (example / "posts" / EXAMPLE_NAME).write_text(EXAMPLE)
    finished_run(example, "joy_division", 16, JOY_DIVISION, ["Gothic"], archive=True)
    code, _, err = cli(example, capsys, "post", "--runs", "joy_division")
    assert code == 0, err
    assert [p.name[11:] for p in sorted((example / "posts").iterdir())] == [
        "ancestral-sampling-joy-division.md", "ancestral-sampling-joy-division-2.md"]
    assert (example / "posts" / EXAMPLE_NAME).read_text() == EXAMPLE


# -- refusals: one line, exit 2, nothing written -----------------------------------

@pytest.mark.parametrize("remove, stage, why", [
    ("out", "sample", "no samples"),
    ("out/wav/item-02.wav", "sample", "2 of 3 samples"),
    ("out/mp3/item-00.mp3", "mp3", "no MP3s for every item"),
    ("out/analysis.json", "analyse", "no analysis of every item"),
    ("out/publish.json", "publish", "not every item published"),
])
def test_a_post_over_an_unfinished_run_says_what_to_run_and_writes_nothing(example, capsys, remove, stage, why):
    target = example / "runs/lucybell" / remove
    target.unlink() if target.is_file() else shutil.rmtree(target)
    before = snapshot(example)
    code, _, err = cli(example, capsys, "post", "--runs", "joy_division lucybell")
    assert code == 2 and "Traceback" not in err and len(err.splitlines()) == 1
    assert err == (f"error: run 'lucybell' has not finished: {why} ({stage} stage); run `make {stage} "
                   f"RUN=lucybell` (or `make post RUN=lucybell` for every stage), then this again\n")
    assert snapshot(example) == before


def test_a_cluster_job_in_flight_is_unfinished(example, capsys):
    (example / "runs/lucybell/out/slurm.json").write_text('{"job_id": "22", "recorded": false}')
    code, _, err = cli(example, capsys, "post", "--runs", "lucybell")
    assert code == 2 and "its cluster job 22 still in flight (make status follows it)" in err


@pytest.mark.parametrize("args, message", [
    (["--runs", "joy_division lucybel"], "RUNS: no run 'lucybel' in runs/; did you mean 'lucybell'?"),
    (["--runs", "joy_division Lucybell"], "run id 'Lucybell': use lowercase letters"),
    (["--runs", "joy_division lucybell", "--n", "5"], ("RUNS=... writes one post from runs already "
                                                       "made, so it takes no run settings (got N)")),
])
def test_bad_runs_are_refused_with_one_line(example, capsys, args, message):
    before = snapshot(example)
    code, _, err = cli(example, capsys, "post", *args)
    assert code == 2 and message in err and len(err.splitlines()) == 1
    assert snapshot(example) == before


def test_a_hand_edited_post_stops_posts_naming_it_until_forced(example, capsys):
    post = two_run_post(example, capsys)
    post.write_text(post.read_text().replace("Guitar-driven ballads.", "Guitar-driven ballads, I said."))
    code, _, err = cli(example, capsys, "posts")
    assert code == 2 and err == (
        f"error: posts/{post.name} was edited by hand since it was generated; move your words to "
        f"runs/<run>/notes.md, or FORCE=1 to regenerate it (your edited copy is then kept in "
        f"runs/joy_division/out/attic/)\n")
    assert "I said." in post.read_text()
    assert cli(example, capsys, "posts", "--force")[0] == 0
    assert "I said." not in post.read_text()
    (kept,) = (example / "runs/joy_division/out/attic").rglob(post.name)
    assert "I said." in kept.read_text()


# -- a fresh clone, fix-embeds -----------------------------------------------------

def test_on_a_fresh_clone_blog_keeps_the_posts_says_why_and_builds_the_site(example, capsys):
    post = two_run_post(example, capsys)
    before = post.read_bytes()
    for run in ("joy_division", "lucybell"):
        shutil.rmtree(example / "runs" / run / "out")
    code, out, err = cli(example, capsys, "blog")
    assert code == 0, err
    assert post.read_bytes() == before
    assert (f"post: kept posts/{post.name} as it is: run(s) joy_division, lucybell have no outputs "
            f"here (runs/<run>/out/ is not in git; `make post RUN=<run>` makes them)") in out
    assert (example / "_site" / post.stem[11:] / "index.html").exists()


def test_fix_embeds_shows_the_diff_and_writes_only_when_told(blog, capsys):
    (blog / "posts").mkdir()
    example = blog / "posts" / EXAMPLE_NAME
    example.write_text(EXAMPLE)
    code, out, _ = cli(blog, capsys, "fix-embeds")
    assert code == 0 and example.read_text() == EXAMPLE
    assert ("-  <iframe src=\"https://archive.org/details/ancestral-sampling-by-artist-joy-division#\"" in out
            and "+  <iframe src=\"https://archive.org/embed/ancestral-sampling-by-artist-joy-division"
                "&playlist=1\"" in out)
    assert "+<iframe src=\"https://archive.org/embed/ancestral-sampling-by-artist-lucybell&playlist=1\"" in out
    assert "2 iframe(s) in 1 post(s) would change; nothing written" in out
    code, out, _ = cli(blog, capsys, "fix-embeds", "--yes")
    fixed = example.read_text()
    assert code == 0 and "rewrote 2 iframe(s) in posts/" + EXAMPLE_NAME in out
    assert not re.search(r'<iframe src="https://archive.org/details/', fixed)
    assert fixed.replace("/embed/", "/details/").replace("&playlist=1", "#") == EXAMPLE
    assert "no archive.org /details/ iframes" in cli(blog, capsys, "fix-embeds")[1]


# -- the example's shape: introduction, ask, cost, players, table, listening, conclusion --

def test_a_posts_parts_come_in_the_examples_order_with_the_authors_words_verbatim(example, capsys):
    notes = example / "runs/lucybell/notes.md"
    notes.write_text("I know this band well: *my former band*.\n\n## item 1\n\nA phantom choir.\n\n"
                     "## listening\n\nAll three start the same way: a lead guitar or piano.\n\n"
                     "## conclusion\n\n**None of them sound very Lucybell.**\n")
    code, _, err = cli(example, capsys, "post", "--runs", "lucybell")
    assert code == 0, err
    (post,) = (example / "posts").glob("*-lucybell.md")
    body = post.read_text().split("\n---\n", 1)[1]
    order = ["I know this band well: *my former band*.", "Ancestral sampling of the Jukebox",
             "    Cores per node: 10", "| item | genres |", "| A phantom choir. |",
             "## Listening notes\n\nAll three start the same way: a lead guitar or piano.",
             "## Conclusion\n\n**None of them sound very Lucybell.**", "## How to reproduce"]
    at = [body.find(part) for part in order]
    assert -1 not in at and at == sorted(at), dict(zip(order, at))
    # The introduction opens the post, so the index card's excerpt is the author's.
    assert body.startswith("I know this band well")
    # Never rewritten.
    assert notes.read_text().startswith("I know this band well")


def test_a_post_over_several_runs_has_notes_of_its_own_outside_the_posts_and_the_site(example, capsys):
    post = two_run_post(example, capsys, "--title", "Joy Division and Lucybell")
    own = example / "notes" / "joy-division-and-lucybell.md"
    assert own.exists() and "## comparison" in own.read_text() and "## conclusion" in own.read_text()
    own.write_text("Two artists whose catalogue I know well.\n\n## comparison\n\nLucybell's items are "
                   "ballads; Joy Division's sound like other bands.\n\n## conclusion\n\n"
                   "**Close to the period and style, not memorised.**\n")
    code, _, err = cli(example, capsys, "posts")
    assert code == 0, err
    body = post.read_text().split("\n---\n", 1)[1]
    order = ["Two artists whose catalogue I know well.", "## What was asked, and what it cost",
             "| run | model |", "## Joy Division", "## Lucybell",
             "## Comparison\n\nLucybell's items are ballads", "## Conclusion\n\n**Close to the period",
             "## How to reproduce"]
    at = [body.find(part) for part in order]
    assert -1 not in at and at == sorted(at), dict(zip(order, at))
    # Only in this post: the runs' own posts do not carry it.
    code, _, err = cli(example, capsys, "post", "--runs", "lucybell")
    (single,) = (example / "posts").glob("*-ancestral-sampling-lucybell.md")
    assert "Two artists" not in single.read_text()
    assert not list((example / "posts").glob("*.md.*")) and not (example / "posts" / "notes").exists()
    assert own.read_text().startswith("Two artists")       # never rewritten
    assert not (example / "_site" / "notes").exists()      # not published


def test_how_to_reproduce_says_what_was_recorded_and_never_guesses(example, capsys):
    run = example / "runs/lucybell/out"
    settings = json.loads((run / "settings.json").read_text())   # sampled here, not imported
    (run / "settings.json").write_text(json.dumps({**settings, "import_from": ""}))
    (run / "reproduce.json").write_text(json.dumps({
        "recorded": "2020-11-02T10:00:00+0000", "command": "make post ARTIST=lucybell MODEL=5b",
        "experiment": 'model = "5b"\nartist = "lucybell"\n', "site_builder": "0.1.0",
        "commit": "0123456789abcdef0123456789abcdef01234567", "python": "3.11.7"}))
    (run / "environment.json").write_text(json.dumps({
        "jukebox_infer": "0.1.2", "torch": "2.5.1", "cuda": "12.4", "device": "cuda",
        "gpu": {"name": "Tesla V100-SXM2-16GB", "count": 1}, "host": "gpu-node-3",
        "checkpoints": [{"name": "vqvae", "file": "5b/vqvae.pth.tar", "bytes": 7 * GB,
                         "sha256": "ab" * 32}]}))
    code, _, err = cli(example, capsys, "post", "--runs", "lucybell")
    assert code == 0, err
    (post,) = (example / "posts").glob("*-lucybell.md")
    how = post.read_text().split("## How to reproduce\n")[1]
    assert "Sampled on 2020-11-02 with" in how and "make post ARTIST=lucybell MODEL=5b" in how
    assert '```toml\nmodel = "5b"\nartist = "lucybell"\n```' in how
    assert "jukebox-infer 0.1.2, torch 2.5.1" in how and "commit `0123456789ab`" in how
    assert "1 × Tesla V100-SXM2-16GB, CUDA 12.4, on `gpu-node-3`" in how
    assert f"`5b/vqvae.pth.tar` (7.00 GB, SHA-256 `{'ab' * 32}`)" in how
    # Nothing recorded (Joy Division's run): it says so, and shows its settings.
    post = two_run_post(example, capsys)
    jd = post.read_text().split("## How to reproduce\n")[1].split("### Lucybell")[0]
    assert "not recorded" in jd and 'artist = "joy_division"' in jd and "torch" not in jd and "seed" not in jd


def test_a_runs_cover_and_lyrics_go_into_its_post(example, capsys):
    run = example / "runs/lucybell"
    (run / "cover.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    settings = json.loads((run / "out/settings.json").read_text())
    settings.update(model="5b_lyrics", lyrics="Mil caminos\n\nuna luz")
    (run / "out/settings.json").write_text(json.dumps(settings))
    code, _, err = cli(example, capsys, "post", "--runs", "lucybell")
    assert code == 0, err
    (post,) = (example / "posts").glob("*-lucybell.md")
    text = post.read_text()
    assert "\ncover: assets/runs/lucybell/cover.jpg\n" in text and "\nauthor: site-builder\n" in text
    assert (example / "assets/runs/lucybell/cover.jpg").read_bytes() == (run / "cover.jpg").read_bytes()
    assert "The lyrics it was conditioned on:\n\n> Mil caminos  \n>\n> una luz\n" in text


def test_collection_on_a_fresh_clone_and_with_runs_lists_each_once(example, capsys):
    (example / "runs" / ".gitkeep").write_text("")
    code, _, err = cli(example, capsys, "collection")
    assert code == 0, err
    page = (example / "collection.md").read_text()
    assert "Every published run, 2 in all" in page and "3 items of 60 s" in page
    assert '<a href="/blog/collection/" aria-current="page">Collection</a>' in \
        (example / "_site/collection/index.html").read_text()


def test_an_imported_wav_of_another_length_than_declared_is_flagged(example, capsys):
    analysis = example / "runs/lucybell/out/analysis.json"
    data = json.loads(analysis.read_text())
    data["items"]["2"]["duration_seconds"] = 58.2
    analysis.write_text(json.dumps(data))
    code, _, err = cli(example, capsys, "post", "--runs", "lucybell")
    assert code == 0, err
    (post,) = (example / "posts").glob("*-lucybell.md")
    text = post.read_text()
    assert "| 2 | rock | 58.20 s (not 60 s as declared) |" in text and text.count("as declared") == 1


# -- make serve while writing up ---------------------------------------------------------

def test_serve_writes_the_posts_again_when_a_notes_file_is_saved(example, capsys):
    # A researcher writing notes.md under `make serve` saw nothing change: runs/ is not
    # watched, and only `make posts` put the words in.
    from site_builder.commands import _notes
    from site_builder.site.preview import Preview
    post = two_run_post(example, capsys)
    with Preview(example, port=0, settle=0, notes=_notes(example)).start(watch=False) as preview:
        (page,) = (example / "_site").rglob(f"{post.stem[11:]}/index.html")
        assert "heard at last" not in page.read_text()
        notes = example / "runs/lucybell/notes.md"
        notes.write_text(notes.read_text().replace("Guitar-driven ballads.",
                                                   "Guitar-driven ballads, heard at last."))
        for _ in range(6):   # settles, writes the posts, then the site sees them change
            preview.check()
        assert "heard at last" in post.read_text() and "heard at last" in page.read_text()
        assert preview.live.current()["error"] is None
