"""Schema 2 runs end to end: clauses, applies_if, groups, direct entry, weighted and
nested sections, an uncapped bonus, veto actions, quotas, and findings as problems.

The rubric is tests/data/rubrics/schema2-basic.toml and the checklist
tests/data/checklists/schema2-basic.csv; every expected number is worked out
in the docstrings from the rubric's text.
"""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner
from test_grading import rubric_with, scores_of

from inspect_score.checklists.load import load_checklists
from inspect_score.checklists.table import Checklists
from inspect_score.cli.main import main
from inspect_score.errors import ChecklistError
from inspect_score.rubric.loader import load_rubric
from inspect_score.rubric.model import Grade
from inspect_score.scoring.grading import quota_places, rank_and_grade
from inspect_score.scoring.pipeline import evaluate
from inspect_score.scoring.results import Results
from inspect_score.scoring.score import score
from inspect_score.selfcheck.explain import explain, explain_all
from inspect_score.selfcheck.standalone import self_check_results
from inspect_score.tuning.lint import check_rubric_file

DATA = Path(__file__).parent / "data"
RUBRIC = DATA / "rubrics" / "schema2-basic.toml"
CHECKLIST = DATA / "checklists" / "schema2-basic.csv"


def run(text: str | None = None, tmp_path: Path | None = None) -> Results:
    """The basic run, or the basic rubric over another checklist text."""
    path = CHECKLIST
    if text is not None:
        assert tmp_path is not None
        path = tmp_path / "c.csv"
        path.write_text(text, encoding="utf-8")
    rubric = load_rubric(RUBRIC)
    return evaluate(rubric, load_checklists(rubric, [path]))


def rows(results: Results) -> list[tuple[object, ...]]:
    ranking = results.ranking
    return [(None if pd.isna(rank) else int(rank), branch, total, grade)
            for rank, branch, total, grade in zip(
                ranking["rank"], ranking["branch_id"], ranking["total"], ranking["grade"],
                strict=True)]


def test_points_follow_clauses_applies_if_groups_and_direct_entry() -> None:
    """S2: dues = 20 - (10 not on time + min(7, cap 5) arrears + 5 for 1 meeting short
    + 2 for the minutes book) = 0 (floored); deputy_item 0 (一肩挑, no deputy);
    service 50 (its alternative teaching n/a); impression 40 - |-5| = 35; online +1.
    S4 is no 一肩挑 community: deputy_item scores full (otherwise = "full")."""
    scores = run().scores
    points = scores.points.set_index(scores.branches["branch_id"])
    s2 = points.loc["S2"]
    assert (s2["dues"], s2["deputy_item"], s2["service"], s2["impression_item"],
            s2["online"]) == (0.0, 0.0, 50.0, 35.0, 1.0)
    assert pd.isna(s2["teaching"])
    assert points.loc["S4", "deputy_item"] == 10.0
    assert points.loc["S3", "dues"] == 5.0  # 20 - (1 + 10 + 4)


def test_weighted_nested_sections_and_uncapped_bonus() -> None:
    """base = org + 0.5 * work: S2 20 + 0.5 * 85 = 62.5; the bonus is not capped
    (no bonus_cap under schema 2), so S1 totals 101. Sections keep unweighted
    points; team's 10 is also in org's."""
    results = run()
    ranking = results.ranking.set_index("branch_id")
    assert (ranking.loc["S2", "base"], ranking.loc["S2", "total"]) == (62.5, 63.5)
    assert ranking.loc["S1", "total"] == 101.0
    assert (ranking.loc["S1", "org"], ranking.loc["S1", "team"], ranking.loc["S1", "work"]) == (
        50.0, 10.0, 100.0)


def test_quotas_and_exclude_veto_shape_the_ranking() -> None:
    """优秀 has max_share 0.2 rounded to the nearest over 3 ranked branches: 1 place,
    and S1/S4 tie at 101, so both fall to 良好. 不合格 has min_count 1: the
    lowest-ranked branch, S2 (合格 after its veto cap), moves down. S3 is excluded
    (报到率 90 < 95): last, unranked, its label as grade, not counted in quotas."""
    assert rows(run()) == [
        (1, "S1", 101.0, "良好"),
        (1, "S4", 101.0, "良好"),
        (3, "S2", 63.5, "不合格"),
        (None, "S3", 61.0, "取消考核资格"),
    ]


