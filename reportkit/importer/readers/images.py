"""Scans — images and PDFs without a text layer — through OCR (the ``[ocr]`` extra; see
:mod:`.engines`: RapidOCR or tesseract, nothing is downloaded at run time).

A scanned table is read like a PDF's: its ruling lines are found in the image (:mod:`.ruling`),
giving each table's cell grid with its merged cells, and a table that goes on over the next page
(same columns) is joined to the part before it. The page is read once for its text and labels;
then every cell that is not a label is read again alone, from its own crop with the lines
erased, so that no border or neighbour is fused into its figure. A figure is taken only when
that reading is a number with a score at or above the engine's threshold and does not
contradict the page reading; otherwise the cell is listed as unread with what OCR saw: never
guessed.
"""
from __future__ import annotations

import io
import re

from ...errors import ImportFailed
from ..grid import Claims, PCell, read_table
from ..labels import figure_like, norm, tidy
from . import Document, Reader
from .plain import title_of
from .engines import Engine, Word, engine as get_engine
from .ruling import DARK, Table, find_tables, line_masks, skew

_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*", b"BM", b"GIF87a", b"GIF89a")
MIN_INK = 12                 # dark pixels in a cell below which it is blank (specks)
DPI = 200                    # rendering of image PDFs
MAX_PIXELS = 40_000_000
MIN_WIDTH = {"tesseract": 2400, "rapidocr": 1200}    # pixels across a page: tesseract reads CJK best at 300 dpi
_CJK = re.compile(r"[\u3400-\u9fff]")
_DASHES = {"一", "_", "-", "—", "——", "–", "―", "－"}
LINE = "\u2028"              # a line break inside a cell, as the PDF reader marks it
PAD = 0.35                   # white margin around a cell's ink, as a share of its height


def _lines(words: list[Word]) -> list[list[Word]]:
    """Words grouped into printed lines (their vertical middles within half a line), top to bottom."""
    out: list[list[Word]] = []
    for w in sorted(words, key=lambda w: (w.y0 + w.y1) / 2):
        mid, height = (w.y0 + w.y1) / 2, w.y1 - w.y0
        if out and abs(mid - out[-1][0]) <= max(height, out[-1][1]) / 2:
            out[-1][2].append(w)
        else:
            out.append([mid, height, [w]])
    return [sorted(ws, key=lambda w: w.x0) for _, _, ws in out]


def _tight(crop):
    """The crop cut to its ink with a white margin of a third of the ink's height: the recogniser
    reads a line that fills its image (a margin of 8 px on a 20 px figure lowers RapidOCR's score
    for a clean "0" from 99 % to 60–80 %)."""
    import numpy as np

    ys, xs = np.nonzero(crop < DARK)
    pad = max(2, round(PAD * (ys.max() - ys.min() + 1)))
    return np.pad(crop[ys.min():ys.max() + 1, xs.min():xs.max() + 1], pad, constant_values=255)


def _alone(ocr: Engine, crop, seen: str = "") -> PCell | None:
    """A cell read from its own crop: a figure (unread below the engine's threshold, or when the
    page reading ``seen`` says another number), a label, or None when it is neither."""
    text, score = ocr.cell(_tight(crop))
    if norm(text) in _DASHES:
        text = "—"                                         # a printed dash; OCR reads it as 一
    if text and figure_like(text):
        if score < ocr.min_score:
            return PCell(text, reason=f"OCR 读作“{text}”，置信度 {score:.0f}%，低于 {ocr.min_score:.0f}%，未读")
        if seen and figure_like(seen) and norm(seen) != norm(text) and norm(seen) not in _DASHES:
            return PCell(text, reason=f"OCR 两次读出不同：整页读作“{seen}”，单格读作“{text}”，未读")
        return PCell(text)
    if _CJK.search(text) and score >= ocr.min_score and ocr.reads_labels_alone:
        return PCell(text)
    return None


def _from_page(ocr: Engine, crop, words: list[Word]) -> PCell:
    """A cell the page reading covers: a label keeps its lines; anything else is read alone."""
    seen = LINE.join(tidy("".join(w.text for w in line)) for line in _lines(words))
    if _CJK.search(seen) and norm(seen) not in _DASHES and not figure_like(seen):
        return PCell(seen)
    cell = _alone(ocr, crop, seen)
    return cell or PCell("", reason=f"格中有字迹，OCR 未能读出数字（读作“{seen}”）")


