"""The optimizer's outputs: a plan, an infeasible answer, presets side by side, the frontier, the assumption
draws and the backtest, each as a terminal table or JSON (``cloudscore optimize``, ``frontier``, ``backtest``).

Kept apart from ``report`` (the ranking's outputs) because they render other objects: an ``optimize.Plan``, the
tables of ``optimize.frontier``/``compare_presets``/``backtest`` and a ``strategy_draws`` result.
"""

from __future__ import annotations

import json
import math

from .report import format_cell, text_table


def plan_dict(plan, model) -> dict:
    doc = {"strategy": model.name, "vendor": model.vendor, "strategy_file": model.path,
           "strategy_sha256": model.sha256, "as_of": model.as_of.isoformat(), "base_quarter": model.base_quarter,
           "horizon_quarters": model.horizon_quarters}
    doc.update(plan.to_dict())
    doc["assumptions"] = [{"key": c.key, "value": c.value, "kind": c.kind, "low": c.low, "high": c.high,
                           "owner": c.owner, "fact": c.fact, "seed": c.seed, "formula": c.formula}
                          for c in model.coefficients()]
    return doc


def _records(table) -> list[dict]:
    """A table's rows for JSON: NaN as null, a rank as an integer (a column with gaps is float in pandas)."""
    def clean(key, v):
        if isinstance(v, float) and math.isnan(v):
            return None
        return int(v) if key == "rank" and v is not None else v
    return [{k: clean(k, v) for k, v in row.items()} for row in table.to_dict("records")]


def floor_price_words(plan) -> str:
    """The price of the margin floor in a sentence: "Each extra point of margin floor (every quarter) costs 0.0487
    score points, valid from 3.93% to 5.33% (where it stays within 10%), given these moves." """
    if not math.isfinite(plan.floor_price):
        return "The margin floor was not priced."
    words = f"Each extra point of margin floor (every quarter) costs {-plan.floor_price:.4f} score points"
    if plan.floor_price_range_pct is not None:
        lo, hi = plan.floor_price_range_pct
        words += f", valid from {lo:.2f}% to {hi:.2f}% (where it stays within 10%)"
    return words + ", given these moves."


def _range(lo: float, hi: float) -> str:
    if not (math.isfinite(lo) or math.isfinite(hi)):
        return "" if math.isnan(lo) and math.isnan(hi) else "any"
    return f"{lo:.4g} to {hi:.4g}" if math.isfinite(lo) and math.isfinite(hi) else (
        f">= {lo:.4g}" if math.isfinite(lo) else f"<= {hi:.4g}")


