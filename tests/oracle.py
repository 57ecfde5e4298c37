"""A deliberately plain reference scorer and grader, written from the spec.

One branch, one row, one item at a time, with exact fractions and decimal
rounding: slow and obvious, so that the vectorised scorer can be checked
against it. It shares no code with ``inspect_score`` beyond the rubric model.
"""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction
from typing import Any

import natsort
import pandas as pd

from inspect_score.rubric.model import Item, Rubric

_natural = natsort.natsort_keygen()


class NothingApplicable(Exception):
    """Some branches have no applicable indicator."""

    def __init__(self, branch_ids: list[str]) -> None:
        super().__init__(branch_ids)
        self.branch_ids = branch_ids


def exact(number: float) -> Fraction:
    """The decimal a float was written as (0.1 is 1/10, not the binary neighbour)."""
    return Fraction(Decimal(repr(float(number))))


def round_half_up(value: Fraction, precision: int) -> Fraction:
    """Half away from zero at ``precision`` decimals, on the exact value."""
    scaled = value * 10**precision
    magnitude = math.floor(abs(scaled) + Fraction(1, 2))
    return Fraction(magnitude if scaled >= 0 else -magnitude, 10**precision)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _holds(op: str, left: Any, right: Any) -> bool:
    if op == ">=":
        return bool(left >= right)
    if op == ">":
        return bool(left > right)
    if op == "<=":
        return bool(left <= right)
    if op == "<":
        return bool(left < right)
    if op == "==":
        return bool(left == right)
    return bool(left != right)


def condition(rubric: Rubric, row: dict[str, Any], field_id: str, op: str, value: Any) -> bool:
    """A check or veto condition on one row; a blank never satisfies it."""
    cell = row.get(field_id)
    if _blank(cell):
        return False
    field_type = rubric.field(field_id).type
    if field_type in ("choice", "text"):
        return _holds(op, str(cell), str(value))
    if field_type == "bool":
        return _holds(op, exact(cell), Fraction(1 if value else 0))
    return _holds(op, exact(cell), exact(float(value)))


def _number(rubric: Rubric, row: dict[str, Any], field_id: str) -> Fraction | None:
    """A numeric value; None where the field is blank and its policy makes the item n/a."""
    cell = row.get(field_id)
    if _blank(cell):
        return Fraction(0) if rubric.missing_policy(field_id) == "zero" else None
    return exact(cell)


def row_points(rubric: Rubric, item: Item, row: dict[str, Any]) -> Fraction | None:
    """One item's points for one checklist row, rounded; None when not applicable."""
    top = exact(item.max)
    points: Fraction
    if item.rule == "share":
        applicable = 0
        true = 0
        for field_id in item.fields:
            cell = row.get(field_id)
            if _blank(cell):
                if rubric.missing_policy(field_id) == "zero":
                    applicable += 1
                continue
            applicable += 1
            true += 1 if cell == 1 else 0
        if applicable == 0:
            return None
        points = top * true / applicable
    elif item.rule == "check":
        assert item.field is not None
        if _blank(row.get(item.field)) and rubric.missing_policy(item.field) != "zero":
            return None
        points = top if condition(rubric, row, item.field, item.op, item.value) else Fraction(0)
    elif item.rule == "choice":
        assert item.field is not None
        cell = row.get(item.field)
        if _blank(cell):
            if rubric.missing_policy(item.field) != "zero":
                return None
            points = Fraction(0)
        else:
            points = exact(dict(item.points)[str(cell)])
    else:
        assert item.field is not None
        value = _number(rubric, row, item.field)
        if value is None:
            return None
        if item.rule == "scale":
            if item.target_field is not None:
                target = _number(rubric, row, item.target_field)
                if target is None:
                    return None
            else:
                assert item.target is not None
                target = exact(item.target)
            points = top if target <= 0 else top * min(value / target, Fraction(1))
        elif item.rule == "deduct":
            points = top - exact(item.per) * value
        elif item.rule == "count":
            points = exact(item.per) * value
        else:  # steps
            points = Fraction(0)
            for threshold, step_points in item.steps:
                if value >= exact(threshold):
                    points = exact(step_points)
    points = min(max(points, Fraction(0)), top)
    return round_half_up(points, rubric.precision)


