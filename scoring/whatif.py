"""What would it take for vendor X to overtake vendor Y (or to reach rank k)?

Two inverse questions, each answered as a linear program (through :mod:`scoring.lp`) or a search, and every
answer then checked by re-scoring the change and ranking *everyone* again (methods.md §4.4): under a method that
is not linear, every vendor's score moves when one figure or one weight does, so the answer is marked verified
only when the full ranking after the change reaches the goal.

- **Metrics.** The smallest improvement of X's own figures, each within its criterion's fixed scale, that lifts
  X's score above the target's by ``MARGIN``. With fixed scales the weighted sum is linear in X's raw values,
  so this is an LP: minimize the sum of changes measured as fractions of each criterion's scale (so that
  percentage points and rubric levels are comparable), reported back in each criterion's own units. The same LP
  restricted to one criterion gives the single-criterion answers ("if its AI-cloud share rises by 3.2 points").
- **Weights.** The smallest L1 change of the weights (summing to 1, non-negative) under which X scores above the
  target by ``MARGIN``; other vendors' scores move with the weights, so reaching rank k is a small MILP (which
  k - 1 vendors may stay ahead). The single-weight answers ("if the weight on chip supply falls below 12%") move
  one weight with the others rescaled in proportion, as in the weight stability intervals.

Which answers are exact comes from the method registry (:mod:`scoring.methods`): the metrics LP needs a method
linear in the figures under fixed scales (the weighted sum); the weights LP a method linear in the weights (the
weighted sum and PROMETHEE II, through their per-criterion scores). Otherwise the single-criterion and
single-weight answers come from a grid over the change, refined by bisection, each point judged by the full
re-ranked goal, and the combined LP is not offered (the answer says so). When nothing can do it, the answer says
why.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .lp import solve
from .normalize import FLAT_RELATIVE_TOLERANCE, get_normalization, value_floors
from .rank import ranks
from .robustness import rescaled_weights
from .scorer import Scorer

MARGIN = 1e-6          # the LPs ask for this many score points beyond the tie tolerance
_BISECTIONS = 60
_GRID = 201            # points tried along one figure or one weight before bisecting


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
    verified: bool | None = None                   # the full re-ranking reaches the goal; None if infeasible


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

    @property
    def reachable(self) -> bool:
        """Already there, or at least one verified way to get there."""
        return self.already or any(a.feasible and a.verified for a in self.answers)

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


@dataclass(frozen=True)
class Goal:
    """What the vendor at index ``x`` must reach, judged on a full set of scores: pass ``beat`` (by more than the
    tie tolerance), or reach rank ``rank`` under the one rank rule."""

    x: int
    beat: int | None
    rank: int | None
    tolerance: float

    def reached(self, scores: np.ndarray, margin: float = 0.0) -> np.ndarray | bool:
        """For scores (n,) a bool; for (K, n) one bool per row. ``margin`` > 0 asks for that much room beyond the
        tie tolerance (the searches use ``MARGIN``, as the LPs do, so that no answer sits on the boundary)."""
        s = np.asarray(scores, dtype=float)
        if self.beat is not None:
            out = s[..., self.x] > s[..., self.beat] + self.tolerance + margin
        elif margin == 0.0:
            out = ranks(s, self.tolerance)[..., self.x] <= self.rank
        else:      # at most rank - 1 rivals within (tolerance - margin) of being ahead
            others = np.delete(s, self.x, axis=-1)
            ahead = (others > s[..., self.x, None] + self.tolerance - margin).sum(axis=-1)
            out = ahead <= self.rank - 1
        return bool(out) if out.ndim == 0 else out


def what_it_takes(scorer: Scorer, vendor: str, *, beat: str | None = None, rank: int | None = None,
                  labels: dict[str, str] | None = None, units: dict[str, str] | None = None,
                  names: dict[str, str] | None = None) -> WhatIf:
    """Answer "what would it take for ``vendor`` to overtake ``beat`` (or to reach rank ``rank``)".

    ``labels`` and ``units`` word the criteria, ``names`` the vendors (default: their ids) in the answers' text.

    >>> from scoring.matrix import make_matrix
    >>> dm = make_matrix({"share": [30.0, 20.0], "chips": [2.0, 4.0]}, vendors=["x", "y"],
    ...                  weights={"share": 1, "chips": 1}, bounds={"share": (0, 50), "chips": (0, 5)})
    >>> answer = what_it_takes(Scorer(dm, "fixed", "weighted-sum"), "x", beat="y")
    >>> [a.text for a in answer.answers if a.kind == "metric"][0]
    'x overtakes y if its share rises by 10.00 (from 30 to 40.00)'
    """
    vendors, criteria = scorer.vendors, scorer.criteria
    labels, units = labels or {}, units or {}
    for v in (vendor, beat):
        if v is not None and v not in vendors:
            from .errors import did_you_mean
            raise WhatIfError(f"unknown vendor {v!r}; {did_you_mean(v, vendors)}")
    if (beat is None) == (rank is None):
        raise WhatIfError("give exactly one of beat (a vendor) or rank (a number)")
    if beat == vendor:
        raise WhatIfError(f"{vendor!r} cannot overtake itself")
    if len(vendors) < 2:
        raise WhatIfError(f"what-if needs at least two vendors to compare; this view ranks only {vendors[0]!r}"
                          if vendors else "what-if needs at least two vendors to compare; this view ranks none")
    if rank is not None and not 1 <= rank <= len(vendors):
        raise WhatIfError(f"rank must be between 1 and {len(vendors)}, got {rank}")
    x = vendors.index(vendor)
    goal = Goal(x, vendors.index(beat) if beat is not None else None, rank, scorer.tolerance)
    scores = scorer.scores()
    others = [i for i in range(len(vendors)) if i != x]
    if beat is not None:
        bar, target_name = goal.beat, beat
    else:   # with the others' scores fixed, reaching rank k means passing the k-th best of them
        bar, target_name = sorted(others, key=lambda i: (-scores[i], vendors[i]))[rank - 1], f"rank {rank}"
    target_score = float(scores[bar])
    result = WhatIf(vendor, target_name, goal.reached(scores), float(scores[x]), target_score, [], scorer.method)
    names = {v: (names or {}).get(v) or v for v in vendors}
    target_text = names[beat] if beat is not None else target_name
    wording = f"{names[vendor]} overtakes {target_text}" if beat is not None else f"{names[vendor]} reaches rank {rank}"
    if result.already:
        result.notes.append(f"{names[vendor]} is already ahead of {target_text} (score {scores[x]:.4f} vs "
                            f"{target_score:.4f})")
        return result
    entry = scorer.entry
    figures_linear = entry.linear_in_values and not get_normalization(scorer.normalization).depends_on_vendors
    name = labels.get

    for k, crit in enumerate(criteria):
        result.answers.append(_single_metric(scorer, goal, k, bar, wording, name(crit, crit), units.get(crit, ""),
                                             exact=figures_linear))
    if figures_linear:
        result.answers.append(_metrics_lp(scorer, goal, bar, wording, target_text, labels, units, names))
    else:
        result.notes.append(f"the combined metrics LP needs a method linear in the figures under fixed scales; "
                            f"{entry.label} with {scorer.normalization!r} normalization is not, so single-criterion "
                            "answers come from a search, each point checked on the full ranking")
    for k, crit in enumerate(criteria):
        result.answers.append(_single_weight(scorer, goal, k, wording, name(crit, crit)))
    if entry.linear_in_weights:
        result.answers.append(_weights_lp(scorer, goal, others, wording, labels, names))
    else:
        result.notes.append(f"the combined weights LP needs a method linear in the weights; {entry.label} is not, so "
                            "single-weight answers come from a search, each point checked on the full ranking")
    return result


# --------------------------------------------------------------------------------------------- metrics

def _bounds(scorer: Scorer, k: int) -> tuple[float, float, bool]:
    """The range a figure may be moved in: its declared scale (else the observed range), cut at the smallest
    value the view's normalization takes (a search must not propose a figure ``rank`` would refuse)."""
    lo, hi = float(scorer.dm.lower.iloc[k]), float(scorer.dm.upper.iloc[k])
    is_max = scorer.dm.directions.iloc[k] == "max"
    if np.isnan(lo) or np.isnan(hi):          # no declared scale: the observed range bounds the search
        col = scorer.dm.values.iloc[:, k].to_numpy(float)
        lo, hi = float(np.nanmin(col)), float(np.nanmax(col))
        if not hi - lo > FLAT_RELATIVE_TOLERANCE * max(abs(lo), abs(hi)):
            # Every vendor has the same figure (the column does not discriminate): the observed range is a point,
            # yet moving one vendor's figure off it is exactly what makes the column count. Search one magnitude
            # (at least 1) beyond it, towards the better end.
            width = max(abs(lo), abs(hi), 1.0)
            lo, hi = (lo, hi + width) if is_max else (lo - width, hi)
    floors, strict = value_floors(np.array([is_max]), scorer.normalization)
    if not np.isnan(floors[0]):
        least = float(np.nextafter(floors[0], np.inf)) if strict[0] else float(floors[0])
        lo = max(lo, least)
        hi = max(hi, lo)
    return lo, hi, is_max


