"""Reports on a Dask cluster: ``reportkit build YEAR --cluster local|ADDRESS``.

A :class:`DaskRunner` is a runner for :func:`reportkit.batch.build` like the local process
pool: it sends each report as a task carrying its own inputs (:mod:`reportkit.run.shipped`),
Dask workers return the finished bytes, and the client — holding the output folder's lock —
writes them (the pool's writer, unchanged). Workers need no shared filesystem.

Each worker keeps one warm kernel (:class:`WarmKernelPlugin`), reset between reports exactly
as in a pool worker, so the HTML is byte for byte the pool's. Tasks are idempotent (they write
nothing but temporary folders): when a worker dies, Dask reruns its reports elsewhere and the
client still receives one result per report.
"""
from __future__ import annotations

import logging
import os
from typing import Callable, Optional

from ..errors import ReportkitError
from .shipped import Shipper, notebook_file, run_shipped
from .task import Task, TaskResult, prepare_worker, process_engine

CONNECT_TIMEOUT = 5  # seconds; a scheduler that does not answer by then is reported, not waited for
WORKER_WAIT = 30  # seconds a reachable scheduler may take to have its first worker
PLUGIN_NAME = "reportkit-warm-kernel"
IN_FLIGHT = 4  # tasks submitted per worker thread ahead of the results


class ClusterUnavailable(ReportkitError):
    """The Dask scheduler cannot be reached (or a local cluster cannot start)."""

    exit_code = 1


def _warm_up(engine: str, timeout: int, notebook: bytes) -> None:
    """In the worker's task thread: kernel spec, then the pool's worker preparation."""
    from ..execute import ensure_kernel

    ensure_kernel()  # the spec must run this worker's Python, wherever it is installed
    prepare_worker(engine, timeout, str(notebook_file(notebook)))


def _close_engine(engine: str, timeout: int, notebook: bytes) -> None:
    getattr(process_engine(engine, timeout, str(notebook_file(notebook))), "close", lambda: None)()


try:
    from distributed.diagnostics.plugin import WorkerPlugin
except ImportError:  # pragma: no cover — distributed is a dependency; said clearly if missing
    WorkerPlugin = object


class WarmKernelPlugin(WorkerPlugin):
    """One warm kernel per Dask worker: launched on setup, shut down on teardown.

    Kernel start and use happen in the worker's (single) task thread: the kernel client's
    event loop belongs to the thread that made it.
    """

    name = PLUGIN_NAME

    def __init__(self, engine: str, timeout: int, notebook: bytes):
        self.engine, self.timeout, self.notebook = engine, timeout, notebook

    def setup(self, worker):
        executor = worker.executors.get("default")
        if executor is not None:  # queued ahead of every task of this worker
            executor.submit(_warm_up, self.engine, self.timeout, self.notebook)

    def teardown(self, worker):
        executor = worker.executors.get("default")
        try:
            executor.submit(_close_engine, self.engine, self.timeout, self.notebook).result(timeout=15)
        except Exception:  # noqa: BLE001 — executor already gone: close from here
            _close_engine(self.engine, self.timeout, self.notebook)


def _dashboard_available() -> bool:
    try:
        import bokeh  # noqa: F401
    except ImportError:
        return False
    return True


