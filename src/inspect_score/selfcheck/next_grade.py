"""The path to the next grade: the fewest items to fix, and the values that would do it.

A "fix" changes the value(s) an item reads so that it earns more points (for a
penalty: deducts fewer): raising a held value, turning false ``share`` fields
true, choosing a better choice, reducing a count of faults. A ``scale`` with a
``target_field`` is fixed by raising the held value, never by lowering the target.

Everything is computed with the real scorer, never a re-implementation: the
candidate values of an item are written into copies of the branch's rows and
scored together as one table (each copy a branch of its own), so rounding,
raters, n/a rescaling, the bonus cap, penalties and vetoes all count exactly
as they will. Per item, every distinct points level better than the current
one is kept with the smallest value change that reaches it. The set of items
is then chosen by exact search over subsets, smallest first: the first size
at which some subset lifts the branch to the next grade is the answer, and
among those the candidate with the lowest resulting total (the fewest points
needed) wins, then the smallest changes, then rubric order.

The paths of many branches are found together (:func:`paths_to_next_grade`):
each stage writes the candidates of every branch into one table and scores it
at once (:mod:`inspect_score.selfcheck.trials`), then picks each branch's
answer with NumPy. An item's points depend on nothing but the values it reads,
so branches reading the same values for an item share that item's candidates.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import attrs
import numpy as np
import pandas as pd

from inspect_score.checklists.table import Checklists
from inspect_score.rubric.model import Field, Item, Rubric, Veto
from inspect_score.scoring.labels import labels_for
from inspect_score.scoring.plain import plain_number
from inspect_score.scoring.rules import condition_holds
from inspect_score.selfcheck import trials
from inspect_score.selfcheck.trials import BranchRows, Changes, changes_of, decode, score_trials

#: Candidate rows scored at once when every combination of levels is tried;
#: beyond it only each item's best level is combined (exact whenever points
#: rise with each item's points, which holds unless items share fields).
#: A budget per branch, and per size of the set of items.
MAX_COMBINATIONS = 40_000
#: Most values tried for one numeric field.
MAX_VALUES = 2_000
#: Most ``share`` fields whose every subset is tried.
MAX_SHARE_FIELDS = 10

Assignment = dict[str, Any]
#: One branch's values of a number or bool field, a row each (NaN where blank).
Numbers = Callable[[str], np.ndarray]


@attrs.frozen
class Change:
    """One field set to a new value: what it was (as text, raters joined by ";") and will be."""

    field_id: str
    before: str
    after: Any


@attrs.frozen
class Fix:
    """One item of the path: its new values and the points they earn."""

    item: Item
    changes: tuple[Change, ...]
    points_before: float
    points_after: float

    @property
    def gain(self) -> float:
        """Points won on the item (for a penalty: points no longer deducted)."""
        if self.item.kind == "penalty":
            return self.points_before - self.points_after
        return self.points_after - self.points_before


@attrs.frozen
class Path:
    """What it takes a branch to reach the grade above the one it holds.

    The grade held may be lower than the grade its total earns where a quota
    moved it down; the next grade is then the one above the grade held, and
    where the total already earns that grade only the quota stands in the way
    (``quota_only``): no fix of values is needed, nor offered.
    """

    branch_id: str
    total: float
    #: the grade the branch holds (after quotas, where the caller gave them)
    grade: str
    #: the next grade, None at the top grade
    target: str | None = None
    target_min: float | None = None
    #: the items to fix, in rubric order; empty where no path exists
    fixes: tuple[Fix, ...] = ()
    new_total: float | None = None
    #: vetoes that cap the grade below the target: no score lifts the branch past them
    blocking_vetoes: tuple[Veto, ...] = ()
    #: the total already earns ``target``: only its quota keeps the branch below it
    quota_only: bool = False

    @property
    def reachable(self) -> bool:
        return bool(self.fixes) and not self.blocking_vetoes


@attrs.frozen
class _Level:
    """One better points level of an item, reached with the smallest change found."""

    item: Item
    #: the item's position in ``rubric.items``
    position: int
    assignment: Assignment
    cost: float


def path_to_next_grade(rubric: Rubric, checklists: Checklists, branch_id: str,
                       held: str | None = None) -> Path:
    """The smallest set of fixes lifting ``branch_id`` to the grade above the one it holds.

    ``held`` is the grade the branch holds after quotas (None: the grade its
    total and vetoes give, as in a self-check). The fixes are searched against
    the grade minimums, without quotas. Raises ``KeyError`` when the branch is
    not in the checklists. For many branches, :func:`paths_to_next_grade` finds
    them all at once.
    """
    grades = None if held is None else {branch_id: held}
    return paths_to_next_grade(rubric, checklists, [branch_id], grades)[branch_id]


def paths_to_next_grade(rubric: Rubric, checklists: Checklists, branch_ids: Sequence[str],
                        held: Mapping[str, str] | None = None) -> dict[str, Path]:
    """:func:`path_to_next_grade` of every branch in ``branch_ids``, by branch id.

    ``held``: the grade each branch holds after quotas, by branch id (a branch
    it leaves out holds the grade its total and vetoes give). The candidates of
    all the branches are scored together: the branches as they stand, then each
    item's candidate values (one call per item), each size of set of items (one
    call per size) and each round of bisection (one call per round); very many
    are scored in chunks. Raises ``KeyError`` for the first branch not in the
    checklists.
    """
    rows = BranchRows(rubric, checklists, branch_ids)
    current, hits = trials.score_rows(rows)
    held_at = np.array([rubric.grade_index(held[branch_id])
                        if held is not None and branch_id in held else -1
                        for branch_id in rows.ids], dtype=np.int64)
    # a quota can only move a branch down: the grade held is never above the one earned
    grade = np.maximum(current.grade, held_at)
    target = grade - 1
    veto_grades = np.array([rubric.grade_index(veto.grade) for veto in rubric.vetoes],
                           dtype=np.int64)
    blocking = hits & (veto_grades[np.newaxis, :] > target[:, np.newaxis])
    paths: dict[str, Path] = {}
    searching: list[int] = []
    for branch, branch_id in enumerate(rows.ids):
        path = Path(branch_id=branch_id, total=float(current.total[branch]),
                    grade=rubric.grades[grade[branch]].name)
        if grade[branch] > 0:
            above = rubric.grades[target[branch]]
            path = attrs.evolve(path, target=above.name, target_min=above.min)
            if current.grade[branch] <= target[branch]:
                path = attrs.evolve(path, quota_only=True)
            elif blocking[branch].any():
                path = attrs.evolve(path, blocking_vetoes=tuple(
                    veto for veto, blocks in zip(rubric.vetoes, blocking[branch], strict=True)
                    if blocks))
            else:
                searching.append(branch)
        paths[branch_id] = path
    if not searching:
        return paths
    branches = np.array(searching, dtype=np.int64)
    levels = _levels(rows, branches, current.points)
    found = _refine(rows, _search(rows, levels, branches, target), target)
    for branch, (chosen, new_total, after) in found.items():
        fixes = tuple(
            Fix(
                item=level.item,
                changes=tuple(Change(field_id, _before(rows, branch, field_id), value)
                              for field_id, value in level.assignment.items()),
                points_before=_points(current.points[branch, level.position]),
                points_after=_points(after[level.position]),
            )
            for level in chosen
        )
        branch_id = rows.ids[branch]
        paths[branch_id] = attrs.evolve(paths[branch_id], fixes=fixes, new_total=new_total)
    return paths


def cleared_value(rubric: Rubric, veto: Veto, rows: pd.DataFrame) -> Any:
    """A value of the veto's field that does not trigger it, nearest the current one."""
    field = rubric.field(veto.field)

    def numbers(field_id: str) -> np.ndarray:
        return rows[field_id].to_numpy(dtype=np.float64, na_value=np.nan)

    candidates = _field_candidates(rubric, field, numbers, extra=[veto.value])
    if not candidates:
        return None
    current = _current_number(numbers, field)
    # every candidate written into a copy of the rows, all copies tested at once
    probe = rows.iloc[np.tile(np.arange(len(rows)), len(candidates))].reset_index(drop=True)
    probe[field.id] = _column_of(field, [value for value in candidates
                                         for _ in range(len(rows))])
    holds = condition_holds(rubric, probe, veto.field, veto.op, veto.value)
    triggers = holds.reshape(len(candidates), len(rows)).any(axis=1)
    distances = np.array([_distance(field, current, value) for value in candidates])
    allowed = np.flatnonzero(~triggers)
    if not len(allowed):
        return None
    # the nearest; the first of equals
    return candidates[int(allowed[np.argmin(distances[allowed])])]


