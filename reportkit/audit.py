"""Audit published reports: the format's rules on the tables, and the text against the tables.

Each report is imported in memory (:mod:`reportkit.importer`) and checked with
:func:`reportkit.rules.check_year` (R1–R8 on every column), R9/R10 across reports of the same
issuer in consecutive years, and a few checks of the text:

* ``text-figure`` — a figure quoted in section 一 (收到申请6件, 办结, 结转, 予以公开, 行政复议,
  行政诉讼, 行政规范性文件, 行政许可/处罚/强制决定) that differs from its table cell;
* ``text-itemised`` — 主动公开N条 whose itemised categories do not add up to N;
* ``text-year`` — a report year in the text that differs from the title's;
* ``text-empty-section`` — section 五 missing or empty;
* ``text-fees`` — the tables show fee notices (三（六）2) while section 六 says no fee was charged.

A cell that could not be read is never replaced by a guess: rules that involve it are not
checked, and the report says so.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Iterable, Optional, Union

from pydantic import ValidationError

from . import importer, rules
from .errors import Finding, ImportFailed
from .importer import Imported, norm, text_norm
from .model import BureauYear
from .spec import load_spec

SPEC = load_spec()
APP_COLS = [c.key for c in SPEC.app_columns]
REVIEW_COLS = [c.key for c in SPEC.review_columns]
OUTCOME_PATHS = [p for p in SPEC.app_leaf_rows() if p[0] not in ("new", "carried_over", "total", "carried_forward")]
MAX_COUNT, MAX_MONEY = 10**9, Decimal(10**12)    # the model's bounds (reportkit.model Count / Money)
RULE_NAMES = {"T1-itemised-count": "text-itemised", "T2-fee-notices": "text-fee-notices"}


@dataclass
class AuditFinding:
    """One problem in one published report."""

    report: str
    rule: str                      # R7, text-figure, …
    cells: list[str]               # table.row.column keys (…@YEAR for another year's report)
    expected: Optional[str]
    found: Optional[str]
    message: str
    severity: str = "error"        # error | warning | note
    sentence: Optional[str] = None
    id: str = ""

    def as_dict(self) -> dict:
        return {"report": self.report, "rule": self.rule, "cells": list(self.cells), "expected": self.expected,
                "found": self.found, "id": self.id, "severity": self.severity, "message": self.message,
                "sentence": self.sentence}

    def __str__(self) -> str:
        cells = ", ".join(self.cells[:6]) + (f" …（共 {len(self.cells)} 格）" if len(self.cells) > 6 else "")
        text = f"[{self.rule}] {self.message}"
        if self.sentence:
            text += f"：“{self.sentence}”"
        if self.expected is not None or self.found is not None:
            text += f"（应为 {self.expected}，实为 {self.found}）"
        if cells:
            text += f"  单元格：{cells}"
        return text


@dataclass
class Audited:
    """One file after auditing: the import (or why it failed) and its findings."""

    file: str
    imported: Optional[Imported] = None
    error: Optional[ImportFailed] = None
    findings: list[AuditFinding] = field(default_factory=list)
    unchecked: list[str] = field(default_factory=list)
    model: Optional["_Model"] = None
    ids: dict = field(default_factory=dict)     # for stable ids of repeated (rule, cells)

    @property
    def errors(self) -> list[AuditFinding]:
        return [f for f in self.findings if f.severity == "error"]


# --- the model the rules run on --------------------------------------------------------------
def _key(path: Union[tuple, str], col: str) -> str:
    path = path if isinstance(path, str) else ".".join(path)
    return f"applications.{path}.{col}"


class _Model:
    """The imported figures as a BureauYear; unread cells become 0 and are remembered as unknown."""

    def __init__(self, imp: Imported):
        self.imp = imp
        values = dict(imp.values)
        self.unknown: set[str] = {k for k, v in values.items() if v is None}
        self.domain: list[tuple[str, object]] = []
        for k, v in values.items():
            if v is None:
                continue
            if v < 0 or v > (MAX_MONEY if isinstance(v, Decimal) else MAX_COUNT) or \
                    (isinstance(v, Decimal) and v.as_tuple().exponent < -6):
                self.domain.append((k, v))
                self.unknown.add(k)
        self.synthetic: dict[str, str] = {}
        # 2019 layout: （六）其他处理 is one row. Its figures stand in for the group so that R6/R7
        # can still be checked; nothing of this is written anywhere.
        for group in SPEC.outcome_groups:
            sub = [values.get(_key((group.key, "subtotal"), c)) for c in APP_COLS]
            leaves = [(group.key, leaf.key) for leaf in group.children]
            if all(values.get(_key(leaf, c)) is None for leaf in leaves for c in APP_COLS) and \
                    any(v is not None for v in sub):
                for i, leaf in enumerate(leaves):
                    for c, s in zip(APP_COLS, sub):
                        k = _key(leaf, c)
                        values[k] = s if i == 0 else 0
                        self.synthetic[k] = _key((group.key, "subtotal"), c)
                        if i == 0 and s is None:
                            self.unknown.add(k)
                        else:
                            self.unknown.discard(k)
        self.values = values
        try:
            self.data = BureauYear.model_validate(self._params())
        except ValidationError as exc:
            raise ImportFailed(f"figures outside what the format allows: {exc.errors()[0]['msg']}",
                               file=imp.source) from None

    def _params(self) -> dict:
        def v(k, decimal=False):
            x = self.values.get(k)
            if x is None or k in self.unknown:
                return Decimal(0) if decimal else 0
            return x

        p = self.imp.params
        proactive = {}
        for row in SPEC.proactive_rows:
            if row.key in ("regulations", "normative_documents"):
                proactive[row.key] = {c: v(f"proactive.{row.key}.{c}") for c in ("issued", "repealed", "in_force")}
            else:
                proactive[row.key] = v(f"proactive.{row.key}.{'amount' if row.decimal else 'count'}", row.decimal)
        apps: dict = {}
        for path in SPEC.app_leaf_rows():
            figures = [v(_key(path, c)) for c in APP_COLS]
            if len(path) == 1:
                apps[path[0]] = figures
            else:
                apps.setdefault(path[0], {})[path[1]] = figures
        for group in SPEC.outcome_groups:
            ks = [_key((group.key, "subtotal"), c) for c in APP_COLS]
            if any(k in self.values for k in ks):
                apps[group.key]["subtotal"] = [v(k) for k in ks]
        review = {g.key: [v(f"review_litigation.{g.key}.{c}") for c in REVIEW_COLS] for g in SPEC.review_groups}
        fees = {k: (x if x is not None else (0 if k == "notices" else Decimal(0)))
                for k, x in p["processing_fees"].items()}
        fees = {k: (max(x, 0) if k == "notices" else x) for k, x in fees.items()}
        disclosed = p["disclosed"]
        if (disclosed["total"] or 0) > MAX_COUNT or any(v > MAX_COUNT for v in disclosed["categories"].values()):
            disclosed = {"total": None, "categories": {}}
        fees = {k: (x if x <= (MAX_COUNT if k == "notices" else MAX_MONEY) else 0) for k, x in fees.items()}
        return {"published": p["published"] or dt.date(2000, 1, 1),
                "disclosed": {"total": disclosed["total"] or 0, "categories": disclosed["categories"]},
                "proactive": proactive, "applications": apps, "review_litigation": review,
                "processing_fees": fees}

    def known(self, keys: Iterable[str]) -> bool:
        return not (set(keys) & self.unknown)

    def shown(self, keys: Iterable[str]) -> list[str]:
        """Cells as reported: a 2019 single row （六） instead of its stand-in items."""
        out = []
        for k in keys:
            k = self.synthetic.get(k, k) if k in self.synthetic else k
            if k not in out:
                out.append(k)
        return out


def _row_keys(path: tuple, cols: Iterable[int]) -> list[str]:
    return [_key(path, APP_COLS[i]) for i in cols]


def _col_deps(paths: Iterable[tuple], i: int) -> list[str]:
    """Cells a computed value in column i depends on (the 总计 column sums the six figures)."""
    cols = range(6) if i == 6 else [i]
    return [_key(p, APP_COLS[j]) for p in paths for j in cols]


_INDEX = re.compile(r"^(.*)\[(\d+)\]$")


def _cells_of(f: Finding, prev_year: Optional[int] = None) -> tuple[str, list[str], list[str]]:
    """(rule name, cells shown, cells the check depends on) of a finding from rules.py."""
    short = f.rule.split("-", 1)[0] if re.match(r"^R\d+-", f.rule) else RULE_NAMES.get(f.rule, f.rule)
    m = _INDEX.match(f.field)
    field_, i = (m.group(1), int(m.group(2))) if m else (f.field, None)
    parts = field_.split(".")
    if short == "R1":
        path = tuple(parts[1:])
        keys = _row_keys(path, range(7))
        return short, keys, keys
    if short in ("R2", "R3", "R4", "R5"):
        group = parts[1]
        items = [(group, leaf.key) for g in SPEC.outcome_groups if g.key == group for leaf in g.children]
        shown = [_key((group, "subtotal"), APP_COLS[i])] + [_key(p, APP_COLS[i]) for p in items]
        return short, shown, [_key((group, "subtotal"), APP_COLS[i])] + _col_deps(items, i)
    if short == "R6":
        shown = [_key(("total",), APP_COLS[i])] + [_key(p, APP_COLS[i]) for p in OUTCOME_PATHS]
        return short, shown, [_key(("total",), APP_COLS[i])] + _col_deps(OUTCOME_PATHS, i)
    if short == "R7":
        shown = [_key((r,), APP_COLS[i]) for r in ("new", "carried_over", "total", "carried_forward")]
        deps = _col_deps([("new",), ("carried_over",), ("carried_forward",)] + OUTCOME_PATHS, i)
        return short, shown, deps
    if short == "R8":
        keys = [f"review_litigation.{parts[1]}.{c}" for c in REVIEW_COLS]
        return short, keys, keys
    if short == "R9":
        shown = [_key(("carried_over",), APP_COLS[i]), f"{_key(('carried_forward',), APP_COLS[i])}@{prev_year}"]
        deps = _col_deps([("carried_over",)], i)
        return short, shown, deps
    if short == "R10":
        key = parts[1]
        keys = [f"proactive.{key}.{c}" for c in ("issued", "repealed", "in_force")]
        return short, keys + [f"proactive.{key}.in_force@{prev_year}"], keys
    if f.rule == "W-issued-in-force":
        keys = [f"proactive.{parts[1]}.{c}" for c in ("issued", "repealed", "in_force")]
        return f.rule, keys, keys
    if f.rule == "T1-itemised-count":
        return short, ["disclosed.total", "disclosed.categories"], []
    if f.rule == "T2-fee-notices":
        keys = _row_keys(("other_handling", "fee_unpaid"), range(6))
        return short, ["processing_fees.notices", _key(("other_handling", "fee_unpaid"), "total")], keys
    return short, [f.field], []


def unchecked_rules(m: "_Model") -> list[str]:
    """Rules (and where) that involve a cell that could not be read, so were not checked."""
    if not m.unknown:
        return []
    found: dict[str, list[str]] = {}

    def check(rule: str, where: str, deps: Iterable[str]):
        if not m.known(deps):
            found.setdefault(rule, []).append(where)

    for path in SPEC.app_leaf_rows():
        check("R1", importer.OFFICIAL[_key(path, "total")].row_label, _row_keys(path, range(7)))
    for group, rule in (("withheld", "R2"), ("unable_to_provide", "R3"), ("not_processed", "R4"),
                        ("other_handling", "R5")):
        if any(_key((group, "subtotal"), c) in m.values for c in APP_COLS):
            items = [(group, leaf.key) for g in SPEC.outcome_groups if g.key == group for leaf in g.children]
            for i, col in enumerate(SPEC.app_columns):
                check(rule, col.label, [_key((group, "subtotal"), APP_COLS[i])] + _col_deps(items, i))
    for i, col in enumerate(SPEC.app_columns):
        check("R6", col.label, [_key(("total",), APP_COLS[i])] + _col_deps(OUTCOME_PATHS, i))
        check("R7", col.label, _col_deps([("new",), ("carried_over",), ("carried_forward",)] + OUTCOME_PATHS, i))
    for g in SPEC.review_groups:
        check("R8", g.label, [f"review_litigation.{g.key}.{c}" for c in REVIEW_COLS])
    out = []
    for rule, where in found.items():
        if rule in ("R2", "R3", "R4", "R5", "R6", "R7") and len(where) == len(SPEC.app_columns):
            out.append(f"{rule}（各列）")
        else:
            out.append(f"{rule}（{'、'.join(where)}）")
    return out


def _stable_id(report: str, rule: str, cells: list[str], seen: dict) -> str:
    base = f"{Path(report).name}|{rule}|{','.join(cells)}"
    n = seen.get(base, 0)
    seen[base] = n + 1
    return hashlib.sha1((base + (f"#{n}" if n else "")).encode("utf-8")).hexdigest()[:12]


# --- text against tables -----------------------------------------------------------------------
def _printed(m: "_Model", path: tuple) -> tuple[int, list[str]]:
    """A row's 总计 as printed, or the sum of its six figures when the printed one is unread."""
    key = _key(path, "total")
    if m.values.get(key) is not None and key not in m.unknown:
        return m.values[key], [key]
    return m.data.app_cells()[path]["total"] if path != ("total",) else \
        sum(m.data.app_cells()[p]["total"] for p in OUTCOME_PATHS), _col_deps([path] if path != ("total",)
                                                                             else OUTCOME_PATHS, 6)


