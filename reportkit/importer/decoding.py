"""Bytes → text for the text forms (HTML, markdown, plain text): BOM, UTF-8, declared charset, GBK."""
from __future__ import annotations

import codecs
import re
from typing import Optional

from ..errors import ImportFailed

_GBK_NAMES = {"gb2312", "gbk", "gb_2312-80", "gb18030", "x-gbk", "cp936", "euc-cn"}
_DECLARED = re.compile(rb"""charset\s*=\s*["']?([A-Za-z0-9_.:-]{1,40})""", re.I)


def _text_codec(name: str) -> Optional[str]:
    """The codec for a declared charset when it is a real text encoding (not base64, idna …)."""
    try:
        info = codecs.lookup(name)
    except (LookupError, ValueError):
        return None
    if not getattr(info, "_is_text_encoding", True) or info.name in ("idna", "punycode", "raw-unicode-escape",
                                                                      "unicode-escape", "utf-7"):
        return None
    return info.name


def decode(data: bytes, source: str) -> tuple[str, str]:
    """Text and a description of its encoding: BOM, valid UTF-8, the declared charset, GBK."""
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8", errors="replace"), "UTF-8 (BOM)"
    for bom, enc in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            return data[2:].decode(enc, errors="replace"), "UTF-16"
    m = _DECLARED.search(data[:8192])
    declared = m.group(1).decode("ascii").lower() if m else None
    said = f"（声明为 {declared}）" if declared else "（未声明）"
    try:
        return data.decode("utf-8"), "UTF-8" + (said if declared and "utf" not in declared else "")
    except UnicodeDecodeError:
        pass
    order = []
    if declared:
        codec = "gb18030" if declared in _GBK_NAMES else _text_codec(declared)
        if codec is None:
            said = f"（声明的字符集 {declared} 无法识别，按 GBK 读）"
        else:
            order.append(codec)
    order.append("gb18030")
    for enc in order:
        try:
            text = data.decode(enc)
        except (UnicodeError, LookupError, ValueError):
            continue
        return text, ("GBK" if enc == "gb18030" else enc) + said
    raise ImportFailed("既不是 UTF-8 也不是 GBK 文本，无法解码" + (f"；声明的字符集为 {declared}" if declared else ""),
                       file=source, expected="UTF-8 或 GBK", found=declared)
