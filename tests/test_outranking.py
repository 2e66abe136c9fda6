"""PROMETHEE II (:mod:`scoring.outranking`): literature reproductions, hand-worked preference functions, properties.

1. Published examples, run end to end through ``cloudscore rank --format json`` (:func:`scoring.cli.main`) on
   fixtures in ``tests/data/published/promethee-<source>/`` (``normalization: fixed``; every scale contains all the
   values and the thresholds are written in the criteria's own units, so the tool's normalized difference is
   (x_a - x_b) / (max - min) and its thresholds are divided by the same width: its preference degrees are the
   textbook ones). Each test reads the raw values, directions and weights back from the JSON and compares them with
   the transcription below; recomputes PROMETHEE II independently with numpy on the raw data (textbook definitions,
   raw units, cost criteria by the sign of the difference, nothing from ``scoring``) and requires agreement to
   1e-9; compares the flows with the printed ones to half a unit in the last printed decimal (+ the JSON's own
   rounding); and checks the published order. A printed figure that is further off is not absorbed by a wider
   tolerance: it is checked on its own, at the same tolerance, in a strict ``xfail`` test whose docstring records
   the investigation.
2. Each preference function by hand, through :func:`scoring.outranking.preference_degrees` and
   :func:`scoring.outranking.net_flows`, at a few differences including the threshold points themselves (all the
   values used are exact binary fractions, so "d == q" really is equality).
3. Properties: net flows sum to zero and lie in [-1, 1]; a vendor that strictly dominates all others under the usual
   criterion has phi = 1.

The tool reports score = (phi + 1) / 2, so phi = 2 * score - 1.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from scoring.cli import main
from scoring.outranking import PreferenceTable, net_flows, preference_degrees, preference_table
from scoring.pipeline import run

DATA = Path(__file__).resolve().parent / "data" / "published"
JSON_SLACK = 1e-12          # the JSON report rounds floats to 12 decimals (score; phi = 2 score - 1 doubles it)
HAND_TOLERANCE = 1e-9       # tool vs the numpy recomputation
NAN = np.nan


# ------------------------------------------------------------------------------------------------ helpers

def rank_json(capsys: pytest.CaptureFixture, folder: Path) -> dict:
    """Run the real CLI on a fixture folder and return its parsed JSON output."""
    rc = main(["rank", "--criteria", str(folder / "criteria.yaml"), "--vendors", str(folder / "vendors"),
               "--format", "json"])
    out, err = capsys.readouterr()
    assert rc == 0, f"cloudscore rank exited {rc}: {err}"
    return json.loads(out)


def textbook_p(d: np.ndarray, function: str, q: float = NAN, p: float = NAN, s: float = NAN) -> np.ndarray:
    """Brans, Vincke & Mareschal's (1986) generalized criteria I-VI on raw differences d (their own definitions,
    written out again here rather than imported)."""
    if function == "usual":                                   # type I
        return np.where(d > 0, 1.0, 0.0)
    if function == "u-shape":                                 # type II, quasi-criterion
        return np.where(d > q, 1.0, 0.0)
    if function == "v-shape":                                 # type III, linear preference
        return np.where(d <= 0, 0.0, np.where(d <= p, d / p, 1.0))
    if function == "level":                                   # type IV
        return np.where(d <= q, 0.0, np.where(d <= p, 0.5, 1.0))
    if function == "linear":                                  # type V, linear with indifference area
        return np.where(d <= q, 0.0, np.where(d <= p, (d - q) / (p - q), 1.0))
    if function == "gaussian":                                # type VI
        return np.where(d <= 0, 0.0, 1.0 - np.exp(-d ** 2 / (2.0 * s ** 2)))
    raise ValueError(function)


def textbook_pi(x: np.ndarray, weights: np.ndarray, benefit: np.ndarray, functions) -> np.ndarray:
    """pi(a, b) = sum_j w_j P_j(d_j(a, b)) with d_j(a, b) = x_aj - x_bj on a benefit criterion and x_bj - x_aj on a
    cost criterion; weights rescaled to sum to 1. Returns the (n, n) valued outranking graph (zero diagonal)."""
    w = np.asarray(weights, float) / np.sum(weights)
    sign = np.where(benefit, 1.0, -1.0)
    pi = np.zeros((len(x), len(x)))
    for j, (function, params) in enumerate(functions):
        d = sign[j] * (x[:, None, j] - x[None, :, j])
        pi += w[j] * textbook_p(d, function, **params)
    return pi


def check_fixture(result: dict, criteria, benefit, weights, matrix, vendors, method="promethee") -> dict[str, dict]:
    """The JSON says what the transcription says: method, directions, weights, every raw value."""
    assert result["method"] == method
    assert result["normalization"] == "fixed"
    table = {row["criterion"]: row for row in result["criteria_table"]}
    assert list(table) == list(criteria)
    w = np.asarray(weights, float) / np.sum(weights)
    for j, cid in enumerate(criteria):
        assert table[cid]["direction"] == ("max" if benefit[j] else "min"), cid
        assert table[cid]["weight"] == pytest.approx(w[j], abs=JSON_SLACK), cid
    rows = {row["vendor"]: row for row in result["ranking"]}
    assert sorted(rows) == sorted(vendors)
    for i, vid in enumerate(vendors):
        raw = [rows[vid]["explanation"][cid]["raw"] for cid in criteria]
        assert raw == pytest.approx(list(matrix[i]), rel=0, abs=0), vid
    return rows


def tool_pi(folder: Path, vendors: list[str]) -> np.ndarray:
    """The tool's own valued outranking graph pi(a, b), from its normalized matrix, its preference table and its
    weights (scoring.pipeline.run + scoring.outranking), for the printed leaving / entering flows that the CLI does
    not report. Checked against the tool's net_flows so that it is the graph the CLI ranks by."""
    result = run(folder / "criteria.yaml", folder / "vendors", as_of="2025-12-31")   # the fixtures carry no dates
    ids = [c.id for c in result.criteria.criteria]
    norm = result.normalized.loc[vendors, ids].to_numpy(dtype=float)
    w = np.array([c.weight for c in result.criteria.criteria])
    table = preference_table(result.criteria)
    pi = preference_degrees(norm[:, None, :] - norm[None, :, :], table) @ w
    n = len(vendors)
    assert np.allclose((pi.sum(axis=1) - pi.sum(axis=0)) / (n - 1), net_flows(norm, w, table), rtol=0, atol=1e-15)
    return pi


