"""Speed of the strategy optimizer on the bundled Alibaba model (issue targets: one optimisation under 0.2 s, a
100-point frontier under 3 s, HiGHS and CBC side by side in one run). Medians of repeated runs, in process.

    .venv/bin/python benchmarks/optimize.py
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scoring.load import load_strategy  # noqa: E402
from scoring.lp import solve  # noqa: E402
from scoring.optimize import _build, _setting, _view, frontier, optimize  # noqa: E402


def median_seconds(fn, repeat: int = 7) -> float:
    fn()                                   # warm: imports, the solver's first model
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    model = load_strategy(ROOT / "strategy" / "alibaba.yaml")
    vendors = ROOT / "vendors"
    result = _view(model, vendors)
    preset = model.preset("hybrid")
    setting = _setting(model, preset, None)
    one = median_seconds(lambda: optimize(model, preset="hybrid", vendors_folder=vendors))
    print(f"one optimisation (load view, MILP, priced LP, engine check): {one * 1e3:.0f} ms  (target < 200 ms)")
    for solver in ("highs", "cbc"):
        t = median_seconds(lambda s=solver: solve(_build(model, result, setting, preset, "score", None).prob, solver=s))
        print(f"  build + solve the MILP with {solver}: {t * 1e3:.1f} ms")
    sweep = median_seconds(lambda: frontier(model, points=100, vendors_folder=vendors), repeat=3)
    print(f"100-point frontier (bisection for the top floor + 101 MILPs): {sweep:.2f} s  (target < 3 s)")


if __name__ == "__main__":
    main()
