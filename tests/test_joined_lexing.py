"""Joined lexing (site/joined_lexing.py) finds Pygments' own tokens: each state's
rules tried in one regular expression must pick the rule Pygments' loop picks, for
every kind of rule (flags of its own, groups a callback reads, back-references,
other lexers used inside, a state entered and left, text no rule matches)."""

from __future__ import annotations

import pytest
from pygments.lexer import RegexLexer
from pygments.lexers import get_lexer_by_name

from site_builder.site import joined_lexing
from site_builder.site.kramdown import renderer

SAMPLES = {
    # f-strings and raw strings: rules with (?i) of their own in a MULTILINE lexer
    "python": 'import re\n\nclass A(B):\n    """Doc."""\n    def f(self, x=1e-3):\n'
              '        return rf"{x!r:>10}" + Rb\'\\d+\' + f\'{self.y["k"]}\'  # note\n'
              "@dec\nasync def g(): await h(*a, **k)\nx = 0x1F if a is not None else [1, 2]\n"
              "match x:\n    case [a, *_]: pass\nIF = Class or None\n$ ? `\n",
    # a here-document: a rule with a back-reference (\2), tried alone
    "bash": "cat <<EOF > f\n$HOME ${x:-1}\nEOF\nfor i in $(seq 3); do echo \"$i\" 'q'; done\n"
            "a=$((1 + 2)) && [[ -f x ]] || exit 1\n",
    # Scala's identifiers: Unicode classes of 100,000 characters
    "scala": 'package a.b\nobject M extends App {\n  val xs = List(1, 2).map(_ * 2)\n'
             '  def f[T <: AnyRef](t: T): String = s"${t.toString} $t"\n  /* c */ println(xs)\n}\n',
    # HTML with a script and a style: other lexers inside (using())
    "html": '<!DOCTYPE html>\n<html lang="en"><head><style>p { color: red }</style>\n'
            '<script>var a = 1 < 2 && "x";</script></head>\n<body><!-- c --><p class=x>t&amp;</p>\n',
    "javascript": "const f = async (a, {b}) => `x ${a + b}`;\n/re+g/.test(s) // c\nclass K { #p = 1 }\n",
    "sql": "SELECT a, COUNT(*) FROM t WHERE b = 'x''y' AND c IN (1, 2) -- c\nGROUP BY a;\n",
    "css": "@media (max-width: 600px) { .a > b::before { content: '\\201C'; margin: 0 auto !important } }\n",
    "go": "package main\n\nimport \"fmt\"\n\nfunc main() { ch := make(chan int, 3); fmt.Println(<-ch) }\n",
    # ExtendedRegexLexer's: callbacks that move the context. YAML's indentation and
    # block scalars (its own context class), Ruby's here-documents (the loop called
    # again on the context, its end moved) and interpolation (on a new context),
    # Sass's indented blocks; a line no rule takes.
    "yaml": "a: b\n  - c: |\n    lit\n  d: >-\n   fold\n---\n%YAML 1.2\n? k\n: v\n"
            "&a *b !!str 'q''x' \"e\\n\" [1, {a: b}]\n# c\nx: [\n",
    "ruby": 'class A < B\n  def f(x = 1) = "#{x}" + %w[a b].join\nend\n<<~EOS\n  here\nEOS\n'
            "/re#{1}/i =~ s ? :sym : nil\nx = <<-A + <<B\n a\n  A\nb\nB\n%r{a#{b}c}m %Q(x#{y})"
            " ?a $1 @@v\nputs <<X\nnever closed\n",
    "sass": "$x: 1\n.a\n  color: red\n  &:hover\n    b: c\n@mixin m($a)\n  +m(1)\n/* c\n  d\n"
            "// e\n=f\n",
}


def reference(name: str):
    return get_lexer_by_name(name, stripnl=False, ensurenl=False)


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_joined_states_give_pygments_tokens(name, monkeypatch):
    monkeypatch.setattr(joined_lexing, "TRIES_PER_CHARACTER", 0)   # join every state at once
    monkeypatch.setattr(joined_lexing, "_STATES", {})
    lexer = joined_lexing.faster(reference(name))
    assert "get_tokens_unprocessed" in vars(lexer), "this lexer should be joined"
    text = SAMPLES[name] * 3
    expected = list(reference(name).get_tokens_unprocessed(text))   # (Pygments' own loop)
    assert list(lexer.get_tokens_unprocessed(text)) == expected
    joined = joined_lexing._STATES[type(lexer)]
    assert any(state.steps is not None for state in joined.values())


def test_a_state_is_joined_once_its_tries_would_pay_for_it(monkeypatch):
    monkeypatch.setattr(joined_lexing, "_STATES", {})
    lexer = joined_lexing.faster(reference("python"))
    list(lexer.get_tokens_unprocessed("x = 1\n"))
    root = joined_lexing._STATES[type(lexer)]["root"]
    assert root.steps is None   # a line of code: not worth compiling the state again
    text = SAMPLES["python"] * 200
    assert list(lexer.get_tokens_unprocessed(text)) == list(
        RegexLexer.get_tokens_unprocessed(reference("python"), text))
    assert root.steps is not None


