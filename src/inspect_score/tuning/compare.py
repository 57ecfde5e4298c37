"""Scoring the same branches under two rubrics, and tracing every move to an item.

For each branch: total, rank and grade under the old and the new rubric, the
change in total, and the change in each item's contribution to the total (an
indicator's or bonus's points count up, a penalty's points count down). The
item changes add up to the total's change except where the bonus cap, the
floor at zero or the n/a rescaling of the base steps in; that remainder is
reported in its own column, :data:`REMAINDER`, so that every row adds up.

Schema 2: an indicator counts with its top-level section's weight (its
column holds the weighted change, so rows still add up); a branch excluded
by a veto has no rank (``rank_old``/``rank_new`` empty) and its grade column
holds the veto's label, which counts as worse than every grade.

Everything is columnar: one array per item, never a loop over branches.
"""

from __future__ import annotations

import math

import attrs
import numpy as np
import pandas as pd

from inspect_score.checklists.table import BRANCH_ID, BRANCH_NAME
from inspect_score.errors import ChecklistError
from inspect_score.messages import msg
from inspect_score.rubric.model import Item, Rubric
from inspect_score.scoring.grading import rank_and_grade
from inspect_score.scoring.labels import fixed_text
from inspect_score.scoring.rounding import round_points
from inspect_score.scoring.score import clause_key, top_weights
from inspect_score.scoring.tables import Scores
from inspect_score.tuning.rubric_diff import RubricEdit, diff_rubrics

#: The column holding what the item changes leave unexplained: the bonus cap,
#: the floor at zero and the n/a rescaling. No item id can hold a "/".
REMAINDER = "cap/floor/rescaling"
#: compare.csv's leading columns, before one column per item id.
COMPARE_COLUMNS = (BRANCH_ID, BRANCH_NAME, "total_old", "total_new", "rank_old", "rank_new",
                   "grade_old", "grade_new", "delta")
#: How many branches the summary lists as largest movers.
MOVERS = 10


@attrs.frozen
class ComparisonSummary:
    branches: int
    #: branches whose grade got better / worse / stayed (grades matched by name
    #: where the new rubric has the old grade, else by position)
    grade_up: int
    grade_down: int
    grade_same: int
    #: rank correlation of the two rankings; NaN where undefined (fewer than
    #: two branches, or every total equal under one rubric)
    spearman: float
    kendall: float


@attrs.frozen
class Comparison:
    old: Rubric
    new: Rubric
    #: one row per branch in the new ranking's order: COMPARE_COLUMNS, one
    #: column per item id (its change in points counted towards the total),
    #: then REMAINDER; delta == sum of the item columns + REMAINDER
    branches: pd.DataFrame
    #: item ids in column order: the new rubric's items, then the removed ones
    item_ids: tuple[str, ...]
    #: item id -> title, for both rubrics (the new title where both have it)
    titles: dict[str, str]
    #: ``grade_change`` per branch: -1 worse, 0 same, 1 better (same order as branches)
    grade_change: np.ndarray
    edits: tuple[RubricEdit, ...]
    summary: ComparisonSummary
    #: the largest movers: rows of ``branches`` ordered by rank change, then change in total
    movers: pd.DataFrame
    #: per branch (same order as ``branches``): its grade moved because the grade rules
    #: changed (a minimum, a quota), as well as or instead of its total
    grade_rules: np.ndarray = attrs.field(factory=lambda: np.zeros(0, dtype=bool))
    #: schema 2: per branch (same order as ``branches``), one column per clause
    #: ``ITEM#N`` of an indicator or penalty: the change in what the clause cost,
    #: counted towards the total (weighted; a cost that grew counts negative).
    #: Clauses are matched by number; a clause only one rubric has counts 0 in the other.
    clause_changes: pd.DataFrame = attrs.field(factory=pd.DataFrame)

    @property
    def precision(self) -> int:
        return max(self.old.precision, self.new.precision)


