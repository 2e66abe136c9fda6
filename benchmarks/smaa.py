"""SMAA speed and memory figures for the README (issues: robustness, 10). CPU-time medians beside wall time, and
each figure beside the best batched reference written here, run in the same process on the same machine.

    python benchmarks/smaa.py          # or: make bench

1. `smaa()` with 1,000,000 draws on the bundled 5 vendors x 5 criteria, weights only and figures drawn (the
   `sensitivity` default), weighted sum and TOPSIS, against `reference_smaa` below: bare numpy that does the same
   work (weights, figures, ranks, acceptability, central weights, pairwise wins, confidence factors) with every
   generality dropped. Targets: within 1.5x of the reference in all four cases; figures drawn under 0.3 s
   (weighted sum) and 0.4 s (TOPSIS).
2. How cost grows: figures drawn, weighted sum, time per draw and per vendor x criterion x draw over vendors,
   criteria and draws; 50 x 20 with 100,000 draws (target < 2 s); peak RSS of a fresh process for 500 x 50
   (target < 1 GiB).
3. The pymcdm per-draw loop on the same TOPSIS draws (needs the optional `bench` extra), identical ranks.
4. Order constraints: a chain over 7 criteria costs about what no constraint costs (no rejection).
"""

from __future__ import annotations

import argparse
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
from scoring.smaa import _affine_plan, _streams, draw_weights, one_blas_thread, smaa  # noqa: E402

REFERENCE_CHUNK = 4_096        # draws per chunk of the reference: its fastest on this machine (L2-sized)


def timed(fn, repeats: int) -> tuple[float, float]:
    """(CPU-time median, wall-time median) of ``repeats`` calls."""
    cpu, wall = [], []
    for _ in range(repeats):
        c0, w0 = time.process_time(), time.perf_counter()
        fn()
        cpu.append(time.process_time() - c0)
        wall.append(time.perf_counter() - w0)
    return statistics.median(cpu), statistics.median(wall)


def reference_smaa(scorer: Scorer, draws: int, seed: int, vary_values: bool, confidence_draws: int = 100_000):
    """The best bare-numpy SMAA-2 written for the comparison: uniform weights, draws on the last axis, chunks of
    ``REFERENCE_CHUNK`` draws, figures drawn straight in normalized space (fixed scales), TOPSIS as matrix
    products when the figures are fixed; no order constraints, no general normalization, no validation, no
    progress. Returns (rank counts, central weights, wins, confidence factors)."""
    n, m = len(scorer.vendors), len(scorer.criteria)
    rng = np.random.default_rng(seed)
    topsis = scorer.method == "topsis"
    if vary_values:
        plan = _affine_plan(scorer)
        a, b = plan.offset.reshape(-1, 1), plan.slope.reshape(-1, 1)
    else:
        norm = scorer.normalized()
        best, worst = (norm - norm.max(axis=0)) ** 2, (norm - norm.min(axis=0)) ** 2
    counts, wins, firsts_w = np.zeros((n, n), np.int64), np.zeros((n, n), np.int64), np.zeros((n, m))
    offsets = np.arange(0, n * n, n)[:, None]

    def figures(size):
        x = rng.random((n * m, size))
        x *= b
        x += a
        np.clip(x, 0.0, 1.0, out=x)
        return x.reshape(n, m, size)

    def scores(x, w):
        if not topsis:
            return np.einsum("ijk,jk->ik", x, w)
        w2 = w * w
        gap = x - x.max(axis=0)
        gap *= gap
        dp = np.sqrt(np.einsum("ijk,jk->ik", gap, w2))
        np.subtract(x, x.min(axis=0), out=gap)
        gap *= gap
        dm = np.sqrt(np.einsum("ijk,jk->ik", gap, w2))
        with np.errstate(invalid="ignore"):
            return dm / (dp + dm)

    for start in range(0, draws, REFERENCE_CHUNK):
        size = min(REFERENCE_CHUNK, draws - start)
        e = rng.standard_exponential((m, size))
        w = e / e.sum(axis=0)
        if vary_values:
            s = scores(figures(size), w)
        elif topsis:
            w2 = w * w
            dp, dm = np.sqrt(best @ w2), np.sqrt(worst @ w2)
            s = dm / (dp + dm)
        else:
            s = norm @ w
        behind = np.empty((n, size), dtype=np.intp)
        for v in range(n):
            beaten = s > s[v]
            wins[:, v] += beaten.sum(axis=1)
            beaten.sum(axis=0, out=behind[v])
        behind += offsets
        counts += np.bincount(behind.ravel(), minlength=n * n).reshape(n, n)
        firsts_w += (behind == offsets) @ w.T
    central = firsts_w / np.maximum(counts[:, :1], 1)
    confidence = np.zeros(n)
    if vary_values:
        for start in range(0, confidence_draws, REFERENCE_CHUNK):
            size = min(REFERENCE_CHUNK, confidence_draws - start)
            x = figures(size)
            if topsis:
                gap_b, gap_w = (x - x.max(axis=0)) ** 2, (x - x.min(axis=0)) ** 2
                w2 = central ** 2
                dp, dm = np.sqrt(np.matmul(w2, gap_b)), np.sqrt(np.matmul(w2, gap_w))
                with np.errstate(invalid="ignore"):
                    s = dm / (dp + dm)
            else:
                s = np.matmul(central, x)                                          # (n, vendors, size)
            own = s[np.arange(n), np.arange(n)]
            confidence += np.count_nonzero(s.max(axis=0) <= own, axis=1)
        confidence /= confidence_draws
    return counts, central, wins, confidence


