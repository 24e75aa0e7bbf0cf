"""Reading the blog's sources: posts, drafts and pages with their front matter and URLs."""

from __future__ import annotations

import codecs
import fnmatch
import functools
import html
import os
import posixpath
import re
import time
import unicodedata
import urllib.parse
from dataclasses import dataclass
from typing import Callable, NamedTuple
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo


from site_builder.errors import BuildError
from site_builder.frontmatter import split_front_matter
from site_builder.logs import stage_log
from site_builder.site.cache import blake2b
from site_builder.site.urls import escape_path, leaves

LOG = stage_log("site")


POST_NAME = re.compile(r"^(\d{2,4})-(\d{1,2})-(\d{1,2})-(.*)(\.[^.]+)$")
MARKDOWN_SUFFIXES = (".md", ".markdown", ".mkdown", ".mkdn", ".mkd")
PERMALINK_STYLES = {  # Jekyll's built-in names
    "date": "/:categories/:year/:month/:day/:title:output_ext",
    "pretty": "/:categories/:year/:month/:day/:title/",
    "ordinal": "/:categories/:year/:y_day/:title:output_ext",
    "none": "/:categories/:title:output_ext",
    "weekdate": "/:categories/:year/W:week/:short_day/:title:output_ext",
}
OUTPUT_EXT = {**{ext: ".html" for ext in MARKDOWN_SUFFIXES}, ".scss": ".css", ".sass": ".css"}
# Jekyll's slugify: runs of characters other than letters, marks and decimal digits
# (Ruby's \p{L}\p{M}\p{Nd}) become one '-' ("pretty" keeps a few more); ASCII
# text, the usual case, by a regular expression, other text character by character.
SLUG_MODES = ("raw", "default", "pretty", "ascii", "latin")
SLUG_KEPT = {"default": "", "latin": "", "pretty": "._~!$&'()+,;=@",
             "ascii": None, "raw": None}
SLUG_ASCII = {"default": re.compile(r"[^A-Za-z0-9]+"), "latin": re.compile(r"[^A-Za-z0-9]+"),
              "pretty": re.compile(r"[^A-Za-z0-9._~!$&'()+,;=@]+"),
              "ascii": re.compile(r"[^A-Za-z0-9]+"), "raw": re.compile(r"[ \t\n\v\f\r]+")}
# I18n.transliterate's table (Latin-1 and Latin Extended-A letters; anything else
# not ASCII is '?'): the letter without its accents, but for these.
LATIN_SPECIAL = {"Æ": "AE", "Ð": "D", "×": "x", "Ø": "O", "Þ": "Th", "ß": "ss", "æ": "ae",
                 "ð": "d", "ø": "o", "þ": "th", "Đ": "D", "đ": "d", "Ħ": "H", "ħ": "h",
                 "ı": "i", "ĸ": "k", "Ŀ": "L", "ŀ": "l", "Ł": "L", "ł": "l", "ŉ": "'n",
                 "Ŋ": "NG", "ŋ": "ng", "Œ": "OE", "œ": "oe", "Ŧ": "T", "ŧ": "t"}
DATE_FORMATS = ("%Y-%m-%d %H:%M:%S %z", "%Y-%m-%d %H:%M:%S%z", "%Y-%m-%d %H:%M:%S",
                "%Y-%m-%d %H:%M %z", "%Y-%m-%d %H:%M", "%Y-%m-%d")
EXCERPT_WORDS = 40
# A collection named "pages" (jekyll-gitbook's _pages/) is no site page (whose kind
# is "pages"): its documents' kind is this one, its label "pages" (label()).
PAGES_COLLECTION = "pages (collection)"
LINK_DEFINITION = re.compile(r"^ {0,3}(\[[^\]]+\])(:.+)$", re.M)   # Jekyll's MKDWN_LINK_REF_REGEX
TAG = re.compile(r"<[^>]+>")
PAGE_DATE = datetime(1970, 1, 1)


