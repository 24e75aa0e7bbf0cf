"""jekyll-seo-tag's titles and descriptions: a text of jekyll_tags.PLAIN_TEXT, or a
paragraph or header of text and inline elements (PARAGRAPH, an excerpt), skips
markdownify and strip_html, which must give back its text (the quick path is only
right while kramdown leaves such text alone)."""

from __future__ import annotations

import random

from site_builder.site.jekyll_filters import escape_once, normalize_whitespace, strip_html
from site_builder.site.jekyll_tags import PLAIN_TEXT, _unconverted
from site_builder.site.kramdown import renderer

WORDS = ["Jekyll", "4.4.1", "Released", "(c)", "(tm)", "1.", "A.", "a)", "(1)", "Mr.",
         "e.g.", "-", "a -b", "!", "?!", "()", "x.com", "www.x.org", "Re", "I", "2.5.0",
         "Turns", "21!", "GNU", "Linux", "or", "x-y", "end.", "3rd", "10)", "Sass/SCSS", "/",
         "$1", "$", "&", "•", "…", "é", "日本", "«", "’", "–", "©", "\u200d", "+", "1.5"]


def samples() -> list[str]:
    rng = random.Random(14)
    alphabet = "aZ09 ,.!?()-xyzXYZ   /$&é•…’"
    found = []
    while len(found) < 900:
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


PIECES = [*"aZ09 ,.!?()-&;#*_`'\"\\:|~+=$%^@/\t", "\n", "\r\n", "\x0c", "\u2028", "\n    ",
          "\n- ", "\n1. ", "\n# ", "&amp;", "&#x41;", "&copy;", "&a.b;", "--", "...", "  \n",
          "\n \n", "*[HTML]: x", "http://x.y", "<<", ">>", "\n===", "\n---", "$$x$$",
          "~~s~~", "\u00a0", "é", "\n> q", "\n```", "\x00"]


def _agree_with_markdownify(values, wanted: int) -> None:
    """The first `wanted` of `values` that the shortcut keeps as they are: each the
    same as markdownify then strip_html gives, with both converters."""
    converters = [renderer(None), renderer({"input": "GFM", "hard_wrap": True})]
    tried = 0
    for value in values:
        kept = _unconverted(value)
        if kept is None:
            continue
        quick = escape_once(normalize_whitespace(kept))
        for md in converters:
            assert escape_once(normalize_whitespace(strip_html(md.render(value)))) == quick, \
                value
        tried += 1
        if tried == wanted:
            return


def test_a_paragraph_of_text_is_what_markdownify_and_strip_html_give_back():
    rng = random.Random(9)

    def values():
        while True:
            text = "".join(rng.choice(PIECES) for _ in range(rng.randint(0, 12)))
            yield f"<p>{text}</p>" + rng.choice(["\n", "", "\n\n", "\n\n\n"])
    _agree_with_markdownify(values(), 400)


TAGS = ["<em>", "</em>", "<strong>", "</strong>", '<a href="http://x/">', "</a>", "<kbd>",
        '<code class="language-plaintext highlighter-rouge">', "</code>", "<span>", "</span>",
        '<a href="x" markdown="1">', '<em id="">', "<br>", "<em >", "</EM>", "&amp", "amp;"]


def test_a_header_or_paragraph_with_inline_elements_is_what_markdownify_and_strip_html_give_back():
    rng = random.Random(11)

    def values():
        while True:
            text = "".join(rng.choice(TAGS) if rng.random() < 0.3 else rng.choice(PIECES)
                           for _ in range(rng.randint(0, 14)))
            name = rng.choice(["p", "p", "h2", "h6"])
            attributes = rng.choice(["", ' id="x-y"', ' class="a b"', ' markdown="1"'])
            yield f"<{name}{attributes}>{text}</{name}>" + rng.choice(["\n", "", "\n\n"])
    _agree_with_markdownify(values(), 300)


def test_titles_of_jekylls_docs_are_plain():
    for text in ["Jekyll • Simple, blog-aware, static sites", "Pick Up your $1 Jekyll Sticker",
                 "Jekyll Meet & Greet at GitHub HQ", "Sass/SCSS Options", "3rd Party",
                 "Jekyll 3.7.0 brings LiveReload, a directory for your collections and much more…"]:
        assert PLAIN_TEXT.fullmatch(text), text


def test_markup_and_typography_are_not_plain():
    for text in ["Jekyll's", "a -- b", "wait...", "*em*", "`code`", "<b>", "a &b", "#1",
                 "1. first", "1) first", "12.5", " lead", "[link]", "a:b", "~~x~~", '"q"',
                 "a_b_", "a &amp; b", "a&", "$$x$$", "a\u00a0b", "a\u2028b", "a\u3000b",
                 "+ x", "a\tb", "•\n"]:
        assert not PLAIN_TEXT.fullmatch(text), text
    for value in ["<p>a <em>b</p>", "<p>a</em></p>", "<p>a &amp<em>;</em></p>",
                  "<p>a</p>\n<p>b</p>\n", "<p>a\n\nb</p>", "<p>[x]</p>",
                  "<p>a\x00</p>", "<p markdown=\"1\">a</p>", "<p>a <br> b</p>", "<p>a", "a</p>",
                  "<p>a</p>\n\n<p>b</p>", "<p>a</p>\n \n"]:
        assert _unconverted(value) is None, value


def test_possessive_paragraph_matches_as_the_backtracking_one():
    """PARAGRAPH's possessive repeats never give back: the same matches as without."""
    import re
    from site_builder.site.jekyll_tags import PARAGRAPH
    backtracking = re.compile(PARAGRAPH.pattern.replace("]++|", "]|").replace(")*+)", ")*)"))
    assert backtracking.pattern != PARAGRAPH.pattern
    rng = random.Random(5)
    closers = ["</p>", "</h2>", "</b>", "</a>", "<p>", "\n", "\n\n", "<"]
    for _ in range(3000):
        text = "".join(rng.choice(TAGS + PIECES + closers) for _ in range(rng.randint(0, 12)))
        value = rng.choice(["<p>", "<h2>", '<p class="x">']) + text + rng.choice(closers)
        quick, slow = PARAGRAPH.fullmatch(value), backtracking.fullmatch(value)
        assert (quick and quick.groups()) == (slow and slow.groups()), value
