"""The rule book: one definition per rule for validate and audit, root causes, text, P and D rules."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from conftest import REPO, invoke
from factories import BUREAU, applications, dump, write_params, year_data

from reportkit import audit, importer, rules
from reportkit.model import Bureau, BureauYear
from reportkit.narrative import Context
from reportkit.spec import load_spec
from reportkit.validate import check_many, check_one

FIXTURES = Path(__file__).parent / "fixtures" / "published"


def errors(checked):
    return [f for f in checked.errors]


def one(params, bureau="alpha", year=2022):
    return check_one(params, bureau, year)


def line_of(path: Path, needle: str) -> int:
    return next(i for i, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1) if needle in text)


# --- the book itself ---------------------------------------------------------------------------
def test_every_rule_is_in_the_format_file_and_the_readme():
    listed = {r["id"] for r in yaml.safe_load((REPO / "reportkit/format/annual-report-2021.yaml").read_text(
        encoding="utf-8"))["rules"]}
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert {"R1-row-total", "R10-in-force-chain", "T1-text-figure", "T5-fees", "P1-deadline", "P2-repetition",
            "P3-last-year-problems", "D1-todo", "D2-copied-paragraph"} <= set(rules.RULES)
    for rule_id, r in rules.RULES.items():
        assert rule_id in listed, rule_id
        assert re.search(rf"^\| `{re.escape(rule_id)}` \|", readme, re.M), f"README does not list {rule_id}"
        assert r.severity in ("error", "warning") and r.title and r.reads
    assert load_spec().rule("R7").id == "R7-balance"


def test_no_format_is_loaded_at_import_time():
    import subprocess
    import sys

    code = ("import reportkit.spec as s, reportkit.model as m, reportkit.rules;"
            "print(s.load_spec.cache_info().currsize, end=' ');"
            "m.BureauYear; print(s.load_spec.cache_info().currsize)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "0 1"          # the default format is loaded on first use


# --- root causes, not cascades ----------------------------------------------------------------------
def test_printed_outcome_total_that_balances_breaks_only_r6(tmp_path):
    # a real report's pattern: the printed （七）总计 balances 一+二 and 四, its rows add to more
    apps = applications(disclosed=(4, 1, 0, 0, 0, 0))
    apps["total"] = [3, 1, 0, 0, 1, 0]
    found = rules.check_year(BureauYear.model_validate(year_data(applications=apps)), "f.yaml")
    assert [(f.rule, f.field, f.expected, f.found) for f in found] == [
        ("R6-outcome-total", "applications.total[0]", "5", "3")]


def slipped(tmp_path) -> Path:
    """A valid bureau whose 一、本年新收 自然人 was typed 5 instead of 4: one slip."""
    apps = applications(new=(5, 1, 0, 0, 1, 0))
    return write_params(tmp_path / "params", {2022: {"alpha": year_data(applications=apps)}})


def built_page(params: Path, tmp_path: Path) -> Path:
    """The HTML reportkit renders from the (invalid) data, as a published page would show it."""
    from test_importer import page

    data = BureauYear.model_validate(yaml.safe_load((params / "2022" / "alpha.yaml").read_text(encoding="utf-8")))
    bureau = Bureau(id="alpha", **dict(BUREAU, name="测试市示例局1"))
    target = tmp_path / "alpha-2022.html"
    target.write_bytes(page(Context(bureau, 2022, data)))
    return target


def test_one_wrong_cell_gives_one_finding_in_validate_and_in_audit(tmp_path, runner):
    params = slipped(tmp_path)
    checked = one(params)
    [v] = checked.errors
    assert (v.rule, v.field, v.line) == ("R7-balance", "applications.carried_forward[0]",   # its first item
                                          line_of(params / "2022" / "alpha.yaml", "carried_forward:") + 1)
    [result] = audit.audit_files([built_page(params, tmp_path)])
    [a] = result.errors          # the page prints 一's 总计 too: its R7 break is the same slip, folded in
    assert a.also == ("R7-balance（总计）",)
    assert (a.rule, a.cells, a.expected, a.found) == (v.rule, v.cells, v.expected, v.found)
    # and the same through the two commands' JSON
    vj = json.loads(invoke(runner, "validate", "--json", params=params).stdout)
    aj = json.loads(invoke(runner, "audit", "--json", built_page(params, tmp_path)).stdout)
    pick = [(r["rule"], r["cells"]) for r in vj if r["severity"] == "error"]
    assert pick == [(r["rule"], r["cells"]) for r in aj if r["severity"] == "error"] == [
        ("R7-balance", list(v.cells))]
    assert set(vj[0]) == set(aj[0])


def test_a_printed_total_that_explains_three_breaks_is_named_once():
    apps = applications()
    apps["total"] = [3, 1, 0, 0, 1, 0, 6]
    [f] = rules.check_year(BureauYear.model_validate(year_data(applications=apps)), "f.yaml")
    assert f.cause == "applications.total.total" and "即可同时解释" in f.message


# --- text at validate, located ---------------------------------------------------------------------
def narrative(**fields):
    base = year_data()["narrative"]
    return dict(base, **fields)


@pytest.mark.parametrize("text, ok", [("全年共收到政府信息公开申请7件，办结5件。", False),
                                      ("全年共收到政府信息公开申请6件，办结5件。", True),
                                      ("全年共收到政府信息公开申请7件（上年为7件）。", False)])
def test_t1_text_figure_at_validate_with_file_and_line(tmp_path, text, ok):
    params = write_params(tmp_path / "params", {2022: {"alpha": year_data(
        narrative=narrative(overview=["总体平稳。", text]))}})
    found = [f for f in one(params).findings if f.rule == "T1-text-figure"]
    if ok:
        assert found == []
        return
    [f] = found
    path = params / "2022" / "alpha.yaml"
    assert (f.field, f.expected, f.found, f.cells) == ("narrative.overview[1]", "6", "7", ("applications.new.total",))
    assert f.line == line_of(path, "申请7件")
    assert f"alpha.yaml:{f.line}: narrative.overview[1]: [T1-text-figure]" in str(f)


@pytest.mark.parametrize("text, found", [("予以公开及部分公开4件。", None), ("予以公开和部分公开共5件。", "5"),
                                         ("予以公开3件，部分公开2件。", "2")])
def test_t1_disclosed_and_partly_quoted_together(tmp_path, text, found):
    """A real report's 予以公开及部分公开N件 is the two rows' sum (3 + 1 here), not 部分公开 alone."""
    params = write_params(tmp_path / "params", {2022: {"alpha": year_data(
        narrative=narrative(overview=["总体平稳。", "依申请公开中，" + text]))}})
    hits = [(f.expected, f.found, f.cells) for f in one(params).findings if f.rule == "T1-text-figure"]
    if found is None:
        assert hits == []
    elif found == "5":
        assert hits == [("4", "5", ("applications.disclosed.total", "applications.partly_disclosed.total"))]
    else:
        assert hits == [("1", "2", ("applications.partly_disclosed.total",))]


def test_t1_row_with_an_empty_total_is_compared_by_its_applicant_columns():
    """The real 上海 2019 page leaves 总计 empty in every outcome row: its text's 不予公开35件 and 不予处理158件 agree
    with what the rows print (no false error), 予以公开及部分公开258件 and 无法提供265件 do not (275 and 337)."""
    [result] = audit.audit_files([REPO / "tests/fixtures/real/shanghai-gov-office-2019.html"])
    t1 = sorted((f.expected, f.found) for f in result.findings if f.rule == "T1-text-figure")
    assert t1 == [("275", "258"), ("337", "265")]
    assert "R6-outcome-total" in {f.rule for f in result.findings}     # the empty 总计 column itself is reported


def test_t3_year_in_the_narrative(tmp_path):
    params = write_params(tmp_path / "params", {2022: {
        "alpha": year_data(narrative=narrative(overview="2021年，我局稳步推进政务公开。")),
        "beta": year_data(narrative=narrative(overview="2022年，我局稳步推进政务公开。"))}})
    [f] = [f for f in one(params).findings if f.rule == "T3-year"]
    assert (f.expected, f.found, f.field) == ("2022", "2021", "narrative.overview")
    assert [f for f in one(params, "beta").findings if f.rule == "T3-year"] == []


def test_t4_empty_section_five_is_a_warning_in_params(tmp_path):
    params = write_params(tmp_path / "params", {2022: {
        "alpha": year_data(narrative=narrative(problems=[], improvements=[]))}})
    checked = one(params)
    assert checked.ok and [f.rule for f in checked.warnings] == ["T4-empty-section"]


def test_t5_fees_text_against_the_table(tmp_path):
    apps = applications(not_held=(0, 0, 0, 0, 0, 0))
    apps["other_handling"]["fee_unpaid"] = [0, 0, 0, 0, 1, 0]
    said_none = year_data(applications=apps, processing_fees={"notices": 1, "amount": 100, "collected": 0},
                          narrative=narrative(other="本年度未收取信息处理费。"))
    too_few = year_data(applications=apps, processing_fees={"notices": 0, "amount": 0, "collected": 0})
    fine = year_data(applications=apps, processing_fees={"notices": 1, "amount": 100, "collected": 0})
    params = write_params(tmp_path / "params", {2022: {"alpha": said_none, "beta": too_few, "gamma": fine}})
    [f] = [f for f in one(params).findings if f.rule == "T5-fees"]
    assert f.severity == "error" and f.field == "narrative.other" and f.line
    [w] = [f for f in one(params, "beta").findings if f.rule == "T5-fees"]
    assert w.severity == "warning" and (w.expected, w.found) == ("≥ 1", "0")
    assert [f for f in one(params, "gamma").findings if f.rule == "T5-fees"] == []


# --- P1–P3 ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind, date, late", [("department", "2023-01-31", False), ("department", "2023-02-01", True),
                                              ("government", "2023-03-31", False), ("government", "2023-04-01", True)])
def test_p1_deadline_by_kind_of_body(tmp_path, kind, date, late):
    params = write_params(tmp_path / "params", {2022: {"alpha": year_data(published=date)}},
                          bureaus={"alpha": dict(BUREAU, kind=kind)})
    found = [f for f in one(params).findings if f.rule == "P1-deadline"]
    assert bool(found) == late
    if late:
        assert found[0].severity == "error" and found[0].line == line_of(params / "2022" / "alpha.yaml", "published")


LAST_PROBLEMS = ["政策解读的形式比较单一，图解和视频解读数量偏少，群众理解政策存在一定困难。"]


OVERVIEW = "今年全面推进基层政务公开标准化规范化建设工作。围绕群众关切，及时发布政策文件并同步开展解读。"


def two_years(tmp_path, problems_now, improvements_now, overview_now=OVERVIEW):
    before = year_data(published="2022-01-12", applications=applications(forward=(0,) * 6, not_held=(1, 0, 0, 0, 1, 0)),
                       narrative=narrative(overview=OVERVIEW, problems=LAST_PROBLEMS,
                                           improvements=["加强解读工作。"]))
    now = year_data(narrative=narrative(overview=overview_now, problems=problems_now, improvements=improvements_now))
    return write_params(tmp_path / "params", {2021: {"alpha": before}, 2022: {"alpha": now}})


def test_p2_repetition_gives_the_share(tmp_path):
    params = two_years(tmp_path, ["网站栏目设置不够合理，部分信息查找不便。"], ["优化栏目。"])
    [f] = [f for f in one(params).findings if f.rule == "P2-repetition"]
    assert f.severity == "warning" and f.found == "100%" and "第一部分" in f.message
    params = two_years(tmp_path / "b", ["网站栏目设置不够合理，部分信息查找不便。"], ["优化栏目。"],
                       overview_now="围绕优化营商环境，集中公开涉企政策，开设惠企政策专栏。")
    assert [f for f in one(params).findings if f.rule == "P2-repetition"] == []


def test_p3_last_years_problems(tmp_path):
    params = two_years(tmp_path, ["网站栏目设置不够合理，部分信息查找不便。"], ["优化栏目。"])
    [f] = [f for f in one(params).findings if f.rule == "P3-last-year-problems"]
    assert f.severity == "warning" and f.sentence.startswith("政策解读的形式比较单一")
    params = two_years(tmp_path / "b", ["网站栏目设置不够合理。"], ["针对上年报告指出的解读形式单一问题，制作图解12期。"])
    assert [f for f in one(params).findings if f.rule == "P3-last-year-problems"] == []


def test_audit_applies_p1_to_the_printed_date(tmp_path):
    text = (FIXTURES / "clean-2022.html").read_text(encoding="utf-8")
    page = tmp_path / "late.html"
    page.write_text(text.replace("2023年1月10日", "2023年2月10日"), encoding="utf-8")
    [result] = audit.audit_files([page])
    [f] = result.errors
    assert (f.rule, f.found) == ("P1-deadline", "2023年2月10日")


def test_audit_applies_p3_across_years(tmp_path):
    (tmp_path / "cross-2021.html").write_bytes((FIXTURES / "cross-2021.html").read_bytes())
    text = (FIXTURES / "cross-2022.html").read_text(encoding="utf-8")
    for old, new in (("1.部分栏目更新不够及时。", "1.数据开放工作起步较晚。"), ("2.政策解读形式比较单一。", "2.基层公开标准目录尚待完善。"),
                     ("1.建立栏目更新提醒机制，按月通报。", "1.制定数据开放清单。"), ("2.增加图解、短视频等解读形式。", "2.编制基层公开标准目录。")):
        text = text.replace(old, new)
    (tmp_path / "cross-2022.html").write_text(text, encoding="utf-8")
    results = audit.audit_files([tmp_path])
    later = next(r for r in results if r.imported.year == 2022)
    assert "P3-last-year-problems" in [f.rule for f in later.warnings]


# --- D1, D2 -------------------------------------------------------------------------------------------------
def test_d1_todo_left_in_the_narrative_blocks_the_build(tmp_path, runner):
    params = write_params(tmp_path / "params", {2022: {"alpha": year_data(
        narrative=narrative(overview=["TODO：写一段总体情况。"]))}})
    checked = one(params)
    [f] = [f for f in checked.errors if f.rule == "D1-todo"]
    assert not checked.ok and f.line == line_of(params / "2022" / "alpha.yaml", "TODO")
    result = invoke(runner, "validate", params=params)
    assert result.exit_code == 2 and "[D1-todo]" in result.output


def test_d2_copied_paragraph_names_the_other_bureau(tmp_path):
    shared = "我局坚持以公开为常态、不公开为例外，全面推进决策、执行、管理、服务、结果公开。"
    params = write_params(tmp_path / "params", {2022: {
        "alpha": year_data(narrative=narrative(overview=["总体平稳。", shared])),
        "beta": year_data(narrative=narrative(overview=[shared])),
        "gamma": year_data()}})
    by = {c.bureau: [f for f in c.findings if f.rule == "D2-copied-paragraph"] for c in check_many(params, [2022])}
    assert [(f.severity, f.field, f.found) for f in by["alpha"]] == [("warning", "narrative.overview[1]", "与 beta 相同")]
    assert [f.found for f in by["beta"]] == ["与 alpha 相同"]
    assert by["gamma"] == []        # 总体平稳。 is shared too, but too short to count as copying


def test_sample_params_validate_without_errors():
    checked = check_many(REPO / "params")
    assert len(checked) == 51 and all(c.ok for c in checked), [str(f) for c in checked for f in c.errors]


# --- audit a city at once ------------------------------------------------------------------------------------
def test_audit_a_folder_skips_what_is_not_a_report(tmp_path, runner):
    from reportkit.rollup import CityYear

    city = tmp_path / "city"
    (city / "2022" / "sub").mkdir(parents=True)
    for name in ("clean-2022.html", "rule-R6.html", "not-a-report.html"):
        (city / "2022" / "sub" / name).write_bytes((FIXTURES / name).read_bytes())
    c = CityYear.load(REPO / "params", 2022)          # the city roll-up reportkit writes: not one body's report
    body = "".join(str(f) for f in (c.header(), c.tables(), c.signature()))
    (city / "2022" / "summary.html").write_text(f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{c.title}"
                                                f"</title></head><body><main><h1>{c.title}</h1>{body}</main></body></html>",
                                                encoding="utf-8")
    result = invoke(runner, "audit", city, "--html", tmp_path / "audit.html", "--csv", tmp_path / "audit.csv")
    assert result.exit_code == 3                     # rule-R6 breaks; skipped files do not make it 2
    skipped = [line for line in result.output.splitlines() if "跳过" in line and line.startswith(str(city))]
    assert len(skipped) == 2 and any("summary.html" in x and "汇总" in x for x in skipped)
    assert "检查了 2 份报告" in result.output and "跳过 2 个非年度报告文件" in result.output
    import csv

    with open(tmp_path / "audit.csv", encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [(r["rule"], r["cause"]) for r in rows] == [("R6-outcome-total", "applications.total.natural_person")]
    assert rows[0]["file"].endswith("rule-R6.html") and rows[0]["issuer"] == "某县示例局"
    html = (tmp_path / "audit.html").read_text(encoding="utf-8")
    assert "<script" not in html and "http://" not in html and "https://" not in html
    # a file named on the command line that is no report is still an error (exit 2)
    assert invoke(runner, "audit", city / "2022" / "sub" / "not-a-report.html").exit_code == 2
