"""Which source file is what, by Jekyll's reading rules (Jekyll's Reader and
EntryFilter): one walk of the blog that puts every file in exactly one place.

- posts: files named YYYY-MM-DD-title.ext in any `_posts/` folder, at any depth
  below it; a `_posts/` inside a folder gives its posts that folder's names as
  categories (`blog/_posts/x.md` is in category `blog`);
- drafts: any file in a `_drafts/` folder (built with --drafts);
- collections: the files of `_<name>/` for each name under `collections:`;
- pages: any other file that starts with front matter, at any depth, any extension;
- static files: everything else, copied as it is;
- skipped: names starting with '_', '.', '#' or '~', names ending in '~', and what
  `exclude` names (unless `include` names it), each with the reason.

Jekyll's own folders (_layouts, _includes, _data, _sass, _plugins, _config.yml) are
sources of the build, neither copied nor skipped.
"""

from __future__ import annotations

import fnmatch
import os
import posixpath
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from site_builder.logs import stage_log
from site_builder.site.links import Links

# Jekyll's Document::DATE_FILENAME_MATCHER (the date, the title, the extension).
DATED = re.compile(r"^(\d{2,4}-\d{1,2}-\d{1,2})-([^/]*)(\.[^./]+)$")
SPECIAL = (".", "_", "#", "~")
# Jekyll's default excludes, always added to the config's (Jekyll hard-codes them too).
# A repository's other files (this one's code, its templates/) are left out by its
# _config.yml's `exclude:`.
DEFAULT_EXCLUDE = [".sass-cache", ".jekyll-cache", "gemfiles", "Gemfile", "Gemfile.lock",
                   "node_modules", "vendor/bundle", "vendor/cache", "vendor/gems", "vendor/ruby"]
SOURCE_FOLDERS = ("_layouts", "_includes", "_data", "_sass", "_plugins", "_config.yml")
MISNAMED = "in a posts folder but not named YYYY-MM-DD-title.ext"
# A named pipe, socket or device: reading a pipe would wait for ever.
NOT_REGULAR = "not a regular file (a pipe, socket or device)"
FRONT_MATTER = re.compile(rb"\A---[ \t]*\r?\n")
GLOB = re.compile(r"[*?[]")   # what makes an exclude/include pattern a glob (fnmatch)


@dataclass
class Found:
    """A source file the reader found."""

    path: Path          # the file
    rel: str            # its path relative to the blog, as Jekyll's relative_path
    categories: tuple[str, ...] = ()   # from the folders above a `_posts/`


@dataclass
class Inventory:
    """Every file of the blog, sorted by what a build does with it."""

    posts: list[Found] = field(default_factory=list)
    drafts: list[Found] = field(default_factory=list)
    pages: list[Found] = field(default_factory=list)
    static: dict[str, Path] = field(default_factory=dict)   # output path -> source
    collections: dict[str, list[Found]] = field(default_factory=dict)   # name -> documents
    collection_files: dict[str, list[Found]] = field(default_factory=dict)  # name -> static
    skipped: list[tuple[str, str]] = field(default_factory=list)   # (path, why)


def has_front_matter(path: Path) -> bool:
    try:
        with open(path, "rb") as file:
            return bool(FRONT_MATTER.match(file.read(8)))
    except OSError:
        return False


def posts_folder(root: Path, config: dict) -> str:
    """This pipeline's posts folder (`posts_dir`). Its default, `posts`, is not taken in
    a Jekyll blog, one with `_posts/` of its own: there a folder named `posts` is the
    blog's like any other (benanne.github.io's archive page is posts/index.html)."""
    from site_builder.config import SITE_DEFAULTS
    # `./_posts` (a real blog's Jekyll-style setting) is `_posts`, not read twice
    name = posixpath.normpath(str(config.get("posts_dir") or "_posts")).strip("/")
    if name == SITE_DEFAULTS["posts_dir"] and (root / "_posts").is_dir():
        return "_posts"
    return name


def lax_front_matter(root: Path, config: dict):  # noqa: ANN201 (a predicate on a file's name)
    """Which files' malformed front matter is a warning, the file built without it, as
    Jekyll builds it (Document#read, Convertible#read_yaml): every file of a Jekyll blog
    but for this pipeline's own posts folder (`posts/`, where `make post` writes: an
    error there, exit 2, as for any bad input of ours); none under Jekyll's
    `strict_front_matter: true`, which makes it an error everywhere."""
    if config.get("strict_front_matter"):
        return lambda name: False
    ours = posts_folder(root, config)
    if ours == "_posts":   # a Jekyll blog's own posts folder: Jekyll's reading
        return lambda name: True
    return lambda name: not name.startswith(ours + "/")


