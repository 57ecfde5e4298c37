"""Read a rubric TOML file, check it against the format, and build the model.

:func:`load_rubric` returns a :class:`~inspect_score.rubric.model.Rubric` or raises
:class:`~inspect_score.errors.RubricError` with every problem found at once;
:func:`validate_rubric_file` returns the problems (errors and warnings) and
never raises for a bad rubric. Each problem is located as ``PATH:LINE`` with
the key path (``indicator[3].rule``, tables counted from 1); LINE is the line
of the offending key, or of its table's header when the key is absent.

Error codes (stable; tests assert them, never the wording):

- ``rubric-unreadable``: the file cannot be read.
- ``rubric-encoding``: the bytes are not UTF-8 (a UTF-8 byte-order mark is fine).
- ``toml-syntax``: not valid TOML.
- ``schema-missing``, ``schema-unsupported``: ``schema`` absent, or not 1 or 2.
- ``unknown-key``: a key the format does not have (a typo).
- ``key-not-for-rule``: a rule parameter on an item of another rule (``per`` on ``scale``).
- ``key-not-for-type``: ``choices`` on a non-choice field, ``min``/``max`` on a non-numeric one.
- ``missing-key``: a required key or table is absent.
- ``wrong-type``: a value of the wrong TOML type (or a non-finite number).
- ``empty-value``: a required string is blank.
- ``invalid-id``: a rubric id or field id breaks its syntax.
- ``duplicate-id``: an id used twice (fields; sections; items and vetoes together).
- ``duplicate-label``: two fields answer to the same checklist header (compared as headers
  are: spaces around, full-width forms and case do not count).
- ``reserved-id``: a section id that is a ranking column, a field id that is a checklist
  column, an item or veto id that is a column of points.csv (``branch_id``).
- ``reserved-label``: a field label that is the header of the id, name or rater column
  (``branch_id``, ``编号``, ``名称``...).
- ``unknown-option``: a value outside its list (``lang``, ``missing``, ``raters``, field ``type``).
- ``unknown-rule``: ``rule`` is not one of the seven rules.
- ``undeclared-field``: an item or veto names a field that is not declared.
- ``field-type-mismatch``: the field's type does not suit the rule (or the veto).
- ``invalid-op``: ``op`` unknown, or not ``==``/``!=`` on a choice field.
- ``invalid-value``: a condition's ``value`` does not suit its field.
- ``unknown-section``: an indicator names a section that does not exist.
- ``empty-section``: a section without indicators.
- ``section-max-mismatch``: a section's max is not the sum of its indicators' max.
- ``total-mismatch``: the sections' max do not add up to ``rubric.total``.
- ``non-positive-max``: an item's, section's or the rubric's full mark is not above 0.
- ``invalid-steps``: ``steps`` empty, malformed, not ascending, or points outside 0..max.
- ``invalid-points``: ``choice`` points not one per choice, or outside 0..max.
- ``invalid-share-fields``: ``fields`` of a ``share`` empty or repeated.
- ``scale-target``: a ``scale`` without exactly one of ``target`` / ``target_field``.
- ``non-positive-per``: ``per`` of ``deduct`` / ``count`` not above 0.
- ``invalid-choices``: a choice field's choices empty, blank or repeated.
- ``invalid-bounds``: a field's ``min`` above its ``max``.
- ``duplicate-grade``, ``grade-order``, ``last-grade-min``, ``last-grade-quota``,
  ``invalid-max-share``: the grade list breaks its rules.
- ``unknown-grade``: a veto caps at a grade that does not exist.
- ``missing-bonus-cap``, ``invalid-bonus-cap``: ``bonus_cap`` absent with bonuses, or below 0.
- ``invalid-trim``, ``invalid-precision``: out of range.
- ``number-too-large``: a number (a max, a total, a bound) beyond ±10**12: the
  outputs write scores as exact decimals with up to six places (a 64-bit integer
  of millionths), and 1e17 points came out as garbage.

Schema 2 (``schema = 2``; see the spec's rubric-format-2):

- ``schema-2-key``: a schema 2 key (or rule) in a schema 1 rubric.
- ``clause-shape``: a clause with none or several of the five shapes.
- ``key-not-for-shape``: a clause key of another shape (``per`` on a fault).
- ``non-positive-value``: a clause's ``points``, ``below`` or ``cap`` not above 0.
- ``invalid-placeholder``: an unknown ``{name}`` in a problem, rectify or headline text.
- ``group-member``: an alternative without ``applies_if`` and ``otherwise = "na"``.
- ``group-max-mismatch``, ``group-section``: alternatives of unequal max, or in two sections.
- ``section-parent``: a ``parent`` not defined earlier (a forward reference or a cycle).
- ``section-depth``: sections nested more than three levels deep.
- ``invalid-weight``, ``weight-on-child``: a weight not above 0, or on a child section.
- ``invalid-max-count``, ``invalid-min-count``, ``invalid-min-share``: quotas out of range.
- ``first-grade-min-quota``: ``min_share`` / ``min_count`` on the first grade.
- ``key-not-for-action``: ``grade`` on a zero/exclude veto, ``label`` on a non-exclude one.
- ``reference-field-used``: a rule, clause, veto or applies_if reads a reference field.
- ``zero-blank-earns``: a clause on a choice field, or a ``direct`` field with
  ``entry = "lost"``, under ``missing = "zero"`` (a literal blank would earn points).
- ``invalid-problem-min-lost``: ``problem_min_lost`` below 0.

Warning codes (the rubric still loads): ``unused-field`` (a declared field no
item or veto reads; text fields are exempt, they carry remarks),
``unreachable-grade`` (a grade min above the best possible total),
``veto-no-effect`` (a veto capping at the best grade), ``unused-bonus-cap``,
``unused-trim``.
"""

from __future__ import annotations

import hashlib
import math
import os
import re
import string
from collections.abc import Iterable, Mapping
from difflib import get_close_matches
from itertools import pairwise
from typing import Any, TypeGuard, cast

import attrs

# tomli is tomllib's source, shipped compiled: three times faster on a large
# rubric, with the same errors and the same values.
import tomli as tomllib

from inspect_score.errors import Issue, RubricError, Severity, errors_only
from inspect_score.rubric.model import (
    BRANCH_COLUMN_HEADERS,
    FIELD_TYPES,
    OPS,
    RULES,
    SCHEMA_2_RULES,
    CheckValue,
    Clause,
    ClauseShape,
    Condition,
    Field,
    FieldType,
    Grade,
    Item,
    ItemKind,
    Lang,
    MissingPolicy,
    Op,
    RaterMethod,
    Rubric,
    RuleName,
    Section,
    Veto,
    header_key,
)
from inspect_score.rubric.toml_lines import KeyLocator, KeyPath, render_key

__all__ = ["analyse_rubric_file", "load_rubric", "validate_rubric_file"]

SCHEMA = 1
SCHEMAS = (1, 2)
RUBRIC_ID = re.compile(r"[A-Za-z0-9_-]+")
FIELD_ID = re.compile(r"[a-z][a-z0-9_]*")
#: columns of the ranking a section column would clash with
RANKING_COLUMNS = ("rank", "branch_id", "branch_name", "total", "base", "bonus", "penalty",
                   "grade", "vetoed")
#: checklist columns that are not fields
CHECKLIST_COLUMNS = ("branch_id", "branch_name", "rater")
#: columns that stand beside the item ids in points.csv and its JSON records
ITEM_OUTPUT_COLUMNS = ("branch_id",)
LANGS: tuple[Lang, ...] = ("zh", "en")
MISSING_POLICIES: tuple[MissingPolicy, ...] = ("error", "zero", "na")
RATER_METHODS: tuple[RaterMethod, ...] = ("mean", "median", "trimmed_mean")
# Sums of float maxes (7.5 + 2.5 + ...) need not be exact.
TOLERANCE = 1e-9
_UTF8_BOM = b"\xef\xbb\xbf"

#: the parameters each rule takes, beside the keys every item has
RULE_PARAMS: dict[RuleName, tuple[str, ...]] = {
    "check": ("field", "op", "value"),
    "scale": ("field", "target", "target_field"),
    "deduct": ("field", "per"),
    "steps": ("field", "steps"),
    "choice": ("field", "points"),
    "share": ("fields",),
    "count": ("field", "per"),
    "clauses": ("clause",),
    "direct": ("field", "entry"),
}
ALL_PARAMS = tuple(dict.fromkeys(key for keys in RULE_PARAMS.values() for key in keys))
#: the field types each rule reads
RULE_FIELD_TYPES: dict[RuleName, tuple[FieldType, ...]] = {
    "check": ("int", "number", "bool", "choice"),
    "scale": ("int", "number"),
    "deduct": ("int", "number"),
    "steps": ("int", "number"),
    "choice": ("choice",),
    "share": ("bool",),
    "count": ("int", "number"),
    "clauses": (),
    "direct": ("int", "number"),
}
ITEM_KEYS = ("id", "section", "title", "max", "rule", "note")
TOP_KEYS = ("schema", "rubric", "field", "section", "indicator", "bonus", "penalty", "veto",
            "grade")
