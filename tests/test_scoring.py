"""Scoring: every rule, missing policy and rater method, by example."""

from __future__ import annotations

from typing import Any

import pytest
from strategies import make_checklists, rubric_of

from inspect_score.errors import ChecklistError
from inspect_score.rubric.model import Field, Item, Rubric, Veto
from inspect_score.scoring.score import score
from inspect_score.scoring.tables import Scores


def indicator(item_id: str, rule: str, top: float, **params: Any) -> Item:
    return Item(kind="indicator", id=item_id, title=item_id, max=top, rule=rule, **params)  # type: ignore[arg-type]


def scored(rubric: Rubric, *rows: dict[str, Any], has_rater: bool = False) -> Scores:
    records = [
        {"branch_id": f"B{number}", "branch_name": f"第{number}", **row}
        for number, row in enumerate(rows, start=1)
    ]
    if has_rater:
        records = [{**record, "branch_id": "B1"} for record in records]
    return score(rubric, make_checklists(rubric, records, has_rater=has_rater))


def points_of(rubric: Rubric, item_id: str, field: str, values: list[Any]) -> list[float]:
    return scored(rubric, *({field: value} for value in values)).points[item_id].tolist()


def test_check_gives_max_when_the_condition_holds() -> None:
    """check: ``field op value`` gives max, otherwise 0."""
    rubric = rubric_of([indicator("a", "check", 6, field="x", op=">=", value=1.0)])
    assert points_of(rubric, "a", "x", [0, 1, 3]) == [0.0, 6.0, 6.0]


def test_check_on_a_bool_defaults_to_true() -> None:
    """check on a bool field: == true by default."""
    fields = (Field(id="ok", type="bool"),)
    rubric = rubric_of([indicator("a", "check", 6, field="ok")], fields=fields)
    assert points_of(rubric, "a", "ok", [1.0, 0.0]) == [6.0, 0.0]


def test_check_on_a_choice_compares_the_chosen_text() -> None:
    """check on a choice field with != compares the chosen value."""
    fields = (Field(id="files", type="choice", choices=("齐全", "不齐全")),)
    item = indicator("a", "check", 4, field="files", op="!=", value="不齐全")
    rubric = rubric_of([item], fields=fields)
    assert points_of(rubric, "a", "files", ["齐全", "不齐全"]) == [4.0, 0.0]


def test_scale_is_proportional_and_capped_at_the_target() -> None:
    """scale: max * min(value / target, 1), never below 0."""
    rubric = rubric_of([indicator("a", "scale", 15, field="x", target=12.0)])
    assert points_of(rubric, "a", "x", [0, 10, 12, 20, -3]) == [0.0, 12.5, 15.0, 15.0, 0.0]


def test_scale_reads_each_branchs_own_target_and_a_target_of_zero_gives_max() -> None:
    """scale with target_field: per-branch targets; a target of 0 or less gives max."""
    rubric = rubric_of([indicator("a", "scale", 10, field="held", target_field="required")])
    scores = scored(
        rubric,
        {"held": 3, "required": 4},
        {"held": 0, "required": 0},
        {"held": 1, "required": -2},
    )
    assert scores.points["a"].tolist() == [7.5, 10.0, 10.0]


def test_deduct_takes_per_fault_down_to_zero() -> None:
    """deduct: max - per * value, floored at 0 (扣完为止)."""
    rubric = rubric_of([indicator("a", "deduct", 8, field="x", per=0.5)])
    assert points_of(rubric, "a", "x", [0, 3, 40]) == [8.0, 6.5, 0.0]


def test_steps_gives_the_points_of_the_highest_threshold_reached() -> None:
    """steps: 0 below the first threshold, then the points of the highest one reached."""
    item = indicator("a", "steps", 8, field="x", steps=((1.0, 3.0), (2.0, 5.0), (3.0, 8.0)))
    rubric = rubric_of([item])
    assert points_of(rubric, "a", "x", [0, 1, 2, 2.5, 3, 9]) == [0.0, 3.0, 5.0, 5.0, 8.0, 8.0]


def test_steps_may_fall_for_a_stepped_deduction() -> None:
    """steps with falling points: 缺席一次扣3分，两次扣5分，三次以上不得分."""
    steps = ((0.0, 10.0), (1.0, 7.0), (2.0, 5.0), (3.0, 0.0))
    rubric = rubric_of([indicator("a", "steps", 10, field="x", steps=steps)])
    assert points_of(rubric, "a", "x", [0, 1, 2, 3, 7]) == [10.0, 7.0, 5.0, 0.0, 0.0]


