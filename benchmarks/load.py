"""Speed of loading vendor profiles (issue target: 10,000 vendor files loaded in under 20 s, each parsed once, every
problem still located). The files are the bundled profiles, copied in turn under new ids (so the mix of sizes is
the real one, 6-22 KB). Beside the loader, in the same run, the best reference that can be written with the same
parser: ``yaml.load`` with libyaml's loader on each file (plain data, no positions, no checks). Medians of repeated
runs, in process.

Then the whole command, ``cloudscore rank --format json`` (load, score, explain, provenance, write), on a tenth of
the files and on all of them, one run each: the cost should grow linearly with the vendors (ratio near 10).

    .venv/bin/python benchmarks/load.py [FILES]
"""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402

from scoring.load import load_vendors  # noqa: E402

TARGET_FILES, TARGET_SECONDS = 10_000, 20.0


def write_profiles(folder: Path, count: int) -> None:
    """``count`` valid profiles: the bundled ones in turn, each under an id that is its file name."""
    sources = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "vendors").glob("*.yaml"))]
    for i in range(count):
        vid = f"v{i:05d}"
        text = re.sub(r"^id: .*$", f"id: {vid}", sources[i % len(sources)], count=1, flags=re.M)
        (folder / f"{vid}.yaml").write_text(text, encoding="utf-8")


def median_seconds(*fns, repeat: int = 3) -> list[float]:
    """The median time of each function, run in turn ``repeat`` times (interleaved, so that a machine whose load
    changes during the run slows each one alike)."""
    times: list[list[float]] = [[] for _ in fns]
    for _ in range(repeat):
        for fn, spent in zip(fns, times, strict=True):
            start = time.perf_counter()
            fn()
            spent.append(time.perf_counter() - start)
    return [statistics.median(t) for t in times]


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else TARGET_FILES
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "vendors"
        folder.mkdir()
        write_profiles(folder, count)
        files = sorted(folder.glob("*.yaml"))
        assert len(load_vendors(folder)) == count           # warm, and every profile is valid

        def reference() -> None:
            for path in files:
                yaml.load(path.read_bytes(), Loader=loader)

        ours, ref = median_seconds(lambda: load_vendors(folder), reference)
        tenth = Path(tmp) / "tenth"
        tenth.mkdir()
        for path in files[: max(1, count // 10)]:
            (tenth / path.name).write_bytes(path.read_bytes())
        criteria = Path(tmp) / "criteria.yaml"                # the baseline view, for every vendor in the folder
        criteria.write_text(re.sub(r"^vendors:.*$", "", (ROOT / "criteria/baseline.yaml").read_text(encoding="utf-8"),
                                   count=1, flags=re.M), encoding="utf-8")
        ranked = {n: rank_seconds(criteria, where) for n, where in ((max(1, count // 10), tenth), (count, folder))}
    scaled = ours * TARGET_FILES / count
    print(f"load {count:,} vendor files (parse once, validate, locate): {ours:.2f} s, {ours / count * 1e3:.2f} ms a "
          f"file -> {scaled:.1f} s for {TARGET_FILES:,}  (target < {TARGET_SECONDS:.0f} s)")
    print(f"  reference, yaml.load with {loader.__name__} on each file (no positions, no checks): {ref:.2f} s, "
          f"{ref / count * 1e3:.2f} ms a file; ours / reference = {ours / ref:.2f}")
    (small, (small_wall, small_cpu)), (large, (large_wall, large_cpu)) = ranked.items()
    for n, (wall, cpu) in ranked.items():
        print(f"cloudscore rank --format json on {n:,} vendor files: {wall:.2f} s wall, {cpu:.2f} s CPU")
    print(f"  growth {small:,} -> {large:,} vendors: {large_wall / small_wall:.1f}x wall, {large_cpu / small_cpu:.1f}x "
          f"CPU (linear: {large / small:.0f}x)")


def rank_seconds(criteria: Path, folder: Path) -> tuple[float, float]:
    """(wall, CPU) seconds of one ``cloudscore rank --format json`` on ``folder``, in a fresh process; the JSON
    must parse and rank every vendor."""
    import json
    before, start = os.times(), time.perf_counter()
    run = subprocess.run([sys.executable, "-m", "scoring", "rank", "--quiet", "--criteria", str(criteria),
                          "--vendors", str(folder), "--format", "json"], cwd=ROOT, capture_output=True, check=True)
    wall, after = time.perf_counter() - start, os.times()
    ranking = json.loads(run.stdout)["ranking"]
    assert len(ranking) == len(list(folder.glob("*.yaml"))), "every vendor ranked"
    return wall, (after.children_user - before.children_user) + (after.children_system - before.children_system)


if __name__ == "__main__":
    main()
