"""Invariants of scoring and grading, checked on drawn rubrics and checklists."""

from __future__ import annotations

from typing import Any

import numpy as np
import oracle
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import checklists_for, make_checklists, rubrics, runs, runs_2

from inspect_score.checklists.table import Checklists
from inspect_score.errors import ChecklistError
from inspect_score.rubric.model import Rubric
from inspect_score.scoring.grading import natural_order, rank_and_grade
from inspect_score.scoring.score import item_scores, score
from inspect_score.scoring.tables import Scores

quick = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
#: the oracle comparison is the strongest check: it gets more examples
thorough = settings(quick, max_examples=150)


def scored(rubric: Rubric, checklists: Checklists) -> tuple[Scores, pd.DataFrame] | None:
    """Score and rank, or None where some branch has nothing applicable."""
    try:
        scores = score(rubric, checklists)
    except ChecklistError as error:
        assert {issue.code for issue in error.issues} == {"nothing-applicable"}
        return None
    return scores, rank_and_grade(rubric, scores)


@thorough
@given(runs())
def test_vectorised_scorer_and_grader_agree_with_the_row_by_row_oracle(
    run: tuple[Rubric, Checklists],
) -> None:
    """Every point, total, rank and grade equals the oracle's exact-arithmetic result."""
    rubric, checklists = run
    try:
        expected = oracle.rank_and_grade_rows(rubric, oracle.score_rows(rubric, checklists.frame))
    except oracle.NothingApplicable as refusal:
        with pytest.raises(ChecklistError) as raised:
            score(rubric, checklists)
        assert all(issue.code == "nothing-applicable" for issue in raised.value.issues)
        assert len(raised.value.issues) == len(refusal.branch_ids)
        return
    scores = score(rubric, checklists)
    ranking = rank_and_grade(rubric, scores)

    def as_float(value: Any) -> float:
        return float("nan") if value is None else float(value)

    expected_ranking = [
        (
            branch["rank"],
            branch["branch_id"],
            float(branch["total"]),
            float(branch["base"]),
            float(branch["bonus"]),
            float(branch["penalty"]),
            branch["grade"],
            branch["grade_without_quota"],
            branch["vetoed"],
        )
        for branch in expected
    ]
    actual_ranking = list(
        ranking[
            [
                "rank",
                "branch_id",
                "total",
                "base",
                "bonus",
                "penalty",
                "grade",
                "grade_without_quota",
                "vetoed",
            ]
        ].itertuples(index=False, name=None)
    )
    assert expected_ranking == actual_ranking

    by_id = {branch["branch_id"]: branch for branch in expected}
    ids = scores.branches["branch_id"].tolist()
    for item in rubric.items:
        expected_points = [as_float(by_id[branch_id]["points"][item.id]) for branch_id in ids]
        np.testing.assert_array_equal(expected_points, scores.points[item.id].to_numpy())
    for section in rubric.sections:
        expected_sections = [float(by_id[branch_id]["sections"][section.id]) for branch_id in ids]
        assert expected_sections == scores.sections[section.id].tolist()


@quick
@given(runs())
def test_points_stay_within_zero_and_the_items_max(run: tuple[Rubric, Checklists]) -> None:
    """Every item's points lie in 0..max; totals are never negative."""
    result = scored(*run)
    if result is None:
        return
    scores, _ = result
    rubric = run[0]
    for item in rubric.items:
        points = scores.points[item.id].dropna()
        assert ((points >= 0) & (points <= item.max)).all()
    assert (scores.branches["total"] >= 0).all()


@quick
@given(st.one_of(runs(), runs_2()))
def test_one_item_scored_alone_on_its_fields_gets_the_points_score_gives_it(
    run: tuple[Rubric, Checklists],
) -> None:
    """item_scores, given only the branch ids and the fields an item reads (its rule's,
    its applies_if's and its clauses' applies_if's), gives the item's points per branch
    exactly as score does: raters, blanks, rounding."""
    rubric, checklists = run
    try:
        scores = score(rubric, checklists)
    except ChecklistError:
        return  # nothing applicable, or a group of alternatives not one
    for item in rubric.items:
        fields = [*item.input_fields, *item.condition_fields]
        alone = checklists.frame[["branch_id", *dict.fromkeys(fields)]]
        expected = scores.points[item.id].to_numpy()
        np.testing.assert_array_equal(expected, item_scores(rubric, item, alone))