RUBRIC_KEYS = ("id", "title", "version", "lang", "total", "bonus_cap", "missing", "raters",
               "trim", "precision")
FIELD_KEYS = ("id", "label", "type", "min", "max", "help", "choices", "missing")
SECTION_KEYS = ("id", "title", "max")
VETO_KEYS = ("id", "title", "field", "op", "value", "grade")
GRADE_KEYS = ("name", "min", "max_share")
# Keys only schema 2 has: under schema 1 each is an error that names schema 2.
ITEM_KEYS_2 = ("applies_if", "otherwise", "group", "problem", "rectify", "headline",
               "problem_min_lost", "clause", "entry")
RUBRIC_KEYS_2 = ("subject", "issuer", "recipients", "problem_min_lost")
FIELD_KEYS_2 = ("reference",)
SECTION_KEYS_2 = ("parent", "weight")
VETO_KEYS_2 = ("action", "label", "rectify")
GRADE_KEYS_2 = ("max_count", "quota_rounding", "min_share", "min_count")
CLAUSE_KEYS = ("field", "fields", "any", "is", "op", "value", "points", "per", "below", "cap",
               "problem", "rectify")
#: the keys of each clause shape, beside cap, problem and rectify
SHAPE_KEYS: dict[ClauseShape, tuple[str, ...]] = {
    "fault": ("field", "is", "op", "value", "points"),
    "count": ("field", "per"),
    "shortfall": ("field", "below", "per"),
    "list": ("fields", "per"),
    "any": ("any", "points"),
}
OTHERWISE = ("full", "na", "zero")
ENTRIES = ("points", "lost")
VETO_ACTIONS = ("cap", "zero", "exclude")
QUOTA_ROUNDINGS = ("down", "nearest", "up")
#: placeholders a problem, rectify or headline text may use
PLACEHOLDERS = ("value", "short", "missing", "lost", "title")
#: sections nest at most this deep
MAX_DEPTH = 3
DEFAULT_EXCLUDE_LABEL: dict[Lang, str] = {"zh": "取消资格", "en": "excluded"}


def load_rubric(path: str | os.PathLike[str]) -> Rubric:
    """Read and check the rubric at ``path``; raise RubricError with every problem."""
    issues, rubric = _analyse(path)
    if rubric is None:
        raise RubricError(issues)
    return rubric


def validate_rubric_file(path: str | os.PathLike[str]) -> list[Issue]:
    """Every problem of the rubric at ``path``, errors and warnings; [] when clean."""
    return _analyse(path)[0]


def analyse_rubric_file(path: str | os.PathLike[str]) -> tuple[list[Issue], Rubric | None]:
    """Every problem of the rubric at ``path``, and the rubric where it has no error:
    what validating then loading gives, from one reading of the file."""
    return _analyse(path)


def _analyse(path: str | os.PathLike[str]) -> tuple[list[Issue], Rubric | None]:
    source = os.fspath(path)
    try:
        with open(source, "rb") as handle:
            data = handle.read()
    except OSError as error:
        reason = error.strerror or str(error)
        return [Issue("rubric-unreadable", f"cannot read the rubric: {reason}", source)], None
    text, issue = _decode(data, source)
    if issue is not None:
        return [issue], None
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        return [_syntax_issue(error, text, source)], None
    except RecursionError:
        message = "arrays or tables nested too deeply to read; a rubric needs two levels"
        return [Issue("toml-syntax", message, source)], None
    reader = _Reader(source, KeyLocator(text))
    rubric = _read_document(reader, document)
    # In file order, as an author fixes them.
    issues = sorted(reader.issues, key=lambda issue: issue.row or 0)
    if rubric is None or errors_only(issues):
        return issues, None
    return issues, attrs.evolve(rubric, source=source,
                                       sha256=hashlib.sha256(data).hexdigest())


def _decode(data: bytes, source: str) -> tuple[str, Issue | None]:
    """The file's text; a UTF-8 byte-order mark (Notepad writes one) is dropped."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        message = ("the file is UTF-16 (Notepad's \"Unicode\"); save it as UTF-8 "
                   "(另存为 → 编码 UTF-8)")
        return "", Issue("rubric-encoding", message, source, row=1)
    if data.startswith(_UTF8_BOM):
        data = data[len(_UTF8_BOM):]
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        byte = data[error.start]
        message = (f"the file is not UTF-8 (byte 0x{byte:02x} cannot be read; GBK or ANSI?); "
                   "save it as UTF-8 (另存为 → 编码 UTF-8)")
        return "", Issue("rubric-encoding", message, source, row=line)


def _syntax_issue(error: Exception, text: str, source: str) -> Issue:
    """tomllib says "... (at line 5, column 8)": keep the line apart, as PATH:LINE."""
    message = str(error)
    match = re.search(r"\s*\(at line (\d+), column \d+\)$", message)
    if match:
        return Issue("toml-syntax", message[: match.start()], source, row=int(match.group(1)))
    match = re.search(r"\s*\(at end of document\)$", message)
    if match:
        row = text.count("\n") + 1
        return Issue("toml-syntax", message[: match.start()] + " at the end of the file",
                     source, row=row)
    return Issue("toml-syntax", message, source)


# -- reporting --------------------------------------------------------------


class _Reader:
    """Collects issues, each located by the key path's line in the text."""

    def __init__(self, source: str, locator: KeyLocator) -> None:
        self.source = source
        self.locator = locator
        self.issues: list[Issue] = []
        #: the schema declared; schema 1 when absent or unsupported
        self.schema = 1
        #: the [[section]] tables as written (forward references are looked up there)
        self.document_sections: list[dict[str, Any]] = []

    def error(self, code: str, key: KeyPath, message: str) -> None:
        self._add(code, key, message, "error")

    def warn(self, code: str, key: KeyPath, message: str) -> None:
        self._add(code, key, message, "warning")

    def _add(self, code: str, key: KeyPath, message: str, severity: Severity) -> None:
        # A key of the root table that is absent is located at the file's start,
        # where the root table begins.
        row = self.locator.line_of(key) or 1
        self.issues.append(Issue(code, message, self.source, row=row,
                                 key=render_key(key) or None, severity=severity))

    @property
    def error_count(self) -> int:
        return len(errors_only(self.issues))

    def line(self, key: KeyPath) -> int:
        return self.locator.line_of(key) or 0


def _describe(value: object) -> str:
    """A TOML value as the author wrote it, with its TOML type."""
    kinds = [(bool, "boolean"), (int, "integer"), (float, "float"), (str, "string"),
             (list, "array"), (dict, "table")]
    kind = next((name for cls, name in kinds if isinstance(value, cls)), "date-time")
    if isinstance(value, bool):
        shown = "true" if value else "false"
    elif isinstance(value, str):
        shown = f'"{value}"'
    elif isinstance(value, (dict, list)):
        return f"a {kind}"
    else:
        shown = str(value)
    return f"{shown} ({kind})"


#: The largest magnitude of a number in a rubric (see ``number-too-large``).
NUMBER_LIMIT = 10**12


def _is_number(value: object) -> TypeGuard[int | float]:
    # bool is an int in Python, but `max = true` is not a number in a rubric.
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _fmt(number: float) -> str:
    """12.0 -> "12", 0.5 -> "0.5": numbers in messages as authors write them."""
    return f"{number:g}" if abs(number) < 1e15 else str(number)


def _one_of(options: Iterable[str]) -> str:
    return "expected one of " + ", ".join(options)


def _either(options: Iterable[str]) -> str:
    """("int", "number", "bool") -> "int, number or bool"."""
    names = list(options)
    return " or ".join([", ".join(names[:-1]), names[-1]]) if len(names) > 1 else names[0]


