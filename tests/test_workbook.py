"""Template workbooks: params → workbook → params, located errors for bad cells, the CLI."""
from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from openpyxl import Workbook, load_workbook

from conftest import SAMPLE_PARAMS, invoke
from reportkit.model import BureauYear
from reportkit.params import load_registry, load_year, year_path
from reportkit.workbook import build, deadline, is_reportkit_workbook, read_workbook, to_bytes
from reportkit.workbook import layout as L
from reportkit.workbook.read import check_registry
from reportkit.workbook.values import same_figures

BUREAU, YEAR = "shengzhou-wglj", 2022


def cell_of(key: str) -> tuple[str, str]:
    """(sheet, coordinate) of the input or formula cell holding ``key``."""
    for sheet in (L.proactive_sheet(), L.applications_sheet(), L.review_sheet(), L.extra_sheet(0)):
        for item in (*sheet.fields, *sheet.derived):
            if item.key == key:
                return sheet.name, item.coord
    raise KeyError(key)


def workbook_file(tmp_path: Path, bureau: str = BUREAU, year: int = YEAR, name: str = "wb.xlsx") -> Path:
    registry = load_registry(SAMPLE_PARAMS)
    previous = year_path(SAMPLE_PARAMS, year - 1, bureau)
    wb = build(registry[bureau], year, load_year(year_path(SAMPLE_PARAMS, year, bureau)),
               load_year(previous) if previous.exists() else None)
    path = tmp_path / name
    path.write_bytes(to_bytes(wb))
    return path


def edited(path: Path, **cells) -> Path:
    """The workbook with cells set, as a bureau's Excel would save it: ``表三__D5=…``."""
    wb = load_workbook(path)
    for where, value in cells.items():
        sheet, coord = where.split("__")
        wb[sheet][coord] = value
    wb.save(path)
    return path


def messages(read) -> list[str]:
    return [str(p) for p in read.problems]


# --- round trip -------------------------------------------------------------------------------------
def test_every_sample_bureau_year_round_trips(tmp_path):
    registry = load_registry(SAMPLE_PARAMS)
    done, failures = 0, []
    for path in sorted(SAMPLE_PARAMS.glob("20*/*.yaml")):
        year, bureau = int(path.parent.name), path.stem
        original = load_year(path)
        previous = year_path(SAMPLE_PARAMS, year - 1, bureau)
        target = tmp_path / f"{year}-{bureau}.xlsx"
        target.write_bytes(to_bytes(build(registry[bureau], year, original,
                                          load_year(previous) if previous.exists() else None)))
        read = read_workbook(target)
        # rule warnings are about the data (validate gives the same); anything else is the workbook's
        if not read.ok or [p for p in read.problems if not p.message.startswith("[")]:
            failures.append((path.name, messages(read)))
            continue
        assert (read.bureau_id, read.year) == (bureau, year)
        diff = same_figures(original, BureauYear.model_validate(read.data))
        if diff:
            failures.append((f"{year}/{bureau}", diff))
        done += 1
    assert not failures
    assert done == 51


def test_template_bytes_are_deterministic(tmp_path):
    a = workbook_file(tmp_path, name="a.xlsx").read_bytes()
    b = workbook_file(tmp_path, name="b.xlsx").read_bytes()
    assert a == b


def test_workbook_layout_formulas_protection_and_marker(tmp_path):
    path = workbook_file(tmp_path)
    assert is_reportkit_workbook(path)
    wb = load_workbook(path)
    assert wb.sheetnames == list(L.SHEETS)
    assert L.MARKER_NAME in wb.defined_names
    t3 = wb["表三"]
    assert t3.protection.sheet and not t3.protection.password
    assert "C3:E3" not in {str(m) for m in t3.merged_cells.ranges}
    assert "A2:C4" in {str(m) for m in t3.merged_cells.ranges}          # corner note 3×3
    sheet, total = cell_of("applications.new.total")
    assert t3[total].value.startswith("=SUM(") and t3[total].protection.locked
    _, new = cell_of("applications.new.natural_person")
    assert t3[new].value == 5 and not t3[new].protection.locked
    _, over = cell_of("applications.carried_over.natural_person")      # last year's carry-over: locked
    assert t3[over].protection.locked
    _, seven = cell_of("applications.total.natural_person")
    assert t3[seven].value.startswith("=")
    validations = {dv.type for dv in t3.data_validations.dataValidation}
    assert validations == {"whole"}
    t2 = wb["表二"]
    assert "decimal" in {dv.type for dv in t2.data_validations.dataValidation}
    assert t3.page_setup.orientation == "landscape" and str(t3.page_setup.paperSize) == t3.PAPERSIZE_A4
    assert len(t3.conditional_formatting) > 20
    cover = wb["封面"]
    assert cover["B6"].value.startswith("2023年1月31日前")


