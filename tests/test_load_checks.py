"""The typed, located checks (scoring/load/checks.py): one test per rule, each asserting the full located message
(file:line:column: key.path: problem, and the hint where there is one), triggered from a small YAML file."""

import textwrap

import pytest
from loading import GOOD_CRITERIA, problems

from scoring.load import load_criteria, load_vendor
from scoring.load.checks import Checker
from scoring.yamldoc import parse_yaml

VENDOR = textwrap.dedent("""\
    id: a
    name: A
    metrics:
      share_pct:
        - {value: 30, period: 2024, source: test, confidence: high}
    """)


def test_a_checker_records_a_located_error_instead_of_raising():
    c = Checker(parse_yaml(b"weight: heavy\n", "c.yaml"))
    assert c.number(("weight",), "heavy", lo=0, what="a non-negative weight") is None
    assert [str(e) for e in c.errors] == ["c.yaml:1:9: weight: expected a non-negative weight, got text 'heavy'"]


def test_a_file_that_is_not_a_mapping_says_what_it_should_hold(write_yaml):
    path = write_yaml("c.yaml", "- name: t\n")
    assert problems(load_criteria, path) == [
        f"{path}:1:1: (top level): expected a mapping with name and criteria, got a list"]


def test_unknown_key_is_reported_with_line_column_and_did_you_mean(write_yaml):
    path = write_yaml("c.yaml", """\
        name: t
        normalization: min-max
        criteria:
          share: {metric: m1, direction: max, wieght: 1}
        """)
    assert problems(load_criteria, path) == [
        f"{path}:4:10: criteria.share: missing required key 'weight'\n"
        "    hint: add 'weight:' here (relative points; rescaled to sum to 1)",
        f"{path}:4:39: criteria.share.wieght: unknown key 'wieght'\n    hint: did you mean 'weight'?",
    ]


def test_unknown_top_level_key_gets_a_did_you_mean(write_yaml):
    path = write_yaml("c.yaml", GOOD_CRITERIA + "normalisation: max\n")
    assert problems(load_criteria, path) == [
        f"{path}:7:1: normalisation: unknown key 'normalisation'\n    hint: did you mean 'normalization'?"]


def test_an_unknown_key_far_from_every_allowed_one_lists_the_allowed_keys(write_yaml):
    path = write_yaml("a.yaml", VENDOR + "x: 1\n")
    assert problems(load_vendor, path) == [
        f"{path}:6:1: x: unknown key 'x'\n    hint: expected one of 'id', 'incidents', 'metrics', 'name', 'name_zh', "
        "'parent', 'schema', 'status_page'"]


def test_a_missing_required_key_says_what_to_add(write_yaml):
    path = write_yaml("a.yaml", VENDOR.replace("id: a\n", ""))
    assert problems(load_vendor, path) == [
        f"{path}:1:1: (top level): missing required key 'id'\n"
        "    hint: add 'id:' here (the vendor's short id, e.g. alibaba)"]


def test_a_list_where_text_belongs_is_rejected(write_yaml):
    path = write_yaml("c.yaml", GOOD_CRITERIA.replace("name: t", "name: [a]"))
    assert problems(load_criteria, path) == [f"{path}:1:7: name: expected text, got a list"]


def test_empty_text_is_rejected_where_text_is_required(write_yaml):
    path = write_yaml("c.yaml", GOOD_CRITERIA.replace("name: t", "name: ''"))
    assert problems(load_criteria, path) == [f"{path}:1:7: name: expected non-empty text, got ''"]


def test_a_choice_typo_names_every_choice_and_the_closest(write_yaml):
    path = write_yaml("c.yaml", GOOD_CRITERIA.replace("method: weighted-sum", "method: topsys"))
    assert problems(load_criteria, path) == [
        f"{path}:2:9: method: expected one of 'weighted-sum', 'topsis', 'promethee', got 'topsys'\n"
        "    hint: did you mean 'topsis'?"]


def test_a_choice_typo_adds_the_rule_of_thumb_after_the_closest_choice(write_yaml):
    path = write_yaml("c.yaml", GOOD_CRITERIA.replace("normalization: min-max", "normalization: minmax"))
    assert problems(load_criteria, path) == [
        f"{path}:3:16: normalization: expected one of 'fixed', 'min-max', 'max', 'vector', got 'minmax'\n"
        "    hint: did you mean 'min-max'? fixed uses each criterion's scale: {min, max}, so adding a vendor moves "
        "nobody else"]


