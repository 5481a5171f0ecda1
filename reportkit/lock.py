"""One build per output folder: a lock file holding the builder's pid; stale locks are taken over."""
from __future__ import annotations

import os
from pathlib import Path

import psutil

from .errors import BuildLocked

LOCK_NAME = ".reportkit.lock"


class BuildLock:
    """``with BuildLock(output_dir):`` — refuses to enter while another live process holds it."""

    def __init__(self, folder: Path):
        self.path = Path(folder) / LOCK_NAME
        self.held = False

    def _holder(self) -> int | None:
        try:
            return int(self.path.read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        for _ in range(2):
            try:
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                pid = self._holder()
                if pid and pid != os.getpid() and psutil.pid_exists(pid):
                    raise BuildLocked(
                        f"另一个 reportkit build（进程 {pid}）正在写入此目录，请等它结束后再运行",
                        file=str(self.path.parent)) from None
                self.path.unlink(missing_ok=True)  # stale: its process is gone
                continue
            with os.fdopen(fd, "w") as f:
                f.write(f"{os.getpid()}\n")
            self.held = True
            return
        raise BuildLocked("无法取得构建锁", file=str(self.path))

    def release(self) -> None:
        if self.held and self._holder() == os.getpid():
            self.path.unlink(missing_ok=True)
        self.held = False

    def __enter__(self):
        self.acquire()
        return self

    def __exit__(self, *exc):
        self.release()
