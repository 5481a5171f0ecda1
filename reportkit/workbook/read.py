"""Read a filled reportkit workbook back into the params layout, every problem located by cell.

Inputs are read where :mod:`.layout` put them; a derived cell is never trusted: its value is
recomputed from the inputs, and a formula the bureau replaced by a number that disagrees is an
error. Extra sheets are ignored. Types are taken as Excel and LibreOffice store them (a
LibreOffice re-save turns integers into floats: 5.0 reads as 5).
"""
from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, IO, Any, Callable, Optional, Union

from openpyxl import load_workbook
from openpyxl.xml.functions import fromstring
from pydantic import ValidationError

from ..errors import Finding, ImportFailed
from .. import rules
from ..spec import load_spec
from .. import model
from . import layout as L
from .cells import date_of, number, shown
from .values import params_of

if TYPE_CHECKING:
    from ..model import BureauYear

MAX_BYTES = 5 << 20                # a filled template is ~25 KB; anything huge is not one
MAX_UNPACKED = 50 << 20            # …and its XML unpacked (a zip bomb is refused before parsing)
MAX_ROWS = 2000                    # rows read per sheet (正文 grows by inserted paragraphs)
MAX_TEXT, MAX_CATEGORY = 20000, 40  # the params model's limits, checked here to locate them
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
RULE = "workbook"


@dataclass(frozen=True)
class CellProblem:
    """One problem at one cell: ``表三!D12：应为非负整数，实为"六"``."""

    sheet: str
    cell: str
    message: str
    severity: str = "error"          # or "warning" (read, but worth a look)
    label: str = ""                  # row × column of the official table

    def __str__(self) -> str:
        where = f"{self.sheet}!{self.cell}" if self.cell else self.sheet
        return f"{where}：{self.message}" + (f"（{self.label}）" if self.label else "")

    def finding(self, file: str) -> Finding:
        return Finding(file, f"{self.sheet}!{self.cell}" if self.cell else self.sheet, RULE,
                       self.message + (f"（{self.label}）" if self.label else ""), severity=self.severity)


