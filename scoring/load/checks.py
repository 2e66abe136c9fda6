"""The typed, located checks every loader uses: read a file into a :class:`~scoring.yamldoc.YamlDoc`, then ask a
:class:`Checker` for each value. A check that fails records a ``ConfigError`` at the value's ``file:line:column``
(with the key path, what was found, what was expected and a hint) and returns None, so one pass over a file
collects every problem in it.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import hashlib
import math
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..errors import MAX_SHOWN_PER_FILE, ConfigError, Where, did_you_mean, shorten
from ..models import period_bounds as _period_bounds
from ..yamldoc import YamlDoc, YamlProblem, char_name, is_number, plain_value, read_yaml

MIN_AS_OF_YEAR = 1000     # look-back windows of up to 600 months end at an as-of date; calendars start at year 1
PERCENT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*%\s*$")


class Checker:
    """Small typed accessors over a YamlDoc that record a located error instead of raising.

    >>> from scoring.yamldoc import parse_yaml
    >>> c = Checker(parse_yaml(b"weight: heavy\\n", "c.yaml"))
    >>> c.number(("weight",), c.doc.data["weight"], lo=0, what="a non-negative weight") is None
    True
    >>> print(c.errors[0])
    c.yaml:1:9: weight: expected a non-negative weight, got text 'heavy'
    """

    def __init__(self, doc: YamlDoc) -> None:
        self.doc = doc
        self.errors: list[ConfigError] = []

    def fail(self, path: tuple, problem: str, hint: str = "", *, key: bool = False) -> None:
        self.errors.append(self.doc.error(path, problem, hint, key=key))

    def where(self, path: tuple, *, key: bool = False) -> Where:
        return self.doc.where(path, key=key)

    def mapping(self, path: tuple, value: Any, *, required: Iterable[str] = (), optional: Iterable[str] = (),
                what: str = "a mapping", open_keys: bool = False) -> dict | None:
        """Check a mapping's keys; ``open_keys`` for mappings keyed by user ids (metrics, rubric levels)."""
        if not isinstance(value, dict):
            self.fail(path, f"expected {what}, got {describe(value)}")
            return None
        required, allowed = _keys(tuple(required), tuple(optional))
        for key in () if open_keys else value:
            if key not in allowed:
                hint = "" if self.full() else did_you_mean(str(key), allowed)
                self.fail((*path, key), f"unknown key {shorten(repr(key), 60)}", hint, key=True)
        for key in required:
            if key not in value:
                self.fail(path, f"missing required key {key!r}", f"add '{key}:' here" + _key_hint(key))
        return value

    def full(self) -> bool:
        """True once this file has more problems than a message shows: later checks may skip costly hints."""
        return len(self.errors) > MAX_SHOWN_PER_FILE

    def text(self, path: tuple, value: Any) -> str | None:
        """The value as typed (``007``, ``yes``, ``1:30``), for a check that expects text."""
        return self.doc.text(path, value)

    def string(self, path: tuple, value: Any, *, allow_empty: bool = False, multiline: bool = False) -> str | None:
        """Text as typed (an unquoted ``yes`` or ``2024-01-23`` is the text written, not a boolean or a date);
        one line of visible characters unless ``multiline`` (notes, rationales), where line breaks and tabs are
        fine but other control characters are not."""
        if type(value) is str and value.isprintable() and (allow_empty or value.strip()):
            return value                         # the common case: visible text on one line
        if value is None or isinstance(value, (dict, list)):
            self.fail(path, f"expected text, got {describe(value)}")
            return None
        text = self.text(path, value)
        bad = (_MULTILINE_BAD if multiline else _ONE_LINE_BAD).search(text)
        if bad:
            where = f" at character {bad.start() + 1}" if len(text) > 1 else ""
            self.fail(path, f"expected {'text' if multiline else 'one line of text'}, got {shown(text)} with "
                      f"{char_name(bad.group())}{where}",
                      "remove the escape (\\n, \\t, \\u...) from the quoted text" if not multiline
                      else "remove the control character")
            return None
        if not allow_empty and not text.strip():
            self.fail(path, "expected non-empty text, got ''")
            return None
        return text

    def choice(self, path: tuple, value: Any, choices: Iterable[str], hint: str = "") -> str | None:
        choices = list(choices)
        text = self.text(path, value) if not isinstance(value, (dict, list)) and value is not None else None
        if text is None or text not in choices:
            expected = (" or ".join(repr(c) for c in choices) if len(choices) <= 2
                        else "one of " + ", ".join(map(repr, choices)))
            close = did_you_mean(text, choices) if text else ""
            got = shown(text) if text is not None else describe(value)
            self.fail(path, f"expected {expected}, got {got}",
                      " ".join(h for h in (close if close.startswith("did") else "", hint) if h))
            return None
        return text

    def number(self, path: tuple, value: Any, *, lo: float = -math.inf, hi: float = math.inf,
               what: str = "a number", percent_ok: bool = False, integer: bool = False) -> float | None:
        """A finite number in [lo, hi]. Whatever a person means as a number is read as one (``1e-9``, ``012``,
        ``1_000``); anything else is refused saying exactly how to write it (see :func:`number_advice`)."""
        if percent_ok and is_percentage(value):
            value = float(PERCENT.match(value).group(1))
        if isinstance(value, bool):
            self.fail(path, f"expected {what}, got boolean {value!r}",
                      "write a number; YAML reads yes/no/true/false as booleans")
            return None
        if not is_number(value):
            advice = number_advice(value, percent_ok)
            self.fail(path, f"expected {what}, got {describe(value)}" + (f" ({advice[0]})" if advice[0] else ""),
                      advice[1])
            return None
        try:
            value = float(value)
        except OverflowError:
            self.fail(path, f"expected {what}, got {shorten(self.text(path, value), 40)}: a number this large "
                      "cannot be computed with", "numbers beyond about 1.8e308 do not fit; use a larger unit")
            return None
        if math.isinf(value) and not _INFINITY.fullmatch(self.text(path, value) or ""):
            self.fail(path, f"expected {what}, got {shorten(self.text(path, value), 40)}: a number this large "
                      "cannot be computed with", "numbers beyond about 1.8e308 do not fit; use a larger unit")
            return None
        if math.isnan(value) or math.isinf(value):
            self.fail(path, f"expected a finite number, got {value!r}",
                      "NaN and infinity are not values; leave a missing figure out")
            return None
        if integer and not value.is_integer():
            self.fail(path, f"expected a whole number, got {value!r}")
            return None
        if not lo <= value <= hi:
            self.fail(path, f"expected {what} in [{fmt(lo)}, {fmt(hi)}], got {fmt(value)}")
            return None
        return value

    def boolean(self, path: tuple, value: Any) -> bool | None:
        if not isinstance(value, bool):
            self.fail(path, f"expected true or false, got {shorten(repr(value), 60)}")
            return None
        return value

    def date(self, path: tuple, value: Any, *, full: bool = False) -> dt.date | None:
        """A date; partial dates (YYYY, YYYY-MM) read as their first day unless ``full`` is required."""
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        text = str(value).strip() if isinstance(value, (str, int)) and not isinstance(value, bool) else None
        pattern = r"^\d{4}-\d{2}-\d{2}$" if full else r"^\d{4}(-\d{2}(-\d{2})?)?$"
        why = ""
        if text is not None and re.match(pattern, text):
            try:
                return period_bounds(text)[0]
            except ValueError:
                why = f" ({_no_such_day(text)})"
        got = shorten(repr(value), 60)
        self.fail(path, f"expected a date ({'YYYY-MM-DD' if full else 'YYYY, YYYY-MM or YYYY-MM-DD'}), got {got}{why}")
        return None

    def period(self, path: tuple, value: Any) -> tuple[str, dt.date] | None:
        text = value.isoformat() if isinstance(value, dt.date) else str(value).strip()
        if isinstance(value, bool) or value is None:
            text = ""
        try:
            return text, period_bounds(text)[1]
        except ValueError:
            why = f" ({_no_such_day(text)})" if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text) else ""
            self.fail(path, f"expected a period (YYYY, YYYY-Qn, YYYY-Hn, YYYY-MM or YYYY-MM-DD), got "
                      f"{shorten(repr(value), 60)}{why}",
                      "e.g. 2023-Q3 for July-September 2023, 2025-H1 for the first half of 2025")
            return None


