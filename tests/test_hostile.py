"""Hostile and odd input (issue 11), one class per class of fault. Every case runs the command line and checks the
contract: the exit status; the located message (``file:line:column: key.path: problem``, with what to do); no
traceback; the input files byte for byte unchanged; finished well inside a generous timeout (a guard against
hangs and blow-ups, not a benchmark). The property tests at the end generate malformed YAML documents and hold
every one of them to the same contract.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from scoring import cli
from scoring.errors import ConfigErrors, Vocabulary, did_you_mean
from scoring.load import load_vendors
from scoring.normalize import normalize_array

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT = 120                    # seconds; each case takes about one (a hang or a blow-up does not)

CRITERIA = textwrap.dedent("""\
    name: t
    normalization: min-max
    criteria:
      share: {metric: share_pct, direction: max, weight: 3}
      outages: {metric: outage_count, direction: min, weight: 1}
    """)


def vendor(vid: str, share="30", outages="2", name=None, extra="") -> str:
    return (f"id: {vid}\nname: {name or 'Vendor ' + vid.upper()}\nmetrics:\n  share_pct:\n"
            f"    - {{value: {share}, period: 2024, source: test, confidence: high}}\n"
            f"  outage_count: {outages}\n{extra}")


VENDORS = {"a": vendor("a"), "b": vendor("b", "20", "1")}


def _digest(folder: Path) -> dict[str, str]:
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


def run(tmp_path: Path, *args: str, criteria: str | bytes = CRITERIA, vendors: dict | None = None,
        command: str = "validate", cwd: Path = ROOT, shell: str | None = None) -> subprocess.CompletedProcess:
    """Write the view (c.yaml) and vendor files (v/), run ``cloudscore COMMAND --criteria c.yaml --vendors v ARGS``
    and check what holds for every case: no traceback, no internal error, inputs unchanged."""
    (tmp_path / "v").mkdir(parents=True, exist_ok=True)
    crit = tmp_path / "c.yaml"
    crit.write_bytes(criteria.encode() if isinstance(criteria, str) else criteria)
    for name, text in (VENDORS if vendors is None else vendors).items():
        (tmp_path / "v" / f"{name}.yaml").write_bytes(text.encode() if isinstance(text, str) else text)
    before = _digest(tmp_path)
    argv = [sys.executable, "-m", "scoring", command, *args]
    strategy = command in ("optimize", "frontier", "backtest")          # these read strategy/VENDOR.yaml instead
    if "--criteria" not in args and command != "compare" and not strategy:
        argv += ["--criteria", str(crit)]
    if "--vendors" not in args:
        argv += ["--vendors", str(tmp_path / "v")]
    if command not in ("validate", "compare") and "--as-of" not in args and not strategy:
        argv += ["--as-of", "2025-01-01"]
    if shell is not None:
        argv = ["sh", "-c", shell + " && exec " + " ".join(f"'{a}'" for a in argv)]
    result = subprocess.run(argv, capture_output=True, text=True, timeout=TIMEOUT, cwd=cwd,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr, result.stderr
    assert _digest(tmp_path) == before, "an input file was changed"
    return result


def refused(result: subprocess.CompletedProcess, *located: str) -> str:
    """Exit 2, and each ``located`` text (file:line:column: key.path: problem ...) in the message."""
    assert result.returncode == 2, (result.returncode, result.stderr)
    assert result.stdout == ""
    for text in located:
        assert text in result.stderr, f"{text!r} not in:\n{result.stderr}"
    return result.stderr


def problem_count(stderr: str) -> int:
    return int(stderr.split("cloudscore: ", 1)[1].split(" problem")[0].replace(",", ""))


def ranking(result: subprocess.CompletedProcess) -> list[str]:
    assert result.returncode == 0, result.stderr
    return [row["vendor"] for row in json.loads(result.stdout)["ranking"]]


# ------------------------------------------------------------------------------------- numbers at limits

class TestNumbersAtTheirLimits:
    HUGE = "1" + "0" * 400

    @pytest.mark.parametrize("weight", [HUGE, "1e400", "-" + HUGE])
    def test_a_weight_too_large_for_a_float_is_refused_where_it_is(self, tmp_path, weight):
        out = refused(run(tmp_path, criteria=CRITERIA.replace("weight: 3", f"weight: {weight}")),
                      f"{tmp_path}/c.yaml:4:54: criteria.share.weight: expected a non-negative weight")
        assert len(out) < 1000 and self.HUGE not in out           # shown shortened, not 400 digits

    def test_a_value_too_large_for_a_float_is_refused_where_it_is(self, tmp_path):
        refused(run(tmp_path, vendors={"a": vendor("a", self.HUGE), "b": VENDORS["b"]}),
                f"{tmp_path}/v/a.yaml:5:15: metrics.share_pct[0].value: expected a number (pct), got 1000",
                "a number this large cannot be computed with")

    def test_weights_whose_sum_overflows_are_computed_right(self, tmp_path):
        view = CRITERIA.replace("weight: 3", "weight: 1e308").replace("weight: 1}", "weight: 1.5e308}")
        result = run(tmp_path, "--format", "json", criteria=view, command="rank")
        weights = {c["criterion"]: c["weight"] for c in json.loads(result.stdout)["criteria_table"]}
        assert weights == pytest.approx({"share": 0.4, "outages": 0.6}, rel=1e-12)

    def test_a_scale_whose_span_overflows_is_refused(self, tmp_path):
        view = (CRITERIA.replace("min-max", "fixed")
                .replace("weight: 3}", "weight: 3, scale: {min: -1e308, max: 1e308}}")
                .replace("weight: 1}", "weight: 1, scale: {min: 0, max: 10}}"))
        refused(run(tmp_path, criteria=view), f"{tmp_path}/c.yaml:4:64: criteria.share.scale: the span max - min "
                "overflows", "use a larger unit")

    @pytest.mark.parametrize("method", ["min-max", "vector", "max", "fixed"])
    @pytest.mark.parametrize("factor", [1e200, 1e-200, 1.7e308 / 40])
    def test_every_normalization_is_scale_free_even_where_its_arithmetic_would_overflow(self, method, factor):
        x = np.array([[10.0, 3.0], [20.0, 1.0], [40.0, 2.0]])
        is_max = np.array([True, False])
        lo, hi = np.array([0.0, 0.0]), np.array([40.0, 4.0])
        plain, _ = normalize_array(x, is_max, method, lo, hi)
        scaled, _ = normalize_array(x * factor, is_max, method, lo * factor, hi * factor)
        np.testing.assert_allclose(scaled, plain, rtol=1e-12)

    def test_values_whose_span_overflows_are_normalized_right(self):
        norm, flat = normalize_array(np.array([[-1e308], [0.0], [1e308]]), np.array([True]), "min-max")
        assert norm.ravel().tolist() == [0.0, 0.5, 1.0] and not flat.any()

    def test_vector_normalization_of_a_1e200_column_keeps_the_ranking(self, tmp_path):
        view = CRITERIA.replace("min-max", "vector").replace("share_pct", "index_score").replace(
            "outage_count", "cost_index")
        rows = {"a": (1, 3), "b": (2, 1), "c": (3, 2)}

        def folder(scale: float) -> dict:
            return {k: f"id: {k}\nname: {k}\nmetrics:\n  index_score: {s * scale!r}\n  cost_index: {c!r}\n"
                    for k, (s, c) in rows.items()}

        plain = ranking(run(tmp_path / "1", "--format", "json", criteria=view, vendors=folder(1.0), command="rank"))
        big = ranking(run(tmp_path / "2", "--format", "json", criteria=view, vendors=folder(1e200), command="rank"))
        assert big == plain

    def test_a_rubric_level_beyond_a_million_is_refused(self, tmp_path):
        view = CRITERIA.replace("weight: 1}", "weight: 1, rubric: {" + "1" * 40 + ": a, 1: b}}")
        refused(run(tmp_path, criteria=view), f"{tmp_path}/c.yaml:5:71: criteria.outages.rubric[1111",
                "expected a level between -1,000,000 and 1,000,000")

    @pytest.mark.parametrize("date", ["0001-01-01", "0999-12-31"])
    def test_an_as_of_date_whose_windows_reach_before_year_one_is_refused(self, tmp_path, date):
        refused(run(tmp_path, "--as-of", date, command="rank"), "--as-of: expected a date from the year 1000 on")
        refused(run(tmp_path, criteria=CRITERIA + f"as_of: {date}\n"),
                f"{tmp_path}/c.yaml:6:8: as_of: expected a date from the year 1000 on")


# ------------------------------------------------------------------------------------- YAML 1.1 surprises

class TestYaml11Surprises:
    @pytest.mark.parametrize("text, value", [("1e-9", 1e-9), ("1E-9", 1e-9), ("1.0e-9", 1e-9), (".5e-3", 5e-4)])
    def test_a_tolerance_written_as_documented_is_accepted(self, tmp_path, text, value):
        result = run(tmp_path, "--format", "json", criteria=CRITERIA + f"tolerance: {text}\n", command="rank")
        assert result.returncode == 0 and json.loads(result.stdout)["provenance"]["tie_tolerance"] == value

    @pytest.mark.parametrize("text, value", [("012", 12.0), ("1_5", 15.0), ("1.5e1", 15.0), ("2e1", 20.0),
                                             ("0x1F", 31.0)])
    def test_numbers_a_person_means_are_read_as_meant(self, tmp_path, text, value):
        result = run(tmp_path, "--format", "json", vendors={"a": vendor("a", text), "b": VENDORS["b"]},
                     command="rank")
        rows = {r["vendor"]: r for r in json.loads(result.stdout)["ranking"]}
        assert rows["a"]["explanation"]["share"]["raw"] == value

    @pytest.mark.parametrize("text, found, how", [
        ("1:30", "got text '1:30' (YAML 1.1 reads this as a base-60 number)", "1:30 in base 60 is 90"),
        ('"39"', "got text '39' (quoted)", "remove the quotes: 39 unquoted is a number"),
        ("39%", "got text '39%' (a percentage)", "write 39 without the % sign"),
        ('"1,000"', "got text '1,000' (digits grouped by separators)", "write 1000 without separators"),
        ("30 pct", "got text '30 pct' (a number with a unit)", "write 30 alone"),
        ("yes", "got boolean True", "YAML reads yes/no/true/false as booleans"),
        ("2024-01-05", "got the date 2024-01-05", "unquoted YYYY-MM-DD is read as a date"),
    ])
    def test_a_value_that_is_not_a_number_says_exactly_how_to_write_it(self, tmp_path, text, found, how):
        refused(run(tmp_path, vendors={"a": vendor("a", text), "b": VENDORS["b"]}),
                f"{tmp_path}/v/a.yaml:5:15: metrics.share_pct[0].value: expected a number (pct), {found}",
                how)

    def test_a_base_60_weight_is_refused_with_the_decimal_to_write(self, tmp_path):
        refused(run(tmp_path, criteria=CRITERIA.replace("weight: 3", "weight: 1:30")),
                f"{tmp_path}/c.yaml:4:54: criteria.share.weight: expected a non-negative weight, got text '1:30'")

    @pytest.mark.parametrize("name", ["yes", "off", "2024-01-05", "007", "1:30", "null"])
    def test_text_that_yaml_reads_as_another_type_is_the_text_written(self, tmp_path, name):
        vendors = {"a": vendor("a", name=name), "b": VENDORS["b"]}
        if name == "null":        # nothing at all: not a name
            refused(run(tmp_path, vendors=vendors), f"{tmp_path}/v/a.yaml:2:7: name: expected text, got nothing")
            return
        result = run(tmp_path, "--format", "json", vendors=vendors, command="rank")
        assert {r["vendor"]: r["name"] for r in json.loads(result.stdout)["ranking"]}["a"] == name

    @pytest.mark.parametrize("key, text, why", [
        ("period", "2024-02-30", "February 2024 has 29 days"),
        ("period", "2023-13-01", "there is no month 13"),
        ("source_date", "2023-02-29", "February 2023 has 28 days"),
    ])
    def test_an_impossible_unquoted_date_is_located_with_its_key_path(self, tmp_path, key, text, why):
        extra = vendor("a").replace("period: 2024", f"period: 2024, {key}: {text}" if key != "period"
                                    else f"period: {text}")
        column = extra.splitlines()[4].index(text) + 1
        refused(run(tmp_path, vendors={"a": extra, "b": VENDORS["b"]}),
                f"{tmp_path}/v/a.yaml:5:{column}: metrics.share_pct[0].{key}: expected a ", f"got '{text}' ({why})")

    def test_an_impossible_as_of_date_names_the_month(self, tmp_path):
        refused(run(tmp_path, criteria=CRITERIA + "as_of: 2023-02-30\n"),
                f"{tmp_path}/c.yaml:6:8: as_of: expected a date (YYYY-MM-DD), got '2023-02-30' (February 2023 has "
                "28 days)")

    @pytest.mark.parametrize("flag, expected", [("yes", True), ("off", False)])
    def test_yes_and_off_are_booleans_where_a_boolean_is_expected(self, tmp_path, flag, expected):
        text = vendor("a").replace("confidence: high}", f"confidence: medium, estimate: {flag}, note: judged}}")
        result = run(tmp_path, "--format", "json", vendors={"a": text, "b": VENDORS["b"]}, command="rank")
        flags = {r["vendor"]: r["flags"] for r in json.loads(result.stdout)["ranking"]}
        assert ("estimate" in flags["a"]) is expected


# ------------------------------------------------------------------------------------------ keys and ids

class TestKeysAndIds:
    def test_7_and_quoted_7_are_one_key_written_twice(self, tmp_path):
        view = CRITERIA.replace("criteria:\n", "criteria:\n  7: {metric: share_pct, direction: max, weight: 1}\n"
                                "  '7': {metric: share_pct, direction: max, weight: 1}\n")
        out = refused(run(tmp_path, criteria=view), f"{tmp_path}/c.yaml:5:3: criteria.7: duplicate key '7' (first "
                      "set on line 4)")
        assert problem_count(out) == 1

    def test_metric_keys_compare_as_text_too(self, tmp_path):
        text = vendor("a", extra="").replace("metrics:\n", "metrics:\n  '12': 1\n  12: 2\n")
        refused(run(tmp_path, vendors={"a": text, "b": VENDORS["b"]}),
                f"{tmp_path}/v/a.yaml:5:3: metrics[12]: duplicate key '12' (first set on line 4)")

    @pytest.mark.parametrize("raw, shown", [('"a\\n"', "'a\\n'"), ('"a\\tb"', "'a\\tb'"),
                                            ('"a\\u200bb"', "'a\\u200bb'")])
    def test_an_id_with_an_invisible_character_is_refused(self, tmp_path, raw, shown):
        text = vendor("a").replace("id: a", f"id: {raw}")
        refused(run(tmp_path, vendors={"a": text, "b": VENDORS["b"]}),
                f"{tmp_path}/v/a.yaml:1:5: id: expected one line of text, got {shown} with U+")

    def test_a_name_with_a_line_break_is_refused_but_a_note_may_have_one(self, tmp_path):
        bad = vendor("a", name='"Vendor\\nA"')
        refused(run(tmp_path, vendors={"a": bad, "b": VENDORS["b"]}),
                f"{tmp_path}/v/a.yaml:2:7: name: expected one line of text, got 'Vendor\\nA' with U+000A")
        note = vendor("a").replace("confidence: high}", 'confidence: high, note: "two\\nlines"}')
        assert run(tmp_path / "n", vendors={"a": note, "b": VENDORS["b"]}).returncode == 0

    def test_a_criterion_id_with_a_control_character_is_refused(self, tmp_path):
        view = CRITERIA.replace("  share:", '  "share\\x07":')
        refused(run(tmp_path, criteria=view), f"{tmp_path}/c.yaml:4:3: criteria.'share\\x07': key contains U+0007")

    def test_the_id_is_the_file_name(self, tmp_path):
        refused(run(tmp_path, vendors={"a": vendor("zed"), "b": VENDORS["b"]}),
                f"{tmp_path}/v/a.yaml:1:5: id: id 'zed' does not match the file name 'a.yaml' (the id is the file "
                "name)", "hint: rename the file to zed.yaml, or write id: a")

    def test_a_vendor_listed_twice_in_a_view_is_named(self, tmp_path):
        refused(run(tmp_path, criteria=CRITERIA + "vendors: [a, b, a]\n"),
                f"{tmp_path}/c.yaml:6:17: vendors[2]: 'a' is listed twice (first as item 1)")


# ---------------------------------------------------------------------- every located message has its path

class TestLocatedMessages:
    def test_a_merge_key_has_its_key_path(self, tmp_path):
        text = vendor("a", extra="x: &x {a: 1}\ny:\n  <<: *x\n")
        refused(run(tmp_path, vendors={"a": text, "b": VENDORS["b"]}),
                f"{tmp_path}/v/a.yaml:9:3: y.<<: merge keys ('<<') are not supported")

    @pytest.mark.parametrize("extra, where", [("? [a, b]\n: 1\n", "7:3: (top level)"),
                                              ("status_page:\n  ? {a: 1}\n  : 1\n", "8:5: status_page")])
    def test_a_key_that_is_not_a_plain_value_has_its_key_path(self, tmp_path, extra, where):
        refused(run(tmp_path, vendors={"a": vendor("a", extra=extra), "b": VENDORS["b"]}),
                f"{tmp_path}/v/a.yaml:{where}: a mapping key must be a plain value")

    @pytest.mark.parametrize("char, name", [("\x07", "U+0007 (control character)"), ("\x1b", "U+001B (control "
                                             "character)"), ("\ufeff", "U+FEFF (byte-order mark)"),
                                            ("\u200b", "U+200B (zero-width space)"), ("\u2028", "U+2028 (line "
                                                                                      "separator)")])
    def test_an_invisible_character_is_named_at_its_place_with_its_key_path(self, tmp_path, char, name):
        text = vendor("a", name="Vendor" + char + "A")
        out = refused(run(tmp_path, vendors={"a": text, "b": VENDORS["b"]}),
                      f"{tmp_path}/v/a.yaml:2:13: name: invisible character {name} in the text")
        assert problem_count(out) == 1

    def test_a_byte_order_mark_mid_file_is_named_not_a_syntax_error(self, tmp_path):
        text = vendor("a").replace("metrics:", "\ufeffmetrics:")
        out = refused(run(tmp_path, vendors={"a": text, "b": VENDORS["b"]}),
                      f"{tmp_path}/v/a.yaml:3:1: name: invisible character U+FEFF (byte-order mark) in the text")
        assert "did not find expected key" not in out

    def test_a_huge_scalar_is_shown_shortened(self, tmp_path):
        out = refused(run(tmp_path, vendors={"a": vendor("a", "x" * 1_900_000), "b": VENDORS["b"]}),
                      f"{tmp_path}/v/a.yaml:5:15: metrics.share_pct[0].value: expected a number (pct), got text "
                      "'xxxx", "(1,900,002 characters)")
        assert len(out) < 2000

    def test_100000_plain_keys_are_not_called_an_alias_bomb(self, tmp_path):
        text = vendor("a", extra="".join(f"k{i}: 1\n" for i in range(100_000)))
        out = refused(run(tmp_path, vendors={"a": text, "b": VENDORS["b"]}),
                      f"{tmp_path}/v/a.yaml:7:1: k0: unknown key 'k0'", "99,900 more problems not shown")
        assert "alias" not in out and problem_count(out) == 100_000 and out.count("\n") < 400

    def test_an_alias_bomb_is_still_called_one(self, tmp_path):
        lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
        lines += [f"{chr(97 + i)}: &{chr(97 + i)} [" + ",".join([f"*{chr(96 + i)}"] * 9) + "]" for i in range(1, 10)]
        refused(run(tmp_path, criteria="\n".join(lines) + "\n"), f"{tmp_path}/c.yaml:1:",
                "more than 50,000 values after expanding aliases", "alias bomb?")

    @pytest.mark.parametrize("view, located", [
        (CRITERIA.replace("weight: 3}", "weight: 3"), "c.yaml:5:10: criteria.share: YAML syntax error"),
        (CRITERIA.replace("  outages", "\toutages"), "c.yaml:5:1: criteria: YAML syntax error: tab character"),
        (CRITERIA + "x: !!python/name:os.system x\n", "c.yaml:6:4: x: tag 'tag:yaml.org,2002:python/name:os.system'"),
        (CRITERIA.encode() + b"x: caf\xe9\n", "c.yaml:6:7: x: not UTF-8 text (byte 0xe9)"),
        (CRITERIA + "---\nname: u\n", "c.yaml:6:1: (top level): more than one YAML document"),
    ])
    def test_a_file_that_cannot_be_read_is_located_with_a_key_path(self, tmp_path, view, located):
        out = refused(run(tmp_path, criteria=view), f"{tmp_path}/{located}")
        assert problem_count(out) == 1


# ---------------------------------------------------------------------- file-system faults, environment

class TestFileSystemFaultsAndTheEnvironment:
    def test_an_unreadable_vendor_folder_says_what_to_do(self, tmp_path, monkeypatch):
        def refuse(self):
            raise PermissionError(13, "Permission denied", str(self))
        monkeypatch.setattr(Path, "iterdir", refuse)
        with pytest.raises(ConfigErrors) as exc:
            load_vendors(tmp_path)
        assert [str(e) for e in exc.value.errors] == [
            f"{tmp_path}: cannot list the folder: Permission denied\n"
            "    hint: give yourself read and search permission on it (chmod u+rx), or pass another --vendors folder"]

    @pytest.mark.skipif(os.geteuid() == 0, reason="root reads every folder")
    def test_an_unreadable_vendor_folder_on_disk_exits_2(self, tmp_path):
        (tmp_path / "v").mkdir()
        (tmp_path / "v").chmod(0)
        try:
            refused(run(tmp_path, vendors={}), f"{tmp_path}/v: cannot list the folder: Permission denied")
        finally:
            (tmp_path / "v").chmod(0o755)

    def test_an_unreadable_vendor_folder_exits_2_with_that_message_also_when_run_as_root(self, tmp_path, monkeypatch,
                                                                                         capsys):
        """The on-disk test above cannot bite as root (root reads every folder): the same command, in process,
        with the folder's listing refused the way the kernel refuses it."""
        from scoring.cli import main
        (tmp_path / "v").mkdir()
        (tmp_path / "c.yaml").write_text(CRITERIA)
        real_iterdir = Path.iterdir

        def refuse(self):
            if self == tmp_path / "v":
                raise PermissionError(13, "Permission denied", str(self))
            return real_iterdir(self)
        monkeypatch.setattr(Path, "iterdir", refuse)
        status = main(["validate", "--criteria", str(tmp_path / "c.yaml"), "--vendors", str(tmp_path / "v")])
        out, err = capsys.readouterr()
        assert (status, out) == (2, "")
        assert f"{tmp_path}/v: cannot list the folder: Permission denied" in err and "Traceback" not in err

    def test_an_unreadable_vendor_file_says_what_to_do(self, tmp_path, monkeypatch):
        (tmp_path / "a.yaml").write_text(VENDORS["a"])

        def refuse(self):
            raise PermissionError(13, "Permission denied", str(self))
        monkeypatch.setattr(Path, "read_bytes", refuse)
        with pytest.raises(ConfigErrors) as exc:
            load_vendors(tmp_path)
        assert str(exc.value.errors[0]).startswith(f"{tmp_path / 'a.yaml'}: cannot read the file: Permission denied\n"
                                                   "    hint: give yourself read permission")

    def test_a_vendor_file_whose_name_is_not_utf8_is_named_with_escapes(self, tmp_path):
        (tmp_path / "v").mkdir()
        with open(os.fsencode(tmp_path / "v") + b"/caf\xe9.yaml", "wb") as f:
            f.write(vendor("cafe").encode())
        out = refused(run(tmp_path), f"{tmp_path}/v/caf\\xe9.yaml:1:5: id: id 'cafe' does not match the file name "
                      "'caf\\xe9.yaml'", "rename the file to cafe.yaml")
        assert problem_count(out) == 1

    def test_a_deleted_working_directory_is_named(self, tmp_path):
        gone = tmp_path / "gone"
        gone.mkdir()
        result = run(tmp_path, command="rank", cwd=gone, shell=f"cd '{gone}' && rmdir '{gone}'")
        refused(result, "working directory: the current folder no longer exists", "cd into the project folder")

    def test_a_closed_standard_output_is_named(self, tmp_path):
        argv = " ".join([sys.executable, "-m", "scoring", "rank", "--as-of", "2025-01-01"])
        result = subprocess.run(["sh", "-c", f"exec {argv} >&-"], capture_output=False, stderr=subprocess.PIPE,
                                text=True, timeout=TIMEOUT, cwd=ROOT)
        assert result.returncode == 2 and "Traceback" not in result.stderr
        assert "standard output: is closed (started with >&-), so no result can be printed" in result.stderr

    def test_a_reader_that_goes_away_is_not_an_error(self):
        result = subprocess.run(["sh", "-c", f"{sys.executable} -m scoring rank --as-of 2025-01-01 | head -c 10"],
                                capture_output=True, text=True, timeout=TIMEOUT, cwd=ROOT)
        assert result.stdout == "baseline: " and result.stderr == ""

    def test_a_dangling_link_is_a_vendor_file_that_cannot_be_read(self, tmp_path):
        (tmp_path / "v").mkdir()
        (tmp_path / "v" / "c.yaml").symlink_to(tmp_path / "nowhere.yaml")
        refused(run(tmp_path), f"{tmp_path}/v/c.yaml: file not found")

    def test_a_report_folder_that_cannot_be_made_exits_2_naming_it(self, tmp_path):
        (tmp_path / "blocker").write_text("a file, not a folder")
        refused(run(tmp_path, "--out", str(tmp_path / "blocker" / "reports"), command="report"),
                f"{tmp_path}/blocker", "check that the path exists")


