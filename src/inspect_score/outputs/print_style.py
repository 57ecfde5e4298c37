"""One print style for every workbook the tool writes.

A clerk prints the ranking, the rectification list, the form or the trend and
signs it: every sheet is laid out the same way. A title row says what the
table is ("2025年上半年社区党建工作考评结果"); every cell of the table has a thin
border, the header is bold, centred and repeated on each printed page; columns
are as wide as Chinese text and numbers need (a wide character counts two);
columns that hold sentences wrap; the page is A4 landscape, fitted to the
paper's width (a table too wide to be read so runs on over pages across at full
size, repeating the columns that say whose row it is), with "第 1 页 共 3 页" in
the footer and the print area set to the table, so nothing beside it is printed.

Workbooks ask this module for their formats (:func:`formats`) and for the page
setup (:func:`page_setup`); none sets a border, a paper size or a footer of its
own.
"""

from __future__ import annotations

import unicodedata
import weakref
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal

import attrs

Lang = Literal["zh", "en"]

#: xlsxwriter's paper code for A4.
A4 = 9
#: Page numbers in the footer, as an office numbers its pages.
FOOTERS: Mapping[str, str] = {"zh": "&C第 &P 页 共 &N 页", "en": "&CPage &P of &N"}
#: Column widths, in characters (an East Asian wide character counts 2).
MIN_WIDTH = 6
MAX_WIDTH = 60
#: A column of sentences wraps at this width instead of growing past it.
SENTENCE_WIDTH = 40
#: Widest number of a points column ("103.76") with room around it.
NUMBER_WIDTH = 9
#: A column of numbers under a long heading is at most this wide; the heading wraps.
NUMBER_HEADING_WIDTH = 14
#: Points of one line of the workbook's default font (11 pt), with the line's spacing.
LINE_HEIGHT = 15
#: Margins in inches (xlsxwriter's unit): about 15 mm at the sides, 20 mm top and bottom.
MARGINS = {"left": 0.6, "right": 0.6, "top": 0.75, "bottom": 0.75}
#: Points of the title row's font; the table's own font stays the workbook's default.
TITLE_SIZE = 14
#: What a blank to fill in by hand looks like in a title.
BLANK = "________"

FormatKey = Literal["title", "header", "text", "wrap", "number", "count", "date", "note",
                    "warning", "center", "indented", "link", "sentence"]

_BORDER = {"border": 1}
#: Formats already added to a workbook, by precision: a sheet added later to the same
#: workbook (the rectification list in the run's workbook) shares them.
_FORMATS: weakref.WeakKeyDictionary[Any, dict[int, dict[str, Any]]] = (
    weakref.WeakKeyDictionary())


