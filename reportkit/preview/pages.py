"""The preview's pages, built in memory with the same engine and exporter as ``build``.

A report runs in one warm kernel (:class:`reportkit.warm.WarmEngine`) and is exported by
:func:`reportkit.export.to_html` with the same title, so its bytes are those ``build`` writes.
Nothing is written under ``output/``: a preview never replaces a built report. Inputs that
fail validation, or a notebook that raises, give a Chinese problem page with located errors.
"""
from __future__ import annotations

import shutil
import tempfile
import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Optional

import jinja2

from .. import params, site
from ..errors import ExecutionFailed, Finding, InvalidInput
from ..execute import NOTEBOOK, SUMMARY_NOTEBOOK, ColdEngine, describe, ensure_kernel, without_pyarrow_fs
from ..kernelenv import batch_environment
from ..manifest import Entry
from ..model import Bureau
from ..narrative import report_title
from ..templating import TEMPLATES, css
from ..validate import check_many, check_one
from .targets import INDEX, SUMMARY, Target


@dataclass
class Page:
    """One served page: its HTML and whether it is the page asked for (``ok``) or a problem page."""

    target: Target
    html: bytes
    ok: bool = True
    status: int = 200
    seconds: float = 0.0
    error: Optional[str] = None
    findings: list[Finding] = field(default_factory=list)
    phases: dict[str, float] = field(default_factory=dict)  # where a report's seconds went

    def timing(self) -> str:
        """'0.45 秒' or '0.45 秒：内核 0.40 + 导出 0.05'."""
        parts = " + ".join(f"{k} {v:.2f}" for k, v in self.phases.items())
        return f"{self.seconds:.2f} 秒" + (f"：{parts}" if parts else "")


@lru_cache(maxsize=1)
def _templates() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES / "preview"), autoescape=True,
                              undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def problem_page(target: Target, heading: str, summary: str, findings: list[Finding] = (),
                 detail: Optional[str] = None, status: int = 200) -> Page:
    """The page shown instead of ``target``: what is wrong and where (file, line, field, rule)."""
    html = _templates().get_template("problem.html.j2").render(
        heading=heading, summary=summary, findings=list(findings), detail=detail, css=css())
    errors = [f for f in findings if f.severity == "error"]
    return Page(target, html.encode("utf-8"), ok=False, status=status, error=summary, findings=errors)


def reload_script(path: str, events: str) -> bytes:
    """The ``<script>`` that reloads ``path`` on the server's signal; injected into responses only."""
    return _templates().get_template("reload.html.j2").render(path=path, events=events).encode("utf-8")


def _invalid_page(target: Target, exc_or_findings, params_dir: Path) -> Page:
    findings = exc_or_findings.findings if isinstance(exc_or_findings, InvalidInput) else exc_or_findings
    findings = [params.portable(f, params_dir) for f in findings]  # params/2022/x.yaml, not /tmp/…
    errors = [f for f in findings if f.severity == "error"]
    files = sorted({f.file for f in errors})
    return problem_page(target, f"数据有误：{'、'.join(Path(f).name for f in files) or '数据文件'}", f"{'、'.join(files)} 有 {len(errors)} 处错误，"
                        "暂不能生成报告。", findings)


class PreviewEngine:
    """The warm kernel and the exporter of a preview, and the rebuild of its notebook source."""

    def __init__(self, notebook: Path = NOTEBOOK, timeout: int = 300):
        from ..export import ReportExporter
        from ..warm import WarmEngine

        batch_environment()
        without_pyarrow_fs()
        ensure_kernel()
        self.warm = WarmEngine(notebook=notebook, timeout=timeout)
        self.warm.launch()  # the kernel boots while the first page is validated
        self.exporter = ReportExporter()

    def reload_notebook(self) -> Optional[str]:
        """Pick up an edited master notebook (the kernel stays; its code is re-run per report).

        Returns why it could not be read (a save caught halfway, broken JSON); the last good
        version is then kept until the next save.
        """
        from papermill.iorw import load_notebook_node

        try:
            self.warm._source = load_notebook_node(str(self.warm.notebook))
        except Exception as exc:  # noqa: BLE001
            return describe(exc)
        return None

    def close(self) -> None:
        self.warm.close()


