"""Write what an import read: a params file and the issuer's registry entry, nothing lost.

Both files are emitted by the YAML library (ruamel.yaml, which also keeps the comments of an
existing ``bureaus.yaml``), and every text written is parsed back and compared with the data
before it replaces anything (temp file + rename). So a file name, a label or a cell text can
never add a key; a target registry that cannot be updated safely is refused with a located
error; an existing params file is replaced only with ``force=True``, and then the caller is
told every figure that changed.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Optional, Union

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from .. import atomic
from ..errors import ImportFailed

REGISTRY = "bureaus.yaml"
ID = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")          # matched with fullmatch: no trailing "\n"
_BREAKS = re.compile(r"[\r\n\x0b\x0c\x85\u2028\u2029]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
REGISTRY_HEAD = "机关名录：ASCII id → 机关信息。每个 id 对应 <年份>/<id>.yaml。"
ADDED_NOTE = "由 reportkit import 加入；government、level 由名称推断，请核对。"


@dataclass
class WriteOutcome:
    """A params file written: where, whether it is new, and what changed in an old one."""

    path: Path
    created: bool
    changes: list[str] = field(default_factory=list)


def bureau_id_for(name: str) -> str:
    """An ASCII id for an issuer named in Chinese: ``bureau-`` + 8 hex digits of its name."""
    return "bureau-" + hashlib.sha1(name.encode("utf-8")).hexdigest()[:8]


def one_line(text: Any) -> str:
    """Text for a comment: any line break becomes a space, so it cannot start a new line."""
    return _BREAKS.sub(" ", str(text))


# --- YAML text through the library ----------------------------------------------------------------
def _yaml() -> YAML:
    y = YAML(typ="rt")
    y.allow_unicode = True
    y.width = 4096
    y.indent(mapping=2, sequence=4, offset=2)
    y.representer.add_representer(Decimal, _represent_decimal)
    return y


def _represent_decimal(representer, value: Decimal):
    """Money as a plain number when a float holds it exactly, else as a quoted string."""
    if value == value.to_integral_value():
        return representer.represent_int(int(value))
    text = format(value.normalize(), "f")
    if Decimal(repr(float(text))) == Decimal(text):
        return representer.represent_float(float(text))
    return representer.represent_str(text)


def _node(value: Any, flow_leaves: bool = True):
    """Plain data → ruamel nodes; lists of figures and small figure maps in flow style."""
    if isinstance(value, dict):
        out = CommentedMap()
        for k, v in value.items():
            out[k] = _node(v, flow_leaves)
        if flow_leaves and value and all(not isinstance(v, (dict, list)) for v in value.values()) \
                and all(isinstance(v, (int, Decimal)) or v is None for v in value.values()):
            out.fa.set_flow_style()
        return out
    if isinstance(value, (list, tuple)):
        seq = CommentedSeq(_node(v, flow_leaves) for v in value)
        if flow_leaves and all(not isinstance(v, (dict, list, str)) for v in value):
            seq.fa.set_flow_style()
        return seq
    return value


def _plain(value: Any) -> Any:
    """What a YAML reader sees of ``value``: for the round-trip check."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, Decimal):
        return Decimal(str(value))
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, bool) or value is None or isinstance(value, (int, dt.date, str)):
        return value
    return str(value)


def _dump(doc) -> str:
    stream = io.StringIO()
    _yaml().dump(doc, stream)
    return stream.getvalue()


def _checked(text: str, expected: Any, where: str) -> str:
    """``text`` if it reads back as ``expected``; the guard against any injected key."""
    back = yaml.safe_load(text)
    if _plain(back) != _plain(expected):
        raise ImportFailed("生成的 YAML 读回后与数据不一致，未写入", file=where)
    return text


def params_text(data: dict, *, header: list[str] = (), comments: Optional[dict] = None) -> str:
    """The params file for ``data``: a header, a comment above each section (``comments``
    maps a top-level key to its comment) and at the end of lines (``comments`` maps a dotted
    path such as ``applications.new`` to a note)."""
    doc = _node(data)
    comments = comments or {}
    if header:
        doc.yaml_set_start_comment("\n".join(one_line(h) for h in header))
    for path, note in comments.items():
        parent, _, leaf = path.rpartition(".")
        target = doc
        for part in parent.split(".") if parent else []:
            target = target.get(part) if isinstance(target, CommentedMap) else None
        if not isinstance(target, CommentedMap) or leaf not in target:
            continue
        if not parent and isinstance(target[leaf], CommentedMap):
            target.yaml_set_comment_before_after_key(leaf, before="\n" + one_line(note))
        else:
            target.yaml_add_eol_comment(one_line(note), leaf)
    return _checked(_dump(doc), data, "params")


