"""P3: does section 五 take up last year's listed problems (上年度问题的整改情况)?"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import REPO

from reportkit import audit
from reportkit.rules.publication import TAKEN_UP, mentions_last_year, taken_up
from reportkit.validate import check_one

FIXTURES = Path(__file__).parent / "fixtures" / "published"
P3 = "P3-last-year-problems"


def sample_city(tmp_path, bureau: str, old: str, new: str) -> Path:
    """The sample city's 2022 and 2023 files of one bureau, with one text replaced in 2023's."""
    params = tmp_path / "params"
    (params / "2022").mkdir(parents=True)
    (params / "2023").mkdir()
    shutil.copy(REPO / "params" / "bureaus.yaml", params / "bureaus.yaml")
    shutil.copy(REPO / "params" / "2022" / f"{bureau}.yaml", params / "2022")
    text = (REPO / "params" / "2023" / f"{bureau}.yaml").read_text(encoding="utf-8")
    assert old in text
    (params / "2023" / f"{bureau}.yaml").write_text(text.replace(old, new), encoding="utf-8")
    return params


def p3(params: Path, bureau: str, year: int = 2023):
    return [f for f in check_one(params, bureau, year).findings if f.rule == P3]


@pytest.mark.parametrize("sentence, year, about", [
    ("上年度报告中提出的政策解读形式单一的问题已完成整改。", 2023, True),
    ("针对上年报告指出的不足，我局开展了培训。", 2023, True),
    ("对2022年报告所列问题逐项整改。", 2023, True),
    ("全年依申请公开数量较上年有所减少，答复均在法定期限内作出。", 2023, False),
    ("上年结转申请2件。存在的问题是栏目更新不及时。", 2023, False),      # the keyword in another sentence
    ("对2021年报告所列问题逐项整改。", 2023, False),                      # not last year
])
def test_the_year_keyword_counts_only_in_a_sentence_about_problems(sentence, year, about):
    assert mentions_last_year(sentence, year) is about


def test_boilerplate_does_not_count_as_taking_a_problem_up():
    problem = "政府信息公开工作有待进一步加强。部分栏目更新不够及时。"
    assert taken_up(problem, "进一步加强政府信息公开工作。") == 0.0
    assert taken_up(problem, "建立栏目更新提醒机制。") == 1.0


def test_rectification_in_other_words_passes(tmp_path):
    """czj 2023 restates 2022's problem (政府采购信息…集中) without 上年: no warning."""
    params = sample_city(tmp_path, "shengzhou-czj", "上年度报告提出的", "此前年度报告提出的")
    text = (params / "2023" / "shengzhou-czj.yaml").read_text(encoding="utf-8")
    assert "上年" not in text and "去年" not in text and "2022年" not in text.split("problems:")[1]
    assert p3(params, "shengzhou-czj") == []


def test_keyword_only_sentence_warns_and_quotes_last_years_listed_problem(tmp_path):
    """wjj 2023 with its 整改 paragraph replaced by a sentence that only says 较上年: a warning that
    quotes 2022's listed problem (院务公开), not 2022's own 整改 paragraph (疫情防控)."""
    params = sample_city(tmp_path, "shengzhou-wjj",
                         "针对上年度报告提出的部分医疗卫生机构院务公开内容不够完整的问题，我局制定院务公开目录，明确诊疗服务价格、"
                         "就医流程等必须公开的内容，并对各医疗卫生机构的公开情况开展年度评估，评估结果纳入单位年度考核。",
                         "全年依申请公开数量较上年有所减少，答复均在法定期限内作出。")
    [f] = p3(params, "shengzhou-wjj")
    assert f.severity == "warning" and f.field == "narrative.problems[0]" and f.line
    assert f.sentence == "部分医疗卫生机构院务公开内容不够完整。"
    share = float(f.found.rstrip("%")) / 100
    assert share < TAKEN_UP and f.found in f.message and "上年所列问题未在本年第五部分提及" in f.message


def test_the_sample_city_as_published_passes(tmp_path):
    params = sample_city(tmp_path, "shengzhou-wjj", "针对上年度报告", "针对上年度报告")
    assert p3(params, "shengzhou-wjj") == []


def _pages(tmp_path, replace: dict[str, str]) -> list:
    (tmp_path / "cross-2021.html").write_bytes((FIXTURES / "cross-2021.html").read_bytes())
    text = (FIXTURES / "cross-2022.html").read_text(encoding="utf-8")
    for old, new in replace.items():
        assert old in text
        text = text.replace(old, new)
    (tmp_path / "cross-2022.html").write_text(text, encoding="utf-8")
    return audit.audit_files([tmp_path])


NEW_PROBLEMS = {"1.部分栏目更新不够及时。": "1.数据开放工作起步较晚。", "2.政策解读形式比较单一。": "2.基层公开标准目录尚待完善。",
                "1.建立栏目更新提醒机制，按月通报。": "1.制定数据开放清单。",
                "2.增加图解、短视频等解读形式。": "2.全年依申请公开数量较上年有所减少。"}


def test_audit_compares_with_the_problems_part_of_last_years_page(tmp_path):
    results = _pages(tmp_path, NEW_PROBLEMS)
    later = next(r for r in results if r.imported.year == 2022)
    assert later.subject.previous.listed_problems() == ["部分栏目更新不够及时。", "政策解读形式比较单一。"]
    [f] = [f for f in later.warnings if f.rule == P3]
    assert f.sentence == "部分栏目更新不够及时。" and f.found == "0%" and "cross-2021.html" in f.message
    assert "上年所列 2 个问题均未" in f.message


def test_audit_passes_a_page_that_takes_up_one_listed_problem(tmp_path):
    results = _pages(tmp_path, dict(NEW_PROBLEMS, **{"1.建立栏目更新提醒机制，按月通报。": "1.建立栏目更新提醒机制，按月通报。"}))
    later = next(r for r in results if r.imported.year == 2022)
    assert [f for f in later.warnings if f.rule == P3] == []
