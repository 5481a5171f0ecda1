"""What the preview watches, and which pages a change touches.

A page is a :class:`Target`: one bureau's report, the year's index or the roll-up. The
watcher polls modification stamps (a few hundred ``stat`` calls, well under a millisecond
each round) rather than depending on inotify, so it behaves the same in containers and on
network folders; an editor's save-by-rename is caught by the inode in the stamp.
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Optional

from .. import params
from ..execute import NOTEBOOK, PACKAGE_ROOT, SUMMARY_NOTEBOOK
from ..model import Bureau

TREND_YEARS = 5  # a report reads its own year and the four before (R9 check, trend chart)
CODE_SUFFIXES = (".py", ".j2", ".css", ".yaml", ".json", ".ipynb")


@dataclass(frozen=True, order=True)
class Target:
    """One page the preview serves: ``kind`` is 'report', 'index' or 'summary'."""

    kind: str
    bureau: str = ""

    def path(self, year: int) -> str:
        """The URL path, the same as the file's place under ``output/``."""
        name = f"{self.bureau}.html" if self.kind == "report" else f"{self.kind}.html"
        return f"/{int(year)}/{name}"


INDEX, SUMMARY = Target("index"), Target("summary")


def report(bureau: str) -> Target:
    return Target("report", bureau)


@dataclass(frozen=True)
class Sources:
    """Where the inputs of one year's pages live."""

    params_dir: Path
    year: int
    notebook: Path = NOTEBOOK
    summary_notebook: Path = SUMMARY_NOTEBOOK
    code: Path = PACKAGE_ROOT

    def files(self) -> list[Path]:
        """Every file whose change can alter a page of the year."""
        out = [params.registry_path(self.params_dir), Path(self.notebook), Path(self.summary_notebook)]
        for y in range(self.year - TREND_YEARS + 1, self.year + 1):
            folder = Path(self.params_dir) / str(y)
            if folder.is_dir():
                out += sorted(folder.glob("*.yaml"))
        out += sorted(p for p in Path(self.code).rglob("*")
                      if p.suffix in CODE_SUFFIXES and "__pycache__" not in p.parts)
        return list(dict.fromkeys(out))


Stamp = Optional[tuple[int, int, int]]


def _stamp(path: Path) -> Stamp:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size, st.st_ino)


class Watcher:
    """Polls the stamps of :meth:`Sources.files`; ``changed()`` returns what moved since last time.

    Listing the folders costs ten times more than stat-ing the files, so the list is refreshed
    only every ``relist`` seconds: an edit shows at the next poll, a new file within a second.
    """

    def __init__(self, sources: Sources, relist: float = 1.0):
        self.sources, self.relist = sources, relist
        self._files, self._listed = sources.files(), time.monotonic()
        self._stamps = self._scan()

    def _scan(self) -> dict[Path, Stamp]:
        if time.monotonic() - self._listed >= self.relist:
            self._files, self._listed = self.sources.files(), time.monotonic()
        return {p: _stamp(p) for p in self._files}

    def changed(self) -> set[Path]:
        now = self._scan()
        moved = {p for p in now.keys() | self._stamps.keys() if now.get(p) != self._stamps.get(p)}
        self._stamps = now
        return moved


def _year_and_bureau(path: Path, params_dir: Path) -> Optional[tuple[int, str]]:
    try:
        rel = Path(path).resolve().relative_to(Path(params_dir).resolve())
    except ValueError:
        return None
    if len(rel.parts) == 2 and rel.parts[0].isdigit() and rel.suffix == ".yaml":
        return int(rel.parts[0]), rel.stem
    return None


def _entry(entry: Optional[Bureau]):
    return entry.model_dump(mode="json") if entry is not None else None


def affected(changed: Iterable[Path], sources: Sources, known: Iterable[str],
             old_registry: Optional[dict[str, Bureau]] = None,
             new_registry: Optional[dict[str, Bureau]] = None) -> set[Target]:
    """The pages of ``sources.year`` that a set of changed files makes stale.

    ``known`` are the bureau ids whose reports may be open. A bureau's file changes its report
    (in its own year or as an earlier year of the trend), the index (own year) and the roll-up;
    the registry changes the reports whose entry differs (all of them when it cannot be read),
    the index and the roll-up; the master notebook every report, the roll-up notebook the
    roll-up; reportkit's own code and wording every page.
    """
    known = set(known)
    everything = {report(b) for b in known} | {INDEX, SUMMARY}
    out: set[Target] = set()
    registry = params.registry_path(sources.params_dir).resolve()
    for path in map(Path, changed):
        resolved = path.resolve()
        if resolved == Path(sources.notebook).resolve():
            out |= {report(b) for b in known}
        elif resolved == Path(sources.summary_notebook).resolve():
            out.add(SUMMARY)
        elif resolved == registry:
            out |= {INDEX, SUMMARY}
            if old_registry is None or new_registry is None:
                out |= everything
            else:
                out |= {report(b) for b in known
                        if _entry(old_registry.get(b)) != _entry(new_registry.get(b))}
        elif (where := _year_and_bureau(path, sources.params_dir)) is not None:
            y, bureau = where
            if sources.year - TREND_YEARS < y <= sources.year:
                out.add(SUMMARY)
                out.add(report(bureau)) if bureau in known or y == sources.year else None
                out.add(INDEX) if y == sources.year else None
        elif inside(resolved, Path(sources.code).resolve()):
            out |= everything
    return out


def inside(path: Path, folder: Path) -> bool:
    """Whether ``path`` is ``folder`` or below it."""
    try:
        path.relative_to(folder)
        return True
    except ValueError:
        return False
