"""Strategy optimizer: which mix of business lines and strategic moves gives a vendor the best projected score while
its adjusted EBITA margin stays above a floor? (The formulation is methods.md §3; the model is a strategy file,
schema ``strategy/v1``, see strategy/README.md.)

A mixed-integer linear program, solved through :mod:`scoring.lp`:

- **variables**: revenue r[l, t] >= 0 of each business line l in each quarter t = 1..T (RMB bn), and one binary
  y[m] per strategic move, decided at the start and in force throughout;
- **constraints**, each named as in the strategy file so that a binding or conflicting one reads in its own words:
  ``growth_cap.<line>.q<t>`` (r <= previous x (1 + cap), plus a move's extra points of the base quarter's revenue;
  or a level cap), ``adjustment_floor.<line>.q<t>`` (r >= floor x previous, relaxed for a line a move closes),
  ``closed.<line>.q<t>`` / ``opened.<line>.q<t>``, ``compute_capacity.q<t>``, ``headcount.q<t>``,
  ``margin_floor.q<t>`` (sum_l (m_l - mu) r_l - sum_m F_m y_m >= 0: the ratio EBITA / revenue >= mu written
  linearly), ``min_government_share.q<t>``, ``capex_budget``, ``excludes.<a>.<b>``, ``requires.<a>.<b>``,
  ``preset.<move>`` (moves a preset forces on or off), ``score_floor`` (with the revenue objective);
- **objective**: the focal vendor's projected composite score at the end of the horizon, under the strategy's
  criteria view: the same score ``cloudscore rank`` computes for the projected profile (fixed scales make it
  linear; a view whose method or normalization is not linear in the figures is refused). Projected metrics:
  a market share moves with the revenue of the lines that count towards it, against a market that grows by
  ``market_growth`` a quarter, s_T = s_0 C_T / (C_0 (1 + g)^T); a move may raise a metric (chip supply) by a
  stated amount; every other criterion keeps the vendor's value. A projected value beyond its scale is capped
  at the scale's end, as scoring caps it (``capped.<criterion>``). Or, with ``objective="revenue"``, the revenue
  in the last quarter subject to a score floor.

**The price of a constraint.** A MILP has no duals: the chosen moves are fixed and the LP re-solved, and its
duals are reported as d(score)/d(right-hand side) "given the chosen moves".

**Infeasible.** When no mix satisfies the constraints, an elastic copy of the model (every policy constraint may
be violated at a cost) finds the smallest relaxation that restores feasibility: which constraints conflict, and
by how much each would have to give.

**Rivals.** Shares are zero-sum: when the focal vendor's share of a market moves by d points, each rival's share
moves by -d in proportion to its own share; the projected ranking is the scoring engine's ranking of that matrix.

>>> from scoring.load import load_strategy
>>> model = load_strategy("strategy/alibaba.yaml")
>>> plan = optimize(model, preset="public-cloud-first")
>>> plan.status, bool(abs(plan.objective - plan.score) < 1e-9)
('optimal', True)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import ConfigError, ConfigErrors, Where, did_you_mean
from .lp import solve
from .methods import get_method
from .models import StrategyModel
from .normalize import get_normalization
from .rank import ranks

OBJECTIVES = ("score", "revenue")
_EPS = 1e-9


class InfeasibleMix(Exception):
    """No mix satisfies the constraints; ``relaxation`` says which constraints conflict and by how much."""

    def __init__(self, message: str, relaxation: pd.DataFrame, status: str = "infeasible") -> None:
        super().__init__(message)
        self.relaxation = relaxation
        self.status = status


@dataclass
class MixPlan:
    """The answer of :func:`optimize`.

    mix : DataFrame        one row per line x quarter: line, quarter, revenue_rmb_bn, share_pct
    moves : dict           move id -> chosen (bool)
    metrics : DataFrame    one row per criterion: criterion, metric, base, projected, moved (bool)
    margins : Series       adjusted EBITA margin (percent) per quarter
    constraints : DataFrame  one row per constraint: name, binding, slack, shadow_price (d score / d rhs given
                           the moves; NaN where not priced), meaning
    ranking : DataFrame    the projected ranking among the rivals (vendor, score, rank)
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

    @property
    def binding(self) -> pd.DataFrame:
        return self.constraints[self.constraints["binding"]]

    def to_dict(self) -> dict:
        last = self.mix[self.mix["quarter"] == self.mix["quarter"].max()]
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
                         "meaning": r.meaning}
                        for name, r in self.binding.iterrows() if not name.startswith("projected.")],
            "slack": {name: _round(r.slack) for name, r in self.constraints.iterrows()
                      if not r.binding and not name.startswith("projected.")},
            "ranking": [{"vendor": r.vendor, "score": _round(r.score), "rank": int(r.rank)}
                        for r in self.ranking.itertuples()],
            "solver": self.solver, "notes": self.notes,
        }


