"""Determinism (issue 7): the same inputs give byte-identical HTML, whoever builds them, where.

Three builds of one params folder (outside the working directory, with an invalid bureau so
that error messages reach the index and the roll-up): a first build, a forced rebuild into the
same folder with another number of workers, and a forced build in a subprocess with another
working directory, output folder, hash seed and time zone. Every HTML file must be identical,
hold no timestamp and no absolute path, and carry only the master notebook's own cell ids
(papermill's injected cell has a random one). The build time lives in the manifest only.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
from factories import applications, dump, write_params, year_data

from reportkit import batch
from reportkit.execute import NOTEBOOK

REPO = Path(__file__).resolve().parents[1]
YEAR = 2022


def html_files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.html"))}


def test_same_inputs_give_byte_identical_html(tmp_path):
    params = write_params(tmp_path / "params", {
        2021: {"alpha": year_data(published="2022-01-12", applications=applications(
            forward=(0, 0, 0, 0, 0, 0), not_held=(1, 0, 0, 0, 1, 0)))},
        2022: {"alpha": year_data(), "beta": year_data(), "gamma": year_data()},
    })
    dump(params / str(YEAR) / "gamma.yaml", year_data(published="2023-02-30"))  # invalid: listed with its path

    first = batch.build(params, tmp_path / "out1", YEAR, jobs=2)
    assert first.exit_code == 2 and first.summary is not None and first.summary.status == "ok"
    a = html_files(tmp_path / "out1" / str(YEAR))
    assert set(a) == {"alpha.html", "beta.html", "index.html", "summary.html"}

    again = batch.build(params, tmp_path / "out1", YEAR, jobs=1, force=True)
    assert again.exit_code == 2 and not again.skipped
    b = html_files(tmp_path / "out1" / str(YEAR))

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = dict(os.environ, PYTHONHASHSEED="12345", TZ="Asia/Shanghai", COLUMNS="200")
    run = subprocess.run([sys.executable, "-m", "reportkit.cli", "--params", str(params), "--output",
                          str(tmp_path / "out2"), "build", str(YEAR), "--force", "--engine", "cold"],
                         cwd=elsewhere, env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 2, run.stdout + run.stderr
    c = html_files(tmp_path / "out2" / str(YEAR))

    for name in a:
        assert a[name] == b[name], f"{name}: a forced rebuild differs"
        assert a[name] == c[name], f"{name}: a build from elsewhere differs"

    manifest = json.loads((tmp_path / "out1" / str(YEAR) / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["built_at"]  # the build time is recorded here, and only here

    today = dt.date.today()
    nb_ids = {c.id for c in nbformat.read(NOTEBOOK, as_version=4).cells}
    for name, raw in a.items():
        text = re.sub(r"data:image/[a-z]+;base64,[A-Za-z0-9+/=]+", "", raw.decode("utf-8"))
        for leak in (str(tmp_path), str(REPO), str(Path.home()) + "/", "/tmp/", "\\\\"):
            assert leak not in text, f"{name} holds a path: {leak}"
        assert not re.search(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}", text), f"{name} holds a timestamp"
        assert today.isoformat() not in text and f"{today.year}年{today.month}月{today.day}日" not in text
        ids = set(re.findall(r'id="cell-id=([^"]+)"', text))
        if name in ("alpha.html", "beta.html"):
            assert ids and ids <= nb_ids, f"{name}: cell ids not from the notebook: {ids - nb_ids}"
    for name in ("index.html", "summary.html"):  # the invalid file is named from the params folder
        assert "params/2022/gamma.yaml" in a[name].decode(), name
