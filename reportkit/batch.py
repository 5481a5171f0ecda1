"""A whole year in one call: validate all, execute in a pool of workers, export, index.

One bad bureau never sinks the others: invalid inputs are skipped and listed, a notebook
that raises is kept under ``_failed/`` and exported for reading, the rest finish. Every
file is written atomically, so an interrupted run leaves earlier good reports intact.
"""
from __future__ import annotations

import concurrent.futures as cf
import datetime as dt
import multiprocessing
import os
import shutil
import signal
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Optional

import nbformat
import psutil

from . import atomic, manifest, params, site
from .errors import ExecutionFailed, Finding, InvalidInput
from .masters import project_notebook
from .execute import (NOTEBOOK, ColdEngine, batch_environment, describe,
                      ensure_kernel, without_pyarrow_fs)
from .narrative import report_title
from .lock import BuildLock
from .manifest import Entry
from .validate import Checked, check_many

FAILED_DIR = "_failed"


@dataclass
class BuildResult:
    """What a build did, per bureau, and the exit code it deserves."""

    year: int
    folder: Path
    entries: dict[str, Entry] = field(default_factory=dict)
    invalid: list[Checked] = field(default_factory=list)
    skipped: set[str] = field(default_factory=set)
    seconds: float = 0.0
    summary: Optional[Entry] = None

    @property
    def failed(self) -> list[Entry]:
        return [e for e in self.entries.values() if e.status == "failed"]

    @property
    def exit_code(self) -> int:
        if self.invalid:
            return InvalidInput.exit_code
        summary_failed = self.summary is not None and self.summary.status == "failed"
        return 1 if self.failed or summary_failed else 0


# --- worker side --------------------------------------------------------------------------
_WORKER: dict = {}


def _init_worker(engine: str, timeout: int, notebook: str) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when to stop
    batch_environment()
    without_pyarrow_fs()
    engine_ = make_engine(engine, timeout, Path(notebook))
    if hasattr(engine_, "launch"):
        engine_.launch()  # the kernel boots while this process imports nbconvert
    from .export import FailedReportExporter, ReportExporter
    _WORKER["engine"] = engine_
    _WORKER["exporter"] = ReportExporter()
    _WORKER["failed_exporter"] = FailedReportExporter()


def make_engine(name: str, timeout: int, notebook: Path = NOTEBOOK):
    if name == "warm":
        from .warm import WarmEngine

        return WarmEngine(notebook=notebook, timeout=timeout)
    return ColdEngine(notebook=notebook, timeout=timeout)


def build_one(bureau: str, year: int, params_dir: str, folder: str, title: str, digest: str) -> Entry:
    """Execute and export one report inside a worker; never raises."""
    started = time.perf_counter()
    folder_p = Path(folder)
    work = Path(tempfile.mkdtemp(prefix=f".work-{bureau}-", dir=folder_p))
    tmp_nb = work / f"{bureau}.ipynb"
    entry = Entry(bureau, "failed", hash=digest, built_at=_now())
    from .export import to_html

    try:
        nb = _WORKER["engine"].run(bureau, year, Path(params_dir), tmp_nb)
        html = to_html(nb, title, _WORKER["exporter"]).encode("utf-8")
        ipynb = nbformat.writes(nb).encode("utf-8")
        atomic.write_bytes(folder_p / f"{bureau}.ipynb", ipynb)
        atomic.write_bytes(folder_p / f"{bureau}.html", html)
        for stale in (folder_p / FAILED_DIR).glob(f"{bureau}.*"):
            stale.unlink(missing_ok=True)
        entry.status, entry.html_bytes, entry.ipynb_bytes = "ok", len(html), len(ipynb)
    except ExecutionFailed as exc:
        entry.error, entry.cell = exc.message, exc.cell
        entry.hash = None  # a failed report is always retried
        _keep_failed(folder_p, bureau, tmp_nb, title)
    except Exception as exc:  # noqa: BLE001 — recorded, never a traceback
        entry.error = describe(exc)
        entry.hash = None
        _keep_failed(folder_p, bureau, tmp_nb, title)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    entry.seconds = round(time.perf_counter() - started, 2)
    return entry


