"""Last stage: a ranking Result -> terminal table, JSON, CSV or Markdown, each carrying its provenance (the full
report of ``cloudscore report`` builds on these: :mod:`scoring.full_report`).

Files are written atomically (a temporary file in the same folder, then a rename), so a reader never sees a
half-written report and an interrupted run leaves the previous report intact. Text from input files is
escaped for Markdown/HTML, and CSV text cells that a spreadsheet would run as a formula are neutralised.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .methods import get_method

if TYPE_CHECKING:
    import pandas as pd

    from .pipeline import Result

#: Output formats: of a ranking (``rank``), and of the analyses (``sensitivity``, ``whatif``, ``compare``).
FORMATS = ("table", "json", "csv", "markdown")
ANALYSIS_FORMATS = ("table", "json")
_FLAG_MEANING = {
    "missing": "no value known at the as-of date; scored by the criterion's missing policy",
    "estimate": "an analyst's estimate, not a sourced figure (reasoning in the vendor file)",
    "unsourced": "a bare what-if number with no source",
    "stale": "the latest observation is older than the staleness window",
    "low-confidence": "the source is rated low confidence",
    "derived": "computed from other facts (e.g. stability from the incident list)",
    "unknown": "no incident disclosed, and the status history is not verified: unknown, not perfect",
    "clipped": "outside the criterion's fixed scale; clipped to its bound",
    "mixed-period": "measures a different period than most of this criterion's figures: the comparison mixes dates",
}


def to_dict(result: Result) -> dict:
    """The JSON document: ``{"criteria", "as_of", "method", "ranking": [...], "criteria_table", "provenance"}``."""
    expl = result.explanation
    # one pass over the explanation, grouped by vendor (filtering it once per vendor was quadratic in vendors)
    by_vendor: dict[str, list] = {}
    for r in expl.itertuples():
        by_vendor.setdefault(r.vendor, []).append(r)
    ranking = []
    for row in result.ranking.itertuples(index=False):
        mine = by_vendor.get(row.vendor, [])
        ranking.append({
            "vendor": row.vendor,
            "name": row.name,
            "score": _num(row.score),
            "rank": int(row.rank),
            "tied": bool(row.tied),
            "weighted_sum": _num(row.weighted_sum),
            "contributions": {r.criterion: _num(r.contribution) for r in mine},
            "explanation": {r.criterion: {"metric": r.metric, "raw": _num(r.raw), "normalized": _num(r.normalized),
                                          "weight": _num(r.weight), "contribution": _num(r.contribution),
                                          "flags": list(r.flags), "period": r.period, "source": r.source,
                                          "confidence": r.confidence, "note": r.note}
                            for r in mine},
            "flags": list(row.flags),
        })
    return {
        "criteria": result.criteria.name,
        "as_of": result.matrix.as_of.isoformat(),
        "method": result.method,
        "normalization": result.criteria.normalization,
        "ranking": ranking,
        "criteria_table": [{k: (_num(v) if isinstance(v, float) else v) for k, v in r.items()}
                           for r in result.criteria_table.to_dict("records")],
        "provenance": result.provenance,
    }


def _num(x: float) -> float | None:
    x = float(x)
    return None if math.isnan(x) else round(x, 12)


def render_json(result: Result) -> str:
    return json.dumps(to_dict(result), ensure_ascii=False, indent=2) + "\n"


def neutralise_cell(value):
    """Make a text cell safe to open in a spreadsheet: a leading ``= + - @`` (or tab/CR) becomes text.

    >>> neutralise_cell("=HYPERLINK(1)"), neutralise_cell("-5 pp"), neutralise_cell(-5.0), neutralise_cell("ok")
    ("'=HYPERLINK(1)", "'-5 pp", -5.0, 'ok')
    """
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def render_csv(result: Result) -> str:
    """One row per vendor: rank, score, weighted sum, each criterion's part of the score and raw value, flags,
    and each cell's ``data/facts.csv`` row(s) (``fact_`` columns: ids, "estimate", or empty when missing).

    Plain CSV that ``pandas.read_csv`` reads as it is: the provenance goes beside it (``cloudscore report``
    writes ``<stem>.provenance.txt``, :func:`render_provenance`), never inside it. The ``part_`` columns add up
    to the column named in ``adds_up_to`` (the score for an additive method, the weighted sum for TOPSIS; see
    :func:`score_parts`).
    """
    out = io.StringIO()
    crits = list(result.normalized.columns)
    parts = score_parts(result)
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["rank", "vendor", "name", "score", "tied", "weighted_sum",
                     *[f"part_{c}" for c in crits], "adds_up_to", *[f"raw_{c}" for c in crits], "flags",
                     *[f"fact_{c}" for c in crits]])
    expl = result.explanation.set_index(["vendor", "criterion"])
    evidence = result.matrix.evidence
    facts = dict(zip(zip(evidence["vendor"], evidence["criterion"], strict=True), evidence["fact"], strict=True))
    for row in result.ranking.itertuples(index=False):
        writer.writerow([neutralise_cell(one_line(x)) for x in [
            int(row.rank), row.vendor, row.name, f"{row.score:.6f}", row.tied, f"{row.weighted_sum:.6f}",
            *[f"{parts.table.loc[row.vendor, c]:.6f}" for c in crits], parts.total_column,
            *[format_cell(expl.loc[(row.vendor, c), "raw"]) for c in crits],
            ";".join(row.flags), *[fact_ids(row.vendor, facts.get((row.vendor, c), "")) for c in crits]]])
    return out.getvalue()


def fact_ids(vendor: str, fact: str) -> str:
    """A cell's fact rows as ``data/facts.csv`` ids (``vendor:metric@period``), from the evidence's ``fact``
    (ids without the vendor, "; " between several); "estimate" and "(no fact row)" stay as they are.

    >>> fact_ids("baidu", "incident_duration@2023-05-01; (no fact row)")
    'baidu:incident_duration@2023-05-01; (no fact row)'
    """
    parts = [p for p in (fact or "").split("; ") if p]
    return "; ".join(f"{vendor}:{p}" if "@" in p and ":" not in p.split("@")[0] else p for p in parts)


def one_line(value):
    r"""Text with its line breaks folded into spaces (a CR or LF inside a CSV cell would start a row for some
    readers, and text after it could start a formula); other values unchanged.

    >>> one_line("a\r\n=b\rc"), one_line(3)
    ('a =b c', 3)
    """
    if isinstance(value, str):
        return value.replace("\r\n", " ").replace("\r", " ").replace("\n", " ")
    return value


def render_provenance(result: Result, extra: list[tuple[str, str]] | None = None) -> str:
    """The provenance block as plain text, one ``key: value`` a line (the CSV's sidecar file)."""
    return "".join(f"{key}: {value}\n" for key, value in provenance_block(result, extra))


def format_cell(x: float) -> str:
    return "" if math.isnan(x) else f"{x:g}"


def provenance_block(result: Result, extra: list[tuple[str, str]] | None = None) -> list[tuple[str, str]]:
    """The one provenance block, as (key, value) lines: every format of a report shows exactly these lines.

    Tool and version, the criteria file and each vendor file with its SHA-256, a hash over all inputs, the as-of
    date (and where it came from), method, normalization; ``extra`` adds a report's own settings (seed, draws,
    library versions).
    """
    p = result.provenance
    lines = [("tool", f"{p['tool']} {p['version']}"),
             ("criteria", f"{p['criteria_file']} ({p['criteria_name']}) sha256 {p['criteria_sha256']}"),
             ("as_of", f"{p['as_of']} ({p.get('as_of_source', 'given')})"), ("method", p["method"]),
             ("normalization", p["normalization"]), ("inputs_sha256", p["inputs_sha256"])]
    lines += [("vendor_file", f"{path} sha256 {digest}") for path, digest in p["vendor_files"].items()]
    # one line each, whatever the input text holds: a newline in a view's name must not start a line of its own
    return [(k, " ".join(str(v).split())) for k, v in lines + list(extra or [])]


def _md(text) -> str:
    """Escape text from input files for a Markdown table cell (and for any HTML a viewer renders it to)."""
    s = str(text)
    for a, b in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ("|", "\\|"), ("\n", " "), ("`", "\\`"),
                 ("*", "\\*"), ("_", "\\_"), ("[", "\\["), ("]", "\\]")):
        s = s.replace(a, b)
    return s


