"""Findings: every point lost, every penalty, every veto, with a note in words.

The module also holds ``sample_results``, a small run built by hand (three
branches scored as the rubric says) that the writers' tests share.
"""

from __future__ import annotations

import math

import attrs
import numpy as np
import pandas as pd

from inspect_score.findings import FINDING_COLUMNS, find_problems
from inspect_score.model import Field, Grade, Item, Rubric, Section, Veto
from inspect_score.summary import summarize
from inspect_score.tables import Checklists, Results, Scores

FIELDS = (
    Field("meetings_held", "int", label="三会一课召开次数"),
    Field("meetings_required", "int", label="三会一课应开次数"),
    Field("reserve_cadres", "int", label="后备干部人数"),
    Field("activists", "int", label="入党积极分子人数"),
    Field("dues_on_time", "bool", label="党费足额按时上交"),
    Field("files_status", "choice", label="党建档案", choices=("齐全", "基本齐全", "不齐全")),
    Field("roster_ok", "bool", label="党员花名册完整"),
    Field("minutes_ok", "bool", label="会议记录完整"),
    Field("ledger_ok", "bool", label="党费台账完整"),
    Field("photos_ok", "bool", label="活动影像资料完整"),
    Field("audit_breaches", "int", label="违反三审制度笔数"),
    Field("service_events", "int", label="志愿服务活动次数"),
    Field("satisfaction", "number", label="群众满意度(%)", missing="na"),
    Field("awards", "int", label="区级以上表彰次数", missing="zero"),
    Field("discipline_cases", "int", label="受党纪处分人次", missing="zero"),
    Field("serious_violation", "bool", label="发生严重违纪问题", missing="zero"),
)

INDICATORS = (
    Item("indicator", "meetings", "三会一课落实", 15, "scale", field="meetings_held",
         section="org", target_field="meetings_required"),
    Item("indicator", "reserve", "后备干部队伍", 8, "steps", field="reserve_cadres",
         section="org", steps=((1, 3), (2, 5), (3, 8))),
    Item("indicator", "activists", "积极分子培养", 6, "check", field="activists",
         section="org", op=">=", value=1.0),
    Item("indicator", "dues", "党费收缴", 6, "check", field="dues_on_time", section="org"),
    Item("indicator", "files", "党建档案", 10, "choice", field="files_status",
         section="basics", points=(("齐全", 10), ("基本齐全", 6), ("不齐全", 0))),
    Item("indicator", "ledgers", "台账资料", 10, "share", section="basics",
         fields=("roster_ok", "minutes_ok", "ledger_ok", "photos_ok")),
    Item("indicator", "audit", "三审制度落实", 15, "deduct", field="audit_breaches",
         section="basics", per=5),
    Item("indicator", "volunteer", "志愿服务", 7, "count", field="service_events",
         section="finance", per=1),
    Item("indicator", "satisfaction", "群众满意度", 23, "scale", field="satisfaction",
         section="finance", target=100),
)


def sample_rubric(lang: str = "zh") -> Rubric:
    return Rubric(
        id="street-test",
        title="社区党建工作检查考评细则",
        version="2025-08",
        lang=lang,  # type: ignore[arg-type]
        total=100,
        bonus_cap=5,
        fields=FIELDS,
        sections=(Section("org", "组织建设", 35), Section("basics", "基础工作", 35),
                  Section("finance", "财务管理", 30)),
        indicators=INDICATORS,
        bonuses=(Item("bonus", "innovation", "党建创新", 3, "steps", field="awards",
                      steps=((1, 2), (2, 3))),),
        penalties=(Item("penalty", "cases", "班子成员受党纪处分", 10, "count",
                        field="discipline_cases", per=5),),
        vetoes=(Veto("discipline", "发生严重违纪问题", "serious_violation", "==", True, "不合格"),),
        grades=(Grade("优秀", 90, max_share=0.5), Grade("良好", 80), Grade("合格", 60),
                Grade("不合格", 0)),
        source="rubrics/street-test.toml",
        sha256="ab" * 32,
    )