def _keep_failed(folder: Path, bureau: str, tmp_nb: Path, title: str) -> None:
    """Keep the error notebook (and an HTML of it, code included) under ``_failed/``."""
    if not tmp_nb.exists():
        return
    from .export import to_html

    target = folder / FAILED_DIR
    try:
        nb = nbformat.read(str(tmp_nb), as_version=4)
        atomic.write_bytes(target / f"{bureau}.ipynb", tmp_nb.read_bytes())
        html = to_html(nb, f"【生成失败】{title}", _WORKER.get("failed_exporter"), failed=True)
        atomic.write_text(target / f"{bureau}.html", html)
    except Exception:  # noqa: BLE001 — the report already failed; keep what we can
        pass


def _now() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


# --- parent side --------------------------------------------------------------------------
def _kill_children() -> None:
    for child in psutil.Process().children(recursive=True):
        try:
            child.kill()
        except psutil.Error:
            pass


def _cleanup(folder: Path) -> None:
    atomic.clean_temporaries(folder)
    atomic.clean_temporaries(folder / FAILED_DIR) if (folder / FAILED_DIR).exists() else None
    for work in folder.glob(".work-*"):
        shutil.rmtree(work, ignore_errors=True)


def build(params_dir: Path, output_dir: Path, year: int, bureaus: Optional[Iterable[str]] = None,
          jobs: Optional[int] = None, timeout: int = 300, force: bool = False, engine: str = "warm",
          notebook: Optional[Path] = None, on_event: Optional[Callable[[str, str, Optional[Entry]], None]] = None,
          write_index: bool = True, summary: bool = True) -> BuildResult:
    """Build every bureau of ``year`` (or those named); see the module docstring."""
    params_dir, folder = Path(params_dir), Path(output_dir) / str(int(year))
    notebook = Path(notebook) if notebook else project_notebook(params_dir)  # the project's, else packaged
    wanted = list(dict.fromkeys(bureaus or []))
    for b in wanted:
        params.check_bureau_id(b)
    registry = params.load_registry(params_dir)
    if wanted:
        missing = [b for b in wanted if not params.year_path(params_dir, year, b).is_file()]
        if missing:
            raise InvalidInput([Finding(params.display_path(params.year_path(params_dir, year, b)), "",
                                        "missing", f"没有机关 '{b}' 的 {year} 年数据文件")
                                for b in missing])
    checked = check_many(params_dir, [year], wanted or None)
    if not checked:
        raise InvalidInput(Finding(params.display_path(params_dir / str(year)), "", "missing",
                                   f"没有 {year} 年的数据文件", f"{params_dir}/{year}/<机关id>.yaml", "无"))
    result = BuildResult(int(year), folder)
    started, t0 = _now(), time.perf_counter()
    emit = on_event or (lambda *a: None)
    folder.mkdir(parents=True, exist_ok=True)
    with BuildLock(Path(output_dir)):
        _cleanup(folder)
        old = manifest.read(folder)
        entries: dict[str, Entry] = {k: v for k, v in old.items()}
        todo = []
        for c in checked:
            if not c.ok:
                result.invalid.append(c)
                entries[c.bureau] = Entry(c.bureau, "invalid", built_at=started,  # paths from params/, not cwd
                                          errors=[str(params.portable(f, params_dir)) for f in c.errors])
                result.entries[c.bureau] = entries[c.bureau]
                continue
            digest = manifest.input_hash(params_dir, c.bureau, year, c.entry, notebook)
            prev = old.get(c.bureau)
            if (not force and prev and prev.status == "ok" and prev.hash == digest
                    and (folder / f"{c.bureau}.html").exists()):
                result.skipped.add(c.bureau)
                result.entries[c.bureau] = prev
                emit("skipped", c.bureau, prev)
                continue
            title = report_title(c.entry.name, year)
            todo.append((c.bureau, digest, title))
        if todo:
            ensure_kernel()
            _run_pool(todo, year, params_dir, folder, jobs, timeout, engine, notebook, result, entries, emit)
        # drop manifest lines of bureaus whose params file is gone
        present = set(params.bureaus_with_data(params_dir, year))
        entries = {k: v for k, v in entries.items() if k in present}
        summary_entry = manifest.read_summary(folder)
        if summary and any(c.ok for c in checked):
            failed = sorted(k for k, v in entries.items() if v.status == "failed")
            emit("start", "summary", None)
            summary_entry = build_summary(params_dir, Path(output_dir), int(year), registry, timeout,
                                          force, failed, result)
            emit("skipped" if "summary" in result.skipped else summary_entry.status, "summary", summary_entry)
        result.summary = summary_entry
        result.seconds = time.perf_counter() - t0
        manifest.write(folder, int(year), entries, started, result.seconds, summary_entry)
        if write_index:
            data = {c.bureau: c.data for c in check_many(params_dir, [year]) if c.ok} if wanted else \
                {c.bureau: c.data for c in checked if c.ok}
            government = params.government_of(registry)
            summary = "summary.html" if (folder / "summary.html").exists() else None
            site.write_index(folder, int(year), site.index_lines(entries, registry, data, folder),
                             government, summary)
    return result