def _rows_total(paths: list[tuple]):
    def value_of(m):
        total, deps = 0, []
        for path in paths:
            value, d = _printed(m, path)
            total, deps = total + value, deps + d
        return total, deps, [_key(p, "total") for p in paths]
    return value_of


def _row_total(row: str):
    return _rows_total([(row,)])


def _outcome(key: str):
    return _rows_total([p for p in SPEC.app_leaf_rows() if p[0] == key])


def _review(groups: tuple[str, ...]):
    def value_of(m):
        total, deps = 0, []
        for g in groups:
            key = f"review_litigation.{g}.total"
            if m.values.get(key) is not None and key not in m.unknown:
                total, deps = total + m.values[key], deps + [key]
            else:
                total += m.data.review_cells()[g]["total"]
                deps += [f"review_litigation.{g}.{c}" for c in REVIEW_COLS[:4]]
        return total, deps, [f"review_litigation.{g}.total" for g in groups]
    return value_of


def _proactive(key: str, col: str):
    cell = f"proactive.{key}.{col}"
    return lambda m: (m.values.get(cell) or 0, [cell], [cell])


_GAP = r"[^，。；、\d]{0,16}?"
# (what, pattern with one group for the figure, value in the table, sentence must contain)
QUOTES = [
    ("新收申请", r"(?:新收|收到|受理)" + _GAP + r"申请(?:共|总数|数量)?(?:为)?(\d+)件", _row_total("new"), None),
    ("上年结转", r"上年结转" + r"[^，。；、\d]{0,12}?(\d+)件", _row_total("carried_over"), None),
    ("办结", r"办结(?:申请)?(?:共)?(\d+)件", _row_total("total"), None),
    ("结转下年度", r"结转下(?:一)?年度?(?:继续办理)?(\d+)件", _row_total("carried_forward"), None),
    ("予以公开", r"予以公开(\d+)件", _outcome("disclosed"), None),
    ("部分公开", r"部分公开(\d+)件", _outcome("partly_disclosed"), None),
    ("不予公开", r"不予公开(\d+)件", _outcome("withheld"), None),
    ("无法提供", r"无法提供(\d+)件", _outcome("unable_to_provide"), None),
    ("不予处理", r"不予处理(\d+)件", _outcome("not_processed"), None),
    ("其他处理", r"其他处理(\d+)件", _outcome("other_handling"), None),
    ("行政复议", r"行政复议(\d+)(?:件|起|宗)", _review(("review",)), None),
    ("行政诉讼", r"行政诉讼(\d+)(?:件|起|宗)", _review(("litigation_direct", "litigation_after_review")), None),
    ("制发行政规范性文件", r"(?:制发|出台|印发|制定)(?:行政)?规范性文件(\d+)件",
     _proactive("normative_documents", "issued"), None),
    ("废止行政规范性文件", r"规范性文件\d+件[、，,]废止(\d+)件", _proactive("normative_documents", "repealed"), None),
    ("现行有效行政规范性文件", r"现行有效(?:的)?(?:行政)?(?:规范性文件)?(\d+)件",
     _proactive("normative_documents", "in_force"), "规范性文件"),
    ("行政许可决定", r"行政许可决定(\d+)件", _proactive("licensing", "count"), None),
    ("行政处罚决定", r"行政处罚决定(\d+)件", _proactive("penalty", "count"), None),
    ("行政强制决定", r"行政强制决定(\d+)件", _proactive("enforcement", "count"), None),
]
ZERO_QUOTES = [
    ("新收申请", r"未(?:收到|受理)[^。；，]{0,16}?申请", _row_total("new")),
    ("行政复议", r"未(?:发生|出现|有)[^。；]{0,30}?行政复议", _review(("review",))),
    ("行政诉讼", r"未(?:发生|出现|有)[^。；]{0,30}?行政诉讼", _review(("litigation_direct", "litigation_after_review"))),
]
_CLAUSE = re.compile(r"[，。；：:\n]")
_LAST_YEAR = re.compile(r"上年|去年|上一年|同比|较")


