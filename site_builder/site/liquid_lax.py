"""Ruby Liquid's lax parser, for markup its strict parser refuses: Jekyll's default
`liquid: error_mode: warn` warns and then reads such markup laxly, where
python-liquid would drop the tag (and an `if`'s whole body). What Ruby's lax
regular expressions make of an output (`Variable#lax_parse`), an expression
(`Expression.parse`) and a condition (`If#lax_parse`, `Condition`), built as
python-liquid expressions, so the interpreter and the compiled path both run them:
`{{ with .title }}` looks up `with`, a trailing `|` is no filter, `(page.x` is
`page.x`, and `and`/`or` group from the right."""

from __future__ import annotations

import re
from typing import Any

from liquid.builtin.expressions import (BooleanExpression, FilteredExpression,
                                        KeywordArgument, LoopExpression, Path,
                                        PositionalArgument)
from liquid.builtin.expressions.filtered import Filter
from liquid.builtin.expressions.logical import (ContainsExpression, EqExpression,
                                                GeExpression, GtExpression, LeExpression,
                                                LogicalAndExpression, LogicalOrExpression,
                                                LtExpression, NeExpression)
from liquid.builtin.expressions.primitive import (Blank, Empty, FalseLiteral, FloatLiteral,
                                                  IntegerLiteral, Nil, RangeLiteral,
                                                  StringLiteral, TrueLiteral)
from liquid.exceptions import LiquidError, LiquidSyntaxError
from liquid.expression import Expression
from liquid.token import Token

# Ruby Liquid's own patterns (lib/liquid.rb, variable.rb, expression.rb, if.rb);
# ASCII: Ruby's \w and \s are.
QUOTED_STRING = r""""[^"]*"|'[^']*'"""
QUOTED_FRAGMENT = rf"""(?:{QUOTED_STRING}|(?:[^\s,|'"]|{QUOTED_STRING})+)"""
MARKUP = re.compile(rf"({QUOTED_FRAGMENT})(.*)", re.S | re.A)
FILTER_MARKUP = re.compile(r"\|\s*(.*)", re.S | re.A)
FILTER_PARSER = re.compile(rf"(?:\s+|{QUOTED_FRAGMENT}|,)+", re.A)
FILTER_ARGS = re.compile(rf"(?::|,)\s*((?:\w+\s*:\s*)?{QUOTED_FRAGMENT})", re.A)
TAG_ATTRIBUTE = re.compile(rf"(\w[\w-]*)\s*:\s*({QUOTED_FRAGMENT})", re.A)
INTEGER = re.compile(r"(-?\d+)", re.A)
FLOAT = re.compile(r"(-?\d[\d.]+)", re.A)
RANGE = re.compile(r"\(\s*(\S+)\s*\.\.\s*(\S+)\s*\)", re.A)
LOOKUP_PART = re.compile(r"\[[^\]]+\]|[\w-]+\??", re.A)
CONDITION = re.compile(rf"({QUOTED_FRAGMENT})\s*([=!<>a-z_]+)?\s*({QUOTED_FRAGMENT})?", re.A)
AND_OR = r"\b(?:\s?and\s?|\s?or\s?)\b"
EXPRESSIONS_AND_OPERATORS = re.compile(
    rf"(?:{AND_OR}|(?:\s*(?!{AND_OR})(?:{QUOTED_FRAGMENT}|\S+)\s*)+)", re.A)
FOR = re.compile(rf"([\w-]+)\s+in\s+((?:{QUOTED_FRAGMENT})+)\s*(reversed)?", re.A)
OPERATORS = {"==": EqExpression, "!=": NeExpression, "<>": NeExpression, "<": LtExpression,
             ">": GtExpression, ">=": GeExpression, "<=": LeExpression,
             "contains": ContainsExpression}


def expression(token: Token, markup: str | None) -> Any:
    """Ruby's Expression.parse: a quoted string, integer, range, float, literal word,
    or else a variable lookup of the words and brackets in it (nil if none)."""
    if markup is None:
        return Nil(token)
    text = markup.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        return StringLiteral(token, text[1:-1])
    if INTEGER.fullmatch(text):
        return IntegerLiteral(token, int(text))
    found = RANGE.fullmatch(text)
    if found:
        return RangeLiteral(token, expression(token, found[1]), expression(token, found[2]))
    if FLOAT.fullmatch(text):
        number = re.match(r"-?\d+(?:\.\d+)?", text)[0]   # Ruby's to_f: "1.2.3" is 1.2
        return FloatLiteral(token, float(number))
    if text in ("", "nil", "null"):
        return Nil(token)
    if text in ("true", "false"):
        return TrueLiteral(token) if text == "true" else FalseLiteral(token)
    if text in ("blank", "empty"):
        return Blank(token) if text == "blank" else Empty(token)
    return lookup(token, text)


