"""Scoring every branch at once: points per item, base, bonus, penalty, total.

The work is columnar: each rule runs over a whole column (see
:mod:`inspect_score.scoring.rules`), several raters' rows are combined with grouped
array operations, and the only Python loops are over items, sections and
vetoes, never over branches.
"""

from __future__ import annotations

from collections.abc import Mapping

import attrs
import numpy as np
import pandas as pd

from inspect_score.checklists.conditions import field_column
from inspect_score.checklists.item_cells import item_cell_issues
from inspect_score.checklists.table import (
    BRANCH_ID,
    BRANCH_NAME,
    SOURCE_FILE,
    SOURCE_ROW,
    Checklists,
    text_array,
)
from inspect_score.errors import ChecklistError, Issue
from inspect_score.messages import msg
from inspect_score.rubric.model import Item, Rubric
from inspect_score.scoring.items import item_columns
from inspect_score.scoring.plain import indicator_slots as indicator_slots  # where they lived first
from inspect_score.scoring.plain import top_weights as top_weights
from inspect_score.scoring.rounding import round_points
from inspect_score.scoring.rules import condition_holds
from inspect_score.scoring.tables import Scores


def score(rubric: Rubric, checklists: Checklists,
          waived: Mapping[str, np.ndarray] | None = None) -> Scores:
    """Score every branch of the checklists against the rubric.

    Raises :class:`ChecklistError` with code ``missing-value`` for a blank
    under the ``error`` policy (the loader normally refuses those first), with
    ``direct-out-of-range`` for a ``direct`` cell outside its item's points and
    ``group-not-one`` for a branch to which not exactly one alternative of a
    group applies, on a row or across its raters' rows (every such cell of the
    run at once), and with code
    ``nothing-applicable`` for every branch none of whose indicators applies.

    ``waived`` (schema 2, for pricing fixes): by :func:`clause_key`, the checklist
    rows where that clause is taken to cost nothing.
    """
    frame = checklists.frame
    _refuse_error_blanks(rubric, frame)
    # the loader reports these with the other cell errors; a Checklists made
    # without it is refused all the same
    bad_cells = item_cell_issues(rubric, frame)
    if bad_cells:
        raise ChecklistError(bad_cells)
    codes, first_rows = _branch_codes(frame)
    branch_count = len(first_rows)
    grouping = RaterGrouping(codes, branch_count, rubric.raters, rubric.trim)

    per_item: list[np.ndarray] = []
    clause_names: list[str] = []
    clause_columns: list[np.ndarray] = []
    for item in rubric.items:
        mine = None
        if waived:
            mine = {number - 1: waived[clause_key(item.id, number)]
                    for number in range(1, len(item.clauses) + 1)
                    if clause_key(item.id, number) in waived}
        branch_points, costs = _branch_points(rubric, item, frame, grouping, mine)
        per_item.append(branch_points)
        if item.kind != "bonus":
            for number, cost in enumerate(costs, start=1):
                clause_names.append(clause_key(item.id, number))
                clause_columns.append(cost)
    points = _float_frame([item.id for item in rubric.items], per_item, branch_count)
    del per_item
    clauses = _float_frame(clause_names, clause_columns, branch_count)
    del clause_columns
    base = _base(rubric, points, frame, first_rows)
    bonus = _sum_of(rubric.bonuses, points, branch_count)
    bonus = round_points(np.minimum(bonus, rubric.bonus_cap), rubric.precision)
    penalty = round_points(_sum_of(rubric.penalties, points, branch_count), rubric.precision)
    total = round_points(np.maximum(0.0, base + bonus - penalty), rubric.precision)

    sections = _float_frame(
        [section.id for section in rubric.sections],
        [
            round_points(_sum_of(section_indicators(rubric, section.id), points, branch_count),
                         rubric.precision)
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
    outcome = _veto_summary(rubric, vetoes, branch_count)
    # a zero veto sets the total only: base, bonus, penalty and sections stay
    total = np.where(outcome.zeroed, 0.0, total)
    branches = pd.DataFrame(
        {
            BRANCH_ID: _first_rows_of(frame[BRANCH_ID], first_rows),
            BRANCH_NAME: _first_rows_of(frame[BRANCH_NAME], first_rows),
            "base": base,
            "bonus": bonus,
            "penalty": penalty,
            "total": total,
            "vetoed": text_array(outcome.labels),
            "veto_cap": outcome.cap,
            "zeroed": outcome.zeroed,
            "excluded": outcome.excluded,
            "excluded_label": text_array(outcome.excluded_label),
        },
        index=pd.RangeIndex(branch_count),
    )
    row_branch = pd.Series(codes, index=frame.index, name="branch", dtype=np.int64)
    return Scores(
        branches=branches, points=points, sections=sections, vetoes=vetoes,
        row_branch=row_branch, clauses=clauses,
    )


def item_scores(rubric: Rubric, item: Item, frame: pd.DataFrame) -> np.ndarray:
    """One item's points per branch (branches in order of first appearance), exactly as
    :func:`score` gives them: rounded on each row, raters' rows combined, rounded
    again; NaN where the item does not apply.

    An item's points depend on nothing but the fields it reads (its rule's, and
    its ``applies_if``'s): ``frame`` needs only those and the branch ids. For
    trying many values of one item at once.
    """
    codes, first_rows = _branch_codes(frame)
    grouping = RaterGrouping(codes, len(first_rows), rubric.raters, rubric.trim)
    return _branch_points(rubric, item, frame, grouping)[0]


def clause_key(item_id: str, number: int) -> str:
    """The column of ``Scores.clauses`` holding clause ``number`` (from 1) of an item."""
    return f"{item_id}#{number}"


def section_indicators(rubric: Rubric, section_id: str) -> list[Item]:
    """The indicators a section's points add up: its own and its child sections'."""
    inside = {section_id}
    for section in rubric.sections:  # parents come before their children
        if section.parent in inside:
            inside.add(section.id)
    return [item for item in rubric.indicators if item.section in inside]


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
                    msg("branch {branch}: {header} is blank; a value is required",
                        branch=frame[BRANCH_ID].iloc[position], header=field.header),
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


class RaterGrouping:
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
    rubric: Rubric, item: Item, frame: pd.DataFrame, grouping: RaterGrouping,
    waived: Mapping[int, np.ndarray] | None = None,
) -> tuple[np.ndarray, list[np.ndarray]]:
    """The item's points per branch: rounded per rater row, combined, rounded again;
    and, for a ``clauses`` item, each clause's cost per branch, rounded alike."""
    row_points, columns = item_columns(rubric, item, frame, waived)
    rows = [round_points(row_points, rubric.precision)]
    if columns is not None:
        # a clause's cost counts over the rows where its item applies, as the points do
        not_applying = np.isnan(row_points)
        rows += [np.where(not_applying, np.nan, round_points(cost, rubric.precision))
                 for cost in columns.costs]
    if grouping.single:
        combined = [grouping.combine(row) for row in rows]
    else:
        combined = [round_points(grouping.combine(row), rubric.precision) for row in rows]
    if len(combined) > 1:
        # a branch with no applicable row has no cost (NaN would read as lost points)
        combined[1:] = [np.nan_to_num(cost, nan=0.0) for cost in combined[1:]]
    return combined[0], combined[1:]


def _sum_of(items: tuple[Item, ...] | list[Item], points: pd.DataFrame, count: int) -> np.ndarray:
    """Sum of the items' points per branch, n/a counting 0."""
    total = np.zeros(count)
    for item in items:
        total += np.nan_to_num(points[item.id].to_numpy(dtype=np.float64), nan=0.0)
    return total


def _base(
    rubric: Rubric, points: pd.DataFrame, frame: pd.DataFrame, first_rows: np.ndarray
) -> np.ndarray:
    """Base points: the indicators' (weighted) sum, rescaled to the total where some
    do not apply. Alternatives of a group are one slot: it applies where one does."""
    branch_count = len(points)
    weights = top_weights(rubric)
    earned = np.zeros(branch_count)
    applicable_max = np.zeros(branch_count)
    not_applicable = np.zeros(branch_count, dtype=np.int64)
    for slot in indicator_slots(rubric):
        weight = weights[slot[0].section or ""]
        values = np.column_stack([points[item.id].to_numpy(dtype=np.float64) for item in slot])
        blank = np.isnan(values).all(axis=1)
        earned += weight * np.nan_to_num(values, nan=0.0).sum(axis=1)
        applicable_max += np.where(blank, 0.0, weight * slot[0].max)
        not_applicable += blank
    nothing = not_applicable == len(indicator_slots(rubric))
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
            msg("branch {branch}: no indicator applies (every value they read is blank under "
                'missing = "na"); nothing can be scored',
                branch=frame[BRANCH_ID].iloc[position]),
            path=_source_file(frame, position),
            row=_source_row(frame, position),
            column=None,
        )
        for position in map(int, rows)
    ]
    raise ChecklistError(issues)


