"""Workbooks and pictures for rubric tuning: what a person would rather look at than read.

- the comparison workbook: every branch under both rubrics with the items
  that moved it, the change per item, a summary with the rubric edits in
  words, and a column chart of each branch's change in total;
- the sensitivity workbook: rank intervals and grade shares per branch, the
  indicators whose weights move the ranking most, the settings of the
  analysis, and two native Excel charts (xlsxwriter): a rank-interval plot
  (a bar from the 5th to the 95th percentile rank, the median marked) and
  grade-probability stacked bars;
- the same two charts as a PNG, drawn with matplotlib (the optional extra
  ``png``).

Workbooks are deterministic (``created`` pinned), text is always written as
text, and headings follow the rubric's language.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xlsxwriter

from inspect_score.outputs import print_style
from inspect_score.outputs.print_style import display_width
from inspect_score.outputs.workbook import EXCEL_MAX_ROWS, PINNED_CREATED
from inspect_score.rubric.model import Lang, Rubric
from inspect_score.scoring.plain import plain_number
from inspect_score.tuning.compare import REMAINDER, Comparison, main_causes
from inspect_score.tuning.sensitivity import STABLE_SHARE, Sensitivity

#: Branches drawn in a chart: beyond this a chart is a smear, and old Excel refuses it.
CHART_BRANCHES = 1000
#: The title sits on row 0, the header on row 1, data from row 2.
_HEADER_ROW = 1
_DATA_ROW = 2
_WIDEST = 50

_WORDS: dict[Lang, dict[str, str]] = {
    "zh": {
        "compare_sheet": "对比", "items_sheet": "分项变化", "summary_sheet": "概况",
        "edits_sheet": "细则修改",
        "number": "序号", "edit": "修改内容",
        "intervals_sheet": "排名区间", "indicators_sheet": "指标敏感度", "about_sheet": "说明",
        "interval_chart": "排名区间图", "grade_chart": "等次概率图",
        "branch_id": "编号", "branch_name": "名称", "total_old": "原总分", "total_new": "新总分",
        "delta": "总分变化", "rank_old": "原排名", "rank_new": "新排名", "rank_move": "名次变化",
        "grade_old": "原等次", "grade_new": "新等次", "causes": "主要原因",
        REMAINDER: "封顶/保底/折算",
        "key": "项目", "value": "内容", "branches": "参评单位数", "grade_up": "等次上升",
        "grade_down": "等次下降", "grade_same": "等次不变",
        "spearman": "新旧排名一致程度（斯皮尔曼系数，1为完全一致）",
        "kendall": "新旧排名一致程度（肯德尔系数，1为完全一致）",
        "edits": "细则修改", "movers": "变动最大的单位",
        "rank": "排名", "rank_median": "排名中位数", "rank_p05": "排名5%", "rank_p95": "排名95%",
        "grade": "等次", "stable": "等次稳定", "interval": "区间长度", "yes": "是", "no": "否",
        "item_id": "指标", "title": "名称", "max": "满分", "first_order": "单独变动时的影响",
        "first_order_meaning": "只变动这一项、其他不变时，能解释各次抽样中排名变动的百分之几；"
                               "越大，排名越取决于细则给它定多少分",
        "factor": "板块或条款", "stated": "细则分值",
        "runs": "模拟次数", "spread": "各项满分浮动幅度",
        "spread_2": "板块权重和条款分值浮动幅度", "thresholds": "等次分数线浮动",
        "thresholds_value": "上下{points}分", "unchanged": "不变",
        "stable_value": "{count}个（至少{share}%的抽样中等次不变）",
        "seed": "随机种子", "stable_count": "等次稳定的单位数", "rubric": "细则",
        "rubric_old": "原细则", "rubric_new": "新细则",
        "input": "输入文件", "change_chart": "各单位总分变化",
        "interval_title": "排名区间（5%–95%，点为中位数）", "grade_title": "各等次的概率",
        "chart_note": "（图中只画出前{count}个单位）",
    },
    "en": {
        "compare_sheet": "Comparison", "items_sheet": "Item changes", "summary_sheet": "Summary",
        "edits_sheet": "Rubric edits",
        "number": "No.", "edit": "Edit",
        "intervals_sheet": "Rank intervals", "indicators_sheet": "Indicators",
        "about_sheet": "About", "interval_chart": "Rank interval chart",
        "grade_chart": "Grade chart",
        "branch_id": "ID", "branch_name": "Name", "total_old": "Old total",
        "total_new": "New total", "delta": "Change", "rank_old": "Old rank",
        "rank_new": "New rank", "rank_move": "Places moved", "grade_old": "Old grade",
        "grade_new": "New grade", "causes": "Main causes",
        REMAINDER: "Cap/floor/rescaling",
        "key": "Item", "value": "Value", "branches": "Branches", "grade_up": "Grade up",
        "grade_down": "Grade down", "grade_same": "Grade unchanged",
        "spearman": "Rank agreement, Spearman (1 = the same order)",
        "kendall": "Rank agreement, Kendall (1 = the same order)",
        "edits": "Rubric edits", "movers": "Largest movers",
        "rank": "Rank", "rank_median": "Median rank", "rank_p05": "Rank 5%",
        "rank_p95": "Rank 95%", "grade": "Grade", "stable": "Stable grade",
        "interval": "Interval length", "yes": "yes", "no": "no",
        "item_id": "Indicator", "title": "Title", "max": "Max",
        "factor": "Section or clause", "stated": "As written",
        "first_order": "Effect alone",
        "first_order_meaning": "the share of the changes in rank across the runs that "
                               "varying this one alone explains; the larger it is, the more "
                               "the ranking depends on what the rubric sets it to",
        "runs": "Runs", "spread": "Spread of maxima",
        "spread_2": "Spread of section weights and clause points",
        "thresholds": "Grade thresholds moved", "thresholds_value": "by up to ±{points} points",
        "unchanged": "unchanged",
        "stable_value": "{count} (the same grade in at least {share}% of runs)", "seed": "Seed",
        "stable_count": "Branches with a stable grade", "rubric": "Rubric",
        "rubric_old": "Old rubric", "rubric_new": "New rubric",
        "input": "Input", "change_chart": "Change in total per branch",
        "interval_title": "Rank interval (5%-95%, dot = median)",
        "grade_title": "Share of runs in each grade",
        "chart_note": " (the chart shows the first {count} branches)",
    },
}


class PngUnavailable(RuntimeError):
    """matplotlib is not installed: ``pip install 'inspect-score[png]'``."""


#: What each sheet's title row says it is, before the rubric's title in brackets.
_TITLES: dict[Lang, dict[str, str]] = {
    "zh": {"compare_sheet": "细则修改前后考评结果对比", "items_sheet": "细则修改前后各项得分变化",
           "summary_sheet": "细则修改概况", "edits_sheet": "细则修改内容",
           "intervals_sheet": "权重敏感性分析：排名区间",
           "indicators_sheet": "权重敏感性分析：指标敏感度",
           "about_sheet": "权重敏感性分析说明"},
    "en": {"compare_sheet": "Results under both rubrics", "items_sheet": "Change per item",
           "summary_sheet": "Summary of the rubric change",
           "edits_sheet": "Rubric edits, one by one",
           "intervals_sheet": "Sensitivity: rank intervals",
           "indicators_sheet": "Sensitivity: indicators", "about_sheet": "Sensitivity: settings"},
}
#: Columns of sentences: they wrap, within these widths.
_SENTENCES = ("wrap", "paragraph")
_MAXIMUM = {"wrap": print_style.SENTENCE_WIDTH, "paragraph": print_style.MAX_WIDTH}


#: The point size of body text, in which column widths are counted.
_BODY_SIZE = 11


class _Book:
    """One workbook with the formats its sheets share, in the print style: a title row per
    sheet, bordered tables, widths that fit every table of a sheet, A4 landscape."""

    def __init__(self, path: Path, rubric: Rubric) -> None:
        self.words = _WORDS[rubric.lang]
        self.lang = rubric.lang
        self.rubric_title = rubric.title
        self.book = xlsxwriter.Workbook(str(path), {
            "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False,
        })
        self.book.set_properties({"title": rubric.title, "created": PINNED_CREATED})
        self.formats: dict[str, Any] = dict(print_style.formats(self.book, rubric.precision))
        self.formats["share"] = self.book.add_format({"num_format": "0.0%", "border": 1})
        self.formats["bold"] = self.book.add_format({"bold": True})
        self.formats["paragraph"] = self.formats["wrap"]
        self.formats["title_wrap"] = self.book.add_format({
            "bold": True, "font_size": print_style.TITLE_SIZE, "align": "left",
            "valign": "vcenter", "text_wrap": True})
        self.truncated: list[str] = []
        #: per sheet: the first header row, the last row and column written, the widths,
        #: and every header row with its headings
        self.extent: dict[str, dict[str, Any]] = {}

    def sheet(self, key: str) -> Any:
        """A worksheet named by ``key`` with its title row; tables start on the next row."""
        sheet = self.book.add_worksheet(self.words[key])
        title = _TITLES[self.lang][key]
        title += f"（{self.rubric_title}）" if self.lang == "zh" else f" ({self.rubric_title})"
        # written in close(), once the table's width is known: a long title is wrapped
        # over the table's columns, since the print area would cut it at the last column
        self.extent[sheet.name] = {"header": None, "last_row": 0, "last_column": 0,
                                   "widths": {}, "headers": [], "title": title}
        return sheet

    def table(self, sheet: Any, first_row: int, columns: Sequence[tuple[str, str, Sequence[Any]]],
              *, filter_and_freeze: bool = False, key_columns: int = 0) -> int:
        """Write (heading, kind, cells) columns from ``first_row``; return the rows written.

        Every cell is bordered (empty ones too); ``wrap`` columns hold sentences, and
        ``paragraph`` columns (a value beside its key) are as wide as a table allows.
        Rows past Excel's limit are left out and the sheet's name remembered. The first
        ``key_columns`` say whose row it is: a table too wide to print on one page width
        repeats them on every page across.
        """
        extent = self.extent[sheet.name]
        extent["keys"] = max(extent.get("keys", 0), key_columns)
        for index, (heading, _, _) in enumerate(columns):
            sheet.write_string(first_row, index, heading, self.formats["header"])
        rows = len(columns[0][2]) if columns else 0
        room = EXCEL_MAX_ROWS - first_row - 1
        if rows > room:
            self.truncated.append(sheet.name)
            rows = room
        widths = extent["widths"]
        for index, (heading, kind, cells) in enumerate(columns):
            textual = kind in ("text", *_SENTENCES)
            write = sheet.write_string if textual else sheet.write_number
            cell_format = self.formats[kind]
            for offset, value in enumerate(cells[:rows]):
                row = first_row + 1 + offset
                # NaN, and NA (the rank of a branch a veto excluded): left empty
                if value is None or value is pd.NA or value == "" or (
                        not textual and value != value):
                    sheet.write_blank(row, index, None, cell_format)
                    continue
                write(row, index, str(value) if textual else value, cell_format)
            if textual:
                width = print_style.fit_width(heading, [str(cell) for cell in cells[:200]],
                                              maximum=_MAXIMUM.get(kind, _WIDEST))
            else:
                width = max(print_style.NUMBER_WIDTH, min(display_width(heading) + 2,
                                                          print_style.NUMBER_HEADING_WIDTH))
            widths[index] = max(widths.get(index, 0), width)
        if kind_wraps := [(cells, index) for index, (_, kind, cells) in enumerate(columns)
                          if kind in _SENTENCES]:
            extent.setdefault("wrapped", []).append((first_row + 1, rows, kind_wraps))
        extent["headers"].append((first_row, [heading for heading, _, _ in columns]))
        if extent["header"] is None:
            extent["header"] = first_row
        extent["last_row"] = max(extent["last_row"], first_row + rows)
        extent["last_column"] = max(extent["last_column"], len(columns) - 1)
        if filter_and_freeze:
            sheet.freeze_panes(first_row + 1, 0)
            sheet.autofilter(first_row, 0, first_row + max(rows, 1), len(columns) - 1)
        return rows

    def _title(self, sheet: Any, title: str, widths: Sequence[float]) -> None:
        """The title row merged over the table's columns, wrapped into as many lines as
        the title needs at its larger font."""
        last_column = len(widths) - 1
        if last_column > 0:
            sheet.merge_range(0, 0, 0, last_column, title, self.formats["title_wrap"])
        else:
            sheet.write_string(0, 0, title, self.formats["title_wrap"])
        # widths count characters of the 11-point body text; the title's are larger
        scaled = display_width(title) * print_style.TITLE_SIZE / _BODY_SIZE
        lines = max(1, -(-int(scaled) // max(int(sum(widths)) - 1, 1)))
        sheet.set_row(0, print_style.TITLE_SIZE * 2 if lines == 1
                      else print_style.TITLE_SIZE * 1.4 * lines + 6)

    def close(self) -> None:
        """Set widths, row heights and the page setup of every sheet, then write the file."""
        for sheet in self.book.worksheets():
            extent = self.extent.get(sheet.name)
            if getattr(sheet, "is_chartsheet", False):
                sheet.set_landscape()
                sheet.set_paper(print_style.A4)
                sheet.set_footer(print_style.FOOTERS.get(self.lang, print_style.FOOTERS["zh"]))
                continue
            if extent is None:
                continue
            widths = extent["widths"]
            ordered = [widths.get(index, print_style.MIN_WIDTH)
                       for index in range(extent["last_column"] + 1)]
            self._title(sheet, extent["title"], ordered)
            if extent["header"] is None:
                continue
            for index, width in widths.items():
                sheet.set_column(index, index, width)
            for row, headings in extent["headers"]:
                sheet.set_row(row, print_style.header_height(headings, ordered))
            for first, rows, wraps in extent.get("wrapped", []):
                for offset in range(rows):
                    lines = max((print_style.lines_needed(str(cells[offset]), widths[index])
                                 for cells, index in wraps if cells[offset]), default=1)
                    if (height := print_style.row_height(lines)) is not None:
                        sheet.set_row(first + offset, height)
            print_style.page_setup(sheet, header_rows=extent["header"],
                                   last_row=extent["last_row"],
                                   last_column=extent["last_column"], lang=self.lang,
                                   widths=ordered, key_columns=extent.get("keys", 0),
                                   title=extent["title"])
        self.book.close()


def _key_values(book: _Book, sheet: Any, first_row: int, pairs: Sequence[tuple[str, Any]]) -> int:
    keys = [key for key, _ in pairs]
    values = [value if isinstance(value, str) else plain_number(float(value))
              for _, value in pairs]
    # a value may be a sentence (what a heading means): the column is wide, and wraps
    return book.table(sheet, first_row, [(book.words["key"], "text", keys),
                                         (book.words["value"], "paragraph", values)])


def _correlation_text(value: float) -> str:
    return "—" if value != value else f"{value:.4f}"


# The comparison workbook -------------------------------------------------------------------


def write_compare_workbook(comparison: Comparison, path: Path, *,
                           inputs: Sequence[str] = ()) -> list[str]:
    """Write the comparison workbook; return the names of sheets cut at Excel's row limit."""
    book = _Book(path, comparison.new)
    words = book.words
    frame = comparison.branches
    try:
        main = book.sheet("compare_sheet")
        rank_move = (frame["rank_old"] - frame["rank_new"]).to_numpy()
        book.table(main, _HEADER_ROW, [
            (words["branch_id"], "text", frame["branch_id"].tolist()),
            (words["branch_name"], "text", frame["branch_name"].tolist()),
            (words["total_old"], "number", frame["total_old"].tolist()),
            (words["total_new"], "number", frame["total_new"].tolist()),
            (words["delta"], "number", frame["delta"].tolist()),
            (words["rank_old"], "count", frame["rank_old"].tolist()),
            (words["rank_new"], "count", frame["rank_new"].tolist()),
            (words["rank_move"], "count", rank_move.tolist()),
            (words["grade_old"], "text", frame["grade_old"].tolist()),
            (words["grade_new"], "text", frame["grade_new"].tolist()),
            (words["causes"], "wrap",
             main_causes(comparison, names={**comparison.titles,
                                            REMAINDER: words[REMAINDER]}).tolist()),
        ], filter_and_freeze=True, key_columns=2)

        items = book.sheet("items_sheet")
        # a person reads the items' titles, never their ids
        item_columns = [(comparison.titles[item_id], "number", frame[item_id].tolist())
                        for item_id in comparison.item_ids]
        book.table(items, _HEADER_ROW, [
            (words["branch_id"], "text", frame["branch_id"].tolist()),
            (words["branch_name"], "text", frame["branch_name"].tolist()),
            (words["delta"], "number", frame["delta"].tolist()),
            *item_columns,
            (words[REMAINDER], "number", frame[REMAINDER].tolist()),
        ], filter_and_freeze=True, key_columns=2)

        _compare_summary(book, comparison, inputs)
        _change_chart(book, main, len(frame))
    finally:
        book.close()
    return book.truncated


