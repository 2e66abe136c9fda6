"""Second stage: validated models + an as-of date -> a vendors x criteria decision matrix with its evidence.

For each vendor and criterion the matrix holds one raw value: the latest observation of the criterion's metric
that was both over (its period had ended) and public (its source date had passed) at the as-of date. The
``evidence`` table says which observation that was and flags anything a reader should know about it.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from functools import cache
from itertools import chain
from operator import itemgetter
from typing import TYPE_CHECKING

import numpy as np

from .errors import ConfigError, ConfigErrors
from .models import (
    RECORD_FIELDS,
    UNIT_RANGES,
    CriteriaSet,
    Criterion,
    Observation,
    StabilityRule,
    Vendor,
    unit_of_metric,
)

if TYPE_CHECKING:                   # pandas is imported where a table is built: ``validate`` never needs it
    import pandas as pd

#: The flags a cell can carry, in the order they are shown.
FLAGS = ("missing", "estimate", "unsourced", "stale", "low-confidence", "derived", "unknown", "clipped",
         "mixed-period")

EVIDENCE_COLUMNS = ["vendor", "criterion", "metric", "value", "low", "high", "period", "source", "source_date",
                    "confidence", "note", "flags", "where", "fact"]

#: How far a figure may plausibly be off, as a share of its value, when its observation gives no low/high range.
#: One table for the whole tool: robustness analyses (tornado, SMAA) draw values within these bands.
UNCERTAINTY_BY_CONFIDENCE = {"high": 0.05, "medium": 0.15, "low": 0.30}
_UNSOURCED_CONFIDENCE = "low"      # a bare what-if number is as uncertain as the least trusted source


@dataclass(frozen=True)
class DecisionMatrix:
    """Raw values (vendors x criteria; NaN = missing) with everything needed to normalize and explain them.

    Attributes
    ----------
    values : DataFrame      raw metric values, index = vendor ids (sorted), columns = criterion ids
    weights : Series        effective weights, summing to 1
    directions : Series     "max" (more is better) or "min"
    lower, upper : Series   fixed scale bounds (NaN where none is declared)
    low, high : DataFrame   plausible range of each raw value (its observation's low/high, else a band from
                            ``UNCERTAINTY_BY_CONFIDENCE``, clipped to the unit's range); NaN where missing
    missing : Series        missing-data policy per criterion ("worst", "median" or "error")
    evidence : DataFrame    one row per cell, columns ``EVIDENCE_COLUMNS`` (criterion by criterion, each in the
                            order of ``values.index``)
    names : Series          display name per vendor
    as_of : date or None    the date the values were selected at (None for a matrix built by hand)
    """

    values: pd.DataFrame
    weights: pd.Series
    directions: pd.Series
    lower: pd.Series
    upper: pd.Series
    missing: pd.Series
    evidence: pd.DataFrame
    low: pd.DataFrame
    high: pd.DataFrame
    names: pd.Series
    as_of: dt.date | None


def shift_months(date: dt.date, months: int) -> dt.date:
    """The same day ``months`` later (negative: earlier), clamped to the month's length.

    >>> shift_months(dt.date(2024, 2, 29), -24), shift_months(dt.date(2023, 3, 31), -1)
    (datetime.date(2022, 2, 28), datetime.date(2023, 2, 28))
    """
    index = date.year * 12 + date.month - 1 + months
    year, month = divmod(index, 12)
    return dt.date(year, month + 1, min(date.day, calendar.monthrange(year, month + 1)[1]))


def select_observation(observations: tuple[Observation, ...], as_of: dt.date) -> Observation | None:
    """The latest observation known at ``as_of``: period ended and source published by then.

    Ties on the period prefer a sourced fact over an estimate, then the most recently published source.
    A bare (unsourced) what-if number has no date and is always selected.
    """
    if len(observations) == 1:                       # the common case, without building a list
        o = observations[0]
        return o if o.known_from <= as_of else None
    known = [o for o in observations if o.known_from <= as_of]
    if not known:
        return None
    return max(known, key=lambda o: (o.period_end or dt.date.min, not o.estimate, o.source_date or dt.date.min))


def stability_level(vendor: Vendor, rule: StabilityRule, as_of: dt.date) -> tuple[float, dict]:
    """Turn a vendor's incident list into a stability level at ``as_of`` (see criteria/README.md).

    Each counted incident in the trailing window weighs ``min(hours, cap) x scope weight x plane weight``, times
    the post-mortem factor when a written post-mortem came within the stated days. The sum maps to a level by
    the rule's bands. A vendor with nothing in the window is not "perfect": its level comes from its disclosure
    practice (``no_incidents``), and it is flagged ``unknown`` unless its status history was verified.

    Evidence counts only once its source was published by ``as_of``: an incident reported later, or a status-page
    finding dated later, was not known then (a status page not yet documented scores as ``none`` found).
    """
    start = shift_months(as_of, -rule.window_months)
    in_window = [i for i in vendor.incidents if i.counted and start < i.date <= as_of]
    used = [i for i in in_window if i.source_date is None or i.source_date <= as_of]
    unpublished = [i for i in in_window if i not in used]
    status = vendor.status_page
    known_page = status if status and (status.source_date is None or status.source_date <= as_of) else None
    page = known_page.value if known_page else "none"
    weighted = 0.0
    for inc in used:
        w = min(inc.duration_hours, rule.cap_hours) * rule.scope_weights[inc.scope] * rule.plane_weights[inc.plane]
        if inc.postmortem_days is not None and inc.postmortem_days <= rule.postmortem_days:
            w *= rule.postmortem_factor
        weighted += w
    flags = ["derived"]
    if not used:
        level = rule.no_incidents[page]
        if page != "verified":
            flags.append("unknown")
        note = f"no counted incident in the {rule.window_months} months to {as_of}; status page: {page}"
        if status and not known_page:
            note += f" (the finding '{status.value}' was published {status.source_date}, after {as_of})"
    else:
        level = next((lvl for below, lvl in rule.levels if weighted < below), rule.otherwise)
        note = (f"{len(used)} incident(s) in the {rule.window_months} months to {as_of} "
                f"({', '.join(str(i.date) for i in used)}); weighted hours {weighted:.2f}")
    if unpublished:
        note += "; not yet reported: " + ", ".join(f"{i.date} (source {i.source_date})" for i in unpublished)
    confidences = [i.confidence for i in used] + ([known_page.confidence] if known_page else ["low"])
    order = {"high": 0, "medium": 1, "low": 2}
    confidence = max(confidences, key=lambda x: order.get(x, 2))
    if confidence == "low":
        flags.append("low-confidence")
    sources = ("; ".join(dict.fromkeys(i.source for i in used)) or (known_page.source if known_page else ""))
    evidence = used if used else ([known_page] if known_page else [])
    dates = [e.source_date for e in evidence if e.source_date is not None]
    info = dict(period=f"{start + dt.timedelta(days=1)}..{as_of}", source=sources, confidence=confidence, note=note,
                flags=flags, weighted_hours=weighted, source_date=str(max(dates)) if dates else "",
                fact="; ".join(e.fact or "(no fact row)" for e in evidence),
                where=str(known_page.where if known_page else vendor.where))
    return float(level), info


def flag_mixed_periods(periods: list[str], flags: np.ndarray, notes: list[str], m: int,
                       observed: list[int]) -> None:
    """Flag ``mixed-period`` on each observed cell whose period differs from the one most cells of its criterion
    share (on a tie, the latest of them): a 2022 share beside 2023 shares compares two different markets.
    Derived cells (stability, computed over one window for everyone) and missing cells (no period) are left
    alone. ``periods`` and ``notes`` list the cells vendor-major (``m`` criteria per vendor, as
    :func:`select_cells` builds them), ``flags`` holds their bit masks (``FLAG_BITS``); ``observed`` are the
    criteria to look at. ``flags`` and ``notes`` are changed in place.

    >>> flags, notes = np.zeros(3, dtype=np.int64), ["", "", ""]
    >>> flag_mixed_periods(["2022-Q2", "2023-Q2", "2023-Q2"], flags, notes, 1, [0]); flags_of(int(flags[0]))
    ('mixed-period',)
    """
    from collections import Counter

    from .models import period_bounds

    for j in observed:
        column = periods[j::m]
        distinct = set(column)
        distinct.discard("")
        if len(distinct) < 2:                   # the usual case, decided without visiting the cells one by one
            continue
        counts = Counter(p for p in column if p)
        usual = max(counts, key=lambda p: (counts[p], period_bounds(p)[1]))
        for i, period in enumerate(column):
            if period and period != usual:
                k = i * m + j
                flags[k] |= FLAG_BITS["mixed-period"]
                notes[k] = f"{notes[k]} [period {period}; most of this criterion measures {usual}]".strip()


def uncertainty_range(value: float, confidence: str | None, criterion: Criterion,
                      low: float | None = None, high: float | None = None) -> tuple[float, float]:
    """The plausible range of a raw value: the observation's own low/high when given, else value +- band x |value|
    with the band from ``UNCERTAINTY_BY_CONFIDENCE``, clipped to the unit's range (a share stays in [0, 100]).

    >>> from scoring.models import Criterion
    >>> from scoring.errors import Where
    >>> c = Criterion("s", "share_pct", "max", 1.0, 1.0, Where("x"))
    >>> uncertainty_range(40.0, "low", c), uncertainty_range(98.0, "high", c), uncertainty_range(3, "low", c, 2, 4)
    ((28.0, 52.0), (93.1, 100.0), (2, 4))
    """
    if low is not None or high is not None:
        return (low if low is not None else value, high if high is not None else value)
    band = UNCERTAINTY_BY_CONFIDENCE.get(confidence or _UNSOURCED_CONFIDENCE, UNCERTAINTY_BY_CONFIDENCE["low"])
    floor, ceiling = _unit_limits(criterion)
    return (float(max(floor, value - band * abs(value))), float(min(ceiling, value + band * abs(value))))


@dataclass(frozen=True)
class MatrixCells:
    """The decision matrix before pandas: what :func:`build_matrix` wraps, and all that ``validate`` needs.

    ``values``, ``low``, ``high``: (n vendors, m criteria) float arrays (NaN = missing); ``evidence``: the columns
    of ``EVIDENCE_COLUMNS``, one entry per cell, vendor-major (entry i * m + j is vendor i, criterion j: the order
    of the matrix's rows, and of the explanation table); lists, except the numbers (value, low, high: flat views
    of the arrays);
    ``errors``: the ``missing: error`` problems, located at the criterion.
    """

    vendors: list[str]
    names: list[str]
    criteria: list[str]
    values: np.ndarray
    low: np.ndarray
    high: np.ndarray
    evidence: dict[str, list]
    errors: list[ConfigError]


def select_cells(criteria: CriteriaSet, vendors: list[Vendor], as_of: dt.date) -> MatrixCells:
    """Each vendor x criterion cell at ``as_of``: its value, plausible range and evidence (see :func:`build_matrix`).

    Vendor by vendor, each cell's observation gives one tuple made when it was loaded (``Observation.record``,
    fields ``RECORD_FIELDS``), so a vendor's objects are read while they are in cache; from there on everything
    is whole columns: the plausible ranges and the flags (bit masks) are numpy expressions over the whole
    matrix. No per-cell pandas call: the cost is linear in vendors x criteria, and ``validate`` never imports
    pandas.

    >>> from scoring.load import load_inputs
    >>> cs, vs = load_inputs("criteria/baseline.yaml", "vendors")
    >>> cells = select_cells(cs, vs, dt.date(2025, 12, 31))
    >>> cells.values.shape == (len(cells.vendors), len(cs.criteria)), len(cells.evidence["vendor"]) == cells.values.size
    (True, True)
    """
    chosen = sorted((v for v in vendors if not criteria.vendors or v.id in criteria.vendors), key=lambda v: v.id)
    crits = criteria.criteria
    n, m = len(chosen), len(crits)
    ids = [v.id for v in chosen]
    stability_metric = criteria.stability.metric if criteria.stability is not None else None
    derived = [j for j, c in enumerate(crits) if c.metric == stability_metric]
    observed = [j for j, c in enumerate(crits) if c.metric != stability_metric]
    no_metric = object()                         # the key of a derived column: no observation is ever read for it
    metrics = [no_metric if c.metric == stability_metric else c.metric for c in crits]

    # one record per cell, vendor-major; None where no observation is known at as_of
    flat = list(chain.from_iterable([_record(get(metric, ()), as_of) for metric in metrics]
                                    for get in (v.metrics.get for v in chosen)))
    derived_masks = {}
    for j in derived:                            # stability levels, worked out from each vendor's incidents
        for i, v in enumerate(chosen):
            flat[i * m + j], derived_masks[i * m + j] = _stability_record(v, criteria.stability, as_of)
    absent = [k for k, r in enumerate(flat) if r is None]
    errors = []
    for k in sorted(absent, key=lambda k: (k % m, k // m)):          # criterion by criterion, then vendor
        c = crits[k % m]
        if c.missing == "error":
            errors.append(ConfigError(c.where, f"criteria.{c.id}", f"vendor {ids[k // m]!r} has no value of "
                                      f"{c.metric!r} known at {as_of} (missing: error)",
                                      "add an observation to the vendor file, or choose missing: worst or median"))
    placeholders = [_ABSENT[:_NOTE] + (f"no observation of {c.metric!r} known at {as_of}",) + _ABSENT[_NOTE + 1:]
                    for c in crits]
    for k in absent:
        flat[k] = placeholders[k % m]
    f = _columns(flat)

    values = np.array(f["value"], dtype=float).reshape(n, m)
    low, high = _ranges(values, f["confidence_level"], f["low"], f["high"], crits)
    mask = _flag_masks(criteria, values, f, as_of)
    mask[absent] = FLAG_BITS["missing"]
    for k, bits in derived_masks.items():
        mask[k] = bits
    notes, periods = f["note"], f["period"]
    flag_mixed_periods(periods, mask, notes, m, observed)
    evidence = {"vendor": list(chain.from_iterable([i] * m for i in ids)), "criterion": [c.id for c in crits] * n,
                "metric": [c.metric for c in crits] * n, "value": values.ravel(),
                "low": low.ravel(), "high": high.ravel(), "period": periods,
                "source": f["source"], "source_date": f["source_date"], "confidence": f["confidence"],
                "note": notes, "flags": flag_lists(mask), "where": f["where"], "fact": f["fact"]}
    return MatrixCells(ids, [v.name for v in chosen], [c.id for c in crits], values, low, high,
                       {k: evidence[k] for k in EVIDENCE_COLUMNS}, errors)


#: The record of a cell with no observation (its note, filled in per criterion, names the metric and the date).
_ABSENT = (float("nan"), False, False, 0, None, None, None, "", "", "", "", "", "", "")
_NOTE = RECORD_FIELDS.index("note")


def _record(observations: tuple[Observation, ...], as_of: dt.date) -> tuple | None:
    """The record (``Observation.record``) of the observation :func:`select_observation` picks, or None."""
    if len(observations) == 1:                   # the common case, inline
        o = observations[0]
        return o.record if o.known_from <= as_of else None
    o = select_observation(observations, as_of)
    return None if o is None else o.record


def _stability_record(vendor: Vendor, rule: StabilityRule, as_of: dt.date) -> tuple[tuple, int]:
    """A stability cell as a record (``RECORD_FIELDS``) and its flags' bit mask: the level and what it rests on."""
    level, info = stability_level(vendor, rule, as_of)
    record = (level, False, False, 0, info["confidence"], None, None, info["period"], info["source"],
              info["source_date"], info["confidence"], info["note"], info["where"], info["fact"])
    return record, sum(FLAG_BITS[flag] for flag in set(info["flags"]))


