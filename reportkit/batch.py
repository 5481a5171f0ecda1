"""A whole year in one call: validate all, execute in a pool of kernels, export, index.

One bad bureau never sinks the others: invalid inputs are skipped and listed, a notebook
that raises is kept under ``_failed/`` and exported for reading, the rest finish.

Workers return finished bytes (:mod:`reportkit.run`); only this process, holding the
output folder's lock, writes — atomically, inside the output folder, and only while its
lock token is still the folder's. An interrupted or killed build therefore leaves earlier
good reports intact, and an orphaned worker can never overwrite a newer build's files.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import os
import signal
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Optional

from . import handoff, manifest, params, render, site
from .errors import BuildLocked, Finding, InvalidInput, UnsafePath, WriteFailed
from .execute import NOTEBOOK, ColdEngine, ensure_kernel
from .kernelenv import batch_environment
from .masters import project_notebook
from .lock import BuildLock
from .manifest import Entry
from .narrative import report_title
from .outfolder import OutputFolder, reason
from .run.pool import kill_children, run_pool, start_pool
from .run.task import Task, TaskResult, make_engine, run_task  # noqa: F401 — make_engine: public name kept
from .validate import Checked, check_many

FAILED_DIR = "_failed"
Runner = Callable[[list, int, Callable[[str], None], Callable[[TaskResult], None]], None]


@dataclass
class BuildResult:
    """What THIS build did, per bureau, and the exit code it deserves.

    ``entries`` holds the reports this run looked at: built (ok / failed), invalid, or
    unchanged (status ``skipped``, no duration). ``summary`` is the roll-up's entry only
    when this run built or checked it; ``None`` when it was not asked for or not reached.
    """

    year: int
    folder: Path
    entries: dict[str, Entry] = field(default_factory=dict)
    invalid: list[Checked] = field(default_factory=list)
    skipped: set[str] = field(default_factory=set)
    seconds: float = 0.0
    summary: Optional[Entry] = None
    write_errors: list[str] = field(default_factory=list)

    @property
    def failed(self) -> list[Entry]:
        return [e for e in self.entries.values() if e.status == "failed"]

    @property
    def exit_code(self) -> int:
        if self.invalid:
            return InvalidInput.exit_code
        summary_failed = self.summary is not None and self.summary.status == "failed"
        return 1 if self.failed or summary_failed or self.write_errors else 0


def _now() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


def store_result(out: OutputFolder, folder: Path, res: TaskResult) -> Entry:
    """Write one worker's result into ``folder`` (parent only); the manifest entry it deserves.

    A failed report never replaces a good one: its notebook and HTML go to ``_failed/``.
    A write the folder refuses (full, read-only, outside) fails this report, not the build.
    """
    b = res.bureau
    entry = Entry(b, res.status, hash=res.digest, seconds=res.seconds, error=res.error, cell=res.cell,
                  built_at=_now())
    try:
        if res.status == "ok":  # all or none: an .ipynb never stands beside an older .html
            changed = _changed(folder / f"{b}.html", res.html)
            out.write_all({folder / f"{b}.ipynb": res.ipynb, folder / f"{b}.html": res.html,
                           **{folder / f"{b}.{fmt}": data for fmt, data in res.derived.items()}})
            entry.formats = _derived_files(out, folder, b, res.derived, changed)
            entry.html_bytes, entry.ipynb_bytes = len(res.html), len(res.ipynb)
            for stale in (folder / FAILED_DIR / f"{b}.html", folder / FAILED_DIR / f"{b}.ipynb"):
                if stale.exists() or stale.is_symlink():
                    out.remove(stale)
        else:
            kept = {folder / FAILED_DIR / f"{b}.ipynb": res.failed_ipynb,
                    folder / FAILED_DIR / f"{b}.html": res.failed_html}
            if any(kept.values()):
                out.write_all({path: data for path, data in kept.items() if data})
    except (WriteFailed, UnsafePath) as exc:
        entry.status, entry.hash, entry.error, entry.cell = "failed", None, str(exc), None
    return entry


def _changed(page: Path, html: bytes) -> bool:
    try:
        return page.read_bytes() != html
    except OSError:
        return True


def _derived_files(out: OutputFolder, folder: Path, name: str, derived: dict[str, bytes],
                   changed: bool) -> dict[str, int]:
    """Drop Word/PDF files made from an older page (not rebuilt now); the sizes of those left."""
    for old in render.stale(folder, name, derived) if changed else []:
        out.remove(old)  # made from an older page: it would no longer match
    return {f: (folder / f"{name}.{f}").stat().st_size for f in render.DERIVED
            if (folder / f"{name}.{f}").is_file()}


def _cleanup(out: OutputFolder, folder: Path) -> None:
    """Temp files and work folders an interrupted run left; refuses a folder that leads outside."""
    out.clean(folder, ".*.tmp")
    out.clean(folder, ".work-*")
    failed = folder / FAILED_DIR
    if failed.exists() or failed.is_symlink():
        out.check(failed / "x")
        out.clean(failed, ".*.tmp")


def _open_output(output_dir: Path) -> None:
    try:
        Path(output_dir).mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise WriteFailed(f"无法创建输出目录：{reason(exc)}", file=str(output_dir)) from None


def build(params_dir: Path, output_dir: Path, year: int, bureaus: Optional[Iterable[str]] = None,
          jobs: Optional[int] = None, timeout: int = 300, force: bool = False, engine: str = "warm",
          notebook: Optional[Path] = None, on_event: Optional[Callable[[str, str, Optional[Entry]], None]] = None,
          write_index: bool = True, summary: bool = True, runner: Optional[Runner] = None,
          formats: Optional[Iterable[str]] = None, zygote=None) -> BuildResult:
    """Build every bureau of ``year`` (or those named); see the module docstring.

    ``formats``: html plus any of docx, pdf (default: the project's, see :mod:`reportkit.render`).

    ``runner(tasks, jobs, on_start, on_result)`` executes the tasks (default: warm kernels,
    :class:`reportkit.run.kernels.KernelPool`, or cold ones in worker processes, started before
    validation and reused for the roll-up); whatever runs them, this process writes.
    ``zygote``: a :class:`reportkit.run.zygote.Zygote` the caller started even earlier (the CLI
    does, before importing this module); the warm kernels are forked from it.
    """
    year = params.check_year(int(year))
    params_dir, folder = Path(params_dir), Path(output_dir) / str(year)
    notebook = Path(notebook) if notebook else project_notebook(params_dir)  # the project's, else packaged
    formats = render.parse_formats(formats) if formats is not None else render.default_formats(params_dir)
    render.check_ready(formats)
    wanted = list(dict.fromkeys(bureaus or []))
    for b in wanted:
        params.check_bureau_id(b)
    registry = params.load_registry(params_dir)
    params.check_known(params_dir, wanted, registry)
    if wanted:
        missing = [b for b in wanted if not params.year_path(params_dir, year, b).is_file()]
        if missing:
            raise InvalidInput([Finding(params.display_path(params.year_path(params_dir, year, b)), "",
                                        "missing", f"没有机关 '{b}' 的 {year} 年数据文件")
                                for b in missing])
    result = BuildResult(int(year), folder)
    emit = on_event or (lambda *a: None)
    _open_output(output_dir)
    pool = handed = None
    if runner is None:  # workers boot their kernels while this process validates
        ensure_kernel()
        n = _likely_work(params_dir, folder, int(year), registry, wanted, notebook, formats, force, summary)
        if n:
            handed = handoff.Folder()  # named in the environment the workers inherit
            pool = start_pool(engine, min(jobs or os.cpu_count() or 1, n), timeout, str(notebook), zygote)
    if zygote is not None and (pool is None or engine != "warm"):
        zygote.kill()  # started early by the caller; no kernel will be asked of it
    try:
        narrow = bool(wanted) and not (summary or write_index)  # else the whole year is read: check it once, here
        year_checked = check_many(params_dir, [year], wanted if narrow else None)
        checked = [c for c in year_checked if c.bureau in set(wanted)] if wanted else year_checked
        if handed is not None and not narrow:
            handed.publish(params_dir, int(year), year_checked)  # the roll-up's kernel need not check again
        if not checked:
            raise InvalidInput([Finding(params.display_path(params_dir / str(year)), "", "missing",
                                        f"没有 {year} 年的数据文件", f"{params_dir}/{year}/<机关id>.yaml", "无")]
                               + params.odd_year_folders(params_dir))
        _locked_build(params_dir, Path(output_dir), folder, int(year), registry, checked, result, emit,
                      pool, runner, dict(year_checked=year_checked, notebook=notebook, engine=engine,
                                         timeout=timeout, force=force, formats=formats, jobs=jobs,
                                         write_index=write_index, summary=summary))
    except BaseException:
        if pool is not None:
            pool.kill()
        raise
    finally:
        if handed is not None:
            handed.close()
    if pool is not None:
        pool.close()
    return result


def _likely_work(params_dir, folder, year, registry, wanted, notebook, formats, force, summary) -> int:
    """How many workers a build will keep busy, guessed before validation (inputs changed or not)."""
    old = manifest.read(folder)
    changed = sum(not _unchanged(old.get(b), manifest.input_hash(params_dir, b, year, registry.get(b), notebook),
                                 folder, b, formats, force)
                  for b in (wanted or params.bureaus_with_data(params_dir, year)))
    if changed or not summary:
        return changed
    prev = manifest.read_summary(folder)
    digest = manifest.summary_hash(params_dir, year, project_notebook(params_dir, "summary"),
                                   sorted(k for k, v in old.items() if v.status == "failed"))
    return int(not _unchanged(prev, digest, folder, "summary", formats, force))


def _unchanged(prev: Optional[Entry], digest: str, folder: Path, name: str, formats, force: bool) -> bool:
    return (not force and prev is not None and prev.status == "ok" and prev.hash == digest
            and (folder / f"{name}.html").exists() and render.present(folder, name, formats))


def _locked_build(params_dir, output_dir, folder, year, registry, checked, result, emit, pool, runner, o) -> None:
    """Under the output folder's lock: plan, run the reports, the roll-up, the manifest and index."""
    with BuildLock(output_dir) as lock, _sigterm_as_interrupt():
        out = OutputFolder(output_dir, guard=lock.verify)
        out.mkdir(folder)
        _cleanup(out, folder)
        out.reserve()
        run = _Run(params_dir, output_dir, folder, year, registry, out, result, emit, _now())
        run.year_checked = o["year_checked"]
        try:
            run.plan(checked, o["notebook"], o["engine"], o["timeout"], o["force"], lock.token, o["formats"])
            if run.tasks and pool is not None:
                pool.run(run.tasks, lambda b: emit("start", b, None), run.take)
            elif run.tasks:  # a runner of the caller's, or no worker was guessed to be needed
                (runner or run_pool)(run.tasks, o["jobs"] or os.cpu_count() or 1,
                                     lambda b: emit("start", b, None), run.take)
            if o["summary"] and any(c.ok for c in checked):
                run.finish(write_index=False, strict=False)  # the roll-up reads this run's failures
                emit("start", "summary", None)
                result.summary = build_summary(params_dir, output_dir, year, registry, o["timeout"], o["force"],
                                               run.failed(), result, out, o["formats"], pool=pool,
                                               engine=o["engine"], notebook=o["notebook"], token=lock.token)
                run.summary = result.summary
                emit("skipped" if "summary" in result.skipped else result.summary.status, "summary",
                     result.summary)
            if pool is not None:
                pool.release()  # workers and kernels end while the manifest and index are written
        except BaseException:
            kill_children()
            run.finish(o["write_index"], interrupted=True)
            raise
        run.finish(o["write_index"])


class _Run:
    """The bookkeeping of one locked build: manifest entries, tasks, and the closing writes."""

    def __init__(self, params_dir, output_dir, folder, year, registry, out, result, emit, started):
        self.params_dir, self.output_dir, self.folder, self.year = params_dir, output_dir, folder, year
        self.registry, self.out, self.result, self.emit, self.started = registry, out, result, emit, started
        self.entries: dict[str, Entry] = manifest.read(folder)
        self.summary: Optional[Entry] = manifest.read_summary(folder)  # kept unless rebuilt
        self.checked: list[Checked] = []
        self.year_checked: list[Checked] = []  # the whole year's check (the index lists every bureau)
        self.tasks: list[Task] = []
        self.t0 = time.perf_counter()

    def plan(self, checked, notebook, engine, timeout, force, token, formats=("html",)) -> None:
        """Sort bureaus into invalid, unchanged (skipped) and to build."""
        self.checked = checked
        old = dict(self.entries)
        for c in checked:
            if not c.ok:
                self.result.invalid.append(c)
                self.entries[c.bureau] = self.result.entries[c.bureau] = Entry(
                    c.bureau, "invalid", built_at=self.started,  # paths from params/, not cwd
                    errors=[str(params.portable(f, self.params_dir)) for f in c.errors])
                continue
            digest = manifest.input_hash(self.params_dir, c.bureau, self.year, c.entry, notebook)
            prev = old.get(c.bureau)
            if _unchanged(prev, digest, self.folder, c.bureau, formats, force):
                self.result.skipped.add(c.bureau)
                shown = dataclasses.replace(prev, status="skipped", seconds=0.0)  # nothing ran now
                self.result.entries[c.bureau] = shown
                self.emit("skipped", c.bureau, shown)
                continue
            self.tasks.append(Task(c.bureau, self.year, str(self.params_dir.resolve()),
                                   report_title(c.entry.name, self.year), digest, engine, str(notebook),
                                   timeout, token, tuple(formats)))

    def take(self, res: TaskResult) -> None:
        """A worker's result arrived: write it, record it, show it."""
        entry = store_result(self.out, self.folder, res)
        if entry.status == "failed" and res.status == "ok":
            self.result.write_errors.append(entry.error or "")
        self.entries[res.bureau] = self.result.entries[res.bureau] = entry
        self.emit(entry.status, res.bureau, entry)

    def failed(self) -> list[str]:
        return sorted(k for k, v in self.entries.items() if v.status == "failed")

    def finish(self, write_index: bool = True, interrupted: bool = False, strict: bool = True) -> None:
        """Manifest (and index) for what was done; on a full disk the reserve makes room first."""
        present = set(params.bureaus_with_data(self.params_dir, self.year))
        self.entries = {k: v for k, v in self.entries.items() if k in present}  # params file gone
        self.result.seconds = time.perf_counter() - self.t0
        if write_index or interrupted or self.out.full:
            self.out.release_reserve()
        text = manifest.render(self.year, self.entries, self.started, self.result.seconds, self.summary)
        try:
            self.out.write_text(self.folder / manifest.MANIFEST, text)
            if write_index:
                self._index()
        except BuildLocked:
            if not interrupted:
                raise  # a newer build took the folder over: it must not be overwritten
        except (WriteFailed, UnsafePath) as exc:
            if strict and not interrupted:  # when interrupted, the interruption is what the user sees
                raise WriteFailed(f"{exc.message}（已完成的报告见上表）", file=exc.file) from None

    def _index(self) -> None:
        data = {c.bureau: c.data for c in self.year_checked if c.ok}  # every bureau of the year
        link = "summary.html" if (self.folder / "summary.html").exists() else None
        html = site.index_html(self.year, site.index_lines(self.entries, self.registry, data, self.folder),
                               params.government_of(self.registry), link,
                               site.other_formats(self.folder, "summary") if link else [])
        self.out.write_text(self.folder / "index.html", html)


def build_summary(params_dir: Path, output_dir: Path, year: int, registry, timeout: int, force: bool,
                  failed: list[str], result: BuildResult, out: Optional[OutputFolder] = None,
                  formats: tuple[str, ...] = ("html",), pool=None,
                  engine: str = "warm", notebook: Optional[Path] = None, token: str = "") -> Entry:
    """Execute notebooks/summary.ipynb for the year into summary.html, unless nothing changed.

    With a ``pool`` it runs on a worker whose kernel is already warm; else in a fresh kernel here.
    """
    from .site import summary_title as title

    folder = output_dir / str(year)
    out = out or OutputFolder(output_dir)
    summary_notebook = project_notebook(params_dir, "summary")
    digest = manifest.summary_hash(params_dir, year, summary_notebook, failed)
    prev = manifest.read_summary(folder)
    if _unchanged(prev, digest, folder, "summary", formats, force):
        result.skipped.add("summary")
        return prev
    task = Task("summary", year, str(Path(params_dir).resolve()), title(params.government_of(registry), year),
                digest, engine, str(notebook or NOTEBOOK), timeout, token, tuple(formats),
                summary_notebook=str(summary_notebook), output_dir=str(Path(output_dir).resolve()))
    started = time.perf_counter()
    res = pool.run_one(task) if pool is not None else None
    if res is None or res.lost:
        batch_environment()  # no pool, or its worker died: a fresh kernel here
        res = run_task(task, ColdEngine(notebook=summary_notebook, timeout=timeout))
    entry = Entry("summary", res.status, hash=res.digest, error=res.error, cell=res.cell, built_at=_now())
    try:
        if res.status == "ok":
            changed = _changed(folder / "summary.html", res.html)
            out.write_all({folder / "summary.ipynb": res.ipynb, folder / "summary.html": res.html,
                           **{folder / f"summary.{fmt}": data for fmt, data in res.derived.items()}})
            entry.formats = _derived_files(out, folder, "summary", res.derived, changed)
            entry.html_bytes = len(res.html)
        elif res.failed_ipynb:
            out.write_bytes(folder / FAILED_DIR / "summary.ipynb", res.failed_ipynb)
    except (WriteFailed, UnsafePath) as exc:
        if res.status == "ok":  # else the roll-up's own error is the one to show
            entry.status, entry.error, entry.hash = "failed", str(exc), None
    entry.seconds = round(time.perf_counter() - started, 2)
    return entry


class _sigterm_as_interrupt:
    """SIGTERM ends a build like Ctrl-C does (main thread only; elsewhere it is left alone)."""

    def __enter__(self):
        self.previous = None
        if threading.current_thread() is threading.main_thread():
            self.previous = signal.signal(signal.SIGTERM, _raise_interrupt)
        return self

    def __exit__(self, *exc):
        if self.previous is not None:
            signal.signal(signal.SIGTERM, self.previous)


def _raise_interrupt(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")
