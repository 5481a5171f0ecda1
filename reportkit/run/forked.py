"""Kernels forked from a zygote (:mod:`reportkit.run.zygote`), seen through jupyter_client.

:class:`Zygote` starts the zygote and asks it for kernels; :class:`ForkProvisioner` is
jupyter_client's own local provisioner with one step changed: instead of ``Popen`` of the
kernelspec's ``python -m ipykernel_launcher …`` it has the zygote fork a kernel with the same
argv, environment and folder. Connection files, ports, shutdown and restart stay jupyter_client's.
Whenever the zygote cannot serve (gone, or reportkit's source changed since it loaded it), the
kernel is launched the ordinary way.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from typing import Any, Optional

import psutil
from jupyter_client.provisioning import LocalProvisioner
from traitlets import Any as AnyTrait

from .zygote import Zygote, ZygoteLost

class ForkedProcess:
    """What :class:`LocalProvisioner` needs of a ``Popen`` for a kernel that is the zygote's child."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int):
        self.pid = pid
        self.returncode: Optional[int] = None
        self._proc = psutil.Process(pid)
        self._signal = 0

    def poll(self) -> Optional[int]:
        if self.returncode is None and not self._alive():
            self.returncode = -self._signal  # its parent (the zygote) has the real status
        return self.returncode

    def _alive(self) -> bool:
        try:
            return self._proc.is_running() and self._proc.status() != psutil.STATUS_ZOMBIE
        except psutil.Error:
            return False

    def wait(self, timeout: Optional[float] = None) -> int:
        try:
            self._proc.wait(timeout)
        except psutil.TimeoutExpired:
            raise subprocess.TimeoutExpired(f"kernel {self.pid}", timeout) from None
        except psutil.Error:
            pass
        return self.poll() if self.poll() is not None else 0

    def send_signal(self, signum: int) -> None:
        try:
            self._proc.send_signal(signum)
            if signum in (signal.SIGKILL, signal.SIGTERM):
                self._signal = signum
        except psutil.Error:
            pass

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


class ForkProvisioner(LocalProvisioner):
    """jupyter_client's local provisioner, with the kernel forked from ``zygote`` when it can be."""

    zygote = AnyTrait(None, allow_none=True)

    async def launch_kernel(self, cmd: list[str], **kwargs: Any):
        zygote: Optional[Zygote] = self.zygote
        if zygote is None or "ipykernel_launcher" not in cmd or cmd[0] != sys.executable or not zygote.usable():
            return await super().launch_kernel(cmd, **kwargs)
        env = dict(kwargs.get("env") or os.environ)
        env["JPY_PARENT_PID"] = str(os.getpid())  # as jupyter_client's launcher sets it
        cwd = str(kwargs.get("cwd") or os.getcwd())
        try:
            pid = zygote.fork(cmd[cmd.index("ipykernel_launcher") + 1:], env, cwd)
        except ZygoteLost:
            return await super().launch_kernel(cmd, **kwargs)
        self.process = ForkedProcess(pid)
        self.pid = self.pgid = pid  # the child made itself a session (and group) leader
        self.cwd = cwd
        return self.connection_info
