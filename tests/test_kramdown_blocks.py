"""kramdown's block whitespace, byte for byte (issue 14 point 8): themes cut post
content with `strip_html | truncate`, which counts newlines and indentation.

The cross-check corpus's posts (those without Liquid, which Jekyll would render first)
are converted by real kramdown 2.4 with Jekyll 4.3's options and must come out the
same to the byte, but for the differences listed in KNOWN_DIFFERENCES with their
reasons (a ratchet: an entry that no longer differs fails the test).
"""

from __future__ import annotations

import difflib
import json
import re
import subprocess

import pytest

from conftest import ON_CI, need_tool, write
import jekyll_corpus
import markdown_samples
from site_builder.site import build
from site_builder.site.kramdown import renderer

# Jekyll 4.3's kramdown options (configuration.rb's defaults, and what its kramdown
# converter adds: rouge, default_lang plaintext).
KRAMDOWN = r"""
require 'json'
require 'kramdown'
require 'kramdown-parser-gfm'
options = {input: 'GFM', hard_wrap: false, auto_ids: true, toc_levels: (1..6).to_a,
           entity_output: 'as_char', smart_quotes: 'lsquo,rsquo,ldquo,rdquo',
           footnote_nr: 1, guess_lang: true, syntax_highlighter: 'rouge',
           syntax_highlighter_opts: {default_lang: 'plaintext', guess_lang: true}}
data = JSON.parse(STDIN.read)   # the texts, or {texts, options} (a config's kramdown:)
texts, extra = data.is_a?(Hash) ? [data['texts'], data['options']] : [data, {}]
options = options.merge(extra.transform_keys(&:to_sym))
puts JSON.generate(texts.map { |text| Kramdown::Document.new(text, options).to_html })
"""

# Jekyll's own pattern (document.rb): blank lines after the front matter go with it.
FRONT_MATTER = re.compile(r"\A---\s*\n.*?\n?^(---|\.\.\.)\s*$\n?", re.M | re.S)

# post file -> why its HTML differs from kramdown's (not in its block whitespace).
KNOWN_DIFFERENCES = {
    "2020-01-09-fenced-code-1.md": "Pygments marks a Python docstring `sd`, rouge `s`",
    "2020-02-21-code-blocks-kramdown-1.md": "Pygments' HTML lexer spans a tag's < and > "
                                            "apart, rouge's the whole tag",
}


def kramdown_html(texts: list[str], options: dict | None = None) -> list[str]:
    """Real kramdown's HTML for each text (one Ruby process for all); `options`: a
    config's `kramdown:` settings over Jekyll's."""
    need_tool("ruby")
    given = {"texts": texts, "options": options} if options else texts
    done = subprocess.run(["ruby", "-e", KRAMDOWN], input=json.dumps(given), text=True,
                          capture_output=True, timeout=300)
    if done.returncode != 0:
        if ON_CI:
            pytest.fail(f"kramdown is not installed: .ci/run must install it\n{done.stderr}")
        pytest.skip(f"kramdown (Ruby) is not installed: {done.stderr.strip()[:200]}")
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def corpus() -> dict[str, tuple[str, str]]:
    """Post file -> (our HTML, kramdown's HTML), for the posts without Liquid."""
    bodies = {post.name: FRONT_MATTER.sub("", post.text, count=1)
              for post in jekyll_corpus.corpus()}
    bodies = {name: body for name, body in bodies.items() if "{%" not in body
              and "{{" not in body}
    theirs = kramdown_html(list(bodies.values()))
    md = renderer()
    return {name: (md.render(body), html) for (name, body), html in zip(bodies.items(), theirs)}


def _diff(ours: str, theirs: str) -> str:
    lines = difflib.unified_diff(theirs.splitlines(), ours.splitlines(), "kramdown", "ours",
                                 lineterm="", n=1)
    return "\n".join(list(lines)[:20])


def test_corpus_html_is_kramdowns_byte_for_byte(corpus):
    assert len(corpus) >= 30
    assert sum(name.endswith(tuple(f"block-whitespace-{k}.md" for k in range(1, 6)))
               for name in corpus) == 5
    differing = {name for name, (ours, theirs) in corpus.items() if ours != theirs}
    unexpected = sorted(differing - set(KNOWN_DIFFERENCES))
    assert not unexpected, "\n".join(f"{name}:\n{_diff(*corpus[name])}" for name in unexpected)
    stale = sorted(set(KNOWN_DIFFERENCES) - differing)
    assert not stale, f"the same as kramdown's now: remove {stale} from KNOWN_DIFFERENCES"


