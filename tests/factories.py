"""Small factories: valid params built in code, changed per test."""
from __future__ import annotations

import copy
from pathlib import Path

import yaml

from reportkit.spec import load_spec

SPEC = load_spec()
ZERO6 = [0, 0, 0, 0, 0, 0]
DEFAULT_PUBLISHED = "2023-01-11"

BUREAU = {
    "name": "测试市示例局",
    "self": "我局",
    "government": "测试市人民政府",
    "level": "county",
    "website": "测试市人民政府门户网站",
    "contact": ["电话：0000-0000000"],
}


def applications(new=(4, 1, 0, 0, 1, 0), carried_over=ZERO6, disclosed=(2, 1, 0, 0, 0, 0),
                 partly=(1, 0, 0, 0, 0, 0), not_held=(0, 0, 0, 0, 1, 0), forward=(1, 0, 0, 0, 0, 0)):
    """A table 三 that balances (R7) with the defaults."""
    table = {"new": list(new), "carried_over": list(carried_over), "disclosed": list(disclosed),
             "partly_disclosed": list(partly)}
    for group in SPEC.outcome_groups:
        table[group.key] = {leaf.key: list(ZERO6) for leaf in group.children}
    table["unable_to_provide"]["not_held"] = list(not_held)
    table["carried_forward"] = list(forward)
    return table


def year_data(**overrides) -> dict:
    """A valid params/<year>/<id>.yaml as a dict; keyword args replace top-level keys."""
    data = {
        "published": DEFAULT_PUBLISHED,
        "disclosed": {"total": 30, "categories": {"政策文件": 10, "工作动态": 20}},
        "proactive": {
            "regulations": {"issued": 0, "repealed": 0, "in_force": 0},
            "normative_documents": {"issued": 2, "repealed": 1, "in_force": 5},
            "licensing": 12, "penalty": 3, "enforcement": 0, "fees": 1.25,
        },
        "applications": applications(),
        "review_litigation": {"review": [1, 0, 0, 0], "litigation_direct": [0, 0, 0, 1],
                              "litigation_after_review": [0, 0, 0, 0]},
        "processing_fees": {"notices": 0, "amount": 0, "collected": 0},
        "narrative": {"overview": "总体平稳。", "problems": ["栏目更新慢。"], "improvements": ["按月通报。"],
                      "other": "无其他事项。"},
    }
    data.update(copy.deepcopy(overrides))
    return data


def write_params(root: Path, years: dict[int, dict[str, dict]], bureaus: dict[str, dict] | None = None) -> Path:
    """Write a params folder: ``years`` maps year → {bureau id: year dict}."""
    root.mkdir(parents=True, exist_ok=True)
    ids = {b for per_year in years.values() for b in per_year}
    registry = bureaus if bureaus is not None else {
        b: dict(BUREAU, name=f"测试市示例局{i}") for i, b in enumerate(sorted(ids), start=1)}
    dump(root / "bureaus.yaml", registry)
    for year, per_year in years.items():
        for bureau, data in per_year.items():
            if data.get("published") == DEFAULT_PUBLISHED:   # published in time for its year (P1)
                data = dict(data, published=f"{year + 1}-01-11")
            dump(root / str(year) / f"{bureau}.yaml", data)
    return root


class _NoAliases(yaml.SafeDumper):
    def ignore_aliases(self, data):
        return True


def dump(path: Path, data) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = yaml.dump(data, Dumper=_NoAliases, allow_unicode=True, sort_keys=False)
    path.write_text(text, encoding="utf-8")
    return path
