"""Self-assessment against inspection: gaps per branch and item, over-claimed items, outputs."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
from hypothesis import given, reject, settings
from print_checks import assert_print_style
from strategies import checklists_for, make_checklists, rubrics

from inspect_score.errors import ChecklistError
from inspect_score.rubric.loader import load_rubric
from inspect_score.scoring.score import score
from inspect_score.selfcheck.calibrate import (
    CALIBRATION_HEAD,
    calibrate,
    write_calibration_csv,
    write_calibration_workbook,
)

ROOT = Path(__file__).resolve().parent.parent
EN_BASIC = load_rubric(ROOT / "tests" / "data" / "rubrics" / "en-basic.toml")

FULL: dict[str, Any] = {
    "meetings_held": 12.0, "meetings_required": 12.0, "reserve_cadres": 3.0,
    "dues_on_time": 1.0, "files_status": "complete", "roster_ok": 1.0, "minutes_ok": 1.0,
    "study_absences": 0.0, "service_events": 5.0, "awards": 0.0, "discipline_cases": 0.0,
    "serious_violation": 0.0, "remarks": None,
}


def _branch(branch_id: str, **values: Any) -> dict[str, Any]:
    return {"branch_id": branch_id, "branch_name": f"name {branch_id}", **FULL, **values}


def _calibration() -> Any:
    own = make_checklists(EN_BASIC, [
        _branch("B1"), _branch("B2", files_status="partial"), _branch("B3"),
        _branch("B4", discipline_cases=0.0),
    ])
    inspected = make_checklists(EN_BASIC, [
        _branch("B1", files_status="partial", minutes_ok=0.0), _branch("B2"),
        _branch("B3", files_status="partial"), _branch("B5"),
    ])
    return calibrate(EN_BASIC, own, inspected)


def test_per_branch_self_inspected_and_gap_biggest_first() -> None:
    """Self total, inspected total and their difference, the biggest over-claim first."""
    branches = _calibration().branches
    expected = [("B1", 100.0, 82.0, 18.0, "both"), ("B3", 100.0, 92.0, 8.0, "both"),
                ("B2", 92.0, 100.0, -8.0, "both")]
    actual = [tuple(row) for row in branches[["branch_id", "self_total", "inspected_total",
                                             "gap", "side"]].head(3).itertuples(index=False)]
    assert expected == actual


def test_branches_on_one_side_only_are_listed() -> None:
    """A branch only one side scored is kept, with the other side empty."""
    branches = _calibration().branches.set_index("branch_id")
    assert (branches.loc["B4", "side"], branches.loc["B4", "self_total"]) == ("self_only", 100.0)
    only_inspected = (branches.loc["B5", "side"], branches.loc["B5", "inspected_total"])
    assert only_inspected == ("inspected_only", 100.0)
    assert np.isnan(branches.loc["B4", "gap"]) and np.isnan(branches.loc["B5", "gap"])


def test_items_over_claimed_most_come_first() -> None:
    """files is over-claimed by two branches (16 points), ledgers by one; files leads."""
    over = _calibration().over_claims
    head = [tuple(row) for row in over[["item_id", "over_claimed", "under_claimed",
                                        "over_points"]].head(2).itertuples(index=False)]
    assert head == [("files", 2, 1, 16.0), ("ledgers", 1, 0, 10.0)]


def test_calibration_csv_has_the_exact_columns(tmp_path: Path) -> None:
    """branch_id, branch_name, self_total, inspected_total, gap, then each item's gap."""
    path = tmp_path / "calibration.csv"
    write_calibration_csv(_calibration(), path)
    rows = list(csv.reader(path.read_text(encoding="utf-8-sig").splitlines()))
    assert [*CALIBRATION_HEAD, *(item.id for item in EN_BASIC.items)] == rows[0]
    by_id = {row[0]: row for row in rows[1:]}
    files = rows[0].index("files")
    assert by_id["B1"][:5] == ["B1", "name B1", "100.00", "82.00", "18.00"]
    assert (by_id["B1"][files], by_id["B2"][files]) == ("8.00", "-8.00")
    assert by_id["B5"][:5] == ["B5", "name B5", "", "100.00", ""]


def test_workbook_has_the_tables_and_a_gap_chart(tmp_path: Path) -> None:
    """Three sheets (branches with a chart, item gaps, over-claimed items), each under a title
    row, in the print style (borders, A4 landscape, header repeated, page numbers); items are
    named by their titles, never their ids."""
    path = tmp_path / "calibration.xlsx"
    write_calibration_workbook(_calibration(), path)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Self vs inspected", "Item gaps", "Over-claimed items"]
    sheet = book["Self vs inspected"]
    headings = [cell.value for cell in sheet[2]]
    assert headings == ["ID", "Name", "Self total", "Inspected total", "Gap", "Note"]
    assert len(sheet._charts) == 1
    rubric = _calibration().rubric
    assert book["Over-claimed items"]["A3"].value == next(
        item.title for item in rubric.items if item.id == "files")
    for each in book.worksheets:
        assert_print_style(each, header_row=2)
    item_heads = {cell.value for cell in book["Item gaps"][2]}
    assert not item_heads & {item.id for item in rubric.items}


@settings(max_examples=25, deadline=None)
@given(rubrics().flatmap(lambda rubric: checklists_for(rubric, max_branches=6).map(
    lambda checklists: (rubric, checklists))))
def test_a_run_against_itself_has_no_gap(run: Any) -> None:
    """Checklists set beside themselves: every gap is zero, every total the scorer's."""
    rubric, checklists = run
    try:
        totals = score(rubric, checklists).branches.set_index("branch_id")["total"]
    except ChecklistError:
        reject()  # drawn checklists that cannot be scored (nothing applicable)
    result = calibrate(rubric, checklists, checklists)
    assert (result.branches["gap"] == 0).all()
    assert (result.item_gaps.to_numpy() == 0).all()
    expected = totals.loc[result.branches["branch_id"]].to_numpy()
    assert np.array_equal(expected, result.branches["self_total"].to_numpy())
