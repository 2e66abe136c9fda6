"""The Excel report: its formulas, recalculated by LibreOffice from deliberately wrong cached values and new
weights, give Python's scores and ranks; the cached values are Python's; weight cells are validated."""

import io
import re
import zipfile

import numpy as np
import openpyxl
import pytest
from report_tools import soffice_recalculate

from scoring.excel_report import SHEETS
from scoring.pipeline import report, run

POISON = -999.0
NEW_POINTS = {"ai_cloud_share": 5.0, "stability": 40.0, "chip_supply": 30.0}   # points typed into Excel


@pytest.fixture(scope="module")
def books():
    """(result, workbook bytes) per method."""
    from scoring.excel_report import render_xlsx
    out = {}
    for method in ("weighted-sum", "promethee", "topsis"):
        data = report(run("criteria/baseline.yaml", "vendors", method=method), draws=300)
        out[method] = (data.result, render_xlsx(data))
    return out


def _sheet_path(name: str) -> str:
    return f"xl/worksheets/sheet{SHEETS.index(name) + 1}.xml"


def _edit(book: bytes, edit) -> bytes:
    zin = zipfile.ZipFile(io.BytesIO(book))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            zout.writestr(item, edit(item.filename, zin.read(item.filename)))
    return out.getvalue()


def _poison_and_reweight(book: bytes, criteria: list[str], points: dict[str, float]) -> bytes:
    """Every formula's cached value set to POISON, and new weights typed into the Weights sheet's D column."""
    def edit(name: str, body: bytes) -> bytes:
        if not name.startswith("xl/worksheets/"):
            return body
        body, count = re.subn(rb"(<f>[^<]*</f>)<v>[^<]*</v>", rb"\1<v>" + str(POISON).encode() + rb"</v>", body)
        assert count or name != _sheet_path("Scorecard")
        if name == _sheet_path("Weights"):
            for crit, value in points.items():
                row = criteria.index(crit) + 2
                body, n = re.subn(rf'(<c r="D{row}"[^>]*>)<v>[^<]*</v>'.encode(), rb"\g<1><v>" +
                                  repr(value).encode() + rb"</v>", body)
                assert n == 1, crit
        return body
    return _edit(book, edit)


def _scorecard(path_or_bytes, data_only: bool = True) -> dict[str, tuple[float, int]]:
    src = io.BytesIO(path_or_bytes) if isinstance(path_or_bytes, bytes) else path_or_bytes
    sheet = openpyxl.load_workbook(src, data_only=data_only)["Scorecard"]
    head = [c.value for c in sheet[1]]
    score, rank = head.index("score"), head.index("rank")
    return {row[0]: (row[score], row[rank]) for row in sheet.iter_rows(min_row=2, values_only=True)
            if row[0] and row[score] is not None}


def test_cached_values_are_pythons_so_viewers_that_do_not_recalculate_show_the_right_numbers(books):
    for method, (result, book) in books.items():
        cached = _scorecard(book)
        for row in result.ranking.itertuples():
            assert cached[row.vendor][0] == pytest.approx(row.score, abs=1e-12), method
            assert cached[row.vendor][1] == row.rank, method


def test_libreoffice_recalculates_the_formulas_from_new_weights_to_pythons_scores_and_ranks(books, tmp_path):
    linear = {m: b for m, b in books.items() if m != "topsis"}
    files = []
    for method, (result, book) in linear.items():
        path = tmp_path / f"{method}.xlsx"
        path.write_bytes(_poison_and_reweight(book, result.scorer.criteria, NEW_POINTS))
        assert set(v for v, _ in _scorecard(path).values()) == {POISON}      # really wrong before
        files.append(path)
    out = tmp_path / "recalculated"
    out.mkdir()
    recalculated = soffice_recalculate(files, out)
    for (method, (result, _)), path in zip(linear.items(), recalculated, strict=True):
        scorer = result.scorer
        points = 100 * scorer.weights
        for crit, value in NEW_POINTS.items():
            points[scorer.criteria.index(crit)] = value
        w = points / points.sum()
        expected_scores, expected_ranks = scorer.scores(w), scorer.ranks(w)
        got = _scorecard(path)
        for i, vendor in enumerate(scorer.vendors):
            assert got[vendor][0] == pytest.approx(expected_scores[i], abs=1e-9), (method, vendor)
            assert got[vendor][1] == expected_ranks[i], (method, vendor)
        assert not np.allclose(expected_scores, scorer.scores())       # the new weights really re-score
        shares = [c.value for c in openpyxl.load_workbook(path, data_only=True)["Weights"]["E"][1:len(w) + 1]]
        assert shares == pytest.approx(list(w), abs=1e-12)


def test_weight_cells_are_validated_and_topsis_says_its_scores_do_not_follow_the_weights(books):
    for method, (result, book) in books.items():
        sheet = zipfile.ZipFile(io.BytesIO(book)).read(_sheet_path("Weights")).decode()
        m = len(result.scorer.criteria)
        assert re.search(rf'<dataValidation type="decimal"[^>]*sqref="D2:D{m + 1}"', sheet), method
        scorecard = zipfile.ZipFile(io.BytesIO(book)).read(_sheet_path("Scorecard")).decode()
        if method == "topsis":
            assert "<f>" not in scorecard
            summary = openpyxl.load_workbook(io.BytesIO(book))["Summary"]
            texts = " ".join(str(c.value) for row in summary.iter_rows() for c in row if c.value)
            assert "TOPSIS is not linear in the weights" in texts
        else:
            assert scorecard.count("<f>") == len(result.ranking) * (m + 2)   # parts, score, rank per vendor