# --- params files ----------------------------------------------------------------------------
def _flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for k, v in value.items():
            out.update(_flatten(v, f"{prefix}.{k}" if prefix else str(k)))
        return out
    if isinstance(value, list) and all(not isinstance(v, (dict, list)) for v in value):
        return {prefix: value}
    if isinstance(value, list):
        out = {}
        for i, v in enumerate(value):
            out.update(_flatten(v, f"{prefix}[{i}]"))
        return out
    return {prefix: value}


def _show(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, list):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    return str(value)


def changes_between(old: Any, new: Any) -> list[str]:
    """Every field that differs, as ``path：old → new`` (a field only in one side shows (无))."""
    a, b = _flatten(_plain(old) if old is not None else {}), _flatten(_plain(new))
    out = []
    for key in list(dict.fromkeys([*a, *b])):
        if key not in a:
            out.append(f"{key}：（无） → {_show(b[key])}")
        elif key not in b:
            out.append(f"{key}：{_show(a[key])} → （无）")
        elif a[key] != b[key]:
            out.append(f"{key}：{_show(a[key])} → {_show(b[key])}")
    return out


def params_path(params_dir: Union[str, Path], year: int, bureau_id: str) -> Path:
    """``DIR/<year>/<id>.yaml``; refuses an id or year that could name another path."""
    if not isinstance(bureau_id, str) or not ID.fullmatch(bureau_id):
        raise ImportFailed("机关 id 只能由小写 ASCII 字母、数字和“-”组成", field="--bureau",
                           expected="如 shengzhou-wglj", found=repr(bureau_id))
    if isinstance(year, bool) or not isinstance(year, int) or not 1900 <= year <= 2999:
        raise ImportFailed("年份不在 1900–2999 之间", field="--year", found=repr(year))
    return Path(params_dir) / str(year) / f"{bureau_id}.yaml"


def write_params(params_dir: Union[str, Path], year: int, bureau_id: str, data: dict, *, force: bool = False,
                 header: list[str] = (), comments: Optional[dict] = None) -> WriteOutcome:
    """Write ``DIR/<year>/<id>.yaml``. An existing file is kept unless ``force``; with ``force``
    the outcome lists what changed."""
    path = params_path(params_dir, year, bureau_id)
    text = params_text(data, header=header, comments=comments)
    if path.is_symlink() or (path.exists() and not path.is_file()):
        raise ImportFailed("数据文件位置已被非普通文件占用，未写入", file=str(path))
    changes: list[str] = []
    created = not path.exists()
    if not created:
        if not force:
            raise ImportFailed("数据文件已存在，未覆盖；核对后确需覆盖请加 --force", file=str(path))
        try:
            old = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (yaml.YAMLError, UnicodeDecodeError, ValueError):
            old = None
            changes.append("原文件不是可读的 YAML，整体替换")
        changes += changes_between(old if isinstance(old, dict) else {}, data)
    atomic.write_text(path, text)
    return WriteOutcome(path, created, changes)


# --- the registry ---------------------------------------------------------------------------
def _line_of(exc: MarkedYAMLError) -> Optional[int]:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    return mark.line + 1 if mark is not None else None


def _registry_error(path: Path, message: str, line: Optional[int] = None, **kw) -> ImportFailed:
    where = f"{path}:{line}" if line else str(path)
    return ImportFailed(message, file=where, **kw)


def read_registry(path: Union[str, Path]) -> tuple[CommentedMap, Optional[str]]:
    """The registry as an editable mapping (comments kept) and its text; a located error when it
    is not a mapping of safe ids to mappings."""
    path = Path(path)
    if not path.exists():
        return CommentedMap(), None
    if not path.is_file():
        raise _registry_error(path, "机关名录不是普通文件")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise _registry_error(path, f"机关名录不是 UTF-8 文本（第 {exc.start} 字节）") from None
    try:
        doc = YAML(typ="rt").load(text)
        yaml.safe_load(text)                       # the reader params.py uses must accept it too
    except MarkedYAMLError as exc:
        raise _registry_error(path, f"机关名录不是合法的 YAML：{one_line(exc.problem or exc)}",
                              _line_of(exc)) from None
    except (YAMLError, yaml.YAMLError) as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", None)
        raise _registry_error(path, f"机关名录不是合法的 YAML：{one_line(exc)}",
                              line + 1 if line is not None else None) from None
    if doc is None:
        doc = CommentedMap()
    if not isinstance(doc, CommentedMap):
        kind = "列表" if isinstance(doc, list) else type(doc).__name__
        raise _registry_error(path, "机关名录顶层不是映射，无法安全加入机关，未改动", expected="id: 机关信息 的映射",
                              found=kind)
    for key, value in doc.items():
        line = doc.lc.key(key)[0] + 1 if key in doc.lc.data else None
        if not isinstance(key, str) or _CONTROL.search(key):
            raise _registry_error(path, "机关名录中有含换行或控制字符的 id", line, found=repr(key))
        if not isinstance(value, dict):
            raise _registry_error(path, f"机关名录中 {key} 的内容不是映射", line, expected="name: …",
                                  found=type(value).__name__)
    return doc, text


