"""The output folder the user named, and the only door through which a build writes into it.

Every write and deletion is checked first: its folder must resolve (symlinks followed)
inside the output folder, and the build must still hold the folder's lock (a newer build
that took over is never overwritten by an older one). An ``OSError`` becomes a located
:class:`~reportkit.errors.WriteFailed` naming the file and the reason in words.
"""
from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path
from typing import Callable, Optional, Union

from . import atomic
from .errors import UnsafePath, WriteFailed

RESERVE_NAME = ".reportkit.reserve"
RESERVE_BYTES = 512 * 1024  # room kept back so a full disk still gets a manifest and an index

REASONS = {errno.ENOSPC: "磁盘已满", errno.EDQUOT: "超出磁盘配额", errno.EROFS: "只读文件系统",
           errno.EACCES: "没有写入权限", errno.EPERM: "没有写入权限", errno.EISDIR: "目标是一个目录",
           errno.ENOTDIR: "路径中有一段不是目录", errno.ENAMETOOLONG: "文件名过长", errno.EIO: "输入输出错误"}


def reason(exc: OSError) -> str:
    """An OSError in words a user reads ('磁盘已满')."""
    return REASONS.get(exc.errno, exc.strerror or type(exc).__name__)


class OutputFolder:
    """``root`` and the checks every write into it passes; ``guard`` raises if the build lost its lock."""

    def __init__(self, root: Union[str, Path], guard: Optional[Callable[[], None]] = None):
        self.root = Path(root)
        self.real = self.root.resolve()
        self.guard = guard or (lambda: None)
        self.full = False  # set once a write met a full disk

    def check(self, path: Union[str, Path]) -> Path:
        """``path`` if its folder resolves inside the output folder, else :class:`UnsafePath`."""
        path = Path(path)
        where = path.parent.resolve() / path.name
        try:
            where.relative_to(self.real)
        except ValueError:
            raise UnsafePath("拒绝写入或删除：该路径经符号链接指向输出目录之外", file=str(path),
                             expected=f"{self.real} 之内", found=str(where)) from None
        return path

    def _do(self, path: Path, action: Callable[[], object]):
        self.check(path)
        self.guard()
        try:
            return action()
        except OSError as exc:
            self.full = self.full or exc.errno in (errno.ENOSPC, errno.EDQUOT)
            raise WriteFailed(f"无法写入：{reason(exc)}", file=str(path)) from None

    def mkdir(self, path: Union[str, Path]) -> Path:
        path = Path(path)
        self._do(path, lambda: path.mkdir(parents=True, exist_ok=True))
        self.check(path / "x")  # the folder itself may be a symlink to elsewhere
        return path

    def write_bytes(self, path: Union[str, Path], data: bytes) -> Path:
        """Write atomically (temp + rename) after the checks."""
        path = Path(path)
        if path.parent != self.root:
            self.mkdir(path.parent)
        return self._do(path, lambda: atomic.write_bytes(path, data))

    def write_all(self, files: dict[Path, bytes]) -> None:
        """Several files, all replaced or none (see :func:`reportkit.atomic.write_all`)."""
        for path in files:
            if Path(path).parent != self.root:
                self.mkdir(Path(path).parent)
            self.check(path)
        first = next(iter(files))
        self._do(Path(first), lambda: atomic.write_all(files))

    def write_text(self, path: Union[str, Path], text: str) -> Path:
        return self.write_bytes(path, text.encode("utf-8"))

    def remove(self, path: Union[str, Path]) -> None:
        """Delete one file (a symlink itself, never its target) after the checks."""
        path = Path(path)
        self._do(path, lambda: path.unlink(missing_ok=True))

    def remove_tree(self, path: Union[str, Path]) -> None:
        path = Path(path)
        if path.is_symlink():
            self.remove(path)
        elif path.is_dir():
            self._do(path, lambda: shutil.rmtree(path))

    def clean(self, folder: Union[str, Path], pattern: str) -> int:
        """Delete what ``pattern`` matches in ``folder`` (temp files, work folders); returns how many."""
        folder = Path(folder)
        if not folder.is_dir():
            return 0
        self.check(folder / "x")
        n = 0
        for p in folder.glob(pattern):
            self.remove_tree(p) if p.is_dir() and not p.is_symlink() else self.remove(p)
            n += 1
        return n

    # --- room for the closing manifest and index on a nearly full disk ----------------------
    def reserve(self) -> None:
        """Set aside RESERVE_BYTES; released by :meth:`release_reserve` when the disk fills."""
        path = self.root / RESERVE_NAME
        try:
            self.check(path)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
            try:
                os.posix_fallocate(fd, 0, RESERVE_BYTES)
            finally:
                os.close(fd)
        except (OSError, UnsafePath):
            self.release_reserve()  # no room even for that: go on without

    def release_reserve(self) -> None:
        try:
            os.unlink(self.root / RESERVE_NAME)
        except OSError:
            pass