def _compare_summary(book: _Book, comparison: Comparison, inputs: Sequence[str]) -> None:
    words = book.words
    summary = comparison.summary
    sheet = book.sheet("summary_sheet")
    pairs: list[tuple[str, Any]] = [
        (words["rubric_old"], _rubric_named(comparison.old)),
        (words["rubric_new"], _rubric_named(comparison.new)),
        (words["branches"], summary.branches),
        (words["grade_up"], summary.grade_up),
        (words["grade_down"], summary.grade_down),
        (words["grade_same"], summary.grade_same),
        (words["spearman"], _correlation_text(summary.spearman)),
        (words["kendall"], _correlation_text(summary.kendall)),
        *[(words["input"], name) for name in inputs],
    ]
    row = _HEADER_ROW + _key_values(book, sheet, _HEADER_ROW, pairs) + 2
    sheet.write_string(row, 0, words["movers"], book.formats["bold"])
    movers = comparison.movers
    book.table(sheet, row + 1, [
        (words["branch_id"], "text", movers["branch_id"].tolist()),
        (words["branch_name"], "text", movers["branch_name"].tolist()),
        (words["rank_old"], "count", movers["rank_old"].tolist()),
        (words["rank_new"], "count", movers["rank_new"].tolist()),
        (words["delta"], "number", movers["delta"].tolist()),
        (words["grade_old"], "text", movers["grade_old"].tolist()),
        (words["grade_new"], "text", movers["grade_new"].tolist()),
    ])
    # the edits run over pages: on a sheet of their own, the header repeated on each page
    # is theirs, not the summary's "项目 | 内容"
    edits = book.sheet("edits_sheet")
    texts = [edit.text for edit in comparison.edits]
    book.table(edits, _HEADER_ROW, [
        (words["number"], "count", list(range(1, len(texts) + 1))),
        (words["edit"], "wrap", texts),
    ])