def test_findings_state_each_clause_as_a_problem() -> None:
    """One finding per clause that cost points, numbered from 1, with the problem
    rendered from its placeholders and the arithmetic in the note; rectify carries
    the clause's 整改要求. Excluded S3's findings come last."""
    findings = run().findings
    s2 = findings[(findings["branch_id"] == "S2") & (findings["item_id"] == "dues")]
    assert s2["clause"].tolist() == [1, 2, 3, 4]
    assert s2["problem"].tolist() == ["党费未按时足额交纳", "7名党员欠缴党费", "党员大会少开1次",
                                      "缺少会议记录本"]
    assert s2["lost"].tolist() == [10.0, 5.0, 5.0, 2.0]  # each clause's cost after its cap
    assert s2["rectify"].tolist()[0] == "按时足额收缴党费"
    assert s2["note"].tolist()[2] == "党员大会次数为1，应不少于2次，每少1次扣5分"
    assert findings["branch_id"].tolist()[-1] == "S3"
    s3 = findings[findings["branch_id"] == "S3"]
    assert "缺少党员名册、会议记录本" in s3["problem"].tolist()
    veto = s3[s3["kind"] == "veto"]
    assert veto["problem"].tolist() == ["无会议记录", "报到率不到95%"]
    assert veto["rectify"].tolist() == ["", "组织党员到社区报到"]


def test_problem_min_lost_decides_which_small_losses_are_findings(tmp_path: Path) -> None:
    """problem_min_lost = 0.5 (the rubric's): an item without clauses that lost 0.4
    is no finding; one that lost 0.5 is."""
    text = CHECKLIST.read_text(encoding="utf-8").replace(",60,,0,120,100", ",59.6,,0,120,100")
    text = text.replace(",,60,0,70,96", ",,59.5,0,70,96")
    findings = run(text, tmp_path).findings
    assert findings[findings["branch_id"] == "S1"].empty
    s4 = findings[findings["branch_id"] == "S4"]
    assert (s4["item_id"].tolist(), s4["problem"].tolist()) == (["service"], ["服务工作扣0.5分"])


def test_a_branch_outside_every_alternative_is_an_input_error(tmp_path: Path) -> None:
    """A branch whose unit type is blank (read as no choice under missing = "zero")
    matches no alternative of group 'kind': an error at its row, in the column of
    the group's first applies_if field."""
    text = CHECKLIST.read_text(encoding="utf-8").replace(",否,否,教学,55,", ",否,否,,55,")
    rubric_path = tmp_path / "r.toml"
    rubric_path.write_text(RUBRIC.read_text(encoding="utf-8").replace(
        'choices = ["教学", "非教学"]\n', 'choices = ["教学", "非教学"]\nmissing = "zero"\n'),
        encoding="utf-8")
    checklist = tmp_path / "c.csv"
    checklist.write_text(text, encoding="utf-8")
    rubric = load_rubric(rubric_path)
    with pytest.raises(ChecklistError) as raised:
        evaluate(rubric, load_checklists(rubric, [checklist]))
    issue = raised.value.issues[0]
    assert (issue.code, issue.row, issue.column) == ("group-not-one", 4, "unit_type")
    assert "S3" in issue.message and "'kind'" in issue.message


def test_raters_who_disagree_on_the_alternative_are_an_input_error(tmp_path: Path) -> None:
    """东湖社区 rated twice: R1 calls it a 教学 unit (教学工作 60), R2 a 非教学 one
    (服务工作 50). Each row has exactly one alternative, but the community has both:
    an error at R2's row (3), in the 单位类型 column (headed unit_type), naming its
    value and both alternatives;
    never a group slot earning 60 + 50 of its 60 points."""
    lines = CHECKLIST.read_text(encoding="utf-8").splitlines()
    header, s1 = lines[0], lines[1]
    second = s1.replace(",教学,60,,", ",非教学,,50,")
    assert second != s1
    text = "\n".join([f"rater,{header}", f"R1,{s1}", f"R2,{second}",
                      *(f"R1,{line}" for line in lines[2:])]) + "\n"
    with pytest.raises(ChecklistError) as raised:
        run(text, tmp_path)
    found = [(issue.code, issue.row, issue.column) for issue in raised.value.issues]
    assert found == [("group-not-one", 3, "unit_type")]
    message = raised.value.issues[0].message
    assert "S1" in message and "'kind'" in message and "row 2" in message
    assert message.render("zh") == (
        "支部 S1：本行unit_type为「非教学」，各评分人所填适用的分组「kind」备选指标不一致"
        "（第2行为教学工作，本行为服务工作），同一支部各行应为同一项")