@attrs.frozen
class _VetoOutcome:
    #: triggered veto ids joined by ";" in rubric order
    labels: np.ndarray
    #: index of the best grade allowed by ``cap`` vetoes (0 = none)
    cap: np.ndarray
    zeroed: np.ndarray
    excluded: np.ndarray
    #: the first triggered exclude veto's label ("" where none)
    excluded_label: np.ndarray


def _veto_summary(rubric: Rubric, vetoes: pd.DataFrame, branch_count: int) -> _VetoOutcome:
    """What the triggered vetoes do. The strongest wins: exclude, then zero, then the
    lowest cap (a branch excluded or zeroed keeps its cap, which then changes nothing)."""
    labels = np.full(branch_count, "", dtype=object)
    cap = np.zeros(branch_count, dtype=np.int64)
    zeroed = np.zeros(branch_count, dtype=bool)
    excluded = np.zeros(branch_count, dtype=bool)
    excluded_label = np.full(branch_count, "", dtype=object)
    for veto in rubric.vetoes:
        triggered = vetoes[veto.id].to_numpy(dtype=bool)
        if not triggered.any():
            continue
        separator = np.where(labels[triggered] == "", "", ";")
        labels[triggered] = labels[triggered] + separator + veto.id
        if veto.action == "cap":
            cap = np.maximum(cap, np.where(triggered, rubric.grade_index(veto.grade), 0))
        elif veto.action == "zero":
            zeroed |= triggered
        else:
            excluded_label[triggered & ~excluded] = veto.label
            excluded |= triggered
    return _VetoOutcome(labels=labels, cap=cap, zeroed=zeroed & ~excluded, excluded=excluded,
                        excluded_label=excluded_label)
