"""Branches' own assessments (自评) beside the inspection team's, scored with one rubric.

Both sides are scored with the real scorer, then aligned by branch id with one
outer merge: a branch on one side only is kept, with the other side empty.
Per branch: self total, inspected total and the gap; per item: what the item
adds to the self total minus what it adds to the inspected total (a penalty
counts negative, a weighted section's indicator counts by its weight),
positive where the branch put itself higher than the inspectors found. The
item columns add up to the gap except where the bonus cap, the floor at zero,
the n/a rescaling of the base or a veto's zero steps in; that remainder has a
column of its own, :data:`REMAINDER` (as in ``compare``), so that every row
adds up. Schema 2: per clause, the same difference for what the clause takes
off the total, self minus inspected: the inspected cost minus the self cost
(weighted as its item), so that a problem the branch did not report is
positive on its clause as on its item, by the same points where it is the
item's only difference. Across branches: how often and how much each item (and
clause) is self-assessed higher than inspected, most first, which is where the
next inspection should look.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import pandas as pd
import xlsxwriter

from inspect_score.checklists.table import BRANCH_ID, BRANCH_NAME, Checklists
from inspect_score.outputs import print_style
from inspect_score.outputs.escape import csv_text
from inspect_score.outputs.workbook import PINNED_CREATED
from inspect_score.rubric.model import Item, Rubric
from inspect_score.scoring.labels import fixed_text
from inspect_score.scoring.rounding import round_points
from inspect_score.scoring.rule_words import clause_name
from inspect_score.scoring.score import clause_key, score, top_weights

CALIBRATION_HEAD = ("branch_id", "branch_name", "self_total", "inspected_total", "gap")
#: The column holding what the item columns leave of the gap: the bonus cap, the
#: floor at zero, the n/a rescaling and a veto's zero (the name ``compare`` uses).
REMAINDER = "cap/floor/rescaling"

#: The title on row 0, the header on row 1.
HEADER_ROW = 1
#: Columns a 640-pixel chart covers.
CHART_COLUMNS = 10

CALIBRATE_WORDS: dict[str, dict[str, str]] = {
    "zh": {
        "branches": "自评与检查", "items": "各项差异", "over": "自评偏高排行",
        "branch_id": "编号", "branch_name": "名称", "self_total": "自评总分",
        "inspected_total": "检查总分", "gap": "差距", "side": "情况",
        "both": "", "self_only": "只有自评", "inspected_only": "只有检查",
        "title": "项目", "over_claimed": "自评高于检查的单位数",
        "under_claimed": "自评低于检查的单位数", "over_points": "自评高出的分数合计",
        "mean_gap": "平均差距", "chart": "自评与检查总分差距",
        "branches_title": "自评与检查得分对照", "items_title": "各项自评与检查得分差距",
        "over_title": "自评高于检查的项目排行",
        REMAINDER: "封顶/保底/折算", "clauses": "各条款差异",
        "clauses_title": "各条款自评与检查得分差距",
    },
    "en": {
        "branches": "Self vs inspected", "items": "Item gaps", "over": "Self-assessed higher",
        "branch_id": "ID", "branch_name": "Name", "self_total": "Self total",
        "inspected_total": "Inspected total", "gap": "Gap", "side": "Note",
        "both": "", "self_only": "self-assessment only", "inspected_only": "inspection only",
        "title": "Item", "over_claimed": "Branches self-assessed higher",
        "under_claimed": "Branches self-assessed lower",
        "over_points": "Points self-assessed higher",
        "mean_gap": "Mean gap", "chart": "Self minus inspected total",
        "branches_title": "Self-assessment against inspection",
        "items_title": "Gaps per item", "over_title": "Items self-assessed higher than inspected",
        REMAINDER: "Cap/floor/rescaling", "clauses": "Clause gaps",
        "clauses_title": "Gaps per clause",
    },
}


@attrs.frozen
class Calibration:
    """Self-assessment against inspection, per branch and per item."""

    rubric: Rubric
    #: ``branch_id, branch_name, self_total, inspected_total, gap, side`` (side:
    #: "both", "self_only", "inspected_only"), branches with a gap first by gap
    #: descending, then one-sided branches in their order of appearance
    branches: pd.DataFrame
    #: one column per item id, what the item adds to the self total minus what it
    #: adds to the inspected total (n/a counting 0), then REMAINDER; the row sums
    #: to the gap; rows aligned with ``branches``; NaN where a side is missing
    item_gaps: pd.DataFrame
    #: ``item_id, clause, title, over_claimed, under_claimed, over_points,
    #: mean_gap``, most often self-assessed higher first; ``clause`` is the clause's number
    #: (schema 2), 0 for an item's own row
    over_claims: pd.DataFrame
    #: schema 2: one column per clause (``ITEM#N``), what the clause takes off the self
    #: total minus what it takes off the inspected total, weighted as its item: the
    #: inspected cost minus the self cost, positive where the inspectors found a problem
    #: the branch did not report, as on its item; rows aligned with ``branches``
    clause_gaps: pd.DataFrame = attrs.field(factory=pd.DataFrame)


def _side(rubric: Rubric, checklists: Checklists) -> pd.DataFrame:
    """Per branch: id, name, total, what each item adds to the total, and what each clause
    takes off it (its cost, weighted as its item, counted negative)."""
    scores = score(rubric, checklists)
    weights = top_weights(rubric)
    added = pd.DataFrame({item.id: contribution(item, weights, scores.points[item.id])
                          for item in rubric.items}, index=scores.points.index)
    costs = scores.clauses.reindex(columns=_clause_keys(rubric), fill_value=0.0)
    clauses = pd.DataFrame({
        clause_key(item.id, number): -np.nan_to_num(
            costs[clause_key(item.id, number)].to_numpy(dtype=np.float64), nan=0.0)
        * (weights[item.section or ""] if item.kind == "indicator" else 1.0)
        for item in rubric.items if item.kind != "bonus"
        for number in range(1, len(item.clauses) + 1)}, index=scores.points.index)
    return pd.concat([scores.branches[[BRANCH_ID, BRANCH_NAME, "total"]], added, clauses],
                     axis=1)


def contribution(item: Item, weights: dict[str, float], points: pd.Series) -> np.ndarray:
    """What the item's points add to the total before cap, floor and rescaling: an
    indicator by its section's weight, a bonus as it is, a penalty negative; n/a 0."""
    values: np.ndarray = np.nan_to_num(points.to_numpy(dtype=np.float64), nan=0.0)
    if item.kind == "penalty":
        values = -values
    elif item.kind == "indicator":
        values = values * weights[item.section or ""]
    return values