# What kramdown 2.4 writes (checked with it, as Jekyll 4.3 runs it), for machines
# without Ruby: blank-line runs, indentation, each list item's paragraph.
LAYOUTS = {
    "\n\nOne.\n\n\n\nTwo.\n# Three\n\n\n": "\n<p>One.</p>\n\n<p>Two.</p>\n<h1 id=\"three\">"
                                          "Three</h1>\n\n",
    "- a\n  - b\n\n- c\n": "<ul>\n  <li>a\n    <ul>\n      <li>b</li>\n    </ul>\n  </li>\n"
                          "  <li>c</li>\n</ul>\n",
    "1. one\n2. two\n\n   more\n\n3. three\n": "<ol>\n  <li>one</li>\n  <li>\n    <p>two</p>\n"
                                              "\n    <p>more</p>\n  </li>\n  <li>three</li>\n"
                                              "</ol>\n",
    "- x\n\n- y\n": "<ul>\n  <li>\n    <p>x</p>\n  </li>\n  <li>\n    <p>y</p>\n  </li>\n</ul>\n",
    "> a\n>\n> > b\n>\n": "<blockquote>\n  <p>a</p>\n\n  <blockquote>\n    <p>b</p>\n"
                        "  </blockquote>\n\n</blockquote>\n",
    "- x\n\n  ```\n  y\n  ```\n": "<ul>\n  <li>\n    <p>x</p>\n\n    <div class=\"language-"
                                  "plaintext highlighter-rouge\"><div class=\"highlight\"><pre "
                                  "class=\"highlight\"><code>y\n</code></pre></div>    </div>\n"
                                  "  </li>\n</ul>\n",
    "T\n: d\n\n  more\n": "<dl>\n  <dt>T</dt>\n  <dd>d\n\n    <p>more</p>\n  </dd>\n</dl>\n",
    "<div markdown=\"1\">\n\n*a*\n</div>\n": "<div>\n\n  <p><em>a</em></p>\n</div>\n",
    # a paragraph's line breaks keep their spaces; a lazy line its indentation
    "a \n   b   \n\tc\u00a0\n": "<p>a \n   b <br />\n\tc\u00a0</p>\n",
    "- a\n    b\n c\n": "<ul>\n  <li>a\n  b\n c</li>\n</ul>\n",
    "<< a >> b\n": "<p>\u00ab\u00a0a\u00a0\u00bb b</p>\n",
    # the end of a line kramdown's HTML parser leaves: a blank line
    "<hr />\ntext\n\n<script>x</script>\n# h\n": "<hr />\n\n<p>text</p>\n\n<script>x</script>"
                                                   "\n\n<h1 id=\"h\">h</h1>\n",
    "- #### B\nlazy\n\n- c\n": "<ul>\n  <li>\n    <h4 id=\"b\">B</h4>\n    <p>lazy</p>\n  </li>\n"
                              "  <li>c</li>\n</ul>\n",
    "a \n<http://x.y> \nb\n": "<p>a\n<a href=\"http://x.y\">http://x.y</a> \nb</p>\n",
    "* a\n\t* b \n": "<ul>\n  <li>a\n    <ul>\n      <li>b</li>\n    </ul>\n  </li>\n</ul>\n",
    "> {: .x}\n  lazy\n": "<blockquote>\n  <p class=\"x\">lazy</p>\n</blockquote>\n",
    "A[^1].\n\n[^1]:\n    N.\n": "<p>A<sup id=\"fnref:1\" role=\"doc-noteref\"><a href=\"#fn:1\" "
                                "class=\"footnote\" rel=\"footnote\">1</a></sup>.</p>\n\n<div "
                                "class=\"footnotes\" role=\"doc-endnotes\">\n  <ol>\n    <li id="
                                "\"fn:1\" role=\"doc-endnote\">\n\n      <p>N.\u00a0<a href=\"#fnref"
                                ":1\" class=\"reversefootnote\" role=\"doc-backlink\">&#8617;</a>"
                                "</p>\n    </li>\n  </ol>\n</div>\n",
    # an empty item and two blank lines: kramdown goes on with the list (houbb.github.io)
    "- a\n\n- \n\n\n- c\n": "<ul>\n  <li>\n    <p>a</p>\n  </li>\n  <li></li>\n  <li>c</li>\n"
                             "</ul>\n",
    "1. a\n2. \n\n\n3. c\n": "<ol>\n  <li>a</li>\n  <li></li>\n  <li>c</li>\n</ol>\n",
    # a fence's info is one word to kramdown, backticks and all (houbb.github.io's
    # ```readonly```变量不能被更改。); a language rouge lacks keeps the code's blank lines
    "```a```b\nz\n\n```\n": "<pre><code class=\"language-a```b\">z\n\n</code></pre>\n",
    # ... but not one whose closing line is after its list item (houbb's `- ```log4j2.xml```)
    "- ```a```b\n\n```\nx\n```\n": "<ul>\n  <li><code class=\"language-plaintext highlighter-rouge\">a"
                                 "</code>b</li>\n</ul>\n\n<div class=\"language-plaintext highlighter-"
                                 "rouge\"><div class=\"highlight\"><pre class=\"highlight\"><code>x\n"
                                 "</code></pre></div></div>\n",
    "```f(x)\ny\n\n\n```\n": "<pre><code class=\"language-f(x)\">y\n\n\n</code></pre>\n",
    "A[^1].\n\n[^1]: N.\n": "<p>A<sup id=\"fnref:1\" role=\"doc-noteref\"><a href=\"#fn:1\" "
                           "class=\"footnote\" rel=\"footnote\">1</a></sup>.</p>\n\n<div class="
                           "\"footnotes\" role=\"doc-endnotes\">\n  <ol>\n    <li id=\"fn:1\" "
                           "role=\"doc-endnote\">\n      <p>N.\u00a0<a href=\"#fnref:1\" class="
                           "\"reversefootnote\" role=\"doc-backlink\">&#8617;</a></p>\n    </li>"
                           "\n  </ol>\n</div>\n",
    # CMU's PGM lecture notes: `$$...$$` on a list item's last line is a math block (the
    # item's text ends there); it was a paragraph, then a table for its `|`
    "- Univariate\n  - Prior: (Normal)\n\n    $$ P(\\mu, \\sigma^2| m,V) = P(\\mu | \\sigma^2) $$\n"
    "- Multivariate\n- $$\\sum_{x_S} \\tau_S = 1$$  \n- $$b$$\n":
        "<ul>\n  <li>Univariate\n    <ul>\n      <li>\n        <p>Prior: (Normal)</p>\n\n"
        "\\[P(\\mu, \\sigma^2| m,V) = P(\\mu | \\sigma^2)\\]\n      </li>\n    </ul>\n  </li>\n"
        "  <li>Multivariate</li>\n  <li>\n\\[\\sum_{x_S} \\tau_S = 1\\]\n  </li>\n  <li>\n"
        "\\[b\\]\n  </li>\n</ul>\n",
    # CMU's PGM lecture notes: a line of one to three spaces and a tab (`   \t$$...$$`)
    # is no block to kramdown (not code, not a paragraph): its text as it is, spans
    # parsed, without <p>; in a quote or a list item after their markers' indentation
    "A.\n\n   \t$$a_b + c$$\n  \t*b*\nnext\n\n> q\n>\n>  \tquoted\n":
        "<p>A.</p>\n\n   \t\\(a_b + c\\)\n  \t<em>b</em>\n<p>next</p>\n\n<blockquote>\n"
        "  <p>q</p>\n\n \tquoted\n</blockquote>\n",
    "- a\n\n    \tb\nc\n": "<ul>\n  <li>\n    <p>a</p>\n\n  \tb\n    <p>c</p>\n  </li>\n</ul>\n",
    # a fence in a footnote or a definition closed at the margin: a lazy line of the
    # note's (the definition's) text to kramdown, so the fence ends there
    "A[^1].\n\n[^1]: note\n    ```\n    code\n```\n\nafter\n":
        "<p>A<sup id=\"fnref:1\" role=\"doc-noteref\"><a href=\"#fn:1\" class=\"footnote\" "
        "rel=\"footnote\">1</a></sup>.</p>\n\n<p>after</p>\n<div class=\"footnotes\" role=\""
        "doc-endnotes\">\n  <ol>\n    <li id=\"fn:1\" role=\"doc-endnote\">\n      <p>note</p>"
        "\n      <div class=\"language-plaintext highlighter-rouge\"><div class=\"highlight\">"
        "<pre class=\"highlight\"><code>code\n</code></pre></div>      </div>\n      <p><a "
        "href=\"#fnref:1\" class=\"reversefootnote\" role=\"doc-backlink\">&#8617;</a></p>\n"
        "    </li>\n  </ol>\n</div>\n",
    "Term\n: def\n  ```\n  code\n```\n\nafter\n":
        "<dl>\n  <dt>Term</dt>\n  <dd>def\n    <div class=\"language-plaintext highlighter-"
        "rouge\"><div class=\"highlight\"><pre class=\"highlight\"><code>code\n</code></pre>"
        "</div>    </div>\n  </dd>\n</dl>\n\n<p>after</p>\n",
    # rouge's diff lexer (takaakiu.github.io's reading time counts the words of this
    # HTML): a line's newline inside its span, lines of one kind in one span, a `#`
    # that starts a line no rule of rouge's takes an error
    "```diff\n# a comment\n####\n#  after\nkey: v\n- old \"x\" <b>\n+ new & more\n+ two\n"
    "@@ -1,2 +1,2 @@ ctx\n  kept\n---\n!strong\nIndex: x\n=eq\n```\n":
        "<div class=\"language-diff highlighter-rouge\"><div class=\"highlight\"><pre class="
        "\"highlight\"><code><span class=\"err\">#</span> a comment\n"
        "<span class=\"err\">####</span>\n"
        "#  after\n"
        "<span class=\"p\">key: v\n"
        "</span><span class=\"gd\">- old \"x\" &lt;b&gt;\n"
        "</span><span class=\"gi\">+ new &amp; more\n"
        "+ two\n"
        "</span><span class=\"p\">@@ -1,2 +1,2 @@</span> ctx\n"
        "  kept\n"
        "<span class=\"p\">---\n"
        "</span><span class=\"gs\">!strong\n"
        "</span><span class=\"gh\">Index: x\n"
        "=eq\n"
        "</span></code></pre></div></div>\n",
    # hellojunho.github.io (Korean, on minimal-mistakes): a list item's lazy `---` under
    # its quote underlines the quote's line (kramdown reads the item's text, then the
    # quote's, apart)
    "- 테이블 목록 확인\n    > show tables;\n---\n<br>\n":
        "<ul>\n  <li>테이블 목록 확인\n    <blockquote>\n      <h2 id=\"show-tables\">show tables;"
        "</h2>\n      <p><br /></p>\n    </blockquote>\n  </li>\n</ul>\n",
    # hellojunho.github.io: `<c:if [scope="{page|request}"]>` is no tag to kramdown (its
    # attributes are not HTML's): its `|` makes the line a table row
    "> ex) <c:if test=\"x\" [scope=\"{page|request}\"]> y </c:if> and <b>a | b</b>\n":
        "<blockquote>\n  <table>\n    <tbody>\n      <tr>\n        <td>ex) &lt;c:if test=”x” "
        "[scope=”{page</td>\n        <td>request}”]&gt; y &lt;/c:if&gt; and <b>a</b></td>\n"
        "        <td>b&lt;/b&gt;</td>\n      </tr>\n    </tbody>\n  </table>\n</blockquote>\n",
    # hellojunho.github.io: a fence ends a paragraph, so a `: ` line in the fence
    # defines no term
    "**결과**  \n```\n:test:\n: test:\n```\n":
        "<p><strong>결과</strong></p>\n<div class=\"language-plaintext highlighter-rouge\"><div "
        "class=\"highlight\"><pre class=\"highlight\"><code>:test:\n: test:\n</code></pre></div>"
        "</div>\n",
    # hellojunho.github.io: an element never closed (`<jsp:x>`) is closed at the end of
    # its list item, or of its part before a nested list
    "- a\n  - <jsp:x> b\n    - c\n\n- d\n":
        "<ul>\n  <li>a\n    <ul>\n      <li>\n        <jsp:x> b\n</jsp:x>\n        <ul>\n"
        "          <li>c</li>\n        </ul>\n      </li>\n    </ul>\n  </li>\n  <li>d</li>\n</ul>\n",
    "- a\n- <jsp:x> b\n- c\n\n### h\n- d\n":
        "<ul>\n  <li>a</li>\n  <li>\n    <jsp:x> b\n</jsp:x>\n  </li>\n  <li>c</li>\n</ul>\n\n"
        "<h3 id=\"h\">h</h3>\n<ul>\n  <li>d</li>\n</ul>\n",
    # a definition list in a list item ends where the item's first nested list starts
    # (kramdown reads that part apart), also in a nested item (HSF's meeting notes)
    "- **P**\n  [T](x)\n  : *d*\n    - n\n":
        "<ul>\n  <li>\n    <dl>\n      <dt><strong>P</strong></dt>\n      <dt><a href=\"x\">T</a>"
        "</dt>\n      <dd><em>d</em></dd>\n    </dl>\n    <ul>\n      <li>n</li>\n    </ul>\n"
        "  </li>\n</ul>\n",
    "- a\n  - b\n    c\n    : d\n    - n\n":
        "<ul>\n  <li>a\n    <ul>\n      <li>\n        <dl>\n          <dt>b</dt>\n          "
        "<dt>c</dt>\n          <dd>d</dd>\n        </dl>\n        <ul>\n          <li>n</li>\n"
        "        </ul>\n      </li>\n    </ul>\n  </li>\n</ul>\n",
    # an element opened after another's end on its line counts its line's tags from
    # there (jekyll-doc-theme's `</p><p>` lines: the third paragraph was cut off)
    "<p>\na\n</p><p>\nb\n</p><p>\n<div>\nx\n</div>\n</p><p>\n\n<a>c</a>\n</p>\n\n*d*\n":
        "<p>\na\n</p>\n<p>\nb\n</p>\n<p>\n<div>\nx\n</div>\n</p>\n<p>\n\n<a>c</a>\n</p>\n\n"
        "<p><em>d</em></p>\n",
}


