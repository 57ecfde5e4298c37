"""The path to the next grade as it was first computed: one branch at a time.

A copy of the per-branch algorithm that ``inspect_score.selfcheck.next_grade``
replaced with one computed for many branches at once: every stage scores one
branch's candidates in a table of their own (hundreds of small ``score()``
calls per branch). Slow and plain, it is the reference the batched search is
checked against; it returns the library's own ``Path``, ``Fix`` and ``Change``
values, so that the two compare with ``==``.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import Any

import attrs
import numpy as np
import pandas as pd

from inspect_score.checklists.table import BRANCH_ID, Checklists
from inspect_score.rubric.model import Field, Item, Rubric, Veto
from inspect_score.scoring.grading import grade_by_total
from inspect_score.scoring.labels import labels_for
from inspect_score.scoring.plain import plain_number
from inspect_score.scoring.rules import condition_holds
from inspect_score.scoring.score import score
from inspect_score.selfcheck.next_grade import Change, Fix, Path

#: Candidate rows scored at once when every combination of levels is tried;
#: beyond it only each item's best level is combined (exact whenever points
#: rise with each item's points, which holds unless items share fields).
MAX_COMBINATIONS = 40_000
#: Most values tried for one numeric field.
MAX_VALUES = 2_000
#: Most ``share`` fields whose every subset is tried.
MAX_SHARE_FIELDS = 10

Assignment = dict[str, Any]


@attrs.frozen
class _Level:
    """One better points level of an item, reached with the smallest change found."""

    item: Item
    assignment: Assignment
    cost: float


def path_to_next_grade(rubric: Rubric, checklists: Checklists, branch_id: str,
                       held: str | None = None) -> Path:
    """The smallest set of fixes lifting ``branch_id`` to the grade above the one it holds.

    ``held`` is the grade the branch holds after quotas (None: the grade its
    total and vetoes give, as in a self-check). The fixes are searched against
    the grade minimums, without quotas. Raises ``KeyError`` when the branch is
    not in the checklists.
    """
    rows = checklists.frame[checklists.frame[BRANCH_ID] == branch_id]
    if rows.empty:
        raise KeyError(branch_id)
    rows = rows.reset_index(drop=True)
    current = score(rubric, attrs.evolve(checklists, frame=rows))
    total = float(current.branches["total"].iloc[0])
    cap = int(current.branches["veto_cap"].iloc[0])
    earned = int(_grades(rubric, np.array([total]), np.array([cap]))[0])
    # a quota can only move a branch down: the grade held is never above the one earned
    grade_index = earned if held is None else max(rubric.grade_index(held), earned)
    path = Path(branch_id=branch_id, total=total, grade=rubric.grades[grade_index].name)
    if grade_index == 0:
        return path
    target = grade_index - 1
    path = attrs.evolve(path, target=rubric.grades[target].name,
                        target_min=rubric.grades[target].min)
    if earned <= target:
        return attrs.evolve(path, quota_only=True)
    blocking = tuple(
        veto for veto in rubric.vetoes
        if bool(current.vetoes[veto.id].iloc[0]) and rubric.grade_index(veto.grade) > target
    )
    if blocking:
        return attrs.evolve(path, blocking_vetoes=blocking)
    levels = {item.id: _levels(rubric, checklists, rows, item, current.points)
              for item in rubric.items}
    fixable = [item for item in rubric.items if levels[item.id]]
    best = _search(rubric, checklists, rows, fixable, levels, target)
    if best is None:
        return path
    chosen, new_total, after = _refine(rubric, checklists, rows, *best, target)
    fixes = tuple(
        Fix(
            item=level.item,
            changes=tuple(
                Change(field_id, value_text(rubric, rows, field_id), value)
                for field_id, value in level.assignment.items()
            ),
            points_before=_points(current.points, level.item.id),
            points_after=_points(after, level.item.id),
        )
        for level in chosen
    )
    return attrs.evolve(path, fixes=fixes, new_total=new_total)


def cleared_value(rubric: Rubric, veto: Veto, rows: pd.DataFrame) -> Any:
    """A value of the veto's field that does not trigger it, nearest the current one."""
    field = rubric.field(veto.field)
    candidates = _field_candidates(rubric, field, rows, extra=[veto.value])
    current = _current_number(rows, field)
    best: Any = None
    best_distance = math.inf
    for value in candidates:
        probe = rows.copy()
        probe[field.id] = _column_of(field, [value] * len(probe))
        if condition_holds(rubric, probe, veto.field, veto.op, veto.value).any():
            continue
        distance = _distance(field, current, value)
        if distance < best_distance:
            best, best_distance = value, distance
    return best


