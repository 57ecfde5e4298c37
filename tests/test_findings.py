"""Findings: every point lost, every penalty, every veto, with a note in words."""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import attrs
import pandas as pd
from en_basic import EN_BASIC, branch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sample_run import sample_results
from strategies import make_checklists, runs, runs_2

from inspect_score.checklists.table import Checklists
from inspect_score.errors import ChecklistError
from inspect_score.outputs.write_csv import output_tables
from inspect_score.rubric.loader import load_rubric
from inspect_score.rubric.model import Clause, Condition, Field, Item, Rubric, Section
from inspect_score.scoring.findings import FINDING_COLUMNS, find_problems
from inspect_score.scoring.pipeline import evaluate


def _records(frame: pd.DataFrame) -> list[tuple[object, ...]]:
    """Rows as tuples, NaN as None, so that lists compare with ==."""
    return [
        tuple(None if isinstance(cell, float) and math.isnan(cell) else cell for cell in row)
        for row in frame.itertuples(index=False)
    ]


def test_findings_follow_the_ranking_then_the_rubric_with_notes_in_chinese() -> None:
    """Each lost point, penalty and veto is one row, in ranking then rubric order."""
    results = sample_results()
    expected = [
        ("SQ01", "indicator", "satisfaction", "95", 21.85, 23.0, 1.15,
         "群众满意度(%) 95，应为 100，按比例得 21.85 分"),
        ("SQ10", "indicator", "reserve", "2", 5.0, 8.0, 3.0, "后备干部人数 2，按档次得 5 分"),
        ("SQ10", "veto", "discipline", "是", None, None, None,
         "发生严重违纪问题，等次不高于不合格"),
        ("SQ02", "indicator", "meetings", "8", 10.0, 15.0, 5.0,
         "三会一课召开次数 8，应为 12，按比例得 10.00 分"),
        ("SQ02", "indicator", "reserve", "1", 3.0, 8.0, 5.0, "后备干部人数 1，按档次得 3 分"),
        ("SQ02", "indicator", "activists", "0", 0.0, 6.0, 6.0, "入党积极分子人数 0，应不少于 1"),
        ("SQ02", "indicator", "dues", "否", 0.0, 6.0, 6.0, "党费足额按时上交 否，应为 是"),
        ("SQ02", "indicator", "files", "基本齐全", 6.0, 10.0, 4.0, "党建档案为“基本齐全”，得 6 分"),
        ("SQ02", "indicator", "ledgers", "2/4", 5.0, 10.0, 5.0,
         "党员花名册完整、会议记录完整 未达标（2/4）"),
        ("SQ02", "indicator", "audit", "2", 5.0, 15.0, 10.0, "违反三审制度笔数 2，每笔扣 5 分"),
        ("SQ02", "indicator", "volunteer", "3", 3.0, 7.0, 4.0,
         "志愿服务活动次数 3，每次得 1 分，满分 7 分"),
        ("SQ02", "penalty", "cases", "1", 5.0, 10.0, 5.0, "受党纪处分人次 1，每人次扣 5 分"),
    ]
    assert expected == _records(results.findings[list(FINDING_COLUMNS[:8])])


def test_findings_notes_in_english() -> None:
    """An English rubric gets English notes and yes/no values."""
    findings = sample_results("en").findings
    expected = [
        "群众满意度(%) 95, expected 100, 21.85 points pro rata",
        "后备干部人数 2, 5 points by steps",
        "发生严重违纪问题: grade no better than 不合格",
        "三会一课召开次数 8, expected 12, 10.00 points pro rata",
        "后备干部人数 1, 3 points by steps",
        "入党积极分子人数 0, expected at least 1",
        "党费足额按时上交 no, expected yes",
        '党建档案 is "基本齐全", 6 points',
        "党员花名册完整, 会议记录完整 not met (2/4)",
        "违反三审制度笔数 2, 5 points off each",
        "志愿服务活动次数 3, 1 points each, up to 7",
        "受党纪处分人次 1, 5 points off each",
    ]
    assert expected == findings["note"].tolist()
    assert findings.loc[2, "value"] == "yes"


