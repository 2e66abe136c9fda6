"""SMAA-2: exact answers where the weight space is a segment, a plain loop over the same draws, seeds."""

import dataclasses

import numpy as np
import pandas as pd
import pytest

from scoring.aggregate import aggregate
from scoring.matrix import make_matrix
from scoring.normalize import normalize
from scoring.pipeline import run
from scoring.rank import rank_vendors
from scoring.robustness import Scorer
from scoring.smaa import CHUNK, _draw_chunk, parse_order, smaa


def two_criteria(values_a, values_b, vendors):
    return make_matrix({"a": values_a, "b": values_b}, vendors=vendors, weights={"a": 1, "b": 1},
                       bounds={"a": (0, 1), "b": (0, 1)})


def test_acceptabilities_equal_hand_computed_segment_lengths():
    """Scores x = t, y = 1 - t, z = 0.6 for w_a = t ~ U(0, 1) (uniform on the 2-simplex).

    By hand: y leads for t < 0.4, z for 0.4 < t < 0.6, x for t > 0.6. x is second for 0.5 < t < 0.6 and third
    for t < 0.5. So x: (0.4, 0.1, 0.5); y: (0.4, 0.1, 0.5) by symmetry; z: (0.2, 0.8, 0).
    """
    dm = two_criteria([1.0, 0.0, 0.6], [0.0, 1.0, 0.6], ["x", "y", "z"])
    result = smaa(Scorer(dm, "fixed", "weighted-sum"), draws=400_000, seed=3, vary_values=False)
    exact = {"x": [0.4, 0.1, 0.5], "y": [0.4, 0.1, 0.5], "z": [0.2, 0.8, 0.0]}
    sigma = np.sqrt(0.25 / 400_000)                     # the largest binomial standard error
    for vendor, row in exact.items():
        assert result.acceptability.loc[vendor].tolist() == pytest.approx(row, abs=5 * sigma)
    # central weights: x is first for t in (0.6, 1), so its mean w_a is 0.8; y's is 0.2; z's 0.5
    assert result.central_weights["a"].tolist() == pytest.approx([0.8, 0.2, 0.5], abs=5 * 0.3 / np.sqrt(80_000))


def exact_two_criteria_acceptability(norm: np.ndarray) -> np.ndarray:
    """Piecewise-exact acceptability for two criteria: rank each segment between crossings at its midpoint."""
    a, b = norm[:, 0], norm[:, 1]
    cuts = {0.0, 1.0}
    n = len(a)
    for i in range(n):
        for j in range(i + 1, n):
            denom = (a[i] - b[i]) - (a[j] - b[j])
            if denom != 0:
                t = (b[j] - b[i]) / denom
                if 0 < t < 1:
                    cuts.add(t)
    cuts = sorted(cuts)
    acc = np.zeros((n, n))
    for lo, hi in zip(cuts[:-1], cuts[1:], strict=True):
        t = 0.5 * (lo + hi)
        s = t * a + (1 - t) * b
        ranks = 1 + (s[None, :] > s[:, None]).sum(axis=1)
        acc[np.arange(n), ranks - 1] += hi - lo
    return acc


@pytest.mark.parametrize("seed", range(4))
def test_acceptabilities_match_the_exact_piecewise_answer_on_random_two_criteria_cases(seed):
    rng = np.random.default_rng(seed)
    dm = two_criteria(rng.uniform(0, 1, 5), rng.uniform(0, 1, 5), [f"v{i}" for i in range(5)])
    scorer = Scorer(dm, "fixed", "weighted-sum")
    exact = exact_two_criteria_acceptability(scorer.normalized())
    result = smaa(scorer, draws=200_000, seed=seed, vary_values=False)
    assert result.acceptability.to_numpy() == pytest.approx(exact, abs=5 * np.sqrt(0.25 / 200_000))


@pytest.mark.parametrize("method, normalization", [("weighted-sum", "fixed"), ("topsis", "fixed"),
                                                   ("weighted-sum", "min-max"), ("topsis", "vector"),
                                                   ("promethee", "fixed")])
