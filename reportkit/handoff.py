"""A year's checked params, handed from a build to the kernels it starts: one check per file.

The build checks every file of the year (it must, to plan); the roll-up's kernel would check
the same files again (``CityYear.load`` → :func:`reportkit.validate.check_many`). The build
therefore writes what it checked into a private folder, named in ``REPORTKIT_CHECKED`` before
its workers (and so their kernels) start. A kernel takes the record only when every input of
the check — the registry and each file of the year and the year before — still has the bytes
it had when checked; after any edit it checks afresh. The folder goes with the build.

Models are handed on as the YAML data they were read from (pydantic's models made from the
format file cannot be pickled by name) and rebuilt on arrival, without reading or ruling again.
"""
from __future__ import annotations

import dataclasses
import hashlib
import os
import pickle
import shutil
import tempfile
from pathlib import Path
from typing import Optional

from . import model, params

ENV = "REPORTKIT_CHECKED"


def _digest(params_dir: Path, year: int) -> str:
    """Hash of everything a year's check reads (registry, this and last year's files)."""
    h = hashlib.sha256(str(Path(params_dir).resolve()).encode())
    h.update(_bytes(params.registry_path(params_dir)))
    for y in (year - 1, year):
        for bureau in params.bureaus_with_data(params_dir, y):
            h.update(f"\0{y}/{bureau}\0".encode())
            h.update(_bytes(params.year_path(params_dir, y, bureau)))
    return h.hexdigest()


def _shown(params_dir: Path, year: int) -> str:
    """How messages name the year's folder from here (relative to the working directory)."""
    return params.display_path(Path(params_dir) / str(int(year)))


def _bytes(path: Path) -> bytes:
    try:
        return Path(path).read_bytes() if Path(path).is_file() else b"-"
    except OSError:
        return b"?"


class Folder:
    """The build's side: where checked years are written; ``close()`` removes it all."""

    def __init__(self):
        self.path = Path(tempfile.mkdtemp(prefix="reportkit-checked-"))  # private (0700)
        self._old = os.environ.get(ENV)
        os.environ[ENV] = str(self.path)  # inherited by workers started from now on, and their kernels

    def publish(self, params_dir: Path, year: int, checked: list) -> None:
        """Write one year's complete check (every bureau of the year, none left out)."""
        records = [dataclasses.replace(c, data=_source(c.path) if c.data is not None else None,
                                       previous=_source(params.year_path(params_dir, year - 1, c.bureau))
                                       if c.previous is not None else None)
                   for c in checked]
        tmp = self.path / f".{year}.tmp"
        tmp.write_bytes(pickle.dumps((_digest(params_dir, year), _shown(params_dir, year), records),
                                     protocol=pickle.HIGHEST_PROTOCOL))
        tmp.replace(self.path / f"{year}.pickle")

    def close(self) -> None:
        if self._old is None:
            os.environ.pop(ENV, None)
        else:
            os.environ[ENV] = self._old
        shutil.rmtree(self.path, ignore_errors=True)


def _source(path: Path) -> dict:
    """The YAML data a model was made from (parsed once already: the parse cache answers)."""
    return params.read_year(path)[1].data


def take(params_dir: Path, year: int) -> Optional[list]:
    """The build's check of ``year`` when its inputs are unchanged; None otherwise (check afresh)."""
    folder = os.environ.get(ENV)
    if not folder:
        return None
    try:
        digest, shown, records = pickle.loads((Path(folder) / f"{int(year)}.pickle").read_bytes())
    except (OSError, pickle.UnpicklingError, EOFError, ValueError, TypeError):
        return None
    if shown != _shown(params_dir, year) or digest != _digest(params_dir, year):
        return None  # findings name files as the build showed them: only where they read the same
    schema = model.BureauYear
    return [dataclasses.replace(c, path=Path(params_dir) / str(int(year)) / f"{c.bureau}.yaml",
                                data=schema.model_validate(c.data) if c.data is not None else None,
                                previous=schema.model_validate(c.previous) if c.previous is not None else None)
            for c in records]
