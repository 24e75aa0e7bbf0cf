"""Jekyll's own Liquid filters (Jekyll::Filters and its URL and date filters), on
python-liquid, written from Jekyll's documentation: what each returns for the
values blogs give it (strings, numbers, dates, lists of posts, Undefined)."""

from __future__ import annotations

import html
import json
import re
import urllib.parse
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import cmp_to_key, wraps
from typing import Any, Callable

import liquid
import liquid.exceptions
from liquid.builtin.expressions import BooleanExpression, FilteredExpression, Path
from liquid.builtin.expressions.logical import (ContainsExpression, EqExpression, GeExpression,
                                                GtExpression, LeExpression,
                                                LogicalAndExpression, LogicalNotExpression,
                                                LogicalOrExpression, LtExpression, NeExpression)
from liquid.builtin.expressions.primitive import (Blank, Empty, FalseLiteral, FloatLiteral,
                                                  IntegerLiteral, Nil, StringLiteral,
                                                  TrueLiteral)

from site_builder.site import ruby_strftime, ruby_time, ruby_values
from site_builder.site.ruby_values import compare_or_text, is_undefined
from site_builder.site.sources import slugify, xmlschema
from site_builder.site.urls import absolute_url, relative_url


def _blank(value: Any) -> bool:
    return value is None or is_undefined(value)


def _text(value: Any) -> str:
    """A filter's input as text, as Ruby's to_s makes it (true, 1.0e+20, ["a", 1])."""
    if type(value) is str:
        return value
    return "" if _blank(value) else ruby_values.string(value)


def _gsub(liquids: Callable, count: int) -> Callable:
    """Liquid's replace (gsub) and replace_first (sub): Ruby reads a backslash in the
    replacement (`\\&` the text replaced, `\\\\` one backslash): bitcoincore.org
    writes `replace: '&', '\\&amp;'` for `&amp;`."""
    def replace(value: Any, seq: Any = "", sub: Any = "") -> str:
        if not (isinstance(seq, str) and isinstance(sub, str)) or "\\" not in sub or not seq:
            return liquids(value, seq, sub)
        text, out, pos, done = _text(value), [], 0, 0
        while (found := text.find(seq, pos)) >= 0 and not (count and done == count):
            out += [text[pos:found], RUBY_BACKREF.sub(lambda m: _backref(
                m[1], text, found, found + len(seq)), sub)]
            pos, done = found + len(seq), done + 1
        return "".join(out) + text[pos:]
    return replace


RUBY_BACKREF = re.compile(r"\\(.)", re.S)


def _backref(kind: str, text: str, start: int, end: int) -> str:
    if kind in "0&":
        return text[start:end]
    if kind in "123456789":
        return ""   # a text pattern has no groups
    return {"`": text[:start], "'": text[end:], "\\": "\\"}.get(kind, "\\" + kind)


def _time(value: Any, config: dict) -> datetime:
    """Jekyll's DateFilters#time: the value as a date (ruby_time.to_date), or the
    build stops, as Jekyll's does ("Invalid Date")."""
    found = ruby_time.to_date(value, config)
    if found is None:
        raise liquid.exceptions.LiquidError(
            f"Invalid Date: '{ruby_values.inspect(value)}' is not a valid datetime "
            f"(give a date such as 2020-01-31 or 2020-01-31 10:00:00 +0100)", token=None)
    return found


def _no_date(value: Any) -> bool:
    """Jekyll's `return date if date.to_s.empty?`: nil and "" pass through."""
    return _blank(value) or value == ""


def liquid_date(value: Any, fmt: Any, config: dict) -> Any:
    """Liquid's date filter: the value as Utils.to_date reads it (epoch seconds,
    Time.parse...), through strftime; with no format, or no date in it, the value
    as it is. A time without a zone is the blog's local time (%z, %Z)."""
    if _blank(fmt) or _text(fmt) == "":
        return value
    found = ruby_time.to_date(value, config, local=False)
    if found is None:
        return value
    if found.tzinfo is None:
        found = found.replace(tzinfo=ruby_time.local_zone(config))
    return ruby_strftime.strftime(found, _text(fmt))


def _ordinal(day: int) -> str:
    suffix = "th" if 11 <= day % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


