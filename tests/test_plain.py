"""Numbers as authors write them, without NumPy (what ``check`` needs of scoring)."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from inspect_score.scoring.plain import plain_number, quota_places


@given(st.floats(allow_nan=True, allow_infinity=True))
def test_plain_number_reads_as_numpy_positional_text(value: float) -> None:
    """The shortest digits that read back as the same float, never in exponent form:
    exactly what numpy.format_float_positional(trim="-") gave before."""
    assert plain_number(value) == str(np.format_float_positional(value + 0.0, trim="-"))


def test_plain_number_as_a_rubric_reads() -> None:
    """12.0 is 12, -0.0 is 0, a tiny share keeps its zeros."""
    assert [plain_number(v) for v in (12.0, -0.0, 0.25, 1e-05, 1e20)] == [
        "12", "0", "0.25", "0.00001", "100000000000000000000"]


@given(st.integers(min_value=1, max_value=100), st.integers(min_value=0, max_value=10_000))
def test_quota_places_count_in_decimal(percent: int, branches: int) -> None:
    """floor(share × branches) with the share as written: 0.29 of 100 is 29, not 28."""
    assert quota_places(percent / 100, branches) == percent * branches // 100
