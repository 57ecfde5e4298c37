"""Ranking and grades: competition ranks, natural id order, exact boundaries, vetoes, quotas."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import pytest
from strategies import rubric_of

from inspect_score.rubric.model import Grade, Item, Rubric
from inspect_score.scoring.grading import natural_order, rank_and_grade
from inspect_score.scoring.plain import quota_places
from inspect_score.scoring.tables import Scores

STANDARD = (
    Grade("优秀", 90.0),
    Grade("良好", 80.0),
    Grade("合格", 60.0),
    Grade("不合格", 0.0),
)


def rubric_with(grades: Sequence[Grade] = STANDARD) -> Rubric:
    item = Item(kind="indicator", id="a", title="a", max=100.0, rule="count", field="x", per=1.0)
    return rubric_of([item], grades=tuple(grades))


def scores_of(
    totals: Sequence[float],
    ids: Sequence[str] | None = None,
    caps: Sequence[int] | None = None,
) -> Scores:
    """Scores with the given totals (base = total), ids B1.. and veto caps."""
    count = len(totals)
    ids = list(ids) if ids is not None else [f"B{i + 1}" for i in range(count)]
    caps = list(caps) if caps is not None else [0] * count
    branches = pd.DataFrame(
        {
            "branch_id": pd.Series(ids, dtype=object),
            "branch_name": pd.Series([f"{i}社区" for i in ids], dtype=object),
            "base": np.array(totals, dtype=float),
            "bonus": np.zeros(count),
            "penalty": np.zeros(count),
            "total": np.array(totals, dtype=float),
            "vetoed": pd.Series(["v" if cap else "" for cap in caps], dtype=object),
            "veto_cap": np.array(caps, dtype=np.int64),
        }
    )
    sections = pd.DataFrame({"main": np.array(totals, dtype=float)})
    return Scores(
        branches=branches,
        points=pd.DataFrame({"a": np.array(totals, dtype=float)}),
        sections=sections,
        vetoes=pd.DataFrame({"v": np.array(caps, dtype=bool)}),
        row_branch=pd.Series(np.arange(count), dtype=np.int64),
    )


def graded(
    totals: Sequence[float],
    grades: Sequence[Grade] = STANDARD,
    ids: Sequence[str] | None = None,
    caps: Sequence[int] | None = None,
) -> pd.DataFrame:
    return rank_and_grade(rubric_with(grades), scores_of(totals, ids, caps))


def test_ranking_columns_follow_the_results_contract() -> None:
    """Columns: rank .. vetoed, one per section, then position."""
    expected = [
        "rank",
        "branch_id",
        "branch_name",
        "total",
        "base",
        "bonus",
        "penalty",
        "grade",
        "grade_without_quota",
        "vetoed",
        "main",
        "position",
    ]
    assert expected == list(graded([50.0]).columns)


def test_equal_totals_share_a_rank_and_list_by_natural_id_order() -> None:
    """Competition ranking 1, 2, 2, 4; ties listed B2 before B10."""
    ranking = graded([70.0, 80.0, 80.0, 90.0], ids=["B3", "B10", "B2", "B1"])
    assert ranking["rank"].tolist() == [1, 2, 2, 4]
    assert ranking["branch_id"].tolist() == ["B1", "B2", "B10", "B3"]
    assert ranking["position"].tolist() == [3, 2, 1, 0]


def test_grade_boundaries_are_exact_on_rounded_totals() -> None:
    """90.00 is 优秀 but 89.99 is not; 80.00 良好; 60.00 合格; 59.99 不合格."""
    ranking = graded([90.0, 89.99, 80.0, 79.99, 60.0, 59.99, 0.0])
    expected = ["优秀", "良好", "良好", "合格", "合格", "不合格", "不合格"]
    assert expected == ranking["grade"].tolist()


def test_a_veto_caps_the_grade_but_not_the_rank() -> None:
    """A vetoed 95 keeps rank 1 and gets no better than its cap."""
    ranking = graded([95.0, 85.0], caps=[2, 0])
    assert ranking["branch_id"].tolist() == ["B1", "B2"]
    assert ranking["grade"].tolist() == ["合格", "良好"]
    assert ranking["grade_without_quota"].tolist() == ["合格", "良好"]


def test_quota_keeps_the_grade_for_the_best_ranked_in_order() -> None:
    """优秀 max_share 0.2 of 10 branches: two places; the third qualifier falls to 良好."""
    grades = (Grade("优秀", 90.0, max_share=0.2), *STANDARD[1:])
    ranking = graded([99, 98, 97, 50, 50, 50, 50, 50, 50, 50], grades=grades)
    assert ranking["grade"].tolist()[:3] == ["优秀", "优秀", "良好"]
    assert ranking["grade_without_quota"].tolist()[:3] == ["优秀", "优秀", "优秀"]


def test_branches_tied_at_the_cut_all_fall_and_the_places_stay_empty() -> None:
    """Quota 2 with totals 99, 95, 95: both 95s fall to 良好; the second place stays empty."""
    grades = (Grade("优秀", 90.0, max_share=0.2), *STANDARD[1:])
    totals = [99, 95, 95, 50, 50, 50, 50, 50, 50, 50]
    ranking = graded(totals, grades=grades)
    assert ranking["grade"].tolist()[:3] == ["优秀", "良好", "良好"]


def test_fallen_branches_compete_for_the_next_quota_in_turn() -> None:
    """Quota 1 for 优秀 and 1 for 良好 out of 5: 99 优秀, 95 良好, 92 and 85 fall to 合格."""
    grades = (
        Grade("优秀", 90.0, max_share=0.2),
        Grade("良好", 80.0, max_share=0.2),
        *STANDARD[2:],
    )
    ranking = graded([99, 95, 92, 85, 10], grades=grades)
    assert ranking["grade"].tolist() == ["优秀", "良好", "合格", "合格", "不合格"]


def test_a_vetoed_branch_counts_in_the_quota_base_but_takes_no_place() -> None:
    """5 branches, share 0.4: 2 places; the vetoed 99 is capped, so 95 and 93 keep 优秀."""
    grades = (Grade("优秀", 90.0, max_share=0.4), *STANDARD[1:])
    ranking = graded([99, 95, 93, 91, 10], grades=grades, caps=[1, 0, 0, 0, 0])
    assert ranking["grade"].tolist() == ["良好", "优秀", "优秀", "良好", "不合格"]


def test_quota_places_use_decimal_arithmetic() -> None:
    """floor(0.29 * 100) is 29 (binary floats say 28.999...)."""
    assert (quota_places(0.29, 100), quota_places(0.2, 4), quota_places(0.2, 15)) == (29, 0, 3)


def test_all_tied_share_rank_one_and_a_quota_too_small_grades_none_of_them() -> None:
    """Four branches tied at 95 with a quota of 2 places: all fall together to 良好."""
    grades = (Grade("优秀", 90.0, max_share=0.5), *STANDARD[1:])
    ranking = graded([95.0] * 4, grades=grades, ids=["B10", "B9", "B1", "B2"])
    assert ranking["rank"].tolist() == [1, 1, 1, 1]
    assert ranking["branch_id"].tolist() == ["B1", "B2", "B9", "B10"]
    assert ranking["grade"].tolist() == ["良好"] * 4


def test_no_branches_give_an_empty_ranking() -> None:
    """Zero branches: an empty ranking with every column."""
    ranking = graded([])
    assert len(ranking) == 0
    assert "grade" in ranking.columns


@pytest.mark.parametrize(
    ("texts", "expected"),
    [
        (["B10", "B2", "B1"], ["B1", "B2", "B10"]),
        (["SQ07", "SQ7", "SQ6"], ["SQ6", "SQ07", "SQ7"]),
        (["社区12", "社区3", "街道1"], ["社区3", "社区12", "街道1"]),
        (["x2y10", "x2y9", "x10"], ["x2y9", "x2y10", "x10"]),
        (["a", "a1", "a!"], ["a", "a1", "a!"]),
    ],
)
def test_natural_order_compares_digit_runs_by_value(texts: list[str], expected: list[str]) -> None:
    """Digit runs compare by value (B2 before B10); equal values by the id as written."""
    order = natural_order(np.array(texts, dtype=object))
    assert expected == [texts[i] for i in order]