def _rubric_named(rubric: Rubric) -> str:
    """A rubric by its title and version: "社区党建工作考评细则（2025-12）"."""
    if not rubric.version:
        return rubric.title
    return (f"{rubric.title}（{rubric.version}）" if rubric.lang == "zh"
            else f"{rubric.title} {rubric.version}")


def _change_chart(book: _Book, data_sheet: Any, rows: int) -> None:
    if rows == 0:
        return
    words = book.words
    shown = min(rows, CHART_BRANCHES)
    chart = book.book.add_chart({"type": "column"})
    name = data_sheet.name
    chart.add_series({
        "name": words["delta"],
        # the branches' names label the chart, as a person reads them
        "categories": [name, _DATA_ROW, 1, _DATA_ROW + shown - 1, 1],
        "values": [name, _DATA_ROW, 4, _DATA_ROW + shown - 1, 4],
        "invert_if_negative": False,
    })
    title = words["change_chart"]
    if shown < rows:
        title += words["chart_note"].format(count=shown)
    chart.set_title({"name": title})
    chart.set_legend({"none": True})
    chart.set_x_axis({"label_position": "low"})
    sheet = book.book.add_chartsheet(words["change_chart"][:31])
    sheet.set_chart(chart)


# The sensitivity workbook ------------------------------------------------------------------


