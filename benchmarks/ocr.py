"""OCR engines compared on the real scans: cells exact / unread / wrong, seconds per page, install size.

    REPORTKIT_REAL_CORPUS=/work/corpus-real .venv/bin/python benchmarks/ocr.py [--engine NAME]
        [--degrade ANGLE NOISE BLUR]

``--degrade`` turns each page by ANGLE degrees and adds gaussian noise (σ NOISE gray levels) and
blur (radius BLUR) before the import: a stand-in for a photocopied scan (fixed random seed).

Every ``scan`` file of the real corpus is imported with each installed engine (``REPORTKIT_OCR``);
the year and issuer are given from the transcription, so an engine that misreads the title is
still scored on its cells. Prints the load average before and after: the machine is shared.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import accuracy  # noqa: E402

# what each engine's install adds beyond reportkit's own dependencies
PACKAGES = {"rapidocr": ["rapidocr-onnxruntime", "onnxruntime", "opencv-python", "shapely", "pyclipper", "protobuf",
                         "flatbuffers"],
            "tesseract": ["pytesseract"]}
DEBIAN = {"tesseract": ["tesseract-ocr", "tesseract-ocr-chi-sim", "tesseract-ocr-eng", "tesseract-ocr-osd",
                        "libtesseract5", "liblept5"]}


def _size_mb(engine: str) -> float:
    total = 0
    for name in PACKAGES[engine]:
        try:
            total += sum((f.locate().stat().st_size for f in metadata.files(name) or [] if f.locate().is_file()))
        except metadata.PackageNotFoundError:
            pass
    for pkg in DEBIAN.get(engine, []):
        out = subprocess.run(["dpkg-query", "-W", "-f=${Installed-Size}", pkg], capture_output=True, text=True)
        total += int(out.stdout or 0) * 1024
    return total / 1e6


def _pages(path: Path) -> int:
    import pypdfium2

    pdf = pypdfium2.PdfDocument(path.read_bytes())
    try:
        return len(pdf)
    finally:
        pdf.close()


def degraded(path: Path, angle: float, noise: float, blur: float, folder: Path) -> Path:
    """The scan's pages turned, speckled and blurred, as a new image PDF in ``folder``."""
    import numpy as np
    import pypdfium2
    from PIL import Image, ImageFilter

    rng = np.random.default_rng(0)
    pdf = pypdfium2.PdfDocument(path.read_bytes())
    pages = []
    for i in range(len(pdf)):
        im = pdf[i].render(scale=150 / 72, grayscale=True).to_pil().convert("L")
        im = im.rotate(angle, resample=Image.BICUBIC, fillcolor=255)
        a = np.asarray(im, dtype=np.float64) + rng.normal(0, noise, (im.height, im.width))
        pages.append(Image.fromarray(np.clip(a, 0, 255).astype(np.uint8)).filter(ImageFilter.GaussianBlur(blur)))
    pdf.close()
    out = folder / path.name
    pages[0].save(out, format="PDF", save_all=True, append_images=pages[1:], resolution=150.0)
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", action="append", choices=sorted(PACKAGES), help="default: every one installed")
    parser.add_argument("--degrade", nargs=3, type=float, metavar=("ANGLE", "NOISE", "BLUR"))
    args = parser.parse_args(argv)
    sys.path.insert(0, str(accuracy.REPO))
    from reportkit.errors import ImportFailed
    from reportkit.importer import read_report
    from reportkit.importer.readers.engines import engine as load

    scans = [(t, f, accuracy.locate(f)) for t, f in accuracy.corpus_files() if f["form"] == "scan"]
    scans = [s for s in scans if s[2] is not None]
    if not scans:
        print(f"no scan of the real corpus here (set {accuracy.ELSEWHERE_ENV})")
        return 1
    if args.degrade:
        import tempfile

        tmp = tempfile.TemporaryDirectory(prefix="reportkit-ocr-")    # removed when main returns
        scans = [(t, f, degraded(p, *args.degrade, Path(tmp.name))) for t, f, p in scans]
        print(f"degraded: turned {args.degrade[0]}°, noise σ {args.degrade[1]}, blur {args.degrade[2]}")
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    for name in args.engine or sorted(PACKAGES, reverse=True):
        try:
            version = load("benchmark", name).version()
        except ImportFailed:
            print(f"{name}: not installed")
            continue
        exact = unread = wrong = cells = pages = 0
        seconds = 0.0
        for truth, entry, path in scans:
            start = time.perf_counter()
            os.environ["REPORTKIT_OCR"] = name
            try:
                imported = read_report(path, year=truth["year"], bureau="x", registry={"x": {"name": truth["issuer"]}})
            finally:
                os.environ.pop("REPORTKIT_OCR", None)
            seconds += time.perf_counter() - start
            pages += _pages(path)
            got = accuracy._read_cells(imported)
            absent = set(truth.get("not_printed") or [])
            for key, printed in truth["cells"].items():
                if key in absent:
                    continue
                cells += 1
                status, value = got.get(key, ("unread", None))
                if status == "unread":
                    unread += 1
                elif value == accuracy._number(printed) or (status == "blank" and printed == 0):
                    exact += 1
                else:
                    wrong += 1
        print(f"{version:<28} {len(scans)} scans  cells {cells}  exact {exact}  unread {unread}  wrong {wrong}  "
              f"{seconds / pages:.1f} s/page  install {_size_mb(name):.0f} MB")
    print(f"load average after:  {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
