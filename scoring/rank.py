"""Fifth stage: scores -> ranks. One rule, used by the ranking table and by every analysis above it.

**The rule.** A vendor's rank is 1 + the number of vendors whose score is higher than its own by more than
``tolerance`` (absolute). Vendors within the tolerance of each other are tied. The rule is:

- *monotone*: a vendor's rank depends only on how many rivals are clearly ahead of it, so a rival falling can
  never lower it, and raising its own score can never lower it;
- *competition-style* when there are no near-ties (scores 0.9, 0.5, 0.5, 0.1 rank 1, 2, 2, 4);
- *pairwise* in a chain of near-ties: with tolerance 1e-9, scores 0.5 + 1.5e-9, 0.5 + 0.8e-9 and 0.5 rank 1, 1, 2
  (the middle one is within the tolerance of both, the last is clearly behind the first only).

In the table, vendors of equal rank are listed by vendor id, never by input order, so the table does not depend
on the order of files or rows.
"""

from __future__ import annotations

import numpy as np

DEFAULT_TOLERANCE = 1e-9


def ranks(scores: np.ndarray, tolerance: float = DEFAULT_TOLERANCE) -> np.ndarray:
    """Ranks along the last axis, batched: (n,) -> (n,), (K, n) -> (K, n); 1 = best.

    >>> ranks(np.array([0.5, 0.9, 0.5, 0.1])).tolist()
    [2, 1, 2, 4]
    >>> ranks(np.array([[0.5 + 1.5e-9, 0.5 + 0.8e-9, 0.5]])).tolist()
    [[1, 1, 2]]
    """
    s = np.asarray(scores, dtype=float)
    n = s.shape[-1]
    if s.ndim == 1 and n > 32:
        # one long ranking: count the scores above s + tolerance by binary search, O(n log n)
        ordered = np.sort(s)
        return (1 + n - np.searchsorted(ordered, s + tolerance, side="right")).astype(np.int64)
    out = np.ones(s.shape, dtype=np.int64)
    for u in range(n):          # a loop over vendors (few), each step batched over all rows
        out += s[..., u:u + 1] > s + tolerance
    return out


def rank_vendors(scores, tolerance: float = DEFAULT_TOLERANCE):
    """Best first. Columns: ``score``, ``rank`` (see the module docstring), ``tied`` (shares its rank with another).

    >>> import pandas as pd
    >>> rank_vendors(pd.Series({"b": 0.5, "a": 0.5, "c": 0.9})).reset_index().values.tolist()
    [['c', 0.9, 1, False], ['a', 0.5, 2, True], ['b', 0.5, 2, True]]
    """
    import pandas as pd
    values = scores.to_numpy(dtype=float)
    table = pd.DataFrame({"score": values, "rank": ranks(values, tolerance)}, index=scores.index)
    table.index.name = scores.index.name or "vendor"
    table["tied"] = table["rank"].duplicated(keep=False)
    key = pd.Series(table.index.astype(str), index=table.index)
    return table.assign(_id=key).sort_values(["rank", "_id"], kind="stable").drop(columns="_id")
