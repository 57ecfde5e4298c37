"""Cells that a rubric's items bound beyond their field's type (schema 2).

- A ``direct`` cell holds points the inspector gave (or took off): outside
  0..``max`` (for ``lost``, an absolute value above ``max``) it is an input
  error at its cell, never clipped, wherever its item applies.
- The alternatives of a group: exactly one of them applies to each branch. A
  row to which none or several apply is an error at that row; so is a rater's
  row applying another alternative than the branch's first rater's row (a
  branch is a 教学 unit or not, and a slot combining both would earn twice).

:func:`item_cell_issues` finds them all over whole columns, in one pass over
the checklists of a run: the loader reports them with every other cell error
of the run, and scoring refuses them again for checklists made without the
loader. Either way each issue names the file, the row, the column as written,
the value and what was expected.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import attrs
import numpy as np
import pandas as pd

from inspect_score.checklists.cells import BoolArray, number_text
from inspect_score.checklists.conditions import applies_if_mask, field_column
from inspect_score.checklists.table import BRANCH_ID, SOURCE_FILE, SOURCE_ROW
from inspect_score.errors import MAX_ISSUES_PER_COLUMN, Issue
from inspect_score.messages import Listing, Message, listing, msg
from inspect_score.rubric.model import Item, Rubric, indicator_slots


@attrs.frozen
class Reported:
    """Where the loader has reported an error already, per row of the checklists.

    The checks here skip those rows or cells: a bad cell in a group's deciding
    column is one error (the bad cell), not two.
    """

    #: rows reported as a whole (values without a branch id, every field blank)
    rows: BoolArray
    #: per field id, the cells reported (unreadable, blank under "error", no column);
    #: fields without any are left out
    cells: Mapping[str, BoolArray] = attrs.field(factory=dict)

    @classmethod
    def joined(cls, parts: Sequence[Reported]) -> Reported:
        """The parts of files read one after another, as one."""
        rows = np.concatenate([part.rows for part in parts]) if parts else np.zeros(0, bool)
        field_ids = dict.fromkeys(field_id for part in parts for field_id in part.cells)
        cells = {field_id: np.concatenate([
            part.cells.get(field_id, np.zeros(len(part.rows), dtype=bool)) for part in parts])
            for field_id in field_ids}
        return cls(rows=rows, cells=cells)

    def take(self, mask: BoolArray) -> Reported:
        """What was reported of the rows where ``mask`` holds."""
        return Reported(rows=self.rows[mask],
                        cells={field_id: cells[mask] for field_id, cells in self.cells.items()})

    def touching(self, field_ids: Iterable[str]) -> BoolArray:
        """Rows reported as a whole or in any of these fields' cells."""
        touched = self.rows.copy()
        for field_id in field_ids:
            if field_id in self.cells:
                touched |= self.cells[field_id]
        return touched


def direct_out_of_range(item: Item, values: np.ndarray) -> np.ndarray:
    """Where a direct cell is outside what the item can give."""
    with np.errstate(invalid="ignore"):
        if item.entry == "lost":
            return np.asarray(np.abs(values) > item.max, dtype=bool)
        return np.asarray((values < 0) | (values > item.max), dtype=bool)


def item_cell_issues(
    rubric: Rubric,
    frame: pd.DataFrame,
    *,
    headers: Sequence[Mapping[str, str]] = (),
    reported: Reported | None = None,
) -> list[Issue]:
    """Every ``direct`` cell out of its item's bounds and every row for which not
    exactly one alternative of a group applies, or that applies another one than
    its branch's first row: direct items in rubric order, then groups; rows in
    checklist order, at most :data:`MAX_ISSUES_PER_COLUMN` of a kind per file.

    ``frame`` is a :class:`~inspect_score.checklists.table.Checklists` frame.
    ``headers``: per input file (by ``_file`` code), field id -> the column's
    header as written there (the field's label or id where absent).
    ``reported``: what the loader reported already, skipped here.
    """
    direct = [item for item in rubric.items if item.rule == "direct" and item.field is not None]
    groups = [slot for slot in indicator_slots(rubric) if slot[0].group is not None]
    if not direct and not groups:
        return []  # schema 1, and most schema 2 rubrics: nothing to look at
    where = _Where(rubric, frame, headers)
    if reported is None:
        reported = Reported(rows=np.zeros(len(frame), dtype=bool))
    issues: list[Issue] = []
    for item in direct:
        issues += _direct_issues(rubric, item, frame, where, reported)
    for slot in groups:
        issues += _group_issues(rubric, slot, frame, where, reported)
    return issues


