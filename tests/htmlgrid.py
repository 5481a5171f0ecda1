"""Expand an HTML table's rowspan/colspan into a grid, as a browser lays it out."""
from __future__ import annotations


def expand(table) -> list[list]:
    """Grid of the ``<td>/<th>`` elements covering each slot (a merged cell repeats)."""
    grid: dict[tuple[int, int], object] = {}
    for r, tr in enumerate(table.find_all("tr")):
        c = 0
        for cell in tr.find_all(["td", "th"], recursive=False):
            while (r, c) in grid:
                c += 1
            rs, cs = int(cell.get("rowspan", 1)), int(cell.get("colspan", 1))
            for dr in range(rs):
                for dc in range(cs):
                    grid[(r + dr, c + dc)] = cell
            c += cs
    rows = max(r for r, _ in grid) + 1
    cols = max(c for _, c in grid) + 1
    return [[grid.get((r, c)) for c in range(cols)] for r in range(rows)]


def text(cell) -> str:
    return "" if cell is None else cell.get_text(strip=True)
