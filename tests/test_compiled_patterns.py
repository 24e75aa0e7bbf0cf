"""Regular expressions kept from one command to the next (compiled_patterns.py): a
pattern made from its kept code is the pattern re.compile makes; a damaged or
tampered file is never trusted; the command line keeps its own and its workers'.
Each check runs in fresh interpreters, whose `re` has compiled nothing yet."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from conftest import write

from site_builder import compiled_patterns

# Flags, named groups, look-behind, Unicode classes, bytes, and a lexer's rules.
CHECK = r"""
import json, re, sys
from pathlib import Path
patterns = [(r"(?P<year>\d{4})-(?P<month>\d\d)", 0), (r"(?<=\s)[\w\u00c0-\u024f]+", re.I),
            (r"^\s*#{1,6}(?:\s+|$)", re.M), (rb"\x00+(?=end)", 0), (r"a.b", re.S | re.X)]
before = [re.compile(p, f) for p, f in patterns]
from pygments.lexers import get_lexer_by_name
lexer = type(get_lexer_by_name("go"))
rules = [m.__self__ for state in lexer._tokens.values() for m, _, _ in state]
re.purge()
from site_builder import compiled_patterns
from re import _parser
parsed = []
real_parse = _parser.parse
_parser.parse = lambda *a: parsed.append(a[0]) or real_parse(*a)
compiled_patterns.install(Path(sys.argv[1]))
after = [re.compile(p, f) for p, f in patterns] + [re.compile(r.pattern, r.flags) for r in rules]
compiled_patterns.save()
print(json.dumps({"equal": after == before + rules, "parsed": len(parsed),
                  "works": after[0].match("2020-11").group("month") == "11"}))
