"""Scans — images and PDFs without a text layer — through OCR (the ``[ocr]`` extra: pytesseract
and Debian's ``tesseract-ocr`` + ``tesseract-ocr-chi-sim``; nothing is downloaded at run time).

A scanned table is read like a PDF's: its ruling lines are found in the image (long runs of
dark pixels), giving the cell grid with its merged cells (two grid cells with no line between
them are one cell). The lines are then erased and the page is read once by tesseract, which
gives each word its box and confidence; each word goes to the cell its centre falls in. A
figure cell with a word below ``MIN_CONFIDENCE`` is listed as unread with its confidence:
never guessed.
"""
from __future__ import annotations

import io
import os
import shutil

from ...errors import ImportFailed
from ..grid import Claims, PCell, read_table
from ..labels import tidy
from .plain import title_of
from . import Document, Reader

_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*", b"BM", b"GIF87a", b"GIF89a")
MIN_INK = 12                 # dark pixels in a cell below which it is blank (specks)
MIN_CONFIDENCE = 80          # tesseract's word confidence (0–100) below which a figure is unread
DPI = 300                    # rendering of image PDFs
MAX_PIXELS = 40_000_000
LANG = "chi_sim"
PSM = 6                      # tesseract page segmentation: a single column of text of variable sizes
MIN_WIDTH = 2400             # pixels: an A4 page at about 300 dpi


def _need_ocr(source: str):
    try:
        import pytesseract
    except ImportError:
        raise ImportFailed("这是扫描件（图片），需要 OCR 扩展：pip install 'reportkit[ocr]'，并安装 tesseract-ocr 和 "
                           "tesseract-ocr-chi-sim（make ocr-deps）", file=source) from None
    if shutil.which("tesseract") is None:
        raise ImportFailed("这是扫描件（图片），需要安装 tesseract-ocr 和 tesseract-ocr-chi-sim（make ocr-deps）",
                           file=source)
    return pytesseract


def _runs(mask, length: int):
    """Pixels that belong to a horizontal run of at least ``length`` dark pixels."""
    import numpy as np

    h, w = mask.shape
    if w < length:
        return np.zeros_like(mask)
    cs = np.concatenate([np.zeros((h, 1), dtype=np.int32), np.cumsum(mask, axis=1, dtype=np.int32)], axis=1)
    full = (cs[:, length:] - cs[:, :-length]) == length          # window [j, j+length) all dark
    cover = np.concatenate([np.zeros((h, 1), dtype=np.int32), np.cumsum(full, axis=1, dtype=np.int32)], axis=1)
    out = np.zeros_like(mask)
    # pixel j is covered when some window start in [j-length+1, j] is full
    j = np.arange(w)
    lo, hi = np.clip(j - length + 1, 0, full.shape[1]), np.clip(j + 1, 0, full.shape[1])
    out[:, :] = (cover[:, hi] - cover[:, lo]) > 0
    return out


def _lines_at(profile, join: float):
    """Centres of the bands where ``profile`` (line pixels per row/column) is non-zero; bands
    closer than ``join`` pixels (a double border, cell spacing) are one line."""
    bands, start = [], None
    for i, v in enumerate(list(profile) + [0]):
        if v > 0 and start is None:
            start = i
        elif v <= 0 and start is not None:
            if bands and start - bands[-1][1] <= join:
                bands[-1][1] = i - 1
            else:
                bands.append([start, i - 1])
            start = None
    return [(a + b) / 2 for a, b in bands]


