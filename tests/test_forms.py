"""Forms as branches send them, through the real command: a title above the
header, a row of totals under the branches, a typo in a header."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import title_rows, total_labels

from inspect_score.checklists.load import is_total_label, load_checklists
from inspect_score.cli.main import main
from inspect_score.rubric.loader import load_rubric

ROOT = Path(__file__).parent.parent
RUBRIC = ROOT / "rubrics" / "street-2025-h1.toml"
SAMPLE = ROOT / "samples" / "街道社区2025上半年.csv"
TITLE = "2025年上半年社区党建工作检查考评表"


@pytest.fixture(autouse=True)
def english(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests read the English wording (the Chinese is the catalog's, tested there)."""
    monkeypatch.setenv("INSPECT_SCORE_LANG", "en")


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def sample_rows() -> list[list[str]]:
    """The bundled sample (header first), as Chinese Excel saved it."""
    text = SAMPLE.read_bytes().decode("gb18030")
    return [row for row in csv.reader(io.StringIO(text)) if row]


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    """Rows written as Chinese Excel saves a CSV (GBK)."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    path.write_bytes(buffer.getvalue().encode("gb18030"))
    return path


def write_xlsx(path: Path, rows: list[list[object]]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def as_typed(rows: list[list[str]]) -> list[list[object]]:
    """Cells as a person types them into Excel: numbers as numbers."""
    def typed(cell: str) -> object:
        try:
            return int(cell)
        except ValueError:
            return cell
    return [[typed(cell) for cell in row] for row in rows]


def write_form(folder: Path, body: list[list[str]], *, as_xlsx: bool) -> Path:
    """The rows as Chinese Excel saves a CSV, or as a workbook with numbers typed as numbers."""
    if as_xlsx:
        return write_xlsx(folder / "form.xlsx", as_typed(body))
    return write_csv(folder / "form.csv", body)


def totals_row(header: list[str], label: str = "合计") -> list[str]:
    """A 合计 row as a clerk adds one: the label in the first cell, sums below the counts."""
    rows = sample_rows()[1:]
    sums = []
    for index in range(len(header)):
        try:
            sums.append(str(sum(int(row[index]) for row in rows)))
        except ValueError:
            sums.append("")
    return [label, "", *sums[2:]]


@pytest.fixture
def titled_form(tmp_path: Path) -> Path:
    """The sample with a title row above its header and a 合计 row under its branches."""
    rows = sample_rows()
    return write_csv(tmp_path / "考评表.csv",
                     [[TITLE], *rows, totals_row(rows[0])])


def test_a_title_row_above_the_header_is_taken_as_the_title(
    titled_form: Path, tmp_path: Path
) -> None:
    """The header is found on row 2 under the form's title: the run scores the fifteen
    branches as without the title, and says once, as a warning, what it took as title."""
    status, _, err = invoke("run", str(RUBRIC), str(titled_form), "--csv", str(tmp_path / "a"))
    assert status == 0, err
    assert f"{titled_form}:2: warning: the header is on row 2; row 1 above it ('{TITLE}') " \
        "taken as the form's title" in err
    plain = tmp_path / "plain"
    assert invoke("run", str(RUBRIC), str(SAMPLE), "--csv", str(plain))[0] == 0
    for name in ("ranking.csv", "findings.csv", "summary.csv"):
        assert (tmp_path / "a" / name).read_bytes() == (plain / name).read_bytes()


def test_a_row_of_totals_under_the_branches_is_skipped_with_a_warning(
    titled_form: Path,
) -> None:
    """The 合计 row is not scored as a branch nor checked against the fields' ranges;
    the warning names its row as the spreadsheet shows it (title 1, header 2, 15
    branches, 合计 on 18)."""
    status, _, err = invoke("validate", str(RUBRIC), str(titled_form))
    assert status == 0, err
    assert f"{titled_form}:18: warning: a row of totals ('合计'), not a branch; skipped" in err
    assert "OK: 15 rows, 15 branches in 1 files." in err


def test_rows_keep_the_numbers_the_spreadsheet_shows_below_a_title(tmp_path: Path) -> None:
    """Under a title and a blank row, a bad cell is reported at the row Excel shows:
    header on row 3, the first branch on row 4."""
    rows = sample_rows()
    rows[1][2] = "十二次"
    form = write_xlsx(tmp_path / "考评表.xlsx", [[TITLE], [], *as_typed(rows)])
    status, _, err = invoke("run", str(RUBRIC), str(form), "-o", str(tmp_path / "r.xlsx"))
    assert status == 1
    assert f"{form}:3: warning: the header is on row 3; rows 1-2 above it ('{TITLE}')" in err
    assert f"{form}:4:三会一课召开次数: '十二次' is not a number" in err
    assert not (tmp_path / "r.xlsx").exists()


def test_an_xlsx_form_with_a_title_and_an_average_row_scores_as_the_sample(
    tmp_path: Path,
) -> None:
    """XLSX forms are read like CSV ones: the title skipped, an 平均 row (written
    "平  均", as forms space it) skipped, the fifteen branches ranked."""
    rows = sample_rows()
    average = totals_row(rows[0], "平  均")
    form = write_xlsx(tmp_path / "考评表.xlsx", [[TITLE], *as_typed(rows), average])
    status, _, err = invoke("run", str(RUBRIC), str(form), "--csv", str(tmp_path / "out"))
    assert status == 0, err
    assert f"{form}:18: warning: a row of totals ('平  均'), not a branch; skipped" in err
    ranking = (tmp_path / "out" / "ranking.csv").read_text(encoding="utf-8-sig").splitlines()
    assert len(ranking) == 1 + 15


def test_only_trailing_total_rows_are_skipped() -> None:
    """A total is recognised by its label, whatever the spaces and case; a branch
    name that only contains the word is not one."""
    assert all(map(is_total_label, ["合计", "合 计", " 总计 ", "小计", "平均", "平均值:",
                                    "Total", "AVERAGE"]))
    assert not any(map(is_total_label, ["合计社区", "", "SQ01", "平均分数线"]))


def test_a_total_row_in_the_middle_is_still_an_error(tmp_path: Path) -> None:
    """Only the rows of totals at the end are skipped: a 小计 between branches stays
    a row to check (here its sums are out of range), so nothing is lost unsaid."""
    rows = sample_rows()
    form = write_csv(tmp_path / "a.csv", [*rows[:4], totals_row(rows[0], "小计"), *rows[4:]])
    status, _, err = invoke("validate", str(RUBRIC), str(form))
    assert status == 1
    assert f"{form}:5:财务公开次数: '27' is out of range" in err
    assert "row of totals" not in err


def numbered(rows: list[list[str]], header: str, numbers: list[str]) -> list[list[str]]:
    """The rows with a row-number column in front: ``header`` over ``numbers``."""
    return [[header, *rows[0]], *([number, *row] for number, row in zip(numbers, rows[1:],
                                                                       strict=True))]


@pytest.mark.parametrize("as_xlsx", [False, True])
@pytest.mark.parametrize("header", ["序号", "序  号", "序", "No.", "NO", "#", "＃", "行号"])
def test_a_row_number_column_is_read_silently(tmp_path: Path, header: str,
                                              as_xlsx: bool) -> None:
    """A 序号 column of whole numbers, as clerks add in Excel, is no field and no news: the
    branches load as from the bare table, rows numbered ahead with nothing else written are
    blank rows, and a 合计 row with its label in the 序号 column is skipped as ever."""
    rows = sample_rows()
    rubric = load_rubric(RUBRIC)
    bare = load_checklists(rubric, [SAMPLE]).frame
    body = [*numbered(rows, header, [str(number) for number in range(1, len(rows))]),
            *([str(number)] + [""] * len(rows[0]) for number in range(len(rows), 21)),
            ["合计", "", *totals_row(rows[0])[1:]]]
    path = write_form(tmp_path, body, as_xlsx=as_xlsx)
    loaded = load_checklists(rubric, [path])
    columns = [column for column in bare.columns if column != "_file"]
    pd.testing.assert_frame_equal(loaded.frame[columns], bare[columns], check_dtype=False)
    assert [(issue.code, issue.row) for issue in loaded.warnings] == [
        ("total-row-skipped", len(body))]


@pytest.mark.parametrize("as_xlsx", [False, True])
def test_a_row_number_column_holding_anything_else_is_an_unknown_column(
        tmp_path: Path, as_xlsx: bool) -> None:
    """A column headed 序号 that holds more than whole numbers (一, 二..., 1.5, a note) is
    not taken for row numbers: it is reported as any unknown column is."""
    rows = sample_rows()
    for odd in ("一", "1.5", "见备注"):
        numbers = [str(number) for number in range(1, len(rows))]
        numbers[3] = odd
        body = numbered(rows, "序号", numbers)
        path = write_form(tmp_path, body, as_xlsx=as_xlsx)
        [warning] = load_checklists(load_rubric(RUBRIC), [path]).warnings
        assert (warning.code, warning.row, warning.column) == ("unknown-column", 1, "序号"), odd


def period_filled_down(rows: list[list[str]], below: int, numbered_too: bool
                       ) -> list[list[str]]:
    """The rows with a 期间 column the clerk filled down ``below`` rows past the last
    branch (those rows otherwise empty), and a 序号 column numbering them too if asked."""
    width = len(rows[0])
    body = [[*rows[0], "期间"], *([*row, "2025年上半年"] for row in rows[1:]),
            *([""] * width + ["2025年上半年"] for _ in range(below))]
    if numbered_too:
        body = numbered(body, "序号", [str(number) for number in range(1, len(body))])
    return body


@pytest.mark.parametrize("as_xlsx", [False, True])
@pytest.mark.parametrize("numbered_too", [False, True])
def test_rows_holding_only_a_period_filled_down_are_blank_rows(
        tmp_path: Path, as_xlsx: bool, numbered_too: bool) -> None:
    """A 期间 column filled down past the last branch, alone or with a 序号 column, leaves
    rows with nothing a branch fills: they are blank rows, skipped without a word, and the
    period is read from the branches' rows."""
    from inspect_score.checklists.period import load_checklists_with_period

    rubric = load_rubric(RUBRIC)
    bare = load_checklists(rubric, [SAMPLE]).frame
    path = write_form(tmp_path, period_filled_down(sample_rows(), 20, numbered_too),
                      as_xlsx=as_xlsx)
    loaded, period = load_checklists_with_period(rubric, [path])
    columns = [column for column in bare.columns if column != "_file"]
    pd.testing.assert_frame_equal(loaded.frame[columns], bare[columns], check_dtype=False)
    assert (period, loaded.warnings) == ("2025年上半年", ())


