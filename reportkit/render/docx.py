"""Word (.docx) from the finished report HTML, in the style of official documents.

Headings, paragraphs, the three official tables with real merged cells (``w:gridSpan`` and
``w:vMerge``, exactly the rowspan/colspan of the HTML, which ``reportkit.tables`` lays out
from the format file), charts as pictures, the signature. Rows never split across pages
and table 三's three header rows repeat on every page. The bytes depend only on the HTML.
"""
from __future__ import annotations

import datetime as dt
import io
import re
from typing import Optional, Union

from docx import Document as new_document
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.table import _Cell
from docx.text.paragraph import Paragraph

from . import docxstyle as st
from .htmldoc import Figure, Heading, Para, Table, read

TEXT_WIDTH_MM = 210 - 28 - 26
# column widths (mm) of the official tables, by the table's class in the HTML
WIDTHS = {
    "t-applications": [10, 18, 42] + [86 / 7] * 7,
    "t-proactive": [47] + [109 / 3] * 3,
}
KEEP_TOGETHER_ROWS = 15   # short tables (二, 四) move whole; table 三 may run on, its header repeats
_YEAR_IN_TITLE = re.compile(r"(?<=[^\d])(?=\d{4}年)")


def html_to_docx(html: Union[bytes, str], meta: Optional[dict] = None) -> bytes:
    """The .docx bytes of one report page; ``meta`` may override title, author, published."""
    page = read(html)
    meta = dict(meta or {})
    title = meta.get("title") or page.title
    published = meta.get("published") or page.published or dt.date(2000, 1, 1)
    signature = [b.text for b in page.blocks if isinstance(b, Para) and b.kind == "signature"]
    author = meta.get("author") or (signature[0] if signature else "")

    doc = new_document()
    st.apply_styles(doc)
    st.page_setup(doc)
    body = doc.element.body
    for p in list(body.iterchildren(qn("w:p"))):   # the template's empty first paragraph
        body.remove(p)
    first_signature, last = True, None
    for block in page.blocks:
        if isinstance(block, Heading):
            if block.level == 1:
                _title(doc, block.text)
            else:
                doc.add_paragraph(block.text, style="Heading 1" if block.level == 2 else "Heading 2")
        elif isinstance(block, Para):
            par = doc.add_paragraph(block.text)
            if block.kind == "signature":
                if first_signature and last is not None:
                    # never a page with only the signature on it (GB/T 9704 7.3.5.4)
                    last.paragraph_format.keep_with_next = True
                _signature(par, first_signature)
                first_signature = False
            last = par
        elif isinstance(block, Table):
            if last is not None:   # the sentence that introduces a table stays with it
                last.paragraph_format.keep_with_next = True
            _table(doc, block)
            last = None
        elif isinstance(block, Figure):
            _figure(doc, block)
            last = None
    st.core_properties(doc, title, author, published)
    st.drop_thumbnail(doc)
    out = io.BytesIO()
    doc.save(out)
    return st.fixed_zip(out.getvalue(), published)


def _title(doc, text: str) -> None:
    """The title in 小标宋 2号; a long one breaks before its year (the issuer on line one)."""
    par = doc.add_paragraph(style="Title")
    parts = _YEAR_IN_TITLE.split(text, maxsplit=1) if len(text) > 20 else [text]
    for i, part in enumerate(parts):
        run = par.add_run(part)
        if i < len(parts) - 1:
            run.add_break(WD_BREAK.LINE)


def _signature(par, first: bool) -> None:
    """Issuer and date at the right, four characters in (GB/T 9704 7.3.5)."""
    par.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    pf = par.paragraph_format
    pf.first_line_indent, pf.right_indent = Pt(0), Pt(4 * st.BODY_PT)
    if first:
        pf.space_before = st.LINE * 2


