"""The environment of batch kernels, set in the process that starts them (light: no Jupyter import).

Batch kernels run one thread each (OpenMP, OpenBLAS), draw with Agg, and keep debugpy from
validating files; :mod:`reportkit.run.zygote` reads it before any kernel module is imported.
"""
from __future__ import annotations

import logging
import os


def batch_environment() -> None:
    """Environment for kernels started by a batch: one thread each, no GUI backend."""
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    os.environ["MPLBACKEND"] = "Agg"
    os.environ["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"
    os.environ.setdefault("JUPYTER_PLATFORM_DIRS", "1")
    logging.getLogger("papermill").setLevel(logging.WARNING)
    logging.getLogger("traitlets").setLevel(logging.ERROR)

