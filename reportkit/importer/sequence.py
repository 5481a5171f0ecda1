"""Flattened text read in sequence: each table's figures in reading order, aligned to the format.

Text copied from a page or extracted without layout (``pdftotext``, ``pdfplumber``) keeps a
table's figures in a reading order but loses their columns, and labels land before, between or
after the figures they name. The format's grids give each table's rows in order and each row's
number of figures, so a table whose text holds exactly the format's number of figures (for one
of its variants) can be aligned to it, in one of two ways the text itself tells apart:

* lines — no blank line parts two figures: each figure line continues the current row (cells one
  per line, or a row per line as ``pdfplumber`` and copied pages give it);
* blocks — blank lines part the figures (``pdftotext``'s blocks): consecutive figure lines are one
  column over several rows, and blocks of equal height side by side make a band of rows, filled
  column by column.

The alignment is used only when it is exact (every row full, no figure left over), every row label
found in the text stands where the alignment explains it (not before its band, and in lines mode
not after its row), and figures on a row label's own line fall in that row. In blocks, the order of
blocks side by side is ``pdftotext``'s guess: a band is taken only where its totals add up.
Otherwise nothing is claimed here and the cells keep the reason; the label-by-label reading
(:mod:`.flat`) still runs, and where both read a cell they must agree.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Optional

from .flat import legacy_columns, read_flat, row_named, tokens
from .grid import Claims
from .labels import core, figure_like, norm, parse_figure
from . import layout as _layout
from .layout import Target
from .text import section_heading

# Words that open each table (the first header cells), after the section heading.
_OPENERS = {"二": ("第二十条", "信息内容"), "三": ("申请人情况", "本年新收", "自然人"), "四": ("行政复议",)}
_PAGE_NUMBER = re.compile(r"^(?:[-—–－]\s*\d{1,4}\s*[-—–－]|第\d{1,4}页(?:共\d{1,4}页)?|\d{1,4}/\d{1,4})$")
COLUMN_MARK = "‖"         # stands for a column of figures in the label-by-label reading
_COMMA = re.compile(r"(?<!\d),|,(?!\d{3})")
_BRACKETED = re.compile(r"\([^()]*\)")


@dataclass
class _Block:
    lines: list[list[str]]        # figure lines, top to bottom
    start: int                    # figures before it in the table's text
    after_label: bool             # a label (not only blank lines) parts it from the block before


@dataclass
class _Table:
    name: str                     # 表二 …
    variants: list[list[list[Target]]]   # row lists the table may be printed as, each row its targets
    anchors: tuple = ()           # labels the text must hold when the rows have no labels (table 四)
    col_leaves: frozenset = frozenset()
    totals: bool = False          # every row has a total column (its items must add up to it)


@dataclass
class _Text:
    """A table's text: figure lines, labels with their positions, and blank lines."""

    items: list[tuple[str, object]] = field(default_factory=list)   # ("fig", [..]) | ("label", s) | ("blank", None)
    beside: dict[int, str] = field(default_factory=dict)    # figure item -> the label before it on its line

    @property
    def figures(self) -> int:
        return sum(len(v) for k, v in self.items if k == "fig")

    def blocks_mode(self) -> bool:
        """Whether blank lines part figures (``pdftotext``'s blocks) rather than labels only."""
        last, gap = None, False
        for kind, _ in self.items:
            if kind == "blank":
                gap = True
            elif kind == "label":
                last, gap = "label", False
            else:
                if last == "fig" and gap:
                    return True
                last, gap = "fig", False
        return False


def _rows(targets: list[Target]) -> list[list[Target]]:
    """Targets grouped into the rows of the grid, in print order."""
    rows: dict[str, list[Target]] = {}
    for t in targets:
        rows.setdefault(t.key.rsplit(".", 1)[0], []).append(t)
    return [sorted(r, key=lambda t: t.order) for r in rows.values()]


