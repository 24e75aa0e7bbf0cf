"""Post files: rendering, finding the post already made for a set of runs, the hash
that detects a hand edit, and writing (one post, or every generated post)."""

from __future__ import annotations

import hashlib
import re
import time
from functools import lru_cache
from pathlib import Path

import jinja2
import yaml

from site_builder import TEMPLATES
from site_builder.errors import ConfigError, PostError
from site_builder.frontmatter import read_front_matter
from site_builder.logs import stage_log
from site_builder.posts import compare, escape
from site_builder.posts.notes import cell, ensure_post_notes, post_notes_path, read_post_notes
from site_builder.posts.runs import (
    label_runs,
    own_cover,
    missing_stage,
    run_context,
    unfinished_message,
)
from site_builder.audio import display_name
from site_builder.runs import Run, atomic_path, read_json, write_text
from site_builder.schema import DEFAULT_TAGS
from site_builder.schema import default_title as titled

log = stage_log("post")

HASH_KEY = "generated_hash"
HASH_LINE = re.compile(rf"^{HASH_KEY}: .*\n", re.M)
POST_SUFFIXES = (".md", ".markdown")
NA = dict.fromkeys(("duration", "loudness", "silence", "tuning", "tempo"), "n/a")


def shown(path: Path, root: Path) -> str:
    """A path as messages name it: relative to the blog when inside it (posts_dir may
    point into another Jekyll blog, outside it)."""
    path, root = path.resolve(), root.resolve()
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)


# -- front matter ----------------------------------------------------------------------

def yaml_value(value) -> str:
    text = yaml.safe_dump(value, default_flow_style=True, width=10**9, allow_unicode=True)
    return text.removesuffix("\n").removesuffix("\n...")


def front_matter(site: dict, title: str, date: str, run_ids: list[str], cover: str | None = None) -> str:
    """The example post's keys, in its order; site-wide values from _config.yml `post:`."""
    defaults = {"layout": "post", "current": "post", "cover": None, "navigation": True,
                "tags": list(DEFAULT_TAGS), "class": "post-template",
                "subclass": "post", "author": site.get("author") or None,
                **(site.get("post") or {})}
    ordered = ["layout", "current", "cover", "navigation", "title", "date", "tags",
               "class", "subclass", "author"]
    values = {**defaults, "title": title, "runs": run_ids, **({"cover": cover} if cover else {})}
    lines = []
    for key in ordered + [k for k in values if k not in ordered]:
        if key == "date":
            lines.append(f"date: {date}")  # unquoted, as Jekyll writes it
        elif values.get(key) is not None:
            lines.append(f"{key}: {yaml_value(values[key])}")
    return "\n".join(lines)


def read_meta(path: Path) -> dict:
    return read_front_matter(path.read_text(encoding="utf-8")) or {}


# -- finding posts -----------------------------------------------------------------------

def post_files(posts_dir: Path) -> list[Path]:
    if not posts_dir.is_dir():
        return []
    return sorted(p for p in posts_dir.iterdir() if p.suffix in POST_SUFFIXES and p.is_file())


def generated_posts(posts_dir: Path) -> list[tuple[Path, dict]]:
    """Every post this pipeline wrote: it has the hash and lists its runs."""
    found = []
    for path in post_files(posts_dir):
        meta = read_meta(path)
        if HASH_KEY in meta and isinstance(meta.get("runs"), list) and meta["runs"]:
            found.append((path, meta))
    return found


def find_post(posts_dir: Path, run_ids: list[str]) -> Path | None:
    """The post already generated for these runs (in any order), if any."""
    wanted = sorted(run_ids)
    return next((path for path, meta in generated_posts(posts_dir)
                 if sorted(map(str, meta["runs"])) == wanted), None)


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "post"


def post_slug(title: str, contexts: list[dict]) -> str:
    """A TITLE's words, or the runs' ids (as `make post` has always named posts)."""
    if title != default_title(contexts):
        return slugify(title)
    return "ancestral-sampling-" + "-".join(c["id"] for c in contexts).replace("_", "-")


def new_path(posts_dir: Path, date: str, slug: str) -> Path:
    """A file name whose slug no other post has: with `permalink: /:title/` two posts
    with one slug would share a URL (Jekyll warns of the conflict)."""
    taken = {p.stem[11:] for p in post_files(posts_dir)}
    unique = next(s for s in (slug, *(f"{slug}-{i}" for i in range(2, 1000))) if s not in taken)
    return posts_dir / f"{date[:10]}-{unique}.md"