@pytest.mark.parametrize("text", list(LAYOUTS))
def test_block_layout_as_kramdowns(text):
    assert renderer().render(text) == LAYOUTS[text]


def test_layouts_are_what_kramdown_writes():
    """The table above, checked against kramdown itself where it is installed."""
    assert kramdown_html(list(LAYOUTS)) == list(LAYOUTS.values())


# Jekyll 4.3's output for these (a Markdown post and an HTML page, checked with it):
# its Markdown converter sets highlighter_prefix and _suffix to "\n", so in Markdown
# the highlight tag's HTML stands between blank lines, in HTML as it is.
FIGURE = ('<figure class="highlight"><pre><code class="language-ruby" data-lang="ruby">'
          '<span class="n">{}</span></code></pre></figure>')


def test_highlight_tag_in_markdown_between_blank_lines(tmp_path):
    write(tmp_path / "_config.yml", "markdown: kramdown\n")
    write(tmp_path / "_layouts" / "post.html", "{{ content }}")
    write(tmp_path / "_posts" / "2020-01-01-hl.md", "---\nlayout: post\n---\nText before\n"
          "{% highlight ruby %}\nx\n{% endhighlight %}\nText after\n")
    write(tmp_path / "page.html", "---\n---\nHTML page\n{% highlight ruby %}\nz\n"
          "{% endhighlight %}\nend\n")
    build(tmp_path, out_dir=tmp_path / "_site")
    assert (tmp_path / "_site" / "2020" / "01" / "01" / "hl.html").read_text() == \
        f"<p>Text before</p>\n\n{FIGURE.format('x')}\n\n<p>Text after</p>\n"
    assert (tmp_path / "_site" / "page.html").read_text() == \
        f"HTML page\n{FIGURE.format('z')}\nend\n"


