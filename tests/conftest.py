"""Shared fixtures: the repo's sample params, a temporary params folder, the CLI runner."""
from __future__ import annotations

import fcntl
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

sys.path.insert(0, str(Path(__file__).parent))

from factories import applications, write_params, year_data  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
SAMPLE_PARAMS = REPO / "params"
SAMPLE = "shengzhou-wglj"  # the sample bureau
YEAR = 2022
OTHERS = 2  # sample bureaus built besides SAMPLE (≈1.5 s each)


_WORKER_LINES: list[tuple[str, str]] = []  # (title, line) from xdist workers, printed once here


def worker_summary(config, title: str, line: str) -> None:
    """In an xdist worker, hand a terminal-summary line to the controller (printed at the end)."""
    if hasattr(config, "workeroutput"):
        config.workeroutput.setdefault("reportkit_summary", []).append((title, line))


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    for item in getattr(node, "workeroutput", {}).get("reportkit_summary", []):
        if tuple(item) not in _WORKER_LINES:
            _WORKER_LINES.append(tuple(item))


def pytest_terminal_summary(terminalreporter):
    for title, line in _WORKER_LINES:
        if title:
            terminalreporter.write_sep("=", title, bold=True)
            terminalreporter.write_line(line)
        else:
            terminalreporter.write_sep("!", line, red=True, bold=True)


@pytest.fixture
def repo() -> Path:
    return REPO


@pytest.fixture
def sample_params(tmp_path) -> Path:
    """A private copy of the shipped sample params."""
    return Path(shutil.copytree(SAMPLE_PARAMS, tmp_path / "params"))


def write_small_city(folder: Path) -> Path:
    """Two valid bureaus for 2022 (one with a 2021 file for the cross-year rules)."""
    return write_params(folder, {
        2021: {"alpha": year_data(published="2022-01-12", applications=applications(
            forward=(0, 0, 0, 0, 0, 0), not_held=(1, 0, 0, 0, 1, 0)))},
        2022: {"alpha": year_data(), "beta": year_data()},
    })


@pytest.fixture
def small_params(tmp_path) -> Path:
    """Two valid bureaus for 2022 (one with a 2021 file for the cross-year rules)."""
    return write_small_city(tmp_path / "params")


def built_once(tmp_path_factory, name: str, build) -> Path:
    """``build(folder)`` once per run, also across pytest-xdist workers (they share the parent of
    their tmp folders; a lock file makes the others wait and then reuse the folder)."""
    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent
    folder = shared / name
    with open(shared / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (folder / ".built").exists():  # not built, or a failed attempt: (re)build from scratch
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            build(folder)
            (folder / ".built").touch()
    return folder


@pytest.fixture(scope="session")
def small_built(tmp_path_factory) -> Path:
    """The small city built once per session (``jobs=2``, reports, index, roll-up): a folder
    holding ``params/`` and ``out/``. Read only; a test that builds again takes ``small_built_copy``."""
    from reportkit import batch

    def build(root: Path) -> None:
        params = write_small_city(root / "params")
        result = batch.build(params, root / "out", 2022, jobs=2)
        assert result.exit_code == 0 and set(result.entries) == {"alpha", "beta"}, result.entries
        assert result.summary is not None and result.summary.status == "ok"

    return built_once(tmp_path_factory, "small-built", build)


@pytest.fixture
def small_built_copy(small_built, tmp_path) -> tuple[Path, Path]:
    """(params, out): a private copy of ``small_built`` — the build is content-hashed, so the
    copy's reports count as up to date, exactly as if this test had built them."""
    params = Path(shutil.copytree(small_built / "params", tmp_path / "params", symlinks=True))
    out = Path(shutil.copytree(small_built / "out", tmp_path / "out", symlinks=True))
    return params, out


@pytest.fixture
def runner():
    return CliRunner()


def invoke(runner, *args, params: Path | None = None, output: Path | None = None):
    """Run ``reportkit [--params P] [--output O] args…`` in-process."""
    from reportkit.cli import cli

    head = []
    if params is not None:
        head += ["--params", str(params)]
    if output is not None:
        head += ["--output", str(output)]
    return runner.invoke(cli, head + [str(a) for a in args], catch_exceptions=False)


@dataclass
class Built:
    params: Path
    folder: Path       # output/<year>/
    bureaus: list[str]


@pytest.fixture(scope="session")
def sample_build(tmp_path_factory) -> Built:
    """The shipped sample params (a private copy), built once per session: the sample bureau and
    two others (``jobs=2``), the index, the roll-up. Read only — for the browser, notebook,
    preview and importer tests; a test that builds or edits takes its own copy."""
    from reportkit import batch
    from reportkit.validate import check_many

    others = [c.bureau for c in check_many(SAMPLE_PARAMS, [YEAR]) if c.ok and c.bureau != SAMPLE][:OTHERS]
    bureaus = [SAMPLE, *others]

    def build(root: Path) -> None:
        params = Path(shutil.copytree(SAMPLE_PARAMS, root / "params"))
        result = batch.build(params, root / "output", YEAR, bureaus=bureaus, jobs=2)
        assert result.exit_code == 0, {k: (e.status, e.error, e.errors) for k, e in result.entries.items()}

    root = built_once(tmp_path_factory, "sample-build", build)
    return Built(root / "params", root / "output" / str(YEAR), bureaus)