def _values_along(scorer: Scorer, x: int, k: int, settings: np.ndarray) -> np.ndarray:
    """(len(settings), n, m) raw values: the matrix with vendor x's figure k set to each setting in turn."""
    values = np.repeat(scorer.dm.values.to_numpy(dtype=float)[None], len(settings), axis=0)
    values[:, x, k] = settings
    return values


def _search(reached, start: float, best: float) -> float | None:
    """The setting closest to ``start`` on a grid towards ``best`` that reaches the goal, sharpened by bisection
    against the grid point before it. Every setting returned was itself checked (None if no grid point works)."""
    grid = np.linspace(start, best, _GRID)
    ok = reached(grid)
    if not ok.any():
        return None
    first = int(np.argmax(ok))
    if first == 0:
        return float(grid[0])
    inside, outside = float(grid[first]), float(grid[first - 1])
    for _ in range(_BISECTIONS):
        mid = 0.5 * (inside + outside)
        if reached(np.array([mid]))[0]:
            inside = mid
        else:
            outside = mid
    return inside


def _single_metric(scorer, goal: Goal, k, bar, wording, label, unit, exact) -> Change:
    x = goal.x
    lo, hi, is_max = _bounds(scorer, k)
    now = float(scorer.dm.values.iloc[x, k])
    best = hi if is_max else lo
    start = now if not np.isnan(now) else (lo if is_max else hi)
    verb = "rises" if is_max else "falls"

    def reached(settings: np.ndarray, margin: float = MARGIN) -> np.ndarray:
        values = _values_along(scorer, x, k, np.asarray(settings, dtype=float))
        return goal.reached(scorer.scores(values=values), margin)

    needed = None
    if exact and scorer.weights[k] > 0 and hi > lo:
        # the score is affine in the figure and nobody else moves: the gain in normalized units is the gap over w_k
        s = scorer.scores()
        gain = (s[bar] - s[x] + goal.tolerance + 2 * MARGIN) / scorer.weights[k]
        current = scorer.normalized()[x, k]
        candidate = lo + (current + gain) * (hi - lo) if is_max else hi - (current + gain) * (hi - lo)
        candidate = float(min(max(candidate, lo), hi))
        if reached(np.array([candidate]))[0]:
            needed = candidate
    if needed is None:
        needed = _search(reached, start, best)
    if needed is None:
        return Change("metric", False, f"{label} alone cannot do it: no value up to the best end of its scale "
                                       f"({best:g}) is enough")
    by = abs(needed - start)
    src = f"{now:g}" if not np.isnan(now) else "missing"
    text = (f"{wording} if its {label} {verb} by {_amount(by)}{(' ' + unit) if unit else ''} "
            f"(from {src} to {_amount(needed, by)})")
    return Change("metric", True, text, {scorer.criteria[k]: {"from": None if np.isnan(now) else now, "to": needed,
                                                               "by": by}},
                  by / (hi - lo) if hi > lo else float("nan"), bool(reached(np.array([needed]), 0.0)[0]))


