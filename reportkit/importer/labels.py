"""Labels and figures as printed: normalised for matching, figures parsed or refused.

A figure is read only when every character of it is an ordinary digit (ASCII or full-width),
a separator or a unit; superscripts, circled and mathematical digits and invisible or
direction-control characters make the cell unread, with the reason.
"""
from __future__ import annotations

import re
import unicodedata
from decimal import Decimal
from typing import Optional, Union

from ..charcheck import is_invisible

_SPACE = re.compile(r"[\s\u200b\u200c\u200d\u2060\ufeff]+")
_LINE = "\u2028"   # marks where a table cell breaks into lines (<br>, <p>); whitespace to norm()
_NUMBERING = re.compile(
    r"\((?:[一二三四五六七八九十]{1,3}|\d{1,2})\)"      # （一） (1)
    r"|[一二三四五六七八九十]{1,3}[、.]"               # 一、 三.
    r"|(?<![\d.])\d{1,2}[、.](?!\d)"                    # 1. 1、 1．
    r"|[\u2460-\u2473]")                                # ① …
_PAREN = re.compile(r"\([^()]*\)")
_NOT_WORD = re.compile(r"[\W_]+")
# Label variants published reports use for the format's own labels (core form → core form).
ALIASES = {"规范性文件": "行政规范性文件", "合计": "总计"}


def norm(text: str) -> str:
    """NFKC (full-width digits and punctuation → ASCII), no whitespace at all."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", text or ""))


_WIDE = str.maketrans("０１２３４５６７８９．", "0123456789.")


def text_norm(text: str) -> str:
    """Running text for pattern matching: full-width digits made ASCII, no whitespace; the
    Chinese punctuation that bounds clauses (，。；、) is kept."""
    return _SPACE.sub("", (text or "").translate(_WIDE))


def numbered(label: str) -> bool:
    """Whether a label starts with a row's numbering (（一）, 三、, 1., ①): "3.其他" and "（七）总计" name rows,
    a bare "其他" or "总计" is a column's header."""
    return _NUMBERING.match(norm(label)) is not None


def core(label: str) -> str:
    """The comparable core of a label: numbering, parenthetical notes and punctuation removed."""
    text = _NUMBERING.sub("", norm(label))
    previous = None
    while previous != text:
        previous, text = text, _PAREN.sub("", text)
    text = _NOT_WORD.sub("", text)
    return ALIASES.get(text, text)


def tidy(text: str) -> str:
    """A paragraph as printed: whitespace collapsed, none left between CJK characters."""
    text = " ".join((text or "").replace("\u3000", " ").replace("\xa0", " ").split())
    return re.sub(r"(?<=[\u2e80-\u9fff\u3000-\u303f\uff00-\uffef]) (?=[\u2e80-\u9fff\u3000-\u303f\uff00-\uffef])",
                  "", text)


_BLANK = re.compile(r"^(?:[-—–―−~/\\]*|无)$")
_UNITS = r"(?:件|条|个|项|次|人次|万元|元)"
_NUMBER = re.compile(r"^([-+]?)(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?" + _UNITS + "?$")
_FIGURE_LIKE = re.compile(r"^[约近超逾]?[-+]?[\d.,]+" + _UNITS + r"?[*※]?(?:\(.{0,8}\))?$")


def is_blank(text: str) -> bool:
    return bool(_BLANK.match(norm(text)))


def figure_like(text: str) -> bool:
    """Looks like a table figure (a number, perhaps unreadable) rather than a label."""
    t = norm(text)
    return bool(_BLANK.match(t) or _FIGURE_LIKE.match(t))


# Characters that change how a figure displays without being seen: bidi controls, zero-width
# marks, soft hyphen, word joiner, BOM … (Unicode category Cf), and the line/paragraph separators
# other than the one readers use to mark a broken cell.
def hidden_characters(text: str) -> list[str]:
    """Invisible or direction-control characters in ``text``, as ``U+202E`` (the same set a
    params file may not hold, :func:`reportkit.charcheck.is_invisible`, plus U+2029)."""
    return list(dict.fromkeys(f"U+{ord(ch):04X}" for ch in text or "" if is_invisible(ch) or ch == "\u2029"))


_PLAIN_DIGITS = set("0123456789０１２３４５６７８９")
BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def lookalike_digits(text: str) -> list[str]:
    """Characters that NFKC or ``int`` would take for a digit but that are not printed digits:
    superscripts ², circled ①, mathematical 𝟏, other scripts' digits ٣ … (full-width ３ is normal)."""
    return list(dict.fromkeys(f"{ch}（U+{ord(ch):04X}）" for ch in text or ""
                              if ch not in _PLAIN_DIGITS and (unicodedata.category(ch) in ("Nd", "No")
                                                              or unicodedata.normalize("NFKC", ch).isdigit())))


MAX_DIGITS = 15     # 999 万亿: more is not a count of this report


def parse_figure(text: str, decimal: bool = False) -> tuple[str, Union[int, Decimal, None], Optional[str]]:
    """('read', value, None) | ('blank', 0, None) | ('unread', None, reason)."""
    hidden = hidden_characters(text)
    if hidden:
        return "unread", None, f"格中有不可见或改变显示方向的字符 {'、'.join(hidden)}"
    odd = lookalike_digits(text)
    if odd:
        return "unread", None, f"“{tidy(text)}”含形似数字的字符 {'、'.join(odd)}，不当作数字读"
    t = norm(text)
    if _BLANK.match(t):
        return "blank", (Decimal(0) if decimal else 0), None
    if re.search(r"\d[\s\u2028]*\u2028[\s\u2028]*\d", text):
        return "unread", None, f"一格中有几行数字：“{tidy(text.replace(_LINE, ' / '))}”"
    m = _NUMBER.match(t)
    if not m:
        return "unread", None, f"“{tidy(text)}”不是数字"
    sign, whole, frac = m.groups()
    if len(whole.replace(",", "")) + len(frac or "") > MAX_DIGITS:
        return "unread", None, f"数字有 {len(whole.replace(',', ''))} 位，超过 {MAX_DIGITS} 位，不可能是本表的数字"
    digits = whole.replace(",", "") + ("." + frac if frac else "")
    if decimal:
        value = Decimal(sign + digits)
        return "read", value, None
    if frac and set(frac) != {"0"}:
        return "unread", None, f"“{tidy(text)}”不是整数"
    return "read", int(sign + whole.replace(",", "")), None

