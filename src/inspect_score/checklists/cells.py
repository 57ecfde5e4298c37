"""Turning a column of cells, as branches wrote them, into typed values.

Every parser takes a whole column (a pandas Series of whatever the reader
produced: strings from a CSV, numbers pandas already inferred, typed XLSX or
TOML values) and returns the values with masks of blank, invalid and
out-of-range cells. The common case stays in NumPy: a column pandas read as
numbers is used as it is, a column of strings goes through ``pd.to_numeric``,
and bool and choice columns are factorised so that Python only looks at each
distinct spelling once. Only cells the fast path cannot read reach the slow,
forgiving path (full-width digits, thousands separators, ``85%``).
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from inspect_score.messages import Message, listing, msg
from inspect_score.rubric.model import Field

BoolArray = npt.NDArray[np.bool_]
FloatArray = npt.NDArray[np.float64]

#: Spellings of yes and no, compared after NFKC and case folding.
BOOL_WORDS: dict[str, float] = {
    **dict.fromkeys(("true", "1", "yes", "y", "是", "有", "√", "✓"), 1.0),
    **dict.fromkeys(("false", "0", "no", "n", "否", "无", "×", "✗"), 0.0),
}

# Slow-path codes for a cell: blank, or not readable at all. Infinities, because
# a readable value is always finite, so no real value can be taken for a code.
_BLANK = -math.inf
_INVALID = math.inf
_GROUPED = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?")


@attrs.frozen
class CellError:
    """A spreadsheet cell showing an error (``#N/A``, ``#DIV/0!``, ``#REF!``): a
    formula that failed, never a blank."""

    code: str

    def __str__(self) -> str:
        return self.code


@attrs.frozen
class Uncomputed:
    """A formula saved without its result (a program that does not calculate
    wrote the file): its value is unknown, never a blank."""

    formula: str

    def __str__(self) -> str:
        return f"={self.formula}"


#: Cells that hold no value of any type: an input error in any column.
NOT_A_VALUE = (CellError, Uncomputed)


@attrs.frozen
class ParsedColumn:
    """One column's values and what was wrong with its cells, position by position."""

    #: float64 for int, number and bool; Categorical for choice; object for text
    values: Any
    blank: BoolArray
    #: cells that cannot be read as the field's type
    invalid: BoolArray
    #: int cells holding a number that is not whole (also set in ``invalid``)
    not_whole: BoolArray
    #: readable values outside the field's min/max
    out_of_range: BoolArray


def cell_text(value: object) -> str:
    """A cell as a person reads it, without surrounding spaces; "" for blank.

    XLSX numbers come as floats, so a whole float is shown without ``.0``: an
    id typed as 1 in Excel is "1", never "1.0".
    """
    if value is None or value is pd.NA:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool | np.bool_):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float | np.floating):
        number = float(value)
        if math.isnan(number):
            return ""
        if number.is_integer() and abs(number) < 1e16:
            return str(int(number))
        return repr(number)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value).strip()


def text_values(raw: pd.Series) -> npt.NDArray[np.object_]:
    """Every cell as stripped text ("" for blank), vectorised for string columns."""
    if raw.dtype == object or pd.api.types.is_numeric_dtype(raw.dtype):
        return np.asarray(raw.map(cell_text), dtype=object)
    # Arrow strings: one Python str per distinct text, shared by the rows that
    # hold it (a million remarks of a few kinds are a few strings, not a million)
    codes, uniques = pd.factorize(raw.str.strip().fillna(""))
    return np.asarray(uniques, dtype=object)[codes]


def parse_text(raw: pd.Series) -> ParsedColumn:
    """Text keeps its text (stripped); blank cells become NaN.

    An error cell or a formula without a result is invalid: ``#REF!`` is not a
    remark anyone wrote.
    """
    text = text_values(raw)
    blank = text == ""
    values = text.copy()
    values[blank] = np.nan
    nothing = np.zeros(len(text), dtype=bool)
    invalid = not_a_value(raw)
    return ParsedColumn(values, blank, invalid, nothing, nothing.copy())


def not_a_value(raw: pd.Series) -> BoolArray:
    """Cells that are spreadsheet errors or formulas without a result.

    Only typed cells (an object column, from a workbook) can be: a CSV's
    strings are looked at no further.
    """
    if raw.dtype != object:
        return np.zeros(len(raw), dtype=bool)
    return np.fromiter((isinstance(value, NOT_A_VALUE) for value in raw), dtype=bool,
                       count=len(raw))