def _amount(x: float, step: float | None = None) -> str:
    """A figure as an answer shows it: two decimals, or two significant digits of a change too small for them
    (``by 0.00`` would read as "no change"), and enough decimals in a target value to show such a step.

    >>> _amount(10.0), _amount(0.000012), _amount(30.000012, 0.000012)
    ('10.00', '1.2e-05', '30.000012')
    """
    step = abs(x) if step is None else abs(step)
    if step == 0 or step >= 0.005:
        return f"{x:.2f}"
    if abs(x) != step:
        return f"{x:.{min(int(-np.floor(np.log10(step))) + 1, 15)}f}"
    return f"{x:.2g}"


def _metrics_lp(scorer, goal: Goal, bar, wording, target_name, labels, units, names) -> Change:
    import pulp
    x = goal.x
    vendor, criteria = names[scorer.vendors[x]], scorer.criteria
    w, norm = scorer.weights, scorer.normalized()
    s = scorer.scores()
    prob = pulp.LpProblem("metrics_to_overtake", pulp.LpMinimize)
    gain = {c: prob.add_variable(f"gain_{k}", 0, float(1.0 - norm[x, k])) for k, c in enumerate(criteria)}
    prob += pulp.lpSum(gain.values()), "total_change_in_scale_fractions"
    prob += (pulp.lpSum(float(w[k]) * gain[c] for k, c in enumerate(criteria))
             >= float(s[bar] - s[x] + goal.tolerance + MARGIN), "overtake")
    solution = solve(prob)
    if not solution.optimal:
        best = float(s[x] + sum(w[k] * (1.0 - norm[x, k]) for k in range(len(criteria))))
        return Change("metrics", False, f"no change of {vendor}'s figures within their scales is enough: at the best "
                                        f"end of every scale it would score {best:.4f}, not enough for {target_name}")
    changes, values, parts = {}, scorer.dm.values.to_numpy(dtype=float).copy(), []
    for k, c in enumerate(criteria):
        g = solution.values.get(gain[c].name, 0.0)
        if g <= 1e-12:
            continue
        lo, hi, is_max = _bounds(scorer, k)
        to = lo + (norm[x, k] + g) * (hi - lo) if is_max else hi - (norm[x, k] + g) * (hi - lo)
        now = values[x, k]
        frm = now if not np.isnan(now) else (lo if is_max else hi)
        values[x, k] = to
        changes[c] = {"from": None if np.isnan(now) else float(now), "to": float(to), "by": float(abs(to - frm))}
        unit = f" {units[c]}" if units.get(c) else ""
        parts.append(f"{labels.get(c, c)} {'+' if is_max else '-'}{abs(to - frm):.2f}{unit}")
    verified = goal.reached(scorer.scores(values=values))
    return Change("metrics", True, f"{wording} with the smallest combined change of its figures: "
                  + ", ".join(parts), changes, solution.objective, verified)