def _bands(crop, typical: float) -> list[tuple[int, int]]:
    """The printed lines of a cell: runs of rows with ink; a run lower than about half a line
    (a stroke of 三 or 二) is joined to its nearer neighbour."""
    import numpy as np

    rows = np.nonzero((crop < DARK).any(axis=1))[0]
    bands = [[int(rows[0]), int(rows[0])]]
    for y in rows[1:]:
        if y - bands[-1][1] <= max(1, typical / 8):
            bands[-1][1] = int(y)
        else:
            bands.append([int(y), int(y)])
    while len(bands) > 1:
        short = min(range(len(bands)), key=lambda i: bands[i][1] - bands[i][0])
        if bands[short][1] - bands[short][0] + 1 >= 0.55 * typical:
            break
        gaps = [(bands[short][0] - bands[short - 1][1], short - 1) if short else (1 << 30, 0),
                (bands[short + 1][0] - bands[short][1], short) if short + 1 < len(bands) else (1 << 30, 0)]
        i = min(gaps)[1]
        bands[i:i + 2] = [[bands[i][0], bands[i + 1][1]]]
    return [(a, b + 1) for a, b in bands]


def _by_lines(ocr: Engine, crop, typical: float) -> PCell:
    """A cell read line by line, each line alone (RapidOCR): a figure, or a label of its lines."""
    bands = _bands(crop, typical)
    if len(bands) == 1:
        cell = _alone(ocr, crop)
        return cell or PCell("", reason="格中有字迹，OCR 未能读出")
    read = [ocr.cell(_tight(crop[a:b])) for a, b in bands]
    text = LINE.join(t for t, _ in read)
    if all(t and score >= ocr.min_score for t, score in read):
        return PCell(text)            # a figure over several lines is refused when it is parsed
    return PCell("", reason=f"格中有字迹，OCR 未能读出（读作“{text.replace(LINE, ' / ')}”）")


