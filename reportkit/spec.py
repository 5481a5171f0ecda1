"""The national 2021 format as data: sections, table rows and columns, rules.

The format file is package data (``reportkit/format/annual-report-2021.yaml``). Every label
and key the toolkit prints or reads comes from here, so a label is typed exactly once.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

import yaml

FORMAT_FILE = "annual-report-2021.yaml"


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    group: str | None = None  # e.g. 法人或其他组织


@dataclass(frozen=True)
class Row:
    key: str | None
    label: str
    children: tuple["Row", ...] = ()
    unit: str | None = None
    decimal: bool = False

    @property
    def is_group(self) -> bool:
        return bool(self.children)


@dataclass(frozen=True)
class Block:
    title: str
    columns: tuple[str, ...]
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class Rule:
    id: str
    text: str

    @property
    def short(self) -> str:
        """'R7' for 'R7-balance'."""
        return self.id.split("-", 1)[0]


@dataclass(frozen=True)
class Spec:
    sections: tuple[tuple[str, str], ...]
    proactive: tuple[Block, ...]
    app_column_header: str
    app_columns: tuple[Column, ...]          # seven, in print order, total last
    app_rows: tuple[Row, ...]                # top-level rows (一 二 三 四)
    review_groups: tuple[Column, ...]
    review_columns: tuple[Column, ...]       # five, total last
    rules: dict[str, Rule] = field(default_factory=dict)
    corner_note: str = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"

    # --- derived views -------------------------------------------------------------
    @property
    def app_figure_columns(self) -> tuple[Column, ...]:
        """The six applicant columns that are typed (总计 excluded)."""
        return tuple(c for c in self.app_columns if c.key != "total")

    @property
    def outcome_rows(self) -> tuple[Row, ...]:
        """The rows under 三、本年度办理结果: （一）…（七）."""
        return next(r for r in self.app_rows if r.key is None).children

    @property
    def outcome_groups(self) -> tuple[Row, ...]:
        return tuple(r for r in self.outcome_rows if r.is_group)

    @property
    def proactive_rows(self) -> tuple[Row, ...]:
        return tuple(r for b in self.proactive for r in b.rows)

    def app_leaf_rows(self) -> list[tuple[str, ...]]:
        """Paths of every row of table 三 that carries figures, in print order.

        ('new',), ('carried_over',), ('disclosed',), ('withheld', 'state_secret'), …,
        ('total',), ('carried_forward',).
        """
        paths: list[tuple[str, ...]] = []
        for row in self.app_rows:
            if row.key is None:
                for sub in row.children:
                    if sub.is_group:
                        paths.extend((sub.key, leaf.key) for leaf in sub.children)
                    else:
                        paths.append((sub.key,))
            else:
                paths.append((row.key,))
        return paths

    def rule(self, short: str) -> Rule:
        """The rule whose id starts with ``short`` ('R7' → R7-balance)."""
        for rule in self.rules.values():
            if rule.short == short:
                return rule
        raise KeyError(short)

    def section_title(self, n: str) -> str:
        return dict(self.sections)[n]


def _row(raw: dict) -> Row:
    return Row(
        key=raw.get("key"),
        label=raw["label"],
        children=tuple(_row(r) for r in raw.get("rows", ())),
        unit=raw.get("unit"),
        decimal=bool(raw.get("decimal", False)),
    )


def _columns(raw: list) -> tuple[Column, ...]:
    out: list[Column] = []
    for item in raw:
        if "group" in item:
            out.extend(Column(c["key"], c["label"], item["group"]) for c in item["columns"])
        else:
            out.append(Column(item["key"], item["label"]))
    return tuple(out)


def parse_spec(raw: dict) -> Spec:
    """Build a :class:`Spec` from the format file's mapping."""
    return Spec(
        sections=tuple((s["n"], s["title"]) for s in raw["sections"]),
        proactive=tuple(
            Block(b["block"], tuple(b["columns"]), tuple(_row(r) for r in b["rows"]))
            for b in raw["proactive_disclosure"]
        ),
        app_column_header=raw["applications"]["column_header"],
        app_columns=_columns(raw["applications"]["columns"]),
        app_rows=tuple(_row(r) for r in raw["applications"]["rows"]),
        review_groups=tuple(Column(g["key"], g["label"]) for g in raw["review_litigation"]["groups"]),
        review_columns=_columns(raw["review_litigation"]["columns"]),
        rules={r["id"]: Rule(r["id"], " ".join(r["text"].split())) for r in raw["rules"]},
    )


@lru_cache(maxsize=1)
def load_spec() -> Spec:
    """The 2021 format shipped with the package."""
    text = resources.files("reportkit.format").joinpath(FORMAT_FILE).read_text(encoding="utf-8")
    return parse_spec(yaml.safe_load(text))
