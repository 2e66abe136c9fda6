"""SMAA-2: exact answers where the weight space is a segment, a plain loop over the same draws, seeds; order
constraints sampled exactly and without rejection; bounded memory; degenerate inputs answered plainly."""

import dataclasses
import itertools
import json
import math
import tracemalloc
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import scoring.smaa as smaa_module
from scoring.aggregate import aggregate
from scoring.matrix import make_matrix
from scoring.normalize import normalize
from scoring.pipeline import run
from scoring.rank import rank_vendors
from scoring.scorer import Scorer
from scoring.smaa import WeightOrder, _streams, draw_values, draw_weights, figure_uniforms, parse_order, smaa
from tests.strategies import decision_matrices


def two_criteria(values_a, values_b, vendors):
    return make_matrix({"a": values_a, "b": values_b}, vendors=vendors, weights={"a": 1, "b": 1},
                       bounds={"a": (0, 1), "b": (0, 1)})


def uncertain_matrix(n: int, m: int, seed: int = 0, spread: float = 0.1):
    """n vendors x m criteria on fixed 0-100 scales, each value uncertain by +-spread."""
    rng = np.random.default_rng(seed)
    cols = {f"c{j}": list(rng.uniform(10, 90, n)) for j in range(m)}
    return make_matrix(cols, vendors=[f"v{i}" for i in range(n)], weights={c: 1 for c in cols},
                       bounds={c: (0, 100) for c in cols},
                       low={c: [x * (1 - spread) for x in v] for c, v in cols.items()},
                       high={c: [x * (1 + spread) for x in v] for c, v in cols.items()})


def raw_figures(rng, draws, low, high):
    """(draws, n, m) raw figures low + U (high - low) from smaa's figure stream (cell-major blocks)."""
    n, m = low.shape
    u = figure_uniforms(rng, draws, n * m)
    return low + u.T.reshape(draws, n, m) * (high - low)


@pytest.fixture(scope="module")
def baseline():
    return Scorer.from_result(run("criteria/baseline.yaml", "vendors", as_of="2025-12-31"))


# --- exact answers ----------------------------------------------------------------------------------------------

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


@pytest.mark.parametrize("seed", range(3))
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
                     bounds={f"c{j}": (0, 100) for j in range(3)})
    dm = dataclasses.replace(dm, low=dm.values * 0.8, high=dm.values * 1.2)
    scorer = Scorer(dm, normalization, method)
    draws, seed = 300, 5
    batched = smaa(scorer, draws=draws, seed=seed, vary_values=True)

    # The same draws (the weight stream read draw after draw, the figure stream block by block, so all at once
    # equals chunk by chunk), as raw figures, scored one at a time through the DataFrame-level API (normalize ->
    # aggregate -> rank): for fixed scales this checks the draws made in normalized space against raw ones.
    weight_rng, value_rng, _ = _streams(seed)
    w = draw_weights(weight_rng, draws, scorer.weights, "uniform")
    x = raw_figures(value_rng, draws, dm.low.to_numpy(), dm.high.to_numpy())
    counts = pd.DataFrame(0, index=dm.values.index, columns=range(1, 5))
    for i in range(draws):
        one = dataclasses.replace(dm, values=pd.DataFrame(x[i], index=dm.values.index, columns=dm.values.columns),
                                  weights=pd.Series(w[i], index=dm.weights.index))
        norm, _ = normalize(one, normalization)
        table = rank_vendors(aggregate(norm, one.weights, method, scorer.preferences))
        for vendor, rank in table["rank"].items():
            counts.loc[vendor, rank] += 1
    assert batched.acceptability.to_numpy() == pytest.approx(counts.to_numpy() / draws, abs=1e-12)


def test_rows_and_columns_of_the_acceptability_matrix_sum_to_one(baseline):
    out = smaa(baseline, draws=50_000, seed=0)
    assert out.acceptability.sum(axis=1).to_numpy() == pytest.approx(1.0)
    assert out.acceptability.sum(axis=0).to_numpy() == pytest.approx(1.0)      # no ties with continuous draws
    assert (out.winning.to_numpy() + out.winning.T.to_numpy())[~np.eye(5, dtype=bool)] == pytest.approx(1.0)
    central = out.central_weights.dropna()
    assert central.sum(axis=1).to_numpy() == pytest.approx(1.0) and (central.to_numpy() >= 0).all()
    assert out.confidence.dropna().between(0, 1).all()


@settings(max_examples=40)
@given(decision_matrices(max_vendors=5, max_criteria=4), st.sampled_from(["weighted-sum", "topsis", "promethee"]),
       st.integers(1, 300))
def test_every_vendor_has_exactly_one_rank_in_every_draw(dm, method, draws):
    out = smaa(Scorer(dm, "min-max", method), draws=draws, seed=0, vary_values=False)
    acc = out.acceptability.to_numpy()
    assert acc.sum(axis=1) == pytest.approx(1.0)
    assert not np.isnan(acc).any() and not np.isnan(out.winning.to_numpy()).any()
    # P(v beats u) + P(u beats v) <= 1 (ties count for neither)
    assert (out.winning.to_numpy() + out.winning.T.to_numpy() <= 1 + 1e-12).all()


