"""The shipped criteria/, vendors/ and data/ are tested like code: valid, rankable, and every figure traceable.

The facts live in the repository (data/facts.csv), so these tests run in any clone. When ../shared is beside the
checkout they also check the curated copy against the shared fact sheet and every quote against its seed text.
"""

import csv
import datetime as dt
import os
import shutil
from pathlib import Path

import pytest
from factcheck import (
    FACT_COLUMNS,
    calendar_period,
    data_problems,
    find_labelled,
    leading_number,
    normalise_date,
    read_facts,
)

from scoring.load import load_criteria, load_vendors
from scoring.pipeline import run

ROOT = Path(__file__).resolve().parents[1]
FACTS = ROOT / "data" / "facts.csv"
SHARED = ROOT.parent / "shared"
SHARED_FACTS = SHARED / "data" / "vendor-facts.csv"
SEEDS = SHARED / "seeds"
VENDORS = load_vendors(ROOT / "vendors")
CRITERIA_FILES = sorted((ROOT / "criteria").glob("*.yaml"))


def shared_or_skip(path: Path) -> Path:
    """../shared is optional for a clone, required in CI (.ci/run puts it beside the project)."""
    if not path.exists():
        if os.getenv("CI"):
            pytest.fail(f"{path} is missing: CI must have ../shared beside the project")
        pytest.skip(f"{path} is not beside this checkout (the in-repo checks above still ran)")
    return path


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


def test_every_vendor_figure_matches_the_fact_it_cites_in_value_period_date_confidence_and_unit():
    # Without the seeds (a clone from a code host) everything but the quote-against-seed check still runs.
    seeds = SEEDS if SEEDS.is_dir() else None
    assert data_problems(ROOT / "vendors", FACTS, seeds) == []


def test_the_facts_file_has_its_documented_columns_and_unique_ids():
    with FACTS.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        rows = list(reader)
    assert reader.fieldnames == FACT_COLUMNS
    ids = [r["id"] for r in rows]
    assert len(ids) == len(set(ids))
    assert all(r["id"] == f"{r['vendor']}:{r['metric']}@{r['period']}" for r in rows)
    assert all(r["calendar_period"] == calendar_period(r["period"]) for r in rows)
    assert all(r["source_date"] == normalise_date(r["source_date_as_written"]) for r in rows)
    assert all(r["seed_file"] for r in rows if r["quote"])


def test_the_curated_facts_keep_every_row_of_the_shared_fact_sheet_verbatim():
    with shared_or_skip(SHARED_FACTS).open(encoding="utf-8", newline="") as handle:
        shared = list(csv.DictReader(handle))
    facts = read_facts(FACTS)
    changed = []
    for row in shared:
        mine = facts.get(f"{row['vendor']}:{row['metric']}@{row['period']}")
        same = mine is not None and all(mine[k] == row[k] for k in ("vendor", "criterion", "metric", "value", "unit",
                                                                     "source", "seed_file", "confidence", "note"))
        if not same or mine["source_date_as_written"] != row["source_date"]:
            changed.append(f"{row['vendor']}:{row['metric']}@{row['period']}")
    assert changed == []
    assert len(facts) >= len(shared)


def test_the_quotes_are_checked_against_the_seed_text_when_the_seeds_are_present(tmp_path):
    seeds = shared_or_skip(SEEDS)
    facts = tmp_path / "facts.csv"
    text = FACTS.read_text(encoding="utf-8")
    facts.write_text(text.replace("251.23亿元", "251.24亿元", 1), encoding="utf-8")
    problems = data_problems(ROOT / "vendors", facts, seeds)
    assert any("the quote is not in seed 002_01eb8f61b64faf65.txt" in p for p in problems), problems


def test_a_labelled_number_is_matched_in_its_chinese_forms_and_not_inside_another_number():
    quote = "阿里云仍凭借26.7%的份额稳居市场第一,收入增长4%至251.23亿元,以27.4%的市场占有率排名第二"
    assert find_labelled(26.7, "pct", quote) and not find_labelled(6.7, "pct", quote)
    assert find_labelled(25123, "rmb_m", quote) and not find_labelled(25124, "rmb_m", quote)
    assert find_labelled(2, "rank", quote) and not find_labelled(3, "rank", quote)
    assert find_labelled(1, "rank", "排名第一的百度智能云") and not find_labelled(1, "rank", "第一季度业绩")
    assert find_labelled(29.9, "pct", "下降至29.90%") and find_labelled(45.9, "rmb_bn", "天翼云收入459亿元")
    assert leading_number("2023: #26; slight downward trend") == 26 and leading_number(">=14 (to ~22:50)") == 14