def date_to_string(value: Any, kind: str | None = None, style: str | None = None,
                   long: bool = False, config: dict | None = None) -> Any:
    """"07 Nov 2008"; with "ordinal": "7th Nov 2008", "US" style: "Nov 7th, 2008"."""
    if _no_date(value):
        return value
    d = _time(value, config or {})
    month = f"{d:%B}" if long else f"{d:%b}"
    if kind == "ordinal":
        day = _ordinal(d.day)
        return f"{month} {day}, {d.year}" if style == "US" else f"{day} {month} {d.year}"
    return f"{d.day:02d} {month} {d.year}"


def array_to_sentence_string(value: Any, connector: str = "and") -> str:
    items = [_text(v) for v in (value if isinstance(value, (list, tuple)) else [value])
             if not _blank(v)] if not _blank(value) else []
    if len(items) <= 1:
        return "".join(items)
    if len(items) == 2:
        return f"{items[0]} {connector} {items[1]}"
    return f"{', '.join(items[:-1])}, {connector} {items[-1]}"


def number_of_words(value: Any, mode: str | None = None) -> int:
    text = _text(value)
    if mode in ("cjk", "auto"):
        cjk = len(re.findall(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]", text))
        if mode == "cjk" or cjk:
            rest = re.sub(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]", " ", text)
            return cjk + len(split(rest, " "))
    # Ruby's split: only ASCII spaces part words (a no-break space, as before a
    # footnote's back link, does not)
    return len(split(text, " "))


def cgi_escape(value: Any) -> str:
    return urllib.parse.quote_plus(_text(value), safe="*")


def uri_escape(value: Any) -> str:
    # Addressable's normalize: reserved characters and '%' already escaping kept.
    if type(value) is not str:
        return urllib.parse.quote(_text(value), safe="!#$&'()*+,/:;=?@[]~%")
    found = URI_ESCAPED.get(value)
    if found is None:
        if len(URI_ESCAPED) > 4096:
            URI_ESCAPED.clear()
        found = URI_ESCAPED[value] = urllib.parse.quote(value, safe="!#$&'()*+,/:;=?@[]~%")
    return found


# uri_escape's answers: the seo tag escapes the site's image and logo on every page.
URI_ESCAPED: dict[str, str] = {}


STRIP_INDEX = re.compile(r"/index\.html?$", re.M)   # Ruby's `$`: a line's end
# python-liquid's filters that neither Jekyll 4.3 nor its Liquid (5.4) has: there an
# unknown filter gives its input (an error with `strict_filters`), as here without them
NOT_JEKYLLS = ("sum", "has", "reject", "find_index", "squish", "safe", "escapejs")


def strip_index(value: Any) -> Any:
    """Jekyll's strip_index: a URL's `/index.html` (or `.htm`) at its end made `/`;
    nil for nil or ''."""
    if value is None or _text(value) == "":
        return None
    return STRIP_INDEX.sub("/", _text(value), count=1)


def xml_escape(value: Any) -> str:
    """Jekyll's xml_escape: Ruby's `encode(xml: :attr)` (a `'` is &apos;)."""
    if _blank(value):
        return ""
    table = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;"}
    return re.sub(r"""[&<>"']""", lambda m: table[m.group()], _text(value))


def join(value: Any, glue: Any = " ") -> str:
    """Liquid's join (InputIterator#join): a list flattened, nil as nothing, each value
    by Ruby's to_s (true, not True); a hash or any other value as a list of one."""
    if _blank(value):
        return ""
    items = value if isinstance(value, (list, tuple)) else [value]
    if all(type(item) is str for item in items):   # split's words (compress.html's)
        return _text(glue).join(items)
    return _text(glue).join(ruby_values.to_s([item]) for item in _flat(items))


def _flat(items: Any) -> list:
    out: list = []
    for item in items:
        out.extend(_flat(item) if isinstance(item, (list, tuple)) else [item])
    return out


def normalize_whitespace(value: Any) -> str:
    """Ruby's `gsub(/\\s+/, " ").strip`: ASCII whitespace only (a no-break space, as
    before a footnote's back link, stays). Made of str methods, not a regular
    expression's sub: that one replaced every single space between two words by a
    space (a match, a piece and a join for each), 40 K instructions a page title."""
    text = _text(value)
    spaced = False
    for char in "\n\t\r\f\v":
        if char in text:
            text = text.replace(char, " ")
            spaced = True
    if spaced or "  " in text:
        text = " ".join(filter(None, text.split(" ")))   # each run of spaces as one
    return text.strip(" \0")


def smartify(value: Any, options: dict | None = None) -> str:
    """`options`: the config's `kramdown:` (its smart_quotes), as Jekyll's SmartyPants
    converter reads them."""
    return _smart_renderer(options).renderInline(_text(value)) if _text(value) else ""


# Converters for smartify, by their options as text: making one cost more than the
# titles it converts (0.75 ms each, for each of a feed's entries).
SMART_RENDERERS: dict[str, Any] = {}


def _smart_renderer(options: dict | None) -> Any:
    key = repr(options)
    found = SMART_RENDERERS.get(key)
    if found is None:
        from site_builder.site.kramdown import renderer
        if len(SMART_RENDERERS) > 8:
            SMART_RENDERERS.clear()
        found = SMART_RENDERERS[key] = renderer(options)
    return found


def jsonify(value: Any) -> str:
    return JSON_COMPACT.encode(_plain(value))


# json.dumps(value, ensure_ascii=False, separators=(",", ":"))'s encoder, made once.
JSON_COMPACT = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def _plain(value: Any) -> Any:
    if _blank(value):
        return None
    if isinstance(value, dict):   # a key as Ruby's to_s (YAML's `on:` is true: "true")
        return {k if isinstance(k, str) else ruby_values.string(k): _plain(v)
                for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, datetime):   # Time#to_json: its to_s, with its offset
        return ruby_values.string(value)
    if isinstance(value, date):
        return str(value)
    if isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def _prop(item: Any, name: str) -> Any:
    value = item
    for part in str(name).split("."):
        if isinstance(value, dict):
            value = value.get(part)
        else:
            return None
    return value


def where_filters() -> dict[str, Callable]:
    """Jekyll's where and find. A theme asks the same of site.docs on every page: the
    answer is kept for the same list object, in this environment's own memo (one per
    build: the site's lists never change during a build)."""
    memo: dict[tuple, tuple[Any, list]] = {}   # (id of the list, prop, target) -> (list, answer)
    texts: dict[tuple, tuple[Any, list]] = {}   # the same, for a text prop and target

    def where(value: Any, prop: Any = None, target: Any = None) -> Any:
        """Items whose property equals the value (or contains it, for a list
        property), compared as strings."""
        if type(value) is list and type(prop) is str and type(target) is str:
            key = (id(value), prop, target)   # (the commonest: `where: "url", item.link`)
            found = texts.get(key)
            if found is not None and found[0] is value:
                return found[1]
            result = _where(value, prop, target)
            texts[key] = (value, result)
            return result
        if isinstance(value, list) and isinstance(target, (str, int, float, type(None))):
            key = (id(value), str(prop), type(target), target)   # true and 1 differ
            found = memo.get(key)
            if found is not None and found[0] is value:   # the list itself is kept: no id reuse
                return found[1]
            result = _where(value, prop, target)
            memo[key] = (value, result)
            return result
        return _where(value, prop, target)

    def find(value: Any, prop: str, target: Any) -> Any:
        found = where(value, prop, target)
        return found[0] if found else None

    return {"where": where, "find": find}


def _where(value: Any, prop: Any = None, target: Any = None) -> Any:
    """Jekyll's where: items whose property is the target (nil: no property), as text;
    a list property when one of its values is."""
    if prop is None or _blank(prop) or isinstance(target, (list, tuple, dict)):
        return value
    items = _items(value)
    if _blank(target):
        return [item for item in items if _prop(item, prop) is None]
    want = _text(target)
    found = []
    for item in items:
        got = _prop(item, prop)
        if isinstance(got, str):
            if got == want:
                found.append(item)
        elif any(_text(g) == want for g in _ruby_array(got)):
            found.append(item)
    return found


def _ruby_array(value: Any) -> list:
    """Ruby's Array(value): nil none, a list itself, a hash its pairs, else the value."""
    if value is None or is_undefined(value):
        return []
    if isinstance(value, (list, tuple)):
        return list(value)
    if isinstance(value, dict):
        return [[k, v] for k, v in value.items()]
    return [value]


def group_by(value: Any, prop: str) -> list[dict]:
    groups: dict[str, list] = {}
    for item in _items(value):
        groups.setdefault(_text(_prop(item, prop)), []).append(item)
    return [{"name": k, "items": v, "size": len(v)} for k, v in groups.items()]


def _items(value: Any) -> list:
    if _blank(value):
        return []
    if isinstance(value, dict):
        return list(value.values())
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]


