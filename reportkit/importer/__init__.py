"""Read a published report back into params data, from any form governments publish.

A published report is matched against the official grids of :mod:`reportkit.tables` (the
same grids that print our own reports), so every label comes from the format spec. The steps,
one module each:

* :mod:`.readers` — which form the bytes are (sniffed, not by the file name) and one reader per
  form: web page, PDF with a text layer, Word .docx, Excel .xlsx, markdown pipe tables, text in
  columns of spaces, flattened text, and scans through OCR (the ``[ocr]`` extra);
* :mod:`.decoding` — bytes to text for the text forms;
* :mod:`.grid` — each printed figure claimed for a cell of the format by its row label and the
  column header above it (or by position when a row has exactly the format's figures), then
  resolved to read / blank / unread; :mod:`.layout` builds the cells (2021 grids, and the 2019
  layout from ``reportkit/format/annual-report-2019.yaml``); :mod:`.labels` normalises labels
  and parses figures (a look-alike or invisible character makes a figure unread);
* :mod:`.text` — title, sections, narrative, dates and fees from the text;
* :mod:`.read` — the whole import; :mod:`.emit` — params file and registry, written through the
  YAML library, never overwriting without ``force``.

Blank cells and "—", "/" count as 0 and are listed as blank; every figure that cannot be
read is listed with its row and column labels and stays ``None`` (``null`` in YAML): a figure
is never guessed.
"""
from __future__ import annotations

from .decoding import decode
from .emit import (WriteOutcome, Written, bureau_id_for, load_registry_loose, register_bureau, to_yaml, write,
                   write_params)
from .labels import core, figure_like, is_blank, norm, parse_figure, text_norm, tidy
from . import layout as _layout
from .read import MAX_BYTES, build_params, read_bytes, read_report
from .result import CellRead, Imported, ImportReport, ReportText
from .text import FEE_NONE, FEE_NONE_NOTICES, PLACEHOLDERS, parse_date, parse_title

_PLACEHOLDERS = PLACEHOLDERS        # audit.py's name for it

__all__ = ["read_report", "read_bytes", "Imported", "ImportReport", "CellRead", "ReportText", "write", "to_yaml",
           "write_params", "register_bureau", "WriteOutcome", "Written", "load_registry_loose", "bureau_id_for",
           "decode", "build_params", "core", "norm", "text_norm", "tidy", "parse_figure", "figure_like", "is_blank",
           "parse_date", "parse_title", "OFFICIAL", "TARGETS", "MAX_BYTES", "FEE_NONE", "FEE_NONE_NOTICES"]


def __getattr__(name: str):
    """``OFFICIAL`` and ``TARGETS`` of the default format, built on first use (not at import)."""
    if name in ("OFFICIAL", "TARGETS"):
        return getattr(_layout, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
