"""Period to period: totals kept, changes, repeated problems, lists, what cannot be compared."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from chart_checks import assert_charts_point_at_their_tables
from click.testing import CliRunner
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from print_checks import assert_print_style
from strategies import checklists_for, rubrics

from inspect_score.checklists.load import load_checklists
from inspect_score.checklists.table import Checklists
from inspect_score.cli.main import main
from inspect_score.errors import ChecklistError
from inspect_score.followup.trend import (
    Period,
    TrendError,
    compare_periods,
    period_from_results,
    periods_from_checklists,
    read_period_files,
    write_trend_csv,
    write_trend_workbook,
)
from inspect_score.outputs.write_json import write_json
from inspect_score.rubric.loader import load_rubric
from inspect_score.scoring.pipeline import evaluate
from inspect_score.scoring.results import Results

ROOT = Path(__file__).parent.parent
RUBRIC = ROOT / "rubrics" / "street-2025-h1.toml"
SAMPLE = ROOT / "samples" / "街道社区2025上半年.csv"


def sample_lines() -> list[str]:
    return SAMPLE.read_bytes().decode("gb18030").splitlines()


def results_of(lines: list[str], tmp_path: Path, name: str) -> Results:
    path = tmp_path / f"{name}.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    rubric = load_rubric(RUBRIC)
    return evaluate(rubric, load_checklists(rubric, [path]))


def second_half(lines: list[str]) -> list[str]:
    """SQ15 missing, SQ06 now holding all 12 meetings and two activists."""
    kept = [line for line in lines if not line.startswith("SQ15,")]
    return [line.replace("SQ06,和平社区,11,12,3,0", "SQ06,和平社区,12,12,3,2") for line in kept]


def losses(results: Results) -> set[tuple[str, str]]:
    findings = results.findings
    return {(branch, item) for branch, kind, item in
            zip(findings["branch_id"], findings["kind"], findings["item_id"], strict=True)
            if kind in ("indicator", "penalty")}


def combined(first: Checklists, second: Checklists, kept: list[str]) -> Checklists:
    """Period two: the kept branches' rows unchanged, then new branches."""
    rows = first.frame[first.frame["branch_id"].isin(kept)]
    new = second.frame.assign(branch_id="N" + second.frame["branch_id"])
    frame = pd.concat([rows, new], ignore_index=True)
    return Checklists(frame=frame, sources=first.sources, has_rater=first.has_rater)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_branch_whose_checklist_is_unchanged_keeps_its_total(data: st.DataObject) -> None:
    """Between two periods, a branch with the same rows keeps its total (change 0), whatever
    other branches come, go or change; the branches that come and go are reported."""
    rubric = data.draw(rubrics())
    first = data.draw(checklists_for(rubric))
    second = data.draw(checklists_for(rubric, max_branches=4))
    ids = list(dict.fromkeys(first.frame["branch_id"]))
    kept = data.draw(st.lists(st.sampled_from(ids), unique=True))
    later = combined(first, second, kept)
    try:
        before, after = evaluate(rubric, first), evaluate(rubric, later)
    except ChecklistError:
        assume(False)
        raise
    trend = compare_periods([period_from_results("P1", "a", before),
                             period_from_results("P2", "b", after)])
    table = trend.table.set_index("branch_id")
    for branch in kept:
        assert table.loc[branch, "P1_total"] == table.loc[branch, "P2_total"]
        assert table.loc[branch, "P2_change"] == 0
    absent = dict(zip(trend.missing["branch_id"], trend.missing["absent"], strict=True))
    expected = {branch: "P2" for branch in ids if branch not in kept}
    expected.update({branch: "P1" for branch in later.frame["branch_id"]
                     if branch.startswith("N")})
    assert expected == absent


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_repeated_problems_agree_with_a_set_reference(data: st.DataObject) -> None:
    """A branch is flagged on an item in a period exactly when it lost points on that item
    in that period and the one before (checked with plain sets over three periods)."""
    rubric = data.draw(rubrics())
    drawn = [data.draw(checklists_for(rubric)) for _ in range(3)]
    try:
        results = [evaluate(rubric, checklists) for checklists in drawn]
    except ChecklistError:
        assume(False)
        raise
    periods = [period_from_results(f"P{n}", "x", result) for n, result in enumerate(results)]
    trend = compare_periods(periods)
    actual = {(period, branch, item) for period, branch, item in
              zip(trend.repeated["period"], trend.repeated["branch_id"],
                  trend.repeated["item_id"], strict=True)}
    expected = {(f"P{n}", branch, item)
                for n in (1, 2) for branch, item in losses(results[n - 1]) & losses(results[n])}
    assert expected == actual
    yellow = trend.lists[trend.lists["list"] == "yellow"]
    assert {(period, branch) for period, branch, _ in expected} == set(
        zip(yellow["period"], yellow["branch_id"], strict=True))


