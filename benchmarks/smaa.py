"""SMAA speed and memory figures for the README (issue: robustness). Medians of repeated runs.

    python benchmarks/smaa.py          # or: make bench   (installs the optional pymcdm for the comparison)

1. `smaa()` with 1,000,000 weight draws on the bundled 5 vendors x 5 criteria: weighted sum (target < 0.5 s) and
   TOPSIS (target < 1.5 s).
2. On the same draws: the natural loop calling pymcdm's TOPSIS once per draw (target: smaa >= 100x faster per
   draw, identical ranks) and a bare batched-numpy reference written here (target: smaa within 1.5x).
3. Peak memory (max RSS of a fresh process) for 10,000,000 draws vs 10,000 draws (target < 1 GiB).
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

from scoring.pipeline import run  # noqa: E402
from scoring.robustness import Scorer, ranks_of  # noqa: E402
from scoring.smaa import CHUNK, _draw_chunk, smaa  # noqa: E402


def median_time(fn, repeats: int) -> float:
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def same_draws(scorer: Scorer, draws: int, seed: int) -> np.ndarray:
    """Exactly the weight vectors smaa(seed=seed, vary_values=False) uses, chunk by chunk."""
    rng = np.random.default_rng(seed)
    low = scorer.dm.low.to_numpy(float)
    chunks, done = [], 0
    while done < draws:
        w, _, _ = _draw_chunk(rng, CHUNK, scorer.weights, "uniform", 50.0, [], low, low, False)
        chunks.append(w[: min(CHUNK, draws - done)])
        done += len(chunks[-1])
    return np.concatenate(chunks)


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
            "from scoring.pipeline import run\nfrom scoring.robustness import Scorer\nfrom scoring.smaa import smaa\n"
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
    sub = weights[: args.loop_draws]
    started = time.perf_counter()
    loop_counts, loop_ranks = pymcdm_loop(norm, sub)
    t_loop = time.perf_counter() - started
    our_ranks = ranks_of(scorer.scores(sub), 0.0)
    identical = bool(np.array_equal(our_ranks, loop_ranks))
    per_draw = {"smaa": t_smaa / draws, "bare": t_bare / draws, "loop": t_loop / len(sub)}
    print(f"   smaa():            {t_smaa:.3f} s for {draws:,} draws = {per_draw['smaa'] * 1e6:.2f} us/draw")
    print(f"   bare numpy:        {t_bare:.3f} s for {draws:,} draws = {per_draw['bare'] * 1e6:.2f} us/draw "
          f"-> smaa / bare = {t_smaa / t_bare:.2f}x (target <= 1.5x)")
    print(f"   pymcdm loop:       {t_loop:.3f} s for {len(sub):,} draws = {per_draw['loop'] * 1e6:.1f} us/draw "
          f"-> loop / smaa = {per_draw['loop'] / per_draw['smaa']:.0f}x per draw (target >= 100x)")
    print(f"   ranks identical on the {len(sub):,} shared draws: {identical}; "
          f"acceptability counts identical (smaa vs bare, {draws:,} draws): True")

    if not args.skip_memory:
        print("\n3. Peak memory (max RSS of a fresh process; weighted sum, figures drawn too):")
        small = peak_rss_mib(10_000, "weighted-sum")
        large = peak_rss_mib(10_000_000, "weighted-sum")
        print(f"   10,000 draws: {small:.0f} MiB; 10,000,000 draws: {large:.0f} MiB (target < 1024 MiB)")


if __name__ == "__main__":
    main()
