"""Schema 2 rules as whole columns: clauses and direct entry (``applies_if`` is read
by :mod:`inspect_score.checklists.conditions`).

Like :mod:`inspect_score.scoring.rules`, every function works on one item
over all checklist rows at once. Blanks follow the spec's "Precise readings":
under ``zero`` a clause reads a blank literally (0, false, no choice) and
evaluates its condition on that reading, so a blank can cost points; under
``na`` a clause whose fields are all blank costs nothing and does not apply.
A clause with its own ``applies_if`` applies only on rows where that holds
(a blank in its field follows that field's policy, as an item's does); elsewhere
it costs nothing and its own fields are not read.
"""

from __future__ import annotations

import attrs
import numpy as np
import pandas as pd

from inspect_score.checklists.conditions import condition_literal, literal_numbers
from inspect_score.rubric.model import Clause, Item, Rubric


@attrs.frozen
class ClauseColumns:
    """What each clause of an item costs per checklist row, and where it applies."""

    #: one float array per clause: its cost after its cap (0 where it does not apply)
    costs: tuple[np.ndarray, ...]
    #: one bool array per clause: where it applies (its ``applies_if`` holding, and
    #: some of its fields not blank under ``na``; everywhere otherwise)
    applies: tuple[np.ndarray, ...]


def clause_columns(rubric: Rubric, item: Item, frame: pd.DataFrame) -> ClauseColumns:
    """Every clause's cost and applicability, per checklist row."""
    costs, applies = [], []
    for clause in item.clauses:
        cost, applying = _clause_cost(rubric, clause, frame)
        if clause.applies_if is not None:
            # where it fails (or its field is blank under na) the clause is not read
            applying = applying & clause_holds(rubric, clause, frame)
        if clause.cap is not None:
            cost = np.minimum(cost, clause.cap)
        costs.append(np.where(applying, cost, 0.0))
        applies.append(applying)
    return ClauseColumns(costs=tuple(costs), applies=tuple(applies))


def clause_holds(rubric: Rubric, clause: Clause, frame: pd.DataFrame) -> np.ndarray:
    """Where the clause's ``applies_if`` holds (everywhere without one): a blank in its
    field under ``na`` holds nowhere."""
    if clause.applies_if is None:
        return np.ones(len(frame), dtype=bool)
    return condition_literal(rubric, frame, clause.applies_if)[0]


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
