"""Where every cell of a reportkit workbook goes: one plan shared by the writer and the reader.

The three table sheets are the official grids of :mod:`reportkit.tables` placed cell for cell
(merged headers as printed); each figure cell of a grid becomes an input (:class:`Field`) or,
for a row's 总计, a group's subtotal and （七）总计, a live formula (:class:`Derived`) whose
value the reader recomputes from the inputs. Labels come from the format spec and the model's
field descriptions, never typed here a second time.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from openpyxl.utils import get_column_letter

from ..model import Disclosed, Narrative, ProcessingFees
from ..spec import load_spec
from ..narrative import SUBSECTIONS
from ..tables import Cell, applications_grid, proactive_grid, review_grid

MARKER = "reportkit-workbook/1"          # the cover's machine-readable tag (and a defined name)
MARKER_NAME = "REPORTKIT_WORKBOOK"
COVER, EXTRA, NARRATIVE = "封面", "概况与收费", "正文"
TABLES = {"二": "表二", "三": "表三", "四": "表四"}
SHEETS = (COVER, TABLES["二"], TABLES["三"], TABLES["四"], EXTRA, NARRATIVE)
TOP = 2                                   # grids start below the sheet's title row

# Cover: the row of each item (label in A, value in B); marker cells in hidden column H.
COVER_ROWS = {"name": 3, "id": 4, "year": 5, "deadline": 6, "contact": 7,
              "person": 8, "phone": 9, "published": 10}
MARKER_CELLS = {"tag": "H1", "id": "H2", "year": "H3", "name": "H4", "government": "H5", "level": "H6"}


@dataclass(frozen=True)
class Field:
    """An input cell: the figure ``key`` (``applications.new.natural_person``) of the params."""

    sheet: str
    coord: str
    key: str
    kind: str = "int"                     # int | decimal | date | text
    label: str = ""                       # row × column, for messages
    locked: bool = False                  # prefilled from last year (二、上年结转)


@dataclass(frozen=True)
class Derived:
    """A formula cell: ``formula`` in Excel, the sum of the input ``terms`` when recomputed."""

    sheet: str
    coord: str
    key: str
    formula: str
    terms: tuple[str, ...]
    label: str = ""


@dataclass(frozen=True)
class Check:
    """A check cell: '✓ R7' or '✗ R7 …' as the bureau types; coloured by conditional format."""

    sheet: str
    coord: str
    formula: str


@dataclass
class Sheet:
    name: str
    title: str
    width: int                            # columns of the printed table
    labels: list[tuple[str, str, str]] = field(default_factory=list)   # coord, text, style
    merges: list[str] = field(default_factory=list)
    fields: list[Field] = field(default_factory=list)
    derived: list[Derived] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    widths: dict[str, float] = field(default_factory=dict)
    landscape: bool = False


def coord(row: int, col: int) -> str:
    return f"{get_column_letter(col)}{row}"


def place(grid: list[list[Cell]], top: int, left: int = 1) -> list[tuple[int, int, Cell]]:
    """(row, column, cell) of every grid cell, merged cells laid out as a browser does."""
    taken: set[tuple[int, int]] = set()
    out = []
    for r, cells in enumerate(grid):
        c = 0
        for cell in cells:
            while (r, c) in taken:
                c += 1
            out.append((top + r, left + c, cell))
            taken.update((r + i, c + j) for i in range(cell.rowspan) for j in range(cell.colspan))
            c += cell.colspan
    return out


def _header(sheet: Sheet, placed) -> dict[str, tuple[int, int]]:
    """Put the grid's header cells on the sheet; return {figure key: (row, col)}."""
    at = {}
    for r, c, cell in placed:
        if cell.key:
            at[cell.key] = (r, c)
            continue
        cls = cell.cls or ""
        style = "vertical" if "vertical" in cls else "label" if "label" in cls else "header"
        sheet.labels.append((coord(r, c), cell.text, style))
        if cell.rowspan > 1 or cell.colspan > 1:
            sheet.merges.append(f"{coord(r, c)}:{coord(r + cell.rowspan - 1, c + cell.colspan - 1)}")
    return at


def _title(sheet: Sheet, n: str) -> None:
    sheet.labels.append(("A1", f"{n}、{load_spec().section_title(n)}", "title"))
    sheet.merges.append(f"A1:{get_column_letter(sheet.width)}1")


def _ok(cond: str, rule: str, bad: str) -> str:
    return f'=IF({cond},"✓ {rule}","✗ {rule} {bad}")'


