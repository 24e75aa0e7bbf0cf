"""`site-builder <command>`: what the Makefile calls. A thin layer over the stages;
a SiteBuilderError becomes one line on stderr and exit code 2 here, and only here.

Each stage command runs the stages before it first; each stage skips what is
already up to date, so `post` after `post` does no work.
"""

from __future__ import annotations

import argparse
import difflib
import logging
import re
import shutil
import sys
import time
from pathlib import Path

from site_builder import config
from site_builder.errors import BuildError, ConfigError, RunError, SiteBuilderError, disk_error
from site_builder.runs import Run, read_json

log = logging.getLogger("site_builder.cli")

# Command-line flag -> setting; what Make variables map onto (see Makefile).
SETTING_FLAGS = {
    "artist": "artist", "model": "model", "n": "n_samples", "length": "sample_length_in_seconds",
    "total_length": "total_sample_length_in_seconds", "seed": "seed", "genres": "genres",
    "temperature": "temperature", "executor": "executor", "publisher": "publisher",
    "levels": "levels", "batch": "batch_size", "import_from": "import_from", "gpu": "gpu",
}
STAGE_NAMES = {"sampling": "sample", "jobs": "job", "audio": "mp3", "publish": "publish",
               "analysis": "analyse", "collection": "collection",
               "checkpoints": "models", "local": "job", "slurm": "job", "record": "job",
               "posts": "post", "embeds": "fix-embeds", "site": "site", "serve": "serve", "cli": "site-builder"}


class Pending(Exception):
    """A cluster job is still working on the samples: later stages wait for it."""


class StageFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        module = record.name.rsplit(".", 1)[-1]
        return f"{STAGE_NAMES.get(module, module)}: {record.getMessage()}"


# -- resolving a run ---------------------------------------------------------------

def cli_settings(args: argparse.Namespace) -> dict:
    return {setting: getattr(args, flag) for flag, setting in SETTING_FLAGS.items()}


def open_run(args: argparse.Namespace) -> tuple[Path, dict, Run, dict]:
    """Find the run and resolve its settings; creates nothing, so a mistake leaves no trace."""
    from site_builder import sampling
    from site_builder.sampling.labels import normalise

    root = Path(args.root).resolve()
    site = config.load_site_config(root)
    run_id = args.run or (normalise(args.artist) if args.artist else None)
    if args.artist and not run_id:
        raise ConfigError(f"ARTIST={args.artist!r}: a run is named after its artist in letters "
                          f"a-z, digits and '_', and this name has none; name the run yourself "
                          f"(RUN=<id>, e.g. RUN=my-run) and check the artist's name in Jukebox's "
                          f"list (make artists SEARCH=...)")
    if not run_id:
        raise ConfigError("which run? give ARTIST=<name> (e.g. make post ARTIST=lucybell) or RUN=<run id>")
    run = Run(root, run_id, site["runs_dir"])
    experiment = config.load_toml(run.experiment_path) if run.experiment_path.exists() else {}
    settings = config.resolve(cli_settings(args), experiment, site,
                              experiment_path=str(run.experiment_path.relative_to(root)))
    if settings["import_from"] and args.n is None and "n_samples" not in experiment:
        from site_builder.sampling.adopt import source_files
        settings["n_samples"] = len(source_files(settings["import_from"]))
    sampling.validate(settings)
    if settings["batch_size"] == "auto":
        resolve_auto_batches(args, settings, read_json(run.settings_path, {}) or {})
    settings["models_dir"] = str((root / Path(site["models_dir"]).expanduser()).resolve())
    return root, site, run, settings


def resolve_auto_batches(args: argparse.Namespace, settings: dict, before: dict) -> None:
    """BATCH=auto (the released models' default): the largest batches the GPU's plan
    fits, chosen once and saved in experiment.toml like any batch size, so what a run
    is does not change later; a run sampled already keeps its batches."""
    from site_builder.sampling import MODELS, memory

    if isinstance(before.get("batch_size"), int):
        chosen = (before["batch_size"], before.get("upsampler_batch_size", 16))
    elif MODELS[settings["model"]].toy:
        chosen = (min(settings["n_samples"], 16), 16)
    else:
        try:
            gpu = planned_gpu(settings)
        except ConfigError:
            gpu = None
        chosen = memory.auto_batches(settings, gpu) if gpu else (3, 16)
        if not gpu:
            log.info("BATCH=auto without a GPU to plan for (GPU=...): sample.py's batches, 3 and 16")
    settings["batch_size"], settings["upsampler_batch_size"] = chosen
    args.batch = str(chosen[0])
    args.upsampler_batch = str(chosen[1])
    log.info("BATCH=auto: top prior %d, upsamplers %d", *chosen)


