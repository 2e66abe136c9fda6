"""The typed, located checks every loader uses: read a file into a :class:`~scoring.yamldoc.YamlDoc`, then ask a
:class:`Checker` for each value. A check that fails records a ``ConfigError`` at the value's ``file:line:column``
(with the key path, what was found, what was expected and a hint) and returns None, so one pass over a file
collects every problem in it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..errors import ConfigError, Where, did_you_mean
from ..models import period_bounds
from ..yamldoc import YamlDoc, YamlProblem, is_number, read_yaml

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
        required, allowed = list(required), set(required) | set(optional)
        for key in () if open_keys else value:
            if key not in allowed:
                self.fail((*path, key), f"unknown key {key!r}", did_you_mean(str(key), allowed), key=True)
        for key in required:
            if key not in value:
                self.fail(path, f"missing required key {key!r}", f"add '{key}:' here" + _key_hint(key))
        return value

    def string(self, path: tuple, value: Any, *, allow_empty: bool = False) -> str | None:
        if isinstance(value, bool) or value is None or isinstance(value, (dict, list)):
            self.fail(path, f"expected text, got {describe(value)}")
            return None
        text = str(value)
        if not allow_empty and not text.strip():
            self.fail(path, "expected non-empty text, got ''")
            return None
        return text

    def choice(self, path: tuple, value: Any, choices: Iterable[str], hint: str = "") -> str | None:
        choices = list(choices)
        if not isinstance(value, str) or value not in choices:
            expected = (" or ".join(repr(c) for c in choices) if len(choices) <= 2
                        else "one of " + ", ".join(map(repr, choices)))
            close = did_you_mean(str(value), choices) if isinstance(value, str) else ""
            self.fail(path, f"expected {expected}, got {value!r}",
                      " ".join(h for h in (close if close.startswith("did") else "", hint) if h))
            return None
        return value

    def number(self, path: tuple, value: Any, *, lo: float = -math.inf, hi: float = math.inf,
               what: str = "a number", percent_ok: bool = False, integer: bool = False) -> float | None:
        if percent_ok and is_percentage(value):
            value = float(PERCENT.match(value).group(1))
        if isinstance(value, bool):
            self.fail(path, f"expected {what}, got boolean {value!r}",
                      "write a number; YAML reads yes/no/true/false as booleans")
            return None
        if not is_number(value):
            self.fail(path, f"expected {what}, got {describe(value)}")
            return None
        value = float(value)
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
            self.fail(path, f"expected true or false, got {value!r}")
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
        if text is not None and re.match(pattern, text):
            try:
                return period_bounds(text)[0]
            except ValueError:
                pass
        self.fail(path, f"expected a date ({'YYYY-MM-DD' if full else 'YYYY, YYYY-MM or YYYY-MM-DD'}), got {value!r}")
        return None

    def period(self, path: tuple, value: Any) -> tuple[str, dt.date] | None:
        text = value.isoformat() if isinstance(value, dt.date) else str(value).strip()
        if isinstance(value, bool) or value is None:
            text = ""
        try:
            return text, period_bounds(text)[1]
        except ValueError:
            self.fail(path, f"expected a period (YYYY, YYYY-Qn, YYYY-Hn, YYYY-MM or YYYY-MM-DD), got {value!r}",
                      "e.g. 2023-Q3 for July-September 2023, 2025-H1 for the first half of 2025")
            return None


def is_percentage(value: Any) -> bool:
    """True for text such as ``"30%"`` (the percentage form of a weight).

    >>> is_percentage("30%"), is_percentage(" 2.5 % "), is_percentage(30), is_percentage("-5%")
    (True, True, False, False)
    """
    return isinstance(value, str) and PERCENT.match(value) is not None


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
        return f"text {value!r}"
    return f"{type(value).__name__} {value!r}"


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
    """The parsed file, or None with the reason (unreadable, not YAML, unsafe) added to ``errors``."""
    try:
        return read_yaml(path)
    except YamlProblem as problem:
        errors.append(problem.error)
        return None


def check_schema(c: Checker, data: dict, expected: str) -> None:
    """The optional ``schema:`` tag must name this kind of file."""
    if "schema" in data and data["schema"] != expected:
        c.fail(("schema",), f"expected {expected!r}, got {data['schema']!r}",
               "criteria files say schema: criteria/v1; vendor files say schema: vendor/v1")