# Highlighted code: rouge's token spans are not Pygments' (KNOWN_DIFFERENCES); the text
# and its escaping must still be the same.
HIGHLIGHTED = re.compile(r'<pre class="highlight"><code>.*?</code></pre>', re.S)


def unwrap_highlighting(html: str) -> str:
    return HIGHLIGHTED.sub(lambda found: re.sub(r"<[^>]+>", "", found[0]), html)


def test_generated_blog_markdown_is_kramdowns():
    """200 posts' worth of blog-like Markdown made at random (markdown_samples.py):
    our HTML is kramdown's, byte for byte but for the highlighter's token spans.
    bench/kramdown_random.py runs more, and the random markup soup."""
    texts = markdown_samples.blog_like(seed=1, count=200)
    md = renderer()
    differing = [(text, ours, theirs) for text, theirs in zip(texts, kramdown_html(texts))
                 if unwrap_highlighting(ours := md.render(text)) != unwrap_highlighting(theirs)]
    assert not differing, "\n\n".join(f"{text!r}\n{_diff(ours, theirs)}"
                                       for text, ours, theirs in differing[:3])


def test_an_element_left_open_in_a_markdown_element_reads_to_the_end():
    """feeling-responsive's typography post: a `<table>` whose `<tbody>` is never
    closed, inside a `markdown="1"` div, reads on past the div's closing tag to the
    end of the text (the `</table>` and `</div>`s after it are text, which Jekyll's
    page shows), where everything is closed. Compared with kramdown word for word:
    the indentation kramdown gives the converted content is not ours (its text is)."""
    text = ('<div class="row">\n<div class="a" markdown="1">\nTOC\n</div>\n\n'
            '<div class="b" markdown="1">\n\nText.\n\n<table>\n  <tbody>\n'
            '    <tr><td>a</td></tr>\n</table>\n\n</div><!-- /.c -->\n</div><!-- /.row -->\n\n'
            'After.\n')
    ours = renderer().render(text)
    assert "&lt;/table&gt;" in ours and ours.count("&lt;/div&gt;") == 2
    assert ours.split() == kramdown_html([text])[0].split()


