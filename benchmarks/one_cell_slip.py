"""How many findings does one slip give? Every figure of tables 三 and 四 of one sample file, one at a time.

    .venv/bin/python benchmarks/one_cell_slip.py [--bureau shengzhou-wglj] [--year 2022] [--no-audit]
    PYTHONPATH=/path/to/an/older/checkout .venv/bin/python benchmarks/one_cell_slip.py   # the same, before

For each figure the params file gives (six or seven per row of table 三, four or five per group
of table 四) the script adds 1, runs ``validate`` on the file and ``audit`` on the page reportkit
renders from that data, and counts error findings. A root-cause rule book gives one finding per
slip; a cascading one gives several. Uses only APIs that older versions have too.
"""
from __future__ import annotations

import argparse
import collections
import shutil
import sys
import tempfile
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]


def slips(doc: dict):
    """(label, changed copy) for every figure of tables 三 and 四."""
    def walk(node, path):
        if isinstance(node, list):
            for i in range(len(node)):
                yield path, i
        elif isinstance(node, dict):
            for k, v in node.items():
                yield from walk(v, path + (k,))
    for table in ("applications", "review_litigation"):
        for path, i in walk(doc[table], (table,)):
            copy = yaml.safe_load(yaml.safe_dump(doc, allow_unicode=True))
            node = copy
            for k in path:
                node = node[k]
            node[i] += 1
            yield f"{'.'.join(path)}[{i}]", copy


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bureau", default="shengzhou-wglj")
    ap.add_argument("--year", type=int, default=2022)
    ap.add_argument("--no-audit", action="store_true", help="Only validate (no page rendering).")
    args = ap.parse_args()

    import reportkit
    from reportkit import audit, importer, validate
    from reportkit.model import BureauYear
    from reportkit.narrative import Context
    from reportkit.params import load_registry
    from reportkit.report import Report

    print(f"reportkit from {Path(reportkit.__file__).parent}")
    with tempfile.TemporaryDirectory() as tmp:
        params = Path(shutil.copytree(REPO / "params", Path(tmp) / "params"))
        target = params / str(args.year) / f"{args.bureau}.yaml"
        doc = yaml.safe_load(target.read_text(encoding="utf-8"))
        bureau = load_registry(params)[args.bureau]
        counts = {"validate": collections.Counter(), "audit": collections.Counter()}
        worst = {"validate": ("", 0), "audit": ("", 0)}
        n = 0
        for label, changed in slips(doc):
            n += 1
            target.write_text(yaml.safe_dump(changed, allow_unicode=True, sort_keys=False), encoding="utf-8")
            found = len(validate.check_one(params, args.bureau, args.year).errors)
            counts["validate"][found] += 1
            worst["validate"] = max(worst["validate"], (label, found), key=lambda x: x[1])
            if args.no_audit:
                continue
            data = BureauYear.model_validate(changed)
            body = "".join(Report(Context(bureau, args.year, data)).fragments())
            html = (f"<!DOCTYPE html><html><head><meta charset='utf-8'></head><body><main>{body}</main>"
                    f"</body></html>").encode("utf-8")
            errors = [f for f in audit.audit_imported(importer.read_bytes(html, "page.html")).findings
                      if f.severity == "error"]
            counts["audit"][len(errors)] += 1
            worst["audit"] = max(worst["audit"], (label, len(errors)), key=lambda x: x[1])
    print(f"{args.bureau} {args.year}: {n} one-cell slips (each given figure of tables 三 and 四 + 1)")
    for what, c in counts.items():
        if not c:
            continue
        total = sum(k * v for k, v in c.items())
        dist = ", ".join(f"{k} finding(s): {v}" for k, v in sorted(c.items()))
        print(f"  {what:8s} findings per slip: mean {total / n:.2f}, max {worst[what][1]} ({worst[what][0]}); "
              f"exactly one: {c[1]}/{n}; {dist}")


if __name__ == "__main__":
    sys.exit(main())
