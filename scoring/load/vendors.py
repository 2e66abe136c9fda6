"""Vendor profiles (schema ``vendor/v1``): one file per vendor with its dated, sourced observations of each metric,
its disclosed incidents and its status page.

:func:`collect_vendors` adds every problem in a folder to a list; :func:`load_vendors` and :func:`load_vendor`
raise them together.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

from ..errors import ConfigError, ConfigErrors, Where, display_path, shorten
from ..models import (
    CONFIDENCES,
    PLANES,
    SCOPES,
    STATUS_PAGES,
    UNIT_RANGES,
    Incident,
    Observation,
    StatusPage,
    Vendor,
    unit_of_metric,
)
from ..progress import track
from ..yamldoc import is_number
from .checks import Checker, check_schema, describe, read_doc
from .plausibility import plausibility_warnings

_ID = re.compile(r"^[a-z][a-z0-9_-]*$")
UNREAD = "\x00unread"      # in ``broken``: the profile could not be read at all, so its metrics are unknown
_VENDOR_KEYS = ("schema", "id", "name", "name_zh", "parent", "status_page", "incidents", "metrics")
_OBSERVATION_KEYS = ("value", "period", "source", "source_date", "confidence", "note", "estimate", "low", "high",
                     "fact", "seed")
_INCIDENT_KEYS = ("date", "duration_hours", "low", "high", "scope", "plane", "region", "postmortem_days", "counted",
                  "source", "source_date", "confidence", "fact", "note")
_STATUS_KEYS = ("value", "source", "source_date", "confidence", "fact", "note")


def load_vendor(path: str | Path) -> Vendor:
    """Read and validate one vendor profile; raise ``ConfigErrors`` listing every problem."""
    errors: list[ConfigError] = []
    vendor = _collect_vendor(path, errors)
    if errors or vendor is None:
        raise ConfigErrors(errors)
    return vendor


def vendor_files(folder: str | Path) -> list[Path]:
    """The vendor profiles in a folder: ``*.yaml`` and ``*.yml``, sorted by name (README files are not profiles).

    A link that leads nowhere is listed too (reading it says so): a profile must not vanish without a word.
    """
    folder = Path(folder)
    return sorted(p for p in folder.iterdir()
                  if p.suffix in (".yaml", ".yml") and (p.is_file() or (p.is_symlink() and not p.exists())))


def load_vendors(folder: str | Path) -> list[Vendor]:
    """Every vendor profile in a folder, validated together (duplicate ids across files are errors)."""
    errors: list[ConfigError] = []
    vendors = collect_vendors(folder, errors)
    if errors:
        raise ConfigErrors(errors)
    return vendors


def collect_vendors(folder: str | Path, errors: list[ConfigError],
                    warnings: list[ConfigError] | None = None, *,
                    broken: dict[str, frozenset[str]] | None = None) -> list[Vendor]:
    """Every valid vendor profile in a folder, adding every problem (and each repeated id) to ``errors`` and,
    when given a ``warnings`` list, the plausibility warnings of :mod:`scoring.load.plausibility`.

    ``broken``, when given, receives the id (or the file name, where the id is unreadable) of each profile that
    had a problem, with the metric names it lists: the checks across files then stay silent about what only
    looks missing because that file was refused (one mistake, one message).

    >>> errors = []
    >>> collect_vendors("no-such-folder", errors), [str(e) for e in errors]
    ([], ['no-such-folder: folder not found\\n    hint: give the folder that holds the vendor .yaml files'])
    """
    folder = Path(folder)
    try:
        if not folder.exists():
            errors.append(ConfigError(Where(str(folder)), "", "folder not found",
                                      "give the folder that holds the vendor .yaml files"))
            return []
        if not folder.is_dir():
            errors.append(ConfigError(Where(str(folder)), "", "is not a folder",
                                      "--vendors takes a folder of vendor .yaml files"))
            return []
        files = vendor_files(folder)
    except OSError as exc:
        errors.append(ConfigError(Where(str(folder)), "", f"cannot list the folder: {exc.strerror or exc}",
                                  "give yourself read and search permission on it (chmod u+rx), or pass another "
                                  "--vendors folder" if isinstance(exc, PermissionError) else
                                  "check the folder, or pass another --vendors folder"))
        return []
    if not files:
        errors.append(ConfigError(Where(str(folder)), "", "no vendor files (*.yaml) in this folder",
                                  "add one file per vendor; see vendors/README.md"))
        return []
    vendors: list[Vendor] = []
    seen: dict[str, str] = {}
    for path in track(files, "loading vendors"):           # a bar on a terminal only (scoring.progress)
        vendor = _collect_vendor(path, errors, seen, broken)
        if vendor is not None:
            vendors.append(vendor)
    if warnings is not None:
        warnings.extend(plausibility_warnings(vendors))
    return vendors


def _collect_vendor(path: str | Path, errors: list[ConfigError], seen: dict[str, str] | None = None,
                    broken: dict[str, frozenset[str]] | None = None) -> Vendor | None:
    """One vendor file; ``seen`` maps ids already read to their files, so a repeated id is an error here."""
    before = len(errors)
    vendor, doc = _read_vendor(path, errors, seen)
    if broken is not None and (vendor is None or len(errors) > before):
        data = doc.data if doc is not None and isinstance(doc.data, dict) else {}
        metrics = data.get("metrics") if isinstance(data.get("metrics"), dict) else {}
        names = frozenset(map(str, metrics)) | ({UNREAD} if doc is None else frozenset())
        for vid in {Path(path).stem, str(data.get("id", ""))} - {""}:
            broken[vid] = broken.get(vid, frozenset()) | names
    return vendor


def _read_vendor(path: str | Path, errors: list[ConfigError], seen: dict[str, str] | None):
    """(the vendor, or None when it has a problem; the parsed file, or None when unreadable)."""
    doc = read_doc(path, errors)
    if doc is None:
        return None, None
    vendor = _vendor(doc, path, errors, seen)
    return vendor, doc


def _vendor(doc, path: str | Path, errors: list[ConfigError], seen: dict[str, str] | None) -> Vendor | None:
    c = Checker(doc)
    data = c.mapping((), doc.data, required=("id", "name"), optional=_VENDOR_KEYS,
                     what="a mapping with id, name and metrics")
    if data is None:
        errors.extend(c.errors)
        return None
    check_schema(c, data, "vendor/v1")
    vid = None
    if "id" in data:
        vid = c.string(("id",), data["id"])
        stem = display_path(Path(path).stem)
        if vid is not None and not _ID.fullmatch(vid):
            c.fail(("id",), f"expected a lowercase id (letters, digits, '-' or '_'), got {shorten(repr(vid), 60)}")
            vid = None
        elif vid is not None and vid != stem:
            name = display_path(Path(path).name)
            c.fail(("id",), f"id {vid!r} does not match the file name '{name}' (the id is the file name)",
                   f"rename the file to {vid}{Path(path).suffix}, or write id: {stem}" if _ID.fullmatch(stem)
                   else f"rename the file to {vid}{Path(path).suffix}")
            vid = None
        elif vid is not None and seen is not None:
            if vid in seen:
                c.fail(("id",), f"vendor id {vid!r} is already used by {seen[vid]}",
                       "each vendor has exactly one file; merge or rename one of them")
                vid = None
            else:
                seen[vid] = str(path)
    name = c.string(("name",), data["name"]) if "name" in data else None
    metrics = {}
    raw_metrics = data.get("metrics", {})
    if raw_metrics is None:
        raw_metrics = {}
    if c.mapping(("metrics",), raw_metrics, what="a mapping metric -> observations", open_keys=True) is not None:
        for metric, raw in raw_metrics.items():
            obs = _observations(c, ("metrics", metric), str(metric), raw)
            if obs:
                metrics[str(metric)] = obs
    incidents = []
    if data.get("incidents") is not None:
        if not isinstance(data["incidents"], list):
            c.fail(("incidents",), f"expected a list of incidents, got {describe(data['incidents'])}")
        else:
            for i, raw in enumerate(data["incidents"]):
                inc = _incident(c, ("incidents", i), raw)
                if inc is not None:
                    incidents.append(inc)
    status = _status_page(c, data["status_page"]) if data.get("status_page") is not None else None
    for key in ("name_zh", "parent"):
        if key in data:
            c.string((key,), data[key], allow_empty=True)
    errors.extend(c.errors)
    if vid is None or name is None or c.errors:
        return None
    return Vendor(id=vid, name=name, path=str(path), sha256=doc.sha256, where=doc.where(("id",)),
                  metrics=metrics, incidents=tuple(sorted(incidents, key=lambda x: x.date)), status_page=status,
                  name_zh=str(data.get("name_zh", "") or ""), parent=str(data.get("parent", "") or ""))


def _observations(c: Checker, path: tuple, metric: str, raw: Any) -> tuple[Observation, ...]:
    unit = unit_of_metric(metric)
    lo, hi = UNIT_RANGES.get(unit, (-math.inf, math.inf))
    what = f"a number ({unit})" if unit else "a number"
    if is_number(raw) or isinstance(raw, (bool, str)) or raw is None:
        value = c.number(path, raw, lo=lo, hi=hi, what=what)       # a bare what-if number: accepted, flagged
        return () if value is None else (Observation(value=value, where=c.where(path), unsourced=True),)
    items = [raw] if isinstance(raw, dict) else raw
    if not isinstance(items, list) or not items:
        c.fail(path, f"expected a number or a list of observations, got {describe(raw)}")
        return ()
    out = []
    for i, item in enumerate(items):
        p = path if isinstance(raw, dict) else (*path, i)
        spec = c.mapping(p, item, required=("value", "period", "source", "confidence"), optional=_OBSERVATION_KEYS,
                         what="an observation {value, period, source, source_date, confidence}")
        if spec is None or "value" not in spec:
            continue
        value = c.number((*p, "value"), spec["value"], lo=lo, hi=hi, what=what)
        period = c.period((*p, "period"), spec["period"]) if "period" in spec else None
        source = c.string((*p, "source"), spec["source"]) if "source" in spec else None
        confidence = c.choice((*p, "confidence"), spec["confidence"], CONFIDENCES) if "confidence" in spec else None
        source_date = c.date((*p, "source_date"), spec["source_date"]) if "source_date" in spec else None
        estimate = c.boolean((*p, "estimate"), spec["estimate"]) if "estimate" in spec else False
        note = c.string((*p, "note"), spec["note"], allow_empty=True, multiline=True) if "note" in spec else ""
        if estimate and not (note or "").strip():
            c.fail(p, "an estimate needs its reasoning in 'note'",
                   "say what the judgement rests on (facts, rubric, arithmetic)")
        bounds = {}
        for key in ("low", "high"):
            if key in spec:
                bounds[key] = c.number((*p, key), spec[key], lo=lo, hi=hi, what=what)
        if value is not None and bounds.get("low") is not None and bounds["low"] > value:
            c.fail((*p, "low"), f"expected low <= value ({value:g}), got {bounds['low']:g}")
        if value is not None and bounds.get("high") is not None and bounds["high"] < value:
            c.fail((*p, "high"), f"expected high >= value ({value:g}), got {bounds['high']:g}")
        for key in ("fact", "seed"):
            if key in spec:
                c.string((*p, key), spec[key])
        if None in (value, period, source, confidence) or estimate is None:
            continue
        out.append(Observation(value=value, where=c.where((*p, "value")), period=period[0], period_end=period[1],
                               source=source, source_date=source_date, confidence=confidence, note=note or "",
                               estimate=bool(estimate), low=bounds.get("low"), high=bounds.get("high"),
                               fact=spec.get("fact"), seed=spec.get("seed")))
    return tuple(out)


def _incident(c: Checker, path: tuple, raw: Any) -> Incident | None:
    spec = c.mapping(path, raw, required=("date", "duration_hours", "scope", "plane", "source", "confidence"),
                     optional=_INCIDENT_KEYS)
    if spec is None or any(k not in spec for k in ("date", "duration_hours", "scope", "plane", "source", "confidence")):
        return None
    date = c.date((*path, "date"), spec["date"])
    hours = c.number((*path, "duration_hours"), spec["duration_hours"], lo=0, what="a duration in hours")
    scope = c.choice((*path, "scope"), spec["scope"], SCOPES)
    plane = c.choice((*path, "plane"), spec["plane"], PLANES)
    source = c.string((*path, "source"), spec["source"])
    confidence = c.choice((*path, "confidence"), spec["confidence"], CONFIDENCES)
    pm = c.number((*path, "postmortem_days"), spec["postmortem_days"], lo=0) if "postmortem_days" in spec else None
    counted = c.boolean((*path, "counted"), spec["counted"]) if "counted" in spec else True
    source_date = c.date((*path, "source_date"), spec["source_date"]) if "source_date" in spec else None
    low = c.number((*path, "low"), spec["low"], lo=0) if "low" in spec else None
    high = c.number((*path, "high"), spec["high"], lo=0) if "high" in spec else None
    if None in (date, hours, scope, plane, source, confidence, counted):
        return None
    return Incident(date=date, duration_hours=hours, scope=scope, plane=plane, where=c.where(path),
                    region=str(spec.get("region", "")), postmortem_days=pm, counted=counted, source=source,
                    source_date=source_date, confidence=confidence, note=str(spec.get("note", "") or ""),
                    low=low, high=high, fact=spec.get("fact"))


def _status_page(c: Checker, raw: Any) -> StatusPage | None:
    spec = c.mapping(("status_page",), raw, required=("value", "source", "confidence"), optional=_STATUS_KEYS)
    if spec is None or any(k not in spec for k in ("value", "source", "confidence")):
        return None
    value = c.choice(("status_page", "value"), spec["value"], STATUS_PAGES,
                     "verified: a public status history that was checked; unverified: a page exists; none: none found")
    source = c.string(("status_page", "source"), spec["source"])
    confidence = c.choice(("status_page", "confidence"), spec["confidence"], CONFIDENCES)
    source_date = c.date(("status_page", "source_date"), spec["source_date"]) if "source_date" in spec else None
    if None in (value, source, confidence):
        return None
    return StatusPage(value=value, where=c.where(("status_page", "value")), source=source, source_date=source_date,
                      confidence=confidence, note=str(spec.get("note", "") or ""), fact=spec.get("fact"))
