"""What an import produces: each cell's status, the import report, the text, the result."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Optional, Union


FORMS = {"html": "网页", "pdf": "PDF（文字层）", "docx": "Word 文档", "xlsx": "Excel 表格", "markdown": "Markdown 表格",
         "spaced": "按空格对齐的文本", "text": "文本", "ocr": "扫描件（OCR）"}


@dataclass
class CellRead:
    """One figure cell: its status and, for messages, the official labels."""

    key: str
    row: str
    column: str
    status: str                         # read | blank | unread
    value: Union[int, Decimal, None] = None
    raw: Optional[str] = None
    reason: Optional[str] = None

    def where(self) -> str:
        return f"{self.row} × {self.column}"


def _grouped(cells: list[CellRead], by) -> dict[tuple[str, str], list[CellRead]]:
    """Cells of the same row with the same text or reason, for a short listing."""
    out: dict[tuple[str, str], list[CellRead]] = {}
    for c in cells:
        out.setdefault((c.row, by(c) or ""), []).append(c)
    return out


@dataclass
class ImportReport:
    """What an import found: the format, and every cell that was blank or could not be read."""

    source: str
    kind: str                           # html | text
    encoding: str
    format: str = "2021"
    deviations: list[str] = field(default_factory=list)
    cells: dict[str, CellRead] = field(default_factory=dict)     # the 200 official cells
    extra: dict[str, CellRead] = field(default_factory=dict)     # subtotal rows a site printed
    unmapped: list[CellRead] = field(default_factory=list)       # 2019 cells without a 2021 place
    missing_text: list[str] = field(default_factory=list)        # text figures not found
    notes: list[str] = field(default_factory=list)

    @property
    def read(self) -> list[CellRead]:
        return [c for c in self.cells.values() if c.status == "read"]

    @property
    def blank(self) -> list[CellRead]:
        return [c for c in self.cells.values() if c.status == "blank"]

    @property
    def unread(self) -> list[CellRead]:
        return [c for c in self.cells.values() if c.status == "unread"]

    @property
    def complete(self) -> bool:
        return not self.unread and not self.missing_text

    def lines(self) -> list[str]:
        """The report as printed by ``reportkit import``."""
        out = [f"格式：{self.format} 年格式" + (f"（{'；'.join(self.deviations)}）" if self.deviations else "")
               + f"；{FORMS.get(self.kind, self.kind)}，"
               + (f"编码 {self.encoding}" if self.kind in ("html", "markdown", "spaced", "text") else self.encoding),
               f"表格数字 {len(self.cells)} 个：读出 {len(self.read)} 个，空白按 0 计 {len(self.blank)} 个，"
               f"未能读出 {len(self.unread)} 个"
               + (f"；2019 年格式中无法对应的 {len(self.unmapped)} 个" if self.unmapped else "")]
        for (row, _), cells in _grouped(self.blank, lambda c: "").items():
            kinds = "".join(dict.fromkeys(f"“{c.raw}”" if c.raw else "（空）" for c in cells))
            out.append(f"  空白 {row} × {'、'.join(c.column for c in cells)}：{kinds}按 0 计")
        for (row, reason), cells in _grouped(self.unread, lambda c: c.reason).items():
            out.append(f"  未读出 {row} × {'、'.join(c.column for c in cells)}：{reason}")
        for c in self.unmapped:
            out.append(f"  无法对应 {c.where()}：{c.raw or '（空）'}")
        for text in self.missing_text:
            out.append(f"  未读出 {text}")
        out += [f"  说明 {n}" for n in self.notes]
        return out


@dataclass
class ReportText:
    """The report's text outside the tables: title, preamble, sections 一…六, signature."""

    title: Optional[str]
    lines: list[str]
    sections: dict[str, list[str]] = field(default_factory=dict)
    preamble: list[str] = field(default_factory=list)
    signature: list[str] = field(default_factory=list)
    facts: set = field(default_factory=set)          # generated sentences (our own reports)

    def section_text(self, n: str) -> str:
        return "\n".join(self.sections.get(n, []))


@dataclass
class Imported:
    """One published report read back: params data, registry entry and the import report."""

    source: str
    issuer: str
    year: int
    bureau_id: str
    bureau: dict
    params: dict
    values: dict[str, Union[int, Decimal, None]]
    report: ImportReport
    text: ReportText
    title_year: Optional[int] = None
    bureau_given: bool = False         # filed under an id the user gave (--bureau)

