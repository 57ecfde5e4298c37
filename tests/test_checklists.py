"""Loading checklists: formats, encodings, headers, rows and every input error."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xlsxwriter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inspect_score.checklists.load import load_checklists, load_checklists_by
from inspect_score.errors import ChecklistError, Issue
from inspect_score.rubric.model import Field, Grade, Item, Rubric, Section

DATA = Path(__file__).parent / "data" / "checklists"
ROOT = Path(__file__).parent.parent

FIELDS = (
    Field(id="meetings", type="int", label="会议次数", min=0, max=200),
    Field(id="satisfaction", type="number", label="满意度(%)", min=0, max=100, missing="na"),
    Field(id="dues_ok", type="bool", label="党费按时"),
    Field(id="files", type="choice", label="档案", choices=("齐全", "基本齐全", "不齐全")),
    Field(id="awards", type="int", min=0, max=20, missing="zero"),
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
HEADER = "branch_id,branch_name,meetings,satisfaction,dues_ok,files,awards,remarks"


def write(folder: Path, name: str, text: str, encoding: str = "utf-8") -> str:
    path = folder / name
    path.write_bytes(text.encode(encoding))
    return str(path)


def load_error(inputs: list[str], **options: str) -> list[Issue]:
    with pytest.raises(ChecklistError) as caught:
        load_checklists(RUBRIC, inputs, **options)
    return list(caught.value.issues)


def where(issues: list[Issue]) -> list[tuple[str, str, int | None, str | None]]:
    """The code and location of each issue: what tests assert, not the wording."""
    return [(issue.code, Path(issue.path).name, issue.row, issue.column) for issue in issues]


def test_plain_csv_loads_into_the_documented_columns(tmp_path: Path) -> None:
    """One row per branch with parsed fields, the file as a Categorical and spreadsheet rows."""
    rows = "B1,一社区,12,85%,是,齐全,,\nB2,二社区,10,,否,不齐全,1,整改中\n"
    path = write(tmp_path, "a.csv", f"{HEADER}\n{rows}")
    checklists = load_checklists(RUBRIC, [path])
    frame = checklists.frame
    assert list(frame.columns) == [
        "branch_id", "branch_name", "rater", "meetings", "satisfaction", "dues_ok", "files",
        "awards", "remarks", "_file", "_row",
    ]
    assert frame["branch_id"].tolist() == ["B1", "B2"]
    assert frame["rater"].tolist() == ["", ""]
    assert frame["meetings"].tolist() == [12.0, 10.0]
    assert frame["satisfaction"][0] == 85.0 and np.isnan(frame["satisfaction"][1])
    assert frame["dues_ok"].tolist() == [1.0, 0.0]
    assert isinstance(frame["files"].dtype, pd.CategoricalDtype)
    assert frame["files"].tolist() == ["齐全", "不齐全"]
    assert np.isnan(frame["awards"][0]) and frame["awards"][1] == 1.0
    assert object == frame["remarks"].dtype and frame["remarks"][1] == "整改中"
    assert [path, path] == frame["_file"].astype(str).tolist()
    assert frame["_row"].tolist() == [2, 3] and np.int64 == frame["_row"].dtype
    assert (path,) == checklists.sources and not checklists.has_rater and checklists.warnings == ()


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_encodings_are_detected(tmp_path: Path, encoding: str) -> None:
    """UTF-8 with or without BOM and GBK/GB18030 load the same without being told."""
    text = "编号,名称,会议次数,满意度(%),党费按时,档案\nSQ01,幸福里社区,１２,90,是,基本齐全\n"
    frame = load_checklists(RUBRIC, [write(tmp_path, "a.csv", text, encoding)]).frame
    assert [
        frame.loc[0, column] for column in ("branch_id", "branch_name", "meetings", "dues_ok",
                                            "files")
    ] == ["SQ01", "幸福里社区", 12.0, 1.0, "基本齐全"]


def test_encoding_option_overrides_detection(tmp_path: Path) -> None:
    """With encoding given, a file in another encoding is a bad-encoding error."""
    text = "编号,名称,会议次数,党费按时,档案\nSQ01,社区,1,是,齐全\n"
    path = write(tmp_path, "a.csv", text, "gbk")
    assert where(load_error([path], encoding="utf-8")) == [("bad-encoding", "a.csv", None, None)]
    frame = load_checklists(RUBRIC, [path], encoding="gbk").frame
    assert frame["branch_name"].tolist() == ["社区"]


def test_bytes_that_are_no_known_encoding_are_refused(tmp_path: Path) -> None:
    """A file neither UTF-8 nor GB18030 gives bad-encoding, not a traceback."""
    path = tmp_path / "a.csv"
    path.write_bytes(b"branch_id,meetings\nB1,\x81\x20\n")
    assert where(load_error([str(path)])) == [("bad-encoding", "a.csv", None, None)]


def test_headers_by_id_or_label_with_spaces_and_full_width_brackets(tmp_path: Path) -> None:
    """Headers match by id or label, whatever spaces surround them or bracket width."""
    text = " 编号 ,名称 , MEETINGS ,满意度（%）, 党费按时,档案\nB1,n,3,50,y,齐全\n"
    frame = load_checklists(RUBRIC, [write(tmp_path, "a.csv", text)]).frame
    assert [frame.loc[0, c] for c in ("meetings", "satisfaction", "dues_ok")] == [3.0, 50.0, 1.0]


def test_blank_rows_are_skipped_but_counted(tmp_path: Path) -> None:
    """A row blank in every cell is skipped; later rows keep their spreadsheet numbers."""
    text = f"{HEADER}\nB1,n,1,,1,齐全,,\n\n , ,,,,,,\nB2,n,x,,1,齐全,,\n"
    issues = load_error([write(tmp_path, "a.csv", text)])
    assert where(issues) == [("bad-int", "a.csv", 5, "meetings")]


def test_columns_absent_under_zero_or_na_are_blank(tmp_path: Path) -> None:
    """Columns whose fields allow blanks may be absent: blank in every row."""
    text = "branch_id,meetings,dues_ok,files\nB1,1,1,齐全\n"
    frame = load_checklists(RUBRIC, [write(tmp_path, "a.csv", text)]).frame
    assert frame[["satisfaction", "awards", "remarks"]].isna().all().all()
    assert frame["branch_name"][0] == ""


def test_every_cell_error_with_file_row_and_header_as_written(tmp_path: Path) -> None:
    """Bad cells name the file, the spreadsheet row and the header as written."""
    text = (
        "编号,名称,会议次数 ,满意度(%),党费按时,档案,awards,备注\n"
        "B1,n,12.5,50,是,齐全,,\n"
        "B2,n,3,abc,也许,全,,\n"
        "B3,n,201,101%,是,齐全,21,\n"
        "B4,n,,,是,齐全,,\n"
    )
    issues = load_error([write(tmp_path, "a.csv", text)])
    assert sorted([
        ("bad-int", "a.csv", 2, "会议次数 "),
        ("bad-number", "a.csv", 3, "满意度(%)"),
        ("bad-bool", "a.csv", 3, "党费按时"),
        ("bad-choice", "a.csv", 3, "档案"),
        ("out-of-range", "a.csv", 4, "会议次数 "),
        ("out-of-range", "a.csv", 4, "满意度(%)"),
        ("out-of-range", "a.csv", 4, "awards"),
        ("missing-value", "a.csv", 5, "会议次数 "),
    ]) == sorted(where(issues))
    message = next(issue.message for issue in issues if issue.code == "bad-int")
    assert message == "'12.5' is not a whole number; expected an int from 0 to 200"


def test_row_level_errors(tmp_path: Path) -> None:
    """Values without a branch id, and a branch row with every field blank, are errors."""
    text = f"{HEADER}\n,n,1,,1,齐全,,\nB2,二社区,,,,,,\n"
    assert where(load_error([write(tmp_path, "a.csv", text)])) == [
        ("missing-branch-id", "a.csv", 2, "branch_id"),
        ("empty-checklist-row", "a.csv", 3, None),
    ]


def test_a_row_with_no_id_and_every_field_blank_is_one_error(tmp_path: Path) -> None:
    """A row with no branch id and every field blank (only a name, a rater or a note in an
    unknown column written) is one error at its row, as a branch row with every field blank
    is; not one per field the rubric requires. A row with no id but some field written is
    still checked cell by cell."""
    text = (f"{HEADER},评分人,说明\n,一社区,,,,,,,,\n,,,,,,,,张三,\n,,,,,,,,,见附件\n"
            ",n,,,是,,,,,\n")
    issues = [issue for issue in load_error([write(tmp_path, "a.csv", text)])
              if issue.code != "unknown-column"]
    assert where(issues) == [
        ("missing-branch-id", "a.csv", 2, "branch_id"),
        ("missing-branch-id", "a.csv", 3, "branch_id"),
        ("missing-branch-id", "a.csv", 4, "branch_id"),
        ("missing-branch-id", "a.csv", 5, "branch_id"),
        ("missing-value", "a.csv", 5, "meetings"),
        ("missing-value", "a.csv", 5, "files"),
    ]
    assert "every field is blank" in issues[0].message
    assert "every field is blank" not in issues[3].message


def test_a_fraction_in_a_percent_field_is_a_warning_at_its_cell(tmp_path: Path) -> None:
    """0.93 under 满意度(%) (max 100) is most likely 93% typed as a fraction: a warning at
    the cell with the value and the question; the value is kept as written (the run goes
    on). 0.93%, 93, 0 and 1 say nothing."""
    text = (f"{HEADER}\nB1,,12,0.93,是,齐全,,\nB2,,12,0.93%,是,齐全,,\n"
            "B3,,12,93,是,齐全,,\nB4,,12,0,是,齐全,,\nB5,,12,1,是,齐全,,\nB6,,12,.5,是,齐全,,\n")
    loaded = load_checklists(RUBRIC, [write(tmp_path, "a.csv", text)])
    assert loaded.frame["satisfaction"].tolist()[:2] == [0.93, 0.93]
    assert where(list(loaded.warnings)) == [
        ("fraction-for-percent", "a.csv", 2, "satisfaction"),
        ("fraction-for-percent", "a.csv", 7, "satisfaction"),
    ]
    first, second = loaded.warnings
    assert first.severity == "warning"
    assert first.text("zh") == "填的是0.93，是否应为93？该项为百分数（最大100），现按0.93计"
    assert second.text("zh").startswith("填的是.5，是否应为50？")
    assert second.text("zh").endswith("现按0.5计")


def test_a_cell_formatted_as_a_percentage_is_no_fraction(tmp_path: Path) -> None:
    """In a workbook, 0.93 typed plainly is warned of; a cell formatted as a percentage
    is the percentage it shows (0.93 shown as 93%, 0.0093 as 0.93%): no warning."""
    path = tmp_path / "a.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    percent = book.add_format({"num_format": "0.00%"})
    sheet.write_row(0, 0, ["编号", "会议次数", "满意度(%)", "党费按时", "档案"])
    for row, (branch, value, style) in enumerate(
            [("B1", 0.93, None), ("B2", 0.93, percent), ("B3", 0.0093, percent)], start=1):
        sheet.write_row(row, 0, [branch, 12])
        sheet.write_number(row, 2, value, style)
        sheet.write_row(row, 3, ["是", "齐全"])
    book.close()
    loaded = load_checklists(RUBRIC, [str(path)])
    assert loaded.frame["satisfaction"].tolist() == [0.93, 93.0, 0.93]
    assert where(list(loaded.warnings)) == [("fraction-for-percent", "a.xlsx", 2, "满意度(%)")]


def test_missing_column_is_one_error_at_the_header_row(tmp_path: Path) -> None:
    """A column absent under missing = "error" is one error for the file, at row 1."""
    text = "branch_id,satisfaction,dues_ok,files\nB1,1,1,齐全\nB2,1,1,齐全\n"
    assert where(
        load_error([write(tmp_path, "a.csv", text)])
    ) == [("missing-column", "a.csv", 1, "会议次数")]


def test_duplicate_and_unknown_columns(tmp_path: Path) -> None:
    """A field given twice is an error; a column the rubric lacks is a warning."""
    text = "branch_id,meetings,会议次数,dues_ok,files,颜色\nB1,1,1,1,齐全,红\n"
    issues = load_error([write(tmp_path, "a.csv", text)])
    assert where(issues) \
        == [("duplicate-column", "a.csv", 1, "会议次数"), ("unknown-column", "a.csv", 1, "颜色")]
    assert [issue.severity for issue in issues] == ["error", "warning"]


def test_unknown_columns_are_returned_as_warnings(tmp_path: Path) -> None:
    """A load with only warnings succeeds and returns them; empty unnamed columns are quiet."""
    text = "branch_id,meetings,dues_ok,files,颜色,\nB1,1,1,齐全,红,\n"
    checklists = load_checklists(RUBRIC, [write(tmp_path, "a.csv", text)])
    assert where(list(checklists.warnings)) == [("unknown-column", "a.csv", 1, "颜色")]


def test_repeated_branch_without_rater_names_both_rows(tmp_path: Path) -> None:
    """The same branch twice without a rater column is an error naming both rows."""
    first = write(tmp_path, "a.csv", f"{HEADER}\nB1,n,1,,1,齐全,,\n")
    second = write(tmp_path, "b.csv", f"{HEADER}\nB2,n,1,,1,齐全,,\nB1,n,2,,1,齐全,,\n")
    issues = load_error([first, second])
    assert where(issues) == [("duplicate-branch", "b.csv", 3, None)]
    assert f"{first} row 2" in issues[0].message


def test_rater_column_allows_one_row_per_rater(tmp_path: Path) -> None:
    """With a rater (评分人) column a branch has one row per rater; a repeat is an error."""
    text = "编号,评分人,会议次数,党费按时,档案\nB1,张,1,1,齐全\nB1,李,2,1,齐全\nB1,张,3,1,齐全\n"
    assert where(
        load_error([write(tmp_path, "a.csv", text)])
    ) == [("duplicate-rater", "a.csv", 4, None)]
    good = write(tmp_path, "b.csv", text.rsplit("B1,张,3", 1)[0])
    checklists = load_checklists(RUBRIC, [good])
    assert checklists.has_rater and checklists.frame["rater"].tolist() == ["张", "李"]


def test_unreadable_inputs(tmp_path: Path) -> None:
    """Missing files, empty files, headerless CSVs and fake workbooks are all reported."""
    issues = load_error([
        str(tmp_path / "nope.csv"),
        write(tmp_path, "empty.csv", ""),
        write(tmp_path, "blank.csv", ",,\n1,2,3\n"),
        write(tmp_path, "fake.xlsx", "not a zip"),
        write(tmp_path, "ragged.csv", "branch_id,meetings\nB1,1,2,3\n"),
        write(tmp_path, "notes.docx", "x"),
    ])
    assert where(issues) == [
        ("unreadable-file", "nope.csv", None, None),
        ("not-a-checklist", "empty.csv", None, None),
        ("not-a-checklist", "blank.csv", 1, None),
        ("not-a-checklist", "fake.xlsx", None, None),
        ("ragged-row", "ragged.csv", 2, None),
        ("not-a-checklist", "notes.docx", None, None),
    ]


def test_all_errors_of_all_files_are_raised_together(tmp_path: Path) -> None:
    """One ChecklistError carries every error of every file, in input order."""
    first = write(tmp_path, "a.csv", f"{HEADER}\nB1,n,x,,1,齐全,,\n")
    second = write(tmp_path, "b.csv", f"{HEADER}\nB2,n,1,,maybe,齐全,,\n")
    assert where(
        load_error([first, second])
    ) == [("bad-int", "a.csv", 2, "meetings"), ("bad-bool", "b.csv", 2, "dues_ok")]


def test_many_bad_cells_are_capped_per_column(tmp_path: Path) -> None:
    """A column full of bad cells reports 100 of them and then how many more."""
    rows = "".join(f"B{i},n,x,,1,齐全,,\n" for i in range(250))
    issues = load_error([write(tmp_path, "a.csv", HEADER + "\n" + rows)])
    assert len(issues) == 101
    assert (
        issues[-1].code, issues[-1].message
    ) == ("too-many-issues", "and 150 more problems of this kind in this column")


def test_xlsx_cells_come_typed(tmp_path: Path) -> None:
    """Workbook numbers, booleans and numeric ids read as values, ids without '.0'."""
    path = tmp_path / "a.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("first")
    sheet.write_row(0, 0, ["编号", "名称", "会议次数", "满意度(%)", "党费按时", "档案"])
    sheet.write_row(1, 0, [1, "一社区", 12.0, 87.5, True, "齐全"])
    sheet.write_row(3, 0, ["B3", "三社区", "１２", "90%", "否", " 基本齐全"])
    other = book.add_worksheet("second")
    other.write_row(0, 0, ["branch_id", "meetings", "dues_ok", "files"])
    other.write_row(1, 0, ["X", 12.5, "y", "齐全"])
    book.close()
    frame = load_checklists(RUBRIC, [str(path)]).frame
    assert frame["branch_id"].tolist() == ["1", "B3"]
    assert frame["meetings"].tolist() == [12.0, 12.0]
    assert frame["satisfaction"].tolist() == [87.5, 90.0]
    assert frame["dues_ok"].tolist() == [1.0, 0.0]
    assert frame["_row"].tolist() == [2, 4]
    assert where(load_error([str(path)], sheet="second")) == [("bad-int", "a.xlsx", 2, "meetings")]
    assert where(load_error([str(path)], sheet="x")) == [("missing-sheet", "a.xlsx", None, None)]


def test_toml_checklists_report_key_lines() -> None:
    """A TOML checklist is one branch; its problems point at the line of the key."""
    issues = load_error([str(DATA / "toml-bad.toml")])
    assert sorted(where(issues), key=lambda found: found[2] or 0) == [
        ("bad-int", "toml-bad.toml", 6, "meetings"),
        ("bad-choice", "toml-bad.toml", 8, "files"),
        ("unknown-column", "toml-bad.toml", 9, "colour"),
    ]


def test_toml_syntax_errors_carry_their_line(tmp_path: Path) -> None:
    """Broken TOML is a toml-syntax error at the line the parser names."""
    path = write(tmp_path, "a.toml", 'branch_id = "B1"\n[values]\nmeetings = = 3\n')
    assert where(load_error([path])) == [("toml-syntax", "a.toml", 3, None)]


def test_folder_is_read_in_name_order_and_skips_rubrics() -> None:
    """A folder's .csv, .xlsx and .toml files load in name order; a rubric and a
    note (readme.md) are skipped with a warning each."""
    checklists = load_checklists(RUBRIC, [str(DATA / "folder")])
    names = [Path(source).name for source in checklists.sources]
    assert names == ["a-first.csv", "b-second.toml"]
    assert checklists.frame["branch_id"].tolist() == ["B1", "B2", "B3"]
    assert checklists.frame["_row"].tolist() == [2, 3, 1]
    assert where(list(checklists.warnings)) == [("rubric-skipped", "c-rubric.toml", None, None),
                                                ("other-file-skipped", "readme.md", None, None)]
    assert checklists.frame["meetings"].tolist() == [12.0, 8.0, 11.0]


@pytest.mark.parametrize(
    ("sample", "rows", "has_rater"),
    [("街道社区2025上半年.csv", 15, False), ("xlsx", 5, False), ("toml", 5, False),
     ("raters", 45, True)],
)
def test_bundled_samples_load_under_the_street_rubric(
    sample: str, rows: int, has_rater: bool
) -> None:
    """Every bundled sample loads cleanly under rubrics/street-2025-h1.toml."""
    rubric_loader = pytest.importorskip("inspect_score.rubric.loader")
    rubric = rubric_loader.load_rubric(ROOT / "rubrics" / "street-2025-h1.toml")
    checklists = load_checklists(rubric, [str(ROOT / "samples" / sample)])
    assert (rows, has_rater, ()) == (len(checklists.frame), checklists.has_rater,
                                    checklists.warnings)


_words = st.text(alphabet="abc社区党支部 ", min_size=0, max_size=6)


@st.composite
def checklist_frames(draw: st.DrawFn) -> pd.DataFrame:
    """Frames of valid checklist rows for the test rubric, blanks where allowed."""
    count = draw(st.integers(min_value=1, max_value=12))
    maybe = st.none()
    return pd.DataFrame({
        "branch_id": [f"B{index}" for index in range(count)],
        "branch_name": draw(st.lists(_words, min_size=count, max_size=count)),
        "meetings": draw(st.lists(st.integers(0, 200), min_size=count, max_size=count)),
        "satisfaction": draw(st.lists(
            st.one_of(maybe, st.floats(0, 100).map(lambda x: round(x, 2))),
            min_size=count, max_size=count)),
        "dues_ok": draw(st.lists(st.booleans(), min_size=count, max_size=count)),
        "files": draw(st.lists(st.sampled_from(FIELDS[3].choices), min_size=count,
                               max_size=count)),
        "awards": draw(st.lists(st.one_of(maybe, st.integers(0, 20)), min_size=count,
                                max_size=count)),
        "remarks": draw(st.lists(st.one_of(maybe, st.sampled_from(["已整改", "x y"])),
                                 min_size=count, max_size=count)),
    })


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(frame=checklist_frames(), encoding=st.sampled_from(["utf-8", "utf-8-sig", "gbk"]))
def test_a_csv_written_from_a_frame_loads_back_equal(
    tmp_path: Path, frame: pd.DataFrame, encoding: str
) -> None:
    """Whatever valid values a CSV holds, loading gives them back."""
    path = tmp_path / "round.csv"
    frame.assign(dues_ok=frame["dues_ok"].map({True: "是", False: "否"})).to_csv(
        path, index=False, encoding=encoding
    )
    loaded = load_checklists(RUBRIC, [str(path)]).frame
    assert frame["branch_id"].tolist() == loaded["branch_id"].tolist()
    assert [name.strip() for name in frame["branch_name"]] == loaded["branch_name"].tolist()
    for column in ("meetings", "satisfaction", "awards"):
        expected = pd.to_numeric(frame[column]).astype(float).to_numpy()
        np.testing.assert_array_equal(expected, loaded[column].to_numpy())
    assert frame["dues_ok"].astype(float).tolist() == loaded["dues_ok"].tolist()
    assert frame["files"].tolist() == loaded["files"].tolist()
    assert [None if pd.isna(v) else v for v in frame["remarks"]] == [
        None if pd.isna(v) else v for v in loaded["remarks"]
    ]


def test_messages_show_cells_as_written_even_where_pandas_typed_them(tmp_path: Path) -> None:
    """A cell pandas read as a number or a bool is still quoted as the branch wrote it."""
    fraction = write(tmp_path, "a.csv", f"{HEADER}\nB1,n,12.50,,是,齐全,,\nB2,n,3,,否,齐全,,\n")
    word = write(tmp_path, "b.csv", f"{HEADER}\nB3,n,是,,是,齐全,,\nB4,n,否,,否,齐全,,\n")
    messages = [issue.message.split(";")[0] for issue in load_error([fraction, word])]
    assert messages == ["'12.50' is not a whole number", "'是' is not a number",
                        "'否' is not a number"]


def test_text_columns_keep_what_was_written_where_it_looks_like_numbers_or_yes_no(
    tmp_path: Path,
) -> None:
    """Ids "007", names "1", remarks 是/否 and "1.50" stay text as written: pandas reads
    them as numbers or yes/no first, and those columns are read again as text."""
    path = write(tmp_path, "a.csv", f"{HEADER}\n007,1,12,,是,齐全,,是\n010,2,10,,否,齐全,,1.50\n")
    frame = load_checklists(RUBRIC, [path]).frame
    assert frame["branch_id"].tolist() == ["007", "010"]
    assert frame["branch_name"].tolist() == ["1", "2"]
    assert frame["remarks"].tolist() == ["是", "1.50"]


def test_a_file_is_read_again_only_for_text_columns_pandas_typed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The body is one read by pandas (the first rows, where the header is looked
    for, are read by the csv module); ids like 007 cost one more read, an unknown
    序号 column of numbers none (only its blanks matter)."""
    from inspect_score.checklists import readers

    reads: list[object] = []
    strict = readers._read_csv_strict

    def counted(*args: object, **options: object) -> pd.DataFrame:
        reads.append(options.get("usecols"))
        return strict(*args, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(readers, "_read_csv_strict", counted)
    rows = "一社区,12,,是,齐全,,\n", "二社区,10,,否,齐全,,\n"
    plain = write(tmp_path, "a.csv", f"序号,{HEADER}\n1,B1,{rows[0]}2,B2,{rows[1]}")
    assert load_checklists(RUBRIC, [plain]).frame["branch_id"].tolist() == ["B1", "B2"]
    assert reads == [None]
    reads.clear()
    digits = write(tmp_path, "b.csv", f"{HEADER}\n007,{rows[0]}010,{rows[1]}")
    assert load_checklists(RUBRIC, [digits]).frame["branch_id"].tolist() == ["007", "010"]
    assert reads == [None, [0]]


def test_a_text_column_left_blank_everywhere_is_blank(tmp_path: Path) -> None:
    path = write(tmp_path, "a.csv", f"{HEADER}\nB1,,12,,是,齐全,,\nB2,,10,,否,齐全,,\n")
    frame = load_checklists(RUBRIC, [path]).frame
    assert frame["branch_name"].tolist() == ["", ""]
    assert frame["remarks"].isna().all()


PERIOD = Field(id="period", type="text", label="期间")


def test_rows_split_by_a_column_allow_a_branch_once_per_group(tmp_path: Path) -> None:
    """load_checklists_by: groups in the order they first appear, each branch once per group,
    every group's rows parsed as load_checklists parses them."""
    rows = ("B1,一社区,12,85%,是,齐全,,,2025上半年\nB1,一社区,10,90,否,齐全,,,2025下半年\n"
            "B2,二社区,6,,是,不齐全,,,2025上半年\n")
    path = write(tmp_path, "a.csv", f"{HEADER},期间\n{rows}")
    groups = load_checklists_by(RUBRIC, [path], PERIOD)
    assert [name for name, _ in groups] == ["2025上半年", "2025下半年"]
    first, second = (checklists.frame for _, checklists in groups)
    assert first["branch_id"].tolist() == ["B1", "B2"]
    assert first["_row"].tolist() == [2, 4]
    assert second["meetings"].tolist() == [10.0]


def test_a_repeat_within_a_group_or_a_blank_group_is_an_error(tmp_path: Path) -> None:
    """A branch twice in one group is refused at both rows; a blank group cell at its row."""
    rows = ("B1,一社区,12,85,是,齐全,,,2025上半年\nB1,一社区,10,90,否,齐全,,,2025上半年\n"
            "B2,二社区,6,,是,不齐全,,,\n")
    path = write(tmp_path, "a.csv", f"{HEADER},期间\n{rows}")
    with pytest.raises(ChecklistError) as caught:
        load_checklists_by(RUBRIC, [path], PERIOD)
    assert where(list(caught.value.issues)) == [
        ("missing-value", "a.csv", 4, "期间"),
        ("duplicate-branch", "a.csv", 3, None),
    ]