# Each mutation the audit found the old check let through: (file, text in it, replacement, facts.csv edit or None).
MUTATIONS = {
    "rank 1 -> 2": ("alibaba.yaml", '    - value: 1\n      period: "2025-Q2"',
                    '    - value: 2\n      period: "2025-Q2"', None),
    "period -> 2021-Q2": ("alibaba.yaml", '    - value: 39\n      period: "2023-Q3"',
                          '    - value: 39\n      period: "2021-Q2"', None),
    "source date -> 2021-07": ("huawei.yaml", 'techempiresolutions.com"\n      source_date: "2024-01-23"',
                               'techempiresolutions.com"\n      source_date: "2021-07"', None),
    "confidence -> high": ("alibaba.yaml", '      source_date: "2025-11"\n      confidence: medium\n      fact: '
                           '"idc_iaas_share@Q2 2025"', '      source_date: "2025-11"\n      confidence: high\n'
                           '      fact: "idc_iaas_share@Q2 2025"', None),
    # A seed-cited number changed in the vendor file and in its fact row alike: only the quote can catch it, and
    # 6.7 occurs inside the quote's "26.7%", which the old digit search accepted.
    "seed-cited share 26.7 -> 6.7": ("alibaba.yaml", "    - value: 26.7\n", "    - value: 6.7\n",
                                     (",idc_iaas_paas_share,26.7,", ",idc_iaas_paas_share,6.7,")),
    "seed-cited revenue 25123 -> 25124": ("alibaba.yaml", "    - value: 25123\n", "    - value: 25124\n",
                                          (",cloud_revenue,25123,", ",cloud_revenue,25124,")),
    "fact: dropped where a row exists": ("alibaba.yaml", '      fact: "canalys_share@Q3 2023"\n', "", None),
    "estimate dated before its facts": ("alibaba.yaml", 'public by 2025-11-25"\n      source_date: "2025-11-25"',
                                        'public by 2025-11-25"\n      source_date: "2025-06"', None),
}


@pytest.mark.parametrize("name", list(MUTATIONS))
@pytest.mark.parametrize("with_seeds", [True, False], ids=["with-seeds", "clone-without-shared"])
def test_the_data_check_fails_on_each_mutation_the_audit_found(tmp_path, name, with_seeds):
    file, old, new, fact_edit = MUTATIONS[name]
    folder = tmp_path / "vendors"
    shutil.copytree(ROOT / "vendors", folder)
    facts = tmp_path / "facts.csv"
    shutil.copy(FACTS, facts)
    seeds = SEEDS if with_seeds and SEEDS.is_dir() else None
    assert data_problems(folder, facts, seeds) == []          # the copy is clean before the mutation
    text = (folder / file).read_text(encoding="utf-8")
    assert text.count(old) == 1, f"mutation {name!r} no longer finds its target in {file}"
    (folder / file).write_text(text.replace(old, new), encoding="utf-8")
    if fact_edit is not None:
        table = facts.read_text(encoding="utf-8")
        assert table.count(fact_edit[0]) == 1
        facts.write_text(table.replace(*fact_edit), encoding="utf-8")
    problems = data_problems(folder, facts, seeds)
    assert problems, f"the data check let {name!r} through"
    assert all(p.startswith(str(folder / file)) for p in problems), problems


def test_every_estimate_says_why_and_is_not_rated_high_confidence():
    for vendor, metric, o in observations():
        if o.estimate:
            assert len(o.note.split()) >= 5, f"{o.where}: {vendor.id}.{metric}: the reasoning is too thin: {o.note!r}"
            assert o.confidence != "high", f"{o.where}: an estimate cannot be high confidence"


def test_both_views_have_observations_for_the_seeds_date_and_for_the_latest_data():
    """At least one criterion metric per vendor is known at 2023-12-31."""
    criteria = load_criteria(ROOT / "criteria" / "baseline.yaml")
    metrics = {c.metric for c in criteria.criteria} - {criteria.stability.metric}
    for vendor in VENDORS:
        if vendor.id not in criteria.vendors:
            continue
        known_2023 = [m for m in metrics
                      if any(o.period_end <= dt.date(2023, 12, 31) for o in vendor.metrics.get(m, ()))]
        assert known_2023, f"{vendor.id} has nothing for the seeds' view"


