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
- ``schema-missing``, ``schema-unsupported``: ``schema`` absent, or not 1.
- ``unknown-key``: a key the format does not have (a typo).
- ``key-not-for-rule``: a rule parameter on an item of another rule (``per`` on ``scale``).
- ``key-not-for-type``: ``choices`` on a non-choice field, ``min``/``max`` on a non-numeric one.
- ``missing-key``: a required key or table is absent.
- ``wrong-type``: a value of the wrong TOML type (or a non-finite number).
- ``empty-value``: a required string is blank.
- ``invalid-id``: a rubric id or field id breaks its syntax.
- ``duplicate-id``: an id used twice (fields; sections; items and vetoes together).
- ``duplicate-label``: two fields answer to the same checklist header.
- ``reserved-id``: a section id that is a ranking column, a field id that is a checklist column.
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
import sys
from collections.abc import Iterable, Mapping
from difflib import get_close_matches
from itertools import pairwise
from typing import Any, TypeGuard, cast

import attrs

from inspect_score.errors import Issue, RubricError, Severity, errors_only
from inspect_score.rubric.model import (
    FIELD_TYPES,
    OPS,
    RULES,
    CheckValue,
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
)
from inspect_score.rubric.toml_lines import KeyLocator, KeyPath, render_key

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

__all__ = ["load_rubric", "validate_rubric_file"]

SCHEMA = 1
RUBRIC_ID = re.compile(r"[A-Za-z0-9_-]+")
FIELD_ID = re.compile(r"[a-z][a-z0-9_]*")
#: columns of the ranking a section column would clash with
RANKING_COLUMNS = ("rank", "branch_id", "branch_name", "total", "base", "bonus", "penalty",
                   "grade", "vetoed")
#: checklist columns that are not fields
CHECKLIST_COLUMNS = ("branch_id", "branch_name", "rater")
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


def load_rubric(path: str | os.PathLike[str]) -> Rubric:
    """Read and check the rubric at ``path``; raise RubricError with every problem."""
    issues, rubric = _analyse(path)
    if rubric is None:
        raise RubricError(issues)
    return rubric


def validate_rubric_file(path: str | os.PathLike[str]) -> list[Issue]:
    """Every problem of the rubric at ``path``, errors and warnings; [] when clean."""
    return _analyse(path)[0]


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

    def finish(self, known: tuple[str, ...], rule: RuleName | None = None) -> None:
        """Report every key not read: unknown, or a parameter of another rule."""
        for name in self.data:
            if name in self.read:
                continue
            if rule is not None and name in ALL_PARAMS:
                takes = ", ".join(RULE_PARAMS[rule])
                self.error("key-not-for-rule", name,
                           f"'{name}' does not belong to rule '{rule}' (it takes {takes})")
                continue
            if rule is None and name in ALL_PARAMS and "rule" in known:
                continue  # the rule itself is wrong; its parameters cannot be judged
            expected = known + (RULE_PARAMS[rule] if rule else ())
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


def _read_document(reader: _Reader, document: dict[str, Any]) -> Rubric | None:
    _check_schema(reader, document)
    top = _Table(reader, document, ())
    rubric_table = _sub_table(reader, top, "rubric")
    context = _Context()
    fields = _read_fields(reader, _array(reader, top, "field", required=True), context)
    sections = _read_sections(reader, _array(reader, top, "section", required=True))
    grade_tables = _array(reader, top, "grade", required=True)
    grades = _read_grades(reader, grade_tables)
    context.grade_names = [grade.name for grade, _ in grades]
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
    _check_grades(reader, grades, settings, whole=len(grades) == len(grade_tables))
    _warn_unused_fields(reader, fields, context)
    for veto, table in vetoes:
        # Only when every grade was read is grades[0] surely the best one.
        whole = len(grades) == len(grade_tables)
        if veto and grades and whole and veto.grade == grades[0][0].name:
            reader.warn("veto-no-effect", table.key("grade"),
                        f"veto grade '{veto.grade}' is the best grade: the veto changes nothing")

    if errors_only(reader.issues) or settings is None:
        return None
    return Rubric(
        fields=tuple(field for field, _ in fields if field),
        sections=tuple(section for section, _ in sections if section),
        indicators=tuple(item for item, _ in items["indicator"] if item),
        bonuses=tuple(item for item, _ in items["bonus"] if item),
        penalties=tuple(item for item, _ in items["penalty"] if item),
        vetoes=tuple(veto for veto, _ in vetoes if veto),
        grades=tuple(grade for grade, _ in grades),
        **settings,
    )


