"""As-of selection, staleness, missing data and the stability formula, checked against hand-worked values."""

import datetime as dt
import textwrap

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from benchmarks.pipeline import synthetic_inputs
from scoring.errors import ConfigErrors
from scoring.load import load_inputs
from scoring.matrix import build_matrix, make_matrix, select_observation, shift_months, stability_level

CRITERIA = textwrap.dedent("""\
    name: t
    normalization: fixed
    staleness_months: 12
    criteria:
      share: {metric: share_pct, direction: max, weight: 1, scale: {min: 0, max: 50}, missing: MISSING}
      stability: {metric: stability_level, direction: max, weight: 1, scale: {min: 0, max: 5}}
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
        - {below: 40, level: 2}
        - {below: 100, level: 1}
      otherwise: 0
      no_incidents: {verified: 5, unverified: 4, none: 3}
    """)

# Alibaba's disclosed incidents as in vendor-facts.md §2.3, and Tencent's April 2024 one (post-mortem after 6 days).
ALIBABA = textwrap.dedent("""\
    id: alibaba
    name: Alibaba Cloud
    status_page: {value: unverified, source: status page, confidence: high}
    incidents:
      - {date: 2022-12-18, duration_hours: 14, scope: az, plane: data, source: s, confidence: high}
      - {date: 2023-11-12, duration_hours: 3.5, scope: global, plane: control, source: s, confidence: high}
      - {date: 2023-11-27, duration_hours: 1.7, scope: multi_region, plane: control, source: s, confidence: high}
      - {date: 2024-07-02, duration_hours: 0.63, scope: az, plane: data, source: s, confidence: medium}
      - {date: 2024-09-10, duration_hours: 168, scope: az, plane: data, source: s, confidence: medium}
    metrics:
      share_pct:
        - {value: 39, period: 2023-Q3, source: Canalys, source_date: 2024-01-23, confidence: high}
        - {value: 34, period: 2022-Q2, source: Canalys, source_date: 2022-09-09, confidence: high}
        - {value: 33, period: 2025-Q1, source: Canalys, source_date: 2025-07-11, confidence: high}
        - {value: 35, period: 2025-Q1, source: guess, source_date: 2025-05-01, confidence: low, estimate: true,
           note: a guess}
    """)
TENCENT = textwrap.dedent("""\
    id: tencent
    name: Tencent Cloud
    status_page: {value: verified, source: dashboard, confidence: high}
    incidents:
      - {date: 2024-04-08, duration_hours: 1.45, scope: global, plane: control, postmortem_days: 6, source: s,
         confidence: high}
    metrics:
      share_pct:
        - {value: 15, period: 2023-Q3, source: Canalys, source_date: 2023-11-20, confidence: high}
    """)
TIANYI = "id: tianyi\nname: Tianyi Cloud\nstatus_page: {value: none, source: none found, confidence: low}\n"


@pytest.fixture
def inputs(write_yaml, tmp_path):
    def make(missing="worst"):
        crit = write_yaml("c.yaml", CRITERIA.replace("MISSING", missing))
        for vid, text in (("alibaba", ALIBABA), ("tencent", TENCENT), ("tianyi", TIANYI)):
            write_yaml(f"v/{vid}.yaml", text)
        return load_inputs(crit, tmp_path / "v")
    return make


@pytest.mark.parametrize("as_of, expected_hours, expected_level", [
    # 14 x 1 x 1 + 3.5 x 4 x 0.5 + 1.7 x 2.5 x 0.5 = 23.125 -> level 2 (vendor-facts.md: "total ~23, score 2")
    ("2024-01-31", 14 + 3.5 * 4 * 0.5 + 1.7 * 2.5 * 0.5, 2),
    # 0.63 + min(168, 72) = 72.63 -> level 1 (vendor-facts.md: "total ~73, score 1")
    ("2025-12-31", 0.63 + 72, 1),
    # the whole window is empty 24 months after the last incident: unknown practice -> the status-page level
    ("2026-09-11", 0.0, 4),
])
def test_alibaba_stability_matches_the_hand_worked_examples(inputs, as_of, expected_hours, expected_level):
    criteria, vendors = inputs()
    alibaba = next(v for v in vendors if v.id == "alibaba")
    level, info = stability_level(alibaba, criteria.stability, dt.date.fromisoformat(as_of))
    assert info["weighted_hours"] == pytest.approx(expected_hours)
    assert level == expected_level


