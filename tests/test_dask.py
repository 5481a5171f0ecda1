"""build --cluster on a real Dask scheduler and two real workers on 127.0.0.1 (no mocks).

The scheduler and workers are started here as the operator would (`dask scheduler`,
`dask worker`), found through a scheduler file, and ended by the fixture's finalizer.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import nbformat
import psutil
import pytest
from conftest import SAMPLE_PARAMS, invoke
from test_batch import notebook_with

from reportkit import batch
from reportkit.run.dask_engine import DaskRunner

distributed = pytest.importorskip("distributed")  # a dependency: missing only in a broken install

DASK = Path(sys.executable).parent / "dask"
BUREAUS = ["shengzhou-czj", "shengzhou-gaj", "shengzhou-mzj", "shengzhou-rsj"]
KILL_RUN = sorted(p.stem for p in (SAMPLE_PARAMS / "2022").glob("*.yaml"))[:8]


def _start(cmd: list[str], log: Path) -> subprocess.Popen:
    env = dict(os.environ, OMP_NUM_THREADS="1", PYTHONWARNINGS="ignore")
    return subprocess.Popen(cmd, stdout=log.open("wb"), stderr=subprocess.STDOUT, env=env,
                            start_new_session=True)  # its own group: the finalizer ends the whole tree


def _end(proc: subprocess.Popen) -> None:
    """Kill what this test started: the process, its group, and descendants that left the group."""
    try:
        tree = psutil.Process(proc.pid).children(recursive=True)
    except psutil.Error:
        tree = []
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    for p in tree:  # kernels start in sessions of their own
        try:
            p.kill()
        except psutil.Error:
            pass
    proc.wait(timeout=10)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory, request):
    """A scheduler and two single-thread worker processes; yields (address, inspecting client)."""
    tmp = tmp_path_factory.mktemp("dask")
    sfile = tmp / "scheduler.json"
    procs = [_start([str(DASK), "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                     "--scheduler-file", str(sfile)], tmp / "scheduler.log")]
    request.addfinalizer(lambda: [_end(p) for p in reversed(procs)])
    deadline = time.monotonic() + 60
    while not sfile.exists() and time.monotonic() < deadline:
        assert procs[0].poll() is None, (tmp / "scheduler.log").read_text()
        time.sleep(0.2)
    for name in ("w1", "w2"):
        procs.append(_start([str(DASK), "worker", "--scheduler-file", str(sfile), "--nthreads", "1",
                             "--nworkers", "1", "--host", "127.0.0.1", "--no-dashboard", "--name", name],
                            tmp / f"{name}.log"))
    client = distributed.Client(scheduler_file=str(sfile), timeout=30)
    request.addfinalizer(client.close)
    client.wait_for_workers(2, timeout=90)
    return client.scheduler.address, client


@pytest.fixture(scope="module")
def city(tmp_path_factory) -> Path:
    """One copy of the sample city for every build here (read only)."""
    return Path(shutil.copytree(SAMPLE_PARAMS, tmp_path_factory.mktemp("city") / "params"))


@pytest.fixture(scope="module")
def pool_build(city, tmp_path_factory):
    """The same bureaus built by the local process pool: the bytes to match."""
    out = tmp_path_factory.mktemp("pool")
    res = batch.build(city, out, 2022, BUREAUS, jobs=2, summary=False)
    assert res.exit_code == 0
    return out / "2022"


def _ipynb_without_ids(path: Path) -> dict:
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        cell.pop("id", None)  # papermill gives the injected parameters cell a random id each run
    return nb


def test_cluster_bytes_match_the_local_pool(cluster, pool_build, city, tmp_path):
    address, _ = cluster
    out = tmp_path / "out"
    notices = []
    with DaskRunner(address, announce=notices.append) as runner:
        result = batch.build(city, out, 2022, BUREAUS, summary=False, runner=runner)
    assert result.exit_code == 0 and sorted(result.entries) == BUREAUS
    assert "2 个工作进程" in notices[0] and "仪表盘" in notices[1]
    for b in BUREAUS:
        assert (out / "2022" / f"{b}.html").read_bytes() == (pool_build / f"{b}.html").read_bytes(), b
        ours = _ipynb_without_ids(out / "2022" / f"{b}.ipynb")
        assert ours == _ipynb_without_ids(pool_build / f"{b}.ipynb"), b
        # the notebook names the client's params folder, not the worker's private copy
        assert ours.metadata.papermill.parameters.params == str(city.resolve())
    assert (out / "2022" / "index.html").read_bytes() == (pool_build / "index.html").read_bytes()


def test_a_worker_killed_mid_run_loses_nothing(cluster, city, tmp_path):
    address, client = cluster
    pids = client.run(os.getpid)  # worker address → pid of the process running its tasks
    nb = notebook_with(tmp_path, "import time\ntime.sleep(0.4)")
    out = tmp_path / "out"
    events: list[tuple[str, str]] = []
    killed: dict = {}

    def on_event(kind, bureau, entry):
        events.append((kind, bureau))
        if kind == "ok" and not killed:  # one report is in: the others are running or queued
            busy = {addr: keys for addr, keys in client.processing().items() if keys}
            addr, keys = next(iter(busy.items()))
            killed.update(pid=pids[addr], keys=set(keys))
            os.kill(pids[addr], signal.SIGKILL)

    with DaskRunner(address, announce=lambda _: None) as runner:
        result = batch.build(city, out, 2022, KILL_RUN, notebook=nb, summary=False, runner=runner,
                             on_event=on_event)
    expected = sorted(KILL_RUN)
    assert killed and killed["keys"], "the worker was killed while it held reports"
    assert not psutil.pid_exists(killed["pid"]) or psutil.Process(killed["pid"]).status() == "zombie"
    assert result.exit_code == 0, result.entries
    done = Counter(b for kind, b in events if kind != "start")
    assert sorted(done) == expected and set(done.values()) == {1}  # every report once
    assert all(kind in ("start", "ok") for kind, _ in events)
    folder = out / "2022"
    assert sorted(p.stem for p in folder.glob("*.html") if p.stem != "index") == expected
    manifest = json.loads((folder / "manifest.json").read_text())
    assert sorted(manifest["reports"]) == expected
    for b, entry in manifest["reports"].items():
        assert entry["status"] == "ok" and entry["hash"], b
        assert entry["html_bytes"] == (folder / f"{b}.html").stat().st_size, b
    assert not list(folder.glob(".*.tmp")) and not (folder / "_failed").exists()
    client.wait_for_workers(2, timeout=60)  # the nanny brought the killed worker back


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_unreachable_scheduler_is_one_chinese_paragraph(runner, sample_params, tmp_path):
    out = tmp_path / "out"
    started = time.monotonic()
    result = invoke(runner, "build", 2022, "--cluster", f"127.0.0.1:{_free_port()}",
                    params=sample_params, output=out)
    assert result.exit_code == 1
    assert "无法连接 Dask 调度器" in result.output and "dask scheduler" in result.output
    assert "Traceback" not in result.output and "内部错误" not in result.output
    assert time.monotonic() - started < 30
    assert not list(out.rglob("*.html"))  # nothing was built or written


def test_cli_local_cluster(pool_build, city, tmp_path):
    out = tmp_path / "out"
    proc = subprocess.run([str(Path(sys.executable).parent / "reportkit"), "--params", str(city),
                           "--output", str(out), "build", "2022", "--bureau", BUREAUS[0], "--no-summary",
                           "--cluster", "local", "--jobs", "1"], capture_output=True, text=True, timeout=240)
    assert proc.returncode == 0, proc.stderr
    assert "Dask 集群 tcp://127.0.0.1:" in proc.stderr
    assert "Dask 仪表盘：http://127.0.0.1:" in proc.stderr
    html = out / "2022" / f"{BUREAUS[0]}.html"
    assert html.read_bytes() == (pool_build / html.name).read_bytes()
