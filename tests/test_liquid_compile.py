"""Liquid compiled to Python renders what python-liquid's interpreter renders: every
template of a corpus (each construct, its edge cases, errors) rendered both ways,
in each of Jekyll's Liquid modes, gives the same text, the same error (type,
message, token) or the same warnings, and notes the same items' content as read.
Whole blogs built both ways: bench/liquid_compile.py."""

from __future__ import annotations

import builtins
import warnings
from pathlib import Path

import pytest
from liquid.exceptions import LiquidError

from site_builder.site import cache, liquid_compile
from site_builder.site.jekyll_layouts import Drop, Reads
from site_builder.site.liquid_tags import JekyllEnvironment, JekyllTemplate

INCLUDES = {
    "greet.html": "Hello {{ include.name | default: 'you' }}"
                  "{% for x in include.items %}[{{ x }}]{% endfor %}",
    "stop.html": "{% if include.stop %}{% break %}{% endif %}<{{ item }}>",
    "skip.html": "{% if include.skip %}{% continue %}{% endif %}({{ item }})",
    "sets.html": "{% assign inner = 'from include' %}{% capture cap %}c{{ x }}{% endcapture %}",
    "title.html": "{{ site.title | upcase }}",
    "loop.html": "{% for y in (1..2) %}{{ forloop.parentloop.index }}.{{ y }} {% endfor %}",
    "bad.html": "{{ 1 | nope }}",
    "shadow.html": "[{{ x }}{% assign x = 'local' %}{{ x }}{{ include.a }}{{ y }}"
                   "{% assign y = 'y from include' %}{{ y }}{{ site.title }}]",
    "nested.html": "{{ include.a }}{% include greet.html name=include.a %}{{ include.a }}",
    "self.html": "{% for i in (1..1) %}{{ i }}{% include self.html %}{% endfor %}",
    # roots read once at the start (no include, no assign of them: fixed_roots)
    "nav.html": "{% for p in site.posts %}{% assign t = p.title %}[{{ t }}{% if page.url == "
                "p.url %}*{% endif %}{{ include.a }}{{ x }}]{% endfor %}{{ site.title }}"
                "{{ page }}{{ missing.x }}{{ page.n | plus: include.a }}",
    "wrap.html": "{{ inner }}{% include sets.html %}{{ inner }}",   # not fixed: includes
    "half.html": "<{{ include.n }}>{% if include.n > 1 %}{% break %}{% endif %}(after)",
}

