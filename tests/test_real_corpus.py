"""The importer on real published reports, cell by cell against hand transcriptions.

The corpus (tests/fixtures/real, see its README) holds real 政府信息公开工作年度报告 in the forms
governments publish and tools produce (PDF with a text layer, page images, OCR text, flattened and
spaced text). Each report's ``<id>.truth.yaml`` was typed by hand from the page images. The scoring
lives in ``benchmarks/accuracy.py`` (which also prints the per-form table).

Targets (issue 12 item 5): at least 98 % of printed cells exact for PDFs with a text layer and for
Word, at least 95 % for OCR text and flattened text, and no invented or misread figure anywhere.
"""
from __future__ import annotations

import hashlib
import re
import importlib.util
import sys
from decimal import Decimal
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("corpus_accuracy", REPO / "benchmarks" / "accuracy.py")
accuracy = importlib.util.module_from_spec(_spec)
sys.modules["corpus_accuracy"] = accuracy
_spec.loader.exec_module(accuracy)

TRUTHS = accuracy.truths()
FILES = accuracy.corpus_files()
AVAILABLE = accuracy.available_files()
FORMS = sorted({f["form"] for _, f in FILES})
# Files a repository snapshot brought are not committed (only their transcription and provenance):
# where they cannot be found, their tests are skipped and say so.
NOT_HERE = pytest.mark.skip(reason=f"!!! SKIPPED: fetched file not in the repository; put it in "
                                   f"${accuracy.ELSEWHERE_ENV} or ../shared/corpus/real (see tests/fixtures/real/README.md)")


def _here(pairs):
    return [pytest.param(t, f, marks=NOT_HERE) if accuracy.locate(f) is None else pytest.param(t, f)
            for t, f in pairs]


def _ids(pairs):
    return [f["file"] for _, f in pairs]


# --- the transcriptions themselves -------------------------------------------------------
def test_corpus_is_there():
    assert len(TRUTHS) >= 14 and len(FILES) >= 29
    assert {"html", "pdf", "scan", "spaced-text", "ocr-text", "flat-text", "glued-text",
            "docx-converted", "pdf-printed"} <= set(FORMS)
    assert len(AVAILABLE) >= 20  # the committed ones: pages, text copies, Word conversions and prints (平潭, 上海, 沭阳)
    assert len({t["province"] for t in TRUTHS}) >= 3 and len({t["year"] for t in TRUTHS}) >= 6


@pytest.mark.parametrize("truth", TRUTHS, ids=[t["id"] for t in TRUTHS])
def test_transcription_is_complete_and_consistent(truth):
    """200 official cells; blanks and not-printed cells are null and listed; files unchanged."""
    from reportkit.spec import load_spec
    spec = load_spec()
    cols = [c.key for c in spec.app_columns]
    expected = {f"applications.{'.'.join(p)}.{c}" for p in spec.app_leaf_rows() for c in cols}
    expected |= {f"review_litigation.{g}.{c}" for g in ("review", "litigation_direct", "litigation_after_review")
                 for c in ("upheld", "corrected", "other", "pending", "total")}
    expected |= {f"proactive.{r}.{c}" for r in ("regulations", "normative_documents")
                 for c in ("issued", "repealed", "in_force")}
    expected |= {"proactive.licensing.count", "proactive.penalty.count", "proactive.enforcement.count",
                 "proactive.fees.amount"}
    cells = truth["cells"]
    assert set(cells) == expected
    listed = set(truth.get("blank") or []) | set(truth.get("not_printed") or [])
    assert {k for k, v in cells.items() if v is None} == listed
    assert not set(truth.get("blank") or []) & set(truth.get("not_printed") or [])
    for key, value in cells.items():
        if value is not None:
            number = Decimal(str(value))
            assert number >= 0 and (key == "proactive.fees.amount" or number == int(number)), key
    for entry in truth["files"]:
        path = accuracy.CORPUS / entry["file"]
        if not path.is_file():  # a fetched file, kept out of the repository: its provenance must say where
            assert entry.get("sha256") and truth.get("source"), entry["file"]
            continue
        data = path.read_bytes()
        assert len(data) < 2 << 20, f"{entry['file']} is over 2 MB"
        assert hashlib.sha256(data).hexdigest() == entry["sha256"], f"{entry['file']} changed"
    for key in ("issuer", "year", "source", "transcription"):
        assert truth.get(key), key


@pytest.mark.parametrize("truth", TRUTHS, ids=[t["id"] for t in TRUTHS])
def test_listed_arithmetic_slips_are_the_printed_ones(truth):
    """The slips recorded beside the figures follow from the figures (guards against typing errors)."""
    assert _slips(truth) == list(truth.get("arithmetic_slips") or [])


