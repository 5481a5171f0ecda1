"""Shared fixtures: the repo's sample params, a temporary params folder, the CLI runner."""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

sys.path.insert(0, str(Path(__file__).parent))

from factories import write_params, year_data  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
SAMPLE_PARAMS = REPO / "params"


@pytest.fixture
def repo() -> Path:
    return REPO


@pytest.fixture
def sample_params(tmp_path) -> Path:
    """A private copy of the shipped sample params."""
    return Path(shutil.copytree(SAMPLE_PARAMS, tmp_path / "params"))


@pytest.fixture
def small_params(tmp_path) -> Path:
    """Two valid bureaus for 2022 (one with a 2021 file for the cross-year rules)."""
    return write_params(tmp_path / "params", {
        2021: {"alpha": year_data(published="2022-01-12", applications=__import__("factories").applications(
            forward=(0, 0, 0, 0, 0, 0), not_held=(1, 0, 0, 0, 1, 0)))},
        2022: {"alpha": year_data(), "beta": year_data()},
    })


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
