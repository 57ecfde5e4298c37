"""Every branch's path to the next grade at once: the same paths as one branch at a time."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import next_grade_oracle as oracle
import pytest
from hypothesis import HealthCheck, event, given, reject, settings
from hypothesis import strategies as st
from strategies import runs

from inspect_score.checklists.load import load_checklists
from inspect_score.checklists.table import Checklists
from inspect_score.errors import ChecklistError
from inspect_score.rubric.loader import load_rubric
from inspect_score.rubric.model import Rubric
from inspect_score.scoring.pipeline import evaluate
from inspect_score.scoring.score import score
from inspect_score.selfcheck import next_grade, trials
from inspect_score.selfcheck.explain import explain_all
from inspect_score.selfcheck.next_grade import (
    cleared_value,
    path_to_next_grade,
    paths_to_next_grade,
)

ROOT = Path(__file__).resolve().parent.parent
STREET = ROOT / "rubrics" / "street-2025-h1.toml"
SAMPLE = ROOT / "samples" / "街道社区2025上半年.csv"


@contextlib.contextmanager
def budgets(combinations: int, rows: int) -> Iterator[None]:
    """The same combination budget for both searches, and batches of at most ``rows``."""
    with mock.patch.object(next_grade, "MAX_COMBINATIONS", combinations), \
            mock.patch.object(oracle, "MAX_COMBINATIONS", combinations), \
            mock.patch.object(trials, "MAX_ROWS", rows):
        yield


def one_by_one(rubric: Rubric, checklists: Checklists, branch_ids: list[str],
               held: dict[str, str]) -> dict[str, next_grade.Path]:
    return {branch_id: oracle.path_to_next_grade(rubric, checklists, branch_id,
                                                 held.get(branch_id))
            for branch_id in branch_ids}


@st.composite
def runs_held(draw: st.DrawFn) -> tuple[Rubric, Checklists, dict[str, str]]:
    """A run, and for some branches a grade held after quotas (any grade: one above the
    grade earned counts as the grade earned)."""
    rubric, checklists = draw(runs(max_branches=4))
    names = [grade.name for grade in rubric.grades]
    held = {}
    for branch_id in dict.fromkeys(checklists.frame["branch_id"].tolist()):
        if draw(st.booleans()):
            held[branch_id] = draw(st.sampled_from(names))
    return rubric, checklists, held


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(runs_held(), st.sampled_from((40_000, 40_000, 20, 3)), st.sampled_from((2_000_000, 7)))
def test_all_branches_at_once_give_the_paths_found_one_branch_at_a_time(
    run: tuple[Rubric, Checklists, dict[str, str]], combinations: int, rows: int,
) -> None:
    """Whatever the rubric (raters, n/a and zero blanks, shared fields, share items,
    penalties, vetoes) and the grades held after quotas, the batched search returns,
    for every branch, the very path the per-branch search finds: the same fixes,
    values, points, new total, blocking vetoes and quota-only verdict. With a small
    combination budget (best levels only) and in small batches alike."""
    rubric, checklists, held = run
    try:
        score(rubric, checklists)
    except ChecklistError:
        reject()  # drawn checklists that cannot be scored (nothing applicable)
    branch_ids = list(dict.fromkeys(checklists.frame["branch_id"].tolist()))
    with budgets(combinations, rows):
        expected = one_by_one(rubric, checklists, branch_ids, held)
        actual = paths_to_next_grade(rubric, checklists, branch_ids, held)
    for path in expected.values():
        event("fixes" if path.fixes else "quota only" if path.quota_only
              else "vetoed" if path.blocking_vetoes else "top" if path.target is None
              else "no path")
        event(f"{len(path.fixes)} items fixed")
    assert expected == actual


def test_the_sample_branches_get_the_paths_found_one_at_a_time() -> None:
    """Every branch of the bundled sample, after quotas: tops, quota-held, vetoed, one and
    two fixes, a percentage refined by bisection."""
    rubric = load_rubric(STREET)
    checklists = load_checklists(rubric, [SAMPLE])
    branch_ids = list(dict.fromkeys(checklists.frame["branch_id"].tolist()))
    held = {"SQ05": "不合格", "SQ08": "合格", "SQ02": "良好"}
    expected = one_by_one(rubric, checklists, branch_ids, held)
    assert expected == paths_to_next_grade(rubric, checklists, branch_ids, held)


def test_raters_rows_beside_single_rows_give_the_paths_found_one_at_a_time() -> None:
    """Branches scored by three raters and branches of one row, in one search."""
    rubric = load_rubric(STREET)
    checklists = load_checklists(rubric, [ROOT / "samples" / "raters", SAMPLE])
    branch_ids = list(dict.fromkeys(checklists.frame["branch_id"].tolist()))
    expected = one_by_one(rubric, checklists, branch_ids, {})
    assert expected == paths_to_next_grade(rubric, checklists, branch_ids)


def test_paths_come_back_by_branch_id_each_once_in_the_order_asked() -> None:
    """A branch named twice is searched once; the paths are keyed by the ids asked."""
    rubric = load_rubric(STREET)
    checklists = load_checklists(rubric, [SAMPLE])
    paths = paths_to_next_grade(rubric, checklists, ["SQ11", "SQ07", "SQ11"])
    expected = (["SQ11", "SQ07"], path_to_next_grade(rubric, checklists, "SQ07"))
    assert expected == (list(paths), paths["SQ07"])


def test_an_unknown_branch_is_a_key_error() -> None:
    """A branch not in the checklists raises KeyError naming it, as for one branch."""
    rubric = load_rubric(STREET)
    checklists = load_checklists(rubric, [SAMPLE])
    with pytest.raises(KeyError, match="SQ99"):
        paths_to_next_grade(rubric, checklists, ["SQ01", "SQ99"])


def test_no_branches_no_paths() -> None:
    """Asking about no branch scores nothing and returns nothing."""
    rubric = load_rubric(STREET)
    checklists = load_checklists(rubric, [SAMPLE])
    expected: dict[str, Any] = {}
    assert expected == paths_to_next_grade(rubric, checklists, [])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(runs(max_branches=3))
def test_the_value_clearing_a_veto_is_the_one_found_value_by_value(
    run: tuple[Rubric, Checklists],
) -> None:
    """The nearest value that clears a veto, all candidates tested at once, is the one
    found by testing them one at a time."""
    rubric, checklists = run
    frame = checklists.frame
    for branch_id in dict.fromkeys(frame["branch_id"].tolist()):
        rows = frame[frame["branch_id"] == branch_id].reset_index(drop=True)
        for veto in rubric.vetoes:
            expected = oracle.cleared_value(rubric, veto, rows)
            actual = cleared_value(rubric, veto, rows)
            assert (type(expected), expected) == (type(actual), actual)


def test_explain_all_gives_each_branch_the_path_found_for_it_alone() -> None:
    """Explaining every branch at once, each is given the path found for it alone from
    the grade it holds after quotas (the grade its total earns when self-checking)."""
    rubric = load_rubric(STREET)
    checklists = load_checklists(rubric, [SAMPLE])
    results = evaluate(rubric, checklists)
    branch_ids = results.ranking["branch_id"].tolist()
    held = dict(zip(branch_ids, results.ranking["grade"].tolist(), strict=True))
    for self_check in (False, True):
        expected = list(one_by_one(rubric, checklists, branch_ids,
                                   {} if self_check else held).values())
        explained = explain_all(results, branch_ids, self_check=self_check)
        assert expected == [explanation.path for explanation in explained]
