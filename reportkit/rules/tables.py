"""R1–R10 and the format's warnings: arithmetic on the printed cells of tables 二, 三 and 四."""
from __future__ import annotations

from .book import Equation, Subject, rule
from .cells import app_key

# group key → (rule id, the group's printed label)
_GROUP_RULES = {"withheld": ("R2-withheld", "（三）不予公开"), "unable_to_provide": ("R3-unable", "（四）无法提供"),
                "not_processed": ("R4-not-processed", "（五）不予处理"),
                "other_handling": ("R5-other-handling", "（六）其他处理")}


def _row_label(spec, path) -> str:
    labels = {}
    for top in spec.app_rows:
        for row in (top, *top.children):
            labels[row.key] = row.label
            for leaf in row.children:
                labels[leaf.key] = leaf.label
    return "".join(labels.get(k, "小计" if k == "subtotal" else k) for k in path)


@rule("R1-row-total", title="表三每一行：总计 = 六类申请人之和", reads="表三每行的七格")
def row_totals(s: Subject):
    spec = s.spec
    figs = [c.key for c in spec.app_figure_columns]
    for path in list(spec.app_leaf_rows()) + [(g.key, "subtotal") for g in spec.outcome_groups]:
        yield Equation({app_key(path, "total"): 1}, {app_key(path, c): 1 for c in figs},
                       _row_label(spec, path), f"{_row_label(spec, path)}：总计应等于六类申请人之和")


def _group_rule(group_key: str):
    def check(s: Subject):
        group = next(g for g in s.spec.outcome_groups if g.key == group_key)
        for col in s.spec.app_columns:
            sub = app_key((group.key, "subtotal"), col.key)
            if sub not in s.cells.printed and not s.cells.is_unread(sub):
                continue
            yield Equation({sub: 1}, {app_key((group.key, leaf.key), col.key): 1 for leaf in group.children},
                           col.label, f"{group.label}小计（{col.label}）应等于各项之和", column=col.key,
                           group=group.key)
    return check


for _key, (_id, _label) in _GROUP_RULES.items():
    rule(_id, title=f"表三{_label}小计（如有）= 各项之和，每一列", reads="该组小计与各项，同一列")(_group_rule(_key))


@rule("R6-outcome-total", title="表三（七）总计 = （一）至（六）之和，每一列", reads="（七）总计与（一）至（六）各行，同一列")
def outcome_total(s: Subject):
    for col in s.spec.app_columns:
        yield Equation({app_key(("total",), col.key): 1}, {k: 1 for k in s.cells.outcome_parts(col.key)},
                       col.label, f"（七）总计（{col.label}）应等于（一）至（六）之和", column=col.key)


@rule("R7-balance", title="表三勾稽关系：一 + 二 = （七）总计 + 四，每一列", reads="一、二、（七）、四 四行，同一列")
def balance(s: Subject):
    for col in s.spec.app_columns:
        k = {r: app_key((r,), col.key) for r in ("new", "carried_over", "total", "carried_forward")}
        v = {r: s.cells.value(x) for r, x in k.items()}
        yield Equation({k["total"]: 1, k["carried_forward"]: 1}, {k["new"]: 1, k["carried_over"]: 1}, col.label,
                       f"{col.label}列：本年新收 {v['new']} + 上年结转 {v['carried_over']} 应等于办理结果总计 "
                       f"{v['total']} + 结转下年度 {v['carried_forward']}", column=col.key)


@rule("R8-review-litigation-total", title="表四每组：总计 = 维持 + 纠正 + 其他 + 尚未审结", reads="表四每组五格")
def review_totals(s: Subject):
    cols = [c.key for c in s.spec.review_columns if c.key != "total"]
    for g in s.spec.review_groups:
        yield Equation({f"review_litigation.{g.key}.total": 1}, {f"review_litigation.{g.key}.{c}": 1 for c in cols},
                       g.label, f"{g.label}：总计应等于四种结果之和")


@rule("R9-carry-chain", title="跨年：本年 二、上年结转 = 上年 四、结转下年度继续办理，每一列",
      reads="本年上年结转一行、上年结转下年度一行", cross_year=True)
def carry_chain(s: Subject):
    for col in s.spec.app_columns:
        yield Equation({app_key(("carried_over",), col.key): 1},
                       {f"{app_key(('carried_forward',), col.key)}@{s.previous.year}": 1}, col.label,
                       f"上年结转（{col.label}）应等于上年报告的结转下年度继续办理", column=col.key)


@rule("R10-in-force-chain", title="跨年（提示）：现行有效 = 上年现行有效 + 本年制发 − 本年废止", severity="warning",
      reads="表二规章、行政规范性文件三格及上年现行有效", cross_year=True)
def in_force_chain(s: Subject):
    for key in ("regulations", "normative_documents"):
        p = f"proactive.{key}."
        yield Equation({p + "in_force": 1}, {f"{p}in_force@{s.previous.year}": 1, p + "issued": 1, p + "repealed": -1},
                       key, "现行有效件数通常等于上年现行有效 + 本年制发 − 本年废止（失效未计废止时可忽略）")


@rule("W1-issued-in-force", title="提示：本年制发件数不超过现行有效件数与本年废止件数之和", severity="warning",
      reads="表二规章、行政规范性文件三格")
def issued_in_force(s: Subject):
    from ..errors import Finding

    for key in ("regulations", "normative_documents"):
        p = f"proactive.{key}."
        cells = [p + c for c in ("issued", "repealed", "in_force")]
        if any(s.cells.value(c) is None for c in cells):
            continue
        issued, repealed, in_force = (s.cells.value(c) for c in cells)
        if issued > in_force + repealed:
            yield Finding(s.file, "", "W1-issued-in-force", "本年制发件数通常不超过现行有效件数与本年废止件数之和",
                          f"≤ {in_force + repealed}", str(issued), severity="warning", cells=tuple(cells))


@rule("W2-regulation-power", title="提示：县级及以下机关无规章制定权，规章制发件数通常为 0", severity="warning",
      reads="表二规章本年制发件数")
def regulation_power(s: Subject):
    from ..errors import Finding

    issued = s.cells.value("proactive.regulations.issued")
    if s.level in ("county", "township") and issued:
        yield Finding(s.file, "", "W2-regulation-power", "县级及以下机关无规章制定权，规章制发件数通常为 0", "0",
                      str(issued), severity="warning", cells=("proactive.regulations.issued",))
