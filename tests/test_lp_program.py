"""The contract of :func:`scoring.lp.solve_program` (matrix-form programs): the same answers as the same model
through PuLP, duals whose right-hand-side ranges hold across the whole range, irreducible infeasible subsets that
are infeasible and irreducible when re-solved without trusting the solver's claim, and binary programs solved
alike by enumeration, HiGHS's branch and bound, CBC and brute force.

The random LPs are test_lp.py's (feasible and bounded by construction, data in multiples of 1/16).
"""

from __future__ import annotations

from unittest import mock

import numpy as np
import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st
from test_lp import LP, binary_programs, lps

from scoring import lp as lp_module
from scoring.lp import INF, Program, solve, solve_program

EXAMPLES = 25


def program_of(lp: LP, sense: str = "max") -> Program:
    """test_lp's LP as a Program: the same rows (named r0..), bounds and objective."""
    p = Program("random", maximize=sense == "max")
    cols = [p.add_column(f"x{j}", 0.0, INF if u is None else float(u), binary=lp.cat == "Integer")
            for j, u in enumerate(lp.upper)]
    for name, a, op, b in zip(lp.names(), lp.rows, lp.senses, lp.rhs, strict=True):
        terms = dict(zip(cols, map(float, a), strict=True))
        p.add_row(name, terms, *((-INF, b) if op == "<=" else (b, INF)))
    p.set_cost(dict(zip(cols, map(float, lp.c), strict=True)))
    return p


def shifted(p: Program, row: int, to: float) -> Program:
    """The program with row ``row``'s finite bound moved to ``to``."""
    from dataclasses import replace
    lower, upper = list(p.row_lower), list(p.row_upper)
    if np.isfinite(lower[row]):
        lower[row] = to
    else:
        upper[row] = to
    return replace(p, row_lower=lower, row_upper=upper)


def bound_of(p: Program, row: int) -> float:
    return p.row_lower[row] if np.isfinite(p.row_lower[row]) else p.row_upper[row]


# --- the same answers as through PuLP ---------------------------------------------------------------------------


@pytest.mark.parametrize("solver", ["highs", "cbc"])
@pytest.mark.parametrize("sense", ["max", "min"])
@settings(max_examples=EXAMPLES)
@given(lp=st.one_of(lps(), lps(box=False)))
def test_a_program_has_the_optimum_and_duals_of_the_same_model_through_pulp(lp: LP, sense: str, solver: str):
    through_pulp = solve(lp.build(sense), solver=solver)
    answer = solve_program(program_of(lp, sense), solver=solver)
    assert answer.status == through_pulp.status == "optimal"
    assert answer.objective == pytest.approx(through_pulp.objective, abs=1e-6)
    assert program_of(lp, sense).violations([answer.values[f"x{j}"] for j in range(len(lp.c))]) == []
    if solver == "highs":       # the same solver on the same LP: the same vertex, so the same duals
        assert answer.duals == pytest.approx(through_pulp.duals, abs=1e-7)


def test_statuses_of_an_infeasible_and_an_unbounded_program_and_no_numbers_with_them():
    p = Program("infeasible")
    x = p.add_column("x", 0, 1, cost=1)
    p.add_row("too_much", {x: 1}, lower=2)
    q = Program("unbounded")
    y = q.add_column("y", 0, None, cost=1)
    q.add_row("floor", {y: 1}, lower=1)
    for solver in ("highs", "cbc"):
        for program, status in ((p, "infeasible"), (q, "unbounded")):
            answer = solve_program(program, solver=solver)
            assert (answer.status, answer.objective, answer.values, answer.duals) == (status, None, {}, {})


def test_an_unknown_solver_is_refused_with_the_choices():
    with pytest.raises(ValueError, match=r"unknown solver 'glpk'; choose one of \['cbc', 'highs'\]"):
        solve_program(Program(), solver="glpk")


