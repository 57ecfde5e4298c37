"""Recognising the files this tool wrote, so that a folder holding last period's
results is read as the branches' checklists it also holds, not as one more.

Inboxes are where everything lands: the branches' forms, and the workbooks and
CSV files a previous run wrote beside them. These are recognised by what they
hold (sheet names, CSV headers), not by their file names, which people change.
The names are data here because the writers sit in layers above this one;
``tests/test_folders.py`` writes every output with the real commands and checks
that each is recognised, so the two cannot drift apart.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Collection, Sequence
from pathlib import Path

#: The sheets of each workbook this tool writes, in Chinese and in English. A
#: workbook whose first sheet is one of a kind's and that holds another of them
#: is that kind: a branch's own workbook may well have a sheet named 汇总, not
#: 排名 and 各项得分 besides.
OUTPUT_WORKBOOKS: dict[str, tuple[frozenset[str], ...]] = {
    "results workbook": (
        frozenset({"排名", "各项得分", "存在问题", "汇总", "考评说明", "整改清单"}),
        frozenset({"Ranking", "Points", "Findings", "Summary", "About", "Rectification"}),
    ),
    "trend workbook": (
        frozenset({"趋势", "总分走势", "等次分布", "屡查屡犯", "红黄黑榜", "说明"}),
        frozenset({"Trend", "Totals", "Grades", "Repeated", "Lists", "Notes"}),
    ),
    "comparison workbook": (
        frozenset({"对比", "分项变化", "概况", "细则修改", "各单位总分变化"}),
        frozenset({"Comparison", "Item changes", "Summary", "Rubric edits",
                   "Change in total per branch"}),
    ),
    "sensitivity workbook": (
        frozenset({"排名区间", "指标敏感度", "说明", "排名区间图", "等次概率图"}),
        frozenset({"Rank intervals", "Indicators", "About", "Rank interval chart",
                   "Grade chart"}),
    ),
    # 虚报排行 and Over-claimed items: the last sheet's name in earlier versions
    "calibration workbook": (
        frozenset({"自评与检查", "各项差异", "各条款差异", "自评偏高排行", "虚报排行"}),
        frozenset({"Self vs inspected", "Item gaps", "Clause gaps", "Self-assessed higher",
                   "Over-claimed items"}),
    ),
}
#: The sheets of the form ``template`` writes: a filled form is a checklist, even
#: where a branch renamed its first sheet.
TEMPLATE_SHEETS = frozenset({"检查表", "考评细则说明", "Checklist", "Rubric explained"})
#: Every workbook this tool writes carries this creation time (outputs are
#: byte-identical from run to run); Excel and WPS keep it when the file is saved
#: again. It tells the ``explain`` workbook, whose sheets are named by branch.
_PINNED_CREATED = re.compile(rb"<dcterms:created[^>]*>2000-01-01T00:00:00Z</dcterms:created>")

#: The first columns of each CSV file this tool writes (points.csv, whose columns
#: are the rubric's items, is recognised with the rubric).
OUTPUT_CSV: dict[str, tuple[str, ...]] = {
    "ranking.csv": ("rank", "branch_id", "branch_name", "total", "base", "bonus", "penalty",
                    "grade", "vetoed"),
    "findings.csv": ("branch_id", "kind", "item_id", "value", "points", "max", "lost", "note"),
    "summary.csv": ("item_id", "title", "max", "mean_points", "full_marks", "zero_points",
                    "branches"),
    # as far as last period's rectify.csv and this one's agree (a column was added)
    "rectify.csv": ("branch_id", "branch_name", "kind", "item_id", "problem"),
    "calibration.csv": ("branch_id", "branch_name", "self_total", "inspected_total", "gap"),
    "compare.csv": ("branch_id", "branch_name", "total_old", "total_new", "rank_old",
                    "rank_new"),
    "sensitivity.csv": ("branch_id", "branch_name", "rank", "rank_median", "rank_p05",
                        "rank_p95"),
    "repeated.csv": ("period", "previous", "branch_id", "branch_name", "item_id", "item"),
    "lists.csv": ("period", "list", "branch_id", "branch_name", "total", "rank", "grade"),
}
#: The first line of a CSV file is at most this long in what it is compared on.
_HEAD_BYTES = 64 * 1024


def output_workbook_kind(path: Path) -> str | None:
    """Which workbook of this tool ``path`` is ("results workbook"...), or None."""
    import python_calamine  # only where a folder holds workbooks: a CSV run needs none

    try:
        names = list(python_calamine.CalamineWorkbook.from_path(str(path)).sheet_names)
    except Exception:  # calamine's own errors: not a workbook, left to the reader to say
        return None
    if not names or TEMPLATE_SHEETS.intersection(names):
        return None
    for kind, spellings in OUTPUT_WORKBOOKS.items():
        for sheets in spellings:
            if names[0] in sheets and len(sheets.intersection(names)) >= 2:
                return kind
    return "explain workbook" if _created_by_this_tool(path) else None


def _created_by_this_tool(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as book:
            return bool(_PINNED_CREATED.search(book.read("docProps/core.xml")))
    except Exception:  # a damaged archive in any of zipfile's and zlib's ways: not ours;
        return False   # the reader then says what is wrong with it


def output_csv_name(
    path: Path, item_ids: Sequence[str], fields: Collection[Collection[str]]
) -> str | None:
    """Which CSV output of this tool ``path`` is ("ranking.csv"...), by its header,
    or None. ``item_ids`` are the rubric's items, the columns of points.csv;
    ``fields`` the names (id, label) of each field: a header that names them all
    is a checklist's, even where items are named like fields."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(_HEAD_BYTES)
        line = head.decode("utf-8-sig").splitlines()[0] if head.strip() else ""
    except (OSError, UnicodeDecodeError):
        return None  # this tool writes UTF-8: anything else is not its output
    header = tuple(next(csv.reader(io.StringIO(line)), []))
    for name, columns in OUTPUT_CSV.items():
        if header[: len(columns)] == columns:
            return name
    if header[:2] == ("branch_id", "branch_name") and len(header) > 3 \
            and header[2].endswith("_total") and header[3].endswith("_rank"):
        return "trend.csv"  # a period's columns, named after the period
    if header and header[0] == "branch_id" and item_ids and header[1:] == tuple(item_ids) \
            and not all(set(names).intersection(header) for names in fields):
        return "points.csv"
    return None
