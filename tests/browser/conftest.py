"""Fixtures of the browser tests: Chromium found (or a loud skip), one Chromium per module.

The reports they open come from ``sample_build`` (tests/conftest.py), built once per session
*before* a module starts Playwright (session fixtures are set up first), so papermill's event
loop never meets Playwright's.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from conftest import SAMPLE, YEAR, worker_summary  # noqa: F401 — SAMPLE, YEAR: the browser tests import them from here

from .pagecheck import Browser, find_chromium

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "output" / "screenshots"

_NOTES: list[str] = []


def pytest_terminal_summary(terminalreporter):
    for note in _NOTES:
        terminalreporter.write_sep("!", note, red=True, bold=True)


def pytest_sessionfinish(session):
    for note in _NOTES:
        worker_summary(session.config, "", note)  # under xdist the controller prints it


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


@pytest.fixture(scope="module")
def browser(chromium):
    """One headless Chromium per module. Found but failing to start is an error, not a skip."""
    b = Browser(chromium)
    yield b
    b.close()