def _code(text) -> str:
    """A Markdown code span: backslash escapes are not processed inside one, and HTML shows as literal text, so
    only the backtick (which would end the span) and the table's pipe need care."""
    return "`" + str(text).replace("`", "'").replace("|", "\\|").replace("\n", " ") + "`"


@dataclass(frozen=True)
class ScoreParts:
    """Per-criterion parts of each vendor's score and what they add up to.

    table : DataFrame   vendors x criteria
    total_column : str  the ranking column the parts add up to: ``score`` or ``weighted_sum``
    note : str          one sentence for a reader, true for the method in use
    """

    table: pd.DataFrame
    total_column: str
    note: str


def score_parts(result: Result) -> ScoreParts:
    """What does add up, by the method registry's facts (never by comparing method names).

    - additive (weighted sum): effective weight x normalized value, adding up to the score;
    - linear in the weights (PROMETHEE II): weight x the criterion's own net flow rescaled to [0, 1] (its
      ``criterion_scores``), adding up to the score, since phi = sum_j w_j phi_j and the weights sum to 1;
    - otherwise (TOPSIS): no parts add up to its score; the weighted-sum contributions are shown and add up to the
      weighted sum, which is shown beside the score.

    >>> from scoring.pipeline import run
    >>> r = run("criteria/baseline.yaml", "vendors", method="promethee")
    >>> parts = score_parts(r)
    >>> parts.total_column, bool((parts.table.sum(axis=1) - r.ranking.set_index("vendor")["score"]).abs().max() < 1e-12)
    ('score', True)
    """
    import pandas as pd
    entry = get_method(result.method)
    contrib = result.explanation.pivot(index="vendor", columns="criterion", values="contribution")
    contrib = contrib.loc[list(result.normalized.index), list(result.normalized.columns)]
    if entry.additive:
        return ScoreParts(contrib, "score", "criterion columns are contributions (effective weight x normalized "
                                            "value); they add up to the score")
    if entry.linear_in_weights:
        scorer = result.scorer
        c = scorer.criterion_scores()
        table = pd.DataFrame(c * scorer.weights, index=result.normalized.index, columns=result.normalized.columns)
        return ScoreParts(table, "score", f"{entry.label} is not a weighted sum of the normalized values; its score "
                                          "is the weighted sum of each criterion's own net flow (rescaled to 0-1), so "
                                          "criterion columns are weight x that flow, and they add up to the score")
    return ScoreParts(contrib, "weighted_sum", f"{entry.label} is not additive: no per-criterion parts add up to its "
                                               "score. Criterion columns are weighted-sum contributions (effective "
                                               "weight x normalized value); they add up to the weighted sum shown "
                                               "beside the score, which may rank the vendors differently")


