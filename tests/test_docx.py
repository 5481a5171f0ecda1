"""Word output: official layout (GB/T 9704), tables equal to the format with real merged cells,
fonts for East Asian text, outside page numbers, reproducible bytes, and LibreOffice opens it."""
from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
import zipfile

import docx
import pytest
from docx.oxml.ns import qn
from docx.shared import Mm
from reportpage import sample

from reportkit import tables
from reportkit.render.docx import html_to_docx


@pytest.fixture(scope="module")
def built():
    report, html = sample()
    data = html_to_docx(html)
    return report, html, data, docx.Document(io.BytesIO(data))


def spans_of(tbl) -> list[list[tuple[str, int, int]]]:
    """Read a Word table back from its XML: (text, rowspan, colspan) of each cell that starts
    there; ``w:vMerge`` continuations extend the rowspan of the cell above."""
    rows, starts = [], {}
    for r, tr in enumerate(tbl.iter(qn("w:tr"))):
        row, col = [], 0
        for tc in tr.iter(qn("w:tc")):
            pr = tc.tcPr
            span = pr.find(qn("w:gridSpan")) if pr is not None else None
            vmerge = pr.find(qn("w:vMerge")) if pr is not None else None
            colspan = int(span.get(qn("w:val"))) if span is not None else 1
            if vmerge is not None and vmerge.get(qn("w:val")) != "restart":
                starts[col][1] += 1          # continues the cell above
            else:
                text = "".join(t.text or "" for t in tc.iter(qn("w:t")))
                cell = [text, 1, colspan]
                row.append(cell)
                starts[col] = cell
            col += colspan
        rows.append(row)
    return [[tuple(c) for c in row] for row in rows]


def expected(grid) -> list[list[tuple[str, int, int]]]:
    return [[(c.text, c.rowspan, c.colspan) for c in row] for row in grid]


def test_the_three_tables_equal_the_format_merged_cells_included(built):
    report, _, _, doc = built
    found = [spans_of(t._tbl) for t in doc.tables]
    assert len(found) == 3
    data = report.ctx.data
    assert found[0] == expected(tables.proactive_grid(data))
    assert found[1] == expected(tables.applications_grid(data))
    assert found[2] == expected(tables.review_grid(data))
    # the layout the format prescribes, spelled out: corner 3×3, 三、本年度办理结果 over 22 rows
    assert found[1][0][0][1:] == (3, 3) and found[1][0][1] == ("申请人情况", 1, 7)
    assert ("三、本年度办理结果", 22, 1) in found[1][5]


def test_table_rows_never_split_and_table_three_repeats_its_header(built):
    doc = built[3]
    for table in doc.tables:
        for tr in table._tbl.tr_lst:
            assert tr.trPr is not None and tr.trPr.find(qn("w:cantSplit")) is not None
    heads = [tr.trPr.find(qn("w:tblHeader")) is not None for tr in doc.tables[1]._tbl.tr_lst]
    assert heads[:3] == [True] * 3 and not any(heads[3:])


def test_page_setup_is_a4_with_the_official_margins(built):
    sec = built[3].sections[0]
    for value, mm in ((sec.page_width, 210), (sec.page_height, 297), (sec.top_margin, 37),
                      (sec.bottom_margin, 35), (sec.left_margin, 28), (sec.right_margin, 26)):
        assert abs(value - Mm(mm)) < Mm(0.1)


def east_asian(style) -> str:
    return style.element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia"))


