"""The format's figure cells as *targets*, built from the official grids and the 2019 file.

Each target is one figure cell with the labels a reader sees: the row header to its left and
the nearest column header above it (plus the headers above that for table 四's groups).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from types import SimpleNamespace
from typing import Iterable, Optional

import yaml

from .. import tables
from ..spec import Spec, load_spec
from ..tables import Cell
from .labels import core

LAYOUT_2019_FILE = "annual-report-2019.yaml"


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


def expand(rows: list[list], span=lambda c: (c.rowspan, c.colspan)) -> tuple[dict, int, int]:
    """Expand rowspan/colspan as a browser does: {(row, col): cell}, n_rows, n_cols.

    A cell that says which column it starts in (``col``, known from a PDF's geometry) is put
    there, leaving a hole where a cell was not drawn, instead of being pushed left into it."""
    grid: dict[tuple[int, int], object] = {}
    n_rows = len(rows)
    for r, row in enumerate(rows):
        c = 0
        for cell in row:
            at = getattr(cell, "col", None)
            if at is not None:
                c = at
            while (r, c) in grid:
                c += 1
            rs, cs = span(cell)
            for dr in range(min(rs, max(1, n_rows - r))):
                for dc in range(cs):
                    grid[(r + dr, c + dc)] = cell
            c += cs
    n_cols = max((c for _, c in grid), default=-1) + 1
    return grid, n_rows, n_cols


MAX_CHAIN_ROWS = 64      # the format's tallest table has about 30 rows: headers are never further up


def column_chain(grid, r: int, c: int, is_label, skip=None) -> list:
    """Label cells above (r, c) in column c, nearest first, each once (within ``MAX_CHAIN_ROWS``,
    which keeps a long table linear)."""
    chain: list = []
    for rr in range(r - 1, max(-1, r - 1 - MAX_CHAIN_ROWS), -1):
        cell = grid.get((rr, c))
        if cell is None or cell is skip or cell in chain or not is_label(cell):
            continue
        chain.append(cell)
    return chain


def _targets_of(grid_rows: list[list[Cell]], spec: Spec, layout: str = "both", row_name: str = "") -> list[Target]:
    """Every figure cell of an official grid with the labels a reader sees: the row header to
    its left and the nearest column header above it (the same reading applied to published tables)."""
    grid, n_rows, n_cols = expand(grid_rows)
    groups = _group_cores(spec)
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
            chain = column_chain(grid, r, c, is_label, skip=cell)
            row_label = labels[-1].text if labels else None
            col = chain[0].text if chain else ""
            context = [x.text for x in chain[1:] if core(x.text)]
            shown = " / ".join([x for x in context[:1] if core(x) in groups] + [col])
            out.append(Target(cell.key, row_label or row_name, shown, core(row_label) if row_label else None,
                              core(col), frozenset(core(x) for x in context), order, layout,
                              decimal=cell.key.endswith(".amount")))
            order += 1
    return out


def _group_cores(spec: Spec) -> frozenset:
    """Cores of table 四's group headings (行政复议, 行政诉讼, 未经复议直接起诉 …)."""
    return frozenset({core(g.label.split(" / ")[-1]) for g in spec.review_groups}
                     | {core(g.label.split(" / ")[0]) for g in spec.review_groups})


@lru_cache(maxsize=1)
def load_layout_2019() -> dict:
    """The 2019 format's differences from 2021, from ``reportkit/format/annual-report-2019.yaml``."""
    text = resources.files("reportkit.format").joinpath(LAYOUT_2019_FILE).read_text(encoding="utf-8")
    return yaml.safe_load(text)


LAYOUT_2019 = load_layout_2019()


def _legacy_proactive_grid(spec: Spec) -> list[list[Cell]]:
    """The 2019 table 二 as a grid of the same cells the 2021 grids are made of."""
    labels = {r.key: r.label for r in spec.proactive_rows}
    grid: list[list[Cell]] = []
    for block in LAYOUT_2019["proactive_blocks"]:
        columns, shared = block["columns"], block["shared"]
        grid.append([Cell(block["title"], header=True, colspan=4)])
        spans = [1] * len(columns)
        spans[-1] += 3 - len(columns)
        grid.append([Cell(LAYOUT_2019["content_header"], header=True)]
                    + [Cell(c, header=True, colspan=s) for c, s in zip(columns, spans)])
        for row in block["rows"]:
            key, label = (row["key"], row["label"]) if isinstance(row, dict) else (row, labels[row])
            cells = [Cell(label, header=True)]
            for col, s in zip(columns, spans):
                cells.append(Cell("", colspan=s, key=f"proactive.{key}.{shared[col]}"
                                  if col in shared and key in labels
                                  else f"legacy2019.{key}.{LAYOUT_2019['column_keys'][col]}"))
            grid.append(cells)
    return grid


def _subtotal_targets(spec: Spec) -> list[Target]:
    """Rows some sites add (and the 2019 format's single row （六）): a group's own figures."""
    out = []
    for group in spec.outcome_groups:
        for i, col in enumerate(spec.app_columns):
            out.append(Target(f"applications.{group.key}.subtotal.{col.key}", group.label, col.label,
                              core(group.label), core(col.label), frozenset({core(spec.app_column_header),
                                                                             core(col.group or "")}) - {""},
                              i, "both"))
    return out


_DERIVED_BY_SPEC: dict[int, tuple[Spec, SimpleNamespace]] = {}   # id(spec) -> (spec, lookups): a Spec is unhashable


def derived(spec: Optional[Spec] = None) -> SimpleNamespace:
    """The targets of ``spec`` (default: the 2021 format) and the lookups built from them, once.

    Built on first use, not at import: ``TARGETS``, ``OFFICIAL``, ``ROW_LEAVES``, ``KNOWN_LABELS``,
    ``REVIEW_KEYS`` and ``SPEC`` of this module are those of the default format (module ``__getattr__``).
    """
    spec = spec or load_spec()
    if id(spec) not in _DERIVED_BY_SPEC:
        _DERIVED_BY_SPEC[id(spec)] = (spec, _derive(spec))
    return _DERIVED_BY_SPEC[id(spec)][1]


def _derive(spec: Spec) -> SimpleNamespace:
    grids = (tables.proactive_grid(None, spec), tables.applications_grid(None, spec), tables.review_grid(None, spec))
    targets: list[Target] = (_targets_of(grids[0], spec, "2021")
                             + _targets_of(grids[1], spec)
                             + _targets_of(grids[2], spec, row_name="表四")
                             + _targets_of(_legacy_proactive_grid(spec), spec, "2019")
                             + _subtotal_targets(spec))
    grid_keys = [c.key for grid in grids for row in grid for c in row if c.key]
    official: dict[str, Target] = {k: next(t for t in targets if t.key == k and t.layout != "2019")
                                   for k in grid_keys}
    row_leaves: dict[Optional[str], list[Target]] = {}
    for t in targets:
        row_leaves.setdefault(t.row_leaf, []).append(t)
    known = {t.row_leaf for t in targets if t.row_leaf} | {t.col_leaf for t in targets} | \
        {c for t in targets for c in t.col_context}
    review = [t.key for t in targets if t.key.startswith("review_litigation.")]
    return SimpleNamespace(SPEC=spec, TARGETS=targets, OFFICIAL=official, ROW_LEAVES=row_leaves,
                           KNOWN_LABELS=known, REVIEW_KEYS=review)


_DERIVED = ("SPEC", "TARGETS", "OFFICIAL", "ROW_LEAVES", "KNOWN_LABELS", "REVIEW_KEYS")


def __getattr__(name: str):
    """The default format's targets and lookups, built on first use (not at import)."""
    if name in _DERIVED:
        return getattr(derived(), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def match_leaf(label_core: str, leaves: Iterable[str]) -> Optional[str]:
    """The leaf equal to ``label_core``; else the only one it is a prefix of / starts with."""
    leaves = [x for x in leaves if x]
    if label_core in leaves:
        return label_core
    if len(label_core) < 4:
        return None
    hits = [x for x in leaves if len(x) >= 4 and len(label_core) <= 2 * len(x) + 10
            and (x.startswith(label_core) or label_core.startswith(x) or x.endswith(label_core))]
    if not hits and len(label_core) >= 6:
        # a label with characters lost from the text layer ("其他法律行政止公开"): the one leaf it
        # is an in-order part of, covering most of it
        hits = [x for x in leaves if len(label_core) >= 0.7 * len(x) and _in_order(label_core, x)]
    return hits[0] if len(hits) == 1 else None


def _in_order(part: str, whole: str) -> bool:
    rest = iter(whole)
    return all(ch in rest for ch in part)

