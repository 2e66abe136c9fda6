"""Properties of the strategy optimizer over random strategy models (hypothesis), and a brute force over a fine grid.

A random model is the bundled one with every assumption drawn within its range (a seeded draw of
``strategy_draws.draw_assumptions``: the segment shares still add up to 100%), a horizon of one to four quarters,
a preset or none and a margin floor: the space a strategist explores. Every property is checked against something
the solver did not compute: a second solve, the scoring engine, a hand re-check of the constraints, finite
differences, or a grid of points evaluated without any solver.
"""

from __future__ import annotations

import itertools
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from test_optimize import assert_mix_satisfies_the_model

from scoring.load import load_strategy
from scoring.lp import solve_program
from scoring.optimize import InfeasibleMix, engine_scores, solve_mix, view
from scoring.strategy_draws import draw_assumptions, with_values
from scoring.strategy_program import build_program, projected_values, setting

MODEL = load_strategy("strategy/alibaba.yaml")
RESULT = view(MODEL)
PRESETS = [None, *(p.id for p in MODEL.presets)]
TOL = 1e-7
EXAMPLES = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def models(draw):
    """(model, preset or None, margin floor in percent)."""
    model = drawn_model(draw(st.integers(0, 2 ** 32 - 1)), draw(st.integers(1, 4)))
    preset = draw(st.sampled_from(PRESETS))
    floor = draw(st.sampled_from([0.0, 2.0, 3.5, 5.0, 6.0]))
    return model, preset, floor


def plan_or_none(model, preset, floor, solver="highs", price=False):
    try:
        return solve_mix(model, RESULT, model.preset(preset) if preset else None, floor, solver=solver, price=price,
                         explain=False)
    except InfeasibleMix:
        return None


@EXAMPLES
@given(case=models(), more=st.sampled_from([0.5, 1.0, 2.0]))
def test_raising_the_margin_floor_never_raises_the_optimal_score(case, more):
    model, preset, floor = case
    low, high = plan_or_none(model, preset, floor), plan_or_none(model, preset, floor + more)
    if low is None:
        assert high is None              # a floor no mix keeps is not kept at a higher floor either
    elif high is not None:
        assert high.score <= low.score + 1e-9


@EXAMPLES
@given(case=models(), key=st.sampled_from(["compute_capacity_kgpu", "headcount_k", "capex_budget_rmb_bn"]))
def test_dropping_a_constraint_never_lowers_the_optimal_score(case, key):
    """The moves a preset forces left free (a preset's own presence floor may be lower than the file's, so
    dropping the whole preset is not dropping a constraint), or a capacity made ten times looser."""
    model, preset, floor = case
    plan = plan_or_none(model, preset, floor)
    assume(plan is not None)
    if preset is not None:
        unforced = replace(model.preset(preset), force={})
        free = solve_mix(model, RESULT, unforced, floor, price=False, explain=False)
        assert free.score >= plan.score - 1e-9
    looser = dict(model.constraints)
    looser[key] = replace(looser[key], value=10 * looser[key].value + 1)
    loose = plan_or_none(replace(model, constraints=looser), preset, floor)
    assert loose is not None and loose.score >= plan.score - 1e-9


@EXAMPLES
@given(case=models())
def test_every_solution_satisfies_every_constraint_and_scores_what_the_engine_scores(case):
    model, preset, floor = case
    plan = plan_or_none(model, preset, floor)
    assume(plan is not None)
    assert_mix_satisfies_the_model(model, plan, tol=1e-6)
    assert plan.objective == pytest.approx(plan.score, abs=1e-9)
    # the engine's score of the projected profile, recomputed here from the reported mix
    s = setting(model, model.preset(preset) if preset else None, floor)
    last = plan.mix[plan.mix["quarter"] == plan.mix["quarter"].max()].set_index("line").loc[s.lines]
    values = projected_values(model, RESULT, s, last["revenue_rmb_bn"].to_numpy(), plan.moves)
    focal = list(RESULT.matrix.values.index).index(model.vendor)
    assert engine_scores(RESULT, [values])[0, focal] == pytest.approx(plan.score, abs=1e-9)


