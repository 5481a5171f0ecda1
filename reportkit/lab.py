"""JupyterLab as the analysts' desk: saving a master notebook keeps only what shapes the report.

A Jupyter server extension (enabled by ``etc/jupyter/jupyter_server_config.d/reportkit.json``,
installed with the package) registers :func:`pre_save`: when Lab saves a master notebook it
drops outputs, execution counts, kernel info and UI metadata, so opening, running and
saving leaves ``git status`` clean. Executed copies (papermill's, in ``output/``) are untouched.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from . import atomic
from .execute import KERNEL_NAME

KEEP_NOTEBOOK = ("kernelspec", "jupytext", "title")  # what the committed masters carry
KEEP_CELL = ("tags",)


def is_master(nb: dict) -> bool:
    """A master notebook: the reportkit kernel, not an executed copy (papermill's metadata)."""
    meta = nb.get("metadata", {})
    return meta.get("kernelspec", {}).get("name") == KERNEL_NAME and "papermill" not in meta


def strip(nb: dict) -> dict:
    """Remove what a run and the Lab UI add (in place); returns ``nb``."""
    nb["metadata"] = {k: v for k, v in nb.get("metadata", {}).items() if k in KEEP_NOTEBOOK}
    for cell in nb.get("cells", []):
        cell["metadata"] = {k: v for k, v in cell.get("metadata", {}).items() if k in KEEP_CELL}
        if cell.get("cell_type") == "code":
            cell["outputs"], cell["execution_count"] = [], None
    return nb


def pre_save(model: dict, path: str = "", **_: Any) -> None:
    """Jupyter contents-manager hook: strip a master notebook before it is written."""
    if model.get("type") == "notebook" and isinstance(model.get("content"), dict) and is_master(model["content"]):
        strip(model["content"])


def _jupyter_server_extension_points():
    return [{"module": "reportkit.lab"}]


def _load_jupyter_server_extension(serverapp) -> None:
    serverapp.contents_manager.register_pre_save_hook(pre_save)
    serverapp.log.info("reportkit: master notebooks are saved without outputs")


def enable(prefix: str | None = None) -> Path:
    """Enable the extension in the environment's Jupyter config (what the wheel's data file does).

    Editable installs (``pip install -e``) skip data files; ``make setup`` calls this instead.
    """
    target = Path(prefix or sys.prefix) / "etc" / "jupyter" / "jupyter_server_config.d" / "reportkit.json"
    config = {"ServerApp": {"jpserver_extensions": {"reportkit.lab": True}}}
    if not target.is_file() or json.loads(target.read_text(encoding="utf-8")) != config:
        atomic.write_text(target, json.dumps(config, indent=2) + "\n")
    return target
