"""YAML files -> validated models. Every problem in every file is collected, located and raised together.

Public entry points: :func:`load_criteria`, :func:`load_vendors`, and :func:`load_inputs`, which also runs the
checks that need both (a criterion's metric that no vendor has, a value outside a criterion's unit range).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .errors import ConfigError, ConfigErrors, Where, did_you_mean
from .models import (
    CONFIDENCES,
    DIRECTIONS,
    METHODS,
    MISSING_POLICIES,
    NORMALIZATIONS,
    PLANES,
    SCOPES,
    STATUS_PAGES,
    UNIT_RANGES,
    CriteriaSet,
    Criterion,
    Group,
    Incident,
    Observation,
    Scale,
    StabilityRule,
    StatusPage,
    Vendor,
    period_bounds,
    unit_of_metric,
)
from .yamldoc import YamlDoc, YamlProblem, is_number, read_yaml

_ID = re.compile(r"^[a-z][a-z0-9_-]*$")
_PERCENT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*%\s*$")


class _Checker:
    """Small typed accessors over a YamlDoc that record a located error instead of raising."""

    def __init__(self, doc: YamlDoc) -> None:
        self.doc = doc
        self.errors: list[ConfigError] = []

    def fail(self, path: tuple, problem: str, hint: str = "", *, key: bool = False) -> None:
        self.errors.append(self.doc.error(path, problem, hint, key=key))

    def where(self, path: tuple) -> Where:
        return self.doc.where(path)

    def mapping(self, path: tuple, value: Any, *, required: Iterable[str] = (), optional: Iterable[str] = (),
                what: str = "a mapping", open_keys: bool = False) -> dict | None:
        """Check a mapping's keys; ``open_keys`` for mappings keyed by user ids (metrics, rubric levels)."""
        if not isinstance(value, dict):
            self.fail(path, f"expected {what}, got {_describe(value)}")
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
            self.fail(path, f"expected text, got {_describe(value)}")
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
        if percent_ok and isinstance(value, str) and _PERCENT.match(value):
            value = float(_PERCENT.match(value).group(1))
        if isinstance(value, bool):
            self.fail(path, f"expected {what}, got boolean {value!r}",
                      "write a number; YAML reads yes/no/true/false as booleans")
            return None
        if not is_number(value):
            self.fail(path, f"expected {what}, got {_describe(value)}")
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
            self.fail(path, f"expected {what} in [{_fmt(lo)}, {_fmt(hi)}], got {_fmt(value)}")
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


