"""Loading the checklists branches submit, checked against a rubric.

:func:`load_checklists` reads every input (CSV, XLSX, per-branch TOML, folders
of them), matches headers to fields by id or label, parses whole columns with
:mod:`inspect_score.checklists.cells`, and collects every problem of every file before
raising them together. The result is the :class:`~inspect_score.checklists.table.Checklists`
table the scorer works on.
"""

from __future__ import annotations

import datetime as dt
import decimal
import difflib
import os
import unicodedata
from collections.abc import Callable, Collection, Generator, Iterator, Sequence
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
    fractions_for_percent,
    id_keys,
    is_percent_field,
    not_a_value,
    number_text,
    parse_column,
    text_values,
)
from inspect_score.checklists.item_cells import Reported, item_cell_issues
from inspect_score.checklists.own_outputs import output_csv_name, output_workbook_kind
from inspect_score.checklists.readers import (
    CSV_SUFFIXES,
    SHEET_SUFFIXES,
    TOML_SUFFIXES,
    HeaderFinder,
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
from inspect_score.errors import (
    MAX_ISSUES_PER_COLUMN,
    ChecklistError,
    Issue,
    errors_only,
    warnings_only,
)
from inspect_score.memory import release_freed_memory
from inspect_score.messages import N_, Message, msg
from inspect_score.rubric.model import Field, Rubric, header_key

__all__ = ["header_key", "load_checklists"]

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
    recursive: bool = False,
    row_labels: Collection[str] = (),
) -> Checklists:
    """Read and check every checklist in ``inputs`` against ``rubric``.

    ``inputs`` are files (.csv, .xlsx, .toml) or folders of them (read in name
    order). CSV encoding is detected (UTF-8 with or without BOM, else GB18030)
    unless ``encoding`` is given; XLSX files are read from their first sheet
    unless ``sheet`` is given; a form's header is looked for in its first ten
    rows. What a folder holds besides checklists is skipped with a warning each,
    subfolders too unless ``recursive``.

    ``row_labels`` are the ids of fields that label a row rather than fill it
    (the period a clerk fills down a column): a row with nothing else written
    is a blank row, skipped as a row holding only its 序号 number is.

    Raises :class:`ChecklistError` with every issue of every file (warnings
    included) when any is an error; otherwise warnings are returned in
    ``Checklists.warnings``.
    """
    issues: list[Issue] = []
    read = _read_all(rubric, inputs, encoding, sheet, recursive, issues, frozenset(row_labels))
    frame = read.frame
    issues.extend(item_cell_issues(rubric, frame, headers=read.headers, reported=read.reported))
    issues.extend(_duplicates(frame))
    _check_not_empty(inputs, read.sources, frame, issues)
    if errors_only(issues):
        raise ChecklistError(issues)
    release_freed_memory()  # the raw cells, read and parsed
    return Checklists(
        frame=frame,
        sources=tuple(read.sources),
        has_rater=read.has_rater,
        warnings=tuple(warnings_only(issues)),
    )


