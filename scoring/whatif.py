"""What would it take for vendor X to overtake vendor Y (or to reach rank k)?

Two inverse questions, each answered as a linear program (PuLP, solved in-process by HiGHS) and then checked by
re-scoring (methods.md §4.4):

- **Metrics.** The smallest improvement of X's own figures, each within its criterion's fixed scale, that lifts
  X's score above the target's by ``MARGIN``. With fixed scales the weighted sum is linear in X's raw values,
  so this is an LP: minimize the sum of changes measured as fractions of each criterion's scale (so that
  percentage points and rubric levels are comparable), reported back in each criterion's own units. The same LP
  restricted to one criterion gives the single-criterion answers ("if its AI-cloud share rises by 3.2 points").
- **Weights.** The smallest L1 change of the weights (summing to 1, non-negative) under which X scores above the
  target by ``MARGIN``; other vendors' scores move with the weights, so reaching rank k is a small MILP (which
  k - 1 vendors may stay ahead). The single-weight answers ("if the weight on chip supply falls below 12%") move
  one weight with the others rescaled in proportion, as in the weight stability intervals.

Where the score is not linear (TOPSIS, PROMETHEE, data-driven normalizations) the single-criterion and
single-weight answers come from a bisection on the re-scored ranking instead, and the combined LPs are not
offered (the answer says so). When nothing can do it, the answer says why.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .lp import solve
from .rank import DEFAULT_TOLERANCE
from .robustness import Scorer, ranks_of, rescaled_weights

MARGIN = 1e-6          # X must end up this many score points above the target (ties are within 1e-9)
_BISECTIONS = 60


class WhatIfError(ValueError):
    """An impossible question (unknown vendor, X is Y, a rank outside 1..n)."""


@dataclass
class Change:
    """One way to get there. ``kind`` is "metric", "metrics" (combined LP), "weight" or "weights" (combined LP)."""

    kind: str
    feasible: bool
    text: str
    changes: dict = field(default_factory=dict)    # criterion -> {"from": x, "to": y, "by": d} (raw units or weight)
    cost: float = float("nan")                     # LP objective: scale fractions (metrics) or L1 (weights)
    verified: bool | None = None                   # re-scoring confirms X passes the target(s); None if infeasible


@dataclass
class WhatIf:
    vendor: str
    target: str                  # the vendor to overtake, or "rank k"
    already: bool
    score: float
    target_score: float
    answers: list[Change]
    method: str
    notes: list[str] = field(default_factory=list)

    def table(self) -> pd.DataFrame:
        """One row per answer: kind, feasible, verified, cost, text."""
        return pd.DataFrame([dict(kind=a.kind, feasible=a.feasible, verified=a.verified, cost=a.cost, text=a.text)
                             for a in self.answers])

    def to_dict(self) -> dict:
        return {"vendor": self.vendor, "target": self.target, "already": self.already,
                "score": round(self.score, 12), "target_score": round(self.target_score, 12), "method": self.method,
                "answers": [dict(kind=a.kind, feasible=a.feasible, verified=a.verified,
                                 cost=None if np.isnan(a.cost) else round(a.cost, 12), text=a.text,
                                 changes=a.changes) for a in self.answers],
                "notes": self.notes}


def what_it_takes(scorer: Scorer, vendor: str, *, beat: str | None = None, rank: int | None = None,
                  labels: dict[str, str] | None = None, units: dict[str, str] | None = None,
                  tolerance: float = DEFAULT_TOLERANCE) -> WhatIf:
    """Answer "what would it take for ``vendor`` to overtake ``beat`` (or to reach rank ``rank``)".

    >>> from scoring.matrix import make_matrix
    >>> dm = make_matrix({"share": [30.0, 20.0], "chips": [2.0, 4.0]}, vendors=["x", "y"],
    ...                  weights={"share": 1, "chips": 1}, bounds={"share": (0, 50), "chips": (0, 5)})
    >>> answer = what_it_takes(Scorer(dm, "fixed", "weighted-sum"), "x", beat="y")
    >>> [a.text for a in answer.answers if a.kind == "metric"][0]
    'x overtakes y if its share rises by 10.00 (from 30 to 40.00)'
    """
    vendors, criteria = scorer.vendors, scorer.criteria
    labels = labels or {}
    units = units or {}
    for v in (vendor, beat):
        if v is not None and v not in vendors:
            from .errors import did_you_mean
            raise WhatIfError(f"unknown vendor {v!r}; {did_you_mean(v, vendors)}")
    if (beat is None) == (rank is None):
        raise WhatIfError("give exactly one of beat (a vendor) or rank (a number)")
    if beat == vendor:
        raise WhatIfError(f"{vendor!r} cannot overtake itself")
    if rank is not None and not 1 <= rank <= len(vendors):
        raise WhatIfError(f"rank must be between 1 and {len(vendors)}, got {rank}")
    x = vendors.index(vendor)
    scores = scorer.scores()
    others = [i for i in range(len(vendors)) if i != x]
    if beat is not None:
        targets, need_ahead, target_name = [vendors.index(beat)], 1, beat
    else:
        targets, need_ahead, target_name = others, len(others) - (rank - 1), f"rank {rank}"
    # For fixed values, reaching rank k means passing the k-th best of the others.
    ordered = sorted(others, key=lambda i: -scores[i])
    bar = ordered[rank - 1] if rank is not None else targets[0]
    target_score = float(scores[bar])
    current_rank = int(ranks_of(scores[None, :], tolerance)[0, x])
    already = (scores[x] > target_score + tolerance) if beat is not None else current_rank <= rank
    result = WhatIf(vendor, target_name, bool(already), float(scores[x]), target_score, [], scorer.method)
    goal = f"{vendor} overtakes {beat}" if beat is not None else f"{vendor} reaches rank {rank}"
    if already:
        result.notes.append(f"{vendor} is already ahead of {target_name} (score {scores[x]:.4f} vs {target_score:.4f})")
        return result
    linear = scorer.method == "weighted-sum"
    fixed = scorer.normalization == "fixed"
    name = lambda c: labels.get(c, c)            # noqa: E731

    # ---- metrics
    for k, crit in enumerate(criteria):
        result.answers.append(_single_metric(scorer, x, k, bar, goal, target_name, name(crit), units.get(crit, ""),
                                             exact=linear and fixed, tolerance=tolerance))
    if linear and fixed:
        result.answers.append(_metrics_lp(scorer, x, bar, goal, target_name, name, units, tolerance))
    else:
        result.notes.append("the combined metrics LP needs the weighted sum with fixed scales (the score is then "
                            "linear in the figures); single-criterion answers come from bisection")
    # ---- weights
    for k, crit in enumerate(criteria):
        result.answers.append(_single_weight(scorer, x, k, targets, need_ahead, goal, name(crit), tolerance))
    if linear:
        result.answers.append(_weights_lp(scorer, x, targets, need_ahead, goal, target_name, name, tolerance))
    else:
        result.notes.append("the combined weights LP needs the weighted sum (TOPSIS and PROMETHEE scores are not "
                            "linear in the weights); single-weight answers come from bisection")
    return result


# --------------------------------------------------------------------------------------------- metrics

def _bounds(scorer: Scorer, k: int) -> tuple[float, float, bool]:
    lo, hi = float(scorer.dm.lower.iloc[k]), float(scorer.dm.upper.iloc[k])
    is_max = scorer.dm.directions.iloc[k] == "max"
    if np.isnan(lo) or np.isnan(hi):          # no declared scale: the observed range bounds the search
        col = scorer.dm.values.iloc[:, k].to_numpy(float)
        lo, hi = float(np.nanmin(col)), float(np.nanmax(col))
    return lo, hi, is_max


def _with_value(scorer: Scorer, x: int, k: int, value: float) -> np.ndarray:
    values = scorer.dm.values.to_numpy(dtype=float).copy()
    values[x, k] = value
    return values


def _passes(scorer: Scorer, x: int, bar: int, values=None, weights=None, tolerance=DEFAULT_TOLERANCE) -> bool:
    s = scorer.scores(weights, values)
    return bool(s[x] > s[bar] + tolerance)


def _single_metric(scorer, x, k, bar, goal, target_name, label, unit, exact, tolerance) -> Change:
    lo, hi, is_max = _bounds(scorer, k)
    now = float(scorer.dm.values.iloc[x, k])
    best = hi if is_max else lo
    start = now if not np.isnan(now) else (lo if is_max else hi)
    verb = "rises" if is_max else "falls"
    if not _passes(scorer, x, bar, values=_with_value(scorer, x, k, best), tolerance=tolerance):
        return Change("metric", False, f"{label} alone cannot do it: even at the best end of its scale "
                                       f"({best:g}) it is not enough")
    if exact:
        # score is linear in the value: required normalized gain = (gap + margin) / weight
        s = scorer.scores()
        w = scorer.weights[k]
        gain = (s[bar] - s[x] + MARGIN) / w
        current_norm = scorer.normalized()[x, k]
        needed = (current_norm + gain) * (hi - lo) + lo if is_max else hi - (current_norm + gain) * (hi - lo)
        needed = float(min(max(needed, lo), hi))
    else:
        inside, outside = best, start            # bisection on the re-scored ranking
        for _ in range(_BISECTIONS):
            mid = 0.5 * (inside + outside)
            if _passes(scorer, x, bar, values=_with_value(scorer, x, k, mid), tolerance=tolerance):
                inside = mid
            else:
                outside = mid
        needed = inside
    by = abs(needed - start)
    verified = _passes(scorer, x, bar, values=_with_value(scorer, x, k, needed), tolerance=tolerance)
    src = f"{now:g}" if not np.isnan(now) else "missing"
    text = f"{goal} if its {label} {verb} by {by:.2f}{(' ' + unit) if unit else ''} (from {src} to {needed:.2f})"
    return Change("metric", True, text, {scorer.criteria[k]: {"from": None if np.isnan(now) else now, "to": needed,
                                                               "by": by}}, by / (hi - lo), verified)


def _metrics_lp(scorer, x, bar, goal, target_name, name, units, tolerance) -> Change:
    import pulp
    vendor, criteria = scorer.vendors[x], scorer.criteria
    w, norm = scorer.weights, scorer.normalized()
    s = scorer.scores()
    prob = pulp.LpProblem("metrics_to_overtake", pulp.LpMinimize)
    gain = {c: prob.add_variable(f"gain_{k}", 0, float(1.0 - norm[x, k])) for k, c in enumerate(criteria)}
    prob += pulp.lpSum(gain.values()), "total_change_in_scale_fractions"
    prob += (pulp.lpSum(float(w[k]) * gain[c] for k, c in enumerate(criteria)) >= float(s[bar] - s[x] + MARGIN),
             "overtake")
    solution = solve(prob)
    if not solution.optimal:
        best = float(s[x] + sum(w[k] * (1.0 - norm[x, k]) for k in range(len(criteria))))
        return Change("metrics", False, f"no change of {vendor}'s figures within their scales is enough: at the best "
                                        f"end of every scale it would score {best:.4f}, below {target_name}")
    changes, values, parts = {}, scorer.dm.values.to_numpy(dtype=float).copy(), []
    for k, c in enumerate(criteria):
        g = solution.values[gain[c].name]
        if g <= 1e-12:
            continue
        lo, hi, is_max = _bounds(scorer, k)
        to = lo + (norm[x, k] + g) * (hi - lo) if is_max else hi - (norm[x, k] + g) * (hi - lo)
        now = values[x, k]
        frm = now if not np.isnan(now) else (lo if is_max else hi)
        values[x, k] = to
        changes[c] = {"from": None if np.isnan(now) else float(now), "to": float(to), "by": float(abs(to - frm))}
        parts.append(f"{name(c)} {'+' if is_max else '-'}{abs(to - frm):.2f}{(' ' + units[c]) if units.get(c) else ''}")
    verified = _passes(scorer, x, bar, values=values, tolerance=tolerance)
    return Change("metrics", True, f"{goal} with the smallest combined change of its figures: "
                  + ", ".join(parts), changes, solution.objective, verified)


# --------------------------------------------------------------------------------------------- weights

def _ahead_count(scores: np.ndarray, x: int, targets: list[int], tol: float) -> int:
    return sum(1 for t in targets if scores[x] > scores[t] + tol)


def _single_weight(scorer, x, k, targets, need_ahead, goal, label, tolerance) -> Change:
    w = scorer.weights
    grid = np.linspace(0.0, 1.0, 2001)
    s = scorer.scores(rescaled_weights(w, k, grid))
    ok = (s[:, [x]] > s[:, targets] + tolerance).sum(axis=1) >= need_ahead
    if not ok.any():
        return Change("weight", False, f"no weight on {label} alone does it (others rescaled in proportion)")
    good = grid[ok]
    nearest = good[np.argmin(np.abs(good - w[k]))]
    direction = "rises above" if nearest > w[k] else "falls below"

    def works(t: float) -> bool:
        row = scorer.scores(rescaled_weights(w, k, np.array([t])))[0]
        return _ahead_count(row, x, targets, tolerance) >= need_ahead

    inside, outside = nearest, w[k]
    for _ in range(_BISECTIONS):
        mid = 0.5 * (inside + outside)
        inside, outside = (mid, outside) if works(mid) else (inside, mid)
    threshold = inside
    text = (f"{goal} if the weight on {label} {direction} {threshold:.1%} "
            f"(now {w[k]:.1%}; the other weights rescaled in proportion)")
    return Change("weight", True, text, {scorer.criteria[k]: {"from": float(w[k]), "to": float(threshold),
                                                              "by": float(abs(threshold - w[k]))}},
                  float(2 * abs(threshold - w[k])), works(threshold))


def _weights_lp(scorer, x, targets, need_ahead, goal, target_name, name, tolerance) -> Change:
    import pulp
    criteria = scorer.criteria
    w, norm = scorer.weights, scorer.normalized()
    m = len(criteria)
    prob = pulp.LpProblem("weights_to_overtake", pulp.LpMinimize)
    up = [prob.add_variable(f"up_{k}", 0, None) for k in range(m)]
    down = [prob.add_variable(f"down_{k}", 0, float(w[k])) for k in range(m)]
    new = [float(w[k]) + up[k] - down[k] for k in range(m)]
    prob += pulp.lpSum(up) + pulp.lpSum(down), "l1_change"
    prob += (pulp.lpSum(new) == 1, "weights_sum_to_one")
    if need_ahead == len(targets):
        for t in targets:
            prob += (pulp.lpSum(new[k] * float(norm[x, k] - norm[t, k]) for k in range(m)) >= MARGIN,
                     f"ahead_of_{scorer.vendors[t]}")
    else:                                   # reach rank k: at most len(targets) - need_ahead may stay ahead
        stay = {t: prob.add_variable(f"stays_ahead_{scorer.vendors[t]}", cat="Binary") for t in targets}
        for t in targets:                   # differences lie in [-1, 1], so 2 relaxes the row completely
            prob += (pulp.lpSum(new[k] * float(norm[x, k] - norm[t, k]) for k in range(m)) >= MARGIN - 2 * stay[t],
                     f"ahead_of_{scorer.vendors[t]}")
        prob += (pulp.lpSum(stay.values()) <= len(targets) - need_ahead, "how_many_may_stay_ahead")
    solution = solve(prob)
    if not solution.optimal:
        dominated = [scorer.vendors[t] for t in targets if (norm[t] >= norm[x] - 1e-12).all()]
        why = (f"{', '.join(dominated)} {'is' if len(dominated) == 1 else 'are'} at least as good on every criterion"
               if dominated else "no weight vector puts it ahead")
        return Change("weights", False, f"no weights do it ({goal}): {why}")
    new_w = np.array([float(w[k]) + solution.values[up[k].name] - solution.values[down[k].name] for k in range(m)])
    new_w = np.clip(new_w, 0, None) / np.clip(new_w, 0, None).sum()
    changes = {c: {"from": float(w[k]), "to": float(new_w[k]), "by": float(new_w[k] - w[k])}
               for k, c in enumerate(criteria) if abs(new_w[k] - w[k]) > 1e-9}
    row = scorer.scores(new_w)
    verified = _ahead_count(row, x, targets, tolerance) >= need_ahead
    parts = [f"{name(c)} {d['from']:.1%} -> {d['to']:.1%}" for c, d in changes.items()]
    return Change("weights", True, f"{goal} with the smallest change of weights "
                  f"(L1 {solution.objective:.4f}): " + ", ".join(parts),
                  changes, solution.objective, verified)
