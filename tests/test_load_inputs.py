"""Checks that need both files, and loading both together (scoring/load/inputs.py): full located messages."""


import pytest
from loading import GOOD_CRITERIA, problems, vendor_text

from scoring.errors import ConfigErrors
from scoring.load import cross_check, load_criteria, load_inputs, load_vendors


def test_all_problems_in_all_files_are_reported_in_one_run(write_yaml, tmp_path):
    crit = write_yaml("c.yaml",
                      GOOD_CRITERIA.replace("direction: max", "direction: up").replace("weight: 1", "weight: -2"))
    a = write_yaml("v/a.yaml", vendor_text("a", share="n/a"))
    b = write_yaml("v/b.yaml", vendor_text("b", share="140"))
    with pytest.raises(ConfigErrors) as exc:
        load_inputs(crit, tmp_path / "v")
    assert str(exc.value) == "\n".join([
        "cloudscore: 4 problems in the input",
        f"{crit}:5:41: criteria.share.direction: expected 'max' or 'min', got 'up'\n"
        "    hint: use 'min' for costs, incidents and ranks; 'max' for everything else",
        f"{crit}:6:61: criteria.incidents.weight: expected a non-negative weight in [0, inf], got -2",
        f"{a}:5:15: metrics.share_pct[0].value: expected a number (pct), got text 'n/a'",
        f"{b}:5:15: metrics.share_pct[0].value: expected a number (pct) in [0, 100], got 140"])


def test_a_criterion_metric_that_no_vendor_has_gets_a_did_you_mean(write_yaml, tmp_path):
    crit = write_yaml("c.yaml", GOOD_CRITERIA.replace("metric: outage_count", "metric: outages_count"))
    write_yaml("v/a.yaml", vendor_text("a"))
    assert problems(load_inputs, crit, tmp_path / "v") == [
        f"{crit}:6:23: criteria.incidents.metric: no vendor has the metric 'outages_count'\n"
        "    hint: did you mean 'outage_count'?"]


def test_a_criterion_metric_far_from_every_known_one_says_where_metrics_come_from(write_yaml, tmp_path):
    crit = write_yaml("c.yaml", GOOD_CRITERIA.replace("metric: outage_count", "metric: zzz"))
    write_yaml("v/a.yaml", vendor_text("a"))
    assert problems(load_inputs, crit, tmp_path / "v") == [
        f"{crit}:6:23: criteria.incidents.metric: no vendor has the metric 'zzz'\n"
        "    hint: expected one of 'outage_count', 'share_pct'; a metric must appear in a vendor file"]


def test_a_value_outside_the_criterion_unit_range_is_located_in_the_vendor_file(write_yaml, tmp_path):
    crit = write_yaml("c.yaml", GOOD_CRITERIA.replace("metric: outage_count, direction: min,",
                                                      "metric: outage_count, unit: pct, direction: min,"))
    a = write_yaml("v/a.yaml", vendor_text("a", outages="250"))
    assert problems(load_inputs, crit, tmp_path / "v") == [
        f"{a}:6:17: metrics.outage_count.value: expected a value in [0, 100] for criterion 'incidents' "
        "(unit 'pct'), got 250\n    hint: check the figure or the criterion's unit in c.yaml"]


def test_a_value_outside_the_rubric_levels_is_located_in_the_vendor_file(write_yaml, tmp_path):
    crit = write_yaml("c.yaml", GOOD_CRITERIA.replace("weight: 1}", "weight: 1, rubric: {0: none, 1: one, 3: some}}"))
    a = write_yaml("v/a.yaml", vendor_text("a", outages="4"))
    assert problems(load_inputs, crit, tmp_path / "v") == [
        f"{a}:6:17: metrics.outage_count.value: expected a value in [0, 3] for criterion 'incidents' "
        "(rubric levels 0-3), got 4\n    hint: check the figure or the criterion's unit in c.yaml"]


def test_unknown_vendor_id_in_the_criteria_list_gets_a_did_you_mean(write_yaml, tmp_path):
    crit = write_yaml("c.yaml", GOOD_CRITERIA + "vendors: [alibab]\n")
    write_yaml("v/alibaba.yaml", vendor_text("alibaba"))
    assert problems(load_inputs, crit, tmp_path / "v") == [
        f"{crit}:7:10: vendors: unknown vendor id 'alibab'\n    hint: did you mean 'alibaba'?"]


def test_cross_check_returns_the_problems_instead_of_raising(write_yaml, tmp_path):
    crit = load_criteria(write_yaml("c.yaml", GOOD_CRITERIA + "vendors: [a, b]\n"))
    write_yaml("v/a.yaml", vendor_text("a"))
    assert [str(e) for e in cross_check(crit, load_vendors(tmp_path / "v"))] == [
        f"{tmp_path / 'c.yaml'}:7:10: vendors: unknown vendor id 'b'\n    hint: expected one of 'a'"]


def test_a_missing_file_and_a_missing_folder_are_reported(tmp_path):
    assert problems(load_inputs, tmp_path / "nope.yaml", tmp_path / "nothere") == [
        f"{tmp_path / 'nope.yaml'}: file not found\n    hint: check the path",
        f"{tmp_path / 'nothere'}: folder not found\n    hint: give the folder that holds the vendor .yaml files"]


def test_awkward_but_valid_input_loads(write_yaml, tmp_path):
    """A byte-order mark, CRLF line endings, Chinese text, comments and percentage weights."""
    crit_text = ("\ufeff# 权重\r\nname: 基线\r\nnormalization: min-max\r\ncriteria:\r\n"
                 "  share: {metric: share_pct, direction: max, weight: 75%}  # 份额\r\n"
                 "  incidents: {metric: outage_count, direction: min, weight: '25%'}\r\n")
    crit = write_yaml("c.yaml", crit_text.encode("utf-8"))
    write_yaml("v/a.yaml", ("\ufeffid: a\r\nname: 阿里云\r\nmetrics:\r\n"
                            "  share_pct: 30\r\n  outage_count: 2\r\n").encode("utf-8"))
    write_yaml("v/b.yaml", vendor_text("b"))
    criteria, vendors = load_inputs(crit, tmp_path / "v")
    assert criteria.name == "基线"
    assert [c.weight for c in criteria.criteria] == pytest.approx([0.75, 0.25])
    assert {v.name for v in vendors} == {"阿里云", "Vendor B"}


def test_loading_never_modifies_the_input_files(write_yaml, tmp_path):
    crit = write_yaml("c.yaml", GOOD_CRITERIA)
    write_yaml("v/a.yaml", vendor_text("a"))
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in tmp_path.rglob("*.yaml")}
    load_inputs(crit, tmp_path / "v")
    assert {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in tmp_path.rglob("*.yaml")} == before
