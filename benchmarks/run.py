"""Speed figures for the README: medians of repeated runs, and ratios against the baselines the issues name.

    python benchmarks/run.py            # or: make bench

1. Cold start: `cloudscore rank` on the bundled data vs `python -c "import pandas"`, interleaved, same interpreter.
   Target: within 1.5x.
2. In-process: score and rank 10,000 synthetic vendors x 50 criteria. Target: under 0.2 s.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from scoring.normalize import NORMALIZATION_NAMES

ROOT = Path(__file__).resolve().parents[1]

#: PROMETHEE II compares every pair of vendors: 10,000^2 x 50 preference degrees (40 GB) is not this benchmark.
IN_PROCESS_METHODS = ("weighted-sum", "topsis")


def cold_start(repeats: int) -> tuple[float, float]:
    rank = [sys.executable, "-m", "scoring", "rank"]
    pandas = [sys.executable, "-c", "import pandas"]
    for cmd in (rank, pandas):                       # warm the OS file cache once; cold means a new interpreter
        subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True)
    times = {"rank": [], "pandas": []}
    for _ in range(repeats):                         # interleaved so machine noise hits both alike
        for name, cmd in (("rank", rank), ("pandas", pandas)):
            started = time.perf_counter()
            subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True)
            times[name].append(time.perf_counter() - started)
    return statistics.median(times["rank"]), statistics.median(times["pandas"])


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
    rank_s, pandas_s = cold_start(args.repeats)
    print(f"cold start (median of {args.repeats}): cloudscore rank {rank_s * 1000:.0f} ms, "
          f"import pandas {pandas_s * 1000:.0f} ms, ratio {rank_s / pandas_s:.2f}x (target <= 1.5x)")
    for method in IN_PROCESS_METHODS:
        for normalization in NORMALIZATION_NAMES:
            t = in_process(10_000, 50, args.repeats, method, normalization)
            print(f"10,000 vendors x 50 criteria, {method:12s} {normalization:8s}: median {t * 1000:6.1f} ms "
                  f"(target < 200 ms)")


if __name__ == "__main__":
    main()
