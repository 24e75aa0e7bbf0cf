"""A user's mistake: one clear line, exit code 2, no traceback, nothing created."""

from __future__ import annotations

from pathlib import Path

import pytest

from site_builder.cli import main


def files(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


def run_cli(root: Path, capsys, *args: str) -> tuple[int, str]:
    code = main(["--root", str(root), *args])
    return code, capsys.readouterr().err


@pytest.mark.parametrize("args, message", [
    (["--artist", "lucybel"],
     "error: unknown artist 'lucybel' (Jukebox v2 list); did you mean 'lucybell'?"),
    (["--artist", "lucybell", "--genres", "rokc"],
     "unknown genre 'rokc' in 'rokc' (Jukebox v2 list; Jukebox itself would silently use id 0); "
     "did you mean 'rock'?"),
    (["--artist", "lucybell", "--genres", "dark wave gothic post punk rock"],
     "6 genre words in one bag (dark wave gothic post punk rock): model tiny takes at most 5"),
    (["--artist", "joy_division", "--genres", "Dark Wave, Gothic, Coldwave, Hip Hop, Glitch Pop"],
     "unknown genre 'coldwave' in 'Coldwave'"),
    (["--artist", "joy_division", "--genres", "Dark Wave, Gothic, Coldwave, Hip Hop, Glitch Pop"],
     "unknown genre 'glitch' in 'Glitch Pop'"),
    (["--artist", "lucybell", "--levels", "4"], "levels: must be 1 (top level only), 2 or 3"),
    (["--artist", "lucybell", "--batch", "0"], "batch_size: must be greater than 0"),
    (["--artist", "lucybell", "--n", "0"], "command line: n_samples: must be greater than 0, got 0"),
    (["--artist", "lucybell", "--length", "-3"],
     "command line: sample_length_in_seconds: must be greater than 0, got -3.0"),
    (["--artist", "lucybell", "--length", "long"],
     "command line: sample_length_in_seconds: expected a number, got 'long'"),
    (["--artist", "lucybell", "--model", "7b"], "command line: model: must be one of tiny, 5b, 5b_lyrics, 1b_lyrics"),
    (["--artist", "lucybell", "--model", "1b_lyrics"],
     "unknown artist 'lucybell' (Jukebox v3 list) (it is in the tiny, 5b, 5b_lyrics list: MODEL=5b_lyrics)"),
    (["--artist", "lucybell", "--total-length", "30"],
     "total_sample_length_in_seconds=30: model tiny takes 60 to 600 s"),
    ([], "which run? give ARTIST=<name>"),
    (["--artist", "lucybell", "--run", "Lucy Bell"], "run id 'Lucy Bell': use lowercase letters"),
])
def test_bad_setting_fails_fast_and_creates_nothing(blog, capsys, args, message):
    before = files(blog)
    code, err = run_cli(blog, capsys, "post", *args)
    assert code == 2
    assert message in err
    assert "Traceback" not in err
    assert files(blog) == before


def test_typo_is_exactly_one_line(blog, capsys):
    code, err = run_cli(blog, capsys, "post", "--artist", "lucybel")
    assert code == 2
    assert err == "error: unknown artist 'lucybel' (Jukebox v2 list); did you mean 'lucybell'?\n"


def test_bad_toml_names_file_and_line(blog, capsys):
    run = blog / "runs" / "lucybell"
    run.mkdir(parents=True)
    (run / "experiment.toml").write_text('artist = "lucybell"\nseed = = 3\n')
    before = files(blog)
    code, err = run_cli(blog, capsys, "post", "--run", "lucybell")
    assert code == 2
    assert "runs/lucybell/experiment.toml:2:" in err and "TOML" in err
    assert files(blog) == before


def test_bad_yaml_names_file_and_line(blog, capsys):
    config = blog / "_config.yml"
    config.write_text(config.read_text() + "broken: [unclosed\n")
    code, err = run_cli(blog, capsys, "post", "--artist", "lucybell")
    assert code == 2
    assert "_config.yml:" in err and "YAML" in err
    assert "Traceback" not in err


@pytest.mark.parametrize("tail, message", [
    (b"stray: \x00\n", "control character U+0000 is not allowed in YAML; remove it"),
    (b"title: \xff\xfe\n", "not a text file (byte"),
])
def test_a_config_with_a_control_character_or_not_utf8_is_one_line(blog, capsys, tail, message):
    # A NUL gave PyYAML's two-line message; the line it is on is said.
    config = blog / "_config.yml"
    lines = config.read_bytes().count(b"\n")
    config.write_bytes(config.read_bytes() + tail)
    code, err = run_cli(blog, capsys, "site")
    assert code == 2 and len(err.splitlines()) == 1, err
    assert message in err and "_config.yml" in err
    if b"\x00" in tail:
        assert f"_config.yml:{lines + 1}:" in err
    assert not (blog / "_site").exists()


def test_a_line_break_in_an_sbatch_value_is_refused(blog, capsys):
    # It went into the batch script as is: the line after it ran as a shell command.
    config = blog / "_config.yml"
    config.write_text(config.read_text() + 'slurm:\n  partition: "gpu\\necho INJECTED"\n')
    code, err = run_cli(blog, capsys, "sample", "--artist", "lucybell", "--executor", "slurm")
    assert code == 2 and len(err.splitlines()) == 1, err
    assert "slurm.partition: must be one line" in err and "_config.yml:" in err
    assert not (blog / "runs").exists()


def test_unknown_setting_in_experiment_file(blog, capsys):
    run = blog / "runs" / "lucybell"
    run.mkdir(parents=True)
    (run / "experiment.toml").write_text('artist = "lucybell"\nsead = 3\n')
    code, err = run_cli(blog, capsys, "sample", "--run", "lucybell")
    assert code == 2
    assert "runs/lucybell/experiment.toml:2: sead: unknown setting; did you mean 'seed'?" in err


def test_real_model_without_checkpoints_says_which_file(blog, capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    code, err = run_cli(blog, capsys, "sample", "--artist", "lucybell", "--model", "5b",
                        "--length", "20")
    assert code == 2
    assert "checkpoint" in err and "5b/vqvae.pth.tar" in err
    assert not (blog / "runs" / "lucybell" / "out" / "wav").exists()


def test_artists_search(capsys, blog):
    assert main(["--root", str(blog), "artists", "--search", "joy"]) == 0
    out = capsys.readouterr().out.split()
    assert "joy_division" in out and all("joy" in name for name in out)


def test_genres_search(capsys, blog):
    assert main(["--root", str(blog), "genres", "--search", "wave"]) == 0
    assert capsys.readouterr().out.split() == ["wave"]


def test_site_mistakes_exit_2_with_one_line_each_and_keep_the_site(blog, capsys):
    (blog / "posts").mkdir(exist_ok=True)
    (blog / "posts" / "2021-01-01-fine.md").write_text("---\ntitle: Fine\n---\nHello.\n")
    assert run_cli(blog, capsys, "site")[0] == 0
    before = {p: p.read_bytes() for p in (blog / "_site").rglob("*") if p.is_file()}
    config = blog / "_config.yml"
    good = config.read_text()
    config.write_text(good + "timezone: Mars/Olympus\n")
    code, err = run_cli(blog, capsys, "site")
    assert code == 2 and err.count("\n") == 1 and "Traceback" not in err
    assert f"_config.yml:{good.count(chr(10)) + 1}: timezone: expected a time zone name such as Europe/Berlin (IANA's list), got 'Mars/Olympus'" in err
    config.write_text(good)
    (blog / "posts" / "2021-01-02-bad.md").write_text("---\ntitle: [unclosed\n---\nBody\n")
    code, err = run_cli(blog, capsys, "site")
    assert code == 2 and "posts/2021-01-02-bad.md:" in err and "malformed front matter" in err
    assert {p: p.read_bytes() for p in (blog / "_site").rglob("*") if p.is_file()} == before
