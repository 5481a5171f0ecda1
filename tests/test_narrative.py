"""Section texts: figures, units, dates and year-over-year comparisons."""
from __future__ import annotations

from factories import applications, year_data

from reportkit import narrative
from reportkit.model import Bureau, BureauYear
from reportkit.narrative import Context
from reportkit.report import Report

BUREAU = Bureau(id="x", name="测试市示例局", self="我局", government="测试市人民政府", website="测试市政府网站")


def ctx(previous=None, history=None, **overrides):
    data = BureauYear.model_validate(year_data(**overrides))
    prev = BureauYear.model_validate(previous) if previous else None
    hist = {y: BureauYear.model_validate(d) for y, d in (history or {}).items()}
    return Context(BUREAU, 2022, data, prev, hist)


def test_on_request_without_last_year_has_no_comparison():
    text = narrative.on_request_facts(ctx())
    assert text == "全年新收政府信息公开申请6件；办结5件，其中予以公开3件、部分公开1件、无法提供1件；结转下年度继续办理1件。"
    assert "上年" not in narrative.applications_lead(ctx())


def test_yoy_rise():
    before = year_data(applications=applications(new=(3, 1, 0, 0, 1, 0), disclosed=(1, 1, 0, 0, 0, 0)))
    text = narrative.on_request_facts(ctx(previous=before))
    assert "全年新收政府信息公开申请6件，较上年增加1件、增长20%" in text


def test_yoy_fall():
    before = year_data(applications=applications(new=(10, 1, 0, 0, 1, 0), disclosed=(8, 1, 0, 0, 0, 0)))
    assert "全年新收政府信息公开申请6件，较上年减少6件、下降50%" in narrative.on_request_facts(ctx(previous=before))
    # section 三 does not repeat the change of new applications said in 一（二）: it gives the handled ones'
    text = narrative.applications_lead(ctx(previous=before))
    assert text.startswith("本年新收政府信息公开申请6件，办结5件（较上年减少6件、下降54.5%）") and "下降50%" not in text


def test_yoy_unchanged():
    text = narrative.proactive_facts(ctx(previous=year_data()))
    assert "主动公开政府信息30条，与上年持平" in text


def test_yoy_previous_zero():
    before = year_data()
    before["proactive"] = dict(before["proactive"], licensing=0)
    before["review_litigation"] = {"review": [0, 0, 0, 0], "litigation_direct": [0, 0, 0, 0],
                                   "litigation_after_review": [0, 0, 0, 0]}
    c = ctx(previous=before)
    assert "作出行政许可决定12件，上年为0件；" in narrative.proactive_lead(c)
    assert "被申请行政复议1件，上年为0件" in narrative.supervision_facts(c)
    # said once: section 四 gives the outcomes, not the change again
    lead = narrative.review_lead(c)
    assert "上年" not in lead and lead.startswith("本年因政府信息公开被申请行政复议1件，结果")


def test_no_applications_sentence():
    none = applications(new=(0,) * 6, disclosed=(0,) * 6, partly=(0,) * 6, not_held=(0,) * 6, forward=(0,) * 6)
    assert narrative.on_request_facts(ctx(applications=none)) == "全年未收到政府信息公开申请。"


def test_fee_statement_and_date():
    c = ctx(processing_fees={"notices": 2, "amount": 300, "collected": 200.5})
    assert narrative.fee_statement(c) == ("2022年，我局依据《政府信息公开信息处理费管理办法》发出收费通知2件，"
                                          "金额合计300元，实际收取200.5元。")
    assert "2023年1月11日" in narrative.signature(c)


def test_trend_chart_only_with_earlier_years():
    assert Report(ctx()).trend_chart() == ""
    chart = Report(ctx(previous=year_data(), history={2021: year_data()})).trend_chart()
    assert "<img" in chart and "2021—2022" in chart


def test_bureau_text_is_escaped():
    c = ctx(narrative={"overview": "<script>alert(1)</script> {{ 7*7 }}"})
    html = narrative.overview(c)
    assert "&lt;script&gt;alert(1)&lt;/script&gt; {{ 7*7 }}" in html
    assert "<script>" not in html


def test_folded_yaml_lines_join_without_spaces():
    c = ctx(narrative={"overview": "第一行文字\n第二行文字"})
    assert "第一行文字第二行文字" in narrative.overview(c)
