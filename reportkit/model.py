"""The data model of one bureau's year: the registry entry, the three tables, the narrative.

Pure data: no files, no HTML. The table models are generated per format :class:`Spec`
(``models(spec)``) so that row keys are defined once; nothing is loaded at import time.
``BureauYear``, ``Applications``, ``ReviewLitigation``, ``SPEC``, ``N_FIGURES`` and
``N_REVIEW`` of this module are those of the default (2021) format, built on first use.
Typed figures are kept as given (a row total or group subtotal may be omitted);
``app_cells()`` gives the full table with derived cells computed.
"""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Annotated, Optional, Union

from dataclasses import dataclass
from functools import lru_cache
from typing import ClassVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, create_model, field_validator
from pydantic_core import PydanticCustomError

from .spec import Spec, load_spec

BUREAU_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")

Count = Annotated[int, Field(ge=0, le=10**9, strict=True)]


def _not_a_number(value):
    """A date is written as one (2023-01-11): pydantic would read 0 or 0.0 as 1970-01-01."""
    if isinstance(value, (bool, int, float, Decimal)):
        raise PydanticCustomError("date_type", "Input should be a valid date")
    return value


Day = Annotated[dt.date, BeforeValidator(_not_a_number)]
Money = Annotated[Decimal, Field(ge=0, le=10**12, max_digits=20, decimal_places=6)]
Text = Annotated[str, Field(max_length=20000)]
Paragraphs = Union[Text, list[Text]]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --- registry ---------------------------------------------------------------------------
class Bureau(Strict):
    """One entry of ``bureaus.yaml``."""

    id: str = Field(pattern=BUREAU_ID.pattern, description="ASCII id, also the params file name")
    name: str = Field(min_length=2, max_length=100, description="全称，如 嵊州市文化广电旅游局")
    self_name: str = Field(alias="self", default="本机关", max_length=20, description="自称，如 我局")
    government: str = Field(min_length=2, max_length=100, description="所属人民政府，如 嵊州市人民政府")
    level: str = Field(default="county", pattern="^(state_council|province|city|county|township)$",
                       description="行政层级，决定能否制定规章")
    kind: str = Field(default="department", pattern="^(department|government)$",
                      description="机关类别：department 政府部门（1月31日前发布），"
                                  "government 县级以上地方人民政府（3月31日前发布）")
    website: Optional[str] = Field(default=None, max_length=100, description="主动公开的主要平台")
    contact: list[Annotated[str, Field(max_length=200)]] = Field(default_factory=list)

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


# --- table 二 ---------------------------------------------------------------------------
class DocumentCounts(Strict):
    issued: Count = Field(description="本年制发件数")
    repealed: Count = Field(description="本年废止件数")
    in_force: Count = Field(description="现行有效件数")


class Proactive(Strict):
    """Table 二, 主动公开政府信息情况."""

    regulations: DocumentCounts
    normative_documents: DocumentCounts
    licensing: Count
    penalty: Count
    enforcement: Count
    fees: Money = Field(description="行政事业性收费，本年收费金额（万元）")

    def cell(self, key: str) -> Union[DocumentCounts, int, Decimal]:
        return getattr(self, key)


# --- narrative and section 六 -------------------------------------------------------------
class Disclosed(Strict):
    """How many items were proactively disclosed (条), for the text of section 一."""

    total: Count = Field(description="全年主动公开政府信息条数")
    categories: dict[Annotated[str, Field(max_length=40)], Count] = Field(
        default_factory=dict, description="分类条数，合计须等于 total")


class Narrative(Strict):
    """What the bureau writes itself; every field is paragraphs (a string or a list)."""

    overview: Paragraphs = ""
    proactive: Paragraphs = ""
    on_request: Paragraphs = ""
    management: Paragraphs = ""
    platform: Paragraphs = ""
    supervision: Paragraphs = ""
    problems: Paragraphs = Field(default="", description="五、存在的主要问题")
    improvements: Paragraphs = Field(default="", description="五、改进情况")
    other: Paragraphs = Field(default="", description="六、其他需要报告的事项")

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul(cls, value):
        items = [value] if isinstance(value, str) else value
        for item in items:
            if "\x00" in item:
                raise ValueError("文字中含有 NUL 字符（\\x00）")
        return value

    def paragraphs(self, key: str) -> list[str]:
        """The field as a list of non-empty paragraphs (blank lines split a string)."""
        value = getattr(self, key)
        items = value if isinstance(value, list) else re.split(r"\n\s*\n", value)
        return [_tidy(p) for p in items if p.strip()]


_CJK = "\u2e80-\u9fff\u3000-\u303f\uff00-\uffef"
_CJK_GAP = re.compile(f"(?<=[{_CJK}])\\s+(?=[{_CJK}])")


def _tidy(paragraph: str) -> str:
    """Fold line breaks: YAML's folding puts a space where Chinese lines were joined."""
    return _CJK_GAP.sub("", " ".join(paragraph.split()))


class ProcessingFees(Strict):
    """信息处理费 under 国办函〔2020〕109号, reported in section 六."""

    notices: Count = Field(default=0, description="发出收费通知件数")
    amount: Money = Field(default=Decimal(0), description="收费通知金额合计（元）")
    collected: Money = Field(default=Decimal(0), description="实际收取金额（元）")