# --- seeds and chunks -------------------------------------------------------------------------------------------

def test_same_seed_same_result_and_another_seed_agrees_within_monte_carlo_error(baseline):
    a = smaa(baseline, draws=100_000, seed=7)
    b = smaa(baseline, draws=100_000, seed=7)
    c = smaa(baseline, draws=100_000, seed=8)
    pd.testing.assert_frame_equal(a.acceptability, b.acceptability)
    pd.testing.assert_frame_equal(a.central_weights, b.central_weights)
    pd.testing.assert_series_equal(a.confidence, b.confidence)
    assert not a.acceptability.equals(c.acceptability)
    # two independent estimates of p differ by at most ~5 standard errors of their difference
    p = a.acceptability.to_numpy()
    bound = 5 * np.sqrt(2 * np.maximum(p * (1 - p), 1e-6) / 100_000)
    assert (np.abs(p - c.acceptability.to_numpy()) <= bound).all()


def test_the_first_draws_of_a_longer_run_are_the_draws_of_a_shorter_one(baseline):
    """Ten more draws add exactly ten to each vendor's rank counts, whatever the chunking."""
    for draws in (1, 1_000, smaa_module._chunk_size(baseline, True, 10**9)):
        shorter = (smaa(baseline, draws=draws, seed=1).acceptability * draws).round()
        longer = (smaa(baseline, draws=draws + 10, seed=1).acceptability * (draws + 10)).round()
        extra = longer - shorter
        assert (extra >= 0).all().all()
        assert extra.sum(axis=1).tolist() == [10.0] * len(extra)


@pytest.mark.parametrize("order", [[], ["ai_cloud_share >= chip_supply", "chip_supply >= open_source"]])
@pytest.mark.parametrize("weights", ["uniform", "dirichlet"])
@pytest.mark.parametrize("vary_values", [True, False])
def test_the_result_does_not_depend_on_the_chunk_size(baseline, monkeypatch, weights, order, vary_values):
    """One chunk, one figure block per chunk (figures drawn) or one draw per chunk (figures fixed), and (figures
    fixed) chunks of a few hundred draws."""
    draws = 3 * smaa_module.block_draws(25) + 123                       # three whole blocks and a partial one
    settings_ = dict(draws=draws, seed=4, weights=weights, order=order, concentration=20.0, vary_values=vary_values)
    if weights == "dirichlet":
        base = dict(zip(baseline.criteria, baseline.weights, strict=True))
        settings_["order"] = [o for o in order if base[o.split()[0]] >= base[o.split()[-1]]]
    monkeypatch.setattr(smaa_module, "CHUNK_BYTES", 2**30)
    assert smaa_module._chunk_size(baseline, vary_values, draws) >= draws               # one chunk
    whole = smaa(baseline, **settings_)
    monkeypatch.setattr(smaa_module, "CHUNK_BYTES", 1)
    monkeypatch.setattr(smaa_module, "MIN_CHUNK_DRAWS", 1)
    small = smaa_module._chunk_size(baseline, vary_values, draws)
    assert small == (smaa_module.block_draws(25) if vary_values else 1)
    if not vary_values:
        monkeypatch.setattr(smaa_module, "CHUNK_BYTES", 8 * 160 * 300)              # ~300 draws a chunk
        assert 1 < smaa_module._chunk_size(baseline, vary_values, draws) < draws / 10
    pieces = smaa(baseline, **settings_)
    pd.testing.assert_frame_equal(whole.acceptability, pieces.acceptability)
    pd.testing.assert_frame_equal(whole.winning, pieces.winning)
    pd.testing.assert_series_equal(whole.confidence, pieces.confidence)
    pd.testing.assert_frame_equal(whole.central_weights, pieces.central_weights, rtol=1e-12)


def test_a_chunk_never_holds_more_draws_than_asked(baseline, monkeypatch):
    sizes = []
    real = smaa_module.draw_weights
    monkeypatch.setattr(smaa_module, "draw_weights", lambda rng, size, *a: sizes.append(size) or real(rng, size, *a))
    smaa(baseline, draws=7, seed=0)
    assert sizes == [7]


# --- order constraints ------------------------------------------------------------------------------------------

class CountingGenerator:
    """A numpy Generator that counts the random numbers it hands out (a deterministic cost measure)."""

    def __init__(self, seed):
        self.rng, self.count = np.random.default_rng(seed), 0

    def __getattr__(self, name):
        method = getattr(self.rng, name)

        def counted(*args, **kwargs):
            out = method(*args, **kwargs)
            self.count += np.size(out)
            return out
        return counted


def chain(names):
    return [f"{a} >= {b}" for a, b in itertools.pairwise(names)]