def test_direct_points_out_of_bounds_are_input_errors_never_clipped(tmp_path: Path) -> None:
    """教学工作得分 70 on a 60-point item, and 综合评价扣分 -45 on a 40-point item: both
    errors, at their cells, reported together."""
    text = CHECKLIST.read_text(encoding="utf-8").replace(",60,,0,120,100", ",70,,-45,120,100")
    with pytest.raises(ChecklistError) as raised:
        run(text, tmp_path)
    found = [(issue.code, issue.row, issue.column) for issue in raised.value.issues]
    assert found == [("direct-out-of-range", 2, "teaching_points"),
                     ("direct-out-of-range", 2, "impression")]


def test_applies_if_not_holding_reads_no_field(tmp_path: Path) -> None:
    """S4 is no 一肩挑 community, so deputy_item does not read its deputy cell: blank
    under missing = "zero" (which would read as 否 and cost 10) it still scores full.
    Under "error" the blank is refused all the same, as every blank under "error" is."""
    text = CHECKLIST.read_text(encoding="utf-8").replace("否,否,非教学,,60", "否,,非教学,,60")
    with pytest.raises(ChecklistError):
        run(text, tmp_path)
    rubric_text = RUBRIC.read_text(encoding="utf-8").replace(
        'label = "是否配备专职副书记"\ntype = "bool"\n',
        'label = "是否配备专职副书记"\ntype = "bool"\nmissing = "zero"\n')
    rubric_path = tmp_path / "r.toml"
    rubric_path.write_text(rubric_text, encoding="utf-8")
    checklist = tmp_path / "c.csv"
    checklist.write_text(text, encoding="utf-8")
    rubric = load_rubric(rubric_path)
    results = evaluate(rubric, load_checklists(rubric, [checklist]))
    points = results.scores.points.set_index(results.scores.branches["branch_id"])
    assert points.loc["S4", "deputy_item"] == 10.0


# -- cell errors of a run, reported together ------------------------------------

#: A rubric author's slip: "混合" units fall under both alternatives of group 'kind'.
MIXED_RUBRIC = RUBRIC.read_text(encoding="utf-8").replace(
    'choices = ["教学", "非教学"]', 'choices = ["教学", "非教学", "混合"]').replace(
    'is = "教学" }', 'is = ["教学", "混合"] }').replace(
    'is = ["非教学"] }', 'is = ["非教学", "混合"] }')
#: Rater R1's form, headed by labels: S2 left 党费 blank (required), S3's 教学工作 is 70
#: of 60 points.
FORM_A = """评分人,编号,名称,党费是否按时足额交纳,欠缴党费人数,党员大会次数,党员名册,会议记录本,\
是否一肩挑,是否配备专职副书记,单位类型,教学工作得分,服务工作得分,综合评价扣分,党员人数,报到率
R1,S1,东湖社区,是,0,2,是,是,是,是,教学,60,,0,120,100
R1,S2,幸福里社区,,7,1,是,否,是,否,非教学,,50,-5,80,99
R1,S3,柳园社区,是,1,0,否,否,否,否,教学,70,,3,60,90
"""
#: Rater R2's form, headed by ids: R2 calls 东湖社区 非教学 (R1: 教学), S4 is 混合 (both
#: alternatives apply), S5's 单位类型 is no choice at all, S6 took 45 off a 40-point item.
FORM_B = """rater,branch_id,branch_name,dues_on_time,arrears,meetings,roster,minutes,dual_role,\
deputy,unit_type,teaching_points,service_points,impression,members,report_rate
R2,S1,东湖社区,是,0,2,是,是,是,是,非教学,,50,0,120,100
R1,S4,北关社区,是,0,2,是,是,否,否,混合,55,55,0,70,96
R1,S5,南湖社区,是,0,2,是,是,否,否,教研,55,,0,70,96
R1,S6,西湖社区,是,0,2,是,是,否,否,教学,55,,-45,70,96
"""
#: Where each of the run's errors is: (code, file, row, column as written).
EVERY_CELL_ERROR = [
    ("bad-choice", "b.csv", 4, "unit_type"),
    ("direct-out-of-range", "a.csv", 4, "教学工作得分"),
    ("direct-out-of-range", "b.csv", 5, "impression"),
    ("group-not-one", "b.csv", 2, "unit_type"),
    ("group-not-one", "b.csv", 3, "unit_type"),
    ("missing-value", "a.csv", 3, "党费是否按时足额交纳"),
]