def load_checklists_by(
    rubric: Rubric,
    inputs: Sequence[str | os.PathLike[str]],
    by: Field,
    *,
    encoding: str | None = None,
    sheet: str | None = None,
    recursive: bool = False,
) -> list[tuple[str, Checklists]]:
    """Like :func:`load_checklists`, for checklists whose column ``by`` (a text field
    the rubric does not declare, such as a period) splits the rows into groups.

    A branch may appear once per group (once per group and rater); repeats are
    checked within each group. Groups come in the order they first appear,
    each with its rows (the ``by`` column kept). A blank ``by`` cell is an
    error at its row, whatever ``by.missing`` says; a row with only its ``by``
    cell written (a period filled down past the last branch) is a blank row.
    """
    grouping = attrs.evolve(by, type="text", missing="error")
    extended = attrs.evolve(rubric, fields=(*rubric.fields, grouping))
    issues: list[Issue] = []
    read = _read_all(extended, inputs, encoding, sheet, recursive, issues, frozenset({by.id}))
    frame = read.frame
    names = list(dict.fromkeys(frame[by.id].astype(str))) if not frame.empty else []
    groups = []
    for name in names:
        mask = (frame[by.id].astype(str) == name).to_numpy(dtype=bool)
        rows = frame[mask].reset_index(drop=True)
        # each group is scored on its own: its raters agree within it
        issues.extend(item_cell_issues(extended, rows, headers=read.headers,
                                       reported=read.reported.take(mask)))
        issues.extend(_duplicates(rows))
        groups.append((name, rows))
    _check_not_empty(inputs, read.sources, frame, issues)
    if errors_only(issues):
        raise ChecklistError(issues)
    warnings = tuple(warnings_only(issues))
    return [
        (name, Checklists(frame=rows, sources=tuple(read.sources), has_rater=read.has_rater,
                          warnings=warnings))
        for name, rows in groups
    ]


@attrs.frozen
class _Read:
    """Every file's rows parsed and combined."""

    frame: pd.DataFrame
    #: the paths shown, by ``_file`` code
    sources: list[str]
    #: whether any file has a rater column
    has_rater: bool
    #: per file, field id -> its column's header as written
    headers: list[dict[str, str]]
    #: the rows and cells of ``frame`` already reported
    reported: Reported


def _read_all(
    rubric: Rubric,
    inputs: Sequence[str | os.PathLike[str]],
    encoding: str | None,
    sheet: str | None,
    recursive: bool,
    issues: list[Issue],
    row_labels: frozenset[str],
) -> _Read:
    """Every file's rows parsed and combined.

    Problems go to ``issues``; a file that cannot be read adds its issue and no rows.
    """
    parts: list[pd.DataFrame] = []
    sources: list[str] = []
    headers: list[dict[str, str]] = []
    reported: list[Reported] = []
    has_rater = False
    read: dict[str, str] = {}  # each file's real path: the path it was first shown as
    for path, shown in _checklist_files(rubric, inputs, issues, recursive):
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
        parsed = _TableParser(rubric, table, row_labels)
        issues.extend(parsed.issues)
        has_rater = has_rater or parsed.has_rater
        parts.append(parsed.frame.assign(**{SOURCE_FILE: len(sources)}))
        sources.append(shown)
        headers.append(parsed.written_headers)
        reported.append(parsed.reported)
    return _Read(frame=_combine(rubric, parts, sources), sources=sources, has_rater=has_rater,
                 headers=headers, reported=Reported.joined(reported))


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

#: What a folder's files are read as: a .txt in an inbox is a note, not a CSV
#: (named on the command line, it is read as CSV).
FOLDER_SUFFIXES = frozenset({".csv"}) | SHEET_SUFFIXES | TOML_SUFFIXES
#: Word documents (and WPS's): notes and reports beside the forms.
WORD_SUFFIXES = frozenset({".doc", ".docx", ".docm", ".dot", ".dotx", ".wps", ".rtf"})


def _checklist_files(
    rubric: Rubric,
    inputs: Sequence[str | os.PathLike[str]],
    issues: list[Issue],
    recursive: bool,
) -> Iterator[tuple[Path, str]]:
    """Each file to read with the path to show for it, folders expanded in name order.

    What a folder holds besides checklists (notes, Word files, Excel's lock
    files, this tool's own outputs, subfolders unless ``recursive``) is skipped
    with one warning each; this tool's outputs and lock files named one by one
    too (a shell's ``*`` names them all).
    """
    for given in inputs:
        shown = os.fspath(given)
        path = Path(given)
        if path.is_dir():
            before = len(issues)
            found = yield from _folder_files(rubric, path, shown, issues, recursive)
            if not found and not errors_only(issues[before:]):
                issues.append(Issue(
                    "no-checklists", msg("the folder holds no .csv, .xlsx or .toml file"),
                    path=shown,
                ))
        elif path.is_file():
            skipped = _skipped(rubric, path, shown, named=True)
            if skipped is None:
                yield path, shown
            else:
                issues.append(skipped)
        else:
            issues.append(Issue("unreadable-file", msg("no such file or folder"), path=shown))


