"""The template workbook a bureau fills in: openpyxl, laid out by :mod:`.layout`.

Labels and formulas are locked (sheet protection without a password, so an office can
unprotect it); input cells are unlocked, validated (non-negative integers, decimals for 万元 and
元, a date) and shaded; last year's carry-over is prefilled and locked. The bytes are
deterministic: fixed document timestamps and zip entry dates.
"""
from __future__ import annotations

import datetime as dt
import io
import math
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Optional

from openpyxl import Workbook
from openpyxl.formatting.rule import FormulaRule
from openpyxl.packaging.core import DocumentProperties
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Protection, Side
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.merge import MergedCellRange
from openpyxl.xml.functions import fromstring, tostring

from .. import atomic
from ..chinese import date_cn
from ..model import Bureau
from ..narrative import report_title
from ..params import load_registry, load_year, year_path
from . import layout as L
from .values import carry_over_of, figures_of

if TYPE_CHECKING:
    from ..model import BureauYear

FONT = "宋体"
THIN = Side(style="thin", color="808080")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
FILL = {"input": PatternFill("solid", fgColor="FFF8DC"), "locked": PatternFill("solid", fgColor="E7E6E6"),
        "header": PatternFill("solid", fgColor="DDEBF7"), "formula": PatternFill("solid", fgColor="EDEDED")}
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
TOP_LEFT = Alignment(horizontal="left", vertical="top", wrap_text=True)
OPEN, SHUT = Protection(locked=False), Protection(locked=True)


def _styles() -> dict[str, NamedStyle]:
    """Named styles: one registration per workbook instead of a style per cell (much faster)."""
    def style(name, font=Font(name=FONT, size=10), fill=None, border=BOX, alignment=CENTER,
              protection=SHUT, number_format="General"):
        out = NamedStyle(name=f"rk-{name}", font=font, border=border, alignment=alignment,
                         protection=protection, number_format=number_format)
        if fill is not None:
            out.fill = fill
        return out
    return {s.name[3:]: s for s in (
        style("title", Font(name=FONT, bold=True, size=14), border=Border(), alignment=Alignment(
            horizontal="center", vertical="center")),
        style("header", Font(name=FONT, bold=True, size=10), FILL["header"]),
        style("label", alignment=LEFT),
        style("vertical", alignment=Alignment(horizontal="center", vertical="center", textRotation=255)),
        style("int", fill=FILL["input"], protection=OPEN, number_format="0"),
        style("decimal", fill=FILL["input"], protection=OPEN),
        style("text", fill=FILL["input"], protection=OPEN, alignment=LEFT),
        style("locked", fill=FILL["locked"], number_format="0"),
        style("formula", fill=FILL["formula"], number_format="0"),
        style("check", Font(name=FONT, size=9), border=Border(), alignment=LEFT),
        style("cover-label", Font(name=FONT, bold=True, size=11), alignment=LEFT),
        style("cover-value", Font(name=FONT, size=11), FILL["locked"], alignment=LEFT),
        style("cover-input", Font(name=FONT, size=11), FILL["input"], alignment=LEFT, protection=OPEN),
        style("note", border=Border(), alignment=Alignment(vertical="center")),
        style("para", Font(name=FONT, size=11), FILL["input"], alignment=TOP_LEFT, protection=OPEN),
        style("para-no", border=Border(), alignment=Alignment(horizontal="center", vertical="top")),
        style("h1", Font(name=FONT, bold=True, size=12), border=Border(), alignment=Alignment(vertical="center")),
        style("h2", Font(name=FONT, bold=True, size=11), border=Border(), alignment=Alignment(vertical="center")),
    )}
CHECK_COLOURS = {"✓": ("C6EFCE", "006100"), "✗": ("FFC7CE", "9C0006"), "△": ("FFEB9C", "9C5700")}
VALIDATION = {
    "int": dict(type="whole", operator="greaterThanOrEqual", formula1="0",
                errorTitle="应为非负整数", error="此格填件数或条数：0 或正整数，不能有小数、负数或文字。"),
    "decimal": dict(type="decimal", operator="greaterThanOrEqual", formula1="0",
                    errorTitle="应为非负数", error="此格填金额：0 或正数，可有小数。"),
}
INSTRUCTIONS = [
    "填写说明",
    "1. 只填浅黄色格子；灰色格子是公式或上年数据，已锁定（工作表保护无密码）。",
    "2. 表格数字为非负整数（件、条）；行政事业性收费以万元计、信息处理费以元计，可有小数。",
    "3. 总计、分组小计和（七）总计由公式自动计算；“校验”列随填随查规则 R1–R8，绿色为通过，红色须修改。",
    "4. 正文一格一段，可在段落之间插入行；不要改动工作表名称。",
]


