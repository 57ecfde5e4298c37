"""The scores of a run: what scoring hands to ranking, findings and the outputs.

Plain pandas DataFrames wrapped in a frozen attrs class that says, once, what
each column holds: one row per branch, never a Python object per branch.
"""

from __future__ import annotations

import attrs
import pandas as pd


@attrs.frozen
class Scores:
    """What the rubric makes of the checklists, one row per branch.

    All frames share one RangeIndex, branches in order of first appearance in
    the checklists.
    """

    #: ``branch_id``, ``branch_name``, ``base``, ``bonus`` (after the cap),
    #: ``penalty`` (points deducted, >= 0), ``total``: all rounded to precision.
    #: ``vetoed``: triggered veto ids joined by ";" ("" where none);
    #: ``veto_cap``: int index of the best grade allowed (0 where no veto).
    #: ``zeroed``, ``excluded``: bool, a ``zero`` / ``exclude`` veto triggered
    #: (exclude wins); ``excluded_label``: the first exclude veto's label, or "".
    #: ``total`` is 0 where zeroed.
    branches: pd.DataFrame
    #: one float column per item id (indicators, bonuses, penalties in rubric
    #: order), rounded to precision; NaN where not applicable
    points: pd.DataFrame
    #: one float column per section id: the sum of its indicators' points
    #: before any n/a rescaling (n/a counts 0)
    sections: pd.DataFrame
    #: one bool column per veto id: whether it triggered for the branch
    vetoes: pd.DataFrame
    #: for each checklist row (``Checklists.frame`` order), the position of its branch
    row_branch: pd.Series
    #: schema 2: one float column per clause of every indicator and penalty
    #: (``ITEM#N``, N from 1): what the clause cost, after its cap, rounded; 0
    #: where it cost nothing or did not apply
    clauses: pd.DataFrame = attrs.field(factory=pd.DataFrame)
