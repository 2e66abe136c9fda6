"""The report's charts as SVG text, drawn with matplotlib (imported here only, when a report is written).

Byte-identical across runs: the SVG backend's ids come from ``svg.hashsalt`` (fixed), the date metadata is
dropped, and text stays text (``svg.fonttype: none``: smaller files, searchable, no font embedded). Each
function takes a ``summary.ReportData`` and returns one SVG document.

- :func:`contributions_svg`: scores stacked by each criterion's part (what adds up, see ``report.score_parts``);
- :func:`positioning_svg`: two groups' subtotals as axes, a third as marker size (the view's first three groups);
- :func:`acceptability_svg`: the SMAA rank-acceptability heatmap;
- :func:`tornado_svg`: the leader's score at both ends of each factor, largest swings first;
- :func:`frontier_svg` (with a strategy): score against the margin floor, with the moves chosen along it.
"""

from __future__ import annotations

import io
import warnings
from contextlib import contextmanager

import numpy as np

from .report import criterion_groups, score_parts

CHART_NAMES = ("contributions", "positioning", "acceptability", "tornado")
_PALETTE = ("#4C72B0", "#DD8452", "#55A868", "#C44E52", "#8172B3", "#937860", "#DA8BC3", "#8C8C8C", "#CCB974",
            "#64B5CD")
_RC = {"svg.hashsalt": "cloudscore", "svg.fonttype": "none", "font.size": 9, "axes.spines.top": False,
       "axes.spines.right": False, "font.family": ["DejaVu Sans"]}


@contextmanager
def _figure(width_in: float, height_in: float):
    import matplotlib
    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt
    with matplotlib.rc_context(_RC), warnings.catch_warnings():
        warnings.simplefilter("ignore")           # e.g. a glyph the font lacks: never a line on stderr
        fig, ax = plt.subplots(figsize=(width_in, height_in), layout="constrained")
        try:
            yield fig, ax
        finally:
            plt.close(fig)


def _svg(fig) -> str:
    buf = io.StringIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": "cloudscore (matplotlib)"})
    return buf.getvalue()


def _short(text: str, limit: int = 28) -> str:
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def contributions_svg(data) -> str:
    r = data.result
    parts = score_parts(r)
    order = list(r.ranking["vendor"])[::-1]                   # best at the top
    crits = list(r.normalized.columns)
    with _figure(6.4, 0.45 * len(order) + 1.7) as (fig, ax):
        left = np.zeros(len(order))
        for k, c in enumerate(crits):
            widths = 100 * parts.table.loc[order, c].to_numpy(float)
            ax.barh(range(len(order)), widths, left=left, color=_PALETTE[k % len(_PALETTE)],
                    label=_short(data.labels[c]), edgecolor="white", linewidth=0.5)
            left += widths
        for i, v in enumerate(order):
            total = 100 * float(r.ranking.set_index("vendor").loc[v, parts.total_column])
            ax.text(left[i] + 0.8, i, f"{total:.1f}", va="center", fontsize=8)
        ax.set_yticks(range(len(order)), [_short(r.matrix.names[v]) for v in order])
        what = "score" if parts.total_column == "score" else "weighted sum (TOPSIS is not additive)"
        ax.set_xlabel(f"points of the {what}, by criterion")
        ax.set_xlim(0, float(left.max()) + 8)
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.28), ncols=min(len(crits), 3), frameon=False,
                  fontsize=8)
        return _svg(fig)


def _axes_groups(r):
    """(label, criteria) for the x axis, the y axis and the marker size: the view's first three groups, else the
    three heaviest criteria on their own."""
    groups = [(g.label or g.id, members) for g, members in criterion_groups(r) if members]
    if len(groups) >= 2:
        return groups[:3]
    ct = r.criteria_table.sort_values("weight", ascending=False, kind="stable")
    return [(lab, [c]) for c, lab in zip(ct["criterion"], ct["label"], strict=True)][:3]


def positioning_svg(data) -> str:
    r = data.result
    parts = score_parts(r).table
    axes = _axes_groups(r)
    vendors = list(r.ranking["vendor"])
    xs = [100 * float(parts.loc[v, axes[0][1]].sum()) for v in vendors]
    ys = [100 * float(parts.loc[v, axes[1][1]].sum()) for v in vendors] if len(axes) > 1 else [0.0] * len(vendors)
    size = ([100 * float(parts.loc[v, axes[2][1]].sum()) for v in vendors] if len(axes) > 2
            else [1.0] * len(vendors))
    top = max(size) or 1.0
    with _figure(6.0, 4.4) as (fig, ax):
        by_x = sorted(range(len(vendors)), key=lambda i: (xs[i], ys[i]))
        for rank_x, i in enumerate(by_x):
            v = vendors[i]
            ax.scatter(xs[i], ys[i], s=60 + 900 * size[i] / top, color=_PALETTE[i % len(_PALETTE)], alpha=0.75,
                       edgecolor="black", linewidth=0.5)
            above = rank_x % 2 == 0                    # neighbours along x alternate above and below: no overlap
            ax.annotate(_short(r.matrix.names[v], 20), (xs[i], ys[i]), xytext=(0, 14 if above else -16),
                        textcoords="offset points", fontsize=8, ha="center", va="bottom" if above else "top")
        ax.set_xlabel(f"{_short(axes[0][0], 40)} (points)")
        if len(axes) > 1:
            ax.set_ylabel(f"{_short(axes[1][0], 40)} (points)")
        if len(axes) > 2:
            ax.set_title(f"marker size: {_short(axes[2][0], 40)} ({min(size):.1f}-{max(size):.1f} points)",
                         fontsize=8, loc="left")
        ax.margins(0.25)
        return _svg(fig)