def _adds_up_to(result: Result) -> str:
    return score_parts(result).note


def render_markdown(result: Result) -> str:
    """A readable ranking: scorecard, criteria with groups, weights and rationale, per-vendor explanation, flags,
    provenance. (``cloudscore report`` writes the full report around these sections: :mod:`scoring.report_markdown`.)
    """
    r = result
    lines = [f"# Cloud vendor ranking: {_md(r.criteria.name)}", ""]
    if r.criteria.description:
        lines += [_md(r.criteria.description), ""]
    lines += [f"As of **{r.matrix.as_of.isoformat()}**, method **{r.method}**, normalization "
              f"**{r.criteria.normalization}**.", "", "## Ranking", ""]
    lines += markdown_ranking(r) + ["", "## Criteria and weights", ""] + markdown_criteria(r)
    lines += ["", "## Explanation per vendor", ""] + markdown_explanations(r)
    lines += markdown_flags(r)
    lines += ["## Provenance", ""] + markdown_provenance(provenance_block(r))
    lines += ["", DISCLAIMER, ""]
    return "\n".join(lines)


DISCLAIMER = ("Opinion from sourced facts and stated judgements, not investment advice; read the flags before quoting "
              "a score.")


def markdown_ranking(r: Result, tiers: dict[str, str] | None = None) -> list[str]:
    """Rank, vendor, score (and the weighted sum when that is what the parts add up to), each criterion's part,
    group subtotals when the view has groups, tier when given, flags; then the sentence saying what adds up."""
    crits = list(r.normalized.columns)
    labels = dict(zip(r.criteria_table["criterion"], r.criteria_table["label"], strict=True))
    parts = score_parts(r)
    groups = criterion_groups(r)
    show_ws = parts.total_column == "weighted_sum"
    head = ["rank", "vendor", "score", *(["weighted sum"] if show_ws else []), *[_md(labels[c]) for c in crits],
            *[f"{_md(g.label or g.id)} (subtotal)" for g, _ in groups], *(["tier"] if tiers else []), "flags"]
    align = ["---:", "---", "---:", *(["---:"] if show_ws else []), *["---:"] * (len(crits) + len(groups)),
             *(["---"] if tiers else []), "---"]
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join(align) + "|"]
    for row in r.ranking.itertuples(index=False):
        cells = [f"{parts.table.loc[row.vendor, c]:.3f}" for c in crits]
        subtotals = [f"{parts.table.loc[row.vendor, members].sum():.3f}" for _, members in groups]
        tie = " (tie)" if row.tied else ""
        lines.append("| " + " | ".join([f"{row.rank}{tie}", f"{_md(row.name)} ({_code(row.vendor)})",
                                         f"{row.score:.3f}", *([f"{row.weighted_sum:.3f}"] if show_ws else []),
                                         *cells, *subtotals, *([_md(tiers[row.vendor])] if tiers else []),
                                         _md(", ".join(row.flags))]) + " |")
    lines += ["", parts.note[:1].upper() + parts.note[1:] + "."]
    return lines


