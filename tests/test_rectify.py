"""The rectification list: a row per branch and problem, deadlines, the workbook sheet."""

from __future__ import annotations

import csv
import datetime
from pathlib import Path

import numpy as np
import openpyxl
import pytest

from inspect_score.checklists.load import load_checklists
from inspect_score.followup.rectify import (
    RECTIFY_COLUMNS,
    deadline_from,
    rectification_table,
    rectify_outputs,
)
from inspect_score.outputs.workbook import write_workbook
from inspect_score.rubric.loader import load_rubric
from inspect_score.scoring.pipeline import evaluate
from inspect_score.scoring.results import Results

ROOT = Path(__file__).parent.parent
GOLDEN = Path(__file__).parent / "data" / "golden"
CASES = sorted(path.name for path in GOLDEN.iterdir() if path.is_dir())
DEADLINE = datetime.date(2025, 9, 30)


def sample_results() -> Results:
    rubric = load_rubric(ROOT / "rubrics" / "street-2025-h1.toml")
    return evaluate(rubric, load_checklists(rubric, [ROOT / "samples" / "街道社区2025上半年.csv"]))


@pytest.mark.parametrize("case", CASES)
def test_one_row_per_branch_and_problem_with_the_points_lost(case: str) -> None:
    """Every finding becomes one row: same branch, item and points lost; the problem names
    the item and says what was found; deadline, status and empty columns to fill in."""
    folder = GOLDEN / case
    rubric = load_rubric(folder / "rubric.toml")
    results = evaluate(rubric, load_checklists(rubric, [folder / "checklist.csv"]))
    table = rectification_table(results, DEADLINE)
    findings = results.findings
    assert list(RECTIFY_COLUMNS) == list(table.columns)
    assert findings["branch_id"].tolist() == table["branch_id"].tolist()
    assert findings["item_id"].tolist() == table["item_id"].tolist()
    np.testing.assert_array_equal(findings["lost"].to_numpy(), table["lost"].to_numpy())
    titles = {item.id: item.title for item in rubric.items}
    for kind, item_id, note, problem in zip(findings["kind"], findings["item_id"],
                                            findings["note"], table["problem"], strict=True):
        expected = note if kind == "veto" else f"{titles[item_id]}：{note}"
        assert expected == problem
    assert {"2025-09-30"} == set(table["deadline"]) or table.empty
    assert {"未整改"} == set(table["status"]) or table.empty
    assert {""} == set(table["responsible"]) | set(table["measure"]) or table.empty


def test_branch_names_come_with_each_row() -> None:
    """Each row carries the branch's name, for a list sent out as it is."""
    table = rectification_table(sample_results(), None)
    names = dict(zip(table["branch_id"], table["branch_name"], strict=True))
    assert names["SQ06"] == "和平社区"
    assert {""} == set(table["deadline"])


def test_deadline_counts_days_from_the_inspection() -> None:
    """--days 30 after an inspection on 15 August is 14 September."""
    assert datetime.date(2025, 9, 14) == deadline_from(None, 30, datetime.date(2025, 8, 15))
    assert deadline_from(DEADLINE, None, None) == DEADLINE
    assert deadline_from(None, None, datetime.date(2025, 8, 15)) is None


@pytest.mark.parametrize("deadline, days, inspected_on", [
    (DEADLINE, 30, datetime.date(2025, 8, 15)),
    (None, 30, None),
])
def test_contradictory_or_incomplete_deadline_options_are_refused(
        deadline: datetime.date | None, days: int | None,
        inspected_on: datetime.date | None) -> None:
    """A date and a number of days together, or days without the inspection date, is an error."""
    with pytest.raises(ValueError):
        deadline_from(deadline, days, inspected_on)


def test_the_workbook_gets_a_rectification_sheet_with_a_status_drop_down(
        tmp_path: Path) -> None:
    """The sheet lists every row under a header, the deadline as a date cell, and the
    status column offers 未整改/整改中/已整改."""
    results = sample_results()
    extra = rectify_outputs(results, DEADLINE)
    path = tmp_path / "results.xlsx"
    write_workbook(results, path, inputs=["x.csv"], tool_version="0", extra_sheets=extra.sheets)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames[-1] == "整改清单"
    sheet = book["整改清单"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1] == ("序号", "编号", "名称", "存在问题", "失分", "整改期限", "责任人", "整改措施",
            "整改状态")
    assert len(results.findings) == len(rows) - 2
    first = rows[2]
    assert first[:3] == (1, "SQ01", "幸福里社区")
    assert datetime.datetime(2025, 9, 30) == first[5]
    assert first[8] == "未整改"
    validations = sheet.data_validations.dataValidation
    assert [validation.formula1 for validation in validations] == ['"未整改,整改中,已整改"']
    assert f"I3:I{len(rows)}" == str(validations[0].sqref)


def test_rectify_csv_has_the_columns_and_every_row(tmp_path: Path) -> None:
    """rectify.csv: UTF-8 with BOM, the exact columns, one row per finding, lost with the
    rubric's decimals and empty for a veto."""
    results = sample_results()
    extra = rectify_outputs(results, DEADLINE)
    path = tmp_path / "rectify.csv"
    extra.csv["rectify.csv"](path)
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(RECTIFY_COLUMNS) == list(rows[0])
    assert len(results.findings) == len(rows)
    assert rows[0]["lost"] == "0.24"
    veto_rows = [row for row in rows if row["kind"] == "veto"]
    assert veto_rows
    assert {""} == {row["lost"] for row in veto_rows}
