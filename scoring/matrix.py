"""Second stage: validated models + an as-of date -> a vendors x criteria decision matrix with its evidence.

For each vendor and criterion the matrix holds one raw value: the latest observation of the criterion's metric
that was both over (its period had ended) and public (its source date had passed) at the as-of date. The
``evidence`` table says which observation that was and flags anything a reader should know about it.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .errors import ConfigError, ConfigErrors
from .models import UNIT_RANGES, CriteriaSet, Criterion, Observation, StabilityRule, Vendor, unit_of_metric

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
    evidence : DataFrame    one row per cell, columns ``EVIDENCE_COLUMNS``
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
    known = [o for o in observations
             if o.unsourced or ((o.period_end is None or o.period_end <= as_of)
                                and (o.source_date is None or o.source_date <= as_of))]
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


def flag_mixed_periods(rows: list[dict]) -> None:
    """Flag ``mixed-period`` on each observed cell whose period differs from the one most cells of its criterion
    share (on a tie, the latest of them): a 2022 share beside 2023 shares compares two different markets.
    Derived cells (stability, computed over one window for everyone) and missing cells are left alone.

    >>> rows = [dict(criterion="s", period=p, flags=[], note="") for p in ("2022-Q2", "2023-Q2", "2023-Q2")]
    >>> flag_mixed_periods(rows); [r["flags"] for r in rows]
    [['mixed-period'], [], []]
    """
    from collections import Counter

    from .models import period_bounds

    cells: dict[str, list[dict]] = {}
    for row in rows:
        if row["period"] and "derived" not in row["flags"] and "missing" not in row["flags"]:
            cells.setdefault(row["criterion"], []).append(row)
    for group in cells.values():
        counts = Counter(r["period"] for r in group)
        if len(counts) < 2:
            continue
        usual = max(counts, key=lambda p: (counts[p], period_bounds(p)[1]))
        for r in group:
            if r["period"] != usual:
                r["flags"] = [*r["flags"], "mixed-period"]
                r["note"] = f"{r['note']} [period {r['period']}; most of this criterion measures {usual}]".strip()


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
    unit = criterion.unit or unit_of_metric(criterion.metric)
    floor, ceiling = UNIT_RANGES.get(unit, (-np.inf, np.inf))
    if criterion.rubric:
        floor, ceiling = max(floor, min(criterion.rubric)), min(ceiling, max(criterion.rubric))
    return (float(max(floor, value - band * abs(value))), float(min(ceiling, value + band * abs(value))))


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
    as_of = as_of or criteria.as_of
    if as_of is None:
        raise ValueError(f"no as-of date: pass as_of, or set 'as_of: YYYY-MM-DD' in {criteria.path}")
    chosen = sorted((v for v in vendors if not criteria.vendors or v.id in criteria.vendors), key=lambda v: v.id)
    ids = [v.id for v in chosen]
    cols = [c.id for c in criteria.criteria]
    values = pd.DataFrame(np.nan, index=pd.Index(ids, name="vendor"), columns=pd.Index(cols, name="criterion"))
    rows, errors = [], []
    stale_before = shift_months(as_of, -criteria.staleness_months)
    for v in chosen:
        for c in criteria.criteria:
            row = dict(vendor=v.id, criterion=c.id, metric=c.metric, value=np.nan, low=np.nan, high=np.nan, period="",
                       source="", source_date="", confidence="", note="", flags=[], where="", fact="")
            if criteria.stability is not None and c.metric == criteria.stability.metric:
                level, info = stability_level(v, criteria.stability, as_of)
                values.loc[v.id, c.id] = level
                lo, hi = uncertainty_range(level, info["confidence"], c)
                row.update(value=level, low=lo, high=hi, period=info["period"], source=info["source"],
                           source_date=info["source_date"], confidence=info["confidence"], note=info["note"],
                           flags=info["flags"], where=info["where"], fact=info["fact"])
            else:
                obs = select_observation(v.metrics.get(c.metric, ()), as_of)
                if obs is None:
                    row["flags"] = ["missing"]
                    row["note"] = f"no observation of {c.metric!r} known at {as_of}"
                    if c.missing == "error":
                        errors.append(ConfigError(c.where, f"criteria.{c.id}", f"vendor {v.id!r} has no value of "
                                                  f"{c.metric!r} known at {as_of} (missing: error)",
                                                  "add an observation to the vendor file, "
                                                  "or choose missing: worst or median"))
                else:
                    values.loc[v.id, c.id] = obs.value
                    flags = []
                    if obs.estimate:
                        flags.append("estimate")
                    if obs.unsourced:
                        flags.append("unsourced")
                    if obs.period_end is not None and obs.period_end < stale_before:
                        flags.append("stale")
                    if obs.confidence == "low":
                        flags.append("low-confidence")
                    if (c.scale is not None and criteria.normalization == "fixed"
                            and not c.scale.lo <= obs.value <= c.scale.hi):
                        flags.append("clipped")
                    lo, hi = uncertainty_range(obs.value, obs.confidence, c, obs.low, obs.high)
                    row.update(value=obs.value, low=lo, high=hi, period=obs.period or "", source=obs.source,
                               source_date=str(obs.source_date or ""), confidence=obs.confidence or "",
                               note=obs.note, flags=flags, where=str(obs.where),
                               fact=obs.fact or ("estimate" if obs.estimate else ""))
            rows.append(row)
    if errors:
        raise ConfigErrors(errors)
    flag_mixed_periods(rows)
    evidence = pd.DataFrame(rows, columns=EVIDENCE_COLUMNS)
    crit = {c.id: c for c in criteria.criteria}
    bounds = {k: evidence.pivot(index="vendor", columns="criterion", values=k).reindex(index=ids, columns=cols)
              .astype(float).rename_axis(index="vendor", columns="criterion") for k in ("low", "high")}
    return DecisionMatrix(
        values=values,
        weights=pd.Series({k: crit[k].weight for k in cols}, name="weight"),
        directions=pd.Series({k: crit[k].direction for k in cols}, name="direction"),
        lower=pd.Series({k: crit[k].scale.lo if crit[k].scale else np.nan for k in cols}, name="lower", dtype=float),
        upper=pd.Series({k: crit[k].scale.hi if crit[k].scale else np.nan for k in cols}, name="upper", dtype=float),
        missing=pd.Series({k: crit[k].missing for k in cols}, name="missing"),
        evidence=evidence,
        low=bounds["low"],
        high=bounds["high"],
        names=pd.Series({v.id: v.name for v in chosen}, name="name"),
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
