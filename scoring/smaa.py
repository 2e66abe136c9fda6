"""Across all plausible weights and figures, how often does each vendor come first, second...? (SMAA-2)

Stochastic multicriteria acceptability analysis (Lahdelma & Salminen 2001, "SMAA-2", Operations Research 49(3)):
draw weight vectors (uniform on the simplex, or Dirichlet around the stated weights), optionally only those that
respect ordinal constraints ("ai_cloud_share >= chip_supply"), and at the same time draw every raw value within
its uncertainty range; score and rank each draw. Reported:

- rank acceptability b_v^r: the share of draws in which vendor v takes rank r (rows and columns sum to 1 when
  there are no ties; a tie gives both vendors the better rank, as in the ranking table);
- central weight vector of v: the mean of the weights over the draws in which v is first;
- confidence factor of v: the share of data draws in which v is first when the weights are v's central weights;
- pairwise winning probability P(v beats u): the share of draws in which v scores more than u (beyond tolerance).

Draws are processed in fixed-size chunks, one batched numpy computation per chunk, never a Python loop over
draws; memory is bounded by the chunk, so ten million draws run in the same memory as ten thousand. The chunk
size is fixed, so a seed gives the same result however many chunks there are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .rank import DEFAULT_TOLERANCE
from .robustness import Scorer, ranks_of

CHUNK = 65_536                 # draws per batched computation: ~ CHUNK x n x m x 8 bytes per array
WEIGHT_MODELS = ("uniform", "dirichlet")
_MAX_REJECTION_ROUNDS = 10_000
_ORDER = re.compile(r"^\s*([A-Za-z0-9_-]+)\s*(>=|<=)\s*([A-Za-z0-9_-]+)\s*$")


@dataclass
class SmaaResult:
    """Outputs of :func:`smaa`, as pandas tables indexed by vendor id.

    acceptability : DataFrame   vendors x ranks (1..n): share of draws at that rank
    central_weights : DataFrame vendors x criteria: mean weights over the draws where the vendor is first
                                (NaN for a vendor that is never first)
    confidence : Series         confidence factor per vendor (NaN for a vendor never first)
    winning : DataFrame         vendors x vendors: P(row beats column)
    draws, seed, weights, concentration, vary_values, order: the settings, for the report
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


def parse_order(constraints: list[str], criteria: list[str]) -> list[tuple[int, int]]:
    """``["ai_cloud_share >= chip_supply"]`` -> [(i, j)] meaning w_i >= w_j; a ValueError names what is wrong.

    >>> parse_order(["b <= a"], ["a", "b"])
    [(0, 1)]
    """
    from .errors import did_you_mean
    pairs = []
    for text in constraints:
        match = _ORDER.match(text)
        if not match:
            raise ValueError(f"weight order {text!r}: expected 'CRITERION >= CRITERION' or '<='")
        a, op, b = match.groups()
        for name in (a, b):
            if name not in criteria:
                raise ValueError(f"weight order {text!r}: unknown criterion {name!r}; {did_you_mean(name, criteria)}")
        i, j = criteria.index(a), criteria.index(b)
        pairs.append((i, j) if op == ">=" else (j, i))
    return pairs


def draw_weights(rng: np.random.Generator, size: int, base: np.ndarray, model: str = "uniform",
                 concentration: float = 50.0) -> np.ndarray:
    """(size, m) weight vectors on the simplex: uniform (Dirichlet(1, ..., 1)) or Dirichlet(concentration x base).

    Uniform uses normalized exponentials (the same distribution as Dirichlet(1), faster). In the Dirichlet model a
    zero base weight stays zero (it has no mass to draw from).
    """
    m = len(base)
    if model == "uniform":
        e = rng.standard_exponential((size, m))
    elif model == "dirichlet":
        alpha = np.asarray(base, dtype=float) * concentration
        e = np.zeros((size, m))
        live = alpha > 0
        e[:, live] = rng.standard_gamma(alpha[live], size=(size, int(live.sum())))
    else:
        raise ValueError(f"unknown weight model {model!r}; choose one of {list(WEIGHT_MODELS)}")
    return e / e.sum(axis=1, keepdims=True)


