"""Pygments' RegexLexer and ExtendedRegexLexer loops, with each state's rules tried by
one regular expression.

Pygments tries a state's rules one after the other, a Python call each, until one
matches: its Python lexer tries 38 on average for each token (jhui.github.io's
250,000 characters of Python: 2.8 million calls, 0.38 s, most of that blog's
Markdown time). Here a state's rules are joined into one alternation,
`(?:rule0)()|(?:rule1)()|...`, which the regular expression engine tries in the same
order, and the empty group that closes last says which rule matched: the same rule
as Pygments' loop finds, so the same tokens (a rule's callback gets the rule's own
match, found again).

Joining compiles the state's patterns a second time, about a microsecond per
character of pattern (Scala's identifiers are 100,000 characters of Unicode
classes: 0.6 s), so a state is joined only once its rules tried one by one have
cost this process about as much (ski rental): a blog with a few short blocks never
pays for it, one with a quarter of a megabyte of Python pays a tenth of what it saves.
The joined expressions are then kept with the compiled patterns (compiled_patterns.py),
and so is a note that the state was joined: the next commands join it when first
entered, at no cost (Jekyll's docs' 366 code blocks: 131 million instructions fewer,
callgrind).

ExtendedRegexLexer (YAML, Ruby, Sass: most of the code in Jekyll's docs) runs the
same loop on a context its rules' callbacks move; it is joined the same way.
"""

from __future__ import annotations

import functools
import math
import re
import sys
import threading
from typing import Any, Callable, Iterator

import pygments
from pygments.lexer import (ExtendedRegexLexer, Lexer, LexerContext, RegexLexer,
                            RegexLexerMeta, bygroups, words)
from pygments.regexopt import regex_opt
from pygments.token import Error, Text, Whitespace, _TokenType

from site_builder import compiled_patterns

# A rule that refers to its own groups by number or name (Bash's here-documents: `\2`)
# would refer to another rule's once joined: it is tried alone.
GROUP_REFERENCE = re.compile(r"\\[1-9]|\(\?P=|\(\?\(")
LEADING_FLAGS = re.compile(r"^(?:\(\?[aiLmsux]+\))+")
SCOPED_FLAGS = ((re.I, "i"), (re.M, "m"), (re.S, "s"), (re.X, "x"))
SCOPABLE = re.I | re.M | re.S | re.X
# One rule tried in Python costs about 50 ns more than in the joined expression, and
# compiling costs about a microsecond per character of pattern.
TRIES_PER_CHARACTER = 20


def lexer_by_name(name: str, **options: Any) -> Lexer:
    """Pygments' lexer for `name` (ClassNotFound if none), its states compiled when
    first entered."""
    from pygments.lexers import get_lexer_by_name
    RegexLexerMeta.process_tokendef = _states_when_entered
    words.get = _kept_words
    return get_lexer_by_name(name, **options)


_ENTERING = threading.Lock()


class _StatesWhenEntered(dict):
    """A lexer class's compiled states, each compiled the first time it is looked up.
    Pygments compiles all of a class's states when the first lexer of the class is
    made: Jekyll's docs enter 454 of the 612 rules their lexers have, and compiling
    the rest cost each worker about 0.05 s."""

    def __init__(self, lexer_class: RegexLexerMeta, definitions: dict) -> None:
        super().__init__()
        self.lexer_class, self.definitions = lexer_class, definitions

    def __missing__(self, name: str) -> list:
        if name not in self.definitions:
            raise KeyError(name)
        with _ENTERING:   # compiled apart, then shown: a thread never sees a state half made
            if name not in self:
                made = dict(self)
                self.lexer_class._process_state(self.definitions, made, name)
                self.update(made)
        return dict.__getitem__(self, name)


def _states_when_entered(cls: RegexLexerMeta, name: str, tokendefs: dict | None = None
                         ) -> dict:
    # RegexLexerMeta.process_tokendef's contract, the states made on demand: every
    # lookup of a state (both loops, _process_state's own) goes through [].
    processed = cls._all_tokens[name] = _StatesWhenEntered(cls, tokendefs or cls.tokens[name])
    return processed


def _kept_words(self: words) -> str:
    # Pygments makes a words() list's pattern (regex_opt, Python) each time a state
    # using it is first entered in a process: 1.8% of a cold docs build's instructions
    # (callgrind). The pattern is kept with the compiled patterns, for this Pygments.
    key = ("pygments words", pygments.__version__, tuple(sorted(set(self.words))),
           self.prefix, self.suffix)
    return compiled_patterns.kept(
        key, lambda: regex_opt(self.words, prefix=self.prefix, suffix=self.suffix))


