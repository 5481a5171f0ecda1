"""Flattened text: table rows copied as a label followed by its numbers."""
from __future__ import annotations

import re
import unicodedata
from typing import Iterable

from .grid import Claims, positional
from .labels import core, figure_like
from . import layout as _layout
from .layout import LAYOUT_2019


_GLUED = re.compile(r"^(.*?[^\d.,\s])((?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)$")


def tokens(lines: Iterable[str]) -> list[str]:
    """Whitespace-parted tokens, NFKC, a figure glued to its label ("总计48") parted from it."""
    out = []
    for line in lines:
        for token in unicodedata.normalize("NFKC", line).split():
            m = _GLUED.match(token)
            if m and not figure_like(token) and core(m.group(1)):
                out += [m.group(1), m.group(2)]
            else:
                out.append(token)
    return out


def read_flat(lines: list[str], claims: Claims, only_missing: bool = False) -> int:
    """Claim figures from text where each table row is a label followed by its numbers."""
    segments: list[tuple[str, list[str]]] = []
    label, numbers = "", []
    for token in tokens(lines):
        if figure_like(token):
            numbers.append(token)
        else:
            if numbers:
                segments.append((label, numbers))
                label, numbers = "", []
            label += token
    if numbers:
        segments.append((label, numbers))
    review = sorted((t for t in _layout.TARGETS if t.key in _layout.REVIEW_KEYS), key=lambda t: _layout.REVIEW_KEYS.index(t.key))
    legacy_cols = {core(c) for b in LAYOUT_2019["proactive_blocks"] for c in b["columns"]} - \
        {core(c) for c in LAYOUT_2019["ambiguous_columns"]}
    current_cols = {t.col_leaf for t in _layout.TARGETS if t.key.startswith("proactive.") and t.layout == "2021"}
    prefer = None          # which format's table 二 columns the text's headers name
    n = 0
    for label, numbers in segments:
        text = core(label)
        if any(c in text for c in legacy_cols):
            prefer = "2019"
        elif any(c in text for c in current_cols):
            prefer = "2021"
        if core("行政复议") in text and core("结果维持") in text:
            row = review
        else:
            leaf = max((k for k in _layout.ROW_LEAVES if k and text.endswith(k)), key=len, default=None)
            if leaf is None:
                continue
            row = positional(_layout.ROW_LEAVES[leaf], len(numbers), prefer)
            if row is None:
                expected = sorted({len([t for t in _layout.ROW_LEAVES[leaf] if t.layout in (lay, "both")])
                                   for lay in ("2021", "2019")} - {0})
                if len(numbers) in expected:
                    why = "没有列名，无法判断是 2021 还是 2019 年格式的栏目"
                else:
                    why = (f"这一行有 {len(numbers)} 个数字，格式要求 {' 或 '.join(map(str, expected))} 个，"
                           "无法确定空白的位置")
                claims.unplaced.append(f"“{label[-24:]}”：{why}")
                for t in _layout.ROW_LEAVES[leaf]:
                    claims.reasons[t.key] = why     # a row's own reason before a whole table's
                continue
        if len(numbers) != len(row):
            claims.unplaced.append(f"表四有 {len(numbers)} 个数字，格式要求 {len(row)} 个")
            for t in row:
                claims.reasons[t.key] = f"表四有 {len(numbers)} 个数字，格式要求 {len(row)} 个"
            continue
        for t, token in zip(row, numbers):
            if only_missing and claims.has(t.key):
                continue
            claims.add(t.key, token)
            n += 1
    return n