def test_a_post_mortem_within_the_stated_days_earns_the_factor(inputs):
    criteria, vendors = inputs()
    tencent = next(v for v in vendors if v.id == "tencent")
    level, info = stability_level(tencent, criteria.stability, dt.date(2025, 12, 31))
    assert info["weighted_hours"] == pytest.approx(1.45 * 4 * 0.5 * 0.8)     # 2.32, "score 4" in the fact sheet
    assert level == 4 and "unknown" not in info["flags"]


def test_no_disclosed_incident_is_unknown_not_perfect(inputs):
    criteria, vendors = inputs()
    tianyi = next(v for v in vendors if v.id == "tianyi")
    level, info = stability_level(tianyi, criteria.stability, dt.date(2025, 12, 31))
    assert level == criteria.stability.no_incidents["none"] == 3
    assert "unknown" in info["flags"]


def test_as_of_takes_the_latest_observation_that_was_over_and_public(inputs):
    criteria, vendors = inputs()
    seeds_view = build_matrix(criteria, vendors, dt.date(2023, 12, 31))
    # Q3 2023's 39% was published on 2024-01-23: not known at the end of 2023, so Q2 2022's 34% is used.
    assert seeds_view.values.loc["alibaba", "share"] == 34
    assert build_matrix(criteria, vendors, dt.date(2024, 1, 31)).values.loc["alibaba", "share"] == 39
    # A fact beats an estimate for the same period.
    assert build_matrix(criteria, vendors, dt.date(2025, 12, 31)).values.loc["alibaba", "share"] == 33
    # Before the fact was published, the estimate is the latest thing known.
    assert build_matrix(criteria, vendors, dt.date(2025, 6, 30)).values.loc["alibaba", "share"] == 35


def test_an_observation_older_than_the_staleness_window_is_flagged(inputs):
    criteria, vendors = inputs()
    dm = build_matrix(criteria, vendors, dt.date(2023, 12, 31))
    flags = dm.evidence.set_index(["vendor", "criterion"])["flags"]
    assert "stale" in flags[("alibaba", "share")]            # 2022-Q2 ended 18 months before; window 12
    assert "stale" not in flags[("tencent", "share")]        # 2023-Q3


def test_a_missing_figure_stays_missing_and_is_flagged(inputs):
    criteria, vendors = inputs()
    dm = build_matrix(criteria, vendors, dt.date(2025, 12, 31))
    assert np.isnan(dm.values.loc["tianyi", "share"])
    assert dm.evidence.set_index(["vendor", "criterion"])["flags"][("tianyi", "share")] == ["missing"]


def test_missing_error_policy_refuses_to_rank_and_says_who(inputs):
    criteria, vendors = inputs(missing="error")
    with pytest.raises(ConfigErrors, match=r"c\.yaml:5:3: criteria\.share: vendor 'tianyi' has no value of "
                                           r"'share_pct' known at 2025-12-31 \(missing: error\)"):
        build_matrix(criteria, vendors, dt.date(2025, 12, 31))


def test_shift_months_clamps_to_the_end_of_the_month():
    assert shift_months(dt.date(2024, 3, 31), -1) == dt.date(2024, 2, 29)
    assert shift_months(dt.date(2023, 1, 15), 24) == dt.date(2025, 1, 15)