def _columns(records: list[tuple]) -> dict[str, list]:
    """``RECORD_FIELDS`` -> one list per field over all cells, in the records' order (a C loop per field)."""
    return {name: list(map(itemgetter(k), records)) for k, name in enumerate(RECORD_FIELDS)}


def _flag_masks(criteria: CriteriaSet, values: np.ndarray, f: dict[str, list], as_of: dt.date) -> np.ndarray:
    """Each cell's flags as a bit mask (``FLAG_BITS``): estimate, unsourced, stale, low-confidence, clipped (a value
    outside a fixed scale), one numpy expression each over the whole matrix (vendor-major, ``values.ravel()``)."""
    stale_before = shift_months(as_of, -criteria.staleness_months)
    period_end_day = np.array(f["period_end_day"], dtype=np.int64)                   # 0: no period given
    stale = (period_end_day > 0) & (period_end_day < stale_before.toordinal())
    low_confidence = np.array(f["confidence"], dtype=object) == "low"
    lo = np.array([c.scale.lo if c.scale is not None else -np.inf for c in criteria.criteria], dtype=float)
    hi = np.array([c.scale.hi if c.scale is not None else np.inf for c in criteria.criteria], dtype=float)
    with np.errstate(invalid="ignore"):
        clipped = (((values < lo) | (values > hi)).ravel() if criteria.normalization == "fixed"
                   else np.zeros(values.size, dtype=bool))
    mask = np.zeros(values.size, dtype=np.int64)
    for flag, name in zip((f["estimate"], f["unsourced"], stale, low_confidence, clipped),
                          ("estimate", "unsourced", "stale", "low-confidence", "clipped"), strict=True):
        mask[np.asarray(flag, dtype=bool)] |= FLAG_BITS[name]
    return mask


