"""The method registry: how normalized values (1 = best) and weights become one score per vendor, in [0, 1].

One entry per method, plain data (``METHODS``): its batched kernel and the facts other modules need to know about
it. Every caller (pipeline, batched scorer, what-if, reports, the command line, the test strategies) asks the
registry instead of comparing method names.

Kernels are pure numpy and batched: ``kernel(norm, weights, preferences)`` takes ``norm`` of shape (n, m) or
(K, n, m) and ``weights`` of shape (m,) or (K, m), and returns scores of shape (n,) or (K, n); a single
ranking is the batch of one. They trust their caller (clean, benefit-oriented values in [0, 1], non-negative
weights summing to 1); :func:`scoring.aggregate.aggregate` and :class:`scoring.scorer.Scorer` check.

- ``weighted-sum``: S_i = sum_j w_j n_ij; the contributions w_j n_ij add up to the score exactly.
- ``topsis``: Hwang & Yoon's TOPSIS on the weighted normalized matrix v_ij = w_j n_ij: Euclidean distances D+ to
  the ideal (column max of v) and D- to the anti-ideal (column min), closeness C_i = D- / (D+ + D-). With
  ``normalization: vector`` this is the textbook method. When every vendor is identical on every weighted
  criterion, D+ = D- = 0 and all are given 0.5 (they tie).
- ``promethee``: PROMETHEE II net flows phi rescaled to (phi + 1) / 2 (see :mod:`scoring.outranking`), with the
  preference functions the criteria file declares.

Facts per method:

- ``linear_in_weights``: the score is linear in the weight vector, S = C w with C = ``criterion_scores(norm,
  preferences)`` (n, m): the normalized values for the weighted sum, and for PROMETHEE II each criterion's own
  net flow rescaled to [0, 1] (phi = sum_j w_j phi_j and the weights sum to 1). Stability intervals then have a
  closed form and the weights what-if is an LP;
- ``linear_in_values``: under ``fixed`` scales, a vendor's score is affine in its own raw values and does not
  depend on the other vendors (the metrics what-if is an LP; adding a vendor moves nobody else);
- ``additive``: per-criterion contributions add up to the score (the reports can show them as its parts);
- ``monotone``: under ``fixed`` scales, improving a vendor on one criterion never lowers its rank (the property
  suite checks it for every method that claims it). TOPSIS does not claim it: the improvement can move the ideal
  point and with it every other vendor's distance.

>>> sorted(METHODS)
['promethee', 'topsis', 'weighted-sum']
>>> import numpy as np
>>> get_method("topsis").kernel(np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]), np.array([0.5, 0.5])).round(3).tolist()
[0.5, 0.5, 1.0]
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:       # numpy is imported by the kernels: the registry itself costs nothing at start-up
    import numpy as np


def weighted_sum_kernel(norm: np.ndarray, weights: np.ndarray, preferences=None) -> np.ndarray:
    """Weighted sum, batched: (n, m) x (m,) -> (n,); (n, m) x (K, m) -> (K, n); (K, n, m) x (m,) or (K, m) -> (K, n).

    >>> import numpy as np
    >>> weighted_sum_kernel(np.array([[1.0, 0.0], [0.5, 0.5]]), np.array([[0.75, 0.25], [0.0, 1.0]])).tolist()
    [[0.75, 0.5], [0.0, 0.5]]
    """
    import numpy as np
    if norm.ndim == 2:
        # einsum, not BLAS: with m ~ 5 the matmul path is up to 50x slower for some array layouts
        return norm @ weights if weights.ndim == 1 else np.einsum("km,nm->kn", weights, norm)
    return np.einsum("...nm,...m->...n", norm, weights)


def topsis_kernel(norm: np.ndarray, weights: np.ndarray, preferences=None) -> np.ndarray:
    """TOPSIS closeness, batched (shapes as :func:`weighted_sum_kernel`).

    Criterion by criterion on (K, n) arrays instead of one (K, n, m) tensor: weights are non-negative, so the ideal
    of w_j x_j is w_j max(x_j), and the squared distances add up column by column.
    """
    import numpy as np
    batched_weights = weights.ndim == 2
    d_plus = d_minus = np.zeros(norm.shape[:-1] if norm.ndim == 3 or not batched_weights
                                else (weights.shape[0], norm.shape[0]))
    for j in range(norm.shape[-1]):
        col = norm[..., j]
        wj = weights[:, j, None] if batched_weights else weights[j]
        d_plus = d_plus + (wj * (col - col.max(axis=-1, keepdims=True))) ** 2
        d_minus = d_minus + (wj * (col - col.min(axis=-1, keepdims=True))) ** 2
    d_plus, d_minus = np.sqrt(d_plus), np.sqrt(d_minus)
    total = d_plus + d_minus
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, d_minus / np.where(total > 0, total, 1.0), 0.5)


def promethee_kernel(norm: np.ndarray, weights: np.ndarray, preferences=None) -> np.ndarray:
    """PROMETHEE II score (phi + 1) / 2, batched; ``preferences`` is an ``outranking.PreferenceTable`` (default:
    ``outranking.DEFAULT_PREFERENCE`` on every criterion)."""
    from .outranking import promethee_scores
    return promethee_scores(norm, weights, preferences)


def promethee_criterion_scores(norm: np.ndarray, preferences=None) -> np.ndarray:
    """(n, m): each criterion's unicriterion net flow, rescaled to [0, 1]; the PROMETHEE II score is this @ weights.

    >>> import numpy as np
    >>> norm = np.array([[0.2, 0.9], [0.9, 0.1], [0.5, 0.5]])
    >>> w = np.array([0.3, 0.7])
    >>> bool(np.allclose(promethee_criterion_scores(norm) @ w, promethee_kernel(norm, w)))
    True
    """
    from .outranking import criterion_net_flows
    return (criterion_net_flows(norm, preferences) + 1.0) / 2.0


def _identity(norm: np.ndarray, preferences=None) -> np.ndarray:
    return norm


@dataclass(frozen=True)
class Method:
    """One aggregation method and what the rest of the tool may rely on about it (see the module docstring)."""

    name: str
    label: str
    kernel: Callable[..., np.ndarray]
    criterion_scores: Callable[..., np.ndarray] | None
    needs_preferences: bool
    linear_in_weights: bool
    linear_in_values: bool
    additive: bool
    monotone: bool


METHODS: dict[str, Method] = {
    "weighted-sum": Method("weighted-sum", "weighted sum", weighted_sum_kernel, _identity, needs_preferences=False,
                           linear_in_weights=True, linear_in_values=True, additive=True, monotone=True),
    "topsis": Method("topsis", "TOPSIS", topsis_kernel, None, needs_preferences=False,
                     linear_in_weights=False, linear_in_values=False, additive=False, monotone=False),
    "promethee": Method("promethee", "PROMETHEE II", promethee_kernel, promethee_criterion_scores,
                        needs_preferences=True, linear_in_weights=True, linear_in_values=False, additive=False,
                        monotone=True),
}
METHOD_NAMES = tuple(METHODS)


def get_method(name: str) -> Method:
    """The registry entry for ``name``; a ValueError lists the choices (and the closest one).

    >>> try:
    ...     get_method("weighted_sum")
    ... except ValueError as exc:
    ...     print(str(exc).split("; ")[1])
    choose one of 'weighted-sum', 'topsis', 'promethee' (did you mean 'weighted-sum'?)
    """
    try:
        return METHODS[name]
    except (KeyError, TypeError):
        from .errors import did_you_mean
        hint = did_you_mean(str(name), METHODS)
        close = f" ({hint})" if hint.startswith("did") else ""
        raise ValueError(f"unknown method {name!r}; choose one of {', '.join(map(repr, METHODS))}{close}") from None
