"""What the YAML declares, as frozen dataclasses: criteria sets, criteria, vendors, observations, incidents.

Everything downstream receives these objects, never raw dicts. Each carries the ``Where`` it came from so a
later stage (building the matrix) can still point at the line that caused a problem.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass, field

from .errors import Where

# The names of methods and normalizations live with their registries: methods.METHOD_NAMES and
# normalize.NORMALIZATION_NAMES.
DIRECTIONS = ("max", "min")
CONFIDENCES = ("high", "medium", "low")
MISSING_POLICIES = ("worst", "median", "error")
SCOPES = ("az", "region", "multi_region", "global")
PLANES = ("data", "control", "unclear")
STATUS_PAGES = ("verified", "unverified", "none")

# Units: a criterion's `unit`, or a metric name ending in `_<unit>`, bounds the values it may take.
UNIT_RANGES: dict[str, tuple[float, float]] = {
    "pct": (0.0, 100.0),          # a share or a ratio in percent
    "pp": (-100.0, 100.0),        # a change in percentage points
    "level": (0.0, 5.0),          # an ordinal rubric level 0-5
    "rank": (1.0, float("inf")),  # 1 = first
    "hours": (0.0, float("inf")),
    "count": (0.0, float("inf")),
    "rmb_m": (0.0, float("inf")),
    "rmb_bn": (0.0, float("inf")),
    "usd_bn": (0.0, float("inf")),
    "eflops": (0.0, float("inf")),
    "index": (float("-inf"), float("inf")),
}


def unit_of_metric(metric: str) -> str | None:
    """The unit a metric name carries in its suffix, if it is one we know.

    >>> unit_of_metric("canalys_share_pct"), unit_of_metric("chip_supply_level"), unit_of_metric("odd")
    ('pct', 'level', None)
    """
    for unit in sorted(UNIT_RANGES, key=len, reverse=True):
        if metric.endswith("_" + unit):
            return unit
    return None


_PERIOD = re.compile(r"^(\d{4})(?:-(Q[1-4]|H[12]|\d{2})(?:-(\d{2}))?)?$")


def period_bounds(text: str) -> tuple[dt.date, dt.date]:
    """First and last day of a period: ``YYYY``, ``YYYY-Qn``, ``YYYY-Hn``, ``YYYY-MM`` or ``YYYY-MM-DD``.

    >>> period_bounds("2023-Q3")
    (datetime.date(2023, 7, 1), datetime.date(2023, 9, 30))
    >>> period_bounds("2025-H1")[1], period_bounds("2024")[1], period_bounds("2024-02")[1]
    (datetime.date(2025, 6, 30), datetime.date(2024, 12, 31), datetime.date(2024, 2, 29))
    """
    match = _PERIOD.match(str(text).strip())
    if not match:
        raise ValueError(f"{text!r} is not a period")
    year, part, day = int(match.group(1)), match.group(2), match.group(3)
    if part is None:
        return dt.date(year, 1, 1), dt.date(year, 12, 31)
    if part.startswith("Q"):
        q = int(part[1])
        first_month, last_month = 3 * q - 2, 3 * q
    elif part.startswith("H"):
        h = int(part[1])
        first_month, last_month = 6 * h - 5, 6 * h
    else:
        first_month = last_month = int(part)
        if not 1 <= first_month <= 12:
            raise ValueError(f"{text!r}: month {first_month} is not 1-12")
        if day is not None:
            date = dt.date(year, first_month, int(day))
            return date, date
    last_day = calendar.monthrange(year, last_month)[1]
    return dt.date(year, first_month, 1), dt.date(year, last_month, last_day)


@dataclass(frozen=True)
class Scale:
    """Fixed normalization bounds: ``lo`` scores 0 and ``hi`` scores 1 for a ``max`` criterion."""

    lo: float
    hi: float


@dataclass(frozen=True)
class Criterion:
    """One criterion of a criteria set. ``weight`` is effective (the set's weights sum to 1)."""

    id: str
    metric: str
    direction: str
    weight: float
    raw_weight: float
    where: Where
    label: str = ""
    rationale: str = ""
    unit: str | None = None
    scale: Scale | None = None
    missing: str = "worst"
    group: str | None = None
    rubric: dict[int, str] | None = None
    metric_where: Where | None = None
    preference: tuple[str, dict[str, float]] | None = None   # PROMETHEE: (function, {q, p, s} in raw units)


@dataclass(frozen=True)
class Group:
    id: str
    weight: float          # effective: group weights sum to 1
    raw_weight: float
    label: str = ""
    rationale: str = ""


@dataclass(frozen=True)
class StabilityRule:
    """How a vendor's incident list becomes a stability level (see criteria/README.md)."""

    metric: str
    window_months: int
    cap_hours: float
    scope_weights: dict[str, float]
    plane_weights: dict[str, float]
    postmortem_days: int
    postmortem_factor: float
    levels: tuple[tuple[float, float], ...]   # (below weighted hours, level), ascending bounds
    otherwise: float
    no_incidents: dict[str, float]            # status page -> level when nothing falls in the window
    where: Where


@dataclass(frozen=True)
class CriteriaSet:
    """A named view: criteria with weights, method, normalization and the rules for derived metrics."""

    name: str
    method: str
    normalization: str
    criteria: tuple[Criterion, ...]
    path: str
    sha256: str
    description: str = ""
    as_of: dt.date | None = None
    staleness_months: int = 24
    tolerance: float = 1e-9
    groups: tuple[Group, ...] = ()
    stability: StabilityRule | None = None
    vendors: tuple[str, ...] | None = None
    vendors_where: Where | None = None
    method_where: Where | None = None

    @property
    def weights(self) -> dict[str, float]:
        return {c.id: c.weight for c in self.criteria}


@dataclass(frozen=True, slots=True)
class Observation:
    """One dated, sourced value of a metric. ``unsourced`` is True for a bare number typed as a what-if."""

    value: float
    where: Where
    period: str | None = None
    period_end: dt.date | None = None
    source: str = ""
    source_date: dt.date | None = None
    confidence: str | None = None
    note: str = ""
    estimate: bool = False
    low: float | None = None
    high: float | None = None
    fact: str | None = None
    seed: str | None = None
    unsourced: bool = False
    #: made once with the observation, as loading reads each file once: the first day the figure was known (its
    #: period ended and its source published; ``date.min`` for a bare what-if number), and its fields as the
    #: matrix's evidence table shows them (``RECORD_FIELDS``). Selecting and tabulating 500,000 cells then reads
    #: two attributes per cell instead of thirteen, and formats nothing (issue 10).
    known_from: dt.date = field(init=False, repr=False, compare=False)
    record: tuple = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        known = dt.date.min if self.unsourced else max(self.period_end or dt.date.min, self.source_date or dt.date.min)
        fact = self.fact or ("estimate" if self.estimate else "")
        period_end_day = 0 if self.period_end is None else self.period_end.toordinal()
        record = (self.value, self.estimate, self.unsourced, period_end_day, self.confidence, self.low, self.high,
                  self.period or "", self.source, "" if self.source_date is None else self.source_date.isoformat(),
                  self.confidence or "", self.note, str(self.where), fact)
        object.__setattr__(self, "known_from", known)
        object.__setattr__(self, "record", record)


#: What ``Observation.record`` holds, in order: the raw fields the numbers are worked out from (the period's
#: end as ``date.toordinal()``, 0 when none, so a whole column of them is one integer array), then the text
#: columns of the evidence table (``scoring.matrix.EVIDENCE_COLUMNS``).
RECORD_FIELDS = ("value", "estimate", "unsourced", "period_end_day", "confidence_level", "low", "high",
                 "period", "source", "source_date", "confidence", "note", "where", "fact")


@dataclass(frozen=True)
class Incident:
    date: dt.date
    duration_hours: float
    scope: str
    plane: str
    where: Where
    region: str = ""
    postmortem_days: float | None = None
    counted: bool = True
    source: str = ""
    source_date: dt.date | None = None
    confidence: str | None = None
    note: str = ""
    low: float | None = None
    high: float | None = None
    fact: str | None = None


@dataclass(frozen=True)
class StatusPage:
    value: str
    where: Where
    source: str = ""
    source_date: dt.date | None = None
    confidence: str | None = None
    note: str = ""
    fact: str | None = None


@dataclass(frozen=True)
class Vendor:
    id: str
    name: str
    path: str
    sha256: str
    where: Where
    metrics: dict[str, tuple[Observation, ...]] = field(default_factory=dict)
    incidents: tuple[Incident, ...] = ()
    status_page: StatusPage | None = None
    name_zh: str = ""
    parent: str = ""


# ---------------------------------------------------------------------------------------- strategy model

COEFFICIENT_KINDS = ("fact", "derived", "assumption")


@dataclass(frozen=True)
class Coefficient:
    """One number of a strategy model and what it rests on: a ``fact`` (its fact row and/or seed), ``derived``
    (its formula), or an ``assumption`` (owner, date, and the low/high range that ``--draws`` samples).

    Percentages are held in percent (``"5%"`` -> 5.0); ``value`` is None only for a derived coefficient the
    optimizer computes (the calibrated margin)."""

    key: str                      # the YAML key path, e.g. "lines.public.margin"
    value: float | None
    kind: str
    where: Where
    low: float | None = None
    high: float | None = None
    owner: str = ""
    date: dt.date | None = None
    fact: str | None = None
    seed: str | None = None
    formula: str = ""
    note: str = ""


@dataclass(frozen=True)
class BusinessLine:
    """A line of business: its share of the base quarter's revenue, margin, growth limit and resource use."""

    id: str
    label: str
    share_of_base: Coefficient            # percent of base revenue
    margin: Coefficient                   # adjusted EBITA margin, percent (value None: calibrated)
    growth_cap: Coefficient | None        # percent per quarter on the previous quarter's revenue ...
    growth_cap_rmb_bn: Coefficient | None  # ... or a level cap per quarter (for a line that starts at zero)
    compute_kgpu_per_rmb_bn: Coefficient
    headcount_k_per_rmb_bn: Coefficient
    counts_for: tuple[str, ...]           # metrics whose market share this line's revenue counts towards
    government: bool                      # counts towards the minimum government/hybrid presence
    where: Where


@dataclass(frozen=True)
class Move:
    """A yes/no strategic move, decided at the start of the horizon and in force throughout it."""

    id: str
    label: str
    seed: str | None
    fixed_cost_rmb_bn: Coefficient        # per quarter, off EBITA
    capex_rmb_bn: Coefficient             # once, against the capex budget
    raises_growth_cap: dict[str, Coefficient]     # line -> extra growth cap, percentage points per quarter
    raises_capacity_kgpu: Coefficient | None
    raises_metric: dict[str, Coefficient]         # metric -> raw change of the focal vendor's value
    closes_lines: tuple[str, ...]         # lines that go to zero (and lose their adjustment floor)
    opens_lines: tuple[str, ...]          # lines that are closed unless this move is chosen
    excludes: tuple[str, ...]
    requires: tuple[str, ...]
    where: Where


@dataclass(frozen=True)
class Preset:
    """A named bundle of constraints: moves forced on or off, and overrides of the model's constraints."""

    id: str
    label: str
    seed: str | None
    passage: str
    force: dict[str, bool]
    min_government_share: float | None    # percent; None: the model's
    margin_floor: float | None            # percent; None: the model's
    where: Where


@dataclass(frozen=True)
class StrategyModel:
    """A focal vendor's strategy model (schema ``strategy/v1``); see strategy/README.md."""

    name: str
    vendor: str
    criteria_path: str                    # resolved against the strategy file's folder
    as_of: dt.date
    base_quarter: str
    horizon_quarters: int
    base_revenue_rmb_bn: Coefficient
    base_ebita_rmb_bn: Coefficient
    lines: tuple[BusinessLine, ...]
    moves: tuple[Move, ...]
    constraints: dict[str, Coefficient]   # margin_floor, compute_capacity_kgpu, headcount_k, capex_budget_rmb_bn,
                                          # adjustment_floor, min_government_share
    metrics: dict[str, dict[str, Coefficient]]   # metric -> {"market_growth": ...}
    presets: tuple[Preset, ...]
    path: str
    sha256: str
    where: Where
    observed: dict[str, dict[str, Coefficient]] = field(default_factory=dict)
    # quarter ("2024-Q3") -> {"revenue_rmb_bn", "margin"}: what happened, for the backtest; facts only

    def line(self, line_id: str) -> BusinessLine:
        return next(x for x in self.lines if x.id == line_id)

    def move(self, move_id: str) -> Move:
        return next(x for x in self.moves if x.id == move_id)

    def preset(self, preset_id: str) -> Preset:
        return next(x for x in self.presets if x.id == preset_id)

    def coefficients(self) -> list[Coefficient]:
        """Every coefficient of the model, in file order (for the provenance ledger and the assumption draws)."""
        found: list[Coefficient] = [self.base_revenue_rmb_bn, self.base_ebita_rmb_bn]
        for x in self.lines:
            found += [c for c in (x.share_of_base, x.margin, x.growth_cap, x.growth_cap_rmb_bn,
                                  x.compute_kgpu_per_rmb_bn, x.headcount_k_per_rmb_bn) if c is not None]
        for m in self.moves:
            found += [m.fixed_cost_rmb_bn, m.capex_rmb_bn, *m.raises_growth_cap.values(),
                      *([m.raises_capacity_kgpu] if m.raises_capacity_kgpu else []), *m.raises_metric.values()]
        found += list(self.constraints.values())
        found += [c for spec in self.metrics.values() for c in spec.values()]
        return sorted(found, key=lambda c: (c.where.line, c.where.column))