# --- levels of one item -----------------------------------------------------------------


def _levels(rubric: Rubric, checklists: Checklists, rows: pd.DataFrame, item: Item,
            points: pd.DataFrame) -> list[_Level]:
    """Every points level better than the current one, each with its smallest change."""
    now = points[item.id].iloc[0]
    if pd.isna(now):
        return []  # not applicable: filling it in is no fix, it changes what is scored
    assignments, costs = _item_candidates(rubric, rows, item)
    if not assignments:
        return []
    scored = _score_candidates(rubric, checklists, rows, assignments)
    earned = scored.points[item.id].to_numpy(dtype=np.float64)
    better = earned < now if item.kind == "penalty" else earned > now
    by_level: dict[float, _Level] = {}
    for index in np.flatnonzero(better):
        level = float(earned[index])
        if level not in by_level or costs[index] < by_level[level].cost:
            by_level[level] = _Level(item, assignments[index], costs[index])
    # best level first: the feasibility pass tries it alone when combinations are many
    ordered = sorted(by_level.items(), reverse=item.kind != "penalty")
    return [level for _, level in ordered]


def _item_candidates(rubric: Rubric, rows: pd.DataFrame,
                     item: Item) -> tuple[list[Assignment], list[float]]:
    """Values the item's own field(s) could take, with the size of each change."""
    if item.rule == "share":
        return _share_candidates(rubric, rows, item)
    assert item.field is not None
    field = rubric.field(item.field)
    extra: list[Any] = [item.value] if item.rule == "check" else []
    current = _current_number(rows, field)
    values = _field_candidates(rubric, field, rows, extra=extra, item=item)
    return ([{field.id: value} for value in values],
            [_distance(field, current, value) for value in values])


def _share_candidates(rubric: Rubric, rows: pd.DataFrame,
                      item: Item) -> tuple[list[Assignment], list[float]]:
    """Turning some of the fields not yet true (in every row) true; blanks under na stay.

    A penalty counts the share of true fields against the branch: there, the
    fix turns true fields false.
    """
    wanted = 0.0 if item.kind == "penalty" else 1.0
    open_fields = []
    for field_id in item.fields:
        values = rows[field_id].to_numpy(dtype=np.float64)
        blank = np.isnan(values)
        if rubric.missing_policy(field_id) == "na" and blank.all():
            continue
        if not (values == wanted).all():
            open_fields.append(field_id)
    open_fields = open_fields[:MAX_SHARE_FIELDS]
    assignments: list[Assignment] = []
    costs: list[float] = []
    for size in range(1, len(open_fields) + 1):
        for subset in itertools.combinations(open_fields, size):
            assignments.append(dict.fromkeys(subset, wanted))
            costs.append(float(size))
    return assignments, costs


