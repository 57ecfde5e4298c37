"""Which features read which rubric schema.

Scoring, ranking, grading, findings and the run's outputs read schema 2
rubrics; some commands do not yet. They refuse a schema 2 rubric with a
clear error rather than give numbers that leave out its clauses, weights or
vetoes.
"""

from __future__ import annotations

from inspect_score.errors import Issue, RubricError
from inspect_score.rubric.model import Rubric


def require_schema_1(rubric: Rubric, feature: str) -> None:
    """Raise RubricError (``schema-2-not-supported``) if ``feature`` cannot read the rubric."""
    if rubric.schema == 1:
        return
    message = (f"{feature} does not read schema 2 rubrics yet; `inspect-score run` scores "
               "them (ranking, grades, findings, workbook, CSV, JSON)")
    raise RubricError([Issue("schema-2-not-supported", message, rubric.source, row=1,
                             key="schema")])
