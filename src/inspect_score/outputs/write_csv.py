"""The CSV outputs: ranking.csv, points.csv, findings.csv, summary.csv.

UTF-8 with a byte-order mark so that Excel opens them right, the spec's exact
columns, numbers with exactly the rubric's precision, and text that a
spreadsheet would read as a formula guarded with a leading ``'``.

Speed: a million branches give tens of millions of cells, and findings.csv
alone has about five rows per branch. Blocks of rows are turned into Arrow
columns (numbers as decimals with the rubric's places, text guarded by
vectorised matches, categoricals as dictionaries whose few texts are guarded
once) and written by Arrow's CSV writer in C++, on every CPU, in order. No
Python code runs per cell. Measured for 1,000,000 branches (5,159,507 finding
rows) on a shared two-CPU machine: ``DataFrame.to_csv`` 13.9 s for points.csv
and 30.6 s for findings.csv; findings.csv here 2.2-2.7 s on one CPU and
1.0-1.3 s on two; the whole run in benchmarks/bench_run.py.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from inspect_score.checklists.table import BRANCH_ID
from inspect_score.memory import release_freed_memory
from inspect_score.outputs.escape import FORMULA_STARTS, csv_text
from inspect_score.scoring.findings import FINDING_COLUMNS
from inspect_score.scoring.results import Results
from inspect_score.scoring.rounding import decimal_of

RANKING_COLUMNS = (
    "rank",
    "branch_id",
    "branch_name",
    "total",
    "base",
    "bonus",
    "penalty",
    "grade",
    "vetoed",
)

_ROWS_PER_BLOCK = 200_000
_WRITE_OPTIONS = pacsv.WriteOptions(
    include_header=False, quoting_style="needed", batch_size=65_536, delimiter=","
)


def output_tables(results: Results) -> dict[str, pd.DataFrame]:
    """The four machine-readable tables, with the spec's columns, keyed by name.

    ``points`` lists the branches in ranking order, like ``ranking``.
    """
    tables = {}
    for name in CSV_TABLES:
        table, order = output_table(results, name)
        tables[name] = table if order is None else table.iloc[order].reset_index(drop=True)
    return tables


#: The tables of the CSV outputs, in the spec's order.
CSV_TABLES = ("ranking", "points", "findings", "summary")


def output_table(results: Results, name: str) -> tuple[pd.DataFrame, np.ndarray | None]:
    """One output table, and the order to take its rows in (None: as they stand).

    points.csv's rows stand in ``Scores`` order: taking them in ranking order
    a block at a time spares a copy of the whole table.
    """
    if name == "ranking":
        section_ids = [section.id for section in results.rubric.sections]
        return results.ranking[[*RANKING_COLUMNS, *section_ids]].reset_index(drop=True), None
    if name == "points":
        item_ids = [item.id for item in results.rubric.items]
        points = results.scores.points[item_ids]
        points.insert(0, BRANCH_ID, results.scores.branches[BRANCH_ID])
        return points, results.ranking["position"].to_numpy(dtype=np.int64)
    if name == "findings":
        # the spec's columns: the frame's rectify is for the rectification list
        return results.findings[list(FINDING_COLUMNS)].reset_index(drop=True), None
    table: pd.DataFrame = getattr(results, name)
    return table.reset_index(drop=True), None


def text_cell(text: str) -> str:
    """One text cell as CSV: ``'`` before what a spreadsheet takes for a formula
    ("=1+1", "-3", "@x"), and quotes where RFC 4180 needs them."""
    text = csv_text(text)
    if any(mark in text for mark in '",\r\n'):
        text = '"' + text.replace('"', '""') + '"'
    return text


def _number_cells(values: np.ndarray, precision: int) -> pa.Array:
    """Numbers as decimals with exactly ``precision`` places (written "15.00"), null for NaN.

    Rounds half away from zero from the shortest decimal that reads back as
    the float (so 2.675 gives 2.68); the unscaled integers become an Arrow
    decimal column directly.
    """
    missing = np.isnan(values)
    scale = 10.0**precision
    integers = np.rint(np.where(missing, 0.0, values) * scale)
    # A value that is the float nearest to integer / 10**precision (what the scorer's
    # rounding leaves) is that decimal; only others are rounded through Decimal,
    # once per distinct value.
    inexact = ~missing & (integers / scale != values)
    if inexact.any():
        codes, uniques = pd.factorize(values[inexact])
        rounded = np.array(
            [int(decimal_of(value, precision).scaleb(precision)) for value in uniques],
            dtype=np.float64,
        )
        integers[inexact] = rounded[codes]
    integers = integers.astype(np.int64)
    # decimal128 is a 16-byte two's complement integer: the low word, then the sign
    words = np.empty((len(integers), 2), dtype=np.int64)
    words[:, 0] = integers
    words[:, 1] = np.where(integers < 0, -1, 0)
    validity = pa.array(~missing).buffers()[1] if missing.any() else None
    return pa.Array.from_buffers(
        pa.decimal128(38, precision), len(integers), [validity, pa.py_buffer(words)]
    )


def _guarded(texts: pa.Array) -> pa.Array:
    """Text with ``'`` before what a spreadsheet takes for a formula; "" as null (an empty cell)."""
    if isinstance(texts, pa.ChunkedArray):  # a pandas column backed by Arrow already
        texts = texts.combine_chunks()
    texts = pc.cast(texts, pa.large_string())
    formula = pc.starts_with(texts, FORMULA_STARTS[0])
    for start in FORMULA_STARTS[1:]:
        formula = pc.or_(formula, pc.starts_with(texts, start))
    formula = pc.fill_null(formula, False)
    if pc.any(formula).as_py():
        prefixed = pc.binary_join_element_wise(_text("'"), texts.filter(formula), _text(""))
        texts = pc.replace_with_mask(texts, formula, prefixed)
    return pc.if_else(pc.equal(texts, _text("")), pa.scalar(None, pa.large_string()), texts)