# --- ranging -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("sense", ["max", "min"])
@settings(max_examples=2 * EXAMPLES)
@given(lp=lps())
def test_a_dual_holds_across_its_whole_range_and_the_objective_is_linear_there(lp: LP, sense: str):
    """For each priced row: moving its bound to points inside the reported range (a quarter and three quarters of
    the way, the range cut to +-4 around the bound where it is unbounded) changes the optimum by exactly
    dual x shift, re-solved from scratch."""
    p = program_of(lp, sense)
    base = solve_program(p, ranging=True)
    assert base.optimal
    checked = 0
    for i, name in enumerate(p.rows):
        if name not in base.ranges:
            continue
        b = bound_of(p, i)
        lo, hi = base.ranges[name]
        assert lo <= b + 1e-9 and b <= hi + 1e-9, (name, lo, b, hi)
        lo, hi = max(lo, b - 4), min(hi, b + 4)
        for to in (lo + 0.25 * (hi - lo), lo + 0.75 * (hi - lo)):
            moved = solve_program(shifted(p, i, to))
            assert moved.optimal
            assert moved.objective - base.objective == pytest.approx(base.duals[name] * (to - b), abs=1e-7), name
            checked += 1
    assume(checked > 0)


def test_ranging_on_the_hand_worked_capacity_model():
    """max 3x + 2y, x <= 3, x + y <= capacity: each unit of capacity buys a y (+2) as long as capacity >= 3;
    below 3, x itself is cut and a unit is worth 3."""
    p = Program()
    x, y = p.add_column("x", 0, 3, cost=3), p.add_column("y", 0, cost=2)
    p.add_row("capacity", {x: 1, y: 1}, upper=4)
    answer = solve_program(p, ranging=True)
    assert answer.duals["capacity"] == 2.0 and answer.ranges["capacity"] == (3.0, INF)
    assert solve_program(shifted(p, 0, 2.0), ranging=True).duals["capacity"] == 3.0


def test_cbc_gives_prices_without_ranges():
    p = Program()
    x = p.add_column("x", 0, None, cost=1)
    p.add_row("cap", {x: 1}, upper=2)
    answer = solve_program(p, solver="cbc", ranging=True)
    assert answer.duals == {"cap": 1.0} and answer.ranges == {}


# --- irreducible infeasible subsets --------------------------------------------------------------------------------


@st.composite
def infeasible_lps(draw) -> LP:
    """A feasible LP plus one ``>=`` row that cuts it off: the row asks more than the box allows together with a
    ``<=`` row on the same columns."""
    lp = draw(lps())
    a = lp.rows[0]
    # rows[0] is a '<=' row: a.x <= rhs0; ask a.x >= rhs0 + 1/2, which contradicts it
    return LP(lp.c, (*lp.rows, a), (*lp.senses, ">="), (*lp.rhs, lp.rhs[0] + 0.5), lp.upper)


def _sub_program(p: Program, rows: set[str], columns: set[str]) -> Program:
    """Only the named rows; columns keep their bounds only where named (the others are free)."""
    q = Program("sub", maximize=p.maximize)
    cols = [q.add_column(c, lo if c in columns else None, hi if c in columns else None)
            for c, lo, hi in zip(p.columns, p.col_lower, p.col_upper, strict=True)]
    for i, name in enumerate(p.rows):
        if name in rows:
            q.add_row(name, {cols[j]: a for r, j, a in p.entries if r == i}, p.row_lower[i], p.row_upper[i])
    return q


@settings(max_examples=2 * EXAMPLES)
@given(lp=infeasible_lps())
def test_an_iis_is_infeasible_and_every_row_of_it_is_needed(lp: LP):
    p = program_of(lp)
    answer = solve_program(p, iis=True)
    assert answer.status == "infeasible" and answer.iis
    rows = {n for n in answer.iis if " of " not in n}
    columns = {n.split(" of ", 1)[1] for n in answer.iis if " of " in n}
    assert rows <= set(p.rows) and columns <= set(p.columns)
    assert solve_program(_sub_program(p, rows, columns)).status == "infeasible"
    for dropped in rows:
        assert solve_program(_sub_program(p, rows - {dropped}, columns)).status in ("optimal", "unbounded"), dropped
    for dropped in columns:
        assert solve_program(_sub_program(p, rows, columns - {dropped})).status in ("optimal", "unbounded"), dropped


