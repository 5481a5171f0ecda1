"""Read a published annual report back into params data: HTML pages and flattened text.

A published report is matched against the official grids of :mod:`reportkit.tables` (the
same grids that print our own reports), so every label comes from the format spec:

* each official figure cell is a *target* — its key (``applications.new.natural_person``),
  the label of its row (the row header to its left) and of its column (the nearest
  header above it, plus the headers above that for table 四's groups);
* in a published ``<table>``, merged cells are expanded as a browser lays them out; a row is
  recognised by its rightmost label that matches a target row (leniently: whitespace,
  full-/half-width forms, numbering "1." / "1、", parenthetical notes, 规范性文件 for
  行政规范性文件), and each figure by the nearest column header above it — or, if the
  headers do not line up, by position when the row has exactly as many figures as the
  format;
* flattened text (tables copied as lines of numbers) is read as label runs followed by
  numbers; a row is only taken when it has exactly the format's number of figures.

Blank cells and "—", "/" count as 0 and are listed as blank; every figure that cannot be
read is listed with its row and column labels and stays ``None`` (``null`` in YAML): a figure
is never guessed. The older 2019 format (国办公开办函〔2019〕60号) is recognised; the cells it
shares with the 2021 format are imported, the others are listed as unmapped.
"""
from __future__ import annotations

import codecs
import datetime as dt
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Iterable, Optional, Union

import yaml

from .. import atomic, tables
from ..errors import ImportFailed
from ..model import BUREAU_ID
from ..spec import load_spec
from ..tables import Cell

SPEC = load_spec()
MAX_BYTES = 20 << 20

# --- normalising labels and figures ------------------------------------------------------
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


def parse_figure(text: str, decimal: bool = False) -> tuple[str, Union[int, Decimal, None], Optional[str]]:
    """('read', value, None) | ('blank', 0, None) | ('unread', None, reason)."""
    t = norm(text)
    if _BLANK.match(t):
        return "blank", (Decimal(0) if decimal else 0), None
    if re.search(r"\d[\s\u2028]*\u2028[\s\u2028]*\d", text):
        return "unread", None, f"一格中有几行数字：“{tidy(text.replace(_LINE, ' / '))}”"
    m = _NUMBER.match(t)
    if not m:
        return "unread", None, f"“{tidy(text)}”不是数字"
    sign, whole, frac = m.groups()
    digits = whole.replace(",", "") + ("." + frac if frac else "")
    if decimal:
        value = Decimal(sign + digits)
        return "read", value, None
    if frac and set(frac) != {"0"}:
        return "unread", None, f"“{tidy(text)}”不是整数"
    return "read", int(sign + whole.replace(",", "")), None


# --- the format's cells: targets built from the official grids --------------------------
@dataclass(frozen=True)
class Target:
    """One figure cell of the format, described by its labels."""

    key: str                       # proactive.regulations.issued, legacy2019.procurement.amount …
    row_label: str                 # the official row label (nearest), e.g. 1.属于国家秘密
    column_label: str              # the official column label, e.g. 自然人 or 行政复议 / 结果维持
    row_leaf: Optional[str]        # core of the row label; None for table 四
    col_leaf: str                  # core of the column label
    col_context: frozenset         # cores of the headers above the column label
    order: int                     # position within its row
    layout: str = "both"           # "2021", "2019" or "both"
    decimal: bool = False


def _expand(rows: list[list], span=lambda c: (c.rowspan, c.colspan)) -> tuple[dict, int, int]:
    """Expand rowspan/colspan as a browser does: {(row, col): cell}, n_rows, n_cols."""
    grid: dict[tuple[int, int], object] = {}
    n_rows = len(rows)
    for r, row in enumerate(rows):
        c = 0
        for cell in row:
            while (r, c) in grid:
                c += 1
            rs, cs = span(cell)
            for dr in range(min(rs, max(1, n_rows - r))):
                for dc in range(cs):
                    grid[(r + dr, c + dc)] = cell
            c += cs
    n_cols = max((c for _, c in grid), default=-1) + 1
    return grid, n_rows, n_cols


def _column_chain(grid, r: int, c: int, is_label, skip=None) -> list:
    """Label cells above (r, c) in column c, nearest first, each once."""
    chain: list = []
    for rr in range(r - 1, -1, -1):
        cell = grid.get((rr, c))
        if cell is None or cell is skip or cell in chain or not is_label(cell):
            continue
        chain.append(cell)
    return chain


def _targets_of(grid_rows: list[list[Cell]], layout: str = "both", row_name: str = "") -> list[Target]:
    """Every figure cell of an official grid with the labels a reader sees: the row header to
    its left and the nearest column header above it (the same reading applied to published tables)."""
    grid, n_rows, n_cols = _expand(grid_rows)
    out: list[Target] = []
    is_label = lambda cell: cell.header and core(cell.text) != ""  # noqa: E731
    for r in range(n_rows):
        row_cells = [grid.get((r, c)) for c in range(n_cols)]
        seen: list = []
        order = 0
        for c, cell in enumerate(row_cells):
            if cell is None or cell in seen:
                continue
            seen.append(cell)
            if not cell.key:
                continue
            labels = [x for x in dict.fromkeys(row_cells[:c]) if x is not None and is_label(x)]
            chain = _column_chain(grid, r, c, is_label, skip=cell)
            row_label = labels[-1].text if labels else None
            col = chain[0].text if chain else ""
            context = [x.text for x in chain[1:] if core(x.text)]
            shown = " / ".join([x for x in context[:1] if core(x) in _GROUP_CORES] + [col])
            out.append(Target(cell.key, row_label or row_name, shown, core(row_label) if row_label else None,
                              core(col), frozenset(core(x) for x in context), order, layout,
                              decimal=cell.key.endswith(".amount")))
            order += 1
    return out


_GROUP_CORES = {core(g.label.split(" / ")[-1]) for g in SPEC.review_groups} | \
               {core(g.label.split(" / ")[0]) for g in SPEC.review_groups}

