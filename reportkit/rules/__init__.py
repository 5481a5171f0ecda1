"""The rule book: R1–R10, T1–T5, P1–P3, D1–D2 and the format's warnings, each defined once.

``run(subject)`` applies every rule to one :class:`Subject` — a params file (validate and
build's pre-check) or a published report (audit) — and gives findings of one shape. A new rule
is one function decorated with :func:`rule` in the module of its kind (tables, text,
publication, drafts) plus its tests; its id is listed in the format file's ``rules``.
"""
from __future__ import annotations

from typing import Optional

from ..errors import Finding
from ..spec import Spec, load_spec
from . import tables, text, publication, drafts  # noqa: F401  (registers the rules, in book order)
from .book import RULES, Equation, Outcome, Paragraph, Rule, Subject, rule, run, stable_ids
from .subjects import field_of, from_imported, from_params, with_fields

__all__ = ["RULES", "Equation", "Outcome", "Paragraph", "Rule", "Subject", "rule", "run", "stable_ids",
           "from_imported", "from_params", "field_of", "with_fields", "check_year"]


def check_year(data, file: str, bureau=None, previous=None, *, year: Optional[int] = None,
               spec: Optional[Spec] = None) -> list[Finding]:
    """Every rule on one bureau's year (kept for callers of the old ``rules.check_year``)."""
    spec = spec or load_spec()
    year = year or data.published.year - 1
    return with_fields(run(from_params(data, spec, file, year, bureau=bureau, previous=previous)).findings, data, spec)
