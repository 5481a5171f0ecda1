"""Root causes, not cascades: one wrong printed cell that breaks several equations is one finding.

Every arithmetic rule is a linear equation over printed cells. For a candidate cell we move it
by the amount one broken equation needs, let the printed sums that hold follow it (a row's 总计
typed by a spreadsheet moves with its figure), and see which equations that fixes and whether
it breaks one that held. When a single cell fixes several broken equations and breaks none, the
findings are said once: the first rule's finding, naming that cell and the other rules it explains.
"""
from __future__ import annotations

from typing import Optional

from ..errors import Finding
from .book import Equation, Outcome, Rule, Subject, evaluate

SUM_RULES = ("R1", "R2", "R3", "R4", "R5", "R6")      # found cell = sum of the expected cells


def coefficients(subject: Subject, eq: Equation) -> dict[str, int]:
    """found − expected as coefficients of printed cells (derived cells expanded)."""
    out: dict[str, int] = {}
    for side, sign in ((eq.found, 1), (eq.expected, -1)):
        for key, c in side.items():
            terms = {key: 1} if "@" in key else subject.cells.terms(key)
            for t, k in terms.items():
                out[t] = out.get(t, 0) + sign * c * k
    return {k: v for k, v in out.items() if v}


def _moves(cell: str, sums: list[tuple[str, set[str]]]) -> set[str]:
    """The cell and every printed sum (that holds) that follows it."""
    moved, changed = {cell}, True
    while changed:
        changed = False
        for target, parts in sums:
            if target not in moved and parts & moved:
                moved.add(target)
                changed = True
    return moved


def _explain(subject, cell, broken, holding, sums) -> Optional[tuple[frozenset, object]]:
    moved = _moves(cell, sums)
    d = None
    fixed = set()
    for i, (coef, residual) in broken.items():
        f = sum(coef.get(m, 0) for m in moved)
        if not f:
            continue
        if d is None:
            d = -residual / f
        if residual + f * d != 0:
            return None
        fixed.add(i)
    if d is None or any(sum(coef.get(m, 0) for m in moved) for coef in holding):
        return None
    value = subject.cells.value(cell)
    if value is None or value + d < 0 or d != int(d):
        return None
    return frozenset(fixed), value + int(d)


def merge(subject: Subject, out: Outcome) -> list[Finding]:
    """Findings of the evaluated equations, cascades of one cell said once."""
    checks = list(out.checks)
    coefs = [coefficients(subject, eq) for _, eq, _ in checks]
    errors = {i: (coefs[i], res) for i, (r, _, res) in enumerate(checks) if res and r.severity == "error"}
    holding = [coefs[i] for i, (_, _, res) in enumerate(checks) if not res]
    sums = []
    for i, (r, eq, res) in enumerate(checks):
        if not res and r.short in SUM_RULES and len(eq.found) == 1:
            target = next(iter(eq.found))
            if target in subject.cells.printed:
                sums.append((target, {k for k, c in coefs[i].items() if c < 0}))
    groups: list[tuple[list[int], Optional[str], object]] = []
    left = dict(errors)
    for head, echoes in _echoes(checks, errors).items():
        groups.append(([head, *echoes], None, None))
        for i in echoes:
            left.pop(i, None)
    while len(left) > 1:
        candidates: dict[frozenset, list[tuple[str, object]]] = {}
        for cell in sorted({k for coef, _ in left.values() for k in coef}):
            if "@" in cell or cell not in subject.cells.printed:
                continue
            hit = _explain(subject, cell, left, [c for c in holding], sums)
            if hit and len(hit[0]) > 1:
                candidates.setdefault(hit[0], []).append((cell, hit[1]))
        if not candidates:
            break
        best = max(candidates, key=lambda s: (len(s), -min(s)))
        cause = candidates[best]
        groups.append((sorted(best), cause[0][0] if len(cause) == 1 else None,
                       cause[0][1] if len(cause) == 1 else None))
        for i in best:
            left.pop(i)
    heads: dict[int, tuple[list[int], Optional[str], object]] = {}
    owner: dict[int, int] = {}              # member → its group's head
    for g, cause, value in groups:          # echo and cause groups chain: fold them into one
        head = owner.get(g[0], g[0])
        members, c, v = heads.get(head, ([head], None, None))
        for i in g:
            if i == head or i in members:
                continue
            members.append(i)
            for j in heads.pop(i, ([], None, None))[0][1:]:
                members.append(j)
                owner[j] = head
            owner[i] = head
        heads[head] = (members, cause or c, value if cause else v)
    merged = {i for g, _, _ in heads.values() for i in g[1:]}
    findings = []
    for i, (r, eq, res) in enumerate(checks):
        if not res or i in merged:
            continue
        found, expected = evaluate(subject, eq)
        if len(eq.found) == 1 and found == 0:      # a single cell printed empty is said to be 空白, not 0
            found = subject.cells.shown(next(iter(eq.found)))
        f = Finding(subject.file, eq.field, r.id, eq.message, str(expected), str(found), severity=r.severity,
                    cells=tuple(eq.keys))
        if i in heads:
            f = _headline(f, [checks[j] for j in heads[i][0][1:]], heads[i][1], heads[i][2], subject)
        findings.append(f)
    return findings


def _echoes(checks, errors) -> dict[int, list[int]]:
    """总计-column breaks that only add up the same rule's breaks in the other columns.

    Where the row totals hold (R1), a rule's instance in the 总计 column is the sum of its
    instances in the six columns; its break repeats theirs and is folded into the first one."""
    r1_broken = {k for i, (r, eq, res) in enumerate(checks) if res and r.short == "R1" for k in eq.keys}
    out: dict[int, list[int]] = {}
    for i, (r, eq, res) in enumerate(checks):
        if i not in errors or eq.column != "total" or set(eq.keys) & r1_broken:
            continue
        siblings = [j for j, (r2, eq2, _) in enumerate(checks)
                    if r2.id == r.id and eq2.group == eq.group and eq2.column not in (None, "total")]
        broken = [j for j in siblings if j in errors]
        if broken and sum(checks[j][2] for j in siblings) == res:
            out.setdefault(broken[0], []).append(i)
    return out


def _headline(f: Finding, others: list[tuple[Rule, Equation, object]], cause, value, subject) -> Finding:
    import dataclasses

    also = tuple(f"{r.id}（{eq.where}）" for r, eq, _ in others)
    if cause:
        text = (f"{f.message}。单元格 {cause} 一处{'应为 ' + str(value) + '（实为 ' + subject.cells.shown(cause) + '）'}"
                f"即可同时解释 {'、'.join(also)}")
    else:
        text = f"{f.message}。同一处错误还使 {'、'.join(also)} 不成立"
    return dataclasses.replace(f, message=text, also=also, cause=cause)