def _tables() -> dict[str, _Table]:
    targets = _layout.TARGETS
    proactive = _rows([t for t in targets if t.key.startswith("proactive.") and t.layout == "2021"])
    apps = _rows([t for t in targets if t.key.startswith("applications.") and t.layout != "2019"
                  and ".subtotal." not in t.key])
    single = _rows([t for t in targets if t.key.startswith("applications.other_handling.subtotal.")])
    first = next(i for i, r in enumerate(apps) if r[0].key.startswith("applications.other_handling."))
    last = max(i for i, r in enumerate(apps) if r[0].key.startswith("applications.other_handling."))
    one_row = apps[:first] + single + apps[last + 1:]        # （六）其他处理 as one row (2019 layout)
    by_key = {t.key: t for t in targets}
    review = [[by_key[k] for k in _layout.REVIEW_KEYS]]
    cols = lambda rows: frozenset(t.col_leaf for r in rows for t in r)  # noqa: E731
    return {"二": _Table("表二", [proactive]),
            "三": _Table("表三", [apps, one_row], col_leaves=cols(apps), totals=True),
            "四": _Table("表四", [review], anchors=(core("行政复议"), core("行政诉讼")))}


def _headings(lines: list[str]) -> dict[str, int]:
    """The line of each section heading 一…六, in order."""
    heads: dict[str, int] = {}
    order = "一二三四五六"
    for i, line in enumerate(lines):
        n = section_heading(line) if any(ch in line[:4] for ch in order) else None
        if n and n not in heads and all(order.index(n) > order.index(m) for m in heads):
            heads[n] = i
    return heads


def _regions(lines: list[str], heads: dict[str, int]) -> dict[str, range]:
    """Each table's lines: from its first header word after its section heading up to the first
    line of prose or the next table's first header word (``pdftotext`` can put the next section's
    heading among a table's last figures, so a heading alone does not end a table)."""
    order = "一二三四五六"
    starts: dict[str, int] = {}
    for n, openers in _OPENERS.items():
        if n not in heads:
            continue
        limit = next((heads[m] for m in order[order.index(n) + 1:] if m in heads), len(lines))
        start = next((i for i in range(heads[n] + 1, limit)
                      if any(w in norm(lines[i]) for w in openers) and not _prose(lines[i])), None)
        if start is not None:
            starts[n] = start
    out = {}
    names = list(starts)
    for k, n in enumerate(names):
        end = starts[names[k + 1]] if k + 1 < len(names) else heads.get("六", len(lines))
        end = end if end > starts[n] else len(lines)
        out[n] = range(starts[n], next((i for i in range(starts[n], end) if _prose(lines[i])), end))
    return out


def _prose(line: str) -> bool:
    """A line of running text: a table's labels have no 。 or ；, and a ， only inside brackets
    (after NFKC a full-width ， is "," and ； is ";"; a "," between digits is a figure's)."""
    t = _BRACKETED.sub("", norm(line))
    return "。" in t or ";" in t or (bool(_COMMA.search(t)) and "(" not in t and ")" not in t)


def _text_of(lines: list[str]) -> _Text:
    text = _Text()
    for line in lines:
        if not line or _PAGE_NUMBER.match(norm(line)):
            if line:
                continue        # a page number between the rows of a table is not one of its figures
            text.items.append(("blank", None))
            continue
        run: list[str] = []
        label = ""
        for token in tokens([line]):
            if figure_like(token):
                if label:
                    text.items.append(("label", label))
                    text.beside[len(text.items)] = label
                    label = ""
                run.append(token)
            else:
                if run:
                    text.items.append(("fig", run))
                    run = []
                label += token
        if label:
            text.items.append(("label", label))
        if run:
            text.items.append(("fig", run))
    return text


def _blocks(text: _Text, blocks_mode: bool) -> list[_Block]:
    out: list[_Block] = []
    pos, current, parted, labelled = 0, None, True, False
    for kind, value in text.items:
        if kind == "fig":
            if current is not None and blocks_mode and not parted:
                current.lines.append(value)
            else:
                current = _Block([value], pos, labelled)
                out.append(current)
                labelled = False
            pos += len(value)
            parted = False
        else:
            parted = True
            labelled = labelled or kind == "label"
    return out


