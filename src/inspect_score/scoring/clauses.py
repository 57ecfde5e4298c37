"""Schema 2 rules as whole columns: clauses, direct entry, and ``applies_if``.

Like :mod:`inspect_score.scoring.rules`, every function works on one item
over all checklist rows at once. Blanks follow the spec's "Precise readings":
under ``zero`` a clause reads a blank literally (0, false, no choice) and
evaluates its condition on that reading, so a blank can cost points; under
``na`` a clause whose fields are all blank costs nothing and does not apply.
"""

from __future__ import annotations

import attrs
import numpy as np
import pandas as pd

from inspect_score.rubric.model import Clause, Condition, Item, Rubric
from inspect_score.scoring.rules import OPERATORS, field_column


@attrs.frozen
class ClauseColumns:
    """What each clause of an item costs per checklist row, and where it applies."""

    #: one float array per clause: its cost after its cap (0 where it does not apply)
    costs: tuple[np.ndarray, ...]
    #: one bool array per clause: where it applies (some of its fields not blank
    #: under ``na``; everywhere otherwise)
    applies: tuple[np.ndarray, ...]


def literal_numbers(rubric: Rubric, frame: pd.DataFrame,
                    field_id: str) -> tuple[np.ndarray, np.ndarray]:
    """A numeric or bool field read literally: blank as 0 (false), and where it is
    blank under ``na`` (where whatever reads it does not apply)."""
    numbers = field_column(rubric, frame, field_id).to_numpy(dtype=np.float64, na_value=np.nan)
    blank = np.isnan(numbers)
    na_blank = blank & (rubric.missing_policy(field_id) == "na")
    return np.where(blank, 0.0, numbers), na_blank


def condition_literal(rubric: Rubric, frame: pd.DataFrame,
                      condition: Condition) -> tuple[np.ndarray, np.ndarray]:
    """Where a clause or ``applies_if`` condition holds on the literal reading,
    and where its field is blank under ``na``.

    A choice blank is no choice and matches nothing; a number or bool blank
    reads 0 / false (only under ``zero``: ``error`` blanks never get here).
    """
    field = rubric.field(condition.field)
    if field.type == "choice":
        column = field_column(rubric, frame, condition.field)
        text = column.astype(object).to_numpy()
        blank = column.isna().to_numpy()
        holds = np.zeros(len(frame), dtype=bool)
        for value in condition.values:
            # a blank (NaN) is no choice: equal to none, different from every one
            holds |= np.asarray(OPERATORS[condition.op](text, str(value)), dtype=bool)
        na_blank = blank & (rubric.missing_policy(condition.field) == "na")
        return holds & ~na_blank, na_blank
    numbers, na_blank = literal_numbers(rubric, frame, condition.field)
    holds = np.zeros(len(frame), dtype=bool)
    for value in condition.values:
        holds |= np.asarray(OPERATORS[condition.op](numbers, float(value)), dtype=bool)
    return holds & ~na_blank, na_blank


def applies_if_mask(rubric: Rubric, item: Item,
                    frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Where the item's ``applies_if`` holds, and where its field is blank under
    ``na`` (the item is then not applicable); everywhere and nowhere without one."""
    if item.applies_if is None:
        return np.ones(len(frame), dtype=bool), np.zeros(len(frame), dtype=bool)
    return condition_literal(rubric, frame, item.applies_if)


def clause_columns(rubric: Rubric, item: Item, frame: pd.DataFrame) -> ClauseColumns:
    """Every clause's cost and applicability, per checklist row."""
    costs, applies = [], []
    for clause in item.clauses:
        cost, applying = _clause_cost(rubric, clause, frame)
        if clause.cap is not None:
            cost = np.minimum(cost, clause.cap)
        costs.append(np.where(applying, cost, 0.0))
        applies.append(applying)
    return ClauseColumns(costs=tuple(costs), applies=tuple(applies))


def _clause_cost(rubric: Rubric, clause: Clause,
                 frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    if clause.shape == "fault":
        assert clause.condition is not None
        holds, na_blank = condition_literal(rubric, frame, clause.condition)
        return np.where(holds, clause.points, 0.0), ~na_blank
    if clause.shape in ("count", "shortfall"):
        assert clause.field is not None
        values, na_blank = literal_numbers(rubric, frame, clause.field)
        if clause.shape == "count":
            return clause.per * np.maximum(values, 0.0), ~na_blank
        return clause.per * np.maximum(clause.below - values, 0.0), ~na_blank
    false_count = np.zeros(len(frame), dtype=np.float64)
    true_any = np.zeros(len(frame), dtype=bool)
    some_read = np.zeros(len(frame), dtype=bool)
    for field_id in clause.fields:
        values, na_blank = literal_numbers(rubric, frame, field_id)
        read = ~na_blank
        false_count += read & (values != 1.0)
        true_any |= read & (values == 1.0)
        some_read |= read
    if clause.shape == "list":
        return clause.per * false_count, some_read
    return np.where(true_any, clause.points, 0.0), some_read


def clauses_points(item: Item, columns: ClauseColumns) -> tuple[np.ndarray, np.ndarray]:
    """An item's points from its clauses (unclipped) and where it applies (some clause does).

    An indicator keeps ``max`` minus what its clauses cost; a bonus gains, and a
    penalty deducts, what they count.
    """
    count = len(columns.costs[0]) if columns.costs else 0
    total = np.zeros(count, dtype=np.float64)
    applies = np.zeros(count, dtype=bool)
    for cost, applying in zip(columns.costs, columns.applies, strict=True):
        total += cost
        applies |= applying
    points = item.max - total if item.kind == "indicator" else total
    return points, applies


def direct_points(rubric: Rubric, item: Item, frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Points entered by the inspector: given (``points``) or taken off (``lost``,
    3 or -3 alike); where the cell is blank under ``na`` the item does not apply."""
    assert item.field is not None
    values, na_blank = literal_numbers(rubric, frame, item.field)
    if item.entry == "lost":
        return item.max - np.abs(values), ~na_blank
    return values, ~na_blank


def direct_out_of_range(item: Item, values: np.ndarray) -> np.ndarray:
    """Where a direct cell is outside what the item can give (never clipped: the
    inspector must be told)."""
    with np.errstate(invalid="ignore"):
        if item.entry == "lost":
            return np.asarray(np.abs(values) > item.max, dtype=bool)
        return np.asarray((values < 0) | (values > item.max), dtype=bool)
