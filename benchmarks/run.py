"""Speed figures for the README: medians of repeated runs, and ratios against the baselines the issues name.

    python benchmarks/run.py            # or: make bench (then benchmarks/smaa.py, pipeline.py, optimize.py)

In-process kernels: normalize, aggregate and rank 10,000 synthetic vendors x 50 criteria. Target: under 0.2 s.
The whole `score()` (matrix, explanation, provenance) and the cold start of each command are in
benchmarks/pipeline.py; SMAA in benchmarks/smaa.py; the optimizer in benchmarks/optimize.py. Loading 10,000
vendor files is measured by the loader's own benchmark (issue 11), not here.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import numpy as np

from scoring.normalize import NORMALIZATION_NAMES

ROOT = Path(__file__).resolve().parents[1]

#: PROMETHEE II compares every pair of vendors: 10,000^2 x 50 preference degrees (40 GB) is not this benchmark.
IN_PROCESS_METHODS = ("weighted-sum", "topsis")


def in_process(n_vendors: int, n_criteria: int, repeats: int, method: str, normalization: str) -> float:
    import pandas as pd

    from scoring.aggregate import aggregate
    from scoring.matrix import make_matrix
    from scoring.normalize import normalize
    from scoring.rank import rank_vendors

    rng = np.random.default_rng(0)
    values = rng.uniform(0, 100, size=(n_vendors, n_criteria))
    cols = {f"c{j}": values[:, j] for j in range(n_criteria)}
    dm = make_matrix(cols, vendors=[f"v{i:05d}" for i in range(n_vendors)],
                     weights={c: w for c, w in zip(cols, rng.uniform(0.1, 1, n_criteria), strict=True)},
                     directions={c: ("min" if j % 3 == 0 else "max") for j, c in enumerate(cols)},
                     bounds={c: (0.0, 100.0) for c in cols})
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        norm, _flat = normalize(dm, normalization)
        table = rank_vendors(aggregate(norm, dm.weights, method))
        samples.append(time.perf_counter() - started)
    assert isinstance(table, pd.DataFrame) and len(table) == n_vendors
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=11)
    args = parser.parse_args()
    for method in IN_PROCESS_METHODS:
        for normalization in NORMALIZATION_NAMES:
            t = in_process(10_000, 50, args.repeats, method, normalization)
            print(f"10,000 vendors x 50 criteria, {method:12s} {normalization:8s}: median {t * 1000:6.1f} ms "
                  f"(target < 200 ms)")


if __name__ == "__main__":
    main()
