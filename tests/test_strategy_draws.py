"""Strategy draws: the assumptions drawn within their ranges and every preset re-solved, checked against the
deterministic optimizer and against the invariants of the summary (regret, best share, shares of base)."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from scoring.load import load_strategy
from scoring.optimize import optimize
from scoring.strategy_draws import (
    _summary,
    draw_assumptions,
    drawn_keys,
    preset_acceptability,
    with_coefficients,
    with_values,
)

MODEL_PATH = "strategy/alibaba.yaml"
DRAWS = 20


@pytest.fixture(scope="module")
def model():
    return load_strategy(MODEL_PATH)


@pytest.fixture(scope="module")
def run(model):
    return preset_acceptability(model, draws=DRAWS, seed=0)


@pytest.fixture(scope="module")
def pinned(model):
    """The model with every assumption's range collapsed onto its value: nothing left to draw."""
    return with_coefficients(model, {c.key: replace(c, low=c.value, high=c.value) for c in model.coefficients()
                                     if c.kind == "assumption"})


def test_the_same_seed_gives_the_same_tables(model, run) -> None:
    again = preset_acceptability(model, draws=DRAWS, seed=0)
    pd.testing.assert_frame_equal(run.summary, again.summary)
    pd.testing.assert_frame_equal(run.by_draw, again.by_draw)
    pd.testing.assert_frame_equal(run.assumptions, again.assumptions)


def test_different_seeds_draw_different_assumptions_and_scores(model, run) -> None:
    other = preset_acceptability(model, draws=DRAWS, seed=1)
    assert not np.allclose(run.assumptions.to_numpy(), other.assumptions.to_numpy())
    assert not run.by_draw["score"].equals(other.by_draw["score"])


def test_the_first_draws_do_not_depend_on_how_many_are_drawn(model) -> None:
    pd.testing.assert_frame_equal(draw_assumptions(model, draws=5, seed=7),
                                  draw_assumptions(model, draws=50, seed=7).iloc[:5])


def test_every_draw_records_every_preset_feasible_or_not(model, run) -> None:
    presets = [p.id for p in model.presets]
    assert len(run.by_draw) == DRAWS * len(presets)
    assert (run.by_draw.groupby("draw")["preset"].apply(list) == pd.Series([presets] * DRAWS)).all()
    infeasible = run.by_draw["status"] != "optimal"
    assert run.by_draw.loc[infeasible, ["score", "margin_pct", "regret"]].isna().all().all()
    assert run.by_draw.loc[~infeasible, ["score", "margin_pct", "regret"]].notna().all().all()


def test_an_unreachable_margin_floor_is_infeasible_in_every_draw_and_best_in_none(model) -> None:
    out = preset_acceptability(model, draws=2, seed=0, margin_floor_pct=60.0)
    assert set(out.by_draw["status"]) == {"infeasible"}
    assert (out.summary["best_share"] == 0).all() and (out.summary["feasible_share"] == 0).all()
    assert out.summary[["mean_score", "mean_margin_pct", "mean_regret", "max_regret"]].isna().all().all()


def test_regret_is_never_negative_and_zero_for_each_draws_best(run) -> None:
    regret = run.by_draw["regret"].dropna()
    assert (regret >= 0).all()
    feasible = run.by_draw.dropna(subset=["score"])
    assert (feasible.groupby("draw")["regret"].min() == 0).all()
    assert (run.summary["max_regret"].dropna() >= run.summary["mean_regret"].dropna()).all()


def test_best_shares_add_up_to_the_share_of_draws_with_a_feasible_preset(run) -> None:
    some_feasible = (run.by_draw.groupby("draw")["status"].apply(lambda s: (s == "optimal").any())).mean()
    assert run.summary["best_share"].sum() == pytest.approx(some_feasible)
    assert (run.summary["best_share"] <= run.summary["feasible_share"] + 1e-12).all()


