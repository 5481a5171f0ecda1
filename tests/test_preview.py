"""``reportkit preview`` without a browser: which pages a change touches, the watcher, byte
identity with ``build`` (report, index links, roll-up), nothing written to output/, Ctrl-C.

The preview runs as a real child process on a free port of 127.0.0.1 (``--port 0``).
"""
from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import nbformat
import psutil
import pytest
from factories import write_params, year_data
from previewproc import PreviewProcess

from reportkit import params
from reportkit.execute import NOTEBOOK
from reportkit.model import Bureau
from reportkit.preview import INDEX, SUMMARY, Sources, Watcher, affected, report
from reportkit.preview.server import EVENTS, inject
from reportkit.preview.pages import reload_script

YEAR = 2022
SAMPLE = "shengzhou-wglj"


# --- change → pages -------------------------------------------------------------------------
@pytest.fixture
def sources(tmp_path) -> Sources:
    code = tmp_path / "code"
    (code / "templates").mkdir(parents=True)
    (code / "templates" / "t.html.j2").write_text("x")
    nb = tmp_path / "nb"
    nb.mkdir()
    return Sources(tmp_path / "params", YEAR, notebook=nb / "report.ipynb",
                   summary_notebook=nb / "summary.ipynb", code=code)


def _bureau(id: str, name: str) -> Bureau:
    return Bureau(id=id, name=name, self="我局", government="某市人民政府", level="county", website="门户网站")


def test_a_bureau_file_touches_its_report_the_index_and_the_rollup(sources):
    p = sources.params_dir
    assert affected([p / "2022" / "a.yaml"], sources, {"a", "b"}) == {report("a"), INDEX, SUMMARY}
    # a new bureau's file: its report (not open yet) is still named, so a waiting request gets it
    assert affected([p / "2022" / "new.yaml"], sources, {"a"}) == {report("new"), INDEX, SUMMARY}


def test_an_earlier_year_touches_the_report_and_rollup_but_not_the_index(sources):
    p = sources.params_dir
    assert affected([p / "2021" / "a.yaml"], sources, {"a", "b"}) == {report("a"), SUMMARY}
    assert affected([p / "2018" / "a.yaml"], sources, {"a"}) == {report("a"), SUMMARY}  # trend: 5 years
    assert affected([p / "2017" / "a.yaml"], sources, {"a"}) == set()
    assert affected([p / "2023" / "a.yaml"], sources, {"a"}) == set()
    assert affected([p / "2021" / "c.yaml"], sources, {"a"}) == {SUMMARY}  # no open report of c


def test_the_registry_touches_only_the_reports_whose_entry_changed(sources):
    reg = params.registry_path(sources.params_dir)
    old = {"a": _bureau("a", "甲局"), "b": _bureau("b", "乙局")}
    new = {"a": _bureau("a", "甲局"), "b": _bureau("b", "乙局（新名）")}
    assert affected([reg], sources, {"a", "b"}, old, new) == {report("b"), INDEX, SUMMARY}
    assert affected([reg], sources, {"a", "b"}, old, dict(old)) == {INDEX, SUMMARY}
    # unreadable before or after: every page (each shows the registry's errors, then recovers)
    assert affected([reg], sources, {"a", "b"}, old, None) == {report("a"), report("b"), INDEX, SUMMARY}


def test_notebooks_and_wording(sources):
    every = {report("a"), report("b"), INDEX, SUMMARY}
    assert affected([sources.notebook], sources, {"a", "b"}) == {report("a"), report("b")}
    assert affected([sources.summary_notebook], sources, {"a", "b"}) == {SUMMARY}
    assert affected([sources.code / "templates" / "t.html.j2"], sources, {"a", "b"}) == every
    assert affected([Path("/elsewhere/x.yaml")], sources, {"a"}) == set()


def test_watcher_sees_saves_renames_new_and_deleted_files(sources):
    write_params(sources.params_dir, {2022: {"a": year_data()}})
    a = sources.params_dir / "2022" / "a.yaml"
    watcher = Watcher(sources, relist=0)
    assert watcher.changed() == set()
    a.write_text(a.read_text(encoding="utf-8") + "\n", encoding="utf-8")  # same second, new size
    assert watcher.changed() == {a}
    tmp = a.with_suffix(".tmp")
    tmp.write_bytes(a.read_bytes())
    os.replace(tmp, a)  # an editor's save by rename: same bytes, new inode
    assert watcher.changed() == {a}
    b = sources.params_dir / "2021" / "b.yaml"
    b.parent.mkdir(exist_ok=True)
    b.write_text("x", encoding="utf-8")
    assert watcher.changed() == {b}
    b.unlink()
    assert watcher.changed() == {b}
    sources.notebook.write_text("{}")
    assert watcher.changed() == {sources.notebook}


def test_the_reload_script_goes_before_the_last_body_end():
    html = b"<html><body><p>\xe6\x8a\xa5\xe5\x91\x8a</p></body></html>"
    script = reload_script("/2022/a.html", EVENTS)
    served = inject(html, script)
    assert served == b"<html><body><p>\xe6\x8a\xa5\xe5\x91\x8a</p>" + script + b"</body></html>"
    assert b"EventSource" in script and b'"/2022/a.html"' in script


