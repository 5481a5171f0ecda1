"""Reading params files: schema rejections and YAML problems, each located (file, field, line)."""
from __future__ import annotations

import pytest
from factories import dump, year_data

from reportkit import params
from reportkit.errors import InvalidInput


def load_errors(path):
    with pytest.raises(InvalidInput) as info:
        params.load_year(path)
    return info.value.findings


def test_valid_file_loads(tmp_path):
    data = params.load_year(dump(tmp_path / "a.yaml", year_data()))
    assert data.disclosed.total == 30
    assert data.app_cells()[("total",)]["total"] == 5


def test_unknown_key_rejected(tmp_path):
    findings = load_errors(dump(tmp_path / "a.yaml", year_data(colour="red")))
    assert [(f.field, f.message, f.rule) for f in findings] == [("colour", "未知字段", "schema")]
    assert findings[0].file.endswith("a.yaml") and findings[0].line


def test_negative_rejected_with_expected_and_found(tmp_path):
    data = year_data()
    data["proactive"]["licensing"] = -3
    (f,) = load_errors(dump(tmp_path / "a.yaml", data))
    assert (f.field, f.expected, f.found) == ("proactive.licensing", "≥ 0", "-3")


def test_non_integer_rejected(tmp_path):
    data = year_data()
    data["applications"]["new"][2] = 1.5
    (f,) = load_errors(dump(tmp_path / "a.yaml", data))
    assert f.field == "applications.new.2"
    assert f.found == "1.5"


@pytest.mark.parametrize("value", [0.0, 0, 20230111, True])
def test_a_number_is_not_a_publication_date(tmp_path, value):
    """pydantic would read 0 or 0.0 as 1970-01-01 (found by the hostile-params test)."""
    data = year_data()
    data["published"] = value
    (f,) = load_errors(dump(tmp_path / "a.yaml", data))
    assert (f.field, f.message, f.expected, f.found) == (
        "published", "不是有效日期（应写作 2023-01-11）", "日期，如 2023-01-11", repr(value))
    assert f.line == 1


def test_missing_required_field(tmp_path):
    data = year_data()
    del data["review_litigation"]
    (f,) = load_errors(dump(tmp_path / "a.yaml", data))
    assert (f.field, f.message, f.found) == ("review_litigation", "缺少必填字段", "空")


def test_all_errors_of_a_file_at_once(tmp_path):
    data = year_data(extra=1)
    data["proactive"]["penalty"] = -1
    data["applications"]["new"] = [1, 2]
    findings = load_errors(dump(tmp_path / "a.yaml", data))
    assert {f.field for f in findings} == {"extra", "proactive.penalty", "applications.new"}


def test_error_points_at_the_line(tmp_path):
    path = tmp_path / "a.yaml"
    dump(path, year_data())
    text = path.read_text(encoding="utf-8").replace("licensing: 12", "licensing: many")
    path.write_text(text, encoding="utf-8")
    (f,) = load_errors(path)
    line = next(i for i, l in enumerate(text.splitlines(), 1) if "licensing: many" in l)
    assert (f.field, f.line) == ("proactive.licensing", line)
    assert f"a.yaml:{line}" in str(f)


@pytest.mark.parametrize("content,needle", [
    (b"", "文件为空"),
    (b"published: 2023-01-11\npublished: 2023-01-12\n", "重复的键"),
    (b"a: &x [1]\nb: *x\n", "YAML 别名"),
    (b"published:\n\t- 1\n", "YAML 语法错误"),
    (b"\xff\xfe bad bytes", "不是 UTF-8"),
    (b"- just\n- a list\n", "映射"),
])
def test_yaml_problems_are_located(tmp_path, content, needle):
    path = tmp_path / "a.yaml"
    path.write_bytes(content)
    (f,) = load_errors(path)
    assert needle in f.message
    assert f.file.endswith("a.yaml")


def test_bom_is_accepted(tmp_path):
    path = dump(tmp_path / "a.yaml", year_data())
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert params.load_year(path).disclosed.total == 30


def test_directory_instead_of_file(tmp_path):
    (tmp_path / "a.yaml").mkdir()
    (f,) = load_errors(tmp_path / "a.yaml")
    assert "目录" in f.message


@pytest.mark.parametrize("bad", ["../x", "a/b", "UPPER", "", "名字"])
def test_path_traversal_ids_rejected(tmp_path, bad):
    with pytest.raises(InvalidInput) as info:
        params.year_path(tmp_path, 2022, bad)
    assert info.value.findings[0].field == "bureau"


def test_registry_errors_name_the_bureau(tmp_path):
    dump(tmp_path / "bureaus.yaml", {"ok-one": {"name": "某局", "government": "某市人民政府"},
                                     "bad-one": {"name": "某局", "government": "某市人民政府", "colour": 1}})
    with pytest.raises(InvalidInput) as info:
        params.load_registry(tmp_path)
    assert [f.field for f in info.value.findings] == ["bad-one.colour"]


def test_find_params_dir_from_a_subfolder(tmp_path, monkeypatch):
    dump(tmp_path / "params" / "bureaus.yaml", {})
    (tmp_path / "notebooks").mkdir()
    monkeypatch.chdir(tmp_path / "notebooks")
    assert params.find_params_dir("params") == tmp_path / "params"


@pytest.mark.parametrize("bad", ["alpha\n", "alpha\r", "Alpha", "../alpha", "alpha/", ""])
def test_a_bureau_id_must_be_the_whole_string(bad):
    """`$` in a pattern lets a trailing newline through; a path built from it would hold one."""
    from reportkit.errors import InvalidInput
    from reportkit.layout import check_bureau_id

    with pytest.raises(InvalidInput):
        check_bureau_id(bad)
    check_bureau_id("alpha")
