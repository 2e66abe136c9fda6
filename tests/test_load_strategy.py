"""Strategy models (scoring/load/strategy.py): the bundled model, then one test per rule, each asserting the full
located message."""

import datetime as dt
import hashlib
import textwrap
from pathlib import Path

import pytest

from scoring.errors import ConfigErrors
from scoring.load import collect_strategy, load_strategy

# A small valid model: three lines (core is calibrated, promo is opened by a move), three moves, one preset.
STRATEGY = textwrap.dedent("""\
    schema: strategy/v1
    name: t
    vendor: acme
    criteria: view.yaml
    as_of: 2023-12-31
    base_quarter: 2023-Q3
    horizon_quarters: 4
    base:
      revenue_rmb_bn: {value: 10, kind: fact, fact: "revenue@2023-Q3"}
      adjusted_ebita_rmb_bn: {value: 0.5, kind: fact, seed: s.txt}
    lines:
      core:
        label: Core
        share_of_base: {value: "80%", kind: assumption, owner: me, date: 2024-01-01, low: "70%", high: "90%"}
        margin: {kind: derived, formula: calibrated}
        growth_cap: {value: "3%", kind: fact, seed: s.txt}
        compute_kgpu_per_rmb_bn: {value: 0.2, kind: fact, seed: s.txt}
        headcount_k_per_rmb_bn: {value: 1, kind: fact, seed: s.txt}
        counts_for: [share_pct]
      gov:
        label: Government
        share_of_base: {value: "20%", kind: fact, seed: s.txt}
        margin: {value: "-8%", kind: fact, seed: s.txt}
        growth_cap: {value: "5%", kind: fact, seed: s.txt}
        compute_kgpu_per_rmb_bn: {value: 0, kind: fact, seed: s.txt}
        headcount_k_per_rmb_bn: {value: 2, kind: fact, seed: s.txt}
        counts_for: []
        government: true
      promo:
        label: Promo
        share_of_base: {value: "0%", kind: fact, seed: s.txt}
        margin: {value: "-10%", kind: fact, seed: s.txt}
        growth_cap_rmb_bn: {value: 1, kind: fact, seed: s.txt}
        compute_kgpu_per_rmb_bn: {value: 0.2, kind: fact, seed: s.txt}
        headcount_k_per_rmb_bn: {value: 0.5, kind: fact, seed: s.txt}
        counts_for: [share_pct]
    moves:
      cut:
        label: Cut
        fixed_cost_rmb_bn: {value: 0, kind: fact, seed: s.txt}
        capex_rmb_bn: {value: 0, kind: fact, seed: s.txt}
        closes_lines: [gov]
      discount:
        label: Discount
        fixed_cost_rmb_bn: {value: 0.1, kind: fact, seed: s.txt}
        capex_rmb_bn: {value: 0, kind: fact, seed: s.txt}
        raises_growth_cap: {core: {value: "2%", kind: fact, seed: s.txt}}
        opens_lines: [promo]
        requires: [cut]
      build:
        label: Build
        fixed_cost_rmb_bn: {value: 0.2, kind: fact, seed: s.txt}
        capex_rmb_bn: {value: 4, kind: fact, seed: s.txt}
        raises_capacity_kgpu: {value: 4, kind: fact, seed: s.txt}
        raises_metric: {chip_level: {value: 0.5, kind: fact, seed: s.txt}}
        excludes: [discount]
    constraints:
      margin_floor: {value: "5%", kind: fact, seed: s.txt}
      compute_capacity_kgpu: {value: 10, kind: fact, seed: s.txt}
      headcount_k: {value: 30, kind: fact, seed: s.txt}
      capex_budget_rmb_bn: {value: 5, kind: fact, seed: s.txt}
      adjustment_floor: {value: "85%", kind: fact, seed: s.txt}
      min_government_share: {value: "10%", kind: fact, seed: s.txt}
    metrics:
      share_pct:
        market_growth: {value: "1%", kind: fact, seed: s.txt}
    presets:
      lean:
        label: Lean
        passage: "cut the projects"
        force: {cut: true}
        margin_floor: "4%"
    """)

PERCENT_HINT = '    hint: write percentages with a % sign, e.g. "5%" (a bare 5 could mean 5% or 500%)'
MUST_BE_CHOSABLE = "    hint: this move can never be chosen; remove the requirement or the exclusion"
CYCLE_HINT = "    hint: no move in a cycle can be chosen first; remove one of these requirements"


def write(write_yaml, *edits: tuple[str, str], text: str = STRATEGY):
    """The model with each (old, new) edit applied (each old text occurs once), written beside its criteria file."""
    for old, new in edits:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    write_yaml("view.yaml", "name: view\n")
    return write_yaml("s.yaml", text)