def test_lexers_with_a_loop_of_their_own_are_left_alone():
    for name in ("c", "console", "json"):   # C's loop post-processes tokens
        lexer = reference(name)
        assert joined_lexing.faster(lexer) is lexer
        assert "get_tokens_unprocessed" not in vars(lexer)


def test_highlighted_html_is_pygments_own(monkeypatch):
    """A post's code blocks come out as Pygments' loop colours them."""
    source = "".join(f"```{name}\n{text}```\n\n" for name, text in sorted(SAMPLES.items()))
    monkeypatch.setattr(joined_lexing, "TRIES_PER_CHARACTER", 0)
    monkeypatch.setattr(joined_lexing, "_STATES", {})
    joined = renderer().render(source)
    monkeypatch.setattr(joined_lexing, "faster", lambda lexer: lexer)
    from site_builder.site import kramdown
    kramdown._lexer.cache_clear()
    try:
        assert renderer().render(source) == joined
    finally:
        kramdown._lexer.cache_clear()


def test_a_block_is_highlighted_once_per_post(monkeypatch):
    """A post's excerpt is rendered apart from its content, with the same `used`:
    a code block both show (a post that opens with code), or one repeated, is
    highlighted once."""
    from site_builder.site import kramdown
    calls = []
    real = kramdown.pygments_html
    monkeypatch.setattr(kramdown, "pygments_html", lambda code, lexer: calls.append(code)
                        or real(code, lexer))
    env = {"highlighted": {}, "used": {}}
    text = "```python\nx = 1\n```\n\nText.\n\n```python\nx = 1\n```\n"
    content = renderer().render(text, env)
    excerpt = renderer().render("```python\nx = 1\n```\n", env)
    assert calls == ["x = 1\n"]
    assert excerpt in content and '<span class="n">x</span>' in excerpt



# Tokens of SAMPLES (and Ruby's: a loop of its own, not joined) by a lexer made in a
# fresh process, where no lexer class has compiled its states yet.
TOKENS = """import json, sys
from pygments.lexers import get_lexer_by_name
from site_builder.site.joined_lexing import lexer_by_name
make = lexer_by_name if sys.argv[1] == "ours" else get_lexer_by_name
tokens, states = {}, {}
for name, text in json.load(sys.stdin).items():
    lexer = make(name)
    tokens[name] = [[p, str(t), v] for p, t, v in lexer.get_tokens_unprocessed(text)]
    states[name] = [len(type(lexer)._tokens), len(type(lexer).get_tokendefs())]
print(json.dumps([tokens, states]))
"""


def test_states_compiled_when_entered_give_pygments_tokens():
    """lexer_by_name compiles a lexer's states as they are entered, and finds the
    tokens of Pygments' lexer with all its states compiled up front."""
    import json
    import subprocess
    import sys
    samples = {**SAMPLES, "ruby": 'class A < B\n  def f(x = 1) = "#{x}" + %w[a b].join\nend\n'
                                  "<<~EOS\n  here\nEOS\n/re#{1}/i =~ s ? :sym : nil\n"}

    def run(who: str) -> list:
        done = subprocess.run([sys.executable, "-c", TOKENS, who], input=json.dumps(samples),
                              capture_output=True, text=True, check=True)
        return json.loads(done.stdout)
    (pygments_tokens, every_state), (our_tokens, entered) = run("pygments"), run("ours")
    assert our_tokens == pygments_tokens
    assert all(compiled >= defined for compiled, defined in every_state.values())
    assert entered["ruby"][0] < entered["ruby"][1]   # only the states the sample entered


# A command lexing `sys.argv[2]` (Python) with the kept patterns of the folder sys.argv[1]:
# its tokens, and whether the root state was joined by the end.
JOINED_BEFORE = r"""
import json, sys
from pathlib import Path
from site_builder import compiled_patterns
compiled_patterns.install(Path(sys.argv[1]))
from site_builder.site import joined_lexing
lexer = joined_lexing.faster(joined_lexing.lexer_by_name("python", stripnl=False, ensurenl=False))
tokens = [[p, str(t), v] for p, t, v in lexer.get_tokens_unprocessed(sys.argv[2])]
compiled_patterns.save()
root = joined_lexing._STATES[type(lexer)]["root"]
print(json.dumps({"tokens": tokens, "joined": root.steps is not None}))
"""


def test_a_state_joined_by_an_earlier_command_is_joined_at_once(tmp_path):
    """A state a command joined is joined from its first token in the next commands
    (its joined expressions are kept with the compiled patterns: no compiling to
    pay for), with the same tokens."""
    import json
    import subprocess
    import sys

    def run(text: str) -> dict:
        done = subprocess.run([sys.executable, "-c", JOINED_BEFORE, str(tmp_path), text],
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout.splitlines()[-1])
    assert not run("x = 1\n")["joined"]   # a line: not worth compiling the state again
    assert run(SAMPLES["python"] * 200)["joined"]
    again = run("x = 1\n")
    assert again["joined"]
    assert again["tokens"] == [[p, str(t), v] for p, t, v in
                               reference("python").get_tokens_unprocessed("x = 1\n")]