def map_(value: Any, key: Any) -> list:
    """Liquid 4's map (Jekyll 4.3's): an item without the property gives nil, which
    `compact` removes (`site.pages | map: "title" | compact`); python-liquid's gives a
    blank that compact keeps."""
    from liquid.builtin.filters.array import _NULL, map_ as liquid_map
    return [None if item is _NULL else item for item in liquid_map(value, key)]


def sort(value: Any, prop: Any = None, nils: str = "first") -> Any:
    """Jekyll's sort: a list in Ruby's order (`<=>`, else the values' text); a hash
    as its [key, value] pairs by key (site.tags | sort); by a property, items
    without it first (or last), numbers written as text taken as numbers."""
    if _blank(value):
        return []
    if prop is None or _blank(prop):
        if isinstance(value, dict):
            pairs = [[k, v] for k, v in value.items()]
            return sorted(pairs, key=cmp_to_key(compare_or_text))
        return sorted(_items(value), key=cmp_to_key(compare_or_text))
    order = 1 if nils == "last" else -1
    keyed = [(_sort_input(_prop(item, prop)), item) for item in _items(value)]

    def compare(a: tuple, b: tuple) -> int:
        if a[0] is not None and b[0] is None:
            return -order
        if a[0] is None and b[0] is not None:
            return order
        return compare_or_text(a[0], b[0])
    return [item for _, item in sorted(keyed, key=cmp_to_key(compare))]