def load_registry_loose(path: Union[str, Path]) -> dict:
    """The registry as plain data (to reuse ids and avoid clashes); {} when there is none."""
    doc, _ = read_registry(path)
    return _plain(doc)


def register_bureau(params_dir: Union[str, Path], name: str, entry: dict, bureau_id: Optional[str] = None) -> str:
    """The issuer's id in ``DIR/bureaus.yaml``, adding ``entry`` when it is not there yet.

    An issuer already registered (matched by name) keeps its id; a given ``bureau_id`` that
    already names another issuer is refused.
    """
    path = Path(params_dir) / REGISTRY
    doc, old_text = read_registry(path)
    if bureau_id is None:
        known = next((k for k, v in doc.items() if v.get("name") == name), None)
        if known is not None:
            return known
        bureau_id = bureau_id_for(name)
    params_path(params_dir, 2000, bureau_id)               # the id must be a safe file name
    if bureau_id in doc:
        if doc[bureau_id].get("name") not in (None, name):
            raise ImportFailed(f"id {bureau_id} 在机关名录中已属于{doc[bureau_id].get('name')}", file=str(path),
                               field="--bureau", expected=name, found=str(doc[bureau_id].get("name")))
        return bureau_id
    before = _plain(doc)
    if not doc and not old_text:
        doc.yaml_set_start_comment(REGISTRY_HEAD)
    doc[bureau_id] = _node(dict(entry, name=name), flow_leaves=False)
    doc.yaml_set_comment_before_after_key(bureau_id, before="\n" + one_line(ADDED_NOTE))
    text = _checked(_dump(doc), {**before, bureau_id: dict(entry, name=name)}, str(path))
    atomic.write_text(path, text)
    return bureau_id


# --- an import's files ------------------------------------------------------------------------
_SECTION_NOTES = {
    "disclosed": "一、总体情况 中的主动公开条数",
    "proactive": "二、主动公开政府信息情况",
    "applications": "三、收到和处理政府信息公开申请情况：自然人, 商业企业, 科研机构, 社会公益组织, 法律服务机构, 其他, 总计",
    "review_litigation": "四、行政复议、行政诉讼：结果维持, 结果纠正, 其他结果, 尚未审结, 总计",
    "processing_fees": "六、信息处理费（元）",
}


def _unread_notes(imp) -> dict[str, str]:
    """An end-of-line note per params field with figures that were not read."""
    rep = imp.report
    unread = [c for c in [*rep.cells.values(), *rep.extra.values()] if c.status == "unread"]
    by_field: dict[str, list] = {}
    for c in unread:
        parts = c.key.split(".")
        path = ".".join(parts[:-1]) if parts[0] in ("applications", "review_litigation", "proactive") else c.key
        by_field.setdefault(path, []).append(c)
    notes = {}
    for path, cells in by_field.items():
        if len(cells) > 1 and all(c.reason == cells[0].reason for c in cells):
            notes[path] = f"未读出（{cells[0].reason}）"
        else:
            notes[path] = "未读出：" + "；".join(f"{c.column}：{c.reason}" for c in cells)
    return notes


def _header(imp) -> list[str]:
    return [f"{imp.issuer} {imp.year} 年政府信息公开工作年度报告 · 数据",
            f"由 reportkit import 从 {Path(imp.source).name} 读入（{imp.report.format} 年格式）。"
            "null 为报告中未能读出的数字，须核对原文后填写；",
            "空白、“—”、“/” 按 0 读入，见导入报告。"]


def to_yaml(imp) -> str:
    """The params file text for an import, laid out like ``params/2022/shengzhou-wglj.yaml``."""
    return params_text(imp.params, header=_header(imp), comments={**_SECTION_NOTES, **_unread_notes(imp)})


@dataclass
class Written(WriteOutcome):
    """An import written: the params file, the id it is filed under, whether the registry grew."""

    bureau_id: str = ""
    registered: bool = False

    def __iter__(self):
        """``target, added = write(...)``, as before this was a class."""
        return iter((self.path, self.registered))


def write(imp, out_dir: Union[str, Path], *, force: bool = False) -> Written:
    """Write ``DIR/<year>/<id>.yaml`` and add the issuer to ``DIR/bureaus.yaml`` when new.

    An issuer the registry already names keeps its id (unless ``--bureau`` gave one)."""
    out_dir = Path(out_dir)
    known = load_registry_loose(out_dir / REGISTRY)
    bureau_id = register_bureau(out_dir, imp.issuer, imp.bureau,
                                bureau_id=imp.bureau_id if getattr(imp, "bureau_given", False) else None)
    imp.bureau_id = bureau_id
    outcome = write_params(out_dir, imp.year, bureau_id, imp.params, force=force, header=_header(imp),
                           comments={**_SECTION_NOTES, **_unread_notes(imp)})
    return Written(outcome.path, outcome.created, outcome.changes, bureau_id, bureau_id not in known)