def test_select_observation_returns_none_when_nothing_is_known_yet(inputs):
    _, vendors = inputs()
    alibaba = next(v for v in vendors if v.id == "alibaba")
    assert select_observation(alibaba.metrics["share_pct"], dt.date(2021, 1, 1)) is None


# ------------------------------------------------------------------------------------------------ make_matrix

def matrix_problems(**changes) -> str:
    """The ValueError make_matrix raises for a two-vendor, two-column matrix with ``changes`` to its arguments."""
    arguments = dict(columns={"share": [30.0, 10.0], "outages": [1.0, 2.0]}, vendors=["a", "b"],
                     weights={"share": 2, "outages": 1})
    arguments.update(changes)
    with pytest.raises(ValueError) as exc:
        make_matrix(**arguments)
    return str(exc.value)


def test_make_matrix_rescales_weights_and_defaults_directions_to_max():
    dm = make_matrix({"share": [30.0, 10.0], "outages": [1.0, 2.0]}, vendors=["a", "b"],
                     weights={"share": 3, "outages": 1}, directions={"outages": "min"},
                     bounds={"share": (0, 50)}, low={"share": [25.0, 5.0]})
    assert dm.weights.to_dict() == {"share": 0.75, "outages": 0.25}
    assert dm.directions.to_dict() == {"share": "max", "outages": "min"}
    assert dm.lower.to_dict()["share"] == 0 and np.isnan(dm.lower["outages"])
    assert dm.low["share"].tolist() == [25.0, 5.0] and dm.high["share"].tolist() == [30.0, 10.0]


def test_make_matrix_refuses_a_direction_spelt_otherwise_than_max_or_min():
    """'Max' used to be read as min."""
    assert matrix_problems(directions={"share": "Max", "outages": "lower"}) == (
        "make_matrix: 2 problems in the arguments\n"
        "directions['share']: expected 'max' or 'min', got 'Max' (did you mean 'max'?)\n"
        "directions['outages']: expected 'max' or 'min', got 'lower'")


@pytest.mark.parametrize("argument, value", [
    ("weights", {"share": 2, "outages": 1, "shares": 1}),
    ("directions", {"shares": "max"}),
    ("bounds", {"shares": (0, 1)}),
    ("low", {"shares": [0.0, 0.0]}),
    ("high", {"shares": [0.0, 0.0]}),
])
def test_make_matrix_refuses_keys_that_are_not_columns_with_a_did_you_mean(argument, value):
    assert matrix_problems(**{argument: value}) == (
        f"make_matrix: 1 problem in the arguments\n{argument}['shares']: not a column (did you mean 'share'?)")


def test_make_matrix_names_the_columns_when_no_key_is_close():
    assert matrix_problems(directions={"zzz": "max"}) == (
        "make_matrix: 1 problem in the arguments\n"
        "directions['zzz']: not a column (the columns are 'share', 'outages')")


def test_make_matrix_refuses_a_column_without_a_weight():
    assert matrix_problems(weights={"share": 2}) == (
        "make_matrix: 1 problem in the arguments\nweights: no weight for column 'outages'")


def test_make_matrix_refuses_columns_whose_length_is_not_the_number_of_vendors():
    assert matrix_problems(columns={"share": [30.0], "outages": [1.0, 2.0, 3.0]},
                           low={"share": [1.0, 2.0, 3.0]}, high={"outages": [1.0]}) == (
        "make_matrix: 4 problems in the arguments\n"
        "columns['share']: 1 values for 2 vendors\n"
        "columns['outages']: 3 values for 2 vendors\n"
        "low['share']: 3 values for 2 vendors\n"
        "high['outages']: 1 values for 2 vendors")


def test_make_matrix_refuses_values_that_are_not_numbers():
    assert matrix_problems(columns={"share": ["high", "low"], "outages": 3.0}) == (
        "make_matrix: 2 problems in the arguments\n"
        "columns['share']: expected a list of numbers, got ['high', 'low']\n"
        "columns['outages']: expected a list of numbers, got an array of shape ()")


