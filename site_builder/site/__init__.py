"""The static site: a Jekyll-style blog folder -> `_site/`, the way Jekyll builds it.

Two phases, as in MkDocs's build: read and render first (posts through Liquid and
Markdown, outputs through the Liquid layouts of the theme or the blog), so a bad post
fails the build before anything is written, and every bad post is reported at once;
then write each file that changed by temp + rename, and remove stale ones last, so a
failed build leaves the last good site in place. What was rendered before comes from
`.site-cache/` (cache.py): a rebuild redoes only what changed. This package knows
nothing of runs: hand-written and generated posts build alike.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Callable

from site_builder.atomic import PART_SUFFIX, write_bytes
from site_builder.config import load_site_config
from site_builder.errors import BuildError, disk_error
from site_builder.frontmatter import load_yaml
from site_builder.logs import stage_log
from site_builder.site import ahead, cache, deferred, zone
from site_builder.site import on_disk as on_disk_record
from site_builder.site.links import Links
from site_builder.site.parallel import collections_paused, cores
from site_builder.site.outputs import Layouts, Warm, plan_jekyll, plan_site
from site_builder.site import reader
from site_builder.site.sources import (Memo, Post, apply_defaults, assign_urls, build_time,
                                       collection_kind, collection_order, label, newest_first,
                                       post_from_text, read_found, read_pages, site_time,
                                       uses_liquid)
from site_builder.site.sass import is_sass, sass_inputs
from site_builder.site.static import (SYNTAX_CSS, check_collisions, listed_static_files,
                                      static_files, syntax_css)
from site_builder.site.theme import LAYOUTS, include_folders, theme_folder
from site_builder.site.urls import absolute_url, relative_url

__all__ = ["BuildResult", "absolute_url", "build", "relative_url"]
deferred.install()   # before anything imports python-liquid
LOG = stage_log("site")   # the site stage's lines: `site: ...`


@dataclass(frozen=True)
class BuildResult:
    """What a build made: its counts, for the summary line and the callers."""

    posts: int      # posts in the site (unpublished, future and misnamed files not counted)
    pages: int      # HTML files in the site
    seconds: float
    out_dir: Path
    rendered: int = 0   # posts whose Liquid and Markdown were rendered (not from the cache)
    written: int = 0    # files written (generated or copied) because they changed
    removed: int = 0    # files removed because nothing makes them any more
    # post source -> (URL, content HTML; empty when this build did not need it)
    sources: dict = field(default_factory=dict, compare=False, repr=False)


@collections_paused()
@zone.zone_kept()
def build(root: Path, *, out_dir: Path | None = None, drafts: bool = False,
          future: bool = False, now: datetime | None = None, jobs: int | None = None,
          log: logging.Logger = LOG, config_files: list[Path] | None = None,
          verbose: bool = False, strict_front_matter: bool = False,
          verbose_hint: str = "--verbose") -> BuildResult:
    """Build the blog at `root` into `out_dir` (default `root/_site`), redoing only
    what changed since the last build (`.site-cache/`); raise BuildError naming every
    bad post, leaving the previous site untouched. Drafts (`_drafts/`) and posts dated
    after `now` are left out unless asked for, here or in the config. `verbose_hint`:
    how the caller's user asks for the skipped files' list."""
    started = time.perf_counter()
    root = Path(root)
    config, links = _full_config(root, config_files)
    if strict_front_matter:   # Jekyll's --strict_front_matter
        config["strict_front_matter"] = True
    out = Path(out_dir) if out_dir is not None else root / "_site"
    _check_out_dir(root, out, config)
    _check_timezone(config)
    _check_jekyll_2(config)
    cache_path = cache.location(root, out)
    old = cache.load(cache_path)
    if not old.outputs:   # a cold build: Markdown and Sass converted ahead meanwhile
        ahead.start(root, config, out, drafts=drafts or bool(config.get("show_drafts")),
                    jobs=jobs)
    try:
        memo = Memo(old.parsed, old.files, old.read_at, reader.lax_front_matter(root, config))
        posts, pages, inv = _sources(root, config, memo, out, links, drafts=drafts, future=future,
                                     now=now)
        theme = theme_folder(root, config, log)
        files = static_files(inv, root, config, log, theme)
        # A Jekyll blog's posts see site.static_files in their Liquid: their names count.
        listed = listed_static_files(inv, config, files) if theme is None else files
        base = _render_keys(root, posts + pages, config, sorted(listed) if theme is None else [])
        keys = cache.with_reads(base, old.reads)
        reads = {name: found for name, found in old.reads.items() if name in base}
        from site_builder.site.plugins import warn_unsupported
        warn_unsupported(root, config, log)
        plan, warm, jekyll, replan = _plan(root, config, posts, pages, files, links, theme, keys,
                                           old.deps, log, listed)
        if plan.written is not None:
            files = _settle_conflicts(files, plan, posts + pages, log)
        check_collisions(files, set(plan))
        on_disk, folders = on_disk_record.existing(out, old.folders)
        _check_strangers(root, out, old, {rel for rel in on_disk if rel not in plan and rel not in files})
        stale = [rel for rel in plan if not _intact(rel, plan[rel].key, old.outputs, on_disk)]
        try:
            rendered, results, rekeyed = _render(root, posts + pages, (base, keys, reads), config,
                                                 plan, stale, cache_path, out, jobs, warm, jekyll)
        except OSError as exc:  # a full or read-only disk while writing what was rendered
            raise disk_error(exc) or exc from None
        # An output of a blog's own layouts answers its text and whose content it read.
        texts = [r[0] if isinstance(r, tuple) else r for r in results]
        deps = {rel: r[1] for rel, r in zip(stale, results) if isinstance(r, tuple)}
        if rekeyed:   # documents that read others' HTML: the outputs' keys now cover it
            _rekey(plan, replan({**old.deps, **deps}))
        # Everything rendered: from here on nothing can fail for a post's sake.
        new = cache.Cache(parsed=memo.now, files=memo.files, read_at=old.read_at, reads=reads)
        try:
            written, removed = _write(out, plan, dict(zip(stale, texts)), files, old, new, on_disk,
                                      deps, folders)
            # A no-op build writes nothing, not even its time, unless files it read only
            # for being new can be trusted next time.
            if new != old or memo.racy:
                new.read_at = memo.read_at
                cache.save(cache_path, new)
        except OSError as exc:  # a full or read-only disk: each file is whole, old or new
            raise disk_error(exc) or exc from None
        result = BuildResult(posts=len(posts), pages=sum(rel.endswith(".html") for rel in plan),
                             seconds=time.perf_counter() - started, out_dir=out, rendered=rendered,
                             written=written, removed=removed,
                             sources={p.name: (p.url, p.content) for p in posts})
        _summarise(log, result, root, inv, len(pages), len(files), len(plan), verbose, verbose_hint)
        return result
    finally:
        ahead.stop()


def _full_config(root: Path, config_files: list[Path] | None) -> tuple[dict, Links]:
    """The blog's settings as its Liquid sees them (site.data included), and what its
    symbolic links may reach."""
    config = load_site_config(root, config_files)
    links = Links(root, config, LOG)
    # JEKYLL_ENV as Jekyll reads it (`jekyll.environment`); in the config, so that
    # changing it renders again what depends on the config.
    return {**config, "data": read_data(root, links),
            "_jekyll_environment": os.environ.get("JEKYLL_ENV") or "development"}, links


def _plan(root: Path, config: dict, posts: list[Post], pages: list[Post],
          files: dict[str, Path], links: Links, theme: Path | None, keys: dict[str, str],
          deps: dict, log: logging.Logger, listed: dict[str, Path]
          ):  # noqa: ANN202 (plan, warm-up, renderer, re-planner)
    """Every output file with its key and how to render it: through the blog's own
    layouts (`theme` None: they are its whole theme) or a theme's. Also what renders
    before the workers fork (`warm`), the JekyllRenderer of a blog with its own
    layouts (`listed`: the files its site.static_files lists), and how to plan again
    once documents' reads are known."""
    own = [root / "_layouts", root / "_includes", root / "_sass"]
    static = sorted(files)
    if theme is None:
        from site_builder.site.jekyll_layouts import JekyllRenderer
        theme_key = cache.digest(cache.files_digest(own), config)
        jekyll = JekyllRenderer(root, config, posts, pages, listed, links)

        def replan(found: dict) -> object:
            return plan_jekyll(posts, pages, keys, config, jekyll, theme_key, static, found)
        return replan(deps), Warm(lambda: jekyll, root, config, site=False), jekyll, replan
    # The theme's files and the blog's overrides; with overrides, any post's front
    # matter too (a layout of the blog's may list site.posts).
    overrides = any(folder.is_dir() for folder in own[:2])
    theme_key = cache.digest(cache.files_digest([*own, theme]), config, [
        (p.name, p.url, p.date, p.meta) for p in posts + pages] if overrides else None)
    layouts = Layouts(root, config, log, theme, lambda: _theme_renderer(
        root, config, posts, pages, files, links, theme))
    plan = plan_site(posts, pages, keys, config, layouts, theme_key)
    if SYNTAX_CSS not in files:
        plan.add(SYNTAX_CSS, cache.digest("syntax.css"), syntax_css, "the theme")
    return plan, layouts.warm, None, None