# --------------------------------------------------------------------------------------------- weights

def _single_weight(scorer, goal: Goal, k, wording, label) -> Change:
    w = scorer.weights

    def reached(t: np.ndarray, margin: float = MARGIN) -> np.ndarray:
        return goal.reached(scorer.scores(rescaled_weights(w, k, np.asarray(t, dtype=float))), margin)

    grid = np.linspace(0.0, 1.0, 2001)
    ok = reached(grid)
    if not ok.any():
        return Change("weight", False, f"no weight on {label} alone does it (others rescaled in proportion)")
    good = grid[ok]
    nearest = float(good[np.argmin(np.abs(good - w[k]))])
    direction = "rises above" if nearest > w[k] else "falls below"
    inside, outside = nearest, float(w[k])
    for _ in range(_BISECTIONS):
        mid = 0.5 * (inside + outside)
        inside, outside = (mid, outside) if reached(np.array([mid]))[0] else (inside, mid)
    if inside >= 1.0 - 1e-12:
        text = f"{wording} only if all the weight goes on {label} (now {w[k]:.1%})"
    elif inside <= 1e-12:
        text = f"{wording} only if {label} weighs nothing (now {w[k]:.1%}; the others rescaled in proportion)"
    else:
        text = (f"{wording} if the weight on {label} {direction} {inside:.1%} "
                f"(now {w[k]:.1%}; the other weights rescaled in proportion)")
    return Change("weight", True, text, {scorer.criteria[k]: {"from": float(w[k]), "to": inside,
                                                              "by": abs(inside - float(w[k]))}},
                  2 * abs(inside - float(w[k])), bool(reached(np.array([inside]), 0.0)[0]))