def _describe(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"boolean {value!r}"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return f"text {value!r}"
    return f"{type(value).__name__} {value!r}"


def _fmt(x: float) -> str:
    return "inf" if x == math.inf else "-inf" if x == -math.inf else f"{x:g}"


def _key_hint(key: str) -> str:
    return {"metric": " (the metric's name in the vendor files)", "direction": " ('max' or 'min')",
            "weight": " (relative points; rescaled to sum to 1)",
            "id": " (the vendor's short id, e.g. alibaba)"}.get(key, "")


def _sha256(path: str) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _read(path: str | Path, errors: list[ConfigError]) -> YamlDoc | None:
    try:
        return read_yaml(path)
    except YamlProblem as problem:
        errors.append(problem.error)
        return None


def _schema(c: _Checker, data: dict, expected: str) -> None:
    if "schema" in data and data["schema"] != expected:
        c.fail(("schema",), f"expected {expected!r}, got {data['schema']!r}",
               "criteria files say schema: criteria/v1; vendor files say schema: vendor/v1")


# --------------------------------------------------------------------------------------------- criteria

_CRITERIA_KEYS = ("schema", "name", "description", "as_of", "method", "normalization", "staleness_months",
                  "tolerance", "groups", "criteria", "stability", "vendors")
_CRITERION_KEYS = ("metric", "direction", "weight", "label", "rationale", "unit", "scale", "missing", "group", "rubric",
                   "preference")


def load_criteria(path: str | Path) -> CriteriaSet:
    """Read and validate a criteria file; raise ``ConfigErrors`` listing every problem.

    >>> cs = load_criteria("criteria/baseline.yaml")
    >>> round(sum(c.weight for c in cs.criteria), 12)
    1.0
    """
    errors: list[ConfigError] = []
    result = _criteria_from(path, errors)
    if errors or result is None:
        raise ConfigErrors(errors)
    return result


def _criteria_from(path: str | Path, errors: list[ConfigError]) -> CriteriaSet | None:
    doc = _read(path, errors)
    if doc is None:
        return None
    c = _Checker(doc)
    data = c.mapping((), doc.data, required=("name", "criteria"), optional=_CRITERIA_KEYS,
                     what="a mapping with name and criteria")
    if data is None:
        errors.extend(c.errors)
        return None
    _schema(c, data, "criteria/v1")
    name = c.string(("name",), data["name"]) if "name" in data else None
    description = c.string(("description",), data.get("description", ""), allow_empty=True) or ""
    as_of = c.date(("as_of",), data["as_of"], full=True) if "as_of" in data else None
    method = c.choice(("method",), data.get("method", "weighted-sum"), METHODS)
    normalization = c.choice(("normalization",), data.get("normalization", "fixed"), NORMALIZATIONS,
                             "fixed uses each criterion's scale: {min, max}, so adding a vendor moves nobody else")
    staleness = c.number(("staleness_months",), data.get("staleness_months", 24), lo=1, hi=600,
                         what="a number of months", integer=True)
    tolerance = c.number(("tolerance",), data.get("tolerance", 1e-9), lo=0, hi=0.1, what="a tie tolerance")

    groups = _groups(c, data.get("groups"))
    criteria = _criteria(c, data.get("criteria"), normalization, groups)
    stability = _stability_rule(c, data["stability"]) if "stability" in data else None
    vendors = None
    if "vendors" in data:
        if not isinstance(data["vendors"], list) or not data["vendors"]:
            c.fail(("vendors",), f"expected a non-empty list of vendor ids, got {_describe(data['vendors'])}")
        else:
            vendors = tuple(v for i, v in enumerate(data["vendors"]) if c.string(("vendors", i), v))
    errors.extend(c.errors)
    if c.errors or name is None or criteria is None:
        return None
    return CriteriaSet(name=name, description=description, as_of=as_of, method=method, normalization=normalization,
                       criteria=criteria, path=str(path), sha256=_sha256(path), staleness_months=int(staleness or 24),
                       tolerance=float(tolerance if tolerance is not None else 1e-9), groups=groups or (),
                       stability=stability, vendors=vendors,
                       vendors_where=doc.where(("vendors",)) if vendors else None,
                       method_where=doc.where(("method",)))


def _weight(c: _Checker, path: tuple, value: Any) -> float | None:
    return c.number(path, value, lo=0, what="a non-negative weight", percent_ok=True)


def _groups(c: _Checker, raw: Any) -> tuple[Group, ...] | None:
    if raw is None:
        return None
    groups = c.mapping(("groups",), raw, what="a mapping of group id -> {weight, label, rationale}", open_keys=True)
    if not groups:
        return None
    parsed = []
    for gid, spec in groups.items():
        spec = c.mapping(("groups", gid), spec, required=("weight",), optional=("weight", "label", "rationale"))
        if spec is None or "weight" not in spec:
            continue
        w = _weight(c, ("groups", gid, "weight"), spec["weight"])
        if w is not None:
            parsed.append((gid, w, str(spec.get("label", "")), str(spec.get("rationale", ""))))
    total = sum(w for _, w, _, _ in parsed)
    if parsed and total <= 0:
        c.fail(("groups",), "every group weight is zero", "give at least one group a positive weight")
        return None
    return tuple(Group(gid, w / total, w, label, why) for gid, w, label, why in parsed) if parsed else None


def _criteria(c: _Checker, raw: Any, normalization: str | None, groups: tuple[Group, ...] | None):
    if not isinstance(raw, dict) or not raw:
        c.fail(("criteria",),
               f"expected a mapping of criterion id -> {{metric, direction, weight}}, got {_describe(raw)}")
        return None
    group_ids = {g.id: g for g in groups or ()}
    rows = []
    group_problem = False        # a bad group id would make its group look empty: report the cause only
    for cid, spec in raw.items():
        path = ("criteria", cid)
        spec = c.mapping(path, spec, required=("metric", "direction", "weight"), optional=_CRITERION_KEYS,
                         what="a mapping with metric, direction and weight")
        if spec is None:
            continue
        metric = c.string((*path, "metric"), spec["metric"]) if "metric" in spec else None
        direction = (c.choice((*path, "direction"), spec["direction"], DIRECTIONS,
                              "use 'min' for costs, incidents and ranks; 'max' for everything else")
                     if "direction" in spec else None)
        weight = _weight(c, (*path, "weight"), spec["weight"]) if "weight" in spec else None
        unit = None
        if "unit" in spec:
            unit = c.choice((*path, "unit"), spec["unit"], sorted(UNIT_RANGES))
        scale = None
        if "scale" in spec:
            s = c.mapping((*path, "scale"), spec["scale"], required=("min", "max"), what="a mapping {min, max}")
            if s and "min" in s and "max" in s:
                lo, hi = c.number((*path, "scale", "min"), s["min"]), c.number((*path, "scale", "max"), s["max"])
                if lo is not None and hi is not None:
                    if hi <= lo:
                        c.fail((*path, "scale"), f"expected min < max, got min {lo:g} and max {hi:g}")
                    else:
                        scale = Scale(lo, hi)
        elif normalization == "fixed":
            c.fail(path, "missing required key 'scale' (normalization is 'fixed')",
                   "add scale: {min: ..., max: ...} (the values that score 0 and 1), or set normalization: min-max")
        missing = c.choice((*path, "missing"), spec.get("missing", "worst"), MISSING_POLICIES,
                           "worst scores a missing figure 0; median gives it the median of the others; "
                           "error refuses to rank")
        group = None
        if groups is not None:
            if "group" not in spec:
                c.fail(path, "missing required key 'group' (this file declares groups)",
                       f"add group: one of {sorted(group_ids)}")
                group_problem = True
            elif spec["group"] not in group_ids:
                c.fail((*path, "group"), f"unknown group {spec['group']!r}",
                       did_you_mean(str(spec["group"]), group_ids))
                group_problem = True
            else:
                group = spec["group"]
        elif "group" in spec:
            c.fail((*path, "group"), f"group {spec['group']!r} is not declared",
                   "declare it under a top-level 'groups:' mapping")
        rubric = None
        if "rubric" in spec:
            r = c.mapping((*path, "rubric"), spec["rubric"], what="a mapping level -> meaning", open_keys=True)
            if r is not None:
                rubric = {}
                for level, meaning in r.items():
                    if not isinstance(level, int) or isinstance(level, bool):
                        c.fail((*path, "rubric", level), f"expected a whole-number level, got {level!r}", key=True)
                    else:
                        rubric[level] = str(meaning)
        preference = _preference(c, (*path, "preference"), spec["preference"]) if "preference" in spec else None
        if preference is not None and preference[1] and normalization != "fixed":
            c.fail((*path, "preference"), f"thresholds in the criterion's units need normalization 'fixed', "
                   f"got {normalization!r}", "a unit difference means the same distance only on a fixed scale; "
                   "use normalization: fixed with scale: {min, max}, or the 'usual' function", key=True)
            preference = None
        for text_key in ("label", "rationale"):
            if text_key in spec:
                c.string((*path, text_key), spec[text_key], allow_empty=True)
        if metric is None or direction is None or weight is None:
            continue
        rows.append(dict(id=str(cid), metric=metric, direction=direction, raw_weight=weight, unit=unit, scale=scale,
                         missing=missing or "worst", group=group, rubric=rubric or None, preference=preference,
                         label=str(spec.get("label", "")), rationale=str(spec.get("rationale", "")),
                         where=c.doc.where(path, key=True),
                         metric_where=c.where((*path, "metric"))))
    if not rows or group_problem:
        return None
    effective = _effective_weights(c, rows, groups)
    if effective is None:
        return None
    return tuple(Criterion(weight=effective[r["id"]], **r) for r in rows)


def _preference(c: _Checker, path: tuple, raw: Any) -> tuple[str, dict[str, float]] | None:
    """PROMETHEE preference function: {function, and its thresholds q, p or s in the criterion's units}."""
    from .outranking import PARAMETERS, PREFERENCE_FUNCTIONS
    spec = c.mapping(path, raw, required=("function",), optional=("function", "q", "p", "s"))
    if spec is None or "function" not in spec:
        return None
    fn = c.choice((*path, "function"), spec["function"], PREFERENCE_FUNCTIONS)
    if fn is None:
        return None
    needed = PARAMETERS[fn]
    params = {}
    for key in ("q", "p", "s"):
        if key in spec and key not in needed:
            c.fail((*path, key), f"the {fn!r} function takes no {key!r}",
                   f"{fn} takes {', '.join(needed) if needed else 'no thresholds'}", key=True)
        elif key in needed:
            if key not in spec:
                c.fail(path, f"missing required key {key!r} (the {fn!r} function needs {', '.join(needed)})")
            else:
                value = c.number((*path, key), spec[key], lo=0, what="a threshold")
                if value is not None:
                    params[key] = value
    if len(params) != len(needed):
        return None
    if "p" in params and params["p"] <= params.get("q", 0.0) and fn != "v-shape":
        c.fail((*path, "p"), f"expected p > q ({params.get('q', 0):g}), got {params['p']:g}")
        return None
    if fn in ("v-shape", "gaussian") and params[needed[0]] <= 0:
        c.fail((*path, needed[0]), f"expected a positive threshold, got {params[needed[0]]:g}")
        return None
    return fn, params


def _effective_weights(c: _Checker, rows: list[dict], groups: tuple[Group, ...] | None) -> dict[str, float] | None:
    """Leaf weights rescaled to sum to 1; with groups, a leaf's weight is its group's share times its share
    within it.
    """
    if groups is None:
        total = sum(r["raw_weight"] for r in rows)
        if total <= 0:
            c.fail(("criteria",), "every criterion weight is zero", "give at least one criterion a positive weight",
                   key=True)
            return None
        return {r["id"]: r["raw_weight"] / total for r in rows}
    weights = {}
    for g in groups:
        members = [r for r in rows if r["group"] == g.id]
        inside = sum(r["raw_weight"] for r in members)
        if g.weight > 0 and inside <= 0:
            c.fail(("groups", g.id), f"group {g.id!r} has weight but its criteria weigh nothing",
                   "give one of its criteria a positive weight, or give the group weight 0")
            return None
        for r in members:
            weights[r["id"]] = g.weight * (r["raw_weight"] / inside if inside > 0 else 0.0)
    for r in rows:
        weights.setdefault(r["id"], 0.0)
    if sum(weights.values()) <= 0:
        c.fail(("criteria",), "every effective weight is zero", "give a group and one of its criteria positive weight",
               key=True)
        return None
    return weights


def _stability_rule(c: _Checker, raw: Any) -> StabilityRule | None:
    keys = ("metric", "window_months", "cap_hours", "scope_weights", "plane_weights", "postmortem", "levels",
            "otherwise", "no_incidents")
    spec = c.mapping(("stability",), raw, required=[k for k in keys if k != "postmortem"], optional=keys)
    if spec is None or any(k not in spec for k in keys if k != "postmortem"):
        return None
    metric = c.string(("stability", "metric"), spec["metric"])
    window = c.number(("stability", "window_months"), spec["window_months"], lo=1, hi=600, integer=True)
    cap = c.number(("stability", "cap_hours"), spec["cap_hours"], lo=0)

    def table(key: str, names: tuple[str, ...]) -> dict[str, float] | None:
        t = c.mapping(("stability", key), spec[key], required=names, optional=names)
        if t is None:
            return None
        out = {n: c.number(("stability", key, n), t[n], lo=0) for n in names if n in t}
        return out if all(v is not None for v in out.values()) and len(out) == len(names) else None

    scope_w = table("scope_weights", SCOPES)
    plane_w = table("plane_weights", PLANES)
    no_inc = table("no_incidents", STATUS_PAGES)
    pm_days, pm_factor = 0, 1.0
    if "postmortem" in spec:
        pm = c.mapping(("stability", "postmortem"), spec["postmortem"], required=("within_days", "factor"))
        if pm and "within_days" in pm and "factor" in pm:
            pm_days = c.number(("stability", "postmortem", "within_days"), pm["within_days"], lo=0, integer=True) or 0
            pm_factor = c.number(("stability", "postmortem", "factor"), pm["factor"], lo=0, hi=1)
    levels = []
    if not isinstance(spec["levels"], list) or not spec["levels"]:
        c.fail(("stability", "levels"), f"expected a list of {{below, level}}, got {_describe(spec['levels'])}")
    else:
        for i, item in enumerate(spec["levels"]):
            m = c.mapping(("stability", "levels", i), item, required=("below", "level"))
            if m and "below" in m and "level" in m:
                below = c.number(("stability", "levels", i, "below"), m["below"], lo=0)
                level = c.number(("stability", "levels", i, "level"), m["level"])
                if below is not None and level is not None:
                    if levels and below <= levels[-1][0]:
                        c.fail(("stability", "levels", i, "below"),
                               f"expected bounds in increasing order, got {below:g} after {levels[-1][0]:g}")
                    levels.append((below, level))
    otherwise = c.number(("stability", "otherwise"), spec["otherwise"])
    if None in (metric, window, cap, scope_w, plane_w, no_inc, pm_factor, otherwise) or not levels:
        return None
    return StabilityRule(metric=metric, window_months=int(window), cap_hours=cap, scope_weights=scope_w,
                         plane_weights=plane_w, postmortem_days=int(pm_days), postmortem_factor=pm_factor,
                         levels=tuple(levels), otherwise=otherwise, no_incidents=no_inc, where=c.where(("stability",)))


# ---------------------------------------------------------------------------------------------- vendors

_VENDOR_KEYS = ("schema", "id", "name", "name_zh", "parent", "status_page", "incidents", "metrics")
_OBSERVATION_KEYS = ("value", "period", "source", "source_date", "confidence", "note", "estimate", "low", "high",
                     "fact", "seed")
_INCIDENT_KEYS = ("date", "duration_hours", "low", "high", "scope", "plane", "region", "postmortem_days", "counted",
                  "source", "source_date", "confidence", "fact", "note")
_STATUS_KEYS = ("value", "source", "source_date", "confidence", "fact", "note")


def load_vendor(path: str | Path) -> Vendor:
    """Read and validate one vendor profile; raise ``ConfigErrors`` listing every problem."""
    errors: list[ConfigError] = []
    vendor = _vendor_from(path, errors)
    if errors or vendor is None:
        raise ConfigErrors(errors)
    return vendor


def vendor_files(folder: str | Path) -> list[Path]:
    """The vendor profiles in a folder: ``*.yaml`` and ``*.yml``, sorted by name (README files are not profiles)."""
    folder = Path(folder)
    return sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())


