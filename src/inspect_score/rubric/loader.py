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
import unicodedata
from collections.abc import Iterable, Mapping
from difflib import get_close_matches
from itertools import pairwise
from typing import Any, TypeGuard, cast

import attrs

# tomli is tomllib's source, shipped compiled: three times faster on a large
# rubric, with the same errors and the same values.
import tomli as tomllib

from inspect_score.errors import Issue, RubricError, Severity, errors_only
from inspect_score.messages import Message, listing, msg
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
from inspect_score.rubric.toml_errors import describe_syntax_error
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
               "problem", "rectify", "applies_if")
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


def rubric_language(path: str | os.PathLike[str]) -> Lang | None:
    """The ``lang`` of the rubric at ``path`` (its default when absent, in a rubric too
    broken to parse too), read before the rubric is checked, so that its own errors
    are said in its language; None when the file is no TOML rubric at all."""
    try:
        with open(path, "rb") as handle:
            text = handle.read().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return None
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        # a rubric too broken to parse still says which language it is in, or is in
        # the default one where it has no lang line
        found = re.search(r'^\s*lang\s*=\s*["\'](zh|en)["\']', text, re.MULTILINE)
        if found:
            return cast(Lang, found.group(1))
        return "zh" if re.search(r"^\s*schema\s*=", text, re.MULTILINE) else None
    table = document.get("rubric")
    if "schema" not in document or not isinstance(table, dict):
        return None
    lang = table.get("lang", "zh")
    return cast(Lang, lang) if lang in LANGS else None


