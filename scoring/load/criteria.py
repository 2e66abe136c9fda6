"""Criteria files (schema ``criteria/v1``): the view's header, its groups, its criteria (direction, unit, scale,
missing-data policy, rubric, PROMETHEE preference function), their weights (see :mod:`.weights`) and the
stability rule (see :mod:`.stability`).

:func:`collect_criteria` adds every problem to a list and returns None when there was one; :func:`load_criteria`
raises them together.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from ..errors import ConfigError, ConfigErrors, did_you_mean, shorten
from ..methods import METHOD_NAMES
from ..models import DIRECTIONS, MISSING_POLICIES, UNIT_RANGES, CriteriaSet, Criterion, Group, Scale
from ..normalize import NORMALIZATION_NAMES
from .checks import MIN_AS_OF_YEAR, Checker, check_schema, describe, read_doc
from .stability import stability_rule
from .weights import (
    PERCENT,
    TypedWeight,
    effective_weights,
    forms_agree,
    group_shares,
    percentages_add_up,
    read_weight,
)

_CRITERIA_KEYS = ("schema", "name", "description", "as_of", "method", "normalization", "staleness_months",
                  "tolerance", "groups", "criteria", "stability", "vendors")
_CRITERION_KEYS = ("metric", "direction", "weight", "label", "rationale", "unit", "scale", "missing", "group", "rubric",
                   "preference")
_GROUP_KEYS = ("weight", "label", "rationale")
_MAX_LEVEL = 10**6               # rubric levels are small whole numbers; beyond this they stop being exact floats


def load_criteria(path: str | Path) -> CriteriaSet:
    """Read and validate a criteria file; raise ``ConfigErrors`` listing every problem.

    >>> cs = load_criteria("criteria/baseline.yaml")
    >>> round(sum(c.weight for c in cs.criteria), 12)
    1.0
    """
    errors: list[ConfigError] = []
    result = collect_criteria(path, errors)
    if errors or result is None:
        raise ConfigErrors(errors)
    return result


def collect_criteria(path: str | Path, errors: list[ConfigError]) -> CriteriaSet | None:
    """Read and validate a criteria file, adding every problem to ``errors``; None when there was one.

    >>> errors = []
    >>> collect_criteria("criteria/no-such-view.yaml", errors) is None, [str(e) for e in errors]
    (True, ['criteria/no-such-view.yaml: file not found\\n    hint: check the path'])
    """
    doc = read_doc(path, errors)
    if doc is None:
        return None
    c = Checker(doc)
    data = c.mapping((), doc.data, required=("name", "criteria"), optional=_CRITERIA_KEYS,
                     what="a mapping with name and criteria")
    if data is None:
        errors.extend(c.errors)
        return None
    check_schema(c, data, "criteria/v1")
    name = c.string(("name",), data["name"]) if "name" in data else None
    description = c.string(("description",), data.get("description", ""), allow_empty=True, multiline=True) or ""
    as_of = c.date(("as_of",), data["as_of"], full=True) if "as_of" in data else None
    if as_of is not None and as_of.year < MIN_AS_OF_YEAR:
        c.fail(("as_of",), f"expected a date from the year {MIN_AS_OF_YEAR} on, got {as_of.isoformat()}",
               "look-back windows (staleness, stability) reach decades before the as-of date")
        as_of = None
    method = c.choice(("method",), data.get("method", "weighted-sum"), METHOD_NAMES)
    normalization = c.choice(("normalization",), data.get("normalization", "fixed"), NORMALIZATION_NAMES,
                             "fixed uses each criterion's scale: {min, max}, so adding a vendor moves nobody else")
    staleness = c.number(("staleness_months",), data.get("staleness_months", 24), lo=1, hi=600,
                         what="a number of months", integer=True)
    tolerance = c.number(("tolerance",), data.get("tolerance", 1e-9), lo=0, hi=0.1, what="a tie tolerance")

    typed: list[TypedWeight] = []
    group_weights, group_specs = _groups(c, data.get("groups"), typed)
    groups, criteria = _criteria(c, data.get("criteria"), normalization, group_weights, group_specs, typed)
    stability = stability_rule(c, data["stability"]) if "stability" in data else None
    vendors = None
    if "vendors" in data:
        if not isinstance(data["vendors"], list) or not data["vendors"]:
            c.fail(("vendors",), f"expected a non-empty list of vendor ids, got {describe(data['vendors'])}")
        else:
            listed: dict[str, int] = {}
            for i, v in enumerate(data["vendors"]):
                vid = c.string(("vendors", i), v)
                if vid is not None and vid in listed:
                    c.fail(("vendors", i), f"{vid!r} is listed twice (first as item {listed[vid] + 1})",
                           "name each vendor once")
                elif vid is not None:
                    listed[vid] = i
            vendors = tuple(listed)
    errors.extend(c.errors)
    if c.errors or name is None or criteria is None:
        return None
    return CriteriaSet(name=name, description=description, as_of=as_of, method=method, normalization=normalization,
                       criteria=criteria, path=str(path), sha256=doc.sha256, staleness_months=int(staleness or 24),
                       tolerance=float(tolerance if tolerance is not None else 1e-9), groups=groups or (),
                       stability=stability, vendors=vendors,
                       vendors_where=doc.where(("vendors",)) if vendors else None,
                       method_where=doc.where(("method",)))


def _groups(c: Checker, raw: Any, typed: list[TypedWeight]
            ) -> tuple[dict[str, float | None] | None, list[tuple[str, float, str, str]]]:
    """The declared groups -> their raw weights (None where unreadable), and the readable ones in full."""
    if raw is None:
        return None, []
    groups = c.mapping(("groups",), raw, what="a mapping of group id -> {weight, label, rationale}", open_keys=True)
    if not groups:
        return None, []
    weights: dict[str, float | None] = {}
    parsed = []
    for gid, spec in groups.items():
        weights[gid] = None
        spec = c.mapping(("groups", gid), spec, required=("weight",), optional=_GROUP_KEYS)
        if spec is None or "weight" not in spec:
            continue
        w = read_weight(c, ("groups", gid, "weight"), spec["weight"], typed)
        if w is not None:
            weights[gid] = w
            parsed.append((gid, w, str(spec.get("label", "")), str(spec.get("rationale", ""))))
        for text_key in ("label", "rationale"):
            if text_key in spec:
                c.string(("groups", gid, text_key), spec[text_key], allow_empty=True,
                         multiline=text_key == "rationale")
    return weights, parsed


def _criteria(c: Checker, raw: Any, normalization: str | None, group_weights: dict[str, float | None] | None,
              group_specs: list[tuple[str, float, str, str]], typed: list[TypedWeight]
              ) -> tuple[tuple[Group, ...] | None, tuple[Criterion, ...] | None]:
    """The criteria, with their effective weights, and the groups with their shares."""
    if not isinstance(raw, dict) or not raw:
        c.fail(("criteria",),
               f"expected a mapping of criterion id -> {{metric, direction, weight}}, got {describe(raw)}")
        return None, None
    rows = []
    leaves: list[tuple[str, str | None, float | None]] = []     # (id, group, weight) of every criterion
    group_problem = False        # a bad group id would make its group look empty: report the cause only
    for cid, spec in raw.items():
        path = ("criteria", cid)
        spec = c.mapping(path, spec, required=("metric", "direction", "weight"), optional=_CRITERION_KEYS,
                         what="a mapping with metric, direction and weight")
        if spec is None:
            leaves.append((str(cid), None, None))
            continue
        weight = read_weight(c, (*path, "weight"), spec["weight"], typed) if "weight" in spec else None
        group, group_ok = _group_of(c, path, spec, group_weights)
        group_problem |= not group_ok
        leaves.append((str(cid), group, weight))
        row = _criterion(c, path, spec, normalization)
        if row is not None and weight is not None:
            rows.append(dict(row, raw_weight=weight, group=group))
    if not forms_agree(c, typed):
        return None, None
    if typed and typed[0].form == PERCENT and not percentages_add_up(c, group_weights, leaves):
        return None, None
    groups = None
    if group_weights is not None:
        if None in group_weights.values():
            return None, None
        groups = group_shares(c, group_specs)
        if groups is None:
            return None, None
    if not rows or group_problem:
        return groups, None
    effective = effective_weights(c, rows, groups)
    if effective is None:
        return groups, None
    return groups, tuple(Criterion(weight=effective[r["id"]], **r) for r in rows)


def _criterion(c: Checker, path: tuple, spec: dict, normalization: str | None) -> dict | None:
    """One criterion's fields but its weight and group; None when a required one is unusable."""
    metric = c.string((*path, "metric"), spec["metric"]) if "metric" in spec else None
    direction = (c.choice((*path, "direction"), spec["direction"], DIRECTIONS,
                          "use 'min' for costs, incidents and ranks; 'max' for everything else")
                 if "direction" in spec else None)
    unit = c.choice((*path, "unit"), spec["unit"], sorted(UNIT_RANGES)) if "unit" in spec else None
    scale = None
    if "scale" in spec:
        scale = _scale(c, (*path, "scale"), spec["scale"])
    elif normalization == "fixed":
        c.fail(path, "missing required key 'scale' (normalization is 'fixed')",
               "add scale: {min: ..., max: ...} (the values that score 0 and 1), or set normalization: min-max")
    missing = c.choice((*path, "missing"), spec.get("missing", "worst"), MISSING_POLICIES,
                       "worst scores a missing figure 0; median gives it the median of the others; "
                       "error refuses to rank")
    rubric = _rubric(c, (*path, "rubric"), spec["rubric"]) if "rubric" in spec else None
    preference = _preference(c, (*path, "preference"), spec["preference"]) if "preference" in spec else None
    if preference is not None and preference[1] and normalization != "fixed":
        c.fail((*path, "preference"), f"thresholds in the criterion's units need normalization 'fixed', "
               f"got {normalization!r}", "a unit difference means the same distance only on a fixed scale; "
               "use normalization: fixed with scale: {min, max}, or the 'usual' function", key=True)
        preference = None
    for text_key in ("label", "rationale"):
        if text_key in spec:
            c.string((*path, text_key), spec[text_key], allow_empty=True, multiline=text_key == "rationale")
    if metric is None or direction is None:
        return None
    return dict(id=str(path[-1]), metric=metric, direction=direction, unit=unit, scale=scale,
                missing=missing or "worst", rubric=rubric or None, preference=preference,
                label=str(spec.get("label", "")), rationale=str(spec.get("rationale", "")),
                where=c.where(path, key=True), metric_where=c.where((*path, "metric")))