_ONE_LINE_BAD = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff\u200b-\u200f\u202a-\u202e\u2060-\u2064"
                           "\u2066-\u2069]")
_MULTILINE_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufeff\u200b-\u200f\u202a-\u202e"
                            "\u2060-\u2064\u2066-\u2069]")
_INFINITY = re.compile(r"[-+]?\.(?:inf|Inf|INF)")
_BASE_60 = re.compile(r"[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?")
_GROUPED = re.compile(r"[-+]?[0-9]{1,3}(?:[, ][0-9]{3})+(?:\.[0-9]+)?")
_WITH_UNIT = re.compile(r"([-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?)\s*([^\d\s].*)")
_NOT_FINITE = {"nan", "inf", "infinity", "-inf", "+inf", "-infinity"}


def number_advice(value: Any, percent_ok: bool = False) -> tuple[str, str]:
    """(what the text is, how to write the number) for a value that is not a number, or ("", "") when no
    number can be meant. The one place that explains YAML 1.1's number surprises.

    >>> number_advice("1:30")[1]
    'write the number as a decimal (1:30 in base 60 is 90; one and a half is 1.5)'
    >>> number_advice("39%")
    ('a percentage', 'write 39 without the % sign: the unit is part of the metric')
    """
    if not isinstance(value, str):
        if isinstance(value, dt.date):
            return "a date", "write a number; unquoted YYYY-MM-DD is read as a date"
        return "", ""
    text = value.strip()
    if plain_value(text) is not text and is_number(plain_value(text)):
        return "quoted", f"remove the quotes: {text} unquoted is a number"
    if _BASE_60.fullmatch(text):
        whole, *rest = text.split(":")
        total = int(whole.replace("_", "") or 0)
        for part in rest:
            total = total * 60 + float(part)
        return ("YAML 1.1 reads this as a base-60 number",
                f"write the number as a decimal ({text} in base 60 is {total:g}; one and a half is 1.5)")
    if _GROUPED.fullmatch(text):
        return "digits grouped by separators", f"write {re.sub('[, ]', '', text)} without separators"
    if text.lower() in _NOT_FINITE:
        return "", "NaN and infinity are not values; leave a missing figure out"
    unit = _WITH_UNIT.fullmatch(text)
    if unit:
        number, suffix = unit.groups()
        if suffix.strip() == "%":
            return ("", "") if percent_ok else ("a percentage",
                                                f"write {number} without the % sign: the unit is part of the metric")
        return "a number with a unit", f"write {number} alone: the unit is part of the metric or criterion"
    return "", ""