# --------------------------------------------------------------------------- degenerate views and commands

class TestDegenerateViewsAndCommands:
    def test_two_views_of_one_name_are_refused_in_compare(self, tmp_path):
        (tmp_path / "d.yaml").write_text(CRITERIA)
        refused(run(tmp_path, "--criteria", str(tmp_path / "c.yaml"), str(tmp_path / "d.yaml"), command="compare"),
                f"{tmp_path}/d.yaml:1:7: name: view name 't' is already used by {tmp_path}/c.yaml")

    def test_the_same_view_twice_is_named(self, tmp_path):
        crit = str(tmp_path / "c.yaml")
        refused(run(tmp_path, "--criteria", crit, crit, command="compare"), f"{crit}: this view is given twice")

    def test_compare_without_views_is_refused(self, tmp_path):
        (tmp_path / "criteria").mkdir()
        refused(run(tmp_path, command="compare", cwd=tmp_path), "--criteria: no views to compare")

    def test_views_with_no_vendor_in_common_are_refused_not_tau_nan(self, tmp_path):
        (tmp_path / "d.yaml").write_text(CRITERIA.replace("name: t", "name: u") + "vendors: [b]\n")
        (tmp_path / "c2.yaml").write_text(CRITERIA + "vendors: [a]\n")
        refused(run(tmp_path, "--criteria", str(tmp_path / "c2.yaml"), str(tmp_path / "d.yaml"), command="compare"),
                "--criteria: the views have 0 vendors in common; a comparison of rankings needs at least 2 "
                "(t: a; u: b)")

    def test_every_problem_of_every_view_is_reported_together(self, tmp_path):
        (tmp_path / "d.yaml").write_text(CRITERIA.replace("name: t", "name: u").replace("direction: max",
                                                                                        "direction: up"))
        (tmp_path / "e.yaml").write_text(CRITERIA.replace("name: t", "name: w").replace("weight: 1", "weight: -1"))
        out = refused(run(tmp_path, "--criteria", str(tmp_path / "d.yaml"), str(tmp_path / "e.yaml"),
                          command="compare"), f"{tmp_path}/d.yaml:4:", f"{tmp_path}/e.yaml:5:")
        assert problem_count(out) == 2

    def test_whatif_with_one_vendor_is_refused(self, tmp_path):
        refused(run(tmp_path, "--vendor", "a", "--rank", "1", vendors={"a": VENDORS["a"]}, command="whatif"),
                "whatif: what-if needs at least two vendors to compare; this view ranks only 'a'")

    def test_whatif_finds_the_way_when_no_criterion_discriminates(self, tmp_path):
        vendors = {k: vendor(k, "30", "2") for k in "abc"}
        result = run(tmp_path, "--vendor", "b", "--beat", "a", "--format", "json", vendors=vendors,
                     command="whatif")
        assert result.returncode == 0, result.stderr
        answers = json.loads(result.stdout)["answers"]
        metric = [a for a in answers if a["kind"] == "metric"]
        assert metric and all(a["feasible"] and a["verified"] for a in metric)
        assert not any("alone cannot do it" in a["text"] for a in answers)

    @pytest.mark.parametrize("command, args, expected", [
        ("sensitivity", ("--draws", "1000000000000"), "argument --draws: expected at most 100,000,000"),
        ("optimize", ("--vendor", "alibaba", "--draws", "10000000"), "argument --draws: expected at most 100,000"),
        ("frontier", ("--vendor", "alibaba", "--points", "99999999"), "argument --points: expected at most 10,000"),
        ("whatif", ("--vendor", "a", "--rank", "99999999999999999999"), "whatif: rank must be between 1 and 2"),
    ])
    def test_a_request_that_would_run_for_hours_is_refused_at_once(self, tmp_path, command, args, expected):
        result = run(tmp_path, *args, command=command)
        assert result.returncode == 2 and expected in result.stderr, result.stderr

    @pytest.mark.parametrize("command, args", [("sensitivity", ("--draws", "10")),
                                               ("sensitivity", ("--order", "share >= outages")),
                                               ("optimize", ("--vendor", "alibaba", "--draws", "2"))])
    def test_a_negative_seed_is_blamed_on_the_seed(self, tmp_path, command, args):
        result = run(tmp_path, *args, "--seed", "-1", command=command)
        assert result.returncode == 2 and "argument --seed: expected a whole number >= 0, got -1" in result.stderr
        assert "--order" not in result.stderr.split("error:")[1]


