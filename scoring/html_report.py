"""The HTML report: one self-contained page that opens offline (no request of any kind), with the charts inline
and weight sliders that re-rank the vendors in the page.

The page embeds, as JSON, exactly what the view's method needs to re-score under new weights: for a method linear
in the weights (the weighted sum, PROMETHEE II) the per-criterion score matrix C (score = C w); for TOPSIS the
normalized matrix (the page runs the same TOPSIS as ``methods.topsis_kernel``). Ranks follow the one rank rule
(``rank.ranks``: 1 + the number of vendors ahead by more than the tolerance). A method with no page kernel gets no
sliders, and the page says so: never a ranking the tool would not give.

Everything from input files is escaped (Jinja2 with ``autoescape=True``; ``|tojson`` inside ``<script>``), and
only http(s) addresses become links. Jinja2 is imported here, when a report is written.
"""

from __future__ import annotations

import base64
import re
from pathlib import Path

from .methods import get_method
from .report import criterion_groups, score_parts
from .summary import ReportData, acceptability_table

TEMPLATES = Path(__file__).parent / "templates"
#: Page kernels for methods that are not linear in the weights (a linear one always has the "linear" kernel).
NONLINEAR_PAGE_KERNELS = {"topsis": "topsis"}
_URL = re.compile(r"https?://[^\s<>\"'()\[\]]+")


def page_kernel(method: str) -> str | None:
    """The page's re-scoring kernel for a method: "linear", "topsis", or None (no sliders).

    >>> page_kernel("weighted-sum"), page_kernel("promethee"), page_kernel("topsis")
    ('linear', 'linear', 'topsis')
    """
    entry = get_method(method)
    return "linear" if entry.linear_in_weights else NONLINEAR_PAGE_KERNELS.get(entry.name)


def linkify(text) -> str:
    """Escaped text in which only http(s) addresses are links (``javascript:`` and the like stay text).

    >>> str(linkify('a https://x.cn/?a=1&b=2, javascript:alert(1) <b>'))
    'a <a href="https://x.cn/?a=1&amp;b=2" rel="noopener">https://x.cn/?a=1&amp;b=2</a>, javascript:alert(1) &lt;b&gt;'
    """
    from markupsafe import Markup, escape
    s = "" if text is None else str(text)
    out, last = [], 0
    for m in _URL.finditer(s):
        url = m.group(0).rstrip(".,;:!?")            # a sentence's full stop is not part of the address
        out.append(escape(s[last:m.start()]))
        out.append(Markup('<a href="{0}" rel="noopener">{0}</a>').format(url))
        last = m.start() + len(url)
    out.append(escape(s[last:]))
    return Markup("").join(out)


def page_data(data: ReportData) -> dict:
    """What the page's script re-ranks with (plain JSON)."""
    r = data.result
    scorer = r.scorer
    kernel = page_kernel(r.method)
    matrix = None
    if kernel == "linear":
        matrix = scorer.criterion_scores().tolist()
    elif kernel == "topsis":
        matrix = scorer.normalized().tolist()
    return {"method": r.method, "label": get_method(r.method).label, "kernel": kernel, "tolerance": scorer.tolerance,
            "vendors": [{"id": v, "name": str(r.matrix.names[v])} for v in scorer.vendors],
            "criteria": [{"id": c, "label": data.labels[c], "weight": float(w)}
                         for c, w in zip(scorer.criteria, scorer.weights, strict=True)],
            "matrix": matrix}