def compare_scores(old: Rubric, old_scores: Scores, new: Rubric, new_scores: Scores) -> Comparison:
    """Compare two scorings of the same branches (matched by branch id).

    Raises ValueError where the two scorings do not hold the same branches.
    """
    old_ranking = rank_and_grade(old, old_scores)
    new_ranking = rank_and_grade(new, new_scores)
    new_ids = new_ranking[BRANCH_ID].to_numpy()
    old_at = pd.Index(old_ranking[BRANCH_ID]).get_indexer(new_ids)
    if (old_at < 0).any() or len(old_ranking) != len(new_ranking):
        raise ValueError(msg("the two scorings do not hold the same branches"))
    old_rows = old_ranking.iloc[old_at].reset_index(drop=True)
    precision = max(old.precision, new.precision)

    frame = pd.DataFrame({
        BRANCH_ID: new_ranking[BRANCH_ID],
        BRANCH_NAME: new_ranking[BRANCH_NAME],
        "total_old": old_rows["total"].to_numpy(dtype=np.float64),
        "total_new": new_ranking["total"].to_numpy(dtype=np.float64),
        # nullable: a branch excluded by a veto has no rank
        "rank_old": old_rows["rank"].astype("Int64").array,
        "rank_new": new_ranking["rank"].astype("Int64").array,
        "grade_old": old_rows["grade"].astype(str).to_numpy(),
        "grade_new": new_ranking["grade"].astype(str).to_numpy(),
    })
    frame["delta"] = round_points(frame["total_new"] - frame["total_old"], precision)

    new_positions = new_ranking["position"].to_numpy(dtype=np.int64)
    old_positions = old_rows["position"].to_numpy(dtype=np.int64)
    item_ids, titles = _item_columns(old, new)
    explained = np.zeros(len(frame))
    for item_id in item_ids:
        change = round_points(
            _contribution(new, new_scores, item_id, new_positions)
            - _contribution(old, old_scores, item_id, old_positions),
            precision,
        )
        frame[item_id] = change
        explained += change
    frame[REMAINDER] = round_points(frame["delta"].to_numpy() - explained, precision)

    grade_change = _grade_change(old, new, frame["grade_old"].to_numpy(),
                                 frame["grade_new"].to_numpy())
    summary = ComparisonSummary(
        branches=len(frame),
        grade_up=int((grade_change > 0).sum()),
        grade_down=int((grade_change < 0).sum()),
        grade_same=int((grade_change == 0).sum()),
        spearman=_correlation("spearmanr", frame["total_old"], frame["total_new"]),
        kendall=_correlation("kendalltau", frame["total_old"], frame["total_new"]),
    )
    grade_rules = _moved_by_grade_rules(old, new, new_scores, new_ranking, grade_change)
    clause_changes = pd.DataFrame({
        key: round_points(_clause_cost(old, old_scores, key, old_positions)
                          - _clause_cost(new, new_scores, key, new_positions), precision)
        for key in _clause_keys(old, new)
    }, index=pd.RangeIndex(len(frame)))
    return Comparison(
        old=old, new=new, branches=frame, item_ids=tuple(item_ids), titles=titles,
        grade_change=grade_change, edits=tuple(diff_rubrics(old, new)), summary=summary,
        movers=largest_movers(frame, MOVERS, grade_change), clause_changes=clause_changes,
        grade_rules=grade_rules,
    )


def _moved_by_grade_rules(old: Rubric, new: Rubric, new_scores: Scores,
                          new_ranking: pd.DataFrame, grade_change: np.ndarray) -> np.ndarray:
    """Per branch (in the new ranking's order): its grade moved, and the new grade rules
    give it another grade than the old rules would for the same new totals (a quota
    widened lifts 良好 to 优秀 with not a point changed). Where the grades themselves were
    added, removed or renamed, or the old quotas cannot hold for the new totals, every
    branch whose grade moved counts."""
    moved: np.ndarray = np.asarray(grade_change != 0, dtype=bool)
    if not moved.any() or old.grades == new.grades:
        return np.zeros(len(new_ranking), dtype=bool)
    if [grade.name for grade in old.grades] != [grade.name for grade in new.grades]:
        return moved
    try:
        under_old = rank_and_grade(attrs.evolve(new, grades=old.grades), new_scores)
    except ChecklistError:
        return moved
    at = pd.Index(under_old[BRANCH_ID]).get_indexer(new_ranking[BRANCH_ID].to_numpy())
    old_rules = under_old["grade"].astype(str).to_numpy()[at]
    differs: np.ndarray = moved & (old_rules != new_ranking["grade"].astype(str).to_numpy())
    return differs


def _clause_keys(old: Rubric, new: Rubric) -> list[str]:
    """``ITEM#N`` of every clause of an indicator or penalty in either rubric, new first."""
    keys: dict[str, None] = {}
    for rubric in (new, old):
        for item in (*rubric.indicators, *rubric.penalties):
            for number in range(1, len(item.clauses) + 1):
                keys[clause_key(item.id, number)] = None
    return list(keys)


def _clause_cost(rubric: Rubric, scores: Scores, key: str, positions: np.ndarray) -> np.ndarray:
    """What a clause cost each branch, weighted as its item counts; 0 where the rubric lacks it."""
    if key not in scores.clauses.columns:
        return np.zeros(len(positions))
    item = _find_item(rubric, key.rsplit("#", 1)[0])
    column = scores.clauses[key].to_numpy(dtype=np.float64)[positions]
    cost: np.ndarray = np.nan_to_num(column, nan=0.0)
    if item is not None and item.kind == "indicator":
        weighted: np.ndarray = cost * top_weights(rubric).get(item.section or "", 1.0)
        return weighted
    return cost


