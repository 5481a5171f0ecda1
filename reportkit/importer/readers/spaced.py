"""Text laid out in columns of spaces (``pdftotext -layout``, copied tables, OCR text), where a
blank cell is only a wider run of spaces or no-break spaces.

Each line is cut into tokens at runs of two or more spaces, with their display columns (a CJK
character is two columns wide). A row of a table with as many figures as the format is read as
it is; the column positions of those complete rows (per table, per number of figures) then place
the figures of a row with fewer: each must fall in exactly one column, distinct from the others,
and the columns left over are its blank cells. A figure that fits no column, or two, is not
placed (the row stays unread), never guessed.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from ..grid import Claims, PCell, read_table
from ..labels import core, figure_like, tidy
from .. import layout as _layout
from ..layout import match_leaf
from ..text import section_heading
from .plain import text_of, title_of
from . import Document, Reader

@lru_cache(maxsize=1)
def _column_leaves() -> frozenset:
    """Cores of the format's column labels (built on first use, not at import)."""
    return frozenset(t.col_leaf for ts in _layout.ROW_LEAVES.values() for t in ts)
_GAP = re.compile(r"[ \u00a0\u3000]{3,}\S")
_SPACES = " \u00a0\u3000\t"
NEAR = 2


def tokens(line: str, wide: int = 2, parting: int = 2) -> list[tuple[int, int, str]]:
    """(first column, last column + 1, text) of each token; tokens are parted by ``parting`` or
    more spaces, or by one space between figures. A CJK character is ``wide`` columns: 2 as a
    screen shows it, 1 as ``pdftotext -layout`` counts."""
    out: list[tuple[int, int, str]] = []
    col, start, buf, gap = 0, 0, "", 0
    for ch in line.expandtabs(8):
        width = wide if unicodedata.east_asian_width(ch) in "WF" else 1
        if ch in _SPACES:
            gap += width
        else:
            if buf and (gap >= parting or (gap >= 1 and figure_like(buf.strip()) and figure_like(ch))):
                out.append((start, col - gap, buf.strip()))
                buf = ""
            if not buf:
                start = col
            buf += (" " * gap if buf else "") + ch
            gap = 0
        col += width
    if buf:
        out.append((start, col - gap, buf.strip()))
    return out


def _header_of(line: str, wide: int):
    """Column spans of a header line: a first label, then the format's column labels."""
    toks = tokens(line, wide, parting=1)
    if len(toks) < 3 or not all(match_leaf(core(t[2]), _column_leaves()) for t in toks[1:]):
        return None
    return [[s, e] for s, e, _ in toks[1:]]


def _row_of(line: str, wide: int):
    """(label, [(start, end, figure)]) when the line is a table row: a label, then figures."""
    toks = tokens(line, wide)
    first = next((i for i, t in enumerate(toks) if figure_like(t[2])), None)
    if first is None or any(not figure_like(t[2]) for t in toks[first:]):
        return None
    return [t[2] for t in toks[:first]], toks[first:]


def _expected(labels: list[str]) -> tuple[object, set]:
    """The row of the format the labels name (the rightmost that names one), and its widths."""
    leaf = None
    for label in reversed(labels):
        leaf = match_leaf(core(label), [k for k in _layout.ROW_LEAVES if k]) if core(label) else None
        if leaf:
            break
    if leaf is None and any(core(x) for x in labels):
        return None, set()                 # a label that names no row: not a row of the format
    targets = _layout.ROW_LEAVES.get(leaf, [])
    return leaf, {len([t for t in targets if t.layout in (lay, "both")]) for lay in ("2021", "2019")} - {0}


