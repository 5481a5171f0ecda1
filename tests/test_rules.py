"""Rules R1–R10 (and the text checks): one passing and one failing case each."""
from __future__ import annotations

import pytest
from factories import applications, year_data

from reportkit.model import BureauYear
from reportkit.rules import check_year


def model(**overrides) -> BureauYear:
    return BureauYear.model_validate(year_data(**overrides))


def rules_of(findings, severity="error"):
    return sorted({f.rule for f in findings if f.severity == severity})


def test_baseline_passes_every_rule():
    assert check_year(model(), "f.yaml") == []


def test_r1_row_total_given_and_right_passes():
    apps = applications()
    apps["new"] = apps["new"] + [6]
    assert check_year(model(applications=apps), "f.yaml") == []


def test_r1_row_total_wrong_fails_with_location():
    apps = applications()
    apps["new"] = apps["new"] + [7]
    findings = check_year(model(applications=apps), "f.yaml")
    r1 = [f for f in findings if f.rule == "R1-row-total"]
    assert len(r1) == 1
    assert r1[0].field == "applications.new[6]"
    assert (r1[0].expected, r1[0].found) == ("6", "7")
    assert r1[0].file == "f.yaml"


@pytest.mark.parametrize("group,rule,leaf", [
    ("withheld", "R2-withheld", "state_secret"),
    ("unable_to_provide", "R3-unable", "not_held"),
    ("not_processed", "R4-not-processed", "duplicate"),
    ("other_handling", "R5-other-handling", "no_correction"),
])
def test_group_subtotals_r2_to_r5(group, rule, leaf):
    apps = applications()
    items = apps[group]
    right = [sum(col) for col in zip(*items.values())]
    apps[group] = dict(items, subtotal=right)
    assert rules_of(check_year(model(applications=apps), "f")) == []
    wrong = list(right)
    wrong[0] += 2
    apps[group] = dict(items, subtotal=wrong)
    findings = [f for f in check_year(model(applications=apps), "f") if f.rule == rule]
    assert [(f.field, f.expected, f.found) for f in findings] == [
        (f"applications.{group}.subtotal[0]", str(right[0]), str(wrong[0]))]


def test_r6_outcome_total():
    apps = applications()
    apps["total"] = [3, 1, 0, 0, 1, 0, 5]
    assert check_year(model(applications=apps), "f") == []
    apps["total"] = [3, 1, 0, 0, 1, 0, 6]
    findings = check_year(model(applications=apps), "f")
    # one printed cell (（七）总计's 总计) breaks R1, R6 and R7 in the 总计 column: said once, naming it
    [f] = [f for f in findings if f.severity == "error"]
    assert f.rule == "R1-row-total" and f.cause == "applications.total.total"
    assert f.also == ("R6-outcome-total（总计）", "R7-balance（总计）") and f.field == "applications.total[6]"
    apps["total"] = [4, 1, 0, 0, 1, 0]   # a wrong 自然人 figure, no 总计 column given: R6 and R7
    [f] = [f for f in check_year(model(applications=apps), "f") if f.severity == "error"]
    assert (f.rule, f.cause, f.also) == ("R6-outcome-total", "applications.total.natural_person", ("R7-balance（自然人）",))


def test_r7_balance_fails_per_column():
    apps = applications(forward=(0, 0, 0, 0, 0, 0))
    findings = check_year(model(applications=apps), "f")
    r7 = [f for f in findings if f.rule == "R7-balance"]
    # natural persons are off by the one application no longer carried forward; the 总计 column is
    # derived from the six (not given), so it adds no finding of its own
    assert [f.field for f in r7] == ["applications.carried_forward[0]"]
    assert (r7[0].expected, r7[0].found) == ("4", "3")
    assert r7[0].cells == ("applications.total.natural_person", "applications.carried_forward.natural_person",
                           "applications.new.natural_person", "applications.carried_over.natural_person")


def test_r8_review_total():
    ok = {"review": [1, 0, 0, 0, 1], "litigation_direct": [0, 0, 0, 1, 1], "litigation_after_review": [0, 0, 0, 0]}
    assert check_year(model(review_litigation=ok), "f") == []
    bad = dict(ok, litigation_direct=[0, 0, 0, 1, 2])
    findings = check_year(model(review_litigation=bad), "f")
    assert [(f.rule, f.field, f.expected, f.found) for f in findings] == [
        ("R8-review-litigation-total", "review_litigation.litigation_direct[4]", "1", "2")]


def test_r9_carry_chain():
    last = model(applications=applications(forward=(1, 0, 0, 0, 0, 0)))
    now_ok = model(applications=applications(carried_over=(1, 0, 0, 0, 0, 0), not_held=(1, 0, 0, 0, 1, 0)))
    assert rules_of(check_year(now_ok, "f", previous=last)) == []
    now_bad = model()
    findings = [f for f in check_year(now_bad, "f", previous=last) if f.rule == "R9-carry-chain"]
    assert [(f.field, f.expected, f.found, f.also) for f in findings] == [
        ("applications.carried_over[0]", "1", "0", ())]  # 总计 column derived: no echo


def test_r10_in_force_chain_is_a_warning():
    settled = applications(forward=(0, 0, 0, 0, 0, 0), not_held=(1, 0, 0, 0, 1, 0))
    last = model(applications=settled,
                 proactive=dict(year_data()["proactive"], normative_documents={"issued": 1, "repealed": 0, "in_force": 4}))
    now = model()  # 4 + 2 − 1 = 5 in force: consistent
    assert check_year(now, "f", previous=last) == []
    drifted = model(proactive=dict(year_data()["proactive"], normative_documents={"issued": 2, "repealed": 1, "in_force": 9}))
    findings = check_year(drifted, "f", previous=last)
    assert [(f.rule, f.severity, f.expected, f.found) for f in findings] == [
        ("R10-in-force-chain", "warning", "5", "9")]


def test_itemised_disclosed_count():
    bad = model(disclosed={"total": 30, "categories": {"政策文件": 10, "工作动态": 19}})
    findings = check_year(bad, "f")
    assert [(f.rule, f.expected, f.found) for f in findings] == [("T2-itemised", "30", "29")]


def test_regulation_power_warning_for_county_bureaus():
    from reportkit.model import Bureau

    county = Bureau(id="x", name="某县某局", government="某县人民政府", level="county")
    data = model(proactive=dict(year_data()["proactive"], regulations={"issued": 1, "repealed": 0, "in_force": 1}))
    assert rules_of(check_year(data, "f", county), "warning") == ["W2-regulation-power"]
    city = county.model_copy(update={"level": "city"})
    assert rules_of(check_year(data, "f", city), "warning") == []


def test_w1_issued_beyond_in_force_is_a_warning():
    odd = model(proactive=dict(year_data()["proactive"], normative_documents={"issued": 7, "repealed": 1, "in_force": 5}))
    [f] = check_year(odd, "f")
    assert (f.rule, f.severity, f.expected, f.found, f.field) == (
        "W1-issued-in-force", "warning", "≤ 6", "7", "proactive.normative_documents.issued")
    assert rules_of(check_year(model(), "f"), "warning") == []
