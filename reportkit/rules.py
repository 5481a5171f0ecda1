"""The format's arithmetic rules R1–R10 (and a few text checks) on the model.

Pure functions of :class:`~reportkit.model.BureauYear`: no YAML, no files. Each returns
findings whose ``field`` is the params path of the cell (``applications.new[6]``) so the
caller can point at a line.
"""
from __future__ import annotations

from typing import Iterable, Optional

from .errors import Finding
from .model import N_FIGURES, N_REVIEW, SPEC, Bureau, BureauYear

COLS = [c.key for c in SPEC.app_columns]          # seven, total last
LABELS = {c.key: c.label for c in SPEC.app_columns}
LEADS = ("new", "carried_over", "carried_forward")


def _rule(short: str) -> str:
    return SPEC.rule(short).id


def _path(path: tuple[str, ...], index: Optional[int] = None) -> str:
    text = "applications." + ".".join(path)
    return text if index is None else f"{text}[{index}]"


def _row_label(path: tuple[str, ...]) -> str:
    labels = {r.key: r.label for r in _walk(SPEC.app_rows)}
    return "".join(labels.get(k, k) for k in path)


def _walk(rows):
    for row in rows:
        if row.key:
            yield row
        yield from _walk(row.children)


def check_year(data: BureauYear, file: str, bureau: Optional[Bureau] = None,
               previous: Optional[BureauYear] = None) -> list[Finding]:
    """Every rule that applies to one bureau's year; errors and warnings."""
    findings: list[Finding] = []
    findings += row_totals(data, file)
    findings += group_subtotals(data, file)
    findings += outcome_total(data, file)
    findings += balance(data, file)
    findings += review_totals(data, file)
    findings += itemised_disclosed(data, file)
    findings += plausibility(data, file, bureau)
    if previous is not None:
        findings += carry_chain(data, previous, file)
        findings += in_force_chain(data, previous, file)
    return findings


def row_totals(data: BureauYear, file: str) -> Iterable[Finding]:
    """R1: every row of table 三 whose 总计 is given equals the sum of its six columns."""
    paths = list(SPEC.app_leaf_rows()) + [(g.key, "subtotal") for g in SPEC.outcome_groups]
    for path in paths:
        given = data.given_app_row(path)
        if given and len(given) == N_FIGURES + 1 and given[-1] != sum(given[:-1]):
            yield Finding(file, _path(path, N_FIGURES), _rule("R1"),
                          f"{_row_label(path)}：总计应等于六类申请人之和",
                          str(sum(given[:-1])), str(given[-1]))


_GROUP_RULES = {"withheld": "R2", "unable_to_provide": "R3", "not_processed": "R4",
                "other_handling": "R5"}


def group_subtotals(data: BureauYear, file: str) -> Iterable[Finding]:
    """R2–R5: a group subtotal, where given, equals the sum of its items in every column."""
    cells = data.app_cells()
    for group in SPEC.outcome_groups:
        given = data.given_app_row((group.key, "subtotal"))
        if not given:
            continue
        for i, value in enumerate(given):
            col = COLS[i]
            expected = sum(v[col] for p, v in cells.items() if p[0] == group.key)
            if value != expected:
                yield Finding(file, _path((group.key, "subtotal"), i), _rule(_GROUP_RULES[group.key]),
                              f"{group.label}小计（{LABELS[col]}）应等于各项之和",
                              str(expected), str(value))


def outcome_total(data: BureauYear, file: str) -> Iterable[Finding]:
    """R6: （七）总计, where given, equals （一）+…+（六） in every column."""
    given = data.given_app_row(("total",))
    if not given:
        return
    computed = data.app_cells()[("total",)]
    for i, value in enumerate(given):
        if value != computed[COLS[i]]:
            yield Finding(file, _path(("total",), i), _rule("R6"),
                          f"（七）总计（{LABELS[COLS[i]]}）应等于（一）至（六）之和",
                          str(computed[COLS[i]]), str(value))


