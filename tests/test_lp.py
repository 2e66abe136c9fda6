"""The contract of :func:`scoring.lp.solve`, checked against computations that do not trust the reported numbers.

Duals are checked against finite differences of re-solved objectives and against strong duality; objectives
against the other solver and, for small binary programs, against enumeration; slacks against the activities
recomputed from the returned values. Every check runs for both solvers (HiGHS in-process, the CBC binary PuLP
bundles) and, where the sense matters, for both senses. The traps behind each test are in methods.md §1.3-1.9.

Random LPs are built so that they are feasible and bounded by construction: every row admits a drawn point
``x0``, with room to spare, and the variables lie in a box (or, for the strong-duality test, under a budget row
with positive coefficients). Their data are multiples of 1/16, so they are exact in binary, and the values stay
below 1 in magnitude because CBC's solution file carries 8 significant digits (methods.md §1.4), which would
otherwise blur a 1e-6 comparison. CBC starts a process per solve (~3 ms), so the property tests cap their
examples to keep this file near ten seconds.
"""

from __future__ import annotations

import itertools
import re
import subprocess
import sys
import textwrap
from dataclasses import dataclass, replace

import numpy as np
import pulp
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from scoring.lp import SOLVERS, _status, solve

SENSES = {"max": pulp.LpMaximize, "min": pulp.LpMinimize}
each_solver = pytest.mark.parametrize("solver", sorted(SOLVERS))
each_sense = pytest.mark.parametrize("sense", sorted(SENSES))

H = 1 / 32           # finite-difference step on a right-hand side; every row admits x0 with a margin >= 1/8 > H
TOL = 1e-5           # finite differences: CBC's 8-digit values (error <= 5e-9 each) over 2H bound the error to ~5e-6
EXAMPLES = 25        # per (solver, sense) pair; each example is up to 13 solves
CBC_DIGITS = 5e-8    # CBC's solution file prints each number to 8 significant digits: relative error <= 5e-8


@dataclass(frozen=True)
class LP:
    """``sense c·x`` subject to ``rows[i]·x (senses[i]) rhs[i]`` and ``0 <= x_j <= upper[j]`` (None: no bound)."""

    c: tuple[float, ...]
    rows: tuple[tuple[float, ...], ...]
    senses: tuple[str, ...]
    rhs: tuple[float, ...]
    upper: tuple[float | None, ...]
    cat: str = "Continuous"

    def names(self) -> list[str]:
        return [f"r{i}" for i in range(len(self.rows))]

    def build(self, sense: str) -> pulp.LpProblem:
        prob = pulp.LpProblem("random_lp", SENSES[sense])
        x = [prob.add_variable(f"x{j}", 0, u, cat=self.cat) for j, u in enumerate(self.upper)]
        prob += pulp.lpSum(cj * xj for cj, xj in zip(self.c, x, strict=True))
        for name, a, op, b in zip(self.names(), self.rows, self.senses, self.rhs, strict=True):
            expr = pulp.lpSum(aj * xj for aj, xj in zip(a, x, strict=True))
            prob += (expr <= b if op == "<=" else expr >= b, name)
        return prob

    def shifted(self, row: int, by: float) -> LP:
        return replace(self, rhs=tuple(b + by * (i == row) for i, b in enumerate(self.rhs)))

    def activity(self, row: int, values: dict[str, float]) -> float:
        # A variable in no row and not in the objective is unknown to the PuLP 3.3 model, so it has no value.
        return sum(a * values[f"x{j}"] for j, a in enumerate(self.rows[row]) if a)

    def objective(self, x) -> float:
        return float(np.dot(self.c, x))

    def feasible(self, x) -> bool:
        return all((np.dot(a, x) <= b) if op == "<=" else (np.dot(a, x) >= b)
                   for a, op, b in zip(self.rows, self.senses, self.rhs, strict=True))


def _row(draw, n: int, low: int = -3, high: int = 3) -> tuple[int, ...]:
    return tuple(draw(st.lists(st.integers(low, high), min_size=n, max_size=n).filter(any)))


