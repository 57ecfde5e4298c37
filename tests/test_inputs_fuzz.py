"""Fuzzing every reader: whatever a file holds, only InspectError escapes.

Each test generates inputs of one format, odd in every way the format allows
(bytes that are no encoding, cells of every type and number format, hidden
sheets, TOML values of every type, rubrics with values swapped for others),
and asserts that loading either succeeds or raises an InspectError: never
another exception, so a user never sees a traceback for a bad file.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inspect_score.checklists.load import load_checklists
from inspect_score.errors import InspectError
from inspect_score.rubric.loader import load_rubric, validate_rubric_file
from inspect_score.rubric.model import Field, Grade, Item, Rubric, Section

fuzz = settings(max_examples=100, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

FIELDS = (
    Field(id="meetings", type="int", label="会议次数", min=0, max=200),
    Field(id="satisfaction", type="number", label="满意度", min=0, max=100, missing="na"),
    Field(id="dues_ok", type="bool", label="党费按时", missing="zero"),
    Field(id="files", type="choice", label="档案", choices=("齐全", "不齐全"), missing="na"),
    Field(id="remarks", type="text", label="备注", missing="zero"),
)
RUBRIC = Rubric(
    id="fuzz", title="fuzz", total=10, fields=FIELDS,
    sections=(Section(id="all", title="all", max=10),),
    indicators=(Item(kind="indicator", id="meet", title="meet", max=10, rule="scale",
                     field="meetings", target=12, section="all"),),
    grades=(Grade(name="pass", min=60), Grade(name="fail", min=0)),
)
HEADERS = ["branch_id", "编号", "branch_name", "rater", "会议次数", "满意度", "党费按时", "档案",
           "备注", "", "其他"]


def loads_or_refuses(path: Path, **options: Any) -> None:
    """Load one file: success, or an InspectError; anything else fails the test."""
    try:
        load_checklists(RUBRIC, [str(path)], **options)
    except InspectError as error:
        assert error.issues


# --- CSV ---------------------------------------------------------------------------

cell_texts = st.one_of(
    st.sampled_from(["", " ", "12", "１２", "85%", "1,234", "是", "√", "×", "齐全", "#N/A",
                     "=1+1", "nan", "inf", "-0", "1e400", '"', '""', "a\nb", "\x00", "\ufeff",
                     "SQ01\u200b", "ＳＱ01"]),
    st.text(max_size=8),
)


@st.composite
def csv_texts(draw: st.DrawFn) -> str:
    """A CSV of some of the known headers (and others), rows ragged or not, cells odd."""
    headers = draw(st.lists(st.sampled_from(HEADERS), min_size=1, max_size=6))
    rows = draw(st.lists(st.lists(cell_texts, max_size=len(headers) + 2), max_size=6))

    def quoted(cell: str) -> str:
        if draw(st.booleans()) or any(ch in cell for ch in ',"\n\r'):
            return '"' + cell.replace('"', '""') + '"'
        return cell

    lines = [",".join(quoted(cell) for cell in row) for row in [headers, *rows]]
    return draw(st.sampled_from(["\n", "\r\n", "\r"])).join(lines)


@fuzz
@given(text=csv_texts(), encoding=st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]))
def test_any_csv_text_loads_or_is_refused(tmp_path: Path, text: str, encoding: str) -> None:
    """Generated CSV text in any of the accepted encodings: loaded, or input errors."""
    path = tmp_path / "fuzz.csv"
    try:
        path.write_bytes(text.encode(encoding))
    except UnicodeEncodeError:
        path.write_bytes(text.encode("utf-8"))
    loads_or_refuses(path)


@fuzz
@given(data=st.binary(max_size=200))
def test_any_bytes_as_csv_load_or_are_refused(tmp_path: Path, data: bytes) -> None:
    """Arbitrary bytes named .csv (or read with --encoding) never escape as a traceback."""
    path = tmp_path / "fuzz.csv"
    path.write_bytes(b"branch_id,meetings\n" + data)
    loads_or_refuses(path)
    loads_or_refuses(path, encoding="latin-1")


# --- XLSX --------------------------------------------------------------------------

NUMBER_FORMATS = ["General", "0", "0.00", "0%", "0.0%", "yyyy-mm-dd", "h:mm", "m/d/yy h:mm",
                  'yyyy"年"m"月"d"日"', "[Red]0.00", '"约"0%', "0.00E+00", "@", "#,##0",
                  "[$-409]mmm-yy", "0%;-0%;0%", "aaaa"]



def _storable(text: str) -> str:
    """Text a workbook can hold: XML has no place for most control characters."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return str(ILLEGAL_CHARACTERS_RE.sub("", text))


