"""The rectification list (整改清单): one row per branch and problem, to send out the same day.

Each row names the branch, the item, the problem (the item's title and the
finding's note, which holds the value submitted), the points lost, the
deadline, and columns the branch fills in: the person responsible, the measure
taken, and a status chosen from a drop-down (未整改/整改中/已整改). Vetoes are
listed too (with no points lost): a vetoed branch has the most to rectify.

It is made from the findings a whole column at a time, and written as a CSV
(``rectify.csv``) and as a sheet of the run's workbook.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import pandas as pd

from inspect_score.outputs.workbook import display_width
from inspect_score.outputs.write_csv import write_table
from inspect_score.rubric.model import Lang, Rubric
from inspect_score.scoring.labels import labels_for, render
from inspect_score.scoring.results import Results

RECTIFY_COLUMNS = ("branch_id", "branch_name", "kind", "item_id", "problem", "lost",
                   "deadline", "responsible", "measure", "status")
CSV_NAME = "rectify.csv"
#: Rows above the data, as on the other sheets of the workbook: a title, then the header.
TITLE_ROW = 0
HEADER_ROW = 1
A4 = 9
MAX_WIDTH = 60


@attrs.frozen
class RectifyLabels:
    sheet: str
    title: str
    #: between an item's title and the finding's note
    separator: str
    headings: Mapping[str, str]
    #: the status drop-down's choices; the first is every row's initial status
    statuses: tuple[str, ...]


RECTIFY_LABELS: Mapping[Lang, RectifyLabels] = {
    "zh": RectifyLabels(
        sheet="整改清单",
        title="整改清单",
        separator="：",
        headings={"number": "序号", "branch_id": "编号", "branch_name": "名称",
                  "problem": "存在问题", "lost": "失分", "deadline": "整改期限",
                  "responsible": "责任人", "measure": "整改措施", "status": "整改状态"},
        statuses=("未整改", "整改中", "已整改"),
    ),
    "en": RectifyLabels(
        sheet="Rectification",
        title="Rectification list",
        separator=": ",
        headings={"number": "No.", "branch_id": "ID", "branch_name": "Name",
                  "problem": "Problem", "lost": "Points lost", "deadline": "Deadline",
                  "responsible": "Responsible", "measure": "Measure", "status": "Status"},
        statuses=("open", "in progress", "done"),
    ),
}


def deadline_from(deadline: datetime.date | None, days: int | None,
                  inspected_on: datetime.date | None) -> datetime.date | None:
    """The rectification deadline: given as a date, or ``days`` after the inspection date.

    ``days`` needs ``inspected_on``: a deadline counted from the day the tool
    happens to run would make the same inputs give different lists.
    """
    if deadline is not None and days is not None:
        raise ValueError("give a deadline or a number of days, not both")
    if days is None:
        return deadline
    if inspected_on is None:
        raise ValueError("a number of days needs the inspection date")
    return inspected_on + datetime.timedelta(days=days)


def rectification_table(results: Results, deadline: datetime.date | None) -> pd.DataFrame:
    """One row per branch and problem found (findings order: ranking, then rubric order).

    Columns as :data:`RECTIFY_COLUMNS`; ``lost`` is NaN for a veto, ``deadline``
    the ISO date ("" where none is set), ``responsible`` and ``measure`` empty,
    ``status`` the first status of the rubric's language.
    """
    rubric = results.rubric
    labels = RECTIFY_LABELS[rubric.lang]
    findings = results.findings.reset_index(drop=True)
    titles = {item.id: item.title for item in rubric.items}
    titles.update({veto.id: veto.title for veto in rubric.vetoes})
    branches = results.scores.branches
    name_of = pd.Series(branches["branch_name"].astype(str).to_numpy(dtype=object),
                        index=branches["branch_id"].astype(str))
    count = len(findings)
    item_titles = findings["item_id"].map(titles).astype(str).to_numpy(dtype=object)
    notes = findings["note"].astype(str).to_numpy(dtype=object)
    # a veto's note already names the veto: its title is not repeated
    vetoes = findings["kind"].to_numpy(dtype=object) == "veto"
    problem = render("{title}" + labels.separator + "{note}",
                     {"title": item_titles, "note": notes}, count)
    problem = np.where(vetoes, notes, problem)
    return pd.DataFrame({
        "branch_id": findings["branch_id"].astype(str),
        "branch_name": pd.Series(
            name_of.reindex(findings["branch_id"].astype(str)).to_numpy(dtype=object), dtype=str),
        "kind": findings["kind"].astype(str),
        "item_id": findings["item_id"].astype(str),
        "problem": pd.Series(problem, dtype=str),
        "lost": findings["lost"].to_numpy(dtype=np.float64),
        "deadline": pd.Series(np.full(count, deadline.isoformat() if deadline else ""),
                              dtype=str),
        "responsible": pd.Series(np.full(count, ""), dtype=str),
        "measure": pd.Series(np.full(count, ""), dtype=str),
        "status": pd.Series(np.full(count, labels.statuses[0]), dtype=str),
    }, columns=list(RECTIFY_COLUMNS))


def write_rectify_csv(table: pd.DataFrame, path: Path, precision: int) -> None:
    """``rectify.csv``: the table's columns, numbers and text as the other CSV outputs."""
    write_table(table, path, precision)


