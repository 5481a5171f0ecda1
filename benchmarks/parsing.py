"""Import parsing time and peak memory on pages of 0.1, 1 and 10 MB (issue 13.1).

    .venv/bin/python benchmarks/parsing.py [--sizes 0.1,1,10]        (or: make bench-parse)

Each page is imported in its own process (``reportkit.importer.read_report``) which reports its
wall time and the growth of its peak RSS over the interpreter with reportkit imported. Pages:
a real report padded with paragraphs (as Word-exported pages are), a flood of ``<p>``, ``<div>``
nested without end (refused at 256 levels), and one table of many small cells.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CLEAN = (REPO / "tests" / "fixtures" / "published" / "clean-2022.html").read_text(encoding="utf-8")

CHILD = r"""
import json, resource, sys, time
from reportkit import importer
from reportkit.errors import ImportFailed
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.perf_counter()
try:
    imp = importer.read_report(sys.argv[1]); outcome = f"read {len(imp.report.read)} cells"
except ImportFailed as exc:
    outcome = "refused: " + exc.message[:40]
took = time.perf_counter() - start
print(json.dumps({"seconds": took, "peak_mb": (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base) / 1024,
                  "outcome": outcome}))
"""


def pages(size: int) -> dict[str, str]:
    head, _, tail = CLEAN.partition("</body>")
    para = "<p>本机关持续推进政务公开标准化规范化建设，按时更新各栏目信息。</p>\n"
    return {
        "report + paragraphs": head + para * max(0, (size - len(CLEAN.encode())) // len(para.encode())) + "</body>"
        + tail,
        "<p> flood": "<html><body>" + "<p>段落</p>" * (size // 16) + "</body></html>",
        "nested <div>": "<html><body>" + "<div>" * (size // 5) + "</body></html>",
        "one big table": "<html><body><table>" + "<tr><td>行</td><td>0</td><td>1</td></tr>" * (size // 40)
        + "</table></body></html>",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="0.1,1,10", help="page sizes in MB, comma-separated")
    args = parser.parse_args()
    print(f"{'page':<22}{'MB':>6}{'seconds':>10}{'peak MB':>10}  outcome")
    with tempfile.TemporaryDirectory() as tmp:
        for mb in (float(x) for x in args.sizes.split(",")):
            for name, text in pages(int(mb * 1_000_000)).items():
                path = Path(tmp) / "page.html"
                path.write_text(text, encoding="utf-8")
                run = subprocess.run([sys.executable, "-c", CHILD, str(path)], capture_output=True, text=True,
                                     cwd=REPO, timeout=600)
                if run.returncode:
                    print(f"{name:<22}{mb:>6}  failed: {run.stderr.strip().splitlines()[-1:]}")
                    continue
                r = json.loads(run.stdout.strip().splitlines()[-1])
                size = path.stat().st_size / 1e6
                print(f"{name:<22}{size:>6.2f}{r['seconds']:>10.2f}{r['peak_mb']:>10.1f}  {r['outcome']}")


if __name__ == "__main__":
    main()
