"""Run the master notebook for one bureau and year: papermill's parameterize + nbclient.

The cold engine starts a fresh kernel per report through ``papermill.execute_notebook``.
A report that raises has its notebook written first (papermill does that), then
:class:`~reportkit.errors.ExecutionFailed` is raised with the failing cell and error line.
"""
from __future__ import annotations

import json
import logging
import tempfile
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Optional

from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

from .errors import ExecutionFailed, ReportkitError
from .masters import packaged

if TYPE_CHECKING:  # imported where used: a kernel is launched before nbformat (and jsonschema) loads
    import nbformat

KERNEL_NAME = "reportkit"
PACKAGE_ROOT = Path(__file__).resolve().parent
NOTEBOOK = packaged("report")            # package data; a project's own copy wins (masters.project_notebook)
SUMMARY_NOTEBOOK = packaged("summary")
START_RETRIES = 3
# Messages of kernel start-up failures worth a retry (port races when kernels start in parallel).
TRANSIENT = ("Address already in use", "Kernel died before replying", "Kernel didn't respond",
             "kernel_info", "ZMQError")

log = logging.getLogger("reportkit")


def kernel_argv() -> list[str]:
    """This interpreter, quiet: the kernel's start-up warnings would otherwise reach the terminal."""
    return [sys.executable, "-Xfrozen_modules=off", "-m", "ipykernel_launcher",
            "-f", "{connection_file}", "--IPKernelApp.log_level=CRITICAL",
            # jupyter_client only adds nbclient's ipython_hist_file for kernels named python3; parallel
            # kernels sharing ~/.ipython/history.sqlite print "ERROR! Session/line number was not unique"
            "--HistoryManager.hist_file=:memory:"]


def ensure_kernel(name: str = KERNEL_NAME) -> str:
    """Make sure kernelspec ``name`` runs *this* Python; install it into sys.prefix if not.

    A run must never pick up another environment's interpreter.
    """
    manager = KernelSpecManager()
    try:
        spec = manager.get_kernel_spec(name)
        if spec.argv == kernel_argv():
            return name
    except NoSuchKernel:
        pass
    with tempfile.TemporaryDirectory() as tmp:
        spec = {"argv": kernel_argv(), "display_name": "Python (reportkit)", "language": "python",
                "env": {"PYDEVD_DISABLE_FILE_VALIDATION": "1"}, "metadata": {"debugger": True}}
        (Path(tmp) / "kernel.json").write_text(json.dumps(spec, indent=1))
        manager.install_kernel_spec(tmp, name, prefix=sys.prefix)
    return name


def parameters(bureau: str, year: int, params_dir: Path) -> dict:
    """The notebook's parameters: ASCII only (papermill escapes anything else)."""
    return {"bureau": bureau, "year": int(year), "params": str(Path(params_dir).resolve())}


def _transient(exc: BaseException) -> bool:
    text = f"{type(exc).__name__}: {exc}"
    return any(t in text for t in TRANSIENT)


def error_line(ename: str, evalue: str) -> str:
    """The first line of a notebook exception: 'RuntimeError: boom'."""
    text = f"{ename}: {evalue}".strip() if evalue else ename
    return text.splitlines()[0]


def describe(exc: BaseException, timeout: int = 0) -> str:
    """One line for an execution error that is not the notebook's own exception."""
    if timeout and ("timed out" in str(exc).lower() or type(exc).__name__ in ("CellTimeoutError", "TimeoutError")):
        return f"超时：单元格运行超过 {timeout} 秒，内核已终止"
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text.splitlines()[0] if text else ''}".rstrip(": ")


def without_pyarrow_fs() -> None:
    """Keep papermill from importing pyarrow (≈50 MiB) in processes that only run notebooks.

    papermill's I/O layer imports ``pyarrow.fs`` for hdfs:// paths, which reportkit never
    uses; a batch worker blocks it before papermill is first imported.
    """
    if "papermill" not in sys.modules:
        sys.modules.setdefault("pyarrow.fs", None)


@contextmanager
def pyarrow_fs_blocked():
    """:func:`without_pyarrow_fs` while papermill is first imported, in a process that may want
    pyarrow afterwards (the command's own, a library caller's): the block is lifted again."""
    unblock = "pyarrow.fs" not in sys.modules
    try:
        without_pyarrow_fs()
        yield
    finally:
        if unblock and "pyarrow.fs" in sys.modules and sys.modules["pyarrow.fs"] is None:
            del sys.modules["pyarrow.fs"]


def failure_from(exc, bureau: str, notebook: Optional[Path]) -> ExecutionFailed:
    """Turn papermill's error into ours: failing cell number and the error's first line."""
    return ExecutionFailed(error_line(exc.ename, exc.evalue), bureau=bureau, cell=exc.cell_index,
                           notebook=str(notebook) if notebook else None)


class ColdEngine:
    """A fresh kernel per report (papermill's own path)."""

    name = "cold"

    def __init__(self, notebook: Path = NOTEBOOK, kernel: str = KERNEL_NAME, timeout: int = 300):
        self.notebook, self.kernel, self.timeout = Path(notebook), kernel, timeout

    def run(self, bureau: str, year: int, params_dir: Path, out_path: Path) -> nbformat.NotebookNode:
        """Execute one report into ``out_path``; raises ExecutionFailed (notebook kept)."""
        return self.execute(self.notebook, parameters(bureau, year, params_dir), out_path, bureau)

    def execute(self, notebook: Path, params: dict, out_path: Path, label: str) -> nbformat.NotebookNode:
        """Run any notebook with papermill, retrying kernel start-up failures."""
        import papermill
        from papermill.exceptions import PapermillExecutionError

        last: Optional[BaseException] = None
        for attempt in range(1, START_RETRIES + 1):
            try:
                return papermill.execute_notebook(
                    str(notebook), str(out_path), parameters=params,
                    kernel_name=self.kernel, progress_bar=False, log_output=False,
                    request_save_on_cell_execute=False, execution_timeout=self.timeout,
                    start_timeout=60, ipython_hist_file=":memory:",
                )
            except PapermillExecutionError as exc:
                raise failure_from(exc, label, out_path) from None
            except ReportkitError:
                raise
            except Exception as exc:  # noqa: BLE001 — kernel start-up and timeouts
                last = exc
                if _transient(exc) and attempt < START_RETRIES:
                    log.info("%s: kernel start failed (%s), retry %d", label, exc, attempt)
                    time.sleep(0.5 * attempt)
                    continue
                raise ExecutionFailed(describe(exc, self.timeout), bureau=label,
                                      notebook=str(out_path) if out_path.exists() else None) from None
        raise ExecutionFailed(f"内核启动失败：{last}", bureau=label)

    def close(self) -> None:
        pass
