"""How much of a ranking is noise from the choice of weights: a Monte-Carlo analysis.

In the manner of COINr's ``get_sensitivity`` and the OECD/JRC handbook on
composite indicators: each run draws every indicator's max uniformly within
``±spread`` of the rubric's (then rescales them so that they add up to the
rubric's total again), optionally moves every grade minimum but the last by up
to ``±thresholds`` points, and scores, ranks and grades every branch.

How a run scores: an indicator's points are the share of its max a branch
earned under the rubric as written (``points / max``), times the run's max.
So a rule keeps its shape ("扣完为止" stays a share of the item), and every
run is a matrix product: (runs × indicators) @ (indicators × branches). Bonus,
penalty and veto stay as scored; the n/a rescaling of the base, the floor at
zero and the grade rules (vetoes, quotas with ties at the cut) are applied per
run with whole-matrix operations. A run's base and total are rounded to the
rubric's precision, as the scorer rounds them (the per-item rounding of the
scorer is not repeated per run: with ``spread = 0`` every run still gives
exactly the scorer's totals).

Schema 2 rubrics weight their parts and state their indicators as clauses, so
there the uncertain choices are different ones: each run draws every top-level
section's ``weight`` within ``±spread`` (then rescales them so that the
sections' ``max * weight`` add up to the total again) and every clause's
points (``points`` or ``per``, with its ``cap``) within ``±spread``. A clause
item's points in a run are ``max - sum of the drawn clause costs``, floored at
0, as its share of the max; an item that does not follow its clauses for a
branch (``applies_if`` not holding) keeps the share it was scored. Other
indicators keep their share of their max; their weight is their section's.
Branches a veto excludes are left out (they are never ranked); a branch a
``zero`` veto hits totals 0 in every run. Upper quotas count ``max_count`` and
``quota_rounding``; lower quotas (``min_share``/``min_count``) move branches down
as the grading does.

Runs are processed in chunks so that memory stays bounded; the draws come from
one generator seeded with ``seed``, so a seed gives the same output every time.
"""

from __future__ import annotations

import attrs
import numpy as np
import pandas as pd

from inspect_score.checklists.table import BRANCH_ID, BRANCH_NAME
from inspect_score.messages import Message, msg
from inspect_score.rubric.model import Clause, Item, Rubric, Section
from inspect_score.scoring.grading import lower_places, rank_and_grade, upper_places
from inspect_score.scoring.rounding import round_points
from inspect_score.scoring.rule_words import clause_name
from inspect_score.scoring.score import clause_key
from inspect_score.scoring.tables import Scores

#: A branch's grade is stable when it gets the same grade in at least this share of runs.
STABLE_SHARE = 0.95
#: Percentiles of the rank interval.
LOW, HIGH = 5.0, 95.0
#: Cells (runs × branches) per chunk: a few tens of MB per array.
CHUNK_CELLS = 2_000_000
#: sensitivity.csv's leading columns, before one column per grade name.
SENSITIVITY_COLUMNS = (BRANCH_ID, BRANCH_NAME, "rank", "rank_median", "rank_p05", "rank_p95")


@attrs.frozen
class Settings:
    runs: int = 1000
    #: each indicator's max is drawn within max * (1 ± spread); 0 <= spread < 1
    spread: float = 0.2
    #: each grade minimum but the last moves by up to ± this many points
    thresholds: float = 0.0
    seed: int = 0


def check_settings(settings: Settings) -> list[Message]:
    """What is wrong with the settings, in words; empty when they can be used."""
    problems = []
    if settings.runs < 1:
        problems.append(msg("--runs must be at least 1, got {runs}", runs=settings.runs))
    if not 0 <= settings.spread < 1:
        problems.append(msg(
            "--spread must be at least 0 and below 1 (a max may not turn negative), got {spread}",
            spread=settings.spread))
    if not settings.thresholds >= 0:
        problems.append(msg("--thresholds must be 0 or more, got {thresholds}",
                            thresholds=settings.thresholds))
    return problems


