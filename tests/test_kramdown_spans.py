"""kramdown's rules where real blogs met a difference (issue 14 point 8, the survey's
K03-K14): attribute lists after images and links, link definitions and labels, URLs
across lines, autolinks, backslash escapes, smart quotes; and fences and markers in
list items. Each case is
what kramdown 2.4 writes with Jekyll 4.3's options (checked with it where Ruby is
installed), byte for byte.
"""

from __future__ import annotations

import pytest

from test_kramdown_blocks import kramdown_html
from site_builder.site.kramdown import renderer

CASES = {
    # K03: a span attribute list's values as written, not typographed
    '![a](x.png){: width="50%" .c #i} and [l](u){:title="t"}':
        '<p><img src="x.png" alt="a" width="50%" class="c" id="i" /> and <a href="u" title="t">l</a></p>\n',
    '*em*{: .x} and <span>a</span>{: style="c: \'d\'"} "after"':
        '<p><em class="x">em</em> and <span style="c: \'d\'">a</span> “after”</p>\n',
    # ... and after code and an HTML element closed in its tag (jekyll-TeXt-theme's docs)
    '`success`{:.success} `info`{:.info #i} `t`{: title="x" .c} and `plain`, '
    '<img src="a.jpg" alt="A" />{:.border} <span>s</span>{:.y}\n':
        '<p><code class="language-plaintext success highlighter-rouge">success</code> <code '
        'class="language-plaintext info highlighter-rouge" id="i">info</code> <code title="x" '
        'class="language-plaintext c highlighter-rouge">t</code> and <code class="language-'
        'plaintext highlighter-rouge">plain</code>, <img src="a.jpg" alt="A" class="border" /> '
        '<span class="y">s</span></p>\n',
    # K04: the last definition of a label counts, its case aside
    '[a][X] [b][y]\n\n[X]: http://one\n[x]: http://two\n[y]: http://three\n[y]: http://four':
        '<p><a href="http://two">a</a> <a href="http://four">b</a></p>\n\n',
    # K08: a label without id is looked up with its escapes read; `[x] [y]` is x to y
    'Vim [tern\\_for\\_vim][] and ![tern\\_for\\_vim], [x] [y] and [z] [none]\n\n'
    '[tern_for_vim]: https://t\n[y]: https://y\n[z]: https://z':
        '<p>Vim <a href="https://t">tern_for_vim</a> and <img src="https://t" alt="tern_for_vim" />, '
        '<a href="https://y">x</a> and [z] [none]</p>\n\n',
    # K05: a URL broken across lines keeps its line break
    'Check [this\nfile](https://x.org/s\nrc/f.md) end\n':
        '<p>Check <a href="https://x.org/s\nrc/f.md">this\nfile</a> end</p>\n',
    # K11: a raw span element's text as written; autolinks: kramdown's schemes, as written
    'a <kbd>\\<leader\\>i</kbd> b <code>*x* `y` \\* &amp; &copy; <b>q</b></code> c':
        '<p>a <kbd>\\&lt;leader\\&gt;i</kbd> b <code>*x* `y` \\* &amp; &copy; <b>q</b></code> c</p>\n',
    'x <https://x.org/wiki/%E4%BA%91> and <edge://extensions/> and #<hash:0x14e0a4c> '
    '<ftp://f.org/x> <a@b.c> <HTTP://X.ORG>':
        '<p>x <a href="https://x.org/wiki/%E4%BA%91">https://x.org/wiki/%E4%BA%91</a> and '
        '&lt;edge://extensions/&gt; and #&lt;hash:0x14e0a4c&gt; <a href="ftp://f.org/x">'
        'ftp://f.org/x</a> <a href="mailto:a@b.c">a@b.c</a> &lt;HTTP://X.ORG&gt;</p>\n',
    # K11d, K14b: kramdown's escapes only; a backslash before anything else stays
    'x \'a\\2\'、y and "\\*quoted\\*" and \\"plain\\"':
        '<p>x ‘a\\2’、y and “*quoted*” and "plain"</p>\n',
    'a \\/ b \\^ c \\& d \\; e \\, f \\? g \\@ h \\% i \\~ j \\\\ k \\* l \\= m \\|':
        '<p>a \\/ b \\^ c \\&amp; d \\; e \\, f \\? g \\@ h \\% i ~ j \\ k * l = m |</p>\n',
    'one\\\ntwo\\\\\nthree\\\\\\\nfour\n':
        '<p>one<br />\ntwo<br />\nthree\\<br />\nfour</p>\n',
    # K13: a quote before a code span of two backticks closes, before one it opens
    '"``x``" a and "`y`" b':
        '<p>”<code class="language-plaintext highlighter-rouge">x</code>” a and “<code '
        'class="language-plaintext highlighter-rouge">y</code>” b</p>\n',
    # K07: a space then a tab before a list marker: text (a tab alone: a nested list)
    '- a\n \t+ c\n\n- d\n\t+ e\n':
        '<ul>\n  <li>\n    <p>a\n \t+ c</p>\n  </li>\n  <li>\n    <p>d</p>\n    <ul>\n'
        '      <li>e</li>\n    </ul>\n  </li>\n</ul>\n',
    # K09: a fence in a list item is closed inside the item, or it is text
    '* u2\n```\n\n## H\n\n```md\nx\n```':
        '<ul>\n  <li>u2\n```</li>\n</ul>\n\n<h2 id="h">H</h2>\n\n<div class="language-md '
        'highlighter-rouge"><div class="highlight"><pre class="highlight"><code>x\n</code></pre>'
        '</div></div>\n',
    # K10: a fence indented past its item's text: the code keeps the extra spaces
    '1. one\n\n    ```\n    a\n      b\n   c\n    ```\n':
        '<ol>\n  <li>\n    <p>one</p>\n\n    <div class="language-plaintext highlighter-rouge">'
        '<div class="highlight"><pre class="highlight"><code> a\n   b\nc\n</code></pre></div>'
        '    </div>\n  </li>\n</ol>\n',
    # K01: {::options parse_block_html="true" /} reads block elements' content as
    # Markdown from there on (markdown="0" keeps one as it is), "false" stops it
    '{::options parse_block_html="true" /}\n<div class="x">\n\n| a | b |\n| --- | --- |\n'
    '| 1 | 2 |\n\n*em*\n</div>\n\n<div class="img-div" markdown="0">\n    *raw*\n</div>\n\n'
    '{::options parse_block_html="false" /}\n<div class="y">\n*raw*\n</div>':
        '<div class="x">\n\n  <table>\n    <thead>\n      <tr>\n        <th>a</th>\n'
        '        <th>b</th>\n      </tr>\n    </thead>\n    <tbody>\n      <tr>\n'
        '        <td>1</td>\n        <td>2</td>\n      </tr>\n    </tbody>\n  </table>\n\n'
        '  <p><em>em</em></p>\n</div>\n\n<div class="img-div">\n    *raw*\n</div>\n\n'
        '<div class="y">\n*raw*\n</div>\n',
    # a heading's id keeps its escaped characters; an empty one is left out
    '### app\\_process 简要执行过程\n\n### "\n':
        '<h3 id="app_process-简要执行过程">app_process 简要执行过程</h3>\n\n<h3>”</h3>\n',
    # a nested list's lazy line loses the outer item's indentation, not its own
    '- top\n  - Anna\n  - Ryan\n  We learned\n- next\n':
        '<ul>\n  <li>top\n    <ul>\n      <li>Anna</li>\n      <li>Ryan\nWe learned</li>\n'
        '    </ul>\n  </li>\n  <li>next</li>\n</ul>\n',
    # a rule's line does not end a paragraph (nor a quote's lazy line); an underline
    # makes a heading of one line only (jekyll-theme-yat's plain-text table)
    'para\n***\nmore\n\n> quote\n___\n\nName  Size\n----- ----\na     9\n\na\nb\n---\n\n'
    'Title\n=====\n':
        '<p>para\n***\nmore</p>\n\n<blockquote>\n  <p>quote\n___</p>\n</blockquote>\n\n'
        '<p>Name  Size\n—– —-\na     9</p>\n\n<p>a\nb\n—</p>\n\n<h1 id="title">Title</h1>\n',
    # K02a: a block element's start tag over lines (jalammar's posts): raw to its
    # closing tag, as kramdown's tag pattern spans lines
    'Para.\n\n<div style="a;\nb">\n\n<div class="p">\nx\n</div>\n</div>\n\nThe end.\n':
        '<p>Para.</p>\n\n<div style="a;\nb">\n\n<div class="p">\nx\n</div>\n</div>\n\n'
        '<p>The end.</p>\n',
    # a quote runs to a blank line: a line without `>` is its text as it stands
    # (csswizardry's quoted e-mail with code in it), a heading or list goes on it
    '> a\n>\n    code\n>\n> Demo: [x](u).\n\n> q\n# h\n- b\n\n> r\n{: .x}\n\n'
    '- > s\n  >\n      code\n- c\n':
        '<blockquote>\n  <p>a</p>\n\n  <div class="language-plaintext highlighter-rouge"><div '
        'class="highlight"><pre class="highlight"><code>code\n</code></pre></div>  </div>\n\n'
        '  <p>Demo: <a href="u">x</a>.</p>\n</blockquote>\n\n<blockquote>\n  <p>q</p>\n'
        '  <h1 id="h">h</h1>\n  <ul>\n    <li>b</li>\n  </ul>\n</blockquote>\n\n'
        '<blockquote class="x">\n  <p>r</p>\n</blockquote>\n\n<ul>\n  <li>\n    <blockquote>\n'
        '      <p>s</p>\n\n      <div class="language-plaintext highlighter-rouge"><div '
        'class="highlight"><pre class="highlight"><code>code\n</code></pre></div>      </div>\n'
        '    </blockquote>\n  </li>\n  <li>c</li>\n</ul>\n',
    # K15: span HTML by kramdown's grammar: XML names are tags, an unquoted value that
    # is not a word is not; an element left open is closed at the paragraph's end
    'only in <max_hosts> hosts, <filter:code>t</filter:code>, <a href=x/y>u</a>':
        '<p>only in <max_hosts> hosts, <filter:code>t</filter:code>, &lt;a href=x/y&gt;u&lt;/a&gt;'
        '</max_hosts></p>\n',
    # K15b: text in <u>, <mark>, <font> and made-up elements is raw: no emphasis, code
    # or smart quotes (kramdown's content models); <sup> and <span> are Markdown
    '<u>*x*</u> <mark>**b**</mark> <font color="red">"q" -- `c`</font> <sup>*k*</sup> '
    '<span markdown="0">*z*</span>':
        '<p><u>*x*</u> <mark>**b**</mark> <font color="red">"q" -- `c`</font> '
        '<sup><em>k</em></sup> <span>*z*</span></p>\n',
    # K15c: tags written again as kramdown writes them: names in lower case, the last
    # of an attribute, "" for a bare one, line breaks in values as spaces, <br />
    'a <IMG SRC="x.png" ALT=y> <span CLASS="p" class="q" title="m\nn">t</span> <input disabled>'
    '<br>':
        '<p>a <img src="x.png" alt="y" /> <span class="q" title="m n">t</span> '
        '<input disabled="" /><br /></p>\n',
    # K16: text after an HTML block element on its line is the next block (an old
    # blog's `</p><p>`): kramdown's block parser goes on there
    '<p>a</p><p>b\nc</p> tail\n\n- item\n\n  <h3>T</h3><p>x</p>\n':
        '<p>a</p>\n<p>b\nc</p>\n<p>tail</p>\n\n<ul>\n  <li>\n    <p>item</p>\n\n'
        '    <h3>T</h3>\n    <p>x</p>\n  </li>\n</ul>\n',
    # K16b: the same after a comment (`<!-- c --> text`); an element left open at the
    # end is closed on a line of its own; `<<span>` is a guillemet first
    '<!-- c --> text *em*\n\na <<span>b</span>\n\n<div>x':
        '<!-- c -->\n<p>text <em>em</em></p>\n\n<p>a «span&gt;b&lt;/span&gt;</p>\n\n<div>x\n</div>\n',
    # K16c: a line starting with no whole tag by kramdown's grammar is a paragraph;
    # a block element's tag inside <code> is text; a start tag may hold blank lines
    '<a href=x/y>\n\n<code><h2>x</h2></code>\n\n<div title="a\n\nb">*x*</div>\n':
        '<p>&lt;a href=x/y&gt;</p>\n\n<p><code>&lt;h2&gt;x&lt;/h2&gt;</code></p>\n\n'
        '<div title="a\n\nb">*x*</div>\n',
    # K18: a quote before a tag is smart-quoted by what the tag starts with (`'<br>`:
    # a word follows, so it opens)
    '\'<br> and "<b>x</b>" a':
        '<p>‘<br /> and “<b>x</b>” a</p>\n',
    # K16d: what follows an element on its line is never a table, its spaces are
    # indentation (four: code); a comment does not end a paragraph
    '<!-- c -->| t |\n\n<p>a</p>    code\n\ntext\n<!-- c --> more\n':
        '<!-- c -->\n<p>| t |</p>\n\n<p>a</p>\n<div class="language-plaintext highlighter-rouge">'
        '<div class="highlight"><pre class="highlight"><code>code\n</code></pre></div></div>\n\n'
        '<p>text\n<!-- c --> more</p>\n',
    # K19: a footnote referenced inside emphasis that never closes counts once (it was
    # fnref:n:1, a second reference); no ^[inline notes]; ` # x` is no heading
    'a *b[^n] c ^[not a note]\n\n # not a heading\n\n[^n]: note\n':
        '<p>a *b<sup id="fnref:n" role="doc-noteref"><a href="#fn:n" class="footnote" '
        'rel="footnote">1</a></sup> c ^[not a note]</p>\n\n<p># not a heading</p>\n\n'
        '<div class="footnotes" role="doc-endnotes">\n  <ol>\n    <li id="fn:n" role="doc-endnote">\n'
        '      <p>note\u00a0<a href="#fnref:n" class="reversefootnote" role="doc-backlink">&#8617;</a></p>\n'
        '    </li>\n  </ol>\n</div>\n',
    # K20: an autolink's text as written (no smart quotes or dashes); a title may hold
    # the quotes that delimit it, as kramdown reads it
    '<https://x.org/it\'s--...> and [x](/p "T "quoted" y")\n':
        '<p><a href="https://x.org/it\'s--...">https://x.org/it\'s--...</a> and '
        '<a href="/p" title="T &quot;quoted&quot; y">x</a></p>\n',
    # K21: an HTML element's text is read to its own closing tag: emphasis open
    # around it neither closes nor opens again inside it, another closing tag there
    # is text, and one never closed takes the rest of the paragraph
    'a*b <b>c*d</b> e, x <b>a *b</b> c*, *a <span>*b*</span> c* and *a <b>c* d*\n':
        '<p>a<em>b <b>c*d</b> e, x <b>a *b</b> c</em>, <em>a <span>*b*</span> c</em> and '
        '*a <b>c* d*</b></p>\n',
    # K21b: in a raw element's text, a tag opens an element that only its own closing
    # tag closes: the outer closing tag inside it is text
    'a <code><b>x</code> y</b></code> z\n':
        '<p>a <code><b>x&lt;/code&gt; y</b></code> z</p>\n',
    # K17: a link's title and a definition's URL keep their backslashes (kramdown
    # reads no escapes there); entities in them are entities
    '[a](/u "PXL\\_1.jpg") ![i](/i.png \'t\\*t &amp; u\') [b][r] [c](/a\\_b "x &amp; y")\n\n'
    '[r]: /v\\_y "T\\_x"\n':
        '<p><a href="/u" title="PXL\\_1.jpg">a</a> <img src="/i.png" alt="i" title="t\\*t &amp; u" /> '
        '<a href="/v\\_y" title="T\\_x">b</a> <a href="/a\\_b" title="x &amp; y">c</a></p>\n\n',
    # a heading's id holds the text of its span elements and entities, not their tags
    # (csswizardry: `### Technics OTTAVA™ <var>f</var> SC-C70`)
    '### OTTAVA™ <var>f</var> <code>x y</code> <u>u</u> <img src="i" alt="A"> z\n\n'
    '### caf&eacute; &amp; co <!-- c --> x\n':
        '<h3 id="ottava-f-x-y-u--z">OTTAVA™ <var>f</var> <code>x y</code> <u>u</u> '
        '<img src="i" alt="A" /> z</h3>\n\n<h3 id="café--co--x">café &amp; co <!-- c --> x</h3>\n',
    # links do not nest: the outer wins, the inner's `[` is text (scala-lang.org's
    # `[[@gkossakowski's](...) example](...)`); an image or code inside is one; a
    # footnote's mark inside leaves the brackets unbalanced: no link
    "[[@gk's](https://github.com/gk's) example](https://github.com/gk/x/) and [a [b](u) c]"
    '(v), [![i](p.png)](h), [x `[y](z)` w](q), [c [d][e]](v) [n[^1]](m)\n\n[^1]: note\n\n['
    'e]: http://e\n':
        '<p><a href="https://github.com/gk/x/">[@gk’s](https://github.com/gk’s) example</a> an'
        'd <a href="v">a [b](u) c</a>, <a href="h"><img src="p.png" alt="i" /></a>, <a href="q'
        '">x <code class="language-plaintext highlighter-rouge">[y](z)</code> w</a>, <a href="'
        'v">c [d][e]</a> [n<sup id="fnref:1" role="doc-noteref"><a href="#fn:1" class="footnot'
        'e" rel="footnote">1</a></sup>](m)</p>\n\n<div class="footnotes" role="doc-endnotes">\n'
        '  <ol>\n    <li id="fn:1" role="doc-endnote">\n      <p>note\xa0<a href="#fnref:1" cl'
        'ass="reversefootnote" role="doc-backlink">&#8617;</a></p>\n    </li>\n  </ol>\n</div>'
        '\n',
    # abbreviations: a definition line is not written; the name as a word of its own
    # becomes <abbr> (csswizardry's `*[IE6]: Internet Explorer 6`), not in code or raw
    # HTML, nor inside a word (ASCII letters only: `éHTML` has one)
    'HTML and XHTML and HTMLs and éHTML and (HTML) and *HTML* `HTML` [HTML](u) <b>HTML</b>'
    ' <u>HTML</u>\n\n# HTML head\n\n- HTML item\n\n*[HTML]: Hyper Text\n*[XHTML]:\n*[p.]: '
    'page\n\nthe p. 5 and p.s and "HTML"\n':
        '<p><abbr title="Hyper Text">HTML</abbr> and <abbr>XHTML</abbr> and HTMLs and é<abbr t'
        'itle="Hyper Text">HTML</abbr> and (<abbr title="Hyper Text">HTML</abbr>) and <em><abb'
        'r title="Hyper Text">HTML</abbr></em> <code class="language-plaintext highlighter-rou'
        'ge">HTML</code> <a href="u"><abbr title="Hyper Text">HTML</abbr></a> <b><abbr title="'
        'Hyper Text">HTML</abbr></b> <u>HTML</u></p>\n\n<h1 id="html-head"><abbr title="Hyper '
        'Text">HTML</abbr> head</h1>\n\n<ul>\n  <li><abbr title="Hyper Text">HTML</abbr> item<'
        '/li>\n</ul>\n\n<p>the <abbr title="page">p.</abbr> 5 and p.s and “<abbr title="Hyper '
        'Text">HTML</abbr>”</p>\n',
    # emphasis opened in a link's text runs to its own closing mark, past the `]`:
    # then there is no link (schneems's `[@_tankard](https://twitter.com/_tankard_/..)`)
    '- "epic" - [@_tankard](https://twitter.com/_tankard_/status/735).\n\n[@some_user](htt'
    'ps://twitter.com/some_user) and [@_x](https://t.com/_x) and [a _b](https://t.com/c_d)'
    ' and [_a_](u)\n':
        '<ul>\n  <li>“epic” - [@<em>tankard](https://twitter.com/_tankard</em>/status/735).</l'
        'i>\n</ul>\n\n<p><a href="https://twitter.com/some_user">@some_user</a> and <a href="u'
        '">@<em>x](https://t.com/_x) and [a _b](https://t.com/c_d) and [_a</em></a></p>\n',
    # backticks that open no code span are text of their own: a quote right after
    # them opens (schneems's `"file-digest...`)
    'a `"b" and `\'c\' and ``"d" e ` "f" g`\n\n"`x`" and x`"y"\n':
        '<p>a <code class="language-plaintext highlighter-rouge">"b" and </code>‘c’ and ``“d” '
        'e ` “f” g`</p>\n\n<p>“<code class="language-plaintext highlighter-rouge">x</code>” an'
        'd x`“y”</p>\n',
    # a `!` in a reference link's text is text: only `![` starts an image (jruby.org's
    # release notes: `[Fix select!/reject! ensure][#7980]`)
    '- #7980 [Fix select!/reject! ensure][#7980]\n- #9421 [Fix check sort!/reverse!][#9421'
    ']\n- [a!][x] and [b! c][x] and [!d][x] and ![e](i.png) and [f ![g](i.png)][x]\n\n[#79'
    '80]: https://github.com/jruby/jruby/pull/7980\n[#9421]: https://github.com/jruby/jrub'
    'y/pull/9421\n[x]: http://x\n':
        '<ul>\n  <li>#7980 <a href="https://github.com/jruby/jruby/pull/7980">Fix select!/reje'
        'ct! ensure</a></li>\n  <li>#9421 <a href="https://github.com/jruby/jruby/pull/9421">F'
        'ix check sort!/reverse!</a></li>\n  <li><a href="http://x">a!</a> and <a href="http:/'
        '/x">b! c</a> and <a href="http://x">!d</a> and <img src="i.png" alt="e" /> and <a hre'
        'f="http://x">f <img src="i.png" alt="g" /></a></li>\n</ul>\n\n',
    # a table of contents inside a markdown="1" element lists the whole document's
    # headings, those in other such elements too (feeling-responsive's panel)
    '<div markdown="1">\n* TOC\n{:toc}\n\ntext\n</div>\n\n## H\n\n<div markdown="1">\n## I'
    'n\n</div>\n':
        '<div>\n<ul id="markdown-toc">\n  <li><a href="#h" id="markdown-toc-h">H</a></li>\n  <'
        'li><a href="#in" id="markdown-toc-in">In</a></li>\n</ul>\n\n  <p>text</p>\n</div>\n\n'
        '<h2 id="h">H</h2>\n\n<div>\n  <h2 id="in">In</h2>\n</div>\n',
    # a heading's text before its {#id} loses all its trailing blanks
    '## Edit Navigation   {#edit-navigation}\n\n### Three  {#three}\n':
        '<h2 id="edit-navigation">Edit Navigation</h2>\n\n<h3 id="three">Three</h3>\n',
    # emphasis in a link's text: a raw element's text is none (csswizardry's TOC item
    # `[Hack Namespaces: <code>_</code>](#hack-namespaces-_)`), and a footnote read
    # while looking for the closing mark is counted once
    '1. [Hack Namespaces: <code class="x">_</code>](#hack-namespaces-_) and [a _b](#c_d)\n'
    '2. [_x_ note[^n]](u) and [_y](v_)\n\n[^n]: A note.\n':
        '<ol>\n  <li><a href="#hack-namespaces-_">Hack Namespaces: <code class="x">_</code></a'
        '> and <a href="#c_d">a _b</a></li>\n  <li>[<em>x</em> note<sup id="fnref:n" role="doc'
        '-noteref"><a href="#fn:n" class="footnote" rel="footnote">1</a></sup>](u) and [<em>y]'
        '(v</em>)</li>\n</ol>\n\n<div class="footnotes" role="doc-endnotes">\n  <ol>\n    <li '
        'id="fn:n" role="doc-endnote">\n      <p>A note.\xa0<a href="#fnref:n" class="reversef'
        'ootnote" role="doc-backlink">&#8617;</a></p>\n    </li>\n  </ol>\n</div>\n',
    # a footnote's definition is its first line, then lines indented by four and their
    # lazy lines: the link definitions right after it are not its text (a research
    # blog's `[^update]: ...` then ` [1]: http://minecraft.net`)
    'Text[^u] and [link][1].\n\n [^u]: Well, it *was* filed\n [1]: http://minecraft.net\n '
    '[2]: http://x\n\n[^v]: first\n    second para line\nlazy line\n\n    more\n\nafter [^'
    'v]\n':
        '<p>Text<sup id="fnref:u" role="doc-noteref"><a href="#fn:u" class="footnote" rel="foo'
        'tnote">1</a></sup> and <a href="http://minecraft.net">link</a>.</p>\n\n<p>after <sup '
        'id="fnref:v" role="doc-noteref"><a href="#fn:v" class="footnote" rel="footnote">2</a>'
        '</sup></p>\n<div class="footnotes" role="doc-endnotes">\n  <ol>\n    <li id="fn:u" ro'
        'le="doc-endnote">\n      <p>Well, it <em>was</em> filed\xa0<a href="#fnref:u" class="'
        'reversefootnote" role="doc-backlink">&#8617;</a></p>\n    </li>\n    <li id="fn:v" ro'
        'le="doc-endnote">\n      <p>first\nsecond para line\nlazy line</p>\n\n      <p>more\xa0'
        '<a href="#fnref:v" class="reversefootnote" role="doc-backlink">&#8617;</a></p>\n    <'
        '/li>\n  </ol>\n</div>\n',
    # gaohaoyang.github.io: a footnote marker is read before links and emphasis, and one
    # with no footnote is its text, whole (the `_` of `[^A-Za-z0-9_]` opens no emphasis)
    '等价于 [^A-Za-z0-9_]。<br>例如 /[^A-Za-z0-9_]/ and _e [^ab_] f_, [^1](x) and '
    '[^n](http://a.b)\n\n[^n]: note\n':
        '<p>等价于 [^A-Za-z0-9_]。<br />例如 /[^A-Za-z0-9_]/ and <em>e [^ab_] f</em>, [^1](x) '
        'and <sup id="fnref:n" role="doc-noteref"><a href="#fn:n" class="footnote" rel="footn'
        'ote">1</a></sup>(http://a.b)</p>\n\n<div class="footnotes" role="doc-endnotes">\n  <o'
        'l>\n    <li id="fn:n" role="doc-endnote">\n      <p>note\xa0<a href="#fnref:n" class="r'
        'eversefootnote" role="doc-backlink">&#8617;</a></p>\n    </li>\n  </ol>\n</div>\n',
    # gaohaoyang.github.io: a `file:` URL is a link (markdown-it refuses the scheme)
    '[Demo](file:///E:/GitWorkSpace/t.html) and ![i](file:///a.png)':
        '<p><a href="file:///E:/GitWorkSpace/t.html">Demo</a> and <img src="file:///a.png" '
        'alt="i" /></p>\n',
    # CMU's PGM course site: an escape in a span attribute list is read as written
    '[Gradescope](https://g.com/c){:target="\\_blank"} and *e*{:data-x="\\*"} &amp; '
    '[b](v){: title="&amp;"}':
        '<p><a href="https://g.com/c" target="\\_blank">Gradescope</a> and <em data-x="\\*">e'
        '</em> &amp; <a href="v" title="&amp;">b</a></p>\n',
}


