"""A city project: `reportkit init`, `reportkit new`, the wording in the notebook, JupyterLab saves."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import jupytext
import nbformat
import pytest
import yaml
from factories import applications, write_params, year_data

from reportkit import batch, masters, project
from reportkit.errors import InvalidInput
from reportkit.lab import strip
from reportkit.narrative import Context, proactive_facts
from reportkit.model import Bureau, BureauYear
from reportkit.project import TODO_MARKER, ProjectError
from reportkit.templating import lab_css
from reportkit.wording import WordingError, defaults

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
YEAR = 2022


# --- init -------------------------------------------------------------------------------
def test_init_lays_out_a_project_that_validates(tmp_path):
    from reportkit.validate import check_many

    done = project.init(tmp_path / "city", city="测试市", year=YEAR)
    names = {p.relative_to(tmp_path / "city").as_posix() for p in done.written}
    assert names == {"params/bureaus.yaml", f"params/{YEAR}/example.yaml", "notebooks/report.ipynb",
                     "notebooks/report.py", "notebooks/summary.ipynb", "notebooks/summary.py",
                     "jupytext.toml", ".gitignore", "README.md"}
    registry = yaml.safe_load((tmp_path / "city/params/bureaus.yaml").read_text(encoding="utf-8"))
    assert registry["example"]["name"] == "测试市示例局"
    (checked,) = check_many(tmp_path / "city/params", [YEAR])
    assert checked.ok, checked.errors
    ignore = (tmp_path / "city/.gitignore").read_text().split()
    assert "output/" in ignore and ".ipynb_checkpoints/" in ignore
    readme = (tmp_path / "city/README.md").read_text(encoding="utf-8")
    for topic in ("增加一个部门", "reportkit validate", f"reportkit build {YEAR}", f"reportkit new {YEAR + 1}"):
        assert topic in readme
    paired = jupytext.read(tmp_path / "city/notebooks/report.py")
    assert [c.source for c in paired.cells] == [c.source for c in nbformat.read(masters.packaged(), 4).cells]


def test_init_refuses_a_non_empty_folder_and_never_overwrites(tmp_path):
    (tmp_path / "README.md").write_text("ours", encoding="utf-8")
    with pytest.raises(ProjectError, match="--force"):
        project.init(tmp_path)
    assert (tmp_path / "README.md").read_text(encoding="utf-8") == "ours"
    done = project.init(tmp_path, force=True, year=YEAR)
    assert (tmp_path / "README.md").read_text(encoding="utf-8") == "ours"  # --force only adds
    assert tmp_path / "README.md" in done.kept and (tmp_path / "params/bureaus.yaml") in done.written
    again = project.init(tmp_path, force=True, year=YEAR)
    assert not again.written and len(again.kept) == 9


# --- new --------------------------------------------------------------------------------
def test_new_carries_last_years_figures_and_marks_drafts(tmp_path):
    last = year_data(applications=applications(new=(4, 1, 0, 0, 1, 0), forward=(1, 0, 0, 0, 0, 0)))
    last["proactive"]["normative_documents"] = {"issued": 2, "repealed": 1, "in_force": 5}
    params_dir = write_params(tmp_path / "params", {YEAR: {"alpha": last, "beta": year_data()}})
    done = project.new_year(params_dir, YEAR + 1)
    assert sorted(p.name for p in done.written) == ["alpha.yaml", "beta.yaml"]
    text = (params_dir / str(YEAR + 1) / "alpha.yaml").read_text(encoding="utf-8")
    draft = yaml.safe_load(text)
    assert draft["applications"]["carried_over"] == [1, 0, 0, 0, 0, 0]          # R9: = last year's 四
    assert draft["proactive"]["normative_documents"] == {"issued": 0, "repealed": 0, "in_force": 5}  # R10
    assert draft["applications"]["new"] == [0] * 6 and draft["proactive"]["licensing"] == 0
    assert str(draft["published"]) == f"{YEAR + 2}-01-31"
    paragraphs = [p for v in draft["narrative"].values() for p in (v if isinstance(v, list) else [v])]
    assert len(paragraphs) == 9 and all(p.startswith(f"{TODO_MARKER}：") for p in paragraphs)
    BureauYear.model_validate(draft)


def test_new_never_overwrites_and_knows_the_registry(tmp_path):
    params_dir = write_params(tmp_path / "params", {YEAR: {"alpha": year_data()}})
    target = params_dir / str(YEAR + 1) / "alpha.yaml"
    target.parent.mkdir()
    target.write_text("# ours\n", encoding="utf-8")
    done = project.new_year(params_dir, YEAR + 1, "alpha")
    assert done.kept == [target] and target.read_text(encoding="utf-8") == "# ours\n"
    with pytest.raises(InvalidInput, match="nosuch"):
        project.new_year(params_dir, YEAR + 1, "nosuch")
    fresh = project.new_year(params_dir, YEAR + 5, "alpha")  # no last-year file: said, zeros
    assert fresh.written and "没有" in fresh.notes[0]


# --- wording ----------------------------------------------------------------------------
def _ctx(**bureau):
    b = Bureau(**{"id": "x", "name": "测试局", "self": "我局", "government": "测试市人民政府", **bureau})
    return Context(b, YEAR, BureauYear.model_validate(year_data()))


def test_wording_is_checked_and_bureau_values_stay_escaped():
    c = _ctx(website="<script>alert(1)</script>")
    assert "&lt;script&gt;" in proactive_facts(c) and "<script>" not in proactive_facts(c)
    with pytest.raises(WordingError, match="未知的占位符 条目数"):
        c.wording.update("一", {"主动公开": "主动公开{{ 条目数 }}条"})
    with pytest.raises(WordingError, match="没有这句文字"):
        c.wording.update("一", {"开场白": "…"})
    with pytest.raises(WordingError, match="语法错误"):
        c.wording.update("二", {"导语": "{% if 制发 %}"})
    c.wording.update("一", {"主动公开": "{{ 本机关 }}公开{{ 条数 }}条。"})
    assert proactive_facts(c) == "我局公开30条。"
    assert proactive_facts(_ctx()) != "我局公开30条。"  # defaults are copied, never shared


def test_a_wording_cell_that_computes_is_refused_with_its_cell(tmp_path):
    from reportkit.errors import ReportkitError
    from reportkit.wording import load

    nb = nbformat.read(str(masters.packaged()), as_version=4)
    i = next(i for i, c in enumerate(nb.cells) if 'report.words("二"' in c.source)
    nb.cells[i].source = 'report.words("二", {"导语": "本年" + str(1)})'
    nbformat.write(nb, str(tmp_path / "report.ipynb"))
    with pytest.raises(ReportkitError, match="只能写字符串和字典") as info:
        load("report", tmp_path / "report.ipynb")
    assert info.value.field == f"第 {i} 个单元格" and info.value.file.endswith("report.ipynb")


def test_rendering_without_a_kernel_takes_a_projects_wording(tmp_path):
    from reportkit.report import Report

    nb = nbformat.read(str(masters.packaged()), as_version=4)
    i = next(i for i, c in enumerate(nb.cells) if 'report.words("六"' in c.source)
    nb.cells[i].source = nb.cells[i].source.replace("未收取信息处理费。", "未收取任何信息处理费。")
    nbformat.write(nb, str(tmp_path / "report.ipynb"))
    page = "".join(Report.load("shengzhou-wglj", 2022, REPO / "params", notebook=tmp_path / "report.ipynb").fragments())
    assert "未收取任何信息处理费。" in page
    assert "未收取任何" not in "".join(Report.load("shengzhou-wglj", 2022, REPO / "params").fragments())


def test_sample_notebooks_are_the_packaged_masters():
    for name in masters.NAMES:
        ours, packaged = (nbformat.read(str(p), as_version=4) for p in
                          (REPO / "notebooks" / f"{name}.ipynb", masters.packaged(name)))
        assert ours == packaged
        assert masters.read_wording(masters.packaged(name)) == defaults(
            "report" if name == "report" else "summary").templates


def test_digest_sees_sources_and_tags_not_outputs_or_lab_metadata(tmp_path):
    nb = nbformat.read(str(masters.packaged()), as_version=4)
    path = tmp_path / "report.ipynb"
    nbformat.write(nb, str(path))
    before = masters.digest(path)
    i = next(i for i, c in enumerate(nb.cells) if c.source == "report.header()")
    nb.metadata["language_info"] = {"name": "python"}
    nb.cells[i].outputs = [nbformat.v4.new_output("stream", text="x")]
    nb.cells[i].execution_count = 7
    nb.cells[i].metadata["collapsed"] = True
    nbformat.write(nb, str(path))
    assert masters.digest(path) == before
    assert strip(json.loads(path.read_text(encoding="utf-8"))) == json.loads(
        nbformat.writes(nbformat.read(str(masters.packaged()), as_version=4)))
    nb.cells[i].metadata["tags"] = ["x"]
    nbformat.write(nb, str(path))
    assert masters.digest(path) != before


def test_lab_css_is_scoped_to_outputs():
    css = lab_css()
    assert css.startswith("<style>") and ".jp-RenderedHTMLCommon table.official th" in css
    assert "body {" not in css and "@page" not in css and "\nh1" not in css


# --- the desk: a project in git, JupyterLab's contents API, rebuilds -----------------------
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _git(cwd, *args) -> str:
    return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=cwd,
                          check=True, capture_output=True, text=True).stdout


@pytest.fixture(scope="module")
def desk(tmp_path_factory):
    """An initialised, committed, built city project and a Jupyter server on it (as `jupyter lab` runs)."""
    root = tmp_path_factory.mktemp("desk") / "city"
    project.init(root, city="测试市", year=YEAR)
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    _git(root, "commit", "-qm", "init")
    result = batch.build(root / "params", root / "output", YEAR, jobs=1)
    assert result.exit_code == 0, result.entries
    port, token = _free_port(), "reportkit-test"
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(root.parent / "runtime")}  # cookie secret etc. stay here
    server = subprocess.Popen([str(BIN / "jupyter"), "server", "--no-browser", f"--ServerApp.port={port}",
                               "--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={token}",
                               f"--ServerApp.root_dir={root}", *(["--allow-root"] if os.geteuid() == 0 else [])],
                              cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    api = f"http://127.0.0.1:{port}/api/contents/notebooks/report.ipynb"

    def call(method="GET", body=None):
        req = urllib.request.Request(api + ("?content=1" if method == "GET" else ""), method=method,
                                     data=json.dumps(body).encode() if body else None,
                                     headers={"Authorization": f"token {token}", "Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=30) as r:
            return json.loads(r.read())

    for _ in range(120):
        try:
            call()
            break
        except OSError:
            if server.poll() is not None:
                pytest.fail(f"jupyter server exited: {server.stderr.read()[-2000:]}")
            time.sleep(0.25)
    yield root, call
    server.terminate()
    server.wait(timeout=20)


def test_run_and_save_in_lab_leaves_git_clean_and_skips_the_rebuild(desk):
    from nbclient import NotebookClient

    root, call = desk
    model = call()
    nb = nbformat.from_dict(model["content"])
    NotebookClient(nb, kernel_name="reportkit", timeout=120,  # run all, from the notebook's folder as Lab does
                   resources={"metadata": {"path": str(root / "notebooks")}}).execute()
    shown = "".join(o.get("data", {}).get("text/html", "") for c in nb.cells for o in c.get("outputs", []))
    assert "测试市示例局" in shown and ".jp-RenderedHTMLCommon table.official" in shown  # tables styled in Lab
    nb.cells[-1].metadata["collapsed"] = True  # UI state Lab records
    call("PUT", {"type": "notebook", "format": "json", "content": nb})
    assert _git(root, "status", "--porcelain") == ""
    result = batch.build(root / "params", root / "output", YEAR, jobs=1)
    assert result.skipped == {"example", "summary"}


def test_a_wording_edit_in_the_notebook_reaches_the_next_build(desk):
    root, call = desk
    nb = nbformat.from_dict(call()["content"])
    (cell,) = [c for c in nb.cells if 'report.words("一"' in c.source]
    assert "主动公开政府信息{{ 条数 }}条" in cell.source
    cell.source = cell.source.replace("主动公开政府信息{{ 条数 }}条", "通过各渠道主动发布政府信息共{{ 条数 }}条")
    call("PUT", {"type": "notebook", "format": "json", "content": nb})
    assert "主动发布政府信息共{{ 条数 }}条" in (root / "notebooks/report.py").read_text(encoding="utf-8")  # pair
    before = json.loads((root / "output" / str(YEAR) / "manifest.json").read_text())["reports"]["example"]["hash"]
    result = batch.build(root / "params", root / "output", YEAR, jobs=1)
    assert "example" not in result.skipped
    html = (root / "output" / str(YEAR) / "example.html").read_text(encoding="utf-8")
    assert "通过各渠道主动发布政府信息共142条" in html and "主动公开政府信息142条" not in html
    after = json.loads((root / "output" / str(YEAR) / "manifest.json").read_text())["reports"]["example"]["hash"]
    assert after != before


# --- the commands -------------------------------------------------------------------------
def test_cli_init_and_new(runner, tmp_path):
    from conftest import invoke

    city = tmp_path / "city"
    done = invoke(runner, "init", city, "--city", "测试市", "--year", YEAR)
    assert done.exit_code == 0 and "已写入 params/bureaus.yaml" in done.output
    refused = invoke(runner, "init", city)
    assert refused.exit_code == 2 and "--force" in refused.output
    added = invoke(runner, "init", city, "--force", "--year", YEAR)
    assert added.exit_code == 0 and "已存在，未改动" in added.output and "已写入" not in added.output
    new = invoke(runner, "new", YEAR + 1, params=city / "params")
    assert new.exit_code == 0 and (city / "params" / str(YEAR + 1) / "example.yaml").is_file()
    unknown = invoke(runner, "new", YEAR + 1, "--bureau", "nosuch", params=city / "params")
    assert unknown.exit_code == 2 and "nosuch" in unknown.output and "example" in unknown.output
