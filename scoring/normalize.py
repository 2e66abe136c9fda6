"""Third stage: raw values -> [0, 1] per criterion, oriented so that 1 is always best.

Named variants (``NORMALIZERS``), for a column x with direction max / min:

- ``fixed``:   (x - lo) / (hi - lo)        / (hi - x) / (hi - lo), clipped to [0, 1]; lo, hi declared in the
               criteria file. A vendor's value never depends on the other vendors (the bundled default).
- ``min-max``: (x - min) / (max - min)     / (max - x) / (max - min), min and max over the vendors present.
- ``max``:     x / max                     / min / x (needs positive values).
- ``vector``:  x / sqrt(sum x^2)           / 1 - x / sqrt(sum x^2) (TOPSIS's normalization; the flip keeps every
               distance to the ideal and anti-ideal unchanged, so TOPSIS closeness is the textbook one).

A column whose values span less than ``FLAT_RELATIVE_TOLERANCE`` of their magnitude does not discriminate:
min-max (and TOPSIS under any normalization) would blow rounding noise up into a full point. Such a column is
reported as non-discriminating and gives every vendor the same value: 0 under min-max, the column's mean
under the others (so the level of the scores barely moves, and nothing is decided by noise).

Missing values are normalized last, by each criterion's policy: ``worst`` -> 0, ``median`` -> the median of
the normalized values present (``error`` is refused earlier, when the matrix is built).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from .matrix import DecisionMatrix

FLAT_RELATIVE_TOLERANCE = 1e-9
NORMALIZERS = ("fixed", "min-max", "max", "vector")


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
            raise ValueError(f"unknown normalization {method!r}; choose one of {list(NORMALIZERS)}")
        if method != "min-max" and flat.any():
            # Every vendor gets the column's mean: values that differ by rounding noise must not decide anything
            # (TOPSIS divides by the spread, so even 1e-16 would otherwise become a full point).
            present = ~np.isnan(norm)
            mean = (np.where(present, norm, 0.0).sum(axis=-2, keepdims=True)
                    / np.maximum(present.sum(axis=-2, keepdims=True), 1))
            norm = np.where(fl & present, mean, norm)
    return norm, flat


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
    if method not in NORMALIZERS:
        raise ValueError(f"unknown normalization {method!r}; choose one of {list(NORMALIZERS)}")
    x = dm.values.to_numpy(dtype=float)
    is_max = (dm.directions == "max").to_numpy()
    if method == "fixed":
        unbounded = dm.lower.index[dm.lower.isna() | dm.upper.isna()].tolist()
        if unbounded:
            raise ValueError(f"normalization 'fixed' needs scale bounds; criteria {unbounded} have none")
    if method == "max":
        bad = [c for j, c in enumerate(dm.values.columns)
               if np.nanmin(np.where(np.isnan(x[:, j]), np.inf, x[:, j])) < (0 if is_max[j] else 1e-300)]
        if bad:
            raise ValueError(f"normalization 'max' needs positive values (x/max, min/x); criteria {bad} have "
                             "zero or negative values; use min-max or fixed")
    norm, flat = normalize_array(x, is_max, method, dm.lower.to_numpy(float), dm.upper.to_numpy(float))
    norm = fill_missing(norm, dm.missing.to_numpy())
    return (pd.DataFrame(norm, index=dm.values.index, columns=dm.values.columns),
            pd.Series(flat, index=dm.values.columns, name="non_discriminating"))
