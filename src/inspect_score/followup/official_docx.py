"""The bulletin as a Word document laid out to GB/T 9704-2012 (党政机关公文格式).

As a sub-district's own documents are printed: A4, margins 37 mm (top), 35 mm
(bottom), 28 mm (left), 26 mm (right); the title in 2号 (22 pt) 小标宋, centred;
the 主送 line, body text, 落款 and 附件说明 in 3号 (16 pt) 仿宋 on a fixed 28-pt
line; 一级标题 in 黑体 and 二级标题 in 楷体, both at 3号 and indented two
characters like the body; page numbers "— 1 —" in 4号 宋体 at the foot; the
appendix (the results table) on a page of its own, its header row repeated on
every page and no row split across pages.

Each paragraph role is a named style of the document (公文标题, 公文正文, ...),
so an office can change a font for the whole document in one place. The
document names its fonts with Windows' standard faces as fallbacks
(方正小标宋简体 → 宋体, 仿宋_GB2312 → 仿宋, 楷体_GB2312 → 楷体), so Word and WPS
use an installed face where the 公文 fonts are missing. Nothing refers to the
Word theme: python-docx's default styles do (theme fonts and colours), and
they are overridden here, so the document looks the same on every machine.
"""

from __future__ import annotations

import copy
import datetime
import io
import itertools
import math
import re
import unicodedata
import zipfile
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

import attrs
from lxml import etree  # type: ignore[import-untyped]  # python-docx's XML library; no stubs

from inspect_score.outputs import escape
from inspect_score.outputs.print_style import display_width


class Block(Protocol):
    """A piece of a document: its kind (a paragraph role, or ``table``), its text, and a
    table's rows (the bulletin's :class:`~inspect_score.followup.bulletin.Block`)."""

    @property
    def kind(self) -> str: ...
    @property
    def text(self) -> str: ...
    @property
    def rows(self) -> tuple[tuple[str, ...], ...]: ...
    @property
    def breaks(self) -> tuple[int, ...]: ...


class Document(Protocol):
    """What is laid out: the blocks in order and the title (a bulletin)."""

    @property
    def blocks(self) -> Sequence[Block]: ...
    @property
    def title(self) -> str: ...

#: Every member of a .docx is stamped with this time, so the same inputs give the same bytes.
ZIP_TIME = (2000, 1, 1, 0, 0, 0)
PINNED_TIME = datetime.datetime(2000, 1, 1, 0, 0, 0)

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
#: Attributes by which a style takes its font or its colour from the theme.
THEME_ATTRIBUTES = frozenset(f"{{{W}}}{name}" for name in (
    "asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme", "themeColor", "themeShade",
    "themeTint", "themeFill", "themeFillShade", "themeFillTint"))

#: Page and margins in millimetres (GB/T 9704-2012, 5.2.1 and 5.2.2).
PAGE_MM = (210, 297)
MARGINS_MM = {"top": 37, "bottom": 35, "left": 28, "right": 26}
#: The page number sits 7 mm below the text block.
FOOTER_MM = 35 - 7 - 5
#: Font sizes in points: 2号 title, 3号 text, 4号 page numbers.
TITLE_PT = 22
BODY_PT = 16
PAGE_NUMBER_PT = 14
LINE_PT = 28
#: The width of a digit, in ems, allowed in a squeezed table's columns of numbers.
DIGIT_EM = 0.65
#: A cell holding a number ("101.50", "-3", "12").
_NUMBER = re.compile(r"[-+]?\d+(\.\d+)?%?")
#: Table text sizes tried in turn (小四, 五号, 小五) until every column fits the width.
TABLE_PT = (12, 10.5, 9)
#: Word's default cell margins, left plus right, in points.
CELL_PADDING_PT = 11.5
LATIN_FONT = "Times New Roman"


@attrs.frozen
class Face:
    """A font as the document names it, and the installed face Word/WPS fall back to."""

    name: str
    fallback: str | None = None


