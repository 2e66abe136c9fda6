"""The one solver module: every PuLP model in cloudscore is solved by :func:`solve`, and only here is a solver named.

Why one module (methods.md §1.3-1.9): PuLP does not raise when a solve fails, leaves the last values on the
variables after a failure, maps a time-limited HiGHS run to "Optimal", and passes solver duals through with
solver-specific signs; highspy 1.16 also prints a banner to file descriptor 1 the first time a model is built in a
process, before any option can silence it. :func:`solve` settles each of these once:

- **silence**: file descriptors 1 and 2 point at ``/dev/null`` for the duration of every solve, so neither the
  command line nor the Python API ever prints a solver's output (stdout stays the requested format);
- **status**: ``"optimal"`` only for a proven optimum (PuLP status 1 *and* solution status 1, and HiGHS runs with a
  zero relative MIP gap, not its default 1e-4); a run stopped by a limit with a feasible point is ``"limit"``;
  otherwise ``"infeasible"``, ``"unbounded"`` or ``"not solved"`` (HiGHS's "unbounded or infeasible", which PuLP
  calls Infeasible, is settled by a feasibility re-run);
- **values**: returned only for a proven optimum, and wiped from the PuLP variables otherwise (PuLP's ``__dummy``
  column, added for a constant objective, is not a model variable and is left out);
- **duals**: d objective / d right-hand side in the model's own sense, whichever solver ran (HiGHS reports the
  duals of the internal minimisation, so they are negated for a maximisation); none for a model with integers;
- **slacks**: computed from the solution, not read from the solver: the feasible distance to the bound
  (``rhs - activity`` for ``<=``, ``activity - rhs`` for ``>=``, ``-|activity - rhs|`` for ``==``), so a
  negative slack is a violated row.

``SOLVERS`` is the registry: ``"highs"`` (in-process, the default) and ``"cbc"`` (the CBC binary that PuLP 3
bundles; the fallback, and a cross-check in the tests).

>>> import pulp
>>> prob = pulp.LpProblem("example", pulp.LpMaximize)
>>> x, y = prob.add_variable("x", 0, 3), prob.add_variable("y", 0)
>>> prob += 3 * x + 2 * y
>>> prob += (x + y <= 4, "capacity")
>>> answer = solve(prob)
>>> answer.status, answer.objective, answer.values, answer.duals["capacity"], answer.slacks["capacity"]
('optimal', 11.0, {'x': 3.0, 'y': 1.0}, 2.0, 0.0)
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

STATUSES = ("optimal", "limit", "infeasible", "unbounded", "not solved")
DEFAULT_SOLVER = "highs"


@dataclass(frozen=True)
class Solution:
    """What a solve established. ``values``, ``objective``, ``duals`` and ``slacks`` are empty/None unless the
    status is ``"optimal"``: a failed solve never hands back numbers that look like an answer."""

    status: str
    objective: float | None = None
    values: dict[str, float] = field(default_factory=dict)
    duals: dict[str, float] = field(default_factory=dict)
    slacks: dict[str, float] = field(default_factory=dict)
    solver: str = DEFAULT_SOLVER
    wall_ms: float = 0.0

    @property
    def optimal(self) -> bool:
        return self.status == "optimal"


def _highs(time_limit_s: float | None):
    import pulp
    # gapRel=0: HiGHS's default mip_rel_gap (1e-4) reports "optimal" for an incumbent up to 0.01% below the best
    # bound, which is not a proven optimum (CBC's default gap is 0; the two disagreed on 30-binary knapsacks).
    return pulp.HiGHS(msg=False, timeLimit=time_limit_s, gapRel=0.0)


def _cbc(time_limit_s: float | None):
    import pulp
    from pulp.apis import coin_api
    path = getattr(coin_api, "pulp_cbc_path", None)
    if not path or not os.path.exists(path):
        path = shutil.which("cbc")
    if not path:
        raise RuntimeError("the CBC solver is not available (PuLP >= 4 no longer bundles it; install a 'cbc' binary)")
    # "preprocess off": the CBC 2.10.3 that PuLP 3 bundles calls a feasible MILP infeasible when its integer
    # preprocessing fixes a variable: min -x2 - x4 - 2 x5, -3 x2 + x4 + x5 <= 0, x3 <= 0, x2, x3 binary,
    # x4, x5 in [0, 1] ("Cgl0000I Cut generators found to be infeasible!"; the optimum is -4). Found by
    # tests/test_lp_program.py; our models are small, so preprocessing buys nothing.
    return pulp.COIN_CMD(msg=False, path=path, timeLimit=time_limit_s, options=["preprocess off"])


#: Solver registry: name -> factory(time limit in seconds or None) -> a PuLP solver object.
SOLVERS: dict[str, Callable] = {"highs": _highs, "cbc": _cbc}
#: HiGHS hands back the duals of the minimisation it solves internally; CBC's are already d objective / d rhs.
_NEGATES_MAX_DUALS = {"highs": True, "cbc": False}


@contextlib.contextmanager
def quiet_file_descriptors():
    """Point fd 1 and fd 2 at /dev/null inside the block (C libraries write there directly, past sys.stdout)."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    saved = []
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        for fd in (1, 2):
            try:
                saved.append((fd, os.dup(fd)))
            except OSError:          # a closed descriptor: nothing to protect
                continue
            os.dup2(devnull, fd)
        yield
    finally:
        for fd, copy in saved:
            os.dup2(copy, fd)
            os.close(copy)
        os.close(devnull)