def _sentences(text: str) -> list[str]:
    text = "\n".join(text_norm(line) for line in text.split("\n"))
    return [s for s in re.split(r"(?<=[。；\n])", text) if s.strip()]


def _earlier(sentence: str, start: int) -> bool:
    """The figure is about last year (上年为6件, （上年行政复议1件、行政诉讼1件）) rather than this year's."""
    clause = _CLAUSE.split(sentence[:start])[-1]
    hits = list(_LAST_YEAR.finditer(clause))
    return bool(hits) and "）" not in clause[hits[-1].end():] and ")" not in clause[hits[-1].end():]


def text_figures(m: _Model) -> list[tuple[str, list[str], str, str, str, list[str]]]:
    """(what, cells, expected, found, sentence, deps) for each figure in section 一 that differs."""
    out = []
    for sentence in _sentences(m.imp.text.section_text("一")):
        for what, pattern, value_of, needs in QUOTES:
            if needs and needs not in sentence:
                continue
            for hit in re.finditer(pattern, sentence):
                if what != "上年结转" and _earlier(sentence, hit.start()):
                    continue
                value, deps, cells = value_of(m)
                found = int(hit.group(1))
                if m.known(deps) and found != value:
                    out.append((what, cells, str(value), str(found), sentence.strip(), deps))
        for what, pattern, value_of in ZERO_QUOTES:
            hit = re.search(pattern, sentence)
            if hit and not _earlier(sentence, hit.start()):
                value, deps, cells = value_of(m)
                if m.known(deps) and value != 0:
                    out.append((what, cells, str(value), "0", sentence.strip(), deps))
    return out


