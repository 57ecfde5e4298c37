"""Ranking branches and giving them grades, quotas included.

Ranking is by total, best first, with equal totals sharing a rank (1, 2, 2, 4)
and listed by branch id in natural order (B2 before B10). Grades follow the
rubric's minimums, capped by vetoes, then quotas: a grade with ``max_share``
goes to at most ``floor(share * branches)`` branches in rank order; branches
tied at the cut, and every branch below them, fall to the next grade.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from inspect_score.checklists.table import BRANCH_ID, BRANCH_NAME, text_array, text_taken
from inspect_score.errors import ChecklistError, Issue
from inspect_score.messages import Message, msg
from inspect_score.rubric.model import Rubric
from inspect_score.scoring.plain import lower_places as lower_places  # where they lived first
from inspect_score.scoring.plain import quota_places as quota_places
from inspect_score.scoring.plain import upper_places as upper_places
from inspect_score.scoring.tables import Scores

_RANKING_HEAD = ("rank", BRANCH_ID, BRANCH_NAME, "total", "base", "bonus", "penalty")
_RANKING_GRADES = ("grade", "grade_without_quota", "vetoed")


def rank_and_grade(rubric: Rubric, scores: Scores) -> pd.DataFrame:
    """The ranking table: one row per branch, best first (see ``Results.ranking``).

    Branches excluded by a veto come after every ranked branch, in natural id
    order, with ``rank`` empty (the column is then a nullable integer) and the
    veto's label as their grade; quotas count ranked branches only. Raises
    :class:`ChecklistError` (``quota-conflict``) when the run cannot satisfy a
    lower quota together with the upper quotas.
    """
    branches = scores.branches
    totals = branches["total"].to_numpy(dtype=np.float64)
    ids = branches[BRANCH_ID].to_numpy()
    excluded = _flag(branches, "excluded")
    ranked = np.flatnonzero(~excluded)
    left_out = np.flatnonzero(excluded)
    ranked = ranked[ranking_order(totals[ranked], ids[ranked])]
    left_out = left_out[natural_order(ids[left_out])]
    order = np.concatenate([ranked, left_out]).astype(np.int64)
    sorted_totals = totals[ranked]
    # competition ranking: a branch's rank is 1 + the number of better totals
    ranks = np.searchsorted(-sorted_totals, -sorted_totals, side="left") + 1

    names = [grade.name for grade in rubric.grades]
    labels: list[str] = (branches["excluded_label"].to_numpy(dtype=object)[left_out].tolist()
                         if len(left_out) else [])
    if names:
        caps = branches["veto_cap"].to_numpy(dtype=np.int64)[ranked]
        without_quota = np.maximum(grade_by_total(rubric, sorted_totals), caps)
        with_quota = apply_quotas(rubric, sorted_totals, without_quota)
        grade = _with_labels(text_taken(names, with_quota), labels)
        grade_without_quota = _with_labels(text_taken(names, without_quota), labels)
    else:  # a score-only rubric: no grade, but an excluded branch shows its label
        grade = _with_labels(text_array([""] * len(ranked)), labels)
        grade_without_quota = grade
    rank: object = ranks.astype(np.int64)
    if len(left_out):
        rank = pd.array([*ranks.tolist(), *([None] * len(left_out))], dtype="Int64")
    columns: dict[str, object] = {
        "rank": rank,
        BRANCH_ID: branches[BRANCH_ID].array.take(order),
        BRANCH_NAME: branches[BRANCH_NAME].array.take(order),
        "total": totals[order],
        "base": branches["base"].to_numpy(dtype=np.float64)[order],
        "bonus": branches["bonus"].to_numpy(dtype=np.float64)[order],
        "penalty": branches["penalty"].to_numpy(dtype=np.float64)[order],
        "grade": grade,
        "grade_without_quota": grade_without_quota,
        "vetoed": branches["vetoed"].array.take(order),
    }
    for section in rubric.sections:
        columns[section.id] = scores.sections[section.id].to_numpy(dtype=np.float64)[order]
    columns["position"] = order
    ranking = pd.DataFrame(columns, index=pd.RangeIndex(len(order)))
    return ranking


def _flag(branches: pd.DataFrame, name: str) -> np.ndarray:
    if name not in branches.columns:
        return np.zeros(len(branches), dtype=bool)
    return branches[name].to_numpy(dtype=bool)


def _with_labels(grades: pd.api.extensions.ExtensionArray,
                 labels: list[str]) -> pd.api.extensions.ExtensionArray:
    """The ranked branches' grades, then the excluded branches' labels."""
    if not labels:
        return grades
    return text_array([*np.asarray(grades, dtype=object).tolist(), *labels])


def ranking_order(totals: np.ndarray, branch_ids: np.ndarray) -> np.ndarray:
    """Positions of branches in ranking order: total descending, then natural id order."""
    by_id = natural_order(branch_ids)
    # a stable sort by total keeps natural id order among equal totals
    return by_id[np.argsort(-totals[by_id], kind="stable")]


def grade_by_total(rubric: Rubric, totals: np.ndarray) -> np.ndarray:
    """Index of the best grade whose minimum each (rounded) total reaches."""
    minimums = np.array([grade.min for grade in rubric.grades], dtype=np.float64)
    # minimums fall strictly, so the best grade reached is the number of
    # minimums the total stays below; exact comparison: 89.99 is not 90
    ascending = minimums[::-1]
    below = len(minimums) - np.searchsorted(ascending, totals, side="right")
    return np.minimum(below, len(minimums) - 1).astype(np.int64)


def apply_quotas(rubric: Rubric, sorted_totals: np.ndarray, grades: np.ndarray) -> np.ndarray:
    """Grades after quotas, for ranked branches already in ranking order.

    Upper quotas first, best grade first: the holders past the places, and
    everyone tied with the first left out, fall to the next grade. Then lower
    quotas, best grade first: while too few branches hold a grade or a worse
    one, the lowest-ranked branch with a better grade moves down to it, with
    every branch tied with it; done at once by finding the total of the last
    branch that has to move.
    """
    grades = grades.copy()
    branch_count = len(grades)
    for index, grade in enumerate(rubric.grades[:-1]):
        places = upper_places(grade, branch_count)
        if places is None:
            continue
        holders = np.flatnonzero(grades == index)
        if len(holders) <= places:
            continue
        # the first branch left out decides the cut; everyone tied with it
        # falls too, and so does everyone ranked below
        cut_total = sorted_totals[holders[places]]
        holder_totals = sorted_totals[holders]
        first_tied = int(np.searchsorted(-holder_totals, -cut_total, side="left"))
        grades[holders[first_tied:]] = index + 1
    for index, grade in enumerate(rubric.grades):
        needed = lower_places(grade, branch_count)
        if needed is None:
            continue
        if needed > branch_count:
            raise _conflict(rubric, msg("grade '{name}' or worse needs {needed} branches but "
                                        "only {count} are ranked", name=grade.name,
                                        needed=needed, count=branch_count))
        short = needed - int((grades >= index).sum())
        if short <= 0:
            continue
        better = np.flatnonzero(grades < index)[::-1]  # lowest-ranked first
        cut_total = sorted_totals[better[short - 1]]
        moving = better[sorted_totals[better] <= cut_total]
        grades[moving] = index
        places = upper_places(grade, branch_count)
        holding = int((grades == index).sum())
        if places is not None and holding > places:
            raise _conflict(rubric, msg("grade '{name}' or worse needs {needed} branches, "
                                        "which puts {holding} in '{name}', more than its "
                                        "{places} places", name=grade.name, needed=needed,
                                        holding=holding, places=places))
    return grades


def _conflict(rubric: Rubric, problem: Message) -> ChecklistError:
    return ChecklistError([Issue("quota-conflict", msg(
        "the quotas cannot all hold for this run: {problem}", problem=problem),
        path=rubric.source)])


def natural_order(texts: np.ndarray) -> np.ndarray:
    """Positions of the texts in natural order (B2 before B10), ties broken by the text.

    Natural order compares digit runs by their value and everything else by
    code point, like natsort's default. Instead of a Python key per text, every
    digit run is rewritten in place as a marker followed by the run padded with
    zeros to the longest run's width, so that plain string order is natural
    order; the rewrite works on the texts' code points as one integer matrix.
    """
    if len(texts) == 0:
        return np.zeros(0, dtype=np.int64)
    plain = np.asarray(texts, dtype=str)
    if _digits_aligned(plain):
        # ids of one pattern (SQ0001, SQ0002, ...): plain order is natural order
        return np.argsort(plain, kind="stable").astype(np.int64)
    keys = natural_keys(plain)
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    if (sorted_keys[1:] == sorted_keys[:-1]).any():
        # equal keys ("B01", "B1") are rare: only then pay for the second key
        order = np.lexsort((plain, keys))
    return order.astype(np.int64)


def _digits_aligned(plain: np.ndarray) -> bool:
    """Whether every text has the same length and digits in the same places.

    Then every pair of digit runs compared has equal width, and comparing them
    as text compares their values: plain order is natural order.
    """
    points = np.ascontiguousarray(plain).view(np.uint32).reshape(len(plain), -1)
    present = points != 0  # NumPy pads shorter texts with zeros
    digit = (points >= _ZERO) & (points <= ord("9"))
    return bool((present == present[0]).all() and (digit == digit[0]).all())


#: Written before every digit run: it sorts before any character, so a text
#: whose letters stop where another's go on comes first, as in natsort.
_RUN_MARK = 1
_ZERO = ord("0")


def natural_keys(plain: np.ndarray) -> np.ndarray:
    """Strings that sort in natural order: each digit run becomes mark + padded digits."""
    width = max(plain.dtype.itemsize // 4, 1)
    points = np.zeros((len(plain), width), dtype=np.uint32)
    points[:, : plain.dtype.itemsize // 4] = (
        np.ascontiguousarray(plain).view(np.uint32).reshape(len(plain), -1)
    )
    digit = (points >= _ZERO) & (points <= ord("9"))
    if not digit.any():
        return plain
    previous_digit = np.zeros_like(digit)
    previous_digit[:, 1:] = digit[:, :-1]
    run_start = digit & ~previous_digit
    # runs counted from 1; 0 before the first
    run_number = np.cumsum(run_start, axis=1, dtype=np.int64)
    most_runs = int(run_number.max())

    rows = np.broadcast_to(np.arange(len(plain))[:, None], points.shape)
    slots = most_runs + 1
    run_slot = (rows * slots + run_number)[digit]
    run_length = np.bincount(run_slot, minlength=len(plain) * slots).reshape(-1, slots)
    pad_width = int(run_length.max())
    # each run grows by a mark plus the zeros that pad it to pad_width digits
    growth = np.where(run_length > 0, 1 + pad_width - run_length, 0)
    growth[:, 0] = 0
    growth_through = np.cumsum(growth, axis=1)

    # a digit sits at the right end of its padded run; a letter after run k
    # moves by the growth of runs 1..k
    shift = np.take_along_axis(growth_through, run_number, axis=1)
    present = points != 0
    target = np.arange(width)[None, :] + shift
    out_width = width + int(growth_through[:, -1].max())
    keys = np.zeros((len(plain), out_width), dtype=np.uint32)
    # flat indices: much faster than a pair of index arrays
    flat_target = (rows * out_width + target)[present]
    keys.reshape(-1)[flat_target] = points[present]

    lengths = present.sum(axis=1) + growth_through[:, -1]
    inside = np.arange(out_width)[None, :] < lengths[:, None]
    keys[inside & (keys == 0)] = _ZERO
    starts = np.flatnonzero(run_start.ravel())
    start_rows, start_columns = np.divmod(starts, width)
    mark_columns = start_columns + growth_through[start_rows, run_number.ravel()[starts] - 1]
    keys.reshape(-1)[start_rows * out_width + mark_columns] = _RUN_MARK
    return keys.view(f"<U{out_width}").ravel()
