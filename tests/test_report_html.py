"""The HTML report in a real headless browser (Debian's chromium driven by Playwright; never a browser download):
the page's ranking after moving the sliders equals Python's for the same weights, under every method, and the
page makes no request of any kind (every request is recorded and aborted)."""

import tempfile
from pathlib import Path

import numpy as np
import pytest
from report_tools import CHROMIUM, CHROMIUM_ARGS, require

from scoring import html_report
from scoring.pipeline import report, run

ROOT = Path(__file__).resolve().parents[1]
COMMITTED = ROOT / "reports" / "2025-12-31_baseline_weighted-sum.html"
BLANK_CHARTS = {name: '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>'
                for name in ("contributions", "positioning", "acceptability", "tornado")}


@pytest.fixture(scope="module")
def browser():
    """One chromium for the module, every request recorded and aborted: the page must need none."""
    executable = require(CHROMIUM, "chromium")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p, tempfile.TemporaryDirectory() as profile:
        context = p.chromium.launch_persistent_context(profile, executable_path=executable, args=CHROMIUM_ARGS,
                                                       headless=True)
        requests: list[str] = []

        def block(route):
            requests.append(route.request.url)
            route.abort()
        context.route("**/*", block)
        context.on("request", lambda request: requests.append(request.url))
        yield context, requests
        context.close()


def _open(browser, page_html: str):
    context, requests = browser
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("dialog", lambda dialog: (errors.append(f"dialog: {dialog.message}"), dialog.dismiss()))
    page.set_content(page_html)
    return page, errors, requests


def _page_ranking(page) -> list[tuple[str, int]]:
    return [(tr.get_attribute("data-vendor"), int(tr.get_attribute("data-rank")))
            for tr in page.locator("#live tbody tr").all()]


def _python_ranking(scorer, points: np.ndarray) -> list[tuple[str, int]]:
    ranks = scorer.ranks(points / points.sum())
    return sorted(zip(scorer.vendors, ranks.tolist(), strict=True), key=lambda vr: (vr[1], vr[0]))


def _set(page, j: int, value: float) -> None:
    page.eval_on_selector(f"#w-{j}", "(el, v) => { el.value = v; el.dispatchEvent(new Event('input')); }",
                          str(value))


@pytest.mark.parametrize("method", ["weighted-sum", "topsis", "promethee"])
def test_moving_the_sliders_re_ranks_exactly_as_python_does(browser, method):
    data = report(run("criteria/baseline.yaml", "vendors", method=method), draws=200)
    scorer = data.result.scorer
    page, errors, requests = _open(browser, html_report.render_html(data, BLANK_CHARTS))
    m = len(scorer.criteria)
    stated = np.round(100 * scorer.weights, 1)
    assert _page_ranking(page) == _python_ranking(scorer, stated)
    rng = np.random.default_rng(8)
    flips = 0
    for _ in range(12):
        points = rng.integers(0, 201, size=m) / 2.0              # the slider's 0.5 steps
        if points.sum() == 0:
            continue
        for j, value in enumerate(points):
            _set(page, j, value)
        shown = [float(page.input_value(f"#w-{j}")) for j in range(m)]
        assert shown == list(points)
        expected = _python_ranking(scorer, points)
        assert _page_ranking(page) == expected
        flips += expected != _python_ranking(scorer, stated)
    assert flips >= 3                                              # the draws really moved the ranking
    page.click("#reset")
    assert _page_ranking(page) == _python_ranking(scorer, stated)
    assert errors == [] and requests == []
    page.close()


def test_a_real_key_press_on_a_slider_re_ranks_and_matches_python(browser):
    """Key presses on the slider of a criterion that changes the ranking when raised by 20 points (found in
    Python first): the page re-ranks as Python does, and the order really changed."""
    data = report(run("criteria/baseline.yaml", "vendors"), draws=200)
    scorer = data.result.scorer
    stated = np.array([float(x) for x in data.result.matrix.weights]) * 100
    before = _python_ranking(scorer, stated)
    k = next(j for j in range(len(scorer.criteria))
             if _python_ranking(scorer, stated + 20.0 * (np.arange(len(stated)) == j)) != before)
    page, errors, requests = _open(browser, html_report.render_html(data, BLANK_CHARTS))
    start = float(page.input_value(f"#w-{k}"))
    page.focus(f"#w-{k}")
    for _ in range(40):                                            # +20 points in 0.5 steps, as a user would
        page.keyboard.press("ArrowRight")
    points = np.array([float(page.input_value(f"#w-{j}")) for j in range(len(scorer.criteria))])
    assert points[k] == pytest.approx(start + 20.0)
    ranking = _page_ranking(page)
    assert ranking == _python_ranking(scorer, points)
    assert ranking != before
    assert errors == [] and requests == []
    page.close()


def test_the_committed_report_opens_offline_with_no_request_of_any_kind(browser):
    page, errors, requests = _open(browser, COMMITTED.read_text(encoding="utf-8"))
    page.wait_for_load_state("load")
    assert page.locator("img").count() == 5                          # four charts and the frontier
    assert all(page.eval_on_selector_all("img", "els => els.map(e => e.complete && e.naturalWidth > 0)"))
    assert page.locator("#summary .bottom-line").inner_text().startswith("Alibaba Cloud ranks first")
    assert [v for v, _ in _page_ranking(page)] == list(run("criteria/baseline.yaml", "vendors").ranking["vendor"])
    assert errors == [] and requests == []
    page.close()


def test_a_method_the_page_cannot_compute_gets_no_sliders_and_says_so(browser, monkeypatch):
    monkeypatch.setattr(html_report, "NONLINEAR_PAGE_KERNELS", {})
    data = report(run("criteria/baseline.yaml", "vendors", method="topsis"), draws=200)
    page, errors, requests = _open(browser, html_report.render_html(data, BLANK_CHARTS))
    assert page.locator("#live").count() == 0 and page.locator("input[type=range]").count() == 0
    assert "Weight sliders are not available for TOPSIS" in page.locator("#sliders-unavailable").inner_text()
    assert errors == [] and requests == []
    page.close()
