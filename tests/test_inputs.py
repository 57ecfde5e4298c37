"""Reading what branches submit, however odd: never a silent wrong value, never a traceback.

Each test names one way a real file goes wrong (a look-alike id, a percent
typed in Excel, an error cell, a stray cell far down the sheet, a ragged CSV
row, a TOML value of the wrong shape) and the input error it must give.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from inspect_score.checklists.cells import id_keys
from inspect_score.checklists.load import load_checklists
from inspect_score.checklists.table import TEXT
from inspect_score.errors import ChecklistError, Issue
from inspect_score.rubric.model import Field, Grade, Item, Rubric, Section

FIELDS = (
    Field(id="meetings", type="int", label="会议次数", min=0, max=200),
    Field(id="satisfaction", type="number", label="满意度", min=0, max=100, missing="na"),
    Field(id="dues_ok", type="bool", label="党费按时", missing="na"),
    Field(id="remarks", type="text", label="备注", missing="zero"),
)
RUBRIC = Rubric(
    id="test",
    title="test",
    total=10,
    fields=FIELDS,
    sections=(Section(id="all", title="all", max=10),),
    indicators=(
        Item(kind="indicator", id="meet", title="meet", max=10, rule="scale",
             field="meetings", target=12, section="all"),
    ),
    grades=(Grade(name="pass", min=60), Grade(name="fail", min=0)),
)


def write(folder: Path, name: str, text: str) -> str:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def load_error(inputs: list[str], **options: str) -> list[Issue]:
    with pytest.raises(ChecklistError) as caught:
        load_checklists(RUBRIC, inputs, **options)
    return list(caught.value.issues)


def where(issues: list[Issue]) -> list[tuple[str, str, int | None, str | None]]:
    """The code and location of each issue: what tests assert, not the wording."""
    return [(issue.code, Path(issue.path).name, issue.row, issue.column) for issue in issues]


# --- branch ids --------------------------------------------------------------------


@pytest.mark.parametrize("lookalike", ["SQ01\u200b", "ＳＱ01", "SQ\xa001", "sq01", "\ufeffSQ01"])
def test_lookalike_branch_ids_are_one_branch_written_twice(tmp_path: Path, lookalike: str) -> None:
    """An id that differs from another only by invisible characters, full-width letters
    or case is the same branch: a duplicate-branch error at its row naming the first."""
    path = write(tmp_path, "a.csv", f"branch_id,meetings\nSQ01,3\nSQ02,4\n{lookalike},5\n")
    issues = load_error([path])
    assert where(issues) == [("duplicate-branch", "a.csv", 4, None)]
    assert f"{path} row 2" in issues[0].message


def test_lookalike_ids_under_different_raters_are_an_error(tmp_path: Path) -> None:
    """Two raters writing one branch's id two ways would score it as two branches."""
    text = "branch_id,rater,meetings\nSQ01,张,3\nＳＱ01,李,4\nSQ02,张,4\nSQ02,李,5\n"
    issues = load_error([write(tmp_path, "a.csv", text)])
    assert where(issues) == [("duplicate-branch", "a.csv", 3, None)]
    assert "'SQ01'" in issues[0].message and "'ＳＱ01'" in issues[0].message


def test_lookalike_raters_are_one_rater(tmp_path: Path) -> None:
    """A rater written in full-width or with a hidden space still scores a branch once."""
    text = "branch_id,rater,meetings\nSQ01,Zhang,3\nSQ01,ZHANG\u200b,4\n"
    assert where(load_error([write(tmp_path, "a.csv", text)])) == [
        ("duplicate-rater", "a.csv", 3, None)
    ]


def test_id_keys_equal_exactly_for_lookalikes() -> None:
    """id_keys gives equal keys to look-alike ids and different keys to different ids."""
    ids = pd.Series(["SQ01", "SQ01\u200b", "ＳＱ01", "SQ\xa001", "sq01", "SQ02", "社区1", "社区１"],
                    dtype=TEXT)
    keys = id_keys(ids)
    assert keys.tolist() == [0, 0, 0, 0, 0, 1, 2, 2]