def _ranges(x: np.ndarray, confidence: list, own_low: list, own_high: list,
            criteria: tuple[Criterion, ...]) -> tuple[np.ndarray, np.ndarray]:
    """:func:`uncertainty_range` for the whole matrix ``x`` (n, m) at once (same rule, numpy expressions), from the
    cells' confidences and own low/high (None where not given), vendor-major; NaN where ``x`` is."""
    bands = dict(UNCERTAINTY_BY_CONFIDENCE)
    band_of = {k: bands.get(k or _UNSOURCED_CONFIDENCE, bands["low"]) for k in set(confidence)}
    band = np.fromiter(map(band_of.__getitem__, confidence), dtype=float, count=x.size).reshape(x.shape)
    floor, ceiling = np.array([_unit_limits(c) for c in criteria], dtype=float).reshape(-1, 2).T
    lo = np.maximum(floor, x - band * np.abs(x))
    hi = np.minimum(ceiling, x + band * np.abs(x))
    if own_low.count(None) == len(own_low) and own_high.count(None) == len(own_high):
        return lo, hi                           # no observation gives its own range (the usual case)
    own_low, own_high = (np.array([np.nan if b is None else b for b in given], dtype=float).reshape(x.shape)
                         for given in (own_low, own_high))
    given = ~np.isnan(own_low) | ~np.isnan(own_high)
    lo = np.where(given, np.where(np.isnan(own_low), x, own_low), lo)
    hi = np.where(given, np.where(np.isnan(own_high), x, own_high), hi)
    return lo, hi


