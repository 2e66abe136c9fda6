"""Fifth stage: scores -> competition ranks (1, 1, 3), ties detected to a stated tolerance.

Two scores are tied when they differ from the best score of their tie group by at most ``tolerance``
(absolute). Tied vendors share the better rank and are listed by vendor id, never by input order, so the
ranking table does not depend on the order of files or rows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

DEFAULT_TOLERANCE = 1e-9


def competition_ranks(scores: np.ndarray, tolerance: float = DEFAULT_TOLERANCE) -> np.ndarray:
    """Pure kernel: rank 1 = best; a vendor within ``tolerance`` of its group's leader shares that rank.

    >>> competition_ranks(np.array([0.5, 0.9, 0.5, 0.1])).tolist()
    [2, 1, 2, 4]
    """
    s = np.asarray(scores, dtype=float)
    order = np.argsort(-s, kind="stable")
    ranks = np.empty(len(s), dtype=int)
    leader, leader_rank = None, 0
    for position, i in enumerate(order):
        if leader is None or leader - s[i] > tolerance:
            leader, leader_rank = s[i], position + 1
        ranks[i] = leader_rank
    return ranks


def rank_vendors(scores: pd.Series, tolerance: float = DEFAULT_TOLERANCE) -> pd.DataFrame:
    """Best first. Columns: ``score``, ``rank`` (competition ranking), ``tied`` (shares its rank with another).

    >>> rank_vendors(pd.Series({"b": 0.5, "a": 0.5, "c": 0.9})).reset_index().values.tolist()
    [['c', 0.9, 1, False], ['a', 0.5, 2, True], ['b', 0.5, 2, True]]
    """
    ranks = competition_ranks(scores.to_numpy(dtype=float), tolerance)
    table = pd.DataFrame({"score": scores.to_numpy(dtype=float), "rank": ranks}, index=scores.index)
    table.index.name = scores.index.name or "vendor"
    table["tied"] = table["rank"].duplicated(keep=False)
    key = pd.Series(table.index.astype(str), index=table.index)
    return table.assign(_id=key).sort_values(["rank", "_id"], kind="stable").drop(columns="_id")
