"""Vendor profiles (scoring/load/vendors.py): one test per rule, each asserting the full located message."""

import textwrap

import pytest
from loading import problems, vendor_text

from scoring.load import collect_vendors, load_vendor, load_vendors, vendor_files

VENDOR = textwrap.dedent("""\
    id: a
    name: A
    metrics:
      share_pct:
        - {value: 30, period: 2024, source: test, confidence: high}
    """)


def test_a_profile_is_read_with_its_sourced_and_bare_values(write_yaml):
    vendor = load_vendor(write_yaml("a.yaml", vendor_text("a")))
    (share,) = vendor.metrics["share_pct"]
    (outages,) = vendor.metrics["outage_count"]
    assert (vendor.id, vendor.name, share.value, share.period, share.confidence) == ("a", "Vendor A", 30, "2024",
                                                                                    "high")
    assert outages.value == 2 and outages.unsourced


@pytest.mark.parametrize("value, expected", [(".nan", "expected a finite number, got nan\n    hint: NaN and infinity "
                                                      "are not values; leave a missing figure out"),
                                             ("-.inf", "expected a finite number, got -inf\n    hint: NaN and "
                                                       "infinity are not values; leave a missing figure out"),
                                             ("yes", "expected a number (pct), got boolean True\n    hint: write a "
                                                     "number; YAML reads yes/no/true/false as booleans")])
def test_nan_infinite_and_boolean_metric_values_are_rejected(write_yaml, value, expected):
    path = write_yaml("a.yaml", vendor_text("a", share=value))
    assert problems(load_vendor, path) == [f"{path}:5:15: metrics.share_pct[0].value: {expected}"]


def test_a_bare_value_outside_its_unit_range_is_rejected(write_yaml):
    path = write_yaml("a.yaml", VENDOR + "  odd_pct: 120\n")
    assert problems(load_vendor, path) == [
        f"{path}:6:12: metrics.odd_pct: expected a number (pct) in [0, 100], got 120"]


def test_two_files_with_the_same_vendor_id_are_rejected(write_yaml, tmp_path):
    """The id is the file name, so two profiles of one vendor are a.yaml and a.yml (b.yaml holding id: a is a
    file-name mismatch, tested in test_hostile.py)."""
    path = write_yaml("v/a.yml", vendor_text("a"))
    write_yaml("v/a.yaml", vendor_text("a"))
    assert problems(load_vendors, tmp_path / "v") == [
        f"{path}:1:5: id: vendor id 'a' is already used by {tmp_path / 'v' / 'a.yaml'}\n"
        "    hint: each vendor has exactly one file; merge or rename one of them"]


def test_a_vendor_without_an_id_is_rejected(write_yaml):
    path = write_yaml("a.yaml", "name: Nameless\nmetrics:\n  m1: 1\n")
    assert problems(load_vendor, path) == [
        f"{path}:1:1: (top level): missing required key 'id'\n"
        "    hint: add 'id:' here (the vendor's short id, e.g. alibaba)"]


def test_a_vendor_id_must_be_lowercase(write_yaml):
    path = write_yaml("a.yaml", VENDOR.replace("id: a", "id: Alibaba"))
    assert problems(load_vendor, path) == [
        f"{path}:1:5: id: expected a lowercase id (letters, digits, '-' or '_'), got 'Alibaba'"]


def test_metrics_must_be_a_mapping(write_yaml):
    path = write_yaml("a.yaml", "id: a\nname: A\nmetrics: [share_pct]\n")
    assert problems(load_vendor, path) == [
        f"{path}:3:10: metrics: expected a mapping metric -> observations, got a list"]


def test_a_metric_needs_a_number_or_observations(write_yaml):
    path = write_yaml("a.yaml", VENDOR + "  chip_level: []\n")
    assert problems(load_vendor, path) == [
        f"{path}:6:15: metrics.chip_level: expected a number or a list of observations, got an empty list"]


def test_an_observation_names_each_missing_key(write_yaml):
    path = write_yaml("a.yaml", VENDOR + "  chip_level: {value: 3}\n")
    assert problems(load_vendor, path) == [
        f"{path}:6:15: metrics.chip_level: missing required key '{key}'\n    hint: add '{key}:' here"
        for key in ("period", "source", "confidence")]


def test_an_unknown_confidence_names_the_three_levels(write_yaml):
    path = write_yaml("a.yaml", VENDOR.replace("confidence: high", "confidence: sure"))
    assert problems(load_vendor, path) == [
        f"{path}:5:59: metrics.share_pct[0].confidence: expected one of 'high', 'medium', 'low', got 'sure'"]


def test_an_estimate_without_reasoning_is_rejected(write_yaml):
    path = write_yaml("a.yaml", """\
        id: a
        name: A
        metrics:
          chip_level:
            - {value: 3, period: 2025, source: analyst, confidence: low, estimate: true}
        """)
    assert problems(load_vendor, path) == [
        f"{path}:5:7: metrics.chip_level[0]: an estimate needs its reasoning in 'note'\n"
        "    hint: say what the judgement rests on (facts, rubric, arithmetic)"]


def test_a_low_bound_above_the_value_is_rejected(write_yaml):
    path = write_yaml("a.yaml", VENDOR.replace("confidence: high}", "confidence: high, low: 35}"))
    assert problems(load_vendor, path) == [f"{path}:5:70: metrics.share_pct[0].low: expected low <= value (30), got 35"]