def _clause_keys(rubric: Rubric) -> list[str]:
    """The clause columns of indicators and penalties (bonuses' clauses gain, they are
    no problems), in rubric order."""
    return [clause_key(item.id, number) for item in rubric.items if item.kind != "bonus"
            for number in range(1, len(item.clauses) + 1)]


def calibrate(rubric: Rubric, self_assessed: Checklists, inspected: Checklists) -> Calibration:
    """Set the branches' own checklists beside the inspectors', scored with ``rubric``."""
    own, found = _side(rubric, self_assessed), _side(rubric, inspected)
    merged = own.merge(found, on=BRANCH_ID, how="outer", suffixes=("_self", "_inspected"),
                       indicator=True, sort=False)
    side = merged["_merge"].map({"both": "both", "left_only": "self_only",
                                 "right_only": "inspected_only"}).astype(str)
    names = merged[f"{BRANCH_NAME}_self"].where(merged[f"{BRANCH_NAME}_self"].notna()
                                                & (merged[f"{BRANCH_NAME}_self"] != ""),
                                                merged[f"{BRANCH_NAME}_inspected"])
    self_total = merged["total_self"].to_numpy(dtype=np.float64)
    inspected_total = merged["total_inspected"].to_numpy(dtype=np.float64)
    branches = pd.DataFrame({
        "branch_id": merged[BRANCH_ID].astype(str).to_numpy(),
        "branch_name": names.fillna("").astype(str).to_numpy(),
        "self_total": self_total,
        "inspected_total": inspected_total,
        "gap": _rounded(self_total - inspected_total, rubric.precision),
        "side": side.to_numpy(),
    })
    gaps = pd.DataFrame({name: _rounded(merged[f"{name}_self"].to_numpy(dtype=np.float64)
                                        - merged[f"{name}_inspected"].to_numpy(dtype=np.float64),
                                        rubric.precision)
                         for name in [item.id for item in rubric.items]})
    explained = gaps.to_numpy(dtype=np.float64).sum(axis=1)
    gaps[REMAINDER] = _rounded(branches["gap"].to_numpy(dtype=np.float64) - explained,
                               rubric.precision)
    clause_gaps = pd.DataFrame({
        name: _rounded(merged[f"{name}_self"].to_numpy(dtype=np.float64)
                       - merged[f"{name}_inspected"].to_numpy(dtype=np.float64), rubric.precision)
        for name in _clause_keys(rubric)}, index=pd.RangeIndex(len(branches)))
    # biggest gap first; one-sided branches (NaN gap) last, in order of appearance
    order = np.lexsort((np.arange(len(branches)), -np.nan_to_num(branches["gap"], nan=-np.inf)))
    branches = branches.iloc[order].reset_index(drop=True)
    gaps = gaps.iloc[order].reset_index(drop=True)
    clause_gaps = clause_gaps.iloc[order].reset_index(drop=True)
    return Calibration(rubric=rubric, branches=branches, item_gaps=gaps,
                       over_claims=_over_claims(rubric, gaps, clause_gaps),
                       clause_gaps=clause_gaps)