class _Where:
    """Where each checklist row is: its file, its row, its branch; columns as written."""

    def __init__(self, rubric: Rubric, frame: pd.DataFrame,
                 headers: Sequence[Mapping[str, str]]) -> None:
        self.rubric = rubric
        self.frame = frame
        self.headers = headers
        if SOURCE_FILE in frame.columns:
            files = pd.Categorical(frame[SOURCE_FILE])
            self.file_codes = np.asarray(files.codes, dtype=np.int64)
            self.paths = [str(path) for path in files.categories]
        else:
            self.file_codes = np.zeros(len(frame), dtype=np.int64)
            self.paths = [""]
        self.rows = (frame[SOURCE_ROW].to_numpy(dtype=np.int64)
                     if SOURCE_ROW in frame.columns else None)
        self.branch_codes: np.ndarray | None = None

    def path(self, position: int) -> str:
        code = int(self.file_codes[position])
        return self.paths[code] if code >= 0 else ""

    def row(self, position: int) -> int | None:
        return None if self.rows is None else int(self.rows[position])

    def branch(self, position: int) -> str:
        return str(self.frame[BRANCH_ID].iloc[position])

    def header(self, position: int, field_id: str) -> str:
        code = int(self.file_codes[position])
        written = self.headers[code] if 0 <= code < len(self.headers) else {}
        return written.get(field_id, self.rubric.field(field_id).header)

    def at(self, position: int, other: int) -> Message:
        """Where row ``other`` is, seen from row ``position``: its row, and its
        file too where that is another."""
        if self.file_codes[other] != self.file_codes[position]:
            return msg("{file} row {row}", file=self.path(other), row=self.row(other))
        return msg("row {row}", row=self.row(other))

    def capped(self, mask: np.ndarray, field_id: str, issues: list[Issue]) -> list[int]:
        """The flagged rows to report, at most MAX_ISSUES_PER_COLUMN per file; how
        many more each file has goes to ``issues`` after them, by the caller's order."""
        positions = np.flatnonzero(mask)
        if len(positions) <= MAX_ISSUES_PER_COLUMN:
            return list(map(int, positions))
        files = self.file_codes[positions]
        nth = pd.Series(files).groupby(files).cumcount().to_numpy()
        shown = positions[nth < MAX_ISSUES_PER_COLUMN]
        more = np.bincount(files[nth >= MAX_ISSUES_PER_COLUMN] + 1)[1:]  # codes may be -1
        for code in map(int, np.flatnonzero(more)):
            first = int(positions[files == code][0])
            issues.append(Issue(
                "too-many-issues",
                msg("and {more} more problems of this kind in this column", more=int(more[code])),
                path=self.path(first), column=self.header(first, field_id)))
        return list(map(int, shown))

    def cells(self, position: int, field_ids: Sequence[str]) -> Listing:
        """What a row holds in these fields, as the rubric reads them: "单位类型为「教学」"."""
        shown = []
        for field_id in field_ids:
            header = self.header(position, field_id)
            value = field_column(self.rubric, self.frame, field_id).iloc[position]
            if pd.isna(value):
                shown.append(msg("{header} is blank", header=header))
                continue
            if self.rubric.field(field_id).type == "bool":
                value = msg("yes") if float(value) == 1.0 else msg("no")
            elif self.rubric.field(field_id).type in ("int", "number"):
                value = number_text(float(value))
            shown.append(msg("{header} is '{value}'", header=header, value=value))
        return listing(shown)


