"""Pipeline speed figures for the README (issue 10): the whole `score()` on many loaded vendors, and the start-up
of the command line. Medians of repeated runs, CPU time beside wall time.

    python benchmarks/pipeline.py        # or: make bench

1. `score()` (matrix, normalization, method, rank rule, explanation, provenance) on 1,000 / 3,000 / 10,000
   synthetic vendors x 50 criteria, already loaded (loading files is benchmarked by the loader's own issue).
   Target: 10,000 x 50 under 2 s, and cost linear in vendors (the 10,000 / 1,000 ratio near 10).
2. Cold start of `cloudscore --help`, `--version` (target < 0.15 s), `validate` (< 0.3 s) and `rank` (within
   1.5x of `python -c "import pandas"`), interleaved with that reference, with the package's bytecode compiled
   as an install compiles it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.smaa import timed  # noqa: E402  (CPU and wall medians, one helper for every benchmark)


def synthetic_inputs(n_vendors: int, n_criteria: int, seed: int = 0):
    """A criteria set of ``n_criteria`` fixed-scale criteria and ``n_vendors`` loaded vendors, one observation
    per metric (a few missing, a few estimates, a few low-confidence), as the loader would return them."""
    import numpy as np

    from scoring.errors import Where
    from scoring.models import CriteriaSet, Criterion, Observation, Scale, Vendor

    rng = np.random.default_rng(seed)
    weights = rng.uniform(0.1, 1.0, n_criteria)
    weights /= weights.sum()
    criteria = tuple(Criterion(f"c{j}", f"m{j}_pct", "min" if j % 3 == 0 else "max", float(weights[j]),
                               float(weights[j]), Where("criteria.yaml", 10 + j), scale=Scale(0.0, 100.0))
                     for j in range(n_criteria))
    cs = CriteriaSet(name="synthetic", method="weighted-sum", normalization="fixed", criteria=criteria,
                     path="criteria.yaml", sha256="0" * 64, as_of=dt.date(2025, 12, 31))
    values = rng.uniform(0, 100, (n_vendors, n_criteria))
    confidence = np.array(["high", "medium", "low"])[rng.integers(0, 3, (n_vendors, n_criteria))]
    missing = rng.random((n_vendors, n_criteria)) < 0.02
    vendors = []
    for i in range(n_vendors):
        path = f"vendors/v{i:05d}.yaml"
        metrics = {f"m{j}_pct": (Observation(float(values[i, j]), Where(path, 5 + j, 3), period="2025-Q3",
                                             period_end=dt.date(2025, 9, 30), source="synthetic",
                                             confidence=str(confidence[i, j]), estimate=bool(j % 7 == 0)),)
                   for j in range(n_criteria) if not missing[i, j]}
        vendors.append(Vendor(f"v{i:05d}", f"Vendor {i}", path, f"{i:064x}", Where(path, 1), metrics))
    return cs, vendors


def score_scaling(repeats: int) -> None:
    from scoring.pipeline import score
    print("1. score() on loaded vendors x 50 criteria (matrix, explanation, provenance); CPU / wall medians")
    per_vendor = {}
    for n in (1_000, 3_000, 10_000):
        cs, vendors = synthetic_inputs(n, 50)
        cpu, wall = timed(lambda cs=cs, vendors=vendors: score(cs, vendors), repeats)
        per_vendor[n] = cpu
        target = " (target < 2 s)" if n == 10_000 else ""
        print(f"   {n:>6,} vendors: CPU {cpu:.3f} s, wall {wall:.3f} s{target}")
    print(f"   growth 1,000 -> 10,000 vendors: {per_vendor[10_000] / per_vendor[1_000]:.1f}x "
          "(linear: 10x)")


def start_up(repeats: int) -> None:
    # as installed: pip compiles a package's bytecode when it installs it; an editable install leaves that to the
    # first run, which this machine's PYTHONDONTWRITEBYTECODE=1 forbids, so compile it here (nothing else is
    # written: the runs below keep PYTHONDONTWRITEBYTECODE=1)
    import compileall
    compileall.compile_dir(ROOT / "scoring", quiet=1)
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    commands = {
        "python -c 'import pandas'": [sys.executable, "-c", "import pandas"],
        "cloudscore --help": [sys.executable, "-m", "scoring", "--help"],
        "cloudscore --version": [sys.executable, "-m", "scoring", "--version"],
        "cloudscore validate": [sys.executable, "-m", "scoring", "validate"],
        "cloudscore rank": [sys.executable, "-m", "scoring", "rank"],
    }
    for cmd in commands.values():                    # warm the OS file cache once
        subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True, env=env)
    wall: dict[str, list[float]] = {k: [] for k in commands}
    cpu: dict[str, list[float]] = {k: [] for k in commands}
    for _ in range(repeats):                         # interleaved so machine noise hits all alike
        for name, cmd in commands.items():
            before = os.times()
            started = time.perf_counter()
            subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True, env=env)
            wall[name].append(time.perf_counter() - started)
            after = os.times()
            cpu[name].append((after.children_user - before.children_user)
                             + (after.children_system - before.children_system))
    med = {k: statistics.median(v) for k, v in wall.items()}
    cmed = {k: statistics.median(v) for k, v in cpu.items()}
    pandas = "python -c 'import pandas'"
    print(f"\n2. Cold start, medians of {repeats} interleaved runs (wall; CPU in brackets)")
    targets = {"cloudscore --help": "target < 0.15 s", "cloudscore --version": "target < 0.15 s",
               "cloudscore validate": "target < 0.3 s"}
    for name in commands:
        extra = targets.get(name, "")
        if name == "cloudscore rank":
            extra = (f"{med[name] / med[pandas]:.2f}x import pandas wall, {cmed[name] / cmed[pandas]:.2f}x CPU "
                     "(target <= 1.5x)")
        print(f"   {name:28s} {med[name]:.3f} s  [{cmed[name]:.3f} s]  {extra}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    score_scaling(max(1, args.repeats // 2 + 1))
    start_up(2 * args.repeats + 1)


if __name__ == "__main__":
    main()