def test_ordered_uniform_weights_have_the_exact_means_of_a_sorted_simplex_draw():
    """For a >= b >= c the weights are the order statistics of a uniform point of the 2-simplex, whose means are
    (1/3)(1 + 1/2 + 1/3), (1/3)(1/2 + 1/3), (1/3)(1/3) = 11/18, 5/18, 2/18."""
    order = WeightOrder.from_pairs(parse_order(chain("abc"), list("abc")), 3)
    w = draw_weights(np.random.default_rng(0), 400_000, np.full(3, 1 / 3), order=order)
    assert ((w[:, 0] >= w[:, 1]) & (w[:, 1] >= w[:, 2])).all()
    assert w.mean(axis=0) == pytest.approx(np.array([11, 5, 2]) / 18, abs=5 * 0.25 / np.sqrt(400_000))


def rejection_reference(rng, draws, m, pairs):
    """Uniform on the simplex, keeping only the draws that satisfy every pair: the test's reference (it may
    reject; the product may not)."""
    e = rng.standard_exponential((draws, m))
    w = e / e.sum(axis=1, keepdims=True)
    keep = np.ones(draws, dtype=bool)
    for i, j in pairs:
        keep &= w[:, i] >= w[:, j]
    return w[keep]


def ordering_shares(w):
    """Share of draws per ordering of the criteria (the permutation sorting the weights in decreasing order)."""
    keys, counts = np.unique(np.argsort(-w, axis=1), axis=0, return_counts=True)
    return {tuple(k): c / len(w) for k, c in zip(keys.tolist(), counts, strict=True)}


@pytest.mark.parametrize("constraints", [
    ["a >= b", "a >= c", "d >= c"],                   # an N-shaped partial order, with e unconstrained
    ["a >= b", "c >= d"],                             # two separate groups, and e free
    ["a >= b", "a >= c", "b >= d", "c >= d"],         # a diamond
])
def test_ordered_uniform_weights_match_rejection_sampling_of_the_same_region(constraints):
    names = list("abcde")
    pairs = parse_order(constraints, names)
    ours = draw_weights(np.random.default_rng(1), 200_000, np.full(5, 0.2), order=pairs)
    reference = rejection_reference(np.random.default_rng(2), 2_000_000, 5, pairs)
    assert len(reference) > 100_000
    for i, j in pairs:
        assert (ours[:, i] >= ours[:, j]).all()
    # means and spreads of each weight and of the sorted weights, within ~5 standard errors
    se = 5 * np.sqrt(ours.var(axis=0) / len(ours) + reference.var(axis=0) / len(reference))
    assert (np.abs(ours.mean(axis=0) - reference.mean(axis=0)) <= se).all()
    assert (np.abs(np.sort(ours, axis=1).mean(axis=0) - np.sort(reference, axis=1).mean(axis=0)) <= se.max()).all()
    assert ours.std(axis=0) == pytest.approx(reference.std(axis=0), abs=3e-3)
    # every linear extension (ordering of the weights that respects the order) equally likely, as in the reference
    a, b = ordering_shares(ours), ordering_shares(reference)
    assert set(a) == set(b)
    share = 1 / len(a)
    assert list(a.values()) == pytest.approx([share] * len(a), abs=5 * np.sqrt(share / len(ours)))
    assert list(b.values()) == pytest.approx([share] * len(b), abs=5 * np.sqrt(share / len(reference)))


@settings(max_examples=60)
@given(st.integers(2, 6).flatmap(lambda m: st.tuples(
    st.just(m), st.permutations(range(m)),
    st.lists(st.tuples(st.integers(0, m - 1), st.integers(0, m - 1)), max_size=8))))
def test_counted_linear_extensions_equal_a_brute_force_count_and_every_draw_respects_the_order(case):
    m, rank, raw = case
    pairs = [(i, j) for i, j in raw if rank[i] < rank[j]]          # acyclic: consistent with a drawn ranking
    order = WeightOrder.from_pairs(pairs, m)
    brute = sum(all(p.index(i) < p.index(j) for i, j in pairs) for p in itertools.permutations(range(m)))
    sizes = [len(g.members) for g in order.groups] + [1] * len(order.free)
    interleavings = math.factorial(m) // math.prod(math.factorial(s) for s in sizes)
    assert math.prod(g.count for g in order.groups) * interleavings == brute
    for model in ("uniform", "dirichlet"):
        w = draw_weights(np.random.default_rng(0), 500, np.full(m, 1 / m), model, 3.0, order)
        assert w.sum(axis=1) == pytest.approx(1.0) and (w >= 0).all()
        for i, j in pairs:
            assert (w[:, i] >= w[:, j]).all()


def test_a_chain_over_seven_criteria_costs_no_more_random_numbers_than_no_constraint():
    """The old sampler rejected all but 1 in 7! = 5,040 draws; direct sampling reads the same m numbers per draw."""
    names = [f"c{j}" for j in range(7)]
    order = WeightOrder.from_pairs(parse_order(chain(names), names), 7)
    free, chained = CountingGenerator(0), CountingGenerator(0)
    draw_weights(free, 10_000, np.full(7, 1 / 7))
    w = draw_weights(chained, 10_000, np.full(7, 1 / 7), order=order)
    assert chained.count == free.count == 10_000 * 7
    assert (np.diff(w, axis=1) <= 0).all()