def is_rubric_file(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` is a TOML file that says it is a rubric (it has ``schema``),
    well formed or not: what tells a rubric from a checklist given in its place."""
    try:
        with open(path, "rb") as handle:
            document = tomllib.loads(handle.read().decode("utf-8-sig"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return False
    return "schema" in document


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
        return [Issue("rubric-unreadable", msg("cannot read the rubric: {reason}", reason=reason),
                      source)], None
    text, issue = _decode(data, source)
    if issue is not None:
        return [issue], None
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        return [_syntax_issue(error, source)], None
    except RecursionError:
        return [Issue("toml-syntax", msg("arrays or tables nested too deeply to read; a rubric "
                                         "needs two levels"), source)], None
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
        return "", Issue("rubric-encoding", msg(
            "the file is UTF-16 (Notepad's \"Unicode\"); save it as UTF-8 (另存为 → 编码 UTF-8)"),
            source, row=1)
    if data.startswith(_UTF8_BOM):
        data = data[len(_UTF8_BOM):]
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        byte = data[error.start]
        return "", Issue("rubric-encoding", msg(
            "the file is not UTF-8 (byte 0x{byte:02x} cannot be read; GBK or ANSI?); "
            "save it as UTF-8 (另存为 → 编码 UTF-8)", byte=byte), source, row=line)


def _syntax_issue(error: tomllib.TOMLDecodeError, source: str) -> Issue:
    """A TOML syntax error at its line and the key of that line, in the reader's words."""
    problem = describe_syntax_error(error)
    return Issue("toml-syntax", problem.message, source, row=problem.row, key=problem.key)


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


def _describe(value: object) -> Message:
    """A TOML value as the author wrote it, with its TOML type."""
    kinds = [(bool, "boolean"), (int, "integer"), (float, "float"), (str, "string"),
             (list, "array"), (dict, "table")]
    kind = next((name for cls, name in kinds if isinstance(value, cls)), "date-time")
    if isinstance(value, bool):
        shown = "true" if value else "false"
    elif isinstance(value, str):
        shown = f'"{value}"'
    elif isinstance(value, (dict, list)):
        return msg("a {kind}", kind=kind)
    else:
        shown = str(value)
    # the TOML type names stay as TOML says them, in every language
    return msg("{shown} ({kind})", shown=shown, kind=kind)


#: The largest magnitude of a number in a rubric (see ``number-too-large``).
NUMBER_LIMIT = 10**12


def _is_number(value: object) -> TypeGuard[int | float]:
    # bool is an int in Python, but `max = true` is not a number in a rubric.
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _fmt(number: float) -> str:
    """12.0 -> "12", 0.5 -> "0.5": numbers in messages as authors write them."""
    return f"{number:g}" if abs(number) < 1e15 else str(number)


#: What a bool condition may say besides true and false: the words a checklist takes
#: for yes and no, as text (compared without case or surrounding spaces).
BOOL_WORDS = {"true": True, "yes": True, "是": True, "false": False, "no": False, "否": False}


def bool_word(value: object) -> bool | None:
    """A bool condition's value: true/false, or "是"/"否", "yes"/"no", "true"/"false"
    in any case; None for anything else."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return BOOL_WORDS.get(unicodedata.normalize("NFKC", value).strip().casefold())
    return None


def _one_of(options: Iterable[str]) -> Message:
    return msg("expected one of {options}", options=listing(options))


def _either(options: Iterable[str]) -> Message | str:
    """("int", "number", "bool") -> "int, number or bool"."""
    names = list(options)
    if len(names) == 1:
        return names[0]
    return msg("{some} or {last}", some=listing(names[:-1]), last=names[-1])


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
            self.error("missing-key", name, msg("missing required key '{name}'", name=name))

    def text(self, name: str, required: bool = False) -> str | None:
        value = self.raw(name)
        if value is None:
            self._missing(name, required)
            return None
        if not isinstance(value, str):
            self.error("wrong-type", name, msg("expected a string, found {value}",
                                               value=_describe(value)))
            return None
        if required and not value.strip():
            self.error("empty-value", name, msg("'{name}' is blank; expected some text", name=name))
            return None
        return value

    def number(self, name: str, required: bool = False) -> float | None:
        value = self.raw(name)
        if value is None:
            self._missing(name, required)
            return None
        if not _is_number(value):
            self.error("wrong-type", name, msg("expected a number, found {value}",
                                               value=_describe(value)))
            return None
        if abs(value) > NUMBER_LIMIT:
            self.error("number-too-large", name,
                       msg("is {value}; a rubric's numbers lie within ±{limit:,}, so that "
                           "every score is written exactly with its decimals",
                           value=_fmt(value), limit=NUMBER_LIMIT))
            return None
        return float(value)

    def integer(self, name: str) -> int | None:
        value = self.raw(name)
        if value is None:
            return None
        if not isinstance(value, int) or isinstance(value, bool):
            self.error("wrong-type", name, msg("expected a whole number, found {value}",
                                               value=_describe(value)))
            return None
        return value

    def option(self, name: str, options: tuple[str, ...], required: bool = False,
               code: str = "unknown-option") -> str | None:
        value = self.text(name, required)
        if value is not None and value not in options:
            self.error(code, name, msg("unknown {name} '{value}'; {expected}",
                                       name=name, value=value, expected=_one_of(options)))
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
                self.error("schema-2-key", name, msg("'{name}' is a schema 2 key; declare schema "
                                                     "= 2 at the top of the file to use it",
                                                     name=name))
                continue
            if rule is not None and name in ALL_PARAMS:
                takes = listing(RULE_PARAMS[rule])
                self.error("key-not-for-rule", name,
                           msg("'{name}' does not belong to rule '{rule}' (it takes {takes})",
                               name=name, rule=rule, takes=takes))
                continue
            if rule is None and name in ALL_PARAMS and "rule" in known:
                continue  # the rule itself is wrong; its parameters cannot be judged
            expected = tuple(dict.fromkeys(known + (RULE_PARAMS[rule] if rule else ())))
            hint = get_close_matches(name, expected, n=1)
            guess = msg("; did you mean '{hint}'?", hint=hint[0]) if hint else ""
            self.error("unknown-key", name,
                       msg("unknown key '{name}'{guess} ({expected})",
                           name=name, guess=guess, expected=_one_of(expected)))


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
                        msg("veto grade '{grade}' is the best grade: the veto changes nothing",
                            grade=veto.grade))

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
                     msg("missing 'schema = {schema_version}' at the top of the file",
                         schema_version=SCHEMA))
    elif schema not in SCHEMAS or isinstance(schema, bool):
        reader.error("schema-unsupported", ("schema",),
                     msg("schema is {schema}; this version reads schema 1 or 2",
                         schema=_describe(schema)))
    else:
        reader.schema = int(schema)


def _sub_table(reader: _Reader, top: _Table, name: str) -> _Table | None:
    value = top.raw(name)
    if value is None:
        top.error("missing-key", name, msg("missing the [{name}] table", name=name))
        return None
    if not isinstance(value, dict):
        top.error("wrong-type", name, msg("expected a [{name}] table, found {value}",
                                          name=name, value=_describe(value)))
        return None
    return _Table(reader, value, (name,))


def _array(reader: _Reader, top: _Table, name: str, required: bool) -> list[_Table]:
    """The tables of ``[[name]]``, each with its 1-based key path."""
    value = top.raw(name)
    if value is None or value == []:
        if required:
            top.error("missing-key", name, msg("the rubric has no [[{name}]] table", name=name))
        return []
    if not isinstance(value, list) or not all(isinstance(entry, dict) for entry in value):
        top.error("wrong-type", name,
                  msg("expected [[{name}]] tables, found {value}",
                      name=name, value=_describe(value)))
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
                    msg("rubric id '{rubric_id}' may hold only letters, digits, '-' and '_'",
                        rubric_id=rubric_id))
    title = table.text("title", required=True)
    version = table.text("version")
    lang = table.option("lang", LANGS) or "zh"
    total = table.number("total", required=True)
    if total is not None and total <= 0:
        table.error("non-positive-max", "total", msg("total is {total}; expected above 0",
                                                     total=_fmt(total)))
    bonus_cap = table.number("bonus_cap")
    if bonus_cap is None and table.schema_2 and not table.has("bonus_cap"):
        bonus_cap = math.inf  # schema 2: without a cap the bonuses add up
    elif bonus_cap is None and has_bonus and not table.has("bonus_cap"):
        table.error("missing-bonus-cap", "bonus_cap",
                    msg("the rubric has [[bonus]] items, so it needs bonus_cap (most bonus "
                        "points)"))
    elif bonus_cap is not None and bonus_cap < 0:
        table.error("invalid-bonus-cap", "bonus_cap",
                    msg("bonus_cap is {bonus_cap}; expected 0 or more", bonus_cap=_fmt(bonus_cap)))
    elif bonus_cap is not None and not has_bonus:
        reader.warn("unused-bonus-cap", table.key("bonus_cap"),
                    msg("bonus_cap is set but the rubric has no [[bonus]] items"))
    missing = table.option("missing", MISSING_POLICIES) or "error"
    raters = table.option("raters", RATER_METHODS) or "mean"
    trim = table.integer("trim")
    if trim is not None and trim < 0:
        table.error("invalid-trim", "trim", msg("trim is {trim}; expected 0 or more", trim=trim))
    elif trim is not None and raters != "trimmed_mean":
        reader.warn("unused-trim", table.key("trim"),
                    msg('trim is only used with raters = "trimmed_mean", not "{raters}"',
                        raters=raters))
    precision = table.integer("precision")
    if precision is not None and not 0 <= precision <= 6:
        table.error("invalid-precision", "precision",
                    msg("precision is {precision}; expected 0 to 6 decimals", precision=precision))
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
                    msg("{name} is {value}; expected 0 or more", name=name, value=_fmt(value)))
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
            table.error("duplicate-id", "id", msg("field id '{field_id}' is already used by "
                                                  "{key} (line {line})",
                                                  field_id=field_id,
                                                  key=render_key(first_id[field_id].path),
                                                  line=reader.line(first_id[field_id].path)))
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
                            msg("label '{header}' is the header of the branch column "
                                "'{reserved}'; a checklist column would feed both",
                                header=header, reserved=reserved[key]))
                continue
            other, other_key = first_header.setdefault(key, (table, name))
            # Two equal ids are a duplicate id, reported above.
            if other is not table and "label" in (name, other_key):
                table.error("duplicate-label", name, msg(
                    "header '{header}' already names the field of {key} (line {line}); a "
                    "checklist column would be ambiguous", header=header,
                    key=render_key(other.path), line=reader.line(other.path)))
    for field, _ in fields:
        if field is not None and field.id not in context.fields:
            context.fields[field.id] = field
    return fields


def _read_field(reader: _Reader, table: _Table) -> Field | None:
    before = reader.error_count
    field_id = table.text("id", required=True)
    if field_id is not None and not FIELD_ID.fullmatch(field_id):
        table.error("invalid-id", "id", msg("field id '{field_id}' must be lower-case letters, "
                                            "digits and '_', starting with a letter (e.g. "
                                            "meetings_held)",
                                            field_id=field_id))
    elif field_id in CHECKLIST_COLUMNS:
        table.error("reserved-id", "id",
                    msg("'{field_id}' is a checklist column of its own; choose another field id",
                        field_id=field_id))
    label = table.text("label")
    help_text = table.text("help")
    field_type = cast(FieldType | None, table.option("type", FIELD_TYPES, required=True))
    missing = cast(MissingPolicy | None, table.option("missing", MISSING_POLICIES))
    bounds: dict[str, float | None] = {"min": None, "max": None}
    for name in bounds:
        if table.has(name) and field_type in ("bool", "choice", "text"):
            table.raw(name)
            table.error("key-not-for-type", name,
                        msg("'{name}' applies to int and number fields, not to a field of type "
                            "{field_type}",
                            name=name, field_type=field_type))
        else:
            bounds[name] = table.number(name)
    low, high = bounds["min"], bounds["max"]
    if low is not None and high is not None and low > high:
        table.error("invalid-bounds", "min", msg("min {low} is above max {high}",
                                                 low=_fmt(low), high=_fmt(high)))
    choices = _read_choices(table, field_type)
    reference = False
    if table.schema_2 and table.has("reference"):
        value = table.raw("reference")
        if isinstance(value, bool):
            reference = value
        else:
            table.error("wrong-type", "reference", msg("expected true or false, found {value}",
                                                       value=_describe(value)))
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
                            msg("'choices' applies to choice fields, not to a field of type "
                                "{field_type}",
                                field_type=field_type))
        return ()
    value = table.raw("choices")
    if value is None:
        table.error("missing-key", "choices", msg('a choice field needs choices = ["...", ...]'))
        return ()
    if not isinstance(value, list) or not all(isinstance(choice, str) for choice in value):
        table.error("wrong-type", "choices",
                    msg("expected an array of strings, found {value}", value=_describe(value)))
        return ()
    if not value:
        table.error("invalid-choices", "choices", msg("choices is empty; expected at least one"))
    elif any(not choice.strip() for choice in value):
        table.error("invalid-choices", "choices", msg("a choice is blank"))
    elif len(set(value)) < len(value):
        repeated = sorted({choice for choice in value if value.count(choice) > 1})
        table.error("invalid-choices", "choices", msg("repeated choices: {repeated}",
                                                      repeated=', '.join(repeated)))
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
                table.error("reserved-id", "id", msg("section id '{section_id}' is a ranking "
                                                     "column ({columns}); choose another",
                                                     section_id=section_id,
                                                     columns=listing(RANKING_COLUMNS)))
            if section_id in seen:
                table.error("duplicate-id", "id", msg("section id '{section_id}' is already used "
                                                      "by {key}",
                                                      section_id=section_id,
                                                      key=render_key(seen[section_id].path)))
            seen.setdefault(section_id, table)
        title = table.text("title", required=True)
        section_max = table.number("max", required=True)
        if section_max is not None and section_max <= 0:
            table.error("non-positive-max", "max",
                        msg("max is {section_max}; expected above 0",
                            section_max=_fmt(section_max)))
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
            table.error("section-parent", "parent", msg("parent '{parent}' is not a section "
                                                        "defined earlier; list a section after "
                                                        "the one it sits in",
                                                        parent=parent))
            parent = None
        elif parent not in depths:
            names = list(depths) or ["(none defined)"]
            table.error("unknown-section", "parent",
                        msg("unknown section '{parent}'; {expected}",
                            parent=parent, expected=_one_of(names)))
            parent = None
        elif depths[parent] >= MAX_DEPTH:
            table.error("section-depth", "parent", msg(
                "section '{own}' would sit {depth} levels deep; sections nest at most "
                "{depth_limit} levels", own=own, depth=depths[parent] + 1, depth_limit=MAX_DEPTH))
            parent = None
    weight = table.number("weight")
    if weight is not None and weight <= 0:
        table.error("invalid-weight", "weight", msg("weight is {weight}; expected above 0",
                                                    weight=_fmt(weight)))
        weight = None
    elif weight is not None and table.has("parent"):
        table.error("weight-on-child", "weight", msg("only top-level sections are weighted; a "
                                                     "section inside another counts in its "
                                                     "parent's points"))
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
                        msg("unknown section '{section_id}'; {expected}",
                            section_id=section_id, expected=_one_of(names)))
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
            table.error("empty-section", "id", msg("section '{section_id}' has no [[indicator]]",
                                                   section_id=section_id))
            continue
        if section is None or None in maxes or not sums_known:
            sums_known = False
            continue
        added = sum(m for m in maxes if m is not None) + sum(kid.max for kid in kids)
        if abs(added - section.max) > TOLERANCE:
            parts = msg("its indicators") if not kids else msg("its indicators and sections")
            table.error("section-max-mismatch", "max", msg(
                "section '{section_id}' max is {max} but {parts} add up to {added}",
                section_id=section_id, max=_fmt(section.max), parts=parts, added=_fmt(added)))
    if settings is None or not sums_known or not all(s for s, _ in sections):
        return
    tops = [section for section, _ in sections if section and section.parent is None]
    total = sum(section.max * section.weight for section in tops)
    if abs(total - settings["total"]) > TOLERANCE:
        summed = listing(f"{section.id} {_fmt(section.max)}"
                         + (f" × {_fmt(section.weight)}" if section.weight != 1 else "")
                         for section in tops)
        which = msg("the sections' max") if all(s.weight == 1 for s in tops) else \
            msg("the sections' max times their weights")
        reader.error("total-mismatch", ("rubric", "total"),
                     msg("total is {total} but {which} add up to {added} ({parts})",
                         total=_fmt(settings['total']), which=which, added=_fmt(total),
                         parts=summed))


def _check_groups(reader: _Reader, indicators: list[tuple[Item | None, _Table]]) -> None:
    """Alternatives: one section, equal max, each with applies_if and otherwise = "na"."""
    first: dict[str, tuple[Item, _Table]] = {}
    for item, table in indicators:
        if item is None or item.group is None:
            continue
        if item.applies_if is None or item.otherwise != "na":
            table.error("group-member", "group", msg("indicator '{id}' of group '{group}' needs "
                                                     'applies_if and otherwise = "na": '
                                                     "alternatives apply only where their "
                                                     "condition holds",
                                                     id=item.id, group=item.group))
        if item.group not in first:
            first[item.group] = (item, table)
            continue
        head, head_table = first[item.group]
        if item.section != head.section:
            table.error("group-section", "section", msg("group '{group}' is in section "
                                                        "'{section}' ({key}); alternatives share "
                                                        "one section",
                                                        group=item.group, section=head.section,
                                                        key=render_key(head_table.path)))
        elif abs(item.max - head.max) > TOLERANCE:
            table.error("group-max-mismatch", "max", msg(
                "max is {max} but '{id}' of group '{group}' has {head_max}; alternatives have "
                "equal max", max=_fmt(item.max), id=head.id, group=item.group,
                head_max=_fmt(head.max)))


# -- [[indicator]], [[bonus]], [[penalty]] ----------------------------------


def _read_item(reader: _Reader, table: _Table, kind: ItemKind,
               context: _Context) -> tuple[Item | None, _Table]:
    before = reader.error_count
    item_id = table.text("id", required=True)
    title = table.text("title", required=True)
    section = table.text("section", required=True) if kind == "indicator" else None
    item_max = table.number("max", required=True)
    if item_max is not None and item_max <= 0:
        table.error("non-positive-max", "max", msg("max is {item_max}; expected above 0",
                                                   item_max=_fmt(item_max)))
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
        table.error("schema-2-key", "rule", msg("rule '{rule}' is schema 2; declare schema = 2 "
                                                "at the top of the file to use it",
                                                rule=value))
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
                        msg("otherwise says what the item scores where applies_if does not hold; "
                            "it needs applies_if"))
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
        table.error("invalid-placeholder", name, msg("{error}; write {{{{ and }}}} for a brace",
                                                     error=error))
        return None
    unknown = [field for field in names if field not in allowed]
    if unknown:
        table.error("invalid-placeholder", name, msg(
            "unknown placeholder {{{unknown}}}; {expected}", unknown=unknown[0],
            expected=_one_of("{" + option + "}" for option in allowed)))
        return None
    return text


def _read_applies_if(table: _Table, context: _Context) -> Condition | None:
    value = table.raw("applies_if")
    if not isinstance(value, dict):
        table.error("wrong-type", "applies_if", msg('expected a table such as {{ field = "...", '
                                                    "is = true }}, found {value}",
                                                    value=_describe(value)))
        return None
    inner = _Table(table.reader, value, table.key("applies_if"))
    condition = _read_clause_condition(inner, context, "applies_if")
    inner.finish(("field", "is", "op", "value"))
    return condition


def _read_clause_condition(table: _Table, context: _Context, purpose: str) -> Condition | None:
    """``field`` with ``is`` (a bool, a choice, or choices) or ``op`` + ``value``."""
    if table.has("is") and (table.has("op") or table.has("value")):
        table.raw("op"), table.raw("value"), table.raw("is")
        table.error("clause-shape", "is", msg("a condition has 'is' or 'op' and 'value', not both"))
        return None
    allowed: tuple[FieldType, ...] = ("bool", "choice") if table.has("is") else \
        RULE_FIELD_TYPES["check"]
    field = _read_field_ref(table, "field", allowed, context,
                            msg("{purpose} with 'is'", purpose=purpose) if table.has("is")
                            else purpose)
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
        truth = bool_word(value)
        if truth is None:
            table.error("invalid-value", "is", msg(
                "is {value} does not suit bool field '{id}'; expected true or false (or "
                "\"是\"/\"否\", \"yes\"/\"no\", \"true\"/\"false\")",
                value=_describe(value), id=field.id))
            return None
        return Condition(field=field.id, op="==", values=(truth,))
    choices = value if isinstance(value, list) else [value]
    wrong = [choice for choice in choices if choice not in field.choices]
    if not choices or wrong:
        shown = _describe(wrong[0]) if wrong else "an empty array"
        table.error("invalid-value", "is", msg("is {shown} is not a choice of field '{id}'; "
                                               "{expected}",
                                               shown=shown, id=field.id,
                                               expected=_one_of(field.choices)))
        return None
    return Condition(field=field.id, op="==", values=tuple(dict.fromkeys(choices)))


def _read_clauses(table: _Table, item_max: float | None,
                  context: _Context) -> tuple[Clause, ...]:
    value = table.raw("clause")
    if value is None or value == []:
        table.error("missing-key", "clause", msg("rule 'clauses' needs [[indicator.clause]] "
                                                 "tables"))
        return ()
    if not isinstance(value, list) or not all(isinstance(entry, dict) for entry in value):
        table.error("wrong-type", "clause", msg("expected [[{path}.clause]] tables, found {value}",
                                                path=table.path[0], value=_describe(value)))
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
        shapes = [f"{shape} ({keys[shape]})" for shape in found]
        both = msg("{some} and {last}", some=listing(shapes[:-1]), last=shapes[-1]) \
            if len(shapes) > 1 else shapes[0]
        table.error("clause-shape", None, msg("a clause has exactly one shape; found {shapes}",
                                              shapes=both))
    else:
        table.error("clause-shape", None, msg("a clause has exactly one shape; expected field + "
                                              "is (or op + value) + points (a fault), field + "
                                              "per (a count), field + below + per (a shortfall), "
                                              "fields + per (a list) or any + points (any)"))
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
        params["condition"] = _read_clause_condition(table, context, msg("a fault clause"))
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
    if table.has("applies_if"):
        params["applies_if"] = _read_applies_if(table, context)
    for name in table.data:
        if name not in table.read and name in CLAUSE_KEYS:
            table.raw(name)
            table.error("key-not-for-shape", name, msg("'{name}' does not belong to a {shape} "
                                                       "clause (it takes {keys}, cap, "
                                                       "problem, rectify, applies_if)",
                                                       name=name, shape=shape,
                                                       keys=listing(SHAPE_KEYS[shape])))
    table.finish(CLAUSE_KEYS)
    if table.reader.error_count > before:
        return None
    return Clause(line=table.reader.line(table.path), **params)


def _positive(table: _Table, name: str, required: bool = False) -> float | None:
    value = table.number(name, required=required)
    if value is not None and value <= 0:
        code = "non-positive-per" if name == "per" else "non-positive-value"
        table.error(code, name, msg("{name} is {value}; expected above 0", name=name,
                                    value=_fmt(value)))
        return None
    return value


def _read_bool_fields(table: _Table, shape: ClauseShape, context: _Context) -> tuple[str, ...]:
    name = "fields" if shape == "list" else "any"
    value = table.raw(name)
    if not isinstance(value, list) or not all(isinstance(entry, str) for entry in value):
        table.error("wrong-type", name, msg("expected an array of field ids, found {value}",
                                            value=_describe(value)))
        return ()
    if not value or len(set(value)) < len(value):
        table.error("invalid-share-fields", name, msg("{name} is empty or lists a field twice",
                                                      name=name))
    for field_id in value:
        context.used.add(field_id)
        if field_id not in context.declared:
            table.error("undeclared-field", name, msg("field '{field_id}' is not declared",
                                                      field_id=field_id))
        elif field_id in context.fields and context.fields[field_id].type != "bool":
            table.error("field-type-mismatch", name, msg("a {shape} clause cannot read field "
                                                         "'{field_id}' of type {type}; it takes "
                                                         "bool fields",
                                                         shape=shape, field_id=field_id,
                                                         type=context.fields[field_id].type))
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
                    msg("field '{field_id}' is not declared; {expected}",
                        field_id=field_id, expected=_one_of(declared)))
        return None
    field = context.fields.get(field_id)
    if field is not None and field.type not in allowed:
        table.error("field-type-mismatch", name, msg("{purpose} cannot read field '{field_id}' "
                                                     "of type {type}; it takes {either} fields",
                                                     purpose=purpose, field_id=field_id,
                                                     type=field.type, either=_either(allowed)))
        return None
    return field


def _read_rule_params(table: _Table, rule: RuleName, item_max: float | None,
                      context: _Context) -> dict[str, Any]:
    allowed = RULE_FIELD_TYPES[rule]
    if rule == "share":
        return {"fields": _read_share_fields(table, context)}
    if rule == "clauses":
        return {"clauses": _read_clauses(table, item_max, context)}
    field = _read_field_ref(table, "field", allowed, context, msg("rule '{rule}'", rule=rule))
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
            found = msg("both") if has_target else msg("neither")
            table.error("scale-target", "target" if has_target else None,
                        msg("rule 'scale' needs exactly one of target or target_field; found "
                            "{found}",
                            found=found))
        if has_target:
            params["target"] = table.number("target")
        if has_field:
            _read_field_ref(table, "target_field", allowed, context, "target_field")
            params["target_field"] = table.data.get("target_field")
    elif rule in ("deduct", "count"):
        per = table.number("per", required=True)
        if per is not None and per <= 0:
            table.error("non-positive-per", "per", msg("per is {per}; expected above 0",
                                                       per=_fmt(per)))
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
        table.error("invalid-op", "op", msg("unknown op '{op}'; {expected}",
                                            op=op, expected=_one_of(OPS)))
        op = None
    elif op is not None and field is not None and field.type == "choice" and op not in ("==", "!="):
        table.error("invalid-op", "op", msg("op '{op}' cannot compare choices of field '{id}'; "
                                            "expected == or !=",
                                            op=op, id=field.id))
        op = None
    value = table.raw("value")
    if value is None:
        if is_bool:
            value = True
        elif required:
            table.error("missing-key", "value", msg("missing required key 'value'"))
    if field is None or value is None:
        return None
    checked: CheckValue | None = None
    shown = _describe(value)
    if field.type == "bool":
        checked = bool_word(value)
        wrong = msg("value {value} does not suit bool field '{id}'; expected true or false (or "
                    "\"是\"/\"否\", \"yes\"/\"no\", \"true\"/\"false\")",
                    value=shown, id=field.id)
    elif field.type == "choice":
        checked = value if isinstance(value, str) and value in field.choices else None
        wrong = msg("value {value} does not suit choice field '{id}'; {expected}", value=shown,
                    id=field.id, expected=_one_of(field.choices))
    else:
        checked = float(value) if _is_number(value) else None
        wrong = msg("value {value} does not suit {type} field '{id}'; expected a number",
                    value=shown, type=field.type, id=field.id)
    if checked is None:
        table.error("invalid-value", "value", wrong)
        return None
    return (op, checked) if op is not None else None


def _read_share_fields(table: _Table, context: _Context) -> tuple[str, ...]:
    if table.has("field"):
        table.raw("field")
        table.error("key-not-for-rule", "field",
                    msg("rule 'share' reads 'fields' (a list of bool fields), not 'field'"))
    value = table.raw("fields")
    if value is None:
        table.error("missing-key", "fields", msg('rule \'share\' needs fields = ["...", ...]'))
        return ()
    if not isinstance(value, list) or not all(isinstance(name, str) for name in value):
        table.error("wrong-type", "fields",
                    msg("expected an array of field ids, found {value}", value=_describe(value)))
        return ()
    if not value:
        table.error("invalid-share-fields", "fields", msg("fields is empty; expected bool fields"))
    elif len(set(value)) < len(value):
        table.error("invalid-share-fields", "fields", msg("a field is listed twice in fields"))
    for name in value:
        context.used.add(name)
        context.reads.append((name, table.key("fields"), "rule 'share'"))
        if name not in context.declared:
            table.error("undeclared-field", "fields", msg("field '{name}' is not declared",
                                                          name=name))
        elif name in context.fields and context.fields[name].type != "bool":
            table.error("field-type-mismatch", "fields", msg("rule 'share' cannot read field "
                                                             "'{name}' of type {type}; it takes "
                                                             "bool fields",
                                                             name=name,
                                                             type=context.fields[name].type))
    return tuple(value)


def _read_steps(table: _Table, item_max: float | None) -> tuple[tuple[float, float], ...]:
    value = table.raw("steps")
    if value is None:
        table.error("missing-key", "steps", msg("rule 'steps' needs steps = [[threshold, "
                                                "points], ...]"))
        return ()
    pairs_ok = isinstance(value, list) and all(
        isinstance(pair, list) and len(pair) == 2 and all(_is_number(n) for n in pair)
        for pair in value)
    if not pairs_ok:
        table.error("invalid-steps", "steps",
                    msg("expected [[threshold, points], ...]: pairs of numbers"))
        return ()
    steps = tuple((float(threshold), float(points)) for threshold, points in value)
    if not steps:
        table.error("invalid-steps", "steps", msg("steps is empty; expected at least one step"))
    for (low, _), (high, _) in pairwise(steps):
        if high <= low:
            table.error("invalid-steps", "steps", msg("thresholds must rise strictly; {high} "
                                                      "follows {low}",
                                                      high=_fmt(high), low=_fmt(low)))
            break
    for threshold, points in steps:
        if item_max is not None and not 0 <= points <= item_max:
            table.error("invalid-steps", "steps", msg("step [{threshold}, {points}] gives points "
                                                      "outside 0..{item_max}",
                                                      threshold=_fmt(threshold),
                                                      points=_fmt(points), item_max=_fmt(item_max)))
            break
    return steps


def _read_points(table: _Table, field: Field | None,
                 item_max: float | None) -> tuple[tuple[str, float], ...]:
    value = table.raw("points")
    if value is None:
        table.error("missing-key", "points",
                    msg('rule \'choice\' needs points = {{ "choice" = points, ... }}'))
        return ()
    if not isinstance(value, dict):
        table.error("wrong-type", "points", msg("expected a table, found {value}",
                                                value=_describe(value)))
        return ()
    for choice, points in value.items():
        if not _is_number(points):
            table.reader.error("wrong-type", (*table.key("points"), choice),
                               msg("expected a number, found {points}", points=_describe(points)))
        elif item_max is not None and not 0 <= points <= item_max:
            table.reader.error("invalid-points", (*table.key("points"), choice),
                               msg("'{choice}' gives {points} points; expected 0..{item_max}",
                                   choice=choice, points=_fmt(points), item_max=_fmt(item_max)))
    if field is None:
        return ()
    for choice in value:
        if choice not in field.choices:
            table.reader.error("invalid-points", (*table.key("points"), choice),
                               msg("'{choice}' is not a choice of field '{id}'; {expected}",
                                   choice=choice, id=field.id, expected=_one_of(field.choices)))
    absent = [choice for choice in field.choices if choice not in value]
    if absent:
        table.error("invalid-points", "points",
                    msg("no points for choice {absent} of field '{id}'",
                        absent=', '.join(absent), id=field.id))
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
    field = _read_field_ref(table, "field", RULE_FIELD_TYPES["check"], context, msg("a veto"))
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
                        msg("unknown grade '{grade}'; {expected}",
                            grade=grade, expected=_one_of(context.grade_names)))
        elif (grade is not None and not context.grade_names and context.grades_whole
              and table.schema_2):
            table.error("unknown-grade", "grade", msg("the rubric has no [[grade]]; a veto "
                                                      "without grades can only have action = "
                                                      '"zero" or "exclude"'))
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
        why = msg("a veto with action = \"exclude\" has no grade (its row shows its label)") \
            if name == "grade" else msg("'{name}' is for action = \"exclude\" only", name=name)
        table.error("key-not-for-action", name, msg("'{name}' does not belong to action "
                                                    "'{action}': {why}",
                                                    name=name, action=action, why=why))


# -- [[grade]] --------------------------------------------------------------


def _read_grades(reader: _Reader, tables: list[_Table]) -> list[tuple[Grade, _Table]]:
    """The grades that could be read; ordering rules are checked later."""
    grades: list[tuple[Grade, _Table]] = []
    for table in tables:
        before = reader.error_count
        name = table.text("name", required=True)
        grade_min = table.number("min", required=True)
        share = _share(table, "max_share", code="invalid-max-share")
        quotas: dict[str, Any] = {}
        if table.schema_2:
            quotas["max_count"] = _count(table, "max_count", code="invalid-max-count")
            quotas["min_share"] = _share(table, "min_share", code="invalid-min-share")
            quotas["min_count"] = _count(table, "min_count", code="invalid-min-count")
            rounding = table.option("quota_rounding", QUOTA_ROUNDINGS)
            if rounding is not None:
                quotas["quota_rounding"] = rounding
        table.finish(GRADE_KEYS, schema_2=GRADE_KEYS_2)
        if reader.error_count == before and name is not None and grade_min is not None:
            grades.append((Grade(name=name, min=grade_min, max_share=share,
                                 line=reader.line(table.path), **quotas), table))
    return grades


def _share(table: _Table, name: str, code: str) -> float | None:
    share = table.number(name)
    if share is not None and not 0 < share <= 1:
        table.error(code, name,
                    msg("{name} is {share}; expected a share above 0 and at most 1",
                        name=name, share=_fmt(share)))
        return None
    return share


def _count(table: _Table, name: str, code: str) -> int | None:
    count = table.integer(name)
    if count is not None and count < 1:
        table.error(code, name,
                    msg("{name} is {count}; expected a whole number of branches, 1 or more",
                        name=name, count=count))
        return None
    return count


def _check_grades(reader: _Reader, grades: list[tuple[Grade, _Table]],
                  settings: dict[str, Any] | None, whole: bool) -> None:
    """Names unique, mins falling to 0, no quota on the last; ``whole`` when all were read."""
    seen: set[str] = set()
    for grade, table in grades:
        if grade.name in seen:
            table.error("duplicate-grade", "name", msg("grade '{name}' is listed twice",
                                                       name=grade.name))
        seen.add(grade.name)
    if not whole:
        return  # a grade left out (already reported) would make order checks wrong
    for (upper, _), (lower, table) in pairwise(grades):
        if lower.min >= upper.min:
            table.error("grade-order", "min", msg("min {min} must be below the min of '{name}' "
                                                  "above it ({upper_min}): list grades best first",
                                                  min=_fmt(lower.min), name=upper.name,
                                                  upper_min=_fmt(upper.min)))
    if grades:
        last, table = grades[-1]
        if last.min != 0:
            table.error("last-grade-min", "min",
                        msg("the last grade '{name}' has min {min}; expected 0, so that every "
                            "total gets a grade",
                            name=last.name, min=_fmt(last.min)))
        for key in ("max_share", "max_count"):
            if getattr(last, key) is not None:
                table.error("last-grade-quota", key,
                            msg("the last grade '{name}' cannot have a quota: every branch must "
                                "be able to get it",
                                name=last.name))
        first, table = grades[0]
        for key in ("min_share", "min_count"):
            if getattr(first, key) is not None and len(grades) > 1:
                table.error("first-grade-min-quota", key, msg("'{key}' on the first grade "
                                                              "'{name}' would hold for every "
                                                              "branch: a lower quota belongs on "
                                                              "a grade below it",
                                                              key=key, name=first.name))
    if settings is None:
        return
    best = settings["total"] + settings["bonus_cap"]
    for grade, table in grades:
        if grade.min > best:
            reader.warn("unreachable-grade", table.key("min"), msg(
                "min {min} is above the best possible total {best}: no branch can get '{name}'",
                min=_fmt(grade.min), best=_fmt(best), name=grade.name))


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
                        msg("id '{item_id}' is a column of points.csv beside the item ids; "
                            "choose another id",
                            item_id=item_id))
        if item_id in first:
            table.error("duplicate-id", "id", msg("id '{item_id}' is already used by {key} (line "
                                                  "{line})",
                                                  item_id=item_id,
                                                  key=render_key(first[item_id].path),
                                                  line=reader.line(first[item_id].path)))
        else:
            first[item_id] = table


def _check_references(reader: _Reader, fields: list[tuple[Field | None, _Table]],
                      context: _Context) -> None:
    """A reference field is shown, never scored: no rule, clause, veto or applies_if reads it."""
    references = {field.id for field, _ in fields if field is not None and field.reference}
    for field_id, key, purpose in context.reads:
        if field_id in references:
            reader.error("reference-field-used", key, msg("field '{field_id}' is a reference "
                                                          "field (reference = true): {purpose} "
                                                          "cannot read it",
                                                          field_id=field_id, purpose=purpose))


def _check_zero_blanks(reader: _Reader, missing: MissingPolicy, context: _Context) -> None:
    """Under missing = "zero" a blank choice in a clause, or a blank in a direct "lost"
    cell, would earn points: such a field needs another policy."""
    for field_id, key, purpose in context.reads:
        field = context.fields.get(field_id)
        if field is None or (field.missing or missing) != "zero":
            continue
        if purpose == "a fault clause" and field.type == "choice":
            reader.error("zero-blank-earns", key, msg("field '{field_id}' is a choice read by a "
                                                      'clause under missing = "zero": a blank '
                                                      "would cost nothing; give the field "
                                                      'missing = "error" or "na"',
                                                      field_id=field_id))
    for field_id, key in context.direct_lost:
        field = context.fields.get(field_id)
        if field is not None and (field.missing or missing) == "zero":
            reader.error("zero-blank-earns", key, msg("field '{field_id}' holds points taken off "
                                                      '(entry = "lost") under missing = "zero": '
                                                      "a blank would take nothing off; give the "
                                                      'field missing = "error" or "na"',
                                                      field_id=field_id))


def _warn_unused_fields(reader: _Reader, fields: list[tuple[Field | None, _Table]],
                        context: _Context) -> None:
    for field, table in fields:
        if (field is not None and field.type != "text" and not field.reference
                and field.id not in context.used):
            reader.warn("unused-field", table.key("id"),
                        msg("field '{id}' is declared but no item or veto reads it", id=field.id))