def problems(path) -> list[str]:
    """Every located message ``load_strategy(path)`` raises, in the order ConfigErrors sorts them."""
    with pytest.raises(ConfigErrors) as exc:
        load_strategy(path)
    return [str(e) for e in exc.value.errors]


def test_the_bundled_alibaba_model_loads_with_its_numbers_in_percent_and_rmb_bn():
    model = load_strategy("strategy/alibaba.yaml")
    assert (model.name, model.vendor, model.base_quarter, model.horizon_quarters) == ("alibaba-2024", "alibaba",
                                                                                      "2023-Q3", 4)
    assert model.as_of == dt.date(2023, 12, 31)
    assert model.criteria_path == str(Path("strategy") / "../criteria/baseline.yaml")
    assert Path(model.criteria_path).resolve() == Path("criteria/baseline.yaml").resolve()
    assert model.sha256 == hashlib.sha256(Path("strategy/alibaba.yaml").read_bytes()).hexdigest()
    assert (model.base_revenue_rmb_bn.value, model.base_revenue_rmb_bn.kind) == (27.648, "fact")
    assert model.base_ebita_rmb_bn.seed == "001_5561fce5c376ec37.txt"
    assert [line.id for line in model.lines] == ["public", "public_promo", "hybrid", "project", "ai", "overseas"]
    public = model.line("public")
    assert (public.share_of_base.value, public.share_of_base.low, public.share_of_base.high) == (55.0, 45.0, 65.0)
    assert (public.margin.value, public.margin.kind, public.margin.key) == (None, "derived", "lines.public.margin")
    assert str(public.margin.where) == "strategy/alibaba.yaml:36:13"
    assert public.margin.formula.startswith("calibrated")
    assert model.line("ai").growth_cap.value == 25.0
    promo = model.line("public_promo")
    assert (promo.growth_cap, promo.growth_cap_rmb_bn.value, promo.margin.value) == (None, 3.0, -10.0)
    project = model.line("project")
    assert (project.margin.value, project.margin.low, project.counts_for, project.government) == (-8.0, -15.0, (), True)
    assert model.line("overseas").government is False
    assert model.line("hybrid").counts_for == ("canalys_share_pct",)
    assert list(model.constraints) == ["margin_floor", "compute_capacity_kgpu", "headcount_k", "capex_budget_rmb_bn",
                                       "adjustment_floor", "min_government_share"]
    assert model.constraints["adjustment_floor"].value == 85.0
    assert model.constraints["compute_capacity_kgpu"].value == 11.0
    assert model.metrics["canalys_share_pct"]["market_growth"].value == 1.5
    assert [m.id for m in model.moves] == ["open_source_flagship", "build_intelligent_computing_centre",
                                           "cut_low_margin_projects", "price_cuts"]
    assert model.move("open_source_flagship").raises_growth_cap["ai"].value == 15.0
    icc = model.move("build_intelligent_computing_centre")
    assert (icc.capex_rmb_bn.value, icc.raises_capacity_kgpu.value, icc.raises_metric["chip_supply_level"].value) == (
        4.0, 4.0, 0.5)
    assert model.move("cut_low_margin_projects").closes_lines == ("project",)
    assert model.move("price_cuts").opens_lines == ("public_promo",)
    assert [p.id for p in model.presets] == ["public-cloud-first", "hybrid", "ai-driven"]
    hybrid = model.preset("hybrid")
    assert (hybrid.force, hybrid.min_government_share, hybrid.margin_floor) == ({"cut_low_margin_projects": False},
                                                                               25.0, None)
    assert model.preset("ai-driven").force == {"open_source_flagship": True, "build_intelligent_computing_centre": True}
    assert {c.kind for c in model.coefficients()} == {"fact", "derived", "assumption"}


def test_a_small_model_loads_and_collect_strategy_adds_problems_to_the_callers_list(write_yaml):
    path = write(write_yaml, ('margin: {value: "-8%"', 'margin: {value: " -1.5 % "'))
    model = load_strategy(path)
    assert model.criteria_path == str(path.parent / "view.yaml")
    assert (model.line("core").margin.value, model.line("gov").margin.value) == (None, -1.5)
    assert model.line("gov").government and not model.line("core").government
    assert model.move("discount").requires == ("cut",) and model.move("build").excludes == ("discount",)
    assert model.preset("lean").margin_floor == 4.0 and model.preset("lean").min_government_share is None

    errors = ["an earlier problem"]
    bad = write(write_yaml, ("vendor: acme", "vendor: Acme"))
    assert collect_strategy(bad, errors) is None
    assert [str(e) for e in errors] == [
        "an earlier problem",
        f"{bad}:3:9: vendor: expected a lowercase vendor id (letters, digits, '-' or '_'), got 'Acme'\n"
        "    hint: the id of the focal vendor's profile in vendors/, e.g. alibaba"]


