"""Explaining one branch: every rule and policy, in zh and en, and the path to the next grade."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
from print_checks import assert_print_style
from strategies import make_checklists

from inspect_score.checklists.load import load_checklists
from inspect_score.rubric.loader import load_rubric
from inspect_score.rubric.model import Field, Grade, Item, Rubric, Section
from inspect_score.scoring.pipeline import evaluate
from inspect_score.scoring.plain import plain_number
from inspect_score.scoring.results import Results
from inspect_score.selfcheck import explain_book
from inspect_score.selfcheck.explain import (
    branch_not_found,
    explain,
    explain_all,
    explanation_text,
)
from inspect_score.selfcheck.explain_book import write_explanations

ROOT = Path(__file__).resolve().parent.parent
STREET = load_rubric(ROOT / "rubrics" / "street-2025-h1.toml")
EN_BASIC = load_rubric(ROOT / "tests" / "data" / "rubrics" / "en-basic.toml")
SAMPLE = ROOT / "samples" / "街道社区2025上半年.csv"

#: a branch losing points on every rule of en-basic, with a capped bonus and a penalty
EN_RECORD: dict[str, Any] = {
    "branch_id": "B1", "branch_name": "North", "meetings_held": 6.0, "meetings_required": 12.0,
    "reserve_cadres": 1.0, "dues_on_time": 0.0, "files_status": "partial", "roster_ok": 1.0,
    "minutes_ok": 0.0, "study_absences": 2.0, "service_events": 1.0, "awards": 5.0,
    "discipline_cases": 1.0, "serious_violation": 0.0, "remarks": "ok",
}


def _results(rubric: Any, records: list[dict[str, Any]]) -> Results:
    return evaluate(rubric, make_checklists(rubric, records))


def _reasons(results: Results, branch: str) -> dict[str, str]:
    return {line.item_id: line.reason for line in explain(results, branch).lines}


def test_every_rule_gives_its_reason_in_english() -> None:
    """Each indicator that lost points says why, in the words of its rule."""
    reasons = _reasons(_results(EN_BASIC, [EN_RECORD]), "B1")
    expected = {
        "meetings": "Meetings held 6, expected 12, 10.00 points pro rata",
        "reserve": "Reserve cadres 1, 4 points by steps",
        "dues": "Dues paid on time no, expected yes",
        "files": 'Files is "partial", 12 points',
        "ledgers": "Minutes complete not met (1/2)",
        "study": "Study absences 2, 2 points off each",
        "volunteer": "Service events 1, 2 points each, up to 10",
        "cases": "Discipline cases 1, 5 points off each",
    }
    assert expected == {key: reasons[key] for key in expected}


def test_penalty_and_totals_are_said_in_english() -> None:
    """The total's parts (base, bonus, penalty) are spelled out, and the vetoes' status."""
    summary = explain(_results(EN_BASIC, [EN_RECORD]), "B1").summary
    assert "total 42.00 = base 44.00 + bonus 3.00 - penalty 5.00" in summary
    assert "no veto triggered" in summary


def test_bonuses_over_the_cap_are_said_in_chinese() -> None:
    """Bonuses adding up past bonus_cap are counted at the cap, and the branch is told so."""
    record = {**_street_full(), "branch_id": "SQ01", "awards": 2.0, "media_reports": 3.0}
    summary = explain(_results(STREET, [record]), "SQ01").summary
    assert "加分合计6分，超过上限5分，按5分计" in summary
    assert "未扣分" in summary


def test_a_veto_blocks_the_path_and_names_the_value_to_clear() -> None:
    """A vetoed branch is told no score lifts it past the veto's grade, and what to clear."""
    record = {**EN_RECORD, "serious_violation": 1.0, "meetings_held": 12.0, "dues_on_time": 1.0,
              "files_status": "complete", "minutes_ok": 1.0, "discipline_cases": 0.0}
    explanation = explain(_results(EN_BASIC, [record]), "B1")
    reasons = {line.item_id: line.reason for line in explanation.lines}
    assert reasons["violation"] == "veto: Serious violation; grade no better than fail"
    blocked = [s for s in explanation.summary if s.startswith("capped at fail")]
    assert blocked == ['capped at fail by the veto "Serious violation": no score can lift '
                       "the branch past fail; clear it first (Serious violation must be no)"]