def _align(text: _Text, rows: list[list[Target]], blocks_mode: bool):
    """[(target, printed figure)] and each row's band (first figure, after last), or the reason."""
    placed: list[tuple[Target, str]] = []
    bands: dict[int, tuple[int, int]] = {}
    i = c = height = width = band_start = 0
    for b in _blocks(text, blocks_mode):
        h, ks = len(b.lines), {len(line) for line in b.lines}
        if len(ks) != 1:
            return None, None, "同一列中各行数字个数不同"
        k = ks.pop()
        if c == 0:                      # a new band of h rows
            if i + h > len(rows) or len({len(rows[r]) for r in range(i, i + h)}) != 1:
                return None, None, f"第 {i + 1} 行起的 {h} 行数字对不上格式的行"
            height, width, band_start = h, len(rows[i]), b.start
        elif h != height or (h > 1 and b.after_label):
            return None, None, f"第 {i + 1} 行起的数字块高低不齐"
        if c + k > width:
            return None, None, f"第 {i + 1} 行的数字多于格式的 {width} 栏"
        for r, line in enumerate(b.lines):
            placed += [(rows[i + r][c + x], figure) for x, figure in enumerate(line)]
        c += k
        if c == width:
            for r in range(i, i + height):
                bands[r] = (band_start, b.start + h * k)
            i, c = i + height, 0
    if i != len(rows) or c:
        return None, None, "数字没有填满格式的行"
    return placed, bands, None


def _row_of(label: str, leaves: dict[str, int], col_leaves: frozenset) -> Optional[int]:
    leaf = row_named(label, leaves, col_leaves)
    return leaves[leaf] if leaf else None


def _labels_agree(text: _Text, rows, bands, placed, table: _Table, blocks_mode: bool) -> Optional[str]:
    """None when every row label stands where the alignment explains it, and figures on a row
    label's line fall in that row; else what disagrees."""
    labels = [v for k, v in text.items if k == "label"]
    if table.anchors:
        joined = "".join(core(x) for x in labels)
        return None if all(a in joined for a in table.anchors) else "表头不全"
    leaves = {r[0].row_leaf: i for i, r in enumerate(rows) if r[0].row_leaf}
    row_of_key = {t.key: i for i, row in enumerate(rows) for t in row}
    seen = set()
    pos = 0
    for i, (kind, value) in enumerate(text.items):
        if kind == "fig":
            r = _row_of(text.beside[i], leaves, table.col_leaves) if i in text.beside else None
            if r is not None and any(row_of_key[t.key] != r for t, _ in placed[pos:pos + len(value)]):
                return f"行名“{text.beside[i]}”同一行的数字被排到了别的行"
            pos += len(value)
        elif kind == "label":
            r = _row_of(value, leaves, table.col_leaves)
            if r is None:
                continue
            first, after = bands[r]
            # in blocks, a label centred over two lines can stand among the figures of the row
            # above; allowed (by less than a row) only where the totals check every band (table 三)
            slack = len(rows[r]) - 1 if blocks_mode and table.totals else 0
            if pos < first - slack or (not blocks_mode and pos > after):
                return f"行名“{value}”不在它的数字旁"
            seen.add(r)
    if 2 * len(seen) < len(rows):
        return f"只找到 {len(seen)} 个行名（共 {len(rows)} 行）"
    return None


def _legacy(lines: list[str]) -> bool:
    """Table 二 with the 2019 format's column headers."""
    cols = legacy_columns()
    return any(c in core(line) for line in lines for c in cols)


def read_text_tables(lines: list[str], claims: Claims) -> int:
    """Claim the figures of a flattened text's tables: in sequence where they align with the
    format (:func:`read_sequence`), then label by label (:func:`.flat.read_flat`; where both read
    a cell they must agree). ``lines`` keep their blank lines. Returns the figures claimed."""
    heads = _headings(lines)
    regions = _regions(lines, heads)
    return _in_sequence(lines, regions, claims) + read_flat(_label_lines(lines, heads, regions), claims)


def read_sequence(lines: list[str], claims: Claims) -> int:
    """Claim the figures of tables 二, 三, 四 where the text's figures align with the format.

    ``lines`` are the text's lines with blank lines kept (they tell ``pdftotext``'s blocks).
    Returns how many figures were claimed."""
    return _in_sequence(lines, _regions(lines, _headings(lines)), claims)


