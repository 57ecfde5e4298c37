"""The rubric's rules, each turning a whole checklist column into points.

Every function works on one item over all checklist rows at once and returns
the item's points per row, unrounded and clipped to 0..max, with NaN where the
item is not applicable (a blank under the ``na`` policy). Missing policies are
applied here because they depend on how a rule reads its value: a blank under
``zero`` counts as 0 in arithmetic, but a condition on it never holds.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from inspect_score.checklists.conditions import OPERATORS, field_column
from inspect_score.rubric.model import CheckValue, Item, Op, Rubric


def condition_holds(
    rubric: Rubric, frame: pd.DataFrame, field_id: str, op: Op, value: CheckValue
) -> np.ndarray:
    """Where ``field op value`` holds: never on a blank, whatever the policy."""
    column = field_column(rubric, frame, field_id)
    blank = column.isna().to_numpy()
    field_type = rubric.field(field_id).type
    if field_type in ("choice", "text"):
        # choices and text only compare for (in)equality with a string
        as_text = column.astype(object).to_numpy()
        holds = np.asarray(OPERATORS[op](as_text, str(value)), dtype=bool)
    else:
        numbers = column.to_numpy(dtype=np.float64, na_value=np.nan)
        holds = np.asarray(OPERATORS[op](numbers, float(value)), dtype=bool)
    return holds & ~blank


def _numbers(rubric: Rubric, frame: pd.DataFrame, field_id: str) -> tuple[np.ndarray, np.ndarray]:
    """A numeric field's values with blanks resolved, and where they apply.

    Under ``zero`` a blank is 0 and applies; under ``na`` (and ``error``,
    whose blanks the loader refuses) it does not apply.
    """
    column = field_column(rubric, frame, field_id)
    numbers = column.to_numpy(dtype=np.float64, na_value=np.nan)
    blank = np.isnan(numbers)
    if rubric.missing_policy(field_id) == "zero":
        return np.where(blank, 0.0, numbers), np.ones(len(numbers), dtype=bool)
    return np.where(blank, 0.0, numbers), ~blank


def rule_points(
    rubric: Rubric, item: Item, frame: pd.DataFrame
) -> tuple[np.ndarray, np.ndarray]:
    """A schema 1 rule's points for every checklist row (unclipped), and where it applies."""
    if item.rule == "share":
        points, applies = _share(rubric, item, frame)
    elif item.rule == "check":
        assert item.field is not None
        holds = condition_holds(rubric, frame, item.field, item.op, item.value)
        points = np.where(holds, item.max, 0.0)
        applies = _applies_unless_na_blank(rubric, frame, item.field)
    elif item.rule == "choice":
        points, applies = _choice(rubric, item, frame)
    else:
        assert item.field is not None
        values, applies = _numbers(rubric, frame, item.field)
        points = _NUMERIC_RULES[item.rule](item, values, rubric, frame)
        if item.rule == "scale" and item.target_field is not None:
            applies = applies & _numbers(rubric, frame, item.target_field)[1]
    return points, applies


def _applies_unless_na_blank(rubric: Rubric, frame: pd.DataFrame, field_id: str) -> np.ndarray:
    blank = field_column(rubric, frame, field_id).isna().to_numpy()
    if rubric.missing_policy(field_id) == "zero":
        return np.ones(len(blank), dtype=bool)
    return ~blank


def _scale(item: Item, values: np.ndarray, rubric: Rubric, frame: pd.DataFrame) -> np.ndarray:
    if item.target_field is not None:
        targets, _ = _numbers(rubric, frame, item.target_field)
    else:
        targets = np.full(len(values), item.target if item.target is not None else 0.0)
    positive = targets > 0
    ratio = values / np.where(positive, targets, 1.0)
    # a target of 0 or less means there was nothing to reach: full points
    return np.where(positive, item.max * np.minimum(ratio, 1.0), item.max)


def _deduct(item: Item, values: np.ndarray, rubric: Rubric, frame: pd.DataFrame) -> np.ndarray:
    return item.max - item.per * values


def _count(item: Item, values: np.ndarray, rubric: Rubric, frame: pd.DataFrame) -> np.ndarray:
    return item.per * values


def _steps(item: Item, values: np.ndarray, rubric: Rubric, frame: pd.DataFrame) -> np.ndarray:
    thresholds = np.array([threshold for threshold, _ in item.steps], dtype=np.float64)
    # a leading 0 stands for "below the first threshold"
    step_points = np.array([0.0] + [points for _, points in item.steps], dtype=np.float64)
    reached = np.searchsorted(thresholds, values, side="right")
    return step_points[reached]


_NUMERIC_RULES: dict[str, Callable[[Item, np.ndarray, Rubric, pd.DataFrame], np.ndarray]] = {
    "scale": _scale,
    "deduct": _deduct,
    "count": _count,
    "steps": _steps,
}


def _choice(rubric: Rubric, item: Item, frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    assert item.field is not None
    field = rubric.field(item.field)
    column = field_column(rubric, frame, item.field)
    if isinstance(column.dtype, pd.CategoricalDtype):
        categories = [str(category) for category in column.cat.categories]
        codes = column.cat.codes.to_numpy()
    else:
        categorical = pd.Categorical(column, categories=list(field.choices))
        categories, codes = list(field.choices), categorical.codes
    by_choice = dict(item.points)
    # the last slot is what code -1 (a blank) picks: no points
    table = np.array([by_choice.get(name, 0.0) for name in categories] + [0.0])
    points = table[codes]
    blank = codes < 0
    applies = ~blank | (rubric.missing_policy(item.field) == "zero")
    return points, np.asarray(applies, dtype=bool)


def _share(rubric: Rubric, item: Item, frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    true_count = np.zeros(len(frame), dtype=np.float64)
    applicable_count = np.zeros(len(frame), dtype=np.float64)
    for field_id in item.fields:
        values = field_column(rubric, frame, field_id).to_numpy(dtype=np.float64, na_value=np.nan)
        blank = np.isnan(values)
        true_count += (values == 1.0) & ~blank
        applicable_count += ~blank | (rubric.missing_policy(field_id) == "zero")
    applies = applicable_count > 0
    share = true_count / np.where(applies, applicable_count, 1.0)
    return item.max * share, applies