class DaskRunner:
    """Connects to (or starts) a Dask cluster; called like :func:`reportkit.run.pool.run_pool`.

    ``cluster`` is ``"local"`` (a LocalCluster on 127.0.0.1: ``jobs`` worker processes with
    one thread each) or a scheduler address such as ``tcp://10.0.0.5:8786``. ``announce``
    receives one-line notices (workers, dashboard link).
    """

    def __init__(self, cluster: str, jobs: Optional[int] = None, announce: Callable[[str], None] = print,
                 connect_timeout: float = CONNECT_TIMEOUT, worker_wait: float = WORKER_WAIT):
        self.cluster, self.jobs, self.announce, self.connect_timeout = cluster, jobs, announce, connect_timeout
        self.worker_wait = worker_wait
        self.client = None
        self._local = None

    # --- connection -------------------------------------------------------------------------
    def __enter__(self) -> "DaskRunner":
        try:
            from distributed import Client
        except ImportError:
            raise ClusterUnavailable("未安装 dask.distributed，无法使用 --cluster：请运行 "
                                     "pip install 'dask[distributed]'（make setup 会安装）。") from None
        logging.getLogger("distributed").setLevel(logging.ERROR)  # its reconnect chatter is not ours to show
        if self.cluster == "local":
            self.client = Client(self._start_local())
        else:
            self.client = self._connect(Client)
            self._need_a_worker()
        self._describe()
        return self

    def _start_local(self):
        from distributed import LocalCluster

        n = self.jobs or os.cpu_count() or 1
        try:
            self._local = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, host="127.0.0.1",
                                       dashboard_address="127.0.0.1:0" if _dashboard_available() else None,
                                       silence_logs=logging.ERROR)
        except Exception as exc:  # noqa: BLE001 — ports, memory: one paragraph, not a traceback
            raise ClusterUnavailable(f"无法在本机启动 Dask 集群（{type(exc).__name__}: {exc}）。"
                                     "可去掉 --cluster 改用本机进程池。") from None
        return self._local

    def _connect(self, Client):
        address = self.cluster if "://" in self.cluster else f"tcp://{self.cluster}"
        try:
            return Client(address, timeout=self.connect_timeout)
        except (OSError, TimeoutError, ValueError) as exc:
            detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise ClusterUnavailable(
                f"无法连接 Dask 调度器 {address}：{self.connect_timeout:g} 秒内没有建立连接（{detail}）。"
                "请确认调度器已启动（dask scheduler）、地址与端口无误、网络或防火墙放行，且至少有一个"
                "工作进程（dask worker 地址）已连上；也可以改用 --cluster local 在本机启动集群，"
                "或去掉 --cluster 使用本机进程池。尚未生成或改动任何报告。") from None

    def _need_a_worker(self) -> None:
        """A scheduler without workers would hold the tasks forever: wait a little, then say so."""
        try:
            self.client.wait_for_workers(1, timeout=self.worker_wait)
        except (TimeoutError, OSError):
            self.client.close()
            raise ClusterUnavailable(
                f"Dask 调度器 {self.client.scheduler.address} 已连上，但 {self.worker_wait:g} 秒内没有工作进程加入："
                "请在工作机上运行 dask worker 调度器地址 --nthreads 1，然后重试。尚未生成或改动任何报告。") from None

    def _describe(self) -> None:
        workers = self.client.nthreads()
        link = self.client.dashboard_link if self.client.scheduler_info().get("services", {}).get("dashboard") \
            else None
        self.announce(f"Dask 集群 {self.client.scheduler.address}：{len(workers)} 个工作进程，"
                      f"{sum(workers.values())} 个线程")
        self.announce(f"Dask 仪表盘：{link}" if link else
                      "Dask 仪表盘未启用（调度器未运行仪表盘；安装 bokeh 后可用）")

    def __exit__(self, *exc) -> None:
        if self.client is not None:
            try:
                self.client.close(timeout=10)
            except Exception:  # noqa: BLE001 — closing a lost connection
                pass
        if self._local is not None:
            self._local.close(timeout=20)

    # --- running ----------------------------------------------------------------------------
    def __call__(self, tasks: list[Task], jobs: int, on_start: Callable[[str], None],
                 on_result: Callable[[TaskResult], None]) -> None:
        """Run ``tasks`` on the cluster; ``on_result`` gets exactly one result per task."""
        from distributed import as_completed

        if not tasks:
            return
        client = self.client
        shipper = Shipper()
        first = shipper.ship(tasks[0])
        client.register_plugin(WarmKernelPlugin(first.task.engine, first.task.timeout, first.notebook),
                               name=PLUGIN_NAME)
        slots = max(1, sum(client.nthreads().values()))
        waiting, by_key, futures = iter(tasks), {}, as_completed()

        def top_up() -> None:
            # A window of tasks in flight, not all at once: the client holds the inputs of a
            # few reports per worker thread, however many reports the year has.
            while len(by_key) < IN_FLIGHT * slots:
                task = next(waiting, None)
                if task is None:
                    return
                key = f"reportkit-{task.year}-{task.bureau}-{task.generation[:12]}"  # build and report
                fut = client.submit(run_shipped, shipper.ship(task), key=key, pure=False)
                by_key[fut.key] = task
                futures.add(fut)

        top_up()
        queue = [t.bureau for t in tasks]
        try:
            for _ in range(min(slots, len(queue))):
                on_start(queue.pop(0))
            for done, fut in enumerate(futures, 1):
                task = by_key.pop(fut.key)
                try:
                    res = fut.result()
                except Exception as exc:  # noqa: BLE001 — KilledWorker after repeated deaths, lost scheduler
                    res = TaskResult(task.bureau, "failed", generation=task.generation,
                                     error=f"Dask 未能完成这份报告（{type(exc).__name__}）：运行它的工作进程"
                                           "多次意外退出，或与调度器的连接中断")
                fut.release()
                if done % 50 == 0:  # workers may have joined or left
                    slots = max(1, sum(client.nthreads().values()))
                top_up()
                on_result(res)
                if queue:
                    on_start(queue.pop(0))
        except BaseException:
            client.cancel(list(futures.futures))
            raise