def render_plan(plan, model, fmt: str = "table") -> str:
    """``cloudscore optimize`` for one preset: the mix, the moves, the projected score and what binds."""
    if fmt == "json":
        return json.dumps(plan_dict(plan, model), ensure_ascii=False, indent=2) + "\n"
    quarters = sorted(plan.mix["quarter"].unique())
    out = [f"{model.name}: {model.vendor}, preset {plan.preset or '(none)'}, margin floor "
           f"{plan.margin_floor_pct:.2f}% every quarter, {len(quarters)} quarters after {model.base_quarter}",
           "",
           f"projected score {plan.score:.4f}, rank {plan.rank} of {len(plan.ranking)} "
           f"({'maximised' if plan.objective_kind == 'score' else 'revenue maximised under a score floor'}; "
           f"solved by {plan.solver})",
           "moves: " + ", ".join(f"{m} {'ON' if on else 'off'}" for m, on in plan.moves.items()), ""]
    rows = []
    for line in plan.mix["line"].unique():
        sub = plan.mix[plan.mix["line"] == line].set_index("quarter")
        rows.append([line, *[f"{sub.loc[q, 'revenue_rmb_bn']:.3f}" for q in quarters],
                     f"{sub.loc[quarters[-1], 'share_pct']:.1f}%"])
    totals = plan.mix.groupby("quarter")["revenue_rmb_bn"].sum()
    rows.append(["total", *[f"{totals[q]:.3f}" for q in quarters], "100.0%"])
    rows.append(["margin", *[f"{plan.margins[q]:.2f}%" for q in quarters], ""])
    out += ["Revenue by line, RMB bn a quarter", ""]
    out += text_table(["line", *[f"q{q}" for q in quarters], "share"], rows, right=set(range(1, len(quarters) + 2)))
    out += ["", "Projected metrics (end of the horizon)", ""]
    rows = [[r.criterion, format_cell(r.base) or "n/a", format_cell(r.projected) or "n/a", "moved" if r.moved else ""]
            for r in plan.metrics.itertuples()]
    out += text_table(["criterion", "now", "projected", ""], rows, right={1, 2})
    out += ["", floor_price_words(plan), "",
            "Binding constraints (price: score per unit of the right-hand side, given the moves; valid while the "
            "right-hand side stays in the range)", ""]
    shown = plan.binding[[not n.startswith(("projected.", "preset.")) for n in plan.binding.index]]
    priced = shown[shown["shadow_price"].abs() > 1e-9]
    rows = [[name, f"{r.rhs:.4g}", f"{r.shadow_price:+.4g}", _range(r.valid_from, r.valid_to), r.meaning]
            for name, r in priced.iterrows()]
    out += text_table(["constraint", "rhs", "price", "valid for rhs", "meaning"], rows, right={1, 2})
    if len(shown) > len(priced):
        out += [f"({len(shown) - len(priced)} more hold with equality at no price: moving them alone changes nothing)"]
    out += ["", "Projected ranking (rivals' shares move against the vendor's gain, in proportion to their own)", ""]
    out += text_table(["rank", "vendor", "score"], [[int(r.rank), r.vendor, f"{r.score:.4f}"]
                                                     for r in plan.ranking.itertuples()], right={0, 2})
    out += ["", f"Assumptions: {sum(c.kind == 'assumption' for c in model.coefficients())} of "
            f"{len(model.coefficients())} coefficients are a strategist's assumptions (see --format json)."]
    return "\n".join(out) + "\n"


def render_infeasible(exc, model, fmt: str = "table") -> str:
    """No mix satisfies the constraints: which ones conflict, and the smallest relaxation that restores one."""
    if fmt == "json":
        return json.dumps({"strategy": model.name, "vendor": model.vendor, "status": exc.status,
                           "message": str(exc), "iis": list(exc.iis),
                           "relaxation": [{"constraint": r.constraint,
                                           "relax_by": None if math.isnan(r.relax_by) else round(r.relax_by, 9),
                                           "meaning": r.meaning} for r in exc.relaxation.itertuples()]},
                          ensure_ascii=False, indent=2) + "\n"
    lines = [f"{model.name}: no feasible mix", "", str(exc), ""]
    lines += text_table(["constraint", "relax by", "meaning"],
                        [[r.constraint, "" if math.isnan(r.relax_by) else f"{r.relax_by:.4g}", r.meaning]
                         for r in exc.relaxation.itertuples()])
    if exc.iis:
        lines += ["", "An irreducible infeasible subset (these cannot hold together; remove any one and the rest can):"]
        lines += [f"  {name}" for name in exc.iis]
    return "\n".join(lines) + "\n"


def render_presets(table, model, fmt: str = "table") -> str:
    """The presets side by side, with deltas against the current mix."""
    if fmt == "json":
        records = _records(table)
        return json.dumps({"strategy": model.name, "vendor": model.vendor, "presets": records},
                          ensure_ascii=False, indent=2) + "\n"
    rows = [[r.preset, r.status, "" if math.isnan(r.score) else f"{r.score:.4f}",
             "" if r.rank is None or (isinstance(r.rank, float) and math.isnan(r.rank)) else int(r.rank),
             "" if math.isnan(r.score_delta) else f"{r.score_delta:+.4f}",
             "" if math.isnan(r.revenue_rmb_bn) else f"{r.revenue_rmb_bn:.2f}",
             "" if math.isnan(r.margin_pct) else f"{r.margin_pct:.2f}%", r.moves] for r in table.itertuples()]
    out = [f"{model.name}: presets compared for {model.vendor} (deltas against the current mix)", ""]
    out += text_table(["preset", "status", "score", "rank", "vs now", "revenue q-last", "min margin", "moves"],
                      rows, right={2, 3, 4, 5, 6})
    return "\n".join(out) + "\n"