def load_vendors(folder: str | Path) -> list[Vendor]:
    """Every vendor profile in a folder, validated together (duplicate ids across files are errors)."""
    errors: list[ConfigError] = []
    vendors = _vendors_from(folder, errors)
    if errors:
        raise ConfigErrors(errors)
    return vendors


def _vendors_from(folder: str | Path, errors: list[ConfigError]) -> list[Vendor]:
    folder = Path(folder)
    if not folder.exists():
        errors.append(ConfigError(Where(str(folder)), "", "folder not found",
                                  "give the folder that holds the vendor .yaml files"))
        return []
    if not folder.is_dir():
        errors.append(ConfigError(Where(str(folder)), "", "is not a folder",
                                  "--vendors takes a folder of vendor .yaml files"))
        return []
    files = vendor_files(folder)
    if not files:
        errors.append(ConfigError(Where(str(folder)), "", "no vendor files (*.yaml) in this folder",
                                  "add one file per vendor; see vendors/README.md"))
        return []
    vendors: list[Vendor] = []
    seen: dict[str, str] = {}
    for path in files:
        vendor = _vendor_from(path, errors, seen)
        if vendor is not None:
            vendors.append(vendor)
    return vendors


def _vendor_from(path: str | Path, errors: list[ConfigError], seen: dict[str, str] | None = None) -> Vendor | None:
    """One vendor file; ``seen`` maps ids already read to their files, so a repeated id is an error here."""
    doc = _read(path, errors)
    if doc is None:
        return None
    c = _Checker(doc)
    data = c.mapping((), doc.data, required=("id", "name"), optional=_VENDOR_KEYS,
                     what="a mapping with id, name and metrics")
    if data is None:
        errors.extend(c.errors)
        return None
    _schema(c, data, "vendor/v1")
    vid = None
    if "id" in data:
        vid = c.string(("id",), data["id"])
        if vid is not None and not _ID.match(vid):
            c.fail(("id",), f"expected a lowercase id (letters, digits, '-' or '_'), got {vid!r}")
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
            c.fail(("incidents",), f"expected a list of incidents, got {_describe(data['incidents'])}")
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
    return Vendor(id=vid, name=name, path=str(path), sha256=_sha256(path), where=doc.where(("id",)),
                  metrics=metrics, incidents=tuple(sorted(incidents, key=lambda x: x.date)), status_page=status,
                  name_zh=str(data.get("name_zh", "") or ""), parent=str(data.get("parent", "") or ""))


