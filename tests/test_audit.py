"""Auditing published reports: each rule and text check on a page that breaks it, exit codes, JSON."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import SAMPLE_PARAMS, invoke

from reportkit import audit, importer
from reportkit.report import Report

FIXTURES = Path(__file__).parent / "fixtures" / "published"


def errors_of(result) -> set[str]:
    return {f.rule for f in result.errors}


@pytest.mark.parametrize("page, rule, n", [
    ("rule-R1.html", "R1", 1), ("rule-R2.html", "R2", 2), ("rule-R3.html", "R3", 2), ("rule-R4.html", "R4", 2),
    ("rule-R5.html", "R5", 2), ("rule-R6.html", "R6", 2), ("rule-R7.html", "R7", 2), ("rule-R8.html", "R8", 1),
    ("text-figure.html", "text-figure", 1), ("text-itemised.html", "text-itemised", 1),
    ("text-year.html", "text-year", 2), ("text-empty-section.html", "text-empty-section", 1),
    ("text-fees.html", "text-fees", 1),
])
def test_each_page_breaks_exactly_its_rule(page, rule, n):
    [result] = audit.audit_files([FIXTURES / page])
    assert errors_of(result) == {rule}
    assert len(result.errors) == n
    assert not result.unchecked


def test_clean_pages_pass():
    results = audit.audit_files([FIXTURES / n for n in ("clean-2022.html", "county-site-2022.html",
                                                         "format2019-2020.html")])
    assert [r.errors for r in results] == [[], [], []]
    assert audit.exit_code(results) == 0


def test_finding_names_cells_expected_and_found():
    [result] = audit.audit_files([FIXTURES / "rule-R7.html"])
    r7 = result.errors[0]
    assert r7.cells == ["applications.new.commercial", "applications.carried_over.commercial",
                        "applications.total.commercial", "applications.carried_forward.commercial"]
    assert (r7.expected, r7.found) == ("16", "17")
    [result] = audit.audit_files([FIXTURES / "text-figure.html"])
    f = result.errors[0]
    assert f.cells == ["applications.new.total"] and (f.expected, f.found) == ("87", "86")
    assert f.sentence.startswith("全年共收到政府信息公开申请86件")
    [result] = audit.audit_files([FIXTURES / "text-year.html"])
    assert {f.found for f in result.errors} == {"2021"} and {f.expected for f in result.errors} == {"2022"}


def test_cross_year_rules_need_both_reports():
    alone = audit.audit_files([FIXTURES / "cross-2022.html"])
    assert alone[0].findings == []
    results = audit.audit_files([FIXTURES / "cross-2022.html", FIXTURES / "cross-2021.html"])
    later = results[0]
    assert errors_of(later) == {"R9"} and len(later.errors) == 2
    assert [f.rule for f in later.findings if f.severity == "warning"] == ["R10"]
    r9 = later.errors[0]
    assert r9.cells == ["applications.carried_over.natural_person", "applications.carried_forward.natural_person@2021"]
    assert results[1].findings == []


def test_unread_cells_are_not_guessed_rules_on_them_are_not_checked():
    [result] = audit.audit_files([FIXTURES / "city-gbk-nested-2022.html"])
    assert result.errors == []
    assert result.unchecked == ["R1（一、本年新收政府信息公开申请数量）", "R7（自然人、总计）"]
    [note] = [f for f in result.findings if f.rule == "unread"]
    assert note.cells == ["applications.new.natural_person"] and note.severity == "note"
    [result] = audit.audit_files([FIXTURES / "flattened-2022.txt"])
    assert "R7（各列）" in result.unchecked and result.errors == []


def test_2019_layout_checked_through_its_single_row():
    [old] = audit.audit_files([FIXTURES / "format2019-2020.html"])
    assert old.unchecked == [] and old.errors == []
    [late] = audit.audit_files([FIXTURES / "township-gbk-undeclared-2021.html"])
    assert late.errors == [] and [f.rule for f in late.findings if f.severity == "warning"] == ["W-layout"]


def test_negative_figure_is_a_domain_error(tmp_path):
    text = (FIXTURES / "clean-2022.html").read_text(encoding="utf-8")
    page = tmp_path / "negative.html"
    row = "<td >57</td><td >16</td><td >0</td><td >7</td><td >7</td><td >0</td><td >87</td>"
    assert row in text
    page.write_text(text.replace(row, row.replace("<td >0</td>", "<td >-1</td>", 1), 1), encoding="utf-8")
    [result] = audit.audit_files([page])
    domain = [f for f in result.errors if f.rule == "domain"]
    assert [(f.cells, f.found) for f in domain] == [(["applications.new.research"], "-1")]


def test_text_about_last_year_is_not_this_years_figure(tmp_path):
    text = (FIXTURES / "clean-2022.html").read_text(encoding="utf-8")
    extra = ("<p>全年共收到政府信息公开申请87件，较上年增加5件；上年收到申请82件（上年为82件）。"
             "2019年以来，累计办结申请300余件。全年未发生信息公开工作被追责的情况。</p>")
    page = tmp_path / "lastyear.html"
    heading = "<p style='text-indent:2em'><strong>（二）依申请公开</strong></p>"
    assert heading in text
    page.write_text(text.replace(heading, heading + extra, 1), encoding="utf-8")
    [result] = audit.audit_files([page])
    assert "累计办结申请300余件" in result.imported.text.section_text("一")
    assert result.findings == []


def test_our_own_reports_pass():
    from test_importer import page

    report = Report.load("shengzhou-wglj", 2022, SAMPLE_PARAMS)
    result = audit.audit_imported(importer.read_bytes(page(report.ctx), "shengzhou-wglj.html"))
    assert result.findings == []


def test_command_text_and_exit_codes(runner):
    result = invoke(runner, "audit", FIXTURES / "clean-2022.html")
    assert result.exit_code == 0 and "通过" in result.output
    result = invoke(runner, "audit", FIXTURES / "clean-2022.html", FIXTURES / "rule-R7.html")
    assert result.exit_code == 3
    assert "[R7]" in result.output and "应为 16，实为 17" in result.output
    assert "applications.carried_forward.commercial" in result.output
    result = invoke(runner, "audit", FIXTURES / "rule-R7.html", FIXTURES / "not-a-report.html")
    assert result.exit_code == 2 and "无法作为年度报告读取" in result.output


def test_command_json_records_with_stable_ids(runner):
    pages = [FIXTURES / n for n in ("rule-R2.html", "text-year.html", "cross-2021.html", "cross-2022.html",
                                    "city-gbk-nested-2022.html")]
    first = invoke(runner, "audit", "--json", *pages)
    assert first.exit_code == 3
    records = json.loads(first.stdout)
    assert {"report", "rule", "cells", "expected", "found", "id"} <= set(records[0])
    assert {r["rule"] for r in records} == {"R2", "text-year", "R9", "R10", "unread"}
    ids = [r["id"] for r in records]
    assert len(set(ids)) == len(ids)
    again = json.loads(invoke(runner, "audit", "--json", *reversed(pages)).stdout)
    assert sorted(ids) == sorted(r["id"] for r in again)
    unreadable = json.loads(invoke(runner, "audit", "--json", FIXTURES / "not-a-report.html").stdout)
    assert unreadable[0]["rule"] == "unreadable"


def test_figure_beyond_the_formats_range_is_a_domain_error(tmp_path):
    text = (FIXTURES / "clean-2022.html").read_text(encoding="utf-8")
    page = tmp_path / "huge.html"
    page.write_text(text.replace("<td >57</td><td >16</td>", "<td >57</td><td >1,600,000,000,000</td>", 1),
                    encoding="utf-8")
    [result] = audit.audit_files([page])
    assert [(f.rule, f.cells) for f in result.errors] == [("domain", ["applications.new.commercial"])]
    assert "R7（商业企业、总计）" in result.unchecked
