"""Flattened text read label by label: a row label followed by exactly its row's figures.

The fallback (and cross-check) of :mod:`.sequence`, and the reading of table rows that other
readers leave as lines. Two row labels of one table with no figure between them read neither row:
in flattened text a label can land before another row's figures."""
from __future__ import annotations

import re
import unicodedata
from typing import Iterable, Optional

from .grid import Claims, positional
from .labels import core, figure_like, numbered
from . import layout as _layout
from .layout import LAYOUT_2019, match_leaf


_GLUED = re.compile(r"^(.*?[^\d.,\s])((?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)$")


def row_named(label: str, leaves: Iterable[str], col_leaves: frozenset = frozenset()) -> Optional[str]:
    """The row leaf a label names: the longest one it ends with, else the one it is a broken-off
    part of. A row label that is also a column label (其他, 总计) counts only numbered and alone
    ("3.其他", "（七）总计"): unnumbered, it is the column's header."""
    c = core(label)
    if not c:
        return None
    hits = [leaf for leaf in leaves if leaf and c.endswith(leaf)
            and (leaf not in col_leaves or (c == leaf and numbered(label)))]
    if hits:
        return max(hits, key=len)
    return match_leaf(c, [x for x in leaves if x and x not in col_leaves])


def _item_leaves() -> tuple[list[str], frozenset]:
    """Leaves of rows with figures of their own (not a group's heading), and the column leaves."""
    items = [k for k, ts in _layout.ROW_LEAVES.items() if k and any(".subtotal." not in t.key for t in ts)]
    return items, frozenset(t.col_leaf for t in _layout.TARGETS)


def _two_rows(parts: list[str]) -> Optional[str]:
    """Two row labels of one table, each a token of its own, with no figure between them: the
    figures after them may be either row's (labels land out of place in flattened text), so
    neither is read. Returns why. (A token with figures glued into it is not a row label here.)"""
    items, cols = _item_leaves()
    rows = [(p, leaf) for p in parts if not re.search(r"\d", core(p))
            for leaf in [_label_row(p, items, cols)] if leaf]
    if len(rows) < 2 or rows[-2][1] == rows[-1][1] or _table_of(rows[-2][1]) != _table_of(rows[-1][1]):
        return None
    return f"“{rows[-2][0]}”和“{rows[-1][0]}”之间没有数字，无法确定数字属于哪一行"


def _label_row(label: str, leaves: list[str], col_leaves: frozenset) -> Optional[str]:
    """The row a token that is only a row label names (whole, or the start of one broken off)."""
    c = core(label)
    if c in col_leaves:
        return c if c in leaves and numbered(label) else None
    return match_leaf(c, [x for x in leaves if x not in col_leaves])


def _group_heading(leaf: str) -> bool:
    """A group's own label (（三）不予公开 … （五）不予处理): in the format it prints no figures, its cell
    spans its items' rows, so flattened text puts it among them — before one item's figures. (（六）其他处理
    is left to be read: reports in the 2019 way print it as one row of figures.)"""
    targets = _layout.ROW_LEAVES[leaf]
    return all(".subtotal." in t.key and not t.key.startswith("applications.other_handling.") for t in targets)


def _table_of(leaf: str) -> str:
    return "三" if _layout.ROW_LEAVES[leaf][0].key.startswith("applications.") else "二"


def legacy_columns() -> set[str]:
    """Cores of the column headers only the 2019 format's table 二 has."""
    return {core(c) for b in LAYOUT_2019["proactive_blocks"] for c in b["columns"]} - \
        {core(c) for c in LAYOUT_2019["ambiguous_columns"]}


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
    segments: list[tuple[str, list[str], list[str]]] = []
    parts: list[str] = []
    numbers: list[str] = []
    for token in tokens(lines):
        if figure_like(token):
            numbers.append(token)
        else:
            if numbers:
                segments.append(("".join(parts), parts, numbers))
                parts, numbers = [], []
            parts.append(token)
    if numbers:
        segments.append(("".join(parts), parts, numbers))
    review = sorted((t for t in _layout.TARGETS if t.key in _layout.REVIEW_KEYS), key=lambda t: _layout.REVIEW_KEYS.index(t.key))
    legacy_cols = legacy_columns()
    current_cols = {t.col_leaf for t in _layout.TARGETS if t.key.startswith("proactive.") and t.layout == "2021"}
    prefer = None          # which format's table 二 columns the text's headers name
    n = 0
    for label, parts, numbers in segments:
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
            if _group_heading(leaf):
                why = (f"“{label[-24:]}”是分组名称，没有自己的数字；扁平文本中它落在其下各项之间，"
                       f"其后的 {len(numbers)} 个数字可能属于某一项，不作小计读入")
                claims.unplaced.append(why)
                continue
            clash = _two_rows(parts)
            if clash:
                claims.unplaced.append(clash)
                for t in _layout.ROW_LEAVES[leaf]:
                    claims.reasons[t.key] = clash
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
                claims.reasons.setdefault(t.key, f"表四有 {len(numbers)} 个数字，格式要求 {len(row)} 个")
            continue
        for t, token in zip(row, numbers):
            if only_missing and claims.has(t.key):
                continue
            claims.add(t.key, token)
            n += 1
    return n