def solve(prob, *, solver: str = DEFAULT_SOLVER, time_limit_s: float | None = None) -> Solution:
    """Solve a PuLP problem silently and report what was proven (see the module docstring)."""
    import pulp
    try:
        factory = SOLVERS[solver]
    except KeyError:
        raise ValueError(f"unknown solver {solver!r}; choose one of {sorted(SOLVERS)}") from None
    backend = factory(time_limit_s)
    start = time.perf_counter()
    with quiet_file_descriptors():
        try:
            prob.solve(backend)
            status = _status(prob.status, prob.sol_status)
        except pulp.PulpSolverError:
            # the bundled CBC writes no solution file for some infeasible MILPs (it prints "Problem is
            # unbounded"), and PuLP then raises: no verdict either way
            status = "not solved"
        if solver == "highs" and status == "infeasible":
            status = _highs_infeasible_or_unbounded(prob)
    wall_ms = (time.perf_counter() - start) * 1e3
    # PuLP's writeMPS adds a fixed "__dummy" column to a constant objective (for CBC) and keeps it among the
    # model's variables, but never reads its value back: it is not one of the model's own variables.
    variables = [v for v in prob.variables() if v.name != "__dummy"]
    if status != "optimal":
        for v in variables:                # no stale numbers on the model either
            v.varValue = None
        return Solution(status, solver=solver, wall_ms=wall_ms)
    constraints = prob.constraints()
    constraints = list(constraints.values()) if isinstance(constraints, dict) else list(constraints)
    sign = -1.0 if (_NEGATES_MAX_DUALS[solver] and prob.sense == pulp.LpMaximize) else 1.0
    duals = {} if prob.isMIP() else {c.name: sign * float(c.pi or 0.0) + 0.0 for c in constraints}
    return Solution(status, objective=float(pulp.value(prob.objective) or 0.0),
                    values={v.name: float(v.varValue) for v in variables},
                    duals=duals, slacks={c.name: _slack(c) for c in constraints}, solver=solver, wall_ms=wall_ms)


def _status(status: int, sol_status: int) -> str:
    if status == 1:
        return "optimal" if sol_status == 1 else "limit"
    return {-1: "infeasible", -2: "unbounded"}.get(status, "not solved")


def _highs_infeasible_or_unbounded(prob) -> str:
    """Settle HiGHS's ``kUnboundedOrInfeasible``, which PuLP reports as Infeasible (HiGHS returns it for an
    unbounded MILP): the model is one of the two, so it is unbounded exactly when it has a feasible point. Find out
    by re-running the same HiGHS model with a zero objective (this changes ``prob.solverModel``'s costs)."""
    import highspy
    model = prob.solverModel
    if model.getModelStatus() != highspy.HighsModelStatus.kUnboundedOrInfeasible:
        return "infeasible"
    n = model.getNumCol()
    model.changeColsCost(n, list(range(n)), [0.0] * n)
    model.run()
    settled = model.getModelStatus()
    if settled == highspy.HighsModelStatus.kOptimal:
        return "unbounded"
    return "infeasible" if settled == highspy.HighsModelStatus.kInfeasible else "not solved"