# ------------------------------------------------------- 1. Brans, Vincke & Mareschal (1986), types I to VI

BVM = DATA / "promethee-brans-vincke-mareschal-1986"
BVM_VENDORS = ["a1", "a2", "a3", "a4", "a5", "a6"]
BVM_CRITERIA = ("f1", "f2", "f3", "f4", "f5", "f6")
BVM_BENEFIT = (False, True, False, False, False, True)
BVM_WEIGHTS = (1, 1, 1, 1, 1, 1)
BVM_FUNCTIONS = (("u-shape", {"q": 10}),            # type II
                 ("v-shape", {"p": 30}),            # type III
                 ("linear", {"q": 0.5, "p": 5}),    # type V
                 ("level", {"q": 1, "p": 6}),       # type IV
                 ("usual", {}),                     # type I
                 ("gaussian", {"s": 5}))            # type VI
BVM_MATRIX = ((80, 90, 6, 5.4, 8, 5),
              (65, 58, 2, 9.7, 1, 1),
              (83, 60, 4, 7.2, 4, 7),
              (40, 80, 10, 7.5, 7, 10),
              (52, 72, 6, 2.0, 3, 8),
              (94, 96, 7, 3.6, 5, 6))
# The printed valued outranking graph pi(ai, aj) (row ai, column aj), 3 decimals.
BVM_PRINTED_PI = ((0.000, 0.296, 0.250, 0.268, 0.100, 0.185),
                  (0.462, 0.000, 0.389, 0.333, 0.296, 0.500),
                  (0.236, 0.180, 0.000, 0.333, 0.056, 0.429),
                  (0.399, 0.505, 0.305, 0.000, 0.223, 0.212),
                  (0.444, 0.515, 0.487, 0.380, 0.000, 0.448),
                  (0.286, 0.399, 0.250, 0.432, 0.133, 0.000))
# The printed leaving and entering flows, 3 decimals: phi+(a) = sum_x pi(a, x) and phi-(a) = sum_x pi(x, a), not
# divided by n - 1 as later texts and this tool do (hence values above 1).
BVM_PRINTED_PHI_PLUS = (1.099, 1.980, 1.234, 1.644, 2.274, 1.500)
BVM_PRINTED_PHI_MINUS = (1.827, 1.895, 1.681, 1.746, 0.808, 1.774)
BVM_DECIMALS = 3
BVM_HALF_UNIT = 0.5 * 10.0 ** -BVM_DECIMALS
BVM_ORDER = ("a5", "a2", "a4", "a6", "a3", "a1")
# phi = phi+ - phi- is not printed itself but follows from two printed figures, each within half a unit of what it
# rounds, so it is within one unit (2 x 0.5e-3) of the printed difference. The tool's phi is divided by n - 1 = 5 and
# comes from a score rounded to 12 decimals: 5 x 2e-12 on the source's scale.
BVM_NET_TOLERANCE = 2 * BVM_HALF_UNIT + (len(BVM_VENDORS) - 1) * 2 * JSON_SLACK
# The net flows whose printed difference is further off than that (see test_bvm_1986_net_flows_of_a4_and_a5).
BVM_NET_OFF = ("a4", "a5")


def bvm_textbook_pi() -> np.ndarray:
    return textbook_pi(np.array(BVM_MATRIX, float), np.array(BVM_WEIGHTS, float), np.array(BVM_BENEFIT),
                       BVM_FUNCTIONS)


def bvm_tool_phi(capsys) -> tuple[dict, dict[str, float]]:
    result = rank_json(capsys, BVM)
    rows = check_fixture(result, BVM_CRITERIA, BVM_BENEFIT, BVM_WEIGHTS, BVM_MATRIX, BVM_VENDORS)
    return result, {vid: 2.0 * rows[vid]["score"] - 1.0 for vid in BVM_VENDORS}