def collection_names(config: dict) -> dict[str, dict]:
    """`collections:` as name -> its settings (a list of names is allowed, as in Jekyll)."""
    found = config.get("collections") or {}
    if isinstance(found, list):
        found = {str(name): {} for name in found}
    return {str(k): (v if isinstance(v, dict) else {}) for k, v in found.items() if k != "posts"}


class Reader:
    def __init__(self, root: Path, config: dict, out: Path, *, drafts: bool,
                 links: Links | None = None) -> None:
        self.root, self.config, self.drafts = root, config, drafts
        self.links = links or Links(root, config, stage_log("site"))
        self.walked: set[str] = set()   # folders walked, by real path: links never loop
        self.include = [str(p).strip("/") for p in config.get("include") or []]
        self.exclude = exclude_patterns(config)
        self.out = out.resolve()
        self.out_text = str(self.out)
        self.inv = Inventory()
        self.collections = collection_names(config)
        self.ours = {config.get("runs_dir") or "runs", ".site-cache"}
        self.posts_dir = posts_folder(root, config)

    def read(self) -> Inventory:
        self._folder(self.root, "")
        posts_dir = self.posts_dir
        if posts_dir != "_posts":  # this pipeline's posts folder, wherever it is
            self._posts(self.root / posts_dir, posts_dir, ())
        assets = str(self.config.get("assets_dir") or "assets").strip("/")
        if assets != "assets" and (self.root / assets).is_dir():
            self._folder(self.root / assets, "assets", as_rel=assets)
        for name in self.collections:
            self._collection(name)
        return self.inv

    # -- the walk ---------------------------------------------------------------

    def _folder(self, folder: Path, rel: str, as_rel: str | None = None) -> None:
        """`rel`: where the folder's files go in the site; `as_rel`: where they are
        in the blog, for messages (when they differ: an assets_dir elsewhere)."""
        src = rel if as_rel is None else as_rel
        real = os.path.realpath(folder)
        if real in self.walked:
            return
        self.walked.add(real)
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            return
        names = {e.name for e in entries}
        if "_posts" in names and not self._excluded(_join(src, "_posts")):
            self._posts(folder / "_posts", _join(src, "_posts"), tuple(p for p in rel.split("/") if p))
        if "_drafts" in names:
            if self.drafts:
                self._drafts(folder / "_drafts", _join(src, "_drafts"))
            else:
                self.inv.skipped.append((_join(src, "_drafts") + "/", "drafts: build with --drafts"))
        for entry in entries:
            name, path = entry.name, Path(entry.path)
            at, out_rel = _join(src, name), _join(rel, name)
            if not self.links.readable(path):
                continue
            if not rel and name in self.ours or self._resolved(entry, real) == self.out_text or (
                    not rel and name.startswith(self.out.name + ".")
                    and path.parent.resolve() == self.out.parent):
                continue   # the output, its cache, this pipeline's runs: not the blog's sources
            if not rel and as_rel is None and (
                    name in SOURCE_FOLDERS or name in ("_posts", "_drafts")
                    or name[1:] in self.collections and name.startswith("_")
                    or name == self.posts_dir
                    or name == str(self.config.get("assets_dir") or "assets") != "assets"):
                continue   # read on their own
            if name in ("_posts", "_drafts"):
                continue
            why = self._why_skipped(at, name)
            if why:
                self.inv.skipped.append((at + ("/" if entry.is_dir() else ""), why))
            elif entry.is_dir():
                self._folder(path, out_rel, as_rel=None if as_rel is None else at)
            elif not entry.is_file():   # reading a named pipe would wait for ever
                self.inv.skipped.append((at, NOT_REGULAR))
            elif has_front_matter(path):
                self.inv.pages.append(Found(path, at))
            else:
                self.inv.static[out_rel] = path

    @staticmethod
    def _resolved(entry: os.DirEntry, real_folder: str) -> str:
        """Path(entry.path).resolve() as a string, given its folder's real path: a
        file or folder that is no link is there itself. (Path.resolve looks at each
        part of the path in turn: for the 68 entries of Jekyll's docs' top folder,
        2,100 system calls and 10 million instructions.)"""
        if entry.is_symlink():
            return os.path.realpath(entry.path)
        return os.path.join(real_folder, entry.name)

    def _why_skipped(self, at: str, name: str) -> str:
        if matches(at, self.include) or matches(name, self.include):
            return ""
        if name.startswith(SPECIAL):
            return f"its name starts with {name[0]!r} (add it to `include` to copy it)"
        if name.endswith("~"):
            return "a backup file (its name ends with '~')"
        if self._excluded(at):
            return "named by `exclude` in _config.yml"
        return ""

    def _excluded(self, at: str) -> bool:
        return matches(at, self.exclude)

    def _files(self, folder: Path, rel: str):
        """Every file below `folder` that the entry filter lets through: (path, rel),
        in os.walk's order (a folder's files by name, then each of its folders')."""
        yield from self._walk(os.fspath(folder), rel)

    def _walk(self, folder: str, base: str):
        # scandir's entries say whether each is a folder, a file or a link without a
        # system call of their own: a thousand posts were three thousand stats.
        try:
            with os.scandir(folder) as found:
                entries = sorted(found, key=lambda e: e.name)
        except OSError:
            return
        folders, files = [], []
        for entry in entries:
            (folders if _is_dir(entry) else files).append(entry)
        walk_into = []
        for entry in folders:
            at = _join(base, entry.name)
            why = self._why_skipped(at, entry.name)
            if why:
                self.inv.skipped.append((at + "/", why))
            elif not entry.is_symlink():   # as os.walk: a link to a folder is not walked
                walk_into.append(entry)
        for entry in files:
            if entry.is_symlink() and not self.links.readable(entry.path):
                continue
            if not entry.is_file():
                if os.path.exists(entry.path):   # (a link to nothing is no source either)
                    self.inv.skipped.append((_join(base, entry.name), NOT_REGULAR))
                continue
            at = _join(base, entry.name)
            why = self._why_skipped(at, entry.name)
            if why:
                self.inv.skipped.append((at, why))
            else:
                yield Path(entry.path), at
        for entry in walk_into:
            yield from self._walk(entry.path, _join(base, entry.name))

    def _posts(self, folder: Path, rel: str, categories: tuple[str, ...]) -> None:
        if not self.links.readable(folder) or not folder.is_dir():
            return
        for path, at in self._files(folder, rel):
            if DATED.match(path.name):
                self.inv.posts.append(Found(path, at, categories))
            else:
                self.inv.skipped.append((at, MISNAMED))

    def _drafts(self, folder: Path, rel: str) -> None:
        for path, at in self._files(folder, rel):
            self.inv.drafts.append(Found(path, at))

    def _collection(self, name: str) -> None:
        folder = self.root / str(self.config.get("collections_dir") or "").strip("/") / f"_{name}"
        rel = folder.relative_to(self.root).as_posix()
        docs, files = [], []
        if folder.is_dir():
            for path, at in self._files(folder, rel):
                (docs if has_front_matter(path) else files).append(Found(path, at))
        self.inv.collections[name], self.inv.collection_files[name] = docs, files


