"""Reading checklist files into raw tables: cells as written, rows as counted.

A reader knows one file format and nothing of rubrics beyond which columns to
keep as text. It returns a :class:`RawTable` (headers as written, one Series of
raw cells per column, the spreadsheet row of every record) or raises
:class:`ReadError` with the one issue that makes the file unreadable.
"""

from __future__ import annotations

import csv
import itertools
import re
import warnings
from collections.abc import Callable, Collection, Sequence
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
import python_calamine

# tomli is tomllib's source, shipped compiled: three times faster on a large
# rubric, with the same errors and the same values.
import tomli as tomllib

from inspect_score.checklists.cells import cell_text
from inspect_score.checklists.xlsx import SparseCells, Workbook, XlsxError
from inspect_score.errors import Issue
from inspect_score.messages import listing, msg
from inspect_score.rubric.toml_errors import describe_syntax_error

#: Tried in this order when the user names no encoding: what Excel and WPS save.
DEFAULT_ENCODINGS = ("utf-8-sig", "gb18030")
CSV_SUFFIXES = frozenset({".csv", ".txt"})
SHEET_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"})
#: Workbooks read by their XML, cell by cell (the others by calamine).
XLSX_SUFFIXES = frozenset({".xlsx", ".xlsm"})
TOML_SUFFIXES = frozenset({".toml"})
#: Keys of a TOML checklist outside its [values] table.
TOML_BRANCH_KEYS = ("branch_id", "branch_name", "rater")
#: Yes and no as the C parser may read them (exact spellings; others reach cells.py).
CSV_TRUE = ("是", "有", "√", "✓", "yes", "Yes", "YES", "y", "Y")
CSV_FALSE = ("否", "无", "×", "✗", "no", "No", "NO", "n", "N")
#: Rows searched for the header: forms put a title, a date or a note above it.
HEADER_SEARCH_ROWS = 10
#: Picks the header among the first rows of a table (cells as text): its index.
HeaderFinder = Callable[[Sequence[tuple[str, ...]]], int]


def first_row(rows: Sequence[tuple[str, ...]]) -> int:
    """The header finder that knows no rubric: the first row."""
    return 0


