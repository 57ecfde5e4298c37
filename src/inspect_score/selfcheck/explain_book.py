"""The explanations as a workbook to print: each branch on a page of its own.

A district office explains thousands of branches at once and prints them, a
branch a page (two, for a long rubric), to hand out. All branches share one
sheet, each block starting on a new page: its title ("金桥社区（SQ07）考评情况
说明"), the items and clauses under a bordered header, the summary sentences
below. Excel keeps at most 1,023 manual page breaks in a sheet, so a run of
more than :data:`BRANCHES_PER_SHEET` branches takes several sheets; a table of
contents first lists every branch with its total, its grade and a link to its
page.

Every cell goes through xlsxwriter one call at a time, so the cells are few:
a sentence that fits on one line is one cell running on across the empty ones
beside it, not a merged range of six; each distinct text is cleaned for XML
and measured for its row's height once. The rows are streamed to disk as they
are written (xlsxwriter's ``constant_memory``), every row's height set before
its cells, so memory does not grow with the number of branches.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xlsxwriter

from inspect_score.outputs import print_style
from inspect_score.outputs.escape import xml_text
from inspect_score.outputs.print_style import display_width, fit_width
from inspect_score.outputs.workbook import PINNED_CREATED
from inspect_score.scoring.plain import plain_number
from inspect_score.selfcheck.explain import Explanations

#: Branches a sheet holds: one manual page break each, and Excel keeps 1,023 a sheet.
BRANCHES_PER_SHEET = 1000
#: The widest the columns of titles, values (raters' values joined) and reasons grow
#: before their texts wrap: narrow enough for A4 portrait at a readable scale (about 70 %).
TITLE_WIDTH = 28
VALUE_WIDTH = 12
REASON_WIDTH = 36
#: A column of points ("100.00") under a two-character heading.
POINTS_WIDTH = 8
#: Distinct texts measured for a column's width: enough to see the long ones.
MEASURED = 20_000

BOOK_WORDS: dict[str, dict[str, str]] = {
    "zh": {
        "sheet": "考评情况说明",
        "columns": "类别|项目（分值）|填报值|得分|失分原因",
        "titled": "{title}（{max}分）",
        "sheet_part": "考评情况说明{first}-{last}",
        "contents": "目录",
        "contents_title": "考评情况说明目录（共{count}个单位）",
        "contents_columns": "序号|编号|名称|总分|等次|所在位置",
        "where": "{sheet} 第{row}行",
    },
    "en": {
        "sheet": "Explanations",
        "columns": "Kind|Item (points)|Value|Points|Why points were lost",
        "titled": "{title} ({max})",
        "sheet_part": "Explanations {first}-{last}",
        "contents": "Contents",
        "contents_title": "Explanations: contents ({count} branches)",
        "contents_columns": "No.|Id|Name|Total|Grade|Where",
        "where": "{sheet}, row {row}",
    },
}


def write_explanations(explanations: Explanations, path: Path) -> None:
    """Every explanation on its own page; a table of contents first where there are several."""
    rubric = explanations.rubric
    words = BOOK_WORDS[rubric.lang]
    book = xlsxwriter.Workbook(str(path), {
        "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False,
        # rows go to disk as they are written: thousands of branches in bounded memory
        "constant_memory": True,
    })
    book.set_properties({"title": rubric.title, "created": PINNED_CREATED})
    formats = print_style.formats(book, rubric.precision)
    layout = _Layout.of(explanations, words)
    count = len(explanations)
    parts = [(first, min(first + BRANCHES_PER_SHEET, count))
             for first in range(0, count, BRANCHES_PER_SHEET)] or [(0, 0)]
    names = ([words["sheet"]] if len(parts) == 1 else
             [words["sheet_part"].format(first=first + 1, last=last) for first, last in parts])
    starts = layout.block_starts(explanations, parts)
    if count > 1:
        _contents(book, formats, explanations, names, starts, words)
    for name, (first, last), rows in zip(names, parts, starts, strict=True):
        sheet = book.add_worksheet(name)
        layout.write_blocks(sheet, formats, explanations, range(first, last), rows[:-1])
        print_style.page_setup_pages(sheet, widths=layout.widths, breaks=rows[1:-1].tolist(),
                                     last_row=max(int(rows[-1]), 1) - 1,
                                     last_column=len(layout.widths) - 1, lang=rubric.lang)
    book.close()


class _Layout:
    """Column widths, formats and row heights shared by every block."""

    def __init__(self, headings: list[str], widths: list[int], titles: list[str],
                 line_lines: np.ndarray, values: np.ndarray, reasons: np.ndarray) -> None:
        self.headings = headings
        #: each line's title as printed: an item's with its points ("三会一课（16分）")
        self.titles = titles
        self.widths = widths
        #: lines x branches: the lines each table row of each block takes
        self.line_lines = line_lines
        self.across = sum(widths)
        #: lines x branches, made safe for XML once per distinct text
        self.values = values
        self.reasons = reasons
        self._sentence_lines: dict[str, int] = {}

    @classmethod
    def of(cls, explanations: Explanations, words: dict[str, str]) -> _Layout:
        headings = words["columns"].split("|")
        reasons = explanations.reasons
        values = explanations.values
        # an item's points go with its title, as a 细则 writes them: no column of maxima,
        # blank on every clause and veto line
        titles = [xml_text(title if maximum is None else words["titled"].format(
            title=title, max=plain_number(maximum)))
            for title, maximum in zip(explanations.titles, explanations.maxima, strict=True)]
        widths = [
            fit_width(headings[0], explanations.kinds),
            fit_width(headings[1], titles, maximum=TITLE_WIDTH),
            fit_width(headings[2], _distinct(values), maximum=VALUE_WIDTH),
            max(POINTS_WIDTH, display_width(headings[3]) + 2),
            fit_width(headings[4], _distinct(reasons), maximum=REASON_WIDTH),
        ]
        reasons = _cleaned(reasons)
        values = _cleaned(values)
        title_lines = np.array([print_style.lines_needed(title, widths[1])
                                for title in titles], dtype=np.int64)
        lines = np.maximum(_lines_of(reasons, widths[4]), _lines_of(values, widths[2]))
        if len(title_lines):
            lines = np.maximum(lines, title_lines[:, None])
        return cls(headings, widths, titles, lines, values, reasons)

    @staticmethod
    def block_starts(explanations: Explanations,
                     parts: Sequence[tuple[int, int]]) -> list[np.ndarray]:
        """The first row of each block, sheet by sheet, and last the row after the sheet's
        last block. A block's rows: title, header, lines, a gap, the sentences, a gap."""
        sentences = np.array([len(summary) for summary in explanations.summaries],
                             dtype=np.int64)
        heights = 4 + len(explanations.kinds) + sentences[explanations.at]
        return [np.concatenate([[0], np.cumsum(heights[first:last])]).astype(np.int64)
                for first, last in parts]

    def write_blocks(self, sheet: Any, formats: dict[str, Any], explanations: Explanations,
                     indices: range, starts: np.ndarray) -> None:
        widths = self.widths
        for column, width in enumerate(widths):
            sheet.set_column(column, column, width)
        last_column = len(widths) - 1
        header_height = print_style.header_height(self.headings, widths)
        kinds = explanations.kinds
        titles = self.titles
        title_formats = [formats["indented"] if clause else formats["wrap"]
                         for clause in explanations.clause_lines]
        center, text, wrap, number = (formats["center"], formats["wrap"], formats["wrap"],
                                      formats["number"])
        write_string, write_number, write_blank = (sheet.write_string, sheet.write_number,
                                                   sheet.write_blank)
        set_row = sheet.set_row
        for index, row in zip(indices, starts.tolist(), strict=True):
            column = explanations.column(index)
            # a title on one line runs on across the empty cells beside it
            set_row(row, print_style.TITLE_SIZE * 2)
            write_string(row, 0, xml_text(explanations.headings[column]), formats["title"])
            set_row(row + 1, header_height)
            for place, heading in enumerate(self.headings):
                write_string(row + 1, place, heading, formats["header"])
            values = self.values[:, column].tolist()
            points = explanations.points[:, column].tolist()
            reasons = self.reasons[:, column].tolist()
            heights = self.line_lines[:, column].tolist()
            for line, kind in enumerate(kinds):
                at = row + 2 + line
                if heights[line] > 1:
                    set_row(at, print_style.row_height(heights[line]))
                write_string(at, 0, kind, center)
                write_string(at, 1, titles[line], title_formats[line])
                if values[line]:
                    write_string(at, 2, values[line], text)
                else:
                    write_blank(at, 2, None, text)
                earned = points[line]
                if earned == earned:
                    write_number(at, 3, earned, number)
                else:
                    write_blank(at, 3, None, number)
                if reasons[line]:
                    write_string(at, 4, reasons[line], wrap)
                else:
                    write_blank(at, 4, None, wrap)
            at = row + 2 + len(kinds)
            for sentence in explanations.summaries[column]:
                at += 1
                lines = self._sentence_lines.get(sentence)
                if lines is None:
                    lines = self._sentence_lines[sentence] = print_style.lines_needed(
                        sentence, self.across)
                if lines == 1:
                    # a sentence on one line runs on across the empty cells beside it
                    write_string(at, 0, xml_text(sentence), formats["sentence"])
                    continue
                set_row(at, print_style.row_height(lines))
                sheet.merge_range(at, 0, at, last_column, xml_text(sentence), formats["note"])


