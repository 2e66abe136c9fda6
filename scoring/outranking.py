"""An outranking method: PROMETHEE II (Brans & Vincke 1985, "A preference ranking organisation method",
Management Science 31(6)), with the six named preference functions of Brans, Vincke & Mareschal (1986).

For each criterion j and pair (a, b) the difference d = n_aj - n_bj of the normalized values (1 = best, so a
``min`` criterion is already oriented) becomes a preference degree P_j(a, b) in [0, 1]:

- ``usual``:    1 if d > 0
- ``u-shape``:  1 if d > q
- ``v-shape``:  d / p up to p, then 1
- ``level``:    0 up to q, 1/2 up to p, then 1
- ``linear``:   0 up to q, (d - q) / (p - q) up to p, then 1   (V-shape with an indifference threshold)
- ``gaussian``: 1 - exp(-d^2 / (2 s^2)) for d > 0

pi(a, b) = sum_j w_j P_j(a, b); the net flow phi(a) = (sum_b pi(a, b) - sum_b pi(b, a)) / (n - 1) lies in
[-1, 1]. cloudscore reports the score (phi + 1) / 2, in [0, 1] like the other methods (same ranking).

Thresholds q, p, s are written in the criterion's own units in the criteria file (``preference: {function:
linear, q: 1, p: 10}``) and divided by the width of its fixed scale, so they need ``normalization: fixed``
(under min-max, max or vector a unit of the criterion is not the same distance for every set of vendors; the
loader refuses the combination). A criterion without ``preference`` uses ``DEFAULT_PREFERENCE``, written in
normalized units, which suits every normalization.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

PREFERENCE_FUNCTIONS = ("usual", "u-shape", "v-shape", "level", "linear", "gaussian")
PARAMETERS = {"usual": (), "u-shape": ("q",), "v-shape": ("p",), "level": ("q", "p"), "linear": ("q", "p"),
              "gaussian": ("s",)}
#: Differences under 5% of a scale are noise; half the scale is a decisive preference.
DEFAULT_PREFERENCE = ("linear", {"q": 0.05, "p": 0.5})
#: Normalizing (x - lo) / (hi - lo) turns 80 - 70 = 10 into 0.10000000000000009: the step functions compare
#: against their thresholds with this slack, so a difference equal to a threshold is not a preference.
THRESHOLD_SLACK = 1e-9


@dataclass(frozen=True)
class PreferenceTable:
    """Per criterion: function name and thresholds q, p, s in normalized units (NaN where unused)."""

    function: tuple[str, ...]
    q: np.ndarray
    p: np.ndarray
    s: np.ndarray

    @classmethod
    def default(cls, m: int) -> PreferenceTable:
        fn, params = DEFAULT_PREFERENCE
        return cls((fn,) * m, np.full(m, params["q"]), np.full(m, params["p"]), np.full(m, np.nan))


def preference_table(criteria) -> PreferenceTable:
    """The preference functions a criteria set declares, thresholds converted to normalized units."""
    fns, qs, ps, ss = [], [], [], []
    for c in criteria.criteria:
        fn, params = c.preference if c.preference else DEFAULT_PREFERENCE
        span = (c.scale.hi - c.scale.lo) if (c.scale and c.preference) else 1.0   # the loader ensures a scale
        fns.append(fn)
        qs.append(params.get("q", np.nan) / span)
        ps.append(params.get("p", np.nan) / span)
        ss.append(params.get("s", np.nan) / span)
    return PreferenceTable(tuple(fns), np.array(qs, float), np.array(ps, float), np.array(ss, float))


def preference_degrees(d: np.ndarray, table: PreferenceTable) -> np.ndarray:
    """P_j(a, b) for differences d (..., m) criterion by criterion (vectorized over everything else)."""
    out = np.zeros_like(d, dtype=float)
    for j, fn in enumerate(table.function):          # a loop over criteria, each step batched
        x = d[..., j]
        q, p, s = table.q[j], table.p[j], table.s[j]
        if fn == "usual":
            v = (x > THRESHOLD_SLACK).astype(float)
        elif fn == "u-shape":
            v = (x > q + THRESHOLD_SLACK).astype(float)
        elif fn == "v-shape":
            v = np.clip(x / p, 0.0, 1.0)
        elif fn == "level":
            v = np.where(x > p + THRESHOLD_SLACK, 1.0, np.where(x > q + THRESHOLD_SLACK, 0.5, 0.0))
        elif fn == "linear":
            v = np.clip((x - q) / (p - q), 0.0, 1.0)
        elif fn == "gaussian":
            v = np.where(x > 0, 1.0 - np.exp(-(x * x) / (2.0 * s * s)), 0.0)
        else:
            raise ValueError(f"unknown preference function {fn!r}; choose one of {list(PREFERENCE_FUNCTIONS)}")
        out[..., j] = v
    return out


def net_flows(norm: np.ndarray, weights: np.ndarray, table: PreferenceTable) -> np.ndarray:
    """PROMETHEE II net flows, batched: norm (n, m) or (K, n, m); weights (m,) or (K, m) -> (n,) or (K, n).

    >>> table = PreferenceTable(("usual",), np.array([np.nan]), np.array([np.nan]), np.array([np.nan]))
    >>> net_flows(np.array([[0.2], [0.9], [0.5]]), np.array([1.0]), table).tolist()
    [-1.0, 1.0, 0.0]
    """
    n = norm.shape[-2]
    d = norm[..., :, None, :] - norm[..., None, :, :]              # (..., n, n, m): a minus b
    pref = preference_degrees(d, table)
    if pref.ndim == 3:                                              # one matrix, maybe many weight vectors
        pi = np.einsum("abm,...m->...ab", pref, weights)
    else:
        pi = np.einsum("...abm,...m->...ab", pref, weights)
    if n < 2:
        return np.zeros(pi.shape[:-1])
    return (pi.sum(axis=-1) - pi.sum(axis=-2)) / (n - 1)


def criterion_net_flows(norm: np.ndarray, table: PreferenceTable | None = None) -> np.ndarray:
    """Each criterion's own net flow phi_j(a) = sum_b (P_j(a, b) - P_j(b, a)) / (n - 1): (..., n, m).

    PROMETHEE II's net flow is their weighted sum, phi = sum_j w_j phi_j: the method is linear in the weights.

    >>> table = PreferenceTable(("usual",), np.array([np.nan]), np.array([np.nan]), np.array([np.nan]))
    >>> criterion_net_flows(np.array([[0.2], [0.9], [0.5]]), table).ravel().tolist()
    [-1.0, 1.0, 0.0]
    """
    table = table or PreferenceTable.default(norm.shape[-1])
    n = norm.shape[-2]
    if n < 2:
        return np.zeros(norm.shape)
    pref = preference_degrees(norm[..., :, None, :] - norm[..., None, :, :], table)   # (..., a, b, m)
    return (pref.sum(axis=-2) - pref.sum(axis=-3)) / (n - 1)


def promethee_scores(norm: np.ndarray, weights: np.ndarray, table: PreferenceTable | None = None) -> np.ndarray:
    """(phi + 1) / 2: PROMETHEE II's ranking on cloudscore's [0, 1] score scale."""
    table = table or PreferenceTable.default(norm.shape[-1])
    return (net_flows(norm, weights, table) + 1.0) / 2.0
