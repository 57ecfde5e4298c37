"""Scoring every branch at once: points per item, base, bonus, penalty, total.

The work is columnar: each rule runs over a whole column (see
:mod:`inspect_score.scoring.rules`), several raters' rows are combined with grouped
array operations, and the only Python loops are over items, sections and
vetoes, never over branches.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from inspect_score.checklists.table import (
    BRANCH_ID,
    BRANCH_NAME,
    SOURCE_FILE,
    SOURCE_ROW,
    Checklists,
    text_array,
)
from inspect_score.errors import ChecklistError, Issue
from inspect_score.rubric.model import Item, Rubric
from inspect_score.scoring.rounding import round_points
from inspect_score.scoring.rules import condition_holds, field_column, item_points
from inspect_score.scoring.tables import Scores


def score(rubric: Rubric, checklists: Checklists) -> Scores:
    """Score every branch of the checklists against the rubric.

    Raises :class:`ChecklistError` with code ``missing-value`` for a blank
    under the ``error`` policy (the loader normally refuses those first), and
    with code ``nothing-applicable`` for every branch none of whose indicators
    applies.
    """
    frame = checklists.frame
    _refuse_error_blanks(rubric, frame)
    codes, first_rows = _branch_codes(frame)
    branch_count = len(first_rows)
    grouping = _RaterGrouping(codes, branch_count, rubric.raters, rubric.trim)

    points = _float_frame(
        [item.id for item in rubric.items],
        [_branch_points(rubric, item, frame, grouping) for item in rubric.items],
        branch_count,
    )
    base = _base(rubric, points, frame, first_rows)
    bonus = _sum_of(rubric.bonuses, points, branch_count)
    bonus = round_points(np.minimum(bonus, rubric.bonus_cap), rubric.precision)
    penalty = round_points(_sum_of(rubric.penalties, points, branch_count), rubric.precision)
    total = round_points(np.maximum(0.0, base + bonus - penalty), rubric.precision)

    sections = _float_frame(
        [section.id for section in rubric.sections],
        [
            round_points(
                _sum_of(
                    [item for item in rubric.indicators if item.section == section.id],
                    points,
                    branch_count,
                ),
                rubric.precision,
            )
            for section in rubric.sections
        ],
        branch_count,
    )
    vetoes = pd.DataFrame(
        {
            veto.id: grouping.any(condition_holds(rubric, frame, veto.field, veto.op, veto.value))
            for veto in rubric.vetoes
        },
        index=pd.RangeIndex(branch_count),
        dtype=bool,
    )
    vetoed, veto_cap = _veto_summary(rubric, vetoes, branch_count)
    branches = pd.DataFrame(
        {
            BRANCH_ID: _first_rows_of(frame[BRANCH_ID], first_rows),
            BRANCH_NAME: _first_rows_of(frame[BRANCH_NAME], first_rows),
            "base": base,
            "bonus": bonus,
            "penalty": penalty,
            "total": total,
            "vetoed": text_array(vetoed),
            "veto_cap": veto_cap,
        },
        index=pd.RangeIndex(branch_count),
    )
    row_branch = pd.Series(codes, index=frame.index, name="branch", dtype=np.int64)
    return Scores(
        branches=branches, points=points, sections=sections, vetoes=vetoes, row_branch=row_branch
    )


def _first_rows_of(
    column: pd.Series, first_rows: np.ndarray
) -> pd.api.extensions.ExtensionArray:
    """A column's values at each branch's first row; with one row per branch, the
    column's own (immutable Arrow) array, shared rather than copied."""
    values: pd.api.extensions.ExtensionArray = column.array
    if len(first_rows) == len(column):  # first_rows ascend: they are every row
        return values
    return values.take(first_rows)


def _float_frame(names: list[str], columns: list[np.ndarray], rows: int) -> pd.DataFrame:
    """One float column per name, built as a single block: a dict of a million-row
    columns would be copied column by column into one block anyway."""
    block = np.empty((rows, len(names)), dtype=np.float64)
    for position, column in enumerate(columns):
        block[:, position] = column
    return pd.DataFrame(block, columns=names, index=pd.RangeIndex(rows), copy=False)


def _refuse_error_blanks(rubric: Rubric, frame: pd.DataFrame) -> None:
    """Blanks under ``error`` must never be scored, even if one slips past the loader."""
    issues: list[Issue] = []
    for field in rubric.fields:
        if rubric.missing_policy(field.id) != "error":
            continue
        blank = field_column(rubric, frame, field.id).isna().to_numpy()
        for position in map(int, np.flatnonzero(blank)):
            issues.append(
                Issue(
                    "missing-value",
                    f"branch {frame[BRANCH_ID].iloc[position]}: {field.header} is blank; "
                    "a value is required",
                    path=_source_file(frame, position),
                    row=_source_row(frame, position),
                    column=field.header,
                )
            )
    if issues:
        raise ChecklistError(issues)


def _source_file(frame: pd.DataFrame, position: int) -> str:
    return str(frame[SOURCE_FILE].iloc[position]) if SOURCE_FILE in frame.columns else ""


def _source_row(frame: pd.DataFrame, position: int) -> int | None:
    return int(frame[SOURCE_ROW].iloc[position]) if SOURCE_ROW in frame.columns else None


