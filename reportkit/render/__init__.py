"""Other formats of a finished report, derived from its HTML.

``reportkit build --format html,docx,pdf`` (default: ``html``, or the project's
``params/project.yaml`` key ``formats``). HTML is always built — it is the source of the
others, so Word and PDF say exactly what the page says. :func:`derive` is the one hook the
batch calls where a report's HTML is produced.
"""
from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Iterable, Optional, Union

import yaml

from ..errors import BadArgument, Finding, InvalidInput

FORMATS = ("html", "docx", "pdf")
DERIVED = ("docx", "pdf")
LABELS = {"html": "网页", "docx": "Word", "pdf": "PDF"}
PROJECT_FILE = "project.yaml"


def parse_formats(value: Union[str, Iterable[str]], source: str = "--format") -> tuple[str, ...]:
    """``"html,docx,pdf"`` (or a list) → the formats in canonical order, html always first."""
    items = value.split(",") if isinstance(value, str) else list(value)
    names = [str(v).strip().lower() for v in items if str(v).strip()]
    unknown = [n for n in names if n not in FORMATS]
    if unknown:
        raise BadArgument(f"不认识的输出格式 {'、'.join(unknown)}", field=source,
                          expected="html、docx、pdf 中的一个或几个，用逗号分隔", found=",".join(names))
    return tuple(f for f in FORMATS if f == "html" or f in names)


def default_formats(params_dir: Union[str, Path]) -> tuple[str, ...]:
    """The project's default formats: ``formats:`` in ``params/project.yaml``, else html."""
    path = Path(params_dir) / PROJECT_FILE
    if not path.is_file():
        return ("html",)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", None)
        raise InvalidInput(Finding(str(path), "", "yaml", f"不是有效的 YAML：{exc}",
                                   line=line + 1 if line is not None else None)) from None
    value = data.get("formats", ["html"]) if isinstance(data, dict) else None
    if not isinstance(value, (list, str)):
        raise InvalidInput(Finding(str(path), "formats", "formats", "应为格式列表，如 [html, pdf]",
                                   "html、docx、pdf 的列表", repr(value)))
    try:
        return parse_formats(value, source=f"{path}: formats")
    except BadArgument as exc:
        raise InvalidInput(Finding(str(path), "formats", "formats", exc.message, exc.expected,
                                   exc.found)) from None


def check_ready(formats: Iterable[str]) -> None:
    """Fail before building anything if a format cannot be made here (PDF without Chromium)."""
    if "pdf" in formats:
        from .pdf import find_chromium

        find_chromium()


def derive(html: bytes, formats: Iterable[str], source: Optional[Path] = None) -> dict[str, bytes]:
    """The bytes of each derived format (docx, pdf) of one finished report page.

    ``source`` is the page's file if it exists (the PDF printer reads a file); otherwise a
    temporary copy is printed. Raises ``RenderFailed``; writes nothing.
    """
    wanted = [f for f in DERIVED if f in set(formats)]
    out: dict[str, bytes] = {}
    if "docx" in wanted:
        from .docx import html_to_docx

        out["docx"] = html_to_docx(html)
    if "pdf" in wanted:
        from .pdf import html_to_pdf

        if source is not None and Path(source).is_file() and Path(source).read_bytes() == html:
            out["pdf"] = html_to_pdf(source)
        else:
            with tempfile.TemporaryDirectory(prefix="reportkit-derive-") as tmp:
                page = Path(tmp) / (Path(source).name if source else "report.html")
                page.write_bytes(html)
                out["pdf"] = html_to_pdf(page)
    return out


def stale(folder: Path, name: str, formats: Iterable[str]) -> list[Path]:
    """Derived files of ``name`` in ``folder`` for formats not asked for this time."""
    keep = set(formats)
    return [folder / f"{name}.{f}" for f in DERIVED if f not in keep and (folder / f"{name}.{f}").exists()]


def present(folder: Path, name: str, formats: Iterable[str]) -> bool:
    """Whether every derived file of ``formats`` exists for ``name``."""
    return all((Path(folder) / f"{name}.{f}").is_file() for f in DERIVED if f in set(formats))
