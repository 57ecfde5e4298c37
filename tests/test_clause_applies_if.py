"""A clause that applies only to some branches: "书记、主任一肩挑的社区未配备专职党务副书记的
扣3分" inside the 8-point item 班子建设 (扣完为止).

The clause keeps the item's arithmetic: 8 − 3 − 3 − 3 floored at 0, not
(5 − 6 floored) + 3 as a separate 3-point item would give. Where its
``applies_if`` does not hold the clause costs nothing and its own field is not
read; a blank in the condition's field follows that field's policy.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from inspect_score.checklists.load import load_checklists
from inspect_score.rubric.loader import load_rubric
from inspect_score.rubric.model import Rubric
from inspect_score.scoring.pipeline import evaluate
from inspect_score.scoring.results import Results
from inspect_score.selfcheck.clause_path import clause_path
from inspect_score.selfcheck.explain import explain
from inspect_score.selfcheck.template import describe_clause, field_comment
from inspect_score.tuning.lint import check_rubric_file

RUBRIC = """\
schema = 2

[rubric]
id = "team"
title = "班子建设考评细则"
total = 8

[[field]]
id = "committee_ok"
label = "支委会是否健全"
type = "bool"

[[field]]
id = "reserve_ok"
label = "后备干部是否充足"
type = "bool"

[[field]]
id = "dual_role"
label = "是否一肩挑"
type = "bool"
missing = "na"

[[field]]
id = "deputy_secretary"
label = "是否配备专职党务副书记"
type = "bool"
missing = "zero"

[[section]]
id = "team"
title = "班子建设"
max = 8

[[indicator]]
id = "team"
section = "team"
title = "班子建设"
max = 8
rule = "clauses"

[[indicator.clause]]
field = "committee_ok"
is = false
points = 3
problem = "支委会不健全"

[[indicator.clause]]
field = "reserve_ok"
is = false
points = 3
problem = "后备干部不足"

[[indicator.clause]]
field = "deputy_secretary"
is = false
points = 3
applies_if = { field = "dual_role", is = true }   # 一肩挑的社区
problem = "书记、主任一肩挑，未配备专职党务副书记"

[[grade]]
name = "好"
min = 6

[[grade]]
name = "一般"
min = 0
"""

#: A: not 一肩挑, both other faults, no deputy (not read: blank); B: 一肩挑 without a
#: deputy and both faults; C: 一肩挑 with a deputy and one fault; D: whether 一肩挑 left
#: blank (na: the clause does not apply); E: 一肩挑, deputy left blank (zero: 否)
CHECKLIST = """\
branch_id,branch_name,committee_ok,reserve_ok,dual_role,deputy_secretary
A,甲社区,否,否,否,
B,乙社区,否,否,是,否
C,丙社区,否,是,是,是
D,丁社区,是,是,,
E,戊社区,是,是,是,
"""


@pytest.fixture(name="results")
def fixture_results(tmp_path: Path) -> Results:
    rubric_path = tmp_path / "team.toml"
    rubric_path.write_text(RUBRIC, encoding="utf-8")
    checklist = tmp_path / "team.csv"
    checklist.write_text(CHECKLIST, encoding="utf-8")
    rubric = load_rubric(rubric_path)
    return evaluate(rubric, load_checklists(rubric, [checklist]))


def team_rubric(tmp_path: Path) -> Rubric:
    path = tmp_path / "team.toml"
    path.write_text(RUBRIC, encoding="utf-8")
    return load_rubric(path)


def by_branch(results: Results, frame: pd.DataFrame) -> pd.DataFrame:
    return frame.set_index(results.scores.branches["branch_id"])


def test_the_clause_counts_only_where_its_condition_holds(results: Results) -> None:
    """A: 8 − 3 − 3 = 2 (not 一肩挑: the deputy clause costs nothing, its blank is not
    read); B: 8 − 3 − 3 − 3 floored at 0; C: 8 − 3 = 5; D: 8 (whether 一肩挑 is blank
    under na: the clause does not apply, the item still does); E: 8 − 3 = 5 (a blank
    deputy under zero reads 否)."""
    points = by_branch(results, results.scores.points)["team"]
    assert points.to_dict() == {"A": 2.0, "B": 0.0, "C": 5.0, "D": 8.0, "E": 5.0}
    costs = by_branch(results, results.scores.clauses)["team#3"]
    assert costs.to_dict() == {"A": 0.0, "B": 3.0, "C": 0.0, "D": 0.0, "E": 3.0}


def test_findings_name_the_clause_only_where_it_cost(results: Results) -> None:
    """The deputy problem is found for B and E alone; A's blank deputy is no finding."""
    findings = results.findings
    deputy = findings[(findings["item_id"] == "team") & (findings["clause"] == 3)]
    assert sorted(deputy["branch_id"]) == ["B", "E"]
    assert set(deputy["problem"]) == {"书记、主任一肩挑，未配备专职党务副书记"}
    assert sorted(findings[findings["branch_id"] == "A"]["problem"]) == [
        "后备干部不足", "支委会不健全"]