def mixed_run(folder: Path) -> tuple[Path, Path, Path]:
    """The rubric with the 混合 slip and the two raters' forms, written to ``folder``."""
    paths = folder / "r.toml", folder / "a.csv", folder / "b.csv"
    for path, text in zip(paths, (MIXED_RUBRIC, FORM_A, FORM_B), strict=True):
        path.write_text(text, encoding="utf-8")
    return paths


def test_every_cell_error_of_a_run_comes_in_one_report(tmp_path: Path) -> None:
    """Loading two raters' forms raises once with every bad cell: a blank where a value
    is required, a bad choice, direct points out of bounds, a row to which two
    alternatives apply and a rater's row applying another alternative than the first
    rater's; each at its file's own row, in its column as that file heads it, with the
    value and what was expected. The bad choice is one error: its row is not also
    said to match no alternative."""
    rubric_path, form_a, form_b = mixed_run(tmp_path)
    rubric = load_rubric(rubric_path)
    with pytest.raises(ChecklistError) as raised:
        load_checklists(rubric, [form_a, form_b])
    issues = raised.value.issues
    assert sorted((issue.code, Path(issue.path).name, issue.row, issue.column)
                  for issue in issues) == EVERY_CELL_ERROR
    said = {(Path(issue.path).name, issue.row): issue.message.render("zh") for issue in issues}
    assert said["a.csv", 4] == "支部 S3：教学工作为70，应为0到60之间的得分"
    assert said["b.csv", 5] == "支部 S6：综合评价为-45，应为扣分，最多40分（3 与 -3 同样计）"
    assert said["b.csv", 3] == ("支部 S4：unit_type为「混合」，分组「kind」的备选指标"
                                "（教学工作、服务工作）中有2项适用，应恰好一项")
    assert said["b.csv", 2] == (f"支部 S1：本行unit_type为「非教学」，各评分人所填适用的分组"
                                f"「kind」备选指标不一致（{form_a} 第2行为教学工作，本行为服务"
                                "工作），同一支部各行应为同一项")


def test_the_run_command_reports_every_cell_error_and_writes_nothing(tmp_path: Path) -> None:
    """`run` and `validate` over the same forms: exit 1, one PATH:ROW:COLUMN: line per
    error with its value, nothing written."""
    rubric_path, form_a, form_b = mixed_run(tmp_path)
    out = tmp_path / "out"
    for command in (["run", "--csv", str(out)], ["validate"]):
        result = CliRunner().invoke(main, [command[0], "--lang", "zh", str(rubric_path),
                                           str(form_a), str(form_b), *command[1:]])
        assert result.exit_code == 1, result.output
        lines = result.stderr.splitlines()
        for code, name, row, column in EVERY_CELL_ERROR:
            where = f"{tmp_path / name}:{row}:{column}: "
            assert [line for line in lines if line.startswith(where)], (code, where)
        assert any(line.startswith(f"{form_a}:4:教学工作得分: ") and "70" in line
                   for line in lines)
        assert any(line.startswith(f"{form_b}:3:unit_type: ") and "混合" in line
                   for line in lines)
    assert not out.exists()


def test_scoring_refuses_the_same_cells_in_checklists_made_without_the_loader(
        tmp_path: Path) -> None:
    """score() on a Checklists built by hand (the library's own table, here the basic
    checklist edited after loading) refuses the cells the loader would: the same codes
    at the same rows, in the fields' columns by label."""
    rubric_path = tmp_path / "r.toml"
    rubric_path.write_text(MIXED_RUBRIC, encoding="utf-8")
    rubric = load_rubric(rubric_path)
    frame = load_checklists(rubric, [CHECKLIST]).frame.copy()
    frame.loc[0, "teaching_points"] = 70.0
    frame.loc[3, "unit_type"] = "混合"
    with pytest.raises(ChecklistError) as raised:
        score(rubric, Checklists(frame=frame, sources=(str(CHECKLIST),)))
    assert [(issue.code, issue.path, issue.row, issue.column)
            for issue in raised.value.issues] == [
        ("direct-out-of-range", str(CHECKLIST), 2, "教学工作得分"),
        ("group-not-one", str(CHECKLIST), 5, "单位类型")]


