"""Weights (scoring/load/weights.py): one form per file, percentages that add up to 100% among siblings, effective
weights. Each rule has a test asserting the full located message."""

import pytest
from loading import problems

from scoring.load import load_criteria

FORMS_HINT = ("    hint: write every weight in this file one way: all plain numbers (relative points, rescaled to sum "
              "to 1) or all percentages (adding up to 100% among siblings)")
SUM_HINT = ("    hint: percentages are shares of their siblings: make them add up to 100%, or write every weight in "
            "this file as a plain number (relative points, rescaled to sum to 1)")


def criteria_file(*weights) -> str:
    """A criteria file whose criteria a, b, c... (lines 4, 5, 6...) have these weights, as typed."""
    rows = "".join(f"  {chr(97 + i)}: {{metric: m{i}, direction: max, weight: {w}}}\n" for i, w in enumerate(weights))
    return "name: t\nnormalization: min-max\ncriteria:\n" + rows


def test_weights_are_rescaled_and_percentages_are_accepted(write_yaml):
    points = write_yaml("points.yaml", criteria_file(30, 10))
    percentages = write_yaml("percent.yaml", criteria_file('"75%"', "25 %"))
    assert [c.weight for c in load_criteria(points).criteria] == pytest.approx([0.75, 0.25])
    assert [c.weight for c in load_criteria(percentages).criteria] == pytest.approx([0.75, 0.25])
    assert [c.raw_weight for c in load_criteria(percentages).criteria] == [75, 25]


def test_group_weight_times_share_within_group_gives_the_effective_weight(write_yaml):
    path = write_yaml("c.yaml", """\
        name: t
        normalization: min-max
        groups:
          g1: {weight: 60}
          g2: {weight: 40}
        criteria:
          a: {group: g1, metric: m1, direction: max, weight: 1}
          b: {group: g1, metric: m2, direction: max, weight: 3}
          c: {group: g2, metric: m3, direction: max, weight: 5}
        """)
    weights = {c.id: c.weight for c in load_criteria(path).criteria}
    assert weights == pytest.approx({"a": 0.6 * 0.25, "b": 0.6 * 0.75, "c": 0.4})


def test_percentages_in_groups_give_the_same_effective_weights_as_points(write_yaml):
    path = write_yaml("c.yaml", """\
        name: t
        normalization: min-max
        groups:
          g1: {weight: 60%}
          g2: {weight: 40%}
        criteria:
          a: {group: g1, metric: m1, direction: max, weight: 25%}
          b: {group: g1, metric: m2, direction: max, weight: 75%}
          c: {group: g2, metric: m3, direction: max, weight: 100%}
        """)
    weights = {c.id: c.weight for c in load_criteria(path).criteria}
    assert weights == pytest.approx({"a": 0.6 * 0.25, "b": 0.6 * 0.75, "c": 0.4})


def test_a_percentage_beside_a_plain_number_is_an_error_not_silently_mixed(write_yaml):
    """The issue's example: "30%" beside 0.7 used to become 97.7% / 2.3%."""
    path = write_yaml("c.yaml", criteria_file('"30%"', 0.7))
    assert problems(load_criteria, path) == [
        f"{path}:5:43: criteria.b.weight: 0.7 is a plain number, but the other weight in this file is a percentage "
        f"(criteria.a.weight on line 4)\n{FORMS_HINT}"]


def test_the_one_weight_in_the_minority_form_is_the_one_blamed(write_yaml):
    path = write_yaml("c.yaml", criteria_file(20, 30, "50%", 30))
    assert problems(load_criteria, path) == [
        f"{path}:6:43: criteria.c.weight: '50%' is a percentage, but the other weights in this file are plain "
        f"numbers (criteria.a.weight on line 4, criteria.b.weight on line 5 and criteria.d.weight on line 7)\n"
        f"{FORMS_HINT}"]


def test_on_a_tie_the_form_of_the_first_weight_wins(write_yaml):
    path = write_yaml("c.yaml", criteria_file(30, "20%", "50%", 30))
    assert problems(load_criteria, path) == [
        f"{path}:5:43: criteria.b.weight: '20%' is a percentage, but 2 other weights in this file are plain numbers "
        f"(criteria.a.weight on line 4 and criteria.d.weight on line 7)\n{FORMS_HINT}",
        f"{path}:6:43: criteria.c.weight: '50%' is a percentage, but 2 other weights in this file are plain numbers "
        f"(criteria.a.weight on line 4 and criteria.d.weight on line 7)\n{FORMS_HINT}"]


def test_a_long_list_of_the_other_form_names_three_and_counts_the_rest(write_yaml):
    path = write_yaml("c.yaml", criteria_file("10%", 1, 2, 3, 4, 5))
    assert problems(load_criteria, path) == [
        f"{path}:4:43: criteria.a.weight: '10%' is a percentage, but the other weights in this file are plain "
        f"numbers (criteria.b.weight on line 5, criteria.c.weight on line 6, criteria.d.weight on line 7 and 2 "
        f"more)\n{FORMS_HINT}"]