def test_fonts_for_east_asian_text(built):
    report, _, data, doc = built
    styles = doc.styles
    assert (east_asian(styles["Title"]), styles["Title"].font.size.pt) == ("方正小标宋简体", 22)
    assert (east_asian(styles["Normal"]), styles["Normal"].font.size.pt) == ("仿宋_GB2312", 16)
    assert east_asian(styles["Heading 1"]) == "黑体" and east_asian(styles["Heading 2"]) == "楷体_GB2312"
    by_text = {p.text: p.style.name for p in doc.paragraphs}
    assert by_text["一、总体情况"] == "Heading 1" and by_text["（一）主动公开"] == "Heading 2"
    assert doc.paragraphs[0].style.name == "Title"
    assert doc.paragraphs[0].text.replace("\n", "") == report.title
    # no theme fonts left to override the names (Word prefers w:eastAsiaTheme when present)
    styles_xml = zipfile.ZipFile(io.BytesIO(data)).read("word/styles.xml").decode()
    defaults = styles_xml.split("<w:docDefaults>")[1].split("</w:docDefaults>")[0]
    assert "Theme" not in defaults and 'w:eastAsia="仿宋_GB2312"' in defaults and 'w:eastAsia="zh-CN"' in defaults
    # the font table names a Windows substitute for each official font
    fonts = zipfile.ZipFile(io.BytesIO(data)).read("word/fontTable.xml").decode()
    for name, alt in (("仿宋_GB2312", "仿宋"), ("楷体_GB2312", "楷体"), ("方正小标宋简体", "华文中宋")):
        assert f'w:name="{name}"><w:altName w:val="{alt}"/>' in fonts


def footer_text(footer) -> tuple[str, object]:
    par = footer.paragraphs[0]
    instr = "".join(t.text for t in par._p.iter(qn("w:instrText")))
    return "".join(t.text for t in par._p.iter(qn("w:t"))), par.alignment, instr.strip()


def test_page_numbers_at_the_outside_bottom(built):
    doc = built[3]
    assert doc.settings.odd_and_even_pages_header_footer
    sec = doc.sections[0]
    odd, even = footer_text(sec.footer), footer_text(sec.even_page_footer)
    assert odd[0] == even[0] == "— 1 —" and odd[2] == even[2] == "PAGE"
    assert (str(odd[1]), str(even[1])) == ("RIGHT (2)", "LEFT (0)")


def test_charts_are_pictures_with_their_alt_text(built):
    doc = built[3]
    pics = doc.inline_shapes
    assert len(pics) == 2
    descr = [p._inline.docPr.get("descr") for p in pics]
    assert descr[0].startswith("予以公开") and "2022年" in descr[1]


def test_same_html_same_bytes_dated_by_the_publication(built):
    report, html, data, doc = built
    assert html_to_docx(html) == data
    published = report.ctx.data.published
    stamp = dt.datetime.combine(published, dt.time(), dt.timezone.utc)
    assert doc.core_properties.created == doc.core_properties.modified == stamp
    assert doc.core_properties.title == report.title
    assert {i.date_time for i in zipfile.ZipFile(io.BytesIO(data)).infolist()} == \
        {(published.year, published.month, published.day, 0, 0, 0)}


def test_libreoffice_opens_it(built, tmp_path):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        pytest.skip("!!! LibreOffice (soffice) is not installed: `make office-deps` installs "
                    "libreoffice-writer-nogui; the DOCX was NOT opened by LibreOffice")
    from pypdf import PdfReader

    report, _, data, _ = built
    (tmp_path / "r.docx").write_bytes(data)
    done = subprocess.run([soffice, f"-env:UserInstallation={(tmp_path / 'lo').as_uri()}", "--headless",
                           "--convert-to", "pdf", "--outdir", str(tmp_path), str(tmp_path / "r.docx")],
                          capture_output=True, timeout=180)
    assert done.returncode == 0, done.stderr
    pdf = PdfReader(tmp_path / "r.pdf")
    assert len(pdf.pages) > 0
    texts = ["".join(p.extract_text().split()) for p in pdf.pages]
    assert "".join(report.title.split()) in texts[0]
    for n, text in enumerate(texts, 1):
        assert f"—{n}—" in text   # the PAGE field, on every page
    assert abs(float(pdf.pages[0].mediabox.width) - 595.3) < 1   # A4
