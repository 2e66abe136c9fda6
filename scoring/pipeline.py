"""The one place the stages are wired together: load -> matrix -> normalize -> aggregate -> rank -> explain.

:func:`run` returns a :class:`Result` that the command line, the reports and notebooks all share.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from . import __version__
from .aggregate import aggregate
from .errors import ConfigError, ConfigErrors, Where, did_you_mean
from .load import load_inputs
from .matrix import FLAGS, DecisionMatrix, build_matrix
from .models import METHODS, CriteriaSet, Vendor
from .normalize import FLAT_RELATIVE_TOLERANCE, normalize
from .outranking import preference_table
from .rank import rank_vendors

EXPLANATION_COLUMNS = ["vendor", "criterion", "metric", "raw", "normalized", "weight", "contribution", "flags",
                       "period", "source", "confidence", "note"]


@dataclass
class Result:
    """Everything one ranking run produced.

    Attributes
    ----------
    ranking : DataFrame      one row per vendor, best first: vendor, name, score, rank, tied, weighted_sum, flags
    explanation : DataFrame  one row per vendor x criterion, columns ``EXPLANATION_COLUMNS``;
                             per vendor, ``contribution`` sums to its weighted-sum score
    criteria_table : DataFrame  one row per criterion: label, metric, direction, raw_weight, weight, group,
                             scale, non_discriminating
    normalized : DataFrame   vendors x criteria in [0, 1], 1 = best
    matrix : DecisionMatrix  raw values and evidence
    provenance : dict        criteria file, vendor files and their SHA-256, as-of date, method, version
    """

    criteria: CriteriaSet
    vendors: list[Vendor]
    matrix: DecisionMatrix
    normalized: pd.DataFrame
    non_discriminating: pd.Series
    ranking: pd.DataFrame
    explanation: pd.DataFrame
    criteria_table: pd.DataFrame
    method: str
    provenance: dict = field(default_factory=dict)


def parse_as_of(text: str) -> dt.date:
    """Parse an ``--as-of`` date (YYYY-MM-DD), with a message that says what was expected.

    >>> parse_as_of("2023-12-31")
    datetime.date(2023, 12, 31)
    """
    try:
        return dt.date.fromisoformat(str(text).strip())
    except ValueError:
        raise ConfigErrors([ConfigError(Where("--as-of"), "", f"expected a date YYYY-MM-DD, got {text!r}",
                                        "e.g. --as-of 2023-12-31")]) from None


def check_method(method: str) -> str:
    if method not in METHODS:
        hint = did_you_mean(method, METHODS)
        raise ConfigErrors([ConfigError(Where("--method"), "", f"unknown method {method!r}; expected one of "
                                        + ", ".join(map(repr, METHODS)), hint if hint.startswith("did") else "")])
    return method


def run(criteria_path: str | Path = "criteria/baseline.yaml", vendors_folder: str | Path = "vendors",
        *, as_of: dt.date | str | None = None, method: str | None = None) -> Result:
    """Load, validate, score and rank; raise ``ConfigErrors`` (every problem at once) on bad input.

    >>> result = run("criteria/baseline.yaml", "vendors", as_of="2025-12-31")
    >>> list(result.ranking.columns)
    ['vendor', 'name', 'score', 'rank', 'tied', 'weighted_sum', 'flags']
    >>> bool((result.explanation.groupby("vendor")["contribution"].sum()
    ...       - result.ranking.set_index("vendor")["weighted_sum"]).abs().max() < 1e-12)
    True
    """
    if isinstance(as_of, str):
        as_of = parse_as_of(as_of)
    if method is not None:
        check_method(method)
    criteria, vendors = load_inputs(criteria_path, vendors_folder)
    return score(criteria, vendors, as_of=as_of, method=method)


def score(criteria: CriteriaSet, vendors: list[Vendor], *, as_of: dt.date | None = None,
          method: str | None = None) -> Result:
    """Score already-loaded inputs (see :func:`run`)."""
    method = method or criteria.method
    dm = build_matrix(criteria, vendors, as_of)
    norm, flat = normalize(dm, criteria.normalization)
    preferences = preference_table(criteria) if method == "promethee" else None
    scores = aggregate(norm, dm.weights, method, preferences)
    ws = aggregate(norm, dm.weights, "weighted-sum")
    table = rank_vendors(scores, criteria.tolerance)

    contrib = norm.mul(dm.weights, axis=1)
    evidence = {(e["vendor"], e["criterion"]): e for e in dm.evidence.to_dict("records")}
    raw, nv, cv, wv = (dm.values.to_numpy(float), norm.to_numpy(float), contrib.to_numpy(float),
                       dm.weights.to_numpy(float))
    rows = []
    for i, vid in enumerate(norm.index):
        for j, cid in enumerate(norm.columns):
            e = evidence.get((vid, cid), {})
            flags = list(e.get("flags", []))
            if np.isnan(raw[i, j]) and "missing" not in flags:
                flags.append("missing")
            rows.append(dict(vendor=vid, criterion=cid, metric=e.get("metric", cid), raw=float(raw[i, j]),
                             normalized=float(nv[i, j]), weight=float(wv[j]), contribution=float(cv[i, j]),
                             flags=[f for f in FLAGS if f in flags], period=e.get("period", ""),
                             source=e.get("source", ""), confidence=e.get("confidence", ""), note=e.get("note", "")))
    explanation = pd.DataFrame(rows, columns=EXPLANATION_COLUMNS)
    vendor_flags = explanation.groupby("vendor")["flags"].apply(
        lambda col: [f for f in FLAGS if any(f in fl for fl in col)])
    ranking = table.reset_index().rename(columns={table.index.name or "index": "vendor"})
    ranking.insert(1, "name", ranking["vendor"].map(dm.names))
    ranking["weighted_sum"] = ranking["vendor"].map(ws)
    ranking["flags"] = ranking["vendor"].map(vendor_flags)
    crit = criteria.criteria
    criteria_table = pd.DataFrame({
        "criterion": [c.id for c in crit],
        "label": [c.label or c.id for c in crit],
        "metric": [c.metric for c in crit],
        "direction": [c.direction for c in crit],
        "group": [c.group or "" for c in crit],
        "raw_weight": [c.raw_weight for c in crit],
        "weight": [c.weight for c in crit],
        "scale": [f"[{c.scale.lo:g}, {c.scale.hi:g}]" if c.scale else "" for c in crit],
        "missing": [c.missing for c in crit],
        "non_discriminating": [bool(flat[c.id]) for c in crit],
        "rationale": [c.rationale for c in crit],
    })
    return Result(criteria=criteria, vendors=vendors, matrix=dm, normalized=norm, non_discriminating=flat,
                  ranking=ranking, explanation=explanation, criteria_table=criteria_table, method=method,
                  provenance=provenance(criteria, vendors, dm, method))


def provenance(criteria: CriteriaSet, vendors: list[Vendor], dm: DecisionMatrix, method: str) -> dict:
    """What a reader needs to reproduce a report: inputs and their hashes, as-of date, method, version."""
    used = [v for v in vendors if v.id in set(dm.values.index)]
    digest = hashlib.sha256()
    for item in [criteria.sha256, *(v.sha256 for v in sorted(used, key=lambda v: v.id))]:
        digest.update(item.encode())
    counts = {f: int(sum(f in fl for fl in dm.evidence["flags"])) for f in FLAGS} if len(dm.evidence) else {}
    return {
        "tool": "cloudscore",
        "version": __version__,
        "criteria_file": _display_path(criteria.path),
        "criteria_name": criteria.name,
        "criteria_sha256": criteria.sha256,
        "vendor_files": {_display_path(v.path): v.sha256 for v in sorted(used, key=lambda v: v.id)},
        "inputs_sha256": digest.hexdigest(),
        "as_of": dm.as_of.isoformat(),
        "method": method,
        "normalization": criteria.normalization,
        "tie_tolerance": criteria.tolerance,
        "flat_relative_tolerance": FLAT_RELATIVE_TOLERANCE,
        "staleness_months": criteria.staleness_months,
        "flag_counts": counts,
    }


def _display_path(path: str) -> str:
    p = Path(path)
    try:
        return p.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return p.as_posix()
