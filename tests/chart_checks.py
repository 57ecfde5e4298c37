"""What every chart a workbook holds must point at, read back from the chart XML (shared by
the workbook tests).

A chart's series name, categories and values are cell references, and a sheet with a
title row above its header is easy to point at one row off: the legend then reads
"Column J" (the title row's empty cell) and the values take in the heading.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.utils.cell import range_boundaries

_SERIES = re.compile(r"<c:ser>(.*?)</c:ser>", re.S)
_NAME = re.compile(r"<c:tx>\s*<c:strRef>\s*<c:f>([^<]+)</c:f>", re.S)
_CATEGORIES = re.compile(r"<c:cat>.*?<c:f>([^<]+)</c:f>", re.S)
_VALUES = re.compile(r"<c:val>.*?<c:f>([^<]+)</c:f>", re.S)


def chart_series(path: Path) -> list[dict[str, str | None]]:
    """Every series of every chart in the workbook: its name, categories and values refs."""
    with zipfile.ZipFile(path) as archive:
        charts = [archive.read(name).decode() for name in sorted(archive.namelist())
                  if name.startswith("xl/charts/chart")]
    found = []
    for chart in charts:
        for series in _SERIES.findall(chart):
            name, categories, values = (pattern.search(series)
                                        for pattern in (_NAME, _CATEGORIES, _VALUES))
            found.append({"name": name.group(1) if name else None,
                          "categories": categories.group(1) if categories else None,
                          "values": values.group(1) if values else None})
    return found


def _cells(book: Any, reference: str) -> tuple[Any, tuple[int, int, int, int]]:
    """The sheet and the (first column, first row, last column, last row) of a reference."""
    sheet_name, cells = reference.rsplit("!", 1)
    sheet = book[sheet_name.strip("'").replace("''", "'")]
    first_column, first_row, last_column, last_row = range_boundaries(cells.replace("$", ""))
    return sheet, (first_column, first_row, last_column or first_column, last_row or first_row)


def assert_charts_point_at_their_tables(path: Path) -> None:
    """Every series of every chart names itself by its table's heading, and its categories
    and values are the table's cells: values numbers (never a heading), categories filled,
    both over the same rows (a series down a column, its name the heading above it) or the
    same columns (a series along a row, its name in the row's first cell, its categories
    the header row above)."""
    book = openpyxl.load_workbook(path)
    series = chart_series(path)
    assert series, f"{path.name}: no chart"
    for entry in series:
        values, categories, name = entry["values"], entry["categories"], entry["name"]
        assert values and categories, entry
        sheet, (v_left, v_top, v_right, v_bottom) = _cells(book, values)
        cat_sheet, (c_left, c_top, c_right, c_bottom) = _cells(book, categories)
        assert cat_sheet.title == sheet.title, entry
        cells = [sheet.cell(row=row, column=column).value
                 for row in range(v_top, v_bottom + 1) for column in range(v_left, v_right + 1)]
        assert all(cell is None or isinstance(cell, int | float) for cell in cells), \
            (entry, cells[:5])
        labels = [sheet.cell(row=row, column=column).value
                  for row in range(c_top, c_bottom + 1) for column in range(c_left, c_right + 1)]
        assert all(label not in (None, "") for label in labels), (entry, labels[:5])
        # a series along a row has its categories in one row above it (the header row)
        down_a_column = not (c_top == c_bottom < v_top and (c_left, c_right) == (v_left, v_right))
        if down_a_column:
            assert (c_top, c_bottom) == (v_top, v_bottom), entry
        else:
            assert (c_left, c_right) == (v_left, v_right) and c_top < v_top, entry
        if name is None:  # a name given as text, not a reference
            continue
        name_sheet, (n_left, n_top, _, _) = _cells(book, name)
        assert name_sheet.title == sheet.title, entry
        heading = name_sheet.cell(row=n_top, column=n_left).value
        assert isinstance(heading, str) and heading, (entry, heading)
        if down_a_column:
            # the heading of the column: the header row, just above the first value
            assert (n_left, n_top) == (v_left, v_top - 1), entry
        else:
            assert n_top == v_top and n_left < v_left, entry