# ---------------------------------------------------------------------------------------------- the header

def test_an_unknown_top_level_key_gets_a_did_you_mean(write_yaml):
    path = write(write_yaml, ("horizon_quarters: 4\n", "horizon_quarters: 4\nhorizon_quartres: 4\n"))
    assert problems(path) == [f"{path}:8:1: horizon_quartres: unknown key 'horizon_quartres'\n"
                              "    hint: did you mean 'horizon_quarters'?"]


def test_a_missing_top_level_key_is_named(write_yaml):
    path = write(write_yaml, ("name: t\n", ""))
    assert problems(path) == [f"{path}:1:1: (top level): missing required key 'name'\n    hint: add 'name:' here"]


def test_a_schema_tag_other_than_strategy_v1_is_rejected(write_yaml):
    path = write(write_yaml, ("schema: strategy/v1", "schema: criteria/v1"))
    assert problems(path) == [f"{path}:1:9: schema: expected 'strategy/v1', got 'criteria/v1'\n"
                              "    hint: strategy files say schema: strategy/v1"]


def test_as_of_must_be_a_full_date(write_yaml):
    path = write(write_yaml, ("as_of: 2023-12-31", "as_of: 2023-12"))
    assert problems(path) == [f"{path}:5:8: as_of: expected a date (YYYY-MM-DD), got '2023-12'"]


def test_the_base_quarter_must_be_a_quarter(write_yaml):
    path = write(write_yaml, ("base_quarter: 2023-Q3", "base_quarter: 2023-09"))
    assert problems(path) == [f"{path}:6:15: base_quarter: expected a quarter (YYYY-Qn), got '2023-09'\n"
                              "    hint: e.g. 2023-Q3 for July-September 2023: the quarter whose revenue and EBITA "
                              "'base' gives"]


def test_the_base_quarter_must_end_by_the_as_of_date(write_yaml):
    path = write(write_yaml, ("base_quarter: 2023-Q3", "base_quarter: 2024-Q1"))
    assert problems(path) == [f"{path}:6:15: base_quarter: the base quarter 2024-Q1 ends on 2024-03-31, after as_of "
                              "(2023-12-31)\n    hint: the base quarter's figures must be known on the as-of date: "
                              "pick an earlier quarter or a later as_of"]


@pytest.mark.parametrize("value, expected", [("0", "expected a number of quarters in [1, 40], got 0"),
                                             ("41", "expected a number of quarters in [1, 40], got 41"),
                                             ("2.5", "expected a whole number, got 2.5"),
                                             ("four", "expected a number of quarters, got text 'four'")])
def test_the_horizon_is_a_whole_number_of_quarters_from_1_to_40(write_yaml, value, expected):
    path = write(write_yaml, ("horizon_quarters: 4", f"horizon_quarters: {value}"))
    assert problems(path) == [f"{path}:7:19: horizon_quarters: {expected}"]


def test_the_criteria_path_is_relative_to_the_strategy_folder_and_must_exist(write_yaml):
    path = write(write_yaml, ("criteria: view.yaml", "criteria: ../criteria/view.yaml"))
    assert problems(path) == [f"{path}:4:11: criteria: criteria file {str(path.parent / '../criteria/view.yaml')!r} "
                              "not found\n    hint: the path is relative to this strategy file's folder, e.g. "
                              "../criteria/baseline.yaml"]


def test_the_vendor_must_be_a_lowercase_id(write_yaml):
    path = write(write_yaml, ("vendor: acme", "vendor: ACME Cloud"))
    assert problems(path) == [f"{path}:3:9: vendor: expected a lowercase vendor id (letters, digits, '-' or '_'), "
                              "got 'ACME Cloud'\n    hint: the id of the focal vendor's profile in vendors/, e.g. "
                              "alibaba"]


def test_the_base_revenue_must_be_positive(write_yaml):
    path = write(write_yaml, ('revenue_rmb_bn: {value: 10,', 'revenue_rmb_bn: {value: 0,'))
    assert problems(path) == [f"{path}:9:27: base.revenue_rmb_bn.value: expected a positive base revenue, got 0\n"
                              "    hint: the lines' shares and the calibrated margin are taken of it"]


# ---------------------------------------------------------------------------------------------- coefficients

GOV_MARGIN = 'margin: {value: "-8%", kind: fact, seed: s.txt}'       # line 23, the mapping at column 13


