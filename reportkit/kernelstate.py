"""Kernel-side half of the warm engine: load once, then put the kernel back between reports.

``bootstrap()`` runs once in a fresh kernel: heavy imports, the CJK font, and a snapshot of
everything a report may change. ``reset()`` runs before every report: a fresh user namespace,
rcParams and pandas options, cwd, environment and sys.path as snapshotted, figures closed.
It returns ``"restart"`` when reportkit's own source changed since the snapshot, so the engine
starts a new kernel instead of running stale code.
"""
from __future__ import annotations

import json
import re
import os
import sys
import warnings
from pathlib import Path

_SNAPSHOT: dict = {}
_CACHE_NAME = re.compile(r"^_i?\d+$")  # IPython's _4 / _i4 input and output caches


def _sources() -> dict[str, float]:
    root = Path(__file__).resolve().parent
    return {str(p): p.stat().st_mtime for p in root.rglob("*") if p.suffix in (".py", ".j2", ".css", ".yaml")}


def bootstrap() -> str:
    """Import what reports use, register the font, and snapshot the kernel's state."""
    import matplotlib

    from . import charts, report  # noqa: F401 — the heavy imports, done once

    charts.cjk_font()
    _SNAPSHOT.update(
        rc=dict(matplotlib.rcParams),
        cwd=os.getcwd(),
        env=dict(os.environ),
        path=list(sys.path),
        sources=_sources(),
    )
    return json.dumps({"pid": os.getpid()})


def _reset_pandas() -> None:
    """Pandas options back to pandas' defaults (only if a report imported pandas at all)."""
    if "pandas" not in sys.modules:
        return
    import pandas as pd
    from pandas._config import config

    for key, option in config._registered_options.items():
        if key in config._deprecated_options:
            continue
        try:
            if pd.get_option(key) != option.defval:
                pd.set_option(key, option.defval)
        except Exception:  # noqa: BLE001 — an option pandas refuses to set back is left alone
            pass


def _fresh_namespace(shell) -> None:
    """What ``%reset -f`` does, without its full garbage collection (≈60 ms a report)."""
    hidden = shell.user_ns_hidden
    for name in [n for n in shell.user_ns if n not in hidden or _CACHE_NAME.match(n)]:
        del shell.user_ns[name]
        hidden.pop(name, None)
    history = shell.history_manager
    history.input_hist_parsed[:] = [""]
    history.input_hist_raw[:] = [""]
    history.output_hist.clear()
    history.output_hist_reprs.clear()
    for name in ("_", "__", "___", "_i", "_ii", "_iii"):
        shell.user_ns[name] = ""
    shell.execution_count = 1


def reset() -> str:
    """Put the kernel back to its snapshot; 'restart' if reportkit's code changed on disk."""
    import matplotlib
    import matplotlib.pyplot as plt

    if _sources() != _SNAPSHOT["sources"]:
        return "restart"
    _fresh_namespace(get_ipython())  # noqa: F821 — defined inside an IPython kernel
    plt.close("all")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        matplotlib.rcParams.clear()
        dict.update(matplotlib.rcParams, _SNAPSHOT["rc"])
        _reset_pandas()
    os.chdir(_SNAPSHOT["cwd"])
    os.environ.clear()
    os.environ.update(_SNAPSHOT["env"])
    sys.path[:] = _SNAPSHOT["path"]
    return "ok"
