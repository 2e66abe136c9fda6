"""Shared hypothesis strategies for the property tests: small decision problems and edits to them.

A :class:`Problem` is plain data (vendors x criteria raw values, directions, raw weights, fixed scale bounds)
so a test can edit it (permute, add or drop a vendor, improve one cell, rescale the weights) and rebuild the
:class:`~scoring.matrix.DecisionMatrix` with :meth:`Problem.matrix`. Every problem carries scale bounds (by
default containing its drawn values), so the same problem can be normalized with any normalization
(``make_matrix`` stores the bounds; only ``fixed`` reads them). Edits may move a value outside its bounds,
which exercises the clipping of ``fixed``, as does ``decision_problems(clipping=True)``.

The method and normalization names come from the registries (``METHODS``, ``NORMALIZATIONS`` below), never from
a list written here. Values may be negative or zero and weights may be zero (never all of them): a test over every
normalization skips one only where the registry says the drawn values violate its needs
(:func:`normalization_takes`, i.e. ``scoring.normalize.value_problems`` is empty).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
from hypothesis import strategies as st

from scoring.matrix import DecisionMatrix, make_matrix
from scoring.methods import METHOD_NAMES, get_method
from scoring.normalize import NORMALIZATION_NAMES, value_problems

NORMALIZATIONS = NORMALIZATION_NAMES
METHODS = METHOD_NAMES
#: the methods whose registry entry claims monotonicity (improving a vendor never lowers its rank, fixed scales)
MONOTONE_METHODS = tuple(name for name in METHOD_NAMES if get_method(name).monotone)

VALUE_MAX = 1000.0
POSITIVE_MIN = 0.01
BOUND_MAX = 2000.0
WEIGHT_MAX = 10.0

#: How a problem's values are drawn. Each problem draws one sign regime for all its cells, so the normalizations
#: that need non-negative (``vector``) or positive (``max``, on a min criterion) values still get plenty of
#: problems they take, while ``fixed`` and ``min-max`` see negatives and zeros. (Hypothesis favours the ranges'
#: ends and simple floats, and copies values between cells, so ties, equal columns, zeros and identical vendors
#: come up without help.)
SIGNS = ("positive", "non-negative", "signed")
VALUES = {
    "positive": st.floats(POSITIVE_MIN, VALUE_MAX, allow_nan=False, allow_infinity=False, allow_subnormal=False),
    "non-negative": st.floats(0.0, VALUE_MAX, allow_nan=False, allow_infinity=False, allow_subnormal=False),
    "signed": st.floats(-VALUE_MAX, VALUE_MAX, allow_nan=False, allow_infinity=False, allow_subnormal=False),
}
#: A raw value of any sign.
values = VALUES["signed"]
#: A raw weight: zero often (a criterion that counts for nothing), else positive.
raw_weights = st.one_of(st.just(0.0), st.floats(0.01, WEIGHT_MAX, allow_nan=False, allow_infinity=False))
directions = st.sampled_from(["max", "min"])

#: Vendor ids (lowercase letters only). A problem takes them from the pool rotated by a drawn offset, so its input
#: order is usually not id order.
VENDOR_POOL = ("alibaba", "baidu", "huawei", "kingsoft", "mobile", "tencent", "tianyi", "volcano")


@dataclass(frozen=True)
class Problem:
    """Raw decision data: ``values[i][j]`` is vendor ``vendors[i]`` on criterion ``criteria[j]`` (NaN: missing,
    filled by the ``missing`` policy)."""

    vendors: tuple[str, ...]
    criteria: tuple[str, ...]
    values: tuple[tuple[float, ...], ...]
    directions: tuple[str, ...]
    weights: tuple[float, ...]
    bounds: tuple[tuple[float, float], ...]
    missing: str = "worst"

    @property
    def n(self) -> int:
        return len(self.vendors)

    @property
    def m(self) -> int:
        return len(self.criteria)

    def matrix(self) -> DecisionMatrix:
        return make_matrix(
            {c: [row[j] for row in self.values] for j, c in enumerate(self.criteria)},
            vendors=list(self.vendors),
            weights=dict(zip(self.criteria, self.weights, strict=True)),
            directions=dict(zip(self.criteria, self.directions, strict=True)),
            bounds=dict(zip(self.criteria, self.bounds, strict=True)),
            missing=self.missing,
        )

    def array(self) -> np.ndarray:
        return np.array(self.values, dtype=float).reshape(self.n, self.m)

    def is_max(self) -> np.ndarray:
        return np.array(self.directions) == "max"

    def column(self, j: int) -> list[float]:
        return [row[j] for row in self.values]

    def take(self, indices) -> Problem:
        """The vendors at ``indices``, in that order (a permutation, or a subset)."""
        indices = list(indices)
        return replace(self, vendors=tuple(self.vendors[i] for i in indices),
                       values=tuple(self.values[i] for i in indices))

    def take_criteria(self, indices) -> Problem:
        """The criteria at ``indices``, in that order, with their weights, directions and bounds."""
        indices = list(indices)
        return replace(self, criteria=tuple(self.criteria[j] for j in indices),
                       values=tuple(tuple(row[j] for j in indices) for row in self.values),
                       directions=tuple(self.directions[j] for j in indices),
                       weights=tuple(self.weights[j] for j in indices),
                       bounds=tuple(self.bounds[j] for j in indices))

    def with_vendor(self, vendor: str, row) -> Problem:
        return replace(self, vendors=self.vendors + (vendor,), values=self.values + (tuple(map(float, row)),))

    def with_value(self, i: int, j: int, value: float) -> Problem:
        row = list(self.values[i])
        row[j] = float(value)
        return replace(self, values=self.values[:i] + (tuple(row),) + self.values[i + 1:])

    def with_values(self, array) -> Problem:
        return replace(self, values=tuple(tuple(map(float, row)) for row in np.asarray(array, dtype=float)))

    def with_column(self, j: int, column) -> Problem:
        return replace(self, values=tuple(row[:j] + (float(v),) + row[j + 1:]
                                          for row, v in zip(self.values, column, strict=True)))

    def with_weights(self, weights) -> Problem:
        return replace(self, weights=tuple(map(float, weights)))

    def new_vendor_id(self) -> str:
        """An id no drawn vendor has (drawn ids are lowercase letters only; this one sorts after them all)."""
        k = 0
        while f"zz{k}_" in self.vendors:
            k += 1
        return f"zz{k}_"


def normalization_takes(problem: Problem, normalization: str, values=None) -> bool:
    """True when the registry says ``normalization`` can take the problem's values (or ``values``, same shape):
    :func:`scoring.normalize.value_problems` finds nothing. The one reason a test skips a normalization."""
    x = problem.array() if values is None else np.asarray(values, dtype=float)
    return not value_problems(x.reshape(-1, x.shape[-1]), problem.is_max(), normalization)


def sign_of(problem: Problem) -> str:
    """The narrowest sign regime the problem's values fall in (so edits can stay in it)."""
    x = problem.array()
    x = x[~np.isnan(x)]
    if (x > 0).all():
        return "positive"
    return "non-negative" if (x >= 0).all() else "signed"


