"""PDF output through real headless Chromium: A4, page numbers, an embedded CJK subset font,
no table row split across pages, table 三's header on every page it runs onto, the title in
the metadata, tagged, byte-identical rebuilds; a missing Chromium is a Chinese error."""
from __future__ import annotations

import re
import shutil

import pytest
from pypdf import PdfReader
from reportpage import sample

from reportkit import tables
from reportkit.errors import RenderFailed
from reportkit.render import pdf as pdfmod
from reportkit.render.pdf import html_to_pdf

pytestmark = pytest.mark.skipif(
    not any(shutil.which(n) for n in pdfmod.CHROMIUM_NAMES),
    reason="!!! Chromium is not installed (make browser-deps): the PDF tests did NOT run")

# padding before section 一 moves every page break, so table 三 breaks at other rows
PADDINGS = (0, 9)


def padded(html: bytes, lines: int) -> bytes:
    """With ``lines`` of padding and, for the stress case, table 三's labels squeezed into
    narrow columns so every row is several lines tall (a page break can only fall inside)."""
    if not lines:
        return html
    filler = "".join("<p>　</p>" for _ in range(lines))
    squeeze = ("<style>.t-applications th.label, .t-applications th.leaf { min-width: 0; width: 2.5em; }"
               ".t-applications { width: 60%; }</style></head>")
    return html.replace(b"</head>", squeeze.encode(), 1).replace(
        b"<section class=\"section overview\">", filler.encode() + b"<section class=\"section overview\">", 1)


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory):
    report, html = sample()
    out = {}
    for lines in PADDINGS:
        path = tmp_path_factory.mktemp("pdf") / "shengzhou-wglj.html"
        path.write_bytes(padded(html, lines))
        out[lines] = (path, html_to_pdf(path))
    return report, out


def page_texts(data: bytes) -> list[str]:
    import io

    return ["".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(data)).pages]


def test_a4_title_tagged_and_numbered(pdfs):
    import io

    report, out = pdfs
    reader = PdfReader(io.BytesIO(out[0][1]))
    assert len(reader.pages) >= 3
    for page in reader.pages:
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)
    assert reader.metadata.title == report.title
    root = reader.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"]) and "/StructTreeRoot" in root
    for n, text in enumerate(page_texts(out[0][1]), 1):
        assert f"—{n}—" in text


def test_fonts_are_embedded_subsets(pdfs):
    import io

    reader = PdfReader(io.BytesIO(pdfs[1][0][1]))
    seen = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            assert font["/Subtype"] != "/Type3", "a glyph drawn as a Type 3 picture, not a font"
            descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            descriptor = descendant["/FontDescriptor"].get_object()
            assert "/FontFile2" in descriptor or "/FontFile3" in descriptor
            assert re.fullmatch(r"/[A-Z]{6}\+.+", font["/BaseFont"])
            seen.add(font["/BaseFont"])
    assert seen


@pytest.mark.parametrize("lines", PADDINGS)
def test_no_table_row_split_and_table_three_repeats_its_header(pdfs, lines):
    report, out = pdfs
    texts = page_texts(out[lines][1])
    grid = tables.applications_grid(report.ctx.data)
    labels = [c.text for row in grid[3:] for c in row if c.header and len(c.text) > 6]
    pages_of_table = set()
    for label in labels:
        label = "".join(label.split())
        # Chromium paints a cell's lines together: a row split across pages leaves half
        # of its label on each page, whole on none
        holders = [i for i, t in enumerate(texts) if label in t]
        assert len(holders) >= 1, f"row {label} split across pages"
        pages_of_table.add(holders[0])
    assert len(pages_of_table) >= 2 or lines == 0   # the padded one does run onto a second page
    for i in pages_of_table:
        assert "申请人情况" in texts[i] and "法律服务机构" in texts[i]


def test_same_html_same_bytes(pdfs):
    report, out = pdfs
    path, data = out[0]
    assert html_to_pdf(path) == data
    stamp = report.ctx.data.published.strftime("D:%Y%m%d000000").encode()
    assert data.count(b"/CreationDate (" + stamp) == 1 and data.count(b"/ModDate (" + stamp) == 1


def test_missing_chromium_is_a_located_chinese_error(tmp_path, monkeypatch, runner):
    monkeypatch.setenv("REPORTKIT_CHROMIUM", str(tmp_path / "no-chromium"))
    page = tmp_path / "r.html"
    page.write_bytes(sample()[1])
    with pytest.raises(RenderFailed) as err:
        html_to_pdf(page)
    assert "Chromium" in str(err.value) and "安装" in str(err.value)
    from conftest import invoke

    result = invoke(runner, "build", "2022", "--format", "pdf", output=tmp_path / "out")
    assert result.exit_code == 1
    assert "需要 Chromium" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "out" / "2022").exists()   # nothing was built
