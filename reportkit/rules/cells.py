"""The cells a rule reads: printed (given) figures, derived ones where the data leave them out.

A key names one cell of the format, ``applications.new.natural_person``,
``review_litigation.review.total``, ``proactive.normative_documents.in_force``. The same keys
serve params files (validate) and published reports read back (audit), so a finding names the
same cells in both. A derived cell carries the printed cells it is computed from, so a check
that reads it is a check on printed cells only; a cell that could not be read is *unread* and
every rule that reads it is "not checked".
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Iterable, Mapping, Optional, Union

from ..spec import Spec

Number = Union[int, Decimal]
LEADS = ("new", "carried_over", "carried_forward")


def app_key(path: Union[tuple, str], col: str) -> str:
    path = path if isinstance(path, str) else ".".join(path)
    return f"applications.{path}.{col}"


@dataclass
class Cells:
    """Printed values, derived values (with their printed terms) and unread cells of one report."""

    spec: Spec
    printed: dict[str, Number] = field(default_factory=dict)
    derived: dict[str, tuple[Number, dict[str, int]]] = field(default_factory=dict)
    unread: set[str] = field(default_factory=set)
    blank: set[str] = field(default_factory=set)      # printed empty (counted as 0): said so in findings

    def shown(self, key: str) -> str:
        """A cell's value as a finding says it: 空白 for a cell printed empty."""
        return "空白" if key in self.blank and key in self.printed else str(self.value(key))

    def has(self, key: str) -> bool:
        return key in self.printed or key in self.derived or key in self.unread

    def value(self, key: str) -> Optional[Number]:
        if key in self.printed:
            return self.printed[key]
        if key in self.derived:
            return self.derived[key][0]
        return None

    def terms(self, key: str) -> dict[str, int]:
        """The printed cells a value is made of: itself, or a derived cell's terms."""
        return dict(self.derived[key][1]) if key in self.derived else {key: 1}

    def is_unread(self, key: str) -> bool:
        if key in self.unread:
            return True
        return key in self.derived and any(t in self.unread for t in self.derived[key][1])

    def derive(self, key: str, parts: Iterable[str]) -> None:
        """Compute ``key`` as the sum of ``parts`` when the data leave it out."""
        if key in self.printed or key in self.unread:
            return
        parts = [p for p in parts if self.has(p)]
        if not parts:
            return
        terms: dict[str, int] = {}
        for p in parts:
            for t, c in self.terms(p).items():
                terms[t] = terms.get(t, 0) + c
        value = sum((self.value(p) or 0 for p in parts), 0)
        self.derived[key] = (value, terms)

    # --- the format's structure, shared by both sources ---------------------------------
    def outcome_parts(self, col: str) -> list[str]:
        """The cells （七）总计 adds up in one column: a group's items, or its one printed row
        (the 2019 layout prints （六）其他处理 as a single row)."""
        out = []
        for row in self.spec.outcome_rows:
            if row.key == "total":
                continue
            if not row.is_group:
                out.append(app_key((row.key,), col))
                continue
            leaves = [app_key((row.key, leaf.key), col) for leaf in row.children]
            if any(self.has(k) for k in leaves):
                out.extend(leaves)
            elif self.has(app_key((row.key, "subtotal"), col)):
                out.append(app_key((row.key, "subtotal"), col))
        return out

    def complete(self) -> "Cells":
        """Derive what the data leave out: row totals, （七）总计, table 四 totals."""
        spec = self.spec
        figs = [c.key for c in spec.app_figure_columns]
        for path in spec.app_leaf_rows():
            if path != ("total",):
                self.derive(app_key(path, "total"), [app_key(path, c) for c in figs])
        for group in spec.outcome_groups:
            sub = (group.key, "subtotal")
            if any(app_key(sub, c) in self.printed for c in figs):
                self.derive(app_key(sub, "total"), [app_key(sub, c) for c in figs])
        for col in figs + ["total"]:
            self.derive(app_key(("total",), col), self.outcome_parts(col))
        rcols = [c.key for c in spec.review_columns if c.key != "total"]
        for g in spec.review_groups:
            self.derive(f"review_litigation.{g.key}.total", [f"review_litigation.{g.key}.{c}" for c in rcols])
        return self


def from_year(data, spec: Spec) -> Cells:
    """The cells of a params file (a :class:`~reportkit.model.BureauYear`): what it gives."""
    cells = Cells(spec)
    cols = [c.key for c in spec.app_columns]
    paths = list(spec.app_leaf_rows()) + [(g.key, "subtotal") for g in spec.outcome_groups]
    for path in paths:
        given = data.given_app_row(path)
        for col, value in zip(cols, given or ()):
            cells.printed[app_key(path, col)] = value
    rcols = [c.key for c in spec.review_columns]
    for g in spec.review_groups:
        for col, value in zip(rcols, getattr(data.review_litigation, g.key)):
            cells.printed[f"review_litigation.{g.key}.{col}"] = value
    for row in spec.proactive_rows:
        value = getattr(data.proactive, row.key)
        if hasattr(value, "in_force"):
            for col in ("issued", "repealed", "in_force"):
                cells.printed[f"proactive.{row.key}.{col}"] = getattr(value, col)
        else:
            cells.printed[f"proactive.{row.key}.{'amount' if row.decimal else 'count'}"] = value
    cells.printed["processing_fees.notices"] = data.processing_fees.notices
    cells.printed["disclosed.total"] = data.disclosed.total
    return cells.complete()


def from_values(values: Mapping[str, Optional[Number]], spec: Spec, *, bad: Iterable[str] = (),
                absent: Iterable[str] = (), fee_notices: Optional[int] = None,
                disclosed: Optional[int] = None, blank: Iterable[str] = ()) -> Cells:
    """The cells of a published report read back: ``None`` (or a value in ``bad``) is unread;
    ``absent`` cells are not in the report's layout at all (the 2019 format's missing rows);
    ``blank`` cells were printed empty (their value is 0)."""
    cells = Cells(spec, blank=set(blank))
    bad, absent = set(bad), set(absent)
    for key, value in values.items():
        if key in absent:
            continue
        if value is None or key in bad:
            cells.unread.add(key)
        else:
            cells.printed[key] = value
    if fee_notices is not None:
        cells.printed["processing_fees.notices"] = fee_notices
    if disclosed is not None:
        cells.printed["disclosed.total"] = disclosed
    return cells.complete()


def suffixed(cells: Cells, suffix: str) -> dict[str, Number]:
    """Another report's printed and derived values under ``key@suffix`` (cross-year rules)."""
    out = {f"{k}@{suffix}": v for k, v in cells.printed.items()}
    out.update({f"{k}@{suffix}": v for k, (v, _) in cells.derived.items()})
    return out
