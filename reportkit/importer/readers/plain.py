"""Flattened text: the report's text with its tables copied as lines of labels and numbers."""
from __future__ import annotations

from ...errors import ImportFailed
from ..decoding import decode
from ..grid import Claims
from ..labels import norm, tidy
from ..sequence import read_text_tables
from ..text import parse_title
from . import Document, Reader


def text_of(data: bytes, source: str) -> tuple[str, str]:
    """Decoded text that is text (no NUL bytes), and how it was decoded."""
    text, encoding = decode(data, source)
    if "\x00" in text:
        raise ImportFailed("文件中有二进制数据，不是网页或文本", file=source)
    return text, encoding


def title_of(lines: list[str]):
    return next((line for line in lines[:40] if len(norm(line)) <= 120 and parse_title(line)), None)


class PlainTextReader(Reader):
    kind, label = "text", "文本"

    def sniff(self, data: bytes) -> bool:
        return True             # the last resort: whatever decodes as text

    def read(self, data: bytes, source: str, claims: Claims) -> Document:
        text, encoding = text_of(data, source)
        lines = [tidy(line) for line in text.splitlines()]
        # blank lines kept for the tables: they tell pdftotext's blocks apart
        read_text_tables(lines, claims)
        lines = [line for line in lines if line]
        return Document(self.kind, encoding, title_of(lines), lines)
