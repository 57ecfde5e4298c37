"""Semantic lint: every warning has a rubric that triggers it and a near miss that does not."""

from __future__ import annotations

from pathlib import Path

import attrs
import numpy as np
import pytest
from hypothesis import assume, given, settings
from strategies import runs, runs_2

from inspect_score.checklists.table import Checklists
from inspect_score.errors import ChecklistError
from inspect_score.rubric.loader import load_rubric
from inspect_score.rubric.model import Field, Item, Rubric
from inspect_score.scoring.plain import quota_places
from inspect_score.scoring.rounding import round_points
from inspect_score.scoring.score import score
from inspect_score.tuning.lint import (
    SMALL_RUN,
    check_rubric_file,
    clause_cost_range,
    lint_rubric,
    point_range,
    smallest_run_with_place,
)

LINT = Path(__file__).parent / "data" / "lint"
ROOT = Path(__file__).parent.parent

#: (code, the rubric that triggers it, the near miss that does not)
CASES = [
    ("unreachable-grade", "unreachable-grade", "unreachable-grade-ok"),
    ("unreachable-grade", "unreachable-grade-over-total", "unreachable-grade-over-total-ok"),
    ("bonus-only-grade", "bonus-only-grade", "bonus-only-grade-ok"),
    ("grade-always-reached", "grade-always-reached", "grade-always-reached-ok"),
    ("constant-points", "constant-points", "constant-points-ok"),
    ("quota-rounds-to-zero", "quota-rounds-to-zero", "quota-rounds-to-zero-ok"),
    ("bonus-above-cap", "bonus-above-cap", "bonus-above-cap-ok"),
    ("veto-no-effect", "veto-no-effect", "veto-no-effect-ok"),
    ("clause-never-costs", "s2-clause-never-costs", "s2-clause-never-costs-ok"),
    ("clauses-below-max", "s2-clauses-below-max", "s2-clauses-below-max-ok"),
    ("quotas-cannot-hold", "s2-quotas-cannot-hold", "s2-quotas-cannot-hold-ok"),
    ("constant-points", "s2-clause-never-costs", "s2-clause-never-costs-ok"),
]


def codes(name: str) -> list[str]:
    return [issue.code for issue in check_rubric_file(LINT / f"{name}.toml")]


@pytest.mark.parametrize(("code", "trigger", "near_miss"), CASES)
def test_each_warning_is_triggered_by_its_rubric_and_not_by_the_near_miss(
    code: str, trigger: str, near_miss: str
) -> None:
    """The trigger rubric gets the warning exactly once; its near miss does not get it."""
    assert (codes(trigger).count(code), codes(near_miss).count(code)) == (1, 0)


def test_the_clean_rubric_gets_no_warning() -> None:
    """A rubric without doubtful choices is reported clean."""
    assert codes("clean") == []


def test_warnings_say_where_and_are_warnings() -> None:
    """A lint warning carries the rubric path, the table's line and the key path."""
    path = LINT / "bonus-only-grade.toml"
    issue = next(i for i in check_rubric_file(path) if i.code == "bonus-only-grade")
    text = path.read_text(encoding="utf-8").splitlines()
    assert ("warning", str(path), "grade[1].min", "[[grade]]") == (
        issue.severity, issue.path, issue.key, text[(issue.row or 0) - 1])


def test_bundled_rubrics_are_clean() -> None:
    """The rubrics shipped with the tool raise no lint warning."""
    for path in sorted((ROOT / "rubrics").glob("*.toml")):
        assert lint_rubric(load_rubric(path)) == [], path


def test_a_rubric_with_errors_is_not_linted() -> None:
    """A rubric that does not load reports its errors only."""
    broken = ROOT / "tests" / "data" / "rubrics" / "invalid" / "total-mismatch.toml"
    issues = check_rubric_file(broken)
    assert [issue for issue in issues if issue.severity == "warning"
                  and issue.code in {code for code, _, _ in CASES}] == []


def test_the_small_run_is_the_one_the_message_promises() -> None:
    """A quota of 0.05 first gives a place at 20 branches; 0.1 at 10, the small run."""
    assert (
        smallest_run_with_place(0.05), smallest_run_with_place(0.1),
        quota_places(0.1, SMALL_RUN), quota_places(0.05, SMALL_RUN)) == (20, 10, 1, 0)


def _rubric_with(item: Item, field: Field) -> Rubric:
    rubric = load_rubric(LINT / "clean.toml")
    fields = (*[f for f in rubric.fields if f.id != field.id], field)
    return attrs.evolve(rubric, fields=fields, indicators=(item,))


@pytest.mark.parametrize(
    ("rule_keys", "bounds", "expected"),
    [
        ({"rule": "scale", "target": 12.0}, (6.0, 24.0), (5.0, 10.0)),
        ({"rule": "scale", "target": 12.0}, (None, None), (0.0, 10.0)),
        ({"rule": "deduct", "per": 2.0}, (1.0, 3.0), (4.0, 8.0)),
        ({"rule": "count", "per": 2.0}, (1.0, 3.0), (2.0, 6.0)),
        ({"rule": "steps", "steps": ((1.0, 3.0), (4.0, 7.0), (9.0, 10.0))}, (2.0, 5.0),
         (3.0, 7.0)),
        ({"rule": "check", "op": ">", "value": 5.0}, (6.0, 9.0), (10.0, 10.0)),
        ({"rule": "check", "op": "==", "value": 5.0}, (5.0, 5.0), (10.0, 10.0)),
        ({"rule": "check", "op": "!=", "value": 5.0}, (0.0, 4.0), (10.0, 10.0)),
        ({"rule": "check", "op": "<", "value": 5.0}, (5.0, None), (0.0, 0.0)),
    ],
)
def test_point_range_follows_the_fields_bounds(
    rule_keys: dict[str, object], bounds: tuple[float | None, float | None],
    expected: tuple[float, float],
) -> None:
    """The least and most points an item can give, from the rule and the field's min and max."""
    field = Field(id="meetings", type="number", min=bounds[0], max=bounds[1])
    item = Item(kind="indicator", id="x", title="X", max=10.0, field="meetings",
                section="org", **rule_keys)  # type: ignore[arg-type]
    rubric = _rubric_with(item, field)
    assert expected == point_range(rubric, item)