# --- the tables and the whole year, per format ------------------------------------------------
class _YearBase(Strict):
    """Methods of a year's data; the fields come from the format (see :func:`models`)."""

    spec: ClassVar[Spec]

    # --- the full tables, derived cells computed ------------------------------------
    def app_cells(self) -> dict[tuple[str, ...], dict[str, int]]:
        """Table 三 as {row path: {column key: figure}}, 总计 column and （七） row computed."""
        spec = self.spec
        cols = [c.key for c in spec.app_figure_columns]
        n = len(cols)
        out: dict[tuple[str, ...], dict[str, int]] = {}
        for path in spec.app_leaf_rows():
            if path == ("total",):
                continue
            figures = self.given_app_row(path)[:n]
            out[path] = dict(zip(cols, figures)) | {"total": sum(figures)}
        outcome = [p for p in out if p[0] not in ("new", "carried_over", "carried_forward")]
        total = {c: sum(out[p][c] for p in outcome) for c in cols + ["total"]}
        ordered = {}
        for path in spec.app_leaf_rows():
            ordered[path] = total if path == ("total",) else out[path]
        return ordered

    def given_app_row(self, path: tuple[str, ...]) -> Optional[list[int]]:
        node = self.applications
        for key in path:
            node = getattr(node, key)
        return node

    def review_cells(self) -> dict[str, dict[str, int]]:
        """Table 四 as {group: {column: figure}}, 总计 computed."""
        cols = [c.key for c in self.spec.review_columns if c.key != "total"]
        out = {}
        for group in self.spec.review_groups:
            figures = getattr(self.review_litigation, group.key)[:len(cols)]
            out[group.key] = dict(zip(cols, figures)) | {"total": sum(figures)}
        return out

    def outcome_totals(self) -> dict[str, int]:
        """How applications were answered: （一）…（六） totals (总计 column)."""
        cells = self.app_cells()
        return {
            row.key: sum(v["total"] for p, v in cells.items() if p[0] == row.key)
            for row in self.spec.outcome_rows if row.key != "total"
        }


@dataclass(frozen=True)
class Models:
    """The models of one format: table 三 and 四 rows and the params file of a year."""

    spec: Spec
    n_figures: int
    n_review: int
    Applications: type
    ReviewLitigation: type
    BureauYear: type


def _group_model(group, app_row) -> type[BaseModel]:
    fields = {leaf.key: (app_row, Field(description=leaf.label)) for leaf in group.children}
    fields["subtotal"] = (Optional[app_row], Field(default=None, description=f"{group.label}小计（可省略）"))
    name = "".join(p.title() for p in group.key.split("_"))
    return create_model(name, __base__=Strict, __module__=__name__, **fields)


def _all_rows(spec: Spec):
    for row in spec.app_rows:
        yield row
        for sub in row.children:
            yield sub
            yield from sub.children


def _applications_model(spec: Spec, app_row) -> type[BaseModel]:
    fields: dict = {}
    for path in spec.app_leaf_rows():
        if len(path) == 2:
            continue
        key = path[0]
        label = next(r.label for r in _all_rows(spec) if r.key == key)
        if key == "total":
            fields[key] = (Optional[app_row], Field(default=None, description=f"{label}（可省略，自动计算）"))
        else:
            fields[key] = (app_row, Field(description=label))
    for group in spec.outcome_groups:
        fields[group.key] = (_group_model(group, app_row), Field(description=group.label))
    ordered = {}
    for row in spec.app_rows:  # keep the table's order in the JSON Schema
        for sub in (row.children if row.key is None else (row,)):
            ordered[sub.key] = fields[sub.key]
    model = create_model("Applications", __base__=Strict, __module__=__name__, **ordered)
    model.__doc__ = "Table 三: rows are lists of six figures (a seventh, 总计, may be given)."
    return model


@lru_cache(maxsize=8)
def models(spec: Optional[Spec] = None) -> Models:
    """The models of ``spec`` (default: the 2021 format shipped with the package), built once."""
    spec = spec or load_spec()
    n_figures = len(spec.app_figure_columns)
    app_row = Annotated[list[Count], Field(min_length=n_figures, max_length=n_figures + 1,
                                           description=", ".join(c.label for c in spec.app_figure_columns)
                                           + "[, 总计]")]
    applications = _applications_model(spec, app_row)
    n_review = len(spec.review_columns) - 1
    review_row = Annotated[list[Count], Field(min_length=n_review, max_length=n_review + 1,
                                              description=", ".join(c.label for c in spec.review_columns[:-1])
                                              + "[, 总计]")]
    review = create_model("ReviewLitigation", __base__=Strict, __module__=__name__,
                          **{g.key: (review_row, ...) for g in spec.review_groups})
    review.__doc__ = "Table 四: three groups of four figures (a fifth, 总计, may be given)."
    year = create_model(
        "BureauYear", __base__=_YearBase, __module__=__name__,
        published=(Day, Field(description="发布日期，如 2023-01-11")),
        disclosed=(Disclosed, ...),
        proactive=(Proactive, ...),
        applications=(applications, ...),
        review_litigation=(review, ...),
        processing_fees=(ProcessingFees, Field(default_factory=ProcessingFees)),
        narrative=(Narrative, Field(default_factory=Narrative)),
    )
    year.__doc__ = "One ``params/<year>/<bureau>.yaml`` file."
    year.spec = spec
    return Models(spec, n_figures, n_review, applications, review, year)


_DEFAULTS = {"Applications": "Applications", "ReviewLitigation": "ReviewLitigation", "BureauYear": "BureauYear",
             "N_FIGURES": "n_figures", "N_REVIEW": "n_review", "SPEC": "spec"}


def __getattr__(name: str):
    """The default format's models and constants, built on first use (not at import)."""
    if name in _DEFAULTS:
        return getattr(models(), _DEFAULTS[name])
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
