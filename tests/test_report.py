"""The ranking's outputs: CSV that pandas reads as it is, parts that really add up, groups and their rationale."""

import io

import numpy as np
import pandas as pd
import pytest

from scoring.methods import METHODS
from scoring.pipeline import run
from scoring.report import provenance_block, render_csv, render_markdown, render_provenance, render_table, score_parts


@pytest.fixture(scope="module")
def results():
    return {m: run("criteria/baseline.yaml", "vendors", method=m) for m in METHODS}


@pytest.mark.parametrize("method", list(METHODS))
def test_csv_reads_with_pandas_as_it_is_and_its_parts_add_up_to_the_named_column(results, method):
    frame = pd.read_csv(io.StringIO(render_csv(results[method])))
    assert list(frame["vendor"]) == list(results[method].ranking["vendor"])
    parts = frame[[c for c in frame.columns if c.startswith("part_")]].sum(axis=1)
    (total,) = set(frame["adds_up_to"])
    assert np.allclose(parts, frame[total], atol=5e-6)          # six decimals per cell


@pytest.mark.parametrize("method", list(METHODS))
def test_score_parts_add_up_to_the_score_exactly_when_they_say_so(results, method):
    r = results[method]
    parts = score_parts(r)
    ranking = r.ranking.set_index("vendor")
    gap = (parts.table.sum(axis=1) - ranking[parts.total_column]).abs().max()
    assert gap < 1e-12
    if parts.total_column == "weighted_sum":            # TOPSIS: and they do NOT add up to its score
        assert (parts.table.sum(axis=1) - ranking["score"]).abs().max() > 1e-3
        assert "not additive" in parts.note


def test_promethee_parts_are_weight_times_each_criterions_own_net_flow(results):
    """Computed another way: one criterion at a time, PROMETHEE II on that criterion alone (weight 1)."""
    r = results["promethee"]
    scorer = r.scorer
    parts = score_parts(r).table
    for j, crit in enumerate(scorer.criteria):
        alone = np.zeros(len(scorer.criteria))
        alone[j] = 1.0
        assert np.allclose(parts[crit].to_numpy(), scorer.weights[j] * scorer.scores(alone), atol=1e-12)


def test_the_markdown_says_what_adds_up_and_shows_the_weighted_sum_under_topsis(results):
    md = render_markdown(results["topsis"])
    assert "| weighted sum |" in md and "TOPSIS is not additive" in md
    assert "they add up to the score" not in md
    table = render_table(results["topsis"])
    assert "weighted_sum" in table.splitlines()[3]


def test_groups_their_weights_and_rationale_are_shown_and_no_weight_is_called_as_typed(results):
    r = results["weighted-sum"]
    md = render_markdown(r)
    assert "as typed" not in md
    for g in r.criteria.groups:
        row = next(line for line in md.splitlines() if line.startswith(f"| {g.label} | {g.raw_weight:g} |"))
        assert f"{g.weight:.1%}" in row and g.rationale.split()[0] in row
    assert "(subtotal)" in md


def test_the_provenance_sidecar_is_the_same_block_as_the_markdowns(results):
    r = results["weighted-sum"]
    block = provenance_block(r)
    side = render_provenance(r).splitlines()
    assert side == [f"{k}: {v}" for k, v in block]
    md = render_markdown(r)
    for k, v in block:
        assert f"- {k}: `{v}`" in md


def _two_vendors(write_yaml, low: float):
    crit = write_yaml("c.yaml", """\
        name: t
        as_of: 2024-06-30
        normalization: fixed
        criteria:
          a: {metric: m1, direction: max, weight: 1, scale: {min: 0, max: 5}, unit: level}
          b: {metric: m2, direction: max, weight: 1, scale: {min: 0, max: 5}, unit: level}
        """)
    write_yaml("v/x.yaml", f"""\
        id: x
        name: X
        metrics:
          m1: {{value: 3, low: {low}, high: 3.5, estimate: true, period: "2023", source: s, confidence: low,
                note: judgement}}
          m2: {{value: 2.5, period: "2023", source: s, confidence: high}}
        """)
    write_yaml("v/y.yaml", """\
        id: y
        name: Y
        metrics:
          m1: {value: 2.5, period: "2023", source: s, confidence: high}
          m2: {value: 2.5, period: "2023", source: s, confidence: high}
        """)
    from scoring.pipeline import report
    return report(run(crit, crit.parent / "v"), draws=200, since=None)


def test_an_estimate_whose_range_swaps_two_neighbours_is_a_caveat_and_one_whose_range_does_not_is_not(write_yaml):
    decides = _two_vendors(write_yaml, low=1)           # at 1, X scores 0.35 < Y's 0.5
    assert [(c.vendor, c.criterion) for c in decides.caveats] == [("x", "a")]
    assert "at the low end of its plausible range (1) Y would be ahead" in decides.caveats[0].text
    safe = _two_vendors(write_yaml, low=2.75)           # at 2.75, X still scores 0.525 > 0.5
    assert safe.caveats == []


def test_tied_leaders_are_called_a_tie_with_the_criteria_that_would_break_it(write_yaml):
    """X leads on a by as much as Y leads on b, with equal weights: a tie, which more weight on a breaks for X
    and more weight on b for Y."""
    crit = write_yaml("c.yaml", """\
        name: t
        as_of: 2024-06-30
        normalization: fixed
        criteria:
          a: {metric: m1, direction: max, weight: 1, scale: {min: 0, max: 5}, unit: level, label: Share}
          b: {metric: m2, direction: max, weight: 1, scale: {min: 0, max: 5}, unit: level, label: Chips}
        """)
    for vid, m1, m2 in (("x", 3, 2), ("y", 2, 3)):
        write_yaml(f"v/{vid}.yaml", f"""\
            id: {vid}
            name: {vid.upper()} Cloud
            metrics:
              m1: {{value: {m1}, period: "2023", source: s, confidence: high}}
              m2: {{value: {m2}, period: "2023", source: s, confidence: high}}
            """)
    from scoring.pipeline import report
    data = report(run(crit, crit.parent / "v"), draws=200, since=None)
    assert data.bottom_line.startswith("X Cloud and Y Cloud tie for first")
    assert data.why_text.startswith("X Cloud and Y Cloud tie") and "balance out" in data.why_text
    assert any("more weight on Share puts X Cloud ahead" in flip for flip in data.flips), data.flips