@st.composite
def lps(draw, *, box: bool = True) -> LP:
    """Feasible, bounded LPs: 2-6 variables, 1-3 ``<=`` and 0-3 ``>=`` rows that all admit a point x0 in [0, 1]^n.

    ``box=True``: each variable has an upper bound in {1/4, 1/2, 3/4, 1}. ``box=False``: no upper bounds, and the
    first row is a budget ``<=`` row with positive coefficients, which bounds the feasible set."""
    n = draw(st.integers(2, 6))
    upper = tuple(draw(st.sampled_from([0.25, 0.5, 0.75, 1.0])) for _ in range(n)) if box else (None,) * n
    x0 = [(u if u is not None else 1.0) * draw(st.integers(0, 4)) / 4 for u in upper]
    senses = ["<="] * draw(st.integers(1, 3)) + [">="] * draw(st.integers(0, 3))
    rows = [_row(draw, n, 1, 3) if i == 0 and not box else _row(draw, n) for i in range(len(senses))]
    margins = [draw(st.sampled_from([0.125, 0.25, 0.5, 1.0])) for _ in senses]
    rhs = tuple(float(np.dot(a, x0)) + (m if op == "<=" else -m)
                for a, op, m in zip(rows, senses, margins, strict=True))
    c = tuple(draw(st.lists(st.integers(-5, 5), min_size=n, max_size=n)))
    return LP(c, tuple(rows), tuple(senses), rhs, upper)


@st.composite
def binary_programs(draw) -> LP:
    """Feasible 0-1 programs small enough to enumerate: 2-8 binaries, 1-3 ``<=`` rows admitting a drawn x0."""
    n = draw(st.integers(2, 8))
    x0 = draw(st.lists(st.integers(0, 1), min_size=n, max_size=n))
    rows = [_row(draw, n, -5, 5) for _ in range(draw(st.integers(1, 3)))]
    rhs = tuple(float(np.dot(a, x0) + draw(st.integers(0, 3))) for a in rows)
    c = tuple(draw(st.lists(st.integers(-10, 10), min_size=n, max_size=n)))
    return LP(c, tuple(rows), ("<=",) * len(rows), rhs, (1,) * n, cat="Integer")


def optimum(lp: LP, sense: str, solver: str) -> float:
    answer = solve(lp.build(sense), solver=solver)
    assert answer.status == "optimal"    # feasible and bounded by construction
    return answer.objective


# --- 1. duals are d objective / d rhs ------------------------------------------------------------------------------


@each_solver
@each_sense
@settings(max_examples=EXAMPLES)
@given(lp=lps())
def test_each_dual_equals_the_central_difference_of_the_optimum_in_its_rhs(lp: LP, sense: str, solver: str) -> None:
    """Re-solve with rhs +- H: where the two one-sided slopes agree, the optimum is differentiable in that rhs and
    the (then unique) dual must equal the slope. Where they disagree the rhs sits on a kink, any dual between the
    slopes is valid, and the row is not checked."""
    base = solve(lp.build(sense), solver=solver)
    assert base.status == "optimal"
    checked = 0
    for i, name in enumerate(lp.names()):
        up, down = optimum(lp.shifted(i, H), sense, solver), optimum(lp.shifted(i, -H), sense, solver)
        forward, backward = (up - base.objective) / H, (base.objective - down) / H
        if abs(forward - backward) > TOL:
            continue
        assert base.duals[name] == pytest.approx((up - down) / (2 * H), abs=TOL), name
        checked += 1
    assume(checked > 0)


@each_solver
def test_hand_worked_duals_have_the_sign_of_d_objective_d_rhs_in_both_senses(solver: str) -> None:
    """The models of methods.md §1.4, where HiGHS and CBC disagree in sign under maximisation.

    max 3x + 2y, x + y <= 4, x <= 3: x = 3, y = 1; one more unit of capacity buys one more y, worth +2.
    min 2x + 3y, x + y >= 5, x <= 3: x = 3, y = 2; one more unit of demand needs one more y, costing +3; written as
    max -2x - 3y the same unit lowers the objective by 3."""
    prob = pulp.LpProblem("cap", pulp.LpMaximize)
    x, y = prob.add_variable("x", 0, 3), prob.add_variable("y", 0)
    prob += 3 * x + 2 * y
    prob += (x + y <= 4, "capacity")
    prob += (x + 3 * y >= 2, "floor")        # activity 6: not binding, dual 0
    assert solve(prob, solver=solver).duals == pytest.approx({"capacity": 2.0, "floor": 0.0})
    for sense, sign in ((pulp.LpMinimize, 1), (pulp.LpMaximize, -1)):
        prob = pulp.LpProblem("demand", sense)
        x, y = prob.add_variable("x", 0, 3), prob.add_variable("y", 0)
        prob += sign * (2 * x + 3 * y)
        prob += (x + y >= 5, "demand")
        assert solve(prob, solver=solver).duals == pytest.approx({"demand": sign * 3.0})


# --- 2. strong duality ---------------------------------------------------------------------------------------------


