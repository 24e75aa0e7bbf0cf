"""The stages in order, sharing one small context: the run, its settings, the site's
config and what the command line asked. Each stage runs the ones before it first,
and each skips what is already up to date, so `post` after `post` does no work.

Settings given on the command line are saved into the run's experiment.toml when
the stage that uses them succeeds (sampling settings once sampling has succeeded
or its cluster job is submitted, the publisher once publishing has), never on a
dry run: a failed or trial command leaves the run as it was.
"""

from __future__ import annotations

import difflib
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from site_builder import config, schema
from site_builder.errors import BuildError, ConfigError, Pending, RunError, SiteBuilderError
from site_builder.jobs.lock import Locks
from site_builder.logs import stage_log
from site_builder.runs import Run, item_list, read_json, write_text

log = stage_log("site-builder")


@dataclass
class Context:
    """What every stage of one command shares."""
    root: Path
    site: dict
    run: Run
    settings: dict
    given: dict[str, Any]                 # setting -> value, from the command line
    origin: dict[str, str]                # setting -> where its value came from
    options: dict[str, Any] = field(default_factory=dict)   # force, wait, dry_run, ...
    mp3s: list[Path] = field(default_factory=list)
    locks: Locks = field(default_factory=Locks)   # the run's, once a stage claims it

    def option(self, name: str) -> Any:
        return self.options.get(name)


# -- opening a run --------------------------------------------------------------------

def open_run(root: Path, given: dict[str, Any], options: dict[str, Any]) -> Context:
    """Find the run and resolve its settings; creates nothing, so a mistake leaves no trace."""
    from site_builder import sampling
    from site_builder.sampling.labels import normalise

    site = config.load_site_config(root)
    artist = given.get("artist")
    run_id = options.get("run") or (normalise(artist) if artist else None)
    if artist and not run_id:
        raise ConfigError(f"ARTIST={artist!r}: a run is named after its artist in letters "
                          f"a-z, digits and '_', and this name has none; name the run yourself "
                          f"(RUN=<id>, e.g. RUN=my-run) and check the artist's name in Jukebox's "
                          f"list (make artists SEARCH=...)")
    if not run_id:
        raise ConfigError("which run? give ARTIST=<name> (e.g. make post ARTIST=lucybell) or RUN=<run id>")
    run = Run(root, run_id, site["runs_dir"])
    path = run.experiment_path
    experiment = config.load_toml(path) if path.exists() else {}
    settings, origin = config.resolve(
        given, experiment, site, experiment_path=str(path.relative_to(root)),
        experiment_lines=config.toml_lines(path) if experiment else None)
    if settings["import_from"] and "n_samples" not in given and "n_samples" not in experiment:
        from site_builder.jobs.adopt import source_files
        settings["n_samples"] = len(source_files(settings["import_from"]))
    check_limits(settings, origin, options)
    sampling.validate(settings)
    context = Context(root, site, run, settings, given, origin, options)
    if settings["batch_size"] == "auto":
        resolve_auto_batches(context)
    settings["models_dir"] = str((root / Path(site["models_dir"]).expanduser()).resolve())
    return context


def resolve_auto_batches(context: Context) -> None:
    """BATCH=auto (the released models' default): the largest batches the GPU's plan
    fits, chosen once and saved in experiment.toml like any batch size, so what a run
    is does not change later; a run sampled already keeps its batches (for the same
    model: `make plan MODEL=5b` on a tiny run planned 5b at the tiny run's batch 1)."""
    from site_builder.models import MODELS
    from site_builder.sampling import memory

    settings = context.settings
    before = read_json(context.run.settings_path, {}) or {}
    # (samples of another model are not continued: refused, or discarded with FORCE=1)
    if isinstance(before.get("batch_size"), int) and before.get("model") == settings["model"]:
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
    context.given["batch_size"], context.given["upsampler_batch_size"] = chosen   # saved as given
    log.info("BATCH=auto: top prior %d, upsamplers %d", *chosen)


def planned_gpu(settings: dict) -> str:
    """GPU= / gpu setting, else the device present; a ConfigError when there is none."""
    if settings["gpu"]:
        return settings["gpu"]
    import torch
    if torch.cuda.is_available():
        return f"{torch.cuda.get_device_properties(0).total_memory / 2**30:.1f}GiB"
    raise ConfigError("no GPU here to plan for: name one, e.g. GPU=v100-16gb or GPU=24GiB")


def check_limits(settings: dict, origin: dict, options: dict) -> None:
    """Sanity limits that catch a typo before it costs anything (N=100000)."""
    limit = options.get("max_n") or schema.MAX_ITEMS
    n = settings["n_samples"]
    if n > limit:
        where = "N" if origin.get("n_samples") == "command line" else \
            f"n_samples (from {origin.get('n_samples')})"
        raise ConfigError(f"{where}={n}: more than {limit} items in one run is almost always a "
                          f"typo; if you mean it, also give MAX_N={n}")


