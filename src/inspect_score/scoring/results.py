"""A scored, ranked and graded run: everything the outputs are made of."""

from __future__ import annotations

import attrs
import pandas as pd

from inspect_score.checklists.table import Checklists
from inspect_score.errors import Issue
from inspect_score.memory import release_freed_memory
from inspect_score.rubric.model import Rubric
from inspect_score.scoring.findings import find_problems
from inspect_score.scoring.tables import Scores


@attrs.frozen
class Results:
    """A scored, ranked and graded run: everything the outputs are made of."""

    rubric: Rubric
    checklists: Checklists
    scores: Scores
    #: one row per branch in ranking order (best first, ties by branch id in
    #: natural order; branches excluded by a veto last, ``rank`` then a nullable
    #: integer, empty for them): ``rank`` (int, competition ranking), ``branch_id``,
    #: ``branch_name``, ``total``, ``base``, ``bonus``, ``penalty``, ``grade``,
    #: ``grade_without_quota``, ``vetoed``, then one column per section id;
    #: ``position`` is the branch's row in the ``Scores`` frames.
    ranking: pd.DataFrame
    #: ``item_id, title, max, mean_points, full_marks, zero_points, branches``
    summary: pd.DataFrame
    #: ``grade, branches`` for every grade, best first
    grade_counts: pd.DataFrame
    warnings: tuple[Issue, ...] = ()
    #: given, or found when first asked for: see :attr:`findings`
    _findings: pd.DataFrame | None = attrs.field(default=None, alias="findings", repr=False)

    @property
    def findings(self) -> pd.DataFrame:
        """``branch_id, kind, item_id, value, points, max, lost, note, clause,
        problem, rectify`` in ranking then rubric order (see the spec's
        findings.csv, which has every column but ``rectify``, and
        :func:`inspect_score.scoring.findings.find_problems`).

        Unless given, found when first asked for, and kept: a million branches
        have millions of findings, which a caller that wants the ranking alone
        (`inspect-score validate`, say) never pays for.
        """
        if self._findings is None:
            found = find_problems(self.rubric, self.checklists, self.scores, self.ranking)
            release_freed_memory()  # what finding millions of problems left
            # kept as if given: the results stay the same results
            object.__setattr__(self, "_findings", found)
            return found
        return self._findings
