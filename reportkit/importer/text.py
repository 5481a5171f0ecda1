"""The report's text outside the tables: title, sections 一…六, narrative, dates, fees."""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Optional

from .labels import norm, text_norm, tidy
from .result import ReportText


_SECTION_WORDS = {"一": ("总体情况", "概述", "总体"), "二": ("主动公开",), "三": ("收到和处理", "依申请"),
                  "四": ("行政复议", "行政诉讼"), "五": ("问题",), "六": ("其他需要报告", "其他事项", "其他")}
_HEADING = re.compile(r"^([一二三四五六])[、.]\s*(.{2,40})$")
_SUB = re.compile(r"^\(([一二三四五六七八九十])\)(.{1,24}?)(?:[。:]|$)")
_CN_DIGITS = {"〇": 0, "○": 0, "零": 0, "O": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
              "九": 9}
_DATE = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$|^(\d{4})[-./](\d{1,2})[-./](\d{1,2})$")
_CN_DATE = re.compile(r"^([〇○零O一二三四五六七八九]{4})年([一二三四五六七八九十]{1,3})月([一二三四五六七八九十]{1,3})日$")
_CHROME = re.compile(r"版权所有|Copyright|©|ICP备|网站标识码|公网安备|主办单位|承办单位|技术支持|网站地图|关于我们|"
                     r"联系我们|浏览次数|【打印】|【关闭】|分享到")
TITLE = re.compile(r"(?P<name>[^\s，。；：:、《》<>\-_|—»>【】\[\]]{2,60}?)(?P<year>(?:19|20)\d{2})年度?(?:本级)?"
                   r"(?:政府|政务)?信息公开(?:工作)?(?:年度)?报告")
TITLE_YEAR_FIRST = re.compile(r"(?P<year>(?:19|20)\d{2})年度?(?P<name>[^\s，。；：:、《》<>\-_|—»>]{2,60}?)"
                              r"(?:政府|政务)?信息公开(?:工作)?(?:年度)?报告")


def _cn_number(text: str) -> int:
    if "十" in text:
        tens, _, ones = text.partition("十")
        return (_CN_DIGITS.get(tens, 1) if tens else 1) * 10 + (_CN_DIGITS.get(ones, 0) if ones else 0)
    return _CN_DIGITS[text]


def parse_date(line: str) -> Optional[dt.date]:
    """A line that is only a date: 2023年1月11日, 2023-01-11 or 二〇二三年一月十一日."""
    t = norm(line)
    try:
        m = _DATE.match(t)
        if m:
            y, mo, d = (int(x) for x in (m.groups()[:3] if m.group(1) else m.groups()[3:]))
            return dt.date(y, mo, d)
        m = _CN_DATE.match(t)
        if m:
            y = int("".join(str(_CN_DIGITS[ch]) for ch in m.group(1)))
            return dt.date(y, _cn_number(m.group(2)), _cn_number(m.group(3)))
    except (ValueError, KeyError):
        return None
    return None


# a page's info block printed before the title: "名称 <title>", "标题：<title>"
INFO_FIELD = re.compile(r"^\s*(?:名\s*称|标\s*题|文件名称|信息名称)[\s:：]*")


def parse_title(text: str) -> Optional[tuple[str, int]]:
    t = norm(text)
    m = TITLE.search(t)
    if m and not re.fullmatch(r"[\d年度]+", m.group("name")):
        name = m.group("name")
    else:
        m = TITLE_YEAR_FIRST.search(t)
        if not m:
            return None
        name = m.group("name")
    if name in ("政府", "政务"):  # "2022年政府信息公开工作年度报告": the issuer is on the line before
        return None
    name = re.sub(r"^(?:关于|印发|首页|当前位置)+", "", INFO_FIELD.sub("", name))
    name = re.sub(r"^[\x00-\x7f]+", "", name)     # a printed page header's time: "4:01AM某县…"
    return (name, int(m.group("year"))) if len(name) >= 2 else None


def section_heading(line: str) -> Optional[str]:
    m = _HEADING.match(norm(line))
    if not m:
        return None
    n, rest = m.groups()
    return n if any(w in rest for w in _SECTION_WORDS[n]) and len(rest) <= 30 else None


def structure(lines: list[str], title: Optional[str], facts: set = frozenset()) -> ReportText:
    """Split the body into preamble, sections 一…六 and signature."""
    start = 0
    if title:
        target = norm(title)
        for i, line in enumerate(lines):
            if target and target in norm(line):
                start = i + 1
                break
    text = ReportText(title, lines, facts=set(facts))
    order = "一二三四五六"
    current: Optional[str] = None
    for i in range(start, len(lines)):
        line = lines[i]
        n = section_heading(line)
        if n and (current is None or order.index(n) > order.index(current)):
            current = n
            text.sections[n] = []
            continue
        if current is None:
            text.preamble.append(line)
            continue
        if current == "六" and (parse_date(line) or _CHROME.search(line)):
            if text.sections["六"] and parse_date(line) and len(norm(text.sections["六"][-1])) <= 40 \
                    and not re.search(r"[。；，]", text.sections["六"][-1]):
                text.signature.append(text.sections["六"].pop())
            if parse_date(line):
                text.signature.append(line)
            break
        text.sections[current].append(line)
    return text


def find_signature_date(text: ReportText) -> Optional[dt.date]:
    for line in text.signature:
        d = parse_date(line)
        if d:
            return d
    return None


_SUBSECTION_KEYS = [("proactive", ("主动公开",)), ("on_request", ("依申请",)), ("management", ("信息管理",)),
                    ("platform", ("平台",)), ("supervision", ("监督", "保障", "考核"))]