def test_make_matrix_refuses_a_repeated_vendor_id():
    assert matrix_problems(vendors=["a", "a"]) == (
        "make_matrix: 1 problem in the arguments\nvendors: 'a' appears 2 times; each vendor id names one row")


@pytest.mark.parametrize("bound", [(5, 5), (10, 0), (0, float("inf")), (float("nan"), 1), (0,), "0-50"])
def test_make_matrix_refuses_bounds_that_are_not_finite_with_lo_below_hi(bound):
    assert matrix_problems(bounds={"share": bound}) == (
        f"make_matrix: 1 problem in the arguments\n"
        f"bounds['share']: expected finite (lo, hi) with lo < hi, got {bound!r}")


@pytest.mark.parametrize("weight", [-1, float("nan"), float("inf"), "2", True, None])
def test_make_matrix_refuses_weights_that_are_negative_or_not_finite_numbers(weight):
    assert matrix_problems(weights={"share": weight, "outages": 1}) == (
        f"make_matrix: 1 problem in the arguments\n"
        f"weights['share']: expected a finite non-negative number, got {weight!r}")


def test_make_matrix_refuses_all_zero_weights():
    assert matrix_problems(weights={"share": 0, "outages": 0.0}) == (
        "make_matrix: 1 problem in the arguments\n"
        "weights: every weight is zero; give at least one column a positive weight")


def test_make_matrix_refuses_an_empty_matrix():
    assert matrix_problems(columns={}, weights={}) == (
        "make_matrix: 1 problem in the arguments\ncolumns: no columns; give at least one criterion")


def test_make_matrix_refuses_an_unknown_missing_policy():
    assert matrix_problems(missing="wrost") == (
        "make_matrix: 1 problem in the arguments\n"
        "missing: expected one of 'worst', 'median', 'error', got 'wrost' (did you mean 'worst'?)")


def test_make_matrix_lists_every_problem_at_once():
    assert matrix_problems(vendors=["a", "a"], weights={"share": -1, "outage": 1}, directions={"outages": "MIN"},
                           bounds={"share": (50, 0)}, missing="none") == "\n".join([
        "make_matrix: 7 problems in the arguments",
        "vendors: 'a' appears 2 times; each vendor id names one row",
        "weights['share']: expected a finite non-negative number, got -1",
        "weights: no weight for column 'outages'",
        "weights['outage']: not a column (did you mean 'outages'?)",
        "directions['outages']: expected 'max' or 'min', got 'MIN' (did you mean 'min'?)",
        "bounds['share']: expected finite (lo, hi) with lo < hi, got (50, 0)",
        "missing: expected one of 'worst', 'median', 'error', got 'none'"])


# --- the columnar build (issue 10) against a plain cell-by-cell reference -----------------------------------------

