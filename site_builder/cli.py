"""`site-builder <command>`: what the Makefile calls. Argument parsing and the error
boundary only: a SiteBuilderError becomes one line on stderr and exit code 2 here,
and only here. The work is in `pipeline` (the stages) and `commands` (the rest).
Before those load, the methods of the dataclasses a command defines come from kept
code (`dataclass_code`).

Options come from the declarations in `schema`. Make passes its variables in the
environment, never through a shell: SITE_BUILDER_VARS names the ones given on
make's command line, and each becomes its option here.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from site_builder import compiled_patterns, dataclass_code

dataclass_code.install()   # before the imports below (and the build's) make their dataclasses
from site_builder import commands, logs, schema  # noqa: E402
from site_builder.errors import (AlreadySaid, ConfigError, Pending,  # noqa: E402
                                 SiteBuilderError, disk_error)

log = logs.stage_log("site-builder")
TRUE, FALSE = ("1", "yes", "true"), ("0", "no", "false", "")

COMMANDS = {
    # name: (help, function)
    "plan": ("the memory plan: device and host memory per phase, steps, time", None),
    "sample": ("sample the run's missing items", None),
    "mp3": ("sample, then transcode WAVs to tagged MP3s", None),
    "analyse": ("... then measure loudness, silence, tuning, tempo; draw them", None),
    "publish": ("... then publish the MP3s", None),
    "post": ("... then write the post and rebuild the site", None),
    "site": ("build the blog into _site/", commands.site),
    "build": ("build a Jekyll blog as `jekyll build` does", commands.build),
    "posts": ("regenerate every generated post from its runs' outputs", commands.posts),
    "blog": ("posts, then site", commands.blog),
    "fix-embeds": ("archive.org /details/ iframes in posts -> the /embed/ player: shows the "
                   "diff, writes with --yes", commands.fix_embeds),
    "collection": ("write collection.md: every published run's players, then build the site",
                   commands.collection),
    "serve": ("build, serve _site/ on localhost, and rebuild and reload on every change",
              commands.serve),
    "artists": ("list Jukebox artist names", commands.names),
    "genres": ("list Jukebox genre words", commands.names),
    "status": ("every run's state, and its cluster job", commands.status),
    "models": ("download a released model's checkpoints into models_dir", commands.models),
    "clean": ("remove derived files (never samples, unless --all)", commands.clean),
}
MODEL_CHOICES = {"artists": "whose list (default: tiny, i.e. v2)",
                 "genres": "whose list (default: tiny, i.e. v2)",
                 "models": "which model's checkpoints"}


def add_options(parser: argparse.ArgumentParser, command: str) -> None:
    """The command's own options, from the schema, each with its Make variable and default."""
    if command in schema.SETTING_COMMANDS:
        for f in schema.FIELDS:
            if f.flag and (f.stage != "publish" or command in ("publish", "post")):
                default = f.shown_default()
                parser.add_argument(f"--{f.flag}", dest=f.name, metavar=f.make,
                                    help=f"{f.doc}" + (f" (default: {default})" if default else ""))
    if command in MODEL_CHOICES:
        models = [m for m in schema.MODEL_NAMES if command != "models" or m != "tiny"]
        parser.add_argument("--model", metavar="MODEL", help=f"{MODEL_CHOICES[command]}: "
                            f"{', '.join(models)}", choices=models)
    for option in schema.OPTIONS:
        if command not in option.commands:
            continue
        dest = option.flag.replace("-", "_")
        if option.switch:
            parser.add_argument(f"--{option.flag}", dest=dest, action="store_true", help=option.doc)
        else:
            shown = f" (default: {option.default})" if option.default is not None else ""
            parser.add_argument(f"--{option.flag}", dest=dest, metavar=option.make,
                                default=option.default, help=option.doc + shown)


def add_jekyll_options(parser: argparse.ArgumentParser, command: str) -> None:
    """`jekyll build` / `jekyll serve`'s own options: Jekyll's interface, not settings."""
    parser.add_argument("-s", "--source", help="the blog folder (default: here)")
    if command != "build":
        return
    parser.add_argument("-d", "--destination", help="the output folder (default: SOURCE/_site)")
    parser.add_argument("--config", help="config files, comma-separated, later ones winning "
                        "(default: SOURCE/_config.yml)")
    parser.add_argument("-D", "--drafts", action="store_true", help="build _drafts/ too")
    parser.add_argument("--future", action="store_true", help="build posts dated in the future")
    parser.add_argument("--strict_front_matter", action="store_true",
                        help="stop at front matter that does not read (default: a warning, "
                             "the file built without it, as Jekyll)")
    parser.add_argument("-V", "--verbose", action="store_true", help="list every file skipped, and why")


