"""Normalization by hand, the values each normalization refuses, and the rule that rounding noise in a
non-discriminating column decides nothing."""

import numpy as np
import pytest

from scoring.aggregate import aggregate
from scoring.matrix import make_matrix
from scoring.methods import METHOD_NAMES
from scoring.normalize import NORMALIZATION_NAMES, normalize, value_problems

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
    assert sorted(expected) == sorted(NORMALIZATION_NAMES)
    for method, columns in expected.items():
        norm, flat = normalize(dm, method)
        for col, values in columns.items():
            assert norm[col].tolist() == pytest.approx(values), (method, col)
        assert not flat.any()


@pytest.mark.parametrize("normalization", NORMALIZATION_NAMES)
@pytest.mark.parametrize("method", METHOD_NAMES)
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


def pp_matrix(direction: str = "max"):
    """A change in percentage points can be negative: a falls 5 pp, b gains 3, c gains 1."""
    return make_matrix({"pp": [-5.0, 3.0, 1.0]}, vendors=["a", "b", "c"], weights={"pp": 1},
                       directions={"pp": direction}, bounds={"pp": (-10, 10)})


def test_a_negative_value_under_vector_is_refused_naming_the_cell():
    """Before the check, x / sqrt(sum x^2) gave a -0.85, and the weighted sum scored it below zero."""
    with pytest.raises(ValueError, match=r"^cannot normalize: pp of a: normalization 'vector' needs values >= 0 "
                                         r"\(x / sqrt\(sum x\^2\) would leave \[0, 1\]\), got -5; "
                                         r"use min-max or fixed$"):
        normalize(pp_matrix(), "vector")


@pytest.mark.parametrize("direction, message", [
    ("max", r"pp of a: normalization 'max' needs values >= 0 \(x / max needs x >= 0\), got -5"),
    ("min", r"pp of a: normalization 'max' needs values > 0 \(min / x needs x > 0\), got -5"),
])
def test_a_negative_value_under_max_is_refused_naming_the_cell(direction, message):
    with pytest.raises(ValueError, match=message):
        normalize(pp_matrix(direction), "max")


def test_a_zero_under_max_is_refused_only_for_a_min_criterion():
    """x / max takes a zero; min / x cannot."""
    dm = make_matrix({"up": [0.0, 2.0], "down": [0.0, 2.0]}, vendors=["a", "b"], weights={"up": 1, "down": 1},
                     directions={"down": "min"})
    assert value_problems(dm.values.to_numpy(), np.array([True, False]), "max") == [
        (0, 1, "normalization 'max' needs values > 0 (min / x needs x > 0), got 0")]
    with pytest.raises(ValueError, match=r"^cannot normalize: down of a: normalization 'max' needs values > 0"):
        normalize(dm, "max")


def test_every_refused_cell_is_named_at_once():
    """Criterion by criterion, vendors in matrix order within each."""
    dm = make_matrix({"p": [-1.0, 2.0, -3.0], "q": [1.0, -2.0, 3.0]}, vendors=["a", "b", "c"],
                     weights={"p": 1, "q": 1})
    with pytest.raises(ValueError, match=r"^cannot normalize: p of a: .*got -1; p of c: .*got -3; q of b: .*got -2; "
                                         r"use min-max or fixed$") as caught:
        normalize(dm, "vector")
    assert str(caught.value).count("normalization 'vector' needs") == 3


@pytest.mark.parametrize("normalization", ["fixed", "min-max"])
def test_fixed_and_min_max_take_negative_values_and_stay_in_the_unit_interval(normalization):
    norm, _ = normalize(pp_matrix(), normalization)
    expected = {"fixed": [0.25, 0.65, 0.55], "min-max": [0.0, 1.0, 0.75]}[normalization]   # (x+10)/20; (x+5)/8
    assert norm["pp"].tolist() == pytest.approx(expected)
    scores = aggregate(norm, pp_matrix().weights, "weighted-sum")
    assert ((scores >= 0) & (scores <= 1)).all()
