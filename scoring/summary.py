"""What a report says before any table: the bottom line, why #1 beats #2, how sure, what flips it, which data
caveats decide an ordering, and what changed since an earlier as-of date. Computed from the ranking and its
robustness analyses, never written by hand; plain data (``ReportData``) that every format renders.

Points are score x 100 (a score of 0.647 is 64.7 points), so "by 10.2 points" reads as a share of a perfect score.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from .report import fact_ids, score_parts

if TYPE_CHECKING:
    import pandas as pd

    from .pipeline import Result, Sensitivity

#: Tier labels by score as a share of the leader's (Forrester's wording); the first whose floor is met applies.
TIERS = (("Leader", 0.90), ("Strong performer", 0.75), ("Contender", 0.50), ("Challenger", 0.0))
#: Flags that make a cell a data caveat when it decides an ordering.
CAVEAT_FLAGS = ("missing", "estimate", "unsourced", "stale", "low-confidence")
#: Caveats listed at most (the rest are counted), so the summary stays on one page.
MAX_CAVEATS = 4
#: A cell's change counts as a driver of a rank move from this many points on.
DRIVER_POINTS = 0.5
MAX_TEXT = 600          # characters of one input text (note, source) shown in a report: a bounded report


def clip_text(text, limit: int = MAX_TEXT) -> str:
    """Input text bounded in length, so a small input can never make a huge report.

    >>> clip_text("x" * 700)[-30:]
    'xxx... (700 characters in all)'
    """
    s = "" if text is None or (isinstance(text, float) and math.isnan(text)) else str(text)
    return s if len(s) <= limit else s[:limit] + f"... ({len(s)} characters in all)"


def tier_of(score: float, leader: float) -> str:
    """The tier label of a score, by its share of the leader's score (``TIERS``).

    >>> tier_of(0.55, 0.647), tier_of(0.647, 0.647), tier_of(0.1, 0.647)
    ('Strong performer', 'Leader', 'Challenger')
    """
    share = score / leader if leader > 0 else 1.0
    return next(label for label, floor in TIERS if share >= floor - 1e-12)


@dataclass
class Caveat:
    vendor: str
    criterion: str
    text: str


@dataclass
class Move:
    """One vendor between the two dates: rank and score then and now, and the cells that moved it most."""

    vendor: str
    rank_then: int | None
    rank_now: int
    score_then: float | None
    score_now: float
    drivers: list[dict] = field(default_factory=list)   # criterion, label, points, raw_then, raw_now, sources


@dataclass
class ReportData:
    """Everything one report shows; each format renders this (and only this)."""

    result: Result
    analysis: Sensitivity
    earlier: Result | None
    tiers: dict[str, str]
    bottom_line: str
    why_first: list[dict]                # criterion, label, points (leader minus runner-up), in decreasing order
    why_text: str
    certainty_text: str
    flips: list[str]
    caveats: list[Caveat]
    moves: list[Move]
    changes_text: str
    whatif_lines: list[str]
    provenance: list[tuple[str, str]]
    labels: dict[str, str]
    ledger: list[dict] = field(default_factory=list)
    strategy: dict | None = None         # {"model", "presets", "frontier"} when a strategy model was given

    def named(self, swap: str) -> str:
        """A stability interval's "huawei passes alibaba" with the vendors' names ("" stays "")."""
        return _named_swap(self.result, swap)

    def caveat_lines(self) -> list[str]:
        """The caveats a summary shows: the first ``MAX_CAVEATS``, then how many more (the JSON has them all)."""
        lines = [c.text for c in self.caveats[:MAX_CAVEATS]]
        if len(self.caveats) > MAX_CAVEATS:
            lines.append(f"... and {len(self.caveats) - MAX_CAVEATS} more (all in the JSON report, summary.caveats).")
        return lines


def _pts(x: float) -> str:
    return f"{100 * x:.1f}"


def _name(r: Result, vendor: str) -> str:
    return str(r.matrix.names.get(vendor, vendor))


def build_report_data(result: Result, analysis: Sensitivity, earlier: Result | None,
                      whatif_lines: list[str], provenance: list[tuple[str, str]]) -> ReportData:
    """Assemble the summary facts from a ranking, its sensitivity analysis and (optionally) an earlier ranking."""
    r = result
    labels = dict(zip(r.criteria_table["criterion"], r.criteria_table["label"], strict=True))
    ranking = r.ranking
    leader_score = float(ranking["score"].iloc[0])
    tiers = {v: tier_of(float(s), leader_score) for v, s in zip(ranking["vendor"], ranking["score"], strict=True)}
    why, why_text = _why_first(r, labels)
    return ReportData(result=r, analysis=analysis, earlier=earlier, tiers=tiers,
                      bottom_line=_bottom_line(r, analysis), why_first=why, why_text=why_text,
                      certainty_text=_certainty(r, analysis), flips=_flips(r, analysis, labels),
                      caveats=_caveats(r, analysis, labels), moves=_moves(earlier, r, labels) if earlier else [],
                      changes_text=_changes_text(earlier, r, labels) if earlier else "",
                      whatif_lines=whatif_lines, provenance=provenance, labels=labels, ledger=ledger_rows(r))


#: Marks of the provenance ledger: what kind of number each one is.
MARKS = ("fact", "derived", "estimate", "assumption", "missing")


def mark_of(flags) -> str:
    """A cell's ledger mark from its flags: missing, estimate, derived, an unsourced what-if number (assumption),
    else a sourced fact.

    >>> mark_of(["estimate", "low-confidence"]), mark_of([]), mark_of(["derived", "unknown"])
    ('estimate', 'fact', 'derived')
    """
    for flag, mark in (("missing", "missing"), ("estimate", "estimate"), ("unsourced", "assumption"),
                       ("derived", "derived")):
        if flag in flags:
            return mark
    return "fact"


def ledger_rows(r: Result) -> list[dict]:
    """The provenance ledger: every number the ranking rests on, with its source, period, confidence and mark;
    a figure also names its ``data/facts.csv`` row(s) (``fact``), so a reader can check it there.

    The weights are the strategist's judgement (mark ``assumption``, the rationale as their reasoning); each
    cell is a figure from a vendor file (its note carries an estimate's reasoning).
    """
    rows = []
    for c in r.criteria_table.itertuples(index=False):
        rows.append({"what": "weight", "vendor": "", "criterion": c.criterion, "label": c.label, "value": c.weight,
                     "unit": "share", "period": "", "source": f"{r.criteria.path} (points {c.raw_weight:g})",
                     "fact": "", "confidence": "", "mark": "assumption", "flags": "", "note": clip_text(c.rationale)})
    evidence = r.matrix.evidence
    facts = dict(zip(zip(evidence["vendor"], evidence["criterion"], strict=True), evidence["fact"], strict=True))
    units = {c.id: c.unit or "" for c in r.criteria.criteria}
    labels = dict(zip(r.criteria_table["criterion"], r.criteria_table["label"], strict=True))
    order = {v: k for k, v in enumerate(r.ranking["vendor"])}
    for e in sorted(r.explanation.to_dict("records"), key=lambda e: (order[e["vendor"]], e["criterion"])):
        raw = float(e["raw"])
        rows.append({"what": "figure", "vendor": e["vendor"], "criterion": e["criterion"],
                     "label": labels[e["criterion"]], "value": None if math.isnan(raw) else raw,
                     "unit": units[e["criterion"]], "period": clip_text(e["period"]), "source": clip_text(e["source"]),
                     "fact": fact_ids(e["vendor"], facts.get((e["vendor"], e["criterion"]), "")),
                     "confidence": clip_text(e["confidence"]), "mark": mark_of(e["flags"]),
                     "flags": ", ".join(e["flags"]), "note": clip_text(e["note"])})
    return rows


def _bottom_line(r: Result, analysis: Sensitivity) -> str:
    rows = r.ranking
    first = rows.iloc[0]
    leaders = rows[rows["rank"] == 1]
    share = float(analysis.smaa.acceptability.loc[first.vendor, 1])
    if len(leaders) > 1:
        names = " and ".join(_name(r, v) for v in leaders["vendor"])
        return (f"{names} tie for first on the {r.criteria.name} view as of {r.matrix.as_of.isoformat()} "
                f"({first.score * 100:.1f} points each): the data cannot separate them on these weights.")
    second = rows.iloc[1] if len(rows) > 1 else None
    lead = "" if second is None else f", {_pts(first.score - second.score)} points ahead of {_name(r, second.vendor)}"
    return (f"{_name(r, first.vendor)} ranks first on the {r.criteria.name} view as of {r.matrix.as_of.isoformat()} "
            f"with {_pts(first.score)} points{lead}, and stays first in {share:.0%} of weightings drawn around the "
            "stated weights.")


def _why_first(r: Result, labels: dict[str, str]) -> tuple[list[dict], str]:
    rows = r.ranking
    if len(rows) < 2:
        return [], ""
    a, b = rows["vendor"].iloc[0], rows["vendor"].iloc[1]
    parts = score_parts(r)
    diff = (parts.table.loc[a] - parts.table.loc[b]).sort_values(ascending=False, kind="stable")
    why = [{"criterion": c, "label": labels[c], "points": round(100 * float(d), 6)} for c, d in diff.items()]
    gains = [w for w in why if w["points"] >= 0.05]
    losses = [w for w in reversed(why) if w["points"] <= -0.05]
    gap = float(rows["score"].iloc[0] - rows["score"].iloc[1])
    total = "score" if parts.total_column == "score" else "weighted sum"
    if rows["rank"].iloc[0] == rows["rank"].iloc[1]:
        def favour(items):
            return ", ".join(f"{w['label']} +{abs(w['points']):.1f}" for w in items)
        text = f"{_name(r, a)} and {_name(r, b)} tie"
        if gains:
            text += f": {_name(r, a)} gains on {favour(gains)}"
        if losses:
            text += f"; {_name(r, b)} gains on {favour(losses)}"
        return why, text + (", and these balance out." if gains or losses else ".")
    text = (f"{_name(r, a)} leads {_name(r, b)} by {_pts(gap)} points"
            + (f" (TOPSIS score; the parts below are of the weighted sum, {_pts(float(diff.sum()))} points)"
               if total != "score" else "") + ". ")
    if gains:
        text += "It gains on " + ", ".join(f"{w['label']} +{w['points']:.1f}" for w in gains)
    if losses:
        text += ("; " if gains else "") + f"{_name(r, b)} gains on " + ", ".join(
            f"{w['label']} +{-w['points']:.1f}" for w in losses)
    return why, text + "."


def _certainty(r: Result, analysis: Sensitivity) -> str:
    from .weight_draws import describe_weight_model
    s = analysis.smaa
    acc = s.acceptability
    first = r.ranking["vendor"].iloc[0]
    others = acc[1].drop(first).sort_values(ascending=False, kind="stable")
    text = (f"Over {s.draws:,} weightings {describe_weight_model(s.weights, s.concentration)}"
            + (", with every figure drawn within its uncertainty" if s.vary_values else "")
            + f", {_name(r, first)} is first {acc.loc[first, 1]:.0%} of the time")
    top = [(v, p) for v, p in others.items() if p >= 0.005][:2]
    if top:
        text += ", " + " and ".join(f"{_name(r, v)} {p:.0%}" for v, p in top)
    order = list(r.ranking["vendor"])
    same = [v for k, v in enumerate(order, start=1) if acc.loc[v, k] >= 0.95 and k == r.ranking["rank"].iloc[k - 1]]
    if same:
        text += ("; " + ", ".join(_name(r, v) for v in same) + (" keep their ranks" if len(same) > 1 else
                                                               " keeps its rank") + " in at least 95% of them")
    return text + "."


def _named_swap(r: Result, swap: str) -> str:
    if not swap:
        return ""
    a, _, b = swap.partition(" passes ")
    return f"{_name(r, a)} passes {_name(r, b)}"


def _flips(r: Result, analysis: Sensitivity, labels: dict[str, str]) -> list[str]:
    """Who leads if one weight moves past its stability interval (others rescaled in proportion), in words.

    Tied leaders have no interval to speak of (any change of weight breaks the tie): the sentence says which
    criteria favour which of them instead."""
    out = []
    rows = r.ranking
    if len(rows) > 1 and rows["rank"].iloc[0] == rows["rank"].iloc[1]:
        a, b = rows["vendor"].iloc[0], rows["vendor"].iloc[1]
        diff = score_parts(r).table.loc[a] - score_parts(r).table.loc[b]
        pro_a = [labels[c] for c, d in diff.items() if d > 1e-12]
        pro_b = [labels[c] for c, d in diff.items() if d < -1e-12]
        if not pro_a and not pro_b:
            return [f"{_name(r, a)} and {_name(r, b)} are equal on every criterion: no weighting separates them"]
        return [f"{_name(r, a)} and {_name(r, b)} are tied, so any change of weight breaks the tie: more weight on "
                f"{', '.join(pro_a) or 'no criterion'} puts {_name(r, a)} ahead, more on "
                f"{', '.join(pro_b) or 'no criterion'} puts {_name(r, b)} ahead"]
    names = dict(zip(r.ranking["vendor"], r.ranking["name"], strict=True))

    def who(swap: str) -> str:
        a, _, b = swap.partition(" passes ")
        return f"{names.get(a, a)} passes {names.get(b, b)}"

    for crit, row in analysis.intervals.iterrows():
        if row.first_high_swap:
            out.append(f"{who(row.first_high_swap)} if {labels[crit]} weighs more than {row.first_high:.1%} "
                       f"(now {row.weight:.1%})")
        if row.first_low_swap:
            out.append(f"{who(row.first_low_swap)} if {labels[crit]} weighs less than {row.first_low:.1%} "
                       f"(now {row.weight:.1%})")
    if not out:
        out.append("No single weight, moved anywhere between 0% and 100% with the others rescaled in proportion, "
                   "changes the leader.")
    return out


def _caveats(r: Result, analysis: Sensitivity, labels: dict[str, str]) -> list[Caveat]:
    """Flagged cells (estimate, missing, ...) whose uncertainty decides the order of two neighbours in the ranking.

    A cell with a plausible range decides it if moving it to either end of its range (the tornado's value factors)
    swaps the two; a missing cell decides it if giving it the median of the other vendors' figures does.
    """
    scorer = r.scorer
    vendors = scorer.vendors
    index = {v: i for i, v in enumerate(vendors)}
    tol = scorer.tolerance
    expl = r.explanation.set_index(["vendor", "criterion"])
    tornado = analysis.tornado
    values = tornado[tornado["kind"] == "value"] if len(tornado) else tornado
    x = scorer.dm.values.to_numpy(float)
    order = list(r.ranking["vendor"])
    out: list[Caveat] = []
    seen = set()
    for above, below in zip(order, order[1:], strict=False):
        if r.ranking.set_index("vendor").loc[above, "rank"] == r.ranking.set_index("vendor").loc[below, "rank"]:
            continue
        for subject in (above, below):
            for j, crit in enumerate(scorer.criteria):
                e = expl.loc[(subject, crit)]
                flags = [f for f in e["flags"] if f in CAVEAT_FLAGS]
                if not flags or (subject, crit) in seen:
                    continue
                raw = e["raw"]
                if np.isnan(raw):
                    others = x[[k for k in range(len(vendors)) if k != index[subject]], j]
                    others = others[~np.isnan(others)]
                    if not len(others):
                        continue                       # missing for everyone: decides no order
                    filled = x.copy()
                    filled[index[subject], j] = float(np.median(others))
                    s = scorer.scores(values=filled)
                    if s[index[below]] > s[index[above]] + tol:
                        seen.add((subject, crit))
                        out.append(Caveat(subject, crit, (
                            f"{_name(r, above)} over {_name(r, below)} rests on a missing figure: "
                            f"{_name(r, subject)}'s {labels[crit]} is unknown and scored by the "
                            f"'{r.criteria_table.set_index('criterion').loc[crit, 'missing']}' policy; at the other "
                            f"vendors' median ({float(np.median(others)):g}) {_name(r, below)} would be ahead.")))
                    continue
                rows = values[(values["subject"] == subject) & (values["criterion"] == crit)]
                if rows.empty:
                    continue
                at = rows.set_index("vendor")
                for end in ("low", "high"):
                    if at.loc[below, f"score_{end}"] > at.loc[above, f"score_{end}"] + tol:
                        setting = float(at.loc[subject, f"setting_{end}"])
                        seen.add((subject, crit))
                        out.append(Caveat(subject, crit, (
                            f"{_name(r, above)} over {_name(r, below)} rests on {', '.join(flags)} data: "
                            f"{_name(r, subject)}'s {labels[crit]} is {raw:g}; at the {end} end of its plausible "
                            f"range ({setting:.3g}) {_name(r, below)} would be ahead.")))
                        break
    return out


def _moves(earlier: Result, now: Result, labels: dict[str, str]) -> list[Move]:
    then = earlier.ranking.set_index("vendor")
    parts_then, parts_now = score_parts(earlier).table, score_parts(now).table
    e_then = earlier.explanation.set_index(["vendor", "criterion"])
    e_now = now.explanation.set_index(["vendor", "criterion"])
    moves = []
    for row in now.ranking.itertuples(index=False):
        v = row.vendor
        known = v in then.index
        drivers = []
        if known:
            delta = (parts_now.loc[v] - parts_then.loc[v].reindex(parts_now.columns)).fillna(parts_now.loc[v])
            for crit, d in delta.abs().sort_values(ascending=False, kind="stable").items():
                if 100 * d < DRIVER_POINTS:
                    break
                old = e_then.loc[(v, crit)] if (v, crit) in e_then.index else None
                new = e_now.loc[(v, crit)]
                drivers.append({"criterion": crit, "label": labels[crit], "points": round(100 * float(delta[crit]), 6),
                                "raw_then": None if old is None or np.isnan(old["raw"]) else float(old["raw"]),
                                "raw_now": None if np.isnan(new["raw"]) else float(new["raw"]),
                                "source_then": "" if old is None else clip_text(old["source"]),
                                "period_then": "" if old is None else str(old["period"]),
                                "source_now": clip_text(new["source"]), "period_now": str(new["period"])})
        moves.append(Move(v, int(then.loc[v, "rank"]) if known else None, int(row.rank),
                          float(then.loc[v, "score"]) if known else None, float(row.score), drivers))
    return moves


def _changes_text(earlier: Result, now: Result, labels: dict[str, str]) -> str:
    moves = _moves(earlier, now, labels)
    up = [m for m in moves if m.rank_then is not None and m.rank_now < m.rank_then]
    down = [m for m in moves if m.rank_then is not None and m.rank_now > m.rank_then]
    text = f"From {earlier.matrix.as_of.isoformat()} to {now.matrix.as_of.isoformat()}: "
    if not up and not down:
        text += "no vendor changed rank"
    else:
        text += "; ".join(f"{_name(now, m.vendor)} {'up' if m in up else 'down'} from {m.rank_then} to {m.rank_now}"
                          for m in sorted(up + down, key=lambda m: m.rank_now))
    biggest = max(((m, d) for m in moves for d in m.drivers), key=lambda md: abs(md[1]["points"]), default=None)
    if biggest:
        m, d = biggest
        text += (f". The largest single change: {_name(now, m.vendor)}'s {d['label']} "
                 f"({_fmt(d['raw_then'])} → {_fmt(d['raw_now'])}, {d['points']:+.1f} points)")
    return text + "."


def _fmt(x) -> str:
    return "missing" if x is None else f"{x:g}"


def acceptability_table(data: ReportData) -> pd.DataFrame:
    """Rank acceptabilities in the ranking's order (rows) and ranks 1..n (columns)."""
    return data.analysis.smaa.acceptability.loc[list(data.result.ranking["vendor"])]