def _group_of(c: Checker, path: tuple, spec: dict, group_weights: dict | None) -> tuple[str | None, bool]:
    """The criterion's group (None without groups) and whether it names one correctly."""
    if group_weights is None:
        if "group" in spec:
            c.fail((*path, "group"), f"group {spec['group']!r} is not declared",
                   "declare it under a top-level 'groups:' mapping")
        return None, True
    if "group" not in spec:
        c.fail(path, "missing required key 'group' (this file declares groups)",
               f"add group: one of {sorted(group_weights)}")
        return None, False
    if spec["group"] not in group_weights:
        c.fail((*path, "group"), f"unknown group {spec['group']!r}", did_you_mean(str(spec["group"]), group_weights))
        return None, False
    return spec["group"], True


def _scale(c: Checker, path: tuple, raw: Any) -> Scale | None:
    s = c.mapping(path, raw, required=("min", "max"), what="a mapping {min, max}")
    if not s or "min" not in s or "max" not in s:
        return None
    lo, hi = c.number((*path, "min"), s["min"]), c.number((*path, "max"), s["max"])
    if lo is None or hi is None:
        return None
    if hi <= lo:
        c.fail(path, f"expected min < max, got min {lo:g} and max {hi:g}")
        return None
    if not math.isfinite(hi - lo):
        c.fail(path, f"the span max - min overflows (min {lo:g}, max {hi:g}): no score can be computed on it",
               "use a larger unit, so that max - min stays below about 1.8e308")
        return None
    return Scale(lo, hi)


def _rubric(c: Checker, path: tuple, raw: Any) -> dict[int, str] | None:
    r = c.mapping(path, raw, what="a mapping level -> meaning", open_keys=True)
    if r is None:
        return None
    rubric = {}
    for level, meaning in r.items():
        if not isinstance(level, int) or isinstance(level, bool):
            c.fail((*path, level), f"expected a whole-number level, got {shorten(repr(level), 60)}", key=True)
        elif abs(level) > _MAX_LEVEL:
            c.fail((*path, level), f"expected a level between {-_MAX_LEVEL:,} and {_MAX_LEVEL:,}, got "
                   f"{shorten(str(level), 40)}", "rubric levels are small whole numbers such as 0-5", key=True)
        else:
            rubric[level] = str(meaning)
    return rubric


def _preference(c: Checker, path: tuple, raw: Any) -> tuple[str, dict[str, float]] | None:
    """PROMETHEE preference function: {function, and its thresholds q, p or s in the criterion's units}."""
    from ..outranking import PARAMETERS, PREFERENCE_FUNCTIONS
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