def values_like(problem: Problem) -> st.SearchStrategy[float]:
    """Raw values of the problem's own sign regime: an edit keeps a problem that ``max`` or ``vector`` takes
    (mostly) one they take."""
    return VALUES[sign_of(problem)]


def better(direction: str, a: float, b: float) -> float:
    """The better of two raw values for a criterion with this direction."""
    return max(a, b) if direction == "max" else min(a, b)


_fractions = st.sampled_from([1.0, 0.0, 0.5, 0.9, 0.99])    # 1.0 then 0.0 first


def bounds_containing(column, f_lo: float, f_hi: float) -> tuple[float, float]:
    """Fixed scale bounds (lo, hi) with lo <= min(column), max(column) <= hi <= 2000, lo < hi. ``f_lo`` places lo
    between the column's min (1: tight) and a floor (0): 0 for a non-negative column, -2000 otherwise;
    ``f_hi`` places hi between the column's max (0: tight) and 2000 (1)."""
    cmin, cmax = min(column), max(column)
    floor = 0.0 if cmin >= 0 else -BOUND_MAX
    lo = floor + f_lo * (cmin - floor)
    hi = cmax + f_hi * (BOUND_MAX - cmax)
    if hi <= lo:
        hi = lo + 1.0
    return lo, hi


def _ordered(a: float, b: float) -> tuple[float, float]:
    lo, hi = min(a, b), max(a, b)
    return (lo, hi) if hi > lo else (lo, lo + 1.0)


def _some_weight_positive(weights: list[float], fallback: int) -> tuple[float, ...]:
    """Zero weights are drawn often; when all are, criterion ``fallback`` gets weight 1 (make_matrix refuses
    all-zero weights, and so does the loader)."""
    if not any(w > 0 for w in weights):
        weights = list(weights)
        weights[fallback] = 1.0
    return tuple(weights)


@st.composite
def weight_vectors(draw, m: int) -> tuple[float, ...]:
    """m raw weights, zeros included, not all zero."""
    return _some_weight_positive(draw(st.lists(raw_weights, min_size=m, max_size=m)),
                                 draw(st.integers(0, m - 1)))


