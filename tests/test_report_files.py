"""``cloudscore report``: every format for the bundled data, byte-identical reruns, the committed example is current,
one provenance block everywhere, hostile text escaped and neutralised, bounded names, clear refusals of --out."""

import errno
import html
import io
import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from scoring import full_report
from scoring import report as rp
from scoring.cli import main
from scoring.pipeline import run as run_view

ROOT = Path(__file__).resolve().parents[1]
TEXTBOOK = ROOT / "tests" / "data" / "textbook"
STEM = "2025-12-31_baseline_weighted-sum"
MAKE_RANK = ("report", "--strategy", "strategy/alibaba.yaml")     # the Makefile's rank target runs this
CHARTS = ("contributions", "positioning", "acceptability", "tornado", "frontier")


def cloudscore(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "scoring", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)


@pytest.fixture(scope="module")
def bundled(tmp_path_factory):
    """The README's main command's report (``make rank``), written into a fresh folder."""
    out = tmp_path_factory.mktemp("bundled")
    run = cloudscore(*MAKE_RANK, "--out", str(out))
    assert run.returncode == 0, run.stderr
    assert run.stderr == ""
    return out, run


def test_report_writes_html_excel_markdown_csv_json_and_charts_for_the_bundled_data(bundled):
    out, run = bundled
    names = sorted(p.name for p in out.iterdir())
    listed = ([f"{STEM}.{s}" for s in ("html", "xlsx", "md", "csv", "provenance.txt", "json")]
              + [f"{STEM}.{c}.svg" for c in CHARTS])
    assert names == sorted(listed)
    assert run.stdout.splitlines() == [str(out / n) for n in listed]
    frame = pd.read_csv(out / f"{STEM}.csv")
    assert list(frame["vendor"]) == list(run_view("criteria/baseline.yaml", "vendors").ranking["vendor"])
    doc = json.loads((out / f"{STEM}.json").read_text(encoding="utf-8"))
    assert {"summary", "robustness", "changes", "ledger", "provenance_block"} <= set(doc)
    assert doc["robustness"]["weights"] == "dirichlet"
    assert zipfile.is_zipfile(out / f"{STEM}.xlsx")
    md = (out / f"{STEM}.md").read_text(encoding="utf-8")
    for chart in CHARTS:
        assert f"]({STEM}.{chart}.svg)" in md
        assert (out / f"{STEM}.{chart}.svg").read_text(encoding="utf-8").lstrip().startswith("<?xml")
    first = md.index("## Summary")
    assert first < md.index("## Methodology") < md.index("## Scorecard") < md.index("## Robustness") \
        < md.index("## Strategy: Alibaba Cloud") < md.index("## What changed since 2023-12-31") \
        < md.index("## Provenance")


def test_make_rank_writes_the_report_this_test_checks():
    recipe = (ROOT / "Makefile").read_text(encoding="utf-8").split("\nrank:", 1)[1].split("\n\n", 1)[0]
    assert "$(BIN)/cloudscore " + " ".join(MAKE_RANK) in recipe


def test_the_strategy_section_shows_every_preset_and_the_frontier_from_the_optimizer(bundled):
    from scoring import optimize as opt
    from scoring.load import load_strategy
    out, _ = bundled
    doc = json.loads((out / f"{STEM}.json").read_text(encoding="utf-8"))["strategy"]
    model = load_strategy("strategy/alibaba.yaml")
    presets = opt.compare_presets(model, vendors_folder="vendors")
    assert [p["preset"] for p in doc["presets"]] == list(presets["preset"])
    assert [p["score"] for p in doc["presets"]] == pytest.approx(list(presets["score"]), abs=1e-12)
    frontier = doc["frontier"]
    assert [f["status"] for f in frontier][-1] == "infeasible"              # one point past the highest floor
    feasible = [f for f in frontier if f["status"] == "optimal"]
    assert all(a["score"] >= b["score"] - 1e-9      # a tighter floor never scores more (to the LP's tolerance)
               for a, b in zip(feasible, feasible[1:], strict=False))
    page = (out / f"{STEM}.html").read_text(encoding="utf-8")
    for p in doc["presets"]:
        assert f'<td class="nw">{p["preset"]}</td>' in page


