"""Literature reproductions: the real CLI, end to end on YAML fixtures, against results printed in published sources.

Each example lives in ``tests/data/published/<example>/``: a ``criteria.yaml`` and a ``vendors/`` folder with one
file per alternative (bare numbers, i.e. unsourced what-if values; alternative ``A<i>`` of the source is vendor
``a<i>``). Every test

1. runs ``cloudscore rank --format json`` through :func:`scoring.cli.main` on the fixture;
2. reads the raw values, directions and weights back from the JSON and compares them with the transcription of the
   source below, so a typo in a YAML file cannot pass silently;
3. recomputes the method by hand with numpy in its textbook form (cost criteria handled by a min-ideal / min-over-x,
   not by the tool's own orientation of the columns), independently of ``scoring.*``, and requires agreement to
   1e-9 (the JSON prints 12 decimals);
4. compares every score with the published figure to half a unit in the last decimal the source prints (the most a
   correctly rounded figure can differ from the exact value; plus 1e-12 for the JSON's own rounding), and the rank
   order with the published one.

A printed figure that is further off than that is not absorbed by a wider tolerance: it is left out of the main
test and checked on its own, at the same half-unit tolerance, in a strict ``xfail`` test whose docstring records the
investigation. If the tool, the fixture or the transcription changes so that the figure agrees, the test XPASSes
and, being strict, fails, so the note gets revisited.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from scoring.cli import main

DATA = Path(__file__).resolve().parent / "data" / "published"
JSON_SLACK = 1e-12          # the JSON report rounds floats to 12 decimals
HAND_TOLERANCE = 1e-9       # tool vs the numpy recomputation


@dataclass(frozen=True)
class Published:
    """One published example, transcribed: rows are the source's alternatives A1..An (vendor ids a1..an)."""

    example: str
    method: str
    normalization: str
    criteria: tuple[str, ...]       # criterion ids in the fixture, in the source's column order
    benefit: tuple[bool, ...]       # True = max (benefit), False = min (cost)
    weights: tuple[float, ...]
    matrix: tuple[tuple[float, ...], ...]
    printed: tuple[float, ...]      # the published scores, as printed
    decimals: int                   # how many decimals the source prints
    order: tuple[str, ...]          # the published ranking, best first

    @property
    def vendors(self) -> list[str]:
        return [f"a{i + 1}" for i in range(len(self.matrix))]

    @property
    def tolerance(self) -> float:
        return 0.5 * 10.0 ** -self.decimals + JSON_SLACK


TZENG_HUANG_2011 = Published(
    example="tzeng-huang-2011-topsis", method="topsis", normalization="vector",
    criteria=("x1", "x2", "x3"), benefit=(True, True, True), weights=(0.3, 0.4, 0.3),
    matrix=((5, 8, 4), (7, 6, 8), (8, 8, 6), (7, 4, 6)),
    printed=(0.5037, 0.6581, 0.7482, 0.3340), decimals=4,
    order=("a3", "a2", "a1", "a4"),
)

HWANG_YOON_1981_AIRCRAFT = Published(
    example="hwang-yoon-1981-aircraft-topsis", method="topsis", normalization="vector",
    criteria=("speed", "range", "payload", "cost", "reliability", "maneuverability"),
    benefit=(True, True, True, False, True, True), weights=(0.2, 0.1, 0.1, 0.1, 0.2, 0.3),
    matrix=((2.0, 1500, 20000, 5.5, 5, 9),
            (2.5, 2700, 18000, 6.5, 3, 5),
            (1.8, 2000, 21000, 4.5, 7, 7),
            (2.2, 1800, 20000, 5.0, 5, 5)),
    printed=(0.643, 0.268, 0.613, 0.312), decimals=3,
    order=("a1", "a3", "a4", "a2"),
)
# The book's separation measures, printed to 4 decimals next to its C* (used to trace the A3 discrepancy).
HWANG_YOON_PRINTED_S_PLUS = (0.0545, 0.1197, 0.0580, 0.1009)
HWANG_YOON_PRINTED_S_MINUS = (0.0983, 0.0439, 0.0920, 0.0458)