"""


def _check(folder: Path) -> dict:
    done = subprocess.run([sys.executable, "-c", CHECK, str(folder)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


def _table(folder: Path) -> tuple[Path, dict]:
    [path] = folder.glob("patterns-*.marshal")
    return path, compiled_patterns.read_table(path)


def _replace(path: Path, table: dict | None = None, data: bytes = b"") -> None:
    """The kept patterns replaced by `table` (or bytes), the journal emptied."""
    path.write_bytes(compiled_patterns.table_bytes(table) if table is not None else data)
    path.with_suffix(".journal").unlink(missing_ok=True)


def test_kept_patterns_are_those_re_compile_makes(tmp_path):
    first = _check(tmp_path)
    assert first["equal"] and first["works"] and first["parsed"] > 20
    path, table = _table(tmp_path)
    assert len(table) == first["parsed"]
    again = _check(tmp_path)
    assert again == {"equal": True, "parsed": 0, "works": True}   # all made from the file


def test_each_pattern_is_found_among_thousands_kept(tmp_path):
    """A file holding other commands' patterns too: each is read from it when asked
    for (nothing compiled again), and saving keeps the others."""
    first = _check(tmp_path)
    path, table = _table(tmp_path)
    others = {(f"other-{n}-[a-z]+", n % 7): table[next(iter(table))] for n in range(5000)}
    missing = next(iter(table))
    _replace(path, {**others, **{key: made for key, made in table.items() if key != missing}})
    assert _check(tmp_path) == {"equal": True, "parsed": 1, "works": True}   # the missing one
    assert _table(tmp_path)[1] == {**others, **table}   # saved beside the others
    assert _check(tmp_path)["parsed"] == 0


ONE_MORE = r"""
import json, re, sys
from pathlib import Path
from site_builder import compiled_patterns
from re import _parser
parsed = []
real_parse = _parser.parse
_parser.parse = lambda *a: parsed.append(a[0]) or real_parse(*a)
compiled_patterns.install(Path(sys.argv[1]))
compiled_patterns.JOURNAL_BYTES = int(sys.argv[3])
works = re.compile(sys.argv[2]).match("run-12").group(1) == "12"
compiled_patterns.save()
print(json.dumps({"parsed": len(parsed), "works": works}))
"""


def test_a_new_pattern_goes_to_the_journal_until_it_is_full(tmp_path):
    """A command that makes a pattern or two appends them to the journal (the file
    of thousands is not written again); the next command reads them from there; a
    journal grown past its size is merged into the file."""
    def one_more(pattern: str, journal_bytes: int = 128 * 1024) -> dict:
        done = subprocess.run([sys.executable, "-c", ONE_MORE, str(tmp_path), pattern,
                               str(journal_bytes)], capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout.splitlines()[-1])
    _check(tmp_path)
    path, table = _table(tmp_path)
    written = path.stat().st_mtime_ns
    assert one_more(r"run-(\d+)") == {"parsed": 1, "works": True}
    assert path.stat().st_mtime_ns == written and path.with_suffix(".journal").stat().st_size
    assert one_more(r"run-(\d+)") == {"parsed": 0, "works": True}   # read from the journal
    assert one_more(r"(?:run|walk)-(\d+)", journal_bytes=0)["parsed"] == 1
    assert not path.with_suffix(".journal").exists()   # merged into the file
    merged = compiled_patterns.read_table(path)
    assert {(r"run-(\d+)", 0), (r"(?:run|walk)-(\d+)", 0)} <= set(merged) and len(merged) == len(table) + 2


def test_a_damaged_or_tampered_file_is_not_trusted(tmp_path):
    _check(tmp_path)
    path, table = _table(tmp_path)
    # code lists that _sre refuses: each pattern is compiled again, the same
    tampered = {key: (flags, bytes(len(code)), *rest)
                for key, (flags, code, *rest) in table.items()}
    _replace(path, tampered)
    assert _check(tmp_path)["equal"]
    assert _check(tmp_path)["parsed"] == 0   # the file was mended
    _replace(path, {key: ("not", b"a", "list") for key in table})
    assert _check(tmp_path)["equal"]
    _replace(path, data=b"\x00not marshal")
    found = _check(tmp_path)
    assert found["equal"] and found["parsed"] > 20
    assert len(_table(tmp_path)[1]) == found["parsed"]   # written anew


def test_the_command_keeps_its_workers_patterns(tmp_path):
    """A build forks workers for 60 posts; the only Go code is in a post a worker
    renders: its lexer's patterns are kept too, and a second build adds none."""
    blog = tmp_path / "blog"
    write(blog / "_config.yml", "title: Lab notes\n")
    for day in range(1, 61):
        code = "\n```go\nfunc main() { fmt.Println(\"hi\") }\n```\n" if day == 45 else ""
        write(blog / "_posts" / f"2021-03-{day % 28 + 1:02d}-post-{day}.md",
              f"---\ntitle: Post {day}\n---\nSome *text*.\n{code}")
    cache = tmp_path / "cache"
    env = {**os.environ, "XDG_CACHE_HOME": str(cache)}

    def build() -> None:
        done = subprocess.run([sys.executable, "-m", "site_builder", "build", "-s", str(blog)],
                              capture_output=True, text=True, env=env, timeout=300)
        assert done.returncode == 0, done.stderr
    build()
    path, table = _table(cache / "site-builder")
    from pygments.lexers import get_lexer_by_name
    go = {m.__self__.pattern for m, _, _ in type(get_lexer_by_name("go"))._tokens["root"]}
    builtins = next(pattern for pattern in go if pattern.startswith("(append|"))   # Go's own
    assert builtins in {key[0] for key in table}
    assert "<span" in (blog / "_site" / "2021" / "03" / "18" / "post-45.html").read_text()
    written = path.stat().st_mtime_ns
    build()
    assert path.stat().st_mtime_ns == written


# Ruby's lexer, its words() lists' patterns made by regex_opt (counted), and its tokens.
WORDS = r"""
import json, sys
from pathlib import Path
from site_builder import compiled_patterns
compiled_patterns.install(Path(sys.argv[1]))
from site_builder.site import joined_lexing
made = []
real = joined_lexing.regex_opt
joined_lexing.regex_opt = lambda *a, **k: made.append(1) or real(*a, **k)
lexer = joined_lexing.lexer_by_name("ruby")
tokens = [[str(t), v] for t, v in lexer.get_tokens("def f(x)\n  puts x.nil? unless defined?(y)\nend\n")]
compiled_patterns.save()
print(json.dumps({"made": len(made), "tokens": tokens}))
"""


def test_pygments_words_patterns_are_kept(tmp_path):
    """A words() list's pattern, made in Python by Pygments' regex_opt, is kept with
    the patterns: the next command makes none, and lexes alike."""
    def run() -> dict:
        done = subprocess.run([sys.executable, "-c", WORDS, str(tmp_path)],
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout.splitlines()[-1])
    first = run()
    assert first["made"] > 3
    again = run()
    assert again == {"made": 0, "tokens": first["tokens"]}