def json_periods(tmp_path: Path) -> list[Period]:
    lines = sample_lines()
    write_json(results_of(lines, tmp_path, "a"), tmp_path / "2025上半年.json", "0")
    write_json(results_of(second_half(lines), tmp_path, "b"), tmp_path / "2025下半年.json", "0")
    return read_period_files([tmp_path / "2025上半年.json", tmp_path / "2025下半年.json"])


def test_json_results_are_periods_named_by_their_files(tmp_path: Path) -> None:
    """Periods from `run --json` outputs are named by file stem, in the order given; the
    change of total and of rank is shown, and the missing branch reported."""
    trend = compare_periods(json_periods(tmp_path))
    assert [period.name for period in trend.periods] == ["2025上半年", "2025下半年"]
    row = trend.table.set_index("branch_id").loc["SQ06"]
    # 11 → 12 meetings gives 1.25 more, 0 → 2 activists 6 more
    actual = (row["2025上半年_total"], row["2025上半年_rank"],
              row["2025下半年_total"], row["2025下半年_rank"])
    assert actual == (90.05, 7, 97.3, 3)
    assert row["2025下半年_change"] == 7.25
    assert row["2025下半年_rank_change"] == 4
    assert trend.missing["branch_id"].tolist() == ["SQ15"]
    assert [issue.code for issue in trend.warnings] == ["branch-not-in-every-period"]
    assert "SQ06" not in set(trend.repeated.loc[trend.repeated["item_id"] == "activists",
                                                "branch_id"])
    assert "SQ13" in set(trend.repeated.loc[trend.repeated["item_id"] == "activists",
                                            "branch_id"])


def test_red_and_black_lists_take_ties_at_the_cut_and_leave_vetoed_off_red(
        tmp_path: Path) -> None:
    """Red: the best totals not vetoed (SQ14, vetoed, is left off); black: the worst."""
    trend = compare_periods(json_periods(tmp_path), red=3, black=2)
    lists = trend.lists[trend.lists["period"] == "2025上半年"]
    red = lists[lists["list"] == "red"]["branch_id"].tolist()
    black = lists[lists["list"] == "black"]["branch_id"].tolist()
    assert red == ["SQ01", "SQ02", "SQ03"]
    assert black == ["SQ07", "SQ13"]


def test_results_of_different_rubrics_are_flagged_with_the_items_only_one_has(
        tmp_path: Path) -> None:
    """A period scored against another rubric is compared, with a warning naming the items
    that cannot be compared; those items are never flagged as repeated."""
    periods = json_periods(tmp_path)
    document = json.loads((tmp_path / "2025下半年.json").read_text(encoding="utf-8"))
    document["rubric"]["sha256"] = "0" * 64
    document["summary"] = [row for row in document["summary"] if row["item_id"] != "study"]
    (tmp_path / "other.json").write_text(json.dumps(document, ensure_ascii=False),
                                         encoding="utf-8")
    changed = read_period_files([tmp_path / "other.json"])
    trend = compare_periods([periods[0], *changed])
    issues = [issue for issue in trend.warnings if issue.code == "rubric-differs"]
    assert len(issues) == 1
    assert "items only in 2025上半年: study" in issues[0].message
    assert "study" not in set(trend.repeated["item_id"])


def test_a_file_that_is_not_a_json_result_is_an_error(tmp_path: Path) -> None:
    """Anything but a `run --json` output is refused with a code and the file."""
    path = tmp_path / "notes.json"
    path.write_text('{"ranking": 3}', encoding="utf-8")
    with pytest.raises(TrendError) as raised:
        read_period_files([path])
    assert [("results-invalid", str(path))] == [(issue.code, issue.path)
                                               for issue in raised.value.issues]