def test_a_period_filled_down_splits_periods_without_blank_rows(tmp_path: Path) -> None:
    """Split by the period (as trend does), the rows holding only a period are blank rows
    too: one group of the fifteen branches, no error for the rows below them."""
    from inspect_score.checklists.load import load_checklists_by
    from inspect_score.rubric.model import Field

    path = write_form(tmp_path, period_filled_down(sample_rows(), 20, False), as_xlsx=True)
    period = Field(id="period", type="text", label="期间", missing="error")
    [(name, group)] = load_checklists_by(load_rubric(RUBRIC), [path], period)
    assert (name, len(group.frame), group.warnings) == ("2025年上半年", 15, ())


def typo_form(tmp_path: Path) -> Path:
    rows = sample_rows()
    assert rows[0][2] == "三会一课召开次数"
    rows[0][2] = "三会一课召开次"
    return write_csv(tmp_path / "a.csv", rows)


@pytest.mark.parametrize("command", ["run", "validate", "explain"])
def test_a_typo_in_a_header_is_one_message_with_a_suggestion(
    tmp_path: Path, command: str
) -> None:
    """A header that names no field but is close to a missing one gives one error
    that says both (the field has no column; did you mean it?), at the header's
    cell, in run, validate and explain alike; no unrelated "ignored" line."""
    form = typo_form(tmp_path)
    extra = ["--branch", "SQ01"] if command == "explain" else []
    status, _, err = invoke(command, str(RUBRIC), str(form), *extra)
    assert status == 1
    lines = [line for line in err.splitlines() if "三会一课召开次" in line]
    assert lines == [
        f"{form}:1:三会一课召开次: no column '三会一课召开次数' (the field's missing policy "
        "is \"error\"); column 3 reads '三会一课召开次': "
        "did you mean 「三会一课召开次数」?"], err
    assert "ignored" not in err