def header(context: Context) -> str:
    """The line every stage command starts with: what will be made, where, and which
    values the run's experiment.toml decided."""
    from site_builder import sampling
    settings = context.settings
    experiment = str(context.run.experiment_path.relative_to(context.root))
    from_file = [name for name, source in context.origin.items()
                 if source == experiment and name not in ("job", "slurm")]
    note = f" (from {experiment}: {', '.join(from_file)})" if from_file else ""
    return (f"run {context.run.id}: {sampling.describe(settings)} executor={settings['executor']} "
            f"publisher={settings['publisher']}{note}")


def save_experiment(context: Context, stage: str) -> None:
    """Write the command line's values for `stage`'s settings into experiment.toml,
    keeping the rest of the file (and its comments) as the user left it."""
    import tomlkit

    run = context.run
    given = {name: context.settings[name] for name in context.given
             if schema.FIELD_BY_NAME[name].stage == stage}
    exists = run.experiment_path.exists()
    if not given and exists:
        return
    if exists:
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


# -- the stages -------------------------------------------------------------------------

def labels_normalise(artist: str) -> str:
    from site_builder.sampling.labels import normalise
    return normalise(artist)


def sample(context: Context) -> Context:
    from site_builder import sampling
    from site_builder.posts import ensure_notes

    run, settings = context.run, context.settings
    claim_run(context)
    log.info("%s", header(context))
    if settings["import_from"]:
        from site_builder.jobs.adopt import adopt
        adopt(run, settings, settings["job"], force=context.option("force"))
    else:
        work = sampling.plan(run, settings, force=context.option("force"))  # may refuse: before any write
    ensure_notes(run, settings["n_samples"])
    if settings["import_from"] or work:   # what a reader needs to make these samples again
        from site_builder.sampling import provenance
        given = dict(context.given)
        if run.id != labels_normalise(settings["artist"]):
            given["run"] = run.id
        provenance.record_request(run, provenance.command_stage(sys.argv[1:]), given, settings)
    if not settings["import_from"]:
        executor = sample_on_slurm if settings["executor"] == "slurm" else sample_locally
        try:
            executor(context, work)
        except Pending:
            save_experiment(context, "sample")   # submitted: the job is this run's now
            raise
    save_experiment(context, "sample")
    return context


def claim_run(context: Context) -> None:
    """This command's lock on the run (refused while another holds it); while a SLURM
    job works on the run, it is the lock for anything that would sample beside it."""
    from site_builder.jobs.lock import slurm_job_in_flight
    run, settings = context.run, context.settings
    context.locks.take(run)
    job = slurm_job_in_flight(run)
    if job and (context.option("force") or settings["executor"] != "slurm"
                or settings["import_from"]):
        raise RunError(f"run {run.id!r} is in use by SLURM job {job} (squeue has it); wait for "
                       f"it (make status), or cancel it (scancel {job}), then run this again")


def sample_on_slurm(context: Context, work) -> None:
    from site_builder import sampling
    from site_builder.jobs import slurm

    run, settings = context.run, context.settings
    if not slurm.advance(run, context.site, settings, work, wait=context.option("wait")):
        raise Pending(run.id)
    if sampling.plan(run, settings):
        raise SiteBuilderError(f"run {run.id!r}: item(s) still missing after the job; "
                               f"`make post RUN={run.id}` submits another")


def sample_locally(context: Context, work) -> None:
    from site_builder import jobs, sampling

    run, settings = context.run, context.settings
    say = stage_log("sample").info
    items = work.items
    if not items:
        say("%s: all %d items sampled already, nothing to do", run.id, settings["n_samples"])
        return
    say("%s: sampling item(s) %s with the local executor", run.id, item_list(items))
    record = jobs.run_local(run, sampling.worker_command(run, work.args()), items, context.locks.held(run))
    stage_log("job").info(
        "%s: %s in %.1f s wall, %.1f s CPU, peak memory %.0f MiB -> %s", run.id, record["state"],
        record["wall_clock_seconds"], record["cpu_utilized_seconds"],
        record["memory_utilized_bytes"] / 2**20, run.job_path.relative_to(run.root))


def post_title(settings: dict) -> str:
    from site_builder.audio import display_name
    return schema.default_title([display_name(settings["artist"])])


def mp3(context: Context) -> Context:
    from site_builder import audio
    sample(context)
    context.mp3s = audio.transcode(context.run, context.settings, post_title(context.settings),
                                   context.site)
    return context


def analyse(context: Context) -> Context:
    from site_builder import analysis, publish
    mp3(context)
    analysis.analyse(context.run, context.settings, publish.asset_dir(context.run, context.site))
    return context


