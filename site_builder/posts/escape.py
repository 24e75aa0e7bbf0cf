"""Strings from outside the author's own Markdown (artist and genre names, hosts, GPU
and job states from a cluster or an imported run's experiment.toml, archive.org
URLs), made safe where they land in a post: as text they can start no Markdown,
HTML, kramdown attribute list or Liquid (a post goes through Liquid, then Markdown,
in Jekyll as here), and as URLs they stay one http(s) attribute value.

Kept readable: a name with nothing special in it is written as it is."""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

from site_builder.errors import PostError

# Characters that mean something to Markdown, kramdown (`{:` attribute lists, `$$`
# maths), HTML or Liquid (`{{`, `{%`), written as numeric character references,
# which Markdown passes through and browsers read back as the character.
SPECIAL = re.compile(r"[\\`*_{}\[\]<>#|!~$]|&(?=[#A-Za-z0-9])")
LIST_START = re.compile(r"^(\d+)([.)])|^([-+=])")
CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
PLAIN_CODE = re.compile(r"^[^`{}\x00-\x1f\x7f]*$")


def text(value: object) -> str:
    """`value` as Markdown text showing exactly its characters, on one line."""
    line = CONTROL.sub(" ", str(value)).strip()
    line = SPECIAL.sub(lambda m: f"&#{ord(m[0][0])};", line)
    # At a line's start "1." or "- " would open a list, "=" underline a heading.
    return LIST_START.sub(lambda m: (m[1] or "") + f"&#{ord((m[2] or m[3]))};", line, count=1)


def code(value: object) -> str:
    """`value` as inline code: in backticks when it holds nothing that could end
    them or reach Liquid, else as an HTML <code> element of escaped text."""
    line = CONTROL.sub(" ", str(value)).strip()
    if line and PLAIN_CODE.match(line):
        return f"`{line}`"
    return f"<code>{text(line)}</code>"


def block_line(value: object) -> str:
    """`value` inside a fenced code block: one line, and no Liquid (which runs
    before Markdown, code blocks included)."""
    line = CONTROL.sub(" ", str(value)).strip()
    return line.replace("{{", "{ {").replace("{%", "{ %")


def url(value: object, what: str) -> str:
    """An http(s) URL, percent-encoded so that it stays one attribute value and one
    autolink (no quote, space, '<', '>' or Liquid braces); anything else refused."""
    address = str(value)
    local = address.startswith("/") and not address.startswith("//")
    if urlsplit(address).scheme not in ("http", "https") and not local:
        raise PostError(f"{what}: {address!r} is not an http(s) URL; fix the run's "
                        f"publish.json or publish it again (make publish)")
    return quote(address, safe="/:?#@!$&()*+,;=%~-._")