def test_a_typo_of_a_field_that_may_be_missing_is_one_warning(tmp_path: Path) -> None:
    """For a field that may be left out (missing = "zero"), the misspelt column is
    one warning: ignored, did you mean the field, which counts as blank meanwhile."""
    rows = sample_rows()
    index = rows[0].index("区级以上表彰次数")
    rows[0][index] = "区级以上表彰次"
    form = write_csv(tmp_path / "a.csv", rows)
    checklists = load_checklists(load_rubric(RUBRIC), [form])
    [warning] = checklists.warnings
    assert (warning.code, warning.row, warning.column) == ("unknown-column", 1, "区级以上表彰次")
    assert "did you mean 「区级以上表彰次数」?" in warning.message
    assert "the field '区级以上表彰次数' taken as blank" in warning.message
    assert "awards" not in warning.message


def test_a_typo_in_the_id_header_is_said_with_the_missing_id_column(tmp_path: Path) -> None:
    """编号 misspelt (支部编号, say) gets the suggestion in the
    missing-column error itself."""
    rows = sample_rows()
    rows[0][0] = "支部编号"
    form = write_csv(tmp_path / "a.csv", rows)
    status, _, err = invoke("validate", str(RUBRIC), str(form))
    assert status == 1
    assert f"{form}:1:支部编号: no branch_id (编号) column; column 1 reads '支部编号': " \
        "did you mean 「编号」?" in err


