"""Self-assessment against inspection: gaps per branch and item, over-claimed items, outputs."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import openpyxl
import pandas as pd
from chart_checks import assert_charts_point_at_their_tables
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st
from print_checks import assert_print_style
from strategies import checklists_for, make_checklists, rubrics, rubrics_2

from inspect_score.checklists.table import BRANCH_ID, Checklists
from inspect_score.errors import ChecklistError
from inspect_score.rubric.loader import load_rubric
from inspect_score.rubric.model import Rubric
from inspect_score.scoring.score import score
from inspect_score.selfcheck.calibrate import (
    CALIBRATION_HEAD,
    REMAINDER,
    calibrate,
    write_calibration_csv,
    write_calibration_workbook,
)
from inspect_score.tuning import compare

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
    """branch_id, branch_name, self_total, inspected_total, gap, each item's gap, then the
    remainder column compare has (cap/floor/rescaling)."""
    path = tmp_path / "calibration.csv"
    write_calibration_csv(_calibration(), path)
    rows = list(csv.reader(path.read_text(encoding="utf-8-sig").splitlines()))
    assert [*CALIBRATION_HEAD, *(item.id for item in EN_BASIC.items), REMAINDER] == rows[0]
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
    assert book.sheetnames == ["Self vs inspected", "Item gaps", "Self-assessed higher"]
    sheet = book["Self vs inspected"]
    headings = [cell.value for cell in sheet[2]]
    assert headings == ["ID", "Name", "Self total", "Inspected total", "Gap", "Note"]
    assert len(sheet._charts) == 1
    assert_charts_point_at_their_tables(path)
    rubric = _calibration().rubric
    assert book["Self-assessed higher"]["A3"].value == next(
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


@st.composite
def _two_sides(draw: st.DrawFn) -> tuple[Rubric, Checklists, Checklists]:
    """A schema 1 or 2 rubric, and two checklists for it sharing most branch ids."""
    rubric = draw(st.one_of(rubrics(), rubrics_2()))
    inspected = draw(checklists_for(rubric, max_branches=6))
    other = draw(checklists_for(rubric, max_branches=6))
    # the self-assessments of the inspected branches: their ids, in their order
    ids = dict(zip(dict.fromkeys(other.frame[BRANCH_ID]), dict.fromkeys(inspected.frame[BRANCH_ID]),
                   strict=False))
    frame = other.frame.assign(**{BRANCH_ID: other.frame[BRANCH_ID].map(
        lambda branch: ids.get(branch, branch))})
    return rubric, attrs.evolve(other, frame=frame), inspected


def _plain(rubric: Rubric, checklists: Checklists) -> pd.Series:
    """Per branch (in ``branch_id`` order), whether the total is the plain sum of what each
    item adds: every indicator applies (of a group of alternatives, one), the bonus is under
    its cap, no floor, no zero veto."""
    scores = score(rubric, checklists)
    indicators = [item.id for item in rubric.indicators if item.group is None]
    applies = scores.points[indicators].notna().all(axis=1).to_numpy().copy()
    groups: dict[tuple[str | None, str], list[str]] = {}
    for item in rubric.indicators:
        if item.group is not None:
            groups.setdefault((item.section, item.group), []).append(item.id)
    for members in groups.values():
        # an alternative whose own fields are all blank under na leaves its group n/a:
        # the base is rescaled then, as for any item that does not apply
        applies &= scores.points[members].notna().any(axis=1).to_numpy()
    raw_bonus = scores.points[[item.id for item in rubric.bonuses]].fillna(0).sum(axis=1)
    under_cap = (raw_bonus <= rubric.bonus_cap).to_numpy() if rubric.bonuses else True
    branches = scores.branches
    above_floor = (branches["base"] + branches["bonus"] - branches["penalty"] > 0).to_numpy()
    plain = applies & under_cap & above_floor & ~branches["zeroed"].to_numpy(dtype=bool)
    return pd.Series(plain, index=branches[BRANCH_ID]).sort_index()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_two_sides())
def test_item_columns_and_the_remainder_add_up_to_the_gap(
        sides: tuple[Rubric, Checklists, Checklists]) -> None:
    """Per branch, the item columns plus cap/floor/rescaling equal the gap (to the rubric's
    precision), and the remainder is nothing where no cap, floor, n/a rescaling or zero veto
    stepped in on either side (one rounding unit per weighted item at most)."""
    rubric, own, inspected = sides
    try:
        result = calibrate(rubric, own, inspected)
        plain = _plain(rubric, own) & _plain(rubric, inspected)
    except ChecklistError:
        reject()  # drawn checklists that cannot be scored (nothing applicable)
    assert REMAINDER == compare.REMAINDER
    unit = 10.0 ** -rubric.precision
    both = result.branches["side"].to_numpy() == "both"
    columns = [item.id for item in rubric.items] + [REMAINDER]
    sums = result.item_gaps[columns].to_numpy(dtype=np.float64).sum(axis=1)
    gaps = result.branches["gap"].to_numpy(dtype=np.float64)
    assert np.allclose(sums[both], gaps[both], rtol=0, atol=unit / 2)
    remainder = result.item_gaps[REMAINDER].to_numpy(dtype=np.float64)
    weighted = sum(1 for item in rubric.indicators if item.section and any(
        section.weight != 1 for section in rubric.sections))
    slack = unit * (weighted + 1)
    quiet = both & plain.reindex(result.branches[BRANCH_ID]).fillna(False).to_numpy(dtype=bool)
    assert (np.abs(remainder[quiet]) <= slack + 1e-9).all()


STREET_2 = load_rubric(ROOT / "rubrics" / "street-2025-h2.toml")
SAMPLE_2 = ROOT / "samples" / "h2" / "街道社区2025下半年.csv"


def _self_assessed_h2(tmp_path: Path) -> Path:
    """The second-half sample as the branches assessed themselves: 东湖 (SQ02) reports 6 party
    group meetings where the inspectors found 4; 幸福里 (SQ01) a satisfaction rate of 100."""
    rows = list(csv.reader(SAMPLE_2.read_text(encoding="utf-8-sig").splitlines()))
    head = rows[0]
    for row in rows[1:]:
        if row[0] == "SQ02":
            row[head.index("党小组会次数")] = "6"
        if row[0] == "SQ01":
            row[head.index("群众满意率(%)")] = "100"
    path = tmp_path / "自评.csv"
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def test_schema_2_gaps_by_item_weighted_section_and_clause(tmp_path: Path) -> None:
    """Schema 2: 东湖's unreported problem is 三会一课 clause 3 (inspected cost 1, self 0):
    +1 on the item and +1 on the clause, self minus inspected on both; 幸福里's 3 points
    of 群众满意度 count 0.9 towards the gap (民主测评 weighs 0.3)."""
    from inspect_score.checklists.load import load_checklists

    own = load_checklists(STREET_2, [_self_assessed_h2(tmp_path)])
    result = calibrate(STREET_2, own, load_checklists(STREET_2, [SAMPLE_2]))
    by_id = result.branches.set_index("branch_id")
    assert (by_id.loc["SQ02", "gap"], by_id.loc["SQ01", "gap"]) == (1.0, 0.9)
    gaps = result.item_gaps.assign(branch=result.branches["branch_id"]).set_index("branch")
    assert gaps.loc["SQ02", "three_meetings"] == 1.0
    assert gaps.loc["SQ01", "satisfaction_item"] == 0.9
    clauses = result.clause_gaps.assign(branch=result.branches["branch_id"]).set_index("branch")
    assert clauses.loc["SQ02", "three_meetings#3"] == 1.0
    assert (clauses.drop(index="SQ02").to_numpy() == 0).all()
    over = result.over_claims.set_index(["item_id", "clause"])
    assert over.loc[("three_meetings", 3), "title"] == "“三会一课”第3条"
    assert over.loc[("three_meetings", 3), "over_claimed"] == 1
    assert over.loc[("three_meetings", 3), "over_points"] == 1.0


def _follows_its_clauses(rubric: Rubric, checklists: Checklists) -> dict[str, pd.Series]:
    """Per clause item (indicator or penalty), per branch id: the item's points are its
    clauses' alone (an indicator's max less their costs, not floored; a penalty's their
    sum, within its max)."""
    scores = score(rubric, checklists)
    unit = 10.0 ** -rubric.precision
    follows = {}
    for item in rubric.items:
        if item.kind == "bonus" or not item.clauses:
            continue
        keys = [f"{item.id}#{number}" for number in range(1, len(item.clauses) + 1)]
        costs = scores.clauses[keys].fillna(0.0).to_numpy(dtype=np.float64).sum(axis=1)
        points = scores.points[item.id].to_numpy(dtype=np.float64)
        expected = item.max - costs if item.kind == "indicator" else costs
        inside = (expected > 0) if item.kind == "indicator" else (expected <= item.max)
        follows[item.id] = pd.Series(
            np.isclose(points, expected, rtol=0, atol=unit / 2 + 1e-9) & inside,
            index=scores.branches[BRANCH_ID].to_numpy())
    return follows


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_two_sides().filter(lambda sides: sides[0].schema == 2))
def test_a_clause_gap_counts_as_its_items_gap(sides: tuple[Rubric, Checklists, Checklists]
                                               ) -> None:
    """Item and clause gaps are both self minus inspected of what they add to the total
    (weighted as the item): where an item's points are its clauses' alone on both sides,
    its clauses' gaps add up to its gap, so a problem the branch left out is positive on
    its clause as on its item, never +4 on one and -4 on the other."""
    rubric, own, inspected = sides
    try:
        result = calibrate(rubric, own, inspected)
        mine, found = _follows_its_clauses(rubric, own), _follows_its_clauses(rubric, inspected)
    except ChecklistError:
        reject()
    unit = 10.0 ** -rubric.precision
    ids = result.branches["branch_id"].to_numpy()
    both = result.branches["side"].to_numpy() == "both"
    for item_id, follows in mine.items():
        plain = both & follows.reindex(ids).fillna(False).to_numpy(dtype=bool) \
            & found[item_id].reindex(ids).fillna(False).to_numpy(dtype=bool)
        keys = [key for key in result.clause_gaps.columns if key.rsplit("#", 1)[0] == item_id]
        clause_sum = result.clause_gaps[keys].to_numpy(dtype=np.float64).sum(axis=1)
        item_gap = result.item_gaps[item_id].to_numpy(dtype=np.float64)
        assert np.allclose(clause_sum[plain], item_gap[plain], rtol=0,
                           atol=unit * (len(keys) + 1)), item_id
