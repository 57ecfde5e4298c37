"""The JSON output: the CSV tables as lists of records, plus the rubric and tool.

Numbers stay numbers (the shortest text that reads back as the same float),
NaN becomes null, text is kept as it is (no formula guard: JSON is not opened
by spreadsheets). Keys come in a fixed order, so the same run gives the same
bytes.
"""

from __future__ import annotations

import json
import os
import re
from json.encoder import encode_basestring
from pathlib import Path
from typing import Any, TextIO

import numpy as np
import pandas as pd

from inspect_score.memory import release_freed_memory
from inspect_score.outputs.write_csv import output_table
from inspect_score.scoring.findings import FINDING_COLUMNS
from inspect_score.scoring.results import Results
from inspect_score.scoring.summary import SUMMARY_COLUMNS

TOOL_NAME = "inspect-score"
TABLES = ("ranking", "points", "findings", "summary")
#: Columns known without the rubric, so that an empty table reads back with them.
_KNOWN_COLUMNS = {"findings": FINDING_COLUMNS, "summary": SUMMARY_COLUMNS}


def _json_cells(column: pd.Series) -> list[str]:
    """Each cell of a column as the JSON text ``json.dumps`` gives it (NaN as null).

    With the encoder's own functions (``float.__repr__``, ``int.__repr__``, the
    C ``encode_basestring``), once per distinct value: scores repeat a great
    deal (a few hundred distinct points in a million rows).
    """
    if pd.api.types.is_float_dtype(column.dtype):
        values = column.to_numpy(dtype=np.float64)
        if np.isinf(values).any():
            raise ValueError("Out of range float values are not JSON compliant")
        # distinct by their bits, so that -0.0 stays "-0.0" beside 0.0
        codes, uniques = pd.factorize(np.ascontiguousarray(values).view(np.int64))
        texts = np.array(["null" if number != number else float.__repr__(number)
                          for number in uniques.view(np.float64).tolist()], dtype=object)
        return list(texts[codes].tolist())
    if pd.api.types.is_integer_dtype(column.dtype) and column.hasnans:
        # a nullable integer (an excluded branch's rank, an item's clause): null where missing
        return ["null" if pd.isna(value) else int.__repr__(int(value))
                for value in column.tolist()]
    if pd.api.types.is_integer_dtype(column.dtype):
        return list(map(int.__repr__, column.astype(np.int64).tolist()))
    cells = column.astype(object).where(column.notna(), None).tolist()
    return [encode_basestring(cell) if type(cell) is str else _dumps(cell) for cell in cells]


def _json_rows(frame: pd.DataFrame) -> str:
    """The rows as JSON objects joined by commas, as ``json.dumps`` of their records."""
    keys = [encode_basestring(str(name)).replace("%", "%%") for name in frame.columns]
    template = "{" + ",".join(f"{key}:%s" for key in keys) + "}"
    columns = [_json_cells(frame[name]) for name in frame.columns]
    if not columns:
        return ",".join([template] * len(frame))
    return ",".join([template % row for row in zip(*columns, strict=True)])


#: Rows turned into JSON text at a time: the records of a whole findings table (five
#: rows a branch) took gigabytes as Python dicts; a block of them takes megabytes.
_ROWS_PER_BLOCK = 50_000


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))


def _write_records(file: TextIO, table: pd.DataFrame, order: np.ndarray | None) -> None:
    """One table as a JSON list of records, a block of rows at a time: the bytes are
    those of dumping the whole list at once."""
    file.write("[")
    for start in range(0, len(table), _ROWS_PER_BLOCK):
        rows = slice(start, start + _ROWS_PER_BLOCK)
        block = table.iloc[rows] if order is None else table.iloc[order[rows]]
        if start:
            file.write(",")
        file.write(_json_rows(block))
    file.write("]")


def write_json(results: Results, path: Path, tool_version: str) -> None:
    """Write the run's tables, rubric and tool to ``path`` as UTF-8 JSON.

    The records are streamed a block of rows at a time, so that the file costs
    little memory beyond the tables themselves (as the CSV files do).
    """
    rubric = results.rubric
    with open(path, "w", encoding="utf-8") as file:
        file.write("{")
        for name in TABLES:
            table, order = output_table(results, name)
            file.write(_dumps(name) + ":")
            _write_records(file, table, order)
            file.write(",")
            del table
            release_freed_memory()
        # beyond the spec's four keys, the rubric's language (a reader of the results,
        # trend, speaks it) and the grades, best first (it cannot tell their order from
        # the ranking where vetoes cap or exclude)
        about = {"id": rubric.id, "title": rubric.title, "version": rubric.version,
                 "sha256": rubric.sha256, "lang": rubric.lang,
                 "grades": [grade.name for grade in rubric.grades]}
        file.write(_dumps("rubric") + ":" + _dumps(about) + ",")
        file.write(_dumps("tool") + ":" + _dumps({"name": TOOL_NAME, "version": tool_version}))
        file.write("}\n")


#: How much of the end of a JSON output :func:`read_json_rubric` reads: far more than a
#: rubric's id, title, version, language and grades take.
_TAIL_BYTES = 1 << 16
_RUBRIC_KEY = re.compile(r'"rubric"\s*:\s*')


def read_json_rubric(path: Path) -> dict[str, Any] | None:
    """The ``rubric`` object of a JSON output, read from the end of the file, where
    :func:`write_json` puts it (before the tool's): the tables before it may take
    gigabytes. None where the end of the file holds no such object."""
    try:
        with open(path, "rb") as file:
            size = file.seek(0, os.SEEK_END)
            file.seek(max(size - _TAIL_BYTES, 0))
            # the first bytes may cut a character in two: they are not what is read
            tail = file.read().decode("utf-8", errors="replace")
    except OSError:
        return None
    found = list(_RUBRIC_KEY.finditer(tail))
    if not found:
        return None
    try:
        about, _ = json.JSONDecoder().raw_decode(tail, found[-1].end())
    except ValueError:
        return None
    return about if isinstance(about, dict) else None


def read_json_results(path: Path) -> dict[str, pd.DataFrame]:
    """The four tables of a JSON output as DataFrames (null as NaN / None)."""
    document = json.loads(path.read_text(encoding="utf-8"))
    tables = {}
    for name in TABLES:
        records = document[name]
        columns = list(records[0]) if records else list(_KNOWN_COLUMNS.get(name, ()))
        tables[name] = pd.DataFrame.from_records(records, columns=columns)
    return tables