def planned_gpu(settings: dict) -> str:
    """GPU= / gpu setting, else the device present; a ConfigError when there is none."""
    if settings["gpu"]:
        return settings["gpu"]
    import torch
    if torch.cuda.is_available():
        return f"{torch.cuda.get_device_properties(0).total_memory / 2**30:.1f}GiB"
    raise ConfigError("no GPU here to plan for: name one, e.g. GPU=v100-16gb or GPU=24GiB")


def save_experiment(run: Run, args: argparse.Namespace, settings: dict) -> None:
    """Write the values given on the command line into experiment.toml, keeping the
    rest of the file (and its comments) as the user left it."""
    import tomlkit

    from site_builder.runs import write_text

    given = {s: settings[s] for s, v in cli_settings(args).items() if v is not None}
    if getattr(args, "upsampler_batch", None):
        given["upsampler_batch_size"] = settings["upsampler_batch_size"]
    if run.experiment_path.exists():
        doc = tomlkit.parse(run.experiment_path.read_text(encoding="utf-8"))
        if all(doc.get(k) == v for k, v in given.items()):
            return
    else:
        doc = tomlkit.document()
        doc.add(tomlkit.comment(f"Experiment {run.id}: what was asked for. Command-line values are "
                                f"saved here; edit freely."))
    for key, value in given.items():
        doc[key] = value
    write_text(run.experiment_path, tomlkit.dumps(doc))


# -- stages --------------------------------------------------------------------------

def stage_sample(args) -> tuple[Path, dict, Run, dict]:
    from site_builder import sampling
    from site_builder.posts import ensure_notes
    from site_builder.sampling import provenance

    root, site, run, settings = open_run(args)
    claim_run(run, settings, force=args.force)
    log.info("run %s: %s", run.id, sampling.describe(settings))
    if settings["import_from"]:
        from site_builder.sampling.adopt import adopt
        adopt(run, settings, settings["job"], force=args.force)
    else:
        work = sampling.plan(run, settings, force=args.force)  # may refuse: before any write
    save_experiment(run, args, settings)
    ensure_notes(run, settings["n_samples"])
    if settings["import_from"] or work:
        provenance.record_request(run, args.command, vars(args), settings)
    if not settings["import_from"]:
        sample = sample_on_slurm if settings["executor"] == "slurm" else sample_locally
        sample(run, site, settings, work, wait=args.wait)
    return root, site, run, settings


def claim_run(run: Run, settings: dict, *, force: bool) -> None:
    """This command's lock on the run (refused while another holds it); while a SLURM
    job works on the run, it is the lock for anything that would sample beside it."""
    from site_builder.jobs.lock import lock_run, slurm_job_in_flight
    lock_run(run)
    job = slurm_job_in_flight(run)
    if job and (force or settings["executor"] != "slurm" or settings["import_from"]):
        raise RunError(f"run {run.id!r} is in use by SLURM job {job} (squeue has it); wait for "
                       f"it (make status), or cancel it (scancel {job}), then run this again")


def sample_on_slurm(run: Run, site: dict, settings: dict, work, *, wait: bool) -> None:
    from site_builder import sampling
    from site_builder.jobs import slurm

    if not slurm.advance(run, site, settings, work, wait=wait):
        raise Pending(run.id)
    if sampling.plan(run, settings):
        raise SiteBuilderError(f"run {run.id!r}: item(s) still missing after the job; "
                               f"`make post RUN={run.id}` submits another")