def _round(x) -> float | None:
    x = float(x)
    return None if np.isnan(x) else round(x, 9)


# --------------------------------------------------------------------------------------------- the model


@dataclass(frozen=True)
class _Setting:
    """The numbers of one strategy model under one preset, as plain floats (fractions, not percent)."""

    lines: list[str]
    base: np.ndarray            # r0 per line
    margin: np.ndarray          # fraction
    growth: np.ndarray          # fraction per quarter (NaN where a level cap applies)
    level_cap: np.ndarray       # rmb bn (NaN where a growth cap applies)
    compute: np.ndarray
    headcount: np.ndarray
    government: np.ndarray      # bool
    moves: list[str]
    margin_floor: float         # fraction
    min_government: float       # fraction
    capacity: float
    headcount_budget: float
    capex_budget: float
    adjustment_floor: float
    horizon: int


def calibrated_margins(model: StrategyModel) -> dict[str, float]:
    """Each line's margin (percent); the one marked derived is solved so that the base quarter reproduces the
    observed blended margin, base EBITA / base revenue.

    >>> from scoring.load import load_strategy
    >>> round(calibrated_margins(load_strategy("strategy/alibaba.yaml"))["public"], 3)
    9.484
    """
    blended = 100.0 * model.base_ebita_rmb_bn.value / model.base_revenue_rmb_bn.value
    known = {x.id: x.margin.value for x in model.lines if x.margin.value is not None}
    open_lines = [x for x in model.lines if x.margin.value is None]
    out = dict(known)
    if open_lines:
        line = open_lines[0]
        rest = sum(x.share_of_base.value / 100.0 * known[x.id] for x in model.lines if x.id != line.id)
        out[line.id] = (blended - rest) / (line.share_of_base.value / 100.0)
    return out


def _setting(model: StrategyModel, preset, margin_floor_pct: float | None) -> _Setting:
    margins = calibrated_margins(model)
    r0 = model.base_revenue_rmb_bn.value
    lines = [x.id for x in model.lines]
    cons = model.constraints
    floor = margin_floor_pct if margin_floor_pct is not None else (
        preset.margin_floor if preset is not None and preset.margin_floor is not None else cons["margin_floor"].value)
    gov = (preset.min_government_share if preset is not None and preset.min_government_share is not None
           else cons["min_government_share"].value)
    return _Setting(
        lines=lines,
        base=np.array([x.share_of_base.value / 100.0 * r0 for x in model.lines]),
        margin=np.array([margins[x.id] / 100.0 for x in model.lines]),
        growth=np.array([x.growth_cap.value / 100.0 if x.growth_cap else np.nan for x in model.lines]),
        level_cap=np.array([x.growth_cap_rmb_bn.value if x.growth_cap_rmb_bn else np.nan for x in model.lines]),
        compute=np.array([x.compute_kgpu_per_rmb_bn.value for x in model.lines]),
        headcount=np.array([x.headcount_k_per_rmb_bn.value for x in model.lines]),
        government=np.array([x.government for x in model.lines]),
        moves=[m.id for m in model.moves],
        margin_floor=floor / 100.0,
        min_government=gov / 100.0,
        capacity=cons["compute_capacity_kgpu"].value,
        headcount_budget=cons["headcount_k"].value,
        capex_budget=cons["capex_budget_rmb_bn"].value,
        adjustment_floor=cons["adjustment_floor"].value / 100.0,
        horizon=model.horizon_quarters,
    )