@pytest.mark.parametrize("weight, expected", [
    ("-1", "expected a non-negative weight in [0, inf], got -1"),
    ("heavy", "expected a non-negative weight, got text 'heavy'"),
    ("true", "expected a non-negative weight, got boolean True\n"
             "    hint: write a number; YAML reads yes/no/true/false as booleans"),
    (".nan", "expected a finite number, got nan\n    hint: NaN and infinity are not values; leave a missing figure "
             "out"),
    (".inf", "expected a finite number, got inf\n    hint: NaN and infinity are not values; leave a missing figure "
             "out"),
    ("[1]", "expected a non-negative weight, got a list"),
    ("null", "expected a non-negative weight, got nothing (null)"),
])
def test_bad_weight_is_rejected_with_what_was_found(write_yaml, weight, expected):
    path = write_yaml("c.yaml", GOOD_CRITERIA.replace("weight: 3", f"weight: {weight}"))
    assert problems(load_criteria, path) == [f"{path}:5:54: criteria.share.weight: {expected}"]


def test_a_fraction_where_a_whole_number_belongs_is_rejected(write_yaml):
    path = write_yaml("c.yaml", GOOD_CRITERIA + "staleness_months: 2.5\n")
    assert problems(load_criteria, path) == [f"{path}:7:19: staleness_months: expected a whole number, got 2.5"]


def test_a_number_outside_its_range_names_the_range(write_yaml):
    path = write_yaml("c.yaml", GOOD_CRITERIA + "staleness_months: 0\n")
    assert problems(load_criteria, path) == [
        f"{path}:7:19: staleness_months: expected a number of months in [1, 600], got 0"]


def test_a_yes_no_flag_must_be_true_or_false(write_yaml):
    path = write_yaml("a.yaml", VENDOR.replace("confidence: high}", "confidence: high, estimate: maybe, note: x}"))
    assert problems(load_vendor, path) == [
        f"{path}:5:75: metrics.share_pct[0].estimate: expected true or false, got 'maybe'"]


def test_a_full_date_is_required_where_one_day_is_meant(write_yaml):
    path = write_yaml("c.yaml", GOOD_CRITERIA + "as_of: 2025\n")
    assert problems(load_criteria, path) == [f"{path}:7:8: as_of: expected a date (YYYY-MM-DD), got 2025"]


def test_an_impossible_quoted_date_is_rejected(write_yaml):
    path = write_yaml("c.yaml", GOOD_CRITERIA + "as_of: '2025-02-30'\n")
    assert problems(load_criteria, path) == [
        f"{path}:7:8: as_of: expected a date (YYYY-MM-DD), got '2025-02-30' (February 2025 has 28 days)"]


def test_a_partial_date_names_the_forms_accepted(write_yaml):
    path = write_yaml("a.yaml", VENDOR.replace("confidence: high}", "confidence: high, source_date: soon}"))
    assert problems(load_vendor, path) == [
        f"{path}:5:78: metrics.share_pct[0].source_date: expected a date (YYYY, YYYY-MM or YYYY-MM-DD), got 'soon'"]


def test_a_malformed_period_says_which_forms_are_accepted(write_yaml):
    path = write_yaml("a.yaml", VENDOR.replace("period: 2024", "period: Q3 2023"))
    assert problems(load_vendor, path) == [
        f"{path}:5:27: metrics.share_pct[0].period: expected a period (YYYY, YYYY-Qn, YYYY-Hn, YYYY-MM or "
        "YYYY-MM-DD), got 'Q3 2023'\n"
        "    hint: e.g. 2023-Q3 for July-September 2023, 2025-H1 for the first half of 2025"]


def test_a_schema_tag_of_the_other_kind_of_file_is_rejected(write_yaml):
    path = write_yaml("c.yaml", GOOD_CRITERIA + "schema: vendor/v1\n")
    assert problems(load_criteria, path) == [
        f"{path}:7:9: schema: expected 'criteria/v1', got 'vendor/v1'\n"
        "    hint: criteria files say schema: criteria/v1; vendor files say schema: vendor/v1"]
