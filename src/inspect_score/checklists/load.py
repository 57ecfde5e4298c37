"""Loading the checklists branches submit, checked against a rubric.

:func:`load_checklists` reads every input (CSV, XLSX, per-branch TOML, folders
of them), matches headers to fields by id or label, parses whole columns with
:mod:`inspect_score.checklists.cells`, and collects every problem of every file before
raising them together. The result is the :class:`~inspect_score.checklists.table.Checklists`
table the scorer works on.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt
import pandas as pd

from inspect_score.checklists.cells import (
    NOT_A_VALUE,
    BoolArray,
    CellError,
    ParsedColumn,
    cell_text,
    expected,
    id_keys,
    not_a_value,
    parse_column,
    text_values,
)
from inspect_score.checklists.readers import (
    CSV_SUFFIXES,
    SHEET_SUFFIXES,
    TOML_SUFFIXES,
    RawTable,
    ReadError,
    csv_headers,
    read_csv,
    read_sheet,
    read_toml,
)
from inspect_score.checklists.table import (
    BRANCH_ID,
    BRANCH_NAME,
    RATER,
    SOURCE_FILE,
    SOURCE_ROW,
    TEXT,
    Checklists,
)
from inspect_score.errors import ChecklistError, Issue, errors_only, warnings_only
from inspect_score.memory import release_freed_memory
from inspect_score.messages import N_, Message, msg
from inspect_score.rubric.model import Field, Rubric, header_key

__all__ = ["header_key", "load_checklists"]

#: Issues reported per column of one file before the rest are summed up in one.
MAX_ISSUES_PER_COLUMN = 100
#: Headers of the columns that are not fields, in English and in Chinese.
BRANCH_HEADERS = {
    "branch_id": BRANCH_ID,
    "编号": BRANCH_ID,
    "branch_name": BRANCH_NAME,
    "名称": BRANCH_NAME,
    "rater": RATER,
    "评分人": RATER,
}
#: A cell a field's type cannot read: its code and what is wrong with it.
_BAD_VALUE = {
    "int": ("bad-int", N_("'{shown}' is not a number; expected {expected}")),
    "number": ("bad-number", N_("'{shown}' is not a number; expected {expected}")),
    "bool": ("bad-bool", N_("'{shown}' is not a yes/no value; expected {expected}")),
    "choice": ("bad-choice", N_("'{shown}' is not one of the choices; expected {expected}")),
}


def load_checklists(
    rubric: Rubric,
    inputs: Sequence[str | os.PathLike[str]],
    *,
    encoding: str | None = None,
    sheet: str | None = None,
) -> Checklists:
    """Read and check every checklist in ``inputs`` against ``rubric``.

    ``inputs`` are files (.csv, .xlsx, .toml) or folders of them (read in name
    order). CSV encoding is detected (UTF-8 with or without BOM, else GB18030)
    unless ``encoding`` is given; XLSX files are read from their first sheet
    unless ``sheet`` is given.

    Raises :class:`ChecklistError` with every issue of every file (warnings
    included) when any is an error; otherwise warnings are returned in
    ``Checklists.warnings``.
    """
    issues: list[Issue] = []
    frame, sources, has_rater = _read_all(rubric, inputs, encoding, sheet, issues)
    issues.extend(_duplicates(frame))
    _check_not_empty(inputs, sources, frame, issues)
    if errors_only(issues):
        raise ChecklistError(issues)
    release_freed_memory()  # the raw cells, read and parsed
    return Checklists(
        frame=frame,
        sources=tuple(sources),
        has_rater=has_rater,
        warnings=tuple(warnings_only(issues)),
    )


def load_checklists_by(
    rubric: Rubric,
    inputs: Sequence[str | os.PathLike[str]],
    by: Field,
    *,
    encoding: str | None = None,
    sheet: str | None = None,
) -> list[tuple[str, Checklists]]:
    """Like :func:`load_checklists`, for checklists whose column ``by`` (a text field
    the rubric does not declare, such as a period) splits the rows into groups.

    A branch may appear once per group (once per group and rater); repeats are
    checked within each group. Groups come in the order they first appear,
    each with its rows (the ``by`` column kept). A blank ``by`` cell is an
    error at its row, whatever ``by.missing`` says.
    """
    grouping = attrs.evolve(by, type="text", missing="error")
    extended = attrs.evolve(rubric, fields=(*rubric.fields, grouping))
    issues: list[Issue] = []
    frame, sources, has_rater = _read_all(extended, inputs, encoding, sheet, issues)
    names = list(dict.fromkeys(frame[by.id].astype(str))) if not frame.empty else []
    groups = []
    for name in names:
        rows = frame[frame[by.id].astype(str) == name].reset_index(drop=True)
        issues.extend(_duplicates(rows))
        groups.append((name, rows))
    _check_not_empty(inputs, sources, frame, issues)
    if errors_only(issues):
        raise ChecklistError(issues)
    warnings = tuple(warnings_only(issues))
    return [
        (name, Checklists(frame=rows, sources=tuple(sources), has_rater=has_rater,
                          warnings=warnings))
        for name, rows in groups
    ]


def _read_all(
    rubric: Rubric,
    inputs: Sequence[str | os.PathLike[str]],
    encoding: str | None,
    sheet: str | None,
    issues: list[Issue],
) -> tuple[pd.DataFrame, list[str], bool]:
    """Every file's rows parsed and combined: (frame, paths shown, whether any has raters).

    Problems go to ``issues``; a file that cannot be read adds its issue and no rows.
    """
    parts: list[pd.DataFrame] = []
    sources: list[str] = []
    has_rater = False
    read: dict[str, str] = {}  # each file's real path: the path it was first shown as
    for path, shown in _checklist_files(inputs, issues):
        real = os.path.realpath(path)
        if real in read:
            # a file named twice (or a folder and a file in it) is one set of rows
            issues.append(Issue("repeated-input", msg("this file is also given as {first}; read "
                                                      "once", first=read[real]),
                                path=shown, severity="warning"))
            continue
        read[real] = shown
        try:
            table = _read(rubric, path, shown, encoding, sheet)
        except ReadError as error:
            issues.extend(error.issues)
            continue
        issues.extend(table.warnings)
        parsed = _TableParser(rubric, table)
        issues.extend(parsed.issues)
        has_rater = has_rater or parsed.has_rater
        parts.append(parsed.frame.assign(**{SOURCE_FILE: len(sources)}))
        sources.append(shown)
    return _combine(rubric, parts, sources), sources, has_rater


def _check_not_empty(
    inputs: Sequence[str | os.PathLike[str]],
    sources: list[str],
    frame: pd.DataFrame,
    issues: list[Issue],
) -> None:
    """An empty run is an error: no input given, or files with no branch rows."""
    if not inputs:
        issues.append(Issue("no-checklists", msg("no checklist given"), path=""))
    elif sources and frame.empty and not errors_only(issues):
        issues.append(Issue("no-branches", msg("the checklists hold no branch rows"),
                            path=sources[0]))


# --- files -----------------------------------------------------------------------

_CHECKLIST_SUFFIXES = CSV_SUFFIXES | SHEET_SUFFIXES | TOML_SUFFIXES


def _checklist_files(
    inputs: Sequence[str | os.PathLike[str]], issues: list[Issue]
) -> Iterator[tuple[Path, str]]:
    """Each file to read with the path to show for it, folders expanded in name order."""
    for given in inputs:
        shown = os.fspath(given)
        path = Path(given)
        if path.is_dir():
            children = sorted(
                (
                    child
                    for child in path.iterdir()
                    # "~$" files are the lock files Excel leaves beside open workbooks
                    if child.is_file()
                    and child.suffix.lower() in _CHECKLIST_SUFFIXES
                    and not child.name.startswith(("~$", "."))
                ),
                key=lambda child: child.name,
            )
            if not children:
                issues.append(Issue(
                    "no-checklists", msg("the folder holds no .csv, .xlsx or .toml file"),
                    path=shown,
                ))
            for child in children:
                yield child, os.path.join(shown, child.name)
        elif path.is_file():
            yield path, shown
        else:
            issues.append(Issue("unreadable-file", msg("no such file or folder"), path=shown))


def _read(
    rubric: Rubric, path: Path, shown: str, encoding: str | None, sheet: str | None
) -> RawTable:
    suffix = path.suffix.lower()
    if suffix in SHEET_SUFFIXES:
        return read_sheet(path, shown, sheet)
    if suffix in TOML_SUFFIXES:
        return read_toml(path, shown)
    if suffix in CSV_SUFFIXES:
        headers, found = csv_headers(path, shown, encoding)
        targets = _HeaderMap(rubric, headers).targets
        typed = {field.id for field in rubric.fields if field.type in ("int", "number", "bool")}
        # ids, names, raters, choices and text, whose cells are kept as written;
        # other columns (a 序号 column of numbers, say) are only checked for blanks
        text_columns = [index for index, target in targets.items() if target not in typed]
        return read_csv(
            path, shown, headers, found, user_encoding=encoding is not None,
            text_columns=text_columns,
        )
    raise ReadError(Issue(
        "not-a-checklist", msg("unsupported file type {suffix!r}; expected a .csv, .xlsx or .toml "
                               "checklist",
                               suffix=suffix or '(none)'), path=shown,
    ))


# --- headers ---------------------------------------------------------------------


@attrs.define
class _HeaderMap:
    """Which column holds what: branch columns and fields by id or label."""

    rubric: Rubric
    headers: tuple[str, ...]
    #: column position -> branch column name or field id (first column of each only)
    targets: dict[int, str] = attrs.field(init=False)
    #: column positions whose header matches nothing
    unknown: list[int] = attrs.field(init=False)
    #: (position, position of the first column with the same meaning)
    repeated: list[tuple[int, int]] = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        lookup = {header_key(header): target for header, target in BRANCH_HEADERS.items()}
        for field in self.rubric.fields:
            lookup.setdefault(header_key(field.id), field.id)
            if field.label:
                lookup.setdefault(header_key(field.label), field.id)
        self.targets, self.unknown, self.repeated = {}, [], []
        first: dict[str, int] = {}
        for position, header in enumerate(self.headers):
            target = lookup.get(header_key(header))
            if target is None:
                self.unknown.append(position)
            elif target in first:
                self.repeated.append((position, first[target]))
            else:
                first[target] = position
                self.targets[position] = target

    def column_of(self, target: str) -> int | None:
        for position, name in self.targets.items():
            if name == target:
                return position
        return None


# --- one table -------------------------------------------------------------------


class _TableParser:
    """Parse one raw table: its frame part, its issues, whether it has raters."""

    def __init__(self, rubric: Rubric, table: RawTable) -> None:
        self.rubric = rubric
        self.table = table
        self.issues: list[Issue] = []
        self.headers = _HeaderMap(rubric, table.headers)
        self.has_rater = self.headers.column_of(RATER) is not None
        self.frame = self._parse()

    def _issue(self, code: str, message: str, row: int | None, column: str | None,
               severity: str = "error") -> None:
        self.issues.append(Issue(
            code=code, message=message, path=self.table.path, row=row, column=column,
            severity="warning" if severity == "warning" else "error",
        ))

    def _header_row(self, position: int) -> int:
        cell_rows = self.table.cell_rows
        return cell_rows[position] if cell_rows is not None else self.table.header_row

    def _parse(self) -> pd.DataFrame:
        table, headers = self.table, self.headers
        count = len(table.rows)
        blank_everywhere = np.ones(count, dtype=bool)

        def text_of(target: str) -> pd.Series:
            """A branch column as stripped str ("" where blank), kept as pandas strings."""
            position = headers.column_of(target)
            if position is None:
                return pd.Series(np.full(count, "", dtype=object), dtype=TEXT)
            raw = table.columns[position]
            if pd.api.types.is_string_dtype(raw.dtype) and raw.dtype != object:
                # the CSV reader's Arrow strings, stripped in Arrow (see tables.TEXT)
                return raw.str.strip().fillna("").astype(TEXT)
            return pd.Series(text_values(raw), dtype=TEXT)

        id_text, name_text, rater_text = text_of(BRANCH_ID), text_of(BRANCH_NAME), text_of(RATER)
        for target in (BRANCH_ID, BRANCH_NAME, RATER):
            self._not_a_value_issues(target)
        for column in (id_text, name_text, rater_text):
            blank_everywhere &= (column == "").to_numpy(dtype=bool)
        for position in sorted([*headers.unknown, *(later for later, _ in headers.repeated)]):
            blank = text_values(table.columns[position]) == ""
            if blank.all() and not headers.headers[position].strip():
                continue  # Excel's unnamed, empty trailing columns
            blank_everywhere &= blank
            self._unknown_or_repeated(position)

        parsed: dict[str, tuple[int, ParsedColumn]] = {}
        for position, target in headers.targets.items():
            if target in (BRANCH_ID, BRANCH_NAME, RATER):
                continue
            cells = parse_column(table.columns[position], self.rubric.field(target))
            parsed[target] = (position, cells)
            blank_everywhere &= cells.blank
        keep = ~blank_everywhere
        fields_blank = np.ones(count, dtype=bool)
        for _, cells in parsed.values():
            fields_blank &= cells.blank
        has_id = (id_text != "").to_numpy(dtype=bool)
        empty_row = keep & has_id & fields_blank

        self._branch_id_issues(keep & ~has_id)
        self._empty_row_issues(empty_row, id_text)
        for field in self.rubric.fields:
            if field.id in parsed:
                position, cells = parsed[field.id]
                self._cell_issues(field, position, cells, keep & ~empty_row, id_text)
            elif self.rubric.missing_policy(field.id) == "error":
                self._issue("missing-column", msg("no column for field {id!r} ({header}); its "
                                                  'missing policy is "error"',
                                                  id=field.id, header=field.header),
                            table.header_row, field.header)

        everything = bool(keep.all())

        def kept(values: Any) -> Any:
            return values if everything else values[keep]

        data: dict[str, Any] = {
            BRANCH_ID: kept(id_text.array),
            BRANCH_NAME: kept(name_text.array),
            RATER: kept(rater_text.array),
        }
        for field in self.rubric.fields:
            if field.id in parsed:
                values = kept(parsed[field.id][1].values)
                data[field.id] = _object_array(values) if field.type == "text" else values
            else:
                data[field.id] = _blank_column(field, int(keep.sum()))
        data[SOURCE_ROW] = kept(table.rows)
        # copy=False keeps each column as its own block instead of stacking them
        return pd.DataFrame(data, copy=False)

    def _unknown_or_repeated(self, position: int) -> None:
        header = self.headers.headers[position]
        for later, first in self.headers.repeated:
            if later == position:
                self._issue(
                    "duplicate-column",
                    msg("column {header!r} means the same as column {first!r} (column "
                        "{number}); keep only one", header=header,
                        first=self.headers.headers[first],
                        number=self.table.column_number(first)),
                    self._header_row(position), header,
                )
                return
        self._issue(
            "unknown-column",
            msg("column {header!r} (column {number}) is not a field of the rubric; ignored",
                header=header, number=self.table.column_number(position)),
            self._header_row(position), header, severity="warning",
        )

    def _not_a_value_issues(self, target: str) -> None:
        """An id, name or rater cell that is an error or a formula without a result."""
        position = self.headers.column_of(target)
        if position is None:
            return
        raw = self.table.columns[position]
        self._report(position, not_a_value(raw), self.headers.headers[position],
                     lambda index: _not_a_value_issue(raw.iloc[index], {
                         BRANCH_ID: msg("the branch's id"), BRANCH_NAME: msg("the branch's name"),
                         RATER: msg("the branch's rater")}[target]))

    def _branch_id_issues(self, missing: BoolArray) -> None:
        position = self.headers.column_of(BRANCH_ID)
        if position is None:
            self._issue("missing-column", msg("no branch_id (编号) column"),
                        self.table.header_row, "branch_id")
            return
        header = self.headers.headers[position]
        self._report(
            position, missing, header,
            lambda index: ("missing-branch-id",
                           msg("the row has values but no branch id; expected the branch's id")),
        )

    def _empty_row_issues(self, empty: BoolArray, ids: pd.Series) -> None:
        position = self.headers.column_of(BRANCH_ID)
        if position is None:
            return
        self._report(
            position, empty, None,
            lambda index: ("empty-checklist-row",
                           msg("branch {branch}: every field is blank; "
                               "an empty checklist cannot be scored", branch=ids.iloc[index])),
        )

    def _cell_issues(self, field: Field, position: int, column: ParsedColumn,
                     rows: BoolArray, ids: pd.Series) -> None:
        raw = self.table.columns[position]
        wanted = expected(field)
        written_cells: list[pd.Series] = []

        def written(index: int) -> str:
            """The cell as the branch wrote it, read again only when it is reported."""
            if self.table.written is None or pd.api.types.is_string_dtype(raw):
                return cell_text(raw.iloc[index])
            if not written_cells:
                written_cells.append(self.table.written(position))
            return cell_text(written_cells[0].iloc[index])
        missing = column.blank if self.rubric.missing_policy(field.id) == "error" else None

        def describe(index: int) -> tuple[str, Message]:
            cell = raw.iloc[index]
            if isinstance(cell, NOT_A_VALUE):
                return _not_a_value_issue(cell, wanted)
            if column.not_whole[index] or column.invalid[index] or column.out_of_range[index]:
                shown = written(index)
            if column.invalid[index] and isinstance(cell, dt.date | dt.time):
                return _BAD_VALUE[field.type][0], msg(
                    "'{shown}' is a date or time; expected {expected}", shown=shown,
                    expected=wanted)
            if column.not_whole[index]:
                # only an int field has whole numbers to miss
                return "bad-int", msg("'{shown}' is not a whole number; expected {expected}",
                                      shown=shown, expected=wanted)
            if column.invalid[index]:
                code, problem = _BAD_VALUE[field.type]
                return code, msg(problem, shown=shown, expected=wanted)
            if column.out_of_range[index]:
                return "out-of-range", msg("'{shown}' is out of range; expected {expected}",
                                           shown=shown, expected=wanted)
            if ids.iloc[index]:
                return "missing-value", msg(
                    "blank for branch {branch}; expected {expected} "
                    "(the field's missing policy is \"error\")",
                    branch=ids.iloc[index], expected=wanted)
            return "missing-value", msg(
                "blank; expected {expected} (the field's missing policy is \"error\")",
                expected=wanted)

        flagged = column.invalid | column.out_of_range
        if missing is not None:
            flagged = flagged | missing
        self._report(position, flagged & rows, self.headers.headers[position], describe)

    def _report(self, position: int, mask: BoolArray, column: str | None,
                describe: object) -> None:
        """Issues for the flagged cells of one column, at most MAX_ISSUES_PER_COLUMN."""
        assert callable(describe)
        flagged = np.flatnonzero(mask)
        if not len(flagged):
            return
        shown = flagged[:MAX_ISSUES_PER_COLUMN]
        rows = self.table.row_of(position, shown)
        for index, row in zip(shown.tolist(), rows.tolist(), strict=True):
            code, message = describe(index)
            self._issue(code, message, row, column)
        if len(flagged) > len(shown):
            more = len(flagged) - len(shown)
            self._issue("too-many-issues", msg("and {more} more problems of this kind in this "
                                               "column",
                                               more=more),
                        None, column)


def _not_a_value_issue(cell: object, wanted: str) -> tuple[str, Message]:
    """The code and message for an error cell or a formula saved without its result."""
    if isinstance(cell, CellError):
        return ("excel-error", msg("the cell shows the error {error} (a formula that failed "
                                   "or a broken reference); expected {expected}",
                                   error=cell.code, expected=wanted))
    return ("uncomputed-formula", msg("the formula '{formula}' has no saved result (the file "
                                      "was saved without calculating); open it in Excel or WPS "
                                      "and save it again, or type the value; expected "
                                      "{expected}", formula=cell, expected=wanted))


def _object_array(values: npt.NDArray[np.object_]) -> pd.Series:
    """Text stays object dtype (str or NaN), as tables.py says, not pandas' str dtype."""
    return pd.Series(values, dtype=object)


