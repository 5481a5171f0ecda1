"""A report page as the batch writes it (same fragments, same CSS), made without a kernel."""
from __future__ import annotations

from pathlib import Path

from reportkit.report import Report
from reportkit.templating import css

SAMPLE_PARAMS = Path(__file__).resolve().parents[1] / "params"


def page(report: Report) -> bytes:
    body = "".join(report.fragments())
    return (f"<!DOCTYPE html><html lang='zh-CN'><head><meta charset='utf-8'><title>{report.title}</title>"
            f"<style>{css()}</style></head><body class='report'><main>{body}</main></body></html>").encode("utf-8")


def sample(bureau: str = "shengzhou-wglj", year: int = 2022) -> tuple[Report, bytes]:
    report = Report.load(bureau, year, SAMPLE_PARAMS)
    return report, page(report)
