"""Kernel-side half of the warm engine: load once, then put the kernel back between reports.

``bootstrap()`` runs once in a fresh kernel: heavy imports, the CJK font, and a snapshot of
everything a report may change. ``reset()`` runs before every report: a fresh user namespace,
rcParams and pandas options, cwd, environment and sys.path as snapshotted, figures closed.
It returns ``"restart"`` when reportkit's own source changed since the snapshot, so the engine
starts a new kernel instead of running stale code.
"""
from __future__ import annotations

import json
import os
import sys
import warnings
from pathlib import Path

_SNAPSHOT: dict = {}


def _sources() -> dict[str, float]:
    root = Path(__file__).resolve().parent
    return {str(p): p.stat().st_mtime for p in root.rglob("*") if p.suffix in (".py", ".j2", ".css", ".yaml")}


def bootstrap() -> str:
    """Import what reports use, register the font, and snapshot the kernel's state."""
    import matplotlib
    import pandas as pd

    from . import charts, report  # noqa: F401 — the heavy imports, done once

    charts.cjk_font()
    _SNAPSHOT.update(
        rc=dict(matplotlib.rcParams),
        pandas=_pandas_options(pd),
        cwd=os.getcwd(),
        env=dict(os.environ),
        path=list(sys.path),
        sources=_sources(),
    )
    return json.dumps({"pid": os.getpid()})


def _pandas_options(pd) -> dict:
    from pandas._config import config

    return {key: pd.get_option(key) for key in config._registered_options
            if key not in config._deprecated_options}


def reset() -> str:
    """Put the kernel back to its snapshot; 'restart' if reportkit's code changed on disk."""
    import matplotlib
    import matplotlib.pyplot as plt
    import pandas as pd

    if _sources() != _SNAPSHOT["sources"]:
        return "restart"
    shell = get_ipython()  # noqa: F821 — defined inside an IPython kernel
    shell.reset(new_session=True, aggressive=False)
    plt.close("all")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        matplotlib.rcParams.clear()
        dict.update(matplotlib.rcParams, _SNAPSHOT["rc"])
        for key, value in _SNAPSHOT["pandas"].items():
            if pd.get_option(key) != value:
                pd.set_option(key, value)
    os.chdir(_SNAPSHOT["cwd"])
    os.environ.clear()
    os.environ.update(_SNAPSHOT["env"])
    sys.path[:] = _SNAPSHOT["path"]
    return "ok"