def test_the_path_to_the_next_grade_is_spelled_out_in_chinese() -> None:
    """金桥社区 is told the two items to fix, the values needed and the points won."""
    results = evaluate(STREET, load_checklists(STREET, [SAMPLE]))
    summary = explain(results, "SQ07").summary
    expected = [
        "升到下一等次（合格，60分以上）需要整改的最少项目：",
        "1. 党建档案：党建档案由“不齐全”改为“齐全”，+10.00分",
        "2. 台账资料：会议记录完整由“否”改为“是”、党费台账完整由“否”改为“是”、"
        "活动影像资料完整由“否”改为“是”，+7.50分",
        "整改后总分60.71分，达到合格",
        "注：以上按分数线计算，未考虑名额限制",
    ]
    assert expected == list(summary[-5:])


def test_a_scale_fix_names_the_target() -> None:
    """A scale item's fix shows the value needed out of the target (三会一课 12 of 12)."""
    records = [{**_street_full(), "branch_id": "SQ01", "meetings_held": 6.0,
                "audit_breaches": 2.0}]
    summary = explain(_results(STREET, records), "SQ01").summary
    fixes = [sentence for sentence in summary if sentence[:1].isdigit()]
    assert fixes == ["1. 三会一课落实：三会一课召开次数由6改为12（共应12），+7.50分"]


def _street_full() -> dict[str, Any]:
    return {
        "branch_name": "幸福里社区", "meetings_held": 12.0, "meetings_required": 12.0,
        "reserve_cadres": 3.0, "activists": 2.0, "dues_on_time": 1.0, "files_status": "齐全",
        "roster_ok": 1.0, "minutes_ok": 1.0, "ledger_ok": 1.0, "photos_ok": 1.0,
        "study_absences": 0.0, "service_events": 7.0, "audit_breaches": 0.0,
        "finance_published": 2.0, "satisfaction": 100.0, "awards": None, "media_reports": None,
        "discipline_cases": None, "serious_violation": None, "remarks": None,
    }


def test_blank_values_under_na_and_zero_are_explained() -> None:
    """n/a: not scored and the base rescaled; zero: counted as 0."""
    record = {**_street_full(), "branch_id": "SQ01", "satisfaction": None,
              "service_events": 6.0}
    explanation = explain(_results(STREET, [record]), "SQ01")
    reasons = {line.item_id: line.reason for line in explanation.lines}
    assert reasons["satisfaction"] == "未填，本项不计分，基础分按比例折算"
    assert reasons["cases"] == "未填，按0计"
    assert any(s.startswith("基础分98.92分：有不计分的项目，按适用项目得分92.00/93")
               for s in explanation.summary)


def test_quota_and_grade_without_quota_are_both_given() -> None:
    """A branch pushed down by the quota is told its grade and the grade without quotas."""
    results = evaluate(STREET, load_checklists(STREET, [SAMPLE]))
    summary = explain(results, "SQ04").summary
    assert "等次：良好（优秀名额已满，按排名顺延）；不考虑名额限制时为：优秀" in summary
    assert "排名：第6名，共15个单位" in summary


def test_self_check_skips_quota_and_rank() -> None:
    """In self-check mode the grade is the one before quotas and no rank is given."""
    results = evaluate(STREET, load_checklists(STREET, [SAMPLE]))
    summary = explain(results, "SQ04", self_check=True).summary
    assert "等次：优秀；不考虑名额限制时为：优秀" in summary
    assert "自查模式：不设名额、不与其他单位排名" in summary
    assert not any(sentence.startswith("排名") for sentence in summary)


def test_text_lists_every_item_with_value_points_and_max() -> None:
    """The printed explanation has a line per indicator, bonus, penalty and veto."""
    results = _results(EN_BASIC, [EN_RECORD])
    text = explanation_text(explain(results, "B1"), EN_BASIC)
    assert "indicator  Meetings held as required  6  10.00  20  Meetings held 6" in text
    assert "bonus  Awards  5  3.00  3" in text
    assert "veto  Serious violation  no" in text


def test_an_unknown_branch_lists_the_ids_closest_first() -> None:
    """The ids that exist are listed, the closest match to the one asked for first."""
    issue = branch_not_found("SQ7", ["SQ15", "SQ01", "SQ07"], "in.csv")
    assert (issue.code, issue.column) == ("unknown-branch", "branch_id")
    assert issue.message.endswith("the branches are: SQ07, SQ15, SQ01")