def _weights_lp(scorer, goal: Goal, others: list[int], wording, labels, names) -> Change:
    """Smallest L1 change of the weights; scores are C @ w (C: the method's per-criterion scores), so each
    "x ahead of t" is a linear row. Reaching rank k lets k - 1 rivals stay ahead (binary choices, a small MILP)."""
    import pulp
    x = goal.x
    criteria = scorer.criteria
    w = scorer.weights
    per = scorer.criterion_scores()
    m = len(criteria)
    margin = goal.tolerance + MARGIN
    targets = [goal.beat] if goal.beat is not None else others
    may_stay = 0 if goal.beat is not None else goal.rank - 1
    prob = pulp.LpProblem("weights_to_overtake", pulp.LpMinimize)
    up = [prob.add_variable(f"up_{k}", 0, None) for k in range(m)]
    down = [prob.add_variable(f"down_{k}", 0, float(w[k])) for k in range(m)]
    new = [float(w[k]) + up[k] - down[k] for k in range(m)]
    prob += pulp.lpSum(up) + pulp.lpSum(down), "l1_change"
    prob += (pulp.lpSum(new) == 1, "weights_sum_to_one")
    spread = float(np.ptp(per)) + margin            # a big-M that relaxes a row completely: |C_x - C_t| w <= ptp(C)
    stay = {t: prob.add_variable(f"stays_ahead_{scorer.vendors[t]}", cat="Binary") for t in targets} if may_stay else {}
    for t in targets:
        lhs = pulp.lpSum(new[k] * float(per[x, k] - per[t, k]) for k in range(m))
        prob += (lhs >= margin - spread * stay[t] if stay else lhs >= margin, f"ahead_of_{scorer.vendors[t]}")
    if stay:
        prob += (pulp.lpSum(stay.values()) <= may_stay, "how_many_may_stay_ahead")
    solution = solve(prob)
    if not solution.optimal:
        dominated = [names[scorer.vendors[t]] for t in targets if (per[t] >= per[x] - 1e-12).all()]
        why = (f"{', '.join(dominated)} {'is' if len(dominated) == 1 else 'are'} at least as good on every criterion"
               if dominated else "no weight vector puts it ahead")
        return Change("weights", False, f"no weights put {names[scorer.vendors[x]]} clearly ahead ({wording}): {why}")
    new_w = np.array([float(w[k]) + solution.values.get(up[k].name, 0.0) - solution.values.get(down[k].name, 0.0)
                      for k in range(m)])
    new_w = np.clip(new_w, 0, None) / np.clip(new_w, 0, None).sum()
    changes = {c: {"from": float(w[k]), "to": float(new_w[k]), "by": float(new_w[k] - w[k])}
               for k, c in enumerate(criteria) if abs(new_w[k] - w[k]) > 1e-9}
    parts = [f"{labels.get(c, c)} {d['from']:.1%} -> {d['to']:.1%}" for c, d in changes.items()]
    return Change("weights", True, f"{wording} with the smallest change of weights "
                  f"(L1 {solution.objective:.4f}): " + ", ".join(parts),
                  changes, solution.objective, goal.reached(scorer.scores(new_w)))
