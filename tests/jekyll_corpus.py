"""A deterministic test blog for the cross-check with real Jekyll 4.3.

`write_corpus(folder, n)` writes `_config.yml` and `n` posts in `posts/`, one
Markdown/Liquid feature per post (so one unsupported feature sinks only its own
posts). `corpus(n)` lists the posts with their feature (generated posts also
carry a `feature:` front matter key). The author's example post
is included verbatim (its text is copied here: ../shared is not on CI clones).
The same `posts/` copied into a Jekyll site's `_posts/` builds with Jekyll.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

CONFIG = """\
title: Cross-check corpus
description: Posts that Jekyll and site-builder must build alike.
url: "http://127.0.0.1"
baseurl: "/blog"
permalink: /:title/
markdown: kramdown
timezone: America/Montreal
defaults:
  - scope:
      path: ""
      type: posts
    values:
      author: Corpus author
  - scope:
      path: "_posts/2020-02"
    values:
      author: February author
"""

# Marks a post's content in the minimal layouts both builders use; the title
# names the post (every title in the corpus is unique and plain ASCII).
BEGIN = "<!-- crosscheck-begin: {{ page.title }} -->"
END = "<!-- crosscheck-end -->"
MINIMAL_POST_LAYOUT = f"{BEGIN}\n{{{{ content }}}}\n{END}\n"

EXAMPLE_NAME = "2020-11-03-ancestral-sampling-joy-division.md"
EXAMPLE_TITLE = "Ancestral sampling conditioned on Joy Division"

# ../shared/examples/2020-11-03-ancestral-sampling-joy-division.md, byte for byte
# (it has no final newline).
EXAMPLE = r'''---
layout: post
current: post
cover:  assets/images/jd.jpg
navigation: True
title: Ancestral sampling conditioned on Joy Division
date: 2020-11-03 5:34:00
tags: [Jukebox, ancestral sampling]
class: post-template
subclass: 'post'
author: gabriel
---

I want to check how is the sampling of an artist that I know well, and so I decided to perform ancestral sampling of the Jukebox `5b` model of two artists whose catalog I know well: *Joy Division* and *Lucybell*. While the former is pretty well known and has just a few official albums, the latter is my former band which happen to be in the `V3` list of artist, which is tied to the `5b` and `5b_lyrics` models.

For Joy Division, I requested 16 samples with `sample_length_in_seconds=60`, in five genres (Dark Wave, Gothic, Coldwave, Hip Hop, and Glitch Pop). It took:
```
    Nodes: 1
    Cores per node: 6
    CPU Utilized: 14:55:31
    Job Wall-clock time: 14:59:55
    Memory Utilized: 23.10 GB
```

For Lucybell, I requested 3 samples, 60 seconds. Note more than five times the number of samples didn't take five times longer. Also, memory used for Lucybell was actually a third larger. Perhaps this is because I ran these two processes in two different clusters. I requested the same GPU though (Volta V100).


  ```
  Nodes: 1
  Cores per node: 10
  CPU Utilized: 08:05:34
  Job Wall-clock time: 08:05:12
  Memory Utilized: 31.02 GB
  ```

Joy Division samples

  <iframe src="https://archive.org/details/ancestral-sampling-by-artist-joy-division#" width="500" height="250" frameborder="1" webkitallowfullscreen="true" mozallowfullscreen="true" allowfullscreen></iframe>

Some of the samples sound (e.g., `item 0`)like a rehearsal in a garage, or a live bootleg take. This is actually possible, since Joy Division has several bootleg albums.
Other samples sound such another band (e.g., `item 1`, `item 10`, `item 11`, `item 13`), but from the same period and similar style and sound (i.e., post-punk, punk, or somewhere there)

From what I remembered, `item 2` is the one that sounds closer to Joy Division. The shout at the beginning is very similar, I think, to one in a Joy Division song. Another examples sound very similar to you could expect from Joy Division (e.g., `item 10`)

Some examples seem to be strange parts of the model (e.g., `item 12`, `item 8`), where there is lots of silence.


My favorite ones are `item 14` (rhythmically interesting and nice attitude) and `item 3` (very nice mood but not Joy Division-ish, at all!)

**It seems that the query is somehow close to the period and style attributed to Joy Division, but it is not actually retrieving and decoding something memorized**
**The songs seem to be _correctly tuned_, there are no weird shifts in tuning and seem to be consistent over time and across songs**

Lucybell samples

<iframe src="https://archive.org/details/ancestral-sampling-by-artist-lucybell#" width="500" height="250" frameborder="1" webkitallowfullscreen="true" mozallowfullscreen="true" allowfullscreen></iframe>

The three examples are in the form of a guitar-driven ballad, which is actually very close to most popular songs of Lucybell. It is interesting that all start in a similar way: a leading instruments, such as a solo guitar or leading piano. The second example (`item 1`) has a very nice phantom choir that accompanies the lead vocal.

None of the examples sound very *Lucybell* to me, but the there is something stylistically similar.'''


@dataclass(frozen=True)
class Spec:
    feature: str
    body: str
    front: str = ""     # extra front matter lines


# One entry per post; the order fixes each post's date (2020-01-01 + index days).
SPECS: list[Spec] = [
    Spec("headings", """\
