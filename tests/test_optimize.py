"""The strategy optimizer: its answers re-checked independently of the solver, against brute force, against
the scoring engine, against a second solver, and against finite differences."""

from __future__ import annotations

import itertools
from dataclasses import replace

import numpy as np
import pytest

from scoring.errors import ConfigErrors
from scoring.load import load_strategy
from scoring.lp import solve_program
from scoring.optimize import (
    InfeasibleMix,
    calibrated_margins,
    compare_presets,
    frontier,
    highest_margin,
    optimize,
    view,
)
from scoring.strategy_program import build_program, setting

MODEL_PATH = "strategy/alibaba.yaml"
PRESETS = [None, "public-cloud-first", "hybrid", "ai-driven"]


@pytest.fixture(scope="module")
def model():
    return load_strategy(MODEL_PATH)


@pytest.fixture(scope="module")
def plans(model):
    return {p: optimize(model, preset=p) for p in PRESETS}


def test_the_calibrated_margin_reproduces_the_observed_blended_margin(model):
    margins = calibrated_margins(model)
    blended = sum(x.share_of_base.value / 100 * margins[x.id] for x in model.lines)
    assert blended == pytest.approx(100 * 1.409 / 27.648, abs=1e-12)


@pytest.mark.parametrize("preset", PRESETS)
def test_the_solvers_objective_equals_the_engines_score_of_the_projected_profile(plans, preset):
    plan = plans[preset]
    assert plan.status == "optimal"
    assert plan.objective == pytest.approx(plan.score, abs=1e-9)
    assert plan.ranking.set_index("vendor").loc["alibaba", "score"] == pytest.approx(plan.score, abs=1e-12)


@pytest.mark.parametrize("preset", PRESETS)
def test_every_reported_mix_satisfies_every_constraint_rechecked_by_hand(model, plans, preset):
    assert_mix_satisfies_the_model(model, plans[preset])


def assert_mix_satisfies_the_model(model, plan, tol: float = 1e-7) -> None:
    """The constraints recomputed from the reported mix and moves with the model's own coefficients, without the
    program the solver saw (also used by the property tests)."""
    chosen = model.preset(plan.preset) if plan.preset else None
    s = setting(model, chosen, plan.margin_floor_pct)
    lines = s.lines
    rev = plan.mix.pivot(index="line", columns="quarter", values="revenue_rmb_bn").loc[lines].to_numpy()
    on = {m for m, v in plan.moves.items() if v}
    prev = s.base.copy()
    for t in range(s.horizon):
        r = rev[:, t]
        for i, line in enumerate(lines):
            spec = model.line(line)
            closed = any(line in model.move(m).closes_lines for m in on)
            opened = any(line in m.opens_lines for m in model.moves if m.id in on) or \
                not any(line in m.opens_lines for m in model.moves)
            if closed or not opened:
                assert r[i] <= tol, (line, t)
                continue
            if spec.growth_cap is not None:
                extra = sum(model.move(m).raises_growth_cap[line].value / 100 * s.base[i]
                            for m in on if line in model.move(m).raises_growth_cap)
                assert r[i] <= prev[i] * (1 + spec.growth_cap.value / 100) + extra + tol, (line, t)
            else:
                assert r[i] <= spec.growth_cap_rmb_bn.value + tol
            if s.base[i] > 0:
                assert r[i] >= s.adjustment_floor * prev[i] - tol, (line, t)
        capacity = s.capacity + sum(model.move(m).raises_capacity_kgpu.value for m in on
                                    if model.move(m).raises_capacity_kgpu)
        assert s.compute @ r <= capacity + tol
        assert s.headcount @ r <= s.headcount_budget + tol
        ebita = s.margin @ r - sum(model.move(m).fixed_cost_rmb_bn.value for m in on)
        assert ebita / r.sum() >= s.margin_floor - tol
        assert plan.margins[t + 1] == pytest.approx(100 * ebita / r.sum(), abs=1e-9)
        assert r[s.government].sum() >= s.min_government * r.sum() - tol
        prev = r
    assert sum(model.move(m).capex_rmb_bn.value for m in on) <= s.capex_budget + tol
    for m in on:
        assert set(model.move(m).requires) <= on, m
        assert not set(model.move(m).excludes) & on, m
    if chosen:
        for m, forced in chosen.force.items():
            assert plan.moves[m] == forced


