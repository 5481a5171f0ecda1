"""T1–T5: the report's words against its tables — a bureau's params narrative or a published page.

A figure the text quotes is compared with its printed cell (or the derived sum where the data
leave the row total out); a cell that could not be read is never compared. Each finding quotes
the sentence and, for a params file, points at the paragraph's line.
"""
from __future__ import annotations

import re
import unicodedata
from typing import Iterable, Optional

from ..errors import Finding
from .book import Paragraph, Subject, rule
from .cells import app_key

_SPACE = re.compile(r"\s+")
PLACEHOLDERS = {"无", "暂无", "无。", "本年度未报告需要整改的问题。", "本年度未报告改进措施。"}


def clean(text: str) -> str:
    """NFKC (full-width digits and punctuation → ASCII) without whitespace, for matching."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", text or ""))


def _finding(s: Subject, p: Optional[Paragraph], rule_id: str, message: str, expected, found, cells=(),
             sentence=None, severity="error") -> Finding:
    return Finding(s.file, p.field if p else "", rule_id, message, None if expected is None else str(expected),
                   None if found is None else str(found), line=p.line if p else None, severity=severity,
                   cells=tuple(cells), sentence=sentence)


# --- what a quoted figure is compared with -----------------------------------------------------
def _rows(*paths):
    return lambda s: [app_key(p, "total") for p in paths]


def _outcome(key):
    def cells(s: Subject):
        group = next(r for r in s.spec.outcome_rows if r.key == key)
        if not group.is_group:
            return [app_key((key,), "total")]
        leaves = [app_key((key, leaf.key), "total") for leaf in group.children]
        return leaves if any(s.cells.has(k) for k in leaves) else [app_key((key, "subtotal"), "total")]
    return cells


def _review(*groups):
    return lambda s: [f"review_litigation.{g}.total" for g in groups]


def _cell(key):
    return lambda s: [key]


_GAP = r"[^，。；、\d]{0,16}?"
# (what, pattern with one group for the figure, the cells it quotes, sentence must contain)
QUOTES = [
    ("新收申请", r"(?:新收|收到|受理)" + _GAP + r"申请(?:共|总数|数量)?(?:为)?(\d+)件", _rows(("new",)), None),
    ("上年结转", r"上年结转[^，。；、\d]{0,12}?(\d+)件", _rows(("carried_over",)), None),
    ("办结", r"办结(?:申请)?(?:共)?(\d+)件", _rows(("total",)), None),
    ("结转下年度", r"结转下(?:一)?年度?(?:继续办理)?(\d+)件", _rows(("carried_forward",)), None),
    ("予以公开", r"予以公开(\d+)件", _outcome("disclosed"), None),
    # "予以公开及部分公开42件" quotes the two rows together (平潭 2023): not 部分公开 alone
    ("予以公开及部分公开", r"予以公开(?:及|和|与|、)部分公开(?:共)?(\d+)件",
     lambda s: _outcome("disclosed")(s) + _outcome("partly_disclosed")(s), None),
    ("部分公开", r"(?<!予以公开及)(?<!予以公开和)(?<!予以公开与)(?<!予以公开、)部分公开(\d+)件",
     _outcome("partly_disclosed"), None),
    ("不予公开", r"不予公开(\d+)件", _outcome("withheld"), None),
    ("无法提供", r"无法提供(\d+)件", _outcome("unable_to_provide"), None),
    ("不予处理", r"不予处理(\d+)件", _outcome("not_processed"), None),
    ("其他处理", r"其他处理(\d+)件", _outcome("other_handling"), None),
    ("行政复议", r"行政复议(\d+)(?:件|起|宗)", _review("review"), None),
    ("行政诉讼", r"行政诉讼(\d+)(?:件|起|宗)", _review("litigation_direct", "litigation_after_review"), None),
    ("制发行政规范性文件", r"(?:制发|出台|印发|制定)(?:行政)?规范性文件(\d+)件",
     _cell("proactive.normative_documents.issued"), None),
    ("废止行政规范性文件", r"规范性文件\d+件[、，,]废止(\d+)件", _cell("proactive.normative_documents.repealed"), None),
    ("现行有效行政规范性文件", r"现行有效(?:的)?(?:行政)?(?:规范性文件)?(\d+)件",
     _cell("proactive.normative_documents.in_force"), "规范性文件"),
    ("行政许可决定", r"行政许可决定(\d+)件", _cell("proactive.licensing.count"), None),
    ("行政处罚决定", r"行政处罚决定(\d+)件", _cell("proactive.penalty.count"), None),
    ("行政强制决定", r"行政强制决定(\d+)件", _cell("proactive.enforcement.count"), None),
    ("主动公开信息条数", r"主动公开(?:政府)?信息(?:共|总数)?(\d+)条", _cell("disclosed.total"), None),
]
ZERO_QUOTES = [
    ("新收申请", r"未(?:收到|受理)[^。；，]{0,16}?申请", _rows(("new",))),
    ("行政复议", r"未(?:发生|出现|有)[^。；]{0,30}?行政复议", _review("review")),
    ("行政诉讼", r"未(?:发生|出现|有)[^。；]{0,30}?行政诉讼", _review("litigation_direct", "litigation_after_review")),
]
_CLAUSE = re.compile(r"[，。；：:\n]")
_LAST_YEAR = re.compile(r"上年|去年|上一年|同比|较")


_WIDE = str.maketrans("０１２３４５６７８９．", "0123456789.")


def sentences(text: str) -> list[str]:
    """Sentences for matching and quoting: full-width digits made ASCII, no whitespace, the
    Chinese punctuation kept (it is quoted back to the user)."""
    text = "\n".join(_SPACE.sub("", line.translate(_WIDE)) for line in text.split("\n"))
    return [x for x in re.split(r"(?<=[。；;\n])", text) if x.strip()]


def _earlier(sentence: str, start: int) -> bool:
    """The figure is about last year (上年为6件, （上年行政复议1件）) rather than this year's."""
    clause = _CLAUSE.split(sentence[:start])[-1]
    hits = list(_LAST_YEAR.finditer(clause))
    return bool(hits) and "）" not in clause[hits[-1].end():] and ")" not in clause[hits[-1].end():]


