"""Schema 2: the path to the next grade through the problems found, clause by clause.

A fix is a problem put right: one clause of an indicator or penalty that cost
the branch points no longer costs anything. Each fix's gain is measured with
the real scorer (the clause made to cost nothing, the branch's rows scored
again), so the item's floor at 0, weights, n/a rescaling, the bonus cap and
penalties count exactly as they will. Fixes are taken largest gain first
until the total reaches the next grade's minimum; the total is scored again
with all of them at once, since one item's floor can make gains overlap.
Grades before quotas, as for schema 1.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs
import numpy as np
import pandas as pd

from inspect_score.checklists.table import BRANCH_ID, Checklists
from inspect_score.rubric.model import Item, Rubric, Veto
from inspect_score.scoring.results import Results
from inspect_score.scoring.score import clause_key, score


@attrs.frozen
class ClauseFix:
    """One problem put right: its clause, as the findings state it, and the points it wins."""

    item: Item
    number: int
    problem: str
    gain: float


@attrs.frozen
class ClausePath:
    """What it takes a branch to reach the next grade (grades before quotas)."""

    branch_id: str
    total: float
    #: the grade before quotas ("" on a rubric without grades)
    grade: str
    target: str | None = None
    target_min: float | None = None
    #: the fixes, largest gain first; empty where no path exists
    fixes: tuple[ClauseFix, ...] = ()
    new_total: float | None = None
    #: vetoes no fix of a clause can lift: a cap below the target, or a zero veto
    blocking_vetoes: tuple[Veto, ...] = ()
    #: the total reaches the target already: only the target's quota holds it back
    quota_only: bool = False


def clause_path(results: Results, branch_id: str, *, quotas: bool = True) -> ClausePath:
    """The problems to put right, largest gain first, to lift ``branch_id`` a grade.

    Raises ``KeyError`` for a branch not in the run.
    """
    return clause_paths(results, [branch_id], quotas=quotas)[branch_id]


def clause_paths(results: Results, branch_ids: Sequence[str], *,
                 quotas: bool = True) -> dict[str, ClausePath]:
    """:func:`clause_path` of many branches at once, by whole columns.

    Every clause that cost some branch points is priced by one scoring of the
    branches' rows with that clause waived; then, a round per fix, each branch
    not yet at its target adds its next-largest gain and all of them are scored
    together with the clauses each has waived. Scorings: one per clause, plus
    one per fix of the branch that needs the most; never one per branch.
    """
    rubric = results.rubric
    branches = results.scores.branches
    ids = branches[BRANCH_ID].to_numpy(dtype=object)
    wanted = pd.Index(ids).get_indexer(pd.Index(list(branch_ids)))
    if (wanted < 0).any():
        raise KeyError(list(branch_ids)[int(np.flatnonzero(wanted < 0)[0])])
    totals = branches["total"].to_numpy(dtype=np.float64)
    paths = {str(ids[at]): ClausePath(branch_id=str(ids[at]), total=float(totals[at]), grade="")
             for at in wanted}
    excluded = branches["excluded"].to_numpy(dtype=bool)
    if not rubric.grades:
        return paths
    # the next grade is the one above the grade the branch holds (after quotas,
    # unless ``quotas`` is off): a branch a quota moved down is offered the grade
    # just above, where only the quota may stand in the way
    held_in = "grade" if quotas else "grade_without_quota"
    names = {grade.name: number for number, grade in enumerate(rubric.grades)}
    held = results.ranking[held_in].map(names).to_numpy(dtype=np.float64)
    index = np.zeros(len(totals), dtype=np.int64)
    ranked = ~np.isnan(held)
    index[results.ranking["position"].to_numpy(dtype=np.int64)[ranked]] = held[ranked]
    vetoes = results.scores.vetoes
    zeroed = np.zeros(len(totals), dtype=bool)
    for veto in rubric.vetoes:
        if veto.action == "zero":
            zeroed |= vetoes[veto.id].to_numpy(dtype=bool)
    active = np.zeros(len(totals), dtype=bool)
    for at in wanted:
        branch_id = str(ids[at])
        if excluded[at]:
            continue
        grade = rubric.grades[int(index[at])]
        paths[branch_id] = attrs.evolve(paths[branch_id], grade=grade.name)
        if index[at] == 0:
            continue
        target = rubric.grades[int(index[at]) - 1]
        blocking = tuple(
            veto for veto in rubric.vetoes if bool(vetoes[veto.id].iloc[at]) and (
                veto.action == "zero"
                or (veto.action == "cap" and rubric.grade_index(veto.grade) > index[at] - 1)))
        paths[branch_id] = attrs.evolve(paths[branch_id], target=target.name,
                                        target_min=target.min, blocking_vetoes=blocking)
        if not blocking and totals[at] >= target.min:
            paths[branch_id] = attrs.evolve(paths[branch_id], quota_only=True)
            continue
        active[at] = not blocking
    candidates = [(item, number) for item in (*rubric.indicators, *rubric.penalties)
                  for number in range(1, len(item.clauses) + 1)]
    if not candidates or not active.any():
        return paths
    costs = np.column_stack([
        results.scores.clauses[clause_key(item.id, number)].to_numpy(dtype=np.float64)
        for item, number in candidates])
    row_branch = results.scores.row_branch.to_numpy(dtype=np.int64)
    # only the rows of branches that look for a path are scored again
    rows = np.flatnonzero(active[row_branch])
    checklists = attrs.evolve(results.checklists,
                              frame=results.checklists.frame.iloc[rows].reset_index(drop=True))
    scored_branch = row_branch[rows]
    positions = np.unique(scored_branch)  # branches in Scores order, as score() numbers them
    gains = np.zeros_like(costs)
    for column, (item, number) in enumerate(candidates):
        if not (costs[positions, column] > 0).any():
            continue
        waived = {clause_key(item.id, number): np.ones(len(rows), dtype=bool)}
        after = _totals(rubric, checklists, waived)
        gains[positions, column] = np.where(costs[positions, column] > 0,
                                            after - totals[positions], 0.0)
    # largest gain first; equal gains in rubric order
    order = np.argsort(-gains, axis=1, kind="stable")
    minimum = np.array([rubric.grades[max(int(i) - 1, 0)].min for i in index])
    needed = active.copy()
    chosen = np.zeros(len(totals), dtype=np.int64)
    reached = np.full(len(totals), np.nan)
    for count in range(1, len(candidates) + 1):
        takes = needed & (gains[np.arange(len(totals)), order[:, count - 1]] > 0)
        needed &= takes  # a branch whose next fix gains nothing has no path
        if not needed.any():
            break
        chosen[needed] = count
        picked = np.zeros_like(costs, dtype=bool)
        for rank in range(count):
            picked[np.arange(len(totals)), order[:, rank]] = True
        picked &= needed[:, None]
        waived = {clause_key(item.id, number): picked[scored_branch, column]
                  for column, (item, number) in enumerate(candidates)
                  if picked[:, column].any()}
        after = np.full(len(totals), np.nan)
        after[positions] = _totals(rubric, checklists, waived)
        done = needed & (after >= minimum)
        reached[done] = after[done]
        needed &= ~done
    problems = _problems(results)
    for at in wanted:
        if np.isnan(reached[at]):
            continue
        fixes = tuple(
            ClauseFix(item=candidates[column][0], number=candidates[column][1],
                      problem=problems.get((str(ids[at]), candidates[column][0].id,
                                            candidates[column][1]), ""),
                      gain=float(gains[at, column]))
            for column in order[at, : chosen[at]])
        paths[str(ids[at])] = attrs.evolve(paths[str(ids[at])], fixes=fixes,
                                           new_total=float(reached[at]))
    return paths


def _problems(results: Results) -> dict[tuple[str, str, int], str]:
    """The problem of every clause finding, by (branch, item, clause)."""
    findings = results.findings
    mine = findings[findings["clause"].notna()]
    return {(str(branch), str(item), int(number)): str(problem)
            for branch, item, number, problem in zip(
                mine[BRANCH_ID], mine["item_id"], mine["clause"], mine["problem"], strict=True)}


def _totals(rubric: Rubric, checklists: Checklists,
            waived: dict[str, np.ndarray]) -> np.ndarray:
    """Every scored branch's total with the given clauses waived on the given rows."""
    return score(rubric, checklists, waived).branches["total"].to_numpy(dtype=np.float64)