class _Table:
    """One TOML table of the rubric: typed access that records what was read.

    Every getter marks its key as read and reports a wrong type; ``finish``
    then reports the keys nobody read as unknown (or as belonging to another
    rule), so a typo can never change a score quietly.
    """

    def __init__(self, reader: _Reader, data: Mapping[str, Any], path: KeyPath) -> None:
        self.reader = reader
        self.data = data
        self.path = path
        self.read: set[str] = set()

    def key(self, name: str) -> KeyPath:
        return (*self.path, name)

    def has(self, name: str) -> bool:
        return name in self.data

    def raw(self, name: str) -> Any:
        self.read.add(name)
        return self.data.get(name)

    def error(self, code: str, name: str | None, message: str) -> None:
        self.reader.error(code, self.key(name) if name else self.path, message)

    def _missing(self, name: str, required: bool) -> None:
        if required:
            self.error("missing-key", name, f"missing required key '{name}'")

    def text(self, name: str, required: bool = False) -> str | None:
        value = self.raw(name)
        if value is None:
            self._missing(name, required)
            return None
        if not isinstance(value, str):
            self.error("wrong-type", name, f"expected a string, found {_describe(value)}")
            return None
        if required and not value.strip():
            self.error("empty-value", name, f"'{name}' is blank; expected some text")
            return None
        return value

    def number(self, name: str, required: bool = False) -> float | None:
        value = self.raw(name)
        if value is None:
            self._missing(name, required)
            return None
        if not _is_number(value):
            self.error("wrong-type", name, f"expected a number, found {_describe(value)}")
            return None
        if abs(value) > NUMBER_LIMIT:
            self.error("number-too-large", name,
                       f"is {_fmt(value)}; a rubric's numbers lie within ±{NUMBER_LIMIT:,}, "
                       "so that every score is written exactly with its decimals")
            return None
        return float(value)

    def integer(self, name: str) -> int | None:
        value = self.raw(name)
        if value is None:
            return None
        if not isinstance(value, int) or isinstance(value, bool):
            self.error("wrong-type", name, f"expected a whole number, found {_describe(value)}")
            return None
        return value

    def option(self, name: str, options: tuple[str, ...], required: bool = False,
               code: str = "unknown-option") -> str | None:
        value = self.text(name, required)
        if value is not None and value not in options:
            self.error(code, name, f"unknown {name} '{value}'; {_one_of(options)}")
            return None
        return value

    @property
    def schema_2(self) -> bool:
        return self.reader.schema == 2

    def finish(self, known: tuple[str, ...], rule: RuleName | None = None,
               schema_2: tuple[str, ...] = ()) -> None:
        """Report every key not read: unknown, a schema 2 key under schema 1, or a
        parameter of another rule."""
        if self.schema_2:
            known = known + schema_2
        for name in self.data:
            if name in self.read:
                continue
            if name in schema_2 and not self.schema_2:
                self.error("schema-2-key", name, f"'{name}' is a schema 2 key; declare "
                           "schema = 2 at the top of the file to use it")
                continue
            if rule is not None and name in ALL_PARAMS:
                takes = ", ".join(RULE_PARAMS[rule])
                self.error("key-not-for-rule", name,
                           f"'{name}' does not belong to rule '{rule}' (it takes {takes})")
                continue
            if rule is None and name in ALL_PARAMS and "rule" in known:
                continue  # the rule itself is wrong; its parameters cannot be judged
            expected = tuple(dict.fromkeys(known + (RULE_PARAMS[rule] if rule else ())))
            hint = get_close_matches(name, expected, n=1)
            guess = f"; did you mean '{hint[0]}'?" if hint else ""
            self.error("unknown-key", name,
                       f"unknown key '{name}'{guess} ({_one_of(expected)})")


# -- the document -----------------------------------------------------------


@attrs.define
class _Context:
    """What later checks need to know about what was read so far."""

    #: every field id given, valid table or not (avoids "undeclared" noise)
    declared: set[str] = attrs.Factory(set)
    fields: dict[str, Field] = attrs.Factory(dict)
    #: every field a rule or veto reads
    used: set[str] = attrs.Factory(set)
    grade_names: list[str] = attrs.Factory(list)
    grades_whole: bool = True
    #: schema 2: where each field is read (a key path), for reference and blank checks
    reads: list[tuple[str, KeyPath, str]] = attrs.Factory(list)
    #: schema 2: fields of direct items with entry = "lost"
    direct_lost: list[tuple[str, KeyPath]] = attrs.Factory(list)


def _read_document(reader: _Reader, document: dict[str, Any]) -> Rubric | None:
    _check_schema(reader, document)
    top = _Table(reader, document, ())
    rubric_table = _sub_table(reader, top, "rubric")
    context = _Context()
    fields = _read_fields(reader, _array(reader, top, "field", required=True), context)
    sections = _read_sections(reader, _array(reader, top, "section", required=True))
    # Schema 2 rubrics may be score-only.
    grade_tables = _array(reader, top, "grade", required=reader.schema != 2)
    grades = _read_grades(reader, grade_tables)
    context.grade_names = [grade.name for grade, _ in grades]
    context.grades_whole = len(grades) == len(grade_tables)
    items: dict[ItemKind, list[tuple[Item | None, _Table]]] = {}
    for kind in ("indicator", "bonus", "penalty"):
        tables = _array(reader, top, kind, required=kind == "indicator")
        items[kind] = [_read_item(reader, table, kind, context) for table in tables]
    vetoes = [_read_veto(reader, table, context)
              for table in _array(reader, top, "veto", required=False)]
    top.read.add("schema")
    top.finish(TOP_KEYS)
    settings = _read_settings(reader, rubric_table, has_bonus=bool(items["bonus"]))

    _check_unique_ids(reader, items.values(), vetoes)
    _check_sections(reader, sections, items["indicator"], settings)
    _check_groups(reader, items["indicator"])
    _check_grades(reader, grades, settings, whole=len(grades) == len(grade_tables))
    _check_references(reader, fields, context)
    if settings is not None:
        _check_zero_blanks(reader, settings["missing"], context)
    _warn_unused_fields(reader, fields, context)
    for veto, table in vetoes:
        # Only when every grade was read is grades[0] surely the best one.
        whole = len(grades) == len(grade_tables)
        if veto and grades and whole and veto.grade == grades[0][0].name:
            reader.warn("veto-no-effect", table.key("grade"),
                        f"veto grade '{veto.grade}' is the best grade: the veto changes nothing")

    if errors_only(reader.issues) or settings is None:
        return None
    label = DEFAULT_EXCLUDE_LABEL[settings["lang"]]
    return Rubric(
        fields=tuple(field for field, _ in fields if field),
        sections=tuple(section for section, _ in sections if section),
        indicators=tuple(item for item, _ in items["indicator"] if item),
        bonuses=tuple(item for item, _ in items["bonus"] if item),
        penalties=tuple(item for item, _ in items["penalty"] if item),
        vetoes=tuple(attrs.evolve(veto, label=veto.label or label)
                     if veto.action == "exclude" else veto
                     for veto, _ in vetoes if veto),
        grades=tuple(grade for grade, _ in grades),
        schema=reader.schema,
        **settings,
    )


def _check_schema(reader: _Reader, document: Mapping[str, Any]) -> None:
    schema = document.get("schema")
    if schema is None:
        reader.error("schema-missing", ("schema",),
                     f"missing 'schema = {SCHEMA}' at the top of the file")
    elif schema not in SCHEMAS or isinstance(schema, bool):
        reader.error("schema-unsupported", ("schema",),
                     f"schema is {_describe(schema)}; this version reads schema 1 or 2")
    else:
        reader.schema = int(schema)


def _sub_table(reader: _Reader, top: _Table, name: str) -> _Table | None:
    value = top.raw(name)
    if value is None:
        top.error("missing-key", name, f"missing the [{name}] table")
        return None
    if not isinstance(value, dict):
        top.error("wrong-type", name, f"expected a [{name}] table, found {_describe(value)}")
        return None
    return _Table(reader, value, (name,))


def _array(reader: _Reader, top: _Table, name: str, required: bool) -> list[_Table]:
    """The tables of ``[[name]]``, each with its 1-based key path."""
    value = top.raw(name)
    if value is None or value == []:
        if required:
            top.error("missing-key", name, f"the rubric has no [[{name}]] table")
        return []
    if not isinstance(value, list) or not all(isinstance(entry, dict) for entry in value):
        top.error("wrong-type", name,
                  f"expected [[{name}]] tables, found {_describe(value)}")
        return []
    return [_Table(reader, entry, (name, index)) for index, entry in enumerate(value, start=1)]


# -- [rubric] ---------------------------------------------------------------