def _blank_column(field: Field, count: int) -> Any:
    """A field's column where the checklist has none: blank in every row."""
    if field.type == "choice":
        return pd.Categorical.from_codes(
            np.full(count, -1), dtype=pd.CategoricalDtype(list(field.choices))
        )
    if field.type == "text":
        return _object_array(np.full(count, np.nan, dtype=object))
    return np.full(count, np.nan, dtype=np.float64)


# --- all tables ------------------------------------------------------------------


def _combine(rubric: Rubric, parts: list[pd.DataFrame], sources: list[str]) -> pd.DataFrame:
    """One frame of every file's rows, in input order, with the file as a Categorical."""
    if not parts:
        empty = _TableParser(rubric, RawTable("", (), (), np.zeros(0, dtype=np.int64))).frame
        parts = [empty.assign(**{SOURCE_FILE: 0})]
    frame = parts[0] if len(parts) == 1 else pd.concat(parts, ignore_index=True)
    codes = frame[SOURCE_FILE].to_numpy(dtype=np.int64)
    frame[SOURCE_FILE] = pd.Categorical.from_codes(
        codes, dtype=pd.CategoricalDtype(sources or [""])
    )
    frame[SOURCE_ROW] = frame[SOURCE_ROW].astype(np.int64)
    columns = [BRANCH_ID, BRANCH_NAME, RATER, *(field.id for field in rubric.fields),
               SOURCE_FILE, SOURCE_ROW]
    return frame[columns]


