"""A city's own project: ``reportkit init`` lays it out, ``reportkit new`` starts next year's files.

A project is a folder with ``params/`` (registry and yearly files), ``notebooks/`` (the
project's copy of the master notebooks, which hold the report's wording) and ``output/``;
it builds with the installed package alone. Neither command ever overwrites a file.
"""
from __future__ import annotations

import datetime as dt
import os
import tempfile
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Optional, Union

import jupytext
import nbformat
import yaml

from . import params
from .errors import Finding, InvalidInput, ReportkitError
from .masters import NAMES, packaged
from .spec import load_spec
from . import model

if TYPE_CHECKING:
    from .model import BureauYear

TODO_MARKER = "TODO"  # a draft paragraph still to write; validate refuses to build a file holding it
EXAMPLE_ID = "example"
PROJECT_DATA = Path(str(resources.files("reportkit") / "project"))
# Drafts of the bureau's own paragraphs: what each must say (section 一's subsections, 五, 六).
DRAFTS = {
    "overview": "写明本年度政务公开工作的总体情况和主要做法。",
    "proactive": "写明主动公开的重点领域、渠道和解读回应。",
    "on_request": "写明依申请公开的受理、办理和答复情况。",
    "management": "写明公文公开属性认定、规范性文件清理等政府信息管理工作。",
    "platform": "写明政府网站、政务新媒体等公开平台的建设情况。",
    "supervision": "写明考核、培训、监督检查和责任追究情况。",
    "problems": ["列出本年度存在的主要问题。"],
    "improvements": ["列出针对上述问题的改进措施。"],
    "other": ["写明其他需要报告的事项（没有可删去本条）。"],
}


class ProjectError(ReportkitError):
    """A project folder that cannot be used as asked (a non-empty folder without --force)."""

    exit_code = 2


@dataclass
class Written:
    """What a command did: files written, files kept because they already existed, notes."""

    written: list[Path] = field(default_factory=list)
    kept: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


class _Dumper(yaml.SafeDumper):
    """Rows of figures on one line ([5, 1, 0, 0, 0, 0]), like the sample files."""


def _represent_list(dumper, data):
    flow = all(isinstance(x, (int, float)) for x in data)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


def _represent_dict(dumper, data):
    flow = bool(data) and all(isinstance(x, (int, float)) for x in data.values()) and len(data) <= 3
    return dumper.represent_mapping("tag:yaml.org,2002:map", data, flow_style=flow)


_Dumper.add_representer(list, _represent_list)
_Dumper.add_representer(dict, _represent_dict)


def dump(data: dict, comment: str = "") -> str:
    """YAML text of a params document (through the YAML library), with a comment heading it."""
    head = "".join(f"# {line}\n" for line in comment.splitlines())
    return head + yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)


def _add(path: Path, data: Union[str, bytes], done: Written) -> None:
    """Write ``path`` whole (temp file, then link) unless it exists; an existing file is kept untouched."""
    if path.exists():
        done.kept.append(path)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data.encode("utf-8") if isinstance(data, str) else data)
        os.chmod(tmp, 0o644)
        os.link(tmp, path)  # unlike a rename, a link never replaces a file that appeared meanwhile
        done.written.append(path)
    except FileExistsError:
        done.kept.append(path)
    finally:
        Path(tmp).unlink(missing_ok=True)


def _example_year(year: int) -> dict:
    data = yaml.safe_load((PROJECT_DATA / "example-year.yaml").read_text(encoding="utf-8"))
    return {"published": dt.date(year + 1, 1, 11), **data}


def init(folder: Union[str, Path], city: str = "示例市", force: bool = False,
         year: Optional[int] = None) -> Written:
    """Lay out a city project in ``folder``: registry, one example bureau's year, notebooks, README.

    A non-empty folder needs ``force``; even then only missing files are added.
    """
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise ProjectError("不是文件夹", file=str(folder))
    if folder.is_dir() and any(folder.iterdir()) and not force:
        raise ProjectError("文件夹不是空的：不会写入（加 --force 只补上缺少的文件，已有文件一律不改）",
                           file=str(folder))
    year = int(year or dt.date.today().year - 1)  # reports are written in January for the year before
    government = f"{city}人民政府"
    registry = {EXAMPLE_ID: {"name": f"{city}示例局", "self": "我局", "government": government,
                             "level": "county", "website": f"{government}门户网站",
                             "contact": ["地址：（请填写）", "电话：（请填写）"]}}
    done = Written()
    _add(folder / "params" / params.REGISTRY,
         dump(registry, "机关名录：ASCII id → 机关信息；每个 id 对应 params/<年度>/<id>.yaml。\n"
                        "见 README.md“增加一个机关”。"), done)
    _add(params.year_path(folder / "params", year, EXAMPLE_ID),
         dump(_example_year(year), f"{city}示例局 {year} 年政府信息公开工作年度报告 · 数据（示例，可删去）\n"
                                   "表格数字按国家 2021 年格式填写；每行六个数：自然人, 商业企业, 科研机构, "
                                   "社会公益组织, 法律服务机构, 其他。"), done)
    for name in NAMES:
        master = packaged(name)
        _add(folder / "notebooks" / f"{name}.ipynb", master.read_bytes(), done)
        _add(folder / "notebooks" / f"{name}.py", jupytext.writes(nbformat.read(str(master), as_version=4),
                                                                    fmt="py:percent"), done)
    for source, target in (("jupytext.toml", "jupytext.toml"), ("gitignore", ".gitignore")):
        _add(folder / target, (PROJECT_DATA / source).read_bytes(), done)
    readme = (PROJECT_DATA / "README.md").read_text(encoding="utf-8")
    _add(folder / "README.md", readme.replace("{city}", city).replace("{year}", str(year))
         .replace("{next}", str(year + 1)), done)
    return done