def test_bvm_1986_promethee_ii(capsys):
    """PROMETHEE II on the numerical example of Brans, Vincke & Mareschal (1986): six criteria, one of each of the
    six generalized criteria (types I-VI), two of them maximized and four minimized.

    Source: J.-P. Brans, Ph. Vincke and B. Mareschal, "How to select and how to rank projects: The PROMETHEE
    method", *European Journal of Operational Research* 24(2), 1986, pp. 228-238, doi:10.1016/0377-2217(86)90044-5,
    the numerical example: actions a1..a6 evaluated on f1..f6; f1 min, type II (u-shape) q = 10; f2 max, type III
    (v-shape) p = 30; f3 min, type V (linear) q = 0.5, p = 5; f4 min, type IV (level) q = 1, p = 6; f5 min, type I
    (usual); f6 max, type VI (Gaussian) sigma = 5; equal weights. Printed: the valued outranking graph pi (3
    decimals), the leaving flows phi+ = 1.099 1.980 1.234 1.644 2.274 1.500 and the entering flows phi- = 1.827
    1.895 1.681 1.746 0.808 1.774 (sums over the other actions, not divided by n - 1), and the PROMETHEE II complete
    preorder a5 > a2 > a4 > a6 > a3 > a1.

    Provenance of the numbers: the paper itself was not available here, so its table and page numbers are not
    given. The data, directions, preference functions, thresholds and equal weights agree in three public
    transcriptions: github.com/WAndraszyk/Construct-your-own-PROMETHEE-with-Python-for-MCDA,
    unit_tests/data/Example2Data.py (f3 in the unit used here); github.com/calote/TDecisionCodigo,
    tests/Multicriterio/testPrometheeGaia01.R (same unit, weights 1/6, cost criteria entered negated);
    github.com/eabohorquezg/ProjectMCDM, test/test/TestPromethee.java (f3 ten times larger with thresholds 5 and
    50; the linear and level thresholds written there as q and p - q).
    The printed pi table is transcribed in the first repository (unit_tests/preference/test_PrometheePreference.py),
    the printed phi+ / phi- and the complete preorder in the third (testFlows, testTotalOrder). The two
    transcriptions of the printed figures are consistent with each other: each printed phi+ (phi-) is exactly the
    row (column) sum of the printed pi table (see test_bvm_1986_printed_flows_are_sums_of_the_printed_graph).

    Tolerance: the net flow phi = phi+ - phi- is derived from two printed 3-decimal figures, so it must lie within
    2 x 0.5e-3 of their difference (on the source's scale, i.e. 5 x the tool's phi), plus the JSON's rounding. a1,
    a2, a3 and a6 do (largest gap 0.81e-3, a2: exact 0.085811 vs printed 1.980 - 1.895 = 0.085). a4 and a5 do not
    (gaps 1.99e-3 and 1.50e-3); they are checked in ``test_bvm_1986_net_flows_of_a4_and_a5`` (strict xfail), which
    explains why. The complete preorder is the published one, with no ties. Numpy recomputation (textbook
    definitions on the raw data, cost criteria by the sign of the difference): 1e-9.
    """
    result, phi = bvm_tool_phi(capsys)
    n = len(BVM_VENDORS)

    # an independent recomputation by hand
    pi = bvm_textbook_pi()
    hand = (pi.sum(axis=1) - pi.sum(axis=0)) / (n - 1)
    for i, vid in enumerate(BVM_VENDORS):
        assert abs(phi[vid] - hand[i]) <= HAND_TOLERANCE, (vid, phi[vid], hand[i])

    # the printed flows, on the source's scale (sums, not means), to the precision printed
    printed_net = np.array(BVM_PRINTED_PHI_PLUS) - np.array(BVM_PRINTED_PHI_MINUS)
    off = {vid: ((n - 1) * phi[vid], printed_net[i]) for i, vid in enumerate(BVM_VENDORS)
           if vid not in BVM_NET_OFF and abs((n - 1) * phi[vid] - printed_net[i]) > BVM_NET_TOLERANCE}
    assert not off, f"beyond one unit in the 3rd decimal of phi+ - phi- (ours, printed): {off}"

    # the published complete preorder
    ranking = result["ranking"]
    assert tuple(row["vendor"] for row in ranking) == BVM_ORDER
    assert [row["rank"] for row in ranking] == list(range(1, n + 1))
    assert not any(row["tied"] for row in ranking)


def test_bvm_1986_leaving_and_entering_flows_by_the_tool():
    """The tool's own pi (hence phi+ and phi-, which the CLI does not report) is the textbook one, to 1e-9.

    :func:`tool_pi` rebuilds pi(a, b) from the tool's normalized matrix, preference table and weights and checks
    that it gives the tool's net flows; here it is compared cell by cell with the numpy recomputation on the raw
    data, so that each of the six preference functions is exercised on real differences, in both directions.
    """
    ours = tool_pi(BVM, BVM_VENDORS)
    hand = bvm_textbook_pi()
    assert np.abs(ours - hand).max() <= HAND_TOLERANCE
    assert np.abs(ours.sum(axis=1) - hand.sum(axis=1)).max() <= HAND_TOLERANCE
    assert np.abs(ours.sum(axis=0) - hand.sum(axis=0)).max() <= HAND_TOLERANCE


