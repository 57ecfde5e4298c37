"""Writing every output of a run at once, or none of them."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from inspect_score.errors import Issue
from inspect_score.outputs.print_style import DocumentTitle
from inspect_score.outputs.staging import (
    OutputPlan,
    staged,
    temporary_beside,
    temporary_name,
)
from inspect_score.outputs.write_csv import write_csv
from inspect_score.outputs.write_json import write_json
from inspect_score.scoring.results import Results

#: The files ``--csv DIR`` writes, in the order of the spec.
CSV_NAMES = ("ranking.csv", "points.csv", "findings.csv", "summary.csv")


def write_outputs(
    results: Results,
    *,
    xlsx: Path | None = None,
    csv_dir: Path | None = None,
    json_path: Path | None = None,
    inputs: Sequence[str] = (),
    tool_version: str = "",
    extra_sheets: Sequence[Callable[[Any], None]] = (),
    extra_csv: Mapping[str, Callable[[Path], None]] | None = None,
    plan: OutputPlan | None = None,
    title: DocumentTitle | None = None,
) -> list[Issue]:
    """Write the workbook, the CSV files and the JSON file that are asked for.

    Each is written to a temporary file beside its target and renamed into
    place only when all are complete. Returns the warnings of the writers
    (a sheet cut at Excel's row limit). ``extra_sheets`` are added to the
    workbook (see :func:`write_workbook`); ``extra_csv`` maps more CSV file
    names to functions writing them, staged with the others. ``plan``: the
    targets as checked before the run (see :func:`plan_outputs`), so that one
    another run wrote meanwhile is refused. ``title`` heads the workbook's
    sheets (see :func:`write_workbook`).
    """
    extra_csv = extra_csv or {}
    temporaries: dict[Path, Path] = {}
    if xlsx is not None:
        temporaries[xlsx] = temporary_beside(xlsx)
    if json_path is not None:
        temporaries[json_path] = temporary_beside(json_path)
    csv_staging = None
    if csv_dir is not None:
        # The CSV writer fills a folder; a private one inside the target folder
        # (made and removed by staged()) keeps the final renames on one file system.
        csv_staging = csv_dir / temporary_name()
        for name in (*CSV_NAMES, *extra_csv):
            temporaries[csv_dir / name] = csv_staging / name

    warnings: list[Issue] = []
    with staged(temporaries, plan):
        if xlsx is not None:
            # imported when a workbook is asked for: a CSV run starts without xlsxwriter
            from inspect_score.outputs.workbook import write_workbook

            written = write_workbook(
                results, temporaries[xlsx], inputs=inputs, extra_sheets=extra_sheets,
                tool_version=tool_version or None, title=title,
            )
            # the writer saw the temporary file; the user knows the target
            warnings += [attrs.evolve(issue, path=str(xlsx)) for issue in written]
        if json_path is not None:
            write_json(results, temporaries[json_path], tool_version=tool_version)
        if csv_staging is not None:
            write_csv(results, csv_staging)
            for name, write_extra in extra_csv.items():
                write_extra(csv_staging / name)
    return warnings