@attrs.frozen(eq=False)
class Model:
    """What every run needs, computed once per branch and indicator.

    Branches are in the plain ranking's order (best first).
    """

    rubric: Rubric
    #: branches × indicators: share of the item's max earned (0 where n/a)
    earned_share: np.ndarray
    #: branches × indicators: 1.0 where the item applies, 0.0 where n/a
    applies: np.ndarray
    #: branches: whether some indicator is n/a (the base is rescaled)
    rescaled: np.ndarray
    #: branches: bonus after the cap minus penalty
    extra: np.ndarray
    #: branches: index of the best grade a veto allows (0 where none)
    veto_cap: np.ndarray
    #: the plain ranking: rank, branch_id, branch_name, total, grade (ranked branches only)
    ranking: pd.DataFrame
    #: schema 2: per indicator, the index of its top-level section in ``sections``
    section_of: np.ndarray = attrs.field(factory=lambda: np.zeros(0, dtype=np.int64))
    #: schema 2: the top-level sections, whose weights are drawn
    sections: tuple[Section, ...] = ()
    #: schema 2: per clause item (indicator column, branches × clauses costs as
    #: scored, branches: whether the item follows its clauses), in rubric order
    clause_items: tuple[tuple[int, np.ndarray, np.ndarray], ...] = ()
    #: schema 2: the clauses whose points are drawn, as (item, number) in rubric order
    clauses: tuple[tuple[Item, int], ...] = ()
    #: branches: a ``zero`` veto holds (total 0 in every run)
    zeroed: np.ndarray = attrs.field(factory=lambda: np.zeros(0, dtype=bool))

    @property
    def maxima(self) -> np.ndarray:
        return np.array([item.max for item in self.rubric.indicators], dtype=np.float64)

    @property
    def factor_count(self) -> int:
        """How many draws a run takes: indicators (schema 1), or sections and clauses."""
        if self.rubric.schema == 1:
            return len(self.rubric.indicators)
        return len(self.sections) + len(self.clauses)

    @property
    def minimums(self) -> np.ndarray:
        return np.array([grade.min for grade in self.rubric.grades], dtype=np.float64)


def build_model(rubric: Rubric, scores: Scores) -> Model:
    ranking = rank_and_grade(rubric, scores)
    # branches a veto excludes are never ranked, in no run
    ranking = ranking[ranking["rank"].notna()].reset_index(drop=True)
    order = ranking["position"].to_numpy(dtype=np.int64)
    ids = [item.id for item in rubric.indicators]
    points = scores.points[ids].to_numpy(dtype=np.float64)[order]
    maxima = np.array([item.max for item in rubric.indicators], dtype=np.float64)
    applies = ~np.isnan(points)
    branches = scores.branches
    model = Model(
        rubric=rubric,
        earned_share=np.where(applies, np.nan_to_num(points) / maxima, 0.0),
        applies=applies.astype(np.float64),
        rescaled=~applies.all(axis=1),
        extra=(branches["bonus"].to_numpy(dtype=np.float64)
               - branches["penalty"].to_numpy(dtype=np.float64))[order],
        veto_cap=branches["veto_cap"].to_numpy(dtype=np.int64)[order],
        ranking=ranking,
        zeroed=(branches["zeroed"].to_numpy(dtype=bool)[order] if "zeroed" in branches
                else np.zeros(len(order), dtype=bool)),
    )
    if rubric.schema == 1:
        return model
    return _with_schema_2(model, scores, points, order)


