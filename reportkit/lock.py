"""One build per output folder: an ``fcntl.flock`` on a lock file that names the holder.

The kernel holds the lock for exactly as long as the holder's process lives (``kill -9``
included), so there is no stale lock to take over and no race between two starters: of
any number of processes acquiring at once, one wins. The file holds ``<pid> <token>``;
the token is this build's generation: :meth:`BuildLock.verify` (called before every write
into the output folder) refuses to write once another build holds the folder.
"""
from __future__ import annotations

import fcntl
import os
import secrets
from pathlib import Path

from .errors import BuildLocked, WriteFailed

LOCK_NAME = ".reportkit.lock"


class BuildLock:
    """``with BuildLock(output_dir):`` — refuses to enter while another process holds it."""

    def __init__(self, folder: Path):
        self.path = Path(folder) / LOCK_NAME
        self.token = secrets.token_hex(8)
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def _holder(self) -> str:
        try:
            return self.path.read_text(encoding="utf-8", errors="replace").split()[0]
        except (OSError, IndexError):
            return "?"

    def acquire(self) -> None:
        """Take the lock or raise :class:`BuildLocked` naming the process that holds it."""
        for _ in range(5):
            try:  # O_NOFOLLOW: a lock file planted as a symlink must not redirect the write
                self.path.parent.mkdir(parents=True, exist_ok=True)
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
            except OSError as exc:
                from .outfolder import reason

                raise WriteFailed(f"无法创建构建锁文件：{reason(exc)}", file=str(self.path)) from None
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                raise BuildLocked(
                    f"另一个 reportkit build（进程 {self._holder()}）正在写入此目录，请等它结束后再运行",
                    file=str(self.path.parent)) from None
            # the previous holder may have unlinked the file between our open and our flock
            try:
                same = os.path.samestat(os.fstat(fd), os.stat(self.path, follow_symlinks=False))
            except FileNotFoundError:
                same = False
            if not same:
                os.close(fd)
                continue
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()} {self.token}\n".encode())
            self._fd = fd
            return
        raise BuildLocked("无法取得构建锁（锁文件被反复替换）", file=str(self.path))

    def verify(self) -> None:
        """Raise :class:`BuildLocked` unless this build still holds the folder (same token)."""
        if self._fd is None:
            raise BuildLocked("本次构建未持有构建锁，不写入", file=str(self.path.parent))
        try:
            text = self.path.read_text(encoding="utf-8", errors="replace").split()
            same = os.path.samestat(os.fstat(self._fd), os.stat(self.path, follow_symlinks=False))
        except OSError:
            text, same = [], False
        if not same or text[1:2] != [self.token]:
            raise BuildLocked("另一个构建已接管此输出目录，本次构建不再写入", file=str(self.path.parent))

    def release(self) -> None:
        if self._fd is None:
            return
        try:
            if os.path.samestat(os.fstat(self._fd), os.stat(self.path, follow_symlinks=False)):
                self.path.unlink()
        except OSError:
            pass
        os.close(self._fd)  # closing drops the flock
        self._fd = None

    def __enter__(self):
        self.acquire()
        return self

    def __exit__(self, *exc):
        self.release()