def post_file(root: Path, site: dict, runs: list[Run], title: str | None = None,
              date: str | None = None) -> tuple[Path, str]:
    """The file the post over `runs` is (or will be, written now with `title`) and its
    front matter as `---` text: what the site needs to answer the post's URL."""
    posts_dir = root / site["posts_dir"]
    existing = find_post(posts_dir, [r.id for r in runs])
    if existing:
        return existing, existing.read_text(encoding="utf-8")
    date = date or time.strftime("%Y-%m-%d %H:%M:%S")
    contexts = [{"id": r.id, "name": name} for r, name in zip(runs, artist_names(runs))]
    title = title or default_title(contexts)
    path = new_path(posts_dir, date, post_slug(str(title), contexts))
    return path, f"---\n{front_matter(site, str(title), date, [r.id for r in runs])}\n---\n"


def artist_names(runs: list[Run]) -> list[str]:
    return [display_name((read_json(r.settings_path) or {}).get("artist", r.id)) for r in runs]


# -- the hash ----------------------------------------------------------------------------

def text_hash(text: str) -> str:
    return "sha256:" + hashlib.sha256(HASH_LINE.sub("", text).encode()).hexdigest()


def edited_by_hand(path: Path) -> bool:
    text = path.read_text(encoding="utf-8")
    recorded = (read_front_matter(text) or {}).get(HASH_KEY)
    return recorded != text_hash(text)


# -- rendering -----------------------------------------------------------------------------

@lru_cache(maxsize=1)
def template() -> jinja2.Template:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), trim_blocks=True,
                             lstrip_blocks=True, undefined=jinja2.StrictUndefined,
                             keep_trailing_newline=True)
    env.globals.update(thumbnail=thumbnail, cell=cell, quote=quote, asset=asset)
    return env.get_template("post.md.j2")


def asset(url: str) -> str:
    """An asset's URL as Liquid that Jekyll and site-builder resolve alike, right for
    any baseurl ('', '/', '/blog'): `{{ site.baseurl }}/x` is `//x` with baseurl '/',
    a host named x."""
    return "{{ '" + url.replace("'", "%27") + "' | relative_url }}"


def thumbnail(stem: str, kind: str, alt: str) -> str:
    """A picture drawn to be read at thumbnail size (320 x 120 CSS px, at twice the
    density), linking to the full-size one."""
    full, small = asset(f"{stem}-{kind}.png"), asset(f"{stem}-{kind}-small.png")
    return (f'<a class="thumb" href="{full}"><img src="{small}" alt="{alt}" width="320" '
            f'height="120" loading="lazy"></a>')


def quote(text: str) -> str:
    """Outside text (lyrics) as a Markdown quote showing exactly its characters, each
    line kept as a line."""
    lines = text.strip().splitlines()
    return "\n".join(f"> {escape.text(line)}  " if line.strip() else ">" for line in lines).rstrip()