def _with_schema_2(model: Model, scores: Scores, points: np.ndarray,
                   order: np.ndarray) -> Model:
    """The sections whose weights vary and the clauses whose points vary."""
    rubric = model.rubric
    sections = tuple(section for section in rubric.sections if section.parent is None)
    top_of = {section.id: index for index, section in enumerate(sections)}
    parents = {section.id: section.parent for section in rubric.sections}

    def top(section_id: str | None) -> int:
        while section_id is not None and parents.get(section_id) is not None:
            section_id = parents[section_id]
        return top_of.get(section_id or "", 0)

    clause_items = []
    clauses: list[tuple[Item, int]] = []
    for column, item in enumerate(rubric.indicators):
        if not item.clauses:
            continue
        keys = [clause_key(item.id, number) for number in range(1, len(item.clauses) + 1)]
        costs = np.nan_to_num(scores.clauses[keys].to_numpy(dtype=np.float64)[order], nan=0.0)
        # where applies_if does not hold (otherwise = "zero") the points do not
        # come from the clauses: those branches keep the share they were scored
        follows = np.isclose(np.nan_to_num(points[:, column], nan=item.max),
                             np.clip(item.max - costs.sum(axis=1), 0.0, item.max))
        clause_items.append((column, costs, follows))
        clauses += [(item, number) for number in range(1, len(item.clauses) + 1)]
    return attrs.evolve(
        model,
        section_of=np.array([top(item.section) for item in rubric.indicators], dtype=np.int64),
        sections=sections, clause_items=tuple(clause_items), clauses=tuple(clauses),
    )