# The 2019 format's table 二. The format file describes it in a comment only, so its labels are
# typed here once; rows shared with 2021 take their labels from the spec. 本年新制作数量 and
# 处理决定数量 mean the same as 2021's 本年制发件数 and 本年处理决定数量 and are imported as such.
LEGACY_2019_BLOCKS = [
    ("第二十条第（一）项", ["本年新制作数量", "本年新公开数量", "对外公开总数量"],
     ["regulations", "normative_documents"], {"本年新制作数量": "issued"}),
    ("第二十条第（五）项", ["上一年项目数量", "本年增/减", "处理决定数量"],
     ["licensing", ("other_services", "其他对外管理服务事项")], {"处理决定数量": "count"}),
    ("第二十条第（六）项", ["上一年项目数量", "本年增/减", "处理决定数量"],
     ["penalty", "enforcement"], {"处理决定数量": "count"}),
    ("第二十条第（八）项", ["上一年项目数量", "本年增/减"], ["fees"], {}),
    ("第二十条第（九）项", ["采购项目数量", "采购总金额"], [("procurement", "政府集中采购")], {}),
]
_LEGACY_COLS = {"本年新制作数量": "made", "本年新公开数量": "published", "对外公开总数量": "published_total",
                "上一年项目数量": "items_last_year", "本年增/减": "items_change", "处理决定数量": "decisions",
                "采购项目数量": "procurement_items", "采购总金额": "procurement_amount"}


def _legacy_proactive_grid() -> list[list[Cell]]:
    labels = {r.key: r.label for r in SPEC.proactive_rows}
    content = SPEC.proactive[0].columns[0]  # 信息内容
    grid: list[list[Cell]] = []
    for title, columns, rows, shared in LEGACY_2019_BLOCKS:
        grid.append([Cell(title, header=True, colspan=4)])
        spans = [1] * len(columns)
        spans[-1] += 3 - len(columns)
        grid.append([Cell(content, header=True)] + [Cell(c, header=True, colspan=s) for c, s in zip(columns, spans)])
        for row in rows:
            key, label = row if isinstance(row, tuple) else (row, labels[row])
            cells = [Cell(label, header=True)]
            for col, s in zip(columns, spans):
                cells.append(Cell("", colspan=s, key=f"proactive.{key}.{shared[col]}"
                                  if col in shared and key in labels else f"legacy2019.{key}.{_LEGACY_COLS[col]}"))
            grid.append(cells)
    return grid


def _subtotal_targets() -> list[Target]:
    """Rows some sites add (and the 2019 format's single row （六）): a group's own figures."""
    out = []
    for group in SPEC.outcome_groups:
        for i, col in enumerate(SPEC.app_columns):
            out.append(Target(f"applications.{group.key}.subtotal.{col.key}", group.label, col.label,
                              core(group.label), core(col.label), frozenset({core(SPEC.app_column_header),
                                                                             core(col.group or "")}) - {""},
                              i, "both"))
    return out


def _build_targets() -> list[Target]:
    targets = (_targets_of(tables.proactive_grid(None), "2021")
               + _targets_of(tables.applications_grid(None))
               + _targets_of(tables.review_grid(None), row_name="表四")
               + _targets_of(_legacy_proactive_grid(), "2019")
               + _subtotal_targets())
    return targets


TARGETS: list[Target] = _build_targets()
_GRID_KEYS = [c.key for grid in (tables.proactive_grid(None), tables.applications_grid(None),
                                 tables.review_grid(None)) for row in grid for c in row if c.key]
OFFICIAL: dict[str, Target] = {k: next(t for t in TARGETS if t.key == k and t.layout != "2019")
                               for k in _GRID_KEYS}
ROW_LEAVES: dict[Optional[str], list[Target]] = {}
for _t in TARGETS:
    ROW_LEAVES.setdefault(_t.row_leaf, []).append(_t)
KNOWN_LABELS = {t.row_leaf for t in TARGETS if t.row_leaf} | {t.col_leaf for t in TARGETS} | \
    {c for t in TARGETS for c in t.col_context}
REVIEW_KEYS = [t.key for t in TARGETS if t.key.startswith("review_litigation.")]


def _match_leaf(label_core: str, leaves: Iterable[str]) -> Optional[str]:
    """The leaf equal to ``label_core``; else the only one it is a prefix of / starts with."""
    leaves = [x for x in leaves if x]
    if label_core in leaves:
        return label_core
    if len(label_core) < 4:
        return None
    hits = [x for x in leaves if len(x) >= 4 and len(label_core) <= 2 * len(x) + 10
            and (x.startswith(label_core) or label_core.startswith(x) or x.endswith(label_core))]
    return hits[0] if len(hits) == 1 else None


# --- what was read ------------------------------------------------------------------------
@dataclass
class CellRead:
    """One figure cell: its status and, for messages, the official labels."""

    key: str
    row: str
    column: str
    status: str                         # read | blank | unread
    value: Union[int, Decimal, None] = None
    raw: Optional[str] = None
    reason: Optional[str] = None

    def where(self) -> str:
        return f"{self.row} × {self.column}"


def _grouped(cells: list[CellRead], by) -> dict[tuple[str, str], list[CellRead]]:
    """Cells of the same row with the same text or reason, for a short listing."""
    out: dict[tuple[str, str], list[CellRead]] = {}
    for c in cells:
        out.setdefault((c.row, by(c) or ""), []).append(c)
    return out


@dataclass
class ImportReport:
    """What an import found: the format, and every cell that was blank or could not be read."""

    source: str
    kind: str                           # html | text
    encoding: str
    format: str = "2021"
    deviations: list[str] = field(default_factory=list)
    cells: dict[str, CellRead] = field(default_factory=dict)     # the 200 official cells
    extra: dict[str, CellRead] = field(default_factory=dict)     # subtotal rows a site printed
    unmapped: list[CellRead] = field(default_factory=list)       # 2019 cells without a 2021 place
    missing_text: list[str] = field(default_factory=list)        # text figures not found
    notes: list[str] = field(default_factory=list)

    @property
    def read(self) -> list[CellRead]:
        return [c for c in self.cells.values() if c.status == "read"]

    @property
    def blank(self) -> list[CellRead]:
        return [c for c in self.cells.values() if c.status == "blank"]

    @property
    def unread(self) -> list[CellRead]:
        return [c for c in self.cells.values() if c.status == "unread"]

    @property
    def complete(self) -> bool:
        return not self.unread and not self.missing_text

    def lines(self) -> list[str]:
        """The report as printed by ``reportkit import``."""
        out = [f"格式：{self.format} 年格式" + (f"（{'；'.join(self.deviations)}）" if self.deviations else "")
               + f"；{'网页' if self.kind == 'html' else '文本'}，编码 {self.encoding}",
               f"表格数字 {len(self.cells)} 个：读出 {len(self.read)} 个，空白按 0 计 {len(self.blank)} 个，"
               f"未能读出 {len(self.unread)} 个"
               + (f"；2019 年格式中无法对应的 {len(self.unmapped)} 个" if self.unmapped else "")]
        for (row, _), cells in _grouped(self.blank, lambda c: "").items():
            kinds = "".join(dict.fromkeys(f"“{c.raw}”" if c.raw else "（空）" for c in cells))
            out.append(f"  空白 {row} × {'、'.join(c.column for c in cells)}：{kinds}按 0 计")
        for (row, reason), cells in _grouped(self.unread, lambda c: c.reason).items():
            out.append(f"  未读出 {row} × {'、'.join(c.column for c in cells)}：{reason}")
        for c in self.unmapped:
            out.append(f"  无法对应 {c.where()}：{c.raw or '（空）'}")
        for text in self.missing_text:
            out.append(f"  未读出 {text}")
        out += [f"  说明 {n}" for n in self.notes]
        return out