def write_sensitivity_workbook(result: Sensitivity, path: Path, *,
                               inputs: Sequence[str] = ()) -> list[str]:
    """Write the sensitivity workbook; return the names of sheets cut at Excel's row limit."""
    rubric = result.rubric
    book = _Book(path, rubric)
    words = book.words
    table = result.branches
    grade_names = [grade.name for grade in rubric.grades]
    try:
        sheet = book.sheet("intervals_sheet")
        stable = np.where(table["stable"].to_numpy(dtype=bool), words["yes"], words["no"])
        columns = [
            (words["branch_id"], "text", table["branch_id"].tolist()),
            (words["branch_name"], "text", table["branch_name"].tolist()),
            (words["rank"], "count", table["rank"].tolist()),
            (words["rank_median"], "count", table["rank_median"].tolist()),
            (words["rank_p05"], "count", table["rank_p05"].tolist()),
            (words["rank_p95"], "count", table["rank_p95"].tolist()),
            (words["grade"], "text", table["grade"].tolist()),
            (words["stable"], "text", stable.tolist()),
            *[(name, "share", table[name].tolist()) for name in grade_names],
            # the chart's floating bars stand on the 5% rank and are this long
            (words["interval"], "count", (table["rank_p95"] - table["rank_p05"]).tolist()),
        ]
        book.table(sheet, _HEADER_ROW, columns, filter_and_freeze=True, key_columns=2)

        indicators = book.sheet("indicators_sheet")
        frame = result.indicators
        # schema 2 draws section weights (their weighted max) and clause points
        schema_1 = result.rubric.schema == 1
        book.table(indicators, _HEADER_ROW, [
            (words["title" if schema_1 else "factor"], "text", frame["title"].tolist()),
            (words["max" if schema_1 else "stated"], "number", frame["max"].tolist()),
            (words["first_order"], "share", frame["first_order"].tolist()),
        ], key_columns=1)
        _sensitivity_about(book, result, inputs)
        if len(table):
            _interval_chart(book, sheet.name, len(table), interval_column=len(columns) - 1)
            _grade_chart(book, sheet.name, len(table), grade_names)
    finally:
        book.close()
    return book.truncated


