"""Strategy optimizer: which mix of business lines and strategic moves gives a vendor the best projected score while
its adjusted EBITA margin stays above a floor? (The formulation is methods.md §3; the model is a strategy file,
schema ``strategy/v1``, see strategy/README.md; the program itself is :mod:`scoring.strategy_program`.)

A mixed-integer linear program, solved through :mod:`scoring.lp` (HiGHS by default, CBC as the fallback). Its
objective is the focal vendor's projected composite score under the strategy's criteria view, the same score
``cloudscore rank`` computes for the projected profile: every answer is re-scored by the scoring engine, and a
difference between the two is reported in the plan's notes (the tests require none).

**The price of a constraint.** A MILP has no duals: the chosen moves are fixed and the LP re-solved, and its
duals are reported as d(score)/d(right-hand side) "given the chosen moves", each with the range of the
right-hand side over which it holds (HiGHS's ranging). The margin floor enters the rows' coefficients, not a
right-hand side, so its price (score points per point of floor, every quarter) is sum_t dual_t x revenue_t / 100,
and its range is the interval of floors over which the score's slope stays within 10% of that price (a walk of
re-solves: beyond it a constraint starts or stops binding).

**Infeasible.** When no mix satisfies the constraints, the answer says why, in the strategy file's own names: the
highest margin floor any mix keeps (when a lower floor would do), otherwise the smallest relaxation of the policy
constraints that restores feasibility (an elastic copy of the model); and the irreducible infeasible subset of
constraints (HiGHS's IIS) with the moves of the closest mix fixed.

**Rivals.** Shares are zero-sum: when the focal vendor's share of a market moves by d points, each rival's share
moves by -d in proportion to its own share; the projected ranking is the scoring engine's ranking of that matrix.

>>> from scoring.load import load_strategy
>>> model = load_strategy("strategy/alibaba.yaml")
>>> plan = optimize(model, preset="public-cloud-first")
>>> plan.status, bool(abs(plan.objective - plan.score) < 1e-9)
('optimal', True)
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import ConfigError, ConfigErrors, Where, did_you_mean
from .lp import ProgramSolution, solve_program
from .methods import get_method
from .models import StrategyModel
from .normalize import get_normalization
from .progress import track
from .rank import ranks
from .strategy_program import (
    Built,
    Setting,
    build_program,
    calibrated_margins,
    projected_values,
    projections,
    setting,
)

__all__ = ["OBJECTIVES", "InfeasibleMix", "MixPlan", "Outcome", "backtest", "calibrated_margins", "compare_presets",
           "default_vendors", "engine_scores", "frontier", "highest_margin", "optimize", "preset_of",
           "project_matrix", "solve_mix", "solve_outcome", "view"]

OBJECTIVES = ("score", "revenue")
#: A row whose slack is within this of zero binds.
BINDING_TOL = 1e-7
_NO_ROWS = ["constraint", "relax_by", "meaning"]


class InfeasibleMix(Exception):
    """No mix satisfies the constraints. ``relaxation`` (constraint, relax_by, meaning) says by how much which
    constraints would have to give; ``iis`` names an irreducible set of constraints that cannot hold together
    (with the closest mix's moves fixed), empty when none was computed."""

    def __init__(self, message: str, relaxation: pd.DataFrame, status: str = "infeasible",
                 iis: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.relaxation = relaxation
        self.status = status
        self.iis = iis


@dataclass
class MixPlan:
    """The answer of :func:`optimize`.

    mix : DataFrame        one row per line x quarter: line, quarter, revenue_rmb_bn, share_pct
    moves : dict           move id -> chosen (bool)
    metrics : DataFrame    one row per criterion: criterion, metric, base, projected, moved (bool)
    margins : Series       adjusted EBITA margin (percent) per quarter
    constraints : DataFrame  one row per constraint: name, binding, slack, rhs (the active bound, in the row's own
                           units: ``-constant`` of ``terms . x + constant (sense) 0``), shadow_price (d score / d rhs
                           given the moves; NaN where not priced), valid_from, valid_to (the rhs range over which the
                           price holds; NaN where not known), meaning
    ranking : DataFrame    the projected ranking among the rivals (vendor, score, rank)
    floor_price : float    score points one more point of margin floor (every quarter) costs, given the moves
                           (negative: a floor costs score); NaN where not priced
    floor_price_range_pct : (low, high) margin floors (percent) over which the price holds (the score's slope
                           stays within ``PRICE_TOLERANCE`` of it); None where not priced
    """

    status: str
    objective: float
    score: float
    rank: int
    mix: pd.DataFrame
    moves: dict[str, bool]
    metrics: pd.DataFrame
    margins: pd.Series
    constraints: pd.DataFrame
    ranking: pd.DataFrame
    preset: str | None
    margin_floor_pct: float
    objective_kind: str = "score"
    solver: str = "highs"
    notes: list[str] = field(default_factory=list)
    floor_price: float = float("nan")
    floor_price_range_pct: tuple[float, float] | None = None

    @property
    def binding(self) -> pd.DataFrame:
        return self.constraints[self.constraints["binding"]]

    def to_dict(self) -> dict:
        last = self.mix[self.mix["quarter"] == self.mix["quarter"].max()]
        lo, hi = self.floor_price_range_pct or (float("nan"), float("nan"))
        return {
            "status": self.status, "objective": _round(self.objective), "objective_kind": self.objective_kind,
            "score": _round(self.score), "rank": self.rank, "preset": self.preset,
            "margin_floor_pct": self.margin_floor_pct,
            "margin": {f"q{q}": _round(v) for q, v in self.margins.items()},
            "mix": {r.line: {"revenue_rmb_bn": _round(r.revenue_rmb_bn), "share_pct": _round(r.share_pct)}
                    for r in last.itertuples()},
            "mix_by_quarter": [{k: (_round(v) if isinstance(v, float) else v) for k, v in row.items()}
                               for row in self.mix.to_dict("records")],
            "moves": self.moves,
            "metrics": [{k: (_round(v) if isinstance(v, float) else v) for k, v in row.items()}
                        for row in self.metrics.to_dict("records")],
            "binding": [{"constraint": name, "shadow_price": _round(r.shadow_price), "slack": _round(r.slack),
                         "rhs": _round(r.rhs), "valid_from": _round(r.valid_from), "valid_to": _round(r.valid_to),
                         "meaning": r.meaning}
                        for name, r in self.binding.iterrows() if not name.startswith("projected.")],
            "slack": {name: _round(r.slack) for name, r in self.constraints.iterrows()
                      if not r.binding and not name.startswith("projected.")},
            "margin_floor_price_per_point": _round(self.floor_price),
            "margin_floor_price_valid_pct": {"from": _round(lo), "to": _round(hi)},
            "ranking": [{"vendor": r.vendor, "score": _round(r.score), "rank": int(r.rank)}
                        for r in self.ranking.itertuples()],
            "solver": self.solver, "notes": self.notes,
        }


def _round(x) -> float | None:
    x = float(x)
    return None if not np.isfinite(x) else round(x, 9)


@dataclass(frozen=True)
class Outcome:
    """What one solve of the mix gives before the scoring engine looks at it (the frontier, the presets and the
    assumption draws score many outcomes in one batch).

    revenue : (lines, quarters) RMB bn; margins_pct : (quarters,); values : the view's raw values (vendors,
    criteria) with the focal vendor's profile projected. All None unless the status is "optimal".
    """

    status: str
    objective: float
    moves: dict[str, bool]
    revenue: np.ndarray | None
    margins_pct: np.ndarray | None
    values: np.ndarray | None
    setting: Setting

    @property
    def optimal(self) -> bool:
        return self.status == "optimal"


# ------------------------------------------------------------------------------------------------ the view


def view(model: StrategyModel, vendors_folder: str | Path | None = None):
    """The strategy's criteria view scored at its as-of date (a ``pipeline.Result``), checked to be linear in the
    figures and to rank the model's vendor. ``vendors_folder`` defaults to the one beside the view's folder."""
    from .pipeline import run
    result = run(model.criteria_path, vendors_folder or default_vendors(model), as_of=model.as_of)
    entry = get_method(result.method)
    if not entry.linear_in_values or get_normalization(result.criteria.normalization).depends_on_vendors:
        raise ConfigErrors([ConfigError(model.where, "criteria", f"the view {result.criteria.name!r} scores with "
                                        f"{entry.label} under {result.criteria.normalization!r} normalization, which "
                                        "is not linear in the figures: the optimizer's objective must be the score",
                                        "use a view with method: weighted-sum and normalization: fixed")])
    vendors = list(result.matrix.values.index)
    if model.vendor not in vendors:
        raise ConfigErrors([ConfigError(model.where, "vendor", f"vendor {model.vendor!r} is not ranked by the view "
                                        f"{result.criteria.name!r}", did_you_mean(model.vendor, vendors))])
    return result


def default_vendors(model: StrategyModel) -> Path:
    """The vendors folder beside the criteria view's folder (the repository layout: criteria/, vendors/)."""
    return Path(model.criteria_path).parent.parent / "vendors"


def preset_of(model: StrategyModel, preset: str | None):
    """The model's preset of that id (None for none); an unknown id is a located error with the choices."""
    if preset is None:
        return None
    ids = [p.id for p in model.presets]
    if preset not in ids:
        raise ConfigErrors([ConfigError(Where("--preset"), "", f"unknown preset {preset!r} in {model.path}",
                                        did_you_mean(preset, ids))])
    return model.preset(preset)


def engine_scores(result, values: list[np.ndarray]) -> np.ndarray:
    """The scoring engine's scores (K, vendors) of K projected value matrices, in one batch."""
    from .scorer import Scorer
    if not values:
        return np.zeros((0, len(result.matrix.values.index)))
    return np.atleast_2d(Scorer.from_result(result).scores(values=np.stack(values)))


def project_matrix(model: StrategyModel, result, s: Setting, last_revenue: np.ndarray, moves: dict[str, bool]):
    """The view's decision matrix with the focal vendor's profile projected and the rivals' shares moved against
    its gain (see :func:`scoring.strategy_program.projected_values`)."""
    dm = result.matrix
    values = pd.DataFrame(projected_values(model, result, s, last_revenue, moves), index=dm.values.index,
                          columns=dm.values.columns)
    return replace(dm, values=values)


# ------------------------------------------------------------------------------------------------ optimize


def optimize(model: StrategyModel, *, preset: str | None = None, margin_floor_pct: float | None = None,
             objective: str = "score", min_score: float | None = None, vendors_folder: str | Path | None = None,
             solver: str = "highs") -> MixPlan:
    """The best mix and moves for the model's vendor under a preset (see the module docstring).

    Raises ``InfeasibleMix`` (with what conflicts, and the smallest relaxation that restores feasibility) when
    nothing satisfies the constraints, ``ConfigErrors`` for an unknown preset or a view that is not linear in the
    figures.
    """
    if objective not in OBJECTIVES:
        raise ValueError(f"unknown objective {objective!r}; choose one of {list(OBJECTIVES)}")
    chosen = preset_of(model, preset)
    return solve_mix(model, view(model, vendors_folder), chosen, margin_floor_pct, objective, min_score, solver)


def solve_outcome(model: StrategyModel, result, preset, margin_floor_pct: float | None = None,
                  objective: str = "score", min_score: float | None = None, solver: str = "highs") -> Outcome:
    """One solve of the mix on a view already scored (``preset`` a ``models.Preset`` or None), without pricing,
    explaining or scoring it: what the frontier, the preset comparison and the assumption draws repeat."""
    s = setting(model, preset, margin_floor_pct)
    built = build_program(model, result, s, preset, objective, min_score)
    return _outcome(model, result, s, built, solve_program(built.program, solver=solver))


def _outcome(model, result, s: Setting, built: Built, solution: ProgramSolution) -> Outcome:
    if not solution.optimal:
        return Outcome(solution.status, float("nan"), {}, None, None, None, s)
    columns = built.program.columns
    revenue = np.array([[solution.values[columns[built.revenue[(line, t)]]] for t in range(1, s.horizon + 1)]
                        for line in s.lines])
    moves = built.moves_of(solution.values)
    fixed_cost = sum(model.move(m).fixed_cost_rmb_bn.value for m, on in moves.items() if on)
    margins = 100 * (s.margin @ revenue - fixed_cost) / revenue.sum(axis=0)
    values = projected_values(model, result, s, revenue[:, -1], moves)
    return Outcome("optimal", float(solution.objective), moves, revenue, margins, values, s)


def solve_mix(model: StrategyModel, result, preset, margin_floor_pct: float | None = None, objective: str = "score",
              min_score: float | None = None, solver: str = "highs", price: bool = True,
              explain: bool = True) -> MixPlan:
    """:func:`optimize` on a view already scored (``preset`` a ``models.Preset`` or None). ``price=False`` skips
    pricing the constraints, ``explain=False`` the search for why a model is infeasible (the exception then
    carries only the status)."""
    s = setting(model, preset, margin_floor_pct)
    built = build_program(model, result, s, preset, objective, min_score)
    solution = solve_program(built.program, solver=solver)
    if solution.status == "infeasible" and explain:
        raise InfeasibleMix(*_explain_infeasible(model, result, s, preset, objective, min_score, solver))
    if not solution.optimal:
        raise InfeasibleMix(f"no proven optimum (status {solution.status!r})", pd.DataFrame(columns=_NO_ROWS),
                            solution.status)
    outcome = _outcome(model, result, s, built, solution)
    priced = ProgramSolution("not solved")
    if price:
        fixed = {m: float(v) for m, v in outcome.moves.items()}
        priced = solve_program(build_program(model, result, s, preset, objective, min_score,
                                             fixed_moves=fixed).program, solver=solver, ranging=True)
    plan = _plan(model, result, built, solution, priced, outcome, preset, objective, solver)
    if price and objective == "score" and np.isfinite(plan.floor_price):
        plan.floor_price_range_pct = _floor_price_range(model, result, s, preset, objective, min_score, fixed,
                                                        plan.floor_price)
    return plan


def _plan(model, result, built: Built, solution, priced, outcome: Outcome, preset, objective, solver) -> MixPlan:
    s = outcome.setting
    rev = outcome.revenue
    total = rev.sum(axis=0)
    mix = pd.DataFrame([dict(line=line, quarter=t + 1, revenue_rmb_bn=float(rev[i, t]),
                             share_pct=float(100 * rev[i, t] / total[t]) if total[t] > 0 else float("nan"))
                        for t in range(s.horizon) for i, line in enumerate(s.lines)])
    margins = pd.Series({t + 1: float(m) for t, m in enumerate(outcome.margins_pct)}, name="margin_pct")
    scores = engine_scores(result, [outcome.values])[0]
    vendors = list(result.matrix.values.index)
    focal = vendors.index(model.vendor)
    rank_now = ranks(scores, result.criteria.tolerance)
    ranking = pd.DataFrame({"vendor": vendors, "score": scores, "rank": rank_now}).sort_values(
        ["rank", "vendor"]).reset_index(drop=True)
    moved = {p.criterion for p in projections(model, result, s)}
    focal_values = outcome.values[focal]
    metrics = pd.DataFrame([dict(criterion=c, metric=m.metric, base=float(result.matrix.values.loc[model.vendor, c]),
                                 projected=float(focal_values[j]), moved=c in moved)
                            for j, (c, m) in enumerate(zip(result.matrix.values.columns, result.criteria.criteria,
                                                           strict=True))])
    nan = float("nan")
    program = built.program
    rhs = {name: (lo if np.isfinite(lo) else hi) + 0.0
           for name, lo, hi in zip(program.rows, program.row_lower, program.row_upper, strict=True)}
    rows = []
    for name, words in built.meaning.items():
        slack = solution.slacks.get(name, nan)
        price = priced.duals.get(name, nan) if priced.optimal else nan
        lo, hi = priced.ranges.get(name, (nan, nan)) if priced.optimal else (nan, nan)
        rows.append(dict(name=name, binding=bool(abs(slack) <= BINDING_TOL), slack=float(slack), rhs=float(rhs[name]),
                         shadow_price=float(price), valid_from=float(lo), valid_to=float(hi), meaning=words))
    constraints = pd.DataFrame(rows, columns=["name", "binding", "slack", "rhs", "shadow_price", "valid_from",
                                              "valid_to", "meaning"]).set_index("name")
    score = float(scores[focal])
    notes = []
    if objective == "score" and abs(score - solution.objective) > 1e-7:
        notes.append(f"the solver's objective {solution.objective:.9f} differs from the engine's score {score:.9f}")
    notes.append("rivals' market shares move against the focal vendor's gain, in proportion to their own shares")
    if priced.optimal and not priced.ranges and any(np.isfinite(constraints["shadow_price"])):
        notes.append(f"the prices' ranges need HiGHS's ranging; {solver} gives the prices only")
    return MixPlan(status="optimal", objective=float(solution.objective), score=score, rank=int(rank_now[focal]),
                   mix=mix, moves=outcome.moves, metrics=metrics, margins=margins, constraints=constraints,
                   ranking=ranking, preset=preset.id if preset else None, margin_floor_pct=100 * s.margin_floor,
                   objective_kind=objective, solver=solution.solver, notes=notes,
                   floor_price=_floor_price(constraints, mix) if priced.optimal else nan)


def _floor_price(constraints: pd.DataFrame, mix: pd.DataFrame) -> float:
    """d score / d margin floor, per percentage point in every quarter. Raising mu by one point changes the row
    sum_l (m_l - mu) r_l - F >= 0 as raising its right-hand side by R_t / 100 (R_t the quarter's revenue, at the
    optimum), so the derivative is sum_t dual_t x R_t / 100 (negative: a floor costs score)."""
    revenue = mix.groupby("quarter")["revenue_rmb_bn"].sum()
    total = 0.0
    for name, row in constraints.iterrows():
        if name.startswith("margin_floor.q") and np.isfinite(row.shadow_price):
            total += row.shadow_price * float(revenue[int(name.rsplit("q", 1)[1])]) / 100.0
    return total


#: The margin floor's price is "valid" over the floors at which the score's slope stays within this share of it.
PRICE_TOLERANCE = 0.10


def _floor_price_range(model, result, s: Setting, preset, objective, min_score, fixed: dict[str, float],
                       price: float, step_pct: float = 0.05, span_pct: float = 10.0,
                       precision_pct: float = 1e-3) -> tuple[float, float] | None:
    """The margin floors around the current one over which the price holds: the slope of the score against the
    floor (moves fixed; a central difference of the LP's optimum, which is unique even where the duals are not)
    stays within ``PRICE_TOLERANCE`` of ``price``. Found by walking out from the floor in ``step_pct`` steps (every
    step checked) up to ``span_pct`` points away, then bisecting the last step to ``precision_pct``; beyond an end
    a constraint starts or stops binding and the price jumps, or it has drifted by more than the tolerance. The
    floor enters the margin rows' coefficients (m_l - mu), so each probe changes those and re-solves warm."""
    from .lp import WarmProgram
    built = build_program(model, result, s, preset, objective, min_score, fixed_moves=fixed)
    warm = WarmProgram(built.program)
    rows = {t: built.program.rows.index(f"margin_floor.q{t}") for t in range(1, s.horizon + 1)}

    def score_at(floor_pct: float) -> float | None:
        mu = floor_pct / 100.0
        warm.change_coefficients((rows[t], built.revenue[(line, t)], float(s.margin[i]) - mu)
                                 for t in rows for i, line in enumerate(s.lines))
        return warm.objective() if warm.solve() == "optimal" else None

    h = precision_pct / 4

    def holds(floor_pct: float) -> bool:
        up, down = score_at(floor_pct + h), score_at(floor_pct - h)
        if up is None or down is None:
            return False
        return abs((up - down) / (2 * h) - price) <= PRICE_TOLERANCE * abs(price) + 1e-6

    floor = 100 * s.margin_floor
    if not holds(floor):
        return None
    ends = []
    for direction in (-1.0, 1.0):
        inner, outer = floor, None
        while abs(inner - floor) < span_pct:
            probe = inner + direction * step_pct
            if not holds(probe):
                outer = probe
                break
            inner = probe
        if outer is not None:
            while abs(outer - inner) > precision_pct:
                mid = 0.5 * (inner + outer)
                inner, outer = (mid, outer) if holds(mid) else (inner, mid)
        ends.append(inner)
    return (ends[0], ends[1])


# ------------------------------------------------------------------------------------------------ infeasible


def _explain_infeasible(model, result, s: Setting, preset, objective, min_score,
                        solver) -> tuple[str, pd.DataFrame, str, tuple[str, ...]]:
    """Why no mix exists, in the strategy file's own names: (message, relaxation table, status, IIS).

    When a lower margin floor would do, the answer is the highest floor that can be kept (by bisection) and the
    constraints that bind against the floor there (the ones with a price: they are what stops a higher margin).
    Otherwise an elastic copy of the model finds the smallest relaxation of the policy constraints, each measured
    in its own units, that restores feasibility. Either way HiGHS's irreducible infeasible subset, computed with
    the moves of the closest mix fixed, names constraints that cannot hold together."""
    what = f"the {preset.id} preset" if preset else "the constraints"
    top = _highest_margin(model, result, preset, solver)
    if top is not None and top < 100 * s.margin_floor:
        at = setting(model, preset, top)
        first = solve_outcome(model, result, preset, top, solver=solver)
        rows = [dict(constraint=f"margin_floor.q{t}", relax_by=100 * s.margin_floor - top,
                     meaning=f"lower the floor to {top:.2f}% (percentage points)") for t in range(1, s.horizon + 1)]
        iis: tuple[str, ...] = ()
        if first.optimal:
            moves = {m: float(v) for m, v in first.moves.items()}
            fixed = build_program(model, result, at, preset, "score", None, fixed_moves=moves)
            priced = solve_program(fixed.program, solver=solver)
            for name in fixed.policy:
                price = priced.duals.get(name, 0.0) if priced.optimal else 0.0
                if not name.startswith("margin_floor") and abs(price) > 1e-9 \
                        and abs(priced.slacks.get(name, 1)) < BINDING_TOL:
                    rows.append(dict(constraint=name, relax_by=float("nan"),
                                     meaning=f"binds in the best mix at {top:.2f}% (priced): {fixed.meaning[name]}"))
            iis = _conflict(model, result, s, preset, objective, min_score, moves)
        table = pd.DataFrame(rows, columns=_NO_ROWS)
        binding = [r.constraint for r in table.itertuples() if not r.constraint.startswith("margin_floor")]
        message = (f"no mix keeps a {100 * s.margin_floor:.2f}% margin every quarter under {what}; the highest floor "
                   f"any mix keeps is {top:.2f}%"
                   + (f"; the best mix at that floor runs against {', '.join(binding)}" if binding else ""))
        return message + _iis_words(iis), table, "infeasible", iis
    built = build_program(model, result, s, preset, objective, min_score, elastic=True)
    solution = solve_program(built.program, solver=solver)
    rows, iis = [], ()
    if solution.optimal:
        for name, j in built.relax.items():
            by = solution.values.get(built.program.columns[j], 0.0)
            if by > BINDING_TOL:
                rows.append(dict(constraint=name, relax_by=float(by), meaning=built.meaning[name]))
        moves = {m: float(v) for m, v in built.moves_of(solution.values).items()}
        iis = _conflict(model, result, s, preset, objective, min_score, moves)
    table = pd.DataFrame(rows, columns=_NO_ROWS)
    if table.empty:
        return (f"no mix satisfies {what}, and no relaxation of the policy constraints restores one" + _iis_words(iis),
                table, "infeasible", iis)
    parts = ", ".join(f"{r.constraint} (by {r.relax_by:.4g})" for r in table.itertuples())
    return (f"no mix satisfies {what} at any margin floor; the smallest relaxation that restores one, each in "
            f"its constraint's own units: {parts}" + _iis_words(iis), table, "infeasible", iis)


def _conflict(model, result, s: Setting, preset, objective, min_score, moves: dict[str, float]) -> tuple[str, ...]:
    """HiGHS's irreducible infeasible subset of the LP with these moves fixed, as row names (a fixed move appears
    as ``move <id> on/off``, a revenue column's bound as ``<line> q<t> revenue at least 0`` or ``... at most its
    loosest cap``); empty if that LP is feasible. IIS is an LP notion, and CBC has none, so this runs on HiGHS
    whichever solver was asked."""
    built = build_program(model, result, s, preset, objective, min_score, fixed_moves=moves)
    answer = solve_program(built.program, solver="highs", iis=True)
    if answer.status != "infeasible":
        return ()
    names = []
    for name in answer.iis:
        bound, _, column = name.rpartition(" of ")
        if column.startswith("move_"):
            m = column.removeprefix("move_")
            names.append(f"move {m} {'on' if moves.get(m) else 'off'}")
        elif column.startswith("revenue_"):
            line, quarter = column.removeprefix("revenue_").rsplit("_q", 1)
            names.append(f"{line} q{quarter} revenue at least 0" if bound == "lower bound" else
                         f"{line} q{quarter} revenue at most its loosest cap")
        else:
            names.append(name)
    return tuple(names)


def _iis_words(iis: tuple[str, ...]) -> str:
    return f". These cannot hold together (an irreducible infeasible subset): {', '.join(iis)}" if iis else ""


# ------------------------------------------------------------------------------------- frontier and presets


def _feasible(model, result, preset, margin_floor_pct: float, solver: str) -> bool:
    s = setting(model, preset, margin_floor_pct)
    return solve_program(build_program(model, result, s, preset).program, solver=solver).optimal


def _highest_margin(model, result, preset, solver: str, precision_pct: float = 1e-4) -> float | None:
    margins = calibrated_margins(model)
    lo, hi = -100.0, max(margins.values())
    if not _feasible(model, result, preset, lo, solver):
        return None
    if _feasible(model, result, preset, hi, solver):
        return hi
    while hi - lo > precision_pct:
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if _feasible(model, result, preset, mid, solver) else (lo, mid)
    return lo


def highest_margin(model: StrategyModel, *, preset: str | None = None, vendors_folder=None, solver: str = "highs",
                   precision_pct: float = 1e-4) -> float | None:
    """The highest margin floor (percent) any mix can keep in every quarter, by bisection on feasibility (to
    ``precision_pct``); None when no mix is feasible at any floor."""
    return _highest_margin(model, view(model, vendors_folder), preset_of(model, preset), solver, precision_pct)


def frontier(model: StrategyModel, *, preset: str | None = None, points: int = 21, low_pct: float | None = None,
             vendors_folder=None, solver: str = "highs") -> pd.DataFrame:
    """Score against the margin floor, swept point by point from ``low_pct`` (default 0%) to the highest feasible
    floor, plus one point beyond it. Every point is recorded with its status, never skipped; every score is the
    scoring engine's (all points in one batch). A progress bar shows on a terminal (``scoring.progress``).

    Columns: margin_floor_pct, status, score, rank, revenue_rmb_bn (last quarter), margin_pct (lowest quarter),
    moves (the chosen ones, comma-separated), switched (moves that switched on (+) or off (-) since the previous
    feasible point), objective (the solver's, equal to the score).
    """
    chosen = preset_of(model, preset)
    result = view(model, vendors_folder)
    columns = ["margin_floor_pct", "status", "score", "rank", "revenue_rmb_bn", "margin_pct", "moves", "switched",
               "objective"]
    top = _highest_margin(model, result, chosen, solver)
    if top is None:
        return pd.DataFrame(columns=columns)
    low = min(0.0 if low_pct is None else low_pct, top)
    floors = [*np.linspace(low, top, max(points, 2)), top + max((top - low) / max(points - 1, 1), 0.5)]
    outcomes = [solve_outcome(model, result, chosen, float(floor), solver=solver)
                for floor in track(floors, "frontier floors")]
    ok = [o for o in outcomes if o.optimal]
    scores = engine_scores(result, [o.values for o in ok])
    focal = list(result.matrix.values.index).index(model.vendor)
    rank_all = ranks(scores, result.criteria.tolerance) if len(ok) else np.zeros((0, 0), int)
    rows, before, k = [], None, 0
    for floor, o in zip(floors, outcomes, strict=True):
        if not o.optimal:
            rows.append(dict(margin_floor_pct=float(floor), status=o.status, score=float("nan"), rank=None,
                             revenue_rmb_bn=float("nan"), margin_pct=float("nan"), moves="", switched="",
                             objective=float("nan")))
            continue
        on = {m for m, v in o.moves.items() if v}
        switched = "" if before is None else ", ".join(
            [f"+{m}" for m in sorted(on - before)] + [f"-{m}" for m in sorted(before - on)])
        before = on
        rows.append(dict(margin_floor_pct=float(floor), status=o.status, score=float(scores[k, focal]),
                         rank=int(rank_all[k, focal]), revenue_rmb_bn=float(o.revenue[:, -1].sum()),
                         margin_pct=float(o.margins_pct.min()), moves=", ".join(sorted(on)), switched=switched,
                         objective=o.objective))
        k += 1
    return pd.DataFrame(rows, columns=columns)


def compare_presets(model: StrategyModel, *, margin_floor_pct: float | None = None, vendors_folder=None,
                    solver: str = "highs") -> pd.DataFrame:
    """Every preset (and no preset) side by side, with deltas against the current mix (the base quarter held).

    Columns: preset, status, score, rank, score_delta, revenue_rmb_bn, revenue_delta_rmb_bn, margin_pct, moves.
    """
    result = view(model, vendors_folder)
    base_score = float(result.ranking.set_index("vendor").loc[model.vendor, "score"])
    base_revenue = model.base_revenue_rmb_bn.value
    rows = []
    for preset in [None, *(p.id for p in model.presets)]:
        label = preset or "(no preset)"
        try:
            plan = solve_mix(model, result, preset_of(model, preset), margin_floor_pct, solver=solver, price=False)
        except InfeasibleMix as exc:
            rows.append(dict(preset=label, status="infeasible", score=float("nan"), rank=None,
                             score_delta=float("nan"), revenue_rmb_bn=float("nan"),
                             revenue_delta_rmb_bn=float("nan"), margin_pct=float("nan"), moves=str(exc)))
            continue
        revenue = float(plan.mix[plan.mix["quarter"] == plan.mix["quarter"].max()]["revenue_rmb_bn"].sum())
        rows.append(dict(preset=label, status=plan.status, score=plan.score, rank=plan.rank,
                         score_delta=plan.score - base_score, revenue_rmb_bn=revenue,
                         revenue_delta_rmb_bn=revenue - base_revenue, margin_pct=float(plan.margins.min()),
                         moves=", ".join(m for m, v in plan.moves.items() if v)))
    return pd.DataFrame(rows)


# ------------------------------------------------------------------------------------------------ backtest


def backtest(model: StrategyModel, *, vendors_folder=None, solver: str = "highs") -> pd.DataFrame:
    """Each preset's projection (no preset included) beside what happened in the quarters the strategy file
    observes (``observed:``, facts only).

    Columns: preset, quarter (e.g. "2024-Q3"), measure ("revenue_rmb_bn" or "margin_pct"), projected, observed,
    error (projected - observed: RMB bn or percentage points), error_pct (revenue only: the error over observed).
    """
    result = view(model, vendors_folder)
    year, q = (int(x) for x in model.base_quarter.split("-Q"))
    rows = []
    for preset in [None, *(p.id for p in model.presets)]:
        o = solve_outcome(model, result, preset_of(model, preset), solver=solver)
        if not o.optimal:
            continue
        revenue = o.revenue.sum(axis=0)
        for quarter, facts in model.observed.items():
            y, k = (int(x) for x in quarter.split("-Q"))
            t = (y * 4 + k) - (year * 4 + q)           # quarters after the base quarter: 1..T
            if "revenue_rmb_bn" in facts:
                seen = facts["revenue_rmb_bn"].value
                rows.append(dict(preset=preset or "(no preset)", quarter=quarter, measure="revenue_rmb_bn",
                                 projected=float(revenue[t - 1]), observed=seen, error=float(revenue[t - 1]) - seen,
                                 error_pct=100 * (float(revenue[t - 1]) - seen) / seen))
            if "margin" in facts:
                seen = facts["margin"].value
                rows.append(dict(preset=preset or "(no preset)", quarter=quarter, measure="margin_pct",
                                 projected=float(o.margins_pct[t - 1]), observed=seen,
                                 error=float(o.margins_pct[t - 1]) - seen, error_pct=float("nan")))
    return pd.DataFrame(rows, columns=["preset", "quarter", "measure", "projected", "observed", "error", "error_pct"])
