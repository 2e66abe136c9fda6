"""Across all plausible weights and figures, how often does each vendor come first, second...? (SMAA-2)

Stochastic multicriteria acceptability analysis (Lahdelma & Salminen 2001, "SMAA-2", Operations Research 49(3)):
draw weight vectors (uniform on the simplex, or Dirichlet around the stated weights), optionally respecting
ordinal constraints ("ai_cloud_share >= chip_supply"), and at the same time draw every raw value within its
uncertainty range; score and rank each draw with the engine's scorer and its one rank rule. Reported:

- rank acceptability b_v^r: the share of draws in which vendor v takes rank r (rows and columns sum to 1 when
  there are no ties; a tie gives both vendors the better rank, as in the ranking table);
- central weight vector of v: the mean of the weights over the draws in which v is first;
- confidence factor of v: the share of data draws in which v is first when the weights are v's central weights;
- pairwise winning probability P(v beats u): the share of draws in which v scores more than u (beyond tolerance).

Weights (and their order constraints) are drawn by :mod:`scoring.weight_draws`.

**Chunks and memory.** Draws are processed in chunks sized in bytes: about ``CHUNK_BYTES`` of working arrays,
computed from the number of vendors and criteria, whether the figures are drawn, and whether the method compares
vendors pairwise (PROMETHEE on drawn figures: n x n x m per draw); a chunk never holds more draws than asked. Rank
counts and pairwise wins are accumulated vendor by vendor on (n, chunk) arrays, never (chunk, n, n); the
confidence factors draw and normalize each chunk of figures once for all vendors, and score it under blocks of
central weights sized to the same budget. Memory is therefore bounded in draws, vendors and criteria alike (150
vendors x 5 criteria stay under 100 MiB at any number of draws; ten million draws run in the memory of ten
thousand). Only the outputs themselves are n x n.

**Seeds.** Weights, figures and the confidence factors' figures come from three independent streams of one seed,
each read draw after draw; so a seed gives the same draws whatever the chunk size, and the first N draws of a
longer run are exactly the N draws of a shorter one.

**Degenerate inputs** give plain answers, with no NaN, warning or IndexError: one vendor is first in every draw
(acceptability [[1.0]]); one criterion has weight 1 in every draw; when no criterion discriminates, every vendor
ties at rank 1 in every draw (the columns then do not sum to 1); a Dirichlet concentration near zero draws
vertices, as above; ``draws=1`` is a draw. The only NaN are documented: the central weights and confidence factor
of a vendor that is never first.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .rank import ranks
from .scorer import Scorer
from .weight_draws import (
    WEIGHT_MODELS,
    WeightOrder,
    check_concentration,
    draw_values,
    draw_weights,
    parse_order,
)

CHUNK_BYTES = 64 * 2**20       # working arrays per chunk (see _chunk_size)
MAX_CHUNK = 65_536             # draws per chunk at most: beyond it numpy's per-call cost is already negligible


@dataclass
class SmaaResult:
    """Outputs of :func:`smaa`, as pandas tables indexed by vendor id.

    acceptability : DataFrame   vendors x ranks (1..n): share of draws at that rank
    central_weights : DataFrame vendors x criteria: mean weights over the draws where the vendor is first
                                (NaN for a vendor that is never first)
    confidence : Series         confidence factor per vendor (NaN for a vendor never first)
    winning : DataFrame         vendors x vendors: P(row beats column)
    draws, seed, weights, concentration, vary_values, order: the settings, for the report
    acceptance_rate : float     share of weight draws kept: always 1.0, as no draw is rejected (kept in the JSON
                                for the readers of earlier reports)
    """

    acceptability: pd.DataFrame
    central_weights: pd.DataFrame
    confidence: pd.Series
    winning: pd.DataFrame
    draws: int
    seed: int
    weights: str
    concentration: float | None
    vary_values: bool
    order: list[str] = field(default_factory=list)
    acceptance_rate: float = 1.0

    def to_dict(self) -> dict:
        """``{"acceptability": {vendor: [p_rank1, ...]}, "draws", "seed", ...}`` for JSON."""
        def clean(x):
            return None if pd.isna(x) else round(float(x), 12)
        return {
            "acceptability": {v: [clean(p) for p in row] for v, row in self.acceptability.iterrows()},
            "central_weights": {v: ({c: clean(x) for c, x in row.items()} if not row.isna().all() else None)
                                for v, row in self.central_weights.iterrows()},
            "confidence": {v: clean(x) for v, x in self.confidence.items()},
            "winning": {v: {u: clean(x) for u, x in row.items()} for v, row in self.winning.iterrows()},
            "draws": self.draws, "seed": self.seed, "weights": self.weights, "concentration": self.concentration,
            "vary_values": self.vary_values, "order": self.order, "acceptance_rate": round(self.acceptance_rate, 6),
        }


# --- order constraints -----------------------------------------------------------------------------------------

def _streams(seed: int) -> tuple[np.random.Generator, np.random.Generator, np.random.Generator]:
    """Independent streams of one seed: weights, figures, and the confidence factors' figures."""
    weights, values, confidence = np.random.SeedSequence(seed).spawn(3)
    return np.random.default_rng(weights), np.random.default_rng(values), np.random.default_rng(confidence)


