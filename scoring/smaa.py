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

**Where the time goes, and why it is near the machine's limit.** Draws sit on the last axis of every working
array (weights (m, draws), figures (n, m, draws), scores (n, draws)), so each step is a long contiguous numpy
loop. With fixed scales normalization is affine per cell: a figure drawn uniformly in [low, high] is drawn
straight in normalized space as ``offset + U x slope`` (clipped where its range leaves the scale; missing cells
0 or the draw's column median by policy), with no per-draw min/max reductions or NaN passes; the weighted sum is
then one einsum and TOPSIS two (its squared gaps to the ideal and anti-ideal times w^2). With the figures fixed,
the weighted sum and PROMETHEE II are C w and TOPSIS's squared distances are two more matrix products. One
comparison per ordered pair of vendors gives both the ranks and the pairwise wins. Other normalizations (min-max,
max, vector: they read the other vendors) and PROMETHEE on drawn figures take the general path: raw figures,
re-normalized and scored per draw by the engine's batched scorer, in byte-bounded steps.

**Chunks and memory.** Draws are processed in chunks sized in bytes: about ``CHUNK_BYTES`` of working arrays
(small enough to stay in cache: on the 2-core development machine 4 MiB was fastest, 16 MiB 2.5x slower on
weights only), but at least ``MIN_CHUNK_DRAWS`` draws while those fit in ``MAX_CHUNK_BYTES``; a chunk never
holds more draws than asked (rounded up to one block of the figure stream, at most ``BLOCK_VALUES`` numbers).
Rank counts and pairwise wins are accumulated on (n, chunk) arrays, never (chunk, n, n); the confidence factors
draw and normalize each chunk of figures once for all vendors, and score it under blocks of central weights
sized to the same budget. Memory is therefore bounded in draws, vendors and criteria alike (500 vendors x 50
criteria with every figure drawn peak under 200 MiB RSS). Time grows with vendors x criteria x draws for the
scores and with vendors^2 x draws for the ranks and pairwise wins (the n x n outputs need every pair).

**One BLAS thread.** The matrix products here are small in their inner dimension (criteria), and OpenBLAS's
extra threads spin on them rather than work: on the 2-core development machine 50 vendors x 20 criteria with
100,000 draws took 2.26 s CPU (1.57 s wall) with two BLAS threads and 1.60 s CPU (1.61 s wall) with one, and the
5 x 5 cases the same wall time either way. :func:`smaa` therefore runs with BLAS limited to one thread
(threadpoolctl), restored when it returns.

**Seeds.** Weights, figures and the confidence factors' figures come from three independent streams of one seed.
The weight stream is read draw after draw. The figure streams are cut into blocks whose size depends on the
problem's shape only (:func:`block_draws`), each block read cell by cell, and chunks are whole blocks: so a
seed gives the same draws whatever the chunk size or memory budget, and the first N draws of a longer run are
exactly the N draws of a shorter one.

**The figure stream changed** (issue 10): figures used to be drawn draw after draw in raw units; they are now
drawn block by block, cell by cell (and, with fixed scales, normalized by an affine map instead of the raw
formula, equal to rounding). Weights-only results are unchanged. With figures drawn, a seed now gives other
draws of the same distribution, so acceptabilities move within Monte Carlo error: the test suite checks that old
and new estimates differ by at most 5 standard errors of a difference, 5 sqrt(2 p (1 - p) / N), for every vendor
and rank (``tests/test_smaa.py``); at 100,000 draws that is at most 0.011 for p = 0.5 (the README's example
moved by at most 0.002).

**Degenerate inputs** give plain answers, with no NaN, warning or IndexError: one vendor is first in every draw
(acceptability [[1.0]]); one criterion has weight 1 in every draw; when no criterion discriminates, every vendor
ties at rank 1 in every draw (the columns then do not sum to 1); a Dirichlet concentration near zero draws
vertices, as above; ``draws=1`` is a draw. The only NaN are documented: the central weights and confidence factor
of a vendor that is never first.
"""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass, field
from functools import cache

import numpy as np
import pandas as pd

from .normalize import normalize_array
from .progress import bar
from .rank import ranks
from .scorer import Scorer
from .weight_draws import (
    WEIGHT_MODELS,
    WeightOrder,
    check_concentration,
    draw_values,  # noqa: F401  (re-exported: the raw-space draw, for callers and tests)
    draw_weights,
    parse_order,
)

CHUNK_BYTES = 4 * 2**20        # working arrays per chunk: small enough to stay in cache (see _chunk_size)
MIN_CHUNK_DRAWS = 1_024        # ... but at least this many draws while they fit in MAX_CHUNK_BYTES
MAX_CHUNK_BYTES = 64 * 2**20
BLOCK_VALUES = 2**17           # random figures per block of the figure stream (1 MiB; see figure_uniforms)


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


# --- chunks and the figure stream -------------------------------------------------------------------------------

def _streams(seed: int) -> tuple[np.random.Generator, np.random.Generator, np.random.Generator]:
    """Independent streams of one seed: weights, figures, and the confidence factors' figures."""
    weights, values, confidence = np.random.SeedSequence(seed).spawn(3)
    return np.random.default_rng(weights), np.random.default_rng(values), np.random.default_rng(confidence)


def block_draws(cells: int) -> int:
    """Draws per block of the figure stream: the largest power of two with ``block x cells <= BLOCK_VALUES``
    (at least 1). It depends on the problem's shape only, never on the memory budget, so chunks (whole blocks)
    of any size read the same numbers.

    >>> block_draws(25), block_draws(1_000), block_draws(25_000)
    (4096, 128, 4)
    """
    most = max(1, BLOCK_VALUES // max(1, cells))
    return 1 << (most.bit_length() - 1)


def figure_uniforms(rng: np.random.Generator, draws: int, cells: int, out: np.ndarray | None = None) -> np.ndarray:
    """(cells, draws) uniforms on [0, 1) for the figure draws, draws on the last axis, read block by block.

    The stream is cut into blocks of :func:`block_draws` draws; within a block the numbers run cell by cell
    (cell c of draw d in a block is number c x block + d), so a block is generated straight into the layout the
    kernels read, and a run in chunks of whole blocks reads exactly the numbers of a run in one piece. A final
    partial block still consumes a whole block (at most ``BLOCK_VALUES`` numbers), so the next chunk starts on a
    block boundary. This is the figure stream of :func:`smaa` (it replaced a draw-major stream, see the module
    docstring).

    >>> rng = np.random.default_rng(0)
    >>> u = figure_uniforms(rng, 5, 3)
    >>> u.shape, bool(np.array_equal(u, np.random.default_rng(0).random((3, block_draws(3)))[:, :5]))
    ((3, 5), True)
    """
    block = block_draws(cells)
    out = np.empty((cells, draws)) if out is None else out
    if draws == block:
        return rng.random(out=out)
    scratch = np.empty((cells, block))
    for start in range(0, draws, block):
        stop = min(draws, start + block)
        rng.random(out=scratch)
        out[:, start:stop] = scratch[:, :stop - start]
    return out


def _chunk_size(scorer: Scorer, vary_values: bool, draws: int) -> int:
    """Draws per chunk: working arrays near ``CHUNK_BYTES`` (small enough to stay in cache), at least
    ``MIN_CHUNK_DRAWS`` while that fits in ``MAX_CHUNK_BYTES`` (so a large problem is not all numpy call overhead),
    never more than asked (rounded up to a whole block of the figure stream when figures are drawn).

    Bytes per draw, float64 unless said: weights and their order ~8 m; scores, ranks and comparisons ~6 n; drawn
    figures, normalized in place (one array) ~1.5 n m, or ~6 n m on the general path (raw, normalized, filled);
    PROMETHEE on drawn figures, its pairwise differences and preference degrees ~4 n^2 m.
    """
    n, m = len(scorer.vendors), len(scorer.criteria)
    per_draw = 8 * (8 * m + 6 * n)
    if vary_values:
        per_draw += 8 * (2 * n * m if _affine_plan(scorer) is not None else 6 * n * m)
        if scorer.entry.needs_preferences:
            per_draw += 8 * 4 * n * n * m
    size = max(CHUNK_BYTES // per_draw, min(MIN_CHUNK_DRAWS, MAX_CHUNK_BYTES // per_draw), 1)
    if not vary_values:
        return int(min(size, draws))
    block = block_draws(n * m)
    return int(min(max(1, size // block), -(-draws // block)) * block)


# --- draws in normalized space ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class _AffinePlan:
    """With fixed scales, normalization is affine per cell: a figure drawn as low + U (high - low) normalizes to
    ``offset + U slope`` (clipped to [0, 1] where its range leaves the scale), so figures are drawn straight in
    normalized space. Missing cells: 0 (``worst``) or the draw's median of the column (``median``)."""

    offset: np.ndarray            # (n, m)
    slope: np.ndarray             # (n, m)
    clip: np.ndarray              # (k,) flat indices i * m + j of the cells whose range leaves [0, 1]
    medians: tuple                # ((j, missing rows, present rows), ...) for median-filled columns


def _affine_plan(scorer: Scorer) -> _AffinePlan | None:
    """The plan for drawing this scorer's figures in normalized space, or None when normalization is not affine
    (min-max, max and vector read the other vendors) or the method needs the general path (PROMETHEE).

    Columns whose every figure is fixed and which do not discriminate (the flat rule of
    :mod:`scoring.normalize`) are taken from the normalized matrix as they are; a column that varies is flat in a
    draw only when every drawn figure lands within 1e-9 of the others, which has probability about 1e-9 per
    draw and is not checked.
    """
    if scorer.normalization != "fixed" or scorer.method not in ("weighted-sum", "topsis"):
        return None
    dm = scorer.dm
    lo, hi = dm.lower.to_numpy(float), dm.upper.to_numpy(float)
    is_max = (dm.directions == "max").to_numpy()
    low, high = dm.low.to_numpy(float), dm.high.to_numpy(float)
    span = hi - lo
    a = np.where(is_max, (low - lo) / span, (hi - low) / span)
    b = np.where(is_max, (high - low) / span, -(high - low) / span)
    missing = np.isnan(low) | np.isnan(high)
    fixed_norm = scorer.normalized()
    _, flat = normalize_array(dm.values.to_numpy(float), is_max, "fixed", lo, hi)
    still = flat & ~np.any((high > low) & ~missing, axis=0)          # flat and nothing drawn: as normalized
    a = np.where(still, fixed_norm, np.where(missing, 0.0, a))
    b = np.where(still | missing, 0.0, b)
    with np.errstate(invalid="ignore"):
        leaves = ~missing & ~still & ((np.minimum(a, a + b) < 0) | (np.maximum(a, a + b) > 1))
    policies = dm.missing.to_numpy()
    medians = tuple((j, np.nonzero(missing[:, j])[0], np.nonzero(~missing[:, j])[0])
                    for j in range(a.shape[1]) if policies[j] == "median" and missing[:, j].any() and not still[j])
    return _AffinePlan(a, b, np.nonzero(leaves.ravel())[0], medians)


def _normalized_draws(plan: _AffinePlan, u: np.ndarray) -> np.ndarray:
    """(n, m, size) normalized figures from uniforms ``u`` (n m, size), computed in place in ``u``."""
    n, m = plan.offset.shape
    u *= plan.slope.reshape(-1, 1)
    u += plan.offset.reshape(-1, 1)
    if len(plan.clip):
        u[plan.clip] = np.clip(u[plan.clip], 0.0, 1.0)
    norm = u.reshape(n, m, -1)
    for j, absent, present in plan.medians:
        norm[absent, j] = np.median(norm[present, j], axis=0) if len(present) else 0.0
    return norm


# --- scores, draws on the last axis -----------------------------------------------------------------------------

def _fixed_kernel(scorer: Scorer):
    """Scores (n, size) of the fixed figures under weights ``wt`` (m, size): matrix products where the method
    allows (the weighted sum and PROMETHEE II are C w; TOPSIS's squared distances are sums of w_j^2 times fixed
    squared gaps, two more products), else the batched kernel."""
    norm = scorer.normalized()
    if scorer.entry.linear_in_weights:
        c = scorer.criterion_scores(norm)
        return lambda wt: c @ wt
    if scorer.method == "topsis":
        gap_best = (norm - norm.max(axis=0)) ** 2
        gap_worst = (norm - norm.min(axis=0)) ** 2

        def topsis(wt):
            w2 = wt * wt
            return _closeness(np.sqrt(gap_best @ w2), np.sqrt(gap_worst @ w2))
        return topsis
    return lambda wt: np.ascontiguousarray(scorer.scores(wt.T, normalized=norm).T)


def _closeness(d_plus: np.ndarray, d_minus: np.ndarray) -> np.ndarray:
    """TOPSIS closeness D- / (D+ + D-); 0.5 where both are 0 (every vendor identical: they tie). Overwrites its
    arguments."""
    total = np.add(d_plus, d_minus, out=d_plus)
    tied = total == 0
    with np.errstate(invalid="ignore", divide="ignore"):
        closeness = np.divide(d_minus, total, out=d_minus)
    if tied.any():
        closeness[tied] = 0.5
    return closeness


def _drawn_scores(method: str, norm: np.ndarray, wt: np.ndarray, scratch: np.ndarray | None = None) -> np.ndarray:
    """Scores (n, size) of normalized figures ``norm`` (n, m, size) under weights ``wt`` (m, size): one einsum for
    the weighted sum; for TOPSIS the squared gaps to the ideal and anti-ideal of every criterion at once (weights
    are non-negative, so the ideal of w_j x_j is w_j max x_j), weighted by w_j^2 in one einsum each; ``scratch``
    (shaped like ``norm``) holds the gaps when given."""
    if method == "weighted-sum":
        return np.einsum("ijk,jk->ik", norm, wt)
    w2 = wt * wt
    d_plus, d_minus = (np.sqrt(np.einsum("ijk,jk->ik", gaps, w2)) for gaps in _squared_gaps(norm, scratch))
    return _closeness(d_plus, d_minus)


def _squared_gaps(norm: np.ndarray, scratch: np.ndarray | None = None):
    """TOPSIS's squared gaps (x - max x)^2 and (x - min x)^2 over the vendors, (n, m, size) each, one at a time
    in one scratch array (a generator: use each before asking for the next)."""
    gap = np.subtract(norm, norm.max(axis=0), out=scratch)
    gap *= gap
    yield gap
    np.subtract(norm, norm.min(axis=0), out=gap)
    gap *= gap
    yield gap


def _general_step(scorer: Scorer) -> int:
    """Draws scored at once on the general path: its raw, normalized and (PROMETHEE) pairwise arrays within
    ``MAX_CHUNK_BYTES``, however large a block of the figure stream is."""
    n, m = len(scorer.vendors), len(scorer.criteria)
    per_draw = 8 * (6 * n * m + (4 * n * n * m if scorer.entry.needs_preferences else 0))
    return int(max(1, MAX_CHUNK_BYTES // per_draw))


def _general_scores(scorer: Scorer, u: np.ndarray, wt: np.ndarray, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """Scores (n, size) on the general path: raw figures low + U (high - low), re-normalized per draw, in steps
    of :func:`_general_step` draws."""
    n, m = low.shape
    size = u.shape[1]
    raw = np.moveaxis(u.reshape(n, m, size), -1, 0)                    # (size, n, m) view
    step = _general_step(scorer)
    out = np.empty((n, size))
    for start in range(0, size, step):
        x = low + raw[start:start + step] * (high - low)
        out[:, start:start + step] = scorer.scores(wt[:, start:start + step].T, values=x).T
    return out


def _count_last_axis(flags: np.ndarray) -> np.ndarray:
    """True values along the last axis, as int64: bits packed eight to a byte and counted by popcount (numpy 2),
    else a sum of bytes."""
    if hasattr(np, "bitwise_count"):
        return np.bitwise_count(np.packbits(flags, axis=-1)).sum(axis=-1, dtype=np.int64)
    return flags.view(np.uint8).sum(axis=-1, dtype=np.int64)


def _tally(s: np.ndarray, wt: np.ndarray, tolerance: float, counts: np.ndarray, wins: np.ndarray,
           first_weight_sum: np.ndarray) -> None:
    """Add one chunk's scores ``s`` (n, size) to the rank counts, pairwise wins and weights of the firsts.

    One comparison per ordered pair serves both: u beats v when s_u > s_v + tolerance, and v's rank is 1 + the
    number of vendors that beat it (the rank rule of :mod:`scoring.rank`).
    """
    n, size = s.shape
    small = np.int16 if n < 2**15 else np.intp                       # rank - 1 fits; half the bytes to add up
    behind = np.empty((n, size), dtype=small)                        # rank - 1 of each vendor in each draw
    threshold = s + tolerance
    block = int(max(1, CHUNK_BYTES // (n * size)))                   # vendors v compared at once, n x size each
    for start in range(0, n, block):
        stop = min(n, start + block)
        beaten = s[None, :, :] > threshold[start:stop, None, :]      # [v, u, draw]: u beats v
        wins[:, start:stop] += _count_last_axis(beaten).T
        np.add.reduce(beaten.view(np.uint8), axis=1, dtype=small, out=behind[start:stop])
    cell = behind.astype(np.intp)
    cell += np.arange(0, n * n, n)[:, None]                          # vendor v, rank r -> cell v n + r
    counts += np.bincount(cell.ravel(), minlength=n * n).reshape(n, n)
    first_weight_sum += (behind == 0) @ wt.T


# --- SMAA -------------------------------------------------------------------------------------------------------

@cache
def _blas_threads():
    """threadpoolctl's view of the BLAS libraries loaded in this process (found once: it scans them)."""
    from threadpoolctl import ThreadpoolController
    return ThreadpoolController()


def one_blas_thread():
    """A context in which BLAS uses one thread (see the module docstring), the old limit restored on exit; a
    plain context where threadpoolctl is not installed."""
    try:
        return _blas_threads().limit(limits=1, user_api="blas")
    except ImportError:
        return nullcontext()


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
    with one_blas_thread():
        return _smaa(scorer, draws=draws, seed=seed, weights=weights, concentration=concentration, order=order,
                     vary_values=vary_values, tolerance=tolerance, confidence_draws=confidence_draws)


def _smaa(scorer: Scorer, *, draws: int, seed: int, weights: str, concentration: float, order: list[str] | None,
          vary_values: bool, tolerance: float | None, confidence_draws: int | None) -> SmaaResult:
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
    plan = _affine_plan(scorer) if vary_values else None
    fixed_scores = None if vary_values else _fixed_kernel(scorer)
    weight_rng, value_rng, confidence_rng = _streams(seed)
    chunk = _chunk_size(scorer, vary_values, draws)

    counts = np.zeros((n, n), dtype=np.int64)            # vendor x rank
    first_weight_sum = np.zeros((n, m))
    wins = np.zeros((n, n), dtype=np.int64)              # row beats column
    done = 0
    # figures and TOPSIS's gaps of a full chunk, allocated once (fresh arrays per chunk cost page faults)
    buffers = ((np.empty((n * m, chunk)), np.empty((n, m, chunk)) if scorer.method == "topsis" else None)
               if vary_values else (None, None))
    with bar(draws, "SMAA draws") as advance:
        while done < draws:
            size = min(chunk, draws - done)
            w = draw_weights(weight_rng, size, base, weights, concentration, order_)
            wt = np.ascontiguousarray(w.T)                                    # (m, size): draws on the last axis
            if fixed_scores is not None:
                s = fixed_scores(wt)
            else:
                whole = size == chunk               # a full chunk reuses the buffers: no allocation per chunk
                u = figure_uniforms(value_rng, size, n * m, out=buffers[0] if whole else None)
                s = (_drawn_scores(scorer.method, _normalized_draws(plan, u), wt, buffers[1] if whole else None)
                     if plan is not None else _general_scores(scorer, u, wt, low, high))
            _tally(s, wt, tolerance, counts, wins, first_weight_sum)
            done += size
            advance(size)

    firsts = counts[:, 0]
    central = np.full((n, m), np.nan)
    central[firsts > 0] = first_weight_sum[firsts > 0] / firsts[firsts > 0, None]
    confidence = _confidence_factors(scorer, central, confidence_rng, confidence_draws or min(draws, 100_000),
                                     low, high, vary_values, tolerance, plan)
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


def _confidence_factors(scorer, central, rng, draws, low, high, vary_values, tolerance, plan) -> np.ndarray:
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
    if not vary_values:
        s = _fixed_kernel(scorer)(np.ascontiguousarray(central[known].T)).T          # (vendors known, n)
        out[known] = (ranks(s, tolerance)[np.arange(len(known)), known] == 1).astype(float)
        return out
    n, m = low.shape
    hits = np.zeros(n, dtype=np.int64)
    chunk, done = _chunk_size(scorer, True, draws), 0
    linear = scorer.entry.linear_in_weights
    while done < draws:
        size = min(chunk, draws - done)
        u = figure_uniforms(rng, size, n * m)
        if plan is not None:
            norm = _normalized_draws(plan, u)                                       # (n, m, size)
            # every known vendor's central weights at once, in blocks: (n, block, size), matrix products
            block = int(max(1, MAX_CHUNK_BYTES // (4 * 8 * 3 * size * n)))
            gaps = None if linear else [g.copy() for g in _squared_gaps(norm)]
            for start in range(0, len(known), block):
                vs = known[start:start + block]
                if linear:
                    s = np.matmul(central[vs], norm)                                # (n, len(vs), size)
                else:
                    w2 = central[vs] ** 2
                    s = _closeness(*(np.sqrt(np.matmul(w2, g)) for g in gaps))
                own = s[vs, np.arange(len(vs))]
                hits[vs] += np.count_nonzero(s.max(axis=0) <= own + tolerance, axis=1)
        else:
            raw = np.moveaxis(u.reshape(n, m, size), -1, 0)                         # (size, n, m) view
            step = _general_step(scorer)
            for start in range(0, size, step):
                norm = scorer.normalized(low + raw[start:start + step] * (high - low))
                for v in known:                            # a loop over vendors; the draws are batched
                    s = scorer.scores(central[v], normalized=norm)
                    hits[v] += np.count_nonzero(s.max(axis=1) <= s[:, v] + tolerance)
        done += size
    out[known] = hits[known] / draws
    return out
