"""The warm engine: one kernel, started once (or forked from a zygote), reused for many reports.

Parameters are injected with papermill's own ``parameterize_notebook``; cells run through
one long-lived nbclient client (``papermill.execute_notebook(km=...)`` would open a new
client per call and leak its sockets and threads). Between reports the kernel is reset
(:mod:`reportkit.kernelstate`); a kernel that dies, hangs past the timeout or grows past
``max_rss`` is replaced and the report retried once.
"""
from __future__ import annotations

import atexit
import copy
import logging
import time
from pathlib import Path
from typing import Optional

from typing import TYPE_CHECKING

import psutil

from .errors import ExecutionFailed
from .execute import KERNEL_NAME, NOTEBOOK, START_RETRIES, describe, error_line, parameters

if TYPE_CHECKING:  # nbclient and nbformat (with jsonschema) are imported after the kernel is launched
    import nbformat
    from jupyter_client.manager import AsyncKernelManager
    from nbclient import NotebookClient

log = logging.getLogger("reportkit")
BOOTSTRAP = "import reportkit.kernelstate as _rk; _rk.bootstrap()"
PRELOAD = "import reportkit.kernelstate as _rk; _rk.preload()"  # run by the kernel as it starts
RESET = "import reportkit.kernelstate as _rk; print(_rk.reset())"
MAX_RSS = 600 * 1024 * 1024
# The preload runs as the kernel starts. ipykernel sleeps 0.5 ms after every cell so that a client
# reading only the reply has the outputs (nbclient waits for the cell's idle status instead).
KERNEL_ARGS = [f"--IPKernelApp.exec_lines={PRELOAD}", "--Kernel._execute_sleep=0"]