def test_findings_columns_and_types() -> None:
    """The columns are the spec's, then rectify: branch ids as the ranking's strings,
    other text as categoricals (few distinct texts, millions of rows), numbers as
    floats, the clause number as a nullable integer."""
    results = sample_results()
    findings = results.findings
    assert [*FINDING_COLUMNS, "rectify"] == list(findings.columns)
    assert [str(dtype) for dtype in findings.dtypes] == [
        "str", "category", "category", "category", "float64", "float64", "float64",
        "category", "Int32", "category", "category",
    ]
    assert findings["branch_id"].dtype == results.ranking["branch_id"].dtype
    text_columns = ["branch_id", "kind", "item_id", "value", "note", "problem", "rectify"]
    assert all(isinstance(text, str) for column in text_columns for text in findings[column])


def test_no_problem_no_finding() -> None:
    """A run where nothing lost a point has no findings, with the columns still there."""
    results = sample_results()
    scores = results.scores
    perfect = attrs.evolve(
        scores,
        points=scores.points.iloc[[0]].reset_index(drop=True).assign(satisfaction=23.0),
        branches=scores.branches.iloc[[0]].reset_index(drop=True),
        vetoes=scores.vetoes.iloc[[0]].reset_index(drop=True),
        row_branch=pd.Series([0]),
    )
    checklists = attrs.evolve(results.checklists, frame=results.checklists.frame.iloc[[0]])
    findings = find_problems(results.rubric, checklists, perfect,
                             results.ranking.iloc[[0]].reset_index(drop=True))
    assert [*FINDING_COLUMNS, "rectify"] == list(findings.columns)
    assert len(findings) == 0


def test_several_raters_values_are_joined() -> None:
    """Where raters disagree, value lists each rater's value with ";" in rater order (rows
    of one rater, possible only without a rater column, in checklist order)."""
    results = sample_results()
    frame = results.checklists.frame
    # a second rater for SQ02 who counted 10 meetings and found the files complete
    second = frame.iloc[[1]].assign(meetings_held=10.0, files_status="齐全", roster_ok=1.0)
    rows = pd.concat([frame, second], ignore_index=True)
    rows["files_status"] = pd.Categorical(rows["files_status"],
                                          categories=["齐全", "基本齐全", "不齐全"])
    checklists = Checklists(frame=rows, sources=("in.csv",), has_rater=True)
    scores = attrs.evolve(results.scores, row_branch=pd.Series([0, 1, 2, 1]))
    findings = find_problems(results.rubric, checklists, scores, results.ranking)
    sq02 = findings[findings["branch_id"] == "SQ02"].set_index("item_id")
    assert sq02.loc["meetings", "value"] == "8;10"
    assert sq02.loc["files", "value"] == "基本齐全;齐全"
    assert sq02.loc["ledgers", "value"] == "2/4;3/4"
    # a field is named as failed where any rater found it false
    assert sq02.loc["ledgers", "note"] == "党员花名册完整、会议记录完整 未达标（2/4;3/4）"


def test_blank_value_counted_as_zero_is_named_blank() -> None:
    """A value left blank under missing = "zero" shows empty, and the note says 未填."""
    results = sample_results()
    rubric = attrs.evolve(results.rubric, penalties=(attrs.evolve(
        results.rubric.penalties[0], rule="check", field="awards", op="==", value=0.0),))
    scores = attrs.evolve(results.scores,
                          points=results.scores.points.assign(cases=[0.0, 10.0, 0.0]))
    findings = find_problems(rubric, results.checklists, scores, results.ranking)
    penalty = findings[findings["kind"] == "penalty"]
    actual = list(zip(penalty["branch_id"], penalty["value"], penalty["note"], strict=True))
    assert actual == [("SQ02", "", "区级以上表彰次数 未填，扣 10 分")]