def _slack(constraint) -> float:
    # PuLP keeps a row as expr + constant (sense) 0, so value() is activity - rhs.
    excess = float(constraint.value())
    if constraint.sense == 1:              # >=
        return excess + 0.0
    if constraint.sense == -1:             # <=
        return -excess + 0.0
    return -abs(excess)


# ------------------------------------------------------------------------------------- matrix-form programs

INF = float("inf")
#: Up to this many binary columns, :func:`solve_program` with HiGHS enumerates their assignments (each an LP,
#: re-solved warm from the previous basis) instead of running HiGHS's branch and bound: on the bundled strategy
#: model (30 columns, 74 rows, 4 binaries) branch and bound spends 25-90 ms proving the optimum, where the 16
#: warm LPs take about 6 ms. Both are exact; above the cut-off the branch and bound runs.
ENUMERATE_MAX_BINARIES = 10
_FEASIBILITY_TOL = 1e-9


@dataclass
class Program:
    """A linear program, or a mixed-integer one whose integer columns are binary, in matrix form: maximise (or
    minimise) ``cost @ x + offset`` subject to ``row_lower <= A @ x <= row_upper`` and
    ``col_lower <= x <= col_upper``, every row and column named.

    Built with plain floats (:meth:`add_column`, :meth:`add_row`): about ten times cheaper than PuLP expressions,
    which matters when a model is rebuilt for every point of a frontier or every draw of its assumptions; and in
    matrix form HiGHS can be handed the model directly, which also gives the right-hand-side ranges of the duals
    and an irreducible infeasible subset. :func:`solve_program` solves it with either solver.

    >>> p = Program("example")
    >>> x, y = p.add_column("x", 0, 3, cost=3), p.add_column("y", 0, cost=2)
    >>> p.add_row("capacity", {x: 1, y: 1}, upper=4)
    0
    >>> answer = solve_program(p, ranging=True)
    >>> answer.objective, answer.values, answer.duals["capacity"], answer.ranges["capacity"]
    (11.0, {'x': 3.0, 'y': 1.0}, 2.0, (3.0, inf))
    """

    name: str = "program"
    maximize: bool = True
    offset: float = 0.0
    columns: list[str] = field(default_factory=list)
    col_lower: list[float] = field(default_factory=list)
    col_upper: list[float] = field(default_factory=list)
    cost: list[float] = field(default_factory=list)
    binary: list[bool] = field(default_factory=list)
    rows: list[str] = field(default_factory=list)
    row_lower: list[float] = field(default_factory=list)
    row_upper: list[float] = field(default_factory=list)
    entries: list[tuple[int, int, float]] = field(default_factory=list)     # (row, column, coefficient)

    def add_column(self, name: str, lower: float | None = 0.0, upper: float | None = INF, *, binary: bool = False,
                   cost: float = 0.0) -> int:
        """A column (``None`` bound: free on that side); binary columns take 0 or 1. Returns its index."""
        if binary:
            lower, upper = (0.0 if lower is None else max(lower, 0.0)), (1.0 if upper is None else min(upper, 1.0))
        self.columns.append(name)
        self.col_lower.append(-INF if lower is None else float(lower))
        self.col_upper.append(INF if upper is None else float(upper))
        self.cost.append(float(cost))
        self.binary.append(binary)
        return len(self.columns) - 1

    def add_row(self, name: str, terms, lower: float = -INF, upper: float = INF) -> int:
        """A row ``lower <= sum coefficient * column <= upper``; ``terms`` maps column index -> coefficient (or is
        an iterable of pairs; repeated columns add up, zeros are dropped). Returns its index."""
        i = len(self.rows)
        self.rows.append(name)
        self.row_lower.append(float(lower))
        self.row_upper.append(float(upper))
        merged: dict[int, float] = {}
        for j, a in (terms.items() if hasattr(terms, "items") else terms):
            merged[j] = merged.get(j, 0.0) + float(a)
        self.entries.extend((i, j, a) for j, a in merged.items() if a != 0.0)
        return i

    def set_cost(self, terms, offset: float = 0.0) -> None:
        """The objective: column index -> coefficient, plus a constant."""
        self.cost = [0.0] * len(self.columns)
        for j, a in (terms.items() if hasattr(terms, "items") else terms):
            self.cost[j] += float(a)
        self.offset = float(offset)

    def matrix(self) -> np.ndarray:
        """A as a dense (rows, columns) array (the models here have tens of rows)."""
        import numpy as np
        a = np.zeros((len(self.rows), len(self.columns)))
        if self.entries:
            rows, cols, values = np.array(self.entries).T
            np.add.at(a, (rows.astype(np.intp), cols.astype(np.intp)), values)
        return a

    def fixed(self, values: dict[int, float]) -> Program:
        """A copy with the given columns fixed at the given values (used to price a MILP at its chosen binaries)."""
        from dataclasses import replace
        lower, upper = list(self.col_lower), list(self.col_upper)
        for j, v in values.items():
            lower[j] = upper[j] = float(v)
        return replace(self, col_lower=lower, col_upper=upper, binary=[False] * len(self.columns))

    def violations(self, x, tol: float = 1e-7) -> list[str]:
        """The rows and bounds that ``x`` (a vector over the columns) violates by more than ``tol`` (scaled by the
        size of the bound): an independent re-check of a reported solution."""
        import numpy as np
        x = np.asarray(x, float)
        act = self.matrix() @ x
        out = []
        for name, a, lo, hi in zip(self.rows, act, self.row_lower, self.row_upper, strict=True):
            if a < lo - tol * max(1.0, abs(lo)) or a > hi + tol * max(1.0, abs(hi)):
                out.append(f"row {name}: {a:.9g} outside [{lo:.9g}, {hi:.9g}]")
        for name, v, lo, hi, b in zip(self.columns, x, self.col_lower, self.col_upper, self.binary, strict=True):
            if v < lo - tol * max(1.0, abs(lo)) or v > hi + tol * max(1.0, abs(hi)):
                out.append(f"column {name}: {v:.9g} outside [{lo:.9g}, {hi:.9g}]")
            elif b and min(abs(v), abs(v - 1)) > tol:
                out.append(f"column {name}: {v:.9g} is not binary")
        return out


