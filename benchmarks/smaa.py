"""SMAA speed and memory figures for the README (issue: robustness). Medians of repeated runs.

    python benchmarks/smaa.py          # or: make bench   (installs the optional pymcdm for the comparison)

1. `smaa()` with 1,000,000 weight draws on the bundled 5 vendors x 5 criteria: weighted sum (target < 0.5 s) and
   TOPSIS (target < 1.5 s).
2. On the same draws: the natural loop calling pymcdm's TOPSIS once per draw (target: smaa >= 100x faster per
   draw, identical ranks) and a bare batched-numpy reference written here (target: smaa within 1.5x).
3. Peak memory (max RSS of a fresh process) for 10,000,000 draws vs 10,000 draws (target < 1 GiB).
4. Order constraints: a chain over every criterion costs about what no constraint costs (no rejection), and
   150 vendors x 5 criteria with every figure drawn stay within a bounded peak (tracemalloc) at any draws.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scoring.matrix import make_matrix  # noqa: E402
from scoring.pipeline import run  # noqa: E402
from scoring.rank import ranks  # noqa: E402
from scoring.scorer import Scorer  # noqa: E402
from scoring.smaa import _streams, draw_weights, smaa  # noqa: E402

CHUNK = 65_536                 # the bare reference's chunk (draws)


def median_time(fn, repeats: int) -> float:
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def same_draws(scorer: Scorer, draws: int, seed: int) -> np.ndarray:
    """Exactly the weight vectors smaa(seed=seed) uses: its weight stream is read draw after draw, so drawing them
    all at once gives the same vectors as smaa's chunks."""
    return draw_weights(_streams(seed)[0], draws, scorer.weights, "uniform")