def _folder_files(
    rubric: Rubric, folder: Path, shown: str, issues: list[Issue], recursive: bool
) -> Generator[tuple[Path, str], None, bool]:
    """A folder's checklists in name order; returns (as a generator) whether any was found."""
    found = False
    for child in sorted(folder.iterdir(), key=lambda child: child.name):
        child_shown = os.path.join(shown, child.name)
        if child.name.startswith("."):
            continue  # hidden files (.DS_Store, a run's own temporary files): never seen
        if child.is_dir():
            if recursive:
                found = (yield from _folder_files(rubric, child, child_shown, issues, True)) \
                    or found
            else:
                issues.append(_skip("subfolder-skipped", child_shown,
                                    msg("a subfolder; its files are not read (pass "
                                        "--recursive to read the files of subfolders too)")))
            continue
        skipped = _skipped(rubric, child, child_shown, named=False)
        if skipped is None:
            found = True
            yield child, child_shown
        else:
            issues.append(skipped)
    return found


def _skip(code: str, shown: str, message: str) -> Issue:
    return Issue(code, message, path=shown, severity="warning")


def _skipped(rubric: Rubric, path: Path, shown: str, *, named: bool) -> Issue | None:
    """The warning a file that is not a checklist is skipped with, or None to read it."""
    suffix = path.suffix.lower()
    if path.name.startswith("~$"):
        return _skip("lock-file-skipped", shown,
                     msg("a lock file Excel or WPS keeps while a workbook is open, not a "
                         "checklist; skipped"))
    if not named and suffix in WORD_SUFFIXES:
        return _skip("word-file-skipped", shown,
                     msg("a Word document, not a checklist; skipped"))
    if not named and suffix not in FOLDER_SUFFIXES:
        return _skip("other-file-skipped", shown,
                     msg("not a checklist ({suffix} file type); only .csv, .xlsx and .toml "
                         "files are read; skipped", suffix=suffix or "no"))
    if suffix in SHEET_SUFFIXES:
        kind = output_workbook_kind(path)
    elif suffix in CSV_SUFFIXES:
        kind = output_csv_name(path, [item.id for item in rubric.items],
                               [{field.id, field.header} for field in rubric.fields])
    else:
        kind = None
    if kind is None:
        return None
    return _skip("output-file-skipped", shown,
                 msg("a {kind} this tool wrote, not a checklist; skipped", kind=kind))


def _read(
    rubric: Rubric, path: Path, shown: str, encoding: str | None, sheet: str | None
) -> RawTable:
    suffix = path.suffix.lower()
    finder = header_finder(rubric)
    if suffix in SHEET_SUFFIXES:
        return read_sheet(path, shown, sheet, finder)
    if suffix in TOML_SUFFIXES:
        return read_toml(path, shown)
    if suffix in CSV_SUFFIXES:
        head, found = csv_headers(path, shown, encoding, finder)
        targets = _HeaderMap(rubric, head.headers).targets
        typed = {field.id for field in rubric.fields if field.type in ("int", "number", "bool")}
        # ids, names, raters, choices and text, whose cells are kept as written;
        # other columns (a 序号 column of numbers, say) are only checked for blanks
        text_columns = [index for index, target in targets.items() if target not in typed]
        return read_csv(
            path, shown, head, found, user_encoding=encoding is not None,
            text_columns=text_columns,
        )
    raise ReadError(Issue(
        "not-a-checklist", msg("unsupported file type {suffix!r}; expected a .csv, .xlsx or .toml "
                               "checklist",
                               suffix=suffix or '(none)'), path=shown,
    ))