@pytest.mark.parametrize("as_of", ["2023-12-31", "2025-12-31"])
def test_a_view_uses_no_evidence_published_after_its_date_and_names_the_fact_of_every_cell(as_of):
    """Observations, incidents and status pages alike: the stability level is derived only from evidence whose
    source had appeared; the JSON provenance names each cell's fact row and its publication date."""
    from scoring.report import to_dict
    day = dt.date.fromisoformat(as_of)
    result = run(ROOT / "criteria" / "baseline.yaml", ROOT / "vendors", as_of=as_of)
    cells = to_dict(result)["provenance"]["evidence"]
    facts = read_facts(FACTS)
    by_id = {v.id: v for v in VENDORS}
    for vendor, row in cells.items():
        for criterion, cell in row.items():
            if cell["source_date"]:
                assert dt.date.fromisoformat(cell["source_date"]) <= day, (vendor, criterion, cell)
            for fact in filter(None, cell["fact"].split("; ")):
                if fact != "estimate":
                    published = facts[f"{vendor}:{fact}"]["source_date"]
                    assert published <= as_of, (vendor, criterion, fact, published)
        v = by_id[vendor]
        note = result.explanation.set_index(["vendor", "criterion"]).loc[(vendor, "stability"), "note"]
        for incident in v.incidents:
            if str(incident.date) in note.split("not yet reported")[0]:
                assert incident.source_date <= day, (vendor, incident.date)
    # the seeds' view must not know what only 2024-2026 sources say
    if as_of == "2023-12-31":
        assert cells["huawei"]["stability"]["fact"] == ""      # its status page is documented only in 2026


def test_a_cell_measuring_another_period_than_its_criterion_is_flagged_mixed_period_in_every_output():
    from collections import Counter

    from scoring.report import FORMATS, render
    result = run(ROOT / "criteria" / "baseline.yaml", ROOT / "vendors", as_of="2023-12-31")
    ev = result.matrix.evidence
    for criterion, cells in ev[ev["period"].ne("") & ~ev["flags"].map(lambda f: "derived" in f or "missing" in f)
                               ].groupby("criterion"):
        counts = Counter(cells["period"])
        top = max(counts.values())
        usual = max(p for p, n in counts.items() if n == top)          # the most common; on a tie the latest
        flagged = set(cells.loc[cells["flags"].map(lambda f: "mixed-period" in f), "vendor"])
        assert flagged == set(cells.loc[cells["period"] != usual, "vendor"]), criterion
    # The seeds' view compares Canalys' Q2 2022 shares (Alibaba, Huawei) with Q2 2023 imputations.
    share = ev[ev["criterion"] == "public_cloud_share"].set_index("vendor")
    assert share.loc["alibaba", "period"] == "2022-Q2" and "mixed-period" in share.loc["alibaba", "flags"]
    assert share.loc["tianyi", "period"] == "2023-Q2" and "mixed-period" not in share.loc["tianyi", "flags"]
    for fmt in FORMATS:
        assert "mixed-period" in render(result, fmt), fmt


def test_imputed_public_cloud_shares_fit_in_what_the_measured_top_three_leave():
    """One method for every vendor Canalys does not name: per quarter, the imputed shares (with AWS's level from
    the same rule, which no vendor file holds) add up to at most 100 minus Canalys' top-3 total."""
    facts = read_facts(FACTS)
    aws = {"2023-Q2": 8, "2023-Q4": 2.5 * 26 / 27.5, "2025-Q1": 2.5}
    for period, total_id in (("2023-Q2", "market:canalys_top3_combined_share@Q2 2023"),
                             ("2023-Q4", "market:canalys_top3_combined_share@Q4 2023"),
                             ("2025-Q1", "market:canalys_top3_combined_share@Q1 2025")):
        imputed = {v.id: o.value for v in VENDORS for o in v.metrics.get("canalys_share_pct", ())
                   if o.estimate and o.period == period}
        assert set(imputed) == {"tianyi", "baidu", "volcano", "mobile"}, period
        left = 100 - leading_number(facts[total_id]["value"])
        assert sum(imputed.values()) + aws[period] <= left + 0.1, (period, imputed, left)
        measured = [o for v in VENDORS for o in v.metrics.get("canalys_share_pct", ())
                    if not o.estimate and o.period == period]
        assert all(o.fact for o in measured)