def criterion_groups(r: Result) -> list[tuple[object, list[str]]]:
    """The view's groups (``models.Group``) with their criteria, in the file's order; [] for a view without groups."""
    ct = r.criteria_table
    return [(g, [c for c, grp in zip(ct["criterion"], ct["group"], strict=True) if grp == g.id])
            for g in r.criteria.groups]


def markdown_criteria(r: Result) -> list[str]:
    """Groups (weight, share, rationale), then criteria: metric, direction, unit, scale, points, effective weight."""
    lines = []
    groups = criterion_groups(r)
    if groups:
        lines += ["Weights are relative points, rescaled to add up to 100%: a criterion's effective weight is its "
                  "group's share times its share of the points within the group.", "",
                  "| group | points | share | criteria | rationale |", "|---|---:|---:|---|---|"]
        labels = dict(zip(r.criteria_table["criterion"], r.criteria_table["label"], strict=True))
        for g, members in groups:
            lines.append(f"| {_md(g.label or g.id)} | {g.raw_weight:g} | {g.weight:.1%} | "
                         f"{_md(', '.join(labels[c] for c in members))} | {_md(g.rationale)} |")
        lines.append("")
    else:
        lines += ["Weights are relative points, rescaled to add up to 100% (the effective weight).", ""]
    lines += ["| criterion | group | metric | direction | unit | scale | points in its group | effective weight "
              "| non-discriminating | rationale |",
              "|---|---|---|---|---|---|---:|---:|---|---|"]
    group_label = {g.id: g.label or g.id for g in r.criteria.groups}
    units = {c.id: c.unit or "" for c in r.criteria.criteria}
    for c in r.criteria_table.itertuples(index=False):
        lines.append(f"| {_md(c.label)} | {_md(group_label.get(c.group, ''))} | {_code(c.metric)} | {c.direction} | "
                     f"{_md(units[c.criterion])} | {_md(c.scale)} | {c.raw_weight:g} | {c.weight:.1%} | "
                     f"{'yes' if c.non_discriminating else ''} | {_md(c.rationale)} |")
    return lines


def markdown_explanations(r: Result) -> list[str]:
    crits = list(r.normalized.columns)
    labels = dict(zip(r.criteria_table["criterion"], r.criteria_table["label"], strict=True))
    expl = r.explanation.set_index(["vendor", "criterion"])
    lines = []
    for row in r.ranking.itertuples(index=False):
        lines += [f"### {row.rank}. {_md(row.name)}: {row.score:.3f}", "",
                  "| criterion | raw | normalized | weight | contribution | period | source | confidence | flags |",
                  "|---|---:|---:|---:|---:|---|---|---|---|"]
        for c in crits:
            e = expl.loc[(row.vendor, c)]
            lines.append(f"| {_md(labels[c])} | {format_cell(e['raw']) or 'n/a'} | {e['normalized']:.3f} | "
                         f"{e['weight']:.3f} | {e['contribution']:.3f} | {_md(e['period'])} | {_md(e['source'])} | "
                         f"{_md(e['confidence'])} | {_md(', '.join(e['flags']))} |")
        lines.append("")
    return lines