TEMPLATES = [
    # text, outputs, literals, to_liquid_string
    "plain text only",
    "{{ page.title }} {{ page.n }} {{ page.ratio }} {{ page.flag }} {{ page.none }}|",
    "{{ page.list }} {{ page.dict }} {{ (1..3) }} {{ true }} {{ nil }} {{ 'a' }} {{ 2.5 }}",
    "{{ missing }}|{{ missing.deep.er }}|{{ page.missing }}|{{ page.title.nope }}",
    "{{ page.list[0] }} {{ page.list[-1] }} {{ page.list[9] }} {{ page.list.first }}"
    " {{ page.list.last }} {{ page.list.size }} {{ page.title.size }} {{ page.dict.size }}",
    "{{ page.dict.b.c }} {{ page.dict['b']['c'] }} {{ page.dict[page.key] }}"
    " {{ page[page.key2].c }} {{ page.dict.first }} {{ page.title.first }}",
    "{{ site.posts[1].title }} {{ site.posts.first.url }} {{ site.data.nav.size }}",
    "{{ forloop }} {{ forloop.index }} {{ partial }} {{ now | date: '%Y' }} {{ empty }}",
    # filters
    "{{ page.title | upcase | append: '!' | prepend: page.url }}",
    "{{ page.list | join: ', ' }} {{ page.list | size }} {{ 'a,b' | split: ',' | last }}",
    "{{ site.posts | where: 'cat', 'x' | map: 'title' | join: '+' }}",
    "{{ page.none | default: 'd' }} {{ page.flag | default: 'd', allow_false: true }}",
    "{{ page.title | truncate: 3, '' }} {{ page.title | slice: 1, 2 }}",
    "{{ page.title | nope }} {{ page.title | nope: 1, page.dict.b, x: 2 }} after",
    "{{ page.title | upcase: 1 }}",
    "{{ page.title | append: page.n | upcase: page.title }}after",
    "{{ page.list | map: page.key | join: page.dict.b | sort: page.title }}after",
    "{{ page.dict | sort | first }}{{ page.list | where_exp: 'x', 'x > 1' | size }}",
    "{% assign s = page.list | sum: page.missing | plus: page.n %}{{ s }}",
    "{{ page.list | slice: page.one, page.dict }}after",
    "{{ page.title | plus: 'x' }} {{ 'a' | times: 2 }} {{ 5 | divided_by: 0 }}",
    "{{ page.url | relative_url }} {{ page.url | absolute_url }} {{ page.title | xml_escape }}",
    "{{ page.content | jsonify }}",
    # first, last and default: their commonest answers written inline
    "{{ page.list | first }}|{{ page.emptylist | first }}|{{ page.title | first }}|"
    "{{ page.dict | first }}|{{ missing | first }}|{{ page.none | last }}|{{ page.list | last }}|"
    "{{ page.emptylist | last }}|{{ page.n | last }}|{{ page.tags | first | upcase | last }}|"
    "{{ page.vacant | default: 'v' }}|{{ page.title | default: 'v' }}|{{ page.none | default: "
    "page.title }}|{{ missing | default: 'm' }}|{{ page.flag | default: 'f' }}|{{ page.zero | "
    "default: 'z' }}|{{ page.emptylist | default: 'e' }}|{{ page.spaces | default: 's' }}|"
    "{{ page.list | default: 'l', allow_false: true }}|{{ page.none | default }}|"
    "{% assign f = site.posts | where: 'cat', 'x' | first %}{{ f.title }}|"
    "{{ site.posts | last | map: 'title' | first }}",
    "{{ page.list | first: 1 }}after",
    "{{ page.none | default: 'a', 'b' }}after",
    # if / unless / elsif / else, comparisons, and / or, contains
    "{% if page.title %}a{% elsif page.n %}b{% else %}c{% endif %}",
    "{% if page.none %}a{% elsif page.flag %}b{% elsif page.zero %}z{% else %}c{% endif %}",
    "{% unless page.flag %}u{% elsif page.n %}e{% else %}x{% endunless %}"
    "{% unless page.title %}no{% else %}yes{% endunless %}",
    "{% if page.n == 3 and page.title != 'x' or missing %}t{% endif %}"
    "{% if page.n > 2 %}gt{% endif %}{% if page.n < 2 %}lt{% endif %}"
    "{% if page.n >= 3 %}ge{% endif %}{% if page.n <= 2 %}le{% endif %}",
    "{% if page.title == page.title2 %}same{% endif %}{% if 1 == 1.0 %}one{% endif %}"
    "{% if page.flag == false %}f{% endif %}{% if page.zero == false %}z{% endif %}"
    "{% if true == 1 %}t1{% endif %}{% if page.none == nil %}n{% endif %}"
    "{% if missing == nil %}mn{% endif %}{% if missing == empty %}me{% endif %}",
    "{% if page.vacant == empty %}e{% endif %}{% if page.list == empty %}le{% endif %}"
    "{% if page.spaces == blank %}b{% endif %}{% if page.emptylist == empty %}el{% endif %}"
    "{% if empty == page.vacant %}e2{% endif %}{% if page.emptydict != empty %}nd{% endif %}",
    "{% if page.n < 'a' %}x{% endif %}after",
    "{% if page.n > page.none %}x{% endif %}{% if 'b' > 'a' %}s{% endif %}"
    "{% if page.dict <= page.dict %}d{% endif %}{% if page.flag <= 1 %}b{% endif %}",
    "{% if page.title contains 'it' %}s{% endif %}{% if page.tags contains 'y' %}l{% endif %}"
    "{% if page.dict contains 'a' %}d{% endif %}{% if page.title contains page.none %}n{% endif %}"
    "{% if page.list contains 2 %}i{% endif %}{% if missing contains 'a' %}m{% endif %}"
    "{% if page.tags contains missing %}mm{% endif %}{% if 'abc' contains 'b' %}lit{% endif %}",
    "{% if page.n contains 3 %}x{% endif %}after",
    "{% if 'Title' == page.title %}a{% endif %}{% if 'x' != page.none %}b{% endif %}"
    "{% if page.n == '3' %}c{% endif %}{% if missing == '' %}d{% endif %}{% if page.list "
    "contains '2' %}e{% endif %}{% if page.spaces contains ' ' %}f{% endif %}{% if 'a' == 'a' "
    "%}g{% endif %}{% unless page.vacant contains '' %}h{% endunless %}{% if page.title != "
    "'Title' %}i{% endif %}{% if page.drop contains 'title' %}j{% endif %}",
    "{% if page.drop.title %}{{ page.drop.title }}{% endif %}",
    # for: forloop, limit, offset, reversed, ranges, break/continue, else, nesting
    "{% for x in page.list %}{{ forloop.index }}/{{ forloop.index0 }}/{{ forloop.rindex }}"
    "/{{ forloop.rindex0 }}/{{ forloop.first }}/{{ forloop.last }}/{{ forloop.length }}"
    "/{{ forloop.name }}:{{ x }} {% endfor %}",
    "{% for x in page.list limit: 2 %}{{ x }}{% endfor %}|{% for x in page.list offset: 1 %}"
    "{{ x }}{% endfor %}|{% for x in page.list reversed %}{{ x }}{% endfor %}|"
    "{% for x in page.list limit: page.n offset: page.one reversed %}{{ x }}{% endfor %}",
    "{% for x in page.list limit: 1 %}{{ x }}{% endfor %}{% for x in page.list offset: continue %}"
    "{{ x }}{% endfor %}",
    "{% for x in page.list %}{% if x == 2 %}{% break %}{% endif %}{% endfor %}"
    "{% for x in page.list offset: continue %}{{ x }}{% else %}none{% endfor %}"
    "{% for x in page.tags %}{% endfor %}{% for x in page.tags offset: continue %}{{ x }}"
    "{% else %}none{% endfor %}",
    "{% for i in (1..page.n) %}{{ i }}{% endfor %}{% for i in (3..1) %}{{ i }}{% else %}none"
    "{% endfor %}{% for i in (page.one..page.missing) %}{{ i }}{% endfor %}",
    "{% for x in missing %}{{ x }}{% else %}empty{% endfor %}{% for x in page.title %}{{ x }}"
    "{% endfor %}{% for x in page.n %}{{ x }}{% endfor %}{% for p in page.dict %}{{ p[0] }}="
    "{{ p[1] }};{% endfor %}",
    "{% for x in page.list %}{% if x == 2 %}{% continue %}{% endif %}{{ x }}{% if x == 3 %}"
    "{% break %}{% endif %}{% endfor %}",
    "{% for a in (1..3) %}{% for b in (1..3) %}{% if b == 2 %}{% break %}{% endif %}{{ a }}{{ b }}"
    "{{ forloop.parentloop.index }} {% endfor %}{% if a == 2 %}{% continue %}{% endif %}-"
    "{% endfor %}",
    "{% for x in page.list %}{% assign x = 'shadow' %}{{ x }}{% endfor %}{{ x }}",
    "{% assign item = 'outer' %}{% for item in page.list %}{{ item }}{% endfor %}{{ item }}",
    "{% for x in page.list %}{% capture c %}{{ c }}{{ x }}{% endcapture %}{% endfor %}{{ c }}",
    "{% for x in page.list %}{% for x in page.tags %}{{ x }}{% endfor %}{{ x }}{% endfor %}",
    "{% for forloop in page.list %}{{ forloop }}{% endfor %}",
    "{% for x in page.list %}[{{ forloop.parentloop }}]{% for y in page.tags %}"
    "{{ forloop.parentloop }}{{ forloop.size }}{% endfor %}{% endfor %}",
    "{% for p in site.posts %}{{ p.content }}|{{ p.excerpt.x }}|{{ p.title.first }}"
    "{{ p.nope.deeper }}{% endfor %}",
    "{% for x in page.list %}{% assign f = forloop %}{% endfor %}{{ f.index }} {{ f.last }}"
    "{% for x in page.list %}{% assign g = forloop %}{% break %}{% endfor %}{{ g.index }}",
    "{% for x in page.list %}{% capture c %}a{% break %}{% endcapture %}{% endfor %}[{{ c }}]",
    "{% for x in page.list %}{% if x == 2 %}{% break %}{% endif %}{% else %}e{% endfor %}",
    "{% break %}after",
    "{% if true %}{% continue %}{% endif %}after",
    "{% for post in site.posts %}{{ post.title }}{% if forloop.last %}.{% else %}, "
    "{% endif %}{% endfor %}",
    "{% for p in site.posts %}{% assign page_ = site.posts | where: 'url', p.url | first %}"
    "{% capture h %}<a href=\"{{ page_.url | relative_url }}\">{{ page_.menu | default: "
    "page_.title }}</a>{% endcapture %}<li{% unless page_.url != page.url %} class=\"c\""
    "{% endunless %}>{{ h }}</li>{% endfor %}",
    # assign, capture, increment/decrement, comment, raw, echo, liquid, case, cycle
    "{% assign a = page.title | upcase %}{% assign b = a %}{{ a }}{{ b }}{% assign a = nil %}"
    "{{ a }}",
    "{% capture c %}  {% endcapture %}[{{ c }}]{% capture d %} x {{ page.n }} {% endcapture %}"
    "[{{ d }}]",
    "{% increment n %}{% increment n %}{% decrement m %}{{ n }}{% assign n = 9 %}{{ n }}"
    "{% increment n %}",
    "a{% comment %}{{ nope }}{% endcomment %}b{% raw %}{{ raw }}{% endraw %}c{%# note %}d",
    "{% echo page.title | downcase %}{% liquid\nassign z = 3\necho z\n%}",
    "{% case page.n %}{% when 1, 3 %}odd{% when 3 %}three{% else %}other{% endcase %}"
    "{% case missing %}{% when nil %}nil{% endcase %}",
    "{% for x in page.list %}{% cycle 'a', 'b' %}{% endfor %}{% tablerow x in page.list cols:2 %}"
    "{{ x }}{% endtablerow %}",
    "{% if page.flag %}  {% assign q = 1 %}  {% endif %}|{% if true %}   {% endif %}|"
    "{% if true %} {% else %}x{% endif %}|{% if false %}x{% elsif true %}   {% endif %}|"
    "{% for x in page.list %}  {% endfor %}|{% unless false %}  \n  {% endunless %}|",
    # whitespace control
    "a  {%- if true -%}  b  {%- endif -%}  c {{- page.title -}} d\n{%- for x in page.list %}\n"
    "  {{ x -}}\n{% endfor -%}\n  e",
    # includes with parameters
    "{% include greet.html %}|{% include greet.html name='Ann' items=page.list %}|"
    "{% include greet.html name=page.title %}|{% include title.html %}{% include title.html %}",
    "{% for item in page.list %}{% include stop.html stop=forloop.last %}{% endfor %}"
    "{% for item in page.list %}{% include skip.html skip=forloop.first %}{% endfor %}",
    "{% for x in page.list %}{% include sets.html %}{% endfor %}{{ inner }} {{ cap }}",
    "{% for x in page.list %}{% include loop.html %}{% endfor %}",
    "{% include stop.html stop=true %}after",
    "{% include bad.html %}after",
    "{% include nope.html %}after",
    "{% include self.html %}after",
    "{% for x in page.list %}{% include shadow.html a=x %}{% endfor %}{{ x }}{{ y }}"
    "{% assign y = 'y' %}{% include shadow.html a=y %}{% include shadow.html %}",
    "{% include nested.html a='outer' %}{{ include.a }}",
    "{{ site.title }}{% assign site = 'mine' %}{{ site }}{{ site.title }}{{ page.n }}"
    "{% capture page %}captured{% endcapture %}{{ page }}{{ page.n }}",
    "{{ n }}{% increment n %}{{ n }}{% decrement n %}{{ n }}{% assign n = 'a' %}{{ n }}"
    "{{ partial }}{{ jekyll.version }}{{ today | date: '%Y' }}",
    "{% include {{ page.inc }} name='dyn' %}",
    "{% include nav.html a=1 %}{% assign x = 'x' %}{% include nav.html a=2 %}"
    "{% assign page = 'p' %}{% include nav.html %}{% capture site %}s{% endcapture %}"
    "{% include nav.html %}{% for x in (1..2) %}{% include nav.html a=x %}{% endfor %}"
    "{% increment missing %}{% include nav.html %}",
    "{% assign inner = 'outer' %}{% include wrap.html %}",
    # a root read from the locals first, or from its value at the start (see _starts)
    "{{ q }}{% increment q %}{{ q }}{% decrement site %}{{ site.title }}{% for q in page.list %}"
    "{{ q }}{% include title.html %}{% include shadow.html a=q %}{% endfor %}{{ q }}"
    "{% assign q = 'l' %}{{ q }}{% for page in page.list %}{{ page }}{% endfor %}{{ page.n }}",
    # markup only Ruby's lax parser reads (Jekyll's default error_mode, warn), and
    # what Ruby Liquid reads differently from python-liquid
    "{% if page.flag and (page.none or page.n) %}a{% elsif (page.n > 1) %}b{% endif %}"
    "{% unless (page.flag) %}c{% else %}d{% endunless %}{% if page.n == 3 or (x %}e{% endif %}",
    "{{ with .title }}{{ . }}{{ else }}|{{ 'a' | upcase | }}|{{ page.title | append: 'x' | }}|"
    "{{ page.list | join: ', ' extra }}",
    "{% assign site.title = 'mine' %}{{ site.title }}|{% assign y = 'a' | upcase | %}{{ y }}",
    "{% if page.flag contains 'x' %}a{% endif %}{% if page.n contains 3 %}b{% endif %}"
    "{% if page.title contains true %}c{% endif %}{% if page.list contains 2 %}d{% endif %}",
    "{{ page.dict.limit }}|{{ page.dict.in }}|{{ page.dict.with }}|{{ page.dict.empty }}",
    "{% for x in page.list | limit: 2 %}{{ x }}{% endfor %}|"
    "{% for x in page.list reversed offset: 1 x %}{{ x }}{% endfor %}",
    "{% if (page.n == 1 ) or ( page.flag == 2) %}a{% endif %}",   # `page`: an operator
    "{% if (page.n == 3 ) or ( page.flag == 2) %}a{% endif %}",   # never evaluated
    # a fixed root's key read in a loop (hoisted: read once), found and missing
    "{% for p in site.posts %}{{ page.title }}{% if p.url == page.url %}*{% endif %}"
    "{{ page.nope }}|{% endfor %}",
    # a capture (a list of texts, joined) around a node left to python-liquid, which
    # breaks the loop after writing; texts written together (one call)
    "{% for x in (1..3) %}{% capture c %}[{{ x }}{% include skip.html skip=false %}|"
    "{% include half.html n=x %}]{% endcapture %}{{ c }}{% endfor %}({{ c }})"
    "{% capture d %}a{% include greet.html name='d' %}b{{ page.title }}{% endcapture %}"
    "{{ d }}{{ page.title }}-{{ page.n }}-{{ page.list | join: '+' }}{{ content }}",
]