CHAKRABORTY_2015_WSM = Published(
    example="chakraborty-2015-wsm", method="weighted-sum", normalization="max",
    criteria=("pc", "fs", "mn", "p"), benefit=(False, False, False, True), weights=(0.467, 0.160, 0.095, 0.278),
    matrix=((581818, 54.49, 3, 5500), (595454, 49.73, 3, 4500), (586060, 51.24, 3, 5000),
            (522727, 45.71, 3, 5800), (561818, 52.66, 3, 5200), (543030, 74.46, 4, 5600),
            (522727, 75.42, 4, 5800), (486970, 62.62, 4, 5600), (509394, 65.87, 4, 6400),
            (513333, 70.67, 4, 6000)),
    printed=(0.8590, 0.8194, 0.8430, 0.9420, 0.8645, 0.8315, 0.8552, 0.8983, 0.9067, 0.8784), decimals=4,
    order=("a4", "a9", "a8", "a10", "a5", "a1", "a7", "a3", "a6", "a2"),
)


# ------------------------------------------------------------------------------------------------ helpers

def rank_json(capsys: pytest.CaptureFixture, example: str) -> dict:
    """Run the real CLI on a fixture folder and return its parsed JSON output."""
    folder = DATA / example
    rc = main(["rank", "--criteria", str(folder / "criteria.yaml"), "--vendors", str(folder / "vendors"),
               "--format", "json"])
    out, err = capsys.readouterr()
    assert rc == 0, f"cloudscore rank exited {rc}: {err}"
    return json.loads(out)


