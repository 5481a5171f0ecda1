"""Charts: no value label drawn over another label or another series' bar, no series hidden
behind an equal one — measured on the drawn figure (matplotlib's renderer extents)."""
from __future__ import annotations

import matplotlib.pyplot as plt
import pytest
from matplotlib.patches import Rectangle

from reportkit import charts

CASES = {
    "equal series (roll-up 新收 = 办结)": {"新收申请": [6, 6], "办结": [6, 6], "予以公开": [4, 4]},
    "87/86": {"新收申请": [80, 87, 120, 87, 9], "办结": [80, 86, 121, 86, 9], "予以公开": [70, 80, 100, 80, 9]},
    "wide numbers, five years": {"新收申请": [12345, 12344, 99999, 100000, 23456],
                                 "办结": [12344, 12345, 99998, 100000, 23455],
                                 "予以公开": [5, 0, 1, 99999, 23456]},
    "all zero": {"新收申请": [0, 0, 0], "办结": [0, 0, 0], "予以公开": [0, 0, 0]},
    "one tall, others tiny": {"新收申请": [1, 2, 1, 3], "办结": [1, 2, 1, 3], "予以公开": [9000, 1, 2, 1]},
}


def overlap(a, b) -> bool:
    """Strict intersection of two display-space boxes (touching edges do not count)."""
    return a.x0 < b.x1 and b.x0 < a.x1 and a.y0 < b.y1 and b.y0 < a.y1


@pytest.fixture(params=list(CASES), ids=list(CASES))
def drawn(request):
    series = CASES[request.param]
    years = list(range(2023 - len(next(iter(series.values()))) + 1, 2024))
    with plt.rc_context(charts.style()):
        fig, texts = charts.trend_figure(years, series)
        fig.canvas.draw()
        yield fig, texts, series, years
        plt.close(fig)


def test_no_label_over_another_label_or_bar(drawn):
    fig, texts, series, years = drawn
    renderer = fig.canvas.get_renderer()
    ax = fig.axes[0]
    bars = [p for p in ax.patches if isinstance(p, Rectangle)]
    labels = [t.get_window_extent(renderer) for t in texts]
    assert len(labels) == len(bars) == len(series) * len(years)
    for i, a in enumerate(labels):
        for b in labels[i + 1:]:
            assert not overlap(a, b), (texts[i].get_text(), a, b)
        for j, bar in enumerate(bars):
            if j != i:
                assert not overlap(a, bar.get_window_extent(renderer)), (texts[i].get_text(), j)
    legend = ax.get_legend().get_window_extent(renderer)
    axes_box = ax.get_window_extent(renderer)
    for a in labels:
        assert not overlap(a, legend)
        assert axes_box.y0 <= a.y0 and a.y1 <= axes_box.y1 + 0.5   # inside the plot, not cut off


def test_equal_values_are_all_visible_side_by_side(drawn):
    fig, texts, series, years = drawn
    renderer = fig.canvas.get_renderer()
    bars = [p for p in fig.axes[0].patches if isinstance(p, Rectangle)]
    n_years = len(years)
    for y in range(n_years):
        group = [bars[s * n_years + y] for s in range(len(series))]
        boxes = sorted((b.get_window_extent(renderer) for b in group), key=lambda b: b.x0)
        assert all(b.width > 3 for b in boxes)             # a visible width in pixels
        for left, right in zip(boxes, boxes[1:]):
            assert left.x1 <= right.x0                      # side by side, never behind
    values = [v for vals in series.values() for v in vals]
    assert [round(b.get_height()) for b in bars] == values
    assert [t.get_text() for t in texts] == [str(v) for v in values]


def test_close_values_are_labelled_and_distinct():
    with plt.rc_context(charts.style()):
        fig, texts = charts.trend_figure([2021, 2022], {"新收申请": [87, 87], "办结": [86, 87]})
        fig.canvas.draw()
        r = fig.canvas.get_renderer()
        boxes = [t.get_window_extent(r) for t in texts]
        plt.close(fig)
    assert not overlap(boxes[1], boxes[3])   # 2022: 87 and 87, next to each other
    assert not overlap(boxes[0], boxes[2])   # 2021: 87 and 86


def test_trend_html_keeps_every_figure_in_the_alt_text():
    html = charts.trend([2021, 2022], {"新收申请": [87, 6], "办结": [86, 6]}, "图2")
    assert "新收申请：2021年87件、2022年6件；办结：2021年86件、2022年6件" in html