def _direct_issues(rubric: Rubric, item: Item, frame: pd.DataFrame, where: _Where,
                   reported: Reported) -> list[Issue]:
    assert item.field is not None
    field_id = item.field
    holds = applies_if_mask(rubric, item, frame)[0]
    values = field_column(rubric, frame, field_id).to_numpy(dtype=np.float64, na_value=np.nan)
    deciding = [item.applies_if.field] if item.applies_if is not None else []
    bad = direct_out_of_range(item, values) & holds & ~reported.touching([field_id, *deciding])
    if not bad.any():
        return []
    expected = (msg("points taken off, at most {max} (3 or -3 alike)", max=number_text(item.max))
                if item.entry == "lost"
                else msg("points from 0 to {max}", max=number_text(item.max)))
    issues: list[Issue] = []
    more: list[Issue] = []
    for position in where.capped(bad, field_id, more):
        issues.append(Issue(
            "direct-out-of-range",
            msg("branch {branch}: {title} is {values}; expected {expected}",
                branch=where.branch(position), title=item.title,
                values=number_text(float(values[position])), expected=expected),
            path=where.path(position), row=where.row(position),
            column=where.header(position, field_id)))
    return issues + more


def _group_issues(rubric: Rubric, slot: list[Item], frame: pd.DataFrame, where: _Where,
                  reported: Reported) -> list[Issue]:
    """Rows to which not exactly one of the slot's alternatives applies, then rows
    applying another alternative than their branch's first such row."""
    group = slot[0].group
    deciding = list(dict.fromkeys(item.applies_if.field for item in slot
                                  if item.applies_if is not None))
    column = deciding[0]
    checked = ~reported.touching(deciding)
    applying = np.zeros(len(frame), dtype=np.int64)
    #: per row, the position in the slot of the alternative that applies (the last
    #: one; only read where exactly one does)
    alternative = np.zeros(len(frame), dtype=np.int64)
    for position, item in enumerate(slot):
        holds = applies_if_mask(rubric, item, frame)[0]
        applying += holds
        alternative[holds] = position
    titles = listing(item.title for item in slot)
    issues: list[Issue] = []
    more: list[Issue] = []
    for position in where.capped((applying != 1) & checked, column, more):
        issues.append(Issue(
            "group-not-one",
            msg("branch {branch}: {cells}, so {applying} of the alternatives of group '{group}' "
                "({titles}) apply; expected exactly one",
                branch=where.branch(position), cells=where.cells(position, deciding),
                applying=int(applying[position]), group=group, titles=titles),
            path=where.path(position), row=where.row(position),
            column=where.header(position, column)))
    issues += more
    if where.branch_codes is None:
        where.branch_codes = pd.factorize(frame[BRANCH_ID], sort=False)[0].astype(np.int64)
    first_row = _first_valid_rows(where.branch_codes, (applying == 1) & checked)
    changed = (first_row >= 0) & (alternative != alternative[np.maximum(first_row, 0)])
    more = []
    for position in where.capped(changed, column, more):
        first = int(first_row[position])
        issues.append(Issue(
            "group-not-one",
            msg("branch {branch}: {cells} here, so its raters' rows apply different "
                "alternatives of group '{group}' ({first} at {where}, {this} here); expected "
                "the same one on every row of the branch",
                branch=where.branch(position), cells=where.cells(position, deciding),
                group=group, first=slot[int(alternative[first])].title,
                where=where.at(position, first), this=slot[int(alternative[position])].title),
            path=where.path(position), row=where.row(position),
            column=where.header(position, column)))
    return issues + more


def _first_valid_rows(codes: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """For every valid row, its branch's first valid row (-1 elsewhere). The rows
    of every branch are compared with that one: a branch whose raters disagree
    has an error at each row that differs from the first."""
    first = np.full(len(codes), -1, dtype=np.int64)
    # codes number branches 0, 1, ...: as many as rows means one row per branch
    if len(codes) == 0 or int(codes.max()) + 1 == len(codes):
        first[valid] = np.flatnonzero(valid)
        return first
    rows = np.flatnonzero(valid)
    first[rows] = pd.Series(rows).groupby(codes[rows]).transform("first").to_numpy()
    return first