@attrs.frozen
class RawTable:
    """One checklist file before parsing."""

    path: str
    #: header cells exactly as written
    headers: tuple[str, ...]
    #: raw cells, one Series per header, aligned with ``rows``
    columns: tuple[pd.Series, ...]
    #: the spreadsheet row (header = 1) or TOML line of each record
    rows: npt.NDArray[np.int64]
    #: where a missing column is reported: the header row, or the TOML [values] line
    header_row: int = 1
    #: the cells written above the header row (a form's title), as text
    above: tuple[str, ...] = ()
    #: TOML checklists: the line of each column's key, which beats ``rows``
    cell_rows: tuple[int, ...] | None = None
    #: CSV: a column's cells as written text, for messages about columns that
    #: pandas read as numbers or booleans (so '12.50' is shown, not 12.5)
    written: Callable[[int], pd.Series] | None = None
    #: workbooks: the spreadsheet column (A = 1) of each column, where columns
    #: with nothing in them are left out; None: the n-th column is column n
    column_numbers: tuple[int, ...] | None = None
    #: what the reader noticed but read past (a hidden sheet skipped)
    warnings: tuple[Issue, ...] = ()

    def column_number(self, position: int) -> int:
        """The spreadsheet column (1-based) of the column at ``position``."""
        return self.column_numbers[position] if self.column_numbers else position + 1

    def row_of(self, column: int, positions: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
        """The rows (or lines) of some cells of one column."""
        if self.cell_rows is not None:
            return np.full(len(positions), self.cell_rows[column], dtype=np.int64)
        return self.rows[positions]


class ReadError(Exception):
    """A file that cannot be read as a checklist; a warning issue means: skip it.

    ``issues`` holds every problem that makes the file unreadable (every ragged
    CSV row, every TOML value of the wrong shape); ``issue`` is the first.
    """

    def __init__(self, issue: Issue, *more: Issue) -> None:
        self.issue = issue
        self.issues = (issue, *more)
        super().__init__("\n".join(str(each) for each in self.issues))


def _fail(code: str, path: str, message: str, row: int | None = None) -> ReadError:
    return ReadError(Issue(code=code, message=message, path=path, row=row))


# --- CSV -------------------------------------------------------------------------


def _read_csv_once(path: Path, encoding: str, **options: Any) -> pd.DataFrame:
    with warnings.catch_warnings():
        # pandas only warns when a row has more cells than the header and drops
        # the extra ones: that would lose what a branch wrote, so it is an error.
        warnings.simplefilter("error", pd.errors.ParserWarning)
        return _read_csv_strict(path, encoding, **options)


def _read_csv_strict(path: Path, encoding: str, **options: Any) -> pd.DataFrame:
    frame: pd.DataFrame = pd.read_csv(
        path,
        header=None,
        encoding=encoding,
        encoding_errors="strict",
        keep_default_na=False,
        # Only an empty cell is blank: "NA", "null" or "无" are values to check.
        na_values=[""],
        skip_blank_lines=False,
        index_col=False,
        **options,
    )
    return frame


def _read_csv(path: Path, shown: str, encodings: tuple[str, ...], **options: Any) -> tuple[
    pd.DataFrame, str
]:
    """Read with the first encoding that decodes the whole file strictly."""
    for encoding in encodings:
        try:
            return _read_csv_once(path, encoding, **options), encoding
        except UnicodeDecodeError:
            continue
        except LookupError as error:
            raise _fail("bad-encoding", shown, msg("unknown encoding {encoding!r}: {error}",
                                                   encoding=encoding, error=error)) from None
        except pd.errors.EmptyDataError:
            raise _fail("not-a-checklist", shown,
                        msg("the file is empty; expected a header")) from None
        except (pd.errors.ParserError, pd.errors.ParserWarning) as error:
            raise _fail("not-a-checklist", shown, msg("not a well-formed CSV table: {error}",
                                                      error=error)) from None
        except OSError as error:
            raise _fail("unreadable-file", shown, msg("cannot read the file: {error}",
                                                      error=error)) from None
    tried = " or ".join(encodings)
    raise _fail("bad-encoding", shown, msg("the file is not valid {tried} text; save it as UTF-8 "
                                           "CSV",
                                           tried=tried))


def _csv_head(path: Path, shown: str, encodings: tuple[str, ...]) -> tuple[
    list[tuple[str, ...]], str
]:
    """The first rows of a CSV file as text, with the first encoding that decodes them.

    Python's csv module reads them, not pandas: a title row above the header
    has fewer cells than the rows below, which pandas' parser refuses.
    """
    for encoding in encodings:
        try:
            with open(path, encoding=encoding, errors="strict", newline="") as handle:
                rows = [tuple(row) for row in
                        itertools.islice(csv.reader(handle), HEADER_SEARCH_ROWS)]
        except UnicodeDecodeError:
            continue
        except LookupError as error:
            raise _fail("bad-encoding", shown, msg("unknown encoding {encoding!r}: {error}",
                                                   encoding=encoding, error=error)) from None
        except csv.Error as error:
            raise _fail("not-a-checklist", shown, msg("not a well-formed CSV table: {error}",
                                                      error=error)) from None
        except OSError as error:
            raise _fail("unreadable-file", shown, msg("cannot read the file: {error}",
                                                      error=error)) from None
        if not rows:
            raise _fail("not-a-checklist", shown, msg("the file is empty; expected a header"))
        return rows, encoding
    tried = " or ".join(encodings)
    raise _fail("bad-encoding", shown, msg("the file is not valid {tried} text; save it as UTF-8 "
                                           "CSV",
                                           tried=tried))


@attrs.frozen
class Head:
    """Where a table's header is: its cells, its row (first = 1), what is written above."""

    headers: tuple[str, ...]
    row: int
    above: tuple[str, ...]


def _find_head(rows: Sequence[tuple[str, ...]], find_header: HeaderFinder, shown: str) -> Head:
    index = find_header(rows)
    headers = rows[index]
    if not any(header.strip() for header in headers):
        raise _fail("not-a-checklist", shown,
                    msg("the first row is blank; expected the header row") if index == 0
                    else msg("row {row} is blank; expected the header row", row=index + 1),
                    index + 1)
    above = tuple(cell.strip() for row in rows[:index] for cell in row if cell.strip())
    return Head(headers, index + 1, above)


def csv_headers(
    path: Path, shown: str, encoding: str | None, find_header: HeaderFinder = first_row
) -> tuple[Head, str]:
    """The header of a CSV file (the row ``find_header`` picks among the first
    ten), and the encoding to read its body with first."""
    encodings = (encoding,) if encoding else DEFAULT_ENCODINGS
    rows, used = _csv_head(path, shown, encodings)
    return _find_head(rows, find_header, shown), used


def read_csv(
    path: Path,
    shown: str,
    head: Head,
    encoding: str,
    *,
    user_encoding: bool,
    text_columns: Collection[int],
) -> RawTable:
    """The body of a CSV file; ``text_columns`` keep their text, others are inferred.

    Letting pandas infer the numeric and bool columns in C is what keeps a
    million rows fast; a column it cannot infer arrives as strings and is
    parsed by :mod:`inspect_score.checklists.cells`. Text columns are inferred too (as
    strings, mostly): naming their type makes pandas' reader take twice as
    long. A text column it took for numbers or yes/no ("001" as 1, 是 as
    True) is read again, as written.
    """
    encodings = (encoding,) if user_encoding else tuple(
        dict.fromkeys((encoding, *DEFAULT_ENCODINGS))
    )
    headers = head.headers
    names = list(range(len(headers)))
    ragged = ragged_rows(path, shown, encoding, headers, head.row)
    if ragged:
        raise ReadError(*ragged)
    frame, found = _read_csv(
        path,
        shown,
        encodings,
        skiprows=head.row,
        names=names,
        # bool columns typed the Chinese way are recognised by the C parser
        # too; text columns are read again as str where it recognised them
        true_values=list(CSV_TRUE),
        false_values=list(CSV_FALSE),
    )

    if ragged is None or found != encoding:
        # checked in the encoding the body turned out to be in
        ragged = ragged_rows(path, shown, found, headers, head.row)
        if ragged:
            raise ReadError(*ragged)

    def as_written(columns: list[int]) -> pd.DataFrame:
        text, _ = _read_csv(path, shown, (found,), skiprows=head.row, names=names,
                            usecols=columns,
                            dtype=str)
        return text

    def written(column: int) -> pd.Series:
        return as_written([column])[column]

    retyped = [column for column in text_columns
               if not pd.api.types.is_string_dtype(frame[column].dtype)
               and frame[column].notna().any()]  # all blank is blank, whatever its type
    if retyped:
        text = as_written(retyped)
        for column in retyped:
            frame[column] = text[column]

    rows = np.arange(head.row + 1, len(frame) + head.row + 1, dtype=np.int64)
    columns = tuple(frame[index] for index in names)
    return RawTable(path=shown, headers=headers, columns=columns, rows=rows, written=written,
                    header_row=head.row, above=head.above)


#: Ragged rows reported one by one before the rest are counted in one issue.
MAX_RAGGED_ROWS = 100


def ragged_rows(path: Path, shown: str, encoding: str, headers: tuple[str, ...],
                header_row: int = 1) -> list[Issue] | None:
    """An issue for every row whose cells do not match the header row's count.

    pandas stops at the first row with a cell too many, in its own words
    ("Error tokenizing data"), and fills a row with too few with blanks, which
    a policy of "zero" then scores. Arrow's CSV parser counts every row's
    cells in one streaming pass (about a second a million rows) and numbers
    rows as a spreadsheet does (header = 1; a quoted cell over two lines is
    one row). A row with too few cells is let through when only columns
    without a header are missing, and a blank row always is.

    Rows above ``header_row`` (a form's title) are not counted; Arrow still
    numbers the rows from the top of the file.

    None when Arrow cannot read the file in ``encoding``: the caller's
    encoding detection decides, and checks again in the one it finds.
    """
    found: list[tuple[int | None, int, int]] = []
    named = max((index + 1 for index, header in enumerate(headers) if header.strip()),
                default=len(headers))

    def handle(row: Any) -> str:
        text = row.text.replace(",", "").strip()
        if text and (row.actual_columns > row.expected_columns or row.actual_columns < named):
            found.append((row.number, row.expected_columns, row.actual_columns))
        return "skip"

    arrow_encoding = "utf8" if encoding.replace("-", "").lower() in ("utf8", "utf8sig") \
        else encoding
    try:
        reader = pa_csv.open_csv(
            path,
            read_options=pa_csv.ReadOptions(use_threads=False, autogenerate_column_names=True,
                                            encoding=arrow_encoding, block_size=1 << 22,
                                            skip_rows=header_row - 1),
            parse_options=pa_csv.ParseOptions(invalid_row_handler=handle,
                                              ignore_empty_lines=False),
            # only the first column is converted (to text): the pass is for counting
            convert_options=pa_csv.ConvertOptions(column_types={"f0": pa.string()},
                                                  include_columns=["f0"]),
        )
        for _ in reader:
            pass
    except (pa.ArrowException, OSError, UnicodeError, LookupError):
        return None
    issues = []
    for number, expected, actual in found[:MAX_RAGGED_ROWS]:
        cells = msg("1 cell") if actual == 1 else msg("{count} cells", count=actual)
        issues.append(Issue("ragged-row", msg(
            "the row has {cells} and the header row {expected}: what stands beyond the last "
            "column would be lost (a comma inside a value that is not in quotes?)",
            cells=cells, expected=expected) if actual > expected else msg(
            "the row has {cells} and the header row {expected}: its last columns are missing, "
            "not blank (a row cut short or split across lines?)", cells=cells,
            expected=expected), path=shown, row=number))
    if len(found) > MAX_RAGGED_ROWS:
        issues.append(Issue("too-many-issues", msg("and {more} more rows whose cells do not "
                                                   "match the header row",
                                                   more=len(found) - MAX_RAGGED_ROWS), path=shown))
    return issues


# --- XLSX ------------------------------------------------------------------------


def read_sheet(
    path: Path, shown: str, sheet: str | None, find_header: HeaderFinder = first_row
) -> RawTable:
    """A worksheet (the first visible one, or ``sheet``); its header is the row
    ``find_header`` picks among the first ten.

    .xlsx and .xlsm are read cell by cell with their types and formats
    (:mod:`inspect_score.checklists.xlsx`); .xls, .xlsb and .ods by calamine.
    """
    if path.suffix.lower() in XLSX_SUFFIXES:
        return _read_xlsx(path, shown, sheet, find_header)
    try:
        book = python_calamine.CalamineWorkbook.from_path(str(path))
        sheets = [(meta.name, meta.visible == python_calamine.SheetVisibleEnum.Visible)
                  for meta in book.sheets_metadata]
        name, warnings = _choose_sheet(sheets, sheet, shown)
    except ReadError:
        raise
    except Exception as error:
        # calamine raises its own error types (zip, XML, password) for files
        # that are not workbooks: all of them mean "not a checklist we can read".
        raise _fail("not-a-checklist", shown, msg("not a readable workbook: {error}",
                                                  error=error)) from None
    return _dense_table(_calamine_cells(path, shown, name), shown, warnings, find_header)


def _calamine_cells(path: Path, shown: str, name: str) -> list[list[Any]]:
    """One sheet's cells from A1 as calamine reads them: rows of values, "" for empty."""
    try:
        book = python_calamine.CalamineWorkbook.from_path(str(path))
        cells: list[list[Any]] = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
    except Exception as error:
        # calamine's own error types (zip, XML, password): "not a checklist we can read"
        raise _fail("not-a-checklist", shown, msg("not a readable workbook: {error}",
                                                  error=error)) from None
    except BaseException as error:
        # a panic in calamine's Rust (a huge number in a cell formatted as a time)
        # arrives as pyo3's PanicException, a BaseException: the file is odd, not
        # the run interrupted
        if type(error).__name__ != "PanicException":
            raise
        raise _fail("not-a-checklist", shown, msg("a cell cannot be read: {error}",
                                                  error=error)) from None
    return cells


def _dense_table(cells: list[list[Any]], shown: str, warnings: tuple[Issue, ...],
                 find_header: HeaderFinder) -> RawTable:
    """A table from a sheet's rows of cells from A1 ("" for empty); the header is the
    row ``find_header`` picks among the first ten."""
    if not cells:
        raise _fail("not-a-checklist", shown, msg("the sheet is empty; expected the header row"), 1)
    width = max(len(row) for row in cells)
    grid = np.empty((len(cells), width), dtype=object)
    grid[:] = ""
    for index, row in enumerate(cells):
        grid[index, : len(row)] = row
    first = [tuple(cell_text(cell) if not isinstance(cell, str) else cell for cell in row)
             for row in grid[:HEADER_SEARCH_ROWS]]
    head = _find_head(first, find_header, shown)
    headers = head.headers
    body = grid[head.row:]
    # calamine writes "" for an empty cell; NaN is what the parsers take as blank.
    body[body == ""] = np.nan
    columns = tuple(pd.Series(body[:, index], dtype=object) for index in range(width))
    rows = np.arange(head.row + 1, len(body) + head.row + 1, dtype=np.int64)
    return RawTable(path=shown, headers=headers, columns=columns, rows=rows,
                    header_row=head.row, above=head.above, warnings=warnings)


def _choose_sheet(sheets: list[tuple[str, bool]], sheet: str | None,
                  shown: str) -> tuple[str, tuple[Issue, ...]]:
    """The sheet to read, with a warning naming each hidden sheet passed over.

    A hidden sheet (lookup lists, last period's data) is never read unless
    ``--sheet`` names it: the branch sees, and fills in, the visible one.
    """
    names = [name for name, _ in sheets]
    if sheet is not None:
        if sheet not in names:
            raise _fail(
                "missing-sheet", shown, msg("no sheet named {sheet!r}; the sheets are {names}",
                                            sheet=sheet, names=listing(names))
            )
        return sheet, ()
    visible = [name for name, shows in sheets if shows]
    if not visible:
        raise _fail("not-a-checklist", shown, msg("the workbook has no visible sheet")
                    if sheets else msg("the workbook has no sheet"))
    chosen = visible[0]
    hidden = [name for name, shows in sheets[: names.index(chosen)] if not shows]
    warnings = tuple(
        Issue("hidden-sheet", msg("sheet {name!r} is hidden and was skipped; read sheet "
                                  "{chosen!r} (use --sheet to read another)",
                                  name=name, chosen=chosen), path=shown, severity="warning")
        for name in hidden
    )
    return chosen, warnings


def _read_xlsx(path: Path, shown: str, sheet: str | None,
               find_header: HeaderFinder) -> RawTable:
    """An .xlsx sheet from its cells that hold something: no dense grid, however far
    its last cell, so a stray cell at XFD1048576 costs one cell."""
    try:
        with Workbook(str(path)) as book:
            name, warnings = _choose_sheet(
                [(info.name, info.visible) for info in book.sheets], sheet, shown
            )
            info = next(info for info in book.sheets if info.name == name)
            corrections = book.corrections(info)
            if corrections is None:
                cells = book.cells(info)
    except XlsxError as error:
        raise _fail("not-a-checklist", shown, msg("not a readable workbook: {error}",
                                                  error=error)) from None
    if corrections is not None:
        # the common case: calamine reads the values, fast; the cells it reads
        # wrong (errors, formulas without results, percentages) are put right
        try:
            sheet_cells = _calamine_cells(path, shown, name)
        except ReadError:
            # what calamine cannot read, the cell-by-cell reading may
            return _read_xlsx_by_cell(path, shown, name, warnings, find_header)
        for row, column, value in zip(corrections.rows, corrections.columns,
                                      corrections.values, strict=True):
            while len(sheet_cells) < row:
                sheet_cells.append([])
            line = sheet_cells[row - 1]
            line.extend([""] * (column - len(line)))
            line[column - 1] = value
        return _dense_table(sheet_cells, shown, warnings, find_header)
    return _sparse_table(cells, shown, warnings, find_header)


def _read_xlsx_by_cell(path: Path, shown: str, name: str, warnings: tuple[Issue, ...],
                       find_header: HeaderFinder) -> RawTable:
    try:
        with Workbook(str(path)) as book:
            cells = book.cells(next(info for info in book.sheets if info.name == name))
    except XlsxError as error:
        raise _fail("not-a-checklist", shown, msg("not a readable workbook: {error}",
                                                  error=error)) from None
    return _sparse_table(cells, shown, warnings, find_header)


def _sparse_table(cells: SparseCells, shown: str, warnings: tuple[Issue, ...],
                  find_header: HeaderFinder) -> RawTable:
    """A table from a sheet's cells that hold something; the header is the row
    ``find_header`` picks among the first ten. Only rows and columns with
    something in them (from the header down) are kept, each with its number."""
    rows = np.asarray(cells.rows, dtype=np.int64)
    columns = np.asarray(cells.columns, dtype=np.int64)
    values = np.empty(len(cells.values), dtype=object)
    values[:] = cells.values
    top = rows <= HEADER_SEARCH_ROWS
    first_columns = np.unique(columns[top])
    first = [[""] * len(first_columns) for _ in range(HEADER_SEARCH_ROWS)]
    for row, column, value in zip(rows[top].tolist(), columns[top].tolist(),
                                  values[top].tolist(), strict=True):
        first[row - 1][int(np.searchsorted(first_columns, column))] = (
            value if isinstance(value, str) else cell_text(value))
    head = _find_head([tuple(row) for row in first], find_header, shown)
    below = rows >= head.row
    rows, columns, values = rows[below], columns[below], values[below]
    in_header = rows == head.row
    header_cells = dict(zip(columns[in_header].tolist(), values[in_header].tolist(),
                            strict=True))
    body = ~in_header
    record_rows, record_of = np.unique(rows[body], return_inverse=True)
    used = np.unique(columns)
    positions = np.searchsorted(used, columns[body])
    grid = np.full((len(used), len(record_rows)), np.nan, dtype=object)
    grid[positions, record_of] = values[body]
    headers = tuple(cell_text(header_cells.get(column, "")) if not isinstance(
        header_cells.get(column), str) else header_cells[column] for column in used.tolist())
    return RawTable(
        path=shown,
        headers=headers,
        columns=tuple(pd.Series(grid[index], dtype=object) for index in range(len(used))),
        rows=record_rows.astype(np.int64),
        header_row=head.row,
        above=head.above,
        column_numbers=tuple(used.tolist()),
        warnings=warnings,
    )


# --- TOML ------------------------------------------------------------------------

_TABLE = re.compile(r"\s*\[\s*([^\]]*?)\s*\]")
_BARE = r"[A-Za-z0-9_\-]+"
_KEY = re.compile(rf"""\s*(?:"([^"]*)"|'([^']*)'|({_BARE}(?:\s*\.\s*{_BARE})*))\s*=""")


def _key_lines(text: str) -> tuple[dict[str, int], dict[str, int], int]:
    """Lines of the top-level keys, of the [values] keys, and of the [values] header.

    tomllib gives no positions, and messages must point at a line; a light scan
    of the lines finds where each key of this simple shape is written.
    """
    top: dict[str, int] = {}
    values: dict[str, int] = {}
    values_line = 0
    table: str | None = ""
    for number, line in enumerate(text.splitlines(), start=1):
        header = _TABLE.match(line)
        if header and not _KEY.match(line):
            name = header.group(1).strip().strip("\"'")
            table = "values" if name == "values" else None
            if table == "values":
                values_line = number
            continue
        key = _KEY.match(line)
        if not key:
            continue
        name = next(group for group in key.groups() if group is not None)
        if table == "":
            parts = [part.strip() for part in name.split(".")]
            if len(parts) == 2 and parts[0] == "values":
                values.setdefault(parts[1], number)
            else:
                top.setdefault(name, number)
                if name == "values":
                    values_line = number
        elif table == "values":
            values.setdefault(name, number)
    return top, values, values_line


def read_toml(path: Path, shown: str) -> RawTable:
    """A per-branch TOML checklist as a one-record table; rows are key lines."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise _fail("bad-encoding", shown, msg("a TOML file must be UTF-8: {error}",
                                               error=error)) from None
    except OSError as error:
        raise _fail("unreadable-file", shown, msg("cannot read the file: {error}",
                                                  error=error)) from None
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        problem = describe_syntax_error(error)
        raise _fail("toml-syntax", shown, problem.message, problem.row) from None
    except RecursionError:
        raise _fail("toml-syntax", shown, msg("not valid TOML for a checklist: arrays or tables "
                                              "nested too deeply to read")) from None
    if "schema" in document:
        raise ReadError(Issue(
            code="rubric-skipped",
            message=msg("this TOML file is a rubric (it has 'schema'), not a checklist; skipped"),
            path=shown,
            severity="warning",
        ))
    values = document.get("values")
    if not isinstance(values, dict):
        raise _fail(
            "not-a-checklist", shown,
            msg("a TOML checklist needs branch_id, branch_name and a [values] table keyed by "
                "field id"),
        )
    top_lines, value_lines, values_line = _key_lines(text)
    headers: list[str] = []
    cells: list[object] = []
    lines: list[int] = []
    for key, value in document.items():
        if key == "values":
            continue
        headers.append(key)
        cells.append(value)
        lines.append(top_lines.get(key, 1))
    for key, value in values.items():
        headers.append(key)
        cells.append(value)
        lines.append(value_lines.get(key, values_line or 1))
    shapes = [
        Issue("bad-toml-value", msg("{header} = {toml_shape}; a checklist value is one number, "
                                    "yes/no (true/false) or text, not an array or a table",
                                    header=header, toml_shape=_toml_shape(cell)),
              path=shown, row=line, column=header)
        for header, cell, line in zip(headers, cells, lines, strict=True)
        if isinstance(cell, list | dict)
    ]
    if shapes:
        raise ReadError(*shapes)
    # TOML's nan would pass for a blank cell (NaN is blank everywhere else): keep
    # it as the text it is, so it is reported as not a number.
    cells = ["nan" if isinstance(cell, float) and cell != cell else cell for cell in cells]
    columns = tuple(pd.Series([cell], dtype=object) for cell in cells)
    record_line = top_lines.get("branch_id", 1)
    return RawTable(
        path=shown,
        headers=tuple(headers),
        columns=columns,
        rows=np.array([record_line], dtype=np.int64),
        header_row=values_line or 1,
        cell_rows=tuple(lines),
    )


def _toml_shape(value: list[object] | dict[str, object]) -> str:
    """An array or table as a message shows it: short, as TOML would write it."""
    if isinstance(value, dict):
        return "a table {" + ", ".join(list(value)[:3]) + (", ..." if len(value) > 3 else "") + "}"
    shown = ", ".join(repr(item) if isinstance(item, str) else str(item) for item in value[:3])
    return f"an array [{shown}{', ...' if len(value) > 3 else ''}]"