def _upper_bounds(model: StrategyModel, s: _Setting) -> np.ndarray:
    """(lines, T + 1) revenue no mix can exceed: every cap at its loosest, every raising move on."""
    extra = np.zeros(len(s.lines))
    for m in model.moves:
        for line, c in m.raises_growth_cap.items():
            extra[s.lines.index(line)] += c.value / 100.0
    ub = np.zeros((len(s.lines), s.horizon + 1))
    ub[:, 0] = s.base
    for t in range(1, s.horizon + 1):
        grown = ub[:, t - 1] * (1 + np.nan_to_num(s.growth)) + extra * s.base
        ub[:, t] = np.where(np.isnan(s.level_cap), grown, s.level_cap)
    return ub


@dataclass
class _Built:
    prob: object
    revenue: dict           # (line, t) -> variable
    chosen: dict            # move -> variable
    capped: dict            # criterion -> variable (projected value, capped at its scale)
    score_expr: object
    meaning: dict           # constraint name -> words
    policy: list            # names of constraints an elastic relaxation may violate
    slacks: dict = field(default_factory=dict)   # elastic copy only: constraint name -> its relaxation variable


def _view(model: StrategyModel, vendors_folder: str | Path):
    """The strategy's criteria view scored at its as-of date, checked to be linear in the figures."""
    from .pipeline import run
    result = run(model.criteria_path, vendors_folder, as_of=model.as_of)
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


def _projection(model: StrategyModel, result, s: _Setting):
    """Per criterion: (base raw value, affine projection: constant + revenue coefficients by (line) at T + move
    coefficients), or None where the model does not move it."""
    dm = result.matrix
    focal = model.vendor
    out = {}
    for crit, metric in zip(dm.values.columns, [c.metric for c in result.criteria.criteria], strict=True):
        base = float(dm.values.loc[focal, crit])
        lines = {}
        moves = {}
        if metric in model.metrics:
            counted = [i for i, x in enumerate(model.lines) if metric in x.counts_for]
            c0 = float(s.base[counted].sum())
            growth = model.metrics[metric]["market_growth"].value / 100.0
            if not np.isnan(base) and c0 > 0:
                coef = base / (c0 * (1 + growth) ** s.horizon)
                lines = {s.lines[i]: coef for i in counted}
        for m in model.moves:
            if metric in m.raises_metric and not np.isnan(base):
                moves[m.id] = m.raises_metric[metric].value
        if lines or moves:
            out[crit] = (base, metric, lines, moves)
    return out


