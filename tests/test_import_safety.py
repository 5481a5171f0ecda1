"""Import under hostile input: parsing linear in the page (small inputs of each pathological
class), size checked before reading, look-alike and invisible characters, and the emit side —
nothing overwritten without --force, no key injected, a malformed registry refused."""
from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
import yaml
from conftest import invoke

from reportkit import importer
from reportkit.errors import ImportFailed
from reportkit.importer import emit
from reportkit.importer.labels import parse_figure

CLEAN = Path(__file__).parent / "fixtures" / "published" / "clean-2022.html"


def _timed(data: bytes) -> float:
    """The best of two runs: a busy machine's pauses are not the parser's."""
    best = float("inf")
    for _ in range(2):
        start = time.perf_counter()
        try:
            importer.read_bytes(data, "page.html")
        except ImportFailed:
            pass
        best = min(best, time.perf_counter() - start)
    return best


# --- 13.1 parsing time and memory ------------------------------------------------------------------
@pytest.mark.parametrize("unit", [
    "<p>段落</p>",                                   # many block tags (was quadratic)
    "<div>",                                        # deep nesting (unclosed)
    "<table><tr><td>",                              # deep nested tables
    "<span>字</span>",                               # many inline nodes
    "<td rowspan=500 colspan=500>0</td>",           # spans that would blow up the grid
])
def test_parsing_grows_linearly(unit):
    """Time for 4× the input stays within ~8× (linear with noise), on inputs of a few hundred KB."""
    small = _timed(("<html><body>" + unit * 2_000 + "</body></html>").encode())
    large = _timed(("<html><body>" + unit * 8_000 + "</body></html>").encode())
    assert large < max(8 * small, 0.5), (small, large)


def test_deep_nesting_is_refused_with_a_located_error():
    page = ("<html><body>" + "<div>" * 5000 + "x" + "</div>" * 5000 + "</body></html>").encode()
    with pytest.raises(ImportFailed, match="嵌套超过 256 层"):
        importer.read_bytes(page, "deep.html")


def test_size_is_checked_before_reading(tmp_path, monkeypatch):
    big = tmp_path / "big.html"
    with big.open("wb") as f:                       # sparse: 3 GB on paper, nothing on disk
        f.truncate(3 << 30)
    read = []
    monkeypatch.setattr(Path, "read_bytes", lambda self: read.append(self) or b"")
    with pytest.raises(ImportFailed, match="文件过大"):
        importer.read_report(big)
    assert not read


def test_a_5000_digit_cell_and_an_unknown_charset_are_located_errors_not_crashes():
    assert parse_figure("9" * 5000)[0] == "unread"
    page = CLEAN.read_bytes().replace(b"<td >57</td>", b"<td>" + b"9" * 5000 + b"</td>", 1)
    imp = importer.read_bytes(page, "long.html")
    assert any("位" in c.reason for c in imp.report.unread)
    for charset in (b"x-unknown-42", b"base64", b"idna", b"utf-7"):
        page = b'<html><head><meta charset="' + charset + b'"></head><body>\xff\xfe\xa0</body></html>'
        with pytest.raises(ImportFailed):
            importer.read_bytes(page, "odd.html")


# --- 13.5 figures not misread ------------------------------------------------------------------------
@pytest.mark.parametrize("text", ["5²", "①", "𝟏𝟐", "١٢", "12\u202e", "\u200b7", "1\u20662\u2069", "\u00ad3"])
def test_look_alike_digits_and_invisible_characters_are_unread_with_a_reason(text):
    status, value, reason = parse_figure(text)
    assert (status, value) == ("unread", None) and reason


def test_full_width_digits_are_normal():
    assert parse_figure("１２")[:2] == ("read", 12)


def test_a_look_alike_figure_in_a_page_is_listed_never_read():
    page = CLEAN.read_text(encoding="utf-8").replace("<td >57</td>", "<td>5⁷</td>", 1).encode()
    imp = importer.read_bytes(page, "sup.html")
    cell = imp.report.cells["applications.new.natural_person"]
    assert cell.status == "unread" and imp.values[cell.key] is None and "形似数字" in cell.reason


