"""Web pages: lxml's HTML parser (libxml2, linear time, depth bounded at 256) and one walk.

Tables are read as a browser lays them out (spans expanded); text outside the format's tables
becomes lines at block elements. Scripts, styles, forms and comments are never read.
"""
from __future__ import annotations

import re
from typing import Optional

from ...errors import ImportFailed
from ..decoding import decode
from ..grid import Claims, PCell, read_table
from ..labels import norm, tidy
from ..text import parse_title
from . import Document, Reader

MAX_TABLE_CELLS = 5000    # the format's largest table has about 250 printed cells
LINE = "\u2028"     # marks where a table cell breaks into lines (<br>, <p>)
_CELL_BREAKS = {"br", "p", "div", "li"}
_DROP = ("script", "style", "noscript", "template", "iframe", "select", "button", "svg", "object", "embed")
_BLOCK_TAGS = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "tr", "td", "th", "table", "section",
               "article", "header", "footer", "main", "ul", "ol", "dd", "dt", "dl", "blockquote", "pre", "hr",
               "caption", "figcaption", "figure", "center", "nav", "aside", "form", "title", "br"}
_HTML = re.compile(r"<\s*(?:!doctype|html|body|table|div|p|head|meta)\b", re.I)


def looks_like_html(text: str) -> bool:
    return bool(_HTML.search(text[:20000]))


def _span(el) -> tuple[int, int]:
    def one(name):
        m = re.match(r"\s*(\d+)", str(el.get(name, "1")))
        return min(max(int(m.group(1)) if m else 1, 1), 500)
    return one("rowspan"), one("colspan")


def _walk_text(root, on_start, skip=frozenset()) -> list[str]:
    """Text of ``root`` in document order, one pass; ``on_start(el)`` gives what to put before
    an element (and after it, for blocks); elements in ``skip`` contribute only their tail."""
    from lxml import etree

    parts: list[str] = []
    skipping = None
    for event, el in etree.iterwalk(root, events=("start", "end")):
        if not isinstance(el.tag, str):
            continue
        if skipping is not None:
            if event == "end" and el is skipping:
                skipping = None
                parts.append("\n" + (el.tail or "") if el is not root else "")
            continue
        if event == "start":
            if el in skip:
                skipping = el
                continue
            parts.append(on_start(el))
            parts.append(el.text or "")
        else:
            parts.append(on_start(el) if el.tag != "br" else "")
            if el is not root:
                parts.append(el.tail or "")
    return parts


def cell_text(td) -> str:
    """A cell's text, with a line mark where ``<br>`` or a paragraph breaks it."""
    return "".join(_walk_text(td, lambda el: LINE if el.tag in _CELL_BREAKS and el is not td else ""))


def _own_rows(table) -> list[list]:
    rows = []
    for tr in table.iter("tr"):
        if next(tr.iterancestors("table"), None) is not table:
            continue
        rows.append([td for td in tr if isinstance(td.tag, str) and td.tag in ("td", "th")])
    return rows


def _title(doc) -> Optional[str]:
    candidates = [el.text_content() for el in doc.iter("h1", "h2")]
    for el in doc.iter():
        if isinstance(el.tag, str) and re.search(r"title|bt|tit", el.get("class", ""), re.I):
            candidates.append(el.text_content())
    candidates += [el.text_content() for el in doc.iter() if isinstance(el.tag, str)
                   and re.search(r"title", el.get("id", ""), re.I)]
    for el in doc.iter("title"):
        candidates.extend(re.split(r"\s*[-_|—]\s*", el.text_content()))
    for el in doc.iter("meta"):
        if re.fullmatch(r"ArticleTitle|title", el.get("name", ""), re.I):
            candidates.append(el.get("content", ""))
    for text in candidates:
        if len(norm(text)) <= 120 and parse_title(text):
            return tidy(text)
    return None


class HtmlReader(Reader):
    kind, label = "html", "网页"

    def sniff(self, data: bytes) -> bool:
        head = data[:20000].decode("latin-1").lstrip("\ufeff\xef\xbb\xbf")
        return looks_like_html(head)

    def read(self, data: bytes, source: str, claims: Claims) -> Document:
        import lxml.html

        text, encoding = decode(data, source)
        if "\x00" in text:
            raise ImportFailed("文件中有二进制数据，不是网页或文本", file=source)
        parser = lxml.html.HTMLParser(remove_comments=True, remove_pis=True)
        try:
            doc = lxml.html.document_fromstring(text, parser=parser)
        except Exception as exc:          # lxml raises ParserError/ValueError on empty documents
            raise ImportFailed(f"网页无法解析：{exc}", file=source) from None
        if any("Excessive depth" in e.message for e in parser.error_log):
            raise ImportFailed("网页元素嵌套超过 256 层，不是正常的年报页面，未读", file=source,
                               expected="≤ 256 层", found="更深")
        for el in list(doc.iter(*_DROP)):
            el.drop_tree()
        title = _title(doc)
        facts = {norm(el.text_content()) for el in doc.iter() if isinstance(el.tag, str)
                 and "facts" in el.get("class", "").split()}
        data_tables = set()
        for table in doc.iter("table"):
            own = _own_rows(table)
            if sum(len(tr) for tr in own) > MAX_TABLE_CELLS:
                continue                # no table of the format is near this size: text, not figures
            rows = [[PCell(cell_text(td), *_span(td)) for td in tr] for tr in own]
            if rows and read_table(rows, claims) > 0:
                data_tables.add(table)
        body = doc.find("body")
        body = body if body is not None else doc
        parts = _walk_text(body, lambda el: "\n" if el.tag in _BLOCK_TAGS else "", skip=data_tables)
        lines = [tidy(line) for line in "".join(parts).split("\n")]
        lines = [line for line in lines if line]
        if title is None:
            title = next((line for line in lines if len(norm(line)) <= 120 and parse_title(line)), None)
        return Document(self.kind, encoding, title, lines, facts)
