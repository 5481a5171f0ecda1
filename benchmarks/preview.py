"""Preview latency: from saving a params file to Chromium showing the new words.

    .venv/bin/python benchmarks/preview.py [--edits 10] [--bureau shengzhou-wglj] [--year 2022]
                                           [--profile preview.prof]

Starts ``reportkit preview YEAR --bureau ID`` on a copy of the sample params, opens the report
in headless Chromium (playwright driving Debian's /usr/bin/chromium), then saves the params
file N times, each time with a new figure (二、 行政处罚) and a new phrase in 一、总体情况, and
times each save until the page shows both. Then times ``reportkit build YEAR --bureau ID
--force`` (with and without the roll-up) on the same copy and prints the ratios.
Targets (issue 15): median and worst ≤ 1 s, one-report build ≥ 4× the median.
``--profile FILE`` runs the preview under cProfile and prints where its time went, and a profile
of the notebook's code for one report (the kernel's share).
"""
from __future__ import annotations

import argparse
import ast
import os
import pstats
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO / "tests"))

from previewproc import PreviewProcess  # noqa: E402

from reportkit.preview.server import POLL  # noqa: E402

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
PHRASE = "公开渠道更顺"
TARGET_SECONDS, TARGET_RATIO = 1.0, 4.0
SHOWS = "([phrase, figure]) => document.body.innerText.includes(phrase) && " \
        "[...document.querySelectorAll('td')].some(td => td.innerText.trim() === figure)"


def chromium() -> str:
    for path in (os.environ.get("REPORTKIT_CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium")):
        if path and os.access(path, os.X_OK):
            return path
    raise SystemExit("no Chromium: run `make browser-deps` (Debian's chromium) first")


def edit(path: Path, original: str, i: int) -> tuple[str, str]:
    """Save the file with edit number ``i``: (the new phrase, the new figure as the table prints it)."""
    phrase, figure = f"公开渠道第{i + 1}次更顺", 100 + i
    text = original.replace(PHRASE, phrase, 1).replace("  penalty: 6\n", f"  penalty: {figure}\n", 1)
    assert text.count(phrase) == 1 and f"penalty: {figure}" in text, "the sample file changed"
    path.write_text(text, encoding="utf-8")  # an in-place save, as most editors do
    return phrase, str(figure)


def latencies(preview: PreviewProcess, params_file: Path, edits: int) -> list[float]:
    from playwright.sync_api import sync_playwright

    original = params_file.read_text(encoding="utf-8")
    out = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium(), args=ARGS, headless=True)
        page = browser.new_page()
        page.goto(preview.url(), wait_until="load")
        page.wait_for_function("p => document.body.innerText.includes(p)", arg=PHRASE, timeout=60_000)
        time.sleep(0.5)  # the events stream is open
        for i in range(edits):
            phrase, figure = edit(params_file, original, i)
            saved = time.perf_counter()
            page.wait_for_function(SHOWS, arg=[phrase, figure], polling="raf", timeout=30_000)
            out.append(time.perf_counter() - saved)
            print(f"  edit {i + 1:2d}: {out[-1] * 1000:6.0f} ms", flush=True)
            time.sleep(0.3)
        browser.close()
    params_file.write_text(original, encoding="utf-8")
    return out


BUILT = re.compile(r"：已生成（([\d.]+) 秒：内核 ([\d.]+) \+ 导出 ([\d.]+)）")


def server_phases(preview: PreviewProcess, path: str, edits: int) -> list[float]:
    """Mean seconds of the last ``edits`` report builds, as the preview logged them:
    [total, kernel (the notebook validates the file itself), export]."""
    rows = [[float(x) for x in m.groups()] for line in preview.lines if line.startswith(path)
            for m in [BUILT.search(line)] if m][-edits:]
    return [statistics.mean(col) for col in zip(*rows)] if rows else [float("nan")] * 3