def test_findings_are_found_once_when_first_asked_for_or_kept_as_given() -> None:
    """``Results.findings`` is what find_problems gives, built on first use and kept;
    findings given to ``Results`` are the findings."""
    results = sample_results()
    found = results.findings
    assert found is results.findings
    expected = find_problems(results.rubric, results.checklists, results.scores, results.ranking)
    pd.testing.assert_frame_equal(expected, found)
    given = found.head(1)
    assert attrs.evolve(results, findings=given).findings is given


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(runs(), st.randoms(use_true_random=False))
def test_findings_do_not_depend_on_row_order(run: tuple[Rubric, Checklists],
                                             random: Any) -> None:
    """Shuffled checklist rows give the same findings, value included: several raters'
    values are joined in rater order, not in the order their rows came."""
    rubric, checklists = run

    def findings(frame: pd.DataFrame) -> pd.DataFrame | None:
        shuffled = Checklists(frame=frame.reset_index(drop=True), sources=checklists.sources,
                              has_rater=checklists.has_rater)
        try:
            results = evaluate(rubric, shuffled)
        except ChecklistError:
            return None  # a branch with nothing applicable: not this test's concern
        return output_tables(results)["findings"]

    expected = findings(checklists.frame)
    if expected is None:
        return
    order = list(range(len(checklists.frame)))
    random.shuffle(order)
    actual = findings(checklists.frame.iloc[order])
    assert actual is not None
    pd.testing.assert_frame_equal(expected.reset_index(drop=True),
                                  actual.reset_index(drop=True))


def test_schema1_findings_state_problems_by_default() -> None:
    """Under schema 1 every finding gains problem ("{title}扣{lost}分", a veto's title),
    an empty clause and an empty rectify: the columns the bulletin reads are always there."""
    findings = sample_results().findings
    first = findings.iloc[0]
    assert (pd.isna(first["clause"]), first["problem"], first["rectify"]) == (
        True, "群众满意度扣1.15分", "")
    veto = findings[findings["kind"] == "veto"].iloc[0]
    assert veto["problem"] == "发生严重违纪问题"
    assert findings["clause"].isna().all()


def test_default_problem_in_english() -> None:
    """An English rubric's findings state "{title}: {lost} points lost" by default,
    numbers written plainly."""
    rubric = load_rubric(EN_BASIC)
    results = evaluate(rubric, make_checklists(rubric, [branch("B1", study_absences=3)]))
    title = next(item.title for item in rubric.items if item.field == "study_absences")
    lost = results.findings["lost"].iloc[0]
    assert results.findings["problem"].tolist() == [f"{title}: {lost:g} points lost"]


def _schema_2_findings(fields: tuple[Field, ...], item: Item,
                       records: list[dict[str, Any]]) -> pd.DataFrame:
    """The findings of one schema 2 indicator (worth its max, in a section of its own)."""
    rubric = Rubric(id="s2", title="细则", total=item.max, fields=fields,
                    sections=(Section(id="s", title="组织建设", max=item.max),),
                    indicators=(attrs.evolve(item, section="s"),), grades=(),
                    bonus_cap=math.inf, schema=2)
    has_rater = any(record.get("rater") for record in records)
    return evaluate(rubric, make_checklists(rubric, records, has_rater=has_rater)).findings


def test_a_shortfall_is_stated_in_the_decimals_written() -> None:
    """学习时长 7.9 below 10 is 少2.1小时, worked out from the numbers as written (floats
    make it 2.0999999999999996)."""
    item = Item(kind="indicator", id="study", title="理论学习", max=5.0, rule="clauses",
                clauses=(Clause(shape="shortfall", field="hours", below=10.0, per=0.5,
                                problem="学习时长少{short}小时"),))
    findings = _schema_2_findings((Field(id="hours", type="number", label="学习时长"),), item,
                                  [{"branch_id": "B1", "branch_name": "东湖社区", "hours": 7.9}])
    assert findings["problem"].tolist() == ["学习时长少2.1小时"]


def test_missing_names_only_what_raters_of_an_applying_row_found_missing() -> None:
    """A 一肩挑 item: R1 finds the community 一肩挑 and no 党员名册; R2 finds it is not
    一肩挑 (the item scores full on R2's row, whose cells it does not read) and notes
    no 会议记录本. The clause cost only R1's 名册, so the problem names only it."""
    fields = (Field(id="dual", type="bool", label="是否一肩挑"),
              Field(id="roster", type="bool", label="党员名册"),
              Field(id="minutes", type="bool", label="会议记录本"))
    item = Item(kind="indicator", id="files", title="软件资料", max=2.0, rule="clauses",
                applies_if=Condition(field="dual", op="==", values=(True,)),
                clauses=(Clause(shape="list", fields=("roster", "minutes"), per=1.0,
                                problem="缺少{missing}"),))
    records = [{"branch_id": "B1", "branch_name": "东湖社区", "rater": "R1", "dual": 1.0,
                "roster": 0.0, "minutes": 1.0},
               {"branch_id": "B1", "branch_name": "东湖社区", "rater": "R2", "dual": 0.0,
                "roster": 1.0, "minutes": 0.0}]
    findings = _schema_2_findings(fields, item, records)
    assert (findings["problem"].tolist(), findings["lost"].tolist()) == (["缺少党员名册"], [0.5])


