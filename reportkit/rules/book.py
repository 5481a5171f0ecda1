"""The rule book: every rule once — id, severity, the cells it reads, the check, the message.

A rule is a function registered with :func:`rule`; it receives a :class:`Subject` (one
report's cells and text, from a params file or a published page) and yields
:class:`Equation` s (arithmetic the engine evaluates on printed cells) or ready
:class:`~reportkit.errors.Finding` s (text and publication checks). validate, build's
pre-check and audit all run :func:`run`; adding a rule is one decorated function plus its tests.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Optional, Union

from ..errors import Finding
from ..spec import Spec
from .cells import Cells, Number


@dataclass(frozen=True)
class Paragraph:
    """One paragraph of narrative: its section (一…六), text and where it is."""

    section: str
    text: str
    field: str = ""                  # params path (narrative.overview[1]) or "" for a page
    line: Optional[int] = None


@dataclass
class Subject:
    """What the rules read of one report."""

    spec: Spec
    file: str
    year: int
    cells: Cells
    paragraphs: list[Paragraph] = field(default_factory=list)
    published: Optional[dt.date] = None
    kind: str = "department"          # department | government (条例第四十九条)
    name: str = ""
    previous: Optional["Subject"] = None
    level: Optional[str] = None
    generated: bool = False           # our own params: sections 一–六 partly written by reportkit
    neighbours: dict[str, str] = field(default_factory=dict)   # other bureaus' paragraphs → bureau
    source_text: bool = True          # False when the page's text could not be read
    title: str = ""
    itemised: dict[str, int] = field(default_factory=dict)      # 主动公开 categories quoted in the text
    problems: Optional[list[str]] = None   # 五 's listed problems of a page (a params file's: its paragraphs)

    def value(self, key: str) -> Optional[Number]:
        if "@" in key:
            key, _ = key.split("@", 1)
            return self.previous.cells.value(key) if self.previous else None
        return self.cells.value(key)

    def section(self, n: str) -> list[Paragraph]:
        return [p for p in self.paragraphs if p.section == n]

    def listed_problems(self) -> list[str]:
        """Section 五's listed problems (存在的主要问题), not its improvements: narrative.problems of a
        params file, the problems part of a page as the importer splits it, else the whole section."""
        if self.problems is not None:
            return list(self.problems)
        own = [p.text for p in self.section("五") if p.field.startswith("narrative.problems")]
        return own or [p.text for p in self.section("五") if not p.field]


@dataclass
class Equation:
    """found = expected over cells: ``{cell: coefficient}`` on each side."""

    found: dict[str, int]
    expected: dict[str, int]
    where: str                        # what part of the table: a column or row label
    message: str
    field: str = ""                   # params path to point at (validate)
    column: Optional[str] = None      # the table column of a column-wise rule (总计 echoes the others)
    group: str = ""                   # instances of one rule over the same rows (R2: the group key)

    @property
    def keys(self) -> list[str]:
        return list(dict.fromkeys([*self.found, *self.expected]))


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str
    title: str                         # one line, for README and the audit page
    reads: str                         # which cells (from the format)
    check: Callable[[Subject], Iterable[Union[Equation, Finding]]]
    cross_year: bool = False           # needs last year's report

    @property
    def short(self) -> str:
        return self.id.split("-", 1)[0]


RULES: dict[str, Rule] = {}


def rule(id: str, *, title: str, reads: str, severity: str = "error", cross_year: bool = False):
    """Register a check under its rule id (one place per rule)."""
    def register(fn):
        RULES[id] = Rule(id, severity, title, reads, fn, cross_year)
        return fn
    return register


@dataclass
class Outcome:
    """Findings of one report and the rules (with where) left unchecked for unread cells."""

    findings: list[Finding] = field(default_factory=list)
    unchecked: dict[str, list[str]] = field(default_factory=dict)
    checks: list[tuple[Rule, Equation, Number]] = field(default_factory=list)   # evaluated: residual

    def unchecked_lines(self, n_columns: int) -> list[str]:
        out = []
        for rule_id, where in self.unchecked.items():
            where = list(dict.fromkeys(where))
            out.append(f"{rule_id}（各列）" if len(where) >= n_columns and rule_id.startswith(
                ("R2", "R3", "R4", "R5", "R6", "R7")) else f"{rule_id}（{'、'.join(where)}）")
        return out


def evaluate(subject: Subject, eq: Equation) -> tuple[Number, Number]:
    """(found, expected) of an equation on the subject's values."""
    def side(terms):
        return sum((c * subject.value(k) for k, c in terms.items()), 0)
    return side(eq.found), side(eq.expected)


def _unread(subject: Subject, key: str) -> bool:
    if "@" in key:
        key = key.split("@", 1)[0]
        prev = subject.previous
        return prev is None or prev.cells.is_unread(key) or not prev.cells.has(key)
    return subject.cells.is_unread(key)


def run(subject: Subject, rules: Optional[Iterable[Rule]] = None) -> Outcome:
    """Every applicable rule on one subject; cascades merged into root causes."""
    from .causes import merge

    out = Outcome()
    for r in (rules if rules is not None else RULES.values()):
        if r.cross_year and subject.previous is None:
            continue
        for item in r.check(subject):
            if isinstance(item, Finding):
                out.findings.append(item)
                continue
            keys = item.keys
            if any(_unread(subject, k) for k in keys):
                out.unchecked.setdefault(r.id, []).append(item.where)
                continue
            if any(not subject.cells.has(k) for k in keys if "@" not in k):
                continue                  # not in this layout
            if all(k in subject.cells.derived for k in item.found):
                continue                  # nothing printed to check: a derived value is no finding
            found, expected = evaluate(subject, item)
            out.checks.append((r, item, found - expected))
    out.findings = merge(subject, out) + out.findings
    return out


def stable_ids(findings: list[Finding]) -> list[Finding]:
    """Give each finding an id from its file (folder and name: params files of different years share a
    name), rule and cells (repeats numbered); the same wherever the command runs from."""
    import dataclasses

    seen: dict[str, int] = {}
    out = []
    for f in findings:
        base = f"{'/'.join(Path(f.file).parts[-2:])}|{f.rule}|{','.join(f.cells)}|{f.sentence or ''}"
        n = seen.get(base, 0)
        seen[base] = n + 1
        digest = hashlib.sha1((base + (f"#{n}" if n else "")).encode("utf-8")).hexdigest()[:12]
        out.append(dataclasses.replace(f, id=digest))
    return out
