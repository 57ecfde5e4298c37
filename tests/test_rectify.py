"""The rectification list: a row per branch and problem, deadlines, the workbook sheet."""

from __future__ import annotations

import csv
import datetime
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner
from print_checks import assert_print_style

from inspect_score.checklists.load import load_checklists
from inspect_score.cli.main import main
from inspect_score.followup.rectify import (
    RECTIFY_COLUMNS,
    deadline_from,
    rectification_table,
    rectify_outputs,
)
from inspect_score.outputs.print_style import DocumentTitle
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
def test_one_row_per_problem_and_veto_grouped_by_branch(case: str) -> None:
    """Every problem worth reporting (points lost on an item, above the threshold) and every
    veto becomes one row, grouped by branch in ranking order; the problem is stated in words,
    never as the scoring note; deadline, status and empty columns to fill in."""
    folder = GOLDEN / case
    rubric = load_rubric(folder / "rubric.toml")
    results = evaluate(rubric, load_checklists(rubric, [folder / "checklist.csv"]))
    table = rectification_table(results, DEADLINE)
    findings = results.findings
    assert list(RECTIFY_COLUMNS) == list(table.columns)
    expected = findings[(findings["kind"] == "veto") | (findings["lost"] >= 0.01)]
    assert sorted(zip(expected["branch_id"], expected["item_id"], strict=True)) == sorted(
        zip(table["branch_id"], table["item_id"], strict=True))
    order = list(results.ranking["branch_id"])
    positions = [order.index(branch) for branch in table["branch_id"]]
    assert sorted(positions) == positions
    assert not set(table["problem"]) & set(findings["note"])
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
    """The sheet: a title naming the period and subject, the header 序号 问题 整改要求 失分
    整改时限 责任人 整改措施 整改状态, per branch a row naming it then its problems numbered
    from 1, the deadline as a date cell, the status column offering 未整改/整改中/已整改."""
    results = sample_results()
    title = DocumentTitle(period="2025年上半年", subject="社区党建工作")
    extra = rectify_outputs(results, DEADLINE, title=title)
    path = tmp_path / "results.xlsx"
    write_workbook(results, path, inputs=["x.csv"], tool_version="0", extra_sheets=extra.sheets)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames[-1] == "整改清单"
    sheet = book["整改清单"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "2025年上半年社区党建工作整改清单"
    assert_print_style(sheet, header_row=2)
    assert rows[1] == ("序号", "问题", "整改要求", "失分", "整改时限", "责任人", "整改措施",
                       "整改状态")
    table = rectification_table(results, DEADLINE)
    branches = table["branch_id"].nunique()
    assert len(table) + branches == len(rows) - 2
    assert rows[2][0] == "幸福里社区（SQ01）"
    first = rows[3]
    assert first[0] == 1
    assert datetime.datetime(2025, 9, 30) == first[4]
    assert first[7] == "未整改"
    validations = sheet.data_validations.dataValidation
    assert [validation.formula1 for validation in validations] == ['"未整改,整改中,已整改"']
    assert f"H3:H{len(rows)}" == str(validations[0].sqref)
    widths = {letter: sheet.column_dimensions[letter].width for letter in "BCFG"}
    assert widths["G"] >= 30 and widths["F"] >= 10  # room to write the measure and a name
    problem_rows = [cell.row for cell in sheet["A"][2:] if isinstance(cell.value, int)]
    assert all((sheet.row_dimensions[row].height or 0) >= 36 for row in problem_rows)


def test_per_branch_pages_start_each_branch_on_a_new_page(tmp_path: Path) -> None:
    """--per-branch-pages: a page break before every branch but the first, and the page
    scaled to the width (a page fitted to the width would ignore the breaks)."""
    results = sample_results()
    extra = rectify_outputs(results, DEADLINE, per_branch_pages=True)
    path = tmp_path / "results.xlsx"
    write_workbook(results, path, inputs=["x.csv"], tool_version="0", extra_sheets=extra.sheets)
    sheet = openpyxl.load_workbook(path)["整改清单"]
    group_rows = [cell.row for cell in sheet["A"] if (isinstance(cell.value, str)
                  and cell.value.endswith(")")) or (isinstance(cell.value, str)
                  and cell.value.endswith("）"))]
    breaks = [brk.id for brk in sheet.row_breaks.brk]
    assert [row - 1 for row in group_rows[1:]] == breaks
    assert not sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.scale < 100


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
    assert len(rectification_table(results, DEADLINE)) == len(rows)
    assert rows[0]["lost"] == "0.24"
    veto_rows = [row for row in rows if row["kind"] == "veto"]
    assert veto_rows
    assert {""} == {row["lost"] for row in veto_rows}


def test_rows_state_the_rubric_problem_and_rectify_above_the_threshold() -> None:
    """Under a rubric with problem_min_lost = 1 and problem/rectify texts: no row for a loss
    below 1 point, the problem as the rubric words it, and its 整改要求."""
    rubric = load_rubric(ROOT / "tests" / "data" / "documents" / "street-schema2.toml")
    results = evaluate(rubric, load_checklists(rubric, [ROOT / "samples" /
                                                        "街道社区2025上半年.csv"]))
    table = rectification_table(results, DEADLINE)
    losses = table[table["kind"] != "veto"]
    assert (losses["lost"] >= 1).all()
    assert "SQ01" not in set(table["branch_id"])  # it lost 0.24 points only
    activists = table[table["item_id"] == "activists"]
    assert set(activists["problem"]) == {"没有积极分子"}
    assert set(activists["rectify"]) == {"确定培养对象，建立积极分子培养台账"}


H2_RUBRIC = ROOT / "rubrics" / "street-2025-h2.toml"
H2_CHECKLIST = ROOT / "samples" / "h2" / "街道社区2025下半年.csv"


def test_schema_2_rows_are_clauses_and_vetoes_through_the_command(tmp_path: Path) -> None:
    """``run --rectify`` on a schema 2 rubric with zeroed, excluded and capped branches: one
    row per clause that cost points (问题 and 整改要求 the clause's ``problem`` and
    ``rectify``), one per veto saying what the veto did, the excluded branch last."""
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["run", str(H2_RUBRIC), str(H2_CHECKLIST), "--rectify",
                                       "--csv", str(out)])
    assert result.exit_code == 0, result.output
    rows = pd.read_csv(out / "rectify.csv", dtype=str, keep_default_na=False,
                       encoding="utf-8-sig")
    rubric = load_rubric(H2_RUBRIC)
    results = evaluate(rubric, load_checklists(rubric, [H2_CHECKLIST]))
    clauses = results.findings[results.findings["clause"].notna()]
    nanyuan = rows[rows["branch_name"] == "南苑社区"]
    meetings = nanyuan[nanyuan["item_id"] == "three_meetings"]
    assert list(meetings["problem"]) == ["支委会少开3次", "党课少讲2次", "未按月开展主题党日"]
    assert set(meetings["rectify"]) == {"严格落实“三会一课”制度，按时召开会议并如实记录"}
    assert len(rows[rows["kind"] != "veto"]) >= len(clauses)
    vetoes = dict(zip(rows.loc[rows["kind"] == "veto", "branch_name"],
                      rows.loc[rows["kind"] == "veto", "problem"], strict=True))
    assert vetoes == {"锦绣社区": "党费未按时足额交纳（一票否决：等次不高于合格）",
                      "和平社区": "发生重大安全责任事故（一票否决：总分计0分）",
                      "桂花社区": "发生严重违纪违法问题（一票否决：取消考核资格）"}
    assert rows["branch_name"].iloc[-1] == "桂花社区"
    assert set(rows.loc[rows["kind"] == "veto", "lost"]) == {""}


