"""Across methods and views: does the ranking survive a change of method or of lens?

Each criteria view in ``criteria/`` is ranked under every method (weighted sum, TOPSIS, PROMETHEE II) on the
same vendor facts. Every pair of rankings is compared with Kendall's tau-b (ties handled; 1 = same order,
-1 = reversed), and a consensus ranking is formed by the **Borda** rule: in each ranking a vendor earns one point
per vendor ranked strictly below it; points are summed over all rankings and the totals ranked (the one rank
rule of scoring.rank: equal points tie; ties listed by vendor id). Only the vendors present in every view are compared.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import ConfigError, ConfigErrors, Where
from .load import collect_criteria, collect_vendors, cross_check
from .methods import METHOD_NAMES
from .pipeline import score
from .rank import ranks as rank_scores
from .yamldoc import YamlProblem, read_yaml


def kendall_tau_b(x: np.ndarray, y: np.ndarray) -> float:
    """Kendall's tau-b between two rankings (or score vectors) of the same items; ties count as neither.

    >>> kendall_tau_b(np.array([1, 2, 3]), np.array([1, 2, 3])), kendall_tau_b(np.array([1, 2, 3]), np.array([3, 2, 1]))
    (1.0, -1.0)
    >>> round(kendall_tau_b(np.array([1, 1, 3]), np.array([1, 2, 3])), 4)
    0.8165
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    i, j = np.triu_indices(len(x), k=1)
    dx, dy = np.sign(x[i] - x[j]), np.sign(y[i] - y[j])
    concordant_minus_discordant = float((dx * dy).sum())
    pairs_x, pairs_y = float(np.count_nonzero(dx)), float(np.count_nonzero(dy))
    if pairs_x == 0 or pairs_y == 0:
        return float("nan")                      # a ranking with everyone tied carries no order
    return float(concordant_minus_discordant / np.sqrt(pairs_x * pairs_y))


def borda(ranks: pd.DataFrame) -> pd.DataFrame:
    """Consensus of several rankings (columns) of the same vendors (rows): Borda points and the consensus rank.

    >>> borda(pd.DataFrame({"r1": [1, 2, 3], "r2": [2, 1, 3]}, index=["a", "b", "c"])).values.tolist()
    [[3, 1], [3, 1], [0, 3]]
    """
    below = pd.DataFrame({col: [(ranks[col] > r).sum() for r in ranks[col]] for col in ranks.columns},
                         index=ranks.index)
    points = below.sum(axis=1).astype(int)
    table = pd.DataFrame({"borda_points": points, "consensus_rank": rank_scores(points.to_numpy(float), 0.5)},
                         index=ranks.index)
    return table.assign(_id=table.index.astype(str)).sort_values(["consensus_rank", "_id"]).drop(columns="_id")


@dataclass
class Comparison:
    """ranks: vendors x rankings ("view/method"); scores: the same with scores; tau: rankings x rankings;
    consensus: Borda points and consensus rank per vendor."""

    ranks: pd.DataFrame
    scores: pd.DataFrame
    tau: pd.DataFrame
    consensus: pd.DataFrame
    as_of: str

    def to_dict(self) -> dict:
        def clean(v):
            return None if pd.isna(v) else (round(float(v), 12) if isinstance(v, float) else int(v))
        return {
            "as_of": self.as_of,
            "rankings": {col: {v: int(r) for v, r in self.ranks[col].items()} for col in self.ranks.columns},
            "scores": {col: {v: clean(s) for v, s in self.scores[col].items()} for col in self.scores.columns},
            "kendall_tau": {a: {b: clean(self.tau.loc[a, b]) for b in self.tau.columns} for a in self.tau.index},
            "consensus": [{"vendor": v, "borda_points": int(r.borda_points), "rank": int(r.consensus_rank)}
                          for v, r in self.consensus.iterrows()],
            "rule": "borda",
        }