def _observations(c: _Checker, path: tuple, metric: str, raw: Any) -> tuple[Observation, ...]:
    unit = unit_of_metric(metric)
    lo, hi = UNIT_RANGES.get(unit, (-math.inf, math.inf))
    what = f"a number ({unit})" if unit else "a number"
    if is_number(raw) or isinstance(raw, (bool, str)) or raw is None:
        value = c.number(path, raw, lo=lo, hi=hi, what=what)       # a bare what-if number: accepted, flagged
        return () if value is None else (Observation(value=value, where=c.where(path), unsourced=True),)
    items = [raw] if isinstance(raw, dict) else raw
    if not isinstance(items, list) or not items:
        c.fail(path, f"expected a number or a list of observations, got {_describe(raw)}")
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
        note = c.string((*p, "note"), spec["note"], allow_empty=True) if "note" in spec else ""
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


def _incident(c: _Checker, path: tuple, raw: Any) -> Incident | None:
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


def _status_page(c: _Checker, raw: Any) -> StatusPage | None:
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


# -------------------------------------------------------------------------------------------- together

def load_inputs(criteria_path: str | Path, vendors_folder: str | Path) -> tuple[CriteriaSet, list[Vendor]]:
    """Load a criteria file and a vendor folder, check them against each other, raise every problem at once."""
    errors: list[ConfigError] = []
    criteria = _criteria_from(criteria_path, errors)
    vendors = _vendors_from(vendors_folder, errors)
    if criteria is not None and vendors:
        errors.extend(cross_check(criteria, vendors))
    if errors:
        raise ConfigErrors(errors)
    return criteria, vendors


