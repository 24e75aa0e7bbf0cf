"""Our quicker Liquid parsing gives what python-liquid's own gives: the lexer's text
found by str.find (liquid_tags._Scanner) the same tokens, and `{{ a.b }}` parsed
without tokenizing it (jekyll_tags.RubyOutput._path) the same nodes and tokens, on
random markup and on this repository's blog."""

from __future__ import annotations

import random
from pathlib import Path

from liquid.lex import get_lexer
from liquid.token import Token

from site_builder.site.liquid_tags import JekyllEnvironment, _quick_lexer

MARKUP = ["{", "}", "{{", "}}", "{%", "%}", "-", " ", "\n", "a", "x.y", "raw", "endraw",
          "comment", "endcomment", "doc", "enddoc", "if", "endif", "#", "\t", "%", "'", '"',
          "|", "{{-", "-}}", "{%-", "-%}", "\r\n"]
EXPRESSIONS = ["a", "b", "site", "page", ".", ".", " ", "\n", "\t", "-", "_", "1", "true",
               "nil", "empty", "if", "in", "not", "contains", "size", "first", "?", "[0]",
               "['x']", "é", "x2", "|", "upcase", "\r", "\f", "..", "for"]


def tokens(lexer, source: str) -> object:
    try:
        return [tuple(token) for token in lexer(source)]
    except Exception as exc:  # noqa: BLE001 - the same error is the same answer
        return type(exc).__name__, str(exc), tuple(getattr(exc, "token", None) or ())


def test_quick_lexer_gives_python_liquids_tokens():
    plain = get_lexer()
    quick = _quick_lexer(plain)
    assert quick is not plain
    rng = random.Random(3)
    sources = ["".join(rng.choice(MARKUP) for _ in range(rng.randint(0, 14)))
               for _ in range(5000)]
    sources += [p.read_text(encoding="utf-8") for p in Path("site_builder/theme").rglob("*.html")]
    for source in sources:
        assert tokens(quick, source) == tokens(plain, source), source


def dump(obj: object, depth: int = 0) -> object:
    """A node tree as plain values: each object's type and fields, tokens whole."""
    if depth > 60 or isinstance(obj, (str, int, float, bool, type(None))):
        return obj
    if isinstance(obj, Token):
        return tuple(obj)
    if isinstance(obj, (list, tuple)):
        return [dump(x, depth + 1) for x in obj]
    if isinstance(obj, dict):
        return {k: dump(v, depth + 1) for k, v in obj.items()}
    fields = {name: getattr(obj, name) for cls in type(obj).__mro__
              for name in getattr(cls, "__slots__", ()) if hasattr(obj, name)}
    fields.update(getattr(obj, "__dict__", {}))
    return type(obj).__name__, {k: dump(v, depth + 1) for k, v in fields.items() if k != "env"}


def parsed(env: JekyllEnvironment, source: str) -> object:
    try:
        return dump(env.parse(source, "t", 1).nodes)
    except Exception as exc:  # noqa: BLE001
        return type(exc).__name__, str(exc)


def test_a_dotted_path_is_parsed_as_python_liquid_parses_it(tmp_path):
    quick = JekyllEnvironment(tmp_path, {"baseurl": ""}, {})
    plain = JekyllEnvironment(tmp_path, {"baseurl": ""}, {})
    plain.tags["output"]._path = lambda stream: None
    rng = random.Random(5)
    for _ in range(3000):
        expression = "".join(rng.choice(EXPRESSIONS) for _ in range(rng.randint(1, 6)))
        source = f"x {{{{{expression}}}}} y {{{{- {expression} -}}}}"
        assert parsed(quick, source) == parsed(plain, source), source
