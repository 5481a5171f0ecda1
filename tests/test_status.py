"""Status that is true (issue 18.2): the closing table and the progress lines show what THIS run did.

One full build first; then a ``--no-summary`` run, an unchanged run and a run whose every
input is invalid. None may show the roll-up as built, or an unchanged report with a duration.
"""
from __future__ import annotations

import re

from conftest import invoke
from factories import dump, year_data

from reportkit.progress import STATUS_TEXT


def rows(output: str) -> dict[str, list[str]]:
    """The closing table's rows: first cell → the other cells (rich's │-separated layout)."""
    out = {}
    for line in output.splitlines():
        cells = [c.strip() for c in line.strip().strip("│┃").split("│")]
        if len(cells) >= 3 and cells[0] and cells[0] not in ("机关",):
            out[cells[0]] = cells[1:]
    return out


def test_status_lines_show_this_run(runner, small_params, tmp_path, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    out = tmp_path / "out"
    first = invoke(runner, "build", 2022, "--jobs", 2, params=small_params, output=out)
    assert first.exit_code == 0, first.output
    table = rows(first.output)
    assert table["（汇总）"][0] == STATUS_TEXT["ok"] and float(table["（汇总）"][1]) > 0

    # --no-summary: nothing about the roll-up, the unchanged reports skipped without a duration
    again = invoke(runner, "build", 2022, "--no-summary", params=small_params, output=out)
    assert again.exit_code == 0, again.output
    table = rows(again.output)
    assert "（汇总）" not in table and "汇总" not in again.output
    for bureau in ("alpha", "beta"):
        assert table[bureau][:2] == ["未变更，跳过", "-"], again.output
    progress = [line for line in again.output.splitlines() if line.startswith("[")]
    assert progress and all(not re.search(r"\d+\.\ds", line) for line in progress), progress

    # an unchanged run with the roll-up: the roll-up skipped too, no duration
    third = invoke(runner, "build", 2022, params=small_params, output=out)
    assert rows(third.output)["（汇总）"][:2] == ["未变更，跳过", "-"], third.output

    # every input invalid (exit 2): no roll-up row at all, the stale one is not shown
    for bureau in ("alpha", "beta"):
        dump(small_params / "2022" / f"{bureau}.yaml", year_data(published="soon"))
    invalid = invoke(runner, "build", 2022, params=small_params, output=out)
    assert invalid.exit_code == 2
    table = rows(invalid.output)
    assert "（汇总）" not in table and "已生成" not in invalid.output, invalid.output
    assert table["alpha"][0] == "数据有误"
