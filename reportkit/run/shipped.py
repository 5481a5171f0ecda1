"""Tasks that carry their inputs: a worker on another machine needs no shared params folder.

The client reads what one report needs — its bureau's file of the year, the files of the
years before that the report charts or checks against, its registry entry and the master
notebook — and sends them as bytes with the task (:class:`Shipper`). The worker lays them
out in a private temporary folder, runs the ordinary :func:`~reportkit.run.task.run_task`
and hands back the result (:func:`run_shipped`). Nothing on the worker is written outside
its temporary folders, so running a task twice (a rescheduled task) is harmless.
"""
from __future__ import annotations

import dataclasses
import hashlib
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
import nbformat
import yaml

from .. import params
from .task import Task, TaskResult, run_task

NOTEBOOK_DIR = Path(tempfile.gettempdir()) / "reportkit-notebooks"


@dataclass(frozen=True)
class ShippedTask:
    """A :class:`Task` with its inputs as bytes (relative path → content) and the notebook."""

    task: Task
    files: dict[str, bytes]
    notebook: bytes


class Shipper:
    """Reads tasks' inputs on the client; the registry and notebook once per folder and path."""

    def __init__(self):
        self._registries: dict[str, dict] = {}
        self._notebooks: dict[str, bytes] = {}

    def ship(self, t: Task) -> ShippedTask:
        from ..report import TREND_YEARS

        root = Path(t.params_dir)
        if t.params_dir not in self._registries:
            self._registries[t.params_dir] = params.read_yaml(params.registry_path(root)).data
        if t.notebook not in self._notebooks:
            self._notebooks[t.notebook] = Path(t.notebook).read_bytes()
        entry = {t.bureau: self._registries[t.params_dir][t.bureau]}
        files = {params.REGISTRY: yaml.safe_dump(entry, allow_unicode=True, sort_keys=False).encode("utf-8")}
        for year in range(t.year - TREND_YEARS + 1, t.year + 1):
            path = params.year_path(root, year, t.bureau)
            if path.is_file():
                files[f"{year}/{t.bureau}.yaml"] = path.read_bytes()
        return ShippedTask(t, files, self._notebooks[t.notebook])


def notebook_file(content: bytes) -> Path:
    """The worker-local copy of a master notebook, named by its hash (one engine per notebook)."""
    digest = hashlib.sha256(content).hexdigest()[:20]
    path = NOTEBOOK_DIR / f"report-{digest}.ipynb"
    if not path.is_file() or path.read_bytes() != content:
        from ..atomic import write_bytes

        write_bytes(path, content)
    return path


def run_shipped(shipped: ShippedTask) -> TaskResult:
    """Lay the inputs out privately, run the report, and say where the data live on the client."""
    task = shipped.task
    work = Path(tempfile.mkdtemp(prefix=f"reportkit-params-{task.bureau}-"))
    try:
        for rel, content in shipped.files.items():
            if PurePosixPath(rel).is_absolute() or ".." in PurePosixPath(rel).parts:
                raise ValueError(f"refusing input path {rel!r}")  # the client only sends year/id.yaml
            target = work / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
        local = dataclasses.replace(task, params_dir=str(work.resolve()),
                                    notebook=str(notebook_file(shipped.notebook)))
        result = run_task(local)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if result.ipynb:
        result.ipynb = _point_to_client(result.ipynb, str(work.resolve()), task.params_dir)
    return result


def _point_to_client(ipynb: bytes, worker_dir: str, client_dir: str) -> bytes:
    """The kept notebook names the client's params folder, as a locally built one does."""
    from papermill.translators import PythonTranslator

    nb = nbformat.reads(ipynb.decode("utf-8"), as_version=4)
    old, new = PythonTranslator.translate_str(worker_dir), PythonTranslator.translate_str(client_dir)
    for cell in nb.cells:
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell.source = cell.source.replace(old, new)
    pm = nb.metadata.get("papermill", {})
    if pm.get("parameters", {}).get("params") == worker_dir:
        pm["parameters"]["params"] = client_dir
    return nbformat.writes(nb).encode("utf-8")