def test_with_no_range_left_every_draw_is_the_deterministic_optimum(model, pinned) -> None:
    assert drawn_keys(pinned) == []
    out = preset_acceptability(pinned, draws=3, seed=0)
    assert out.assumptions.shape == (3, 0)
    expected = {p.id: optimize(model, preset=p.id) for p in model.presets}
    for row in out.by_draw.itertuples():
        plan = expected[row.preset]
        assert row.status == plan.status == "optimal"
        assert row.score == pytest.approx(plan.score, abs=1e-9)
        assert row.margin_pct == pytest.approx(float(plan.margins.min()), abs=1e-9)
    best = max(expected, key=lambda p: expected[p].score)
    summary = out.summary.set_index("preset")
    assert summary.loc[best, "best_share"] == 1.0
    assert summary["best_share"].sum() == pytest.approx(1.0)
    assert summary.loc[best, "mean_regret"] == summary.loc[best, "max_regret"] == 0.0
    assert (summary.drop(index=best)["mean_regret"] > 0).all()


def test_with_values_changes_exactly_the_keys_asked_and_keeps_the_facts(model) -> None:
    asked = {"lines.hybrid.margin": 6.5, "constraints.headcount_k": 33.0,
             "moves.build_intelligent_computing_centre.raises_metric.chip_supply_level": 0.9}
    changed = with_values(model, asked)
    before = {c.key: c for c in model.coefficients()}
    after = {c.key: c for c in changed.coefficients()}
    assert after.keys() == before.keys()
    for key, c in before.items():
        if key in asked:
            assert after[key] == replace(c, value=asked[key])
        else:
            assert after[key] == c
    assert all(after[c.key] == c for c in model.coefficients() if c.kind == "fact")
    assert changed.presets == model.presets and model.line("hybrid").margin.value == 4.0


def test_with_values_refuses_an_unknown_key_naming_the_closest(model) -> None:
    expected = r"no coefficient 'lines\.hybrid\.margins' in the strategy model; did you mean 'lines\.hybrid\.margin'\?"
    with pytest.raises(KeyError, match=expected):
        with_values(model, {"lines.hybrid.margins": 5.0})


def test_drawn_shares_of_base_add_up_to_100_and_the_rest_stay_in_range(model) -> None:
    table = draw_assumptions(model, draws=500, seed=3)
    assert all(c.kind == "assumption" and c.low < c.high for c in drawn_keys(model))
    assert "lines.public.margin" not in table.columns           # the calibrated margin is derived, not drawn
    assert "lines.public_promo.share_of_base" not in table.columns   # 0% to 0%: nothing to draw
    for values in table.iloc[:5].to_dict("records"):
        assert sum(x.share_of_base.value for x in with_values(model, values).lines) == pytest.approx(100.0)
    shares = [k for k in table.columns if k.endswith(".share_of_base")]
    assert np.allclose(table[shares].sum(axis=1), 100.0)
    by_key = {c.key: c for c in model.coefficients()}
    rest = table.drop(columns=shares)
    assert all(((rest[k] >= by_key[k].low) & (rest[k] <= by_key[k].high)).all() for k in rest.columns)


def test_to_dict_is_strict_json(run) -> None:
    text = json.dumps(run.to_dict(), allow_nan=False)
    assert json.loads(text)["draws"] == DRAWS and len(json.loads(text)["summary"]) == len(run.summary)


@given(st.lists(st.lists(st.one_of(st.none(), st.sampled_from([0.1, 0.2, 0.3]), st.floats(0, 1)),
                         min_size=3, max_size=3), min_size=1, max_size=8))
def test_summary_invariants_hold_for_any_scores(scores: list[list[float | None]]) -> None:
    presets = ["a", "b", "c"]
    by_draw = pd.DataFrame([dict(draw=d, preset=p, status="optimal" if x is not None else "infeasible",
                                 score=np.nan if x is None else x, margin_pct=np.nan if x is None else 5.0)
                            for d, row in enumerate(scores) for p, x in zip(presets, row, strict=True)])
    summary = _summary(by_draw, presets)
    assert (by_draw["regret"].dropna() >= 0).all()
    some_feasible = np.mean([any(x is not None for x in row) for row in scores])
    assert summary["best_share"].sum() == pytest.approx(some_feasible)
    assert ((summary["best_share"] >= 0) & (summary["best_share"] <= summary["feasible_share"] + 1e-12)).all()