def test_choice_gives_the_points_of_the_chosen_value() -> None:
    """choice: the points listed for the chosen value."""
    fields = (Field(id="files", type="choice", choices=("齐全", "基本齐全", "不齐全")),)
    points = (("齐全", 10.0), ("基本齐全", 6.0), ("不齐全", 0.0))
    rubric = rubric_of([indicator("a", "choice", 10, field="files", points=points)], fields=fields)
    assert points_of(rubric, "a", "files", ["齐全", "基本齐全", "不齐全"]) == [10.0, 6.0, 0.0]


def test_share_counts_true_fields_and_rounds_half_up() -> None:
    """share: max * true / fields; 10 * 2/3 = 6.666... gives 6.67."""
    item = indicator("a", "share", 10, fields=("r1", "r2", "r3"))
    rubric = rubric_of([item])
    scores = scored(rubric, {"r1": 1.0, "r2": 1.0, "r3": 0.0}, {"r1": 1.0, "r2": 1.0, "r3": 1.0})
    assert scores.points["a"].tolist() == [6.67, 10.0]


def test_count_adds_per_unit_up_to_max() -> None:
    """count: min(per * value, max), never below 0."""
    rubric = rubric_of([indicator("a", "count", 3, field="x", per=1.0)])
    assert points_of(rubric, "a", "x", [0, 2, 7, -1]) == [0.0, 2.0, 3.0, 0.0]


def test_points_round_as_decimal_arithmetic_would() -> None:
    """10.7 / 4 * 1 = 2.675 gives 2.68, not the binary 2.67."""
    rubric = rubric_of([indicator("a", "scale", 10.7, field="x", target=4.0)])
    assert points_of(rubric, "a", "x", [1]) == [2.68]


def test_zero_policy_counts_a_blank_as_zero_but_no_condition_holds() -> None:
    """missing = zero: deduct gives full marks, count 0, a check on the blank never holds."""
    items = [
        indicator("d", "deduct", 5, field="faults", per=1.0),
        indicator("c", "count", 3, field="events", per=1.0),
        indicator("k", "check", 2, field="events", op="<", value=1.0),
    ]
    rubric = rubric_of(items, missing="zero")
    scores = scored(rubric, {"faults": None, "events": None})
    assert scores.points.iloc[0].to_dict() == {"d": 5.0, "c": 0.0, "k": 0.0}
    assert scores.branches["base"].tolist() == [5.0]


def test_zero_policy_gives_no_points_for_a_blank_choice() -> None:
    """missing = zero on a choice: no points."""
    fields = (Field(id="files", type="choice", choices=("齐全", "不齐全"), missing="zero"),)
    points = (("齐全", 4.0), ("不齐全", 1.0))
    item = indicator("a", "choice", 4, field="files", points=points)
    rubric = rubric_of([item], fields=fields)
    assert points_of(rubric, "a", "files", [None]) == [0.0]


def test_na_policy_rescales_base_over_applicable_indicators() -> None:
    """missing = na: base = total * earned / applicable max, rounded; sections keep raw points."""
    items = [
        indicator("a", "count", 6, field="x", per=1.0),
        indicator("b", "count", 4, field="y", per=1.0),
        indicator("c", "count", 5, field="z", per=1.0),
    ]
    rubric = rubric_of(items, missing="na")
    scores = scored(rubric, {"x": 4, "y": None, "z": 3})
    # 15 * (4 + 3) / (6 + 5) = 9.5454... gives 9.55
    assert scores.branches["base"].tolist() == [9.55]
    assert scores.sections["main"].tolist() == [7.0]
    assert scores.points["b"].isna().all()


def test_na_share_counts_over_the_fields_that_apply() -> None:
    """A share counts over its fields that apply and is n/a only when none does."""
    item = indicator("a", "share", 6, fields=("r1", "r2", "r3"))
    other = indicator("o", "count", 4, field="x", per=1.0)
    rubric = rubric_of([item, other], missing="na")
    scores = scored(
        rubric,
        {"r1": 1.0, "r2": None, "r3": 0.0, "x": 4},
        {"r1": None, "r2": None, "r3": None, "x": 4},
    )
    assert scores.points["a"].iloc[0] == 3.0
    assert scores.points["a"].isna().iloc[1]
    # all of the second branch's applicable points earned: 10 * 4 / 4
    assert scores.branches["base"].tolist() == [7.0, 10.0]


def test_a_branch_with_nothing_applicable_is_an_input_error() -> None:
    """Every branch whose indicators are all n/a is listed, with file and row."""
    rubric = rubric_of([indicator("a", "count", 3, field="x", per=1.0)], missing="na")
    with pytest.raises(ChecklistError) as raised:
        scored(rubric, {"x": None}, {"x": 1}, {"x": None})
    expected = [
        ("nothing-applicable", "in.csv", 2, None),
        ("nothing-applicable", "in.csv", 4, None),
    ]
    actual = [(i.code, i.path, i.row, i.column) for i in raised.value.issues]
    assert expected == actual


