"""normalize_whitespace and escape_once are made of str methods where they can be:
each compared with the regular expression it replaces, on random texts of the
characters that matter (every ASCII white space, NUL, no-break and other Unicode
spaces, entities' pieces, quotes and brackets)."""

import random
import re

from site_builder.site.jekyll_filters import HTML_ESCAPES, escape_once, normalize_whitespace

ALPHABET = [" ", " ", " ", "  ", "\t", "\n", "\r", "\f", "\v", "\0", "\xa0", "\x1c", "\u2028",
            "\u3000", "a", "b", "Z", "1", "#", ";", "&", "&amp;", "&#39;", "&#x27;", "&x;",
            "'", '"', "<", ">", "é", "’", "\U0001f600"]


def _normalize_whitespace(text: str) -> str:
    return re.sub(r"[ \t\r\n\f\v]+", " ", text).strip(" \t\r\n\f\v\0")


def _escape_once(text: str) -> str:
    return re.sub(r"""["><']|&(?!(?:[a-zA-Z]+|#\d+);)""", lambda m: HTML_ESCAPES[m.group()], text)


def _texts(seed: int, count: int = 20000):
    rng = random.Random(seed)
    for _ in range(count):
        yield "".join(rng.choice(ALPHABET) for _ in range(rng.randrange(0, 14)))


def test_normalize_whitespace_is_the_regular_expressions():
    for text in _texts(1):
        assert normalize_whitespace(text) == _normalize_whitespace(text), repr(text)
    assert normalize_whitespace(None) == ""
    assert normalize_whitespace(12) == "12"


def test_escape_once_is_the_regular_expressions():
    for text in _texts(2):
        assert escape_once(text) == _escape_once(text), repr(text)
    assert escape_once(None) == ""