def _rounded(values: np.ndarray, precision: int) -> np.ndarray:
    return round_points(values, precision)


def _over_claims(rubric: Rubric, gaps: pd.DataFrame, clause_gaps: pd.DataFrame) -> pd.DataFrame:
    """Per item, and per clause under it: branches claiming more / less than found.

    Item and clause columns both count what they add to the total (a penalty and a
    clause's cost negative), so a positive gap is a branch putting itself higher than
    the inspectors found, for every kind.
    """
    rows = []
    for item in rubric.items:
        numbers = range(1, len(item.clauses) + 1) if item.kind != "bonus" else range(0)
        rows.append(_claims(rubric, item.id, 0, item.title,
                            gaps[item.id].to_numpy(dtype=np.float64)))
        rows += [_claims(rubric, item.id, number, clause_name(item.title, number, rubric.lang),
                         clause_gaps[clause_key(item.id, number)].to_numpy(dtype=np.float64))
                 for number in numbers]
    table = pd.DataFrame(rows)
    order = np.lexsort((np.arange(len(table)), -table["over_claimed"].to_numpy(),
                        -table["over_points"].to_numpy()))
    return table.iloc[order].reset_index(drop=True)


def _claims(rubric: Rubric, item_id: str, clause: int, title: str,
            claimed_more: np.ndarray) -> dict[str, object]:
    both = ~np.isnan(claimed_more)
    return {
        "item_id": item_id,
        "clause": clause,
        "title": title,
        "over_claimed": int((claimed_more[both] > 0).sum()),
        "under_claimed": int((claimed_more[both] < 0).sum()),
        "over_points": float(_rounded(np.array([claimed_more[both & (claimed_more > 0)]
                                                .sum()]), rubric.precision)[0]),
        "mean_gap": float(_rounded(np.array([claimed_more[both].mean()
                                             if both.any() else 0.0]), rubric.precision)[0]),
    }


def calibration_table(calibration: Calibration) -> pd.DataFrame:
    """The columns of calibration.csv: the head, one gap column per item id, REMAINDER
    (the row adds up to ``gap``), then schema 2's clause columns (``ITEM#N``)."""
    head = calibration.branches[list(CALIBRATION_HEAD)]
    return pd.concat([head, calibration.item_gaps, calibration.clause_gaps], axis=1)


def write_calibration_csv(calibration: Calibration, path: Path) -> None:
    """calibration.csv: UTF-8 with BOM, numbers with the rubric's decimals, "" where one-sided."""
    table = calibration_table(calibration)
    precision = calibration.rubric.precision
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        # ids and names are text from the checklists: guarded; the rest are numbers
        columns = [table[name].astype(str).map(csv_text).to_numpy()
                   if name in ("branch_id", "branch_name")
                   else fixed_text(table[name].to_numpy(dtype=np.float64), precision)
                   for name in table.columns]
        writer.writerow([csv_text(str(name)) for name in table.columns])
        for row in zip(*columns, strict=True):
            writer.writerow(list(row))


