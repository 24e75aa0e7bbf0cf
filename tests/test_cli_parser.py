"""The command line's parser when the command comes first: only that command's
parser is made (cli.parse), and what it reads, and what its errors and help say,
are the whole parser's."""

from __future__ import annotations

import contextlib
import io

import pytest

from site_builder import cli

ARGVS = (
    ["build", "-s", "blog", "-d", "out", "--config", "a.yml,b.yml", "--future"],
    ["site", "--verbose"],
    ["serve", "-s", "blog"],
    ["clean", "--run", "one"],
)


def _outcome(top, argv: list[str]) -> tuple:  # noqa: ANN001 (an ArgumentParser)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            found = vars(top.parse_args(argv))
        except SystemExit as exc:
            found = exc.code
    return found, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("argv", [*ARGVS, ["build", "--bogus"], ["build", "-s"], ["build", "-h"]])
def test_one_commands_parser_reads_and_says_what_the_whole_parser_does(argv: list[str]) -> None:
    alone = _outcome(cli.parser({argv[0]}, only_wanted=True), argv)
    whole = _outcome(cli.parser({argv[0]}), argv)
    assert alone == whole
    if argv == ["build", "--bogus"]:   # the top level's usage: every command
        assert "{plan,sample,mp3," in alone[2] and "unrecognized arguments" in alone[2]


def test_parse_reads_the_command_line_as_the_whole_parser() -> None:
    for argv in ARGVS:
        assert vars(cli.parse(argv)) == vars(cli.parser().parse_args(argv))


@pytest.mark.parametrize("environ", [
    {}, {"LANG": "C.UTF-8"}, {"LANG": "de_DE.UTF-8"}, {"LC_ALL": "fr_FR@euro", "LANG": "C"},
    {"LANGUAGE": "pt_BR:de", "LANG": "en_US.UTF-8"}, {"LC_MESSAGES": "POSIX"}])
def test_gettext_files_are_those_gettext_looks_for(environ: dict, monkeypatch) -> None:  # noqa: ANN001
    import gettext
    import os.path
    for name in cli.GETTEXT_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    looked: list[str] = []
    monkeypatch.setattr(os.path, "exists", lambda path: looked.append(path) and False)
    assert gettext.find("messages", "/somewhere", all=True) == []
    monkeypatch.undo()   # (the variables too: set again below)
    for name in cli.GETTEXT_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    assert cli._gettext_files("messages", "/somewhere") == looked


def test_argparse_words_are_gettexts_unless_it_has_none(tmp_path, monkeypatch) -> None:  # noqa: ANN001
    import argparse
    import gettext
    monkeypatch.setattr(argparse, "_", gettext.gettext)
    monkeypatch.setattr(argparse, "ngettext", gettext.ngettext)
    monkeypatch.setenv("LANGUAGE", "de")
    monkeypatch.setattr(gettext, "_localedirs", {"messages": str(tmp_path)})
    cli.untranslated()   # no translation there: the words as they are, gettext never asked
    assert argparse._ is str and argparse.ngettext("one", "many", 2) == "many"
    assert argparse.ngettext("one", "many", 1) == "one"
    monkeypatch.setattr(argparse, "_", gettext.gettext)
    (tmp_path / "de" / "LC_MESSAGES").mkdir(parents=True)
    (tmp_path / "de" / "LC_MESSAGES" / "messages.mo").write_bytes(b"")
    cli.untranslated()   # a translation: gettext's own
    assert argparse._ is gettext.gettext