def sample_locally(run: Run, site: dict, settings: dict, work, *, wait: bool) -> None:
    from site_builder import jobs, sampling
    from site_builder.jobs.lock import held

    say = logging.getLogger("site_builder.sampling").info
    items = work.items
    if not items:
        say("%s: all %d items sampled already, nothing to do", run.id, settings["n_samples"])
        return
    say("%s: sampling item(s) %s with the local executor", run.id, ", ".join(map(str, items)))
    record = jobs.run_local(run, sampling.worker_command(run, work.args()), items, held(run))
    logging.getLogger("site_builder.jobs").info(
        "%s: %s in %.1f s wall, %.1f s CPU, peak memory %.0f MiB -> %s", run.id, record["state"],
        record["wall_clock_seconds"], record["cpu_utilized_seconds"],
        record["memory_utilized_bytes"] / 2**20, run.job_path.relative_to(run.root))


def post_title(settings: dict) -> str:
    from site_builder.audio import display_name
    return f"Ancestral sampling conditioned on {display_name(settings['artist'])}"


def stage_mp3(args):
    from site_builder import audio
    root, site, run, settings = stage_sample(args)
    return (root, site, run, settings, audio.transcode(run, settings, post_title(settings), site))


def stage_analyse(args):
    from site_builder import analysis, publish
    root, site, run, settings, mp3s = stage_mp3(args)
    analysis.analyse(run, settings, publish.asset_dir(run, site))
    return root, site, run, settings, mp3s


def stage_publish(args):
    from site_builder import publish
    root, site, run, settings, mp3s = stage_analyse(args)
    publish.publish(run, settings, site, mp3s, dry_run=args.dry_run, sandbox=args.sandbox)
    return root, site, run, settings


def cmd_plan(args) -> None:
    """Print the run's memory plan; creates nothing (a plan that does not fit exits 2)."""
    from site_builder.sampling import memory

    _, _, run, settings = open_run(args)
    plan = memory.make_plan(settings, planned_gpu(settings))
    for line in plan.lines():
        print(line)
    if not plan.fits:
        raise memory.refusal(plan, settings)


def cmd_sample(args) -> None:
    stage_sample(args)


def cmd_mp3(args) -> None:
    stage_mp3(args)


def cmd_analyse(args) -> None:
    stage_analyse(args)


def cmd_publish(args) -> None:
    for run_id in (args.runs or "").split() or [args.run]:
        stage_publish(argparse.Namespace(**{**vars(args), "run": run_id}))


def cmd_post(args) -> None:
    """One run (sampled and published first, as needed) or RUNS: several finished runs."""
    from site_builder import posts
    if args.runs:
        root, site, runs = finished_runs(args)
    else:
        root, site, run, _ = stage_publish(args)
        runs = [run]
    existing = posts.find_post(root / site["posts_dir"], [r.id for r in runs])
    before = existing.read_bytes() if existing else None
    path = posts.write_post(root, site, runs, title=args.title, force=args.force)
    from site_builder.site.target import missing_post_defaults
    for warning in missing_post_defaults(root, site):
        logging.getLogger("site_builder.posts").warning("warning: %s", warning)
    try:
        build_site(root, site)
    except BuildError as exc:
        blamed = blame_post(str(exc), path, root, runs)
        if blamed == str(exc):
            raise
        # The new post does not build: the blog keeps the post it had (or none).
        if before is None:
            path.unlink()
        else:
            path.write_bytes(before)
        raise BuildError(blamed) from None


def blame_post(message: str, post: Path, root: Path, runs: list[Run]) -> str:
    """A build error in a generated post, pointed at notes.md where the line came from
    (the author's words are the only part of a post that is not ours), and saying the
    post was not written; other errors as they are."""
    from site_builder.posts import find_in_notes
    name = post.relative_to(root).as_posix() if post.is_relative_to(root) else str(post)
    lines = post.read_text(encoding="utf-8", errors="replace").splitlines()

    def one(error: str) -> str:
        found = re.match(re.escape(name) + r":(\d+):(.*)", error)
        if not found:
            return error
        number = int(found[1])
        source = find_in_notes(runs, lines[number - 1]) if 0 < number <= len(lines) else None
        where = f"{source[0].relative_to(root)}:{source[1]}" if source else f"{name}:{number}"
        return f"{where}:{found[2]} (the post {name} was not written)"

    return "\n".join(one(error) for error in message.splitlines())