def write_calibration_workbook(calibration: Calibration, path: Path) -> None:
    """The branches with their gaps and a chart of them, the item (and clause) gaps, and the
    items self-assessed higher than inspected."""
    rubric = calibration.rubric
    said = CALIBRATE_WORDS[rubric.lang]
    book = xlsxwriter.Workbook(str(path), {
        "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False,
    })
    book.set_properties({"title": rubric.title, "created": PINNED_CREATED})
    formats = print_style.formats(book, rubric.precision)
    subject = rubric.subject or rubric.title

    titles: dict[str, str] = {}

    def titled(key: str) -> Any:
        sheet = book.add_worksheet(said[key])
        title = f"{said[key + '_title']}（{subject}）" if rubric.lang == "zh" else \
            f"{said[key + '_title']} ({subject})"
        print_style.write_title(sheet, formats, title, 0)
        titles[sheet.name] = title
        return sheet

    def page(sheet: Any, last_row: int, widths: list[int], key_columns: int) -> None:
        """Header frozen; printed fitted to the page width, or, too wide to be read so, at
        full size over pages across, the first ``key_columns`` (编号, 名称) on each."""
        sheet.freeze_panes(HEADER_ROW + 1, 0)
        print_style.page_setup(sheet, header_rows=HEADER_ROW, last_row=last_row,
                               last_column=len(widths) - 1, lang=rubric.lang, widths=widths,
                               key_columns=key_columns, title=titles[sheet.name])

    branches = calibration.branches
    sheet = titled("branches")
    heads = [said[name] for name in (*CALIBRATION_HEAD, "side")]
    last_row, widths = print_style.write_table(sheet, formats, HEADER_ROW, heads, [
        branches["branch_id"].tolist(), branches["branch_name"].tolist(),
        branches["self_total"].tolist(), branches["inspected_total"].tolist(),
        branches["gap"].tolist(), [said[side] for side in branches["side"]],
    ], ["text", "text", "number", "number", "number", "text"])
    page(sheet, last_row, widths, key_columns=2)
    with_gap = int(branches["gap"].notna().sum())
    if with_gap:
        chart = book.add_chart({"type": "bar"})
        chart.add_series({
            "name": said["chart"],
            # names, as a person reads them, not ids
            "categories": [sheet.name, HEADER_ROW + 1, 1, HEADER_ROW + with_gap, 1],
            "values": [sheet.name, HEADER_ROW + 1, 4, HEADER_ROW + with_gap, 4],
        })
        chart.set_title({"name": said["chart"]})
        chart.set_legend({"none": True})
        chart.set_y_axis({"reverse": True})
        height = max(300, 22 * with_gap)
        chart.set_size({"width": 640, "height": height})
        sheet.insert_chart(HEADER_ROW, len(heads) + 1, chart)
        # the chart beside the table is printed with it
        sheet.print_area(0, 0, max(last_row, HEADER_ROW + height // 20 + 1),
                         len(heads) + 1 + CHART_COLUMNS)

    items = titled("items")
    gap_columns = [*(item.id for item in rubric.items), REMAINDER]
    item_heads = [said["branch_id"], said["branch_name"],
                  *(item.title for item in rubric.items), said[REMAINDER]]
    last_row, widths = print_style.write_table(
        items, formats, HEADER_ROW, item_heads,
        [branches["branch_id"].tolist(), branches["branch_name"].tolist(),
         *(calibration.item_gaps[name].tolist() for name in gap_columns)],
        ["text", "text", *(["number"] * len(gap_columns))])
    page(items, last_row, widths, key_columns=2)

    if len(calibration.clause_gaps.columns):
        clauses = titled("clauses")
        clause_heads, columns = [said["branch_id"], said["branch_name"]], [
            branches["branch_id"].tolist(), branches["branch_name"].tolist()]
        for item in rubric.items:
            for number in range(1, len(item.clauses) + 1):
                key = clause_key(item.id, number)
                if key in calibration.clause_gaps.columns:
                    clause_heads.append(clause_name(item.title, number, rubric.lang))
                    columns.append(calibration.clause_gaps[key].tolist())
        last_row, widths = print_style.write_table(
            clauses, formats, HEADER_ROW, clause_heads, columns,
            ["text", "text", *(["number"] * (len(clause_heads) - 2))])
        page(clauses, last_row, widths, key_columns=2)

    over = calibration.over_claims
    claims = titled("over")
    names = ("title", "over_claimed", "under_claimed", "over_points", "mean_gap")
    last_row, widths = print_style.write_table(
        claims, formats, HEADER_ROW, [said[name] for name in names],
        [over[name].tolist() for name in names],
        ["text", "count", "count", "number", "number"])
    page(claims, last_row, widths, key_columns=1)
    book.close()