class SpacedTextReader(Reader):
    kind, label = "spaced", "按空格对齐的文本"

    def sniff(self, data: bytes) -> bool:
        head = data[:200_000].decode("utf-8", "ignore")
        return sum(1 for line in head.splitlines() if _GAP.search(line.strip())) >= 5

    def read(self, data: bytes, source: str, claims: Claims) -> Document:
        text, encoding = text_of(data, source)
        raw = text.splitlines()
        notes: list[str] = []
        trial = {wide: self._claim(raw, wide, Claims(), []) for wide in (2, 1)}
        wide = max(trial, key=lambda w: (trial[w], w))
        self._claim(raw, wide, claims, notes)
        lines = [tidy(line) for line in raw if tidy(line)]
        return Document(self.kind, encoding, title_of(lines), lines, notes=notes, flat=True)

    def _claim(self, raw: list[str], wide: int, claims: Claims, notes: list[str]) -> int:
        """Claim the rows' figures counting a CJK character ``wide`` columns; how many claimed."""
        region, rows = "", []                      # (line, region, label, figures)
        complete: dict[tuple[str, int], list[tuple[int, list]]] = {}   # (region, n) → [(line, spans)]
        for i, line in enumerate(raw):
            heading = section_heading(tidy(line))
            if heading:
                region = heading
            header = _header_of(line, wide)
            if header:
                complete.setdefault((region, len(header)), []).append((i, header))
            row = _row_of(line, wide)
            if row is not None:
                rows.append((i, region, *row))
                if len(row[1]) in _expected(row[0])[1]:
                    complete.setdefault((region, len(row[1])), []).append((i, [[s, e] for s, e, _ in row[1]]))
        before = sum(len(v) for v in claims.by_key.values())
        direct = {_expected(label)[0] for _, _, label, _ in rows} - {None}
        for i, region, label, figs in rows:
            leaf, counts = _expected(label)
            if not counts or (not any(core(x) for x in label) and len(figs) not in counts):
                label = _wrapped_label(raw, i, wide, label, direct)
                leaf, counts = _expected(label)
            cells = [f for _, _, f in figs]
            if not counts:
                continue
            if len(figs) not in counts:
                placed = self._place(figs, [_nearest(complete.get((region, n), []), i) for n in sorted(counts)])
                if placed is None:
                    notes.append(f"“{tidy(''.join(label))[-24:]}”一行有 {len(figs)} 个数字，按列位置无法确定空白在哪一栏")
                    continue
                cells = placed
            read_table([[PCell(x) for x in label] + [PCell(c) for c in cells]], claims)
        return sum(len(v) for v in claims.by_key.values()) - before

    @staticmethod
    def _place(figs, layouts):
        """The row's figures placed in the columns of the complete rows nearest above and below
        it (both must agree); blanks where no figure falls."""
        for neighbours in layouts:
            placed = [_fit(figs, spans) for spans in neighbours]
            if placed and all(p is not None and p == placed[0] for p in placed):
                return placed[0]
        return None


def _wrapped_label(raw: list[str], i: int, wide: int, label: list[str], taken: set) -> list[str]:
    """A row label wrapped over the lines around the figures' line ("（二）部分公开（…，" above,
    "不计其他情形）" below): joined, when it names a row that no other line names."""
    def text_only(j):
        if 0 <= j < len(raw) and raw[j].strip() and _row_of(raw[j], wide) is None:
            toks = tokens(raw[j], wide)
            return toks[-1][2] if toks else ""
        return ""
    above, below = text_only(i - 1), text_only(i + 1)
    for joined in (above + below, above, (label[-1] if label else "") + below):
        leaf, counts = _expected([joined])
        if counts and leaf is not None and leaf not in taken:
            return label + [joined]
    return label


def _nearest(complete: list[tuple[int, list]], i: int) -> list[list]:
    """Column spans of the complete rows (or header) nearest above and below line ``i``."""
    above = [spans for j, spans in complete if j < i][-1:]
    below = [spans for j, spans in complete if j > i][:1]
    return above + below


def _fit(figs, spans):
    """Each figure in the one column it overlaps, or else the one within ``NEAR`` columns
    (layout tools round positions); left to right, one per column; None if any does not fit."""
    out, last = [""] * len(spans), -1
    for s, e, text in figs:
        hits = [i for i, (a, b) in enumerate(spans) if s < b and a < e and i > last]
        if not hits:
            hits = [i for i, (a, b) in enumerate(spans) if a - NEAR < e and s < b + NEAR and i > last]
        if len(hits) != 1:
            return None
        out[hits[0]], last = text, hits[0]
    return out
