"""The commands that are not stages of a run: the blog, listing names, status,
checkpoints, cleaning. Each takes the blog folder and the command's options."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from site_builder import config
from site_builder.errors import ConfigError, SiteBuilderError
from site_builder.logs import stage_log


# How a user of the Makefile lists what a build skipped (`make site` has no -V).
MAKE_SITE_VERBOSE = "make site VERBOSE=1"


def site(root: Path, options: dict) -> None:
    from site_builder import site as site_module
    site_module.build(root, verbose=options.get("verbose"), verbose_hint=MAKE_SITE_VERBOSE)


def build(root: Path, options: dict) -> None:
    """Jekyll's `jekyll build -s SOURCE -d DESTINATION --config a.yml,b.yml`."""
    from site_builder import site as site_module
    source = _source(root, options)
    files = [Path(f).resolve() for f in options["config"].split(",")] if options.get("config") else None
    destination = options.get("destination")
    if not options.get("source") and not files:
        moved = _config_source(source)
        if moved is not None:   # Jekyll's `source: src`: the config here, the site there
            files, destination = [source / "_config.yml"], destination or str(source / "_site")
            source = moved
    site_module.build(source, out_dir=Path(destination).resolve() if destination else None,
                      config_files=files, drafts=options.get("drafts"), future=options.get("future"),
                      verbose=options.get("verbose"),
                      strict_front_matter=options.get("strict_front_matter"))


def _source(root: Path, options: dict) -> Path:
    """The blog folder -s names (build and serve): a mistyped -s never makes a new
    folder with a site in it."""
    given = options.get("source") or root
    source = Path(given).resolve()
    if not source.is_dir():
        what = "a file, not a folder" if source.exists() else "no such folder"
        raise ConfigError(f"-s {given}: {what}; give the blog's folder (the one with "
                          f"_config.yml)")
    return source


def _config_source(root: Path) -> Path | None:
    """The folder `source:` in root's _config.yml names, as `jekyll build` run there
    reads it (twbs/blog keeps its site in src/); None without one."""
    path = root / "_config.yml"
    if not path.is_file():
        return None
    import yaml
    try:
        found = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("source")
    except (yaml.YAMLError, AttributeError, UnicodeDecodeError):
        return None   # the build reads it again and says what is wrong
    if not found:
        return None
    moved = root / str(found)
    if not isinstance(found, str) or "\0" in found or not moved.is_dir():
        raise ConfigError(f"_config.yml: source: {found!r}: no such folder; give the folder "
                          f"that holds the site, or remove the line")
    moved = moved.resolve()
    return None if moved == root.resolve() else moved


def posts(root: Path, options: dict) -> None:
    from site_builder import pipeline
    pipeline.regenerate_posts(root, force=options.get("force"))


def blog(root: Path, options: dict) -> None:
    from site_builder import pipeline
    posts(root, options)
    pipeline.build_site(root, config.load_site_config(root))


def confirm(question: str) -> bool:
    try:
        return input(question).strip().lower() in ("y", "yes")
    except EOFError:
        return False


def fix_embeds(root: Path, options: dict) -> None:
    from site_builder.posts.embeds import fix_embeds as fix
    fix(root, config.load_site_config(root), yes=options.get("yes"),
        ask=confirm if sys.stdin.isatty() else None)


def collection(root: Path, options: dict) -> None:
    from site_builder import collection as collection_page
    site_config = config.load_site_config(root)
    from site_builder import pipeline
    collection_page.write(root, site_config)
    pipeline.build_site(root, site_config)


def serve(root: Path, options: dict) -> None:
    from site_builder.site.preview import serve as preview
    source = _source(root, options)
    files = out = None
    moved = None if options.get("source") else _config_source(source)
    if moved is not None:   # `source: src`, as `build` reads it: the site there, _site/ here
        files, out, source = [source / "_config.yml"], source / "_site", moved
    under_make = "SITE_BUILDER_VARS" in os.environ
    preview(source, host=options["host"], port=options["port"],
            verbose_hint=MAKE_SITE_VERBOSE if under_make else "site-builder build --verbose",
            notes=_notes(source) if moved is None else None, config_files=files, out_dir=out)


