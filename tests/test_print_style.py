"""How a table prints: fitted to one page wide where it can be read so, else at full size
over pages across, the columns that say whose row it is repeated on each."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import xlsxwriter
from print_checks import assert_print_style

from inspect_score.outputs import print_style

TITLE = "2025年上半年社区党建工作考评各项得分"


def _printed(path: Path, widths: list[float], key_columns: int) -> object:
    """A titled table of ``widths`` on row 2 under the title, set up to print; read back."""
    book = xlsxwriter.Workbook(str(path))
    formats = print_style.formats(book)
    sheet = book.add_worksheet("各项得分")
    print_style.write_title(sheet, formats, TITLE, len(widths) - 1)
    for column, width in enumerate(widths):
        sheet.set_column(column, column, width)
        sheet.write_string(1, column, f"项目{column + 1}", formats["header"])
        sheet.write_number(2, column, 1.0, formats["number"])
    print_style.page_setup(sheet, header_rows=1, last_row=2, last_column=len(widths) - 1,
                           widths=widths, key_columns=key_columns, title=TITLE)
    book.close()
    return openpyxl.load_workbook(path)["各项得分"]


def test_a_table_that_fits_readably_is_fitted_to_one_page_wide(tmp_path: Path) -> None:
    """Eight columns fit an A4 landscape width at 70% or more: fitted, title row printed."""
    widths = [10.0] * 8
    assert print_style.fit_scale(widths, landscape=True) >= print_style.MIN_FIT_SCALE
    sheet = _printed(tmp_path / "narrow.xlsx", widths, key_columns=2)
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.print_title_cols is None
    assert_print_style(sheet, header_row=2)


def test_a_table_too_wide_to_read_fitted_prints_across_pages_at_full_size(
        tmp_path: Path) -> None:
    """Forty columns fitted to one A4 width would print at about 4 points: the sheet prints
    at 100% instead, not fitted, its first two columns (编号, 名称) repeated on every page
    across with the header row, and the title in the page header (its own row, which the
    repeated columns would cut off, out of the print area)."""
    widths = [8.0, 12.0, *([12.0] * 38)]
    assert print_style.fit_scale(widths, landscape=True) < 0.4
    sheet = _printed(tmp_path / "wide.xlsx", widths, key_columns=2)
    properties = sheet.sheet_properties.pageSetUpPr
    assert properties is None or not properties.fitToPage
    assert sheet.page_setup.scale in (None, 100)
    assert (sheet.print_title_cols, sheet.print_title_rows) == ("$A:$B", "$2:$2")
    assert TITLE in sheet.oddHeader.center.text
    assert sheet.print_area.split("!")[-1].replace("$", "").startswith("A2:")
    assert_print_style(sheet, header_row=2)