@dataclass(frozen=True)
class ProgramSolution(Solution):
    """A :class:`Solution` of a :class:`Program`, with what only a matrix-form HiGHS solve gives:

    ranges : row name -> (low, high), the values of that row's active bound between which its dual holds (LP
             only, with ``ranging=True``; HiGHS's right-hand-side ranging); binding rows only
    iis : names of an irreducible infeasible subset, for an infeasible LP solved with ``iis=True``: rows, and
          ``"lower bound of <column>"``, ``"upper bound of <column>"`` or ``"bounds of <column>"`` for the column
          bounds that take part
    """

    ranges: dict[str, tuple[float, float]] = field(default_factory=dict)
    iis: tuple[str, ...] = ()


def solve_program(program: Program, *, solver: str = DEFAULT_SOLVER, ranging: bool = False, iis: bool = False,
                  time_limit_s: float | None = None) -> ProgramSolution:
    """Solve a :class:`Program` silently and report what was proven, with the contract of :func:`solve` (statuses,
    values only for a proven optimum, duals as d objective / d bound in the model's sense and none for a model
    with binaries, slacks computed from the solution). HiGHS runs in-process on the matrix; CBC through PuLP, and as
    the fallback when HiGHS ends without a verdict ("not solved"): ``solver`` on the answer names the one that
    answered."""
    if solver not in SOLVERS:
        raise ValueError(f"unknown solver {solver!r}; choose one of {sorted(SOLVERS)}")
    start = time.perf_counter()
    used = solver
    if solver == "highs":
        with quiet_file_descriptors():
            answer = _solve_program_highs(program, ranging, iis, time_limit_s)
        if answer.status == "not solved":        # HiGHS failed without a verdict: CBC is the fallback
            answer, used = _solve_program_pulp(program, "cbc", time_limit_s), "cbc"
    else:
        answer = _solve_program_pulp(program, solver, time_limit_s)
    from dataclasses import replace
    return replace(answer, solver=used, wall_ms=(time.perf_counter() - start) * 1e3)


