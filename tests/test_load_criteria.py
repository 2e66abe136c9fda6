"""Criteria files (scoring/load/criteria.py): one test per rule, each asserting the full located message."""

import textwrap

import pytest
from loading import GOOD_CRITERIA, problems

from scoring.load import collect_criteria, load_criteria

# one criterion on line 4, so each test's message points into a line it can show
ONE = textwrap.dedent("""\
    name: t
    normalization: min-max
    criteria:
      share: {metric: m1, direction: max, weight: 1}
    """)


def test_minimal_textbook_file_is_accepted_as_it_is(write_yaml):
    path = write_yaml("textbook.yaml", """\
        name: textbook
        method: topsis
        normalization: vector
        criteria:
          c1: {metric: m1, direction: max, weight: 0.25}
          c2: {metric: m2, direction: min, weight: 0.75}
        """)
    cs = load_criteria(path)
    assert (cs.method, cs.normalization) == ("topsis", "vector")
    assert [c.weight for c in cs.criteria] == pytest.approx([0.25, 0.75])


def test_collect_criteria_adds_problems_to_the_callers_list_instead_of_raising(write_yaml):
    path = write_yaml("c.yaml", ONE.replace("direction: max", "direction: up"))
    errors = ["an earlier problem"]
    assert collect_criteria(path, errors) is None
    assert [str(e) for e in errors] == [
        "an earlier problem",
        f"{path}:4:34: criteria.share.direction: expected 'max' or 'min', got 'up'\n"
        "    hint: use 'min' for costs, incidents and ranks; 'max' for everything else"]
    assert collect_criteria(write_yaml("ok.yaml", ONE), errors).name == "t" and len(errors) == 2


def test_direction_typo_names_the_two_choices(write_yaml):
    path = write_yaml("c.yaml", GOOD_CRITERIA.replace("direction: min", "direction: lower"))
    assert problems(load_criteria, path) == [
        f"{path}:6:48: criteria.incidents.direction: expected 'max' or 'min', got 'lower'\n"
        "    hint: use 'min' for costs, incidents and ranks; 'max' for everything else"]


def test_criteria_that_are_not_a_mapping_say_what_a_criterion_holds(write_yaml):
    path = write_yaml("c.yaml", "name: t\ncriteria: []\n")
    assert problems(load_criteria, path) == [
        f"{path}:2:11: criteria: expected a mapping of criterion id -> {{metric, direction, weight}}, "
        "got an empty list"]


def test_a_criterion_that_is_not_a_mapping_says_what_it_holds(write_yaml):
    path = write_yaml("c.yaml", ONE.replace("{metric: m1, direction: max, weight: 1}", "share_pct"))
    assert problems(load_criteria, path) == [
        f"{path}:4:10: criteria.share: expected a mapping with metric, direction and weight, got text 'share_pct'"]


def test_a_vendor_list_that_is_not_a_list_is_rejected(write_yaml):
    path = write_yaml("c.yaml", ONE + "vendors: alibaba\n")
    assert problems(load_criteria, path) == [
        f"{path}:5:10: vendors: expected a non-empty list of vendor ids, got text 'alibaba'"]


def test_an_empty_vendor_id_in_the_vendor_list_is_rejected(write_yaml):
    path = write_yaml("c.yaml", ONE + "vendors: [alibaba, '']\n")
    assert problems(load_criteria, path) == [f"{path}:5:20: vendors[1]: expected non-empty text, got ''"]


def test_an_unknown_unit_names_the_units(write_yaml):
    path = write_yaml("c.yaml", ONE.replace("weight: 1}", "weight: 1, unit: percent}"))
    assert problems(load_criteria, path) == [
        f"{path}:4:56: criteria.share.unit: expected one of 'count', 'eflops', 'hours', 'index', 'level', 'pct', "
        "'pp', 'rank', 'rmb_bn', 'rmb_m', 'usd_bn', got 'percent'\n    hint: did you mean 'pct'?"]


def test_a_scale_whose_min_is_not_below_its_max_is_rejected(write_yaml):
    path = write_yaml("c.yaml", ONE.replace("weight: 1}", "weight: 1, scale: {min: 5, max: 5}}"))
    assert problems(load_criteria, path) == [
        f"{path}:4:57: criteria.share.scale: expected min < max, got min 5 and max 5"]


def test_fixed_normalization_requires_a_scale_on_every_criterion(write_yaml):
    path = write_yaml("c.yaml", GOOD_CRITERIA.replace("normalization: min-max", "normalization: fixed"))
    hint = ("    hint: add scale: {min: ..., max: ...} (the values that score 0 and 1), or set normalization: "
            "min-max")
    assert problems(load_criteria, path) == [
        f"{path}:5:10: criteria.share: missing required key 'scale' (normalization is 'fixed')\n{hint}",
        f"{path}:6:14: criteria.incidents: missing required key 'scale' (normalization is 'fixed')\n{hint}"]


def test_an_unknown_missing_policy_says_what_each_policy_does(write_yaml):
    path = write_yaml("c.yaml", ONE.replace("weight: 1}", "weight: 1, missing: skip}"))
    assert problems(load_criteria, path) == [
        f"{path}:4:59: criteria.share.missing: expected one of 'worst', 'median', 'error', got 'skip'\n"
        "    hint: worst scores a missing figure 0; median gives it the median of the others; error refuses to rank"]


