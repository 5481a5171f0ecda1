"""PDFs with a text layer (pdfplumber, MIT): the ruled cell grid of each table, spans included.

Cells are found from the table's ruling lines, so a blank cell is a cell with no text (read
as blank), a merged cell spans the columns and rows its box covers, a label wrapped over
lines is one cell, and a table that goes on over the next page (same columns, no header) is
joined to the part before it. A PDF with no text layer is a scan and goes to OCR.
"""
from __future__ import annotations

import io
import logging
from bisect import bisect_left
from typing import Optional

from ...errors import ImportFailed
from ..grid import Claims, PCell, read_table
from ..labels import norm, tidy
from ..text import INFO_FIELD, parse_title
from . import Document, Reader

LINE = "\u2028"
MAX_PAGES = 200
_EDGE = 2.0              # points: column edges closer than this are the same edge
Y_TOLERANCE = 6         # points: Latin digits in a CJK line sit a few points lower


def _starts(values: list[float]) -> list[float]:
    out: list[float] = []
    for v in sorted(values):
        if not out or v - out[-1] > _EDGE:
            out.append(v)
    return out


def _count(edges: list[float], lo: float, hi: float) -> int:
    """How many grid lines start inside [lo, hi): a cell's span."""
    return max(1, bisect_left(edges, hi - _EDGE) - bisect_left(edges, lo - _EDGE))


def _index(edges: list[float], v: float) -> int:
    return bisect_left(edges, v - _EDGE)


def table_rows(table) -> tuple[list[list[PCell]], list[float]]:
    """A pdfplumber table as rows of printed cells with their spans, and its column edges.

    Each cell is placed by its box against the table's column and row edges, not by its order in
    the row: where a cell was not drawn (a merged cell cut at a page break or at the page margin)
    its place stays empty, so the cells right of it keep their columns. A cell overlapping one
    already placed cannot be told apart from it and is left out (its figures stay unread).
    """
    cells = table.cells
    xs, ys = _starts([c[0] for c in cells]), _starts([c[1] for c in cells])
    texts = {}
    for row, row_texts in zip(table.rows, table.extract(y_tolerance=Y_TOLERANCE)):
        for box, text in zip(row.cells, row_texts):
            if box is not None:
                texts[tuple(box)] = text or ""
    rows: list[list[PCell]] = [[] for _ in ys]
    taken: set[tuple[int, int]] = set()
    for box in sorted(cells, key=lambda c: (c[1], c[0])):
        r, c = _index(ys, box[1]), _index(xs, box[0])
        rs, cs = _count(ys, box[1], box[3]), _count(xs, box[0], box[2])
        slots = {(r + i, c + j) for i in range(rs) for j in range(cs)}
        if slots & taken:
            continue
        taken |= slots
        rows[r].append(PCell(texts.get(tuple(box), "").replace("\n", LINE), rs, cs, col=c))
    return rows, xs


def _same_columns(a: list[float], b: list[float]) -> bool:
    return len(a) == len(b) and all(abs(x - y) <= 3 for x, y in zip(a, b))


class PdfReader(Reader):
    kind, label = "pdf", "PDF（文字层）"

    def sniff(self, data: bytes) -> bool:
        return b"%PDF-" in data[:1024]

    def read(self, data: bytes, source: str, claims: Claims) -> Document:
        import pdfplumber

        logging.getLogger("pdfminer").setLevel(logging.ERROR)
        try:
            pdf = pdfplumber.open(io.BytesIO(data))
            pages = pdf.pages
        except Exception as exc:          # pdfminer raises many types on a damaged file
            raise ImportFailed(f"PDF 文件已损坏或加密，无法读取：{type(exc).__name__}", file=source) from None
        if len(pages) > MAX_PAGES:
            raise ImportFailed(f"PDF 有 {len(pages)} 页，超过 {MAX_PAGES} 页，不是一份年报", file=source)
        with pdf:
            if not any(page.chars for page in pages):
                from .images import ocr_pdf
                return ocr_pdf(data, source, claims)
            tables: list[tuple[list[list[PCell]], list[float]]] = []
            lines: list[str] = []
            continues = False
            for page in pages:
                found = page.find_tables()
                cut = _cut_borders(page, found)
                if cut:
                    found = page.find_tables({"explicit_vertical_lines": cut})
                for i, table in enumerate(found):
                    rows, xs = table_rows(table)
                    top_of_page = table.bbox[1] < 0.2 * page.height
                    if i == 0 and continues and top_of_page and tables and _same_columns(tables[-1][1], xs):
                        tables[-1][0].extend(rows)
                    else:
                        tables.append((rows, xs))
                continues = bool(found) and found[-1].bbox[3] > 0.8 * page.height
                boxes = [t.bbox for t in found]
                rest = page.filter(lambda obj: not any(_inside(obj, b) for b in boxes))
                lines += (rest.extract_text(y_tolerance=Y_TOLERANCE) or "").splitlines()
        for rows, _ in tables:
            read_table(rows, claims)
        lines = [tidy(line) for line in lines if tidy(line)]
        return Document(self.kind, "文字层", _title(lines[:40]), lines, flat=True)


def _title(lines: list[str]) -> Optional[str]:
    """The first line that is the report's title, without an info block's field name before it."""
    for line in lines:
        line = INFO_FIELD.sub("", line)
        if len(norm(line)) <= 120 and parse_title(line):
            return line
    return None


def _cut_borders(page, tables) -> list[dict]:
    """Right borders a printer left out where a table reaches the page margin.

    A table a little wider than the printable area keeps its last column's rules but loses the
    column's right border, so that column has no cells. When the rules running past a table's
    last border all end at one x, the column is closed there: the rules reach that x, so nothing
    left of it was cut off and the column's text is whole. Only rules of the table's rows (three or
    more) with text between them count: a page-wide line at the table's top is no column.
    """
    out = []
    for table in tables:
        x0, top, x1, bottom = table.bbox
        rules = [e for e in page.edges if e["orientation"] == "h" and top - 1 <= e["top"] <= bottom + 1
                 and e["x0"] <= x1 + 1 and e["x1"] > x1 + _EDGE]
        ends = [e["x1"] for e in rules]
        if len(rules) < 3 or max(ends) - min(ends) > _EDGE:
            continue
        if not any(x1 < (c["x0"] + c["x1"]) / 2 < min(ends) and top <= c["top"] <= bottom for c in page.chars):
            continue
        tops = [e["top"] for e in rules]
        out.append({"object_type": "line", "x0": min(ends), "x1": min(ends), "top": min(tops),
                    "bottom": max(tops), "width": 0, "height": max(tops) - min(tops)})
    return out


def _inside(obj: dict, box) -> bool:
    if "x0" not in obj:
        return False
    cx, cy = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
    return box[0] <= cx <= box[2] and box[1] <= cy <= box[3]