def bundled(method: str) -> Scorer:
    return Scorer.from_result(run("criteria/baseline.yaml", "vendors", as_of="2025-12-31", method=method))


def near_the_limit(repeats: int) -> None:
    draws = 1_000_000
    print(f"1. SMAA-2, {draws:,} draws, bundled 5 vendors x 5 criteria: smaa() vs the bare reference in this "
          "process (CPU medians; wall in brackets)")
    targets = {("weighted-sum", True): 0.3, ("topsis", True): 0.4}
    for vary in (False, True):
        for method in ("weighted-sum", "topsis"):
            scorer = bundled(method)
            ours = timed(lambda scorer=scorer, vary=vary: smaa(scorer, draws=draws, seed=0, vary_values=vary),
                         repeats)
            with one_blas_thread():                  # as smaa() runs: the reference gets the same BLAS
                ref = timed(lambda scorer=scorer, vary=vary: reference_smaa(scorer, draws, 0, vary), repeats)
            what = "figures drawn" if vary else "weights only "
            target = targets.get((method, vary))
            absolute = f"; target < {target} s" if target else ""
            print(f"   {what} {method:12s} smaa {ours[0]:.3f} s [{ours[1]:.3f}]  reference {ref[0]:.3f} s "
                  f"[{ref[1]:.3f}]  ratio {ours[0] / ref[0]:.2f}x (target <= 1.5x{absolute})")
    # the reference computes the same thing: same acceptabilities within Monte Carlo error (other random streams)
    scorer = bundled("weighted-sum")
    counts = reference_smaa(scorer, 200_000, 1, True)[0] / 200_000
    ours = smaa(scorer, draws=200_000, seed=1).acceptability.to_numpy()
    p = (ours + counts) / 2
    worst = float(np.max(np.abs(ours - counts) / np.sqrt(2 * np.maximum(p * (1 - p), 1e-6) / 200_000)))
    print(f"   smaa and the reference agree: largest gap {worst:.1f} standard errors (200,000 draws each)")


def uncertain(n: int, m: int, seed: int = 0) -> Scorer:
    rng = np.random.default_rng(seed)
    cols = {f"c{j}": list(rng.uniform(10, 90, n)) for j in range(m)}
    dm = make_matrix(cols, vendors=[f"v{i}" for i in range(n)], weights={c: 1 for c in cols},
                     bounds={c: (0, 100) for c in cols}, low={c: [x * 0.9 for x in v] for c, v in cols.items()},
                     high={c: [x * 1.1 for x in v] for c, v in cols.items()})
    return Scorer(dm, "fixed", "weighted-sum")


