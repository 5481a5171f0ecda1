"""Reading params files: the only module that touches ``params/`` and YAML.

Every problem becomes a located :class:`~reportkit.errors.Finding` (file, field path, line,
rule, expected vs found). The YAML loader is deliberately strict: no duplicate keys, no
aliases (a "billion laughs" file cannot blow up), no files over 1 MiB, UTF-8 only.
"""
from __future__ import annotations

import dataclasses
import json
import os
import re
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable

import yaml
from pydantic import ValidationError

from . import charcheck, strictyaml
from .safefile import read_regular
from .errors import Finding, InvalidInput
from .layout import (FIRST_YEAR, LAST_YEAR, REGISTRY, SCHEMA_RULE, bureaus_with_data, check_bureau_id,  # noqa: F401
                     check_known, check_year, display_path, find_params_dir, odd_year_folders,
                     registry_path, year_path, years)
from .model import Bureau
from . import model

if TYPE_CHECKING:
    from .model import BureauYear

MAX_BYTES = 1 << 20
YAML_RULE = "yaml"


# What a YAML file may hold literally (PyYAML's reader); a "\0" or "\e" escape must not
# smuggle anything else (NUL, control characters, lone surrogates) into a report.
_UNPRINTABLE = re.compile("[^\x09\x0A\x0D\x20-\x7E\x85\xA0-\uD7FF\uE000-\uFFFD\U00010000-\U0010FFFF]")


def _unprintable(data, path=()):
    """The field path and character of the first string (key or value) that holds one."""
    if isinstance(data, str):
        m = _UNPRINTABLE.search(data)
        return (path, m.group()) if m else None
    items = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else ()
    for key, value in items:
        found = _unprintable(key, path + (key,)) or _unprintable(value, path + (key,))
        if found:
            return found
    return None


def _lines(node, path=()) -> dict[tuple, int]:
    """Map every field path of a composed YAML document to its 1-based line."""
    out = {path: node.start_mark.line + 1}
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            out.update(_lines(value_node, path + (key_node.value,)))
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            out.update(_lines(item, path + (i,)))
    return out


class Document:
    """A parsed YAML file: its data and where each field stands."""

    def __init__(self, path: Path, data: Any, lines: dict[tuple, int]):
        self.path, self.data, self.lines = path, data, lines

    def line(self, loc: tuple) -> int | None:
        loc = tuple(loc)
        while loc:
            if loc in self.lines:
                return self.lines[loc]
            loc = loc[:-1]
        return self.lines.get((), None)


def portable(finding: Finding, params_dir: Path) -> Finding:
    """The finding with its file named from the params folder (``params/2022/x.yaml``).

    For pages that are published (index, roll-up): the same inputs give the same bytes
    whatever the working directory, and no absolute path of the build machine leaks.
    """
    root = Path(params_dir).resolve()
    try:
        rel = Path(finding.file).resolve().relative_to(root)
    except (ValueError, OSError):
        return finding
    return dataclasses.replace(finding, file=str(Path(root.name) / rel))


def read_yaml(path: Path) -> Document:
    """Parse one YAML file strictly; raise :class:`InvalidInput` with a located finding.

    A file whose bytes were parsed before (by this process) is not parsed again.
    """
    path = Path(path)
    raw = read_regular(path, MAX_BYTES, _failer(display_path(path)))
    return _document(path, display_path(path), raw)


def _failer(name: str):
    def fail(message, line=None, expected=None, found=None):
        raise InvalidInput(Finding(name, "", YAML_RULE, message, expected, found, line))
    return fail