# --- binary programs ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("sense", ["max", "min"])
@settings(max_examples=2 * EXAMPLES)
@given(lp=binary_programs(), continuous=st.integers(0, 2))
# CBC's preprocessing called this one infeasible (the optimum is -4 in the min sense): see lp._cbc
@example(lp=LP(c=(0, 0, -1, 0), rows=((0, 0, -3, 0), (0, 0, 0, 1)), senses=("<=", "<="), rhs=(0.0, 0.0),
               upper=(1, 1, 1, 1), cat="Integer"), continuous=2)
def test_enumeration_branch_and_bound_cbc_and_brute_force_agree_on_binary_programs(lp: LP, sense: str,
                                                                                  continuous: int):
    """A 0-1 program, with up to two continuous columns in [0, 1] added to its first row (so the LPs behind the
    enumeration are real LPs): HiGHS enumerating the binaries, HiGHS's branch and bound and CBC reach the optimum
    that brute force over every binary point and a fine grid of the continuous ones finds."""
    p = program_of(lp, sense)
    extra = [p.add_column(f"c{k}", 0.0, 1.0, cost=(k + 1) * (1 if sense == "max" else -1)) for k in range(continuous)]
    for j in extra:
        p.entries.append((0, j, 1.0))            # into the first row, after the other rows' entries
    enumerated = solve_program(p)
    with mock.patch.object(lp_module, "ENUMERATE_MAX_BINARIES", 0):
        branched = solve_program(p)
    by_cbc = solve_program(p, solver="cbc")
    grid = np.linspace(0, 1, 17)                                   # multiples of 1/16: the data's own grid
    axes = [np.array([0.0, 1.0])] * len(lp.c) + [grid] * continuous
    points = np.stack(np.meshgrid(*axes, indexing="ij"), axis=-1).reshape(-1, len(axes))
    act = points @ p.matrix().T
    ok = np.all((act <= np.asarray(p.row_upper) + 1e-9) & (act >= np.asarray(p.row_lower) - 1e-9), axis=1)
    values = points[ok] @ np.asarray(p.cost)
    best = values.max() if sense == "max" else values.min()
    assert enumerated.status == branched.status == by_cbc.status == "optimal"
    for answer in (enumerated, branched, by_cbc):
        assert answer.objective == pytest.approx(best, abs=1e-6)
        assert p.violations([answer.values[c] for c in p.columns]) == []


def test_among_equal_optima_the_enumeration_keeps_the_fewest_binaries_on():
    """Two binaries that add nothing: the optimum leaves both off."""
    p = Program()
    x = p.add_column("x", 0, 1, cost=1)
    y1, y2 = p.add_column("y1", binary=True), p.add_column("y2", binary=True)
    p.add_row("link", {x: 1, y1: -1, y2: -1}, upper=1)
    assert solve_program(p).values == {"x": 1.0, "y1": 0.0, "y2": 0.0}


def test_an_infeasible_relaxation_ends_the_enumeration_at_once():
    """The relaxation is solved first: when it is infeasible no assignment is tried."""
    p = Program()
    x = p.add_column("x", 0, 1, cost=1)
    ys = [p.add_column(f"y{k}", binary=True) for k in range(6)]
    p.add_row("impossible", {x: 1, **{y: 1 for y in ys}}, lower=10)
    runs = []
    real = lp_module._highs_status

    def counting(h, mip):
        runs.append(1)
        return real(h, mip)

    with mock.patch.object(lp_module, "_highs_status", counting):
        assert solve_program(p).status == "infeasible"
    assert len(runs) == 1