# --- levels of every item -------------------------------------------------------------


@attrs.frozen
class _Levels:
    """Every better points level of every item of the branches searched, best level
    first; each branch's levels together, its items in rubric order."""

    #: per level: the item's position in ``rubric.items``, and the size of its change
    position: np.ndarray
    cost: np.ndarray
    #: per level: the fields it sets and their values
    changes: Changes
    #: per branch searched and item: where its levels start, and how many there are
    first: np.ndarray
    count: np.ndarray


def _levels(rows: BranchRows, branches: np.ndarray, points: np.ndarray) -> _Levels:
    """The levels of every (branch, item), from one scoring of each item's candidates.

    The candidates of an item are made and scored once per distinct set of values
    the item reads (in every row of the branch): its points depend on nothing else.
    """
    rubric = rows.rubric
    items = rubric.items
    #: per (branch searched, item): the number of its values, -1 where not fixable
    key_of = np.full((len(branches), len(items)), -1, dtype=np.int64)
    owners: list[int] = []  # per distinct values: a branch reading them
    positions: list[int] = []
    nows: list[float] = []
    blocks: list[tuple[tuple[str, ...], np.ndarray, np.ndarray]] = []
    for position, item in enumerate(items):
        if any(rubric.field(field_id).type == "text" for field_id in item.input_fields):
            continue  # no candidate values for text
        # its points depend on these alone: branches reading the same values share levels
        deciding = dict.fromkeys((*item.input_fields, *item.condition_fields))
        read = np.column_stack([rows.encoded(field_id) for field_id in deciding])
        seen: dict[bytes, int] = {}
        for searched, branch in enumerate(branches.tolist()):
            standing = float(points[branch, position])
            if math.isnan(standing):
                continue  # not applicable: filling it in is no fix, it changes what is scored
            values_read = read[rows.rows(branch)].tobytes()
            if values_read not in seen:
                seen[values_read] = len(blocks)
                owners.append(branch)
                positions.append(position)
                nows.append(standing)
                blocks.append(_item_candidates(rubric, rows.numbers_of(branch), item))
            key_of[searched, position] = seen[values_read]
    sizes = np.array([len(costs) for _, _, costs in blocks], dtype=np.int64)
    ends = np.cumsum(sizes)
    count = int(sizes.sum())
    changes: Changes = {}
    for block, (fields, table, _) in enumerate(blocks):
        part = slice(int(ends[block] - sizes[block]), int(ends[block]))
        for column, field_id in enumerate(fields):
            if field_id not in changes:
                changes[field_id] = (np.zeros(count, dtype=bool), np.full(count, np.nan))
            changes[field_id][0][part] = ~np.isnan(table[:, column])
            changes[field_id][1][part] = table[:, column]
    costs = np.concatenate([costs for _, _, costs in blocks]) if blocks else np.empty(0)
    key = np.repeat(np.arange(len(blocks), dtype=np.int64), sizes)
    item_at = np.array(positions, dtype=np.int64)[key]
    trial_owners = np.array(owners, dtype=np.int64)[key]
    # every item's candidates together: the item's points alone, for all the branches
    earned = np.full(count, np.nan)
    for position, start, stop in trials.runs_of(item_at):
        earned[start:stop] = trials.score_item_trials(
            rows, items[position], trial_owners[start:stop],
            {field_id: (chosen[start:stop], values[start:stop])
             for field_id, (chosen, values) in changes.items()})
    now = np.array(nows, dtype=np.float64)[key]
    penalty = np.array([item.kind == "penalty" for item in items], dtype=bool)[item_at]
    better = np.flatnonzero(np.where(penalty, earned < now, earned > now))
    # per (values, level): the smallest change, the first candidate among equals
    order = better[np.lexsort((better, costs[better], earned[better], key[better]))]
    first = np.ones(len(order), dtype=bool)
    first[1:] = (key[order][1:] != key[order][:-1]) | (earned[order][1:] != earned[order][:-1])
    kept = order[first]
    # best level first: the search tries it alone when combinations are many
    kept = kept[np.lexsort((np.where(penalty[kept], earned[kept], -earned[kept]), key[kept]))]
    level_count = np.bincount(key[kept], minlength=len(blocks))
    level_first = np.cumsum(level_count) - level_count
    # each branch's levels, laid out branch after branch (none where not fixable: -1
    # picks the 0 appended)
    counts = np.append(level_count, 0)[key_of]
    starts = np.append(level_first, 0)[key_of]
    taken = kept[np.repeat(starts.ravel(), counts.ravel()) + trials.within(counts.ravel())]
    return _Levels(
        position=item_at[taken], cost=costs[taken],
        changes={field_id: (chosen[taken], values[taken])
                 for field_id, (chosen, values) in changes.items()},
        first=(np.cumsum(counts.ravel()) - counts.ravel()).reshape(counts.shape),
        count=counts,
    )


