"""A small run built by hand: three branches scored as the rubric says.

The writers' and summary tests share it; the findings and summary in it are
made by the functions under test.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from inspect_score.checklists.table import Checklists
from inspect_score.rubric.model import Field, Grade, Item, Rubric, Section, Veto
from inspect_score.scoring.results import Results
from inspect_score.scoring.summary import summarize
from inspect_score.scoring.tables import Scores

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
                   summary=summary, grade_counts=grade_counts)
