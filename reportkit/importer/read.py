"""The whole import: sniff the form, read it, resolve the grid, read the text, build params."""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Optional, Union

from ..errors import ImportFailed
from .emit import ID, bureau_id_for
from .flat import read_flat
from .grid import Claims, resolve
from .labels import BIDI, hidden_characters, norm
from . import layout as _layout
from .layout import LAYOUT_2019
from .readers import reader_for
from .result import FORMS, Imported, ImportReport, ReportText
from .text import disclosed_of, fees_of, find_signature_date, narrative_of, parse_title, structure, website_contact

MAX_BYTES = 20 << 20


_PLACE = re.compile(r"^(.{1,20}?(?:自治区|自治州|自治县|特别行政区|省|市|盟|县|旗|区))")
_LOWER_PLACE = re.compile(r"^(.{2,10}?(?:自治县|县|区|旗|镇|乡|街道))")


def _bureau_entry(name: str, text: ReportText, lines: list[str]) -> dict:
    if name.endswith("人民政府"):
        government = name
    else:
        m = _PLACE.match(name)
        place = m.group(1) if m else ""
        lower = _LOWER_PLACE.match(name[len(place):]) if place else None
        if lower:
            place += lower.group(1)
        government = (place + "人民政府") if place else name
    last = name[-1]
    body = "\n".join(lines)
    counts = {w: body.count(w) for w in (f"我{last}", f"本{last}", "本机关", "我单位", "本单位")}
    best = max(counts, key=counts.get)
    entry = {"name": name, "self": best if counts[best] else "本机关", "government": government,
             "level": "county"}
    site, contact = website_contact(text)
    if site:
        entry["website"] = site
    if contact:
        entry["contact"] = contact
    return entry


def read_bytes(data: bytes, source: str, *, year: Optional[int] = None, bureau: Optional[str] = None,
               registry: Optional[dict] = None) -> Imported:
    """Import one published report from its bytes; raises :class:`ImportFailed` if it is none."""
    if not data.strip():
        raise ImportFailed("文件是空的", file=source)
    if len(data) > MAX_BYTES:
        raise ImportFailed(f"文件过大（{len(data)} 字节，至多 {MAX_BYTES} 字节）", file=source)
    reader = reader_for(data, source)
    claims = Claims()
    doc = reader.read(data, source, claims)
    lines, title = doc.lines, doc.title
    if title is None:
        title = _title_over_two_lines(lines)
    _refuse_direction_controls(lines, source)
    lines, removed = _without_invisible(lines)
    report_text = structure(lines, title, doc.facts)
    if any(not claims.has(k) for k in _layout.OFFICIAL) and doc.flat:
        read_flat(lines, claims, only_missing=True)     # rows a table reader left as lines
    if not claims.by_key:
        # an image-only PDF is sniffed as a PDF but read by OCR: say what it really is
        raise ImportFailed("没有找到年报格式的表格（表二、三、四均未识别）", file=source,
                           found=FORMS["ocr"] if doc.kind == "ocr" else reader.label)

    parsed = parse_title(title) if title else None
    if parsed is None and (year is None or (bureau is None or not registry or bureau not in registry)):
        raise ImportFailed("没有找到标题“<机关>YYYY年政府信息公开工作年度报告”：请给出 --year 和 --bureau"
                           "（该机关须已在机关名录中）", file=source)
    entry = registry[bureau] if parsed is None else None
    issuer = parsed[0] if parsed else (entry["name"] if isinstance(entry, dict) else entry.name)
    title_year = parsed[1] if parsed else None
    the_year = int(year) if year is not None else title_year

    official, extra, unmapped = resolve(claims)
    report = ImportReport(source, doc.kind, doc.encoding, cells=official, extra=extra, unmapped=unmapped,
                          notes=list(doc.notes))
    if removed:
        report.notes.append(f"正文中删除了 {removed} 个不可见字符（零宽空格等）")
    if any(claims.has(t.key) for t in _layout.TARGETS if t.layout == "2019" and t.key not in _layout.OFFICIAL):
        report.format = "2019"
        for key in LAYOUT_2019["absent_2021_cells"]:
            if not claims.has(key):
                report.cells[key].reason = "2019 年格式没有这一栏"
    single = [k for k in extra if k.startswith("applications.other_handling.subtotal")]
    items = [k for k in _layout.OFFICIAL if k.startswith("applications.other_handling.") and claims.has(k)]
    if single and not items:
        if report.format == "2021":
            report.deviations.append("（六）其他处理印为一行（2019 年格式），其下三项无数字")
        for k in _layout.OFFICIAL:
            if k.startswith("applications.other_handling.") and report.cells[k].status == "unread":
                report.cells[k].reason = "报告只有（六）其他处理一行（2019 年格式），没有分项"
        report.notes.append("（六）其他处理这一行读入 applications.other_handling.subtotal")
    for g in _layout.SPEC.outcome_groups:
        if g.key != "other_handling" and any(k.startswith(f"applications.{g.key}.subtotal") for k in extra):
            report.deviations.append(f"{g.label}有小计行")
    if "规范性文件" in claims.aliases and report.format == "2021":
        report.deviations.append("“规范性文件”代替“行政规范性文件”")
    for u in claims.unplaced:
        report.notes.append(f"未能归入格式的数字：{u}")
    if year is not None and title_year is not None and int(year) != title_year:
        report.notes.append(f"标题年份为 {title_year}，按 --year 记为 {year}")

    values = {k: c.value if c.status in ("read", "blank") else None for k, c in official.items()}
    for k, c in extra.items():
        values[k] = c.value if c.status in ("read", "blank") else None

    published = find_signature_date(report_text)
    if published is None:
        m = re.search(r"(?:发布|成文)(?:日期|时间)[:：]\s*(\d{4})[-./年](\d{1,2})[-./月](\d{1,2})", "\n".join(lines))
        if m:
            published = dt.date(*(int(x) for x in m.groups()))
            report.notes.append("落款日期未找到，发布日期取自页面的发布时间")
    if published is None:
        report.missing_text.append("published：落款日期（如 2023年1月11日）未找到")
    total, categories = disclosed_of(report_text)
    if total is None:
        report.missing_text.append("disclosed.total：总体情况中“主动公开政府信息N条”未找到")
    fees, fee_missing = fees_of(report_text)
    for k in fee_missing:
        report.missing_text.append(f"processing_fees.{k}：其他需要报告的事项中信息处理费的{_FEE_WORDS[k]}未找到")

    registry = registry or {}
    bureau_id = bureau
    if bureau_id is None:
        bureau_id = next((k for k, v in registry.items()
                          if (v.get("name") if isinstance(v, dict) else getattr(v, "name", None)) == issuer), None)
        bureau_id = bureau_id or bureau_id_for(issuer)
    if not ID.fullmatch(bureau_id):
        raise ImportFailed("机关 id 只能由小写 ASCII 字母、数字和“-”组成", file=source,
                           field="--bureau", expected="如 shengzhou-wglj", found=repr(bureau_id))
    entry = _bureau_entry(issuer, report_text, lines)
    params = build_params(values, published, total, categories, fees, narrative_of(report_text))
    return Imported(source, issuer, the_year, bureau_id, entry, params, values, report, report_text, title_year,
                    bureau_given=bureau is not None)


