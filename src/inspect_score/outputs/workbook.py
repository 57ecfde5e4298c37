"""The workbook people print and paste into bulletins: ranking, points, findings, summary.

Written with xlsxwriter directly, row by row in constant-memory mode (a sheet
is streamed to disk as it is written), from per-column Python lists built once.
Text always goes through ``write_string`` and the workbook converts nothing,
so a branch called "=HYPERLINK(...)" stays text. ``created`` is pinned, so the
same run gives a byte-identical file. Sheets and headings are in the rubric's
language (:mod:`inspect_score.scoring.labels`).
"""

from __future__ import annotations

import datetime
import importlib.metadata
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Literal

import attrs
import numpy as np
import pandas as pd
import xlsxwriter

from inspect_score.errors import Issue
from inspect_score.messages import msg
from inspect_score.outputs import print_style
from inspect_score.outputs.escape import xml_text
from inspect_score.outputs.print_style import DocumentTitle, display_width, fit_width
from inspect_score.rubric.model import Rubric
from inspect_score.scoring.labels import Labels, labels_for, section_heading
from inspect_score.scoring.plain import plain_number
from inspect_score.scoring.results import Results

#: Excel's rows per sheet.
EXCEL_MAX_ROWS = 1_048_576
#: Every file says it was made at this moment, so that files depend on their inputs only.
PINNED_CREATED = datetime.datetime(2000, 1, 1, 0, 0, 0)
#: Rows above the data: a title (or the truncation note), then the header.
TITLE_ROW = 0
HEADER_ROW = 1
FIRST_DATA_ROW = 2
#: Column widths, in characters (an East Asian wide character counts 2).
MIN_WIDTH = print_style.MIN_WIDTH
MAX_WIDTH = print_style.MAX_WIDTH
NUMBER_WIDTH = print_style.NUMBER_WIDTH
#: Rows whose text is measured for a column's width; enough to see typical names.
MEASURED_ROWS = 5_000
A4 = print_style.A4

#: ``text`` left, ``center`` short text centred (grades), ``wrap`` sentences that wrap.
CellKind = Literal["text", "center", "wrap", "number", "count"]
TEXT_KINDS = ("text", "center", "wrap")

#: What each sheet's title row says the table is, after the period and the subject.
SHEET_TITLES = {
    "zh": {"ranking": "考评结果", "points": "考评各项得分", "findings": "考评存在问题",
           "summary": "考评得分汇总", "about": "考评说明"},
    "en": {"ranking": "inspection results", "points": "points per item",
           "findings": "problems found", "summary": "summary", "about": "about"},
}


@attrs.frozen
class Column:
    """One column of a sheet: its heading, its cells, and how they are written."""

    heading: str
    #: cell values; None leaves the cell empty
    cells: list[Any]
    kind: CellKind = "text"


def _number_cells(values: pd.Series | np.ndarray) -> list[Any]:
    numbers = np.asarray(values, dtype=np.float64)
    cells = numbers.astype(object)
    cells[np.isnan(numbers)] = None
    return list(cells.tolist())


def _text_cells(values: pd.Series | np.ndarray) -> list[Any]:
    """Text as str, without what Excel refuses; None (no cell at all) where blank or empty."""
    texts = pd.Series(values, dtype=object)
    cells = texts.where(texts.notna() & (texts != ""), None).tolist()
    return [xml_text(cell) if isinstance(cell, str) else cell for cell in cells]


def _count_cells(values: pd.Series) -> list[Any]:
    """Whole numbers; None (an empty cell) where missing, as the rank of an excluded branch."""
    if values.hasnans:
        return [None if pd.isna(value) else int(value) for value in values.tolist()]
    return list(values.astype(np.int64).tolist())


