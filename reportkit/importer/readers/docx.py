"""Word .docx (python-docx): tables with merged cells from gridSpan and vMerge, text in order."""
from __future__ import annotations

import io

from ...errors import ImportFailed
from ..grid import Claims, PCell, read_table
from ..labels import tidy
from .plain import title_of
from . import Document, Reader, office_member_check, zip_names

LINE = "\u2028"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _int(el, name: str, default: int = 1) -> int:
    try:
        return max(1, min(int(el.get(W + "val", default)), 64))
    except (TypeError, ValueError):
        return default


def _text(el) -> str:
    """Text of a paragraph or cell: runs joined, paragraphs and breaks as line marks."""
    parts = []
    for node in el.iter(W + "t", W + "tab", W + "br", W + "p"):
        if node.tag == W + "t":
            parts.append(node.text or "")
        elif node.tag == W + "tab":
            parts.append(" ")
        elif parts:
            parts.append(LINE)
    return "".join(parts).strip(LINE)


def table_rows(tbl) -> list[list[PCell]]:
    """One Word table as rows of printed cells; a vMerge continuation widens the cell above."""
    rows: list[list[PCell]] = []
    open_cells: dict[int, PCell] = {}         # grid column → the cell a vertical merge continues
    for tr in tbl.iterchildren(W + "tr"):
        row: list[PCell] = []
        col = 0
        before = tr.find(f"{W}trPr/{W}gridBefore")
        if before is not None:
            span = _int(before, "gridBefore")
            row.append(PCell("", 1, span))
            col += span
        for tc in tr.iterchildren(W + "tc"):
            pr = tc.find(W + "tcPr")
            grid_span = pr.find(W + "gridSpan") if pr is not None else None
            span = _int(grid_span, "gridSpan") if grid_span is not None else 1
            vmerge = pr.find(W + "vMerge") if pr is not None else None
            if vmerge is not None and vmerge.get(W + "val", "continue") == "continue" and col in open_cells:
                open_cells[col].rowspan += 1
            else:
                cell = PCell(_text(tc).replace("\n", LINE), 1, span)
                row.append(cell)
                if vmerge is not None:
                    open_cells[col] = cell
                else:
                    open_cells.pop(col, None)
            col += span
        rows.append(row)
    return rows


def _blocks(body):
    """Paragraphs and tables of the body in order, looking through content controls."""
    for el in body.iterchildren():
        if el.tag in (W + "p", W + "tbl"):
            yield el
        elif el.tag == W + "sdt":
            content = el.find(W + "sdtContent")
            if content is not None:
                yield from _blocks(content)


class DocxReader(Reader):
    kind, label = "docx", "Word 文档"

    def sniff(self, data: bytes) -> bool:
        return data.startswith(b"PK\x03\x04") and "word/document.xml" in zip_names(data)

    def read(self, data: bytes, source: str, claims: Claims) -> Document:
        import docx

        office_member_check(data, source)
        try:
            body = docx.Document(io.BytesIO(data)).element.body
        except Exception as exc:          # python-docx/lxml raise many types on a damaged file
            raise ImportFailed(f"Word 文件已损坏，无法读取：{type(exc).__name__}", file=source) from None
        lines: list[str] = []
        for el in _blocks(body):
            if el.tag == W + "tbl":
                rows = table_rows(el)
                if read_table(rows, claims) == 0:       # not one of the format's tables: its text
                    lines += [tidy(" ".join(c.text.replace(LINE, " ") for c in row)) for row in rows]
            else:
                lines += [tidy(x) for x in _text(el).split(LINE)]
        lines = [line for line in lines if line]
        return Document(self.kind, "Word", title_of(lines), lines, flat=True)
