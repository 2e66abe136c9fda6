"""How sure is the ranking? Weight stability intervals and one-at-a-time (tornado) analysis.

Both rest on the engine's batched scorer (:class:`scoring.scorer.Scorer`): the same normalization, missing-data
policy, method and rank rule as the ranking itself.
Global (SMAA) analysis is in :mod:`scoring.smaa`; inverse questions ("what would it take") in :mod:`scoring.whatif`.

Weight stability interval (WSI) of criterion k: move its weight to t and rescale the others in proportion,
w_j(t) = w_j (1 - t) / (1 - w_k). For a method linear in the weights (the registry says which: the weighted sum,
and PROMETHEE II, whose net flow is the weighted sum of per-criterion flows), S = C w with C the per-criterion
scores, so every score is affine in t, S_a(t) = t v_ak + (1 - t) R_ak with v = C and
R_ak = sum_{j != k} w_j v_aj / (1 - w_k), and two vendors swap where the lines cross:
t*_ab = (R_bk - R_ak) / ((v_ak - R_ak) - (v_bk - R_bk)). The interval is bounded by the nearest crossings on either
side of w_k: over all pairs for "full order unchanged", over pairs with the leader for "first place unchanged"
(Triantaphyllou & Sanchez 1997; methods.md §4.2). TOPSIS scores are not affine in t, so its intervals come from a
grid over t refined by bisection.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .rank import ranks
from .scorer import Scorer

#: Relative move of each weight in the tornado (w -> w(1 - d), w(1 + d)), unless the caller says otherwise.
TORNADO_WEIGHT_DELTA = 0.25
_GRID_POINTS = 2001        # numerical interval search: grid over t in [0, 1], then bisection at the edges
_BISECTIONS = 40


def rescaled_weights(weights: np.ndarray, k: int, t: np.ndarray) -> np.ndarray:
    """Weight vectors with w_k = t and the others rescaled in proportion: (len(t), m). A lone criterion has no
    others to take or give weight: its weight is 1 whatever t (weights sum to 1).

    >>> rescaled_weights(np.array([0.5, 0.25, 0.25]), 0, np.array([0.0, 1.0])).tolist()
    [[0.0, 0.5, 0.5], [1.0, 0.0, 0.0]]
    >>> rescaled_weights(np.array([1.0]), 0, np.array([0.5])).tolist()
    [[1.0]]
    """
    w = np.asarray(weights, dtype=float)
    t = np.atleast_1d(np.asarray(t, dtype=float))
    if len(w) == 1:
        return np.ones((len(t), 1))
    rest = 1.0 - w[k]
    out = np.empty((len(t), len(w)))
    others = np.arange(len(w)) != k
    if rest > 0:
        out[:, others] = w[others] * ((1.0 - t) / rest)[:, None]
    else:                      # a single criterion carried all the weight: share what is left equally
        out[:, others] = ((1.0 - t) / others.sum())[:, None]
    out[:, k] = t
    return out


def _interval_closed_form(norm: np.ndarray, w: np.ndarray, k: int, pairs: list[tuple[int, int]],
                          tol: float) -> tuple[float, float, tuple | None, tuple | None]:
    rest = 1.0 - w[k]
    others = np.arange(len(w)) != k
    if rest <= 0:
        r = norm[:, others].mean(axis=1)
    else:
        r = norm[:, others] @ w[others] / rest
    v = norm[:, k]
    lo, hi, lo_pair, hi_pair = 0.0, 1.0, None, None
    for a, b in pairs:
        denom = (v[a] - r[a]) - (v[b] - r[b])
        if abs(denom) < 1e-15:
            continue                       # parallel lines: this pair's order never changes along t
        t = (r[b] - r[a]) / denom
        if abs(t - w[k]) <= 1e-12 and abs((w[k] * v[a] + rest * r[a]) - (w[k] * v[b] + rest * r[b])) <= tol:
            return w[k], w[k], (a, b), (a, b)   # tied now and the lines differ: any move breaks the tie
        if t < w[k] and t > lo:
            lo, lo_pair = t, (a, b)
        elif t > w[k] and t < hi:
            hi, hi_pair = t, (a, b)
    return lo, hi, lo_pair, hi_pair


def _pairs(scores: np.ndarray, scope: str, tol: float) -> list[tuple[int, int]]:
    n = len(scores)
    if scope == "order":
        return [(a, b) for a in range(n) for b in range(a + 1, n)]
    leaders = np.flatnonzero(scores >= scores.max() - tol)
    return [(a, b) for a in leaders for b in range(n) if b != a]


def _same(order_scores: np.ndarray, base: np.ndarray, scope: str, tol: float) -> np.ndarray:
    """For each row of batched scores: is the order (or the first place) the same as at ``base``?"""
    base_ranks = ranks(base[None, :], tol)[0]
    moved = ranks(order_scores, tol)
    if scope == "order":
        return (moved == base_ranks).all(axis=-1)
    firsts = base_ranks == 1
    return ((moved == 1) == firsts).all(axis=-1)


def _interval_numeric(scorer: Scorer, norm: np.ndarray, k: int, scope: str, tol: float) -> tuple[float, float]:
    w = scorer.weights
    base = scorer.scores(w[None, :], normalized=norm)[0]
    grid = np.linspace(0.0, 1.0, _GRID_POINTS)
    same = _same(scorer.scores(rescaled_weights(w, k, grid), normalized=norm), base, scope, tol)

    def holds(t: float) -> bool:
        return bool(_same(scorer.scores(rescaled_weights(w, k, np.array([t])), normalized=norm), base, scope, tol)[0])

    def edge(inside: float, outside: float) -> float:
        for _ in range(_BISECTIONS):
            mid = 0.5 * (inside + outside)
            inside, outside = (mid, outside) if holds(mid) else (inside, mid)
        return inside

    # The nearest grid point on each side where the order differs brackets the edge; bisection sharpens it.
    below = np.flatnonzero(~same & (grid < w[k]))
    above = np.flatnonzero(~same & (grid > w[k]))
    lo = hi = None
    if len(below):
        b = below[-1]
        lo = edge(grid[b + 1] if grid[b + 1] < w[k] else w[k], grid[b])
    if len(above):
        a = above[0]
        hi = edge(grid[a - 1] if grid[a - 1] > w[k] else w[k], grid[a])
    lo = 0.0 if lo is None else lo
    hi = 1.0 if hi is None else hi
    return float(lo), float(hi)


def weight_stability_intervals(scorer: Scorer, tolerance: float | None = None) -> pd.DataFrame:
    """For each criterion, the range its weight can take (others rescaled in proportion) with the ranking unchanged.

    Columns: ``weight`` (now), ``order_low``, ``order_high`` (full order unchanged), ``first_low``, ``first_high``
    (first place unchanged), ``order_low_swap``/``order_high_swap`` and ``first_low_swap``/``first_high_swap``
    (which pair swaps at that end, e.g. "huawei passes alibaba"), ``exact`` (True: closed form, for a method linear in
    the weights; False: grid + bisection). ``tolerance`` defaults to the scorer's.

    >>> from scoring.matrix import make_matrix
    >>> dm = make_matrix({"a": [1.0, 0.0], "b": [0.0, 1.0]}, vendors=["x", "y"], weights={"a": 3, "b": 1},
    ...                  bounds={"a": (0, 1), "b": (0, 1)})
    >>> intervals = weight_stability_intervals(Scorer(dm, "fixed", "weighted-sum"))
    >>> intervals[["order_low", "order_high"]].round(3).values.tolist()
    [[0.5, 1.0], [0.0, 0.5]]
    """
    tolerance = scorer.tolerance if tolerance is None else tolerance
    norm = scorer.normalized()
    w = scorer.weights
    base = scorer.scores(w[None, :], normalized=norm)[0]
    names = scorer.vendors
    exact = scorer.entry.linear_in_weights
    per_criterion = scorer.criterion_scores(norm) if exact else None
    rows = []
    for k, crit in enumerate(scorer.criteria):
        row = {"criterion": crit, "weight": float(w[k]), "exact": exact}
        for scope in ("order", "first"):
            if len(w) == 1:                     # a lone criterion's weight is 1 and cannot move
                lo = hi = 1.0
                lo_pair = hi_pair = None
            elif exact:
                lo, hi, lo_pair, hi_pair = _interval_closed_form(per_criterion, w, k, _pairs(base, scope, tolerance),
                                                                 tolerance)
            else:
                lo, hi = _interval_numeric(scorer, norm, k, scope, tolerance)
                lo_pair = _swap_at(scorer, norm, k, lo, base, tolerance, below=True) if lo > 0 else None
                hi_pair = _swap_at(scorer, norm, k, hi, base, tolerance, below=False) if hi < 1 else None
            row[f"{scope}_low"], row[f"{scope}_high"] = float(lo), float(hi)
            row[f"{scope}_low_swap"] = _pair_name(lo_pair, names, base)
            row[f"{scope}_high_swap"] = _pair_name(hi_pair, names, base)
        rows.append(row)
    return pd.DataFrame(rows).set_index("criterion")


def _swap_at(scorer, norm, k, t, base, tol, below: bool):
    step = 1e-6 if not below else -1e-6
    w = rescaled_weights(scorer.weights, k, np.array([min(max(t + step, 0.0), 1.0)]))
    after = ranks(scorer.scores(w, normalized=norm), tol)[0]
    now = ranks(base[None, :], tol)[0]
    for a in range(len(base)):
        for b in range(len(base)):
            if now[a] < now[b] and after[a] >= after[b]:
                return (a, b)
    return None


def _pair_name(pair, names: list[str], base: np.ndarray) -> str:
    if pair is None:
        return ""
    a, b = pair
    ahead, behind = (a, b) if base[a] >= base[b] else (b, a)
    return f"{names[behind]} passes {names[ahead]}"


def tornado(scorer: Scorer, weight_delta: float = TORNADO_WEIGHT_DELTA,
            tolerance: float | None = None) -> pd.DataFrame:
    """One factor at a time: each weight moved to w(1 - d) and w(1 + d) (others rescaled), each raw value moved to
    the low and high end of its uncertainty range (``DecisionMatrix.low/high``). Every vendor's score and rank at
    both ends.

    Columns: factor, kind ("weight" or "value"), criterion, subject (the vendor whose value moved, "" for a
    weight), setting_low, setting_high, vendor, score, score_low, score_high, rank, rank_low, rank_high, swing
    (|score_high - score_low|). Sorted by the largest swing of any vendor per factor, largest first.

    One factor at a time misses interactions and covers a vanishing share of the input space (Saltelli & Annoni
    2010): read it next to SMAA (:mod:`scoring.smaa`), its global complement. With one criterion there is no
    weight factor: its weight is 1 whatever is asked.
    """
    tolerance = scorer.tolerance if tolerance is None else tolerance
    w = scorer.weights
    x = scorer.dm.values.to_numpy(dtype=float)
    base = scorer.scores(w)
    base_rank = ranks(base[None, :], tolerance)[0]
    vendors, criteria = scorer.vendors, scorer.criteria
    # factors: (factor, kind, criterion, subject, low setting, high setting, W(2,m), X(2,n,m))
    factors = []
    for k, crit in enumerate(criteria if len(criteria) > 1 else ()):     # a lone weight cannot move
        t = np.clip(np.array([w[k] * (1 - weight_delta), w[k] * (1 + weight_delta)]), 0.0, 1.0)
        factors.append((f"weight {crit}", "weight", crit, "", t[0], t[1], rescaled_weights(w, k, t), None))
    low, high = scorer.dm.low.to_numpy(dtype=float), scorer.dm.high.to_numpy(dtype=float)
    for i, vendor in enumerate(vendors):
        for k, crit in enumerate(criteria):
            if np.isnan(x[i, k]) or low[i, k] == high[i, k]:
                continue
            xs = np.repeat(x[None], 2, axis=0)
            xs[0, i, k], xs[1, i, k] = low[i, k], high[i, k]
            factors.append((f"{vendor} {crit}", "value", crit, vendor, low[i, k], high[i, k], np.vstack([w, w]), xs))
    rows = []
    for factor, kind, crit, subject, s_lo, s_hi, ws, xs in factors:
        scores = scorer.scores(ws, xs) if xs is not None else scorer.scores(ws)
        moved = ranks(scores, tolerance)
        for i, vendor in enumerate(vendors):
            rows.append(dict(factor=factor, kind=kind, criterion=crit, subject=subject, setting_low=float(s_lo),
                             setting_high=float(s_hi), vendor=vendor, score=float(base[i]),
                             score_low=float(scores[0, i]), score_high=float(scores[1, i]), rank=int(base_rank[i]),
                             rank_low=int(moved[0, i]), rank_high=int(moved[1, i]),
                             swing=float(abs(scores[1, i] - scores[0, i]))))
    table = pd.DataFrame(rows)
    if table.empty:
        return table
    order = table.groupby("factor")["swing"].max().sort_values(ascending=False, kind="stable")
    table["factor"] = pd.Categorical(table["factor"], categories=list(order.index), ordered=True)
    return table.sort_values(["factor", "vendor"], kind="stable").reset_index(drop=True).astype({"factor": str})
