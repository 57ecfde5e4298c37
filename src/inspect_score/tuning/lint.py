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
- ``bonus-above-cap``: a bonus's max is more than ``bonus_cap``;
- ``clause-never-costs`` (schema 2): a clause that can cost nothing whatever a
  branch submits (its condition cannot hold, its shortfall cannot happen, its
  count cannot be above 0, given the field's bounds);
- ``clauses-below-max`` (schema 2): the most an item's clauses can cost
  together is below its max, and a clause's ``cap`` is what holds them there:
  the item can never reach 0, though its author bounded the clauses as for
  "扣完为止";
- ``quotas-cannot-hold`` (schema 2): for some run of at most
  :data:`QUOTA_RUNS` branches, a lower quota (``min_share``/``min_count``)
  needs more branches than are ranked, or more than the grade's own upper
  quota lets in when every branch scores above it: such a run is refused.

Schema 2 rubrics get every check: an item's range of points follows its
clauses (each clause's least and most cost), ``applies_if`` with its
``otherwise``, ``direct`` entry (0 to max), alternatives (one slot, the widest
range of its members) and the sections' weights. The ranges are bounds: a
clause is taken to cost its most and its least independently of the others,
so a warning is given only where the bounds make it certain.

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

import attrs

from inspect_score.errors import Issue, errors_only
from inspect_score.messages import msg
from inspect_score.rubric.loader import analyse_rubric_file
from inspect_score.rubric.model import Clause, Condition, Field, Item, QuotaRounding, Rubric
from inspect_score.scoring.plain import (
    indicator_slots,
    lower_places,
    plain_number,
    quota_places,
    top_weights,
    upper_places,
)

#: A quota that gives no place to a sub-district of this many branches is reported.
SMALL_RUN = 10
#: Lower and upper quotas are checked against every run of 1 to this many branches.
QUOTA_RUNS = 30

_INF = math.inf


def lint_rubric(rubric: Rubric) -> list[Issue]:
    """Every semantic warning about the rubric, in rubric order of the checks.

    Schema 2 rubrics also get the clause and lower-quota checks.
    """
    issues = []
    issues += _constant_items(rubric)
    issues += _grade_reach(rubric)
    issues += _quotas(rubric)
    issues += _bonuses(rubric)
    if rubric.schema == 2:
        issues += _clauses(rubric)
        issues += _quota_pairs(rubric)
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
    """The least and most points the item can give a branch it applies to (a bound)."""
    low, high = _rule_range(rubric, item)
    # the scorer clips every item's points to 0..max: a step or a choice worth more
    # than the item's max (or less than 0) gives the bound, not its own value
    low, high = min(max(low, 0.0), item.max), min(max(high, 0.0), item.max)
    if item.applies_if is not None:
        can_hold, can_fail = _clause_condition_outcomes(rubric, item.applies_if)
        if not can_hold:
            low, high = _INF, -_INF  # the rule never scores: only ``otherwise`` does
        if can_fail or not can_hold:
            # otherwise: "full" gives an indicator its max, a bonus or penalty nothing
            fallback = {"full": item.max if item.kind == "indicator" else 0.0,
                        "zero": 0.0}.get(item.otherwise)
            if fallback is not None:
                low, high = min(low, fallback), max(high, fallback)
            elif not can_hold:  # "na" everywhere: the item never applies
                low, high = 0.0, item.max
    return low, high


def _rule_range(rubric: Rubric, item: Item) -> tuple[float, float]:
    if item.rule == "direct":
        return 0.0, item.max
    if item.rule == "clauses":
        costs = [clause_cost_range(rubric, clause) for clause in item.clauses]
        least = sum(low for low, _ in costs)
        most = sum(high for _, high in costs)
        if item.kind == "bonus":  # clauses gain, up to the max
            return min(least, item.max), min(most, item.max)
        if item.kind == "penalty":  # clauses add up to the points deducted
            return min(least, item.max), min(most, item.max)
        return max(0.0, item.max - most), max(0.0, item.max - least)
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
    if item.applies_if is not None and item.otherwise == "na":
        return True
    if item.rule == "clauses" and all(clause.applies_if is not None for clause in item.clauses):
        return True  # no clause may apply: the item does not
    return any(rubric.missing_policy(field_id) == "na" for field_id in item.input_fields)


def _clause_condition_outcomes(rubric: Rubric, condition: Condition) -> tuple[bool, bool]:
    """Whether a schema 2 condition (any of its values) can hold, and can fail.

    Unlike a schema 1 check, a blank under ``zero`` is read literally (0, false)
    and the condition is evaluated on that; under ``na`` a blank makes the
    clause not apply, which costs nothing (counted as "can fail").
    """
    field = rubric.field(condition.field)
    if field.type == "choice" and condition.op in ("==", "!="):
        options = set(field.choices)
        chosen = {str(value) for value in condition.values}
        hits, misses = bool(options & chosen), bool(options - chosen)
        can_hold, can_fail = (hits, misses) if condition.op == "==" else (misses, hits)
    else:
        outcomes = [_schema_1_outcomes(rubric, condition.field, condition.op, value)
                    for value in condition.values]
        can_hold = any(hold for hold, _ in outcomes)
        can_fail = all(fail for _, fail in outcomes)
    policy = rubric.missing_policy(condition.field)
    if policy == "zero" and field.type in ("bool", "int", "number"):
        literal: float | bool = False if field.type == "bool" else 0.0
        holds = any(_holds(literal, condition.op, value) for value in condition.values)
        can_hold, can_fail = can_hold or holds, can_fail or not holds
    elif policy == "na":
        can_fail = True
    return can_hold, can_fail


def _schema_1_outcomes(rubric: Rubric, field_id: str, op: str,
                       value: float | bool | str) -> tuple[bool, bool]:
    """``_condition_outcomes`` without its schema 1 reading of a blank under ``zero``."""
    field = rubric.field(field_id)
    if field.type in ("int", "number"):
        return _numeric_outcomes(field, op, float(value))
    if field.type == "bool":
        return True, True
    return _condition_outcomes(attrs.evolve(rubric, missing="error", fields=tuple(
        attrs.evolve(f, missing="error") if f.id == field_id else f for f in rubric.fields)),
        field_id, op, value)


def _holds(literal: float | bool, op: str, value: float | bool | str) -> bool:
    if isinstance(value, str):
        return False
    left, right = float(literal), float(value)
    return {">=": left >= right, ">": left > right, "<=": left <= right, "<": left < right,
            "==": left == right, "!=": left != right}[op]


def clause_cost_range(rubric: Rubric, clause: Clause) -> tuple[float, float]:
    """The least and most a clause can cost (or gain, in a bonus), after its cap."""
    cap = clause.cap if clause.cap is not None else _INF
    if clause.shape == "fault":
        assert clause.condition is not None
        can_hold, can_fail = _clause_condition_outcomes(rubric, clause.condition)
        least, most = (0.0 if can_fail else clause.points), (clause.points if can_hold else 0.0)
    elif clause.shape in ("count", "shortfall"):
        assert clause.field is not None
        field = rubric.field(clause.field)
        low, high = _bounds(field)
        values = [low, high]
        if rubric.missing_policy(clause.field) == "zero":
            values.append(0.0)

        def cost(value: float) -> float:
            if clause.shape == "count":
                return clause.per * max(value, 0.0)
            return clause.per * max(clause.below - value, 0.0)

        least, most = min(map(cost, values)), max(map(cost, values))
        if rubric.missing_policy(clause.field) == "na":
            least = 0.0
    elif clause.shape == "list":
        least, most = 0.0, clause.per * len(clause.fields)
    else:  # any
        least, most = 0.0, clause.points
    if clause.applies_if is not None:
        # where its applies_if fails the clause costs nothing; where it cannot hold, never
        can_hold, can_fail = _clause_condition_outcomes(rubric, clause.applies_if)
        if not can_hold:
            least, most = 0.0, 0.0
        elif can_fail:
            least = 0.0
    return min(least, cap), min(most, cap)


# The checks --------------------------------------------------------------------------------


def _constant_items(rubric: Rubric) -> list[Issue]:
    issues = []
    for item in rubric.items:
        low, high = point_range(rubric, item)
        if low == high:
            issues.append(_warning(
                rubric, "constant-points",
                msg("{title}: every branch gets {low} points here whatever it submits (the "
                    "condition or rule cannot turn out otherwise within the field's bounds and "
                    "choices); it cannot tell branches apart",
                    title=item.title, low=plain_number(low)),
                _key(item, rubric), item.line,
            ))
    return issues


def total_range(rubric: Rubric) -> tuple[float, float, float]:
    """The least total, the most total without bonus, and the most total with bonus."""
    weights = top_weights(rubric)
    # alternatives are one slot: the widest range of its members, counted once
    slots = []
    for slot in indicator_slots(rubric):
        ranges = [point_range(rubric, item) for item in slot]
        slots.append((min(low for low, _ in ranges), max(high for _, high in ranges),
                      slot[0].max, weights.get(slot[0].section or "", 1.0)))
    least = sum(weight * low for low, _, _, weight in slots)
    most = sum(weight * high for _, high, _, weight in slots)
    if any(_may_be_na(rubric, item) for item in rubric.indicators):
        # rescaling over the applicable items can lift or sink the base to an item's own share
        least = min(least, rubric.total * min(low / top for low, _, top, _ in slots))
        most = max(most, rubric.total * max(high / top for _, high, top, _ in slots))
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
                msg("no branch can reach {name}: it needs {min}, and the most a branch can score "
                    "is {most}",
                    name=grade.name, min=plain_number(grade.min), most=plain_number(most)),
                key, grade.line,
            ))
        elif grade.min > most_base:
            issues.append(_warning(
                rubric, "bonus-only-grade",
                msg("{name} needs {min}, which only bonus points can reach: the most a branch "
                    "can score without bonus is {most_base}",
                    name=grade.name, min=plain_number(grade.min),
                    most_base=plain_number(most_base)),
                key, grade.line,
            ))
        elif index < len(rubric.grades) - 1 and grade.min <= least:
            issues.append(_warning(
                rubric, "grade-always-reached",
                msg("every branch reaches {name} (min {min}): the least a branch can score is "
                    "{least}, so only vetoes and quotas can give a lower grade",
                    name=grade.name, min=plain_number(grade.min), least=plain_number(least)),
                key, grade.line,
            ))
    return issues


