"""URLs as Jekyll makes them: baseurl and url filters, output paths, tag slugs.

`leaves()` is the one check of every URL made from content (permalinks with their
categories and slugs, tag pages, pagination paths): a URL whose file would not be
inside the destination folder is refused where it was written (file:line), before
anything is rendered. The writer checks again (site.build's `_write`)."""

from __future__ import annotations

import re
import sys
import urllib.parse
from functools import lru_cache
from typing import Any

from site_builder.errors import BuildError

SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:|^//", re.I)


def relative_url(config: dict, value: Any) -> str:
    """Jekyll's `relative_url`: the path under the site's baseurl; nil gives nothing,
    and '' the baseurl alone (Addressable's normalize: '' with baseurl '')."""
    if value is None or _undefined(value):
        return ""
    text = ("true" if value else "false") if isinstance(value, bool) else str(value)
    if SCHEME.match(text):
        return text
    return normalize(config["baseurl"] + "/" + text.lstrip("/") if text else config["baseurl"])


def _undefined(value: Any) -> bool:
    # Liquid's undefined values exist only once Liquid is loaded (builds that render
    # nothing never load it).
    liquid = sys.modules.get("liquid")
    return liquid is not None and type(value) is not str and liquid.is_undefined(value)


def absolute_url(config: dict, value: Any) -> str:
    """Jekyll's `absolute_url`: relative_url with the site's `url` in front (a path
    of nothing is the site's root, `/`)."""
    path = relative_url(config, value)
    url = config["url"].rstrip("/")
    if value is None or _undefined(value) or SCHEME.match(path) or not url:
        return path
    path = path or "/"
    # A plain path after a site URL that is already normal is what normalize gives:
    # no escapes to decode, nothing to encode, no dot segments (a tenth of the
    # layouts' time on Jekyll's docs went to normalizing URLs such as these).
    if path[0] == "/" and "/." not in path and PLAIN.fullmatch(path) and _bare_origin(url):
        return url + path
    return normalize(url + path)


@lru_cache(maxsize=16)
def _bare_origin(url: str) -> bool:
    """Whether `url` is a scheme and host only, already as normalize writes them."""
    found = URI_PARTS.match(url)
    return (found is not None and found[1] is not None and found[2] is not None
            and not found[3] and found[4] is None and found[5] is None
            and normalize(url + "/") == url + "/")


# Addressable's character classes (Jekyll's url filters end with URI#normalize):
# what a path segment, a query's pair and a fragment keep as they are.
PCHAR = "!$&'()*+,;=:@"
QUERY_PAIR = "!$'()*+,=:@/?"
FRAGMENT = PCHAR + "/?"
PLAIN = re.compile(r"[A-Za-z0-9\-._~!$&'()*+,;=:@/]*")
URI_PARTS = re.compile(r"\A(?:([A-Za-z][A-Za-z0-9+.-]*):)?(?://([^/?#]*))?([^?#]*)"
                       r"(?:\?([^#]*))?(?:#(.*))?\Z", re.S)
DEFAULT_PORTS = {"http": "80", "https": "443", "ftp": "21"}


def normalize(url: str) -> str:
    """Addressable::URI#normalize as Jekyll's relative_url and absolute_url end:
    each part percent-encoded as its class asks (`/tags/한국어` is
    `/tags/%ED%95%9C...`, a space `%20`), after its escapes are decoded and the text
    put in Unicode's NFC; dot segments removed; the scheme and host in lower case,
    a default port dropped."""
    if PLAIN.fullmatch(url) and "/." not in url and not SCHEME.match(url):
        return url
    found = URI_PARTS.match(url)
    if found is None:
        return url
    scheme, authority, path, query, fragment = found.groups()
    out = ""
    if scheme is not None:
        scheme = scheme.lower()
        out += scheme + ":"
    if authority is not None:
        user, at, host = authority.rpartition("@")
        host, colon, port = host.partition(":") if not host.startswith("[") else (host, "", "")
        if colon and (not port or DEFAULT_PORTS.get(scheme or "") == port):
            colon = port = ""
        out += "//" + user + at + host.lower() + colon + port
    path = path.strip(" \t\n\v\f\r\0")
    path = _remove_dots("/".join(_component(segment, PCHAR) for segment in path.split("/")))
    out += "/" if not path and authority is not None and scheme in DEFAULT_PORTS else path
    if query is not None:
        out += "?" + "&".join("%2B".join(_component(piece, QUERY_PAIR) for piece in
                                         re.split("%2B", pair, flags=re.I))
                              if pair else pair for pair in query.split("&"))
    if fragment is not None:
        out += "#" + _component(fragment, FRAGMENT)
    return out


