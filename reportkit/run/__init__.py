"""Running reports away from the output folder: a task goes to a worker, finished bytes come back.

Workers (process pool, Dask) never write into the output folder; the parent that holds the
build lock writes every result (:mod:`reportkit.batch`). An orphaned worker therefore cannot
overwrite a newer build's files.
"""
from .lifetime import die_with_parent
from .task import Task, TaskResult, make_engine, prepare_worker, run_task

__all__ = ["Task", "TaskResult", "die_with_parent", "make_engine", "prepare_worker", "run_task"]
