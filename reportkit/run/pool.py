"""A pool of worker processes running :func:`~reportkit.run.task.run_task`; results flow back.

The cold engine's pool (papermill changes the working folder of the process that runs it); the
warm engine's is :class:`reportkit.run.kernels.KernelPool`. Workers are spawned (not forked), ignore Ctrl-C (the parent decides when to stop), die with
the parent, and start their kernel while they import. A worker that dies yields a failed
result for its report; the pool goes on.
"""
from __future__ import annotations

import concurrent.futures as cf
from concurrent.futures.process import BrokenProcessPool
import multiprocessing
import os
import signal
import threading
from typing import Callable, Optional

import psutil

from .lifetime import die_with_parent, kill_tree
from .task import Task, TaskResult, prepare_worker, run_task


def init_worker(parent_pid: int, engine: str, timeout: int, notebook: str) -> None:
    """Pool initializer: lifetime, quiet signals, batch environment, the kernel launched early."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})  # blocked while spawned; now ignored
    die_with_parent(parent_pid)
    prepare_worker(engine, timeout, notebook)


def kill_children() -> None:
    """End every descendant of this process (workers and their kernels).

    Not multiprocessing's resource tracker: killed, it would be restarted at exit and print
    tracebacks about semaphores it never saw; it ends by itself when this process does.
    """
    from multiprocessing import resource_tracker

    tracker = getattr(resource_tracker._resource_tracker, "_pid", None)
    for child in psutil.Process().children(recursive=True):
        if child.pid == tracker:
            continue
        try:
            child.kill()
        except psutil.Error:
            pass


def _ready() -> int:
    return os.getpid()


class Pool:
    """What every pool shares: one more task on a started pool, and closing in the background.

    A subclass has ``run(tasks, on_start, on_result)`` and ``_shutdown()`` (ends its workers or
    kernels, waiting for them), and sets ``_daemon_closer`` (whether a process exit may leave that
    closing unfinished)."""

    _closer: Optional[threading.Thread] = None
    _daemon_closer = False

    def run_one(self, task: Task) -> TaskResult:
        """One task on a worker whose kernel is already warm (the roll-up); its result."""
        out: list[TaskResult] = []
        self.run([task], lambda b: None, out.append)
        return out[0]

    def release(self) -> None:
        """Let the workers and kernels go while this process writes on."""
        if self._closer is None:
            self._closer = threading.Thread(target=self._shutdown, name=f"reportkit-{type(self).__name__}-close",
                                            daemon=self._daemon_closer)
            self._closer.start()

    def close(self) -> None:
        """Wait until every worker and kernel has ended."""
        self.release()
        self._closer.join()


class WorkerPool(Pool):
    """``jobs`` spawned workers with warm kernels, started before the tasks are known.

    :meth:`start` spawns them at once, so that they import and boot their kernels while the
    parent validates; :meth:`run` feeds them tasks; :meth:`run_one` one more (the roll-up,
    in a kernel that is already warm). On any exception (Ctrl-C, SIGTERM turned into
    KeyboardInterrupt) the workers are killed and the exception goes on to the caller.
    """

    def __init__(self, jobs: int, engine: str = "warm", timeout: int = 300, notebook: str = ""):
        self.jobs = max(1, jobs)
        ctx = multiprocessing.get_context("spawn")
        self.pool = cf.ProcessPoolExecutor(max_workers=self.jobs, mp_context=ctx, initializer=init_worker,
                                           initargs=(os.getpid(), engine, timeout, notebook))

    def start(self) -> "WorkerPool":
        """Spawn every worker now (each runs the initializer: imports, kernel launched)."""
        # SIGINT blocked while workers are spawned: a Ctrl-C then cannot hit a half-started
        # child (it would print a traceback); the parent gets it as soon as this is done.
        old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            for _ in range(self.jobs):
                self.pool.submit(_ready)
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, old)
        return self

    def run(self, tasks: list[Task], on_start: Callable[[str], None],
            on_result: Callable[[TaskResult], None]) -> None:
        """Run ``tasks``; ``on_result`` gets each result as it arrives."""
        if not tasks:
            return
        try:
            old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
            futures: dict = {}
            try:
                for t in tasks:
                    futures[self._submit(t)] = t
            finally:
                signal.pthread_sigmask(signal.SIG_SETMASK, old)
            queue = [t.bureau for t in tasks]
            for _ in range(min(self.jobs, len(queue))):
                on_start(queue.pop(0))
            for fut in cf.as_completed(futures):
                on_result(_result(fut, futures[fut]))
                if queue:
                    on_start(queue.pop(0))
        except BaseException:
            self.kill()
            raise

    def _submit(self, task: Task) -> cf.Future:
        try:
            return self.pool.submit(run_task, task)
        except BrokenProcessPool as exc:  # a worker died before (while starting, or killed): say so
            fut: cf.Future = cf.Future()
            fut.set_exception(exc)
            return fut

    def _shutdown(self) -> None:
        self.pool.shutdown()

    def kill(self) -> None:
        """End this pool's workers and their kernels (not other children of this process)."""
        workers = list((getattr(self.pool, "_processes", None) or {}).keys())
        self.pool.shutdown(wait=False, cancel_futures=True)
        for pid in workers:
            kill_tree(pid)


def _result(fut: cf.Future, task: Task) -> TaskResult:
    try:
        return fut.result()
    except Exception as exc:  # noqa: BLE001 — a worker died (killed, out of memory)
        return TaskResult(task.bureau, "failed", generation=task.generation,
                          error=f"工作进程意外退出：{type(exc).__name__}", lost=True)


def start_pool(engine: str, jobs: int, timeout: int = 300, notebook: str = "", zygote=None):
    """A started pool of ``jobs`` kernels: warm ones forked from a zygote and driven by threads of
    this process (:class:`~reportkit.run.kernels.KernelPool`, given ``zygote`` if the caller started
    one); cold ones in worker processes."""
    if engine == "warm":
        from .kernels import KernelPool

        return KernelPool(jobs, engine, timeout, notebook, zygote=zygote).start()
    return WorkerPool(jobs, engine, timeout, notebook).start()


def run_pool(tasks: list[Task], jobs: int, on_start: Callable[[str], None],
             on_result: Callable[[TaskResult], None]) -> None:
    """Run ``tasks`` on ``jobs`` kernels; ``on_result`` gets each result as it arrives."""
    if not tasks:
        return
    first = tasks[0]
    pool = start_pool(first.engine, min(jobs, len(tasks)), first.timeout, first.notebook)
    pool.run(tasks, on_start, on_result)
    pool.close()
