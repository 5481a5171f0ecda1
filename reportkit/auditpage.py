"""The audit of many reports as one self-contained HTML page and as CSV rows.

The page (``templates/audit/audit.html.j2``): a scorecard of issuers × rules sorted by findings,
then per report its form, the cells read, each finding numbered with its cells marked in a
rendering of the official tables (the rule book says which cells), and the cross-year findings.
No script and nothing from the network; the report's stylesheet and its A4 print rules.
"""
from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

import jinja2
from markupsafe import Markup

from . import atomic, rules, tables
from .audit import Audited, describe
from .chinese import count, money
from .templating import TEMPLATES, css

CSV_COLUMNS = ["file", "issuer", "year", "rule", "severity", "cells", "expected", "found", "line", "message",
               "sentence", "also", "cause", "id"]


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES / "audit"), autoescape=True,
                              undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)


@dataclass
class MarkedCell:
    text: str
    header: bool
    rowspan: int
    colspan: int
    cls: str
    marks: list[int] = field(default_factory=list)   # numbers of the findings that read this cell
    title: str = ""


def _figure(value) -> str:
    if value is None:
        return ""
    return money(value) if isinstance(value, Decimal) else count(value)


def marked_grid(grid, subject: rules.Subject, marks: dict[str, list[int]], causes: set[str]) -> list[list[MarkedCell]]:
    """An official grid with the report's values; cells a finding reads carry its numbers."""
    out = []
    for row in grid:
        line = []
        for c in row:
            if c.key is None:
                line.append(MarkedCell(c.text, c.header, c.rowspan, c.colspan, c.cls or ""))
                continue
            cells = subject.cells
            if cells.is_unread(c.key):
                text, cls = "？", "num unread"
            elif c.key in cells.printed:
                text, cls = _figure(cells.printed[c.key]), "num"
            elif c.key in cells.derived:
                text, cls = _figure(cells.value(c.key)), "num derived"
            else:
                text, cls = "", "num absent"
            hit = marks.get(c.key, [])
            cls += " hit" * bool(hit) + " cause" * (c.key in causes)
            line.append(MarkedCell(text, False, c.rowspan, c.colspan, cls, hit, c.key))
        out.append(line)
    return out


def _report_view(n: int, r: Audited) -> dict:
    imp, s = r.imported, r.subject
    findings = [f for f in r.findings if f.severity != "note"]
    marks: dict[str, list[int]] = {}
    for i, f in enumerate(findings, start=1):
        for key in f.cells:
            marks.setdefault(key, []).append(i)
    causes = {f.cause for f in findings if f.cause}
    grids = []
    for caption, css_class, grid in (("二、主动公开政府信息情况", "t-proactive", tables.proactive_grid(None)),
                                     ("三、收到和处理政府信息公开申请情况", "t-applications", tables.applications_grid(None)),
                                     ("四、政府信息公开行政复议、行政诉讼情况", "t-review", tables.review_grid(None))):
        keys = {c.key for row in grid for c in row if c.key}
        if keys & set(marks):
            grids.append({"caption": caption, "css": css_class, "rows": marked_grid(grid, s, marks, causes)})
    in_grids = {c.key for row in (tables.proactive_grid(None) + tables.applications_grid(None)
                                  + tables.review_grid(None)) for c in row if c.key}
    rep = imp.report
    return {
        "anchor": f"r{n}", "file": r.file, "issuer": imp.issuer, "year": imp.year,
        "form": f"{ {'html': '网页', 'text': '文本'}.get(rep.kind, rep.kind)}，{rep.format} 年格式，{rep.encoding}",
        "read": len(rep.read), "blank": len(rep.blank), "unread": len(rep.unread),
        "unchecked": r.unchecked,
        "findings": [{"n": i, "f": f, "rule": rules.RULES.get(f.rule), "line": describe(f),
                      "outside": [k for k in f.cells if k not in in_grids and "." in k]}
                     for i, f in enumerate(findings, start=1)],
        "cross": [i for i, f in enumerate(findings, start=1)
                  if f.rule in rules.RULES and rules.RULES[f.rule].cross_year],
        "previous": Path(s.previous.file).name if s.previous else None,
        "grids": grids,
    }


def scorecard(results: list[Audited]) -> tuple[list[str], list[dict]]:
    """Rule ids that have findings (book order) and one row per report, most findings first."""
    rows = []
    for n, r in enumerate(results):
        if r.imported is None:
            continue
        per_rule = Counter(f.rule for f in r.findings if f.severity != "note")
        rows.append({"anchor": f"r{n}", "issuer": r.imported.issuer, "year": r.imported.year, "file": r.file,
                     "counts": per_rule, "errors": len(r.errors), "warnings": len(r.warnings),
                     "unchecked": len(r.unchecked)})
    used = {k for row in rows for k in row["counts"]}
    order = [k for k in rules.RULES if k in used] + sorted(used - set(rules.RULES))
    rows.sort(key=lambda x: (-x["errors"], -x["warnings"], x["issuer"], x["year"]))
    return order, rows


def render_html(results: list[Audited], title: str = "政府信息公开工作年度报告检查结果") -> str:
    """The whole audit as one HTML page (inline CSS, no scripts, no network)."""
    order, rows = scorecard(results)
    reports = [_report_view(n, r) for n, r in enumerate(results) if r.imported is not None]
    reports.sort(key=lambda v: [x["anchor"] for x in rows].index(v["anchor"]))
    skipped = [r for r in results if r.error is not None]
    audit_css = (TEMPLATES / "audit" / "audit.css").read_text(encoding="utf-8")
    return _environment().get_template("audit.html.j2").render(
        title=title, css=css(), audit_css=Markup(audit_css), rule_ids=order, rows=rows, reports=reports,
        skipped=skipped, book=rules.RULES, n_reports=len(reports),
        n_errors=sum(len(r.errors) for r in results), n_warnings=sum(len(r.warnings) for r in results))


def write_html(results: list[Audited], target: Path) -> Path:
    return atomic.write_text(target, render_html(results))


def csv_text(results: list[Audited]) -> str:
    """Every finding as one CSV row (the JSON record's fields, cells joined by ';')."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for r in results:
        issuer = r.imported.issuer if r.imported else ""
        year = r.imported.year if r.imported else ""
        for f in r.findings:
            d = f.as_dict()
            d.update(cells=";".join(f.cells), also=";".join(f.also), issuer=issuer, year=year)
            writer.writerow({k: ("" if d.get(k) is None else d.get(k)) for k in CSV_COLUMNS})
    return buf.getvalue()


def write_csv(results: list[Audited], target: Path) -> Path:
    """The CSV with a BOM so that spreadsheet programs read the Chinese text as UTF-8."""
    return atomic.write_bytes(target, b"\xef\xbb\xbf" + csv_text(results).encode("utf-8"))

