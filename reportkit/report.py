"""One bureau's report as HTML fragments: what the master notebook displays, cell by cell.

``Report.load`` validates the data (every rule; a located error if anything is wrong) and
each method returns a :class:`Fragment` that Jupyter renders as HTML.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Optional, Union

from . import charts, narrative, tables, wording
from .spec import load_spec
from .narrative import OUTCOME_WORDS, Context
from markupsafe import Markup

from .errors import InvalidInput
from .params import bureaus_with_data, find_params_dir, load_year, year_path, years
from .templating import lab_css
from .validate import load_valid

if TYPE_CHECKING:
    from .model import BureauYear

TREND_YEARS = 5


def history(params_dir: Path, bureau: str, year: int) -> dict[int, "BureauYear"]:
    """The bureau's valid files of the four years before ``year``, oldest first."""
    out = {}
    for y in range(year - TREND_YEARS + 1, year):
        path = year_path(params_dir, y, bureau)
        if path.is_file():
            try:
                out[y] = load_year(path)
            except InvalidInput:
                continue  # an invalid earlier year is reported by validate, not charted
    return out


def latest_year(params_dir: Path) -> int:
    """The latest year that has a folder in ``params/`` (0 when there is none)."""
    return max(years(params_dir), default=0)


class Fragment(str):
    """A piece of trusted HTML (built from autoescaped templates); Jupyter shows it as HTML."""

    def _repr_html_(self) -> str:
        return str(self)

    def __repr__(self) -> str:  # the text/plain fallback stays short in the notebook file
        return f"<reportkit fragment, {len(self)} characters of HTML>"


class LabStyle:
    """Shows the report's tables in JupyterLab as the export prints them; not part of the export."""

    def _repr_html_(self) -> str:
        return lab_css()

    def __repr__(self) -> str:
        return "<reportkit stylesheet for JupyterLab>"


class Report:
    """The data and text of one bureau's annual report for one year."""

    def __init__(self, ctx: Context):
        self.ctx = ctx

    @classmethod
    def load(cls, bureau: str, year: int, params: Union[str, Path] = "params",
             notebook: Optional[Path] = None) -> "Report":
        """Read and check ``params/<year>/<bureau>.yaml``; raises ``InvalidInput`` on any error.

        An empty ``bureau`` or a ``year`` of 0 (the master notebook's defaults, for a look in
        JupyterLab) mean the latest year with data and its first bureau. ``notebook``: take the
        wording of that master notebook (for rendering without a kernel, e.g.
        ``masters.project_notebook(params)``); in the notebook itself its wording cells set it.
        """
        params_dir = find_params_dir(params)
        year = int(year) or latest_year(params_dir)
        bureau = bureau or next(iter(bureaus_with_data(params_dir, year)), "")
        checked = load_valid(params_dir, bureau, int(year))
        ctx = Context(checked.entry, checked.year, checked.data, checked.previous, history(params_dir, bureau, year))
        if notebook is not None:
            ctx.wording = wording.load("report", Path(notebook))
        return cls(ctx)

    @property
    def title(self) -> str:
        return self.ctx.title

    def words(self, section: str, templates: dict[str, str]) -> None:
        """Word section ``section``'s sentences (the notebook's ``wording`` cells); checked now."""
        self.ctx.wording.update(section, templates)

    def style(self) -> "LabStyle":
        """The report's CSS scoped to JupyterLab's output area (a ``remove-cell`` in the notebook)."""
        return LabStyle()

    def header(self) -> Fragment:
        """Title and the customary preamble."""
        return Fragment(narrative.title_block(self.ctx) + narrative.preamble(self.ctx))

    def section(self, n: str) -> Fragment:
        """Section ``n`` (一 … 六) in full: headings, text, tables, charts."""
        ctx = self.ctx
        if n == "一":
            return Fragment(narrative.overview(ctx))
        if n == "二":
            lead, body = narrative.proactive_lead(ctx), tables.proactive_table(ctx.data)
        elif n == "三":
            lead = narrative.applications_lead(ctx)
            body = tables.applications_table(ctx.data) + self.outcomes_chart() + self.trend_chart()
        elif n == "四":
            lead, body = narrative.review_lead(ctx), tables.review_table(ctx.data)
        elif n == "五":
            return Fragment(narrative.problems(ctx))
        elif n == "六":
            return Fragment(narrative.other_matters(ctx))
        else:
            raise ValueError(f"no section {n!r}: expected one of 一二三四五六")
        return Fragment(narrative.table_section(ctx, n, lead, Markup(body)))

    def outcomes_chart(self) -> Fragment:
        """How the year's applications were answered, as a bar chart."""
        totals = self.ctx.data.outcome_totals()
        return Fragment(charts.hbar([OUTCOME_WORDS[k] for k in totals], list(totals.values()),
                                    f"图1 {self.ctx.year}年政府信息公开申请办理结果",
                                    empty_text="本年度无办理结果"))

    def trend_chart(self) -> Fragment:
        """Applications over the available years (up to five); empty without earlier years."""
        series = {**self.ctx.history, self.ctx.year: self.ctx.data}
        years = sorted(series)[-TREND_YEARS:]
        if len(years) < 2:
            return Fragment("")
        cells = {y: series[y].app_cells() for y in years}
        lines = {"新收申请": [cells[y][("new",)]["total"] for y in years],
                 "办结": [cells[y][("total",)]["total"] for y in years],
                 "予以公开": [series[y].outcome_totals()["disclosed"] for y in years]}
        return Fragment(charts.trend(years, lines, f"图2 {years[0]}—{years[-1]}年政府信息公开申请情况"))

    def signature(self) -> Fragment:
        return Fragment(narrative.signature(self.ctx))

    def fragments(self) -> list[Fragment]:
        """Every part in print order (what the notebook displays, without a kernel)."""
        return [self.header(), *(self.section(n) for n, _ in load_spec().sections), self.signature()]