def _branch_codes(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Each row's branch position (order of first appearance) and each branch's first row."""
    codes, _ = pd.factorize(frame[BRANCH_ID], sort=False)
    codes = codes.astype(np.int64)
    first_rows = np.flatnonzero(~pd.Series(codes).duplicated().to_numpy())
    # factorize numbers branches by first appearance, so first rows are in branch order
    return codes, first_rows


class _RaterGrouping:
    """Combines per-row values into per-branch values with the rubric's rater method."""

    def __init__(self, codes: np.ndarray, branch_count: int, method: str, trim: int) -> None:
        self.codes = codes
        self.branch_count = branch_count
        self.method = method
        self.trim = trim
        #: one row per branch: nothing to combine, and the fast path for big runs
        self.single = len(codes) == branch_count

    def combine(self, row_points: np.ndarray) -> np.ndarray:
        """Per-branch points over the rows where the item applies; NaN where none does."""
        if self.single:
            result = np.full(self.branch_count, np.nan)
            result[self.codes] = row_points
            return result
        applies = ~np.isnan(row_points)
        codes, values = self.codes[applies], row_points[applies]
        if self.method == "median":
            return self._median(codes, values)
        if self.method == "trimmed_mean":
            codes, values = self._trimmed(codes, values)
        return self._mean(codes, values)

    def any(self, row_flags: np.ndarray) -> np.ndarray:
        """Per-branch: whether any of the branch's rows is flagged."""
        hits = np.bincount(self.codes[row_flags], minlength=self.branch_count)
        return np.asarray(hits > 0, dtype=bool)

    def _mean(self, codes: np.ndarray, values: np.ndarray) -> np.ndarray:
        sums = np.bincount(codes, weights=values, minlength=self.branch_count)
        counts = np.bincount(codes, minlength=self.branch_count)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)

    def _median(self, codes: np.ndarray, values: np.ndarray) -> np.ndarray:
        medians = pd.Series(values).groupby(codes).median()
        result = np.full(self.branch_count, np.nan)
        result[medians.index.to_numpy()] = medians.to_numpy()
        return result

    def _trimmed(self, codes: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Drop ``trim`` rows at each end of every branch that has more than ``2 * trim``."""
        order = np.lexsort((values, codes))
        codes, values = codes[order], values[order]
        sizes = np.bincount(codes, minlength=self.branch_count)[codes]
        new_group = np.ones(len(codes), dtype=bool)
        new_group[1:] = codes[1:] != codes[:-1]
        group_starts = np.flatnonzero(new_group)
        start_of_row = np.repeat(group_starts, np.diff(np.r_[group_starts, len(codes)]))
        rank = np.arange(len(codes)) - start_of_row
        keep = (sizes <= 2 * self.trim) | ((rank >= self.trim) & (rank < sizes - self.trim))
        return codes[keep], values[keep]


def _branch_points(
    rubric: Rubric, item: Item, frame: pd.DataFrame, grouping: _RaterGrouping
) -> np.ndarray:
    """The item's points per branch: rounded per rater row, combined, rounded again."""
    row_points = round_points(item_points(rubric, item, frame), rubric.precision)
    if grouping.single:
        return grouping.combine(row_points)
    return round_points(grouping.combine(row_points), rubric.precision)


def _sum_of(items: tuple[Item, ...] | list[Item], points: pd.DataFrame, count: int) -> np.ndarray:
    """Sum of the items' points per branch, n/a counting 0."""
    total = np.zeros(count)
    for item in items:
        total += np.nan_to_num(points[item.id].to_numpy(dtype=np.float64), nan=0.0)
    return total


def _base(
    rubric: Rubric, points: pd.DataFrame, frame: pd.DataFrame, first_rows: np.ndarray
) -> np.ndarray:
    """Base points: the indicators' sum, rescaled to the total where some do not apply."""
    branch_count = len(points)
    earned = _sum_of(rubric.indicators, points, branch_count)
    applicable_max = np.zeros(branch_count)
    not_applicable = np.zeros(branch_count, dtype=np.int64)
    for item in rubric.indicators:
        blank = points[item.id].isna().to_numpy()
        applicable_max += np.where(blank, 0.0, item.max)
        not_applicable += blank
    nothing = not_applicable == len(rubric.indicators)
    if nothing.any():
        _refuse_nothing_applicable(frame, first_rows[nothing])
    all_apply = not_applicable == 0
    # indicators worth 0 points can leave nothing to rescale by
    divisor = np.where(applicable_max > 0, applicable_max, np.inf)
    rescaled = rubric.total * earned / divisor
    return round_points(np.where(all_apply, earned, rescaled), rubric.precision)


def _refuse_nothing_applicable(frame: pd.DataFrame, rows: np.ndarray) -> None:
    issues = [
        Issue(
            "nothing-applicable",
            f"branch {frame[BRANCH_ID].iloc[position]}: no indicator applies "
            '(every value they read is blank under missing = "na"); nothing can be scored',
            path=_source_file(frame, position),
            row=_source_row(frame, position),
            column=None,
        )
        for position in map(int, rows)
    ]
    raise ChecklistError(issues)


def _veto_summary(
    rubric: Rubric, vetoes: pd.DataFrame, branch_count: int
) -> tuple[np.ndarray, np.ndarray]:
    """Triggered veto ids joined by ";" in rubric order, and the grade cap (0 = none)."""
    labels = np.full(branch_count, "", dtype=object)
    cap = np.zeros(branch_count, dtype=np.int64)
    for veto in rubric.vetoes:
        triggered = vetoes[veto.id].to_numpy(dtype=bool)
        if not triggered.any():
            continue
        separator = np.where(labels[triggered] == "", "", ";")
        labels[triggered] = labels[triggered] + separator + veto.id
        cap = np.maximum(cap, np.where(triggered, rubric.grade_index(veto.grade), 0))
    return labels, cap
