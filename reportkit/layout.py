"""Where things are in a params folder: ``bureaus.yaml``, ``<year>/<bureau>.yaml``.

Names only, no YAML: paths, ids, the years reportkit accepts, and messages that say where
reportkit looked. Re-exported by :mod:`reportkit.params`.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

from .errors import BadArgument, Finding, InvalidInput
from .model import BUREAU_ID, Bureau

REGISTRY = "bureaus.yaml"
SCHEMA_RULE = "schema"


def display_path(path: Path) -> str:
    """A path as messages show it: relative to the working directory when below it."""
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return str(path)
    return str(path) if rel.startswith("..") else rel


def registry_path(params_dir: Path) -> Path:
    return Path(params_dir) / REGISTRY


def year_path(params_dir: Path, year: int, bureau: str) -> Path:
    """``params/<year>/<bureau>.yaml``; refuses ids that are not plain ASCII ids."""
    check_bureau_id(bureau)
    return Path(params_dir) / str(int(year)) / f"{bureau}.yaml"


def check_bureau_id(bureau: str) -> None:
    if not isinstance(bureau, str) or not BUREAU_ID.fullmatch(bureau):  # match's $ lets "id\n" through
        raise InvalidInput(Finding("(command line)", "bureau", SCHEMA_RULE,
                                   "机关 id 只能由小写英文字母、数字和连字符组成",
                                   "如 shengzhou-wglj", repr(bureau)))


# Years reportkit accepts anywhere (folders, --year, ranges): the disclosure regulation dates
# from 2008 and the report formats from 2019/2021; a wider range is a typo or an attack
# (``--years 1-999999999`` once built a billion-element list).
FIRST_YEAR, LAST_YEAR = 2000, 2100
_YEAR_NAME = re.compile(r"^[0-9]{4}$")


def check_year(year, field: str = "year") -> int:
    """``year`` as an int if it lies in FIRST_YEAR..LAST_YEAR, else :class:`BadArgument`."""
    if isinstance(year, bool) or not isinstance(year, int) or not FIRST_YEAR <= year <= LAST_YEAR:
        raise BadArgument(f"年份超出可处理的范围 {FIRST_YEAR}–{LAST_YEAR}", field=field,
                          expected=f"{FIRST_YEAR}–{LAST_YEAR} 之间的年份", found=str(year)[:40])
    return year


def years(params_dir: Path) -> list[int]:
    """The years that have a folder in ``params/`` (four ASCII digits, within range)."""
    return sorted(int(p.name) for p in Path(params_dir).iterdir()
                  if _YEAR_NAME.match(p.name) and FIRST_YEAR <= int(p.name) <= LAST_YEAR and p.is_dir())


def odd_year_folders(params_dir: Path) -> list[Finding]:
    """Folders that look like a year but are not read as one: '２０２２', '٢٠٢٢', '1999'."""
    out = []
    for p in sorted(Path(params_dir).iterdir()):
        digits = [c for c in p.name if c.isdigit()]
        if not p.is_dir() or not digits or len(digits) != len(p.name) or years_ok(p.name):
            continue
        ascii_only = all("0" <= c <= "9" for c in p.name)
        out.append(Finding(display_path(p), "", "year-folder",
                           "年份目录超出可处理的范围，其中的文件未检查" if ascii_only else
                           "年份目录名含有非 ASCII 数字（全角、上标或其他文字的数字），其中的文件未检查",
                           f"{FIRST_YEAR}–{LAST_YEAR} 之间、用 0–9 写的 4 位年份", ascii(p.name)[1:-1]))
    return out


def years_ok(name: str) -> bool:
    return bool(_YEAR_NAME.match(name)) and FIRST_YEAR <= int(name) <= LAST_YEAR


def check_known(params_dir: Path, bureaus, registry: dict[str, Bureau]) -> None:
    """Refuse ids that are neither in the registry nor have a file in any year, listing those that exist."""
    for b in bureaus or []:
        check_bureau_id(b)  # '../x' is refused as malformed before it is looked for
    known = set(registry) | {b for y in years(params_dir) for b in bureaus_with_data(params_dir, y)}
    unknown = [b for b in dict.fromkeys(bureaus or []) if b not in known]
    if unknown:
        listed = "、".join(sorted(known)) or "（无）"
        raise InvalidInput([Finding("(command line)", "bureau", "unknown-bureau",
                                    f"未知的机关 id {b!r}：{REGISTRY} 和各年份目录中都没有它。现有的 id：{listed}",
                                    "现有的机关 id 之一", repr(b)) for b in unknown])


def bureaus_with_data(params_dir: Path, year: int) -> list[str]:
    """Bureau ids that have ``params/<year>/<id>.yaml`` (any name ending in .yaml)."""
    folder = Path(params_dir) / str(year)
    if not folder.is_dir():
        return []
    return sorted(p.stem for p in folder.iterdir() if p.suffix == ".yaml")


def find_params_dir(name: str | os.PathLike = "params") -> Path:
    """Resolve a params folder: as given, else the nearest parent that has one.

    The master notebook runs from the repo root under papermill and from ``notebooks/``
    in JupyterLab; both find the same ``params/``.
    """
    path = Path(name)
    if path.is_absolute() or (path / REGISTRY).exists():
        return path
    for parent in Path.cwd().parents:
        if (parent / path / REGISTRY).exists():
            return parent / path
    return path