def _settle_conflicts(files: dict[str, Path], plan, documents: list[Post],  # noqa: ANN001
                      log: logging.Logger) -> dict[str, Path]:
    """Static files and rendered ones at one path, settled as Jekyll does, each said."""
    files = _static_conflicts(files, plan, {p.name for p in documents if p.kind != "pages"})
    for rel, kept, dropped in plan.conflicts:
        log.warning(f"warning: conflict: {dropped} and {kept} both write {rel}; {kept} "
                    f"is kept, as Jekyll writes it last (give one another permalink)")
    return files


def _summarise(log: logging.Logger, result: BuildResult, root: Path, inv: reader.Inventory,
               pages: int, files: int, planned: int, verbose: bool, hint: str) -> None:
    """The build's one line (and what was skipped, with --verbose)."""
    out = result.out_dir
    shown = out.relative_to(root) if out.is_relative_to(root) else out
    for rel, why in inv.skipped:
        if verbose:
            log.info(f"skipped {rel}: {why}")
        elif why == reader.MISNAMED:  # likely a mistake: said even without --verbose
            log.warning(f"warning: {rel}: skipped; posts are named YYYY-MM-DD-title.md")
    log.info(f"{_count(result.posts, 'post')} -> {shown}/ in {result.seconds:.2f} s "
             f"({_count(pages, 'page')}, {_count(files, 'file')} copied, "
             f"{len(inv.skipped)} skipped"
             f"{'' if verbose or not inv.skipped else f' ({hint} lists them)'}; "
             f"{result.rendered} rendered, {result.written} of {planned + files} files written"
             f"{f', {result.removed} removed' if result.removed else ''})")