def own_work_seconds(params: Path, year: int, bureau: str, repeat: int = 5) -> float:
    """The notebook's own code for one report run in this process, without a kernel (median)."""
    import nbformat

    from reportkit.execute import NOTEBOOK

    cells = [c.source for c in nbformat.read(str(NOTEBOOK), as_version=4).cells
             if c.cell_type == "code" and "parameters" not in c.metadata.get("tags", [])]
    times = []
    for _ in range(repeat + 1):  # the first run imports and warms caches, as the kernel's bootstrap does
        ns = {"bureau": bureau, "year": year, "params": str(params)}
        start = time.perf_counter()
        for source in cells:
            tree = ast.parse(source)
            last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
            exec(compile(tree, "<cell>", "exec"), ns)
            if last is not None:
                value = eval(compile(ast.Expression(last.value), "<cell>", "eval"), ns)
                getattr(value, "_repr_html_", lambda: None)()
        times.append(time.perf_counter() - start)
    return statistics.median(times[1:])


def build_seconds(params: Path, output: Path, year: int, bureau: str, *extra: str) -> float:
    cmd = [sys.executable, "-m", "reportkit.cli", "--params", str(params), "--output", str(output),
           "build", str(year), "--bureau", bureau, "--force", *extra]
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=REPO, capture_output=True)
    if done.returncode != 0:
        raise SystemExit(f"build failed ({done.returncode}): {done.stderr.decode()[-2000:]}")
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--edits", type=int, default=10)
    ap.add_argument("--bureau", default="shengzhou-wglj")
    ap.add_argument("--year", type=int, default=2022)
    ap.add_argument("--profile", type=Path, default=None, help="Write a cProfile of the preview here.")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-preview-") as tmp:
        params = Path(shutil.copytree(REPO / "params", Path(tmp) / "params"))
        output = Path(tmp) / "output"
        params_file = params / str(args.year) / f"{args.bureau}.yaml"
        python = ["-m", "cProfile", "-o", str(args.profile.resolve())] if args.profile else []
        print(f"preview latency, {args.edits} edits of {params_file.name} ({os.cpu_count()} CPUs, "
              f"load average {os.getloadavg()[0]:.1f}, Chromium {chromium()})", flush=True)
        preview = PreviewProcess(params, output, args.year, args.bureau, python=python)
        try:
            times = latencies(preview, params_file, args.edits)
        finally:
            code = preview.stop()
        if code != (0 if args.profile else 130):  # under cProfile the exit is 0
            raise SystemExit(f"preview ended with {code}, not 130: {preview.stderr[-2000:]}")
        phases = server_phases(preview, f"/{args.year}/{args.bureau}.html", args.edits)
        own = own_work_seconds(params, args.year, args.bureau)
        full = build_seconds(params, output, args.year, args.bureau)
        lean = build_seconds(params, output, args.year, args.bureau, "--no-summary")
    median, worst = statistics.median(times), max(times)
    print(f"load average at the end: {os.getloadavg()[0]:.1f} (figures on a busy machine are not comparable)")
    print(f"preview: median {median:.3f} s, worst {worst:.3f} s (target ≤ {TARGET_SECONDS:.1f} s: "
          f"{'met' if worst <= TARGET_SECONDS else 'median met, worst missed' if median <= TARGET_SECONDS else 'MISSED'})")
    print(f"one-report build (build {args.year} --bureau {args.bureau} --force): {full:.2f} s "
          f"→ {full / median:.1f}× the preview median (target ≥ {TARGET_RATIO:.0f}×: "
          f"{'met' if full / median >= TARGET_RATIO else 'MISSED'})")
    print(f"  same with --no-summary: {lean:.2f} s → {lean / median:.1f}× the preview median")
    total, kernel, export = phases
    print(f"where a save's time goes (means over the edits): rebuild in the preview {total:.3f} s "
          f"= kernel {kernel:.3f} (reset, validation, every cell) + nbconvert export {export:.3f}; "
          f"the report's own code run without a kernel after the edits: {own:.3f} s; "
          f"the rest of the median, {median - total:.3f} s, is noticing the save (poll every {POLL * 1000:.0f} ms), "
          f"fetching the page again and Chromium swapping it in and laying it out")
    if args.profile:
        print(f"profile of the preview process ({args.profile}), top 15 by own time:")
        pstats.Stats(str(args.profile)).sort_stats("tottime").print_stats(15)
        print("profile of the notebook's code for one report (what the kernel spends), by cumulative time:")
        import cProfile

        prof = cProfile.Profile()
        prof.runcall(own_work_seconds, REPO / "params", args.year, args.bureau, 3)
        pstats.Stats(prof).sort_stats("cumulative").print_stats(
            r"reportkit|matplotlib/figure|yaml/(__init__|composer)", 20)


if __name__ == "__main__":
    main()