def test_every_rubric_level_is_the_weighted_sum_its_note_states_and_lies_in_its_range():
    """chip_supply_level and open_source_level are 0.6 x A + 0.4 x B readings: the note's arithmetic must give the
    value (to one decimal), and the value must lie in its low..high."""
    import re
    checked = 0
    for vendor, metric, o in observations():
        if metric not in ("chip_supply_level", "open_source_level"):
            continue
        m = re.search(r"0\.6 x (\d+(?:\.\d+)?) \+ 0\.4 x (\d+(?:\.\d+)?) = (\d+(?:\.\d+)?)", o.note)
        assert m, f"{o.where}: {vendor.id}.{metric} {o.period}: no '0.6 x A + 0.4 x B = value' in the note"
        a, b, stated = map(float, m.groups())
        assert round(0.6 * a + 0.4 * b, 1) == stated == o.value, f"{o.where}: {vendor.id}.{metric} {o.period}"
        assert (o.low if o.low is not None else o.value) <= o.value <= (o.high if o.high is not None else o.value)
        checked += 1
    assert checked >= 20


def strategy_fact_problems(model, facts: dict[str, dict]) -> list[str]:
    """Every coefficient of kind fact in a strategy model against the fact row it cites (``<vendor>:<cited>``):
    the row exists, and its value, converted to the coefficient's unit, is the coefficient's value."""
    to_bn = {"RMB million": 1e-3, "RMB billion": 1.0}
    problems = []
    coefficients = list(model.coefficients()) + [c for facts_of in model.observed.values() for c in facts_of.values()]
    for c in coefficients:
        if c.kind != "fact" or not c.fact:
            continue
        where = f"{c.where.path}:{c.where.line}:{c.where.column}: {c.key}"
        row = facts.get(f"{model.vendor}:{c.fact}")
        if row is None:
            problems.append(f"{where}: cites {c.fact!r}, which is not a row of data/facts.csv")
            continue
        value = leading_number(row["value"])
        if row["unit"] in to_bn:
            value *= to_bn[row["unit"]]
        elif row["unit"] != "%":
            problems.append(f"{where}: the row's unit {row['unit']!r} is neither RMB nor %")
            continue
        if value is None or abs(value - c.value) > 1e-9 * max(1.0, abs(value)):
            problems.append(f"{where}: {c.value!r} but the row {row['id']!r} says {row['value']} {row['unit']}")
    return problems


def test_every_fact_the_strategy_model_cites_is_a_row_of_the_facts_with_that_value():
    from dataclasses import replace

    from scoring.load import load_strategy
    model = load_strategy(ROOT / "strategy" / "alibaba.yaml")
    facts = read_facts(FACTS)
    assert strategy_fact_problems(model, facts) == []
    cited = [c for c in model.coefficients() if c.kind == "fact"]
    assert len(cited) >= 2 and sum(len(v) for v in model.observed.values()) >= 3
    # the check bites: a changed base revenue, and a citation of a row that does not exist
    changed = replace(model, base_revenue_rmb_bn=replace(model.base_revenue_rmb_bn, value=27.0))
    assert any("27.0 but the row" in p for p in strategy_fact_problems(changed, facts))
    renamed = replace(model, base_ebita_rmb_bn=replace(model.base_ebita_rmb_bn, fact="adjusted_ebita@Sep-2033 qtr"))
    assert any("not a row of data/facts.csv" in p for p in strategy_fact_problems(renamed, facts))


@pytest.mark.parametrize("as_of", ["2023-12-31", "2025-12-31"])
def test_every_fact_the_report_ledger_names_is_a_row_of_the_fact_sheet_with_that_figure(as_of):
    """The Markdown, HTML and Excel ledger name each figure's data/facts.csv row: the id must be there, for that
    vendor, and a plain measured figure must be the row's value (estimates and derived levels say so instead)."""
    from scoring.summary import ledger_rows
    with FACTS.open(encoding="utf-8", newline="") as f:
        rows = {row["id"]: row for row in csv.DictReader(f)}
    result = run("criteria/baseline.yaml", "vendors", as_of=as_of)
    figures = [x for x in ledger_rows(result) if x["what"] == "figure" and x["value"] is not None]
    named = 0
    for x in figures:
        ids = [p for p in x["fact"].split("; ") if "@" in p]
        assert ids or x["mark"] in ("estimate", "derived") or "unsourced" in x["flags"], x
        for fact_id in ids:
            assert fact_id in rows and rows[fact_id]["vendor"] == x["vendor"], fact_id
            named += 1
        if len(ids) == 1 and x["mark"] == "fact":
            assert float(rows[ids[0]]["value"]) == pytest.approx(x["value"]), (ids[0], x["value"])
    assert named >= sum(x["mark"] == "fact" for x in figures) > 0