def test_a_coefficient_must_be_a_mapping_that_says_what_it_rests_on(write_yaml):
    path = write(write_yaml, (GOV_MARGIN, 'margin: "-8%"'))
    assert problems(path) == [f"{path}:23:13: lines.gov.margin: expected a coefficient {{value, kind, ...}}, got text "
                              "'-8%'\n    hint: write {value: ..., kind: fact|derived|assumption, ...}: every number "
                              "says what it rests on"]


def test_an_unknown_coefficient_key_gets_a_did_you_mean(write_yaml):
    path = write(write_yaml, (GOV_MARGIN, 'margin: {value: "-8%", kind: fact, seed: s.txt, notes: x}'))
    assert problems(path) == [f"{path}:23:53: lines.gov.margin.notes: unknown key 'notes'\n"
                              "    hint: did you mean 'note'?"]


def test_a_coefficient_kind_is_fact_derived_or_assumption(write_yaml):
    path = write(write_yaml, (GOV_MARGIN, 'margin: {value: "-8%", kind: facts, seed: s.txt}'))
    assert problems(path) == [f"{path}:23:34: lines.gov.margin.kind: expected one of 'fact', 'derived', 'assumption', "
                              "got 'facts'\n    hint: did you mean 'fact'? fact: a fact row or seed; derived: a "
                              "formula; assumption: owner, date, low and high"]


def test_a_fact_needs_a_fact_row_or_a_seed(write_yaml):
    path = write(write_yaml, (GOV_MARGIN, 'margin: {value: "-8%", kind: fact}'))
    assert problems(path) == [f"{path}:23:13: lines.gov.margin: a fact needs 'fact' (its row in the fact ledger) or "
                              "'seed' (the article it comes from)\n    hint: add fact: \"<metric>@<period>\" or seed: "
                              "<file>, or make it an assumption with owner, date, low and high"]


def test_a_derived_coefficient_needs_its_formula(write_yaml):
    path = write(write_yaml, (GOV_MARGIN, 'margin: {value: "-8%", kind: derived}'))
    assert problems(path) == [f"{path}:23:13: lines.gov.margin: a derived coefficient needs its 'formula'\n"
                              "    hint: say how it is computed from facts and other coefficients"]


def test_only_a_line_margin_may_leave_its_value_to_the_optimizer(write_yaml):
    path = write(write_yaml, ("headcount_k: {value: 30, kind: fact, seed: s.txt}",
                              'headcount_k: {kind: derived, formula: "sum of the lines"}'))
    assert problems(path) == [f"{path}:60:16: constraints.headcount_k: missing required key 'value'\n"
                              "    hint: only a line's margin may be left for the optimizer to calibrate"]


def test_a_second_calibrated_margin_is_rejected(write_yaml):
    path = write(write_yaml, (GOV_MARGIN, "margin: {kind: derived, formula: calibrated too}"))
    assert problems(path) == [f"{path}:23:13: lines.gov.margin: missing required key 'value': only one line's margin "
                              "may be calibrated, and lines.core.margin already is\n    hint: give this margin a value"]


def test_the_calibrated_margin_belongs_to_a_line_with_base_revenue(write_yaml):
    path = write(write_yaml, ('low: "70%"', 'low: "0%"'))
    assert problems(path) == [f"{path}:15:13: lines.core.margin: a calibrated margin needs a line with base revenue; "
                              "share_of_base.low is 0%\n    hint: the margin is solved from this line's share of the "
                              "base revenue: calibrate a line that has some"]


def test_an_assumption_needs_owner_date_low_and_high(write_yaml):
    path = write(write_yaml, (GOV_MARGIN, 'margin: {value: "-8%", kind: assumption, owner: me}'))
    assert problems(path) == [f"{path}:23:13: lines.gov.margin: an assumption needs owner, date, low and high; "
                              "missing 'date', 'low', 'high'\n    hint: say who judged it, when, and the range that "
                              "--draws samples"]


@pytest.mark.parametrize("edit, expected", [
    (('low: "70%"', 'low: "85%"'), '14:87: lines.core.share_of_base.low: expected low <= value (80%), got 85%'),
    (('high: "90%"', 'high: "75%"'), '14:100: lines.core.share_of_base.high: expected high >= value (80%), got 75%'),
    (('low: "70%", high: "90%"', 'low: "95%", high: "90%"'),
     '14:87: lines.core.share_of_base.low: expected low <= high (90%), got 95%')])
def test_an_assumption_value_lies_between_its_low_and_high(write_yaml, edit, expected):
    path = write(write_yaml, edit)
    assert problems(path) == [f"{path}:{expected}"]