@pytest.mark.parametrize("text", list(CASES))
def test_span_as_kramdowns(text):
    assert renderer().render(text) == CASES[text]


def test_cases_are_what_kramdown_writes():
    assert kramdown_html(list(CASES)) == list(CASES.values())


# A config's `kramdown:` settings for heading ids (whiteglass sets `auto_ids: false`:
# its posts' headings had ids Jekyll's have not; jsonapi.org an `auto_id_prefix`).
HEADINGS = ('* x\n{:toc}\n\n# One\n\n## Two {#own}\n\n## One\n\n### "\n\n'
            '<div markdown="1">\n## Inside\n</div>\n')
ID_OPTIONS = [{"auto_ids": False}, {"auto_ids": "false"}, {"auto_id_prefix": "auto-id-"},
              {"auto_ids": True, "auto_id_prefix": "x"}]
# auto_ids false (either spelling): no ids but its own `{#own}`, so a TOC of that alone
NO_IDS = ('<ul id="markdown-toc">\n  <li><a href="#own" id="markdown-toc-own">Two</a></li>\n'
          '</ul>\n\n<h1>One</h1>\n\n<h2 id="own">Two</h2>\n\n<h2>One</h2>\n\n<h3>”</h3>\n\n'
          '<div>\n  <h2>Inside</h2>\n</div>\n')
