"""The warm engine: identical output to fresh kernels, and nothing leaks from one report to the next."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_batch import html_files, notebook_with

from reportkit import batch
from reportkit.errors import ExecutionFailed
from reportkit.warm import WarmEngine

REPO = Path(__file__).resolve().parents[1]


# every third sample bureau (6 of 17): the warm build runs them one after another in one kernel
SOME = sorted(p.stem for p in (REPO / "params" / "2022").glob("*.yaml"))[::3]


def test_warm_and_cold_build_byte_identical_html(tmp_path):
    cold = batch.build(REPO / "params", tmp_path / "cold", 2022, SOME, engine="cold", jobs=2, summary=False)
    warm = batch.build(REPO / "params", tmp_path / "warm", 2022, SOME, engine="warm", jobs=1, summary=False)
    assert cold.exit_code == warm.exit_code == 0
    a, b = html_files(tmp_path / "cold" / "2022"), html_files(tmp_path / "warm" / "2022")
    assert len(a) == len(SOME) + 1 and a.keys() == b.keys()  # the reports and the index
    for name in a:
        if name != "index.html":
            assert a[name] == b[name], name


PROBE = '''
import json, os, sys
import matplotlib, matplotlib.pyplot as plt, pandas as pd
print(json.dumps({"rc": matplotlib.rcParams["lines.linewidth"], "pd": pd.get_option("display.max_rows"),
                  "cwd": os.getcwd(), "env": os.environ.get("RK_LEAK"), "global": globals().get("LEAKED"),
                  "path": "/leak" in sys.path, "figures": len(plt.get_fignums())}))
if bureau == "alpha":
    matplotlib.rcParams["lines.linewidth"] = 9
    pd.set_option("display.max_rows", 3)
    os.chdir("/")
    os.environ["RK_LEAK"] = "1"
    LEAKED = 1
    sys.path.append("/leak")
    plt.figure()
'''


def probe_output(nb) -> dict:
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream" and out["text"].startswith("{"):
                return json.loads(out["text"])
    raise AssertionError("probe printed nothing")


def test_nothing_leaks_between_reports_in_one_kernel(small_params, tmp_path):
    engine = WarmEngine(notebook=notebook_with(tmp_path, PROBE))
    try:
        first = probe_output(engine.run("alpha", 2022, small_params, tmp_path / "a.ipynb"))
        second = probe_output(engine.run("beta", 2022, small_params, tmp_path / "b.ipynb"))
        third = probe_output(engine.run("alpha", 2022, small_params, tmp_path / "c.ipynb"))
    finally:
        engine.close()
    assert first == second == third
    assert second["env"] is None and second["global"] is None and second["figures"] == 0
    # pandas is not preloaded: a report importing it gets a new kernel next (tests/test_isolation.py)
    assert all("newly imported" in r for r in engine.restart_reasons), engine.restart_reasons


def test_a_crashing_kernel_is_replaced_and_the_batch_goes_on(small_params, tmp_path):
    crash = notebook_with(tmp_path, 'if bureau == "alpha":\n    import os; os._exit(1)')
    engine = WarmEngine(notebook=crash, timeout=60)
    try:
        with pytest.raises(ExecutionFailed) as info:
            engine.run("alpha", 2022, small_params, tmp_path / "a.ipynb")
        assert info.value.bureau == "alpha"
        assert (tmp_path / "a.ipynb").exists()
        nb = engine.run("beta", 2022, small_params, tmp_path / "b.ipynb")
        assert any("测试市示例局" in o.get("data", {}).get("text/html", "")
                   for c in nb.cells for o in c.get("outputs", []))
    finally:
        engine.close()
    assert engine.restarts >= 1


def test_a_hung_report_times_out_and_the_kernel_recovers(small_params, tmp_path):
    hang = notebook_with(tmp_path, 'if bureau == "alpha":\n    import time; time.sleep(600)')
    engine = WarmEngine(notebook=hang, timeout=3)
    try:
        with pytest.raises(ExecutionFailed) as info:
            engine.run("alpha", 2022, small_params, tmp_path / "a.ipynb")
        assert "超时" in info.value.message
        engine.run("beta", 2022, small_params, tmp_path / "b.ipynb")
    finally:
        engine.close()