INTEGER_LIKE = re.compile(r"\A\s*-?\d+\s*\Z")
FLOAT_LIKE = re.compile(r"\A\s*-?(?:\d+\.?\d*|\.\d+)\s*\Z")


def _sort_input(value: Any) -> Any:
    """Jekyll's parse_sort_input: a value whose text is a number, as that number."""
    if value is None or is_undefined(value):
        return None
    # Ruby's to_s: a list is its inspect ("[24, 0, 1]"), never its items joined, which
    # made bitcoincore.org's version lists numbers (2401 > 310)
    text = ruby_values.string(value) if not isinstance(value, str) else value
    if INTEGER_LIKE.match(text):
        return int(text)
    if FLOAT_LIKE.match(text):
        return float(text)
    return value


def to_integer(value: Any) -> int:
    try:
        return int(float(_text(value) or 0))
    except ValueError:
        return 0


def inspect(value: Any) -> str:
    """Jekyll's inspect: `xml_escape(input.inspect)`, Ruby's inspect (`["x", "y"]`,
    `{"a"=>1}`, nil, true), its `"` as &quot; and `'` as it is."""
    return xml_escape(ruby_values.inspect(value))


# Jekyll's push, pop, shift and unshift give back anything but a list as it is
# (nil stays nil: `{{ missing | push: 1 }}` writes nothing).
def push(value: Any, item: Any) -> Any:
    return [*value, item] if isinstance(value, list) else value


def pop(value: Any, count: int = 1) -> Any:
    if not isinstance(value, list):
        return value
    count = to_integer(count)
    return value[:-count] if count else list(value)


def shift(value: Any, count: int = 1) -> Any:
    return value[to_integer(count):] if isinstance(value, list) else value


def unshift(value: Any, item: Any) -> Any:
    return [item, *value] if isinstance(value, list) else value


def sample(value: Any, count: int = 1) -> Any:
    items = _items(value)
    return items[:int(count)] if int(count) != 1 else (items[0] if items else None)


# Liquid's string filters as Ruby runs them, where python-liquid's differ in what
# real themes depend on (allejo/jekyll-toc takes a page's HTML apart with `split`).
RUBY_SPACE = " \t\n\v\f\r"
RUBY_SPACES = re.compile(f"[{RUBY_SPACE}]+")
RUBY_STRIP = RUBY_SPACE + "\0"
HTML_ESCAPES = {"&": "&amp;", ">": "&gt;", "<": "&lt;", '"': "&quot;", "'": "&#39;"}
ESCAPE_ONCE = re.compile(r"""["><']|&(?!(?:[a-zA-Z]+|#\d+);)""")


def split(value: Any, sep: Any = None) -> list[str]:
    """Ruby's String#split: trailing empty strings dropped ("a>b>" is two), " " splits
    on runs of ASCII whitespace with the leading run ignored, "" (or nil) into
    characters."""
    text, sep = _text(value), _text(sep)
    if sep == " ":
        parts = RUBY_SPACES.split(text.lstrip(RUBY_SPACE))
    elif sep == "":
        return list(text)
    else:
        parts = text.split(sep)
    while parts and parts[-1] == "":
        parts.pop()
    return parts


