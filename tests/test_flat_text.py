"""Flattened text (a page's copied text, ``pdftotext`` without -layout, ``pdfplumber``) read against
the format's grids, on real reports: the committed copies of 平潭's pages (``*.cells.txt``,
``*.rows.txt``) and ``pdftotext`` of those pages printed by Chromium (``*.print.txt``), made by
``tests/fixtures/real/make_flat.py``; truths in the reports' ``*.truth.yaml``.

Each test changes a real text the way flattening does (a label out of place, a figure lost, blocks in
another order, blank lines gone) and checks that no figure is read wrong and the reason is given.
"""
from __future__ import annotations

import importlib.util
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from reportkit import importer
from reportkit.importer.grid import Claims
from reportkit.importer.labels import tidy
from reportkit.importer.sequence import read_sequence

REAL = Path(__file__).parent / "fixtures" / "real"


def _truth(report: str) -> dict:
    return yaml.safe_load((REAL / f"{report}.truth.yaml").read_text(encoding="utf-8"))


def _import(tmp_path, lines: list[str], report: str):
    """(exact, unread, wrong keys, the import) of a text against the report's transcription."""
    path = tmp_path / "copied.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    imp = importer.read_report(path)
    exact = unread = 0
    wrong = []
    for key, value in _truth(report)["cells"].items():
        cell = imp.report.cells[key]
        if cell.status == "unread":
            unread += 1
        elif value is not None and Decimal(str(value)) == Decimal(str(cell.value)):
            exact += 1
        else:
            wrong.append(key)
    return exact, unread, wrong, imp


def _lines(name: str) -> list[str]:
    return (REAL / name).read_text(encoding="utf-8").splitlines()


def test_committed_page_texts_are_what_make_flat_makes():
    spec = importlib.util.spec_from_file_location("make_flat", REAL / "make_flat.py")
    make_flat = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make_flat)
    assert make_flat.main(["--check"]) == 0


def test_pdftotext_blocks_are_aligned_to_the_grid(tmp_path):
    """pdftotext of the printed page: cells as blocks parted by blank lines, in pdftotext's order."""
    lines = _lines("fujian-pingtan-2024.print.txt")
    claims = Claims()
    assert read_sequence([tidy(x) for x in lines], claims) == 200     # every table, in sequence
    exact, unread, wrong, imp = _import(tmp_path, lines, "fujian-pingtan-2024")
    assert (exact, unread, wrong) == (200, 0, []) and imp.report.kind == "text"


def test_without_blank_lines_columns_cannot_be_told_from_rows(tmp_path):
    """The same text with its blank lines gone: a run of figures may be a row or a column, so
    table 三's labels decide; where they do not stand by their figures, its cells stay unread."""
    lines = [x for x in _lines("fujian-pingtan-2024.print.txt") if x.strip()]
    exact, unread, wrong, imp = _import(tmp_path, lines, "fujian-pingtan-2024")
    assert wrong == [] and unread > 0 and exact + unread == 200
    assert imp.report.cells["review_litigation.review.total"].status == "read"


def test_blocks_in_another_order_are_not_read_where_totals_do_not_add_up(tmp_path):
    """pdftotext can put a block of one group before another's total (淮安 2024): 复议's total
    block swapped with one of 复议后起诉's figures is caught by the total, and table 四 stays unread."""
    lines = _lines("fujian-pingtan-2024.print.txt")
    a, b = lines.index("7"), lines.index("13")
    lines[a], lines[b] = lines[b], lines[a]
    exact, unread, wrong, imp = _import(tmp_path, lines, "fujian-pingtan-2024")
    assert wrong == [] and unread == 15 and exact == 185
    reason = imp.report.cells["review_litigation.review.upheld"].reason
    assert "行政复议的总计“13”不等于各项之和 7" in reason and "先后无法确认" in reason


def test_a_lost_figure_leaves_the_table_to_the_row_labels(tmp_path):
    lines = _lines("fujian-pingtan-2024.print.txt")
    del lines[lines.index("217")]                 # 一、本年新收 × 自然人
    exact, unread, wrong, imp = _import(tmp_path, lines, "fujian-pingtan-2024")
    assert wrong == [] and exact + unread == 200
    assert "6 个数字，格式要求 7 个" in imp.report.cells["applications.new.natural_person"].reason
    assert imp.report.cells["proactive.fees.amount"].status == "read"          # the other tables still in sequence


def test_two_row_labels_without_figures_between_them_read_neither(tmp_path):
    """A copied page with a row label out of place, right before another row's figures."""
    lines = _lines("fujian-pingtan-2024.cells.txt")
    label = lines.pop(lines.index("4.保护第三方合法权益"))
    lines.insert(lines.index("75"), label)        # after 1.本机关不掌握相关政府信息, before its 75
    exact, unread, wrong, imp = _import(tmp_path, lines, "fujian-pingtan-2024")
    assert wrong == [] and exact + unread == 200
    cell = imp.report.cells["applications.withheld.third_party_rights.natural_person"]
    assert cell.status == "unread" and "之间没有数字" in cell.reason
    assert imp.report.cells["applications.unable_to_provide.not_held.total"].status == "unread"


@pytest.mark.parametrize("name, report, least", [
    ("fujian-pingtan-2023.print.txt", "fujian-pingtan-2023", 180),
    ("fujian-pingtan-czj-2024.print.txt", "fujian-pingtan-czj-2024", 186),
])
def test_printed_pages_with_labels_among_other_rows(tmp_path, name, report, least):
    """Labels centred over two lines land among the row above's figures; where the order of the
    figures cannot be confirmed (a 2-row cell read column first), the cells are listed unread."""
    exact, unread, wrong, imp = _import(tmp_path, _lines(name), report)
    assert wrong == [] and exact >= least and exact + unread == 200
    assert all(c.reason for c in imp.report.unread)