# ------------------------------------------------------------------------------- one mistake, one message

class TestOneMistakeOneMessage:
    def test_a_typo_in_a_vendor_file_is_one_message_not_an_unknown_vendor_per_view(self, tmp_path):
        bad = vendor("a").replace("confidence: high", "confidence: hihg")
        out = refused(run(tmp_path, criteria=CRITERIA + "vendors: [a, b]\n", vendors={"a": bad, "b": VENDORS["b"]}),
                      f"{tmp_path}/v/a.yaml:5:59: metrics.share_pct[0].confidence: expected one of 'high', 'medium'"
                      ", 'low', got 'hihg'")
        assert problem_count(out) == 1 and "unknown vendor" not in out

    def test_the_bundled_views_see_one_mistake_as_one_message(self, tmp_path):
        vendors = {p.stem: p.read_bytes() for p in (ROOT / "vendors").glob("*.yaml")}
        vendors["alibaba"] = vendors["alibaba"].replace(b"confidence: high", b"confidence: hihg", 1)
        out = refused(run(tmp_path, "--criteria", *map(str, sorted((ROOT / "criteria").glob("*.yaml"))),
                          vendors=vendors), "alibaba.yaml:", "got 'hihg'")
        assert problem_count(out) == 1

    def test_a_vendor_file_that_cannot_be_read_marks_what_follows_from_it_as_a_consequence(self, tmp_path):
        bad = vendor("a").replace("name: Vendor A", "name: [Vendor A")
        view = CRITERIA.replace("outage_count", "only_in_a") + "vendors: [a, b]\n"
        b = VENDORS["b"].replace("outage_count", "only_in_b")
        out = refused(run(tmp_path, criteria=view, vendors={"a": bad + "  only_in_a: 1\n", "b": b}),
                      f"{tmp_path}/v/a.yaml:", "YAML syntax error")
        assert "unknown vendor" not in out and problem_count(out) == 2
        assert ("c.yaml:5:21: criteria.outages.metric: no vendor has the metric 'only_in_a' (perhaps only a "
                "consequence: the profile of 'a' could not be read; fix that first)") in out

    def test_a_view_without_a_stability_block_is_told_what_to_add(self, tmp_path):
        out = refused(run(tmp_path, criteria=CRITERIA.replace("outage_count", "stability_level")),
                      f"{tmp_path}/c.yaml:5:21: criteria.outages.metric: 'stability_level' is derived from the "
                      "vendors' incidents by a 'stability:' block, and this file has none", "add a 'stability:' block")
        assert "no vendor has the metric" not in out

    def test_a_real_missing_metric_is_still_reported(self, tmp_path):
        refused(run(tmp_path, criteria=CRITERIA.replace("outage_count", "outage_cuont")),
                f"{tmp_path}/c.yaml:5:21: criteria.outages.metric: no vendor has the metric 'outage_cuont'",
                "did you mean 'outage_count'?")


