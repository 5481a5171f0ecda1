"""The three official tables as grids of cells, laid out as the format prescribes.

A grid is a list of rows; each cell knows its text, whether it is a header, its
rowspan/colspan and, for figures, the data key (``applications.new.natural_person``). The
same grids drive the HTML (``templates/report/table.html.j2``) and the importer, which
reads published tables back against them.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Optional, Union

from .chinese import count, money
from .spec import Spec, load_spec
from .templating import render

if TYPE_CHECKING:
    from .model import BureauYear


@dataclass(frozen=True)
class Cell:
    text: str
    header: bool = False
    rowspan: int = 1
    colspan: int = 1
    key: Optional[str] = None   # figures only: table.row.column
    cls: Optional[str] = None


Grid = list[list[Cell]]


def _fig(value: Union[int, Decimal, None], key: str, span: int = 1) -> Cell:
    if value is None:
        text = ""
    elif isinstance(value, Decimal):
        text = money(value)
    else:
        text = count(value)
    return Cell(text, colspan=span, key=key, cls="num")


def proactive_grid(data: Optional[BureauYear], spec: Optional[Spec] = None) -> Grid:
    """Table 二 (主动公开政府信息情况): four blocks, each with its own header row."""
    spec = spec or load_spec()
    width = max(len(b.columns) for b in spec.proactive)
    grid: Grid = []
    for block in spec.proactive:
        grid.append([Cell(block.title, header=True, colspan=width, cls="block")])
        spans = [1] * (len(block.columns) - 1)
        spans[-1] += width - len(block.columns)
        grid.append([Cell(block.columns[0], header=True)]
                    + [Cell(c, header=True, colspan=s) for c, s in zip(block.columns[1:], spans)])
        for row in block.rows:
            value = data.proactive.cell(row.key) if data else None
            cells = [Cell(row.label, header=True, cls="label")]
            if len(block.columns) == 4:
                for col in ("issued", "repealed", "in_force"):
                    cells.append(_fig(getattr(value, col) if value else None,
                                      f"proactive.{row.key}.{col}"))
            else:
                col = "amount" if row.decimal else "count"
                cells.append(_fig(value, f"proactive.{row.key}.{col}", span=width - 1))
            grid.append(cells)
    return grid


def applications_grid(data: Optional[BureauYear], spec: Optional[Spec] = None) -> Grid:
    """Table 三: corner note 3×3, 申请人情况 over seven columns, 22-row 办理结果 block."""
    spec = spec or load_spec()
    cols = spec.app_columns
    group = next(c.group for c in cols if c.group)
    grouped = [c for c in cols if c.group]
    grid: Grid = [
        [Cell(spec.corner_note, header=True, rowspan=3, colspan=3, cls="corner"),
         Cell(spec.app_column_header, header=True, colspan=len(cols))],
        [Cell(cols[0].label, header=True, rowspan=2), Cell(group, header=True, colspan=len(grouped)),
         Cell(cols[-1].label, header=True, rowspan=2)],
        [Cell(c.label, header=True) for c in grouped],
    ]
    cells = data.app_cells() if data else {}

    def figures(path: tuple[str, ...]) -> list[Cell]:
        row = cells.get(path)
        name = "applications." + ".".join(path)
        return [_fig(row[c.key] if row else None, f"{name}.{c.key}") for c in cols]

    for top in spec.app_rows:
        if top.key is not None:
            grid.append([Cell(top.label, header=True, colspan=3, cls="label")] + figures((top.key,)))
            continue
        n_rows = sum(max(1, len(r.children)) for r in top.children)
        first_of_block = True
        for sub in top.children:
            lead = [Cell(top.label, header=True, rowspan=n_rows, cls="label vertical")] if first_of_block else []
            first_of_block = False
            if not sub.is_group:
                grid.append(lead + [Cell(sub.label, header=True, colspan=2, cls="label")] + figures((sub.key,)))
                continue
            for i, leaf in enumerate(sub.children):
                head = [Cell(sub.label, header=True, rowspan=len(sub.children), cls="label")] if i == 0 else []
                grid.append((lead if i == 0 else []) + head
                            + [Cell(leaf.label, header=True, cls="label leaf")] + figures((sub.key, leaf.key)))
    return grid


def review_grid(data: Optional[BureauYear], spec: Optional[Spec] = None) -> Grid:
    """Table 四: 行政复议 (5 columns) and 行政诉讼 (two groups of 5); one row of 15 figures."""
    spec = spec or load_spec()
    cols = spec.review_columns
    review, *suits = spec.review_groups
    suit_head = suits[0].label.split(" / ")[0]
    grid: Grid = [
        [Cell(review.label, header=True, colspan=len(cols)),
         Cell(suit_head, header=True, colspan=len(cols) * len(suits))],
        [Cell(c.label, header=True, rowspan=2) for c in cols]
        + [Cell(g.label.split(" / ")[-1], header=True, colspan=len(cols)) for g in suits],
        [Cell(c.label, header=True) for _ in suits for c in cols],
    ]
    values = data.review_cells() if data else {}
    grid.append([_fig(values[g.key][c.key] if values else None, f"review_litigation.{g.key}.{c.key}")
                 for g in spec.review_groups for c in cols])
    return grid


def render_table(grid: Grid, caption: Optional[str] = None, css_class: str = "", head_rows: int = 0) -> str:
    """HTML of one grid as a real ``<table>`` with rowspan/colspan.

    The first ``head_rows`` rows go in ``<thead>`` so a printed table that runs onto a
    second page repeats its column headings there.
    """
    return render("table.html.j2", grid=grid, caption=caption, css_class=css_class, head_rows=head_rows)


def proactive_table(data: Optional[BureauYear]) -> str:
    return render_table(proactive_grid(data), css_class="t-proactive")


def applications_table(data: Optional[BureauYear]) -> str:
    return render_table(applications_grid(data), css_class="t-applications", head_rows=3)


def review_table(data: Optional[BureauYear]) -> str:
    return render_table(review_grid(data), css_class="t-review", head_rows=3)