def _unit_limits(criterion: Criterion) -> tuple[float, float]:
    """The range a criterion's unit (and rubric) allows a plausible value to reach (``UNIT_RANGES``)."""
    unit = criterion.unit or unit_of_metric(criterion.metric)
    floor, ceiling = UNIT_RANGES.get(unit, (-np.inf, np.inf))
    if criterion.rubric:
        floor, ceiling = max(floor, min(criterion.rubric)), min(ceiling, max(criterion.rubric))
    return floor, ceiling


FLAG_BITS = {f: 1 << k for k, f in enumerate(FLAGS)}


def flag_lists(masks: np.ndarray) -> list[list[str]]:
    """One new list of flags per bit mask (:func:`flags_of`), each distinct mask decoded once."""
    masks = masks.tolist()
    decoded = {k: flags_of(k) for k in set(masks)}
    return list(map(list, map(decoded.__getitem__, masks)))


@cache
def flags_of(mask: int) -> tuple[str, ...]:
    """The flags of a bit mask (``FLAG_BITS``), in ``FLAGS`` order.

    >>> flags_of(FLAG_BITS["stale"] | FLAG_BITS["missing"])
    ('missing', 'stale')
    """
    return tuple(f for f in FLAGS if mask & FLAG_BITS[f])


def build_matrix(criteria: CriteriaSet, vendors: list[Vendor], as_of: dt.date | None = None) -> DecisionMatrix:
    """Vendors x criteria raw values at ``as_of`` (default: the criteria file's ``as_of``; the engine never reads
    the clock: with neither, a ValueError asks for a date).

    Raises ``ConfigErrors`` when a criterion says ``missing: error`` and a vendor has no value.

    >>> from scoring.load import load_inputs
    >>> cs, vs = load_inputs("criteria/baseline.yaml", "vendors")
    >>> dm = build_matrix(cs, vs, dt.date(2025, 12, 31))
    >>> list(dm.values.columns) == [c.id for c in cs.criteria], round(float(dm.weights.sum()), 12)
    (True, 1.0)
    """
    import pandas as pd
    as_of = as_of or criteria.as_of
    if as_of is None:
        raise ValueError(f"no as-of date: pass as_of, or set 'as_of: YYYY-MM-DD' in {criteria.path}")
    cells = select_cells(criteria, vendors, as_of)
    if cells.errors:
        raise ConfigErrors(cells.errors)
    index = pd.Index(cells.vendors, name="vendor")
    columns = pd.Index(cells.criteria, name="criterion")
    crit = criteria.criteria

    def frame(x: np.ndarray) -> pd.DataFrame:
        return pd.DataFrame(x, index=index, columns=columns)

    def per_criterion(name: str, values: list, dtype=None) -> pd.Series:
        return pd.Series(values, index=pd.Index(cells.criteria), name=name, dtype=dtype)

    return DecisionMatrix(
        values=frame(cells.values),
        weights=per_criterion("weight", [c.weight for c in crit], float),
        directions=per_criterion("direction", [c.direction for c in crit]),
        lower=per_criterion("lower", [c.scale.lo if c.scale else np.nan for c in crit], float),
        upper=per_criterion("upper", [c.scale.hi if c.scale else np.nan for c in crit], float),
        missing=per_criterion("missing", [c.missing for c in crit]),
        evidence=pd.DataFrame(cells.evidence, columns=EVIDENCE_COLUMNS),
        low=frame(cells.low),
        high=frame(cells.high),
        names=pd.Series(cells.names, index=pd.Index(cells.vendors), name="name"),
        as_of=as_of,
    )


