"""Shared hypothesis strategies for the property tests: small decision problems and edits to them.

A :class:`Problem` is plain data (vendors x criteria raw values, directions, raw weights, fixed scale bounds)
so a test can edit it (permute, add or drop a vendor, improve one cell, rescale the weights) and rebuild the
:class:`~scoring.matrix.DecisionMatrix` with :meth:`Problem.matrix`. Every problem carries scale bounds (by
default containing its drawn values), so the same problem can be normalized with any of the four normalizations
(``make_matrix`` stores the bounds; only ``fixed`` reads them). Edits may move a value outside its bounds,
which exercises the clipping of ``fixed``, as does ``decision_problems(clipping=True)``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from hypothesis import strategies as st

from scoring.matrix import DecisionMatrix, make_matrix

NORMALIZATIONS = ("fixed", "min-max", "max", "vector")
METHODS = ("weighted-sum", "topsis", "promethee")

VALUE_MIN, VALUE_MAX = 0.01, 1000.0     # positive, so that "max" (x / max, min / x) applies everywhere
BOUND_MAX = 2000.0
WEIGHT_MIN, WEIGHT_MAX = 0.01, 10.0

#: A raw value. (Hypothesis favours the range's ends and simple floats, and copies values between cells, so
#: ties, equal columns and identical vendors come up without help.)
values = st.floats(VALUE_MIN, VALUE_MAX, allow_nan=False, allow_infinity=False, allow_subnormal=False)
raw_weights = st.floats(WEIGHT_MIN, WEIGHT_MAX, allow_nan=False, allow_infinity=False)
directions = st.sampled_from(["max", "min"])

#: Vendor ids (lowercase letters only). A problem takes them from the pool rotated by a drawn offset, so its input
#: order is usually not id order.
VENDOR_POOL = ("alibaba", "baidu", "huawei", "kingsoft", "mobile", "tencent", "tianyi", "volcano")


@dataclass(frozen=True)
class Problem:
    """Raw decision data: ``values[i][j]`` is vendor ``vendors[i]`` on criterion ``criteria[j]``."""

    vendors: tuple[str, ...]
    criteria: tuple[str, ...]
    values: tuple[tuple[float, ...], ...]
    directions: tuple[str, ...]
    weights: tuple[float, ...]
    bounds: tuple[tuple[float, float], ...]

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
        )

    def column(self, j: int) -> list[float]:
        return [row[j] for row in self.values]

    def take(self, indices) -> Problem:
        """The vendors at ``indices``, in that order (a permutation, or a subset)."""
        indices = list(indices)
        return replace(self, vendors=tuple(self.vendors[i] for i in indices),
                       values=tuple(self.values[i] for i in indices))

    def with_vendor(self, vendor: str, row) -> Problem:
        return replace(self, vendors=self.vendors + (vendor,), values=self.values + (tuple(map(float, row)),))

    def with_value(self, i: int, j: int, value: float) -> Problem:
        row = list(self.values[i])
        row[j] = float(value)
        return replace(self, values=self.values[:i] + (tuple(row),) + self.values[i + 1:])

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


def better(direction: str, a: float, b: float) -> float:
    """The better of two raw values for a criterion with this direction."""
    return max(a, b) if direction == "max" else min(a, b)


_fractions = st.sampled_from([1.0, 0.0, 0.5, 0.9, 0.99])    # 1.0 then 0.0 first: shrinks to tight bounds


def bounds_containing(column, f_lo: float, f_hi: float) -> tuple[float, float]:
    """Fixed scale bounds (lo, hi) with 0 <= lo <= min(column), max(column) <= hi <= 2000, lo < hi; the fractions
    (in [0, 1]) place lo between 0 and min(column) and hi between max(column) and 2000 (0 and 1: tight bounds)."""
    lo = min(column) * f_lo
    hi = max(column) + f_hi * (BOUND_MAX - max(column))
    if hi <= lo:
        hi = lo + 1.0
    return lo, hi


def _ordered(a: float, b: float) -> tuple[float, float]:
    lo, hi = min(a, b), max(a, b)
    return (lo, hi) if hi > lo else (lo, lo + 1.0)


@st.composite
def decision_problems(draw, min_vendors: int = 2, max_vendors: int = 7, min_criteria: int = 1,
                      max_criteria: int = 5, clipping: bool = False) -> Problem:
    """2-7 vendors x 1-5 criteria, values in [0.01, 1000], mixed directions, raw weights in [0.01, 10], and
    scale bounds containing the values; with ``clipping``, bounds anywhere in [0, 2000] instead, so that
    ``fixed`` clips values outside them. (Few, flat draws: hypothesis's cost is per draw.)"""
    n = draw(st.integers(min_vendors, max_vendors))
    m = draw(st.integers(min_criteria, max_criteria))
    start = draw(st.integers(0, len(VENDOR_POOL) - 1))     # input order: the pool rotated, not sorted by id
    vendors = (VENDOR_POOL[start:] + VENDOR_POOL[:start])[:n]
    cells = draw(st.lists(values, min_size=n * m, max_size=n * m))
    rows = tuple(tuple(cells[i * m:(i + 1) * m]) for i in range(n))
    if clipping:
        ends = draw(st.lists(st.floats(0.0, BOUND_MAX, allow_subnormal=False), min_size=2 * m, max_size=2 * m))
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
        weights=tuple(draw(st.lists(raw_weights, min_size=m, max_size=m))),
        bounds=bounds,
    )


def decision_matrices(**options) -> st.SearchStrategy[DecisionMatrix]:
    """DecisionMatrix objects (via ``make_matrix``) of :func:`decision_problems`; usable with every normalization."""
    return decision_problems(**options).map(Problem.matrix)


@st.composite
def improvements(draw, problem: Problem) -> tuple[int, int, float]:
    """(vendor index, criterion index, new value) with the new value at least as good in the criterion's direction."""
    i = draw(st.integers(0, problem.n - 1))
    j = draw(st.integers(0, problem.m - 1))
    return i, j, better(problem.directions[j], problem.values[i][j], draw(values))


@st.composite
def dominating_rows(draw, problem: Problem, i: int) -> tuple[float, ...]:
    """A row at least as good as vendor ``i`` on every criterion (possibly equal)."""
    return tuple(better(d, x, draw(values)) for d, x in zip(problem.directions, problem.values[i], strict=True))


def ulp_steps(x: float, k: int) -> float:
    """``x`` moved up by ``k`` units in the last place."""
    for _ in range(k):
        x = math.nextafter(x, math.inf)
    return x


FLAT = "flat"


@st.composite
def near_constant_problems(draw) -> Problem:
    """A decision problem plus one more criterion, ``"flat"`` (the last), whose values differ by a few ulps only
    (relative spread ~1e-16): rounding noise, not information."""
    p = draw(decision_problems(max_criteria=4))
    base = draw(values)
    steps = draw(st.lists(st.integers(0, 3), min_size=p.n, max_size=p.n))
    column = [ulp_steps(base, k) for k in steps]
    return Problem(
        vendors=p.vendors,
        criteria=p.criteria + (FLAT,),
        values=tuple(row + (v,) for row, v in zip(p.values, column, strict=True)),
        directions=p.directions + (draw(directions),),
        weights=p.weights + (draw(raw_weights),),
        bounds=p.bounds + (bounds_containing(column, draw(_fractions), draw(_fractions)),),
    )