_YEAR_LEAD = re.compile(r"^((?:19|20)\d{2})年(?!以来|起|至|底|初|前|末|以前|开始|度?工作要点|\d)")
_PERIOD = re.compile(r"统计(?:期限|时间|区间|期)?[^。]{0,12}?((?:19|20)\d{2})年1月1日[^。]{0,10}?((?:19|20)\d{2})年12月31日")
_TITLE_IN_TEXT = re.compile(r"((?:19|20)\d{2})年度?(?:政府)?信息公开(?:工作)?年度报告")


def text_years(imp: Imported) -> list[tuple[str, str]]:
    """(year found, sentence) for each report year in the text that differs from the title's."""
    year = imp.title_year or imp.year
    out = []
    t = imp.text
    for line in t.preamble + [x for n in t.sections for x in t.sections[n]]:
        n = text_norm(line)
        for m in _PERIOD.finditer(n):
            for y in m.groups():
                if int(y) != year:
                    out.append((y, m.group(0)))
                    break
        for m in _TITLE_IN_TEXT.finditer(n):
            if int(m.group(1)) != year and (not t.title or norm(t.title) not in n):
                out.append((m.group(1), m.group(0)))
    for line in t.sections.get("一", []):
        m = _YEAR_LEAD.match(text_norm(line))
        if m and int(m.group(1)) != year:
            out.append((m.group(1), re.split(r"(?<=[。；])", text_norm(line))[0]))
    seen, unique = set(), []
    for item in out:
        if item not in seen:
            seen.add(item)
            unique.append(item)
    return unique