# --- headers ---------------------------------------------------------------------


def _lookup(rubric: Rubric) -> dict[str, str]:
    """Header key -> branch column name or field id, for every name a header may use."""
    lookup = {header_key(header): target for header, target in BRANCH_HEADERS.items()}
    for field in rubric.fields:
        lookup.setdefault(header_key(field.id), field.id)
        if field.label:
            lookup.setdefault(header_key(field.label), field.id)
    return lookup


#: Distinct names a row must hold to be taken for the header: a title, a date
#: or a note above the header names one at most.
HEADER_NAMES_NEEDED = 2


def header_finder(rubric: Rubric) -> HeaderFinder:
    """Finds the header of a form: the first row naming enough branch columns and
    fields (by id or label), else the first row (whose headers are then reported)."""
    lookup = _lookup(rubric)

    def find(rows: Sequence[tuple[str, ...]]) -> int:
        for index, row in enumerate(rows):
            named = {lookup[key] for key in map(header_key, row) if key in lookup}
            if len(named) >= HEADER_NAMES_NEEDED:
                return index
        return 0

    return find


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
    #: unknown column position -> (the missing branch column or field its header is
    #: close to, that name as the rubric writes it): a typo in the header
    suggested: dict[int, tuple[str, str]] = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        lookup = _lookup(self.rubric)
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
        self.suggested = _suggestions(
            self.rubric, {position: self.headers[position] for position in self.unknown},
            set(first),
        )

    def column_of(self, target: str) -> int | None:
        for position, name in self.targets.items():
            if name == target:
                return position
        return None


#: How close (difflib's ratio) an unknown header must be to a missing name to be
#: taken for a typo of it: "三会一课召开次" for "三会一课召开次数" is 0.93, two
#: different two-character words ("党费", "会费") 0.5.
TYPO_CUTOFF = 0.6


def _suggestions(
    rubric: Rubric, unknown: dict[int, str], present: set[str]
) -> dict[int, tuple[str, str]]:
    """Unknown headers that are typos of a missing branch column or field.

    Closest pairs first, each header and each missing name used once, so that
    two near headers do not both claim one field.
    """
    names: list[tuple[str, str]] = []  # (target, name as the rubric or the format writes it)
    for target, spellings in ((BRANCH_ID, ("branch_id", "编号")),
                              (BRANCH_NAME, ("branch_name", "名称"))):
        if target not in present:
            names.extend((target, spelling) for spelling in spellings)
    for field in rubric.fields:
        if field.id not in present:
            names.extend((field.id, name) for name in (field.id, field.label) if name)
    pairs = []
    for position, header in unknown.items():
        key = header_key(header)
        if not key:
            continue
        for target, name in names:
            ratio = difflib.SequenceMatcher(None, key, header_key(name)).ratio()
            if ratio >= TYPO_CUTOFF:
                pairs.append((-ratio, position, target, name))
    chosen: dict[int, tuple[str, str]] = {}
    taken: set[str] = set()
    for _, position, target, name in sorted(pairs):
        if position not in chosen and target not in taken:
            chosen[position] = (target, name)
            taken.add(target)
    return chosen


def did_you_mean(name: str) -> Message:
    """The question a typo in a header gets."""
    return msg("did you mean 「{name}」?", name=name)


def missing_column_text(rubric: Rubric, target: str) -> Message:
    """What is said of a field (or the branch id) with no column: by the header the form
    gives it, as the user reads it, never the rubric's id for it."""
    if target == BRANCH_ID:
        return msg("no branch_id (编号) column")
    field = rubric.field(target)
    if rubric.missing_policy(field.id) == "error":
        return msg('no column {header!r} (the field\'s missing policy is "error")',
                   header=field.header)
    return msg("no column {header!r}", header=field.header)


