"""Every what-if answer is checked by re-scoring: the change makes X pass, and a slightly smaller one does not."""

import itertools

import numpy as np
import pytest

from scoring.matrix import make_matrix
from scoring.pipeline import run
from scoring.robustness import Scorer, ranks_of
from scoring.whatif import WhatIfError, what_it_takes

SHRINK = 0.99          # "slightly smaller": 99% of the change


@pytest.fixture(scope="module")
def scorer():
    return Scorer.from_result(run("criteria/baseline.yaml", "vendors", as_of="2025-12-31"))


def passes(scorer, x, bar, values=None, weights=None, tol=1e-9):
    s = scorer.scores(weights, values)
    return s[x] > s[bar] + tol


def behind_pairs(scorer):
    s = scorer.scores()
    return [(a, b) for a, b in itertools.permutations(scorer.vendors, 2)
            if s[scorer.vendors.index(a)] < s[scorer.vendors.index(b)]]


def apply_metrics(scorer, x, changes, fraction=1.0):
    values = scorer.dm.values.to_numpy(dtype=float).copy()
    for crit, d in changes.items():
        k = scorer.criteria.index(crit)
        start = (d["from"] if d["from"] is not None
                 else (d["to"] - d["by"] if scorer.dm.directions.iloc[k] == "max" else d["to"] + d["by"]))
        values[x, k] = start + fraction * (d["to"] - start)
    return values


def test_metric_answers_pass_and_a_slightly_smaller_change_does_not(scorer):
    checked = 0
    for a, b in behind_pairs(scorer):
        x, y = scorer.vendors.index(a), scorer.vendors.index(b)
        answer = what_it_takes(scorer, a, beat=b)
        for change in answer.answers:
            if change.kind not in ("metric", "metrics") or not change.feasible:
                continue
            assert change.verified
            assert passes(scorer, x, y, values=apply_metrics(scorer, x, change.changes))
            assert not passes(scorer, x, y, values=apply_metrics(scorer, x, change.changes, SHRINK))
            checked += 1
    assert checked >= 10


def test_weight_answers_pass_and_a_slightly_smaller_change_does_not(scorer):
    checked = 0
    w = scorer.weights
    for a, b in behind_pairs(scorer):
        x, y = scorer.vendors.index(a), scorer.vendors.index(b)
        for change in what_it_takes(scorer, a, beat=b).answers:
            if change.kind != "weights" or not change.feasible:
                continue
            new = np.array([change.changes.get(c, {"to": w[k]})["to"] for k, c in enumerate(scorer.criteria)])
            assert passes(scorer, x, y, weights=new)
            assert not passes(scorer, x, y, weights=w + SHRINK * (new - w))
            checked += 1
    assert checked >= 5


def test_the_combined_metrics_lp_is_minimal_against_a_random_search(scorer):
    """No random improvement within the scales that costs less (in scale fractions) makes X pass."""
    a, b = "volcano", "baidu"
    x, y = scorer.vendors.index(a), scorer.vendors.index(b)
    lp = next(c for c in what_it_takes(scorer, a, beat=b).answers if c.kind == "metrics")
    rng = np.random.default_rng(0)
    norm = scorer.normalized()
    lo, hi = scorer.dm.lower.to_numpy(), scorer.dm.upper.to_numpy()
    is_max = (scorer.dm.directions == "max").to_numpy()
    for _ in range(2000):
        gain = rng.dirichlet(np.ones(len(lo))) * lp.cost * rng.uniform(0.5, 0.999)    # cheaper than the LP
        gain = np.minimum(gain, 1 - norm[x])
        values = scorer.dm.values.to_numpy(dtype=float).copy()
        target = norm[x] + gain
        values[x] = np.where(is_max, lo + target * (hi - lo), hi - target * (hi - lo))
        assert not passes(scorer, x, y, values=values)


def test_weights_lp_is_minimal_against_a_random_search(scorer):
    a, b = "huawei", "alibaba"
    x, y = scorer.vendors.index(a), scorer.vendors.index(b)
    lp = next(c for c in what_it_takes(scorer, a, beat=b).answers if c.kind == "weights")
    rng = np.random.default_rng(1)
    w = scorer.weights
    for _ in range(2000):
        direction = rng.normal(size=len(w))
        direction -= direction.mean()                       # keeps the sum at 1
        direction *= lp.cost * rng.uniform(0.5, 0.999) / np.abs(direction).sum()
        new = w + direction
        if (new < 0).any():
            continue
        assert not passes(scorer, x, y, weights=new)


def test_reaching_a_rank_is_checked_against_the_full_ranking(scorer):
    answer = what_it_takes(scorer, "tianyi", rank=3)
    x = scorer.vendors.index("tianyi")
    for change in answer.answers:
        if change.kind == "weights" and change.feasible:
            new = np.array([change.changes.get(c, {"to": scorer.weights[k]})["to"]
                            for k, c in enumerate(scorer.criteria)])
            assert ranks_of(scorer.scores(new)[None, :])[0, x] <= 3
        if change.kind == "metric" and change.feasible:
            ranks = ranks_of(scorer.scores(values=apply_metrics(scorer, x, change.changes))[None, :])[0]
            assert ranks[x] <= 3


def test_when_nothing_can_do_it_the_answer_says_why():
    dm = make_matrix({"a": [1.0, 2.0], "b": [1.0, 3.0]}, vendors=["x", "y"], weights={"a": 1, "b": 1},
                     bounds={"a": (0, 2), "b": (0, 3)})
    answer = what_it_takes(Scorer(dm, "fixed", "weighted-sum"), "x", beat="y")
    weights = next(c for c in answer.answers if c.kind == "weights")
    assert not weights.feasible and "y is at least as good on every criterion" in weights.text
    metric = next(c for c in answer.answers if c.kind == "metric")
    assert not metric.feasible and "cannot do it" in metric.text


def test_a_vendor_already_ahead_is_told_so(scorer):
    answer = what_it_takes(scorer, "alibaba", beat="huawei")
    assert answer.already and not answer.answers and "already ahead" in answer.notes[0]


def test_topsis_answers_come_from_bisection_and_still_verify():
    scorer = Scorer.from_result(run("criteria/baseline.yaml", "vendors", as_of="2025-12-31", method="topsis"))
    answer = what_it_takes(scorer, "volcano", beat="baidu")
    x, y = scorer.vendors.index("volcano"), scorer.vendors.index("baidu")
    feasible = [c for c in answer.answers if c.feasible]
    assert feasible and all(c.verified for c in feasible)
    for change in feasible:
        if change.kind == "metric":
            assert not passes(scorer, x, y, values=apply_metrics(scorer, x, change.changes, SHRINK))
    assert any("not linear" in n for n in answer.notes)


@pytest.mark.parametrize("kwargs, message", [
    (dict(vendor="alibab", beat="huawei"), "unknown vendor 'alibab'; did you mean 'alibaba'?"),
    (dict(vendor="alibaba", beat="alibaba"), "cannot overtake itself"),
    (dict(vendor="alibaba", rank=9), "rank must be between 1 and 5, got 9"),
])
def test_impossible_questions_are_refused_with_a_reason(scorer, kwargs, message):
    with pytest.raises(WhatIfError, match=message.replace("?", r"\?").replace("(", r"\(")):
        what_it_takes(scorer, **kwargs)