@dataclass
class WorkbookRead:
    """What a workbook held: its identity, the params mapping (None if unusable) and problems.

    Unpacks as ``data, problems = read_workbook(path)``.
    """

    path: Path
    bureau_id: Optional[str] = None
    year: Optional[int] = None
    name: Optional[str] = None
    government: Optional[str] = None
    level: Optional[str] = None
    data: Optional[dict] = None
    problems: list[CellProblem] = field(default_factory=list)

    @property
    def errors(self) -> list[CellProblem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def ok(self) -> bool:
        return self.data is not None and not self.errors

    def __iter__(self):
        return iter((self.data if self.ok else None, self.problems))


def is_reportkit_workbook(path: Union[str, Path]) -> bool:
    """True for an .xlsx whose cover carries the reportkit marker (cheap: one sheet read)."""
    path = Path(path)
    if not path.is_file() or path.stat().st_size > MAX_BYTES or not zipfile.is_zipfile(path):
        return False
    if has_marker_name(path):
        return True
    if _unpacked(path) > MAX_UNPACKED:
        return False
    try:
        wb = load_workbook(path, read_only=True, data_only=False)
    except Exception:  # noqa: BLE001 — any unreadable zip is simply not ours
        return False
    try:
        return L.COVER in wb.sheetnames and wb[L.COVER][L.MARKER_CELLS["tag"]].value == L.MARKER
    finally:
        wb.close()


def _unpacked(path: Path) -> int:
    """Bytes the zip unpacks to (0 if it is no zip): a bomb is refused before any parsing."""
    try:
        with zipfile.ZipFile(path) as z:
            return sum(i.file_size for i in z.infolist())
    except (zipfile.BadZipFile, OSError):
        return 0


def has_marker_name(source: Union[Path, IO[bytes]]) -> bool:
    """The defined name on the workbook (Excel and LibreOffice keep it): no sheet is parsed."""
    try:
        with zipfile.ZipFile(source) as z:
            info = z.getinfo("xl/workbook.xml")
            if info.file_size > 1 << 20:
                return False
            root = fromstring(z.read(info))
    except (KeyError, zipfile.BadZipFile, OSError, ValueError, SyntaxError):
        return False
    return any(el.get("name") == L.MARKER_NAME for el in root.iter() if el.tag.endswith("definedName"))


class _Sheet:
    """A worksheet's values by coordinate, read in one pass (openpyxl's read-only mode)."""

    def __init__(self, ws):
        ws.reset_dimensions()          # a saved dimension may be wrong: read every row there is
        self.cells: dict[str, Any] = {}
        self.max_row = 0
        for row in ws.iter_rows(max_row=MAX_ROWS):
            for cell in row:
                if getattr(cell, "value", None) is not None:
                    self.cells[cell.coordinate] = cell.value
                    self.max_row = max(self.max_row, cell.row)

    def __getitem__(self, where: str) -> Any:
        return self.cells.get(where)

    def cell(self, row: int, col: int) -> Any:
        return self.cells.get(L.coord(row, col))


class _Reader:
    def __init__(self, wb, out: WorkbookRead):
        self.out = out
        self.sheets = {name: _Sheet(wb[name]) for name in L.SHEETS if name in wb.sheetnames}
        self.values: dict[str, Any] = {}

    def problem(self, sheet, cell, message, severity="error", label="") -> None:
        self.out.problems.append(CellProblem(sheet, cell, message, severity, label))

    def sheet(self, plan: L.Sheet, extra_rows: bool = False) -> None:
        ws = self.sheets[plan.name]
        for f in plan.fields:
            if f.key.startswith("previous."):
                continue
            value = ws[f.coord]
            if f.kind == "text":
                self.values[f.key] = None if value is None or not str(value).strip() else str(value).strip()
                continue
            if value is None or (isinstance(value, str) and not value.strip()):
                if extra_rows and f.key.startswith("disclosed.categories"):
                    self.values[f.key] = None
                    continue
                self.problem(plan.name, f.coord, "空白，按 0 计", "warning", f.label)
                self.values[f.key] = 0
                continue
            figure, error, was_text = number(value, f.kind)
            if error:
                self.problem(plan.name, f.coord, error, label=f.label)
            elif was_text:
                self.problem(plan.name, f.coord, f"数字存成了文字，按 {figure} 读入", "warning", f.label)
            self.values[f.key] = figure
        for d in plan.derived:
            self.derived(ws, plan.name, d)

    def derived(self, ws, sheet: str, d: L.Derived) -> None:
        """A formula cell: recomputed; a number typed over it must agree with the inputs."""
        value = ws[d.coord]
        if isinstance(value, str) and value.startswith("="):
            return                               # a formula: its cached result is never read
        terms = [self.values.get(t) for t in d.terms]
        computed = sum(terms) if all(isinstance(t, int) for t in terms) else None
        if value is None:
            self.problem(sheet, d.coord, "公式被删除，已按各格重新计算", "warning", d.label)
            return
        figure, error, _ = number(value, "int")
        if error or computed is None:
            self.problem(sheet, d.coord, f"此格应为公式 {d.formula}，实为{shown(value)}", label=d.label)
        elif figure != computed:
            self.problem(sheet, d.coord, f"公式 {d.formula} 被改成了数字 {figure}，按各格计算应为 {computed}",
                         label=d.label)
        else:
            self.problem(sheet, d.coord, f"公式 {d.formula} 被改成了数字（与计算值 {computed} 相同），已按各格重新计算",
                         "warning", d.label)

    def categories(self, plan: L.Sheet) -> None:
        """Rows tagged in the hidden column: a name and a count each; blank rows skipped."""
        ws = self.sheets[plan.name]
        i = 0
        for r in range(L.CATEGORY_TOP, ws.max_row + 1):
            if ws.cell(r, 4) != L.CATEGORY_TAG:
                continue
            name, count = ws.cell(r, 1), ws.cell(r, 2)
            name = str(name).strip() if name is not None and str(name).strip() else None
            if name is None and count in (None, "", 0):
                continue
            if name is None:
                self.problem(plan.name, f"A{r}", f"有条数 {shown(count)} 却没有分类名称")
                continue
            if len(name) > MAX_CATEGORY:
                self.problem(plan.name, f"A{r}", f"分类名称过长（{len(name)} 字，应不超过 {MAX_CATEGORY} 字）")
            figure, error, _ = number(count if count is not None else 0, "int")
            if error:
                self.problem(plan.name, f"B{r}", error, label=f"分类“{name}”条数")
            self.values[f"disclosed.categories[{i}].name"] = name
            self.values[f"disclosed.categories[{i}].count"] = figure
            i += 1

    def narrative(self) -> dict[str, list[str]]:
        """Paragraphs by key: tagged rows, and rows the bureau inserted below a tagged one."""
        ws = self.sheets[L.NARRATIVE]
        out: dict[str, list[str]] = {key: [] for key, _, _ in L.narrative_headings() if key}
        current = None
        for r in range(3, ws.max_row + 1):
            tag = ws.cell(r, 3)
            if isinstance(tag, str) and tag[:2] in ("h:", "p:"):
                current = tag[2:] or None
                if tag.startswith("h:"):
                    continue
            text = ws.cell(r, 2)
            if text is None or not str(text).strip():
                continue
            if current not in out:
                self.problem(L.NARRATIVE, f"B{r}", "这段文字不在任何标题之下，未读入", "warning")
                continue
            text = str(text).strip()
            if len(text) > MAX_TEXT:
                self.problem(L.NARRATIVE, f"B{r}", f"段落过长（{len(text)} 字，应不超过 {MAX_TEXT} 字）")
            if _CONTROL.search(text):
                self.problem(L.NARRATIVE, f"B{r}", "段落中有控制字符")
            out[current].append(text)
        return out


def _identity(out: WorkbookRead, bureau: Optional[str], year: Optional[int], r: _Reader) -> bool:
    cover = r.sheets[L.COVER]
    m = {k: cover[c] for k, c in L.MARKER_CELLS.items()}
    try:
        marked_year = int(m["year"])
    except (TypeError, ValueError):
        r.problem(L.COVER, L.MARKER_CELLS["year"], f"封面标记中的年度不可读，实为{shown(m['year'])}")
        return False
    out.bureau_id, out.year = str(m["id"]), marked_year
    out.name, out.government, out.level = m["name"], m["government"], m["level"]
    on_cover = {key: cover.cell(L.COVER_ROWS[key], 2) for key in ("id", "year", "name")}
    named = {"id": bureau, "year": year, "name": bureau}
    ok = True
    for key, marked in (("id", out.bureau_id), ("name", out.name), ("year", marked_year)):
        seen = on_cover[key]
        seen = int(seen) if key == "year" and isinstance(seen, (int, float)) else seen
        if seen != marked and named[key] is None:
            where = f"B{L.COVER_ROWS[key]}"
            flag = "--year" if key == "year" else "--bureau"
            r.problem(L.COVER, where, f"封面被改为{shown(seen)}，本表是{shown(marked)}的填报表；"
                                      f"确要导入请用 {flag} 指明")
            ok = False
    if bureau and bureau != out.bureau_id:
        r.problem(L.COVER, f"B{L.COVER_ROWS['id']}", f"本表是 {out.bureau_id} 的填报表，按 --bureau 导入为 {bureau}",
                  "warning")
        out.bureau_id = bureau
    if year and year != marked_year:
        r.problem(L.COVER, f"B{L.COVER_ROWS['year']}", f"本表是 {marked_year} 年的填报表，按 --year 导入为 {year} 年",
                  "warning")
        out.year = year
    return ok


def read_workbook(path: Union[str, Path], *, bureau: Optional[str] = None, year: Optional[int] = None,
                  history: Optional[Callable[[str, int], Optional[BureauYear]]] = None) -> WorkbookRead:
    """Read one filled workbook. ``bureau``/``year`` name the bureau and year to file it under
    when they differ from the workbook's own (otherwise such a workbook is refused);
    ``history(bureau_id, year)`` gives last year's data, if any, for R9/R10."""
    path = Path(path)
    out = WorkbookRead(path)
    if path.is_file() and path.stat().st_size > MAX_BYTES:
        raise ImportFailed(f"文件过大（{path.stat().st_size} 字节），不是 reportkit 填报表", file=str(path))
    unpacked = _unpacked(path)
    if unpacked > MAX_UNPACKED:
        raise ImportFailed(f"解压后过大（{unpacked} 字节），不是 reportkit 填报表", file=str(path))
    try:
        wb = load_workbook(path, read_only=True, data_only=False)
    except Exception as exc:  # noqa: BLE001 — zip, XML or openpyxl errors: not a readable workbook
        raise ImportFailed(f"不是可读的 Excel 工作簿（{type(exc).__name__}）", file=str(path)) from None
    try:
        r = _Reader(wb, out)
        names = wb.sheetnames
    finally:
        wb.close()
    if L.COVER not in names or r.sheets[L.COVER][L.MARKER_CELLS["tag"]] != L.MARKER:
        raise ImportFailed("不是 reportkit 填报表（封面没有 reportkit 标记）", file=str(path))
    identity_ok = _identity(out, bureau, year, r)
    missing = [name for name in L.SHEETS if name not in names]
    for name in missing:
        r.problem(name, "", f"缺少工作表“{name}”（工作表名称不能改动）")
    if missing or not identity_ok:
        return out
    for plan in (L.proactive_sheet(), L.applications_sheet(), L.review_sheet()):
        r.sheet(plan)
    extra = L.extra_sheet(0)
    extra.fields = [f for f in extra.fields if not f.key.startswith("disclosed.categories")]
    r.sheet(extra)
    r.categories(extra)
    where = f"B{L.COVER_ROWS['published']}"
    raw = r.sheets[L.COVER][where]
    published = date_of(raw)
    if published is None:
        r.problem(L.COVER, where, "应为发布日期（如 2023-01-15）" + ("，未填写" if raw is None else f"，实为{shown(raw)}"))
    narrative = r.narrative()
    if out.errors:
        return out
    data = params_of(r.values, published, narrative)
    try:
        model.BureauYear.model_validate(data)
    except ValidationError as exc:
        for e in exc.errors():
            r.problem("数据", "", f"不符合数据格式：{'.'.join(map(str, e['loc']))}（{e['msg']}）")
        return out
    out.data = data
    check_rules(out, history(out.bureau_id, out.year - 1) if history else None)
    return out


def _cells_by_key() -> dict[str, tuple[str, str, str]]:
    """Figure key → (sheet, coordinate, label) over the fixed sheets."""
    out = {}
    for plan in (L.proactive_sheet(), L.applications_sheet(), L.review_sheet(), L.extra_sheet(0)):
        for item in (*plan.fields, *plan.derived):
            out[item.key] = (plan.name, item.coord, item.label)
    out["disclosed.categories"] = out["disclosed.total"]
    out["published"] = (L.COVER, f"B{L.COVER_ROWS['published']}", "发布日期")
    out.update({f"narrative.{key}": (L.NARRATIVE, "", heading) for key, heading, _ in L.narrative_headings() if key})
    return out


def _rule_cell(field_path: str, cells: dict) -> tuple[str, str, str]:
    """A rule finding's params path (``applications.carried_forward[3]``) as a workbook cell."""
    m = re.fullmatch(r"(.+?)\[(\d+)\]", field_path)
    if m:
        prefix, i = m.group(1), int(m.group(2))
        table = prefix.split(".")[0]
        cols = {"applications": load_spec().app_columns, "review_litigation": load_spec().review_columns}.get(table, ())
        field_path = f"{prefix}.{cols[i].key}" if i < len(cols) else prefix
    for key in (field_path, f"{field_path}.count", f"{field_path}.amount"):   # proactive.licensing
        if key in cells:
            return cells[key]
    return ("数据", "", field_path)


def check_rules(read: WorkbookRead, previous: Optional[BureauYear] = None) -> None:
    """R1–R8 (and R9/R10 against last year's ``previous``) on what was read, located by cell.

    In the workbook the formulas keep R1–R6 and R8; R7 (一+二 = （七）+四) and R9 depend on
    what the bureau typed. A broken rule is an error: the workbook goes back to the bureau.
    """
    if read.data is None:
        return
    data = model.BureauYear.model_validate(read.data)
    cells = _cells_by_key()
    for f in rules.check_year(data, str(read.path), previous=previous):
        sheet, where, label = _rule_cell(f.field, cells)
        found = f"（应为 {f.expected}，实为 {f.found}）" if f.expected is not None else ""
        read.problems.append(CellProblem(sheet, where, f"[{f.rule.split('-')[0]}] {f.message}{found}",
                                         f.severity, label))
    if read.errors:
        read.data = None


def check_registry(read: WorkbookRead, registry: dict, named: bool) -> None:
    """A workbook of a bureau the registry does not know (or knows by another name) is refused
    unless ``--bureau`` named the bureau to file it under."""
    entry = registry.get(read.bureau_id)
    name = entry.get("name") if isinstance(entry, dict) else None
    if named or name == read.name:
        return
    found = f"名录中 {read.bureau_id} 是“{name}”" if name else f"名录中没有 {read.bureau_id}"
    read.problems.append(CellProblem(L.COVER, f"B{L.COVER_ROWS['name']}",
                                     f"本表是“{read.name}”的填报表，{found}；确要导入请用 --bureau 指明"))