def _build(model: StrategyModel, result, s: _Setting, preset, objective: str, min_score: float | None,
           fixed_moves: dict[str, float] | None = None, elastic: bool = False) -> _Built:
    import pulp
    prob = pulp.LpProblem("strategy_mix", pulp.LpMaximize if not elastic else pulp.LpMinimize)
    T, L = s.horizon, s.lines
    ub = _upper_bounds(model, s)
    r = {(line, t): prob.add_variable(f"revenue_{line}_q{t}", 0, float(ub[i, t]) + 1e-9)
         for i, line in enumerate(L) for t in range(1, T + 1)}
    if fixed_moves is None:
        y = {m: prob.add_variable(f"move_{m}", cat="Binary") for m in s.moves}
    else:
        y = {m: prob.add_variable(f"move_{m}", float(fixed_moves[m]), float(fixed_moves[m])) for m in s.moves}
    meaning, policy, slack_terms = {}, [], []

    def add(expr, name: str, words: str, is_policy: bool = False):
        nonlocal prob
        if elastic and is_policy:
            slack = prob.add_variable(f"relax_{name}", 0)
            if expr.sense == pulp.LpConstraintGE:
                expr = expr.expr + expr.constant + slack >= 0
            elif expr.sense == pulp.LpConstraintLE:
                expr = expr.expr + expr.constant - slack <= 0
            slack_terms.append((name, slack))
        prob += (expr, name)
        meaning[name] = words
        if is_policy:
            policy.append(name)

    def prev(i: int, t: int):
        return float(s.base[i]) if t == 1 else r[(L[i], t - 1)]

    closers = {line: [m.id for m in model.moves if line in m.closes_lines] for line in L}
    openers = {line: [m.id for m in model.moves if line in m.opens_lines] for line in L}
    for i, line in enumerate(L):
        raises = [(m.id, m.raises_growth_cap[line].value / 100.0) for m in model.moves if line in m.raises_growth_cap]
        for t in range(1, T + 1):
            q = f"q{t}"
            if np.isnan(s.level_cap[i]):
                cap = prev(i, t) * (1 + float(s.growth[i])) + pulp.lpSum(float(k * s.base[i]) * y[m] for m, k in raises)
                add(r[(line, t)] <= cap, f"growth_cap.{line}.{q}",
                    f"{line} grows at most {s.growth[i]:.1%} a quarter"
                    + (" (more with " + ", ".join(m for m, _ in raises) + ")" if raises else ""), True)
            else:
                add(r[(line, t)] <= float(s.level_cap[i]), f"growth_cap.{line}.{q}",
                    f"{line} brings at most {s.level_cap[i]:g} bn a quarter", True)
            relax = pulp.lpSum(float(s.adjustment_floor * ub[i, t - 1]) * y[m] for m in closers[line])
            if s.base[i] > 0:
                add(r[(line, t)] >= s.adjustment_floor * prev(i, t) - relax, f"adjustment_floor.{line}.{q}",
                    f"{line} keeps at least {s.adjustment_floor:.0%} of the previous quarter"
                    + (f" unless {', '.join(closers[line])}" if closers[line] else ""), True)
            for m in closers[line]:
                add(r[(line, t)] <= float(ub[i, t]) * (1 - y[m]), f"closed.{line}.{q}.{m}", f"{m} closes {line}")
            if openers[line]:
                add(r[(line, t)] <= float(ub[i, t]) * pulp.lpSum(y[m] for m in openers[line]),
                    f"opened.{line}.{q}", f"{line} needs {' or '.join(openers[line])}")
    capacity_raise = [(m.id, m.raises_capacity_kgpu.value) for m in model.moves if m.raises_capacity_kgpu]
    fixed_cost = [(m.id, m.fixed_cost_rmb_bn.value) for m in model.moves]
    for t in range(1, T + 1):
        q = f"q{t}"
        rt = [r[(line, t)] for line in L]
        add(pulp.lpSum(float(s.compute[i]) * rt[i] for i in range(len(L)))
            <= s.capacity + pulp.lpSum(float(k) * y[m] for m, k in capacity_raise),
            f"compute_capacity.{q}", f"compute used stays within {s.capacity:g}k GPU-equivalents (plus what moves add)",
            True)
        add(pulp.lpSum(float(s.headcount[i]) * rt[i] for i in range(len(L))) <= s.headcount_budget,
            f"headcount.{q}", f"headcount stays within {s.headcount_budget:g}k", True)
        add(pulp.lpSum(float(s.margin[i] - s.margin_floor) * rt[i] for i in range(len(L)))
            - pulp.lpSum(float(k) * y[m] for m, k in fixed_cost) >= 0,
            f"margin_floor.{q}", f"adjusted EBITA margin at least {s.margin_floor:.1%} in quarter {t}", True)
        add(pulp.lpSum(float(s.government[i] - s.min_government) * rt[i] for i in range(len(L))) >= 0,
            f"min_government_share.{q}", f"government and hybrid revenue at least {s.min_government:.0%} of the total",
            True)
    add(pulp.lpSum(float(m.capex_rmb_bn.value) * y[m.id] for m in model.moves) <= s.capex_budget, "capex_budget",
        f"capex of the moves within {s.capex_budget:g} bn", True)
    for m in model.moves:
        for other in m.excludes:
            if m.id < other or m.id not in model.move(other).excludes:
                add(y[m.id] + y[other] <= 1, f"excludes.{m.id}.{other}", f"{m.id} and {other} exclude each other")
        for other in m.requires:
            add(y[m.id] <= y[other], f"requires.{m.id}.{other}", f"{m.id} needs {other}")
    if preset is not None:
        for m, on in preset.force.items():
            add(y[m] == (1 if on else 0), f"preset.{m}",
                f"the {preset.id} preset {'chooses' if on else 'rules out'} {m}")

    # the objective: the focal vendor's score, affine in the projected metrics
    dm = result.matrix
    w = dm.weights
    norm = result.normalized.loc[model.vendor]
    constant = float(sum(w[c] * norm[c] for c in dm.values.columns))
    score = constant
    capped = {}
    for crit, (base, _metric, lines, moves) in _projection(model, result, s).items():
        lo, hi = float(dm.lower[crit]), float(dm.upper[crit])
        expr = base + pulp.lpSum(k * (r[(line, T)] - float(s.base[L.index(line)])) for line, k in lines.items()) \
            + pulp.lpSum(float(k) * y[m] for m, k in moves.items())
        z = prob.add_variable(f"projected_{crit}", None, None)
        if dm.directions[crit] == "max":
            add(z <= expr, f"projected.{crit}", f"{crit} as projected")
            add(z <= hi, f"capped.{crit}", f"{crit} counts up to the end of its scale ({hi:g})")
            contribution = (z - lo) / (hi - lo)
        else:
            add(z >= expr, f"projected.{crit}", f"{crit} as projected")
            add(z >= lo, f"capped.{crit}", f"{crit} counts down to the end of its scale ({lo:g})")
            contribution = (hi - z) / (hi - lo)
        score = score + float(w[crit]) * (contribution - float(norm[crit]))
        capped[crit] = z
    if elastic:
        prob += pulp.lpSum(v for _, v in slack_terms), "total_relaxation"
    elif objective == "score":
        prob += score, "projected_score"
    else:
        prob += pulp.lpSum(r[(line, T)] for line in L), "revenue_last_quarter"
        if min_score is not None:
            add(score >= min_score, "score_floor", f"projected score at least {min_score:.4f}", True)
    return _Built(prob, r, y, capped, score, meaning, policy, dict(slack_terms))


