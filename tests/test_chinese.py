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
    assert chinese.change(2, 4) == "较上年减少2件、下降50%"
    assert chinese.change(5, 5) == "与上年持平"
    assert chinese.change(0, 0) == "与上年持平"
    assert chinese.change(0, 4, "条") == "较上年减少4条"


@pytest.mark.parametrize("now,before,text", [
    (3, 0, "上年为0件"),                              # 0 → N: said once, no “本年新增3件” echo
    (4, 2, "较上年增加2件、增长1倍"),                  # N → 2N
    (9, 3, "较上年增加6件、增长2倍"),                  # N → 3N
    (6, 6, "与上年持平"),                              # N → N
    (7, 8, "较上年减少1件、下降12.5%"),                # decline
    (6, 4, "较上年增加2件、增长50%"),                  # no “50.0%”
    (Decimal("1.5"), Decimal("1.2"), "较上年增加0.3万元、增长25%"),
])
def test_change_phrasing(now, before, text):
    unit = "万元" if isinstance(now, Decimal) else "件"
    assert chinese.change(now, before, unit) == text
    assert "100.0%" not in text and ".0%" not in text


def test_share_in_text_drops_trailing_zero_table_keeps_it():
    assert chinese.share(4, 6) == "66.7%"
    assert chinese.share(3, 6) == "50%"
    assert chinese.share(6, 6) == "100%"
    assert chinese.percent(3, 6) == "50.0%"  # a table column keeps one decimal throughout