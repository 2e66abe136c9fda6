"""The command line: exit codes and messages for good and bad input; reports; the shipped criteria and vendors."""

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from scoring.cli import main

ROOT = Path(__file__).resolve().parents[1]

TEXTBOOK = ROOT / "tests" / "data" / "textbook"


def cloudscore(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """Run the real command in a fresh interpreter, as a user would."""
    return subprocess.run([sys.executable, "-m", "scoring", *args], cwd=cwd, capture_output=True, text=True, timeout=120)


def test_rank_prints_a_table_and_exits_0():
    run = cloudscore("rank", "--criteria", str(TEXTBOOK / "criteria.yaml"), "--vendors", str(TEXTBOOK / "vendors"))
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("rank"))
    assert [line.split()[1] for line in lines[header + 2: header + 5]] == ["c", "b", "a"]


def test_rank_json_has_the_documented_shape(capsys):
    assert main(["rank", "--criteria", str(TEXTBOOK / "criteria.yaml"), "--vendors", str(TEXTBOOK / "vendors"),
                 "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert {"criteria", "as_of", "method", "ranking", "provenance"} <= set(doc)
    first = doc["ranking"][0]
    assert {"vendor", "name", "score", "rank", "contributions", "flags"} <= set(first)
    for row in doc["ranking"]:
        assert sum(row["contributions"].values()) == pytest.approx(row["weighted_sum"], abs=1e-9)


def test_rank_csv_and_markdown_formats(capsys):
    base = ["rank", "--criteria", str(TEXTBOOK / "criteria.yaml"), "--vendors", str(TEXTBOOK / "vendors")]
    assert main([*base, "--format", "csv"]) == 0
    text = capsys.readouterr().out
    rows = list(csv.DictReader(io.StringIO("".join(line + "\n" for line in text.splitlines() if not line.startswith("#")))))
    assert [r["vendor"] for r in rows] == ["c", "b", "a"]
    assert main([*base, "--format", "markdown"]) == 0
    assert "| rank | vendor | score |" in capsys.readouterr().out


def test_method_option_overrides_the_criteria_file(capsys):
    base = ["rank", "--criteria", str(TEXTBOOK / "criteria.yaml"), "--vendors", str(TEXTBOOK / "vendors"), "--format", "json"]
    main([*base, "--method", "weighted-sum"])
    doc = json.loads(capsys.readouterr().out)
    assert doc["method"] == "weighted-sum"
    assert all(r["score"] == pytest.approx(r["weighted_sum"]) for r in doc["ranking"])


@pytest.mark.parametrize("args, expected", [
    (["rank", "--method", "topsys"], "--method: unknown method 'topsys'; expected one of 'weighted-sum', 'topsis', 'promethee'\n    hint: did you mean 'topsis'?"),
    (["rank", "--as-of", "2023-13-01"], "--as-of: expected a date YYYY-MM-DD, got '2023-13-01'"),
    (["rank", "--as-of", "last year"], "--as-of: expected a date YYYY-MM-DD, got 'last year'"),
    (["rank", "--criteria", "criteria/nope.yaml"], "criteria/nope.yaml: file not found"),
    (["rank", "--vendors", "no-such-folder"], "no-such-folder: folder not found"),
    (["rank", "--format", "xml"], "argument --format: invalid choice: 'xml'"),
    (["frobnicate"], "invalid choice: 'frobnicate'"),
])
def test_bad_arguments_exit_2_with_a_clear_message_and_no_traceback(args, expected):
    run = cloudscore(*args)
    assert run.returncode == 2
    assert expected in run.stderr
    assert "Traceback" not in run.stderr


def test_bad_files_exit_2_listing_every_problem(write_yaml, tmp_path):
    crit = write_yaml("c.yaml", "name: t\nnormalization: min-max\ncriteria:\n  a: {metric: m1, direction: up, weight: -1}\n")
    write_yaml("v/x.yaml", "id: x\nname: X\nmetrics:\n  m1: .nan\n")
    write_yaml("v/y.yaml", "id: x\nname: Y\nmetrics:\n  m1: 2\n")
    run = cloudscore("validate", "--criteria", str(crit), "--vendors", str(tmp_path / "v"))
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert "4 problems" in run.stderr
    for part in ("c.yaml:4:", "criteria.a.direction: expected 'max' or 'min', got 'up'", "criteria.a.weight",
                 "x.yaml:4:7: metrics.m1: expected a finite number, got nan", "y.yaml:1:5: id: vendor id 'x' is already used"):
        assert part in run.stderr
    run = cloudscore("rank", "--criteria", str(crit), "--vendors", str(tmp_path / "v"))
    assert run.returncode == 2 and "Traceback" not in run.stderr


def test_validate_exits_0_on_clean_input():
    run = cloudscore("validate", "--criteria", str(TEXTBOOK / "criteria.yaml"), "--vendors", str(TEXTBOOK / "vendors"))
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("ok:")


def test_report_writes_three_formats_with_provenance_and_leaves_inputs_alone(tmp_path):
    inputs = sorted(TEXTBOOK.rglob("*.yaml"))
    before = {p: p.read_bytes() for p in inputs}
    run = cloudscore("report", "--criteria", str(TEXTBOOK / "criteria.yaml"), "--vendors", str(TEXTBOOK / "vendors"),
                     "--as-of", "2024-06-30", "--out", str(tmp_path / "out"))
    assert run.returncode == 0, run.stderr
    written = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert written == ["2024-06-30_textbook_topsis.csv", "2024-06-30_textbook_topsis.json", "2024-06-30_textbook_topsis.md"]
    doc = json.loads((tmp_path / "out" / written[1]).read_text(encoding="utf-8"))
    prov = doc["provenance"]
    assert prov["as_of"] == "2024-06-30" and prov["method"] == "topsis" and prov["version"]
    assert prov["criteria_sha256"] == __import__("hashlib").sha256(before[TEXTBOOK / "criteria.yaml"]).hexdigest()
    assert len(prov["vendor_files"]) == 3
    assert "inputs_sha256" in (tmp_path / "out" / written[0]).read_text(encoding="utf-8")
    assert "## Provenance" in (tmp_path / "out" / written[2]).read_text(encoding="utf-8")
    assert {p: p.read_bytes() for p in inputs} == before
    assert not list((tmp_path / "out").glob(".*.tmp"))


def test_report_text_from_inputs_is_escaped_and_spreadsheet_safe(write_yaml, tmp_path):
    crit = write_yaml("c.yaml", "name: t\nnormalization: min-max\ncriteria:\n  a: {metric: m1, direction: max, weight: 1}\n")
    write_yaml("v/x.yaml", "id: x\nname: '=HYPERLINK(\"http://evil\")<script>'\nmetrics:\n  m1: 1\n")
    write_yaml("v/y.yaml", "id: y\nname: '@SUM(A1) | pipe'\nmetrics:\n  m1: 2\n")
    run = cloudscore("report", "--criteria", str(crit), "--vendors", str(tmp_path / "v"), "--out", str(tmp_path / "out"))
    assert run.returncode == 0, run.stderr
    md = next((tmp_path / "out").glob("*.md")).read_text(encoding="utf-8")
    assert "<script>" not in md and "&lt;script&gt;" in md and "\\| pipe" in md
    rows = [line for line in next((tmp_path / "out").glob("*.csv")).read_text(encoding="utf-8").splitlines()
            if not line.startswith("#")]
    names = [row[2] for row in csv.reader(rows[1:])]
    assert sorted(names) == sorted(["'@SUM(A1) | pipe", "'=HYPERLINK(\"http://evil\")<script>"])


def test_python_dash_m_scoring_is_the_same_command():
    run = cloudscore("--help")
    assert run.returncode == 0 and "validate" in run.stdout and "rank" in run.stdout and "report" in run.stdout


def test_sensitivity_json_has_acceptability_draws_and_seed_and_is_reproducible():
    args = ("sensitivity", "--draws", "2000", "--seed", "5", "--format", "json")
    first, second = cloudscore(*args), cloudscore(*args)
    assert first.returncode == 0, first.stderr
    doc = json.loads(first.stdout)
    assert doc["draws"] == 2000 and doc["seed"] == 5
    assert set(doc["acceptability"]) == {"alibaba", "huawei", "tianyi", "baidu", "volcano"}
    for row in doc["acceptability"].values():
        assert len(row) == 5 and sum(row) == pytest.approx(1.0)
    assert {"intervals", "tornado", "central_weights", "confidence", "winning", "provenance"} <= set(doc)
    assert first.stdout == second.stdout


def test_sensitivity_table_has_its_three_sections():
    run = cloudscore("sensitivity", "--draws", "1000", "--weights", "dirichlet", "--concentration", "30",
                     "--order", "ai_cloud_share >= chip_supply")
    assert run.returncode == 0, run.stderr
    for part in ("Weight stability intervals", "Tornado for alibaba", "SMAA-2: 1,000 draws, seed 0",
                 "Dirichlet around the stated weights (concentration 30)", "order ai_cloud_share >= chip_supply"):
        assert part in run.stdout


def test_whatif_answers_in_words_and_json():
    run = cloudscore("whatif", "--vendor", "huawei", "--beat", "alibaba")
    assert run.returncode == 0, run.stderr
    assert "huawei overtakes alibaba if its AI-cloud share rises by" in run.stdout
    assert "[checked by re-scoring]" in run.stdout
    doc = json.loads(cloudscore("whatif", "--vendor", "tianyi", "--rank", "3", "--format", "json").stdout)
    assert doc["target"] == "rank 3" and any(a["feasible"] for a in doc["answers"])


@pytest.mark.parametrize("args, expected", [
    (["whatif", "--vendor", "huawai", "--beat", "alibaba"], "--vendor: unknown vendor 'huawai'\n    hint: did you mean 'huawei'?"),
    (["whatif", "--vendor", "huawei"], "one of the arguments --beat --rank is required"),
    (["whatif", "--vendor", "huawei", "--rank", "0"], "argument --rank: expected a positive whole number, got 0"),
    (["sensitivity", "--draws", "-5"], "argument --draws: expected a positive whole number, got -5"),
    (["sensitivity", "--order", "ai_cloud_share >= chips"], "unknown criterion 'chips'"),
    (["sensitivity", "--weights", "beta"], "argument --weights: invalid choice: 'beta'"),
    (["compare", "--criteria", "criteria/none.yaml"], "criteria/none.yaml: file not found"),
])
def test_robustness_commands_refuse_bad_arguments_with_exit_2(args, expected):
    run = cloudscore(*args)
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert expected in run.stderr