def drawn_model(seed: int, horizon: int):
    values = draw_assumptions(MODEL, draws=1, seed=seed).iloc[0].to_dict()
    return replace(with_values(MODEL, values), horizon_quarters=horizon)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=models())
# infeasible; the bundled CBC printed "Problem is unbounded" and wrote no solution file, and PuLP raised
@example(case=(drawn_model(39, 1), "hybrid", 5.0))
def test_highs_and_cbc_agree_on_the_optimum(case):
    model, preset, floor = case
    highs, cbc = plan_or_none(model, preset, floor), plan_or_none(model, preset, floor, solver="cbc")
    assert (highs is None) == (cbc is None)
    if highs is not None:
        assert cbc.objective == pytest.approx(highs.objective, abs=1e-6)     # CBC prints 8 significant digits


@EXAMPLES
@given(case=models(), where=st.sampled_from([0.25, 0.75]))
def test_shadow_prices_agree_with_a_finite_difference_inside_their_range(case, where):
    """Given the chosen moves, moving a priced row's right-hand side to a point inside its reported range changes
    the score by exactly price x shift (the LP re-solved from scratch); the range is cut to +-1 around the rhs."""
    model, preset, floor = case
    plan = plan_or_none(model, preset, floor, price=True)
    assume(plan is not None)
    chosen = model.preset(preset) if preset else None
    fixed = {m: float(v) for m, v in plan.moves.items()}
    built = build_program(model, RESULT, setting(model, chosen, floor), chosen, fixed_moves=fixed)
    priced = plan.constraints[np.isfinite(plan.constraints["valid_from"]) & (plan.constraints["shadow_price"] != 0)]
    assume(len(priced))
    for name, row in priced.iterrows():
        lo, hi = max(row.valid_from, row.rhs - 1), min(row.valid_to, row.rhs + 1)
        to = lo + where * (hi - lo)
        i = built.program.rows.index(name)
        lower, upper = list(built.program.row_lower), list(built.program.row_upper)
        if np.isfinite(lower[i]):
            lower[i] = to
        if np.isfinite(upper[i]):
            upper[i] = to
        moved = solve_program(replace(built.program, row_lower=lower, row_upper=upper))
        assert moved.optimal, name
        assert moved.objective - plan.objective == pytest.approx(row.shadow_price * (to - row.rhs), abs=1e-8), name


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=models(), where=st.sampled_from([0.1, 0.5, 0.9]))
def test_the_margin_floor_price_holds_inside_its_range(case, where):
    """Given the chosen moves, at a floor inside the reported range the score's slope (a central difference of
    LPs solved from scratch) is within 10% of the reported price; at the floor itself it equals the price."""
    model, preset, floor = case
    plan = plan_or_none(model, preset, floor, price=True)
    assume(plan is not None and plan.floor_price_range_pct is not None)
    lo, hi = plan.floor_price_range_pct
    chosen = model.preset(preset) if preset else None
    fixed = {m: float(v) for m, v in plan.moves.items()}

    def score_at(f):
        answer = solve_program(build_program(model, RESULT, setting(model, chosen, f), chosen,
                                             fixed_moves=fixed).program)
        assert answer.optimal
        return answer.objective

    def slope(f, h=2.5e-4):
        return (score_at(f + h) - score_at(f - h)) / (2 * h)

    assert slope(floor) == pytest.approx(plan.floor_price, rel=1e-3, abs=1e-6)
    lo, hi = max(lo, floor - 2), min(hi, floor + 2)
    inside = lo + where * (hi - lo)
    assert abs(slope(inside) - plan.floor_price) <= 0.1 * abs(plan.floor_price) + 1e-6 + 1e-9, inside


# --- brute force over a fine grid -------------------------------------------------------------------------------------