def test_without_a_strategy_model_the_strategy_section_is_left_out(tmp_path):
    assert main(["report", "--out", str(tmp_path), "--draws", "300", "--since", "none"]) == 0
    md = next(tmp_path.glob("*.md")).read_text(encoding="utf-8")
    assert "## Strategy" not in md and not list(tmp_path.glob("*.frontier.svg"))
    assert json.loads(next(tmp_path.glob("*.json")).read_text(encoding="utf-8"))["strategy"] is None


def test_the_committed_example_report_is_what_make_rank_writes_today(bundled):
    """reports/ must be regenerated (``make rank``) whenever the data, the code or the lock changes it."""
    out, _ = bundled
    committed = sorted(p.name for p in (ROOT / "reports").iterdir() if p.name != "README.md")
    assert committed == sorted(p.name for p in out.iterdir()), "reports/ is stale: run make rank"
    stale = [n for n in committed if (ROOT / "reports" / n).read_bytes() != (out / n).read_bytes()]
    assert not stale, f"reports/ is stale, run make rank: {stale}"


def test_a_rerun_is_byte_identical(bundled, tmp_path):
    out, _ = bundled
    assert main([*MAKE_RANK, "--out", str(tmp_path)]) == 0
    for p in out.iterdir():
        assert (tmp_path / p.name).read_bytes() == p.read_bytes(), p.name


def _block_from_md(text: str) -> list[list[str]]:
    part = text[text.index("## Provenance"):text.index("### Ledger")]
    return [list(m) for m in re.findall(r"^- ([a-z0-9_]+): `(.*)`$", part, flags=re.M)]


def _block_from_html(text: str) -> list[list[str]]:
    body = re.search(r'<div class="prov" id="provenance-block">(.*?)</div>', text, flags=re.S).group(1)
    return [line.split(": ", 1) for line in html.unescape(body).splitlines() if line]


def test_one_provenance_block_the_same_in_every_format(bundled):
    out, _ = bundled
    text = (out / f"{STEM}.provenance.txt").read_text(encoding="utf-8")
    block = [line.split(": ", 1) for line in text.splitlines()]
    keys = [k for k, _ in block]
    assert {"tool", "criteria", "as_of", "inputs_sha256", "vendor_file", "smaa", "strategy_file",
            "libraries"} <= set(keys)
    assert any("seed 0" in v for k, v in block if k == "smaa")
    assert json.loads((out / f"{STEM}.json").read_text(encoding="utf-8"))["provenance_block"] == block
    assert _block_from_md((out / f"{STEM}.md").read_text(encoding="utf-8")) == block
    assert _block_from_html((out / f"{STEM}.html").read_text(encoding="utf-8")) == block
    sheet = openpyxl.load_workbook(out / f"{STEM}.xlsx")["Provenance"]
    assert [[r[0], r[1]] for r in sheet.iter_rows(values_only=True)] == block


def test_every_number_in_the_ledger_has_a_mark_and_weights_are_assumptions(bundled):
    out, _ = bundled
    ledger = json.loads((out / f"{STEM}.json").read_text(encoding="utf-8"))["ledger"]
    assert len(ledger) == 5 + 5 * 5                              # five weights, five vendors x five criteria
    assert {x["mark"] for x in ledger if x["what"] == "weight"} == {"assumption"}
    marks = {(x["vendor"], x["criterion"]): x["mark"] for x in ledger if x["what"] == "figure"}
    assert marks[("tianyi", "ai_cloud_share")] == "missing"      # no Omdia figure for Tianyi
    assert marks[("alibaba", "chip_supply")] == "estimate"       # every chip-supply level is an analyst reading
    assert marks[("alibaba", "stability")] == "derived"          # from the incident list


# ------------------------------------------------------------------------------------------ hostile input

HOSTILE_NAME = "=cmd|' /C calc'!A0<script>alert(1)</script>"


@pytest.fixture
def hostile(write_yaml, tmp_path):
    long = "x" * 5_000
    crit = write_yaml("c.yaml", f"""\
        name: "{'云计算视图' * 20}{'v' * 300} =1+1"
        as_of: 2024-06-30
        normalization: fixed
        criteria:
          a: {{metric: m1, direction: max, weight: 2, scale: {{min: 0, max: 10}}, unit: level,
               rationale: "<img src=x onerror=alert(2)> see javascript:alert(3) and https://ok.example/a?b=1&c=2"}}
          b: {{metric: m2, direction: max, weight: 1, scale: {{min: 0, max: 10}}, unit: level}}
        """)
    write_yaml("v/x.yaml", f"""\
        id: x
        name: "{HOSTILE_NAME}"
        metrics:
          m1: {{value: 3, period: "2023", confidence: medium, source: "=HYPERLINK(\\"http://evil\\")",
                note: &big "{long}\\n=2+2"}}
          m2: {{value: 4, period: "2023", confidence: medium, source: "@SUM(A1)", note: *big}}
        """)
    write_yaml("v/y.yaml", """\
        id: y
        name: "+plus -minus"
        metrics:
          m1: {value: 5, period: "2023", confidence: high, source: "-1 from a source"}
          m2: 2
        """)
    return crit, tmp_path / "v"