def _sensitivity_about(book: _Book, result: Sensitivity, inputs: Sequence[str]) -> None:
    words = book.words
    settings = result.settings
    rubric = result.rubric
    sheet = book.sheet("about_sheet")
    thresholds = (words["unchanged"] if settings.thresholds == 0 else
                  words["thresholds_value"].format(points=plain_number(settings.thresholds)))
    _key_values(book, sheet, _HEADER_ROW, [
        (words["rubric"], _rubric_named(rubric)),
        (words["runs"], settings.runs),
        (words["spread" if rubric.schema == 1 else "spread_2"],
         f"±{plain_number(settings.spread * 100)}%"),
        (words["thresholds"], thresholds),
        (words["seed"], str(settings.seed)),
        (words["branches"], len(result.branches)),
        (words["stable_count"], words["stable_value"].format(
            count=result.stable_count, share=plain_number(STABLE_SHARE * 100))),
        # the indicators sheet's last heading, in words a clerk reads
        (words["first_order"], words["first_order_meaning"]),
        *[(words["input"], name) for name in inputs],
    ])


def _interval_chart(book: _Book, sheet_name: str, rows: int, interval_column: int) -> None:
    words = book.words
    shown = min(rows, CHART_BRANCHES)
    last = _DATA_ROW + shown - 1
    categories = [sheet_name, _DATA_ROW, 1, last, 1]  # names, as a person reads them
    bars = book.book.add_chart({"type": "column", "subtype": "stacked"})
    # an invisible bar up to the 5% rank, then the visible interval on top of it
    bars.add_series({"name": words["rank_p05"], "categories": categories,
                     "values": [sheet_name, _DATA_ROW, 4, last, 4],
                     "fill": {"none": True}, "border": {"none": True}})
    bars.add_series({"name": words["interval"], "categories": categories,
                     "values": [sheet_name, _DATA_ROW, interval_column, last, interval_column],
                     "fill": {"color": "#9DC3E6"}, "border": {"color": "#2E75B6"},
                     "gap": 40})
    median = book.book.add_chart({"type": "line"})
    median.add_series({"name": words["rank_median"], "categories": categories,
                       "values": [sheet_name, _DATA_ROW, 3, last, 3],
                       "line": {"none": True},
                       "marker": {"type": "diamond", "size": 6,
                                  "fill": {"color": "#C00000"}, "border": {"color": "#C00000"}}})
    bars.combine(median)
    title = words["interval_title"]
    if shown < rows:
        title += words["chart_note"].format(count=shown)
    bars.set_title({"name": title})
    # rank 1 at the top
    bars.set_y_axis({"reverse": True, "min": 0, "name": words["rank"]})
    bars.set_x_axis({"name": words["branch_name"]})
    bars.set_legend({"position": "bottom", "delete_series": [0]})
    chartsheet = book.book.add_chartsheet(words["interval_chart"])
    chartsheet.set_chart(bars)