def draw_weights(model: Model, runs: int, spread: float,
                 rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Each run's indicator maxima as they count toward the total (runs × indicators,
    adding up to the total) and the draws (runs × ``model.factor_count``).

    Schema 2: the draws are the top-level sections' weights, then the clauses'
    points; an indicator counts ``max * its section's drawn weight``.
    """
    draws = rng.uniform(1.0 - spread, 1.0 + spread, size=(runs, model.factor_count))
    if model.rubric.schema == 1:
        weights = model.maxima * draws
    else:
        section_max = np.array([section.max for section in model.sections])
        section_weight = np.array([section.weight for section in model.sections]) \
            * draws[:, :len(model.sections)]
        section_weight *= model.rubric.total / (section_weight @ section_max)[:, None]
        return section_weight[:, model.section_of] * model.maxima, draws
    weights *= model.rubric.total / weights.sum(axis=1, keepdims=True)
    return weights, draws


def draw_minimums(model: Model, runs: int, thresholds: float,
                  rng: np.random.Generator) -> np.ndarray:
    """Each run's grade minimums (runs × grades); the last grade's stays 0."""
    minimums = np.broadcast_to(model.minimums, (runs, len(model.minimums))).copy()
    if thresholds > 0:
        shift = rng.uniform(-thresholds, thresholds, size=(runs, len(model.minimums) - 1))
        minimums[:, :-1] += shift
    return minimums


def run_totals(model: Model, weights: np.ndarray, draws: np.ndarray | None = None) -> np.ndarray:
    """Every run's totals (runs × branches), rounded as the scorer rounds them.

    Schema 2: ``draws`` (as ``draw_weights`` gives them) scale the clauses' costs.
    """
    precision = model.rubric.precision
    base = weights @ model.earned_share.T
    if model.clause_items and draws is not None:
        base += _clause_base(model, weights, draws[:, len(model.sections):])
    if model.rescaled.any():
        applicable_max = weights @ model.applies.T
        with np.errstate(invalid="ignore", divide="ignore"):
            rescaled = model.rubric.total * base / applicable_max
        base = np.where(model.rescaled, np.nan_to_num(rescaled), base)
    base = round_points(base, precision)
    totals: np.ndarray = round_points(np.maximum(0.0, base + model.extra), precision)
    totals[:, model.zeroed] = 0.0
    return totals


def _clause_base(model: Model, weights: np.ndarray, clause_draws: np.ndarray) -> np.ndarray:
    """What the clause items add to each run's base beyond ``earned_share`` (runs × branches).

    Where an item follows its clauses, its share in a run is ``1 - drawn costs /
    max`` floored at 0 instead of the share it was scored (a loop over the
    clause items, each a (runs × clauses) @ (clauses × branches) product).
    """
    extra = np.zeros((len(weights), len(model.ranking)))
    start = 0
    for column, costs, follows in model.clause_items:
        count = costs.shape[1]
        # the drawn costs as a share of the item's max, then worked in place:
        # (clip(1 - share, 0, 1) - scored share) * where it follows * weight
        share = clause_draws[:, start:start + count] @ (costs.T / model.maxima[column])
        start += count
        np.subtract(1.0, share, out=share)
        np.clip(share, 0.0, 1.0, out=share)
        share -= model.earned_share[:, column]
        share *= follows & (model.applies[:, column] > 0)
        share *= weights[:, column:column + 1]
        extra += share
    return extra


def run_ranks_and_grades(model: Model, totals: np.ndarray,
                         minimums: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every run's competition ranks and grade indices (runs × branches).

    The grade rules are :mod:`inspect_score.scoring.grading`'s, on whole matrices:
    the best grade whose minimum the total reaches, capped by vetoes, then
    quotas in rank order with every branch tied at the cut, and every one
    below it, falling to the next grade.
    """
    runs, count = totals.shape
    grades = np.full((runs, count), len(model.rubric.grades) - 1, dtype=np.int64)
    for index in range(len(model.rubric.grades) - 2, -1, -1):
        grades = np.where(totals >= minimums[:, index:index + 1], index, grades)
    grades = np.maximum(grades, model.veto_cap)

    order = np.argsort(-totals, axis=1, kind="stable")
    sorted_totals = np.take_along_axis(totals, order, axis=1)
    sorted_grades = np.take_along_axis(grades, order, axis=1)
    for index, grade in enumerate(model.rubric.grades[:-1]):
        places = upper_places(grade, count)
        if places is not None:
            _apply_quota(sorted_totals, sorted_grades, index, places)
    for index, grade in enumerate(model.rubric.grades):
        needed = lower_places(grade, count)
        if needed is not None:
            _apply_lower_quota(sorted_totals, sorted_grades, index, min(needed, count))

    # competition ranking: each branch takes the position of the first of its tie, plus 1
    positions = np.broadcast_to(np.arange(count), (runs, count))
    starts = np.ones((runs, count), dtype=bool)
    starts[:, 1:] = sorted_totals[:, 1:] != sorted_totals[:, :-1]
    sorted_ranks = np.maximum.accumulate(np.where(starts, positions, 0), axis=1) + 1

    ranks = np.empty((runs, count), dtype=np.int32)
    np.put_along_axis(ranks, order, sorted_ranks.astype(np.int32), axis=1)
    np.put_along_axis(grades, order, sorted_grades, axis=1)
    return ranks, grades


def _apply_quota(sorted_totals: np.ndarray, sorted_grades: np.ndarray, index: int,
                 places: int) -> None:
    """Where more branches than ``places`` hold grade ``index``, the rest fall one grade.

    The first holder left out decides the cut; holders tied with it and below it fall.
    """
    holders = sorted_grades == index
    held = np.cumsum(holders, axis=1)
    over = held[:, -1] > places
    if not over.any():
        return
    first_out = np.argmax(holders & (held == places + 1), axis=1)
    cut = np.take_along_axis(sorted_totals, first_out[:, None], axis=1)
    falls = holders & over[:, None] & (sorted_totals <= cut)
    sorted_grades[falls] = index + 1