@st.composite
def decision_problems(draw, min_vendors: int = 2, max_vendors: int = 7, min_criteria: int = 1,
                      max_criteria: int = 5, clipping: bool = False, signs: tuple[str, ...] = SIGNS) -> Problem:
    """2-7 vendors x 1-5 criteria, values in [-1000, 1000] (one sign regime of ``signs`` per problem: positive,
    non-negative or any sign), mixed directions, raw weights in {0} U [0.01, 10] (not all zero), and scale bounds
    containing the values; with ``clipping``, bounds anywhere in [-2000, 2000] instead, so that ``fixed`` clips
    values outside them. (Few, flat draws: hypothesis's cost is per draw.)"""
    n = draw(st.integers(min_vendors, max_vendors))
    m = draw(st.integers(min_criteria, max_criteria))
    start = draw(st.integers(0, len(VENDOR_POOL) - 1))     # input order: the pool rotated, not sorted by id
    vendors = (VENDOR_POOL[start:] + VENDOR_POOL[:start])[:n]
    regime = draw(st.sampled_from(signs))
    cells = draw(st.lists(VALUES[regime], min_size=n * m, max_size=n * m))
    rows = tuple(tuple(cells[i * m:(i + 1) * m]) for i in range(n))
    if clipping:
        ends = draw(st.lists(st.floats(-BOUND_MAX, BOUND_MAX, allow_subnormal=False), min_size=2 * m,
                             max_size=2 * m))
        bounds = tuple(_ordered(ends[2 * j], ends[2 * j + 1]) for j in range(m))
    else:
        fractions = draw(st.lists(_fractions, min_size=2 * m, max_size=2 * m))
        bounds = tuple(bounds_containing([row[j] for row in rows], fractions[2 * j], fractions[2 * j + 1])
                       for j in range(m))
    return Problem(
        vendors=tuple(vendors),
        criteria=tuple(f"c{j}" for j in range(m)),
        values=rows,
        directions=tuple(draw(st.lists(directions, min_size=m, max_size=m))),
        weights=draw(weight_vectors(m)),
        bounds=bounds,
    )


def decision_matrices(**options) -> st.SearchStrategy[DecisionMatrix]:
    """DecisionMatrix objects (via ``make_matrix``) of :func:`decision_problems`. Negative values and zeros are
    drawn: normalize them with ``fixed`` or ``min-max``, or filter with :func:`normalization_takes` first."""
    return decision_problems(**options).map(Problem.matrix)


@st.composite
def improvements(draw, problem: Problem) -> tuple[int, int, float]:
    """(vendor index, criterion index, new value) with the new value at least as good in the criterion's direction
    (drawn in the problem's sign regime)."""
    i = draw(st.integers(0, problem.n - 1))
    j = draw(st.integers(0, problem.m - 1))
    return i, j, better(problem.directions[j], problem.values[i][j], draw(values_like(problem)))


@st.composite
def dominating_rows(draw, problem: Problem, i: int) -> tuple[float, ...]:
    """A row at least as good as vendor ``i`` on every criterion (possibly equal), in the problem's sign regime."""
    like = values_like(problem)
    return tuple(better(d, x, draw(like)) for d, x in zip(problem.directions, problem.values[i], strict=True))


def ulp_steps(x: float, k: int) -> float:
    """``x`` moved up by ``k`` units in the last place."""
    for _ in range(k):
        x = math.nextafter(x, math.inf)
    return x


FLAT = "flat"


@st.composite
def near_constant_problems(draw) -> Problem:
    """A decision problem plus one more criterion, ``"flat"`` (the last), whose values differ by a few ulps only
    (relative spread ~1e-16): rounding noise, not information. Its base value is non-zero, of either sign."""
    p = draw(decision_problems(max_criteria=4))
    base = draw(VALUES["positive"]) * draw(st.sampled_from([1.0, -1.0]))
    steps = draw(st.lists(st.integers(0, 3), min_size=p.n, max_size=p.n))
    column = [ulp_steps(base, k) for k in steps]
    return Problem(
        vendors=p.vendors,
        criteria=p.criteria + (FLAT,),
        values=tuple(row + (v,) for row, v in zip(p.values, column, strict=True)),
        directions=p.directions + (draw(directions),),
        weights=_some_weight_positive(list(p.weights) + [draw(raw_weights)], p.m),
        bounds=p.bounds + (bounds_containing(column, draw(_fractions), draw(_fractions)),),
    )


@st.composite
def near_tie_scores(draw, tolerance: float, min_size: int = 1, max_size: int = 80,
                    batch: int | None = None) -> np.ndarray:
    """Score arrays (n,) or (batch, n) built from a few base levels plus planted offsets at and around the tie
    tolerance (0, +-tol/2, +-tol, +-3 tol/2, +-2 tol, and the floats just beside +-tol), so chains of near-ties,
    exact ties and gaps of exactly the tolerance all come up. Sizes up to 80 cover the sort-based path of
    :func:`scoring.rank.ranks` (one ranking with more than 32 vendors)."""
    n = draw(st.integers(min_size, max_size))
    levels = draw(st.lists(st.floats(0.0, 1.0, allow_subnormal=False), min_size=1, max_size=4))
    offsets = [0.0, 0.5, 1.0, 1.5, 2.0, -0.5, -1.0, -2.0]
    beside = [math.nextafter(tolerance, 0.0), math.nextafter(tolerance, 1.0)]
    cells = st.tuples(st.sampled_from(levels), st.sampled_from(offsets), st.sampled_from([0.0, *beside]),
                      st.sampled_from([1.0, -1.0]))
    shape = (n,) if batch is None else (batch, n)
    drawn = draw(st.lists(cells, min_size=int(np.prod(shape)), max_size=int(np.prod(shape))))
    out = np.array([level + k * tolerance + sign * extra for level, k, extra, sign in drawn], dtype=float)
    return out.reshape(shape)
