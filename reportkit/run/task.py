"""One report as a picklable task and its result: executed notebook and HTML as bytes.

``run_task(task)`` runs anywhere (a pool worker, a Dask worker, the parent itself): it
executes the master notebook in a private temporary folder, exports the HTML and returns
everything in a :class:`TaskResult`. It never raises and never touches the output folder.
"""
from __future__ import annotations

import shutil
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from ..errors import ExecutionFailed, RenderFailed
from ..execute import NOTEBOOK, ColdEngine, describe, without_pyarrow_fs
from ..kernelenv import batch_environment


@dataclass(frozen=True)
class Task:
    """What a worker needs to build one report; small and picklable (paths as strings)."""

    bureau: str
    year: int
    params_dir: str          # absolute
    title: str
    digest: str              # manifest input hash, handed back unchanged
    engine: str = "warm"     # "warm" | "cold"
    notebook: str = str(NOTEBOOK)
    timeout: int = 300
    generation: str = ""     # the build's lock token, handed back unchanged
    formats: tuple[str, ...] = ("html",)  # html plus any derived ones (docx, pdf)
    summary_notebook: str = ""  # set: this task is the year's roll-up (bureau "summary"), run
    output_dir: str = ""        # with ``notebook``'s engine (a kernel already warm); absolute


@dataclass
class TaskResult:
    """A finished (or failed) report: the bytes to write and how it went."""

    bureau: str
    status: str                       # ok | failed
    digest: Optional[str] = None
    generation: str = ""
    html: bytes = b""
    ipynb: bytes = b""
    failed_html: bytes = b""          # the error notebook as HTML, code included
    failed_ipynb: bytes = b""
    derived: dict[str, bytes] = field(default_factory=dict)  # docx/pdf bytes, made from ``html``
    error: Optional[str] = None
    cell: Optional[int] = None
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)
    lost: bool = False                # the worker died (not the notebook's failure)


def make_engine(name: str, timeout: int, notebook: Path = NOTEBOOK):
    """The engine called ``name``: ``warm`` (one reused kernel) or ``cold`` (papermill per report)."""
    if name == "warm":
        from ..warm import WarmEngine

        return WarmEngine(notebook=notebook, timeout=timeout)
    return ColdEngine(notebook=notebook, timeout=timeout)


# One engine and exporter pair per process, keyed by what makes them differ. The threads of a
# :class:`~reportkit.run.kernels.KernelPool` share the exporters (its templates compiled once),
# one export at a time.
_ENGINES: dict[tuple, object] = {}
_EXPORTERS: dict[bool, object] = {}
_EXPORTING = threading.RLock()


def process_engine(name: str, timeout: int, notebook: str):
    """This process's engine for (name, timeout, notebook), created on first use."""
    key = (name, timeout, str(notebook))
    if key not in _ENGINES:
        batch_environment()  # once per process, whoever runs it (pool worker, Dask worker)
        without_pyarrow_fs()
        close_engines()  # one kernel per process at a time
        _ENGINES[key] = make_engine(name, timeout, Path(notebook))
    return _ENGINES[key]


def close_engines() -> None:
    """Shut this process's engines (their kernels) down now."""
    for old in list(_ENGINES.values()):
        getattr(old, "close", lambda: None)()
    _ENGINES.clear()


def prepare_worker(engine: str = "warm", timeout: int = 300, notebook: str = str(NOTEBOOK)) -> None:
    """Get a worker process ready: batch environment, its engine, the kernel launched early.

    Optional (``run_task`` does the same lazily); a runner calls it when a worker starts so the
    kernel boots while the worker imports nbconvert.
    """
    engine_ = process_engine(engine, timeout, notebook)
    if hasattr(engine_, "launch"):
        engine_.launch()
        engine_.prepare()
    warm_exporter()
    _exporter(True)


def warm_exporter() -> None:
    """Make the report exporter and load its templates (an empty notebook exported), so that
    the first report's export does not pay for it; a runner calls it while its kernel boots."""
    import nbformat

    _export(nbformat.v4.new_notebook(), "", False)


def _exporter(failed: bool):
    with _EXPORTING:
        if failed not in _EXPORTERS:
            from ..export import FailedReportExporter, ReportExporter

            _EXPORTERS[failed] = FailedReportExporter() if failed else ReportExporter()
        return _EXPORTERS[failed]


def _export(nb, title: str, failed: bool) -> str:
    """The page of ``nb`` through this process's exporter (one export at a time)."""
    from ..export import to_html

    with _EXPORTING:
        return to_html(nb, title, _exporter(failed), failed=failed)


def run_task(task: Task, engine=None) -> TaskResult:
    """Execute and export one report; returns its bytes or its error, never raises."""
    import nbformat

    started = time.perf_counter()
    result = TaskResult(task.bureau, "failed", digest=task.digest, generation=task.generation)
    work = Path(tempfile.mkdtemp(prefix=f"reportkit-{task.bureau}-"))
    tmp_nb = work / f"{task.bureau}.ipynb"
    try:
        engine = engine or process_engine(task.engine, task.timeout, task.notebook)
        if task.summary_notebook:
            nb = engine.execute(Path(task.summary_notebook), {"year": int(task.year), "params": task.params_dir,
                                                              "output": task.output_dir}, tmp_nb, task.bureau)
        else:
            nb = engine.run(task.bureau, int(task.year), Path(task.params_dir), tmp_nb)
        result.timings["execute"] = round(time.perf_counter() - started, 3)
        result.html = _export(nb, task.title, False).encode("utf-8")
        result.ipynb = nbformat.writes(nb).encode("utf-8")
        result.timings["export"] = round(time.perf_counter() - started - result.timings["execute"], 3)
        if set(task.formats) - {"html"}:  # all or nothing: a report whose PDF fails is not written
            from ..render import derive

            result.derived = derive(result.html, task.formats)
        result.status = "ok"
    except RenderFailed as exc:  # the notebook ran; its Word/PDF could not be made
        result.error = str(exc)
    except ExecutionFailed as exc:
        result.error, result.cell = exc.message, exc.cell
        _keep_failed(result, tmp_nb, task.title)
    except Exception as exc:  # noqa: BLE001 — recorded, never a traceback
        result.error = describe(exc)
        _keep_failed(result, tmp_nb, task.title)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if result.status != "ok":
        result.digest = None  # a failed report is always retried
        result.html = result.ipynb = b""
        result.derived = {}
    result.seconds = round(time.perf_counter() - started, 2)
    return result


def _keep_failed(result: TaskResult, tmp_nb: Path, title: str) -> None:
    """The error notebook and an HTML of it (code included), for ``_failed/``."""
    import nbformat

    if not tmp_nb.is_file():
        return
    try:
        result.failed_ipynb = tmp_nb.read_bytes()
        nb = nbformat.reads(result.failed_ipynb.decode("utf-8"), as_version=4)
        result.failed_html = _export(nb, f"【生成失败】{title}", True).encode("utf-8")
    except Exception:  # noqa: BLE001 — the report already failed; keep what we can
        pass