class Formatter(argparse.HelpFormatter):
    """argparse's, told the terminal's width as shutil.get_terminal_size() says it:
    argparse makes a formatter for every option added (to check its metavar), and
    its own asks shutil, whose import (with bz2 and lzma) was a millisecond of every
    command's start."""

    def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 24,
                 width: int | None = None) -> None:
        super().__init__(prog, indent_increment, max_help_position,
                         terminal_columns() - 2 if width is None else width)


def terminal_columns() -> int:
    """shutil.get_terminal_size().columns: $COLUMNS, else the terminal's (when
    $LINES is set too, as it reads both), else 80."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    try:
        lines = int(os.environ["LINES"])
    except (KeyError, ValueError):
        lines = 0
    if columns <= 0 or lines <= 0:
        try:
            size = os.get_terminal_size(sys.__stdout__.fileno())
        except (AttributeError, ValueError, OSError):
            size = os.terminal_size((80, 24))
        if columns <= 0:
            columns = size.columns or 80
    return columns


def parser(wanted: set[str] | None = None, *, only_wanted: bool = False) -> argparse.ArgumentParser:
    """Every command, with the options of those in `wanted` (default: all). Only the
    command being run needs its options: building all 18 commands' (~150 options) took
    a few milliseconds of every command's start. With `only_wanted`, the other commands
    are left out too, their names still in the usage (`parse` asks for it when the
    command comes first: no other command's parser can then be needed, nor the list of
    commands the top-level help and errors show): each parser cost a million
    instructions, most of them gettext looking for translations of argparse's words."""
    top = argparse.ArgumentParser(prog="site-builder", description="Sample, publish and write up "
                                  "Jukebox experiments; build the blog. `make help` shows the "
                                  "same commands as make targets.", formatter_class=Formatter)
    top.add_argument("--root", default=".", help="the blog folder (default: here)")
    every = "{" + ",".join(COMMANDS) + "}"   # argparse's own way of listing the choices
    sub = top.add_subparsers(dest="command", required=True, metavar=every if only_wanted else None)
    for name, (text, _) in COMMANDS.items():
        if only_wanted and name not in wanted:
            continue
        command = sub.add_parser(name, help=text, description=text, formatter_class=Formatter)
        if wanted is not None and name not in wanted:
            continue
        add_options(command, name)
        if name in ("build", "serve"):
            add_jekyll_options(command, name)
    return top


def subparser(top: argparse.ArgumentParser, command: str) -> argparse.ArgumentParser:
    action = next(a for a in top._actions if isinstance(a, argparse._SubParsersAction))
    return action.choices[command]


# -- Make's variables ---------------------------------------------------------------

def make_arguments(command: str, accepted: set[str], environ=os.environ) -> list[str]:
    """The options Make's command-line variables stand for (SITE_BUILDER_VARS names
    them; their values are in the environment, untouched by any shell, as typed in
    SITE_BUILDER_RAW_<name>, since make expands a `$` in the variable itself)."""
    names = environ.get("SITE_BUILDER_VARS", "").split()
    known = schema.make_variables()
    problems, argv = [], []
    for name in names:
        item = known.get(name)
        if item is None:
            import difflib   # here: only a mistyped variable needs it
            close = difflib.get_close_matches(name, known, n=1)
            problems.append(f"unknown variable {name}" + (f"; did you mean {close[0]}?" if close else
                                                          "; `make help` lists them"))
            continue
        value = environ.get(f"SITE_BUILDER_RAW_{name}", environ.get(name, ""))
        if isinstance(item, str) or value == "":
            continue
        if item.flag not in accepted:
            log.info("warning: %s does nothing for `make %s`", name, command)
            continue
        if getattr(item, "switch", False):
            if value.strip().lower() not in TRUE + FALSE:
                problems.append(f"{name}={value}: expected 1 (yes) or 0 (no)")
            elif value.strip().lower() in TRUE:
                argv.append(f"--{item.flag}")
        else:
            argv.append(f"--{item.flag}={value}")
    if problems:
        raise ConfigError("\n".join(problems))
    return argv


