"""Make the derived 洪泽 corpus files (the scan and the OCR text) from the published PDFs.

    .venv/bin/python benchmarks/derive_real.py [--out DIR]

The published PDFs are looked for in ``$REPORTKIT_REAL_CORPUS`` (by name and sha256, as the tests
do); the derived files are written to ``--out`` (default: the folder the PDF is in) and their
sha256 printed beside the one the transcription records. The recipes are the ones the truth
files state; with the same poppler (22.12.0), tesseract (5.3.0) and Pillow they give the same bytes:

* ``jiangsu-hongze-2024.scan.pdf``, ``jiangsu-hongze-2023.scan.pdf`` — ``pdftoppm -r 150 -gray -png``, the page images saved by
  Pillow as an image-only PDF (JPEG pages, fixed dates so the bytes do not depend on the day);
* ``jiangsu-hongze-2023.ocr.txt`` — ``pdftoppm -r 300 -gray -png``, then per page in order
  ``tesseract <page>.png - -l chi_sim --psm 4`` (one thread), the outputs concatenated.
"""
from __future__ import annotations

import argparse
import hashlib
import io
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
import accuracy  # noqa: E402

FIXED_DATE = "D:20261206000000Z"    # Pillow writes today's date unless told: bytes would differ per day


def _pages(pdf: Path, dpi: int, folder: Path) -> list[Path]:
    subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", "-png", str(pdf), str(folder / "p")], check=True)
    return sorted(folder.glob("p-*.png"), key=lambda p: int(p.stem.split("-")[1]))


def make_scan(pdf: Path) -> bytes:
    """The published pages at 150 dpi, gray, as an image-only PDF (no text layer, no fonts)."""
    from PIL import Image

    with tempfile.TemporaryDirectory() as tmp:
        images = [Image.open(p).convert("L") for p in _pages(pdf, 150, Path(tmp))]
        out = io.BytesIO()
        images[0].save(out, format="PDF", save_all=True, append_images=images[1:], resolution=150.0,
                       creationDate=FIXED_DATE, modDate=FIXED_DATE, producer="reportkit benchmarks/derive_real.py")
    return out.getvalue()


def make_ocr_text(pdf: Path) -> bytes:
    """tesseract's page text of the published pages at 300 dpi, unedited."""
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    with tempfile.TemporaryDirectory() as tmp:
        return b"".join(subprocess.run(["tesseract", str(p), "-", "-l", "chi_sim", "--psm", "4"], check=True,
                                       capture_output=True, env=env).stdout for p in _pages(pdf, 300, Path(tmp)))


def _pipe_row(cells: list[str]) -> str:
    return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"


def make_ocr_markdown(pdf: Path) -> bytes:
    """reportkit's own OCR of the published pages at 300 dpi (RapidOCR, cell by cell) written the
    way OCR tools write tables: each page's text, then its tables as markdown pipe tables. A merged
    label's text is repeated in every grid cell it covers (as docling's markdown does), a merged
    figure stands in its first grid cell only; a cell OCR could not read is written ``?`` (a tool
    would print its guess; here the import must list it unread)."""
    from PIL import Image

    sys.path.insert(0, str(accuracy.REPO))
    from reportkit.importer.grid import PCell
    from reportkit.importer.layout import expand
    from reportkit.importer.readers.images import LINE, ocr_pages

    with tempfile.TemporaryDirectory() as tmp:
        images = [Image.open(p) for p in _pages(pdf, 300, Path(tmp))]
        tables, pages, _ = ocr_pages(images, str(pdf), "rapidocr")
    out: list[str] = []
    for page in pages:
        out += page + [""]
    for rows in tables:
        grid, n_rows, n_cols = expand(rows)
        seen: set = set()
        for r in range(n_rows):
            cells = []
            for c in range(n_cols):
                cell: PCell = grid.get((r, c))
                if cell is None or (id(cell) in seen and not cell.is_label):
                    cells.append("")
                    continue
                seen.add(id(cell))
                cells.append("?" if cell.reason else cell.text.replace(LINE, ""))
            out.append(_pipe_row(cells))
            if r == 0:
                out.append(_pipe_row(["---"] * n_cols))
        out.append("")
    return "\n".join(out).encode("utf-8")


RECIPES = {"jiangsu-hongze-2024.scan.pdf": ("jiangsu-hongze-2024.pdf", make_scan),
           "jiangsu-hongze-2023.scan.pdf": ("jiangsu-hongze-2023.pdf", make_scan),
           "jiangsu-hongze-2023.ocr.txt": ("jiangsu-hongze-2023.pdf", make_ocr_text),
           "jiangsu-hongze-2023.ocr.md": ("jiangsu-hongze-2023.pdf", make_ocr_markdown)}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="folder for the derived files (default: beside the PDF)")
    parser.add_argument("only", nargs="*", help="make only these files (default: all)")
    args = parser.parse_args(argv)
    entries = {f["file"]: f for _, f in accuracy.corpus_files()}
    failed = 0
    for name, (source, recipe) in RECIPES.items():
        pdf = accuracy.locate(entries[source])
        if args.only and name not in args.only:
            continue
        if pdf is None:
            print(f"{name}: 找不到 {source}（设置 {accuracy.ELSEWHERE_ENV}）")
            failed = 1
            continue
        data = recipe(pdf)
        folder = args.out or pdf.parent
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / name
        tmp = target.with_suffix(target.suffix + ".part")
        tmp.write_bytes(data)
        tmp.replace(target)              # never a half-written corpus file
        digest = hashlib.sha256(data).hexdigest()
        recorded = entries[name]["sha256"] if name in entries else "(not in a truth file)"
        print(f"{name}: sha256 {digest} ({'as recorded' if digest == recorded else 'recorded ' + recorded})")
    return failed


if __name__ == "__main__":
    sys.exit(main())