def test_a_high_bound_below_the_value_is_rejected(write_yaml):
    path = write_yaml("a.yaml", VENDOR.replace("confidence: high}", "confidence: high, high: 25}"))
    assert problems(load_vendor, path) == [
        f"{path}:5:71: metrics.share_pct[0].high: expected high >= value (30), got 25"]


def test_incidents_must_be_a_list(write_yaml):
    path = write_yaml("a.yaml", VENDOR + "incidents: {date: 2024-01-01}\n")
    assert problems(load_vendor, path) == [f"{path}:6:12: incidents: expected a list of incidents, got a mapping"]


INCIDENT = ("incidents:\n"
            "  - {date: 2024-01-01, duration_hours: 2, scope: az, plane: data, source: s, confidence: high}\n")


def test_an_incident_scope_names_the_four_scopes(write_yaml):
    path = write_yaml("a.yaml", VENDOR + INCIDENT.replace("scope: az", "scope: zone"))
    assert problems(load_vendor, path) == [
        f"{path}:7:50: incidents[0].scope: expected one of 'az', 'region', 'multi_region', 'global', got 'zone'"]


def test_an_incident_counted_flag_is_true_or_false(write_yaml):
    path = write_yaml("a.yaml", VENDOR + INCIDENT.replace("high}", "high, counted: 1}"))
    assert problems(load_vendor, path) == [f"{path}:7:105: incidents[0].counted: expected true or false, got 1"]


def test_a_status_page_value_says_what_each_level_means(write_yaml):
    path = write_yaml("a.yaml", VENDOR + "status_page: {value: verifed, source: s, confidence: high}\n")
    assert problems(load_vendor, path) == [
        f"{path}:6:22: status_page.value: expected one of 'verified', 'unverified', 'none', got 'verifed'\n"
        "    hint: did you mean 'verified'? verified: a public status history that was checked; unverified: a page "
        "exists; none: none found"]


def test_a_chinese_name_must_be_text(write_yaml):
    path = write_yaml("a.yaml", "id: a\nname: A\nname_zh: [x]\n")
    assert problems(load_vendor, path) == [f"{path}:3:10: name_zh: expected text, got a list"]


def test_a_missing_vendor_folder_is_reported(tmp_path):
    assert problems(load_vendors, tmp_path / "nothere") == [
        f"{tmp_path / 'nothere'}: folder not found\n    hint: give the folder that holds the vendor .yaml files"]


def test_a_file_given_as_the_vendor_folder_is_reported(write_yaml):
    path = write_yaml("a.yaml", VENDOR)
    assert problems(load_vendors, path) == [
        f"{path}: is not a folder\n    hint: --vendors takes a folder of vendor .yaml files"]


def test_a_vendor_folder_without_profiles_is_reported(write_yaml, tmp_path):
    write_yaml("v/README.md", "# not a profile\n")
    assert problems(load_vendors, tmp_path / "v") == [
        f"{tmp_path / 'v'}: no vendor files (*.yaml) in this folder\n"
        "    hint: add one file per vendor; see vendors/README.md"]


def test_vendor_files_are_the_yaml_and_yml_files_sorted_by_name(write_yaml, tmp_path):
    for name in ("b.yml", "a.yaml", "README.md", "c.txt"):
        write_yaml(f"v/{name}", VENDOR)
    assert [p.name for p in vendor_files(tmp_path / "v")] == ["a.yaml", "b.yml"]


def test_collect_vendors_keeps_the_valid_profiles_and_adds_the_problems_to_the_list(write_yaml, tmp_path):
    write_yaml("v/a.yaml", vendor_text("a"))
    bad = write_yaml("v/b.yaml", vendor_text("B"))
    errors = []
    assert [v.id for v in collect_vendors(tmp_path / "v", errors)] == ["a"]
    assert [str(e) for e in errors] == [
        f"{bad}:1:5: id: expected a lowercase id (letters, digits, '-' or '_'), got 'B'"]


def test_each_file_is_parsed_once_however_many_views_check_it(write_yaml, tmp_path, monkeypatch):
    """Loading 10,000 profiles in seconds starts with reading each one once (issue 10): validate with two views,
    compare and load_inputs each parse every vendor file and every view exactly once (counted, not timed)."""
    from collections import Counter

    from loading import GOOD_CRITERIA

    from scoring import pipeline, yamldoc
    from scoring.load import load_inputs

    parsed: Counter = Counter()
    builder = yamldoc._Builder

    class CountingBuilder(builder):
        def build(self):
            parsed[self.doc.path] += 1
            return super().build()

    monkeypatch.setattr(yamldoc, "_Builder", CountingBuilder)
    folder = tmp_path / "v"
    for vid in ("a", "b", "c"):
        write_yaml(f"v/{vid}.yaml", vendor_text(vid))
    one = write_yaml("c1.yaml", GOOD_CRITERIA)
    two = write_yaml("c2.yaml", GOOD_CRITERIA.replace("name: t", "name: u"))
    files = {str(folder / f"{vid}.yaml") for vid in "abc"}

    def counts(run) -> dict:
        parsed.clear()
        run()
        return dict(parsed)

    assert counts(lambda: pipeline.validate([one, two], folder, as_of="2025-01-01")) == {
        **{f: 1 for f in files}, str(one): 1, str(two): 1}
    assert counts(lambda: pipeline.compare([one, two], folder, as_of="2025-01-01")) == {
        **{f: 1 for f in files}, str(one): 1, str(two): 1}
    assert counts(lambda: load_inputs(one, folder)) == {**{f: 1 for f in files}, str(one): 1}