def markdown_flags(r: Result) -> list[str]:
    used = sorted({f for fl in r.explanation["flags"] for f in fl})
    return (["## Flags", ""] + [f"- **{f}**: {_FLAG_MEANING[f]}" for f in used] + [""]) if used else []


def markdown_provenance(block: list[tuple[str, str]]) -> list[str]:
    return [f"- {k}: {_code(v)}" for k, v in block]


def render_table(result: Result) -> str:
    """A terminal table: rank, vendor, score (and the weighted sum for a method whose parts add up to it), each
    criterion's part of the score (:func:`score_parts`), flags; then the key facts."""
    r = result
    crits = list(r.normalized.columns)
    parts = score_parts(r)
    extra = ["weighted_sum"] if parts.total_column == "weighted_sum" else []
    head = ["rank", "vendor", "score", *extra, *crits, "flags"]
    body = []
    for row in r.ranking.itertuples(index=False):
        body.append([f"{row.rank}{'=' if row.tied else ''}", row.vendor, f"{row.score:.3f}",
                     *[f"{row.weighted_sum:.3f}" for _ in extra],
                     *[f"{parts.table.loc[row.vendor, c]:.3f}" for c in crits], ",".join(row.flags)])
    widths = [max(len(str(x)) for x in col) for col in zip(head, *body, strict=True)]
    numeric = 3 + len(extra) + len(crits)

    def fmt(cells):
        return "  ".join(str(x).rjust(w) if i in (0, 2) or 3 <= i < numeric else str(x).ljust(w)
                         for i, (x, w) in enumerate(zip(cells, widths, strict=True))).rstrip()

    weights = ", ".join(f"{c} {w:.0%}"
                        for c, w in zip(r.criteria_table["criterion"], r.criteria_table["weight"], strict=True))
    lines = [f"{r.criteria.name}: as of {r.matrix.as_of}, {r.method}, normalization {r.criteria.normalization}",
             f"weights: {weights}", "", fmt(head), fmt(["-" * w for w in widths]), *(fmt(b) for b in body), ""]
    lines.append(_adds_up_to(r))
    flat = [c for c in crits if r.non_discriminating[c]]
    if flat:
        lines.append(f"non-discriminating (all vendors equal): {', '.join(flat)}")
    used = sorted({f for fl in r.explanation["flags"] for f in fl})
    if used:
        lines.append("flags: " + "; ".join(f"{f} = {_FLAG_MEANING[f]}" for f in used))
    return "\n".join(lines) + "\n"


RENDERERS = {"table": render_table, "json": render_json, "csv": render_csv, "markdown": render_markdown}


def render(result: Result, fmt: str) -> str:
    try:
        return RENDERERS[fmt](result)
    except KeyError:
        raise ValueError(f"unknown format {fmt!r}; choose one of {list(RENDERERS)}") from None