class _Grid:
    """The ruled table of a page: line positions and which unit cells are merged."""

    def __init__(self, hmask, vmask):
        join = hmask.shape[1] / 120
        self.ys = _lines_at(hmask.sum(axis=1), join)
        self.xs = _lines_at(vmask.sum(axis=0), join)
        self.hmask, self.vmask = hmask, vmask

    def ok(self) -> bool:
        return len(self.ys) >= 3 and len(self.xs) >= 3

    def _has_line(self, mask, fixed: float, lo: float, hi: float, vertical: bool) -> bool:
        a, b = int(lo) + 3, int(hi) - 2
        if b <= a:
            return True
        f = int(round(fixed))
        band = mask[a:b, max(0, f - 8):f + 9] if vertical else mask[max(0, f - 8):f + 9, a:b]
        hits = band.any(axis=1 if vertical else 0)
        return hits.mean() > 0.6

    def box(self, reg) -> tuple[int, int, int, int]:
        """A merged cell's inside in pixels (x0, y0, x1, y1), borders left out."""
        r, c, rs, cs = reg
        m = 6
        return (int(self.xs[c]) + m, int(self.ys[r]) + m, int(self.xs[c + cs]) - m, int(self.ys[r + rs]) - m)

    def regions(self) -> list[tuple[int, int, int, int]]:
        """Merged cells as (row, col, rowspan, colspan) in grid units."""
        nr, nc = len(self.ys) - 1, len(self.xs) - 1
        parent = list(range(nr * nc))

        def find(i):
            while parent[i] != i:
                parent[i] = parent[parent[i]]
                i = parent[i]
            return i
        for r in range(nr):
            for c in range(nc):
                y0, y1, x0, x1 = self.ys[r], self.ys[r + 1], self.xs[c], self.xs[c + 1]
                if c + 1 < nc and not self._has_line(self.vmask, self.xs[c + 1], y0, y1, vertical=True):
                    parent[find(r * nc + c)] = find(r * nc + c + 1)
                if r + 1 < nr and not self._has_line(self.hmask, self.ys[r + 1], x0, x1, vertical=False):
                    parent[find(r * nc + c)] = find((r + 1) * nc + c)
        groups: dict[int, list[tuple[int, int]]] = {}
        for r in range(nr):
            for c in range(nc):
                groups.setdefault(find(r * nc + c), []).append((r, c))
        out = []
        for cells in groups.values():
            rows, cols = [r for r, _ in cells], [c for _, c in cells]
            out.append((min(rows), min(cols), max(rows) - min(rows) + 1, max(cols) - min(cols) + 1))
        return sorted(out)


def _ocr_cleaned(text: str) -> str:
    """What OCR makes of table borders ("|" left of a figure) removed, and a lone horizontal
    stroke — a printed dash, which OCR reads as the character 一 — written as the dash."""
    text = text.strip("|[]!")
    return "—" if text in ("一", "_", "——") else text