workbook_cells = st.one_of(
    st.none(),
    cell_texts.map(_storable),
    st.integers(-10**6, 10**6),
    st.floats(allow_nan=False, allow_infinity=False, width=64),
    st.booleans(),
    st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(9999, 12, 31)),
    st.datetimes(min_value=dt.datetime(1900, 3, 1), max_value=dt.datetime(9999, 12, 31)),
    st.times(),
    st.sampled_from(["#N/A", "#DIV/0!", "#REF!", "#VALUE!", "#NAME?", "#NUM!", "#NULL!",
                     "=1/0", "=A1", "=SUM(B2:B3)", '="x"']),
)


@st.composite
def workbooks(draw: st.DrawFn) -> list[dict[str, Any]]:
    """Sheets with a state, rows of cells of every type, each with some number format."""
    sheets = []
    for index in range(draw(st.integers(1, 3))):
        headers = draw(st.lists(st.sampled_from(HEADERS), min_size=0, max_size=6))
        width = max(len(headers), 1)
        rows = draw(st.lists(st.lists(workbook_cells, max_size=width + 1), max_size=5))
        formats = draw(st.lists(st.sampled_from(NUMBER_FORMATS), min_size=width + 1,
                                max_size=width + 1))
        state = draw(st.sampled_from(["visible", "visible", "hidden", "veryHidden"]))
        sheets.append({"name": f"表{index + 1}", "rows": [headers, *rows], "formats": formats,
                       "state": state})
    return sheets


@fuzz
@given(sheets=workbooks(), pick=st.booleans())
def test_any_workbook_loads_or_is_refused(tmp_path: Path, sheets: list[dict[str, Any]],
                                          pick: bool) -> None:
    """Workbooks with cells of every type and number format, formulas without results,
    error values, dates and hidden sheets: loaded, or input errors."""
    import openpyxl

    book = openpyxl.Workbook()
    default = book.active
    assert default is not None
    book.remove(default)
    for sheet in sheets:
        page = book.create_sheet(sheet["name"])
        for row in sheet["rows"]:
            page.append(row)
        for row in page.iter_rows():
            for cell in row:
                cell.number_format = sheet["formats"][(cell.column - 1) % len(sheet["formats"])]
        page.sheet_state = sheet["state"]
    if all(sheet["state"] != "visible" for sheet in sheets):
        book.worksheets[0].sheet_state = "visible"  # Excel needs one visible sheet
    path = tmp_path / "fuzz.xlsx"
    book.save(path)
    loads_or_refuses(path, **({"sheet": sheets[-1]["name"]} if pick else {}))