UNITS = load_rubric(Path(__file__).parent / "data" / "rubrics" / "schema2-units.toml")
#: a branch that meets every requirement of the units rubric
MEETS = {"report_rate": 95.0, "satisfaction": 100.0, "reserve": 3.0, "irregular": 0.0,
         "visits": 20.0, "cases": 0.0, "media": 0.0, "dues_on_time": 1.0, "deputy": 1.0}


def _units_notes(*records: dict[str, Any]) -> dict[tuple[str, str, int], str]:
    """The notes of the units rubric's findings, by branch, item and clause (0: none)."""
    rows = [{"branch_id": "B1", "branch_name": "东湖社区", **MEETS, **record}
            for record in records]
    has_rater = any(record.get("rater") for record in records)
    findings = evaluate(UNITS, make_checklists(UNITS, rows, has_rater=has_rater)).findings
    return {(row.branch_id, row.item_id, 0 if pd.isna(row.clause) else int(row.clause)):
            row.note for row in findings.itertuples()}


def test_schema_2_notes_state_the_value_in_its_unit_without_spaces() -> None:
    """A schema 2 note reads as an official document writes: the value stated after the
    label with 为, no space between Chinese and a number, a count in its measure word
    (每例, 每人次, 不少于3名), a percentage with its "%", 低于 its requirement in 个百分点,
    and a check's expectation "应为是"."""
    notes = _units_notes({"report_rate": 82.5, "satisfaction": 55.0, "reserve": 2.0,
                          "irregular": 2.0, "cases": 1.0, "deputy": 0.0})
    assert notes == {
        ("B1", "team", 1): "后备干部为2，应不少于3名，每少1名扣1分",
        ("B1", "team", 2): "发展党员程序不规范例数为2，每例扣2分",
        ("B1", "deputy_item", 0): "配备专职党务副书记为否，应为是",
        ("B1", "service", 1): "在职党员报到率为82.5%，应不低于90%，每低1个百分点扣0.5分，"
                              "最多扣5分",
        ("B1", "satisfaction_item", 0): "居民满意率为55%，应为100%，按比例得44.00分",
        ("B1", "discipline", 1): "委员受处分人次为1，每人次扣5分",
        ("B1", "low_satisfaction", 0): "居民满意率过低，等次不高于合格",
    }


def test_schema_2_notes_give_each_raters_percentage_its_sign() -> None:
    """Two raters' readings of a percentage each carry the "%"; the problem states the one
    combined reading, as the rubric wrote it ("仅{value}%")."""
    notes = _units_notes({"rater": "R1", "report_rate": 80.0}, {"rater": "R2", "report_rate": 85.0})
    assert notes[("B1", "service", 1)] == ("在职党员报到率为80%;85%，应不低于90%，"
                                           "每低1个百分点扣0.5分，最多扣5分")


def test_a_blank_is_said_unfilled_in_a_schema_2_note() -> None:
    """A blank read as 0 (missing = "zero") is 未填 in the note, never "为未填"."""
    rubric = attrs.evolve(UNITS, missing="zero")
    row = {"branch_id": "B1", "branch_name": "东湖社区", **MEETS, "visits": None}
    findings = evaluate(rubric, make_checklists(rubric, [row])).findings
    assert findings["note"].tolist() == ["走访困难群众户数未填，应不少于20户，每少1户扣0.5分"]


_CHINESE_SPACE_NUMBER = re.compile(r"[\u4e00-\u9fff] +[0-9]|[0-9] +[\u4e00-\u9fff]")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(runs_2())
def test_no_schema_2_note_spaces_chinese_from_a_number(run: tuple[Rubric, Checklists]) -> None:
    """Whatever a schema 2 rubric and its checklists, no note of its findings has a space
    between Chinese and a number, nor an ASCII colon (GB/T 9704)."""
    rubric, checklists = run
    try:
        findings = evaluate(rubric, checklists).findings
    except ChecklistError:
        return  # a branch with nothing applicable: not this test's concern
    for note in findings["note"].astype(str):
        assert not _CHINESE_SPACE_NUMBER.search(note) and ":" not in note, note
