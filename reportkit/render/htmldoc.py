"""A finished report page read back as a flat list of blocks, for the Word writer.

The HTML is reportkit's own (title, headings, paragraphs, the official tables with
rowspan/colspan, charts as inline PNG, signature), so this reader is small and strict: it
walks ``<main>`` (or ``<body>``) in document order and keeps what a printed report holds.
Deriving Word from the HTML means the words of every format are the same whatever the
notebook prints.
"""
from __future__ import annotations

import base64
import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Optional, Union

from bs4 import BeautifulSoup, NavigableString, Tag


@dataclass(frozen=True)
class Heading:
    level: int          # 1 title, 2 一、, 3 （一）
    text: str


@dataclass(frozen=True)
class Para:
    text: str
    kind: str = "body"  # body | signature | note | item


@dataclass(frozen=True)
class TCell:
    text: str
    header: bool
    rowspan: int = 1
    colspan: int = 1
    classes: tuple[str, ...] = ()


@dataclass
class Table:
    rows: list[list[TCell]]
    head_rows: int = 0
    classes: tuple[str, ...] = ()

    @property
    def width(self) -> int:
        """Number of grid columns (spans included)."""
        return sum(c.colspan for c in self.rows[0]) if self.rows else 0


@dataclass(frozen=True)
class Figure:
    png: bytes
    caption: str
    alt: str = ""


Block = Union[Heading, Para, Table, Figure]


@dataclass
class Document:
    title: str
    blocks: list[Block] = field(default_factory=list)
    published: Optional[dt.date] = None
    lang: str = "zh-CN"


_DATE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")
_SKIP = {"script", "style", "template", "noscript", "head"}


def _text(el: Tag) -> str:
    return " ".join(el.get_text(" ", strip=True).split()).replace(" ，", "，")


def _cell_text(el: Tag) -> str:
    # table cells: no spaces between the pieces of one label
    return "".join(el.get_text("", strip=True).split())


def _table(el: Tag) -> Table:
    rows, head_rows = [], 0
    for tr in el.find_all("tr"):
        if tr.find_parent("table") is not el:
            continue
        if tr.find_parent("thead") is not None:
            head_rows += 1
        rows.append([TCell(_cell_text(c), c.name == "th", int(c.get("rowspan", 1) or 1),
                           int(c.get("colspan", 1) or 1), tuple(c.get("class") or ()))
                     for c in tr.find_all(["th", "td"], recursive=False)])
    return Table(rows, head_rows, tuple(el.get("class") or ()))


def _figure(el: Tag) -> Optional[Figure]:
    img = el.find("img")
    src = (img.get("src") or "") if img else ""
    if not src.startswith("data:image/png;base64,"):
        return None  # only inline PNG: nothing is fetched
    cap = el.find("figcaption")
    return Figure(base64.b64decode(src.split(",", 1)[1]), _text(cap) if cap else "", img.get("alt") or "")


def _walk(el: Tag, doc: Document) -> None:
    for child in el.children:
        if isinstance(child, NavigableString) or not isinstance(child, Tag) or child.name in _SKIP:
            continue
        name = child.name
        classes = child.get("class") or []
        if name in ("h1", "h2", "h3", "h4"):
            doc.blocks.append(Heading(min(int(name[1]), 3), _text(child)))
        elif name == "table":
            doc.blocks.append(_table(child))
        elif name == "figure":
            fig = _figure(child)
            if fig:
                doc.blocks.append(fig)
        elif name == "p":
            text = _text(child)
            if text:
                in_sig = child.find_parent(class_="signature") is not None
                kind = "signature" if in_sig else ("note" if "note" in classes else "body")
                doc.blocks.append(Para(text, kind))
        elif name == "li":
            own = [c for c in child.children if not (isinstance(c, Tag) and c.name in ("ul", "ol"))]
            text = " ".join("".join(c.get_text(" ") if isinstance(c, Tag) else str(c) for c in own).split())
            if text:
                doc.blocks.append(Para(text, "item"))
            for sub in child.find_all(["ul", "ol"], recursive=False):
                _walk(sub, doc)
        else:
            _walk(child, doc)


def read(html: Union[bytes, str]) -> Document:
    """The report's blocks in print order; its title and publication date (signature)."""
    soup = BeautifulSoup(html, "lxml")
    h1 = soup.find("h1")
    title = _text(h1) if h1 else (_text(soup.title) if soup.title else "")
    doc = Document(title, lang=(soup.html.get("lang") if soup.html else None) or "zh-CN")
    _walk(soup.find("main") or soup.body or soup, doc)
    for block in reversed(doc.blocks):
        m = _DATE.search(block.text) if isinstance(block, Para) and block.kind == "signature" else None
        if m:
            doc.published = dt.date(*map(int, m.groups()))
            break
    return doc