def test_checklists_with_a_period_column_are_scored_per_period(tmp_path: Path) -> None:
    """One CSV holding both halves with a period column gives the same totals as scoring
    each half on its own; periods come in the order they first appear."""
    lines = sample_lines()
    header, *rows = lines
    later = second_half(lines)[1:]
    text = [header + ",period", *(row + ",2025H2" for row in later),
            *(row + ",2025H1" for row in rows)]
    path = tmp_path / "both.csv"
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    periods = periods_from_checklists(load_rubric(RUBRIC), [path])
    assert [period.name for period in periods] == ["2025H2", "2025H1"]
    alone = results_of(lines, tmp_path, "alone").ranking
    first_half = periods[1].ranking
    assert alone["branch_id"].tolist() == first_half["branch_id"].tolist()
    np.testing.assert_array_equal(alone["total"].to_numpy(), first_half["total"].to_numpy())


def test_a_branch_twice_in_one_period_is_an_input_error(tmp_path: Path) -> None:
    """The period column allows a branch once per period, not twice in the same one."""
    header, first, *_ = sample_lines()
    path = tmp_path / "twice.csv"
    path.write_text(f"{header},period\n{first},H1\n{first},H1\n", encoding="utf-8")
    with pytest.raises(ChecklistError) as raised:
        periods_from_checklists(load_rubric(RUBRIC), [path])
    found = [(issue.code, issue.row) for issue in raised.value.issues]
    assert found == [("duplicate-branch", 3)]


def test_workbook_and_csv_hold_the_trend_with_charts(tmp_path: Path) -> None:
    """The workbook has the trend, a line chart of totals and a chart of grades per
    period; trend.csv has branch_id, branch_name, then total/rank/grade per period."""
    trend = compare_periods(json_periods(tmp_path))
    path = tmp_path / "trend.xlsx"
    write_trend_workbook(trend, path)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["趋势", "总分走势", "等次分布", "屡查屡犯", "红黄黑榜", "说明"]
    assert [len(book[name]._charts) for name in book.sheetnames] == [0, 1, 1, 0, 0, 0]
    assert_charts_point_at_their_tables(path)
    for sheet in book.worksheets:  # A4 landscape, borders, header repeated, page numbers
        assert_print_style(sheet, header_row=2)
    assert book["红黄黑榜"]["A1"].value == "红黄黑榜（2025上半年、2025下半年）"
    folder = tmp_path / "csv"
    folder.mkdir()
    write_trend_csv(trend, folder)
    header = (folder / "trend.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    assert header == ("branch_id,branch_name,2025上半年_total,2025上半年_rank,2025上半年_grade,"
            "2025下半年_total,2025下半年_rank,2025下半年_grade,2025下半年_change,"
            "2025下半年_rank_change")
    with open(folder / "trend.csv", encoding="utf-8-sig", newline="") as file:
        sq15 = next(cells for cells in csv.reader(file) if cells[0] == "SQ15")
    assert sq15[-5:] == ["", "", "", "", ""]


def test_the_same_periods_give_the_same_workbook_bytes(tmp_path: Path) -> None:
    """Reproducible: the trend workbook depends on its inputs only."""
    trend = compare_periods(json_periods(tmp_path))
    write_trend_workbook(trend, tmp_path / "a.xlsx")
    write_trend_workbook(trend, tmp_path / "b.xlsx")
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()


def test_the_default_black_list_holds_the_branches_graded_below_a_pass(
        tmp_path: Path) -> None:
    """Without --black, the black list is every branch graded below the second-lowest grade
    (合格): the 不合格 ones, each with the reason; no 合格 branch is on it."""
    periods = [period_from_results("2025上半年", "a.csv",
                                   results_of(sample_lines(), tmp_path, "a"))]
    trend = compare_periods(periods)
    black = trend.lists[trend.lists["list"] == "black"]
    ranking = periods[0].ranking
    assert sorted(black["branch_id"]) == sorted(ranking.loc[ranking["grade"] == "不合格",
                                                            "branch_id"])
    assert set(black["reason"]) == {"等次为不合格，低于合格"}
    below_good = compare_periods(periods, black_below="良好")
    assert set(below_good.lists.loc[below_good.lists["list"] == "black", "grade"]) == {
        "合格", "不合格"}


def test_the_red_list_leaves_out_branches_with_a_penalty_or_a_veto(tmp_path: Path) -> None:
    """A branch with a 党纪处分 deduction (直接扣分) or a veto never reaches the red list,
    however high its total; each red branch says why it is there."""
    periods = [period_from_results("2025上半年", "a.csv",
                                   results_of(sample_lines(), tmp_path, "a"))]
    trend = compare_periods(periods, red=15)
    red = trend.lists[trend.lists["list"] == "red"]
    ranking = periods[0].ranking.set_index("branch_id")
    assert len(red) > 0
    assert (ranking.loc[red["branch_id"], "penalty"] == 0).all()
    assert (ranking.loc[red["branch_id"], "vetoed"] == "").all()
    penalised = set(ranking.index[ranking["penalty"] > 0])
    assert penalised and not penalised & set(red["branch_id"])
    assert red["reason"].iloc[0].startswith("总分") and "无一票否决" in red["reason"].iloc[0]