FACES: Mapping[str, Face] = {
    "title": Face("方正小标宋简体", "宋体"),
    "body": Face("仿宋_GB2312", "仿宋"),
    "heading": Face("黑体"),
    "subheading": Face("楷体_GB2312", "楷体"),
    "page": Face("宋体"),
}


@attrs.frozen
class Role:
    """How one kind of paragraph looks: its style name, face, size and placement."""

    style: str
    face: str
    size: float
    align: str = "justify"
    indent_chars: float = 0
    right_chars: float = 0
    line: float = LINE_PT
    space_before: float = 0
    space_after: float = 0
    outline: int | None = None
    page_break_before: bool = False
    keep_with_next: bool = False


ROLES: Mapping[str, Role] = {
    "title": Role("公文标题", "title", TITLE_PT, align="center", line=36, space_after=LINE_PT),
    "recipients": Role("公文主送", "body", BODY_PT, align="left"),
    "paragraph": Role("公文正文", "body", BODY_PT, indent_chars=2),
    "item": Role("公文正文", "body", BODY_PT, indent_chars=2),
    "heading": Role("公文一级标题", "heading", BODY_PT, indent_chars=2, outline=0,
                    keep_with_next=True),
    "subheading": Role("公文二级标题", "subheading", BODY_PT, indent_chars=2, outline=1,
                       keep_with_next=True),
    # the 附件说明 and the 落款 go with the end of the text (GB/T 9704-2012, 7.3.5): never a
    # page holding the issuer and the date alone
    "appendix_note": Role("公文附件说明", "body", BODY_PT, align="left", indent_chars=2,
                          space_before=LINE_PT, keep_with_next=True),
    "issuer": Role("公文落款", "body", BODY_PT, align="right", right_chars=4,
                   space_before=2 * LINE_PT, keep_with_next=True),
    "date": Role("公文成文日期", "body", BODY_PT, align="right", right_chars=4),
    "appendix_label": Role("公文附件标识", "heading", BODY_PT, align="left",
                           page_break_before=True),
    "appendix_title": Role("公文附件标题", "title", TITLE_PT, align="center", line=36,
                           space_before=LINE_PT / 2, space_after=LINE_PT / 2),
}

ALIGN = {"left": "left", "center": "center", "right": "right", "justify": "both"}


def _w(name: str) -> str:
    return f"{{{W}}}{name}"


#: The order the schema gives the children of run, paragraph and table properties: Word
#: refuses a document whose elements are out of order.
ORDER: Mapping[str, tuple[str, ...]] = {
    "rPr": ("rStyle", "rFonts", "b", "bCs", "i", "iCs", "caps", "smallCaps", "strike",
            "dstrike", "outline", "shadow", "emboss", "imprint", "noProof", "snapToGrid",
            "vanish", "webHidden", "color", "spacing", "w", "kern", "position", "sz", "szCs",
            "highlight", "u", "effect", "bdr", "shd", "fitText", "vertAlign", "rtl", "cs", "em",
            "lang", "eastAsianLayout", "specVanish", "oMath"),
    "pPr": ("pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl",
            "numPr", "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens",
            "kinsoku", "wordWrap", "overflowPunct", "topLinePunct", "autoSpaceDE",
            "autoSpaceDN", "bidi", "adjustRightInd", "snapToGrid", "spacing", "ind",
            "contextualSpacing", "mirrorIndents", "suppressOverlap", "jc", "textDirection",
            "textAlignment", "textboxTightWrap", "outlineLvl", "divId", "cnfStyle", "rPr",
            "sectPr", "pPrChange"),
    "tblPr": ("tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize",
              "tblStyleColBandSize", "tblW", "jc", "tblCellSpacing", "tblInd", "tblBorders",
              "shd", "tblLayout", "tblCellMar", "tblLook"),
}