# ------------------------------------------------------------------------------------------------ optimize


def optimize(model: StrategyModel, *, preset: str | None = None, margin_floor_pct: float | None = None,
             objective: str = "score", min_score: float | None = None, vendors_folder: str | Path | None = None,
             solver: str = "highs") -> MixPlan:
    """The best mix and moves for the model's vendor under a preset (see the module docstring).

    Raises ``InfeasibleMix`` (with the smallest relaxation that restores feasibility) when nothing satisfies the
    constraints, ``ConfigErrors`` for an unknown preset or a view that is not linear in the figures.
    """
    if objective not in OBJECTIVES:
        raise ValueError(f"unknown objective {objective!r}; choose one of {list(OBJECTIVES)}")
    chosen_preset = _preset(model, preset)
    result = _view(model, vendors_folder or _default_vendors(model))
    return _optimize(model, result, chosen_preset, margin_floor_pct, objective, min_score, solver)


def _optimize(model, result, chosen_preset, margin_floor_pct, objective="score", min_score=None, solver="highs",
              price: bool = True, explain: bool = True) -> MixPlan:
    """:func:`optimize` on a view already scored; ``price=False`` skips the LP that prices the constraints,
    ``explain=False`` the search for why a model is infeasible (the exception then carries only the status)."""
    s = _setting(model, chosen_preset, margin_floor_pct)
    built = _build(model, result, s, chosen_preset, objective, min_score)
    solution = solve(built.prob, solver=solver)
    if solution.status == "infeasible" and explain:
        raise InfeasibleMix(*_explain_infeasible(model, result, s, chosen_preset, objective, min_score, solver))
    if not solution.optimal:
        raise InfeasibleMix(f"no proven optimum (status {solution.status!r})",
                            pd.DataFrame(columns=["constraint", "relax_by", "meaning"]), solution.status)
    moves = {m: bool(round(solution.values.get(f"move_{m}", 0.0))) for m in s.moves}
    if price:
        priced = solve(_build(model, result, s, chosen_preset, objective, min_score,
                              fixed_moves={m: float(v) for m, v in moves.items()}).prob, solver=solver)
    else:
        from .lp import Solution
        priced = Solution("not solved")
    return _plan(model, result, s, built, solution, priced, moves, chosen_preset, objective, solver)


def _default_vendors(model: StrategyModel) -> Path:
    """The vendors folder beside the criteria view's folder (the repository layout: criteria/, vendors/)."""
    return Path(model.criteria_path).parent.parent / "vendors"


def _preset(model: StrategyModel, preset: str | None):
    if preset is None:
        return None
    ids = [p.id for p in model.presets]
    if preset not in ids:
        raise ConfigErrors([ConfigError(Where("--preset"), "", f"unknown preset {preset!r} in {model.path}",
                                        did_you_mean(preset, ids))])
    return model.preset(preset)