@dataclass
class Post:
    """A post, draft, page or collection document: its front matter, body and URL."""

    name: str           # the source path as messages show it (relative to the blog root)
    slug: str
    date: datetime
    meta: dict
    text: str | None    # the body; None until asked for, when the file was not read (Memo.read)
    body_line: int      # the file's line where the body starts, so errors point into the file
    key: str = ""       # what {% post_url %} names: the file's stem
    url: str = ""       # without baseurl, like Jekyll's page.url
    content: str = ""   # rendered HTML
    excerpt: str = ""   # rendered HTML of the part before the excerpt separator
    source: str = ""    # the hash of the file's text
    draft: bool = False  # from _drafts/
    kind: str = "posts"  # posts, pages, or a collection's name
    ext: str = ".md"    # the source's extension: Markdown is converted, the rest is not
    path_categories: tuple = ()  # the folders above a `_posts/` folder
    front: str = ""     # the raw front matter, to point errors at a key's line
    liquid: bool | None = None   # whether the body has {{ or {% (None: look)
    path: Path | None = None     # the file, and where its body starts in its text,
    offset: int = 0              # to read the body when `text` is None
    undated: bool = False        # a collection's document dated by the build (BuildTime)
    future: bool = False         # a document dated after the build: listed, not written
    crlf: bool = False           # its file's lines end in CR LF (read as LF)
    malformed: bool = False      # its front matter did not read: built without it, as Jekyll
    _words: tuple = (None, 0)  # (the content counted, its word count)

    @property
    def body(self) -> str:
        if self.text is None:
            self.text = _read_text(self.path, self.name)[self.offset:]
        return self.text

    def page(self, words: bool = True) -> dict:
        """The `page` variable, in Liquid and in the layouts; `words` (our theme's reading
        time) only if asked for: counting them reads the whole of the rendered HTML."""
        meta = self.meta
        title = meta.get("title")
        if title is None or title is False:   # Ruby's `||=`: an empty title ('') stays
            # (Jekyll stops reading a document at front matter that does not read: no
            # title from its name then)
            title = (" ".join(w.capitalize() for w in self.slug.split("-"))
                     if self.kind != "pages" and not self.malformed else "")
        excerpt = meta.get("excerpt") or meta.get("description") or _text(self.excerpt)
        found = categories(meta, self.path_categories)
        return {**meta, "title": str(title), "date": self.date,
                "slug": meta.get("slug") if self.malformed else self.slug,
                "url": self.url, "id": meta.get("id") if self.kind == "pages" else self.post_id(),
                "tags": jekyll_tags(meta),
                "categories": found,
                "path": self.name, "collection": meta.get("collection") if self.kind == "pages" else label(self.kind), "excerpt": str(excerpt), "content": self.content,
                **({"words": self.word_count()} if words else {})}

    def word_count(self) -> int:
        """Words in the rendered post (for reading times), counted once per content."""
        if self._words[0] is not self.content:
            self._words = (self.content, len(html.unescape(TAG.sub(" ", self.content)).split()))
        return self._words[1]

    def where(self, *keys: str) -> str:
        """`name:line` of the first of `keys` in the front matter (line 1 without any)."""
        lines = [_key_line(self.front, key) for key in keys if key in self.meta]
        return f"{self.name}:{(lines or [1])[0]}"

    def post_id(self) -> str:
        """Jekyll's Document#id (jekyll-feed's entry id): the URL's folder and the slug
        (/2020/01/02/b for /2020/01/02/b.html, /blog/b for /blog/b/)."""
        trimmed = self.url.rstrip("/")   # Ruby's File.dirname ignores a trailing slash
        folder = trimmed.rsplit("/", 1)[0] if "/" in trimmed else ""
        return f"{folder.rstrip('/')}/{self.slug}"


class Split(NamedTuple):
    """A source's front matter and body, as Memo gives them."""
    meta: dict
    body: str | None    # None: the file was not read (its body is at `offset`)
    body_line: int
    front: str
    key: str            # the hash of the file's text
    offset: int
    liquid: bool
    crlf: bool = False  # the file's lines end in CR LF (read as LF)
    malformed: bool = False  # its front matter did not read (Memo's `lax`): meta is {}


class Memo:
    """Front matter already parsed, by the hash of the file's text: the last build's
    (`last`), and this build's (`now`, what the next build gets). Bodies are not kept
    (they are cut from the text again), so the cache stays small and quick to load.
    With each file's stat as the last build read it (`files`), a file unchanged since
    is not even read: a no-op build of a thousand posts read them all for nothing."""

    # A file changed this close before the last build began may have changed after
    # it read the file within the same tick of the file system's clock (ext4's is a
    # few milliseconds; FAT's and some network shares' two seconds): read again.
    RACY_NS = 2_500_000_000

    def __init__(self, last: dict | None = None, files: dict | None = None,
                 last_read_at: int = 0, lax: Callable[[str], bool] | None = None) -> None:
        self.last, self.now = last or {}, {}
        # Which files' malformed front matter is Jekyll's warning, not an error (lax_front_matter)
        self.lax = lax or (lambda name: False)
        self.last_files, self.last_read_at = files or {}, last_read_at
        self.files: dict[str, tuple] = {}   # name -> (stat, key), for the next build
        self.read_at = time.time_ns()
        self.racy = False   # a file read again only for being too new: save read_at

    def split(self, text: str, name: str, crlf: bool = False, document: bool = False,
              data: bytes | None = None) -> Split:
        """split_front_matter plus the text's hash; the front matter is a copy each
        time (callers may add keys). `crlf`: the file's lines end in CR LF; `document`:
        a post's or a collection's (not a page's); `data`: the text in UTF-8, if at hand."""
        h = blake2b(text.encode("utf-8", "surrogatepass") if data is None else data,
                    digest_size=16)
        if crlf:
            h.update(b"\r\n")
        key = h.hexdigest()
        if key not in self.now:
            found = self.last.get(key)
            if found is None:
                malformed: list | None = [] if self.lax(name) else None
                meta, body, body_line, front = split_front_matter(
                    text, name, unclosed_is_body=True, malformed=malformed, document=document)
                if body is text and text.split("\n", 1)[0].rstrip() == "---":
                    LOG.warning(f"warning: {name}:1: front matter starts with '---' but never "
                                f"ends; built with none, the whole file its body, as Jekyll "
                                f"does (close it with a '---' line if it is front matter)")
                found = (meta, len(text) - len(body), body_line, front,
                         "{{" in body or "{%" in body, crlf)
                if malformed:   # not kept: read, and said, again in every build (as Jekyll)
                    LOG.warning(f"warning: {malformed[0]}; built without it, as Jekyll does "
                                f"(a post then takes no date or title from its file name: "
                                f"dated by the build); fix the YAML between the '---' lines "
                                f"(`strict_front_matter: true` makes it an error)")
                    return _split(key, found, text)._replace(malformed=True)
            self.now[key] = found
        return _split(key, self.now[key], text)

    def read(self, path: Path, name: str, document: bool = False) -> tuple[Split, os.stat_result]:
        """The file's split, and its stat; its text is read only if it changed since
        the last build."""
        st = os.stat(path)
        stat = (st.st_size, st.st_mtime_ns, st.st_ctime_ns)
        seen = self.last_files.get(name)
        same = seen is not None and seen[0] == stat
        if same and st.st_ctime_ns < self.last_read_at - self.RACY_NS:
            found = self.now.get(seen[1]) or self.last.get(seen[1])
            if found is not None:
                self.now[seen[1]] = found
                self.files[name] = seen
                return _split(seen[1], found, None), st
        self.racy = self.racy or same
        text, crlf, data = _read_source(path, name)
        split = self.split(text, name, crlf, document, data)
        self.files[name] = (stat, split.key)
        return split, st


