"""Headless Chromium for the browser tests: find it, open a file offline, measure what it shows.

Everything a test asserts on is measured here: requests attempted, console errors, table
geometry (``getBoundingClientRect`` of every cell on the grid the spans make), the fonts the
platform used for Chinese text (DevTools ``CSS.getPlatformFontsForNode``) and, from a tagged
PDF printed on A4, on which pages each table row's content landed.
"""
from __future__ import annotations

import io
import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

# The arguments the CI machine runs Chromium with (no sandbox: root in a container).
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
VIEWPORT = {"width": 1280, "height": 1000}

# Families that carry Chinese glyphs (what fontconfig, Windows or macOS may pick).
CJK_FAMILY = re.compile(r"CJK|Hei|Song|Sung|Ming|Kai|Fang|YaHei|PingFang|WenQuanYi|Han Sans|Han Serif|"
                        r"SimSun|NSimSun|Droid Sans Fallback|Noto Sans SC|Noto Serif SC|AR PL|Hiragino", re.I)
HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def find_chromium() -> Optional[str]:
    """The Chromium binary to drive: $REPORTKIT_CHROMIUM, Debian's, or one on PATH."""
    env = os.environ.get("REPORTKIT_CHROMIUM")
    if env:
        return env if os.access(env, os.X_OK) else None
    for path in CANDIDATES:
        if os.access(path, os.X_OK):
            return path
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


@dataclass
class Visit:
    """One page opened from disk, and everything it tried to do."""

    page: object
    context: object
    url: str
    requests: list[str] = field(default_factory=list)      # every request the page made
    blocked: list[str] = field(default_factory=list)       # those that were not file:// (aborted)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    def close(self) -> None:
        self.context.close()


class Browser:
    """One Chromium for a test module; every page opened offline with network requests aborted."""

    def __init__(self, executable: str):
        from playwright.sync_api import sync_playwright

        self._pw = sync_playwright().start()
        try:
            self.browser = self._pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS,
                                                    headless=True, timeout=60_000)
        except Exception:
            self._pw.stop()
            raise
        self.version = self.browser.version

    def open(self, path: Path, media: Optional[str] = None) -> Visit:
        """Open ``path`` as a file:// URL; anything else the page asks for is aborted and counted."""
        context = self.browser.new_context(viewport=VIEWPORT, device_scale_factor=1, offline=True,
                                           service_workers="block", java_script_enabled=True)
        page = context.new_page()
        url = Path(path).resolve().as_uri()
        visit = Visit(page, context, url)

        def route(r):
            if r.request.url.startswith("file:"):
                r.continue_()
            else:
                visit.blocked.append(r.request.url)
                r.abort("blockedbyclient")

        context.route("**/*", route)
        page.on("request", lambda req: visit.requests.append(req.url))
        page.on("websocket", lambda ws: visit.blocked.append(ws.url))
        page.on("console", lambda m: visit.console_errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: visit.page_errors.append(str(e)))
        if media:  # never by default: a page emulating "screen" would print with screen CSS
            page.emulate_media(media=media)
        page.goto(url, wait_until="load")
        page.evaluate("document.fonts.ready.then(() => true)")
        return visit

    def close(self) -> None:
        try:
            self.browser.close()
        finally:
            self._pw.stop()


# --- tables ---------------------------------------------------------------------------------
GRID_JS = """(table) => {
  const taken = new Set(), cells = [];
  const rows = [...table.rows];
  rows.forEach((tr, r) => {
    let c = 0;
    for (const cell of tr.cells) {
      while (taken.has(r + ',' + c)) c++;
      const rs = cell.rowSpan, cs = cell.colSpan;
      for (let i = 0; i < rs; i++) for (let j = 0; j < cs; j++) taken.add((r + i) + ',' + (c + j));
      const b = cell.getBoundingClientRect();
      cells.push({r, c, rs, cs, text: cell.innerText.replace(/\\s+/g, ''), cls: cell.className,
                  left: b.left, right: b.right, top: b.top, bottom: b.bottom});
      c += cs;
    }
  });
  const trs = rows.map(tr => {
    const b = tr.getBoundingClientRect(), s = getComputedStyle(tr);
    return {top: b.top, bottom: b.bottom, height: b.height,
            shown: b.height > 0 && s.visibility === 'visible' && s.display !== 'none'};
  });
  const b = table.getBoundingClientRect();
  return {cls: table.className, cells, rows: trs,
          box: {left: b.left, right: b.right, top: b.top, bottom: b.bottom},
          page: document.documentElement.clientWidth};
}"""


