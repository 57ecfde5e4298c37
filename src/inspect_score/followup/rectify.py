"""The rectification list (整改清单): one row per problem of a branch, to send out the same day.

Each row is a problem worth reporting (:mod:`inspect_score.followup.problems`:
an item above the rubric's ``problem_min_lost``, or a clause, stated as the
report states it), what the rubric asks the branch to do about it (整改要求),
the points lost and the deadline, and columns the branch fills in by hand:
the person responsible, the measure taken (wide enough to write in), and a
status chosen from a drop-down (未整改/整改中/已整改). Vetoes are listed too
(with no points lost): a vetoed branch has the most to rectify.

Rows are grouped by branch, in ranking order, each group under a row naming
the branch; with ``per_branch_pages`` every branch starts a new printed page,
so each community gets its own sheet of paper. Written as a CSV
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

from inspect_score.followup.problems import problem_findings
from inspect_score.messages import msg
from inspect_score.outputs import print_style
from inspect_score.outputs.escape import xml_text
from inspect_score.outputs.print_style import DocumentTitle, display_width
from inspect_score.outputs.write_csv import write_table
from inspect_score.rubric.model import Lang, Rubric
from inspect_score.scoring.plain import top_weights
from inspect_score.scoring.results import Results
from inspect_score.scoring.rounding import round_points

RECTIFY_COLUMNS = ("branch_id", "branch_name", "kind", "item_id", "problem", "rectify", "lost",
                   "weighted_lost", "deadline", "responsible", "measure", "status")
CSV_NAME = "rectify.csv"
#: Rows above the data: a title, then the header.
TITLE_ROW = 0
HEADER_ROW = 1
#: Column widths in characters: sentences wrap, the columns written in by hand are wide.
WIDTHS = {"number": 6, "problem": 30, "rectify": 26, "lost": 8, "weighted_lost": 8,
          "deadline": 12, "responsible": 12, "measure": 32, "status": 10}
#: A row is at least this tall (points), so a clerk can write in it by hand.
HANDWRITING_HEIGHT = 36


@attrs.frozen
class RectifyLabels:
    sheet: str
    title: str
    #: the row above a branch's problems: its name and its id
    branch: str
    headings: Mapping[str, str]
    #: the points lost column's heading on a rubric with weighted parts (beside
    #: ``weighted_lost``): the points are the item's own, in its part
    lost_in_part: str
    #: the status drop-down's choices; the first is every row's initial status
    statuses: tuple[str, ...]
    #: after a veto's title, what the veto did, by action ({grade}, {label} filled in)
    veto_effects: Mapping[str, str]
    excluded_label: str


RECTIFY_LABELS: Mapping[Lang, RectifyLabels] = {
    "zh": RectifyLabels(
        sheet="整改清单",
        title="整改清单",
        branch="{name}（{id}）",
        headings={"number": "序号", "problem": "问题", "rectify": "整改要求", "lost": "失分",
                  "weighted_lost": "折算失分", "deadline": "整改时限", "responsible": "责任人",
                  "measure": "整改措施", "status": "整改状态"},
        lost_in_part="失分（本部分）",
        statuses=("未整改", "整改中", "已整改"),
        veto_effects={"cap": "（一票否决：等次不高于{grade}）", "zero": "（一票否决：总分计0分）",
                      "exclude": "（一票否决：{label}）"},
        excluded_label="取消资格",
    ),
    "en": RectifyLabels(
        sheet="Rectification",
        title="rectification list",
        branch="{name} ({id})",
        headings={"number": "No.", "problem": "Problem", "rectify": "Required action",
                  "lost": "Points lost", "weighted_lost": "Of the total",
                  "deadline": "Deadline", "responsible": "Responsible",
                  "measure": "Measure taken", "status": "Status"},
        lost_in_part="Points lost (in its part)",
        statuses=("open", "in progress", "done"),
        veto_effects={"cap": " (veto: grade at most {grade})", "zero": " (veto: total set to 0)",
                      "exclude": " (veto: {label})"},
        excluded_label="disqualified",
    ),
}
KEYS = ("number", "problem", "rectify", "lost", "deadline", "responsible", "measure", "status")
#: The columns on a rubric with weighted parts: the loss counted in the total beside it.
WEIGHTED_KEYS = ("number", "problem", "rectify", "lost", "weighted_lost", "deadline",
                 "responsible", "measure", "status")


def weighted(rubric: Rubric) -> bool:
    """Whether some part counts toward the total at a weight ("100分，占20%")."""
    return any(weight != 1 for weight in top_weights(rubric).values())


def item_weights(rubric: Rubric) -> dict[str, float]:
    """Each indicator's and penalty's weight toward the total: an indicator's part's (its
    top-level section's), 1 for a penalty (taken off the total as it is)."""
    weights = top_weights(rubric)
    return {**{item.id: weights[item.section or ""] for item in rubric.indicators},
            **{item.id: 1.0 for item in rubric.penalties}}


def deadline_from(deadline: datetime.date | None, days: int | None,
                  inspected_on: datetime.date | None) -> datetime.date | None:
    """The rectification deadline: given as a date, or ``days`` after the inspection date.

    ``days`` needs ``inspected_on``: a deadline counted from the day the tool
    happens to run would make the same inputs give different lists.
    """
    if deadline is not None and days is not None:
        raise ValueError(msg("give a deadline or a number of days, not both"))
    if days is None:
        return deadline
    if inspected_on is None:
        raise ValueError(msg("a number of days needs the inspection date"))
    return inspected_on + datetime.timedelta(days=days)


def rectification_table(results: Results, deadline: datetime.date | None) -> pd.DataFrame:
    """One row per problem worth reporting and per veto, grouped by branch in ranking order
    (within a branch: its problems in rubric order, then its vetoes).

    Columns as :data:`RECTIFY_COLUMNS`; ``problem`` is the problem in words,
    ``rectify`` the rubric's 整改要求 ("" where it gives none), ``lost`` the points
    lost as the findings give them (the item's or the clause's own, in its part: 27 of
    a 民主测评 that counts 20%), ``weighted_lost`` what they cost of the total (``lost``
    times the part's weight: 5.4; the same on a rubric without weights; before any
    rescaling where items do not apply), both NaN for a veto; ``deadline`` the ISO
    date ("" where none is set), ``responsible`` and ``measure`` empty, ``status``
    the first status of the rubric's language.
    """
    rubric = results.rubric
    labels = RECTIFY_LABELS[rubric.lang]
    problems = problem_findings(results)
    findings = results.findings
    vetoes = findings[findings["kind"] == "veto"]
    veto_rectify = {veto.id: veto.rectify or "" for veto in rubric.vetoes}
    # a veto's row says what the veto did: without it a reader sees a problem with no
    # points lost and cannot tell why it is on the list (or why it repeats a clause's text)
    veto_titles = {veto.id: veto.title + labels.veto_effects[veto.action].format(
        grade=veto.grade or "", label=veto.label or labels.excluded_label)
        for veto in rubric.vetoes}
    rows = pd.concat([problems, pd.DataFrame({
        "branch_id": vetoes["branch_id"].astype(str).to_numpy(dtype=object),
        "kind": "veto",
        "item_id": vetoes["item_id"].astype(str).to_numpy(dtype=object),
        "lost": np.full(len(vetoes), np.nan),
        "problem": vetoes["item_id"].astype(str).map(veto_titles).to_numpy(dtype=object),
        "rectify": vetoes["item_id"].astype(str).map(veto_rectify).to_numpy(dtype=object),
    })], ignore_index=True)
    order = pd.Index(results.ranking["branch_id"].astype(str))
    rows = rows.assign(_rank=order.get_indexer(pd.Index(rows["branch_id"])),
                       _at=np.arange(len(rows)))
    rows = rows.sort_values(["_rank", "_at"], kind="stable").reset_index(drop=True)
    branches = results.scores.branches
    name_of = pd.Series(branches["branch_name"].astype(str).to_numpy(dtype=object),
                        index=branches["branch_id"].astype(str))
    count = len(rows)
    lost = rows["lost"].to_numpy(dtype=np.float64)
    return pd.DataFrame({
        "branch_id": rows["branch_id"].astype(str),
        "branch_name": pd.Series(name_of.reindex(rows["branch_id"]).to_numpy(dtype=object),
                                 dtype=str),
        "kind": rows["kind"].astype(str),
        "item_id": rows["item_id"].astype(str),
        "problem": rows["problem"].astype(str),
        "rectify": rows["rectify"].fillna("").astype(str),
        "lost": lost,
        "weighted_lost": round_points(
            lost * rows["item_id"].map(item_weights(rubric)).to_numpy(dtype=np.float64),
            rubric.precision),
        "deadline": pd.Series(np.full(count, deadline.isoformat() if deadline else ""),
                              dtype=str),
        "responsible": pd.Series(np.full(count, ""), dtype=str),
        "measure": pd.Series(np.full(count, ""), dtype=str),
        "status": pd.Series(np.full(count, labels.statuses[0]), dtype=str),
    }, columns=list(RECTIFY_COLUMNS))


def write_rectify_csv(table: pd.DataFrame, path: Path, precision: int) -> None:
    """``rectify.csv``: the table's columns, numbers and text as the other CSV outputs."""
    write_table(table, path, precision)


def add_rectification_sheet(book: Any, table: pd.DataFrame, rubric: Rubric,
                            title: DocumentTitle | None = None,
                            per_branch_pages: bool = False) -> None:
    """Add the rectification sheet to an open xlsxwriter workbook, in the print style.

    A title row ("2025年上半年社区党建工作整改清单"), the header, then per branch a
    row naming it and its problems numbered from 1; the status column has a
    drop-down of the statuses; the deadline is a real date cell. Rows are tall
    enough to write in. With ``per_branch_pages`` each branch begins a new
    printed page (the page is then scaled to the width rather than fitted,
    since a fitted page ignores page breaks).
    """
    labels = RECTIFY_LABELS[rubric.lang]
    keys = WEIGHTED_KEYS if weighted(rubric) else KEYS
    # on a rubric with weighted parts a clerk adding up the points lost must not take
    # 27 of a part that counts 20% for 27 of the total: both are shown, each named
    heading = {**labels.headings, "lost": labels.lost_in_part} if weighted(rubric) \
        else labels.headings
    at = {key: column for column, key in enumerate(keys)}
    formats = print_style.formats(book, rubric.precision)
    sheet = book.add_worksheet(labels.sheet)
    last_column = len(keys) - 1
    title = title or DocumentTitle(subject=rubric.subject)
    print_style.write_title(sheet, formats, title.title(labels.title, rubric.lang), last_column)
    widths = [WIDTHS[key] for key in keys]
    for column, width in enumerate(widths):
        sheet.set_column(column, column, width)
    # every problem row is tall enough to write in by hand: the sheet's default, so that a
    # hundred thousand rows need no height each
    sheet.set_default_row(HANDWRITING_HEIGHT)
    sheet.set_row(HEADER_ROW, print_style.header_height([heading[key] for key in keys], widths))
    for column, key in enumerate(keys):
        sheet.write_string(HEADER_ROW, column, heading[key], formats["header"])
    row = HEADER_ROW + 1
    breaks: list[int] = []
    dates = _dates(table["deadline"])
    points = {key: _numbers(table[key]) for key in ("lost", "weighted_lost") if key in at}
    # a branch's row is one label across the table, boxed: its text runs over the empty
    # cells to its right (a merged range would cost memory for every cell it covers)
    group = {"bold": True, "top": 1, "bottom": 1, "bg_color": "#F2F2F2", "valign": "vcenter"}
    group_first = book.add_format({**group, "left": 1})
    group_middle = book.add_format(group)
    group_last = book.add_format({**group, "right": 1})
    id_array = table["branch_id"].to_numpy(dtype=object)
    starts: list[int] = (np.flatnonzero(np.r_[True, id_array[1:] != id_array[:-1]]).tolist()
                         if len(table) else [])
    ends = [*starts[1:], len(table)] if starts else []  # no problem at all: no group
    # each column as a list once: a row costs list lookups, not pandas indexing
    # names and texts come from the inputs: without what an xlsx file cannot hold
    ids = [xml_text(text) for text in table["branch_id"].tolist()]
    names = [xml_text(text) for text in table["branch_name"].tolist()]
    problems = [xml_text(text) for text in table["problem"].tolist()]
    rectify = [xml_text(text) for text in table["rectify"].tolist()]
    responsible, measure = table["responsible"].tolist(), table["measure"].tolist()
    statuses = table["status"].tolist()
    heights: dict[tuple[str, str], float] = {}
    for start, end in zip(starts, ends, strict=True):
        if start > 0:
            breaks.append(row)
        branch = labels.branch.format(name=names[start] or ids[start], id=ids[start])
        sheet.set_row(row, print_style.LINE_HEIGHT + 3)
        sheet.write_string(row, 0, branch, group_first)
        for column in range(1, last_column):
            sheet.write_blank(row, column, None, group_middle)
        sheet.write_blank(row, last_column, None, group_last)
        row += 1
        for number, index in enumerate(range(start, end), start=1):
            texts = (problems[index], rectify[index])
            if texts not in heights:
                heights[texts] = _row_height(*texts)
            if heights[texts] > HANDWRITING_HEIGHT:  # the sheet's default row is that tall
                sheet.set_row(row, heights[texts])
            sheet.write_number(row, at["number"], number, formats["count"])
            sheet.write_string(row, at["problem"], problems[index], formats["wrap"])
            _text(sheet, row, at["rectify"], rectify[index], formats["wrap"])
            for key, values in points.items():
                if values[index] is None:
                    sheet.write_blank(row, at[key], None, formats["number"])
                else:
                    sheet.write_number(row, at[key], values[index], formats["number"])
            if dates[index] is None:
                sheet.write_blank(row, at["deadline"], None, formats["date"])
            else:
                sheet.write_datetime(row, at["deadline"], dates[index], formats["date"])
            _text(sheet, row, at["responsible"], responsible[index], formats["wrap"])
            _text(sheet, row, at["measure"], measure[index], formats["wrap"])
            sheet.write_string(row, at["status"], statuses[index], formats["center"])
            row += 1
    last_row = max(row - 1, HEADER_ROW)
    if len(table):
        sheet.data_validation(HEADER_ROW + 1, last_column, last_row, last_column,
                              {"validate": "list", "source": list(labels.statuses),
                               "ignore_blank": True})
    sheet.freeze_panes(HEADER_ROW + 1, 0)
    print_style.page_setup(sheet, header_rows=HEADER_ROW, last_row=last_row,
                           last_column=last_column, lang=rubric.lang)
    if per_branch_pages and breaks:
        sheet.set_h_pagebreaks(breaks)
        sheet.set_print_scale(print_style.print_scale(widths, landscape=True))
        # set_print_scale keeps fit-to-page on in xlsxwriter; a fitted page ignores breaks
        sheet.fit_page = False


def _text(sheet: Any, row: int, column: int, text: str, cell_format: Any) -> None:
    if text:
        sheet.write_string(row, column, text, cell_format)
    else:
        sheet.write_blank(row, column, None, cell_format)


def _row_height(*texts: str) -> float:
    lines = max((-(-display_width(text) // (min(WIDTHS["problem"], WIDTHS["rectify"]) - 2))
                 for text in texts if text), default=1)
    return max(HANDWRITING_HEIGHT, print_style.LINE_HEIGHT * lines + 6)


def _numbers(values: pd.Series) -> list[Any]:
    numbers = values.to_numpy(dtype=np.float64)
    cells = numbers.astype(object)
    cells[np.isnan(numbers)] = None
    return list(cells.tolist())


def _dates(values: pd.Series) -> list[Any]:
    """ISO dates as datetimes for date cells; None where no deadline is set."""
    distinct = {text: datetime.datetime.fromisoformat(text) for text in set(values) if text}
    return [distinct.get(text) for text in values]


def rectification_sheet(table: pd.DataFrame, rubric: Rubric, title: DocumentTitle | None = None,
                        per_branch_pages: bool = False) -> Callable[[Any], None]:
    """The sheet as a callable for ``write_workbook(..., extra_sheets=...)``."""
    def add(book: Any) -> None:
        add_rectification_sheet(book, table, rubric, title, per_branch_pages)
    return add


@attrs.frozen
class RectifyOutputs:
    """What ``run --rectify`` adds to the run's outputs: a workbook sheet and rectify.csv."""

    sheets: tuple[Callable[[Any], None], ...]
    #: CSV file name → a function writing it to the path given
    csv: Mapping[str, Callable[[Path], None]]


def rectify_outputs(results: Results, deadline: datetime.date | None, *,
                    title: DocumentTitle | None = None,
                    per_branch_pages: bool = False) -> RectifyOutputs:
    table = rectification_table(results, deadline)
    rubric = results.rubric

    def write_csv(path: Path) -> None:
        write_rectify_csv(table, path, rubric.precision)

    return RectifyOutputs(sheets=(rectification_sheet(table, rubric, title, per_branch_pages),),
                          csv={CSV_NAME: write_csv})
