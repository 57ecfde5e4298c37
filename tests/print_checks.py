"""What every printed sheet must show, read back with openpyxl (shared by the workbook tests)."""

from __future__ import annotations

from typing import Any

from openpyxl.cell.cell import MergedCell
from openpyxl.utils import get_column_letter


def table_bounds(sheet: Any) -> tuple[int, int, int, int]:
    """The print area as (first row, first column, last row, last column), 1-based."""
    area = sheet.print_area
    assert area, f"{sheet.title}: no print area"
    reference = area[0] if isinstance(area, list) else area
    reference = reference.split("!")[-1].replace("$", "")
    first, last = reference.split(":")
    from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

    first_column, first_row = coordinate_from_string(first)
    last_column, last_row = coordinate_from_string(last)
    return (first_row, column_index_from_string(first_column), last_row,
            column_index_from_string(last_column))


def assert_print_style(sheet: Any, header_row: int, *, landscape: bool = True,
                       fitted: bool = True) -> None:
    """A4, landscape, fitted one page wide (or, too wide for that at 70%, at 100% over pages
    across, the leading columns repeated), the header row repeated, "第 &P 页 共 &N 页" in
    the footer, the print area from the title (printed across, the header: the title is in
    the page header) to the table's last cell, and a thin border
    on every cell of the table (header row to last row, every column; a merged range prints
    as one cell, bordered by its first)."""
    setup = sheet.page_setup
    assert setup.paperSize == 9, sheet.title
    assert setup.orientation == ("landscape" if landscape else "portrait"), sheet.title
    if fitted:
        assert_fitted_or_across(sheet, landscape=landscape)
    assert sheet.print_title_rows.replace("$", "") == f"{header_row}:{header_row}", sheet.title
    footer = sheet.oddFooter.center.text or ""
    assert footer in ("第 &P 页 共 &N 页", "Page &P of &N"), sheet.title
    first_row, first_column, last_row, last_column = table_bounds(sheet)
    assert first_column == 1, sheet.title
    if first_row != 1:
        # printed across pages: the title heads every page from the page header, its row
        # (which the repeated columns would cut) left out
        assert first_row == header_row and not _fitted(sheet), sheet.title
        title = str(sheet.cell(row=1, column=1).value)
        assert title.replace("&", "&&") in (sheet.oddHeader.center.text or ""), sheet.title
    # a sheet may hold a second table below the first after an empty row: each table is as
    # wide as its header row
    unbordered = []
    width = _width(sheet, header_row, last_column)
    new_table = False
    for row in range(header_row, last_row + 1):
        cells = [sheet.cell(row=row, column=column) for column in range(1, last_column + 1)]
        # a row with no border at all is no table's: an empty row between tables, or a
        # caption above one
        if not any(_bordered(cell) for cell in cells):
            new_table = True
            continue
        if new_table:
            width, new_table = _width(sheet, row, last_column), False
        spanned = cells[:width]
        if (spanned[0].value is not None and all(cell.value is None for cell in spanned[1:])
                and _boxed(spanned)):
            continue  # one label across the table (a branch's name over its rows), boxed
        unbordered += [f"{get_column_letter(cell.column)}{row}" for cell in spanned
                       if not _bordered(cell) and not isinstance(cell, MergedCell)]
    assert unbordered == [], f"{sheet.title}: cells without a border: {unbordered[:10]}"


def column_widths(sheet: Any) -> list[float]:
    """The widths of the print area's columns, as the workbook sets them (a run of columns
    of one width is stored once, for its first and last column)."""
    _, first_column, _, last_column = table_bounds(sheet)
    widths: dict[int, float] = {}
    for dimension in sheet.column_dimensions.values():
        if dimension.width and dimension.min:
            for column in range(dimension.min, (dimension.max or dimension.min) + 1):
                widths[column] = dimension.width
    return [widths.get(column, 8.43) for column in range(first_column, last_column + 1)]


def assert_fitted_or_across(sheet: Any, *, landscape: bool = True) -> None:
    """Fitted to one page wide where that prints at 70% or more; else at 100%, never fitted,
    its columns running on over pages across with the first ones (whose row it is)
    repeated on each: never a table squeezed to a few points."""
    from inspect_score.outputs.print_style import MIN_FIT_SCALE, fit_scale

    setup = sheet.page_setup
    fitted = _fitted(sheet)
    if fit_scale(column_widths(sheet), landscape) >= MIN_FIT_SCALE:
        assert fitted, sheet.title
        assert (setup.fitToWidth in (1, None)) and setup.fitToHeight == 0, sheet.title
        return
    assert not fitted and setup.scale in (None, 100), (sheet.title, setup.scale)
    assert (sheet.print_title_cols or "").startswith("$A:"), sheet.title


def _fitted(sheet: Any) -> bool:
    properties = sheet.sheet_properties.pageSetUpPr
    return properties is not None and bool(properties.fitToPage)


def _boxed(cells: list[Any]) -> bool:
    """Cells that print as one box: left of the first, right of the last, top and bottom of
    each bordered."""
    def thin(side: Any) -> bool:
        return side is not None and side.style == "thin"

    return (thin(cells[0].border.left) and thin(cells[-1].border.right)
            and all(thin(cell.border.top) and thin(cell.border.bottom) for cell in cells))


def _bordered(cell: Any) -> bool:
    border = cell.border
    return all(side is not None and side.style == "thin"
               for side in (border.left, border.right, border.top, border.bottom))


def _width(sheet: Any, header_row: int, last_column: int) -> int:
    return sum(sheet.cell(row=header_row, column=column).value is not None
               for column in range(1, last_column + 1))
