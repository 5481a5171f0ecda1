"""One bureau's report as HTML fragments: what the master notebook displays, cell by cell.

``Report.load`` validates the data (every rule; a located error if anything is wrong) and
each method returns a :class:`Fragment` that Jupyter renders as HTML.
"""
from __future__ import annotations

from pathlib import Path
from typing import Union

from . import charts, narrative, tables
from .model import SPEC
from .narrative import OUTCOME_WORDS, Context
from .params import find_params_dir
from .validate import load_valid


class Fragment(str):
    """A piece of trusted HTML (built from autoescaped templates); Jupyter shows it as HTML."""

    def _repr_html_(self) -> str:
        return str(self)

    def __repr__(self) -> str:  # the text/plain fallback stays short in the notebook file
        return f"<reportkit fragment, {len(self)} characters of HTML>"


class Report:
    """The data and text of one bureau's annual report for one year."""

    def __init__(self, ctx: Context):
        self.ctx = ctx

    @classmethod
    def load(cls, bureau: str, year: int, params: Union[str, Path] = "params") -> "Report":
        """Read and check ``params/<year>/<bureau>.yaml``; raises ``InvalidInput`` on any error."""
        checked = load_valid(find_params_dir(params), bureau, int(year))
        return cls(Context(checked.entry, checked.year, checked.data, checked.previous))

    @property
    def title(self) -> str:
        return self.ctx.title

    def header(self) -> Fragment:
        """Title and the customary preamble."""
        return Fragment(narrative.title_block(self.ctx) + narrative.preamble(self.ctx))

    def section(self, n: str) -> Fragment:
        """Section ``n`` (一 … 六) in full: headings, text, tables, charts."""
        ctx = self.ctx
        if n == "一":
            return Fragment(narrative.overview(ctx))
        if n == "二":
            body = tables.proactive_table(ctx.data)
        elif n == "三":
            body = tables.applications_table(ctx.data) + self.outcomes_chart()
        elif n == "四":
            body = tables.review_table(ctx.data)
        elif n == "五":
            return Fragment(narrative.problems(ctx))
        elif n == "六":
            return Fragment(narrative.other_matters(ctx))
        else:
            raise ValueError(f"no section {n!r}: expected one of 一二三四五六")
        return Fragment(f'<section class="section table-section">{narrative.section_heading(ctx, n)}'
                        f"{body}</section>")

    def outcomes_chart(self) -> Fragment:
        """How the year's applications were answered, as a bar chart."""
        totals = self.ctx.data.outcome_totals()
        return Fragment(charts.hbar([OUTCOME_WORDS[k] for k in totals], list(totals.values()),
                                    f"图1 {self.ctx.year}年政府信息公开申请办理结果",
                                    empty_text="本年度无办理结果"))

    def signature(self) -> Fragment:
        return Fragment(narrative.signature(self.ctx))

    def fragments(self) -> list[Fragment]:
        """Every part in print order (what the notebook displays, without a kernel)."""
        return [self.header(), *(self.section(n) for n, _ in SPEC.sections), self.signature()]