def read_page(gray, ocr: Engine) -> tuple[list[tuple[Table, list[list[PCell]]]], list[str]]:
    """The ruled tables of one page image as rows of printed cells, and its text outside them.

    With RapidOCR every cell is read alone, line by line, and the tables are blanked out of the
    page image, which is read for the text outside them; tesseract reads the page with the lines
    erased, and each cell that is not a label again alone.
    """
    import numpy as np

    hmask, vmask = line_masks(gray)
    tables = find_tables(hmask, vmask)
    clean = gray.copy()
    clean[hmask | vmask] = 255
    page = (clean if ocr.name == "tesseract" else gray).copy()   # RapidOCR's detector uses the lines
    margin = max(3, gray.shape[1] // 400)
    crops, cells, heights = {}, {}, {}
    for n, table in enumerate(tables):
        for reg in table.regions:
            x0, y0, x1, y1 = table.box(reg, margin)
            crops[n, reg] = crop = clean[y0:y1, x0:x1]
            ink = np.nonzero((crop < DARK).any(axis=1))[0]
            if (crop < DARK).sum() < MIN_INK:
                cells[n, reg] = PCell("")
            else:
                heights[n, reg] = ink[-1] - ink[0] + 1
    if ocr.reads_labels_alone:
        typical = sorted(heights.values())[len(heights) // 2] if heights else 0    # most cells are figures
        for key in heights:
            cells[key] = _by_lines(ocr, crops[key], typical)
        for table in tables:
            page[int(table.ys[0]):int(table.ys[-1]) + 1, int(table.xs[0]):int(table.xs[-1]) + 1] = 255
    inside: dict[tuple, list[Word]] = {}
    outside: list[Word] = []
    for w in ocr.page(page):
        cx, cy = (w.x0 + w.x1) / 2, (w.y0 + w.y1) / 2
        hit = next(((n, reg) for n, t in enumerate(tables) if (reg := t.region_at(cx, cy)) is not None), None)
        if hit is None:
            outside.append(w)
        else:
            inside.setdefault(hit, []).append(w)
    out = []
    for n, table in enumerate(tables):
        rows: list[list[PCell]] = [[] for _ in range(len(table.ys) - 1)]
        for reg in table.regions:
            cell = cells.get((n, reg)) or _from_page(ocr, crops[n, reg], inside.get((n, reg), []))
            cell.rowspan, cell.colspan = reg[2], reg[3]
            rows[reg[0]].append(cell)
        out.append((table, rows))
    lines = [tidy(" ".join(w.text for w in line)) for line in _lines(outside)]
    return out, [line for line in lines if line]


def _continues(before: Table, after: Table, width: int) -> bool:
    return len(before.xs) == len(after.xs) and all(abs(a - b) <= width / 80 for a, b in zip(before.xs, after.xs))


def ocr_pages(images, source: str, engine_name=None) -> tuple[list[list[list[PCell]]], list[list[str]], Engine]:
    """The ruled tables of page images (in order; a table continued over pages is one) as rows of
    printed cells, each page's text outside them, and the engine that read them."""
    import numpy as np
    from PIL import Image

    ocr = get_engine(source, engine_name)
    pages: list[list[str]] = []
    tables: list[list[list[PCell]]] = []
    last = None                    # the previous page's last table, if it reached the page's foot
    for image in images:
        if image.width * image.height > MAX_PIXELS:
            raise ImportFailed(f"图片过大（{image.width}×{image.height} 像素），未读", file=source)
        image = image.convert("L")
        angle = skew(image)
        if angle:
            image = image.rotate(angle, resample=Image.BICUBIC, expand=True, fillcolor=255)
        if image.width < MIN_WIDTH[ocr.name]:
            factor = MIN_WIDTH[ocr.name] / image.width
            image = image.resize((MIN_WIDTH[ocr.name], int(image.height * factor)), Image.LANCZOS)
        gray = np.asarray(image)
        found, page_lines = read_page(gray, ocr)
        pages.append(page_lines)
        for i, (table, rows) in enumerate(found):
            top = table.ys[0] < 0.2 * gray.shape[0]
            if i == 0 and top and last is not None and _continues(last, table, gray.shape[1]):
                tables[-1].extend(rows)
            else:
                tables.append(rows)
        last = found[-1][0] if found and found[-1][0].ys[-1] > 0.8 * gray.shape[0] else None
    return tables, pages, ocr


def ocr_images(images, source: str, claims: Claims, engine_name=None) -> Document:
    """Claim the figures of page images (in order) and return their text."""
    tables, pages, ocr = ocr_pages(images, source, engine_name)
    for rows in tables:
        read_table(rows, claims)
    lines = [line for page in pages for line in page]
    notes = [f"扫描件经 OCR（{ocr.version()}）逐格读出；置信度低于 {ocr.min_score:.0f}% 或两次读出不同的数字列为未读出"]
    # flat=False: figures come only from cells read alone with a score, never from the page's text
    return Document("ocr", ocr.version(), title_of(lines), lines, notes=notes, flat=False)


def ocr_pdf(data: bytes, source: str, claims: Claims) -> Document:
    """An image-only PDF: each page rendered (pypdfium2, pdfplumber's renderer) and read by OCR."""
    import pypdfium2

    get_engine(source)                 # the missing extra is said before any page is rendered
    pdf = pypdfium2.PdfDocument(data)
    try:
        images = [pdf[i].render(scale=DPI / 72, grayscale=True).to_pil() for i in range(len(pdf))]
    finally:
        pdf.close()
    return ocr_images(images, source, claims)


class ImageReader(Reader):
    kind, label = "ocr", "图片（OCR）"

    def sniff(self, data: bytes) -> bool:
        return data.startswith(_MAGIC) or (data[:4] == b"RIFF" and data[8:12] == b"WEBP")

    def read(self, data: bytes, source: str, claims: Claims) -> Document:
        from PIL import Image, ImageSequence, UnidentifiedImageError

        Image.MAX_IMAGE_PIXELS = MAX_PIXELS
        try:
            image = Image.open(io.BytesIO(data))
            pages = [frame.copy() for frame in ImageSequence.Iterator(image)]
        except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
            raise ImportFailed(f"图片无法读取：{type(exc).__name__}", file=source) from None
        return ocr_images(pages, source, claims)