def test_bvm_1986_printed_flows_are_sums_of_the_printed_graph():
    """Where the printed flows come from: the source sums its own rounded pi table, some of whose cells are off.

    1. Every printed phi+ (phi-) is exactly the sum of the printed row (column) of pi: e.g. phi+(a2) = 0.462 +
       0.389 + 0.333 + 0.296 + 0.500 = 1.980. So the flows carry the rounding of up to five 3-decimal cells.
    2. 29 of the 36 printed cells are the exact pi rounded to 3 decimals. Seven are not, by 0.52e-3 to 0.96e-3:
       pi(a1,a4) 0.268 (exact 0.268519), pi(a2,a1) 0.462 (0.462963), pi(a3,a1) 0.236 (0.235036), pi(a4,a2) 0.505
       (0.505906), pi(a4,a5) 0.223 (0.223925), pi(a6,a1) 0.286 (0.286634), pi(a6,a4) 0.432 (0.431481). No uniform
       rule tried reproduces all 36: truncating pi to 3 decimals leaves 12 cells off; rounding the single-criterion
       degrees P to 2 decimals before averaging, 12; truncating them to 2 decimals, 19; rounding or truncating them
       to 3 decimals, 5 each; reading the Gaussian as 1 - exp(-d^2 / s^2) or 1 - exp(-d / s), the level p as 5 or the
       linear function as (d - q) / p, 9 to 18 with gaps up to 0.08. All seven cells involve a fractional v-shape,
       linear or Gaussian degree, as do many cells printed correctly. Most likely slips in the source's arithmetic
       (less likely in the transcription: the two independent transcriptions, of pi and of the flows, agree).
       The cells are checked to one unit in the 3rd decimal (1e-3) only, as a plausibility check of the
       transcription; the set of seven is pinned so that a change in the data shows up.
    """
    printed = np.array(BVM_PRINTED_PI)
    assert np.abs(printed.sum(axis=1) - BVM_PRINTED_PHI_PLUS).max() <= 1e-12
    assert np.abs(printed.sum(axis=0) - BVM_PRINTED_PHI_MINUS).max() <= 1e-12
    exact = bvm_textbook_pi()
    gap = np.abs(exact - printed)
    assert gap.max() <= 1e-3
    off = {(f"a{i + 1}", f"a{j + 1}") for i, j in zip(*np.nonzero(gap > BVM_HALF_UNIT + 1e-12), strict=True)}
    assert off == {("a1", "a4"), ("a2", "a1"), ("a3", "a1"), ("a4", "a2"), ("a4", "a5"), ("a6", "a1"), ("a6", "a4")}


@pytest.mark.xfail(strict=True, reason="Brans, Vincke & Mareschal (1986): phi+ - phi- printed for a4 (-0.102) and a5 "
                   "(1.466) is more than one unit in the 3rd decimal from the exact -0.100013 and 1.464500; the "
                   "printed flows are sums of a rounded pi table with seven cells off (see the docstring).")
def test_bvm_1986_net_flows_of_a4_and_a5(capsys):
    """a4's and a5's net flows against the printed phi+ - phi-, at 2 x 0.5e-3: a documented discrepancy in the source.

    Investigated: the tool agrees with the numpy recomputation to 1e-9 (main test), and with it pi cell by cell
    (test_bvm_1986_leaving_and_entering_flows_by_the_tool), so the tool is not at fault. Exactly, on the source's
    scale, phi+(a4) = 1.646284 (printed 1.644), phi-(a4) = 1.746296 (1.746), phi+(a5) = 2.273610 (2.274), phi-(a5)
    = 0.809110 (0.808): phi(a4) = -0.100013 against the printed -0.102, phi(a5) = 1.464500 against 1.466. The
    printed flows are the row and column sums of the printed pi table
    (test_bvm_1986_printed_flows_are_sums_of_the_printed_graph), and the cells pi(a4,a2), pi(a4,a5) (row a4) and
    pi(a4,a5) (column a5) are among the seven printed cells that are not the exact value rounded. The ranking is not
    affected.
    """
    _, phi = bvm_tool_phi(capsys)
    n = len(BVM_VENDORS)
    for vid in BVM_NET_OFF:
        i = BVM_VENDORS.index(vid)
        printed = BVM_PRINTED_PHI_PLUS[i] - BVM_PRINTED_PHI_MINUS[i]
        assert abs((n - 1) * phi[vid] - printed) <= BVM_NET_TOLERANCE, (vid, (n - 1) * phi[vid], printed)


@pytest.mark.xfail(strict=True, reason="Brans, Vincke & Mareschal (1986): 7 of the 12 printed phi+ / phi- are more "
                   "than half a unit in the 3rd decimal from the exact flows; they are sums of a rounded pi table.")
