"""Semantic lint: rubrics that load but do not mean what their authors think.

A rubric can follow the format and still contain a grade no branch can
reach, a band every branch reaches, an item whose points can never change
given its field's bounds, a quota that gives no place at all to a small
sub-district, or a bonus worth more than the bonus cap. Each is reported as a
warning :class:`Issue` with a stable code, the rubric line and key path; none
stops a run. Codes:

- ``unreachable-grade``: no branch can reach the grade's min with the points
  its items can actually give (the loader already warns, with the same code,
  where the min is above ``total + bonus_cap``; that case is not repeated);
- ``bonus-only-grade``: only bonus points can reach the grade's min;
- ``grade-always-reached``: every branch reaches a grade that is not the last;
- ``constant-points``: an item gives every branch the same points;
- ``quota-rounds-to-zero``: a quota gives no place to a sub-district of
  :data:`SMALL_RUN` branches;
- ``bonus-above-cap``: a bonus's max is more than ``bonus_cap``.

The loader's own warnings (``veto-no-effect`` for a veto capping at the best
grade, ``unused-field``, ...) come with them through :func:`check_rubric_file`.

The bounds used here are what the rubric itself promises: a field's ``min``
and ``max`` (unbounded where absent), its choices, its missing policy (a
blank under ``zero`` counts as 0 and fails every condition), and each rule's
parameters.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from decimal import Decimal

from inspect_score.errors import Issue, errors_only
from inspect_score.rubric.loader import analyse_rubric_file
from inspect_score.rubric.model import Field, Item, Rubric
from inspect_score.scoring.grading import quota_places
from inspect_score.scoring.labels import plain_number

#: A quota that gives no place to a sub-district of this many branches is reported.
SMALL_RUN = 10

_INF = math.inf


def lint_rubric(rubric: Rubric) -> list[Issue]:
    """Every semantic warning about the rubric, in rubric order of the checks.

    Schema 2 rubrics get the quota and bonus checks only: the reach of grades
    and constant items are not yet worked out for clauses, alternatives and
    weighted sections, and a wrong warning is worse than none.
    """
    issues = []
    if rubric.schema == 1:
        issues += _constant_items(rubric)
        issues += _grade_reach(rubric)
    issues += _quotas(rubric)
    issues += _bonuses(rubric)
    return issues


def check_rubric_file(path: str | os.PathLike[str]) -> list[Issue]:
    """Everything ``inspect-score check`` reports about one rubric file.

    The loader's errors and warnings, and, where the rubric loads, the lint's warnings.
    """
    issues, rubric = analyse_rubric_file(path)
    if rubric is None or errors_only(issues):
        return issues
    return [*issues, *lint_rubric(rubric)]


def _warning(rubric: Rubric, code: str, message: str, key: str, line: int) -> Issue:
    return Issue(code, message, path=rubric.source, row=line or None, key=key,
                 severity="warning")


def _key(item: Item, rubric: Rubric) -> str:
    group = {"indicator": rubric.indicators, "bonus": rubric.bonuses,
             "penalty": rubric.penalties}[item.kind]
    return f"{item.kind}[{group.index(item) + 1}]"


# Ranges of values and points ---------------------------------------------------------------


def _bounds(field: Field) -> tuple[float, float]:
    low = field.min if field.min is not None else -_INF
    high = field.max if field.max is not None else _INF
    return low, high


def _zero_blank(rubric: Rubric, field_id: str) -> bool:
    return rubric.missing_policy(field_id) == "zero"


def _condition_outcomes(rubric: Rubric, field_id: str, op: str,
                        value: float | bool | str) -> tuple[bool, bool]:
    """Whether ``field op value`` can hold, and whether it can fail, given the field."""
    field = rubric.field(field_id)
    if field.type == "bool":
        can_hold, can_fail = True, True
    elif field.type in ("choice", "text"):
        # choices and text compare for (in)equality only
        options = set(field.choices) if field.type == "choice" else None
        if options is None:
            can_hold, can_fail = True, True
        elif op == "==":
            can_hold, can_fail = str(value) in options, options != {str(value)}
        else:
            can_hold, can_fail = options != {str(value)}, str(value) in options
    else:
        can_hold, can_fail = _numeric_outcomes(field, op, float(value))
    # a blank under "zero" makes every condition fail
    return can_hold, can_fail or _zero_blank(rubric, field_id)


def _numeric_outcomes(field: Field, op: str, value: float) -> tuple[bool, bool]:
    low, high = _bounds(field)
    whole = field.type == "int"
    inside = low <= value <= high and (not whole or float(value).is_integer())
    only = low == high == value
    outcomes = {
        ">=": (high >= value, low < value),
        ">": (high > value, low <= value),
        "<=": (low <= value, high > value),
        "<": (low < value, high >= value),
        "==": (inside, not only),
        "!=": (not only, inside),
    }
    return outcomes[op]


def _monotone_range(field: Field, zero_blank: bool,
                    points: Callable[[float], float]) -> tuple[float, float]:
    """Range of a rule's points that move one way with the value (scale, deduct, count).

    ``points`` turns one value into points clipped to 0..max; the extremes
    are at the field's bounds, or at 0 for a blank under ``zero``.
    """
    low, high = _bounds(field)
    candidates = [points(low), points(high)]
    if zero_blank:
        candidates.append(points(0.0))
    return min(candidates), max(candidates)


def _clip(value: float, item: Item) -> float:
    return min(max(value, 0.0), item.max)


def point_range(rubric: Rubric, item: Item) -> tuple[float, float]:
    """The least and most points the item can give a branch it applies to."""
    if item.rule == "check":
        assert item.field is not None
        can_hold, can_fail = _condition_outcomes(rubric, item.field, item.op, item.value)
        return (0.0 if can_fail else item.max), (item.max if can_hold else 0.0)
    if item.rule == "share" or (item.rule == "scale" and item.target_field is not None):
        return 0.0, item.max
    if item.rule == "choice":
        assert item.field is not None
        values = [points for _, points in item.points]
        if _zero_blank(rubric, item.field):
            values.append(0.0)
        return min(values), max(values)
    assert item.field is not None
    field = rubric.field(item.field)
    zero_blank = _zero_blank(rubric, item.field)
    if item.rule == "steps":
        return _steps_range(item, field, zero_blank)
    if item.rule == "scale":
        target = item.target if item.target is not None else 0.0
        if target <= 0:
            return item.max, item.max
        return _monotone_range(field, zero_blank,
                               lambda v: _clip(item.max * min(v / target, 1.0), item))
    if item.rule == "deduct":
        return _monotone_range(field, zero_blank,
                               lambda v: _clip(item.max - item.per * v, item))
    return _monotone_range(field, zero_blank, lambda v: _clip(item.per * v, item))


def _steps_range(item: Item, field: Field, zero_blank: bool) -> tuple[float, float]:
    low, high = _bounds(field)
    thresholds = [threshold for threshold, _ in item.steps] + [_INF]
    levels = [(-_INF, thresholds[0], 0.0)] + [
        (thresholds[index], thresholds[index + 1], points)
        for index, (_, points) in enumerate(item.steps)
    ]
    reachable = [points for start, end, points in levels if start <= high and end > low]
    if zero_blank:
        reachable += [points for start, end, points in levels if start <= 0.0 < end]
    return min(reachable), max(reachable)


def _may_be_na(rubric: Rubric, item: Item) -> bool:
    return any(rubric.missing_policy(field_id) == "na" for field_id in item.input_fields)


# The checks --------------------------------------------------------------------------------


def _constant_items(rubric: Rubric) -> list[Issue]:
    issues = []
    for item in rubric.items:
        low, high = point_range(rubric, item)
        if low == high:
            issues.append(_warning(
                rubric, "constant-points",
                f"{item.title}: every branch gets {plain_number(low)} points here whatever it "
                "submits (the condition or rule cannot turn out otherwise within the field's "
                "bounds and choices); it cannot tell branches apart",
                _key(item, rubric), item.line,
            ))
    return issues


def total_range(rubric: Rubric) -> tuple[float, float, float]:
    """The least total, the most total without bonus, and the most total with bonus."""
    ranges = [point_range(rubric, item) for item in rubric.indicators]
    least = sum(low for low, _ in ranges)
    most = sum(high for _, high in ranges)
    if any(_may_be_na(rubric, item) for item in rubric.indicators):
        # rescaling over the applicable items can lift or sink the base to an item's own share
        shares = [(low / item.max, high / item.max)
                  for (low, high), item in zip(ranges, rubric.indicators, strict=True)]
        least = min(least, rubric.total * min(low for low, _ in shares))
        most = max(most, rubric.total * max(high for _, high in shares))
    bonus_low = sum(point_range(rubric, item)[0] for item in rubric.bonuses)
    bonus_high = sum(point_range(rubric, item)[1] for item in rubric.bonuses)
    penalty_low = sum(point_range(rubric, item)[0] for item in rubric.penalties)
    penalty_high = sum(point_range(rubric, item)[1] for item in rubric.penalties)
    least_total = max(0.0, least + min(bonus_low, rubric.bonus_cap) - penalty_high)
    most_base = max(0.0, most - penalty_low)
    most_total = max(0.0, most + min(bonus_high, rubric.bonus_cap) - penalty_low)
    return least_total, most_base, most_total


def _grade_reach(rubric: Rubric) -> list[Issue]:
    least, most_base, most = total_range(rubric)
    issues = []
    for index, grade in enumerate(rubric.grades):
        key = f"grade[{index + 1}].min"
        if grade.min > rubric.total + rubric.bonus_cap:
            continue  # the loader warns about this one already
        if grade.min > most:
            issues.append(_warning(
                rubric, "unreachable-grade",
                f"no branch can reach {grade.name}: it needs {plain_number(grade.min)}, "
                f"and the most a branch can score is {plain_number(most)}",
                key, grade.line,
            ))
        elif grade.min > most_base:
            issues.append(_warning(
                rubric, "bonus-only-grade",
                f"{grade.name} needs {plain_number(grade.min)}, which only bonus points can "
                f"reach: the most a branch can score without bonus is {plain_number(most_base)}",
                key, grade.line,
            ))
        elif index < len(rubric.grades) - 1 and grade.min <= least:
            issues.append(_warning(
                rubric, "grade-always-reached",
                f"every branch reaches {grade.name} (min {plain_number(grade.min)}): the least "
                f"a branch can score is {plain_number(least)}, so only vetoes and quotas can "
                "give a lower grade",
                key, grade.line,
            ))
    return issues


def smallest_run_with_place(share: float) -> int:
    """The fewest branches for which the quota gives at least one place."""
    count = max(1, math.ceil(Decimal(1) / Decimal(repr(share))))
    while quota_places(share, count) < 1:
        count += 1
    return count


def _quotas(rubric: Rubric) -> list[Issue]:
    issues = []
    for index, grade in enumerate(rubric.grades):
        if grade.max_share is None or quota_places(grade.max_share, SMALL_RUN) > 0:
            continue
        fewest = smallest_run_with_place(grade.max_share)
        issues.append(_warning(
            rubric, "quota-rounds-to-zero",
            f"max_share {plain_number(grade.max_share)} gives {grade.name} to "
            f"floor({plain_number(grade.max_share)} × branches) branches: none at all in a "
            f"sub-district of fewer than {fewest} branches",
            f"grade[{index + 1}].max_share", grade.line,
        ))
    return issues


def _bonuses(rubric: Rubric) -> list[Issue]:
    return [
        _warning(
            rubric, "bonus-above-cap",
            f"{item.title}: max {plain_number(item.max)} is more than bonus_cap "
            f"{plain_number(rubric.bonus_cap)}; no branch can ever be credited the rest",
            f"{_key(item, rubric)}.max", item.line,
        )
        for item in rubric.bonuses
        if item.max > rubric.bonus_cap
    ]