def test_a_blank_under_error_is_refused() -> None:
    """missing = error: a blank that reaches the scorer is refused with its row and column."""
    fields = (Field(id="x", type="number", label="次数"),)
    rubric = rubric_of([indicator("a", "count", 3, field="x", per=1.0)], fields=fields)
    with pytest.raises(ChecklistError) as raised:
        scored(rubric, {"x": 1}, {"x": None})
    actual = [(i.code, i.path, i.row, i.column) for i in raised.value.issues]
    assert actual == [("missing-value", "in.csv", 3, "次数")]


def test_bonus_is_capped_and_penalty_subtracted() -> None:
    """total = base + min(bonus, cap) - penalty."""
    bonus = (
        Item(kind="bonus", id="aw", title="表彰", max=3, rule="count", field="awards", per=2.0),
        Item(kind="bonus", id="md", title="报道", max=3, rule="count", field="media", per=1.0),
    )
    penalty = (
        Item(kind="penalty", id="pc", title="处分", max=10, rule="count", field="cases", per=5.0),
    )
    rubric = rubric_of(
        [indicator("a", "count", 90, field="x", per=1.0)],
        bonuses=bonus,
        penalties=penalty,
        bonus_cap=5.0,
    )
    scores = scored(rubric, {"x": 80, "awards": 2, "media": 3, "cases": 1})
    expected = {"base": 80.0, "bonus": 5.0, "penalty": 5.0, "total": 80.0}
    assert expected == scores.branches[["base", "bonus", "penalty", "total"]].iloc[0].to_dict()


def test_total_never_falls_below_zero() -> None:
    """A penalty larger than base leaves a total of 0."""
    penalty = (
        Item(kind="penalty", id="pc", title="处分", max=10, rule="count", field="cases", per=5.0),
    )
    rubric = rubric_of([indicator("a", "count", 10, field="x", per=1.0)], penalties=penalty)
    scores = scored(rubric, {"x": 3, "cases": 2})
    assert scores.branches["total"].tolist() == [0.0]
    assert scores.branches["penalty"].tolist() == [10.0]


def test_vetoes_are_listed_in_rubric_order_and_cap_the_grade() -> None:
    """Triggered vetoes join with ";" in rubric order; the cap is the worst grade they allow."""
    vetoes = (
        Veto(id="serious", title="严重违纪", field="s", op="==", value=1.0, grade="不合格"),
        Veto(id="low", title="满意度低", field="sat", op="<", value=60.0, grade="合格"),
    )
    rubric = rubric_of([indicator("a", "count", 10, field="x", per=1.0)], vetoes=vetoes)
    scores = scored(
        rubric,
        {"x": 1, "s": 1, "sat": 50},
        {"x": 1, "s": 0, "sat": 50},
        {"x": 1, "s": 0, "sat": 90},
    )
    assert scores.branches["vetoed"].tolist() == ["serious;low", "low", ""]
    assert scores.branches["veto_cap"].tolist() == [2, 1, 0]
    assert scores.vetoes["serious"].tolist() == [True, False, False]


def test_a_blank_veto_field_never_triggers() -> None:
    """A veto on a blank value does not hold, even with != under zero."""
    vetoes = (Veto(id="v", title="否决", field="s", op="!=", value=1.0, grade="合格"),)
    rubric = rubric_of(
        [indicator("a", "count", 10, field="x", per=1.0)], vetoes=vetoes, missing="zero"
    )
    assert scored(rubric, {"x": 1, "s": None}).branches["vetoed"].tolist() == [""]


def raters_rubric(method: str, trim: int = 1) -> Rubric:
    return rubric_of(
        [indicator("a", "count", 10, field="x", per=1.0)], raters=method, trim=trim, missing="na"
    )


@pytest.mark.parametrize(
    ("method", "trim", "values", "expected"),
    [
        ("mean", 1, [7, 8, 10], 8.33),
        ("median", 1, [7, 8, 10], 8.0),
        ("median", 1, [7, 8, 9, 10], 8.5),
        ("trimmed_mean", 1, [2, 7, 8, 10], 7.5),
        ("trimmed_mean", 1, [2, 7], 4.5),
        ("trimmed_mean", 1, [2, 7, 9], 7.0),
        ("trimmed_mean", 2, [1, 2, 7, 9], 4.75),
        ("mean", 1, [7, None, 8], 7.5),
    ],
)
def test_raters_points_combine_by_the_rubrics_method(
    method: str, trim: int, values: list[Any], expected: float
) -> None:
    """mean, median, trimmed_mean (mean with 2 * trim rows or fewer), over rows where it applies."""
    scores = scored(
        raters_rubric(method, trim),
        *({"x": value, "rater": f"R{i}"} for i, value in enumerate(values)),
        has_rater=True,
    )
    assert [expected] == scores.points["a"].tolist()
    assert scores.row_branch.tolist()[:2] == [0, 0]


