"""The official-document look of a Word file (GB/T 9704-2012) and its reproducible packaging.

Page: A4, margins top 37 / bottom 35 / left 28 / right 26 mm, 22 lines of 28 characters.
Type: title 小标宋 2号 (22 pt); body 仿宋_GB2312 3号 (16 pt); 一、 headings 黑体, （一） headings
楷体_GB2312; page numbers 4号 宋体 "— 1 —" at the bottom, outside (odd right, even left).

Fonts are set for East Asian text (``w:rFonts w:eastAsia``) so Word and WPS use them; the
font table names a substitute for each (``w:altName``: the Windows font of the same style)
and ``w:family``/``w:charset`` hints (roman = serif, swiss = sans, 86 = GB2312), which is
what LibreOffice's fallback goes by on a machine without them.
"""
from __future__ import annotations

import datetime as dt
import io
import zipfile
from dataclasses import dataclass

from lxml import etree
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt

PAGE = {"width": Mm(210), "height": Mm(297), "top": Mm(37), "bottom": Mm(35), "left": Mm(28),
        "right": Mm(26), "footer": Mm(28 - 7)}
LINE = Pt(28.95)   # 22 lines in the 225 mm text block
BODY_PT, TITLE_PT, PAGE_NUMBER_PT = 16, 22, 14


@dataclass(frozen=True)
class Font:
    name: str       # what the document asks for (the official font)
    alt: str        # Windows' font of the same style, for Word/WPS without the official one
    family: str     # roman (serif) | swiss (sans) | script — LibreOffice's fallback hint


TITLE = Font("方正小标宋简体", "华文中宋", "roman")
BODY = Font("仿宋_GB2312", "仿宋", "roman")
HEI = Font("黑体", "SimHei", "swiss")
KAI = Font("楷体_GB2312", "楷体", "script")
SONG = Font("宋体", "SimSun", "roman")
FONTS = (TITLE, BODY, HEI, KAI, SONG)


def set_fonts(element, font: Font) -> None:
    """Give a run or style (or a bare ``w:rPr``) explicit fonts for every script, no theme fonts."""
    rpr = element if element.tag == qn("w:rPr") else element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    for attr in list(rfonts.attrib):
        del rfonts.attrib[attr]
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(attr), font.name)
    rfonts.set(qn("w:hint"), "eastAsia")


def _set_lang(rpr) -> None:
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")


def _style(doc, name: str, font: Font, size: float, *, align=None, indent: float = 0,
           before: float = 0, after: float = 0, line=LINE, bold: bool = False):
    style = doc.styles[name]
    set_fonts(style.element, font)
    style.font.size, style.font.bold, style.font.italic = Pt(size), bold, False
    style.font.color.rgb = None
    color = style.element.rPr.find(qn("w:color"))
    if color is not None:
        style.element.rPr.remove(color)
    pf = style.paragraph_format
    pf.alignment = align
    pf.first_line_indent = Pt(indent) if indent else None
    pf.space_before, pf.space_after = Pt(before), Pt(after)
    pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    pf.line_spacing = line
    pf.keep_with_next = name.startswith("Heading") or name == "Title"
    return style


def apply_styles(doc) -> None:
    """Document defaults, body, title, headings, caption and footer in the official style."""
    rpr_default = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    set_fonts(rpr_default, BODY)
    _set_lang(rpr_default)
    _style(doc, "Normal", BODY, BODY_PT, align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent=2 * BODY_PT)
    _style(doc, "Title", TITLE, TITLE_PT, align=WD_ALIGN_PARAGRAPH.CENTER, after=BODY_PT * 2, line=Pt(35))
    title = doc.styles["Title"].element.pPr
    for border in title.findall(qn("w:pBdr")):   # the template's blue rule under the title
        title.remove(border)
    _style(doc, "Heading 1", HEI, BODY_PT, align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent=2 * BODY_PT)
    _style(doc, "Heading 2", KAI, BODY_PT, align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent=2 * BODY_PT)
    _style(doc, "Caption", BODY, 14, align=WD_ALIGN_PARAGRAPH.CENTER, after=6)
    _style(doc, "Footer", SONG, PAGE_NUMBER_PT, line=Pt(18))
    _style(doc, "Header", SONG, PAGE_NUMBER_PT, line=Pt(18))
    _font_table(doc)


def _font_table(doc) -> None:
    part = doc.part.part_related_by(RT.FONT_TABLE)
    root = parse_xml(part.blob)
    for font in FONTS:
        el = parse_xml(f'<w:font {nsdecls("w")} w:name="{font.name}"><w:altName w:val="{font.alt}"/>'
                       f'<w:charset w:val="86"/><w:family w:val="{font.family}"/>'
                       f'<w:pitch w:val="variable"/></w:font>')
        root.append(el)
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def page_setup(doc) -> None:
    """A4, the official margins, different odd/even footers with outside page numbers."""
    sec = doc.sections[0]
    sec.page_width, sec.page_height = PAGE["width"], PAGE["height"]
    sec.top_margin, sec.bottom_margin = PAGE["top"], PAGE["bottom"]
    sec.left_margin, sec.right_margin = PAGE["left"], PAGE["right"]
    sec.footer_distance, sec.header_distance = PAGE["footer"], Mm(15)
    doc.settings.odd_and_even_pages_header_footer = True
    _page_number(sec.footer.paragraphs[0], WD_ALIGN_PARAGRAPH.RIGHT)
    _page_number(sec.even_page_footer.paragraphs[0], WD_ALIGN_PARAGRAPH.LEFT)


def _page_number(par, align) -> None:
    """"— PAGE —" one character in from the outside edge (GB/T 9704 7.5)."""
    par.alignment = align
    one_char = Pt(PAGE_NUMBER_PT)
    if align == WD_ALIGN_PARAGRAPH.RIGHT:
        par.paragraph_format.right_indent = one_char
    else:
        par.paragraph_format.left_indent = one_char
    par.add_run("— ")
    run = par.add_run()
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
        if kind:
            fld = OxmlElement("w:fldChar")
            fld.set(qn("w:fldCharType"), kind)
            run._r.append(fld)
        else:
            el = OxmlElement("w:instrText" if text.strip() == "PAGE" else "w:t")
            el.set(qn("xml:space"), "preserve")
            el.text = text
            run._r.append(el)
    par.add_run(" —")


def core_properties(doc, title: str, author: str, published: dt.date) -> None:
    """Fixed metadata: created and modified at the publication date, no machine's clock."""
    cp = doc.core_properties
    when = dt.datetime.combine(published, dt.time(0, 0))
    cp.title, cp.author, cp.last_modified_by = title, author, author
    cp.created = cp.modified = when
    cp.revision = 1
    cp.language = "zh-CN"
    cp.comments = ""


def drop_thumbnail(doc) -> None:
    """python-docx's template carries a picture of some other document; not ours to ship."""
    rels = doc.part.package.rels
    for r_id in [k for k, rel in rels.items() if rel.reltype == RT.THUMBNAIL]:
        rels.pop(r_id)


def fixed_zip(data: bytes, published: dt.date) -> bytes:
    """Repack the .docx with every member dated at the publication date, in a fixed order."""
    stamp = (max(published.year, 1980), published.month, published.day, 0, 0, 0)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            member = zipfile.ZipInfo(info.filename, date_time=stamp)
            member.compress_type, member.create_system = zipfile.ZIP_DEFLATED, 0
            member.external_attr = 0
            dst.writestr(member, src.read(info.filename))
    return out.getvalue()
