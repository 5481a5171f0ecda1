"""The city-wide roll-up: the three official tables summed over every bureau with valid data,
rankings, outcomes, data quality and year-over-year totals. Displayed by notebooks/summary.ipynb.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Optional, Union

from markupsafe import Markup

from . import charts, manifest, params, tables
from .chinese import change, date_cn, percent
from .model import Bureau
from .spec import load_spec
from . import model
from .narrative import OUTCOME_WORDS
from .report import TREND_YEARS, Fragment, LabStyle
from .site import key_figures
from .site import summary_title as title  # one wording for the page and the index's link
from .templating import render
from .validate import Checked, check_many
from .wording import Wording, defaults

if TYPE_CHECKING:
    from .model import BureauYear



def sum_years(items: list[BureauYear]) -> BureauYear:
    """One BureauYear whose every typed cell is the sum over ``items`` (at least one)."""
    def add(rows):
        return [sum(col) for col in zip(*rows)]

    apps: dict = {}
    for path in load_spec().app_leaf_rows():
        if path == ("total",):
            continue
        rows = [d.given_app_row(path)[:6] for d in items]
        if len(path) == 1:
            apps[path[0]] = add(rows)
        else:
            apps.setdefault(path[0], {})[path[1]] = add(rows)
    categories: dict[str, int] = {}
    for d in items:
        for name, n in d.disclosed.categories.items():
            categories[name] = categories.get(name, 0) + n
    docs = lambda key: {col: sum(getattr(getattr(d.proactive, key), col) for d in items)
                        for col in ("issued", "repealed", "in_force")}
    return model.BureauYear.model_validate({
        "published": max(d.published for d in items),
        "disclosed": {"total": sum(d.disclosed.total for d in items), "categories": categories},
        "proactive": {"regulations": docs("regulations"), "normative_documents": docs("normative_documents"),
                      **{k: sum(getattr(d.proactive, k) for d in items) for k in ("licensing", "penalty", "enforcement")},
                      "fees": sum((d.proactive.fees for d in items), Decimal(0))},
        "applications": apps,
        "review_litigation": {g.key: add([getattr(d.review_litigation, g.key)[:4] for d in items])
                              for g in load_spec().review_groups},
        "processing_fees": {"notices": sum(d.processing_fees.notices for d in items),
                            "amount": sum((d.processing_fees.amount for d in items), Decimal(0)),
                            "collected": sum((d.processing_fees.collected for d in items), Decimal(0))},
    })


@dataclass
class CityYear:
    """Everything the roll-up shows for one year."""

    year: int
    government: str
    registry: dict[str, Bureau]
    valid: list[Checked]
    invalid: list[Checked]
    missing: list[str]
    failed: dict[str, str] = field(default_factory=dict)
    total: Optional[BureauYear] = None
    history: dict[int, BureauYear] = field(default_factory=dict)
    wording: Wording = field(default_factory=lambda: defaults("summary"))

    @classmethod
    def load(cls, params_dir: Union[str, Path], year: int, output: Union[str, Path, None] = None) -> "CityYear":
        params_dir = params.find_params_dir(params_dir)
        year = int(year) or max(params.years(params_dir), default=0)  # 0: the latest (a look in Lab)
        registry = params.load_registry(params_dir)
        checked = check_many(params_dir, [int(year)])
        valid = [c for c in checked if c.ok]
        present = {c.bureau for c in checked}
        failed = {}
        if output:
            for bureau, entry in manifest.read(Path(output) / str(year)).items():
                if entry.status == "failed" and bureau in {c.bureau for c in valid}:
                    failed[bureau] = entry.error or ""
        history = {}
        for y in range(int(year) - TREND_YEARS + 1, int(year)):
            earlier = [c.data for c in check_many(params_dir, [y]) if c.ok] if (params_dir / str(y)).is_dir() else []
            if earlier:
                history[y] = sum_years(earlier)
        government = params.government_of(registry)
        invalid = [replace(c, findings=[params.portable(f, params_dir) for f in c.findings])  # no cwd or
                   for c in checked if not c.ok]                                          # absolute paths
        return cls(int(year), government, registry, valid, invalid,
                   sorted(set(registry) - present), failed,
                   sum_years([c.data for c in valid]) if valid else None, history)

    def name(self, bureau: str) -> str:
        entry = self.registry.get(bureau)
        return entry.name if entry else bureau

    # --- fragments ----------------------------------------------------------------------
    @property
    def title(self) -> str:
        return title(self.government, self.year)

    def words(self, section: str, templates: dict[str, str]) -> None:
        """Word the roll-up's sentences of ``section`` (the notebook's ``wording`` cells)."""
        self.wording.update(section, templates)

    def style(self) -> LabStyle:
        """The report's CSS scoped to JupyterLab (a ``remove-cell`` in the notebook)."""
        return LabStyle()

    def header(self) -> Fragment:
        lead = self.wording.say("前言", "说明", 政府=self.government, 年度=self.year, 部门数=len(self.valid),
                                有误=len(self.invalid), 未报送=len(self.missing))
        return Fragment(render("summary_header.html.j2", city=self, lead=lead))

    def tables(self) -> Fragment:
        """The three official tables, summed; same layout as a bureau's report."""
        t = self.total
        return Fragment(render("summary_tables.html.j2",
                               proactive=Markup(tables.proactive_table(t)),
                               applications=Markup(tables.applications_table(t)),
                               review=Markup(tables.review_table(t)),
                               chart=Markup(self.outcomes_chart()), n=len(self.valid)))

    def outcomes_chart(self) -> str:
        totals = self.total.outcome_totals() if self.total else {}
        return charts.hbar([OUTCOME_WORDS[k] for k in totals], list(totals.values()),
                           f"图1 {self.year}年全市政府信息公开申请办理结果", empty_text="本年度无办理结果")

    def rankings(self) -> Fragment:
        rows = []
        for c in self.valid:
            cells = c.data.app_cells()
            handled = cells[("total",)]["total"]
            disclosed = c.data.outcome_totals()["disclosed"]
            rows.append({"id": c.bureau, "name": self.name(c.bureau), "received": cells[("new",)]["total"],
                         "handled": handled, "disclosed": disclosed,
                         "share": disclosed / handled if handled else None,
                         "share_text": percent(disclosed, handled) if handled else "—"})
        by_received = sorted(rows, key=lambda r: (-r["received"], r["id"]))
        by_share = sorted([r for r in rows if r["share"] is not None], key=lambda r: (-r["share"], -r["handled"], r["id"]))
        return Fragment(render("summary_rankings.html.j2", by_received=by_received, by_share=by_share,
                               no_handled=[r for r in rows if r["share"] is None]))

    def reviews(self) -> Fragment:
        """Reviews and suits by outcome, city-wide and per bureau that had any."""
        groups = [(g.key, g.label.replace(" / ", "（") + ("）" if " / " in g.label else "")) for g in load_spec().review_groups]
        cols = [(c.key, c.label) for c in load_spec().review_columns]
        per_bureau = []
        for c in self.valid:
            cells = c.data.review_cells()
            if any(cells[g]["total"] for g, _ in groups):
                per_bureau.append({"name": self.name(c.bureau), "cells": cells})
        return Fragment(render("summary_reviews.html.j2", groups=groups, cols=cols,
                               total=self.total.review_cells() if self.total else None,
                               per_bureau=per_bureau, none=self.wording.say("四", "无复议诉讼")))

    def quality(self) -> Fragment:
        return Fragment(render("summary_quality.html.j2", city=self,
                               all_valid=self.wording.say("六", "全部有效", 部门数=len(self.valid)),
                               invalid=[(self.name(c.bureau), c.bureau, [str(f) for f in c.errors])
                                        for c in self.invalid]))

    def trends(self) -> Fragment:
        """Year-over-year totals when earlier years exist."""
        if not self.history or not self.total:
            return Fragment("")
        years = sorted(self.history) + [self.year]
        series = {**self.history, self.year: self.total}
        figures = {y: key_figures(series[y]) for y in years}
        prev = figures[years[-2]]
        now = figures[self.year]
        labels = [("disclosed", "主动公开政府信息", "条"), ("received", "新收申请", "件"),
                  ("handled", "办结申请", "件"), ("reviews", "行政复议", "件"), ("suits", "行政诉讼", "件")]
        names = {"disclosed": "主动公开", "received": "新收", "handled": "办结", "reviews": "复议", "suits": "诉讼"}
        values = {}
        for k, _, unit in labels:
            values[names[k]] = now[k]
            values[names[k] + "较上年"] = change(now[k], prev[k], unit)
        lead = self.wording.say("七", "比较", **values)
        chart = charts.trend(years, {"新收申请": [figures[y]["received"] for y in years],
                                     "办结": [figures[y]["handled"] for y in years]},
                             f"图2 {years[0]}—{years[-1]}年全市政府信息公开申请情况")
        return Fragment(render("summary_trends.html.j2", years=years, figures=figures, labels=labels,
                               lead=lead, chart=Markup(chart)))

    def signature(self) -> Fragment:
        date = date_cn(self.total.published) if self.total else ""
        return Fragment(render("signature.html.j2", name=f"{self.government}办公室（汇总）", date=date))
