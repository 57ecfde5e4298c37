"""The CSV outputs: ranking.csv, points.csv, findings.csv, summary.csv.

UTF-8 with a byte-order mark so that Excel opens them right, the spec's exact
columns, numbers with exactly the rubric's precision, and text that a
spreadsheet would read as a formula guarded with a leading ``'``.

Speed: a million branches give tens of millions of cells. ``DataFrame.to_csv``
with ``float_format`` formats every float on its own (15 s for 1,000,000 x 16
cells); here each column's distinct numbers are formatted once and indexed
(:func:`inspect_score.labels.fixed_text`), text is guarded and quoted only
where it needs it, and rows are joined in one pass (under 1 s for the same).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from inspect_score.labels import fixed_text
from inspect_score.tables import BRANCH_ID, Results

RANKING_COLUMNS = ("rank", "branch_id", "branch_name", "total", "base", "bonus", "penalty",
                   "grade", "vetoed")

#: A cell beginning with one of these is a formula (or starts one) to a spreadsheet.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: A cell holding one of these must be quoted (RFC 4180).
_NEEDS_QUOTES = r'[",\r\n]'


def output_tables(results: Results) -> dict[str, pd.DataFrame]:
    """The four machine-readable tables, with the spec's columns, keyed by name.

    ``points`` lists the branches in ranking order, like ``ranking``.
    """
    rubric = results.rubric
    ranking = results.ranking
    section_ids = [section.id for section in rubric.sections]
    ranked = ranking[[*RANKING_COLUMNS, *section_ids]].reset_index(drop=True)

    order = ranking["position"].to_numpy(dtype=np.int64)
    item_ids = [item.id for item in rubric.items]
    points = results.scores.points[item_ids].iloc[order].reset_index(drop=True)
    points.insert(0, BRANCH_ID, ranked[BRANCH_ID])
    return {
        "ranking": ranked,
        "points": points,
        "findings": results.findings.reset_index(drop=True),
        "summary": results.summary.reset_index(drop=True),
    }


def guard_formula(texts: pd.Series) -> pd.Series:
    """Prefix ``'`` to text a spreadsheet would take for a formula ("=1+1", "-3", "@x")."""
    texts = texts.astype(str)
    starts = texts.str.startswith(FORMULA_STARTS).to_numpy(dtype=bool)
    if starts.any():
        texts = texts.where(~starts, "'" + texts)
    return texts


def _quote(texts: pd.Series) -> pd.Series:
    needs = texts.str.contains(_NEEDS_QUOTES, regex=True).to_numpy(dtype=bool)
    if needs.any():
        texts = texts.where(~needs, '"' + texts.str.replace('"', '""', regex=False) + '"')
    return texts


def cell_texts(column: pd.Series, precision: int) -> np.ndarray:
    """A column as CSV cells: numbers with ``precision`` decimals, whole counts as
    integers, text guarded and quoted; "" where empty."""
    if pd.api.types.is_float_dtype(column.dtype):
        return fixed_text(column.to_numpy(dtype=np.float64), precision)
    if pd.api.types.is_integer_dtype(column.dtype) or pd.api.types.is_bool_dtype(column.dtype):
        return column.astype(np.int64).astype(str).to_numpy(dtype=object)
    texts = column.astype(object).where(column.notna(), "")
    return _quote(guard_formula(texts)).to_numpy(dtype=object)


def csv_text(frame: pd.DataFrame, precision: int) -> str:
    """The whole CSV document for ``frame``, header first, one "\\n" per row."""
    header = ",".join(_quote(guard_formula(pd.Series(list(frame.columns), dtype=object))))
    columns = [cell_texts(frame[name], precision) for name in frame.columns]
    lines = [header, *map(",".join, zip(*columns, strict=True))] if columns else [header]
    return "\n".join(lines) + "\n"


def write_table(frame: pd.DataFrame, path: Path, precision: int) -> None:
    path.write_bytes(csv_text(frame, precision).encode("utf-8-sig"))


def write_csv(results: Results, directory: Path,
              names: Sequence[str] = ("ranking", "points", "findings", "summary")) -> list[Path]:
    """Write ``NAME.csv`` into ``directory`` for each table; return the paths written."""
    tables = output_tables(results)
    written = []
    for name in names:
        path = directory / f"{name}.csv"
        write_table(tables[name], path, results.rubric.precision)
        written.append(path)
    return written