def cross_check(criteria: CriteriaSet, vendors: list[Vendor]) -> list[ConfigError]:
    """Problems that need both files: unknown vendor ids, metrics nobody has, values outside a criterion's range."""
    errors = []
    ids = {v.id for v in vendors}
    if criteria.vendors:
        for vid in criteria.vendors:
            if vid not in ids:
                errors.append(ConfigError(criteria.vendors_where, "vendors", f"unknown vendor id {vid!r}",
                                          did_you_mean(vid, ids)))
    chosen = [v for v in vendors if not criteria.vendors or v.id in criteria.vendors]
    known = {m for v in chosen for m in v.metrics}
    derived = {criteria.stability.metric} if criteria.stability else set()
    for crit in criteria.criteria:
        if crit.metric in derived:
            continue
        if crit.metric not in known:
            hint = did_you_mean(crit.metric, known | derived)
            errors.append(ConfigError(crit.metric_where, f"criteria.{crit.id}.metric",
                                      f"no vendor has the metric {crit.metric!r}",
                                      hint + ("" if hint.startswith("did")
                                              else "; a metric must appear in a vendor file")))
            continue
        lo, hi = _range_of(crit)
        for v in chosen:
            for obs in v.metrics.get(crit.metric, ()):
                if not lo <= obs.value <= hi:
                    errors.append(ConfigError(obs.where, f"metrics.{crit.metric}.value",
                                              f"expected a value in [{_fmt(lo)}, {_fmt(hi)}] for criterion "
                                              f"{crit.id!r} ({_range_reason(crit)}), got {obs.value:g}",
                                              "check the figure or the criterion's unit in "
                                              f"{Path(criteria.path).name}"))
    return errors


def _range_of(crit: Criterion) -> tuple[float, float]:
    lo, hi = UNIT_RANGES.get(crit.unit, (-math.inf, math.inf)) if crit.unit else (-math.inf, math.inf)
    if crit.rubric:
        lo, hi = max(lo, min(crit.rubric)), min(hi, max(crit.rubric))
    return lo, hi


def _range_reason(crit: Criterion) -> str:
    return f"rubric levels {min(crit.rubric)}-{max(crit.rubric)}" if crit.rubric else f"unit {crit.unit!r}"
