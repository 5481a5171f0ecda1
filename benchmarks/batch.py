"""Batch throughput: the by-hand pipeline, reportkit's cold and warm engines, and the floor.

    .venv/bin/python benchmarks/batch.py [--bureaus 40] [--sample 8] [--jobs N] [--no-scale] [--rounds 3]

Generates N synthetic bureaus into a temporary params folder and prints seconds per report,
reports per second, the ratios between them and the peak memory of each run's process tree;
then the issue 15 targets: the warm engine's marginal cost per report against the floor's and
the fixed start-up (slope and intercept of the line through warm builds of N/2, N and 2N
bureaus, run in turn), and a rebuild after one bureau's file changed, roll-up included.
"""
from __future__ import annotations

import argparse
import os
import re
import resource
import statistics
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
BIN = Path(sys.executable).parent
sys.path.insert(0, str(HERE))

from synthetic import make_params  # noqa: E402


class PeakMemory:
    """Samples the RSS of a process and all its descendants every 50 ms."""

    def __init__(self, pid: int):
        self.pid, self.peak, self._stop = pid, 0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set():
            try:
                root = psutil.Process(self.pid)
                procs = [root] + root.children(recursive=True)
                total = 0
                for p in procs:
                    try:
                        total += p.memory_info().rss
                    except psutil.Error:
                        pass
                self.peak = max(self.peak, total)
            except psutil.Error:
                pass
            time.sleep(0.05)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


CPU = {"seconds": 0.0}  # CPU seconds (user + system) of the last timed command's whole process tree


def _tree_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)  # waited-for descendants: workers, their kernels
    return r.ru_utime + r.ru_stime


def timed(cmd: list[str], env=None) -> tuple[float, int]:
    """Run a command; (seconds, peak RSS of its process tree in bytes). Fails loudly."""
    start, cpu = time.perf_counter(), _tree_cpu()
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    with PeakMemory(proc.pid) as mem:
        _, err = proc.communicate()
    if proc.returncode != 0:
        raise SystemExit(f"benchmark step failed ({proc.returncode}): {' '.join(cmd)}\n{err.decode()[-2000:]}")
    CPU["seconds"] = _tree_cpu() - cpu
    return time.perf_counter() - start, mem.peak


def by_hand(params: Path, out: Path, ids: list[str]) -> tuple[float, int]:
    """papermill CLI, then `jupyter nbconvert --to html --no-input`, one report after another."""
    peak, start = 0, time.perf_counter()
    for bid in ids:
        nb = out / f"{bid}.ipynb"
        _, p1 = timed([str(BIN / "papermill"), "notebooks/report.ipynb", str(nb), "-p", "bureau", bid,
                       "-p", "year", "2022", "-p", "params", str(params), "--no-progress-bar"])
        _, p2 = timed([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(nb)])
        peak = max(peak, p1, p2)
    return time.perf_counter() - start, peak


def build(params: Path, out: Path, engine: str, jobs: int | None,
          flags: tuple[str, ...] = ("--no-summary", "--force")) -> tuple[float, int]:
    cmd = [str(BIN / "reportkit"), "--params", str(params), "--output", str(out), "build", "2022",
           "--engine", engine, *flags]
    if jobs:
        cmd += ["--jobs", str(jobs)]
    return timed(cmd)


def one_changed(params: Path, out: Path, bureau: str, jobs: int | None, times: int = 3) -> list[float]:
    """Seconds of `build 2022` (roll-up included, nothing forced) after saving one bureau's file
    with a new figure, ``times`` times; the year was built once before."""
    build(params, out, "warm", jobs, ("--force",))
    path = params / "2022" / f"{bureau}.yaml"
    original = path.read_text(encoding="utf-8")
    seconds = []
    for i in range(times):
        text = re.sub(r"(?m)^  penalty: \d+$", f"  penalty: {901 + i}", original, count=1)
        assert text != original, "the synthetic file has no penalty line"
        path.write_text(text, encoding="utf-8")
        seconds.append(build(params, out, "warm", jobs, ())[0])
    path.write_text(original, encoding="utf-8")
    return seconds