@pytest.mark.parametrize("edit, expected", [
    ((GOV_MARGIN, 'margin: {value: 5, kind: fact, seed: s.txt}'),
     "23:21: lines.gov.margin.value: expected a margin written as a percentage, got the bare number 5"),
    (('low: "70%"', "low: 70"),
     "14:87: lines.core.share_of_base.low: expected a share written as a percentage, got the bare number 70"),
    (('adjustment_floor: {value: "85%"', "adjustment_floor: {value: 0.85"),
     "62:29: constraints.adjustment_floor.value: expected a share written as a percentage, got the bare number 0.85"),
    (('margin_floor: "4%"', "margin_floor: 4"),
     "72:19: presets.lean.margin_floor: expected a margin written as a percentage, got the bare number 4"),
    (('margin_floor: "4%"', "min_government_share: 25"),
     "72:27: presets.lean.min_government_share: expected a share written as a percentage, got the bare number 25"),
    ((GOV_MARGIN, 'margin: {value: "minus eight", kind: fact, seed: s.txt}'),
     "23:21: lines.gov.margin.value: expected a margin written as a percentage, got text 'minus eight'")])
def test_a_percentage_written_without_its_percent_sign_is_rejected(write_yaml, edit, expected):
    path = write(write_yaml, edit)
    assert problems(path) == [f"{path}:{expected}\n{PERCENT_HINT}"]


def test_a_percentage_where_a_plain_number_belongs_is_rejected(write_yaml):
    path = write(write_yaml, ("capex_rmb_bn: {value: 4,", 'capex_rmb_bn: {value: "4%",'))
    assert problems(path) == [f"{path}:53:27: moves.build.capex_rmb_bn.value: expected an amount in RMB bn as a plain "
                              "number, got the percentage '4%'\n    hint: only shares, margins and growth rates are "
                              "percentages; write the amount in the unit the key names"]


@pytest.mark.parametrize("edit, expected", [
    (("fixed_cost_rmb_bn: {value: 0.2,", "fixed_cost_rmb_bn: {value: -0.2,"),
     "52:32: moves.build.fixed_cost_rmb_bn.value: expected an amount in RMB bn of at least 0, got -0.2"),
    (("compute_capacity_kgpu: {value: 10,", "compute_capacity_kgpu: {value: -1,"),
     "59:34: constraints.compute_capacity_kgpu.value: expected a capacity in thousand GPUs of at least 0, got -1"),
    (('adjustment_floor: {value: "85%"', 'adjustment_floor: {value: "120%"'),
     "62:29: constraints.adjustment_floor.value: expected a share between 0% and 100%, got 120%"),
    (('growth_cap: {value: "5%"', 'growth_cap: {value: "-5%"'),
     "24:25: lines.gov.growth_cap.value: expected a growth cap of at least 0%, got -5%"),
    ((GOV_MARGIN, 'margin: {value: "108%", kind: fact, seed: s.txt}'),
     "23:21: lines.gov.margin.value: expected a margin of at most 100%, got 108%")])
def test_coefficients_stay_within_the_range_their_unit_allows(write_yaml, edit, expected):
    path = write(write_yaml, edit)
    assert problems(path) == [f"{path}:{expected}"]


# ---------------------------------------------------------------------------------------------- lines

GROWTH_HINT = ("    hint: growth_cap: percent per quarter of the previous quarter's revenue; growth_cap_rmb_bn: a "
               "level per quarter (for a line that starts at zero)")
GOV_CAP = '    growth_cap: {value: "5%", kind: fact, seed: s.txt}\n'


@pytest.mark.parametrize("new, expected", [
    (GOV_CAP + "    growth_cap_rmb_bn: {value: 1, kind: fact, seed: s.txt}\n",
     "expected one of 'growth_cap' and 'growth_cap_rmb_bn', got both"),
    ("", "missing required key 'growth_cap' or 'growth_cap_rmb_bn'")])
def test_a_line_has_exactly_one_growth_cap(write_yaml, new, expected):
    path = write(write_yaml, (GOV_CAP, new))
    assert problems(path) == [f"{path}:21:5: lines.gov: {expected}\n{GROWTH_HINT}"]


def test_an_unknown_line_key_gets_a_did_you_mean(write_yaml):
    path = write(write_yaml, ("government: true", "goverment: true"))
    assert problems(path) == [f"{path}:28:5: lines.gov.goverment: unknown key 'goverment'\n"
                              "    hint: did you mean 'government'?"]


def test_a_model_needs_at_least_one_line(write_yaml):
    start, end = STRATEGY.index("lines:\n"), STRATEGY.index("moves:\n")
    path = write(write_yaml, (STRATEGY[start:end], "lines: {}\n"))
    assert (f"{path}:11:8: lines: expected at least one line\n    hint: a line of business: its share of the base "
            "revenue, margin, growth cap and resource use") in problems(path)


