"""The kernel zygote: one process imports what a kernel needs, then forks every kernel of a build.

A kernel of the warm engine spends about 1 CPU-s before its first report: ipykernel, matplotlib
and reportkit imported, the CJK font registered, a first chart drawn. A build with two kernels
paid that twice, on the same two CPUs that had to validate the year. The zygote pays it once,
while the build validates, and forks each kernel from that state (copy-on-write): a kernel
answers about 0.15 s after it is asked for.

Nothing of ipykernel is *started* here: no thread, socket or event loop exists when the zygote
forks, so each child starts ipykernel exactly as ``python -m ipykernel_launcher`` does, with
the argv, environment and folder the kernel manager gave (:class:`reportkit.run.forked.
ForkProvisioner`).

    python -m reportkit.run.zygote REQUEST_FD REPLY_FD

One JSON object a line each way: the zygote says ``{"ready": pid}`` once loaded; a request
``{"argv": [...], "env": {...}, "cwd": "..."}`` gets ``{"pid": n}`` or ``{"error": "..."}``.
It ends when the request pipe closes, and with its parent. :class:`Zygote` is its handle in
the build's process.
"""
from __future__ import annotations

import gc
import json
import os
import select
import signal
import subprocess
import sys
import threading
import time
from typing import Optional


READY_TIMEOUT = 60  # seconds the zygote may take to load (a cold disk cache on a slow machine)
# Linux only: fork without exec is unsafe on macOS, and Windows has no fork. Elsewhere no zygote is
# started and every kernel is launched the ordinary way.
SUPPORTED = sys.platform.startswith("linux")


class ZygoteLost(RuntimeError):
    """The zygote did not answer; the caller launches its kernel the ordinary way."""


class Zygote:
    """A zygote process of this build: started early, asked for kernels, ended with the pool."""

    def __init__(self):
        self.proc: Optional[subprocess.Popen] = None
        self.sources: dict = {}
        self._lock = threading.Lock()
        self._ready = False
        self._requests = self._replies = None

    def start(self) -> "Zygote":
        """Spawn the zygote now; it loads while the caller goes on.

        Its environment is the batch kernels' (:func:`reportkit.kernelenv.batch_environment`),
        so that what ipykernel and matplotlib read at import is what a launched kernel reads.
        Called from the main thread: the zygote dies with the thread that started it (prctl).
        """
        from .. import kernelstate
        from ..kernelenv import batch_environment

        if self.proc is not None or not SUPPORTED:
            return self
        batch_environment()
        env = {**os.environ, "JPY_PARENT_PID": str(os.getpid())}  # as jupyter_client's launcher sets it
        self.sources = kernelstate.sources()
        req_r, req_w = os.pipe()
        rep_r, rep_w = os.pipe()
        try:
            self.proc = subprocess.Popen(
                [sys.executable, "-Xfrozen_modules=off", "-m", "reportkit.run.zygote", str(req_r), str(rep_w)],
                pass_fds=(req_r, rep_w), stdin=subprocess.DEVNULL, env=env)
        finally:
            os.close(req_r)
            os.close(rep_w)
        self._requests = os.fdopen(req_w, "w", encoding="utf-8")
        self._replies = os.fdopen(rep_r, "r", encoding="utf-8")
        return self

    def usable(self) -> bool:
        """Running, and loaded from the reportkit source that is on disk now."""
        from .. import kernelstate

        return (self.proc is not None and self.proc.poll() is None and self._requests is not None
                and kernelstate.sources() == self.sources)

    def fork(self, argv: list[str], env: dict, cwd: str, timeout: float = READY_TIMEOUT) -> int:
        """The pid of a new kernel ``ipykernel_launcher argv``; :class:`ZygoteLost` if none came."""
        with self._lock:
            try:
                if not self._ready:
                    said = self._read(timeout)
                    if "ready" not in said:
                        raise ZygoteLost(str(said.get("error", said)))
                    self._ready = True
                self._requests.write(json.dumps({"argv": argv, "env": env, "cwd": cwd}) + "\n")
                self._requests.flush()
                reply = self._read(10)
            except (OSError, ValueError) as exc:
                raise ZygoteLost(str(exc)) from None
        if "pid" not in reply:
            raise ZygoteLost(str(reply.get("error", reply)))
        return int(reply["pid"])

    def _read(self, timeout: float) -> dict:
        """The zygote's next line (one line answers each request, so nothing waits in a buffer)."""
        deadline = time.monotonic() + timeout
        while True:
            if select.select([self._replies], [], [], max(0.0, min(deadline - time.monotonic(), 0.5)))[0]:
                line = self._replies.readline()
                if not line:
                    raise ZygoteLost("the zygote ended")
                return json.loads(line)
            if self.proc.poll() is not None or time.monotonic() >= deadline:
                raise ZygoteLost("the zygote did not answer")

    def __enter__(self) -> "Zygote":
        return self.start()

    def __exit__(self, kind, *exc) -> None:
        self.close() if kind is None else self.kill()

    def close(self) -> None:
        """End the zygote (its kernels die with it); wait for it."""
        if self.proc is None:
            return
        if self._requests is not None:
            try:
                self._requests.close()  # end of requests: the zygote's loop ends
            except OSError:
                pass
            self._requests = None
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        if self._replies is not None:
            self._replies.close()
            self._replies = None

    def kill(self) -> None:
        """End the zygote and every kernel it forked, now."""
        from .lifetime import kill_tree

        if self.proc is None:
            return
        kill_tree(self.proc.pid)
        self.proc.wait()