def textbook_topsis(x: np.ndarray, w: np.ndarray, benefit: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Hwang & Yoon's TOPSIS as printed in the textbooks: vector normalization r = x / sqrt(sum x^2), v = w r,
    ideal = max v on benefit / min v on cost attributes (anti-ideal the reverse), Euclidean separations,
    C* = S- / (S* + S-). Returns (S*, S-, C*)."""
    v = w * x / np.sqrt((x ** 2).sum(axis=0))
    ideal = np.where(benefit, v.max(axis=0), v.min(axis=0))
    anti = np.where(benefit, v.min(axis=0), v.max(axis=0))
    s_plus = np.sqrt(((v - ideal) ** 2).sum(axis=1))
    s_minus = np.sqrt(((v - anti) ** 2).sum(axis=1))
    return s_plus, s_minus, s_minus / (s_plus + s_minus)


def linear_max_wsm(x: np.ndarray, w: np.ndarray, benefit: np.ndarray) -> np.ndarray:
    """Weighted sum on the linear (max) normalization: x / max x for benefit, min x / x for cost criteria."""
    n = np.where(benefit, x / x.max(axis=0), x.min(axis=0) / x)
    return n @ w


def check_example(capsys: pytest.CaptureFixture, pub: Published, hand: np.ndarray,
                  not_compared: tuple[str, ...] = ()) -> dict[str, float]:
    """Steps 1-4 of the module docstring; returns the tool's score per vendor id.

    ``not_compared`` lists vendors whose printed figure is checked separately (see the strict xfail tests); they
    still take part in the fixture check, the numpy recomputation and the rank order.
    """
    result = rank_json(capsys, pub.example)
    assert result["method"] == pub.method
    assert result["normalization"] == pub.normalization

    # 2. the fixture says what the source says
    table = {row["criterion"]: row for row in result["criteria_table"]}
    assert list(table) == list(pub.criteria)
    w = np.array(pub.weights) / sum(pub.weights)
    for j, cid in enumerate(pub.criteria):
        assert table[cid]["direction"] == ("max" if pub.benefit[j] else "min"), cid
        assert table[cid]["weight"] == pytest.approx(w[j], abs=JSON_SLACK), cid
    rows = {row["vendor"]: row for row in result["ranking"]}
    assert sorted(rows) == sorted(pub.vendors)
    for i, vid in enumerate(pub.vendors):
        raw = [rows[vid]["explanation"][cid]["raw"] for cid in pub.criteria]
        assert raw == pytest.approx(list(pub.matrix[i]), rel=0, abs=0), vid

    scores = {vid: rows[vid]["score"] for vid in pub.vendors}

    # 3. an independent recomputation by hand
    for i, vid in enumerate(pub.vendors):
        assert abs(scores[vid] - hand[i]) <= HAND_TOLERANCE, (vid, scores[vid], hand[i])

    # 4. the published figures, to the precision printed, and the published order
    off = {vid: (scores[vid], pub.printed[i]) for i, vid in enumerate(pub.vendors)
           if vid not in not_compared and abs(scores[vid] - pub.printed[i]) > pub.tolerance}
    assert not off, f"beyond half a unit in the {pub.decimals}th decimal (ours, printed): {off}"
    ranking = result["ranking"]
    assert tuple(row["vendor"] for row in ranking) == pub.order
    assert [row["rank"] for row in ranking] == list(range(1, len(ranking) + 1))
    assert not any(row["tied"] for row in ranking)
    return scores


def arrays(pub: Published) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return (np.array(pub.matrix, dtype=float), np.array(pub.weights) / sum(pub.weights),
            np.array(pub.benefit, dtype=bool))


# ------------------------------------------------------------------------------ 1. Tzeng & Huang (2011)

def test_tzeng_huang_2011_topsis(capsys):
    """TOPSIS example of Tzeng & Huang (2011), reproduced to the 4 decimals printed.

    Source: Gwo-Hshiung Tzeng and Jih-Jeng Huang, *Multiple Attribute Decision Making: Methods and Applications*,
    CRC Press (Chapman & Hall), Boca Raton, 2011; the TOPSIS numerical example: four alternatives A1-A4 rated on
    three benefit attributes, A1 (5, 8, 4), A2 (7, 6, 8), A3 (8, 8, 6), A4 (7, 4, 6), weights (0.3, 0.4, 0.3),
    vector normalization; printed relative closeness A1 0.5037, A2 0.6581, A3 0.7482, A4 0.3340 (rank A3 > A2 >
    A1 > A4).

    Provenance of the numbers: the book itself was not available here, so its page and table number are not given;
    the data and the printed closeness values are as transcribed, with the citation above, in scikit-criteria's
    test suite (github.com/quatrope/scikit-criteria, tests/agg/test_similarity.py, test_TOPSIS_tzeng2011multiple;
    the same transcription is in its older tests/madm/test_topsis.py).

    Tolerance: the source prints 4 decimals, so each score must be within 0.5e-4 (+1e-12) of the printed figure;
    all four are (largest gap 4.9e-5, A3 0.748249). Numpy recomputation: 1e-9.
    """
    x, w, benefit = arrays(TZENG_HUANG_2011)
    _, _, closeness = textbook_topsis(x, w, benefit)
    check_example(capsys, TZENG_HUANG_2011, closeness)


# ------------------------------------------------------------- 2. Hwang & Yoon (1981), with a cost attribute

def test_hwang_yoon_1981_aircraft_topsis_cost(capsys):
    """TOPSIS with a cost attribute: Hwang & Yoon's fighter-aircraft example, to the 3 decimals printed.

    Source: Ching-Lai Hwang and Kwangsun Yoon, *Multiple Attribute Decision Making: Methods and Applications. A
    State-of-the-Art Survey*, Lecture Notes in Economics and Mathematical Systems 186, Springer, Berlin, 1981
    (doi:10.1007/978-3-642-48318-9), TOPSIS applied to the fighter-aircraft problem, pp. 133-134. Four aircraft
    A1-A4; attributes maximum speed (Mach), ferry range (NM), maximum payload (lb), acquisition cost ($10^6, the
    one cost attribute), reliability and maneuverability (qualitative ratings on the book's interval scale: low 3,
    average 5, high 7, very high 9); weights (0.2, 0.1, 0.1, 0.1, 0.2, 0.3). Printed relative closeness
    C1* 0.643, C2* 0.268, C3* 0.613, C4* 0.312; ranking A1 > A3 > A4 > A2.

    Provenance of the numbers: the decision matrix, the weights, the page numbers and the printed results (C*, and
    the separation measures S*, S- to 4 decimals) are as transcribed from the book in a TypeScript example of the
    "mcdajs" package found in the public code index (its repository was not identified); the weights and the cost
    direction of the price attribute are also stated at https://orms.pef.czu.cz/21ExFAPPM.html (the same fighter
    aircraft problem, solved there by the permutation method).

    Tolerance: the source prints 3 decimals, so 0.5e-3 (+1e-12). A1, A2 and A4 agree (0.643277, 0.268384,
    0.312291). A3 does not: the exact value is 0.613542, which rounds to 0.614, not the printed 0.613; it is left
    out here and checked in ``test_hwang_yoon_1981_a3_printed_closeness`` (strict xfail), and
    ``test_hwang_yoon_1981_printed_closeness_follows_from_printed_separations`` shows where the printed 0.613 comes
    from. The rank order is the published one. Numpy recomputation (textbook min-ideal on the cost attribute, not
    the tool's 1 - r flip): 1e-9.
    """
    x, w, benefit = arrays(HWANG_YOON_1981_AIRCRAFT)
    _, _, closeness = textbook_topsis(x, w, benefit)
    check_example(capsys, HWANG_YOON_1981_AIRCRAFT, closeness, not_compared=("a3",))


def test_hwang_yoon_1981_printed_closeness_follows_from_printed_separations():
    """Why the book prints C3* = 0.613 where the exact value is 0.6135: a check of the source's own arithmetic.

    The book computes C* = S- / (S* + S-) from its separation measures after rounding them to 4 decimals:
    0.0920 / (0.0580 + 0.0920) = 0.6133 -> 0.613. Doing that for all four aircraft reproduces all four printed
    C* exactly, while the exact separations (0.057977, 0.092044 for A3) give 0.613542 -> 0.614. So the 0.613 is an
    artefact of the source's intermediate rounding, not a different method. (The printed separations are
    themselves only roughly the exact ones: S1* is printed 0.0545, exactly 0.054557. Hence they are compared here
    to one unit in their 4th decimal, 1e-4, as a plausibility check only.)
    """
    x, w, benefit = arrays(HWANG_YOON_1981_AIRCRAFT)
    s_plus, s_minus, _ = textbook_topsis(x, w, benefit)
    printed_plus, printed_minus = np.array(HWANG_YOON_PRINTED_S_PLUS), np.array(HWANG_YOON_PRINTED_S_MINUS)
    assert np.abs(s_plus - printed_plus).max() <= 1e-4 + JSON_SLACK
    assert np.abs(s_minus - printed_minus).max() <= 1e-4 + JSON_SLACK
    from_printed = printed_minus / (printed_plus + printed_minus)
    assert np.round(from_printed, 3).tolist() == list(HWANG_YOON_1981_AIRCRAFT.printed)


@pytest.mark.xfail(strict=True, reason="Hwang & Yoon (1981) print C3* = 0.613; the exact closeness is 0.613542 "
                   "(-> 0.614). The book rounds its separation measures to 4 decimals before dividing; see "
                   "test_hwang_yoon_1981_printed_closeness_follows_from_printed_separations.")
def test_hwang_yoon_1981_a3_printed_closeness(capsys):
    """A3's printed closeness, at the printed precision (0.5e-3): a documented discrepancy in the source."""
    pub = HWANG_YOON_1981_AIRCRAFT
    score = {row["vendor"]: row["score"] for row in rank_json(capsys, pub.example)["ranking"]}["a3"]
    assert abs(score - pub.printed[2]) <= pub.tolerance, (score, pub.printed[2])