def test_bvm_1986_printed_leaving_and_entering_flows():
    """The tool's phi+ and phi- (sums, as printed) against the 12 printed figures at 0.5e-3: documented discrepancy.

    Five agree: phi+ of a1 (exact 1.099346), a5 (2.273610), a6 (1.500360) and phi- of a3 (1.680755), a4 (1.746296).
    Seven do not: phi+ of a2 1.981481 (printed 1.980), a3 1.233137 (1.234), a4 1.646284 (1.644) and phi- of a1
    1.827666 (1.827), a2 1.895671 (1.895), a5 0.809110 (0.808), a6 1.774719 (1.774). Each printed flow is the sum of
    five printed pi cells (so it may carry up to 2.5e-3 of rounding) and seven of those cells are themselves off by
    up to 0.96e-3; see test_bvm_1986_printed_flows_are_sums_of_the_printed_graph. Not a different method: the
    numpy recomputation agrees with the tool to 1e-9.
    """
    pi = tool_pi(BVM, BVM_VENDORS)
    assert np.abs(pi.sum(axis=1) - BVM_PRINTED_PHI_PLUS).max() <= BVM_HALF_UNIT + 1e-12
    assert np.abs(pi.sum(axis=0) - BVM_PRINTED_PHI_MINUS).max() <= BVM_HALF_UNIT + 1e-12


# ------------------------------------------------------------ 2. Zhao, Peng & Li (2013), usual criterion

ZPL = DATA / "promethee-zhao-peng-li-2013"
ZPL_VENDORS = ["a1", "a2", "a3"]
ZPL_CRITERIA = ("c1", "c2", "c3")
ZPL_BENEFIT = (True, True, True)
ZPL_WEIGHTS = (0.5, 0.3, 0.2)
ZPL_MATRIX = ((4, 3, 2), (3, 2, 4), (5, 1, 3))
ZPL_PRINTED_PHI = (0.1, -0.3, 0.2)
ZPL_DECIMALS = 1
ZPL_ORDER = ("a3", "a1", "a2")


def test_zhao_peng_li_2013_usual_criterion(capsys):
    """A second, small published example: the usual criterion with unequal weights, flows divided by n - 1.

    Source: Huimin Zhao, Yi Peng and Weiwei Li, "Revised PROMETHEE II for improving efficiency in emergency
    response", *Procedia Computer Science* 17, 2013, pp. 181-188: three alternatives on three benefit criteria,
    A1 (4, 3, 2), A2 (3, 2, 4), A3 (5, 1, 3), weights (0.5, 0.3, 0.2), the usual criterion throughout; printed net
    flows A1 0.1, A2 -0.3, A3 0.2 (ranking A3 > A1 > A2).

    Provenance of the numbers: the paper was not available here; data, weights and the net flows are as
    transcribed, with the citation above, in pymcdm's test suite (class TestPROMETHEE_II, "Test output method with
    reference: Zhao, H., Peng, Y., & Li, W. (2013)"), found in the public code index; its repository path was not
    identified.

    By hand: pi(A1,A2) = 0.5 + 0.3 = 0.8, pi(A2,A1) = 0.2; pi(A1,A3) = 0.3, pi(A3,A1) = 0.5 + 0.2 = 0.7;
    pi(A2,A3) = 0.3 + 0.2 = 0.5, pi(A3,A2) = 0.5. phi(A1) = (0.8 + 0.3 - 0.2 - 0.7) / 2 = 0.1, phi(A2) = (0.2 + 0.5
    - 0.8 - 0.5) / 2 = -0.3, phi(A3) = (0.7 + 0.5 - 0.3 - 0.5) / 2 = 0.2: the printed values are exact.

    Tolerance: the transcription gives one decimal, so 0.05 (+ the JSON's rounding); the tool in fact agrees with
    the exact values to 1e-9, checked against the numpy recomputation.
    """
    result = rank_json(capsys, ZPL)
    rows = check_fixture(result, ZPL_CRITERIA, ZPL_BENEFIT, ZPL_WEIGHTS, ZPL_MATRIX, ZPL_VENDORS)
    phi = {vid: 2.0 * rows[vid]["score"] - 1.0 for vid in ZPL_VENDORS}
    pi = textbook_pi(np.array(ZPL_MATRIX, float), np.array(ZPL_WEIGHTS), np.array(ZPL_BENEFIT),
                     [("usual", {})] * 3)
    hand = (pi.sum(axis=1) - pi.sum(axis=0)) / (len(ZPL_VENDORS) - 1)
    tolerance = 0.5 * 10.0 ** -ZPL_DECIMALS + 2 * JSON_SLACK
    for i, vid in enumerate(ZPL_VENDORS):
        assert abs(phi[vid] - hand[i]) <= HAND_TOLERANCE, (vid, phi[vid], hand[i])
        assert abs(phi[vid] - ZPL_PRINTED_PHI[i]) <= tolerance, (vid, phi[vid], ZPL_PRINTED_PHI[i])
    assert tuple(row["vendor"] for row in result["ranking"]) == ZPL_ORDER
    assert not any(row["tied"] for row in result["ranking"])


# ------------------------------------------------------------------- 3. each preference function by hand

def one(function: str, q: float = NAN, p: float = NAN, s: float = NAN) -> PreferenceTable:
    """A one-criterion preference table, thresholds already in normalized units."""
    return PreferenceTable((function,), np.array([q]), np.array([p]), np.array([s]))