def _read_settings(reader: _Reader, table: _Table | None,
                   has_bonus: bool) -> dict[str, Any] | None:
    """The [rubric] table as Rubric keyword arguments; None if unusable."""
    if table is None:
        return None
    before = reader.error_count
    rubric_id = table.text("id", required=True)
    if rubric_id is not None and not RUBRIC_ID.fullmatch(rubric_id):
        table.error("invalid-id", "id",
                    f"rubric id '{rubric_id}' may hold only letters, digits, '-' and '_'")
    title = table.text("title", required=True)
    version = table.text("version")
    lang = table.option("lang", LANGS) or "zh"
    total = table.number("total", required=True)
    if total is not None and total <= 0:
        table.error("non-positive-max", "total", f"total is {_fmt(total)}; expected above 0")
    bonus_cap = table.number("bonus_cap")
    if bonus_cap is None and table.schema_2 and not table.has("bonus_cap"):
        bonus_cap = math.inf  # schema 2: without a cap the bonuses add up
    elif bonus_cap is None and has_bonus and not table.has("bonus_cap"):
        table.error("missing-bonus-cap", "bonus_cap",
                    "the rubric has [[bonus]] items, so it needs bonus_cap (most bonus points)")
    elif bonus_cap is not None and bonus_cap < 0:
        table.error("invalid-bonus-cap", "bonus_cap",
                    f"bonus_cap is {_fmt(bonus_cap)}; expected 0 or more")
    elif bonus_cap is not None and not has_bonus:
        reader.warn("unused-bonus-cap", table.key("bonus_cap"),
                    "bonus_cap is set but the rubric has no [[bonus]] items")
    missing = table.option("missing", MISSING_POLICIES) or "error"
    raters = table.option("raters", RATER_METHODS) or "mean"
    trim = table.integer("trim")
    if trim is not None and trim < 0:
        table.error("invalid-trim", "trim", f"trim is {trim}; expected 0 or more")
    elif trim is not None and raters != "trimmed_mean":
        reader.warn("unused-trim", table.key("trim"),
                    f"trim is only used with raters = \"trimmed_mean\", not \"{raters}\"")
    precision = table.integer("precision")
    if precision is not None and not 0 <= precision <= 6:
        table.error("invalid-precision", "precision",
                    f"precision is {precision}; expected 0 to 6 decimals")
    extra: dict[str, Any] = {}
    if table.schema_2:
        for name in ("subject", "issuer", "recipients"):
            extra[name] = table.text(name)
        min_lost = _non_negative(table, "problem_min_lost")
        if min_lost is not None:
            extra["problem_min_lost"] = min_lost
    table.finish(RUBRIC_KEYS, schema_2=RUBRIC_KEYS_2)
    if reader.error_count > before or rubric_id is None or title is None or total is None:
        return None
    return {
        "id": rubric_id, "title": title, "version": version, "lang": lang, "total": total,
        "bonus_cap": bonus_cap or 0.0, "missing": missing, "raters": raters,
        "trim": 1 if trim is None else trim, "precision": 2 if precision is None else precision,
        **extra,
    }


def _non_negative(table: _Table, name: str) -> float | None:
    value = table.number(name)
    if value is not None and value < 0:
        table.error("invalid-problem-min-lost", name,
                    f"{name} is {_fmt(value)}; expected 0 or more")
        return None
    return value


# -- [[field]] --------------------------------------------------------------


def _read_fields(reader: _Reader, tables: list[_Table],
                 context: _Context) -> list[tuple[Field | None, _Table]]:
    fields = [(_read_field(reader, table), table) for table in tables]
    first_id: dict[str, _Table] = {}
    first_header: dict[str, tuple[_Table, str]] = {}
    for table in tables:
        field_id = table.data.get("id")
        if not isinstance(field_id, str):
            continue
        context.declared.add(field_id)
        if field_id in first_id:
            table.error("duplicate-id", "id", f"field id '{field_id}' is already used by "
                        f"{render_key(first_id[field_id].path)} (line "
                        f"{reader.line(first_id[field_id].path)})")
        else:
            first_id[field_id] = table
    # A checklist header may be a field's id or its label: each must name one
    # field, compared as the checklist loader compares headers (" 会议次数 " is
    # 会议次数), and none may be the header of the id, name or rater column.
    reserved = {header_key(header): header for header in BRANCH_COLUMN_HEADERS}
    for table in tables:
        for name in ("id", "label"):
            header = table.data.get(name)
            if not isinstance(header, str):
                continue
            key = header_key(header)
            if name == "label" and key in reserved:
                table.error("reserved-label", name,
                            f"label '{header}' is the header of the branch column "
                            f"'{reserved[key]}'; a checklist column would feed both")
                continue
            other, other_key = first_header.setdefault(key, (table, name))
            # Two equal ids are a duplicate id, reported above.
            if other is not table and "label" in (name, other_key):
                table.error("duplicate-label", name, f"header '{header}' already names the "
                            f"field of {render_key(other.path)} (line "
                            f"{reader.line(other.path)}); a checklist column would be "
                            "ambiguous")
    for field, _ in fields:
        if field is not None and field.id not in context.fields:
            context.fields[field.id] = field
    return fields


def _read_field(reader: _Reader, table: _Table) -> Field | None:
    before = reader.error_count
    field_id = table.text("id", required=True)
    if field_id is not None and not FIELD_ID.fullmatch(field_id):
        table.error("invalid-id", "id", f"field id '{field_id}' must be lower-case letters, "
                    "digits and '_', starting with a letter (e.g. meetings_held)")
    elif field_id in CHECKLIST_COLUMNS:
        table.error("reserved-id", "id",
                    f"'{field_id}' is a checklist column of its own; choose another field id")
    label = table.text("label")
    help_text = table.text("help")
    field_type = cast(FieldType | None, table.option("type", FIELD_TYPES, required=True))
    missing = cast(MissingPolicy | None, table.option("missing", MISSING_POLICIES))
    bounds: dict[str, float | None] = {"min": None, "max": None}
    for name in bounds:
        if table.has(name) and field_type in ("bool", "choice", "text"):
            table.raw(name)
            table.error("key-not-for-type", name,
                        f"'{name}' applies to int and number fields, not to a field of type "
                        f"{field_type}")
        else:
            bounds[name] = table.number(name)
    low, high = bounds["min"], bounds["max"]
    if low is not None and high is not None and low > high:
        table.error("invalid-bounds", "min", f"min {_fmt(low)} is above max {_fmt(high)}")
    choices = _read_choices(table, field_type)
    reference = False
    if table.schema_2 and table.has("reference"):
        value = table.raw("reference")
        if isinstance(value, bool):
            reference = value
        else:
            table.error("wrong-type", "reference", f"expected true or false, found "
                        f"{_describe(value)}")
    table.finish(FIELD_KEYS, schema_2=FIELD_KEYS_2)
    if reader.error_count > before or field_id is None or field_type is None:
        return None
    return Field(id=field_id, type=field_type, label=label, min=low, max=high, help=help_text,
                 choices=choices, missing=missing, reference=reference,
                 line=reader.line(table.path))


def _read_choices(table: _Table, field_type: str | None) -> tuple[str, ...]:
    if field_type != "choice":
        if table.has("choices"):
            table.raw("choices")
            if field_type is not None:
                table.error("key-not-for-type", "choices",
                            f"'choices' applies to choice fields, not to a field of type "
                            f"{field_type}")
        return ()
    value = table.raw("choices")
    if value is None:
        table.error("missing-key", "choices", "a choice field needs choices = [\"...\", ...]")
        return ()
    if not isinstance(value, list) or not all(isinstance(choice, str) for choice in value):
        table.error("wrong-type", "choices",
                    f"expected an array of strings, found {_describe(value)}")
        return ()
    if not value:
        table.error("invalid-choices", "choices", "choices is empty; expected at least one")
    elif any(not choice.strip() for choice in value):
        table.error("invalid-choices", "choices", "a choice is blank")
    elif len(set(value)) < len(value):
        repeated = sorted({choice for choice in value if value.count(choice) > 1})
        table.error("invalid-choices", "choices", f"repeated choices: {', '.join(repeated)}")
    return tuple(value)


# -- [[section]] ------------------------------------------------------------


