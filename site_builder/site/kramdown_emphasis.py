"""Emphasis as kramdown parses it (parser/kramdown/emphasis.rb), in place of
CommonMark's delimiter runs, whose pairing differs on runs of three or more marks
and on marks around punctuation.

kramdown reads a `*` or `_` (two: strong, one: em) and then the text after it,
spans and all, until a closing mark that it accepts: not after a space, for em
not `**` standing alone, for `_` not before a letter or digit, and not closing an
empty element. An element of a kind already open (any level up) is text, and so
is `_` after a letter (`snake_case`). A strong never closed is tried again as an
em from its second mark; an em never closed is text. So a run of marks is read two
at a time: `a _______ b` is `a <strong>__</strong>_ b`, where CommonMark has text.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Callable

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline

RUBY_SPACE = " \t\n\r\f\v"   # Ruby's \s
OPEN = "kramdown_emphasis_open"   # state.env: the kinds open around, with their levels


# kramdown-parser-gfm's STRIKETHROUGH_MATCH: the whole `~~text~~` first.
STRIKETHROUGH = re.compile(r"~~(?![ \t\n\r\f\v~])(.*?[^ \t\n\r\f\v~])~~", re.S)


def install(md: MarkdownIt) -> None:
    md.inline.ruler.at("emphasis", emphasis)
    md.inline.ruler.at("strikethrough", strikethrough)
    # No `*`, `_` or `~` delimiters are left to pair.
    md.inline.ruler2.disable(["emphasis", "strikethrough"])


def emphasis(state: StateInline, silent: bool) -> bool:
    src, start = state.src, state.pos
    mark = src[start]
    if silent or mark not in "*_":
        return False
    size = 2 if src[start + 1:start + 2] == mark else 1
    kind = "strong" if size == 2 else "em"
    opened = state.env.setdefault(OPEN, [])
    after = src[start + size:start + size + 1]
    if (mark == "_" and _after_letter(src, start)) or (after and after in RUBY_SPACE) \
            or any(open_kind == kind for open_kind, _ in opened):
        state.pending += mark * size
        state.pos = start + size
        return True
    if _element(state, start, mark * size, kind):
        return True
    # A strong never closed is an em from its second mark, unless inside an em.
    if kind == "strong" and not (opened and opened[-1] == ("em", state.level)) \
            and _element(state, start, mark, "em"):
        return True
    state.pending += mark * size
    state.pos = start + size
    return True


def strikethrough(state: StateInline, silent: bool) -> bool:
    """GFM's `~~text~~` as kramdown's GFM parser reads it: the shortest `~~...~~`
    whose text neither starts nor ends with a space or `~`, its text then parsed
    as a text of its own (emphasis open around it may open again inside)."""
    if state.src[state.pos] != "~":
        return False
    found = STRIKETHROUGH.match(state.src, state.pos, state.posMax)
    if found is None:
        return False
    if not silent:
        state.push("s_open", "s", 1).markup = "~~"
        opened = state.env.setdefault(OPEN, [])
        outer, old_max = opened[:], state.posMax
        opened.clear()
        state.pos, state.posMax = found.start(1), found.end(1)
        state.md.inline.tokenize(state)
        opened[:], state.posMax = outer, old_max
        state.push("s_close", "s", -1).markup = "~~"
    state.pos = found.end()
    return True


def _after_letter(src: str, start: int) -> bool:
    """kramdown's `pre_match =~ /[[:alpha:]]-?[[:alpha:]]*\\z/`."""
    before = src[start - 1:start]
    if before == "-":
        before = src[start - 2:start - 1] if start >= 2 else ""
    return before.isalpha()