def test_cells_led_by_a_tab_or_a_carriage_return_are_neutralised_too():
    """The loaders refuse tabs, CRs and newlines in one-line text (tests/test_hostile.py), so they cannot reach a
    report from a vendor file; the writers neutralise them anyway (defence in depth)."""
    for text in ("\t=1", "\r=1", "=1", "+1", "-1", "@A1"):
        assert rp.neutralise_cell(text) == "'" + text
    assert rp.neutralise_cell("plain") == "plain" and rp.neutralise_cell(3.5) == 3.5


def test_hostile_text_is_escaped_in_html_neutralised_in_csv_and_excel_and_names_are_bounded(hostile, tmp_path):
    crit, vendors = hostile
    out = tmp_path / "out"
    assert main(["report", "--criteria", str(crit), "--vendors", str(vendors), "--out", str(out), "--since", "none",
                 "--draws", "300"]) == 0
    files = sorted(out.iterdir())
    assert len(files) == 10                                      # no strategy model: no frontier chart
    for p in files:
        assert len(p.name.encode()) <= 200 and "/" not in p.name and "\n" not in p.name
        assert p.name.startswith("2024-06-30_云计算视图")
    page = next(p for p in files if p.suffix == ".html").read_text(encoding="utf-8")
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(2)&gt;" in page
    assert 'href="javascript' not in page and '<a href="https://ok.example/a?b=1&amp;c=2"' in page
    assert page.count("<script") == 2                            # ours: the data and the re-ranker
    csv_rows = next(p for p in files if p.suffix == ".csv").read_text(encoding="utf-8")
    frame = pd.read_csv(io.StringIO(csv_rows))
    assert len(frame) == 2 and set(frame["name"]) == {"'" + HOSTILE_NAME, "'+plus -minus"}
    book = openpyxl.load_workbook(next(p for p in files if p.suffix == ".xlsx"))
    card = book["Scorecard"]
    cells = [c for row in card.iter_rows() for c in row]
    names = {str(c.value) for c in cells if c.column == 2 and c.row in (2, 3)}
    assert names == {"'" + HOSTILE_NAME, "'+plus -minus"}
    formulas = [c for c in cells if c.data_type == "f"]
    assert len(formulas) == 2 * (2 + 2)                           # our parts, score and rank stay live
    assert all(str(c.value).startswith(("=B", "=C", "=D", "=E", "=F", "=SUM", "=1+COUNTIF")) for c in formulas)
    ledger = book["Ledger"]
    texts = [c.value for row in ledger.iter_rows() for c in row if isinstance(c.value, str)]
    assert "'=HYPERLINK(\"http://evil\")" in texts and "'@SUM(A1)" in texts and "'-1 from a source" in texts
    for sheet in book.worksheets:                                # no cell from user data is a formula
        for row in sheet.iter_rows():
            for c in row:
                if c.data_type == "f":
                    assert sheet.title in ("Weights", "Scorecard"), (sheet.title, c.coordinate, c.value)
    provenance = next(p for p in files if p.name.endswith(".provenance.txt")).read_text(encoding="utf-8")
    assert all(not line.startswith(("=", "+", "-", "@")) for line in provenance.splitlines())
    assert "=1+1" in provenance                                  # inside the name's line, not leading one
    total = sum(p.stat().st_size for p in files)
    assert total < 2_000_000, total                              # a 5,000-character note aliased twice: bounded
    assert page.count("x" * 600) <= 4 and page.count("x" * 601) == 0


def test_a_chinese_view_name_keeps_its_letters_in_the_file_names():
    assert rp.safe_name("基线视图") == "基线视图"
    long = rp.safe_name("云" * 300)
    assert len(long.encode()) <= rp.MAX_NAME_BYTES and long.startswith("云云")


