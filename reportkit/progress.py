"""How a build shows itself: a rich progress bar on a terminal, plain log lines otherwise,
and the closing summary table."""
from __future__ import annotations

import sys
from typing import Optional

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

STATUS_TEXT = {"ok": "已生成", "skipped": "未变更，跳过", "failed": "失败", "invalid": "数据有误"}


class BuildProgress:
    """Receives batch events (start / ok / failed / skipped) and shows them."""

    def __init__(self, stream=None):
        self.stream = stream or sys.stderr
        self.console = Console(file=self.stream)
        self.tty = self.console.is_terminal
        self.done = self.failed = 0
        self.running: list[str] = []
        self.progress: Optional[Progress] = None
        self.task = None

    def __enter__(self):
        if self.tty:
            self.progress = Progress(TextColumn("[bold]{task.description}"), BarColumn(),
                                     TextColumn("完成 {task.fields[done]} · 失败 {task.fields[failed]} "
                                                "· 进行中 {task.fields[left]}"),
                                     TextColumn("{task.fields[current]}"), TimeElapsedColumn(),
                                     console=self.console, transient=False)
            self.progress.start()
        return self

    def __exit__(self, *exc):
        if self.progress:
            self.progress.stop()

    def event(self, kind: str, bureau: str, entry) -> None:
        if kind == "start":
            self.running.append(bureau)
        else:
            if bureau in self.running:
                self.running.remove(bureau)
            self.done += kind in ("ok", "skipped")
            self.failed += kind == "failed"
        if self.progress:
            if self.task is None:
                self.task = self.progress.add_task("生成报告", total=None, done=0, failed=0, left="?", current="")
            self.progress.update(self.task, done=self.done, failed=self.failed,
                                 left=len(self.running), current=", ".join(self.running[:3]))
        elif kind != "start":
            secs = f" {entry.seconds:.1f}s" if entry and entry.seconds else ""
            err = f" — {entry.error}" if entry and entry.error else ""
            name = "（汇总）" if bureau == "summary" else bureau  # as the closing table names it
            print(f"[{self.done + self.failed}] {STATUS_TEXT.get(kind, kind)} {name}{secs}{err}",
                  file=self.stream, flush=True)


def print_summary(result, stream=None) -> None:
    """The closing table: bureau, status, seconds, error."""
    console = Console(file=stream or sys.stdout, width=120 if not (stream or sys.stdout).isatty() else None)
    table = Table(title=f"{result.year} 年：{len(result.entries)} 份报告，用时 {result.seconds:.1f} 秒",
                  show_lines=False)
    for col in ("机关", "状态", "秒", "错误"):
        table.add_column(col, overflow="fold")
    for bureau, entry in sorted(result.entries.items()):
        status = "skipped" if bureau in result.skipped else entry.status
        error = entry.error or ("; ".join(entry.errors[:2]) if entry.errors else "")
        if entry.cell is not None:
            error = f"第 {entry.cell} 个单元格：{error}"
        table.add_row(bureau, STATUS_TEXT.get(status, status),
                      f"{entry.seconds:.1f}" if status not in ("skipped", "invalid") else "-",
                      Text(error))  # plain text: a "[/x]" typed into a params file is not rich markup
    if result.summary is not None:
        s = result.summary
        status = "skipped" if "summary" in result.skipped else s.status
        table.add_row("（汇总）", STATUS_TEXT.get(status, status),
                      f"{s.seconds:.1f}" if status != "skipped" else "-", Text(s.error or ""))
    console.print(table)
    if result.invalid:
        console.print(f"{len(result.invalid)} 个数据文件有误，已跳过；详见 reportkit validate。")