@dataclass
class ReportText:
    """The report's text outside the tables: title, preamble, sections 一…六, signature."""

    title: Optional[str]
    lines: list[str]
    sections: dict[str, list[str]] = field(default_factory=dict)
    preamble: list[str] = field(default_factory=list)
    signature: list[str] = field(default_factory=list)
    facts: set = field(default_factory=set)          # generated sentences (our own reports)

    def section_text(self, n: str) -> str:
        return "\n".join(self.sections.get(n, []))


@dataclass
class Imported:
    """One published report read back: params data, registry entry and the import report."""

    source: str
    issuer: str
    year: int
    bureau_id: str
    bureau: dict
    params: dict
    values: dict[str, Union[int, Decimal, None]]
    report: ImportReport
    text: ReportText
    title_year: Optional[int] = None


# --- decoding ------------------------------------------------------------------------------
_GBK_NAMES = {"gb2312", "gbk", "gb_2312-80", "gb18030", "x-gbk", "cp936", "euc-cn"}


def decode(data: bytes, source: str) -> tuple[str, str]:
    """Text and a description of its encoding: BOM, valid UTF-8, the declared charset, GBK."""
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8", errors="replace"), "UTF-8 (BOM)"
    for bom, enc in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            return data[2:].decode(enc, errors="replace"), "UTF-16"
    m = re.search(rb"""charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", data[:8192], re.I)
    declared = m.group(1).decode("ascii").lower() if m else None
    try:
        return data.decode("utf-8"), "UTF-8" + (f"（声明为 {declared}）" if declared and "utf" not in declared else "")
    except UnicodeDecodeError:
        pass
    order = []
    if declared:
        order.append("gb18030" if declared in _GBK_NAMES else declared)
    order.append("gb18030")
    for enc in order:
        try:
            text = data.decode(enc)
        except (UnicodeDecodeError, LookupError):
            continue
        name = "GBK" if enc == "gb18030" else enc
        return text, name + (f"（声明为 {declared}）" if declared else "（未声明）")
    raise ImportFailed("neither UTF-8 nor GBK text; cannot decode the file", file=source)


# --- reading tables -------------------------------------------------------------------------
@dataclass
class _Claim:
    text: str
    span: int = 1           # how many targets the same printed cell covers


class _Claims:
    """Printed cells claimed for each target; resolved into values at the end."""

    def __init__(self):
        self.by_key: dict[str, list[_Claim]] = {}
        self.unplaced: list[str] = []
        self.reasons: dict[str, str] = {}     # why a row's cells were not taken
        self.aliases: set = set()

    def add(self, key: str, text: str, span: int = 1):
        self.by_key.setdefault(key, []).append(_Claim(text, span))

    def has(self, key: str) -> bool:
        return key in self.by_key


def _own_rows(table) -> list[list]:
    rows = []
    for tr in table.find_all("tr"):
        if tr.find_parent("table") is not table:
            continue
        rows.append([td for td in tr.find_all(["td", "th"]) if td.find_parent("tr") is tr])
    return rows


def _span(el) -> tuple[int, int]:
    def one(name):
        m = re.match(r"\s*(\d+)", str(el.get(name, "1")))
        return min(max(int(m.group(1)) if m else 1, 1), 500)
    return one("rowspan"), one("colspan")


@dataclass(eq=False)
class _PCell:
    """A printed cell of a published table."""

    text: str
    rowspan: int = 1
    colspan: int = 1

    def __post_init__(self):
        self.core = core(self.text)
        self.is_label = bool(self.core) and not figure_like(self.text)


def _row_leaf(labels: list[_PCell], claims: _Claims) -> tuple[Optional[str], Optional[_PCell]]:
    """The rightmost label that names a row of the format: (leaf core, its cell)."""
    for cell in reversed(labels):
        leaf = _match_leaf(cell.core, [k for k in ROW_LEAVES if k])
        if leaf:
            if norm(cell.text).lstrip("0123456789.、()（）一二三四五六七八九十") .startswith("规范性文件"):
                claims.aliases.add("规范性文件")
            return leaf, cell
    return None, None


def _resolve_column(chain: list[_PCell], candidates: list[Target]) -> Optional[Target]:
    if not chain:
        return None
    leaf = _match_leaf(chain[0].core, {t.col_leaf for t in candidates})
    hits = [t for t in candidates if t.col_leaf == leaf] if leaf else []
    if len(hits) <= 1:
        return hits[0] if hits else None
    context = {c.core for c in chain[1:]}
    scored = sorted(((len(t.col_context & context), t) for t in hits), key=lambda x: -x[0])
    if scored[0][0] > scored[1][0]:
        return scored[0][1]
    return None


def _positional(candidates: list[Target], n: int, prefer: Optional[str] = None) -> Optional[list[Target]]:
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


def read_table(rows: list[list[_PCell]], claims: _Claims) -> int:
    """Claim the cells of one published table; returns how many targets it claimed."""
    grid, n_rows, n_cols = _expand(rows)
    before = sum(len(v) for v in claims.by_key.values())
    is_label = lambda cell: cell.is_label  # noqa: E731
    for r in range(n_rows):
        row = [grid.get((r, c)) for c in range(n_cols)]
        distinct = [x for x in dict.fromkeys(row) if x is not None]
        labels = [x for x in distinct if x.is_label]
        leaf, leaf_cell = _row_leaf(labels, claims)
        if leaf_cell is not None:
            last = max(c for c, x in enumerate(row) if x is leaf_cell)
        else:
            label_cols = [c for c, x in enumerate(row) if x is not None and x.is_label]
            last = max(label_cols) if label_cols else -1
        slots = [(c, x) for c, x in enumerate(row) if c > last and x is not None
                 and (not x.is_label or x.core not in KNOWN_LABELS)]
        data = list(dict.fromkeys(x for _, x in slots))
        if not data:
            continue
        candidates = ROW_LEAVES.get(leaf, [])
        if not candidates:
            continue
        # 1. by the column headers above each figure
        claimed: dict[_PCell, list[Target]] = {}
        for c, x in slots:
            target = _resolve_column(_column_chain(grid, r, c, is_label, skip=x), candidates)
            if target is not None and target not in claimed.setdefault(x, []):
                claimed[x].append(target)
        all_targets = [t for ts in claimed.values() for t in ts]
        complete = all(claimed.get(x) for x in data) and len(all_targets) == len(set(all_targets))
        if not complete:
            # 2. by position, when the row has exactly the format's number of figures
            by_position = _positional(candidates, len(data))
            if by_position is not None:
                claimed = {x: [t] for x, t in zip(data, by_position)}
            elif leaf_cell is not None:
                for x in data:
                    if not claimed.get(x) and not is_blank(x.text):
                        claims.unplaced.append(f"“{tidy(x.text)}”（行“{tidy(leaf_cell.text)}”）")
        for x, ts in claimed.items():
            for t in dict.fromkeys(ts):
                claims.add(t.key, x.text, span=len(ts))
    return sum(len(v) for v in claims.by_key.values()) - before


_CELL_BREAKS = {"br", "p", "div", "li"}


def _cell_text(el) -> str:
    """A cell's text, with a line mark where ``<br>`` or a paragraph breaks it."""
    from bs4 import CData, NavigableString

    parts = []
    for node in el.descendants:
        if type(node) in (NavigableString, CData):     # not comments, scripts, declarations
            parts.append(str(node))
        elif getattr(node, "name", None) in _CELL_BREAKS:
            parts.append(_LINE)
    return "".join(parts)


# --- flattened text --------------------------------------------------------------------------
_GLUED = re.compile(r"^(.*?[^\d.,\s])((?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)$")


def _tokens(lines: Iterable[str]) -> list[str]:
    out = []
    for line in lines:
        for token in unicodedata.normalize("NFKC", line).split():
            m = _GLUED.match(token)
            if m and not figure_like(token) and core(m.group(1)):
                out += [m.group(1), m.group(2)]
            else:
                out.append(token)
    return out


def read_flat(lines: list[str], claims: _Claims, only_missing: bool = False) -> int:
    """Claim figures from text where each table row is a label followed by its numbers."""
    segments: list[tuple[str, list[str]]] = []
    label, numbers = "", []
    for token in _tokens(lines):
        if figure_like(token):
            numbers.append(token)
        else:
            if numbers:
                segments.append((label, numbers))
                label, numbers = "", []
            label += token
    if numbers:
        segments.append((label, numbers))
    review = sorted((t for t in TARGETS if t.key in REVIEW_KEYS), key=lambda t: REVIEW_KEYS.index(t.key))
    legacy_cols = {core(c) for _, cols, _, _ in LEGACY_2019_BLOCKS for c in cols} - {core("处理决定数量")}
    current_cols = {t.col_leaf for t in TARGETS if t.key.startswith("proactive.") and t.layout == "2021"}
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
            leaf = max((k for k in ROW_LEAVES if k and text.endswith(k)), key=len, default=None)
            if leaf is None:
                continue
            row = _positional(ROW_LEAVES[leaf], len(numbers), prefer)
            if row is None:
                expected = sorted({len([t for t in ROW_LEAVES[leaf] if t.layout in (lay, "both")])
                                   for lay in ("2021", "2019")} - {0})
                if len(numbers) in expected:
                    why = "没有列名，无法判断是 2021 还是 2019 年格式的栏目"
                else:
                    why = (f"这一行有 {len(numbers)} 个数字，格式要求 {' 或 '.join(map(str, expected))} 个，"
                           "无法确定空白的位置")
                claims.unplaced.append(f"“{label[-24:]}”：{why}")
                for t in ROW_LEAVES[leaf]:
                    claims.reasons.setdefault(t.key, why)
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


# --- resolving claims into values ------------------------------------------------------------
def _resolve(claims: _Claims) -> tuple[dict[str, CellRead], dict[str, CellRead], list[CellRead]]:
    """(the 200 official cells, subtotal rows a site printed, 2019 cells without a 2021 place)."""
    official: dict[str, CellRead] = {}
    extra: dict[str, CellRead] = {}
    unmapped: list[CellRead] = []
    for key, t in {**OFFICIAL, **{t.key: t for t in TARGETS if t.key not in OFFICIAL}}.items():
        found = claims.by_key.get(key, [])
        cell = CellRead(key, t.row_label, t.column_label, "unread",
                        reason=claims.reasons.get(key, "报告中没有找到这一格"))
        if found:
            parsed = []
            for claim in found:
                status, value, reason = parse_figure(claim.text, t.decimal)
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
        if key in OFFICIAL:
            official[key] = cell
        elif found and key.startswith("legacy"):
            unmapped.append(cell)
        elif found:
            extra[key] = cell
    return official, extra, unmapped


# --- the report's text -------------------------------------------------------------------------
_SECTION_WORDS = {"一": ("总体情况", "概述", "总体"), "二": ("主动公开",), "三": ("收到和处理", "依申请"),
                  "四": ("行政复议", "行政诉讼"), "五": ("问题",), "六": ("其他需要报告", "其他事项", "其他")}
_HEADING = re.compile(r"^([一二三四五六])[、.]\s*(.{2,40})$")
_SUB = re.compile(r"^\(([一二三四五六七八九十])\)(.{1,24}?)(?:[。:]|$)")
_CN_DIGITS = {"〇": 0, "○": 0, "零": 0, "O": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
              "九": 9}
_DATE = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$|^(\d{4})[-./](\d{1,2})[-./](\d{1,2})$")
_CN_DATE = re.compile(r"^([〇○零O一二三四五六七八九]{4})年([一二三四五六七八九十]{1,3})月([一二三四五六七八九十]{1,3})日$")
_CHROME = re.compile(r"版权所有|Copyright|©|ICP备|网站标识码|公网安备|主办单位|承办单位|技术支持|网站地图|关于我们|"
                     r"联系我们|浏览次数|【打印】|【关闭】|分享到")
TITLE = re.compile(r"(?P<name>[^\s，。；：:、《》<>\-_|—»>【】\[\]]{2,60}?)(?P<year>(?:19|20)\d{2})年度?(?:本级)?"
                   r"(?:政府|政务)?信息公开(?:工作)?(?:年度)?报告")
TITLE_YEAR_FIRST = re.compile(r"(?P<year>(?:19|20)\d{2})年度?(?P<name>[^\s，。；：:、《》<>\-_|—»>]{2,60}?)"
                              r"(?:政府|政务)?信息公开(?:工作)?(?:年度)?报告")


def _cn_number(text: str) -> int:
    if "十" in text:
        tens, _, ones = text.partition("十")
        return (_CN_DIGITS.get(tens, 1) if tens else 1) * 10 + (_CN_DIGITS.get(ones, 0) if ones else 0)
    return _CN_DIGITS[text]


def parse_date(line: str) -> Optional[dt.date]:
    """A line that is only a date: 2023年1月11日, 2023-01-11 or 二〇二三年一月十一日."""
    t = norm(line)
    try:
        m = _DATE.match(t)
        if m:
            y, mo, d = (int(x) for x in (m.groups()[:3] if m.group(1) else m.groups()[3:]))
            return dt.date(y, mo, d)
        m = _CN_DATE.match(t)
        if m:
            y = int("".join(str(_CN_DIGITS[ch]) for ch in m.group(1)))
            return dt.date(y, _cn_number(m.group(2)), _cn_number(m.group(3)))
    except (ValueError, KeyError):
        return None
    return None


def parse_title(text: str) -> Optional[tuple[str, int]]:
    t = norm(text)
    m = TITLE.search(t)
    if m and not re.fullmatch(r"[\d年度]+", m.group("name")):
        name = m.group("name")
    else:
        m = TITLE_YEAR_FIRST.search(t)
        if not m:
            return None
        name = m.group("name")
    name = re.sub(r"^(?:关于|印发|首页|当前位置)+", "", name)
    return (name, int(m.group("year"))) if len(name) >= 2 else None


def section_heading(line: str) -> Optional[str]:
    m = _HEADING.match(norm(line))
    if not m:
        return None
    n, rest = m.groups()
    return n if any(w in rest for w in _SECTION_WORDS[n]) and len(rest) <= 30 else None


def structure(lines: list[str], title: Optional[str], facts: set = frozenset()) -> ReportText:
    """Split the body into preamble, sections 一…六 and signature."""
    start = 0
    if title:
        target = norm(title)
        for i, line in enumerate(lines):
            if target and target in norm(line):
                start = i + 1
                break
    text = ReportText(title, lines, facts=set(facts))
    order = "一二三四五六"
    current: Optional[str] = None
    for i in range(start, len(lines)):
        line = lines[i]
        n = section_heading(line)
        if n and (current is None or order.index(n) > order.index(current)):
            current = n
            text.sections[n] = []
            continue
        if current is None:
            text.preamble.append(line)
            continue
        if current == "六" and (parse_date(line) or _CHROME.search(line)):
            if text.sections["六"] and parse_date(line) and len(norm(text.sections["六"][-1])) <= 40 \
                    and not re.search(r"[。；，]", text.sections["六"][-1]):
                text.signature.append(text.sections["六"].pop())
            if parse_date(line):
                text.signature.append(line)
            break
        text.sections[current].append(line)
    return text


def _find_signature_date(text: ReportText) -> Optional[dt.date]:
    for line in text.signature:
        d = parse_date(line)
        if d:
            return d
    return None


_SUBSECTION_KEYS = [("proactive", ("主动公开",)), ("on_request", ("依申请",)), ("management", ("信息管理",)),
                    ("platform", ("平台",)), ("supervision", ("监督", "保障", "考核"))]


def _paragraphs_by_subsection(lines: list[str], keys, default: str, facts: set) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    current = default
    for line in lines:
        t = norm(line)
        m = _SUB.match(t)
        if m:
            words = m.group(2)
            key = next((k for k, ws in keys if any(w in words for w in ws)), None)
            if key:
                current = key
                rest = tidy(line)
                cut = re.match(r"^[（(][一二三四五六七八九十][)）][^。：:]{0,24}[。：:]", rest)
                rest = rest[cut.end():].strip() if cut else ""
                if rest:
                    out.setdefault(current, []).append(rest)
                continue
        if t in facts:
            continue
        out.setdefault(current, []).append(tidy(line))
    return out


_PLACEHOLDERS = {"无", "暂无", "无。", "本年度未报告需要整改的问题。", "本年度未报告改进措施。"}


def narrative_of(text: ReportText) -> dict:
    """Narrative fields from the text sections, where recognisable."""
    out: dict = {}
    one = _paragraphs_by_subsection(text.sections.get("一", []), _SUBSECTION_KEYS, "overview", text.facts)
    out.update({k: v for k, v in one.items() if v})
    five = _paragraphs_by_subsection(text.sections.get("五", []),
                                     [("problems", ("问题",)), ("improvements", ("改进", "整改", "措施", "计划"))],
                                     "problems", text.facts)
    for key in ("problems", "improvements"):
        items = [re.sub(r"^(?:\d{1,2}[.、．]|[一二三四五六七八九十]是[，,]?)\s*", "", p) for p in five.get(key, [])]
        items = [p for p in items if p and p not in _PLACEHOLDERS]
        if items:
            out[key] = items
    other = [tidy(p) for p in text.sections.get("六", []) if "信息处理费" not in p and norm(p) not in text.facts]
    if other:
        out["other"] = other
    order = ["overview", "proactive", "on_request", "management", "platform", "supervision",
             "problems", "improvements", "other"]
    return {k: out[k] for k in order if k in out}


_AMOUNT = r"(\d[\d,]*(?:\.\d+)?)"


def disclosed_of(text: ReportText) -> tuple[Optional[int], dict]:
    """主动公开…N条, and its itemised categories when listed (其中A n条、B m条)."""
    body = text_norm(text.section_text("一"))
    m = re.search(r"主动公开(?:政府)?信息(?:共计|共|合计)?" + r"(\d[\d,]*)条", body)
    if not m:
        return None, {}
    total = int(m.group(1).replace(",", ""))
    sentence = re.split(r"[。\n]", body[m.end():], maxsplit=1)[0]
    cats: dict = {}
    k = sentence.find("其中")
    if k >= 0:
        items = re.split(r"[、，,；;]", sentence[k + 2:])
        for item in items:
            im = re.fullmatch(r"(.{1,40}?)(\d[\d,]*)条", item)
            if not im:
                if cats:
                    break
                continue
            cats[im.group(1)] = int(im.group(2).replace(",", ""))
    return total, cats


FEE_NONE_NOTICES = re.compile(r"未(?:发出|出具|送达|产生|发生)[^。；]{0,12}?收费通知")
FEE_NONE = re.compile(r"未(?:收取|收缴|产生|涉及|发生)[^。；]{0,8}?信息处理费|不涉及[^。；]{0,4}?信息处理费|"
                      r"信息处理费[^。；\d]{0,8}?(?:0元|为0|为零|无)|无信息处理费")


def fees_of(text: ReportText) -> tuple[dict, list[str]]:
    """信息处理费 from section 六: notices, amount, collected (元); and what was not stated."""
    body = text_norm(text.section_text("六"))
    out: dict = {"notices": None, "amount": None, "collected": None}
    m = re.search(r"(?:发出|出具|送达)[^。；\d]{0,12}?收费通知(?:书)?(\d+)(?:件|份|次)", body)
    if m:
        out["notices"] = int(m.group(1))
    m = re.search(r"(?:金额合计|合计金额|通知金额|应收金额)[^。；\d]{0,6}?" + _AMOUNT + "元", body)
    if m:
        out["amount"] = Decimal(m.group(1).replace(",", ""))
    m = re.search(r"(?:实际收取|实收|收取信息处理费|收取费用)(?:共|合计|共计)?" + _AMOUNT + "元", body)
    if m:
        out["collected"] = Decimal(m.group(1).replace(",", ""))
    if FEE_NONE_NOTICES.search(body):
        out["notices"] = 0 if out["notices"] is None else out["notices"]
        out["amount"] = Decimal(0) if out["amount"] is None else out["amount"]
    if FEE_NONE.search(body):
        for k in out:
            if out[k] is None:
                out[k] = 0 if k == "notices" else Decimal(0)
    missing = [k for k, v in out.items() if v is None]
    return out, missing


def _website_contact(text: ReportText) -> tuple[Optional[str], list[str]]:
    pre = "\n".join(text.preamble)
    site = None
    m = re.search(r"(?:可在|可登录|在|于)([^，。；\s]{2,40}?(?:门户网站|网站|网))(?:查阅|下载|浏览|政府信息公开专栏|上)", pre)
    if m:
        site = m.group(1)
    contact = []
    m = re.search(r"联系[^（(。]{0,20}[（(]((?:[^（）()]|[（(][^（）()]*[）)])+)[）)]", pre)
    if m and re.search(r"(?:地址|电话|邮编)[:：]", m.group(1)):
        contact = [x.strip() for x in re.split(r"[；;]", m.group(1)) if x.strip()]
    else:
        for m in re.finditer(r"((?:地址|邮编|邮政编码|电话|联系电话|传真|电子邮箱|邮箱)[:：][^；;，。\n（）()]{2,60})", pre):
            contact.append(m.group(1).strip())
    return site, [c[:200] for c in contact[:6]]


# --- HTML --------------------------------------------------------------------------------------
_BLOCK_TAGS = ["p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "tr", "td", "th", "table", "section",
               "article", "header", "footer", "main", "ul", "ol", "dd", "dt", "dl", "blockquote", "pre", "hr",
               "caption", "figcaption", "figure", "center", "nav", "aside", "form", "title"]


def _html_title(soup) -> Optional[str]:
    candidates = []
    for tag in soup.find_all(["h1", "h2"]):
        candidates.append(tag.get_text(""))
    for tag in soup.find_all(attrs={"class": re.compile(r"title|bt|tit", re.I)}):
        candidates.append(tag.get_text(""))
    for tag in soup.find_all(attrs={"id": re.compile(r"title", re.I)}):
        candidates.append(tag.get_text(""))
    if soup.title:
        candidates.extend(re.split(r"\s*[-_|—]\s*", soup.title.get_text("")))
    for meta in soup.find_all("meta", attrs={"name": re.compile(r"^(ArticleTitle|title)$", re.I)}):
        candidates.append(meta.get("content", ""))
    for text in candidates:
        if len(norm(text)) <= 120 and parse_title(text):
            return tidy(text)
    return None


def _read_html(text: str, source: str, claims: _Claims) -> tuple[Optional[str], list[str], set]:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(text, "lxml")
    for tag in soup(["script", "style", "noscript", "template", "iframe", "select", "button", "svg"]):
        tag.decompose()
    title = _html_title(soup)
    facts = {norm(p.get_text("")) for p in soup.select(".facts")}
    data_tables = []
    for table in soup.find_all("table"):
        rows = [[_PCell(_cell_text(td), *_span(td)) for td in tr] for tr in _own_rows(table)]
        if rows and read_table(rows, claims) > 0:
            data_tables.append(table)
    for table in data_tables:
        if table.parent is not None and not any(p in data_tables for p in table.parents):
            table.replace_with("\n")
    for br in soup.find_all("br"):
        br.replace_with("\n")
    for tag in soup.find_all(_BLOCK_TAGS):
        tag.insert_before("\n")
        tag.insert_after("\n")
    body = soup.body or soup
    lines = [tidy(line) for line in body.get_text("").split("\n")]
    lines = [line for line in lines if line]
    if title is None:
        title = next((line for line in lines if len(norm(line)) <= 120 and parse_title(line)), None)
    return title, lines, facts


def looks_like_html(text: str) -> bool:
    return bool(re.search(r"<\s*(?:!doctype|html|body|table|div|p|head|meta)\b", text[:20000], re.I))


# --- the whole import ------------------------------------------------------------------------------
def bureau_id_for(name: str) -> str:
    """An ASCII id for an issuer named in Chinese: ``bureau-`` + 8 hex digits of its name."""
    return "bureau-" + hashlib.sha1(name.encode("utf-8")).hexdigest()[:8]


_PLACE = re.compile(r"^(.{1,20}?(?:自治区|自治州|自治县|特别行政区|省|市|盟|县|旗|区))")
_LOWER_PLACE = re.compile(r"^(.{2,10}?(?:自治县|县|区|旗|镇|乡|街道))")


def _bureau_entry(name: str, text: ReportText, lines: list[str]) -> dict:
    if name.endswith("人民政府"):
        government = name
    else:
        m = _PLACE.match(name)
        place = m.group(1) if m else ""
        lower = _LOWER_PLACE.match(name[len(place):]) if place else None
        if lower:
            place += lower.group(1)
        government = (place + "人民政府") if place else name
    last = name[-1]
    body = "\n".join(lines)
    counts = {w: body.count(w) for w in (f"我{last}", f"本{last}", "本机关", "我单位", "本单位")}
    best = max(counts, key=counts.get)
    entry = {"name": name, "self": best if counts[best] else "本机关", "government": government,
             "level": "county"}
    site, contact = _website_contact(text)
    if site:
        entry["website"] = site
    if contact:
        entry["contact"] = contact
    return entry


def read_bytes(data: bytes, source: str, *, year: Optional[int] = None, bureau: Optional[str] = None,
               registry: Optional[dict] = None) -> Imported:
    """Import one published report from its bytes; raises :class:`ImportFailed` if it is none."""
    if not data.strip():
        raise ImportFailed("the file is empty", file=source)
    if len(data) > MAX_BYTES:
        raise ImportFailed(f"file too large ({len(data)} bytes, at most {MAX_BYTES})", file=source)
    if data.startswith(b"%PDF"):
        raise ImportFailed("PDF files are not supported: save the report page as HTML, or its text as .txt",
                           file=source)
    if data.startswith(b"PK\x03\x04") or data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFailed("Word/Office files are not supported: save the report as HTML or text", file=source)
    text, encoding = decode(data, source)
    if "\x00" in text:
        raise ImportFailed("binary data, not a web page or text", file=source)
    claims = _Claims()
    kind = "html" if looks_like_html(text) else "text"
    if kind == "html":
        title, lines, facts = _read_html(text, source, claims)
    else:
        lines = [tidy(line) for line in text.splitlines()]
        lines = [line for line in lines if line]
        title = next((line for line in lines[:40] if len(norm(line)) <= 120 and parse_title(line)), None)
        facts = set()
    report_text = structure(lines, title, facts)
    missing_official = [k for k in OFFICIAL if not claims.has(k)]
    if missing_official:
        if kind == "text":
            region = []
            for n in ("二", "三", "四"):
                region += report_text.sections.get(n, [])
            read_flat(region or lines, claims)
        else:
            read_flat(lines, claims, only_missing=True)
    if not claims.by_key:
        raise ImportFailed("no table of the annual report format found (表二、三、四 not recognised)",
                           file=source)

    parsed = parse_title(title) if title else None
    if parsed is None and (year is None or (bureau is None or not registry or bureau not in registry)):
        raise ImportFailed("no title “<机关>YYYY年政府信息公开工作年度报告” found; pass --year and --bureau "
                           "(with the bureau in the registry)", file=source)
    entry = registry[bureau] if parsed is None else None
    issuer = parsed[0] if parsed else (entry["name"] if isinstance(entry, dict) else entry.name)
    title_year = parsed[1] if parsed else None
    the_year = int(year) if year is not None else title_year

    official, extra, unmapped = _resolve(claims)
    report = ImportReport(source, kind, encoding, cells=official, extra=extra, unmapped=unmapped)
    if any(claims.has(t.key) for t in TARGETS if t.layout == "2019" and t.key not in OFFICIAL):
        report.format = "2019"
        for key in ("proactive.regulations.repealed", "proactive.regulations.in_force",
                    "proactive.normative_documents.repealed", "proactive.normative_documents.in_force",
                    "proactive.fees.amount"):
            if not claims.has(key):
                report.cells[key].reason = "2019 年格式没有这一栏"
    single = [k for k in extra if k.startswith("applications.other_handling.subtotal")]
    items = [k for k in OFFICIAL if k.startswith("applications.other_handling.") and claims.has(k)]
    if single and not items:
        if report.format == "2021":
            report.deviations.append("（六）其他处理印为一行（2019 年格式），其下三项无数字")
        for k in OFFICIAL:
            if k.startswith("applications.other_handling.") and report.cells[k].status == "unread":
                report.cells[k].reason = "报告只有（六）其他处理一行（2019 年格式），没有分项"
        report.notes.append("（六）其他处理这一行读入 applications.other_handling.subtotal")
    for g in SPEC.outcome_groups:
        if g.key != "other_handling" and any(k.startswith(f"applications.{g.key}.subtotal") for k in extra):
            report.deviations.append(f"{g.label}有小计行")
    if "规范性文件" in claims.aliases and report.format == "2021":
        report.deviations.append("“规范性文件”代替“行政规范性文件”")
    for u in claims.unplaced:
        report.notes.append(f"未能归入格式的数字：{u}")
    if year is not None and title_year is not None and int(year) != title_year:
        report.notes.append(f"标题年份为 {title_year}，按 --year 记为 {year}")

    values = {k: c.value if c.status in ("read", "blank") else None for k, c in official.items()}
    for k, c in extra.items():
        values[k] = c.value if c.status in ("read", "blank") else None

    published = _find_signature_date(report_text)
    if published is None:
        m = re.search(r"(?:发布|成文)(?:日期|时间)[:：]\s*(\d{4})[-./年](\d{1,2})[-./月](\d{1,2})", "\n".join(lines))
        if m:
            published = dt.date(*(int(x) for x in m.groups()))
            report.notes.append("落款日期未找到，发布日期取自页面的发布时间")
    if published is None:
        report.missing_text.append("published：落款日期（如 2023年1月11日）未找到")
    total, categories = disclosed_of(report_text)
    if total is None:
        report.missing_text.append("disclosed.total：总体情况中“主动公开政府信息N条”未找到")
    fees, fee_missing = fees_of(report_text)
    for k in fee_missing:
        report.missing_text.append(f"processing_fees.{k}：其他需要报告的事项中信息处理费的{_FEE_WORDS[k]}未找到")

    registry = registry or {}
    bureau_id = bureau
    if bureau_id is None:
        bureau_id = next((k for k, v in registry.items()
                          if (v.get("name") if isinstance(v, dict) else getattr(v, "name", None)) == issuer), None)
        bureau_id = bureau_id or bureau_id_for(issuer)
    if not BUREAU_ID.match(bureau_id):
        raise ImportFailed("bureau id must be lower-case ASCII letters, digits and '-'", file=source,
                           field="--bureau", expected="e.g. shengzhou-wglj", found=bureau_id)
    entry = _bureau_entry(issuer, report_text, lines)
    params = build_params(values, published, total, categories, fees, narrative_of(report_text))
    return Imported(source, issuer, the_year, bureau_id, entry, params, values, report, report_text, title_year)


_FEE_WORDS = {"notices": "收费通知件数", "amount": "通知金额", "collected": "实际收取金额"}


def read_report(path: Union[str, Path], *, year: Optional[int] = None, bureau: Optional[str] = None,
                registry: Optional[dict] = None) -> Imported:
    """Import one published report file (HTML or text)."""
    path = Path(path)
    if not path.is_file():
        raise ImportFailed("file not found", file=str(path))
    return read_bytes(path.read_bytes(), str(path), year=year, bureau=bureau, registry=registry)


# --- params dict and YAML ---------------------------------------------------------------------------
def build_params(values: dict, published, total, categories, fees, narrative) -> dict:
    """The params mapping in the project's layout; ``None`` where a figure was not read."""
    def v(key):
        return values.get(key)

    proactive: dict = {}
    for row in SPEC.proactive_rows:
        if row.key in ("regulations", "normative_documents"):
            proactive[row.key] = {c: v(f"proactive.{row.key}.{c}") for c in ("issued", "repealed", "in_force")}
        else:
            proactive[row.key] = v(f"proactive.{row.key}.{'amount' if row.decimal else 'count'}")
    cols = [c.key for c in SPEC.app_columns]
    applications: dict = {}
    for path in SPEC.app_leaf_rows():
        figures = [v("applications." + ".".join(path) + f".{c}") for c in cols]
        if len(path) == 1:
            applications[path[0]] = figures
        else:
            applications.setdefault(path[0], {})[path[1]] = figures
    for group in SPEC.outcome_groups:
        sub = [v(f"applications.{group.key}.subtotal.{c}") for c in cols]
        if any(f"applications.{group.key}.subtotal.{c}" in values for c in cols):
            applications[group.key]["subtotal"] = sub
    review = {g.key: [v(f"review_litigation.{g.key}.{c.key}") for c in SPEC.review_columns]
              for g in SPEC.review_groups}
    return {
        "published": published,
        "disclosed": {"total": total, "categories": dict(categories)},
        "proactive": proactive,
        "applications": applications,
        "review_litigation": review,
        "processing_fees": fees,
        "narrative": narrative,
    }


def _scalar(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, Decimal):
        text = format(value.normalize(), "f") if value != value.to_integral_value() else str(int(value))
        try:
            exact = Decimal(repr(float(text))) == Decimal(text)
        except (InvalidOperation, ValueError):
            exact = False
        return text if exact else f'"{text}"'
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _flow(values: list) -> str:
    return "[" + ", ".join(_scalar(x) for x in values) + "]"


def _dump_block(data: dict, indent: int = 0) -> str:
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=10**6, default_flow_style=False)
    pad = " " * indent
    return "".join(pad + line + "\n" for line in text.splitlines())


