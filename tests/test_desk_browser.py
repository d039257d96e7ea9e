"""The review desk end to end in a real browser: Debian's Chromium driven by Playwright (through executable_path:
Playwright cannot download its own browser here), on the demo database.  Log in, see the overview, drill down, open
a report, see the highlighted cells and the boxes on the page image, confirm one finding and dismiss another with a
reason, see both in the history, export a list.

With OGIAUDIT_SCREENSHOTS=1 the screenshots for the README are written to docs/screenshots/ (else to a temporary
folder).  Without Chromium the tests skip and say why; with CI set they fail instead."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from desk_helpers import PASSWORD, add_user, make_demo, serve

CHROMIUM = os.environ.get("OGIAUDIT_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SHOTS = Path(__file__).resolve().parents[1] / "docs" / "screenshots"


def _missing() -> str | None:
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "the Python package playwright is not installed (pip install playwright)"
    if not (Path(CHROMIUM).is_file() or shutil.which(CHROMIUM)):
        return f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
    return None


@pytest.fixture(scope="module")
def browser():
    reason = _missing()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"CI is set and {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def desk(tmp_path_factory):
    url = make_demo(tmp_path_factory.mktemp("browser") / "demo")
    add_user(url, "审核员张三", "admin")
    add_user(url, "yongjing", "reviewer", portals=["sample-yongjing"])
    with serve(url) as base:
        yield base


@pytest.fixture
def shots(tmp_path) -> Path:
    folder = SHOTS if os.environ.get("OGIAUDIT_SCREENSHOTS") else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _shot(page, path: Path, **kw) -> None:
    """A screenshot kept small: a palette of 64 colours."""
    from PIL import Image
    page.screenshot(path=str(path), **kw)
    Image.open(path).convert("RGB").quantize(64).save(path, optimize=True)


def _login(browser, base: str, name: str):
    page = browser.new_page(viewport={"width": 1200, "height": 800}, accept_downloads=True, locale="zh-CN")
    page.on("dialog", lambda d: pytest.fail(f"a script ran in the page: {d.message}"))
    page.goto(f"{base}/overview?year=2022")
    assert "/login" in page.url
    page.fill("input[name=username]", name)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/overview?year=2022")
    return page


def test_review_a_report_end_to_end(browser, desk, shots, tmp_path):
    page = _login(browser, desk, "审核员张三")
    # the overview of the demo database: 2022, six counties
    assert page.inner_text("#n-published") == "5"
    assert page.inner_text("#n-late") == "1" and page.inner_text("#n-missing") == "1"
    page.wait_for_function("() => document.body.dataset.charts === 'ready'")  # Chart.js ran under the CSP
    assert page.locator("canvas#chart-rates").bounding_box()["height"] > 100
    assert page.locator("#ranking tbody tr").count() == 4          # four counties published for 2022
    _shot(page, shots / "overview.png")
    # drill down 省 → 市 → 县 → body
    for name in ("甘肃省", "临夏回族自治州", "永靖县"):
        page.click(f"#children a:text-is('{name}')")
    page.click("#county-bodies a:text-is('盐锅峡镇人民政府')")
    assert "盐锅峡镇人民政府" in page.inner_text("h1") and "2023年2月22日" in page.inner_text("main")

    # a PDF report: the official tables with the finding's cells highlighted, the page image with them boxed
    page.goto(f"{desk}/reports?year=2024")
    page.click("#reports td:nth-child(4) a:has-text('洪泽区')")
    # the demo's 洪泽区 table 三 does not balance (2 received, 1 handled): the cells of both sides highlighted
    highlighted = page.locator("#table-三 td.hl")
    assert highlighted.count() >= 8 and {"1", "2"} <= set(highlighted.all_inner_texts())
    box = page.locator("figure.page .box").first
    box.wait_for()
    page.wait_for_function("() => [...document.querySelectorAll('figure.page img')].every(i => i.complete && i.naturalHeight)")
    image = page.locator("figure.page img").first.bounding_box()
    frame = box.bounding_box()
    assert image["x"] <= frame["x"] and frame["x"] + frame["width"] <= image["x"] + image["width"]
    assert 0 < frame["height"] < image["height"] / 10
    assert page.locator("#archived").get_attribute("href").endswith("/original")
    assert page.locator("#portal-link").get_attribute("href").startswith("http://127.0.0.1:")

    # confirm one finding, dismiss another with a reason; both appear in the history
    label = page.locator("article.finding", has_text="T3-BAL").first
    label.locator("button.confirm").click()
    page.wait_for_load_state()
    account = page.locator("article.finding", has_text="CNT-ACCOUNT")
    account.locator("input[name=reason]").fill("考核结果在附件中说明，已核实")
    account.locator("button.dismiss").click()
    page.wait_for_load_state()
    label = page.locator("article.finding", has_text="T3-BAL").first
    account = page.locator("article.finding", has_text="CNT-ACCOUNT")
    assert "已确认" in label.inner_text() and "审核员张三" in label.locator("table.history").inner_text()
    history = account.locator("table.history").inner_text()
    assert "驳回" in history and "考核结果在附件中说明，已核实" in history and "审核员张三" in history
    assert "已驳回" in account.inner_text()
    page.locator("figure.page").first.scroll_into_view_if_needed()
    _shot(page, shots / "report-page.png")
    page.locator("#table-三").scroll_into_view_if_needed()
    _shot(page, shots / "report-table.png")
    label.scroll_into_view_if_needed()
    _shot(page, shots / "report-review.png")

    # export a list: the findings, with the verdicts
    page.goto(f"{desk}/findings")
    _shot(page, shots / "findings.png")
    with page.expect_download() as info:
        page.click("a.export")
    saved = tmp_path / "findings.xlsx"
    info.value.save_as(saved)
    from openpyxl import load_workbook
    rows = list(load_workbook(saved).active.values)
    head = rows[0]
    assert "审核结论" in head and "规则" in head
    verdicts = sorted((r[head.index("规则")], r[head.index("审核结论")]) for r in rows[1:]
                      if r[head.index("机构")] == "淮安市洪泽区人民政府" and r[head.index("审核结论")] != "待审核")
    assert verdicts == [("CNT-ACCOUNT", "已驳回"), ("T3-BAL", "已确认")]


def test_a_reviewer_sees_only_their_county_in_the_browser(browser, desk):
    page = _login(browser, desk, "yongjing")
    assert page.inner_text("#n-published") == "1"
    page.goto(f"{desk}/findings")
    bodies = set(page.locator("#findings tbody tr td:nth-child(3)").all_inner_texts())
    assert bodies == {"盐锅峡镇人民政府", "刘家峡镇人民政府"}
    response = page.goto(f"{desk}/reports/1")
    assert response.status == 404 and "不在您的审核范围内" in page.inner_text("main")