def test_many_bad_direct_cells_are_capped_per_file_and_column(tmp_path: Path) -> None:
    """250 branches giving 教学工作 70: 100 errors, then how many more, as for any column."""
    lines = CHECKLIST.read_text(encoding="utf-8").splitlines()
    rows = [lines[1].replace("S1,", f"T{number},", 1).replace(",教学,60,", ",教学,70,")
            for number in range(250)]
    checklist = tmp_path / "c.csv"
    checklist.write_text("\n".join([lines[0], *rows]) + "\n", encoding="utf-8")
    rubric = load_rubric(RUBRIC)
    with pytest.raises(ChecklistError) as raised:
        load_checklists(rubric, [checklist])
    issues = raised.value.issues
    assert [issue.code for issue in issues] == ["direct-out-of-range"] * 100 + ["too-many-issues"]
    assert (issues[-1].column, issues[-1].message) == (
        "teaching_points", "and 150 more problems of this kind in this column")


# -- grading -------------------------------------------------------------------


def test_quota_rounding_down_nearest_and_up() -> None:
    """0.1 of 15 branches is 1.5: down 1, nearest (half up, "10%左右") 2, up 2;
    0.1 of 14 is 1.4: nearest 1."""
    assert [quota_places(0.1, 15, how) for how in ("down", "nearest", "up")] == [1, 2, 2]
    assert quota_places(0.1, 14, "nearest") == 1


def test_max_count_and_max_share_the_smaller_holds() -> None:
    """max_share 0.5 of 6 is 3, max_count 2: two places."""
    grades = (Grade("优秀", 90.0, max_share=0.5, max_count=2), Grade("合格", 0.0))
    ranking = rank_and_grade(rubric_with(grades), scores_of([99, 98, 97, 96, 95, 94]))
    assert ranking["grade"].tolist() == ["优秀", "优秀", "合格", "合格", "合格", "合格"]


def test_lower_quota_moves_the_lowest_with_their_ties() -> None:
    """二星 or worse needs 10% of 10 = 1 branch; none has it. The lowest-ranked
    better branch (B10, 70) moves, and so does B9, tied with it at 70: two
    branches end in 二星 (ties are never split)."""
    grades = (Grade("三星", 70.0), Grade("二星", 60.0, min_share=0.1), Grade("一星", 0.0))
    totals = [95, 94, 93, 92, 91, 90, 89, 75, 70, 70]
    ranking = rank_and_grade(rubric_with(grades), scores_of(totals))
    assert ranking["grade"].tolist() == ["三星"] * 8 + ["二星"] * 2


def test_lower_quota_counts_worse_grades_and_min_count_over_share() -> None:
    """min_share 0.1 of 10 is 1, min_count 2: the larger, 2. One branch already holds
    一星 (worse counts), so one more moves: B9."""
    grades = (Grade("三星", 70.0), Grade("二星", 60.0, min_share=0.1, min_count=2),
              Grade("一星", 0.0))
    totals = [95, 94, 93, 92, 91, 90, 89, 80, 75, 10]
    ranking = rank_and_grade(rubric_with(grades), scores_of(totals))
    assert ranking["grade"].tolist()[-3:] == ["三星", "二星", "一星"]


def test_quotas_that_cannot_both_hold_refuse_the_run() -> None:
    """二星 must get at least 3 branches but may hold at most 1: a quota-conflict
    naming the grade and the counts; and a lower quota above the ranked branches."""
    grades = (Grade("三星", 70.0), Grade("二星", 60.0, max_count=1, min_count=3),
              Grade("一星", 0.0))
    with pytest.raises(ChecklistError) as raised:
        rank_and_grade(rubric_with(grades), scores_of([95, 94, 93, 92]))
    assert raised.value.issues[0].code == "quota-conflict"
    assert "'二星'" in raised.value.issues[0].message
    grades = (Grade("三星", 70.0), Grade("二星", 60.0, min_count=5), Grade("一星", 0.0))
    with pytest.raises(ChecklistError):
        rank_and_grade(rubric_with(grades), scores_of([95, 94, 93, 92]))


