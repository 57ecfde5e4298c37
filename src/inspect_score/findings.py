"""The problems an inspection found: every point lost, every penalty, every veto.

One row per branch and problem, in ranking order and then rubric order, with
the value the branch submitted and a note that says in the rubric's language
why points were lost. Everything is built a whole column at a time: a value's
text is made once per distinct value, and notes are concatenated column-wise
(:func:`inspect_score.labels.render`), so a million branches take seconds.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from inspect_score.labels import (
    Labels,
    Part,
    check_value_text,
    fixed_text,
    labels_for,
    plain_number,
    plain_text,
    render,
    unit_of,
)
from inspect_score.model import Item, Rubric
from inspect_score.rounding import round_points
from inspect_score.tables import BRANCH_ID, Checklists, Scores

FINDING_COLUMNS = ("branch_id", "kind", "item_id", "value", "points", "max", "lost", "note")
TEXT_COLUMNS = ("branch_id", "kind", "item_id", "value", "note")


class _BranchTexts:
    """Values as text, per branch: raters' values joined by ";" in checklist order."""

    def __init__(self, rubric: Rubric, checklists: Checklists, scores: Scores) -> None:
        self.rubric = rubric
        self.labels = labels_for(rubric.lang)
        self.frame = checklists.frame
        self.branches = len(scores.branches)
        self.row_branch = scores.row_branch.to_numpy(dtype=np.int64)
        # the how-many-th row of its branch each checklist row is (0 for the first rater)
        self.occurrence = (
            pd.Series(self.row_branch).groupby(self.row_branch).cumcount().to_numpy()
            if len(self.row_branch) else np.zeros(0, dtype=np.int64)
        )
        self._cache: dict[str, np.ndarray] = {}

    def join_rows(self, row_text: np.ndarray) -> np.ndarray:
        """Row texts gathered per branch, joined by ";" where a branch has several rows."""
        joined = np.full(self.branches, "", dtype=object)
        if not len(row_text):
            return joined
        for nth in range(int(self.occurrence.max()) + 1):
            rows = self.occurrence == nth
            where = self.row_branch[rows]
            joined[where] = row_text[rows] if nth == 0 else joined[where] + ";" + row_text[rows]
        return joined

    def row_text(self, field_id: str) -> np.ndarray:
        """A field's parsed values as text, per checklist row; "" where blank."""
        field = self.rubric.field(field_id)
        column = self.frame[field_id]
        if field.type == "bool":
            numbers = column.to_numpy(dtype=np.float64)
            return np.where(
                np.isnan(numbers), "", np.where(numbers == 1, self.labels.yes, self.labels.no)
            ).astype(object)
        if field.type in ("int", "number"):
            return plain_text(column.to_numpy(dtype=np.float64))
        return column.astype(object).where(column.notna(), "").astype(str).to_numpy(dtype=object)

    def value(self, field_id: str) -> np.ndarray:
        if field_id not in self._cache:
            self._cache[field_id] = self.join_rows(self.row_text(field_id))
        return self._cache[field_id]

    def share(self, item: Item) -> tuple[np.ndarray, np.ndarray]:
        """"true/applicable" per branch, and the labels of the fields some rater found false."""
        rows = len(self.frame)
        trues = np.zeros(rows)
        applicable = np.zeros(rows)
        failed = np.full(self.branches, "", dtype=object)
        separator = self.labels.list_separator
        for field_id in item.fields:
            numbers = self.frame[field_id].to_numpy(dtype=np.float64)
            # a blank applies (as false) unless the field's policy is "na"
            applies = ~np.isnan(numbers) | (self.rubric.missing_policy(field_id) != "na")
            true = numbers == 1
            trues += true
            applicable += applies
            fails = np.bincount(self.row_branch, weights=applies & ~true,
                                minlength=self.branches) > 0
            label = self.rubric.field(field_id).header
            failed = np.where(
                fails, np.where(failed == "", label, failed + separator + label), failed
            )
        row_text = np.asarray(plain_text(trues) + "/" + plain_text(applicable), dtype=object)
        return self.join_rows(row_text), failed


def _column(values: np.ndarray) -> pd.Series:
    return pd.Series(values, dtype=object).reset_index(drop=True)