# --- 表二 ---------------------------------------------------------------------------------------
def proactive_sheet() -> Sheet:
    grid = proactive_grid(None)
    sheet = Sheet(TABLES["二"], load_spec().section_title("二"), width=len(grid[1]))
    _title(sheet, "二")
    placed = place(grid, TOP)
    at = _header(sheet, placed)
    rows = {row.key: row for row in load_spec().proactive_rows}
    check_col, base_col = sheet.width + 1, sheet.width + 2
    for key, (r, c) in at.items():
        _, row_key, col = key.split(".")
        row = rows[row_key]
        kind = "decimal" if row.decimal else "int"
        span = next(cell.colspan for _, _, cell in placed if cell.key == key)
        if span > 1:
            sheet.merges.append(f"{coord(r, c)}:{coord(r, c + span - 1)}")
        sheet.fields.append(Field(sheet.name, coord(r, c), key, kind, row.label))
        if col == "in_force":   # R10: 现行有效 = 上年现行有效 + 制发 − 废止 (a warning)
            base = coord(r, base_col)
            sheet.fields.append(Field(sheet.name, base, f"previous.{row_key}.in_force", "int",
                                      f"{row.label} 上年现行有效件数", locked=True))
            issued, repealed = coord(r, c - 2), coord(r, c - 1)
            sheet.checks.append(Check(sheet.name, coord(r, check_col), (
                f'=IF(ISBLANK({base}),"",IF({coord(r, c)}={base}+{issued}-{repealed},"✓ R10",'
                f'"△ R10 提示：≠上年+制发−废止"))')))
    head_row = placed[1][0]
    sheet.labels += [(coord(head_row, check_col), "校验", "header"),
                     (coord(head_row, base_col), "上年现行有效件数（上年数据）", "header")]
    sheet.widths = {"A": 24, "B": 16, "C": 16, "D": 16, get_column_letter(check_col): 30,
                    get_column_letter(base_col): 18}
    return sheet


# --- 表三 ---------------------------------------------------------------------------------------
def applications_sheet() -> Sheet:
    grid = applications_grid(None)
    cols = [c.key for c in load_spec().app_columns]
    figures = cols[:-1]
    sheet = Sheet(TABLES["三"], load_spec().section_title("三"), width=3 + len(cols), landscape=True)
    _title(sheet, "三")
    placed = place(grid, TOP)
    at = _header(sheet, placed)
    labels = _row_labels()
    check_col = sheet.width + 1
    first = min(r for r, _ in at.values())
    sheet.labels.append((coord(TOP, check_col), "校验", "header"))
    sheet.merges.append(f"{coord(TOP, check_col)}:{coord(first - 1, check_col)}")
    row_of = {tuple(k.split(".")[1:-1]): at[k][0] for k in at}
    col_of = {k.split(".")[-1]: at[k][1] for k in at}
    last = max(row_of.values())
    # group subtotals: a block below the table (the printed table has no subtotal rows)
    sub_top = last + 3
    sheet.labels.append((coord(sub_top - 1, 1), "分组小计（自动计算）", "header"))
    sheet.merges.append(f"{coord(sub_top - 1, 1)}:{coord(sub_top - 1, 3)}")
    for i, group in enumerate(load_spec().outcome_groups):
        row_of[(group.key, "subtotal")] = sub_top + i
        sheet.labels.append((coord(sub_top + i, 1), group.label, "label"))
        sheet.merges.append(f"{coord(sub_top + i, 1)}:{coord(sub_top + i, 3)}")
        labels[(group.key, "subtotal")] = f"{group.label}小计"
    outcome = [p for p in load_spec().app_leaf_rows() if p[0] not in ("new", "carried_over", "total", "carried_forward")]
    for path, r in row_of.items():
        name = "applications." + ".".join(path)
        is_total_row = path == ("total",)
        for col in cols:
            c = col_of[col]
            where, label = coord(r, c), f"{labels[path]} × {_col_label(col)}"
            if col == "total":
                terms = tuple(f"{name}.{f}" for f in figures) if not (is_total_row or path[-1] == "subtotal") \
                    else tuple(f"applications.{'.'.join(p)}.{f}" for p in _rows_under(path, outcome) for f in figures)
                sheet.derived.append(Derived(sheet.name, where, f"{name}.total",
                                             f"=SUM({coord(r, col_of[figures[0]])}:{coord(r, col_of[figures[-1]])})",
                                             terms, label))
            elif is_total_row or path[-1] == "subtotal":
                parts = _rows_under(path, outcome)
                terms = tuple(f"applications.{'.'.join(p)}.{col}" for p in parts)
                if is_total_row:   # （七） = （一）+（二）+ the four subtotals
                    cells = [coord(row_of[(row.key,) if not row.is_group else (row.key, "subtotal")], c)
                             for row in load_spec().outcome_rows if row.key != "total"]
                    formula = "=" + "+".join(cells)
                else:
                    formula = f"=SUM({coord(row_of[parts[0]], c)}:{coord(row_of[parts[-1]], c)})"
                sheet.derived.append(Derived(sheet.name, where, f"{name}.{col}", formula, terms, label))
            else:
                sheet.fields.append(Field(sheet.name, where, f"{name}.{col}", "int", label,
                                          locked=path == ("carried_over",)))
        total, lo, hi = coord(r, col_of["total"]), coord(r, col_of[figures[0]]), coord(r, col_of[figures[-1]])
        check = _ok(f"{total}=SUM({lo}:{hi})", "R1", "总计≠各列之和")
        if is_total_row:   # R6 in every column: （七） = （一）+…+（六）, items summed directly
            sums = [f"{coord(r, c)}=" + "+".join(f"SUM({coord(row_of[g[0]], c)}:{coord(row_of[g[-1]], c)})"
                                                 for g in _runs([row_of[p] for p in outcome], outcome))
                    for c in (col_of[k] for k in cols)]
            check = _ok(f"AND({total}=SUM({lo}:{hi}),{','.join(sums)})", "R1 R6", "总计不符")
        if path[-1] == "subtotal":
            rule = {"withheld": "R2", "unable_to_provide": "R3", "not_processed": "R4", "other_handling": "R5"}[path[0]]
            items = _rows_under(path, outcome)
            check = _ok(f"{lo}=SUM({coord(row_of[items[0]], col_of[figures[0]])}:{coord(row_of[items[-1]], col_of[figures[0]])})",
                        rule, "小计≠各项之和")
        sheet.checks.append(Check(sheet.name, coord(r, check_col), check))
    # R7 per column, in a row below the table: 一 + 二 = （七） + 四
    r7 = last + 1
    sheet.labels.append((coord(r7, 1), "勾稽关系：一＋二＝（七）＋四", "label"))
    sheet.merges.append(f"{coord(r7, 1)}:{coord(r7, 3)}")
    for col in cols:
        c = col_of[col]
        new, over, tot, fwd = (coord(row_of[(k,)], c) for k in ("new", "carried_over", "total", "carried_forward"))
        sheet.checks.append(Check(sheet.name, coord(r7, c), _ok(f"{new}+{over}={tot}+{fwd}", "R7", "不平")))
    sheet.widths = {"A": 7, "B": 14, "C": 44} | {get_column_letter(col_of[c]): 9 for c in cols} \
        | {get_column_letter(check_col): 16}
    return sheet