# -- outputs -------------------------------------------------------------------


def test_excluded_branch_is_unranked_in_every_output(tmp_path: Path) -> None:
    """ranking.csv, the JSON, the workbook and the terminal all list S3 last with an
    empty rank and 取消考核资格 as its grade; findings.csv ends with clause and problem;
    the workbook's 各项得分 shows the reference field 党员人数."""
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["run", str(RUBRIC), str(CHECKLIST), "-o",
                                       str(tmp_path / "r.xlsx"), "--csv", str(out), "--json",
                                       str(tmp_path / "r.json")])
    assert result.exit_code == 0, result.output
    ranking = pd.read_csv(out / "ranking.csv", dtype=str, keep_default_na=False,
                          encoding="utf-8-sig")
    assert ranking.iloc[-1][["rank", "branch_id", "grade"]].tolist() == ["", "S3",
                                                                         "取消考核资格"]
    findings = pd.read_csv(out / "findings.csv", dtype=str, keep_default_na=False,
                           encoding="utf-8-sig")
    assert list(findings.columns)[-2:] == ["clause", "problem"]
    assert findings.iloc[0][["clause", "problem"]].tolist() == ["1", "党费未按时足额交纳"]
    document = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert (document["ranking"][-1]["rank"], document["ranking"][-1]["grade"]) == (
        None, "取消考核资格")
    sheet = openpyxl.load_workbook(tmp_path / "r.xlsx")["排名"]
    last = [cell.value for cell in list(sheet.iter_rows())[-1]]
    assert "S3" in last and "取消考核资格" in last
    points_sheet = openpyxl.load_workbook(tmp_path / "r.xlsx")["各项得分"]
    points_rows = [[cell.value for cell in row] for row in points_sheet.iter_rows()]
    # the reference field 党员人数 is shown beside the points, scored by nothing
    assert points_rows[1][:3] == ["编号", "名称", "党员人数"]
    assert points_rows[2][:3] == ["S1", "东湖社区", 120]
    # a count of people prints as one: "120", not the points' "120.00"
    assert points_sheet.cell(row=3, column=3).number_format == "0"
    problems = openpyxl.load_workbook(tmp_path / "r.xlsx")["存在问题"]
    header = [cell.value for cell in list(problems.iter_rows())[1]]
    assert header[3:5] == ["存在问题", "整改要求"] and header[-1] == "计分依据"
    terminal_last = next(line for line in result.output.splitlines() if "S3" in line)
    assert terminal_last.split("│")[1].strip() == ""


# -- the bundled schema 2 rubrics and samples -----------------------------------

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "h2" / "街道社区2025下半年.csv"


@pytest.mark.parametrize("name", ["street-2025-h2.toml", "stars-2025-h2.toml"])
def test_bundled_schema2_rubrics_check_clean(name: str) -> None:
    """Both published-style schema 2 rubrics load without an error or a warning."""
    assert check_rubric_file(ROOT / "rubrics" / name) == []


def test_sample_set_under_the_street_rubric() -> None:
    """The second-half sample: 桂花社区 excluded (last, unranked), 和平社区 zeroed,
    two 优秀 under the 20% quota of 14 ranked branches, 锦绣社区 capped at 合格,
    南苑社区 不合格; problems read as a report states them."""
    rubric = load_rubric(ROOT / "rubrics" / "street-2025-h2.toml")
    results = evaluate(rubric, load_checklists(rubric, [SAMPLE]))
    ranking = results.ranking.set_index("branch_id")
    assert ranking["grade"].value_counts().to_dict() == {
        "良好": 9, "优秀": 2, "不合格": 2, "合格": 1, "取消考核资格": 1}
    assert results.ranking["branch_id"].tolist()[-1] == "SQ09"
    assert (ranking.loc["SQ06", "total"], ranking.loc["SQ14", "grade"]) == (0.0, "合格")
    problems = results.findings.query("branch_id == 'SQ07'")["problem"].tolist()
    assert "缺少党费收缴台账、积极分子培养档案、发展党员档案" in problems
    assert "后备干部不足3名（现有2名）" in problems