def _split(key: str, found: tuple, text: str | None) -> Split:
    """A Split from a memo entry (meta, offset, body_line, front, liquid, crlf); the
    body cut from `text`, or None when the file was not read. The meta is a copy."""
    meta, offset, body_line, front, liquid, crlf = found
    return Split(dict(meta), None if text is None else text[offset:], body_line, front, key,
                 offset, liquid, crlf)


def read_found(found: list, *, kind: str = "posts", dated: bool = True,
               memo: Memo | None = None) -> list[Post]:
    """Posts, drafts (`dated=False`: dated by the file's modification time, as Jekyll
    does) or a collection's documents, from the reader's list; unpublished ones left out."""
    posts, errors = [], []
    for item in found:
        try:
            post = _read_post(item.path, item.rel, dated, memo or Memo(), kind)
        except BuildError as exc:
            errors.append(str(exc))
            continue
        if post is not None:
            post.path_categories = tuple(item.categories)
            posts.append(post)
    raise_all(errors)
    return posts


def newest_first(posts: list[Post]) -> list[Post]:
    # As Jekyll's site.posts: by date then path, reversed (a tie: the later path first).
    return sorted(posts, key=lambda p: (p.date, p.name), reverse=True)


def collection_order(docs: list[Post], settings: dict, label: str) -> list[Post]:
    """A collection's documents in Jekyll's order (Collection#sort_docs!): those its
    `order:` lists first, as listed; else by its `sort_by:` key (documents without
    one last); else, and between equals, by date then path (Document#<=>: a document
    dated by neither its name nor its front matter compares by path alone, as its
    date is not set yet when Jekyll sorts)."""
    def by_date(a: Post, b: Post) -> int:
        if not a.undated and not b.undated and a.date != b.date:
            return -1 if a.date < b.date else 1
        return (a.name > b.name) - (a.name < b.name)
    ordered = sorted(docs, key=functools.cmp_to_key(by_date))
    listed = settings.get("order")
    if isinstance(listed, list):
        place = {entry: i for i, entry in enumerate(map(str, listed))}   # from _label/
        return sorted(ordered, key=lambda d: place.get(d.name.split(f"_{label}/", 1)[-1],
                                                       len(place)))
    key = settings.get("sort_by")
    if isinstance(key, str):
        def by_key(a: Post, b: Post) -> int:
            x, y = a.meta.get(key), b.meta.get(key)
            if x is None or y is None:
                return (x is None) - (y is None) or by_date(a, b)
            try:
                return (x > y) - (x < y) or by_date(a, b)
            except TypeError:   # Ruby's <=> gives nil: the documents' own order
                return by_date(a, b)
        return sorted(ordered, key=functools.cmp_to_key(by_key))
    return ordered


class BuildTime(datetime):
    """The build's time (Jekyll's site.time), which dates a collection's document that
    has no date of its own (Document#date): in its permalink's :year, in page.date.
    Its repr, which render keys are made of, is the same in every build, so that a
    rebuild does not render such documents again for the clock alone."""

    def __repr__(self) -> str:
        return "BuildTime()"


def build_time(config: dict) -> BuildTime:
    """site.time: the config's `time:`, else now, in the site's zone."""
    from site_builder.site.ruby_time import now
    when = site_time(_post_date(config["time"], "_config.yml", ""), config) \
        if config.get("time") else now(config)
    return BuildTime(*when.timetuple()[:6], when.microsecond)


def read_pages(found: list, memo: Memo | None = None) -> list[Post]:
    """Pages: any file with front matter outside the special folders (as in Jekyll),
    rendered through Liquid (and Markdown for Markdown files), not dated, not listed
    on the index. Unpublished ones (`published: false`) are left out."""
    pages, errors = [], []
    for item in found:
        try:
            split = (memo or Memo()).read(item.path, item.rel)[0]
        except BuildError as exc:
            errors.append(str(exc))
            continue
        if split.meta.get("published", True) is False:
            continue
        pages.append(Post(name=item.rel, slug=item.path.stem, date=PAGE_DATE, meta=split.meta,
                          text=split.body, body_line=split.body_line, source=split.key,
                          kind="pages", ext=item.path.suffix, front=split.front,
                          liquid=split.liquid, path=item.path, offset=split.offset,
                          crlf=split.crlf))
    raise_all(errors)
    return pages