ITEMS = [{"title": "First", "url": "/first/", "cat": "x", "menu": "M1"},
         {"title": "Second", "url": "/a/", "cat": "y"},
         {"title": "Third", "url": "/third/", "cat": "x", "content": "third's"}]


def data(reads: Reads) -> dict:
    posts = [Drop(item, reads) for item in ITEMS]
    return {"page": {"title": "Title", "title2": "Title", "url": "/a/", "n": 3, "one": 1,
                     "zero": 0, "ratio": 0.5, "flag": False, "none": None, "vacant": "",
                     "spaces": "  ", "emptylist": [], "emptydict": {}, "list": [1, 2, 3],
                     "tags": ["x", "y"], "dict": {"a": 1, "b": {"c": "deep"}}, "key": "a",
                     "key2": "dict", "content": "<p>C</p>", "inc": "greet.html",
                     "drop": posts[2]},
            "site": {"title": "Site", "posts": posts, "data": {"nav": [1, 2]}}}


def render(tmp_path: Path, monkeypatch, source: str, compiled: bool, liquid: dict
           ) -> tuple:
    """What rendering `source` gives: its text or error, the warnings, the items whose
    content it read."""
    monkeypatch.setenv("SITE_BUILDER_LIQUID_COMPILE", "1" if compiled else "0")
    monkeypatch.setattr(JekyllTemplate, "renders", 1)   # compiled at its first render
    folder = tmp_path / "_includes"
    if not folder.is_dir():
        folder.mkdir()
        for name, text in INCLUDES.items():
            (folder / name).write_text(text)
    env = JekyllEnvironment(tmp_path, {"baseurl": "/blog", "url": "http://x.org",
                                       "liquid": liquid}, {})
    reads = Reads()
    reads.names = set()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            template = env.from_string(source)
        except LiquidError as exc:
            return ("parse error", str(exc)), [], set()
        try:
            result = ("text", template.render(**data(reads)))
        except LiquidError as exc:
            token = exc.token
            result = ("error", type(exc).__name__, str(exc.message), str(exc),
                      token and (token.kind, token.value, token.start_index))
    assert bool(template.compiled) == compiled
    return result, [str(w.message) for w in caught], reads.names


