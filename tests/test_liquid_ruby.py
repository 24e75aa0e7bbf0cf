"""Liquid where real blogs found ours differing from Jekyll 4.3 (Ruby Liquid 5.4),
each case from a real blog (issue 14, point 8): date filters on free-form strings
(plainwhite's `'now' | date_to_xmlschema`) and Ruby's strftime (csswizardry), `contains` on true or a number
(contrast), Liquid's words as property names (mzlogin's `...search.limit`),
`post_url` into a folder of _posts (twbs/blog) or by a post's date (alexirpan), truncatewords and round as Ruby
(rubyonrails.org). Each is built by us and by real Jekyll and compared, and Ruby's
own Time.parse is the reference for the date reader."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from conftest import need_tool, write
from site_builder.errors import BuildError
from site_builder.site import build
from site_builder.site.ruby_time import time_parse

JEKYLL_ENV = {"JEKYLL_NO_BUNDLER_REQUIRE": "true", "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}

PAGES = {
    # L1: Liquid's Utils.to_date: "now", epoch seconds, Time.parse, through each filter
    "dates.html": ('{{ "now" | date_to_xmlschema | slice: 0, 2 }}|{{ "today" | date: "%Y" | size }}|'
                   '{{ "1551430800" | date_to_xmlschema }}|{{ "1551430800" | date_to_string }}|'
                   '{{ 1551430800 | date: "%F %T %z" }}|'
                   '{{ "Fri Sep  3 11:21:31 CEST 2021" | date_to_long_string }}|'
                   '{{ "2019-03-01 10:00:00 +0500" | date_to_xmlschema }}|'
                   '{{ "2019-03-01 10:00:00 +0500" | date: "%H:%M %z" }}|'
                   '{{ "March 1, 2019" | date_to_rfc822 }}|{{ "03/01/2019" | date_to_string: '
                   '"ordinal", "US" }}|{{ "not a date" | date: "%Y" }}|{{ nil | date_to_string }}|'
                   '{{ "" | date_to_xmlschema }}|{{ page.missing | date_to_rfc822 }}'),
    # Ruby's strftime, not the C library's: %s is the time's own instant (themes
    # compare dates by it), %N/%L (csswizardry's `site.time | date: "%s%N"`), %:z,
    # %v, flags on words; an unknown directive is kept
    "strftime.html": ('{% assign fmts = "%s|%N|%3N|%L|%z|%:z|%::z|%Z|%P|%#p|%^a|%#A|%v|%c|'
                      '%r|%e|%-e|%k|%-l|%_m|%-j|%U|%V|%G|%u|%w|%C|%10A|%-10A|%010A|%5d|'
                      '%10F|%Ey|%Od|%q|%E|%+|%%" | split: "|" %}{% for f in fmts %}'
                      '[{{ f }}]{{ page.d | date: f }}|{{ "2019-03-01 21:00:00 UTC" | date: f }}|'
                      '{{ "2019-03-01" | date: f }}|{{ 1551430800 | date: f }}\n{% endfor %}'),
    # a page's own date, as YAML reads it (argmin.net's guide/example page showed
    # Jan 1, 1970), and no date when it gives none
    "pagedate.html": ('{{ page.date | date: "%b %-d, %Y %H:%M" }}|{{ page.date }}|'
                      '{{ page.date | date_to_xmlschema }}|{{ page.nodate | size }}'),
    # L4: contains with true or a number on the left is false
    "contains.html": ('{% if page.t contains "." %}y{% else %}n{% endif %}'
                      '{% if page.n contains "3" %}y{% else %}n{% endif %}'
                      '{% if page.s contains 3 %}y{% else %}n{% endif %}'
                      '{% if page.s contains true %}y{% else %}n{% endif %}'
                      '{% if page.l contains 3 %}y{% else %}n{% endif %}'
                      '{% if page.missing contains "a" %}y{% else %}n{% endif %}'),
    # L5: a word after a dot is a property's name
    "keywords.html": ("{{ site.x.limit }}|{{ site.x.offset }}|{{ site.x.in }}|{{ site.x.with }}|"
                      "{{ site.x.empty }}|{{ site.x.reversed }}|{{ site.x.contains }}|"
                      "{% if site.x.limit > 4 %}big{% endif %}|"
                      "{% for i in site.x.list limit: site.x.limit %}{{ i }}{% endfor %}"),
    # L11: Liquid 5.4's truncatewords; round through BigDecimal, half away from zero
    "numbers.html": ('[{{ "a b c " | truncatewords: 3 }}][{{ "<p>a b c</p>\n" | strip_html | '
                     'truncatewords: 3 }}][{{ "a b c" | truncatewords: 3 }}][{{ "  a  b " | '
                     'truncatewords: 2 }}][{{ "" | truncatewords: 2 }}]\n'
                     "[{{ 0.0305 | round: 3 }}][{{ 2.5 | round }}][{{ 1.005 | round: 2 }}]"
                     "[{{ 0.125 | round: 2 }}][{{ -2.5 | round }}][{{ 15 | round: -1 }}]"
                     '[{{ 1234.5 | round: -2 }}][{{ "2.5" | round }}][{{ 2.5 | round: 1 }}]'
                     "[{{ 7 | round: 2 }}][{{ nil | round }}]"),
    # L3: markup Ruby's strict parser refuses, read by its lax one (Jekyll's default
    # error_mode, warn): parentheses in conditions, assign to a dotted name, stray
    # words in {{ }}, a trailing |, a filter's stray word
    "lax.html": ('{% assign site.tags = "" %}A[{{ site.tags | size }}]'
                 "{% if page.x and (page.y or page.x) %}B-yes{% else %}B-no{% endif %}"
                 "{% if (page.x) %}C-yes{% else %}C-no{% endif %}"
                 "{% unless (page.y) %}D-yes{% endunless %}"
                 "{% if page.y %}{% elsif (page.x == 1) %}E-yes{% endif %}"
                 "<title>{{ with .title }}{{ . }}{{ else }}Open Collective{{ end }}</title>"
                 '{{ "a" | upcase | }}|{% assign z = "b" | upcase | %}{{ z }}|'
                 '{{ page.l | join: ", " x }}|{{ page.x | plus: 1 | }}|'
                 "{% for i in page.m | limit: page.x %}{{ i }}{% endfor %}|"
                 "{% for i in page.m reversed offset: 1 limit: 2 x %}{{ i }}{% endfor %}|"
                 "{% if (page.x == 1) or (page.y == 2) %}y{% else %}n{% endif %}"
                 "{% if (page.x == 1 ) or ( page.y == 2) %}y{% else %}n{% endif %}"
                 "{% if page.x and page.y or (page.x) %}y{% else %}n{% endif %}"
                 # `&&`, which python-liquid cannot split into tokens: Ruby reads `page.x`
                 # (feeling-responsive's masthead)
                 "{% if page.x && page.y %}F-yes{% else %}F-no{% endif %}"
                 "{% unless page.y & page.x %}G-yes{% endunless %}"
                 "{% for i in page.m && page.x %}{{ i }}{% endfor %}"),
    # Dates and times compared (swift.org: `release.date < build.date`): twice, so
    # that the second is the compiled template's
    "compare.html": "{% include compare.html %}|{% include compare.html %}",
    # `link` with a variable assigned in a loop (swift.org's package lists), twice
    "links.html": "{% include links.html %}|{% include links.html %}",
    # a bare `count` is Jekyll's payload drop's (Enumerable) count of its keys, 9, and
    # where increment/decrement start `count` (houbb.github.io's Vue posts); each
    # counter is one more key. Twice: the second is the compiled template's
    "payload.html": "{% include payload.html %}|{% include payload.html %}",
    # Ruby Liquid has no `now` or `today` variable (python-liquid has): houbb.github.io's
    # `{{today}}` in a post about templates writes nothing
    "builtins.html": '[{{today}}][{{ now }}][{{ "now" | date: "%Y" | size }}][{{ today | size }}]'
                     '[{% assign today = 3 %}{{ today }}]',
    # site.pages in Jekyll's order: by file name, wherever the file is (haacked.com's
    # menu of pages from pages/ and assets/pages/)
    "order.html": "{{ site.pages | map: 'name' | join: ',' }}",
    # a page's categories and tags are its front matter's as written: a string stays
    # one (vlad17.github.io's category pages look up site.categories[page.categories])
    "pagecats.html": "{{ page.categories | jsonify }} {{ page.tags | jsonify }} "
                     "[{{ site.categories[page.categories] | size }}]",
    # `excerpt: ""` in front matter stays empty (Ruby's ||=); false too (grab.github.io's
    # lists showed the first paragraph of such posts)
    "excerpts.html": "{% for post in site.posts %}[{{ post.excerpt | strip_html | strip }}]"
                     "{% endfor %}",
    # a page's excerpt is its front matter's, as text, or nil (AlbGri.github.io's
    # minimal-mistakes page archive lists each page's)
    "pagexcerpts.html": "{% for p in site.pages %}[{{ p.excerpt }}|{{ p.excerpt | size }}]"
                        "{% endfor %}",
    # relative_url and absolute_url of nil, '' and false (haacked.com's debug page)
    "urls.html": "[{{ nothing | relative_url }}|{{ '' | relative_url }}|{{ '' | absolute_url }}|"
                 "{{ nothing | absolute_url }}|{{ false | relative_url }}]",
    # capture's variable is the first run of name characters (bitcoincore.org's
    # `{% capture /dev/null %}` drops a comment into `dev`): our strict parser refused it
    # sort by a list property: the lists compared item by item (bitcoincore.org's
    # releases by `release: [24, 0, 1]`); they were joined into numbers
    "sortlists.html": "{% assign r = site.data.versions | sort: 'v' %}"
                      "{% for x in r %}{{ x.v | join: '.' }} {% endfor %}",
    # replace's replacement is Ruby's gsub's: `\\&` is the text replaced (bitcoincore.org's
    # magnet links: `replace: '&', '\\&amp;'`), `\\\\` a backslash
    "gsub.html": "{{ 'a&b&c' | replace: '&', '\\&amp;' }}|{{ 'a&b&c' | replace_first: '&', "
                 "'[\\0\\1\\`\\\\\\x]' }}|{{ 'path/to' | replace: '/', '\\\\' }}",
    "capture.html": "{% capture /dev/null %}<!-- note -->{% endcapture %}[{{ dev }}]"
                    "{% capture a.b %}x{% endcapture %}[{{ a.b }}]",
    # `for` over site yields its keys, as Jekyll's drop does (jekyll-theme-next builds a
    # Sass map of the config so; it was [key, value] pairs, and libsass gave up)
    "sitekeys.html": '{% for key in site %}{% if key == "x" or key == "url" or key == "posts" %}'
                     '[{{ key }}: {{ site[key] | size }}]{% endif %}{% endfor %}'
                     '{% for pair in site.data.releases[0] %}({{ pair[0] }}){% endfor %}',
    # nil as an array is no items, as Liquid's InputIterator reads it (the Mr. Green
    # theme's `lng_pages | map: "url"` on nil stopped the build; uniq of nil had one)
    "nilarrays.html": '{% assign x = nil %}[{{ x | map: "url" | join: "," }}]'
                      '[{{ page.none | map: "url" | size }}][{{ nil | uniq | size }}]'
                      '[{{ x | reverse | size }}][{{ x | sort_natural | size }}]'
                      '[{{ x | compact | size }}][{{ "abc" | map: "x" | size }}]',
    # Jekyll's strip_index (it was missing: an unknown filter gives its input); and
    # python-liquid's filters that Jekyll 4.3's Liquid lacks give their input there
    "stripindex.html": '[{{ "/a/index.html" | strip_index }}][{{ "/b/index.htm" | strip_index }}]'
                       '[{{ "/c/x.html" | strip_index }}][{{ nil | strip_index }}]'
                       '[{{ "/index.html/index.html" | strip_index }}]'
                       '[{{ "a  b " | squish }}][{{ "1,2" | split: "," | sum }}][{{ "<x>" | safe }}]'
                       '[{{ "a\'b" | escapejs }}][{{ "1,2" | split: "," | has: "1" }}]'
                       '[{{ "1,2" | split: "," | reject: "1" | join: "-" }}]'
                       '[{{ "1,2" | split: "," | find_index: "2" }}]',
    # arithmetic on text as Liquid's Utils.to_number reads it: a decimal only as
    # `-?\d+\.\d+`, else String#to_i (leading ASCII digits: "12abc" is 12, "٣" 0,
    # true 0); a BigDecimal result a Float; Ruby's floored `/` and `%`
    "arithmetic.html": '[{{ "12abc" | plus: 1 }}][{{ "1e3" | plus: 1 }}][{{ 5 | plus: "2x" }}]'
                       '[{{ "\u0663" | plus: 1 }}][{{ "\uff11\uff12" | minus: 1 }}][{{ "3.5x" | plus: 1 }}]'
                       '[{{ ".5" | plus: 1 }}][{{ "5." | plus: 1 }}][{{ "1,000" | plus: 1 }}]'
                       '[{{ true | plus: 1 }}][{{ "2" | at_least: "\u0663" }}][{{ "9" | at_most: "1x" }}]'
                       '[{{ "\u0663" | abs }}][{{ "1_000" | times: 2 }}][{{ 7.5 | modulo: -2 }}]'
                       '[{{ -7 | divided_by: 2 }}][{{ "0.1" | plus: "0.2" }}][{{ "4.6x" | ceil }}]',
    # inspect is xml_escape of Ruby's inspect ('"' as &quot;, ' as &apos;, {"a"=>1}, nil);
    # jsonify writes a key as Ruby's to_s (YAML's `on:` is the key true: "true")
    "inspect.html": '{{ page.h | inspect }}|{{ page.h | jsonify }}|{{ page.h.name | inspect }}'
                    '|{{ nil | inspect }}|{% assign a = "x,y" | split: "," %}{{ a | inspect }}',
    # slice of nil slices nil.to_s, "" (it sliced "None")
    "slicenil.html": '[{{ nil | slice: 0 }}][{{ nil | slice: 0, 2 | size }}][{{ page.none | slice: 1 }}]',
    # Ruby's strip: ASCII white space (and NUL), not a no-break space
    "strip.html": '[{{ "\u00a0a b\u00a0 " | strip }}][{{ " \u00a0a\u00a0 " | lstrip }}]'
                  '[{{ " a\u00a0 \t" | rstrip }}][{{ nil | strip }}][{{ 12 | strip }}]',
}
PAYLOAD = ("[{{ count }}][{% if count > 8 %}big{% endif %}][{{ count | plus: 1 }}]"
           "[{% increment x %}{{ count }}][{% increment count %}{{ count }}]"
           "[{% decrement count %}{% decrement y %}{{ count }}{{ y }}]"
           "[{% for count in (1..2) %}{{ count }}{% endfor %}][{% assign count = 3 %}{{ count }}]")
LINKS = ('{% assign p = "_posts/2019/2019-11-26-a.md" %}[{% link {{ p }} %}]'
         '{% for n in page.names %}{% assign q = "_posts/2019/" | append: n %}'
         '[{% link {{ q }} %}]{% endfor %}')
COMPARE = ("{% assign r = site.data.releases %}"
           "{% if r[0].date < r[1].date %}lt{% endif %} {% if r[1].date > r[0].date %}gt{% endif %} "
           "{% if r[1].date <= r[1].date %}le{% endif %} {% if r[0].date >= r[1].date %}ge{% endif %} "
           "{% if r[2].date < r[3].date %}t-lt{% endif %} {% if r[3].date >= r[2].date %}t-ge{% endif %}")


def ruby_blog(root: Path) -> Path:
    write(root / "_config.yml", "url: https://example.org\nx: {limit: 5, offset: 2, in: 6, with: 8, empty: 10, "
                                "reversed: 3, contains: 4, list: [1, 2, 3, 4, 5, 6, 7]}\n")
    write(root / "_layouts" / "default.html", "{{ content }}")
    write(root / "_includes" / "compare.html", COMPARE)
    write(root / "_includes" / "links.html", LINKS)
    write(root / "_includes" / "payload.html", PAYLOAD)
    write(root / "_data" / "versions.yml", "- v: [24, 0, 1]\n- v: [24, 1]\n- v: [0, 11, 0, 0]\n"
          "- v: [31, 0]\n- v: [0, 21, 0]\n- v: 7\n")
    write(root / "_data" / "releases.yml", "- date: 2016-03-21\n- date: 2020-12-14\n"
          "- date: 2020-12-14 10:00:00\n- date: 2021-01-01 10:00:00 +02:00\n")
    for name, text in PAGES.items():
        front = ("t: true\nn: 3\ns: 'a3true'\nl: [1, 3]\n" if name == "contains.html" else
                 "x: 1\nl: [1, 3]\nm: [4, 5, 6]\n" if name == "lax.html" else
                 "names: [2019-11-26-a.md, 2019-11-28-b.md]\n" if name == "links.html" else
                 "d: 2019-03-01 10:00:00 +0500\n" if name == "strftime.html" else
                 "date: 2015-12-01 9:00:00\n" if name == "pagedate.html" else
                 "categories: causal\ntags: t1 t2\n" if name == "pagecats.html" else
                 "h: {name: \"A'b\\\"c\", on: true, k: [x, 2.5, null]}\n" if name == "inspect.html"
                 else "")
        write(root / name, f"---\n{front}---\n{text}\n")
    write(root / "pages" / "about.md", "---\ntitle: About\nexcerpt: Who we are.\n---\nA\n")
    write(root / "pages" / "n.md", "---\ntitle: N\nexcerpt: 42\n---\nN\n")
    write(root / "assets" / "pages" / "archives.md", "---\ntitle: Archives\n---\nB\n")
    write(root / "_posts" / "2019-10-01-e.md", '---\nexcerpt: ""\n---\n_Intro._\n\nMore.\n')
    write(root / "_posts" / "2019-10-02-f.md", "---\nexcerpt: false\n---\nFirst.\n\nMore.\n")
    # L6: post_url to a post in a folder of _posts, with or without the folder
    write(root / "_posts" / "2019" / "2019-11-26-a.md", "---\n---\na\n")
    write(root / "_posts" / "2019" / "2019-11-28-b.md", "---\n---\n[x]({% post_url "
          "2019/2019-11-26-a %}) [y]({% post_url 2019-11-26-a %}) [z]({% post_url "
          "2019-12-01-c %}) [w]({% post_url 2019-11-30-c %})\n")
    # alexirpan's blog: post_url names a post by the day of its front matter's date
    # (Jekyll's older rule, tried when no file name matches)
    write(root / "_posts" / "2019-11-30-c.md", "---\ndate: 2019-12-01 00:47:00 -0400\n"
          "categories: causal\n---\nc\n")
    # schneems's tumblr posts: an empty title stays empty (Ruby's `||=`), and a date
    # whose offset follows the time at once is that instant (29 Nov in UTC)
    write(root / "_posts" / "2010-11-28-tumblr.html", "---\ntitle: ''\n"
          "date: '2010-11-28T20:20:29-06:00'\n---\n[{{ page.title }}]|{{ page.date }}|"
          "{{ page.url }}|{{ page.date | date_to_string }}\n")
    return root


def html_by_side(tmp_path: Path) -> dict[str, dict[str, str]]:
    """Every HTML file Jekyll ("jekyll") and we ("ours") wrote under tmp_path, by path."""
    return {side: {str(p.relative_to(tmp_path / side)): p.read_text()
                   for p in (tmp_path / side).rglob("*.html")} for side in ("jekyll", "ours")}


def jekyll_build(blog: Path, out: Path) -> subprocess.CompletedProcess:
    need_tool("jekyll")
    return subprocess.run(["jekyll", "build", "-s", str(blog), "-d", str(out)],
                          capture_output=True, text=True, cwd=blog,
                          env={**JEKYLL_ENV, "HOME": str(out.parent)})


def test_filters_and_conditions_as_jekylls(tmp_path: Path) -> None:
    blog = ruby_blog(tmp_path / "blog")
    done = jekyll_build(blog, tmp_path / "jekyll")
    assert done.returncode == 0, done.stdout + done.stderr
    build(blog, out_dir=tmp_path / "ours")
    for page in [*PAGES, "2019/11/28/b.html", "2010/11/29/tumblr.html"]:
        theirs, ours = ((tmp_path / side / page).read_text() for side in ("jekyll", "ours"))
        assert ours == theirs, page


def test_a_date_ruby_cannot_read_stops_the_build_as_in_jekyll(tmp_path: Path) -> None:
    """Jekyll stops with "Invalid Date"; so do we: the page and line, exit 2, no
    traceback (the filter once raised Python's ValueError)."""
    write(tmp_path / "_config.yml", "")
    write(tmp_path / "_layouts" / "default.html", "{{ content }}")
    write(tmp_path / "index.html", "---\n---\nok\n{{ 'soon' | date_to_xmlschema }}\n")
    with pytest.raises(BuildError, match=r"index.html:4: .*Invalid Date: '\"soon\"'"):
        build(tmp_path, out_dir=tmp_path / "ours")


def test_concat_of_what_is_not_an_array_stops_the_build_as_in_jekyll(tmp_path: Path) -> None:
    """Liquid's own message, file and line, as Jekyll stops: ours said only that
    python-liquid's error could not be made ('missing ... argument: token')."""
    write(tmp_path / "_config.yml", "")
    write(tmp_path / "index.html", '---\n---\nok\n{% assign a = "x" | split: "," %}'
                                   '{{ a | concat: "abc" }}\n')
    done = jekyll_build(tmp_path, tmp_path / "jekyll")
    assert done.returncode != 0 and "concat filter requires an array argument" in (
        done.stdout + done.stderr)
    with pytest.raises(BuildError, match=r"index.html:4: Liquid: concat filter requires an "
                                         r"array argument"):
        build(tmp_path, out_dir=tmp_path / "ours")


DATES = ["2019-03-01", "2019-03-01 10:00:00 +0100", "2019-03-01T10:00:00Z",
         "2019-03-01T10:00:00.123-0700", "Fri, 01 Mar 2019 09:00:00 GMT",
         "Fri Sep  3 11:21:31 CEST 2021", "Fri Sep  3 11:21:31 EST 2021", "1 March 2019",
         "March 1, 2019", "March 2019", "2019/03/01", "03/01/2019", "01.03.2019", "3pm",
         "25th December 2020", "20190301", "Sat, 1 Jun 19 10:00:00 PDT", "July 4th, 1976",
         "1999-12-31 23:59:59 -08:00", "10:30 PM Mar 5 2020", "5 2020", "nothing", "15:45:10.5",
         # hours past 23 are carried by the offset (a real blog's `2020-3-19 29:39:08 +0800`)
         "2020-3-19 29:39:08 +0800", "2020-3-19 29:39:08 -0800", "2020-3-31 40:00:00 +0200",
         "2020-3-19 29:39:08 +0000", "2020-1-1 03:00:00 +0800", "2021-12-31 23:30:00 -0100",
         "2020-3-1 00:10:00 +0030",
         # ISO 8601 durations as a recipe's times (bulma-clean-theme's `prep_time: PT0H10M`
         # through `date: '%k hours %M minutes'`): Ruby reads an hour and minutes
         "PT0H10M", "PT1H30M", "2H5M3S", "PT10M",
         # Time.utc runs a day up to 31 into the next month, 24:00:00 into the next day
         "2020-02-30", "2021-02-29 10:00", "2020-04-31 23:00 +0200", "2020-02-30 24:00",
         "2020-02-32", "2020-01-01 24:30", "2020-12-31 24:00:00 -0100"]


@pytest.mark.parametrize("zone", ["UTC", "Asia/Kolkata"])
def test_time_parse_reads_as_rubys(zone: str) -> None:
    """Each string as Ruby's Time.parse then localtime reads it (TZ as Jekyll sets
    it from `timezone:`), or unreadable where Ruby raises."""
    ruby = need_tool("ruby")
    script = ('STDIN.read.split("\\n").each { |l| puts((Time.parse(l).localtime'
              '.strftime("%Y-%m-%dT%H:%M:%S") rescue "nil")) }')
    done = subprocess.run([ruby, "-rtime", "-e", script], input="\n".join(DATES),
                          capture_output=True, text=True, env={"TZ": zone}, check=True)
    ours = [(found.strftime("%Y-%m-%dT%H:%M:%S") if found else "nil")
            for found in (time_parse(text, {"timezone": zone}) for text in DATES)]
    assert dict(zip(DATES, ours)) == dict(zip(DATES, done.stdout.split("\n")))


def lax_blog(root: Path, config: str = "") -> Path:
    write(root / "_config.yml", config)
    write(root / "_layouts" / "default.html", "{{ content }}")
    write(root / "_includes" / "compare.html", COMPARE)
    write(root / "_includes" / "links.html", LINKS)
    write(root / "_data" / "versions.yml", "- v: [24, 0, 1]\n- v: [24, 1]\n- v: [0, 11, 0, 0]\n"
          "- v: [31, 0]\n- v: [0, 21, 0]\n- v: 7\n")
    write(root / "_data" / "releases.yml", "- date: 2016-03-21\n- date: 2020-12-14\n"
          "- date: 2020-12-14 10:00:00\n- date: 2021-01-01 10:00:00 +02:00\n")
    write(root / "_includes" / "world" / "items.html", 'a\nb\n{{ "x" | upcase | }}\n')
    write(root / "_includes" / "when.html", "one\n{{ 'later' | date_to_string }}\n")
    write(root / "index.html", "---\nx: 1\n---\nline 1\n{% include world/items.html %}\n"
          "{% if (page.x) %}yes{% endif %}\n")
    return root


def test_lax_markup_is_read_with_a_warning_naming_its_file_and_line(tmp_path: Path,
                                                                       caplog) -> None:
    """Jekyll's default (error_mode: warn): a warning for each, in the include's own
    file and line, and the page built."""
    blog = lax_blog(tmp_path / "blog")
    with caplog.at_level("WARNING"):
        build(blog, out_dir=tmp_path / "ours")
    assert (tmp_path / "ours" / "index.html").read_text() == "line 1\na\nb\nX\n\nyes\n"
    warned = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert any(w.startswith("warning: _includes/world/items.html:3: Liquid: ") for w in warned)
    assert any(w.startswith("warning: index.html:6: Liquid: ") for w in warned), warned


def test_error_mode_strict_stops_at_the_includes_own_line(tmp_path: Path) -> None:
    blog = lax_blog(tmp_path / "blog", "liquid: {error_mode: strict}\n")
    with pytest.raises(BuildError, match=r"^index.html:6: Liquid: "):
        build(blog, out_dir=tmp_path / "ours")
    write(blog / "index.html", "---\n---\n{% include world/items.html %}\n")
    with pytest.raises(BuildError, match=r"^_includes/world/items.html:3: Liquid: "):
        build(blog, out_dir=tmp_path / "ours")
    write(blog / "index.html", "---\n---\n{% include when.html %}\n")   # an error rendering
    with pytest.raises(BuildError, match=r"^_includes/when.html:2: Liquid: Invalid Date"):
        build(blog, out_dir=tmp_path / "ours")


def test_config_with_tabs_before_comments_reads_as_psych(tmp_path: Path) -> None:
    """libyaml (Psych, Jekyll's) takes a tab between a value and its comment; PyYAML's
    own scanner did not, and feeling-responsive's _config.yml stopped the build."""
    blog = tmp_path / "blog"
    write(blog / "_config.yml", "defaults:\n  -\n    scope:\n      path: ''\t\t\t# all files\n"
                                "    values:\n      shown: hello\t# a comment\n")
    write(blog / "_layouts" / "default.html", "{{ content }}")
    write(blog / "index.html", "---\n---\n[{{ page.shown }}]\n")
    done = jekyll_build(blog, tmp_path / "jekyll")
    assert done.returncode == 0, done.stdout + done.stderr
    build(blog, out_dir=tmp_path / "ours")
    assert (tmp_path / "ours" / "index.html").read_text() == \
        (tmp_path / "jekyll" / "index.html").read_text() == "[hello]\n"


def test_config_that_redefines_an_anchor_reads_as_psych(tmp_path: Path) -> None:
    """libyaml (read first: the fast path) refuses an anchor defined twice, which
    Psych allows, an alias taking the latest definition: the slower reader takes it."""
    blog = tmp_path / "blog"
    write(blog / "_config.yml", "label_one: &name Archive\nlabel_two: &name About\nshown: *name\n")
    write(blog / "_layouts" / "default.html", "{{ content }}")
    write(blog / "index.html", "---\n---\n[{{ site.label_one }} {{ site.shown }}]\n")
    done = jekyll_build(blog, tmp_path / "jekyll")
    assert done.returncode == 0, done.stdout + done.stderr
    build(blog, out_dir=tmp_path / "ours")
    assert (tmp_path / "ours" / "index.html").read_text() == \
        (tmp_path / "jekyll" / "index.html").read_text() == "[Archive About]\n"


def test_documents_content_in_a_page_is_their_html_when_some_document_has_liquid(
        tmp_path: Path) -> None:
    """A page lists a collection's documents' HTML (`{{ doc.content }}`, scala-lang.org's
    code carousel); another document's own Liquid made `site` early, and the page's
    drops of the documents kept their content from then: empty, in a cold build."""
    blog = tmp_path / "blog"
    write(blog / "_config.yml", "collections:\n  things:\n    output: false\n"
                                "  tabs:\n    output: false\n")
    write(blog / "_layouts" / "default.html", "{{ content }}")
    write(blog / "_things" / "1-a.md", "---\ntitle: A\n---\nbody *a*\n")
    write(blog / "_tabs" / "1-t.html", "---\n---\n{% assign x = 1 %}<b>{{ x }}</b>\n")
    write(blog / "index.html", "---\n---\n{% for t in site.things %}[{{ t.title }}:"
                               "{{ t.content | strip }}]{% endfor %}\n")
    done = jekyll_build(blog, tmp_path / "jekyll")
    assert done.returncode == 0, done.stdout + done.stderr
    build(blog, out_dir=tmp_path / "ours")
    assert (tmp_path / "ours" / "index.html").read_text() == \
        (tmp_path / "jekyll" / "index.html").read_text() == "[A:<p>body <em>a</em></p>]\n"


def test_permalink_placeholders_are_percent_encoded_as_jekylls(tmp_path: Path) -> None:
    """Jekyll's URL.escape_path: a placeholder's value is percent-encoded in the URL
    (`/edge%20case/...`, a Chinese slug as UTF-8 escapes), a permalink written whole
    is not, and the file goes under the decoded name (hydeout's "Edge Case" posts)."""
    blog = tmp_path / "blog"
    write(blog / "_config.yml", "")
    write(blog / "_layouts" / "default.html", "{{ page.url }}|{{ content }}")
    write(blog / "_posts" / "2020-01-01-a.md", "---\nlayout: default\n"
                                               "categories: [Edge Case]\n---\nA\n")
    write(blog / "_posts" / "2020-01-02-中文 x.md", "---\nlayout: default\n---\nB\n")
    write(blog / "_posts" / "2020-01-03-c.md", "---\nlayout: default\n"
                                               "category: \"c++ & [q] 100%\"\n---\nC\n")
    write(blog / "p.md", "---\nlayout: default\npermalink: /a b/中/\n---\nP\n")
    done = jekyll_build(blog, tmp_path / "jekyll")
    assert done.returncode == 0, done.stdout + done.stderr
    build(blog, out_dir=tmp_path / "ours")
    made = html_by_side(tmp_path)
    assert made["ours"] == made["jekyll"]
    assert made["ours"]["edge case/2020/01/01/a.html"].startswith("/edge%20case/2020/")


def test_dots_in_a_url_are_sanitized_as_jekylls(tmp_path: Path) -> None:
    """Jekyll's URL#sanitize_url: `..` becomes `/` and `./` goes, then slashes are
    squeezed: hellojunho.github.io's "[Python] Python Traceback..?" is at
    /python/Python-Python-Traceback/ (it was /python/Python-Python-Traceback../). A
    page's basename loses the dots that end it (Page#process: `v1.2..md` is v1.2)."""
    blog = tmp_path / "blog"
    write(blog / "_config.yml", "permalink: /:categories/:title/\n")
    write(blog / "_layouts" / "default.html", "{{ page.url }}|{{ content }}")
    write(blog / "_posts" / "2024-04-09-[Python] Python Traceback..?.md",
          "---\nlayout: default\ncategories: python\n---\nA\n")
    write(blog / "_posts" / "2024-04-10-a..b.md", "---\nlayout: default\n---\nB\n")
    write(blog / "_posts" / "2024-04-11-end.?.md", "---\nlayout: default\n---\nC\n")
    write(blog / "v1.2..md", "---\nlayout: default\n---\nP\n")
    done = jekyll_build(blog, tmp_path / "jekyll")
    assert done.returncode == 0, done.stdout + done.stderr
    build(blog, out_dir=tmp_path / "ours")
    made = html_by_side(tmp_path)
    assert made["ours"] == made["jekyll"]
    assert made["ours"]["python/Python-Python-Traceback/index.html"].startswith(
        "/python/Python-Python-Traceback/|")


def test_tags_of_the_blogs_ruby_plugins_do_not_stop_the_build(tmp_path: Path) -> None:
    """A Liquid tag a blog's `_plugins/*.rb` registers (bitcoincore.org's
    `{% githubify URL %}...{% endgithubify %}`, its name in a variable) stopped our
    build at an unknown tag while Jekyll builds. Their Ruby never runs here: a block
    writes its text, rendered, a tag nothing. A plugin doing just that is built by real
    Jekyll too, and the pages agree."""
    blog = tmp_path / "blog"
    write(blog / "_config.yml", "")
    write(blog / "_layouts" / "default.html", "{{ content }}")
    write(blog / "_plugins" / "passing.rb",
          "module Jekyll\n  class PassBlock < Liquid::Block\n"
          "    def render(context)\n      output = super\n      output\n    end\n  end\n"
          "  class Nothing < Liquid::Tag\n    def render(_context) = \"\"\n  end\nend\n"
          "plugin_name = \"githubify\"\n"
          "Liquid::Template.register_tag(plugin_name, Jekyll::PassBlock)\n"
          "Liquid::Template.register_tag('status', Jekyll::Nothing)\n")
    write(blog / "_posts" / "2024-01-02-notes.md",
          "---\ntitle: Notes\n---\n{% githubify https://github.com/bitcoin/bitcoin %}\n"
          "- #123 in *{{ page.title }}*\n{% endgithubify %}\n[{% status en %}]\n")
    done = jekyll_build(blog, tmp_path / "jekyll")
    assert done.returncode == 0, done.stdout + done.stderr
    build(blog, out_dir=tmp_path / "ours")
    page = "2024/01/02/notes.html"
    ours, theirs = ((tmp_path / side / page).read_text() for side in ("ours", "jekyll"))
    assert "<li>#123 in <em>Notes</em></li>" in ours
    assert ours == theirs


@pytest.mark.parametrize("collections_dir", ["", "cols"])
def test_path_placeholder_is_jekylls_cleaned_relative_path(tmp_path: Path,
                                                          collections_dir: str) -> None:
    """`:path` in a document's permalink is Document#cleaned_relative_path: the path
    from the collections' folder, the collection's folder name taken out, final dots
    dropped. Mr. Green theme's multilingual posts in `en/_posts/` are at /en/... (they
    were at /_posts/...); with `collections_dir`, its name is not in the URL."""
    blog = tmp_path / "blog"
    base = blog / collections_dir if collections_dir else blog
    write(blog / "_config.yml", (f"collections_dir: {collections_dir}\n" if collections_dir else "")
          + "permalink: /p/:path\ncollections:\n  recipes:\n    output: true\n"
            "    permalink: /r/:path/\n")
    write(blog / "_layouts" / "default.html", "{{ page.url }}")
    for name in ("_posts/2019/2020-01-02-b.md", "_posts/2020-01-03-c..md", "_recipes/x.md",
                 "_recipes/s/y.md"):
        write(base / name, "---\nlayout: default\n---\nx\n")
    if not collections_dir:
        write(blog / "en" / "_posts" / "2020-01-01-a.md", "---\nlayout: default\n---\na\n")
    done = jekyll_build(blog, tmp_path / "jekyll")
    assert done.returncode == 0, done.stdout + done.stderr
    build(blog, out_dir=tmp_path / "ours")
    made = html_by_side(tmp_path)
    assert made["ours"] == made["jekyll"]
    assert "r/s/y/index.html" in made["ours"]


def test_an_empty_excerpt_separator_means_no_excerpt_as_in_jekyll(tmp_path: Path) -> None:
    """Document#generate_excerpt?: with `excerpt_separator: ""` (jsonapi.org's
    config) a document has no excerpt and `post.excerpt` is empty; our build
    stopped on Python's "empty separator" with a traceback. In front matter too,
    and for an HTML post; a front matter `excerpt:` is kept."""
    blog = tmp_path / "blog"
    write(blog / "_config.yml", 'excerpt_separator: ""\n')
    write(blog / "_layouts" / "default.html", "{{ content }}")
    write(blog / "_posts" / "2024-01-02-a.md", "---\n---\nFirst *para*.\n\nSecond.\n")
    write(blog / "_posts" / "2024-01-03-b.html", "---\n---\n<p>One.</p>\n\n<p>Two.</p>\n")
    write(blog / "_posts" / "2024-01-04-c.md", "---\nexcerpt: Own words.\n---\nC.\n\nD.\n")
    write(blog / "_posts" / "2024-01-05-d.md",
          "---\nexcerpt_separator: <!--more-->\n---\nE.\n\nF.\n<!--more-->\nG.\n")
    write(blog / "index.html", "---\n---\n{% for post in site.posts %}[{{ post.url }}|"
          "{{ post.excerpt }}|{{ post.excerpt | size }}|{% if post.excerpt %}y{% endif %}]\n"
          "{% endfor %}")
    done = jekyll_build(blog, tmp_path / "jekyll")
    assert done.returncode == 0, done.stdout + done.stderr
    build(blog, out_dir=tmp_path / "ours")
    ours, theirs = ((tmp_path / side / "index.html").read_text() for side in ("ours", "jekyll"))
    assert "[/2024/01/02/a.html||0|y]" in ours
    assert ours == theirs


URL_CASES = ["/hr example", "/tags/한국어/", "/caf\u0065\u0301/", "/a%20b/%e4%b8%ad", "/a%2Fb", "/100%",
             "/a[1]|b", "/x/./y/../z/", "/../up", "/q?a=1 2&b=c+d%2B;e&&f#frag ment#2",
             "/#c++", "?only", "#only", "/end ", "https://Other.example/A B", "", "/",
             "/a:b@c!$&'()*+,;=", "/~x_y-z.html"]


def test_url_filters_normalize_as_addressable(tmp_path: Path) -> None:
    """Jekyll's relative_url and absolute_url end with Addressable's URI#normalize:
    each part percent-encoded (a space, Hangul, `[`, `|`), an escape decoded and
    written again, Unicode in NFC, dot segments gone, the site's scheme and host in
    lower case without a default port. Ours wrote the text as given:
    no-style-please's feed ids (`slug: hr example`) were `.../hr example`, Jekyll's
    `.../hr%20example`."""
    blog = tmp_path / "blog"
    write(blog / "_config.yml", "url: HTTPS://Ex.ORG:443\nbaseurl: /b\n")
    cases = "".join(f'{{% capture u %}}{case}{{% endcapture %}}[{{{{ u | relative_url }}}}|'
                    f'{{{{ u | absolute_url }}}}]\n' for case in URL_CASES)
    write(blog / "_layouts" / "default.html", "{{ content }}")
    write(blog / "index.html", "---\nlayout: default\n---\n" + cases)
    done = jekyll_build(blog, tmp_path / "jekyll")
    assert done.returncode == 0, done.stdout + done.stderr
    build(blog, out_dir=tmp_path / "ours")
    ours, theirs = ((tmp_path / side / "index.html").read_text() for side in ("ours", "jekyll"))
    assert "[/b/hr%20example|https://ex.org/b/hr%20example]" in ours
    assert ours.splitlines() == theirs.splitlines()


def test_weekdate_permalinks_and_iso_week_placeholders_as_jekylls(tmp_path: Path) -> None:
    """`permalink: weekdate` gives a page or a collection's document no suffix
    (Jekyll 4.3's add_permalink_suffix knows date, ordinal, none and pretty only):
    about.md is /about, written to about.html; ours was /about.html. `:w_year` and
    `:w_day` (the ISO week's year and day) stopped our build as unknown."""
    blog = tmp_path / "blog"
    write(blog / "_config.yml", "permalink: weekdate\ncollections:\n  recipes:\n    output: true\n")
    write(blog / "_layouts" / "default.html", "{{ page.url }}|{{ content }}")
    write(blog / "_recipes" / "soup.md", "---\nlayout: default\n---\nR\n")
    write(blog / "about.md", "---\nlayout: default\n---\nP\n")
    write(blog / "_posts" / "2019-12-31-h.md", "---\nlayout: default\n---\nH\n")
    write(blog / "_posts" / "2021-01-03-w.md", "---\nlayout: default\n"
          "permalink: /:w_year/:week/:w_day/:title/\n---\nW\n")
    done = jekyll_build(blog, tmp_path / "jekyll")
    assert done.returncode == 0, done.stdout + done.stderr
    build(blog, out_dir=tmp_path / "ours")
    made = html_by_side(tmp_path)
    assert made["ours"]["about.html"] == "/about|<p>P</p>\n"
    assert "2020/53/7/w/index.html" in made["ours"]
    assert made["ours"] == made["jekyll"]


def test_paginator_paths_follow_jekylls_default_paginate_path(tmp_path: Path) -> None:
    """Jekyll's default `paginate_path` is `/page:num`: paginator.previous_page_path
    of page 3 is `/page2` (poole's and the seo tag's `<link rel="prev">`); ours was
    `/page2/`. The pages are still written to page2/index.html."""
    blog = tmp_path / "blog"
    write(blog / "_config.yml", "paginate: 1\nplugins: [jekyll-paginate]\n")
    write(blog / "_layouts" / "default.html", "{{ content }}")
    write(blog / "index.html", "---\nlayout: default\n---\n{{ page.url }}|{{ paginator.page }}|"
          "{{ paginator.previous_page_path }}|{{ paginator.next_page_path }}\n")
    for n in range(1, 4):
        write(blog / "_posts" / f"2021-01-0{n}-p{n}.md", f"---\ntitle: P{n}\n---\nText.\n")
    done = jekyll_build(blog, tmp_path / "jekyll")
    assert done.returncode == 0, done.stdout + done.stderr
    build(blog, out_dir=tmp_path / "ours")
    for page in ("index.html", "page2/index.html", "page3/index.html"):
        theirs, ours = ((tmp_path / side / page).read_text() for side in ("jekyll", "ours"))
        assert ours == theirs, page
    assert (tmp_path / "ours" / "page3/index.html").read_text().endswith("|3|/page2|\n")
