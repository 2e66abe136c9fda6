"""The stability rule of a criteria file (its ``stability:`` section): how a vendor's incident list becomes a
derived stability level (the formula is in criteria/README.md; :func:`scoring.matrix.stability_level` applies it).
"""

from __future__ import annotations

from typing import Any

from ..models import PLANES, SCOPES, STATUS_PAGES, StabilityRule
from .checks import Checker, describe


def stability_rule(c: Checker, raw: Any) -> StabilityRule | None:
    """The ``stability:`` mapping: its window, cap, weight tables, post-mortem factor and ascending level bands;
    None (with the problems recorded on ``c``) when any part is unusable."""
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
        c.fail(("stability", "levels"), f"expected a list of {{below, level}}, got {describe(spec['levels'])}")
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
