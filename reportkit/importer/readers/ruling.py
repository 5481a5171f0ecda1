"""The ruled tables of a page image: where their lines are and which unit cells are merged.

A ruling line is a run of dark pixels longer than any stroke of a character. Horizontal and
vertical lines give a grid; two grid cells with no line between them are one (merged) cell; a
band between two horizontal lines that no vertical line crosses (a heading printed between two
tables) splits the page into separate tables, each with its own columns.
"""
from __future__ import annotations

from dataclasses import dataclass

DARK = 160               # gray level below which a pixel is ink


def _runs(mask, length: int):
    """Pixels that belong to a horizontal run of at least ``length`` dark pixels."""
    import numpy as np

    h, w = mask.shape
    if w < length:
        return np.zeros_like(mask)
    cs = np.concatenate([np.zeros((h, 1), dtype=np.int32), np.cumsum(mask, axis=1, dtype=np.int32)], axis=1)
    full = (cs[:, length:] - cs[:, :-length]) == length          # window [j, j+length) all dark
    cover = np.concatenate([np.zeros((h, 1), dtype=np.int32), np.cumsum(full, axis=1, dtype=np.int32)], axis=1)
    # pixel j is covered when some window start in [j-length+1, j] is full
    j = np.arange(w)
    lo, hi = np.clip(j - length + 1, 0, full.shape[1]), np.clip(j + 1, 0, full.shape[1])
    return (cover[:, hi] - cover[:, lo]) > 0


def _lines_at(profile, join: float) -> list[float]:
    """Centres of the bands where ``profile`` (line pixels per row/column) is non-zero; bands
    closer than ``join`` pixels (a double border) are one line."""
    bands: list[list[int]] = []
    start = None
    for i, v in enumerate(list(profile) + [0]):
        if v > 0 and start is None:
            start = i
        elif v <= 0 and start is not None:
            if bands and start - bands[-1][1] <= join:
                bands[-1][1] = i - 1
            else:
                bands.append([start, i - 1])
            start = None
    return [(a + b) / 2 for a, b in bands]


def skew(image, limit: float = 3.0, step: float = 0.1) -> float:
    """The angle (degrees, for ``Image.rotate``) that makes the page's rows of ink horizontal: the
    one whose row profile is sharpest (ruling lines and text lines line up), looked for on a
    small copy of the page. A scan fed in at a slant has no long horizontal runs otherwise."""
    import numpy as np
    from PIL import Image

    small = image.convert("L").resize((600, max(1, round(600 * image.height / image.width))), Image.BILINEAR)
    ink = Image.fromarray(((np.asarray(small) < DARK) * 255).astype(np.uint8))

    def sharpness(angle: float) -> float:
        rows = np.asarray(ink.rotate(angle, resample=Image.NEAREST, fillcolor=0), dtype=np.float64).sum(axis=1)
        return float(np.square(np.diff(rows)).sum())
    angles = np.arange(-limit, limit + step / 2, step)
    scores = [sharpness(a) for a in angles]
    best = round(float(angles[int(np.argmax(scores))]), 2)
    return 0.0 if abs(best) <= step + 1e-9 else best      # a turn of one step would blur more than it mends