def bare_reference(norm: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Plain batched numpy TOPSIS + acceptability counts: what a careful analyst would write in a notebook."""
    n = norm.shape[0]
    counts = np.zeros((n, n), dtype=np.int64)
    for start in range(0, len(weights), CHUNK):
        w = weights[start:start + CHUNK]
        v = norm[None, :, :] * w[:, None, :]
        d_plus = np.sqrt(((v - v.max(axis=1, keepdims=True)) ** 2).sum(axis=2))
        d_minus = np.sqrt(((v - v.min(axis=1, keepdims=True)) ** 2).sum(axis=2))
        closeness = d_minus / (d_plus + d_minus)
        ranks = 1 + (closeness[:, None, :] > closeness[:, :, None]).sum(axis=2)
        for i in range(n):
            counts[i] += np.bincount(ranks[:, i] - 1, minlength=n)
    return counts


def pymcdm_loop(norm: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The natural loop: pymcdm's TOPSIS once per draw, on the same normalized matrix (identity normalization)."""
    from pymcdm.methods import TOPSIS
    method = TOPSIS(normalization_function=lambda column, cost: column)
    types = np.ones(norm.shape[1])
    n = norm.shape[0]
    counts = np.zeros((n, n), dtype=np.int64)
    all_ranks = np.empty((len(weights), n), dtype=np.int64)
    for d, w in enumerate(weights):
        closeness = method(norm, w, types)
        ranks = 1 + (closeness[None, :] > closeness[:, None]).sum(axis=1)
        all_ranks[d] = ranks
        counts[np.arange(n), ranks - 1] += 1
    return counts, all_ranks


def peak_rss_mib(draws: int, method: str) -> float:
    code = (f"import sys; sys.path.insert(0, {str(ROOT)!r})\n"
            "from scoring.pipeline import run\nfrom scoring.scorer import Scorer\nfrom scoring.smaa import smaa\n"
            f"r = run('criteria/baseline.yaml', 'vendors', as_of='2025-12-31', method={method!r})\n"
            f"smaa(Scorer.from_result(r), draws={draws:d}, seed=0, vary_values=True)\n")
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(after, before) / 1024.0     # ru_maxrss is in KiB on Linux (the max over children so far)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--loop-draws", type=int, default=20_000, help="draws for the pymcdm loop (it is slow)")
    parser.add_argument("--skip-memory", action="store_true")
    args = parser.parse_args()

    results = {m: run("criteria/baseline.yaml", "vendors", as_of="2025-12-31", method=m)
               for m in ("weighted-sum", "topsis")}
    scorers = {m: Scorer.from_result(r) for m, r in results.items()}
    print("1. SMAA-2, 1,000,000 weight draws, bundled 5 vendors x 5 criteria (figures fixed):")
    for method, target in (("weighted-sum", 0.5), ("topsis", 1.5)):
        t = median_time(lambda method=method: smaa(scorers[method], draws=1_000_000, seed=0, vary_values=False),
                        args.repeats)
        print(f"   {method:12s} median {t:.3f} s (target < {target} s)")
    for method in ("weighted-sum", "topsis"):
        t = median_time(lambda method=method: smaa(scorers[method], draws=1_000_000, seed=0, vary_values=True),
                        max(1, args.repeats // 2))
        print(f"   {method:12s} median {t:.3f} s with every figure also drawn within its uncertainty (no target)")

    scorer = scorers["topsis"]
    norm = scorer.normalized()
    draws = 1_000_000
    weights = same_draws(scorer, draws, seed=0)
    print(f"\n2. TOPSIS on the same draws (seed 0): smaa vs a pymcdm loop ({args.loop_draws:,} draws) "
          "and a bare batched-numpy reference")
    t_smaa = median_time(lambda: smaa(scorer, draws=draws, seed=0, vary_values=False), args.repeats)
    t_bare = median_time(lambda: bare_reference(norm, weights), args.repeats)
    ours = smaa(scorer, draws=draws, seed=0, vary_values=False)
    bare_counts = bare_reference(norm, weights)
    assert np.array_equal(np.rint(ours.acceptability.to_numpy() * draws).astype(np.int64), bare_counts), \
        "smaa and the bare reference disagree on the same draws"
    per_draw = {"smaa": t_smaa / draws, "bare": t_bare / draws}
    print(f"   smaa():            {t_smaa:.3f} s for {draws:,} draws = {per_draw['smaa'] * 1e6:.2f} us/draw")
    print(f"   bare numpy:        {t_bare:.3f} s for {draws:,} draws = {per_draw['bare'] * 1e6:.2f} us/draw "
          f"-> smaa / bare = {t_smaa / t_bare:.2f}x (target <= 1.5x)")
    sub = weights[: args.loop_draws]
    try:
        started = time.perf_counter()
        loop_counts, loop_ranks = pymcdm_loop(norm, sub)
        t_loop = time.perf_counter() - started
    except ImportError:
        print("   pymcdm loop:       skipped (pymcdm is not installed: pip install -e '.[bench]')")
    else:
        identical = bool(np.array_equal(ranks(scorer.scores(sub), 0.0), loop_ranks))
        per_draw["loop"] = t_loop / len(sub)
        print(f"   pymcdm loop:       {t_loop:.3f} s for {len(sub):,} draws = {per_draw['loop'] * 1e6:.1f} us/draw "
              f"-> loop / smaa = {per_draw['loop'] / per_draw['smaa']:.0f}x per draw (target >= 100x)")
        print(f"   ranks identical on the {len(sub):,} shared draws: {identical}")
    print(f"   acceptability counts identical (smaa vs bare, {draws:,} draws): True")

    if not args.skip_memory:
        print("\n3. Peak memory (max RSS of a fresh process; weighted sum, figures drawn too):")
        small = peak_rss_mib(10_000, "weighted-sum")
        large = peak_rss_mib(10_000_000, "weighted-sum")
        print(f"   10,000 draws: {small:.0f} MiB; 10,000,000 draws: {large:.0f} MiB (target < 1024 MiB)")

    print("\n4. Order constraints and size (weighted sum)")
    order_and_size(args.repeats)


def order_and_size(repeats: int) -> None:
    """A chain over 7 criteria vs no constraint (1,000,000 weight draws, 5 vendors, figures fixed), and the
    tracemalloc peak of 150 vendors x 5 criteria with every figure drawn."""
    import tracemalloc
    rng = np.random.default_rng(0)
    names = [f"c{j}" for j in range(7)]
    dm = make_matrix({c: list(rng.uniform(0, 100, 5)) for c in names}, vendors=[f"v{i}" for i in range(5)],
                     weights={c: 1 for c in names}, bounds={c: (0, 100) for c in names})
    scorer = Scorer(dm, "fixed", "weighted-sum")
    chain = [f"{a} >= {b}" for a, b in zip(names, names[1:], strict=False)]
    t_free = median_time(lambda: smaa(scorer, draws=1_000_000, seed=0, vary_values=False), repeats)
    t_chain = median_time(lambda: smaa(scorer, draws=1_000_000, seed=0, vary_values=False, order=chain), repeats)
    print(f"   7 criteria, 1,000,000 draws: no constraint {t_free:.3f} s; chain c0 >= ... >= c6 {t_chain:.3f} s "
          f"({t_chain / t_free:.2f}x; rejection would keep 1 draw in 5,040)")
    n, m = 150, 5
    cols = {f"c{j}": list(rng.uniform(10, 90, n)) for j in range(m)}
    big = make_matrix(cols, vendors=[f"v{i}" for i in range(n)], weights={c: 1 for c in cols},
                      bounds={c: (0, 100) for c in cols}, low={c: [x * 0.9 for x in v] for c, v in cols.items()},
                      high={c: [x * 1.1 for x in v] for c, v in cols.items()})
    for method, draws in (("weighted-sum", 1), ("weighted-sum", 20_000), ("topsis", 1), ("promethee", 1),
                          ("promethee", 200)):
        tracemalloc.start()
        started = time.perf_counter()
        smaa(Scorer(big, "fixed", method), draws=draws, seed=0)
        elapsed = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        print(f"   150 vendors x 5 criteria, figures drawn, {method:12s} draws={draws:<6,}: "
              f"peak {peak / 2**20:.0f} MiB (tracemalloc), {elapsed:.2f} s")


if __name__ == "__main__":
    main()