def test_the_shares_of_base_must_add_up_to_100_percent(write_yaml):
    path = write(write_yaml, ('share_of_base: {value: "20%"', 'share_of_base: {value: "25%"'))
    assert problems(path) == [f"{path}:11:1: lines: the shares of base add up to 105%, expected 100% (core 80%, "
                              "gov 25%, promo 0%)\n    hint: share_of_base splits the base quarter's revenue between "
                              "the lines: make them add up to 100%"]


def test_shares_of_base_within_a_hundredth_of_a_point_of_100_percent_are_accepted(write_yaml):
    path = write(write_yaml, ('share_of_base: {value: "20%"', 'share_of_base: {value: "20.005%"'))
    assert load_strategy(path).line("gov").share_of_base.value == 20.005


@pytest.mark.parametrize("edit, expected", [
    (("counts_for: []", "counts_for: share_pct"),
     "27:17: lines.gov.counts_for: expected a list of metric names, got text 'share_pct'\n"
     "    hint: write [a, b], or [] for none"),
    (("counts_for: [share_pct]\n  gov", "counts_for: [share_pct, share_pct]\n  gov"),
     "19:29: lines.core.counts_for[1]: 'share_pct' is listed twice\n    hint: name each one once")])
def test_counts_for_is_a_list_naming_each_metric_once(write_yaml, edit, expected):
    path = write(write_yaml, edit)
    assert problems(path) == [f"{path}:{expected}"]


def test_government_is_true_or_false(write_yaml):
    path = write(write_yaml, ("government: true", 'government: "yes"'))
    assert problems(path) == [f"{path}:28:17: lines.gov.government: expected true or false, got 'yes'"]


def test_counts_for_names_metrics_not_lines(write_yaml):
    path = write(write_yaml, ("counts_for: []", "counts_for: [core]"))
    assert problems(path) == [f"{path}:27:18: lines.gov.counts_for[0]: metric 'core' has no entry under 'metrics'\n"
                              "    hint: 'core' is a line; counts_for names the metrics this line's revenue counts "
                              "towards"]


OPENED_HINT = "    hint: a line a move opens has no revenue in the base quarter; give its share to the other lines"


def test_a_line_opened_by_a_move_starts_at_zero_percent_of_base(write_yaml):
    path = write(write_yaml, ('share_of_base: {value: "0%", kind: fact, seed: s.txt}',
                              'share_of_base: {value: "5%", kind: assumption, owner: me, date: 2024-01-01, low: "0%", '
                              'high: "10%"}'),
                 ('share_of_base: {value: "80%"', 'share_of_base: {value: "75%"'))
    assert problems(path) == [
        f"{path}:31:28: lines.promo.share_of_base.value: expected 0% for a line that move 'discount' opens, got 5%\n"
        f"{OPENED_HINT}",
        f"{path}:31:98: lines.promo.share_of_base.high: expected 0% for a line that move 'discount' opens, got 10%\n"
        f"{OPENED_HINT}"]


def test_a_line_opened_by_a_move_needs_a_level_growth_cap(write_yaml):
    path = write(write_yaml, ("growth_cap_rmb_bn: {value: 1,", 'growth_cap: {value: "1%",'))
    assert problems(path) == [f"{path}:33:5: lines.promo.growth_cap: a line that move 'discount' opens starts at zero, "
                              "so a percentage growth cap keeps it at zero\n    hint: give growth_cap_rmb_bn (a level "
                              "per quarter) instead"]


# ---------------------------------------------------------------------------------------------- moves

@pytest.mark.parametrize("edit, expected", [
    (("closes_lines: [gov]", "closes_lines: [govt]"),
     "42:20: moves.cut.closes_lines[0]: unknown line 'govt'\n    hint: did you mean 'gov'?"),
    (("opens_lines: [promo]", "opens_lines: [promotion]"),
     "48:19: moves.discount.opens_lines[0]: unknown line 'promotion'\n    hint: did you mean 'promo'?"),
    (("raises_growth_cap: {core:", "raises_growth_cap: {cor:"),
     "47:25: moves.discount.raises_growth_cap.cor: unknown line 'cor'\n    hint: did you mean 'core'?"),
    (("excludes: [discount]", "excludes: [discounts]"),
     "56:16: moves.build.excludes[0]: unknown move 'discounts'\n    hint: did you mean 'discount'?"),
    (("requires: [cut]", "requires: [cuts]"),
     "49:16: moves.discount.requires[0]: unknown move 'cuts'\n    hint: did you mean 'cut'?"),
    (("force: {cut: true}", "force: {cutt: true}"),
     "71:13: presets.lean.force.cutt: unknown move 'cutt'\n    hint: did you mean 'cut'?")])
def test_unknown_line_and_move_ids_get_a_did_you_mean(write_yaml, edit, expected):
    path = write(write_yaml, edit)
    assert problems(path) == [f"{path}:{expected}"]


