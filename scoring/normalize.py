"""Third stage: raw values -> [0, 1] per criterion, oriented so that 1 is always best.

The registry ``NORMALIZATIONS`` names each variant and what it needs; for a column x with direction max / min:

- ``fixed``:   (x - lo) / (hi - lo)        / (hi - x) / (hi - lo), clipped to [0, 1]; lo, hi declared in the
               criteria file. A vendor's value never depends on the other vendors (the bundled default).
- ``min-max``: (x - min) / (max - min)     / (max - x) / (max - min), min and max over the vendors present.
- ``max``:     x / max                     / min / x (needs x >= 0 for max, x > 0 for min).
- ``vector``:  x / sqrt(sum x^2)           / 1 - x / sqrt(sum x^2) (TOPSIS's normalization; the flip keeps every
               distance to the ideal and anti-ideal unchanged, so TOPSIS closeness is the textbook one; needs
               x >= 0: with a negative value x / sqrt(sum x^2) leaves [0, 1], so such a column is refused).

``fixed`` and ``min-max`` take any finite values (a change in points, ``pp``, may be negative). A value outside
what a normalization needs is refused with the cell named (:func:`value_problems`), never scored.

A column whose values span less than ``FLAT_RELATIVE_TOLERANCE`` of their magnitude does not discriminate:
min-max (and TOPSIS under any normalization) would blow rounding noise up into a full point. Such a column is
reported as non-discriminating and gives every vendor the same value: 0 under min-max, the column's mean
under the others (so the level of the scores barely moves, and nothing is decided by noise).

Missing values are normalized last, by each criterion's policy: ``worst`` -> 0, ``median`` -> the median of
the normalized values present (``error`` is refused earlier, when the matrix is built).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

    from .matrix import DecisionMatrix

FLAT_RELATIVE_TOLERANCE = 1e-9


@dataclass(frozen=True)
class Normalization:
    """One normalization and what it needs (see the module docstring)."""

    name: str
    label: str
    needs_scale: bool                 # reads each criterion's declared scale: {min, max}
    min_value_max: float | None       # smallest raw value allowed for a 'max' criterion (None: any)
    min_value_min: float | None       # ... for a 'min' criterion; strictly above it when ``strict_min``
    strict_min: bool
    depends_on_vendors: bool          # a vendor's value moves when another vendor is added or changes


NORMALIZATIONS: dict[str, Normalization] = {
    "fixed": Normalization("fixed", "fixed scale", True, None, None, False, depends_on_vendors=False),
    "min-max": Normalization("min-max", "min-max over the vendors", False, None, None, False, depends_on_vendors=True),
    "max": Normalization("max", "share of the best (x / max, min / x)", False, 0.0, 0.0, True, depends_on_vendors=True),
    "vector": Normalization("vector", "vector (x / sqrt(sum x^2))", False, 0.0, 0.0, False, depends_on_vendors=True),
}
NORMALIZATION_NAMES = tuple(NORMALIZATIONS)


def get_normalization(name: str) -> Normalization:
    """The registry entry for ``name``; a ValueError lists the choices.

    >>> get_normalization("minmax")
    Traceback (most recent call last):
    ...
    ValueError: unknown normalization 'minmax'; choose one of 'fixed', 'min-max', 'max', 'vector'
    """
    try:
        return NORMALIZATIONS[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown normalization {name!r}; choose one of "
                         f"{', '.join(map(repr, NORMALIZATIONS))}") from None


def value_problems(values: np.ndarray, is_max: np.ndarray, method: str) -> list[tuple[int, int, str]]:
    """Cells a normalization cannot take: [(vendor index, criterion index, what it needs)], criterion by criterion.

    >>> value_problems(np.array([[-5.0, 1.0], [3.0, 0.0]]), np.array([True, False]), "vector")[0][:2]
    (0, 0)
    """
    floors, strict = value_floors(is_max, method)
    x = np.asarray(values, dtype=float)
    with np.errstate(invalid="ignore"):
        bad = np.where(strict, x <= floors, x < floors) & ~np.isnan(x)      # NaN floors (no need) never compare
    out = []
    for j, i in zip(*np.nonzero(bad.T), strict=True):          # only the refused cells, criterion by criterion
        why = {"vector": "x / sqrt(sum x^2) would leave [0, 1]",
               "max": "min / x needs x > 0" if strict[j] else "x / max needs x >= 0"}.get(method, "")
        out.append((int(i), int(j), f"normalization {method!r} needs values {'>' if strict[j] else '>='} "
                                    f"{floors[j]:g} ({why}), got {x[i, j]:g}"))
    return out


def value_floors(is_max: np.ndarray, method: str) -> tuple[np.ndarray, np.ndarray]:
    """Per criterion: the smallest raw value the normalization takes (NaN: any) and whether it is excluded.

    >>> value_floors(np.array([True, False]), "max")
    (array([0., 0.]), array([False,  True]))
    """
    entry = get_normalization(method)
    is_max = np.asarray(is_max, dtype=bool)
    floors = np.array([(entry.min_value_max if up else entry.min_value_min) for up in is_max], dtype=float)
    floors = np.where(np.array([f is None for f in floors.tolist()]), np.nan, floors) if floors.size else floors
    strict = np.array([entry.strict_min and not up for up in is_max], dtype=bool)
    return floors, strict


def normalize_array(values: np.ndarray, is_max: np.ndarray, method: str, lower: np.ndarray | None = None,
                    upper: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Pure kernel: (..., n vendors, m criteria) -> normalized array and a (..., m) "non-discriminating" mask.

    Leading axes are batches (e.g. Monte Carlo draws); every reduction runs over the vendor axis (-2). NaN stays
    NaN. No checks: the caller passes a known method, bounds for ``fixed``, positives for ``max``.

    >>> norm, flat = normalize_array(np.array([[1.0, 10.0], [3.0, 30.0]]), np.array([True, False]), "min-max")
    >>> norm.tolist(), flat.tolist()
    ([[0.0, 1.0], [1.0, 0.0]], [False, False])
    """
    x = np.asarray(values, dtype=float)
    missing = np.isnan(x)
    all_nan = missing.all(axis=-2)
    with np.errstate(all="ignore"):
        cmin = np.where(all_nan, 0.0, np.where(missing, np.inf, x).min(axis=-2))
        cmax = np.where(all_nan, 0.0, np.where(missing, -np.inf, x).max(axis=-2))
        x, cmin, cmax, lower, upper = _rescaled(x, cmin, cmax, method, lower, upper)
        span = cmax - cmin
        magnitude = np.maximum(np.abs(cmax), np.abs(cmin))
        flat = all_nan | (span <= FLAT_RELATIVE_TOLERANCE * magnitude)
        lo_, hi_, fl = cmin[..., None, :], cmax[..., None, :], flat[..., None, :]
        if method == "fixed":
            lo, hi = np.asarray(lower, dtype=float), np.asarray(upper, dtype=float)
            up = (x - lo) / (hi - lo)
            norm = np.clip(np.where(is_max, up, 1.0 - up), 0.0, 1.0)
        elif method == "min-max":
            safe = np.where(fl, 1.0, hi_ - lo_)
            norm = np.where(is_max, (x - lo_) / safe, (hi_ - x) / safe)
            norm = np.where(fl & ~missing, 0.0, norm)
        elif method == "max":
            norm = np.where(is_max, x / np.where(hi_ == 0, 1.0, hi_), lo_ / x)
            norm = np.where(is_max & (hi_ == 0) & ~missing, 0.0, norm)
        elif method == "vector":
            length = np.sqrt(np.where(missing, 0.0, x * x).sum(axis=-2))[..., None, :]
            r = x / np.where(length == 0, 1.0, length)
            norm = np.where(is_max, r, 1.0 - r)
        else:
            get_normalization(method)       # raises, listing the choices
        if method != "min-max" and flat.any():
            # Every vendor gets the column's mean: values that differ by rounding noise must not decide anything
            # (TOPSIS divides by the spread, so even 1e-16 would otherwise become a full point).
            present = ~np.isnan(norm)
            mean = (np.where(present, norm, 0.0).sum(axis=-2, keepdims=True)
                    / np.maximum(present.sum(axis=-2, keepdims=True), 1))
            norm = np.where(fl & present, mean, norm)
    return norm, flat