MODES = [{}, {"error_mode": "strict"}, {"strict_filters": True}, {"strict_variables": True},
         {"error_mode": "lax"}, {"error_mode": "warn", "strict_variables": True,
                                 "strict_filters": True}]


@pytest.mark.parametrize("liquid", MODES, ids=lambda m: ",".join(f"{k}={v}" for k, v in
                                                                   m.items()) or "default")
def test_compiled_renders_as_interpreted(tmp_path, monkeypatch, liquid):
    differ = []
    for source in TEMPLATES:
        interpreted = render(tmp_path, monkeypatch, source, False, liquid)
        compiled = render(tmp_path, monkeypatch, source, True, liquid)
        if compiled != interpreted:
            differ.append(f"{source!r}:\n  interpreted {interpreted}\n  compiled    {compiled}")
    assert not differ, "\n".join(differ)


def test_corpus_covers_every_compiled_construct(tmp_path, monkeypatch):
    """The corpus reaches every node and expression the compiler writes code for (a
    construct it left to python-liquid would pass the comparison untested)."""
    env = JekyllEnvironment(tmp_path, {"baseurl": "", "url": ""}, {})
    seen: set[str] = set()
    for source in TEMPLATES:
        compiler = liquid_compile._Compiler(env)
        compiler.seen = seen
        compiler.function(env.from_string(source).nodes)
    assert liquid_compile.COMPILED_KINDS <= seen, liquid_compile.COMPILED_KINDS - seen


