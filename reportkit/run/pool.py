"""A pool of worker processes running :func:`~reportkit.run.task.run_task`; results flow back.

Workers are spawned (not forked), ignore Ctrl-C (the parent decides when to stop), die with
the parent, and start their kernel while they import. A worker that dies yields a failed
result for its report; the pool goes on.
"""
from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import os
import signal
from typing import Callable, Iterable

import psutil

from .lifetime import die_with_parent
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


def run_pool(tasks: list[Task], jobs: int, on_start: Callable[[str], None],
             on_result: Callable[[TaskResult], None]) -> None:
    """Run ``tasks`` on ``jobs`` workers; ``on_result`` gets each result as it arrives.

    On any exception (Ctrl-C, SIGTERM turned into KeyboardInterrupt) the workers are killed
    and the exception goes on to the caller.
    """
    if not tasks:
        return
    first = tasks[0]
    jobs = max(1, min(jobs, len(tasks)))
    ctx = multiprocessing.get_context("spawn")
    pool = cf.ProcessPoolExecutor(max_workers=jobs, mp_context=ctx, initializer=init_worker,
                                  initargs=(os.getpid(), first.engine, first.timeout, first.notebook))
    try:
        # SIGINT blocked while workers are spawned: a Ctrl-C then cannot hit a half-started
        # child (it would print a traceback); the parent gets it as soon as this is done.
        old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            futures = {pool.submit(run_task, t): t for t in tasks}
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, old)
        queue = [t.bureau for t in tasks]
        for _ in range(jobs):
            on_start(queue.pop(0))
        for fut in cf.as_completed(futures):
            task = futures[fut]
            try:
                res = fut.result()
            except Exception as exc:  # noqa: BLE001 — a worker died (killed, out of memory)
                res = TaskResult(task.bureau, "failed", generation=task.generation,
                                 error=f"工作进程意外退出：{type(exc).__name__}")
            on_result(res)
            if queue:
                on_start(queue.pop(0))
        pool.shutdown(wait=True)
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        kill_children()
        raise


def run_inline(tasks: Iterable[Task], engine, on_start, on_result) -> None:
    """The same loop in this process with one engine (tests, tiny builds)."""
    for t in tasks:
        on_start(t.bureau)
        on_result(run_task(t, engine))