# -------------------------------------------------------------------------------------- time bounds on checks

class TestTimeBounds:
    def test_did_you_mean_over_100_unknown_metrics_and_60000_names_is_quick(self, tmp_path):
        """25 s before the index (difflib over every name, per word); the guard is the subprocess timeout."""
        names = [f"metric_{i:05d}_{'abcdefghij'[i % 10]}" for i in range(60_000)]
        big = "id: a\nname: A\nmetrics:\n" + "".join(f"  {n}: 1\n" for n in names)
        view = "name: t\nnormalization: min-max\ncriteria:\n" + "".join(
            f"  c{i}: {{metric: metrik_{i:05d}_x, direction: max, weight: 1}}\n" for i in range(100))
        out = refused(run(tmp_path, criteria=view, vendors={"a": big}),
                      f"{tmp_path}/c.yaml:4:16: criteria.c0.metric: no vendor has the metric 'metrik_00000_x'")
        assert problem_count(out) == 100

    @given(st.text(alphabet="abcdefgh_", min_size=1, max_size=12))
    @example("metric_00001_b")
    def test_the_indexed_did_you_mean_is_exactly_difflibs(self, word):
        import difflib
        names = [f"metric_{i:05d}_{'abcdefgh'[i % 8]}" for i in range(0, 3000, 7)] + ["abc", "bad_cab", "hhh"]
        expected = difflib.get_close_matches(word, sorted(set(names)), n=1, cutoff=0.6)
        vocabulary = Vocabulary(names)
        assert vocabulary.closest(word) == (expected[0] if expected else None)
        assert did_you_mean(word, vocabulary) == did_you_mean(word, names)