def _duplicates(frame: pd.DataFrame) -> list[Issue]:
    """A branch twice without raters, the same rater twice for one branch, or one
    branch id written two ways.

    Ids (and raters) are compared by :func:`id_keys`: ``sq01`` or ``ＳＱ01``
    beside ``SQ01`` would otherwise rank one community twice. A look-alike
    spelling is an error even with different raters: the rows would be
    scored as two branches.
    """
    # one int per (branch, rater) pair: ints hash fast
    branch_keys = id_keys(frame[BRANCH_ID])
    rater_keys = id_keys(frame[RATER])
    key = pd.Series(branch_keys * (int(rater_keys.max(initial=0)) + 1) + rater_keys)
    has_id = (frame[BRANCH_ID] != "").to_numpy(dtype=bool)
    repeated = has_id & key.duplicated().to_numpy()
    spellings, _ = pd.factorize(frame[BRANCH_ID])
    positions = pd.Series(np.arange(len(branch_keys)))
    first_spelling = positions.groupby(branch_keys).transform("first").to_numpy()
    lookalike = has_id & ~repeated & (spellings != spellings[first_spelling])
    if not (repeated.any() or lookalike.any()):
        return []
    ids = frame[BRANCH_ID].to_numpy(dtype=object)
    raters = frame[RATER].to_numpy(dtype=object)
    codes, _ = pd.factorize(key)
    first_of = positions.groupby(codes).transform("first").to_numpy()
    files = frame[SOURCE_FILE].astype(str).to_numpy()
    rows = frame[SOURCE_ROW].to_numpy()
    issues = []
    flagged = np.flatnonzero(repeated | lookalike)
    for index in flagged[:MAX_ISSUES_PER_COLUMN].tolist():
        first = int(first_of[index] if repeated[index] else first_spelling[index])
        where = msg("{file} row {row}", file=files[first], row=rows[first])
        if lookalike[index]:
            issues.append(Issue("duplicate-branch", msg(
                "branch id {branch!r} is written differently from {first!r} (at {where}) but "
                "reads the same (full-width letters, hidden spaces or letter case); write one "
                "branch's id the same way everywhere", branch=ids[index], first=ids[first],
                where=where), path=files[index], row=int(rows[index]), column=None))
        elif raters[index]:
            issues.append(Issue("duplicate-rater", msg(
                "branch {branch} has a second row by rater {rater} (first at {where}); "
                "each rater scores a branch once", branch=ids[index], rater=raters[index],
                where=where), path=files[index], row=int(rows[index]), column=None))
        else:
            if ids[first] != ids[index]:
                where = msg("{where}, written {written!r}", where=where, written=ids[first])
            issues.append(Issue("duplicate-branch", msg(
                "branch {branch} appears again (first at {where}); "
                "without a rater column each branch has one row", branch=ids[index],
                where=where), path=files[index], row=int(rows[index]), column=None))
    extra = len(flagged) - MAX_ISSUES_PER_COLUMN
    if extra > 0:
        issues.append(Issue("too-many-issues", msg("and {extra} more repeated branch rows",
                                                   extra=extra),
                            path=files[0]))
    return issues
