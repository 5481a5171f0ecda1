"""Fixtures of the browser tests: Chromium found (or a loud skip), reports built once per session.

Reports are built *before* a module starts Playwright (session fixtures are set up first), so
papermill's event loop never meets Playwright's.
"""
from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from reportkit import batch
from reportkit.validate import check_many

from .pagecheck import Browser, find_chromium

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "output" / "screenshots"
SAMPLE = "shengzhou-wglj"
YEAR = 2022
OTHERS = 2  # sample bureaus built besides SAMPLE (≈1.5 s each)

_NOTES: list[str] = []


def pytest_terminal_summary(terminalreporter):
    for note in _NOTES:
        terminalreporter.write_sep("!", note, red=True, bold=True)


@pytest.fixture(scope="session")
def chromium() -> str:
    """Path of the Chromium to drive; the browser tests skip, loudly, only when there is none."""
    path = find_chromium()
    if path is None:
        message = ("BROWSER TESTS SKIPPED: no Chromium found ($REPORTKIT_CHROMIUM, /usr/bin/chromium, "
                   "chromium on PATH); `make browser-deps` installs Debian's chromium and fonts-wqy-microhei")
        if message not in _NOTES:
            _NOTES.append(message)
        print(f"\n!!! {message}")
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def screenshots() -> Path:
    """``output/screenshots/`` of the repo: PNGs and PDFs for humans to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


@dataclass
class Built:
    params: Path
    folder: Path       # output/<year>/
    bureaus: list[str]


@pytest.fixture(scope="session")
def sample_build(tmp_path_factory) -> Built:
    """The shipped sample params (a private copy): the sample bureau and two others, the index, the roll-up."""
    root = tmp_path_factory.mktemp("browser-sample")
    params = Path(shutil.copytree(REPO / "params", root / "params"))
    others = [c.bureau for c in check_many(params, [YEAR]) if c.ok and c.bureau != SAMPLE][:OTHERS]
    bureaus = [SAMPLE, *others]
    result = batch.build(params, root / "output", YEAR, bureaus=bureaus, jobs=2)
    assert result.exit_code == 0, {k: (e.status, e.error, e.errors) for k, e in result.entries.items()}
    return Built(params, root / "output" / str(YEAR), bureaus)


@pytest.fixture(scope="module")
def browser(chromium):
    """One headless Chromium per module. Found but failing to start is an error, not a skip."""
    b = Browser(chromium)
    yield b
    b.close()