def _static_conflicts(files: dict[str, Path], plan, documents: set[str]) -> dict[str, Path]:
    """A Jekyll blog's static file and a rendered file at one path: Jekyll writes pages,
    then static files, then documents, so a document wins over a static file and a
    static file over a page (noted in plan.conflicts)."""
    files = dict(files)
    for rel in sorted(set(files) & set(plan)):
        source = plan[rel].source
        if source in documents:
            files.pop(rel)
            plan.conflicts.append((rel, source, f"the static file {rel}"))
        else:
            plan.conflicts.append((rel, f"the static file {rel}", source))
            del plan[rel]
    return files


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _theme_renderer(root: Path, config: dict, posts: list[Post], pages: list[Post],
                    files: dict[str, Path], links: Links, theme: Path):  # noqa: ANN202
    from site_builder.site.jekyll_layouts import JekyllRenderer
    return JekyllRenderer(root, config, posts, pages, files, links, theme)


def post_url(root: Path, path: Path, text: str, *, absolute: bool = False) -> str:
    """The URL a build gives the post `text` at `path` (written or about to be): the
    blog's permalink, front matter defaults and baseurl applied, and with `absolute`
    its `url` too. What links to a post from outside the site uses this."""
    root = Path(root)
    config = load_site_config(root)
    name = path.relative_to(root).as_posix() if path.is_relative_to(root) else path.name
    post = post_from_text(path, name, text)
    if post is None:
        raise BuildError(f"{name}: published: false, so the site has no page for it")
    parts = Path(name).parts
    if "_posts" in parts:  # blog/_posts/x.md is in category blog, as the reader says
        post.path_categories = parts[:parts.index("_posts")]
    post.date = site_time(post.date, config)
    apply_defaults([post], config, "posts")
    assign_urls([post], config)
    return (absolute_url if absolute else relative_url)(config, post.url)


