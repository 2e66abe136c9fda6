"""The README's Python blocks run as written (from the repo root), so the documented API cannot drift."""

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)


@pytest.mark.parametrize("code", BLOCKS, ids=[f"block{i}" for i in range(len(BLOCKS))])
def test_readme_python_block_runs(code, capsys):
    namespace: dict = {}
    exec(compile(code, str(README), "exec"), namespace)
    if "table" in namespace:      # the what-if example: three vendors ranked 1..3 with no gaps
        assert sorted(namespace["table"]["rank"]) == [1, 2, 3]


def test_readme_has_python_blocks():
    assert BLOCKS


@pytest.mark.parametrize("as_of", ["2023-12-31", "2025-12-31"])
def test_the_rankings_shown_in_the_readme_are_what_the_tool_prints(as_of):
    """The README's two views (seeds' and latest) must stay true: every ranking row appears in it verbatim."""
    from scoring.pipeline import run
    from scoring.report import render_table
    table = render_table(run("criteria/baseline.yaml", "vendors", as_of=as_of))
    rows = [line for line in table.splitlines() if line[:5].strip().rstrip("=").isdigit()]
    text = README.read_text(encoding="utf-8")
    assert len(rows) == 5
    for row in rows:
        assert row in text, f"README is stale: {row!r}"


def test_the_smaa_table_shown_in_the_readme_is_what_the_tool_prints():
    """The README's SMAA example (100,000 draws, seed 0) must stay true, row by row."""
    from scoring.pipeline import run
    from scoring.scorer import Scorer
    from scoring.smaa import smaa
    out = smaa(Scorer.from_result(run("criteria/baseline.yaml", "vendors")), draws=100_000, seed=0)
    text = README.read_text(encoding="utf-8")
    for vendor, row in out.acceptability.iterrows():
        cells = " ".join(f"{p:.3f}" for p in row)
        line = [ln for ln in text.splitlines() if ln.startswith(f"{vendor} ") and "0." in ln and "rank" not in ln]
        assert any(" ".join(ln.split()[1:6]) == cells for ln in line), f"README SMAA row for {vendor} is stale"
