"""Fourth stage: normalized values (1 = best) and weights -> one score per vendor, in [0, 1].

Thin, checking wrappers over the kernels of the method registry (:mod:`scoring.methods`, which documents each
method): a pandas table in, a pandas Series named ``score`` out.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .methods import get_method

if TYPE_CHECKING:
    import pandas as pd


def _checked(norm: pd.DataFrame, weights: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    if list(norm.columns) != list(weights.index):
        raise ValueError(f"weights {list(weights.index)} do not match the criteria {list(norm.columns)}")
    n = norm.to_numpy(dtype=float)
    w = weights.to_numpy(dtype=float)
    if np.isnan(n).any():
        raise ValueError("normalized matrix has missing cells; call normalize() first (it applies the missing policy)")
    if not np.isfinite(w).all() or (w < 0).any() or not np.isclose(w.sum(), 1.0):
        raise ValueError(f"weights must be finite, non-negative and sum to 1, got sum {w.sum():g}")
    return n, w


def aggregate(norm: pd.DataFrame, weights: pd.Series, method: str = "weighted-sum", preferences=None) -> pd.Series:
    """Score with a named method from the registry; an unknown name lists the choices. ``preferences`` (an
    ``outranking.PreferenceTable``) is read by the methods that need preference functions.

    >>> import pandas as pd
    >>> norm = pd.DataFrame({"share": [1.0, 0.0], "stability": [0.0, 1.0]}, index=["alibaba", "volcano"])
    >>> aggregate(norm, pd.Series({"share": 0.75, "stability": 0.25})).to_dict()
    {'alibaba': 0.75, 'volcano': 0.25}
    """
    import pandas as pd
    entry = get_method(method)
    n, w = _checked(norm, weights)
    return pd.Series(entry.kernel(n, w, preferences), index=norm.index, name="score")


def weighted_sum(norm: pd.DataFrame, weights: pd.Series) -> pd.Series:
    """Weighted-sum score per vendor (see :func:`aggregate`)."""
    return aggregate(norm, weights, "weighted-sum")


def topsis(norm: pd.DataFrame, weights: pd.Series) -> pd.Series:
    """TOPSIS closeness per vendor (see :func:`aggregate`)."""
    return aggregate(norm, weights, "topsis")
