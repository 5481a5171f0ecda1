"""Warm-kernel isolation (issue 13.7): what one report changes never reaches the next one.

Each notebook prints the kernel's state first, then — for bureau ``alpha`` only — changes it
the way an analyst's cell might. ``alpha`` runs first in a fresh kernel, so its print is what a
cold kernel shows; ``beta`` runs next in the same warm kernel and must print the same.
State that can be put back is put back without a new kernel; what cannot (modules, threads,
reportkit's own data) makes the engine start a new kernel, and says why.
"""
from __future__ import annotations

import json

import pytest
from test_batch import notebook_with

from reportkit.warm import WarmEngine

PROBE = '''
import decimal, json, locale, os, sys, warnings, numpy as np
from reportkit.model import SPEC
from reportkit import narrative
print(json.dumps({
    "decimal": [decimal.getcontext().prec, str(decimal.Decimal(1) / decimal.Decimal(3)),
                decimal.DefaultContext.prec],
    "numpy": [np.get_printoptions()["precision"], repr(np.array([1 / 3])), np.geterr()["divide"]],
    "warnings": len(warnings.filters), "locale": locale.setlocale(locale.LC_ALL),
    "digits": sys.get_int_max_str_digits(), "recursion": sys.getrecursionlimit(),
    "json": json.dumps([1]), "thread_env": os.environ.get("RK_THREAD"),
    "stats": getattr(sys.modules.get("statistics"), "forged", None), "spec": SPEC.proactive_rows[0].label, "words": sorted(narrative.OUTCOME_WORDS.items())[:2],
}, ensure_ascii=False))
'''

RESTORED = '''
if bureau == "alpha":
    decimal.getcontext().prec = 3
    decimal.DefaultContext.prec = 4
    np.set_printoptions(precision=2)
    np.seterr(divide="raise")
    warnings.simplefilter("error")
    locale.setlocale(locale.LC_ALL, "C.UTF-8")
    sys.set_int_max_str_digits(640)
    sys.setrecursionlimit(200)
    get_ipython().display_formatter.formatters["text/html"].for_type(int, lambda n: "<b>forged</b>")
'''

RESTART = {
    "a module replaced in sys.modules": ('''
if bureau == "alpha":
    import types
    sys.modules["json"] = types.SimpleNamespace(dumps=lambda *a, **k: "forged")
''', "module json removed or replaced"),
    "a thread left running": ('''
if bureau == "alpha":
    import threading, time
    def _keep_setting():
        while True:
            os.environ["RK_THREAD"] = "leaked"
            time.sleep(0.02)
    threading.Thread(target=_keep_setting, daemon=True).start()
''', "still running"),
    "reportkit's format data mutated in place": ('''
if bureau == "alpha":
    object.__setattr__(SPEC.proactive_rows[0], "label", "篡改")
    narrative.OUTCOME_WORDS["aaa"] = "篡改"
''', "reportkit module data changed"),
    "a module imported by the report": ('''
if bureau == "alpha":
    import fractions, statistics  # not loaded by the master notebook
    statistics.__dict__["forged"] = True
''', "newly imported"),
}


def probes(nb) -> list[dict]:
    return [json.loads(o["text"]) for c in nb.cells for o in c.get("outputs", [])
            if o.get("output_type") == "stream" and o["text"].startswith("{")]


def run_pair(tmp_path, params, code: str) -> tuple[dict, dict, WarmEngine]:
    """alpha then beta in one warm kernel; the state each saw before the notebook's changes."""
    engine = WarmEngine(notebook=notebook_with(tmp_path, PROBE + code))
    try:
        first = probes(engine.run("alpha", 2022, params, tmp_path / "a.ipynb"))
        if code.strip():  # "thread left running": give it time to act before the next report
            import time
            time.sleep(0.2)
        second = probes(engine.run("beta", 2022, params, tmp_path / "b.ipynb"))
    finally:
        engine.close()
    assert len(first) == len(second) == 1
    return first[0], second[0], engine


def test_process_state_is_put_back_without_a_new_kernel(small_params, tmp_path):
    first, second, engine = run_pair(tmp_path, small_params, RESTORED)
    assert second == first
    assert first["decimal"][0] == 28 and first["numpy"][0] == 8
    assert engine.restarts == 0, engine.restart_reasons


@pytest.mark.parametrize("label", list(RESTART))
def test_what_cannot_be_put_back_gets_a_new_kernel(small_params, tmp_path, label):
    code, reason = RESTART[label]
    first, second, engine = run_pair(tmp_path, small_params, code)
    assert second == first
    assert first["thread_env"] is None and first["spec"] != "篡改" and first["json"] == "[1]"
    assert engine.restarts == 1 and reason in engine.restart_reasons[0], engine.restart_reasons


def test_master_notebook_keeps_its_kernel(small_params, tmp_path):
    """The checks must not cost the warm engine its point: the real notebook never restarts."""
    from reportkit.execute import NOTEBOOK

    engine = WarmEngine(notebook=NOTEBOOK)
    try:
        for bureau in ("alpha", "beta", "alpha"):
            engine.run(bureau, 2022, small_params, tmp_path / f"{bureau}.ipynb")
    finally:
        engine.close()
    assert engine.restarts == 0, engine.restart_reasons
