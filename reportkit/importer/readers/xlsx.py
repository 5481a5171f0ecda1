"""Published Excel tables (openpyxl): each sheet's used range as a grid, merged ranges as spans.

A bureau's filled reportkit *template* workbook is another thing, read by ``reportkit.workbook``
when that package is installed (see :data:`reportkit.importer.readers.OPTIONAL`).
"""
from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from ...errors import ImportFailed
from ..grid import Claims, PCell, read_table
from ..labels import tidy
from .plain import title_of
from . import Document, Reader, office_member_check, zip_names

MAX_CELLS = 200_000


def cell_text(value) -> str:
    """A cell value as it prints: integral floats without ".0", no float noise."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else format(Decimal(repr(value)), "f")
    if isinstance(value, (dt.datetime, dt.date)):
        return f"{value.year}年{value.month}月{value.day}日"
    return str(value)


def sheet_rows(ws) -> list[list[PCell]]:
    """A worksheet as rows of printed cells with the spans of its merged ranges."""
    spans, covered = {}, set()
    for rng in ws.merged_cells.ranges:
        spans[(rng.min_row, rng.min_col)] = (rng.max_row - rng.min_row + 1, rng.max_col - rng.min_col + 1)
        covered |= {(r, c) for r in range(rng.min_row, rng.max_row + 1) for c in range(rng.min_col, rng.max_col + 1)}
    rows = []
    for r, values in enumerate(ws.iter_rows(values_only=True), 1):
        row = []
        for c, value in enumerate(values, 1):
            if (r, c) in covered and (r, c) not in spans:
                continue
            rs, cs = spans.get((r, c), (1, 1))
            row.append(PCell(cell_text(value), rs, cs))
        rows.append(row)
    return rows


class XlsxReader(Reader):
    kind, label = "xlsx", "Excel 表格"

    def sniff(self, data: bytes) -> bool:
        return data.startswith(b"PK\x03\x04") and "xl/workbook.xml" in zip_names(data)

    def read(self, data: bytes, source: str, claims: Claims) -> Document:
        import openpyxl

        office_member_check(data, source)
        try:
            wb = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
        except Exception as exc:          # openpyxl raises many types on a damaged file
            raise ImportFailed(f"Excel 文件已损坏，无法读取：{type(exc).__name__}", file=source) from None
        lines: list[str] = []
        for ws in wb.worksheets:
            if ws.max_row * ws.max_column > MAX_CELLS:
                raise ImportFailed(f"工作表“{ws.title}”有 {ws.max_row} 行 × {ws.max_column} 列，过大，未读",
                                   file=source, expected=f"≤ {MAX_CELLS} 格")
            rows = sheet_rows(ws)
            read_table(rows, claims)
            for row in rows:
                texts = [tidy(c.text) for c in row if tidy(c.text)]
                if len(texts) == 1:           # a title or a paragraph written into one cell
                    lines.append(texts[0])
        return Document(self.kind, "Excel", title_of(lines), lines, flat=False)