@quick
@given(runs(), st.randoms(use_true_random=False))
def test_ranking_and_grades_do_not_depend_on_row_order(
    run: tuple[Rubric, Checklists], random: Any
) -> None:
    """Shuffling the checklist rows changes neither the ranking nor any grade."""
    rubric, checklists = run
    result = scored(rubric, checklists)
    if result is None:
        return
    order = list(range(len(checklists.frame)))
    random.shuffle(order)
    shuffled_frame = checklists.frame.iloc[order].reset_index(drop=True)
    shuffled = Checklists(
        frame=shuffled_frame, sources=checklists.sources, has_rater=checklists.has_rater
    )
    shuffled_result = scored(rubric, shuffled)
    assert shuffled_result is not None
    columns = ["rank", "branch_id", "total", "grade", "grade_without_quota", "vetoed"]
    pd.testing.assert_frame_equal(result[1][columns], shuffled_result[1][columns])


@quick
@given(runs())
def test_a_lower_total_never_gets_a_better_grade(run: tuple[Rubric, Checklists]) -> None:
    """Down the ranking, unvetoed grades never improve; tied totals share rank and grade."""
    result = scored(*run)
    if result is None:
        return
    rubric, ranking = run[0], result[1]
    grade_index = ranking["grade"].map({grade.name: i for i, grade in enumerate(rubric.grades)})
    unvetoed = ranking["vetoed"] == ""
    worst_so_far = -1
    for index, vetoed_free in zip(grade_index, unvetoed, strict=True):
        if vetoed_free:
            assert index >= worst_so_far
            worst_so_far = index
    for _, tied in ranking.groupby("total"):
        assert tied["rank"].nunique() == 1
        assert tied.loc[tied["vetoed"] == "", "grade"].nunique() <= 1


@quick
@given(runs())
def test_no_grade_goes_to_more_branches_than_its_quota(run: tuple[Rubric, Checklists]) -> None:
    """A grade with max_share holds at most floor(share * branches) branches."""
    result = scored(*run)
    if result is None:
        return
    rubric, ranking = run[0], result[1]
    for grade in rubric.grades:
        if grade.max_share is not None:
            places = int(oracle.exact(grade.max_share) * len(ranking))
            assert (ranking["grade"] == grade.name).sum() <= places


@settings(max_examples=60, deadline=None)
@given(rubrics(), st.data())
def test_points_are_monotonic_in_the_value_where_the_rule_is(rubric: Rubric, data: Any) -> None:
    """More units never lose points under scale and count, never gain under deduct,
    and never lose under steps whose points ascend."""
    checklists = data.draw(checklists_for(rubric, min_branches=1, max_branches=1))
    record = checklists.frame.iloc[0].to_dict()
    for item in rubric.items:
        if item.rule not in ("scale", "count", "deduct", "steps") or item.field is None:
            continue
        step_points = [points for _, points in item.steps]
        if item.rule == "steps" and step_points != sorted(step_points):
            continue
        values = sorted(data.draw(st.lists(st.integers(-5, 40), min_size=2, max_size=6)))
        records = []
        for number, value in enumerate(values):
            row = {key: (None if _blank(v) else v) for key, v in record.items()}
            row.update(branch_id=f"B{number}", rater="")
            row[item.field] = float(value)
            if item.target_field is not None:
                row[item.target_field] = 10.0
            records.append(row)
        frame_checklists = make_checklists(rubric, records)
        try:
            points = score(rubric, frame_checklists).points[item.id].to_numpy()
        except ChecklistError:
            continue
        steps = np.diff(points)
        if item.rule == "deduct":
            assert (steps <= 0).all()
        else:
            assert (steps >= 0).all()


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value))


@settings(max_examples=80, deadline=None)
@given(
    st.lists(
        st.text(alphabet="AB01_9x", min_size=0, max_size=6), min_size=1, max_size=30, unique=True
    )
)
def test_natural_order_matches_natsort(texts: list[str]) -> None:
    """Branch ids sort as natsort sorts them (B2 before B10), ties broken by the id as written."""
    expected = sorted(texts, key=lambda text: (oracle._natural(text), text))
    order = natural_order(np.array(texts, dtype=object))
    actual = [texts[i] for i in order]
    assert expected == actual


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 999), st.integers(0, 99)), min_size=1, max_size=30,
             unique=True).map(lambda pairs: [f"SQ{a:03d}-{b:02d}" for a, b in pairs])
)
def test_natural_order_of_ids_of_one_pattern_matches_natsort(texts: list[str]) -> None:
    """Ids of one length with digits in the same places (the fast path) sort as natsort sorts
    them too; so do the same ids with one made longer (the general path)."""
    for ids in (texts, [*texts[:-1], texts[-1] + "0"]):
        expected = sorted(ids, key=lambda text: (oracle._natural(text), text))
        order = natural_order(np.array(ids, dtype=object))
        assert expected == [ids[i] for i in order]