def _plan(model, result, s: _Setting, built: _Built, solution, priced, moves, preset, objective, solver) -> MixPlan:
    T, L = s.horizon, s.lines
    values = solution.values
    rev = np.array([[values.get(f"revenue_{line}_q{t}", 0.0) for t in range(1, T + 1)] for line in L])
    rows = []
    for t in range(T):
        total = rev[:, t].sum()
        for i, line in enumerate(L):
            rows.append(dict(line=line, quarter=t + 1, revenue_rmb_bn=float(rev[i, t]),
                             share_pct=float(100 * rev[i, t] / total) if total > 0 else float("nan")))
    mix = pd.DataFrame(rows)
    fixed_cost = sum(model.move(m).fixed_cost_rmb_bn.value for m, on in moves.items() if on)
    margins = pd.Series({t + 1: float(100 * (s.margin @ rev[:, t] - fixed_cost) / rev[:, t].sum())
                         for t in range(T)}, name="margin_pct")
    projected = project_matrix(model, result, s, rev[:, -1], moves)
    from .scorer import Scorer
    scorer = Scorer(projected, result.criteria.normalization, result.method, result.preferences,
                    result.criteria.tolerance)
    scores = scorer.scores()
    vendors = list(projected.values.index)
    focal = vendors.index(model.vendor)
    rank_now = ranks(scores, result.criteria.tolerance)
    ranking = pd.DataFrame({"vendor": vendors, "score": scores, "rank": rank_now}).sort_values(
        ["rank", "vendor"]).reset_index(drop=True)
    moved = set(_projection(model, result, s))
    metrics = pd.DataFrame([dict(criterion=c, metric=m.metric, base=float(result.matrix.values.loc[model.vendor, c]),
                                 projected=float(projected.values.loc[model.vendor, c]), moved=c in moved)
                            for c, m in zip(result.matrix.values.columns, result.criteria.criteria, strict=True)])
    constraint_rows = []
    for name, words in built.meaning.items():
        slack = solution.slacks.get(name, float("nan"))
        price = priced.duals.get(name, float("nan")) if priced.optimal else float("nan")
        constraint_rows.append(dict(name=name, binding=bool(abs(slack) <= 1e-7), slack=float(slack),
                                    shadow_price=float(price), meaning=words))
    constraints = pd.DataFrame(constraint_rows, columns=["name", "binding", "slack", "shadow_price", "meaning"])
    constraints = constraints.set_index("name")
    score = float(scores[focal])
    notes = []
    if objective == "score" and abs(score - solution.objective) > 1e-7:
        notes.append(f"the solver's objective {solution.objective:.9f} differs from the engine's score {score:.9f}")
    notes.append("rivals' market shares move against the focal vendor's gain, in proportion to their own shares")
    return MixPlan(status="optimal", objective=float(solution.objective), score=score, rank=int(rank_now[focal]),
                   mix=mix, moves=moves, metrics=metrics, margins=margins, constraints=constraints, ranking=ranking,
                   preset=preset.id if preset else None, margin_floor_pct=100 * s.margin_floor,
                   objective_kind=objective, solver=solver, notes=notes)


def project_matrix(model: StrategyModel, result, s: _Setting, last_revenue: np.ndarray, moves: dict[str, bool]):
    """The view's decision matrix with the focal vendor's moved metrics projected, and each rival's share moved
    against the focal vendor's gain in proportion to its own share (zero-sum)."""
    from dataclasses import replace
    dm = result.matrix
    values = dm.values.copy()
    L = s.lines
    for crit, (base, _metric, lines, move_raise) in _projection(model, result, s).items():
        new = base + sum(k * (last_revenue[L.index(line)] - s.base[L.index(line)]) for line, k in lines.items()) \
            + sum(k for m, k in move_raise.items() if moves.get(m))
        values.loc[model.vendor, crit] = new
        if lines:                      # a market share: the rivals give up (or gain) what the focal vendor gains
            rivals = [v for v in values.index if v != model.vendor and not np.isnan(values.loc[v, crit])]
            total = float(values.loc[rivals, crit].sum())
            if total > 0:
                values.loc[rivals, crit] = values.loc[rivals, crit] * (1 - (new - base) / total)
    return replace(dm, values=values)