def _read_sections(reader: _Reader,
                   tables: list[_Table]) -> list[tuple[Section | None, _Table]]:
    sections: list[tuple[Section | None, _Table]] = []
    seen: dict[str, _Table] = {}
    #: nesting depth of every section read so far (1 at the top)
    depths: dict[str, int] = {}
    reader.document_sections = [dict(table.data) for table in tables]
    for table in tables:
        before = reader.error_count
        section_id = table.text("id", required=True)
        if section_id is not None:
            if section_id in RANKING_COLUMNS:
                table.error("reserved-id", "id", f"section id '{section_id}' is a ranking "
                            f"column ({', '.join(RANKING_COLUMNS)}); choose another")
            if section_id in seen:
                table.error("duplicate-id", "id", f"section id '{section_id}' is already used "
                            f"by {render_key(seen[section_id].path)}")
            seen.setdefault(section_id, table)
        title = table.text("title", required=True)
        section_max = table.number("max", required=True)
        if section_max is not None and section_max <= 0:
            table.error("non-positive-max", "max",
                        f"max is {_fmt(section_max)}; expected above 0")
        parent, weight = _read_nesting(table, seen, depths) if table.schema_2 else (None, 1.0)
        table.finish(SECTION_KEYS, schema_2=SECTION_KEYS_2)
        section = None
        if reader.error_count == before and section_id and title and section_max:
            section = Section(id=section_id, title=title, max=section_max, parent=parent,
                              weight=weight, line=reader.line(table.path))
        if isinstance(section_id, str):
            depths.setdefault(section_id, depths.get(parent or "", 0) + 1)
        sections.append((section, table))
    return sections


def _read_nesting(table: _Table, seen: dict[str, _Table],
                  depths: dict[str, int]) -> tuple[str | None, float]:
    """A section's ``parent`` (defined earlier, at most three levels) and ``weight``."""
    parent = table.text("parent")
    own = table.data.get("id")
    if parent is not None:
        if parent == own or (parent not in depths and parent in _later_ids(table)):
            table.error("section-parent", "parent", f"parent '{parent}' is not a section "
                        "defined earlier; list a section after the one it sits in")
            parent = None
        elif parent not in depths:
            names = list(depths) or ["(none defined)"]
            table.error("unknown-section", "parent",
                        f"unknown section '{parent}'; {_one_of(names)}")
            parent = None
        elif depths[parent] >= MAX_DEPTH:
            table.error("section-depth", "parent", f"section '{own}' would sit "
                        f"{depths[parent] + 1} levels deep; sections nest at most {MAX_DEPTH} "
                        "levels")
            parent = None
    weight = table.number("weight")
    if weight is not None and weight <= 0:
        table.error("invalid-weight", "weight", f"weight is {_fmt(weight)}; expected above 0")
        weight = None
    elif weight is not None and table.has("parent"):
        table.error("weight-on-child", "weight", "only top-level sections are weighted; "
                    "a section inside another counts in its parent's points")
        weight = None
    return parent, 1.0 if weight is None else weight


def _later_ids(table: _Table) -> set[str]:
    """Section ids defined after this table (a forward reference names one)."""
    document = table.reader.document_sections
    index = int(table.path[1])
    return {str(entry.get("id")) for entry in document[index:] if isinstance(entry.get("id"), str)}


def _check_sections(reader: _Reader, sections: list[tuple[Section | None, _Table]],
                    indicators: list[tuple[Item | None, _Table]],
                    settings: dict[str, Any] | None) -> None:
    """Sections hold indicators (a group counted once) and child sections whose max
    add up to theirs; the top-level sections, times their weights, add up to total."""
    section_ids = [table.data.get("id") for _, table in sections]
    members: dict[str, list[float | None]] = {}
    groups_seen: set[tuple[str, str]] = set()
    # Sums are only worth checking when every indicator is in a known section
    # and every section is read: otherwise they repeat a problem already reported.
    # (A section left unread may be a child whose max counts in its parent's.)
    sums_known = reader.schema == 1 or all(section for section, _ in sections)
    for _, table in indicators:
        section_id = table.data.get("section")
        if not isinstance(section_id, str):
            sums_known = False
            continue
        if section_id not in section_ids:
            names = dict.fromkeys(name for name in section_ids if isinstance(name, str))
            table.error("unknown-section", "section",
                        f"unknown section '{section_id}'; {_one_of(names)}")
            sums_known = False
            continue
        group = table.data.get("group") if reader.schema == 2 else None
        if isinstance(group, str):
            # alternatives are one slot of the section: their (equal) max counts once
            if (section_id, group) in groups_seen:
                members.setdefault(section_id, [])
                continue
            groups_seen.add((section_id, group))
        item_max = table.data.get("max")
        maximum = float(item_max) if _is_number(item_max) else 0.0
        members.setdefault(section_id, []).append(maximum if maximum > 0 else None)
    children: dict[str, list[Section]] = {}
    for section, _ in sections:
        if section is not None and section.parent is not None:
            children.setdefault(section.parent, []).append(section)
    for section, table in sections:
        section_id = table.data.get("id")
        if not isinstance(section_id, str) or section_ids.count(section_id) > 1:
            sums_known = False
            continue
        maxes = members.get(section_id, [])
        kids = children.get(section_id, [])
        has_kids = any(other.data.get("parent") == section_id for _, other in sections)
        if section_id not in members and not has_kids:
            table.error("empty-section", "id", f"section '{section_id}' has no [[indicator]]")
            continue
        if section is None or None in maxes or not sums_known:
            sums_known = False
            continue
        added = sum(m for m in maxes if m is not None) + sum(kid.max for kid in kids)
        if abs(added - section.max) > TOLERANCE:
            parts = "its indicators" if not kids else "its indicators and sections"
            table.error("section-max-mismatch", "max", f"section '{section_id}' max is "
                        f"{_fmt(section.max)} but {parts} add up to {_fmt(added)}")
    if settings is None or not sums_known or not all(s for s, _ in sections):
        return
    tops = [section for section, _ in sections if section and section.parent is None]
    total = sum(section.max * section.weight for section in tops)
    if abs(total - settings["total"]) > TOLERANCE:
        parts = ", ".join(f"{section.id} {_fmt(section.max)}"
                          + (f" × {_fmt(section.weight)}" if section.weight != 1 else "")
                          for section in tops)
        which = "the sections' max" if all(s.weight == 1 for s in tops) else \
            "the sections' max times their weights"
        reader.error("total-mismatch", ("rubric", "total"),
                     f"total is {_fmt(settings['total'])} but {which} add up to "
                     f"{_fmt(total)} ({parts})")


def _check_groups(reader: _Reader, indicators: list[tuple[Item | None, _Table]]) -> None:
    """Alternatives: one section, equal max, each with applies_if and otherwise = "na"."""
    first: dict[str, tuple[Item, _Table]] = {}
    for item, table in indicators:
        if item is None or item.group is None:
            continue
        if item.applies_if is None or item.otherwise != "na":
            table.error("group-member", "group", f"indicator '{item.id}' of group "
                        f"'{item.group}' needs applies_if and otherwise = \"na\": "
                        "alternatives apply only where their condition holds")
        if item.group not in first:
            first[item.group] = (item, table)
            continue
        head, head_table = first[item.group]
        if item.section != head.section:
            table.error("group-section", "section", f"group '{item.group}' is in section "
                        f"'{head.section}' ({render_key(head_table.path)}); alternatives "
                        "share one section")
        elif abs(item.max - head.max) > TOLERANCE:
            table.error("group-max-mismatch", "max", f"max is {_fmt(item.max)} but "
                        f"'{head.id}' of group '{item.group}' has {_fmt(head.max)}; "
                        "alternatives have equal max")


# -- [[indicator]], [[bonus]], [[penalty]] ----------------------------------


def _read_item(reader: _Reader, table: _Table, kind: ItemKind,
               context: _Context) -> tuple[Item | None, _Table]:
    before = reader.error_count
    item_id = table.text("id", required=True)
    title = table.text("title", required=True)
    section = table.text("section", required=True) if kind == "indicator" else None
    item_max = table.number("max", required=True)
    if item_max is not None and item_max <= 0:
        table.error("non-positive-max", "max", f"max is {_fmt(item_max)}; expected above 0")
        item_max = None
    note = table.text("note")
    rule = _read_rule(table)
    params: dict[str, Any] = {}
    if rule is not None:
        params = _read_rule_params(table, rule, item_max, context)
    if table.schema_2:
        params.update(_read_item_2(table, kind, context))
    known = ITEM_KEYS if kind == "indicator" else tuple(k for k in ITEM_KEYS if k != "section")
    schema_2 = ITEM_KEYS_2 if kind == "indicator" else tuple(k for k in ITEM_KEYS_2
                                                              if k != "group")
    table.finish(known, rule, schema_2=schema_2)
    if reader.error_count > before or None in (item_id, title, item_max, rule):
        return None, table
    item = Item(kind=kind, id=cast(str, item_id), title=cast(str, title),
                max=cast(float, item_max), rule=cast(RuleName, rule), section=section,
                note=note, line=reader.line(table.path), **params)
    return item, table