def _runs(rows: list[int], paths: list) -> list[list]:
    """``paths`` split where their sheet rows stop being consecutive (one SUM per run)."""
    runs: list[list] = []
    for r, p in zip(rows, paths):
        if runs and r == runs[-1][-1][0] + 1:
            runs[-1].append((r, p))
        else:
            runs.append([(r, p)])
    return [[p for _, p in run] for run in runs]


def _rows_under(path, outcome):
    if path == ("total",):
        return outcome
    return [p for p in outcome if p[0] == path[0] and len(p) == 2]


def _row_labels() -> dict[tuple[str, ...], str]:
    out = {}
    for row in load_spec().app_rows:
        for sub in (row.children if row.key is None else (row,)):
            out[(sub.key,)] = sub.label
            for leaf in sub.children:
                out[(sub.key, leaf.key)] = f"{sub.label}{leaf.label}"
    return out


def _col_label(key: str) -> str:
    return next(c.label for c in (*load_spec().app_columns, *load_spec().review_columns) if c.key == key)


# --- 表四 ---------------------------------------------------------------------------------------
def review_sheet() -> Sheet:
    grid = review_grid(None)
    sheet = Sheet(TABLES["四"], load_spec().section_title("四"), width=len(grid[-1]), landscape=True)
    _title(sheet, "四")
    placed = place(grid, TOP)
    at = _header(sheet, placed)
    cols = [c.key for c in load_spec().review_columns]
    r = next(iter(at.values()))[0]
    for group in load_spec().review_groups:
        name = f"review_litigation.{group.key}"
        cells = {c: coord(*at[f"{name}.{c}"]) for c in cols}
        label = group.label
        for c in cols[:-1]:
            sheet.fields.append(Field(sheet.name, cells[c], f"{name}.{c}", "int", f"{label} × {_col_label(c)}"))
        sheet.derived.append(Derived(sheet.name, cells["total"], f"{name}.total",
                                     f"=SUM({cells[cols[0]]}:{cells[cols[-2]]})",
                                     tuple(f"{name}.{c}" for c in cols[:-1]), f"{label} × {_col_label('total')}"))
        first, last = cells[cols[0]], cells["total"]
        check_at = coord(r + 1, at[f"{name}.{cols[0]}"][1])
        sheet.checks.append(Check(sheet.name, check_at,
                                  _ok(f"{last}=SUM({first}:{cells[cols[-2]]})", "R8", "总计≠各项之和")))
        sheet.merges.append(f"{check_at}:{coord(r + 1, at[f'{name}.total'][1])}")
    sheet.widths = {get_column_letter(i): 8.5 for i in range(1, sheet.width + 1)}
    return sheet


