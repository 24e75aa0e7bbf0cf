"""JekyllContext sets RenderContext's fields itself (a layout's render made its context
in half the time): the same fields with the same values as python-liquid's own
__init__, for each kind of globals a render passes."""

from __future__ import annotations

import pytest
from liquid.context import RenderContext
from liquid.utils import ReadOnlyChainMap

from site_builder.site.liquid_tags import JekyllContext, JekyllEnvironment


@pytest.mark.parametrize("make_globals", [
    lambda t: t.make_globals({"site": {"title": "T"}, "page": {}}),
    lambda t: t.make_globals({}),   # the env's own globals only
    lambda t: ReadOnlyChainMap({}, ReadOnlyChainMap({})),   # empty: `globals or {}`
    lambda t: {"a": 1},
    lambda t: None,
])
def test_a_jekyll_context_has_a_render_contexts_fields(tmp_path, make_globals):
    env = JekyllEnvironment(tmp_path, {"baseurl": "", "url": ""}, {})
    template = env.from_string("{{ site.title }}")
    globals_ = make_globals(template)
    ours, theirs = JekyllContext(template, globals=globals_), RenderContext(template, globals=globals_)
    for field in RenderContext.__slots__:
        if field == "scope":   # ours: without python-liquid's built-in now and today
            assert list(ours.scope._maps) == [ours.locals, ours.globals, ours.counters]
            continue
        mine, its = getattr(ours, field), getattr(theirs, field)
        assert type(mine) is type(its) and mine == its, field
        if field == "globals" and globals_:
            assert mine is globals_
    assert ours.tag_namespace["extends"]["x"] == []   # (a defaultdict of lists)