def _figure(doc, fig: Figure) -> None:
    par = doc.add_paragraph()
    par.alignment = WD_ALIGN_PARAGRAPH.CENTER
    pf = par.paragraph_format
    pf.first_line_indent, pf.keep_with_next = Pt(0), True
    pf.line_spacing_rule = WD_LINE_SPACING.SINGLE
    run = par.add_run()
    run.add_picture(io.BytesIO(fig.png), width=Mm(min(140, TEXT_WIDTH_MM)))
    # alt text for screen readers, as the HTML's alt attribute
    doc_pr = run._r.find(".//" + qn("wp:docPr"))
    if doc_pr is not None and fig.alt:
        doc_pr.set("descr", fig.alt)
    if fig.caption:
        doc.add_paragraph(fig.caption, style="Caption").paragraph_format.first_line_indent = Pt(0)


def _table_font_size(table: Table) -> float:
    return 12 if table.width <= 4 else (10.5 if table.width < 10 else 9)


def _widths(table: Table) -> list[float]:
    """The official tables' own widths; other tables (the roll-up's listings) by the longest
    text of each column, clamped so that no column is starved or hogs the page."""
    for cls, widths in WIDTHS.items():
        if cls in table.classes and len(widths) == table.width:
            return widths
    weight = [2.0] * table.width
    for _, c, cell in _layout(table):
        if cell.colspan == 1 and c < table.width:
            weight[c] = max(weight[c], min(14.0, float(len(cell.text))))
    return [TEXT_WIDTH_MM * w / sum(weight) for w in weight]


def _layout(table: Table) -> list[tuple[int, int, object]]:
    """(row, column, cell) of each HTML cell in the grid, as a browser places them."""
    taken: set[tuple[int, int]] = set()
    placed = []
    for r, row in enumerate(table.rows):
        c = 0
        for cell in row:
            while (r, c) in taken:
                c += 1
            placed.append((r, c, cell))
            taken.update((r + dr, c + dc) for dr in range(cell.rowspan) for dc in range(cell.colspan))
            c += cell.colspan
    return placed


def _table(doc, table: Table) -> None:
    if not table.rows:
        return
    n_rows = max(r + cell.rowspan for r, _, cell in _layout(table))
    out = doc.add_table(rows=n_rows, cols=table.width)
    out.style = doc.styles["Table Grid"]
    out.alignment = WD_TABLE_ALIGNMENT.CENTER
    out.autofit = False
    widths = [Mm(w) for w in _widths(table)]
    for col, width in zip(out.columns, widths):
        col.width = width
    # python-docx's table.cell() re-reads the whole table each call: take the grid once
    grid = [[_Cell(tc, out) for tc in tr.tc_lst] for tr in out._tbl.tr_lst]
    for row in grid:
        for cell, width in zip(row, widths):
            cell.width = width
    size = _table_font_size(table)
    for r, c, cell in _layout(table):
        target = grid[r][c]
        if cell.rowspan > 1 or cell.colspan > 1:
            target = target.merge(grid[r + cell.rowspan - 1][c + cell.colspan - 1])
        _cell(target, cell, size)
    keep_together = n_rows <= KEEP_TOGETHER_ROWS
    for i, row in enumerate(out.rows):
        tr_pr = row._tr.get_or_add_trPr()
        tr_pr.append(OxmlElement("w:cantSplit"))
        if i < table.head_rows:
            tr_pr.append(OxmlElement("w:tblHeader"))
        if keep_together and i < n_rows - 1:   # a short table moves to the next page whole
            for par in row._tr.iter(qn("w:p")):
                Paragraph(par, row).paragraph_format.keep_with_next = True
    doc.add_paragraph().paragraph_format.line_spacing = Pt(8)   # air after the table


def _cell(target, cell, size: float) -> None:
    target.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    par = target.paragraphs[0]
    pf = par.paragraph_format
    pf.first_line_indent, pf.space_before, pf.space_after = Pt(0), Pt(1), Pt(1)
    pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    pf.line_spacing = Pt(size * 1.35)
    label = cell.header and "label" in cell.classes and "vertical" not in cell.classes
    par.alignment = WD_ALIGN_PARAGRAPH.LEFT if label else WD_ALIGN_PARAGRAPH.CENTER
    run = par.add_run(cell.text)
    run.font.size = Pt(size)
    if cell.header and not label:
        st.set_fonts(run._r, st.HEI)