# Keyed by the file's bytes: one parse per content, however many readers (the check, the roll-up,
# a warm kernel's next report, the preview's next save). Only successes are kept; callers never
# change a Document or a model (the models are frozen).
@lru_cache(maxsize=512)
def _document(path: Path, name: str, raw: bytes) -> Document:
    fail = _failer(name)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        fail(f"不是 UTF-8 编码的文字（偏移 {exc.start} 处的字节 0x{raw[exc.start]:02x}）",
             line, "UTF-8", "其他编码")
    if "\x00" in text:
        fail("文件含有 NUL 字节", text[: text.index("\x00")].count("\n") + 1)
    if not text.strip():
        fail("文件为空", expected="YAML 映射（键: 值）", found="空")
    try:
        node, data = strictyaml.compose(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = " ".join(str(p) for p in (exc.context, exc.problem) if p)
        fail(f"YAML 语法错误：{problem}", mark.line + 1 if mark else None)
    except yaml.YAMLError as exc:
        fail(f"YAML 语法错误：{exc}")
    except RecursionError:
        fail("YAML 嵌套过深")
    if not isinstance(data, dict):
        fail("文件顶层应为映射（键: 值）", expected="映射", found=type(data).__name__)
    lines = _lines(node)
    bad = _unprintable(data)
    if bad:
        loc, char = bad
        line = Document(path, data, lines).line(loc)
        shown = tuple(_UNPRINTABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", p) if isinstance(p, str) else p
                      for p in loc)  # a key may hold the character itself: never print it
        raise InvalidInput(Finding(name, _field(shown), YAML_RULE, "文字中含有 NUL 或其他不可打印的控制字符",
                                   "可打印的文字", f"U+{ord(char):04X}", line))
    hidden = charcheck.first_problem(data)
    if hidden:
        loc, char, kind = hidden
        shown = tuple(p.replace(char, f"\\u{ord(char):04x}") if isinstance(p, str) else p for p in loc)
        message = ("文字中含有不可见字符或文字方向控制字符：浏览器中它们能改变文字和数字的显示顺序"
                   "（如把 142 显示成 241），请删除" if kind == "invisible" else
                   "数字中含有形似数字的非 ASCII 字符（全角、上标或其他文字的数字），请改用 0–9")
        raise InvalidInput(Finding(name, _field(shown), YAML_RULE, message,
                                   "无此类字符" if kind == "invisible" else "0–9",
                                   charcheck.char_name(char), Document(path, data, lines).line(loc)))
    return Document(path, data, lines)


_PLAIN_KEY = re.compile(r"^[^\s.\[\]\"'\x00-\x1f\x7f]+$")


def _field(loc) -> str:
    """A dotted field path; keys that are empty or hold spaces, dots or line breaks are quoted."""
    return ".".join(str(p) if not isinstance(p, str) or _PLAIN_KEY.match(p)
                    else json.dumps(p, ensure_ascii=False) for p in loc)


_PYDANTIC_MESSAGES = {
    "extra_forbidden": "未知字段",
    "missing": "缺少必填字段",
    "greater_than_equal": "不能为负数",
    "int_type": "应为整数",
    "int_from_float": "应为整数",
    "int_parsing": "应为整数",
    "less_than_equal": "数值过大",
    "too_short": "数字个数不对",
    "too_long": "数字个数不对",
    "date_from_datetime_parsing": "不是有效日期（应写作 2023-01-11）",
    "date_parsing": "不是有效日期（应写作 2023-01-11）",
    "date_type": "不是有效日期（应写作 2023-01-11）",
    "string_type": "应为文字",
    "list_type": "应为列表",
    "dict_type": "应为映射（键: 值）",
    "model_type": "应为映射（键: 值）",
    "decimal_parsing": "应为金额数字",
    "decimal_type": "应为金额数字",
    "decimal_max_digits": "金额位数过多",
    "decimal_max_places": "金额小数位过多",
    "string_too_long": "文字过长",
    "string_too_short": "文字过短",
    "string_pattern_mismatch": "格式不符",
    "bool_type": "应为是/否",
}


def _data_loc(data, loc: tuple) -> tuple:
    """pydantic puts union branches and validators into loc (``list[constrained-str]``,
    ``function-after[…]``): drop them, but never a key the file really has (``"[2022]文件"``)."""
    out, node = [], data
    for p in loc:
        if isinstance(node, dict) and p in node:
            node = node[p]
        elif isinstance(node, list) and isinstance(p, int) and 0 <= p < len(node):
            node = node[p]
        elif isinstance(p, str) and ("[" in p or p.startswith(("function", "constrained-"))):
            continue
        else:
            node = None
        out.append(p)
    return tuple(out)


def schema_findings(doc: Document, exc: ValidationError) -> list[Finding]:
    """Turn pydantic's errors into located findings, one per error."""
    name = display_path(doc.path)
    findings = []
    for err in exc.errors(include_url=False):
        loc = _data_loc(doc.data, tuple(err["loc"]))
        found = err.get("input")
        expected = None
        if err["type"] in ("greater_than_equal", "less_than_equal"):
            expected = ("≥ " if err["type"] == "greater_than_equal" else "≤ ") + str(
                err.get("ctx", {}).get("ge", err.get("ctx", {}).get("le")))
        elif err["type"] in ("int_type", "int_from_float"):
            expected = "整数"
        elif err["type"] == "missing":
            expected, found = "一个值", "空"
        elif err["type"].startswith("date_"):
            expected = "日期，如 2023-01-11"
        elif err["type"] in ("too_short", "too_long"):
            expected = "6 或 7 个数字" if "applications" in loc else "4 或 5 个数字"
        message = _PYDANTIC_MESSAGES.get(err["type"], err["msg"])
        if found is None and err["type"] != "missing":  # `null` or an empty value: an import left it unread
            message, expected = "缺少数字（此处为空或 null，请填写）", expected or "一个数字"
        shown = None if found is None else repr(found) if not isinstance(found, (dict, list)) else \
            f"{type(found).__name__} of {len(found)}"
        if shown is not None and len(shown) > 80:  # a 20000-character text or a 5000-digit number
            shown = f"{shown[:60]}…（共 {len(shown)} 个字符）"
        findings.append(Finding(name, _field(loc), SCHEMA_RULE, message, expected,
                                "空" if err["type"] == "missing" or found is None else shown, doc.line(loc)))
    return findings


def load_registry(params_dir: Path) -> dict[str, Bureau]:
    """Read ``bureaus.yaml``: id → :class:`Bureau`. All errors of the file at once."""
    path = registry_path(params_dir)
    if not os.path.lexists(path):  # say where we looked and how to point elsewhere
        raise InvalidInput(Finding(
            display_path(path), "", "missing",
            f"找不到文件（机关登记表）：查找的位置是 {path.absolute()}"
            + (f"（相对路径按当前目录 {Path.cwd()} 解析）" if not path.is_absolute() else "")
            + "。请用 reportkit --params <文件夹> 指定 params 文件夹；在 notebook 中把参数 params 设为它"
              "（papermill … -p params /完整路径/params）", "params 文件夹中的 bureaus.yaml", "无"))
    return dict(_bureaus(read_yaml(path)))  # a copy: the cached mapping stays as read


@lru_cache(maxsize=16)
def _bureaus(doc: Document) -> dict[str, Bureau]:
    bureaus, findings = {}, []
    for key, entry in doc.data.items():
        if not isinstance(entry, dict):
            findings.append(Finding(display_path(doc.path), str(key), SCHEMA_RULE,
                                    "每个机关的信息应为映射（键: 值）", "映射",
                                    type(entry).__name__, doc.line((key,))))
            continue
        try:
            if "id" in entry:  # the key above the entry is its id; a second one would contradict it
                findings.append(Finding(display_path(doc.path), f"{key}.id", SCHEMA_RULE, "未知字段",
                                        None, repr(entry["id"]), doc.line((key, "id"))))
                continue
            bureaus[str(key)] = Bureau.model_validate({**entry, "id": str(key)})
        except ValidationError as exc:
            for f in schema_findings(doc, exc):
                field = f.field if f.field != "id" else ""
                findings.append(Finding(f.file, _field((key,)) + ("." + field if field else ""),
                                        f.rule, f.message, f.expected, f.found,
                                        doc.line((key,) + tuple(field.split(".")))))
    if findings:
        raise InvalidInput(findings)
    return bureaus


def read_year(path: Path) -> tuple[BureauYear, Document]:
    """Read one bureau-year file into the model and keep its line map; schema errors all at once."""
    doc = read_yaml(Path(path))
    return _year(doc, model.BureauYear)


@lru_cache(maxsize=512)
def _year(doc: Document, schema) -> tuple[BureauYear, Document]:
    try:
        return schema.model_validate(doc.data), doc
    except ValidationError as exc:
        raise InvalidInput(schema_findings(doc, exc)) from None


def load_year(path: Path) -> BureauYear:
    """Read one bureau-year file into the model."""
    return read_year(path)[0]


def locate(doc: Document, field: str) -> int | None:
    """The line of a field path such as ``applications.new[6]``."""
    loc: list = []
    for part in field.replace("]", "").replace("[", ".").split("."):
        loc.append(int(part) if part.isdigit() else part)
    return doc.line(tuple(loc))


def government_of(registry: dict[str, Bureau]) -> str:
    """The government the registry's bureaus belong to (one city per params folder)."""
    return next(iter(registry.values())).government if registry else ""


def nothing_to_check(params_dir: Path, wanted_years: Iterable[int] = (),
                     bureaus: Iterable[str] = ()) -> InvalidInput:
    """Why a selection found no file: an unknown id (with the ids that exist), a year without data."""
    check_known(params_dir, bureaus, load_registry(params_dir))  # raises for an unknown id
    where = "、".join(str(y) for y in wanted_years) + " 年" if wanted_years else "任何年份"
    who = f"机关 {'、'.join(bureaus)} 在" if bureaus else ""
    present = "、".join(map(str, years(params_dir))) or "无"
    return InvalidInput(Finding(display_path(params_dir), "", "missing",
                                f"{who}{where}没有数据文件；现有年份：{present}",
                                "<params>/<年份>/<机关id>.yaml", "无"))