def _grade_chart(book: _Book, sheet_name: str, rows: int, grade_names: list[str]) -> None:
    words = book.words
    shown = min(rows, CHART_BRANCHES)
    last = _DATA_ROW + shown - 1
    chart = book.book.add_chart({"type": "column", "subtype": "stacked"})
    # the grade shares start after id, name, rank, median, 5%, 95%, grade and stable
    for offset in range(len(grade_names)):
        column = 8 + offset
        chart.add_series({
            # the grade's heading, on the header row under the title
            "name": [sheet_name, _HEADER_ROW, column],
            "categories": [sheet_name, _DATA_ROW, 1, last, 1],
            "values": [sheet_name, _DATA_ROW, column, last, column],
            "gap": 40,
        })
    title = words["grade_title"]
    if shown < rows:
        title += words["chart_note"].format(count=shown)
    chart.set_title({"name": title})
    chart.set_y_axis({"min": 0, "max": 1, "num_format": "0%"})
    chart.set_x_axis({"name": words["branch_name"]})
    chart.set_legend({"position": "bottom"})
    chartsheet = book.book.add_chartsheet(words["grade_chart"])
    chartsheet.set_chart(chart)


# The PNG -----------------------------------------------------------------------------------

#: Tried in order for Chinese grade names and titles; the first one installed is used.
_CJK_FONTS = ["Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "SimHei",
              "PingFang SC", "WenQuanYi Zen Hei", "DejaVu Sans"]