def faster(lexer: Lexer) -> Lexer:
    """`lexer`, its tokens found by joined states when it uses RegexLexer's or
    ExtendedRegexLexer's loop as is (lexers with a loop of their own, such as C's,
    are left as they are)."""
    if "get_tokens_unprocessed" in vars(lexer):
        return lexer
    method = type(lexer).get_tokens_unprocessed
    if method is RegexLexer.get_tokens_unprocessed:
        lexer.get_tokens_unprocessed = functools.partial(tokens, lexer)
    else:
        context = _extended_context(method)
        if context is not None:
            lexer.get_tokens_unprocessed = functools.partial(extended_tokens, lexer,
                                                             make_context=context)
    return lexer


def _extended_context(method) -> type | None:  # noqa: ANN001 (a lexer class's method)
    """The context ExtendedRegexLexer's loop starts with, when `method` is that loop
    (YAML's own method only makes a context of its own class first); else None."""
    if method is ExtendedRegexLexer.get_tokens_unprocessed:
        return LexerContext
    data = sys.modules.get("pygments.lexers.data")   # (YAML's module: loaded if used)
    if data is not None and method is data.YamlLexer.get_tokens_unprocessed:
        return data.YamlLexerContext
    return None


class _State:
    """A state's rules, and how they are tried: one by one until `budget` tries are
    spent, then by `steps`."""
    __slots__ = ("rules", "budget", "steps", "key")

    def __init__(self, rules: list, key: tuple) -> None:
        self.rules, self.key = rules, key
        self.steps: list | None = None
        patterns = [getattr(rexmatch, "__self__", None) for rexmatch, _, _ in rules]
        joinable = len(rules) > 1 and all(isinstance(p, re.Pattern) for p in patterns)
        self.budget = (TRIES_PER_CHARACTER * sum(len(p.pattern) for p in patterns)
                       if joinable else math.inf)
        if joinable and compiled_patterns.known(key):   # joined by an earlier command:
            self.budget = 0                   # its expressions are kept, compiled at once

    def first(self, text: str, pos: int, end: int) -> tuple:
        """The first rule matching `text` at `pos` (up to `end`): (its match, the rule,
        the rule's own match, or None when the match is a joined expression's), or
        three Nones."""
        if self.steps is None:
            tried = 0
            for rule in self.rules:
                tried += 1
                match = rule[0](text, pos, end)
                if match:
                    break
            self.budget -= tried
            if self.budget <= 0:
                self.join()
            return (match, rule, match) if match else (None, None, None)
        for step, which in self.steps:
            match = step(text, pos, end)
            if match:
                if type(which) is int:
                    return match, self.rules[which], match
                return match, self.rules[which[match.lastindex]], None
        return None, None, None

    def join(self) -> None:
        """Try the rules by joined expressions from now on (and from the start in the
        next commands: the expressions are kept with the compiled patterns)."""
        self.steps = _joined(self.rules)
        compiled_patterns.kept(self.key, lambda: "joined")


def _state_key(lexer_class: type, name: str) -> tuple:
    return ("pygments joined state", pygments.__version__, lexer_class.__module__,
            lexer_class.__qualname__, name)


# Each lexer class's states by name (a class's rules are compiled once, for all of
# its instances; so are these).
_STATES: dict[type, dict[str, _State]] = {}


def _states_of(lexer: RegexLexer) -> Callable[[str], _State]:
    """The lexer class's state of a name, made when first asked for."""
    definitions = lexer._tokens
    states = _STATES.setdefault(type(lexer), {})

    def state_of(name: str) -> _State:
        found = states.get(name)
        if found is None:
            found = states[name] = _State(definitions[name], _state_key(type(lexer), name))
        return found
    return state_of


def tokens(lexer: RegexLexer, text: str, stack: tuple = ("root",)
           ) -> Iterator[tuple[int, Any, str]]:
    """RegexLexer.get_tokens_unprocessed's tokens: (position, token type, text)."""
    state_of = _states_of(lexer)

    pos, stack = 0, list(stack)
    state = state_of(stack[-1])
    while True:
        match, rule, own = state.first(text, pos, len(text))
        if match:
            rexmatch, action, new_state = rule
            if action is not None:
                if type(action) is _TokenType:
                    yield pos, action, match.group()
                elif (groups := _token_groups(action)) is not None:
                    found = own or rexmatch(text, pos)
                    for group, token_type in groups:
                        value = found.group(group)
                        if value:
                            yield found.start(group), token_type, value
                else:
                    yield from action(lexer, own or rexmatch(text, pos))
            pos = match.end()
            if new_state is not None:
                _move(stack, new_state)
                state = state_of(stack[-1])
            continue
        if pos >= len(text):
            return
        if text[pos] == "\n":   # no rule matched: a line break starts over from root
            stack = ["root"]
            state = state_of("root")
            yield pos, Whitespace, "\n"
        else:
            yield pos, Error, text[pos]
        pos += 1


