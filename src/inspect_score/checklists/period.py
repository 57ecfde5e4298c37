"""The period a run's checklists say they are for (a ``period`` / 期间 column).

Documents name the period inspected ("2025年上半年"); where the user does not
give it, checklists that carry a period column say it. The column is read as
a text field the rubric does not declare, then left out of what is scored.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import attrs

from inspect_score.checklists.load import load_checklists
from inspect_score.checklists.table import Checklists
from inspect_score.rubric.model import Field, Rubric

PERIOD = "period"
PERIOD_LABEL = "期间"
PERIOD_FIELD = Field(id=PERIOD, type="text", label=PERIOD_LABEL, missing="na")


def load_checklists_with_period(
    rubric: Rubric,
    inputs: Sequence[str | os.PathLike[str]],
    *,
    encoding: str | None = None,
    sheet: str | None = None,
    recursive: bool = False,
) -> tuple[Checklists, str | None]:
    """The checklists as :func:`load_checklists` gives them, and the period their
    ``period`` (期间) column holds: None where there is no such column, where it is
    blank, or where rows name different periods (a document cannot guess which)."""
    # a period filled down past the last branch labels rows nothing else is written
    # on: blank rows, not rows without an id
    declared = [field.id for field in rubric.fields
                if field.id == PERIOD or field.label == PERIOD_LABEL]
    if declared:
        return load_checklists(rubric, inputs, encoding=encoding, sheet=sheet,
                               recursive=recursive, row_labels=declared), None
    extended = attrs.evolve(rubric, fields=(*rubric.fields, PERIOD_FIELD))
    checklists = load_checklists(extended, inputs, encoding=encoding, sheet=sheet,
                                 recursive=recursive, row_labels=(PERIOD,))
    frame = checklists.frame
    if PERIOD not in frame.columns:
        return checklists, None
    values = frame[PERIOD].dropna().astype(str).str.strip()
    distinct = [value for value in dict.fromkeys(values) if value]
    period = distinct[0] if len(distinct) == 1 else None
    return attrs.evolve(checklists, frame=frame.drop(columns=PERIOD)), period
