"""Values as Ruby sees them, where Jekyll's output depends on it: how Liquid writes a
value that is not a string (Ruby's `to_s`: a hash as `{"a"=>1}`, a list joined,
nil as nothing, a post as its content), and how Jekyll's `sort` orders two values
(Ruby's `<=>`, then their `to_s` when they cannot be compared)."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import liquid

from site_builder.site import zone

# Ruby's String#inspect: these escaped, other characters (UTF-8) as they are.
INSPECT_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r",
                   "\f": "\\f", "\v": "\\v", "\a": "\\a", "\b": "\\b", "\x1b": "\\e",
                   "#": "#"}
INSPECT_SPECIAL = re.compile(r'["\\\n\t\r\f\v\a\b\x1b]|#(?=[{$@])|[\x00-\x1f\x7f]')


# Whether values of a type are Liquid's undefined. Undefined is an abstract class, so
# isinstance runs a Python __instancecheck__ each time (14,000 asks a build on
# Jekyll's docs, most of them of text); a value's type decides (nothing registers
# virtual subclasses of it).
UNDEFINED_TYPES: dict[type, bool] = {}


def is_undefined(value: Any) -> bool:
    """liquid.is_undefined(value), by its type."""
    kind = type(value)
    found = UNDEFINED_TYPES.get(kind)
    if found is None:
        found = UNDEFINED_TYPES[kind] = liquid.is_undefined(value)
    return found


def is_item(value: Any) -> bool:
    """A post, page or document (Jekyll writes such a drop as its content)."""
    return isinstance(value, dict) and "content" in value and "url" in value \
        and "path" in value


def to_s(value: Any) -> str:
    """What Ruby Liquid writes for `{{ value }}` (Variable#render_to_output_buffer:
    an array joined, nil nothing, anything else its to_s)."""
    if isinstance(value, str):
        return value
    if value is None or is_undefined(value):
        return ""
    if isinstance(value, (list, tuple)):
        return "".join(_join_item(v) for v in value)
    return _to_s(value)


def _join_item(value: Any) -> str:
    # Array#join: nested arrays joined too, nil as "", the rest by to_s.
    if isinstance(value, (list, tuple)):
        return "".join(_join_item(v) for v in value)
    if value is None or is_undefined(value):
        return ""
    return _to_s(value)


def string(value: Any) -> str:
    """Ruby's to_s of one value (a list as its inspect, unlike `{{ }}`, which joins)."""
    return _to_s(value)


def _to_s(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return _float(value)
    if isinstance(value, dict):
        if is_item(value):   # Jekyll's Document#to_s: its output, else its content
            return str(dict.get(value, "output") or dict.get(value, "content") or "")
        return inspect(value)
    if isinstance(value, datetime):
        return _time(value, fraction=False)   # Time#to_s: whole seconds
    if isinstance(value, (list, tuple)):
        return inspect(value)
    return str(value)


def inspect(value: Any) -> str:
    """Ruby's #inspect of a value read from YAML (Hash#to_s is its inspect)."""
    if value is None or is_undefined(value):
        return "nil"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + INSPECT_SPECIAL.sub(_escape, value) + '"'
    if isinstance(value, float):
        return _float(value)
    if isinstance(value, dict):
        if not value:
            return "{}"
        return "{" + ", ".join(f"{inspect(k)}=>{inspect(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(inspect(v) for v in value) + "]"
    if isinstance(value, datetime):
        return _time(value)
    if isinstance(value, date):   # Psych reads a bare date as a Date
        return f"#<Date: {value.isoformat()} ((" \
               f"{value.toordinal() + 1721425}j,0s,0n),+0s,2299161j)>"
    return str(value)


def _escape(found: re.Match) -> str:
    char = found.group()
    if char in INSPECT_ESCAPES:
        return "\\" + char if char == "#" else INSPECT_ESCAPES[char]
    return f"\\u{ord(char):04X}"


def _float(value: float) -> str:
    """Ruby's Float#to_s: 1.0, 1.0e+20, 1.5e-05, Infinity, NaN."""
    if value != value:
        return "NaN"
    if value in (float("inf"), float("-inf")):
        return "Infinity" if value > 0 else "-Infinity"
    text = repr(value)
    if "e" not in text and abs(value) >= 1e15:   # Ruby writes 16 digits and more so
        text = f"{value:.16e}"
        mantissa, exponent = text.split("e")
        text = f"{mantissa.rstrip('0').removesuffix('.')}e{exponent}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        if "." not in mantissa:
            mantissa += ".0"
        sign = exponent[0] if exponent[0] in "+-" else "+"
        digits = exponent.lstrip("+-").rjust(2, "0")
        return f"{mantissa}e{sign}{digits}"
    return text


def _time(value: datetime, fraction: bool = True) -> str:
    """Ruby's Time#inspect (a fraction of a second shown), or its to_s (none)."""
    if value.tzinfo is None:   # a wall-clock time in the site's zone (zone.py)
        offset = value.replace(tzinfo=zone.ZONE).strftime("%z") if zone.ZONE is not None \
            else "+0000"
    else:
        offset = value.strftime("%z") or "+0000"
    if value.utcoffset() is not None and not value.utcoffset() and str(value.tzinfo) == "UTC":
        offset = "UTC"
    frac = f".{value.microsecond:06d}".rstrip("0") if value.microsecond and fraction else ""
    return f"{value:%Y-%m-%d %H:%M:%S}{frac} {offset}"


# -- comparing ----------------------------------------------------------------------

NUMBERS = (int, float, Decimal)


def spaceship(a: Any, b: Any) -> int | None:
    """Ruby's a <=> b for the values a blog's data holds: None where Ruby answers
    nil (values that do not compare: a number and a string, true and false)."""
    if isinstance(a, NUMBERS) and isinstance(b, NUMBERS) \
            and not isinstance(a, bool) and not isinstance(b, bool):
        return (a > b) - (a < b)
    if isinstance(a, str) and isinstance(b, str):
        x, y = a.encode("utf-8"), b.encode("utf-8")   # String#<=>: byte by byte
        return (x > y) - (x < y)
    if isinstance(a, datetime) and isinstance(b, datetime):
        try:
            return (a > b) - (a < b)
        except TypeError:   # one with a time zone, one without
            a, b = a.replace(tzinfo=None), b.replace(tzinfo=None)
            return (a > b) - (a < b)
    if isinstance(a, date) and isinstance(b, date) and not isinstance(a, datetime) \
            and not isinstance(b, datetime):
        return (a > b) - (a < b)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        for x, y in zip(a, b):
            found = spaceship(x, y)
            if found != 0:
                return found
        return (len(a) > len(b)) - (len(a) < len(b))
    if a is b or (type(a) is type(b) and a == b):
        return 0   # Object#<=>: 0 for the same object
    return None


def compare_or_text(a: Any, b: Any) -> int:
    """Jekyll's sort of two properties: `a <=> b || a.to_s <=> b.to_s`."""
    found = spaceship(a, b)
    if found is not None:
        return found
    return spaceship(_to_s(a) if a is not None else "", _to_s(b) if b is not None else "") or 0