def _field_candidates(rubric: Rubric, field: Field, rows: pd.DataFrame, *,
                      extra: Sequence[Any] = (), item: Item | None = None) -> list[Any]:
    """Every value worth trying for a field, within its bounds."""
    if field.type == "bool":
        return [0.0, 1.0]
    if field.type == "choice":
        return list(field.choices)
    if field.type == "text":
        return []
    current = rows[field.id].to_numpy(dtype=np.float64)
    marks = [float(value) for value in extra if isinstance(value, int | float)]
    marks += [0.0, *np.nan_to_num(current, nan=0.0).tolist()]
    if item is not None:
        marks += _rule_marks(rubric, item, rows)
    low = field.min if field.min is not None else min(0.0, *marks)
    high = field.max if field.max is not None else max(marks) + 1.0
    step = 10.0 ** -rubric.precision
    around = [mark + delta for mark in marks for delta in (-1.0, -step, 0.0, step, 1.0)]
    if field.type == "int":
        first, last = math.ceil(low), math.floor(high)
        whole: set[int]
        if last - first <= MAX_VALUES:
            whole = set(range(first, last + 1))
        else:
            whole = {math.ceil(value) for value in around} | {math.floor(value) for value in around}
        return sorted(float(value) for value in whole if low <= value <= high)
    wholes = range(math.ceil(low), math.floor(high) + 1)
    values = set(around)
    if len(wholes) <= MAX_VALUES:
        values |= {float(value) for value in wholes}
    return sorted(round(value, rubric.precision + 2) for value in values if low <= value <= high)


def _rule_marks(rubric: Rubric, item: Item, rows: pd.DataFrame) -> list[float]:
    """Values where the item's points change: thresholds, targets, saturation points."""
    marks = [float(threshold) for threshold, _ in item.steps]
    if item.rule == "scale":
        if item.target_field is not None:
            targets = rows[item.target_field].to_numpy(dtype=np.float64)
            marks += np.nan_to_num(targets, nan=0.0).tolist()
        elif item.target is not None:
            marks.append(float(item.target))
    if item.rule in ("count", "deduct") and item.per > 0:
        marks.append(item.max / item.per)
    if item.rule == "check" and isinstance(item.value, int | float):
        marks.append(float(item.value))
    return marks


# --- search over sets of items --------------------------------------------------------


def _search(rubric: Rubric, checklists: Checklists, rows: pd.DataFrame, fixable: list[Item],
            levels: dict[str, list[_Level]], target: int
            ) -> tuple[list[_Level], float, pd.DataFrame] | None:
    """The smallest feasible set of fixes, fewest points needed among equals."""
    for size in range(1, len(fixable) + 1):
        subsets = list(itertools.combinations(fixable, size))
        combinations = sum(math.prod(len(levels[item.id]) for item in subset)
                           for subset in subsets)
        options: list[list[_Level]] = []
        for subset in subsets:
            if combinations <= MAX_COMBINATIONS:
                options.extend(list(combo) for combo in
                               itertools.product(*(levels[item.id] for item in subset)))
            else:
                options.append([levels[item.id][0] for item in subset])
        found = _best_option(rubric, checklists, rows, options, target)
        if found is not None:
            return found
    return None


def _best_option(rubric: Rubric, checklists: Checklists, rows: pd.DataFrame,
                 options: list[list[_Level]], target: int
                 ) -> tuple[list[_Level], float, pd.DataFrame] | None:
    assignments = [_merged(option) for option in options]
    scored = _score_candidates(rubric, checklists, rows, assignments)
    totals = scored.branches["total"].to_numpy(dtype=np.float64)
    caps = scored.branches["veto_cap"].to_numpy(dtype=np.int64)
    feasible = np.flatnonzero(_grades(rubric, totals, caps) <= target)
    if not len(feasible):
        return None
    costs = np.array([sum(level.cost for level in options[index]) for index in feasible])
    # lexsort: last key first; the option's position (rubric order) breaks the last tie
    pick = int(feasible[np.lexsort((feasible, costs, totals[feasible]))[0]])
    after = scored.points.iloc[[pick]].reset_index(drop=True)
    return options[pick], float(totals[pick]), after