def _highs_lp(program: Program):
    """The HighsLp of a program, always as a minimisation (a maximisation's costs negated: see the dual signs)."""
    import highspy
    import numpy as np
    lp = highspy.HighsLp()
    n, m = len(program.columns), len(program.rows)
    lp.num_col_, lp.num_row_ = n, m
    sign = -1.0 if program.maximize else 1.0
    lp.col_cost_ = sign * np.asarray(program.cost, float)
    lp.col_lower_ = np.asarray(program.col_lower, float)
    lp.col_upper_ = np.asarray(program.col_upper, float)
    lp.row_lower_ = np.asarray(program.row_lower, float)
    lp.row_upper_ = np.asarray(program.row_upper, float)
    entries = np.array(program.entries, dtype=float).reshape(-1, 3)
    entries = entries[np.argsort(entries[:, 0], kind="stable")]          # row-wise (add_row keeps rows together)
    counts = np.bincount(entries[:, 0].astype(np.int64), minlength=m)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.start_ = np.concatenate([[0], np.cumsum(counts)]).astype(np.int32)
    lp.a_matrix_.index_ = entries[:, 1].astype(np.int32)
    lp.a_matrix_.value_ = entries[:, 2].copy()
    return lp


def _new_highs(time_limit_s: float | None, iis: bool):
    import highspy
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("mip_rel_gap", 0.0)          # a proven optimum, as in _highs()
    if time_limit_s is not None:
        h.setOptionValue("time_limit", float(time_limit_s))
    if iis:
        h.setOptionValue("iis_strategy", 4)       # an irreducible subset; the default ("light") often finds none
    return h


def _solve_program_highs(program: Program, ranging: bool, iis: bool, time_limit_s: float | None) -> ProgramSolution:
    import highspy
    import numpy as np
    h = _new_highs(time_limit_s, iis)
    lp = _highs_lp(program)
    binaries = [j for j, b in enumerate(program.binary) if b]
    if binaries and len(binaries) <= ENUMERATE_MAX_BINARIES:
        h.passModel(lp)
        return _enumerate_binaries(h, program, binaries, time_limit_s)
    if binaries:
        lp.integrality_ = [highspy.HighsVarType.kInteger if b else highspy.HighsVarType.kContinuous
                           for b in program.binary]
    h.passModel(lp)
    h.run()
    status = _highs_status(h, bool(binaries))
    if status != "optimal":
        found = _iis_names(h, program) if (iis and status == "infeasible" and not binaries) else ()
        return ProgramSolution(status, iis=found)
    x = np.array(h.getSolution().col_value)
    duals = {}
    ranges = {}
    if not binaries:
        sign = -1.0 if program.maximize else 1.0
        row_dual = np.array(h.getSolution().row_dual)
        duals = {name: sign * float(d) + 0.0 for name, d in zip(program.rows, row_dual, strict=True)}
        if ranging:
            ranges = _row_ranges(h, program, x, duals)
    return _answer(program, x, duals, ranges)


def _highs_status(h, mip: bool) -> str:
    import highspy
    import numpy as np
    s = h.getModelStatus()
    k = highspy.HighsModelStatus
    if s == k.kOptimal:
        return "optimal"
    if s == k.kInfeasible:
        return "infeasible"
    if s == k.kUnbounded:
        return "unbounded"
    if s == k.kUnboundedOrInfeasible:
        # settle it as solve() does: feasible with a zero objective means unbounded
        n = h.getNumCol()
        h.changeColsCost(n, np.arange(n, dtype=np.int32), np.zeros(n))
        h.run()
        return "unbounded" if h.getModelStatus() == k.kOptimal else "infeasible"
    if s in (k.kTimeLimit, k.kIterationLimit, k.kSolutionLimit, k.kInterrupt):
        return "limit"
    return "not solved"


