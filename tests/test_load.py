"""One test per validation rule: each asserts the full located message (file:line:column: key: problem)."""

import re
import subprocess
import sys
import textwrap
import time
import tracemalloc

import pytest

from scoring.errors import ConfigErrors
from scoring.load import load_criteria, load_inputs, load_vendor, load_vendors

GOOD_CRITERIA = textwrap.dedent("""\
    name: t
    method: weighted-sum
    normalization: min-max
    criteria:
      share: {metric: share_pct, direction: max, weight: 3}
      incidents: {metric: outage_count, direction: min, weight: 1}
    """)


def vendor_text(vid: str, share="30", outages="2") -> str:
    return f"""\
        id: {vid}
        name: Vendor {vid.upper()}
        metrics:
          share_pct:
            - {{value: {share}, period: 2024, source: test, confidence: high}}
          outage_count: {outages}
        """


def errors_of(excinfo) -> str:
    return str(excinfo.value)


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


def test_weights_are_rescaled_and_percentages_are_accepted(write_yaml):
    path = write_yaml("c.yaml", """\
        name: t
        normalization: min-max
        criteria:
          a: {metric: m1, direction: max, weight: "30%"}
          b: {metric: m2, direction: max, weight: 10}
        """)
    assert [c.weight for c in load_criteria(path).criteria] == pytest.approx([0.75, 0.25])


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


def test_unknown_key_is_reported_with_line_column_and_did_you_mean(write_yaml):
    path = write_yaml("c.yaml", """\
        name: t
        normalization: min-max
        criteria:
          share: {metric: m1, direction: max, wieght: 1}
        """)
    with pytest.raises(ConfigErrors) as exc:
        load_criteria(path)
    text = errors_of(exc)
    assert re.search(r"c\.yaml:4:39: criteria\.share\.wieght: unknown key 'wieght'\n"
                     r"    hint: did you mean 'weight'\?", text)
    assert re.search(r"c\.yaml:4:\d+: criteria\.share: missing required key 'weight'", text)


def test_unknown_top_level_key_gets_a_did_you_mean(write_yaml):
    path = write_yaml("c.yaml", GOOD_CRITERIA + "normalisation: max\n")
    with pytest.raises(ConfigErrors, match=r"c\.yaml:7:1: normalisation: unknown key 'normalisation'\n"
                                           r"    hint: did you mean 'normalization'\?"):
        load_criteria(path)


def test_direction_typo_names_the_two_choices(write_yaml):
    path = write_yaml("c.yaml", GOOD_CRITERIA.replace("direction: min", "direction: lower"))
    with pytest.raises(ConfigErrors, match=r"c\.yaml:6:48: criteria\.incidents\.direction: "
                                           r"expected 'max' or 'min', got 'lower'"):
        load_criteria(path)


def test_duplicate_yaml_key_is_an_error_not_silently_the_last_value(write_yaml):
    path = write_yaml("c.yaml", GOOD_CRITERIA.replace("name: t\n", "name: t\nname: u\n", 1))
    with pytest.raises(ConfigErrors, match=r"c\.yaml:2:1: name: duplicate key 'name' \(first set on line 1\)"):
        load_criteria(path)


@pytest.mark.parametrize("weight, expected", [
    ("-1", r"expected a non-negative weight in \[0, inf\], got -1"),
    ("heavy", r"expected a non-negative weight, got text 'heavy'"),
    ("true", r"expected a non-negative weight, got boolean True"),
    (".nan", r"expected a finite number, got nan"),
    (".inf", r"expected a finite number, got inf"),
    ("[1]", r"expected a non-negative weight, got a list"),
])
def test_bad_weight_is_rejected_with_what_was_found(write_yaml, weight, expected):
    path = write_yaml("c.yaml", GOOD_CRITERIA.replace("weight: 3", f"weight: {weight}"))
    with pytest.raises(ConfigErrors, match=r"c\.yaml:5:\d+: criteria\.share\.weight: " + expected):
        load_criteria(path)


def test_all_zero_weights_are_rejected(write_yaml):
    path = write_yaml("c.yaml", GOOD_CRITERIA.replace("weight: 3", "weight: 0").replace("weight: 1", "weight: 0"))
    with pytest.raises(ConfigErrors, match=r"c\.yaml:4:1: criteria: every criterion weight is zero"):
        load_criteria(path)


def test_fixed_normalization_requires_a_scale_on_every_criterion(write_yaml):
    path = write_yaml("c.yaml", GOOD_CRITERIA.replace("normalization: min-max", "normalization: fixed"))
    with pytest.raises(ConfigErrors) as exc:
        load_criteria(path)
    assert "criteria.share: missing required key 'scale' (normalization is 'fixed')" in errors_of(exc)
    assert "criteria.incidents: missing required key 'scale'" in errors_of(exc)


