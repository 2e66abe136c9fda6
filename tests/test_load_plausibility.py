"""Plausibility warnings at entry (scoring/load/plausibility.py): each check with its full located message, the
shipped data clean, and `cloudscore validate` reporting warnings and a vendor file that no view lists."""

import subprocess
import sys

from scoring.load import load_vendors
from scoring.load.plausibility import plausibility_warnings


def vendor(vid: str, share: str, period: str = "2025-H1", source_date: str = "2025-09", more: str = "") -> str:
    return f"""\
        id: {vid}
        name: Vendor {vid}
        metrics:
          ai_share_pct:
            - {{value: {share}, period: "{period}", source: s, source_date: "{source_date}", confidence: high}}
        {more}"""


def warnings_for(write_yaml, files: dict[str, str]) -> list[str]:
    for name, text in files.items():
        path = write_yaml(f"v/{name}.yaml", text)
    return [str(w) for w in plausibility_warnings(load_vendors(path.parent))]


def test_a_fraction_typed_for_a_percentage_is_questioned(write_yaml, tmp_path):
    found = warnings_for(write_yaml, {"a": vendor("a", "35.8"), "b": vendor("b", "0.148"), "c": vendor("c", "13.1")})
    assert found == [f"{tmp_path}/v/b.yaml:5:15: metrics.ai_share_pct[0].value: 0.148 looks like a fraction: the "
                     "metric's other values run from 13.1 to 35.8\n    hint: a pct is 0-100: write 14.8 for 14.8%"]


def test_shares_of_one_release_past_100_percent_are_questioned(write_yaml, tmp_path):
    found = warnings_for(write_yaml, {"a": vendor("a", "60"), "b": vendor("b", "45")})
    assert found == [f"{tmp_path}/v/b.yaml:5:15: metrics.ai_share_pct[0].value: the 2025-H1 shares of ai_share_pct "
                     "add up to 105% (a 60 + b 45)\n    hint: one release cannot share out more than the whole market; "
                     "check the values and that they come from one source and scope"]
    later = vendor("b", "45", period="2025-H2", source_date="2026-02")
    assert warnings_for(write_yaml, {"a": vendor("a", "60"), "b": later}) == []


def test_a_period_ending_after_its_source_date_is_questioned_for_a_fact_not_for_an_estimate(write_yaml, tmp_path):
    found = warnings_for(write_yaml, {"a": vendor("a", "30", period="2025", source_date="2025-09")})
    assert found == [f"{tmp_path}/v/a.yaml:5:15: metrics.ai_share_pct[0].value: period 2025 ends 2025-12-31 but "
                     "its source is dated 2025-09-01\n    hint: a figure published before its period ended is a "
                     "forecast or a partial period: check the period, or mark it estimate: true"]
    estimate = vendor("a", "30", period="2025", source_date="2025-09").replace(
        "confidence: high}", "confidence: low, estimate: true, note: a reading for the year so far}")
    assert warnings_for(write_yaml, {"a": estimate}) == []


def test_a_value_far_outside_the_vendors_history_is_questioned(write_yaml, tmp_path):
    text = """\
        id: a
        name: A
        metrics:
          cloud_revenue_rmb_m:
            - {value: 25123, period: "2023-Q2", source: s, source_date: "2023-08", confidence: high}
            - {value: 27648, period: "2023-Q3", source: s, source_date: "2023-11", confidence: high}
            - {value: 251.23, period: "2023-Q4", source: s, source_date: "2024-02", confidence: high}
        """
    assert warnings_for(write_yaml, {"a": text}) == [
        f"{tmp_path}/v/a.yaml:7:15: metrics.cloud_revenue_rmb_m[2].value: 251.23 is far outside a's other values "
        "of cloud_revenue_rmb_m (25123 to 27648)\n    hint: check the value and unit; a real jump deserves a note "
        "saying why"]


def test_the_shipped_vendor_files_raise_only_the_two_warnings_their_notes_explain():
    """Both are jumps of the one public-cloud imputation (vendors/README.md), said in the notes: Baidu's measured 9%
    of Q2 2022 against its imputed 2.4-2.5 (outside IDC's IaaS top 5), and Mobile's 2.5 of Q2 2023 (outside the top
    5 in 1H2023) against 7.6-8 once it is IDC's #5."""
    found = [(w.where.path, w.where.line, w.problem.split(" is far outside")[0])
             for w in plausibility_warnings(load_vendors("vendors"))]
    assert found == [("vendors/baidu.yaml", 29, "9"), ("vendors/mobile.yaml", 25, "2.5")]


def test_validate_warns_about_a_vendor_file_that_no_view_lists_and_still_exits_0(write_yaml, tmp_path):
    criteria = write_yaml("c.yaml", """\
        name: t
        normalization: min-max
        vendors: [a, b]
        criteria:
          share: {metric: ai_share_pct, direction: max, weight: 1}
        """)
    for vid, share in (("a", "30"), ("b", "20"), ("new", "10")):
        write_yaml(f"v/{vid}.yaml", vendor(vid, share))
    run = subprocess.run([sys.executable, "-m", "scoring", "validate", "--criteria", str(criteria), "--vendors",
                          str(tmp_path / "v")], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == [
        "ok: 1 criteria file(s) and 3 vendor file(s) are valid",
        f"warning: {tmp_path}/v/new.yaml:1:5: id: vendor 'new' is not listed by any criteria view, so it is never "
        "ranked", "    hint: add it to a view's vendors: list"]
