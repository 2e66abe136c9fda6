"""Speed of the strategy optimizer on the bundled Alibaba model, each figure beside its target (issue 12: one
optimisation under 0.2 s, a 100-point frontier under 3 s, 1,000 assumption draws x 3 presets under 15 s, HiGHS and
CBC side by side in one run). Medians of repeated runs, in process, CPU time (this process's threads and the solver
processes it started: robust to other work on the machine).

The MILP row compares the three exact ways the solver module can solve the same program: HiGHS enumerating the
move combinations (warm LP re-solves; the default for up to ``lp.ENUMERATE_MAX_BINARIES`` binaries), HiGHS's own
branch and bound, and CBC (a process per solve).

    .venv/bin/python benchmarks/optimize.py
"""

from __future__ import annotations

import os
import statistics
import sys
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scoring import lp  # noqa: E402
from scoring.load import load_strategy  # noqa: E402
from scoring.optimize import frontier, optimize, view  # noqa: E402
from scoring.strategy_draws import preset_acceptability  # noqa: E402
from scoring.strategy_program import build_program, setting  # noqa: E402


def cpu_seconds() -> float:
    """CPU time of this process (all its threads) and of the children it waited for (CBC runs as one)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def median_seconds(fn, repeat: int = 7, min_sample_s: float = 0.2) -> float:
    """Median CPU seconds per call over ``repeat`` samples; a sample repeats the call until it spans
    ``min_sample_s`` (the CPU clock ticks in 10 ms steps)."""
    fn()                                   # warm: imports, the solver's first model
    inner, start = 0, cpu_seconds()
    while inner == 0 or cpu_seconds() - start < min_sample_s:
        fn()
        inner += 1
    times = []
    for _ in range(repeat):
        start = cpu_seconds()
        for _ in range(inner):
            fn()
        times.append((cpu_seconds() - start) / inner)
    return statistics.median(times)


def main() -> None:
    model = load_strategy(ROOT / "strategy" / "alibaba.yaml")
    vendors = ROOT / "vendors"
    result = view(model, vendors)
    preset = model.preset("hybrid")
    s = setting(model, preset, None)
    one = median_seconds(lambda: optimize(model, preset="hybrid", vendors_folder=vendors), repeat=5)
    print(f"one optimisation (view, MILP, priced LP with ranges, floor-price range, engine check): "
          f"{one * 1e3:.0f} ms  (target < 200 ms)")
    build = median_seconds(lambda: build_program(model, result, s, preset), repeat=5)
    print(f"  build the program ({len(build_program(model, result, s, preset).program.rows)} rows): "
          f"{build * 1e3:.2f} ms")
    program = build_program(model, result, s, None).program          # no preset: all 16 move combinations
    times = {}
    for label, solver, cutoff in (("HiGHS, enumerating the moves", "highs", lp.ENUMERATE_MAX_BINARIES),
                                  ("HiGHS, branch and bound", "highs", 0), ("CBC", "cbc", 0)):
        with mock.patch.object(lp, "ENUMERATE_MAX_BINARIES", cutoff):
            times[label] = median_seconds(lambda s_=solver: lp.solve_program(program, solver=s_), repeat=5)
    base = times["HiGHS, enumerating the moves"]
    for label, t in times.items():
        print(f"  solve the MILP, {label}: {t * 1e3:.1f} ms  ({t / base:.1f}x the enumeration)")
    sweep = median_seconds(lambda: frontier(model, points=100, vendors_folder=vendors), repeat=3, min_sample_s=0)
    print(f"100-point frontier (bisection for the top floor + 101 MILPs, scored in one batch): {sweep:.2f} s  "
          f"(target < 3 s)")
    start = cpu_seconds()
    preset_acceptability(model, draws=1000, seed=0, vendors_folder=vendors)
    draws = cpu_seconds() - start
    print(f"1,000 assumption draws x {len(model.presets)} presets (one run): {draws:.1f} s  (target < 15 s)")


if __name__ == "__main__":
    main()