def make_matrix(columns: dict[str, list[float]], *, vendors: list[str], weights: dict[str, float],
                directions: dict[str, str] | None = None, bounds: dict[str, tuple[float, float]] | None = None,
                missing: str = "worst", low: dict[str, list[float]] | None = None,
                high: dict[str, list[float]] | None = None) -> DecisionMatrix:
    """Build a DecisionMatrix directly from numbers (notebooks, tests, benchmarks); weights are rescaled to sum to 1.

    ``columns`` maps each criterion to one value per vendor (NaN: missing); every column needs a weight;
    ``directions`` are exactly ``"max"`` (the default) or ``"min"``; ``bounds`` are fixed scales ``(lo, hi)``;
    ``low``/``high`` give each value's plausible range per criterion (default: no uncertainty).

    The arguments are checked as the loader checks a file: a ValueError lists every problem at once.

    >>> dm = make_matrix({"share": [30, 10]}, vendors=["a", "b"], weights={"share": 2})
    >>> dm.weights.to_dict(), dm.directions.to_dict()
    ({'share': 1.0}, {'share': 'max'})
    >>> make_matrix({"share": [30, 10]}, vendors=["a", "b"], weights={"shares": 2}, directions={"share": "Max"})
    Traceback (most recent call last):
    ...
    ValueError: make_matrix: 3 problems in the arguments
    weights: no weight for column 'share'
    weights['shares']: not a column (did you mean 'share'?)
    directions['share']: expected 'max' or 'min', got 'Max' (did you mean 'max'?)
    """
    import pandas as pd
    directions, bounds, low, high = directions or {}, bounds or {}, low or {}, high or {}
    problems = _make_matrix_problems(columns, vendors, weights, directions, bounds, missing, low, high)
    if problems:
        count = len(problems)
        raise ValueError("\n".join([f"make_matrix: {count} problem{'s' if count != 1 else ''} in the arguments",
                                    *problems]))
    cols = list(columns)
    values = pd.DataFrame({k: np.asarray(columns[k], dtype=float) for k in cols},
                          index=pd.Index(vendors, name="vendor"))
    values.columns.name = "criterion"
    raw = pd.Series({k: float(weights[k]) for k in cols}, name="weight")
    return DecisionMatrix(
        values=values,
        weights=raw / raw.sum(),
        directions=pd.Series({k: directions.get(k, "max") for k in cols}, name="direction"),
        lower=pd.Series({k: bounds[k][0] if k in bounds else np.nan for k in cols}, name="lower", dtype=float),
        upper=pd.Series({k: bounds[k][1] if k in bounds else np.nan for k in cols}, name="upper", dtype=float),
        missing=pd.Series({k: missing for k in cols}, name="missing"),
        evidence=pd.DataFrame(columns=EVIDENCE_COLUMNS),
        low=pd.DataFrame({k: np.asarray(low.get(k, columns[k]), dtype=float) for k in cols},
                         index=values.index).rename_axis(columns="criterion"),
        high=pd.DataFrame({k: np.asarray(high.get(k, columns[k]), dtype=float) for k in cols},
                          index=values.index).rename_axis(columns="criterion"),
        names=pd.Series({v: v for v in vendors}, name="name"),
        as_of=None,
    )