def reference_cells(criteria, vendors, as_of):
    """Every cell the straightforward way: one observation, one uncertainty_range call, one flag list per cell,
    vendor by vendor (what build_matrix did before it was built column by column)."""
    from scoring.matrix import FLAGS, uncertainty_range
    chosen = sorted((v for v in vendors if not criteria.vendors or v.id in criteria.vendors), key=lambda v: v.id)
    stale_before = shift_months(as_of, -criteria.staleness_months)
    cells = {}
    for v in chosen:
        for c in criteria.criteria:
            if criteria.stability is not None and c.metric == criteria.stability.metric:
                level, info = stability_level(v, criteria.stability, as_of)
                in_order = [f for f in FLAGS if f in info["flags"]]          # every cell's flags in FLAGS order
                cells[v.id, c.id] = (level, *uncertainty_range(level, info["confidence"], c), in_order,
                                     info["where"], info["note"])
                continue
            obs = select_observation(v.metrics.get(c.metric, ()), as_of)
            if obs is None:
                cells[v.id, c.id] = (np.nan, np.nan, np.nan, ["missing"], "",
                                     f"no observation of {c.metric!r} known at {as_of}")
                continue
            flags = [f for f, on in (("estimate", obs.estimate), ("unsourced", obs.unsourced),
                                     ("stale", obs.period_end is not None and obs.period_end < stale_before),
                                     ("low-confidence", obs.confidence == "low"),
                                     ("clipped", criteria.normalization == "fixed" and c.scale is not None
                                      and not c.scale.lo <= obs.value <= c.scale.hi)) if on]
            cells[v.id, c.id] = (obs.value, *uncertainty_range(obs.value, obs.confidence, c, obs.low, obs.high),
                                 flags, str(obs.where), obs.note, obs.period or "")
    # mixed-period: an observed cell whose period is not the one most of its criterion's observed cells share
    # (the latest among equally common ones)
    from collections import Counter

    from scoring.models import period_bounds
    for c in criteria.criteria:
        observed = {k: cell for k, cell in cells.items() if k[1] == c.id and len(cell) == 7 and cell[6]}
        counts = Counter(cell[6] for cell in observed.values())
        if len(counts) > 1:
            usual = sorted(counts, key=lambda p: (counts[p], period_bounds(p)[1]))[-1]
            for k, (value, lo, hi, flags, where, note, period) in observed.items():
                if period != usual:
                    cells[k] = (value, lo, hi, [*flags, "mixed-period"], where,
                                f"{note} [period {period}; most of this criterion measures {usual}]".strip(), period)
    return {k: cell[:6] for k, cell in cells.items()}


@pytest.mark.parametrize("source", ["bundled-2023", "bundled-2025", "synthetic"])
def test_the_columnar_matrix_equals_a_cell_by_cell_reference(source):
    if source == "synthetic":                # missing cells, estimates, low confidence, every direction
        criteria, vendors = synthetic_inputs(40, 12, seed=3)
        as_of = dt.date(2025, 12, 31)
    else:
        criteria, vendors = load_inputs("criteria/baseline.yaml", "vendors")
        as_of = dt.date(2023, 12, 31) if source == "bundled-2023" else dt.date(2025, 12, 31)
    dm = build_matrix(criteria, vendors, as_of)
    expected = reference_cells(criteria, vendors, as_of)
    evidence = dm.evidence.set_index(["vendor", "criterion"])
    assert len(evidence) == len(expected) == dm.values.size
    for (vid, cid), (value, lo, hi, flags, where, note) in expected.items():
        row = evidence.loc[(vid, cid)]
        np.testing.assert_equal([dm.values.loc[vid, cid], dm.low.loc[vid, cid], dm.high.loc[vid, cid]],
                                [value, lo, hi])
        np.testing.assert_equal([row["value"], row["low"], row["high"]], [value, lo, hi])
        assert (row["flags"], row["where"], row["note"]) == (flags, where, note), (vid, cid)


def test_the_explanation_and_vendor_flags_equal_a_cell_by_cell_reference():
    """Flags in FLAGS order per cell (a missing figure always says so), and a vendor's flags are the union."""
    from scoring.matrix import FLAGS
    from scoring.pipeline import score
    criteria, vendors = synthetic_inputs(30, 8, seed=5)
    result = score(criteria, vendors)
    dm = result.matrix
    evidence = dm.evidence.set_index(["vendor", "criterion"])
    for row in result.explanation.itertuples():
        own = evidence.loc[(row.vendor, row.criterion), "flags"]
        wanted = set(own) | ({"missing"} if np.isnan(dm.values.loc[row.vendor, row.criterion]) else set())
        assert row.flags == [f for f in FLAGS if f in wanted]
        assert row.contribution == pytest.approx(row.normalized * row.weight, abs=1e-15)
    union = result.explanation.groupby("vendor")["flags"].apply(
        lambda col: [f for f in FLAGS if any(f in x for x in col)])
    assert result.ranking.set_index("vendor")["flags"].to_dict() == union.to_dict()


