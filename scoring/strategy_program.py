"""A strategy model as a mixed-integer linear program: the numbers of a model under one preset (:class:`Setting`),
and the program built from them (:func:`build_program`), in matrix form for :func:`scoring.lp.solve_program`.
The optimizer (:mod:`scoring.optimize`) solves and explains it; this module only says what the program is.

- **columns**: revenue r[l, t] >= 0 of each business line l in each quarter t = 1..T (RMB bn), named
  ``revenue_<line>_q<t>``; one binary ``move_<m>`` per strategic move, decided at the start and in force
  throughout; one free ``projected_<criterion>`` per criterion the mix moves (its projected value, capped at its
  scale's end);
- **rows**, each named as in the strategy file so that a binding or conflicting one reads in its own words:
  ``growth_cap.<line>.q<t>`` (r <= previous x (1 + cap), plus a move's extra points of the base quarter's revenue;
  or a level cap), ``adjustment_floor.<line>.q<t>`` (r >= floor x previous, relaxed for a line a move closes),
  ``closed.<line>.q<t>.<move>`` / ``opened.<line>.q<t>``, ``compute_capacity.q<t>``, ``headcount.q<t>``,
  ``margin_floor.q<t>`` (sum_l (m_l - mu) r_l - sum_m F_m y_m >= 0: the ratio EBITA / revenue >= mu written
  linearly), ``min_government_share.q<t>``, ``capex_budget``, ``excludes.<a>.<b>``, ``requires.<a>.<b>``,
  ``preset.<move>`` (moves a preset forces on or off), ``projected.<criterion>`` and ``capped.<criterion>``,
  ``score_floor`` (with the revenue objective);
- **objective**: the focal vendor's composite score at the end of the horizon under the strategy's criteria view,
  affine in the projected values because the view's scales are fixed (the optimizer refuses any other view); or the
  last quarter's revenue under a score floor. An **elastic** copy gives every policy row a relaxation column
  ``relax_<row>`` and minimises their sum (what it takes to make an infeasible model feasible).

Every row is written ``terms . x + constant (sense) 0``; a row's dual is d objective / d right-hand side, where the
right-hand side is ``-constant`` (so the dual of ``compute_capacity.q1`` is the score of one more thousand GPUs).

>>> from scoring.load import load_strategy
>>> from scoring.optimize import view
>>> model = load_strategy("strategy/alibaba.yaml")
>>> preset = model.preset("hybrid")
>>> built = build_program(model, view(model), setting(model, preset, None), preset)
>>> built.program.rows[:2]
['growth_cap.public.q1', 'adjustment_floor.public.q1']
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .lp import INF, Program
from .models import StrategyModel

_GE, _LE, _EQ = ">=", "<=", "=="


@dataclass(frozen=True)
class Setting:
    """The numbers of one strategy model under one preset, as plain floats (fractions, not percent)."""

    lines: list[str]
    base: np.ndarray            # r0 per line, RMB bn
    margin: np.ndarray          # adjusted EBITA margin, fraction
    growth: np.ndarray          # growth cap, fraction per quarter (NaN where a level cap applies)
    level_cap: np.ndarray       # RMB bn a quarter (NaN where a growth cap applies)
    compute: np.ndarray         # k GPU-equivalents per RMB bn a quarter
    headcount: np.ndarray       # k people per RMB bn a quarter
    government: np.ndarray      # bool: counts as government/hybrid presence
    moves: list[str]
    margin_floor: float         # fraction
    min_government: float       # fraction
    capacity: float             # k GPU-equivalents
    headcount_budget: float     # k people
    capex_budget: float         # RMB bn
    adjustment_floor: float     # fraction of the previous quarter a line keeps
    horizon: int                # quarters


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


def setting(model: StrategyModel, preset, margin_floor_pct: float | None) -> Setting:
    """The model's numbers under ``preset`` (a ``models.Preset`` or None); ``margin_floor_pct`` overrides the floor."""
    margins = calibrated_margins(model)
    r0 = model.base_revenue_rmb_bn.value
    cons = model.constraints
    floor = margin_floor_pct if margin_floor_pct is not None else (
        preset.margin_floor if preset is not None and preset.margin_floor is not None else cons["margin_floor"].value)
    gov = (preset.min_government_share if preset is not None and preset.min_government_share is not None
           else cons["min_government_share"].value)
    return Setting(
        lines=[x.id for x in model.lines],
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


def upper_bounds(model: StrategyModel, s: Setting) -> np.ndarray:
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


@dataclass(frozen=True)
class Projection:
    """How the mix moves one criterion of the focal vendor: ``value = base + sum_l per_line[l] x (r_l,T - r_l,0)
    + sum of per_move[m] over the moves chosen``."""

    criterion: str
    metric: str
    base: float
    per_line: dict[str, float]
    per_move: dict[str, float]


def projections(model: StrategyModel, result, s: Setting) -> list[Projection]:
    """The criteria the mix moves. A market share moves with the revenue of the lines that count towards it,
    against a market that grows by ``market_growth`` a quarter: s_T = s_0 C_T / (C_0 (1 + g)^T); a move may raise a
    metric by a stated amount; a criterion with no value for the vendor is not moved."""
    dm = result.matrix
    focal = dm.values.loc[model.vendor].to_numpy(float)
    out = []
    for crit, c, base in zip(dm.values.columns, result.criteria.criteria, focal.tolist(), strict=True):
        per_line, per_move = {}, {}
        if c.metric in model.metrics:
            counted = [i for i, x in enumerate(model.lines) if c.metric in x.counts_for]
            c0 = float(s.base[counted].sum())
            growth = model.metrics[c.metric]["market_growth"].value / 100.0
            if not np.isnan(base) and c0 > 0:
                coef = base / (c0 * (1 + growth) ** s.horizon)
                per_line = {s.lines[i]: coef for i in counted}
        for m in model.moves:
            if c.metric in m.raises_metric and not np.isnan(base):
                per_move[m.id] = m.raises_metric[c.metric].value
        if per_line or per_move:
            out.append(Projection(crit, c.metric, base, per_line, per_move))
    return out


def projected_values(model: StrategyModel, result, s: Setting, last_revenue: np.ndarray,
                     moves: dict[str, bool]) -> np.ndarray:
    """The view's raw values (vendors, criteria) with the focal vendor's moved criteria projected, and each rival's
    share moved against the focal vendor's gain in proportion to its own share (shares are zero-sum)."""
    dm = result.matrix
    values = dm.values.to_numpy(float).copy()
    vendors, criteria = list(dm.values.index), list(dm.values.columns)
    focal = vendors.index(model.vendor)
    for p in projections(model, result, s):
        j = criteria.index(p.criterion)
        new = p.base + sum(k * (last_revenue[s.lines.index(line)] - s.base[s.lines.index(line)])
                           for line, k in p.per_line.items()) + sum(k for m, k in p.per_move.items() if moves.get(m))
        values[focal, j] = new
        if p.per_line:
            rivals = [i for i in range(len(vendors)) if i != focal and not np.isnan(values[i, j])]
            total = float(values[rivals, j].sum())
            if total > 0:
                values[rivals, j] *= 1 - (new - p.base) / total
    return values


@dataclass
class Built:
    """A built program and the names a reader needs: which column is which, and what each row means."""

    program: Program
    revenue: dict[tuple[str, int], int]     # (line, quarter) -> column
    chosen: dict[str, int]                  # move -> column
    projected: dict[str, int]               # criterion -> column (projected value, capped at its scale)
    score_terms: dict[int, float]           # the score: sum of terms + score_constant
    score_constant: float
    meaning: dict[str, str]                 # row name -> words
    policy: list[str]                       # rows an elastic relaxation may violate
    relax: dict[str, int] = field(default_factory=dict)    # elastic copy: row -> its relaxation column

    def moves_of(self, values: dict[str, float]) -> dict[str, bool]:
        """The moves a solution chose."""
        return {m: bool(round(values.get(self.program.columns[j], 0.0))) for m, j in self.chosen.items()}


def build_program(model: StrategyModel, result, s: Setting, preset, objective: str = "score",
                  min_score: float | None = None, fixed_moves: dict[str, float] | None = None,
                  elastic: bool = False) -> Built:
    """The program of ``model`` under the setting ``s`` and ``preset`` (see the module docstring). ``fixed_moves``
    fixes every move (the LP that prices a MILP's rows); ``elastic`` builds the relaxation copy."""
    p = Program("strategy_mix", maximize=not elastic)
    T, L = s.horizon, s.lines
    ub = upper_bounds(model, s)
    r = {(line, t): p.add_column(f"revenue_{line}_q{t}", 0.0, float(ub[i, t]) + 1e-9)
         for i, line in enumerate(L) for t in range(1, T + 1)}
    if fixed_moves is None:
        y = {m: p.add_column(f"move_{m}", binary=True) for m in s.moves}
    else:
        y = {m: p.add_column(f"move_{m}", float(fixed_moves[m]), float(fixed_moves[m])) for m in s.moves}
    meaning: dict[str, str] = {}
    policy: list[str] = []
    relax: dict[str, int] = {}

    def add(name: str, terms: dict[int, float], constant: float, sense: str, words: str, is_policy: bool = False):
        terms = dict(terms)
        if elastic and is_policy and sense != _EQ:
            relax[name] = j = p.add_column(f"relax_{name}", 0.0)
            terms[j] = 1.0 if sense == _GE else -1.0
        lower = -constant if sense in (_GE, _EQ) else -INF
        upper = -constant if sense in (_LE, _EQ) else INF
        p.add_row(name, terms, lower, upper)
        meaning[name] = words
        if is_policy:
            policy.append(name)

    def previous(i: int, t: int, k: float) -> tuple[dict[int, float], float]:
        """k x the previous quarter's revenue of line i: a constant in the first quarter, a column after."""
        return ({}, k * float(s.base[i])) if t == 1 else ({r[(L[i], t - 1)]: k}, 0.0)

    closers = {line: [m.id for m in model.moves if line in m.closes_lines] for line in L}
    openers = {line: [m.id for m in model.moves if line in m.opens_lines] for line in L}
    for i, line in enumerate(L):
        raises = [(m.id, m.raises_growth_cap[line].value / 100.0) for m in model.moves if line in m.raises_growth_cap]
        for t in range(1, T + 1):
            q, col = f"q{t}", r[(line, t)]
            if np.isnan(s.level_cap[i]):
                # r <= (1 + g) previous + sum_m k_m r_0 y_m
                prev_terms, prev_const = previous(i, t, -(1 + float(s.growth[i])))
                terms = {col: 1.0, **prev_terms, **{y[m]: -k * float(s.base[i]) for m, k in raises}}
                add(f"growth_cap.{line}.{q}", terms, prev_const, _LE,
                    f"{line} grows at most {s.growth[i]:.1%} a quarter"
                    + (" (more with " + ", ".join(m for m, _ in raises) + ")" if raises else ""), True)
            else:
                add(f"growth_cap.{line}.{q}", {col: 1.0}, -float(s.level_cap[i]), _LE,
                    f"{line} brings at most {s.level_cap[i]:g} bn a quarter", True)
            if s.base[i] > 0:
                # r >= kappa previous - kappa ub_{t-1} y_m for a move m that closes the line
                prev_terms, prev_const = previous(i, t, -s.adjustment_floor)
                terms = {col: 1.0, **prev_terms,
                         **{y[m]: float(s.adjustment_floor * ub[i, t - 1]) for m in closers[line]}}
                add(f"adjustment_floor.{line}.{q}", terms, prev_const, _GE,
                    f"{line} keeps at least {s.adjustment_floor:.0%} of the previous quarter"
                    + (f" unless {', '.join(closers[line])}" if closers[line] else ""), True)
            for m in closers[line]:
                add(f"closed.{line}.{q}.{m}", {col: 1.0, y[m]: float(ub[i, t])}, -float(ub[i, t]), _LE,
                    f"{m} closes {line}")
            if openers[line]:
                add(f"opened.{line}.{q}", {col: 1.0, **{y[m]: -float(ub[i, t]) for m in openers[line]}}, 0.0, _LE,
                    f"{line} needs {' or '.join(openers[line])}")
    capacity_raise = {y[m.id]: -float(m.raises_capacity_kgpu.value) for m in model.moves if m.raises_capacity_kgpu}
    fixed_cost = {y[m.id]: -float(m.fixed_cost_rmb_bn.value) for m in model.moves}
    for t in range(1, T + 1):
        q = f"q{t}"
        cols = [r[(line, t)] for line in L]
        add(f"compute_capacity.{q}", {**dict(zip(cols, s.compute.tolist(), strict=True)), **capacity_raise},
            -s.capacity, _LE, f"compute used stays within {s.capacity:g}k GPU-equivalents (plus what moves add)", True)
        add(f"headcount.{q}", dict(zip(cols, s.headcount.tolist(), strict=True)), -s.headcount_budget, _LE,
            f"headcount stays within {s.headcount_budget:g}k", True)
        add(f"margin_floor.{q}", {**dict(zip(cols, (s.margin - s.margin_floor).tolist(), strict=True)), **fixed_cost},
            0.0, _GE, f"adjusted EBITA margin at least {s.margin_floor:.1%} in quarter {t}", True)
        add(f"min_government_share.{q}",
            dict(zip(cols, (s.government.astype(float) - s.min_government).tolist(), strict=True)), 0.0, _GE,
            f"government and hybrid revenue at least {s.min_government:.0%} of the total", True)
    add("capex_budget", {y[m.id]: float(m.capex_rmb_bn.value) for m in model.moves}, -s.capex_budget, _LE,
        f"capex of the moves within {s.capex_budget:g} bn", True)
    for m in model.moves:
        for other in m.excludes:
            if m.id < other or m.id not in model.move(other).excludes:
                add(f"excludes.{m.id}.{other}", {y[m.id]: 1.0, y[other]: 1.0}, -1.0, _LE,
                    f"{m.id} and {other} exclude each other")
        for other in m.requires:
            add(f"requires.{m.id}.{other}", {y[m.id]: 1.0, y[other]: -1.0}, 0.0, _LE, f"{m.id} needs {other}")
    if preset is not None:
        for m, on in preset.force.items():
            add(f"preset.{m}", {y[m]: 1.0}, -(1.0 if on else 0.0), _EQ,
                f"the {preset.id} preset {'chooses' if on else 'rules out'} {m}")

    # The score, affine in the projected values: the vendor's score now, plus w_c (v_c - v_c now) / (hi - lo)
    # for each moved criterion c (fixed scales), where v_c is capped at the scale's end as scoring caps it.
    dm = result.matrix
    w = dm.weights
    norm = result.normalized.loc[model.vendor]
    score_constant = float(sum(w[c] * norm[c] for c in dm.values.columns))
    score_terms: dict[int, float] = {}
    projected: dict[str, int] = {}
    for pr in projections(model, result, s):
        crit = pr.criterion
        lo, hi = float(dm.lower[crit]), float(dm.upper[crit])
        z = p.add_column(f"projected_{crit}", None, None)
        # z (<= or >=) base + sum_l k_l (r_l,T - r_l,0) + sum_m k_m y_m
        terms = {z: 1.0, **{r[(line, T)]: -k for line, k in pr.per_line.items()},
                 **{y[m]: -float(k) for m, k in pr.per_move.items()}}
        constant = -pr.base + sum(k * float(s.base[L.index(line)]) for line, k in pr.per_line.items())
        if dm.directions[crit] == "max":
            add(f"projected.{crit}", terms, constant, _LE, f"{crit} as projected")
            add(f"capped.{crit}", {z: 1.0}, -hi, _LE, f"{crit} counts up to the end of its scale ({hi:g})")
            score_terms[z] = float(w[crit]) / (hi - lo)
            score_constant += float(w[crit]) * (-lo / (hi - lo) - float(norm[crit]))
        else:
            add(f"projected.{crit}", terms, constant, _GE, f"{crit} as projected")
            add(f"capped.{crit}", {z: 1.0}, -lo, _GE, f"{crit} counts down to the end of its scale ({lo:g})")
            score_terms[z] = -float(w[crit]) / (hi - lo)
            score_constant += float(w[crit]) * (hi / (hi - lo) - float(norm[crit]))
        projected[crit] = z
    if elastic:
        p.set_cost({j: 1.0 for j in relax.values()})
    elif objective == "score":
        p.set_cost(score_terms, score_constant)
    else:
        p.set_cost({r[(line, T)]: 1.0 for line in L})
        if min_score is not None:
            add("score_floor", score_terms, score_constant - min_score, _GE,
                f"projected score at least {min_score:.4f}", True)
    return Built(p, r, y, projected, score_terms, score_constant, meaning, policy, relax)
