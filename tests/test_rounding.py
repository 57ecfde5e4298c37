"""Points are rounded half away from zero, as decimal arithmetic would."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from inspect_score.scoring.rounding import round_points


def decimal_round(value: float, precision: int) -> float:
    quantum = Decimal(1).scaleb(-precision)
    return float(Decimal(repr(value)).quantize(quantum, rounding=ROUND_HALF_UP))


def test_halves_round_away_from_zero_whatever_binary_floats_store() -> None:
    """2.675 gives 2.68, -2.675 gives -2.68 and 1.005 gives 1.01, though the floats sit below."""
    values = np.array([2.675, -2.675, 1.005, 0.125, -0.5, 2.5, 0.0])
    expected = [2.68, -2.68, 1.01, 0.13, -0.5, 2.5, 0.0]
    assert expected == round_points(values, 2).tolist()
    assert round_points(values, 0).tolist() == [3.0, -3.0, 1.0, 0.0, -1.0, 3.0, 0.0]


def test_nan_stays_nan_and_zero_is_never_negative() -> None:
    """A not-applicable NaN passes through; -0.001 rounds to 0.0, not -0.0."""
    rounded = round_points(np.array([np.nan, -0.001]), 2)
    assert np.isnan(rounded[0])
    assert repr(float(rounded[1])) == "0.0"


def test_a_series_keeps_its_index_and_name() -> None:
    """Rounding a Series gives a Series aligned with the original."""
    series = pd.Series([1.005, 2.675], index=["a", "b"], name="points")
    expected = pd.Series([1.01, 2.68], index=["a", "b"], name="points")
    pd.testing.assert_series_equal(expected, round_points(series, 2))


@settings(max_examples=500, deadline=None)
@given(
    st.integers(-(10**8), 10**8),
    st.integers(0, 6),
    st.integers(0, 4),
)
def test_agrees_with_decimal_half_up(units: int, decimals: int, precision: int) -> None:
    """For any value written with a few decimals, the result is Decimal's ROUND_HALF_UP."""
    value = float(Decimal(units).scaleb(-decimals))
    expected = decimal_round(value, precision)
    assert expected == round_points(np.array([value]), precision)[0]
