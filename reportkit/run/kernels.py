"""A pool of warm kernels forked from one zygote, each driven by a thread of this process.

:class:`WorkerPool`'s interface for the warm engine. A worker process only relayed messages
between this process and its kernel, at ≈0.7 CPU-s of imports each; here a thread does it.
The kernels' own start-up is paid once, by the zygote (:mod:`reportkit.run.zygote`), while this
process validates. Each thread owns its engine (kernel, nbclient client, exporter) and keeps
it for the whole build; the execution and the HTML come back as bytes, as from a worker, and
only the caller writes.
"""
from __future__ import annotations

import queue
import threading
from pathlib import Path
from typing import Callable, Optional

from ..execute import pyarrow_fs_blocked
from .zygote import Zygote
from .lifetime import kill_tree
from .pool import Pool
from .task import Task, TaskResult, run_task, warm_exporter

_STOP = None  # what a thread takes from the task queue to end


class KernelPool(Pool):
    """``jobs`` warm kernels, started before the tasks are known; see the module docstring.

    :meth:`start` spawns the zygote and the threads at once; :meth:`run` feeds them tasks;
    :meth:`run_one` one more (the roll-up, in a kernel already warm). On any exception in
    :meth:`run` (Ctrl-C, SIGTERM turned into KeyboardInterrupt) every kernel is killed and the
    exception goes on to the caller.
    """

    _daemon_closer = True  # a kernel thread stuck past the build must not hold the command's exit

    def __init__(self, jobs: int, engine: str = "warm", timeout: int = 300, notebook: str = "",
                 zygote: Optional[Zygote] = None):
        from ..warm import WarmEngine

        self.jobs = max(1, jobs)
        self.zygote = zygote or Zygote()  # one started early by the caller, or this pool's own
        self.engines = [WarmEngine(Path(notebook), timeout=timeout, zygote=self.zygote, close_at_exit=False)
                        for _ in range(self.jobs)]
        self._tasks: queue.Queue = queue.Queue()
        self._events: queue.Queue = queue.Queue()
        self._threads: list[threading.Thread] = []
        self._imported = threading.Event()

    def start(self) -> "KernelPool":
        """Spawn the zygote and start a thread per kernel (each asks for its kernel and connects)."""
        self.zygote.start()  # nothing if the caller started it
        self._imported.clear()
        threading.Thread(target=self._import, name="reportkit-kernels-import", daemon=True).start()
        for i, engine in enumerate(self.engines):
            t = threading.Thread(target=self._serve, args=(engine,), name=f"reportkit-kernel-{i + 1}", daemon=True)
            t.start()
            self._threads.append(t)
        return self

    def _serve(self, engine) -> None:
        try:  # the kernel asked for first: the zygote forks it the moment it has loaded
            engine.launch()
            self._imported.wait()
            engine.prepare()
            engine.warm()
        except Exception:  # noqa: BLE001 — the first report starts the kernel again and says why
            pass
        while True:
            task = self._tasks.get()
            if task is _STOP:
                break
            self._events.put(("start", task))
            try:
                result = run_task(task, engine)
            except BaseException as exc:  # noqa: BLE001 — never leave the caller waiting
                result = TaskResult(task.bureau, "failed", generation=task.generation,
                                    error=f"执行线程意外结束：{type(exc).__name__}", lost=True)
            self._events.put(("done", result))
        engine.close()

    def _import(self) -> None:
        """What the kernel threads need, imported while they wait for their kernels (and the zygote
        loads): nbclient and papermill to run a report; then nbconvert's exporter, readied while
        the first reports run."""
        try:
            with pyarrow_fs_blocked():
                import nbclient  # noqa: F401
                import papermill.parameterize  # noqa: F401
        finally:
            self._imported.set()
        warm_exporter()  # the templates compiled once, for every thread

    def run(self, tasks: list[Task], on_start: Callable[[str], None],
            on_result: Callable[[TaskResult], None]) -> None:
        """Run ``tasks``; ``on_start`` as a kernel takes each, ``on_result`` as each ends."""
        try:
            for t in tasks:
                self._tasks.put(t)
            left = len(tasks)
            while left:
                kind, item = self._events.get()
                if kind == "start":
                    on_start(item.bureau)
                else:
                    left -= 1
                    on_result(item)
        except BaseException:
            self.kill()
            raise

    def _shutdown(self) -> None:
        """Each thread closes its engine; then the zygote ends."""
        for _ in self._threads:
            self._tasks.put(_STOP)
        for t in self._threads:
            t.join()
        self.zygote.close()

    def kill(self) -> None:
        """End this pool's kernels and its zygote now (not other children of this process)."""
        for engine in self.engines:
            engine.closed = True
        pids = [p for p in (e.kernel_pid() for e in self.engines) if p]
        self.zygote.kill()
        for pid in pids:  # kernels launched the ordinary way (the zygote could not serve)
            kill_tree(pid)
        for _ in self._threads:
            self._tasks.put(_STOP)
