"""The Monte-Carlo weight sensitivity: runs as matrix operations, and what they must preserve."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from en_basic import EN_BASIC, branch, scored
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from strategies import make_checklists, runs, runs_2

from inspect_score.checklists.load import load_checklists
from inspect_score.checklists.table import Checklists
from inspect_score.errors import ChecklistError
from inspect_score.rubric.loader import load_rubric
from inspect_score.rubric.model import Rubric
from inspect_score.scoring.grading import rank_and_grade
from inspect_score.scoring.score import score
from inspect_score.scoring.tables import Scores
from inspect_score.tuning.sensitivity import (
    Settings,
    analyse,
    build_model,
    check_settings,
    draw_minimums,
    draw_weights,
    first_order_index,
    run_ranks_and_grades,
    run_totals,
)


def sample() -> tuple[Rubric, Scores]:
    """Eight branches of en-basic that differ on several items."""
    rubric = load_rubric(EN_BASIC)
    checklists = make_checklists(rubric, [
        branch("B1", awards=2),
        branch("B2", meetings_held=9, files_status="partial"),
        branch("B3", reserve_cadres=1, service_events=3),
        branch("B4", study_absences=2, roster_ok=0),
        branch("B5", meetings_held=6, dues_on_time=0),
        branch("B6", files_status="missing", awards=2),
        branch("B7", meetings_held=10, study_absences=1, service_events=4),
        branch("B8", serious_violation=1, reserve_cadres=2),
    ])
    return rubric, score(rubric, checklists)


@settings(max_examples=50, deadline=None)
@given(runs(), st.integers(1, 5))
def test_with_spread_zero_every_run_is_the_plain_scoring(
    run: tuple[Rubric, Checklists], run_count: int
) -> None:
    """Spread 0: each run's totals, ranks and grades (quotas, vetoes, n/a rescaling and all)
    are exactly the scorer's and the grader's."""
    rubric, checklists = run
    scores = scored(rubric, checklists)
    model = build_model(rubric, scores)
    rng = np.random.default_rng(0)
    weights, _ = draw_weights(model, run_count, 0.0, rng)
    totals = run_totals(model, weights)
    ranks, grades = run_ranks_and_grades(model, totals, draw_minimums(model, run_count, 0.0, rng))
    ranking = rank_and_grade(rubric, scores)
    names = np.array([grade.name for grade in rubric.grades], dtype=object)
    expected_totals = np.tile(ranking["total"].to_numpy(), (run_count, 1))
    expected_ranks = np.tile(ranking["rank"].to_numpy(), (run_count, 1))
    expected_grades = np.tile(ranking["grade"].to_numpy(dtype=object), (run_count, 1))
    assert np.array_equal(totals, expected_totals)
    assert np.array_equal(ranks, expected_ranks)
    assert np.array_equal(names[grades], expected_grades)


@settings(max_examples=30, deadline=None)
@given(runs())
def test_with_spread_zero_the_interval_is_the_plain_rank(run: tuple[Rubric, Checklists]) -> None:
    """Spread 0: median, 5% and 95% rank are the plain rank; the plain grade has share 1."""
    rubric, checklists = run
    scores = scored(rubric, checklists)
    result = analyse(rubric, scores, Settings(runs=20, spread=0.0, seed=1))
    table = result.branches
    rank = table["rank"].tolist()
    shares = [table.loc[row, grade] for row, grade in enumerate(table["grade"])]
    assert (rank, rank, rank) == (
        table["rank_median"].tolist(), table["rank_p05"].tolist(), table["rank_p95"].tolist())
    assert shares == [1.0] * len(table)
    assert table["stable"].all()


@settings(max_examples=25, deadline=None)
@given(runs(), st.sampled_from([0.1, 0.3, 0.6]), st.integers(0, 2**16))
def test_the_interval_holds_the_plain_rank_whenever_the_runs_often_give_it(
    run: tuple[Rubric, Checklists], spread: float, seed: int
) -> None:
    """A plain rank held in at least 10% of runs lies within the 5-95% rank interval;
    the median and the bounds are ranks that runs gave."""
    rubric, checklists = run
    result = analyse(rubric, scored(rubric, checklists),
                     Settings(runs=200, spread=spread, seed=seed))
    table = result.branches
    plain = table["rank"].to_numpy()
    held = (result.ranks == plain).mean(axis=0)
    inside = (table["rank_p05"].to_numpy() <= plain) & (plain <= table["rank_p95"].to_numpy())
    occurred = [
        {int(v) for v in (row.rank_p05, row.rank_median, row.rank_p95)}
        <= set(result.ranks[:, index].tolist())
        for index, row in enumerate(table.itertuples())
    ]
    assert bool(inside[held >= 0.1].all())
    assert all(occurred)


def test_the_interval_holds_the_plain_rank_in_the_sample() -> None:
    """On the sample with ±30% weights, every branch's interval holds its plain rank."""
    rubric, scores = sample()
    table = analyse(rubric, scores, Settings(runs=2000, spread=0.3, seed=4)).branches
    plain = table["rank"]
    assert ((table["rank_p05"] <= plain) & (plain <= table["rank_p95"])).all()