def to_yaml(imp: Imported) -> str:
    """The params file text, laid out like ``params/2022/shengzhou-wglj.yaml``."""
    p, rep = imp.params, imp.report
    unread = {c.key: c for c in rep.cells.values() if c.status == "unread"}
    unread.update({c.key: c for c in rep.extra.values() if c.status == "unread"})

    def note(prefix: str) -> str:
        bad = [c for k, c in unread.items() if k.startswith(prefix + ".")]
        if not bad:
            return ""
        if all(c.reason == bad[0].reason for c in bad) and len(bad) > 1:
            return f"  # 未读出（{bad[0].reason}）"
        return "  # 未读出：" + "；".join(f"{c.column}：{c.reason}" for c in bad)

    out = [f"# {imp.issuer} {imp.year} 年政府信息公开工作年度报告 · 数据",
           f"# 由 reportkit import 从 {Path(imp.source).name} 读入（{rep.format} 年格式）。null 为报告中未能读出的数字，"
           "须核对原文后填写；",
           "# 空白、“—”、“/” 按 0 读入，见导入报告。",
           f"published: {_scalar(p['published'])}", ""]
    d = p["disclosed"]
    out.append("disclosed:            # 一、总体情况 中的主动公开条数")
    out.append(f"  total: {_scalar(d['total'])}")
    if d["categories"]:
        out.append("  categories:")
        out.append(_dump_block(d["categories"], 4).rstrip("\n"))
    out.append("")
    out.append("proactive:            # 二、主动公开政府信息情况")
    for key, value in p["proactive"].items():
        if isinstance(value, dict):
            inner = ", ".join(f"{k}: {_scalar(x)}" for k, x in value.items())
            out.append(f"  {key + ':':<20} {{{inner}}}" + note(f"proactive.{key}"))
        else:
            out.append(f"  {key}: {_scalar(value)}" + note(f"proactive.{key}"))
    out.append("")
    out.append("applications:         # 三、收到和处理政府信息公开申请情况")
    out.append("  # 自然人, 商业企业, 科研机构, 社会公益组织, 法律服务机构, 其他, 总计")
    for key, value in p["applications"].items():
        if isinstance(value, dict):
            out.append(f"  {key}:")
            width = max(len(k) for k in value) + 1
            for sub, figures in value.items():
                out.append(f"    {sub + ':':<{width}} {_flow(figures)}" + note(f"applications.{key}.{sub}"))
        else:
            out.append(f"  {key + ':':<17} {_flow(value)}" + note(f"applications.{key}"))
    out.append("")
    out.append("review_litigation:    # 四、行政复议、行政诉讼：结果维持, 结果纠正, 其他结果, 尚未审结, 总计")
    for key, value in p["review_litigation"].items():
        out.append(f"  {key + ':':<24} {_flow(value)}" + note(f"review_litigation.{key}"))
    out.append("")
    out.append("processing_fees:      # 六、信息处理费（元）")
    for key, value in p["processing_fees"].items():
        out.append(f"  {key}: {_scalar(value)}")
    if p["narrative"]:
        out.append("")
        out.append(_dump_block({"narrative": p["narrative"]}).rstrip("\n"))
    return "\n".join(out) + "\n"