def test_id_keys_of_a_million_ids_are_vectorised() -> None:
    """A million distinct ids get a million distinct keys (Arrow, not a Python loop per id)."""
    ids = pd.Series(np.char.add("SQ", np.arange(1_000_000).astype(str)).astype(object),
                    dtype=TEXT)
    keys = id_keys(ids)
    assert len(np.unique(keys)) == 1_000_000


# --- field labels and ids of the rubric ---------------------------------------------

INVALID = Path(__file__).parent / "data" / "rubrics" / "invalid"


def rubric_with(tmp_path: Path, first: str, second: str, extra: str = "") -> str:
    """The one-mistake rubric of duplicate-label.toml with its two labels replaced."""
    text = (INVALID / "duplicate-label.toml").read_text(encoding="utf-8")
    text = text.replace('label = "Ledger"', f"label = {first}", 1)
    text = text.replace('label = "Ledger"', f"label = {second}", 1)
    text = text.replace('id = "extra"', f'id = "{extra or "extra"}"', 1)
    path = tmp_path / "rubric.toml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def rubric_issues(path: str) -> list[tuple[str, int | None, str | None]]:
    from inspect_score.rubric.loader import validate_rubric_file

    return [(issue.code, issue.row, issue.key) for issue in validate_rubric_file(path)
            if issue.severity == "error"]


def test_distinct_labels_pass(tmp_path: Path) -> None:
    """The base rubric with two different labels is valid: the cases below differ only there."""
    assert rubric_issues(rubric_with(tmp_path, '"Roster"', '"Minutes"')) == []


@pytest.mark.parametrize("second", ['" Ledger "', '"ledger"', '"Ｌｅｄｇｅｒ"', '"Ledger\\u3000"'])
def test_labels_equal_as_headers_are_duplicates(tmp_path: Path, second: str) -> None:
    """Labels that a checklist header would match both (spaces around, case, full-width
    letters) are a duplicate-label error at the second label's line."""
    path = rubric_with(tmp_path, '"Ledger"', second)
    assert rubric_issues(path) == [("duplicate-label", 32, "field[5].label")]


@pytest.mark.parametrize("label", ['"名称"', '"branch_id"', '" 编号"', '"评分人"', '"Rater"',
                                   '"branch_name"'])
def test_a_label_that_is_a_branch_column_header_is_reserved(tmp_path: Path, label: str) -> None:
    """A label equal to the id, name or rater column's header (English or Chinese) would
    feed one column into two places: a reserved-label error at its line."""
    path = rubric_with(tmp_path, label, '"Minutes"')
    assert rubric_issues(path) == [("reserved-label", 27, "field[4].label")]


def test_an_item_id_that_is_an_output_column_is_reserved(tmp_path: Path) -> None:
    """An item id 'branch_id' would be a second branch_id column in points.csv."""
    path = rubric_with(tmp_path, '"Roster"', '"Minutes"', extra="branch_id")
    assert rubric_issues(path) == [("reserved-id", 84, "bonus[1].id")]


# --- TOML checklists ----------------------------------------------------------------


def test_toml_arrays_and_tables_are_errors_at_their_lines(tmp_path: Path) -> None:
    """A value that is an array or a table is an input error at its key's line, every one."""
    text = ('branch_id = "B1"\nbranch_name = "一社区"\n[values]\nmeetings = [12]\n'
            "satisfaction = 90\ndues_ok = { paid = true }\n")
    issues = load_error([write(tmp_path, "a.toml", text)])
    assert where(issues) == [("bad-toml-value", "a.toml", 4, "meetings"),
                             ("bad-toml-value", "a.toml", 6, "dues_ok")]
    assert "[12]" in issues[0].message


def test_toml_nan_is_not_a_blank(tmp_path: Path) -> None:
    """TOML's nan is not a number a branch can have held meetings: bad-number, not blank."""
    text = 'branch_id = "B1"\n[values]\nmeetings = 3\nsatisfaction = nan\n'
    assert where(load_error([write(tmp_path, "a.toml", text)])) == [
        ("bad-number", "a.toml", 4, "satisfaction")
    ]