_SUBHEAD = re.compile(r"^\([一二三四五六七八九十]\)[^。，；]{0,20}$")


def section_five_empty(imp: Imported) -> Optional[str]:
    """'missing' or 'empty' when section 五 says nothing; None when it has content."""
    if "五" not in imp.text.sections:
        return "missing"
    lines = [norm(x) for x in imp.text.sections["五"]]
    content = [x for x in lines if x and not _SUBHEAD.match(x) and x not in importer._PLACEHOLDERS]
    return None if content else "empty"


def fees_contradiction(m: _Model) -> Optional[tuple[str, str, list[str]]]:
    """Section 六 says no fee was charged while table 三 counts applications dropped for unpaid fees."""
    body = text_norm(m.imp.text.section_text("六"))
    says_none = importer.FEE_NONE.search(body) or importer.FEE_NONE_NOTICES.search(body)
    if not says_none or m.imp.params["processing_fees"].get("notices"):
        return None
    path = ("other_handling", "fee_unpaid")
    deps = _row_keys(path, range(6))
    unpaid = m.data.app_cells()[path]["total"]
    if unpaid and m.known(deps):
        sentence = next((s for s in re.split(r"(?<=[。；])", body) if says_none.group(0) in s), says_none.group(0))
        return f"收费通知至少 {unpaid} 件", sentence, [_key(path, "total")]
    return None


