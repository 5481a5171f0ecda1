"""What one cell of a filled workbook holds, as a figure or a date, or why it is not one.

Values come as Excel and LibreOffice store them: int, float (5.0 after a LibreOffice re-save),
text ("六", " 5 ", "５"), dates, booleans. Messages are the Chinese the office sends back.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal
from typing import Any, Optional, Union

MAX_COUNT = 10**9


def shown(value: Any) -> str:
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.datetime, dt.date)):
        return f"日期 {value:%Y-%m-%d}"
    return str(value)


def number(value: Any, kind: str) -> tuple[Optional[Union[int, Decimal]], Optional[str], bool]:
    """(figure, error message, was_text) for an input cell's value."""
    expected = "应为非负整数" if kind == "int" else "应为非负数"
    text = False
    if isinstance(value, str):
        if value.startswith("="):
            return None, f"{expected}，实为公式 {value}", False
        norm = unicodedata.normalize("NFKC", value).strip().replace(",", "")
        if not re.fullmatch(r"-?\d+(\.\d+)?", norm):
            return None, f"{expected}，实为{shown(value)}", False
        value, text = Decimal(norm), True
    if isinstance(value, bool) or isinstance(value, (dt.date, dt.datetime, dt.time)) \
            or not isinstance(value, (int, float, Decimal)):
        return None, f"{expected}，实为{shown(value)}", False
    amount = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if not amount.is_finite() or amount < 0:
        return None, f"{expected}，实为{shown(value)}", False
    if amount > MAX_COUNT:
        return None, f"数值过大，实为{shown(value)}", False
    if kind == "int":
        if amount != amount.to_integral_value():
            return None, f"{expected}，实为{shown(value)}", False
        return int(amount), None, text
    return amount.normalize() if amount != amount.to_integral_value() else Decimal(int(amount)), None, text


def date_of(value: Any) -> Optional[dt.date]:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        m = re.fullmatch(r"\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*",
                         unicodedata.normalize("NFKC", value))
        if m:
            try:
                return dt.date(*map(int, m.groups()))
            except ValueError:
                return None
    return None