def write_sensitivity_png(result: Sensitivity, path: Path) -> None:
    """The rank-interval plot above the grade-probability bars, as one PNG.

    Raises :class:`PngUnavailable` where matplotlib is not installed.
    """
    try:
        import matplotlib  # optional: only --png needs it
    except ImportError as error:
        raise PngUnavailable(
            "--png needs matplotlib, which is not installed; "
            "install it with: pip install 'inspect-score[png]'"
        ) from error
    matplotlib.use("Agg")
    from matplotlib import font_manager, pyplot

    installed = {font.name for font in font_manager.fontManager.ttflist}
    chinese = any(name in installed for name in _CJK_FONTS[:-1])
    # without a Chinese font every Chinese character is a box: then titles in
    # English, and grades numbered so that the legend can still be read
    words = _WORDS["en" if not chinese else result.rubric.lang]
    table = result.branches.iloc[:CHART_BRANCHES]
    positions = np.arange(len(table))
    width = max(6.0, min(0.25 * len(table) + 2, 40.0))
    with pyplot.rc_context({"font.sans-serif": _CJK_FONTS, "axes.unicode_minus": False}), \
            warnings.catch_warnings():
        # a machine without a Chinese font draws boxes for grade names; say nothing per glyph
        warnings.filterwarnings("ignore", message="Glyph .* missing")
        figure, (upper, lower) = pyplot.subplots(2, 1, figsize=(width, 9), sharex=True)
        low = table["rank_p05"].to_numpy(dtype=np.float64)
        high = table["rank_p95"].to_numpy(dtype=np.float64)
        upper.bar(positions, high - low, bottom=low, color="#9DC3E6", edgecolor="#2E75B6",
                  width=0.6)
        upper.scatter(positions, table["rank_median"], color="#C00000", marker="D", s=12,
                      zorder=3, label=words["rank_median"])
        upper.set_ylim(len(result.branches) + 0.5, 0.5)
        upper.set_ylabel(words["rank"])
        upper.set_title(words["interval_title"])
        upper.legend(loc="upper right")
        bottom = np.zeros(len(table))
        for index, grade in enumerate(result.rubric.grades):
            shares = table[grade.name].to_numpy(dtype=np.float64)
            label = grade.name if chinese or grade.name.isascii() else f"{index + 1}: {grade.name}"
            lower.bar(positions, shares, bottom=bottom, width=0.6, label=label)
            bottom += shares
        lower.set_ylim(0, 1)
        lower.set_title(words["grade_title"])
        lower.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
        lower.set_xticks(positions)
        lower.set_xticklabels(table["branch_id"].tolist(), rotation=90, fontsize=7)
        figure.tight_layout()
        # no date in the file, so that the same analysis gives the same picture
        figure.savefig(path, format="png", dpi=120, metadata={"Software": None})
        pyplot.close(figure)