def _make_matrix_problems(columns: dict, vendors: list, weights: dict, directions: dict, bounds: dict, missing: str,
                          low: dict, high: dict) -> list[str]:
    """Every problem in :func:`make_matrix`'s arguments, one line each, in the order of the arguments."""
    import math
    from collections import Counter
    from numbers import Real

    from .errors import did_you_mean
    from .models import DIRECTIONS, MISSING_POLICIES

    cols = list(columns)
    problems = []

    def close(word, choices) -> str:
        hint = did_you_mean(str(word), choices)
        return f" ({hint})" if hint.startswith("did") else ""

    def not_columns(name: str, given: dict) -> None:
        for key in given:
            if key not in columns:
                shown = close(key, cols) or (f" (the columns are {', '.join(map(repr, cols))})" if cols else "")
                problems.append(f"{name}[{key!r}]: not a column{shown}")

    def column_of_numbers(name: str, key, value) -> None:
        try:
            array = np.asarray(value, dtype=float)
        except (TypeError, ValueError):
            problems.append(f"{name}[{key!r}]: expected a list of numbers, got {value!r}")
            return
        if array.ndim != 1:
            problems.append(f"{name}[{key!r}]: expected a list of numbers, got an array of shape {array.shape}")
        elif len(array) != len(vendors):
            problems.append(f"{name}[{key!r}]: {len(array)} values for {len(vendors)} vendors")

    if not cols:
        problems.append("columns: no columns; give at least one criterion")
    for vid, count in Counter(vendors).items():
        if count > 1:
            problems.append(f"vendors: {vid!r} appears {count} times; each vendor id names one row")
    for key in cols:
        column_of_numbers("columns", key, columns[key])
    valid = []
    for key in cols:
        if key not in weights:
            problems.append(f"weights: no weight for column {key!r}")
            continue
        w = weights[key]
        if isinstance(w, bool) or not isinstance(w, Real) or not math.isfinite(w) or w < 0:
            problems.append(f"weights[{key!r}]: expected a finite non-negative number, got {w!r}")
        else:
            valid.append(float(w))
    if cols and len(valid) == len(cols) and sum(valid) <= 0:
        problems.append("weights: every weight is zero; give at least one column a positive weight")
    not_columns("weights", weights)
    for key, direction in directions.items():
        if key in columns and direction not in DIRECTIONS:
            exact = str(direction).strip().lower()
            hint = f" (did you mean {exact!r}?)" if exact in DIRECTIONS else close(direction, DIRECTIONS)
            problems.append(f"directions[{key!r}]: expected 'max' or 'min', got {direction!r}{hint}")
    not_columns("directions", directions)
    for key, pair in bounds.items():
        if key not in columns:
            continue
        ok = (isinstance(pair, (tuple, list)) and len(pair) == 2
              and all(isinstance(x, Real) and not isinstance(x, bool) and math.isfinite(x) for x in pair)
              and pair[0] < pair[1])
        if not ok:
            problems.append(f"bounds[{key!r}]: expected finite (lo, hi) with lo < hi, got {pair!r}")
    not_columns("bounds", bounds)
    for name, ranges in (("low", low), ("high", high)):
        for key, value in ranges.items():
            if key in columns:
                column_of_numbers(name, key, value)
        not_columns(name, ranges)
    if missing not in MISSING_POLICIES:
        problems.append(f"missing: expected one of {', '.join(map(repr, MISSING_POLICIES))}, got {missing!r}"
                        + close(missing, MISSING_POLICIES))
    return problems
