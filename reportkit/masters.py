"""The master notebooks: where they are, what in them shapes a report, the wording they hold.

The package ships both masters (``reportkit/notebooks/``) as data. A city project keeps its
own copy in ``<project>/notebooks/`` (``reportkit init`` writes it); a build uses the
project's copy when there is one, else the packaged one. Nothing resolves a path against a
source checkout.
"""
from __future__ import annotations

import ast
import hashlib
import json
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Union

from .errors import ReportkitError

NAMES = ("report", "summary")
WORDING_TAG = "wording"


def packaged(name: str = "report") -> Path:
    """The master notebook shipped with the package (``report`` or ``summary``)."""
    if name not in NAMES:
        raise ValueError(name)
    return Path(str(resources.files("reportkit") / "notebooks" / f"{name}.ipynb"))


def project_notebook(params_dir: Union[str, Path], name: str = "report") -> Path:
    """The project's own master (``<params>/../notebooks/<name>.ipynb``) if present, else the packaged one."""
    own = Path(params_dir).resolve().parent / "notebooks" / f"{name}.ipynb"
    return own if own.is_file() else packaged(name)


def _cells(path: Path) -> list[tuple[str, str, list[str]]]:
    """(type, source, tags) of each cell, read as JSON: no nbformat (and jsonschema) import in kernels."""
    try:
        cells = json.loads(Path(path).read_text(encoding="utf-8"))["cells"]
        return [(c["cell_type"], "".join(c["source"]) if isinstance(c["source"], list) else c["source"],
                 list(c.get("metadata", {}).get("tags", []))) for c in cells]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ReportkitError(f"无法读取笔记本：{exc}", file=str(path)) from None


def digest(path: Union[str, Path]) -> str:
    """Hash of what shapes a report: each cell's type, source and tags, in order.

    Outputs, execution counts, kernel info and UI metadata (what JupyterLab adds when the
    notebook is opened, run and saved) are left out, so opening it triggers no rebuild.
    """
    try:
        stat = Path(path).stat()
    except OSError as exc:
        raise ReportkitError(f"无法读取笔记本：{exc.strerror}", file=str(path)) from None
    return _digest(str(Path(path).resolve()), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=8)
def _digest(path: str, mtime_ns: int, size: int) -> str:
    shape = [[kind, source, sorted(tags)] for kind, source, tags in _cells(Path(path))]
    return hashlib.sha256(json.dumps(shape, ensure_ascii=False).encode()).hexdigest()


def _literal(node: ast.AST, path: Path, cell: int):
    try:
        return ast.literal_eval(node)
    except ValueError:
        raise ReportkitError("文字单元格只能写字符串和字典（不能有变量或计算）",
                             file=str(path), field=f"第 {cell} 个单元格") from None


def read_wording(path: Path) -> dict[str, dict[str, str]]:
    """The ``x.words("一", {...})`` calls of the cells tagged ``wording``, without a kernel."""
    out: dict[str, dict[str, str]] = {}
    for i, (kind, source, tags) in enumerate(_cells(path)):
        if kind != "code" or WORDING_TAG not in tags:
            continue
        try:
            tree = ast.parse(source)
        except SyntaxError as exc:
            raise ReportkitError(f"文字单元格有语法错误：{exc.msg}（第 {exc.lineno} 行）",
                                 file=str(path), field=f"第 {i} 个单元格") from None
        for stmt in tree.body:
            call = stmt.value if isinstance(stmt, ast.Expr) else None
            if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
                    and call.func.attr == "words" and len(call.args) == 2):
                continue
            section, words = _literal(call.args[0], path, i), _literal(call.args[1], path, i)
            out.setdefault(section, {}).update(words)
    return out

