"""jekyll-seo-tag's titles and descriptions: a text of jekyll_tags.PLAIN_TEXT skips
markdownify and strip_html, which must give it back unchanged (the quick path is
only right while kramdown leaves such text alone)."""

from __future__ import annotations

import random

from site_builder.site.jekyll_filters import escape_once, normalize_whitespace, strip_html
from site_builder.site.jekyll_tags import PLAIN_TEXT
from site_builder.site.kramdown import renderer

WORDS = ["Jekyll", "4.4.1", "Released", "(c)", "(tm)", "1.", "A.", "a)", "(1)", "Mr.",
         "e.g.", "-", "a -b", "!", "?!", "()", "x.com", "www.x.org", "Re", "I", "2.5.0",
         "Turns", "21!", "GNU", "Linux", "or", "x-y", "end."]


def samples() -> list[str]:
    rng = random.Random(14)
    alphabet = "aZ09 ,.!?()-xyzXYZ   "
    found = []
    while len(found) < 600:
        if rng.random() < 0.5:
            text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 14)))
        else:
            text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 5)))
        if PLAIN_TEXT.fullmatch(text):
            found.append(text)
    return found


def test_plain_text_is_what_markdownify_and_strip_html_give_back():
    converters = [renderer(None), renderer({"smart_quotes": "lsquo,rsquo,ldquo,rdquo",
                                            "auto_ids": False})]
    for text in samples():
        quick = escape_once(normalize_whitespace(text))
        for md in converters:
            assert escape_once(normalize_whitespace(strip_html(md.render(text)))) == quick, text


def test_markup_and_typography_are_not_plain():
    for text in ["Jekyll's", "a -- b", "wait...", "*em*", "`code`", "<b>", "a & b", "#1",
                 "1. first", " lead", "[link]", "a:b", "~~x~~", '"q"', "a_b_", "é"]:
        assert not PLAIN_TEXT.fullmatch(text), text
