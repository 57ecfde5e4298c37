"""The table of checklists: what loading hands to scoring.

They are plain pandas DataFrames wrapped in frozen attrs classes that say, once,
what each column holds. Everything is columnar: one row per checklist row, or
one row per branch, never a Python object per branch.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs
import numpy as np
import pandas as pd
import pyarrow as pa

from inspect_score.errors import Issue

#: Checklist columns that are not fields.
BRANCH_ID = "branch_id"
BRANCH_NAME = "branch_name"
RATER = "rater"
#: Where each checklist row came from: the input path, and the row as a
#: spreadsheet user counts it (header = 1) or the line of a TOML checklist.
SOURCE_FILE = "_file"
SOURCE_ROW = "_row"

#: The dtype of the text columns of branches (ids, names, raters, grades), in
#: the checklists, the scores, the ranking and the findings: pandas' ``str``
#: held in Arrow, as the CSV reader makes it. A million ids and names stay two
#: Arrow buffers from reading to writing: the steps between take rows by
#: index, and the CSV writer reads the buffers without a copy. (As Python
#: strings they cost three times the memory and a conversion per output.)
TEXT = pd.StringDtype("pyarrow", na_value=np.nan)


def text_array(values: np.ndarray | Sequence[str]) -> pd.api.extensions.ExtensionArray:
    """Texts (an object array of str) as a :data:`TEXT` array."""
    return pd.array(np.asarray(values, dtype=object), dtype=TEXT)


def text_taken(
    texts: Sequence[str] | pd.Series, codes: np.ndarray
) -> pd.api.extensions.ExtensionArray:
    """``texts[codes]`` as a :data:`TEXT` array, each text converted to Arrow once
    (not at all if ``texts`` is a :data:`TEXT` column already)."""
    distinct = pa.array(texts if isinstance(texts, pd.Series) else list(texts),
                        type=pa.large_string())
    taken: pd.api.extensions.ExtensionArray = pd.array(distinct.take(codes), dtype=TEXT)
    return taken


@attrs.frozen
class Checklists:
    """Every checklist row of a run, parsed and checked against a rubric.

    ``frame`` has one row per submitted row (per branch, or per branch and
    rater), in input order (files in the order given, folders in name order),
    rows blank in every cell already skipped. Its columns:

    - ``branch_id``, ``branch_name``: str (name may be "");
    - ``rater``: str, "" where the checklist has no rater column;
    - one column per declared field id, parsed:
      int / number: float64, NaN where blank;
      bool: float64 1.0 / 0.0, NaN where blank;
      choice: pandas Categorical with the field's choices as categories, NaN where blank;
      text: object (str), NaN where blank;
    - ``_file``: Categorical of input paths; ``_row``: int64 row (or TOML line).

    Blanks are kept as NaN whatever the missing policy: the scorer applies the
    policy, because a condition on a blank never holds even under ``zero``.
    """

    frame: pd.DataFrame
    #: the input files read, in order
    sources: tuple[str, ...]
    has_rater: bool = False
    warnings: tuple[Issue, ...] = ()
