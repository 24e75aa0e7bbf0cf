"""Settings as declared in site_builder/schema.py: _config.yml checked at load time
(one line per problem, with its line), Make variables reaching the CLI without a
shell, per-command help, limits, and settings saved only when a stage succeeds."""

from __future__ import annotations

import os
import subprocess
import tomllib
from pathlib import Path

import pytest
from conftest import REPO, copy_blog, need_tool

from site_builder import docs
from site_builder.cli import main


def cli(root: Path, capsys, *args: str) -> tuple[int, str, str]:
    code = main(["--root", str(root), *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def make(root: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """The real Makefile, run against the blog in `root`."""
    need_tool("make")
    if not (REPO / ".venv" / ".installed").exists():
        pytest.skip("make install has not been run in the repository")
    return subprocess.run(["make", "--no-print-directory", "-f", str(REPO / "Makefile"), "-C",
                           str(root), *args], capture_output=True, text=True, timeout=120,
                          env=env or os.environ)


# -- _config.yml --------------------------------------------------------------------

@pytest.mark.parametrize("line, message", [
    ("baseurl: 42", "baseurl: expected text, got 42"),
    ("paginate: \"ten\"", "paginate: expected a whole number, got 'ten'"),
    ("paginate: ten", "paginate: expected a whole number, got 'ten'"),
    ("exclude: 7", "exclude: expected a list of text, e.g. [a, b], got 7"),
    ("post: 3", "post: expected a mapping of key: value (front matter of generated posts"),
    ("slurm:\n  tiem: '1:00:00'", "slurm.tiem: unknown key; did you mean 'time'?"),
    ("slurm:\n  gpus: two", "slurm.gpus: expected a whole number, got 'two'"),
    ("archive:\n  colection: x", "archive.colection: unknown key; did you mean 'collection'?"),
    ("audio:\n  vbr_quality: 11", "audio.vbr_quality: expected 0 (best) to 9, got 11"),
    ("experiment_defaults:\n  sead: 1", "experiment_defaults.sead: unknown key; did you mean 'seed'?"),
    ("post:\n  tgas: [a]", "post.tgas: unknown key; did you mean 'tags'?"),
])
def test_config_mistakes_are_one_line_with_file_and_line(blog, capsys, line, message):
    config = blog / "_config.yml"
    text = config.read_text()
    config.write_text(text + line + "\n")
    code, _, err = cli(blog, capsys, "site")
    assert code == 2 and "Traceback" not in err and len(err.splitlines()) == 1
    key_line = text.count("\n") + 1 + line.count("\n")
    assert err.startswith(f"error: {config}:{key_line}: {message}")


def test_every_config_mistake_is_reported_at_once(blog, capsys):
    config = blog / "_config.yml"
    config.write_text(config.read_text() + "paginate: ten\nexclude: 7\nslurm:\n  tiem: 1\n")
    code, _, err = cli(blog, capsys, "site")
    assert code == 2 and len(err.splitlines()) == 3


def test_theme_keys_at_the_top_level_and_in_post_pass(blog, capsys):
    config = blog / "_config.yml"
    config.write_text(config.read_text() + "twitter_username: someone\npost:\n  comments: true\n")
    (blog / "posts").mkdir()
    assert cli(blog, capsys, "site")[0] == 0


# -- Make ---------------------------------------------------------------------------

def test_bare_make_prints_help_with_targets_variables_and_examples(blog):
    result = make(blog)
    assert result.returncode == 0
    for text in ("targets:", "  post ", "  clean ", "settings", "  ARTIST ", "  LENGTH ",
                 "examples:", "make post ARTIST=lucybell"):
        assert text in result.stdout


def test_misspelled_make_variable_is_refused_with_a_suggestion(blog):
    result = make(blog, "post", "ARTIST=lucybell", "LENGHT=1")
    assert result.returncode == 2
    assert "error: unknown variable LENGHT; did you mean LENGTH?" in result.stderr
    assert not (blog / "runs").exists()


@pytest.mark.parametrize("variable", [
    "ARTIST=x'; touch PWNED; echo '",
    "ARTIST=x\"; touch PWNED; echo \"",
    "ARTIST=$(touch PWNED)",
    "RUN=`touch PWNED`",
    "PORT=`touch PWNED`4012",
    "TITLE='; touch PWNED; '",
])
def test_make_variables_never_reach_a_shell(blog, variable):
    target = "serve" if variable.startswith("PORT") else "post"
    result = make(blog, target, variable)
    assert result.returncode == 2, result.stdout + result.stderr
    assert not (blog / "PWNED").exists() and not (REPO / "PWNED").exists()
    assert "error:" in result.stderr and "Unterminated" not in result.stderr


def test_a_dollar_in_a_make_variable_reaches_the_cli_as_typed(blog):
    # make expands `$` in a command-line value when it exports it: TITLE='worth $100'
    # reached the post as "worth 00", and $(shell ...) ran a shell.
    result = make(blog, "sample", "ARTIST=lucy$1bell $(shell touch PWNED)")
    assert result.returncode == 2
    assert result.stderr.startswith("error: unknown artist 'lucy$1bell $(shell touch PWNED)'")
    assert not (blog / "PWNED").exists() and not (REPO / "PWNED").exists()


def test_an_apostrophe_in_an_artist_name_reaches_the_cli(blog):
    result = make(blog, "sample", "ARTIST=guns n' roses", "RUN=guns n' roses")
    assert result.returncode == 2
    assert result.stderr.startswith("error: run id \"guns n' roses\": use lowercase letters")
    assert "Unterminated" not in result.stderr and "sh:" not in result.stderr


def test_variables_from_the_environment_are_not_settings(blog):
    env = {**os.environ, "ARTIST": "lucybell", "N": "5"}
    result = make(blog, "sample", env=env)
    assert result.returncode == 2 and "which run?" in result.stderr


def test_make_site_says_how_to_list_what_it_skipped_and_lists_it(blog):
    # It said "--verbose lists them", which `make site` did not take.
    (blog / "notes.txt~").write_text("a backup\n")
    (blog / ".hidden").write_text("mine\n")
    plain = make(blog, "site")
    assert plain.returncode == 0, plain.stderr
    assert "skipped (make site VERBOSE=1 lists them)" in plain.stdout + plain.stderr
    listed = make(blog, "site", "VERBOSE=1")
    assert listed.returncode == 0, listed.stderr
    assert "skipped .hidden: its name starts with '.'" in listed.stdout + listed.stderr


def test_port_is_checked(blog):
    result = make(blog, "serve", "PORT=99999")
    assert result.returncode == 2
    assert result.stderr.splitlines()[0] == "error: PORT=99999: expected 0 to 65535"


def test_each_command_lists_only_its_own_options(capsys):
    with pytest.raises(SystemExit):
        main(["sample", "--help"])
    sample = capsys.readouterr().out
    assert "--length LENGTH" in sample and "(default: 3 (tiny), 60 (real models))" in sample
    assert "--title" not in sample and "--dry-run" not in sample and "--publisher" not in sample
    with pytest.raises(SystemExit):
        main(["serve", "--help"])
    serve = capsys.readouterr().out
    assert "--port PORT" in serve and "(default: 4000)" in serve and "--artist" not in serve


def test_generated_help_and_readme_tables_are_current():
    stale = [path.name for path, text in docs.generated().items()
             if path.read_text(encoding="utf-8") != text]
    assert not stale, f"{stale} out of date: run `python -m site_builder.docs`"


# -- limits ---------------------------------------------------------------------------

def test_n_is_limited_with_an_override_named(blog, capsys):
    code, out, err = cli(blog, capsys, "sample", "--artist", "lucybell", "--n", "100000")
    assert code == 2 and len(err.splitlines()) == 1 and len(err) < 200
    assert "MAX_N=100000" in err
    assert not (blog / "runs").exists()


def test_a_length_longer_than_the_song_names_both(blog, capsys):
    code, _, err = cli(blog, capsys, "sample", "--artist", "lucybell", "--length", "1000")
    assert code == 2 and "LENGTH" in err and "TOTAL_LENGTH" in err


# -- saved settings ---------------------------------------------------------------------

def test_failed_or_dry_run_saves_nothing(blog, capsys):
    """A failed publish with DRY_RUN=1 once saved publisher = "archive" (issue 16)."""
    code, _, err = cli(blog, capsys, "publish", "--artist", "lucybell", "--n", "0")
    assert code == 2 and not (blog / "runs" / "lucybell" / "experiment.toml").exists()
    code, _, err = cli(blog, capsys, "publish", "--artist", "lucybell", "--model", "5b",
                       "--batch", "3", "--publisher", "archive", "--dry-run")
    assert code == 2      # no checkpoints: sampling fails
    assert not (blog / "runs" / "lucybell" / "experiment.toml").exists()


@pytest.mark.slow
def test_settings_are_saved_by_the_stage_that_uses_them(pipeline, tmp_path, capsys):
    """The session's run was made with `post --artist lucybell --length 1 --n 2`."""
    saved = tomllib.loads((pipeline.run_dir / "experiment.toml").read_text())
    assert saved == {"artist": "lucybell", "n_samples": 2, "sample_length_in_seconds": 1.0}
    blog = copy_blog(pipeline, tmp_path / "blog")
    code, out, _ = cli(blog, capsys, "sample", "--run", "lucybell")
    assert code == 0
    assert out.splitlines()[0].endswith(
        "executor=local publisher=local (from runs/lucybell/experiment.toml: artist, n_samples, "
        "sample_length_in_seconds)")
    # Issue 16: a failed `make publish PUBLISHER=archive DRY_RUN=1` saved publisher = "archive",
    # and the next plain `make post` published to archive.org.
    before = (blog / "runs" / "lucybell" / "experiment.toml").read_text()
    code, _, err = cli(blog, capsys, "publish", "--run", "lucybell", "--publisher", "archive",
                       "--dry-run")
    assert code == 2 and "identifier_prefix is not set" in err
    assert (blog / "runs" / "lucybell" / "experiment.toml").read_text() == before


# -- make clean ---------------------------------------------------------------------------

def fake_run(blog: Path, run_id: str) -> Path:
    out = blog / "runs" / run_id / "out"
    for name in ("wav/item-00.wav", "codes/batch-00.pt", "mp3/item-00.mp3", "job.json",
                 "analysis.json", "stamps.json", "publish.json", "settings.json"):
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_text(name)
    (blog / "runs" / run_id / "experiment.toml").write_text(f'artist = "{run_id}"\n')
    return out


def tree(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()}


def test_clean_run_touches_only_that_run(blog, capsys):
    a, b = fake_run(blog, "a"), fake_run(blog, "b")
    (blog / "_site").mkdir()
    (blog / "_site" / "index.html").write_text("kept")
    before_b = tree(b)
    code, out, _ = cli(blog, capsys, "clean", "--run", "a")
    assert code == 0
    assert tree(a) == {"wav/item-00.wav", "codes/batch-00.pt", "job.json", "settings.json"}
    assert tree(b) == before_b and (blog / "_site" / "index.html").read_text() == "kept"


def test_clean_says_it_removed_the_built_site(blog, capsys):
    # It removed _site/ and .site-cache/ without a word: only the runs were named.
    fake_run(blog, "a")
    (blog / "_site").mkdir()
    (blog / "_site" / "index.html").write_text("built")
    code, out, err = cli(blog, capsys, "clean")
    assert code == 0 and not (blog / "_site").exists()
    assert "removed _site/ (`make site` builds the blog again)" in out + err


def test_clean_all_asks_and_keeps_job_figures_in_the_attic(blog, capsys):
    a = fake_run(blog, "a")
    before = tree(a)
    code, _, err = cli(blog, capsys, "clean", "--run", "a", "--all")    # stdin is no terminal
    assert code == 2 and "YES=1" in err and tree(a) == before
    code, out, _ = cli(blog, capsys, "clean", "--run", "a", "--all", "--yes")
    assert code == 0
    (kept,) = tree(a)
    assert kept.startswith("attic/") and kept.endswith("/job.json")
    assert (blog / "runs" / "a" / "experiment.toml").exists()