def test_deeply_nested_toml_is_an_input_error(tmp_path: Path) -> None:
    """TOML nested past Python's recursion limit is a toml-syntax error, not a crash,
    in a checklist and in a rubric."""
    from inspect_score.rubric.loader import validate_rubric_file

    nested = "x = " + "[" * 5000 + "]" * 5000 + "\n"
    path = write(tmp_path, "a.toml", 'branch_id = "B1"\n[values]\n' + nested)
    assert where(load_error([path])) == [("toml-syntax", "a.toml", None, None)]
    rubric = write(tmp_path, "rubric.toml", "schema = 1\n" + nested)
    assert [issue.code for issue in validate_rubric_file(rubric)] == ["toml-syntax"]


# --- workbooks: cells by their type ------------------------------------------------

HEAD = ["编号", "名称", "会议次数", "满意度", "党费按时", "备注"]


def workbook(tmp_path: Path, rows: list[list[object]], name: str = "a.xlsx",
             formats: dict[str, str] | None = None, hidden_first: bool = False) -> str:
    """A real .xlsx written by openpyxl: rows from A1, number formats by cell."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "检查表"
    for row in rows:
        sheet.append(row)
    for cell, number_format in (formats or {}).items():
        sheet[cell].number_format = number_format
    if hidden_first:
        hidden = book.create_sheet("上期", 0)
        hidden.append(["编号", "会议次数"])
        hidden.append(["OLD", 1])
        hidden.sheet_state = "hidden"
    path = tmp_path / name
    book.save(path)
    return str(path)


@pytest.mark.parametrize("number_format", ["0%", "0.0%", "0.00%", '0%;[Red]-0%', '"约"0%'])
def test_a_percent_formatted_number_is_the_percentage_shown(tmp_path: Path,
                                                            number_format: str) -> None:
    """0.85 typed as 85% in Excel (a % number format) means 85, as "85%" typed as text does."""
    path = workbook(tmp_path, [HEAD, ["SQ01", "一社区", 3, 0.85], ["SQ02", "二社区", 3, "85%"],
                               ["SQ03", "三社区", 3, 0.07]],
                    formats={"D2": number_format, "D4": number_format})
    frame = load_checklists(RUBRIC, [path]).frame
    assert frame["satisfaction"].tolist() == [85.0, 85.0, 7.0]


def test_a_plain_fraction_stays_a_fraction(tmp_path: Path) -> None:
    """Without a percent format 0.85 is 0.85: only what the cell shows is scaled."""
    path = workbook(tmp_path, [HEAD, ["SQ01", "一社区", 3, 0.85]], formats={"D2": "0.00"})
    assert load_checklists(RUBRIC, [path]).frame["satisfaction"].tolist() == [0.85]


@pytest.mark.parametrize("error", ["#N/A", "#DIV/0!", "#REF!", "#VALUE!"])
def test_error_cells_are_input_errors_at_their_cell(tmp_path: Path, error: str) -> None:
    """An Excel error cell is never a blank: an excel-error at its row and column, in a
    number, bool, text or id column alike."""
    path = workbook(tmp_path, [HEAD, ["SQ01", "一社区", error, error, error, error],
                               [error, "二社区", 3]])
    issues = load_error([path])
    assert sorted(where(issues), key=str) == sorted([
        ("excel-error", "a.xlsx", 2, "会议次数"), ("excel-error", "a.xlsx", 2, "满意度"),
        ("excel-error", "a.xlsx", 2, "党费按时"), ("excel-error", "a.xlsx", 2, "备注"),
        ("excel-error", "a.xlsx", 3, "编号"),
    ], key=str)
    assert error in issues[0].message


def test_formulas_without_a_saved_result_are_input_errors(tmp_path: Path) -> None:
    """A formula saved without its value (openpyxl, many export tools) is unknown, not
    blank: an uncomputed-formula error naming the formula."""
    path = workbook(tmp_path, [HEAD, ["SQ01", "一社区", "=1+2", 90]])
    issues = load_error([path])
    assert where(issues) == [("uncomputed-formula", "a.xlsx", 2, "会议次数")]
    assert "=1+2" in issues[0].message


def test_dates_are_refused_by_number_fields_and_shown_by_text_fields(tmp_path: Path) -> None:
    """A date in a number column is an error at its cell; in a text column it is its date."""
    import datetime as dt

    path = workbook(tmp_path, [HEAD, ["SQ01", "一社区", dt.date(2025, 3, 1), 90, "是",
                                      dt.date(2025, 8, 1)]])
    issues = load_error([path])
    assert where(issues) == [("bad-int", "a.xlsx", 2, "会议次数")]
    assert "2025-03-01" in issues[0].message
    good = workbook(tmp_path, [HEAD, ["SQ01", "一社区", 3, 90, "是", dt.date(2025, 8, 1)]],
                    name="b.xlsx")
    assert load_checklists(RUBRIC, [good]).frame["remarks"].tolist() == ["2025-08-01"]


def test_hidden_sheets_are_skipped_with_a_warning(tmp_path: Path) -> None:
    """The first visible sheet is read; each hidden sheet before it is named in a warning.
    --sheet may still name the hidden one."""
    path = workbook(tmp_path, [HEAD, ["SQ01", "一社区", 3]], hidden_first=True)
    checklists = load_checklists(RUBRIC, [path])
    assert checklists.frame["branch_id"].tolist() == ["SQ01"]
    assert where(list(checklists.warnings)) == [("hidden-sheet", "a.xlsx", None, None)]
    assert "上期" in checklists.warnings[0].message
    hidden = load_checklists(RUBRIC, [path], sheet="上期")
    assert hidden.frame["branch_id"].tolist() == ["OLD"]


def edit_sheet(path: str, change: tuple[bytes, bytes]) -> str:
    """Rewrite the first worksheet's XML inside the zip, as a damaged or odd file has it."""
    import zipfile

    edited = path.replace(".xlsx", "-edited.xlsx")
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(edited, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                assert change[0] in data
                data = data.replace(*change)
            target.writestr(item, data)
    return edited


@pytest.mark.parametrize("stray", [
    b'<row r="1048576"><c r="XFD1048576" s="0"/></row>',
    b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t> </t></is></c></row>',
    b'<row r="1048576"><c r="A1048576" t="inlineStr"><is><t></t></is></c></row>',
])
def test_a_stray_cell_far_away_costs_one_cell(tmp_path: Path, stray: bytes) -> None:
    """A formatted or blank cell at XFD1048576 or row 1,048,576 adds nothing: the sheet is
    read by its used cells, never as a grid up to its last cell."""
    from inspect_score.checklists.readers import read_sheet

    path = edit_sheet(workbook(tmp_path, [HEAD, ["SQ01", "一社区", 3]]),
                      (b"</sheetData>", stray + b"</sheetData>"))
    table = read_sheet(Path(path), path, None)
    assert len(table.rows) <= 2 and len(table.columns) <= 7
    assert load_checklists(RUBRIC, [path]).frame["branch_id"].tolist() == ["SQ01"]


def test_a_stray_value_far_away_is_reported_where_it_is(tmp_path: Path) -> None:
    """A value at XFD1048576 is a row without a branch id at row 1,048,576, and its column
    an unnamed one: errors a person can find, not an abort."""
    stray = b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    path = edit_sheet(workbook(tmp_path, [HEAD, ["SQ01", "一社区", 3]]),
                      (b"</sheetData>", stray + b"</sheetData>"))
    issues = load_error([path])
    assert ("missing-branch-id", "a-edited.xlsx", 1048576, "编号") in where(issues)
    unknown = [issue for issue in issues if issue.code == "unknown-column"]
    assert unknown and "column 16384" in unknown[0].message


def test_a_bogus_dimension_tag_is_ignored(tmp_path: Path) -> None:
    """A <dimension> claiming A1:XFD1048576 does not size anything."""
    path = workbook(tmp_path, [HEAD, ["SQ01", "一社区", 3]])
    import re
    import zipfile

    with zipfile.ZipFile(path) as source:
        xml = source.read("xl/worksheets/sheet1.xml")
    dimension = re.search(rb'<dimension ref="[^"]*"/>', xml)
    assert dimension is not None
    edited = edit_sheet(path, (dimension.group(), b'<dimension ref="A1:XFD1048576"/>'))
    assert load_checklists(RUBRIC, [edited]).frame["meetings"].tolist() == [3.0]


# --- CSV rows that do not match the header -----------------------------------------


def test_every_ragged_csv_row_is_reported_with_its_row_and_counts(tmp_path: Path) -> None:
    """Rows with a cell too many or too few are each a ragged-row error at the row a
    spreadsheet shows (a quoted cell over two lines is one row), saying both counts."""
    text = ("branch_id,meetings,备注\nB1,3,ok\nB2,4,a,b\n\nB3,5\n"
            '"B4",6,"two\nlines"\nB5,7,x,y\n')
    issues = load_error([write(tmp_path, "a.csv", text)])
    assert where(issues) == [("ragged-row", "a.csv", 3, None), ("ragged-row", "a.csv", 5, None),
                             ("ragged-row", "a.csv", 7, None)]
    assert "4 cells" in issues[0].message and "header row 3" in issues[0].message
    assert "2 cells" in issues[1].message
    assert all("tokenizing" not in issue.message for issue in issues)


def test_ragged_rows_in_gb18030_are_found_too(tmp_path: Path) -> None:
    """The count is made in the encoding the file turned out to be in."""
    path = tmp_path / "a.csv"
    path.write_bytes("编号,会议次数\nB1,3\nB2,4,多\n".encode("gb18030"))
    assert where(load_error([str(path)])) == [("ragged-row", "a.csv", 3, None)]


def test_short_rows_missing_only_unnamed_columns_and_blank_rows_pass(tmp_path: Path) -> None:
    """Excel's trailing unnamed column and blank or comma-only rows are not ragged rows."""
    text = "branch_id,meetings,\nB1,3\n,\n\nB2,4,\n"
    frame = load_checklists(RUBRIC, [write(tmp_path, "a.csv", text)]).frame
    assert frame["branch_id"].tolist() == ["B1", "B2"]


def test_a_huge_number_formatted_as_a_time_is_read_as_the_number(tmp_path: Path) -> None:
    """1e300 in a cell formatted h:mm is no time of day (calamine panics on it): it is read
    as the number it is, and refused as out of range."""
    path = workbook(tmp_path, [HEAD, ["SQ01", "一社区", 3, 1e300]], formats={"D2": "h:mm"})
    assert where(load_error([path])) == [("out-of-range", "a.xlsx", 2, "满意度")]


def test_a_file_given_twice_is_read_once_with_a_warning(tmp_path: Path) -> None:
    """The same checklist named twice, or named beside its folder, is one set of rows: a
    repeated-input warning, not every branch twice (nor a crash)."""
    path = write(tmp_path, "a.csv", "branch_id,meetings\nSQ01,3\n")
    checklists = load_checklists(RUBRIC, [path, path, str(tmp_path)])
    assert checklists.frame["branch_id"].tolist() == ["SQ01"]
    assert [issue.code for issue in checklists.warnings] == ["repeated-input", "repeated-input"]


@pytest.mark.parametrize("cell", [
    b'<c r="C2" t="str"><f>""</f><v></v></c>',
    b'<c r="C2" t="str"><f>""</f><v/></c>',
])
def test_a_formula_whose_result_is_empty_text_is_blank(tmp_path: Path, cell: bytes) -> None:
    """A text formula with a saved empty result is a blank cell, not a missing result."""
    path = workbook(tmp_path, [HEAD, ["SQ01", "一社区", 3, 90, "是", "x"]])
    edited = edit_sheet(path, (b'<c r="F2" t="inlineStr"><is><t>x</t></is></c>',
                               cell.replace(b"C2", b"F2")))
    assert load_checklists(RUBRIC, [edited]).frame["remarks"].isna().tolist() == [True]


def test_many_formulas_with_saved_results_read_as_their_results(tmp_path: Path) -> None:
    """Formulas with saved results (what Excel and WPS write) are read as the results."""
    rows: list[list[object]] = [HEAD]
    rows += [[f"SQ{index:02d}", "社区", f"={index}+1"] for index in range(1, 30)]
    path = workbook(tmp_path, rows)
    import zipfile

    with zipfile.ZipFile(path) as source:
        xml = source.read("xl/worksheets/sheet1.xml")
    import re

    # openpyxl saves no results: give each formula the result Excel would have saved
    saved = re.sub(rb"<f>=?(\d+)\+1</f><v\s*/?>(?:</v>)?",
                   lambda found: b"<f>%s+1</f><v>%d</v>" % (found.group(1),
                                                            int(found.group(1)) + 1), xml)
    assert saved != xml
    edited = edit_sheet(path, (xml, saved))
    assert load_checklists(RUBRIC, [edited]).frame["meetings"].tolist() == [
        float(index + 1) for index in range(1, 30)]