def load() -> None:
    """What every kernel would import and do before its first report."""
    # A batch kernel is never debugged: without debugpy (≈0.1 s of imports) ipykernel starts no
    # debugger. Kernels that JupyterLab starts are launched the ordinary way and keep theirs.
    sys.modules.setdefault("debugpy", None)
    from ipykernel import kernelapp, ipkernel  # noqa: F401
    # What each kernel's initialize would import or look up: the shell's helpers, the machine's
    # addresses (jupyter_client keeps them for the process).
    from ipykernel import debugger  # noqa: F401
    import IPython.core.completerlib, IPython.core.debugger, IPython.core.oinspect  # noqa: F401,E401
    import IPython.extensions.storemagic, sqlite3, tornado.platform.asyncio  # noqa: F401,E401
    from jupyter_client import localinterfaces

    localinterfaces.localhost()

    from .. import kernelstate

    kernelstate.preload()


def serve(request_fd: int, reply_fd: int) -> None:
    """Load, say ready, then fork a kernel for every request until the request pipe closes."""
    from .lifetime import die_with_parent

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the build decides when the zygote ends
    die_with_parent(os.getppid())
    requests = os.fdopen(request_fd, "r", encoding="utf-8")
    replies = os.fdopen(reply_fd, "w", encoding="utf-8")

    def say(message: dict) -> None:
        replies.write(json.dumps(message, ensure_ascii=False) + "\n")
        replies.flush()

    gc.disable()  # as the gc module advises before fork without exec: no holes, no gc_refs touched
    try:
        load()
    except BaseException as exc:  # noqa: BLE001 — said on the pipe: the build launches its kernels itself
        say({"error": f"{type(exc).__name__}: {exc}"})
        os._exit(1)
    signal.signal(signal.SIGCHLD, _reap)  # reaped at once: no zombies, and their CPU time counts as ours
    say({"ready": os.getpid()})
    for line in requests:
        try:
            request = json.loads(line)
            argv, env, cwd = list(request["argv"]), dict(request["env"]), str(request["cwd"])
        except (ValueError, KeyError, TypeError) as exc:
            say({"error": f"bad request: {exc}"})
            continue
        gc.freeze()  # what is loaded stays shared with every kernel: their collections never touch it
        try:
            pid = os.fork()
        except OSError as exc:
            say({"error": f"fork: {exc}"})
            continue
        if pid == 0:
            _kernel(argv, env, cwd, (request_fd, reply_fd))
        say({"pid": pid})
    replies.close()
    os._exit(0)  # nothing to flush or clean: a full interpreter shutdown would take 0.2 s


def _reap(signum, frame) -> None:
    """Collect every kernel that ended (SIGCHLD)."""
    try:
        while os.waitpid(-1, os.WNOHANG)[0]:
            pass
    except ChildProcessError:
        pass


def _kernel(argv: list[str], env: dict, cwd: str, fds: tuple[int, int]) -> None:
    """In the forked child: become the kernel ``python -m ipykernel_launcher argv`` would be."""
    from .lifetime import die_with_parent

    code = 1
    try:
        gc.enable()
        os.setsid()  # as jupyter_client's launcher does: a terminal's Ctrl-C is the build's to handle
        for fd in fds:
            os.close(fd)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        die_with_parent(os.getppid())
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.close(null)
        os.environ.clear()
        os.environ.update(env)
        os.chdir(cwd)
        from importlib.util import find_spec

        from ipykernel.kernelapp import IPKernelApp

        sys.argv = [find_spec("ipykernel_launcher").origin, *argv]  # what a launched kernel sees

        IPKernelApp.launch_instance(argv=argv)
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 0
    except BaseException as exc:  # noqa: BLE001 — a child must never return into the zygote's loop
        print(f"reportkit: 内核未能启动：{type(exc).__name__}: {exc}", file=sys.stderr)
    finally:
        os._exit(code)


if __name__ == "__main__":
    serve(int(sys.argv[1]), int(sys.argv[2]))
