"""Schema 2 invariants on drawn rubrics: the vectorised path equals the row-by-row
oracle (points, clause costs, totals, ranks, grades, findings), and the properties
a rubric author relies on hold."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import attrs
import numpy as np
import oracle
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from strategies import runs_2

from inspect_score.checklists.table import Checklists
from inspect_score.errors import ChecklistError
from inspect_score.rubric.model import Rubric
from inspect_score.scoring.findings import find_problems
from inspect_score.scoring.grading import lower_places, rank_and_grade, upper_places
from inspect_score.scoring.score import clause_key, score

quick = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
thorough = settings(quick, max_examples=100)


def graded(rubric: Rubric, checklists: Checklists) -> tuple[Any, pd.DataFrame] | None:
    """Scores and ranking, or None where the run is refused (bad cells, nothing
    applicable, quotas that cannot hold)."""
    try:
        scores = score(rubric, checklists)
        return scores, rank_and_grade(rubric, scores)
    except ChecklistError as error:
        assert {issue.code for issue in error.issues} <= {
            "nothing-applicable", "direct-out-of-range", "group-not-one", "quota-conflict"}
        return None


def _float(value: Fraction | None) -> float:
    return float("nan") if value is None else float(value)


@thorough
@given(runs_2())
def test_schema2_vectorised_path_agrees_with_the_oracle(run: tuple[Rubric, Checklists]) -> None:
    """Every point, clause cost, section, total, rank, grade and finding equals the
    oracle's exact-arithmetic result; the same runs are refused."""
    rubric, checklists = run
    try:
        expected = oracle.rank_and_grade_rows_2(
            rubric, oracle.score_rows_2(rubric, checklists.frame))
    except (oracle.BadCell, oracle.NothingApplicable, oracle.QuotaConflict):
        with pytest.raises(ChecklistError):
            rank_and_grade(rubric, score(rubric, checklists))
        return
    scores = score(rubric, checklists)
    ranking = rank_and_grade(rubric, scores)
    expected_ranking = [
        (branch["rank"], branch["branch_id"], float(branch["total"]), float(branch["base"]),
         float(branch["bonus"]), float(branch["penalty"]), branch["grade"],
         branch["grade_without_quota"], branch["vetoed"])
        for branch in expected
    ]
    actual_ranking = [
        (None if pd.isna(row[0]) else int(row[0]), *row[1:])
        for row in ranking[["rank", "branch_id", "total", "base", "bonus", "penalty", "grade",
                            "grade_without_quota", "vetoed"]].itertuples(index=False, name=None)
    ]
    assert expected_ranking == actual_ranking
    by_id = {branch["branch_id"]: branch for branch in expected}
    ids = scores.branches["branch_id"].tolist()
    for item in rubric.items:
        np.testing.assert_array_equal(
            [_float(by_id[branch_id]["points"][item.id]) for branch_id in ids],
            scores.points[item.id].to_numpy())
        if item.kind == "bonus":
            continue
        for number in range(1, len(item.clauses) + 1):
            assert [float(by_id[branch_id]["clauses"][(item.id, number)]) for branch_id in ids] \
                == scores.clauses[clause_key(item.id, number)].tolist()
    for section in rubric.sections:
        assert [float(by_id[branch_id]["sections"][section.id]) for branch_id in ids] == \
            scores.sections[section.id].tolist()
    found = find_problems(rubric, checklists, scores, ranking)
    actual_findings = [
        (branch, kind, item, None if pd.isna(clause) else int(clause),
         None if np.isnan(lost) else lost)
        for branch, kind, item, clause, lost in found[
            ["branch_id", "kind", "item_id", "clause", "lost"]].itertuples(index=False, name=None)
    ]
    expected_findings = [(branch, kind, item, clause, None if lost is None else float(lost))
                         for branch, kind, item, clause, lost in
                         oracle.findings_rows_2(rubric, expected)]
    assert expected_findings == actual_findings
    assert (found["problem"].astype(str) != "").all()


@quick
@given(runs_2())
def test_a_clause_item_stays_within_zero_and_its_max(run: tuple[Rubric, Checklists]) -> None:
    """Whatever its clauses cost, a clauses item's points lie in 0..max."""
    result = graded(*run)
    if result is None:
        return
    for item in run[0].items:
        points = result[0].points[item.id].dropna()
        assert ((points >= 0) & (points <= item.max)).all()


def _totals(rubric: Rubric, checklists: Checklists) -> pd.Series | None:
    try:
        scores = score(rubric, checklists)
    except ChecklistError:
        return None
    return scores.branches.set_index("branch_id")["total"]


@quick
@given(runs_2())
def test_fixing_a_fault_never_lowers_a_total(run: tuple[Rubric, Checklists]) -> None:
    """A clause of an indicator or penalty made to cost nothing (every branch fixed
    that fault) never lowers any branch's total."""
    rubric, checklists = run
    before = _totals(rubric, checklists)
    if before is None:
        return
    for kind in ("indicators", "penalties"):
        items = list(getattr(rubric, kind))
        for index, item in enumerate(items):
            for number, clause in enumerate(item.clauses):
                fixed = attrs.evolve(clause, points=0.0, per=0.0)
                changed = list(item.clauses)
                changed[number] = fixed
                items_fixed = list(items)
                items_fixed[index] = attrs.evolve(item, clauses=tuple(changed))
                after = _totals(attrs.evolve(rubric, **{kind: tuple(items_fixed)}), checklists)
                assert after is not None
                assert (after >= before).all()


@quick
@given(runs_2())
def test_otherwise_full_never_lowers_a_total_against_leaving_the_item_out(
        run: tuple[Rubric, Checklists]) -> None:
    """An indicator that does not apply and scores full (otherwise = "full") gives
    every branch a total at least that of leaving it out (otherwise = "na", rescaled)."""
    rubric, checklists = run
    for index, item in enumerate(rubric.indicators):
        if item.applies_if is None or item.group is not None:
            continue
        totals = []
        for otherwise in ("full", "na"):
            indicators = list(rubric.indicators)
            indicators[index] = attrs.evolve(item, otherwise=otherwise)
            totals.append(_totals(attrs.evolve(rubric, indicators=tuple(indicators)),
                                  checklists))
        if totals[0] is None or totals[1] is None:
            continue
        assert (totals[0] >= totals[1]).all()


@quick
@given(runs_2())
def test_quotas_hold_and_excluded_branches_take_no_place(
        run: tuple[Rubric, Checklists]) -> None:
    """Excluded branches are last, unranked, with their label; upper and lower quotas,
    counted over ranked branches only, hold whenever the run is not refused."""
    rubric, checklists = run
    result = graded(rubric, checklists)
    if result is None:
        return
    scores, ranking = result
    excluded = set(scores.branches.loc[scores.branches["excluded"], "branch_id"])
    tail = ranking.tail(len(excluded))
    assert set(tail["branch_id"]) == excluded
    assert tail["rank"].isna().all()
    assert (tail["grade"] == "取消资格").all()
    ranked = ranking.head(len(ranking) - len(excluded))
    count = len(ranked)
    names = [grade.name for grade in rubric.grades]
    index = ranked["grade"].map({name: i for i, name in enumerate(names)})
    for position, grade in enumerate(rubric.grades):
        most = upper_places(grade, count)
        if most is not None:
            assert (index == position).sum() <= most
        least = lower_places(grade, count)
        if least is not None:
            assert (index >= position).sum() >= least
