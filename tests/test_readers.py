"""One reader per published form: the same report as PDF, Word, Excel, markdown, spaced text and a
scan reads to the same figures (``fixtures/forms``, made by ``make_forms.py`` from
``fixtures/published/clean-2022.html`` with some zero cells printed blank); sniffing by content."""
from __future__ import annotations

import io
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from reportkit import importer
from reportkit.errors import ImportFailed
from reportkit.importer.grid import Claims, PCell, read_table
from reportkit.importer.readers import reader_for
from reportkit.importer.readers.docx import table_rows as docx_rows
from reportkit.importer.readers.engines import engine as get_ocr_engine

HERE = Path(__file__).parent / "fixtures"
FORMS = HERE / "forms"
TRUTH = yaml.safe_load((HERE / "published" / "expected.yaml").read_text(encoding="utf-8"))["clean-2022.html"]


def score(imp, keys=None) -> tuple[int, int, int, list]:
    """(exact, blank, unread, wrong) against the true figures."""
    exact = blank = unread = 0
    wrong = []
    for key, value in TRUTH["cells"].items():
        if keys and not key.startswith(keys):
            continue
        cell = imp.report.cells[key]
        if cell.status == "unread":
            unread += 1
        elif Decimal(str(value)) == Decimal(str(cell.value)):
            exact += 1
            blank += cell.status == "blank"
        else:
            wrong.append((key, value, cell.value, cell.raw))
    return exact, blank, unread, wrong


@pytest.mark.parametrize("name, kind, least_exact", [
    ("report.pdf", "pdf", 200), ("report.docx", "docx", 200), ("report.xlsx", "xlsx", 200),
    ("report.md", "markdown", 200), ("report-layout.txt", "spaced", 130),
])
def test_every_form_reads_the_same_report(name, kind, least_exact, tmp_path):
    # sniffed by content: the file name says nothing
    disguised = tmp_path / "download.bin"
    shutil.copy(FORMS / name, disguised)
    imp = importer.read_report(disguised)
    exact, blank, unread, wrong = score(imp)
    assert imp.report.kind == kind and (imp.issuer, imp.year) == ("某县示例局", 2022)
    assert not wrong, wrong[:5]                       # never a wrong figure
    assert exact >= least_exact and exact + unread == 200
    assert blank >= 50 if exact == 200 else blank > 0  # the cells printed empty or "—" are read as blank
    assert str(imp.params["published"]) == TRUTH["published"]
    assert imp.params["disclosed"]["total"] == TRUTH["disclosed_total"]


def test_word_merged_cells_come_from_grid_span_and_vmerge():
    import docx

    body = docx.Document(str(FORMS / "report.docx")).element.body
    tables = body.findall(".//{http://schemas.openxmlformats.org/wordprocessingml/2006/main}tbl")
    spans = [(c.rowspan, c.colspan) for t in tables for row in docx_rows(t) for c in row]
    assert any(r > 1 for r, _ in spans) and any(c > 1 for _, c in spans)


def test_a_pdf_table_continued_on_the_next_page_is_one_table():
    import pdfplumber

    with pdfplumber.open(FORMS / "report.pdf") as pdf:
        pages_with_table_3 = [p.page_number for p in pdf.pages if "本机关不掌握" in (p.extract_text() or "")
                              or "结转下年度继续办理" in (p.extract_text() or "")]
    assert len(set(pages_with_table_3)) >= 2          # the fixture does split table 三 over pages
    imp = importer.read_report(FORMS / "report.pdf")
    assert all(imp.report.cells[k].status != "unread" for k in imp.report.cells if k.startswith("applications."))


REAL = HERE / "real"