def display_width(text: str) -> int:
    """Columns ``text`` takes on screen: East Asian wide and full-width characters count 2."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def fit_width(heading: str, texts: Iterable[str] = (), *, minimum: int = MIN_WIDTH,
              maximum: int = MAX_WIDTH) -> int:
    """A column's width: its widest text or its heading, with a character's room each side.

    A heading wider than its cells is not cut ("数"): the column takes the heading's width.
    """
    widest = max((display_width(text) for text in texts if text), default=0)
    return min(max(widest + 2, display_width(heading) + 2, minimum), maximum)


@attrs.frozen
class DocumentTitle:
    """What a document is about: the period inspected and the subject ("社区党建工作").

    Either may be missing; a title then leaves a blank to fill by hand, never
    the rubric's title in its place.
    """

    period: str | None = None
    subject: str | None = None

    def title(self, what: str, lang: Lang = "zh") -> str:
        """"2025年上半年社区党建工作考评结果" for ``what`` = "考评结果"."""
        period = self.period or BLANK
        subject = self.subject or BLANK
        if lang == "en":
            return f"{what}: {subject}, {period}"
        return f"{period}{subject}{what}"


def formats(book: Any, precision: int = 2) -> dict[str, Any]:
    """The cell formats of the print style, added once to the xlsxwriter ``book``.

    ``title``: the title row; ``header``: bold, centred, wrapped, bordered;
    ``text``, ``number`` (``precision`` decimals), ``count``, ``date``: bordered
    cells; ``wrap``: bordered text that wraps (sentences); ``center``: bordered
    short text centred (grades, statuses); ``indented``: wrapped text set in
    one level (a clause under its item); ``link``: a link within the workbook;
    ``note`` and ``warning``: text outside tables (``sentence``: one that runs on
    across the empty cells beside it instead of wrapping).
    """
    cache = _FORMATS.setdefault(book, {})
    if precision in cache:
        return cache[precision]
    decimals = "0." + "0" * precision if precision > 0 else "0"
    add = book.add_format
    made = {
        "title": add({"bold": True, "font_size": TITLE_SIZE, "align": "left",
                      "valign": "vcenter"}),
        "header": add({**_BORDER, "bold": True, "text_wrap": True, "align": "center",
                       "valign": "vcenter", "bg_color": "#F2F2F2"}),
        "text": add({**_BORDER, "valign": "vcenter"}),
        "wrap": add({**_BORDER, "text_wrap": True, "valign": "vcenter"}),
        "center": add({**_BORDER, "align": "center", "valign": "vcenter"}),
        "number": add({**_BORDER, "num_format": decimals, "valign": "vcenter"}),
        "count": add({**_BORDER, "num_format": "0", "align": "center", "valign": "vcenter"}),
        "date": add({**_BORDER, "num_format": "yyyy-mm-dd", "align": "center",
                     "valign": "vcenter"}),
        "indented": add({**_BORDER, "text_wrap": True, "valign": "vcenter", "indent": 1}),
        "link": add({**_BORDER, "valign": "vcenter", "font_color": "#0563C1", "underline": 1}),
        "note": add({"text_wrap": True, "valign": "top"}),
        "sentence": add({"valign": "top"}),
        "warning": add({"bold": True, "font_color": "#C00000"}),
    }
    cache[precision] = made
    return made


#: Below this scale a table fitted to one page wide prints too small to read (11-point
#: text at 70% prints at about 8 points): it prints at full size over pages across instead.
MIN_FIT_SCALE = 0.7


def page_setup(sheet: Any, *, header_rows: tuple[int, int] | int, last_row: int,
               last_column: int, lang: str = "zh", landscape: bool = True,
               first_row: int = 0, widths: Sequence[float] = (),
               key_columns: int = 0, title: str = "") -> None:
    """A4, landscape (or portrait), fitted to one page wide, the header rows repeated on
    every page, page numbers in the footer, the print area from ``first_row`` (the
    title) to the table's last cell, the table centred between the margins.

    A table whose column ``widths`` would print below :data:`MIN_FIT_SCALE` fitted to
    one page wide (a points sheet of forty items prints at 5 points) is printed at 100%
    instead, its columns running on over further pages across, each page repeating the
    first ``key_columns`` columns (编号 and 名称: whose row it is), as the self-check form
    prints. Callers that know their widths pass them; without, the table is fitted. The
    sheet's ``title`` (its first row) then heads every page from the page header instead:
    the title row itself, cut by the repeated columns, is left out of the print area.
    """
    _paper(sheet, lang, landscape)
    first, last = (header_rows, header_rows) if isinstance(header_rows, int) else header_rows
    sheet.repeat_rows(first, last)
    if not widths or fit_scale(widths, landscape) >= MIN_FIT_SCALE:
        sheet.fit_to_pages(1, 0)
        sheet.print_area(first_row, 0, max(last_row, first_row), max(last_column, 0))
        return
    sheet.set_print_scale(100)  # which turns fitting off
    if key_columns > 0:
        sheet.repeat_columns(0, key_columns - 1)
    if title:
        sheet.set_header("&C&14&B" + title.replace("&", "&&"), {"margin": 0.3})
        sheet.set_margins(**{**MARGINS, "top": 1.0})
        first_row = max(first_row, first)
    sheet.print_area(first_row, 0, max(last_row, first_row), max(last_column, 0))


def page_setup_pages(sheet: Any, *, widths: Sequence[float], breaks: Sequence[int],
                     last_row: int, last_column: int, lang: str = "zh",
                     landscape: bool = False) -> None:
    """Like :func:`page_setup` for a sheet of documents each starting on a new page
    (``breaks``: the first row of each but the first), portrait by default.

    Excel ignores manual page breaks on a sheet fitted to pages, so the sheet is
    scaled instead: by what its column ``widths`` need to fit the paper's width.
    """
    _paper(sheet, lang, landscape)
    sheet.set_print_scale(print_scale(widths, landscape))
    sheet.set_h_pagebreaks(list(breaks))
    sheet.print_area(0, 0, max(last_row, 0), max(last_column, 0))


#: Printable width of A4 between the margins, in pixels at 96 dpi.
_A4_PIXELS = {False: (8.27 - MARGINS["left"] - MARGINS["right"]) * 96,
              True: (11.69 - MARGINS["left"] - MARGINS["right"]) * 96}


def fit_scale(widths: Sequence[float], landscape: bool = False) -> float:
    """The scale (1.0 at most) at which columns of ``widths`` (in characters) fit one A4
    width: Excel draws a column 7 pixels a character plus 5, at 96 pixels an inch."""
    pixels = sum(width * 7 + 5 for width in widths)
    return min(1.0, _A4_PIXELS[landscape] / pixels) if pixels > 0 else 1.0


#: Millimetres a character of column width prints: about 1.9 in Excel, 2.6 in LibreOffice.
MM_PER_CHARACTER = 2.7


def print_scale(widths: Sequence[float], landscape: bool = False) -> int:
    """The print scale (10-100 %) of a sheet that cannot be fitted to the page (one with
    manual page breaks): the columns fit the paper's width in any spreadsheet, the
    widest-printing one (LibreOffice) assumed, so no column is pushed off the page."""
    millimetres = sum(widths) * MM_PER_CHARACTER
    if millimetres <= 0:
        return 100
    printable = _A4_PIXELS[landscape] / 96 * 25.4
    return max(10, min(100, int(printable / millimetres * 100)))


def _paper(sheet: Any, lang: str, landscape: bool) -> None:
    """A4 in the orientation asked, page numbers in the footer, margins, centred."""
    if landscape:
        sheet.set_landscape()
    else:
        sheet.set_portrait()
    sheet.set_paper(A4)
    sheet.set_footer(FOOTERS.get(lang, FOOTERS["zh"]))
    sheet.set_margins(**MARGINS)
    sheet.center_horizontally()


def write_title(sheet: Any, book_formats: Mapping[str, Any], text: str, last_column: int,
                row: int = 0) -> None:
    """The title row: the text over the table's width (merged, so it prints across it)."""
    if last_column > 0:
        sheet.merge_range(row, 0, row, last_column, text, book_formats["title"])
    else:
        sheet.write_string(row, 0, text, book_formats["title"])
    sheet.set_row(row, TITLE_SIZE * 2)