def test_no_branch_is_on_the_red_and_the_yellow_list_at_once(tmp_path: Path) -> None:
    """A branch whose problem repeats from the last period is on the yellow list, and so
    not on the red one, however high its total: the same half-year twice, where the best
    branch without penalty or veto (SQ01) repeats a problem."""
    first = period_from_results("2025上半年", "a.csv", results_of(sample_lines(), tmp_path, "a"))
    second = period_from_results("2025下半年", "b.csv", results_of(sample_lines(), tmp_path, "b"))
    trend = compare_periods([first, second], red=15)
    last = trend.lists[trend.lists["period"] == "2025下半年"]
    yellow = set(last.loc[last["list"] == "yellow", "branch_id"])
    red = set(last.loc[last["list"] == "red", "branch_id"])
    assert "SQ01" in yellow
    assert not yellow & red


def test_a_black_below_grade_that_does_not_exist_is_an_error(tmp_path: Path) -> None:
    """--black-below 及格 on a rubric without 及格 names the grades it has."""
    periods = [period_from_results("2025上半年", "a.csv",
                                   results_of(sample_lines(), tmp_path, "a"))]
    with pytest.raises(TrendError) as raised:
        compare_periods(periods, black_below="及格")
    assert [issue.code for issue in raised.value.issues] == ["grade-unknown"]
    assert "优秀, 良好, 合格, 不合格" in raised.value.issues[0].message


def _period(name: str, losses: list[tuple[str, str, str, float]]) -> Period:
    ranking = pd.DataFrame({"branch_id": ["A", "B"], "branch_name": ["甲社区", "乙社区"],
                            "total": [90.0, 80.0], "rank": [1, 2], "grade": ["好", "差"],
                            "vetoed": ["", ""], "penalty": [0.0, 0.0]})
    frame = pd.DataFrame(losses, columns=["branch_id", "item_id", "clause", "lost"])
    return Period(name=name, source=f"{name}.json", rubric_id="r", rubric_title="细则",
                  rubric_version=None, rubric_sha256="x", ranking=ranking, losses=frame,
                  items={"dues": "党费收缴"}, grades=("好", "差"))


def test_the_yellow_list_needs_the_same_problem_in_consecutive_periods() -> None:
    """屡查屡犯 is the same clause of an item again (A: clause 1 twice), not another clause of
    the same item (B: clause 1, then clause 2); the reason names both periods and the item."""
    trend = compare_periods([
        _period("上半年", [("A", "dues", "1", 2.0), ("B", "dues", "1", 2.0)]),
        _period("下半年", [("A", "dues", "1", 2.0), ("B", "dues", "2", 0.5)]),
    ])
    yellow = trend.lists[trend.lists["list"] == "yellow"]
    assert yellow["branch_id"].tolist() == ["A"]
    assert yellow["reason"].tolist() == ["上半年、下半年连续两期存在同一问题：党费收缴"]


def test_a_loss_below_problem_min_lost_is_no_repeated_problem(tmp_path: Path) -> None:
    """Under problem_min_lost = 1, 幸福里社区's 0.24 points on 群众满意度 in both periods is no
    屡查屡犯: the red list's first is not on the yellow list."""
    rubric = load_rubric(ROOT / "tests" / "data" / "documents" / "street-schema2.toml")
    results = evaluate(rubric, load_checklists(rubric, [SAMPLE]))
    trend = compare_periods([period_from_results("上半年", "a", results),
                             period_from_results("下半年", "b", results)])
    lists = trend.lists[trend.lists["period"] == "下半年"]
    assert "SQ01" in set(lists.loc[lists["list"] == "red", "branch_id"])
    assert "SQ01" not in set(lists.loc[lists["list"] == "yellow", "branch_id"])


H2_RUBRIC = ROOT / "rubrics" / "street-2025-h2.toml"
H2_SAMPLE = ROOT / "samples" / "h2" / "街道社区2025下半年.csv"
#: The first half of the year for two branches of the h2 sample, field by field changed:
#: 南苑社区 held every meeting but the monthly 主题党日; 金桥社区 held every 支委会 and
#: 党小组会 but one 党员大会 short. Every other branch as in the second half.
FIRST_HALF = {"SQ13": {"支委会次数": "6", "党课次数": "2"},
              "SQ07": {"支委会次数": "6", "党小组会次数": "6", "党员大会次数": "1"}}