def test_sample_set_under_the_five_star_rubric() -> None:
    """五星 about 10% of 14 (nearest: 1), 四星 about 30% (nearest: 4); the rest that
    reach 80 fall to 三星."""
    rubric = load_rubric(ROOT / "rubrics" / "stars-2025-h2.toml")
    results = evaluate(rubric, load_checklists(rubric, [SAMPLE]))
    grades = results.ranking["grade"].tolist()
    assert grades[:5] == ["五星", "四星", "四星", "四星", "四星"]
    assert grades.count("三星") == 7


def test_self_check_keeps_an_excluded_branch_unranked() -> None:
    """run --self-check ranks every branch first of one, but an excluded one has no rank."""
    ranking = self_check_results(run()).ranking
    assert ranking["rank"].tolist()[:3] == [1, 1, 1]
    assert pd.isna(ranking["rank"].tolist()[-1])


# -- explain -------------------------------------------------------------------


def test_explain_lists_each_clause_with_its_value_and_cost() -> None:
    """S2's 党费收缴: the item's points, then each clause, titled by what it reads, with
    its value and the problem it costs; S3 (excluded) is not ranked and has no next
    grade."""
    results = run()
    explanation = explain(results, "S2")
    clauses = [(line.title, line.value, line.reason) for line in explanation.lines
               if line.item_id == "dues" and line.kind == "条款"]
    assert clauses == [
        ("党费是否按时足额交纳", "否", "党费未按时足额交纳，扣10.00分"),
        ("欠缴党费人数", "7", "7名党员欠缴党费，扣5.00分"),
        ("党员大会次数", "1", "党员大会少开1次，扣5.00分"),
        ("党员名册、会议记录本", "1/2", "缺少会议记录本，扣2.00分"),
    ]
    excluded = explain(results, "S3").summary
    assert excluded[-1] == "等次：取消考核资格，不参加排名"


def test_explain_path_to_the_next_grade_through_problems_put_right() -> None:
    """金桥社区 (80.76, 良好) needs 90 for 优秀: the problems, largest gain first,
    each worth what the real scorer gives for it, until the total reaches 90."""
    rubric = load_rubric(ROOT / "rubrics" / "street-2025-h2.toml")
    results = evaluate(rubric, load_checklists(rubric, [SAMPLE]))
    summary = explain(results, "SQ07").summary
    start = summary.index("升到下一等次（优秀，90分以上）需要整改的问题：")
    assert summary[start + 1:] == (
        "1. 缺少党费收缴台账、积极分子培养档案、发展党员档案：整改后+3.00分",
        "2. 后备干部不足3名（现有2名）：整改后+2.00分",
        "3. 1笔票据审批不符合“三审制度”：整改后+2.00分",
        "4. 党小组会少开3次：整改后+1.50分",
        "5. 支委会少开1次：整改后+1.00分",
        "整改后总分90.26分，达到优秀",
        "注：以上按分数线计算，未考虑名额限制",
    )
    capped = explain(results, "SQ14").summary
    assert capped[-1] == ("被一票否决“党费未按时足额交纳”限制为合格：须先消除该项"
                          "（党费按时足额交纳应为“是”）")
    zeroed = explain(results, "SQ06").summary
    assert zeroed[-1] == ("被一票否决“发生重大安全责任事故”总分计0分：整改任何问题都不能升级；"
                          "须先消除该项（发生重大安全责任事故应为“否”）")


def test_explain_command_reads_schema_2(tmp_path: Path) -> None:
    """explain --all over a schema 2 run writes the contents and every branch's page,
    the excluded branch last."""
    out = tmp_path / "explain.xlsx"
    result = CliRunner().invoke(main, ["explain", str(RUBRIC), str(CHECKLIST), "--all", "-o",
                                       str(out)])
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(out)
    assert [row[1] for row in book["目录"].iter_rows(min_row=3, values_only=True)] == [
        "S1", "S4", "S2", "S3"]


def test_explain_all_equals_explaining_each_branch_alone() -> None:
    """The paths found for every branch at once (a scoring per clause and per fix)
    are the paths found for each branch alone; so are the lines and sentences."""
    rubric = load_rubric(ROOT / "rubrics" / "street-2025-h2.toml")
    results = evaluate(rubric, load_checklists(rubric, [SAMPLE]))
    ids = results.ranking["branch_id"].tolist()
    assert list(explain_all(results, ids)) == [explain(results, branch) for branch in ids]