def test_a_browser_printed_pdf_places_cells_by_their_columns_and_finds_the_title():
    """Real pages printed by headless Chromium (committed, form pdf-printed): 沭阳's table 三 goes on over a
    page with its merged cells drawn again as empty remnants, so page 2's rows start one cell short or long;
    each cell is placed by its x, not by order. Its info block ("名称 <title>") is not part of the issuer."""
    from reportkit.importer.readers.pdf import table_rows
    import pdfplumber

    with pdfplumber.open(REAL / "jiangsu-shuyang-fgj-2023.printed.pdf") as pdf:
        rows, xs = table_rows(pdf.pages[2].find_tables()[0])
    first = rows[0]                                  # (empty remnant) | 3.补正后申请内容仍不明确 | 0 … 0
    assert [c.col for c in first][:3] == [1, 2, 3] and first[1].text.startswith("3.补正后")
    assert len(xs) == 10 and first[-1].col == 9
    imp = importer.read_report(REAL / "jiangsu-shuyang-fgj-2023.printed.pdf")
    assert (imp.issuer, imp.year) == ("沭阳县发展和改革局", 2023)
    cells = imp.report.cells
    assert (cells["applications.total.natural_person"].value, cells["applications.total.total"].value) == (26, 26)
    assert cells["applications.total.other"].status == "blank"
    # 上海's table 三 is a little wider than the printable width: its 总计 column lost its right border and is
    # closed where its rules end; its figures are read (printed 859 / 805 / 72), the column beside keeps its own
    cells = importer.read_report(REAL / "shanghai-gov-office-2019.printed.pdf").report.cells
    assert [cells[f"applications.{r}.total"].value for r in ("new", "total", "carried_forward")] == [859, 805, 72]
    assert cells["applications.new.other"].value == 1


def test_a_row_placed_by_geometry_with_a_missing_cell_is_not_read_by_position():
    """Without column headers a row is read by position only when it has the format's number of figures; when
    the reader placed the cells by geometry and a column of the row has no cell, which figure is missing
    cannot be told: nothing is taken, even if a cell past the last column makes the count right."""
    def row(cols):
        return [[PCell("（一）予以公开", col=0)] + [PCell(str(c), col=c) for c in cols]]

    whole, holed = Claims(), Claims()
    read_table(row(range(1, 8)), whole)
    read_table(row([1, 2, 3, 5, 6, 7, 8]), holed)    # column 4 not drawn, a cell past the table's end
    assert whole.by_key["applications.disclosed.total"][0].text == "7"
    assert not any(k.startswith("applications.disclosed.") for k in holed.by_key)


def test_markdown_merged_header_written_once_is_not_read_as_the_2019_columns():
    md = FORMS / "report.md"
    imp = importer.read_report(md)
    assert imp.values["proactive.licensing.count"] == 37 and imp.report.format == "2021"


