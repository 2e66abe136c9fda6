"""The stability rule of a criteria file (scoring/load/stability.py): each rule asserts its full located message."""

import textwrap

from loading import problems

from scoring.load import load_criteria

RULE = textwrap.dedent("""\
    name: t
    normalization: min-max
    criteria:
      stability: {metric: stability_level, direction: max, weight: 1}
    stability:
      metric: stability_level
      window_months: 24
      cap_hours: 72
      scope_weights: {az: 1, region: 1.5, multi_region: 2.5, global: 4}
      plane_weights: {data: 1.0, control: 0.5, unclear: 1.0}
      postmortem: {within_days: 14, factor: 0.8}
      levels:
        - {below: 5, level: 4}
        - {below: 15, level: 3}
      otherwise: 0
      no_incidents: {verified: 5, unverified: 4, none: 3}
    """)


def test_a_complete_rule_is_read_with_its_bands_in_order(write_yaml):
    rule = load_criteria(write_yaml("c.yaml", RULE)).stability
    assert (rule.metric, rule.window_months, rule.cap_hours) == ("stability_level", 24, 72)
    assert rule.levels == ((5, 4), (15, 3)) and (rule.postmortem_days, rule.postmortem_factor) == (14, 0.8)
    assert rule.no_incidents == {"verified": 5, "unverified": 4, "none": 3}


def test_levels_must_be_a_non_empty_list(write_yaml):
    path = write_yaml("c.yaml", RULE.replace("  levels:\n    - {below: 5, level: 4}\n    - {below: 15, level: 3}\n",
                                             "  levels: []\n"))
    assert problems(load_criteria, path) == [
        f"{path}:12:11: stability.levels: expected a list of {{below, level}}, got an empty list"]


def test_level_bounds_must_increase(write_yaml):
    path = write_yaml("c.yaml", RULE.replace("below: 15", "below: 5"))
    assert problems(load_criteria, path) == [
        f"{path}:14:15: stability.levels[1].below: expected bounds in increasing order, got 5 after 5"]


def test_a_weight_table_must_name_every_scope(write_yaml):
    path = write_yaml("c.yaml", RULE.replace("global: 4}", "glob: 4}"))
    assert problems(load_criteria, path) == [
        f"{path}:9:18: stability.scope_weights: missing required key 'global'\n    hint: add 'global:' here",
        f"{path}:9:58: stability.scope_weights.glob: unknown key 'glob'\n    hint: did you mean 'global'?"]


def test_the_post_mortem_factor_is_a_share(write_yaml):
    path = write_yaml("c.yaml", RULE.replace("factor: 0.8", "factor: 1.5"))
    assert problems(load_criteria, path) == [
        f"{path}:11:41: stability.postmortem.factor: expected a number in [0, 1], got 1.5"]


def test_a_rule_without_its_fallback_level_is_rejected(write_yaml):
    path = write_yaml("c.yaml", RULE.replace("  otherwise: 0\n", ""))
    assert problems(load_criteria, path) == [
        f"{path}:6:3: stability: missing required key 'otherwise'\n    hint: add 'otherwise:' here"]