def _element(state: StateInline, start: int, delimiter: str, kind: str) -> bool:
    """Parse the element whose content starts after `delimiter` at `start`; False,
    with the state as it was, when no closing mark is accepted before the end of the
    text."""
    if state.pending:
        state.pushPending()
    saved = (len(state.tokens), len(state.tokens_meta), state.delimiters,
             len(state._prev_delimiters), state.level, state.pendingLevel)
    notes = _footnote_refs(state.env)
    opener = state.push(f"{kind}_open", kind, 1)
    opener.markup = delimiter
    first = len(state.tokens)
    opened = state.env[OPEN]
    opened.append((kind, state.level))
    state.pos = start + len(delimiter)
    try:
        closed = _content(state, delimiter, kind, first)
    finally:
        opened.pop()
    if closed:
        state.push(f"{kind}_close", kind, -1).markup = delimiter
        state.pos += len(delimiter)
        return True
    tokens, metas, delimiters, prev, level, pending_level = saved
    del state.tokens[tokens:], state.tokens_meta[metas:], state._prev_delimiters[prev:]
    state.delimiters, state.level, state.pendingLevel = delimiters, level, pending_level
    state.pending = ""
    state.pos = start
    _restore_footnote_refs(state.env, notes)
    return False


def _footnote_refs(env: dict) -> tuple[dict, dict] | None:
    """The footnotes' references so far (which note each label has, how often each
    was referenced): a content parsed and then dropped (no closing mark) must not
    count its `[^n]` (the first reference became fnref:n:1)."""
    notes = env.get("footnotes")
    if notes is None:
        return None
    return dict(notes.get("refs", {})), {key: note.get("count")
                                         for key, note in notes.get("list", {}).items()}


def _restore_footnote_refs(env: dict, saved: tuple[dict, dict] | None) -> None:
    notes = env.get("footnotes")
    if notes is None:
        return
    refs, counts = saved or ({}, {})
    notes["refs"] = refs
    listed = notes.get("list", {})
    for key in [key for key in listed if key not in counts]:
        del listed[key]   # a note first referenced in the dropped content
    for key, count in counts.items():
        listed[key]["count"] = count


def _content(state: StateInline, delimiter: str, kind: str, first: int) -> bool:
    """kramdown's parse_spans up to an accepted closing mark."""
    src = state.src
    closed = read_spans(state, lambda pos: src.startswith(delimiter, pos)
                        and _closes(state, pos, delimiter, kind, first), delimiter[0])
    if closed and state.pending:
        state.pushPending()
    return bool(closed)


def read_spans(state: StateInline, stop: Callable[[int], object], marks: str) -> object:
    """kramdown's parse_spans from state.pos: at each position `stop(pos)` is tried
    first, then every inline rule, else a character of text. What `stop` returned
    where it was true, or None at the end of the text. `marks`: the characters
    `stop` can be true at (no other)."""
    src, end = state.src, state.posMax
    rules = state.md.inline.ruler.getRules("")
    nesting = state.md.options["maxNesting"]
    plain = _plain_run(state.md, marks)
    while state.pos < end:
        pos = state.pos
        found = stop(pos)
        if found:
            return found
        if plain is not None and state.level < nesting:
            after = plain(src, pos, end).end()
            if after > pos:   # only text: what the rules would make of it, at once
                state.append_pending(src[pos:after])
                state.pos = after
                continue
        if state.level < nesting and any(rule(state, False) for rule in rules):
            continue
        state.pending += src[pos]
        state.pos = pos + 1
    return None


@lru_cache(maxsize=None)
def _plain_runs(rule_chars: frozenset, marks: str) -> Callable:
    return re.compile("[^" + re.escape("".join(sorted(rule_chars | set(marks)))) + "]*").match


def _plain_run(md: MarkdownIt, marks: str) -> Callable | None:
    """Where only markdown-it's text rule can start (kramdown.py's dispatch: not at
    a rule's character) and `stop` cannot be true, the loop of read_spans only adds
    text, a piece per turn: the match of such a run, taken at once; None without
    that dispatch."""
    rule_chars = getattr(md.inline, "rule_chars", None)
    return None if rule_chars is None else _plain_runs(rule_chars, marks)


def _closes(state: StateInline, pos: int, delimiter: str, kind: str, first: int) -> bool:
    src = state.src
    if src[pos - 1] in RUBY_SPACE:
        return False
    after = src[pos + len(delimiter):pos + len(delimiter) + 1]
    if kind == "em" and src.startswith(delimiter * 2, pos) \
            and src[pos + 2:pos + 3] != delimiter:
        return False   # `**` standing alone does not close an em
    if delimiter[0] == "_" and after.isalnum():
        return False
    return len(state.tokens) > first or bool(state.pending)
