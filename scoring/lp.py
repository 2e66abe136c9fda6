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
    return pulp.COIN_CMD(msg=False, path=path, timeLimit=time_limit_s)


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
        prob.solve(backend)
        status = _status(prob.status, prob.sol_status)
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