def header_height(headings: Sequence[str], widths: Sequence[float]) -> float:
    """The height of a header row whose headings wrap within their columns' ``widths``.

    Set explicitly, because a printed row keeps the height it is given: a
    heading that needs two lines in a one-line row prints as its last glyph.
    """
    lines = max((lines_needed(heading, width)
                 for heading, width in zip(headings, widths, strict=False)), default=1)
    return LINE_HEIGHT * lines + 3


def lines_needed(text: str, width: float) -> int:
    """The lines ``text`` takes wrapped in a column ``width`` characters wide."""
    room = max(int(width) - 1, 2)
    return max(1, -(-display_width(text) // room))


def row_height(lines: int) -> float | None:
    """The height of a row whose tallest cell wraps to ``lines`` lines; None for one line
    (the default height). Set explicitly: a printed row keeps the height it is given, and
    wrapped text in a one-line row is cut off or spills over the rows below."""
    return LINE_HEIGHT * lines + 3 if lines > 1 else None


def write_table(sheet: Any, book_formats: Mapping[str, Any], header_row: int,
                headings: Sequence[str], columns: Sequence[Sequence[Any]],
                kinds: Sequence[str]) -> tuple[int, list[int]]:
    """A small table in the print style (for the workbooks that are not streamed): the header
    on ``header_row``, then the cells of ``columns`` (one sequence per column), each column
    written as its kind says (``text``, ``wrap``, ``center``, ``number``, ``count``); None,
    "" and NaN leave a bordered empty cell. Sets the widths and the heights of the header
    and of rows whose sentences wrap; returns the last row written and the widths."""
    widths = []
    for heading, cells, kind in zip(headings, columns, kinds, strict=True):
        if kind in ("text", "wrap", "center"):
            maximum = SENTENCE_WIDTH if kind == "wrap" else MAX_WIDTH
            widths.append(fit_width(heading, [str(cell) for cell in cells[:5000]
                                              if cell is not None], maximum=maximum))
        else:
            widths.append(max(NUMBER_WIDTH, min(display_width(heading) + 2,
                                                NUMBER_HEADING_WIDTH)))
    for column, width in enumerate(widths):
        sheet.set_column(column, column, width)
    sheet.set_row(header_row, header_height(headings, widths))
    for column, heading in enumerate(headings):
        sheet.write_string(header_row, column, heading, book_formats["header"])
    rows = max((len(cells) for cells in columns), default=0)
    for offset in range(rows):
        row = header_row + 1 + offset
        lines = 1
        for column, (cells, kind, width) in enumerate(zip(columns, kinds, widths, strict=True)):
            value = cells[offset] if offset < len(cells) else None
            cell_format = book_formats[kind]
            if value is None or value == "" or (isinstance(value, float) and value != value):
                sheet.write_blank(row, column, None, cell_format)
            elif kind in ("text", "wrap", "center"):
                sheet.write_string(row, column, str(value), cell_format)
                if kind == "wrap":
                    lines = max(lines, lines_needed(str(value), width))
            else:
                sheet.write_number(row, column, float(value), cell_format)
        if (height := row_height(lines)) is not None:
            sheet.set_row(row, height)
    return header_row + rows, widths