def balance(data: BureauYear, file: str) -> Iterable[Finding]:
    """R7: 一 + 二 = （七）总计 + 四, in every column (the corner note of table 三)."""
    cells = data.app_cells()
    for col in COLS:
        left = cells[("new",)][col] + cells[("carried_over",)][col]
        right = cells[("total",)][col] + cells[("carried_forward",)][col]
        if left != right:
            yield Finding(file, f"applications.carried_forward[{COLS.index(col)}]", _rule("R7"),
                          f"{LABELS[col]}列：本年新收 {cells[('new',)][col]} + 上年结转 "
                          f"{cells[('carried_over',)][col]} 应等于办理结果总计 "
                          f"{cells[('total',)][col]} + 结转下年度 {cells[('carried_forward',)][col]}",
                          str(left), str(right))


def review_totals(data: BureauYear, file: str) -> Iterable[Finding]:
    """R8: each group of table 四 — 总计 = 维持 + 纠正 + 其他 + 尚未审结."""
    for group in SPEC.review_groups:
        given = getattr(data.review_litigation, group.key)
        if len(given) == N_REVIEW + 1 and given[-1] != sum(given[:-1]):
            yield Finding(file, f"review_litigation.{group.key}[{N_REVIEW}]", _rule("R8"),
                          f"{group.label}：总计应等于四种结果之和", str(sum(given[:-1])), str(given[-1]))


def carry_chain(data: BureauYear, previous: BureauYear, file: str) -> Iterable[Finding]:
    """R9: this year's 二、上年结转 equals last year's 四、结转下年度继续办理, per column."""
    now, before = data.app_cells()[("carried_over",)], previous.app_cells()[("carried_forward",)]
    for i, col in enumerate(COLS):
        if now[col] != before[col]:
            yield Finding(file, f"applications.carried_over[{i}]", _rule("R9"),
                          f"上年结转（{LABELS[col]}）应等于上年报告的结转下年度继续办理",
                          str(before[col]), str(now[col]))


def in_force_chain(data: BureauYear, previous: BureauYear, file: str) -> Iterable[Finding]:
    """R10 (warning): 现行有效 = 上年现行有效 + 本年制发 − 本年废止."""
    for key in ("regulations", "normative_documents"):
        now, before = getattr(data.proactive, key), getattr(previous.proactive, key)
        expected = before.in_force + now.issued - now.repealed
        if now.in_force != expected:
            yield Finding(file, f"proactive.{key}.in_force", _rule("R10"),
                          "现行有效件数通常等于上年现行有效 + 本年制发 − 本年废止（失效未计废止时可忽略）",
                          str(expected), str(now.in_force), severity="warning")


def itemised_disclosed(data: BureauYear, file: str) -> Iterable[Finding]:
    """Text check: the categories of items disclosed add up to the total quoted in the text."""
    cats = data.disclosed.categories
    if cats and sum(cats.values()) != data.disclosed.total:
        yield Finding(file, "disclosed.categories", "T1-itemised-count",
                      "各类主动公开信息条数之和应等于 disclosed.total",
                      str(data.disclosed.total), str(sum(cats.values())))


def plausibility(data: BureauYear, file: str, bureau: Optional[Bureau]) -> Iterable[Finding]:
    """Warnings the format's notes recommend; never errors."""
    for key in ("regulations", "normative_documents"):
        d = getattr(data.proactive, key)
        if d.issued > d.in_force + d.repealed:
            yield Finding(file, f"proactive.{key}.issued", "W-issued-in-force",
                          "本年制发件数通常不超过现行有效件数与本年废止件数之和",
                          f"≤ {d.in_force + d.repealed}", str(d.issued), severity="warning")
    if bureau and bureau.level in ("county", "township") and data.proactive.regulations.issued:
        yield Finding(file, "proactive.regulations.issued", "W-regulation-power",
                      "县级及以下机关无规章制定权，规章制发件数通常为 0", "0",
                      str(data.proactive.regulations.issued), severity="warning")
    unpaid = data.app_cells()[("other_handling", "fee_unpaid")]["total"]
    if unpaid > data.processing_fees.notices:
        yield Finding(file, "processing_fees.notices", "T2-fee-notices",
                      "逾期未缴费不再处理的申请数不应多于发出的收费通知数",
                      f"≥ {unpaid}", str(data.processing_fees.notices), severity="warning")