@dataclass
class Grid:
    """A rendered table: every cell at its grid slot with its box, and the rows' boxes."""

    cls: str
    cells: list[dict]
    rows: list[dict]
    box: dict
    page_width: float

    @classmethod
    def measure(cls, locator) -> "Grid":
        g = locator.evaluate(GRID_JS)
        return cls(g["cls"], g["cells"], g["rows"], g["box"], g["page"])

    @property
    def n_cols(self) -> int:
        return max(c["c"] + c["cs"] for c in self.cells)

    def cell(self, text: str) -> dict:
        found = [c for c in self.cells if c["text"] == text]
        assert len(found) == 1, f"{self.cls}: {len(found)} cells read {text!r}"
        return found[0]

    def col_edges(self) -> tuple[dict[int, float], dict[int, float]]:
        """Left and right edge of each grid column, from the cells that span one column."""
        left, right = {}, {}
        for c in self.cells:
            if c["cs"] == 1:
                left.setdefault(c["c"], c["left"])
                right.setdefault(c["c"], c["right"])
        return left, right

    def row_edges(self) -> tuple[dict[int, float], dict[int, float]]:
        top, bottom = {}, {}
        for c in self.cells:
            if c["rs"] == 1:
                top.setdefault(c["r"], c["top"])
                bottom.setdefault(c["r"], c["bottom"])
        return top, bottom

    def misplaced(self, tol: float = 1.5) -> list[str]:
        """Merged cells whose box is not the union of the grid slots their spans claim."""
        left, right = self.col_edges()
        top, bottom = self.row_edges()
        bad = []
        for c in self.cells:
            if c["rs"] == 1 and c["cs"] == 1:
                continue
            want = {"left": left.get(c["c"]), "right": right.get(c["c"] + c["cs"] - 1),
                    "top": top.get(c["r"]), "bottom": bottom.get(c["r"] + c["rs"] - 1)}
            for side, value in want.items():
                if value is not None and abs(c[side] - value) > tol:
                    bad.append(f"{self.cls}: {c['text'][:12]!r} {side} {c[side]:.1f}, grid says {value:.1f}")
        return bad


# --- fonts ----------------------------------------------------------------------------------
def platform_fonts(page, selector: str) -> list[dict]:
    """Fonts Chromium used for the text directly inside the first element matching ``selector``."""
    cdp = page.context.new_cdp_session(page)
    try:
        cdp.send("DOM.enable")
        cdp.send("CSS.enable")
        root = cdp.send("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
        node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
        assert node, f"no element {selector!r}"
        return cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    finally:
        cdp.detach()


GLYPHS_JS = """([selector, chars]) => {
  // Draw each character alone with the element's font; tofu boxes all look alike.
  const el = document.querySelector(selector), s = getComputedStyle(el);
  const canvas = document.createElement('canvas'); canvas.width = 64; canvas.height = 64;
  const ctx = canvas.getContext('2d', {willReadFrequently: true});
  return chars.map(ch => {
    ctx.clearRect(0, 0, 64, 64); ctx.fillStyle = '#000';
    ctx.font = `48px ${s.fontFamily}`; ctx.textBaseline = 'top'; ctx.fillText(ch, 4, 4);
    const d = ctx.getImageData(0, 0, 64, 64).data; let ink = 0, h = 0;
    for (let i = 3; i < d.length; i += 4) { if (d[i]) ink++; h = (h * 31 + d[i]) >>> 0; }
    return {ch, ink, hash: h};
  });
}"""


# --- print ----------------------------------------------------------------------------------
A4_PT = (595.28, 841.89)


@dataclass
class PrintedRow:
    cells: list[tuple[str, set[int]]]  # (tag, pages its content is on) per TH/TD

    @property
    def pages(self) -> set[int]:
        return set().union(*(p for _, p in self.cells)) if self.cells else set()


def printed_rows(pdf: bytes) -> tuple[int, list[tuple[float, float]], list[PrintedRow]]:
    """Pages, their sizes (pt) and, per table row of a *tagged* PDF, the pages of each cell's content."""
    import pypdf
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    reader = pypdf.PdfReader(io.BytesIO(pdf))
    page_no = {p.indirect_reference.idnum: i for i, p in enumerate(reader.pages)}
    sizes = [(float(p.mediabox.width), float(p.mediabox.height)) for p in reader.pages]

    def kids(el) -> list:
        k = el.get("/K")
        return [] if k is None else list(k) if isinstance(k, ArrayObject) else [k]

    def pages_of(el, page=None) -> set[int]:
        el = el.get_object() if isinstance(el, IndirectObject) else el
        if not isinstance(el, DictionaryObject):  # a marked-content id on the inherited page
            return {page} if page is not None else set()
        if "/Pg" in el:
            page = page_no[el.raw_get("/Pg").idnum]
        if el.get("/Type") in ("/MCR", "/OBJR"):
            return {page} if page is not None else set()
        out: set[int] = set()
        for kid in kids(el):
            out |= pages_of(kid, page)
        return out

    rows: list[PrintedRow] = []

    def walk(el) -> None:
        el = el.get_object()
        if not isinstance(el, DictionaryObject):
            return
        if el.get("/S") == "/TR":
            cells = []
            for kid in kids(el):
                kid = kid.get_object()
                if isinstance(kid, DictionaryObject) and kid.get("/S") in ("/TH", "/TD"):
                    cells.append((str(kid["/S"])[1:], pages_of(kid)))
            rows.append(PrintedRow(cells))
            return
        for kid in kids(el):
            walk(kid)

    root = reader.trailer["/Root"].get("/StructTreeRoot")
    if root is not None:
        walk(root)
    return len(reader.pages), sizes, rows


ROWSPANS_JS = """() => [...document.querySelectorAll('table')].flatMap(t => [...t.rows].map(tr =>
  ({table: t.className, text: tr.innerText.replace(/\\s+/g, ' ').trim().slice(0, 40),
    spans: [...tr.cells].map(c => c.rowSpan),
    // <thead>/<tfoot> rows are printed again on every page the table runs over
    repeated: ['THEAD', 'TFOOT'].includes(tr.parentElement.tagName)})))"""
