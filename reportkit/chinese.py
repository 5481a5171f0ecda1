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


def _rate(value: Decimal) -> str:
    """A rate with one decimal, dropping a trailing .0: 66.7, 50, 12.5."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def percent(part: int, whole: int) -> str:
    """Share with one decimal, for a table column: 4 of 6 → 66.7%, 3 of 6 → 50.0%."""
    return f"{Decimal(part * 100) / Decimal(whole):.1f}%"


def share(part: int, whole: int) -> str:
    """Share in running text, without a trailing .0: 4 of 6 → 66.7%, 3 of 6 → 50%, 6 of 6 → 100%."""
    return _rate(Decimal(part * 100) / Decimal(whole)) + "%"


def change(now: Union[int, Decimal], before: Union[int, Decimal], unit: str = "件") -> str:
    """Year-over-year phrase as the genre writes it.

    较上年增加3件、增长18.5% · 较上年增加2件、增长1倍 (an exact multiple) · 较上年减少3件、下降12.5% ·
    较上年减少4件 (down to none: no “下降100%”) · 上年为0件 (from none) · 与上年持平.
    """
    fmt = money if isinstance(now, Decimal) or isinstance(before, Decimal) else count
    if now == before:
        return "与上年持平"
    if before == 0:
        return f"上年为0{unit}"
    diff = now - before
    amount = f"{fmt(abs(diff))}{unit}"
    if now == 0:
        return f"较上年减少{amount}"
    if diff < 0:
        return f"较上年减少{amount}、下降{_rate(Decimal(-diff * 100) / Decimal(before))}%"
    times = Decimal(now) / Decimal(before)
    if times == times.to_integral_value():  # 2x, 3x …: 增长1倍, 增长2倍
        return f"较上年增加{amount}、增长{int(times) - 1}倍"
    return f"较上年增加{amount}、增长{_rate(Decimal(diff * 100) / Decimal(before))}%"


def join_items(items: list[str]) -> str:
    """Items joined with the enumeration comma 、."""
    return "、".join(items)