def _no_such_day(text: str) -> str:
    """Why ``YYYY-MM-DD`` names no day: ``'February 2023 has 28 days'`` or ``'there is no month 13'``."""
    year, month, day = (int(p) for p in text.split("-"))
    if not 1 <= month <= 12:
        return f"there is no month {month}"
    days = calendar.monthrange(year, month)[1] if year >= 1 else 31
    return f"{calendar.month_name[month]} {year} has {days} days" if day > days or day < 1 else "not a day"


@functools.lru_cache(maxsize=4096)
def period_bounds(text: str) -> tuple[dt.date, dt.date]:
    """:func:`scoring.models.period_bounds`, remembered: ten thousand profiles name the same few hundred periods."""
    return _period_bounds(text)


@functools.lru_cache(maxsize=1024)
def _keys(required: tuple, optional: tuple) -> tuple[list, frozenset]:
    return list(required), frozenset(required) | frozenset(optional)


def is_percentage(value: Any) -> bool:
    """True for text such as ``"30%"`` (the percentage form of a weight).

    >>> is_percentage("30%"), is_percentage(" 2.5 % "), is_percentage(30), is_percentage("-5%")
    (True, True, False, False)
    """
    return isinstance(value, str) and PERCENT.match(value) is not None


def shown(text: str) -> str:
    """Text quoted for a message, shortened when long (a 2 MB scalar is not repeated in full)."""
    return shorten(repr(text), 60) if len(text) > 50 else repr(text)


def describe(value: Any) -> str:
    """What a value is, for "got ..." in a message.

    >>> describe(None), describe(True), describe({"a": 1}), describe([]), describe("n/a"), describe(2.5)
    ('nothing (null)', 'boolean True', 'a mapping', 'an empty list', "text 'n/a'", 'float 2.5')
    """
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"boolean {value!r}"
    if isinstance(value, dict):
        return "a mapping" if value else "an empty mapping"
    if isinstance(value, list):
        return "a list" if value else "an empty list"
    if isinstance(value, str):
        return f"text {shown(value)}"
    if isinstance(value, dt.date):
        return f"the date {value.isoformat()}"
    return f"{type(value).__name__} {shorten(repr(value), 40)}"


def fmt(x: float) -> str:
    """A bound as a message shows it: ``inf``, ``-inf`` or ``%g``."""
    return "inf" if x == math.inf else "-inf" if x == -math.inf else f"{x:g}"


def _key_hint(key: str) -> str:
    return {"metric": " (the metric's name in the vendor files)", "direction": " ('max' or 'min')",
            "weight": " (relative points; rescaled to sum to 1)",
            "id": " (the vendor's short id, e.g. alibaba)"}.get(key, "")


def sha256_of(path: str | Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def read_doc(path: str | Path, errors: list[ConfigError]) -> YamlDoc | None:
    """The parsed file, or None with the reason (unreadable, not YAML, unsafe) added to ``errors``; problems that
    do not stop the file being read (a repeated key) are added too, and the file is returned."""
    try:
        doc = read_yaml(path)
    except YamlProblem as problem:
        errors.extend(problem.errors)
        return None
    errors.extend(doc.problems)
    return doc


def check_schema(c: Checker, data: dict, expected: str) -> None:
    """The optional ``schema:`` tag must name this kind of file."""
    if "schema" in data and data["schema"] != expected:
        c.fail(("schema",), f"expected {expected!r}, got {data['schema']!r}",
               "criteria files say schema: criteria/v1; vendor files say schema: vendor/v1")
