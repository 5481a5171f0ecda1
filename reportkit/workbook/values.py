"""Figures between a params year and the workbook's cell keys, both ways.

Keys are those of the official grids (:mod:`reportkit.tables`): ``proactive.licensing.count``,
``applications.withheld.state_secret.natural_person``, ``review_litigation.review.upheld``;
plus ``disclosed.*``, ``processing_fees.*`` and ``previous.<row>.in_force`` (last year's base).
"""
from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any, Optional

from ..spec import load_spec

if TYPE_CHECKING:
    from ..model import BureauYear


def figures_of(data: BureauYear) -> dict[str, Any]:
    """Every input figure of ``data`` by cell key (derived cells left out: they are formulas)."""
    out: dict[str, Any] = {}
    for row in load_spec().proactive_rows:
        value = data.proactive.cell(row.key)
        if row.key in ("regulations", "normative_documents"):
            out.update({f"proactive.{row.key}.{c}": getattr(value, c) for c in ("issued", "repealed", "in_force")})
        else:
            out[f"proactive.{row.key}.{'amount' if row.decimal else 'count'}"] = value
    for path, row in data.app_cells().items():
        if path != ("total",):
            out.update({f"applications.{'.'.join(path)}.{c.key}": row[c.key] for c in load_spec().app_figure_columns})
    for group, row in data.review_cells().items():
        out.update({f"review_litigation.{group}.{c}": v for c, v in row.items() if c != "total"})
    out["disclosed.total"] = data.disclosed.total
    for i, (name, n) in enumerate(data.disclosed.categories.items()):
        out[f"disclosed.categories[{i}].name"] = name
        out[f"disclosed.categories[{i}].count"] = n
    out.update({f"processing_fees.{k}": v for k, v in data.processing_fees.model_dump().items()})
    return out


def carry_over_of(previous: Optional[BureauYear]) -> dict[str, Any]:
    """Last year's figures that this year's workbook shows locked: 二、上年结转 and 现行有效 base."""
    if previous is None:
        return {}
    forward = previous.app_cells()[("carried_forward",)]
    out = {f"applications.carried_over.{c.key}": forward[c.key] for c in load_spec().app_figure_columns}
    for key in ("regulations", "normative_documents"):
        out[f"previous.{key}.in_force"] = previous.proactive.cell(key).in_force
    return out


def params_of(values: dict[str, Any], published, narrative: dict[str, list[str]]) -> dict:
    """The params mapping (layout of ``params/<year>/<id>.yaml``) from cell values by key.

    Rows of table 三 get their seven figures (总计 computed), table 四 its five; the （七）
    row is computed; group subtotals are left out (derived, optional in the params).
    """
    proactive: dict[str, Any] = {}
    for row in load_spec().proactive_rows:
        if row.key in ("regulations", "normative_documents"):
            proactive[row.key] = {c: values[f"proactive.{row.key}.{c}"] for c in ("issued", "repealed", "in_force")}
        else:
            proactive[row.key] = values[f"proactive.{row.key}.{'amount' if row.decimal else 'count'}"]
    cols = [c.key for c in load_spec().app_figure_columns]
    applications: dict[str, Any] = {}
    outcome = [p for p in load_spec().app_leaf_rows() if p[0] not in ("new", "carried_over", "total", "carried_forward")]
    for path in load_spec().app_leaf_rows():
        if path == ("total",):
            figures = [sum(values[f"applications.{'.'.join(p)}.{c}"] for p in outcome) for c in cols]
        else:
            figures = [values[f"applications.{'.'.join(path)}.{c}"] for c in cols]
        row = figures + [sum(figures)]
        if len(path) == 1:
            applications[path[0]] = row
        else:
            applications.setdefault(path[0], {})[path[1]] = row
    review = {}
    for group in load_spec().review_groups:
        figures = [values[f"review_litigation.{group.key}.{c.key}"] for c in load_spec().review_columns if c.key != "total"]
        review[group.key] = figures + [sum(figures)]
    categories = {}
    i = 0
    while f"disclosed.categories[{i}].name" in values:
        name, n = values[f"disclosed.categories[{i}].name"], values[f"disclosed.categories[{i}].count"]
        if name is not None:
            categories[name] = n
        i += 1
    fees = {k.split(".", 1)[1]: v for k, v in values.items() if k.startswith("processing_fees.")}
    return {
        "published": published,
        "disclosed": {"total": values["disclosed.total"], "categories": categories},
        "proactive": proactive,
        "applications": applications,
        "review_litigation": review,
        "processing_fees": fees,
        "narrative": {k: v for k, v in narrative.items() if v},
    }


def same_figures(a: BureauYear, b: BureauYear) -> list[str]:
    """The keys whose figures or paragraphs differ between two params years ([] if none)."""
    fa, fb = figures_of(a), figures_of(b)
    diff = [k for k in fa.keys() | fb.keys() if fa.get(k) != fb.get(k)
            and not (isinstance(fa.get(k), Decimal) and Decimal(fa[k]) == Decimal(fb.get(k) or -1))]
    diff += [f"narrative.{k}" for k in type(a.narrative).model_fields
             if a.narrative.paragraphs(k) != b.narrative.paragraphs(k)]
    diff += ["published"] if a.published != b.published else []
    return sorted(diff)