def test_a_seven_criterion_chain_makes_as_many_draw_calls_as_no_constraint(monkeypatch):
    names = [f"c{j}" for j in range(7)]
    scorer = Scorer(uncertain_matrix(5, 7), "fixed", "weighted-sum")
    calls = []
    real = smaa_module.draw_weights
    monkeypatch.setattr(smaa_module, "draw_weights", lambda rng, size, *a: calls.append(size) or real(rng, size, *a))
    free = smaa(scorer, draws=200_000, seed=0, vary_values=False)
    free_calls, calls[:] = list(calls), []
    chained = smaa(scorer, draws=200_000, seed=0, vary_values=False, order=chain(names))
    assert calls == free_calls and sum(calls) == 200_000
    central = chained.central_weights.dropna().to_numpy()
    assert (np.diff(central, axis=1) <= 1e-12).all() and free.acceptance_rate == chained.acceptance_rate == 1.0


def test_ordinal_constraints_are_respected_in_every_draw(baseline):
    order = ["ai_cloud_share >= chip_supply", "public_cloud_share >= ai_cloud_share"]
    pairs = parse_order(order, baseline.criteria)
    for model in ("uniform", "dirichlet"):
        w = draw_weights(np.random.default_rng(0), 50_000, baseline.weights, model, 30.0, pairs)
        for i, j in pairs:
            assert (w[:, i] >= w[:, j]).all()
    out = smaa(baseline, draws=20_000, seed=0, order=order, vary_values=False)
    central = out.central_weights.dropna()
    assert (central["ai_cloud_share"] >= central["chip_supply"]).all()
    assert out.acceptance_rate == 1.0 and out.order == order


def test_ordered_dirichlet_draws_only_rearrange_the_draws_that_break_the_order():
    base = np.array([0.3, 0.25, 0.15, 0.15, 0.15])
    pairs = [(0, 1), (1, 2), (1, 3)]
    plain = draw_weights(np.random.default_rng(5), 50_000, base, "dirichlet", 10.0)
    ordered = draw_weights(np.random.default_rng(5), 50_000, base, "dirichlet", 10.0, pairs)
    kept = np.all([plain[:, i] >= plain[:, j] for i, j in pairs], axis=0)
    assert 0.1 < kept.mean() < 0.9
    assert np.array_equal(ordered[kept], plain[kept])                               # untouched
    assert np.array_equal(np.sort(ordered, axis=1), np.sort(plain, axis=1))          # same values, rearranged
    assert np.array_equal(ordered[:, 4], plain[:, 4])                                # unconstrained: never moved
    for i, j in pairs:
        assert (ordered[:, i] >= ordered[:, j]).all()


def test_dirichlet_weights_concentrate_on_the_stated_weights():
    base = np.array([0.3, 0.25, 0.15, 0.15, 0.15])
    w = draw_weights(np.random.default_rng(0), 200_000, base, "dirichlet", concentration=200.0)
    assert w.mean(axis=0) == pytest.approx(base, abs=2e-3)
    assert w.std(axis=0).max() < 0.04
    # the Dirichlet's own variance, b (1 - b) / (c + 1): the log-space draw is the Dirichlet, not an approximation
    assert w.var(axis=0) == pytest.approx(base * (1 - base) / 201, rel=0.03)


def test_dirichlet_weights_with_small_shapes_have_the_dirichlet_variance():
    base = np.array([0.5, 0.3, 0.2])
    w = draw_weights(np.random.default_rng(0), 400_000, base, "dirichlet", concentration=0.5)
    assert w.mean(axis=0) == pytest.approx(base, abs=3e-3)
    assert w.var(axis=0) == pytest.approx(base * (1 - base) / 1.5, rel=0.02)


@pytest.mark.parametrize("constraints, message", [
    (["a >= b", "b >= a"], r"'a >= b' and 'b >= a' contradict each other: together they allow only w_a = w_b"),
    (["a >= b", "a <= b"], r"'a >= b' and 'a <= b' contradict each other"),
    (["c >= a", "a >= b", "b >= c"], r"'c >= a', 'a >= b' and 'b >= c' contradict each other: together they allow "
                                     r"only w_c = w_a = w_b"),
    (["a >= a"], r"weight order 'a >= a' compares 'a' with itself: it constrains nothing"),
])
def test_contradictory_constraints_are_refused_at_once_with_the_pair_named(constraints, message):
    with pytest.raises(ValueError, match=message):
        parse_order(constraints, ["a", "b", "c"])
    dm = make_matrix({"a": [1.0, 0.0], "b": [0.0, 1.0], "c": [0.5, 0.5]}, vendors=["x", "y"],
                     weights={"a": 1, "b": 1, "c": 1})
    with pytest.raises(ValueError, match=message):
        smaa(Scorer(dm, "min-max", "weighted-sum"), draws=10**9, order=constraints)   # refused before any draw