# ------------------------------------------------------------------------------------------------ infeasible


def _explain_infeasible(model, result, s, preset, objective, min_score, solver) -> tuple[str, pd.DataFrame]:
    """Why no mix exists, in the strategy file's own names.

    When a lower margin floor would do, the answer is the highest floor that can be kept (by bisection) and the
    constraints that bind against the floor there (the ones with a price: they are what stops a higher margin).
    Otherwise an elastic copy of the model finds the smallest relaxation of the policy constraints, each measured
    in its own units, that restores feasibility."""
    what = f"the {preset.id} preset" if preset else "the constraints"
    top = _highest_margin(model, result, preset, solver)
    if top is not None and top < 100 * s.margin_floor:
        at = _setting(model, preset, top)
        built = _build(model, result, at, preset, "score", None)
        first = solve(built.prob, solver=solver)
        rows = [dict(constraint=f"margin_floor.q{t}", relax_by=100 * s.margin_floor - top,
                     meaning=f"lower the floor to {top:.2f}% (percentage points)") for t in range(1, s.horizon + 1)]
        if first.optimal:
            moves = {m: float(round(first.values.get(f"move_{m}", 0.0))) for m in s.moves}
            fixed = _build(model, result, at, preset, "score", None, fixed_moves=moves)
            priced = solve(fixed.prob, solver=solver)
            for name in fixed.policy:
                price = priced.duals.get(name, 0.0) if priced.optimal else 0.0
                if not name.startswith("margin_floor") and abs(price) > 1e-9 and abs(priced.slacks.get(name, 1)) < 1e-7:
                    rows.append(dict(constraint=name, relax_by=float("nan"),
                                     meaning=f"binds in the best mix at {top:.2f}% (priced): {fixed.meaning[name]}"))
        table = pd.DataFrame(rows, columns=["constraint", "relax_by", "meaning"])
        binding = [r.constraint for r in table.itertuples() if not r.constraint.startswith("margin_floor")]
        return (f"no mix keeps a {100 * s.margin_floor:.2f}% margin every quarter under {what}; the highest floor "
                f"any mix keeps is {top:.2f}%" + (f"; the best mix at that floor runs against {', '.join(binding)}"
                                                  if binding else ""), table)
    built = _build(model, result, s, preset, objective, min_score, elastic=True)
    solution = solve(built.prob, solver=solver)
    rows = []
    if solution.optimal:
        for name, var in built.slacks.items():
            by = solution.values.get(var.name, 0.0)
            if by > 1e-7:
                rows.append(dict(constraint=name, relax_by=float(by), meaning=built.meaning[name]))
    table = pd.DataFrame(rows, columns=["constraint", "relax_by", "meaning"])
    if table.empty:
        return f"no mix satisfies {what}, and no relaxation of the policy constraints restores one", table
    parts = ", ".join(f"{r.constraint} (by {r.relax_by:.4g})" for r in table.itertuples())
    return (f"no mix satisfies {what} at any margin floor; the smallest relaxation that restores one, each in "
            f"its constraint's own units: {parts}", table)


# ------------------------------------------------------------------------------------- frontier and presets


def _feasible(model, result, preset, margin_floor_pct: float, solver: str) -> bool:
    s = _setting(model, preset, margin_floor_pct)
    return solve(_build(model, result, s, preset, "score", None).prob, solver=solver).optimal


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
    chosen = _preset(model, preset)
    result = _view(model, vendors_folder or _default_vendors(model))
    return _highest_margin(model, result, chosen, solver, precision_pct)


