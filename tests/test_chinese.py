"""Numbers, money, dates and year-over-year phrases as this genre writes them."""
import datetime as dt
from decimal import Decimal

import pytest

from reportkit import chinese


@pytest.mark.parametrize("n,text", [(1, "一"), (6, "六"), (10, "十"), (12, "十二"), (20, "二十"), (35, "三十五")])
def test_numeral(n, text):
    assert chinese.numeral(n) == text


def test_date_has_no_leading_zeros():
    assert chinese.date_cn(dt.date(2023, 1, 11)) == "2023年1月11日"
    assert chinese.date_cn(dt.date(2022, 10, 5)) == "2022年10月5日"


@pytest.mark.parametrize("amount,text", [(Decimal("0"), "0"), (Decimal("12.50"), "12.5"),
                                         (Decimal("7730.28"), "7730.28"), (3, "3"), (Decimal("0.000"), "0")])
def test_money(amount, text):
    assert chinese.money(amount) == text


def test_change_rise_fall_flat_and_from_zero():
    assert chinese.change(32, 27) == "较上年增加5件、增长18.5%"
    assert chinese.change(2, 4) == "较上年减少2件、下降50.0%"
    assert chinese.change(5, 5) == "与上年持平"
    assert chinese.change(3, 0) == "上年为0件，本年新增3件"
    assert chinese.change(0, 0) == "与上年持平"
    assert chinese.change(0, 4, "条") == "较上年减少4条、下降100.0%"
