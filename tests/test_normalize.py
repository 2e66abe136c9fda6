"""Normalization by hand, and the rule that rounding noise in a non-discriminating column decides nothing."""

import numpy as np
import pytest

from scoring.aggregate import aggregate
from scoring.matrix import make_matrix
from scoring.normalize import normalize

ULP = np.spacing(3.0)


def test_each_normalization_by_hand():
    dm = make_matrix({"share": [10.0, 30.0, 40.0], "incidents": [2.0, 1.0, 4.0]}, vendors=["a", "b", "c"],
                     weights={"share": 1, "incidents": 1}, directions={"incidents": "min"},
                     bounds={"share": (0, 50), "incidents": (0, 5)})
    expected = {
        "fixed": {"share": [0.2, 0.6, 0.8], "incidents": [0.6, 0.8, 0.2]},            # (x-0)/50, (5-x)/5
        "min-max": {"share": [0.0, 2 / 3, 1.0], "incidents": [2 / 3, 1.0, 0.0]},      # (x-10)/30, (4-x)/3
        "max": {"share": [0.25, 0.75, 1.0], "incidents": [0.5, 1.0, 0.25]},           # x/40, 1/x
        "vector": {"share": list(np.array([10, 30, 40]) / np.sqrt(2600)),
                   "incidents": list(1 - np.array([2, 1, 4]) / np.sqrt(21))},
    }
    for method, columns in expected.items():
        norm, flat = normalize(dm, method)
        for col, values in columns.items():
            assert norm[col].tolist() == pytest.approx(values), (method, col)
        assert not flat.any()


@pytest.mark.parametrize("normalization", ["fixed", "min-max", "max", "vector"])
@pytest.mark.parametrize("method", ["weighted-sum", "topsis", "promethee"])
def test_rounding_noise_in_a_flat_column_decides_nothing(normalization, method):
    """A = (5, 3), B = (5, 3 + 1 ulp): both columns are flat, so A and B must tie under every method.

    Before this rule, TOPSIS scored them 0 and 1 under fixed, max and vector (its closeness divides by the
    spread, however small).
    """
    dm = make_matrix({"c1": [5.0, 5.0], "c2": [3.0, 3.0 + ULP]}, vendors=["a", "b"], weights={"c1": 1, "c2": 1},
                     bounds={"c1": (0, 10), "c2": (0, 10)})
    norm, flat = normalize(dm, normalization)
    assert flat.all()
    scores = aggregate(norm, dm.weights, method)
    assert scores["a"] == scores["b"]


def test_a_flat_cost_column_with_several_ulps_gives_everyone_the_same_value():
    """helper-found case: [3, 3, 3+1ulp, 3+2ulp] as a cost criterion made TOPSIS say [1, 1, 1, 0]."""
    dm = make_matrix({"c": [3.0, 3.0, 3.0 + ULP, 3.0 + 2 * ULP]}, vendors=list("abcd"), weights={"c": 1},
                     directions={"c": "min"})
    norm, flat = normalize(dm, "vector")
    assert flat["c"] and norm["c"].nunique() == 1
    assert aggregate(norm, dm.weights, "topsis").nunique() == 1
