"""Synthetic bureaus for benchmarks: valid, varied params files for any number of bureaus."""
from __future__ import annotations

import random
from pathlib import Path

import yaml

from reportkit.spec import load_spec

SPEC = load_spec()


def _split(total: int, parts: int, rng: random.Random) -> list[int]:
    cuts = sorted(rng.randint(0, total) for _ in range(parts - 1))
    return [b - a for a, b in zip([0] + cuts, cuts + [total])]


def bureau_year(rng: random.Random, year: int) -> dict:
    """One valid year: table 三 balances column by column (R7), nothing carried over."""
    leaves = [p for p in SPEC.app_leaf_rows() if p[0] not in ("new", "carried_over", "total", "carried_forward")]
    cols = len(SPEC.app_figure_columns)
    new = [rng.choice([0, 0, 1, 2, 5, 12, 30]) if c == 0 else rng.choice([0, 0, 0, 1, 3]) for c in range(cols)]
    forward = [min(n, rng.choice([0, 0, 1])) for n in new]
    rows = {p: [0] * cols for p in leaves}
    for c in range(cols):
        handled = new[c] - forward[c]
        weights = [rng.random() ** 3 for _ in leaves]
        weights[0] += 2  # most are disclosed
        for _ in range(handled):
            rows[rng.choices(leaves, weights)[0]][c] += 1
    apps: dict = {"new": new, "carried_over": [0] * cols}
    for path, figures in rows.items():
        if len(path) == 1:
            apps[path[0]] = figures
        else:
            apps.setdefault(path[0], {})[path[1]] = figures
    apps["carried_forward"] = forward
    total = rng.randint(20, 400)
    cats = _split(total, 3, rng)
    in_force = rng.randint(0, 30)
    return {
        "published": f"{year + 1}-01-{rng.randint(10, 28)}",
        "disclosed": {"total": total, "categories": dict(zip(["政策文件", "工作动态", "其他信息"], cats))},
        "proactive": {"regulations": {"issued": 0, "repealed": 0, "in_force": 0},
                      "normative_documents": {"issued": min(in_force, rng.randint(0, 4)), "repealed": 0, "in_force": in_force},
                      "licensing": rng.randint(0, 3000), "penalty": rng.randint(0, 800), "enforcement": rng.randint(0, 20),
                      "fees": 0},
        "applications": apps,
        "review_litigation": {g.key: [rng.choice([0, 0, 0, 1]) for _ in range(4)] for g in SPEC.review_groups},
        "processing_fees": {"notices": 0, "amount": 0, "collected": 0},
        "narrative": {"overview": "全年政务公开工作稳步推进。", "proactive": ["按时更新各公开栏目。"],
                      "problems": ["公开内容的解读还不够充分。"], "improvements": ["加强政策解读。"],
                      "other": ["无其他需要报告的事项。"]},
    }


def make_params(root: Path, n: int, year: int = 2022, seed: int = 7) -> Path:
    """Write ``n`` synthetic bureaus (ids bench-001 …) for ``year`` under ``root``."""
    rng = random.Random(seed)
    root = Path(root)
    (root / str(year)).mkdir(parents=True, exist_ok=True)
    registry = {}
    for i in range(1, n + 1):
        bid = f"bench-{i:03d}"
        registry[bid] = {"name": f"样例市第{i}局", "self": "我局", "government": "样例市人民政府",
                         "level": "county", "website": "样例市人民政府门户网站"}
        (root / str(year) / f"{bid}.yaml").write_text(
            yaml.safe_dump(bureau_year(rng, year), allow_unicode=True, sort_keys=False), encoding="utf-8")
    (root / "bureaus.yaml").write_text(yaml.safe_dump(registry, allow_unicode=True, sort_keys=False),
                                       encoding="utf-8")
    return root
