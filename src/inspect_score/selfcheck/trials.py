"""Scoring candidate values for many branches at once, for the path to the next grade.

A *trial* is a copy of one branch's checklist rows with some fields set to new
values. Trials of every branch are written into one table, each a branch of its
own, and scored with one :func:`~inspect_score.scoring.score.score` call: the
real scorer decides every trial (rounding, raters, n/a rescaling, the bonus cap,
penalties and vetoes), and the fixed cost of a call is paid once per stage, not
once per branch. Where only one item's points matter, the scorer's own
:func:`~inspect_score.scoring.score.item_scores` scores that item alone, on the
fields it reads. Very many trials are scored in chunks, to bound memory.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import attrs
import numpy as np
import pandas as pd

from inspect_score.checklists.table import BRANCH_ID, BRANCH_NAME, Checklists
from inspect_score.rubric.model import Field, Item, Rubric
from inspect_score.scoring.grading import grade_by_total
from inspect_score.scoring.score import item_scores, score
from inspect_score.scoring.tables import Scores

#: Most checklist rows scored in one call; more trials are scored in chunks.
MAX_ROWS = 2_000_000

#: A field's new value in each trial: where it is set, and the value (a choice as
#: its position among the field's choices), NaN where it is not.
Changes = dict[str, tuple[np.ndarray, np.ndarray]]


class BranchRows:
    """The checklist rows of the branches asked about, branch after branch, and
    their columns as arrays, each taken from the frame once."""

    def __init__(self, rubric: Rubric, checklists: Checklists, branch_ids: Sequence[str]):
        self.rubric = rubric
        self.checklists = checklists
        frame = checklists.frame
        codes, uniques = pd.factorize(frame[BRANCH_ID], sort=False)
        known = {str(branch): code for code, branch in enumerate(uniques)}
        #: the branches, each once, in the order asked
        self.ids = list(dict.fromkeys(branch_ids))
        for branch_id in self.ids:
            if branch_id not in known:
                raise KeyError(branch_id)
        chosen = np.array([known[branch_id] for branch_id in self.ids], dtype=np.int64)
        order = np.argsort(codes, kind="stable")
        bounds = np.searchsorted(codes[order], np.arange(len(uniques) + 1))
        counts = (bounds[chosen + 1] - bounds[chosen]).astype(np.int64)
        #: each branch's rows are ``start[b]:start[b + 1]`` of ``frame``
        self.start = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        self.count = counts
        positions = order[np.repeat(bounds[chosen], counts) + within(counts)]
        #: the branches' rows, in input order within each branch
        self.frame = frame.take(positions).reset_index(drop=True)
        self._numbers: dict[str, np.ndarray] = {}
        self._codes: dict[str, np.ndarray] = {}
        self._objects: dict[str, np.ndarray] = {}

    def numbers(self, field_id: str) -> np.ndarray:
        """A number or bool field's values in every row, NaN where blank."""
        if field_id not in self._numbers:
            self._numbers[field_id] = self.frame[field_id].to_numpy(dtype=np.float64,
                                                                    na_value=np.nan)
        return self._numbers[field_id]

    def codes(self, field_id: str) -> np.ndarray:
        """A choice field's values as positions among its choices, -1 where blank."""
        if field_id not in self._codes:
            choices = list(self.rubric.field(field_id).choices)
            self._codes[field_id] = np.asarray(
                pd.Categorical(self.frame[field_id], categories=choices).codes, dtype=np.int64)
        return self._codes[field_id]

    def objects(self, field_id: str) -> np.ndarray:
        """A field's values as Python objects (NaN or None where blank), as written."""
        if field_id not in self._objects:
            self._objects[field_id] = self.frame[field_id].astype(object).to_numpy()
        return self._objects[field_id]

    def encoded(self, field_id: str) -> np.ndarray:
        """A field's values as numbers: a choice by its position, NaN where blank."""
        if self.rubric.field(field_id).type == "choice":
            codes = self.codes(field_id)
            return np.where(codes < 0, np.nan, codes.astype(np.float64))
        return self.numbers(field_id)

    def rows(self, branch: int) -> slice:
        return slice(int(self.start[branch]), int(self.start[branch + 1]))

    def numbers_of(self, branch: int) -> Callable[[str], np.ndarray]:
        """A function giving one branch's values of a number or bool field."""
        rows = self.rows(branch)
        return lambda field_id: self.numbers(field_id)[rows]


@attrs.frozen
class Scored:
    """What scoring gave each trial."""

    total: np.ndarray
    #: grade index before quotas: by total, no better than the veto cap
    grade: np.ndarray
    #: points of every item (columns in rubric order), NaN where not applicable
    points: np.ndarray


def score_trials(rows: BranchRows, owners: np.ndarray, changes: Changes) -> Scored:
    """Score one trial per entry of ``owners`` (the branch whose rows it copies), with
    the fields ``changes`` sets in it, each trial a branch of its own."""
    rubric = rows.rubric
    parts: list[Scored] = []
    for first, last in _chunks(rows, owners):
        frame = _trial_frame(rows, owners[first:last], _part(changes, first, last),
                             rubric.fields)
        parts.append(_scored(rubric, score(rubric, attrs.evolve(rows.checklists, frame=frame))))
    if not parts:
        return Scored(np.empty(0), np.empty(0, dtype=np.int64),
                      np.empty((0, len(rubric.items))))
    return Scored(total=np.concatenate([part.total for part in parts]),
                  grade=np.concatenate([part.grade for part in parts]),
                  points=np.concatenate([part.points for part in parts]))


