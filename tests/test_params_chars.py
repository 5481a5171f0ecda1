"""Figures that cannot be forged (issue 13.5, params side).

Invisible and direction-control characters in any text of a params or registry file, and
figures written with look-alike digits, end in a located error: file, line, field, and the
character by code point (never printed raw, since it would reorder the message itself).
"""
from __future__ import annotations

import unicodedata

import pytest
from conftest import invoke
from factories import BUREAU, dump, year_data

from reportkit.charcheck import is_invisible, lookalike_digit

HIDDEN = ["\u202e", "\u202d", "\u2066", "\u2067", "\u2068", "\u2069", "\u200e", "\u200f", "\u061c",
          "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u034f", "\u3164", "\U000e0041"]


def _in_overview(params, ch):
    data = year_data()
    data["narrative"]["overview"] = f"本年受理申请1{ch}42件。"
    dump(params / "2022" / "alpha.yaml", data)
    return "2022/alpha.yaml", "narrative.overview"


def _in_category_key(params, ch):
    data = year_data()
    data["disclosed"]["categories"] = {f"政策{ch}文件": 10, "工作动态": 20}
    dump(params / "2022" / "alpha.yaml", data)
    return "2022/alpha.yaml", "disclosed.categories"


def _in_registry_name(params, ch):
    dump(params / "bureaus.yaml", {"alpha": dict(BUREAU, name=f"测试市{ch}示例局"),
                                   "beta": dict(BUREAU, name="测试市乙局")})
    return "bureaus.yaml", "alpha.name"


def _in_list_item(params, ch):
    data = year_data()
    data["narrative"]["problems"] = ["一是……", f"二是2022{ch}年……"]
    dump(params / "2022" / "alpha.yaml", data)
    return "2022/alpha.yaml", "narrative.problems.1"


PLACES = [_in_overview, _in_category_key, _in_registry_name, _in_list_item]


@pytest.mark.parametrize("ch", HIDDEN, ids=[f"U+{ord(c):04X}" for c in HIDDEN])
@pytest.mark.parametrize("place", PLACES, ids=[p.__name__ for p in PLACES])
def test_invisible_characters_refused_with_file_line_field(runner, small_params, ch, place):
    file, field = place(small_params, ch)
    result = invoke(runner, "validate", params=small_params)
    assert result.exit_code == 2, result.output
    line = next(line for line in result.output.splitlines() if f"U+{ord(ch):04X}" in line)
    assert file in line and field in line and "不可见字符或文字方向控制字符" in line
    assert f"{file}:" in line and line.split(f"{file}:")[1].split(":")[0].isdigit()  # the line number
    assert ch not in result.output  # shown as a code point only


LOOKALIKES = ["２", "٢", "۲", "²", "₂", "𝟐", "②", "२", "৪"]


@pytest.mark.parametrize("digit", LOOKALIKES, ids=[unicodedata.name(d) for d in LOOKALIKES])
@pytest.mark.parametrize("field, value", [("proactive.licensing", "1{d}"), ("proactive.fees", "{d}.5"),
                                          ("disclosed.total", "{d}0")])
def test_lookalike_digits_in_figures_refused(runner, small_params, digit, field, value):
    data = year_data()
    section, key = field.split(".")
    data[section][key] = value.format(d=digit)
    dump(small_params / "2022" / "alpha.yaml", data)
    result = invoke(runner, "validate", params=small_params)
    assert result.exit_code == 2, result.output
    assert f"alpha.yaml:" in result.output and field in result.output, result.output
    assert f"U+{ord(digit):04X}" in result.output and "形似数字" in result.output


def test_ordinary_text_stays_valid(runner, small_params):
    """Arabic or Hebrew script, emoji, full-width digits inside prose: text, not forgery."""
    data = year_data()
    data["narrative"]["overview"] = "总体平稳。عربي עברית 👍🏽 本年度共受理１４２件（全角数字在文字中）。"
    dump(small_params / "2022" / "alpha.yaml", data)
    result = invoke(runner, "validate", params=small_params)
    assert result.exit_code == 0, result.output


def test_character_classes():
    assert all(is_invisible(c) for c in HIDDEN)
    assert not any(is_invisible(c) for c in "a中２👍\u0301")
    assert [lookalike_digit(t) for t in ("142", "1,000", "１４２件", "２", "2.５")] == [None, None, None, "２", "５"]