def smallest_run_with_place(share: float, rounding: QuotaRounding = "down") -> int:
    """The fewest branches for which the quota gives at least one place."""
    count = 1 if rounding != "down" else max(1, math.ceil(Decimal(1) / Decimal(repr(share))))
    while quota_places(share, count, rounding) < 1:
        count += 1
    return count


def _quotas(rubric: Rubric) -> list[Issue]:
    issues = []
    for index, grade in enumerate(rubric.grades):
        rounding = grade.quota_rounding
        if grade.max_share is None or quota_places(grade.max_share, SMALL_RUN, rounding) > 0:
            continue
        fewest = smallest_run_with_place(grade.max_share, rounding)
        # schema 1 rounds down; schema 2 says how with quota_rounding
        how = {"down": "floor", "nearest": "round", "up": "ceil"}[rounding]
        issues.append(_warning(
            rubric, "quota-rounds-to-zero",
            msg("max_share {max_share} gives {name} to {how}({max_share} × branches) branches: "
                "none at all in a sub-district of fewer than {fewest} branches",
                max_share=plain_number(grade.max_share), name=grade.name, how=how,
                fewest=fewest),
            f"grade[{index + 1}].max_share", grade.line,
        ))
    return issues


def _bonuses(rubric: Rubric) -> list[Issue]:
    return [
        _warning(
            rubric, "bonus-above-cap",
            msg("{title}: max {max} is more than bonus_cap {bonus_cap}; no branch can ever be "
                "credited the rest",
                title=item.title, max=plain_number(item.max),
                bonus_cap=plain_number(rubric.bonus_cap)),
            f"{_key(item, rubric)}.max", item.line,
        )
        for item in rubric.bonuses
        if item.max > rubric.bonus_cap
    ]



