"""One reader per published form, chosen by what the file is (its bytes), not by its name.

Like nbconvert's exporters, each reader is a small class registered here: ``sniff(data)`` says
whether the bytes are its form, ``read(data, source, claims)`` claims the figures of the
format's tables (through :mod:`reportkit.importer.grid`) and returns the :class:`Document`:
the text outside the tables, which the caller splits into sections and narrative.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Optional

from ...errors import ImportFailed
from ..grid import Claims


@dataclass
class Document:
    """What a reader gives back besides the claimed cells."""

    kind: str                                   # html | pdf | docx | xlsx | markdown | spaced | text | ocr
    encoding: str                               # how the bytes became text
    title: Optional[str]
    lines: list[str]                            # the text outside the format's tables
    facts: set = field(default_factory=set)     # sentences our own reports generate from the tables
    notes: list[str] = field(default_factory=list)
    flat: bool = False                          # also read rows of figures from ``lines``


class Reader:
    """The interface: a form's name as a user reads it, how to recognise it, how to read it."""

    kind = ""
    label = ""

    def sniff(self, data: bytes) -> bool:
        raise NotImplementedError

    def read(self, data: bytes, source: str, claims: Claims) -> Document:
        raise NotImplementedError


# In sniffing order: binary forms by their magic bytes first, text forms last. A reader in
# OPTIONAL is used when its package is installed: the ``excel`` branch's reader of reportkit's own
# template workbooks (a workbook with reportkit's cover sheet) comes before published tables.
OPTIONAL = ["reportkit.workbook.reader:TemplateWorkbookReader"]
BINARY = [
    "reportkit.importer.readers.pdf:PdfReader",
    "reportkit.importer.readers.images:ImageReader",
    *OPTIONAL,
    "reportkit.importer.readers.docx:DocxReader",
    "reportkit.importer.readers.xlsx:XlsxReader",
]
TEXT = [
    "reportkit.importer.readers.html:HtmlReader",
    "reportkit.importer.readers.markdown:MarkdownReader",
    "reportkit.importer.readers.spaced:SpacedTextReader",
    "reportkit.importer.readers.plain:PlainTextReader",
]
READERS = BINARY + TEXT
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def load(spec: str) -> Reader:
    module, _, name = spec.partition(":")
    return getattr(importlib.import_module(module), name)()


def reader_for(data: bytes, source: str) -> Reader:
    """The reader whose form the bytes are; a located Chinese error for a form none reads."""
    if data.startswith(OLE2):
        raise ImportFailed("旧版 Office 文件（.doc/.xls/.wps）不能直接读取：请另存为 .docx/.xlsx、PDF 或网页",
                           file=source, found="OLE2 复合文档")
    for spec in READERS:
        if spec == TEXT[0] and data.startswith(b"PK\x03\x04"):
            raise ImportFailed("压缩包（zip）既不是 Word(.docx) 也不是 Excel(.xlsx) 文件", file=source)
        try:
            reader = load(spec)
        except ModuleNotFoundError:
            if spec in OPTIONAL:
                continue
            raise
        if reader.sniff(data):
            return reader
    raise ImportFailed("无法识别的文件类型：不是网页、PDF、Word(.docx)、Excel(.xlsx)、图片或文本", file=source,
                       found=repr(data[:8]))


def zip_names(data: bytes, limit: int = 200 << 20) -> list[str]:
    """Member names of an Office file (a zip), refusing one that unpacks past ``limit`` bytes."""
    import io
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            infos = z.infolist()
    except (zipfile.BadZipFile, ValueError, EOFError):
        return []
    if sum(i.file_size for i in infos) > limit:
        return ["(too large)"]
    return [i.filename for i in infos]


def office_member_check(data: bytes, source: str) -> None:
    if zip_names(data) == ["(too large)"]:
        raise ImportFailed("Office 文件解压后过大，未读", file=source, expected="≤ 200 MB")