def acceptability_svg(data) -> str:
    r = data.result
    table = data.analysis.smaa.acceptability.loc[list(r.ranking["vendor"])]
    n = table.shape[1]
    with _figure(6.0, 0.45 * len(table) + 1.4) as (fig, ax):
        image = ax.imshow(table.to_numpy(float), cmap="Blues", vmin=0.0, vmax=1.0, aspect="auto")
        for i in range(len(table)):
            for k in range(n):
                p = float(table.iloc[i, k])
                ax.text(k, i, f"{p:.0%}" if p >= 0.005 else "", ha="center", va="center", fontsize=8,
                        color="white" if p > 0.6 else "black")
        ax.set_xticks(range(n), [f"rank {k}" for k in range(1, n + 1)])
        ax.set_yticks(range(len(table)), [_short(r.matrix.names[v]) for v in table.index])
        ax.spines[:].set_visible(False)
        fig.colorbar(image, ax=ax, shrink=0.8, label="share of draws")
        return _svg(fig)


def tornado_svg(data, rows: int = 10) -> str:
    r = data.result
    t = data.analysis.tornado
    vendor = data.analysis.focus
    sub = t[t["vendor"] == vendor].copy()
    sub = sub.sort_values("swing", ascending=False, kind="stable").head(rows)[::-1]
    base = 100 * float(r.ranking.set_index("vendor").loc[vendor, "score"])
    with _figure(6.4, 0.38 * max(len(sub), 1) + 1.6) as (fig, ax):
        for i, row in enumerate(sub.itertuples()):
            lo, hi = 100 * row.score_low, 100 * row.score_high
            ax.barh(i, hi - base, left=base, color=_PALETTE[0], height=0.6)
            ax.barh(i, lo - base, left=base, color=_PALETTE[1], height=0.6)
            moved = row.rank_low != row.rank or row.rank_high != row.rank
            if moved:
                ax.text(max(lo, hi) + 0.3, i, f"rank {row.rank_low}..{row.rank_high}", va="center", fontsize=7)
        ax.axvline(base, color="black", linewidth=0.8)
        labels = []
        for row in sub.itertuples():
            what = data.labels.get(row.criterion, row.criterion)
            labels.append(_short(f"weight: {what}" if row.kind == "weight"
                                 else f"{r.matrix.names.get(row.subject, row.subject)}: {what}", 40))
        ax.set_yticks(range(len(sub)), labels)
        ax.set_xlabel(f"{_short(r.matrix.names[vendor])}'s score (points)")
        from matplotlib.patches import Patch
        ax.legend(handles=[Patch(color=_PALETTE[0], label="factor at its high end"),
                           Patch(color=_PALETTE[1], label="factor at its low end")],
                  loc="upper center", bbox_to_anchor=(0.5, -0.18), ncols=2, frameon=False, fontsize=8)
        return _svg(fig)


def frontier_svg(data) -> str:
    """The strategy frontier: the focal vendor's projected score against the margin floor, and below it the mix of
    moves chosen at each floor (filled = chosen), so the switches along the frontier show."""
    import matplotlib.pyplot as plt
    table = data.strategy["frontier"]
    ok = table[table["status"] == "optimal"]
    moves = sorted({m.strip() for cell in ok["moves"] for m in str(cell).split(",") if m.strip()})
    with _figure(6.4, 2.2 + 0.3 * max(len(moves), 1)) as (fig, ax):
        fig.clear()
        top, bottom = fig.subplots(2, 1, sharex=True, height_ratios=[3, max(len(moves), 1) * 0.5 + 0.5])
        top.plot(ok["margin_floor_pct"], 100 * ok["score"], marker="o", markersize=3, color=_PALETTE[0])
        bad = table[table["status"] != "optimal"]
        for x in bad["margin_floor_pct"]:
            top.axvline(x, color=_PALETTE[3], linestyle=":", linewidth=1)
        if len(bad):
            top.text(float(bad["margin_floor_pct"].iloc[0]), float(100 * ok["score"].min()), " infeasible",
                     color=_PALETTE[3], fontsize=7, va="bottom")
        top.set_ylabel("projected score (points)")
        for k, move in enumerate(moves):
            chosen = [move in [m.strip() for m in str(cell).split(",")] for cell in ok["moves"]]
            xs = ok["margin_floor_pct"].to_numpy(float)
            bottom.scatter(xs[chosen], [k] * int(sum(chosen)), marker="s", s=18, color=_PALETTE[2])
        bottom.set_yticks(range(len(moves)), [_short(m.replace("_", " "), 34) for m in moves], fontsize=7)
        bottom.set_ylim(-0.6, len(moves) - 0.4)
        bottom.set_xlabel("margin floor in every quarter (%)")
        plt.setp(top.get_xticklabels(), visible=False)
        return _svg(fig)


CHARTS = {"contributions": contributions_svg, "positioning": positioning_svg, "acceptability": acceptability_svg,
          "tornado": tornado_svg}


def render_charts(data) -> dict[str, str]:
    """Every chart as SVG text, keyed by ``CHART_NAMES`` (and ``frontier`` when the report has a strategy)."""
    charts = {name: CHARTS[name](data) for name in CHART_NAMES}
    if data.strategy is not None:
        charts["frontier"] = frontier_svg(data)
    return charts
