"""Resolving printed cells to the format's grid: claims per target, then values.

Readers turn a table (HTML, PDF, Word, a spreadsheet, markdown, columns of spaced text) into
rows of :class:`PCell` with their spans; :func:`read_table` claims each figure for a target by
its row label and the column header above it (or by position when a row has exactly the
format's number of figures); :func:`resolve` turns the claims into cells read, blank or unread.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Optional

from .labels import core, figure_like, is_blank, norm, numbered, parse_figure, tidy
from . import layout as _layout
from .layout import Target, column_chain, expand, match_leaf
from .result import CellRead


MAX_GRID_CELLS = 40_000       # the format's largest table has about 500 cells


@dataclass
class _Claim:
    text: str
    span: int = 1                   # how many targets the same printed cell covers
    reason: Optional[str] = None    # why the reader could not vouch for the text (OCR confidence)


class Claims:
    """Printed cells claimed for each target; resolved into values at the end."""

    def __init__(self):
        self.by_key: dict[str, list[_Claim]] = {}
        self.unplaced: list[str] = []
        self.reasons: dict[str, str] = {}     # why a row's cells were not taken
        self.aliases: set = set()

    def add(self, key: str, text: str, span: int = 1, reason: Optional[str] = None):
        self.by_key.setdefault(key, []).append(_Claim(text, span, reason))

    def has(self, key: str) -> bool:
        return key in self.by_key


@dataclass(eq=False)
class PCell:
    """A printed cell of a published table."""

    text: str
    rowspan: int = 1
    colspan: int = 1
    reason: Optional[str] = None    # set by a reader that cannot vouch for the text (OCR)
    col: Optional[int] = None       # the column it starts in, when the reader knows it (PDF geometry)

    def __post_init__(self):
        self.core = core(self.text)
        self.is_label = bool(self.core) and not figure_like(self.text)


def _row_leaf(labels: list[PCell], claims: Claims) -> tuple[Optional[str], Optional[PCell]]:
    """The rightmost label that names a row of the format: (leaf core, its cell)."""
    for cell in reversed(labels):
        leaf = match_leaf(cell.core, [k for k in _layout.ROW_LEAVES if k])
        if leaf:
            if norm(cell.text).lstrip("0123456789.、()（）一二三四五六七八九十") .startswith("规范性文件"):
                claims.aliases.add("规范性文件")
            return leaf, cell
    return None, None


@lru_cache(maxsize=1)
def _column_words() -> frozenset:
    """Cores of the format's column headers (自然人 … 其他, 总计, 本年制发件数 …), built on first use."""
    return frozenset({t.col_leaf for t in _layout.TARGETS} | {c for t in _layout.TARGETS for c in t.col_context})


def _bare_column_word(cell: PCell, words: frozenset) -> bool:
    """A label that is a column header and nothing more: 其他, 总计 — not 3.其他 or （七）总计, whose
    numbering says they head rows."""
    return cell.core in words and not numbered(cell.text)


def _first_figure_row(grid: dict, n_rows: int, n_cols: int) -> int:
    """The first row holding a printed figure (or a printed blank such as "—"): the rows above it
    are the table's header band."""
    for r in range(n_rows):
        cells = (grid.get((r, c)) for c in range(n_cols))
        if any(x is not None and x.text.strip() and figure_like(x.text) for x in cells):
            return r
    return n_rows


def _column_target(chain: list[PCell], candidates: list[Target]) -> Optional[Target]:
    if not chain:
        return None
    leaf = match_leaf(chain[0].core, {t.col_leaf for t in candidates})
    hits = [t for t in candidates if t.col_leaf == leaf] if leaf else []
    if len(hits) <= 1:
        return hits[0] if hits else None
    context = {c.core for c in chain[1:]}
    scored = sorted(((len(t.col_context & context), t) for t in hits), key=lambda x: -x[0])
    if scored[0][0] > scored[1][0]:
        return scored[0][1]
    return None


def positional(candidates: list[Target], n: int, prefer: Optional[str] = None) -> Optional[list[Target]]:
    """The row's targets in print order when the row has exactly their number of figures.

    Table 二 has three columns in both formats but different ones: without the headers (or
    other evidence, ``prefer``) the columns cannot be told apart, and nothing is taken.
    """
    options = {}
    for layout in ("2021", "2019"):
        row = sorted((t for t in candidates if t.layout in (layout, "both")), key=lambda t: t.order)
        if row and len(row) == n:
            options[layout] = row
    if len({tuple(t.key for t in row) for row in options.values()}) == 1:
        return next(iter(options.values()))
    return options.get(prefer) if prefer else None