def _cleaned(texts: np.ndarray) -> np.ndarray:
    """Texts without what XML cannot hold, each distinct text cleaned once."""
    codes, uniques = pd.factorize(np.asarray(texts, dtype=object).ravel())
    cleaned = np.array([xml_text(str(text)) for text in uniques] or [""], dtype=object)
    return np.asarray(cleaned[codes], dtype=object).reshape(texts.shape)


def _distinct(texts: np.ndarray) -> list[str]:
    """The distinct non-empty texts of an array, as many as are worth measuring."""
    flat = pd.unique(np.asarray(texts, dtype=object).ravel())
    return [str(text) for text in flat[:MEASURED] if text]


def _lines_of(texts: np.ndarray, width: int) -> np.ndarray:
    """The lines each text takes wrapped at ``width``, each distinct text measured once."""
    if not texts.size:
        return np.ones(texts.shape, dtype=np.int64)
    codes, uniques = pd.factorize(np.asarray(texts, dtype=object).ravel())
    lines = np.array([print_style.lines_needed(str(text), width) if text else 1
                      for text in uniques], dtype=np.int64)
    return lines[codes].reshape(texts.shape)


def _contents(book: Any, formats: dict[str, Any], explanations: Explanations,
              names: list[str], starts: list[np.ndarray],
              words: dict[str, str]) -> None:
    """The table of contents: each branch, its total and grade, and a link to its page."""
    rubric = explanations.rubric
    sheet = book.add_worksheet(words["contents"])
    headings = words["contents_columns"].split("|")
    columns = explanations.at
    ids = [explanations.branch_ids[column] for column in columns.tolist()]
    branch_names = [explanations.branch_names[column] for column in columns.tolist()]
    grades = [explanations.grades[column] for column in columns.tolist()]
    totals = explanations.totals[columns].tolist()
    where: list[tuple[str, str]] = []
    for name, rows in zip(names, starts, strict=True):
        quoted = name.replace("'", "''")
        where.extend((f"internal:'{quoted}'!A{row + 1}",
                      words["where"].format(sheet=name, row=row + 1))
                     for row in rows[:-1].tolist())
    widths = [max(print_style.NUMBER_WIDTH - 2, display_width(headings[0]) + 2),
              fit_width(headings[1], ids[:MEASURED]),
              fit_width(headings[2], branch_names[:MEASURED]),
              print_style.NUMBER_WIDTH,
              fit_width(headings[4], grades[:MEASURED]),
              fit_width(headings[5], [shown for _, shown in where[:MEASURED]])]
    for column, width in enumerate(widths):
        sheet.set_column(column, column, width)
    last_column = len(widths) - 1
    print_style.write_title(sheet, formats, words["contents_title"].format(
        count=len(explanations)), last_column)
    sheet.set_row(1, print_style.header_height(headings, widths))
    for column, heading in enumerate(headings):
        sheet.write_string(1, column, heading, formats["header"])
    for offset, (branch, name, total, grade, (link, shown)) in enumerate(
            zip(ids, branch_names, totals, grades, where, strict=True)):
        row = 2 + offset
        sheet.write_number(row, 0, offset + 1, formats["count"])
        sheet.write_string(row, 1, xml_text(branch), formats["text"])
        sheet.write_string(row, 2, xml_text(name), formats["text"])
        sheet.write_number(row, 3, total, formats["number"])
        sheet.write_string(row, 4, xml_text(grade), formats["center"])
        sheet.write_url(row, 5, link, formats["link"], string=shown)
    sheet.freeze_panes(2, 0)
    print_style.page_setup(sheet, header_rows=1, last_row=1 + len(ids), last_column=last_column,
                           lang=rubric.lang, landscape=False)