FLOOR = """
import sys, time
from reportkit.report import Report
from reportkit.templating import css
ids = sys.argv[2:]
Report.load(ids[0], 2022, sys.argv[1]).fragments()      # imports and font, as a warm kernel has them
start, cpu = time.perf_counter(), time.process_time()
for bid in ids:
    r = Report.load(bid, 2022, sys.argv[1])
    page = "<!DOCTYPE html><html><head><style>" + css() + "</style></head><body>" + "".join(r.fragments()) + "</body></html>"
print(time.perf_counter() - start, time.process_time() - cpu)
"""


def scaling(tmp: Path, n: int, jobs: int | None, rounds: int) -> dict:
    """Warm builds of N/2, N and 2N bureaus, ``rounds`` times in turn; the least-squares line
    through each size's median: (slope, intercept) in wall seconds and in CPU seconds.

    The sizes are interleaved so that a slow minute of a shared machine touches every size,
    and the intercept rests on three sizes, not on the difference of two runs."""
    sizes = [n // 2, n, 2 * n]
    folders = {k: make_params(tmp / f"scale-{k}", k, seed=k) for k in sizes}
    runs: dict[int, list] = {k: [] for k in sizes}
    for _ in range(rounds):
        for k in sizes:
            wall, _mem = build(folders[k], tmp / f"scale-out-{k}", "warm", jobs)
            runs[k].append((wall, CPU["seconds"]))
    print(f"scaling (warm, {rounds} rounds in turn, wall s / CPU s of the tree): "
          + "; ".join(f"{k} bureaus " + ", ".join(f"{w:.2f}/{c:.1f}" for w, c in runs[k]) for k in sizes))
    med = {k: (statistics.median(w for w, _ in runs[k]), statistics.median(c for _, c in runs[k])) for k in sizes}
    return {"sizes": "/".join(map(str, sizes)),
            "wall": _line([(k, med[k][0]) for k in sizes]), "cpu": _line([(k, med[k][1]) for k in sizes])}


def _line(points: list[tuple[float, float]]) -> tuple[float, float]:
    """Least-squares (slope, intercept)."""
    mx = statistics.fmean(x for x, _ in points)
    my = statistics.fmean(y for _, y in points)
    slope = sum((x - mx) * (y - my) for x, y in points) / sum((x - mx) ** 2 for x, _ in points)
    return slope, my - slope * mx


def best(runs: int, step):
    """The fastest of ``runs`` calls of ``step``: (seconds, peak memory, CPU seconds of the tree)."""
    return min(((*step(), CPU["seconds"]) for _ in range(runs)), key=lambda r: r[0])


def floor(params: Path, ids: list[str]) -> tuple[float, float]:
    """The same content straight from the library, no kernel, one process: (seconds, CPU seconds) for all."""
    out = subprocess.run([sys.executable, "-c", FLOOR, str(params), *ids], cwd=REPO,
                         capture_output=True, text=True, check=True)
    wall, cpu = out.stdout.strip().splitlines()[-1].split()
    return float(wall), float(cpu)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bureaus", type=int, default=40)
    ap.add_argument("--sample", type=int, default=8, help="reports timed through the by-hand pipeline")
    ap.add_argument("--jobs", type=int, default=None, help="reportkit --jobs (default: CPU count)")
    ap.add_argument("--no-scale", action="store_true", help="skip the N/2, N, 2N scaling runs")
    ap.add_argument("--rounds", type=int, default=3, help="rounds of the scaling runs (median of each size)")
    args = ap.parse_args(argv)
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    tmp = Path(tempfile.mkdtemp(prefix="reportkit-bench-"))
    try:
        n = args.bureaus
        params = make_params(tmp / "params", n)
        ids = [f"bench-{i:03d}" for i in range(1, n + 1)]
        print(f"reportkit batch benchmark: {n} synthetic bureaus, {os.cpu_count()} CPUs, "
              f"load average {os.getloadavg()[0]:.1f} (figures on a busy machine are not comparable)")
        hand_s, hand_mem = by_hand(params, (tmp / "hand").resolve(), ids[: args.sample]) if \
            (tmp / "hand").mkdir() is None else (0, 0)
        cold_s, cold_mem = build(params, tmp / "cold", "cold", args.jobs)
        warm_s, warm_mem, warm_cpu = best(2, lambda: build(params, tmp / "warm", "warm", args.jobs))
        floor_s, floor_cpu = min(floor(params, ids) for _ in range(2))
        floor_cpu /= n
        rows = [("by hand (papermill + nbconvert CLI)", hand_s / args.sample, hand_mem, args.sample),
                ("reportkit build --engine cold", cold_s / n, cold_mem, n),
                ("reportkit build --engine warm", warm_s / n, warm_mem, n),
                ("floor (library, no kernel, 1 process)", floor_s / n, None, n)]
        print(f"{'pipeline':42} {'reports':>7} {'s/report':>9} {'reports/s':>10} {'peak MiB':>9}")
        for name, per, mem, count in rows:
            print(f"{name:42} {count:7d} {per:9.3f} {1 / per:10.2f} {mem / 2**20 if mem else float('nan'):9.0f}")
        hand, cold, warm, flo = (r[1] for r in rows)
        print(f"ratios (throughput): cold/by-hand {hand / cold:.1f}x, warm/by-hand {hand / warm:.1f}x, "
              f"warm/cold {cold / warm:.1f}x; warm cost per report (fixed start-up included) = "
              f"{warm / flo:.2f}x the floor's")
        targets = []
        if not args.no_scale:
            fit = scaling(tmp, n, args.jobs, args.rounds)
            marginal, fixed, cpu_marginal, cpu_fixed = fit["wall"] + fit["cpu"]
            print(f"warm marginal cost per report (slope over {fit['sizes']} bureaus): {marginal:.3f}s "
                  f"= {marginal / flo:.2f}x the floor's; fixed start-up (intercept) ≈ {fixed:.2f}s")
            cpus = os.cpu_count() or 1
            print(f"  in CPU seconds of the whole process tree (less sensitive to other load): {cpu_marginal:.3f} "
                  f"per report ({cpu_marginal / floor_cpu:.2f}x the floor's {floor_cpu:.3f} CPU-s, on one CPU; the "
                  f"build uses {cpus}), fixed {cpu_fixed:.2f} CPU-s")
            targets += [("warm cost per report / floor's (marginal)", marginal / flo, 1.5, "x"),
                        (f"fixed start-up, {n}-bureau year", fixed, 1.0, "s"),
                        (f"  same from CPU-s ÷ {cpus} CPUs (load-independent)", cpu_marginal / cpus / floor_cpu,
                         1.5, "x"),
                        (f"  same from CPU-s ÷ {cpus} CPUs (load-independent)", cpu_fixed / cpus, 1.0, "s")]
        changed = one_changed(params, tmp / "changed", ids[4], args.jobs)
        print(f"one changed bureau, roll-up included (`build 2022` after saving {ids[4]}.yaml, {n} bureaus): "
              + ", ".join(f"{t:.2f}s" for t in changed))
        targets.append(("one changed bureau + roll-up (median of 3)", statistics.median(changed), 2.0, "s"))
        print(f"issue 15 batch targets (load average now {os.getloadavg()[0]:.1f}, {os.cpu_count()} CPUs):")
        for name, value, limit, unit in targets:
            print(f"  {name:46} {value:6.2f}{unit}  target ≤ {limit:g}{unit}: {'met' if value <= limit else 'MISSED'}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
