"""The three tables: labels and merged cells exactly as the format file lays them out."""
from __future__ import annotations

from bs4 import BeautifulSoup
from factories import year_data
from htmlgrid import expand, text

from reportkit import tables
from reportkit.model import BureauYear
from reportkit.spec import load_spec

SPEC = load_spec()


def soup_table(html):
    return BeautifulSoup(html, "html.parser").find("table")


def data():
    return BureauYear.model_validate(year_data())


def spans(cell):
    return int(cell.get("rowspan", 1)), int(cell.get("colspan", 1))


def test_applications_table_layout():
    table = soup_table(tables.applications_table(data()))
    grid = expand(table)
    assert len(grid) == 3 + 25 and all(len(r) == 10 for r in grid)
    corner = grid[0][0]
    assert text(corner) == "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
    assert spans(corner) == (3, 3)
    assert (text(grid[0][3]), spans(grid[0][3])) == ("申请人情况", (1, 7))
    assert [text(c) for c in grid[2][3:]] == [c.label for c in SPEC.app_columns]
    assert spans(grid[1][3]) == (2, 1) and spans(grid[1][9]) == (2, 1)
    assert (text(grid[1][4]), spans(grid[1][4])) == ("法人或其他组织", (1, 5))
    outcome = grid[5][0]
    assert (text(outcome), spans(outcome)) == ("三、本年度办理结果", (22, 1))
    group_spans = {text(grid[r][1]): spans(grid[r][1]) for r in range(5, 27)}
    assert group_spans["（三）不予公开"] == (8, 1)
    assert group_spans["（四）无法提供"] == (3, 1)
    assert group_spans["（五）不予处理"] == (5, 1)
    assert group_spans["（六）其他处理"] == (3, 1)
    for label in ("（一）予以公开", "（七）总计"):
        assert group_spans[label] == (1, 2)
    for r in (3, 4, 27):
        assert spans(grid[r][0]) == (1, 3)


def test_applications_row_labels_follow_the_format():
    grid = expand(soup_table(tables.applications_table(data())))
    printed = []
    for row in grid[3:]:
        seen = []
        for cell in row[:3]:
            if cell not in seen:
                seen.append(cell)
        printed.append([text(c) for c in seen])

    expected = []
    for top in SPEC.app_rows:
        if top.key:
            expected.append([top.label])
        else:
            for sub in top.children:
                for leaf in (sub.children or (None,)):
                    expected.append([top.label, sub.label] + ([leaf.label] if leaf else []))
    assert printed == expected


def test_applications_figures_sit_under_their_columns():
    d = data()
    grid = expand(soup_table(tables.applications_table(d)))
    figures = [cell for row in grid[3:] for cell in row[3:]]
    assert len(figures) == 175 and all(c.name == "td" for c in figures)
    cells = d.app_cells()
    for r, path in enumerate(SPEC.app_leaf_rows()):
        for c, col in enumerate(SPEC.app_columns):
            cell = grid[3 + r][3 + c]
            assert cell["data-cell"] == "applications." + ".".join(path) + "." + col.key
            assert text(cell) == str(cells[path][col.key])
    assert text(grid[3][9]) == "6"        # 一、新收 总计 computed
    assert text(grid[26][9]) == "5"       # （七）总计 computed


def test_review_table_layout():
    grid = expand(soup_table(tables.review_table(data())))
    assert len(grid) == 4 and all(len(r) == 15 for r in grid)
    assert (text(grid[0][0]), spans(grid[0][0])) == ("行政复议", (1, 5))
    assert (text(grid[0][5]), spans(grid[0][5])) == ("行政诉讼", (1, 10))
    assert all(spans(grid[1][i]) == (2, 1) for i in range(5))
    assert [text(grid[1][5]), text(grid[1][10])] == ["未经复议直接起诉", "复议后起诉"]
    assert [text(c) for c in grid[2][5:]] == [c.label for c in SPEC.review_columns] * 2
    assert [text(c) for c in grid[3]] == ["1", "0", "0", "0", "1", "0", "0", "0", "1", "1", "0", "0", "0", "0", "0"]


def test_proactive_table_blocks():
    grid = expand(soup_table(tables.proactive_table(data())))
    blocks = [text(r[0]) for r in grid if r[0] is r[-1]]
    assert blocks == [b.title for b in SPEC.proactive]
    labels = [text(r[0]) for r in grid if r[0] is not r[-1] and text(r[0]) != "信息内容"]
    assert labels == [r.label for r in SPEC.proactive_rows]
    headers = [[text(c) for c in dict.fromkeys(r)] for r in grid if text(r[0]) == "信息内容"]
    assert headers == [list(b.columns) for b in SPEC.proactive]
    fee = next(r for r in grid if text(r[0]) == "行政事业性收费")
    assert text(fee[1]) == "1.25"


def test_empty_tables_print_blank_cells():
    grid = expand(soup_table(tables.applications_table(None)))
    assert {text(c) for row in grid[3:] for c in row[3:]} == {""}