def _ruby_int(value: Any, name: str) -> int:
    """Liquid's Utils.to_integer: an Integer, or text that is one (else an error)."""
    if type(value) is int:
        return value
    try:
        return int(_text(value).strip().replace("_", ""))
    except ValueError:
        raise liquid.exceptions.FilterArgumentError(
            f"{name}: invalid integer {_text(value)!r}", token=None) from None


def truncate(value: Any, length: Any = 50, end: Any = "...") -> Any:
    """At most `length` characters, `end` included (an `end` longer than that is all
    that is left); text no longer than `length` as it is."""
    if _blank(value):
        return None
    text, length, end = _text(value), _ruby_int(length, "truncate"), _text(end)
    return text if len(text) <= length else text[:max(length - len(end), 0)] + end


def truncatewords(value: Any, words: Any = 15, end: Any = "...") -> Any:
    """Liquid 5.4's: the text split as Ruby's `split(" ", words + 1)` does (the last
    field the rest, even empty: "a b c " has four fields for three words); with
    more fields than `words`, the first `words` joined by one space, then `end`;
    else the text as it is, its spacing kept."""
    if _blank(value):
        return None
    text, words = _text(value), max(_ruby_int(words, "truncatewords"), 1)
    rest = text.lstrip(RUBY_SPACE)
    parts = RUBY_SPACES.split(rest, maxsplit=words) if rest else []
    return text if len(parts) <= words else " ".join(parts[:words]) + _text(end)