def test_deadline_follows_article_49():
    registry = load_registry(SAMPLE_PARAMS)
    assert deadline(registry[BUREAU], 2022) == dt.date(2023, 1, 31)
    gov = registry[BUREAU].model_copy(update={"name": "嵊州市人民政府"})
    assert deadline(gov, 2022) == dt.date(2023, 3, 31)


def test_blank_template_without_params(tmp_path):
    registry = load_registry(SAMPLE_PARAMS)
    path = tmp_path / "blank.xlsx"
    path.write_bytes(to_bytes(build(registry[BUREAU], 2024, None, load_year(year_path(SAMPLE_PARAMS, 2023, BUREAU)))))
    read = read_workbook(path)
    assert not read.ok
    assert "封面!B10：应为发布日期（如 2023-01-15），未填写" in messages(read)
    assert any(m.startswith("表三!D5：空白，按 0 计") for m in messages(read))
    edited(path, 封面__B10=dt.datetime(2025, 1, 20))
    read = read_workbook(path)
    assert read.ok
    last = load_year(year_path(SAMPLE_PARAMS, 2023, BUREAU)).app_cells()[("carried_forward",)]
    assert read.data["applications"]["carried_over"][:6] == [last[c] for c in
                                                            ("natural_person", "commercial", "research",
                                                             "social_welfare", "legal_service", "other")]


# --- bad cells ------------------------------------------------------------------------------------
@pytest.mark.parametrize("value, found", [("六", '实为"六"'), (-3, "实为-3"), (2.5, "实为2.5"),
                                          ("=2+3", "实为公式 =2+3"), (True, "实为True")])
def test_bad_figure_is_located(tmp_path, value, found):
    sheet, where = cell_of("applications.new.natural_person")
    read = read_workbook(edited(workbook_file(tmp_path), **{f"{sheet}__{where}": value}))
    assert not read.ok
    data, problems = read
    assert data is None
    assert f"{sheet}!{where}：应为非负整数，{found}（一、本年新收政府信息公开申请数量 × 自然人）" in messages(read)


def test_decimal_allowed_for_money_and_text_digits_read(tmp_path):
    fees = "{}__{}".format(*cell_of("proactive.fees.amount"))
    new = "{}__{}".format(*cell_of("applications.new.commercial"))
    read = read_workbook(edited(workbook_file(tmp_path), **{fees: 1.25, new: " 1 "}))
    assert read.ok, messages(read)
    assert read.data["proactive"]["fees"] == Decimal("1.25")
    assert read.data["applications"]["new"][1] == 1
    assert any("数字存成了文字，按 1 读入" in m for m in messages(read))


def test_overwritten_formula_is_recomputed_and_reported(tmp_path):
    sheet, total = cell_of("applications.new.total")
    read = read_workbook(edited(workbook_file(tmp_path), **{f"{sheet}__{total}": 99}))
    assert not read.ok
    assert f"{sheet}!{total}：公式 =SUM(D5:I5) 被改成了数字 99，按各格计算应为 6" \
           "（一、本年新收政府信息公开申请数量 × 总计）" in messages(read)
    read = read_workbook(edited(workbook_file(tmp_path, name="b.xlsx"), **{f"{sheet}__{total}": 6}))
    assert read.ok and read.data["applications"]["new"][6] == 6
    assert any("与计算值 6 相同" in m for m in messages(read))


