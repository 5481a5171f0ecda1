"""``reportkit import`` for filled workbooks: read, check the identity, write the params file.

Writing goes through :mod:`reportkit.importer.emit` (YAML by the library, temp file + rename,
never over an existing file without ``force``, the changes listed when forced).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Optional

import yaml

from ..errors import ImportFailed, ReportkitError
from ..model import Narrative
from ..params import load_year
from ..importer import emit
from .read import WorkbookRead, check_registry, read_workbook

if TYPE_CHECKING:
    from ..model import BureauYear


@dataclass
class Collected:
    """One workbook's import: what was read, the lines to show, where it went."""

    read: Optional[WorkbookRead]
    lines: list[str] = field(default_factory=list)
    target: Optional[Path] = None
    text: Optional[str] = None              # the params YAML when no folder was named
    ok: bool = False


def import_workbook(path: Path, out_dir: Optional[Path] = None, *, bureau: Optional[str] = None,
                    year: Optional[int] = None, force: bool = False, new_city: bool = False) -> Collected:
    """Read one filled workbook; with ``out_dir`` write ``out_dir/<year>/<id>.yaml``.

    ``new_city``: the folder had no registry when the import began, so every bureau is added
    to it rather than refused as unknown."""
    try:
        history = (lambda bid, y: _previous(out_dir, y, bid)) if out_dir is not None else None
        read = read_workbook(path, bureau=bureau, year=year, history=history)
    except ImportFailed as exc:
        return Collected(None, [f"{path}: {exc.message}"])
    out = Collected(read)
    try:
        registry = emit.load_registry_loose(Path(out_dir) / emit.REGISTRY) if out_dir else None
    except ImportFailed as exc:
        return Collected(read, [f"{path}: 未写入：{exc}"])
    if registry and not new_city:   # a new folder has no city yet: nothing to be "another" bureau of
        check_registry(read, registry, named=bureau is not None)
    out.lines.append(f"{path}: {read.name} {read.year}年（id {read.bureau_id}），reportkit 填报表")
    out.lines += [("  错误 " if p.severity == "error" else "  提示 ") + str(p) for p in read.problems]
    if not read.ok:
        out.lines.append(f"  未导入：{len(read.errors)} 处错误，请退回填报机关修改")
        return out
    header = [f"{read.name} {read.year} 年政府信息公开工作年度报告 · 数据",
              f"由 reportkit import 从填报表 {Path(path).name} 读入。"]
    if out_dir is None:
        out.text = emit.params_text(read.data, header=header)
        out.ok = True
        return out
    try:
        if read.bureau_id not in (registry or {}):
            emit.register_bureau(out_dir, read.name, {"government": read.government, "level": read.level},
                                 read.bureau_id)
            out.lines.append(f"  {read.bureau_id} 已加入 {Path(out_dir) / emit.REGISTRY}")
        data = _shaped(read.data, _old(out_dir, read.year, read.bureau_id))
        written = emit.write_params(out_dir, read.year, read.bureau_id, data, force=force, header=header)
    except ImportFailed as exc:
        out.lines.append(f"  未写入：{exc}")
        return out
    out.target, out.ok = written.path, True
    if written.created:
        out.lines.append(f"  → {written.path}")
    else:
        out.lines.append(f"  → 已覆盖 {written.path}（--force）：{len(written.changes)} 处改动")
        out.lines += [f"      {c}" for c in written.changes]
    return out


def _previous(out_dir: Path, year: int, bureau_id: str) -> Optional[BureauYear]:
    path = Path(out_dir) / str(year) / f"{bureau_id}.yaml"
    try:
        return load_year(path) if path.is_file() else None
    except ReportkitError:      # last year's file is broken: validate says so; R9/R10 left out here
        return None


def _old(out_dir: Path, year: int, bureau_id: str) -> Optional[dict]:
    try:
        old = yaml.safe_load(emit.params_path(out_dir, year, bureau_id).read_text(encoding="utf-8"))
    except (OSError, ValueError, yaml.YAMLError, ImportFailed):
        return None
    return old if isinstance(old, dict) else None


def _shaped(new: dict, old: Optional[dict]) -> dict:
    """``new`` with the derived figures laid out as the file it replaces had them: a row's
    总计 and the （七） row only where the old file wrote them, so that the listed changes are
    changes of figures, not of layout."""
    if old is None:
        return new
    out = dict(new)
    for table, width in (("applications", 6), ("review_litigation", 4)):
        was = old.get(table) if isinstance(old.get(table), dict) else {}
        rows = {}
        for key, row in new[table].items():
            if key not in was and key == "total":
                continue
            if isinstance(row, dict):
                inner = was.get(key) if isinstance(was.get(key), dict) else {}
                rows[key] = {k: (v[:width] if isinstance(inner.get(k), list) and len(inner[k]) == width else v)
                             for k, v in row.items()}
            else:
                rows[key] = row[:width] if isinstance(was.get(key), list) and len(was[key]) == width else row
        out[table] = rows
    was = old.get("narrative") if isinstance(old.get("narrative"), dict) else {}
    kept = {}
    for key, paragraphs in new["narrative"].items():
        try:                              # the same paragraphs written another way: keep the old text
            same = Narrative.model_validate({key: was[key]}).paragraphs(key) == paragraphs
        except (KeyError, ValueError):
            same = False
        kept[key] = was[key] if same else paragraphs
    out["narrative"] = kept
    return out


def expand(paths: list[Path]) -> list[Path]:
    """Files as given; a folder stands for the .xlsx files in it (sorted, hidden ones skipped)."""
    out: list[Path] = []
    for p in paths:
        if Path(p).is_dir():
            out += sorted(f for f in Path(p).iterdir()
                          if f.suffix.lower() == ".xlsx" and not f.name.startswith((".", "~$")))
        else:
            out.append(Path(p))
    return out