def add_rectification_sheet(book: Any, table: pd.DataFrame, rubric: Rubric) -> None:
    """Add the rectification sheet to an open xlsxwriter workbook.

    The status column gets a drop-down of the statuses; the deadline is a real
    date cell. Laid out and printed like the workbook's other sheets: a title
    row, a frozen header with a filter, landscape A4 one page wide, the header
    repeated on each page.
    """
    labels = RECTIFY_LABELS[rubric.lang]
    heading = labels.headings
    decimals = "0." + "0" * rubric.precision if rubric.precision > 0 else "0"
    formats = {
        "header": book.add_format({"bold": True, "text_wrap": True, "valign": "top",
                                   "bottom": 1}),
        "title": book.add_format({"bold": True, "font_size": 13}),
        "number": book.add_format({"num_format": decimals}),
        "date": book.add_format({"num_format": "yyyy-mm-dd"}),
        "wrap": book.add_format({"text_wrap": True, "valign": "top"}),
    }
    sheet = book.add_worksheet(labels.sheet)
    title = f"{rubric.title} {rubric.version or ''}".rstrip() + " " + labels.title
    sheet.write_string(TITLE_ROW, 0, title, formats["title"])
    keys = ("number", "branch_id", "branch_name", "problem", "lost", "deadline",
            "responsible", "measure", "status")
    for column, key in enumerate(keys):
        sheet.write_string(HEADER_ROW, column, heading[key], formats["header"])
    columns: list[tuple[list[Any], Callable[..., int], Any]] = [
        (list(range(1, len(table) + 1)), sheet.write_number, None),
        (table["branch_id"].tolist(), sheet.write_string, None),
        (table["branch_name"].tolist(), sheet.write_string, None),
        (table["problem"].tolist(), sheet.write_string, formats["wrap"]),
        (_numbers(table["lost"]), sheet.write_number, formats["number"]),
        (_dates(table["deadline"]), sheet.write_datetime, formats["date"]),
        (table["responsible"].tolist(), sheet.write_string, None),
        (table["measure"].tolist(), sheet.write_string, None),
        (table["status"].tolist(), sheet.write_string, None),
    ]
    first = HEADER_ROW + 1
    for offset, row in enumerate(zip(*(cells for cells, _, _ in columns), strict=True)):
        for column, (value, (_, write, cell_format)) in enumerate(zip(row, columns,
                                                                      strict=True)):
            if value is not None and value != "":
                write(first + offset, column, value, cell_format)
    last = max(HEADER_ROW + len(table), first)
    status_column = len(keys) - 1
    sheet.data_validation(first, status_column, last, status_column,
                          {"validate": "list", "source": list(labels.statuses)})
    sheet.freeze_panes(first, 0)
    sheet.autofilter(HEADER_ROW, 0, max(HEADER_ROW + len(table), HEADER_ROW), len(keys) - 1)
    for column, key in enumerate(keys):
        sheet.set_column(column, column, _width(heading[key], columns[column][0], key))
    sheet.set_landscape()
    sheet.set_paper(A4)
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(HEADER_ROW)
    sheet.set_footer("&C" + labels_for(rubric.lang).headings["page"])


def _numbers(values: pd.Series) -> list[Any]:
    numbers = values.to_numpy(dtype=np.float64)
    cells = numbers.astype(object)
    cells[np.isnan(numbers)] = None
    return list(cells.tolist())


def _dates(values: pd.Series) -> list[Any]:
    """ISO dates as datetimes for date cells; None where no deadline is set."""
    distinct = {text: datetime.datetime.fromisoformat(text) for text in set(values) if text}
    return [distinct.get(text) for text in values]


def _width(heading: str, cells: list[Any], key: str) -> int:
    if key in ("number", "lost", "deadline"):
        widest = 10
    elif key in ("responsible", "measure"):
        widest = 16
    else:
        widest = max((display_width(str(cell)) for cell in set(cells[:5000]) if cell),
                     default=0)
    return min(max(widest + 2, display_width(heading) + 2, 6), MAX_WIDTH)


def rectification_sheet(table: pd.DataFrame, rubric: Rubric) -> Callable[[Any], None]:
    """The sheet as a callable for ``write_workbook(..., extra_sheets=...)``."""
    def add(book: Any) -> None:
        add_rectification_sheet(book, table, rubric)
    return add


@attrs.frozen
class RectifyOutputs:
    """What ``run --rectify`` adds to the run's outputs: a workbook sheet and rectify.csv."""

    sheets: tuple[Callable[[Any], None], ...]
    #: CSV file name → a function writing it to the path given
    csv: Mapping[str, Callable[[Path], None]]


def rectify_outputs(results: Results, deadline: datetime.date | None) -> RectifyOutputs:
    table = rectification_table(results, deadline)
    rubric = results.rubric

    def write_csv(path: Path) -> None:
        write_rectify_csv(table, path, rubric.precision)

    return RectifyOutputs(sheets=(rectification_sheet(table, rubric),),
                          csv={CSV_NAME: write_csv})