def _chunk_size(scorer: Scorer, vary_values: bool, draws: int) -> int:
    """Draws per chunk so that its working arrays stay near ``CHUNK_BYTES``, and no more than asked.

    Float64 values per draw, as measured with tracemalloc (peak growth per added draw) on each path: weights and
    their order ~8 m; scores, ranks and counts ~6 n; drawn figures, normalized ~6 n m; PROMETHEE on drawn
    figures, its pairwise differences and preference degrees ~3.5 n^2 m (an outranking method: it is the one
    that needs a preference table).
    """
    n, m = len(scorer.vendors), len(scorer.criteria)
    per_draw = 8 * m + 6 * n
    if vary_values:
        per_draw += 6 * n * m
        if scorer.entry.needs_preferences:
            per_draw += 4 * n * n * m
    return int(max(1, min(MAX_CHUNK, draws, CHUNK_BYTES // (8 * per_draw))))


# --- SMAA -------------------------------------------------------------------------------------------------------

def smaa(scorer: Scorer, *, draws: int = 10_000, seed: int = 0, weights: str = "uniform",
         concentration: float = 50.0, order: list[str] | None = None, vary_values: bool = True,
         tolerance: float | None = None, confidence_draws: int | None = None) -> SmaaResult:
    """SMAA-2 over weights and (optionally) raw values; seeded and reproducible. See the module docstring.

    ``tolerance`` (default: the scorer's) is the rank rule's; ``confidence_draws`` (default: min(draws, 100,000))
    the figure draws behind each confidence factor. A ValueError names any invalid setting.

    >>> from scoring.matrix import make_matrix
    >>> dm = make_matrix({"a": [1.0, 0.0], "b": [0.0, 1.0]}, vendors=["x", "y"], weights={"a": 1, "b": 1},
    ...                  bounds={"a": (0, 1), "b": (0, 1)})
    >>> result = smaa(Scorer(dm, "fixed", "weighted-sum"), draws=100_000, seed=1)
    >>> result.acceptability.round(2).values.tolist()     # x first exactly when w_a > 1/2: half the segment
    [[0.5, 0.5], [0.5, 0.5]]
    """
    vendors, criteria = scorer.vendors, scorer.criteria
    n, m = len(vendors), len(criteria)
    tolerance = scorer.tolerance if tolerance is None else tolerance
    _check_settings(draws, seed, weights, concentration, tolerance, confidence_draws, n, m)
    base = scorer.weights
    order_ = WeightOrder.from_pairs(parse_order(list(order or []), criteria), m)
    if weights == "dirichlet":
        _check_stated_weights(order_, base, criteria)
    elif order_.pairs:
        _ = order_.groups                                # build the extension tables now: a refusal comes at once
    low, high = scorer.dm.low.to_numpy(dtype=float), scorer.dm.high.to_numpy(dtype=float)
    vary_values = bool(vary_values and np.any((high > low) & ~np.isnan(high)))
    linear = scorer.entry.linear_in_weights
    fixed_norm = None if vary_values else scorer.normalized()
    fixed_c = scorer.criterion_scores(fixed_norm) if (fixed_norm is not None and linear) else None
    weight_rng, value_rng, confidence_rng = _streams(seed)
    chunk = _chunk_size(scorer, vary_values, draws)

    counts = np.zeros((n, n), dtype=np.int64)            # vendor x rank
    first_weight_sum = np.zeros((n, m))
    wins = np.zeros((n, n), dtype=np.int64)
    done = 0
    while done < draws:
        size = min(chunk, draws - done)
        w = draw_weights(weight_rng, size, base, weights, concentration, order_)
        if fixed_c is not None:
            s = _linear_scores(fixed_c, w)
        elif fixed_norm is not None:
            s = scorer.scores(w, normalized=fixed_norm)
        else:
            s = scorer.scores(w, values=draw_values(value_rng, size, low, high))
        r = np.ascontiguousarray(ranks(s, tolerance).T)                 # (n, size): vendor rows, contiguous
        first_weight_sum += (r == 1).astype(float) @ w
        s = np.ascontiguousarray(s.T)
        beaten = s + tolerance
        for v in range(n):                                             # a loop over vendors, each step (n, size)
            counts[v] += np.bincount(r[v] - 1, minlength=n)
            wins[v] += np.count_nonzero(s[v] > beaten, axis=1)
        done += size

    firsts = counts[:, 0]
    central = np.full((n, m), np.nan)
    central[firsts > 0] = first_weight_sum[firsts > 0] / firsts[firsts > 0, None]
    confidence = _confidence_factors(scorer, central, confidence_rng, confidence_draws or min(draws, 100_000),
                                     low, high, vary_values, tolerance)
    index = pd.Index(vendors, name="vendor")
    return SmaaResult(
        acceptability=pd.DataFrame(counts / draws, index=index, columns=pd.Index(range(1, n + 1), name="rank")),
        central_weights=pd.DataFrame(central, index=index, columns=pd.Index(criteria, name="criterion")),
        confidence=pd.Series(confidence, index=index, name="confidence"),
        winning=pd.DataFrame(wins / draws, index=index, columns=pd.Index(vendors, name="beats")),
        draws=draws, seed=seed, weights=weights, concentration=concentration if weights == "dirichlet" else None,
        vary_values=vary_values, order=list(order or []), acceptance_rate=1.0)


def _check_settings(draws, seed, weights, concentration, tolerance, confidence_draws, n, m) -> None:
    def whole(x) -> bool:
        return isinstance(x, int | np.integer) and not isinstance(x, bool)
    if n < 1 or m < 1:
        raise ValueError(f"SMAA needs at least one vendor and one criterion; got {n} vendors, {m} criteria")
    if not whole(draws) or draws < 1:
        raise ValueError(f"draws must be a whole number of at least 1, got {draws!r}")
    if confidence_draws is not None and (not whole(confidence_draws) or confidence_draws < 1):
        raise ValueError(f"confidence_draws must be a whole number of at least 1, got {confidence_draws!r}")
    if not whole(seed) or seed < 0:
        raise ValueError(f"seed must be a non-negative whole number, got {seed!r}")
    if weights not in WEIGHT_MODELS:
        raise ValueError(f"unknown weight model {weights!r}; choose one of {list(WEIGHT_MODELS)}")
    if weights == "dirichlet":
        check_concentration(concentration)
    if not (np.isfinite(tolerance) and tolerance >= 0):
        raise ValueError(f"tolerance must be a non-negative, finite number, got {tolerance!r}")


def _check_stated_weights(order: WeightOrder, base: np.ndarray, criteria: list[str]) -> None:
    """Dirichlet draws centre on the stated weights: refuse stated weights that break an order constraint."""
    broken = [(i, j) for i, j in order.pairs if base[i] < base[j] - 1e-12]
    if broken:
        text = "; ".join(f"{criteria[i]} {base[i]:.1%} < {criteria[j]} {base[j]:.1%}" for i, j in broken)
        raise ValueError(f"weight order: the stated weights break it ({text}); Dirichlet draws centre on the stated "
                         "weights, so change the weights or the order, or use uniform weights")


def _linear_scores(c: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Scores C w of a method linear in the weights: C (n, m) or (K, n, m), w (K, m) or (m,) -> (K, n)."""
    if c.ndim == 2:
        return np.einsum("km,nm->kn", w, c) if w.ndim == 2 else (c @ w)[None, :]
    return np.einsum("knm,m->kn", c, w) if w.ndim == 1 else np.einsum("knm,km->kn", c, w)


def _confidence_factors(scorer, central, rng, draws, low, high, vary_values, tolerance) -> np.ndarray:
    """Share of figure draws in which each vendor is first under its own central weights (SMAA-2).

    The same figure draws serve every vendor (as in the R ``smaa`` package): each chunk of figures is drawn and
    normalized once, then each vendor's central weights score it. With the figures fixed there is nothing to
    draw: the factor is 1 or 0 (first at its central weights or not). First means no rival scores more than
    ``tolerance`` above, the rank rule's rank 1.
    """
    n = central.shape[0]
    out = np.full(n, np.nan)
    known = np.nonzero(~np.isnan(central).any(axis=1))[0]
    if len(known) == 0:
        return out
    linear = scorer.entry.linear_in_weights
    if not vary_values:
        norm = scorer.normalized()
        s = (_linear_scores(scorer.criterion_scores(norm), central[known]) if linear
             else scorer.scores(central[known], normalized=norm))                 # (vendors known, n)
        out[known] = (ranks(s, tolerance)[np.arange(len(known)), known] == 1).astype(float)
        return out
    hits = np.zeros(n, dtype=np.int64)
    chunk, done = _chunk_size(scorer, True, draws), 0
    while done < draws:
        size = min(chunk, draws - done)
        norm = scorer.normalized(draw_values(rng, size, low, high))
        if linear:
            # scores C w for a block of vendors' central weights at once, (size, n, block): one matrix product
            c = scorer.criterion_scores(norm).reshape(size * n, -1)
            block = int(max(1, CHUNK_BYTES // (16 * size * n)))
            for start in range(0, len(known), block):
                vs = known[start:start + block]
                s = (c @ central[vs].T).reshape(size, n, len(vs))
                own = s[:, vs, np.arange(len(vs))]
                hits[vs] += np.count_nonzero(s.max(axis=1) <= own + tolerance, axis=0)
        else:
            for v in known:                                # a loop over vendors; the draws are batched
                s = scorer.scores(central[v], normalized=norm)
                hits[v] += np.count_nonzero(s.max(axis=1) <= s[:, v] + tolerance)
        done += size
    out[known] = hits[known] / draws
    return out
