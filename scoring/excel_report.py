"""The Excel report: a workbook whose Weights sheet drives the scores through formulas, so a strategist changes a
weight in Excel and the ranking updates; with the summary, the scorecard, the SMAA acceptabilities, the
provenance ledger and the provenance block.

- **Weights**: one row per criterion; column D holds the weight in points (data validation: a number from 0 to
  1000), column E its share ``=D/SUM(D)``.
- **Scorecard**: for a method linear in the weights (the weighted sum, PROMETHEE II) each vendor's per-criterion
  score C (the normalized value; PROMETHEE's per-criterion net flow) is a number, each part ``=C * share`` and the
  score ``=SUM(parts)`` are formulas, and the rank is the tool's rank rule, ``=1+COUNTIF(scores,">"&(score+tol))``.
  TOPSIS is not linear in the weights: its scores are numbers, and the sheet says that they do not follow the
  weights.
- Every formula carries its cached value (what Python computed), so a viewer that does not recalculate still shows
  the right numbers.
- Text from input files is written as text, never as a formula (``strings_to_formulas`` off, and a leading
  ``= + - @``, tab or CR is neutralised as in the CSV); our own formulas are written as formulas.
- Byte-identical reruns: the document's creation date is the as-of date, not the clock.

XlsxWriter is imported here, when a report is written.
"""

from __future__ import annotations

import datetime as dt
import io

import numpy as np

from .methods import get_method
from .report import neutralise_cell, score_parts
from .summary import ReportData

SHEETS = ("Summary", "Weights", "Scorecard", "Acceptability", "Ledger", "Provenance")   # + "Strategy" before
#                                                                      Provenance when the report has a strategy
MAX_POINTS = 1000
WEIGHT_COL, SHARE_COL = 3, 4            # D, E on the Weights sheet (0-based columns)


def _col(k: int) -> str:
    """0-based column index -> letters.

    >>> _col(0), _col(25), _col(26)
    ('A', 'Z', 'AA')
    """
    s = ""
    k += 1
    while k:
        k, rem = divmod(k - 1, 26)
        s = chr(65 + rem) + s
    return s


def _text(value) -> str:
    return neutralise_cell("" if value is None else str(value))


