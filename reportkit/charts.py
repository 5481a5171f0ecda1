"""Charts with Chinese labels, drawn by matplotlib with a CJK font that ships with the install.

The font is Noto Sans CJK SC from the ``mplfonts`` wheel, registered once with
``fontManager.addfont`` (matplotlib's font cache does not see fonts installed later).
Charts are PNG data URIs so a report stays one self-contained file.
"""
from __future__ import annotations

import base64
import io
import warnings
from functools import lru_cache
from importlib import resources
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib import font_manager  # noqa: E402

from .templating import render  # noqa: E402

FONT_FILE = "NotoSansCJKsc-Regular.otf"
DPI = 110


@lru_cache(maxsize=1)
def cjk_font() -> str:
    """Register the bundled CJK font with matplotlib and return its family name."""
    path = Path(str(resources.files("mplfonts") / "fonts" / FONT_FILE))
    font_manager.fontManager.addfont(str(path))
    return font_manager.FontProperties(fname=str(path)).get_name()


def style() -> dict:
    """rcParams every chart is drawn with (also the warm engine's reset point)."""
    return {
        "font.family": [cjk_font()],
        "axes.unicode_minus": False,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "figure.dpi": DPI,
        "savefig.dpi": DPI,
        "svg.hashsalt": "reportkit",
    }


def _png(fig) -> str:
    buf = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # a missing glyph must fail loudly, not print tofu
        fig.savefig(buf, format="png", metadata={"Software": None}, bbox_inches="tight")
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def figure_html(png_b64: str, caption: str, alt: str) -> str:
    return render("figure.html.j2", src="data:image/png;base64," + png_b64, caption=caption, alt=alt)


def hbar(labels: list[str], values: list[int], caption: str, unit: str = "件",
         empty_text: str = "本年度无数据") -> str:
    """A horizontal bar chart as an HTML ``<figure>`` with an inline PNG."""
    with plt.rc_context(style()):
        fig, ax = plt.subplots(figsize=(6.2, 0.42 * len(labels) + 0.9))
        ypos = range(len(labels))[::-1]
        ax.barh(list(ypos), values, color="#b22222", height=0.6)
        ax.set_yticks(list(ypos), labels)
        ax.tick_params(axis="y", length=0)
        top = max(values) if values else 0
        ax.set_xlim(0, max(1, top) * 1.15)
        ax.xaxis.get_major_locator().set_params(integer=True)
        for y, v in zip(ypos, values):
            ax.text(v + max(1, top) * 0.01, y, f"{v}{unit}", va="center", fontsize=9)
        if top == 0:
            ax.text(0.5, 0.5, empty_text, transform=ax.transAxes, ha="center", va="center",
                    fontsize=11, color="#555")
        ax.set_xlabel(f"数量（{unit}）")
        fig.tight_layout()
        alt = "；".join(f"{l}{v}{unit}" for l, v in zip(labels, values))
        return figure_html(_png(fig), caption, alt)


SERIES_COLORS = ("#b22222", "#1f5f8b", "#6b8e23", "#8b5a2b", "#555555")
LABEL_PT = 8.0


def trend_figure(years: list[int], series: dict[str, list[int]], unit: str = "件"):
    """Figures over years as grouped bars, one bar per series side by side, each labelled.

    Bars side by side keep a series visible when it equals another (lines would lie on top of
    each other); labels that would touch one another or another bar are turned upright, then
    made smaller, until none does (:func:`separate_labels`). Returns (figure, label texts).
    """
    fig, ax = plt.subplots(figsize=(6.2, 2.8))
    n = max(1, len(series))
    step = 0.8 / n
    top = max(1, max((max(v) for v in series.values() if v), default=1))
    texts, bars = [], []
    for i, ((name, values), color) in enumerate(zip(series.items(), SERIES_COLORS)):
        xs = [j + (i - (n - 1) / 2) * step for j in range(len(years))]
        bars.extend(ax.bar(xs, values, width=step * 0.9, label=name, color=color))
        for x, v in zip(xs, values):
            texts.append(ax.text(x, v + top * 0.02, str(v), ha="center", va="bottom", fontsize=LABEL_PT))
    ax.set_xticks(range(len(years)), [f"{y}年" for y in years])
    ax.tick_params(axis="x", length=0)
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.set_ylabel(f"数量（{unit}）")
    ax.set_ylim(0, top * 1.2)
    ax.legend(frameon=False, fontsize=9, ncols=n, loc="lower center", bbox_to_anchor=(0.5, 1.0))
    fig.tight_layout()
    separate_labels(fig, ax, texts, bars)
    return fig, texts


def _clashes(renderer, texts, bars) -> bool:
    boxes = [t.get_window_extent(renderer).expanded(1.04, 1.04) for t in texts]
    for i, a in enumerate(boxes):
        if any(a.overlaps(b) for b in boxes[i + 1:]):
            return True
        own = bars[i]
        if any(a.overlaps(bar.get_window_extent(renderer)) for bar in bars if bar is not own):
            return True
    return False


def separate_labels(fig, ax, texts, bars, smallest: float = 5.5) -> None:
    """Turn value labels upright, then shrink them, until none overlaps another or a bar;
    raise the y axis so every label stays inside it."""
    renderer = fig.canvas.get_renderer()
    if _clashes(renderer, texts, bars):
        for t in texts:
            t.set_rotation(90)
        size = LABEL_PT
        while _clashes(renderer, texts, bars) and size > smallest:
            size -= 0.5
            for t in texts:
                t.set_fontsize(size)
    for _ in range(3):  # labels above the tallest bar must not leave the axes
        inv = ax.transData.inverted()
        highest = max((inv.transform(t.get_window_extent(renderer))[1][1] for t in texts), default=0)
        if highest <= ax.get_ylim()[1]:
            break
        ax.set_ylim(0, highest * 1.08)


def trend(years: list[int], series: dict[str, list[int]], caption: str, unit: str = "件") -> str:
    """Figures over years (one bar per series and year) as an HTML ``<figure>``."""
    with plt.rc_context(style()):
        fig, _ = trend_figure(years, series, unit)
        alt = "；".join(f"{n}：" + "、".join(f"{y}年{v}{unit}" for y, v in zip(years, vals))
                       for n, vals in series.items())
        return figure_html(_png(fig), caption, alt)
