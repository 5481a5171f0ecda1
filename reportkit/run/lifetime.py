"""Children die with their parent: a worker must never outlive the build that started it.

Linux delivers ``SIGKILL`` to a process whose parent dies once it has asked for it with
``prctl(PR_SET_PDEATHSIG)``; kernels started by a worker follow through ipykernel's own
parent poller (``JPY_PARENT_PID``, checked every second). Elsewhere a watchdog thread polls
the parent's pid.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import sys
import threading
import time

PR_SET_PDEATHSIG = 1


def die_with_parent(parent_pid: int) -> None:
    """Arrange for this process to end as soon as ``parent_pid`` (its parent) is gone."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0:
            if os.getppid() != parent_pid:  # the parent died before the request: go now
                os._exit(1)
            return
    _watch(parent_pid)


def _watch(parent_pid: int, every: float = 0.5) -> None:
    def run():
        while os.getppid() == parent_pid:
            time.sleep(every)
        os._exit(1)

    threading.Thread(target=run, name="reportkit-parent-watch", daemon=True).start()


def kill_tree(pid: int) -> None:
    """Kill process ``pid`` and every descendant of it, children first; gone ones are skipped."""
    import psutil

    try:
        root = psutil.Process(pid)
        tree = [*root.children(recursive=True), root]
    except psutil.Error:
        return
    for proc in tree:
        try:
            proc.kill()
        except psutil.Error:
            pass
