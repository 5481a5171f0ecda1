"""The importer registry's view of a template workbook: recognised, and sent to ``reportkit import``.

The published-report importer (``reportkit.importer.readers``) sniffs each file's bytes and tries
this reader before its generic Excel one, so a bureau's filled template is never misread as a
published table. Reading it goes through :func:`reportkit.workbook.read_workbook` (cell-located
errors, formulas recomputed), which the ``import`` command calls for such files.
"""
from __future__ import annotations

import io

from ..errors import ImportFailed
from .read import has_marker_name


class TemplateWorkbookReader:
    """Recognises reportkit's own workbooks by the defined name on their cover."""

    kind = "reportkit-workbook"
    label = "reportkit 填报表（Excel）"

    def sniff(self, data: bytes) -> bool:
        return data.startswith(b"PK\x03\x04") and has_marker_name(io.BytesIO(data))

    def read(self, data: bytes, source: str, claims) -> None:
        raise ImportFailed("这是 reportkit 填报表，不是发布的年报：用 reportkit import 读入"
                           "（逐格检查，错误标明工作表和单元格）", file=source, found=self.label)
