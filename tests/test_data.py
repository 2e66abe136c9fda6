"""The shipped criteria/ and vendors/ are tested like code: valid, rankable, and every figure traceable."""

import csv
import datetime as dt
import os
import re
from pathlib import Path

import pytest

from scoring.load import load_criteria, load_vendors
from scoring.pipeline import run

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
FACTS = SHARED / "data" / "vendor-facts.csv"
SEEDS = SHARED / "seeds"
VENDORS = load_vendors(ROOT / "vendors")
CRITERIA_FILES = sorted((ROOT / "criteria").glob("*.yaml"))


@pytest.fixture(scope="module")
def facts():
    if not FACTS.exists():
        if os.getenv("CI"):
            pytest.fail(f"{FACTS} is missing: CI must have ../shared beside the project")
        pytest.skip("../shared/data/vendor-facts.csv is not beside this checkout")
    with FACTS.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def numbers_in(text: str) -> list[float]:
    """Every number in a fact-sheet cell: '~25' -> [25], '2023: #6; 2024: #8' -> [2023, 6, 2024, 8],
    '1,650' -> [1650].
    """
    return [float(x) for x in re.findall(r"[-+]?\d+(?:\.\d+)?", text.replace(",", ""))]


def observations():
    for vendor in VENDORS:
        for metric, obs in vendor.metrics.items():
            for o in obs:
                yield vendor, metric, o


def test_every_shipped_file_is_valid_and_every_criteria_view_ranks_the_five_vendors():
    for path in CRITERIA_FILES:
        for as_of in ("2023-12-31", "2025-12-31"):
            result = run(path, ROOT / "vendors", as_of=as_of)
            assert set(result.ranking["vendor"]) == {"alibaba", "huawei", "tianyi", "baidu", "volcano"}
            assert result.ranking["score"].between(0, 1).all()


def test_no_shipped_figure_is_a_bare_unsourced_number():
    bare = [f"{v.id}.{m}" for v, m, o in observations() if o.unsourced]
    assert bare == []


def test_every_sourced_figure_traces_to_a_fact_sheet_row_or_a_seed(facts):
    # A figure traces when it is one of the numbers written in its row's value cell or in the row's note
    # (e.g. '#1; Huawei #2, Tianyi #3'): copied, not computed. Anything computed is an estimate.
    index: dict[tuple[str, str, str], list[str]] = {}
    for row in facts:
        index.setdefault((row["vendor"], row["metric"], row["period"]), []).append(row["value"] + " | " + row["note"])
    problems = []
    for vendor, metric, o in observations():
        if o.estimate:
            continue
        if o.fact is None and o.seed is None:
            problems.append(f"{o.where}: {vendor.id}.{metric} has neither fact nor seed")
            continue
        if o.fact is not None:
            csv_metric, _, period = o.fact.partition("@")
            cells = index.get((vendor.id, csv_metric, period))
            if cells is None:
                problems.append(f"{o.where}: fact {o.fact!r} is not a row of vendor-facts.csv for {vendor.id}")
            elif not any(o.value == pytest.approx(x) for c in cells for x in numbers_in(c)):
                problems.append(f"{o.where}: {vendor.id}.{metric} = {o.value:g} but the row says {cells}")
        if o.seed is not None:
            seed = SEEDS / o.seed
            digits = f"{abs(o.value):g}"   # a seed writes a fall in words (下降5.8个百分点), not as "-5.8"
            if not seed.exists():
                problems.append(f"{o.where}: seed file {o.seed!r} does not exist")
            elif digits not in seed.read_text(encoding="utf-8"):
                problems.append(f"{o.where}: {digits} does not occur in seed {o.seed}")
    assert problems == []


def test_every_estimate_says_why_and_is_not_rated_high_confidence():
    for vendor, metric, o in observations():
        if o.estimate:
            assert len(o.note.split()) >= 5, f"{o.where}: {vendor.id}.{metric}: the reasoning is too thin: {o.note!r}"
            assert o.confidence != "high", f"{o.where}: an estimate cannot be high confidence"


def test_every_incident_and_status_page_has_a_source_and_a_traceable_fact(facts):
    rows = {(r["vendor"], r["metric"], r["period"]) for r in facts}
    for vendor in VENDORS:
        for incident in vendor.incidents:
            assert incident.source.strip()
            if incident.fact:
                metric, _, period = incident.fact.partition("@")
                assert (vendor.id, metric, period) in rows, f"{incident.where}: {incident.fact!r} not in the fact sheet"
        if vendor.status_page and vendor.status_page.fact:
            metric, _, period = vendor.status_page.fact.partition("@")
            assert (vendor.id, metric, period) in rows, f"{vendor.status_page.where}: {vendor.status_page.fact!r}"


def test_both_views_have_observations_for_the_seeds_date_and_for_the_latest_data():
    """At least one criterion metric per vendor is known at 2023-12-31, and every criterion metric by 2025-12-31."""
    criteria = load_criteria(ROOT / "criteria" / "baseline.yaml")
    metrics = {c.metric for c in criteria.criteria} - {criteria.stability.metric}
    for vendor in VENDORS:
        if vendor.id not in criteria.vendors:
            continue
        known_2023 = [m for m in metrics
                      if any(o.period_end <= dt.date(2023, 12, 31) for o in vendor.metrics.get(m, ()))]
        assert known_2023, f"{vendor.id} has nothing for the seeds' view"