def _check_schema(reader: _Reader, document: Mapping[str, Any]) -> None:
    schema = document.get("schema")
    if schema is None:
        reader.error("schema-missing", ("schema",),
                     f"missing 'schema = {SCHEMA}' at the top of the file")
    elif schema != SCHEMA or isinstance(schema, bool):
        reader.error("schema-unsupported", ("schema",),
                     f"schema is {_describe(schema)}; this version reads schema {SCHEMA}")


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
    if bonus_cap is None and has_bonus and not table.has("bonus_cap"):
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
    table.finish(RUBRIC_KEYS)
    if reader.error_count > before or rubric_id is None or title is None or total is None:
        return None
    return {
        "id": rubric_id, "title": title, "version": version, "lang": lang, "total": total,
        "bonus_cap": bonus_cap or 0.0, "missing": missing, "raters": raters,
        "trim": 1 if trim is None else trim, "precision": 2 if precision is None else precision,
    }


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
    # A checklist header may be a field's id or its label: each must name one field.
    for table in tables:
        for name in ("id", "label"):
            header = table.data.get(name)
            if not isinstance(header, str):
                continue
            other, other_key = first_header.setdefault(header, (table, name))
            # Two equal ids are a duplicate id, reported above.
            if other is not table and "label" in (name, other_key):
                table.error("duplicate-label", name, f"header '{header}' already names the "
                            f"field of {render_key(other.path)}; a checklist column would be "
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
    table.finish(FIELD_KEYS)
    if reader.error_count > before or field_id is None or field_type is None:
        return None
    return Field(id=field_id, type=field_type, label=label, min=low, max=high, help=help_text,
                 choices=choices, missing=missing, line=reader.line(table.path))


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
        table.finish(SECTION_KEYS)
        section = None
        if reader.error_count == before and section_id and title and section_max:
            section = Section(id=section_id, title=title, max=section_max,
                              line=reader.line(table.path))
        sections.append((section, table))
    return sections


def _check_sections(reader: _Reader, sections: list[tuple[Section | None, _Table]],
                    indicators: list[tuple[Item | None, _Table]],
                    settings: dict[str, Any] | None) -> None:
    """Sections hold indicators whose max add up to theirs; they add up to total."""
    section_ids = [table.data.get("id") for _, table in sections]
    members: dict[str, list[float | None]] = {}
    # Sums are only worth checking when every indicator is in a known section
    # and every section is read: otherwise they repeat a problem already reported.
    sums_known = True
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
        item_max = table.data.get("max")
        maximum = float(item_max) if _is_number(item_max) else 0.0
        members.setdefault(section_id, []).append(maximum if maximum > 0 else None)
    for section, table in sections:
        section_id = table.data.get("id")
        if not isinstance(section_id, str) or section_ids.count(section_id) > 1:
            sums_known = False
            continue
        maxes = members.get(section_id, [])
        if not maxes:
            table.error("empty-section", "id", f"section '{section_id}' has no [[indicator]]")
            continue
        if section is None or None in maxes or not sums_known:
            sums_known = False
            continue
        added = sum(m for m in maxes if m is not None)
        if abs(added - section.max) > TOLERANCE:
            table.error("section-max-mismatch", "max", f"section '{section_id}' max is "
                        f"{_fmt(section.max)} but its indicators add up to {_fmt(added)}")
    if settings is None or not sums_known:
        return
    total = sum(section.max for section, _ in sections if section)
    if abs(total - settings["total"]) > TOLERANCE and all(s for s, _ in sections):
        parts = ", ".join(f"{section.id} {_fmt(section.max)}" for section, _ in sections if section)
        reader.error("total-mismatch", ("rubric", "total"),
                     f"total is {_fmt(settings['total'])} but the sections' max add up to "
                     f"{_fmt(total)} ({parts})")


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
    rule = cast(RuleName | None, table.option("rule", RULES, required=True, code="unknown-rule"))
    params: dict[str, Any] = {}
    if rule is not None:
        params = _read_rule_params(table, rule, item_max, context)
    known = ITEM_KEYS if kind == "indicator" else tuple(k for k in ITEM_KEYS if k != "section")
    table.finish(known, rule)
    if reader.error_count > before or None in (item_id, title, item_max, rule):
        return None, table
    item = Item(kind=kind, id=cast(str, item_id), title=cast(str, title),
                max=cast(float, item_max), rule=cast(RuleName, rule), section=section,
                note=note, line=reader.line(table.path), **params)
    return item, table


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
    field = _read_field_ref(table, "field", allowed, context, f"rule '{rule}'")
    params: dict[str, Any] = {"field": table.data.get("field")}
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
    condition = _read_condition(table, field)
    grade = table.text("grade", required=True)
    # Without any readable grade (already reported) every name would be unknown.
    if grade is not None and context.grade_names and grade not in context.grade_names:
        table.error("unknown-grade", "grade",
                    f"unknown grade '{grade}'; {_one_of(context.grade_names)}")
    table.finish(VETO_KEYS)
    if reader.error_count > before or None in (veto_id, title, field, condition, grade):
        return None, table
    op, value = cast(tuple[Op, CheckValue], condition)
    veto = Veto(id=cast(str, veto_id), title=cast(str, title), field=cast(Field, field).id,
                op=op, value=value, grade=cast(str, grade), line=reader.line(table.path))
    return veto, table


# -- [[grade]] --------------------------------------------------------------


def _read_grades(reader: _Reader, tables: list[_Table]) -> list[tuple[Grade, _Table]]:
    """The grades that could be read; ordering rules are checked later."""
    grades: list[tuple[Grade, _Table]] = []
    for table in tables:
        before = reader.error_count
        name = table.text("name", required=True)
        grade_min = table.number("min", required=True)
        share = table.number("max_share")
        if share is not None and not 0 < share <= 1:
            table.error("invalid-max-share", "max_share",
                        f"max_share is {_fmt(share)}; expected a share above 0 and at most 1")
        table.finish(GRADE_KEYS)
        if reader.error_count == before and name is not None and grade_min is not None:
            grades.append((Grade(name=name, min=grade_min, max_share=share,
                                 line=reader.line(table.path)), table))
    return grades


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
        if last.max_share is not None:
            table.error("last-grade-quota", "max_share",
                        f"the last grade '{last.name}' cannot have a quota: "
                        "every branch must be able to get it")
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
        if item_id in first:
            table.error("duplicate-id", "id", f"id '{item_id}' is already used by "
                        f"{render_key(first[item_id].path)} (line "
                        f"{reader.line(first[item_id].path)})")
        else:
            first[item_id] = table


def _warn_unused_fields(reader: _Reader, fields: list[tuple[Field | None, _Table]],
                        context: _Context) -> None:
    for field, table in fields:
        if field is not None and field.type != "text" and field.id not in context.used:
            reader.warn("unused-field", table.key("id"),
                        f"field '{field.id}' is declared but no item or veto reads it")