@each_solver
@each_sense
@settings(max_examples=2 * EXAMPLES)
@given(lp=lps(box=False))
def test_rhs_dot_duals_equals_the_objective_when_only_rows_constrain_nonnegative_variables(
        lp: LP, sense: str, solver: str) -> None:
    """With x >= 0 and no other bound, a bound's dual times its bound (0) adds nothing, so b·y = c·x*.

    Within 1e-6, plus for CBC the rounding of its printed duals and values (a dual of 10.333333 times a rhs of 3
    is already 1e-6 off): 5e-8 of each term of b·y and of c·x."""
    answer = solve(lp.build(sense), solver=solver)
    assert answer.status == "optimal"
    terms = [b * answer.duals[name] for name, b in zip(lp.names(), lp.rhs, strict=True)]
    printed = terms + [cj * answer.values.get(f"x{j}", 0.0) for j, cj in enumerate(lp.c)]
    rounding = CBC_DIGITS * sum(map(abs, printed)) if solver == "cbc" else 0.0
    assert sum(terms) == pytest.approx(answer.objective, abs=1e-6 + rounding)


# --- 3. the two solvers agree --------------------------------------------------------------------------------------


@each_sense
@settings(max_examples=2 * EXAMPLES)
@given(lp=st.one_of(lps(), lps(box=False)))
def test_highs_and_cbc_reach_the_same_optimum_on_random_lps(lp: LP, sense: str) -> None:
    assert optimum(lp, sense, "highs") == pytest.approx(optimum(lp, sense, "cbc"), abs=1e-6)


@each_sense
@settings(max_examples=2 * EXAMPLES)
@given(lp=binary_programs())
def test_highs_cbc_and_enumeration_reach_the_same_optimum_on_small_binary_programs(lp: LP, sense: str) -> None:
    points = [x for x in itertools.product((0, 1), repeat=len(lp.c)) if lp.feasible(x)]
    best = (max if sense == "max" else min)(lp.objective(x) for x in points)
    assert optimum(lp, sense, "highs") == pytest.approx(best, abs=1e-6)
    assert optimum(lp, sense, "cbc") == pytest.approx(best, abs=1e-6)