def typo_text(column: int, header: str, name: str) -> Message:
    """A header taken for a typo of ``name``: its column (A = 1), what it reads, the question."""
    return msg("column {number} reads {header!r}: {question}", number=column, header=header,
               question=did_you_mean(name))


#: What a form writes in the first cell of a row of totals or averages under
#: the branches (compared without spaces: "合  计" is 合计).
TOTAL_LABELS = frozenset({
    "合计", "总计", "小计", "共计", "平均", "平均值", "平均分", "均值",
    "total", "totals", "subtotal", "sum", "average", "mean",
})


def is_total_label(text: str) -> bool:
    """Whether a cell names a row of totals (合计, 总计, 平均, 小计, Total...)."""
    key = "".join(unicodedata.normalize("NFKC", text).split()).rstrip(":").casefold()
    return key in TOTAL_LABELS


#: The headers of a column that only numbers the rows, as clerks add one in Excel
#: (compared as headers are, and without spaces inside: "序  号" is 序号).
ORDINAL_HEADERS = frozenset({"序号", "序", "no.", "no", "#", "行号"})
#: What a row-number column holds: whole numbers.
_ORDINAL = Field("序号", "int")


def is_ordinal_header(header: str) -> bool:
    """Whether a header names a row-number column (序号, No., #, 行号...)."""
    return "".join(header_key(header).split()) in ORDINAL_HEADERS


# --- one table -------------------------------------------------------------------