# ------------------------------------------------------------------------ property: malformed documents

_SOURCE = vendor("a", extra="incidents: []\nstatus_page: {value: none, source: test, confidence: low}\n")
_ODD = ["\x07", "\ufeff", "\u200b", "\t", ":", " ", "\n", "'", '"', "[", "]", "{", "}", "&x", "*x", "<<", "!!str",
        "!!python/object:os.system", "? ", "- ", "#", "---", "%YAML 1.1", "1:30", "1e-9", "0x", "yes", "~",
        "2023-02-30", "\\", "\x85", "\u2028", "1" + "0" * 400, "é", "\r"]


@st.composite
def malformed(draw) -> bytes:
    """A vendor file with a few edits at random places: odd characters, YAML punctuation, 1.1 scalars, deletions,
    repeated lines."""
    text = _SOURCE
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(text)))
        kind = draw(st.sampled_from(["insert", "delete", "repeat-line"]))
        if kind == "insert":
            text = text[:at] + draw(st.sampled_from(_ODD) | st.text(max_size=3)) + text[at:]
        elif kind == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 5)):]
        else:
            lines = text.splitlines(keepends=True)
            i = draw(st.integers(0, len(lines) - 1))
            text = "".join(lines[: i + 1] + [lines[i]] + lines[i + 1:])
    raw = text.encode("utf-8", "surrogatepass")
    if draw(st.booleans()) and raw:
        at = draw(st.integers(0, len(raw) - 1))
        raw = raw[:at] + draw(st.sampled_from([b"\xe9", b"\x00", b"\xff\xfe", b""])) + raw[at:]
    return raw