def build_summary(params_dir: Path, output_dir: Path, year: int, registry, timeout: int, force: bool,
                  failed: list[str], result: BuildResult) -> Entry:
    """Execute notebooks/summary.ipynb for the year into summary.html, unless nothing changed."""
    from .export import to_html
    from .rollup import title

    folder = output_dir / str(year)
    summary_notebook = project_notebook(params_dir, "summary")
    digest = manifest.summary_hash(params_dir, year, summary_notebook, failed)
    prev = manifest.read_summary(folder)
    if not force and prev and prev.status == "ok" and prev.hash == digest and (folder / "summary.html").exists():
        result.skipped.add("summary")
        return prev
    batch_environment()
    government = params.government_of(registry)
    started = time.perf_counter()
    entry = Entry("summary", "failed", hash=digest, built_at=_now())
    work = Path(tempfile.mkdtemp(prefix=".work-summary-", dir=folder))
    try:
        nb = ColdEngine(notebook=summary_notebook, timeout=timeout).execute(
            summary_notebook, {"year": year, "params": str(Path(params_dir).resolve()),
                               "output": str(output_dir.resolve())}, work / "summary.ipynb", "summary")
        html = to_html(nb, title(government, year)).encode("utf-8")
        atomic.write_bytes(folder / "summary.ipynb", nbformat.writes(nb).encode("utf-8"))
        atomic.write_bytes(folder / "summary.html", html)
        entry.status, entry.html_bytes = "ok", len(html)
    except ExecutionFailed as exc:
        entry.error, entry.cell, entry.hash = exc.message, exc.cell, None
        if (work / "summary.ipynb").exists():
            atomic.write_bytes(folder / FAILED_DIR / "summary.ipynb", (work / "summary.ipynb").read_bytes())
    finally:
        shutil.rmtree(work, ignore_errors=True)
    entry.seconds = round(time.perf_counter() - started, 2)
    return entry


def _run_pool(todo, year, params_dir, folder, jobs, timeout, engine, notebook, result, entries, emit):
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(todo)))
    ctx = multiprocessing.get_context("spawn")
    previous_term = signal.signal(signal.SIGTERM, _raise_interrupt)
    pool = cf.ProcessPoolExecutor(max_workers=jobs, mp_context=ctx, initializer=_init_worker,
                                  initargs=(engine, timeout, str(notebook)))
    try:
        futures = {}
        for bureau, digest, title in todo:
            fut = pool.submit(build_one, bureau, int(year), str(params_dir.resolve()), str(folder), title, digest)
            futures[fut] = bureau
        for bureau, _, _ in todo[:jobs]:
            emit("start", bureau, None)
        queue = [b for b, _, _ in todo[jobs:]]
        for fut in cf.as_completed(futures):
            bureau = futures[fut]
            try:
                entry = fut.result()
            except Exception as exc:  # noqa: BLE001 — a worker died (killed, out of memory)
                entry = Entry(bureau, "failed", error=f"工作进程意外退出：{type(exc).__name__}",
                              built_at=_now())
            entries[bureau] = result.entries[bureau] = entry
            emit(entry.status, bureau, entry)
            if queue:
                emit("start", queue.pop(0), None)
        pool.shutdown(wait=True)
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        _kill_children()
        _cleanup(folder)
        manifest.write(folder, int(year), entries, _now(), 0.0)
        raise
    finally:
        signal.signal(signal.SIGTERM, previous_term)


def _raise_interrupt(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")