def deadline(bureau: Bureau, year: int) -> dt.date:
    """条例第四十九条: departments publish by 1月31日, 县级以上地方人民政府 by 3月31日."""
    government = bureau.name.endswith("人民政府")
    return dt.date(year + 1, 3 if government else 1, 31)


def _estimate_height(text: str, width_chars: float) -> float:
    """Row height (points) for wrapped CJK text in a cell ``width_chars`` wide."""
    per_line = max(1.0, width_chars / 2.0 - 1)
    lines = sum(max(1, math.ceil(len(part) / per_line)) for part in str(text).split("\n"))
    return min(409.0, max(18.0, 15.0 * lines + 4))


def _width(ws, cells: str) -> float:
    """Width in characters of a cell or a merged range ('A1' or 'A1:C1')."""
    from openpyxl.utils.cell import range_boundaries
    lo, _, hi, _ = range_boundaries(cells if ":" in cells else f"{cells}:{cells}")
    from openpyxl.utils import get_column_letter
    return sum(ws.column_dimensions[get_column_letter(c)].width or 8.43 for c in range(lo, hi + 1))


def _merge(ws, rng: str) -> None:
    """Merge a range, every cell styled like its top-left one (so the borders show).

    openpyxl's own ``merge_cells`` builds a border object per edge cell, which made the
    merges most of the time of a template; named styles are one lookup each.
    """
    merged = MergedCellRange(ws, rng)
    style = ws.cell(merged.min_row, merged.min_col).style
    for row in ws.iter_rows(min_row=merged.min_row, max_row=merged.max_row,
                            min_col=merged.min_col, max_col=merged.max_col):
        for cell in row:
            cell.style = style
    ws.merged_cells.add(merged)


def _text(cell, value: str) -> None:
    """Text stays text: a value beginning with '=' is never a formula (bureau text is data)."""
    cell.value = value
    cell.data_type = "s"