def degrees(table: PreferenceTable, ds) -> list[float]:
    return preference_degrees(np.array(ds, dtype=float)[:, None], table)[:, 0].tolist()


def test_usual_by_hand():
    # Step functions compare with THRESHOLD_SLACK (1e-9), so the probe just above a threshold is 2**-20.
    # P(d) = 1 for d > 0, else 0: no preference at d = 0 itself, full preference at any positive difference.
    assert degrees(one("usual"), [-0.5, 0.0, 2.0 ** -20, 0.25, 1.0]) == [0.0, 0.0, 1.0, 1.0, 1.0]


def test_u_shape_by_hand():
    # Step functions compare with THRESHOLD_SLACK (1e-9), so the probe just above a threshold is 2**-20.
    # q = 0.25. P(d) = 1 for d > q, else 0. At d = q exactly: 0 (indifference up to and including q).
    table = one("u-shape", q=0.25)
    assert degrees(table, [-1.0, 0.0, 0.125, 0.25, 0.25 + 2.0 ** -20, 0.5, 1.0]) == [0, 0, 0, 0, 1, 1, 1]


def test_v_shape_by_hand():
    # p = 0.5. P(d) = d / p for 0 < d <= p, 1 above, 0 for d <= 0:
    # 0.125 / 0.5 = 0.25, 0.25 / 0.5 = 0.5, 0.375 / 0.5 = 0.75; at d = p exactly 0.5 / 0.5 = 1.
    table = one("v-shape", p=0.5)
    assert degrees(table, [-0.25, 0.0, 0.125, 0.25, 0.375, 0.5, 0.75]) == [0, 0, 0.25, 0.5, 0.75, 1.0, 1.0]


def test_level_by_hand():
    # Step functions compare with THRESHOLD_SLACK (1e-9), so the probe just above a threshold is 2**-20.
    # q = 0.25, p = 0.5. P(d) = 0 for d <= q, 1/2 for q < d <= p, 1 for d > p.
    # At d = q exactly: 0; just above q: 1/2; at d = p exactly: still 1/2; just above p: 1.
    table = one("level", q=0.25, p=0.5)
    ds = [-0.5, 0.0, 0.25, 0.25 + 2.0 ** -20, 0.375, 0.5, 0.5 + 2.0 ** -20, 1.0]
    assert degrees(table, ds) == [0, 0, 0, 0.5, 0.5, 0.5, 1.0, 1.0]


def test_linear_by_hand():
    # q = 0.25, p = 0.75. P(d) = 0 for d <= q, (d - q) / (p - q) for q < d <= p, 1 above:
    # (0.375 - 0.25) / 0.5 = 0.25, (0.5 - 0.25) / 0.5 = 0.5, (0.625 - 0.25) / 0.5 = 0.75;
    # at d = q exactly 0, at d = p exactly (0.75 - 0.25) / 0.5 = 1.
    table = one("linear", q=0.25, p=0.75)
    ds = [-0.5, 0.0, 0.25, 0.375, 0.5, 0.625, 0.75, 1.0]
    assert degrees(table, ds) == [0, 0, 0, 0.25, 0.5, 0.75, 1.0, 1.0]


def test_gaussian_by_hand():
    # s = 0.5. P(d) = 1 - exp(-d^2 / (2 s^2)) = 1 - exp(-2 d^2) for d > 0, else 0:
    # d = 0.25 -> 1 - exp(-0.125) = 0.117503097...; d = s = 0.5 -> 1 - exp(-0.5) = 0.393469340... (the inflexion
    # point); d = 1 -> 1 - exp(-2) = 0.864664716...; d = 1.5 -> 1 - exp(-4.5) = 0.988891003...
    table = one("gaussian", s=0.5)
    got = degrees(table, [-0.5, 0.0, 0.25, 0.5, 1.0, 1.5])
    want = [0.0, 0.0, 0.11750309741540459, 0.3934693402873666, 0.8646647167633873, 0.9888910034617577]
    assert got == pytest.approx(want, rel=0, abs=1e-15)


def test_all_six_functions_at_once_by_hand():
    # One criterion per function, batched over rows as net_flows does: the column loop must not mix thresholds.
    table = PreferenceTable(("usual", "u-shape", "v-shape", "level", "linear", "gaussian"),
                            np.array([NAN, 0.25, NAN, 0.25, 0.25, NAN]),
                            np.array([NAN, NAN, 0.5, 0.5, 0.75, NAN]),
                            np.array([NAN, NAN, NAN, NAN, NAN, 0.5]))
    d = np.array([[0.25] * 6, [0.5] * 6, [-0.5] * 6])
    got = preference_degrees(d, table)
    # d = 0.25: usual 1; u-shape at q 0; v-shape 0.25/0.5 = 0.5; level at q 0; linear at q 0; gaussian 1-e^-0.125
    # d = 0.5 : usual 1; u-shape 1; v-shape at p 1; level at p 1/2; linear 0.25/0.5 = 0.5; gaussian 1-e^-0.5
    # d = -0.5: all 0
    want = np.array([[1, 0, 0.5, 0, 0, 1 - np.exp(-0.125)],
                     [1, 1, 1.0, 0.5, 0.5, 1 - np.exp(-0.5)],
                     [0, 0, 0, 0, 0, 0]])
    assert np.abs(got - want).max() <= 1e-15