# --- auditing ------------------------------------------------------------------------------------
def audit_imported(imp: Imported) -> Audited:
    """Every single-report check on one imported report."""
    m = _Model(imp)
    result = Audited(imp.source, imp, model=m)
    report = imp.source

    def add(rule, cells, expected, found, message, severity="error", sentence=None):
        result.findings.append(AuditFinding(report, rule, cells, expected, found, message, severity, sentence,
                                            _stable_id(report, rule, cells, result.ids)))

    for key, value in m.domain:
        if value < 0:
            add("domain", [key], "≥ 0", str(value), "表格数字不能为负数")
        else:
            add("domain", [key], f"≤ {MAX_MONEY if isinstance(value, Decimal) else MAX_COUNT}（至多 6 位小数）",
                str(value), "表格数字超出格式允许的范围")
    for f in rules.check_year(m.data, report):
        rule, shown, deps = _cells_of(f)
        if f.rule == "T1-itemised-count" and imp.params["disclosed"]["total"] is None:
            continue
        if f.rule == "T2-fee-notices" and any(v is None for v in imp.params["processing_fees"].values()):
            continue
        if not m.known(deps):
            continue
        if rule == "R1" and any(k in m.synthetic for k in shown):
            continue
        add(rule, m.shown(shown), f.expected, f.found, f.message, f.severity)
    for what, cells, expected, found, sentence, _deps in text_figures(m):
        add("text-figure", cells, expected, found, f"总体情况中的“{what}”与表格不符", sentence=sentence)
    for year, sentence in text_years(imp):
        add("text-year", ["title.year"], str(imp.title_year or imp.year), year,
            "正文中的报告年份与标题不符", sentence=sentence)
    empty = section_five_empty(imp)
    if empty:
        add("text-empty-section", ["section.五"], "存在的主要问题及改进情况",
            "缺少这一部分" if empty == "missing" else "（空）",
            "第五部分“存在的主要问题及改进情况”" + ("缺失" if empty == "missing" else "没有内容"))
    fees = fees_contradiction(m)
    if fees:
        expected, sentence, cells = fees
        add("text-fees", cells, expected, "未收费", "表三有因逾期未缴费而不再处理的申请，第六部分却称未收取信息处理费",
            sentence=sentence)
        result.findings = [f for f in result.findings if f.rule != "text-fee-notices"]
    if imp.year >= 2021 and (imp.report.format == "2019" or any("2019" in d for d in imp.report.deviations)):
        add("W-layout", [], "2021 年格式", f"{imp.report.format} 年格式" if imp.report.format == "2019"
            else "（六）其他处理为一行", f"{imp.year} 年度报告应使用 2021 年格式", "warning")
    for c in imp.report.unread:
        if c.reason and "2019" in c.reason:
            continue
        add("unread", [c.key], "一个数字", c.raw or "（无）", f"未能读出：{c.where()}：{c.reason}", "note")
    result.unchecked = unchecked_rules(m)
    return result