def write_atomic(path: str | Path, text: str | bytes) -> Path:
    """Write text (UTF-8) or bytes to ``path`` via a temporary file in the same folder and a rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            _write_file(handle, text.encode("utf-8") if isinstance(text, str) else text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def _write_file(handle, data: bytes) -> None:
    """The one place report bytes reach a file (a test simulates a full disk here)."""
    handle.write(data)
    handle.flush()
    os.fsync(handle.fileno())


#: Bytes of the view-name part of a report's file names (a Chinese character is 3 bytes in UTF-8); file names stay
#: far below the 255-byte limit of common file systems whatever the suffix.
MAX_NAME_BYTES = 80


def safe_name(text: str, max_bytes: int = MAX_NAME_BYTES) -> str:
    """User text (a view's name) as a file-name part: letters and digits of any script, ``-`` and ``_``; anything
    else becomes ``-``. A name cut to ``max_bytes`` (UTF-8) ends in 8 hex digits of its hash, so two long names that
    share a beginning still get different files.

    >>> safe_name("baseline"), safe_name("../etc/passwd"), safe_name("云 基线"), safe_name("")
    ('baseline', 'etc-passwd', '云-基线', 'view')
    >>> len(safe_name("x" * 300).encode()), safe_name("x" * 300)[-9:] != safe_name("x" * 299 + "y")[-9:]
    (80, True)
    """
    import hashlib
    import re
    import unicodedata
    s = unicodedata.normalize("NFKC", str(text))
    s = "".join(ch if (ch.isalnum() and ch.isprintable()) or ch in "-_" else "-" for ch in s)
    s = re.sub(r"-{2,}", "-", s).strip("-_") or "view"
    if len(s.encode("utf-8")) <= max_bytes:
        return s
    tag = "-" + hashlib.sha256(str(text).encode("utf-8")).hexdigest()[:8]
    while len(s.encode("utf-8")) > max_bytes - len(tag):
        s = s[:-1]
    return s.rstrip("-_") + tag


def report_stem(result: Result) -> str:
    """``<as_of>_<criteria name>_<method>``, safe as a file name and bounded in length (:func:`safe_name`)."""
    return f"{result.matrix.as_of.isoformat()}_{safe_name(result.criteria.name)}_{result.method}"


# ------------------------------------------------------------------------------------ robustness outputs

def text_table(head: list[str], rows: list[list], right: set[int] = frozenset()) -> list[str]:
    widths = ([max(len(str(x)) for x in col) for col in zip(head, *rows, strict=True)] if rows
              else [len(h) for h in head])
    line = lambda cells: "  ".join(str(x).rjust(w) if i in right else str(x).ljust(w)   # noqa: E731
                                   for i, (x, w) in enumerate(zip(cells, widths, strict=True))).rstrip()
    return [line(head), line(["-" * w for w in widths]), *(line(r) for r in rows)]


def sensitivity_dict(result: Result, intervals, tornado_table, smaa_result) -> dict:
    """JSON document of ``cloudscore sensitivity``: acceptability, draws, seed, intervals, tornado, provenance."""
    doc = {"criteria": result.criteria.name, "as_of": result.matrix.as_of.isoformat(), "method": result.method}
    doc.update(smaa_result.to_dict())
    doc["intervals"] = [{"criterion": c, **{k: (_num(v) if isinstance(v, float) else v) for k, v in row.items()}}
                        for c, row in intervals.iterrows()]
    doc["tornado"] = [{k: (_num(v) if isinstance(v, float) else v) for k, v in row.items()}
                      for row in tornado_table.to_dict("records")]
    doc["provenance"] = result.provenance
    return doc


def render_sensitivity(analysis, fmt: str = "table") -> str:
    """``cloudscore sensitivity`` as a terminal table or JSON; ``analysis`` is a ``pipeline.Sensitivity``."""
    result, intervals, tornado_table = analysis.result, analysis.intervals, analysis.tornado
    focus, weight_delta = analysis.focus, analysis.weight_delta
    if fmt == "json":
        return json.dumps(sensitivity_dict(result, intervals, tornado_table, analysis.smaa), ensure_ascii=False,
                          indent=2) + "\n"
    r, s = result, analysis.smaa
    out = [f"{r.criteria.name}: as of {r.matrix.as_of}, {r.method}, normalization {r.criteria.normalization}", ""]
    out += ["Weight stability intervals (one weight moved, the others rescaled in proportion)", ""]
    rows = [[c, f"{row.weight:.1%}", f"{row.order_low:.1%} - {row.order_high:.1%}",
             f"{row.first_low:.1%} - {row.first_high:.1%}",
             "; ".join(x for x in (row.first_low_swap and f"below: {row.first_low_swap}",
                                   row.first_high_swap and f"above: {row.first_high_swap}") if x)]
            for c, row in intervals.iterrows()]
    out += text_table(["criterion", "weight", "same order", "same leader", "leader changes"], rows)
    exact = bool(intervals["exact"].all())
    out += ["", ("closed form (the method is linear in the weights)" if exact
                 else "grid over the weight + bisection (the method is not linear in the weights)"), ""]
    vendor = focus or str(r.ranking["vendor"].iloc[0])
    sub = tornado_table[tornado_table["vendor"] == vendor]
    moves = (sub["rank_low"] != sub["rank"]) | (sub["rank_high"] != sub["rank"])
    sub = sub.assign(_moves=moves).sort_values(["_moves", "swing"], ascending=False, kind="stable").head(10)
    out += [f"Tornado for {vendor} (largest swings first; weights moved +-{weight_delta:.0%}, values across their "
            "uncertainty)", ""]
    rows = [[t.factor, f"{t.setting_low:.4g} .. {t.setting_high:.4g}", f"{t.score_low:.3f} .. {t.score_high:.3f}",
             f"{t.rank_low} .. {t.rank_high}"] for t in sub.itertuples()]
    out += text_table(["factor", "setting", "score", "rank"], rows)
    out += ["", "One factor at a time misses interactions; SMAA below varies everything at once.", ""]
    from .weight_draws import describe_weight_model
    how = describe_weight_model(s.weights, s.concentration)
    out += [f"SMAA-2: {s.draws:,} draws, seed {s.seed}, weights {how}"
            + (f", order {', '.join(s.order)}" if s.order else "")
            + (", figures drawn within their uncertainty" if s.vary_values else ", figures fixed"), ""]
    n = s.acceptability.shape[1]
    rows = [[v, *[f"{p:.3f}" for p in s.acceptability.loc[v]],
             "" if math.isnan(s.confidence[v]) else f"{s.confidence[v]:.3f}"] for v in s.acceptability.index]
    out += text_table(["vendor", *[f"rank {k}" for k in range(1, n + 1)], "confidence"], rows,
                      right=set(range(1, n + 2)))
    out += ["", "Central weights (mean weights where the vendor is first)", ""]
    cw = s.central_weights
    rows = [[v, *["" if math.isnan(x) else f"{x:.1%}" for x in cw.loc[v]]] for v in cw.index]
    out += text_table(["vendor", *cw.columns], rows, right=set(range(1, len(cw.columns) + 1)))
    out += ["", "P(row beats column)", ""]
    rows = [[v, *[("" if v == u else f"{s.winning.loc[v, u]:.3f}") for u in s.winning.columns]]
            for v in s.winning.index]
    out += text_table(["vendor", *s.winning.columns], rows, right=set(range(1, len(s.winning.columns) + 1)))
    return "\n".join(out) + "\n"



def render_whatif(answer, fmt: str = "table") -> str:
    if fmt == "json":
        return json.dumps(answer.to_dict(), ensure_ascii=False, indent=2) + "\n"
    head = (f"{answer.vendor} (score {answer.score:.4f}) vs {answer.target} (score {answer.target_score:.4f}), "
            f"{answer.method}")
    lines = [head, ""]
    if answer.already:
        lines += answer.notes
        return "\n".join(lines) + "\n"
    for group, title in (("metric", "By its own figures, one criterion at a time:"),
                         ("metrics", "By its figures, combined (LP):"),
                         ("weight", "By one weight (others rescaled in proportion):"),
                         ("weights", "By the weights, combined (LP, L1):")):
        items = [a for a in answer.answers if a.kind == group]
        if not items:
            continue
        lines.append(title)
        for a in items:
            mark = ("" if not a.feasible
                    else ("  [checked by re-scoring]" if a.verified else "  [NOT confirmed by re-scoring]"))
            lines.append(f"  - {a.text}{mark}")
        lines.append("")
    lines += [f"note: {n}" for n in answer.notes]
    return "\n".join(lines).rstrip() + "\n"


def render_compare(comparison, fmt: str = "table") -> str:
    if fmt == "json":
        return json.dumps(comparison.to_dict(), ensure_ascii=False, indent=2) + "\n"
    c = comparison
    keys = list(c.ranks.columns)
    out = [f"Rankings as of {c.as_of} (rank per view/method; consensus by Borda count)", ""]
    rows = [[v, *[int(c.ranks.loc[v, k]) for k in keys], int(c.consensus.loc[v, "consensus_rank"])]
            for v in c.consensus.index]
    out += text_table(["vendor", *keys, "consensus"], rows, right=set(range(1, len(keys) + 2)))
    out += ["", "Kendall's tau-b between rankings (1 = same order)", ""]
    rows = [[a, *[f"{c.tau.loc[a, b]:.2f}" for b in keys]] for a in keys]
    out += text_table(["", *keys], rows, right=set(range(1, len(keys) + 1)))
    return "\n".join(out) + "\n"