class _Writer:
    """Sheets of one workbook, with the formats and page setup they share."""

    def __init__(self, path: Path, rubric: Rubric, title: DocumentTitle) -> None:
        self.path = path
        self.rubric = rubric
        self.title = title
        self.labels = labels_for(rubric.lang)
        self.book = xlsxwriter.Workbook(str(path), {
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
            "constant_memory": True,
        })
        self.book.set_properties({"title": rubric.title, "created": PINNED_CREATED})
        self.formats = print_style.formats(self.book, rubric.precision)
        self.warnings: list[Issue] = []

    def sheet(self, key: str, columns: Sequence[Column],
              below: Sequence[Sequence[Column]] = (), key_columns: int = 0) -> None:
        """A sheet holding ``columns``, then each table of ``below`` after an empty row.

        The first table gets the frozen header and the autofilter; rows past
        Excel's limit are left out, with a note on the sheet and a warning. Its first
        ``key_columns`` say whose row it is: printed on every page across where the
        table is too wide for one page width.
        """
        name = self.labels.sheets[key]
        sheet = self.book.add_worksheet(name)
        rows = len(columns[0].cells) if columns else 0
        room = EXCEL_MAX_ROWS - FIRST_DATA_ROW
        title = self.title.title(SHEET_TITLES[self.rubric.lang][key], self.rubric.lang)
        last_column = max(len(columns) - 1, 0)
        if rows > room:
            note = self.labels.truncated.format(rows=f"{room:,}", total=f"{rows:,}")
            sheet.write_string(TITLE_ROW, 0, f"{title}  {note}", self.formats["warning"])
            self.warnings.append(Issue(
                "sheet-truncated",
                msg("sheet {name!r} holds only the first {room:,} of {rows:,} rows (Excel's "
                    "limit); the CSV outputs (--csv) carry every row",
                    name=name, room=room, rows=rows),
                str(self.path), severity="warning",
            ))
            rows = room
        else:
            print_style.write_title(sheet, self.formats, title, last_column)
        widths = [self._width(column, rows) for column in columns]
        for table in below:
            for index, column in enumerate(table):
                if index < len(widths):
                    widths[index] = max(widths[index], self._width(column, len(column.cells)))
                else:
                    widths.append(self._width(column, len(column.cells)))
        for index, width in enumerate(widths):
            sheet.set_column(index, index, width)
        # rows are streamed: a header's height is set before the header is written
        sheet.set_row(HEADER_ROW, print_style.header_height(
            [column.heading for column in columns], widths))
        last_row = self._table(sheet, HEADER_ROW, columns, rows, widths)
        sheet.freeze_panes(FIRST_DATA_ROW, 0)
        sheet.autofilter(HEADER_ROW, 0, max(last_row, HEADER_ROW), max(len(columns) - 1, 0))
        for table in below:
            sheet.set_row(last_row + 2, print_style.header_height(
                [column.heading for column in table], widths))
            last_row = self._table(sheet, last_row + 2, table, len(table[0].cells), widths)
        print_style.page_setup(sheet, header_rows=HEADER_ROW, last_row=last_row,
                               last_column=len(widths) - 1, lang=self.rubric.lang,
                               widths=widths, key_columns=key_columns, title=title)

    def _table(self, sheet: Any, header_row: int, columns: Sequence[Column], rows: int,
               widths: Sequence[int] = ()) -> int:
        """Write a header and ``rows`` rows; return the last row written.

        Text cells go one by one through ``write_string``. Numbers, the bulk of
        the cells, go a run of neighbouring columns at a time through
        ``write_row`` (one call per row and run instead of one per cell);
        they can never be taken for formulas. A row whose sentence wraps within
        its column's width is made tall enough for its lines (each distinct
        sentence measured once).
        """
        header = self.formats["header"]
        for index, column in enumerate(columns):
            sheet.write_string(header_row, index, column.heading, header)
        texts: list[tuple[int, list[Any], Any]] = []
        runs: list[tuple[int, list[tuple[Any, ...]], Any]] = []
        index = 0
        while index < len(columns):
            kind = columns[index].kind
            if kind in TEXT_KINDS:
                texts.append((index, columns[index].cells, self.formats[kind]))
                index += 1
                continue
            end = index
            while end < len(columns) and columns[end].kind == kind:
                end += 1
            cells = [column.cells[:rows] for column in columns[index:end]]
            runs.append((index, list(zip(*cells, strict=True)), self.formats[kind]))
            index = end
        wrapping = [(column.cells, widths[index]) for index, column in enumerate(columns)
                    if column.kind == "wrap" and index < len(widths)]
        lines_of: dict[tuple[str, int], int] = {}
        write_string = sheet.write_string
        write_blank = sheet.write_blank
        write_row = sheet.write_row
        set_row = sheet.set_row
        first = header_row + 1
        for offset in range(rows):
            excel_row = first + offset
            if wrapping:
                lines = 1
                for sentences, width in wrapping:
                    sentence: str | None = sentences[offset]
                    if sentence:
                        key = (sentence, width)
                        if key not in lines_of:
                            lines_of[key] = print_style.lines_needed(sentence, width)
                        lines = max(lines, lines_of[key])
                if lines > 1:
                    set_row(excel_row, print_style.row_height(lines))
            for column_index, cells, text_format in texts:
                value = cells[offset]
                if value is not None:
                    write_string(excel_row, column_index, value, text_format)
                else:  # an empty cell of the table still has its border
                    write_blank(excel_row, column_index, None, text_format)
            for column_index, numbers, cell_format in runs:
                write_row(excel_row, column_index, numbers[offset], cell_format)
        return header_row + rows

    @staticmethod
    def _width(column: Column, rows: int) -> int:
        if column.kind not in TEXT_KINDS:
            # a long heading over a number wraps (its row grows) rather than widen the column
            return max(NUMBER_WIDTH, min(display_width(column.heading) + 2,
                                         print_style.NUMBER_HEADING_WIDTH))
        measured = {text for text in column.cells[:min(rows, MEASURED_ROWS)] if text}
        maximum = print_style.SENTENCE_WIDTH if column.kind == "wrap" else MAX_WIDTH
        return fit_width(column.heading, measured, maximum=maximum)

    def close(self) -> None:
        self.book.close()