@pytest.mark.parametrize("preset", PRESETS)
def test_a_fine_grid_over_two_lines_never_beats_the_optimum_and_comes_within_its_step(preset):
    """One quarter ahead, every combination of moves, the revenue of the public and AI lines on a 201 x 201 grid
    and the other lines held at the optimum's revenue: every grid point that satisfies the constraints (checked by
    hand, no solver) is scored by the engine. None beats the solver's optimum, and the best comes within what one
    grid step can cost. (TOL: the solver's feasibility tolerance, which the held revenues carry.)"""
    model = replace(MODEL, horizon_quarters=1)
    chosen = model.preset(preset) if preset else None
    plan = solve_mix(model, RESULT, chosen, None, price=False)
    s = setting(model, chosen, None)
    held = plan.mix.set_index("line").loc[s.lines, "revenue_rmb_bn"].to_numpy()
    a, b = s.lines.index("public"), s.lines.index("ai")
    ub = s.base * (1 + np.nan_to_num(s.growth)) + 0.5 * s.base          # loosest caps, and then some
    grid_a, grid_b = np.linspace(0, ub[a], 201), np.linspace(0, ub[b], 201)
    focal = list(RESULT.matrix.values.index).index(model.vendor)
    best = -np.inf
    for combo in itertools.product([False, True], repeat=len(s.moves)):
        moves = dict(zip(s.moves, combo, strict=True))
        on = {m for m, v in moves.items() if v}
        if chosen and any(moves[m] != v for m, v in chosen.force.items()):
            continue
        if any(set(model.move(m).requires) - on or set(model.move(m).excludes) & on for m in on):
            continue
        if sum(model.move(m).capex_rmb_bn.value for m in on) > s.capex_budget:
            continue
        r = np.repeat(held[None, :], grid_a.size * grid_b.size, axis=0)
        r[:, a] = np.repeat(grid_a, grid_b.size)
        r[:, b] = np.tile(grid_b, grid_a.size)
        ok = np.ones(len(r), bool)
        for i, line in enumerate(s.lines):
            closed = any(line in model.move(m).closes_lines for m in on)
            openers = [m.id for m in model.moves if line in m.opens_lines]
            if closed or (openers and not set(openers) & on):
                ok &= r[:, i] <= 0
                continue
            spec = model.line(line)
            if spec.growth_cap is not None:
                extra = sum(model.move(m).raises_growth_cap[line].value / 100 * s.base[i]
                            for m in on if line in model.move(m).raises_growth_cap)
                ok &= r[:, i] <= s.base[i] * (1 + spec.growth_cap.value / 100) + extra + TOL
            else:
                ok &= r[:, i] <= spec.growth_cap_rmb_bn.value + TOL
            if s.base[i] > 0:
                ok &= r[:, i] >= s.adjustment_floor * s.base[i] - TOL
        capacity = s.capacity + sum(model.move(m).raises_capacity_kgpu.value for m in on
                                    if model.move(m).raises_capacity_kgpu)
        ok &= r @ s.compute <= capacity + TOL
        ok &= r @ s.headcount <= s.headcount_budget + TOL
        ok &= r @ s.margin - sum(model.move(m).fixed_cost_rmb_bn.value for m in on) >= s.margin_floor * r.sum(1) - TOL
        ok &= r[:, s.government].sum(1) >= s.min_government * r.sum(1) - TOL
        if not ok.any():
            continue
        values = [projected_values(model, RESULT, s, x, moves) for x in r[ok]]
        best = max(best, float(engine_scores(RESULT, values)[:, focal].max()))
    assert best <= plan.score + 1e-9
    # one grid step in each of the two lines moves the score by at most this much (the score is linear in them)
    step = ub[a] / 200 + ub[b] / 200
    slope = max(abs(c) for c in build_program(model, RESULT, s, chosen).score_terms.values())
    assert best >= plan.score - 4 * step * slope
