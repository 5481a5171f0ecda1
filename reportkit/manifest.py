"""``output/<year>/manifest.json``: what each report was built from, how it went, what it weighs.

A report is rebuilt only when the hash of everything it depends on changes.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Optional

from . import __version__, atomic, params
from .execute import NOTEBOOK, PACKAGE_ROOT
from .model import Bureau
from .safefile import read_regular

MANIFEST = "manifest.json"


@dataclass
class Entry:
    """One bureau's line in the manifest."""

    bureau: str
    status: str                       # ok | failed | invalid | skipped
    hash: Optional[str] = None
    seconds: float = 0.0
    html_bytes: int = 0
    ipynb_bytes: int = 0
    error: Optional[str] = None
    cell: Optional[int] = None
    built_at: Optional[str] = None
    errors: list[str] = field(default_factory=list)


@lru_cache(maxsize=4)
def code_hash(notebook: Path = NOTEBOOK) -> str:
    """Hash of the master notebook, templates, CSS, the format file and reportkit's own code."""
    h = hashlib.sha256(f"reportkit {__version__}\n".encode())
    files = [Path(notebook)] + sorted(p for p in PACKAGE_ROOT.rglob("*")
                                      if p.is_file() and p.suffix in (".py", ".j2", ".css", ".json", ".yaml"))
    for f in files:
        try:
            rel = f.relative_to(PACKAGE_ROOT.parent)
        except ValueError:
            rel = Path(f.name)
        h.update(str(rel).encode())
        h.update(f.read_bytes())
    return h.hexdigest()


def input_hash(params_dir: Path, bureau: str, year: int, entry: Optional[Bureau],
               notebook: Path = NOTEBOOK) -> str:
    """Hash of one report's inputs: its file, registry entry, earlier years' files, the code."""
    h = hashlib.sha256(code_hash(notebook).encode())
    h.update(_content(params.year_path(params_dir, year, bureau)))
    h.update(json.dumps(entry.model_dump(mode="json") if entry else None, sort_keys=True,
                        ensure_ascii=False).encode())
    for earlier in range(year - 4, year):  # the trend chart reads up to four earlier years
        prev = params.year_path(params_dir, earlier, bureau)
        h.update(_content(prev))
    return h.hexdigest()


class _Unreadable(Exception):
    pass


def _fail(*_a, **_k):
    raise _Unreadable


def _content(path: Path) -> bytes:
    """A params file's bytes for hashing; ``b"-"`` when it is missing or not a readable file
    (validation reports why; a FIFO or ``/proc`` file must not hang or crash the hash)."""
    try:
        return read_regular(path, params.MAX_BYTES, _fail)
    except _Unreadable:
        return b"-"


def _raw(folder: Path) -> dict:
    try:
        return json.loads((Path(folder) / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def read(folder: Path) -> dict[str, Entry]:
    """The manifest's entries; an unreadable manifest counts as empty (everything rebuilds)."""
    try:
        return {k: Entry(**v) for k, v in _raw(folder).get("reports", {}).items()}
    except (TypeError, AttributeError):
        return {}


def read_summary(folder: Path) -> Optional[Entry]:
    """The roll-up's entry (bureau ``_summary``), if a manifest records one."""
    try:
        raw = _raw(folder).get("summary")
        return Entry(**raw) if raw else None
    except (TypeError, AttributeError):
        return None


def summary_hash(params_dir: Path, year: int, notebook: Path, failed: list[str]) -> str:
    """Hash of the roll-up's inputs: the registry, every file of this and four earlier years."""
    h = hashlib.sha256(code_hash(notebook).encode())
    h.update(_content(params.registry_path(params_dir)))
    for y in range(year - 4, year + 1):
        for bureau in params.bureaus_with_data(params_dir, y):
            h.update(f"{y}/{bureau}".encode())
            path = Path(params_dir) / str(y) / f"{bureau}.yaml"
            h.update(_content(path))  # a directory, FIFO or unreadable file there is invalid, not fatal
    h.update(json.dumps(sorted(failed)).encode())
    return h.hexdigest()


def render(year: int, entries: dict[str, Entry], started: str, seconds: float,
           summary: Optional[Entry] = None) -> str:
    """The manifest's JSON text."""
    data = {"year": year, "reportkit": __version__, "built_at": started,
            "seconds": round(seconds, 2),
            "reports": {k: asdict(v) for k, v in sorted(entries.items())},
            "summary": asdict(summary) if summary else None}
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def write(folder: Path, year: int, entries: dict[str, Entry], started: str, seconds: float,
          summary: Optional[Entry] = None) -> Path:
    return atomic.write_text(Path(folder) / MANIFEST, render(year, entries, started, seconds, summary))
