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