def _in_sequence(lines: list[str], regions: dict[str, range], claims: Claims) -> int:
    n = 0
    tables = _tables()
    for name, span in regions.items():
        table = tables[name]
        body = lines[span.start:span.stop]
        if name == "二" and _legacy(body):
            continue
        text = _text_of(body)
        blocks_mode = text.blocks_mode()
        fits = [rows for rows in table.variants if sum(map(len, rows)) == text.figures]
        if not fits:
            counts = " 或 ".join(str(sum(map(len, rows))) for rows in table.variants)
            _unread(claims, table, f"{table.name}的文字中有 {text.figures} 个数字，格式要求 {counts} 个，"
                                   "无法按顺序对应")
            continue
        rows = fits[0]
        placed, bands, why = _align(text, rows, blocks_mode)
        if placed is not None:
            why = _labels_agree(text, rows, bands, placed, table, blocks_mode)
        if why:
            _unread(claims, table, f"{table.name}的数字无法按顺序对应：{why}")
            continue
        unsure = _totals_disagree(placed, bands, rows, table) if blocks_mode else {}
        for target, figure in placed:
            if target.key in unsure:
                claims.reasons.setdefault(target.key, unsure[target.key])
                continue
            claims.add(target.key, figure)
            n += 1
    return n


def _totals_disagree(placed, bands, rows: list[list[Target]], table: _Table) -> dict[str, str]:
    """Where blocks stand side by side, their order is ``pdftotext``'s guess (it can put a block of
    the next group before a total): a band is taken only where each total printed in it equals the
    sum of its items. Returns the cells of the other bands, with the reason."""
    figure = {t.key: f for t, f in placed}
    out: dict[str, str] = {}
    for r, row in enumerate(rows):
        groups: dict[str, list[Target]] = {}
        for t in row:
            groups.setdefault(t.key.rsplit(".", 1)[0], []).append(t)
        for ts in groups.values():
            total = next((t for t in ts if t.key.endswith(".total")), None)
            if total is None:
                continue
            parsed = [parse_figure(figure[t.key], t.decimal) for t in ts]
            items = sum(v for (status, v, _), t in zip(parsed, ts) if t is not total and status != "unread")
            if all(status != "unread" for status, _, _ in parsed) and items == parsed[ts.index(total)][1]:
                continue
            cell = (total.column_label.replace(" / ", "的") if total.row_label == table.name
                    else f"“{total.row_label}”的{total.column_label}")
            why = (f"{table.name}按文字中的先后，{cell}“{figure[total.key]}”不等于各项之和 {items}："
                   "数字块的先后无法确认，未读")
            for rr, band in bands.items():
                if band == bands[r]:
                    out.update({t.key: why for t in rows[rr] if t.key not in out})
    return out


def _label_lines(lines: list[str], heads: dict[str, int], regions: dict[str, range]) -> list[str]:
    """The lines of sections 二 to 四 (the whole text if it has no headings) for the label-by-label
    reading (:func:`.flat.read_flat`), blank lines dropped. In a table whose blank lines part the
    figures, a run of figure lines is one column over several rows: it is replaced by a mark, so
    that no row label takes figures of other rows."""
    tables = [heads[n] for n in "二三四" if n in heads]
    first = min(tables, default=0)
    last = next((heads[n] for n in "五六" if n in heads and heads[n] > first), len(lines)) if tables else len(lines)
    last = max([last] + [span.stop for span in regions.values()])    # a heading 五 among table 四's figures
    column: set[int] = set()
    for span in regions.values():
        if not _text_of(lines[span.start:span.stop]).blocks_mode():
            continue
        run: list[int] = []
        for i in list(span) + [span.stop]:
            if i < span.stop and lines[i] and all(figure_like(t) for t in tokens([lines[i]])):
                run.append(i)
                continue
            column.update(run if len(run) > 1 else [])
            run = []
    out: list[str] = []
    for i in range(first, last):
        if i in column:
            if i - 1 not in column:
                out.append(COLUMN_MARK)
        elif lines[i]:
            out.append(lines[i])
    return out


def _unread(claims: Claims, table: _Table, why: str) -> None:
    for rows in table.variants:
        for row in rows:
            for t in row:
                claims.reasons.setdefault(t.key, why)