@pytest.mark.parametrize("case", ["missing-error", "normalization-refuses"])
def test_validate_finds_exactly_the_problems_that_scoring_raises(case):
    """check_matrix (validate, no pandas) and build_checked_matrix (scoring) report the same located problems."""
    import dataclasses

    from scoring.models import Observation
    from scoring.pipeline import build_checked_matrix, check_matrix
    criteria, vendors = synthetic_inputs(20, 6, seed=2)
    if case == "missing-error":
        criteria = dataclasses.replace(criteria, criteria=tuple(dataclasses.replace(c, missing="error")
                                                                for c in criteria.criteria))
    else:                                    # under 'max', a 'min' criterion needs x > 0: give two vendors a 0
        criteria = dataclasses.replace(criteria, normalization="max")
        metric = criteria.criteria[0].metric                      # c0 is a 'min' criterion
        for k in (3, 11):
            v = vendors[k]
            obs = v.metrics[metric][0] if metric in v.metrics else Observation(0.0, v.where)
            vendors[k] = dataclasses.replace(v, metrics={**v.metrics, metric: (dataclasses.replace(obs, value=0.0),)})
    as_of = dt.date(2025, 12, 31)
    found = check_matrix(criteria, vendors, as_of)
    with pytest.raises(ConfigErrors) as raised:
        build_checked_matrix(criteria, vendors, as_of)
    assert found and [str(e) for e in found] == [str(e) for e in raised.value.errors]


# --- the observation's record, made when it is loaded (issue 10) --------------------------------------------------

_dates = st.one_of(st.none(), st.dates(dt.date(1990, 1, 1), dt.date(2030, 12, 31)))


@given(value=st.floats(allow_nan=False, allow_infinity=False), period_end=_dates, source_date=_dates,
       unsourced=st.booleans(), estimate=st.booleans(), fact=st.one_of(st.none(), st.just("a:b@2024-Q1")),
       confidence=st.sampled_from([None, "high", "medium", "low"]), as_of=_dates.filter(bool))
def test_an_observation_is_known_exactly_when_its_period_ended_and_its_source_was_published(
        value, period_end, source_date, unsourced, estimate, fact, confidence, as_of):
    from scoring.errors import Where
    from scoring.models import RECORD_FIELDS, Observation
    o = Observation(value, Where("v.yaml", 3, 5), period="2024-Q1" if period_end else None, period_end=period_end,
                    source="s", source_date=source_date, confidence=confidence, estimate=estimate, fact=fact,
                    unsourced=unsourced)
    known = unsourced or ((period_end is None or period_end <= as_of) and (source_date is None or source_date <= as_of))
    assert (select_observation((o,), as_of) is o) == known == (select_observation((o, o), as_of) is o)
    record = dict(zip(RECORD_FIELDS, o.record, strict=True))
    assert record["where"] == "v.yaml:3:5" and record["period"] == (o.period or "")
    assert record["source_date"] == (str(source_date) if source_date else "")
    assert record["fact"] == (fact or ("estimate" if estimate else ""))
    assert record["period_end_day"] == (period_end.toordinal() if period_end else 0)
    # a copy with one field changed gets its own record (dataclasses.replace runs __post_init__ again)
    import dataclasses
    assert dataclasses.replace(o, value=value + 1).record[0] == value + 1


def test_the_evidence_lists_every_cell_vendor_by_vendor_as_the_explanation_does():
    from scoring.pipeline import score
    criteria, vendors = synthetic_inputs(7, 5, seed=2)
    result = score(criteria, vendors)
    ev = result.matrix.evidence
    assert ev["vendor"].tolist() == [v for v in result.matrix.values.index for _ in range(5)]
    assert ev["criterion"].tolist() == list(result.matrix.values.columns) * 7
    assert ev[["vendor", "criterion"]].values.tolist() == result.explanation[["vendor", "criterion"]].values.tolist()