def number_of(value: object, *, percent: bool) -> float:
    """One cell as a number, by the forgiving rules; _BLANK or _INVALID otherwise."""
    if value is None or value is pd.NA:
        return _BLANK
    if isinstance(value, bool | np.bool_):
        return _INVALID
    if isinstance(value, int | float | np.integer | np.floating):
        number = float(value)
        if math.isnan(number):
            return _BLANK
        return number if math.isfinite(number) else _INVALID
    if not isinstance(value, str):
        return _INVALID
    # NFKC folds full-width digits, signs, '．', '，' and '％' into ASCII.
    text = unicodedata.normalize("NFKC", value).strip()
    if not text:
        return _BLANK
    if text.endswith("%"):
        if not percent:
            return _INVALID
        text = text[:-1].rstrip()
    if "," in text:
        if not _GROUPED.fullmatch(text):
            return _INVALID
        text = text.replace(",", "")
    if not re.fullmatch(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?", text):
        return _INVALID
    number = float(text)
    return number if math.isfinite(number) else _INVALID


def bool_of(value: object) -> float:
    """One cell as 1.0 / 0.0; _BLANK or _INVALID otherwise."""
    if value is None or value is pd.NA:
        return _BLANK
    if isinstance(value, (*NOT_A_VALUE, dt.date, dt.time)):
        return _INVALID
    if isinstance(value, bool | np.bool_):
        return 1.0 if value else 0.0
    if isinstance(value, int | float | np.integer | np.floating):
        number = float(value)
        if math.isnan(number):
            return _BLANK
        return number if number in (0.0, 1.0) else _INVALID
    text = unicodedata.normalize("NFKC", cell_text(value)).casefold()
    if not text:
        return _BLANK
    if text in BOOL_WORDS:
        return BOOL_WORDS[text]
    number = number_of(text, percent=False)
    return number if number in (0.0, 1.0) else _INVALID


def _by_distinct_value(raw: pd.Series, parse: Any) -> FloatArray:
    """Apply a scalar parser once per distinct cell value, then spread it back."""
    codes, uniques = pd.factorize(raw, use_na_sentinel=True)
    parsed = np.array([parse(value) for value in uniques] + [_BLANK], dtype=np.float64)
    # code -1 (NaN) picks the trailing _BLANK
    return parsed[codes]


def _split_codes(coded: FloatArray) -> tuple[FloatArray, BoolArray, BoolArray]:
    """Values with blank and invalid masks from an array using the slow-path codes."""
    blank = coded == _BLANK
    invalid = coded == _INVALID
    values = coded.copy()
    values[blank | invalid] = np.nan
    return values, blank, invalid


def _bounds_mask(values: FloatArray, field: Field) -> BoolArray:
    out = np.zeros(len(values), dtype=bool)
    with np.errstate(invalid="ignore"):
        if field.min is not None:
            out |= values < field.min
        if field.max is not None:
            out |= values > field.max
    return out


def parse_numeric(raw: pd.Series, field: Field) -> ParsedColumn:
    """An int or number column: fast where pandas or ``to_numeric`` can read it."""
    percent = field.type == "number"
    if pd.api.types.is_bool_dtype(raw.dtype):
        coded = np.where(raw.isna().to_numpy(), _BLANK, _INVALID)
    elif pd.api.types.is_integer_dtype(raw.dtype):
        # pandas read every cell as an integer: nothing blank, invalid or fractional
        values = raw.to_numpy(dtype=np.float64)
        nothing = np.zeros(len(values), dtype=bool)
        return ParsedColumn(values, nothing, nothing, nothing, _bounds_mask(values, field))
    elif pd.api.types.is_numeric_dtype(raw.dtype):
        coded = raw.to_numpy(dtype=np.float64, na_value=np.nan)
        coded = np.where(np.isnan(coded), _BLANK, np.where(np.isfinite(coded), coded, _INVALID))
    elif raw.dtype == object:
        coded = _by_distinct_value(raw, lambda value: number_of(value, percent=percent))
    else:
        # A column of strings: to_numeric reads the plain ones in C; only the
        # rest (blank, full-width, '1,234', '85%', words) go cell by cell.
        fast = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
        slow = ~np.isfinite(fast)
        coded = fast
        if slow.any():
            coded = fast.copy()
            coded[slow] = _by_distinct_value(
                raw[slow], lambda value: number_of(value, percent=percent)
            )
    values, blank, invalid = _split_codes(coded)
    not_whole = np.zeros(len(values), dtype=bool)
    if field.type == "int":
        with np.errstate(invalid="ignore"):
            not_whole = ~invalid & ~blank & (values != np.round(values))
        invalid |= not_whole
        values[not_whole] = np.nan
    out_of_range = _bounds_mask(values, field)
    return ParsedColumn(values, blank, invalid, not_whole, out_of_range)


def parse_bool(raw: pd.Series, field: Field) -> ParsedColumn:
    """A bool column: each distinct spelling is looked up once."""
    if pd.api.types.is_bool_dtype(raw.dtype) and not raw.hasnans:
        coded = raw.to_numpy(dtype=np.float64)
    else:
        coded = _by_distinct_value(raw, bool_of)
    values, blank, invalid = _split_codes(coded)
    nothing = np.zeros(len(values), dtype=bool)
    return ParsedColumn(values, blank, invalid, nothing, nothing.copy())


def parse_choice(raw: pd.Series, field: Field) -> ParsedColumn:
    """A choice column: exactly one of the field's choices, after stripping spaces."""
    codes, uniques = pd.factorize(raw, use_na_sentinel=True)
    position = {choice: index for index, choice in enumerate(field.choices)}
    mapped = []
    for value in uniques:
        text = cell_text(value)
        if isinstance(value, NOT_A_VALUE):
            mapped.append(-2)
            continue
        mapped.append(-1 if not text else position.get(text, -2))
    lookup = np.array([*mapped, -1], dtype=np.int64)
    chosen = lookup[codes]
    blank = chosen == -1
    invalid = chosen == -2
    chosen[invalid] = -1
    values = pd.Categorical.from_codes(chosen, dtype=pd.CategoricalDtype(list(field.choices)))
    nothing = np.zeros(len(chosen), dtype=bool)
    return ParsedColumn(values, blank, invalid, nothing, nothing.copy())


def parse_column(raw: pd.Series, field: Field) -> ParsedColumn:
    """Parse one field's column by the field's type."""
    if field.type in ("int", "number"):
        return parse_numeric(raw, field)
    if field.type == "bool":
        return parse_bool(raw, field)
    if field.type == "choice":
        return parse_choice(raw, field)
    return parse_text(raw)


def is_percent_field(field: Field) -> bool:
    """Whether a number field counts a percentage up to 100: its label (or id) ends
    with (%), （%） or %, or names a rate (率) or a 百分比, and its max is 100."""
    if field.type != "number" or field.max != 100:
        return False
    name = unicodedata.normalize("NFKC", field.header).strip()
    return name.endswith(("%", "(%)")) or "率" in name or "百分比" in name


def fractions_for_percent(raw: pd.Series, column: ParsedColumn) -> BoolArray:
    """The cells of a percent field holding a fraction (more than 0, less than 1)
    written without a ``%``: 93% typed as 0.93, most likely. A workbook's cell
    formatted as a percentage comes as the percentage it shows ("0.93%"): not one."""
    values = column.values
    with np.errstate(invalid="ignore"):
        fraction = (values > 0) & (values < 1) & ~column.out_of_range
    if not fraction.any() or pd.api.types.is_numeric_dtype(raw.dtype):
        return np.asarray(fraction, dtype=bool)
    positions = np.flatnonzero(fraction)
    # each distinct spelling looked at once: a column of fractions is a few of them
    codes, uniques = pd.factorize(raw.iloc[positions], use_na_sentinel=False)
    signed = np.array([unicodedata.normalize("NFKC", cell_text(value)).endswith("%")
                       for value in uniques], dtype=bool)
    fraction[positions[signed[codes]]] = False
    return np.asarray(fraction, dtype=bool)


def expected(field: Field) -> Message:
    """What a cell of this field must hold, in words for an error message."""
    if field.type == "bool":
        return msg("yes or no (是/否, √/×, true/false, 1/0)")
    if field.type == "choice":
        return msg("one of {choices}", choices=listing(field.choices))
    if field.type == "text":
        return msg("text")
    low = None if field.min is None else number_text(field.min)
    high = None if field.max is None else number_text(field.max)
    if field.type == "int":
        if low is not None and high is not None:
            return msg("an int from {low} to {high}", low=low, high=high)
        if low is not None:
            return msg("an int of at least {low}", low=low)
        if high is not None:
            return msg("an int of at most {high}", high=high)
        return msg("an int")
    if low is not None and high is not None:
        return msg("a number from {low} to {high}", low=low, high=high)
    if low is not None:
        return msg("a number of at least {low}", low=low)
    if high is not None:
        return msg("a number of at most {high}", high=high)
    return msg("a number")


def number_text(number: float) -> str:
    """A number as a message shows it: 12, 12.5."""
    return str(int(number)) if float(number).is_integer() else repr(float(number))


#: Characters a branch id may carry unseen (pasted from Word, WeChat or a web
#: page): zero-width spaces and joiners, the byte-order mark, and the
#: non-breaking spaces that NFKC would otherwise turn into a visible space.
_INVISIBLE = "[\u200b\u200c\u200d\u2060\ufeff\u00a0\u2007\u202f]"


def id_keys(ids: pd.Series) -> npt.NDArray[np.int64]:
    """One int per branch id, equal for ids a reader cannot tell apart.

    ``SQ01``, ``SQ01`` with a zero-width space, full-width ``ＳＱ01``,
    ``SQ\\xa001`` and ``sq01`` are one community typed five ways: ids are
    compared after removing invisible characters, NFKC (full-width to
    ASCII) and case folding. Each distinct spelling is normalised once, in
    Arrow, so a million ids stay a few vectorised passes.
    """
    codes, uniques = pd.factorize(ids, use_na_sentinel=False)
    texts = pa.array(np.asarray(uniques, dtype=object), type=pa.large_string())
    folded = pc.utf8_lower(pc.utf8_normalize(
        pc.replace_substring_regex(texts, _INVISIBLE, ""), "NFKC"
    ))
    folded = pc.utf8_trim_whitespace(folded)
    keys = pc.dictionary_encode(folded).indices.to_numpy(zero_copy_only=False)
    return np.asarray(keys, dtype=np.int64)[codes]