def test_cached_formula_values_are_never_trusted(tmp_path):
    """A workbook whose formula cells carry wrong cached results still reads the inputs."""
    path = workbook_file(tmp_path)
    _, new = cell_of("applications.new.natural_person")
    _, forward = cell_of("applications.carried_forward.natural_person")
    wb = load_workbook(path)
    for key in ("applications.new.total", "applications.total.natural_person", "review_litigation.review.total"):
        sheet, where = cell_of(key)
        assert wb[sheet][where].value.startswith("=")
    read = read_workbook(edited(path, **{f"表三__{new}": 7, f"表三__{forward}": 2}))
    assert read.ok, messages(read)
    assert read.data["applications"]["new"] == [7, 1, 0, 0, 0, 0, 8]
    assert read.data["applications"]["carried_forward"] == [2, 0, 0, 0, 0, 0, 2]


def test_broken_balance_is_located_at_its_cells(tmp_path):
    _, new = cell_of("applications.new.natural_person")
    read = read_workbook(edited(workbook_file(tmp_path), **{f"表三__{new}": 7}))
    assert not read.ok
    # The rule book names one cell of the broken 自然人 column (R7 reads 一、二、（七）总计 and 四) and
    # folds the echo in the 总计 column into the same finding.
    column = {cell_of(f"applications.{row}.natural_person")[1]
              for row in ("new", "carried_over", "total", "carried_forward")}
    r7 = [m for m in messages(read) if "[R7] 自然人列：本年新收 7 + 上年结转 0 应等于办理结果总计 5 + 结转下年度 0" in m]
    assert len(r7) == 1, messages(read)
    assert r7[0].split("：", 1)[0].removeprefix("表三!") in column
    assert "（应为 7，实为 5）" in r7[0] and "R7-balance（总计）" in r7[0]


def test_carry_over_checked_against_last_year(tmp_path):
    _, over = cell_of("applications.carried_over.commercial")
    path = edited(workbook_file(tmp_path), **{f"表三__{over}": 4})
    read = read_workbook(path, history=lambda bid, y: load_year(year_path(SAMPLE_PARAMS, y, bid)))
    assert not read.ok
    # One finding at the edited cell explains R7 and R9 at once (the rule book's single-cell cause).
    at = [m for m in messages(read) if m.startswith(f"表三!{over}：")]
    assert len(at) == 1, messages(read)
    assert "applications.carried_over.commercial 一处应为 0（实为 4）" in at[0]
    assert "R9-carry-chain（商业企业）" in at[0]


def test_missing_sheet_and_extra_sheet(tmp_path):
    path = workbook_file(tmp_path)
    wb = load_workbook(path)
    del wb["表四"]
    wb.create_sheet("备注")["A1"] = "随便写写"
    wb.save(path)
    read = read_workbook(path)
    assert not read.ok and "表四：缺少工作表“表四”（工作表名称不能改动）" in messages(read)
    path = workbook_file(tmp_path, name="extra.xlsx")
    wb = load_workbook(path)
    wb.create_sheet("备注")["A1"] = 123
    wb.save(path)
    assert read_workbook(path).ok


def test_workbook_of_another_year_or_bureau_is_refused_unless_named(tmp_path):
    path = edited(workbook_file(tmp_path), 封面__B5=2023)
    read = read_workbook(path)
    assert not read.ok
    assert "封面!B5：封面被改为2023，本表是2022的填报表；确要导入请用 --year 指明" in messages(read)
    read = read_workbook(path, year=2023)
    assert read.ok and read.year == 2023
    assert "封面!B5：本表是 2022 年的填报表，按 --year 导入为 2023 年" in messages(read)

    read = read_workbook(workbook_file(tmp_path, name="b.xlsx"))
    check_registry(read, {BUREAU: {"name": "嵊州市教育体育局"}}, named=False)
    assert not read.ok
    assert messages(read) == ["封面!B3：本表是“嵊州市文化广电旅游局”的填报表，名录中 shengzhou-wglj 是“嵊州市教育体育局”；"
                              "确要导入请用 --bureau 指明"]
    read = read_workbook(workbook_file(tmp_path, name="c.xlsx"), bureau="shengzhou-other")
    check_registry(read, {}, named=True)
    assert read.ok and read.bureau_id == "shengzhou-other"