def test_net_flows_by_hand():
    # Three vendors, two criteria, weights 1/2 each. Normalized values (exact binary fractions):
    #        c1 (linear q = 0.125, p = 0.375)   c2 (usual)
    #   a    0.75                                0.25
    #   b    0.5                                 0.5
    #   c    0.25                                1.0
    # c1: d(a,b) = 0.25 -> (0.25 - 0.125) / 0.25 = 0.5; d(a,c) = 0.5 -> 1; d(b,c) = 0.25 -> 0.5; reverse 0.
    # c2: b over a, c over a, c over b: 1 each; reverse 0.
    # pi(a,b) = 0.25, pi(b,a) = 0.5; pi(a,c) = 0.5, pi(c,a) = 0.5; pi(b,c) = 0.25, pi(c,b) = 0.5.
    # phi(a) = (0.25 + 0.5 - 0.5 - 0.5) / 2 = -0.125
    # phi(b) = (0.5 + 0.25 - 0.25 - 0.5) / 2 =  0
    # phi(c) = (0.5 + 0.5 - 0.5 - 0.25) / 2 =  0.125
    norm = np.array([[0.75, 0.25], [0.5, 0.5], [0.25, 1.0]])
    table = PreferenceTable(("linear", "usual"), np.array([0.125, NAN]), np.array([0.375, NAN]),
                            np.array([NAN, NAN]))
    assert net_flows(norm, np.array([0.5, 0.5]), table).tolist() == [-0.125, 0.0, 0.125]
    # Batched: the same matrix under K weight vectors (K, m) -> (K, n), and K matrices (K, n, m) -> (K, n).
    # Weights (1, 0): only c1: pi(a,b) = 0.5, pi(a,c) = 1, pi(b,c) = 0.5: phi = (0.75, 0, -0.75).
    # Weights (0, 1): only c2: c beats both, b beats a: phi = (-1, 0, 1).
    weights = np.array([[0.5, 0.5], [1.0, 0.0], [0.0, 1.0]])
    want = [[-0.125, 0.0, 0.125], [0.75, 0.0, -0.75], [-1.0, 0.0, 1.0]]
    assert net_flows(norm, weights, table).tolist() == want
    assert net_flows(np.stack([norm] * 3), weights, table).tolist() == want


def test_one_vendor_has_net_flow_zero():
    # n = 1: there is nobody to compare with; the flow is defined as 0, not a division by zero.
    table = one("usual")
    assert net_flows(np.array([[0.7]]), np.array([1.0]), table).tolist() == [0.0]


def test_thresholds_are_divided_by_the_scale_width(write_yaml):
    """preference_table converts raw-unit thresholds with the fixed scale's width: q = 10 on [0, 100] -> 0.1,
    p = 30 -> 0.3, s = 5 on [0, 20] -> 0.25; a criterion without ``preference`` keeps the default (normalized)."""
    from scoring.load import load_criteria
    path = write_yaml("criteria.yaml", """\
        name: t
        method: promethee
        normalization: fixed
        criteria:
          a: {metric: m1, direction: max, weight: 1, scale: {min: 0, max: 100},
              preference: {function: linear, q: 10, p: 30}}
          b: {metric: m2, direction: min, weight: 1, scale: {min: 0, max: 20}, preference: {function: gaussian, s: 5}}
          c: {metric: m3, direction: max, weight: 1, scale: {min: 0, max: 100}}
        """)
    table = preference_table(load_criteria(path))
    assert table.function == ("linear", "gaussian", "linear")
    assert table.q[0] == 0.1 and table.p[0] == 0.3 and table.s[1] == 0.25
    assert table.q[2] == 0.05 and table.p[2] == 0.5          # DEFAULT_PREFERENCE, already normalized


# --------------------------------------------------------------------------------------------- 4. properties

def random_table(rng: np.random.Generator, m: int) -> PreferenceTable:
    functions = tuple(rng.choice(["usual", "u-shape", "v-shape", "level", "linear", "gaussian"], size=m))
    q = rng.uniform(0.0, 0.3, size=m)
    p = q + rng.uniform(0.05, 0.6, size=m)
    s = rng.uniform(0.05, 0.5, size=m)
    return PreferenceTable(functions, q, p, s)


def random_draws(seed: int, count: int):
    rng = np.random.default_rng(seed)
    for _ in range(count):
        n, m = int(rng.integers(2, 9)), int(rng.integers(1, 7))
        norm = rng.uniform(0.0, 1.0, size=(n, m))
        norm[rng.uniform(size=(n, m)) < 0.2] = 0.5                     # some exact ties
        w = rng.dirichlet(np.ones(m))
        yield norm, w, random_table(rng, m)


def test_net_flows_sum_to_zero():
    # sum_a phi(a) = (sum_ab pi(a,b) - sum_ab pi(b,a)) / (n - 1) = 0 whatever the functions and weights.
    for norm, w, table in random_draws(seed=20240611, count=300):
        assert abs(net_flows(norm, w, table).sum()) <= 1e-12