def test_raters_points_are_rounded_per_row_then_again() -> None:
    """Each rater's points are rounded first: 2.675 gives 2.68; mean(2.68, 2.67) gives 2.68."""
    rubric = rubric_of([indicator("a", "scale", 10.7, field="x", target=4.0)], raters="mean")
    scores = scored(
        rubric,
        {"x": 1, "rater": "R1"},
        {"x": 0.998, "rater": "R2"},  # 2.66966... gives 2.67
        has_rater=True,
    )
    assert scores.points["a"].tolist() == [2.68]


def test_branches_keep_order_of_first_appearance_and_the_first_rows_name() -> None:
    """Branches are numbered by first appearance; row_branch maps rows to them."""
    rubric = raters_rubric("mean")
    records = [
        {"branch_id": "B2", "branch_name": "二", "x": 1},
        {"branch_id": "B1", "branch_name": "一", "x": 2},
        {"branch_id": "B2", "branch_name": "二号", "x": 3},
    ]
    scores = score(rubric, make_checklists(rubric, records, has_rater=True))
    assert scores.branches["branch_id"].tolist() == ["B2", "B1"]
    assert scores.branches["branch_name"].tolist() == ["二", "一"]
    assert scores.row_branch.tolist() == [0, 1, 0]
    assert scores.points["a"].tolist() == [2.0, 2.0]


def test_a_veto_holds_if_any_rater_triggers_it() -> None:
    """One rater's row triggering a veto vetoes the branch."""
    vetoes = (Veto(id="v", title="否决", field="s", op="==", value=1.0, grade="合格"),)
    rubric = rubric_of([indicator("a", "count", 10, field="x", per=1.0)], vetoes=vetoes)
    scores = scored(rubric, {"x": 1, "s": 0}, {"x": 1, "s": 1}, has_rater=True)
    assert scores.branches["vetoed"].tolist() == ["v"]


def test_no_rows_give_empty_scores() -> None:
    """An empty checklist table scores no branch (the loader refuses real empties first)."""
    rubric = raters_rubric("mean")
    scores = score(rubric, make_checklists(rubric, []))
    assert len(scores.branches) == 0
    assert list(scores.points.columns) == ["a"]


def test_a_column_absent_from_the_checklist_is_blank_in_every_row() -> None:
    """A field the frame lacks follows its policy as blanks: zero gives 0 points, na n/a."""
    items = [
        indicator("a", "count", 4, field="x", per=1.0),
        indicator("b", "count", 6, field="y", per=1.0),
    ]
    fields = (Field(id="x", type="number", missing="zero"), Field(id="y", type="number"))
    rubric = rubric_of(items, fields=fields, missing="na")
    checklists = make_checklists(rubric, [{"branch_id": "B1", "y": 3}])
    frame = checklists.frame.drop(columns=["x"])
    scores = score(rubric, type(checklists)(frame=frame, sources=checklists.sources))
    assert scores.points["a"].tolist() == [0.0]
    assert scores.branches["base"].tolist() == [3.0]


def test_a_blank_target_field_under_na_makes_the_scale_not_applicable() -> None:
    """scale reads its target_field too: a blank target under na means n/a, rescaled away."""
    items = [
        indicator("a", "scale", 10, field="held", target_field="required"),
        indicator("b", "count", 10, field="x", per=1.0),
    ]
    rubric = rubric_of(items, missing="na")
    scores = scored(rubric, {"held": 3, "required": None, "x": 4})
    assert scores.points["a"].isna().all()
    # 20 * 4 / 10
    assert scores.branches["base"].tolist() == [8.0]


def test_scoring_no_branch_is_an_input_error() -> None:
    """evaluate() on checklists without a row (made otherwise than by loading, which refuses
    them too) raises no-branches instead of returning an empty run."""
    from sample_run import sample_checklists, sample_rubric

    from inspect_score.errors import ChecklistError
    from inspect_score.scoring.pipeline import evaluate

    checklists = sample_checklists()
    empty = type(checklists)(frame=checklists.frame.iloc[:0], sources=checklists.sources)
    with pytest.raises(ChecklistError) as raised:
        evaluate(sample_rubric(), empty)
    assert [issue.code for issue in raised.value.issues] == ["no-branches"]