def _row_figure(s: Subject, key: str) -> list[str]:
    """The cells a table-three 总计 quote stands for: the 总计 cell, or the row's applicant cells when its 总计 is
    printed 0 or blank while they carry figures (上海 2019 leaves the 总计 column of every outcome row empty;
    R1 reports the empty total, the quote is compared with what the row does print)."""
    if not (key.startswith("applications.") and key.endswith(".total")) or not s.cells.has(key) \
            or s.cells.is_unread(key) or s.cells.value(key):
        return [key]
    items = [key[: -len("total")] + c.key for c in s.spec.app_figure_columns]
    return items if any(s.cells.value(k) for k in items) else [key]


def _quoted_value(s: Subject, cells: list[str]):
    """The table's figure for a quote, or None when a cell is unread or absent."""
    cells = [k for key in cells for k in _row_figure(s, key)]
    if any(s.cells.is_unread(k) or not s.cells.has(k) for k in cells):
        return None
    return sum(s.cells.value(k) for k in cells)


@rule("T1-text-figure", title="正文引用的数字（收到、办结、结转、予以公开、复议、诉讼、规范性文件、许可处罚强制、主动公开条数）与表格一致",
      reads="第一部分正文与其所引表格单元格")
def text_figures(s: Subject) -> Iterable[Finding]:
    for p in s.section("一"):
        for sentence in sentences(p.text):
            for what, pattern, cells_of, needs in QUOTES:
                if needs and needs not in sentence:
                    continue
                for hit in re.finditer(pattern, sentence):
                    if what != "上年结转" and _earlier(sentence, hit.start()):
                        continue
                    cells = cells_of(s)
                    value = _quoted_value(s, cells)
                    if value is not None and int(hit.group(1)) != value:
                        yield _finding(s, p, "T1-text-figure", f"总体情况中的“{what}”与表格不符", value, hit.group(1),
                                       cells, sentence.strip())
            for what, pattern, cells_of in ZERO_QUOTES:
                hit = re.search(pattern, sentence)
                if hit and not _earlier(sentence, hit.start()):
                    cells = cells_of(s)
                    value = _quoted_value(s, cells)
                    if value:
                        yield _finding(s, p, "T1-text-figure", f"总体情况中的“{what}”与表格不符", value, 0, cells,
                                       sentence.strip())


@rule("T2-itemised", title="分项列举的条数（主动公开N条，其中…）之和等于总数", reads="disclosed.total 与各类条数")
def itemised(s: Subject) -> Iterable[Finding]:
    total, cats = s.cells.value("disclosed.total"), s.itemised
    if total is not None and cats and sum(cats.values()) != total:
        yield _finding(s, None, "T2-itemised", "各类主动公开信息条数之和应等于主动公开总条数", total, sum(cats.values()),
                       ("disclosed.total", "disclosed.categories"))