def test_net_flows_lie_in_minus_one_one():
    # With weights summing to 1, 0 <= pi <= 1, so each phi+ and phi- is in [0, 1] and phi in [-1, 1];
    # and pi(a,b) + pi(b,a) <= 1 because P(d) and P(-d) are never both positive.
    for norm, w, table in random_draws(seed=7, count=300):
        phi = net_flows(norm, w, table)
        assert np.all(phi >= -1.0 - 1e-12) and np.all(phi <= 1.0 + 1e-12)
        pi = preference_degrees(norm[:, None, :] - norm[None, :, :], table) @ w
        assert np.all(pi >= 0.0) and np.all(pi + pi.T <= 1.0 + 1e-12)


def test_usual_and_a_strictly_dominating_vendor_gives_phi_one():
    # Usual everywhere, vendor 0 strictly better than every other vendor on every criterion: pi(0, b) = sum w = 1
    # and pi(b, 0) = 0 for every b, so phi(0) = (n - 1) / (n - 1) = 1.
    rng = np.random.default_rng(3)
    for _ in range(200):
        n, m = int(rng.integers(2, 9)), int(rng.integers(1, 7))
        others = rng.uniform(0.0, 0.9, size=(n - 1, m))
        best = others.max(axis=0) + rng.uniform(1e-6, 0.1, size=m)
        norm = np.vstack([best, others])
        table = PreferenceTable(("usual",) * m, np.full(m, NAN), np.full(m, NAN), np.full(m, NAN))
        # (the weights sum to 1 up to rounding, hence the 1e-12)
        assert abs(net_flows(norm, rng.dirichlet(np.ones(m)), table)[0] - 1.0) <= 1e-12


def test_dominating_vendor_end_to_end(capsys, write_yaml):
    """The same property through the CLI, with a cost criterion: a is best on both, so phi(a) = 1, score 1."""
    criteria = write_yaml("criteria.yaml", """\
        name: dominance
        method: promethee
        normalization: fixed
        criteria:
          c1: {metric: m1, direction: min, weight: 2, scale: {min: 0, max: 100}, preference: {function: usual}}
          c2: {metric: m2, direction: max, weight: 1, scale: {min: 0, max: 100}, preference: {function: usual}}
        """)
    for vid, m1, m2 in (("a", 10, 90), ("b", 20, 80), ("c", 30, 85), ("d", 40, 50)):
        write_yaml(f"vendors/{vid}.yaml", f"id: {vid}\nname: {vid.upper()}\nmetrics: {{m1: {m1}, m2: {m2}}}\n")
    result = rank_json(capsys, criteria.parent)
    top = result["ranking"][0]
    assert top["vendor"] == "a" and abs(top["score"] - 1.0) <= JSON_SLACK


# ------------------------------------------------------------------------- 5. thresholds at their edges

def test_difference_equal_to_the_threshold_end_to_end(capsys, write_yaml):
    """u-shape with q = 10 on a [0, 100] scale, vendors at 80 and 70: d = q exactly, so P = 0 both ways and both
    net flows are 0 (score 0.5). Normalized, the difference is 0.8 - 0.7 = 0.10000000000000009; the step
    functions compare with a slack (``THRESHOLD_SLACK``) so rounding cannot create a preference.
    """
    criteria = write_yaml("criteria.yaml", """\
        name: boundary
        method: promethee
        normalization: fixed
        criteria:
          c1: {metric: m1, direction: max, weight: 1, scale: {min: 0, max: 100}, preference: {function: u-shape, q: 10}}
        """)
    write_yaml("vendors/a.yaml", "id: a\nname: A\nmetrics: {m1: 80}\n")
    write_yaml("vendors/b.yaml", "id: b\nname: B\nmetrics: {m1: 70}\n")
    result = rank_json(capsys, criteria.parent)
    assert [row["score"] for row in result["ranking"]] == [0.5, 0.5]


def test_no_integer_pair_at_the_threshold_is_a_preference():
    """All 91 pairs (a, a - 10) on [0, 100] with u-shape q = 10 and level q = 10, p = 20: P = 0 at d = q."""
    from scoring.outranking import PreferenceTable, preference_degrees
    a = np.arange(10, 101, dtype=float)
    d = (a / 100.0 - (a - 10) / 100.0)[:, None]
    for fn in ("u-shape", "level"):
        table = PreferenceTable((fn,), np.array([0.1]), np.array([0.2]), np.array([np.nan]))
        assert (preference_degrees(d, table) == 0).all(), fn


def test_thresholds_in_criterion_units_need_a_fixed_scale(write_yaml):
    from scoring.errors import ConfigErrors
    from scoring.load import load_criteria
    path = write_yaml("c.yaml", """\
        name: t
        method: promethee
        normalization: min-max
        criteria:
          c1: {metric: m1, direction: max, weight: 1, preference: {function: linear, q: 0, p: 50}}
          c2: {metric: m2, direction: max, weight: 1, preference: {function: usual}}
        """)
    with pytest.raises(ConfigErrors, match=r"c\.yaml:5:\d+: criteria\.c1\.preference: thresholds in the criterion's "
                                           r"units need normalization 'fixed', got 'min-max'"):
        load_criteria(path)