class SheetWriter:
    """Puts one :class:`layout.Sheet` on a worksheet with values from ``values``."""

    def __init__(self, wb: Workbook, sheet: L.Sheet):
        self.ws = wb.create_sheet(sheet.name)
        self.sheet = sheet
        self.validations: dict[str, DataValidation] = {}

    def write(self, values: dict[str, Any], carried: dict[str, Any]) -> None:
        ws, sheet = self.ws, self.sheet
        for col, width in sheet.widths.items():
            ws.column_dimensions[col].width = width
        merged_at = {m.split(":")[0]: m for m in sheet.merges}
        for where, text, style in sheet.labels:
            cell = ws[where]
            _text(cell, text)
            if style == "title":
                cell.style = "rk-title"
                ws.row_dimensions[cell.row].height = 26
            elif style == "hidden":
                ws.column_dimensions[cell.column_letter].hidden = True
            else:
                cell.style = f"rk-{style}"
                height = _estimate_height(text, _width(ws, merged_at.get(where, where)))
                if where in merged_at:   # a label spanning rows shares the height among them
                    rows = int(merged_at[where].split(":")[1].lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")) - cell.row + 1
                    height = height / rows
                ws.row_dimensions[cell.row].height = max(ws.row_dimensions[cell.row].height or 0, height)
        for rng in sheet.merges:
            _merge(ws, rng)
        for f in sheet.fields:
            self._field(f, values, carried)
        for d in sheet.derived:
            cell = ws[d.coord]
            cell.value = d.formula
            cell.style = "rk-formula"
        for c in sheet.checks:
            cell = ws[c.coord]
            cell.value = c.formula
            cell.style = "rk-check"
            for mark, (bg, fg) in CHECK_COLOURS.items():
                ws.conditional_formatting.add(c.coord, FormulaRule(
                    formula=[f'LEFT({c.coord},1)="{mark}"'], fill=PatternFill("solid", bgColor=bg),
                    font=Font(color=fg)))
        for dv in self.validations.values():
            ws.add_data_validation(dv)
        ws.protection.sheet = True
        ws.protection.formatColumns = ws.protection.formatRows = False   # False = allowed
        _print_setup(ws, landscape=sheet.landscape, one_page=True)

    def _field(self, f: L.Field, values: dict[str, Any], carried: dict[str, Any]) -> None:
        cell = self.ws[f.coord]
        locked = f.key in carried
        value = carried[f.key] if locked else values.get(f.key)
        if f.kind == "text":
            if value is not None:
                _text(cell, str(value))
        else:
            cell.value = value
        cell.style = "rk-locked" if locked or f.key.startswith("previous.") else f"rk-{f.kind}"
        if not locked and f.kind in VALIDATION:
            dv = self.validations.get(f.kind)
            if dv is None:
                dv = self.validations[f.kind] = DataValidation(allow_blank=True, showErrorMessage=True,
                                                               **VALIDATION[f.kind])
            dv.add(f.coord)


def _print_setup(ws, landscape: bool = False, one_page: bool = False) -> None:
    """A4, as wide as the page; a table sheet on one page (表三 and 表四 landscape)."""
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 1 if one_page else 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4


def _cover(wb: Workbook, bureau: Bureau, year: int, data: Optional[BureauYear]) -> None:
    ws = wb.active
    ws.title = L.COVER
    ws.column_dimensions["A"].width, ws.column_dimensions["B"].width = 16, 64
    _text(ws["A1"], report_title(bureau.name, year) + " · 数据填报表")
    ws["A1"].style = "rk-title"
    _merge(ws, "A1:B1")
    ws.row_dimensions[1].height = 28
    due = deadline(bureau, year)
    rows = {"name": ("机关名称", bureau.name), "id": ("机关代码", bureau.id), "year": ("报告年度", year),
            "deadline": ("报送截止", f"{date_cn(due)}前（条例第四十九条："
                         f"{'县级以上地方人民政府3月31日' if due.month == 3 else '政府部门1月31日'}前公布年度报告）"),
            "contact": ("联系方式", "；".join(bureau.contact)), "person": ("填报人", None),
            "phone": ("填报人电话", None), "published": ("发布日期", data.published if data else None)}
    for key, r in L.COVER_ROWS.items():
        label, value = rows[key]
        _text(ws.cell(r, 1), label)
        cell = ws.cell(r, 2)
        if isinstance(value, str):
            _text(cell, value)
        else:
            cell.value = value
        ws.cell(r, 1).style = "rk-cover-label"
        cell.style = "rk-cover-input" if key in ("person", "phone", "published") else "rk-cover-value"
        ws.row_dimensions[r].height = _estimate_height(str(value or ""), 64)
    ws.cell(L.COVER_ROWS["year"], 2).number_format = '0"年"'
    ws.cell(L.COVER_ROWS["published"], 2).number_format = "yyyy-mm-dd"
    dv = DataValidation(type="date", operator="between", allow_blank=True, showErrorMessage=True,
                        formula1=f"DATE({year},1,1)", formula2=f"DATE({year + 1},12,31)",
                        errorTitle="应为日期", error=f"发布日期填写形如 {year + 1}-01-15 的日期。")
    dv.add(ws.cell(L.COVER_ROWS["published"], 2).coordinate)
    ws.add_data_validation(dv)
    for i, line in enumerate(INSTRUCTIONS):
        cell = ws.cell(L.COVER_ROWS["published"] + 2 + i, 1)
        _text(cell, line)
        cell.style = "rk-h2" if i == 0 else "rk-note"
        _merge(ws, f"A{cell.row}:B{cell.row}")
    marker = {"tag": L.MARKER, "id": bureau.id, "year": year, "name": bureau.name,
              "government": bureau.government, "level": bureau.level}
    for key, where in L.MARKER_CELLS.items():
        if isinstance(marker[key], str):
            _text(ws[where], marker[key])
        else:
            ws[where].value = marker[key]
    ws.column_dimensions["H"].hidden = True
    ws.protection.sheet = True
    _print_setup(ws, one_page=True)
    wb.defined_names[L.MARKER_NAME] = DefinedName(L.MARKER_NAME, attr_text=f"'{L.COVER}'!$H$1:$H$6")


def _narrative(wb: Workbook, data: Optional[BureauYear]) -> None:
    ws = wb.create_sheet(L.NARRATIVE)
    paragraphs = {k: data.narrative.paragraphs(k) for k in type(data.narrative).model_fields} if data else {}
    ws.column_dimensions["A"].width, ws.column_dimensions["B"].width = 8, 100
    ws.column_dimensions["C"].hidden = True
    _text(ws["A1"], "正文（一格一段；可在段落之间插入行）")
    ws["A1"].style = "rk-title"
    _merge(ws, "A1:B1")
    headings = {key: text for key, text, _ in L.narrative_headings() if key}
    five = next(text for key, text, _ in L.narrative_headings() if key is None)
    r = 3
    for kind, key, n in L.narrative_rows({k: len(v) for k, v in paragraphs.items()}):
        if kind == "heading":
            _text(ws.cell(r, 1), headings.get(key, five))
            ws.cell(r, 1).style = f"rk-h{n}"
            _merge(ws, f"A{r}:B{r}")
            ws.row_dimensions[r].height = 22
            _text(ws.cell(r, 3), f"h:{key or ''}")
        else:
            ws.cell(r, 1).value = n
            ws.cell(r, 1).style = "rk-para-no"
            cell = ws.cell(r, 2)
            items = paragraphs.get(key, [])
            if n <= len(items):
                _text(cell, items[n - 1])
                ws.row_dimensions[r].height = _estimate_height(items[n - 1], 100)
            cell.style = "rk-para"
            _text(ws.cell(r, 3), f"p:{key}")
        r += 1
    ws.protection.sheet = True
    ws.protection.insertRows = ws.protection.deleteRows = False     # False = allowed
    ws.protection.formatRows = False
    _print_setup(ws)


def build(bureau: Bureau, year: int, data: Optional[BureauYear] = None,
          previous: Optional[BureauYear] = None) -> Workbook:
    """The workbook for one bureau and year, prefilled from ``data`` and last year's ``previous``."""
    wb = Workbook()
    for style in _styles().values():
        wb.add_named_style(style)
    _cover(wb, bureau, year, data)
    values = figures_of(data) if data else {}
    carried = carry_over_of(previous)
    n_categories = len(data.disclosed.categories) if data else 0
    for sheet in (L.proactive_sheet(), L.applications_sheet(), L.review_sheet(), L.extra_sheet(n_categories)):
        SheetWriter(wb, sheet).write(values, carried)
    _narrative(wb, data)
    stamp = dt.datetime(year, 12, 1)
    wb.properties = DocumentProperties(creator="reportkit", title=report_title(bureau.name, year),
                                       created=stamp, modified=stamp)
    return wb


def to_bytes(wb: Workbook) -> bytes:
    """The .xlsx bytes, the same for the same workbook: fixed zip dates and document times."""
    raw = io.BytesIO()
    wb.save(raw)
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":   # openpyxl stamps "modified" with the clock
                props = DocumentProperties.from_tree(fromstring(data))
                props.modified = wb.properties.created
                data = tostring(props.to_tree())
            dst.writestr(zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0)), data,
                         compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _load_or_none(path: Path) -> Optional[BureauYear]:
    return load_year(path) if path.is_file() else None