# --- 概况与收费: section 一's count of items disclosed, section 六's processing fees -----------------
EXTRA_TOTAL = "B3"
FEES_TOP = 5                              # section 六's fees: rows 5–7, fixed
CATEGORY_TOP = 10                         # categories: name in A, count in B, from this row down
CATEGORY_TAG = "category"                 # hidden column D marks a category row


def _describe(model, name: str) -> str:
    return model.model_fields[name].description


def extra_sheet(n_categories: int) -> Sheet:
    """Fixed rows first (total, fees), then as many category rows as needed (tagged, scanned)."""
    sheet = Sheet(EXTRA, "一、六 中的数字", width=3)
    sheet.labels += [("A1", f"一、{load_spec().section_title('一')} · 六、{load_spec().section_title('六')}", "title"),
                     ("A2", "项目", "header"), ("B2", "数字", "header"), ("C2", "校验", "header"),
                     ("A3", _describe(Disclosed, "total"), "label"),
                     (f"A{FEES_TOP - 1}", f"六、{load_spec().section_title('六')}：信息处理费", "header"),
                     (f"A{CATEGORY_TOP - 1}", f"分类名称 · 条数（合计须等于{_describe(Disclosed, 'total')}）", "header")]
    sheet.merges += ["A1:C1", f"A{FEES_TOP - 1}:C{FEES_TOP - 1}", f"A{CATEGORY_TOP - 1}:C{CATEGORY_TOP - 1}"]
    sheet.fields.append(Field(EXTRA, EXTRA_TOTAL, "disclosed.total", "int", _describe(Disclosed, "total")))
    for i, name in enumerate(ProcessingFees.model_fields):
        kind = "decimal" if "元" in _describe(ProcessingFees, name) else "int"
        sheet.labels.append((f"A{FEES_TOP + i}", _describe(ProcessingFees, name), "label"))
        sheet.fields.append(Field(EXTRA, f"B{FEES_TOP + i}", f"processing_fees.{name}", kind,
                                  _describe(ProcessingFees, name)))
    rows = max(n_categories + 3, 8)
    for i in range(rows):
        r = CATEGORY_TOP + i
        sheet.fields += [Field(EXTRA, f"A{r}", f"disclosed.categories[{i}].name", "text", f"分类 {i + 1} 名称"),
                         Field(EXTRA, f"B{r}", f"disclosed.categories[{i}].count", "int", f"分类 {i + 1} 条数")]
        sheet.labels.append((f"D{r}", CATEGORY_TAG, "hidden"))
    end = CATEGORY_TOP + rows - 1
    sheet.checks.append(Check(EXTRA, "C3", f'=IF(COUNT(B{CATEGORY_TOP}:B{end})=0,"",IF(SUM(B{CATEGORY_TOP}:B{end})'
                                           f'={EXTRA_TOTAL},"✓ 分类合计","✗ 分类合计≠总条数"))'))
    sheet.widths = {"A": 40, "B": 14, "C": 22}
    return sheet


# --- 正文: one row per paragraph under the official headings --------------------------------------
def narrative_headings() -> list[tuple[Optional[str], str, int]]:
    """(narrative key or None for a heading without text of its own, heading, level)."""
    five = load_spec().section_title("五")
    out: list[tuple[Optional[str], str, int]] = [("overview", f"一、{load_spec().section_title('一')}", 1)]
    out += [(key, f"（{n}）{title}", 2) for (key, title), n in zip(SUBSECTIONS, "一二三四五")]
    out += [(None, f"五、{five}", 1)]
    out += [(key, f"（{n}）{_describe(Narrative, key).split('、', 1)[1]}", 2)
            for key, n in (("problems", "一"), ("improvements", "二"))]
    out += [("other", f"六、{load_spec().section_title('六')}", 1)]
    return out


def narrative_rows(counts: dict[str, int], spare: int = 3) -> list[tuple[str, Optional[str], int]]:
    """The sheet's rows from row 3: ('heading', key, level) or ('paragraph', key, n)."""
    out = []
    for key, _, level in narrative_headings():
        out.append(("heading", key, level))
        if key is not None:
            out += [("paragraph", key, i + 1) for i in range(max(counts.get(key, 0) + spare, 4))]
    return out
