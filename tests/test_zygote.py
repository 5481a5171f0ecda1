"""Kernels forked from the zygote: the same reports as launched kernels, and every way the
zygote can fail ends in an ordinary kernel, never in a lost report or a stray process."""
from __future__ import annotations

import os
import signal

import psutil
import pytest

from reportkit.run.kernels import KernelPool
from reportkit.run.task import Task
from reportkit.run.zygote import Zygote, ZygoteLost
from reportkit.warm import WarmEngine
from test_batch import notebook_with


def texts(nb) -> list:
    """What a report showed, cell by cell (the outputs the page is made of)."""
    return [[o.get("data", o.get("text")) for o in c.get("outputs", [])] for c in nb.cells]


@pytest.fixture
def zygote():
    z = Zygote().start()
    yield z
    z.kill()


def parent_of(engine: WarmEngine) -> int:
    return psutil.Process(engine.kernel_pid()).ppid()


def test_a_forked_kernel_gives_what_a_launched_kernel_gives(small_params, tmp_path, zygote):
    forked, launched = WarmEngine(zygote=zygote), WarmEngine()
    try:
        for bureau in ("alpha", "beta"):
            a = forked.run(bureau, 2022, small_params, tmp_path / f"f-{bureau}.ipynb")
            b = launched.run(bureau, 2022, small_params, tmp_path / f"l-{bureau}.ipynb")
            assert texts(a) == texts(b), bureau
        assert parent_of(forked) == zygote.proc.pid  # it was forked, not launched
        assert parent_of(launched) == os.getpid()
    finally:
        forked.close()
        launched.close()


def test_a_killed_kernel_is_forked_again_and_the_report_runs(small_params, tmp_path, zygote):
    engine = WarmEngine(zygote=zygote, timeout=60)
    try:
        engine.run("alpha", 2022, small_params, tmp_path / "a.ipynb")
        first = engine.kernel_pid()
        os.kill(first, signal.SIGKILL)
        engine.run("beta", 2022, small_params, tmp_path / "b.ipynb")
        assert engine.kernel_pid() != first and parent_of(engine) == zygote.proc.pid
    finally:
        engine.close()
    assert not psutil.pid_exists(first) or psutil.Process(first).status() == psutil.STATUS_ZOMBIE


def test_without_its_zygote_a_kernel_is_launched_the_ordinary_way(small_params, tmp_path, zygote):
    engine = WarmEngine(zygote=zygote, timeout=60)
    try:
        engine.run("alpha", 2022, small_params, tmp_path / "a.ipynb")
        zygote.proc.kill()  # its kernel dies with it
        zygote.proc.wait()
        nb = engine.run("beta", 2022, small_params, tmp_path / "b.ipynb")
        assert parent_of(engine) == os.getpid()
        assert any("测试市示例局" in str(t) for t in texts(nb))
    finally:
        engine.close()


def test_a_zygote_older_than_the_source_forks_nothing(small_params, tmp_path, zygote):
    """reportkit's code changed after the zygote loaded it: a kernel forked from it would run the
    old code, so the kernel is launched instead."""
    zygote.sources = {**zygote.sources, "/reportkit/changed.py": 0.0}
    assert not zygote.usable()
    engine = WarmEngine(zygote=zygote, timeout=60)
    try:
        engine.run("alpha", 2022, small_params, tmp_path / "a.ipynb")
        assert parent_of(engine) == os.getpid()
    finally:
        engine.close()


def test_a_zygote_that_cannot_load_says_why_quietly(tmp_path, capfd):
    broken = tmp_path / "site"
    (broken / "matplotlib").mkdir(parents=True)
    (broken / "matplotlib" / "__init__.py").write_text("raise ImportError('matplotlib is broken here')\n")
    old = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = str(broken)
    try:
        z = Zygote().start()
    finally:
        os.environ.pop("PYTHONPATH") if old is None else os.environ.__setitem__("PYTHONPATH", old)
    try:
        with pytest.raises(ZygoteLost, match="matplotlib is broken here"):
            z.fork(["-f", str(tmp_path / "k.json")], dict(os.environ), str(tmp_path))
        assert z.proc.wait(timeout=10) != 0
    finally:
        z.kill()
    assert "Traceback" not in capfd.readouterr().err


def test_a_pool_leaves_no_process_behind(small_params, tmp_path):
    slow = notebook_with(tmp_path, "import time; time.sleep(0.2)")
    pool = KernelPool(2, notebook=str(slow), timeout=60).start()
    results = []
    pool.run([Task(b, 2022, str(small_params), b, "digest", notebook=str(slow)) for b in ("alpha", "beta")],
             lambda b: None, results.append)
    family = psutil.Process().children(recursive=True)
    assert sorted(r.status for r in results) == ["ok", "ok"]
    assert {pool.zygote.proc.pid} | {e.kernel_pid() for e in pool.engines} <= {p.pid for p in family}
    pool.close()
    gone, alive = psutil.wait_procs(family, timeout=10)
    assert not alive, [p.cmdline()[:4] for p in alive]


def test_a_killed_pool_ends_its_kernels_and_zygote_at_once(small_params, tmp_path):
    pool = KernelPool(2, notebook=str(notebook_with(tmp_path, "pass")), timeout=60).start()
    pool.run_one(Task("alpha", 2022, str(small_params), "alpha", "digest",
                      notebook=str(tmp_path / "nb.ipynb")))
    family = [psutil.Process(pool.zygote.proc.pid), *psutil.Process(pool.zygote.proc.pid).children()]
    assert len(family) >= 2  # the zygote and at least the kernel that ran alpha
    pool.kill()
    gone, alive = psutil.wait_procs(family, timeout=5)
    assert not alive