def _enumerate_binaries(h, program: Program, binaries: list[int], time_limit_s: float | None) -> ProgramSolution:
    """Every assignment of the binaries that their bounds and the rows on binaries alone allow, each solved as an
    LP with those columns fixed (warm from the previous basis). The best objective wins; among equals (within a
    relative 1e-12) the one with the fewest binaries at 1 (for a strategy, the fewest moves), then the first in
    binary order. Exact: nothing that could win is skipped."""
    import numpy as np
    k = len(binaries)
    codes = np.arange(2 ** k)
    assign = ((codes[:, None] >> np.arange(k)[None, :]) & 1).astype(float)          # (2^k, k)
    assign = assign[np.lexsort((codes, assign.sum(axis=1)))]                        # fewest ones first
    lower = np.asarray(program.col_lower)[binaries]
    upper = np.asarray(program.col_upper)[binaries]
    keep = np.all((assign >= lower - _FEASIBILITY_TOL) & (assign <= upper + _FEASIBILITY_TOL), axis=1)
    a = program.matrix()
    is_binary = np.zeros(len(program.columns), bool)
    is_binary[binaries] = True
    pure = np.flatnonzero(np.any(a != 0, axis=1) & ~np.any((a != 0) & ~is_binary, axis=1))
    if len(pure):
        act = assign @ a[np.ix_(pure, binaries)].T                                   # (2^k, rows on binaries)
        lo, hi = np.asarray(program.row_lower)[pure], np.asarray(program.row_upper)[pure]
        keep &= np.all((act >= lo - _FEASIBILITY_TOL) & (act <= hi + _FEASIBILITY_TOL), axis=1)
    idx = np.asarray(binaries, dtype=np.int32)
    # The LP relaxation bounds every assignment: if it is infeasible so is each of them, and an assignment that
    # reaches its value is optimal (nothing can do better), so the enumeration stops there.
    h.run()
    relaxed = _highs_status(h, False)
    if relaxed == "infeasible" or not keep.any():
        return ProgramSolution("infeasible")
    bound = h.getInfo().objective_function_value if relaxed == "optimal" else -INF
    best, best_x, statuses = None, None, set()
    start = time.perf_counter()
    for row in assign[keep]:
        if time_limit_s is not None and time.perf_counter() - start > time_limit_s:
            return ProgramSolution("limit")
        h.changeColsBounds(k, idx, row, row)
        h.run()
        status = _highs_status(h, False)
        statuses.add(status)
        if status != "optimal":
            continue
        value = h.getInfo().objective_function_value         # HiGHS minimises (a maximisation is negated)
        if best is None or value < best - 1e-12 * max(1.0, abs(best)):
            best, best_x = value, np.array(h.getSolution().col_value)
            if best <= bound + 1e-12 * max(1.0, abs(bound)):
                break
    if best_x is None:
        return ProgramSolution("unbounded" if "unbounded" in statuses else
                               "infeasible" if statuses <= {"infeasible"} else "not solved")
    if "unbounded" in statuses:
        return ProgramSolution("unbounded")
    best_x[binaries] = np.round(best_x[binaries])
    return _answer(program, best_x, {}, {})


def _answer(program: Program, x, duals: dict, ranges: dict) -> ProgramSolution:
    import numpy as np
    act = program.matrix() @ x
    slacks = {}
    for name, a, lo, hi in zip(program.rows, act, program.row_lower, program.row_upper, strict=True):
        if lo == hi:
            slacks[name] = -abs(a - lo) + 0.0
        else:
            slacks[name] = float(min(a - lo if lo > -INF else INF, hi - a if hi < INF else INF)) + 0.0
    objective = float(np.dot(program.cost, x)) + program.offset
    return ProgramSolution("optimal", objective=objective,
                           values={c: float(v) + 0.0 for c, v in zip(program.columns, x, strict=True)},
                           duals=duals, slacks=slacks, ranges=ranges)


def _row_ranges(h, program: Program, x, duals: dict) -> dict[str, tuple[float, float]]:
    """For each binding row with a non-zero dual: the interval of its active bound over which the dual holds (the
    optimal basis stays optimal). HiGHS's ranging gives the bound values at which the basis changes."""
    import numpy as np
    status, rng = h.getRanging()
    if not rng.valid:
        return {}
    dn, up = np.array(rng.row_bound_dn.value_), np.array(rng.row_bound_up.value_)
    out = {}
    for i, name in enumerate(program.rows):
        if abs(duals[name]) <= 1e-12:
            continue
        lo, hi = sorted((float(dn[i]), float(up[i])))
        out[name] = (lo if lo > -1e30 else -INF, hi if hi < 1e30 else INF)
    return out


def _iis_names(h, program: Program) -> tuple[str, ...]:
    import highspy
    status, iis = h.getIis()
    if not iis.valid_:
        return ()
    kind = {highspy.IisBoundStatus.kIisBoundStatusLower: "lower bound of ",
            highspy.IisBoundStatus.kIisBoundStatusUpper: "upper bound of ",
            highspy.IisBoundStatus.kIisBoundStatusBoxed: "bounds of "}
    # HiGHS lists a column whose bounds play no part with status Free: it is not in the conflict
    rows = [program.rows[i] for i, b in zip(iis.row_index_, iis.row_bound_, strict=True)
            if highspy.IisBoundStatus(b) in kind]
    cols = [kind[highspy.IisBoundStatus(b)] + program.columns[j]
            for j, b in zip(iis.col_index_, iis.col_bound_, strict=True) if highspy.IisBoundStatus(b) in kind]
    return tuple(rows + cols)


