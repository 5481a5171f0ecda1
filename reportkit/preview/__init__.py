"""Live preview: ``reportkit preview [YEAR] [--bureau ID]`` (see :mod:`reportkit.preview.server`)."""
from __future__ import annotations

import errno
import signal
import threading
from pathlib import Path
from typing import Callable, Optional

import psutil

from .. import params
from ..errors import BadArgument, Finding, InvalidInput
from ..masters import project_notebook
from .pages import Page, Pages, PreviewEngine, problem_page, reload_script
from .server import Preview, PreviewServer, inject
from .targets import INDEX, SUMMARY, Sources, Target, Watcher, affected, report

HOST = "127.0.0.1"
PORT = 8000


def default_year(params_dir: Path) -> int:
    """The latest year that has a folder of params files."""
    years = params.years(Path(params_dir))
    if not years:
        raise InvalidInput(Finding(params.display_path(Path(params_dir)), "", "missing", "没有任何年度的数据文件",
                                   "<params>/<年份>/<机关id>.yaml", "无"))
    return years[-1]


def serve(params_dir: Path, output_dir: Path, year: Optional[int] = None, bureau: Optional[str] = None,
          host: str = HOST, port: int = PORT, timeout: int = 300, notebook: Optional[Path] = None,
          echo: Callable[[str], None] = print) -> None:
    """Serve the year's pages until Ctrl-C (or SIGTERM), which is re-raised as KeyboardInterrupt
    after the server is closed and the kernel shut down."""
    params_dir = Path(params_dir)
    year = int(year or default_year(params_dir))
    if bureau:
        params.check_bureau_id(bureau)
        path = params.year_path(params_dir, year, bureau)
        if not path.is_file():  # as build refuses it: a typo should not open an empty preview
            raise InvalidInput(Finding(params.display_path(path), "", "missing",
                                       f"没有机关 '{bureau}' 的 {year} 年数据文件"))
    home = (report(bureau) if bureau else INDEX).path(year)
    previous = signal.signal(signal.SIGTERM, _interrupt)
    engine = server = preview = None
    try:
        server = _bind(host, port, home)  # a busy port fails before a kernel is started
        engine = PreviewEngine(notebook=Path(notebook) if notebook else project_notebook(params_dir), timeout=timeout)
        preview = server.preview = Preview(params_dir, output_dir, year, engine, timeout, log=echo)
        threading.Thread(target=server.serve_forever, name="preview-http", daemon=True).start()
        if bureau:
            preview.want(report(bureau))  # built before anyone asks: the first load is quick
        echo(f"预览地址：{server.url}{home}")
        echo(f"监视 {params.display_path(params_dir)}/、笔记本与 reportkit 的文字模板；按 Ctrl-C 结束。")
        preview.run()
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not cut the clean-up short
        try:
            _close(preview, server, engine)
        finally:
            signal.signal(signal.SIGTERM, previous)
            signal.signal(signal.SIGINT, signal.default_int_handler)


def _bind(host: str, port: int, home: str) -> PreviewServer:
    try:
        return PreviewServer((host, port), None, home)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise BadArgument(f"端口 {port} 已被占用，请用 --port 换一个（0 表示任选一个空闲端口）",
                              field="--port", expected="空闲端口", found=str(port)) from None
        raise BadArgument(f"无法在 {host}:{port} 上启动预览：{exc.strerror or exc}", field="--port") from None


def _close(preview: Optional[Preview], server: Optional[PreviewServer], engine: Optional[PreviewEngine]) -> None:
    if preview is not None:
        preview.stop()
    if server is not None:
        server.shutdown()
        server.server_close()
    if engine is not None:
        try:
            engine.close()
        except Exception:  # noqa: BLE001 — interrupted mid-cell: the client may be half-closed
            pass
    for child in psutil.Process().children(recursive=True):  # the kernel, if close() could not stop it
        try:
            child.kill()
        except psutil.Error:
            pass


def _interrupt(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


__all__ = ["HOST", "PORT", "INDEX", "SUMMARY", "Page", "Pages", "Preview", "PreviewEngine", "PreviewServer",
           "Sources", "Target", "Watcher", "affected", "default_year", "inject", "problem_page",
           "reload_script", "report", "serve"]