def _read_text(path: Path, name: str, ends: list | None = None) -> str:
    """The file's text, its line ends read as LF; `ends`: given the line ends it had.
    A byte order mark at its start is not text (Jekyll reads documents as
    `bom|utf-8`; a page with one is no page to its reader, so never read here)."""
    try:
        with open(path, encoding="utf-8-sig", newline=None) as file:
            text = file.read()
            if ends is not None and file.newlines:
                ends += [file.newlines] if isinstance(file.newlines, str) else file.newlines
            return text
    except UnicodeDecodeError as exc:
        raise BuildError(f"{name}: not UTF-8 text ({exc.reason} at byte {exc.start}); "
                         f"save it as UTF-8") from None
    except FileNotFoundError:   # removed while the build ran (its body is read late)
        raise BuildError(f"{name}: removed during the build; build again") from None


def _read_source(path: Path, name: str) -> tuple[str, bool, bytes | None]:
    """(the file's text as _read_text reads it, whether its lines ended in CR LF, its
    UTF-8 bytes): those are the file's own bytes, read and decoded at once,
    when it has no CR and no byte order mark (most files), which Memo.split hashes
    without encoding the text again (the text wrapper's decoding and the encoding
    were a tenth of reading Jekyll's docs); else None."""
    try:
        with open(path, "rb") as file:
            data = file.read()
    except FileNotFoundError:   # removed while the build ran
        raise BuildError(f"{name}: removed during the build; build again") from None
    if b"\r" not in data and not data.startswith(codecs.BOM_UTF8):
        try:
            return data.decode("utf-8"), False, data
        except UnicodeDecodeError:   # said by _read_text, where it is said
            pass
    ends: list = []
    return _read_text(path, name, ends), "\r\n" in ends, None


def _read_post(path: Path, name: str, dated: bool, memo: Memo, kind: str) -> Post | None:
    split, st = memo.read(path, name, document=kind != "pages")
    return _post(path, name, split, dated, kind, st.st_mtime)


def post_from_text(path: Path, name: str, text: str, dated: bool = True, memo: Memo | None = None,
                   kind: str = "posts") -> Post | None:
    """The item `text` makes at `path` (which need not exist yet, when dated)."""
    return _post(path, name, (memo or Memo()).split(text, name, document=kind != "pages"),
                 dated, kind)


def _post(path: Path, name: str, split: Split, dated: bool, kind: str,
          mtime: float | None = None) -> Post | None:
    meta = split.meta
    if meta.get("published", True) is False:
        return None
    match = POST_NAME.match(path.name)
    # Jekyll reads a document's name (its date and title) after its front matter: not
    # at all when that does not read (Document#read), so it is named by its whole stem
    named = match is not None and (dated or kind != "posts") and not split.malformed
    slug = match.group(4) if named else path.stem
    # The front matter's date; else the file name's; else, for a draft, the file's
    # time, and for a collection's document the build's (`undated`: dated later).
    undated = "date" not in meta and not named and (kind != "posts" or (dated and split.malformed))
    if "date" in meta:
        when = meta["date"]
    elif named:
        when = "-".join(f"{int(g):02d}" for g in match.group(1, 2, 3))
    elif not undated:
        when = datetime.fromtimestamp(path.stat().st_mtime if mtime is None else mtime)
    return Post(name=name, slug=str(meta.get("slug") or slug), meta=meta, text=split.body,
                date=PAGE_DATE if undated else _post_date(when, name, split.front),
                undated=undated,
                body_line=split.body_line, key=path.stem if kind == "posts" else "",
                source=split.key, draft=not dated and kind == "posts", kind=kind,
                ext=path.suffix, front=split.front, liquid=split.liquid, path=path,
                offset=split.offset, crlf=split.crlf, malformed=split.malformed)