def test_all_problems_in_all_files_are_reported_in_one_run(write_yaml, tmp_path):
    crit = write_yaml("c.yaml",
                      GOOD_CRITERIA.replace("direction: max", "direction: up").replace("weight: 1", "weight: -2"))
    write_yaml("v/a.yaml", vendor_text("a", share="n/a"))
    write_yaml("v/b.yaml", vendor_text("b", share="140"))
    with pytest.raises(ConfigErrors) as exc:
        load_inputs(crit, tmp_path / "v")
    text = errors_of(exc)
    assert text.startswith("cloudscore: 4 problems in the input")
    assert "criteria.share.direction: expected 'max' or 'min', got 'up'" in text
    assert "criteria.incidents.weight: expected a non-negative weight in [0, inf], got -2" in text
    assert re.search(r"a\.yaml:5:15: metrics\.share_pct\[0\]\.value: expected a number \(pct\), got text 'n/a'", text)
    assert re.search(r"b\.yaml:5:15: metrics\.share_pct\[0\]\.value: expected a number \(pct\) in \[0, 100\], "
                     r"got 140", text)


def test_a_criterion_metric_that_no_vendor_has_gets_a_did_you_mean(write_yaml, tmp_path):
    crit = write_yaml("c.yaml", GOOD_CRITERIA.replace("metric: outage_count", "metric: outages_count"))
    write_yaml("v/a.yaml", vendor_text("a"))
    with pytest.raises(ConfigErrors, match=r"c\.yaml:6:23: criteria\.incidents\.metric: no vendor has the metric "
                                           r"'outages_count'\n    hint: did you mean 'outage_count'\?"):
        load_inputs(crit, tmp_path / "v")


def test_a_value_outside_the_criterion_unit_range_is_located_in_the_vendor_file(write_yaml, tmp_path):
    crit = write_yaml("c.yaml", GOOD_CRITERIA.replace("metric: outage_count, direction: min,",
                                                      "metric: outage_count, unit: pct, direction: min,"))
    write_yaml("v/a.yaml", vendor_text("a", outages="250"))
    with pytest.raises(ConfigErrors, match=r"a\.yaml:6:\d+: metrics\.outage_count\.value: expected a value in "
                                           r"\[0, 100\] for criterion 'incidents' \(unit 'pct'\), got 250"):
        load_inputs(crit, tmp_path / "v")


@pytest.mark.parametrize("value, expected", [(".nan", "expected a finite number, got nan"),
                                             ("-.inf", "expected a finite number, got -inf"),
                                             ("yes", "expected a number (pct), got boolean True")])
def test_nan_infinite_and_boolean_metric_values_are_rejected(write_yaml, value, expected):
    path = write_yaml("a.yaml", vendor_text("a", share=value))
    with pytest.raises(ConfigErrors, match=r"a\.yaml:5:15: metrics\.share_pct\[0\]\.value: " + re.escape(expected)):
        load_vendor(path)


def test_two_files_with_the_same_vendor_id_are_rejected(write_yaml, tmp_path):
    write_yaml("v/a.yaml", vendor_text("a"))
    write_yaml("v/b.yaml", vendor_text("a"))
    with pytest.raises(ConfigErrors, match=r"b\.yaml:1:5: id: vendor id 'a' is already used by .*a\.yaml"):
        load_vendors(tmp_path / "v")


def test_a_vendor_without_an_id_is_rejected(write_yaml):
    path = write_yaml("a.yaml", "name: Nameless\nmetrics:\n  m1: 1\n")
    with pytest.raises(ConfigErrors, match=r"a\.yaml:1:1: missing required key 'id'"):
        load_vendor(path)


def test_unknown_vendor_id_in_the_criteria_list_gets_a_did_you_mean(write_yaml, tmp_path):
    crit = write_yaml("c.yaml", GOOD_CRITERIA + "vendors: [alibab]\n")
    write_yaml("v/alibaba.yaml", vendor_text("alibaba"))
    with pytest.raises(ConfigErrors, match=r"c\.yaml:7:10: vendors: unknown vendor id 'alibab'\n"
                                           r"    hint: did you mean 'alibaba'\?"):
        load_inputs(crit, tmp_path / "v")


def test_an_estimate_without_reasoning_is_rejected(write_yaml):
    path = write_yaml("a.yaml", """\
        id: a
        name: A
        metrics:
          chip_level:
            - {value: 3, period: 2025, source: analyst, confidence: low, estimate: true}
        """)
    with pytest.raises(ConfigErrors, match=r"a\.yaml:5:7: metrics\.chip_level\[0\]: "
                                           r"an estimate needs its reasoning in 'note'"):
        load_vendor(path)


def test_a_malformed_period_says_which_forms_are_accepted(write_yaml):
    path = write_yaml("a.yaml", vendor_text("a").replace("period: 2024", "period: Q3 2023"))
    with pytest.raises(ConfigErrors, match=r"metrics\.share_pct\[0\]\.period: "
                                           r"expected a period \(YYYY, YYYY-Qn, YYYY-Hn"):
        load_vendor(path)