def combine(method: str, trim: int, values: list[Fraction]) -> Fraction:
    values = sorted(values)
    if method == "median":
        middle = len(values) // 2
        if len(values) % 2:
            return values[middle]
        return (values[middle - 1] + values[middle]) / 2
    if method == "trimmed_mean" and len(values) > 2 * trim:
        values = values[trim : len(values) - trim]
    return sum(values, Fraction(0)) / len(values)


def score_rows(rubric: Rubric, frame: pd.DataFrame) -> list[dict[str, Any]]:
    """One dict per branch, in order of first appearance."""
    rows = [
        {key: (None if _blank(value) else value) for key, value in record.items()}
        for record in frame.astype(object).to_dict("records")
    ]
    branches: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        branches.setdefault(str(row["branch_id"]), []).append(row)

    results = []
    nothing = []
    for branch_id, branch_rows in branches.items():
        points: dict[str, Fraction | None] = {}
        for item in rubric.items:
            per_row = [row_points(rubric, item, row) for row in branch_rows]
            applicable = [value for value in per_row if value is not None]
            points[item.id] = (
                round_half_up(combine(rubric.raters, rubric.trim, applicable), rubric.precision)
                if applicable
                else None
            )
        indicator_points = [points[item.id] for item in rubric.indicators]
        if all(value is None for value in indicator_points):
            nothing.append(branch_id)
            continue
        earned = sum((value for value in indicator_points if value is not None), Fraction(0))
        if any(value is None for value in indicator_points):
            applicable_max = sum(
                (exact(item.max) for item in rubric.indicators if points[item.id] is not None),
                Fraction(0),
            )
            base = (
                round_half_up(exact(rubric.total) * earned / applicable_max, rubric.precision)
                if applicable_max > 0
                else Fraction(0)
            )
        else:
            base = earned
        bonus_sum = sum((points[item.id] or Fraction(0) for item in rubric.bonuses), Fraction(0))
        bonus = round_half_up(min(bonus_sum, exact(rubric.bonus_cap)), rubric.precision)
        penalty = sum((points[item.id] or Fraction(0) for item in rubric.penalties), Fraction(0))
        total = round_half_up(max(Fraction(0), base + bonus - penalty), rubric.precision)
        sections = {
            section.id: sum(
                (
                    points[item.id] or Fraction(0)
                    for item in rubric.indicators
                    if item.section == section.id
                ),
                Fraction(0),
            )
            for section in rubric.sections
        }
        vetoes = {
            veto.id: any(
                condition(rubric, row, veto.field, veto.op, veto.value) for row in branch_rows
            )
            for veto in rubric.vetoes
        }
        cap = max(
            [rubric.grade_index(veto.grade) for veto in rubric.vetoes if vetoes[veto.id]],
            default=0,
        )
        results.append(
            {
                "branch_id": branch_id,
                "branch_name": str(branch_rows[0]["branch_name"]),
                "points": points,
                "base": base,
                "bonus": bonus,
                "penalty": penalty,
                "total": total,
                "sections": sections,
                "vetoes": vetoes,
                "vetoed": ";".join(veto.id for veto in rubric.vetoes if vetoes[veto.id]),
                "veto_cap": cap,
            }
        )
    if nothing:
        raise NothingApplicable(nothing)
    return results