def test_group_weights_and_criterion_weights_share_one_form(write_yaml):
    path = write_yaml("c.yaml", """\
        name: t
        normalization: min-max
        groups:
          market: {weight: 60%}
          ai: {weight: 40%}
        criteria:
          a: {group: market, metric: m1, direction: max, weight: 1}
          b: {group: market, metric: m2, direction: max, weight: 3}
          c: {group: ai, metric: m3, direction: max, weight: 1}
        """)
    others = "criteria.a.weight on line 7, criteria.b.weight on line 8 and criteria.c.weight on line 9"
    assert problems(load_criteria, path) == [
        f"{path}:4:20: groups.market.weight: '60%' is a percentage, but 3 other weights in this file are plain "
        f"numbers ({others})\n{FORMS_HINT}",
        f"{path}:5:16: groups.ai.weight: '40%' is a percentage, but 3 other weights in this file are plain "
        f"numbers ({others})\n{FORMS_HINT}"]


def test_percentages_that_do_not_add_up_to_100_are_flagged_not_rescaled(write_yaml):
    """30%, 25% and 20% leave a quarter unassigned; rescaling would hide it."""
    path = write_yaml("c.yaml", criteria_file("30%", "25%", "20%"))
    assert problems(load_criteria, path) == [
        f"{path}:3:1: criteria: the criterion weights add up to 75%, not 100% (a 30%, b 25%, c 20%)\n{SUM_HINT}"]


def test_percentages_over_100_are_flagged_too(write_yaml):
    path = write_yaml("c.yaml", criteria_file("60%", "50%"))
    assert problems(load_criteria, path) == [
        f"{path}:3:1: criteria: the criterion weights add up to 110%, not 100% (a 60%, b 50%)\n{SUM_HINT}"]


def test_percentages_add_up_to_100_within_each_set_of_siblings(write_yaml):
    path = write_yaml("c.yaml", """\
        name: t
        normalization: min-max
        groups:
          market: {weight: 60%}
          ai: {weight: 30%}
          unused: {weight: 0%}
        criteria:
          a: {group: market, metric: m1, direction: max, weight: 25%}
          b: {group: market, metric: m2, direction: max, weight: 50%}
          c: {group: ai, metric: m3, direction: max, weight: 100%}
        """)
    assert problems(load_criteria, path) == [
        f"{path}:3:1: groups: the group weights add up to 90%, not 100% (market 60%, ai 30%, unused 0%)\n{SUM_HINT}",
        f"{path}:4:3: groups.market: the weights of the criteria in group 'market' add up to 75%, not 100% "
        f"(a 25%, b 50%)\n{SUM_HINT}"]


def test_a_percentage_that_cannot_be_read_is_blamed_alone_not_its_siblings_sum(write_yaml):
    path = write_yaml("c.yaml", criteria_file("60%", "-40%"))
    assert problems(load_criteria, path) == [
        f"{path}:5:43: criteria.b.weight: expected a non-negative weight, got text '-40%'"]


def test_all_zero_weights_are_rejected(write_yaml):
    path = write_yaml("c.yaml", criteria_file(0, 0))
    assert problems(load_criteria, path) == [
        f"{path}:3:1: criteria: every criterion weight is zero\n"
        "    hint: give at least one criterion a positive weight"]


def test_all_zero_group_weights_are_rejected_and_their_criteria_are_not_blamed(write_yaml):
    path = write_yaml("c.yaml", """\
        name: t
        normalization: min-max
        groups:
          market: {weight: 0}
          ai: {weight: 0}
        criteria:
          a: {group: market, metric: m1, direction: max, weight: 1}
          b: {group: ai, metric: m2, direction: max, weight: 1}
        """)
    assert problems(load_criteria, path) == [
        f"{path}:4:3: groups: every group weight is zero\n    hint: give at least one group a positive weight"]


def test_a_group_with_weight_whose_criteria_weigh_nothing_is_rejected(write_yaml):
    path = write_yaml("c.yaml", """\
        name: t
        normalization: min-max
        groups:
          market: {weight: 1}
          ai: {weight: 1}
        criteria:
          a: {group: market, metric: m1, direction: max, weight: 1}
          b: {group: ai, metric: m2, direction: max, weight: 0}
        """)
    assert problems(load_criteria, path) == [
        f"{path}:5:7: groups.ai: group 'ai' has weight but its criteria weigh nothing\n"
        "    hint: give one of its criteria a positive weight, or give the group weight 0"]


def test_a_percentage_group_that_no_criterion_names_is_rejected_when_it_has_weight(write_yaml):
    path = write_yaml("c.yaml", """\
        name: t
        normalization: min-max
        groups:
          market: {weight: 60%}
          ai: {weight: 40%}
        criteria:
          a: {group: market, metric: m1, direction: max, weight: 100%}
        """)
    assert problems(load_criteria, path) == [
        f"{path}:5:7: groups.ai: group 'ai' has weight but its criteria weigh nothing\n"
        "    hint: give one of its criteria a positive weight, or give the group weight 0"]