_FEE_WORDS = {"notices": "收费通知件数", "amount": "通知金额", "collected": "实际收取金额"}


def read_report(path: Union[str, Path], *, year: Optional[int] = None, bureau: Optional[str] = None,
                registry: Optional[dict] = None) -> Imported:
    """Import one published report file, of any form a reader knows (see :mod:`.readers`).

    The size is checked before anything is read, and only that many bytes are read."""
    path = Path(path)
    try:
        if not path.is_file():
            raise ImportFailed("文件不存在或不是普通文件", file=str(path))
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise ImportFailed(f"文件过大（{size} 字节，至多 {MAX_BYTES} 字节）", file=str(path))
        with path.open("rb") as f:
            data = f.read(MAX_BYTES + 1)
    except OSError as exc:
        raise ImportFailed(f"无法读取文件：{exc.strerror or exc}", file=str(path)) from None
    return read_bytes(data, str(path), year=year, bureau=bureau, registry=registry)

def _title_over_two_lines(lines: list[str]) -> Optional[str]:
    """A title a PDF or Word file broke over two lines."""
    for a, b in zip(lines[:40], lines[1:41]):
        if len(norm(a + b)) <= 120 and parse_title(a + b) and not parse_title(b):
            return a + b
    return None


def _refuse_direction_controls(lines: list[str], source: str) -> None:
    """Text with bidi controls can display other than it reads (142 as 241): refused."""
    for i, line in enumerate(lines, 1):
        m = BIDI.search(line)
        if m:
            at = m.start()
            raise ImportFailed("正文中有改变显示方向的控制字符，显示的文字可能与实际不同，拒绝导入", file=source,
                               field=f"正文第 {i} 行“{line[max(0, at - 12):at]}…”",
                               found=f"U+{ord(m.group()):04X}")


def _without_invisible(lines: list[str]) -> tuple[list[str], int]:
    """Zero-width marks removed from the text (they are common in pages exported from Word)."""
    out, removed = [], 0
    for line in lines:
        hidden = set(hidden_characters(line))
        if hidden:
            clean = "".join(ch for ch in line if f"U+{ord(ch):04X}" not in hidden)
            removed += len(line) - len(clean)
            line = clean
        if line:
            out.append(line)
    return out, removed


def build_params(values: dict, published, total, categories, fees, narrative) -> dict:
    """The params mapping in the project's layout; ``None`` where a figure was not read."""
    def v(key):
        return values.get(key)

    proactive: dict = {}
    for row in _layout.SPEC.proactive_rows:
        if row.key in ("regulations", "normative_documents"):
            proactive[row.key] = {c: v(f"proactive.{row.key}.{c}") for c in ("issued", "repealed", "in_force")}
        else:
            proactive[row.key] = v(f"proactive.{row.key}.{'amount' if row.decimal else 'count'}")
    cols = [c.key for c in _layout.SPEC.app_columns]
    applications: dict = {}
    for path in _layout.SPEC.app_leaf_rows():
        figures = [v("applications." + ".".join(path) + f".{c}") for c in cols]
        if len(path) == 1:
            applications[path[0]] = figures
        else:
            applications.setdefault(path[0], {})[path[1]] = figures
    for group in _layout.SPEC.outcome_groups:
        sub = [v(f"applications.{group.key}.subtotal.{c}") for c in cols]
        if any(f"applications.{group.key}.subtotal.{c}" in values for c in cols):
            applications[group.key]["subtotal"] = sub
    review = {g.key: [v(f"review_litigation.{g.key}.{c.key}") for c in _layout.SPEC.review_columns]
              for g in _layout.SPEC.review_groups}
    return {
        "published": published,
        "disclosed": {"total": total, "categories": dict(categories)},
        "proactive": proactive,
        "applications": applications,
        "review_litigation": review,
        "processing_fees": fees,
        "narrative": narrative,
    }

