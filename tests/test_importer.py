"""Importing published reports: imitation site pages, flattened text, 2019 format, round trips."""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from conftest import SAMPLE_PARAMS, invoke
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reportkit import audit, dataset, importer
from reportkit.errors import ImportFailed
from reportkit.importer import core, parse_figure
from reportkit.model import Bureau, BureauYear
from reportkit.narrative import Context
from reportkit.params import load_registry, load_year, read_year
from reportkit.report import Report
from reportkit.spec import load_spec

SPEC = load_spec()
FIXTURES = Path(__file__).parent / "fixtures" / "published"
EXPECTED = yaml.safe_load((FIXTURES / "expected.yaml").read_text(encoding="utf-8"))


def same(a, b) -> bool:
    return a is not None and b is not None and Decimal(str(a)) == Decimal(str(b))


# --- labels and figures -------------------------------------------------------------------------
@pytest.mark.parametrize("printed, official", [
    ("1、属于国家秘密", "1.属于国家秘密"),
    ("（1）属于国家秘密", "1.属于国家秘密"),
    ("１．属于 国家秘密", "1.属于国家秘密"),
    ("（二）部分公开", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"),
    ("规范性文件", "行政规范性文件"),
    ("3.危及\"三安全一稳定\"", "3.危及“三安全一稳定”"),
    ("本年收费金额(单位:万元)", "本年收费金额（单位：万元）"),
    ("申请人无正当理由逾期不补正，行政机关不再处理其政府信息公开申请",
     "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
])
def test_labels_match_leniently(printed, official):
    assert core(printed) == core(official)


@pytest.mark.parametrize("text, status, value", [
    ("１，２８６", "read", 1286), ("1,286", "read", 1286), ("3件", "read", 3), (" 7 ", "read", 7),
    ("", "blank", 0), ("—", "blank", 0), ("/", "blank", 0), ("\u00a0", "blank", 0), ("－", "blank", 0),
    ("2.5", "unread", None), ("约5", "unread", None), ("二十", "unread", None), ("30（含重复）", "unread", None),
])
def test_figures(text, status, value):
    assert parse_figure(text)[:2] == (status, value)


def test_money_keeps_decimals():
    assert parse_figure("１２．３５", decimal=True)[1] == Decimal("12.35")


# --- the imitation pages --------------------------------------------------------------------------
PAGES = [name for name in EXPECTED if not name.startswith(("rule-", "clean-"))]


@pytest.mark.parametrize("name", PAGES)
def test_fixture_page_reads_exactly(name):
    expected = EXPECTED[name]
    imp = importer.read_report(FIXTURES / name)
    rep = imp.report
    assert (imp.issuer, imp.year, rep.format) == (expected["issuer"], expected["year"], expected["format"])
    assert imp.params["published"] == dt.date.fromisoformat(expected["published"])
    assert imp.params["disclosed"]["total"] == expected["disclosed_total"]
    cells = expected["cells"]
    wrong = {k: (v, imp.values.get(k)) for k, v in cells.items() if v is not None and not same(v, imp.values.get(k))}
    assert not wrong, f"{len(wrong)} cells not read exactly: {list(wrong.items())[:5]}"
    # what the page does not print is listed, never invented
    absent = {k for k, v in cells.items() if v is None}
    assert {c.key for c in rep.unread} == absent
    assert all(imp.values[k] is None for k in absent)
    assert len(rep.blank) == expected["blank"]
    for key, value in (expected.get("subtotals") or {}).items():
        assert same(imp.values[key], value)
    if "unmapped" in expected:
        assert len(rep.unmapped) == expected["unmapped"]


def test_site_chrome_is_not_the_report():
    imp = importer.read_report(FIXTURES / "county-site-2022.html")
    text = imp.text
    assert text.title == "某县农业农村局2022年政府信息公开工作年度报告"   # not the sidebar's 2021 report
    assert list(text.sections) == list("一二三四五六")
    everything = "".join(line for lines in text.sections.values() for line in lines)
    for chrome in ("网站标识码", "版权所有", "当前位置", "分享到", "浏览次数", "setFont"):
        assert chrome not in everything
    narrative = imp.params["narrative"]
    assert narrative["problems"] == ["部分栏目更新不够及时。", "政策解读形式比较单一。"]
    assert narrative["other"] == ["本年度无其他需要报告的事项。"]
    assert set(narrative) >= {"overview", "proactive", "on_request", "management", "platform", "supervision",
                              "improvements"}
    assert imp.params["processing_fees"] == {"notices": 0, "amount": 0, "collected": 0}
    assert imp.bureau["government"] == "某县人民政府" and imp.bureau["self"] == "我局"


def test_gbk_declared_and_undeclared():
    declared = importer.read_report(FIXTURES / "city-gbk-nested-2022.html")
    assert declared.report.encoding.startswith("GBK") and "gb2312" in declared.report.encoding
    undeclared = importer.read_report(FIXTURES / "township-gbk-undeclared-2021.html")
    assert undeclared.report.encoding == "GBK（未声明）"
    assert undeclared.issuer == "某县青石镇人民政府"
    assert undeclared.bureau["government"] == "某县青石镇人民政府"


def test_a_figure_that_is_not_a_number_stays_missing(tmp_path, runner):
    imp = importer.read_report(FIXTURES / "city-gbk-nested-2022.html")
    cell = imp.report.cells["applications.new.natural_person"]
    assert cell.status == "unread" and cell.raw == "３０（含重复）"
    assert cell.row == "一、本年新收政府信息公开申请数量" and cell.column == "自然人"
    assert imp.params["applications"]["new"][0] is None
    assert "“规范性文件”代替“行政规范性文件”" in imp.report.deviations
    assert "二〇二三" not in str(imp.params["published"]) and imp.params["published"] == dt.date(2023, 1, 16)
    # written as null with a comment; validation then fails on exactly that field
    result = invoke(runner, "import", FIXTURES / "city-gbk-nested-2022.html", "-o", tmp_path / "p")
    assert result.exit_code == 2
    assert "未读出 一、本年新收政府信息公开申请数量 × 自然人：“３０（含重复）”不是数字" in result.output
    text = (tmp_path / "p" / "2022" / f"{imp.bureau_id}.yaml").read_text(encoding="utf-8")
    assert yaml.safe_load(text)["applications"]["new"][0] is None
    assert re.search(r"new: \[null, .*# 未读出：自然人：“３０（含重复）”不是数字", text)
    result = invoke(runner, "validate", params=tmp_path / "p")
    assert result.exit_code == 2
    assert "applications.new.0" in result.output and "1 个有错误" in result.output


def test_flattened_text_with_a_lost_blank():
    imp = importer.read_report(FIXTURES / "flattened-2022.txt")
    assert imp.report.kind == "text"
    lost = [c for c in imp.report.unread]
    assert len(lost) == 7 and all(c.row == "2.重复申请" for c in lost)
    assert "6 个数字" in lost[0].reason
    assert {c.raw for c in imp.report.blank} == {"—"}


def test_format_2019_imports_the_shared_cells_and_lists_the_rest():
    imp = importer.read_report(FIXTURES / "format2019-2020.html")
    rep = imp.report
    assert rep.format == "2019" and rep.deviations == []
    unmapped = {(c.row, c.column): c.raw for c in rep.unmapped}
    assert unmapped[("政府集中采购", "采购总金额")] == "86.4"
    assert unmapped[("其他对外管理服务事项", "处理决定数量")] == "41"
    assert rep.cells["proactive.normative_documents.in_force"].reason == "2019 年格式没有这一栏"
    other = imp.params["applications"]["other_handling"]
    assert other["no_correction"] == [None] * 7 and other["subtotal"][6] is not None
    lines = "\n".join(rep.lines())
    assert "2019 年格式" in lines and "无法对应 政府集中采购 × 采购总金额：86.4" in lines


def test_2021_report_with_the_single_row_other_handling():
    imp = importer.read_report(FIXTURES / "township-gbk-undeclared-2021.html")
    assert imp.report.format == "2021"
    assert imp.report.deviations == ["（六）其他处理印为一行（2019 年格式），其下三项无数字"]


@pytest.mark.parametrize("content, message", [
    (b"", "空的"), (b"%PDF-1.7\n...", "PDF 文件已损坏"), (b"PK\x03\x04....", "压缩包"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "旧版 Office"), (b"\x7fELF\x02\x01" + bytes(100), "二进制"),
])
def test_files_that_are_not_reports(tmp_path, content, message):
    path = tmp_path / "x.html"
    path.write_bytes(content)
    with pytest.raises(ImportFailed, match=message):
        importer.read_report(path)


def test_page_without_the_tables_fails(runner):
    with pytest.raises(ImportFailed, match="没有找到年报格式的表格"):
        importer.read_report(FIXTURES / "not-a-report.html")
    result = invoke(runner, "import", FIXTURES / "not-a-report.html")
    assert result.exit_code == 2 and "not-a-report.html" in result.stderr


def test_yaml_text_is_the_params_mapping():
    imp = importer.read_report(FIXTURES / "format2019-2020.html")
    assert yaml.safe_load(importer.to_yaml(imp)) == _plain(imp.params)


def _plain(value):
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


# --- the command ---------------------------------------------------------------------------------------
def test_import_command_writes_a_params_folder_that_validates_and_renders(runner, tmp_path):
    out = tmp_path / "imported"
    result = invoke(runner, "import", FIXTURES / "county-site-2022.html", FIXTURES / "clean-2022.html", "-o", out)
    assert result.exit_code == 0, result.output
    registry = load_registry(out)
    names = {b.name: i for i, b in registry.items()}
    assert set(names) == {"某县农业农村局", "某县示例局"}
    assert all(i.startswith("bureau-") for i in names.values())
    assert invoke(runner, "validate", params=out).exit_code == 0
    report = Report.load(names["某县农业农村局"], 2022, out)            # what build runs, without a kernel
    assert "某县农业农村局2022年政府信息公开工作年度报告" in "".join(report.fragments())
    # a later import of the same issuer reuses its id; --year and --bureau override
    result = invoke(runner, "import", FIXTURES / "clean-2022.html", "--year", 2023, "-o", out)
    assert result.exit_code == 0
    assert (out / "2023" / f"{names['某县示例局']}.yaml").is_file()
    assert "标题年份为 2022，按 --year 记为 2023" in result.output
    assert len(load_registry(out)) == 2
    result = invoke(runner, "import", FIXTURES / "clean-2022.html", "--bureau", "demo-office", "-o", out)
    assert result.exit_code == 0 and (out / "2022" / "demo-office.yaml").is_file()
    assert load_registry(out)["demo-office"].name == "某县示例局"
    result = invoke(runner, "import", FIXTURES / "county-site-2022.html", "--bureau", "demo-office", "-o", out)
    assert result.exit_code == 2 and "id demo-office 在机关名录中已属于某县示例局" in result.stderr


def test_import_command_prints_yaml_and_the_report_on_stderr(runner):
    result = invoke(runner, "import", FIXTURES / "township-gbk-undeclared-2021.html")
    assert result.exit_code == 2                 # the single row （六） leaves three rows unread
    data = yaml.safe_load(result.stdout)
    assert data["applications"]["other_handling"]["fee_unpaid"] == [None] * 7
    assert "（六）其他处理印为一行" in result.stderr and "某县青石镇人民政府" in result.stderr


def test_help(runner):
    from reportkit.cli import cli

    for command in ("import", "audit"):
        result = runner.invoke(cli, [command, "--help"])
        assert result.exit_code == 0 and "Usage:" in result.output


# --- round trip: every report reportkit writes imports back to its figures -------------------------------
def figures(data: BureauYear) -> dict:
    return {
        "cells": list(dataset.cells(data)),
        "published": data.published,
        "disclosed": (data.disclosed.total, {k: v for k, v in data.disclosed.categories.items() if v}),
        "fees": data.processing_fees.model_dump(),
    }


def page(ctx: Context) -> bytes:
    body = "".join(Report(ctx).fragments())
    return (f"<!DOCTYPE html><html lang='zh-CN'><head><meta charset='utf-8'><title>{ctx.title}</title></head>"
            f"<body><main>{body}</main></body></html>").encode("utf-8")


def assert_round_trip(html: bytes, data: BureauYear, name: str, source: str = "report.html"):
    imp = importer.read_bytes(html, source)
    assert imp.report.complete and not imp.report.blank and not imp.report.deviations, imp.report.lines()
    assert imp.issuer == name
    back = BureauYear.model_validate(imp.params)
    assert figures(back) == figures(data)
    # and the audit finds nothing wrong with what reportkit writes (an empty section 五 aside)
    findings = audit.audit_imported(imp).findings
    assert [str(f) for f in findings if f.severity == "error" and f.rule not in ("T4-empty-section", "P1-deadline")] == []  # random dates
    return imp


NAMES = ["测试市示例局", "某县青石镇人民政府", "某市第一中学", "某区市场监督管理局", "某县人民政府办公室"]
CATEGORIES = ["政策文件", "工作动态", "通知公告", "人事信息", "财政信息"]
PARAGRAPHS = ["总体平稳。", "栏目更新及时，回应关切有力。", "2024年起推行新的审核流程。", "加强培训；规范答复。"]


@st.composite
def bureau_years(draw):
    small, zeros = st.integers(0, 9), st.just([0] * 6)
    six = st.one_of(zeros, zeros, st.lists(small, min_size=6, max_size=6))
    apps: dict = {}
    outcome = []
    for row in SPEC.outcome_rows:
        if row.key == "total":
            continue
        if row.is_group:
            apps[row.key] = {leaf.key: draw(six) for leaf in row.children}
            outcome += apps[row.key].values()
        else:
            apps[row.key] = draw(six)
            outcome.append(apps[row.key])
    total = [sum(r[i] for r in outcome) for i in range(6)]
    forward = draw(st.lists(small, min_size=6, max_size=6))
    carried = [min(draw(small), total[i] + forward[i]) for i in range(6)]
    apps["new"] = [total[i] + forward[i] - carried[i] for i in range(6)]
    apps["carried_over"], apps["carried_forward"] = carried, forward
    if draw(st.booleans()):
        apps["new"] = apps["new"] + [sum(apps["new"])]
        apps["total"] = total + [sum(total)]
    review = {g.key: draw(st.lists(small, min_size=4, max_size=4)) for g in SPEC.review_groups}
    money = st.builds(lambda n, k: Decimal(n).scaleb(-k), st.integers(0, 10**9), st.integers(0, 6))
    notices = max(draw(st.integers(0, 5)), sum(apps["other_handling"]["fee_unpaid"]))  # no T2 warning
    amount = draw(money) if notices else Decimal(0)
    cats = draw(st.dictionaries(st.sampled_from(CATEGORIES), st.integers(1, 3000), max_size=4))
    docs = lambda: {"issued": draw(small), "repealed": draw(small), "in_force": draw(st.integers(0, 300))}  # noqa: E731
    data = {
        "published": draw(st.dates(dt.date(2021, 1, 1), dt.date(2026, 12, 31))),
        "disclosed": {"total": sum(cats.values()) if cats else draw(st.integers(0, 99999)), "categories": cats},
        "proactive": {"regulations": docs(), "normative_documents": docs(),
                      "licensing": draw(st.integers(0, 250000)), "penalty": draw(st.integers(0, 5000)),
                      "enforcement": draw(small), "fees": draw(money)},
        "applications": apps,
        "review_litigation": review,
        "processing_fees": {"notices": notices, "amount": amount, "collected": min(amount, draw(money))},
        "narrative": {k: draw(st.lists(st.sampled_from(PARAGRAPHS), max_size=2))
                      for k in ("overview", "proactive", "problems", "improvements", "other")},
    }
    name = draw(st.sampled_from(NAMES))
    bureau = Bureau.model_validate({"id": "x", "name": name, "government": "测试市人民政府",
                                    "website": draw(st.sampled_from([None, "测试市人民政府门户网站"]))})
    return Context(bureau, draw(st.integers(2021, 2025)), BureauYear.model_validate(data))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(bureau_years())
def test_round_trip_of_generated_reports(ctx):
    assert_round_trip(page(ctx), ctx.data, ctx.bureau.name)


def sample_reports():
    registry = load_registry(SAMPLE_PARAMS)
    years = sorted(int(p.name) for p in SAMPLE_PARAMS.iterdir() if p.is_dir() and p.name.isdigit())
    return [(b, y) for y in years for b in registry if (SAMPLE_PARAMS / str(y) / f"{b}.yaml").is_file()]


@pytest.mark.parametrize("bureau, year", sample_reports())
def test_round_trip_of_the_sample_city(bureau, year):
    report = Report.load(bureau, year, SAMPLE_PARAMS)
    assert_round_trip(page(report.ctx), report.ctx.data, report.ctx.bureau.name)


@pytest.fixture(scope="module")
def built_sample(sample_build):
    """The sample bureau's real HTML, built through papermill and nbconvert (once per session)."""
    bureau = sample_build.bureaus[0]
    return sample_build.params, sample_build.folder / f"{bureau}.html", bureau, int(sample_build.folder.name)


def test_round_trip_of_the_built_html(built_sample):
    params, html, bureau, year = built_sample
    data, _ = read_year(params / str(year) / f"{bureau}.yaml")
    name = load_registry(params)[bureau].name
    imp = assert_round_trip(html.read_bytes(), data, name, str(html))
    assert imp.params["narrative"]["problems"] == data.narrative.paragraphs("problems")
    assert imp.bureau["website"] == load_registry(params)[bureau].website


def test_built_html_reimports_into_a_folder_that_builds(built_sample, runner, tmp_path):
    _, html, bureau, year = built_sample
    out = tmp_path / "again"
    assert invoke(runner, "import", html, "--bureau", bureau, "-o", out).exit_code == 0
    assert invoke(runner, "validate", params=out).exit_code == 0
    original = load_year(SAMPLE_PARAMS / str(year) / f"{bureau}.yaml")
    assert figures(load_year(out / str(year) / f"{bureau}.yaml")) == figures(original)


# --- markup variants built from the official grid ------------------------------------------------------
def variant(mutate) -> tuple[bytes, BureauYear]:
    """The sample bureau's page with table 三 re-laid out by ``mutate(grid)``."""
    from reportkit import tables

    report = Report.load("shengzhou-wglj", 2022, SAMPLE_PARAMS)
    html = page(report.ctx).decode("utf-8")
    original = tables.applications_table(report.ctx.data)
    assert original in html
    changed = tables.render_table(mutate(tables.applications_grid(report.ctx.data)), css_class="t-applications")
    return html.replace(original, changed.replace("⏎", "<br>")).encode("utf-8"), report.ctx.data


def test_header_spans_that_do_not_line_up_fall_back_to_position():
    from dataclasses import replace

    def narrow_corner(grid):
        grid[0][0] = replace(grid[0][0], colspan=2)     # the headers now sit one column too far left
        return grid

    html, data = variant(narrow_corner)
    assert_round_trip(html, data, "嵊州市文化广电旅游局")


def test_an_extra_remarks_column_is_ignored():
    from reportkit.tables import Cell

    def remarks(grid):
        grid[0].append(Cell("备注", header=True, rowspan=3))
        for row in grid[3:]:
            row.append(Cell("", key=None))
        return grid

    html, data = variant(remarks)
    assert_round_trip(html, data, "嵊州市文化广电旅游局")


def test_merged_and_multi_line_figures_are_not_guessed():
    from dataclasses import replace

    def damage(grid):
        new = grid[3]                                   # 一、本年新收…: label + 7 figures
        new[1:3] = [replace(new[1], colspan=2)]         # 自然人 and 商业企业 merged, showing "5"
        carried = grid[4]
        carried[1] = replace(carried[1], text="0⏎1")    # two numbers in one cell
        return grid

    html, _ = variant(damage)
    imp = importer.read_bytes(html, "damaged.html")
    unread = {c.key: c.reason for c in imp.report.unread}
    assert set(unread) == {"applications.new.natural_person", "applications.new.commercial",
                           "applications.carried_over.natural_person"}
    assert "合并跨 2 栏" in unread["applications.new.natural_person"]
    assert "几行数字" in unread["applications.carried_over.natural_person"]