def document_title(rubric: Rubric, period: str | None = None,
                   subject: str | None = None) -> DocumentTitle:
    """The period and the subject that head a run's documents: as given, else the rubric's
    ``subject`` (schema 2 metadata; absent, a blank to fill in by hand)."""
    return DocumentTitle(period=period or None,
                         subject=subject or rubric.subject or None)


def _with_max(title: str, maximum: float) -> str:
    return f"{title}({plain_number(maximum)})"


def _veto_titles(results: Results, labels: Labels) -> list[Any]:
    """The titles of each branch's vetoes, in ranking order, joined by the list separator."""
    positions = results.ranking["position"].to_numpy(dtype=np.int64)
    titles = np.full(len(positions), "", dtype=object)
    for veto in results.rubric.vetoes:
        hit = results.scores.vetoes[veto.id].to_numpy(dtype=bool)[positions]
        titles = np.where(hit, np.where(titles == "", veto.title,
                                        titles + labels.list_separator + veto.title), titles)
    return _text_cells(titles)


def _ranking_columns(results: Results, heading: dict[str, str], labels: Labels) -> list[Column]:
    ranking = results.ranking
    rubric = results.rubric
    columns = [
        Column(heading["number"], list(range(1, len(ranking) + 1)), "count"),
        Column(heading["branch_id"], _text_cells(ranking["branch_id"])),
        Column(heading["branch_name"], _text_cells(ranking["branch_name"])),
    ]
    columns += [Column(section_heading(rubric, section), _number_cells(ranking[section.id]),
                       "number") for section in rubric.sections]
    columns += [
        Column(heading["bonus"], _number_cells(ranking["bonus"]), "number"),
        Column(heading["penalty"], _number_cells(ranking["penalty"]), "number"),
        Column(heading["total"], _number_cells(ranking["total"]), "number"),
        Column(heading["rank"], _count_cells(ranking["rank"]), "count"),
        Column(heading["grade"], _text_cells(ranking["grade"]), "center"),
        Column(heading["vetoed"], _veto_titles(results, labels), "wrap"),
    ]
    return columns


def _points_columns(results: Results, heading: dict[str, str]) -> list[Column]:
    ranking = results.ranking
    positions = ranking["position"].to_numpy(dtype=np.int64)
    columns = [
        Column(heading["branch_id"], _text_cells(ranking["branch_id"])),
        Column(heading["branch_name"], _text_cells(ranking["branch_name"])),
        *_reference_columns(results, positions),
    ]
    columns += [
        Column(_with_max(item.title, item.max),
               _number_cells(results.scores.points[item.id].to_numpy(dtype=np.float64)[positions]),
               "number")
        for item in results.rubric.items
    ]
    return columns


def _reference_columns(results: Results, positions: np.ndarray) -> list[Column]:
    """Schema 2 reference fields ("党员人数"): shown beside the points, scored by nothing;
    a branch's value is its first checklist row's."""
    fields = [field for field in results.rubric.fields if field.reference]
    if not fields:
        return []
    row_branch = results.scores.row_branch.to_numpy(dtype=np.int64)
    _, first_rows = np.unique(row_branch, return_index=True)
    rows = first_rows[positions]
    frame = results.checklists.frame
    columns = []
    for field in fields:
        column = frame[field.id]
        if field.type == "int":
            # a count of people, not points: "126", never "126.00"
            columns.append(Column(field.header, _number_cells(
                column.to_numpy(dtype=np.float64)[rows]), "count"))
        elif field.type == "number":
            columns.append(Column(field.header, _number_cells(
                column.to_numpy(dtype=np.float64)[rows]), "number"))
        else:
            columns.append(Column(field.header, _text_cells(
                column.astype(object).to_numpy()[rows])))
    return columns