def _item_columns(old: Rubric, new: Rubric) -> tuple[list[str], dict[str, str]]:
    new_ids = [item.id for item in new.items]
    removed = [item.id for item in old.items if item.id not in set(new_ids)]
    titles = {item.id: item.title for item in old.items}
    titles.update({item.id: item.title for item in new.items})
    return new_ids + removed, titles


def _find_item(rubric: Rubric, item_id: str) -> Item | None:
    return next((item for item in rubric.items if item.id == item_id), None)


def _contribution(rubric: Rubric, scores: Scores, item_id: str,
                  positions: np.ndarray) -> np.ndarray:
    """What the item adds to each branch's total before cap, floor and rescaling.

    A penalty's points are deducted, so they count negative; an item the
    rubric lacks, or that does not apply to the branch, counts 0; an indicator
    counts with its top-level section's weight (schema 2; 1 in schema 1).
    """
    item = _find_item(rubric, item_id)
    if item is None:
        return np.zeros(len(positions))
    column = scores.points[item_id].to_numpy(dtype=np.float64)[positions]
    points: np.ndarray = np.nan_to_num(column, nan=0.0)
    if item.kind == "penalty":
        return -points
    if item.kind == "indicator":
        weight = top_weights(rubric).get(item.section or "", 1.0)
        if weight != 1.0:
            weighted: np.ndarray = points * weight
            return weighted
    return points


def _grade_change(old: Rubric, new: Rubric, grade_old: np.ndarray,
                  grade_new: np.ndarray) -> np.ndarray:
    """1 where the grade got better, -1 worse, 0 the same.

    Both grades are placed on the new rubric's scale: an old grade the new
    rubric also has by name takes its new position, any other keeps its old one.
    Anything else in the grade column (an exclude veto's label; the empty
    grade of a score-only rubric) counts as below every grade, so that being
    excluded is a step down and a score-only pair never moves.
    """
    new_level = {grade.name: index for index, grade in enumerate(new.grades)}
    old_level = {
        grade.name: new_level.get(grade.name, index) for index, grade in enumerate(old.grades)
    }
    below = max(len(old.grades), len(new.grades))
    before = pd.Series(grade_old).map(old_level).fillna(below).to_numpy(dtype=np.int64)
    after = pd.Series(grade_new).map(new_level).fillna(below).to_numpy(dtype=np.int64)
    # a smaller index is a better grade
    change: np.ndarray = np.sign(before - after).astype(np.int64)
    return change


def _correlation(method: str, first: pd.Series, second: pd.Series) -> float:
    """Rank correlation by the named scipy.stats function (handles ties).

    scipy is imported here, not at start-up: it costs every command half a second.
    """
    from scipy import stats  # type: ignore[import-untyped]  # scipy ships no type hints

    a = first.to_numpy(dtype=np.float64)
    b = second.to_numpy(dtype=np.float64)
    # both are undefined, and scipy warns, where either side is constant
    if len(a) < 2 or np.ptp(a) == 0 or np.ptp(b) == 0:
        return math.nan
    result = getattr(stats, method)(a, b)
    return float(result.statistic)


def largest_movers(frame: pd.DataFrame, count: int,
                   grade_change: np.ndarray | None = None) -> pd.DataFrame:
    """The branches whose grade moved, then those whose rank moved most, then whose total
    moved most; only those that moved (a grade that moves with neither rank nor total, by
    a quota changed, is a move).

    An excluded branch (no rank) counts as ranked after every branch.
    """
    unranked = len(frame) + 1
    rank_move: np.ndarray = (frame["rank_new"].fillna(unranked).to_numpy(dtype=np.int64)
                 - frame["rank_old"].fillna(unranked).to_numpy(dtype=np.int64))
    rank_move = np.abs(rank_move)
    total_move: np.ndarray = frame["delta"].abs().to_numpy(dtype=np.float64)
    grade_move = (np.zeros(len(frame), dtype=bool) if grade_change is None
                  else np.asarray(grade_change) != 0)
    moved = (rank_move > 0) | (total_move > 0) | grade_move
    order: np.ndarray = np.lexsort((np.arange(len(frame)), -total_move, -rank_move,
                                    -grade_move.astype(np.int64)))
    order = order[moved[order]][:count]
    return frame.iloc[order].reset_index(drop=True)