@pytest.mark.parametrize("text", [
    "a", "a\n", "a\n\n", "  \t", "x\n  \t", "x\n \t \n", "\tcode\n  \t b\n", " \t\tx\n\n  y",
    "\r\n a\r\n", "\u00a0x\n", "# h\n\n- a\n  - b\n\n      code\n> q\n>\tq\n"])
def test_line_tables_are_markdown_its(text: str) -> None:
    """_LineTables makes the block state markdown-it's StateBlock makes."""
    from markdown_it import MarkdownIt
    from markdown_it.rules_block import StateBlock

    from site_builder.site.kramdown_blocks import _LineTables
    md = MarkdownIt()
    assert vars(_LineTables(text, md, {}, [])) == vars(StateBlock(text, md, {}, []))


def test_shortcuts_give_the_full_passes_results() -> None:
    """The tests that skip a pass (normalize without CR or NUL, escaping without `&`,
    the empty definition found by its `:`) answer as the pass would, on random text."""
    import random

    from markdown_it import MarkdownIt
    from markdown_it.rules_core import StateCore
    from markdown_it.rules_core.normalize import normalize as markdown_it_normalize

    from site_builder.site.kramdown import normalize
    from site_builder.site.kramdown_gfm import EMPTY_DEFINITION, _has_empty_definition
    from site_builder.site.kramdown_html import (ATTRIBUTE_SPECIAL, ESCAPES, TEXT_SPECIAL,
                                                 escape_attribute, escape_text)
    pick = random.Random(7)
    md = MarkdownIt()
    empty_definition = re.compile(EMPTY_DEFINITION.pattern, re.M)
    for _ in range(3000):
        text = "".join(pick.choice("ab :\t\n\r\0<>&;#x1\"'") for _ in range(pick.randrange(12)))
        ours, theirs = StateCore(text, md, {}), StateCore(text, md, {})
        normalize(ours)
        markdown_it_normalize(theirs)
        assert ours.src == theirs.src
        assert escape_text(text) == TEXT_SPECIAL.sub(lambda m: ESCAPES[m[0]], text)
        assert escape_attribute(text) == ATTRIBUTE_SPECIAL.sub(lambda m: ESCAPES[m[0]], text)
        lines = "".join(pick.choice(" :\t\na") for _ in range(pick.randrange(12)))
        assert _has_empty_definition(lines) == bool(empty_definition.search(lines))