def test_the_same_seed_gives_the_same_output() -> None:
    """Two analyses with one seed agree to the last bit; another seed draws other weights."""
    rubric, scores = sample()
    first = analyse(rubric, scores, Settings(runs=500, spread=0.4, thresholds=2.0, seed=11))
    again = analyse(rubric, scores, Settings(runs=500, spread=0.4, thresholds=2.0, seed=11))
    other = analyse(rubric, scores, Settings(runs=500, spread=0.4, thresholds=2.0, seed=12))
    assert first.branches.equals(again.branches)
    assert first.indicators.equals(again.indicators)
    assert np.array_equal(first.ranks, again.ranks)
    assert not np.array_equal(first.ranks, other.ranks)


def test_chunks_do_not_change_the_result(monkeypatch: pytest.MonkeyPatch) -> None:
    """Processing the runs in small chunks gives the same ranks as in one block."""
    rubric, scores = sample()
    whole = analyse(rubric, scores, Settings(runs=300, spread=0.3, seed=5))
    monkeypatch.setattr("inspect_score.tuning.sensitivity.CHUNK_CELLS", 8 * 7)
    chunked = analyse(rubric, scores, Settings(runs=300, spread=0.3, seed=5))
    assert np.array_equal(whole.ranks, chunked.ranks)
    assert whole.branches.equals(chunked.branches)


@settings(max_examples=40, deadline=None)
@given(runs(), st.sampled_from([0.2, 0.5, 0.9]), st.integers(0, 2**16))
def test_a_dominant_branch_never_ranks_below_a_dominated_one(
    run: tuple[Rubric, Checklists], spread: float, seed: int
) -> None:
    """Where branch a has at least b's points on every indicator and bonus, at most b's
    penalty, and both have every indicator applicable, a ranks at or above b in every run."""
    rubric, checklists = run
    scores = scored(rubric, checklists)
    result = analyse(rubric, scores, Settings(runs=100, spread=spread, seed=seed))
    order = rank_and_grade(rubric, scores)["position"].to_numpy()
    ids = [item.id for item in rubric.indicators]
    points = scores.points[ids].to_numpy(dtype=np.float64)[order]
    branches = scores.branches.iloc[order]
    bonus = branches["bonus"].to_numpy()
    penalty = branches["penalty"].to_numpy()
    complete = ~np.isnan(points).any(axis=1)
    dominates = (
        (points[:, None, :] >= points[None, :, :]).all(axis=2)
        & (bonus[:, None] >= bonus[None, :]) & (penalty[:, None] <= penalty[None, :])
        & complete[:, None] & complete[None, :]
    )
    better, worse = np.nonzero(dominates)
    assert bool((result.ranks[:, better] <= result.ranks[:, worse]).all())


def test_a_dominant_branch_in_the_sample_keeps_its_place() -> None:
    """B1 has full marks and the most bonus: it ranks first in every run, whatever the weights."""
    rubric, scores = sample()
    result = analyse(rubric, scores, Settings(runs=1000, spread=0.9, seed=3))
    first = result.branches.index[result.branches["branch_id"] == "B1"][0]
    assert set(result.ranks[:, first].tolist()) == {1}


def test_weights_keep_the_total_and_stay_within_the_spread() -> None:
    """Each run's maxima add up to the rubric's total, and each stays near its own max."""
    rubric, scores = sample()
    model = build_model(rubric, scores)
    weights, draws = draw_weights(model, 1000, 0.2, np.random.default_rng(2))
    assert np.allclose(weights.sum(axis=1), rubric.total)
    assert bool(((draws >= 0.8) & (draws <= 1.2)).all())
    # rescaling can only stretch the ±20% by the ratio of the draws' extremes
    ratio = weights / model.maxima
    assert bool(((ratio > 0.8 / 1.2) & (ratio < 1.2 / 0.8)).all())


def test_thresholds_move_grades_not_ranks() -> None:
    """Spread 0 with moving thresholds: ranks never change, grades near a cut do."""
    rubric, scores = sample()
    result = analyse(rubric, scores, Settings(runs=500, spread=0.0, thresholds=5.0, seed=8))
    plain = result.branches["rank"].to_numpy()
    grade_names = [grade.name for grade in rubric.grades]
    shares = result.branches[grade_names].to_numpy()
    assert bool((result.ranks == plain).all())
    assert bool(((shares > 0) & (shares < 1)).any())
    assert np.allclose(shares.sum(axis=1), 1.0)


def test_first_order_index_finds_the_input_that_drives_the_output() -> None:
    """An output made of one input is explained by it (index near 1), not by another (near 0)."""
    rng = np.random.default_rng(0)
    driver, bystander = rng.uniform(size=5000), rng.uniform(size=5000)
    output = driver**2
    assert first_order_index(driver, output, 20) > 0.95
    assert first_order_index(bystander, output, 20) < 0.05
    assert first_order_index(driver, np.ones(5000), 20) == 0.0


