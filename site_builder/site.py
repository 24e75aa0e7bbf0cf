"""The static site: a Jekyll-style posts folder -> `_site/` (Jinja2 layouts, an index, assets).

Two phases, as in MkDocs's build: read and render every post first, so a bad post
fails the build before anything is written, and every bad post is reported at once;
then write everything into a fresh folder that replaces `_site/` only on success,
so a failed build leaves the last good site in place. This module knows nothing of
runs: hand-written and generated posts build alike.
"""

from __future__ import annotations

import html
import re
import shutil
import tempfile
import time
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Callable

import jinja2
import liquid
import markdown
import yaml
from markupsafe import Markup

from site_builder.config import load_site_config
from site_builder.errors import BuildError

# The default theme (layouts + css) ships in the repository next to the package.
THEME = Path(__file__).resolve().parent.parent
LAYOUTS = Path("templates") / "layouts"
THEME_CSS = Path("css") / "site.css"
DEFAULT_LAYOUT = "post"
POST_NAME = re.compile(r"^(\d{4})-(\d{2})-(\d{2})-(.+)\.(md|markdown)$")
MARKDOWN_EXTENSIONS = ["fenced_code", "tables", "footnotes", "attr_list", "md_in_html", "toc"]
PERMALINK_STYLES = {  # Jekyll's built-in names
    "date": "/:categories/:year/:month/:day/:title:output_ext",
    "pretty": "/:categories/:year/:month/:day/:title/",
    "ordinal": "/:categories/:year/:y_day/:title:output_ext",
    "none": "/:categories/:title:output_ext",
}
DATE_FORMATS = ("%Y-%m-%d %H:%M:%S %z", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d")
EXCERPT_WORDS = 40


@dataclass(frozen=True)
class BuildResult:
    posts: int      # posts rendered (unpublished and misnamed files not counted)
    pages: int      # HTML files written
    seconds: float
    out_dir: Path


@dataclass
class Post:
    name: str           # the source path as messages show it (relative to the blog root)
    slug: str
    date: datetime
    meta: dict
    body: str
    body_line: int      # the file's line where the body starts, so errors point into the file
    url: str = ""       # without baseurl, like Jekyll's page.url
    content: str = ""   # rendered HTML

    def page(self) -> dict:
        """The `page` variable, in Liquid and in the layouts."""
        meta = self.meta
        title = meta.get("title") or " ".join(w.capitalize() for w in self.slug.split("-"))
        excerpt = meta.get("excerpt") or meta.get("description") or _excerpt(self.content)
        return {**meta, "title": str(title), "date": self.date, "slug": self.slug,
                "url": self.url, "tags": _words(meta.get("tags")),
                "categories": _categories(meta), "excerpt": str(excerpt)}


def build(root: Path, *, out_dir: Path | None = None,
          log: Callable[[str], Any] = print) -> BuildResult:
    """Build the blog at `root` into `out_dir` (default `root/_site`); raise BuildError
    naming every bad post, leaving the previous site untouched."""
    started = time.perf_counter()
    root = Path(root)
    config = load_site_config(root)
    out = Path(out_dir) if out_dir is not None else root / "_site"
    _check_out_dir(root, out, config)
    posts = _read_posts(root, config, log)
    pages = _read_pages(root)
    _render_posts(posts + pages, config)
    layouts = _jinja_env(root, config)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f"{out.name}.new-", dir=out.parent))
    try:
        tmp.chmod(0o755)  # mkdtemp makes it private; a web server must read the site
        written = _write_pages(tmp, posts, pages, config, layouts, log)
        _copy_assets(root, config, tmp, log)
        _swap_in(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    seconds = time.perf_counter() - started
    shown = out.relative_to(root) if out.is_relative_to(root) else out
    log(f"{len(posts)} posts -> {shown}/ in {seconds:.2f} s")
    return BuildResult(posts=len(posts), pages=written, seconds=seconds, out_dir=out)


# -- phase 1: read and render -------------------------------------------------

def _read_posts(root: Path, config: dict, log: Callable) -> list[Post]:
    folder = root / config["posts_dir"]
    if not folder.is_dir():
        log(f"warning: no posts folder {config['posts_dir']}/ (posts_dir in _config.yml); "
            f"the index will be empty")
        return []
    posts, errors = [], []
    for path in sorted(folder.iterdir()):
        if path.suffix not in (".md", ".markdown") or not path.is_file():
            continue
        name = str(path.relative_to(root) if path.is_relative_to(root) else path)
        if not POST_NAME.match(path.name):
            log(f"warning: {name}: skipped; posts are named YYYY-MM-DD-slug.md")
            continue
        try:
            post = _read_post(path, name)
        except BuildError as exc:
            errors.append(str(exc))
            continue
        if post is not None:
            posts.append(post)
    _raise_all(errors)
    # Newest first; ties broken by slug so the order never depends on the file system.
    posts.sort(key=lambda p: p.slug)
    posts.sort(key=lambda p: p.date, reverse=True)
    return posts


def _read_pages(root: Path) -> list[Post]:
    """Markdown files at the blog's top level with front matter are pages (as in
    Jekyll): rendered like posts, not dated, not listed on the index."""
    pages = []
    for path in sorted(root.glob("*.md")):
        text = path.read_text(encoding="utf-8", errors="replace")
        if path.name.lower() == "readme.md" or not text.startswith("---"):
            continue
        meta, body, body_line, _ = _split_front_matter(text, path.name)
        meta.setdefault("permalink", f"/{path.stem}/")
        pages.append(Post(name=path.name, slug=path.stem, date=datetime(1970, 1, 1), meta=meta,
                          body=body, body_line=body_line))
    return pages


def _read_post(path: Path, name: str) -> Post | None:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise BuildError(f"{name}: not UTF-8 text ({exc.reason} at byte {exc.start}); "
                         f"save it as UTF-8") from None
    meta, body, body_line, front = _split_front_matter(text, name)
    if meta.get("published", True) is False:
        return None
    match = POST_NAME.match(path.name)
    slug = str(meta.get("slug") or match.group(4))
    return Post(name=name, slug=slug, date=_post_date(meta, match, name, front),
                meta=meta, body=body, body_line=body_line)


def _split_front_matter(text: str, name: str) -> tuple[dict, str, int, str]:
    """(front matter, body, the body's first line number, the raw front matter)."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].rstrip() != "---":
        return {}, text, 1, ""
    end = next((i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "...")), None)
    if end is None:
        raise BuildError(f"{name}:1: front matter starts with '---' but never ends; "
                         f"close it with a '---' line")
    front = "".join(lines[1:end])
    try:
        meta = yaml.safe_load(front)
    except yaml.MarkedYAMLError as exc:
        line = 1 + (exc.problem_mark.line + 1 if exc.problem_mark else 0)
        raise BuildError(f"{name}:{line}: malformed front matter: {exc.problem}; "
                         f"fix the YAML between the '---' lines") from None
    except yaml.YAMLError as exc:
        raise BuildError(f"{name}:2: malformed front matter ({exc}); fix the YAML") from None
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise BuildError(f"{name}:2: front matter must be 'key: value' lines, "
                         f"got a {type(meta).__name__}")
    return meta, "".join(lines[end + 1:]), end + 2, front


def _post_date(meta: dict, match: re.Match, name: str, front: str) -> datetime:
    value = meta.get("date")
    if value is None:
        value = "-".join(match.group(1, 2, 3))
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)  # keep the wall-clock time the author wrote
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(str(value).strip(), fmt).replace(tzinfo=None)
        except ValueError:
            pass
    line = _key_line(front, "date")
    raise BuildError(f"{name}:{line}: date: cannot read {value!r}; "
                     f"write it as YYYY-MM-DD or YYYY-MM-DD HH:MM:SS")


def _render_posts(posts: list[Post], config: dict) -> None:
    templates = liquid.Environment()
    templates.filters["relative_url"] = lambda value: relative_url(config, value)
    templates.filters["absolute_url"] = lambda value: absolute_url(config, value)
    md = markdown.Markdown(extensions=MARKDOWN_EXTENSIONS, output_format="html")
    # Players go through as blocks, not wrapped in <p>, like the iframes.
    md.block_level_elements += [e for e in ("audio", "video") if e not in md.block_level_elements]
    errors = []
    for post in posts:
        try:
            post.url = _permalink(post, config)
            text = _render_liquid(templates, post, config)
        except BuildError as exc:
            errors.append(str(exc))
            continue
        post.content = md.reset().convert(text)
    _raise_all(errors)


def _render_liquid(templates: liquid.Environment, post: Post, config: dict) -> str:
    try:
        return templates.from_string(post.body).render(site=config, page=post.page())
    except liquid.exceptions.LiquidError as exc:
        index = getattr(getattr(exc, "token", None), "start_index", -1)
        offset = post.body[:index].count("\n") if index >= 0 else post.body.count("\n")
        raise BuildError(f"{post.name}:{post.body_line + offset}: Liquid: {exc.message}; "
                         f"fix the {{{{ }}}} or {{% %}} there (available filters beyond "
                         f"Liquid's own: relative_url, absolute_url)") from None


def _permalink(post: Post, config: dict) -> str:
    pattern = str(post.meta.get("permalink") or config["permalink"])
    pattern = PERMALINK_STYLES.get(pattern, pattern)
    d = post.date
    values = {"year": f"{d.year:04d}", "month": f"{d.month:02d}", "day": f"{d.day:02d}",
              "i_month": str(d.month), "i_day": str(d.day), "short_year": f"{d.year % 100:02d}",
              "hour": f"{d.hour:02d}", "minute": f"{d.minute:02d}", "second": f"{d.second:02d}",
              "y_day": f"{d.timetuple().tm_yday:03d}", "title": post.slug, "slug": post.slug,
              "categories": "/".join(_categories(post.meta)), "output_ext": ".html"}

    def value(m: re.Match) -> str:
        if m.group(1) not in values:
            raise BuildError(f"{post.name}: permalink {pattern!r}: unknown placeholder "
                             f"':{m.group(1)}'; known: {', '.join(':' + k for k in values)}")
        return values[m.group(1)]

    url = re.sub("/+", "/", "/" + re.sub(r":([a-z_]+)", value, pattern))
    if ".." in url.split("/"):
        raise BuildError(f"{post.name}: permalink {url!r} leaves the site folder; remove the '..'")
    return url


# -- phase 2: write -----------------------------------------------------------

def _jinja_env(root: Path, config: dict) -> jinja2.Environment:
    # The blog's own layouts win; any it lacks come from the default theme.
    folders = list(dict.fromkeys([str(root / LAYOUTS), str(THEME / LAYOUTS)]))
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(folders), autoescape=True,
                             keep_trailing_newline=True)
    env.filters["relative_url"] = lambda value: relative_url(config, value)
    env.filters["absolute_url"] = lambda value: absolute_url(config, value)
    env.filters["date_format"] = lambda d: f"{d.day} {d:%B %Y}"
    return env


def _write_pages(out: Path, posts: list[Post], pages: list[Post], config: dict,
                 layouts: jinja2.Environment, log: Callable) -> int:
    written: dict[str, str] = {}
    available = set(layouts.list_templates())
    for post in posts + pages:
        layout = _layout(available, post, log)
        text = _render_layout(layouts, layout, post.name, site=config, page=post.page(),
                              content=Markup(post.content))
        _write(out, _dest(post.url), text, post.name, written)
    cards = [p.page() for p in posts]
    index = _render_layout(layouts, "index.html", "the index", site=config, posts=cards,
                           page={"title": config["title"], "url": "/"})
    _write(out, "index.html", index, "the index", written)
    return len(written)


def _layout(available: set[str], post: Post, log: Callable) -> str:
    name = f"{post.meta.get('layout') or DEFAULT_LAYOUT}.html"
    if name in available:
        return name
    # Jekyll themes have layouts we lack (page, home...): the post layout shows any post.
    log(f"warning: {post.name}: no layout {LAYOUTS / name}; using {DEFAULT_LAYOUT}")
    return f"{DEFAULT_LAYOUT}.html"


def _render_layout(layouts: jinja2.Environment, name: str, what: str, **context: Any) -> str:
    try:
        return layouts.get_template(name).render(**context)
    except jinja2.TemplateError as exc:
        lineno = getattr(exc, "lineno", None)
        where = f"{exc.filename}:{lineno}" if lineno else f"layout {name}"
        raise BuildError(f"Error building {what}: {where}: {exc.message}; "
                         f"fix the layout") from None


def _write(out: Path, rel: str, text: str, source: str, written: dict[str, str]) -> None:
    if rel in written:
        raise BuildError(f"{source} and {written[rel]} both write {rel}; "
                         f"give one of them another permalink in its front matter")
    written[rel] = source
    path = out / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _copy_assets(root: Path, config: dict, out: Path, log: Callable) -> None:
    source = root / config["assets_dir"]
    if source.is_dir():
        shutil.copytree(source, out / "assets", dirs_exist_ok=True)
    else:
        log(f"warning: no assets folder {config['assets_dir']}/ (assets_dir in _config.yml)")
    # The default layouts link this stylesheet; a blog without its own still gets it.
    css = out / "assets" / THEME_CSS
    if not css.exists() and (THEME / "assets" / THEME_CSS).exists():
        css.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(THEME / "assets" / THEME_CSS, css)


def _swap_in(new: Path, out: Path) -> None:
    if not out.exists():
        new.rename(out)
        return
    attic = Path(tempfile.mkdtemp(prefix=f"{out.name}.old-", dir=out.parent))
    out.rename(attic / "site")
    try:
        new.rename(out)
    except OSError:
        (attic / "site").rename(out)
        raise
    shutil.rmtree(attic, ignore_errors=True)


def _check_out_dir(root: Path, out: Path, config: dict) -> None:
    # The swap moves the old output away and deletes it: never let that be the sources.
    out_abs, root_abs = out.resolve(), root.resolve()
    folders = (config["posts_dir"], config["assets_dir"], LAYOUTS)
    sources = [(root_abs / folder).resolve() for folder in folders]
    if root_abs.is_relative_to(out_abs) or any(
            out_abs.is_relative_to(s) or s.is_relative_to(out_abs) for s in sources):
        raise BuildError(f"output folder {out} overlaps the blog's sources in {root}; "
                         f"choose a separate folder such as {root / '_site'}")
    if out.exists() and not out.is_dir():
        raise BuildError(f"output folder {out} is a file; remove it or choose another folder")


# -- helpers ------------------------------------------------------------------

def relative_url(config: dict, value: Any) -> str:
    """Jekyll's `relative_url`: the path under the site's baseurl."""
    text = "" if liquid.is_undefined(value) or value is None else str(value)
    if re.match(r"^[a-z][a-z0-9+.-]*:|^//", text):
        return text
    return config["baseurl"] + "/" + text.lstrip("/")


def absolute_url(config: dict, value: Any) -> str:
    """Jekyll's `absolute_url`: relative_url with the site's `url` in front."""
    path = relative_url(config, value)
    return path if path.startswith(("http:", "https:", "//")) else config["url"].rstrip("/") + path


def _dest(url: str) -> str:
    """The file that serves `url`, as Jekyll writes it: /a/ -> a/index.html, /a -> a.html."""
    rel = url.lstrip("/")
    if not rel or rel.endswith("/"):
        return rel + "index.html"
    return rel if "." in rel.rsplit("/", 1)[-1] else rel + ".html"


def _excerpt(content: str) -> str:
    first = re.search(r"<p>(.*?)</p>", content, re.S)
    words = html.unescape(re.sub(r"<[^>]+>", "", first.group(1))).split() if first else []
    return " ".join(words[:EXCERPT_WORDS]) + (" …" if len(words) > EXCERPT_WORDS else "")


def _words(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    return str(value).split()


def _categories(meta: dict) -> list[str]:
    names = _words(meta.get("categories")) + _words(meta.get("category"))
    return list(dict.fromkeys(n.lower() for n in names))


def _key_line(front: str, key: str) -> int:
    for number, line in enumerate(front.splitlines(), start=2):
        if line.startswith(f"{key}:"):
            return number
    return 1


def _raise_all(errors: list[str]) -> None:
    if errors:
        raise BuildError("\n".join(errors))
