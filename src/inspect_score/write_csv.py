"""The CSV outputs: ranking.csv, points.csv, findings.csv, summary.csv.

UTF-8 with a byte-order mark so that Excel opens them right, the spec's exact
columns, numbers with exactly the rubric's precision, and text that a
spreadsheet would read as a formula guarded with a leading ``'``.

Speed: a million branches give tens of millions of cells. ``DataFrame.to_csv``
with ``float_format`` formats every float on its own; here each column's
distinct numbers are formatted once and indexed
(:func:`inspect_score.labels.fixed_text`), text is guarded and quoted only
where it needs it, and rows are joined in blocks. Measured on a shared two-CPU
machine: points.csv for 1,000,000 branches 13.9 s with ``to_csv`` against
1.7 s here; findings.csv with 5,159,507 rows 30.6 s against 7.7 s.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from inspect_score.labels import fixed_text
from inspect_score.tables import BRANCH_ID, Results

RANKING_COLUMNS = ("rank", "branch_id", "branch_name", "total", "base", "bonus", "penalty",
                   "grade", "vetoed")

#: A cell beginning with one of these is a formula (or starts one) to a spreadsheet.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: A cell holding one of these must be quoted (RFC 4180).
_NEEDS_QUOTES = re.compile(r'[",\r\n]')
#: Joins a column's cells for scanning; a cell that starts with a formula
#: character then shows as this separator followed by it.
_SEPARATOR = "\x00"
_FORMULA_AFTER_SEPARATOR = re.compile("\x00[=+\\-@\t\r]")
#: Rows joined into one string before it is written.
_ROWS_PER_BLOCK = 100_000


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


def text_cell(text: str) -> str:
    """One text cell as CSV: ``'`` before what a spreadsheet takes for a formula
    ("=1+1", "-3", "@x"), and quotes where RFC 4180 needs them."""
    if text.startswith(FORMULA_STARTS):
        text = "'" + text
    if _NEEDS_QUOTES.search(text):
        text = '"' + text.replace('"', '""') + '"'
    return text


def _text_cells(texts: list[Any]) -> list[str]:
    """Text cells as CSV ("" for NaN), touching only the cells that need a guard or quotes.

    Those are found by scanning all cells joined into one string with two
    regular expressions (C speed), not by a Python call per cell; a hit maps
    back to its cell through the cells' start offsets.
    """
    if not texts:
        return texts
    try:
        joined = _SEPARATOR.join(texts)
    except TypeError:  # NaN among the cells: only then is each cell looked at
        texts = ["" if pd.isna(text) else str(text) for text in texts]
        joined = _SEPARATOR.join(texts)
    hits = [match.start() + 1 for match in _FORMULA_AFTER_SEPARATOR.finditer(joined)]
    hits += [match.start() for match in _NEEDS_QUOTES.finditer(joined)]
    rows = {0}  # the first cell has no separator before it
    if hits:
        lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
        starts = np.concatenate(([0], np.cumsum(lengths[:-1] + 1)))
        # a separator character inside a cell only adds candidates, which text_cell re-checks
        rows.update((np.searchsorted(starts, hits, side="right") - 1).tolist())
    for row in rows:
        texts[row] = text_cell(texts[row])
    return texts


def cell_texts(column: pd.Series, precision: int) -> list[str]:
    """A column as CSV cells: numbers with ``precision`` decimals, whole counts as
    integers, text guarded and quoted; "" where empty."""
    if pd.api.types.is_float_dtype(column.dtype):
        return list(fixed_text(column.to_numpy(dtype=np.float64), precision).tolist())
    if pd.api.types.is_integer_dtype(column.dtype) or pd.api.types.is_bool_dtype(column.dtype):
        return list(column.astype(np.int64).astype(str).tolist())
    return _text_cells(column.to_numpy(dtype=object).tolist())


def write_table(frame: pd.DataFrame, path: Path, precision: int) -> None:
    """Write ``frame`` as a CSV file: BOM, header, one "\\n"-terminated line per row.

    Rows are joined and written in blocks, so that a five-million-row table
    never becomes one giant string in memory.
    """
    columns = [cell_texts(frame[name], precision) for name in frame.columns]
    with open(path, "w", encoding="utf-8-sig", newline="") as file:
        file.write(",".join(text_cell(str(name)) for name in frame.columns) + "\n")
        for start in range(0, len(frame), _ROWS_PER_BLOCK):
            block = [column[start:start + _ROWS_PER_BLOCK] for column in columns]
            file.write("\n".join(map(",".join, zip(*block, strict=True))))
            file.write("\n")


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