# a prefix starts every id made, by either of kramdown's rules, an empty one too
PREFIXED = ('<ul id="markdown-toc">\n  <li><a href="#{p}one" id="markdown-toc-{p}one">One</a>'
            '    <ul>\n      <li><a href="#own" id="markdown-toc-own">Two</a></li>\n      <li>'
            '<a href="#{p}one-1" id="markdown-toc-{p}one-1">One</a>        <ul>\n          <li>'
            '<a href="#{p}" id="markdown-toc-{p}">”</a></li>\n        </ul>\n      </li>\n'
            '      <li><a href="#{p}inside" id="markdown-toc-{p}inside">Inside</a></li>\n'
            '    </ul>\n  </li>\n</ul>\n\n<h1 id="{p}one">One</h1>\n\n<h2 id="own">Two</h2>'
            '\n\n<h2 id="{p}one-1">One</h2>\n\n<h3 id="{p}">”</h3>\n\n<div>\n  '
            '<h2 id="{p}inside">Inside</h2>\n</div>\n')
ID_HTML = [NO_IDS, NO_IDS, PREFIXED.format(p="auto-id-"), PREFIXED.format(p="x")]


@pytest.mark.parametrize("options", ID_OPTIONS, ids=str)
def test_heading_id_options_as_kramdowns(options):
    assert renderer(options).render(HEADINGS) == ID_HTML[ID_OPTIONS.index(options)]