def _item_note(item: Item, labels: Labels, texts: _BranchTexts, value: np.ndarray,
               points: np.ndarray, positions: np.ndarray, failed: np.ndarray) -> np.ndarray:
    """Why ``item`` lost points, for the branches at ``positions``.

    ``failed``: for a ``share``, the labels of its fields some rater found false.
    """
    count = len(positions)
    shown = _column(np.where(value == "", labels.blank, value))
    parts: dict[str, Part] = {
        "value": shown,
        "points": _column(plain_text(points)),
        "per": plain_number(item.per),
        "max": plain_number(item.max),
    }
    if item.field is not None:
        label = texts.rubric.field(item.field).header
        parts["label"] = label
        parts["unit"] = unit_of(labels, label)
    if item.kind == "penalty":
        key = "penalty_count" if item.rule == "count" else "penalty"
    else:
        key = item.rule
    if item.rule == "scale":
        parts["points"] = _column(fixed_text(points, texts.rubric.precision))
        if item.target_field is not None:
            parts["target"] = _column(texts.value(item.target_field)[positions])
        else:
            parts["target"] = plain_number(item.target or 0.0)
    elif item.rule == "check":
        parts["expectation"] = labels.expectations[item.op] + check_value_text(item.value, labels)
    elif item.rule == "share":
        parts["failed"] = _column(failed)
        if key == "penalty":
            parts["label"] = labels.list_separator.join(
                texts.rubric.field(field_id).header for field_id in item.fields
            )
    return render(labels.notes[key], parts, count).to_numpy(dtype=object)


def find_problems(rubric: Rubric, checklists: Checklists, scores: Scores,
                  ranking: pd.DataFrame) -> pd.DataFrame:
    """Every indicator that lost points, every penalty applied, every veto triggered.

    Columns as :data:`FINDING_COLUMNS`; rows in ranking order, then rubric order
    (indicators, penalties, vetoes). ``points``, ``max`` and ``lost`` are empty
    (NaN) for a veto; an indicator that does not apply is no finding.
    """
    labels = labels_for(rubric.lang)
    texts = _BranchTexts(rubric, checklists, scores)
    order_of_position = np.empty(len(scores.branches), dtype=np.int64)
    order_of_position[ranking["position"].to_numpy(dtype=np.int64)] = np.arange(len(ranking))

    chunks: list[dict[str, np.ndarray]] = []
    for item in (*rubric.indicators, *rubric.penalties):
        points = scores.points[item.id].to_numpy(dtype=np.float64)
        if item.kind == "indicator":
            lost = round_points(item.max - points, rubric.precision)
        else:
            lost = points
        positions = np.flatnonzero(lost > 0)  # NaN (not applicable) compares False
        failed = np.zeros(0, dtype=object)
        if item.rule == "share":
            shares, fails = texts.share(item)
            value, failed = shares[positions], fails[positions]
        else:
            assert item.field is not None
            value = texts.value(item.field)[positions]
        chunks.append({
            "position": positions,
            "kind": np.full(len(positions), item.kind, dtype=object),
            "item_id": np.full(len(positions), item.id, dtype=object),
            "value": value,
            "points": points[positions],
            "max": np.full(len(positions), item.max),
            "lost": lost[positions],
            "note": _item_note(item, labels, texts, value, points[positions], positions, failed),
        })
    for veto in rubric.vetoes:
        positions = np.flatnonzero(scores.vetoes[veto.id].to_numpy(dtype=bool))
        empty = np.full(len(positions), np.nan)
        chunks.append({
            "position": positions,
            "kind": np.full(len(positions), "veto", dtype=object),
            "item_id": np.full(len(positions), veto.id, dtype=object),
            "value": texts.value(veto.field)[positions],
            "points": empty,
            "max": empty,
            "lost": empty,
            "note": np.full(len(positions),
                            labels.notes["veto"].format(title=veto.title, grade=veto.grade),
                            dtype=object),
        })
    return _assemble(chunks, order_of_position, scores.branches[BRANCH_ID].to_numpy(dtype=object))


def _assemble(chunks: list[dict[str, np.ndarray]], order_of_position: np.ndarray,
              branch_ids: np.ndarray) -> pd.DataFrame:
    def stacked(name: str, dtype: type) -> np.ndarray:
        parts = [chunk[name] for chunk in chunks]
        return np.concatenate(parts) if parts else np.zeros(0, dtype=dtype)

    positions = stacked("position", np.int64).astype(np.int64)
    item_order = np.concatenate(
        [np.full(len(chunk["position"]), index) for index, chunk in enumerate(chunks)]
    ) if chunks else np.zeros(0, dtype=np.int64)
    # lexsort: the last key is the primary one
    order = np.lexsort((item_order, order_of_position[positions]))
    columns: dict[str, pd.Series] = {"branch_id": pd.Series(branch_ids[positions[order]],
                                                            dtype=str)}
    for name in FINDING_COLUMNS[1:]:
        if name in TEXT_COLUMNS:
            columns[name] = pd.Series(stacked(name, object)[order], dtype=str)
        else:
            columns[name] = pd.Series(stacked(name, np.float64)[order], dtype=np.float64)
    return pd.DataFrame(columns)
