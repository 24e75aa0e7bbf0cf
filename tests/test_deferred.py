"""The modules python-liquid imports but a build rarely uses (site/deferred.py) are
loaded on first use: a build does not load them, and whoever uses them gets the
whole module, also two threads at once. Each check runs in a fresh interpreter,
since this one has imported them already."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conftest import write


def _run(code: str, cwd: Path | None = None) -> dict:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=cwd, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_build_that_renders_pages_does_not_load_them(tmp_path: Path) -> None:
    root = tmp_path / "blog"
    write(root / "_config.yml", "title: Lab notes\npermalink: /:title/\n")
    write(root / "posts" / "2021-03-01-one.md",
          "---\ntitle: One\ntags: [a]\n---\nSome *text* on 1 March.\n")
    found = _run(f"""
import json, sys
from site_builder.site import build
result = build({str(root)!r})
page = open({str(root / '_site' / 'one' / 'index.html')!r}).read()
print(json.dumps({{"written": result.written, "liquid": "liquid" in sys.modules,
                  "shown": "<em>text</em>" in page and "1 March 2021" in page,
                  "loaded": [m for m in ("asyncio", "dateutil.parser", "importlib_resources",
                                         "liquid.extra", "liquid.messages")
                             if type(sys.modules.get(m)).__name__ == "module"],
                  "babel": [m for m in ("babel", "pytz") if m in sys.modules]}}))
""")
    assert found == {"written": found["written"], "liquid": True, "shown": True, "loaded": [],
                     "babel": []}
    assert found["written"] > 3


def test_each_works_when_used() -> None:
    found = _run("""
import json, sys
import site_builder.site
import liquid
deferred = type(sys.modules["asyncio"]).__name__
# python-liquid's date filter reads a date string with dateutil's parser.
text = liquid.Environment().from_string('{{ "March 14, 2016" | date: "%b %d, %y" }}').render()
import asyncio
async def answer():
    return 42
print(json.dumps({"deferred": deferred, "text": text, "asyncio": asyncio.run(answer()),
                  "resources": str(__import__("importlib_resources").files("liquid")).endswith("liquid")}))
""")
    assert found == {"deferred": "_Placeholder", "text": "Mar 14, 16", "asyncio": 42,
                     "resources": True}


def test_two_threads_using_one_at_once_both_get_the_whole_module(tmp_path: Path) -> None:
    # A slow module, deferred for its importer: the second thread waits for the first
    # to have run it, and it runs once.
    write(tmp_path / "slow_module.py", "import time\nRUNS = __import__('builtins').__dict__."
                                       "setdefault('slow_runs', [])\nRUNS.append(1)\n"
                                       "time.sleep(0.3)\nVALUE = 42\n")
    write(tmp_path / "importer_module.py", "import slow_module\n")
    found = _run("""
import json, sys, threading
from site_builder.site import deferred
deferred.DEFERRED = frozenset(["slow_module"])
deferred.IMPORTERS = ("importer_module",)
import importer_module
module = sys.modules["slow_module"]
before = type(module).__name__
seen = []
threads = [threading.Thread(target=lambda: seen.append(module.VALUE)) for _ in range(2)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(json.dumps({"before": before, "seen": seen, "runs": len(module.RUNS),
                  "after": type(module).__name__}))
""", cwd=tmp_path)
    assert found == {"before": "_Placeholder", "seen": [42, 42], "runs": 1, "after": "module"}


LEXER_CODE = {   # each uses a lexer of a deferred module, through a name imported from it
    "html+php": "<p><?php echo strlen('x'); ?></p>\n",
    "mako": "<%def name=\"f(x)\">${x + 1}</%def>\n% for i in range(3):\n${i}\n% endfor\n",
    "scaml": "%p= List(1, 2).map(_ * 2)\n",
    "markdown": "```lilypond\n\\\\relative { c'4 d e }\n```\n",
    "sql+jinja": "SELECT * FROM t WHERE a = {{ b }}\n",
}


def _tokens_of(setup: str) -> dict:
    return _run(setup + f"""
import json, sys
from pygments.lexers import get_lexer_by_name
import pygments.lexers.templates, pygments.lexers.markup
modules = ("jvm", "php", "python", "perl", "sql", "lilypond")
before = [type(sys.modules.get("pygments.lexers." + m)).__name__ for m in modules]
tokens = {{lang: [[str(t), v] for t, v in get_lexer_by_name(lang).get_tokens(code)]
          for lang, code in {LEXER_CODE!r}.items()}}
print(json.dumps({{"before": before, "tokens": tokens}}))
""")


def test_pygments_lexer_modules_of_other_languages_load_when_used() -> None:
    # The Liquid, HTML and Markdown lexers' modules import seven modules of lexers for
    # other languages: deferred, their lexers' tokens are Pygments' own all the same.
    deferred = _tokens_of("import site_builder.site\n")
    plain = _tokens_of("")
    assert deferred["before"] == ["_Placeholder"] * 6
    assert plain["before"] == ["module"] * 6
    assert deferred["tokens"] == plain["tokens"]
    assert all(len(found) > 3 for found in plain["tokens"].values())


def test_liquid_extras_and_messages_work_when_asked_for() -> None:
    # python-liquid's extra tags and filters (Babel's currency), and its message
    # extraction, load when used: the names liquid imported from them stood in.
    found = _run("""
import io, json, sys
import site_builder.site
import liquid
before = [type(sys.modules[m]).__name__ for m in ("liquid.extra", "liquid.messages")]
text = liquid.Environment(extra=True).from_string(
    "{% macro f x %}<{{ x }}>{% endmacro %}{% call f 1 %} {{ 3.5 | currency }}").render()
messages = [list(m[:3]) for m in liquid.extract_liquid(io.StringIO('{{ "Hi" | t }}'), ["t"], [], {})]
print(json.dumps({"before": before, "text": text, "messages": messages}))
""")
    assert found == {"before": ["_Placeholder", "_Placeholder"], "text": "<1> $3.50",
                     "messages": [[1, "gettext", ["Hi"]]]}
