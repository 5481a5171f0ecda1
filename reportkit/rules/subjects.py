"""Subjects the rule book reads: a params file (validate, build) or a published report (audit)."""
from __future__ import annotations

import re
from typing import Callable, Optional

from ..spec import Spec
from . import cells as cellsmod
from .book import Paragraph, Subject

NARRATIVE_SECTIONS = {"overview": "一", "proactive": "一", "on_request": "一", "management": "一", "platform": "一",
                      "supervision": "一", "problems": "五", "improvements": "五", "other": "六"}


def narrative_paragraphs(data, locate: Optional[Callable[[str], Optional[int]]] = None) -> list[Paragraph]:
    """The bureau's own paragraphs with their params path and line."""
    out = []
    for key, section in NARRATIVE_SECTIONS.items():
        value = getattr(data.narrative, key)
        if isinstance(value, list):
            items = [(f"narrative.{key}[{i}]", text) for i, text in enumerate(value)]
        else:
            items = [(f"narrative.{key}", text) for text in re.split(r"\n\s*\n", value)]
        for field, text in items:
            if text.strip():
                out.append(Paragraph(section, text, field, locate(field) if locate else None))
    return out


def from_params(data, spec: Spec, file: str, year: int, *, bureau=None, previous=None,
                locate: Optional[Callable[[str], Optional[int]]] = None,
                neighbours: Optional[dict[str, str]] = None) -> Subject:
    """One params/<year>/<id>.yaml as the rules see it (``previous`` is last year's BureauYear)."""
    prev = from_params(previous, spec, file, year - 1) if previous is not None else None
    return Subject(spec, file, year, cellsmod.from_year(data, spec), narrative_paragraphs(data, locate),
                   published=data.published, kind=getattr(bureau, "kind", "department") if bureau else "department",
                   name=bureau.name if bureau else "", previous=prev, level=bureau.level if bureau else None,
                   generated=True, neighbours=dict(neighbours or {}), itemised=dict(data.disclosed.categories))


def field_of(cell: str, data, spec: Spec) -> Optional[str]:
    """The params path of a format cell (applications.new.natural_person → applications.new[0]);
    None for a cell the file leaves out (a derived total)."""
    parts = cell.split(".")
    if parts[0] == "applications":
        path, col = tuple(parts[1:-1]), parts[-1]
        cols = [c.key for c in spec.app_columns]
        try:
            given = data.given_app_row(path)
        except AttributeError:
            given = None
        i = cols.index(col) if col in cols else None
        if given is None or i is None or i >= len(given):
            return None
        return f"applications.{'.'.join(path)}[{i}]"
    if parts[0] == "review_litigation":
        i = [c.key for c in spec.review_columns].index(parts[2])
        given = getattr(data.review_litigation, parts[1])
        return f"review_litigation.{parts[1]}[{i}]" if i < len(given) else None
    if parts[0] == "proactive" and parts[-1] in ("count", "amount"):
        return ".".join(parts[:2])
    return cell


def with_fields(findings: list, data, spec: Spec) -> list:
    """Point each table finding at the params path of its cause or first given cell."""
    import dataclasses

    out = []
    for f in findings:
        if not f.field and (f.cause or f.cells):
            field = next((x for c in (f.cause, *f.cells) if c and "@" not in c
                          and (x := field_of(c, data, spec))), "")
            f = dataclasses.replace(f, field=field)
        out.append(f)
    return out


GOVERNMENT = re.compile(r"(?:省|市|县|区|州|旗|盟)人民政府$|人民政府办公(?:厅|室)$")


def kind_of_issuer(issuer: str) -> str:
    """A published report's issuer: a 县级以上地方人民政府 (or its 办公厅/室) or a department."""
    return "government" if GOVERNMENT.search(issuer or "") else "department"


def from_imported(imp, spec: Spec, bad=()) -> Subject:
    """A published report read back by the importer (values it could not read stay unread)."""
    p = imp.params
    absent = {c.key for c in imp.report.unread if c.reason and "2019" in c.reason}
    cells = cellsmod.from_values(imp.values, spec, bad=bad, absent=absent, fee_notices=p["processing_fees"].get("notices"),
                                 disclosed=p["disclosed"].get("total"),
                                 blank={k for k, c in imp.report.cells.items() if c.status == "blank"})
    paragraphs = [Paragraph("", line) for line in imp.text.preamble]
    for n, lines in imp.text.sections.items():
        paragraphs += [Paragraph(n, line) for line in lines]
    return Subject(spec, imp.source, imp.year, cells, paragraphs, published=p.get("published"),
                   kind=kind_of_issuer(imp.issuer), name=imp.issuer, title=imp.text.title or "",
                   itemised=dict(p["disclosed"].get("categories") or {}),
                   problems=list((p.get("narrative") or {}).get("problems") or []),
                   source_text=bool(imp.text.sections))
