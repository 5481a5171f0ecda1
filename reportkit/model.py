"""The data model of one bureau's year: the registry entry, the three tables, the narrative.

Pure data: no files, no HTML. The table-三 models are generated from the format spec so
that row keys are defined once. Typed figures are kept as given (a row total or group
subtotal may be omitted); ``cells()`` gives the full table with derived cells computed.
"""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Annotated, Optional, Union

from pydantic import BaseModel, ConfigDict, Field, create_model, field_validator

from .spec import load_spec

SPEC = load_spec()
BUREAU_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")

Count = Annotated[int, Field(ge=0, le=10**9, strict=True)]
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


# --- table 三 ---------------------------------------------------------------------------
N_FIGURES = len(SPEC.app_figure_columns)  # six applicant columns
AppRow = Annotated[list[Count], Field(min_length=N_FIGURES, max_length=N_FIGURES + 1,
                                      description="自然人, 商业企业, 科研机构, 社会公益组织, "
                                                  "法律服务机构, 其他[, 总计]")]


def _group_model(group) -> type[BaseModel]:
    fields = {leaf.key: (AppRow, Field(description=leaf.label)) for leaf in group.children}
    fields["subtotal"] = (Optional[AppRow], Field(default=None, description=f"{group.label}小计（可省略）"))
    name = "".join(p.title() for p in group.key.split("_"))
    return create_model(name, __base__=Strict, **fields)


def _applications_model() -> type[BaseModel]:
    fields: dict = {}
    for path in SPEC.app_leaf_rows():
        if len(path) == 2:
            continue
        key = path[0]
        label = next(r.label for r in _all_rows() if r.key == key)
        if key == "total":
            fields[key] = (Optional[AppRow], Field(default=None, description=f"{label}（可省略，自动计算）"))
        else:
            fields[key] = (AppRow, Field(description=label))
    for group in SPEC.outcome_groups:
        fields[group.key] = (_group_model(group), Field(description=group.label))
    ordered = {}
    for row in SPEC.app_rows:  # keep the table's order in the JSON Schema
        for sub in (row.children if row.key is None else (row,)):
            ordered[sub.key] = fields[sub.key]
    return create_model("Applications", __base__=Strict, **ordered)


def _all_rows():
    for row in SPEC.app_rows:
        yield row
        for sub in row.children:
            yield sub
            yield from sub.children


Applications = _applications_model()
Applications.__doc__ = "Table 三: rows are lists of six figures (a seventh, 总计, may be given)."


# --- table 四 ---------------------------------------------------------------------------
N_REVIEW = len(SPEC.review_columns) - 1
ReviewRow = Annotated[list[Count], Field(min_length=N_REVIEW, max_length=N_REVIEW + 1,
                                         description="结果维持, 结果纠正, 其他结果, 尚未审结[, 总计]")]


class ReviewLitigation(Strict):
    """Table 四: three groups of four figures (a fifth, 总计, may be given)."""

    review: ReviewRow
    litigation_direct: ReviewRow
    litigation_after_review: ReviewRow


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


class BureauYear(Strict):
    """One ``params/<year>/<bureau>.yaml`` file."""

    published: dt.date = Field(description="发布日期，如 2023-01-11")
    disclosed: Disclosed
    proactive: Proactive
    applications: Applications  # type: ignore[valid-type]
    review_litigation: ReviewLitigation
    processing_fees: ProcessingFees = Field(default_factory=ProcessingFees)
    narrative: Narrative = Field(default_factory=Narrative)

    # --- the full tables, derived cells computed ------------------------------------
    def app_cells(self) -> dict[tuple[str, ...], dict[str, int]]:
        """Table 三 as {row path: {column key: figure}}, 总计 column and （七） row computed."""
        cols = [c.key for c in SPEC.app_figure_columns]
        out: dict[tuple[str, ...], dict[str, int]] = {}
        for path in SPEC.app_leaf_rows():
            if path == ("total",):
                continue
            figures = self.given_app_row(path)[:N_FIGURES]
            out[path] = dict(zip(cols, figures)) | {"total": sum(figures)}
        outcome = [p for p in out if p[0] not in ("new", "carried_over", "carried_forward")]
        total = {c: sum(out[p][c] for p in outcome) for c in cols + ["total"]}
        ordered = {}
        for path in SPEC.app_leaf_rows():
            ordered[path] = total if path == ("total",) else out[path]
        return ordered

    def given_app_row(self, path: tuple[str, ...]) -> Optional[list[int]]:
        node = self.applications
        for key in path:
            node = getattr(node, key)
        return node

    def review_cells(self) -> dict[str, dict[str, int]]:
        """Table 四 as {group: {column: figure}}, 总计 computed."""
        cols = [c.key for c in SPEC.review_columns if c.key != "total"]
        out = {}
        for group in SPEC.review_groups:
            figures = getattr(self.review_litigation, group.key)[:N_REVIEW]
            out[group.key] = dict(zip(cols, figures)) | {"total": sum(figures)}
        return out

    def outcome_totals(self) -> dict[str, int]:
        """How applications were answered: （一）…（六） totals (总计 column)."""
        cells = self.app_cells()
        return {
            row.key: sum(v["total"] for p, v in cells.items() if p[0] == row.key)
            for row in SPEC.outcome_rows if row.key != "total"
        }