def main_causes(comparison: Comparison, count: int = 3,
                names: dict[str, str] | None = None) -> np.ndarray:
    """Per branch, the items that moved its total most, in words: "meetings +5.00; dues -2.00",
    in Chinese "三会一课+5.00；党费收缴-2.00" (no space between Chinese and a number).

    Items are named by id, or by ``names[id]`` where given (REMAINDER too).
    Where the new grade rules moved the branch's grade (``grade_rules``), the grade
    edits that did follow: "优秀名额由20%改为30%".
    Where a ``clauses`` item moved, the clause that moved it most follows in
    brackets, by its number: "三会一课-1.00（第2条-1.00）".
    Built from whole columns: a loop over the ``count`` places and the clause
    items, never over branches.
    """
    frame = comparison.branches
    ids = [*comparison.item_ids, REMAINDER]
    changes = frame[ids].to_numpy(dtype=np.float64)
    order = np.argsort(-np.abs(changes), axis=1, kind="stable")[:, :count]
    shown = np.array([(names or {}).get(name, name) for name in ids], dtype=object)
    precision = comparison.precision
    zh = comparison.new.lang == "zh"
    space, separator = ("", "；") if zh else (" ", "; ")
    texts = np.full(len(frame), "", dtype=object)
    for place in range(min(count, len(ids))):
        column = order[:, place]
        values = changes[np.arange(len(frame)), column]
        # distinct values are formatted once (fixed_text), then indexed
        signs = np.where(values > 0, "+", "-").astype(object)
        part = shown[column] + space + signs + fixed_text(np.abs(values), precision)
        part = part + _clause_part(comparison, ids, column)
        part = np.where(values != 0, part, "")
        joined = np.where((texts != "") & (part != ""), texts + separator + part, texts + part)
        texts = np.asarray(joined, dtype=object)
    rules = _grade_rule_causes(comparison)
    joined = np.where((texts != "") & (rules != ""), texts + separator + rules, texts + rules)
    result: np.ndarray = np.asarray(joined, dtype=object)
    return result


#: The edits of grade rules: what moves a grade without moving a total.
_GRADE_RULES = ("grade-added", "grade-removed", "grade-min", "grade-quota", "grade-quota-count",
                "grade-rounding", "grade-min-quota", "grade-min-count")


def _grade_rule_causes(comparison: Comparison) -> np.ndarray:
    """Per branch whose grade the new grade rules moved, the edits that did, short
    ("优秀名额由20%改为30%"): those of its old or its new grade, else every grade edit.
    "" elsewhere. A loop over the distinct (old, new) grade pairs, never over branches."""
    frame = comparison.branches
    texts = np.full(len(frame), "", dtype=object)
    rules = comparison.grade_rules
    edits = [edit for edit in comparison.edits if edit.code in _GRADE_RULES]
    if not len(rules) or not rules.any() or not edits:
        return texts
    join = "、" if comparison.new.lang == "zh" else ", "
    pairs = frame["grade_old"].astype(str) + "\0" + frame["grade_new"].astype(str)
    for pair in pd.unique(pairs[rules]):
        grades = set(str(pair).split("\0"))
        causes = [edit.cause for edit in edits if edit.target in grades] or [
            edit.cause for edit in edits]
        texts[rules & (pairs == pair).to_numpy()] = join.join(causes)
    return texts


def comparison_heading(old: Rubric, new: Rubric) -> str:
    """The two rubrics in one line: both titles, or the title once with both versions."""
    if old.title != new.title:
        return f"{old.title} → {new.title}"
    if old.version != new.version:
        versions = f"{old.version or '—'} → {new.version or '—'}"
        return f"{new.title}（{versions}）" if new.lang == "zh" else f"{new.title} ({versions})"
    return new.title


def _clause_part(comparison: Comparison, ids: list[str], column: np.ndarray) -> np.ndarray:
    """For each branch, "（第N条±x）" naming the clause that moved the item at ``column``
    most; "" where that item has no clause that moved."""
    changes = comparison.clause_changes
    zh = comparison.new.lang == "zh"
    texts = np.full(len(column), "", dtype=object)
    for index, item_id in enumerate(ids):
        keys = [key for key in changes.columns if key.rsplit("#", 1)[0] == item_id]
        rows = np.flatnonzero(column == index)
        if not keys or not len(rows):
            continue
        values = changes[keys].to_numpy(dtype=np.float64)[rows]
        best = np.argmax(np.abs(values), axis=1)
        value = values[np.arange(len(rows)), best]
        numbers = np.array([key.rsplit("#", 1)[1] for key in keys], dtype=object)[best]
        signs = np.where(value > 0, "+", "-").astype(object)
        amount = signs + fixed_text(np.abs(value), comparison.precision)
        text = ("（第" + numbers + "条" + amount + "）") if zh \
            else (" (clause " + numbers + " " + amount + ")")
        texts[rows] = np.where(value != 0, text, "")
    return texts
