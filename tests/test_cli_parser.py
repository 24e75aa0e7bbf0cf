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