def _apply_lower_quota(sorted_totals: np.ndarray, sorted_grades: np.ndarray, index: int,
                       needed: int) -> None:
    """Where fewer than ``needed`` branches hold grade ``index`` or a worse one, the
    lowest-ranked branches with a better grade move down to it, with every branch
    tied with the last one that has to move (as the grading does, on every run at once).
    """
    short = needed - (sorted_grades >= index).sum(axis=1)
    if not (short > 0).any():
        return
    better = sorted_grades < index
    # counted from the bottom: the short-th better branch is the last that has to move
    from_bottom = np.cumsum(better[:, ::-1], axis=1)[:, ::-1]
    last = better & (from_bottom == short[:, None])
    has = last.any(axis=1) & (short > 0)
    cut = np.take_along_axis(sorted_totals, np.argmax(last, axis=1)[:, None], axis=1)
    moving = better & has[:, None] & (sorted_totals <= cut)
    sorted_grades[moving] = index


@attrs.frozen(eq=False)
class Sensitivity:
    """The analysis: per branch, per indicator, and overall."""

    rubric: Rubric
    settings: Settings
    #: one row per branch in the plain ranking's order: SENSITIVITY_COLUMNS,
    #: the plain ``grade``, ``stable`` (bool), then one column per grade name
    #: holding the share of runs in that grade (0..1)
    branches: pd.DataFrame
    #: ``item_id, title, max, first_order``: how much of the variance of the
    #: runs' mean rank shift each indicator's weight explains alone (0..1)
    indicators: pd.DataFrame
    #: runs × branches ranks (branches as in ``branches``)
    ranks: np.ndarray
    #: per run, the mean absolute difference from the plain ranks
    rank_shift: np.ndarray
    #: branches a veto excluded from the ranking, left out of the analysis
    excluded: int = 0

    @property
    def stable_count(self) -> int:
        return int(self.branches["stable"].sum())