def read_data(root: Path, links: Links | None = None) -> dict:
    """`_data/` as site.data, folders nested: _data/authors.yml is site.data.authors,
    _data/team/people.json site.data.team.people (YAML, JSON, CSV and TSV, as Jekyll)."""
    return _read_data_folder(root / "_data", "_data", links or Links(root, {}, LOG))


def _read_data_folder(folder: Path, shown: str, links: Links) -> dict:
    import json

    import yaml

    data: dict = {}
    if not folder.is_dir():
        return data
    for path in sorted(folder.iterdir()):
        if path.name.startswith((".", "_", "#", "~")) or not links.readable(path):
            continue
        if path.is_dir():
            data[path.name] = _read_data_folder(path, f"{shown}/{path.name}", links)
            continue
        suffix = path.suffix.lower()
        try:
            text = path.read_text(encoding="utf-8")
            if suffix in (".yml", ".yaml"):
                data[path.stem] = load_yaml(text)
            elif suffix == ".json":
                data[path.stem] = json.loads(text)
            elif suffix in (".csv", ".tsv"):
                import csv   # (here: most blogs' data has none)
                # its lines as they are: a quoted field keeps the line breaks in it
                rows = csv.DictReader(text.splitlines(keepends=True),
                                      delimiter="," if suffix == ".csv" else "\t")
                # an empty field is nil to Ruby's CSV (false in Liquid), not ""
                data[path.stem] = [{k: v if v != "" else None for k, v in row.items()}
                                   for row in rows]
        except UnicodeDecodeError as exc:
            raise BuildError(f"{shown}/{path.name}: not UTF-8 text ({exc.reason} at byte "
                             f"{exc.start}); save it as UTF-8") from None
        except (yaml.YAMLError, ValueError) as exc:
            # one line, with the file's line where the parser knows it
            mark = getattr(exc, "problem_mark", None)
            line = (mark.line + 1 if mark else getattr(exc, "lineno", None)
                    or (text.count("\n", 0, exc.position) + 1
                        if isinstance(exc, yaml.reader.ReaderError) else None))
            where = f"{shown}/{path.name}" + (f":{line}" if line else "")
            raise BuildError(f"{where}: cannot be read ({' '.join(str(exc).split())}); "
                             f"fix its syntax") from None
    return data


def _sources(root: Path, config: dict, memo: Memo, out: Path, links: Links, *, drafts: bool,
             future: bool, now: datetime | None) -> tuple[list[Post], list[Post], reader.Inventory]:
    """The posts (newest first) and pages (with the collections' documents) to build,
    each with its URL; and the reader's inventory (static files, what was skipped)."""
    drafts = drafts or bool(config.get("show_drafts"))
    future = future or bool(config.get("future"))
    inv = reader.read(root, config, out, drafts=drafts, links=links)
    found = read_found(inv.posts, memo=memo) + read_found(inv.drafts, dated=False, memo=memo)
    # site.time: what dates an undated document, and what is in the future (both as
    # wall-clock times in the site's zone, as Jekyll, which runs in that zone)
    when = build_time(config)
    for post in found:   # (a post undated only when its front matter did not read)
        post.date = when if post.undated else site_time(post.date, config)
    now = now or when
    posts = newest_first([p for p in found if future or p.date <= now])
    inv.skipped += [(p.name, "dated in the future (build with --future)")
                    for p in found if not (future or p.date <= now)]
    pages = read_pages(inv.pages, memo)
    collections = reader.collection_names(config)
    docs: list[Post] = []
    for name, documents in inv.collections.items():
        # Read either way: Liquid lists them (site.<name>); written only with output: true
        docs += read_found(documents, kind=collection_kind(name), memo=memo)
        if not collections[name].get("output"):
            inv.skipped += [(d.rel, f"not written: collection {name!r} has no `output: true`")
                            for d in documents]
    for doc in docs:   # each a wall-clock time in the site's zone, as the posts'
        doc.date = when if doc.undated else site_time(doc.date, config)   # Document#date
        # Jekyll lists a document dated after the build (site.<name>), but writes it
        # only with --future
        doc.future = not future and doc.date > now
    inv.skipped += [(d.name, "dated in the future (build with --future)") for d in docs
                    if d.future and collections[label(d.kind)].get("output")]
    read = {p.name for p in found} | {p.name for p in pages} | {d.name for d in docs}
    inv.skipped += [(f.rel, "published: false") for f in
                    inv.posts + inv.drafts + inv.pages
                    + [d for ds in inv.collections.values() for d in ds]
                    if f.rel not in read]
    apply_defaults([p for p in posts if not p.draft], config, "posts")
    apply_defaults([p for p in posts if p.draft], config, "drafts")
    apply_defaults(pages, config, "pages")
    ordered: list[Post] = []
    for name in collections:
        mine = [d for d in docs if d.kind == collection_kind(name)]
        apply_defaults(mine, config, name)
        ordered += collection_order(mine, collections[name], name)
    docs = ordered
    assign_urls(posts + pages + docs, config)
    return posts, pages + docs, inv