def _refine(rubric: Rubric, checklists: Checklists, rows: pd.DataFrame, chosen: list[_Level],
            new_total: float, after: pd.DataFrame, target: int
            ) -> tuple[list[_Level], float, pd.DataFrame]:
    """Bring each number-field change as close to the current value as still reaches the grade.

    A number field (a rate, a percentage) is continuous: the candidates tried
    are whole numbers and the rule's marks, so the value found may overshoot.
    Bisection over steps of ``10 ** -precision`` finds the least change that
    still lifts the branch, with the real scorer deciding every step.
    """
    step = 10.0 ** -rubric.precision
    for index, level in enumerate(chosen):
        if len(level.assignment) != 1:
            continue
        (field_id, value), = level.assignment.items()
        field = rubric.field(field_id)
        if field.type != "number":
            continue
        start = _current_number(rows, field)
        steps = round(abs(float(value) - start) / step)
        direction = 1.0 if float(value) >= start else -1.0
        low, high = 0, steps  # ``high`` steps away from the start is known to reach
        while high - low > 1:
            middle = (low + high) // 2
            candidate = round(start + direction * middle * step, rubric.precision)
            trial = [*chosen[:index], attrs.evolve(level, assignment={field_id: candidate}),
                     *chosen[index + 1:]]
            found = _best_option(rubric, checklists, rows, [trial], target)
            if found is None:
                low = middle
            else:
                high = middle
                chosen, new_total, after = found
    return chosen, new_total, after


def _merged(option: Sequence[_Level]) -> Assignment:
    merged: Assignment = {}
    for level in option:
        merged.update(level.assignment)
    return merged


# --- scoring candidates -------------------------------------------------------------


def _score_candidates(rubric: Rubric, checklists: Checklists, rows: pd.DataFrame,
                      assignments: list[Assignment]) -> Any:
    """Score copies of the branch's rows, one copy per assignment, as separate branches."""
    count, size = len(assignments), len(rows)
    frame = rows.iloc[np.tile(np.arange(size), count)].reset_index(drop=True)
    frame[BRANCH_ID] = pd.array(np.repeat(np.arange(count), size).astype(str), dtype="str")
    changes = pd.DataFrame(assignments, index=pd.RangeIndex(count))
    for field_id in changes.columns:
        field = rubric.field(str(field_id))
        wanted = changes[field_id].to_numpy(dtype=object)
        repeated = np.repeat(wanted, size)
        keep = pd.isna(repeated)
        original = frame[field.id].astype(object).to_numpy()
        merged = np.where(keep, original, repeated)
        frame[field.id] = _column_of(field, list(merged))
    return score(rubric, attrs.evolve(checklists, frame=frame))


def _column_of(field: Field, values: list[Any]) -> Any:
    if field.type == "choice":
        cleaned = [None if value is None or (isinstance(value, float) and math.isnan(value))
                   else value for value in values]
        return pd.Categorical(cleaned, categories=list(field.choices))
    if field.type == "text":
        return pd.Series(values, dtype=object).to_numpy()
    return np.asarray(values, dtype=np.float64)


def _grades(rubric: Rubric, totals: np.ndarray, caps: np.ndarray) -> np.ndarray:
    """Grade index before quotas: by total, no better than the veto cap."""
    return np.asarray(np.maximum(grade_by_total(rubric, totals), caps), dtype=np.int64)


# --- small helpers --------------------------------------------------------------------


def _current_number(rows: pd.DataFrame, field: Field) -> float:
    if field.type not in ("int", "number", "bool"):
        return math.nan
    values = rows[field.id].to_numpy(dtype=np.float64)
    return float(np.nanmean(values)) if not np.isnan(values).all() else 0.0


def _distance(field: Field, current: float, value: Any) -> float:
    if field.type in ("int", "number"):
        return abs(float(value) - current)
    return 1.0


def _points(points: pd.DataFrame, item_id: str) -> float:
    value = points[item_id].iloc[0]
    return 0.0 if pd.isna(value) else float(value)


def value_text(rubric: Rubric, rows: pd.DataFrame, field_id: str) -> str:
    """The field's current values as text, raters' values joined by ";"."""
    field = rubric.field(field_id)
    texts = []
    for value in rows[field_id].astype(object).tolist():
        if value is None or (isinstance(value, float) and math.isnan(value)):
            texts.append("")
        elif field.type == "bool":
            labels = labels_for(rubric.lang)
            texts.append(labels.yes if float(value) == 1.0 else labels.no)
        elif field.type in ("int", "number"):
            texts.append(plain_number(float(value)))
        else:
            texts.append(str(value))
    return ";".join(texts)