def test_a_blank_counted_as_zero_can_always_fail_a_check() -> None:
    """Under missing = "zero" a blank fails every condition, so the check's points can change."""
    field = Field(id="meetings", type="number", min=6.0, missing="zero")
    item = Item(kind="indicator", id="x", title="X", max=10.0, field="meetings", section="org",
                rule="check", op=">=", value=5.0)
    rubric = _rubric_with(item, field)
    assert point_range(rubric, item) == (0.0, 10.0)


@settings(max_examples=60, deadline=None)
@given(runs())
def test_every_scored_point_lies_within_the_items_point_range(
    run: tuple[Rubric, Checklists],
) -> None:
    """With each field bounded by the values submitted, every point the scorer gives an item
    lies within the range the lint derives for it; the lint itself only ever warns."""
    rubric, checklists = run
    frame = checklists.frame
    bounded = []
    for field in rubric.fields:
        if field.type in ("int", "number") and frame[field.id].notna().any():
            values = frame[field.id].dropna()
            field = attrs.evolve(field, min=float(values.min()), max=float(values.max()))
        bounded.append(field)
    rubric = attrs.evolve(rubric, fields=tuple(bounded))
    try:
        scores = score(rubric, checklists)
    except ChecklistError:
        assume(False)
    outside = []
    for item in rubric.items:
        low, high = (round_points(np.array(point_range(rubric, item)), rubric.precision))
        points = scores.points[item.id].dropna().to_numpy()
        if ((points < low) | (points > high)).any():
            outside.append((item.id, item.rule, low, high, sorted(set(points.tolist()))))
    assert outside == []
    assert {issue.severity for issue in lint_rubric(rubric)} <= {"warning"}


def test_schema_2_lints_say_which_clause_and_which_runs() -> None:
    """A clause warning is at the clause's own line and key; the quota warning names the
    runs that are refused and why."""
    path = LINT / "s2-clause-never-costs.toml"
    issue = next(i for i in check_rubric_file(path) if i.code == "clause-never-costs")
    lines = path.read_text(encoding="utf-8").splitlines()
    assert (issue.key, lines[(issue.row or 0) - 1]) == ("indicator[1].clause[1]",
                                                        "[[indicator.clause]]")
    quota = next(i for i in check_rubric_file(LINT / "s2-quotas-cannot-hold.toml")
                 if i.code == "quotas-cannot-hold")
    assert quota.key == "grade[2].min_count"
    assert "a run of 1-2 branches is refused" in quota.message
    assert "a run of 3-30 branches is refused when every branch scores above 合格" in quota.message


def test_a_step_worth_more_than_its_item_is_bounded_by_the_max_as_scored() -> None:
    """A steps item of max 1 whose only step gives 2 scores 1 (points are clipped to
    0..max), so its range is [1, 1], never [2, 2]."""
    rubric = load_rubric(ROOT / "rubrics" / "street-2025-h1.toml")
    item = next(item for item in rubric.items if item.rule == "steps")
    capped = attrs.evolve(item, max=1.0, steps=((0.0, 2.0),))
    assert point_range(rubric, capped) == (1.0, 1.0)


@settings(max_examples=60, deadline=None)
@given(runs_2())
def test_every_scored_point_of_a_schema_2_item_lies_within_its_point_range(
    run: tuple[Rubric, Checklists],
) -> None:
    """Schema 2 (clauses, applies_if, direct, groups, weights): with each field bounded by the
    values submitted (and 0, which a blank under "zero" reads), every point the scorer gives
    lies within the lint's range, and every clause's cost within its cost range."""
    rubric, checklists = run
    frame = checklists.frame
    bounded = []
    for field in rubric.fields:
        if field.type in ("int", "number") and frame[field.id].notna().any():
            values = [*frame[field.id].dropna().astype(float).tolist(), 0.0]
            field = attrs.evolve(field, min=min(values), max=max(values))
        bounded.append(field)
    rubric = attrs.evolve(rubric, fields=tuple(bounded))
    try:
        scores = score(rubric, checklists)
    except ChecklistError:
        assume(False)
    outside = []
    for item in rubric.items:
        low, high = round_points(np.array(point_range(rubric, item)), rubric.precision)
        points = scores.points[item.id].dropna().to_numpy()
        if ((points < low) | (points > high)).any():
            outside.append((item.id, item.rule, low, high, sorted(set(points.tolist()))))
        for number, clause in enumerate(item.clauses, start=1):
            key = f"{item.id}#{number}"
            if key not in scores.clauses:
                continue
            least, most = round_points(np.array(clause_cost_range(rubric, clause)),
                                       rubric.precision)
            costs = scores.clauses[key].to_numpy()
            # a clause that did not apply costs 0, which its range need not hold
            if ((costs > most) | ((costs < least) & (costs != 0))).any():
                outside.append((key, clause.shape, least, most, sorted(set(costs.tolist()))))
    assert outside == []
    assert {issue.severity for issue in lint_rubric(rubric)} <= {"warning"}