def finished_runs(args) -> tuple[Path, dict, list[Run]]:
    """The runs RUNS names, each finished; refused before anything is written."""
    from site_builder import posts
    given = [flag for flag in (*SETTING_FLAGS, "run") if getattr(args, flag) is not None]
    if given:
        raise ConfigError(f"RUNS=... writes one post from runs already made, so it takes no run "
                          f"settings (got {', '.join(given)}); change a run with "
                          f"`make post RUN=<run> ...` first")
    root = Path(args.root).resolve()
    site = config.load_site_config(root)
    runs = [Run(root, run_id, site["runs_dir"]) for run_id in dict.fromkeys(args.runs.split())]
    for run in runs:
        if not run.dir.is_dir():
            known = [p.name for p in run.dir.parent.glob("*") if p.is_dir()]
            close = difflib.get_close_matches(run.id, known, n=1)
            hint = f"did you mean {close[0]!r}?" if close else "`make status` lists the runs"
            raise ConfigError(f"RUNS: no run {run.id!r} in {site['runs_dir']}/; {hint}")
    posts.require_finished(runs)
    return root, site, runs


def build_site(root: Path, site: dict) -> None:
    """Build this blog, unless posts go to another (Jekyll) blog: that one is Jekyll's."""
    from site_builder import site as site_module
    from site_builder.posts.files import shown
    posts_dir = (root / site["posts_dir"]).resolve()
    if not posts_dir.is_relative_to(root.resolve()):
        logging.getLogger("site_builder.site").info(
            "posts go to %s (posts_dir in _config.yml), outside this folder: build that blog "
            "with Jekyll (cd %s && jekyll build)", shown(posts_dir, root), shown(posts_dir.parent, root))
        return
    site_module.build(root, log=logging.getLogger("site_builder.site").info)


def cmd_posts(args) -> None:
    from site_builder import posts
    root = Path(args.root).resolve()
    site = config.load_site_config(root)
    if not posts.regenerate_all(root, site, force=args.force) and not posts.generated_posts(
            root / site["posts_dir"]):
        logging.getLogger("site_builder.posts").info(
            "no generated posts in %s/ (`make post ARTIST=<name>` writes one)", site["posts_dir"])


def cmd_blog(args) -> None:
    cmd_posts(args)
    root = Path(args.root).resolve()
    build_site(root, config.load_site_config(root))


def cmd_fix_embeds(args) -> None:
    from site_builder.posts.embeds import fix_embeds
    root = Path(args.root).resolve()
    fix_embeds(root, config.load_site_config(root), yes=args.yes,
               ask=confirm if sys.stdin.isatty() else None)


def confirm(question: str) -> bool:
    try:
        return input(question).strip().lower() in ("y", "yes")
    except EOFError:
        return False


def cmd_collection(args) -> None:
    from site_builder import collection
    root = Path(args.root).resolve()
    site = config.load_site_config(root)
    collection.write(root, site)
    build_site(root, site)


def cmd_site(args) -> None:
    from site_builder import site
    site.build(Path(args.root).resolve(), log=logging.getLogger("site_builder.site").info)


def cmd_build(args) -> None:
    """Jekyll's `jekyll build -s SOURCE -d DESTINATION --config a.yml,b.yml`."""
    from site_builder import site
    source = Path(args.source or args.root).resolve()
    files = [Path(f).resolve() for f in args.config.split(",")] if args.config else None
    site.build(source, out_dir=Path(args.destination).resolve() if args.destination else None,
               config_files=files, drafts=args.drafts, future=args.future, verbose=args.verbose,
               log=logging.getLogger("site_builder.site").info)


def cmd_serve(args) -> None:
    from site_builder import serve
    serve.serve(Path(args.source or args.root).resolve(), host=args.host, port=args.port,
                log=logging.getLogger("site_builder.serve").info)


def cmd_names(args) -> None:
    from site_builder.sampling import labels
    found = labels.search(args.kind, args.search or "", args.model or "tiny")
    for name in found:
        print(name)
    print(f"{len(found)} {args.kind}s{f' matching {args.search!r}' if args.search else ''} "
          f"in the {args.model or 'tiny'} model's list", file=sys.stderr)


def cmd_status(args) -> None:
    """One line per run: items made, and its cluster job while one is in flight."""
    from site_builder.jobs import slurm

    root = Path(args.root).resolve()
    site = config.load_site_config(root)
    runs_dir = root / site["runs_dir"]
    names = sorted(p.name for p in runs_dir.glob("*") if (p / "experiment.toml").exists())
    if not names:
        print(f"no runs in {site['runs_dir']}/ yet: make post ARTIST=<name> starts one")
    for name in names:
        run = Run(root, name, site["runs_dir"])
        settings = read_json(run.settings_path, {}) or {}
        wanted = settings.get("n_samples", 0)
        made = len([k for k in run.sampled_items() if k < wanted])
        print(f"{name:<24} {made}/{wanted} items  {slurm.status(run) or run_state(run, made, wanted)}")


