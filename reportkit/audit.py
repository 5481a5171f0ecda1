"""Audit published reports with the rule book: the same rules, cells and findings as validate.

Each report is imported in memory (:func:`reportkit.importer.read_report`) and read as a
:class:`~reportkit.rules.Subject`: the printed cells, unread cells left unread (rules that
read one are "not checked"), the text by section. Every rule of :mod:`reportkit.rules` runs on
it — R1–R8, T1–T5, P1 — and, across reports of the same issuer in consecutive years, R9, R10,
P2 and P3. Folders are searched recursively; a file there that is not an annual report (a
year index, a roll-up, a notice) is skipped with a one-line note.
"""
from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Iterable, Optional, Union

from . import importer, rules
from .errors import Finding, ImportFailed
from .importer import Imported
from .spec import Spec, load_spec

MAX_COUNT, MAX_MONEY = 10**9, Decimal(10**12)    # the model's bounds (reportkit.model Count / Money)
SKIP_SUFFIXES = {".css", ".js", ".png", ".jpg", ".jpeg", ".gif", ".svg", ".json", ".yaml", ".yml", ".csv",
                 ".ipynb", ".py", ".zip"}


@dataclass
class Audited:
    """One file after auditing: the import (or why it failed), its subject and findings."""

    file: str
    imported: Optional[Imported] = None
    error: Optional[ImportFailed] = None
    findings: list[Finding] = field(default_factory=list)
    unchecked: list[str] = field(default_factory=list)
    subject: Optional[rules.Subject] = None
    skipped: bool = False           # found in a folder and not an annual report

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]


def _domain(imp: Imported) -> list[tuple[str, object]]:
    """Figures outside what the format allows (negative, too large, too many decimals)."""
    out = []
    for k, v in imp.values.items():
        if v is None:
            continue
        if v < 0 or v > (MAX_MONEY if isinstance(v, Decimal) else MAX_COUNT) or \
                (isinstance(v, Decimal) and v.as_tuple().exponent < -6):
            out.append((k, v))
    return out


def _reading_notes(imp: Imported, domain) -> list[Finding]:
    """What the import says about the page: out-of-range figures, the 2019 layout, unread cells."""
    src = imp.source
    out = []
    for key, value in domain:
        if value < 0:
            out.append(Finding(src, "", "domain", "表格数字不能为负数", "≥ 0", str(value), cells=(key,)))
        else:
            limit = MAX_MONEY if isinstance(value, Decimal) else MAX_COUNT
            out.append(Finding(src, "", "domain", "表格数字超出格式允许的范围", f"≤ {limit}（至多 6 位小数）",
                               str(value), cells=(key,)))
    rep = imp.report
    if imp.year >= 2021 and (rep.format == "2019" or any("2019" in d for d in rep.deviations)):
        out.append(Finding(src, "", "W-layout", f"{imp.year} 年度报告应使用 2021 年格式", "2021 年格式",
                           f"{rep.format} 年格式" if rep.format == "2019" else "（六）其他处理为一行",
                           severity="warning"))
    for c in rep.unread:
        if c.reason and "2019" in c.reason:
            continue
        out.append(Finding(src, "", "unread", f"未能读出：{c.where()}：{c.reason}", "一个数字", c.raw or "（无）",
                           severity="note", cells=(c.key,)))
    return out


def subject_of(imp: Imported, spec: Optional[Spec] = None) -> rules.Subject:
    """The rule book's view of an imported report (out-of-range figures count as unread)."""
    return rules.from_imported(imp, spec or load_spec(), bad={k for k, _ in _domain(imp)})


def _check(result: Audited, spec: Spec) -> None:
    s = result.subject
    out = rules.run(s, [r for r in rules.RULES.values() if r.id != "P1-deadline" or s.published is not None])
    notes = _reading_notes(result.imported, _domain(result.imported))
    prev = s.previous
    findings = [dataclasses.replace(f, message=f"{f.message}（上一年报告：{Path(prev.file).name}）")
                if prev is not None and rules.RULES.get(f.rule) and rules.RULES[f.rule].cross_year else f
                for f in out.findings]
    result.findings = rules.stable_ids(notes[:len(notes)] + findings)
    result.unchecked = out.unchecked_lines(len(spec.app_columns))


def audit_imported(imp: Imported, spec: Optional[Spec] = None) -> Audited:
    """Every single-report check on one imported report."""
    spec = spec or load_spec()
    result = Audited(imp.source, imp, subject=subject_of(imp, spec))
    _check(result, spec)
    return result


def link_years(results: list[Audited]) -> None:
    """Give each report last year's report of the same issuer, where exactly one of each is present."""
    by_issuer: dict[tuple[str, int], list[Audited]] = {}
    for r in results:
        if r.imported is not None:
            by_issuer.setdefault((r.imported.issuer, r.imported.year), []).append(r)
    for (issuer, year), now in by_issuer.items():
        before = by_issuer.get((issuer, year - 1))
        if len(now) == 1 and before and len(before) == 1:
            now[0].subject.previous = before[0].subject


