"""How this genre writes numbers, money, dates and changes in Chinese."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Union

NUMERALS = "一二三四五六七八九十"


def numeral(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二 (for section and item numbers up to 99)."""
    if not 1 <= n <= 99:
        raise ValueError(n)
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else NUMERALS[tens - 1] + "十")
    return head + (NUMERALS[ones - 1] if ones else "")


def date_cn(day: dt.date) -> str:
    """2023-01-11 → 2023年1月11日."""
    return f"{day.year}年{day.month}月{day.day}日"


def count(n: int) -> str:
    """A whole count as printed in the text and tables: no separators (1234)."""
    return str(int(n))


def money(amount: Union[Decimal, int, float]) -> str:
    """Money without trailing zeros: 0 → 0, 12.50 → 12.5, 7730.28 → 7730.28."""
    value = Decimal(str(amount))
    if value == value.to_integral_value():
        return str(value.quantize(Decimal(1)))
    return format(value.normalize(), "f")


def percent(part: int, whole: int) -> str:
    """Share with one decimal: 4 of 6 → 66.7%."""
    return f"{Decimal(part * 100) / Decimal(whole):.1f}%"


def change(now: Union[int, Decimal], before: Union[int, Decimal], unit: str = "件") -> str:
    """Year-over-year phrase: 较上年增加5件、增长18.5% / 与上年持平 / 上年为0."""
    fmt = money if isinstance(now, Decimal) or isinstance(before, Decimal) else count
    if now == before:
        return "与上年持平"
    if before == 0:
        return f"上年为0{unit}，本年新增{fmt(now)}{unit}"
    diff = now - before
    word, rate = ("增加", "增长") if diff > 0 else ("减少", "下降")
    pct = Decimal(abs(diff) * 100) / Decimal(before)
    return f"较上年{word}{fmt(abs(diff))}{unit}、{rate}{pct:.1f}%"


def join_items(items: list[str]) -> str:
    """Items joined with the enumeration comma 、."""
    return "、".join(items)
