"""One small exception hierarchy; every error carries where it happened and what was expected.

The CLI turns these into one paragraph and an exit code (``exit_code``); nothing else
should escape to the user as a traceback.
"""
from __future__ import annotations

from dataclasses import dataclass


def expected_found(expected, found) -> str:
    """'（应为 6，实为 7）', or the half that is known."""
    parts = ([f"应为 {expected}"] if expected is not None else []) + \
            ([f"实为 {found}"] if found is not None else [])
    return f"（{'，'.join(parts)}）" if parts else ""


@dataclass(frozen=True)
class Finding:
    """One problem in one input: where (file, field, line), which rule, expected vs found."""

    file: str
    field: str
    rule: str
    message: str
    expected: str | None = None
    found: str | None = None
    line: int | None = None
    severity: str = "error"  # or "warning"
    cells: tuple[str, ...] = ()      # the format's cells the rule read (applications.new.total, …)
    id: str = ""                     # stable across runs: file name, rule, cells
    sentence: str | None = None      # the text a text rule quotes
    also: tuple[str, ...] = ()       # other rule breaks the same single cell explains
    cause: str | None = None         # that single cell, when one cell explains them all

    def __str__(self) -> str:
        where = self.file + (f":{self.line}" if self.line else "")
        text = f"{where}: {self.field or '(file)'}: [{self.rule}] {self.message}"
        if self.sentence:
            text += f"：“{self.sentence}”"
        text += expected_found(self.expected, self.found)
        if self.also:
            text += f"；同一处还使 {'、'.join(self.also)} 不成立"
        return text

    def as_dict(self) -> dict:
        """The one JSON shape of validate --json and audit --json."""
        keys = ("rule", "severity", "cells", "expected", "found", "file", "line", "message", "id",
                "field", "sentence", "also", "cause")
        return {k: (list(v) if isinstance(v := getattr(self, k), tuple) else v) for k in keys}


class ReportkitError(Exception):
    """Base of every error reportkit raises on purpose."""

    exit_code = 1

    def __init__(self, message: str, *, file: str | None = None, field: str | None = None,
                 rule: str | None = None, expected: str | None = None, found: str | None = None):
        super().__init__(message)
        self.message = message
        self.file, self.field, self.rule = file, field, rule
        self.expected, self.found = expected, found

    def __str__(self) -> str:
        parts = [p for p in (self.file, self.field) if p]
        text = (": ".join(parts) + ": " if parts else "") + self.message
        if self.rule:
            text = f"{text} [{self.rule}]"
        return text + expected_found(self.expected, self.found)


class InvalidInput(ReportkitError):
    """Input data that break the schema or a rule; holds every finding, not only the first."""

    exit_code = 2

    def __init__(self, findings: list[Finding] | Finding | None = None, message: str | None = None,
                 **where):
        if isinstance(findings, Finding):
            findings = [findings]
        self.findings: list[Finding] = list(findings or [])
        if message is None:
            files = sorted({f.file for f in self.findings})
            message = f"{len(self.findings)} 处输入错误，涉及 {len(files)} 个文件"
        super().__init__(message, **where)

    def __str__(self) -> str:
        head = super().__str__()
        errors = [f for f in self.findings if f.severity == "error"]
        if not errors:
            return head
        return head + "\n" + "\n".join(f"  {f}" for f in errors)


class ExecutionFailed(ReportkitError):
    """A report's notebook raised; the failed notebook was written before this was raised."""

    exit_code = 1

    def __init__(self, message: str, *, bureau: str, cell: int | None = None,
                 notebook: str | None = None, **where):
        super().__init__(message, **where)
        self.bureau, self.cell, self.notebook = bureau, cell, notebook

    def __str__(self) -> str:
        cell = f"第 {self.cell} 个单元格" if self.cell is not None else "执行时"
        text = f"{self.bureau}: {cell}出错：{self.message}"
        if self.notebook:
            text += f"（出错的 notebook 已保存：{self.notebook}）"
        return text


class ImportFailed(ReportkitError):
    """A published report that could not be read as one."""

    exit_code = 2


class BuildLocked(ReportkitError):
    """Another build holds the output folder."""

    exit_code = 1


class BadArgument(ReportkitError):
    """A command-line value that cannot be used (a malformed range, an unknown file type)."""

    exit_code = 2


class RenderFailed(ReportkitError):
    """A finished report could not be turned into another format (PDF: no Chromium, a crash)."""

    exit_code = 1


class UnsafePath(ReportkitError):
    """A write or deletion that would land outside the output folder (through a symlink)."""

    exit_code = 2


class WriteFailed(ReportkitError):
    """The output folder refused a write: read-only, full, no permission."""

    exit_code = 1
