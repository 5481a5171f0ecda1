"""A whole year: failure isolation, invalid inputs, interruption, locking, incremental rebuilds, index."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from bs4 import BeautifulSoup
from conftest import invoke
from factories import dump, year_data

from reportkit import batch
from reportkit.errors import BuildLocked
from reportkit.execute import NOTEBOOK
from reportkit.lock import LOCK_NAME, BuildLock


def notebook_with(tmp_path: Path, code: str, name: str = "nb.ipynb") -> Path:
    """The master notebook with one extra cell right after the parameters."""
    nb = nbformat.read(NOTEBOOK, as_version=4)
    at = next(i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", [])) + 1
    cell = nbformat.v4.new_code_cell(code)
    cell.id = "extra-cell"
    nb.cells.insert(at, cell)
    path = tmp_path / name
    nbformat.write(nb, path)
    return path


def html_files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.glob("*.html")}


def test_broken_bureau_does_not_sink_the_others(runner, small_params, tmp_path):
    nb = notebook_with(tmp_path, 'if bureau == "beta":\n    raise RuntimeError("boom for beta")')
    out = tmp_path / "out"
    result = invoke(runner, "build", 2022, "--notebook", nb, "--jobs", 2, params=small_params, output=out)
    assert result.exit_code == 1, result.output
    folder = out / "2022"
    assert (folder / "alpha.html").exists() and not (folder / "beta.html").exists()
    assert (folder / "_failed" / "beta.ipynb").exists() and (folder / "_failed" / "beta.html").exists()
    failed_nb = nbformat.read(folder / "_failed" / "beta.ipynb", as_version=4)
    assert any(o.get("ename") == "RuntimeError" for c in failed_nb.cells for o in c.get("outputs", []))
    manifest = json.loads((folder / "manifest.json").read_text())
    beta = manifest["reports"]["beta"]
    assert beta["status"] == "failed" and beta["error"] == "RuntimeError: boom for beta"
    assert beta["cell"] is not None
    assert manifest["reports"]["alpha"]["status"] == "ok"
    assert "beta" in result.output and "失败" in result.output and "boom for beta" in result.output
    index = BeautifulSoup((folder / "index.html").read_text(), "html.parser")
    row = index.find("tr", attrs={"data-bureau": "beta"})
    assert "生成失败" in row.get_text() and "boom for beta" in row.get_text()
    assert row.find("a")["href"] == "_failed/beta.html"


def test_invalid_inputs_listed_and_skipped(runner, small_params, tmp_path):
    dump(small_params / "2022" / "beta.yaml", year_data(colour=1))
    dump(small_params / "2022" / "gamma.yaml", year_data(published="soon"))
    reg = small_params / "bureaus.yaml"
    reg.write_text(reg.read_text() + "gamma:\n  name: 测试市丙局\n  government: 测试市人民政府\n", encoding="utf-8")
    out = tmp_path / "out"
    result = invoke(runner, "build", 2022, params=small_params, output=out)
    assert result.exit_code == 2
    assert "beta" in result.output and "gamma" in result.output and "数据有误" in result.output
    assert (out / "2022" / "alpha.html").exists()
    manifest = json.loads((out / "2022" / "manifest.json").read_text())
    assert manifest["reports"]["beta"]["status"] == "invalid"
    assert any("colour" in e for e in manifest["reports"]["beta"]["errors"])
    assert any("published" in e for e in manifest["reports"]["gamma"]["errors"])


def test_unchanged_rebuild_skips_and_a_change_rebuilds_only_that_bureau(small_built_copy):
    small_params, out = small_built_copy  # a first build of alpha and beta (exit 0: see conftest)
    before = html_files(out / "2022")
    again = batch.build(small_params, out, 2022, jobs=2)
    assert again.skipped == {"alpha", "beta", "summary"}
    assert html_files(out / "2022") == before
    data = year_data()
    data["narrative"]["overview"] = "改过的总体情况。"
    dump(small_params / "2022" / "beta.yaml", data)
    third = batch.build(small_params, out, 2022, jobs=2)
    assert third.skipped == {"alpha"}                 # beta and the roll-up depend on beta.yaml
    assert third.entries["beta"].status == "ok"
    assert "改过的总体情况" in (out / "2022" / "beta.html").read_text()
    forced = batch.build(small_params, out, 2022, jobs=2, force=True)
    assert forced.skipped == set()


def test_index_lists_every_bureau_with_figures_and_links(small_built):
    out = small_built / "out"
    soup = BeautifulSoup((out / "2022" / "index.html").read_text(), "html.parser")
    assert not soup.find_all("script") and not soup.find_all("link")
    rows = soup.find("tbody").find_all("tr")
    assert [r["data-bureau"] for r in rows] == ["alpha", "beta"]
    for row in rows:
        href = row.find("a")["href"]
        assert (out / "2022" / href).is_file()
        figures = [td.get_text() for td in row.find_all("td", class_="num")]
        # disclosed 30, received 6, handled 5, carried forward 1, reviews 1, suits 1
        assert figures == ["30", "6", "5", "1", "1", "1"]
    total = [td.get_text() for td in soup.find("tfoot").find_all("td")]
    assert total == ["60", "12", "10", "2", "2", "2"]


HOLD = "import sys, time\nfrom reportkit.lock import BuildLock\nBuildLock(sys.argv[1]).acquire()\nprint('held', flush=True)\ntime.sleep(60)"


def test_second_build_refused_while_one_runs(small_params, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(out)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(BuildLocked) as info:
            batch.build(small_params, out, 2022, jobs=1)
        assert str(holder.pid) in str(info.value)
        assert holder.poll() is None  # the refused build ended its own workers, not this process's other children
    finally:
        holder.kill()
        holder.wait()
    # the holder is gone (killed, its lock file left behind): the kernel dropped its lock
    assert (out / LOCK_NAME).exists()
    result = batch.build(small_params, out, 2022, ["alpha"], jobs=1)
    assert result.exit_code == 0
    assert not (out / LOCK_NAME).exists()


def test_lock_cli_message(runner, small_params, tmp_path):
    out = tmp_path / "out"
    with BuildLock(out):
        # our own pid holds it: a second process would be refused; simulate with the parent's pid
        (out / LOCK_NAME).write_text(f"{os.getppid()}\n")
        result = invoke(runner, "build", 2022, params=small_params, output=out)
    assert result.exit_code == 1
    assert "另一个 reportkit build" in result.output


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL, signal.SIGINT])
def test_interrupted_build_keeps_good_reports(small_built_copy, tmp_path, sig):
    """SIGTERM and Ctrl-C end cleanly (exit 130, one line, roll-up entry kept); after kill -9
    the workers and kernels die on their own (issue 13.6) and nothing is written afterwards."""
    import psutil

    small_params, out = small_built_copy  # a good first build (exit 0: see conftest)
    good = html_files(out / "2022")
    summary_before = json.loads((out / "2022" / "manifest.json").read_text())["summary"]
    assert summary_before["status"] == "ok"
    marks = tmp_path / "marks"
    marks.mkdir()
    slow = notebook_with(tmp_path, f"import pathlib, time\npathlib.Path({str(marks)!r}, bureau).touch()\ntime.sleep(5)")
    cmd = [sys.executable, "-m", "reportkit.cli", "--params", str(small_params), "--output", str(out),
           "build", "2022", "--force", "--jobs", "2", "--notebook", str(slow)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    deadline = time.time() + 60
    while time.time() < deadline and len(list(marks.iterdir())) < 2:
        time.sleep(0.1)
    assert len(list(marks.iterdir())) == 2, "the build never started both reports"
    family = psutil.Process(proc.pid).children(recursive=True)
    forked = [p for p in family if "reportkit.run.zygote" in " ".join(p.cmdline())]
    assert len(forked) == 3, family  # the kernels' zygote, and the two kernels it forked
    # Ctrl-C reaches the whole foreground process group, as a terminal sends it
    os.killpg(proc.pid, sig) if sig == signal.SIGINT else os.kill(proc.pid, sig)
    _, stderr = proc.communicate(timeout=60)
    gone, alive = psutil.wait_procs(family, timeout=10)
    assert not alive, f"outlived the build: {[p.cmdline()[:3] for p in alive]}"
    time.sleep(5.5)  # past the slow cell: an orphan would now write its report
    assert proc.returncode != 0
    assert html_files(out / "2022") == good
    assert not list((out / "2022").rglob("*.tmp"))
    if sig != signal.SIGKILL:
        assert proc.returncode == 130 and "Traceback" not in stderr, stderr
        assert stderr.strip().splitlines() and "已中断" in stderr.strip().splitlines()[-1], stderr
        assert not (out / LOCK_NAME).exists()
        assert json.loads((out / "2022" / "manifest.json").read_text())["summary"] == summary_before