class WarmEngine:
    """Run many reports in one kernel, each as if in a fresh one."""

    name = "warm"

    def __init__(self, notebook: Path = NOTEBOOK, kernel: str = KERNEL_NAME, timeout: int = 300,
                 max_rss: int = MAX_RSS, zygote=None, close_at_exit: bool = True):
        self.notebook, self.kernel, self.timeout, self.max_rss = Path(notebook), kernel, timeout, max_rss
        self.zygote = zygote  # a reportkit.run.zygote.Zygote: kernels are forked from it when it can
        self.closed = False  # closed by its pool: no kernel is started again
        self._source = None  # the master notebook, read on first use: the kernel is launched before
        self._others: dict[str, tuple] = {}  # other notebooks run here (the roll-up): path → (stamp, node)
        self.client: Optional["NotebookClient"] = None
        self._launched: Optional["AsyncKernelManager"] = None  # started, not yet connected
        self.restarts = 0
        self.restart_reasons: list[str] = []  # why each reset gave way to a new kernel
        if close_at_exit:  # a pool whose threads own their engines ends them itself, in those threads
            atexit.register(self.close)

    # --- kernel lifecycle -----------------------------------------------------------------
    def launch(self) -> None:
        """Start the kernel process without waiting for it (it boots while the worker imports).

        Through jupyter_client alone (nbclient's own kernel manager class and arguments): nbclient
        and nbformat are imported while the kernel boots.
        """
        if self.client is None and self._launched is None:
            from jupyter_client.manager import AsyncKernelManager
            from jupyter_core.utils import run_sync

            km = AsyncKernelManager(kernel_name=self.kernel)
            if self.zygote is not None:
                import uuid

                from .run.forked import ForkProvisioner

                km.kernel_id = str(uuid.uuid4())
                km.provisioner = ForkProvisioner(kernel_id=km.kernel_id, kernel_spec=km.kernel_spec, parent=km,
                                                 zygote=self.zygote)
            try:
                run_sync(km.start_kernel)(extra_arguments=KERNEL_ARGS)
                self._launched = km
            except Exception:  # noqa: BLE001 — _start tries again and reports
                self._stop(self._client(km))

    def _client(self, km: "AsyncKernelManager") -> "NotebookClient":
        """The nbclient client that drives the launched kernel ``km``."""
        import nbformat
        from nbclient import NotebookClient

        return NotebookClient(nbformat.v4.new_notebook(), km=km, kernel_name=self.kernel, timeout=self.timeout,
                              startup_timeout=60, ipython_hist_file=":memory:", allow_errors=False,
                              record_timing=False, shutdown_kernel="immediate",
                              extra_arguments=KERNEL_ARGS)

    def warm(self) -> None:
        """Launch and connect the kernel and snapshot it now, not at the first report."""
        if self.client is None:
            self._start()

    def _start(self) -> None:
        last = None
        for _ in range(START_RETRIES):
            if self.closed:
                raise ExecutionFailed("内核已随批处理结束而关闭", bureau="（预热内核）")
            self.launch()
            km, self._launched = self._launched, None
            if km is None:
                continue
            client = self._client(km)
            try:
                _connect(client)
                self.client = client
                self._run_code(BOOTSTRAP)
                return
            except Exception as exc:  # noqa: BLE001 — port races: try again with new ports
                last = exc
                self._stop(client)
        raise ExecutionFailed(f"内核启动失败：{last}", bureau="（预热内核）")

    def _stop(self, client: Optional["NotebookClient"] = None) -> None:
        client = client or self.client
        if client is not None and client.km is not None:
            _kill(client)
            try:
                client._cleanup_kernel()
            except Exception:  # noqa: BLE001 — it is being thrown away
                pass
        if client is self.client:
            self.client = None

    def restart(self) -> None:
        self._stop()
        self.restarts += 1
        self._start()

    def close(self) -> None:
        if self._launched is not None:
            self._stop(self._client(self._launched))
            self._launched = None
        self._stop()

    def kernel_pid(self) -> Optional[int]:
        """The kernel's process id, launched or connected (None when there is none)."""
        km = self.client.km if self.client is not None else self._launched
        process = getattr(getattr(km, "provisioner", None), "process", None)
        return getattr(process, "pid", None)

    def kernel_rss(self) -> int:
        """Resident memory of the kernel process (0 when unknown)."""
        try:
            return psutil.Process(self.kernel_pid()).memory_info().rss
        except Exception:  # noqa: BLE001 — no kernel, or it just ended
            return 0

    def _run_code(self, code: str) -> str:
        """Run helper code outside any report; returns what it printed."""
        import nbformat

        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
        self.client.nb = nb
        self.client.execute_cell(nb.cells[0], 0, store_history=False)
        return "".join(o.get("text", "") for o in nb.cells[0].outputs if o.output_type == "stream").strip()

    # --- reports ----------------------------------------------------------------------------
    def prepare(self) -> None:
        """Read the master notebook now (papermill imported): a caller does it while the kernel boots."""
        from papermill.parameterize import parameterize_notebook  # noqa: F401

        self._master()

    def _master(self) -> nbformat.NotebookNode:
        if self._source is None:
            self._source = _load(self.notebook)
        return self._source

    def run(self, bureau: str, year: int, params_dir: Path, out_path: Path) -> nbformat.NotebookNode:
        """Execute one report; same contract as ColdEngine.run."""
        return self._run(self._master(), parameters(bureau, year, params_dir), out_path, bureau)

    def execute(self, notebook: Path, params: dict, out_path: Path, label: str) -> nbformat.NotebookNode:
        """Run another notebook (the roll-up) in this kernel; same contract as ColdEngine.execute."""
        path = Path(notebook)
        if path.resolve() == self.notebook.resolve():
            return self._run(self._master(), params, out_path, label)
        stamp = path.stat().st_mtime_ns
        known = self._others.get(str(path))
        if known is None or known[0] != stamp:
            known = self._others[str(path)] = (stamp, _load(path))
        return self._run(known[1], params, out_path, label)

    def _run(self, source, params: dict, out_path: Path, label: str) -> nbformat.NotebookNode:
        import nbformat
        from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
        from papermill.parameterize import parameterize_notebook

        nb = parameterize_notebook(copy.deepcopy(source), params, kernel_name=self.kernel)
        for attempt in (1, 2):
            try:
                self._cell = None
                if self.client is None:
                    self._start()
                self._prepare()
                self._execute(nb)
                return nb
            except CellExecutionError as exc:
                nbformat.write(nb, str(out_path))
                raise ExecutionFailed(error_line(exc.ename, exc.evalue), bureau=label, cell=self._cell,
                                      notebook=str(out_path)) from None
            except (DeadKernelError, CellTimeoutError, RuntimeError, TimeoutError) as exc:
                log.info("%s: kernel lost (%s); restarting", label, exc)
                self.restart() if attempt == 1 else self._stop()
                if attempt == 2:
                    nbformat.write(nb, str(out_path))
                    raise ExecutionFailed(describe(exc, self.timeout), bureau=label,
                                          notebook=str(out_path)) from None
                nb = parameterize_notebook(copy.deepcopy(source), params, kernel_name=self.kernel)
        raise AssertionError("unreachable")

    def _prepare(self) -> None:
        """Reset the kernel for the next report, or replace it (code changed, too big, broken)."""
        from nbclient.exceptions import CellExecutionError

        try:
            said = self._run_code(RESET)
        except CellExecutionError as exc:
            said = f"restart: reset failed ({error_line(exc.ename, exc.evalue)})"
        if said != "ok" or self.kernel_rss() > self.max_rss:
            self.restart_reasons.append(said if said != "ok" else "restart: kernel too big")
            log.info("warm kernel replaced: %s", self.restart_reasons[-1])
            self.restart()

    def _execute(self, nb: nbformat.NotebookNode) -> None:
        client = self.client
        client.nb = nb
        client.reset_execution_trackers()
        for index, cell in enumerate(nb.cells):
            self._cell = index
            if cell.cell_type == "code":
                cell.outputs = []
            client.execute_cell(cell, index)