_YEAR_LEAD = re.compile(r"^((?:19|20)\d{2})年(?!以来|起|至|底|初|前|末|以前|开始|度?工作要点|\d)")
_PERIOD = re.compile(r"统计(?:期限|时间|区间|期)?[^。]{0,12}?((?:19|20)\d{2})年1月1日[^。]{0,10}?((?:19|20)\d{2})年12月31日")
_TITLE_IN_TEXT = re.compile(r"((?:19|20)\d{2})年度?(?:政府)?信息公开(?:工作)?年度报告")


@rule("T3-year", title="正文所说的报告年度与标题年度一致", reads="正文与标题年份")
def text_years(s: Subject) -> Iterable[Finding]:
    seen = set()
    title = clean(s.title or "")
    for p in s.paragraphs:
        n = "".join(sentences(p.text))
        hits = []
        for m in _PERIOD.finditer(n):
            bad = [y for y in m.groups() if int(y) != s.year]
            if bad:
                hits.append((bad[0], m.group(0)))
        for m in _TITLE_IN_TEXT.finditer(n):
            if int(m.group(1)) != s.year and (not title or title not in clean(n)):
                hits.append((m.group(1), m.group(0)))
        if p.section == "一":
            m = _YEAR_LEAD.match(n)
            if m and int(m.group(1)) != s.year:
                hits.append((m.group(1), re.split(r"(?<=[。；])", n)[0]))
        for year, sentence in hits:
            if (year, sentence) not in seen:
                seen.add((year, sentence))
                yield _finding(s, p, "T3-year", "正文中的报告年份与标题不符", s.year, year, ("title.year",), sentence)


_SUBHEAD = re.compile(r"^\([一二三四五六七八九十]\)[^。，；]{0,20}$")


@rule("T4-empty-section", title="第五部分“存在的主要问题及改进情况”有内容（数据文件中留空为提示）", reads="第五部分正文")
def empty_five(s: Subject) -> Iterable[Finding]:
    if not s.source_text:
        return
    content = [p for p in s.section("五") if (t := clean(p.text)) and not _SUBHEAD.match(t) and t not in PLACEHOLDERS]
    if content:
        return
    if s.generated:     # a params file: reportkit prints a placeholder; the bureau should write it
        yield Finding(s.file, "narrative.problems", "T4-empty-section",
                      "第五部分“存在的主要问题及改进情况”没有内容（报告将印出占位句）", "存在的主要问题及改进情况",
                      "（空）", severity="warning", cells=("section.五",))
        return
    missing = not s.section("五")
    yield _finding(s, None, "T4-empty-section", "第五部分“存在的主要问题及改进情况”" + ("缺失" if missing else "没有内容"),
                   "存在的主要问题及改进情况", "缺少这一部分" if missing else "（空）", ("section.五",))


FEE_NONE = re.compile(r"未(?:收取|收缴|产生|涉及|发生)[^。；]{0,8}?信息处理费|不涉及[^。；]{0,4}?信息处理费|"
                      r"信息处理费[^。；\d]{0,8}?(?:0元|为0|为零|无)|无信息处理费|"
                      r"未(?:发出|出具|送达|产生|发生)[^。；]{0,12}?收费通知")


@rule("T5-fees", title="第六部分关于信息处理费的说法与表格一致（逾期未缴费不再处理的申请、收费通知）",
      reads="表三（六）2 各格、收费通知件数、第六部分正文")
def fees(s: Subject) -> Iterable[Finding]:
    path = ("other_handling", "fee_unpaid")
    total = app_key(path, "total")
    cols = [app_key(path, c.key) for c in s.spec.app_figure_columns]
    if not s.cells.has(total) or any(s.cells.is_unread(k) for k in cols + [total]):
        return
    unpaid = s.cells.value(total)
    if not unpaid:
        return
    for p in s.section("六"):
        for sentence in sentences(p.text):
            if FEE_NONE.search(sentence):
                yield _finding(s, p, "T5-fees", "表三有因逾期未缴费而不再处理的申请，第六部分却称未收取信息处理费",
                               f"收费通知至少 {unpaid} 件", "未收费", (total,), sentence.strip())
                return
    notices = s.cells.value("processing_fees.notices")
    if notices is not None and unpaid > notices:
        yield _finding(s, None, "T5-fees", "逾期未缴费不再处理的申请数不应多于发出的收费通知数", f"≥ {unpaid}", notices,
                       ("processing_fees.notices", total), severity="warning")
