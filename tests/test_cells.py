"""Cell parsing: every accepted spelling of a value, and what is refused."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from inspect_score.checklists.cells import cell_text, expected, is_percent_field, parse_column
from inspect_score.rubric.model import Field

INT = Field(id="n", type="int", min=0, max=200)
NUMBER = Field(id="x", type="number", min=0, max=100)
UNBOUNDED = Field(id="u", type="number")
BOOL = Field(id="ok", type="bool")
CHOICE = Field(id="files", type="choice", choices=("齐全", "基本齐全", "不齐全"))
TEXT = Field(id="remarks", type="text")

FULL_WIDTH = str.maketrans("0123456789.,%-+", "０１２３４５６７８９．，％－＋")


def parse_one(field: Field, raw: object, dtype: object = object) -> tuple[object, str]:
    """Parse a one-cell column; give the value and its state."""
    parsed = parse_column(pd.Series([raw], dtype=dtype), field)
    value = parsed.values[0]
    if parsed.blank[0]:
        return None, "blank"
    if parsed.invalid[0]:
        return None, "not-whole" if parsed.not_whole[0] else "invalid"
    if parsed.out_of_range[0]:
        return value, "out-of-range"
    return value, "ok"


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("true", 1.0), ("FALSE", 0.0), ("1", 1.0), ("0", 0.0), ("Yes", 1.0), ("no", 0.0),
        ("Y", 1.0), ("n", 0.0), ("是", 1.0), ("否", 0.0), ("有", 1.0), ("无", 0.0),
        ("√", 1.0), ("×", 0.0), ("✓", 1.0), ("✗", 0.0), (" 是 ", 1.0), ("ＹＥＳ", 1.0),
        ("１", 1.0), (True, 1.0), (False, 0.0), (1.0, 1.0), (0, 0.0),
    ],
)
def test_bool_spellings(raw: object, value: float) -> None:
    """Every spelling of yes and no the spec lists reads as 1.0 or 0.0, in any case."""
    assert (value, "ok") == parse_one(BOOL, raw)


@pytest.mark.parametrize("raw", ["maybe", "2", "对", "t", "yes!", 0.5])
def test_bool_refuses_other_words(raw: object) -> None:
    """Anything that is not a yes/no spelling is invalid, not silently false."""
    assert parse_one(BOOL, raw) == (None, "invalid")


@pytest.mark.parametrize(
    ("field", "raw", "value"),
    [
        (INT, "12", 12.0), (INT, " 12 ", 12.0), (INT, "１２", 12.0), (INT, "12.0", 12.0),
        (INT, "１２．０", 12.0), (INT, "+7", 7.0), (INT, 12.0, 12.0), (INT, 12, 12.0),
        (UNBOUNDED, "1,234", 1234.0), (UNBOUNDED, "1，234，567", 1234567.0),
        (UNBOUNDED, "-1,234.5", -1234.5), (NUMBER, "85%", 85.0), (NUMBER, "85 %", 85.0),
        (NUMBER, "８５％", 85.0), (NUMBER, "87.5", 87.5), (NUMBER, ".5", 0.5),
        (NUMBER, "　９０　", 90.0),
    ],
)
def test_number_spellings(field: Field, raw: object, value: float) -> None:
    """Full-width digits, grouped thousands, spaces and (for numbers) a % all read."""
    assert (value, "ok") == parse_one(field, raw)


@pytest.mark.parametrize(
    ("field", "raw", "state"),
    [
        (INT, "12.5", "not-whole"), (INT, "１２．５", "not-whole"), (INT, 12.5, "not-whole"),
        (INT, "85%", "invalid"), (INT, "twelve", "invalid"), (INT, "1,23", "invalid"),
        (INT, "12,34,567", "invalid"), (INT, "nan", "invalid"), (INT, "inf", "invalid"),
        (INT, True, "invalid"), (NUMBER, "85%%", "invalid"), (NUMBER, "约90", "invalid"),
        (INT, "201", "out-of-range"), (INT, "-1", "out-of-range"),
        (NUMBER, "100.5%", "out-of-range"), (INT, "", "blank"), (INT, "   ", "blank"),
        (INT, None, "blank"), (NUMBER, float("nan"), "blank"), (UNBOUNDED, "-1e400", "invalid"),
        (UNBOUNDED, "1e400", "invalid"), (INT, "-2", "out-of-range"),
    ],
)
def test_number_refusals(field: Field, raw: object, state: str) -> None:
    """Fractions in int cells, % in int cells, words and out-of-bounds values are caught."""
    assert state == parse_one(field, raw)[1]


@pytest.mark.parametrize(
    ("raw", "value", "state"),
    [("齐全", "齐全", "ok"), (" 基本齐全 ", "基本齐全", "ok"), ("全", None, "invalid"),
     ("齐 全", None, "invalid"), ("", None, "blank")],
)
def test_choice_cells(raw: str, value: object, state: str) -> None:
    """A choice is exactly one of the choices once surrounding spaces are gone."""
    got, got_state = parse_one(CHOICE, raw)
    assert (value, state) == (None if got_state != "ok" else got, got_state)


def test_choice_column_is_categorical_with_the_fields_choices() -> None:
    """The parsed choice column keeps the rubric's choices as its categories, in order."""
    parsed = parse_column(pd.Series(["不齐全", "齐全", None], dtype=object), CHOICE)
    assert list(parsed.values.categories) == ["齐全", "基本齐全", "不齐全"]
    assert list(parsed.values[:2]) == ["不齐全", "齐全"]
    assert pd.isna(parsed.values[2])