def _read_rule(table: _Table) -> RuleName | None:
    """``rule``: one of the seven, or under schema 2 also ``clauses`` and ``direct``."""
    value = table.data.get("rule")
    if isinstance(value, str) and value in SCHEMA_2_RULES and not table.schema_2:
        table.raw("rule")
        table.error("schema-2-key", "rule", f"rule '{value}' is schema 2; declare schema = 2 "
                    "at the top of the file to use it")
        return None
    rules = RULES + SCHEMA_2_RULES if table.schema_2 else RULES
    return cast(RuleName | None, table.option("rule", rules, required=True, code="unknown-rule"))


def _read_item_2(table: _Table, kind: ItemKind, context: _Context) -> dict[str, Any]:
    """The keys schema 2 adds to every indicator, bonus and penalty."""
    params: dict[str, Any] = {}
    for name in ("problem", "rectify", "headline"):
        params[name] = _read_text_with_placeholders(table, name)
    min_lost = _non_negative(table, "problem_min_lost")
    if min_lost is not None:
        params["problem_min_lost"] = min_lost
    if table.has("applies_if"):
        params["applies_if"] = _read_applies_if(table, context)
    otherwise = table.option("otherwise", OTHERWISE)
    if otherwise is not None:
        params["otherwise"] = otherwise
        if not table.has("applies_if"):
            table.error("missing-key", "applies_if",
                        "otherwise says what the item scores where applies_if does not hold; "
                        "it needs applies_if")
    if kind == "indicator":
        params["group"] = table.text("group")
    return params


def _read_text_with_placeholders(table: _Table, name: str,
                                 allowed: tuple[str, ...] = PLACEHOLDERS) -> str | None:
    """A problem, rectify or headline text whose {placeholders} are all known."""
    text = table.text(name)
    if text is None:
        return None
    try:
        names = [field for _, field, _, _ in string.Formatter().parse(text) if field is not None]
    except ValueError as error:
        table.error("invalid-placeholder", name, f"{error}; write {{{{ and }}}} for a brace")
        return None
    unknown = [field for field in names if field not in allowed]
    if unknown:
        table.error("invalid-placeholder", name, f"unknown placeholder {{{unknown[0]}}}; "
                    f"{_one_of('{' + option + '}' for option in allowed)}")
        return None
    return text


def _read_applies_if(table: _Table, context: _Context) -> Condition | None:
    value = table.raw("applies_if")
    if not isinstance(value, dict):
        table.error("wrong-type", "applies_if", "expected a table such as "
                    f"{{ field = \"...\", is = true }}, found {_describe(value)}")
        return None
    inner = _Table(table.reader, value, table.key("applies_if"))
    condition = _read_clause_condition(inner, context, "applies_if")
    inner.finish(("field", "is", "op", "value"))
    return condition


def _read_clause_condition(table: _Table, context: _Context, purpose: str) -> Condition | None:
    """``field`` with ``is`` (a bool, a choice, or choices) or ``op`` + ``value``."""
    if table.has("is") and (table.has("op") or table.has("value")):
        table.raw("op"), table.raw("value"), table.raw("is")
        table.error("clause-shape", "is", "a condition has 'is' or 'op' and 'value', not both")
        return None
    allowed: tuple[FieldType, ...] = ("bool", "choice") if table.has("is") else \
        RULE_FIELD_TYPES["check"]
    field = _read_field_ref(table, "field", allowed, context,
                            f"{purpose} with 'is'" if table.has("is") else purpose)
    if field is not None:
        context.reads.append((field.id, table.key("field"), purpose))
    if not table.has("is"):
        checked = _read_condition(table, field)
        if checked is None:
            return None
        return Condition(field=cast(Field, field).id, op=checked[0], values=(checked[1],))
    value = table.raw("is")
    if field is None:
        return None
    if field.type == "bool":
        if not isinstance(value, bool):
            table.error("invalid-value", "is", f"is {_describe(value)} does not suit bool field "
                        f"'{field.id}'; expected true or false")
            return None
        return Condition(field=field.id, op="==", values=(value,))
    choices = value if isinstance(value, list) else [value]
    wrong = [choice for choice in choices if choice not in field.choices]
    if not choices or wrong:
        shown = _describe(wrong[0]) if wrong else "an empty array"
        table.error("invalid-value", "is", f"is {shown} is not a choice of field '{field.id}'; "
                    f"{_one_of(field.choices)}")
        return None
    return Condition(field=field.id, op="==", values=tuple(dict.fromkeys(choices)))


def _read_clauses(table: _Table, item_max: float | None,
                  context: _Context) -> tuple[Clause, ...]:
    value = table.raw("clause")
    if value is None or value == []:
        table.error("missing-key", "clause", "rule 'clauses' needs [[indicator.clause]] tables")
        return ()
    if not isinstance(value, list) or not all(isinstance(entry, dict) for entry in value):
        table.error("wrong-type", "clause", f"expected [[{table.path[0]}.clause]] tables, "
                    f"found {_describe(value)}")
        return ()
    clauses = []
    for index, entry in enumerate(value, start=1):
        clause = _read_clause(_Table(table.reader, entry, (*table.key("clause"), index)),
                              context)
        if clause is not None:
            clauses.append(clause)
    return tuple(clauses)


def _clause_shape(table: _Table) -> ClauseShape | None:
    """The one shape the clause's keys make; a clause-shape error for none or several."""
    marks: dict[ClauseShape, bool] = {
        "fault": table.has("is") or table.has("op") or table.has("value"),
        "shortfall": table.has("below"),
        "list": table.has("fields"),
        "any": table.has("any"),
    }
    found = [shape for shape, present in marks.items() if present]
    if not found and table.has("field") and table.has("per"):
        found = ["count"]
    if len(found) == 1:
        return found[0]
    keys = {"fault": "is / op + value", "shortfall": "below", "list": "fields", "any": "any"}
    if found:
        table.error("clause-shape", None, "a clause has exactly one shape; found "
                    + " and ".join(f"{shape} ({keys[shape]})" for shape in found))
    else:
        table.error("clause-shape", None, "a clause has exactly one shape; expected field + "
                    "is (or op + value) + points (a fault), field + per (a count), field + "
                    "below + per (a shortfall), fields + per (a list) or any + points (any)")
    return None


def _read_clause(table: _Table, context: _Context) -> Clause | None:
    before = table.reader.error_count
    shape = _clause_shape(table)
    if shape is None:
        for name in table.data:
            table.raw(name)
        return None
    params: dict[str, Any] = {"shape": shape}
    if shape == "fault":
        params["condition"] = _read_clause_condition(table, context, "a fault clause")
        params["field"] = table.data.get("field")
    elif shape in ("count", "shortfall"):
        field = _read_field_ref(table, "field", ("int", "number"), context,
                                f"a {shape} clause")
        if field is not None:
            context.reads.append((field.id, table.key("field"), "clause"))
        params["field"] = table.data.get("field")
        if shape == "shortfall":
            params["below"] = _positive(table, "below", required=True)
    else:
        params["fields"] = _read_bool_fields(table, shape, context)
    if shape in ("fault", "any"):
        params["points"] = _positive(table, "points", required=True)
    else:
        params["per"] = _positive(table, "per", required=True)
    cap = _positive(table, "cap")
    params["cap"] = cap
    params["problem"] = _read_text_with_placeholders(table, "problem")
    params["rectify"] = _read_text_with_placeholders(table, "rectify")
    for name in table.data:
        if name not in table.read and name in CLAUSE_KEYS:
            table.raw(name)
            table.error("key-not-for-shape", name, f"'{name}' does not belong to a {shape} "
                        f"clause (it takes {', '.join(SHAPE_KEYS[shape])}, cap, problem, "
                        "rectify)")
    table.finish(CLAUSE_KEYS)
    if table.reader.error_count > before:
        return None
    return Clause(line=table.reader.line(table.path), **params)


def _positive(table: _Table, name: str, required: bool = False) -> float | None:
    value = table.number(name, required=required)
    if value is not None and value <= 0:
        table.error("non-positive-per" if name == "per" else "non-positive-value", name,
                    f"{name} is {_fmt(value)}; expected above 0")
        return None
    return value


def _read_bool_fields(table: _Table, shape: ClauseShape, context: _Context) -> tuple[str, ...]:
    name = "fields" if shape == "list" else "any"
    value = table.raw(name)
    if not isinstance(value, list) or not all(isinstance(entry, str) for entry in value):
        table.error("wrong-type", name, f"expected an array of field ids, found "
                    f"{_describe(value)}")
        return ()
    if not value or len(set(value)) < len(value):
        table.error("invalid-share-fields", name, f"{name} is empty or lists a field twice")
    for field_id in value:
        context.used.add(field_id)
        if field_id not in context.declared:
            table.error("undeclared-field", name, f"field '{field_id}' is not declared")
        elif field_id in context.fields and context.fields[field_id].type != "bool":
            table.error("field-type-mismatch", name, f"a {shape} clause cannot read field "
                        f"'{field_id}' of type {context.fields[field_id].type}; it takes bool "
                        "fields")
        else:
            context.reads.append((field_id, table.key(name), "clause"))
    return tuple(value)