class Pages:
    """Builds the pages of one year of one params folder."""

    def __init__(self, params_dir: Path, output_dir: Path, year: int, engine: PreviewEngine,
                 timeout: int = 300, summary_notebook: Path = SUMMARY_NOTEBOOK):
        self.params_dir, self.output_dir, self.year = Path(params_dir), Path(output_dir), int(year)
        self.engine, self.timeout, self.summary_notebook = engine, timeout, Path(summary_notebook)
        self.failed: dict[str, str] = {}  # bureau → why its notebook raised (for the index)
        self._registry: Optional[tuple] = None  # (file stamp, parsed registry)

    def build(self, target: Target) -> Page:
        """Build one page; never raises for bad input (a problem page instead)."""
        started = time.perf_counter()
        try:
            page = {"report": self._report, "index": self._index, "summary": self._summary}[target.kind](target)
        except InvalidInput as exc:
            page = _invalid_page(target, exc, self.params_dir)
        except ExecutionFailed as exc:
            page = problem_page(target, "生成失败", str(exc))
        except Exception as exc:  # noqa: BLE001 — the preview keeps running; the page says what broke
            page = problem_page(target, "生成失败", describe(exc, self.timeout))
        page.seconds = round(time.perf_counter() - started, 3)
        return page

    def registry(self) -> dict[str, Bureau]:
        """The registry, parsed again only when its file changed (it is read for every report)."""
        path = params.registry_path(self.params_dir)
        st = path.stat() if path.is_file() else None
        stamp = (st.st_mtime_ns, st.st_size, st.st_ino) if st else None
        if stamp is None or self._registry is None or self._registry[0] != stamp:
            self._registry = (stamp, params.load_registry(self.params_dir))  # raises if unreadable
        return self._registry[1]

    def _report(self, target: Target) -> Page:
        bureau, path = target.bureau, params.year_path(self.params_dir, self.year, target.bureau)
        params.check_bureau_id(bureau)
        if not path.is_file():
            return problem_page(target, f"没有 {bureau} 的 {self.year} 年数据",
                                f"找不到数据文件 {params.display_path(path)}。", status=404)
        entry = self.registry().get(bureau)
        work = Path(tempfile.mkdtemp(prefix=f"reportkit-preview-{bureau}-"))
        t0 = time.perf_counter()
        try:
            # The notebook validates the file itself (Report.load); the located findings are
            # worked out only when it refused, so a good save is checked once, not twice.
            if entry is None:
                raise ExecutionFailed("机关不在名录中", bureau=bureau)
            nb = self.engine.warm.run(bureau, self.year, self.params_dir, work / f"{bureau}.ipynb")
        except ExecutionFailed as exc:
            checked = check_one(self.params_dir, bureau, self.year, self.registry())
            if not checked.ok:
                return _invalid_page(target, checked.findings, self.params_dir)
            self.failed[bureau] = exc.message
            exc.notebook = None  # the temporary notebook is gone with the preview's work folder
            return problem_page(target, "报告生成失败", str(exc))
        finally:
            shutil.rmtree(work, ignore_errors=True)
        self.failed.pop(bureau, None)
        from ..export import to_html

        # the same call, title and exporter settings as batch.build_one: the same bytes
        t1 = time.perf_counter()
        html = to_html(nb, report_title(entry.name, self.year), self.engine.exporter)
        return Page(target, html.encode("utf-8"), phases={"内核": t1 - t0, "导出": time.perf_counter() - t1})

    def _index(self, target: Target) -> Page:
        registry = self.registry()
        entries, data = {}, {}
        for c in check_many(self.params_dir, [self.year]):
            if c.ok:
                data[c.bureau] = c.data
                failed = self.failed.get(c.bureau)
                entries[c.bureau] = Entry(c.bureau, "failed" if failed else "ok", error=failed)
            else:
                entries[c.bureau] = Entry(c.bureau, "invalid", errors=[
                    str(params.portable(f, self.params_dir)) for f in c.errors])
        lines = site.index_lines(entries, registry, data, self.output_dir / str(self.year))
        for line in lines:  # every page is built on demand, so every bureau with data links
            line.link = f"{line.id}.html"
        html = site.index_html(self.year, lines, params.government_of(registry), "summary.html")
        return Page(target, html.encode("utf-8"))

    def _summary(self, target: Target) -> Page:
        """The roll-up, as ``build`` runs it: summary notebook, fresh kernel (seconds, not ms)."""
        from ..export import to_html
        from ..rollup import title

        registry = self.registry()
        work = Path(tempfile.mkdtemp(prefix="reportkit-preview-summary-"))
        try:
            nb = ColdEngine(notebook=self.summary_notebook, timeout=self.timeout).execute(
                self.summary_notebook, {"year": self.year, "params": str(self.params_dir.resolve()),
                                        "output": str(self.output_dir.resolve())},
                work / "summary.ipynb", "summary")
        except ExecutionFailed as exc:
            exc.notebook = None
            return problem_page(target, "汇总报告生成失败", str(exc))
        except Exception as exc:  # noqa: BLE001 — shown on the page, never a traceback
            return problem_page(target, "汇总报告生成失败", describe(exc, self.timeout))
        finally:
            shutil.rmtree(work, ignore_errors=True)
        html = to_html(nb, title(params.government_of(registry), self.year))
        return Page(target, html.encode("utf-8"))


__all__ = ["INDEX", "SUMMARY", "Page", "Pages", "PreviewEngine", "problem_page", "reload_script"]
