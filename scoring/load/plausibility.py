"""Plausibility checks at entry: figures that pass validation but are probably mistyped or inconsistent.

Each check returns warnings, located like errors (``file:line:column: key.path: problem``), never a refusal:
a value can be odd and right. :func:`plausibility_warnings` runs them all on the vendors of one folder.

- a ``_pct`` value below 1 where every other value of its metric is above 1 (0.358 typed for 35.8%);
- the shares of one release (metric and period) summing past 100%;
- a sourced figure whose period ends after its source was published (a forecast recorded as a fact);
- a size (share, revenue, compute) more than ``HISTORY_RATIO`` times above or below every other value the vendor
  has of that metric (profits are left out: they swing through zero).
"""

from __future__ import annotations

from ..errors import ConfigError
from ..models import Observation, Vendor, unit_of_metric

#: How far (as a ratio) a value may sit from the median of the vendor's other values before it is questioned.
HISTORY_RATIO = 3.0
_SIZE_UNITS = ("pct", "rmb_m", "rmb_bn", "usd_bn", "eflops")


def _key(metric: str, i: int) -> str:
    return f"metrics.{metric}[{i}].value"


def _sourced(vendors: list[Vendor]):
    for v in vendors:
        for metric, observations in v.metrics.items():
            for i, o in enumerate(observations):
                if not o.unsourced:
                    yield v, metric, i, o


def fraction_for_percent(vendors: list[Vendor]) -> list[ConfigError]:
    """A pct value below 1 among values of the same metric that are all above 1."""
    by_metric: dict[str, list[tuple[Vendor, int, Observation]]] = {}
    for v, metric, i, o in _sourced(vendors):
        if unit_of_metric(metric) == "pct":
            by_metric.setdefault(metric, []).append((v, i, o))
    out = []
    for metric, items in by_metric.items():
        for v, i, o in items:
            others = [x.value for w, j, x in items if (w.id, j) != (v.id, i)]
            if 0 < o.value < 1 and others and min(others) > 1:
                out.append(ConfigError(o.where, _key(metric, i),
                                       f"{o.value:g} looks like a fraction: the metric's other values run from "
                                       f"{min(others):g} to {max(others):g}",
                                       f"a pct is 0-100: write {o.value * 100:g} for {o.value * 100:g}%"))
    return out


def shares_past_100(vendors: list[Vendor]) -> list[ConfigError]:
    """The vendors' shares in one release (a ``share`` pct metric at one period) adding up to more than 100%."""
    releases: dict[tuple[str, str], list[tuple[Vendor, int, Observation]]] = {}
    for v, metric, i, o in _sourced(vendors):
        if unit_of_metric(metric) == "pct" and "share" in metric and o.period:
            releases.setdefault((metric, o.period), []).append((v, i, o))
    out = []
    for (metric, period), items in releases.items():
        total = sum(o.value for _, _, o in items)
        if total > 100 + 1e-9:
            v, i, o = items[-1]
            parts = " + ".join(f"{w.id} {x.value:g}" for w, _, x in items)
            out.append(ConfigError(o.where, _key(metric, i),
                                   f"the {period} shares of {metric} add up to {total:g}% ({parts})",
                                   "one release cannot share out more than the whole market; check the values "
                                   "and that they come from one source and scope"))
    return out


def period_after_source(vendors: list[Vendor]) -> list[ConfigError]:
    """A sourced figure (not an estimate) measuring a period that had not ended when its source was published."""
    out = []
    for _vendor, metric, i, o in _sourced(vendors):
        if o.estimate or o.period_end is None or o.source_date is None:
            continue
        if o.period_end > o.source_date:
            out.append(ConfigError(o.where, _key(metric, i),
                                   f"period {o.period} ends {o.period_end} but its source is dated {o.source_date}",
                                   "a figure published before its period ended is a forecast or a partial "
                                   "period: check the period, or mark it estimate: true"))
    return out


def outside_history(vendors: list[Vendor]) -> list[ConfigError]:
    """A size more than HISTORY_RATIO times above the vendor's largest other value of the metric, or below its
    smallest one divided by HISTORY_RATIO."""
    out = []
    for v in vendors:
        for metric, observations in v.metrics.items():
            if unit_of_metric(metric) not in _SIZE_UNITS or "ebita" in metric or len(observations) < 2:
                continue
            for i, o in enumerate(observations):
                others = [x.value for j, x in enumerate(observations) if j != i and x.value > 0]
                if o.unsourced or o.value <= 0 or not others:
                    continue
                if o.value > HISTORY_RATIO * max(others) or o.value * HISTORY_RATIO < min(others):
                    out.append(ConfigError(o.where, _key(metric, i),
                                           f"{o.value:g} is far outside {v.id}'s other values of {metric} "
                                           f"({min(others):g} to {max(others):g})",
                                           "check the value and unit; a real jump deserves a note saying why"))
    return out


CHECKS = (fraction_for_percent, shares_past_100, period_after_source, outside_history)


def plausibility_warnings(vendors: list[Vendor]) -> list[ConfigError]:
    """Every plausibility warning for a set of vendors, in file order.

    >>> from scoring.load import load_vendors
    >>> all(str(w).startswith("vendors/") for w in plausibility_warnings(load_vendors("vendors")))
    True
    """
    found = [w for check in CHECKS for w in check(vendors)]
    return sorted(found, key=lambda e: (e.where.path, e.where.line, e.where.column, e.key))