def test_a_label_must_be_text(write_yaml):
    path = write_yaml("c.yaml", ONE.replace("weight: 1}", "weight: 1, label: [a]}"))
    assert problems(load_criteria, path) == [f"{path}:4:57: criteria.share.label: expected text, got a list"]


def test_a_criterion_without_a_group_in_a_file_with_groups_is_rejected(write_yaml):
    path = write_yaml("c.yaml", """\
        name: t
        normalization: min-max
        groups:
          market: {weight: 1}
        criteria:
          share: {metric: m1, direction: max, weight: 1}
        """)
    assert problems(load_criteria, path) == [
        f"{path}:6:10: criteria.share: missing required key 'group' (this file declares groups)\n"
        "    hint: add group: one of ['market']"]


def test_an_undeclared_group_gets_a_did_you_mean(write_yaml):
    path = write_yaml("c.yaml", """\
        name: t
        normalization: min-max
        groups:
          market: {weight: 1}
        criteria:
          share: {group: markte, metric: m1, direction: max, weight: 1}
        """)
    assert problems(load_criteria, path) == [
        f"{path}:6:18: criteria.share.group: unknown group 'markte'\n    hint: did you mean 'market'?"]


def test_a_group_in_a_file_without_groups_is_rejected(write_yaml):
    path = write_yaml("c.yaml", ONE.replace("weight: 1}", "weight: 1, group: market}"))
    assert problems(load_criteria, path) == [
        f"{path}:4:57: criteria.share.group: group 'market' is not declared\n"
        "    hint: declare it under a top-level 'groups:' mapping"]


def test_a_criterion_naming_a_group_whose_weight_is_bad_blames_only_the_weight(write_yaml):
    path = write_yaml("c.yaml", """\
        name: t
        normalization: min-max
        groups:
          market: {weight: heavy}
        criteria:
          share: {group: market, metric: m1, direction: max, weight: 1}
        """)
    assert problems(load_criteria, path) == [
        f"{path}:4:20: groups.market.weight: expected a non-negative weight, got text 'heavy'"]


def test_a_rubric_level_must_be_a_whole_number(write_yaml):
    path = write_yaml("c.yaml", ONE.replace("weight: 1}", "weight: 1, rubric: {1: low, high: top}}"))
    assert problems(load_criteria, path) == [
        f"{path}:4:67: criteria.share.rubric.high: expected a whole-number level, got 'high'"]


PROMETHEE = textwrap.dedent("""\
    name: t
    method: promethee
    criteria:
      share: {metric: m1, direction: max, weight: 1, scale: {min: 0, max: 100}, preference: PREFERENCE}
    """)


@pytest.mark.parametrize("preference, column, expected", [
    ("{function: linear, q: 5}", 89,
     "criteria.share.preference: missing required key 'p' (the 'linear' function needs q, p)"),
    ("{function: linar, q: 5, p: 10}", 100,
     "criteria.share.preference.function: expected one of 'usual', 'u-shape', 'v-shape', 'level', 'linear', "
     "'gaussian', got 'linar'\n    hint: did you mean 'linear'?"),
    ("{function: usual, q: 5}", 107,
     "criteria.share.preference.q: the 'usual' function takes no 'q'\n    hint: usual takes no thresholds"),
    ("{function: u-shape, q: 5, p: 10}", 115,
     "criteria.share.preference.p: the 'u-shape' function takes no 'p'\n    hint: u-shape takes q"),
    ("{function: linear, q: 10, p: 5}", 118, "criteria.share.preference.p: expected p > q (10), got 5"),
    ("{function: v-shape, p: 0}", 112, "criteria.share.preference.p: expected a positive threshold, got 0"),
    ("{function: gaussian, s: 0}", 113, "criteria.share.preference.s: expected a positive threshold, got 0"),
    ("{function: level, q: -1, p: 5}", 110,
     "criteria.share.preference.q: expected a threshold in [0, inf], got -1"),
])
def test_bad_preference_functions_are_located(write_yaml, preference, column, expected):
    path = write_yaml("c.yaml", PROMETHEE.replace("PREFERENCE", preference))
    assert problems(load_criteria, path) == [f"{path}:4:{column}: {expected}"]


def test_thresholds_in_units_need_a_fixed_scale(write_yaml):
    path = write_yaml("c.yaml", ONE.replace("weight: 1}", "weight: 1, preference: {function: linear, q: 1, p: 5}}"))
    assert problems(load_criteria, path) == [
        f"{path}:4:50: criteria.share.preference: thresholds in the criterion's units need normalization 'fixed', "
        "got 'min-max'\n    hint: a unit difference means the same distance only on a fixed scale; use "
        "normalization: fixed with scale: {min, max}, or the 'usual' function"]


def test_the_method_and_normalization_vocabularies_come_from_their_registries():
    from scoring import models
    from scoring.load import criteria
    from scoring.methods import METHOD_NAMES
    from scoring.normalize import NORMALIZATION_NAMES

    assert (criteria.METHOD_NAMES, criteria.NORMALIZATION_NAMES) == (METHOD_NAMES, NORMALIZATION_NAMES)
    assert not hasattr(models, "METHODS") and not hasattr(models, "NORMALIZATIONS")