CUT_CLOSES = "    closes_lines: [gov]\n"


@pytest.mark.parametrize("edits, expected", [
    ([(CUT_CLOSES, CUT_CLOSES + "    requires: [discount]\n")], "43:5: moves.cut.requires: prerequisite cycle: "
                                                               "cut -> discount -> cut"),
    ([(CUT_CLOSES, CUT_CLOSES + "    requires: [build]\n"), ("excludes: [discount]", "requires: [discount]")],
     "43:5: moves.cut.requires: prerequisite cycle: cut -> build -> discount -> cut"),
    ([("requires: [cut]", "requires: [discount]")],
     "49:5: moves.discount.requires: prerequisite cycle: discount -> discount")])
def test_a_prerequisite_cycle_is_named(write_yaml, edits, expected):
    path = write(write_yaml, *edits)
    assert problems(path) == [f"{path}:{expected}\n{CYCLE_HINT}"]


OTHER_MOVE = ("  other:\n    label: Other\n    fixed_cost_rmb_bn: {value: 0, kind: fact, seed: s.txt}\n"
              "    capex_rmb_bn: {value: 0, kind: fact, seed: s.txt}\n    requires: [build, discount]\n")


@pytest.mark.parametrize("edits, expected", [
    ([("requires: [cut]", "requires: [cut]\n    excludes: [cut]")],
     "49:16: moves.discount.requires[0]: requires 'cut', which it excludes"),
    ([(CUT_CLOSES, CUT_CLOSES + "    excludes: [discount]\n")],
     "50:16: moves.discount.requires[0]: requires 'cut', which excludes it"),
    ([("excludes: [discount]", "requires: [discount]\n    excludes: [cut]")],
     "56:5: moves.build.requires: requires 'cut' (through 'discount'), which it excludes"),
    ([("constraints:\n", OTHER_MOVE + "constraints:\n")],
     "61:5: moves.other.requires: requires 'build' and 'discount', and 'build' excludes 'discount'")])
def test_a_move_that_requires_a_move_it_excludes_is_rejected(write_yaml, edits, expected):
    path = write(write_yaml, *edits)
    assert problems(path) == [f"{path}:{expected}\n{MUST_BE_CHOSABLE}"]


def test_a_move_cannot_open_and_close_the_same_line(write_yaml):
    path = write(write_yaml, ("opens_lines: [promo]", "opens_lines: [promo]\n    closes_lines: [promo]"))
    assert problems(path) == [f"{path}:48:19: moves.discount.opens_lines[0]: line 'promo' is both opened and closed by "
                              "this move\n    hint: a move either opens a line or closes it"]


def test_a_move_cannot_exclude_itself(write_yaml):
    path = write(write_yaml, ("excludes: [discount]", "excludes: [build]"))
    assert problems(path) == [f"{path}:56:16: moves.build.excludes[0]: a move cannot exclude itself\n"
                              "    hint: remove it from its own 'excludes'"]


# ---------------------------------------------------------------------------------------------- the rest

def test_constraints_are_exactly_the_six_named_ones(write_yaml):
    path = write(write_yaml, ("headcount_k:", "headcount:"))
    assert problems(path) == [f"{path}:58:3: constraints: missing required key 'headcount_k'\n"
                              "    hint: add 'headcount_k:' here",
                              f"{path}:60:3: constraints.headcount: unknown key 'headcount'\n"
                              "    hint: did you mean 'headcount_k'?"]


def test_a_metric_that_no_line_counts_towards_is_rejected(write_yaml):
    path = write(write_yaml, ("metrics:\n", 'metrics:\n  token_pct:\n    market_growth: {value: "1%", kind: fact, '
                                            "seed: s.txt}\n"))
    assert problems(path) == [f"{path}:65:3: metrics.token_pct: metric 'token_pct' is not counted by any line\n"
                              "    hint: name it in a line's counts_for, or remove it"]


def test_a_metric_a_line_counts_towards_needs_an_entry_under_metrics(write_yaml):
    path = write(write_yaml, ("counts_for: []", "counts_for: [share_pc]"))
    assert problems(path) == [f"{path}:27:18: lines.gov.counts_for[0]: metric 'share_pc' has no entry under 'metrics'\n"
                              "    hint: did you mean 'share_pct'?"]


def test_a_model_needs_at_least_one_preset(write_yaml):
    path = write(write_yaml, (STRATEGY[STRATEGY.index("presets:\n"):], "presets: {}\n"))
    assert problems(path) == [f"{path}:67:10: presets: expected at least one preset\n"
                              "    hint: a preset is a named bundle of constraints, e.g. the strategy a seed article "
                              "describes"]