class _TableParser:
    """Parse one raw table: its frame part, its issues, whether it has raters."""

    def __init__(self, rubric: Rubric, table: RawTable,
                 row_labels: frozenset[str] = frozenset()) -> None:
        self.rubric = rubric
        self.table = table
        #: fields whose cells label a row without filling it (see load_checklists)
        self.row_labels = row_labels
        self.issues: list[Issue] = []
        self.headers = _HeaderMap(rubric, table.headers)
        self.has_rater = self.headers.column_of(RATER) is not None
        #: field id -> the header of its column as written
        self.written_headers = {target: self.headers.headers[position]
                                for position, target in self.headers.targets.items()}
        #: rows reported as a whole, and per field the cells reported (of every row read)
        self._reported_rows = np.zeros(len(table.rows), dtype=bool)
        self._reported_cells: dict[str, BoolArray] = {}
        if table.above:
            self._title_note()
        #: what ``frame`` holds that was reported (its rows only)
        self.reported = Reported(rows=np.zeros(0, dtype=bool))
        self.frame = self._parse()

    def _issue(self, code: str, message: str, row: int | None, column: str | None,
               severity: str = "error") -> None:
        self.issues.append(Issue(
            code=code, message=message, path=self.table.path, row=row, column=column,
            severity="warning" if severity == "warning" else "error",
        ))

    def _title_note(self) -> None:
        """What was written above a header found below row 1 is a title, said once."""
        row = self.table.header_row
        rows = msg("row 1") if row == 2 else msg("rows 1-{last}", last=row - 1)
        title = " ".join(" ".join(self.table.above).split())  # 　 (U+3000) too
        self._issue("title-row", msg("the header is on row {row}; {rows} above it ('{title}') "
                                     "taken as the form's title", row=row, rows=rows,
                                     title=title), row, None, severity="warning")

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
            if position in headers.unknown and self._numbers_rows(position):
                continue  # a 序号 column: a row with only its number is a blank row
            blank_everywhere &= blank
            self._unknown_or_repeated(position)

        parsed: dict[str, tuple[int, ParsedColumn]] = {}
        for position, target in headers.targets.items():
            if target in (BRANCH_ID, BRANCH_NAME, RATER):
                continue
            cells = parse_column(table.columns[position], self.rubric.field(target))
            parsed[target] = (position, cells)
            if target not in self.row_labels:
                blank_everywhere &= cells.blank
        keep = ~blank_everywhere & ~self._total_rows(~blank_everywhere)
        fields_blank = np.ones(count, dtype=bool)
        for target, (_, cells) in parsed.items():
            if target not in self.row_labels:
                fields_blank &= cells.blank
        has_id = (id_text != "").to_numpy(dtype=bool)
        # a row with every field blank is one error, whatever else it holds (an id, a
        # name, a note): never one per field
        empty_row = keep & fields_blank

        self._branch_id_issues(keep & ~has_id, empty_row)
        self._empty_row_issues(empty_row & has_id, id_text)
        self._reported_rows = (keep & ~has_id) | empty_row
        for field in self.rubric.fields:
            if field.id in parsed:
                position, cells = parsed[field.id]
                self._cell_issues(field, position, cells, keep & ~empty_row, id_text)
            elif self.rubric.missing_policy(field.id) == "error":
                self._missing_field(field)

        # Rows dropped only at the end (blank rows, a 合计 row) are a slice, which
        # costs nothing; a mask copies every column of a million rows.
        everything = bool(keep.all())
        first_dropped = count if everything else int(np.argmin(keep))
        leading = not keep[first_dropped:].any()

        def kept(values: Any) -> Any:
            if everything:
                return values
            return values[:first_dropped] if leading else values[keep]

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
        self.reported = Reported(
            rows=kept(self._reported_rows),
            cells={field_id: kept(cells) for field_id, cells in self._reported_cells.items()})
        # copy=False keeps each column as its own block instead of stacking them
        return pd.DataFrame(data, copy=False)

    def _numbers_rows(self, position: int) -> bool:
        """Whether an unknown column is a 序号 column, read no further: a row-number
        header over whole numbers or blanks (a 合计 row may write its label there)."""
        if not is_ordinal_header(self.headers.headers[position]):
            return False
        raw = self.table.columns[position]
        other = parse_column(raw, _ORDINAL).invalid
        if not other.any():
            return True
        # each distinct text once: a column of remarks is not looked at cell by cell
        return all(is_total_label(text) for text in pd.unique(text_values(raw[other])))

    def _typo_of(self, target: str) -> tuple[int, str] | None:
        """The column whose header is a typo of ``target``, and the name it misspells."""
        for position, (meant, name) in self.headers.suggested.items():
            if meant == target:
                return position, name
        return None

    def _missing_field(self, field: Field) -> None:
        """A field with no column whose missing policy is "error", with the header
        that misspells it if there is one: one message, not two unrelated ones."""
        message = missing_column_text(self.rubric, field.id)
        self._reported_cells[field.id] = np.ones(len(self.table.rows), dtype=bool)
        typo = self._typo_of(field.id)
        if typo is None:
            self._issue("missing-column", message, self.table.header_row, field.header)
            return
        position, name = typo
        header = self.headers.headers[position]
        self._issue("missing-column",
                    msg("{missing}; {typo}", missing=message,
                        typo=typo_text(self.table.column_number(position), header, name)),
                    self._header_row(position), header)

    def _total_rows(self, written: BoolArray) -> BoolArray:
        """The rows of totals or averages (合计, 平均...) under the branches: the last
        rows with anything written whose first written cell (a period filled down
        aside) names them."""
        total = np.zeros(len(written), dtype=bool)
        if self.table.cell_rows is not None:
            return total  # a TOML checklist is one branch
        labels = {self.headers.column_of(target) for target in self.row_labels}
        columns = [column for position, column in enumerate(self.table.columns)
                   if position not in labels]
        for index in np.flatnonzero(written)[::-1]:
            label = next((text for text in (cell_text(column.iloc[index]).strip()
                                            for column in columns) if text), "")
            if not is_total_label(label):
                break
            total[index] = True
            self._issue("total-row-skipped",
                        msg("a row of totals ({label!r}), not a branch; skipped", label=label),
                        int(self.table.rows[index]), None, severity="warning")
        return total

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
        typo = self.headers.suggested.get(position)
        if typo is None:
            self._issue(
                "unknown-column",
                msg("column {header!r} (column {number}) is not a field of the rubric; ignored",
                    header=header, number=self.table.column_number(position)),
                self._header_row(position), header, severity="warning",
            )
            return
        target, name = typo
        if target == BRANCH_ID or (target != BRANCH_NAME
                                   and self.rubric.missing_policy(target) == "error"):
            return  # said with the missing column, as an error
        what = (msg("the branch names") if target == BRANCH_NAME
                else msg("the field {header!r}", header=self.rubric.field(target).header))
        self._issue(
            "unknown-column",
            msg("column {header!r} (column {number}) is not a field of the rubric; {question} "
                "Until it is renamed, the column is ignored and {what} taken as blank",
                header=header, number=self.table.column_number(position),
                question=did_you_mean(name), what=what),
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

    def _branch_id_issues(self, missing: BoolArray, empty: BoolArray) -> None:
        """Rows with values but no branch id (``missing``); of them, those with every
        field blank (``empty``) are said to be so, their blank cells not one by one."""
        position = self.headers.column_of(BRANCH_ID)
        if position is None:
            typo = self._typo_of(BRANCH_ID)
            if typo is None:
                self._issue("missing-column", msg("no branch_id (编号) column"),
                            self.table.header_row, "branch_id")
            else:
                header = self.headers.headers[typo[0]]
                self._issue("missing-column", msg("{missing}; {typo}",
                                missing=missing_column_text(self.rubric, BRANCH_ID),
                                typo=typo_text(self.table.column_number(typo[0]), header,
                                               typo[1])),
                            self._header_row(typo[0]), header)
            return
        header = self.headers.headers[position]
        self._report(
            position, missing, header,
            lambda index: ("missing-branch-id", msg(
                "the row has no branch id and every field is blank; fill in the branch's id "
                "and its fields, or delete the row") if empty[index] else msg(
                "the row has values but no branch id; expected the branch's id")),
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
        flagged = flagged & rows
        if flagged.any():
            self._reported_cells[field.id] = flagged
        self._report(position, flagged, self.headers.headers[position], describe)
        if is_percent_field(field):
            self._fraction_issues(position, column, rows, written)

    def _fraction_issues(self, position: int, column: ParsedColumn, rows: BoolArray,
                         written: Callable[[int], str]) -> None:
        """A warning at each cell of a percent field holding a fraction (0.93 for 93%)."""
        raw = self.table.columns[position]
        fractions = fractions_for_percent(raw, column) & rows
        if not fractions.any():
            return

        def describe(index: int) -> tuple[str, Message]:
            value = column.values[index]
            percent = format(decimal.Decimal(repr(float(value))) * 100, "f")
            if "." in percent:
                percent = percent.rstrip("0").rstrip(".")
            return "fraction-for-percent", msg(
                "{shown} was written; did you mean {percent}? The field is a percentage (at "
                "most 100): the cell is read as {value}", shown=written(index), percent=percent,
                value=number_text(value))

        self._report(position, fractions, self.headers.headers[position], describe,
                     severity="warning")

    def _report(self, position: int, mask: BoolArray, column: str | None,
                describe: object, severity: str = "error") -> None:
        """Issues for the flagged cells of one column, at most MAX_ISSUES_PER_COLUMN."""
        assert callable(describe)
        flagged = np.flatnonzero(mask)
        if not len(flagged):
            return
        shown = flagged[:MAX_ISSUES_PER_COLUMN]
        rows = self.table.row_of(position, shown)
        for index, row in zip(shown.tolist(), rows.tolist(), strict=True):
            code, message = describe(index)
            self._issue(code, message, row, column, severity=severity)
        if len(flagged) > len(shown):
            more = len(flagged) - len(shown)
            self._issue("too-many-issues", msg("and {more} more problems of this kind in this "
                                               "column",
                                               more=more),
                        None, column, severity=severity)


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
