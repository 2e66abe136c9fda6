"""``cloudscore report``: one complete report of a view at an as-of date, in every format, written together.

Files, named ``<as_of>_<view>_<method>`` (:func:`report.report_stem`, bounded and safe whatever the view's name):

| file | for |
|---|---|
| ``.html`` | the boss: one self-contained page (summary first, sliders that re-rank, charts inline), opens offline |
| ``.xlsx`` | the strategist: a Weights sheet that drives the scores through formulas |
| ``.md`` + ``.<chart>.svg`` | a code host: the same report, charts as SVG files beside it (+ frontier) |
| ``.csv`` + ``.provenance.txt`` | ``pandas.read_csv``: one row per vendor; the provenance beside it |
| ``.json`` | programs: the ranking document plus summary, robustness, changes, ledger, provenance block |

Every format shows the same provenance block (``ReportData.provenance``). Everything is rendered in memory first;
then the files are written into a staging folder inside the output folder and renamed into place, so a failure
(a read-only folder, a full disk) leaves no partial file, and the command exits 2 with a clear message.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import tempfile
import urllib.parse
from pathlib import Path

from . import report as rp
from .errors import ConfigError, ConfigErrors, Where
from .summary import ReportData, acceptability_table, clip_text

#: The formats ``cloudscore report`` writes, in the order their files are listed.
REPORT_FORMATS = ("html", "xlsx", "markdown", "csv", "json")


def _md(text) -> str:
    return rp._md(clip_text(text))


def chart_file(stem: str, name: str) -> str:
    return f"{stem}.{name}.svg"


def render_report_markdown(data: ReportData, stem: str) -> str:
    """The full report in Markdown, charts linked as the SVG files written beside it."""
    r = data.result
    lines = [f"# Cloud vendor ranking: {_md(r.criteria.name)}", "",
             f"As of **{r.matrix.as_of.isoformat()}**, method **{r.method}**, normalization "
             f"**{r.criteria.normalization}**.", "", "## Summary", "", f"**{_md(data.bottom_line)}**", "",
             f"- **Why #1 beats #2.** {_md(data.why_text)}", f"- **How sure.** {_md(data.certainty_text)}",
             "- **What would flip the lead.** " + "; ".join(_md(f) for f in data.flips) + ".",
             "- **Data caveats that decide an ordering.** " + (" ".join(_md(c) for c in data.caveat_lines()) or
                                                               "None: no estimate, missing or low-confidence figure, "
                                                               "moved across its plausible range, swaps two "
                                                               "neighbours.")]
    if data.changes_text:
        lines.append(f"- **What changed.** {_md(data.changes_text)}")
    lines += ["", "## Charts", ""]
    captions = {"contributions": "Score by criterion", "positioning": "Positioning (two groups as axes, a third as "
                "marker size)", "acceptability": "Rank acceptability (SMAA-2)", "tornado": "Tornado for the leader"}
    for name, caption in captions.items():
        lines += [f"![{caption}]({urllib.parse.quote(chart_file(stem, name))})", ""]
    lines += ["## Methodology", ""]
    if r.criteria.description:
        lines += [_md(r.criteria.description), ""]
    lines += rp.markdown_criteria(r)
    in_view = set(r.matrix.values.index)
    left_out = [v.name for v in r.vendors if v.id not in in_view]
    lines += ["", "Vendors: " + ", ".join(_md(n) for n in r.ranking["name"])
              + (" (the view's `vendors:` list)" if r.criteria.vendors else " (every vendor file in the folder)")
              + (f"; profiled but outside this view: {_md(', '.join(left_out))}" if left_out else "") + ".", ""]
    lines += ["## Scorecard", "", "Points = score x 100 in the text; the tables show scores (0-1).", ""]
    lines += rp.markdown_ranking(r, data.tiers)
    lines += ["", "Tiers by score as a share of the leader's: Leader from 90%, Strong performer from 75%, Contender "
              "from 50%, else Challenger.", "", "### Every cell", ""] + rp.markdown_explanations(r)
    lines += rp.markdown_flags(r)
    lines += ["## Robustness", "", "### Weight stability intervals", "",
              "| criterion | weight | same order | same leader | the leader changes |", "|---|---:|---:|---:|---|"]
    for c, w in data.analysis.intervals.iterrows():
        swaps = "; ".join(x for x in (w.first_low_swap and f"below: {data.named(w.first_low_swap)}",
                                      w.first_high_swap and f"above: {data.named(w.first_high_swap)}") if x)
        lines.append(f"| {_md(data.labels[c])} | {w.weight:.1%} | {w.order_low:.1%} - {w.order_high:.1%} | "
                     f"{w.first_low:.1%} - {w.first_high:.1%} | {_md(swaps)} |")
    table = acceptability_table(data)
    lines += ["", "### Rank acceptability (SMAA-2)", "", _md(data.certainty_text), "",
              "| vendor | " + " | ".join(f"rank {k}" for k in table.columns) + " |",
              "|---|" + "---:|" * table.shape[1]]
    for v, row in table.iterrows():
        lines.append(f"| {_md(r.matrix.names[v])} | " + " | ".join(f"{p:.1%}" for p in row) + " |")
    lines += ["", "### What it would take for #2 to lead", ""] + [f"- {_md(x)}" for x in data.whatif_lines]
    lines += ["", "Each answer was checked by re-scoring the change and ranking everyone again. The tornado "
              "(chart above) moves one factor at a time and misses interactions; SMAA varies everything at once.", ""]
    lines += _markdown_strategy(data, stem)
    if data.earlier is not None:
        lines += [f"## What changed since {data.earlier.matrix.as_of.isoformat()}", "", _md(data.changes_text), "",
                  "| vendor | rank then | rank now | score then | score now | cells that moved it |",
                  "|---|---:|---:|---:|---:|---|"]
        for m in data.moves:
            drivers = "<br>".join(
                f"{_md(x['label'])} {x['points']:+.1f} pts: {_fmt(x['raw_then'])} ({_md(x['period_then'] or '-')}) "
                f"-> {_fmt(x['raw_now'])} ({_md(x['period_now'] or '-')}); then: {_md(x['source_then'] or '-')}; "
                f"now: {_md(x['source_now'] or '-')}" for x in m.drivers)
            lines.append(f"| {_md(r.matrix.names[m.vendor])} | {m.rank_then if m.rank_then else 'new'} | "
                         f"{m.rank_now} | {'' if m.score_then is None else f'{m.score_then:.3f}'} | "
                         f"{m.score_now:.3f} | {drivers} |")
        lines.append("")
    lines += ["## Provenance", ""] + rp.markdown_provenance(data.provenance)
    lines += ["", "### Ledger: every number and what it rests on", "",
              "| what | vendor | criterion | value | unit | mark | period | source | fact (data/facts.csv) "
              "| confidence | flags | note |",
              "|---|---|---|---:|---|---|---|---|---|---|---|---|"]
    for x in data.ledger:
        lines.append("| " + " | ".join([x["what"], _md(x["vendor"]), _md(x["label"]), _fmt(x["value"]), _md(x["unit"]),
                                         x["mark"], _md(x["period"]), _md(x["source"]), _md(x["fact"]),
                                         _md(x["confidence"]), _md(x["flags"]), _md(x["note"])]) + " |")
    lines += ["", rp.DISCLAIMER, ""]
    return "\n".join(lines)


def _markdown_strategy(data: ReportData, stem: str) -> list[str]:
    from .html_report import strategy_rows
    rows = strategy_rows(data)
    if rows is None:
        return []
    model = rows["model"]
    lines = [f"## Strategy: {_md(rows['vendor_name'])} ({_md(model.name)})", "",
             f"The optimizer's mix of business lines and moves, scored on the strategy model's own view "
             f"(`{rows['view']}`, as of {model.as_of.isoformat()}); {rows['assumptions']} of its "
             f"{rows['coefficients']} coefficients are a strategist's assumptions.", "", "### Presets compared", "",
             "| preset | status | score | rank | vs the current mix | revenue, last quarter (RMB bn) | lowest margin "
             "| moves |", "|---|---|---:|---:|---:|---:|---:|---|"]
    for p in rows["presets"]:
        score = "" if p["score"] is None else f"{p['score']:.3f}"
        lines.append(f"| {_md(p['preset'])} | {p['status']} | {score} | {p['rank']} | {p['delta']} | {p['revenue']} "
                     f"| {p['margin']} | {_md(p['moves'])} |")
    lines += ["", "### The frontier: score against the margin floor", "",
              f"![Frontier and the moves along it]({urllib.parse.quote(chart_file(stem, 'frontier'))})", "",
              "The start, every switch, the highest feasible floor and beyond (the JSON has every point):", "",
              "| margin floor | status | score | revenue (RMB bn) | moves that switch here |",
              "|---:|---|---:|---:|---|"]
    for f in rows["frontier"]:
        score = "" if f["score"] is None else f"{f['score']:.3f}"
        lines.append(f"| {f['floor']} | {f['status']} | {score} | {f['revenue']} | {_md(f['switched'])} |")
    return lines + [""]


def _fmt(x) -> str:
    return "missing" if x is None else f"{x:g}"


def report_dict(data: ReportData) -> dict:
    """The JSON document: ``rank --format json``'s, plus ``summary``, ``robustness``, ``changes``, ``ledger`` and
    ``provenance_block`` (the same lines as every other format)."""
    r, a = data.result, data.analysis
    doc = rp.to_dict(r)
    doc["summary"] = {"bottom_line": data.bottom_line, "why_first": data.why_first, "why": data.why_text,
                      "certainty": data.certainty_text, "flips": data.flips,
                      "caveats": [{"vendor": c.vendor, "criterion": c.criterion, "text": c.text}
                                  for c in data.caveats],
                      "changes": data.changes_text, "tiers": data.tiers}
    doc["robustness"] = rp.sensitivity_dict(r, a.intervals, a.tornado, a.smaa)
    doc["robustness"].pop("provenance", None)
    doc["robustness"]["whatif"] = data.whatif_lines
    doc["changes"] = None if data.earlier is None else {
        "since": data.earlier.matrix.as_of.isoformat(),
        "moves": [{"vendor": m.vendor, "rank_then": m.rank_then, "rank_now": m.rank_now,
                   "score_then": None if m.score_then is None else round(m.score_then, 12),
                   "score_now": round(m.score_now, 12), "drivers": m.drivers} for m in data.moves]}
    doc["strategy"] = None if data.strategy is None else {
        "model": data.strategy["model"].name, "vendor": data.strategy["model"].vendor,
        "presets": _records(data.strategy["presets"]), "frontier": _records(data.strategy["frontier"])}
    doc["ledger"] = data.ledger
    doc["provenance_block"] = [[k, v] for k, v in data.provenance]
    return doc


def _records(table) -> list[dict]:
    import math
    return [{k: (None if isinstance(v, float) and math.isnan(v) else (round(v, 12) if isinstance(v, float) else v))
             for k, v in row.items()} for row in table.to_dict("records")]


def render_report_files(data: ReportData) -> dict[str, bytes]:
    """Every file of the report, by file name, rendered in memory (charts, HTML, workbook, Markdown, CSV, JSON)."""
    from .charts import render_charts
    from .excel_report import render_xlsx
    from .html_report import render_html
    stem = rp.report_stem(data.result)
    charts = render_charts(data)
    provenance = "".join(f"{k}: {v}\n" for k, v in data.provenance)
    files = {f"{stem}.html": render_html(data, charts).encode("utf-8"),
             f"{stem}.xlsx": render_xlsx(data),
             f"{stem}.md": render_report_markdown(data, stem).encode("utf-8"),
             f"{stem}.csv": rp.render_csv(data.result).encode("utf-8"),
             f"{stem}.provenance.txt": provenance.encode("utf-8"),
             f"{stem}.json": (json.dumps(report_dict(data), ensure_ascii=False, indent=2) + "\n").encode("utf-8")}
    files.update({chart_file(stem, name): svg.encode("utf-8") for name, svg in charts.items()})
    return files


def _refuse(folder: Path, problem: str, hint: str = "") -> ConfigErrors:
    return ConfigErrors([ConfigError(Where("--out"), "", f"{folder}: {problem}; nothing was written", hint)])


def write_report(data: ReportData, folder: str | Path = "reports") -> list[Path]:
    """Render every file, then write them all or none; returns their paths. ``ConfigErrors`` (exit 2) when the
    folder is a file, cannot be created or written, or the disk fills up."""
    check_folder(folder)                      # before rendering: a bad --out fails at once
    return write_files(render_report_files(data), folder)


def check_folder(folder: str | Path) -> None:
    """Refuse (``ConfigErrors``) an output folder that is an existing file."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise _refuse(folder, "is a file, not a folder", "give --out a folder (it is created if missing)")


def write_files(files: dict[str, bytes], folder: str | Path) -> list[Path]:
    folder = Path(folder)
    check_folder(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".cloudscore-report-", dir=folder))
    except OSError as exc:
        raise _refuse(folder, f"cannot create or write into it ({_why(exc)})", _hint(exc)) from None
    try:
        for name, body in files.items():
            with open(staging / name, "wb") as handle:
                rp._write_file(handle, body)
        for name in files:
            os.replace(staging / name, folder / name)
    except OSError as exc:
        raise _refuse(folder, f"could not write the report ({_why(exc)})", _hint(exc)) from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return [folder / name for name in files]


def _why(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


def _hint(exc: OSError) -> str:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return "free some space, or pass --out a folder on another disk"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return "pass --out a folder you can write to"
    if exc.errno in (errno.ENOTDIR, errno.ENOENT, errno.EEXIST):
        return "check that the path exists and that each part of it above the folder is a folder, not a file"
    return ""
