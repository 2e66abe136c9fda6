"""Across methods and views: Kendall's tau-b by brute force, the Borda rule by hand, the CLI output."""

import itertools
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from scoring.compare import borda, compare, kendall_tau_b
from scoring.pipeline import run

ROOT = Path(__file__).resolve().parents[1]


def tau_b_brute_force(x, y):
    """Textbook tau-b: (concordant - discordant) / sqrt((n0 - ties_x) (n0 - ties_y))."""
    c = d = tx = ty = 0
    for i, j in itertools.combinations(range(len(x)), 2):
        sx, sy = np.sign(x[i] - x[j]), np.sign(y[i] - y[j])
        if sx == 0:
            tx += 1
        if sy == 0:
            ty += 1
        if sx * sy > 0:
            c += 1
        elif sx * sy < 0:
            d += 1
    n0 = len(x) * (len(x) - 1) / 2
    return (c - d) / np.sqrt((n0 - tx) * (n0 - ty))


@pytest.mark.parametrize("seed", range(20))
def test_kendall_tau_b_matches_the_textbook_definition(seed):
    rng = np.random.default_rng(seed)
    x, y = rng.integers(1, 5, 7), rng.integers(1, 5, 7)
    if len(set(x)) == 1 or len(set(y)) == 1:
        pytest.skip("an all-tied ranking has no tau")
    assert kendall_tau_b(x, y) == pytest.approx(tau_b_brute_force(x, y))


def test_borda_consensus_by_hand():
    """Three rankings of a, b, c: (1, 2, 3), (2, 1, 3), (1, 3, 2). Points: a 2+1+2 = 5, b 1+2+0 = 3, c 0+0+1 = 1."""
    import pandas as pd
    table = borda(pd.DataFrame({"r1": [1, 2, 3], "r2": [2, 1, 3], "r3": [1, 3, 2]}, index=["a", "b", "c"]))
    assert table["borda_points"].to_dict() == {"a": 5, "b": 3, "c": 1}
    assert table["consensus_rank"].to_dict() == {"a": 1, "b": 2, "c": 3}


def test_compare_ranks_match_each_method_run_on_its_own():
    c = compare(["criteria/baseline.yaml", "criteria/ai-first.yaml"], "vendors")
    for key in c.ranks.columns:
        view, method = key.split("/")
        alone = run(f"criteria/{view}.yaml", "vendors", method=method).ranking.set_index("vendor")["rank"]
        assert c.ranks[key].to_dict() == alone.reindex(c.ranks.index).to_dict()
    tau = c.tau.to_numpy()
    assert np.allclose(tau, tau.T) and np.allclose(np.diag(tau), 1.0) and (np.abs(tau) <= 1 + 1e-12).all()


def test_compare_command_prints_json_with_tau_and_consensus():
    out = subprocess.run([sys.executable, "-m", "scoring", "compare", "--format", "json"], cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert {"rankings", "kendall_tau", "consensus", "rule"} <= set(doc)
    assert len(doc["rankings"]) == 2 * 3                          # two views x three methods
    assert [row["rank"] for row in doc["consensus"]] == sorted(row["rank"] for row in doc["consensus"])
