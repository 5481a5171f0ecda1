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


# A mention of last year counts only in a sentence about its problems (上年度报告中提出的…问题,
# 针对上年…整改), not in "较上年有所减少" or "上年结转".
_MENTION = r"上年|去年|上一年|前一年|{prev}年"
_ABOUT = re.compile(r"问题|整改|不足")
# Words every section 五 uses: they say nothing about which problem is meant.
_BOILERPLATE = re.compile(r"政府信息公开|政务公开|信息公开|政府信息|进一步|工作|存在|问题|不足|不够|有待|需要|"
                          r"加强|部分|方面|情况|相关|我局|本局|我委|本单位|我单位|整改|提升|提高|水平|及时|有所|一定|其中|"
                          r"[的了和与及等是为在对将把被也并还]")
TAKEN_UP = 0.4                           # share of a problem's content 2-grams found this year (sample city: 0.47–1.0)


def _grams(text: str) -> set[str]:
    """Content character 2-grams: within runs of Chinese text between boilerplate and punctuation."""
    runs = re.split(r"[^\u4e00-\u9fff]+", _BOILERPLATE.sub(" ", clean(text)))
    return {r[i:i + 2] for r in runs for i in range(len(r) - 1)}


def mentions_last_year(text: str, year: int) -> bool:
    """A sentence names last year (上年/去年/<year-1>年…) together with 问题/整改/不足."""
    mention = re.compile(_MENTION.format(prev=year - 1))
    return any(mention.search(x) and _ABOUT.search(x) for x in sentences(text))


def taken_up(problem: str, text: str) -> float:
    """Share of a listed problem's content 2-grams that ``text`` repeats."""
    old = _grams(problem)
    return len(old & _grams(text)) / len(old) if old else 0.0


def _listed(before: Subject) -> list[str]:
    """Last year's listed problems, without placeholders and without its own 整改 paragraph
    (about the year before: that is not a problem last year listed)."""
    out = [t.strip() for t in before.listed_problems() if clean(t) not in PLACEHOLDERS and len(clean(t)) >= 8]
    return [t for t in out if not mentions_last_year(t, before.year)]


@rule("P3-last-year-problems", title="提示：第五部分未回应上年报告所列问题的整改情况（无针对上年问题或整改的语句，所列问题也无一在本年提及）",
      severity="warning", reads="本年第五部分、上年第五部分所列问题", cross_year=True)
def last_year_problems(s: Subject) -> Iterable[Finding]:
    listed = _listed(s.previous)
    if not listed or not s.source_text:
        return
    five = "\n".join(p.text for p in s.section("五"))
    if mentions_last_year(five, s.year):
        return
    shares = [taken_up(t, five) for t in listed]
    if max(shares) >= TAKEN_UP:
        return
    where = s.section("五")[0] if s.section("五") else None
    which = "上年所列问题" if len(listed) == 1 else f"上年所列 {len(listed)} 个问题均"
    yield Finding(s.file, where.field if where else "", "P3-last-year-problems",
                  f"第五部分未回应上年报告所列问题的整改情况：{which}未在本年第五部分提及，也没有说明上年问题整改情况的语句"
                  f"（引文为上年所列第一个问题，其内容在本年第五部分只出现 {shares[0]:.0%}）",
                  f"说明上年所列问题的整改情况，或其内容至少 {TAKEN_UP:.0%} 在本年第五部分出现", f"{shares[0]:.0%}",
                  line=where.line if where else None, severity="warning", cells=("section.五",),
                  sentence=listed[0][:60])