def analyse(rubric: Rubric, scores: Scores, settings: Settings) -> Sensitivity:
    """Run the Monte-Carlo analysis (see the module's description)."""
    problems = check_settings(settings)
    if problems:
        raise ValueError("; ".join(problems))
    model = build_model(rubric, scores)
    count = len(model.ranking)
    grade_count = len(rubric.grades)
    rng = np.random.default_rng(settings.seed)
    ranks = np.empty((settings.runs, count), dtype=np.int32)
    draws = np.empty((settings.runs, model.factor_count))
    grade_hits = np.zeros(count * grade_count, dtype=np.int64)
    chunk = max(1, CHUNK_CELLS // max(count, 1))
    for start in range(0, settings.runs, chunk):
        stop = min(start + chunk, settings.runs)
        weights, draws[start:stop] = draw_weights(model, stop - start, settings.spread, rng)
        minimums = draw_minimums(model, stop - start, settings.thresholds, rng)
        totals = run_totals(model, weights, draws[start:stop])
        ranks[start:stop], grades = run_ranks_and_grades(model, totals, minimums)
        if grade_count:  # a score-only rubric (schema 2) has no grade to count
            cells = (np.arange(count) * grade_count + grades).ravel()
            grade_hits += np.bincount(cells, minlength=count * grade_count)

    shares = grade_hits.reshape(count, grade_count) / settings.runs
    plain_ranks = model.ranking["rank"].to_numpy(dtype=np.int64)
    rank_shift = np.abs(ranks - plain_ranks).mean(axis=1)
    return Sensitivity(
        rubric=rubric,
        settings=settings,
        branches=_branch_table(model, ranks, shares),
        indicators=_indicator_table(model, draws, rank_shift),
        ranks=ranks,
        rank_shift=rank_shift,
        excluded=len(scores.branches) - count,
    )


def _branch_table(model: Model, ranks: np.ndarray, shares: np.ndarray) -> pd.DataFrame:
    # inverted_cdf gives ranks that occurred (whole numbers), and a rank held
    # in more than 5% of runs always lies in the 5-95% interval
    low, median, high = np.percentile(ranks, [LOW, 50.0, HIGH], axis=0, method="inverted_cdf")
    ranking = model.ranking
    table = pd.DataFrame({
        BRANCH_ID: ranking[BRANCH_ID].to_numpy(),
        BRANCH_NAME: ranking[BRANCH_NAME].to_numpy(),
        "rank": ranking["rank"].to_numpy(dtype=np.int64),
        "rank_median": median.astype(np.int64),
        "rank_p05": low.astype(np.int64),
        "rank_p95": high.astype(np.int64),
        "grade": ranking["grade"].to_numpy(),
        "stable": (shares.max(axis=1) >= STABLE_SHARE if shares.shape[1]
                   else np.ones(len(ranking), dtype=bool)),
    })
    for index, grade in enumerate(model.rubric.grades):
        table[grade.name] = shares[:, index]
    return table


def first_order_index(draw: np.ndarray, output: np.ndarray, bins: int) -> float:
    """Share of the output's variance explained by one input alone: Var(E[Y|X]) / Var(Y).

    Estimated by cutting the runs into ``bins`` groups of equal size by the
    input's draw and taking the variance of the group means (a simple
    first-order sensitivity index). 0 where the output does not vary.
    """
    total_variance = float(output.var())
    if len(output) < 2 or total_variance <= 0 or bins < 2:
        return 0.0
    position = np.empty(len(draw), dtype=np.int64)
    position[np.argsort(draw, kind="stable")] = np.arange(len(draw))
    group = position * bins // len(draw)
    sizes = np.bincount(group, minlength=bins)
    means = np.bincount(group, weights=output, minlength=bins) / np.maximum(sizes, 1)
    between = float(np.sum(sizes * (means - output.mean()) ** 2) / len(output))
    return min(max(between / total_variance, 0.0), 1.0)


def _indicator_table(model: Model, draws: np.ndarray, rank_shift: np.ndarray) -> pd.DataFrame:
    """One row per drawn weight: the indicators (schema 1), or the top-level
    sections (``max`` their weighted max) and the clauses (``item_id`` ``item#N``,
    ``title`` “三会一课”第2条, ``max`` their points or ``per``) of schema 2."""
    rubric = model.rubric
    runs = len(rank_shift)
    # about 50 runs a group, at most 20 groups: enough to see a trend, few enough to be steady
    bins = min(20, max(2, runs // 50))
    indices = [first_order_index(draws[:, column], rank_shift, bins)
               for column in range(draws.shape[1])]
    if rubric.schema == 1:
        ids = [item.id for item in rubric.indicators]
        titles = [item.title for item in rubric.indicators]
        maxima = [item.max for item in rubric.indicators]
    else:
        ids = [section.id for section in model.sections] + [
            clause_key(item.id, number) for item, number in model.clauses]
        # a clause as an office cites it: “三会一课”第2条, never three_meetings#2
        titles = [section.title for section in model.sections] + [
            clause_name(item.title, number, rubric.lang) for item, number in model.clauses]
        maxima = [section.max * section.weight for section in model.sections] + [
            _clause_points(item.clauses[number - 1]) for item, number in model.clauses]
    table = pd.DataFrame({
        "item_id": ids,
        "title": titles,
        "max": maxima,
        "first_order": indices,
    })
    return table.sort_values("first_order", ascending=False, kind="stable").reset_index(drop=True)


def _clause_points(clause: Clause) -> float:
    """What a clause states it costs: its points (fault, any) or its ``per``."""
    return clause.points if clause.shape in ("fault", "any") else clause.per


def new_seed() -> int:
    """A fresh seed for a run that was given none, so that it can be repeated."""
    entropy = np.random.SeedSequence().entropy
    assert isinstance(entropy, int)  # drawn fresh, never given: always one int
    return entropy % (2**32)


def csv_table(result: Sensitivity) -> pd.DataFrame:
    """sensitivity.csv: SENSITIVITY_COLUMNS, then the share of runs in each grade."""
    names = [grade.name for grade in result.rubric.grades]
    return result.branches[[*SENSITIVITY_COLUMNS, *names]]