def registry_entry_yaml(imp: Imported) -> str:
    return (f"\n# 由 reportkit import 从 {Path(imp.source).name} 加入；government、level 由名称推断，请核对。\n"
            + _dump_block({imp.bureau_id: imp.bureau}))


def write(imp: Imported, out_dir: Union[str, Path]) -> tuple[Path, bool]:
    """Write ``DIR/<year>/<id>.yaml`` and add the issuer to ``DIR/bureaus.yaml``.

    Returns the year file and whether the registry gained an entry.
    """
    out_dir = Path(out_dir)
    registry_file = out_dir / "bureaus.yaml"
    existing = load_registry_loose(registry_file)
    entry = existing.get(imp.bureau_id)
    if isinstance(entry, dict) and entry.get("name") and entry["name"] != imp.issuer:
        raise ImportFailed(f"bureau id '{imp.bureau_id}' already names {entry['name']} in {registry_file}",
                           file=imp.source, field="--bureau", expected=imp.issuer, found=entry["name"])
    added = False
    if imp.bureau_id not in existing:
        head = registry_file.read_text(encoding="utf-8") if registry_file.is_file() else \
            "# 机关名录：ASCII id → 机关信息。每个 id 对应 <年份>/<id>.yaml。\n"
        if head and not head.endswith("\n"):
            head += "\n"
        atomic.write_text(registry_file, head + registry_entry_yaml(imp))
        added = True
    target = out_dir / str(imp.year) / f"{imp.bureau_id}.yaml"
    atomic.write_text(target, to_yaml(imp))
    return target, added


def load_registry_loose(path: Path) -> dict:
    """The registry as plain data (to reuse ids and avoid clashes); {} when there is none."""
    if not Path(path).is_file():
        return {}
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ImportFailed(f"cannot read the registry: {exc}", file=str(path)) from None
    return data if isinstance(data, dict) else {}
