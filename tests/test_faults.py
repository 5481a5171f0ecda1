"""Faults of the machine and the folder (issue 13.2, 13.4, 13.6, 13.8).

Writes that would leave the output folder through a symlink, special files where params
belong, look-alike year folders, a read-only or full output folder (real tmpfs mounts), two
builds racing for one folder, absurd year ranges. Each ends in a located error, never a
traceback, and whatever could be done is done.
"""
from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from conftest import invoke
from factories import dump, year_data
from test_batch import notebook_with

from reportkit import batch
from reportkit.errors import BuildLocked, UnsafePath
from reportkit.lock import BuildLock
from reportkit.outfolder import OutputFolder


def no_traceback(result) -> str:
    out = result.output
    assert "Traceback" not in out and "内部错误" not in out, out
    return out


# --- 13.2 nothing written or deleted outside the output folder ---------------------------------
def _outside(tmp_path: Path) -> Path:
    victim = tmp_path / "victim"
    victim.mkdir(exist_ok=True)
    for name in ("beta.html", "beta.ipynb", ".keep.tmp", "notes.txt"):
        (victim / name).write_text("precious", encoding="utf-8")
    return victim


def _failed_is_a_link(out: Path, victim: Path) -> None:
    (out / "2022").mkdir(parents=True)
    (out / "2022" / "_failed").symlink_to(victim, target_is_directory=True)


def _year_is_a_link(out: Path, victim: Path) -> None:
    out.mkdir()
    (out / "2022").symlink_to(victim, target_is_directory=True)


def _work_is_a_link(out: Path, victim: Path) -> None:
    (out / "2022").mkdir(parents=True)
    (out / "2022" / ".work-beta-x").symlink_to(victim, target_is_directory=True)
    (out / "2022" / ".alpha.html.x.tmp").symlink_to(victim / "notes.txt")


@pytest.mark.parametrize("plant, refused", [(_failed_is_a_link, True), (_year_is_a_link, True),
                                            (_work_is_a_link, False)],
                         ids=["_failed links outside", "year folder links outside", "leftovers link outside"])
def test_nothing_outside_the_output_folder_is_touched(runner, small_params, tmp_path, plant, refused):
    victim, out = _outside(tmp_path), tmp_path / "out"
    plant(out, victim)
    before = {p.name: p.read_bytes() for p in victim.iterdir()}
    nb = notebook_with(tmp_path, 'if bureau == "beta":\n    raise RuntimeError("boom")')
    result = invoke(runner, "build", 2022, "--no-summary", "--jobs", 1, "--notebook", nb,
                    params=small_params, output=out)
    text = no_traceback(result)
    assert {p.name: p.read_bytes() for p in victim.iterdir()} == before
    if refused:
        assert result.exit_code == 2 and "指向输出目录之外" in text and str(victim) in text, text
    else:  # the leftovers' links were removed, their targets kept, and the build went on
        assert result.exit_code == 1, text
        assert not (out / "2022" / ".work-beta-x").is_symlink()
        assert (out / "2022" / "alpha.html").is_file()


def test_output_folder_checks_every_path(tmp_path):
    victim = _outside(tmp_path)
    root = tmp_path / "out"
    (root / "2022").mkdir(parents=True)
    (root / "2022" / "_failed").symlink_to(victim, target_is_directory=True)
    out = OutputFolder(root)
    for action in (lambda: out.write_bytes(root / "2022" / "_failed" / "x.html", b"x"),
                   lambda: out.remove(root / "2022" / "_failed" / "notes.txt"),
                   lambda: out.write_text(root / ".." / "escape.txt", "x")):
        with pytest.raises(UnsafePath):
            action()
    assert (victim / "notes.txt").read_text() == "precious" and not (tmp_path / "escape.txt").exists()
    link = root / "2022" / "alpha.html"  # a file that is a link is replaced, never followed
    link.symlink_to(victim / "notes.txt")
    out.write_text(link, "<html>")
    assert not link.is_symlink() and (victim / "notes.txt").read_text() == "precious"


# --- 13.4 special files, look-alike year folders ---------------------------------------------
def _fifo(path: Path) -> None:
    path.unlink()
    os.mkfifo(path)


def _link_to(target: str):
    def plant(path: Path) -> None:
        path.unlink()
        path.symlink_to(target)
    return plant


def _loop(path: Path) -> None:
    path.unlink()
    path.symlink_to(path)