def extended_tokens(lexer: ExtendedRegexLexer, text: str | None = None,
                    context: LexerContext | None = None, *, make_context: type = LexerContext
                    ) -> Iterator[tuple[int, Any, str]]:
    """ExtendedRegexLexer.get_tokens_unprocessed's tokens. Its rules' callbacks read
    and move the context (`ctx.pos`, `ctx.stack`, and `ctx.end`: Ruby's here-documents
    lex a line's rest first, calling this loop again with the context), so each
    match starts where the context says."""
    state_of = _states_of(lexer)

    if not context:
        ctx = make_context(text, 0)
    else:
        ctx = context
        text = ctx.text
    state = state_of(ctx.stack[-1])
    while True:
        pos, end = ctx.pos, ctx.end
        match, rule, own = state.first(text, pos, end)
        if match:
            rexmatch, action, new_state = rule
            if action is not None:
                if type(action) is _TokenType:
                    yield pos, action, match.group()
                    ctx.pos = match.end()
                elif (groups := _token_groups(action)) is not None:
                    found = own or rexmatch(text, pos, end)
                    for group, token_type in groups:
                        value = found.group(group)
                        if value:
                            yield found.start(group), token_type, value
                    ctx.pos = found.end()
                    if not new_state:   # (as below)
                        state = state_of(ctx.stack[-1])
                else:   # (it moves ctx.pos itself)
                    yield from action(lexer, own or rexmatch(text, pos, end), ctx)
                    if not new_state:   # it may have moved the stack
                        state = state_of(ctx.stack[-1])
            if new_state is not None:
                _move(ctx.stack, new_state)
                state = state_of(ctx.stack[-1])
            continue
        if pos >= end or pos >= len(text):   # (Pygments' loop: an IndexError)
            return
        if text[pos] == "\n":   # no rule matched: a line break starts over from root
            ctx.stack = ["root"]
            state = state_of("root")
            yield pos, Text, "\n"
        else:
            yield pos, Error, text[pos]
        ctx.pos = pos + 1


# The callback bygroups(...) makes, and for each such callback whose actions are all
# token types (most), its groups and their types: its tokens are then yielded here,
# not by a generator of its own made for each match.
_BYGROUPS = bygroups().__code__
_TOKEN_GROUPS: dict = {}


def _token_groups(action: Callable) -> tuple | None:
    """((group, token type), ...) that the callback `action` yields the non-empty
    groups of, in order, when it is bygroups(...) of token types (and Nones); else None."""
    found = _TOKEN_GROUPS.get(action, False)
    if found is False:
        found = None
        if getattr(action, "__code__", None) is _BYGROUPS and \
                action.__code__.co_freevars == ("args",):
            actions = action.__closure__[0].cell_contents
            if all(each is None or type(each) is _TokenType for each in actions):
                found = tuple((i + 1, each) for i, each in enumerate(actions) if each is not None)
        _TOKEN_GROUPS[action] = found
    return found


def _move(stack: list[str], new_state: tuple | int | str) -> None:
    """The state stack after a rule's transition, as RegexLexer makes it."""
    if isinstance(new_state, tuple):
        for name in new_state:
            if name == "#pop":
                if len(stack) > 1:
                    stack.pop()
            elif name == "#push":
                stack.append(stack[-1])
            else:
                stack.append(name)
    elif isinstance(new_state, int):   # pops (`#pop:2`), always leaving the bottom state
        del stack[1 if abs(new_state) >= len(stack) else new_state:]
    elif new_state == "#push":
        stack.append(stack[-1])
    else:
        raise ValueError(f"wrong state definition: {new_state!r}")


def _joined(rules: list) -> list:
    """How to try `rules` in order: (match, rule index) for a rule tried alone, and
    (match, {closing group: rule index}) for a run of rules joined in one expression."""
    patterns = [rexmatch.__self__ for rexmatch, _, _ in rules]
    base = functools.reduce(lambda a, b: a & b, (p.flags for p in patterns))
    steps: list = []
    run: list[int] = []

    def end_run() -> None:
        if len(run) > 1:
            try:
                steps.append(_alternation(patterns, run, base))
            except re.error:   # e.g. a group name two rules use: each alone then
                steps.extend((patterns[i].match, i) for i in run)
        elif run:
            steps.append((patterns[run[0]].match, run[0]))
        run.clear()

    for i, pattern in enumerate(patterns):
        if GROUP_REFERENCE.search(pattern.pattern) or (pattern.flags & ~base) & ~SCOPABLE:
            end_run()
            steps.append((pattern.match, i))
        else:
            run.append(i)
    end_run()
    return steps


def _alternation(patterns: list[re.Pattern], run: list[int], base: int) -> tuple:
    parts, closing, groups = [], {}, 0
    for i in run:
        pattern = patterns[i]
        flags = "".join(letter for flag, letter in SCOPED_FLAGS if pattern.flags & ~base & flag)
        source = LEADING_FLAGS.sub("", pattern.pattern)   # they are in pattern.flags
        end = "\n" if pattern.flags & re.X else ""   # a trailing comment ends there
        parts.append(f"(?{flags}:{source}{end})()")
        groups += pattern.groups + 1
        closing[groups] = i
    return re.compile("|".join(parts), base).match, closing