def and_list(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def default_title(contexts: list[dict]) -> str:
    return titled([c["name"] for c in contexts])


def toy_phrase(contexts: list[dict]) -> str:
    toys = [c["label"] for c in contexts if c["toy"]]
    if not toys:
        return ""
    if len(toys) == len(contexts):
        return "These samples come from"
    return f"The samples of {and_list(toys)} come from"


def render(contexts: list[dict], site: dict, date: str, title: str, post_notes: dict | None = None) -> str:
    """The post's text, hash included. The author's notes are swapped in last, so no
    whitespace clean-up ever touches them."""
    kept: list[str] = []

    def keep(text: str) -> str:
        kept.append(text)
        return f"\x00{len(kept) - 1}\x00"

    ids = [c["id"] for c in contexts]
    cover = next((c["cover"] for c in contexts if c["cover"]), None)
    text = template().render(
        front_matter=front_matter(site, title, date, ids, cover), runs=contexts, keep=keep, na=NA,
        toy=toy_phrase(contexts), comparison=compare.sentences(contexts),
        reasons=compare.reasons(contexts), post_notes=post_notes or {},
        summary=compare.summary_rows(contexts),
        runs_phrase=and_list([f"*{c['label']}* (`{c['id']}`)" for c in contexts]))
    text = re.sub(r"\n{3,}", "\n\n", text).rstrip("\n") + "\n"
    text = re.sub(r"\x00(\d+)\x00", lambda m: kept[int(m[1])], text)
    head, sep, body = text.partition("\n---\n")
    return f"{head}\n{HASH_KEY}: {text_hash(text)}{sep}{body}"


# -- writing ---------------------------------------------------------------------------------

def write_post(root: Path, site: dict, runs: list[Run], *, title: str | None = None,
               force: bool = False) -> Path:
    """Write (or regenerate) the post over `runs`. Its date, file name and title are its
    first generation's (a new TITLE replaces the title, never the file name)."""
    posts_dir = root / site["posts_dir"]
    existing = find_post(posts_dir, [r.id for r in runs])
    meta = read_meta(existing) if existing else {}
    date = str(meta["date"]) if "date" in meta else time.strftime("%Y-%m-%d %H:%M:%S")
    for run in runs:
        copy_cover(run, site)
    contexts = [run_context(r, site) for r in runs]
    label_runs(contexts)
    title = title or meta.get("title") or default_title(contexts)
    path = existing or new_path(posts_dir, date, post_slug(str(title), contexts))
    notes = None
    if len(runs) > 1:
        notes_path = post_notes_path(root, site, path.stem[11:])
        if notes_path.resolve().is_relative_to(posts_dir.resolve()):
            raise ConfigError(f"_config.yml: posts_dir holds notes/, where a post's own notes go "
                              f"({shown(notes_path, root)}); point posts_dir elsewhere")
        if not notes_path.exists():
            ensure_post_notes(notes_path, path.stem[11:], [r.id for r in runs])
            log.info("wrote %s: your words for this post (introduction, ## comparison, "
                     "## conclusion), never rewritten", shown(notes_path, root))
        notes = read_post_notes(notes_path)
    text = render(contexts, site, date, str(title), notes)
    if existing and existing.read_text(encoding="utf-8") == text:
        log.info("%s is up to date", shown(path, root))
        return path
    if existing and edited_by_hand(existing):
        if not force:
            raise PostError(hand_edit_message(existing, root, runs[0]))
        runs[0].to_attic([existing], copy=True)
    write_text(path, text)
    log.info("wrote %s", shown(path, root))
    return path


def hand_edit_message(path: Path, root: Path, run: Run) -> str:
    return (f"{shown(path, root)} was edited by hand since it was generated; move your words to "
            f"runs/<run>/notes.md, or FORCE=1 to regenerate it (your edited copy is then kept "
            f"in {shown(run.out, root)}/attic/)")


def post_runs(path: Path, meta: dict, root: Path, site: dict) -> list[Run]:
    try:
        return [Run(root, str(run_id), site["runs_dir"]) for run_id in meta["runs"]]
    except ConfigError as exc:  # a bad run id in the front matter: name the file
        raise PostError(f"{shown(path, root)}: runs: {exc}") from None


def regenerate_all(root: Path, site: dict, *, force: bool = False) -> list[Path]:
    """Every generated post, again, from its runs. Posts whose runs have no outputs here
    (a fresh clone: runs/*/out/ is not in git) are kept as they are. A hand-edited post
    stops everything before anything is written, unless `force`."""
    ready, absent = [], {}
    for path, meta in generated_posts(root / site["posts_dir"]):
        runs = post_runs(path, meta, root, site)
        missing = {r.id: missing_stage(r) for r in runs}
        if any(missing.values()):
            absent[path] = {k: v for k, v in missing.items() if v}
        else:
            ready.append((path, runs))
    edited = [(path, runs) for path, runs in ready if edited_by_hand(path)]
    if edited and not force:
        raise PostError("\n".join(hand_edit_message(path, root, runs[0]) for path, runs in edited))
    say_kept(absent, root, site)
    return [write_post(root, site, runs, force=force) for _, runs in ready]


def say_kept(absent: dict[Path, dict], root: Path, site: dict) -> None:
    """Which posts stay as they are, and why: a fresh clone has no run outputs."""
    for path, missing in absent.items():
        none_here = [run_id for run_id, (stage, why) in missing.items() if why == "no samples"]
        if len(none_here) == len(missing):
            log.info("kept %s as it is: run(s) %s have no outputs here (runs/<run>/out/ is not in "
                     "git; `make post RUN=<run>` makes them)", shown(path, root), ", ".join(none_here))
            continue
        for run_id, (stage, why) in missing.items():
            log.info("kept %s as it is: %s", shown(path, root),
                     unfinished_message(Run(root, run_id, site["runs_dir"]), stage, why))


def copy_cover(run: Run, site: dict) -> None:
    """The run's own cover beside its assets, where the site serves it from."""
    own = own_cover(run)
    if own:
        target = run.root / site["assets_dir"] / "runs" / run.id / f"cover{own.suffix}"
        if not target.exists() or target.read_bytes() != own.read_bytes():
            target.parent.mkdir(parents=True, exist_ok=True)
            with atomic_path(target) as tmp:
                tmp.write_bytes(own.read_bytes())