def test_heading_id_cases_are_what_kramdown_writes():
    assert [kramdown_html([HEADINGS], options)[0] for options in ID_OPTIONS] == ID_HTML


# The config's `toc_levels` (minimal-mistakes' blogs set `1..3`), as a range, a
# list or commas; a document's own `{::options toc_levels=... /}` over it.
TOC = '* x\n{:toc}\n\n# a\n\n## b\n\n### c\n'
TOC_A_B = ('<ul id="markdown-toc">\n  <li><a href="#a" id="markdown-toc-a">a</a>    <ul>\n      '
           '<li><a href="#b" id="markdown-toc-b">b</a></li>\n    </ul>\n  </li>\n</ul>\n\n')
TOC_CASES = [
    ({"toc_levels": "1..2"}, TOC, TOC_A_B),
    ({"toc_levels": [1, 2]}, TOC, TOC_A_B),
    ({"toc_levels": "2,3"}, TOC, '<ul id="markdown-toc">\n  <li><a href="#b" id="markdown-toc-b">'
     'b</a>    <ul>\n      <li><a href="#c" id="markdown-toc-c">c</a></li>\n    </ul>\n  '
     '</li>\n</ul>\n\n'),
    ({"toc_levels": "2,3"}, '{::options toc_levels="1..2" /}\n' + TOC, TOC_A_B),
]
HEADS = '<h1 id="a">a</h1>\n\n<h2 id="b">b</h2>\n\n<h3 id="c">c</h3>\n'