def test_an_unknown_preset_key_gets_a_did_you_mean(write_yaml):
    path = write(write_yaml, ('margin_floor: "4%"', 'margin_flor: "4%"'))
    assert problems(path) == [f"{path}:72:5: presets.lean.margin_flor: unknown key 'margin_flor'\n"
                              "    hint: did you mean 'margin_floor'?"]


def test_a_preset_forces_a_move_with_true_or_false(write_yaml):
    path = write(write_yaml, ("force: {cut: true}", "force: {cut: 1}"))
    assert problems(path) == [f"{path}:71:18: presets.lean.force.cut: expected true or false, got 1"]


def test_a_preset_cannot_force_on_two_moves_that_exclude_each_other(write_yaml):
    path = write(write_yaml, ("force: {cut: true}", "force: {discount: true, build: true}"))
    assert problems(path) == [f"{path}:71:12: presets.lean.force: forces on both 'build' and 'discount', which 'build' "
                              "excludes\n    hint: force at most one of two moves that exclude each other"]


def test_a_preset_cannot_force_off_what_a_forced_move_requires(write_yaml):
    path = write(write_yaml, ("force: {cut: true}", "force: {discount: true, cut: false}"))
    assert problems(path) == [f"{path}:71:12: presets.lean.force: forces 'discount' on but 'cut', which it requires, "
                              "off\n    hint: a move needs its requirements: force both on, or leave one free"]


# ---------------------------------------------------------------------------------------------- the whole file

def test_every_problem_in_a_file_is_reported_at_once(write_yaml):
    path = write(write_yaml, ("vendor: acme", "vendor: Acme"),
                 (GOV_MARGIN, 'margin: {value: 5, kind: fact, seed: s.txt}'),
                 ("closes_lines: [gov]", "closes_lines: [govt]"),
                 ('margin_floor: "4%"', 'margin_flor: "4%"'))
    with pytest.raises(ConfigErrors) as exc:
        load_strategy(path)
    assert str(exc.value).splitlines()[0] == "cloudscore: 4 problems in the input"
    assert [f"{e.where.line}: {e.key}" for e in exc.value.errors] == [
        "3: vendor", "23: lines.gov.margin.value", "42: moves.cut.closes_lines[0]", "72: presets.lean.margin_flor"]


def test_a_section_that_is_not_a_mapping_is_reported_once_not_at_every_id_naming_it(write_yaml):
    start, end = STRATEGY.index("lines:\n"), STRATEGY.index("moves:\n")
    path = write(write_yaml, (STRATEGY[start:end], "lines: [core, gov, promo]\n"))
    assert problems(path) == [f"{path}:11:8: lines: expected a mapping of line id -> {{label, share_of_base, margin, "
                              "...}, got a list"]


def test_loading_never_modifies_the_file(write_yaml):
    for path in (write(write_yaml), Path("strategy/alibaba.yaml"),
                 write(write_yaml, ("vendor: acme", "vendor: Acme"))):
        before = (path.read_bytes(), path.stat().st_mtime_ns)
        collect_strategy(path, [])
        assert (path.read_bytes(), path.stat().st_mtime_ns) == before


OBSERVED = ('horizon_quarters: 4\n', 'horizon_quarters: 4\nobserved:\n  {quarter}:\n    revenue_rmb_bn: {value}\n')


def test_observed_quarters_load_as_facts_for_the_backtest(write_yaml):
    path = write(write_yaml, (OBSERVED[0], OBSERVED[1].format(quarter="2024-Q3",
                                                              value='{value: 12, kind: fact, fact: "r@2024-Q3"}')))
    assert load_strategy(path).observed["2024-Q3"]["revenue_rmb_bn"].value == 12


def test_an_observed_quarter_outside_the_horizon_is_refused(write_yaml):
    path = write(write_yaml, (OBSERVED[0], OBSERVED[1].format(quarter="2025-Q1",
                                                              value='{value: 12, kind: fact, fact: "r@2025-Q1"}')))
    assert problems(path) == [f"{path}:9:3: observed.2025-Q1: quarter 2025-Q1 is outside the horizon (4 quarters "
                              "after 2023-Q3)\n    hint: observe only the quarters the model projects"]


def test_an_observation_cannot_be_an_assumption(write_yaml):
    value = '{value: 12, kind: assumption, owner: me, date: 2024-01-01, low: 10, high: 14}'
    path = write(write_yaml, (OBSERVED[0], OBSERVED[1].format(quarter="2024-Q3", value=value)))
    assert problems(path) == [f"{path}:10:39: observed.2024-Q3.revenue_rmb_bn.kind: an observation must be a fact "
                              "(or derived from facts), got 'assumption'\n    hint: cite the fact row or seed that "
                              "reports it"]