def _post_date(value: object, name: str, front: str) -> datetime:
    """The date as Jekyll reads it; site_time() then moves it to the site's zone. A
    YAML timestamp without an offset is UTC (Ruby's YAML reads it so); a date alone,
    the file name's date, or a date string YAML does not read are the site's time."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    text = str(value).strip()
    for fmt in DATE_FORMATS:
        parsed = _strptime(text, fmt)
        if parsed is not None:
            return parsed
    # Ruby's Time.parse is lenient: a date, a time, and an offset anywhere after them.
    # (the offset may follow the time at once: tumblr's '2010-11-28T20:20:29-06:00';
    # without a time, Ruby reads none: `2018-12-21 +0800` is that day in the site's zone)
    found = re.match(r"\s*(\d{4}-\d{1,2}-\d{1,2})(?:[ T](\d{1,2}:\d{2}(?::\d{2})?))?"
                     r".*?(?:\s?([+-]\d{2}:?\d{2}|Z))?\s*$", str(value))
    if found:
        stamp = found.group(1) + " " + (found.group(2) or "00:00:00")
        if stamp.count(":") == 1:
            stamp += ":00"
        parsed = _strptime(stamp, "%Y-%m-%d %H:%M:%S")
        if parsed is not None and found.group(3) and found.group(2):   # a zone counts after a time only:
            offset = "+0000" if found.group(3) == "Z" else found.group(3).replace(":", "")
            parsed = _strptime(f"{parsed:%Y-%m-%d %H:%M:%S} {offset}", "%Y-%m-%d %H:%M:%S %z")
        if parsed is not None:
            return parsed
    parsed = _free_form_date(str(value))
    if parsed is not None:
        return parsed
    line = _key_line(front, "date")
    raise BuildError(f"{name}:{line}: date: cannot read {value!r}; "
                     f"write it as YYYY-MM-DD or YYYY-MM-DD HH:MM:SS")


def _strptime(text: str, fmt: str) -> datetime | None:
    """datetime.strptime(text, fmt), None where it raises ValueError, for formats of
    %Y %m %d %H %M %S %z (DATE_FORMATS'). Done here as _strptime does it, with its
    patterns for these directives (which no locale changes): its first call in a
    process costs ~2.7 ms (it imports _strptime and builds its patterns for the
    locale), and each format that does not fit a date raises an exception in a
    dozen Python calls; the dates of Jekyll's docs cost ~6 ms of a cold build's
    serial start there. An offset written other than +HHMM or Z is left to it."""
    found = _strptime_pattern(fmt).match(text)
    if found is None or found.end() != len(text):
        return None
    field = found.groupdict()
    zone, offset = field.get("z"), None
    if zone is not None and zone != "Z":
        if len(zone) != 5:   # with colons, seconds, a fraction: strptime's own reading
            try:
                return datetime.strptime(text, fmt)
            except ValueError:
                return None
        offset = (int(zone[1:3]) * 3600 + int(zone[3:5]) * 60) * (-1 if zone[0] == "-" else 1)
    try:
        return datetime(int(field["Y"]), int(field["m"]), int(field["d"]),
                        int(field.get("H") or 0), int(field.get("M") or 0),
                        int(field.get("S") or 0), 0,
                        *(() if zone is None else (timezone(timedelta(seconds=offset or 0)),)))
    except ValueError:   # no such day, hour..., or an offset of a day or more
        return None


# _strptime's patterns for these directives (TimeRE)
STRPTIME_FIELDS = {
    "Y": r"(?P<Y>\d\d\d\d)", "m": r"(?P<m>1[0-2]|0[1-9]|[1-9])",
    "d": r"(?P<d>3[0-1]|[1-2]\d|0[1-9]|[1-9]| [1-9])", "H": r"(?P<H>2[0-3]|[0-1]\d|\d)",
    "M": r"(?P<M>[0-5]\d|\d)", "S": r"(?P<S>6[0-1]|[0-5]\d|\d)",
    "z": r"(?P<z>[+-]\d\d:?[0-5]\d(:?[0-5]\d(\.\d{1,6})?)?|(?-i:Z))"}


@functools.lru_cache(maxsize=None)
def _strptime_pattern(fmt: str) -> re.Pattern:
    # As TimeRE.pattern: a directive its pattern, white space any run of it, the
    # rest itself; matched ignoring case, as strptime does
    parts = re.split(r"%(.)", fmt)
    pattern = "".join(STRPTIME_FIELDS[part] if i % 2 else
                      r"\s+".join(re.escape(word) for word in re.split(r"\s+", part))
                      for i, part in enumerate(parts))
    return re.compile(pattern, re.IGNORECASE)


def _free_form_date(text: str) -> datetime | None:
    """What Ruby's Time.parse makes of a date in words (`Fri Sep  3 11:21:31 CEST
    2021`, `March 5, 2019 10:00 PM`): with its offset when it names a zone Ruby knows,
    else the site's time; None for no date."""
    from site_builder.site.ruby_time import time_parse
    return time_parse(text, {}, local=False)


def site_time(value: datetime, config: dict) -> datetime:
    """A date as a wall-clock time in the site's `timezone` (UTC without one), as
    Jekyll runs under TZ=timezone: a date written with an offset is converted, one
    without is already the site's time."""
    if value.tzinfo is None:
        return value
    zone = config.get("timezone")
    return value.astimezone(ZoneInfo(zone) if zone else timezone.utc).replace(tzinfo=None)


def apply_defaults(items: list[Post], config: dict, kind: str) -> None:
    """Jekyll's front matter `defaults:` in _config.yml: every set whose scope (`path`
    prefix or glob, `type` posts/drafts/pages) matches an item gives it its `values`,
    the more specific scope winning; the item's own front matter wins over all."""
    sets = config.get("defaults") or []
    if not isinstance(sets, list) or not all(isinstance(s, dict) for s in sets):
        raise BuildError("_config.yml: defaults: must be a list of `- scope: {path, type}` "
                         "`values: {...}` entries, as in Jekyll")
    if not sets or not items:
        return
    # The sets of this kind, the more specific last (each item's matches in that
    # order), and their values merged once for each combination of them that matches.
    kinds = [(_specificity(s), i, s) for i, s in enumerate(sets)
             if _in_scope(s.get("scope") or {}, None, kind, "")]
    kinds.sort(key=lambda f: f[:2])
    merged_for: dict[tuple, dict] = {}
    for item in items:
        found = tuple(i for _, i, s in kinds
                      if _in_scope(s.get("scope") or {}, item.name, kind, config["posts_dir"]))
        merged = merged_for.get(found)
        if merged is None:
            merged = merged_for[found] = {}
            for i in found:
                values = sets[i].get("values") or {}
                merged.update(values if isinstance(values, dict) else {})
        item.meta = {**merged, **item.meta}


def static_defaults(rel: str, config: dict) -> dict:
    """What front matter `defaults:` give a static file at `rel` (StaticFile#data:
    the sets scoped by path alone, or not at all; a `type` is never a static file's)."""
    merged: dict = {}
    sets = config.get("defaults") if isinstance(config.get("defaults"), list) else []
    found = [(_specificity(s), i, s.get("values")) for i, s in enumerate(sets)
             if isinstance(s, dict) and not (s.get("scope") or {}).get("type")
             and _in_scope(s.get("scope") or {}, rel, "", config["posts_dir"])]
    for _, _, values in sorted(found, key=lambda f: f[:2]):
        merged.update(values if isinstance(values, dict) else {})
    return merged


def _in_scope(scope: dict, name: str | None, kind: str, posts_dir: str) -> bool:
    """Whether the set of `scope` applies to an item of `kind` at `name` (None: to any
    item of the kind, its type alone)."""
    if scope.get("type") and scope["type"] != kind and not (
            scope["type"] == "posts" and kind == "drafts"):
        return False
    path = str(scope.get("path") or "").strip("/")
    if not path or name is None:
        return True
    paths = [path]
    if path.startswith("_posts"):  # Jekyll's name for the posts folder, wherever posts_dir is
        paths.append(posts_dir + path[len("_posts"):])
    for path in paths:
        if "*" in path:
            if fnmatch.fnmatch(name, path) or fnmatch.fnmatch(name, path + "/*"):
                return True
        elif name.startswith(path):  # a plain prefix, as Jekyll's path_is_subpath?
            return True
    return False


def _specificity(entry: dict) -> tuple[int, int]:
    scope = entry.get("scope") or {}
    return len(str(scope.get("path") or "").strip("/")), 1 if scope.get("type") else 0


def assign_urls(posts: list[Post], config: dict) -> None:
    """Every post's URL, before any is rendered ({% post_url %} needs them all)."""
    errors = []
    for post in posts:
        try:
            post.url = permalink(post, config)
        except BuildError as exc:
            errors.append(str(exc))
    raise_all(errors)


def post_url_names(posts: list[Post]) -> dict[str, str]:
    """What {% post_url NAME %} finds: each post by its file name; then, as Jekyll's older
    rule does when no name matches, by its date (in the site's zone) and slug, so that a
    post whose front matter date is another day than its name's is found by either."""
    ordered = sorted((p for p in posts if p.key), key=lambda p: (p.date, p.name), reverse=True)
    names = {f"{p.date:%Y-%m-%d}-{p.slug}": p.url for p in ordered}   # the earliest wins
    names.update((p.key, p.url) for p in posts if p.key)
    return names


LINE_END_DASH = re.compile(r"^-|-$", re.M)


def slugify(text: object, mode: str = "default", cased: bool = False) -> str:
    """Jekyll's Utils.slugify: a mode it does not know ("none") only lowercases;
    then one '-' at each end of a line goes, as Ruby's `gsub(/^-|-$/, "")`."""
    if text is None:
        return ""
    value = str(text)
    if mode not in SLUG_MODES:
        return value if cased else value.lower()
    if mode == "latin":
        value = _transliterate(value)
    if value.isascii() or SLUG_KEPT[mode] is None:
        value = SLUG_ASCII[mode].sub("-", value)
    else:
        value = _slug_runs(value, SLUG_KEPT[mode])
    value = LINE_END_DASH.sub("", value)
    return value if cased else value.lower()


def _slug_runs(text: str, kept: str) -> str:
    out, run = [], False
    for ch in text:
        cat = unicodedata.category(ch)
        if cat[0] in "LM" or cat == "Nd" or ch in kept:
            out.append(ch)
            run = False
        elif not run:
            out.append("-")
            run = True
    return "".join(out)


def _transliterate(text: str) -> str:
    if text.isascii():
        return text
    return "".join(ch if ch.isascii() else _latin(ch) for ch in text)


def _latin(ch: str) -> str:
    if ch in LATIN_SPECIAL:
        return LATIN_SPECIAL[ch]
    if "\u00c0" <= ch <= "\u017e":
        plain = "".join(c for c in unicodedata.normalize("NFKD", ch)
                        if not unicodedata.combining(c))
        if plain.isascii():
            return plain
    return "?"


def output_ext(post: Post) -> str:
    return OUTPUT_EXT.get(post.ext.lower(), post.ext)


def destination(post: Post) -> str:
    """The file Jekyll writes for a page or document (Page#destination,
    Document#destination): its URL, `index` (a document's `index.html`) for one
    ending in `/`, and its output extension added unless the URL ends with it, the
    extension of its own `permalink:` when that has one (`/:year/:month/:day/:title`
    with a post `dubbo3.x-01-overview` is .../dubbo3.x-01-overview.html, not a file
    without one; a `.adoc` post at `....html` is `....html.adoc`). The URL's
    %-escapes decoded, as urls.dest does."""
    permalink = post.meta.get("permalink")
    ext = ""
    if isinstance(permalink, str) and not permalink.endswith("/"):
        ext = posixpath.splitext(permalink)[1]
    ext = ext or output_ext(post)
    rel = urllib.parse.unquote(post.url).lstrip("/")   # (URL.unescape_path)
    if not rel or rel.endswith("/"):
        return rel + ("index" + ext if post.kind == "pages" else "index.html")
    return rel if rel.endswith(ext) else rel + ext


def permalink_style(config: dict) -> str:
    return str(config.get("permalink") or "date")


def _suffix(template: str, style: str) -> str:
    """Jekyll's add_permalink_suffix."""
    if style == "pretty":
        return template + "/"
    if style in ("date", "ordinal", "none"):   # not weekdate: Jekyll 4.3 gives it none
        return template + ":output_ext"
    return template + ("/" if style.endswith("/") else "") + (
        ":output_ext" if style.endswith(":output_ext") else "")


def _template(post: Post, config: dict) -> str:
    """The permalink pattern of an item, as Jekyll picks it."""
    if post.meta.get("permalink"):
        return str(post.meta["permalink"])
    style = permalink_style(config)
    if post.kind == "pages":
        if output_ext(post) != ".html":
            return "/:path/:basename:output_ext"
        if post.slug == "index":
            return "/:path/"
        return _suffix("/:path/:basename", style)
    collection = (config.get("collections") or {})
    settings = collection.get(label(post.kind)) if isinstance(collection, dict) else None
    if isinstance(settings, dict) and settings.get("permalink"):
        style_or_pattern = str(settings["permalink"])
        return PERMALINK_STYLES.get(style_or_pattern, style_or_pattern)
    if post.kind == "posts":
        return PERMALINK_STYLES.get(style, style)
    return _suffix("/:collection/:path", style)


def _stem(post: Post) -> str:
    return post.name.rsplit("/", 1)[-1].rsplit(".", 1)[0]


# Each placeholder's value, made only when the pattern names it (most name four of
# twenty): a page's, and a post's or a collection document's.
PAGE_VALUES = {
    "path": lambda p: p.name.rsplit("/", 1)[0] if "/" in p.name else "",
    # (Page#process: the basename without the dots that end it, `v1.2..md` is v1.2)
    "basename": lambda p: _stem(p).rstrip("."), "output_ext": lambda p: output_ext(p),
    "title": lambda p: slugify(p.slug, "pretty", cased=True), "slug": lambda p: slugify(p.slug)}
ITEM_VALUES = {
    "year": lambda p: f"{p.date.year:04d}", "month": lambda p: f"{p.date.month:02d}",
    "day": lambda p: f"{p.date.day:02d}", "i_month": lambda p: str(p.date.month),
    "i_day": lambda p: str(p.date.day), "short_year": lambda p: f"{p.date.year % 100:02d}",
    "hour": lambda p: f"{p.date.hour:02d}", "minute": lambda p: f"{p.date.minute:02d}",
    "second": lambda p: f"{p.date.second:02d}",
    "y_day": lambda p: f"{p.date.timetuple().tm_yday:03d}", "week": lambda p: f"{p.date:%V}",
    "w_year": lambda p: str(p.date.isocalendar()[0]), "w_day": lambda p: str(p.date.isoweekday()),
    "short_day": lambda p: f"{p.date:%a}", "long_day": lambda p: f"{p.date:%A}",
    "short_month": lambda p: f"{p.date:%b}", "long_month": lambda p: f"{p.date:%B}",
    "title": lambda p: slugify(p.slug, "pretty", cased=True), "slug": lambda p: slugify(p.slug),
    "name": lambda p: slugify(_stem(p)),
    "categories": lambda p: "/".join(c.lower() for c in categories(p.meta, p.path_categories)),
    "collection": lambda p: label(p.kind),
    "path": lambda p, config: _document_path(p, config),
    "output_ext": lambda p: output_ext(p)}
ITEM_PATH = ITEM_VALUES["path"]


def _document_path(post: Post, config: dict) -> str:
    """Document#cleaned_relative_path: its path from the collections' folder
    (`collections_dir`), extension off, the collection's folder name taken out where
    it first appears (`en/_posts/a.md` is `en//a`, `_posts/2019/b.md` `/2019/b`), the
    dots that end it dropped."""
    name = post.name
    folder = str(config.get("collections_dir") or "").strip("/")
    if folder and name.startswith(folder + "/"):
        name = name[len(folder) + 1:]
    stem = posixpath.splitext(name)[0]
    return stem.replace(f"_{label(post.kind)}", "", 1).rstrip(".")


PLACEHOLDER = re.compile(r":([a-z_]+)")
SLASHES = re.compile("/+")


@functools.lru_cache(maxsize=256)
def _pattern_parts(pattern: str) -> tuple[str, ...]:
    """The pattern's text and placeholders, alternating (text first and last)."""
    return tuple(PLACEHOLDER.split(pattern))


def permalink(post: Post, config: dict) -> str:
    pattern = _template(post, config)
    pattern = PERMALINK_STYLES.get(pattern, pattern)
    values = PAGE_VALUES if post.kind == "pages" else ITEM_VALUES
    parts = list(_pattern_parts(pattern))
    for i in range(1, len(parts), 2):
        make = values.get(parts[i])
        if make is None:
            raise BuildError(f"{post.name}: permalink {pattern!r}: unknown placeholder "
                             f"':{parts[i]}'; known: {', '.join(':' + k for k in values)}")
        parts[i] = escape_path(make(post, config) if make is ITEM_PATH else make(post))
    url = SLASHES.sub("/", "/" + "".join(parts))
    why = leaves(url)
    if why:
        # Point at the value that made it: a slug or category, else the permalink.
        keys = [k for k in ("slug", "categories", "category")
                if k in post.meta and leaves("/" + "/".join(words(post.meta[k])) + "/")]
        keys = keys or ["permalink"]
        where = post.where(*keys) if keys[0] in post.meta else "_config.yml: permalink"
        raise BuildError(f"{where}: the URL {url!r} {why}; change the {keys[0]} there")
    # Jekyll's URL#sanitize_url: `..` made `/`, `./` taken out, slashes squeezed (a
    # title ending in `..?`, slug `Traceback..`, is at /Traceback/; `end.` at /end)
    return SLASHES.sub("/", url.replace("..", "/").replace("./", "")) if "." in url else url


def collection_kind(name: str) -> str:
    """The kind of a collection's documents (not "pages", the site pages' kind)."""
    return PAGES_COLLECTION if name == "pages" else name


def label(kind: str) -> str:
    """A collection's name from its documents' kind."""
    return "pages" if kind == PAGES_COLLECTION else kind


def uses_liquid(post: Post) -> bool:
    if post.liquid is None:
        post.liquid = "{{" in post.body or "{%" in post.body
    return post.liquid


def excerpt_separator(post: Post, config: dict) -> str:
    if post.malformed:   # a document whose front matter did not read has no excerpt
        return ""
    return str(post.meta.get("excerpt_separator", config.get("excerpt_separator", "\n\n")))


def excerpt_source(post: Post, text: str, config: dict, liquid: bool = False) -> str:
    """The part of the post's `text` before the excerpt separator (Jekyll's default:
    the first paragraph). `liquid`: `text` is the source, whose Liquid blocks left
    open there are closed (Excerpt#sanctify_liquid_tags)."""
    separator = excerpt_separator(post, config)
    if not separator:  # no excerpt (Document#generate_excerpt?)
        return ""
    if post.crlf and "\n" in separator:
        # Jekyll looks for it in the file's text as it is: with CR LF line ends, a
        # separator of LFs is never there, and the excerpt is the whole post
        return text.lstrip("\n")
    head, _, tail = text.lstrip("\n").partition(separator)
    if liquid and tail and "{%" in head:
        head = _closed_blocks(head)
    # Jekyll's extract_excerpt: the link definitions further on that the excerpt
    # uses come with it (`[@BrewTestBot]` is a link in brew.sh's excerpts).
    if "[" not in head or not tail:
        return head
    uses = [found[1] + found[2] for found in LINK_DEFINITION.finditer(tail) if found[1] in head]
    return head + "\n\n" + "\n".join(uses) if uses else head


# Excerpt's LIQUID_TAG_REGEX, and Liquid's and Jekyll's block tags (Liquid::Block's)
LIQUID_TAG = re.compile(r"{%-?\s*(\w+)\s*.*?-?%}", re.S)
LIQUID_BLOCKS = {"if", "unless", "case", "for", "tablerow", "capture", "comment", "raw",
                 "ifchanged", "highlight"}


def _closed_blocks(head: str) -> str:
    """Jekyll's sanctify_liquid_tags: each block tag opened in the excerpt, last
    first, closed at its end unless an end tag of its name is there (one it added
    too: two `if`s left open get one `endif`, as in Jekyll)."""
    for name in reversed(LIQUID_TAG.findall(head)):
        if name in LIQUID_BLOCKS and not re.search(rf"{{%-?\s*end{name}.*?\s*-?%}}", head, re.S):
            head += f"\n{{% end{name} %}}"
    return head


def _text(content: str) -> str:
    found = html.unescape(re.sub(r"<[^>]+>", "", content)).split()
    return " ".join(found[:EXCERPT_WORDS]) + (" …" if len(found) > EXCERPT_WORDS else "")


RUBY_WORDS = re.compile(r"[^ \t\n\v\f\r]+")


def words(value: object) -> list[str]:
    """A list as it is; a string split as Ruby's String#split splits it, at ASCII
    white space only (`技术\u3000笔记` is one category, as in Jekyll; Python's split
    took the ideographic space too)."""
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    return RUBY_WORDS.findall(str(value))


def tags(meta: dict) -> list[str]:
    """As Jekyll gathers them (jekyll_tags), as text: `tag` (kept whole, a list or
    one) if the post has it, else `tags` (a string is split at spaces)."""
    return [str(t).lower() if isinstance(t, bool) else str(t) for t in jekyll_tags(meta)]


def jekyll_tags(meta: dict) -> list:
    """`page.tags` (and site.tags' keys) as Jekyll's Document#populate_tags makes
    them: `tag` if given (a list flattened, or one value), else `tags` (a string
    split at spaces, a list flattened, nils dropped; anything else is none). The
    values keep their YAML types: US-RSE's `tags: [workshop, 2022]` is the number
    2022, so its tag page's `site.tags["2022"]` (a string from `split`) finds nothing."""
    single = meta.get("tag")
    if single is not None:
        return [t for t in _flat([single]) if t is not None]
    plural = meta.get("tags")
    if isinstance(plural, str):
        return [word for word in re.split(r"[ \t\n\v\f\r\0]+", plural) if word]
    return [t for t in _flat(plural) if t is not None] if isinstance(plural, list) else []


def _flat(items: list) -> list:
    return [x for item in items for x in (_flat(item) if isinstance(item, list) else [item])]


def categories(meta: dict, from_path: tuple = ()) -> list[str]:
    """As Jekyll gathers them: the folders above `_posts/`, then `categories` (a string
    is split at spaces), then `category` (kept whole: "Nominal Logic" is one category),
    as written (page.categories keeps the author's case); URLs use them lowercased."""
    single = meta.get("category")
    names = [*from_path, *words(meta.get("categories")),
             *([str(c) for c in single] if isinstance(single, list)
               else [str(single)] if single is not None else [])]
    return list(dict.fromkeys(names))


def _key_line(front: str, key: str) -> int:
    for number, line in enumerate(front.splitlines(), start=2):
        if line.startswith(f"{key}:"):
            return number
    return 1


def raise_all(errors: list[str]) -> None:
    if errors:
        raise BuildError("\n".join(errors))


def xmlschema(value: datetime, config: dict) -> str:
    """Jekyll's date_to_xmlschema. Dates are kept as the author's wall-clock time, so
    the offset is the config's `timezone` (as Jekyll's TZ), or UTC without one."""
    zone = config.get("timezone")
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo(zone) if zone else timezone.utc)
    return value.isoformat(timespec="seconds")