SPECIAL = {"FIFO": (_fifo, "不是普通文件"), "link to /dev/zero": (_link_to("/dev/zero"), "不是普通文件"),
           "link to a FIFO": (lambda p: (os.mkfifo(p.parent / "pipe"), _link_to(str(p.parent / "pipe"))(p)),
                              "不是普通文件"),
           "link to /proc/self/mem": (_link_to("/proc/self/mem"), "无法读取"),
           "link to a directory": (_link_to("/"), "目录"),
           "link to itself": (_loop, "符号链接循环")}


@pytest.mark.parametrize("label", list(SPECIAL))
def test_special_files_in_params_are_located_errors(runner, small_params, label):
    plant, words = SPECIAL[label]
    plant(small_params / "2022" / "alpha.yaml")
    result = invoke(runner, "validate", params=small_params)
    text = no_traceback(result)
    assert result.exit_code == 2 and "alpha.yaml" in text and words in text, text
    assert "检查了 3 个文件：2 个通过" in text  # beta 2022 and alpha 2021 still checked


@pytest.mark.parametrize("label, extra", [("FIFO", ["--no-summary"]), ("link to /proc/self/mem", [])])
def test_special_file_beside_a_valid_bureau_build_goes_on(runner, small_params, tmp_path, label, extra):
    plant, words = SPECIAL[label]
    # a short folder: the closing table (120 columns) would wrap a long path (pytest-xdist's
    # tmp folders are longer) in the middle of "alpha.yaml"
    with tempfile.TemporaryDirectory(prefix="rk-") as short:
        params = Path(shutil.copytree(small_params, Path(short) / "params"))
        plant(params / "2022" / "alpha.yaml")
        (params / "bureaus.yaml").rename(params / "real.yaml")
        (params / "bureaus.yaml").symlink_to(params / "real.yaml")  # a link to a file is fine
        result = invoke(runner, "build", 2022, *extra, params=params, output=tmp_path / "out")
    text = no_traceback(result)
    assert result.exit_code == 2 and "alpha.yaml" in text and words in text, text
    assert (tmp_path / "out" / "2022" / "beta.html").is_file()
    assert (tmp_path / "out" / "2022" / "summary.html").is_file() == (not extra)


@pytest.mark.parametrize("name", ["２０２２", "٢٠٢٢", "²⁰²²", "۲۰۲۲", "1999", "99999"])
def test_odd_year_folders_are_named_not_skipped_or_crashed(runner, small_params, tmp_path, name):
    (small_params / name).mkdir()
    dump(small_params / name / "alpha.yaml", year_data())
    result = invoke(runner, "validate", params=small_params)
    text = no_traceback(result)
    assert result.exit_code == 2 and "[year-folder]" in text, text
    assert "3 个通过" in text  # the real year folders were still checked
    data = invoke(runner, "dataset", "-o", tmp_path / "cells.csv", params=small_params)
    no_traceback(data)
    assert data.exit_code == 2 and (tmp_path / "cells.csv").is_file()


# --- 13.4 a read-only or full output folder (real tmpfs mounts) ---------------------------------
@pytest.fixture
def mount(tmp_path):
    """``mount(size, ro=False)`` → a fresh tmpfs; skips LOUDLY where mounting is not allowed."""
    made: list[Path] = []

    def make(size: str, at: Path | None = None) -> Path:
        where = at or tmp_path / f"mnt{len(made)}"
        where.mkdir(parents=True, exist_ok=True)
        run = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
                             capture_output=True, text=True)
        if run.returncode:
            msg = f"!!! SKIPPED: cannot mount a tmpfs ({run.stderr.strip()}); full/read-only disk tests need root"
            print(msg, file=sys.__stderr__)
            pytest.skip(msg)
        made.append(where)
        return where

    yield make
    for where in reversed(made):
        subprocess.run(["umount", "-l", str(where)], capture_output=True)


def readonly(where: Path) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(where)], check=True)


def test_full_disk_keeps_what_was_done_with_manifest_and_index(runner, tmp_path, mount):
    from factories import write_params

    params = write_params(tmp_path / "params", {2022: {"alpha": year_data(), "beta": year_data(),
                                                       "gamma": year_data()}})
    out = mount("720k")  # the 512 KiB reserve, one report (≈115 KiB), not two
    result = invoke(runner, "build", 2022, "--no-summary", "--jobs", 1, params=params, output=out)
    text = no_traceback(result)
    assert result.exit_code == 1, text
    manifest = json.loads((out / "2022" / "manifest.json").read_text())["reports"]
    assert manifest["alpha"]["status"] == "ok" and (out / "2022" / "alpha.html").is_file()
    for bureau in ("beta", "gamma"):  # the batch went on: each tried, each its own located error
        assert manifest[bureau]["status"] == "failed"
        assert f"/2022/{bureau}.ipynb: 无法写入：磁盘已满" in manifest[bureau]["error"]
        assert not (out / "2022" / f"{bureau}.ipynb").exists()  # both files or neither
    index = (out / "2022" / "index.html").read_text()
    assert "alpha.html" in index and "磁盘已满" in index
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp") or p.name.startswith(".reportkit")]