def test_narrative_text_stays_text_and_inserted_rows_are_read(tmp_path):
    path = workbook_file(tmp_path)
    wb = load_workbook(path)
    ws = wb["正文"]
    row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 3).value == "p:problems")
    ws.insert_rows(row + 1)
    ws.cell(row + 1, 2).value = "新插入的一段。"
    ws.cell(row, 2).value = "=HYPERLINK(\"http://x\")"
    ws.cell(row, 2).data_type = "s"
    wb.save(path)
    read = read_workbook(path)
    assert read.ok, messages(read)
    assert read.data["narrative"]["problems"][:2] == ["=HYPERLINK(\"http://x\")", "新插入的一段。"]


def test_not_a_reportkit_workbook(tmp_path):
    plain = tmp_path / "plain.xlsx"
    Workbook().save(plain)
    page = tmp_path / "page.html"
    page.write_text("<html></html>", encoding="utf-8")
    assert not is_reportkit_workbook(plain) and not is_reportkit_workbook(page)


# --- CLI ------------------------------------------------------------------------------------------
def test_cli_template_and_import_refuses_to_overwrite(runner, sample_params, tmp_path):
    out = tmp_path / "sent"
    result = invoke(runner, "template", "2022", "-o", out, params=sample_params)
    assert result.exit_code == 0, result.output
    files = sorted(out.glob("*.xlsx"))
    assert len(files) == 17 and "已写入 17 个填报表" in result.output
    target = sample_params / "2022" / f"{BUREAU}.yaml"
    before = target.read_bytes()
    result = invoke(runner, "import", out, "-o", sample_params, params=sample_params)
    assert result.exit_code == 2
    assert "数据文件已存在，未覆盖；核对后确需覆盖请加 --force" in result.output
    assert target.read_bytes() == before

    filled = out / f"2022-{BUREAU}.xlsx"
    sheet, where = cell_of("proactive.licensing.count")
    edited(filled, **{f"{sheet}__{where}": 30})
    result = invoke(runner, "import", filled, "-o", sample_params, "--force", params=sample_params)
    assert result.exit_code == 0, result.output
    assert "1 处改动" in result.output and "proactive.licensing：28 → 30" in result.output
    assert yaml.safe_load(target.read_text(encoding="utf-8"))["proactive"]["licensing"] == 30
    assert invoke(runner, "validate", "--year", "2022", params=sample_params).exit_code == 0


def test_cli_import_reports_located_errors(runner, tmp_path):
    sheet, where = cell_of("applications.new.natural_person")
    path = edited(workbook_file(tmp_path), **{f"{sheet}__{where}": "六"})
    result = invoke(runner, "import", path, "-o", tmp_path / "p")
    assert result.exit_code == 2
    assert f'错误 {sheet}!{where}：应为非负整数，实为"六"' in result.output
    assert not (tmp_path / "p" / "2022").exists()


# --- LibreOffice ------------------------------------------------------------------------------------
def _soffice():
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if exe is None:
        pytest.skip("!!! LibreOffice (soffice) NOT INSTALLED: the re-save test is SKIPPED — run `make office-deps`")
    return exe


def test_libreoffice_resaved_workbook_still_imports(tmp_path):
    exe = _soffice()
    src = tmp_path / "src"
    src.mkdir()
    path = workbook_file(src)
    fees = "{}__{}".format(*cell_of("proactive.fees.amount"))
    edited(path, **{fees: 3.75})
    out = tmp_path / "lo"
    subprocess.run([exe, "--headless", f"-env:UserInstallation=file://{tmp_path}/profile",
                    "--convert-to", "xlsx", "--outdir", str(out), str(path)],
                   check=True, capture_output=True, timeout=120)
    resaved = out / path.name
    assert resaved.read_bytes() != path.read_bytes()
    assert is_reportkit_workbook(resaved)
    read = read_workbook(resaved)
    assert read.ok, messages(read)
    original = load_year(year_path(SAMPLE_PARAMS, YEAR, BUREAU))
    expected = original.model_copy(update={"proactive": original.proactive.model_copy(
        update={"fees": Decimal("3.75")})})
    assert same_figures(expected, BureauYear.model_validate(read.data)) == []


def test_floats_as_libreoffice_stores_them_read_as_integers(tmp_path):
    sheet, where = cell_of("applications.new.natural_person")
    read = read_workbook(edited(workbook_file(tmp_path), **{f"{sheet}__{where}": 5.0}))
    assert read.ok and read.data["applications"]["new"][0] == 5 and type(read.data["applications"]["new"][0]) is int