# ---------------------------------------------------------------- 3. weighted sum (SAW / WSM), max normalization

def test_chakraborty_2015_wsm_max_normalization(capsys):
    """Weighted sum (WSM = WASPAS at lambda = 1) on the linear max normalization, to the 4 decimals printed.

    Source: Shankar Chakraborty, Edmundas Kazimieras Zavadskas and Jurgita Antucheviciene, "Applications of WASPAS
    method as a multi-criteria decision-making tool", *Economic Computation and Economic Cybernetics Studies and
    Research* 49(1), 2015, pp. 5-22, Example 2 (ten alternatives, four criteria), the WASPAS scores Q at
    lambda = 1, where WASPAS reduces to the weighted sum model. The paper normalizes linearly, x / max x for the
    benefit criterion and min x / x for the three cost criteria, which is this tool's ``max`` normalization, so the
    fixture sets ``normalization: max``. Weights (0.467, 0.160, 0.095, 0.278); criteria PC, FS, MN (cost) and P
    (benefit). Printed scores A1..A10: 0.8590 0.8194 0.8430 0.9420 0.8645 0.8315 0.8552 0.8983 0.9067 0.8784;
    ranking A4 > A9 > A8 > A10 > A5 > A1 > A7 > A3 > A6 > A2.

    Provenance of the numbers: the paper's full text was not readable here (its table number is therefore not
    given); the data, weights, directions and the lambda = 1 scores are as transcribed, with the citation above
    ("Example 2"), in scikit-criteria's test suite (github.com/quatrope/scikit-criteria, tests/agg/test_simple.py,
    test_WASPAS_chakraborty2015applications, alternatives A0..A9 there = A1..A10 here).

    Tolerance: the source prints 4 decimals, so 0.5e-4 (+1e-12). Nine of the ten agree. A2 does not: the exact
    weighted sum is 0.8194536 (-> 0.8195), printed 0.8194, 5.4e-5 away; it is left out here and checked in
    ``test_chakraborty_2015_a2_printed_score`` (strict xfail). The rank order is the published one. Numpy
    recomputation: 1e-9.
    """
    x, w, benefit = arrays(CHAKRABORTY_2015_WSM)
    check_example(capsys, CHAKRABORTY_2015_WSM, linear_max_wsm(x, w, benefit), not_compared=("a2",))