@pytest.mark.parametrize("preset", PRESETS)
def test_brute_force_over_every_combination_of_moves_finds_the_same_optimum(model, plans, preset):
    """Each combination of the binaries fixed in turn and the LP solved by CBC: the best of them is the MILP's
    optimum that HiGHS found (to CBC's eight significant digits)."""
    chosen = model.preset(preset) if preset else None
    result = view(model, "vendors")
    s = setting(model, chosen, None)
    best = -np.inf
    for combo in itertools.product([0.0, 1.0], repeat=len(s.moves)):
        fixed = dict(zip(s.moves, combo, strict=True))
        answer = solve_program(build_program(model, result, s, chosen, fixed_moves=fixed).program, solver="cbc")
        if answer.optimal:
            best = max(best, answer.objective)
    assert plans[preset].objective == pytest.approx(best, abs=1e-7)


@pytest.mark.parametrize("preset", PRESETS)
def test_highs_and_cbc_agree_on_the_optimum(model, plans, preset):
    assert optimize(model, preset=preset, solver="cbc").objective == pytest.approx(plans[preset].objective, abs=1e-6)


def test_the_three_presets_give_different_answers(plans):
    answers = {p: (round(plans[p].score, 6), tuple(sorted(m for m, v in plans[p].moves.items() if v)))
               for p in PRESETS[1:]}
    assert len(set(answers.values())) == 3, answers


def test_raising_the_margin_floor_never_raises_the_optimal_score(model):
    top = highest_margin(model, preset="hybrid")
    floors = np.linspace(0.0, top, 9)
    scores = [optimize(model, preset="hybrid", margin_floor_pct=float(f)).score for f in floors]
    assert all(b <= a + 1e-9 for a, b in zip(scores, scores[1:], strict=False)), scores
    with pytest.raises(InfeasibleMix):
        optimize(model, preset="hybrid", margin_floor_pct=top + 0.01)


def test_loosening_a_constraint_never_lowers_the_optimal_score(model, plans):
    constraints = dict(model.constraints)
    for key, more in (("compute_capacity_kgpu", 3.0), ("headcount_k", 5.0), ("capex_budget_rmb_bn", 4.0)):
        looser = dict(constraints)
        looser[key] = replace(constraints[key], value=constraints[key].value + more)
        plan = optimize(replace(model, constraints=looser), preset="public-cloud-first")
        assert plan.score >= plans["public-cloud-first"].score - 1e-9, key


def test_the_margin_floor_price_agrees_with_a_finite_difference(model, plans):
    """Given the chosen moves, d score / d floor (per point, every quarter) by central difference of the LP."""
    plan = plans["public-cloud-first"]
    chosen = model.preset("public-cloud-first")
    result = view(model, "vendors")
    fixed = {m: float(v) for m, v in plan.moves.items()}

    def score_at(floor: float) -> float:
        answer = solve_program(build_program(model, result, setting(model, chosen, floor), chosen,
                                             fixed_moves=fixed).program)
        assert answer.optimal
        return answer.objective

    h = 0.01
    slope = (score_at(plan.margin_floor_pct + h) - score_at(plan.margin_floor_pct - h)) / (2 * h)
    assert plan.floor_price == pytest.approx(slope, rel=1e-3, abs=1e-7)


def test_an_unreachable_floor_is_explained_with_the_highest_floor_any_mix_keeps(model):
    top = highest_margin(model, preset="hybrid")
    with pytest.raises(InfeasibleMix, match=rf"no mix keeps a 9\.00% margin every quarter under the hybrid preset; "
                                            rf"the highest floor any mix keeps is {top:.2f}%") as caught:
        optimize(model, preset="hybrid", margin_floor_pct=9.0)
    rows = caught.value.relaxation
    assert set(rows[rows["constraint"].str.startswith("margin_floor")]["relax_by"].round(6)) == {round(9.0 - top, 6)}
    assert optimize(model, preset="hybrid", margin_floor_pct=top - 1e-3).status == "optimal"


def test_a_view_that_is_not_linear_in_the_figures_is_refused(model, tmp_path):
    text = open(model.criteria_path, encoding="utf-8").read().replace("method: weighted-sum", "method: topsis")
    view = tmp_path / "criteria" / "topsis.yaml"
    view.parent.mkdir()
    view.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigErrors, match=r"scores with TOPSIS under 'fixed' normalization, which is not linear in "
                                           r"the figures"):
        optimize(replace(model, criteria_path=str(view)), vendors_folder="vendors")