def _findings_columns(results: Results, heading: dict[str, str]) -> list[Column]:
    """One row per finding. The kind is not a column of its own (the item's title
    says it) and neither is max (lost says it): the findings sheet is the one that
    grows to a million rows, and every column costs seconds there."""
    findings = results.findings
    rubric = results.rubric
    branches = results.scores.branches
    names = branches["branch_name"].to_numpy(dtype=object)[
        pd.Index(branches["branch_id"]).get_indexer(findings["branch_id"])
    ] if len(findings) else np.zeros(0, dtype=object)
    titles = {item.id: item.title for item in rubric.items}
    titles.update({veto.id: veto.title for veto in rubric.vetoes})
    columns = [
        Column(heading["branch_id"], _text_cells(findings["branch_id"])),
        Column(heading["branch_name"], _text_cells(names)),
        Column(heading["item"], _text_cells(findings["item_id"].map(titles))),
        Column(heading["problem"], _text_cells(findings["problem"]), "wrap"),
    ]
    # 整改要求 only where the rubric states some: an empty column is noise on paper
    if "rectify" in findings.columns and (findings["rectify"].astype(str) != "").any():
        columns.append(Column(heading["rectify"], _text_cells(findings["rectify"]), "wrap"))
    return [
        *columns,
        Column(heading["value"], _text_cells(findings["value"])),
        Column(heading["points"], _number_cells(findings["points"]), "number"),
        Column(heading["lost"], _number_cells(findings["lost"]), "number"),
        # the arithmetic, apart from the problem a report states
        Column(heading["note"], _text_cells(findings["note"]), "wrap"),
    ]


def _summary_columns(results: Results, heading: dict[str, str]) -> list[Column]:
    summary = results.summary
    return [
        Column(heading["item"], _text_cells(summary["title"])),
        Column(heading["max"], _number_cells(summary["max"]), "number"),
        Column(heading["mean_points"], _number_cells(summary["mean_points"]), "number"),
        Column(heading["full_marks"], _count_cells(summary["full_marks"]), "count"),
        Column(heading["zero_points"], _count_cells(summary["zero_points"]), "count"),
        Column(heading["branches"], _count_cells(summary["branches"]), "count"),
    ]


def _grade_columns(results: Results, heading: dict[str, str]) -> list[Column]:
    counts = results.grade_counts
    return [
        Column(heading["grade"], _text_cells(counts["grade"]), "center"),
        Column(heading["grade_branches"], _count_cells(counts["branches"]), "count"),
    ]


def _about_columns(results: Results, heading: dict[str, str], inputs: Sequence[str],
                   tool_version: str) -> list[Column]:
    rubric = results.rubric
    rows = [
        (heading["rubric_id"], rubric.id),
        (heading["rubric_title"], rubric.title),
        (heading["rubric_version"], rubric.version or ""),
        (heading["rubric_sha256"], rubric.sha256),
        (heading["rubric_source"], rubric.source),
        *((heading["input"], str(path)) for path in inputs),
        (heading["tool"], f"inspect-score {tool_version}".rstrip()),
    ]
    return [
        Column(heading["key"], [key for key, _ in rows]),
        Column(heading["content"], [value for _, value in rows], "wrap"),
    ]


def write_workbook(results: Results, path: Path, *, inputs: Sequence[str],
                   tool_version: str | None = None,
                   extra_sheets: Sequence[Callable[[Any], None]] = (),
                   title: DocumentTitle | None = None) -> list[Issue]:
    """Write the run's workbook to ``path``; return warnings (a sheet cut at Excel's limit).

    ``inputs`` are the checklist paths as the user gave them; they are listed
    on the last sheet with the rubric. No time of writing is recorded, so the
    same run always gives the same bytes. ``tool_version`` defaults to the
    installed package's version. Each of ``extra_sheets`` is called with the
    open xlsxwriter workbook to add a sheet of its own, after the others.
    ``title`` (the period and the subject) heads every sheet; by default the
    rubric's subject and a blank for the period.
    """
    if tool_version is None:
        tool_version = importlib.metadata.version("inspect-score")
    writer = _Writer(path, results.rubric, title or document_title(results.rubric))
    heading = dict(writer.labels.headings)
    labels = writer.labels
    try:
        # 序号, 编号 and 名称 (编号 and 名称) say whose row it is, on every page across
        writer.sheet("ranking", _ranking_columns(results, heading, labels), key_columns=3)
        writer.sheet("points", _points_columns(results, heading), key_columns=2)
        writer.sheet("findings", _findings_columns(results, heading), key_columns=2)
        writer.sheet("summary", _summary_columns(results, heading),
                     below=[_grade_columns(results, heading)])
        writer.sheet("about", _about_columns(results, heading, inputs, tool_version))
        for add_sheet in extra_sheets:
            add_sheet(writer.book)
    finally:
        writer.close()
    return writer.warnings
