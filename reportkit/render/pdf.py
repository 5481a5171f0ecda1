"""PDF from the finished report HTML, printed by headless Chromium.

Chromium's ``--print-to-pdf`` gives an A4, tagged PDF (headings, paragraphs and tables in
the structure tree) titled by the page's ``<title>``. The page gets one more stylesheet
(``templates/pdf/print.css``): page numbers in ``@page`` margin boxes, rows that never
split, table heads that repeat, and one TrueType CJK font (WenQuanYi Micro Hei, from Debian's
fonts-wqy-microhei), which Chromium embeds as a subset. The only varying
bytes Chromium writes are the creation and modification dates: they are set to the
publication date, in place and at the same length, so nothing else of the file moves.
"""
from __future__ import annotations

import datetime as dt
import io
import os
import re
import shutil
import subprocess
import tempfile
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Optional, Union

from bs4 import BeautifulSoup

from ..errors import RenderFailed
from ..templating import TEMPLATES
from .htmldoc import read

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
FONT_FILES = ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",)
TIMEOUT = 120
_PDF_DATE = re.compile(rb"/(CreationDate|ModDate) \(D:(\d{14})([^)]*)\)")


def find_chromium() -> str:
    """The Chromium to print with: ``$REPORTKIT_CHROMIUM`` or the first on ``PATH``."""
    named = os.environ.get("REPORTKIT_CHROMIUM")
    candidates = [named] if named else [shutil.which(n) for n in CHROMIUM_NAMES]
    for path in candidates:
        if path and Path(path).is_file() and os.access(path, os.X_OK):
            return path
    raise RenderFailed(
        "生成 PDF 需要 Chromium，但没有找到" + (f"（REPORTKIT_CHROMIUM={named} 不可执行）" if named else "")
        + "。请安装（Debian/Ubuntu：sudo apt-get install chromium，或运行 make browser-deps），"
        "或用环境变量 REPORTKIT_CHROMIUM 指明其路径；也可以不加 --format pdf 只生成网页和 Word。",
        field="--format pdf", expected="chromium", found="无")


@lru_cache(maxsize=1)
def font_bytes() -> bytes:
    """WenQuanYi Micro Hei (Debian's fonts-wqy-microhei, Apache 2.0) as one TrueType font.

    Chromium embeds a TrueType font as a CID subset, but draws CFF fonts (Noto CJK) and fonts
    from a collection (.ttc) as Type 3 glyphs: so the first face of the collection is taken out.
    """
    for path in FONT_FILES:
        if Path(path).is_file():
            from fontTools.ttLib import TTCollection  # matplotlib's dependency; only needed here
            out = io.BytesIO()
            TTCollection(path, recalcTimestamp=False).fonts[0].save(out)  # same bytes every time
            return out.getvalue()
    raise RenderFailed("生成 PDF 需要文泉驿微米黑字体，但没有找到（" + "、".join(FONT_FILES) + "）。"
                       "请安装（Debian/Ubuntu：sudo apt-get install fonts-wqy-microhei，或运行 make browser-deps）。",
                       field="--format pdf", expected="fonts-wqy-microhei", found="无")


def print_css(font_url: str) -> str:
    """The PDF stylesheet, with the font's location."""
    face = f'@font-face {{ font-family: "reportkit-cjk"; src: url("{font_url}"); }}\n'
    return face + (TEMPLATES / "pdf" / "print.css").read_text(encoding="utf-8")


def printable(html: Union[bytes, str], font_url: str) -> str:
    """The report page with the PDF stylesheet added at the end of its ``<head>``."""
    soup = BeautifulSoup(html, "lxml")
    head = soup.head or soup.html.insert(0, soup.new_tag("head")) or soup.head
    style = soup.new_tag("style")
    style.string = print_css(font_url)
    head.append(style)
    return str(soup)


def html_to_pdf(html_path: Union[str, Path], published: Optional[dt.date] = None) -> bytes:
    """The PDF bytes of one report page (an HTML file); raises :class:`RenderFailed`."""
    html_path = Path(html_path)
    html = html_path.read_bytes()
    published = published or read(html).published or dt.date(2000, 1, 1)
    chromium = find_chromium()
    with tempfile.TemporaryDirectory(prefix="reportkit-pdf-") as tmp:
        page, out = Path(tmp) / "page.html", Path(tmp) / "page.pdf"
        font = Path(tmp) / "cjk.ttf"
        font.write_bytes(font_bytes())
        page.write_text(printable(html, font.as_uri()), encoding="utf-8")
        cmd = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-extensions",
               "--no-first-run", "--disable-background-networking", f"--user-data-dir={tmp}/profile",
               "--no-pdf-header-footer", "--run-all-compositor-stages-before-draw",
               f"--print-to-pdf={out}", page.as_uri()]
        try:
            done = subprocess.run(cmd, capture_output=True, timeout=TIMEOUT,
                                  env={**os.environ, "TZ": "UTC", "LANG": "C.UTF-8"})
        except subprocess.TimeoutExpired:
            raise RenderFailed(f"Chromium 在 {TIMEOUT} 秒内没有打印完", file=str(html_path),
                               field="PDF") from None
        except OSError as exc:
            raise RenderFailed(f"无法启动 Chromium（{chromium}）：{exc.strerror or exc}",
                               file=str(html_path), field="PDF") from None
        if done.returncode != 0 or not out.is_file() or out.stat().st_size == 0:
            tail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["无输出"]
            raise RenderFailed(f"Chromium 打印失败（退出码 {done.returncode}）：{tail[0][:200]}",
                               file=str(html_path), field="PDF")
        return fixed_dates(out.read_bytes(), published)


def fixed_dates(pdf: bytes, published: dt.date) -> bytes:
    """Set /CreationDate and /ModDate to the publication date, keeping every byte offset."""
    stamp = published.strftime("%Y%m%d000000").encode()

    def same_length(m: re.Match) -> bytes:
        tail = m.group(3)
        zero = b"+00'00'"[:len(tail)] if tail.startswith((b"+", b"-", b"Z")) else tail
        return b"/" + m.group(1) + b" (D:" + stamp + zero.ljust(len(tail), b"'") + b")"

    return _PDF_DATE.sub(same_length, pdf)