WITHHELD = ["1.属于国家秘密", "2.其他法律行政法规禁止公开", "3.危及“三安全一稳定”", "4.保护第三方合法权益",
            "5.属于三类内部事务信息", "6.属于四类过程性信息", "7.属于行政执法案卷", "8.属于行政查询事项"]


def _as_pdftotext(lines: list[str], column_rows: list[str]) -> list[str]:
    """A copied page (a cell per line) laid out as ``pdftotext`` lays out a WPS table (洪泽 2023 and
    2024): every cell its own block (blank lines between), and the rows ``column_rows`` column by
    column: seven blocks of one column each, their labels after them."""
    at = [lines.index(label) for label in column_rows]
    assert at == list(range(at[0], at[0] + 8 * len(at), 8))      # each label and its seven figures
    figures = [lines[i + 1:i + 8] for i in at]
    out: list[str] = []
    for line in lines[:at[0]]:
        out += [line, ""]
    for c in range(7):
        out += [row[c] for row in figures] + [""]
    out += column_rows + [""]
    for line in lines[at[-1] + 8:]:
        out += [line, ""]
    return out


def test_pdftotext_column_blocks_are_read_column_by_column(tmp_path):
    lines = _as_pdftotext(_lines("fujian-pingtan-2024.cells.txt"), WITHHELD)
    exact, unread, wrong, _ = _import(tmp_path, lines, "fujian-pingtan-2024")
    assert (exact, unread, wrong) == (200, 0, [])
    # read row by row instead (the blank lines gone), the columns would be rows: not read at all
    exact, unread, wrong, imp = _import(tmp_path, [x for x in lines if x], "fujian-pingtan-2024")
    assert wrong == [] and imp.report.cells["applications.withheld.internal_affairs.natural_person"].status == "unread"


def test_column_blocks_are_not_taken_by_a_row_label(tmp_path):
    """With a figure lost, table 三 is left to its row labels: a column of figures after 部分公开
    is not that row's."""
    lines = _as_pdftotext(_lines("fujian-pingtan-2024.cells.txt"), WITHHELD)
    column = lines.index(WITHHELD[0]) - 2          # the last figure of the last column block
    del lines[column]
    exact, unread, wrong, imp = _import(tmp_path, lines, "fujian-pingtan-2024")
    assert wrong == [] and exact + unread == 200
    assert imp.report.cells["applications.partly_disclosed.total"].status == "read"     # its own row, before
    assert imp.report.cells["applications.withheld.state_secret.total"].status == "unread"


def test_flattened_pdf_with_lost_blank_cells_misreads_nothing():
    """``pdftotext`` of the forms' PDF, whose blank cells print nothing: the rows lose figures, and
    pdftotext stacks 规章's and 行政规范性文件's figures in one column block ("0" over "1"). Rows that
    cannot be placed are unread; the column block is no row's."""
    forms = Path(__file__).parent / "fixtures" / "forms"
    truth = yaml.safe_load((Path(__file__).parent / "fixtures" / "published" / "expected.yaml")
                           .read_text(encoding="utf-8"))["clean-2022.html"]["cells"]
    imp = importer.read_report(forms / "report-flat.txt")
    read = {k: c.value for k, c in imp.report.cells.items() if c.status != "unread"}
    assert read and all(Decimal(str(truth[k])) == Decimal(str(v)) for k, v in read.items())
    assert imp.report.cells["proactive.regulations.in_force"].status == "unread"


def test_prose_before_a_table_naming_its_header_is_not_the_table(tmp_path):
    """A sentence in section 二 that mentions 信息内容 does not start (and so empty) table 二."""
    lines = _lines("fujian-pingtan-2024.print.txt")
    at = lines.index("二、主动公开政府信息情况") + 1
    lines[at:at] = ["主动公开的信息内容涵盖规划计划、财政预决算等 12 类。", ""]
    exact, unread, wrong, _ = _import(tmp_path, lines, "fujian-pingtan-2024")
    assert (exact, unread, wrong) == (200, 0, [])


def test_blank_cells_printed_empty_leave_their_rows_unread(tmp_path):
    """沭阳 2023 prints its zero cells empty: copied row by row, "一、本年新收… 26 26" has two of
    seven figures, and where they stood is lost. Such rows are listed, with the count."""
    exact, unread, wrong, imp = _import(tmp_path, _lines("jiangsu-shuyang-fgj-2023.rows.txt"),
                                        "jiangsu-shuyang-fgj-2023")
    assert wrong == [] and exact + unread == 200 and unread > 100
    cell = imp.report.cells["applications.new.natural_person"]
    assert cell.status == "unread" and "这一行有 2 个数字，格式要求 7 个" in cell.reason


def test_a_group_label_among_its_items_gives_no_subtotal(tmp_path):
    """pdfplumber's text of a real PDF (洪泽 2024) puts the merged label （五）不予处理 at the middle of its
    items, right before item 4's figures: those figures are not a subtotal the report never printed."""
    lines = _lines("fujian-pingtan-2024.cells.txt")
    group = lines.pop(lines.index("（五）不予处理"))
    item = lines.index("2.重复申请")
    lines[item:item + 1] = []                       # its label after its figures, the group's before them
    lines.insert(item + 7, "2.重复申请")
    lines.insert(item, group)
    exact, unread, wrong, imp = _import(tmp_path, lines, "fujian-pingtan-2024")
    assert wrong == []
    assert not [k for k in imp.report.extra if k.startswith("applications.not_processed.subtotal")]
    assert not [d for d in imp.report.deviations if "不予处理有小计行" in d]
    assert any("不予处理”是分组名称" in n for n in imp.report.notes)     # said, not dropped silently
