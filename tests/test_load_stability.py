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


# ------------------------------------------------------------ the derived level uses only evidence published by then

VENDOR = textwrap.dedent("""\
    id: v
    name: V
    status_page: {value: unverified, source: docs, source_date: "2025-06", confidence: medium}
    incidents:
      - {date: "2024-07-02", duration_hours: 2, scope: region, plane: data, source: press, source_date: "2026-04-06",
         confidence: medium}
    metrics: {}
    """)


def _level(write_yaml, as_of: str):
    import datetime as dt

    from scoring.load import load_vendor
    from scoring.matrix import stability_level
    rule = load_criteria(write_yaml("c.yaml", RULE)).stability
    vendor = load_vendor(write_yaml("v.yaml", VENDOR))
    return stability_level(vendor, rule, dt.date.fromisoformat(as_of))


def test_an_incident_counts_only_once_its_source_is_published(write_yaml):
    # 2 h x region 1.5 x data 1.0 = 3 weighted hours -> level 4 (below 5), but only from 2026-04-06 on.
    level, info = _level(write_yaml, "2026-04-06")
    assert (level, info["weighted_hours"], info["source_date"]) == (4.0, 3.0, "2026-04-06")
    level, info = _level(write_yaml, "2026-04-05")
    assert info["weighted_hours"] == 0 and "not yet reported: 2024-07-02 (source 2026-04-06)" in info["note"]
    assert level == 4.0 and info["source_date"] == "2025-06-01"     # scored by the (published) status page


def test_a_status_page_finding_published_after_the_as_of_date_scores_as_none_found(write_yaml):
    level, info = _level(write_yaml, "2025-05-31")
    assert level == 3.0 and "unknown" in info["flags"] and info["fact"] == "" and info["source"] == ""
    assert "the finding 'unverified' was published 2025-06-01, after 2025-05-31" in info["note"]
    assert _level(write_yaml, "2025-06-01")[0] == 4.0