def test_an_unknown_preset_is_refused_with_the_choices(model):
    with pytest.raises(ConfigErrors, match=r"--preset: unknown preset 'hybird'.*\n    hint: did you mean 'hybrid'\?"):
        optimize(model, preset="hybird")


def test_presets_are_compared_side_by_side_against_the_current_mix(model, plans):
    table = compare_presets(model).set_index("preset")
    assert list(table.index) == ["(no preset)", "public-cloud-first", "hybrid", "ai-driven"]
    for p in PRESETS:
        row = table.loc[p or "(no preset)"]
        assert row["score"] == pytest.approx(plans[p].score, abs=1e-12)
    assert (table["score"] >= table.loc["(no preset)", "score"] - 1e-9).sum() >= 1


def test_the_frontier_records_every_point_and_calls_out_where_moves_switch(model):
    table = frontier(model, preset=None, points=11)
    assert len(table) == 12 and table["status"].iloc[-1] == "infeasible"
    assert (table["status"].iloc[:-1] == "optimal").all()
    feasible = table[table["status"] == "optimal"]
    assert (np.diff(feasible["score"].to_numpy()) <= 1e-9).all()
    moves = feasible["moves"].tolist()
    for before, after, switched in zip(moves[:-1], moves[1:], feasible["switched"].tolist()[1:], strict=True):
        assert (before != after) == bool(switched)


def test_the_optimizer_figures_shown_in_the_readme_are_what_the_tool_prints(model):
    """The README's presets table and frontier rows, compared word by word with the tool's output."""
    from pathlib import Path

    from scoring.strategy_report import render_frontier, render_presets
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme.split("## What should a vendor do about it?", 1)[1].split("\n## ", 1)[0]
    printed = {" ".join(line.split()) for line in
               render_presets(compare_presets(model), model).splitlines()
               + render_frontier(frontier(model, points=6), model, None).splitlines()}
    shown = [" ".join(line.split()) for line in section.splitlines()
             if line.split()[:1] and (line.split()[1:2] == ["optimal"] or line.split()[1:2] == ["infeasible"]
                                      or line.startswith("(no preset)"))]
    assert len(shown) == 9
    from scoring.strategy_report import floor_price_words
    flat = " ".join(section.split())
    assert floor_price_words(optimize(model, preset="public-cloud-first")) in flat
    compute = optimize(model, preset="public-cloud-first").constraints.loc["compute_capacity.q4"]
    assert f"+{compute.shadow_price:.4g} per thousand GPUs, valid for {compute.valid_from:.4g} to " \
           f"{compute.valid_to:.4g}" in flat
    for line in shown:
        assert line in printed, f"README is stale: {line!r}"
    assert "the highest floor any mix keeps is 5.47%" in section
    assert highest_margin(model, preset="hybrid") == pytest.approx(5.47, abs=0.005)
    assert f"({calibrated_margins(model)['public']:.2f}%)" in section
    assert f"{sum(c.kind == 'assumption' for c in model.coefficients())} of the " \
           f"{len(model.coefficients())} coefficients" in section


def test_the_how_sure_figures_in_the_readme_are_what_the_draws_give(model):
    from pathlib import Path

    from scoring.strategy_draws import preset_acceptability
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    summary = preset_acceptability(model, draws=200, seed=0).summary.set_index("preset")
    said = {"public-cloud-first": "public-cloud-first is best in {:.0%} of the 200 draws",
            "ai-driven": "ai-driven in {:.0%}", "hybrid": "hybrid in {:.0%}"}
    for preset, words in said.items():
        assert words.format(summary.loc[preset, "best_share"]) in " ".join(readme.split()), preset
    assert summary.loc["public-cloud-first", "mean_regret"] == pytest.approx(0, abs=1e-9)