# -- rendering: only what the cache does not already hold ----------------------------

def _render_keys(root: Path, everyone: list[Post], config: dict,
                 static: list[str]) -> dict[str, str]:
    """post name (its source path) -> a key of everything its HTML is made from."""
    liquid_key = sass_key = None
    keys = {}
    own_layouts = theme_folder(root, config) is None   # Markdown's script links (renderer)
    for post in everyone:
        liquid = uses_liquid(post)
        if liquid and liquid_key is None:
            liquid_key = _liquid_key(root, everyone, config, static)
        if is_sass(post.ext) and sass_key is None:   # what a stylesheet imports
            sass_key = cache.digest(sass_inputs(root, config, [
                p.name for p in everyone if is_sass(p.ext)]))
        keys[post.name] = cache.digest(post.name, post.url, post.slug, post.date, post.meta,
                                      post.source, config.get("excerpt_separator"),
                                      config.get("kramdown"), own_layouts,
                                      liquid_key if liquid else None,
                                      sass_key if is_sass(post.ext) else None)
    return keys


def _liquid_key(root: Path, everyone: list[Post], config: dict, static: list[str]) -> str:
    """What a post's Liquid may see besides itself: the config and data, every post's
    and page's URL and front matter (site.posts, site.pages, post_url), the static
    files' names (a Jekyll blog's site.static_files), and the includes."""
    # Their front matter, not their text: site.posts in a post's Liquid has no content.
    return cache.digest(config, [(p.name, p.url, p.date, p.meta) for p in everyone], static,
                        cache.files_digest([Path(f) for f in include_folders(root, config)]))


def _render(root: Path, everyone: list[Post], keys: tuple, config: dict, plan: dict,
            stale: list[str], cache_path: Path, out: Path, jobs: int | None,
            warm: Callable[[], None] | None = None, jekyll=None,  # noqa: ANN001
            ) -> tuple[int, list, bool]:
    """Render the `stale` outputs, and first the posts they show whose HTML the cache
    lacks; (posts rendered, each output's text as a temporary file beside its place
    in `out`, see _spiller; whether render keys changed). `keys`: (each item's own
    render key, its key with what its Liquid read, what each document read), the last
    two brought up to date here. `warm` (outputs.Warm): what to do before the outputs
    are rendered on worker processes (its templates' part while the posts render);
    `jekyll`: a Jekyll blog's JekyllRenderer (its `site` and render order for the
    documents' own Liquid)."""
    if not stale:
        return 0, [], False
    _confine(out, stale)
    try:
        return _render_all(root, everyone, keys, config, plan, stale, cache_path, out, jobs,
                           warm, jekyll)
    except BaseException:   # a bad post or an interrupt: no temporary file stays
        for rel in stale:
            Path(_part(out, rel)).unlink(missing_ok=True)
        _remove_empty_folders(out, {str(Path(rel).parent) for rel in stale})
        raise