def _text_cells(column: pd.Series) -> pa.Array:
    """Text cells, guarded; a column of few distinct texts is guarded once per text."""
    try:
        texts = pa.array(column, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # mixed objects: only then each is made a str
        texts = pa.array(column.map(str, na_action="ignore"), from_pandas=True)
    if isinstance(texts, pa.ChunkedArray):
        texts = texts.combine_chunks()
    if pa.types.is_dictionary(texts.type):
        return pa.DictionaryArray.from_arrays(texts.indices, _guarded(texts.dictionary))
    return _guarded(texts)


def _text(literal: str) -> pa.Scalar:
    return pa.scalar(literal, pa.large_string())


def _cells(column: pd.Series, precision: int) -> pa.Array:
    """A column for the CSV writer: decimals with ``precision`` places, whole counts as
    integers, text guarded."""
    if pd.api.types.is_float_dtype(column.dtype):
        return _number_cells(column.to_numpy(dtype=np.float64), precision)
    if isinstance(column.dtype, pd.api.extensions.ExtensionDtype) and \
            pd.api.types.is_integer_dtype(column.dtype):
        # a nullable integer (an excluded branch's rank, an item's clause): null is empty
        return pa.array(column, from_pandas=True, type=pa.int64())
    if pd.api.types.is_integer_dtype(column.dtype) or pd.api.types.is_bool_dtype(column.dtype):
        return pa.array(column.to_numpy(dtype=np.int64))
    return _text_cells(column)


def write_table(
    frame: pd.DataFrame,
    path: Path,
    precision: int,
    order: np.ndarray | None = None,
    workers: int = 1,
) -> None:
    """Write ``frame`` as a CSV file: BOM, header, one "\\n"-terminated line per row.

    Arrow's CSV writer (C++) writes the rows: numbers bare, text in double
    quotes (RFC 4180: a quoted field may hold commas, quotes and line breaks,
    and every CSV reader and spreadsheet reads it as the bare text), empty
    cells bare. ``order``: the positions of the rows in the order to write them,
    taken a block at a time rather than copying the frame in that order.
    ``workers``: blocks of rows formatted side by side (Arrow's writer releases
    the GIL), written in order.
    """

    def block_text(start: int) -> pa.Buffer:
        rows = slice(start, start + _ROWS_PER_BLOCK)
        block = frame.iloc[rows] if order is None else frame.iloc[order[rows]]
        table = pa.table(
            [_cells(block[name], precision) for name in block.columns],
            names=[str(name) for name in block.columns],
        )
        sink = pa.BufferOutputStream()
        pacsv.write_csv(table, sink, _WRITE_OPTIONS)
        return sink.getvalue()

    starts = range(0, len(frame), _ROWS_PER_BLOCK)
    with open(path, "wb") as file:
        header = ",".join(text_cell(str(name)) for name in frame.columns) + "\n"
        file.write(("\ufeff" + header).encode("utf-8"))
        # a block of rows at a time: Arrow's copy of findings.csv would be a gigabyte
        if workers <= 1 or len(starts) <= 1:
            for start in starts:
                file.write(block_text(start))
            return
        with ThreadPoolExecutor(max_workers=workers) as pool:
            # a few blocks ahead of the one being written, never the whole file
            ahead: deque[Future[pa.Buffer]] = deque()
            for start in starts:
                ahead.append(pool.submit(block_text, start))
                if len(ahead) > workers:
                    file.write(ahead.popleft().result())
            while ahead:
                file.write(ahead.popleft().result())


def write_csv(
    results: Results,
    directory: Path,
    names: Sequence[str] = CSV_TABLES,
) -> list[Path]:
    """Write ``NAME.csv`` into ``directory`` for each table; return the paths written.

    One file after another, each formatted on every CPU a block of rows at a
    time (see :func:`write_table`).
    """
    workers = os.cpu_count() or 1
    written = []
    for name in names:
        path = directory / f"{name}.csv"
        table, order = output_table(results, name)
        write_table(table, path, results.rubric.precision, order, workers=workers)
        # the blocks the workers formatted, before the next file (or the findings)
        release_freed_memory()
        written.append(path)
    return written
