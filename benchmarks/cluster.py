"""Dask LocalCluster against the local process pool: the same synthetic year, the same machine.

    .venv/bin/python benchmarks/cluster.py [--bureaus 1000] [--jobs N] [--also 200]

For each size it runs ``reportkit build 2022 --no-summary --force`` twice — process pool,
then ``--cluster local`` with as many workers — and prints wall time, reports per second,
the cluster/pool throughput ratio, the load average before each run (the machine may be
shared) and the mean worker-seconds one report costs (from the manifest), from which a
national run is sized: reports × cost ÷ workers.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
BIN = Path(sys.executable).parent
sys.path.insert(0, str(HERE))

from synthetic import make_params  # noqa: E402


def run(params: Path, out: Path, jobs: int, cluster: bool) -> dict:
    """One build as a user runs it; wall seconds, load before, mean seconds per report."""
    cmd = [str(BIN / "reportkit"), "--params", str(params), "--output", str(out), "build", "2022",
           "--no-summary", "--force", "--jobs", str(jobs)] + (["--cluster", "local"] if cluster else [])
    load = os.getloadavg()[0]
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"benchmark step failed ({proc.returncode}): {' '.join(cmd)}\n"
                         f"{proc.stderr.decode()[-2000:]}")
    reports = json.loads((out / "2022" / "manifest.json").read_text())["reports"]
    ok = [r for r in reports.values() if r["status"] == "ok"]
    return {"wall": wall, "load": load, "n": len(ok), "per_report": sum(r["seconds"] for r in ok) / len(ok)}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bureaus", type=int, default=1000)
    ap.add_argument("--also", type=int, nargs="*", default=[], help="smaller sizes to run first")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="pool workers = Dask workers")
    args = ap.parse_args(argv)
    print(f"reportkit cluster benchmark: {os.cpu_count()} CPUs, {args.jobs} workers each, "
          f"load average now {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"{'bureaus':>7} {'engine':24} {'load':>5} {'wall s':>8} {'reports/s':>10} {'s/report/worker':>16}")
    tmp = Path(tempfile.mkdtemp(prefix="reportkit-cluster-bench-"))
    try:
        for n in [*args.also, args.bureaus]:
            params = make_params(tmp / f"params-{n}", n)
            res = {}
            for name, cluster in (("process pool", False), ("dask LocalCluster", True)):
                r = res[name] = run(params, tmp / f"out-{n}-{int(cluster)}", args.jobs, cluster)
                assert r["n"] == n, f"{name}: {r['n']} of {n} reports built"
                print(f"{n:7d} {name:24} {r['load']:5.1f} {r['wall']:8.1f} {n / r['wall']:10.2f} "
                      f"{r['per_report']:16.3f}", flush=True)
            pool, dask = res["process pool"], res["dask LocalCluster"]
            print(f"{n:7d} ratio cluster/pool throughput = {pool['wall'] / dask['wall']:.3f} "
                  f"(target ≥ 0.90)", flush=True)
        cost = dask["per_report"]
        print(f"national run on paper: 100,000 reports × {cost:.3f} worker-s = {100_000 * cost / 3600:.1f} "
              f"worker-hours; e.g. 100 workers ≈ {100_000 * cost / 100 / 60:.0f} min, "
              f"500 workers ≈ {100_000 * cost / 500 / 60:.0f} min (plus start-up, client writes)")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