# A first-level heading

Text under the first heading.

## Second level with `code` and *emphasis*

### Third level

#### Fourth level

Setext heading
--------------

The end.
"""),
    Spec("headings", """\
## Setup

First setup.

## Setup

Second setup, same heading text.

## What's new? Numbers: 1, 2 & 3!

Punctuation in a heading.
"""),
    Spec("emphasis", """\
Some *emphasis*, _underscored emphasis_, **strong**, __also strong__ and
***both at once***. Inline `code with <angle> & ampersand` too, and a
snake_case_word that stays as it is.

A line that ends in two spaces  
breaks there.

> A quoted paragraph with *emphasis*.
>
> And a second quoted paragraph.

---

After a rule.
"""),
    Spec("links", """\
An [inline link](http://example.com/page) and one [with a title](http://example.com/t "The title").
A [reference link][ref] and a [short one][].
An autolink <http://example.com/auto> and a [relative one](/about/).

![An image](/assets/images/cover.png)

[ref]: http://example.com/reference
[short one]: https://example.org/short
"""),
    Spec("links", """\
A link with a query: [search](https://example.com/search?q=jukebox&n=2).
A link to [a fragment](#section) and to [another post's asset](../assets/x.mp3).
Mail: <mailto:someone@example.com>.
"""),
    Spec("lists", """\
Unordered:

- apples
- pears
- plums

Ordered:

1. first
2. second
3. third

Another marker:

* star one
* star two
"""),
    Spec("lists", """\
Nested lists:

- outer one
  - inner with two spaces
  - second inner
- outer two
    - inner with four spaces

1. step one
    1. sub-step a
    2. sub-step b
2. step two
"""),
    Spec("lists", """\
A list right after a paragraph:
- no blank line before
- second item

A loose list:

- first paragraph item

- second paragraph item

  with a continuation paragraph
"""),
    Spec("fenced-code", """\
A Python block:

```python
def sample(model, n=16):
    \"\"\"Draw n samples.\"\"\"
    return [model(i) for i in range(n) if i < 10]
```

Done.
"""),
    Spec("fenced-code", """\
A plain fence:

```
Nodes: 1
Cores per node: 6
a < b && c > d
```

A tilde fence:

~~~
tilde fenced
~~~
"""),
    Spec("fenced-code", """\
A fence straight after a paragraph:
```
    Nodes: 1
    Memory Utilized: 23.10 GB
```

An indented fence:

  ```
  CPU Utilized: 08:05:34
  ```
"""),
    Spec("indented-code", """\
An indented block:

    for i in range(3):
        print(i)

And text again, then another:

    <b>not bold</b> & raw
"""),
    Spec("tables", """\
| Model | Samples | Hours |
|-------|---------|-------|
| 5b    | 16      | 14.9  |
| 5b    | 3       | 8.1   |
"""),
    Spec("tables", """\
Aligned columns with markup:

| Left | Centre | Right |
|:-----|:------:|------:|
| *a*  | `b`    | **c** |
| [d](http://example.com/d) | e | 1 |
"""),
    Spec("footnotes", """\
A claim with a footnote[^note] and another[^2].

[^note]: The note, with *emphasis*.
[^2]: The second note.
"""),
    Spec("smart-quotes", """\
"Double quotes", 'single quotes', it's, the '90s and "nested 'quotes'".
"""),
    Spec("smart-quotes", """\
Dashes: 2019--2020, a pause --- like this, and an ellipsis...
"""),
    Spec("raw-html", """\
An archive.org player:

<iframe src="https://archive.org/embed/ancestral-sampling-by-artist-lucybell&playlist=1" width="500" height="140" frameborder="0" webkitallowfullscreen="true" mozallowfullscreen="true" allowfullscreen></iframe>

After the player.
"""),
    Spec("raw-html", """\
A sample:

<audio controls src="{{ site.baseurl }}/assets/x.mp3"></audio>

After the sample.
"""),
    Spec("raw-html", """\
<div class="note">
A note in a div, *not* Markdown.
</div>

Text after the div.
"""),
    Spec("raw-html", """\
<div class="samples" markdown="1">
Markdown *inside* a div with markdown="1".
</div>

After.
"""),
    Spec("markdown-html", """\
Text with <b>inline bold</b>, <em>inline em</em> and <span class="x">a span</span>.

<div class="box">A box</div>
*Markdown* right under the closing tag.
"""),
    Spec("markdown-html", """\
<!-- a comment -->
A paragraph after a comment.

<p>A hand-written paragraph.</p>

**Bold** after it.
"""),
    Spec("liquid-baseurl", """\
The base is {{ site.baseurl }} and the site is {{ site.title }}.
[Home]({{ site.baseurl }}/) and ![plot]({{ site.baseurl }}/assets/runs/x/plot.png)
"""),
    Spec("liquid-raw", """\
Liquid shown literally: {% raw %}{{ site.baseurl }} and {% if x %}{% endraw %}.

```
{% raw %}{{ page.title }}{% endraw %}
```
"""),
    Spec("liquid-highlight", """\
{% highlight python %}
def f(x):
    return x * 2  # double
{% endhighlight %}

Done.
"""),
    # Jekyll 4's post_url includes the baseurl (Jekyll 3's did not: there,
    # `{{ site.baseurl }}{% post_url ... %}` was the idiom; in 4.3 it doubles it).
    Spec("liquid-post-url", """\
See [the Joy Division post]({% post_url 2020-11-03-ancestral-sampling-joy-division %})
and [the first one]({% post_url 2020-01-01-headings-1 %}).
"""),
    Spec("liquid-relative-url", """\
[A sample]({{ "/assets/x.mp3" | relative_url }}), [about]({{ "about/" | relative_url }})
and [the feed]({{ "/feed.xml" | absolute_url }}).
"""),
    Spec("tags-categories", """\
Tags: {{ page.tags | join: ", " }}. Categories: {{ page.categories | join: ", " }}.
""", front="tags: [Jukebox, ancestral sampling]\ncategories: [Notes, music]\n"),
    Spec("permalink", """\
A post with its own permalink.
""", front="permalink: /notes/:year/:month/:title.html\n"),
    Spec("date-time", """\
Written on {{ page.date | date: "%Y-%m-%d %H:%M" }}.
""", front="date: 2020-01-31 5:34:00\n"),
    # Written in another zone: the site's `timezone` decides the day in the URL.
    Spec("timezone", """\
Written on {{ page.date | date: "%Y-%m-%d %H:%M" }}, {{ page.date | date_to_xmlschema }}.
""", front="date: 2020-02-20 03:30:00 +01:00\npermalink: /:year/:month/:day/:title/\n"),
    Spec("markdown-html", """\
<img src="/assets/images/cover.png" alt="A lone image line">

<b>A bold line</b> is a paragraph too.
"""),
    Spec("nested-blocks", """\
1. Run this:

   ```bash
   make post ARTIST=lucybell
   ```

2. Then listen.

> - quoted
>   - nested by two spaces

Go << back or forward >> from here.
"""),
    # `author` comes from the config's front matter defaults (the longest path wins).
    Spec("front-matter-defaults", """\
Written by {{ page.author }}.
"""),
    Spec("attribute-lists", """\
A paragraph with a class.
{: .note}

{: .lead}
A paragraph with its attribute list before it.

> A quote
{: #quoted}

- a list
- with an id
{: #the-list}

```python
x = 1
```
{: .wide}

![An image](/assets/images/cover.png){: .wide}
and [a link](http://example.com/){: .ext}

## A heading {#my-id}

## Another heading
{: .fancy}
"""),
    # kramdown's rules where CommonMark differs (issue 14), each from a real post.
    Spec("smart-quotes-kramdown", """\
The StickerMule team says, *"Pine no longer!"* and **"Using it"** works.

Try a search on "?" in the mid-'90s style, as ["Kindly Closing"](http://example.com/) says.

Code `x`"y" and "*z*" and it's 'quoted'.
"""),
    Spec("emphasis-kramdown", """\
**UPDATE (8/3/2010):**Fixed the bug.

Math 2*3*4 and a * b * c, *word*. and "**quoted**" and **bold**: yes
"""),
    Spec("attribute-list-in-paragraph", """\
A picture, sized:
![a cover](/assets/images/cover.png)
{: style="width: 400px"}
and the text "after" it.
"""),
    Spec("link-with-spaces", """\
A [link](http://example.com/a b) and [another](http://example.com/ "Title") and
[a titled one](docs/my page.html "The page").
"""),
    Spec("strikethrough-del", """\
A ~~gone~~ word.
"""),
    Spec("task-lists", """\
- [x] done
- [ ] todo
"""),
    Spec("definition-lists", """\
Term
: definition one

Other
: definition two
"""),
    Spec("list-interrupts-paragraph", """\
The last section
109. Goooal
110. Next

1) Preprocess is text.
"""),
    Spec("math-blocks", """\
Inline math $$N$$ and $$a_1 * b_2 \\\\ c$$ here.

$$
x_1 * y_2 < z
$$
"""),
    Spec("highlight-linenos", """\
{% highlight ruby linenos %}
def foo
  puts 'foo'
end
{% endhighlight %}
"""),
    Spec("code-spans-kramdown", r"""\
A span `across
lines` here, `C:\Users\` and `\n`, `a\`b` and `\\` end.

Spaced ` x ` and `  y  ` stay text; ``a ` b`` and ``` ``x`` ```; ```a``b``` and ``a```b``.

Unclosed `here, escaped \`a` b`, and *em `code*` x*.
"""),
    Spec("end-tag-words", """\
Words after an end tag are ignored, as Ruby Liquid does:

{% highlight ruby %}
x = 1
{% endhighlight ruby %}

{% if true %}yes{% endif true %} and {% for i in (1..3) %}{{ i }}{% endfor i %}.
"""),
    Spec("stray-closing-tags", """\
<div class="imgcap">
<img src="/a.jpg" style="border:none;">
<div class="thecap" style="text-align:center">Caption (right). </a></div>
</div>

<div>a > b & c &amp; d < e, <code>x < y</code></div>

Text </a> more, <b>bold</b>, and a <span>span <em>em</em></span> then </div> here.
"""),
    Spec("tables-kramdown", """\
Para line one
a | b after a paragraph line stays text.

- item a | b
- item two

`x|y` code alone is no table.

> quote a | b

| h1 | h2 |
|:--|--:|
| `c|d` | e \\| f |
| one |

 BU | 2008 | 2010 | 2011
---- | ------------- | ------------
A | B  | C | D |
E |  | F |

x | y
z

{: .items}
| item | note |
| --- | --- |
| 1 | first |
"""),
    Spec("links-kramdown-urls", r"""[Metro](http://en.wikipedia.org/wiki/Metro_(design_language\)) and [a path](C:\dir\file)
and [spaced](http://x.com/a b "Title") and [plain](http://x.com/(a)) end.
"""),
    Spec("code-blocks-kramdown", """\
I guess..."both terminating" relation -- "yes".

###

```bnf
c ::= SKIP | x ::= a
```

```hbs
<p>hi</p>
```

```f(TAPL)
plus = 1 < 2
```

A fence never closed is text:

```coq
Inductive tm : Type :=
  | rnil : tm
"""),
    Spec("markdown-attribute-nested", """\
<div class="note info">
  <h5>Watching and Serving</h5>
  <p markdown="1">Instead of specifying `server: true` in the site's
   configuration file, use *the* `serve` command.</p>
</div>
"""),
    Spec("quotes-after-emphasis-marks", """\
Ask on forums (for example, _"How do I..."_ or _"What do you think?"_ instead).

He said: _"Do not ask, a 5*"x" and \\_"y" and snake_"z" too.

As @lmccart put it: [""Open source" means what?"](https://example.com/open) and ""x and "'Quoted' words".
"""),
    Spec("html-tags-in-paragraphs", """\
<aside markdown="1" class="quote">
  Keep issues moving.  <p markdown="1" class="credit">
- @someone, [Scaling](https://example.com/scaling) *well*
  </p>
</aside>

<p markdown="1" class="credit">
- @other, [Saying no](https://example.com/no)
   </p>

<table><tr>
<td markdown="span">See [the tags][tags-page], defined further on.</td>
</tr></table>

A paragraph with <div>a block tag</div> and <span>a span</span> in it
</div>

</section>

The `<details>` tag folds a section:

<details markdown="block">
<summary>A list (click me)</summary>

Inside a `<details>`:

- Apples
</details>

[tags-page]: https://example.com/tags
"""),
    Spec("heading-ids-any-script", """\
## تحقّق قبل أن تساهم {#قائمة-تحقّق-قبل-أن-تساهم}

## हिन्दी शीर्षक ½ x_y

## Names {#a:b.c}

## Not an id{#glued}
"""),
    Spec("list-lazy-lines", """\
Versions of Unix:

- #### Xenix
Licensed from AT&T in 1979, on x86.

- #### BSD
**Berkeley Software Distribution**, also called Berkeley Unix.
\t- **Its greatest gift**: virtual memory and TCP/IP.
\t- Many open descendants: FreeBSD, OpenBSD, NetBSD.

Steps:

- One
- Two, then a fence taken lazily
```
make post
```
"""),
    Spec("template-languages-highlighted", """\
Rouge highlights the HTML around a template's code:

```erb
<link rel="stylesheet" href="https://example.com/bootstrap.min.css">
<%= stylesheet_link_tag 'application' %>
```

```handlebars
<a href="/ideas">{{ title }}</a>
```

```jinja
<img src="/cover.png">{% if x %}{{ x }}{% endif %}
```
"""),
    Spec("list-item-attribute-lists", """\
A table of contents as allejo/jekyll-toc writes it:

- {:.} [Summary](#summary)
- {:.toc-entry} [Special formatting](#special-formatting)
- {: #item-id .done} Done, with an id
"""),
    Spec("code-block-lazy-lines", """\
An indented block, then lines that are not indented:

    make post ARTIST=lucybell
then the run starts
  and writes job.json

    make site

<aside markdown="1" class="quote">
\t<img src="/assets/images/cover.png" alt="">
\tA quote, indented by a tab.
\t<p markdown="1" class="credit">
— @someone, ["Growing a base"](https://example.com/growing)
\t</p>
</aside>
"""),
    Spec("emphasis-does-not-nest", """\
Go to **[the certificates][certs]. Right-click the page, select **Save as**, and save it.

A README helps people _use the project, a contributing guide helps people _contribute_ to it.

**a *b* c** and *a **b** c* and **x** **y** and a*b*c and _one_ _two_ and *x *y z*.

[certs]: https://example.com/cacert.pem
"""),
    Spec("table-of-contents-any-item", """\
- contents
{: toc }

## Dark mode

## Themes
"""),
    Spec("table-of-contents", """\
* TOC
{:toc}

## First part

### A detail

## Second *part*
"""),
    # kramdown's block whitespace (issue 14 point 8): a blank line where the source
    # has blank lines between blocks, nested blocks indented two spaces a level.
    Spec("block-whitespace", """\


A paragraph after blank lines.



# A heading after three blank lines
Text right under it.

---
> A quote
> on two lines.
>
> > A nested quote.
>
> ```
> code in a quote
> ```
>
"""),
    Spec("block-whitespace", """\
Tight, nested and ordered lists:
- one
- two
  - two.a
  - two.b
    1. deep
    2. deeper
- three

1. first

   with a second paragraph

2. second
3. third

- loose

- items

After the lists.


"""),
    Spec("block-whitespace", """\
- an item with code

  ```python
  x = 1
  ```

  > and a quote

- | a | b |
  |---|---|
  | 1 | 2 |

- <div>raw HTML in an item</div>

Term
: its definition

Another term
: a definition

  with a second paragraph

<div markdown="1">

Markdown *inside* an element.

</div>
"""),
    Spec("block-whitespace", """\
* TOC
{:toc}

## Notes

A claim[^a] and another[^b].

[^a]: A short note.

[^b]: A longer note.

    With a second paragraph.

    ```
    and code
    ```

## Maths

$$
e^{i\\pi} + 1 = 0
$$

    an indented code block
"""),
    Spec("block-whitespace", """\
> * TOC
> {:toc}
>
> $$
> a^2 + b^2 = c^2
> $$

## Quoted contents

A note referred to twice[^twice], and again[^twice].

Term
: a definition

Term after a blank

: a definition with a paragraph

- #### A heading in an item
  and a lazy paragraph

<hr />
Right after a rule.

<script>var x = 1;</script>
Right after a script.

[^twice]: The note.
"""),
    # kramdown strips `> ` or `>` from a quote's lines and reads a tab left at the
    # start as a whole indentation: code (railsgirls' `>\tgit init`).
    Spec("quote-tab-code", """\
Run these in a terminal:

>\t`git init`

> \tgit add .
>\t\tindented once more

> A paragraph
>\tgoes on.

  >\tA marker indented by two: its tab one column wide to CommonMark.
"""),
    # kramdown's HTML parser: a tag opens an element that only its own closing tag
    # closes; one left open (railsgirls' `github.com/<your username>/`) keeps the
    # elements around it open to the end of the text, Markdown and all.
    Spec("html-element-left-open", """\
Push to your own repository:

<div class="os-specific">
  <div class="nix">
    <pre>git push</pre>
  </div>
Then open https://github.com/<username>/project
</div>

**Coach:** kramdown's HTML parser keeps both divs open to here.

[A link](https://example.com/) & more.

"""),
    Spec("html-element-left-open", """\
An element never closed:

<section class="notes">
First note.

## Not a heading

*Not emphasis*, to the end.
"""),
    # A <pre>'s text is read by kramdown's HTML parser as any element's: a tag whose
    # attribute value holds a quoted tag is no tag (documentation-theme-jekyll's
    # `data-target="<span class="red">#myModal3</span>"`), its `<` is text, and so are
    # a bare `<` and `&`.
    Spec("html-pre-text", """\
1.  Make the values in red unique:

     <pre>
     <button type="button" class="btn" data-target="<span class="red">#myModal3</span>">Publish</button>
           <!-- Modal -->
           <div class="modal fade" id="<span class="red">myModal3</span>" tabindex="-1">
     </pre>

2.  And compare:

<pre>
if a < b && c > d:
    print("<b>bold</b> &amp; &copy;")
</pre>
"""),
    # kramdown's emphasis parser: two marks at most open an element, which takes
    # what follows (spans and all) up to a closing mark it accepts; a strong never
    # closed is tried as an em from its second mark (mojombo's `_______`).
    Spec("emphasis-runs", """\
Then "I can has _______" was also a moniker, and so was ******.

Runs are read two marks at a time: ____a____ and **__x__**, ***both*** and *__nested__*.

Not closed: **bold *and em* and _under_score_ and __strong_ text.

Struck: ~~a *b~~ c* and _~~[a link](https://example.com/) *e*~~_.
"""),
    # Jekyll's kramdown writes an entity as its character (entity_output: as_char)
    # but for <, > and &; a name HTML 4 lacks is text. A quote before an entity or
    # an emphasis mark is decided on the source after it, as kramdown does.
    Spec("entities-and-quotes", """\
Entities: &copy; &#39; &#169; &eacute; &quot; &hellip; &amp; &lt; &#60; &mdash; &check; &apos;.

Rock 'n' roll: '&amp; more', "&copy; them" and *"*`code` too.

Python's __init__"(__init__" and ***"both"*** and _'em'_.
"""),
    # An element with markdown="1" never closed (opensource.guide's Bengali asides):
    # kramdown reads Markdown blocks to the end of the text and closes it there. A
    # heading inside gets the id of kramdown's HTML converter, not the GFM parser's.
    Spec("markdown-element-left-open", """\
Before the note.

<aside markdown="1" class="note">
A note never closed, with **Markdown** in it.

### Über uns

<div markdown="1">
### Über uns
</div>

- and a list
"""),
    # kramdown's span rules that real blogs met (survey K01-K14, issue 14 point 8):
    # attribute lists after an image or link, the last of two link definitions,
    # escaped reference labels, a URL across lines, autolinks as written, only
    # kramdown's backslash escapes, fences in list items, parse_block_html.
    Spec("kramdown-spans", """\
A plot ![a plot](/assets/plot.png){: width="50%" .wide} and [the docs](https://example.com/d){:title="The docs"}.

Defined twice: [the first][Docs], and [tern\\_for\\_vim][] with escapes, a URL across
lines: [this
file](https://example.com/s
rc/f.md), and [a] [b], an id after a space.

Autolinks as written: <https://example.com/wiki/%E4%BA%91>, <edge://extensions/>,
<mailto:me@example.com>.

Escapes: a \\/ b \\& c \\* d \\_ e, 'a\\2'、y, <kbd>\\<leader\\>i</kbd>, "``x``" a.

- a
 \t+ c

A fence never closed in its item:

- u2
```

1. one

    ```
    a
      b
    ```

### app\\_process 简要执行过程

{::options parse_block_html="true" /}
<div class="x">

| a | b |
| --- | --- |
| 1 | 2 |

*em*
</div>

[docs]: https://example.com/one
[Docs]: https://example.com/two
[tern_for_vim]: https://example.com/tern
[b]: https://example.com/b
"""),
    Spec("span-html-kramdown", """\
Deploys to <max_hosts> hosts at a time with <filter:code>cap deploy</filter:code>,
not <a href=x/y>this</a>.

<u>*underlined*</u>, <mark>**marked**</mark>, <font color="red">"red" -- `x`</font>,
<sup>*sup*</sup> and <SPAN CLASS="a" class="b" title="one
two">*span*</SPAN>.

A <b>bold run, <i>italic</b> inside</i> and an <img src="/i.png" ALT=pic>

<p>An old blog's paragraphs,</p><p>one after <em>another</em>
on a line.</p> And text after them.
"""),
    # A research blog's posts (offconvex, 16 of 53): `$$` lines inside a paragraph,
    # or with text right after, are inline math in kramdown, and math is stripped.
    Spec("math-in-paragraphs", """\
for any direction $u$
$$
f(x + u) > f(x),
$$
therefore $x$ is a minimum.

The risk is
$$ f(x) = y$$. The rest,

$$ x^2 + y = 0, $$
Specifically:

$$
a

b
$$

## After a heading
$$
c
$$

> $$
> q
> $$
"""),
    # swift.org's posts (6 of 172): an HTML element's text is part of a heading's id,
    # and the joiners (U+200C, U+200D) are not word characters to kramdown.
    Spec("heading-ids-html", """\
### C-style <code>for</code> loops are deprecated

#### New <code>`Sequence`</code> protocol members

## A <span class="x">b</span> <!-- c --> d

## 👨\u200d👩 swimming

## می\u200cخواهم
"""),
    # benanne.github.io: a `|` inside an HTML element does not make a table row
    Spec("table-pipes-in-html", """\
<small>The score function $$\\nabla_x \\log p(x|y)$$ and sample.</small>

a <span>x|y</span> z

b | <em>c</em>

<em>p|q</em> | r

<b>t|u

v <br> | w
"""),
    # nim-lang.org: a start tag with its name alone on the first line, a quote before
    # `--` (kramdown's rules see the dashes), a fence whose info is two words (text)
    Spec("nim-website-kramdown", """\
Intro.


<svg
  width="50"
  fill="none"
>
<path d="M1 2"/>
</svg>
Join the *Discord* room.

- Fixed ""--out:" switch is ineffective with "nim doc" [regression]"
- x "...y" and "---z" and a "-- b"

Then:

* Added syntax:

   ```nim test="nim c $1"
   ...
   ```

* Other

```ruby linenos
z
```
"""),
    # crystal-lang.org: a definition's URL with a stray `)`, an image's URL with spaces
    Spec("crystal-links-kramdown", """\
Patched in [Crystal 1.20.0], see the [patch], [b], [c] and [d].

[patch]: https://example.com/commit/c948b)
[b]: http://example.com/one two
[c]: http://example.com/u "title" x
[d]: <http://example.com/a b> "T"
[Crystal 1.20.0]: https://example.com/1.20.0-released/

![](/assets/blog/2024-09-19 helvetic-ruby müller.jpg)

[![](/a b.png)](http://example.com/u) and [x ![y](/c d.png)](/e)
"""),
    # swift.org: kramdown's {::nomarkdown} and {::comment} extensions, block and span;
    # a line `5.` (no space after the marker) is text; a list item's lazy lines
    Spec("swift-kramdown-extensions", """\
ABI stability in Swift
5.

* **Begin with a summary**

  <div class="warning" markdown="1">
  If you are having trouble, **you may have designed the wrong API.**
  </div>

  {::nomarkdown}
<input type="checkbox" class="detail">
{:/nomarkdown}
  <div class="more" markdown="1">

  * **Use Swift's dialect.**

  </div>

After {::nomarkdown}<b>raw</b>{:/nomarkdown} text, a {::comment}c1{:/} b
{::nomarkdown type="latex"}x{:/} c {::nomarkdown /} d {::bogus}e{:/} f.

{::comment}
block *c*
{:/comment}

- item

  {::comment}
  in item
  {:/}
"""),
    # houbb.github.io (37 of 7,198 posts end `- a` / `* TOC` + `{:toc}`): one list
    # whatever its bullets, and `{:toc}` under its last item makes it all the TOC
    Spec("mixed-bullets-toc", """\
## One

- a

* b
+ c

Para.

- d

## Two

- QuanltLib4j wiki.

* any list
{:toc}
"""),
    # houbb.github.io (33 posts): a heading's link is its text in the TOC
    Spec("toc-heading-links", """\
* TOC
{:toc}

## [compiler]() plugin

## See [docs](http://example.com/docs) and a note[^n]

[^n]: N.
"""),
    # houbb.github.io's LeetCode posts: a quote after `[` has no character before it
    # (kramdown's link parser took the `[`)
    Spec("quotes-after-bracket", """\
Given '(', ')', '{', '}', '[' and ']', determine if it is valid.

Output: ["((()))","(()())"], and ['a'] and ["b"].
"""),
    # houbb.github.io's neo4j posts and others: a lazy `- ` line after an item's
    # nested list is text of the nested item (list.rb indents it by the item's
    # indentation + 4); a bare `-` under an item is no item (a setext underline); an
    # item's first nested list is a part of it that kramdown reads apart, so a line
    # with `|` before it is a table, a fence open across it is text, a list before it
    # ends there; a line of blanks in a list keeps its blanks in code
    Spec("lazy-list-lines", """\
2. Tuning
   - Louvain:\u0020\u0020
- `maxLevels`: levels
- `include`: more
   - LPA:
- `seed`: seed

- [Jiji](https://github.com/unageanu/jiji2) - Open Source Forex.
-

- Solutions:
    - One: https://help.aliyun.com/146671.html
    -

2. **Intro: details | F5** - F5 site
   - The white paper.

- Grafana
   - Alert rules:\u0020\u0020
     ```yaml
     # PrometheusRule
     - alert: HighCpuUsage
       for: 5m
     ```

* Commands
If you see `Unknown skill`:
1.  Reload.
2.  Reinstall:
    *   `/plugin install cli-anything`
3.  Retry:
    *   first

1. Publish
   - and reference:
     ```java
     @SofaService
     \u0020\u0020\u0020\u0020\u0020
     @SofaReference
     ```

   - code:

         one
         \u0020\u0020\u0020\u0020\u0020\u0020\u0020
         two
"""),
    # houbb.github.io: a heading keeps a no-break space at its end (Ruby's rstrip), and
    # the blank before it is a '-' of its id; a circled letter is a word character;
    # the end tags kramdown closes an unclosed element with are no text of the id; a
    # heading with an empty id is in the TOC, as `#`
    Spec("heading-ends", """\
* TOC
{:toc}

## Overview \u00a0

## Unsuited \u00a0 \u00a0 ##

## \u24c2\ufe0f About OpenIM

#### --keytab <keytab> --principal <principal>: login

## <tag set>

## 1、`&nbsp;`

Kept \u00a0 \u00a0\u0020

\u00a0
> A paragraph of a no-break space, then a quote: no blank line between

| cell | ideographic space\u3000 |
"""),
    # houbb.github.io: `&#149;` is kramdown's bullet (Windows-1252's); a quote after a
    # footnote marker (`[^A-Z]`, defined or not) has no character before it; a tag's
    # name may be any XML name (`<权重名>` in an HTML block), an unknown element's
    # keeps its case; a lazy `    - ` under `100. x` is no list (its blanks stay); a
    # definition with a `|` between blank lines is a table row (kramdown tries a table
    # first); a link whose parentheses do not balance as written (`\\(`) is text;
    # an unclosed `{::nomarkdown}` is text, no attribute list (feeling-responsive,
    # swift.org); a heading's id in an HTML element is from its text, entities read;
    # a table whose code spans run from row to row (`` `` pairs) is a paragraph
    Spec("houbb-kramdown", """\
Entities &copy;, &lt;, &#149; and &#x80;.

等价于 '[^A-Za-z0-9_]'。

99. `STARTS`:
   - Meaning

100. `STATS`:
    - Meaning
    - Example

A citation ([Tauri][1]) and [a search](https://github.com/search?q=x.send\\(&type=code).

[1]: https://v2.tauri.app/concept/process-model/ "Process model | Tauri"

## End

   - an item indented by 3
   - and another

* goes on with a bullet at the margin (one list to kramdown)

| Event | Variables |
|-------|-----------|
| `start` | ``, ``, `` |
| `stop` | ``, `` |
| `ask` | ``, `` |

| Code | Pipe |
|------|------|
| `a|b` | c |

{::nomarkdown}
<b>an extension never closed is text</b>

<div markdown="1">
### About Volkhov &lt;h2&gt; <br />entities
</div>

<details>
<summary>Resume</summary>
- Name: `<权重名>_<维度>_resume.pth`; <Bot Token>
</details>
"""),
    # grab.github.io: an underline right under a rule (or a code block, an HTML block)
    # is a paragraph's text to kramdown, not a heading (after_block_boundary?); a quote
    # after a no-break space closes (Ruby's \s is ASCII)
    Spec("grab-kramdown", """\
Thanks.

----
<small class="credits">Special thanks to [Kok](mailto:k@example.com), who helped.</small>
----

```
x
```
Not a heading
=============

<div>x</div>
Nor this
---

\u00a0"Properties":{\u00a0\u00a0"spark.history" : "true" ,
"""),
    # haacked.com: an escape inside an entity reference (`&\#97;`, against spam
    # robots) is text that kramdown writes as the reference, not `&amp;#97;`
    Spec("haacked-kramdown", """\
> name &\\#97;t&nbsp;g&\\#109;ail &\\#100;ot&nbsp;c&\\#111;m

So *you can&\\#8217;t* say that; \\&#97; and &foo; and &\\#z; stay text.
Instead of using\u00a0' for a quote, I will use ’.
"""),
    # docs.travis-ci.com: span attribute lists one after another all go to the element
    # before them, and one may go on over a line break
    Spec("travis-span-ials", """\
![travis-web](/images/apps/travis-web.jpg){:.app}{:.official}

Copy the line that includes the git remote found in [Step 1](#remote){:
data-proofer-ignore=""}.

[ ![Adding a key.](/images/key.png) ](/images/key.png){:.small}{:.right} and *this*{:.a}{: #b}
"""),
    # sassafras13.github.io (112 of 154 posts): an attribute's value must be quoted;
    # `{:width=75%}` sets nothing, a class or id beside it still applies
    Spec("unquoted-ial-values", """\
![Fig 1](/images/mymap.png "Figure 1"){:width=75%}  
Figure 1 - My map

![a](/b.png){: width=50% .wide}

![a](/b.png){: width="50%" .c #i}

A paragraph.
{: height=3 .k title='it\\'s'}
"""),
    # 076923.github.io (each `결과` block), haacked.com: a definition whose `:` line is
    # empty takes the lines after it as its text
    Spec("empty-definitions", """\
**결과**
:    
[1, 2, 3, 4, 5]<br>
[1 2 3 4 5]<br>
<br>

Client:
:   Ummm... we were kind of hoping for a content management system.
:   
You:
:   Indeed I did!

**결과**
:    

<figure class="highlight"><pre>python manage.py migrate</pre></figure>

**결과**
:    
<div>x</div>

```
Term
:   
not a definition in a fence
```
"""),
    # alexirpan.github.io: a URL in angle brackets is all between them, parentheses
    # and all (no count of them)
    Spec("angle-bracket-urls", """\
A puzzle for [l(a](<https://en.wikipedia.org/wiki/L(a>), and [a](<http://x.org/a b> "T"),
[b](<http://x.org/(c>) but not [c](<d(>x).
"""),
]

FIRST_DAY = date(2020, 1, 1)
N = len(SPECS) + 1  # every feature once, and the example post


@dataclass(frozen=True)
class CorpusPost:
    name: str       # file name in posts/ (and in Jekyll's _posts/)
    feature: str
    title: str
    text: str       # the whole file


def corpus(n: int = N) -> list[CorpusPost]:
    """The corpus's posts: the example post and n - 1 generated ones (features in
    SPECS order, repeated with new slugs when n - 1 > len(SPECS))."""
    if n < 1:
        raise ValueError("n must be at least 1 (the example post)")
    posts = [CorpusPost(EXAMPLE_NAME, "example", EXAMPLE_TITLE, EXAMPLE)]
    counts: dict[str, int] = {}
    for i in range(n - 1):
        spec = SPECS[i % len(SPECS)]
        counts[spec.feature] = k = counts.get(spec.feature, 0) + 1
        slug = f"{spec.feature}-{k}"
        title = f"Crosscheck {spec.feature} {k}"
        day = FIRST_DAY + timedelta(days=i)
        front = (f"---\nlayout: post\ntitle: {title}\nfeature: {spec.feature}\n"
                 f"{spec.front}---\n\n")
        posts.append(CorpusPost(f"{day.isoformat()}-{slug}.md", spec.feature, title,
                                front + spec.body))
    return sorted(posts, key=lambda p: p.name)


def write_corpus(folder: Path, n: int = N) -> None:
    """Write the blog: `_config.yml` and `posts/` (n posts). Deterministic."""
    folder = Path(folder)
    (folder / "posts").mkdir(parents=True, exist_ok=True)
    (folder / "_config.yml").write_text(CONFIG, encoding="utf-8")
    for post in corpus(n):
        (folder / "posts" / post.name).write_text(post.text, encoding="utf-8")


def features(n: int = N) -> dict[str, str]:
    """Post title -> feature, for the report."""
    return {p.title: p.feature for p in corpus(n)}