def _render_all(root: Path, everyone: list[Post], keys: tuple, config: dict,
                plan: dict, stale: list[str], cache_path: Path, out: Path, jobs: int | None,
                warm: Callable[[], None] | None, jekyll) -> tuple[int, list, bool]:  # noqa: ANN001
    base, keys, reads = keys
    needed = list({p.name: p for rel in stale for p in plan[rel].needs}.values())
    store = cache.Content(cache_path)
    rekeyed = False
    from site_builder.site.parallel import forks
    try:
        found = store.get([keys[p.name] for p in needed])
        todo = [p for p in needed if keys[p.name] not in found]
        for post in needed:   # before rendering: a document's Liquid may show them
            if keys[post.name] in found:
                post.content, post.excerpt = found[keys[post.name]]
        code = {}
        if todo:
            # The layouts' set-up done here while the posts render on the other cores.
            first = warm.templates if warm is not None and forks(len(stale), jobs) else None
            code, read = _render_posts(root, todo, everyone, config, store, jobs, jekyll, first)
            for post in todo:
                reads.pop(post.name, None)
            reads.update(read)
            now = cache.with_reads(base, reads)
            rekeyed = now != keys
            keys.update(now)
        ahead.collect()   # (before the workers fork, if the posts did not)
        if warm is not None and forks(len(stale), jobs):
            warm()
        def keep() -> None:   # the posts' HTML, for the next build
            store.put({keys[p.name]: (p.content, p.excerpt, code[p.name]) for p in todo},
                      set(keys.values()))
        # (kept while the outputs render on the other cores, when they do)
        forked = forks(len(stale), jobs)
        texts = _render_outputs([plan[rel].render for rel in stale], jobs,
                                _spiller(out, stale), keep if forked else None)
        if not forked:
            keep()
    finally:
        store.close()
    return len(todo), texts, rekeyed


def _rekey(plan: dict, fresh: dict) -> None:
    """The outputs' keys (and the keys kept for them) as `fresh`, a plan made with
    render keys that changed while rendering."""
    from dataclasses import replace
    for rel, planned in plan.items():
        if rel in fresh:
            plan[rel] = replace(planned, key=fresh[rel].key, rekey=fresh[rel].rekey)


# -- writing: changed files only, each by temp + rename; stale files last ------------

def _write(out: Path, plan: dict, texts: dict[str, str], files: dict[str, Path],
           old: cache.Cache, new: cache.Cache, on_disk: dict,
           deps: dict[str, tuple], folders: dict[str, tuple]) -> tuple[int, int]:
    """Write `texts` and the static files that changed, remove what nothing makes any
    more, and note in `new` what each file was written from, and the output's
    `folders` this build left as they were (on_disk.py); (written, removed)."""
    copies = {rel: src for rel, src in files.items()
              if old.copied.get(rel) != (_stat(src), on_disk.get(rel))}
    out.mkdir(parents=True, exist_ok=True)
    _confine(out, list(copies))
    stats = _put_all(out, {}, copies)
    for rel, part in texts.items():   # rendered to temporary files: each put in place
        target = os.path.join(out, rel)
        os.replace(part, target)
        stats[rel] = _stat(target)
    wanted = set(plan) | set(files)
    removed = [rel for rel in on_disk if rel not in wanted]
    for rel in removed:
        (out / rel).unlink(missing_ok=True)
    _remove_empty_folders(out, {str(Path(rel).parent) for rel in removed})
    for rel in plan:
        key = plan[rel].key
        if rel in deps:
            new.deps[rel] = deps[rel]
            key = plan[rel].rekey(deps[rel])
        elif rel in old.deps and plan[rel].rekey is not None:
            new.deps[rel] = old.deps[rel]
        new.outputs[rel] = (key, *(stats[rel] if rel in texts else on_disk[rel]))
    for rel, source in files.items():
        new.copied[rel] = old.copied[rel] if rel not in copies else (_stat(source), stats[rel])
    new.folders = on_disk_record.untouched(folders, [*texts, *copies, *removed])
    return len(texts) + len(copies), len(removed)


def _part(out: Path, rel: str) -> str:
    """Where output `rel` is rendered to before it is put in place: a hidden file
    beside it, named for this process (a build stopped midway leaves only such files,
    which the next build removes as it removes any file nothing makes). A path as
    text: a Path for each output, and its parts and texts made again for each file
    call, were a fifth of writing Jekyll's docs (20 million instructions)."""
    folder, name = os.path.split(os.path.join(out, rel))
    return os.path.join(folder, f".{name}.{os.getpid()}{PART_SUFFIX}")