def run_state(run: Run, made: int, wanted: int) -> str:
    if wanted and made == wanted:
        return "done"
    last = ((read_json(run.job_path, {}) or {}).get("jobs") or [{}])[-1]
    if last.get("state") not in (None, "COMPLETED"):
        return f"{last['state'].lower()} (job {last['job_id']}); `make post RUN={run.id}` says why or goes on"
    return "partial" if made else "not started"


def cmd_models(args) -> None:
    """Download the checkpoints a released model needs (on a machine with internet)."""
    from site_builder.sampling import checkpoints

    root = Path(args.root).resolve()
    site = config.load_site_config(root)
    model = args.model or (site.get(config.DEFAULTS_KEY) or {}).get("model") or "tiny"
    if model == "tiny":
        raise ConfigError("the tiny model has no checkpoints (random weights); "
                          "say which model: make models MODEL=5b")
    models_dir = (root / Path(site["models_dir"]).expanduser()).resolve()
    checkpoints.download(model, models_dir, site["checkpoint_url"])


def cmd_clean(args) -> None:
    """Derived files go; samples and codes stay unless --all."""
    root = Path(args.root).resolve()
    site = config.load_site_config(root)
    runs_dir = root / site["runs_dir"]
    names = [args.run] if args.run else sorted(p.name for p in runs_dir.glob("*") if p.is_dir())
    for name in names:
        run = Run(root, name, site["runs_dir"])
        if run.dir.is_dir():
            from site_builder.jobs.lock import lock_run
            lock_run(run)
        doomed = [run.out] if args.all else [run.mp3_dir, run.publish_path, run.stamps_path,
                                             run.out / "analysis.json"]
        for path in doomed:
            if path.is_dir():
                shutil.rmtree(path)
            else:
                path.unlink(missing_ok=True)
        log.info("cleaned %s%s", run.out.relative_to(root), " (everything)" if args.all else
                 " (MP3s and stamps; samples, codes and job.json kept)")
    shutil.rmtree(root / "_site", ignore_errors=True)
    shutil.rmtree(root / ".site-cache", ignore_errors=True)  # the site's build cache


# -- argument parsing ---------------------------------------------------------------

