"""An item's points per checklist row, whatever its rule: schema 1 rules, clauses,
direct entry, and schema 2's ``applies_if``/``otherwise`` over all of them."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from inspect_score.checklists.conditions import applies_if_mask
from inspect_score.rubric.model import Item, Rubric
from inspect_score.scoring.clauses import (
    ClauseColumns,
    clause_columns,
    clauses_points,
    direct_points,
)
from inspect_score.scoring.rules import rule_points


def item_points(rubric: Rubric, item: Item, frame: pd.DataFrame) -> np.ndarray:
    """The item's points for every checklist row: clipped, unrounded, NaN where n/a."""
    return item_columns(rubric, item, frame)[0]


def item_columns(
    rubric: Rubric, item: Item, frame: pd.DataFrame,
    waived: Mapping[int, np.ndarray] | None = None,
) -> tuple[np.ndarray, ClauseColumns | None]:
    """The item's points per checklist row (clipped, unrounded, NaN where n/a) and,
    for a ``clauses`` item, what each clause cost (0 where ``applies_if`` fails).

    ``waived``: per clause (its index), the rows where it is taken to cost nothing,
    as if that fault were put right (what ``explain`` needs to price a fix).
    """
    columns = None
    if item.rule == "clauses":
        columns = clause_columns(rubric, item, frame)
        if waived:
            columns = ClauseColumns(
                costs=tuple(np.where(waived[index], 0.0, cost) if index in waived else cost
                            for index, cost in enumerate(columns.costs)),
                applies=columns.applies)
        points, applies = clauses_points(item, columns)
    elif item.rule == "direct":
        points, applies = direct_points(rubric, item, frame)
    else:
        points, applies = rule_points(rubric, item, frame)
    result = np.where(applies, np.clip(points, 0.0, item.max), np.nan)
    if item.applies_if is None:
        return result, columns
    holds, na_blank = applies_if_mask(rubric, item, frame)
    # where applies_if fails the item's own fields are not read
    otherwise = {"na": np.nan, "zero": 0.0,
                 "full": item.max if item.kind == "indicator" else 0.0}[item.otherwise]
    result = np.where(holds, result, otherwise)
    result[na_blank] = np.nan
    if columns is not None:
        columns = ClauseColumns(costs=tuple(np.where(holds, cost, 0.0) for cost in columns.costs),
                                applies=tuple(applying & holds for applying in columns.applies))
    return result, columns