def render_frontier(table, model, preset, fmt: str = "table") -> str:
    """Score against margin floor, every point with its status; the points where a move switches called out."""
    if fmt == "json":
        records = _records(table)
        return json.dumps({"strategy": model.name, "vendor": model.vendor, "preset": preset, "points": records},
                          ensure_ascii=False, indent=2) + "\n"
    rows = [[f"{r.margin_floor_pct:.2f}%", r.status, "" if math.isnan(r.score) else f"{r.score:.4f}",
             "" if math.isnan(r.revenue_rmb_bn) else f"{r.revenue_rmb_bn:.2f}", r.moves, r.switched]
            for r in table.itertuples()]
    out = [f"{model.name}: frontier for {model.vendor}, preset {preset or '(none)'} (score vs margin floor)", ""]
    out += text_table(["floor", "status", "score", "revenue", "moves", "switches"], rows, right={0, 2, 3})
    return "\n".join(out) + "\n"


def render_preset_draws(result, model, fmt: str = "table") -> str:
    """How sure is the strategy: per preset, how often it is best over the assumption draws, and its regret."""
    if fmt == "json":
        doc = {"strategy": model.name, "vendor": model.vendor, "strategy_sha256": model.sha256}
        doc.update(result.to_dict())
        return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
    floor = ("the margin floor drawn within its range too" if result.margin_floor_pct is None
             else f"a {result.margin_floor_pct:g}% margin floor")
    out = [f"{model.name}: {result.draws:,} draws of the assumptions within their ranges, seed {result.seed}, "
           f"{floor}", ""]
    rows = [[r.preset, f"{r.best_share:.3f}", f"{r.feasible_share:.3f}",
             "" if math.isnan(r.mean_score) else f"{r.mean_score:.4f}",
             "" if math.isnan(r.mean_margin_pct) else f"{r.mean_margin_pct:.2f}%",
             "" if math.isnan(r.mean_regret) else f"{r.mean_regret:.4f}",
             "" if math.isnan(r.max_regret) else f"{r.max_regret:.4f}"] for r in result.summary.itertuples()]
    out += text_table(["preset", "best", "feasible", "mean score", "mean margin", "mean regret", "max regret"], rows,
                      right=set(range(1, 7)))
    out += ["", "best: share of draws in which the preset scores highest (ties shared); means and regrets over the "
            "draws in which it is feasible; regret = the draw's best score minus the preset's."]
    return "\n".join(out) + "\n"


def render_backtest(table, model, fmt: str = "table") -> str:
    """Each preset's projection beside the observed quarters, with the errors; which preset the record resembles."""
    if fmt == "json":
        records = _records(table)
        return json.dumps({"strategy": model.name, "vendor": model.vendor, "base_quarter": model.base_quarter,
                           "as_of": model.as_of.isoformat(), "backtest": records}, ensure_ascii=False, indent=2) + "\n"
    out = [f"{model.name}: projections from {model.base_quarter} (known at {model.as_of}) beside what happened", ""]
    rows = [[r.preset, r.quarter, "revenue (RMB bn)" if r.measure == "revenue_rmb_bn" else "margin",
             f"{r.projected:.2f}" + ("%" if r.measure == "margin_pct" else ""),
             f"{r.observed:.2f}" + ("%" if r.measure == "margin_pct" else ""),
             (f"{r.error:+.2f} ({r.error_pct:+.1f}%)" if r.measure == "revenue_rmb_bn" else f"{r.error:+.2f} pp")]
            for r in table.itertuples()]
    out += text_table(["preset", "quarter", "measure", "projected", "observed", "error"], rows, right={3, 4, 5})
    revenue = table[table["measure"] == "revenue_rmb_bn"].groupby("preset")["error_pct"].apply(lambda e: e.abs().mean())
    if len(revenue):
        best = revenue.min()
        closest = [p for p, e in revenue.items() if e <= best + 1e-9]
        out += ["", f"closest on revenue: {' and '.join(closest)} (mean absolute error {best:.1f}%)"]
    return "\n".join(out) + "\n"
