"""Rounding points the way a person with a calculator would.

Rubrics say "2.675 points"; people expect 2.68, as decimal arithmetic gives.
Binary floats store 2.675 as 2.67499999999999982236431605997495353221893310546875,
so ``round()`` and ``np.round`` give 2.67. We scale by ``10**precision``, round
the scaled value to a few decimals to wash out the binary noise left by the
arithmetic, and only then round half away from zero.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import TypeVar

import numpy as np
import pandas as pd

ArrayOrSeries = TypeVar("ArrayOrSeries", np.ndarray, pd.Series)

#: Decimals kept when washing out binary noise from a scaled value: far more
#: than any rubric's arithmetic produces, far fewer than float64's ~15 digits.
_NOISE_DECIMALS = 6


def round_points(values: ArrayOrSeries, precision: int) -> ArrayOrSeries:
    """Round half away from zero to ``precision`` decimals, as decimal arithmetic would.

    NaN stays NaN and a rounded zero is never negative. A Series keeps its index
    and name.
    """
    if isinstance(values, pd.Series):
        rounded = _round_array(values.to_numpy(dtype=np.float64), precision)
        return pd.Series(rounded, index=values.index, name=values.name)
    return _round_array(np.asarray(values, dtype=np.float64), precision)


def _round_array(values: np.ndarray, precision: int) -> np.ndarray:
    factor = 10.0**precision
    scaled = np.round(values * factor, _NOISE_DECIMALS)
    magnitude = np.floor(np.abs(scaled) + 0.5)
    # + 0.0 turns -0.0 into 0.0, so that outputs never show "-0.00"
    return np.copysign(magnitude, scaled) / factor + 0.0


def decimal_of(value: float, precision: int) -> Decimal:
    """One float as the decimal an output shows: its shortest decimal form (the
    digits a person typed), rounded half away from zero to ``precision`` places.

    Exact where :func:`round_points` is fast: outputs format each distinct value
    once, so they can afford it.
    """
    quantum = Decimal(1).scaleb(-precision)
    # + 0 turns -0.00 into 0.00
    return Decimal(repr(float(value))).quantize(quantum, rounding=ROUND_HALF_UP) + 0
