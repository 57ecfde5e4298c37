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
