"""Reading one input file without surprises: regular files only, bounded, never blocking.

``read_regular`` hands every problem to the caller's ``fail(message, line=None, expected=None,
found=None)``, which raises the caller's located error.
"""
from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import Callable, NoReturn


def read_regular(path: Path, max_bytes: int, fail: Callable[..., NoReturn]) -> bytes:
    """The bytes of a regular file of at most ``max_bytes``; anything else goes to ``fail``.

    Opened without blocking and checked on the open descriptor, so a FIFO, a device or a
    file swapped for one after a check can neither hang nor flood the build.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        fail("找不到文件" + (f"（按当前目录 {Path.cwd()} 解析为 {Path(path).absolute()}）"
                        if not Path(path).is_absolute() else ""))
    except IsADirectoryError:
        fail("应为 YAML 文件，实为一个目录", expected="YAML 文件", found="目录")
    except OSError as exc:
        fail(f"无法读取：{os_reason(exc)}")
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode) or st.st_size > max_bytes:
        os.close(fd)
        if stat.S_ISDIR(st.st_mode):
            fail("应为 YAML 文件，实为一个目录", expected="YAML 文件", found="目录")
        if not stat.S_ISREG(st.st_mode):  # a pipe or /dev/zero would never end
            fail("不是普通文件", expected="YAML 文件", found="设备或管道")
        fail("文件过大", expected=f"≤ {max_bytes} 字节", found=f"{st.st_size} 字节")
    with os.fdopen(fd, "rb") as f:
        try:
            raw = f.read(max_bytes + 1)  # /proc files report size 0: bound the read itself
        except OSError as exc:
            fail(f"无法读取：{os_reason(exc)}")
    if len(raw) > max_bytes:
        fail("文件过大", expected=f"≤ {max_bytes} 字节", found=f"> {max_bytes} 字节")
    return raw


def os_reason(exc: OSError) -> str:
    reasons = {errno.EACCES: "没有读取权限", errno.EPERM: "没有读取权限", errno.ELOOP: "符号链接循环",
               errno.EIO: "输入输出错误", errno.ENAMETOOLONG: "文件名过长", errno.ENOTDIR: "路径中有一段不是目录"}
    return reasons.get(exc.errno, exc.strerror or type(exc).__name__)