def untranslated() -> None:
    """argparse's words as they are, where gettext finds no translation of them
    (Python ships none): gettext looks again in each of argparse's calls, and imports
    locale in the first, 7 million instructions for the two parsers a command makes.
    The files it would look for depend on the language variables alone; they are
    kept with the compiled patterns, and only looked for here."""
    import gettext
    domain = gettext.textdomain()
    folder = gettext.bindtextdomain(domain)
    key = ("gettext files", domain, folder,
           *(os.environ.get(name) or "" for name in GETTEXT_VARIABLES))
    files = compiled_patterns.kept(key, lambda: "\n".join(_gettext_files(domain, folder)))
    if not any(os.path.exists(file) for file in files.split("\n") if file):
        argparse._ = str
        argparse.ngettext = lambda singular, plural, n: singular if n == 1 else plural


GETTEXT_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")


def _gettext_files(domain: str, folder: str) -> list[str]:
    """The translation files gettext.find(domain, folder) looks for, in its order."""
    import gettext
    languages = next((os.environ[name].split(":") for name in GETTEXT_VARIABLES
                      if os.environ.get(name)), [])
    if "C" not in languages:
        languages.append("C")
    expanded: list[str] = []
    for language in languages:
        expanded += [each for each in gettext._expand_lang(language) if each not in expanded]
    files = []
    for language in expanded:
        if language == "C":
            break
        files.append(os.path.join(folder, language, "LC_MESSAGES", f"{domain}.mo"))
    return files


def parse(argv: list[str]) -> argparse.Namespace:
    if argv and argv[0] in COMMANDS:
        top = parser({argv[0]}, only_wanted=True)
    else:
        top = parser({word for word in argv if word in COMMANDS} or None)
    args = top.parse_args(argv)
    if "SITE_BUILDER_VARS" in os.environ:
        sub = subparser(top, args.command)
        accepted = {a.option_strings[0][2:] for a in sub._actions if a.option_strings}
        extra = make_arguments(args.command, accepted)
        if extra:
            args = top.parse_args([*argv, *extra])
    return args


def given_settings(args: argparse.Namespace) -> dict:
    return {f.name: getattr(args, f.name) for f in schema.FIELDS
            if f.flag and getattr(args, f.name, None) is not None}


def options(args: argparse.Namespace) -> dict:
    """The non-setting options, converted and checked as the schema says."""
    result = {}
    for option in schema.OPTIONS:
        dest = option.flag.replace("-", "_")
        if not hasattr(args, dest):
            continue
        value = getattr(args, dest)
        if value is not None and not option.switch and option.convert is not schema.to_str:
            try:
                value = option.convert(value)
                problem = option.check(value) if option.check else None
            except ValueError as exc:
                problem = str(exc)
            if problem:
                raise ConfigError(f"{option.make}={getattr(args, dest)}: {problem}")
        result[dest] = value
    for name in ("model", "source", "destination", "config", "drafts", "future", "verbose",
                 "strict_front_matter"):
        result[name] = getattr(args, name, None)
    result["command"] = args.command
    return result


# -- the boundary ------------------------------------------------------------------

def dispatch(args: argparse.Namespace) -> None:
    root = Path(args.root).resolve()
    opts = options(args)
    if args.command in schema.SETTING_COMMANDS:
        from site_builder import pipeline   # the stages: not loaded to build a blog
        given = given_settings(args)
        if opts.get("runs"):
            if args.command == "post":
                pipeline.post_over_runs(root, opts["runs"], given, opts)
            else:
                for run_id in opts["runs"].split():
                    pipeline.run_stage(args.command, root, given, {**opts, "run": run_id})
        else:
            pipeline.run_stage(args.command, root, given, opts)
    else:
        COMMANDS[args.command][1](root, opts)


def main(argv: list[str] | None = None) -> int:
    logs.setup()
    started = time.monotonic()
    try:
        untranslated()
        args = parse(sys.argv[1:] if argv is None else argv)
        dispatch(args)
    except AlreadySaid:
        return 2
    except SiteBuilderError as exc:
        for line in str(exc).splitlines():
            print(f"error: {line}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted: everything finished before is kept; run the same command to go on",
              file=sys.stderr)
        return 130
    except Pending as pending:
        log.info("run %s is sampling on the cluster; run the same command again when it is done",
                 pending.args[0])
        return 0
    except OSError as exc:  # a full or read-only disk, a forbidden folder: one line
        error = disk_error(exc)
        if error is None:
            raise
        print(f"error: {error}", file=sys.stderr)
        return 2
    if args.command in (*schema.RUN_COMMANDS, "posts", "blog"):
        log.info("done in %.1f s", time.monotonic() - started)
    return 0
