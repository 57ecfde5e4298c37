"""A rubric's conditions over whole checklist columns.

What a condition (``applies_if``, a fault clause's, a ``check``'s) reads in a
checklist column is both what scoring evaluates and what loading checks some
cells against (an alternative of a group applies to a row, a ``direct`` cell
is read only where its item applies), so it lives with the checklists.
Blanks follow the spec's "Precise readings": read literally (0, false, no
choice), and where the field's policy is ``na`` whatever reads it does not apply.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from inspect_score.rubric.model import Condition, Item, Op, Rubric

OPERATORS: dict[Op, Callable[[Any, Any], Any]] = {
    ">=": operator.ge,
    ">": operator.gt,
    "<=": operator.le,
    "<": operator.lt,
    "==": operator.eq,
    "!=": operator.ne,
}


def field_column(rubric: Rubric, frame: pd.DataFrame, field_id: str) -> pd.Series:
    """The field's column; a column the frame lacks is blank in every row."""
    if field_id in frame.columns:
        return frame[field_id]
    if rubric.field(field_id).type == "choice":
        categories = list(rubric.field(field_id).choices)
        blank = pd.Categorical([None] * len(frame), categories=categories)
        return pd.Series(blank, index=frame.index)
    return pd.Series(np.nan, index=frame.index, dtype=np.float64)


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