@fuzz
@given(data=st.binary(max_size=300), keep=st.integers(0, 4000))
def test_damaged_workbooks_are_refused(tmp_path: Path, data: bytes, keep: int) -> None:
    """A workbook cut short or with bytes changed is refused as unreadable, never a crash."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["branch_id", "会议次数"])
    sheet.append(["SQ01", 3])
    path = tmp_path / "fuzz.xlsx"
    book.save(path)
    whole = path.read_bytes()
    path.write_bytes(whole[:keep] + data + whole[keep + len(data):])
    loads_or_refuses(path)


# --- TOML checklists ---------------------------------------------------------------


def toml_value(draw: st.DrawFn, depth: int = 0) -> str:
    """A TOML value as written: every type TOML has, arrays and tables nested a little."""
    kinds = ["string", "literal", "int", "float", "special", "bool", "datetime", "date", "time",
             "multiline"]
    if depth < 2:
        kinds += ["array", "table"]
    kind = draw(st.sampled_from(kinds))
    if kind == "string":
        text = draw(cell_texts)
        return '"' + "".join(ch if ch.isprintable() and ch not in '"\\' else f"\\u{ord(ch):04x}"
                             for ch in text) + '"'
    if kind == "literal":
        return "'" + draw(st.sampled_from(["12", "是", "85%", "x y"])) + "'"
    if kind == "int":
        return str(draw(st.integers(-10**20, 10**20)))
    if kind == "float":
        number = draw(st.floats(allow_nan=False, allow_infinity=False))
        return repr(number) if not math.isinf(number) else "1.0"
    if kind == "special":
        return draw(st.sampled_from(["nan", "+nan", "-inf", "inf", "0x1F", "1_000", "0o17"]))
    if kind == "bool":
        return draw(st.sampled_from(["true", "false"]))
    if kind == "datetime":
        return draw(st.sampled_from(["1979-05-27T07:32:00Z", "1979-05-27 07:32:00",
                                     "1979-05-27T00:32:00.999999-07:00"]))
    if kind == "date":
        return "2025-08-01"
    if kind == "time":
        return "07:32:00"
    if kind == "multiline":
        return '"""\n12\n"""'
    if kind == "array":
        items = [toml_value(draw, depth + 1) for _ in range(draw(st.integers(0, 3)))]
        return "[" + ", ".join(items) + "]"
    return "{ a = " + toml_value(draw, depth + 1) + " }"


@st.composite
def toml_checklists(draw: st.DrawFn) -> str:
    lines = []
    for key in draw(st.lists(st.sampled_from(["branch_id", "branch_name", "rater", "other"]),
                             unique=True)):
        lines.append(f"{key} = {toml_value(draw)}")
    if draw(st.booleans()):
        lines.append("[values]")
        for key in draw(st.lists(st.sampled_from(["meetings", "satisfaction", "dues_ok", "files",
                                                  "remarks", "colour", '"会议次数"']),
                                 unique=True)):
            lines.append(f"{key} = {toml_value(draw)}")
    return "\n".join(lines) + "\n"


@fuzz
@given(text=toml_checklists())
def test_any_toml_checklist_loads_or_is_refused(tmp_path: Path, text: str) -> None:
    """TOML checklists with values of every TOML type (arrays and tables too): loaded, or
    input errors at their lines."""
    path = tmp_path / "fuzz.toml"
    path.write_text(text, encoding="utf-8")
    loads_or_refuses(path)


# --- rubrics -----------------------------------------------------------------------

BASE_RUBRIC = (Path(__file__).parent / "data" / "rubrics" / "en-basic.toml").read_text(
    encoding="utf-8")


@fuzz
@given(data=st.data())
def test_any_rubric_is_checked_or_refused(tmp_path: Path, data: st.DataObject) -> None:
    """A valid rubric with values swapped for values of other types, lines dropped or
    repeated: validating reports issues and loading raises RubricError, never anything else."""
    lines = BASE_RUBRIC.split("\n")
    for _ in range(data.draw(st.integers(1, 6))):
        index = data.draw(st.integers(0, len(lines) - 1))
        action = data.draw(st.sampled_from(["value", "drop", "repeat"]))
        line = lines[index]
        if action == "value" and "=" in line and not line.lstrip().startswith("#"):
            key = line.split("=", 1)[0]
            lines[index] = f"{key}= {toml_value(data.draw)}"
        elif action == "drop":
            del lines[index]
        else:
            lines.insert(index, line)
    path = tmp_path / "rubric.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    issues = validate_rubric_file(path)
    try:
        load_rubric(path)
    except InspectError as error:
        assert error.issues
    else:
        assert all(issue.severity == "warning" for issue in issues)


@pytest.mark.parametrize("name", ["rubric.toml"])
def test_fuzz_base_rubric_is_valid(name: str) -> None:
    """The rubric the fuzzing starts from is valid, so every issue found comes from a change."""
    load_rubric(Path(__file__).parent / "data" / "rubrics" / "en-basic.toml")


# --- the command line --------------------------------------------------------------

STREET = Path(__file__).parent.parent / "rubrics" / "street-2025-h1.toml"


@fuzz
@given(text=csv_texts(), suffix=st.sampled_from([".csv", ".toml"]))
def test_validate_exits_0_1_or_2_without_a_traceback(tmp_path: Path, text: str,
                                                      suffix: str) -> None:
    """`validate` on any generated checklist ends with status 0, 1 or 2 and its own
    messages: never an exception out of the command."""
    from click.testing import CliRunner

    from inspect_score.cli.main import main

    path = tmp_path / f"fuzz{suffix}"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", str(STREET), str(path)])
    assert result.exit_code in (0, 1, 2), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output


def _cells_of(table: Any) -> dict[tuple[int, int], str]:
    """A raw table's non-blank cells by (row, column), as text: how two readings compare."""
    from inspect_score.checklists.cells import cell_text

    cells = {(1, table.column_number(index)): cell_text(header)
             for index, header in enumerate(table.headers)}
    for index, column in enumerate(table.columns):
        for row, value in zip(table.rows.tolist(), column.tolist(), strict=True):
            cells[(row, table.column_number(index))] = cell_text(value)
    return {where: text for where, text in cells.items() if text}


@fuzz
@given(sheets=workbooks())
def test_the_fast_and_the_cell_by_cell_workbook_readings_agree(
        tmp_path: Path, sheets: list[dict[str, Any]]) -> None:
    """calamine's values put right where it misreads them equal the cell-by-cell reading
    used for sheets with far stray cells: the same text in every non-blank cell."""
    import openpyxl

    from inspect_score.checklists import xlsx
    from inspect_score.checklists.readers import ReadError, read_sheet

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    rows = sheets[0]["rows"]
    for row in rows:
        sheet.append(row)
    for line in sheet.iter_rows():
        for cell in line:
            cell.number_format = sheets[0]["formats"][(cell.column - 1) % len(sheets[0]["formats"])]
    path = tmp_path / "fuzz.xlsx"
    book.save(path)
    try:
        fast = _cells_of(read_sheet(path, str(path), None))
    except ReadError:
        fast = None
    original = xlsx.Workbook.corrections
    try:
        xlsx.Workbook.corrections = lambda self, info: None  # type: ignore[method-assign]
        try:
            sparse = _cells_of(read_sheet(path, str(path), None))
        except ReadError:
            sparse = None
    finally:
        xlsx.Workbook.corrections = original  # type: ignore[method-assign]
    assert fast == sparse
