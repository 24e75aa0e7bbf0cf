"""Ruby's Time#strftime, which Liquid's `date` filter calls in Jekyll. Python's
strftime is the C library's, and differs where themes notice: `%s` is the epoch of
the fields read as the process's local time (not the time's own instant), and `%N`,
`%L`, `%:z`, `%v` and the `-` flag on words are left as written. Each directive here
follows Ruby's strftime.c: flags `-` (no padding), `_` (spaces), `0` (zeros), `^`
(upper case), `#` (change case), then a width, `E`/`O` (ignored), `:` for `%z`."""

from __future__ import annotations

import re
from datetime import datetime, timezone

DAYS = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()
MONTHS = ("January February March April May June July August September October "
          "November December").split()
DIRECTIVE = re.compile(r"%([-_0^#]*)(\d*)(?:[EO](?=[cCxXyY])|O(?=[deHkIlmMSuUVwWy]))?(:{0,2})"
                       r"([A-Za-z%])")
# Directives made of others; their width is ignored, as in Ruby.
COMPOSITE = {"c": "%a %b %e %H:%M:%S %Y", "D": "%m/%d/%y", "x": "%m/%d/%y", "F": "%Y-%m-%d",
             "T": "%H:%M:%S", "X": "%H:%M:%S", "R": "%H:%M", "r": "%I:%M:%S %p",
             "v": "%e-%^b-%4Y"}


def strftime(when: datetime, fmt: str) -> str:
    """`when` (a datetime with its zone) written through Ruby's strftime format."""
    return DIRECTIVE.sub(lambda m: _directive(when, m), fmt)


def _directive(when: datetime, match: re.Match) -> str:
    flags, width_text, colons, kind = match.groups()
    width = int(width_text) if width_text else 0
    if colons and kind != "z":
        return match.group(0)
    if kind in COMPOSITE:
        return strftime(when, COMPOSITE[kind])
    if kind in "LN":
        return _fraction(when, width or (3 if kind == "L" else 9))
    if kind == "z":
        return _offset(when, flags, width, len(colons))
    number = _number(when, kind)
    if number is not None:
        value, default_width, pad = number
        if "-" in flags:
            return str(value)
        pad = "0" if "0" in flags else " " if "_" in flags else pad
        width = width or default_width
        return f"{value:0{width}d}" if pad == "0" else f"{value:{width}d}"
    word = _word(when, kind, flags)
    if word is None:
        return match.group(0)   # Ruby writes an unknown directive as it is
    if "-" in flags or width <= len(word):
        return word
    return word.rjust(width, "0" if "0" in flags else " ")


def _number(when: datetime, kind: str) -> tuple[int, int, str] | None:
    """(value, default width, default padding) of a numeric directive."""
    number = NUMBERS.get(kind)
    return number(when) if number is not None else None


# Each numeric directive's (value, default width, default padding), worked out only
# for the directive asked (all of them for each took most of a `date` filter's time).
NUMBERS = {
    "Y": lambda when: (when.year, 4 if when.year >= 0 else 5, "0"),
    "C": lambda when: (when.year // 100, 2, "0"),
    "y": lambda when: (when.year % 100, 2, "0"), "m": lambda when: (when.month, 2, "0"),
    "d": lambda when: (when.day, 2, "0"), "e": lambda when: (when.day, 2, " "),
    "j": lambda when: (when.timetuple().tm_yday, 3, "0"),
    "H": lambda when: (when.hour, 2, "0"), "k": lambda when: (when.hour, 2, " "),
    "I": lambda when: (when.hour % 12 or 12, 2, "0"),
    "l": lambda when: (when.hour % 12 or 12, 2, " "),
    "M": lambda when: (when.minute, 2, "0"), "S": lambda when: (when.second, 2, "0"),
    "u": lambda when: (when.isocalendar()[2], 1, "0"),
    "w": lambda when: (when.isocalendar()[2] % 7, 1, "0"),
    "G": lambda when: (when.isocalendar()[0], 4, "0"),
    "g": lambda when: (when.isocalendar()[0] % 100, 2, "0"),
    "V": lambda when: (when.isocalendar()[1], 2, "0"),
    "U": lambda when: (int(when.strftime("%U")), 2, "0"),
    "W": lambda when: (int(when.strftime("%W")), 2, "0"),
    "s": lambda when: (int(when.timestamp()), 1, "0"),
}


def _word(when: datetime, kind: str, flags: str) -> str | None:
    upper = "^" in flags or "#" in flags
    if kind in "pP":
        word = "AM" if when.hour < 12 else "PM"
        # %P is lower case; `#` swaps %p's case to lower, as Ruby does
        return word.lower() if kind == "P" or "#" in flags else word
    words = {"A": DAYS[when.weekday()], "a": DAYS[when.weekday()][:3],
             "B": MONTHS[when.month - 1], "b": MONTHS[when.month - 1][:3],
             "h": MONTHS[when.month - 1][:3], "Z": _zone(when), "n": "\n", "t": "\t", "%": "%"}
    word = words.get(kind)
    if word is None:
        return None
    if kind == "Z" and "#" in flags:
        return word.lower()
    return word.upper() if upper else word


def _zone(when: datetime) -> str:
    """Ruby names UTC and a zone's own abbreviation; a bare offset (+0500) has none."""
    if when.tzinfo is None:
        return ""
    if isinstance(when.tzinfo, timezone) and when.tzinfo is not timezone.utc:
        return ""
    return when.tzname() or ""


def _offset(when: datetime, flags: str, width: int, colons: int) -> str:
    """%z +hhmm, %:z +hh:mm, %::z +hh:mm:ss; a width pads the hours with zeros."""
    offset = when.utcoffset()
    seconds = int(offset.total_seconds()) if offset is not None else 0
    sign = "-" if seconds < 0 else "+"
    hours, rest = divmod(abs(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    parts = [f"{minutes:02d}"] + ([f"{secs:02d}"] if colons == 2 else [])
    tail = (":" if colons else "") + (":" if colons else "").join(parts)
    hours_width = 2 if "-" in flags else max(2, width - 1 - len(tail))
    return f"{sign}{hours:0{hours_width}d}{tail}"


def _fraction(when: datetime, digits: int) -> str:
    """%L (milliseconds) and %N (nanoseconds): the fraction's first digits, cut, not
    rounded; past microseconds, zeros."""
    return f"{when.microsecond:06d}000".ljust(digits, "0")[:digits]