def _component(text: str, safe: str) -> str:
    import unicodedata
    raw = urllib.parse.unquote_to_bytes(text)
    try:
        return urllib.parse.quote(unicodedata.normalize("NFC", raw.decode("utf-8")), safe=safe)
    except UnicodeDecodeError:   # not UTF-8: its bytes escaped, reserved characters kept
        return urllib.parse.quote(raw, safe="!#$&'()*+,/:;=?@[]")


def _remove_dots(path: str) -> str:
    """RFC 3986's remove_dot_segments (URI.normalize_path)."""
    if "." not in path:
        return path
    out: list[str] = []
    while path:
        if path.startswith(("../", "./")):
            path = path[path.index("/") + 1:]
        elif path.startswith("/./") or path == "/.":
            path = "/" + path[3:]
        elif path.startswith("/../") or path == "/..":
            path = "/" + path[4:]
            if out:
                out.pop()
        elif path in (".", ".."):
            path = ""
        else:
            cut = path.find("/", 1)
            cut = len(path) if cut < 0 else cut
            out.append(path[:cut])
            path = path[cut:]
    return "".join(out)


def escape_path(value: str) -> str:
    """A permalink placeholder's value as Jekyll's URL.escape_path writes it in the URL:
    percent-encoded but for the characters a URL path keeps (`/edge%20case/`,
    `/2020/01/02/%E4%B8%AD%E6%96%87.html`); the file is written under the decoded
    name (dest)."""
    return urllib.parse.quote(value, safe="/!$&'()*+,;=:@~")


def dest(url: str) -> str:
    """The file that serves `url`, as Jekyll writes it: /a/ -> a/index.html, /a -> a.html
    (the URL's %-escapes decoded, as Jekyll's URL.unescape_path)."""
    rel = urllib.parse.unquote(url).lstrip("/")
    if not rel or rel.endswith("/"):
        return rel + "index.html"
    return rel if "." in rel.rsplit("/", 1)[-1] else rel + ".html"


# Characters no file name in the site may hold: a NUL ends a path for the OS, and
# control characters (a newline in a tag) make names no link can reach.
CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def leaves(url: str) -> str:
    """Why the file serving `url` would not be a file inside the destination folder
    (a '..' or '.' part, an empty one, a control character); '' when it is."""
    parts = url.split("/")
    if ".." in parts:
        return "has a '..' part, which would write outside the site folder"
    if "." in parts:
        return "has a '.' part, which would write over another page"
    if "" in parts[1:-1]:
        return "has an empty part ('//'), which would write over another page"
    if CONTROL.search(url):
        return "holds a control character"
    return ""


def tag_url(tag: str) -> str:
    """Casper's tag pages: /tag/<slug>/, the slug lowercased with spaces as '-'."""
    slug = re.sub(r"\s+", "-", str(tag).strip().lower())
    return f"/tag/{slug}/"


def pager_url(config: dict, number: int) -> str:
    """jekyll-paginate's paths: page 1 is the index, page N follows `paginate_path`."""
    if number <= 1:
        return "/"
    pattern = str(config.get("paginate_path") or "/page:num/")
    url = "/" + pattern.replace(":num", str(number)).lstrip("/")
    why = leaves(url)
    if why:
        raise BuildError(f"_config.yml: paginate_path {pattern!r}: the URL {url!r} {why}; "
                         f"write one such as /page:num/")
    return url