def read_table(rows: list[list[PCell]], claims: Claims) -> int:
    """Claim the cells of one published table; returns how many targets it claimed.

    A table far larger than any of the format's (by rows × columns once spans are laid out)
    is not one of them and is skipped, so a hostile span cannot make the work quadratic."""
    if sum(min(x.rowspan, 1 + len(rows)) * x.colspan for row in rows for x in row) > MAX_GRID_CELLS:
        claims.unplaced.append(f"一个 {len(rows)} 行的表格展开后超过 {MAX_GRID_CELLS} 格，不是年报表格，未读")
        return 0
    grid, n_rows, n_cols = expand(rows)
    before = sum(len(v) for v in claims.by_key.values())
    is_label = lambda cell: cell.is_label  # noqa: E731
    known, row_leaves = _layout.KNOWN_LABELS, _layout.ROW_LEAVES  # looked up once, not per cell
    words, band = _column_words(), _first_figure_row(grid, n_rows, n_cols)
    for r in range(n_rows):
        row = [grid.get((r, c)) for c in range(n_cols)]
        distinct = [x for x in dict.fromkeys(row) if x is not None]
        labels = [x for x in distinct if x.is_label]
        # A row whose labels are all bare column headers (the header row "… 商业企业 … 其他 |  |" of a
        # markdown table that leaves merged cells empty) is not identified as a row of the format even
        # if its last label (其他, 总计) is also a row's name: in the header band it is a header row; below
        # it (a header repeated after a page break) its empty cells are not claimed as blanks.
        headers_only = bool(labels) and all(_bare_column_word(x, words) for x in labels)
        if headers_only and r < band:
            continue
        leaf, leaf_cell = _row_leaf(labels, claims)
        if leaf_cell is not None:
            last = max(c for c, x in enumerate(row) if x is leaf_cell)
        else:
            label_cols = [c for c, x in enumerate(row) if x is not None and x.is_label]
            last = max(label_cols) if label_cols else -1
        slots = [(c, x) for c, x in enumerate(row) if c > last and x is not None
                 and (not x.is_label or x.core not in known)]
        data = list(dict.fromkeys(x for _, x in slots))
        if not data:
            continue
        candidates = row_leaves.get(leaf, [])
        if not candidates:
            continue
        # 1. by the column headers above each figure
        claimed: dict[PCell, list[Target]] = {}
        for c, x in slots:
            target = _column_target(column_chain(grid, r, c, is_label, skip=x), candidates)
            if target is not None and target not in claimed.setdefault(x, []):
                claimed[x].append(target)
        all_targets = [t for ts in claimed.values() for t in ts]
        complete = all(claimed.get(x) for x in data) and len(all_targets) == len(set(all_targets))
        if not complete:
            # 2. by position, when the row has exactly the format's number of figures — not when
            # the reader placed the cells by geometry and some column of the row has no cell (a
            # border lost at a page break or margin): which figure is missing cannot be told
            holes = any(row[c] is None for c in range(last + 1, n_cols)) and any(x.col is not None for x in data)
            by_position = None if holes else positional(candidates, len(data))
            said = {t.layout for ts in claimed.values() for t in ts} - {"both"}
            if by_position is not None and said and said.isdisjoint({t.layout for t in by_position}):
                by_position = None      # the headers name the other format's columns
            if by_position is not None:
                claimed = {x: [t] for x, t in zip(data, by_position)}
            elif leaf_cell is not None:
                for x in data:
                    if not claimed.get(x) and not is_blank(x.text):
                        claims.unplaced.append(f"“{tidy(x.text)}”（行“{tidy(leaf_cell.text)}”）")
        for x, ts in claimed.items():
            if headers_only and is_blank(x.text):
                continue
            for t in dict.fromkeys(ts):
                claims.add(t.key, x.text, span=len(ts), reason=x.reason)
    return sum(len(v) for v in claims.by_key.values()) - before


def resolve(claims: Claims) -> tuple[dict[str, CellRead], dict[str, CellRead], list[CellRead]]:
    """(the 200 official cells, subtotal rows a site printed, 2019 cells without a 2021 place)."""
    official: dict[str, CellRead] = {}
    extra: dict[str, CellRead] = {}
    unmapped: list[CellRead] = []
    targets = _layout.OFFICIAL
    for key, t in {**targets, **{t.key: t for t in _layout.TARGETS if t.key not in targets}}.items():
        found = claims.by_key.get(key, [])
        cell = CellRead(key, t.row_label, t.column_label, "unread",
                        reason=claims.reasons.get(key, "报告中没有找到这一格"))
        if found:
            parsed = []
            for claim in found:
                status, value, reason = parse_figure(claim.text, t.decimal)
                if claim.reason and status != "unread":
                    status, value, reason = "unread", None, claim.reason
                if status == "read" and claim.span > 1:
                    status, value, reason = "unread", None, f"“{tidy(claim.text)}”合并跨 {claim.span} 栏，无法拆分"
                parsed.append((status, value, reason, claim.text))
            numbers = [p for p in parsed if p[0] == "read"]
            values = {p[1] for p in numbers}
            if len(values) == 1:
                status, value, reason, raw = numbers[0]
            elif len(values) > 1:
                status, value, raw = "unread", None, " / ".join(tidy(p[3]) for p in numbers)
                reason = f"多处数字互相矛盾：{raw}"
            elif any(p[0] == "unread" for p in parsed):
                status, value, reason, raw = next(p for p in parsed if p[0] == "unread")
            else:
                status, value, reason, raw = parsed[0]
            cell.status, cell.value, cell.reason, cell.raw = status, value, reason, tidy(raw)
        if key in targets:
            official[key] = cell
        elif found and key.startswith("legacy"):
            unmapped.append(cell)
        elif found:
            extra[key] = cell
    return official, extra, unmapped


