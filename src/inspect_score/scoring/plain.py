"""Numbers as a rubric's author writes them, and the rubric's quotas and slots,
without an array library.

``check`` reads rubrics and nothing else: what it needs of scoring lives here,
so that it starts without importing NumPy or pandas.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

from inspect_score.rubric.model import Grade, QuotaRounding, Rubric
from inspect_score.rubric.model import indicator_slots as indicator_slots  # where it lived first


def quota_places(share: float, branch_count: int, rounding: QuotaRounding = "down") -> int:
    """share * branches as a count, computed in decimal so that 0.29 * 100 is 29, not 28;
    rounded down (schema 1), to the nearest (half up: "10%左右") or up."""
    exact = Decimal(repr(share)) * branch_count
    if rounding == "nearest":
        return int(exact.to_integral_value(rounding=ROUND_HALF_UP))
    if rounding == "up":
        return math.ceil(exact)
    return math.floor(exact)


def plain_number(value: float) -> str:
    """12.0 -> "12", 0.1 -> "0.1", 1e-05 -> "0.00001": the shortest digits that read
    back as the same float, never in exponent form."""
    value = float(value) + 0.0  # -0.0 reads as 0
    if not math.isfinite(value):
        return repr(value)
    return plain_decimal(Decimal(repr(value)))


def plain_decimal(value: Decimal) -> str:
    """A decimal as :func:`plain_number` writes it: Decimal("2.10") -> "2.1"."""
    text = format(value + 0, "f")  # + 0: -0 reads as 0
    return text.rstrip("0").rstrip(".") if "." in text else text


def upper_places(grade: Grade, branch_count: int) -> int | None:
    """How many branches may hold the grade at most (None: no upper quota)."""
    counts = []
    if grade.max_share is not None:
        counts.append(quota_places(grade.max_share, branch_count, grade.quota_rounding))
    if grade.max_count is not None:
        counts.append(grade.max_count)
    return min(counts) if counts else None


def lower_places(grade: Grade, branch_count: int) -> int | None:
    """How many branches must hold the grade or a worse one (None: no lower quota)."""
    counts = []
    if grade.min_share is not None:
        counts.append(quota_places(grade.min_share, branch_count, grade.quota_rounding))
    if grade.min_count is not None:
        counts.append(grade.min_count)
    return max(counts) if counts else None


def top_weights(rubric: Rubric) -> dict[str, float]:
    """Each section's weight toward the total: its top-level section's."""
    weights: dict[str, float] = {}
    for section in rubric.sections:  # parents come before their children
        weights[section.id] = weights[section.parent] if section.parent else section.weight
    return weights