def test_each_branch_prints_on_a_page_of_its_own(tmp_path: Path) -> None:
    """-o: a table of contents, then one sheet holding every branch's block, each
    starting a new printed page (a manual page break before it, the sheet scaled to the
    paper's width rather than fitted, which would drop the breaks); A4 portrait, page
    numbers; each block its title, the header and every item and veto."""
    results = evaluate(STREET, load_checklists(STREET, [SAMPLE]))
    path = tmp_path / "explain.xlsx"
    branches = ["SQ07", "SQ01", "SQ03"]
    write_explanations(explain_all(results, branches), path)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["目录", "考评情况说明"]
    sheet = book["考评情况说明"]
    lines = len(STREET.items) + len(STREET.vetoes)
    starts = [row for row in range(1, sheet.max_row + 1)
              if str(sheet.cell(row, 1).value or "").endswith("考评情况说明")]
    assert [sheet.cell(row, 1).value for row in starts] == [
        "金桥社区（SQ07）考评情况说明", "幸福里社区（SQ01）考评情况说明",
        "柳园社区（SQ03）考评情况说明"]
    # xlsx counts a break after a row: the row before each block but the first
    assert [brk.id for brk in sheet.row_breaks.brk] == [row - 1 for row in starts[1:]]
    setup = sheet.page_setup
    assert (int(setup.paperSize), setup.orientation) == (9, "portrait")
    properties = sheet.sheet_properties.pageSetUpPr
    assert properties is None or not properties.fitToPage
    assert 10 <= int(setup.scale) <= 100
    assert (sheet.oddFooter.center.text or "") == "第 &P 页 共 &N 页"
    for start in starts:
        assert [sheet.cell(start + 1, column).value for column in range(1, 6)] == [
            "类别", "项目（分值）", "填报值", "得分", "失分原因"]
        # an item's points go with its title, as a 细则 writes them
        titles = [sheet.cell(row, 2).value for row in range(start + 2, start + 2 + lines)]
        assert titles == [f"{item.title}（{plain_number(item.max)}分）" for item in STREET.items
                          ] + [veto.title for veto in STREET.vetoes]
        table = [sheet.cell(row, column) for row in range(start + 1, start + 2 + lines)
                 for column in range(1, 6)]
        assert all(cell.border.left.style == "thin" and cell.border.bottom.style == "thin"
                   for cell in table)


def test_the_contents_list_every_branch_with_a_link_to_its_page(tmp_path: Path) -> None:
    """The contents: each branch in the order asked, its total and grade as the run gives
    them, and a link to the row its block starts on."""
    results = evaluate(STREET, load_checklists(STREET, [SAMPLE]))
    path = tmp_path / "explain.xlsx"
    branches = results.ranking["branch_id"].tolist()
    write_explanations(explain_all(results, branches), path)
    book = openpyxl.load_workbook(path)
    contents, sheet = book["目录"], book["考评情况说明"]
    rows = list(contents.iter_rows(min_row=3, values_only=True))
    assert [row[1] for row in rows] == branches
    assert [row[3] for row in rows] == results.ranking["total"].tolist()
    assert [row[4] for row in rows] == results.ranking["grade"].tolist()
    for offset, branch in enumerate(branches):
        link = contents.cell(3 + offset, 6).hyperlink
        assert link is not None and link.location.startswith("'考评情况说明'!A")
        row = int(link.location.rsplit("A", 1)[1])
        assert sheet.cell(row, 1).value.endswith(f"（{branch}）考评情况说明")
    assert_print_style(contents, header_row=2, landscape=False)


def test_past_a_sheets_page_breaks_the_blocks_go_on_in_further_sheets(
        tmp_path: Path, monkeypatch: Any) -> None:
    """Excel keeps at most 1,023 manual page breaks a sheet: past BRANCHES_PER_SHEET
    branches the blocks go on in a further sheet, each named by the branches it holds."""
    monkeypatch.setattr(explain_book, "BRANCHES_PER_SHEET", 2)
    results = evaluate(STREET, load_checklists(STREET, [SAMPLE]))
    path = tmp_path / "explain.xlsx"
    write_explanations(explain_all(results, ["SQ01", "SQ02", "SQ03", "SQ04", "SQ05"]), path)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["目录", "考评情况说明1-2", "考评情况说明3-4", "考评情况说明5-5"]
    assert [len(book[name].row_breaks.brk) for name in book.sheetnames[1:]] == [1, 1, 0]
    links = [book["目录"].cell(row, 6).hyperlink.location for row in range(3, 8)]
    assert [link.split("!")[0] for link in links] == [
        "'考评情况说明1-2'", "'考评情况说明1-2'", "'考评情况说明3-4'", "'考评情况说明3-4'",
        "'考评情况说明5-5'"]


def test_one_branch_needs_no_contents(tmp_path: Path) -> None:
    """A single branch's explanation is its sheet alone."""
    results = evaluate(STREET, load_checklists(STREET, [SAMPLE]))
    path = tmp_path / "explain.xlsx"
    write_explanations(explain_all(results, ["SQ07"]), path)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["考评情况说明"]
    assert not book["考评情况说明"].row_breaks.brk