def exclude_patterns(config: dict, defaults: list[str] = DEFAULT_EXCLUDE) -> list[str]:
    """What the build leaves out: `exclude:` and `defaults`, less what `include:` names."""
    include = [str(p).strip("/") for p in config.get("include") or []]
    return [p for p in (str(p).strip("/") for p in [*(config.get("exclude") or []), *defaults])
            if p not in include]


def matches(rel: str, patterns: list[str]) -> bool:
    """Jekyll's glob_include?: `rel` (a path in the blog) matches a glob, or is at or
    below a path."""
    paths, globs = _matcher(tuple(patterns))
    if paths:
        cut = rel.find("/")
        while cut != -1:   # a folder above it
            if rel[:cut] in paths:
                return True
            cut = rel.find("/", cut + 1)
        if rel in paths:
            return True
    return globs is not None and globs.match(rel) is not None


@lru_cache(maxsize=64)
def _matcher(patterns: tuple[str, ...]) -> tuple[frozenset, re.Pattern | None]:
    """The plain paths, as a set, and one regular expression for the globs (a build
    asks it of every file; compiling every pattern into it took longer than the
    no-op build's reading of the blog)."""
    paths = frozenset(p for p in patterns if p and not GLOB.search(p))
    parts = [f"(?:{fnmatch.translate(p)})|(?:{re.escape(p)}(?:/.*)?\\Z)"
             for p in patterns if GLOB.search(p)]
    return paths, re.compile("|".join(parts), re.S) if parts else None


def _is_dir(entry: os.DirEntry) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def _join(a: str, b: str) -> str:
    return f"{a}/{b}" if a else b


def read(root: Path, config: dict, out: Path, *, drafts: bool,
         links: Links | None = None) -> Inventory:
    return Reader(root, config, out, drafts=drafts, links=links).read()