def _list_soup(pick) -> str:  # noqa: ANN001 (random.Random)
    """Random lists: items of one line or more, nested, lazy, followed by what may
    end them (or go on with them) in kramdown's or markdown-it's reading."""
    starts = ["- ", "* ", "+ ", "1. ", "2) ", "  - ", "   * ", "    - ", "\t- ", " \t- ", "-\t",
              "-     ", "- \t", "", "  ", "    ", "\t", "> ", ": ", "# ", "{: ", "<div>", "|"]
    texts = ["Fix a typo ([#12](https://x.org/12))", "a | b", "---", "===", "`code`",
             "[link](u) and *em*", "\u00a0nbsp\u00a0", "term", ": def", "{: #id}", "-",
             "1.", "<p>x</p>", "```", "a  ", "[^1]", "$$x$$", "", "word\tword"]
    lines = [pick.choice(starts) + pick.choice(texts) for _ in range(pick.randrange(1, 9))]
    return "\n".join(lines) + pick.choice(["", "\n", "\n\n"])


def _same_without(monkeypatch, texts: list[str], general: list[tuple],  # noqa: ANN001
                  shortcuts: list[tuple] = ()) -> None:
    """Each text's HTML and tokens the same with the shortcuts (or `shortcuts`'
    (module, name, value) patches) as with `general`'s patches, the general way, in place."""
    md = renderer()

    def results(text: str) -> tuple:
        tokens = md.parse(text, {})
        return md.renderer.render(tokens, md.options, {}), tokens
    for text in texts:
        with monkeypatch.context() as patch:
            for module, name, value in shortcuts:
                patch.setattr(module, name, value)
            shortcut = results(text)
            for module, name, value in general:
                patch.setattr(module, name, value)
            assert shortcut == results(text), repr(text)


def test_one_line_items_as_the_block_parse_makes_them(monkeypatch) -> None:
    """_one_line_item's shortcut pushes the tokens the item's block parse pushes, on
    random lists and on the corpus and generated posts (the HTML and every token's
    fields the same with the shortcut and without)."""
    import random

    from site_builder.site import kramdown_blocks
    pick = random.Random(11)
    texts = [_list_soup(pick) for _ in range(3000)]
    texts += [post.text for post in jekyll_corpus.corpus()]
    texts += markdown_samples.blog_like(seed=3, count=100)
    shortcut, taken = kramdown_blocks._one_line_item, []

    def counted(*args) -> bool:  # noqa: ANN002
        taken.append(found := shortcut(*args))
        return found
    _same_without(monkeypatch, texts, [(kramdown_blocks, "_one_line_item", lambda *a: False)],
                  shortcuts=[(kramdown_blocks, "_one_line_item", counted)])
    assert sum(taken) > 300 and taken.count(False) > 300


def test_text_and_bullet_shortcuts_as_the_general_way_makes_them(monkeypatch) -> None:
    """_kramdown_text's one-line shortcut gives _any_text's text, and _same_bullets'
    check for other bullets (_no_other_bullets) changes nothing, on random lists (with
    other bullets, quotes, tabs, no-break and other spaces) and on the corpus and
    generated posts: the HTML and every token's fields the same with them and without."""
    import random

    from site_builder.site import kramdown_blocks, kramdown_gfm
    pick = random.Random(17)
    extra = ["> - ", ">\t* ", "> > + ", "\u3000x", "x\u00a0", "\u2003", "é", "  + ", "*", "+"]
    texts = [_list_soup(pick) for _ in range(2000)]
    texts += ["\n".join(pick.choice(extra) + line for line in _list_soup(pick).split("\n"))
              for _ in range(1000)]
    texts += [post.text for post in jekyll_corpus.corpus()]
    texts += markdown_samples.blog_like(seed=4, count=100)
    _same_without(monkeypatch, texts, [(kramdown_blocks, "_kramdown_text", kramdown_blocks._any_text),
                                       (kramdown_gfm, "_no_other_bullets", lambda *a: False)])


def test_html_elements_read_in_one_pass_as_in_two(monkeypatch) -> None:
    """_whole_lines_html (an HTML element's end found while it is written) gives the
    tokens and HTML that _after_element's reading and raw_html give, on random HTML
    blocks (tags opened, closed, left open, void, scripts, comments, text after the
    end, indented, in lists) and on the corpus and generated posts."""
    import random

    from site_builder.site import kramdown
    pick = random.Random(19)
    pieces = ["<div>", "</div>", "<div class=\"a\">", "<p>", "</p>", "<span>", "</span>",
              "<hr>", "<br/>", "<img src=x>", "<script>", "</script>", "<!-- c -->", "<!--",
              "<your name>", "</b>", "text", " a < b ", "&", "&amp;", "\n", "\n\n", "  ",
              "<table>", "</table>", "<td>", "`<div>`", "*em*", "<DIV>", "</DIV>", "x\ny"]
    texts = []
    for _ in range(3000):
        body = "".join(pick.choice(pieces) for _ in range(pick.randrange(1, 10)))
        start = pick.choice(["<div>", "<div>\n", "<section>", "<table>", " <div>", "- <div>"])
        end = pick.choice(["</div>", "\n</div>", "</div> after", "</div>\n\nnext", "",
                           "</section>", "</table>\n", "\n</div><p>b</p>"])
        texts.append(start + body + end + pick.choice(["", "\n", "\n\ntext\n"]))
    texts += [post.text for post in jekyll_corpus.corpus()]
    texts += markdown_samples.blog_like(seed=6, count=100)
    _same_without(monkeypatch, texts, [(kramdown, "_whole_lines_html", lambda *a: None)])


