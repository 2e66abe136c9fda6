"""Checks that need both files, and the one call that loads a criteria file and a vendor folder together:
unknown vendor ids in the view's ``vendors`` list, a criterion's metric that no vendor has, and a value outside a
criterion's unit or rubric range.

One mistake, one message: a vendor file that was refused (``broken``: its id and the metrics it lists) is not
reported again as an unknown id in a view, nor are the metrics only it has as "no vendor has the metric".
"""

from __future__ import annotations

import math
from pathlib import Path

from ..errors import ConfigError, ConfigErrors, Vocabulary, did_you_mean
from ..models import UNIT_RANGES, CriteriaSet, Criterion, Vendor
from .checks import fmt
from .criteria import collect_criteria
from .vendors import UNREAD, collect_vendors

# The metric name the bundled views and criteria/README.md give the level a ``stability:`` block derives.
STABILITY_METRIC = "stability_level"


def load_inputs(criteria_path: str | Path, vendors_folder: str | Path) -> tuple[CriteriaSet, list[Vendor]]:
    """Load a criteria file and a vendor folder, check them against each other, raise every problem at once."""
    errors: list[ConfigError] = []
    criteria = collect_criteria(criteria_path, errors)
    broken: dict[str, frozenset[str]] = {}
    vendors = collect_vendors(vendors_folder, errors, broken=broken)
    if criteria is not None and vendors:
        errors.extend(cross_check(criteria, vendors, broken))
    if errors:
        raise ConfigErrors(errors)
    return criteria, vendors


def cross_check(criteria: CriteriaSet, vendors: list[Vendor],
                broken: dict[str, frozenset[str]] | None = None) -> list[ConfigError]:
    """Problems that need both files: unknown vendor ids, metrics nobody has, values outside a criterion's range.

    ``broken`` (from :func:`~scoring.load.collect_vendors`): profiles already reported as refused, whose ids and
    metrics are therefore not reported missing again.
    """
    errors = []
    broken = broken or {}
    ids = {v.id for v in vendors}
    if criteria.vendors:
        names = Vocabulary(ids)
        for vid in criteria.vendors:
            if vid not in ids and vid not in broken:
                errors.append(ConfigError(criteria.vendors_where, "vendors", f"unknown vendor id {vid!r}",
                                          did_you_mean(vid, names)))
    chosen = [v for v in vendors if not criteria.vendors or v.id in criteria.vendors]
    if not chosen:
        return errors            # every listed id is unknown: report that cause, not each metric it hides
    known = {m for v in chosen for m in v.metrics}
    derived = {criteria.stability.metric} if criteria.stability else set()
    refused = set().union(*broken.values()) if broken else set()
    metric_names = None
    for crit in criteria.criteria:
        if crit.metric in derived:
            continue
        if crit.metric not in known:
            if crit.metric in refused:
                continue         # only a refused profile has it: that file's problem is the one to fix
            if crit.metric == STABILITY_METRIC and criteria.stability is None:
                errors.append(ConfigError(crit.metric_where, f"criteria.{crit.id}.metric",
                                          f"{STABILITY_METRIC!r} is derived from the vendors' incidents by a "
                                          "'stability:' block, and this file has none",
                                          "add a 'stability:' block (copy the one in criteria/baseline.yaml; "
                                          "criteria/README.md explains it), or use a metric the vendor files have"))
                continue
            metric_names = metric_names or Vocabulary(known | derived)
            hint = did_you_mean(crit.metric, metric_names)
            if not hint.startswith("did"):
                hint = "; ".join(h for h in (hint, "a metric must appear in a vendor file") if h)
            unread = sorted(vid for vid, names in broken.items() if UNREAD in names)
            consequence = (f" (perhaps only a consequence: the profile of {', '.join(map(repr, unread))} could not "
                           "be read; fix that first)" if unread else "")
            errors.append(ConfigError(crit.metric_where, f"criteria.{crit.id}.metric",
                                      f"no vendor has the metric {crit.metric!r}{consequence}", hint))
            continue
        lo, hi = _range_of(crit)
        for v in chosen:
            for obs in v.metrics.get(crit.metric, ()):
                if not lo <= obs.value <= hi:
                    errors.append(ConfigError(obs.where, f"metrics.{crit.metric}.value",
                                              f"expected a value in [{fmt(lo)}, {fmt(hi)}] for criterion "
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