def _notes(root: Path):
    """For a blog of runs: its runs' notes.md and its posts' notes/*.md, and `make
    posts` to write the posts again from them (a researcher writing up what they hear
    sees the post change on save). None for any other blog."""
    try:
        site = config.load_site_config(root)
    except SiteBuilderError:
        return None   # the first build says what is wrong
    runs = root / site["runs_dir"]
    if not runs.is_dir():
        return None

    def files() -> list[Path]:
        return sorted(runs.glob("*/notes.md")) + sorted((root / "notes").glob("*.md"))

    def write_posts() -> None:
        from site_builder import pipeline
        pipeline.regenerate_posts(root, force=False)

    return files, write_posts


def names(root: Path, options: dict) -> None:
    from site_builder.sampling import labels
    kind = options["command"].removesuffix("s")
    model, search = options.get("model") or "tiny", options.get("search") or ""
    found = labels.search(kind, search, model)
    for name in found:
        print(name)
    print(f"{len(found)} {kind}s{f' matching {search!r}' if search else ''} "
          f"in the {model} model's list", file=sys.stderr)


def status(root: Path, options: dict) -> None:
    """One line per run: items made, and its cluster job while one is in flight."""
    from site_builder.runs import Run
    site_config = config.load_site_config(root)
    runs = Run.all(root, site_config["runs_dir"])
    if not runs:
        print(f"no runs in {site_config['runs_dir']}/ yet: make post ARTIST=<name> starts one")
    from site_builder.jobs import slurm
    for run in runs:
        state = run.stage_state()
        print(f"{run.id:<24} {state.made}/{state.wanted} items  "
              f"{slurm.status(run) or state.describe(run.id)}")


def models(root: Path, options: dict) -> None:
    """Download the checkpoints a released model needs (on a machine with internet),
    or convert a copy in the transformers format (FROM=)."""
    from site_builder.sampling import checkpoints, transformers_format

    site_config = config.load_site_config(root)
    model = options.get("model") or (site_config.get(config.DEFAULTS_KEY) or {}).get("model") or "tiny"
    if model == "tiny":
        raise ConfigError("the tiny model has no checkpoints (random weights); "
                          "say which model: make models MODEL=5b")
    models_dir = (root / Path(site_config["models_dir"]).expanduser()).resolve()
    if options.get("from"):
        transformers_format.convert(model, root / Path(options["from"]).expanduser(), models_dir)
        return
    checkpoints.download(model, models_dir, site_config["checkpoint_url"])


def clean(root: Path, options: dict) -> None:
    """Derived files go; samples and codes stay unless ALL=1, which asks first (or
    takes YES=1) and keeps job.json in the run's attic. RUN=x touches only run x."""
    from site_builder.runs import Run
    log = stage_log("clean")
    site_config = config.load_site_config(root)
    if options.get("run"):
        run = Run(root, options["run"], site_config["runs_dir"])
        if not run.dir.is_dir():
            raise ConfigError(f"RUN: no run {run.id!r} in {site_config['runs_dir']}/; "
                              f"`make status` lists the runs")
        runs = [run]
    else:
        runs = Run.all(root, site_config["runs_dir"], any_folder=True)
    if options.get("all") and not options.get("yes"):
        which = ", ".join(run.id for run in runs) or "no runs"
        question = f"delete the samples and codes of {which}? [y/N] "
        if not sys.stdin.isatty():
            raise ConfigError(f"ALL=1 deletes the samples and codes of {which}: give YES=1 as "
                              f"well to confirm (job.json is kept in each run's attic)")
        if not confirm(question):
            log.info("nothing deleted")
            return
    from site_builder.jobs.lock import Locks
    with Locks() as locks:
        for run in runs:
            if run.dir.is_dir():
                locks.take(run)
            if options.get("all"):
                attic = run.clean_all()
                log.info("cleaned %s (everything; job.json kept in %s)", run.out.relative_to(root),
                         attic.relative_to(root) if attic else "no job.json")
            else:
                run.clean_derived()
                log.info("cleaned %s (MP3s, analysis and stamps; samples, codes and job.json kept)",
                         run.out.relative_to(root))
    if not options.get("run"):
        gone = [name for name in ("_site", ".site-cache") if (root / name).exists()]
        import shutil   # (here: a build needs none of it)
        shutil.rmtree(root / "_site", ignore_errors=True)
        shutil.rmtree(root / ".site-cache", ignore_errors=True)  # the site's build cache
        if gone:
            log.info("removed %s (`make site` builds the blog again)",
                     " and ".join(f"{name}/" for name in gone))
