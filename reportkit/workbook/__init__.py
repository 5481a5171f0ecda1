"""Excel workbooks a city's office sends to each bureau and reads back.

``write_templates`` writes one template per bureau (:mod:`.write`, laid out by :mod:`.layout`);
``read_workbook`` reads a filled one into the params layout with located findings
(:mod:`.read`); ``is_reportkit_workbook`` recognises one by its cover marker.
"""
from __future__ import annotations

from .read import CellProblem, WorkbookRead, is_reportkit_workbook, read_workbook
from .write import build, deadline, to_bytes, write_templates

__all__ = ["CellProblem", "WorkbookRead", "build", "deadline", "is_reportkit_workbook", "read_workbook",
           "to_bytes", "write_templates"]