def write_templates(params_dir: Path, year: int, out_dir: Path, bureaus: Optional[Iterable[str]] = None,
                    force: bool = False) -> list[tuple[Path, str]]:
    """One ``<out_dir>/<year>-<id>.xlsx`` per bureau; returns (file, status) with status
    ``prefilled``, ``blank``, ``unchanged`` or ``kept``: a different file already there (perhaps
    one a bureau filled in) is kept unless ``force``."""
    registry = load_registry(Path(params_dir))
    wanted = list(bureaus) if bureaus else list(registry)
    unknown = [b for b in wanted if b not in registry]
    if unknown:
        from ..errors import Finding, InvalidInput
        raise InvalidInput([Finding(str(Path(params_dir) / "bureaus.yaml"), b, "missing", "名录中没有该机关",
                                    found=b) for b in unknown])
    written = []
    for bid in wanted:
        data = _load_or_none(year_path(params_dir, year, bid))
        previous = _load_or_none(year_path(params_dir, year - 1, bid))
        target = Path(out_dir) / f"{year}-{bid}.xlsx"
        content = to_bytes(build(registry[bid], year, data, previous))
        if target.is_file() and target.read_bytes() == content:
            written.append((target, "unchanged"))
        elif target.exists() and not force:
            written.append((target, "kept"))
        else:
            atomic.write_bytes(target, content)
            written.append((target, "prefilled" if data is not None else "blank"))
    return written