def _item_candidates(rubric: Rubric, numbers: Numbers,
                     item: Item) -> tuple[tuple[str, ...], np.ndarray, np.ndarray]:
    """Values the item's own field(s) could take, with the size of each change: the
    fields, a row of values per candidate (NaN: left as it is), and the sizes."""
    if item.rule == "share":
        return _share_candidates(rubric, numbers, item)
    assert item.field is not None
    field = rubric.field(item.field)
    extra: list[Any] = [item.value] if item.rule == "check" else []
    values = _field_candidates(rubric, field, numbers, extra=extra, item=item)
    if field.type == "choice":
        encoded = np.arange(len(values), dtype=np.float64)  # the choices, in order
    else:
        encoded = np.array(values, dtype=np.float64)
    if field.type in ("int", "number"):
        costs = np.abs(encoded - _current_number(numbers, field))
    else:
        costs = np.ones(len(values))
    return (field.id,), encoded.reshape(len(values), 1), costs


def _share_candidates(rubric: Rubric, numbers: Numbers,
                      item: Item) -> tuple[tuple[str, ...], np.ndarray, np.ndarray]:
    """Turning some of the fields not yet true (in every row) true; blanks under na stay.

    A penalty counts the share of true fields against the branch: there, the
    fix turns true fields false.
    """
    wanted = 0.0 if item.kind == "penalty" else 1.0
    open_fields = []
    for column, field_id in enumerate(item.fields):
        values = numbers(field_id)
        blank = np.isnan(values)
        if rubric.missing_policy(field_id) == "na" and blank.all():
            continue
        if not (values == wanted).all():
            open_fields.append(column)
    open_fields = open_fields[:MAX_SHARE_FIELDS]
    rows: list[np.ndarray] = []
    costs: list[float] = []
    for size in range(1, len(open_fields) + 1):
        for subset in itertools.combinations(open_fields, size):
            row = np.full(len(item.fields), np.nan)
            row[list(subset)] = wanted
            rows.append(row)
            costs.append(float(size))
    table = np.array(rows, dtype=np.float64).reshape(len(rows), len(item.fields))
    return item.fields, table, np.array(costs, dtype=np.float64)