@pytest.mark.parametrize("content, expected", [
    (b"", r"x\.yaml: file is empty"),
    (b"# just a comment\n", r"x\.yaml: file is empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00", r"x\.yaml:1:1: not UTF-8 text \(byte 0x89\)"),
    (b"name: t\ncriteria: {a: [1, 2}\n", r"x\.yaml:2:\d+: YAML syntax error"),
    (b"name: t\ncriteria:\n\tc1: {}\n",
     r"x\.yaml:3:1: YAML syntax error: tab character used for indentation\n    hint: YAML indents with spaces only"),
    (b"name: !!python/object/apply:os.system [echo hi]\n",
     r"x\.yaml:1:7: tag 'tag:yaml\.org,2002:python/object/apply:os\.system' is not allowed"),
    (b"name: t\n---\nname: u\n", r"x\.yaml:2:1: more than one YAML document"),
])
def test_unreadable_files_get_a_located_message(write_yaml, content, expected):
    path = write_yaml("x.yaml", content)
    with pytest.raises(ConfigErrors, match=expected):
        load_criteria(path)


def test_an_alias_bomb_is_refused_fast_and_in_bounded_memory(write_yaml):
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    for i in range(1, 10):
        prev, cur = chr(96 + i), chr(97 + i)
        lines.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 9) + "]")
    path = write_yaml("bomb.yaml", "\n".join(lines) + "\n")
    tracemalloc.start()
    started = time.perf_counter()
    with pytest.raises(ConfigErrors, match=r"bomb\.yaml:\d+:\d+: more than 50,000 values after expanding aliases"):
        load_criteria(path)
    elapsed = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    # 9**10 values if expanded; refused after a bounded number of nodes.
    # Generous bounds: this is a guard, not a benchmark.
    assert elapsed < 5 and peak < 100 * 2**20


DEEP_FILES = {
    "flow": "a: " + "[" * 100_000 + "]" * 100_000 + "\n",
    "flow-mappings": "a: " + "{b: " * 5_000 + "1" + "}" * 5_000 + "\n",
    "block": "".join("  " * i + f"k{i}:\n" for i in range(1_000)) + "  " * 1_000 + "x: 1\n",
}


@pytest.mark.parametrize("kind", sorted(DEEP_FILES))
def test_absurd_nesting_is_refused_with_the_file_named_in_bounded_memory(write_yaml, kind):
    """Whichever layer refuses it (our depth check, or the YAML scanner itself), the answer is the same."""
    path = write_yaml("deep.yaml", DEEP_FILES[kind])
    tracemalloc.start()
    try:
        with pytest.raises(ConfigErrors) as exc:
            load_criteria(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert re.search(r"deep\.yaml:\d+:\d+: nesting deeper than 32 levels", str(exc.value))
    assert peak < 64 * len(DEEP_FILES[kind]) + 8 * 2**20      # linear in the file, not in what it would build
    run = subprocess.run([sys.executable, "-m", "scoring", "validate", "--criteria", str(path)],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 2 and "deep.yaml" in run.stderr and "Traceback" not in run.stderr


def test_a_missing_file_and_a_missing_folder_are_reported(tmp_path):
    with pytest.raises(ConfigErrors) as exc:
        load_inputs(tmp_path / "nope.yaml", tmp_path / "nothere")
    assert "nope.yaml: file not found" in errors_of(exc)
    assert "nothere: folder not found" in errors_of(exc)


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


def test_an_undeclared_group_gets_a_did_you_mean(write_yaml):
    path = write_yaml("c.yaml", """\
        name: t
        normalization: min-max
        groups:
          market: {weight: 1}
        criteria:
          share: {group: markte, metric: m1, direction: max, weight: 1}
        """)
    with pytest.raises(ConfigErrors, match=r"^cloudscore: 1 problem in the input\n"
                                           r".*c\.yaml:6:18: criteria\.share\.group: unknown group 'markte'\n"
                                           r"    hint: did you mean 'market'\?"):
        load_criteria(path)


@pytest.mark.parametrize("preference, expected", [
    ("{function: linear, q: 5}",
     r"criteria\.share\.preference: missing required key 'p' \(the 'linear' function needs q, p\)"),
    ("{function: linar, q: 5, p: 10}",
     r"criteria\.share\.preference\.function: expected one of .*\n    hint: did you mean 'linear'\?"),
    ("{function: usual, q: 5}", r"criteria\.share\.preference\.q: the 'usual' function takes no 'q'"),
    ("{function: linear, q: 10, p: 5}", r"criteria\.share\.preference\.p: expected p > q \(10\), got 5"),
])
def test_bad_preference_functions_are_located(write_yaml, preference, expected):
    path = write_yaml("c.yaml", f"""\
        name: t
        method: promethee
        criteria:
          share: {{metric: m1, direction: max, weight: 1, scale: {{min: 0, max: 100}}, preference: {preference}}}
        """)
    with pytest.raises(ConfigErrors, match=r"c\.yaml:4:\d+: " + expected):
        load_criteria(path)