def frontier(model: StrategyModel, *, preset: str | None = None, points: int = 21, low_pct: float | None = None,
             vendors_folder=None, solver: str = "highs") -> pd.DataFrame:
    """Score against the margin floor, swept point by point from ``low_pct`` (default 0%) to the highest feasible
    floor, plus one point beyond it. Every point is recorded with its status, never skipped.

    Columns: margin_floor_pct, status, score, rank, revenue_rmb_bn (last quarter), margin_pct (lowest quarter),
    moves (the chosen ones, comma-separated), switched (moves that switched on (+) or off (-) since the previous
    feasible point).
    """
    chosen = _preset(model, preset)
    result = _view(model, vendors_folder or _default_vendors(model))
    top = _highest_margin(model, result, chosen, solver)
    if top is None:
        return pd.DataFrame(columns=["margin_floor_pct", "status", "score", "rank", "revenue_rmb_bn", "margin_pct",
                                     "moves", "switched"])
    low = 0.0 if low_pct is None else low_pct
    low = min(low, top)
    floors = list(np.linspace(low, top, max(points, 2)))
    floors.append(top + max((top - low) / max(points - 1, 1), 0.5))
    rows, before = [], None
    for floor in floors:
        s = _setting(model, chosen, float(floor))
        solution = solve(_build(model, result, s, chosen, "score", None).prob, solver=solver)
        if not solution.optimal:
            rows.append(dict(margin_floor_pct=float(floor), status=solution.status, score=float("nan"), rank=None,
                             revenue_rmb_bn=float("nan"), margin_pct=float("nan"), moves="", switched=""))
            continue
        plan = _plan(model, result, s, _Built(None, {}, {}, {}, None, {}, []), solution, solution,
                     {m: bool(round(solution.values.get(f"move_{m}", 0.0))) for m in s.moves}, chosen, "score",
                     solver)
        on = {m for m, v in plan.moves.items() if v}
        switched = "" if before is None else ", ".join(
            [f"+{m}" for m in sorted(on - before)] + [f"-{m}" for m in sorted(before - on)])
        before = on
        last = plan.mix[plan.mix["quarter"] == plan.mix["quarter"].max()]
        rows.append(dict(margin_floor_pct=float(floor), status=plan.status, score=plan.score, rank=plan.rank,
                         revenue_rmb_bn=float(last["revenue_rmb_bn"].sum()), margin_pct=float(plan.margins.min()),
                         moves=", ".join(sorted(on)), switched=switched))
    return pd.DataFrame(rows)


def compare_presets(model: StrategyModel, *, margin_floor_pct: float | None = None, vendors_folder=None,
                    solver: str = "highs") -> pd.DataFrame:
    """Every preset (and no preset) side by side, with deltas against the current mix (the base quarter held).

    Columns: preset, status, score, rank, score_delta, revenue_rmb_bn, revenue_delta_rmb_bn, margin_pct, moves.
    """
    vendors_folder = vendors_folder or _default_vendors(model)
    result = _view(model, vendors_folder)
    base_score = float(result.ranking.set_index("vendor").loc[model.vendor, "score"])
    base_revenue = model.base_revenue_rmb_bn.value
    rows = []
    for preset in [None, *(p.id for p in model.presets)]:
        label = preset or "(no preset)"
        try:
            plan = _optimize(model, result, _preset(model, preset), margin_floor_pct, solver=solver, price=False)
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
    result = _view(model, vendors_folder or _default_vendors(model))
    year, q = (int(x) for x in model.base_quarter.split("-Q"))
    rows = []
    for preset in [None, *(p.id for p in model.presets)]:
        try:
            plan = _optimize(model, result, _preset(model, preset), None, solver=solver, price=False)
        except InfeasibleMix:
            continue
        revenue = plan.mix.groupby("quarter")["revenue_rmb_bn"].sum()
        for quarter, facts in model.observed.items():
            y, k = (int(x) for x in quarter.split("-Q"))
            t = (y * 4 + k) - (year * 4 + q)
            if "revenue_rmb_bn" in facts:
                seen = facts["revenue_rmb_bn"].value
                rows.append(dict(preset=preset or "(no preset)", quarter=quarter, measure="revenue_rmb_bn",
                                 projected=float(revenue[t]), observed=seen, error=float(revenue[t]) - seen,
                                 error_pct=100 * (float(revenue[t]) - seen) / seen))
            if "margin" in facts:
                seen = facts["margin"].value
                rows.append(dict(preset=preset or "(no preset)", quarter=quarter, measure="margin_pct",
                                 projected=float(plan.margins[t]), observed=seen,
                                 error=float(plan.margins[t]) - seen, error_pct=float("nan")))
    return pd.DataFrame(rows, columns=["preset", "quarter", "measure", "projected", "observed", "error", "error_pct"])