def _spiller(out: Path, stale: list[str]) -> Callable[[int, object], object]:
    """A worker's step after rendering output i: its text written to _part(), and
    the path of that file sent back in its place. The parent's PID names the file
    (fixed before forking), so that the parent can remove them all if a build fails."""
    parts = [_part(out, rel) for rel in stale]
    folders: set[str] = set()   # made, or found there, by this process

    def spill(i: int, result: object) -> object:
        text, deps = result if isinstance(result, tuple) else (result, None)
        path = parts[i]
        try:
            folder = os.path.dirname(path)
            if folder not in folders:
                if not os.path.isdir(folder):
                    os.makedirs(folder, exist_ok=True)
                folders.add(folder)
            with open(path, "wb") as file:
                file.write(text.encode("utf-8"))
        except OSError as exc:   # named by the file meant, not the temporary one
            raise OSError(exc.errno, exc.strerror, str(out / stale[i])) from None
        return path if deps is None else (path, deps)
    return spill


def _put_all(out: Path, texts: dict[str, str], copies: dict[str, Path]
             ) -> dict[str, tuple[int, int, int]]:
    """Write the texts and copy the files, each atomically; each one's stat after.
    On threads, one per core: a file call's cost is CPU time in the kernel (about half
    a millisecond a file or folder on these machines: a third of a cold build), which
    the threads spread over the cores while the rendering's workers are gone."""
    def put(item: tuple[str, str | Path]) -> tuple[str, tuple[int, int, int]]:
        rel, data = item
        path = out / rel
        write_bytes(path, data.encode("utf-8") if isinstance(data, str) else data.read_bytes())
        return rel, _stat(path)

    items = [*texts.items(), *copies.items()]
    if len(items) < 8:
        return dict(map(put, items))
    return dict(_on_threads(put, items, cores()))