def test_a_run_without_any_problem_gets_an_empty_list(tmp_path: Path) -> None:
    """A run where no branch lost a point nor met a veto writes the rectification sheet
    with its title and header only (it was refused with an error)."""
    folder = GOLDEN / "s2-quotas-vetoes"
    checklist = tmp_path / "c.csv"
    checklist.write_text("branch_id,branch_name,score,violation,rate,late\n"
                         "C1,社区一,100,否,100,否\n", encoding="utf-8")
    rubric = load_rubric(folder / "rubric.toml")
    results = evaluate(rubric, load_checklists(rubric, [checklist]))
    extra = rectify_outputs(results, DEADLINE)
    path = tmp_path / "results.xlsx"
    write_workbook(results, path, inputs=["c.csv"], tool_version="0", extra_sheets=extra.sheets)
    sheet = openpyxl.load_workbook(path)["整改清单"]
    assert sheet.cell(2, 2).value == "问题"
    assert sheet.max_row == 2


H2_RUBRIC = ROOT / "rubrics" / "street-2025-h2.toml"
H2_SAMPLE = ROOT / "samples" / "h2" / "街道社区2025下半年.csv"


def test_a_loss_in_a_weighted_part_says_what_it_costs_of_the_total(tmp_path: Path) -> None:
    """三、民主测评 counts 30% of its 100 points: 南苑社区's satisfaction of 70% loses 18 of
    群众满意度's 60, which costs 5.4 of the total. ``lost`` stays the loss the findings give
    (the item's own), ``weighted_lost`` is what it costs of the total; the sheet heads the
    first 失分（本部分） and shows the second as 折算失分, so that a clerk adding up a column
    adds up what the total lost. Items of unweighted parts and penalties cost as they lose."""
    rubric = load_rubric(H2_RUBRIC)
    results = evaluate(rubric, load_checklists(rubric, [H2_SAMPLE]))
    table = rectification_table(results, DEADLINE)
    satisfaction = table[(table["branch_id"] == "SQ13")
                         & (table["item_id"] == "satisfaction_item")].iloc[0]
    assert (satisfaction["lost"], satisfaction["weighted_lost"]) == (18.0, 5.4)
    review = table["item_id"].isin(["satisfaction_item", "member_review_item"])
    others = table[~review & (table["kind"] != "veto")]
    assert (others["weighted_lost"] == others["lost"]).all()
    assert table.loc[table["kind"] == "veto", "weighted_lost"].isna().all()
    path = tmp_path / "r.xlsx"
    write_workbook(results, path, inputs=[str(H2_SAMPLE)], tool_version="0.1.0",
                   extra_sheets=rectify_outputs(results, DEADLINE).sheets)
    rows = list(openpyxl.load_workbook(path)["整改清单"].iter_rows(values_only=True))
    assert rows[1][3:5] == ("失分（本部分）", "折算失分")
    shown = next(row for row in rows if row[1] == "群众满意率偏低（70%）")
    assert shown[3:5] == (18, 5.4)


def test_an_unweighted_rubric_has_one_points_lost_column(tmp_path: Path) -> None:
    """Without weighted parts the loss is what the total lost: one 失分 column."""
    results = sample_results()
    path = tmp_path / "r.xlsx"
    write_workbook(results, path, inputs=["a.csv"], tool_version="0.1.0",
                   extra_sheets=rectify_outputs(results, DEADLINE).sheets)
    header = list(openpyxl.load_workbook(path)["整改清单"].iter_rows(values_only=True))[1]
    assert header == ("序号", "问题", "整改要求", "失分", "整改时限", "责任人", "整改措施",
                      "整改状态")
    table = rectification_table(results, DEADLINE)
    assert table["weighted_lost"].equals(table["lost"].rename("weighted_lost"))