def test_template_too_deep_for_python_is_interpreted(tmp_path, monkeypatch):
    """Python compiles at most twenty nested blocks: deeper loops are left to the
    interpreter, which renders them."""
    monkeypatch.setattr(JekyllTemplate, "renders", 1)
    env = JekyllEnvironment(tmp_path, {"baseurl": "", "url": ""}, {})
    source = "".join(f"{{% for v{i} in (1..1) %}}" for i in range(12)) + "{{ v11 }}" + \
        "{% endfor %}" * 12
    template = env.from_string(source)
    assert template.render() == "1"
    assert template.compiled is False


def test_template_parsed_again_is_not_compiled_again(tmp_path, monkeypatch):
    """serve's next build parses the blog's templates again: their code is kept."""
    monkeypatch.setattr(JekyllTemplate, "renders", 1)
    compiled = []
    monkeypatch.setattr(cache, "compile", lambda *args: compiled.append(args[1])
                        or builtins.compile(*args), raising=False)   # cache.compiled's
    source = "{% for x in (1..2) %}{{ x }}{{ again }}{% endfor %}"
    for n in range(2):
        env = JekyllEnvironment(tmp_path, {"baseurl": "", "url": ""}, {})
        assert env.from_string(source).render(again=n) == f"1{n}2{n}"
    assert compiled == ["<liquid template>"]


def test_off_switch_leaves_templates_to_the_interpreter(tmp_path, monkeypatch):
    monkeypatch.setenv("SITE_BUILDER_LIQUID_COMPILE", "0")
    env = JekyllEnvironment(tmp_path, {"baseurl": "", "url": ""}, {})
    template = env.from_string("{{ a }}")
    assert [template.render(a=i) for i in range(3)] == ["0", "1", "2"]
    assert template.compiled is False