@given(malformed())
@example(b"id: a\nname: A\nmetrics: {x: 1}\nmetrics: {y: 2}\n")
@example(b"id: a\nname: A\n\xef\xbb\xbfmetrics: {}\n")
@example(b"id: a\nname: [A\n")
def test_every_malformed_vendor_file_gets_located_messages_exit_2_and_no_traceback(tmp_path_factory, raw):
    """The contract, in process (a subprocess per example would take minutes): exit 0 or 2 and never an
    internal error; every message names the file, and every one with a line also has a key path; stdout stays
    clean on failure; the file is unchanged."""
    folder = tmp_path_factory.mktemp("v")
    path = folder / "a.yaml"
    path.write_bytes(raw)
    (folder / "b.yaml").write_text(VENDORS["b"])
    crit = folder.parent / f"{folder.name}-c.yaml"
    crit.write_text(CRITERIA)
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        status = cli.main(["validate", "--criteria", str(crit), "--vendors", str(folder)])
    out, err = stdout.getvalue(), stderr.getvalue()
    assert path.read_bytes() == raw
    assert status in (0, 2), err
    assert "internal error" not in err and "Traceback" not in err
    if status == 2:
        assert out == ""
        messages = [line for line in err.splitlines()[1:] if not line.startswith("    hint:")]
        assert messages
        for line in messages:
            assert line.startswith(str(folder)) or line.startswith(str(crit)), line
            place, _, rest = line.partition(": ")
            if place.count(":") >= 2 and "more problem" not in rest:       # file:line:column -> a key path too
                key, _, problem = rest.partition(": ")
                assert key and problem, line