def test_tag_steps_as_each_line_read_alone() -> None:
    """_tag_steps (one search over the text, lines with a backtick read alone) gives
    what reading each line that holds a `<` gives, on random texts of tags, line
    breaks inside tags, code spans and blanks."""
    import random

    from site_builder.site.kramdown import CODE_SPAN, _tag_patterns, _tag_steps

    def line_by_line(src: str, tag: str) -> list[tuple[int, int]]:
        opens, closes = _tag_patterns(tag)
        steps = []
        for line, text in enumerate(src.split("\n")):
            if "<" in text:
                text = CODE_SPAN.sub("", text) if "`" in text else text
                step = len(opens.findall(text)) - len(closes.findall(text))
                steps += [(line, step)] if step else []
        return steps
    pick = random.Random(23)
    pieces = ["<div", "<div>", "</div>", "</div", "</div >", "<DIV class=x>", "<div\n", "</div\n>",
              "<divx>", "`", "``", "`<div>`", "\n", " ", "\t", "x", "<", ">", "/", "<div/>",
              "</ div>", "<p>", "<di`x`v>", "\u00a0", "\v"]
    for _ in range(20000):
        src = "".join(pick.choice(pieces) for _ in range(pick.randrange(14)))
        for tag in ("div", "p"):
            assert _tag_steps(src, tag) == line_by_line(src, tag), (src, tag)


def test_link_check_is_markdown_its_but_file_urls() -> None:
    """Our link check (one call) answers as markdown-it's validateLink with `file:`
    URLs let through, on random URLs."""
    import random

    from markdown_it import MarkdownIt

    from site_builder.site.kramdown_links import _link_allowed_here
    assert renderer().validateLink is _link_allowed_here
    md, pick = MarkdownIt(), random.Random(5)
    pieces = ["file:", "FILE:", " javascript:", "data:image/png;", "data:image/svg;", "vbscript:",
              "DATA:IMAGE/GIF;", "http://", "x", " ", "\t", ":", "data", "java", "script:", "\u00a0"]
    for _ in range(20000):
        url = "".join(pick.choice(pieces) for _ in range(pick.randrange(4)))
        assert _link_allowed_here(url) == (url.strip().lower().startswith("file:")
                                           or md.validateLink(url)), repr(url)


def test_definition_marker_lines_found_as_by_line_starts() -> None:
    """The lines whose text may start a definition (`:` or `~` after blanks and `>`),
    found after each line break, are those a multiline `^` pattern finds."""
    import bisect
    import random

    from site_builder.site.kramdown_gfm import MARKER_FIRST_LINE, MARKER_LINE
    by_line_starts = re.compile(r"^[ \t>]*[:~]", re.M)
    pick = random.Random(3)
    for _ in range(20000):
        src = "".join(pick.choice(" \t>:~a\n") for _ in range(pick.randrange(14)))
        marks = sorted(pick.randrange(len(src) + 1) for _ in range(pick.randrange(5)))
        marks.append(len(src))
        found = [bisect.bisect_left(marks, m.start() + 1) for m in MARKER_LINE.finditer(src)]
        if MARKER_FIRST_LINE.match(src):
            found.insert(0, 0)
        assert found == [bisect.bisect_left(marks, m.start())
                         for m in by_line_starts.finditer(src)], repr(src)


def test_next_item_is_the_terminators_answer(monkeypatch) -> None:
    """_next_item says a one-line item's paragraph ends at the next line only where
    the paragraph's terminators, run as _one_line_item would run them, say so too; on
    random lists (quotes, tabs and other blanks before the bullets) and the corpus."""
    import random

    from site_builder.site import kramdown_blocks
    pick = random.Random(23)
    extra = ["> ", " \t", "\t", "    ", "  ", "   ", "> > ", "- ", "* ", "123456789. ", "10. "]
    texts = [_list_soup(pick) for _ in range(2000)]
    texts += ["\n".join(pick.choice(extra) + line for line in _list_soup(pick).split("\n"))
              for _ in range(1000)]
    texts += [post.text for post in jekyll_corpus.corpus()]
    md = renderer()
    shortcut, answers = kramdown_blocks._next_item, []
    plan = kramdown_blocks._one_line_plan(md)
    assert plan is not None and plan[4]

    def checked(state, line: int, begin: int) -> bool:  # noqa: ANN001
        found = shortcut(state, line, begin)
        saved = state.line, state.parentType
        state.line, state.parentType = line - 1, "paragraph"
        ended = any(rule(state, line, state.lineMax, True)
                    for rule in plan[1].get(state.src[begin], plan[2]))
        state.line, state.parentType = saved
        assert ended or not found, repr(state.src)
        answers.append((found, ended))
        return found
    monkeypatch.setattr(kramdown_blocks, "_next_item", checked)
    for text in texts:
        md.parse(text, {})
    assert answers.count((True, True)) > 100 and answers.count((False, True)) > 30
    assert answers.count((False, False)) > 30


