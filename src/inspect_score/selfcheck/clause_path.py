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

import attrs
import numpy as np

from inspect_score.checklists.table import BRANCH_ID, Checklists
from inspect_score.rubric.model import Item, Rubric, Veto
from inspect_score.scoring.grading import grade_by_total
from inspect_score.scoring.results import Results
from inspect_score.scoring.score import score


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


def clause_path(results: Results, branch_id: str) -> ClausePath:
    """The problems to put right, largest gain first, to lift ``branch_id`` a grade.

    Raises ``KeyError`` for a branch not in the run.
    """
    rubric = results.rubric
    branches = results.scores.branches
    matches = np.flatnonzero(branches[BRANCH_ID].to_numpy() == branch_id)
    if not len(matches):
        raise KeyError(branch_id)
    position = int(matches[0])
    total = float(branches["total"].iloc[position])
    if not rubric.grades or bool(branches["excluded"].iloc[position]):
        return ClausePath(branch_id=branch_id, total=total, grade="")
    cap = int(branches["veto_cap"].iloc[position])
    index = max(int(grade_by_total(rubric, np.array([total]))[0]), cap)
    path = ClausePath(branch_id=branch_id, total=total, grade=rubric.grades[index].name)
    if index == 0:
        return path
    target = rubric.grades[index - 1]
    path = attrs.evolve(path, target=target.name, target_min=target.min)
    hit = [veto for veto in rubric.vetoes
           if bool(results.scores.vetoes[veto.id].iloc[position])]
    blocking = tuple(veto for veto in hit if veto.action == "zero" or (
        veto.action == "cap" and rubric.grade_index(veto.grade) > index - 1))
    if blocking:
        return attrs.evolve(path, blocking_vetoes=blocking)
    rows = results.checklists.frame[results.scores.row_branch.to_numpy() == position]
    checklists = attrs.evolve(results.checklists, frame=rows.reset_index(drop=True))
    candidates = _candidates(results, branch_id)
    gains = [_total(rubric, checklists, [(item, number)]) - total
             for item, number, _ in candidates]
    order = sorted(range(len(candidates)), key=lambda at: (-gains[at], at))
    chosen: list[int] = []
    new_total = total
    for at in order:
        if gains[at] <= 0:
            break
        chosen.append(at)
        new_total = _total(rubric, checklists,
                           [(candidates[c][0], candidates[c][1]) for c in chosen])
        if new_total >= target.min:
            fixes = tuple(ClauseFix(item=candidates[c][0], number=candidates[c][1],
                                    problem=candidates[c][2], gain=gains[c]) for c in chosen)
            return attrs.evolve(path, fixes=fixes, new_total=new_total)
    return path


def _candidates(results: Results, branch_id: str) -> list[tuple[Item, int, str]]:
    """The branch's clause findings: (item, clause number, problem), in findings order."""
    findings = results.findings
    mine = findings[(findings[BRANCH_ID] == branch_id) & findings["clause"].notna()]
    items = {item.id: item for item in (*results.rubric.indicators, *results.rubric.penalties)}
    return [(items[str(item_id)], int(number), str(problem))
            for item_id, number, problem in zip(mine["item_id"], mine["clause"],
                                                mine["problem"], strict=True)]


def _total(rubric: Rubric, checklists: Checklists, fixed: list[tuple[Item, int]]) -> float:
    """The branch's total with the given clauses costing nothing."""
    changed: dict[str, Item] = {}
    for item, number in fixed:
        base = changed.get(item.id, item)
        clauses = list(base.clauses)
        clauses[number - 1] = attrs.evolve(clauses[number - 1], points=0.0, per=0.0)
        changed[item.id] = attrs.evolve(base, clauses=tuple(clauses))
    evolved = attrs.evolve(
        rubric,
        indicators=tuple(changed.get(item.id, item) for item in rubric.indicators),
        penalties=tuple(changed.get(item.id, item) for item in rubric.penalties),
    )
    return float(score(evolved, checklists).branches["total"].iloc[0])
