"""The format is data passed in (issue 11.3): importing the package reads no format file;
the first call that needs the format reads it once; a Spec handed down is the one used.

Each check runs in a fresh interpreter (a subprocess), counting opens of the format file
with an audit hook, so that modules imported earlier by other tests cannot hide a read.
"""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap

from reportkit.spec import FORMAT_FILE

MODULES = ("reportkit.cli", "reportkit.validate", "reportkit.audit", "reportkit.importer", "reportkit.tables",
           "reportkit.workbook", "reportkit.report")

PROLOGUE = f"""
import json, sys
reads = []
sys.addaudithook(lambda event, args: reads.append(str(args[0]))
                 if event == "open" and str(args[0]).endswith({FORMAT_FILE!r}) else None)
"""


def run(body: str) -> dict:
    """Run ``body`` after installing the hook; it prints one JSON object as its last line."""
    code = PROLOGUE + textwrap.dedent(body)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_import_reads_no_format_then_first_use_reads_it_once():
    got = run(f"""
        import importlib
        for name in {MODULES!r}:
            importlib.import_module(name)
        at_import = len(reads)
        from reportkit import importer, tables
        grid = tables.applications_grid(None)
        after_grid = len(reads)
        n_targets = len(importer.TARGETS)
        print(json.dumps({{"at_import": at_import, "after_grid": after_grid, "after_targets": len(reads),
                           "corner": grid[0][0].text, "n_targets": n_targets}}))
    """)
    assert got["at_import"] == 0
    assert got["after_grid"] == 1          # read on first use, and only once (load_spec is cached)
    assert got["after_targets"] == 1       # the importer's targets reuse the loaded Spec
    assert got["corner"].startswith("（本列数据的勾稽关系")
    assert got["n_targets"] > 100


def test_spec_handed_down_is_used_and_default_not_loaded():
    # The Spec is parsed from text read before the hook goes in, altered, and passed down:
    # the grids and the importer's targets must follow it without loading the default format.
    got = run("""
        import dataclasses
        from importlib import resources
        import yaml
        from reportkit.spec import FORMAT_FILE, parse_spec
        text = resources.files("reportkit.format").joinpath(FORMAT_FILE).read_text(encoding="utf-8")
        before = len(reads)
        spec = parse_spec(yaml.safe_load(text))
        groups = tuple(dataclasses.replace(g, label=g.label.replace("行政复议", "复议（改）")) for g in spec.review_groups)
        spec = dataclasses.replace(spec, corner_note="改过的说明", review_groups=groups)
        from reportkit import tables
        from reportkit.importer import layout
        corner = tables.applications_grid(None, spec)[0][0].text
        head = tables.review_grid(None, spec)[0][0].text
        shown = sorted({t.column_label for t in layout.derived(spec).TARGETS if t.key.startswith("review_litigation.")})
        print(json.dumps({"loaded": len(reads) - before, "corner": corner, "head": head, "shown": shown}))
    """)
    assert got["loaded"] == 0
    assert got["corner"] == "改过的说明"
    assert got["head"] == "复议（改）"
    assert any(label.startswith("复议（改） / ") for label in got["shown"]), got["shown"]
