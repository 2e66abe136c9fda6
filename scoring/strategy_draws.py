"""How sure is the strategy? The strategy model's assumptions drawn within their ranges (seeded, in the spirit of
SMAA) and every preset re-solved per draw: how often each preset is best, its expected score and margin, and its
regret against the best preset of each draw. Same seed, same answer.

**What is drawn.** Every coefficient of kind ``assumption`` whose ``low < high`` gets a value drawn uniformly in
[low, high], independently, from ``np.random.default_rng(seed)``, in the file order of
:meth:`StrategyModel.coefficients`. Facts, derived coefficients and assumptions with ``low == high`` keep their
value. The lines' shares of base revenue must keep adding to 100%: the drawn shares are rescaled, all by one
factor, so that together with the shares that were not drawn they add to exactly 100 (a rescaled share may
therefore end slightly outside its own [low, high]). The calibrated margin (the derived line margin without a
value) is not drawn: the optimizer recomputes it from each draw's shares and margins.

**What is solved.** Each draw's model is solved under every preset of the model, as :func:`optimize` would solve
it (same objective, same constraints; ``margin_floor_pct`` overrides the floor as there), without pricing the
constraints. The criteria view is scored once: it does not depend on the strategy's coefficients; the projected
profiles of all feasible draws are then scored by the scoring engine in one batch (the score each draw reports is
the engine's, which equals the solver's objective). A preset with
no feasible mix in a draw is recorded with status ``"infeasible"`` (the solver's status: ``"limit"`` for a run
stopped without a proven optimum) and a NaN score and margin, never skipped. The explanation ``optimize`` gives
for an infeasible model (an elastic re-solve) is not computed here.

>>> from scoring.load import load_strategy
>>> model = load_strategy("strategy/alibaba.yaml")
>>> out = preset_acceptability(model, draws=3, seed=0)
>>> list(out.summary.columns)
['preset', 'best_share', 'feasible_share', 'mean_score', 'mean_margin_pct', 'mean_regret', 'max_regret']
>>> len(out.by_draw) == 3 * len(model.presets)
True
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import did_you_mean
from .models import Coefficient, StrategyModel
from .optimize import engine_scores, solve_outcome, view
from .progress import track

#: Two presets whose scores in a draw differ by at most this much are tied and share that draw's "best" equally.
TIE_TOLERANCE = 1e-9
_SHARE = "share_of_base"


@dataclass
class PresetDraws:
    """The answer of :func:`preset_acceptability`.

    summary : DataFrame      one row per preset: preset, best_share (share of draws in which it has the highest
                             score; presets tied within ``TIE_TOLERANCE`` share a draw equally; a draw in which no
                             preset is feasible counts for none), feasible_share, mean_score, mean_margin_pct (the
                             lowest quarter's margin, percent), mean_regret, max_regret; means over the draws in
                             which the preset is feasible (NaN if it never is)
    by_draw : DataFrame      the long table: draw, preset, status ("optimal", or the solver's status without a
                             proven optimum: "infeasible", "limit", ...), score, margin_pct
                             (lowest quarter), regret (the draw's best score minus this one; NaN where infeasible)
    assumptions : DataFrame  the drawn values, one row per draw, one column per drawn coefficient key (shares
                             after rescaling)
    """

    summary: pd.DataFrame
    by_draw: pd.DataFrame
    assumptions: pd.DataFrame
    draws: int
    seed: int
    margin_floor_pct: float | None
    solver: str

    def to_dict(self) -> dict:
        """``{"summary": [{preset, best_share, ...}], "draws", "seed", ...}`` for JSON (NaN -> None)."""
        def clean(x):
            if isinstance(x, str):
                return x
            return None if pd.isna(x) else round(float(x), 9)
        return {
            "summary": [{k: clean(v) for k, v in row.items()} for row in self.summary.to_dict("records")],
            "draws": self.draws, "seed": self.seed, "margin_floor_pct": self.margin_floor_pct,
            "solver": self.solver, "drawn": list(self.assumptions.columns),
        }


def with_values(model: StrategyModel, values: Mapping[str, float]) -> StrategyModel:
    """The model with the coefficients named by key (``"lines.public.margin"``) set to new values; everything
    else, and each changed coefficient's range, provenance and location, is kept. An unknown key is a KeyError.

    >>> from scoring.load import load_strategy
    >>> model = load_strategy("strategy/alibaba.yaml")
    >>> with_values(model, {"lines.hybrid.margin": 6.0}).line("hybrid").margin.value
    6.0
    """
    by_key = {c.key: c for c in model.coefficients()}
    _check_keys(values, by_key)
    return with_coefficients(model, {k: replace(by_key[k], value=float(v)) for k, v in values.items()})


def with_coefficients(model: StrategyModel, new: Mapping[str, Coefficient]) -> StrategyModel:
    """The model with whole coefficients replaced by key (a new value, range or kind); the frozen dataclasses that
    hold them are rebuilt with ``dataclasses.replace``. An unknown key is a KeyError."""
    _check_keys(new, {c.key: c for c in model.coefficients()})

    def swap(c: Coefficient | None) -> Coefficient | None:
        return None if c is None else new.get(c.key, c)

    lines = tuple(replace(x, share_of_base=swap(x.share_of_base), margin=swap(x.margin),
                          growth_cap=swap(x.growth_cap), growth_cap_rmb_bn=swap(x.growth_cap_rmb_bn),
                          compute_kgpu_per_rmb_bn=swap(x.compute_kgpu_per_rmb_bn),
                          headcount_k_per_rmb_bn=swap(x.headcount_k_per_rmb_bn))
                  for x in model.lines)
    moves = tuple(replace(m, fixed_cost_rmb_bn=swap(m.fixed_cost_rmb_bn), capex_rmb_bn=swap(m.capex_rmb_bn),
                          raises_growth_cap={k: swap(c) for k, c in m.raises_growth_cap.items()},
                          raises_capacity_kgpu=swap(m.raises_capacity_kgpu),
                          raises_metric={k: swap(c) for k, c in m.raises_metric.items()})
                  for m in model.moves)
    return replace(model, base_revenue_rmb_bn=swap(model.base_revenue_rmb_bn),
                   base_ebita_rmb_bn=swap(model.base_ebita_rmb_bn), lines=lines, moves=moves,
                   constraints={k: swap(c) for k, c in model.constraints.items()},
                   metrics={metric: {k: swap(c) for k, c in spec.items()} for metric, spec in model.metrics.items()})


def _check_keys(asked: Mapping[str, object], known: Mapping[str, Coefficient]) -> None:
    unknown = [k for k in asked if k not in known]
    if unknown:
        hint = did_you_mean(unknown[0], list(known))
        raise KeyError(f"no coefficient {unknown[0]!r} in the strategy model" + (f"; {hint}" if hint else ""))


def drawn_keys(model: StrategyModel) -> list[Coefficient]:
    """The coefficients a draw varies: the assumptions with ``low < high``, in file order."""
    return [c for c in model.coefficients()
            if c.kind == "assumption" and c.low is not None and c.high is not None and c.low < c.high]


def draw_assumptions(model: StrategyModel, *, draws: int = 200, seed: int = 0) -> pd.DataFrame:
    """The drawn values (see the module docstring): one row per draw (index 0..draws-1), one column per drawn
    coefficient key, the shares of base rescaled so that all the lines' shares add to 100.

    The draws are made row by row from one generator, so the first n rows do not depend on ``draws``.

    >>> from scoring.load import load_strategy
    >>> table = draw_assumptions(load_strategy("strategy/alibaba.yaml"), draws=2, seed=0)
    >>> shares = [c for c in table.columns if c.endswith(".share_of_base")]
    >>> [round(x, 9) for x in table[shares].sum(axis=1)]   # public_promo's 0% is not drawn
    [100.0, 100.0]
    """
    if draws < 1:
        raise ValueError(f"draws must be at least 1, got {draws!r}")
    varied = drawn_keys(model)
    keys = [c.key for c in varied]
    low = np.array([c.low for c in varied], dtype=float)
    high = np.array([c.high for c in varied], dtype=float)
    rng = np.random.default_rng(seed)
    values = rng.uniform(low, high, size=(draws, len(varied)))
    drawn_shares = [j for j, c in enumerate(varied) if c.key.endswith(f".{_SHARE}")]
    if drawn_shares:
        kept = sum(x.share_of_base.value for x in model.lines if x.share_of_base.key not in keys)
        total = values[:, drawn_shares].sum(axis=1, keepdims=True)
        # total > 0 except when every drawn share has low 0 and draws exactly 0 (probability zero): split evenly.
        scaled = np.where(total > 0, values[:, drawn_shares] * (100.0 - kept) / np.where(total > 0, total, 1.0),
                          (100.0 - kept) / len(drawn_shares))
        values[:, drawn_shares] = scaled
    return pd.DataFrame(values, columns=keys, index=pd.RangeIndex(draws, name="draw"))


def preset_acceptability(model: StrategyModel, *, draws: int = 200, seed: int = 0,
                         margin_floor_pct: float | None = None, vendors_folder: str | Path | None = None,
                         solver: str = "highs") -> PresetDraws:
    """Every preset re-solved under ``draws`` seeded draws of the assumptions (see the module docstring).

    Raises ``ConfigErrors`` for a view that is not linear in the figures (as :func:`optimize` does).
    """
    assumptions = draw_assumptions(model, draws=draws, seed=seed)
    result = view(model, vendors_folder)
    presets = [p.id for p in model.presets]
    focal = list(result.matrix.values.index).index(model.vendor)
    rows, values = [], []
    for d, drawn_values in track(list(zip(assumptions.index, assumptions.to_dict("records"), strict=True)),
                                 "assumption draws"):
        drawn = with_values(model, drawn_values)
        for preset in presets:
            o = solve_outcome(drawn, result, drawn.preset(preset), margin_floor_pct, solver=solver)
            rows.append(dict(draw=int(d), preset=preset, status=o.status, score=np.nan,
                             margin_pct=float(o.margins_pct.min()) if o.optimal else np.nan))
            if o.optimal:
                values.append(o.values)
    by_draw = pd.DataFrame(rows, columns=["draw", "preset", "status", "score", "margin_pct"])
    # every feasible draw scored by the engine in one batch (the solver's objective is the same number)
    by_draw.loc[by_draw["status"] == "optimal", "score"] = engine_scores(result, values)[:, focal]
    return PresetDraws(summary=_summary(by_draw, presets), by_draw=by_draw, assumptions=assumptions, draws=draws,
                       seed=seed, margin_floor_pct=margin_floor_pct, solver=solver)


def _summary(by_draw: pd.DataFrame, presets: list[str]) -> pd.DataFrame:
    """Adds ``regret`` to ``by_draw`` (in place) and returns the one-row-per-preset summary."""
    n = by_draw["draw"].nunique()
    best = by_draw.groupby("draw")["score"].transform("max")        # NaN scores skipped; NaN if none feasible
    by_draw["regret"] = best - by_draw["score"]                      # >= 0 exactly: best is one of the scores
    winner = by_draw["regret"] <= TIE_TOLERANCE                      # False where infeasible (NaN)
    credit = winner / winner.groupby(by_draw["draw"]).transform("sum").where(lambda s: s > 0, 1)
    feasible = by_draw["status"] == "optimal"
    rows = []
    for preset in presets:
        mine = by_draw["preset"] == preset
        ok = by_draw[mine & feasible]
        rows.append(dict(preset=preset, best_share=float(credit[mine].sum()) / n,
                         feasible_share=float(feasible[mine].sum()) / n,
                         mean_score=ok["score"].mean(), mean_margin_pct=ok["margin_pct"].mean(),
                         mean_regret=ok["regret"].mean(), max_regret=ok["regret"].max()))
    return pd.DataFrame(rows)