def collect(paths: Iterable[Union[str, Path]]) -> list[tuple[Path, bool]]:
    """Files to audit: (path, found in a folder). Folders are walked recursively, in name order."""
    out = []
    for path in map(Path, paths):
        if path.is_dir():
            out += [(p, True) for p in sorted(path.rglob("*")) if p.is_file() and not p.name.startswith(".")
                    and p.suffix.lower() not in SKIP_SUFFIXES and not any(x.startswith(".") for x in p.parts)]
        else:
            out.append((path, False))
    return out


ROLLUP = re.compile(r"汇总|合计表|统计表")


def _not_a_report(imp: Imported) -> Optional[str]:
    """Why a page that imported is still no single body's annual report (a city roll-up, an empty grid)."""
    title = imp.text.title or ""
    if ROLLUP.search(title):
        return f"多个机关的汇总（{title}），不是单个机关的年度报告"
    if not imp.report.read and not imp.report.blank:
        return "没有读出任何表格数字"
    return None


def audit_files(paths: Iterable[Union[str, Path]], spec: Optional[Spec] = None) -> list[Audited]:
    """Import and audit every file (folders recursively); then the cross-year rules."""
    spec = spec or load_spec()
    results = []
    for path, in_folder in collect(paths):
        try:
            imp = importer.read_report(path)
            why = _not_a_report(imp)
            if why:
                raise ImportFailed(why, file=str(path))
        except ImportFailed as exc:
            results.append(Audited(str(path), error=exc, skipped=in_folder))
            continue
        results.append(Audited(imp.source, imp, subject=subject_of(imp, spec)))
    link_years(results)
    for r in results:
        if r.subject is not None:
            _check(r, spec)
    return results


def exit_code(results: list[Audited]) -> int:
    """2 if a named file could not be read, else 3 if any rule is broken, else 0."""
    if any(r.error and not r.skipped for r in results):
        return 2
    return 3 if any(r.errors for r in results) else 0


def records(results: list[Audited]) -> list[dict]:
    """Findings as dicts of the one JSON shape validate --json uses (file, rule, cells, …)."""
    out = []
    for r in results:
        if r.error is not None:
            rule = "skipped" if r.skipped else "unreadable"
            f = Finding(r.file, "", rule, str(r.error), "一份政府信息公开工作年度报告", r.error.message,
                        severity="note" if r.skipped else "error")
            out.append(rules.stable_ids([f])[0].as_dict())
        out += [f.as_dict() for f in r.findings]
    return out


def describe(f: Finding) -> str:
    """One finding of a published report in one line (no file: it heads its block)."""
    cells = ", ".join(f.cells[:6]) + (f" …（共 {len(f.cells)} 格）" if len(f.cells) > 6 else "")
    text = f"[{f.rule}] {f.message}"
    if f.sentence:
        text += f"：“{f.sentence}”"
    if f.expected is not None or f.found is not None:
        text += f"（应为 {f.expected}，实为 {f.found}）"
    if cells:
        text += f"  单元格：{cells}"
    return text


def text_lines(results: list[Audited]) -> list[str]:
    lines = []
    for r in results:
        if r.error is not None:
            lines.append(f"{r.file}: 跳过（不是年度报告：{r.error.message}）" if r.skipped else
                         f"{r.file}: 无法作为年度报告读取：{r.error.message}")
            continue
        imp, rep = r.imported, r.imported.report
        errors, warnings = len(r.errors), len(r.warnings)
        head = (f"{r.file}: {imp.issuer} {imp.year}年，{rep.format} 年格式；读出 {len(rep.read)} 格，空白 {len(rep.blank)} 格，"
                f"未读出 {len(rep.unread)} 格 — ")
        head += (("未发现错误" if r.unchecked else "通过") if not errors else f"{errors} 处错误")
        if warnings:
            head += f"，{warnings} 处提示"
        lines.append(head)
        for f in r.findings:
            if f.severity != "note":
                lines.append(f"  {'错误' if f.severity == 'error' else '提示'} {describe(f)}")
        if r.unchecked:
            lines.append(f"  未检查 {'、'.join(r.unchecked)}（涉及未能读出或超出范围的单元格，见 reportkit import 的导入报告）")
    audited = [r for r in results if not r.skipped]
    bad = sum(1 for r in audited if r.error or r.errors)
    skipped = len(results) - len(audited)
    lines.append(f"检查了 {len(audited)} 份报告：{len(audited) - bad} 份通过，{bad} 份有问题或无法读取；"
                 f"错误 {sum(len(r.errors) for r in audited)} 处" + (f"；跳过 {skipped} 个非年度报告文件。" if skipped else "。"))
    return lines
