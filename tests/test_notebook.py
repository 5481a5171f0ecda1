"""The master notebook: its jupytext pair, plain papermill from the repo root, and the HTML it makes."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import jupytext
import nbformat
import pytest
from bs4 import BeautifulSoup

from reportkit.spec import load_spec

REPO = Path(__file__).resolve().parents[1]
SPEC = load_spec()


def test_jupytext_pair_in_sync():
    ipynb = nbformat.read(REPO / "notebooks" / "report.ipynb", as_version=4)
    paired = jupytext.read(REPO / "notebooks" / "report.py")
    strip = lambda nb: [(c.cell_type, c.source.strip(), sorted(c.metadata.get("tags", []))) for c in nb.cells]
    assert strip(ipynb) == strip(paired)
    assert ipynb.metadata.kernelspec.name == "reportkit"


def test_parameters_cell_is_ascii_and_minimal():
    nb = nbformat.read(REPO / "notebooks" / "report.ipynb", as_version=4)
    (cell,) = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    names = re.findall(r"^(\w+)\s*=", cell.source, flags=re.M)
    assert names == ["bureau", "year", "params"]
    assert cell.source.isascii()


def test_plain_papermill_from_repo_root(tmp_path):
    out = tmp_path / "out.ipynb"
    bin_dir = Path(sys.executable).parent
    run = subprocess.run([str(bin_dir / "papermill"), "notebooks/report.ipynb", str(out),
                          "-p", "bureau", "shengzhou-wglj", "-p", "year", "2022", "--no-progress-bar"],
                         cwd=REPO, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    nb = nbformat.read(out, as_version=4)
    html = "".join(o.get("data", {}).get("text/html", "") for c in nb.cells for o in c.get("outputs", []))
    assert "嵊州市文化广电旅游局2022年政府信息公开工作年度报告" in html


@pytest.fixture(scope="module")
def built(sample_build):
    """output/2022/ of the sample city built once per session (tests/conftest.py)."""
    assert "shengzhou-wglj" in sample_build.bureaus
    return sample_build.folder


@pytest.fixture(scope="module")
def page(built):
    raw = (built / "shengzhou-wglj.html").read_bytes()
    return raw, BeautifulSoup(raw, "html.parser")


def test_report_sections_in_order(page):
    _, soup = page
    assert soup.h1.get_text() == "嵊州市文化广电旅游局2022年政府信息公开工作年度报告"
    assert soup.title.get_text() == soup.h1.get_text()
    headings = [h.get_text() for h in soup.find_all("h2")]
    assert headings == [f"{n}、{t}" for n, t in SPEC.sections]
    subs = [h.get_text() for h in soup.find_all("h3")][:5]
    assert subs == ["（一）主动公开", "（二）依申请公开", "（三）政府信息管理", "（四）政府信息公开平台建设", "（五）监督保障"]


def test_report_figures_and_text(page):
    _, soup = page
    body = soup.get_text()
    for phrase in ("主动公开政府信息142条", "全年新收政府信息公开申请6件", "办结6件",
                   "被申请行政复议1件", "被提起行政诉讼1件", "未收取信息处理费", "2023年1月11日"):
        assert phrase in body, phrase
    cell = lambda key: soup.find(attrs={"data-cell": key}).get_text()
    assert cell("proactive.licensing.count") == "28"
    assert cell("proactive.penalty.count") == "6"
    assert cell("applications.new.total") == "6"
    assert cell("review_litigation.review.total") == "1"
    assert cell("review_litigation.litigation_direct.total") == "1"
    assert len(soup.find_all("table", class_="official")) == 3
    assert soup.find("footer", class_="signature").get_text("|") == "嵊州市文化广电旅游局|2023年1月11日"


def test_report_is_self_contained_and_lean(page):
    raw, soup = page
    assert len(raw) <= 120 * 1024
    assert not soup.find_all("script")
    assert not soup.find_all("link")
    assert not re.search(rb"(src|href)\s*=\s*[\"']?(https?:)?//", raw)
    assert not re.search(rb"url\(\s*[\"']?(https?:)?//", raw)
    imgs = soup.find_all("img")
    assert imgs and all(i["src"].startswith("data:image/png;base64,") for i in imgs)


def test_report_has_no_code_prompts_or_stderr(page):
    raw, soup = page
    text = raw.decode()
    for leak in ("Report.load", "import ", "jp-InputArea", "In&nbsp;[", "Out[", "WARNING", "Traceback",
                 "shengzhou-wglj\"", "injected-parameters"):
        assert leak not in text, leak
    assert not soup.find_all(class_="jp-RenderedText")


def test_executed_notebook_kept_beside_html(built):
    nb = nbformat.read(built / "shengzhou-wglj.ipynb", as_version=4)
    assert any("injected-parameters" in c.metadata.get("tags", []) for c in nb.cells)
