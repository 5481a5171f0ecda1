"""The report's Chinese text: title, preamble, sections 一 五 六 and the signature.

Sentences with figures are built here from the model; the bureau's own paragraphs are
passed to autoescaped Jinja templates as data.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from .chinese import change, count, date_cn, join_items, money, numeral, percent
from .model import SPEC, Bureau, BureauYear
from .templating import render

SUBSECTIONS = [  # (narrative key, heading) — the five customary headings of section 一
    ("proactive", "主动公开"),
    ("on_request", "依申请公开"),
    ("management", "政府信息管理"),
    ("platform", "政府信息公开平台建设"),
    ("supervision", "监督保障"),
]
OUTCOME_WORDS = {  # short names of （一）…（六） for running text and charts
    "disclosed": "予以公开", "partly_disclosed": "部分公开", "withheld": "不予公开",
    "unable_to_provide": "无法提供", "not_processed": "不予处理", "other_handling": "其他处理",
}


def report_title(name: str, year: int) -> str:
    """《<机关><年>年政府信息公开工作年度报告》, without the brackets."""
    return f"{name}{year}年政府信息公开工作年度报告"


@dataclass
class Context:
    """Everything the text of one report is written from."""

    bureau: Bureau
    year: int
    data: BureauYear
    previous: Optional[BureauYear] = None
    history: dict[int, BureauYear] = field(default_factory=dict)  # earlier valid years, oldest first

    @property
    def title(self) -> str:
        return report_title(self.bureau.name, self.year)

    def heading(self, n: str) -> str:
        return f"{n}、{SPEC.section_title(n)}"


def _yoy(ctx: Context, now: int, before_of) -> str:
    """'，较上年增加5件、增长18.5%' when last year's data exist, else ''."""
    if ctx.previous is None:
        return ""
    return "，" + change(now, before_of(ctx.previous))


def proactive_facts(ctx: Context) -> str:
    d, b = ctx.data, ctx.bureau
    where = f"通过{b.website}等渠道" if b.website else ""
    text = f"{ctx.year}年，{b.self_name}{where}主动公开政府信息{count(d.disclosed.total)}条"
    text += _yoy(ctx, d.disclosed.total, lambda p: p.disclosed.total).replace("件", "条")
    cats = [f"{name}{count(n)}条" for name, n in d.disclosed.categories.items() if n]
    if cats:
        text += "，其中" + join_items(cats)
    docs = d.proactive.normative_documents
    text += (f"。全年制发行政规范性文件{count(docs.issued)}件、废止{count(docs.repealed)}件，"
             f"现行有效{count(docs.in_force)}件")
    decisions = [f"{label}决定{count(n)}件" for label, n in (
        ("行政许可", d.proactive.licensing), ("行政处罚", d.proactive.penalty),
        ("行政强制", d.proactive.enforcement)) if n]
    if decisions:
        text += "；公开" + join_items(decisions)
    return text + "。"


def on_request_facts(ctx: Context) -> str:
    cells = ctx.data.app_cells()
    new, carried = cells[("new",)]["total"], cells[("carried_over",)]["total"]
    done, forward = cells[("total",)]["total"], cells[("carried_forward",)]["total"]
    if new == 0 and carried == 0:
        text = "全年未收到政府信息公开申请"
        if ctx.previous is not None and ctx.previous.app_cells()[("new",)]["total"]:
            text += f"（上年为{count(ctx.previous.app_cells()[('new',)]['total'])}件）"
        return text + "。"
    text = f"全年新收政府信息公开申请{count(new)}件"
    text += _yoy(ctx, new, lambda p: p.app_cells()[("new",)]["total"])
    if carried:
        text += f"，上年结转{count(carried)}件"
    outcomes = [f"{OUTCOME_WORDS[k]}{count(v)}件" for k, v in ctx.data.outcome_totals().items() if v]
    text += f"；办结{count(done)}件"
    if outcomes:
        text += "，其中" + join_items(outcomes)
    if forward:
        text += f"；结转下年度继续办理{count(forward)}件"
    return text + "。"


def reviews_and_suits(data: BureauYear) -> tuple[int, int]:
    r = data.review_cells()
    return r["review"]["total"], r["litigation_direct"]["total"] + r["litigation_after_review"]["total"]


def supervision_facts(ctx: Context) -> str:
    reviews, suits = reviews_and_suits(ctx.data)
    if not reviews and not suits:
        text = "全年未发生因政府信息公开工作被申请行政复议、提起行政诉讼的情况"
        if ctx.previous is not None and any(reviews_and_suits(ctx.previous)):
            before = reviews_and_suits(ctx.previous)
            text += f"（上年行政复议{count(before[0])}件、行政诉讼{count(before[1])}件）"
        return text + "。"
    parts = []
    if reviews:
        parts.append(f"被申请行政复议{count(reviews)}件" + _yoy(ctx, reviews, lambda p: reviews_and_suits(p)[0]))
    if suits:
        parts.append(f"被提起行政诉讼{count(suits)}件" + _yoy(ctx, suits, lambda p: reviews_and_suits(p)[1]))
    sep = "；" if ctx.previous is not None else "、"
    return f"全年因政府信息公开工作{sep.join(parts)}，具体结果见本报告第四部分。"