# Schema 2: clauses and lower quotas -------------------------------------------------------


def _clauses(rubric: Rubric) -> list[Issue]:
    issues = []
    for item in rubric.items:
        if item.rule != "clauses":
            continue
        key = _key(item, rubric)
        costs = []
        for number, clause in enumerate(item.clauses, start=1):
            _, high = clause_cost_range(rubric, clause)
            costs.append(high)
            if high <= 0:
                issues.append(_warning(
                    rubric, "clause-never-costs",
                    msg("{title}, clause {number}: it can never cost anything whatever a branch "
                        "submits (its condition cannot hold, or its field's bounds leave nothing "
                        "to count); check its field, 'is', 'op', 'value' or 'below'",
                        title=item.title, number=number),
                    f"{key}.clause[{number}]", clause.line,
                ))
        issues += _below_max(rubric, item, key, costs)
    return issues


def _below_max(rubric: Rubric, item: Item, key: str, costs: list[float]) -> list[Issue]:
    """``clauses-below-max``: the caps keep an item's clauses from ever taking all of it."""
    if item.kind == "bonus":
        return []
    most = sum(costs)
    capped = [number for number, clause in enumerate(item.clauses, start=1)
              if clause.cap is not None and
              clause_cost_range(rubric, attrs.evolve(clause, cap=None))[1] > clause.cap]
    if not capped or most >= item.max or not math.isfinite(most):
        return []
    numbers = ", ".join(map(str, capped))
    return [_warning(
        rubric, "clauses-below-max",
        msg("{title}: its clauses can cost at most {most} of its {max} points together (the cap "
            "of clause {numbers} holds them there), so it never goes below {value}; if the item "
            "is 扣完为止, raise the caps or add the missing clause",
            title=item.title, most=plain_number(most), max=plain_number(item.max),
            numbers=numbers, value=plain_number(item.max - most)),
        key, item.line,
    )]