def test_template_keeps_a_different_workbook_unless_forced(runner, sample_params, tmp_path):
    out = tmp_path / "sent"
    assert invoke(runner, "template", "2023", "--bureau", BUREAU, "-o", out, params=sample_params).exit_code == 0
    target = out / f"2023-{BUREAU}.xlsx"
    result = invoke(runner, "template", "2023", "--bureau", BUREAU, "-o", out, params=sample_params)
    assert result.exit_code == 0 and "（未变）" in result.output
    edited(target, 封面__B8="张三")                      # a bureau filled it in
    filled = target.read_bytes()
    result = invoke(runner, "template", "2023", "--bureau", BUREAU, "-o", out, params=sample_params)
    assert result.exit_code == 2 and "未覆盖" in result.output and target.read_bytes() == filled
    result = invoke(runner, "template", "2023", "--bureau", BUREAU, "-o", out, "--force", params=sample_params)
    assert result.exit_code == 0 and target.read_bytes() != filled
    result = invoke(runner, "template", "2023", "--bureau", "nobody", "-o", out, params=sample_params)
    assert result.exit_code == 2 and "名录中没有该机关" in result.output


def test_overlong_paragraph_is_located(tmp_path):
    path = workbook_file(tmp_path)
    wb = load_workbook(path)
    ws = wb["正文"]
    row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 3).value == "p:other")
    ws.cell(row, 2).value = "长" * 20001
    wb.save(path)
    read = read_workbook(path)
    assert f"正文!B{row}：段落过长（20001 字，应不超过 20000 字）" in messages(read) and not read.ok


def test_cli_import_into_a_new_folder_registers_every_bureau(runner, sample_params, tmp_path):
    out = tmp_path / "sent"
    invoke(runner, "template", "2023", "--bureau", BUREAU, "--bureau", "shengzhou-czj", "-o", out,
           params=sample_params)
    fresh = tmp_path / "fresh"
    result = invoke(runner, "import", out, "-o", fresh)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (fresh / "2023").iterdir()) == ["shengzhou-czj.yaml", f"{BUREAU}.yaml"]
    assert invoke(runner, "validate", params=fresh).exit_code == 0
    other = tmp_path / "other"                     # a city whose registry does not know the bureau
    other.mkdir()
    (other / "bureaus.yaml").write_text("x-bureau: {name: 某县某局, government: 某县人民政府}\n", encoding="utf-8")
    result = invoke(runner, "import", out / f"2023-{BUREAU}.xlsx", "-o", other)
    assert result.exit_code == 2 and f"名录中没有 {BUREAU}；确要导入请用 --bureau 指明" in result.output
    result = invoke(runner, "import", out / f"2023-{BUREAU}.xlsx", "-o", other, "--bureau", "y-bureau")
    assert result.exit_code == 0, result.output
    assert (other / "2023" / "y-bureau.yaml").is_file()


def test_tampered_marker_is_a_located_error(tmp_path):
    read = read_workbook(edited(workbook_file(tmp_path), 封面__H3="二〇二二"))
    assert not read.ok
    assert messages(read) == ['封面!H3：封面标记中的年度不可读，实为"二〇二二"']


def test_importer_registry_reader_recognises_a_template(tmp_path):
    from reportkit.errors import ImportFailed
    from reportkit.workbook.reader import TemplateWorkbookReader

    reader = TemplateWorkbookReader()
    assert reader.sniff(workbook_file(tmp_path).read_bytes())
    plain = tmp_path / "plain.xlsx"
    Workbook().save(plain)
    assert not reader.sniff(plain.read_bytes()) and not reader.sniff(b"<html>")
    with pytest.raises(ImportFailed, match="reportkit import"):
        reader.read(b"", "x.xlsx", None)


def test_not_a_workbook_or_a_zip_bomb_is_refused_with_a_message(tmp_path):
    import zipfile

    from reportkit.errors import ImportFailed

    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(ImportFailed, match="不是可读的 Excel 工作簿"):
        read_workbook(junk)
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/sharedStrings.xml", b"\0" * (60 << 20))
    with pytest.raises(ImportFailed, match="解压后过大"):
        read_workbook(bomb)
    assert not is_reportkit_workbook(bomb)
