"""where_exp, find_exp and group_by_exp keep their answers for the same list when
the expression reads only the bound item's plain properties (jekyll_filters.each):
the kept answers are those a fresh evaluation gives, and an expression that reads
anything else (another variable, an item's content) is evaluated each time."""

from __future__ import annotations

import pytest

from site_builder.site.jekyll_filters import _closed
from site_builder.site.liquid_tags import JekyllEnvironment

DOCS = [{"url": f"/docs/{n}/", "title": t, "n": i, "tags": tg, "content": f"c{i}"}
        for i, (n, t, tg) in enumerate([("a", "Alpha", ["x"]), ("step-by-step/1", "One", []),
                                        ("b", None, ["x", "y"]), ("step-by-step/2", "Two", ["y"]),
                                        ("c", "", None)])]

TEMPLATES = [
    "{{ docs | where_exp: 'd', \"d.url contains '/step-by-step/'\" | map: 'title' | join: ',' }}",
    "{{ docs | where_exp: 'd', 'd.n > 1 and d.title != nil' | map: 'url' | join: ',' }}",
    "{{ docs | where_exp: 'd', 'd.tags contains \"y\" or d.n == 0' | size }}",
    "{{ docs | where_exp: 'd', 'd.title == empty' | size }}|{{ docs | where_exp: 'd', 'd.tags.size >= 1' | size }}",
    "{{ docs | find_exp: 'd', 'd.title == \"Two\"' | map: 'url' }}",
    "{% assign g = docs | group_by_exp: 'd', 'd.n' %}{{ g | map: 'size' | join: ',' }}",
    # not closed: another variable, an item's content, a filter
    "{{ docs | where_exp: 'd', 'd.title == want' | map: 'url' | join: ',' }}",
    "{{ docs | where_exp: 'd', 'd.content == want' | map: 'url' | join: ',' }}",
    "{% assign g = docs | group_by_exp: 'd', 'd.title | append: want' %}{{ g | map: 'name' | join: ',' }}",
]


@pytest.mark.parametrize("source", TEMPLATES)
def test_kept_answers_are_a_fresh_evaluations(tmp_path, source):
    env = JekyllEnvironment(tmp_path, {"baseurl": "", "url": ""}, {})
    fresh_env = JekyllEnvironment(tmp_path, {"baseurl": "", "url": ""}, {})
    template = env.from_string(source)
    for want in ("One", "c3", "Two", "One"):   # the same list object, each time
        got = template.render(docs=DOCS, want=want)
        # a new environment keeps nothing yet: its answer is evaluated
        assert got == fresh_env.from_string(source).render(docs=list(DOCS), want=want)
        fresh_env = JekyllEnvironment(tmp_path, {"baseurl": "", "url": ""}, {})


def test_only_expressions_of_the_items_plain_properties_are_closed(tmp_path):
    env = JekyllEnvironment(tmp_path, {"baseurl": "", "url": ""}, {})
    from liquid.builtin.expressions import BooleanExpression, FilteredExpression, tokenize
    from liquid.stream import TokenStream
    from liquid.token import TOKEN_EXPRESSION, Token

    def closed(text: str, condition: bool = True) -> bool:   # parsed as where_exp parses it
        token = Token(TOKEN_EXPRESSION, text, 0, text)
        kind = BooleanExpression if condition else FilteredExpression
        return _closed(kind.parse(env, TokenStream(tokenize(text, parent_token=token))), "d")

    assert closed("d.url contains '/x/'") and closed("d.n > 1 and d.flag != false") \
        and closed("d.tags[0] == 'x' or d.title == nil") and closed("d.n", False)
    assert not closed("d.title == want") and not closed("d.content == 'x'") \
        and not closed("d.excerpt") and not closed("d[d.key] == 1") \
        and not closed("d.n | plus: 1", False) and not closed("x.n == 1") \
        and not closed("(1..3) contains d.n")