def _read_field_ref(table: _Table, name: str, allowed: tuple[FieldType, ...], context: _Context,
                    purpose: str) -> Field | None:
    """The declared field a key names, if it has a type ``purpose`` can read."""
    field_id = table.text(name, required=True)
    if field_id is None:
        return None
    context.used.add(field_id)
    if field_id not in context.declared:
        declared = sorted(context.declared) or ["(none declared)"]
        table.error("undeclared-field", name,
                    f"field '{field_id}' is not declared; {_one_of(declared)}")
        return None
    field = context.fields.get(field_id)
    if field is not None and field.type not in allowed:
        table.error("field-type-mismatch", name, f"{purpose} cannot read field '{field_id}' of "
                    f"type {field.type}; it takes {_either(allowed)} fields")
        return None
    return field


def _read_rule_params(table: _Table, rule: RuleName, item_max: float | None,
                      context: _Context) -> dict[str, Any]:
    allowed = RULE_FIELD_TYPES[rule]
    if rule == "share":
        return {"fields": _read_share_fields(table, context)}
    if rule == "clauses":
        return {"clauses": _read_clauses(table, item_max, context)}
    field = _read_field_ref(table, "field", allowed, context, f"rule '{rule}'")
    params: dict[str, Any] = {"field": table.data.get("field")}
    if field is not None:
        context.reads.append((field.id, table.key("field"), f"rule '{rule}'"))
    if rule == "direct":
        entry = table.option("entry", ENTRIES)
        if entry is not None:
            params["entry"] = entry
        if entry == "lost" and field is not None:
            context.direct_lost.append((field.id, table.key("field")))
    if rule == "check":
        condition = _read_condition(table, field)
        if condition is not None:
            params["op"], params["value"] = condition
    elif rule == "scale":
        has_target, has_field = table.has("target"), table.has("target_field")
        if has_target == has_field:
            found = "both" if has_target else "neither"
            table.error("scale-target", "target" if has_target else None,
                        f"rule 'scale' needs exactly one of target or target_field; found {found}")
        if has_target:
            params["target"] = table.number("target")
        if has_field:
            _read_field_ref(table, "target_field", allowed, context, "target_field")
            params["target_field"] = table.data.get("target_field")
    elif rule in ("deduct", "count"):
        per = table.number("per", required=True)
        if per is not None and per <= 0:
            table.error("non-positive-per", "per", f"per is {_fmt(per)}; expected above 0")
        params["per"] = per
    elif rule == "steps":
        params["steps"] = _read_steps(table, item_max)
    elif rule == "choice":
        params["points"] = _read_points(table, field, item_max)
    return params


def _read_condition(table: _Table, field: Field | None) -> tuple[Op, CheckValue] | None:
    """``op`` and ``value`` of a check or veto; on a bool field both default to == true."""
    is_bool = field is not None and field.type == "bool"
    # Without a usable field (already reported) a missing op or value is noise.
    required = field is not None and not is_bool
    op = table.text("op", required=required) or ("==" if is_bool else None)
    if op is not None and op not in OPS:
        table.error("invalid-op", "op", f"unknown op '{op}'; {_one_of(OPS)}")
        op = None
    elif op is not None and field is not None and field.type == "choice" and op not in ("==", "!="):
        table.error("invalid-op", "op", f"op '{op}' cannot compare choices of field "
                    f"'{field.id}'; expected == or !=")
        op = None
    value = table.raw("value")
    if value is None:
        if is_bool:
            value = True
        elif required:
            table.error("missing-key", "value", "missing required key 'value'")
    if field is None or value is None:
        return None
    checked: CheckValue | None = None
    if field.type == "bool":
        checked = value if isinstance(value, bool) else None
        expected = "true or false"
    elif field.type == "choice":
        checked = value if isinstance(value, str) and value in field.choices else None
        expected = "one of " + ", ".join(field.choices)
    else:
        checked = float(value) if _is_number(value) else None
        expected = "a number"
    if checked is None:
        table.error("invalid-value", "value", f"value {_describe(value)} does not suit "
                    f"{field.type} field '{field.id}'; expected {expected}")
        return None
    return (op, checked) if op is not None else None


def _read_share_fields(table: _Table, context: _Context) -> tuple[str, ...]:
    if table.has("field"):
        table.raw("field")
        table.error("key-not-for-rule", "field",
                    "rule 'share' reads 'fields' (a list of bool fields), not 'field'")
    value = table.raw("fields")
    if value is None:
        table.error("missing-key", "fields", "rule 'share' needs fields = [\"...\", ...]")
        return ()
    if not isinstance(value, list) or not all(isinstance(name, str) for name in value):
        table.error("wrong-type", "fields",
                    f"expected an array of field ids, found {_describe(value)}")
        return ()
    if not value:
        table.error("invalid-share-fields", "fields", "fields is empty; expected bool fields")
    elif len(set(value)) < len(value):
        table.error("invalid-share-fields", "fields", "a field is listed twice in fields")
    for name in value:
        context.used.add(name)
        context.reads.append((name, table.key("fields"), "rule 'share'"))
        if name not in context.declared:
            table.error("undeclared-field", "fields", f"field '{name}' is not declared")
        elif name in context.fields and context.fields[name].type != "bool":
            table.error("field-type-mismatch", "fields", f"rule 'share' cannot read field "
                        f"'{name}' of type {context.fields[name].type}; it takes bool fields")
    return tuple(value)


def _read_steps(table: _Table, item_max: float | None) -> tuple[tuple[float, float], ...]:
    value = table.raw("steps")
    if value is None:
        table.error("missing-key", "steps", "rule 'steps' needs steps = [[threshold, points], ...]")
        return ()
    pairs_ok = isinstance(value, list) and all(
        isinstance(pair, list) and len(pair) == 2 and all(_is_number(n) for n in pair)
        for pair in value)
    if not pairs_ok:
        table.error("invalid-steps", "steps",
                    "expected [[threshold, points], ...]: pairs of numbers")
        return ()
    steps = tuple((float(threshold), float(points)) for threshold, points in value)
    if not steps:
        table.error("invalid-steps", "steps", "steps is empty; expected at least one step")
    for (low, _), (high, _) in pairwise(steps):
        if high <= low:
            table.error("invalid-steps", "steps", f"thresholds must rise strictly; "
                        f"{_fmt(high)} follows {_fmt(low)}")
            break
    for threshold, points in steps:
        if item_max is not None and not 0 <= points <= item_max:
            table.error("invalid-steps", "steps", f"step [{_fmt(threshold)}, {_fmt(points)}] "
                        f"gives points outside 0..{_fmt(item_max)}")
            break
    return steps


def _read_points(table: _Table, field: Field | None,
                 item_max: float | None) -> tuple[tuple[str, float], ...]:
    value = table.raw("points")
    if value is None:
        table.error("missing-key", "points",
                    "rule 'choice' needs points = { \"choice\" = points, ... }")
        return ()
    if not isinstance(value, dict):
        table.error("wrong-type", "points", f"expected a table, found {_describe(value)}")
        return ()
    for choice, points in value.items():
        if not _is_number(points):
            table.reader.error("wrong-type", (*table.key("points"), choice),
                               f"expected a number, found {_describe(points)}")
        elif item_max is not None and not 0 <= points <= item_max:
            table.reader.error("invalid-points", (*table.key("points"), choice),
                               f"'{choice}' gives {_fmt(points)} points; "
                               f"expected 0..{_fmt(item_max)}")
    if field is None:
        return ()
    for choice in value:
        if choice not in field.choices:
            table.reader.error("invalid-points", (*table.key("points"), choice),
                               f"'{choice}' is not a choice of field '{field.id}'; "
                               f"{_one_of(field.choices)}")
    absent = [choice for choice in field.choices if choice not in value]
    if absent:
        table.error("invalid-points", "points",
                    f"no points for choice {', '.join(absent)} of field '{field.id}'")
        return ()
    # In the field's choice order, whatever order the author wrote them in.
    return tuple((choice, float(value[choice])) for choice in field.choices
                 if _is_number(value[choice]))


# -- [[veto]] ---------------------------------------------------------------


