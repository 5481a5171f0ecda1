"""The audit page of a folder of published reports, in headless Chromium: offline, marked cells, A4 print."""
from __future__ import annotations

from pathlib import Path

import pytest

from reportkit import audit, auditpage

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "published"


@pytest.fixture(scope="module")
def page_file(tmp_path_factory) -> Path:
    results = audit.audit_files([FIXTURES])
    return auditpage.write_html(results, tmp_path_factory.mktemp("audit") / "audit.html")


def test_audit_page_offline_scorecard_and_marked_cells(browser, page_file, screenshots):
    v = browser.open(page_file)
    page = v.page
    try:
        page.screenshot(path=str(screenshots / "audit-page.png"), full_page=False)
        page.locator("#" + page.locator("table.scorecard tbody tr").first.locator("a").get_attribute("href")[1:]) \
            .screenshot(path=str(screenshots / "audit-report.png"))
        assert v.requests == [v.url] and v.blocked == []
        assert v.console_errors == [] and v.page_errors == []
        rows = page.locator("table.scorecard tbody tr")
        errors = [int(x) for x in rows.evaluate_all(
            "rs => rs.map(r => r.children[r.children.length - 3].textContent)")]
        assert errors == sorted(errors, reverse=True) and errors[0] >= 1
        assert rows.count() == 21                         # 22 files: the not-a-report page skipped
        assert "not-a-report.html" in page.locator("ul.skipped").inner_text()
        # rule-R6.html: one finding, its cause cell outlined and marked with finding 1
        section = page.locator("section.report", has_text="rule-R6.html")
        assert section.locator("ol.findings > li").count() == 1
        cause = section.locator("td.cause")
        assert cause.count() == 1 and cause.get_attribute("data-key") == "applications.total.natural_person"
        assert cause.get_attribute("data-findings") == "1"
        assert section.locator("td.hit").count() == 22   # the cells R6 reads in its column
        # the marked table keeps the official layout: 22 result rows under 三、本年度办理结果
        assert section.locator("th.vertical").get_attribute("rowspan") == "22"
        pdf = screenshots / "audit-page.pdf"
        page.pdf(path=str(pdf), format="A4", print_background=True)
        assert pdf.stat().st_size > 10_000
    finally:
        v.close()