def lookup(token: Token, text: str) -> Any:
    """Ruby's VariableLookup: `a.b[c]["d"]` as its parts, whatever else is between them
    (`(page.x` is page.x, `.title` is title)."""
    parts = LOOKUP_PART.findall(text)
    if not parts or parts[0].startswith("["):
        root = expression(token, parts[0][1:-1]) if parts else None
        if type(root) is not StringLiteral:
            return Nil(token)   # no name, or one to look up first: nothing here
        parts[0] = root.value
    segments: list[Any] = [parts[0]]
    for part in parts[1:]:
        if part.startswith("["):
            inner = expression(token, part[1:-1])
            if isinstance(inner, (StringLiteral, IntegerLiteral)):
                segments.append(inner.value)
            elif isinstance(inner, Path):
                segments.append(inner)
            else:
                return Nil(token)
        else:
            segments.append(part)
    return Path(token, segments)


def variable(token: Token, markup: str) -> FilteredExpression:
    """Ruby's Variable#lax_parse: the first fragment is the value, and filters are
    read from what follows the first `|` (a name, then `:`/`,` arguments); empty
    ones, as from a trailing `|`, are none."""
    found = MARKUP.search(markup)
    if not found:
        return FilteredExpression(token, Nil(token), [])
    filters = []
    rest = FILTER_MARKUP.search(found[2])
    if rest:
        for text in FILTER_PARSER.findall(rest[1]):
            name = re.search(r"\w+", text, re.A)
            if not name:
                continue
            arguments: list[Any] = []
            for arg in FILTER_ARGS.findall(text):
                keyword = TAG_ATTRIBUTE.fullmatch(arg)
                if keyword:
                    arguments.append(KeywordArgument(token, keyword[1],
                                                     expression(token, keyword[2])))
                else:
                    arguments.append(PositionalArgument(expression(token, arg)))
            filters.append(Filter(token, name[0], arguments))
    return FilteredExpression(token, expression(token, found[1]), filters)


def condition(token: Token, markup: str) -> BooleanExpression:
    """Ruby's If#lax_parse: comparisons joined by `and`/`or`, each joining what is
    right of it (a and b or c is a and (b or c)); a stray parenthesis is no part of
    any name."""
    parts = EXPRESSIONS_AND_OPERATORS.findall(markup)
    if not parts:
        raise LiquidSyntaxError("Syntax Error in tag 'if'", token=token)
    result = _comparison(token, parts.pop())
    while parts:
        operator = parts.pop().strip()
        left = _comparison(token, parts.pop() if parts else "")
        if operator == "and":
            result = LogicalAndExpression(token, left, result)
        elif operator == "or":
            result = LogicalOrExpression(token, left, result)
        else:
            raise LiquidSyntaxError("Syntax Error in tag 'if'", token=token)
    return BooleanExpression(token, result)


def _comparison(token: Token, text: str) -> Any:
    found = CONDITION.search(text)
    if not found:
        raise LiquidSyntaxError("Syntax Error in tag 'if'", token=token)
    left = expression(token, found[1])
    if found[2] is None:
        return left
    kind = OPERATORS.get(found[2])
    if kind is None:   # Ruby's Condition raises when it is evaluated, if it is
        return UnknownOperator(token, found[2])
    return kind(token, left, expression(token, found[3]))


class UnknownOperator(Expression):
    """A comparison by a word Ruby's lax parser took for an operator (`( page.b`
    compares by `page`): an error when evaluated, as in Ruby."""

    __slots__ = ("operator",)

    def __init__(self, token: Token, operator: str) -> None:
        super().__init__(token)
        self.operator = operator

    def evaluate(self, context: Any) -> object:
        raise LiquidError(f"Unknown operator {self.operator}", token=self.token)

    def children(self) -> list:
        return []


def loop(token: Token, markup: str) -> LoopExpression:
    """Ruby's For#lax_parse: `name in collection [reversed]`, then any `limit:` and
    `offset:` anywhere after (`for repo in repos | limit: 5`)."""
    found = FOR.match(markup.strip())
    if not found:
        raise LiquidSyntaxError("Syntax Error in 'for loop'", token=token)
    attributes = dict(TAG_ATTRIBUTE.findall(markup))
    limit = attributes.get("limit")
    offset = attributes.get("offset")
    return LoopExpression(
        token, found[1], expression(token, found[2]),
        limit=None if limit is None else expression(token, limit),
        offset=None if offset is None else StringLiteral(token, "continue")
        if offset == "continue" else expression(token, offset), reversed_=bool(found[3]), cols=None)