def test_a_header_unlike_any_field_gets_no_suggestion(tmp_path: Path) -> None:
    """Headers far from every missing name are reported as before: unknown, ignored."""
    rows = sample_rows()
    rows[0] = [*rows[0], "联系电话"]
    rows[1:] = [[*row, "123"] for row in rows[1:]]
    form = write_csv(tmp_path / "a.csv", rows)
    [warning] = load_checklists(load_rubric(RUBRIC), [form]).warnings
    assert warning.message.endswith("is not a field of the rubric; ignored")


def test_the_bundled_inbox_reads_as_its_readme_says() -> None:
    """samples/收件箱: a workbook under a two-row title with a 合计 row, a WPS CSV
    with a title, a 序号 column (read without a word) and a 合  计 row, and a note:
    five branches, and one warning for each thing a clerk should know."""
    folder = ROOT / "samples" / "收件箱"
    checklists = load_checklists(load_rubric(RUBRIC), [folder])
    assert checklists.frame["branch_id"].tolist() == ["SQ21", "SQ22", "SQ23", "SQ24", "SQ25"]
    xlsx = str(folder / "东湖街道第三网格-考评表.xlsx")
    csv_file = str(folder / "东湖街道第四网格.csv")
    assert [(w.code, w.path, w.row) for w in checklists.warnings] == [
        ("title-row", xlsx, 3), ("total-row-skipped", xlsx, 7),
        ("title-row", csv_file, 2), ("total-row-skipped", csv_file, 5),
        ("other-file-skipped", str(folder / "说明.txt"), None),
    ]
    assert checklists.warnings[0].message == (
        "the header is on row 3; rows 1-2 above it ('2025年上半年社区党建工作检查考评表 "
        "填报单位：东湖街道第三网格 填报日期：2025年7月8日') taken as the form's title")


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(titles=title_rows(), totals=total_labels(), as_xlsx=st.booleans())
def test_titles_and_totals_change_nothing_but_row_numbers(
    tmp_path: Path, titles: list[list[str]], totals: list[str], as_xlsx: bool
) -> None:
    """Whatever a form writes above its header and however many rows of totals it
    adds under its branches, the branches load as from the bare table, each row
    numbered as the spreadsheet shows it (shifted by the rows above), with one
    warning for the title (if anything is written above) and one per total row."""
    rows = sample_rows()
    rubric = load_rubric(RUBRIC)
    bare = load_checklists(rubric, [SAMPLE]).frame
    body = [*titles, *rows, *(totals_row(rows[0], label) for label in totals)]
    path = write_form(tmp_path, body, as_xlsx=as_xlsx)
    loaded = load_checklists(rubric, [path])
    shifted = bare.assign(_row=bare["_row"] + len(titles))
    columns = [column for column in bare.columns if column != "_file"]
    pd.testing.assert_frame_equal(loaded.frame[columns], shifted[columns], check_dtype=False)
    said_title = any(cell.strip() for row in titles for cell in row)
    assert [issue.code for issue in loaded.warnings] == (
        ["title-row"] * said_title + ["total-row-skipped"] * len(totals))
