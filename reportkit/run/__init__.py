"""Running reports away from the output folder: a task goes to a worker, finished bytes come back.

Workers (kernel threads, process pool, Dask) never write into the output folder; the parent that
holds the build lock writes every result (:mod:`reportkit.batch`). An orphaned worker therefore
cannot overwrite a newer build's files.

Names are loaded on first use: :mod:`reportkit.run.zygote` is started before anything heavy is
imported.
"""
from importlib import import_module

_NAMES = {"die_with_parent": "lifetime", "Task": "task", "TaskResult": "task", "make_engine": "task",
          "prepare_worker": "task", "run_task": "task"}
__all__ = sorted(_NAMES)


def __getattr__(name: str):
    if name in _NAMES:
        return getattr(import_module(f".{_NAMES[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