def _field_candidates(rubric: Rubric, field: Field, numbers: Numbers, *,
                      extra: Sequence[Any] = (), item: Item | None = None) -> list[Any]:
    """Every value worth trying for a field, within its bounds."""
    if field.type == "bool":
        return [0.0, 1.0]
    if field.type == "choice":
        return list(field.choices)
    if field.type == "text":
        return []
    current = numbers(field.id)
    marks = [float(value) for value in extra if isinstance(value, int | float)]
    marks += [0.0, *np.nan_to_num(current, nan=0.0).tolist()]
    if item is not None:
        marks += _rule_marks(item, numbers)
    low = field.min if field.min is not None else min(0.0, *marks)
    high = field.max if field.max is not None else max(marks) + 1.0
    step = 10.0 ** -rubric.precision
    if field.type == "int":
        first, last = math.ceil(low), math.floor(high)
        if last - first <= MAX_VALUES:
            # every whole number from ``low`` to ``high``
            return np.arange(first, last + 1, dtype=np.float64).tolist()
    around = [mark + delta for mark in marks for delta in (-1.0, -step, 0.0, step, 1.0)]
    if field.type == "int":
        whole = {math.ceil(value) for value in around} | {math.floor(value) for value in around}
        return sorted(float(value) for value in whole if low <= value <= high)
    wholes = range(math.ceil(low), math.floor(high) + 1)
    values = set(around)
    if len(wholes) <= MAX_VALUES:
        values |= {float(value) for value in wholes}
    return sorted(round(value, rubric.precision + 2) for value in values if low <= value <= high)


