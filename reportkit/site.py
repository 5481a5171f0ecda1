"""The year's index page: every bureau, its key figures, its status and a link to its report."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Optional

from . import atomic
from .manifest import Entry
from .model import Bureau
from .narrative import reviews_and_suits
from .templating import css, render

if TYPE_CHECKING:
    from .model import BureauYear

STATUS_MARKS = {"ok": ("✓", "已生成"), "skipped": ("✓", "已生成（未变化）"),
                "failed": ("✗", "生成失败"), "invalid": ("✗", "数据有误")}


@dataclass
class Line:
    """One bureau on the index page."""

    id: str
    name: str
    status: str
    figures: Optional[dict] = None
    error: Optional[str] = None
    link: Optional[str] = None
    others: list = field(default_factory=list)   # (label, href) of the report's Word/PDF files

    @property
    def mark(self) -> str:
        return STATUS_MARKS.get(self.status, ("?", self.status))[0]

    @property
    def status_text(self) -> str:
        return STATUS_MARKS.get(self.status, ("?", self.status))[1]


def summary_title(government: str, year: int) -> str:
    """The roll-up's title, as the page and the index's link print it."""
    return f"{government}各部门{year}年政府信息公开工作年度报告汇总"


def key_figures(data: BureauYear) -> dict:
    """The figures the index shows for one bureau."""
    cells = data.app_cells()
    reviews, suits = reviews_and_suits(data)
    return {
        "disclosed": data.disclosed.total,
        "received": cells[("new",)]["total"],
        "handled": cells[("total",)]["total"],
        "carried_forward": cells[("carried_forward",)]["total"],
        "reviews": reviews,
        "suits": suits,
    }


def index_lines(entries: dict[str, Entry], registry: dict[str, Bureau],
                data: dict[str, BureauYear], folder: Path) -> list[Line]:
    lines = []
    for bureau_id, entry in sorted(entries.items()):
        bureau = registry.get(bureau_id)
        html = Path(folder) / f"{bureau_id}.html"
        link = f"{bureau_id}.html" if entry.status in ("ok", "skipped") and html.exists() else None
        if entry.status == "failed" and (Path(folder) / "_failed" / f"{bureau_id}.html").exists():
            link = f"_failed/{bureau_id}.html"
        error = entry.error
        if entry.status == "invalid" and entry.errors:
            error = "；".join(entry.errors[:3]) + (f" 等 {len(entry.errors)} 处" if len(entry.errors) > 3 else "")
        lines.append(Line(bureau_id, bureau.name if bureau else bureau_id, entry.status,
                          key_figures(data[bureau_id]) if bureau_id in data else None, error, link,
                          other_formats(folder, bureau_id) if link == f"{bureau_id}.html" else []))
    return lines


def other_formats(folder: Path, name: str) -> list[tuple[str, str]]:
    """Links to a report's derived files (Word, PDF) that exist beside its page."""
    from .render import DERIVED, LABELS

    return [(LABELS[f], f"{name}.{f}") for f in DERIVED if (Path(folder) / f"{name}.{f}").is_file()]


def write_index(folder: Path, year: int, lines: list[Line], government: str,
                summary_link: Optional[str] = None) -> Path:
    """Render ``index.html`` into ``folder`` (atomically)."""
    others = other_formats(folder, "summary") if summary_link else []
    return atomic.write_text(Path(folder) / "index.html", index_html(year, lines, government, summary_link, others))


def index_html(year: int, lines: list[Line], government: str, summary_link: Optional[str] = None,
               summary_others: Iterable[tuple[str, str]] = ()) -> str:
    """The index page's HTML (``write_index`` writes it; ``reportkit preview`` serves it).

    ``summary_others``: links to the roll-up's Word/PDF files (:func:`other_formats`).
    """
    totals = {k: sum(l.figures[k] for l in lines if l.figures) for k in
              ("disclosed", "received", "handled", "carried_forward", "reviews", "suits")}
    return render("index.html.j2", year=year, lines=lines, totals=totals, css=css(),
                  government=government, summary_link=summary_link,
                  summary_others=list(summary_others),
                  summary_title=summary_title(government, year),
                  n_ok=sum(l.status in ("ok", "skipped") for l in lines),
                  n_bad=sum(l.status in ("failed", "invalid") for l in lines))