def strategy_rows(data: ReportData) -> dict | None:
    """The strategy section's tables as display strings (None without a strategy model)."""
    import math
    if data.strategy is None:
        return None
    model = data.strategy["model"]

    def fmt(x, pattern):
        return "" if x is None or (isinstance(x, float) and math.isnan(x)) else pattern.format(x)
    presets = [{"preset": r.preset, "status": r.status, "score": None if math.isnan(r.score) else r.score,
                "rank": fmt(r.rank, "{:.0f}"), "delta": fmt(100 * r.score_delta, "{:+.1f} points"),
                "revenue": fmt(r.revenue_rmb_bn, "{:.2f}"), "margin": fmt(r.margin_pct, "{:.2f}%"),
                "moves": str(r.moves).replace("_", " ")} for r in data.strategy["presets"].itertuples()]
    table = data.strategy["frontier"]
    last_ok = max((i for i, st in enumerate(table["status"]) if st == "optimal"), default=-1)
    # the rows a reader needs: the start, every switch, the highest feasible floor and what lies beyond it (the
    # chart and the JSON have every point)
    frontier = [{"floor": fmt(r.margin_floor_pct, "{:.2f}%"), "status": r.status,
                 "score": None if math.isnan(r.score) else r.score, "revenue": fmt(r.revenue_rmb_bn, "{:.2f}"),
                 "switched": str(r.switched).replace("_", " ")}
                for i, r in enumerate(table.itertuples())
                if i == 0 or str(r.switched).strip() or i == last_ok or r.status != "optimal"]
    kinds = _coefficient_kinds(model)
    import os
    return {"model": model, "view": Path(os.path.normpath(model.criteria_path)).as_posix(),
            "vendor_name": str(data.result.matrix.names.get(model.vendor, model.vendor)),
            "presets": presets, "frontier": frontier, "assumptions": kinds.count("assumption"),
            "coefficients": len(kinds)}


def _coefficient_kinds(model) -> list[str]:
    """The kind (fact, derived, assumption) of every coefficient of a strategy model, found by walking it (the
    observed quarters are the backtest's record, not coefficients of the model)."""
    from dataclasses import fields, is_dataclass

    from .models import Coefficient
    kinds: list[str] = []

    def walk(x):
        if isinstance(x, Coefficient):
            kinds.append(x.kind)
        elif is_dataclass(x):
            for f in fields(x):
                if f.name != "observed":
                    walk(getattr(x, f.name))
        elif isinstance(x, dict):
            for v in x.values():
                walk(v)
        elif isinstance(x, list | tuple):
            for v in x:
                walk(v)
    walk(model)
    return kinds


def _svg_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def render_html(data: ReportData, charts: dict[str, str]) -> str:
    """The page as text (UTF-8)."""
    import jinja2
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True, keep_trailing_newline=True,
                             undefined=jinja2.StrictUndefined)
    env.filters["linkify"] = linkify
    env.filters["pct"] = lambda x, d=1: "" if x is None else f"{100 * float(x):.{d}f}%"
    env.filters["pts"] = lambda x: "" if x is None else f"{100 * float(x):.1f}"
    env.filters["num"] = lambda x: "n/a" if x is None or x != x else f"{float(x):g}"
    r = data.result
    parts = score_parts(r)
    crits = list(r.normalized.columns)
    ranking = r.ranking.set_index("vendor")
    scorecard = []
    for v in r.ranking["vendor"]:
        row = ranking.loc[v]
        scorecard.append({"vendor": v, "name": str(row["name"]), "rank": int(row["rank"]), "tied": bool(row["tied"]),
                          "score": float(row["score"]), "weighted_sum": float(row["weighted_sum"]),
                          "parts": [float(parts.table.loc[v, c]) for c in crits],
                          "subtotals": [float(parts.table.loc[v, m].sum()) for _, m in criterion_groups(r)],
                          "tier": data.tiers[v], "flags": ", ".join(row["flags"])})
    expl = r.explanation.set_index(["vendor", "criterion"])
    details = {v: [dict(expl.loc[(v, c)], criterion=c) for c in crits] for v in r.ranking["vendor"]}
    in_view = set(r.matrix.values.index)
    left_out = [v.name for v in r.vendors if v.id not in in_view]
    charts_uri = {name: _svg_uri(svg) for name, svg in charts.items()}
    template = env.get_template("report.html.j2")
    return template.render(strategy=strategy_rows(data),
        d=data, r=r, crits=crits, groups=criterion_groups(r), parts=parts, scorecard=scorecard, details=details,
        units={c.id: c.unit or "" for c in r.criteria.criteria}, charts=charts_uri, page=page_data(data),
        acceptability=acceptability_table(data), intervals=data.analysis.intervals.reset_index().to_dict("records"),
        left_out=left_out, method=get_method(r.method), show_ws=parts.total_column == "weighted_sum",
        group_label={g.id: g.label or g.id for g in r.criteria.groups})