def _quota_pairs(rubric: Rubric) -> list[Issue]:
    """``quotas-cannot-hold``: a lower quota that some run of 1 to QUOTA_RUNS branches
    cannot meet, or that would push more branches into its grade than the grade's own
    upper quota lets in (when every branch scores above the grade)."""
    issues = []
    for index, grade in enumerate(rubric.grades):
        if lower_places(grade, 1) is None:
            continue
        too_few, too_many = [], []
        for count in range(1, QUOTA_RUNS + 1):
            needed = lower_places(grade, count) or 0
            places = upper_places(grade, count)
            if needed > count:
                too_few.append((count, needed))
            elif places is not None and needed > places:
                too_many.append((count, needed, places))
        reasons = []
        if too_few:
            count, needed = too_few[-1]
            runs = _runs([entry[0] for entry in too_few])
            reasons.append(msg("a run of {runs} branches is refused: {name} or worse needs "
                               "{needed} branches and only {count} are ranked", runs=runs,
                               name=grade.name, needed=needed, count=count))
        if too_many:
            count, needed, places = too_many[0]
            runs = _runs([entry[0] for entry in too_many])
            reasons.append(msg("a run of {runs} branches is refused when every branch scores "
                               "above {name}: {needed} are pushed down into it and it has "
                               "{places} places", runs=runs, name=grade.name, needed=needed,
                               places=places))
        if not reasons:
            continue
        key = "min_count" if grade.min_count is not None else "min_share"
        issues.append(_warning(
            rubric, "quotas-cannot-hold",
            msg("{first}; {second}; lower min_share/min_count or raise the grade's quota",
                first=reasons[0], second=reasons[1]) if len(reasons) == 2 else
            msg("{reason}; lower min_share/min_count or raise the grade's quota",
                reason=reasons[0]),
            f"grade[{index + 1}].{key}", grade.line,
        ))
    return issues


def _runs(counts: list[int]) -> str:
    """Ascending branch counts as ranges: [1, 2, 5] -> "1-2, 5"."""
    ranges: list[list[int]] = []
    for count in counts:
        if ranges and ranges[-1][1] == count - 1:
            ranges[-1][1] = count
        else:
            ranges.append([count, count])
    return ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in ranges)