def _in_order(element: Any) -> None:
    """Put the children of a properties element in the schema's order."""
    local = etree.QName(element).localname
    order = ORDER[local]
    children = list(element)
    children.sort(key=lambda child: order.index(etree.QName(child).localname)
                  if etree.QName(child).localname in order else len(order))
    for child in children:
        element.remove(child)
        element.append(child)


def _element(name: str, **attributes: str) -> Any:
    from docx.oxml import OxmlElement

    element = OxmlElement(f"w:{name}")
    for key, value in attributes.items():
        element.set(_w(key), value)
    return element


def _replace(properties: Any, element: Any) -> None:
    """Set ``element`` in a properties element, in place of any child of the same name: the
    schema allows each setting once."""
    for old in properties.findall(element.tag):
        properties.remove(old)
    properties.append(element)


def _strip_theme(root: Any) -> None:
    """Remove every reference to the theme: theme fonts and theme colours (a colour that
    came from the theme becomes black)."""
    for element in root.iter():
        theme = [name for name in element.attrib if name in THEME_ATTRIBUTES]
        if not theme:
            continue
        for name in theme:
            del element.attrib[name]
        if element.tag == _w("color"):
            element.set(_w("val"), "000000")
        if element.tag == _w("rFonts") and not element.attrib:
            element.set(_w("ascii"), LATIN_FONT)
            element.set(_w("hAnsi"), LATIN_FONT)


def _set_fonts(r_pr: Any, face: Face) -> None:
    """East Asian text in ``face``, Latin text and digits in Times New Roman."""
    fonts = r_pr.find(_w("rFonts"))
    if fonts is None:
        fonts = _element("rFonts")
        r_pr.insert(0, fonts)
    for name in list(fonts.attrib):
        del fonts.attrib[name]
    fonts.set(_w("ascii"), LATIN_FONT)
    fonts.set(_w("hAnsi"), LATIN_FONT)
    fonts.set(_w("eastAsia"), face.name)
    fonts.set(_w("cs"), LATIN_FONT)
    fonts.set(_w("hint"), "eastAsia")


def _character_format(r_pr: Any, face: Face, size: float) -> None:
    _set_fonts(r_pr, face)
    for name in ("b", "bCs", "i", "color", "sz", "szCs"):
        for old in r_pr.findall(_w(name)):
            r_pr.remove(old)
    half_points = str(round(size * 2))
    r_pr.append(_element("color", val="000000"))
    r_pr.append(_element("sz", val=half_points))
    r_pr.append(_element("szCs", val=half_points))
    _in_order(r_pr)