def _paragraphs_by_subsection(lines: list[str], keys, default: str, facts: set) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    current = default
    for line in lines:
        t = norm(line)
        m = _SUB.match(t)
        if m:
            words = m.group(2)
            key = next((k for k, ws in keys if any(w in words for w in ws)), None)
            if key:
                current = key
                rest = tidy(line)
                cut = re.match(r"^[（(][一二三四五六七八九十][)）][^。：:]{0,24}[。：:]", rest)
                rest = rest[cut.end():].strip() if cut else ""
                if rest:
                    out.setdefault(current, []).append(rest)
                continue
        if t in facts:
            continue
        out.setdefault(current, []).append(tidy(line))
    return out


PLACEHOLDERS = {"无", "暂无", "无。", "本年度未报告需要整改的问题。", "本年度未报告改进措施。"}


def narrative_of(text: ReportText) -> dict:
    """Narrative fields from the text sections, where recognisable."""
    out: dict = {}
    one = _paragraphs_by_subsection(text.sections.get("一", []), _SUBSECTION_KEYS, "overview", text.facts)
    out.update({k: v for k, v in one.items() if v})
    five = _paragraphs_by_subsection(text.sections.get("五", []),
                                     [("problems", ("问题",)), ("improvements", ("改进", "整改", "措施", "计划"))],
                                     "problems", text.facts)
    for key in ("problems", "improvements"):
        items = [re.sub(r"^(?:\d{1,2}[.、．]|[一二三四五六七八九十]是[，,]?)\s*", "", p) for p in five.get(key, [])]
        items = [p for p in items if p and p not in PLACEHOLDERS]
        if items:
            out[key] = items
    other = [tidy(p) for p in text.sections.get("六", []) if "信息处理费" not in p and norm(p) not in text.facts]
    if other:
        out["other"] = other
    order = ["overview", "proactive", "on_request", "management", "platform", "supervision",
             "problems", "improvements", "other"]
    return {k: out[k] for k in order if k in out}


_AMOUNT = r"(\d[\d,]*(?:\.\d+)?)"


def disclosed_of(text: ReportText) -> tuple[Optional[int], dict]:
    """主动公开…N条, and its itemised categories when listed (其中A n条、B m条)."""
    body = text_norm(text.section_text("一"))
    m = re.search(r"主动公开(?:政府)?信息(?:共计|共|合计)?" + r"(\d[\d,]*)条", body)
    if not m:
        return None, {}
    total = int(m.group(1).replace(",", ""))
    sentence = re.split(r"[。\n]", body[m.end():], maxsplit=1)[0]
    cats: dict = {}
    k = sentence.find("其中")
    if k >= 0:
        items = re.split(r"[、，,；;]", sentence[k + 2:])
        for item in items:
            im = re.fullmatch(r"(.{1,40}?)(\d[\d,]*)条", item)
            if not im:
                if cats:
                    break
                continue
            cats[im.group(1)] = int(im.group(2).replace(",", ""))
    return total, cats


FEE_NONE_NOTICES = re.compile(r"未(?:发出|出具|送达|产生|发生)[^。；]{0,12}?收费通知")
FEE_NONE = re.compile(r"未(?:收取|收缴|产生|涉及|发生)[^。；]{0,8}?信息处理费|不涉及[^。；]{0,4}?信息处理费|"
                      r"信息处理费[^。；\d]{0,8}?(?:0元|为0|为零|无)|无信息处理费")


def fees_of(text: ReportText) -> tuple[dict, list[str]]:
    """信息处理费 from section 六: notices, amount, collected (元); and what was not stated."""
    body = text_norm(text.section_text("六"))
    out: dict = {"notices": None, "amount": None, "collected": None}
    m = re.search(r"(?:发出|出具|送达)[^。；\d]{0,12}?收费通知(?:书)?(\d+)(?:件|份|次)", body)
    if m:
        out["notices"] = int(m.group(1))
    m = re.search(r"(?:金额合计|合计金额|通知金额|应收金额)[^。；\d]{0,6}?" + _AMOUNT + "元", body)
    if m:
        out["amount"] = Decimal(m.group(1).replace(",", ""))
    m = re.search(r"(?:实际收取|实收|收取信息处理费|收取费用)(?:共|合计|共计)?" + _AMOUNT + "元", body)
    if m:
        out["collected"] = Decimal(m.group(1).replace(",", ""))
    if FEE_NONE_NOTICES.search(body):
        out["notices"] = 0 if out["notices"] is None else out["notices"]
        out["amount"] = Decimal(0) if out["amount"] is None else out["amount"]
    if FEE_NONE.search(body):
        for k in out:
            if out[k] is None:
                out[k] = 0 if k == "notices" else Decimal(0)
    missing = [k for k, v in out.items() if v is None]
    return out, missing


def website_contact(text: ReportText) -> tuple[Optional[str], list[str]]:
    pre = "\n".join(text.preamble)
    site = None
    m = re.search(r"(?:可在|可登录|在|于)([^，。；\s]{2,40}?(?:门户网站|网站|网))(?:查阅|下载|浏览|政府信息公开专栏|上)", pre)
    if m:
        site = m.group(1)
    contact = []
    m = re.search(r"联系[^（(。]{0,20}[（(]((?:[^（）()]|[（(][^（）()]*[）)])+)[）)]", pre)
    if m and re.search(r"(?:地址|电话|邮编)[:：]", m.group(1)):
        contact = [x.strip() for x in re.split(r"[；;]", m.group(1)) if x.strip()]
    else:
        for m in re.finditer(r"((?:地址|邮编|邮政编码|电话|联系电话|传真|电子邮箱|邮箱)[:：][^；;，。\n（）()]{2,60})", pre):
            contact.append(m.group(1).strip())
    return site, [c[:200] for c in contact[:6]]


