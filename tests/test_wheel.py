"""The built wheel, installed into a fresh venv, is a complete reportkit: init → validate → build, new.

One venv for every step (pip fills it from its cache); everything runs from a temporary folder
outside the checkout, and nothing may point back into the checkout.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup

REPO = Path(__file__).resolve().parents[1]
YEAR = 2022


def run(args, cwd, timeout=600):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "JUPYTER", "VIRTUAL_ENV"))}
    env["PATH"] = str(Path(args[0]).parent) + os.pathsep + env.get("PATH", "")
    done = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{args}: exit {done.returncode}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(venv bin folder, work folder): the wheel built from this checkout, installed alone."""
    tmp = tmp_path_factory.mktemp("wheel")
    run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", tmp / "dist", REPO], cwd=tmp)
    (wheel,) = (tmp / "dist").glob("reportkit-*.whl")
    venv = tmp / "venv"
    base = getattr(sys, "_base_executable", sys.executable)
    # no pip inside the venv (ensurepip costs seconds): this pip installs into it; and no
    # byte-compiling of ≈650 MB of dependencies (≈10 s) — Python compiles what it imports
    run([base, "-m", "venv", "--without-pip", venv], cwd=tmp)
    run([sys.executable, "-m", "pip", "--python", venv / "bin" / "python", "install", "-q", "--no-compile",
         wheel], cwd=tmp)
    work = tmp / "work"
    work.mkdir()
    yield venv / "bin", work, wheel
    shutil.rmtree(venv, ignore_errors=True)  # ≈700 MB: do not keep it among pytest's last runs


def test_package_comes_from_the_venv(installed):
    bin_dir, work, wheel = installed
    where = run([bin_dir / "python", "-c", "import reportkit, reportkit.execute as e; "
                 "print(reportkit.__file__); print(e.NOTEBOOK); print(e.SUMMARY_NOTEBOOK)"], cwd=work)
    venv = bin_dir.parent.resolve()
    for line in where.split():
        assert Path(line).resolve().is_relative_to(venv), line
        assert not Path(line).resolve().is_relative_to(REPO), line
    assert (venv / "etc" / "jupyter" / "jupyter_server_config.d" / "reportkit.json").is_file()
    print(f"wheel {wheel.name}: {wheel.stat().st_size} bytes")


def test_init_validate_build_from_the_wheel(installed):
    bin_dir, work, _ = installed
    reportkit = bin_dir / "reportkit"
    run([reportkit, "init", "city", "--city", "测试市", "--year", YEAR], cwd=work)
    city = work / "city"
    assert "通过" in run([reportkit, "validate"], cwd=city)
    run([reportkit, "build", YEAR, "--jobs", "1"], cwd=city)
    out = city / "output" / str(YEAR)
    soup = BeautifulSoup((out / "example.html").read_bytes(), "html.parser")
    assert soup.h1.get_text() == f"测试市示例局{YEAR}年政府信息公开工作年度报告"
    text = soup.get_text()
    assert "主动公开政府信息142条" in text and "全年新收政府信息公开申请6件" in text
    assert soup.find(attrs={"data-cell": "proactive.licensing.count"}).get_text() == "28"
    assert soup.find("table", class_="t-applications").find("th", rowspan=True)  # merged headers
    assert not soup.find("script") and "report.words" not in text  # no code, no wording cells
    assert len(soup.find_all("style")) == 1 and "R7" not in text  # no notes, no Lab stylesheet
    assert "测试市人民政府" in (out / "summary.html").read_text(encoding="utf-8")
    for path in out.rglob("*"):
        if path.is_file():
            body = path.read_text(encoding="utf-8", errors="replace")
            assert str(REPO) not in body, f"{path.name} refers to the source checkout"


def test_new_year_from_the_wheel(installed):
    bin_dir, work, _ = installed
    city = work / "city"
    said = run([bin_dir / "reportkit", "new", YEAR + 1], cwd=city)
    assert f"params/{YEAR + 1}/example.yaml" in said
    draft = yaml.safe_load((city / "params" / str(YEAR + 1) / "example.yaml").read_text(encoding="utf-8"))
    assert draft["proactive"]["normative_documents"]["in_force"] == 7  # carried from the example year
    assert all(str(p).startswith("TODO") for v in draft["narrative"].values() for p in (v if isinstance(v, list) else [v]))