def _rule_marks(item: Item, numbers: Numbers) -> list[float]:
    """Values where the item's points change: thresholds, targets, saturation points."""
    marks = [float(threshold) for threshold, _ in item.steps]
    if item.rule == "scale":
        if item.target_field is not None:
            marks += np.nan_to_num(numbers(item.target_field), nan=0.0).tolist()
        elif item.target is not None:
            marks.append(float(item.target))
    if item.rule in ("count", "deduct") and item.per > 0:
        marks.append(item.max / item.per)
    if item.rule == "check" and isinstance(item.value, int | float):
        marks.append(float(item.value))
    return marks


# --- search over sets of items --------------------------------------------------------

#: What the search found for a branch: its levels, the new total, every item's points.
_Found = tuple[list[_Level], float, np.ndarray]


def _search(rows: BranchRows, levels: _Levels, branches: np.ndarray,
            target: np.ndarray) -> dict[int, _Found]:
    """Each branch's smallest feasible set of fixes, fewest points needed among equals.

    Sizes are tried in turn, each for every branch not yet placed at once.
    """
    fixable = levels.count > 0
    fixable_count = fixable.sum(axis=1)
    # each branch's fixable items first, in rubric order
    order = np.argsort(~fixable, axis=1, kind="stable")
    first = np.take_along_axis(levels.first, order, axis=1)
    count = np.take_along_axis(levels.count, order, axis=1)
    placed = np.zeros(len(branches), dtype=bool)
    found: dict[int, _Found] = {}
    for size in range(1, int(fixable_count.max(initial=0)) + 1):
        trying = np.flatnonzero(~placed & (fixable_count >= size))
        for options in _options(rows, branches, trying, fixable_count, first, count, size):
            for searched, chosen in _best_options(rows, levels, branches, target,
                                                  options).items():
                placed[searched] = True
                found[int(branches[searched])] = chosen
    return found


@attrs.frozen
class _Options:
    """Sets of levels to try: for each, the branch (searched), its position among the
    branch's options, and its levels (one per item, rubric order)."""

    searched: np.ndarray
    local: np.ndarray
    levels: np.ndarray


