"""P1–P3, what third-party evaluations check: the deadline, copying last year, last year's problems."""
from __future__ import annotations

import datetime as dt
import re
from typing import Iterable

from ..errors import Finding
from .book import Subject, rule
from .text import PLACEHOLDERS, clean, sentences

DEADLINES = {"department": (1, 31), "government": (3, 31)}   # 条例第四十九条
KIND_WORDS = {"department": "政府部门", "government": "县级以上地方人民政府"}


def deadline(year: int, kind: str) -> dt.date:
    """The last day a report of ``year`` may be published by this kind of body."""
    month, day = DEADLINES.get(kind, DEADLINES["department"])
    return dt.date(year + 1, month, day)


def _cn(date: dt.date) -> str:
    return f"{date.year}年{date.month}月{date.day}日"


@rule("P1-deadline", title="发布日期：政府部门不晚于次年1月31日，县级以上地方人民政府不晚于次年3月31日（条例第四十九条）",
      reads="发布日期、机关类别")
def publication_deadline(s: Subject) -> Iterable[Finding]:
    last = deadline(s.year, s.kind)
    if s.published is None:
        yield Finding(s.file, "published", "P1-deadline", "未能确定发布日期，无法核对是否按期发布",
                      f"不晚于 {_cn(last)}", "（无）", severity="warning", cells=("published",))
    elif s.published > last:
        yield Finding(s.file, "published", "P1-deadline",
                      f"{KIND_WORDS.get(s.kind, '政府部门')}应于 {_cn(last)} 前公布上一年度报告，发布晚了 "
                      f"{(s.published - last).days} 天", f"不晚于 {_cn(last)}", _cn(s.published),
                      cells=("published",))


def _section_sentences(s: Subject, n: str) -> list[str]:
    return [clean(x) for p in s.section(n) for x in sentences(p.text) if len(x) >= 8]


def repeated_share(now: Subject, before: Subject, n: str) -> float:
    """Share (by characters) of last year's section text that this year's repeats sentence for sentence."""
    old = _section_sentences(before, n)
    new = set(_section_sentences(now, n))
    total = sum(len(x) for x in old)
    return sum(len(x) for x in old if x in new) / total if total else 0.0


@rule("P2-repetition", title="提示：某部分重复上年同一机关报告的文字超过一半（给出比例）", severity="warning",
      reads="本年与上年各部分正文", cross_year=True)
def repetition(s: Subject) -> Iterable[Finding]:
    for n, _title in s.spec.sections:
        if sum(len(x) for x in _section_sentences(s.previous, n)) < 30:
            continue
        share = repeated_share(s, s.previous, n)
        if share > 0.5:
            first = s.section(n)[0]
            yield Finding(s.file, first.field, "P2-repetition",
                          f"第{n}部分重复上年报告文字 {share:.0%}（第三方评估对照搬上年内容扣分）", "不超过 50%",
                          f"{share:.0%}", line=first.line, severity="warning", cells=(f"section.{n}",))


_GRAM = 4
_MENTION = r"上年|去年|上一年|前一年|{prev}年"


def _grams(text: str) -> set[str]:
    text = re.sub(r"[^\u4e00-\u9fff]", "", text)
    return {text[i:i + _GRAM] for i in range(len(text) - _GRAM + 1)}


@rule("P3-last-year-problems", title="提示：第五部分未回应上年报告所列问题的整改情况", severity="warning",
      reads="本年第五部分、上年第五部分", cross_year=True)
def last_year_problems(s: Subject) -> Iterable[Finding]:
    listed = [p.text.strip() for p in s.previous.section("五") if clean(p.text) not in PLACEHOLDERS]
    listed = [t for t in listed if len(clean(t)) >= 8]
    if not listed or not s.source_text:
        return
    five = "".join(clean(p.text) for p in s.section("五"))
    if re.search(_MENTION.format(prev=s.previous.year), five):
        return
    old = set().union(*(_grams(t) for t in listed))
    if old and len(old & _grams(five)) / len(old) >= 0.15:
        return
    where = s.section("五")[0] if s.section("五") else None
    yield Finding(s.file, where.field if where else "", "P3-last-year-problems",
                  "第五部分未提及上年报告所列问题的整改情况（引文为上年所列问题）", "回应上年所列问题", "未提及",
                  line=where.line if where else None, severity="warning", cells=("section.五",),
                  sentence=listed[0][:60])