def schema2_periods_csv(tmp_path: Path) -> Path:
    """The h2 sample as two periods in one checklist with a 期间 column."""
    second = pd.read_csv(H2_SAMPLE, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    first = second.copy()
    for branch, changes in FIRST_HALF.items():
        for column, value in changes.items():
            first.loc[first["编号"] == branch, column] = value
    both = pd.concat([first.assign(期间="2025年上半年"), second.assign(期间="2025年下半年")])
    path = tmp_path / "两期.csv"
    both.to_csv(path, index=False, encoding="utf-8-sig")
    return path


def test_trend_scores_schema_2_checklists_and_repeats_by_clause(tmp_path: Path) -> None:
    """``trend --rubric`` reads a schema 2 rubric: a repeated problem is the same clause in
    both periods (南苑社区's 主题党日), not another clause of the same item (金桥社区 was
    short of a 党员大会, then of 支委会 and 党小组会)."""
    out = tmp_path / "csv"
    result = CliRunner().invoke(main, ["trend", str(schema2_periods_csv(tmp_path)), "--rubric",
                                       str(H2_RUBRIC), "--csv", str(out), "-o",
                                       str(tmp_path / "trend.xlsx"), "-q"])
    assert result.exit_code == 0, result.output
    repeated = pd.read_csv(out / "repeated.csv", dtype=str, keep_default_na=False,
                           encoding="utf-8-sig")
    meetings = repeated[repeated["item_id"] == "three_meetings"]
    assert "SQ07" not in set(meetings["branch_id"])
    # 未按月开展主题党日 only, not 支委会 nor 党课
    assert meetings.loc[meetings["branch_id"] == "SQ13", "lost"].tolist() == ["3.00"]
    assert (tmp_path / "trend.xlsx").stat().st_size > 0


def test_trend_reads_json_results_with_an_excluded_branch(tmp_path: Path) -> None:
    """The JSON of a schema 2 run where a veto excluded 桂花社区 (rank null) is a period: the
    branch has no rank, is on no list made from the ranking (red, the worst N), is on the
    default 黑榜 saying it was vetoed, and on the 黄榜 where its problems repeat; its label
    is counted apart from the grades."""
    paths = []
    for name in ("2025上半年", "2025下半年"):
        path = tmp_path / f"{name}.json"
        result = CliRunner().invoke(main, ["run", str(H2_RUBRIC), str(H2_SAMPLE), "--json",
                                           str(path)])
        assert result.exit_code == 0, result.output
        paths.append(path)
    out = tmp_path / "csv"
    result = CliRunner().invoke(main, ["trend", *map(str, paths), "--csv", str(out), "-o",
                                       str(tmp_path / "trend.xlsx")])
    assert result.exit_code == 0, result.output
    trend = compare_periods(read_period_files(paths))
    table = trend.table.set_index("branch_id")
    assert pd.isna(table.loc["SQ09", "2025下半年_rank"])
    assert table.loc["SQ09", "2025下半年_grade"] == "取消考核资格"
    assert trend.periods[-1].grades == ("优秀", "良好", "合格", "不合格")
    lists = trend.lists[trend.lists["period"] == "2025下半年"]
    on = {name: set(lists.loc[lists["list"] == name, "branch_id"])
          for name in ("red", "yellow", "black")}
    assert "SQ09" not in on["red"]
    assert "SQ09" in on["yellow"]
    black = lists[lists["list"] == "black"].set_index("branch_id")
    assert black.loc["SQ09", "reason"] == "一票否决，取消考核资格"
    assert set(black.index) == {"SQ09"} | set(
        trend.periods[-1].ranking.query("grade == '不合格'")["branch_id"])
    worst = compare_periods(read_period_files(paths), black=3).lists
    assert "SQ09" not in set(worst.loc[worst["list"] == "black", "branch_id"])
    counts = trend.grade_counts.set_index("grade")["2025下半年"]
    assert counts["取消考核资格"] == 1
    assert counts.sum() == 15


def test_the_yellow_list_says_which_of_an_items_problems_came_back(tmp_path: Path) -> None:
    """Under clauses the 黄榜 names the repeated problems after the item (南苑社区:
    三会一课（未按月开展主题党日）), and repeated.csv carries each one's clause and problem;
    an item without clauses is named by its title alone."""
    out = tmp_path / "csv"
    result = CliRunner().invoke(main, ["trend", str(schema2_periods_csv(tmp_path)), "--rubric",
                                       str(H2_RUBRIC), "--csv", str(out), "-q"])
    assert result.exit_code == 0, result.output
    lists = pd.read_csv(out / "lists.csv", dtype=str, keep_default_na=False,
                        encoding="utf-8-sig")
    yellow = lists[(lists["list"] == "yellow") & (lists["period"] == "2025年下半年")]
    nanyuan = yellow.set_index("branch_id").loc["SQ13", "items"]
    assert nanyuan.startswith("三会一课（未按月开展主题党日）、")
    assert "群众满意度" in nanyuan and "群众满意度（" not in nanyuan
    repeated = pd.read_csv(out / "repeated.csv", dtype=str, keep_default_na=False,
                           encoding="utf-8-sig")
    assert list(repeated.columns)[-2:] == ["clause", "problem"]
    meetings = repeated[(repeated["branch_id"] == "SQ13")
                        & (repeated["item_id"] == "three_meetings")]
    assert (meetings["clause"].tolist(), meetings["problem"].tolist()) == (
        ["5"], ["未按月开展主题党日"])


def test_trend_csv_writes_numbers_as_numbers(tmp_path: Path) -> None:
    """Ranks, changes of rank and clause numbers are numbers in the CSV files, bare as the
    run's CSV outputs write them: a rank lost is -1, never the text "'-1" (the formula
    guard is for text cells only); an absent rank is an empty cell."""
    folder = tmp_path / "json"
    folder.mkdir()
    write_trend_csv(compare_periods(json_periods(tmp_path)), folder)
    lines = (folder / "trend.csv").read_text(encoding="utf-8-sig").splitlines()
    header = lines[0].split(",")
    rank, change = header.index("2025下半年_rank"), header.index("2025下半年_rank_change")
    rows = [line.split(",") for line in lines[1:]]
    assert all(re.fullmatch(r"-?\d+|", row[column]) for row in rows
               for column in (rank, change))
    assert any(row[change].startswith("-") for row in rows)
    assert any(row[rank] == "" for row in rows)
    out = tmp_path / "csv"
    result = CliRunner().invoke(main, ["trend", str(schema2_periods_csv(tmp_path)), "--rubric",
                                       str(H2_RUBRIC), "--csv", str(out), "-q"])
    assert result.exit_code == 0, result.output
    for name, column in (("lists.csv", "rank"), ("repeated.csv", "clause")):
        lines = (out / name).read_text(encoding="utf-8-sig").splitlines()
        position = lines[0].split(",").index(column)
        cells = [next(csv.reader([line]))[position] for line in lines[1:]]
        quoted = [line for line in lines[1:] if re.search(r',"\d+",', line)]
        assert cells and all(re.fullmatch(r"\d*", cell) for cell in cells), name
        assert quoted == [], name


def test_trend_of_json_results_speaks_the_rubrics_language(tmp_path: Path) -> None:
    """JSON results carry their rubric's language: ``trend`` over them speaks it, as
    ``trend --rubric`` does, with no --lang on an English system: Chinese tables and lines
    for a Chinese rubric. --lang still wins; results written before the language was
    recorded are read as Chinese where the rubric's title is."""
    paths = []
    for name in ("2025上半年", "2025下半年"):
        path = tmp_path / f"{name}.json"
        result = CliRunner().invoke(main, ["run", str(H2_RUBRIC), str(H2_SAMPLE), "--json",
                                           str(path)])
        assert result.exit_code == 0, result.output
        assert json.loads(path.read_text(encoding="utf-8"))["rubric"]["lang"] == "zh"
        paths.append(path)
    out = tmp_path / "trend.xlsx"
    result = CliRunner().invoke(main, ["trend", *map(str, paths), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "黄榜（屡查屡犯）" in result.output and "已写出" in result.output
    assert "yellow list" not in result.output and "Wrote" not in result.output
    english = CliRunner().invoke(main, ["--lang", "en", "trend", *map(str, paths), "-o",
                                        str(out), "--force"])
    assert "yellow list" in english.output and "Wrote" in english.output
    document = json.loads(paths[0].read_text(encoding="utf-8"))
    del document["rubric"]["lang"]
    paths[0].write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    older = CliRunner().invoke(main, ["trend", *map(str, paths), "-o", str(out), "--force"])
    assert "黄榜（屡查屡犯）" in older.output and "已写出" in older.output