def cross_year(results: list[Audited]) -> None:
    """R9 and R10 between reports of the same issuer in consecutive years (findings go to the later)."""
    by_issuer: dict[tuple[str, int], list[Audited]] = {}
    for r in results:
        if r.imported is not None:
            by_issuer.setdefault((r.imported.issuer, r.imported.year), []).append(r)
    for (issuer, year), now in by_issuer.items():
        before = by_issuer.get((issuer, year - 1))
        if len(now) != 1 or not before or len(before) != 1:
            continue
        cur, prev = now[0], before[0]
        m, pm = cur.model, prev.model
        found = list(rules.carry_chain(m.data, pm.data, cur.file)) + list(rules.in_force_chain(m.data, pm.data, cur.file))
        for f in found:
            rule, shown, deps = _cells_of(f, prev_year=year - 1)
            prev_deps = [d.replace("carried_over", "carried_forward") for d in deps] if rule == "R9" else deps
            if not m.known(deps) or not pm.known(prev_deps):
                if rule not in cur.unchecked:
                    cur.unchecked.append(rule)
                continue
            message = f"{f.message}（上一年报告：{Path(prev.file).name}）"
            cur.findings.append(AuditFinding(cur.file, rule, shown, f.expected, f.found, message, f.severity,
                                             None, _stable_id(cur.file, rule, shown, cur.ids)))


def audit_files(paths: Iterable[Union[str, Path]]) -> list[Audited]:
    """Import and audit every file; files that are not reports carry their error."""
    results = []
    for path in paths:
        try:
            results.append(audit_imported(importer.read_report(path)))
        except ImportFailed as exc:
            results.append(Audited(str(path), error=exc))
    cross_year(results)
    return results


def exit_code(results: list[Audited]) -> int:
    """2 if a file could not be read, else 3 if any rule is broken, else 0."""
    if any(r.error for r in results):
        return 2
    return 3 if any(r.errors for r in results) else 0


def records(results: list[Audited]) -> list[dict]:
    out = []
    for r in results:
        if r.error is not None:
            seen: dict = {}
            out.append({"report": r.file, "rule": "unreadable", "cells": [], "expected": "a published annual report",
                        "found": r.error.message, "id": _stable_id(r.file, "unreadable", [], seen),
                        "severity": "error", "message": str(r.error), "sentence": None})
        out += [f.as_dict() for f in r.findings]
    return out


def text_lines(results: list[Audited]) -> list[str]:
    lines = []
    for r in results:
        if r.error is not None:
            lines.append(f"{r.file}: 无法作为年度报告读取：{r.error.message}")
            continue
        imp = r.imported
        rep = imp.report
        errors = len(r.errors)
        warnings = sum(f.severity == "warning" for f in r.findings)
        head = (f"{r.file}: {imp.issuer} {imp.year}年，{rep.format} 年格式；读出 {len(rep.read)} 格，空白 {len(rep.blank)} 格，"
                f"未读出 {len(rep.unread)} 格 — ")
        head += (("未发现错误" if r.unchecked else "通过") if not errors else f"{errors} 处错误")
        if warnings:
            head += f"，{warnings} 处提示"
        lines.append(head)
        for f in r.findings:
            if f.severity == "note":
                continue
            lines.append(f"  {'错误' if f.severity == 'error' else '提示'} {f}")
        if r.unchecked:
            lines.append(f"  未检查 {'、'.join(r.unchecked)}（涉及未能读出或超出范围的单元格，见 reportkit import 的导入报告）")
    bad = sum(1 for r in results if r.error or r.errors)
    n_err = sum(len(r.errors) for r in results)
    lines.append(f"检查了 {len(results)} 份报告：{len(results) - bad} 份通过，{bad} 份有问题或无法读取；错误 {n_err} 处。")
    return lines