def test_explain_says_where_an_item_does_not_apply() -> None:
    """配备专职党务副书记 applies only to 一肩挑 communities: 金桥社区 is not one, so its
    line says the item does not apply and what it scores there, not a bare full mark;
    the one-clause item 后备干部 says its value and problem on its own line."""
    rubric = load_rubric(ROOT / "rubrics" / "street-2025-h2.toml")
    results = evaluate(rubric, load_checklists(rubric, [SAMPLE]))
    lines = {line.item_id: line for line in explain(results, "SQ07").lines
             if line.kind != "条款"}
    deputy = lines["deputy"]
    assert (deputy.value, deputy.points, deputy.reason) == (
        "", 6.0, "本项不适用：仅适用于书记主任一肩挑的单位；其他单位本项不扣分")
    reserve = lines["reserve"]
    assert (reserve.value, reserve.points, reserve.reason) == (
        "2", 4.0, "后备干部不足3名（现有2名），扣2.00分")
    assert not [line for line in explain(results, "SQ07").lines
                if line.item_id == "reserve" and line.kind == "条款"]


def test_explain_a_branch_a_quota_moved_down() -> None:
    """清河社区 totals 92.6 (五星 by its total) but the 五星 and 四星 quotas are full:
    it holds 三星. The explanation names the full quota just above it (四星) and,
    for the next grade, says only that quota stands in the way, never "已是最高等次"."""
    rubric = load_rubric(ROOT / "rubrics" / "stars-2025-h2.toml")
    results = evaluate(rubric, load_checklists(rubric, [SAMPLE]))
    summary = explain(results, "SQ15").summary
    assert summary[-3:] == (
        "等次：三星（四星名额已满，按排名顺延）；不考虑名额限制时为：五星",
        "排名：第7名，共14个单位",
        "总分已达到四星（80分以上），仅因四星名额已满未评为四星",
    )


def test_bulletin_and_rectification_list_read_schema_2(tmp_path: Path) -> None:
    """The bulletin and run --rectify speak in the findings' problems and 整改要求."""
    bulletin = tmp_path / "b.md"
    result = CliRunner().invoke(main, ["bulletin", str(RUBRIC), str(CHECKLIST), "-o",
                                       str(bulletin)])
    assert result.exit_code == 0, result.output
    # one branch's problems of one item said once, joined by "、"
    assert "幸福里社区党费未按时足额交纳、7名党员欠缴党费、党员大会少开1次" in bulletin.read_text(
        encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["run", str(RUBRIC), str(CHECKLIST), "--rectify",
                                       "--csv", str(out)])
    assert result.exit_code == 0, result.output
    rectify = pd.read_csv(out / "rectify.csv", dtype=str, keep_default_na=False,
                          encoding="utf-8-sig")
    first = rectify.iloc[0]
    assert (first["problem"], first["rectify"]) == ("党费未按时足额交纳", "按时足额收缴党费")


def test_a_problem_states_one_reading_of_several_raters(tmp_path: Path) -> None:
    """Three raters who all found 1 党员 in arrears: "1名党员欠缴党费", never "1;1;1名";
    raters who differ (0, 1 and 0 meetings of 2: short 2, 1 and 2): their readings
    combined as the rubric combines raters (the mean, 1.67 to its precision), while the
    findings' value column keeps each rater's value."""
    header = ("branch_id,rater,branch_name,dues_on_time,arrears,meetings,roster,minutes,"
              "dual_role,deputy,unit_type,teaching_points,service_points,impression,members,"
              "report_rate\n")
    rows_ = "".join(
        f"S1,{rater},东湖社区,是,1,{meetings},是,是,是,是,教学,60,,0,120,100\n"
        for rater, meetings in (("甲", 0), ("乙", 1), ("丙", 0)))
    findings = run(header + rows_, tmp_path).findings
    dues = findings[(findings["item_id"] == "dues")]
    problems = dict(zip(dues["clause"].astype(int), dues["problem"], strict=True))
    assert problems[2] == "1名党员欠缴党费"
    assert problems[3] == "党员大会少开1.67次"
    values = dict(zip(dues["clause"].astype(int), dues["value"], strict=True))
    assert values[2] == "1;1;1"