def _with_change(ctx: Context, label: str, now: int, before_of, unit: str = "件") -> str:
    text = f"{label}{count(now)}{unit}"
    if ctx.previous is not None:
        text += "，" + change(now, before_of(ctx.previous), unit)
    return text


def proactive_lead(ctx: Context) -> str:
    """Lead of section 二: the year's documents and decisions, with last year's change."""
    p = ctx.data.proactive
    parts = [
        _with_change(ctx, "本年制发行政规范性文件", p.normative_documents.issued,
                     lambda q: q.proactive.normative_documents.issued),
        _with_change(ctx, "作出行政许可决定", p.licensing, lambda q: q.proactive.licensing),
        _with_change(ctx, "作出行政处罚决定", p.penalty, lambda q: q.proactive.penalty),
    ]
    if p.enforcement or (ctx.previous is not None and ctx.previous.proactive.enforcement):
        parts.append(_with_change(ctx, "作出行政强制决定", p.enforcement, lambda q: q.proactive.enforcement))
    return "；".join(parts) + "。"


def applications_lead(ctx: Context) -> str:
    """Lead of section 三: applications received and answered, with last year's change."""
    cells = ctx.data.app_cells()
    new, done = cells[("new",)]["total"], cells[("total",)]["total"]
    parts = [_with_change(ctx, "本年新收政府信息公开申请", new, lambda q: q.app_cells()[("new",)]["total"]),
             _with_change(ctx, "办结", done, lambda q: q.app_cells()[("total",)]["total"])]
    text = "；".join(parts)
    disclosed = ctx.data.outcome_totals()["disclosed"]
    if done:
        text += f"。办结的申请中予以公开{count(disclosed)}件，占{percent(disclosed, done)}"
    return text + "。"


def review_lead(ctx: Context) -> str:
    """Lead of section 四: reviews and suits, with last year's change."""
    reviews, suits = reviews_and_suits(ctx.data)
    return "；".join([
        _with_change(ctx, "本年因政府信息公开被申请行政复议", reviews, lambda q: reviews_and_suits(q)[0]),
        _with_change(ctx, "被提起行政诉讼", suits, lambda q: reviews_and_suits(q)[1]),
    ]) + "。"


def title_block(ctx: Context) -> str:
    return render("title.html.j2", title=ctx.title, ctx=ctx)


def preamble(ctx: Context) -> str:
    return render("preamble.html.j2", ctx=ctx, headings=[title for _, title in SPEC.sections],
                  site=ctx.bureau.website or f"{ctx.bureau.government}门户网站")


def overview(ctx: Context) -> str:
    """Section 一: the bureau's overview, then the five customary subsections."""
    n = ctx.data.narrative
    facts = {"proactive": proactive_facts(ctx), "on_request": on_request_facts(ctx),
             "supervision": supervision_facts(ctx)}
    subsections = [
        {"heading": f"（{numeral(i)}）{title}", "facts": facts.get(key), "paragraphs": n.paragraphs(key)}
        for i, (key, title) in enumerate(SUBSECTIONS, start=1)
    ]
    return render("overview.html.j2", heading=ctx.heading("一"), intro=n.paragraphs("overview"),
                  subsections=subsections)


def table_section(ctx: Context, n: str, lead: str, body: str) -> str:
    """A table section: heading, one lead sentence, then the table (trusted HTML) and charts."""
    return render("table_section.html.j2", heading=ctx.heading(n), lead=lead, body=body)


def problems(ctx: Context) -> str:
    """Section 五: problems found and improvements made or planned."""
    n = ctx.data.narrative
    return render("problems.html.j2", heading=ctx.heading("五"), problems=n.paragraphs("problems"),
                  improvements=n.paragraphs("improvements"))


def fee_statement(ctx: Context) -> str:
    f, who = ctx.data.processing_fees, ctx.bureau.self_name
    if not f.notices and not f.collected:
        return f"{ctx.year}年，{who}未发出信息处理费收费通知，未收取信息处理费。"
    return (f"{ctx.year}年，{who}依据《政府信息公开信息处理费管理办法》发出收费通知{count(f.notices)}件，"
            f"金额合计{money(f.amount)}元，实际收取{money(f.collected)}元。")


def other_matters(ctx: Context) -> str:
    """Section 六: the information-processing fee statement and other matters."""
    return render("other.html.j2", heading=ctx.heading("六"), fees=fee_statement(ctx),
                  paragraphs=ctx.data.narrative.paragraphs("other"))


def signature(ctx: Context) -> str:
    return render("signature.html.j2", name=ctx.bureau.name, date=date_cn(ctx.data.published))