def compare(criteria_paths: list[str | Path], vendors_folder: str | Path, *, as_of: dt.date | None = None,
            methods: tuple[str, ...] = METHOD_NAMES, default_as_of: dt.date | None = None) -> Comparison:
    """Rank every view under every method on the same facts; Kendall's tau-b between all pairs; Borda consensus.

    The vendor folder is read once for all the views; every problem of every view is raised together
    (``ConfigErrors``), and so is a comparison that cannot be made: no view, two views of one name (their
    columns would merge), fewer than two vendors common to every view (no order to compare).

    >>> c = compare(["criteria/baseline.yaml"], "vendors", as_of=dt.date(2025, 12, 31))
    >>> list(c.ranks.columns)
    ['baseline/weighted-sum', 'baseline/topsis', 'baseline/promethee']
    """
    errors: list[ConfigError] = []
    if not criteria_paths:
        errors.append(ConfigError(Where("--criteria"), "", "no views to compare",
                                  "pass --criteria FILE [FILE ...], or put view files in criteria/*.yaml"))
    broken: dict[str, frozenset[str]] = {}
    vendors = collect_vendors(vendors_folder, errors, broken=broken)
    views, named = [], {}
    for path in criteria_paths:
        criteria = collect_criteria(path, errors)
        if criteria is None:
            continue
        if named.get(criteria.name) == str(path):
            errors.append(ConfigError(Where(str(path)), "", "this view is given twice", "name each view once"))
        elif criteria.name in named:
            errors.append(ConfigError(_name_where(path), "name", f"view name {criteria.name!r} is already used by "
                                      f"{named[criteria.name]}", "give each view its own name: the comparison's "
                                      "columns are labelled by it, and one would hide the other"))
        named.setdefault(criteria.name, str(path))
        if vendors:
            errors.extend(cross_check(criteria, vendors, broken))
        views.append(criteria)
    if errors:
        raise ConfigErrors(errors)
    scores, members = {}, {}
    as_of_used = None
    for criteria in views:
        for method in methods:
            try:
                result = score(criteria, vendors, as_of=as_of, method=method, default_as_of=default_as_of)
            except ConfigErrors as exc:
                errors.extend(e for e in exc.errors if str(e) not in {str(x) for x in errors})
                break
            table = result.ranking.set_index("vendor")
            scores[f"{criteria.name}/{method}"] = table["score"]
            members[criteria.name] = set(table.index)
            as_of_used = result.matrix.as_of
    if errors:
        raise ConfigErrors(errors)
    common = set.intersection(*members.values())
    if len(common) < 2:
        listing = "; ".join(f"{name}: {', '.join(sorted(ids)) or 'none'}" for name, ids in members.items())
        raise ConfigErrors([ConfigError(Where("--criteria"), "", f"the views have {len(common)} vendor"
                                        f"{'' if len(common) == 1 else 's'} in common"
                                        f"{' (' + ', '.join(sorted(common)) + ')' if common else ''}; a comparison "
                                        f"of rankings needs at least 2 ({listing})",
                                        "compare views that rank some of the same vendors (their 'vendors:' lists)")])
    vendors_common = sorted(common)
    score_table = pd.DataFrame({k: v.reindex(vendors_common) for k, v in scores.items()})
    score_table.index.name = "vendor"
    # Re-rank within the common vendors, so a view that ranks extra vendors compares like with like.
    rank_table = score_table.apply(lambda col: pd.Series(rank_scores(col.to_numpy(float)), index=col.index))
    keys = list(rank_table.columns)
    tau = pd.DataFrame(np.eye(len(keys)), index=keys, columns=keys)
    for a, b in combinations(keys, 2):
        tau.loc[a, b] = tau.loc[b, a] = kendall_tau_b(-rank_table[a].to_numpy(), -rank_table[b].to_numpy())
    return Comparison(rank_table, score_table, tau, borda(rank_table), str(as_of_used))


def _name_where(path: str | Path) -> Where:
    """Where a view file sets its ``name`` (the file again, read only for this message)."""
    try:
        return read_yaml(path).where(("name",))
    except YamlProblem:
        return Where(str(path))