def _solve_program_pulp(program: Program, solver: str, time_limit_s: float | None) -> ProgramSolution:
    """The program as a PuLP model (columns x0.., rows r0.., so no name needs PuLP's sanitising), solved by
    :func:`solve`; the answer is mapped back to the program's own names."""
    import numpy as np
    import pulp
    prob = pulp.LpProblem(program.name or "program", pulp.LpMaximize if program.maximize else pulp.LpMinimize)
    xs = [prob.add_variable(f"x{j}", None if lo == -INF else lo, None if hi == INF else hi,
                            cat="Binary" if b else "Continuous")
          for j, (lo, hi, b) in enumerate(zip(program.col_lower, program.col_upper, program.binary, strict=True))]
    prob += pulp.lpSum(c * xs[j] for j, c in enumerate(program.cost) if c) + program.offset
    by_row: list[list[tuple[int, float]]] = [[] for _ in program.rows]
    for i, j, a in program.entries:
        by_row[i].append((j, a))
    names = {}
    for i, (lo, hi) in enumerate(zip(program.row_lower, program.row_upper, strict=True)):
        expr = pulp.lpSum(a * xs[j] for j, a in by_row[i])
        if lo == hi:
            prob += (expr == lo, f"r{i}")
            names[f"r{i}"] = i
        else:
            if lo > -INF:
                prob += (expr >= lo, f"r{i}" if hi == INF else f"r{i}_lo")
            if hi < INF:
                prob += (expr <= hi, f"r{i}" if lo == -INF else f"r{i}_hi")
    answer = solve(prob, solver=solver, time_limit_s=time_limit_s)
    if not answer.optimal:
        return ProgramSolution(answer.status)
    x = np.array([answer.values.get(f"x{j}", 0.0) for j in range(len(program.columns))])
    x[np.asarray(program.binary, bool)] = np.round(x[np.asarray(program.binary, bool)])
    duals = {}
    if not any(program.binary):
        for i, name in enumerate(program.rows):
            duals[name] = answer.duals.get(f"r{i}", answer.duals.get(f"r{i}_lo", 0.0)
                                           + answer.duals.get(f"r{i}_hi", 0.0))
    return _answer(program, x, duals, {})


class WarmProgram:
    """A linear :class:`Program` (no binaries) kept in one HiGHS instance between solves, for a sweep that changes
    a few coefficients at a time: each re-solve starts from the previous basis, a fraction of a fresh solve.

    >>> p = Program()
    >>> x = p.add_column("x", 0, None, cost=1)
    >>> p.add_row("cap", {x: 2}, upper=4)
    0
    >>> warm = WarmProgram(p)
    >>> warm.solve(), warm.objective()
    ('optimal', 2.0)
    >>> warm.change_coefficients([(0, 0, 4.0)])
    >>> warm.solve(), warm.objective(), warm.binding()
    ('optimal', 1.0, frozenset({'cap'}))
    """

    def __init__(self, program: Program) -> None:
        if any(program.binary):
            raise ValueError("WarmProgram takes a linear program: fix the binaries first (Program.fixed)")
        self.program = program
        with quiet_file_descriptors():
            self._h = _new_highs(None, False)
            self._h.passModel(_highs_lp(program))

    def change_coefficients(self, entries) -> None:
        """Set A[row, column] = value for each (row, column, value)."""
        for i, j, v in entries:
            self._h.changeCoeff(int(i), int(j), float(v))

    def solve(self) -> str:
        with quiet_file_descriptors():
            self._h.run()
        return _highs_status(self._h, False)

    def objective(self) -> float:
        value = self._h.getInfo().objective_function_value
        return (-value if self.program.maximize else value) + self.program.offset

    def binding(self, tol: float = 1e-7) -> frozenset[str]:
        """The rows at one of their bounds (within ``tol``) in the last optimal solve."""
        import numpy as np
        act = np.array(self._h.getSolution().row_value)
        lo, hi = np.asarray(self.program.row_lower), np.asarray(self.program.row_upper)
        at = (np.abs(act - lo) <= tol) | (np.abs(act - hi) <= tol)
        return frozenset(name for name, hit in zip(self.program.rows, at, strict=True) if hit)
