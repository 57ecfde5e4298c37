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