def draw_values(rng: np.random.Generator, size: int, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """(size, n, m) raw values drawn uniformly within each cell's [low, high]; NaN (missing) cells stay NaN."""
    u = rng.random((size,) + low.shape)
    return low + u * (high - low)


def _draw_chunk(rng, size, base, model, concentration, order, low, high, vary_values):
    """One chunk: weights respecting the order constraints (by rejection), and values if they vary."""
    if order:
        kept, total, rounds = [], 0, 0
        while total < size:
            w = draw_weights(rng, size, base, model, concentration)
            ok = np.ones(size, dtype=bool)
            for i, j in order:
                ok &= w[:, i] >= w[:, j]
            kept.append(w[ok])
            total += int(ok.sum())
            rounds += 1
            if rounds >= _MAX_REJECTION_ROUNDS and total == 0:
                raise ValueError("no weight draw satisfies the order constraints; are they contradictory?")
        w = np.concatenate(kept)[:size]
        accepted = total / (rounds * size)
    else:
        w, accepted = draw_weights(rng, size, base, model, concentration), 1.0
    x = draw_values(rng, size, low, high) if vary_values else None
    return w, x, accepted


def smaa(scorer: Scorer, *, draws: int = 10_000, seed: int = 0, weights: str = "uniform",
         concentration: float = 50.0, order: list[str] | None = None, vary_values: bool = True,
         tolerance: float = DEFAULT_TOLERANCE, confidence_draws: int | None = None) -> SmaaResult:
    """SMAA-2 over weights and (optionally) raw values; seeded and reproducible. See the module docstring.

    >>> from scoring.matrix import make_matrix
    >>> dm = make_matrix({"a": [1.0, 0.0], "b": [0.0, 1.0]}, vendors=["x", "y"], weights={"a": 1, "b": 1},
    ...                  bounds={"a": (0, 1), "b": (0, 1)})
    >>> result = smaa(Scorer(dm, "fixed", "weighted-sum"), draws=100_000, seed=1)
    >>> result.acceptability.round(2).values.tolist()     # x first exactly when w_a > 1/2: half the segment
    [[0.5, 0.5], [0.5, 0.5]]
    """
    if draws < 1:
        raise ValueError(f"draws must be at least 1, got {draws}")
    vendors, criteria = scorer.vendors, scorer.criteria
    n, m = len(vendors), len(criteria)
    base = scorer.weights
    pairs = parse_order(order or [], criteria)
    low, high = scorer.dm.low.to_numpy(dtype=float), scorer.dm.high.to_numpy(dtype=float)
    vary_values = bool(vary_values and np.any((high > low) & ~np.isnan(high)))
    fixed_norm = None if vary_values else scorer.normalized()
    rng = np.random.default_rng(seed)

    counts = np.zeros((n, n), dtype=np.int64)            # vendor x rank
    first_weight_sum = np.zeros((n, m))
    wins = np.zeros((n, n), dtype=np.int64)
    accepted_total, done = 0.0, 0
    while done < draws:
        size = min(CHUNK, draws - done)
        w, x, accepted = _draw_chunk(rng, CHUNK, base, weights, concentration, pairs, low, high, vary_values)
        w, x = w[:size], (x[:size] if x is not None else None)     # draw full chunks: same stream for any total
        s = scorer.scores(w, normalized=fixed_norm) if x is None else scorer.scores(w, values=x)
        r = ranks_of(s, tolerance)                                  # (size, n)
        for v in range(n):                                          # a loop over vendors, not over draws
            counts[v] += np.bincount(r[:, v] - 1, minlength=n)
            first_weight_sum[v] += (r[:, v] == 1).astype(float) @ w
            for u in range(n):
                wins[v, u] += np.count_nonzero(s[:, v] > s[:, u] + tolerance)
        accepted_total += accepted * size
        done += size

    firsts = counts[:, 0]
    with np.errstate(invalid="ignore", divide="ignore"):
        central = first_weight_sum / firsts[:, None]
    central[firsts == 0] = np.nan
    confidence = _confidence_factors(scorer, central, seed, confidence_draws or min(draws, 100_000),
                                     low, high, vary_values, tolerance)
    return SmaaResult(
        acceptability=pd.DataFrame(counts / draws, index=pd.Index(vendors, name="vendor"),
                                   columns=pd.Index(range(1, n + 1), name="rank")),
        central_weights=pd.DataFrame(central, index=pd.Index(vendors, name="vendor"),
                                     columns=pd.Index(criteria, name="criterion")),
        confidence=pd.Series(confidence, index=pd.Index(vendors, name="vendor"), name="confidence"),
        winning=pd.DataFrame(wins / draws, index=pd.Index(vendors, name="vendor"),
                             columns=pd.Index(vendors, name="beats")),
        draws=draws, seed=seed, weights=weights, concentration=concentration if weights == "dirichlet" else None,
        vary_values=vary_values, order=list(order or []), acceptance_rate=accepted_total / draws)


def _confidence_factors(scorer, central, seed, draws, low, high, vary_values, tolerance) -> np.ndarray:
    """Share of value draws in which each vendor is first under its own central weights (SMAA-2).

    With the figures fixed there is nothing to draw: the factor is 1 or 0 (first at its central weights or not).
    """
    n = central.shape[0]
    out = np.full(n, np.nan)
    if not vary_values:
        norm = scorer.normalized()
        for v in range(n):
            if not np.isnan(central[v]).any():
                out[v] = float(ranks_of(scorer.scores(central[v][None, :], normalized=norm), tolerance)[0, v] == 1)
        return out
    rng = np.random.default_rng([seed, 1])                 # an independent, still seeded, stream
    for v in range(n):                                     # a loop over vendors; draws are batched
        if np.isnan(central[v]).any():
            continue
        hits, done = 0, 0
        while done < draws:
            size = min(CHUNK, draws - done)
            s = scorer.scores(central[v], values=draw_values(rng, CHUNK, low, high)[:size])
            hits += int((ranks_of(s, tolerance)[:, v] == 1).sum())
            done += size
        out[v] = hits / draws
    return out