# --- a real preview next to a real build ------------------------------------------------------
@pytest.fixture(scope="module")
def built(sample_build, tmp_path_factory):
    """The sample bureau and the roll-up built by ``batch.build`` (once per session, see
    tests/conftest.py); a preview on the same folders."""
    root = tmp_path_factory.mktemp("preview")
    sample, output = sample_build.params, sample_build.folder.parent
    assert SAMPLE in sample_build.bureaus
    before = {p: p.stat().st_mtime_ns for p in output.rglob("*")}
    notebook = Path(shutil.copy(NOTEBOOK, root / "report.ipynb"))  # the same notebook, ours to break
    preview = PreviewProcess(sample, output, YEAR, SAMPLE, notebook=notebook)
    yield sample, output, preview, before, notebook
    preview.stop()


def _unscripted(preview: PreviewProcess, path: str) -> bytes:
    status, body = preview.get(path)
    assert status == 200, body[:300]
    script = reload_script(path, EVENTS)
    assert body.count(script) == 1
    return body.replace(script, b"")


def test_served_report_is_byte_identical_to_the_built_one(built):
    sample, output, preview, *_ = built
    path = f"/{YEAR}/{SAMPLE}.html"
    assert preview.home == path
    written = (output / str(YEAR) / f"{SAMPLE}.html").read_bytes()
    assert b"EventSource" not in written and b"reportkit-preview" not in written
    assert _unscripted(preview, path) == written


def test_served_rollup_is_byte_identical_and_the_index_links_every_bureau(built):
    sample, output, preview, *_ = built
    assert _unscripted(preview, f"/{YEAR}/summary.html") == (output / str(YEAR) / "summary.html").read_bytes()
    index = _unscripted(preview, f"/{YEAR}/index.html").decode("utf-8")
    for bureau in params.bureaus_with_data(sample, YEAR):
        assert f'href="{bureau}.html"' in index
    assert 'href="summary.html"' in index
    assert preview.get(f"/{YEAR}/no-such-bureau.html")[0] == 404
    assert preview.get("/2019/index.html")[0] == 404
    assert preview.get(f"/{YEAR}/Not_An.Id.html")[0] == 404
    assert preview.get(f"/{YEAR}/..%2Fbureaus.html")[0] == 404


def test_preview_writes_nothing_into_output(built):
    _, output, preview, before, _ = built
    preview.get(f"/{YEAR}/{SAMPLE}.html")
    assert {p: p.stat().st_mtime_ns for p in output.rglob("*")} == before


def _until(preview: PreviewProcess, path: str, text: bytes, timeout: float = 60) -> bytes:
    end = time.monotonic() + timeout
    while True:
        body = preview.get(path)[1]
        if text in body or time.monotonic() > end:
            return body
        time.sleep(0.1)


def test_a_notebook_that_raises_shows_its_error_and_the_fix_brings_the_report_back(built):
    _, output, preview, _, notebook = built
    path = f"/{YEAR}/{SAMPLE}.html"
    good = notebook.read_text(encoding="utf-8")
    nb = nbformat.reads(good, as_version=4)
    cell = next(i for i, c in enumerate(nb.cells) if c.source.strip() == "report.header()")
    nb.cells[cell].source = 'raise RuntimeError("故意的错误")'
    nbformat.write(nb, str(notebook))
    body = _until(preview, path, "报告生成失败".encode()).decode("utf-8")
    assert "报告生成失败" in body and "RuntimeError: 故意的错误" in body, body[-800:]
    assert "出错的 notebook 已保存" not in body  # it lived in a temporary folder, now gone
    notebook.write_text(good, encoding="utf-8")
    _until(preview, path, b'class="report"')
    assert _unscripted(preview, path) == (output / str(YEAR) / f"{SAMPLE}.html").read_bytes()


def test_ctrl_c_ends_it_cleanly_and_shuts_the_kernel_down(tmp_path):
    small = write_params(tmp_path / "params", {YEAR: {"alpha": year_data()}})
    preview = PreviewProcess(small, tmp_path / "output", YEAR, "alpha")
    try:
        preview.wait_for_log("已生成", timeout=60)
        children = psutil.Process(preview.proc.pid).children(recursive=True)
        assert children, "the warm kernel runs as a child of the preview"
    finally:
        code = preview.stop()
    assert code == 130
    assert "预览已结束" in preview.stderr and "Traceback" not in preview.stderr, preview.stderr
    time.sleep(0.2)
    assert not [c for c in children if c.is_running() and c.status() != psutil.STATUS_ZOMBIE]
    assert not (tmp_path / "output").exists()


def test_a_bureau_without_data_or_a_busy_port_is_refused_before_any_kernel(runner, sample_params):
    import socket

    from conftest import invoke

    result = invoke(runner, "preview", str(YEAR), "--bureau", "no-such-bureau", params=sample_params)
    assert result.exit_code == 2
    assert "没有机关 'no-such-bureau' 的 2022 年数据文件" in result.output
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = invoke(runner, "preview", str(YEAR), "--port", str(port), params=sample_params)
    assert result.exit_code == 2
    assert f"端口 {port} 已被占用" in result.output and "Traceback" not in result.output