@pytest.mark.parametrize("options, text, toc", TOC_CASES)
def test_toc_levels_of_the_config_as_kramdowns(options, text, toc):
    assert renderer(options).render(text) == toc + HEADS


def test_toc_level_cases_are_what_kramdown_writes():
    assert [kramdown_html([text], options)[0] for options, text, _ in TOC_CASES] == \
        [toc + HEADS for _, _, toc in TOC_CASES]


# The config's `smart_quotes` (getmonero.org sets `["apos", "apos", "quot", "quot"]`
# for its command lines): entity names or code points, a list or commas.
QUOTED = ('He said "it\'s *"fine"* and \'ok\'" -- the \'80s; "\'Quoted\' words" '
          '["a" link](u)\n')
STRAIGHT = ('<p>He said "it\'s <em>"fine"</em> and \'ok\'" – the \'80s; "\'Quoted\' words" '
            '<a href="u">"a" link</a></p>\n')
QUOTE_CASES = [
    ({"smart_quotes": ["apos", "apos", "quot", "quot"]}, STRAIGHT),
    ({"smart_quotes": "39,39,34,34"}, STRAIGHT),
    ({"smart_quotes": "lsaquo,rsaquo,laquo,raquo"},
     '<p>He said «it›s <em>«fine»</em> and ‹ok›» – the ›80s; «‹Quoted› words» '
     '<a href="u">«a» link</a></p>\n'),
]