def _zero_rows() -> dict:
    six = [0] * len(load_spec().app_figure_columns)
    apps: dict = {}
    for path in load_spec().app_leaf_rows():
        if len(path) == 1:
            apps[path[0]] = list(six)
        else:
            apps.setdefault(path[0], {})[path[1]] = list(six)
    return apps


def draft(year: int, previous: Optional[BureauYear]) -> dict:
    """Next year's params document: carried figures from ``previous``, other figures 0, TODO drafts.

    二、上年结转 = last year's 四、结转下年度 column by column (R9); 现行有效 carried (R10 with
    nothing issued or repealed yet).
    """
    apps = _zero_rows()
    docs = {key: {"issued": 0, "repealed": 0, "in_force": 0} for key in ("regulations", "normative_documents")}
    categories: dict = {}
    if previous is not None:
        forward = previous.app_cells()[("carried_forward",)]
        apps["carried_over"] = [forward[c.key] for c in load_spec().app_figure_columns]
        for key in docs:
            docs[key]["in_force"] = getattr(previous.proactive, key).in_force
        categories = {name: 0 for name in previous.disclosed.categories}
    apps.pop("total", None)  # derived: computed from the rows
    return {
        "published": dt.date(year + 1, 1, 31),  # the legal deadline (条例第五十条): set the real date
        "disclosed": {"total": 0, "categories": categories},
        "proactive": {**docs, "licensing": 0, "penalty": 0, "enforcement": 0, "fees": 0},
        "applications": apps,
        "review_litigation": {g.key: [0, 0, 0, 0] for g in load_spec().review_groups},
        "processing_fees": {"notices": 0, "amount": 0, "collected": 0},
        "narrative": {k: ([f"{TODO_MARKER}：{p}" for p in v] if isinstance(v, list) else f"{TODO_MARKER}：{v}")
                      for k, v in DRAFTS.items()},
    }


def new_year(params_dir: Union[str, Path], year: int, bureau: Optional[str] = None) -> Written:
    """Start ``params/<year>/<id>.yaml`` for every bureau of the registry (or ``bureau``).

    Existing files are kept untouched; a bureau whose last-year file is invalid is reported
    and skipped (its carry-over cannot be trusted).
    """
    params_dir, year = Path(params_dir), int(year)
    registry = params.load_registry(params_dir)
    if bureau is not None:
        params.check_bureau_id(bureau)
        if bureau not in registry:
            raise InvalidInput(Finding(params.display_path(params.registry_path(params_dir)), bureau, "registry",
                                       f"名录中没有机关 {bureau}", "、".join(sorted(registry)), bureau))
    done = Written()
    for b in [bureau] if bureau else sorted(registry):
        target = params.year_path(params_dir, year, b)
        if target.exists():
            done.kept.append(target)
            continue
        last = params.year_path(params_dir, year - 1, b)
        previous = None
        if last.is_file():
            try:
                previous = params.load_year(last)
            except InvalidInput as exc:
                done.notes.append(f"{b}：上年文件有错误，未生成（先修正 {params.display_path(last)}）："
                                  f"{exc.findings[0] if exc.findings else exc}")
                continue
        else:
            done.notes.append(f"{b}：没有 {year - 1} 年数据，上年结转和现行有效件数按 0 填写")
        document = draft(year, previous)
        model.BureauYear.model_validate(document)  # the draft itself must be well-formed
        name = registry[b].name
        _add(target, dump(document, f"{name} {year} 年政府信息公开工作年度报告 · 数据（由 reportkit new 生成的草稿）\n"
                                    f"带 {TODO_MARKER} 的段落须改写；二、上年结转和现行有效件数已从 {year - 1} 年带入，"
                                    "其余数字为 0，须填写。"), done)
    return done


def relative(path: Path, base: Union[str, Path] = ".") -> str:
    """A path as the user typed its folder (relative when below ``base``)."""
    try:
        return os.path.relpath(path, base) if Path(path).resolve().is_relative_to(Path(base).resolve()) else str(path)
    except ValueError:
        return str(path)