def add_run_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--artist", help="Jukebox artist name, e.g. lucybell")
    parser.add_argument("--run", help="run id (default: the artist's name)")
    parser.add_argument("--model", help="tiny, 5b, 5b_lyrics or 1b_lyrics")
    parser.add_argument("--n", help="number of items (n_samples)")
    parser.add_argument("--length", help="seconds per item (sample_length_in_seconds)")
    parser.add_argument("--total-length", help="seconds of the song the items start "
                                               "(total_sample_length_in_seconds)")
    parser.add_argument("--seed", help="item k is seeded from (seed, k)")
    parser.add_argument("--genres", help="genre bags, comma-separated: 'post punk, gothic'")
    parser.add_argument("--levels", help="1: top prior only; 3: upsampled to full quality")
    parser.add_argument("--batch", help="items the top prior samples together (batch_size), or auto")
    parser.add_argument("--gpu", help="the GPU to plan for: v100-16gb, h100-80gb, ... or 24GiB")
    parser.add_argument("--import-from", help="adopt the WAVs in this folder instead of sampling")
    parser.add_argument("--temperature", help="sampling temperature")
    parser.add_argument("--executor", help="local or slurm")
    parser.add_argument("--publisher", help="local or archive")
    parser.add_argument("--force", action="store_true",
                        help="allow discarding outputs (they are moved to out/attic/)")
    parser.add_argument("--wait", action="store_true",
                        help="with EXECUTOR=slurm: wait for the job, showing its progress")
    parser.add_argument("--dry-run", action="store_true",
                        help="with PUBLISHER=archive: show what would be sent, send nothing")
    parser.add_argument("--sandbox", action="store_true",
                        help="with PUBLISHER=archive: publish into archive.org's test_collection")
    parser.add_argument("--runs", help="publish, post: several runs, e.g. 'joy_division lucybell' "
                                       "(post: one post over runs already made)")
    parser.add_argument("--title", help="post: the post's title (kept on regeneration)")


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="site-builder", description=__doc__.splitlines()[0])
    top.add_argument("--root", default=".", help="the blog folder (default: here)")
    sub = top.add_subparsers(dest="command", required=True)
    for name, func, text in [
        ("plan", cmd_plan, "the memory plan: device and host memory per phase, steps, time"),
        ("sample", cmd_sample, "sample the run's missing items"),
        ("mp3", cmd_mp3, "sample, then transcode WAVs to tagged MP3s"),
        ("analyse", cmd_analyse, "... then measure loudness, silence, tuning, tempo; draw them"),
        ("publish", cmd_publish, "... then publish the MP3s"),
        ("post", cmd_post, "... then write the post and rebuild the site"),
    ]:
        p = sub.add_parser(name, help=text)
        add_run_options(p)
        p.set_defaults(func=func)
    sub.add_parser("site", help="build the blog into _site/").set_defaults(func=cmd_site)
    p = sub.add_parser("build", help="build a Jekyll blog as `jekyll build` does")
    p.add_argument("-s", "--source", help="the blog folder (default: here)")
    p.add_argument("-d", "--destination", help="the output folder (default: SOURCE/_site)")
    p.add_argument("--config", help="config files, comma-separated, later ones winning "
                   "(default: SOURCE/_config.yml)")
    p.add_argument("-D", "--drafts", action="store_true", help="build _drafts/ too")
    p.add_argument("--future", action="store_true", help="build posts dated in the future")
    p.add_argument("-V", "--verbose", action="store_true", help="list every file skipped, and why")
    p.set_defaults(func=cmd_build)
    for name, func, text in [
        ("posts", cmd_posts, "regenerate every generated post from its runs' outputs"),
        ("blog", cmd_blog, "posts, then site"),
    ]:
        p = sub.add_parser(name, help=text)
        p.add_argument("--force", action="store_true",
                       help="regenerate hand-edited posts too (their edited copy goes to the attic)")
        p.set_defaults(func=func)
    p = sub.add_parser("fix-embeds", help="archive.org /details/ iframes in posts -> the "
                       "/embed/ player: shows the diff, writes with --yes")
    p.add_argument("--yes", action="store_true", help="write the changes shown")
    p.set_defaults(func=cmd_fix_embeds)
    sub.add_parser("collection", help="write collection.md: every published run's players, "
                   "then build the site").set_defaults(func=cmd_collection)
    p = sub.add_parser("serve", help="build, serve _site/ on localhost, and rebuild and "
                       "reload on every change")
    p.add_argument("-s", "--source", help="the blog folder (default: here)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=4000)
    p.set_defaults(func=cmd_serve)
    for kind in ("artist", "genre"):
        p = sub.add_parser(kind + "s", help=f"list Jukebox {kind} names")
        p.add_argument("--search", help="only names containing this")
        p.add_argument("--model", help="whose list (default: tiny, i.e. v2)",
                       choices=list(config.MODELS))
        p.set_defaults(func=cmd_names, kind=kind)
    sub.add_parser("status", help="every run's state, and its cluster job").set_defaults(func=cmd_status)
    p = sub.add_parser("models", help="download a released model's checkpoints into models_dir")
    p.add_argument("--model", choices=[m for m in config.MODELS if m != "tiny"])
    p.set_defaults(func=cmd_models)
    p = sub.add_parser("clean", help="remove derived files (never samples, unless --all)")
    p.add_argument("--run", help="only this run")
    p.add_argument("--all", action="store_true", help="also samples, codes and job statistics")
    p.set_defaults(func=cmd_clean)
    return top


def main(argv: list[str] | None = None) -> int:
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(StageFormatter())
    logging.basicConfig(level=logging.INFO, handlers=[handler], force=True)
    args = parser().parse_args(argv)
    started = time.monotonic()
    try:
        args.func(args)
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
    finally:
        from site_builder.jobs.lock import release_all
        release_all()
    if args.command in ("sample", "mp3", "analyse", "publish", "post", "posts", "blog"):
        log.info("done in %.1f s", time.monotonic() - started)
    return 0