_SAFE_MAGNITUDE = 2.0 ** 480      # beyond it (or below its inverse) a square or a span may overflow or underflow


def _rescaled(x, cmin, cmax, method, lower, upper):
    """Every normalization is scale-free (fixed too, with its bounds scaled alike), but its arithmetic is not:
    ``x * x`` overflows for a column scaled by 1e200 and ``max - min`` for values near +-1.8e308. A column whose
    magnitude is extreme is therefore divided by a power of two near it first: exact in binary, so the result is
    the one the unscaled arithmetic would give without overflow. Ordinary columns are left untouched (bit for bit).
    """
    magnitude = np.maximum(np.abs(cmin), np.abs(cmax))
    if method == "fixed":
        lo, hi = np.asarray(lower, dtype=float), np.asarray(upper, dtype=float)
        magnitude = np.maximum(magnitude, np.maximum(np.abs(lo), np.abs(hi)))
    extreme = np.isfinite(magnitude) & (magnitude > 0) & ((magnitude > _SAFE_MAGNITUDE)
                                                          | (magnitude < 1.0 / _SAFE_MAGNITUDE))
    if not extreme.any():
        return x, cmin, cmax, lower, upper
    exponent = np.where(extreme, np.frexp(np.where(extreme, magnitude, 1.0))[1], 0)
    scale = np.ldexp(1.0, -exponent)                  # (..., m): 2**-e, 1 where the column is ordinary
    x = x * scale[..., None, :]
    cmin, cmax = cmin * scale, cmax * scale
    if method == "fixed":
        lower, upper = lo * scale[..., None, :], hi * scale[..., None, :]
    return x, cmin, cmax, lower, upper