def test_a_markdown_header_row_with_merged_cells_left_empty_is_no_data_row():
    """OCR/LLM tools often write a merged cell once and leave the cells it covers empty. Table 三's second
    header row then ends in 其他 (also the name of the row 3.其他) and an empty cell under 总计: it is a header
    row, not the row 3.其他 with a blank total — in the header band and when repeated after a page break."""
    header = ["", "", "", "", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", ""]
    band = [["", "", "", "自然人", "法人或其他组织", "", "", "", "", "总计"], header]
    repeated = band + [["", "（七）总计", ""] + [str(n) for n in range(7)], header]
    for rows in (band, repeated):
        claims = Claims()
        read_table([[PCell(c) for c in row] for row in rows], claims)
        assert not any(k.startswith("applications.other_handling.") for k in claims.by_key), claims.by_key
    # the row itself, numbered, with its total printed empty, is still read as blank
    claims = Claims()
    read_table([[PCell(c) for c in row] for row in band + [["", "", "3.其他", "1", "", "", "", "", "", ""]]], claims)
    assert [c.text for c in claims.by_key["applications.other_handling.other_reason.total"]] == [""]


def test_markdown_of_a_report_printing_other_handling_as_one_row_gives_no_figure_for_its_items(tmp_path):
    """report.md (merged cells left empty) with （六）其他处理 printed as one row, the 2019 way, as 洪泽 2023
    does: its three items are not printed, so none may be read — not even as blank from the header row."""
    lines, out = (FORMS / "report.md").read_text(encoding="utf-8").splitlines(), []
    for line in lines:
        if "（六）其他处理" in line:
            out.append("|  | （六）其他处理 |  | 0 | 0 | 0 | 0 | 0 | 0 | 0 |")
        elif not (out and "（六）其他处理" in out[-1] and line.startswith("|  |  |")):   # its item rows go
            out.append(line)
    assert len(out) == len(lines) - 2
    md = tmp_path / "one-row.md"
    md.write_text("\n".join(out) + "\n", encoding="utf-8")
    imp = importer.read_report(md)
    items = [k for k in TRUTH["cells"] if k.startswith("applications.other_handling.")]
    assert len(items) == 21 and all(imp.report.cells[k].status == "unread" for k in items)
    exact, blank, unread, wrong = score(imp)
    assert not wrong and (exact, unread) == (179, 21)
    assert imp.report.extra["applications.other_handling.subtotal.total"].value == 0


def test_spaced_text_places_figures_by_column_or_not_at_all():
    text = ("某县示例局2022年政府信息公开工作年度报告\n三、收到和处理政府信息公开申请情况\n"
            "一、本年新收政府信息公开申请数量    57   16    3    7    7    0   90\n"
            "二、上年结转政府信息公开申请数量     1         0         0        1\n"
            "（一）予以公开                       8 0 1\n"
            "（二）部分公开（区分处理的，\n"
            "                                     2    1         0    0    0    3\n"
            "只计这一情形，不计其他情形）\n")
    claims = Claims()
    reader = reader_for(text.encode() * 2, "x.txt")
    assert reader.kind == "spaced"
    reader.read(text.encode(), "x.txt", claims)
    got = {k: [c.text for c in v] for k, v in claims.by_key.items()}
    assert got["applications.carried_over.natural_person"] == ["1"]
    assert got["applications.carried_over.commercial"] == [""]          # a run of spaces: blank
    assert got["applications.carried_over.research"] == ["0"]
    assert got["applications.carried_over.total"] == ["1"]
    assert not any(k.startswith("applications.disclosed.") for k in got)  # 3 figures for 7 columns
    # a label wrapped around its figures' line
    assert [got[f"applications.partly_disclosed.{c}"] for c in ("natural_person", "research", "total")] == \
        [["2"], [""], ["3"]]


def test_scan_is_read_by_ocr_with_confidence_and_no_invented_figure():
    try:
        engine = get_ocr_engine("test")
    except ImportFailed:
        pytest.skip("!!! no OCR engine installed (pip install '.[ocr]'): OCR NOT TESTED")
    imp = importer.read_report(FORMS / "report-scan.png", year=2022, bureau="x",
                               registry={"x": {"name": "某县示例局"}})
    exact, blank, unread, wrong = score(imp, "applications.")
    assert imp.report.kind == "ocr"
    assert any(engine.version() in note for note in imp.report.notes), imp.report.notes
    assert not wrong, wrong[:5]
    assert exact >= 60 and blank > 0
    reasons = {c.reason for c in imp.report.unread}
    assert any("置信度" in r or "OCR" in r for r in reasons)


def test_low_ocr_confidence_makes_a_figure_unread():
    claims = Claims()
    rows = [[PCell("信息内容"), PCell("本年处理决定数量")],
            [PCell("行政许可"), PCell("37", reason="OCR 读作“37”，置信度 41%，低于 80%，未读")]]
    read_table(rows, claims)
    from reportkit.importer.grid import resolve
    official, _, _ = resolve(claims)
    cell = official["proactive.licensing.count"]
    assert cell.status == "unread" and cell.value is None and "置信度 41%" in cell.reason


@pytest.mark.parametrize("data, message", [
    (b"%PDF-1.4\n%garbage", "PDF 文件已损坏"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "图片无法读取"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "旧版 Office"),
])
def test_unsupported_or_broken_files_get_a_chinese_located_error(tmp_path, data, message):
    path = tmp_path / "report.html"
    path.write_bytes(data)
    with pytest.raises(ImportFailed, match=message) as info:
        importer.read_report(path)
    assert str(path) in str(info.value)


def test_a_zip_that_is_not_office_is_refused(tmp_path):
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("a.txt", "x")
    with pytest.raises(ImportFailed, match="压缩包"):
        importer.read_bytes(buf.getvalue(), "a.zip")
