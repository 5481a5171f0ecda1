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


@pytest.mark.parametrize("page, rule, n", [  # one slip, one finding (R2–R7: the 总计 column's echo is folded in)
    ("rule-R1.html", "R1-row-total", 1), ("rule-R2.html", "R2-withheld", 1), ("rule-R3.html", "R3-unable", 1),
    ("rule-R4.html", "R4-not-processed", 1), ("rule-R5.html", "R5-other-handling", 1),
    ("rule-R6.html", "R6-outcome-total", 1), ("rule-R7.html", "R7-balance", 1),
    ("rule-R8.html", "R8-review-litigation-total", 1),
    ("text-figure.html", "T1-text-figure", 1), ("text-itemised.html", "T2-itemised", 1),
    ("text-year.html", "T3-year", 2), ("text-empty-section.html", "T4-empty-section", 1),
    ("text-fees.html", "T5-fees", 1),
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
    assert r7.cells == ("applications.total.commercial", "applications.carried_forward.commercial",
                        "applications.new.commercial", "applications.carried_over.commercial")
    assert (r7.expected, r7.found) == ("16", "17") and r7.also == ("R7-balance（总计）",)
    [result] = audit.audit_files([FIXTURES / "rule-R6.html"])
    [r6] = result.errors      # the printed （七）总计·自然人 explains R6 and R7 in two columns
    assert r6.cause == "applications.total.natural_person" and len(r6.also) == 3
    [result] = audit.audit_files([FIXTURES / "text-figure.html"])
    f = result.errors[0]
    assert f.cells == ("applications.new.total",) and (f.expected, f.found) == ("87", "86")
    assert f.sentence.startswith("全年共收到政府信息公开申请86件")
    [result] = audit.audit_files([FIXTURES / "text-year.html"])
    assert {f.found for f in result.errors} == {"2021"} and {f.expected for f in result.errors} == {"2022"}


def test_a_total_printed_empty_is_said_to_be_blank_not_0():
    """The real 上海 2019 page prints its 总计 column empty in the outcome rows: R1 says 实为 空白 there, and a
    total printed as a figure keeps its figure (rule-R1.html)."""
    real = Path(__file__).parent / "fixtures" / "real" / "shanghai-gov-office-2019.html"
    [result] = audit.audit_files([real])
    r1 = [f for f in result.errors if f.rule == "R1-row-total"]
    assert len(r1) >= 10 and {f.found for f in r1} == {"空白"}
    assert "（一）予以公开：总计应等于六类申请人之和（应为 272，实为 空白）" in "\n".join(audit.text_lines([result]))
    [result] = audit.audit_files([FIXTURES / "rule-R1.html"])
    assert result.errors[0].found.isdigit()


def test_cross_year_rules_need_both_reports():
    alone = audit.audit_files([FIXTURES / "cross-2022.html"])
    assert alone[0].findings == []
    results = audit.audit_files([FIXTURES / "cross-2022.html", FIXTURES / "cross-2021.html"])
    later = results[0]
    assert errors_of(later) == {"R9-carry-chain"} and len(later.errors) == 1
    assert [f.rule for f in later.findings if f.severity == "warning"] == ["R10-in-force-chain", "P2-repetition"]
    r9 = later.errors[0]
    assert r9.cells == ("applications.carried_over.natural_person", "applications.carried_forward.natural_person@2021")
    assert r9.also == ("R9-carry-chain（总计）",)
    assert results[1].findings == []


def test_unread_cells_are_not_guessed_rules_on_them_are_not_checked():
    [result] = audit.audit_files([FIXTURES / "city-gbk-nested-2022.html"])
    assert result.errors == []
    # the printed 总计 column of 一 is read, so R7 is unchecked only in the unread cell's column
    assert result.unchecked == ["R1-row-total（一、本年新收政府信息公开申请数量）", "R7-balance（自然人）"]
    [note] = [f for f in result.findings if f.rule == "unread"]
    assert note.cells == ("applications.new.natural_person",) and note.severity == "note"
    [result] = audit.audit_files([FIXTURES / "flattened-2022.txt"])
    assert "R6-outcome-total（各列）" in result.unchecked and result.errors == []


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
    assert [(f.cells, f.found) for f in domain] == [(("applications.new.research",), "-1")]


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
    assert "[R7-balance]" in result.output and "应为 16，实为 17" in result.output
    assert "applications.carried_forward.commercial" in result.output
    result = invoke(runner, "audit", FIXTURES / "rule-R7.html", FIXTURES / "not-a-report.html")
    assert result.exit_code == 2 and "无法作为年度报告读取" in result.output


def test_command_json_records_with_stable_ids(runner):
    pages = [FIXTURES / n for n in ("rule-R2.html", "text-year.html", "cross-2021.html", "cross-2022.html",
                                    "city-gbk-nested-2022.html")]
    first = invoke(runner, "audit", "--json", *pages)
    assert first.exit_code == 3
    records = json.loads(first.stdout)
    assert list(records[0])[:9] == ["rule", "severity", "cells", "expected", "found", "file", "line", "message", "id"]
    assert {r["rule"] for r in records} == {"R2-withheld", "T3-year", "R9-carry-chain", "R10-in-force-chain",
                                            "P2-repetition", "unread"}
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
    assert [(f.rule, f.cells) for f in result.errors] == [("domain", ("applications.new.commercial",))]
    assert "R7-balance（商业企业）" in result.unchecked
