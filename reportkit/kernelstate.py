"""Kernel-side half of the warm engine: load once, then put the kernel back between reports.

``bootstrap()`` runs once in a fresh kernel: heavy imports, the CJK font, and a snapshot of
everything a report may change. ``reset()`` runs before every report: a fresh user namespace,
rcParams and pandas options, cwd, environment and sys.path as snapshotted, figures closed, and
the process-wide state of :mod:`reportkit.isolation` put back. It returns ``"restart: <why>"``
when reportkit's own source changed, or when the last report changed what cannot be put back
(modules, threads, reportkit's data): the engine then starts a new kernel.
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


def sources() -> dict[str, float]:
    """Modification times of reportkit's code, templates and format (scandir: ¼ of rglob's time)."""
    out, stack = {}, [str(Path(__file__).resolve().parent)]
    while stack:
        with os.scandir(stack.pop()) as entries:
            for e in entries:
                if e.is_dir(follow_symlinks=False):
                    stack.append(e.path)
                elif e.name.endswith((".py", ".j2", ".css", ".yaml")):
                    out[e.path] = e.stat().st_mtime
    return out


def preload() -> None:
    """Import what reports use, register the font, draw once; idempotent.

    The warm engine has the kernel run this while it starts (``exec_lines``), before anyone
    connects: the imports overlap with the worker's own start-up and the parent's validation.
    """
    if _SNAPSHOT.get("preloaded"):
        return
    _SNAPSHOT["sources"] = sources()  # before the imports: a change made while they run is seen
    from . import charts, isolation, masters, report  # noqa: F401 — the heavy imports, done once
    from .rules import causes  # noqa: F401 — imported lazily by the rule book (a cycle otherwise)

    charts.cjk_font()
    _warm_up(charts)
    _SNAPSHOT["preloaded"] = True


def bootstrap() -> str:
    """:func:`preload` (if the kernel has not yet), then snapshot the kernel's state."""
    import matplotlib

    from . import isolation

    preload()
    shell = get_ipython()  # noqa: F821 — defined inside an IPython kernel
    _SNAPSHOT.update(
        rc=dict(matplotlib.rcParams),
        cwd=os.getcwd(),
        env=dict(os.environ),
        path=list(sys.path),
        process=isolation.Restorable(shell),
    )
    _SNAPSHOT["baseline"] = isolation.Baseline()  # last: every module of the snapshot loaded
    return json.dumps({"pid": os.getpid()})


def _warm_up(charts) -> None:
    """Do once what a report does lazily (chart backend, image plugins, codecs), so that a
    module imported during a report means the report imported something of its own."""
    import encodings.unicode_escape  # noqa: F401
    import encodings.utf_8_sig  # noqa: F401
    import zmq.utils.garbage  # noqa: F401 — ipykernel's zero-copy sends load it on the first big output

    from PIL import Image

    from . import model, templating, wording

    charts.trend([2021, 2022], {"x": [1, 2]}, "warm-up")
    Image.init()
    templating.lab_css()  # the notebook's Lab stylesheet: tinycss2 loads its codecs lazily
    model.models()  # the format file and the models built from it: read on first use, not at import
    # Compiled once here, not by every kernel's first report (≈40 ms): a report's templates (not
    # the roll-up's or the index's) and the packaged master's sentences. A zygote's kernels share them.
    env = templating.environment()
    for name in env.list_templates(filter_func=lambda n: n.endswith(".j2") and not n.startswith(("summary_", "index"))):
        env.get_template(name)
    wording.defaults("report")


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
    """Put the kernel back to its snapshot; 'restart: <why>' when that cannot be done here."""
    import matplotlib
    import matplotlib.pyplot as plt

    if sources() != _SNAPSHOT["sources"]:
        return "restart: reportkit source changed"
    plt.close("all")
    why = _SNAPSHOT["baseline"].why_restart()
    if why:
        return f"restart: {why}"
    _fresh_namespace(get_ipython())  # noqa: F821 — defined inside an IPython kernel
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        matplotlib.rcParams.clear()
        dict.update(matplotlib.rcParams, _SNAPSHOT["rc"])
        _reset_pandas()
    _SNAPSHOT["process"].restore()
    os.chdir(_SNAPSHOT["cwd"])
    os.environ.clear()
    os.environ.update(_SNAPSHOT["env"])
    sys.path[:] = _SNAPSHOT["path"]
    return "ok"