def _on_threads(func: Callable, items: list, count: int) -> list:
    """[func(item) for item in items] on `count` threads, each a share of the items (in
    the items' order); the first exception any raised is raised here. (Not a thread
    pool: concurrent.futures was 2 ms of every build's imports.)"""
    import threading
    size = -(-len(items) // count)
    shares = [items[at:at + size] for at in range(0, len(items), size)]
    done: list[list] = [[] for _ in shares]
    failed: list[BaseException] = []

    def run(at: int) -> None:
        try:
            done[at] = [func(item) for item in shares[at]]
        except BaseException as exc:   # noqa: BLE001 - raised in the caller's thread
            failed.append(exc)

    threads = [threading.Thread(target=run, args=(at,)) for at in range(len(shares))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failed:
        raise failed[0]
    return [result for share in done for result in share]


def _confine(out: Path, rels: list[str]) -> None:
    """Refuse, before writing any, a file that would not land inside `out`, whatever
    made its path: a '..' part, an absolute path, or a folder in `out` that is a
    symbolic link to somewhere else."""
    inside = str(out.resolve())
    under = inside + "/"   # (a path that starts so is inside: commonpath need not say)
    real_folders: dict[str, str] = {"": inside}
    linked: set[str] = set()
    for rel in rels:
        folder, name = os.path.split(rel)
        target = os.path.normpath(os.path.join(inside, rel))
        if name in ("", ".", "..") or \
                os.path.dirname(target) != _real_folder(inside, folder, real_folders, linked) \
                or not (target.startswith(under)
                        or os.path.commonpath([inside, target]) == inside):
            raise BuildError(f"refused to write {rel!r}: it is not a file inside the output "
                             f"folder {out}; nothing was written")


def _real_folder(inside: str, folder: str, known: dict[str, str], linked: set[str]) -> str:
    """os.path.realpath(os.path.join(inside, folder)), `inside` being a real path
    (known[""]): a folder's from its parent's and its own name, where neither is a
    link (realpath looks at each part of the whole path again: for each of Jekyll's
    docs' 200 output folders, 40,000 instructions). `known` and `linked` (the folders
    found through a link, whose realpath is taken whole) are kept between calls."""
    found = known.get(folder)
    if found is not None:
        return found
    head, name = os.path.split(folder)
    if os.path.isabs(folder) or head == folder:
        found = os.path.realpath(os.path.join(inside, folder))
        linked.add(folder)
    else:
        base = _real_folder(inside, head, known, linked)
        path = os.path.join(base, name)
        if head in linked or os.path.islink(path):
            found = os.path.realpath(os.path.join(inside, folder))
            linked.add(folder)
        elif name in ("", os.curdir):
            found = base
        elif name == os.pardir:
            found = os.path.dirname(base)
        else:
            found = path
    known[folder] = found
    return found


def _render_posts(root: Path, todo: list[Post], everyone: list[Post], config: dict,
                  store: cache.Content, jobs: int | None, jekyll,  # noqa: ANN001
                  first: Callable[[], None] | None = None
                  ) -> tuple[dict[str, dict[str, str]], dict[str, tuple]]:
    from site_builder.site.parallel import forks
    from site_builder.site.render import render_posts
    return render_posts(root, todo, everyone, config, jobs,
                        highlighted=store.code(few=not forks(len(todo), jobs)),
                        site_for=jekyll.posts_site if jekyll is not None else None,
                        order=jekyll, first=first)


def _render_outputs(thunks: list, jobs: int | None, spill: Callable[[int, object], object],
                    first: Callable[[], None] | None = None) -> list:
    from site_builder.site.render import render_outputs
    return render_outputs(thunks, jobs, spill, first)


def _intact(rel: str, key: str, written: dict, on_disk: dict) -> bool:
    """The file is as the last build wrote it from the same inputs."""
    last = written.get(rel)
    return last is not None and last[0] == key and on_disk.get(rel) == tuple(last[1:])


def _stat(path: Path | str) -> tuple[int, int, int]:
    """What says a file changed: size and mtime, which a program can put back, and the
    inode's change time, which it cannot (any write moves it): a file in _site/ edited
    with its size and mtime restored is still seen, at no cost of reading it."""
    st = os.stat(path)
    return st.st_size, st.st_mtime_ns, st.st_ctime_ns


def _remove_empty_folders(out: Path, folders: set[str]) -> None:
    for folder in sorted(folders, key=len, reverse=True):
        path = out / folder
        while path != out and path.is_dir() and not any(path.iterdir()):
            path.rmdir()
            path = path.parent


def _check_timezone(config: dict) -> None:
    """Refuse a `timezone:` that names no zone; else the zone times are written in."""
    name = config.get("timezone")
    zone.ZONE = None
    if name:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError
        try:
            zone.ZONE = ZoneInfo(str(name))
        except (ZoneInfoNotFoundError, ValueError):
            raise BuildError(f"_config.yml: timezone {name!r} is not a time zone name; write "
                             f"one such as Europe/Paris or America/Montreal, or remove it "
                             f"for UTC") from None


def _check_strangers(root: Path, out: Path, old: cache.Cache, unmade: set[str]) -> None:
    """A build removes from its output folder what it does not make (`unmade`). A
    folder no build of this blog has written to (-d ~/thesis, -d docs holding the
    blog's own pages) is refused while it holds such files, rather than emptied; a
    `_site/` (Jekyll's own name: SOURCE/_site, or beside the _config.yml that says
    `source: src`) is rebuilt as Jekyll rebuilds it."""
    if not unmade or old.outputs or old.copied or out.name == "_site":
        return
    names = sorted(unmade)
    shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
    raise BuildError(f"output folder {out} holds files this blog does not make ({shown}), "
                     f"which a build would remove; choose a new or empty folder, or empty this "
                     f"one first")


def _check_jekyll_2(config: dict) -> None:
    if config.get("relative_permalinks"):   # Jekyll 3 and later refuse to build too
        raise BuildError("_config.yml: relative_permalinks: true is Jekyll 2's: since Jekyll 3 "
                         "a page's permalink is relative to the blog's folder, not the page's; "
                         "remove the setting (and check the permalinks of pages in subfolders)")


def _check_out_dir(root: Path, out: Path, config: dict) -> None:
    # A build removes what it did not make from the output folder: never the sources.
    out_abs, root_abs = out.resolve(), root.resolve()
    folders = (config["posts_dir"], config["assets_dir"], LAYOUTS, "_includes")
    sources = [(root_abs / folder).resolve() for folder in folders]
    if root_abs.is_relative_to(out_abs) or any(
            out_abs.is_relative_to(s) or s.is_relative_to(out_abs) for s in sources):
        raise BuildError(f"output folder {out} overlaps the blog's sources in {root}; "
                         f"choose a separate folder such as {root / '_site'}")
    if out.exists() and not out.is_dir():
        raise BuildError(f"output folder {out} is a file; remove it or choose another folder")
    parent = next((p for p in out_abs.parents if p.exists()), None)
    if parent is not None and not parent.is_dir():   # -d notes.txt/site: no folder to make
        raise BuildError(f"output folder {out}: {parent} is a file, so the folder cannot be "
                         f"made; choose another folder")