def test_read_only_output_is_a_located_error(runner, small_params, tmp_path, mount):
    out = mount("4m")
    readonly(out)
    result = invoke(runner, "build", 2022, "--no-summary", params=small_params, output=out / "site")
    text = no_traceback(result)
    assert result.exit_code == 1 and str(out / "site") in text and "只读文件系统" in text, text


def test_read_only_failed_folder_fails_only_that_report(runner, small_params, tmp_path, mount):
    out = tmp_path / "out"
    failed = mount("1m", at=out / "2022" / "_failed")
    readonly(failed)
    nb = notebook_with(tmp_path, 'if bureau == "beta":\n    raise RuntimeError("boom")')
    result = invoke(runner, "build", 2022, "--no-summary", "--jobs", 1, "--notebook", nb,
                    params=small_params, output=out)
    text = no_traceback(result)
    assert result.exit_code == 1, text
    manifest = json.loads((out / "2022" / "manifest.json").read_text())["reports"]
    assert manifest["alpha"]["status"] == "ok" and manifest["beta"]["status"] == "failed"
    assert "_failed/beta.ipynb: 无法写入：只读文件系统" in manifest["beta"]["error"]


# --- 13.6 one holder, and no write once another build holds the folder ---------------------------
def _contend(folder: str, start, results) -> None:
    lock = BuildLock(Path(folder))
    start.wait()
    try:
        lock.acquire()
        results.put("held")
        time.sleep(0.3)  # hold while the others try
        lock.release()
    except BuildLocked:
        results.put("refused")


def test_lock_is_atomic_under_contention(tmp_path):
    ctx = multiprocessing.get_context("fork")
    for trial in range(20):
        start, results = ctx.Barrier(8), ctx.Queue()
        procs = [ctx.Process(target=_contend, args=(str(tmp_path / f"t{trial}"), start, results))
                 for _ in range(8)]
        for p in procs:
            p.start()
        outcome = sorted(results.get(timeout=30) for _ in procs)
        for p in procs:
            p.join(timeout=30)
        assert outcome.count("held") == 1 and outcome.count("refused") == 7, (trial, outcome)


def test_a_build_that_lost_its_lock_writes_nothing(tmp_path):
    first = BuildLock(tmp_path)
    first.acquire()
    out = OutputFolder(tmp_path, guard=first.verify)
    out.write_text(tmp_path / "a.html", "first")
    # the folder is taken over (the first build's lock file was removed and a newer build locked it)
    os.unlink(first.path)
    newer = BuildLock(tmp_path)
    newer.acquire()
    with pytest.raises(BuildLocked):
        out.write_text(tmp_path / "a.html", "stale")
    assert (tmp_path / "a.html").read_text() == "first"
    newer.release()
    first.release()


# --- 13.8 bounded years ----------------------------------------------------------------------
@pytest.mark.parametrize("args", [["dataset", "--years", "1-999999999", "-o", "x.csv"],
                                  ["dataset", "--years", "2021-99999", "-o", "x.csv"],
                                  ["dataset", "--years", "0,2022", "-o", "x.csv"],
                                  ["validate", "--year", "999999999"], ["validate", "--year", "-5"],
                                  ["build", "999999999"], ["build", "1"]])
def test_absurd_years_are_refused_at_once(runner, small_params, tmp_path, args):
    started = time.perf_counter()
    result = invoke(runner, *args, params=small_params, output=tmp_path / "out")
    text = no_traceback(result)
    assert time.perf_counter() - started < 5
    assert result.exit_code == 2 and "2000–2100" in text, text
    assert not (tmp_path / "out").exists()


def test_a_sensible_range_still_works(runner, small_params, tmp_path):
    result = invoke(runner, "dataset", "--years", "2021-2022", "-o", tmp_path / "x.csv", params=small_params)
    assert result.exit_code == 0, result.output
    assert {"2021", "2022"} <= {line.split(",")[1] for line in (tmp_path / "x.csv").read_text().splitlines()[1:]}
