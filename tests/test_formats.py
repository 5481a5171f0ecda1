"""`reportkit build --format html,docx,pdf`: every format built per report, atomically, listed
in the manifest, linked from the index, skipped when unchanged, byte-identical when rebuilt;
the project default in params/project.yaml; bad values give located errors."""
from __future__ import annotations

import json
import shutil

import pytest
from conftest import invoke

from reportkit import batch
from reportkit.errors import BadArgument, InvalidInput
from reportkit.render import default_formats, parse_formats

needs_chromium = pytest.mark.skipif(not shutil.which("chromium") and not shutil.which("chromium-browser"),
                                    reason="!!! Chromium is not installed (make browser-deps): PDF NOT built")


def test_parse_formats():
    assert parse_formats("pdf") == ("html", "pdf")
    assert parse_formats(" DOCX , html,pdf,docx") == ("html", "docx", "pdf")
    with pytest.raises(BadArgument) as err:
        parse_formats("html,odt")
    assert "odt" in str(err.value)


def test_project_default(tmp_path):
    assert default_formats(tmp_path) == ("html",)
    (tmp_path / "project.yaml").write_text("# 本市的默认输出\nformats: [html, docx]\n", encoding="utf-8")
    assert default_formats(tmp_path) == ("html", "docx")
    (tmp_path / "project.yaml").write_text("formats: [html, odt]\n", encoding="utf-8")
    with pytest.raises(InvalidInput) as err:
        default_formats(tmp_path)
    finding = err.value.findings[0]
    assert finding.file.endswith("project.yaml") and finding.field == "formats" and finding.found == "html,odt"
    (tmp_path / "project.yaml").write_text("formats: [html\n", encoding="utf-8")
    with pytest.raises(InvalidInput) as err:
        default_formats(tmp_path)
    assert err.value.findings[0].line == 2


def test_cli_rejects_an_unknown_format(runner, small_params, tmp_path):
    result = invoke(runner, "build", "2022", "--format", "html,odt", params=small_params, output=tmp_path / "o")
    assert result.exit_code == 2 and "不认识的输出格式 odt" in result.output and "Traceback" not in result.output


@needs_chromium
def test_every_format_built_listed_linked_incremental_and_reproducible(small_params, tmp_path):
    out = tmp_path / "out"
    folder = out / "2022"
    result = batch.build(small_params, out, 2022, ["alpha"], jobs=1, summary=False, formats="html,docx,pdf")
    assert result.exit_code == 0
    first = {f: (folder / f"alpha.{f}").read_bytes() for f in ("html", "docx", "pdf")}
    assert first["docx"][:2] == b"PK" and first["pdf"][:5] == b"%PDF-"
    entry = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["reports"]["alpha"]
    assert entry["formats"] == {"docx": len(first["docx"]), "pdf": len(first["pdf"])}
    index = (folder / "index.html").read_text(encoding="utf-8")
    assert 'href="alpha.docx">Word</a>' in index and 'href="alpha.pdf">PDF</a>' in index
    assert not list(folder.glob(".*.tmp")) and not list(folder.glob(".work-*"))

    # unchanged: nothing rebuilt; a deleted PDF is made again, byte for byte the same
    again = batch.build(small_params, out, 2022, ["alpha"], jobs=1, summary=False, formats="html,docx,pdf")
    assert again.skipped == {"alpha"}
    (folder / "alpha.pdf").unlink()
    rebuilt = batch.build(small_params, out, 2022, ["alpha"], jobs=1, summary=False, formats="html,pdf")
    assert "alpha" not in rebuilt.skipped
    assert {f: (folder / f"alpha.{f}").read_bytes() for f in ("html", "docx", "pdf")} == first
    # docx kept (same page) and still listed
    entry = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["reports"]["alpha"]
    assert set(entry["formats"]) == {"docx", "pdf"}

    # a changed page drops the derived files that were not rebuilt (they would no longer match)
    (small_params / "2022" / "alpha.yaml").write_text(
        (small_params / "2022" / "alpha.yaml").read_text(encoding="utf-8").replace("工作动态", "工作动态信息"),
        encoding="utf-8")
    changed = batch.build(small_params, out, 2022, ["alpha"], jobs=1, summary=False)   # default: html
    assert changed.exit_code == 0
    assert not (folder / "alpha.docx").exists() and not (folder / "alpha.pdf").exists()
    assert 'alpha.docx' not in (folder / "index.html").read_text(encoding="utf-8")


def test_project_default_drives_the_build(small_params, tmp_path):
    (small_params / "project.yaml").write_text("formats: [html, docx]\n", encoding="utf-8")
    out = tmp_path / "out"
    result = batch.build(small_params, out, 2022, ["beta"], jobs=1, summary=False)
    assert result.exit_code == 0
    assert (out / "2022" / "beta.docx").is_file() and not (out / "2022" / "beta.pdf").exists()


@needs_chromium
def test_a_pdf_that_fails_replaces_nothing(small_params, tmp_path, monkeypatch):
    out = tmp_path / "out"
    folder = out / "2022"
    assert batch.build(small_params, out, 2022, ["alpha"], jobs=1, summary=False,
                       formats="html,pdf").exit_code == 0
    good = {f: (folder / f"alpha.{f}").read_bytes() for f in ("html", "ipynb", "pdf")}
    # a Chromium that starts and fails (exit 1, no PDF): the report fails, the good files stay
    monkeypatch.setenv("REPORTKIT_CHROMIUM", shutil.which("false"))
    result = batch.build(small_params, out, 2022, ["alpha"], jobs=1, summary=False, formats="html,pdf",
                         force=True)
    assert result.exit_code == 1
    entry = result.entries["alpha"]
    assert entry.status == "failed" and "Chromium 打印失败（退出码 1）" in entry.error and entry.hash is None
    assert {f: (folder / f"alpha.{f}").read_bytes() for f in ("html", "ipynb", "pdf")} == good
    assert not list(folder.glob(".*.tmp")) and not list(folder.glob(".work-*"))
