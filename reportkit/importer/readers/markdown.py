"""Markdown pipe tables, as OCR and LLM tools write them: ``| 标签 | 1 | | 3 |``.

An empty cell between pipes is a blank cell; the ``|---|`` line is skipped. Merged cells are
lost in markdown (a tool repeats the text or leaves the cell empty), so figures are placed by
the column headers above them or, failing that, by position when a row has exactly the
format's number of cells.
"""
from __future__ import annotations

import re

from ..grid import Claims, PCell, read_table
from ..labels import tidy
from .plain import text_of, title_of
from . import Document, Reader

_ROW = re.compile(r"^\s*\|(.*)\|\s*$")
_RULE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")


def split_row(line: str) -> list[str]:
    """The cells of one pipe-table row (``\\|`` is a literal pipe)."""
    inner = _ROW.match(line).group(1)
    return [c.replace("\\|", "|").strip() for c in re.split(r"(?<!\\)\|", inner)]


def tables_and_text(lines: list[str]) -> tuple[list[list[list[str]]], list[str]]:
    tables, text, current = [], [], None
    for line in lines:
        if _ROW.match(line):
            if current is None:
                current = []
                tables.append(current)
            if not _RULE.match(line):
                current.append(split_row(line))
        else:
            current = None
            if not _RULE.match(line):
                text.append(line)
    return tables, text


class MarkdownReader(Reader):
    kind, label = "markdown", "Markdown 表格"

    def sniff(self, data: bytes) -> bool:
        head = data[:200_000].decode("utf-8", "ignore")
        return sum(1 for line in head.splitlines() if _ROW.match(line)) >= 3

    def read(self, data: bytes, source: str, claims: Claims) -> Document:
        text, encoding = text_of(data, source)
        tables, rest = tables_and_text(text.splitlines())
        for table in tables:
            read_table([[PCell(c) for c in row] for row in table], claims)
        lines = [tidy(re.sub(r"^\s*#{1,6}\s+|\*\*", "", line)) for line in rest]
        lines = [line for line in lines if line]
        return Document(self.kind, encoding, title_of(lines), lines, flat=True)