def test_index_pairs_that_contradict_each_other_are_refused_too():
    with pytest.raises(ValueError, match=r"'w\[0\] >= w\[1\]' and 'w\[1\] >= w\[0\]' contradict each other"):
        draw_weights(np.random.default_rng(0), 10, np.full(3, 1 / 3), order=[(0, 1), (1, 0)])


def test_stated_weights_that_break_the_order_are_refused_for_dirichlet_draws_only(baseline):
    # baseline: ai_cloud_share 25% > open_source
    with pytest.raises(ValueError, match=r"the stated weights break it \(open_source \d+\.\d% < ai_cloud_share "
                                         r"\d+\.\d%\); Dirichlet draws centre on the stated weights"):
        smaa(baseline, draws=100, weights="dirichlet", order=["open_source >= ai_cloud_share"])
    out = smaa(baseline, draws=100, weights="uniform", order=["open_source >= ai_cloud_share"])
    assert out.draws == 100


def test_a_large_loosely_constrained_group_is_refused_for_uniform_weights_and_fine_for_dirichlet():
    names = [f"c{j:02d}" for j in range(20)]
    order = [f"c00 >= {c}" for c in names[1:]]                     # 19! orderings below the top: too many states
    dm = make_matrix({c: [1.0, 0.0] for c in names}, vendors=["x", "y"], weights={c: 1 for c in names})
    dm = dataclasses.replace(dm, weights=pd.Series(np.r_[2.0, np.ones(19)] / 21, index=names))
    scorer = Scorer(dm, "min-max", "weighted-sum")
    with pytest.raises(ValueError, match=r"the constraints linking 20 criteria leave too many partial orders to "
                                         r"enumerate .* state a tighter order \(such as a chain\)"):
        smaa(scorer, draws=10, order=order)
    assert smaa(scorer, draws=10, order=order, weights="dirichlet").draws == 10
    long_chain = smaa(scorer, draws=10, order=chain(names))         # a chain of 20: 21 states only
    assert long_chain.acceptability.sum(axis=1).tolist() == [1.0, 1.0]


def test_a_bad_order_constraint_names_the_criterion():
    with pytest.raises(ValueError, match=r"unknown criterion 'chip_suply'; did you mean 'chip_supply'\?"):
        parse_order(["ai_cloud_share >= chip_suply"], ["ai_cloud_share", "chip_supply"])
    with pytest.raises(ValueError, match=r"expected 'CRITERION >= CRITERION'"):
        parse_order(["ai_cloud_share > chip_supply"], ["ai_cloud_share", "chip_supply"])


# --- memory -----------------------------------------------------------------------------------------------------

MEMORY_BOUND_MIB = 200


@pytest.mark.parametrize("method, draws, confidence_draws", [
    ("weighted-sum", 1, None), ("topsis", 1, None), ("promethee", 1, None),
    ("weighted-sum", 20_000, 2_000), ("promethee", 100, None),
])
def test_peak_memory_is_bounded_in_vendors_and_criteria_as_well_as_draws(method, draws, confidence_draws):
    """150 vendors x 5 criteria, every figure drawn: 1.5 GiB at draws=1 before chunks were sized in bytes."""
    scorer = Scorer(uncertain_matrix(150, 5), "fixed", method)
    tracemalloc.start()
    try:
        out = smaa(scorer, draws=draws, seed=0, confidence_draws=confidence_draws)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < MEMORY_BOUND_MIB * 2**20, f"peak {peak / 2**20:.0f} MiB"
    assert out.acceptability.sum(axis=1).to_numpy() == pytest.approx(1.0)


# --- degenerate inputs ------------------------------------------------------------------------------------------