def sample_checklists() -> Checklists:
    """Three branches: one nearly perfect, one losing points everywhere, one vetoed."""
    frame = pd.DataFrame({
        "branch_id": ["SQ01", "SQ02", "SQ10"],
        "branch_name": ["幸福里社区", "东湖社区", "=HYPERLINK(\"http://x\")"],
        "rater": ["", "", ""],
        "meetings_held": [12.0, 8.0, 12.0],
        "meetings_required": [12.0, 12.0, 12.0],
        "reserve_cadres": [3.0, 1.0, 2.0],
        "activists": [2.0, 0.0, 1.0],
        "dues_on_time": [1.0, 0.0, 1.0],
        "files_status": pd.Categorical(["齐全", "基本齐全", "齐全"],
                                       categories=["齐全", "基本齐全", "不齐全"]),
        "roster_ok": [1.0, 0.0, 1.0],
        "minutes_ok": [1.0, 0.0, 1.0],
        "ledger_ok": [1.0, 1.0, 1.0],
        "photos_ok": [1.0, 1.0, 1.0],
        "audit_breaches": [0.0, 2.0, 0.0],
        "service_events": [7.0, 3.0, 7.0],
        "satisfaction": [95.0, np.nan, 100.0],
        "awards": [1.0, np.nan, 0.0],
        "discipline_cases": [0.0, 1.0, 0.0],
        "serious_violation": [0.0, 0.0, 1.0],
        "_file": pd.Categorical(["in.csv"] * 3),
        "_row": [2, 3, 4],
    })
    return Checklists(frame=frame, sources=("in.csv",))


def sample_scores() -> Scores:
    branches = pd.DataFrame({
        "branch_id": ["SQ01", "SQ02", "SQ10"],
        "branch_name": ["幸福里社区", "东湖社区", "=HYPERLINK(\"http://x\")"],
        # SQ02: 100 * 32 / 77 over its applicable indicators
        "base": [98.85, 41.56, 97.0],
        "bonus": [2.0, 0.0, 0.0],
        "penalty": [0.0, 5.0, 0.0],
        "total": [100.85, 36.56, 97.0],
        "vetoed": ["", "", "discipline"],
        "veto_cap": [0, 0, 3],
    })
    points = pd.DataFrame({
        "meetings": [15.0, 10.0, 15.0],
        "reserve": [8.0, 3.0, 5.0],
        "activists": [6.0, 0.0, 6.0],
        "dues": [6.0, 0.0, 6.0],
        "files": [10.0, 6.0, 10.0],
        "ledgers": [10.0, 5.0, 10.0],
        "audit": [15.0, 5.0, 15.0],
        "volunteer": [7.0, 3.0, 7.0],
        "satisfaction": [21.85, np.nan, 23.0],
        "innovation": [2.0, 0.0, 0.0],
        "cases": [0.0, 5.0, 0.0],
    })
    sections = pd.DataFrame({
        "org": [35.0, 13.0, 32.0],
        "basics": [35.0, 16.0, 35.0],
        "finance": [28.85, 3.0, 30.0],
    })
    vetoes = pd.DataFrame({"discipline": [False, False, True]})
    return Scores(branches=branches, points=points, sections=sections, vetoes=vetoes,
                  row_branch=pd.Series([0, 1, 2]))


def sample_ranking() -> pd.DataFrame:
    return pd.DataFrame({
        "rank": [1, 2, 3],
        "branch_id": ["SQ01", "SQ10", "SQ02"],
        "branch_name": ["幸福里社区", "=HYPERLINK(\"http://x\")", "东湖社区"],
        "total": [100.85, 97.0, 36.56],
        "base": [98.85, 97.0, 41.56],
        "bonus": [2.0, 0.0, 0.0],
        "penalty": [0.0, 0.0, 5.0],
        "grade": ["优秀", "不合格", "不合格"],
        "grade_without_quota": ["优秀", "不合格", "不合格"],
        "vetoed": ["", "discipline", ""],
        "org": [35.0, 32.0, 13.0],
        "basics": [35.0, 35.0, 16.0],
        "finance": [28.85, 30.0, 3.0],
        "position": [0, 2, 1],
    })


def sample_results(lang: str = "zh") -> Results:
    """The hand-built run, with findings and summary made by the functions under test."""
    rubric = sample_rubric(lang)
    checklists = sample_checklists()
    scores = sample_scores()
    ranking = sample_ranking()
    summary, grade_counts = summarize(rubric, scores, ranking)
    return Results(rubric=rubric, checklists=checklists, scores=scores, ranking=ranking,
                   findings=find_problems(rubric, checklists, scores, ranking),
                   summary=summary, grade_counts=grade_counts)


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
    assert expected == _records(results.findings)


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
    """The columns are the spec's: text as categoricals (few distinct texts,
    millions of rows) of Python strings, numbers as floats."""
    findings = sample_results().findings
    assert list(FINDING_COLUMNS) == list(findings.columns)
    assert [str(dtype) for dtype in findings.dtypes] == [
        "category", "category", "category", "category", "float64", "float64", "float64",
        "category",
    ]
    text_columns = ["branch_id", "kind", "item_id", "value", "note"]
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
    assert list(FINDING_COLUMNS) == list(findings.columns)
    assert len(findings) == 0


def test_several_raters_values_are_joined() -> None:
    """Where raters disagree, value lists each rater's value with ";" in checklist order."""
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
