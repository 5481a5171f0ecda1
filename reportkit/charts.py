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


def trend(years: list[int], series: dict[str, list[int]], caption: str, unit: str = "件") -> str:
    """A line chart of figures over years (one line per series)."""
    with plt.rc_context(style()):
        fig, ax = plt.subplots(figsize=(6.2, 2.8))
        for (name, values), marker in zip(series.items(), "osD^v"):
            ax.plot(years, values, marker=marker, label=name)
            for x, v in zip(years, values):
                ax.annotate(str(v), (x, v), textcoords="offset points", xytext=(0, 5),
                            ha="center", fontsize=8)
        ax.set_xticks(years, [f"{y}年" for y in years])
        ax.set_ylabel(f"数量（{unit}）")
        ax.set_ylim(bottom=0, top=max(1, max(max(v) for v in series.values())) * 1.25)
        ax.legend(frameon=False, fontsize=9)
        fig.tight_layout()
        alt = "；".join(f"{n}：" + "、".join(f"{y}年{v}{unit}" for y, v in zip(years, vals))
                       for n, vals in series.items())
        return figure_html(_png(fig), caption, alt)