def fill_missing(norm: np.ndarray, policies: np.ndarray) -> np.ndarray:
    """Replace NaN cells by policy: ``worst`` -> 0, ``median`` -> the column's median of present values (0 if none).

    Works on (n, m) and batched (..., n, m) arrays; the median is over the vendor axis.
    """
    missing = np.isnan(norm)
    if not missing.any():
        return norm
    fill = np.zeros(norm.shape[:-2] + (1, norm.shape[-1]))
    wants_median = np.asarray(policies) == "median"
    if wants_median.any():
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)   # all-NaN column -> 0 below
            medians = np.nanmedian(norm, axis=-2, keepdims=True)
        fill = np.where(wants_median & ~np.isnan(medians), medians, 0.0)
    return np.where(missing, fill, norm)


def normalize(dm: DecisionMatrix, method: str = "fixed") -> tuple[pd.DataFrame, pd.Series]:
    """Normalize a decision matrix; returns (normalized values, non-discriminating flag per criterion).

    >>> from scoring.matrix import make_matrix
    >>> dm = make_matrix({"share": [30, 10], "incidents": [4, 1]}, vendors=["a", "b"],
    ...                  weights={"share": 1, "incidents": 1}, directions={"incidents": "min"})
    >>> norm, flat = normalize(dm, "min-max")
    >>> norm.to_dict("index")
    {'a': {'share': 1.0, 'incidents': 0.0}, 'b': {'share': 0.0, 'incidents': 1.0}}
    """
    import pandas as pd
    entry = get_normalization(method)
    x = dm.values.to_numpy(dtype=float)
    is_max = (dm.directions == "max").to_numpy()
    if entry.needs_scale:
        unbounded = dm.lower.index[dm.lower.isna() | dm.upper.isna()].tolist()
        if unbounded:
            raise ValueError(f"normalization {method!r} needs scale bounds; criteria {unbounded} have none")
    problems = value_problems(x, is_max, method)
    if problems:
        cells = "; ".join(f"{dm.values.columns[j]} of {dm.values.index[i]}: {why}" for i, j, why in problems)
        raise ValueError(f"cannot normalize: {cells}; use min-max or fixed")
    norm, flat = normalize_array(x, is_max, method, dm.lower.to_numpy(float), dm.upper.to_numpy(float))
    norm = fill_missing(norm, dm.missing.to_numpy())
    return (pd.DataFrame(norm, index=dm.values.index, columns=dm.values.columns),
            pd.Series(flat, index=dm.values.columns, name="non_discriminating"))
