"""Dates as Ruby reads them for Jekyll's date filters: Liquid's Utils.to_date ("now",
"today", epoch seconds, else Ruby's Time.parse) and Jekyll's `.localtime`. Time.parse
rests on Date._parse, a heuristic reader of free-form dates; this follows its rules
for the shapes blogs write (ISO 8601, RFC 2822, ctime, "1 March 2019", "March 1,
2019", "2019/03/01", "03/01/2019", a time alone), each checked against Ruby."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

MONTHS = "jan feb mar apr may jun jul aug sep oct nov dec".split()
MONTH = r"(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)"
DAY = re.compile(r"\b(sun|mon|tue|wed|thu|fri|sat)[^-/\d\s]*", re.I)
# Date._parse's parse_time: a time, then perhaps a zone (an offset or a word).
TIME = re.compile(
    r"((?:\d+\s*:\s*\d+(?:\s*:\s*\d+(?:[,.]\d*)?)?|\d+\s*h(?:\s*\d+m?(?:\s*\d+s?)?)?)"
    r"(?:\s*[ap](?:m\b|\.m\.))?|\d+\s*[ap](?:m\b|\.m\.))"
    r"(?:\s*((?:gmt|utc?)?[-+]\d+(?:[,.:]\d+(?::\d+)?)?|[a-z.\s]+(?:standard|daylight)\stime\b"
    r"|[a-z]+(?:\sdst)?\b))?", re.I)
TIME_PARTS = re.compile(r"\A(\d+)\s*(?:h|:\s*(\d+)(?:\s*:\s*(\d+)(?:[,.](\d*))?)?)?"
                        r"(?:\s*m?\s*(\d+)?)?.*?(?:\s*([ap])(?:m\b|\.m\.))?\Z", re.I | re.S)
EU = re.compile(r"'?(\d+)[^-\d\s']*\s*" + MONTH + r"[^-\d\s']*"
                r"(?:\s*(c(?:e|\.e\.)|b(?:ce|\.c\.e\.)|a(?:d|\.d\.)|b(?:c|\.c\.))?"
                r"\s*('?-?\d+(?:(?:st|nd|rd|th)\b)?))?", re.I)
US = re.compile(r"\b" + MONTH + r"[^-\d\s']*\s*('?\d+)[^-\d\s']*"
                r"(?:\s*,?\s*(c(?:e|\.e\.)|b(?:ce|\.c\.e\.)|a(?:d|\.d\.)|b(?:c|\.c\.))?"
                r"\s*('?-?\d+))?", re.I)
ISO = re.compile(r"('?[-+]?\d+)-(\d+)-('?-?\d+)")
SLASH = re.compile(r"('?-?\d+)/\s*('?\d+)(?:\D\s*('?-?\d+))?")
DOT = re.compile(r"('?-?\d+)\.\s*('?\d+)\.\s*('?-?\d+)")
MON_ONLY = re.compile(r"\b" + MONTH + r"\S*", re.I)
MDAY = re.compile(r"(\d+)(st|nd|rd|th)\b", re.I)
DIGITS = re.compile(r"(?<!\d)(\d{14}|\d{8}|\d{6}|\d{4}|\d{2})(?!\d)")
ZONES = {"utc": 0, "z": 0, "ut": 0, "gmt": 0, "est": -5, "edt": -4, "cst": -6, "cdt": -5,
         "mst": -7, "mdt": -6, "pst": -8, "pdt": -7}   # Time::ZoneOffset's (hours)


def local_zone(config: dict) -> Any:
    """The zone Jekyll's Time#localtime means: `timezone:` (Jekyll sets TZ from it),
    else UTC, as our dates are kept (sources.xmlschema)."""
    zone = config.get("timezone")
    try:
        return ZoneInfo(str(zone)) if zone else timezone.utc
    except (KeyError, ValueError):
        return timezone.utc


def now(config: dict) -> datetime:
    return datetime.now(local_zone(config)).replace(tzinfo=None)


def to_date(value: Any, config: dict, *, local: bool = True) -> datetime | None:
    """Liquid's Utils.to_date then `.localtime`: a date or time as it is (a date at
    midnight), "now"/"today", a string of digits or an Integer as epoch seconds, any
    other string as Time.parse reads it; None for what Ruby cannot read. Not
    `local` (Liquid's `date` filter): a time with its own zone keeps it."""
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if type(value) is int:
        return _epoch(value, config)
    if not isinstance(value, str) or not value:
        return None
    text = value.lower()
    if text in ("now", "today"):
        return now(config)
    if text.isascii() and text.isdigit():
        return _epoch(int(text), config)
    return time_parse(value, config, local=local)


def _epoch(seconds: int, config: dict) -> datetime | None:
    try:
        return datetime.fromtimestamp(seconds, local_zone(config)).replace(tzinfo=None)
    except (OverflowError, OSError, ValueError):
        return None


def _apply_offset(year: int, mon: int, day: int, hour: int, minute: int, sec: int,
                  off: int) -> tuple[int, int, int, int, int, int]:
    """Ruby's Time.apply_offset (time.rb): the wall-clock fields less the offset, each
    field that the offset changes carried into the next with divmod. So an hour out
    of range is read when the offset has hours (`2020-3-19 29:39:08 +0800` is
    2020-03-20 05:39:08 +0800, as a real blog's post is dated), and stays out of range
    otherwise (Time.utc then refuses it)."""
    sign = 1 if off > 0 else -1   # Ruby's two branches, one written once
    off = abs(off)
    fields = [sec, minute, hour]
    for i, base in enumerate((60, 60, 24)):
        off, part = divmod(off, base)
        if part:
            carry, fields[i] = divmod(fields[i] - sign * part, base)
            off -= sign * carry
    sec, minute, hour = fields
    if off and sign > 0:
        day -= off
        if day < 1:
            mon -= 1
            if mon < 1:
                year, mon = year - 1, 12
            day = _month_days(year, mon)
    elif off:
        day += off
        if _month_days(year, mon) < day:
            mon, day = mon + 1, 1
            if mon > 12:
                year, mon = year + 1, 1
    return year, mon, day, hour, minute, sec


def _month_days(year: int, mon: int) -> int:
    if mon == 2:
        return 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28
    return 30 if mon in (4, 6, 9, 11) else 31


def _ruby_time(year: int, mon: int, day: int, hour: int, minute: int, sec: int,
               usec: int) -> datetime:
    """Time.utc / Time.local of these fields: a day up to 31 past its month's end runs
    into the next month (`2020-02-30` is March 1st, as Jekyll dates such a post),
    24:00:00 is the next day's midnight, second 60 the next minute's first; anything
    else out of range raises ValueError, as Ruby's ArgumentError."""
    if not (1 <= mon <= 12 and 1 <= day <= 31):
        raise ValueError(f"{year}-{mon}-{day}")
    extra = timedelta()
    if hour == 24 and minute == 0 and sec == 0 and usec == 0:
        hour, extra = 0, timedelta(days=1)
    if sec == 60:
        sec, extra = 59, extra + timedelta(seconds=1)
    last = _month_days(year, mon)
    if day > last:
        day, extra = last, extra + timedelta(days=day - last)
    return datetime(year, mon, day, hour, minute, sec, usec) + extra


def time_parse(text: str, config: dict, *, local: bool = True) -> datetime | None:
    """Ruby's Time.parse(text) as local wall-clock time (not `local`: in its own
    zone, if it names one Ruby knows); None where Ruby raises ArgumentError (no date
    or time in it, or one out of range)."""
    parts = date_parse(text)
    if parts is None:
        return None
    year, mon, day, hour, minute, sec, usec, offset = parts
    zone = local_zone(config)
    current = datetime.now(timezone(timedelta(seconds=offset)) if offset is not None else zone)
    # Time.make_time: what is missing is taken from now, down to the first part given.
    filled = [year, mon, day, hour, minute, sec]
    for i, now_part in enumerate((current.year, current.month, current.day, current.hour,
                                  current.minute, current.second)):
        if filled[i] is not None:
            break
        filled[i] = now_part
    year, mon, day, hour, minute, sec = (v if v is not None else d for v, d in
                                         zip(filled, (1970, 1, 1, 0, 0, 0)))
    if offset is not None:   # Time.make_time: the fields moved to UTC first
        year, mon, day, hour, minute, sec = _apply_offset(year, mon, day, hour, minute, sec,
                                                          offset)
    try:
        stamp = _ruby_time(year, mon, day, hour, minute, sec, usec)
    except ValueError:
        return None
    if offset is None:
        return stamp
    aware = stamp.replace(tzinfo=timezone.utc).astimezone(timezone(timedelta(seconds=offset)))
    return aware.astimezone(zone).replace(tzinfo=None) if local else aware


def date_parse(text: str) -> tuple | None:
    """Date._parse's parts: year, month, day, hour, minute, second, microsecond (0
    if none) and the zone's offset in seconds (None: none Time knows); None when
    there is no date or time in the text."""
    s = re.sub(r"[^-+',./:@0-9A-Za-z\[\]]+", " ", text)
    got: dict[str, Any] = {}
    s = _sub(DAY, s, lambda m: None)
    s = _sub(TIME, s, lambda m: _time(m, got))
    for pattern, read in ((EU, _eu), (US, _us), (ISO, _iso), (SLASH, _s3e_match),
                          (DOT, _s3e_match), (MON_ONLY, _mon), (MDAY, _mday),
                          (DIGITS, _digits)):
        found = pattern.search(s)
        if found:
            read(found, got)
            s = s[:found.start()] + " " * (found.end() - found.start()) + s[found.end():]
            break
    keys = ("year", "mon", "mday", "hour", "min", "sec")
    if not any(k in got for k in keys):
        return None
    year = got.get("year")
    if year is not None and got.get("short_year") and 0 <= year < 100:
        year += 1900 if year >= 69 else 2000   # Date._parse's completion of '19'
    offset = _offset(got.get("zone"))
    return (year, got.get("mon"), got.get("mday"), got.get("hour"), got.get("min"),
            got.get("sec"), got.get("usec", 0), offset)


def _sub(pattern: re.Pattern, s: str, read: Any) -> str:
    found = pattern.search(s)
    if not found:
        return s
    read(found)
    return s[:found.start()] + " " * (found.end() - found.start()) + s[found.end():]


def _time(found: re.Match, got: dict) -> None:
    clock = found.group(1)
    parts = re.match(r"(\d+)\s*(?::\s*(\d+)(?:\s*:\s*(\d+)(?:[,.](\d*))?)?|h(?:\s*(\d+)m?"
                     r"(?:\s*(\d+)s?)?)?)?", clock, re.I)   # parse_time2_cb's, any case
    hour = int(parts.group(1))
    minute = parts.group(2) or parts.group(5)
    sec = parts.group(3) or parts.group(6)
    meridian = re.search(r"([ap])(?:m\b|\.m\.)\s*\Z", clock, re.I)
    if meridian:
        hour %= 12
        if meridian.group(1).lower() == "p":
            hour += 12
    got["hour"] = hour
    if minute is not None:
        got["min"] = int(minute)
    if sec is not None:
        got["sec"] = int(sec)
    if parts.group(4):
        got["usec"] = int(parts.group(4)[:6].ljust(6, "0"))
    if found.group(2):
        got["zone"] = found.group(2)


def _eu(found: re.Match, got: dict) -> None:
    _s3e(got, found.group(4), str(MONTHS.index(found.group(2).lower()) + 1), found.group(1),
         bool(found.group(3)) and found.group(3).lower().startswith("b"))


def _us(found: re.Match, got: dict) -> None:
    _s3e(got, found.group(4), str(MONTHS.index(found.group(1).lower()) + 1), found.group(2),
         bool(found.group(3)) and found.group(3).lower().startswith("b"))


def _iso(found: re.Match, got: dict) -> None:
    _s3e(got, found.group(1), found.group(2), found.group(3))


def _s3e_match(found: re.Match, got: dict) -> None:
    _s3e(got, found.group(1), found.group(2), found.group(3))


def _long(text: str | None) -> bool:
    return text is not None and (text.startswith("'") or len(text) > 2)


def _s3e(got: dict, y: str | None, m: str | None, d: str | None, bc: bool = False) -> None:
    """date_parse.c's s3e: three numbers as year, month and day, turned about by
    which of them looks like a year (an apostrophe, or more than two characters):
    03/01/2019 is the 3rd of January."""
    if y is not None and m is not None and d is None:
        y, m, d = d, y, m
    if y is None and d is not None and _long(d):
        y, d = d, None
    if y is not None:
        digits = re.match(r"[^-+\d]*([-+]?\d*)(.*)", y, re.S)
        if digits.group(2):   # "2019th": the day, and the year is the third
            y, d = d, digits.group(1)
    if m is not None and _long(m):
        y, m, d = m, d, y
    if d is not None and _long(d):
        y, d = d, y
    if y is not None:
        number = re.match(r"[^-+\d]*([-+]?)(\d*)", y)
        year = int(number.group(2) or 0) * (-1 if number.group(1) == "-" else 1)
        got["year"] = 1 - year if bc else year
        got["short_year"] = not number.group(1) and len(number.group(2)) <= 2
    if m is not None:
        got["mon"] = int(re.sub(r"\D", "", m) or 0)
    if d is not None:
        got["mday"] = int(re.sub(r"\D", "", d) or 0)


def _mon(found: re.Match, got: dict) -> None:
    got["mon"] = MONTHS.index(found.group(1).lower()) + 1


def _mday(found: re.Match, got: dict) -> None:
    got["mday"] = int(found.group(1))


def _digits(found: re.Match, got: dict) -> None:
    text = found.group(1)
    if len(text) == 2:
        got["mday"] = int(text)
        return
    if len(text) == 4:
        got["mon"], got["mday"] = int(text[:2]), int(text[2:])
        return
    if len(text) == 6:   # yymmdd
        got["year"], got["short_year"] = int(text[:2]), True
        got["mon"], got["mday"] = int(text[2:4]), int(text[4:6])
        return
    got["year"], got["mon"], got["mday"] = int(text[:4]), int(text[4:6]), int(text[6:8])
    if len(text) == 14:
        got["hour"], got["min"], got["sec"] = int(text[8:10]), int(text[10:12]), int(text[12:])


def _offset(zone: str | None) -> int | None:
    """Time.zone_offset: a numeric offset, or a name in Time::ZoneOffset (the
    military letters aside); None for any other name, which Time.parse ignores."""
    if not zone:
        return None
    name = zone.strip().lower()
    if name in ZONES:
        return ZONES[name] * 3600
    found = re.fullmatch(r"([-+])(\d\d)(:?)(\d\d)(?:\3(\d\d))?", name)
    if found:
        sign = -1 if found.group(1) == "-" else 1
        return sign * (int(found.group(2)) * 3600 + int(found.group(4)) * 60
                       + int(found.group(5) or 0))
    found = re.fullmatch(r"([-+])(\d\d)", name)
    if found:
        sign = -1 if found.group(1) == "-" else 1
        return sign * int(found.group(2)) * 3600
    return None