def _along(gray, axis: int, k: int = 5):
    """The mean of ``k`` neighbouring pixels along ``axis`` (a box filter in one direction)."""
    import numpy as np

    a = np.moveaxis(gray.astype(np.int32), axis, -1)
    pad = np.pad(a, [(0, 0)] * (a.ndim - 1) + [(k // 2, k // 2)], mode="edge")
    cs = np.concatenate([np.zeros(a.shape[:-1] + (1,), dtype=np.int64), np.cumsum(pad, axis=-1)], axis=-1)
    return np.moveaxis((cs[..., k:] - cs[..., :-k]) / k, -1, axis)


def _widened(mask, axis: int):
    """Ink one pixel either side across the line too: a line two pixels wide broken at different
    places in each pixel row stays one run."""
    out = mask.copy()
    lo, hi = [slice(None)] * 2, [slice(None)] * 2
    lo[axis], hi[axis] = slice(1, None), slice(None, -1)
    out[tuple(lo)] |= mask[tuple(hi)]
    out[tuple(hi)] |= mask[tuple(lo)]
    return out


def line_masks(gray):
    """(horizontal, vertical) masks of the ruling-line pixels of a gray page image."""
    w = gray.shape[1]
    # a ruling line is longer than any stroke of a character: horizontally page width / 45
    # (a narrow column), vertically page width / 40 (a row of one line is ~1.6 characters high)
    hrun, vrun = max(20, w // 45), max(20, w // 40)
    # averaged along the line's own direction first: a scan's speckle breaks a line into short
    # runs, while a line (even one pixel thin) keeps its darkness along its length
    hmask = _runs(_widened(_along(gray, axis=1) < DARK, axis=0), hrun)
    vmask = _runs(_widened(_along(gray, axis=0) < DARK, axis=1).T, vrun).T
    # a table's lines run on through many cells; a stroke of a large character (a title) is alone
    hmask[hmask.sum(axis=1) < 3 * hrun, :] = False
    vmask[:, vmask.sum(axis=0) < 2 * vrun] = False
    return hmask, vmask


def _covered(mask, fixed: float, lo: float, hi: float, vertical: bool) -> bool:
    """Whether a line runs along ``fixed`` over most of ``lo``–``hi``."""
    a, b = int(lo) + 3, int(hi) - 2
    if b <= a:
        return True
    f = int(round(fixed))
    band = mask[a:b, max(0, f - 8):f + 9] if vertical else mask[max(0, f - 8):f + 9, a:b]
    return bool(band.any(axis=1 if vertical else 0).mean() > 0.6)


@dataclass
class Table:
    """One ruled table: line positions in pixels and its merged cells."""

    xs: list[float]
    ys: list[float]
    regions: list[tuple[int, int, int, int]]      # (row, col, rowspan, colspan) in grid units

    def box(self, reg, margin: int = 6) -> tuple[int, int, int, int]:
        """A merged cell's inside in pixels (x0, y0, x1, y1), borders left out."""
        r, c, rs, cs = reg
        return (int(self.xs[c]) + margin, int(self.ys[r]) + margin,
                int(self.xs[c + cs]) - margin, int(self.ys[r + rs]) - margin)

    def region_at(self, x: float, y: float):
        """The merged cell a point falls in, or None outside the table."""
        if not (self.xs[0] < x < self.xs[-1] and self.ys[0] < y < self.ys[-1]):
            return None
        r = sum(1 for v in self.ys[1:-1] if v < y)
        c = sum(1 for v in self.xs[1:-1] if v < x)
        return next(g for g in self.regions if g[0] <= r < g[0] + g[2] and g[1] <= c < g[1] + g[3])


def _regions(xs, ys, hmask, vmask) -> list[tuple[int, int, int, int]]:
    nr, nc = len(ys) - 1, len(xs) - 1
    parent = list(range(nr * nc))

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i
    for r in range(nr):
        for c in range(nc):
            if c + 1 < nc and not _covered(vmask, xs[c + 1], ys[r], ys[r + 1], vertical=True):
                parent[find(r * nc + c)] = find(r * nc + c + 1)
            if r + 1 < nr and not _covered(hmask, ys[r + 1], xs[c], xs[c + 1], vertical=False):
                parent[find(r * nc + c)] = find((r + 1) * nc + c)
    groups: dict[int, list[tuple[int, int]]] = {}
    for r in range(nr):
        for c in range(nc):
            groups.setdefault(find(r * nc + c), []).append((r, c))
    out = []
    for cells in groups.values():
        rows, cols = [r for r, _ in cells], [c for _, c in cells]
        out.append((min(rows), min(cols), max(rows) - min(rows) + 1, max(cols) - min(cols) + 1))
    return sorted(out)


def _open_ends(ys: list[float], xs: list[float], vmask) -> list[float]:
    """A table cut by the page's end has no line under its last row (or over its first): its
    column lines run on past the last (first) horizontal line; their end closes the row."""
    row = sorted(b - a for a, b in zip(ys, ys[1:]))[(len(ys) - 1) // 2]
    cols = vmask[:, [int(round(x)) for x in xs]].any(axis=1) if xs else None
    below, above = int(ys[-1]) + 4, int(ys[0]) - 4
    end = below
    while end < len(cols) and cols[end]:
        end += 1
    start = above
    while start > 0 and cols[start]:
        start -= 1
    # the majority of the columns must run on, not one stray line
    if end - below > row / 2 and vmask[below:end, [int(round(x)) for x in xs]].any(axis=0).mean() > 0.5:
        ys = ys + [float(end)]
    if above - start > row / 2 and vmask[start:above, [int(round(x)) for x in xs]].any(axis=0).mean() > 0.5:
        ys = [float(start)] + ys
    return ys


def find_tables(hmask, vmask) -> list[Table]:
    """The page's ruled tables, top to bottom."""
    join = hmask.shape[1] / 120
    ys = _lines_at(hmask.sum(axis=1), join)
    tables = []
    group: list[float] = ys[:1]
    for y0, y1 in zip(ys, ys[1:]):
        band = vmask[int(y0) + 3:max(int(y0) + 4, int(y1) - 2)]
        if band.size and (band.mean(axis=0) > 0.6).any():
            group.append(y1)
            continue
        tables.append(group)            # nothing crosses this band: a heading between two tables
        group = [y1]
    tables.append(group)
    out = []
    for group in tables:
        if len(group) < 3:
            continue
        band = vmask[int(group[0]):int(group[-1]) + 1]
        # a column line runs through at least one whole row of this table
        xs = _lines_at(band.sum(axis=0) * (band.sum(axis=0) >= (group[-1] - group[0]) / (4 * len(group))), join)
        if len(xs) >= 3 and len(group) >= 3:     # a lone box is a frame or strokes of a large title
            group = _open_ends(group, xs, vmask)
            out.append(Table(xs, group, _regions(xs, group, hmask, vmask)))
    return out