def _read_veto(reader: _Reader, table: _Table,
               context: _Context) -> tuple[Veto | None, _Table]:
    before = reader.error_count
    veto_id = table.text("id", required=True)
    title = table.text("title", required=True)
    field = _read_field_ref(table, "field", RULE_FIELD_TYPES["check"], context, "a veto")
    if field is not None:
        context.reads.append((field.id, table.key("field"), "a veto"))
    condition = _read_condition(table, field)
    action = table.option("action", VETO_ACTIONS) if table.schema_2 else None
    if action is None and not table.has("action"):
        action = "cap"
    extra: dict[str, Any] = {}
    grade: str | None = ""
    if action is None:  # unknown (reported): what else belongs cannot be judged
        for name in ("grade", "label"):
            table.raw(name)
    elif action == "cap":
        grade = table.text("grade", required=True)
        # Without any readable grade (already reported) every name would be unknown.
        if grade is not None and context.grade_names and grade not in context.grade_names:
            table.error("unknown-grade", "grade",
                        f"unknown grade '{grade}'; {_one_of(context.grade_names)}")
        elif (grade is not None and not context.grade_names and context.grades_whole
              and table.schema_2):
            table.error("unknown-grade", "grade", "the rubric has no [[grade]]; a veto "
                        "without grades can only have action = \"zero\" or \"exclude\"")
    else:
        _not_for_action(table, "grade", action)
    if table.schema_2:
        if action == "exclude":
            extra["label"] = table.text("label", required=table.has("label")) or ""
        elif action is not None:
            _not_for_action(table, "label", action)
        extra["rectify"] = _read_text_with_placeholders(table, "rectify", ("title",))
    table.finish(VETO_KEYS, schema_2=VETO_KEYS_2)
    if reader.error_count > before or None in (veto_id, title, field, condition, grade, action):
        return None, table
    op, value = cast(tuple[Op, CheckValue], condition)
    veto = Veto(id=cast(str, veto_id), title=cast(str, title), field=cast(Field, field).id,
                op=op, value=value, grade=cast(str, grade), action=cast(Any, action),
                line=reader.line(table.path), **extra)
    return veto, table


def _not_for_action(table: _Table, name: str, action: str) -> None:
    if table.has(name):
        table.raw(name)
        why = "a veto with action = \"exclude\" has no grade (its row shows its label)" \
            if name == "grade" else f"'{name}' is for action = \"exclude\" only"
        table.error("key-not-for-action", name, f"'{name}' does not belong to action "
                    f"'{action}': {why}")


# -- [[grade]] --------------------------------------------------------------


def _read_grades(reader: _Reader, tables: list[_Table]) -> list[tuple[Grade, _Table]]:
    """The grades that could be read; ordering rules are checked later."""
    grades: list[tuple[Grade, _Table]] = []
    for table in tables:
        before = reader.error_count
        name = table.text("name", required=True)
        grade_min = table.number("min", required=True)
        share = _share(table, "max_share")
        quotas: dict[str, Any] = {}
        if table.schema_2:
            quotas["max_count"] = _count(table, "max_count")
            quotas["min_share"] = _share(table, "min_share")
            quotas["min_count"] = _count(table, "min_count")
            rounding = table.option("quota_rounding", QUOTA_ROUNDINGS)
            if rounding is not None:
                quotas["quota_rounding"] = rounding
        table.finish(GRADE_KEYS, schema_2=GRADE_KEYS_2)
        if reader.error_count == before and name is not None and grade_min is not None:
            grades.append((Grade(name=name, min=grade_min, max_share=share,
                                 line=reader.line(table.path), **quotas), table))
    return grades


def _share(table: _Table, name: str) -> float | None:
    share = table.number(name)
    if share is not None and not 0 < share <= 1:
        table.error(f"invalid-{name.replace('_', '-')}", name,
                    f"{name} is {_fmt(share)}; expected a share above 0 and at most 1")
        return None
    return share


def _count(table: _Table, name: str) -> int | None:
    count = table.integer(name)
    if count is not None and count < 1:
        table.error(f"invalid-{name.replace('_', '-')}", name,
                    f"{name} is {count}; expected a whole number of branches, 1 or more")
        return None
    return count


def _check_grades(reader: _Reader, grades: list[tuple[Grade, _Table]],
                  settings: dict[str, Any] | None, whole: bool) -> None:
    """Names unique, mins falling to 0, no quota on the last; ``whole`` when all were read."""
    seen: set[str] = set()
    for grade, table in grades:
        if grade.name in seen:
            table.error("duplicate-grade", "name", f"grade '{grade.name}' is listed twice")
        seen.add(grade.name)
    if not whole:
        return  # a grade left out (already reported) would make order checks wrong
    for (upper, _), (lower, table) in pairwise(grades):
        if lower.min >= upper.min:
            table.error("grade-order", "min", f"min {_fmt(lower.min)} must be below the min of "
                        f"'{upper.name}' above it ({_fmt(upper.min)}): list grades best first")
    if grades:
        last, table = grades[-1]
        if last.min != 0:
            table.error("last-grade-min", "min",
                        f"the last grade '{last.name}' has min {_fmt(last.min)}; expected 0, "
                        "so that every total gets a grade")
        for key in ("max_share", "max_count"):
            if getattr(last, key) is not None:
                table.error("last-grade-quota", key,
                            f"the last grade '{last.name}' cannot have a quota: "
                            "every branch must be able to get it")
        first, table = grades[0]
        for key in ("min_share", "min_count"):
            if getattr(first, key) is not None and len(grades) > 1:
                table.error("first-grade-min-quota", key, f"'{key}' on the first grade "
                            f"'{first.name}' would hold for every branch: a lower quota "
                            "belongs on a grade below it")
    if settings is None:
        return
    best = settings["total"] + settings["bonus_cap"]
    for grade, table in grades:
        if grade.min > best:
            reader.warn("unreachable-grade", table.key("min"), f"min {_fmt(grade.min)} is above "
                        f"the best possible total {_fmt(best)}: no branch can get "
                        f"'{grade.name}'")


# -- across tables ----------------------------------------------------------


def _check_unique_ids(reader: _Reader, items: Iterable[list[tuple[Item | None, _Table]]],
                      vetoes: list[tuple[Veto | None, _Table]]) -> None:
    """Indicators, bonuses, penalties and vetoes share one namespace in outputs."""
    tables = [table for entries in items for _, table in entries]
    tables += [table for _, table in vetoes]
    first: dict[str, _Table] = {}
    for table in tables:
        item_id = table.data.get("id")
        if not isinstance(item_id, str):
            continue
        if item_id in ITEM_OUTPUT_COLUMNS:
            table.error("reserved-id", "id",
                        f"id '{item_id}' is a column of points.csv beside the item ids; "
                        "choose another id")
        if item_id in first:
            table.error("duplicate-id", "id", f"id '{item_id}' is already used by "
                        f"{render_key(first[item_id].path)} (line "
                        f"{reader.line(first[item_id].path)})")
        else:
            first[item_id] = table


def _check_references(reader: _Reader, fields: list[tuple[Field | None, _Table]],
                      context: _Context) -> None:
    """A reference field is shown, never scored: no rule, clause, veto or applies_if reads it."""
    references = {field.id for field, _ in fields if field is not None and field.reference}
    for field_id, key, purpose in context.reads:
        if field_id in references:
            reader.error("reference-field-used", key, f"field '{field_id}' is a reference "
                         f"field (reference = true): {purpose} cannot read it")


def _check_zero_blanks(reader: _Reader, missing: MissingPolicy, context: _Context) -> None:
    """Under missing = "zero" a blank choice in a clause, or a blank in a direct "lost"
    cell, would earn points: such a field needs another policy."""
    for field_id, key, purpose in context.reads:
        field = context.fields.get(field_id)
        if field is None or (field.missing or missing) != "zero":
            continue
        if purpose == "a fault clause" and field.type == "choice":
            reader.error("zero-blank-earns", key, f"field '{field_id}' is a choice read by a "
                         "clause under missing = \"zero\": a blank would cost nothing; give "
                         "the field missing = \"error\" or \"na\"")
    for field_id, key in context.direct_lost:
        field = context.fields.get(field_id)
        if field is not None and (field.missing or missing) == "zero":
            reader.error("zero-blank-earns", key, f"field '{field_id}' holds points taken off "
                         "(entry = \"lost\") under missing = \"zero\": a blank would take "
                         "nothing off; give the field missing = \"error\" or \"na\"")


def _warn_unused_fields(reader: _Reader, fields: list[tuple[Field | None, _Table]],
                        context: _Context) -> None:
    for field, table in fields:
        if (field is not None and field.type != "text" and not field.reference
                and field.id not in context.used):
            reader.warn("unused-field", table.key("id"),
                        f"field '{field.id}' is declared but no item or veto reads it")