def _slips(truth):
    """R1, R6, R7, R8 over the printed figures, worded as in the truth files."""
    cells, cols = truth["cells"], ["natural_person", "commercial", "research", "social_welfare",
                                    "legal_service", "other", "total"]
    g = lambda k: cells.get(k) or 0                                             # noqa: E731
    rows = sorted({k.split(".", 1)[1].rsplit(".", 1)[0] for k in cells if k.startswith("applications.")},
                  key=lambda r: list(cells).index(f"applications.{r}.natural_person"))
    sub = truth.get("printed_subtotals") or {}
    out = []
    for r in rows:
        s = sum(g(f"applications.{r}.{c}") for c in cols[:-1])
        if cells.get(f"applications.{r}.total") is not None and s != g(f"applications.{r}.total"):
            out.append(f"R1 {r}: items sum {s}, printed total {g(f'applications.{r}.total')}")
    outcomes = [r for r in rows if r not in ("new", "carried_over", "total", "carried_forward")]
    for c in cols:
        s = sum(g(f"applications.{r}.{c}") for r in outcomes) + (sub.get(f"applications.other_handling.subtotal.{c}")
                                                                  or 0)
        if s != g(f"applications.total.{c}"):
            out.append(f"R6 {c}: outcomes sum {s}, printed (七)总计 {g(f'applications.total.{c}')}")
        lhs = g(f"applications.new.{c}") + g(f"applications.carried_over.{c}")
        rhs = g(f"applications.total.{c}") + g(f"applications.carried_forward.{c}")
        if lhs != rhs:
            out.append(f"R7 {c}: 一+二 = {lhs}, （七）+四 = {rhs}")
    for grp in ("review", "litigation_direct", "litigation_after_review"):
        s = sum(g(f"review_litigation.{grp}.{k}") for k in ("upheld", "corrected", "other", "pending"))
        if s != g(f"review_litigation.{grp}.total"):
            out.append(f"R8 {grp}: items sum {s}, printed total {g(f'review_litigation.{grp}.total')}")
    return out


# --- the importer against them ---------------------------------------------------------------
@pytest.mark.parametrize("truth,entry", _here(FILES), ids=_ids(FILES))
def test_no_figure_is_invented_or_misread(truth, entry):
    """Every figure the importer gives equals the printed one; a refusal is fine, a crash is not."""
    s = accuracy.score(truth, entry)
    assert not (s.refused or "").startswith("CRASH"), s.refused
    assert s.wrong == 0, "\n".join(s.wrong_cells)
    if not s.refused:        # the issuer and year are read as the title prints them, nothing glued on
        printed = re.sub(r"\s|\d{4}年度?|政府信息公开(?:工作)?年度报告", "", truth["title_as_printed"])
        assert (s.issuer, s.year) == (printed, truth["year"])


LEGACY = [(t, f) for t, f in FILES if t.get("legacy_2019")]


def _legacy_printed(truth):
    """legacy2019.<row>.<column> -> the printed figure of each 2019 column the 2021 format lacks, from the
    transcription's table 二 (blocks and rows in the order of reportkit/format/annual-report-2019.yaml;
    units such as 元/笔 dropped). Shared columns of rows the 2021 format has are scored as 2021 cells above."""
    from reportkit.importer.layout import LAYOUT_2019
    out = {}
    for block in LAYOUT_2019["proactive_blocks"]:
        printed = truth["legacy_2019"][block["title"]]
        assert len(printed) == len(block["rows"]), block["title"]
        for row, columns in zip(block["rows"], printed.values()):
            row_key = row if isinstance(row, str) else row["key"]
            for column, value in columns.items():
                if column not in block["shared"] or not isinstance(row, str):   # a 2019-only row has no 2021 cell
                    number = re.match(r"[+-]?\d+(?:\.\d+)?", str(value))
                    out[f"legacy2019.{row_key}.{LAYOUT_2019['column_keys'][column]}"] = Decimal(number.group())
    return out


@pytest.mark.parametrize("truth,entry", _here(LEGACY), ids=_ids(LEGACY))
def test_2019_table_two_is_read_as_printed(truth, entry):
    """The 2019 format's own table 二 columns (kept aside, not scored above): every figure read equals the printed
    one, and a page (HTML) gives all of them."""
    from reportkit.importer import read_report
    printed = _legacy_printed(truth)
    unmapped = read_report(str(accuracy.locate(entry))).report.unmapped
    read = {c.key: Decimal(str(c.value)) for c in unmapped if c.status == "read"}
    assert {k: (v, printed.get(k)) for k, v in read.items() if printed.get(k) != v} == {}
    if entry["form"] == "html":
        assert set(printed) - set(read) == set()


# Targets the readers do not reach yet (issue 12 stays open for them), measured with every corpus
# file present. Not strict.
MISSED = {
    # not a reader's shortfall alone: tesseract's page text fuses borders and figures ("0101010101010" can be
    # 0|0|0|0|0|0|0 or 0,10,10,10,10,10,10); of its 179 cells about 52 stand as unambiguous tokens. The same
    # report's page images read cell by cell (scan, ocr-markdown) reach 100 %.
    "ocr-text": "25.1 % exact: tesseract reads table borders as digits (\"0 |101010101010\"); left unread",
}
HERE = sorted({f["form"] for _, f in AVAILABLE})


def _form_param(form):
    if form not in HERE:
        return pytest.param(form, marks=NOT_HERE)
    if form in MISSED:
        return pytest.param(form, marks=pytest.mark.xfail(reason=MISSED[form]))
    return form


@pytest.mark.parametrize("form", [_form_param(f) for f in FORMS if f in accuracy.TARGETS])
def test_accuracy_per_form_meets_target(form):
    scores = [accuracy.score(t, f) for t, f in AVAILABLE if f["form"] == form]
    row = accuracy.by_form(scores)[form]
    table = "\n".join(accuracy.render(scores, files=True))
    assert row["percent"] >= accuracy.TARGETS[form], f"{form}: {row['percent']:.1f}% exact\n{table}"