def test_every_rule_gives_its_reason_in_chinese() -> None:
    """金桥社区 loses points on every rule; each reason is the bulletin's note in Chinese."""
    results = evaluate(STREET, load_checklists(STREET, [SAMPLE]))
    reasons = _reasons(results, "SQ07")
    expected = {
        "meetings": "三会一课召开次数 9，应为 12，按比例得 11.25 分",
        "reserve": "后备干部人数 1，按档次得 3 分",
        "dues": "党费足额按时上交 否，应为 是",
        "files": "党建档案为“不齐全”，得 0 分",
        "ledgers": "会议记录完整、党费台账完整、活动影像资料完整 未达标（1/4）",
        "study": "学习教育缺勤人次 10，每人次扣 0.5 分",
        "volunteer": "志愿服务活动次数 3，每次得 1 分，满分 7 分",
        "audit": "违反三审制度笔数 2，每笔扣 5 分",
        "activists": "",
    }
    assert {key: reasons[key] for key in expected} == expected


def test_a_branch_a_quota_moved_down_is_told_only_the_quota_stands_in_the_way() -> None:
    """SQ04 earns 优秀 but holds 良好 for the quota: the next grade is 优秀, not "已是最高等次"."""
    results = evaluate(STREET, load_checklists(STREET, [SAMPLE]))
    explanation = explain(results, "SQ04")
    assert explanation.path.grade == "良好"
    assert explanation.path.target == "优秀"
    assert explanation.path.quota_only
    assert explanation.summary[-1] == (
        "总分已达到优秀（90分以上），仅因优秀名额已满未评为优秀")
    assert not any(sentence.startswith("已是最高等次") for sentence in explanation.summary)


def _quota_cascade() -> Results:
    """Five branches, one place each for 优秀 and 良好: C and D earn 良好 but hold 合格."""
    rubric = Rubric(
        id="q", title="q", total=100.0,
        fields=(Field("done", "int", min=0.0, max=10.0),),
        sections=(Section("s", "s", 100.0),),
        indicators=(Item("indicator", "work", "工作", 100.0, "scale", field="done",
                         section="s", target=10.0),),
        grades=(Grade("优秀", 90.0, max_share=0.2), Grade("良好", 60.0, max_share=0.2),
                Grade("合格", 0.0)),
    )
    records = [{"branch_id": branch, "done": done}
               for branch, done in (("A", 10), ("B", 9.5), ("C", 7), ("D", 6.5), ("E", 1))]
    return evaluate(rubric, make_checklists(rubric, records))


def test_a_branch_pushed_down_past_its_own_grade_is_offered_the_grade_above_the_one_it_holds(
) -> None:
    """C earns 良好, holds 合格 (both quotas full): the next grade is 良好, reached by the quota
    alone, never 优秀, which would skip its own; B, moved from 优秀, is offered 优秀."""
    results = _quota_cascade()
    grades = dict(zip(results.ranking["branch_id"], results.ranking["grade"], strict=True))
    assert grades == {"A": "优秀", "B": "良好", "C": "合格", "D": "合格", "E": "合格"}
    c = explain(results, "C")
    assert (c.path.grade, c.path.target, c.path.quota_only) == ("合格", "良好", True)
    assert "总分已达到良好（60分以上），仅因良好名额已满未评为良好" in c.summary
    assert not any("优秀" in sentence for sentence in c.summary)
    b = explain(results, "B")
    assert (b.path.target, b.path.quota_only) == ("优秀", True)


def test_a_branch_holding_the_grade_it_earns_gets_the_fixes_for_the_next() -> None:
    """E earns and holds 合格: the path is the fix to 良好 (60 points), not a quota sentence;
    in self-check mode C is at 良好 and is offered the fixes to 优秀."""
    results = _quota_cascade()
    e = explain(results, "E")
    assert (e.path.target, e.path.quota_only, e.path.reachable) == ("良好", False, True)
    assert "1. 工作：done由1改为6（共应10），+50.00分" in e.summary
    c = explain(results, "C", self_check=True)
    assert (c.path.grade, c.path.target, c.path.quota_only) == ("良好", "优秀", False)
    assert c.path.reachable


def test_raters_values_are_joined_and_a_field_all_left_blank_is_blank() -> None:
    """Two raters of one branch: each value shown, joined by ";"; a field both left blank
    (a bonus nobody claimed) is a blank, never ";"."""
    records = [{**_street_full(), "branch_id": "SQ01", "rater": "甲", "meetings_held": 10.0},
               {**_street_full(), "branch_id": "SQ01", "rater": "乙", "meetings_held": 12.0}]
    results = evaluate(STREET, make_checklists(STREET, records, has_rater=True))
    values = {line.item_id: line.value for line in explain(results, "SQ01").lines}
    assert values["meetings"] == "10;12"
    assert values["innovation"] == ""