def test_text_keeps_text_and_blanks_are_nan() -> None:
    """Text is kept as written without surrounding spaces; a blank becomes NaN."""
    parsed = parse_column(pd.Series([" 已整改 ", "", 12.0], dtype=object), TEXT)
    assert list(parsed.values[[0, 2]]) == ["已整改", "12"]
    assert parsed.blank.tolist() == [False, True, False]


def test_columns_pandas_already_typed_are_used_as_they_are() -> None:
    """Int, float and bool columns from pandas' own inference parse like their text."""
    ints = parse_column(pd.Series([3, 250], dtype=np.int64), INT)
    floats = parse_column(pd.Series([3.0, np.nan, 2.5]), INT)
    bools = parse_column(pd.Series([True, False]), BOOL)
    assert ints.values.tolist() == [3.0, 250.0]
    assert ints.out_of_range.tolist() == [False, True]
    assert floats.blank.tolist() == [False, True, False]
    assert floats.not_whole.tolist() == [False, False, True]
    assert bools.values.tolist() == [1.0, 0.0]


def test_string_columns_take_the_slow_path_only_where_needed() -> None:
    """A str column mixing plain and full-width numbers parses every cell right."""
    raw = pd.Series(["1", "２", "3,000", "", "x"], dtype="str")
    parsed = parse_column(raw, UNBOUNDED)
    assert parsed.values[:3].tolist() == [1.0, 2.0, 3000.0]
    assert parsed.blank.tolist() == [False, False, False, True, False]
    assert parsed.invalid.tolist() == [False, False, False, False, True]


@pytest.mark.parametrize(
    ("raw", "text"),
    [(1.0, "1"), (12.5, "12.5"), (True, "TRUE"), (" SQ01 ", "SQ01"), (None, ""),
     (float("nan"), ""), (7, "7")],
)
def test_cell_text_shows_cells_as_a_person_reads_them(raw: object, text: str) -> None:
    """An Excel number 1 is the text "1", never "1.0"; blanks are empty."""
    assert text == cell_text(raw)


def test_expected_describes_type_and_bounds() -> None:
    """Messages say what a cell must hold, with the field's bounds."""
    assert expected(INT) == "an int from 0 to 200"
    assert expected(UNBOUNDED) == "a number"
    assert expected(CHOICE) == "one of 齐全, 基本齐全, 不齐全"


def _written_int(value: int, full_width: bool, grouped: bool, pad: str, point: bool) -> str:
    text = f"{value:,}" if grouped else str(value)
    if point:
        text += ".0"
    if full_width:
        text = text.translate(FULL_WIDTH)
    return pad + text + pad


@settings(max_examples=200, deadline=None)
@given(
    value=st.integers(min_value=-10**9, max_value=10**9),
    full_width=st.booleans(), grouped=st.booleans(), point=st.booleans(),
    pad=st.sampled_from(["", " ", "  ", "\u3000"]),
)
def test_any_written_int_parses_back(
    value: int, full_width: bool, grouped: bool, pad: str, point: bool
) -> None:
    """An int in any accepted form (full-width, separators, spaces, .0) reads back exactly."""
    raw = _written_int(value, full_width, grouped, pad, point)
    field = Field(id="n", type="int")
    assert (float(value), "ok") == parse_one(field, raw, dtype="str")
    assert (float(value), "ok") == parse_one(field, raw)


@settings(max_examples=200, deadline=None)
@given(
    value=st.decimals(min_value=-10**6, max_value=10**6, places=2, allow_nan=False),
    full_width=st.booleans(), percent=st.booleans(), pad=st.sampled_from(["", " "]),
)
def test_any_written_number_parses_back(
    value: object, full_width: bool, percent: bool, pad: str
) -> None:
    """A number written with full-width digits, a % or spaces reads back to its value."""
    text = f"{value:f}" + ("%" if percent else "")
    if full_width:
        text = text.translate(FULL_WIDTH)
    parsed, state = parse_one(UNBOUNDED, pad + text + pad, dtype="str")
    assert state == "ok"
    assert isinstance(parsed, float)
    assert math.isclose(float(str(value)), parsed, rel_tol=0, abs_tol=1e-9)


@settings(max_examples=100, deadline=None)
@given(
    word=st.sampled_from(["true", "false", "yes", "no", "y", "n", "1", "0"]),
    upper=st.lists(st.booleans(), min_size=5, max_size=5),
    pad=st.sampled_from(["", " "]),
)
def test_any_cased_bool_word_parses_back(word: str, upper: list[bool], pad: str) -> None:
    """English yes/no words read the same in any mix of upper and lower case."""
    cased = "".join(c.upper() if up else c for c, up in zip(word, upper, strict=False))
    truth = 1.0 if word in ("true", "yes", "y", "1") else 0.0
    assert (truth, "ok") == parse_one(BOOL, pad + cased + pad, dtype="str")


@pytest.mark.parametrize(("label", "maximum", "percent"), [
    ("居民满意率(%)", 100, True), ("满意度（%）", 100, True), ("满意度（％）", 100, True),
    ("报到率%", 100, True), ("党员参学率", 100, True), ("完成百分比", 100, True),
    ("满意度(%)", 1, False), ("党员参学率", 1, False), ("党员参学率", None, False),
    ("满意度", 100, False), ("党员评议得分", 100, False),
])
def test_a_percent_field_says_so_in_its_label_and_counts_to_100(
        label: str, maximum: float | None, percent: bool) -> None:
    """A number field is a percentage when its label ends with (%), （%） or %, or names a
    rate (率) or a 百分比, and its max is 100; an int field never is (a fraction there is
    refused as not whole)."""
    field = Field(id="x", type="number", label=label, min=0, max=maximum)
    assert is_percent_field(field) is percent
    assert not is_percent_field(Field(id="n", type="int", label=label, max=maximum))
