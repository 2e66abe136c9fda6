"""The command line: exit codes and messages for good and bad input; reports; the shipped criteria and vendors."""

import csv
import io
import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

from scoring.cli import main

ROOT = Path(__file__).resolve().parents[1]

TEXTBOOK = ROOT / "tests" / "data" / "textbook"


def cloudscore(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """Run the real command in a fresh interpreter, as a user would."""
    return subprocess.run([sys.executable, "-m", "scoring", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120)


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
    body = "".join(line + "\n" for line in text.splitlines() if not line.startswith("#"))
    rows = list(csv.DictReader(io.StringIO(body)))
    assert [r["vendor"] for r in rows] == ["c", "b", "a"]
    assert main([*base, "--format", "markdown"]) == 0
    assert "| rank | vendor | score |" in capsys.readouterr().out


def test_method_option_overrides_the_criteria_file(capsys):
    base = ["rank", "--criteria", str(TEXTBOOK / "criteria.yaml"), "--vendors", str(TEXTBOOK / "vendors"),
            "--format", "json"]
    main([*base, "--method", "weighted-sum"])
    doc = json.loads(capsys.readouterr().out)
    assert doc["method"] == "weighted-sum"
    assert all(r["score"] == pytest.approx(r["weighted_sum"]) for r in doc["ranking"])


@pytest.mark.parametrize("args, expected", [
    (["rank", "--method", "topsys"], "--method: unknown method 'topsys'; expected one of 'weighted-sum', 'topsis', "
                                     "'promethee'\n    hint: did you mean 'topsis'?"),
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
    crit = write_yaml("c.yaml", "name: t\nnormalization: min-max\ncriteria:\n"
                                "  a: {metric: m1, direction: up, weight: -1}\n")
    write_yaml("v/x.yaml", "id: x\nname: X\nmetrics:\n  m1: .nan\n")
    write_yaml("v/y.yaml", "id: x\nname: Y\nmetrics:\n  m1: 2\n")     # the id is the file name
    run = cloudscore("validate", "--criteria", str(crit), "--vendors", str(tmp_path / "v"))
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert "4 problems" in run.stderr
    for part in ("c.yaml:4:", "criteria.a.direction: expected 'max' or 'min', got 'up'", "criteria.a.weight",
                 "x.yaml:4:7: metrics.m1: expected a finite number, got nan",
                 "y.yaml:1:5: id: id 'x' does not match the file name 'y.yaml'"):
        assert part in run.stderr
    run = cloudscore("rank", "--criteria", str(crit), "--vendors", str(tmp_path / "v"))
    assert run.returncode == 2 and "Traceback" not in run.stderr


def test_validate_exits_0_on_clean_input():
    run = cloudscore("validate", "--criteria", str(TEXTBOOK / "criteria.yaml"), "--vendors", str(TEXTBOOK / "vendors"))
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("ok:")


def test_report_writes_every_format_with_provenance_and_leaves_inputs_alone(tmp_path):
    inputs = sorted(TEXTBOOK.rglob("*.yaml"))
    before = {p: p.read_bytes() for p in inputs}
    run = cloudscore("report", "--criteria", str(TEXTBOOK / "criteria.yaml"), "--vendors", str(TEXTBOOK / "vendors"),
                     "--as-of", "2024-06-30", "--out", str(tmp_path / "out"))
    assert run.returncode == 0, run.stderr
    written = sorted(p.name for p in (tmp_path / "out").iterdir())
    suffixes = ("acceptability.svg", "contributions.svg", "csv", "html", "json", "md", "positioning.svg",
                "provenance.txt", "tornado.svg", "xlsx")
    assert written == [f"2024-06-30_textbook_topsis.{suffix}" for suffix in suffixes]
    written = [f"2024-06-30_textbook_topsis.{suffix}" for suffix in ("provenance.txt", "json", "md", "csv")]
    doc = json.loads((tmp_path / "out" / written[1]).read_text(encoding="utf-8"))
    prov = doc["provenance"]
    assert prov["as_of"] == "2024-06-30" and prov["method"] == "topsis" and prov["version"]
    assert prov["criteria_sha256"] == __import__("hashlib").sha256(before[TEXTBOOK / "criteria.yaml"]).hexdigest()
    assert len(prov["vendor_files"]) == 3
    assert "inputs_sha256" in (tmp_path / "out" / written[0]).read_text(encoding="utf-8")      # the CSV's sidecar
    assert "## Provenance" in (tmp_path / "out" / written[2]).read_text(encoding="utf-8")
    assert {p: p.read_bytes() for p in inputs} == before
    assert not list((tmp_path / "out").glob(".*"))                     # no temporary file or staging folder left


def test_report_text_from_inputs_is_escaped_and_spreadsheet_safe(write_yaml, tmp_path):
    crit = write_yaml("c.yaml", "name: t\nnormalization: min-max\ncriteria:\n"
                                "  a: {metric: m1, direction: max, weight: 1}\n")
    write_yaml("v/x.yaml", "id: x\nname: '=HYPERLINK(\"http://evil\")<script>'\nmetrics:\n  m1: 1\n")
    write_yaml("v/y.yaml", "id: y\nname: '@SUM(A1) | pipe'\nmetrics:\n  m1: 2\n")
    run = cloudscore("report", "--criteria", str(crit), "--vendors", str(tmp_path / "v"),
                     "--out", str(tmp_path / "out"))
    assert run.returncode == 0, run.stderr
    md = next((tmp_path / "out").glob("*.md")).read_text(encoding="utf-8")
    assert "<script>" not in md and "&lt;script&gt;" in md and "\\| pipe" in md
    rows = next((tmp_path / "out").glob("*.csv")).read_text(encoding="utf-8").splitlines()
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
                 "weights drawn around the stated weights (Dirichlet, concentration 30)",
                 "order ai_cloud_share >= chip_supply"):
        assert part in run.stdout


def test_sensitivity_draws_around_the_stated_weights_by_default_and_names_the_uniform_option():
    default = cloudscore("sensitivity", "--draws", "500", "--format", "json")
    uniform = cloudscore("sensitivity", "--draws", "500", "--weights", "uniform")
    assert default.returncode == 0 and uniform.returncode == 0, default.stderr + uniform.stderr
    doc = json.loads(default.stdout)
    assert doc["weights"] == "dirichlet" and doc["concentration"] == 50.0
    assert "weights uniform on the simplex (no preference information)" in uniform.stdout


def test_whatif_answers_in_words_and_json():
    run = cloudscore("whatif", "--vendor", "huawei", "--beat", "alibaba")
    assert run.returncode == 0, run.stderr
    assert "Huawei Cloud overtakes Alibaba Cloud if its AI-cloud share rises by" in run.stdout
    assert "[checked by re-scoring]" in run.stdout
    doc = json.loads(cloudscore("whatif", "--vendor", "tianyi", "--rank", "3", "--format", "json").stdout)
    assert doc["target"] == "rank 3" and any(a["feasible"] for a in doc["answers"])


@pytest.mark.parametrize("args, expected", [
    (["whatif", "--vendor", "huawai", "--beat", "alibaba"],
     "--vendor: unknown vendor 'huawai'\n    hint: did you mean 'huawei'?"),
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


# --------------------------------------------------------------------------- stdout is only the requested format

#: One invocation per command that offers --format json; a command added later without one here fails the test below.
JSON_INVOCATIONS = {
    "rank": [("rank", "--as-of", "2023-12-31"), ("rank", "--method", "promethee")],
    "sensitivity": [("sensitivity", "--draws", "500"), ("sensitivity", "--draws", "300", "--method", "topsis")],
    "whatif": [("whatif", "--vendor", "tianyi", "--rank", "3"), ("whatif", "--vendor", "huawei", "--beat", "alibaba"),
               ("whatif", "--vendor", "baidu", "--rank", "1", "--method", "promethee", "--as-of", "2023-12-31")],
    "compare": [("compare",), ("compare", "--as-of", "2023-12-31")],
    "optimize": [("optimize", "--vendor", "alibaba", "--preset", "public-cloud-first"),
                 ("optimize", "--vendor", "alibaba"), ("optimize", "--vendor", "alibaba", "--draws", "5")],
    "frontier": [("frontier", "--vendor", "alibaba", "--points", "5")],
    "backtest": [("backtest", "--vendor", "alibaba")],
}


def _commands_with_json_format() -> set[str]:
    from scoring.cli import _parser
    parser = _parser()
    sub = next(a for a in parser._actions if isinstance(a, __import__("argparse")._SubParsersAction))
    found = set()
    for name, p in sub.choices.items():
        for action in p._actions:
            if "--format" in action.option_strings and "json" in (action.choices or ()):
                found.add(name)
    return found


def test_every_command_with_json_output_is_exercised_below():
    assert _commands_with_json_format() == set(JSON_INVOCATIONS)


@pytest.mark.parametrize("args", [a for runs in JSON_INVOCATIONS.values() for a in runs], ids=" ".join)
def test_json_output_parses_as_a_whole_in_a_fresh_process(args):
    """A fresh interpreter each time: the HiGHS banner appears on the first solver of a process, if ever."""
    run = cloudscore(*args, "--format", "json")
    assert run.returncode == 0, run.stderr
    json.loads(run.stdout)
    assert run.stderr == ""


def test_the_python_api_writes_nothing_to_file_descriptors_1_and_2():
    """Solve LPs through the library in a fresh process (the banner comes once per process) and watch fds 1 and 2."""
    code = ("from scoring.pipeline import run\n"
            "from scoring.whatif import what_it_takes\n"
            "answer = what_it_takes(run('criteria/baseline.yaml', 'vendors').scorer, 'tianyi', rank=3)\n"
            "assert any(a.kind == 'weights' and a.feasible for a in answer.answers)\n")
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert (run.stdout, run.stderr) == ("", "")


def test_solves_in_this_process_leave_fds_1_and_2_untouched(capfd):
    from scoring.pipeline import run
    from scoring.whatif import what_it_takes
    print("before", flush=True)
    what_it_takes(run("criteria/baseline.yaml", "vendors").scorer, "huawei", beat="alibaba")
    print("after", flush=True)
    assert capfd.readouterr() == ("before\nafter\n", "")


# ---------------------------------------------------------------------------------------- a complete command line

def test_version_prints_the_installed_version():
    from importlib.metadata import version
    run = cloudscore("--version")
    assert run.returncode == 0 and run.stdout.strip() == f"cloudscore {version('cloudscore')}"


@pytest.mark.parametrize("args", [("--debug", "rank", "--as-of", "bad"), ("rank", "--as-of", "bad", "--debug")])
def test_debug_is_accepted_before_or_after_the_command(args):
    run = cloudscore(*args)
    assert run.returncode == 2 and "--as-of: expected a date YYYY-MM-DD, got 'bad'" in run.stderr


def test_debug_before_the_command_survives_the_subcommand_parser():
    from scoring.cli import _parser
    assert _parser().parse_args(["--debug", "rank"]).debug is True
    assert _parser().parse_args(["rank", "--debug"]).debug is True
    assert _parser().parse_args(["rank"]).debug is False


def test_every_help_lists_every_method_and_has_examples_and_exit_codes():
    from scoring.cli import EXIT_CODES, _parser
    from scoring.methods import METHOD_NAMES as METHODS
    parser = _parser()
    sub = next(a for a in parser._actions if isinstance(a, __import__("argparse")._SubParsersAction))
    for name, p in sub.choices.items():
        text = p.format_help()
        assert "examples:" in text and f"cloudscore {name}" in text.split("examples:")[1], name
        for code in EXIT_CODES:
            assert f"{code:>3}  " in text.split("exit status:")[1], (name, code)
        if any("--method" in a.option_strings for a in p._actions) or name == "compare":
            assert all(m in " ".join(text.split()) for m in METHODS), name
    assert "exit status:" in parser.format_help()


def test_the_readme_documents_every_exit_code():
    from scoring.cli import EXIT_CODES
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Exit status", 1)[1].split("\n## ", 1)[0]
    for code in EXIT_CODES:
        assert f"| {code} |" in section, code


def test_whatif_with_no_way_to_get_there_exits_3_and_says_why(write_yaml, tmp_path):
    """One criterion, and the leader already at the top of its scale: no figure and no weight can overtake it."""
    crit = write_yaml("c.yaml", "name: t\ncriteria:\n  a: {metric: m_pct, direction: max, weight: 1, "
                                "scale: {min: 0, max: 10}}\n")
    write_yaml("v/x.yaml", "id: x\nname: X\nmetrics:\n  m_pct: 2\n")
    write_yaml("v/y.yaml", "id: y\nname: Y\nmetrics:\n  m_pct: 10\n")
    run = cloudscore("whatif", "--criteria", str(crit), "--vendors", str(tmp_path / "v"), "--vendor", "x",
                     "--beat", "y", "--format", "json")
    assert run.returncode == 3, run.stderr
    doc = json.loads(run.stdout)
    assert doc["answers"] and not any(a["feasible"] for a in doc["answers"])


# ---------------------------------------------------------------------------- validate passes what rank accepts

@pytest.mark.parametrize("case", ["missing-error", "negative-under-vector"])
def test_validate_refuses_exactly_what_rank_refuses_with_the_same_message(write_yaml, tmp_path, case):
    if case == "missing-error":
        crit = write_yaml("c.yaml", "name: t\nas_of: 2024-12-31\nnormalization: min-max\ncriteria:\n"
                                    "  a: {metric: m1, direction: max, weight: 1}\n"
                                    "  b: {metric: m2, direction: max, weight: 1, missing: error}\n")
        write_yaml("v/x.yaml", "id: x\nname: X\nmetrics:\n  m1: 1\n  m2: 3\n")
        write_yaml("v/y.yaml", "id: y\nname: Y\nmetrics:\n  m1: 2\n")
        expected = "c.yaml:6:3: criteria.b: vendor 'y' has no value of 'm2' known at 2024-12-31 (missing: error)"
    else:
        crit = write_yaml("c.yaml", "name: t\nas_of: 2024-12-31\nnormalization: vector\ncriteria:\n"
                                    "  a: {metric: gain_pp, direction: max, weight: 1}\n")
        write_yaml("v/x.yaml", "id: x\nname: X\nmetrics:\n  gain_pp: -5\n")
        write_yaml("v/y.yaml", "id: y\nname: Y\nmetrics:\n  gain_pp: 3\n")
        expected = ("x.yaml:4:12: metrics.gain_pp: normalization 'vector' needs values >= 0 (x / sqrt(sum x^2) "
                    "would leave [0, 1]), got -5 (criterion 'a' of c.yaml, vendor 'x')")
    for command in ("validate", "rank"):
        run = cloudscore(command, "--criteria", str(crit), "--vendors", str(tmp_path / "v"))
        assert run.returncode == 2, (command, run.stdout, run.stderr)
        assert expected in run.stderr, (command, run.stderr)
        assert "Traceback" not in run.stderr


def test_validate_checks_every_shipped_view_and_says_ok():
    run = cloudscore("validate")
    assert run.returncode == 0, run.stderr
    views = len(list((ROOT / "criteria").glob("*.yaml")))
    assert run.stdout.startswith(f"ok: {views} criteria file(s) and ")


# ------------------------------------------------------------------------------------------------ optimizer


def test_optimize_json_holds_the_documented_keys_and_the_price_of_the_floor():
    run = cloudscore("optimize", "--vendor", "alibaba", "--preset", "hybrid", "--min-margin", "5%",
                     "--format", "json")
    assert run.returncode == 0, run.stderr
    doc = json.loads(run.stdout)
    assert {"status", "objective", "score", "margin", "mix", "moves", "binding"} <= set(doc)
    assert doc["status"] == "optimal" and doc["objective"] == pytest.approx(doc["score"], abs=1e-9)
    assert set(doc["mix"]) == {"public", "public_promo", "hybrid", "project", "ai", "overseas"}
    assert all(v >= 5 - 1e-6 for v in doc["margin"].values())
    assert doc["margin_floor_price_per_point"] <= 0
    valid = doc["margin_floor_price_valid_pct"]
    assert valid["from"] <= 5 <= valid["to"]
    priced = [b for b in doc["binding"] if b["shadow_price"]]
    unbounded = {"valid_from": -math.inf, "valid_to": math.inf}         # JSON has null for an infinite end
    assert priced and all((b["valid_from"] if b["valid_from"] is not None else unbounded["valid_from"]) <= b["rhs"]
                          <= (b["valid_to"] if b["valid_to"] is not None else unbounded["valid_to"]) for b in priced)
    assert any(a["kind"] == "assumption" and a["owner"] for a in doc["assumptions"])


def test_an_unreachable_margin_floor_exits_3_and_names_the_highest_floor():
    run = cloudscore("optimize", "--vendor", "alibaba", "--preset", "hybrid", "--min-margin", "9%")
    assert run.returncode == 3, run.stderr
    assert "no mix keeps a 9.00% margin every quarter under the hybrid preset; the highest floor" in run.stdout
    assert "An irreducible infeasible subset" in run.stdout
    doc = json.loads(cloudscore("optimize", "--vendor", "alibaba", "--preset", "hybrid", "--min-margin", "9%",
                                "--format", "json").stdout)
    assert doc["status"] == "infeasible" and "margin_floor.q1" in doc["iis"]


@pytest.mark.parametrize("args, expected", [
    (["optimize", "--vendor", "alibaba", "--min-margin", "5"],
     "argument --min-margin: expected a percentage such as 5%, got '5'"),
    (["optimize", "--vendor", "alibaba", "--preset", "hybird"], "--preset: unknown preset 'hybird'"),
    (["optimize", "--vendor", "nobody"], "strategy/nobody.yaml: file not found"),
    (["optimize", "--vendor", "huawei", "--strategy", "strategy/alibaba.yaml"],
     "--vendor: strategy/alibaba.yaml models 'alibaba', not 'huawei'"),
    (["frontier", "--vendor", "alibaba", "--from", "x%"], "argument --from: expected a percentage such as 5%"),
    (["optimize", "--vendor", "alibaba", "--solver", "glpk"], "argument --solver: invalid choice: 'glpk'"),
    (["frontier", "--vendor", "alibaba", "--solver", "HiGHS"], "argument --solver: invalid choice: 'HiGHS'"),
])
def test_optimize_refuses_bad_arguments_with_exit_2(args, expected):
    run = cloudscore(*args)
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert expected in run.stderr