def _style(document: Any, key: str) -> Any:
    """The paragraph style of a role, made once per document."""
    from docx.enum.style import WD_STYLE_TYPE
    from docx.shared import Pt

    role = ROLES[key]
    styles = document.styles
    if role.style in [style.name for style in styles]:
        return styles[role.style]
    style = styles.add_style(role.style, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = styles["Normal"]
    style.quick_style = True
    _character_format(style.element.get_or_add_rPr(), FACES[role.face], role.size)
    paragraph = style.paragraph_format
    paragraph.first_line_indent = Pt(role.size * role.indent_chars) if role.indent_chars else 0
    paragraph.right_indent = Pt(BODY_PT * role.right_chars) if role.right_chars else 0
    paragraph.left_indent = 0
    paragraph.space_before = Pt(role.space_before)
    paragraph.space_after = Pt(role.space_after)
    paragraph.line_spacing = Pt(role.line)
    from docx.enum.text import WD_LINE_SPACING

    paragraph.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    paragraph.page_break_before = role.page_break_before
    paragraph.keep_with_next = role.keep_with_next
    paragraph.widow_control = True
    p_pr = style.element.get_or_add_pPr()
    p_pr.append(_element("jc", val=ALIGN[role.align]))
    if role.outline is not None:
        p_pr.append(_element("outlineLvl", val=str(role.outline)))
    if role.indent_chars:
        # WPS and Word keep an indent given in characters when the font size changes
        indent = p_pr.find(_w("ind"))
        indent.set(_w("firstLineChars"), str(int(role.indent_chars * 100)))
    _in_order(p_pr)
    return style


def _normal(document: Any) -> None:
    """Document defaults and the Normal style: 仿宋 3号, black, no theme."""
    styles_element = document.styles.element
    _strip_theme(styles_element)
    defaults = styles_element.find(_w("docDefaults"))
    if defaults is not None:
        r_pr = defaults.find(f"{_w('rPrDefault')}/{_w('rPr')}")
        if r_pr is not None:
            _character_format(r_pr, FACES["body"], BODY_PT)
    normal = document.styles["Normal"]
    _character_format(normal.element.get_or_add_rPr(), FACES["body"], BODY_PT)


def _font_table(document: Any) -> None:
    """Name each font of the document with the face to use where it is not installed."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT

    part = document.part.part_related_by(RT.FONT_TABLE)
    root = etree.fromstring(part.blob)
    known = {font.get(_w("name")) for font in root.findall(_w("font"))}
    for face in FACES.values():
        if face.name in known:
            continue
        font = etree.SubElement(root, _w("font"))
        font.set(_w("name"), face.name)
        if face.fallback:
            alternative = etree.SubElement(font, _w("altName"))
            alternative.set(_w("val"), face.fallback)
        charset = etree.SubElement(font, _w("charset"))
        charset.set(_w("val"), "86")  # GB2312
        family = etree.SubElement(font, _w("family"))
        family.set(_w("val"), "modern" if face.name == "黑体" else "roman")
        pitch = etree.SubElement(font, _w("pitch"))
        pitch.set(_w("val"), "variable")
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _page(document: Any) -> None:
    from docx.shared import Mm

    section = document.sections[0]
    section.page_width, section.page_height = Mm(PAGE_MM[0]), Mm(PAGE_MM[1])
    section.top_margin = Mm(MARGINS_MM["top"])
    section.bottom_margin = Mm(MARGINS_MM["bottom"])
    section.left_margin = Mm(MARGINS_MM["left"])
    section.right_margin = Mm(MARGINS_MM["right"])
    section.footer_distance = Mm(FOOTER_MM)
    section.header_distance = Mm(15)
    footer = section.footer.paragraphs[0]
    footer.style = document.styles["Normal"]
    p_pr = footer._p.get_or_add_pPr()
    p_pr.append(_element("jc", val="center"))
    _in_order(p_pr)
    face = FACES["page"]

    def run(text: str | None = None, field: str | None = None, char: str | None = None) -> None:
        r = _element("r")
        r_pr = _element("rPr")
        r.append(r_pr)
        _character_format(r_pr, face, PAGE_NUMBER_PT)
        if char is not None:
            r.append(_element("fldChar", fldCharType=char))
        elif field is not None:
            instruction = _element("instrText")
            instruction.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
            instruction.text = field
            r.append(instruction)
        else:
            t = _element("t")
            t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
            t.text = text
            r.append(t)
        footer._p.append(r)

    # "— 1 —": the number is a PAGE field, so every page shows its own
    run("— ")
    run(char="begin")
    run(field=" PAGE ")
    run(char="separate")
    run("1")
    run(char="end")
    run(" —")


# --- the results table -------------------------------------------------------------------


def text_width_mm() -> float:
    return PAGE_MM[0] - MARGINS_MM["left"] - MARGINS_MM["right"]


def column_widths(rows: Sequence[Sequence[str]], size: float) -> list[float] | None:
    """Column widths in points that keep every body cell and every word of the header on one
    line at ``size`` points, sharing out the room left; None where they cannot fit."""
    available = text_width_mm() / 25.4 * 72
    header, *body = rows
    # a wide character takes the font's size, a digit or letter about half of it
    needed = []
    for index, heading in enumerate(header):
        widest = max((display_width(row[index]) for row in body), default=0)
        # a heading may wrap, but never inside a word: two wide characters at least
        heading_room = min(display_width(heading), 4)
        needed.append(max(widest, heading_room) * size / 2 * 1.08 + CELL_PADDING_PT)
    total = sum(needed)
    if total > available:
        return None
    spare = available - total
    return [width + spare * width / total for width in needed]


def squeezed_widths(rows: Sequence[Sequence[str]], size: float) -> list[float]:
    """Column widths in points for a table too wide for the page at ``size``: a column of
    numbers keeps the width its widest number needs (a total never breaks as "101.5 / 0"),
    the columns of text share what is left, each in proportion to what it needs, and
    wrap (a name over two lines reads; a number split does not)."""
    available = text_width_mm() / 25.4 * 72
    header, *body = rows
    numeric = [bool(body) and all(_NUMBER.fullmatch(row[index]) or not row[index]
                                  for row in body) for index in range(len(header))]
    needed = []
    for index, heading in enumerate(header):
        widest = max((display_width(row[index]) for row in body), default=0)
        # a digit prints wider than half a wide character in the fonts Word and WPS
        # fall back on: room for it, so a number never wraps; a heading may wrap, but
        # never inside a word, two wide characters at least
        per = size * DIGIT_EM if numeric[index] else size / 2 * 1.08
        needed.append(max(widest * per, min(display_width(heading), 4) * size / 2 * 1.08)
                      + CELL_PADDING_PT)
    fixed = sum(width for width, number in zip(needed, numeric, strict=True) if number)
    texts = sum(width for width, number in zip(needed, numeric, strict=True) if not number)
    if not texts or fixed >= available:  # nothing to squeeze but numbers: equal shares
        return [available / len(header)] * len(header)
    scale = (available - fixed) / texts
    return [width if number else width * scale
            for width, number in zip(needed, numeric, strict=True)]


def _table(document: Any, rows: Sequence[Sequence[str]]) -> None:
    from docx.shared import Pt

    size: float = TABLE_PT[-1]
    widths = column_widths(rows, size)
    for candidate in TABLE_PT:
        found = column_widths(rows, candidate)
        if found is not None:
            size, widths = candidate, found
            break
    if widths is None:  # more columns than a portrait page holds at the smallest size
        widths = squeezed_widths(rows, size)
    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    table.autofit = False
    tbl_pr = table._tbl.tblPr
    for old in tbl_pr.findall(_w("tblStyle")):
        tbl_pr.remove(old)
    # python-docx has put in an automatic width and, for autofit = False, a fixed layout:
    # each setting is replaced, never added a second time (Word refuses a repeated one)
    _replace(tbl_pr, _element("tblW", w=str(round(sum(widths) * 20)), type="dxa"))
    _replace(tbl_pr, _element("jc", val="center"))
    borders = _element("tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        borders.append(_element(edge, val="single", sz="4", space="0", color="000000"))
    _replace(tbl_pr, borders)
    _replace(tbl_pr, _element("tblLayout", type="fixed"))
    _in_order(tbl_pr)
    grid = table._tbl.tblGrid
    for column, width in zip(grid.findall(_w("gridCol")), widths, strict=True):
        column.set(_w("w"), str(round(width * 20)))
    body_face, header_face = FACES["body"], FACES["heading"]
    for index, (table_row, values) in enumerate(zip(table.rows, rows, strict=True)):
        tr_pr = table_row._tr.get_or_add_trPr()
        # a row is never split across pages; the header row is repeated on each
        tr_pr.append(_element("cantSplit", val="true"))
        if index == 0:
            tr_pr.append(_element("tblHeader", val="true"))
        for cell, value, width in zip(table_row.cells, values, widths, strict=True):
            cell.width = Pt(width)
            tc_pr = cell._tc.get_or_add_tcPr()
            tc_pr.append(_element("vAlign", val="center"))
            paragraph = cell.paragraphs[0]
            paragraph.style = document.styles["Normal"]
            p_pr = paragraph._p.get_or_add_pPr()
            p_pr.append(_element("spacing", before="0", after="0", line=str(round(size * 1.5 * 20)),
                                 lineRule="exact"))
            p_pr.append(_element("ind", firstLine="0", firstLineChars="0"))
            p_pr.append(_element("jc", val="center"))
            _in_order(p_pr)
            run = paragraph.add_run(escape.paragraph_text(value))
            _character_format(run._r.get_or_add_rPr(), header_face if index == 0 else body_face,
                              size)


# --- titles ----------------------------------------------------------------------------------

#: Characters that never begin a line, and those that never end one (the line-breaking rules
#: of Chinese typesetting): a title is never broken next to them.
NOT_AT_LINE_START = frozenset("，。、；：？！）》」』】〕”’…—·%")
NOT_AT_LINE_END = frozenset("（《「『【〔“‘")
#: Roles whose paragraphs are titles, broken by :func:`title_lines`.
TITLE_ROLES = frozenset({"title", "appendix_title"})


def _wide(char: str) -> bool:
    # in a Chinese font the ambiguous characters (“”、…、—) are as wide as a Chinese one
    return unicodedata.east_asian_width(char) in "WFA"


def _latin(char: str) -> bool:
    return char.isascii() and not char.isspace()


def line_width(text: str, size: float) -> float:
    """Points a line of ``text`` takes at ``size``: a Chinese character the size, a digit or a
    letter half of it, and the quarter of a character Word and LibreOffice put between
    Chinese and a number or a Latin word."""
    width = sum(size if _wide(char) else size / 2 for char in text)
    gaps = sum(1 for before, after in itertools.pairwise(text)
               if (_wide(before) and _latin(after)) or (_latin(before) and _wide(after)))
    return width + gaps * size / 4


def _may_break(text: str, position: int) -> bool:
    """A line may end before ``text[position]``: not inside a number or a Latin word, and not
    next to punctuation that keeps to the character it belongs to."""
    before, after = text[position - 1], text[position]
    return not (_latin(before) and _latin(after)) and after not in NOT_AT_LINE_START \
        and before not in NOT_AT_LINE_END


def title_lines(text: str, breaks: Sequence[int] = (), size: float = TITLE_PT) -> list[str]:
    """The lines of a title set in ``size`` points across the text block (GB/T 9704-2012,
    7.3.1: a title breaks where the sense allows, its lines of fitting lengths).

    A title that fits is one line. Else it is broken at some of ``breaks`` (between the
    phrases the title is made of: "关于2025年上半年" / "社区党建工作考评情况的通报"): the
    fewest lines that fit, none under a quarter of a line, the most even of those. Where no
    such breaks are found, the fewest lines that fit, of even widths, never broken inside a
    number or a word: never a short word left alone on the last line.
    """
    room = text_width_mm() / 25.4 * 72
    total = line_width(text, size)
    if total <= room:
        return [text]
    usable = sorted({position for position in breaks
                     if 0 < position < len(text) and _may_break(text, position)})
    for count in range(1, len(usable) + 1):
        best: tuple[float, list[str]] | None = None
        for cuts in itertools.combinations(usable, count):
            edges = [0, *cuts, len(text)]
            lines = [text[start:end].strip() for start, end in itertools.pairwise(edges)]
            widths = [line_width(line, size) for line in lines]
            if max(widths) > room or min(widths) < room / 4:
                continue
            if best is None or max(widths) - min(widths) < best[0]:
                best = (max(widths) - min(widths), lines)
        if best is not None:
            return best[1]
    return _even_lines(text, size, room)


def _even_lines(text: str, size: float, room: float) -> list[str]:
    """``text`` in the fewest lines that fit ``room``, each ending where the running width is
    nearest an even share."""
    candidates = [position for position in range(1, len(text)) if _may_break(text, position)]
    widths = {position: line_width(text[:position], size) for position in candidates}
    lines = [text]
    for count in range(math.ceil(line_width(text, size) / room), len(text) + 1):
        share = line_width(text, size) / count
        cuts: list[int] = []
        for number in range(1, count):
            later = [position for position in candidates if not cuts or position > cuts[-1]]
            if not later:
                break
            cuts.append(min(later, key=lambda position: abs(widths[position] - number * share)))
        edges = [0, *cuts, len(text)]
        lines = [text[start:end].strip() for start, end in itertools.pairwise(edges)]
        if all(line_width(line, size) <= room for line in lines):
            break
    return [line for line in lines if line]


# --- the document --------------------------------------------------------------------------


def _paragraph(document: Any, block: Block, date: str, keep_with_next: bool = False) -> None:
    from docx.shared import Pt

    # names and texts come from the inputs: what XML refuses and line breaks are left out
    paragraph = document.add_paragraph(style=_style(document, block.kind))
    lines = (title_lines(block.text, block.breaks, ROLES[block.kind].size)
             if block.kind in TITLE_ROLES else [block.text])
    for number, line in enumerate(lines, start=1):
        run = paragraph.add_run(escape.paragraph_text(line))
        if number < len(lines):
            run.add_break()
    if keep_with_next:
        paragraph.paragraph_format.keep_with_next = True
    if block.kind == "issuer":
        # the issuer is centred over the date, which stands four characters from the right
        shift = (display_width(date) - display_width(block.text)) / 4
        paragraph.paragraph_format.right_indent = Pt(
            BODY_PT * max(ROLES["date"].right_chars + shift, 0))


def docx_bytes(bulletin: Document) -> bytes:
    """The bulletin as a .docx laid out to GB/T 9704-2012.

    Core properties carry a pinned date and every zip member a pinned time, so
    the same results give the same bytes.
    """
    import docx

    document = docx.Document()
    _normal(document)
    _font_table(document)
    _page(document)
    body = document.element.body
    for paragraph in list(body.findall(_w("p"))):  # the template's empty first paragraph
        body.remove(paragraph)
    date = "".join(block.text for block in bulletin.blocks if block.kind == "date")
    kinds = [block.kind for block in bulletin.blocks]
    for block, following in zip(bulletin.blocks, [*kinds[1:], ""], strict=True):
        if block.kind == "table":
            _table(document, block.rows)
        else:
            # the text's last paragraph goes to a new page with the 附件说明 and the 落款
            _paragraph(document, block, date, keep_with_next=following == "appendix_note")
    properties = document.core_properties
    properties.title = escape.paragraph_text(bulletin.title)
    properties.author = "inspect-score"
    properties.last_modified_by = "inspect-score"
    properties.created = PINNED_TIME
    properties.modified = PINNED_TIME
    properties.last_printed = PINNED_TIME
    properties.revision = 1
    saved = io.BytesIO()
    document.save(saved)
    return _without_theme(_pinned_zip(saved.getvalue()))


def _without_theme(data: bytes) -> bytes:
    """The package with theme references stripped from every part that is not the theme
    itself (python-docx's default template also carries stylesWithEffects.xml)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info)
            if (info.filename.startswith("word/") and info.filename.endswith(".xml")
                    and not info.filename.startswith("word/theme/") and b"heme" in content):
                root = etree.fromstring(content)
                _strip_theme(root)
                content = etree.tostring(root, xml_declaration=True, encoding="UTF-8",
                                         standalone=True)
            member = copy.copy(info)
            target.writestr(member, content)
    return out.getvalue()


def _pinned_zip(data: bytes) -> bytes:
    """The same zip with every member's time pinned (python-docx stamps the current time)."""
    pinned = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, \
            zipfile.ZipFile(pinned, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            member = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            member.compress_type = zipfile.ZIP_DEFLATED
            member.external_attr = 0o644 << 16
            target.writestr(member, source.read(info))
    return pinned.getvalue()