def test_explain_prices_the_clause_as_scored(results: Results) -> None:
    """explain shows the clause's cost where it applies and 0 where it does not."""
    reasons = {branch: [line.reason for line in explain(results, branch).lines
                        if line.kind == "条款"] for branch in ("A", "E")}
    assert not any("副书记" in reason for reason in reasons["A"])
    assert reasons["E"][2].startswith("书记、主任一肩挑，未配备专职党务副书记")


def test_explain_says_where_the_clause_does_not_apply(results: Results) -> None:
    """For A (not 一肩挑) and D (whether 一肩挑 left blank, under na) the deputy clause's
    line says it does not apply there, instead of an empty reason beside a blank value;
    for B and C (一肩挑) it says what it cost, or nothing."""
    def deputy(branch: str) -> str:
        return [line.reason for line in explain(results, branch).lines
                if line.kind == "条款"][2]

    assert deputy("A") == deputy("D") == "本条不适用：仅适用于是否一肩挑的单位"
    assert deputy("B").startswith("书记、主任一肩挑，未配备专职党务副书记")
    assert deputy("C") == ""


def test_putting_the_clause_right_wins_its_points(results: Results) -> None:
    """E (5, 一般) reaches 好 (6) by appointing a deputy: +3."""
    path = clause_path(results, "E", quotas=False)
    assert [(fix.problem, fix.gain) for fix in path.fixes] == [
        ("书记、主任一肩挑，未配备专职党务副书记", 3.0)]
    assert path.new_total == 8.0


def test_the_form_says_where_the_clause_counts(tmp_path: Path) -> None:
    """The form states the clause as the 细则 does, where first ("仅适用于…的单位"), and
    the field that decides it says so, with what other branches lose (nothing)."""
    rubric = team_rubric(tmp_path)
    item = rubric.indicators[0]
    assert describe_clause(rubric, item, item.clauses[2]) == (
        "仅适用于是否一肩挑的单位，是否配备专职党务副书记为否的，扣3分"
        "（问题表述：书记、主任一肩挑，未配备专职党务副书记）")
    assert describe_clause(rubric, item, item.clauses[0]).startswith("支委会是否健全为否的")
    assert "用于判断“班子建设”第3条是否适用：仅适用于是否一肩挑的单位；其他单位本条不扣分" in \
        field_comment(rubric, rubric.field("dual_role")).split("\n")


def test_check_warns_of_a_clause_whose_applies_if_can_never_hold(tmp_path: Path) -> None:
    """`check --strict`: a clause that applies only to communities of more than 20 staff,
    where the field allows at most 10, can never cost anything; the rubric as written
    is clean."""
    path = tmp_path / "team.toml"
    path.write_text(RUBRIC, encoding="utf-8")
    assert [issue.code for issue in check_rubric_file(path)] == []
    never = RUBRIC.replace(
        'applies_if = { field = "dual_role", is = true }',
        'applies_if = { field = "staff", op = ">", value = 20 }').replace(
        "[[section]]", '[[field]]\nid = "staff"\nlabel = "工作人员数"\ntype = "int"\nmin = 0\n'
        "max = 10\n\n[[section]]")
    path.write_text(never, encoding="utf-8")
    assert ("clause-never-costs", "indicator[1].clause[3]") in [
        (issue.code, issue.key) for issue in check_rubric_file(path)]