def score_item_trials(rows: BranchRows, item: Item, owners: np.ndarray,
                      changes: Changes) -> np.ndarray:
    """One item's points in each trial (as :func:`score_trials` would give them):
    scored by the scorer's own :func:`~inspect_score.scoring.score.item_scores`, on
    the fields the item reads alone (and those deciding where it applies)."""
    rubric = rows.rubric
    fields = tuple(rubric.field(field_id)
                   for field_id in dict.fromkeys((*item.input_fields, *item.condition_fields)))
    parts = [item_scores(rubric, item, _trial_frame(rows, owners[first:last],
                                                    _part(changes, first, last), fields))
             for first, last in _chunks(rows, owners)]
    return np.concatenate(parts) if parts else np.empty(0)


def _chunks(rows: BranchRows, owners: np.ndarray) -> list[tuple[int, int]]:
    """(first, last + 1) of runs of trials of about :data:`MAX_ROWS` checklist rows."""
    ends = np.cumsum(rows.count[owners])
    # a chunk ends with the trial whose last row passes a multiple of MAX_ROWS
    return runs((ends - 1) // MAX_ROWS)


def _part(changes: Changes, first: int, last: int) -> Changes:
    return {field_id: (chosen[first:last], values[first:last])
            for field_id, (chosen, values) in changes.items()}


def _trial_frame(rows: BranchRows, owners: np.ndarray, changes: Changes,
                 fields: Sequence[Field]) -> pd.DataFrame:
    """The trials' rows: the branch ids (trials are numbered in order, so that scores
    come back in trial order) and the fields, each with its trials' changes. Names,
    raters and sources are not scored: they are left out."""
    counts = rows.count[owners]
    trial = np.repeat(np.arange(len(owners), dtype=np.int64), counts)
    taken = np.repeat(rows.start[owners], counts) + within(counts)
    columns: dict[str, Any] = {BRANCH_ID: trial, BRANCH_NAME: trial}
    for field in fields:
        if field.id in changes:
            chosen, values = changes[field.id]
            written = chosen[trial]
            columns[field.id] = _column(field, np.where(written, values[trial],
                                                        rows.encoded(field.id)[taken]))
        elif field.type == "choice":
            columns[field.id] = pd.Categorical.from_codes(
                rows.codes(field.id)[taken], dtype=pd.CategoricalDtype(list(field.choices)))
        elif field.type == "text":
            columns[field.id] = pd.Series(rows.objects(field.id)[taken], dtype=object)
        else:
            columns[field.id] = rows.numbers(field.id)[taken]
    # a block per column: consolidating them would copy every column once more
    return pd.DataFrame(columns, copy=False)


def _scored(rubric: Rubric, scores: Scores) -> Scored:
    total = scores.branches["total"].to_numpy(dtype=np.float64)
    caps = scores.branches["veto_cap"].to_numpy(dtype=np.int64)
    points = scores.points[[item.id for item in rubric.items]].to_numpy(dtype=np.float64)
    return Scored(total=total, grade=grades(rubric, total, caps), points=points)


def score_rows(rows: BranchRows) -> tuple[Scored, np.ndarray]:
    """The branches as they stand, and which vetoes each triggers (columns in rubric order)."""
    scores = score(rows.rubric, attrs.evolve(rows.checklists, frame=rows.frame))
    vetoes = scores.vetoes[[veto.id for veto in rows.rubric.vetoes]].to_numpy(dtype=bool)
    return _scored(rows.rubric, scores), vetoes.reshape(len(rows.ids), len(rows.rubric.vetoes))


def grades(rubric: Rubric, totals: np.ndarray, caps: np.ndarray) -> np.ndarray:
    """Grade index before quotas: by total, no better than the veto cap."""
    return np.asarray(np.maximum(grade_by_total(rubric, totals), caps), dtype=np.int64)


def encode(field: Field, value: Any) -> float:
    """A value as :data:`Changes` holds it."""
    if field.type == "choice":
        return float(field.choices.index(value))
    return float(value)


def decode(field: Field, value: float) -> Any:
    """A value of :data:`Changes` as the field holds it: a choice's text, else a float."""
    if field.type == "choice":
        return field.choices[int(value)]
    return float(value)


def changes_of(rubric: Rubric, assignments: Sequence[Mapping[str, Any]]) -> Changes:
    """:data:`Changes` for trials given as one ``{field: value}`` each."""
    changes: Changes = {}
    for position, assignment in enumerate(assignments):
        for field_id, value in assignment.items():
            if field_id not in changes:
                changes[field_id] = (np.zeros(len(assignments), dtype=bool),
                                     np.full(len(assignments), np.nan))
            chosen, values = changes[field_id]
            chosen[position] = True
            values[position] = encode(rubric.field(field_id), value)
    return changes


def _column(field: Field, values: np.ndarray) -> Any:
    if field.type == "choice":
        codes = np.where(np.isnan(values), -1, values).astype(np.int64)
        return pd.Categorical.from_codes(codes, dtype=pd.CategoricalDtype(list(field.choices)))
    return values


def within(counts: np.ndarray) -> np.ndarray:
    """0, 1, ... counts[0] - 1, 0, 1, ... counts[1] - 1, ...: positions inside each run."""
    total = int(counts.sum())
    starts = np.cumsum(counts) - counts
    positions: np.ndarray = np.arange(total, dtype=np.int64) - np.repeat(starts, counts)
    return positions


def runs_of(labels: np.ndarray) -> list[tuple[int, int, int]]:
    """(label, first, last + 1) of each run of equal labels."""
    return [(int(labels[first]), first, last) for first, last in runs(labels)]


def runs(labels: np.ndarray) -> list[tuple[int, int]]:
    """(first, last + 1) of each run of equal labels."""
    if not len(labels):
        return []
    cuts = np.flatnonzero(labels[1:] != labels[:-1]) + 1
    edges = [0, *cuts.tolist(), len(labels)]
    return list(itertools.pairwise(edges))