def test_the_batched_computation_equals_a_plain_loop_over_the_same_draws(method, normalization):
    rng = np.random.default_rng(11)
    dm = make_matrix({f"c{j}": rng.uniform(1, 100, 4) for j in range(3)}, vendors=["a", "b", "c", "d"],
                     weights={"c0": 2, "c1": 1, "c2": 1}, directions={"c1": "min"},
                     bounds={f"c{j}": (0, 100) for j in range(3)},
                     low={f"c{j}": list(rng.uniform(0.5, 1, 4)) for j in range(3)},
                     high={f"c{j}": list(rng.uniform(100, 120, 4)) for j in range(3)})
    dm = dataclasses.replace(dm, low=dm.values * 0.8, high=dm.values * 1.2)
    scorer = Scorer(dm, normalization, method)
    draws, seed = 300, 5
    batched = smaa(scorer, draws=draws, seed=seed, vary_values=True)

    # The same draws, scored one at a time through the DataFrame-level API (normalize -> aggregate -> rank).
    rng = np.random.default_rng(seed)
    w, x, _ = _draw_chunk(rng, CHUNK, scorer.weights, "uniform", 50.0, [], dm.low.to_numpy(), dm.high.to_numpy(), True)
    counts = pd.DataFrame(0, index=dm.values.index, columns=range(1, 5))
    for i in range(draws):
        one = dataclasses.replace(dm, values=pd.DataFrame(x[i], index=dm.values.index, columns=dm.values.columns),
                                  weights=pd.Series(w[i], index=dm.weights.index))
        norm, _ = normalize(one, normalization)
        table = rank_vendors(aggregate(norm, one.weights, method))
        for vendor, rank in table["rank"].items():
            counts.loc[vendor, rank] += 1
    assert batched.acceptability.to_numpy() == pytest.approx(counts.to_numpy() / draws, abs=1e-12)


def test_rows_and_columns_of_the_acceptability_matrix_sum_to_one():
    result = run("criteria/baseline.yaml", "vendors", as_of="2025-12-31")
    out = smaa(Scorer.from_result(result), draws=50_000, seed=0)
    assert out.acceptability.sum(axis=1).to_numpy() == pytest.approx(1.0)
    assert out.acceptability.sum(axis=0).to_numpy() == pytest.approx(1.0)      # no ties with continuous draws
    assert (out.winning.to_numpy() + out.winning.T.to_numpy())[~np.eye(5, dtype=bool)] == pytest.approx(1.0)
    central = out.central_weights.dropna()
    assert central.sum(axis=1).to_numpy() == pytest.approx(1.0) and (central.to_numpy() >= 0).all()


def test_same_seed_same_result_and_another_seed_agrees_within_monte_carlo_error():
    scorer = Scorer.from_result(run("criteria/baseline.yaml", "vendors", as_of="2025-12-31"))
    a = smaa(scorer, draws=100_000, seed=7)
    b = smaa(scorer, draws=100_000, seed=7)
    c = smaa(scorer, draws=100_000, seed=8)
    pd.testing.assert_frame_equal(a.acceptability, b.acceptability)
    pd.testing.assert_frame_equal(a.central_weights, b.central_weights)
    assert not a.acceptability.equals(c.acceptability)
    # two independent estimates of p differ by at most ~5 standard errors of their difference
    p = a.acceptability.to_numpy()
    bound = 5 * np.sqrt(2 * np.maximum(p * (1 - p), 1e-6) / 100_000)
    assert (np.abs(p - c.acceptability.to_numpy()) <= bound).all()


def test_the_result_does_not_depend_on_how_many_chunks_it_took():
    """The first CHUNK draws are the same whatever the total: CHUNK + 10 draws add exactly 10 to each vendor."""
    scorer = Scorer.from_result(run("criteria/baseline.yaml", "vendors", as_of="2025-12-31"))
    whole = (smaa(scorer, draws=CHUNK + 10, seed=1, vary_values=False).acceptability * (CHUNK + 10)).round()
    first = (smaa(scorer, draws=CHUNK, seed=1, vary_values=False).acceptability * CHUNK).round()
    extra = whole - first
    assert (extra >= 0).all().all()
    assert extra.sum(axis=1).tolist() == [10.0] * len(extra)


def test_ordinal_constraints_are_respected_in_every_draw():
    scorer = Scorer.from_result(run("criteria/baseline.yaml", "vendors", as_of="2025-12-31"))
    out = smaa(scorer, draws=20_000, seed=0, order=["ai_cloud_share >= chip_supply"], vary_values=False)
    central = out.central_weights.dropna()
    assert (central["ai_cloud_share"] >= central["chip_supply"]).all()
    assert 0.4 < out.acceptance_rate < 0.6        # half of the uniform simplex has w_ai >= w_chip


def test_dirichlet_weights_concentrate_on_the_stated_weights():
    from scoring.smaa import draw_weights
    base = np.array([0.3, 0.25, 0.15, 0.15, 0.15])
    w = draw_weights(np.random.default_rng(0), 200_000, base, "dirichlet", concentration=200.0)
    assert w.mean(axis=0) == pytest.approx(base, abs=2e-3)
    assert w.std(axis=0).max() < 0.04


def test_a_bad_order_constraint_names_the_criterion():
    with pytest.raises(ValueError, match=r"unknown criterion 'chip_suply'; did you mean 'chip_supply'\?"):
        parse_order(["ai_cloud_share >= chip_suply"], ["ai_cloud_share", "chip_supply"])
    with pytest.raises(ValueError, match=r"expected 'CRITERION >= CRITERION'"):
        parse_order(["ai_cloud_share > chip_supply"], ["ai_cloud_share", "chip_supply"])
