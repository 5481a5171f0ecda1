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


GOVERNMENT = re.compile(r"(?:省|市|县|区|州|旗|盟)人民政府$|人民政府办公(?:厅|室)$")


def kind_of_issuer(issuer: str) -> str:
    """A published report's issuer: a 县级以上地方人民政府 (or its 办公厅/室) or a department."""
    return "government" if GOVERNMENT.search(issuer or "") else "department"


def from_imported(imp, spec: Spec, bad=()) -> Subject:
    """A published report read back by the importer (values it could not read stay unread)."""
    p = imp.params
    absent = {c.key for c in imp.report.unread if c.reason and "2019" in c.reason}
    cells = cellsmod.from_values(imp.values, spec, bad=bad, absent=absent, fee_notices=p["processing_fees"].get("notices"),
                                 disclosed=p["disclosed"].get("total"))
    paragraphs = [Paragraph("", line) for line in imp.text.preamble]
    for n, lines in imp.text.sections.items():
        paragraphs += [Paragraph(n, line) for line in lines]
    return Subject(spec, imp.source, imp.year, cells, paragraphs, published=p.get("published"),
                   kind=kind_of_issuer(imp.issuer), name=imp.issuer, title=imp.text.title or "",
                   itemised=dict(p["disclosed"].get("categories") or {}),
                   source_text=bool(imp.text.sections))
