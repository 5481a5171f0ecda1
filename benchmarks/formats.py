"""Seconds and bytes per output format for the sample city (issue 16).

    .venv/bin/python benchmarks/formats.py [--year 2022] [--params params]

Renders every bureau's page with the library (the same fragments the notebook shows), then
times HTML → DOCX and HTML → PDF (headless Chromium, one launch per report, as the batch
does) one report at a time, and prints per format: reports, seconds per report, mean and
total size. The end-to-end build is ``reportkit build YEAR --format html,docx,pdf``.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from reportpage import page  # noqa: E402

from reportkit.params import bureaus_with_data  # noqa: E402
from reportkit.render.docx import html_to_docx  # noqa: E402
from reportkit.render.pdf import html_to_pdf  # noqa: E402
from reportkit.report import Report  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--year", type=int, default=2022)
    ap.add_argument("--params", type=Path, default=Path("params"))
    args = ap.parse_args()
    times: dict[str, list[float]] = {"html": [], "docx": [], "pdf": []}
    sizes: dict[str, list[int]] = {"html": [], "docx": [], "pdf": []}
    with tempfile.TemporaryDirectory() as tmp:
        for bureau in bureaus_with_data(args.params, args.year):
            t0 = time.perf_counter()
            html = page(Report.load(bureau, args.year, args.params))
            t1 = time.perf_counter()
            docx = html_to_docx(html)
            t2 = time.perf_counter()
            path = Path(tmp) / f"{bureau}.html"
            path.write_bytes(html)
            pdf = html_to_pdf(path)
            t3 = time.perf_counter()
            for fmt, data, secs in (("html", html, t1 - t0), ("docx", docx, t2 - t1), ("pdf", pdf, t3 - t2)):
                times[fmt].append(secs)
                sizes[fmt].append(len(data))
    print(f"{'format':8}{'reports':>8}{'s/report':>10}{'max s':>8}{'mean KB':>9}{'total KB':>10}")
    for fmt in times:
        print(f"{fmt:8}{len(times[fmt]):>8}{statistics.mean(times[fmt]):>10.3f}{max(times[fmt]):>8.2f}"
              f"{statistics.mean(sizes[fmt]) / 1024:>9.1f}{sum(sizes[fmt]) / 1024:>10.1f}")
    print("html = library rendering of the page (the notebook run adds kernel time); "
          "docx/pdf = derived from that page")


if __name__ == "__main__":
    main()