def rank_and_grade_rows(rubric: Rubric, branches: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The branches in ranking order with ``rank``, ``grade`` and ``grade_without_quota``."""
    ranked = sorted(
        branches,
        key=lambda branch: (-branch["total"], _natural(branch["branch_id"]), branch["branch_id"]),
    )
    for position, branch in enumerate(ranked):
        better = [other for other in ranked if other["total"] > branch["total"]]
        branch["rank"] = len(better) + 1
        reached = next(
            index
            for index, grade in enumerate(rubric.grades)
            if branch["total"] >= exact(grade.min) or index == len(rubric.grades) - 1
        )
        branch["grade_index"] = max(reached, branch["veto_cap"])
        branch["grade_without_quota"] = rubric.grades[branch["grade_index"]].name
        branch["position_in_ranking"] = position

    for index, grade in enumerate(rubric.grades):
        if grade.max_share is None:
            continue
        places = math.floor(exact(grade.max_share) * len(ranked))
        holders = [branch for branch in ranked if branch["grade_index"] == index]
        if len(holders) <= places:
            continue
        cut_total = holders[places]["total"]
        keepers = [branch for branch in holders[:places] if branch["total"] != cut_total]
        for branch in holders[len(keepers) :]:
            branch["grade_index"] = index + 1
    for branch in ranked:
        branch["grade"] = rubric.grades[branch["grade_index"]].name
    return ranked


# -- schema 2 ----------------------------------------------------------------------
#
# Written from rubric-format-2.md alone, row by row and clause by clause, in exact
# fractions; the schema 1 functions above are reused where schema 2 keeps schema 1.


class QuotaConflict(Exception):
    """The run cannot satisfy a lower quota together with the upper quotas."""


class BadCell(Exception):
    """A direct value out of bounds, or a group where not exactly one alternative applies."""

    def __init__(self, cells: list[tuple[str, str]]) -> None:
        super().__init__(cells)
        #: (branch id, item id or group) of every bad cell
        self.cells = cells


def _literal(rubric: Rubric, row: dict[str, Any], field_id: str) -> tuple[Any, bool]:
    """A cell read literally (a blank number or bool is 0, a blank choice no choice),
    and whether it is a blank under "na" (whatever reads it does not apply)."""
    cell = row.get(field_id)
    if not _blank(cell):
        return cell, False
    if rubric.missing_policy(field_id) == "na":
        return None, True
    return (None if rubric.field(field_id).type == "choice" else 0.0), False


def literal_condition(rubric: Rubric, row: dict[str, Any], cond: Any) -> tuple[bool, bool]:
    """(holds, blank under na) for a clause's or applies_if's condition."""
    cell, na = _literal(rubric, row, cond.field)
    if na:
        return False, True
    if rubric.field(cond.field).type == "choice":
        return any(_holds(cond.op, cell, str(value)) for value in cond.values), False
    number = exact(cell)
    return any(_holds(cond.op, number, Fraction(1 if value is True else 0) if
                      isinstance(value, bool) else exact(float(value)))
               for value in cond.values), False


def clause_cost(rubric: Rubric, clause: Any, row: dict[str, Any]) -> Fraction | None:
    """What one clause costs on one row, after its cap; None where it does not apply
    (its own applies_if fails, or its field is blank under na: its fields are not read)."""
    if clause.applies_if is not None:
        holds, _ = literal_condition(rubric, row, clause.applies_if)
        if not holds:
            return None
    if clause.shape == "fault":
        holds, na = literal_condition(rubric, row, clause.condition)
        if na:
            return None
        cost = exact(clause.points) if holds else Fraction(0)
    elif clause.shape in ("count", "shortfall"):
        cell, na = _literal(rubric, row, clause.field)
        if na:
            return None
        value = exact(cell)
        if clause.shape == "count":
            cost = exact(clause.per) * max(value, Fraction(0))
        else:
            cost = exact(clause.per) * max(exact(clause.below) - value, Fraction(0))
    else:
        read = [_literal(rubric, row, field_id) for field_id in clause.fields]
        values = [cell for cell, na in read if not na]
        if not values:
            return None
        if clause.shape == "list":
            cost = exact(clause.per) * sum(1 for value in values if value != 1)
        else:
            cost = exact(clause.points) if any(value == 1 for value in values) else Fraction(0)
    if clause.cap is not None:
        cost = min(cost, exact(clause.cap))
    return cost


def row_points_2(rubric: Rubric, item: Item,
                 row: dict[str, Any]) -> tuple[Fraction | None, list[Fraction]]:
    """One item's points on one row (rounded; None when n/a) and, for clauses, each
    clause's rounded cost (0 where applies_if fails or the clause does not apply)."""
    top = exact(item.max)
    costs = [Fraction(0)] * len(item.clauses)
    if item.applies_if is not None:
        holds, na = literal_condition(rubric, row, item.applies_if)
        if na:
            return None, costs
        if not holds:
            if item.otherwise == "na":
                return None, costs
            if item.otherwise == "full" and item.kind == "indicator":
                return top, costs
            return Fraction(0), costs
    if item.rule == "clauses":
        found = [clause_cost(rubric, clause, row) for clause in item.clauses]
        if all(cost is None for cost in found):
            return None, costs
        costs = [round_half_up(cost or Fraction(0), rubric.precision) for cost in found]
        spent = sum((cost or Fraction(0) for cost in found), Fraction(0))
        points = top - spent if item.kind == "indicator" else spent
    elif item.rule == "direct":
        cell, na = _literal(rubric, row, item.field)
        if na:
            return None, costs
        points = top - abs(exact(cell)) if item.entry == "lost" else exact(cell)
    else:
        return row_points(rubric, item, row), costs
    points = min(max(points, Fraction(0)), top)
    return round_half_up(points, rubric.precision), costs


def _bad_cells(rubric: Rubric, branch_id: str, row: dict[str, Any]) -> list[tuple[str, str]]:
    bad = []
    for item in rubric.items:
        if item.rule != "direct":
            continue
        if item.applies_if is not None and not literal_condition(rubric, row, item.applies_if)[0]:
            continue
        cell = row.get(item.field)
        if _blank(cell):
            continue
        value = exact(cell)
        out = abs(value) > exact(item.max) if item.entry == "lost" else not (
            0 <= value <= exact(item.max))
        if out:
            bad.append((branch_id, item.id))
    groups: dict[str, list[Item]] = {}
    for item in rubric.indicators:
        if item.group is not None:
            groups.setdefault(item.group, []).append(item)
    for group, members in groups.items():
        applying = sum(1 for item in members
                       if literal_condition(rubric, row, item.applies_if)[0])
        if applying != 1:
            bad.append((branch_id, group))
    return bad


def _disagreeing_alternatives(rubric: Rubric, branch_id: str,
                              branch_rows: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """A group more than one of whose alternatives applies to the branch, each on
    some rater's row: not exactly one applies to the branch."""
    groups: dict[str, list[Item]] = {}
    for item in rubric.indicators:
        if item.group is not None:
            groups.setdefault(item.group, []).append(item)
    bad = []
    for group, members in groups.items():
        applying = {item.id for item in members for row in branch_rows
                    if literal_condition(rubric, row, item.applies_if)[0]}
        if len(applying) > 1:
            bad.append((branch_id, group))
    return bad


def _top_section(rubric: Rubric, section_id: str) -> Any:
    by_id = {section.id: section for section in rubric.sections}
    section = by_id[section_id]
    while section.parent is not None:
        section = by_id[section.parent]
    return section


def _within(rubric: Rubric, item: Item, section_id: str) -> bool:
    by_id = {section.id: section for section in rubric.sections}
    current: str | None = item.section
    while current is not None:
        if current == section_id:
            return True
        current = by_id[current].parent
    return False


def score_rows_2(rubric: Rubric, frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Schema 2: one dict per branch, in order of first appearance, with ``clauses``
    (item id, clause number) -> cost, and the veto outcome."""
    rows = [
        {key: (None if _blank(value) else value) for key, value in record.items()}
        for record in frame.astype(object).to_dict("records")
    ]
    branches: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        branches.setdefault(str(row["branch_id"]), []).append(row)
    bad = [cell for branch_id, branch_rows in branches.items() for row in branch_rows
           for cell in _bad_cells(rubric, branch_id, row)]
    bad += [cell for branch_id, branch_rows in branches.items()
            for cell in _disagreeing_alternatives(rubric, branch_id, branch_rows)]
    if bad:
        raise BadCell(bad)

    results = []
    nothing = []
    for branch_id, branch_rows in branches.items():
        points: dict[str, Fraction | None] = {}
        clauses: dict[tuple[str, int], Fraction] = {}
        for item in rubric.items:
            per_row = [row_points_2(rubric, item, row) for row in branch_rows]
            applicable = [value for value, _ in per_row if value is not None]
            points[item.id] = (
                round_half_up(combine(rubric.raters, rubric.trim, applicable), rubric.precision)
                if applicable else None)
            for number in range(1, len(item.clauses) + 1):
                costs = [costs[number - 1] for value, costs in per_row if value is not None]
                clauses[(item.id, number)] = (
                    round_half_up(combine(rubric.raters, rubric.trim, costs), rubric.precision)
                    if costs else Fraction(0))
        # the slots of the sections: a group's alternatives count once
        slots: dict[str, list[Item]] = {}
        for item in rubric.indicators:
            slots.setdefault(f"group:{item.section}:{item.group}" if item.group else item.id,
                             []).append(item)
        earned = Fraction(0)
        applicable_max = Fraction(0)
        missing_slot = False
        for members in slots.values():
            weight = exact(_top_section(rubric, members[0].section).weight)
            values = [points[item.id] for item in members if points[item.id] is not None]
            if not values:
                missing_slot = True
                continue
            earned += weight * sum(values, Fraction(0))
            applicable_max += weight * exact(members[0].max)
        if all(all(points[item.id] is None for item in members) for members in slots.values()):
            nothing.append(branch_id)
            continue
        if missing_slot:
            base = (round_half_up(exact(rubric.total) * earned / applicable_max, rubric.precision)
                    if applicable_max > 0 else Fraction(0))
        else:
            base = round_half_up(earned, rubric.precision)
        bonus_sum = sum((points[item.id] or Fraction(0) for item in rubric.bonuses), Fraction(0))
        if math.isfinite(rubric.bonus_cap):
            bonus_sum = min(bonus_sum, exact(rubric.bonus_cap))
        bonus = round_half_up(bonus_sum, rubric.precision)
        penalty = round_half_up(
            sum((points[item.id] or Fraction(0) for item in rubric.penalties), Fraction(0)),
            rubric.precision)
        total = round_half_up(max(Fraction(0), base + bonus - penalty), rubric.precision)
        sections = {
            section.id: round_half_up(sum(
                (points[item.id] or Fraction(0) for item in rubric.indicators
                 if _within(rubric, item, section.id)), Fraction(0)), rubric.precision)
            for section in rubric.sections
        }
        vetoes = {
            veto.id: any(condition(rubric, row, veto.field, veto.op, veto.value)
                         for row in branch_rows)
            for veto in rubric.vetoes
        }
        hit = [veto for veto in rubric.vetoes if vetoes[veto.id]]
        excluded = next((veto.label for veto in hit if veto.action == "exclude"), None)
        zeroed = excluded is None and any(veto.action == "zero" for veto in hit)
        cap = max([rubric.grade_index(veto.grade) for veto in hit if veto.action == "cap"],
                  default=0)
        results.append({
            "branch_id": branch_id,
            "branch_name": str(branch_rows[0]["branch_name"]),
            "points": points,
            "clauses": clauses,
            "base": base,
            "bonus": bonus,
            "penalty": penalty,
            "total": Fraction(0) if zeroed else total,
            "sections": sections,
            "vetoes": vetoes,
            "vetoed": ";".join(veto.id for veto in hit),
            "veto_cap": cap,
            "excluded": excluded,
            "rows": branch_rows,
        })
    if nothing:
        raise NothingApplicable(nothing)
    return results


def _places(share: float, count: int, rounding: str) -> int:
    exact_count = exact(share) * count
    if rounding == "nearest":
        return math.floor(exact_count + Fraction(1, 2))
    if rounding == "up":
        return math.ceil(exact_count)
    return math.floor(exact_count)


def rank_and_grade_rows_2(rubric: Rubric,
                          branches: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Schema 2: ranked branches best first, then excluded ones (rank None)."""
    ranked = sorted(
        (branch for branch in branches if branch["excluded"] is None),
        key=lambda branch: (-branch["total"], _natural(branch["branch_id"]), branch["branch_id"]),
    )
    left_out = sorted((branch for branch in branches if branch["excluded"] is not None),
                      key=lambda branch: (_natural(branch["branch_id"]), branch["branch_id"]))
    count = len(ranked)
    for branch in ranked:
        branch["rank"] = 1 + sum(1 for other in ranked if other["total"] > branch["total"])
        if rubric.grades:
            reached = next(index for index, grade in enumerate(rubric.grades)
                           if branch["total"] >= exact(grade.min)
                           or index == len(rubric.grades) - 1)
            branch["grade_index"] = max(reached, branch["veto_cap"])
    if rubric.grades:
        for branch in ranked:
            branch["grade_without_quota"] = rubric.grades[branch["grade_index"]].name

        def upper(grade: Any) -> int | None:
            counts = []
            if grade.max_share is not None:
                counts.append(_places(grade.max_share, count, grade.quota_rounding))
            if grade.max_count is not None:
                counts.append(grade.max_count)
            return min(counts) if counts else None

        for index, grade in enumerate(rubric.grades[:-1]):
            places = upper(grade)
            if places is None:
                continue
            holders = [branch for branch in ranked if branch["grade_index"] == index]
            if len(holders) <= places:
                continue
            cut_total = holders[places]["total"]
            for branch in holders:
                if branch["total"] <= cut_total:
                    branch["grade_index"] = index + 1
        for index, grade in enumerate(rubric.grades):
            counts = []
            if grade.min_share is not None:
                counts.append(_places(grade.min_share, count, grade.quota_rounding))
            if grade.min_count is not None:
                counts.append(grade.min_count)
            if not counts:
                continue
            needed = max(counts)
            if needed > count:
                raise QuotaConflict(grade.name)
            # one branch (and its ties) at a time, as the spec words it
            while sum(1 for branch in ranked if branch["grade_index"] >= index) < needed:
                lowest = [branch for branch in ranked if branch["grade_index"] < index][-1]
                for branch in ranked:
                    if branch["grade_index"] < index and branch["total"] == lowest["total"]:
                        branch["grade_index"] = index
            places = upper(grade)
            holding = sum(1 for branch in ranked if branch["grade_index"] == index)
            if places is not None and holding > places:
                raise QuotaConflict(grade.name)
        for branch in ranked:
            branch["grade"] = rubric.grades[branch["grade_index"]].name
    else:
        for branch in ranked:
            branch["grade"] = branch["grade_without_quota"] = ""
    for branch in left_out:
        branch["rank"] = None
        branch["grade"] = branch["grade_without_quota"] = branch["excluded"]
    return [*ranked, *left_out]


def findings_rows_2(rubric: Rubric, ranked: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """(branch id, kind, item id, clause or None, lost or None, problem, rectify) of every
    finding, in ranking then rubric order: a clause that cost points, another item that
    lost at least its problem_min_lost, a veto triggered."""
    found = []
    for branch in ranked:
        for item in (*rubric.indicators, *rubric.penalties):
            points = branch["points"][item.id]
            if item.rule == "clauses":
                for number, clause in enumerate(item.clauses, start=1):
                    cost = branch["clauses"][(item.id, number)]
                    if cost > 0:
                        texts = _clause_texts(rubric, item, clause, branch, cost)
                        found.append((branch["branch_id"], item.kind, item.id, number, cost,
                                      *texts))
                continue
            if points is None:
                continue
            lost = exact(item.max) - points if item.kind == "indicator" else points
            least = item.problem_min_lost
            least = rubric.problem_min_lost if least is None else least
            if lost > 0 and lost >= exact(least):
                found.append((branch["branch_id"], item.kind, item.id, None, lost,
                              *_item_texts(rubric, item, branch, lost)))
        for veto in rubric.vetoes:
            if branch["vetoes"][veto.id]:
                rectify = (veto.rectify or "").replace("{title}", veto.title)
                found.append((branch["branch_id"], "veto", veto.id, None, None, veto.title,
                              rectify))
    return found


# -- the words of a finding (rubric-format-2.md, "Findings" and "Precise readings") --

#: per rubric language: yes, no, the separator of {missing}, and the problem of an item
#: or clause that has none
_WORDS = {
    "zh": ("是", "否", "、", "{title}扣{lost}分"),
    "en": ("yes", "no", ", ", "{title}: {lost} points lost"),
}


def plain(number: Fraction) -> str:
    """A number as the spec writes it in texts: a plain decimal, no trailing zeros
    (every number here is a finite decimal: a cell, or points rounded to precision)."""
    sign = "-" if number < 0 else ""
    number = abs(number)
    whole, rest = divmod(number.numerator, number.denominator)
    digits = ""
    while rest:
        rest *= 10
        digits += str(rest // number.denominator)
        rest %= number.denominator
    return sign + str(whole) + ("." + digits if digits else "")


def _in_rater_order(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Several raters' rows by rater name (the findings' value column's order)."""
    return sorted(rows, key=lambda row: str(row.get("rater") or ""))


def _cell_text(rubric: Rubric, field_id: str, row: dict[str, Any]) -> str:
    """{value} on one row: the choice, 是/否, the number; a blank says nothing."""
    cell = row.get(field_id)
    if _blank(cell):
        return ""
    field = rubric.field(field_id)
    if field.type == "bool":
        yes, no, _, _ = _WORDS[rubric.lang]
        return yes if cell == 1 else no
    if field.type in ("int", "number"):
        return plain(exact(cell))
    return str(cell)


def _read_bools(rubric: Rubric, fields: tuple[str, ...],
                row: dict[str, Any]) -> list[tuple[str, bool]]:
    """The bool fields a list, any or share reads on a row, each with whether it holds:
    a blank is read as false, except under "na", where it is not read."""
    read = []
    for field_id in fields:
        cell = row.get(field_id)
        if _blank(cell) and rubric.missing_policy(field_id) == "na":
            continue
        read.append((field_id, not _blank(cell) and cell == 1))
    return read


def _share_text(rubric: Rubric, fields: tuple[str, ...], row: dict[str, Any]) -> str:
    read = _read_bools(rubric, fields, row)
    return f"{sum(1 for _, holds in read if holds)}/{len(read)}"


def _missing(rubric: Rubric, fields: tuple[str, ...], rows: list[dict[str, Any]]) -> str:
    """{missing}: the labels of the fields some row read as false, in ``fields`` order."""
    false = {field_id for row in rows for field_id, holds in _read_bools(rubric, fields, row)
             if not holds}
    return _WORDS[rubric.lang][2].join(rubric.field(field_id).header for field_id in fields
                                       if field_id in false)


def _fill(template: str, parts: dict[str, str]) -> str:
    return template.format(**parts)


def _spoken(rubric: Rubric, field_id: str, read: list[dict[str, Any]]) -> str:
    """{value} as a problem states it: the rows the item read, each read literally (a
    blank under zero is 0 / 否, under na not read); one row's value; several raters'
    numbers combined as the rubric combines raters, rounded to its precision; their
    words where all agree, else each rater's joined by ";"."""
    field = rubric.field(field_id)
    cells = [cell for cell, na in (_literal(rubric, row, field_id) for row in read) if not na]
    if field.type in ("int", "number"):
        numbers = [exact(cell) for cell in cells]
        if len(numbers) <= 1:
            return plain(numbers[0]) if numbers else ""
        return plain(round_half_up(combine(rubric.raters, rubric.trim, numbers),
                                   rubric.precision))
    words = [_cell_text(rubric, field_id, {field_id: cell}) for cell in cells]
    return words[0] if len(set(words)) == 1 else ";".join(word for word in words if word)


def _spoken_short(rubric: Rubric, clause: Any, read: list[dict[str, Any]]) -> str:
    """{short}: how far below the requirement, stated as :func:`_spoken` states a number."""
    shorts = [max(exact(clause.below) - exact(cell), Fraction(0))
              for cell, na in (_literal(rubric, row, clause.field) for row in read) if not na]
    if len(shorts) <= 1:
        return plain(shorts[0]) if shorts else ""
    return plain(round_half_up(combine(rubric.raters, rubric.trim, shorts), rubric.precision))


def _clause_texts(rubric: Rubric, item: Item, clause: Any, branch: dict[str, Any],
                  cost: Fraction) -> tuple[str, str]:
    """A clause finding's problem and rectify, from the branch's rows in rater order."""
    rows = _in_rater_order(branch["rows"])
    # the rows its clause counted: where the item and the clause apply, its fields are read
    read = [row for row in rows
            if (item.applies_if is None or literal_condition(rubric, row, item.applies_if)[0])
            and (clause.applies_if is None
                 or literal_condition(rubric, row, clause.applies_if)[0])]
    short = ""
    missing = ""
    if clause.shape in ("list", "any"):
        value = ";".join(_share_text(rubric, clause.fields, row) for row in rows)
        missing = _missing(rubric, clause.fields, read)
    else:
        value = _spoken(rubric, clause.field, read)
        if clause.shape == "shortfall":
            short = _spoken_short(rubric, clause, read)
    parts = {"value": value, "short": short, "missing": missing, "lost": plain(cost),
             "title": item.title}
    problem = _fill(clause.problem or _WORDS[rubric.lang][3], parts)
    return problem, _fill(clause.rectify or item.rectify or "", parts)


def _item_texts(rubric: Rubric, item: Item, branch: dict[str, Any],
                lost: Fraction) -> tuple[str, str]:
    """Another item's problem and rectify: its value (a share's true/read), what a share
    found false, what it lost."""
    rows = _in_rater_order(branch["rows"])
    read = [row for row in rows
            if item.applies_if is None or literal_condition(rubric, row, item.applies_if)[0]]
    missing = ""
    if item.rule == "share":
        value = ";".join(_share_text(rubric, item.fields, row) for row in rows)
        missing = _missing(rubric, item.fields, read)
    else:
        assert item.field is not None
        value = _spoken(rubric, item.field, read)
    parts = {"value": value, "short": "", "missing": missing, "lost": plain(lost),
             "title": item.title}
    return (_fill(item.problem or _WORDS[rubric.lang][3], parts),
            _fill(item.rectify or "", parts))