def knapsack(seed: int, *, items: int, rows: int, base_value: int = 0) -> pulp.LpProblem:
    """A seeded multi-dimensional 0-1 knapsack: weights 20-99, each capacity half the row's total weight."""
    rng = np.random.default_rng(seed)
    weight = rng.integers(20, 100, size=(rows, items))
    value = base_value + rng.integers(20, 100, size=items) + weight.mean(axis=0).astype(int)
    prob = pulp.LpProblem("knapsack", pulp.LpMaximize)
    x = [prob.add_variable(f"x{j}", cat="Binary") for j in range(items)]
    prob += pulp.lpSum(int(value[j]) * x[j] for j in range(items))
    for i in range(rows):
        prob += (pulp.lpSum(int(weight[i, j]) * x[j] for j in range(items)) <= int(weight[i].sum() // 2), f"cap{i}")
    return prob


@pytest.mark.parametrize("seed", [0, 1])
def test_highs_calls_a_binary_program_optimal_only_when_cbc_finds_nothing_better(seed: int) -> None:
    """Values near 10^6 that differ by < 100: HiGHS's default 1e-4 relative MIP gap stopped 31 (seed 0) and 124
    (seed 1) below CBC's optimum and still said "optimal"; a proven optimum must agree with the other solver."""
    highs = solve(knapsack(seed, items=30, rows=3, base_value=10**6), solver="highs")
    cbc = solve(knapsack(seed, items=30, rows=3, base_value=10**6), solver="cbc")
    assert (highs.status, cbc.status) == ("optimal", "optimal")
    assert highs.objective == pytest.approx(cbc.objective, abs=1e-6)


# --- 4. slacks -----------------------------------------------------------------------------------------------------


@each_solver
@each_sense
@settings(max_examples=2 * EXAMPLES)
@given(lp=lps())
def test_slacks_are_the_feasible_distance_to_each_rhs_and_zero_where_the_dual_is_not(
        lp: LP, sense: str, solver: str) -> None:
    """Slack = rhs - activity for <=, activity - rhs for >=, from the returned values; >= 0 because the point is
    feasible; and, by complementary slackness, 0 on every row with a nonzero dual (a binding row)."""
    answer = solve(lp.build(sense), solver=solver)
    assert answer.status == "optimal"
    for i, (name, op, b) in enumerate(zip(lp.names(), lp.senses, lp.rhs, strict=True)):
        distance = b - lp.activity(i, answer.values) if op == "<=" else lp.activity(i, answer.values) - b
        assert answer.slacks[name] == pytest.approx(distance, abs=1e-9), name
        assert distance >= -1e-7, name
        if abs(answer.duals[name]) > 1e-6:
            assert answer.slacks[name] == pytest.approx(0.0, abs=1e-6), name


# --- 5. failures: statuses, and no numbers left anywhere -----------------------------------------------------------


def contradiction(prob: pulp.LpProblem, kind: str) -> None:
    """Make ``prob`` (variables x, y >= 0) infeasible in the way ``kind`` names."""
    x, y = prob.variablesDict()["x"], prob.variablesDict()["y"]
    if kind == "lp":                      # two rows that no point meets
        prob += (x + y >= 12, "too_much")
    elif kind == "milp":                  # LP relaxation feasible (x + y = 1.5); no integer point
        prob += (2 * x + 2 * y == 3, "odd")
    else:                                 # no point, and an objective that grows without bound along z
        z = prob.add_variable("z", 0)
        prob.setObjective(prob.objective + z)
        prob += (x + y <= -1, "negative")


@each_solver
@pytest.mark.parametrize("kind", ["lp", "milp", "lp with an unbounded direction"])
def test_an_infeasible_model_reports_infeasible_and_leaves_no_numbers_behind(solver: str, kind: str) -> None:
    """The model was solved before (so its variables held values), and another model's answer must survive."""
    other = pulp.LpProblem("other", pulp.LpMinimize)
    w = other.add_variable("w", 1, 5)
    other += w
    other_answer = solve(other, solver=solver)

    cat = "Integer" if kind == "milp" else "Continuous"
    prob = pulp.LpProblem("model", pulp.LpMaximize)
    x, y = prob.add_variable("x", 0, cat=cat), prob.add_variable("y", 0, cat=cat)
    prob += x + y
    prob += (x + y <= 10, "budget")
    before = solve(prob, solver=solver)
    assert before.status == "optimal" and x.value() is not None
    contradiction(prob, kind)

    answer = solve(prob, solver=solver)
    assert (answer.status, answer.objective, answer.values, answer.duals, answer.slacks) == (
        "infeasible", None, {}, {}, {})
    assert [v.value() for v in prob.variables()] == [None] * len(prob.variables())
    assert before.values["x"] + before.values["y"] == pytest.approx(10.0)       # earlier answers are untouched
    assert other_answer.values == pytest.approx({"w": 1.0}) and w.value() == pytest.approx(1.0)


@each_solver
@each_sense
@pytest.mark.parametrize("cat", ["Continuous", "Integer"])
def test_an_unbounded_model_reports_unbounded_with_no_values(solver: str, sense: str, cat: str) -> None:
    """x = y = t is feasible for every t >= 0 and moves the objective by 2t in the model's own direction.
    (HiGHS says "unbounded or infeasible" for the integer case, which PuLP passes on as Infeasible.)"""
    prob = pulp.LpProblem("unbounded", SENSES[sense])
    x, y = prob.add_variable("x", 0, cat=cat), prob.add_variable("y", 0, cat=cat)
    prob += (x + y) if sense == "max" else (-x - y)
    prob += (x - y <= 1, "gap")
    answer = solve(prob, solver=solver)
    assert (answer.status, answer.objective, answer.values, answer.duals) == ("unbounded", None, {}, {})
    assert x.value() is None and y.value() is None


# --- 6. no duals for a model with integers -------------------------------------------------------------------------


@each_solver
def test_a_model_with_integers_returns_no_duals_while_its_relaxation_does(solver: str) -> None:
    """HiGHS gives zeros and CBC the duals of its last LP (methods.md §1.4): neither is a shadow price of the MILP."""
    def model(cat: str) -> pulp.LpProblem:
        prob = pulp.LpProblem("mix", pulp.LpMaximize)
        x, y, b = prob.add_variable("x", 0, 4), prob.add_variable("y", 0), prob.add_variable("b", cat=cat)
        prob += 3 * x + 2 * y - b
        prob += (x + y <= 5 + 2 * b, "capacity")
        prob += (y <= 3, "y_cap")
        return prob

    milp, lp = solve(model("Binary"), solver=solver), solve(model("Continuous"), solver=solver)
    assert milp.status == "optimal" and milp.duals == {}
    assert set(milp.slacks) == {"capacity", "y_cap"}
    assert set(lp.duals) == {"capacity", "y_cap"} and lp.duals["capacity"] != 0


# --- 7. a time limit is not an optimum -----------------------------------------------------------------------------


@each_solver
def test_a_run_stopped_by_its_time_limit_is_not_reported_optimal(solver: str) -> None:
    """80 binaries, 5 rows: HiGHS needs ~1 s to prove the optimum, 100x the limit."""
    prob = knapsack(0, items=80, rows=5)
    answer = solve(prob, solver=solver, time_limit_s=0.01)
    assert answer.status in {"limit", "not solved"}
    assert (answer.objective, answer.values, answer.duals, answer.slacks) == (None, {}, {}, {})
    assert all(v.value() is None for v in prob.variables())


@pytest.mark.parametrize(("status", "sol_status", "expected"), [
    (1, 1, "optimal"),           # proven optimum
    (1, 2, "limit"),             # PuLP's "Optimal" for a time-limited HiGHS run with an incumbent
    (-1, -1, "infeasible"), (-1, 0, "infeasible"),
    (-2, -2, "unbounded"), (-2, 0, "unbounded"),
    (0, 0, "not solved"), (0, 2, "not solved"), (-3, 0, "not solved"),
])
def test_only_a_proven_optimum_maps_to_optimal(status: int, sol_status: int, expected: str) -> None:
    assert _status(status, sol_status) == expected


# --- 8. silence ----------------------------------------------------------------------------------------------------


def example() -> pulp.LpProblem:
    """The module docstring's model: max 3x + 2y, x <= 3, x + y <= 4."""
    prob = pulp.LpProblem("example", pulp.LpMaximize)
    x, y = prob.add_variable("x", 0, 3), prob.add_variable("y", 0)
    prob += 3 * x + 2 * y
    prob += (x + y <= 4, "capacity")
    return prob


@each_solver
def test_a_first_solve_in_a_fresh_process_prints_nothing_at_all(solver: str) -> None:
    """highspy 1.16 prints its banner to fd 1 on the first model of a process, so only a fresh process shows it."""
    code = textwrap.dedent(f"""\
        import pulp
        from scoring.lp import solve
        prob = pulp.LpProblem("example", pulp.LpMaximize)
        x, y = prob.add_variable("x", 0, 3), prob.add_variable("y", 0)
        prob += 3 * x + 2 * y
        prob += (x + y <= 4, "capacity")
        answer = solve(prob, solver={solver!r})
        assert answer.status == "optimal", answer
        """)
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=60)
    assert (run.returncode, run.stdout, run.stderr) == (0, b"", b"")


@each_solver
def test_a_solve_adds_nothing_to_the_output_around_it(solver: str, capfd: pytest.CaptureFixture[str]) -> None:
    print("before")
    assert solve(example(), solver=solver).status == "optimal"
    print("after", file=sys.stderr)
    assert capfd.readouterr() == ("before\n", "after\n")


# --- 9. errors -----------------------------------------------------------------------------------------------------


def test_an_unknown_solver_is_refused_with_the_choices() -> None:
    prob = pulp.LpProblem("any", pulp.LpMinimize)
    prob += prob.add_variable("x", 0)
    with pytest.raises(ValueError, match=re.escape("unknown solver 'gurobi'; choose one of ['cbc', 'highs']")):
        solve(prob, solver="gurobi")


@each_solver
def test_the_documented_example_is_solved_as_worked_by_hand(solver: str) -> None:
    """x takes its bound (3 per unit beats 2), y the rest of the capacity: 3*3 + 2*1; the capacity row binds."""
    answer = solve(example(), solver=solver)
    assert (answer.status, answer.solver) == ("optimal", solver)
    assert answer.objective == pytest.approx(11.0)
    assert answer.values == pytest.approx({"x": 3.0, "y": 1.0})
    assert answer.slacks == pytest.approx({"capacity": 0.0})


@each_solver
def test_a_feasibility_model_with_a_constant_objective_returns_only_its_own_variables(solver: str) -> None:
    """PuLP adds a fixed ``__dummy`` column to a constant objective and CBC never reports its value."""
    prob = pulp.LpProblem("feasibility", pulp.LpMinimize)
    x, y = prob.add_variable("x", 0, 1), prob.add_variable("y", 0, 1)
    prob += 0 * x
    prob += (x + y >= 1.5, "enough")
    answer = solve(prob, solver=solver)
    assert (answer.status, answer.objective, set(answer.values)) == ("optimal", 0.0, {"x", "y"})
    assert answer.values["x"] + answer.values["y"] >= 1.5 - 1e-9
