"""Start-up costs nothing it does not use: which heavy modules a command imports, checked in a fresh interpreter
(sys.modules after the command), not timed (the timings are in benchmarks/pipeline.py)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("numpy", "pandas", "yaml", "pulp", "highspy", "openpyxl", "jinja2", "matplotlib")

PROBE = """
import json, sys
from scoring.cli import main
try:
    main({args!r})
except SystemExit:
    pass
sys.stdout.flush()
print(json.dumps(sorted(m for m in {heavy!r} if m in sys.modules)), file=sys.stderr)
"""


def imported_by(*args: str) -> set[str]:
    """The heavy modules loaded after ``cloudscore ARGS`` ran in a fresh interpreter (its last stderr line)."""
    run = subprocess.run([sys.executable, "-c", PROBE.format(args=list(args), heavy=HEAVY)], cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    return set(json.loads(run.stderr.strip().splitlines()[-1]))


@pytest.mark.parametrize("args", [("--help",), ("--version",), ("rank", "--help")])
def test_help_and_version_import_neither_numpy_nor_pandas(args):
    assert imported_by(*args) == set()


def test_validate_imports_no_pandas_and_no_solver():
    assert imported_by("validate") == {"numpy", "yaml"}


def test_rank_imports_what_a_ranking_needs_and_no_solver():
    assert imported_by("rank") == {"numpy", "pandas", "yaml"}


def test_importing_the_package_imports_nothing_heavy_and_still_offers_every_name():
    code = ("import sys, scoring; heavy = [m for m in ('numpy', 'pandas') if m in sys.modules]; "
            "import scoring.normalize, scoring.aggregate; "
            "print(heavy, callable(scoring.normalize), callable(scoring.aggregate), bool(scoring.__version__))")
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.stdout.split() == ["[]", "True", "True", "True"], run.stderr


@pytest.mark.parametrize("own", [None, "2"])
def test_the_command_line_starts_blas_on_one_thread_unless_the_user_says_otherwise(own):
    """OpenBLAS's threads are made when numpy loads and spin (0.1 s of CPU a command): the command line asks for
    one before numpy loads; a user's own OPENBLAS_NUM_THREADS wins."""
    import os
    code = ("import sys\nfrom scoring.cli import main\ntry:\n    main(['validate'])\nexcept SystemExit:\n    pass\n"
            "from threadpoolctl import threadpool_info\n"
            "print([lib['num_threads'] for lib in threadpool_info() if lib['user_api'] == 'blas'], file=sys.stderr)")
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    if own is not None:
        env["OPENBLAS_NUM_THREADS"] = own
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120, env=env)
    threads = json.loads(run.stderr.strip().splitlines()[-1])
    assert threads and set(threads) == {1 if own is None else int(own)}