def ruby_round(value: Any, places: Any = 0) -> Any:
    """Liquid's round: a Float through BigDecimal of its shortest text (1.005 is
    1.005, not 1.00499...), rounded half away from zero; an Integer by Ruby's
    Integer#round; text as Utils.to_number reads it. A whole number without places."""
    number = _ruby_number(value)
    digits = _ruby_number(places)
    if isinstance(digits, Decimal):
        digits = int(digits)
    if isinstance(number, Decimal):
        if not number.is_finite():
            raise liquid.exceptions.FilterArgumentError(
                f"round: {_text(value)} has no rounding", token=None)
        rounded = number.quantize(Decimal(1).scaleb(-digits), ROUND_HALF_UP)
        # BigDecimal#round to no decimal places is an Integer, else a Float (to_f)
        result: Any = int(rounded) if digits <= 0 else float(rounded)
    elif digits >= 0:
        result = number
    else:   # Integer#round(-n): half away from zero
        step = 10 ** -digits
        result = (abs(number) + step // 2) // step * step * (1 if number >= 0 else -1)
    return int(result) if places == 0 else result


def _ruby_number(value: Any) -> Any:
    """Liquid's Utils.to_number: a Float as the BigDecimal of its text, text with a
    decimal point as BigDecimal, other text as Ruby's to_i (leading digits or 0)."""
    if type(value) is bool or _blank(value):
        return 0
    if isinstance(value, float):
        return Decimal(repr(value)) if value == value and abs(value) != float("inf") \
            else Decimal(value)
    if isinstance(value, (int, Decimal)):
        return value
    text = _text(value).strip(RUBY_STRIP)
    if RUBY_DECIMAL.fullmatch(text):
        return Decimal(text)
    # String#to_i: ASCII digits only (not `٣` or `１`), a sign, `_` between digits
    found = RUBY_INTEGER.match(text)
    return int(found.group().replace("_", "")) if found else 0


RUBY_DECIMAL = re.compile(r"-?[0-9]+\.[0-9]+")
RUBY_INTEGER = re.compile(r"[-+]?[0-9]+(?:_[0-9]+)*")


def _ruby_result(value: Any) -> Any:
    """A BigDecimal result is a Float to Liquid (`result.to_f`)."""
    return float(value) if isinstance(value, Decimal) else value


def _arithmetic(operation: Callable[[Any, Any], Any]) -> Callable:
    """Liquid's apply_operation: both sides as Utils.to_number reads them (`"12abc"`
    is 12, `"1e3"` 1, `true` 0), the result a Float if a BigDecimal."""
    def apply(value: Any, operand: Any = 0) -> Any:
        try:
            return _ruby_result(operation(_ruby_number(value), _ruby_number(operand)))
        except (ZeroDivisionError, ArithmeticError) as exc:   # Liquid::ZeroDivisionError
            raise liquid.exceptions.FilterArgumentError("divided by 0", token=None) from exc
    return apply


def _divide(a: Any, b: Any) -> Any:
    """Ruby's `/`: Integers floored, else BigDecimal's quotient."""
    if isinstance(a, int) and isinstance(b, int):
        return a // b
    return Decimal(a) / Decimal(b)


def _modulo(a: Any, b: Any) -> Any:
    """Ruby's `%`: floored, the sign of the divisor (Decimal's % takes the dividend's)."""
    if isinstance(a, int) and isinstance(b, int):
        return a % b
    a, b = Decimal(a), Decimal(b)
    return a - b * (a / b).to_integral_value(rounding="ROUND_FLOOR")


def _bound(pick: Callable[[Any, Any], bool]) -> Callable:
    """at_least / at_most: the bound if `pick(bound, value)`, else the value."""
    def apply(value: Any, bound: Any = 0) -> Any:
        number, limit = _ruby_number(value), _ruby_number(bound)
        return _ruby_result(limit if pick(limit, number) else number)
    return apply


ARITHMETIC = {
    "plus": _arithmetic(lambda a, b: a + b), "minus": _arithmetic(lambda a, b: a - b),
    "times": _arithmetic(lambda a, b: a * b), "divided_by": _arithmetic(_divide),
    "modulo": _arithmetic(_modulo),
    "at_least": _bound(lambda limit, number: limit > number),
    "at_most": _bound(lambda limit, number: limit < number),
    "abs": lambda value: _ruby_result(abs(_ruby_number(value))),
    "ceil": lambda value: int(Decimal(_ruby_number(value)).to_integral_value(rounding="ROUND_CEILING")),
    "floor": lambda value: int(Decimal(_ruby_number(value)).to_integral_value(rounding="ROUND_FLOOR")),
}


def escape(value: Any) -> Any:
    """CGI.escapeHTML: a quote as &#39;, nil as nil."""
    if _blank(value):
        return None
    return re.sub(r"""[&<>"']""", lambda m: HTML_ESCAPES[m.group()], _text(value))


def escape_once(value: Any) -> str:
    """Escapes what is not already an entity (&amp;, &#39; kept as they are); a text
    without an `&` (most) by str.replace, which escapes the same way, not a
    Python call for each quote."""
    text = _text(value)
    if "&" in text:
        return ESCAPE_ONCE.sub(lambda m: HTML_ESCAPES[m.group()], text)
    return text.replace(">", "&gt;").replace("<", "&lt;").replace('"', "&quot;").replace(
        "'", "&#39;")


def size(value: Any) -> int:
    """Ruby's size: an Integer's is its bytes (8); what has none is 0."""
    if type(value) is int:
        return 8
    try:
        return len(value)
    except TypeError:
        return 0


def exp_filters(env: liquid.Environment) -> dict[str, Callable]:
    """where_exp, find_exp and group_by_exp: a Liquid expression per item, evaluated
    as Jekyll does, in the calling template's context (its variables visible) with
    the item bound to the name; group_by_exp's groups are named by the expression's
    value itself (a number stays a number: `group.name == 0`)."""
    from functools import lru_cache

    from liquid.builtin.expressions import BooleanExpression, FilteredExpression, tokenize
    from liquid.stream import TokenStream
    from liquid.token import TOKEN_EXPRESSION, Token

    @lru_cache(maxsize=None)
    def parsed(expression: str, condition: bool):  # noqa: ANN202 (an Expression)
        token = Token(TOKEN_EXPRESSION, expression, 0, expression)
        stream = TokenStream(tokenize(expression, parent_token=token))
        return (BooleanExpression if condition else FilteredExpression).parse(env, stream)

    # (id of the list, name, expression, condition) -> (the list, its pairs)
    memo: dict[tuple, tuple[list, list]] = {}

    def each(value: Any, name: Any, expression: Any, context: Any,
             condition: bool) -> list[tuple[Any, Any]]:
        """Each item and the expression's value for it. Kept for the same list
        object when the expression reads nothing but the item's own plain
        properties (Jekyll's docs ask `doc.url contains '/step-by-step/'` of
        site.docs on each of ten pages, a tenth of their Liquid): the site's lists
        and items never change during a build."""
        name, expression = str(name), str(expression)
        test = parsed(expression, condition)
        key = None
        if type(value) is list and _closed(test, name):
            key = (id(value), name, expression, condition)
            found = memo.get(key)
            if found is not None and found[0] is value:   # (the list is kept: no id reuse)
                return found[1]
        found = []
        namespace = {name: None}
        with context.extend(namespace):   # one scope for all, the item bound in turn
            for item in _items(value):
                namespace[name] = item
                found.append((item, test.evaluate(context)))
        if key is not None:
            memo[key] = (value, found)
        return found

    @liquid.filter.with_context
    def where_exp(value: Any, name: Any, expression: Any, *, context: Any) -> Any:
        if not isinstance(value, (list, tuple, dict)):
            return value
        return [item for item, keep in each(value, name, expression, context, True) if keep]

    @liquid.filter.with_context
    def find_exp(value: Any, name: Any, expression: Any, *, context: Any) -> Any:
        if not isinstance(value, (list, tuple, dict)):
            return value
        return next((item for item, keep in each(value, name, expression, context, True)
                     if keep), None)

    @liquid.filter.with_context
    def group_by_exp(value: Any, name: Any, expression: Any, *, context: Any) -> Any:
        if not isinstance(value, (list, tuple, dict)):
            return value
        groups: list[dict] = []
        for item, key in each(value, name, expression, context, False):
            key = None if is_undefined(key) else key
            found = next((g for g in groups if _same_key(g["name"], key)), None)
            if found is None:
                groups.append(found := {"name": key, "items": []})
            found["items"].append(item)
        for group in groups:
            group["size"] = len(group["items"])
        return groups

    return {"where_exp": where_exp, "find_exp": find_exp, "group_by_exp": group_by_exp}


def _closed(expression: Any, name: str) -> bool:
    """Whether `expression`'s value is the same wherever it is evaluated with the same
    item bound to `name`: only literals, comparisons and logic, and paths from the
    item through plain keys (not an item's content, whose reads a page's
    dependencies note, and which Jekyll's render order changes)."""
    kind = type(expression)
    if kind is Path:
        segments = expression.path
        return segments[0] == name and all(
            type(s) is int or (type(s) is str and s not in ITEM_CONTENT) for s in segments[1:])
    if kind is FilteredExpression and expression.filters:
        return False
    if kind in CLOSED_EXPRESSIONS:
        return all(_closed(child, name) for child in expression.children())
    return kind in LITERALS


CLOSED_EXPRESSIONS = frozenset((BooleanExpression, FilteredExpression, LogicalAndExpression,
                                LogicalOrExpression, LogicalNotExpression, EqExpression,
                                NeExpression, LtExpression, GtExpression, LeExpression,
                                GeExpression, ContainsExpression))
LITERALS = frozenset((StringLiteral, IntegerLiteral, FloatLiteral, TrueLiteral, FalseLiteral,
                      Nil, Empty, Blank))
ITEM_CONTENT = frozenset(("content", "excerpt", "output"))


def _same_key(a: Any, b: Any) -> bool:
    """Ruby's hash key equality (eql?): 1 and 1.0 differ, and 1 and true."""
    return type(a) is type(b) and a == b


# Liquid's own (Ruby) strip_html: script and style blocks and comments, then every
# tag; entities stay as they are. A regular expression, not an HTML parser: ten
# times quicker on a theme's post cards, and what Jekyll gives.
STRIP_HTML_BLOCKS = re.compile(r"<script.*?</script>|<!--.*?-->|<style.*?</style>", re.S)
STRIP_HTML_TAGS = re.compile(r"<.*?>", re.S)


def strip_html(value: Any) -> str:
    return STRIP_HTML_TAGS.sub("", STRIP_HTML_BLOCKS.sub("", _text(value)))


def install(env: liquid.Environment, config: dict, *, script_links: bool = False) -> None:
    """Every Jekyll filter, on `env` (`script_links`: markdownify's, as renderer's)."""
    from functools import lru_cache

    @lru_cache(maxsize=1)
    def md():  # noqa: ANN202 (a converter, made when a page first asks for one)
        from site_builder.site.kramdown import renderer
        return renderer(config.get("kramdown"), script_links=script_links)

    def date_xml(value: Any) -> Any:
        return value if _no_date(value) else xmlschema(_time(value, config), config)

    def date_rfc822(value: Any) -> Any:
        if _no_date(value):
            return value
        d = _time(value, config)
        stamp = xmlschema(d, config)
        offset = stamp[-6:].replace(":", "") if stamp[-6] in "+-" else "+0000"
        return f"{d:%a, %d %b %Y %H:%M:%S} {offset}"

    urls: dict[str, str] = {}   # a theme asks for the same few URLs on every page

    def relative(value: Any) -> str:
        if type(value) is not str:
            return relative_url(config, value)
        found = urls.get(value)
        if found is None:
            found = urls[value] = relative_url(config, value)
        return found
    relative.memo = urls   # (compiled Liquid reads it inline: liquid_compile.INLINE_FILTERS)

    filters: dict[str, Callable] = {
        "relative_url": relative,
        "absolute_url": lambda v: absolute_url(config, v),
        "strip_index": strip_index,
        "date_to_xmlschema": date_xml,
        "date_to_rfc822": date_rfc822,
        "date_to_string": lambda v, k=None, s=None: date_to_string(v, k, s, config=config),
        "date_to_long_string": lambda v, k=None, s=None: date_to_string(v, k, s, long=True,
                                                                        config=config),
        "date": lambda v, fmt=None: liquid_date(v, fmt, config),
        "xml_escape": xml_escape,
        # Liquid's own, with Ruby's to_s of what is not text (true, nil, a hash)
        "join": join,
        "append": lambda v, other="": _text(v) + _text(other),
        "prepend": lambda v, other="": _text(other) + _text(v),
        "cgi_escape": cgi_escape,
        "uri_escape": uri_escape,
        "number_of_words": number_of_words,
        "array_to_sentence_string": array_to_sentence_string,
        "markdownify": lambda v: md().render(_text(v)),
        "smartify": lambda v: smartify(v, config.get("kramdown")),
        "slugify": lambda v, mode="default": slugify(_text(v), str(mode)),
        "jsonify": jsonify,
        "normalize_whitespace": normalize_whitespace,
        "strip_html": strip_html,
        **where_filters(),
        "group_by": group_by,
        "sort": sort,
        "map": map_,
        "to_integer": to_integer,
        "inspect": inspect,
        "push": push, "pop": pop, "shift": shift, "unshift": unshift, "sample": sample,
        "sassify": _text, "scssify": _text,
        "split": split, "truncate": truncate, "truncatewords": truncatewords,
        # Ruby's String#strip: ASCII white space and NUL (a no-break space stays)
        "strip": lambda v: _text(v).strip(RUBY_STRIP),
        "lstrip": lambda v: _text(v).lstrip(RUBY_STRIP),
        "rstrip": lambda v: _text(v).rstrip(RUBY_STRIP),
        "round": ruby_round,
        **ARITHMETIC,
        "escape": escape, "h": escape, "escape_once": escape_once, "size": size,
        **exp_filters(env),
    }
    for name, count in (("replace", 0), ("replace_first", 1)):
        filters[name] = _gsub(env.filters[name], count)
    for name in ("map", "uniq", "reverse", "sort_natural", "compact"):
        filters[name] = _nil_as_empty(filters.get(name) or env.filters[name])
    filters["slice"] = _nil_as_text(env.filters["slice"])
    filters["concat"] = _concat(env.filters["concat"])
    for name, func in filters.items():
        env.filters[name] = func
    for name in NOT_JEKYLLS:
        env.filters.pop(name, None)


def _nil_as_text(func: Callable) -> Callable:
    """A string filter given nil reads `nil.to_s`, "" (`nil | slice: 0` was "N")."""
    @wraps(func)
    def nil_as_text(value: Any, *args: Any, **kwargs: Any) -> Any:
        return func("" if value is None else value, *args, **kwargs)
    return nil_as_text


def _concat(func: Callable) -> Callable:
    """Liquid's concat, whose argument must be an array: its own one-line error
    (python-liquid's message for it could not be made, and said so instead)."""
    @wraps(func)
    def concat(value: Any, other: Any = None) -> Any:
        if not isinstance(other, (list, tuple)):
            raise liquid.exceptions.FilterArgumentError(
                "concat filter requires an array argument", token=None)
        return func([] if value is None else value, other)
    return concat


def _nil_as_empty(func: Callable) -> Callable:
    """Liquid's InputIterator reads nil as no items (Ruby's Array(nil)); python-liquid's
    as one nil item: `nil | map: "url"` stopped the build (Mr. Green theme's
    `lng_pages | map: "url"` before any page was found), `nil | uniq | size` was 1."""
    @wraps(func)
    def nil_as_empty(value: Any, *args: Any, **kwargs: Any) -> Any:
        return func([] if value is None else value, *args, **kwargs)
    return nil_as_empty