def peak_rss_mib(n: int, m: int, draws: int) -> tuple[float, float]:
    """(peak RSS in MiB, CPU seconds) of a fresh process running smaa on an n x m problem with figures drawn: the
    child reports its own high-water mark (``VmHWM``, which exec resets; ``ru_maxrss`` would also count the
    parent's pages between fork and exec)."""
    code = (f"import sys, time; sys.path.insert(0, {str(ROOT)!r}); "
            f"sys.path.insert(0, {str(ROOT / 'benchmarks')!r})\n"
            "from smaa import uncertain\nfrom scoring.smaa import smaa\n"
            f"scorer = uncertain({n}, {m})\nt = time.process_time()\n"
            f"smaa(scorer, draws={draws}, seed=0)\n"
            "hwm = next(line.split()[1] for line in open('/proc/self/status') if line.startswith('VmHWM'))\n"
            "print(time.process_time() - t, hwm)\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, capture_output=True, text=True)
    seconds, kib = out.stdout.split()[-2:]
    return int(kib) / 1024.0, float(seconds)


def scaling(repeats: int, skip_memory: bool) -> None:
    print("\n2. How cost grows (figures drawn, weighted sum; CPU medians): time, and time per vendor x criterion x "
          "draw")
    cases = [(5, 5, 100_000), (5, 5, 1_000_000), (50, 5, 100_000), (5, 50, 100_000), (50, 20, 10_000),
             (50, 20, 100_000), (200, 20, 10_000)]
    for n, m, draws in cases:
        scorer = uncertain(n, m)
        cpu, wall = timed(lambda scorer=scorer, draws=draws: smaa(scorer, draws=draws, seed=0),
                          max(1, repeats if n * m * draws <= 25_000_000 else 1))
        target = " (target < 2 s)" if (n, m, draws) == (50, 20, 100_000) else ""
        print(f"   {n:>4} x {m:<3} {draws:>9,} draws: {cpu:7.3f} s [{wall:.3f}]  "
              f"{cpu / (n * m * draws) * 1e9:5.2f} ns per cell-draw, {cpu / (n * n * draws) * 1e9:5.2f} ns per "
              f"vendor-pair-draw{target}")
    if not skip_memory:
        for n, m, draws in ((5, 5, 10_000), (5, 5, 10_000_000), (50, 20, 100_000), (500, 50, 2_000)):
            rss, seconds = peak_rss_mib(n, m, draws)
            print(f"   peak RSS, fresh process, {n} x {m}, {draws:,} draws: {rss:.0f} MiB in {seconds:.2f} s CPU "
                  "(target < 1024 MiB)")


def pymcdm_loop(norm: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """The natural loop: pymcdm's TOPSIS once per draw, on the same normalized matrix (identity normalization)."""
    from pymcdm.methods import TOPSIS
    method = TOPSIS(normalization_function=lambda column, cost: column)
    types = np.ones(norm.shape[1])
    out = np.empty((len(weights), norm.shape[0]), dtype=np.int64)
    for d, w in enumerate(weights):
        closeness = method(norm, w, types)
        out[d] = 1 + (closeness[None, :] > closeness[:, None]).sum(axis=1)
    return out


def against_pymcdm(loop_draws: int) -> None:
    scorer = bundled("topsis")
    w = draw_weights(_streams(0)[0], loop_draws, scorer.weights, "uniform")
    print(f"\n3. TOPSIS, the same {loop_draws:,} weight draws: smaa's kernel vs a pymcdm loop")
    try:
        started = time.process_time()
        loop_ranks = pymcdm_loop(scorer.normalized(), w)
        t_loop = time.process_time() - started
    except ImportError:
        print("   skipped (pymcdm is not installed: pip install -e '.[bench]')")
        return
    t_ours = timed(lambda: smaa(scorer, draws=loop_draws, seed=0, vary_values=False), 3)[0]
    identical = bool(np.array_equal(ranks(scorer.scores(w), 0.0), loop_ranks))
    print(f"   pymcdm loop {t_loop / loop_draws * 1e6:.1f} us/draw, smaa {t_ours / loop_draws * 1e6:.2f} us/draw: "
          f"{t_loop / t_ours:.0f}x (target >= 100x); ranks identical: {identical}")


def order_constraints(repeats: int) -> None:
    rng = np.random.default_rng(0)
    names = [f"c{j}" for j in range(7)]
    dm = make_matrix({c: list(rng.uniform(0, 100, 5)) for c in names}, vendors=[f"v{i}" for i in range(5)],
                     weights={c: 1 for c in names}, bounds={c: (0, 100) for c in names})
    scorer = Scorer(dm, "fixed", "weighted-sum")
    chain = [f"{a} >= {b}" for a, b in zip(names, names[1:], strict=False)]
    free = timed(lambda: smaa(scorer, draws=1_000_000, seed=0, vary_values=False), repeats)[0]
    ordered = timed(lambda: smaa(scorer, draws=1_000_000, seed=0, vary_values=False, order=chain), repeats)[0]
    print(f"\n4. 7 criteria, 1,000,000 weight draws: no constraint {free:.3f} s; chain c0 >= ... >= c6 {ordered:.3f} s "
          f"({ordered / free:.2f}x; rejection would keep 1 draw in 5,040)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--loop-draws", type=int, default=20_000, help="draws for the pymcdm loop (it is slow)")
    parser.add_argument("--skip-memory", action="store_true")
    args = parser.parse_args()
    near_the_limit(args.repeats)
    scaling(max(1, args.repeats // 2), args.skip_memory)
    against_pymcdm(args.loop_draws)
    order_constraints(max(1, args.repeats // 2))


if __name__ == "__main__":
    main()