def test_one_line_items_read_as_lazy_lines_reads_each(monkeypatch) -> None:
    """_one_line_items (a run of one-line items found by one search) leaves _lazy_lines
    the answer and the state it gives reading each line, on random lists (runs of items
    at one or more columns, with tabs, quotes, nested starts, blank lines) and the corpus."""
    import copy
    import random

    from site_builder.site import kramdown_gfm
    pick = random.Random(29)
    starts = ["- ", "* ", "+ ", "  - ", " - ", "   - ", "    - ", "\t- ", "-  ", "1. ", "> - ",
              "", "  ", "> ", "-\t"]
    texts = ["item", "- nested", "1. nested", "-", "", " x", "\tx", "{: .c}", "<div>", "---"]
    soup = ["\n".join(pick.choice(starts[:4] * 4 + starts) + pick.choice(texts[:1] * 6 + texts)
                      for _ in range(pick.randrange(1, 12))) + pick.choice(["", "\n"])
            for _ in range(3000)]
    soup += [_list_soup(pick) for _ in range(1000)]
    soup += [post.text for post in jekyll_corpus.corpus()]
    md = renderer()
    lazy_lines, runs = kramdown_gfm._lazy_lines, []
    fast = kramdown_gfm._one_line_items

    def kept(state) -> dict:  # noqa: ANN001 (what the list rules keep in the state)
        return {key: copy.copy(value) for key, value in vars(state).items()
                if key.startswith("kramdown_")}

    def both(state, start: int, end: int):  # noqa: ANN001, ANN202
        saved, counted = kept(state), []
        monkeypatch.setattr(kramdown_gfm, "_one_line_items",
                            lambda *a: counted.append(found := fast(*a)) or found)
        with_runs = lazy_lines(state, start, end), kept(state)
        for key in with_runs[1]:
            delattr(state, key)
        vars(state).update(saved)
        monkeypatch.setattr(kramdown_gfm, "_one_line_items", lambda *a: 0)
        each = lazy_lines(state, start, end), kept(state)
        assert with_runs == each, repr(state.src)
        runs.extend(counted)
        return each[0]
    monkeypatch.setattr(kramdown_gfm, "_lazy_lines", both)
    for text in soup:
        md.parse(text, {})
    assert sum(count > 1 for count in runs) > 300 and runs.count(0) > 300


def test_one_line_items_stop_at_a_line_moved() -> None:
    """_one_line_items takes no line whose text the block state has moved from where
    its search reads it (a block resumed mid-line, a blockquote's markers taken)."""
    from markdown_it.rules_block import StateBlock

    from site_builder.site.kramdown_gfm import _one_line_items
    text = "- a\n- b\n- c - x\n- d\n"
    state = StateBlock(text, renderer(), {}, [])
    assert _one_line_items(state, 0, 0, 4, 4, {}) == 4
    assert _one_line_items(state, 0, 0, 3, 4, {}) == 3
    assert _one_line_items(state, 0, 0, 4, 4, {2: 0}) == 0
    state.bMarks[2] += 4   # (its text `- x`, as after a block that ended at `c `)
    assert _one_line_items(state, 0, 0, 4, 4, {}) == 0
    state.bMarks[2] -= 4
    state.tShift[2] = 2    # (its text `c - x`, as a list rule sets an item's first line)
    assert _one_line_items(state, 0, 0, 4, 4, {}) == 0


def test_next_bullet_read_as_the_terminators_and_marker_read_it(monkeypatch) -> None:
    """The list rule's next item read without the terminators' call and the marker's
    search (a bullet, a blank, fewer than three of the mark) gives the tokens and HTML
    of the general way, on random lists (thematic breaks, other bullets, tabs, quotes)
    and the corpus and generated posts."""
    import random

    from site_builder.site import kramdown_blocks
    pick = random.Random(31)
    starts = ["- ", "* ", "+ ", "-\t", "*\t", "  - ", "> - ", "- - ", "* * ", "-  ", "1. "]
    texts = ["item", "- -", "* *", "-", "x - y - z", "--", "**a**", "* b", "", "+"]
    soup = ["\n".join(pick.choice(starts) + pick.choice(texts) for _ in range(pick.randrange(1, 9)))
            + pick.choice(["", "\n"]) for _ in range(3000)]
    soup += [_list_soup(pick) for _ in range(1000)]
    soup += [post.text for post in jekyll_corpus.corpus()]
    soup += markdown_samples.blog_like(seed=5, count=100)
    # (the rules hold the module's thematic_break: the list rule then reads every line
    # the general way)
    _same_without(monkeypatch, soup, [(kramdown_blocks, "thematic_break", lambda *a: False)])
