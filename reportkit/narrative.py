"""The report's Chinese text: title, preamble, sections 一 五 六 and the signature.

The figures, change phrases and lists are worked out here from the model; the sentences
around them are the master notebook's templates (:mod:`reportkit.wording`). The bureau's own
paragraphs are passed to autoescaped Jinja templates as data.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Optional

from markupsafe import Markup

from .chinese import change, count, date_cn, join_items, money, numeral, share
from .model import Bureau
from .spec import load_spec
from .templating import render
from .wording import Wording, defaults

if TYPE_CHECKING:
    from .model import BureauYear

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
    wording: Wording = field(default_factory=lambda: defaults("report"))

    @property
    def title(self) -> str:
        return report_title(self.bureau.name, self.year)

    def heading(self, n: str) -> str:
        return f"{n}、{load_spec().section_title(n)}"

    def say(self, section: str, key: str, **values) -> Markup:
        return self.wording.say(section, key, **values)

    def change(self, now, before_of, unit: str = "件") -> str:
        """'较上年增加5件、增长18.5%' when last year's data exist, else ''."""
        return "" if self.previous is None else change(now, before_of(self.previous), unit)


def _new(d: BureauYear) -> int:
    return d.app_cells()[("new",)]["total"]


def _handled(d: BureauYear) -> int:
    return d.app_cells()[("total",)]["total"]


def proactive_facts(ctx: Context) -> Markup:
    d, b = ctx.data, ctx.bureau
    docs = d.proactive.normative_documents
    decisions = [f"{label}决定{count(n)}件" for label, n in (
        ("行政许可", d.proactive.licensing), ("行政处罚", d.proactive.penalty),
        ("行政强制", d.proactive.enforcement)) if n]
    return ctx.say("一", "主动公开", 年度=ctx.year, 本机关=b.self_name, 网站=b.website or "",
                   条数=d.disclosed.total, 较上年=ctx.change(d.disclosed.total, lambda p: p.disclosed.total, "条"),
                   分类=join_items([f"{name}{count(n)}条" for name, n in d.disclosed.categories.items() if n]),
                   制发=docs.issued, 废止=docs.repealed, 现行有效=docs.in_force, 决定=join_items(decisions))


def on_request_facts(ctx: Context) -> Markup:
    cells = ctx.data.app_cells()
    new, carried = cells[("new",)]["total"], cells[("carried_over",)]["total"]
    if new == 0 and carried == 0:
        return ctx.say("一", "无申请", 上年新收=_new(ctx.previous) if ctx.previous is not None else 0)
    outcomes = [f"{OUTCOME_WORDS[k]}{count(v)}件" for k, v in ctx.data.outcome_totals().items() if v]
    return ctx.say("一", "依申请公开", 新收=new, 较上年=ctx.change(new, _new), 上年结转=carried,
                   办结=cells[("total",)]["total"], 办理结果=join_items(outcomes),
                   结转下年度=cells[("carried_forward",)]["total"])


def reviews_and_suits(data: BureauYear) -> tuple[int, int]:
    r = data.review_cells()
    return r["review"]["total"], r["litigation_direct"]["total"] + r["litigation_after_review"]["total"]


def supervision_facts(ctx: Context) -> Markup:
    reviews, suits = reviews_and_suits(ctx.data)
    if not reviews and not suits:
        before = reviews_and_suits(ctx.previous) if ctx.previous is not None else (0, 0)
        return ctx.say("一", "无复议诉讼", 上年复议=before[0], 上年诉讼=before[1])
    return ctx.say("一", "监督保障", 复议=reviews, 复议较上年=ctx.change(reviews, lambda p: reviews_and_suits(p)[0]),
                   诉讼=suits, 诉讼较上年=ctx.change(suits, lambda p: reviews_and_suits(p)[1]))


def proactive_lead(ctx: Context) -> Markup:
    """Lead of section 二: the year's documents and decisions, with last year's change."""
    p = ctx.data.proactive
    return ctx.say(
        "二", "导语",
        制发=p.normative_documents.issued,
        制发较上年=ctx.change(p.normative_documents.issued, lambda q: q.proactive.normative_documents.issued),
        许可=p.licensing, 许可较上年=ctx.change(p.licensing, lambda q: q.proactive.licensing),
        处罚=p.penalty, 处罚较上年=ctx.change(p.penalty, lambda q: q.proactive.penalty),
        强制=p.enforcement, 强制较上年=ctx.change(p.enforcement, lambda q: q.proactive.enforcement),
        上年强制=ctx.previous.proactive.enforcement if ctx.previous is not None else 0)


def applications_lead(ctx: Context) -> Markup:
    """Lead of section 三: applications answered and disclosed (the new ones' change is in 一（二）)."""
    cells = ctx.data.app_cells()
    done = cells[("total",)]["total"]
    disclosed = ctx.data.outcome_totals()["disclosed"]
    return ctx.say("三", "导语", 新收=cells[("new",)]["total"], 上年结转=cells[("carried_over",)]["total"],
                   办结=done, 办结较上年=ctx.change(done, _handled), 予以公开=disclosed,
                   占比=share(disclosed, done) if done else "",
                   结转下年度=cells[("carried_forward",)]["total"])


def _results(cells: dict[str, int]) -> str:
    """'结果维持1件、尚未审结1件' from one row of table 四 (its totals' change is in 一（五）)."""
    return join_items([f"{c.label}{count(cells[c.key])}件" for c in load_spec().review_columns
                       if c.key != "total" and cells[c.key]])


def review_lead(ctx: Context) -> Markup:
    """Lead of section 四: how the reviews and suits ended."""
    r = ctx.data.review_cells()
    reviews, suits = reviews_and_suits(ctx.data)
    if not reviews and not suits:
        return ctx.say("四", "无复议诉讼")
    suit_cells = {k: r["litigation_direct"][k] + r["litigation_after_review"][k] for k in r["review"]}
    return ctx.say("四", "导语", 复议=reviews, 复议结果=_results(r["review"]),
                   诉讼=suits, 诉讼结果=_results(suit_cells))


def title_block(ctx: Context) -> str:
    return render("title.html.j2", title=ctx.title, ctx=ctx)


def preamble(ctx: Context) -> str:
    b = ctx.bureau
    return render("preamble.html.j2", paragraphs=[
        ctx.say("前言", "依据", 各部分=join_items([title for _, title in load_spec().sections])),
        ctx.say("前言", "期限", 年度=ctx.year, 网站=b.website or f"{b.government}门户网站", 机关=b.name,
                联系方式="；".join(b.contact or []))])


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
                  improvements=n.paragraphs("improvements"), no_problems=ctx.say("五", "无问题"),
                  no_improvements=ctx.say("五", "无改进"))


def fee_statement(ctx: Context) -> Markup:
    f, who = ctx.data.processing_fees, ctx.bureau.self_name
    if not f.notices and not f.collected:
        return ctx.say("六", "无收费", 年度=ctx.year, 本机关=who)
    return ctx.say("六", "收费", 年度=ctx.year, 本机关=who, 通知=f.notices, 金额=money(f.amount),
                   实收=money(f.collected))


def other_matters(ctx: Context) -> str:
    """Section 六: the information-processing fee statement and other matters."""
    return render("other.html.j2", heading=ctx.heading("六"), fees=fee_statement(ctx),
                  paragraphs=ctx.data.narrative.paragraphs("other"))


def signature(ctx: Context) -> str:
    return render("signature.html.j2", name=ctx.bureau.name, date=date_cn(ctx.data.published))
