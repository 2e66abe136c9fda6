"""The engine's batched scorer: one decision matrix re-scored under many weight vectors and/or many sets of raw
values, in one numpy computation, with the same normalization, missing-data policy and method as the ranking.

The ranking itself is the batch of one (:func:`scoring.pipeline.score` calls :meth:`Scorer.scores` with nothing
changed), and every analysis above the engine (stability intervals, tornado, SMAA, what-if, the optimizer) sits
on this class: there is one weighted sum, one TOPSIS, one PROMETHEE and one rank rule in the tool.

>>> from scoring.matrix import make_matrix
>>> dm = make_matrix({"a": [1.0, 0.0], "b": [0.0, 1.0]}, vendors=["x", "y"], weights={"a": 3, "b": 1},
...                  bounds={"a": (0, 1), "b": (0, 1)})
>>> scorer = Scorer(dm, "fixed", "weighted-sum")
>>> scorer.scores().tolist(), scorer.scores(np.array([[0.5, 0.5], [0.0, 1.0]])).tolist()
([0.75, 0.25], [[0.5, 0.5], [0.0, 1.0]])
>>> scorer.ranks().tolist()
[1, 2]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .matrix import DecisionMatrix
from .methods import Method, get_method
from .normalize import fill_missing, get_normalization, normalize_array, value_problems
from .rank import DEFAULT_TOLERANCE, ranks


@dataclass(frozen=True)
class Scorer:
    """Re-score one decision matrix, batched.

    ``scores(weights, values)``: ``weights`` (m,) or (K, m), rows summing to 1; ``values`` (n, m) or (K, n, m) raw
    values (default: the matrix's own). Returns (n,) or (K, n). An unknown method or normalization is refused
    here, with the choices listed, and so is a matrix whose figures or plausible ranges the normalization cannot
    take (``pipeline`` cuts the ranges first).
    """

    dm: DecisionMatrix
    normalization: str
    method: str
    preferences: object | None = None          # outranking.PreferenceTable for methods that need one
    tolerance: float = DEFAULT_TOLERANCE

    def __post_init__(self) -> None:
        get_normalization(self.normalization)
        entry = get_method(self.method)
        is_max = (self.dm.directions == "max").to_numpy()
        for what, frame in (("", self.dm.values), (" (plausible low end)", self.dm.low),
                            (" (plausible high end)", self.dm.high)):
            problems = value_problems(frame.to_numpy(float), is_max, self.normalization)
            if problems:
                cells = "; ".join(f"{self.dm.values.columns[j]} of {self.dm.values.index[i]}{what}: {why}"
                                  for i, j, why in problems[:5])
                raise ValueError(f"cannot score: {cells}" + (" ..." if len(problems) > 5 else ""))
        if entry.needs_preferences and self.preferences is None:
            from .outranking import PreferenceTable
            object.__setattr__(self, "preferences", PreferenceTable.default(len(self.criteria)))

    @classmethod
    def from_result(cls, result) -> Scorer:
        """The scorer behind a pipeline Result: same matrix, normalization, method, preferences and tolerance."""
        return cls(result.matrix, result.criteria.normalization, result.method, result.preferences,
                   result.criteria.tolerance)

    @property
    def entry(self) -> Method:
        return get_method(self.method)

    @property
    def vendors(self) -> list[str]:
        return list(self.dm.values.index)

    @property
    def criteria(self) -> list[str]:
        return list(self.dm.values.columns)

    @property
    def weights(self) -> np.ndarray:
        return self.dm.weights.to_numpy(dtype=float)

    def normalized(self, values: np.ndarray | None = None) -> np.ndarray:
        """Normalized values (1 = best, missing cells filled by policy) of the matrix's or the given raw values."""
        x = self.dm.values.to_numpy(dtype=float) if values is None else np.asarray(values, dtype=float)
        is_max = (self.dm.directions == "max").to_numpy()
        norm, _ = normalize_array(x, is_max, self.normalization, self.dm.lower.to_numpy(float),
                                  self.dm.upper.to_numpy(float))
        return fill_missing(norm, self.dm.missing.to_numpy())

    def scores(self, weights: np.ndarray | None = None, values: np.ndarray | None = None,
               normalized: np.ndarray | None = None) -> np.ndarray:
        w = self.weights if weights is None else np.asarray(weights, dtype=float)
        n = self.normalized(values) if normalized is None else normalized
        return self.entry.kernel(n, w, self.preferences)

    def ranks(self, weights: np.ndarray | None = None, values: np.ndarray | None = None,
              normalized: np.ndarray | None = None) -> np.ndarray:
        """Ranks under the one rank rule (:func:`scoring.rank.ranks`) at the scorer's tolerance."""
        return ranks(self.scores(weights, values, normalized), self.tolerance)

    def criterion_scores(self, normalized: np.ndarray | None = None) -> np.ndarray:
        """(n, m) matrix C with scores = C @ weights, for a method linear in the weights (ValueError otherwise)."""
        entry = self.entry
        if entry.criterion_scores is None:
            raise ValueError(f"{entry.label} is not linear in the weights; it has no per-criterion scores")
        return entry.criterion_scores(self.normalized() if normalized is None else normalized, self.preferences)
