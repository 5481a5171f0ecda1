"""``reportkit preview`` in Chromium: an edit appears, an invalid edit shows the located errors,
the fix brings the report back — each without touching the browser (the page reloads itself).

The preview is a real child process on a free port of 127.0.0.1; the page may only talk to it.
"""
from __future__ import annotations

import shutil

import pytest
from previewproc import PreviewProcess

from reportkit.validate import check_one

from .conftest import REPO, SAMPLE, YEAR

WAIT = 20_000  # ms; a save normally shows in well under a second
SHOWS = "t => document.body.innerText.includes(t)"
FINDINGS = """() => [...document.querySelectorAll('table.findings tbody tr')]
    .map(tr => [...tr.cells].map(td => td.innerText.trim()))"""


@pytest.fixture(scope="module")
def preview(tmp_path_factory, chromium):
    root = tmp_path_factory.mktemp("browser-preview")
    params = shutil.copytree(REPO / "params", root / "params")
    proc = PreviewProcess(params, root / "output", YEAR, SAMPLE)
    yield proc, params
    proc.stop()


@pytest.fixture
def page(browser, preview):
    proc, _ = preview
    context = browser.browser.new_context(viewport={"width": 1280, "height": 1000})
    outside = []

    def route(r):
        if r.request.url.startswith(proc.base + "/"):
            r.continue_()
        else:
            outside.append(r.request.url)
            r.abort("blockedbyclient")

    context.route("**/*", route)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(proc.url(), wait_until="load")
    yield page
    context.close()
    assert not outside, f"the preview page asked for {outside}"
    assert not errors, errors


def test_edit_invalid_edit_and_fix(page, preview, screenshots):
    proc, params = preview
    path = params / str(YEAR) / f"{SAMPLE}.yaml"
    original = path.read_text(encoding="utf-8")
    assert "公开渠道更顺" in page.inner_text("body")

    # 1. an edit: a new phrase in 一、总体情况 and a new figure in 二 appear by themselves
    #    in place: no navigation (what the page held survives) and the reader's place is kept
    edited = original.replace("公开渠道更顺", "公开渠道预览已更新", 1).replace("  penalty: 6\n", "  penalty: 61\n", 1)
    assert edited != original
    page.evaluate("() => { window.reportkitTestMark = 1; window.scrollTo(0, 600); }")
    path.write_text(edited, encoding="utf-8")
    page.wait_for_function(SHOWS, arg="公开渠道预览已更新", timeout=WAIT)
    assert "公开渠道更顺" not in page.inner_text("body")
    assert page.locator("td", has_text="61").count() >= 1
    assert page.evaluate("() => window.reportkitTestMark") == 1
    assert abs(page.evaluate("() => window.scrollY") - 600) <= 2
    assert page.locator("#reportkit-preview-reload").count() == 1  # the new page's copy, inert
    page.evaluate("() => window.scrollTo(0, 0)")
    page.screenshot(path=str(screenshots / "preview-edited.png"), full_page=False)

    # 2. an invalid edit: the page turns into the located errors, exactly as validate finds them
    broken = edited.replace("  total: 142\n", "  total: 143\n", 1)
    assert broken != edited
    path.write_text(broken, encoding="utf-8")
    page.wait_for_function(SHOWS, arg="数据有误", timeout=WAIT)
    expected = check_one(params, SAMPLE, YEAR).errors
    assert expected, "the broken file must fail validation"
    rows = page.evaluate(FINDINGS)
    assert len(rows) == len(expected)
    for row, f in zip(rows, expected):
        assert row[0].endswith(f"{YEAR}/{SAMPLE}.yaml")
        shown = [f.line, f.field, f.rule, f.message, f.expected, f.found]
        assert row[1:] == ["—" if v is None else str(v) for v in shown]
    assert page.title().startswith("【预览】数据有误")
    assert "修改并保存文件后，本页会自动刷新为报告" in page.inner_text("body")
    page.screenshot(path=str(screenshots / "preview-invalid.png"), full_page=False)

    # 3. the fix: the report is back, with the edit still in it
    path.write_text(edited, encoding="utf-8")
    page.wait_for_function(SHOWS, arg="公开渠道预览已更新", timeout=WAIT)
    assert "数据有误" not in page.inner_text("body")
    assert page.locator("table.findings").count() == 0
    path.write_text(original, encoding="utf-8")


def test_the_index_links_to_the_reports_it_serves(page, preview):
    proc, _ = preview
    page.goto(proc.url(f"/{YEAR}/index.html"), wait_until="load")
    assert page.locator('a[href="summary.html"]').count() >= 1  # served: tests/test_preview.py
    link = page.locator(f'a[href="{SAMPLE}.html"]')
    assert link.count() >= 1
    link.first.click()
    page.wait_for_url(proc.url(f"/{YEAR}/{SAMPLE}.html"))
    assert "政府信息公开工作年度报告" in page.title()