def ocr_page(image, claims: Claims, pytesseract) -> tuple[list[str], list[str]]:
    """Claim the figures of one page image; its text outside the table, and notes."""
    import numpy as np
    from PIL import Image

    image = image.convert("L")
    if image.width < MIN_WIDTH:        # tesseract reads CJK far better at ≥ 300 dpi
        factor = MIN_WIDTH / image.width
        image = image.resize((MIN_WIDTH, int(image.height * factor)), Image.LANCZOS)
    gray = np.asarray(image)
    dark = gray < 160
    h, w = dark.shape
    # a ruling line is longer than any stroke of a character: horizontally page width / 45
    # (a narrow column), vertically page width / 40 (a row of one line is ~1.6 characters high)
    hrun, vrun = max(20, w // 45), max(20, w // 40)
    hmask = _runs(dark, hrun)
    vmask = _runs(dark.T, vrun).T
    # a table's lines run on through many cells; a stroke of a large character (a title) is alone
    hmask[hmask.sum(axis=1) < 3 * hrun, :] = False
    vmask[:, vmask.sum(axis=0) < 2 * vrun] = False
    grid = _Grid(hmask, vmask)
    clean = gray.copy()
    clean[(hmask | vmask)] = 255
    # one thread: tesseract's OpenMP threads make it 2–3× slower on a shared or busy machine
    saved = os.environ.get("OMP_THREAD_LIMIT")
    os.environ["OMP_THREAD_LIMIT"] = "1"
    try:
        data = pytesseract.image_to_data(Image.fromarray(clean), lang=LANG, config=f"--psm {PSM}",
                                         output_type=pytesseract.Output.DICT)
    finally:
        if saved is None:
            os.environ.pop("OMP_THREAD_LIMIT", None)
        else:
            os.environ["OMP_THREAD_LIMIT"] = saved
    words = [(data["left"][i], data["top"][i], data["width"][i], data["height"][i], data["text"][i].strip(),
              float(data["conf"][i]), (data["block_num"][i], data["par_num"][i], data["line_num"][i]))
             for i in range(len(data["text"])) if data["text"][i].strip()]
    notes: list[str] = []
    in_table: set[int] = set()
    if grid.ok():
        regions = grid.regions()
        texts: dict[tuple, list] = {reg: [] for reg in regions}
        for n, (x, y, ww, hh, text, conf, line) in enumerate(words):
            cx, cy = x + ww / 2, y + hh / 2
            if not (grid.xs[0] < cx < grid.xs[-1] and grid.ys[0] < cy < grid.ys[-1]):
                continue
            r = sum(1 for v in grid.ys[1:-1] if v < cy)
            c = sum(1 for v in grid.xs[1:-1] if v < cx)
            reg = next(g for g in regions if g[0] <= r < g[0] + g[2] and g[1] <= c < g[1] + g[3])
            texts[reg].append((line, x, text, conf))
            in_table.add(n)
        rows: list[list[PCell]] = [[] for _ in range(len(grid.ys) - 1)]
        for reg in regions:
            parts = sorted(texts[reg])
            text = _ocr_cleaned("".join(t for _, _, t, _ in parts))
            cell = PCell(text, reg[2], reg[3])
            if not cell.is_label:
                low = min((conf for _, _, t, conf in parts), default=100)
                box = grid.box(reg)
                crop = clean[box[1]:box[3], box[0]:box[2]]
                if not text.strip() and crop.size and (crop < 160).sum() >= MIN_INK:
                    cell.reason = "格中有字迹，OCR 未能读出"
                elif low < MIN_CONFIDENCE:
                    cell.reason = f"OCR 读作“{text}”，置信度 {low:.0f}%，低于 {MIN_CONFIDENCE}%，未读"
            rows[reg[0]].append(cell)
        read_table(rows, claims)
    lines: dict[tuple, list] = {}
    for n, (x, y, ww, hh, text, conf, line) in enumerate(words):
        if n not in in_table:
            lines.setdefault(line, []).append((x, text))
    text_lines = [tidy(" ".join(t for _, t in sorted(v))) for _, v in sorted(lines.items())]
    return [line for line in text_lines if line], notes


def ocr_images(images, source: str, claims: Claims) -> Document:
    pytesseract = _need_ocr(source)
    lines: list[str] = []
    notes: list[str] = []
    for image in images:
        if image.width * image.height > MAX_PIXELS:
            raise ImportFailed(f"图片过大（{image.width}×{image.height} 像素），未读", file=source)
        page_lines, page_notes = ocr_page(image, claims, pytesseract)
        lines += page_lines
        notes += page_notes
    notes.append(f"扫描件经 OCR（tesseract {pytesseract.get_tesseract_version()}）读出；"
                 f"置信度低于 {MIN_CONFIDENCE}% 的数字列为未读出")
    return Document("ocr", "OCR", title_of(lines), lines, notes=notes, flat=True)


def ocr_pdf(data: bytes, source: str, claims: Claims) -> Document:
    """An image-only PDF: each page rendered (pypdfium2, pdfplumber's renderer) and read by OCR."""
    import pypdfium2

    _need_ocr(source)
    pdf = pypdfium2.PdfDocument(data)
    try:
        images = [pdf[i].render(scale=DPI / 72).to_pil() for i in range(len(pdf))]
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