def test_the_backtest_sets_each_projection_beside_the_observed_facts(model, plans):
    from scoring.optimize import backtest
    table = backtest(model)
    for row in table.itertuples():
        plan = plans[None if row.preset == "(no preset)" else row.preset]
        t = {"2024-Q2": 3, "2024-Q3": 4}[row.quarter]
        projected = (plan.mix.groupby("quarter")["revenue_rmb_bn"].sum()[t] if row.measure == "revenue_rmb_bn"
                     else plan.margins[t])
        seen = model.observed[row.quarter]["revenue_rmb_bn" if row.measure == "revenue_rmb_bn" else "margin"].value
        assert row.projected == pytest.approx(projected, abs=1e-9)
        assert row.observed == seen and row.error == pytest.approx(projected - seen, abs=1e-9)
    assert set(table["measure"]) == {"revenue_rmb_bn", "margin_pct"}


def test_the_backtest_figures_in_the_readme_are_what_the_tool_prints(model):
    from pathlib import Path

    from scoring.optimize import backtest
    from scoring.strategy_report import render_backtest
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme.split("**Backtest.**", 1)[1].split("**Facts and assumptions.**", 1)[0]
    printed = render_backtest(backtest(model), model)
    rows = [line for line in section.splitlines() if line.split()[:1] and line.split()[1:2]
            and line.split()[1].startswith("2024-Q")]
    assert len(rows) == 5
    for line in rows:
        assert line in printed, line
    assert "mean absolute error 1.5%" in printed and "mean absolute error 1.5%" in section
    assert f"the highest floor any mix\nkeeps is {highest_margin(model):.2f}%" in section


def test_an_unreachable_floor_names_an_irreducible_set_of_constraints_that_cannot_hold_together(model):
    """The IIS of the hybrid preset at 9% (the closest mix's moves fixed): infeasible on its own, and feasible
    once any one of its rows is dropped, re-solved here from the program without the solver's word for it."""
    from test_lp_program import _sub_program
    with pytest.raises(InfeasibleMix) as caught:
        optimize(model, preset="hybrid", margin_floor_pct=9.0)
    iis = caught.value.iis
    assert iis and "margin_floor.q1" in iis and "These cannot hold together" in str(caught.value)
    chosen = model.preset("hybrid")
    moves = {name.split()[1]: float(name.split()[2] == "on") for name in iis if name.startswith("move ")}
    top_moves = optimize(model, preset="hybrid", margin_floor_pct=highest_margin(model, preset="hybrid")).moves
    moves = {m: moves.get(m, float(top_moves[m])) for m in top_moves}
    built = build_program(model, view(model), setting(model, chosen, 9.0), chosen, fixed_moves=moves)
    rows = {n for n in iis if n in built.program.rows}
    # every name is a row of the program, a fixed move, or a revenue column's bound
    assert all(n in rows or n.startswith("move ") or " revenue at " in n for n in iis)
    columns = {c for c in built.program.columns if c.startswith("move_")} | {
        f"revenue_{n.split()[0]}_{n.split()[1]}" for n in iis if " revenue at " in n}
    assert solve_program(_sub_program(built.program, rows, columns)).status == "infeasible"
    for dropped in rows:
        assert solve_program(_sub_program(built.program, rows - {dropped}, columns)).optimal, dropped


def test_a_model_infeasible_at_every_floor_gets_the_smallest_relaxation_that_restores_it(model):
    """Government and hybrid business at 90% of revenue contradicts the adjustment floors of the other lines at
    any margin floor: the elastic copy says by how much which rows must give, and relaxing them by exactly that
    makes the program feasible again."""
    constraints = dict(model.constraints)
    constraints["min_government_share"] = replace(constraints["min_government_share"], value=90.0)
    strict = replace(model, constraints=constraints)
    with pytest.raises(InfeasibleMix, match="at any margin floor; the smallest relaxation that restores one") as caught:
        optimize(strict)
    table = caught.value.relaxation
    assert len(table) and (table["relax_by"] > 0).all()
    built = build_program(strict, view(strict), setting(strict, None, None), None)
    assert set(table["constraint"]) <= set(built.policy)
    lower, upper = list(built.program.row_lower), list(built.program.row_upper)
    for r in table.itertuples():
        i = built.program.rows.index(r.constraint)
        if np.isfinite(lower[i]):
            lower[i] -= r.relax_by * (1 + 1e-9)
        else:
            upper[i] += r.relax_by * (1 + 1e-9)
    assert solve_program(replace(built.program, row_lower=lower, row_upper=upper)).optimal
    assert solve_program(built.program).status == "infeasible"