def _connect(client: "NotebookClient") -> None:
    """nbclient's ``start_new_kernel_client`` without jupyter_client's closing IOPub flush, which
    always waits 0.2 s for silence: the kernel is ready once it has answered a kernel_info request
    and IOPub has carried that request's idle status (connected, nothing of the start-up left)."""
    from jupyter_core.utils import run_sync

    client.kc = client.km.client()
    client.kc.start_channels()
    run_sync(_ready)(client.kc, client.startup_timeout)
    client.kc.allow_stdin = False


async def _ready(kc, timeout: float) -> None:
    from queue import Empty

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        msg_id = kc.kernel_info()
        try:
            reply = await kc._async_recv_reply(msg_id, timeout=1)
        except (Empty, TimeoutError):
            if not await kc._async_is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info") from None
            continue
        try:
            while True:  # IOPub subscribed late misses the first status messages: then ask again
                msg = await kc.iopub_channel.get_msg(timeout=0.2)
                if (msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "status"
                        and msg["content"].get("execution_state") == "idle"):
                    kc._handle_kernel_info_reply(reply)
                    return
        except Empty:
            continue
    raise RuntimeError(f"Kernel didn't respond in {timeout:g} seconds")


def _load(path: Path) -> nbformat.NotebookNode:
    """A notebook through papermill's loader (same cell metadata); papermill imported only now,
    so that a kernel can be launched before it (≈0.1 s of imports)."""
    from papermill.iorw import load_notebook_node

    return load_notebook_node(str(path))


def _kill(client: "NotebookClient") -> None:
    """Kill the kernel process and reap it, so that the cleanup that follows finds it ended at
    once (jupyter_client polls a killed kernel every 100 ms); shutdown is "immediate" anyway."""
    process = getattr(getattr(client.km, "provisioner", None), "process", None)
    if process is None:
        return
    try:
        process.kill()
        process.wait(timeout=5)
    except Exception:  # noqa: BLE001 — the cleanup that follows tries again
        pass