def _options(rows: BranchRows, branches: np.ndarray, trying: np.ndarray,
             fixable_count: np.ndarray, first: np.ndarray, count: np.ndarray,
             size: int) -> Iterator[_Options]:
    """The options of every branch in ``trying`` at ``size``, in batches of about
    :data:`trials.MAX_ROWS` checklist rows (a branch's options always together).

    Every combination of levels of every ``size`` items, while a branch's
    combinations number :data:`MAX_COMBINATIONS` at most; else each subset of
    items at its best levels.
    """
    pending: list[_Options] = []
    pending_rows = 0
    for fixable in np.unique(fixable_count[trying]).tolist():
        subsets = np.array(list(itertools.combinations(range(fixable), size)),
                           dtype=np.int64).reshape(-1, size)
        group = trying[fixable_count[trying] == fixable]
        # the levels of every subset of so many branches at a time
        step = max(1, trials.MAX_ROWS // subsets.size)
        for begin in range(0, len(group), step):
            some = group[begin:begin + step]
            firsts = first[some][:, subsets]  # branch x subset x item
            counts = count[some][:, subsets]
            products = np.prod(counts.astype(np.float64), axis=2).sum(axis=1)
            every = products <= MAX_COMBINATIONS
            made = np.where(every, products, len(subsets)).astype(np.int64)
            weight = made * rows.count[branches[some]]
            for start, stop in trials.runs(np.cumsum(weight) // trials.MAX_ROWS):
                part = slice(start, stop)
                pending.append(_options_of(some[part], firsts[part], counts[part],
                                           every[part]))
                pending_rows += int(weight[part].sum())
                if pending_rows >= trials.MAX_ROWS:
                    yield _joined(pending)
                    pending, pending_rows = [], 0
    if pending:
        yield _joined(pending)


def _options_of(group: np.ndarray, firsts: np.ndarray, counts: np.ndarray,
                every: np.ndarray) -> _Options:
    """The options of some branches with the same number of fixable items."""
    size = firsts.shape[2]
    # every combination: the levels of each subset, the last item's varying fastest
    some = firsts[every].reshape(-1, size)
    some_counts = counts[every].reshape(-1, size)
    products = np.prod(some_counts, axis=1)
    subset = np.repeat(np.arange(len(some)), products)
    rest = trials.within(products)
    combined = np.empty((len(subset), size), dtype=np.int64)
    for column in reversed(range(size)):
        base = some_counts[subset, column]
        combined[:, column] = some[subset, column] + rest % base
        rest //= base
    made = products.reshape(-1, firsts.shape[1]).sum(axis=1)
    # too many: each subset at its best levels
    best = firsts[~every].reshape(-1, size)
    return _joined([
        _Options(np.repeat(group[every], made), trials.within(made), combined),
        _Options(np.repeat(group[~every], firsts.shape[1]),
                 np.tile(np.arange(firsts.shape[1]), int((~every).sum())), best),
    ])


def _joined(parts: Sequence[_Options]) -> _Options:
    return _Options(np.concatenate([part.searched for part in parts]),
                    np.concatenate([part.local for part in parts]),
                    np.concatenate([part.levels for part in parts]))


def _best_options(rows: BranchRows, levels: _Levels, branches: np.ndarray, target: np.ndarray,
                  options: _Options) -> dict[int, _Found]:
    """Score the options; for each branch with a feasible one, the lowest total, then
    the smallest changes, then the first in rubric order."""
    owners = branches[options.searched]
    scored = score_trials(rows, owners, _option_changes(levels, options.levels))
    feasible = np.flatnonzero(scored.grade <= target[owners])
    cost = np.zeros(len(options.levels))
    for column in range(options.levels.shape[1]):  # added up in order, as sum() would
        cost = cost + levels.cost[options.levels[:, column]]
    picked = feasible[np.lexsort((options.local[feasible], cost[feasible],
                                  scored.total[feasible], options.searched[feasible]))]
    firsts = np.ones(len(picked), dtype=bool)
    firsts[1:] = options.searched[picked][1:] != options.searched[picked][:-1]
    found: dict[int, _Found] = {}
    for option in picked[firsts].tolist():
        chosen = [_level(rows.rubric, levels, int(level)) for level in options.levels[option]]
        found[int(options.searched[option])] = (chosen, float(scored.total[option]),
                                                scored.points[option])
    return found


def _option_changes(levels: _Levels, chosen: np.ndarray) -> Changes:
    """The fields each option sets: its levels' changes, a later one's winning a field
    two of them set (as ``dict.update`` in rubric order would)."""
    changes: Changes = {}
    for field_id, (sets, values) in levels.changes.items():
        written = np.zeros(len(chosen), dtype=bool)
        value = np.full(len(chosen), np.nan)
        for column in range(chosen.shape[1]):
            here = sets[chosen[:, column]]
            value = np.where(here, values[chosen[:, column]], value)
            written |= here
        if written.any():
            changes[field_id] = (written, value)
    return changes


def _level(rubric: Rubric, levels: _Levels, level: int) -> _Level:
    position = int(levels.position[level])
    item = rubric.items[position]
    fields = item.fields if item.rule == "share" else (str(item.field),)
    assignment = {field_id: decode(rubric.field(field_id), levels.changes[field_id][1][level])
                  for field_id in fields if levels.changes[field_id][0][level]}
    return _Level(item, position, assignment, float(levels.cost[level]))


# --- refining number fields ------------------------------------------------------------


class _Bisection:
    """One branch's refinement: its number-field changes, one after the other, each
    brought by bisection as close to the current value as still reaches the grade."""

    def __init__(self, rows: BranchRows, branch: int, found: _Found) -> None:
        self.branch = branch
        self.chosen, self.new_total, self.after = found
        self.step = 10.0 ** -rows.rubric.precision
        self.precision = rows.rubric.precision
        self.numbers = rows.numbers_of(branch)
        self.fields = {field_id: rows.rubric.field(field_id)
                       for level in self.chosen for field_id in level.assignment}
        self.todo = iter(list(enumerate(self.chosen)))
        self.index: int | None = None
        self.advance()

    def advance(self) -> None:
        """On to the next change worth bisecting; ``index`` None when none is left."""
        for index, level in self.todo:
            if len(level.assignment) != 1:
                continue
            (field_id, value), = level.assignment.items()
            field = self.fields[field_id]
            if field.type != "number":
                continue
            self.start = _current_number(self.numbers, field)
            self.level, self.field_id = level, field_id
            self.direction = 1.0 if float(value) >= self.start else -1.0
            # ``high`` steps away from the start is known to reach
            self.low, self.high = 0, round(abs(float(value) - self.start) / self.step)
            if self.high - self.low > 1:
                self.index = index
                return
        self.index = None

    def trial(self) -> tuple[int, list[_Level]]:
        """The middle step, and the fixes with it."""
        assert self.index is not None
        middle = (self.low + self.high) // 2
        candidate = round(self.start + self.direction * middle * self.step, self.precision)
        trial = [*self.chosen[:self.index],
                 attrs.evolve(self.level, assignment={self.field_id: candidate}),
                 *self.chosen[self.index + 1:]]
        return middle, trial

    def tried(self, middle: int, trial: list[_Level], reaches: bool, total: float,
              points: np.ndarray) -> None:
        if reaches:
            self.high = middle
            self.chosen, self.new_total, self.after = trial, total, points
        else:
            self.low = middle
        if self.high - self.low <= 1:
            self.advance()


def _refine(rows: BranchRows, found: dict[int, _Found], target: np.ndarray
            ) -> dict[int, _Found]:
    """Bring each number-field change as close to the current value as still reaches the grade.

    A number field (a rate, a percentage) is continuous: the candidates tried
    are whole numbers and the rule's marks, so the value found may overshoot.
    Bisection over steps of ``10 ** -precision`` finds the least change that
    still lifts the branch, with the real scorer deciding every step: a step of
    every branch at once.
    """
    bisections = [_Bisection(rows, branch, chosen) for branch, chosen in found.items()]
    going = [bisection for bisection in bisections if bisection.index is not None]
    while going:
        tried = [bisection.trial() for bisection in going]
        owners = np.array([bisection.branch for bisection in going], dtype=np.int64)
        scored = score_trials(rows, owners, changes_of(
            rows.rubric, [_merged(trial) for _, trial in tried]))
        reaches = scored.grade <= target[owners]
        for number, (bisection, (middle, trial)) in enumerate(zip(going, tried, strict=True)):
            bisection.tried(middle, trial, bool(reaches[number]), float(scored.total[number]),
                            scored.points[number])
        going = [bisection for bisection in going if bisection.index is not None]
    return {bisection.branch: (bisection.chosen, bisection.new_total, bisection.after)
            for bisection in bisections}


def _merged(option: Sequence[_Level]) -> Assignment:
    merged: Assignment = {}
    for level in option:
        merged.update(level.assignment)
    return merged


# --- small helpers --------------------------------------------------------------------


def _column_of(field: Field, values: list[Any]) -> Any:
    if field.type == "choice":
        cleaned = [None if value is None or (isinstance(value, float) and math.isnan(value))
                   else value for value in values]
        return pd.Categorical(cleaned, categories=list(field.choices))
    if field.type == "text":
        return pd.Series(values, dtype=object).to_numpy()
    return np.asarray(values, dtype=np.float64)


def _current_number(numbers: Numbers, field: Field) -> float:
    if field.type not in ("int", "number", "bool"):
        return math.nan
    values = numbers(field.id)
    return float(np.nanmean(values)) if not np.isnan(values).all() else 0.0


def _distance(field: Field, current: float, value: Any) -> float:
    if field.type in ("int", "number"):
        return abs(float(value) - current)
    return 1.0


def _points(value: float) -> float:
    return 0.0 if math.isnan(value) else float(value)


def _before(rows: BranchRows, branch: int, field_id: str) -> str:
    return _joined_text(rows.rubric, field_id, rows.objects(field_id)[rows.rows(branch)].tolist())


def value_text(rubric: Rubric, rows: pd.DataFrame, field_id: str) -> str:
    """The field's current values as text, raters' values joined by ";"."""
    return _joined_text(rubric, field_id, rows[field_id].astype(object).tolist())


def _joined_text(rubric: Rubric, field_id: str, values: list[Any]) -> str:
    field = rubric.field(field_id)
    texts = []
    for value in values:
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
