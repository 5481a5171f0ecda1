"""The city roll-up and the dataset export."""
from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest
from bs4 import BeautifulSoup
from conftest import invoke
from factories import applications, write_params, year_data

from reportkit import batch, dataset, params
from reportkit.rollup import CityYear
from reportkit.rules import check_year
from reportkit.spec import load_spec

SPEC = load_spec()


@pytest.fixture
def city(tmp_path):
    """Three bureaus in 2022 (one invalid), two in 2021, one registered without data."""
    bigger = year_data(applications=applications(new=(20, 5, 1, 0, 2, 1), disclosed=(15, 4, 1, 0, 1, 1),
                                                 partly=(3, 1, 0, 0, 0, 0), not_held=(1, 0, 0, 0, 1, 0),
                                                 forward=(1, 0, 0, 0, 0, 0)))
    broken = year_data()
    broken["applications"]["new"] = [4, 1, 0, 0, 1, 0, 9]
    settled = applications(forward=(0,) * 6, not_held=(1, 0, 0, 0, 1, 0))
    root = write_params(tmp_path / "params", {
        2021: {"alpha": year_data(applications=settled), "beta": year_data(applications=settled)},
        2022: {"alpha": year_data(), "beta": bigger, "gamma": broken},
    })
    reg = root / "bureaus.yaml"
    reg.write_text(reg.read_text() + "delta:\n  name: 测试市丁局\n  government: 测试市人民政府\n", encoding="utf-8")
    return root


def test_rollup_equals_the_sum_of_the_dataset(city, tmp_path):
    target = tmp_path / "cells.csv"
    dataset.export(city, target, [2022])
    df = pd.read_csv(target)
    assert set(df.bureau) == {"alpha", "beta"}          # gamma is invalid, left out
    sums = df.groupby(["table", "row", "column"])["value"].sum()
    total = CityYear.load(city, 2022).total
    for path, figures in total.app_cells().items():
        for col, value in figures.items():
            assert sums[("applications", path[-1], col)] == value, (path, col)
    for group, figures in total.review_cells().items():
        for col, value in figures.items():
            assert sums[("review_litigation", group, col)] == value
    assert sums[("proactive", "licensing", "count")] == total.proactive.licensing
    assert Decimal(str(sums[("proactive", "fees", "amount")])) == total.proactive.fees
    assert [f for f in check_year(total, "rollup") if f.severity == "error"] == []


def test_quality_section_lists_invalid_and_missing(city):
    c = CityYear.load(city, 2022)
    soup = BeautifulSoup(c.quality(), "html.parser")
    assert soup.find("ul", class_="invalid").find("li")["data-bureau"] == "gamma"
    assert "R1-row-total" in soup.get_text()
    assert soup.find("ul", class_="missing").find("li")["data-bureau"] == "delta"


def test_rankings_and_trends(city):
    c = CityYear.load(city, 2022)
    soup = BeautifulSoup(c.rankings(), "html.parser")
    received = [tr["data-bureau"] for tr in soup.find("table", class_="t-rank-received").find_all("tr", attrs={"data-bureau": True})]
    assert received == ["beta", "alpha"]
    share = [td.get_text() for td in soup.find("table", class_="t-rank-share").find_all("td")]
    assert "78.6%" in share and "60.0%" in share        # beta 22/28, alpha 3/5
    trends = BeautifulSoup(c.trends(), "html.parser")
    rows = [[td.get_text() for td in tr.find_all("td")] for tr in trends.find("tbody").find_all("tr")]
    assert rows[0][0] == "2021年" and rows[1][0] == "2022年"
    assert rows[1][2] == "35" and rows[0][2] == "12"    # new applications: 6 + 29, 6 + 6
    assert "新收申请35件，较上年增加23件、增长191.7%" in trends.get_text()


def test_no_trends_without_earlier_years(city):
    assert CityYear.load(city, 2021).trends() == ""


def test_build_makes_summary_and_links_it(city, tmp_path):
    out = tmp_path / "out"
    result = batch.build(city, out, 2022, jobs=2)
    assert result.exit_code == 2                     # gamma invalid
    assert result.summary.status == "ok"
    html = (out / "2022" / "summary.html").read_text()
    soup = BeautifulSoup(html, "html.parser")
    assert soup.h1.get_text() == "测试市人民政府各部门2022年政府信息公开工作年度报告汇总"
    assert len(soup.find_all("table", class_="official")) == 3
    assert soup.find(attrs={"data-cell": "applications.new.total"}).get_text() == "35"
    assert not soup.find_all("script")
    index = BeautifulSoup((out / "2022" / "index.html").read_text(), "html.parser")
    assert index.find("a", href="summary.html")
    again = batch.build(city, out, 2022, jobs=2)
    assert "summary" in again.skipped
    skipped = batch.build(city, out, 2022, jobs=2, summary=False, force=True)
    assert skipped.summary is None                       # this run did not build it (issue 18.2)
    kept = __import__("json").loads((out / "2022" / "manifest.json").read_text())["summary"]
    assert kept["hash"] == again.summary.hash            # --no-summary leaves the last one alone


def test_dataset_round_trip_matches_params(sample_params, tmp_path):
    for suffix in (".csv", ".parquet"):
        target = tmp_path / f"cells{suffix}"
        rows, invalid = dataset.export(sample_params, target)
        assert not invalid
        df = pd.read_csv(target) if suffix == ".csv" else pd.read_parquet(target)
        assert len(df) == rows == 200 * len(df.groupby(["bureau", "year"]))
        for (bureau, year), part in df.groupby(["bureau", "year"]):
            data = params.load_year(params.year_path(sample_params, year, bureau))
            got = {(r.table, r.row, r.column): r.value for r in part.itertuples()}
            assert got[("proactive", "licensing", "count")] == data.proactive.licensing
            assert got[("proactive", "normative_documents", "in_force")] == data.proactive.normative_documents.in_force
            assert got[("proactive", "fees", "amount")] == float(data.proactive.fees)
            for path, figures in data.app_cells().items():
                for col, value in figures.items():
                    assert got[("applications", path[-1], col)] == value
            for group, figures in data.review_cells().items():
                for col, value in figures.items():
                    assert got[("review_litigation", group, col)] == value


def test_dataset_cli(runner, city, tmp_path):
    result = invoke(runner, "dataset", "--years", "2021-2022", "-o", tmp_path / "d.csv", params=city)
    assert result.exit_code == 2                      # gamma left out
    assert "gamma" in result.output
    df = pd.read_csv(tmp_path / "d.csv")
    assert sorted(df.year.unique()) == [2021, 2022]
    bad = invoke(runner, "dataset", "--years", "soon", "-o", tmp_path / "d.csv", params=city)
    assert bad.exit_code == 2 and "--years" in bad.output