def render_xlsx(data: ReportData) -> bytes:
    import xlsxwriter
    r = data.result
    scorer = r.scorer
    entry = get_method(r.method)
    live = entry.linear_in_weights
    crits, vendors = scorer.criteria, list(r.ranking["vendor"])
    m, n = len(crits), len(vendors)
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
                                   "strings_to_numbers": False})
    as_of = r.matrix.as_of
    wb.set_properties({"title": _text(f"Cloud vendor ranking: {r.criteria.name}"), "author": "cloudscore",
                       "created": dt.datetime(as_of.year, as_of.month, as_of.day)})
    bold = wb.add_format({"bold": True})
    head = wb.add_format({"bold": True, "bg_color": "#EEF1F5", "border": 1, "text_wrap": True, "valign": "top"})
    wrap = wb.add_format({"text_wrap": True, "valign": "top"})
    pct = wb.add_format({"num_format": "0.0%"})
    num3 = wb.add_format({"num_format": "0.000"})
    inp = wb.add_format({"bg_color": "#FFF7D6", "border": 1, "num_format": "0.##"})
    title = wb.add_format({"bold": True, "font_size": 14})

    # Summary
    ws = wb.add_worksheet("Summary")
    ws.set_column(0, 0, 120, wrap)
    lines = [(f"Cloud vendor ranking: {r.criteria.name}, as of {as_of.isoformat()} ({entry.label}, "
              f"normalization {r.criteria.normalization})", title), (data.bottom_line, bold), ("", None),
             ("Why #1 beats #2", bold), (data.why_text, None), ("How sure", bold), (data.certainty_text, None),
             ("What would flip the lead", bold), *[(f"- {f}", None) for f in data.flips],
             ("Data caveats that decide an ordering", bold),
             *([(f"- {c}", None) for c in data.caveat_lines()] or [("None: no flagged figure, moved across its "
                                                                    "plausible range, swaps two neighbours.", None)])]
    if data.changes_text:
        lines += [("What changed", bold), (data.changes_text, None)]
    lines += [("", None), ("Change the weights on the Weights sheet (yellow cells): the Scorecard re-scores and "
                           "re-ranks." if live else f"{entry.label} is not linear in the weights: the Scorecard's "
                           "scores are values and do not follow the Weights sheet.", None)]
    for i, (text, fmt) in enumerate(lines):
        ws.write_string(i, 0, _text(text), fmt) if fmt else ws.write_string(i, 0, _text(text))

    # Weights
    ww = wb.add_worksheet("Weights")
    ww.set_column(0, 0, 22)
    ww.set_column(1, 2, 26)
    ww.set_column(3, 4, 14)
    ww.set_column(5, 5, 90, wrap)
    for k, h in enumerate(["criterion", "label", "group", "weight (points)", "share", "rationale"]):
        ww.write_string(0, k, h, head)
    group_label = {g.id: g.label or g.id for g in r.criteria.groups}
    ct = r.criteria_table.set_index("criterion")
    points = 100 * scorer.weights               # the effective weights as points out of 100: same shares
    first, last = 2, m + 1                      # Excel rows of the weights
    for j, c in enumerate(crits):
        row = j + 1
        ww.write_string(row, 0, _text(c))
        ww.write_string(row, 1, _text(ct.loc[c, "label"]))
        ww.write_string(row, 2, _text(group_label.get(ct.loc[c, "group"], "")))
        ww.write_number(row, WEIGHT_COL, round(float(points[j]), 10), inp)
        ww.write_formula(row, SHARE_COL, f"=D{row + 1}/SUM($D${first}:$D${last})", pct, float(scorer.weights[j]))
        ww.write_string(row, 5, _text(ct.loc[c, "rationale"]))
    ww.data_validation(1, WEIGHT_COL, m, WEIGHT_COL, {
        "validate": "decimal", "criteria": "between", "minimum": 0, "maximum": MAX_POINTS,
        "input_title": "Weight in points", "input_message": f"0 to {MAX_POINTS}; shares are points / total",
        "error_title": "Not a weight", "error_message": f"Enter a number from 0 to {MAX_POINTS}."})
    ww.write_string(m + 2, 0, "total", bold)
    ww.write_formula(m + 2, WEIGHT_COL, f"=SUM(D{first}:D{last})", None, float(points.sum()))
    ww.write_string(m + 3, 0, _text("The stated weights, as points out of 100 (group share x share within the group). "
                                    "Change the yellow cells; the Scorecard follows."
                                    if live else f"{entry.label}: the Scorecard does not follow these weights."))

    # Scorecard
    sc = wb.add_worksheet("Scorecard")
    c_matrix = scorer.criterion_scores() if live else None
    parts = score_parts(r).table
    index = {v: i for i, v in enumerate(scorer.vendors)}
    c0 = 2                                      # first C column
    p0 = c0 + m                                 # first part column
    score_col, rank_col = p0 + m, p0 + m + 1
    heads = ["vendor", "name",
             *[f"{'normalized' if entry.additive else 'criterion score'}: {c}" for c in crits],
             *[f"part: {c}" for c in crits], "score", "rank", "tier"]
    for k, h in enumerate(heads):
        sc.write_string(0, k, _text(h), head)
    sc.set_column(0, 1, 18)
    sc.set_column(c0, rank_col + 1, 13)
    scores = r.ranking.set_index("vendor")["score"]
    rows = {v: i + 1 for i, v in enumerate(vendors)}
    score_range = f"${_col(score_col)}$2:${_col(score_col)}${n + 1}"
    tol = scorer.tolerance
    for v in vendors:
        row = rows[v]
        sc.write_string(row, 0, _text(v))
        sc.write_string(row, 1, _text(r.matrix.names[v]))
        for j, c in enumerate(crits):
            if live:
                sc.write_number(row, c0 + j, float(c_matrix[index[v], j]), num3)
                sc.write_formula(row, p0 + j, f"={_col(c0 + j)}{row + 1}*Weights!$E${j + 2}", num3,
                                 float(parts.loc[v, c]))
            else:
                sc.write_number(row, c0 + j, float(r.normalized.loc[v, c]), num3)
                sc.write_number(row, p0 + j, float(parts.loc[v, c]), num3)
        if live:
            sc.write_formula(row, score_col, f"=SUM({_col(p0)}{row + 1}:{_col(p0 + m - 1)}{row + 1})", num3,
                             float(scores[v]))
            sc.write_formula(row, rank_col, f'=1+COUNTIF({score_range},">"&({_col(score_col)}{row + 1}+{tol!r}))',
                             None, int(r.ranking.set_index("vendor").loc[v, "rank"]))
        else:
            sc.write_number(row, score_col, float(scores[v]), num3)
            sc.write_number(row, rank_col, int(r.ranking.set_index("vendor").loc[v, "rank"]))
        sc.write_string(row, rank_col + 1, _text(data.tiers[v]))
    note = (f"Score = SUM(parts); part = criterion score x share (Weights!E); rank = 1 + vendors ahead by more than "
            f"{tol:g} (the tool's rank rule). Tier is as of the stated weights." if live else
            f"{entry.label} is not linear in the weights: scores and ranks are values. Parts are weighted-sum "
            "contributions and add up to the weighted sum, not to the score.")
    sc.write_string(n + 2, 0, _text(note))
    sc.freeze_panes(1, 2)

    # Acceptability
    ac = wb.add_worksheet("Acceptability")
    table = data.analysis.smaa.acceptability.loc[vendors]
    ac.write_string(0, 0, "vendor", head)
    for k in range(table.shape[1]):
        ac.write_string(0, k + 1, f"rank {k + 1}", head)
    for i, v in enumerate(vendors):
        ac.write_string(i + 1, 0, _text(r.matrix.names[v]))
        for k in range(table.shape[1]):
            ac.write_number(i + 1, k + 1, float(table.iloc[i, k]), pct)
    ac.write_string(n + 2, 0, _text(data.certainty_text))
    ac.set_column(0, 0, 20)

    # Ledger
    lg = wb.add_worksheet("Ledger")
    keys = ["what", "vendor", "criterion", "value", "unit", "mark", "period", "source", "fact", "confidence", "flags",
            "note"]
    for k, h in enumerate(keys):
        lg.write_string(0, k, h, head)
    for i, x in enumerate(data.ledger, start=1):
        for k, key in enumerate(keys):
            value = x["label"] if key == "criterion" else x[key]
            if key == "value":
                if value is None or (isinstance(value, float) and np.isnan(value)):
                    lg.write_blank(i, k, None)
                else:
                    lg.write_number(i, k, float(value))
            else:
                lg.write_string(i, k, _text(value))
    lg.set_column(0, 6, 14)
    lg.set_column(7, 7, 60)
    lg.set_column(8, 8, 36)
    lg.set_column(11, 11, 80)
    lg.autofilter(0, 0, len(data.ledger), len(keys) - 1)

    # Strategy (with a strategy model)
    if data.strategy is not None:
        st = wb.add_worksheet("Strategy")
        model = data.strategy["model"]
        st.write_string(0, 0, _text(f"Strategy for {model.vendor} ({model.name}): presets compared, then the "
                                    "frontier (score against the margin floor)"), bold)
        row = 2
        for table in (data.strategy["presets"], data.strategy["frontier"]):
            cols = list(table.columns)
            for k, h in enumerate(cols):
                st.write_string(row, k, _text(h), head)
            for rec in table.itertuples(index=False):
                row += 1
                for k, value in enumerate(rec):
                    if isinstance(value, int | float) and not isinstance(value, bool):
                        if np.isnan(value):
                            st.write_blank(row, k, None)
                        else:
                            st.write_number(row, k, float(value))
                    else:
                        st.write_string(row, k, _text(value))
            row += 3
        st.set_column(0, 8, 16)

    # Provenance
    pv = wb.add_worksheet("Provenance")
    for i, (k, v) in enumerate(data.provenance):
        pv.write_string(i, 0, _text(k), bold)
        pv.write_string(i, 1, _text(v))
    pv.set_column(0, 0, 16)
    pv.set_column(1, 1, 140)
    wb.close()
    return buf.getvalue()