@pytest.fixture
def strict(capfd):
    """Every warning is an error, and nothing may reach stderr."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield
    assert capfd.readouterr().err == ""


def no_nan_except_never_first(out):
    assert not np.isnan(out.acceptability.to_numpy()).any()
    assert not np.isnan(out.winning.to_numpy()).any()
    never_first = out.acceptability[1].to_numpy() == 0
    assert np.array_equal(out.central_weights.isna().all(axis=1).to_numpy(), never_first)
    assert np.array_equal(out.confidence.isna().to_numpy(), never_first)
    json.dumps(out.to_dict(), allow_nan=False)


METHODS = ["weighted-sum", "topsis", "promethee"]


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("vary", [False, True])
def test_a_single_vendor_is_first_in_every_draw(strict, method, vary):
    dm = make_matrix({"a": [3.0], "b": [4.0]}, vendors=["only"], weights={"a": 1, "b": 3},
                     bounds={"a": (0, 10), "b": (0, 10)}, low={"a": [2.0], "b": [3.0]}, high={"a": [4.0], "b": [5.0]})
    out = smaa(Scorer(dm, "fixed", method), draws=500, seed=0, vary_values=vary)
    assert out.acceptability.to_numpy().tolist() == [[1.0]]
    assert out.winning.to_numpy().tolist() == [[0.0]]
    assert out.confidence.tolist() == [1.0]
    assert out.central_weights.sum(axis=1).tolist() == pytest.approx([1.0])
    no_nan_except_never_first(out)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("weights", ["uniform", "dirichlet"])
def test_a_single_criterion_has_weight_one_in_every_draw(strict, method, weights):
    dm = make_matrix({"a": [3.0, 5.0, 4.0]}, vendors=["x", "y", "z"], weights={"a": 1}, bounds={"a": (0, 10)},
                     low={"a": [2.0, 4.5, 3.0]}, high={"a": [4.0, 5.5, 5.0]})
    w = draw_weights(np.random.default_rng(0), 100, np.ones(1), weights)
    assert w.tolist() == [[1.0]] * 100
    out = smaa(Scorer(dm, "fixed", method), draws=2_000, seed=0, weights=weights)
    assert out.central_weights.dropna().to_numpy().ravel().tolist() == pytest.approx([1.0] * len(
        out.central_weights.dropna()))
    assert out.acceptability.sum(axis=1).to_numpy() == pytest.approx(1.0)
    assert out.acceptability.loc["x", 3] > 0.5           # x is last unless its figure beats z's
    no_nan_except_never_first(out)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("normalization", ["fixed", "min-max", "vector"])
def test_when_no_criterion_discriminates_every_vendor_ties_at_rank_one(strict, method, normalization):
    dm = make_matrix({"a": [5.0, 5.0, 5.0], "b": [7.0, 7.0, 7.0]}, vendors=["x", "y", "z"],
                     weights={"a": 1, "b": 2}, bounds={"a": (0, 10), "b": (0, 10)})
    out = smaa(Scorer(dm, normalization, method), draws=1_000, seed=0)
    assert out.acceptability[1].tolist() == [1.0, 1.0, 1.0]
    assert out.acceptability.sum(axis=0).tolist() == [3.0, 0.0, 0.0]       # ties: the columns do not sum to 1
    assert out.winning.to_numpy().sum() == 0.0
    assert out.confidence.tolist() == [1.0, 1.0, 1.0]
    no_nan_except_never_first(out)


@pytest.mark.parametrize("concentration", [1e-300, 1e-320, 1e-3])
def test_a_dirichlet_concentration_near_zero_draws_vertices_with_the_stated_weights_as_chances(strict,
                                                                                               concentration):
    base = np.array([0.5, 0.3, 0.2, 0.0])
    w = draw_weights(np.random.default_rng(0), 100_000, base, "dirichlet", concentration)
    assert not np.isnan(w).any() and w.sum(axis=1) == pytest.approx(1.0)
    vertex = w.max(axis=1) > 0.99
    assert vertex.mean() > 0.99
    assert np.bincount(w.argmax(axis=1), minlength=4) / len(w) == pytest.approx(base, abs=0.01)
    assert (w[:, 3] == 0).all()                                     # a zero stated weight stays zero


def test_smaa_with_a_dirichlet_concentration_near_zero_gives_a_clear_answer(strict, baseline):
    out = smaa(baseline, draws=5_000, seed=0, weights="dirichlet", concentration=1e-300)
    no_nan_except_never_first(out)
    assert out.acceptability.sum(axis=1).to_numpy() == pytest.approx(1.0)
    assert out.concentration == 1e-300


@pytest.mark.parametrize("method", METHODS)
def test_a_single_draw_is_a_plain_answer(strict, baseline, method):
    scorer = dataclasses.replace(baseline, method=method)
    out = smaa(scorer, draws=1, seed=0)
    assert set(np.unique(out.acceptability.to_numpy())) <= {0.0, 1.0}
    assert out.acceptability.sum(axis=1).tolist() == [1.0] * 5
    no_nan_except_never_first(out)


def test_the_default_tolerance_is_the_scorers(baseline):
    loose = dataclasses.replace(baseline, tolerance=1.0)              # every score lies within 1 of every other
    out = smaa(loose, draws=200, seed=0)
    assert out.acceptability[1].tolist() == [1.0] * 5
    assert smaa(loose, draws=200, seed=0, tolerance=0.0).acceptability[1].sum() == pytest.approx(1.0)


@pytest.mark.parametrize("settings_, message", [
    (dict(draws=0), r"draws must be a whole number of at least 1, got 0"),
    (dict(draws=2.5), r"draws must be a whole number of at least 1, got 2\.5"),
    (dict(seed=-1), r"seed must be a non-negative whole number, got -1"),
    (dict(weights="gaussian"), r"unknown weight model 'gaussian'; choose one of \['uniform', 'dirichlet'\]"),
    (dict(weights="dirichlet", concentration=0.0), r"Dirichlet concentration must be a positive, finite number, "
                                                   r"got 0\.0"),
    (dict(weights="dirichlet", concentration=float("inf")), r"Dirichlet concentration .* got inf"),
    (dict(weights="dirichlet", concentration=float("nan")), r"Dirichlet concentration .* got nan"),
    (dict(tolerance=-1e-9), r"tolerance must be a non-negative, finite number"),
    (dict(confidence_draws=0), r"confidence_draws must be a whole number of at least 1, got 0"),
])
def test_invalid_settings_are_refused_with_what_was_given(baseline, settings_, message):
    with pytest.raises(ValueError, match=message):
        smaa(baseline, **{"draws": 10, **settings_})


# --- draws in normalized space (fixed scales) --------------------------------------------------------------------

def awkward_matrix(missing: str):
    """4 vendors x 3 fixed-scale criteria: a 'min' criterion, a missing cell, ranges that leave the scale (so
    normalized draws are clipped), a figure with no range, and unequal weights."""
    dm = make_matrix({"a": [10.0, 50.0, 95.0, 30.0], "b": [5.0, np.nan, 2.0, 4.0], "c": [1.0, 3.0, 2.0, 2.5]},
                     vendors=["w", "x", "y", "z"], weights={"a": 3, "b": 2, "c": 1}, directions={"b": "min"},
                     bounds={"a": (0, 100), "b": (0, 6), "c": (1, 3)}, missing=missing,
                     low={"a": [0.0, 30.0, 80.0, 30.0], "b": [4.0, np.nan, 0.5, 3.0], "c": [0.5, 2.0, 1.5, 2.0]},
                     high={"a": [20.0, 70.0, 120.0, 30.0], "b": [7.0, np.nan, 3.0, 5.0], "c": [1.5, 3.5, 2.5, 3.0]})
    return dm


@pytest.mark.parametrize("missing", ["worst", "median"])
@pytest.mark.parametrize("method", ["weighted-sum", "topsis"])
def test_draws_in_normalized_space_equal_a_plain_loop_over_raw_draws(method, missing):
    """Exactly the same counts, wins and central weights as re-normalizing every raw draw through the public
    DataFrame API, with clipping, a 'min' criterion and a missing cell filled by either policy."""
    dm = awkward_matrix(missing)
    scorer = Scorer(dm, "fixed", method)
    assert smaa_module._affine_plan(scorer) is not None and len(smaa_module._affine_plan(scorer).clip)
    draws, seed = 400, 9
    out = smaa(scorer, draws=draws, seed=seed)
    weight_rng, value_rng, _ = _streams(seed)
    w = draw_weights(weight_rng, draws, scorer.weights, "uniform")
    x = raw_figures(value_rng, draws, dm.low.to_numpy(), dm.high.to_numpy())
    n = len(dm.values)
    counts, wins, first_w = np.zeros((n, n)), np.zeros((n, n)), np.zeros((n, 3))
    for i in range(draws):
        one = dataclasses.replace(dm, values=pd.DataFrame(x[i], index=dm.values.index, columns=dm.values.columns),
                                  weights=pd.Series(w[i], index=dm.weights.index))
        norm, _ = normalize(one, "fixed")
        scores = aggregate(norm, one.weights, method).to_numpy()
        rank = rank_vendors(aggregate(norm, one.weights, method))["rank"].reindex(dm.values.index).to_numpy()
        counts[np.arange(n), rank - 1] += 1
        wins += scores[:, None] > scores[None, :] + 1e-9
        first_w[rank == 1] += w[i]
    assert out.acceptability.to_numpy() == pytest.approx(counts / draws, abs=1e-12)
    assert out.winning.to_numpy() == pytest.approx(wins / draws, abs=1e-12)
    firsts = counts[:, 0]
    expected = np.where(firsts[:, None] > 0, first_w / np.maximum(firsts, 1)[:, None], np.nan)
    np.testing.assert_allclose(out.central_weights.to_numpy(), expected, rtol=1e-12)
    assert out.acceptability.sum(axis=1).to_numpy() == pytest.approx(1.0)


def old_stream_acceptability(scorer: Scorer, draws: int, seed: int) -> np.ndarray:
    """The acceptabilities of the figure stream this one replaced: raw figures drawn draw after draw (each draw
    n x m consecutive uniforms, ``draw_values``), re-normalized by the batched scorer. A plain reference."""
    weight_rng, value_rng, _ = _streams(seed)
    n = len(scorer.vendors)
    counts = np.zeros((n, n))
    low, high = scorer.dm.low.to_numpy(float), scorer.dm.high.to_numpy(float)
    for start in range(0, draws, 20_000):
        size = min(20_000, draws - start)
        w = draw_weights(weight_rng, size, scorer.weights, "uniform")
        r = scorer.ranks(w, values=draw_values(value_rng, size, low, high))
        for v in range(n):
            counts[v] += np.bincount(r[:, v] - 1, minlength=n)
    return counts / draws


@pytest.mark.parametrize("method", ["weighted-sum", "topsis", "promethee"])
def test_the_new_figure_stream_agrees_with_the_old_one_within_monte_carlo_error(baseline, method):
    """Where the stream changed (figures drawn), old and new acceptabilities are two independent estimates of the
    same shares: they differ by at most 5 standard errors of a difference, 5 sqrt(2 p (1 - p) / N) (p floored at
    1e-4 so that shares near 0 or 1 get a bound of a few draws, not zero)."""
    scorer = Scorer(baseline.dm, "fixed", method, baseline.preferences) if method != "weighted-sum" else baseline
    draws = 60_000
    new = smaa(scorer, draws=draws, seed=3).acceptability.to_numpy()
    old = old_stream_acceptability(scorer, draws, seed=3)
    p = (new + old) / 2
    bound = 5 * np.sqrt(2 * np.maximum(p * (1 - p), 1e-4) / draws)
    assert (np.abs(new - old) <= bound).all(), np.abs(new - old).max()
    assert not np.array_equal(new, old)                  # the streams do differ: this is not the same computation


def test_a_small_run_draws_at_most_one_block_of_figures(baseline, monkeypatch):
    """--draws 7 draws 7 weight vectors and one block of figures (4,096 x 25 numbers), never a full chunk."""
    sizes = []
    real = smaa_module.figure_uniforms
    monkeypatch.setattr(smaa_module, "figure_uniforms",
                        lambda rng, draws, cells, out=None: sizes.append(draws) or real(rng, draws, cells, out))
    smaa(baseline, draws=7, seed=0, confidence_draws=7)
    assert sizes == [7, 7] and smaa_module.block_draws(25) * 25 <= smaa_module.BLOCK_VALUES


def test_the_figure_stream_is_the_same_in_one_piece_or_block_by_block():
    cells, block = 30, smaa_module.block_draws(30)
    whole = figure_uniforms(np.random.default_rng(5), 3 * block, cells)
    rng = np.random.default_rng(5)
    pieces = np.concatenate([figure_uniforms(rng, block, cells) for _ in range(3)], axis=1)
    assert np.array_equal(whole, pieces)
    rng = np.random.default_rng(5)
    first = figure_uniforms(rng, block // 2, cells)                       # a partial block consumes the block
    assert np.array_equal(first, whole[:, :block // 2])
    assert np.array_equal(figure_uniforms(rng, block, cells), whole[:, block:2 * block])


@pytest.mark.parametrize("method", ["weighted-sum", "topsis"])
def test_topsis_and_weighted_sum_on_fixed_figures_equal_the_batched_kernel(baseline, method):
    """The matrix-product forms (C w; TOPSIS's squared gaps times w^2) equal the engine's kernel on the same
    weights (figures fixed)."""
    scorer = Scorer(baseline.dm, "fixed", method)
    w = draw_weights(np.random.default_rng(2), 500, scorer.weights)
    fast = smaa_module._fixed_kernel(scorer)(np.ascontiguousarray(w.T))
    np.testing.assert_allclose(fast.T, scorer.scores(w), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("n", [1, 5, 40])
def test_the_tally_equals_the_rank_rule_and_plain_pairwise_counts(monkeypatch, n):
    """Rank counts, wins and first weights of one chunk against scoring.rank.ranks and a pair-by-pair count,
    with exact ties and chains of near-ties (scores on a 1e-9 grid, tolerance 1e-9); and in vendor blocks."""
    from scoring.rank import ranks as rank_rule
    rng = np.random.default_rng(n)
    size, m, tol = 700, 3, 1e-9
    s = 0.5 + rng.integers(0, 4, (n, size)) * 0.7e-9 + (rng.random((n, size)) < 0.5) * rng.random((n, size))
    wt = rng.random((m, size))
    expected_r = rank_rule(s.T, tol).T                                     # (n, size)
    expected_counts = np.stack([np.bincount(expected_r[v] - 1, minlength=n) for v in range(n)])
    expected_wins = np.array([[np.count_nonzero(s[u] > s[v] + tol) for v in range(n)] for u in range(n)])
    expected_first = (expected_r == 1).astype(float) @ wt.T
    for budget in (smaa_module.CHUNK_BYTES, n * size):                      # all vendors at once, or one by one
        monkeypatch.setattr(smaa_module, "CHUNK_BYTES", budget)
        counts, wins, first = np.zeros((n, n), np.int64), np.zeros((n, n), np.int64), np.zeros((n, m))
        smaa_module._tally(s, wt, tol, counts, wins, first)
        assert np.array_equal(counts, expected_counts) and np.array_equal(wins, expected_wins)
        np.testing.assert_allclose(first, expected_first, rtol=1e-12)


def test_smaa_runs_on_one_blas_thread_and_gives_the_threads_back(monkeypatch):
    """Inside smaa() BLAS has one thread (its small products only spin the others); after it, the old count."""
    from threadpoolctl import threadpool_info, threadpool_limits

    import scoring.smaa as smaa_module

    def blas_threads():
        return [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"]

    seen = []
    real_tally = smaa_module._tally

    def spying_tally(*args, **kwargs):
        seen.append(blas_threads())
        return real_tally(*args, **kwargs)

    monkeypatch.setattr(smaa_module, "_tally", spying_tally)
    scorer = Scorer.from_result(run("criteria/baseline.yaml", "vendors", as_of="2025-12-31"))
    with threadpool_limits(limits=2, user_api="blas"):           # two threads before, whatever the machine
        before = blas_threads()
        smaa(scorer, draws=3_000, seed=0)
        after = blas_threads()
    assert before and set(before) == {2}
    assert seen and all(threads == [1] * len(before) for threads in seen)
    assert after == before
