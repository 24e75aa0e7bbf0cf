"""`site-builder` and `python -m site_builder`: the command line (cli.py), with
regular expressions compiled by earlier commands kept (compiled_patterns.py)."""

from site_builder import compiled_patterns


def main() -> int:
    compiled_patterns.install()   # before cli's imports compile theirs
    from site_builder.cli import main as command_line
    return command_line()


if __name__ == "__main__":
    raise SystemExit(main())