def test_the_indicator_table_ranks_the_indicators_by_influence() -> None:
    """Every indicator is listed once, most influential first, each index within 0..1."""
    rubric, scores = sample()
    table = analyse(rubric, scores, Settings(runs=2000, spread=0.5, seed=9)).indicators
    values = table["first_order"].to_numpy()
    assert sorted(table["item_id"]) == sorted(item.id for item in rubric.indicators)
    assert bool((np.diff(values) <= 0).all() and (values >= 0).all() and (values <= 1).all())


@pytest.mark.parametrize(
    ("settings_", "word"),
    [
        (Settings(runs=0), "--runs"),
        (Settings(spread=1.0), "--spread"),
        (Settings(spread=-0.1), "--spread"),
        (Settings(thresholds=-1.0), "--thresholds"),
    ],
)
def test_settings_out_of_range_are_refused(settings_: Settings, word: str) -> None:
    """Runs below 1, a spread outside [0, 1) and negative thresholds are refused in words."""
    problems = check_settings(settings_)
    assert len(problems) == 1
    assert word in problems[0]
    with pytest.raises(ValueError, match=word):
        rubric, scores = sample()
        analyse(rubric, scores, settings_)


# schema 2 -----------------------------------------------------------------------------------

STREET_H2 = Path(__file__).parent.parent / "rubrics" / "street-2025-h2.toml"
SAMPLES_H2 = Path(__file__).parent.parent / "samples" / "h2" / "街道社区2025下半年.csv"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(runs_2(), st.integers(1, 4))
def test_schema_2_with_spread_zero_every_run_is_the_plain_scoring(
    run: tuple[Rubric, Checklists], run_count: int
) -> None:
    """Schema 2, spread 0: weights, clauses, applies_if, groups, count and lower quotas and
    veto actions give each run exactly the scorer's totals, ranks and grades (excluded
    branches left out)."""
    rubric, checklists = run
    try:
        scores = score(rubric, checklists)
        ranking = rank_and_grade(rubric, scores)
    except ChecklistError:
        assume(False)
        raise
    ranking = ranking[ranking["rank"].notna()]
    assume(len(ranking) > 0)
    model = build_model(rubric, scores)
    rng = np.random.default_rng(0)
    weights, draws = draw_weights(model, run_count, 0.0, rng)
    assert draws.shape == (run_count, model.factor_count)
    totals = run_totals(model, weights, draws)
    ranks, grades = run_ranks_and_grades(model, totals, draw_minimums(model, run_count, 0.0, rng))
    assert np.array_equal(totals, np.tile(ranking["total"].to_numpy(dtype=np.float64),
                                          (run_count, 1)))
    assert np.array_equal(ranks, np.tile(ranking["rank"].to_numpy(dtype=np.int64),
                                         (run_count, 1)))
    if rubric.grades:
        names = np.array([grade.name for grade in rubric.grades], dtype=object)
        assert np.array_equal(names[grades],
                              np.tile(ranking["grade"].to_numpy(dtype=object), (run_count, 1)))


def test_schema_2_draws_the_section_weights_and_the_clause_points() -> None:
    """The sample schema 2 rubric: one draw per top-level section and per clause; drawn
    weights keep the total; clause points that vary move totals even where the weights
    stay; the table names sections and clauses (第N条)."""
    rubric = load_rubric(STREET_H2)
    scores = score(rubric, load_checklists(rubric, [SAMPLES_H2]))
    model = build_model(rubric, scores)
    tops = [s for s in rubric.sections if s.parent is None]
    clause_count = sum(len(item.clauses) for item in rubric.indicators)
    assert model.factor_count == len(tops) + clause_count
    weights, draws = draw_weights(model, 50, 0.2, np.random.default_rng(3))
    # every run's indicators (a group counted once) still add up to the total
    slots = {(item.group or item.id): column for column, item in enumerate(rubric.indicators)}
    assert np.allclose(weights[:, list(slots.values())].sum(axis=1), rubric.total)
    # section weights as written, clause points drawn: the totals move
    fixed = np.ones_like(draws)
    fixed[:, len(tops):] = draws[:, len(tops):]
    plain, _ = draw_weights(model, 50, 0.0, np.random.default_rng(3))
    moved = run_totals(model, plain, fixed)
    assert not np.array_equal(moved, run_totals(model, plain, np.ones_like(draws)))
    result = analyse(rubric, scores, Settings(runs=200, spread=0.2, seed=1))
    ids = set(result.indicators["item_id"])
    assert {s.id for s in tops} <= ids and "three_meetings#2" in ids
    title = result.indicators.set_index("item_id").loc["three_meetings#2", "title"]
    assert title == "“三会一课”第2条"


def test_schema_2_leaves_excluded_branches_out() -> None:
    """A branch a veto excludes is never ranked: the analysis holds the ranked branches only."""
    rubric = load_rubric(STREET_H2)
    scores = score(rubric, load_checklists(rubric, [SAMPLES_H2]))
    excluded = int(scores.branches["excluded"].sum())
    assert excluded > 0
    result = analyse(rubric, scores, Settings(runs=20, spread=0.1, seed=2))
    assert result.excluded == excluded
    assert len(result.branches) == len(scores.branches) - excluded
    assert result.branches["rank"].max() <= len(result.branches)
