"""Fourth stage: normalized values (1 = best) and weights -> one score per vendor, in [0, 1].

Named methods (``AGGREGATORS``):

- ``weighted-sum``: S_i = sum_j w_j n_ij. The contributions w_j n_ij add up to the score exactly.
- ``promethee``: PROMETHEE II net flows rescaled to [0, 1] (see :mod:`scoring.outranking`); preference
  functions come from the criteria file, passed as ``preferences``.
- ``topsis``: Hwang & Yoon's TOPSIS on the weighted normalized matrix v_ij = w_j n_ij: Euclidean distances
  D+ to the ideal (column max of v) and D- to the anti-ideal (column min), closeness C_i = D- / (D+ + D-).
  With ``normalization: vector`` this is the textbook method. When every vendor is identical on every
  weighted criterion, D+ = D- = 0 and all are given 0.5 (they tie).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd


def weighted_sum_array(norm: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Pure kernel: row-wise dot product. Works on (n, m) @ (m,) or batched (n, m) @ (m, k)."""
    return norm @ weights


def topsis_array(norm: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Pure kernel: TOPSIS closeness for an (n vendors, m criteria) benefit-oriented matrix.

    >>> topsis_array(np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]), np.array([0.5, 0.5])).round(3).tolist()
    [0.5, 0.5, 1.0]
    """
    v = norm * weights
    ideal, anti = v.max(axis=0), v.min(axis=0)
    d_plus = np.sqrt(((v - ideal) ** 2).sum(axis=1))
    d_minus = np.sqrt(((v - anti) ** 2).sum(axis=1))
    total = d_plus + d_minus
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, d_minus / np.where(total > 0, total, 1.0), 0.5)


def _checked(norm: pd.DataFrame, weights: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    if list(norm.columns) != list(weights.index):
        raise ValueError(f"weights {list(weights.index)} do not match the criteria {list(norm.columns)}")
    n = norm.to_numpy(dtype=float)
    w = weights.to_numpy(dtype=float)
    if np.isnan(n).any():
        raise ValueError("normalized matrix has missing cells; call normalize() first (it applies the missing policy)")
    if (w < 0).any() or not np.isclose(w.sum(), 1.0):
        raise ValueError(f"weights must be non-negative and sum to 1, got sum {w.sum():g}")
    return n, w


def weighted_sum(norm: pd.DataFrame, weights: pd.Series) -> pd.Series:
    """Weighted-sum score per vendor.

    >>> norm = pd.DataFrame({"share": [1.0, 0.0], "stability": [0.0, 1.0]}, index=["alibaba", "volcano"])
    >>> weighted_sum(norm, pd.Series({"share": 0.75, "stability": 0.25})).to_dict()
    {'alibaba': 0.75, 'volcano': 0.25}
    """
    n, w = _checked(norm, weights)
    return pd.Series(weighted_sum_array(n, w), index=norm.index, name="score")


def topsis(norm: pd.DataFrame, weights: pd.Series) -> pd.Series:
    """TOPSIS closeness per vendor (see the module docstring)."""
    n, w = _checked(norm, weights)
    return pd.Series(topsis_array(n, w), index=norm.index, name="score")


def promethee(norm: pd.DataFrame, weights: pd.Series, preferences=None) -> pd.Series:
    """PROMETHEE II score (net flow + 1) / 2 per vendor; ``preferences`` is an ``outranking.PreferenceTable``."""
    from .outranking import promethee_scores
    n, w = _checked(norm, weights)
    return pd.Series(promethee_scores(n, w, preferences), index=norm.index, name="score")


AGGREGATORS: dict[str, Callable[..., pd.Series]] = {
    "weighted-sum": weighted_sum,
    "topsis": topsis,
    "promethee": promethee,
}
KERNELS: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    "weighted-sum": weighted_sum_array,
    "topsis": topsis_array,
}


def aggregate(norm: pd.DataFrame, weights: pd.Series, method: str = "weighted-sum", preferences=None) -> pd.Series:
    """Score with a named method; an unknown name lists the choices. ``preferences`` is used by PROMETHEE only."""
    try:
        scorer = AGGREGATORS[method]
    except KeyError:
        raise ValueError(f"unknown method {method!r}; choose one of {sorted(AGGREGATORS)}") from None
    return scorer(norm, weights, preferences) if method == "promethee" else scorer(norm, weights)