def test_direction_controls_in_the_text_are_refused_with_a_located_error():
    page = CLEAN.read_text(encoding="utf-8").replace("稳步推进", "稳步\u202e推进", 1).encode()
    with pytest.raises(ImportFailed, match="方向的控制字符") as info:
        importer.read_bytes(page, "bidi.html")
    assert "U+202E" in str(info.value) and "正文第" in str(info.value)


# --- 12.4 / 13.3 import never loses data ---------------------------------------------------------------
def test_import_does_not_overwrite_without_force_and_lists_changes_with_it(runner, tmp_path):
    out = tmp_path / "p"
    assert invoke(runner, "import", CLEAN, "-o", out).exit_code == 0
    target = next((out / "2022").glob("*.yaml"))
    target.write_text(target.read_text(encoding="utf-8").replace("[57, ", "[58, "), encoding="utf-8")
    before = target.read_bytes()
    result = invoke(runner, "import", CLEAN, "-o", out)
    assert result.exit_code == 2 and "未覆盖" in result.stderr and target.read_bytes() == before
    result = invoke(runner, "import", CLEAN, "-o", out, "--force")
    assert result.exit_code == 0
    assert "applications.new：[58, " in result.output and "→ [57, " in result.output
    assert yaml.safe_load(target.read_text(encoding="utf-8"))["applications"]["new"][0] == 57


def test_an_issuer_in_the_registry_keeps_its_id(runner, tmp_path):
    out = tmp_path / "p"
    out.mkdir()
    (out / "bureaus.yaml").write_text("# 我们的名录\nshili: {name: 某县示例局, self: 我局}\n", encoding="utf-8")
    assert invoke(runner, "import", CLEAN, "-o", out).exit_code == 0
    assert (out / "2022" / "shili.yaml").is_file()
    text = (out / "bureaus.yaml").read_text(encoding="utf-8")
    assert text.startswith("# 我们的名录") and yaml.safe_load(text) == {"shili": {"name": "某县示例局", "self": "我局"}}


@pytest.mark.parametrize("registry, message", [
    ("- a\n- b\n", "顶层不是映射"),
    ("a: {name: x}\nb: [\n", "不是合法的 YAML"),
    ('"x\\ny": {name: x}\n', "换行或控制字符"),
    ("a: 1\n", "内容不是映射"),
    ("a: {name: x}\na: {name: y}\n", "不是合法的 YAML"),
])
def test_a_malformed_registry_is_refused_and_left_alone(runner, tmp_path, registry, message):
    out = tmp_path / "p"
    out.mkdir()
    (out / "bureaus.yaml").write_text(registry, encoding="utf-8")
    result = invoke(runner, "import", CLEAN, "-o", out)
    assert result.exit_code == 2 and message in result.stderr and "bureaus.yaml" in result.stderr
    assert (out / "bureaus.yaml").read_text(encoding="utf-8") == registry
    assert not (out / "2022").exists()


def test_a_file_name_with_a_line_break_adds_no_key(runner, tmp_path):
    if os.name == "nt":
        pytest.skip("no line breaks in Windows file names")
    src = tmp_path / "报告\nevil: 1\n.html"
    src.write_bytes(CLEAN.read_bytes())
    out = tmp_path / "p"
    assert invoke(runner, "import", src, "-o", out).exit_code == 0
    registry = yaml.safe_load((out / "bureaus.yaml").read_text(encoding="utf-8"))
    assert list(registry) == [importer.bureau_id_for("某县示例局")] and "evil" not in registry
    data = yaml.safe_load(next((out / "2022").glob("*.yaml")).read_text(encoding="utf-8"))
    assert "evil" not in data


def test_emitted_text_is_checked_against_the_data(tmp_path):
    data = {"published": None, "narrative": {"overview": ["a\nevil: 1", "#x", "key: value"]}}
    text = emit.params_text(data, header=["来源：x\nevil: 2"], comments={"narrative": "注\n释: 3"})
    assert yaml.safe_load(text) == data
    out = emit.write_params(tmp_path, 2022, "x", data)
    assert out.created and yaml.safe_load(out.path.read_text(encoding="utf-8")) == data
    for bad_id in ("x\n", "../x", "X", "a/b"):
        with pytest.raises(ImportFailed):
            emit.write_params(tmp_path, 2022, bad_id, data)