# ------------------------------------------------------------------------------------------ --out refusals

def _report(out: Path, *extra: str) -> list[str]:
    return ["report", "--criteria", str(TEXTBOOK / "criteria.yaml"), "--vendors", str(TEXTBOOK / "vendors"),
            "--as-of", "2024-06-30", "--since", "none", "--draws", "200", "--out", str(out), *extra]


def test_a_bad_since_date_is_named_as_the_since_argument(tmp_path, capsys):
    args = _report(tmp_path / "o")
    args[args.index("--since") + 1] = "2023-13-01"
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "--since: expected a date YYYY-MM-DD or 'none', got '2023-13-01'" in err
    assert not (tmp_path / "o").exists()


def test_out_that_is_an_existing_file_exits_2_and_leaves_it_alone(tmp_path, capsys):
    target = tmp_path / "taken.txt"
    target.write_text("mine", encoding="utf-8")
    assert main(_report(target)) == 2
    err = capsys.readouterr()
    assert f"--out: {target}: is a file, not a folder; nothing was written" in err.err and err.out == ""
    assert target.read_text(encoding="utf-8") == "mine"


def test_out_in_a_read_only_folder_exits_2_with_a_clear_message_and_no_partial_file(tmp_path, capsys, monkeypatch):
    folder = tmp_path / "ro"
    folder.mkdir()

    def refuse(*args, **kwargs):                 # as root a chmod does not stop a write; the OS's answer is this
        raise PermissionError(errno.EACCES, "Permission denied")
    monkeypatch.setattr(full_report.tempfile, "mkdtemp", refuse)
    assert main(_report(folder)) == 2
    err = capsys.readouterr().err
    assert f"{folder}: cannot create or write into it (Permission denied); nothing was written" in err
    assert "pass --out a folder you can write to" in err
    assert list(folder.iterdir()) == []


def test_a_full_disk_exits_2_and_leaves_no_partial_file(tmp_path, capsys, monkeypatch):
    folder = tmp_path / "full"
    written = []

    def fill_up(handle, data):
        if written:                               # the first file fits; the second fills the disk half-way
            handle.write(data[: len(data) // 2])
            raise OSError(errno.ENOSPC, "No space left on device")
        written.append(handle.name)
        handle.write(data)
    monkeypatch.setattr(rp, "_write_file", fill_up)
    assert main(_report(folder)) == 2
    err = capsys.readouterr().err
    assert "could not write the report (No space left on device); nothing was written" in err
    assert "free some space" in err
    assert written and list(folder.iterdir()) == []             # not even the file that fitted, nor the staging


def test_a_rerun_into_a_folder_with_an_old_report_replaces_it_whole(tmp_path):
    assert main(_report(tmp_path)) == 0
    first = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    assert main(_report(tmp_path)) == 0
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == first


def test_rank_never_imports_the_report_libraries():
    """matplotlib, Jinja2, XlsxWriter are imported when a report is written, so `cloudscore rank` stays fast."""
    code = ("import sys, io, contextlib\nfrom scoring.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n    main(['rank'])\n"
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'matplotlib', 'jinja2', 'xlsxwriter', "
            "'playwright', 'openpyxl'}))")
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "[]"


def test_a_degenerate_view_one_criterion_two_equal_vendors_reports_quietly(write_yaml, tmp_path):
    """Nothing but the file list on stdout and nothing on stderr, even where the intervals are undefined."""
    crit = write_yaml("c.yaml", """\
        name: one
        as_of: 2024-06-30
        normalization: fixed
        criteria:
          a: {metric: m1, direction: max, weight: 1, scale: {min: 0, max: 5}, unit: level}
        """)
    for vid in ("x", "y"):
        write_yaml(f"v/{vid}.yaml", f"""\
            id: {vid}
            name: {vid.upper()}
            metrics:
              m1: {{value: 3, period: "2023", source: s, confidence: high}}
            """)
    run = cloudscore("report", "--criteria", str(crit), "--vendors", str(tmp_path / "v"), "--out",
                     str(tmp_path / "out"), "--draws", "100")
    assert run.returncode == 0 and run.stderr == "", run.stderr
    assert len(run.stdout.splitlines()) == 10
    md = next((tmp_path / "out").glob("*.md")).read_text(encoding="utf-8")
    assert "X and Y are equal on every criterion: no weighting separates them" in md
