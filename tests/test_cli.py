"""The command line: exit codes, one-paragraph messages, help on every command."""
from __future__ import annotations

import json

import pytest
from conftest import invoke
from factories import dump, year_data

from reportkit.cli import cli


@pytest.mark.parametrize("command", [[], ["validate"], ["build"], ["schema"]])
def test_help_everywhere(runner, command):
    result = runner.invoke(cli, command + ["--help"])
    assert result.exit_code == 0
    assert "Usage:" in result.output


def test_validate_sample_passes(runner, sample_params):
    result = invoke(runner, "validate", params=sample_params)
    assert result.exit_code == 0, result.output
    assert "0 个有错误" in result.output


def test_validate_lists_every_invalid_file(runner, small_params):
    bad = year_data()
    bad["applications"]["new"] = [4, 1, 0, 0, 1, 0, 7]
    dump(small_params / "2022" / "alpha.yaml", bad)
    dump(small_params / "2022" / "beta.yaml", year_data(colour=1))
    result = invoke(runner, "validate", "--year", 2022, params=small_params)
    assert result.exit_code == 2
    out = result.output
    assert "alpha.yaml" in out and "applications.new[6]" in out and "R1-row-total" in out
    assert "应为 " in out and "实为 " in out
    assert "beta.yaml" in out and "colour" in out and "未知字段" in out
    assert "Traceback" not in out


def test_validate_json(runner, small_params):
    dump(small_params / "2022" / "beta.yaml", year_data(colour=1))
    result = invoke(runner, "validate", "--json", params=small_params)
    records = json.loads(result.output)
    assert {"file", "field", "rule", "expected", "found", "line", "severity"} <= set(records[0])
    assert result.exit_code == 2


def test_schema_is_json_schema(runner):
    result = invoke(runner, "schema")
    doc = json.loads(result.output)
    assert result.exit_code == 0
    assert {"published", "proactive", "applications", "review_litigation"} <= set(doc["properties"])
    assert doc["additionalProperties"] is False


def test_missing_params_folder_is_a_clear_error(runner, tmp_path):
    result = invoke(runner, "validate", params=tmp_path / "nowhere")
    assert result.exit_code == 2
    assert "bureaus.yaml" in result.output and "找不到文件" in result.output
    assert "Traceback" not in result.output


def test_build_rejects_path_traversal(runner, small_params, tmp_path):
    result = invoke(runner, "build", 2022, "--bureau", "../x", params=small_params, output=tmp_path / "o")
    assert result.exit_code == 2
    assert "机关 id" in result.output


@pytest.mark.parametrize("command", [["validate"], ["validate", "--year", "2022"], ["build", "2022"]])
def test_unknown_bureau_id_is_named_with_the_ids_that_exist(runner, small_params, tmp_path, command):
    result = invoke(runner, *command, "--bureau", "nosuch", params=small_params, output=tmp_path / "o")
    assert result.exit_code == 2, result.output
    assert "未知的机关 id 'nosuch'" in result.output
    assert "现有的 id：alpha、beta" in result.output
    assert "Traceback" not in result.output and not (tmp_path / "o").exists()


def test_known_bureau_without_data_that_year(runner, small_params, tmp_path):
    reg = small_params / "bureaus.yaml"
    reg.write_text(reg.read_text() + "gamma:\n  name: 测试市丙局\n  government: 测试市人民政府\n", encoding="utf-8")
    result = invoke(runner, "build", 2022, "--bureau", "gamma", params=small_params, output=tmp_path / "o")
    assert result.exit_code == 2
    assert "gamma" in result.output and "数据文件" in result.output and "未知" not in result.output
    result = invoke(runner, "validate", "--bureau", "gamma", params=small_params)
    assert result.exit_code == 2
    assert "机关 gamma 在任何年份没有数据文件；现有年份：2021、2022" in result.output


def test_missing_registry_says_where_it_looked_and_how_to_point_elsewhere(runner, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = invoke(runner, "validate")
    assert result.exit_code == 2
    assert f"查找的位置是 {tmp_path / 'params' / 'bureaus.yaml'}" in result.output
    assert f"当前目录 {tmp_path}" in result.output and "--params" in result.output and "-p params" in result.output


def test_a_reader_that_stops_early_ends_the_command_quietly(sample_params):
    """``reportkit validate | head``: the reader has closed the pipe; the command stops with the
    shell's status for it (141) and says nothing on stderr (no 内部错误, no traceback)."""
    import os
    import subprocess
    import sys

    read, write = os.pipe()
    os.close(read)  # the reader is gone before the first line is written
    proc = subprocess.run([sys.executable, "-m", "reportkit.cli", "--params", str(sample_params), "validate"],
                          stdout=write, stderr=subprocess.PIPE, timeout=60)
    os.close(write)
    assert proc.returncode == 141, proc.stderr.decode("utf-8")
    assert proc.stderr == b""


def test_the_command_ends_as_python_would_with_an_idle_executor_thread():
    """The console script leaves without the interpreter's teardown, but first does what Python's
    exit does: an idle ThreadPoolExecutor worker (asyncio's default executor leaves one) is woken
    and joined, never waited for forever; an atexit handler still runs."""
    import subprocess
    import sys

    code = (
        "import atexit, concurrent.futures, sys\n"
        "concurrent.futures.ThreadPoolExecutor(1).submit(lambda: 1).result()\n"
        "atexit.register(lambda: print('atexit ran', flush=True))\n"
        "sys.argv = ['reportkit', '--help']\n"
        "from reportkit.cli import main\n"
        "main()\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.rstrip().endswith("atexit ran")
    assert "Usage: reportkit" in proc.stdout