@pytest.mark.xfail(strict=True, reason="Chakraborty et al. (2015) print 0.8194 for A2 at lambda = 1; the exact "
                   "weighted sum is 0.8194536 (-> 0.8195). Unexplained: see the test docstring.")
def test_chakraborty_2015_a2_printed_score(capsys):
    """A2's printed WSM score, at the printed precision (0.5e-4): a documented, unexplained discrepancy.

    Investigated: the exact weighted sum of the transcribed data is 0.81945356, confirmed by the numpy
    recomputation in the main test, so the tool is not at fault. Rounding the normalized matrix to 4 decimals
    first would give 0.8194464 -> 0.8194, but the same rule would turn A3's printed 0.8430 into 0.8429, and no
    uniform rounding of the intermediates tried (normalized values to 2-5 decimals, weighted terms to 3-5
    decimals) reproduces all ten printed scores. The gap is 3.6e-6 past the rounding boundary: most likely an
    intermediate-rounding artefact in the paper (or a slip in the transcription), not a different method.
    """
    pub = CHAKRABORTY_2015_WSM
    score = {row["vendor"]: row["score"] for row in rank_json(capsys, pub.example)["ranking"]}["a2"]
    assert abs(score - pub.printed[1]) <= pub.tolerance, (score, pub.printed[1])