@pytest.mark.parametrize("options, html", QUOTE_CASES)
def test_smart_quotes_of_the_config_as_kramdowns(options, html):
    assert renderer(options).render(QUOTED) == html


def test_smart_quote_cases_are_what_kramdown_writes():
    assert [kramdown_html([QUOTED], options)[0] for options, _ in QUOTE_CASES] == \
        [html for _, html in QUOTE_CASES]


def test_simple_spans_as_the_inline_parse_makes_them(monkeypatch) -> None:
    """kramdown._simple_spans (a text where only plain links, code spans, line
    breaks, `{`s and `_`s after letters start) makes the tokens the inline parse makes, on random texts of links, code,
    braces and other markup, and on the corpus's posts; and it is taken."""
    import random

    import jekyll_corpus
    import markdown_samples
    from site_builder.site import kramdown
    from site_builder.site.kramdown import renderer
    pick = random.Random(13)
    pieces = ["[#12](https://x.org/12)", "[a b](/docs/x/)", "[](u)", "[x](javascript:y)",
              "[x](file:///e)", "[x](u_v*w~$)", "[x](a&amp;b)", "[x](a\\_b)", "[x] (u)", "[x]",
              "[a [b](c)](d)", "[^1]", "[x](u \"t\")", "text ", " (", ")", "*em*", "`c`", "\n",
              "&amp;", "<b>", "!", "{:", "_", "~", "$$", "ü", "[x](<u>)", "[x][r]",
              "`", "``", "`code`", "`` a ` b ``", " ` ", "```x```", "`` ``", "{", "{::comment}",
              "{::nomarkdown}<b>{:/}", "{#id}", "\\`", "\t", "  \n", " \n<div>", "\t\n</p>",
              "\n\n", "  ", " \n", "site_url", "x__y", "a___b", "-_x", "é_", "a-_b_", "_"]
    texts = ["".join(pick.choice(pieces) for _ in range(pick.randrange(1, 7)))
             for _ in range(4000)]
    texts += [post.text for post in jekyll_corpus.corpus()]
    texts += markdown_samples.blog_like(seed=5, count=60)
    md = renderer()
    shortcut, taken = kramdown._simple_spans, []

    def counted(*args) -> list | None:  # noqa: ANN002
        taken.append((found := shortcut(*args)) is not None)
        return found
    for text in texts:
        with monkeypatch.context() as patch:
            patch.setattr(kramdown, "_simple_spans", counted)
            with_shortcut = md.parse(text, {})
            patch.setattr(kramdown, "_simple_spans", lambda *a: None)
            without = md.parse(text, {})
        assert with_shortcut == without, repr(text)   # (before rendering, which sets alt texts)
        assert md.renderer.render(with_shortcut, md.options, {}) == \
            md.renderer.render(without, md.options, {}), repr(text)
    assert sum(taken) > 300 and taken.count(False) > 300