def publish(context: Context) -> Context:
    from site_builder import publish as publishing
    analyse(context)
    publishing.publish(context.run, context.settings, context.site, context.mp3s,
                       dry_run=context.option("dry_run"), sandbox=context.option("sandbox"),
                       post_link=post_link(context))
    if not context.option("dry_run"):
        save_experiment(context, "publish")
    return context


def post_link(context: Context) -> str | None:
    """The absolute URL the run's post has (or will have, written today), as the site
    builds it under its permalink; None without a `url` (archive.org needs it whole)."""
    from site_builder import posts, site
    if context.settings["publisher"] != "archive" or not (context.site.get("url") or "").strip():
        return None
    path, text = posts.post_file(context.root, context.site, [context.run], context.option("title"))
    return site.post_url(context.root, path, text, absolute=True)


def post(context: Context) -> Context:
    publish(context)
    write_and_build(context.root, context.site, [context.run], context.options)
    return context


def plan(context: Context) -> Context:
    """`make plan`: the run's memory plan; creates nothing (a plan that does not fit
    exits 2)."""
    from site_builder.sampling import memory
    plan = memory.make_plan(context.settings, planned_gpu(context.settings))
    for line in plan.lines():
        print(line)
    if not plan.fits:
        raise memory.refusal(plan, context.settings)
    return context


def warn_missing_post_defaults(root: Path, site: dict) -> None:
    from site_builder.site.target import missing_post_defaults
    for warning in missing_post_defaults(root, site):
        stage_log("post").warning("warning: %s", warning)


STAGES = {"plan": plan, "sample": sample, "mp3": mp3, "analyse": analyse, "publish": publish,
          "post": post}


def run_stage(command: str, root: Path, given: dict, options: dict) -> None:
    context = open_run(root, given, options)
    with context.locks:   # however the stage ends, the run is free again after it
        STAGES[command](context)


# -- several runs -----------------------------------------------------------------------

def finished_runs(root: Path, run_ids: str, given: dict, options: dict) -> tuple[dict, list[Run]]:
    """The runs RUNS names, each finished; refused before anything is written."""
    from site_builder import posts
    named = [schema.FIELD_BY_NAME[name].make for name in given] + (["RUN"] if options.get("run") else [])
    if named:
        raise ConfigError(f"RUNS=... writes one post from runs already made, so it takes no run "
                          f"settings (got {', '.join(named)}); change a run with "
                          f"`make post RUN=<run> ...` first")
    site = config.load_site_config(root)
    runs = [Run(root, run_id, site["runs_dir"]) for run_id in dict.fromkeys(run_ids.split())]
    for run in runs:
        if not run.dir.is_dir():
            known = [p.name for p in run.dir.parent.glob("*") if p.is_dir()]
            close = difflib.get_close_matches(run.id, known, n=1)
            hint = f"did you mean {close[0]!r}?" if close else "`make status` lists the runs"
            raise ConfigError(f"RUNS: no run {run.id!r} in {site['runs_dir']}/; {hint}")
    posts.require_finished(runs)
    return site, runs


def post_over_runs(root: Path, run_ids: str, given: dict, options: dict) -> None:
    site, runs = finished_runs(root, run_ids, given, options)
    write_and_build(root, site, runs, options)


def write_and_build(root: Path, site: dict, runs: list[Run], options: dict) -> None:
    """Write the post over `runs` and build the blog; a post that does not build is
    taken back (the blog keeps the post it had, or none) and the error points at
    notes.md, where the author's words came from."""
    from site_builder import posts
    existing = posts.find_post(root / site["posts_dir"], [r.id for r in runs])
    before = existing.read_bytes() if existing else None
    path = posts.write_post(root, site, runs, title=options.get("title"), force=options.get("force"))
    warn_missing_post_defaults(root, site)
    try:
        build_site(root, site)
    except BuildError as exc:
        blamed = blame_post(str(exc), path, root, runs)
        if blamed == str(exc):
            raise
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


def build_site(root: Path, site: dict) -> None:
    """Build this blog, unless posts go to another (Jekyll) blog: that one is Jekyll's."""
    from site_builder import site as site_module
    from site_builder.posts.files import shown
    posts_dir = (root / site["posts_dir"]).resolve()
    if not posts_dir.is_relative_to(root.resolve()):
        stage_log("site").info(
            "posts go to %s (posts_dir in _config.yml), outside this folder: build that blog "
            "with Jekyll (cd %s && jekyll build)", shown(posts_dir, root), shown(posts_dir.parent, root))
        return
    site_module.build(root, verbose_hint="make site VERBOSE=1")


def regenerate_posts(root: Path, force: bool) -> None:
    from site_builder import posts
    site = config.load_site_config(root)
    if not posts.regenerate_all(root, site, force=force) and not posts.generated_posts(
            root / site["posts_dir"]):
        stage_log("post").info(
            "no generated posts in %s/ (`make post ARTIST=<name>` writes one)", site["posts_dir"])
